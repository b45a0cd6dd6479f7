#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Modes and switches: `disabled` drops everything, an interface whose
# policy entry is gone drops everything (fail closed), and each attach
# option changes exactly what it says, applied by re-attaching in place.
. "$(dirname "$0")/lib.sh"
vg_init

MAC=02:00:00:00:07:00
vg_guest g7 vif7.0-emu $MAC quiet
VG_FENCE[g7]="udp4 --src-ip 10.99.0.7"
BASE=(--mac $MAC --ipv4 10.99.0.7 --ipv6 fd00:99::7)

attach() {
	local what=$1 out
	shift
	out=$(vg attach vif7.0-emu "$@" 2>&1)
	tap_check "attach vif7.0-emu $what" "exit 0" "exit $?" "$out"
}

attach "(locked)" "${BASE[@]}"
vg_up g7
vg_case "locked: legitimate UDP passes" g7 vif7.0-emu 3 3 "pass+4" \
	udp4 --src-ip 10.99.0.7

attach "--mode disabled" "${BASE[@]}" --mode disabled
VG_NOFENCE=1
vg_case "disabled: legitimate UDP dropped" g7 vif7.0-emu 3 0 "disabled+3" \
	udp4 --src-ip 10.99.0.7
vg_case "disabled: legitimate ARP dropped" g7 vif7.0-emu 3 0 "disabled+3" \
	arp --spa 10.99.0.7 --tpa $SINK_V4
vg_case "disabled: DHCP discover dropped" g7 vif7.0-emu 3 0 "disabled+3" dhcp
VG_NOFENCE=0

attach "back to locked" "${BASE[@]}"
vg_case "locked again: legitimate UDP passes" g7 vif7.0-emu 3 3 "pass+4" \
	udp4 --src-ip 10.99.0.7

# Fail closed: the program stays on the interface, its policy entry (in
# the "policy" array: index ifindex % 4096) is zeroed behind the CLI's
# back.  Drops land in the "orphans" counter.
orphans() {
	vg -j stats | jq '.orphans.no_policy // 0'
}
idx=$(vg_ifindex vif7.0-emu)
key=$((idx % 4096))
o1=$(orphans)
out=$("$BPFTOOL" map update pinned "$ROOT/policy" key $((key & 255)) $((key >> 8)) 0 0 \
	value $(printf '0 %.0s' $(seq 104)) 2>&1)
tap_check "bpftool: policy entry of vif7.0-emu zeroed" "exit 0" "exit $?" "$out"
tap_check "show no longer lists vif7.0-emu" "" "$(vg -j show | jq -r '.interfaces[].ifname' | grep -x vif7.0-emu)"
vg_marker
vg_recv_start $MARKER -t 700
gx g7 "$VGPKT" send -i eth0 -c 4 -m $MARKER udp4 --src-ip 10.99.0.7
gx g7 "$VGPKT" send -i eth0 -c 4 -m $MARKER arp --spa 10.99.0.7
vg_recv_wait $MARKER
o2=$(orphans)
tap_check "no policy: everything dropped and counted as orphans" \
	"sink 0, orphans +8" "sink $RX, orphans +$((o2 - o1))"

attach "restores the policy" "${BASE[@]}"
vg_case "restored: legitimate UDP passes" g7 vif7.0-emu 3 3 "pass+4" \
	udp4 --src-ip 10.99.0.7

# Switches, one at a time, each undone by the next attach.
attach "--no-dhcp" "${BASE[@]}" --no-dhcp
vg_case "--no-dhcp: DHCP discover dropped" g7 vif7.0-emu 3 0 \
	"ipv4-src+3 pass+1" dhcp
attach "(default: DHCP client allowed)" "${BASE[@]}"
vg_case "default: DHCP discover passes" g7 vif7.0-emu 3 3 "pass+4" dhcp

