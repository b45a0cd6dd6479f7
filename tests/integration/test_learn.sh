#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Link-local learning by DAD, through the real kernel and CLI: a guest
# whose link-local address is random (not EUI-64) gets it allowed by its
# DAD probe and pings a peer on the bridge from it; --learn none keeps it
# dropped; another guest cannot claim the learned address, the first
# guest's EUI-64 one, a configured link-local host nor the bridge's own
# (learn-conflict, learn-protected) and its forged frames from them are
# dropped; show
# lists what was learned (text and JSON); bpftool prints learned6 with
# named fields; an address configured later for the second guest evicts
# the first's; detach removes every learned entry of the interface.
. "$(dirname "$0")/lib.sh"
vg_init

A_MAC=02:00:00:00:05:00
B_MAC=02:00:00:00:06:00
C_MAC=02:00:00:00:07:00
A_EUI=fe80::ff:fe00:500
SINK_LL=fe80::ff:fe00:1
B_FREE=fe80::6:1

vg_guest a vif5.0 $A_MAC
vg_guest b vif6.0 $B_MAC quiet
VG_FENCE[b]="udp6 --src-ip fd00:99::6 --dst-ip $SINK_V6"
vg_guest c vif7.0 $C_MAC
# Random interface identifiers (RFC 7217 / Windows): no EUI-64.
gx a sysctl -qw net.ipv6.conf.eth0.addr_gen_mode=3
gx c sysctl -qw net.ipv6.conf.eth0.addr_gen_mode=3

# The bridge gets a link-local address of its own.
hx sysctl -qw net.ipv6.conf.br0.disable_ipv6=0
BR_LL=
for ((i = 0; i < 50; i++)); do
	BR_LL=$(ip -n "$HOST" -j -6 addr show dev br0 scope link -tentative |
		jq -r '[.[].addr_info[]? | select(.family == "inet6") | .local][0] // empty')
	[ -n "$BR_LL" ] && break
	sleep 0.1
done
[ -n "$BR_LL" ] || vg_bail "br0 got no link-local address"

out=$(vg attach vif5.0 --mac $A_MAC --ipv4 10.99.0.5 2>&1)
tap_check "attach vif5.0 (learning by default)" "exit 0" "exit $?" "$out"
out=$(vg attach vif6.0 --mac $B_MAC --ipv6 fd00:99::6 2>&1)
tap_check "attach vif6.0" "exit 0" "exit $?" "$out"
out=$(vg attach vif7.0 --mac $C_MAC --ipv6 fe80::7:7 --learn none 2>&1)
tap_check "attach vif7.0 --learn none, a configured link-local host" "exit 0" "exit $?" "$out"
out=$(vg attach vif7.0 --mac $C_MAC --learn dhcp6 2>&1)
tap_check "attach --learn dhcp6: refused (usage), names the word" "exit 2 yes" \
	"exit $? $(grep -q "'dhcp6': unknown learning" <<<"$out" && echo yes || echo no)" "$out"

prot=$("$BPFTOOL" -j map dump pinned "$ROOT/protected6" | jq -c '[.[].formatted.value.why]')
tap_check "the bridge's link-local is protected (why 2, bridge)" "[2]" "$prot"

vg_up a
vg_up c
vg_up b
vg_wait_dad a
vg_wait_dad c
ll_of() {
	ip -n "$VG_ID-$1" -j -6 addr show dev eth0 scope link |
		jq -r '[.[].addr_info[]? | select(.family == "inet6") | .local][0] // "none"'
}
A_LL=$(ll_of a)
C_LL=$(ll_of c)
tap_check "guest a's link-local is not its EUI-64" "yes" \
	"$([ "$A_LL" != none ] && [ "$A_LL" != "$A_EUI" ] && echo yes || echo "no ($A_LL)")"

got=$(vg -j show vif5.0 | jq -r '.interfaces[0] | "\(.learning.link_local) " +
	([.learned[] | "\(.address) \(.origin)"] | join(","))')
tap_check "show -j: vif5.0 learned its DAD address" "true $A_LL dad" "$got"
out=$(vg show vif5.0)
tap_check "show: the learned address and the switch" "yes" \
	"$(grep -q "learning: link-local on, learned: $A_LL (dad, [0-9]*s ago)" <<<"$out" &&
	   echo yes || echo no)" "$out"

out=$(gx a ping -6 -c 3 -i 0.2 -W 2 -I eth0 $SINK_LL 2>&1)
tap_check "ping6 from the learned $A_LL -> $SINK_LL" "exit 0" "exit $?" "$out"

out=$(gx c ping -6 -c 2 -i 0.2 -W 1 -I eth0 $SINK_LL 2>&1)
tap_check "--learn none: ping6 from $C_LL dropped" "exit 1" "exit $?" "$out"
got=$(vg -j show vif7.0 | jq -r '.interfaces[0] | "\(.learning.link_local) \(.learned | length)"')
tap_check "show -j: vif7.0 learns nothing" "false 0" "$got"
vg_stats vif7.0
tap_check "--learn none: its DAD probe counted as nd-target" "yes" \
	"$([ "${STATS[nd-target]:-0}" -ge 1 ] && echo yes || echo no)" "${STATS[*]}"

vg_case "b's DAD for a's learned address" b vif6.0 1 0 "learn-conflict+1 pass+1" \
	ns --src-ip :: --target $A_LL
vg_case "b's frame from a's learned address" b vif6.0 1 0 "ipv6-src+1 pass+1" \
	udp6 --src-ip $A_LL --dst-ip $SINK_LL
vg_case "b's DAD for a's EUI-64 address (configured)" b vif6.0 1 0 \
	"learn-conflict+1 pass+1" ns --src-ip :: --target $A_EUI
