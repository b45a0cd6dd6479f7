#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Two interfaces whose ifindexes share an entry of the "policy" array
# (ifindex % 4096): the first attached holds the entry, the other's policy
# goes to the hash "policy_spill".  Each is judged by its own policy
# through attach, update, the other's detach and re-attach, and gc; a
# policy moves into the array when an update finds the entry free.
. "$(dirname "$0")/lib.sh"
vg_init

# scenario PREFIX A X Y: vif$X.0 (guest g$X, 10.99.0.$X) at ifindex A and
# vif$Y.0 at A + 4096; every TAP line starts with PREFIX.
scenario() {
	local T=$1 A=$2 x=$3 y=$4 B
	B=$((A + 4096))
	vg_guest g$x vif$x.0 02:00:00:00:$x:00 quiet $A
	vg_guest g$y vif$y.0 02:00:00:00:$y:00 quiet $B
	VG_FENCE[g$x]="udp4 --src-ip 10.99.0.$x"
	VG_FENCE[g$y]="udp4 --src-ip 10.99.0.$y"
	tap_check "${T}vif$x.0 and vif$y.0 have ifindexes $A and $B" "$A $B" \
		"$(vg_ifindex vif$x.0) $(vg_ifindex vif$y.0)"

	where() { vg_entries | awk '$1 ~ /^policy/' | sort | tr '\n' ' ' | sed 's/ $//'; }
	attach() {	# attach VIF IPV4...
		local vif=$1 mac=$2 args=() a out
		shift 2
		for a in "$@"; do args+=(--ipv4 "$a"); done
		out=$(vg attach "$vif" --mac "$mac" "${args[@]}" 2>&1)
		tap_check "${T}attach $vif ${*}" "exit 0" "exit $?" "$out"
	}

	attach vif$x.0 02:00:00:00:$x:00 10.99.0.$x
	attach vif$y.0 02:00:00:00:$y:00 10.99.0.$y
	vg_up g$x
	vg_up g$y
	tap_check "${T}the first attached holds the array entry, the other is in the hash" \
		"policy $A policy_spill $B" "$(where)"
	tap_check "${T}show lists both" "vif$x.0 vif$y.0" \
		"$(vg -j show | jq -r '[.interfaces[].ifname] | sort | join(" ")')"

	both_judged() {	# both_judged WHEN
		vg_case "${T}$1: vif$x.0 own address passes" g$x vif$x.0 3 3 "pass+4" \
			udp4 --src-ip 10.99.0.$x
		vg_case "${T}$1: vif$x.0 with vif$y.0's address dropped" g$x vif$x.0 2 0 \
			"ipv4-src+2 pass+1" udp4 --src-ip 10.99.0.$y
		local -A a=()
		local k
		vg_stats vif$x.0
		for k in "${!STATS[@]}"; do a[$k]=${STATS[$k]}; done
		vg_case "${T}$1: vif$y.0 own address passes" g$y vif$y.0 3 3 "pass+4" \
			udp4 --src-ip 10.99.0.$y
		vg_case "${T}$1: vif$y.0 with vif$x.0's address dropped" g$y vif$y.0 2 0 \
			"ipv4-src+2 pass+1" udp4 --src-ip 10.99.0.$x
		vg_stats vif$x.0
		tap_check "${T}$1: vif$y.0's frames moved none of vif$x.0's counters" "" \
			"$(vg_delta a STATS)"
	}
	both_judged "attached"

	# Updates in place: the one in the array goes through the hash and back.
	attach vif$y.0 02:00:00:00:$y:00 10.99.0.$y 10.99.1.$y
	attach vif$x.0 02:00:00:00:$x:00 10.99.0.$x 10.99.1.$x
	tap_check "${T}after both updates: still the same places" \
		"policy $A policy_spill $B" "$(where)"
	both_judged "updated"
	vg_case "${T}updated: vif$y.0 added address passes" g$y vif$y.0 2 2 "pass+3" \
		udp4 --src-ip 10.99.1.$y
	vg_case "${T}updated: vif$x.0 added address passes" g$x vif$x.0 2 2 "pass+3" \
		udp4 --src-ip 10.99.1.$x

	out=$(vg detach vif$x.0 2>&1)
	tap_check "${T}detach vif$x.0" "exit 0" "exit $?" "$out"
	tap_check "${T}after vif$x.0's detach: its entry is free, vif$y.0 stays in the hash" \
		"policy_spill $B" "$(where)"
	vg_case "${T}vif$x.0 detached: vif$y.0 own address passes" g$y vif$y.0 3 3 "pass+4" \
		udp4 --src-ip 10.99.0.$y
	vg_case "${T}vif$x.0 detached: vif$y.0 spoof dropped" g$y vif$y.0 2 0 \
		"ipv4-src+2 pass+1" udp4 --src-ip 10.99.0.$x

	attach vif$x.0 02:00:00:00:$x:00 10.99.0.$x
	tap_check "${T}vif$x.0 attached again: the free entry is its own again" \
		"policy $A policy_spill $B" "$(where)"
	both_judged "re-attached"

	# An update that finds the entry free moves the policy into the array.
	out=$(vg detach vif$x.0 2>&1)
	tap_check "${T}detach vif$x.0 again" "exit 0" "exit $?" "$out"
	attach vif$y.0 02:00:00:00:$y:00 10.99.0.$y
	tap_check "${T}vif$y.0 updated with the entry free: moved into the array" \
		"policy $B" "$(where)"
	vg_case "${T}moved: vif$y.0 own address passes" g$y vif$y.0 3 3 "pass+4" \
		udp4 --src-ip 10.99.0.$y
	vg_case "${T}moved: vif$y.0 removed address dropped" g$y vif$y.0 2 0 \
		"ipv4-src+2 pass+1" udp4 --src-ip 10.99.1.$y

	# Now vif$x.0 finds its entry held: it goes to the hash.
	attach vif$x.0 02:00:00:00:$x:00 10.99.0.$x
	tap_check "${T}vif$x.0 attached with the entry held by vif$y.0: in the hash" \
		"policy $B policy_spill $A" "$(where)"
	both_judged "swapped"

	ip -n "$HOST" link del vif$y.0
	ip -n "$HOST" link del vif$x.0
	out=$(vg gc 2>&1)
	tap_check "${T}gc after both interfaces are gone" "exit 0" "exit $?" "$out"
	tap_check "${T}gc: no policy entry left, in the array or the hash" "" "$(where)"
}

scenario "" 2000 20 21

# Linux < 5.6 (the 4.19 of XCP-ng and XenServer dom0s) has no batch
# lookups: the loader reads the array and the hash key by key there.  The
# same again with libbpf's batch lookup refusing, as such a kernel does.
if vg_static; then
	tap_skip "no batch lookups" "$VIFGUARD is static: LD_PRELOAD cannot refuse its batch lookups"
else
	export VG_NOBATCH_LOG=$VG_TMP/nobatch.log
	VG_PRELOAD=$OUTPUT/test_nobatch.so
	scenario "no batch lookups: " 2100 30 31
	tap_check "no batch lookups: the loader was refused and read key by key" yes \
		"$([ -s "$VG_NOBATCH_LOG" ] && echo yes || echo "no (no refusal logged)")"
	VG_PRELOAD=
fi

tap_done