attach "--allow-dhcp-server" "${BASE[@]}" --allow-dhcp-server
vg_case "--allow-dhcp-server: DHCP offer passes" g7 vif7.0-emu 3 3 "pass+4" \
	dhcp --op 2 --src-ip 10.99.0.7
vg_case "--allow-dhcp-server: DHCPv6 advertise passes" g7 vif7.0-emu 3 3 \
	"pass+4" udp6 --sport 547 --dport 546

attach "--allow-ra" "${BASE[@]}" --allow-ra
vg_case "--allow-ra: router advertisement passes" g7 vif7.0-emu 3 3 "pass+4" \
	ra --prefix fd00:77::/64
vg_case "--allow-ra: redirect passes" g7 vif7.0-emu 3 3 "pass+4" \
	redirect --target fe80::1 --dest fd00:99::1 --dst-ip fd00:99::5

attach "--no-link-local" "${BASE[@]}" --no-link-local
vg_case "--no-link-local: EUI-64 link-local source dropped" g7 vif7.0-emu \
	3 0 "ipv6-src+3 pass+1" udp6
vg_case "--no-link-local: configured address still passes" g7 vif7.0-emu \
	3 3 "pass+4" udp6 --src-ip fd00:99::7

vg_case "ethertype 0x88b5 dropped by default" g7 vif7.0-emu 3 0 \
	"ethertype+3 pass+1" raw --ethertype 0x88b5
attach "--allow-ethertype 0x88b5" "${BASE[@]}" --allow-ethertype 0x88b5
vg_case "--allow-ethertype 0x88b5: passes" g7 vif7.0-emu 3 3 "pass+4" \
	raw --ethertype 0x88b5
vg_case "--allow-ethertype 0x88b5: other ethertypes still dropped" \
	g7 vif7.0-emu 3 0 "ethertype+3 pass+1" raw --ethertype 0x88b6
vg_case "--allow-ethertype 0x88b5: source MAC still checked" g7 vif7.0-emu \
	3 0 "src-mac+3 pass+1" raw --ethertype 0x88b5 --src-mac 02:00:00:00:05:00

# The per-interface drop counters full (counters of interfaces that do not
# exist fill the table): a new kind of drop is still a drop, counted in the
# host totals, and `stats` says the table is full.
# A fresh start for vif7.0-emu's own counters: detach removes them.
vg detach vif7.0-emu >/dev/null
attach "again, after its detach" "${BASE[@]}"
fill=$VG_TMP/drops-fill
for i in $(seq 0 $((4096 - 1))); do
	printf 'map update pinned %s/drops key %d %d %d %d 1 0 0 0 value 0 0 0 0 0 0 0 0 noexist\n' \
		"$ROOT" $((i & 255)) $((i >> 8)) 0 1
done >"$fill"
# The table may hold some real counters already: updates past its size fail.
"$BPFTOOL" batch file "$fill" >/dev/null 2>&1 || :
full=$(vg -j stats | jq '.drop_counters_full')
tap_check "drop counters full: stats says so" "true" "$full"
t0=$(vg -j stats | jq '.totals.dhcp_server')
vg_case "drop counters full: a new kind of drop is still dropped" g7 vif7.0-emu \
	3 0 "pass+1" udp4 --src-ip 10.99.0.7 --sport 67 --dport 68
tap_check "drop counters full: the host totals count it" "$((t0 + 3))" \
	"$(vg -j stats | jq '.totals.dhcp_server')"
out=$(vg stats)
case $out in
*"drop counters are full"*) tap_ok "drop counters full: stats warns" ;;
*) tap_fail "drop counters full: stats warns" "a warning" "$out" ;;
esac
sed -i 's/ update / delete /; s/ value .*//' "$fill"
"$BPFTOOL" batch file "$fill" >/dev/null 2>&1 || :
tap_check "drop counters emptied: no warning" "false" "$(vg -j stats | jq '.drop_counters_full')"

tap_done
