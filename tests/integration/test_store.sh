#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Two interfaces whose ifindexes share an entry of the "policy" array
# (ifindex % 4096): the first attached holds the entry, the other's policy
# goes to the hash "policy_spill".  Each is judged by its own policy
# through attach, update, the other's detach and re-attach, and gc; a
# policy moves into the array when an update finds the entry free.
. "$(dirname "$0")/lib.sh"
vg_init

A=2000
B=$((A + 4096))
vg_guest ga vif20.0 02:00:00:00:20:00 quiet $A
vg_guest gb vif21.0 02:00:00:00:21:00 quiet $B
VG_FENCE[ga]="udp4 --src-ip 10.99.0.20"
VG_FENCE[gb]="udp4 --src-ip 10.99.0.21"
tap_check "vif20.0 and vif21.0 have ifindexes $A and $B" "$A $B" \
	"$(vg_ifindex vif20.0) $(vg_ifindex vif21.0)"

where() { vg_entries | awk '$1 ~ /^policy/' | sort | tr '\n' ' ' | sed 's/ $//'; }
attach() {	# attach VIF IPV4...
	local vif=$1 mac=$2 args=() a out
	shift 2
	for a in "$@"; do args+=(--ipv4 "$a"); done
	out=$(vg attach "$vif" --mac "$mac" "${args[@]}" 2>&1)
	tap_check "attach $vif ${*}" "exit 0" "exit $?" "$out"
}

attach vif20.0 02:00:00:00:20:00 10.99.0.20
attach vif21.0 02:00:00:00:21:00 10.99.0.21
vg_up ga
vg_up gb
tap_check "the first attached holds the array entry, the other is in the hash" \
	"policy $A policy_spill $B" "$(where)"
tap_check "show lists both" "vif20.0 vif21.0" \
	"$(vg -j show | jq -r '[.interfaces[].ifname] | sort | join(" ")')"

both_judged() {	# both_judged WHEN
	vg_case "$1: vif20.0 own address passes" ga vif20.0 3 3 "pass+4" \
		udp4 --src-ip 10.99.0.20
	vg_case "$1: vif20.0 with vif21.0's address dropped" ga vif20.0 2 0 \
		"ipv4-src+2 pass+1" udp4 --src-ip 10.99.0.21
	local -A a=()
	local k
	vg_stats vif20.0
	for k in "${!STATS[@]}"; do a[$k]=${STATS[$k]}; done
	vg_case "$1: vif21.0 own address passes" gb vif21.0 3 3 "pass+4" \
		udp4 --src-ip 10.99.0.21
	vg_case "$1: vif21.0 with vif20.0's address dropped" gb vif21.0 2 0 \
		"ipv4-src+2 pass+1" udp4 --src-ip 10.99.0.20
	vg_stats vif20.0
	tap_check "$1: vif21.0's frames moved none of vif20.0's counters" "" \
		"$(vg_delta a STATS)"
}
both_judged "attached"

# Updates in place: the one in the array goes through the hash and back.
attach vif21.0 02:00:00:00:21:00 10.99.0.21 10.99.0.121
attach vif20.0 02:00:00:00:20:00 10.99.0.20 10.99.0.120
tap_check "after both updates: still the same places" \
	"policy $A policy_spill $B" "$(where)"
both_judged "updated"
vg_case "updated: vif21.0 added address passes" gb vif21.0 2 2 "pass+3" \
	udp4 --src-ip 10.99.0.121
vg_case "updated: vif20.0 added address passes" ga vif20.0 2 2 "pass+3" \
	udp4 --src-ip 10.99.0.120

out=$(vg detach vif20.0 2>&1)
tap_check "detach vif20.0" "exit 0" "exit $?" "$out"
tap_check "after vif20.0's detach: its entry is free, vif21.0 stays in the hash" \
	"policy_spill $B" "$(where)"
vg_case "vif20.0 detached: vif21.0 own address passes" gb vif21.0 3 3 "pass+4" \
	udp4 --src-ip 10.99.0.21
vg_case "vif20.0 detached: vif21.0 spoof dropped" gb vif21.0 2 0 \
	"ipv4-src+2 pass+1" udp4 --src-ip 10.99.0.20

attach vif20.0 02:00:00:00:20:00 10.99.0.20
tap_check "vif20.0 attached again: the free entry is its own again" \
	"policy $A policy_spill $B" "$(where)"
both_judged "re-attached"

# An update that finds the entry free moves the policy into the array.
out=$(vg detach vif20.0 2>&1)
tap_check "detach vif20.0 again" "exit 0" "exit $?" "$out"
attach vif21.0 02:00:00:00:21:00 10.99.0.21
tap_check "vif21.0 updated with the entry free: moved into the array" \
	"policy $B" "$(where)"
vg_case "moved: vif21.0 own address passes" gb vif21.0 3 3 "pass+4" \
	udp4 --src-ip 10.99.0.21
vg_case "moved: vif21.0 removed address dropped" gb vif21.0 2 0 \
	"ipv4-src+2 pass+1" udp4 --src-ip 10.99.0.121

# Now vif20.0 finds its entry held: it goes to the hash.
attach vif20.0 02:00:00:00:20:00 10.99.0.20
tap_check "vif20.0 attached with the entry held by vif21.0: in the hash" \
	"policy $B policy_spill $A" "$(where)"
both_judged "swapped"

ip -n "$HOST" link del vif21.0
ip -n "$HOST" link del vif20.0
out=$(vg gc 2>&1)
tap_check "gc after both interfaces are gone" "exit 0" "exit $?" "$out"
tap_check "gc: no policy entry left, in the array or the hash" "" "$(where)"

tap_done
