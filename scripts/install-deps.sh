#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Installs the Debian packages vifguard needs to build, test and demo.
# Does nothing (and needs no network) when all of them are present.
# Usage: scripts/install-deps.sh [--check]
set -euo pipefail

pkgs=(
	# build; their .a files (and libxen-dev's libxenstore.a, libc6-dev's
	# libc.a) make build/static/vifguard (mk/static.mk)
	make gcc clang llvm pkg-config linux-libc-dev
	libbpf-dev libelf-dev zlib1g-dev bpftool
	# rtnetlink: tc filter dumps, link state, bridge membership
	# (loader/netlink.c)
	libnl-3-dev libnl-route-3-dev
	# tests and demo
	libcmocka-dev iproute2 iputils-ping procps kmod
	# integration tests and demo: JSON from the CLI, bpftool and ip; static
	# libc for build/vgpkt-static
	jq libc6-dev
	# fault injection into the CLI's system calls (test_faults.sh)
	strace
	# Xen integration: xenstore.h to build (libxenstore.so.4 is dlopen()ed
	# at run time); oxenstored, xenstore-utils and Xen's vif scripts for
	# the hotplug tests
	libxen-dev xen-utils-4.17 xen-utils-common xenstore-utils util-linux
	# parser fuzzers (mk/fuzz-parsers.mk): libFuzzer and the ASan/UBSan
	# runtimes of Debian's clang 14
	libclang-rt-14-dev
	# integration tests with real software (tests/integration/test_realsw_*):
	# DHCP clients and servers, radvd, arping, iperf3, tcpdump, nftables
	# for the rogue server's port, and the attack tools (thc-ipv6, dsniff,
	# scapy); the daemons are started by the tests in their namespaces
	isc-dhcp-client udhcpc dhcpcd-base dnsmasq-base radvd iputils-arping
	iperf3 tcpdump nftables thc-ipv6 dsniff python3-scapy
)

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "${1:-}" = --check ]; then
	echo "missing packages: ${missing[*]}" >&2
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages (${missing[*]}); run as root" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=300 update -qq
apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
