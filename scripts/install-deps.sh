#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Installs the Debian packages vifguard needs to build, test and demo.
# Does nothing (and needs no network) when all of them are present.
# Usage: scripts/install-deps.sh [--check | --check-build]
#   --check        names what is missing (exit 1), installs nothing
#   --check-build  the same for what `make` needs to build; a plain
#                  `make` runs this, `make deps`, `make test` and
#                  `make demo` install (Makefile, DEPS_GOALS)
set -euo pipefail

build=(
	# build; their .a files (and libxen-dev's libxenstore.a, libc6-dev's
	# libc.a) make build/static/vifguard (mk/static.mk)
	make gcc clang llvm pkg-config linux-libc-dev libc6-dev
	libbpf-dev libelf-dev zlib1g-dev bpftool
	# rtnetlink: tc filter dumps, link state, bridge membership
	# (loader/netlink.c)
	libnl-3-dev libnl-route-3-dev
	# xenstore.h (libxenstore.so.4 is dlopen()ed at run time)
	libxen-dev
)
pkgs=(
	"${build[@]}"
	# tests and demo
	libcmocka-dev iproute2 iputils-ping procps kmod
	# integration tests and demo: JSON from the CLI, bpftool and ip
	jq
	# every command's JSON checked against docs/vifguard.schema.json
	# (test_json_schema.sh, with /usr/bin/python3)
	python3-jsonschema
	# the manual page rendered with every warning on (test_docs.sh)
	groff-base
	# fault injection into the CLI's system calls (test_faults.sh)
	strace
	# Xen integration: oxenstored, xenstore-utils and Xen's vif scripts
	# for the hotplug tests
	xen-utils-4.17 xen-utils-common xenstore-utils util-linux
	# parser fuzzers (mk/fuzz-parsers.mk): libFuzzer and the ASan/UBSan
	# runtimes of Debian's clang 14
	libclang-rt-14-dev
	# integration tests with real software (tests/integration/test_realsw_*):
	# DHCP clients and servers, radvd, arping, iperf3, tcpdump, nftables
	# for the rogue server's port, and the attack tools (thc-ipv6, dsniff,
	# scapy); the daemons are started by the tests in their namespaces
	isc-dhcp-client udhcpc dhcpcd-base dnsmasq-base radvd iputils-arping
	iperf3 tcpdump nftables thc-ipv6 dsniff python3-scapy
	# promtool, Prometheus' own parser of the text exposition format
	# (test_metrics.sh); the server in the same package is kept from
	# starting (below)
	prometheus
)

want=("${pkgs[@]}")
[ "${1:-}" = --check-build ] && want=("${build[@]}")
if ! command -v dpkg-query >/dev/null; then
	# Not Debian: nothing to check against; the compiler will say.
	[ "${1:-}" = --check-build ] && exit 0
	echo "install-deps: no dpkg-query: install the packages of $0 by hand" >&2
	exit 1
fi
# One query for all: the installed ones, by name.
have=" $(dpkg-query -W -f='${db:Status-Abbrev}${Package}\n' "${want[@]}" 2>/dev/null |
	sed -n 's/^ii *//p' | tr '\n' ' ' || true) "
missing=()
for p in "${want[@]}"; do
	[[ $have == *" $p "* ]] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
case ${1:-} in
--check)
	echo "missing packages: ${missing[*]}" >&2
	exit 1 ;;
--check-build)
	echo "vifguard: cannot build, missing packages: ${missing[*]}; \`make deps\` (as root) installs them" >&2
	exit 1 ;;
esac
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages (${missing[*]}); run as root" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# No daemon may come from installing tools: the prometheus package's
# postinst would enable and start its server (on port 9090).  While apt
# runs, a policy-rc.d refuses every start (invoke-rc.d and
# deb-systemd-invoke obey it), unless the host has one of its own; the
# server's unit is then disabled, so that no boot starts it either.
prc=/usr/sbin/policy-rc.d
if [ ! -e $prc ]; then
	trap 'rm -f $prc' EXIT
	printf '#!/bin/sh\n# install-deps.sh: no service starts while it installs\nexit 101\n' >$prc
	chmod 0755 $prc
fi
apt-get -o DPkg::Lock::Timeout=300 update -qq
apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
if [[ " ${missing[*]} " == *" prometheus "* ]]; then
	# works without a running systemd too (links and the SysV script)
	if command -v systemctl >/dev/null; then
		systemctl disable --quiet prometheus.service >/dev/null 2>&1 ||
			echo "install-deps: cannot disable prometheus.service" >&2
	fi
fi
