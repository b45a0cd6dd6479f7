# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=bash
#
# Helpers for the scenarios that run inside the lab's dom0.  A scenario is
# an executable under /lab/scen/ that exits 0 (pass), 77 (skip) or anything
# else (fail); its last "why: ..." line is the reason the runner reports.
# Each check prints "  ok: ..." or "  FAIL: ... expected X, got Y", so the
# serial log shows every step.

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LAB_CON=/var/log/xen/console
LAB_FAILS=0
LAB_CLEANUPS=()

say() { echo "$*"; }
info() { echo "@@VGLAB INFO $*"; }
why() { echo "why: $*"; }
die() { why "$*"; exit 1; }
skip() { why "$*"; exit 77; }

# check NAME EXPECTED ACTUAL: equality, counted; scenarios end with
# lab_end, which fails the scenario if any check failed.
check()
{
	if [ "$2" = "$3" ]; then
		echo "  ok: $1 ($3)"
	else
		echo "  FAIL: $1: expected $2, got $3"
		why "$1: expected $2, got $3"
		LAB_FAILS=$((LAB_FAILS + 1))
	fi
}

# check_ge NAME MIN ACTUAL
check_ge()
{
	if [ "$3" -ge "$2" ] 2>/dev/null; then
		echo "  ok: $1 ($3 >= $2)"
	else
		echo "  FAIL: $1: expected at least $2, got $3"
		why "$1: expected at least $2, got $3"
		LAB_FAILS=$((LAB_FAILS + 1))
	fi
}

lab_end()
{
	[ "$LAB_FAILS" = 0 ] || exit 1
	exit 0
}

# at_exit CMD...: run at scenario exit, last registered first.
at_exit() { LAB_CLEANUPS=("$*" "${LAB_CLEANUPS[@]}"); }
lab_cleanup()
{
	local c
	for c in "${LAB_CLEANUPS[@]}"; do
		eval "$c" >/dev/null 2>&1 || :
	done
}
trap lab_cleanup EXIT

# need CMD: a product piece the scenario relies on.
need()
{
	command -v "$1" >/dev/null 2>&1 || [ -e "$1" ] ||
		die "$1 is not installed in dom0 (make install did not provide it)"
}

# lab_bridge NAME ADDR/LEN: a Linux bridge with dom0 on it.
lab_bridge()
{
	ip link add "$1" type bridge || die "cannot create bridge $1"
	at_exit "ip link del $1"
	ip addr add "$2" dev "$1"
	ip link set "$1" up
}

# lab_guest NAME SCENARIO VIFSPEC [vg.KEY=VALUE...]: starts a PV busybox
# guest that runs guest/scen/SCENARIO; prints its domid.  xl returns once
# the hotplug scripts have run and the guest is unpaused.
lab_guest()
{
	local name=$1 scen=$2 vif=$3 cfg=/run/vglab/$1.cfg
	shift 3
	mkdir -p /run/vglab
	rm -f "$LAB_CON/guest-$name.log"
	cat >"$cfg" <<-EOF
	name = "$name"
	type = "pv"
	kernel = "/boot/vmlinuz"
	ramdisk = "/lab/guest.cpio"
	extra = "console=hvc0 quiet vg.scen=$scen $*"
	memory = 128
	vcpus = 1
	vif = [ '$vif' ]
	on_poweroff = "destroy"
	on_reboot = "restart"
	on_crash = "destroy"
	EOF
	at_exit "xl destroy $name"
	if ! xl create -q "$cfg" >"/run/vglab/$name.create" 2>&1; then
		cat "/run/vglab/$name.create" >&2
		return 1
	fi
	xl domid "$name"
}

# lab_console NAME: the guest's console so far, without carriage returns.
lab_console() { tr -d '\r' <"$LAB_CON/guest-$1.log" 2>/dev/null; }

# lab_wait NAME PATTERN SECONDS: wait until the guest's console shows an
# (extended) regexp; 1 on timeout.
lab_wait()
{
	local i=0
	while ! lab_console "$1" | grep -Eq "$2"; do
		i=$((i + 1))
		[ $i -le "$3" ] || return 1
		sleep 1
	done
}

# lab_gval NAME KEY: the last value the guest reported as "VGG KEY=VALUE".
lab_gval()
{
	lab_console "$1" | sed -n "s/.*VGG $2=//p" | tail -n 1
}

# lab_show_console NAME: the guest's console, for the serial log.
lab_show_console()
{
	echo "--- console of $1 ---"
	lab_console "$1" | grep -v '^$' | tail -n "${2:-40}"
	echo "---"
}

# lab_vif DOMID [DEVID]: the backend netdev of a PV vif.
lab_vif() { echo "vif$1.${2:-0}"; }
