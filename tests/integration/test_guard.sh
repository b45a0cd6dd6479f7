#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# attach's guard rails on real devices: the loopback device, a bridge, a
# tun device in tun mode (no Ethernet) and a physical NIC are refused,
# each saying what it is, and nothing is put on them; veth and tap devices (what guests sit behind) are accepted;
# source ranges no guest owns are refused naming the argument; --force
# overrides both, and what it let through is detached as usual.
. "$(dirname "$0")/lib.sh"
vg_init

vg_guest g5 vif5.0 02:00:00:00:05:00 quiet
hx ip tuntap add tap7.0 mode tap 2>/dev/null || vg_bail "cannot create a tap device"
filters() { hx "$BPFTOOL" -j net show dev "$1" |
	jq '[.[] | (.tc // [])[], (.tcx // [])[]] | length'; }

# refused NAME IFACE CAUSE: exit 1, the cause in the error, nothing attached.
refused() {
	local out rc
	out=$(vg attach "$2" --mac 02:00:00:00:05:00 --ipv4 10.99.0.5 2>&1)
	rc=$?
	tap_check "$1: attach refused (exit 1)" 1 "$rc" "$out"
	case $out in
	*"vifguard: $2: cannot attach: $3"*"--force attaches anyway"*)
		tap_ok "$1: the error says what $2 is" ;;
	*) tap_fail "$1: the error says what $2 is" "vifguard: $2: cannot attach: $3..." "$out" ;;
	esac
	tap_check "$1: no filter on $2" 0 "$(filters "$2")"
}
refused "loopback" lo "the loopback device"
refused "bridge" br0 "a bridge: it carries every guest's frames"
# A tun device in tun mode carries IP packets, no Ethernet header: the
# program would read an IP header as one.
hx ip tuntap add tun9.0 mode tun 2>/dev/null || vg_bail "cannot create a tun device"
refused "tun device in tun mode" tun9.0 "not an Ethernet device (link type 65534"
tap_check "nothing loaded or pinned by refused attaches" "no no" \
	"$([ -e "$ROOT/prog" ] && echo yes || echo no) $([ -e "$ROOT/policy" ] && echo yes || echo no)"

out=$(vg attach vif5.0 --mac 02:00:00:00:05:00 --ipv4 10.99.0.5 2>&1)
tap_check "veth vif5.0 accepted" 0 "$?" "$out"
out=$(vg attach tap7.0 --mac 02:00:00:00:07:00 --ipv4 10.99.0.7 2>&1)
tap_check "tap device tap7.0 accepted" 0 "$?" "$out"

# Addresses: refused before anything is touched (exit 2), naming the
# argument; the policy in force stays.
addr_refused() {
	local out rc
	out=$(vg attach vif5.0 --mac 02:00:00:00:05:00 "$1" "$2" 2>&1)
	rc=$?
	tap_check "$1 $2 refused (exit 2)" 2 "$rc" "$out"
	case $out in
	*"vifguard: $1 $2: $3"*"--force allows it"*) tap_ok "$1 $2: the error names it and why" ;;
	*) tap_fail "$1 $2: the error names it and why" "vifguard: $1 $2: $3..." "$out" ;;
	esac
}
addr_refused --ipv4 0.0.0.0/0 "all addresses"
addr_refused --ipv4 8.0.0.0/6 "shorter than /8"
addr_refused --ipv4 127.0.0.1 "in loopback"
addr_refused --ipv4 0.0.0.0 "in 0.0.0.0/8"
addr_refused --ipv4 255.255.255.255 "in the broadcast address"
addr_refused --ipv6 ::/0 "all addresses"
addr_refused --ipv6 ::1 "in the loopback address ::1"
addr_refused --ipv6 ::/96 "holds the unspecified address"
tap_check "vif5.0 keeps its policy" '["10.99.0.5/32"]' \
	"$(vg -j show vif5.0 | jq -c '.interfaces[0].ipv4')"
out=$(vg attach vif5.0 --force --mac 00:00:00:00:00:00 2>&1)
tap_check "an all-zero MAC is refused even with --force" 2 "$?" "$out"

# --force: the operator's word.
out=$(vg attach vif5.0 --force --mac 02:00:00:00:05:00 --ipv4 0.0.0.0/0 2>&1)
tap_check "--force: 0.0.0.0/0 accepted" 0 "$?" "$out"
tap_check "--force: 0.0.0.0/0 in force" '["0.0.0.0/0"]' \
	"$(vg -j show vif5.0 | jq -c '.interfaces[0].ipv4')"
out=$(vg attach lo --force --mac 02:00:00:00:05:00 2>&1)
tap_check "--force: lo accepted" 0 "$?" "$out"
tap_check "--force: the filter is on lo, and the egress program" 2 "$(filters lo)"
out=$(vg detach lo 2>&1)
tap_check "lo detached" 0 "$?" "$out"
tap_check "no filter left on lo" 0 "$(filters lo)"

# A physical NIC: only the host's network namespace has one.  The root
# is a plain directory, so even a missed refusal could attach nothing.
nic=
for d in /sys/class/net/*; do
	[ -e "$d/device" ] && [ "$(basename "$(readlink -f "$d/device/subsystem")")" != xen-backend ] &&
		{ nic=$(basename "$d"); break; }
done
if [ -n "$nic" ]; then
	out=$("$VIFGUARD" -r "$VG_TMP" attach "$nic" --mac 02:00:00:00:05:00 2>&1)
	rc=$?
	case $rc:$out in
	"1:vifguard: $nic: cannot attach: a physical NIC (driver "*) tap_ok "physical NIC $nic refused" ;;
	*) tap_fail "physical NIC $nic refused" "exit 1, a physical NIC (driver ..." "exit $rc: $out" ;;
	esac
else
	tap_skip "physical NIC refused" "the host has no device with a parent device"
fi

tap_done
