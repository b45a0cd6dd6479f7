#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# detach removes one interface's filters (ingress and egress) and entries
# and nothing else; gc removes the entries of interfaces that no longer
# exist and nothing else, and puts back a filter, on either hook, that a
# live interface with a policy lost.
. "$(dirname "$0")/lib.sh"
vg_init

vg_guest g5 vif5.0 02:00:00:00:05:00 quiet
vg_guest g6 vif6.0 02:00:00:00:06:00 quiet
vg_guest g7 tap7.0 02:00:00:00:07:00 quiet
VG_FENCE[g5]="udp4 --src-ip 10.99.0.5"
VG_FENCE[g6]="udp4 --src-ip 10.99.0.6"
VG_FENCE[g7]="udp4 --src-ip 10.99.0.7"
for g in 5 6 7; do
	vif=vif$g.0
	[ $g = 7 ] && vif=tap7.0
	out=$(vg attach $vif --mac 02:00:00:00:0$g:00 --ipv4 10.99.0.$g \
		--ipv4 10.99.$g.0/24 --ipv6 fd00:99::$g --ipv6 fd00:99:$g::/64 2>&1)
	tap_check "attach $vif" "exit 0" "exit $?" "$out"
	vg_up g$g
done

idx5=$(vg_ifindex vif5.0)
idx6=$(vg_ifindex vif6.0)
idx7=$(vg_ifindex tap7.0)
of() { vg_entries | awk -v i="$1" '$2 == i' | sort; }
filters() { hx "$BPFTOOL" -j net show dev "$1" |
	jq '[.[] | (.tc // [])[], (.tcx // [])[]] | length'; }