vg_case "b's DAD for vif7.0's configured link-local host" b vif6.0 1 0 \
	"learn-conflict+1 pass+1" ns --src-ip :: --target fe80::7:7
vg_case "b's DAD for the bridge's link-local" b vif6.0 1 0 "learn-protected+1 pass+1" \
	ns --src-ip :: --target $BR_LL
vg_case "b's frame from the bridge's link-local" b vif6.0 1 0 "ipv6-src+1 pass+1" \
	udp6 --src-ip $BR_LL --dst-ip $SINK_LL
vg_case "b's DAD for a free address: learned" b vif6.0 1 1 "pass+2" \
	ns --src-ip :: --target $B_FREE
vg_case "b's frame from it passes" b vif6.0 1 1 "pass+2" \
	udp6 --src-ip $B_FREE --dst-ip $SINK_LL

# bpftool prints the entries with their fields' names (BTF).
A_IDX=$(vg_ifindex vif5.0)
B_IDX=$(vg_ifindex vif6.0)
owner_of() {
	"$BPFTOOL" -j map dump pinned "$ROOT/learned6" | python3 -c '
import ipaddress, json, struct, sys
want = ipaddress.IPv6Address(sys.argv[1]).packed
for e in json.load(sys.stdin):
    f = e["formatted"]
    a = b"".join(struct.pack("<I", w & 0xffffffff) for w in f["key"]["addr"])
    if a == want:
        print(f["value"]["ifindex"], f["value"]["origin"]); break
else:
    print("none")' "$1"
}
tap_check "learned6 (bpftool, named fields): $A_LL learned by vif5.0" "$A_IDX 2" \
	"$(owner_of $A_LL)"
tap_check "learned6: a's EUI-64 configured for vif5.0" "$A_IDX 1" "$(owner_of $A_EUI)"

# Configured later for b: a loses it.
out=$(vg set vif6.0 add ipv6 $A_LL 2>&1)
tap_check "set vif6.0 add ipv6 $A_LL" "exit 0" "exit $?" "$out"
tap_check "learned6: $A_LL now configured for vif6.0" "$B_IDX 1" "$(owner_of $A_LL)"
got=$(vg -j show vif5.0 | jq -r '.interfaces[0].learned | length')
tap_check "show -j: vif5.0 lost it" "0" "$got"
out=$(gx a ping -6 -c 2 -i 0.2 -W 1 -I eth0 $SINK_LL 2>&1)
tap_check "ping6 from $A_LL dropped once vif6.0 has it" "exit 1" "exit $?" "$out"
out=$(vg set vif6.0 remove ipv6 $A_LL/128 2>&1)
tap_check "set vif6.0 remove ipv6 $A_LL" "exit 0" "exit $?" "$out"
tap_check "learned6: $A_LL free again" "none" "$(owner_of $A_LL)"

out=$(vg set vif6.0 remove flag learn-link-local 2>&1)
tap_check "set vif6.0 remove flag learn-link-local" "exit 0" "exit $?" "$out"
tap_check "learned6: what vif6.0 learned went with the switch" "none" "$(owner_of $B_FREE)"

out=$(vg detach vif5.0 2>&1)
tap_check "detach vif5.0" "exit 0" "exit $?" "$out"
left=$("$BPFTOOL" -j map dump pinned "$ROOT/learned6" |
	jq --argjson i "$A_IDX" '[.[] | select(.formatted.value.ifindex == $i)] | length')
slots=$("$BPFTOOL" -j map dump pinned "$ROOT/learn_slots" |
	jq --argjson i "$A_IDX" '[.[] | select(.formatted.key.ifindex == $i)] | length')
tap_check "detach: no learned6 or learn_slots entry names vif5.0" "0 0" "$left $slots"

# gc repairs what a run killed half-way would leave: a configured entry
# missing, a learned entry of an interface without a policy, a slot
# whose entry does not name it.
key_of() { python3 -c 'import ipaddress,sys; print(" ".join("0x%02x" % b for b in ipaddress.IPv6Address(sys.argv[1]).packed))' "$1"; }
B_EUI=fe80::ff:fe00:600
"$BPFTOOL" map delete pinned "$ROOT/learned6" key $(key_of $B_EUI)
"$BPFTOOL" map update pinned "$ROOT/learned6" key $(key_of fe80::dead:1) \
	value 0xe7 0x03 0 0  2 0 0 0  0 0 0 0 0 0 0 0
"$BPFTOOL" map update pinned "$ROOT/learn_slots" key 0xe7 0x03 0 0 1 0 0 0 \
	value $(key_of fe80::dead:2) 0 0 0 0 0 0 0 0
tap_check "before gc: vif6.0's EUI-64 entry missing, two stale ones" "none 999 2" \
	"$(owner_of $B_EUI) $(owner_of fe80::dead:1)"
out=$(vg gc 2>&1)
tap_check "gc" "exit 0" "exit $?" "$out"
slots=$("$BPFTOOL" -j map dump pinned "$ROOT/learn_slots" |
	jq '[.[] | select(.formatted.key.ifindex == 999)] | length')
tap_check "gc: the configured entry back, the stale ones gone" "$B_IDX 1 none 0" \
	"$(owner_of $B_EUI) $(owner_of fe80::dead:1) $slots"

out=$(vg -j dump learned6 2>&1)
tap_check "dump learned6 -j: lists the configured entries" "yes" \
	"$(jq -e '[.. | objects | select(.origin? == "config")] | length > 0' <<<"$out" >/dev/null &&
	   echo yes || echo no)" "$out"

tap_done