# hooks DEV: the cls_bpf programs on DEV's hooks, "HOOK:NAME ...".
hooks() { hx "$BPFTOOL" -j net show dev "$1" |
	jq -r '[.[] | (.tc // [])[] | "\(.kind | sub("clsact/"; "")):\(.name | sub(":.*"; ""))"]
		| sort | join(" ")'; }
for i in vif5.0 vif6.0 tap7.0; do
	tap_check "$i: vifguard on its ingress, vifguard_out on its egress" \
		"egress:vifguard_out ingress:vifguard" "$(hooks $i)"
done

# vif6.0 drops something first: its drop counter is one of its entries,
# and the host totals keep the drops once the interface is gone.
vg_case "vif6.0 drops a spoof before its detach" g6 vif6.0 2 0 \
	"ipv4-src+2 pass+1" udp4 --src-ip 10.99.0.5
totals_ipv4_src() { vg -j stats | jq '.totals.ipv4_src'; }
t6=$(totals_ipv4_src)
drops6=$(of "$idx6" | awk '$1 == "drops"' | wc -l)
tap_check "vif6.0: one drop counter (ipv4-src)" "1" "$drops6"

keep5=$(of "$idx5")
keep7=$(of "$idx7")
n6=$(of "$idx6" | wc -l)
if [ "$n6" -gt 0 ]; then tap_ok "vif6.0 has $n6 map entries before detach"
else tap_fail "vif6.0 has map entries before detach" ">0" "$n6"; fi

out=$(vg detach vif6.0 2>&1)
tap_check "detach vif6.0" "exit 0" "exit $?" "$out"
tap_check "detach vif6.0: none of its $n6 entries left" "" "$(of "$idx6")"
tap_check "detach vif6.0: no filter left on it" "0" "$(filters vif6.0)"
tap_check "detach vif6.0: vif5.0 entries untouched" "$keep5" "$(of "$idx5")"
tap_check "detach vif6.0: tap7.0 entries untouched" "$keep7" "$(of "$idx7")"
tap_check "detach vif6.0: vif5.0 still filtered, both hooks" "2" "$(filters vif5.0)"
tap_check "detach vif6.0: host totals keep its drops" "$t6" "$(totals_ipv4_src)"

# The proof that the filter is gone: a spoof from g6 now reaches the peer.
vg_marker
vg_recv_start $MARKER -n 3 -t 3000
gx g6 "$VGPKT" send -i eth0 -c 3 -m $MARKER udp4 --src-ip 10.99.0.5
vg_recv_wait $MARKER
tap_check "detach vif6.0: its traffic is no longer filtered (spoof arrives)" \
	"3" "$RX"
vg_case "detach vif6.0: vif5.0 still drops spoofs" g5 vif5.0 3 0 \
	"ipv4-src+3 pass+1" udp4 --src-ip 10.99.0.6
vg_case "detach vif6.0: tap7.0 still passes legitimate frames" g7 tap7.0 3 3 \
	"pass+4" udp4 --src-ip 10.99.0.7

# gc: tap7.0 disappears without a detach (the domain was destroyed).
ip -n "$HOST" link del tap7.0
n7=$(of "$idx7" | wc -l)
if [ "$n7" -gt 0 ]; then tap_ok "deleted tap7.0 keeps its $n7 entries until gc"
else tap_fail "deleted tap7.0 keeps its entries until gc" ">0" "$n7"; fi
keep5=$(of "$idx5")
out=$(vg gc 2>&1)
tap_check "gc" "exit 0" "exit $?" "$out"
tap_check "gc: entries of the deleted tap7.0 removed" "" "$(of "$idx7")"
tap_check "gc: entries of the live vif5.0 untouched" "$keep5" "$(of "$idx5")"
vg_case "gc: vif5.0 still drops spoofs" g5 vif5.0 3 0 "ipv4-src+3 pass+1" \
	udp4 --src-ip 10.99.0.7
out=$(vg gc 2>&1)
tap_check "gc again: nothing to do, exit 0" "exit 0" "exit $?" "$out"


# gc repairs: a policy in force whose filter went (tc filter del behind
# vifguard's back, or a run killed between its commit and its attach)
# gets its filter back; spoofs pass until then, never after.
hx tc filter del dev vif5.0 ingress
tap_check "vif5.0 filter removed behind vifguard's back: show says so" "false" \
	"$(vg -j show vif5.0 | jq '.interfaces[0].attach.on_device')"
out=$(vg gc 2>&1)
tap_check "gc puts the filter back on vif5.0" \
	"gc: 0 interface(s) gone, 0 map entries removed, filter put back on 1 interface(s)" "$out"
tap_check "gc: vif5.0 on device again, both hooks" "true egress:vifguard_out ingress:vifguard" \
	"$(vg -j show vif5.0 | jq '.interfaces[0].attach.on_device') $(hooks vif5.0)"
vg_case "gc: vif5.0 drops spoofs again" g5 vif5.0 3 0 "ipv4-src+3 pass+1" \
	udp4 --src-ip 10.99.0.7
# The egress program alone removed: the filter is on, learning is not
# fed; gc puts it back, and an attach of the same policy would too.
hx tc filter del dev vif5.0 egress
out=$(vg gc 2>&1)
tap_check "gc puts the egress program back on vif5.0" \
	"gc: 0 interface(s) gone, 0 map entries removed, filter put back on 1 interface(s)" "$out"
tap_check "gc: vif5.0 egress again" "egress:vifguard_out ingress:vifguard" "$(hooks vif5.0)"
hx tc filter del dev vif5.0 egress
out=$(vg attach vif5.0 --mac 02:00:00:00:05:00 --ipv4 10.99.0.5 --ipv4 10.99.5.0/24 \
	--ipv6 fd00:99::5 --ipv6 fd00:99:5::/64 2>&1)
tap_check "attach of the policy in force puts the egress program back on vif5.0" \
	"exit 0 egress:vifguard_out ingress:vifguard" "exit $? $(hooks vif5.0)" "$out"

kver=$(uname -r | awk -F. '{ print $1 * 1000 + $2 }')
if [ "$kver" -ge 6006 ]; then
	out=$(vg attach vif6.0 --attach tcx --mac 02:00:00:00:06:00 --ipv4 10.99.0.6 2>&1)
	tap_check "attach vif6.0 with tcx" "exit 0" "exit $?" "$out"
	idx6=$(vg_ifindex vif6.0)
	rm "$ROOT/tcx_$idx6"	# the pin held the only reference: the link goes
	vg_marker
	vg_recv_start $MARKER -n 3 -t 3000
	gx g6 "$VGPKT" send -i eth0 -c 3 -m $MARKER udp4 --src-ip 10.99.0.5
	vg_recv_wait $MARKER
	tap_check "vif6.0 tcx link unpinned: no filter left (spoof arrives)" "3 false" \
		"$RX $(vg -j show vif6.0 | jq '.interfaces[0].attach.on_device')"
	out=$(vg -j gc 2>&1)
	tap_check "gc links vif6.0 again (tcx)" "1" "$(jq .filters_restored <<<"$out")" "$out"
	tap_check "gc: vif6.0 tcx links pinned (ingress, egress) and on device" \
		"tcx_$idx6 tcx_out_$idx6 true" \
		"$(ls "$ROOT" | grep '^tcx_' | sort | tr '\n' ' ')$(vg -j show vif6.0 | jq '.interfaces[0].attach.on_device')"
	vg_case "gc: vif6.0 drops spoofs again" g6 vif6.0 3 0 "ipv4-src+3 pass+1" \
		udp4 --src-ip 10.99.0.7
	lprog() { hx "$BPFTOOL" -j link show pinned "$ROOT/$1" 2>/dev/null | jq -r '.prog_id // "none"'; }
	pname() { hx "$BPFTOOL" -j prog show id "$1" 2>/dev/null | jq -r '.name // "none"'; }
	tap_check "vif6.0: the egress link carries vifguard_out" "vifguard_out" \
		"$(pname "$(lprog tcx_out_$idx6)")"
	rm "$ROOT/tcx_out_$idx6"
	out=$(vg -j gc 2>&1)
	tap_check "gc links vif6.0's egress again (tcx)" "1 vifguard_out" \
		"$(jq .filters_restored <<<"$out") $(pname "$(lprog tcx_out_$idx6)")" "$out"
	out=$(vg detach vif6.0 2>&1)
	tap_check "detach vif6.0 (tcx): both links unpinned" "exit 0, " \
		"exit $?, $(ls "$ROOT" | grep '^tcx_' | tr '\n' ' ')" "$out"
	vg attach vif6.0 --attach tcx --mac 02:00:00:00:06:00 --ipv4 10.99.0.6 >/dev/null 2>&1 ||
		tap_fail "attach vif6.0 with tcx again" "exit 0" "exit $?"
	# gc of a deleted tcx interface: its links go with their pins.
	hx ip link del vif6.0
	out=$(vg gc 2>&1)
	tap_check "gc: vif6.0 deleted, its tcx pins gone" "exit 0, " \
		"exit $?, $(ls "$ROOT" | grep '^tcx_' | tr '\n' ' ')" "$out"
else
	tap_skip "gc links a tcx interface again" "no tcx (Linux < 6.6)"
fi

tap_done
