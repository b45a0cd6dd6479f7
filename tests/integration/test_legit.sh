#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Legitimate traffic through the filter: a guest with a full IPv4/IPv6
# stack (ping, ARP, link-local, SLAAC, neighbour discovery) and a quiet
# guest sending crafted legitimate frames; nothing of it may be dropped
# and the pass counters must agree with what the guests sent.
. "$(dirname "$0")/lib.sh"
vg_init

G5_MAC=02:00:00:00:05:00
G6_MAC=02:00:00:00:06:00
SINK_LL=fe80::ff:fe00:1
G5_SLAAC=fd00:99:1::ff:fe00:500

vg_guest g5 vif5.0 $G5_MAC
vg_guest g6 vif6.0 $G6_MAC quiet
VG_FENCE[g6]="udp4 --src-ip 10.99.0.6"

out=$(vg attach vif5.0 --mac $G5_MAC --ipv4 10.99.0.5 --ipv6 fd00:99::5 \
	--ipv6 fd00:99:1::/64 2>&1)
tap_check "attach vif5.0 (hosts and a SLAAC prefix)" "exit 0" "exit $?" "$out"
out=$(vg attach vif6.0 --mac $G6_MAC --ipv4 10.99.0.6 --ipv6 fd00:99::6 2>&1)
tap_check "attach vif6.0" "exit 0" "exit $?" "$out"

# The guest's links come up behind the filter: DAD, MLD and router
# solicitations from the very start go through it.
ip -n "$VG_ID-g5" addr add 10.99.0.5/24 dev eth0
ip -n "$VG_ID-g5" addr add fd00:99::5/64 dev eth0
vg_up g5
vg_up g6

out=$(gx g5 ping -c 3 -i 0.2 -W 2 $SINK_V4 2>&1)
tap_check "ping 10.99.0.5 -> 10.99.0.1 through the filter" "exit 0" "exit $?" "$out"

mac=$(ip -n "$VG_ID-g5" -j neigh show $SINK_V4 dev eth0 | jq -r '.[0].lladdr // "none"')
tap_check "ARP: guest resolved the peer" "$SINK_MAC" "$mac"
mac=$(ip -n "$SINK" -j neigh show 10.99.0.5 dev sink0 | jq -r '.[0].lladdr // "none"')
tap_check "ARP: peer learned the guest from its request" "$G5_MAC" "$mac"

vg_wait_dad g5
out=$(gx g5 ping -6 -c 3 -i 0.2 -W 2 -I eth0 $SINK_LL 2>&1)
tap_check "ping6 link-local fe80::ff:fe00:500 -> $SINK_LL" "exit 0" "exit $?" "$out"

out=$(gx g5 ping -6 -c 3 -i 0.2 -W 2 $SINK_V6 2>&1)
tap_check "ping6 fd00:99::5 -> $SINK_V6 (after DAD)" "exit 0" "exit $?" "$out"

mac=$(ip -n "$SINK" -j neigh show fd00:99::5 dev sink0 | jq -r '.[0].lladdr // "none"')
tap_check "ND: peer resolved fd00:99::5 through the guest's NA" "$G5_MAC" "$mac"

# SLAAC: the peer plays router, the guest configures an address from
# the prefix, runs DAD for it and uses it.
sx "$VGPKT" send -i sink0 ra --prefix fd00:99:1::/64
for ((i = 0; i < 50; i++)); do
	ip -n "$VG_ID-g5" -6 addr show dev eth0 | grep -q "$G5_SLAAC" && break
	sleep 0.1
done
vg_wait_dad g5
out=$(gx g5 ping -6 -c 3 -i 0.2 -W 2 -I $G5_SLAAC fd00:99:1::1 2>&1)
tap_check "SLAAC: ping6 from $G5_SLAAC" "exit 0" "exit $?" \
	"$(ip -n "$VG_ID-g5" -6 addr show dev eth0)" "$out"

# Every frame the guest's stack sent (ARP, DAD, MLD, RS, NS, NA, echo)
# passed: pass equals the guest's transmit count, no drop counter moved.
tx_before=$(ip -n "$VG_ID-g5" -j -s link show eth0 | jq '.[0].stats64.tx.packets')
vg_stats vif5.0
tx_after=$(ip -n "$VG_ID-g5" -j -s link show eth0 | jq '.[0].stats64.tx.packets')
drops=
for k in "${!STATS[@]}"; do
	[ "$k" != pass ] && [ "${STATS[$k]}" != 0 ] && drops+="$k=${STATS[$k]} "
done
pass=${STATS[pass]:-none}
if [ -z "$drops" ] && [ "$pass" != none ] && [ "$pass" -ge "$tx_before" ] &&
   [ "$pass" -le "$tx_after" ]; then
	tap_ok "vif5.0 counters: pass = frames the guest sent ($pass), no drops"
else
	tap_fail "vif5.0 counters: pass = frames the guest sent, no drops" \
		"pass in [$tx_before, $tx_after], no drops" \
		"pass $pass, drops: ${drops:-none}"
fi

# Crafted legitimate frames from the quiet guest: exact counts.
N=3
P="pass+$((N + 1))"
while IFS='|' read -r name args; do
	[ -z "$name" ] && continue
	# shellcheck disable=SC2086
	vg_case "legit: $name" g6 vif6.0 $N $N "$P" $args
done <<CASES
UDP from 10.99.0.6|udp4 --src-ip 10.99.0.6 --dst-ip $SINK_V4 --dst-mac $SINK_MAC
DHCP discover 0.0.0.0:68 -> 255.255.255.255:67|dhcp
ARP request|arp --spa 10.99.0.6 --tpa $SINK_V4
ARP reply|arp --op 2 --spa 10.99.0.6 --tha $SINK_MAC --tpa $SINK_V4 --dst-mac $SINK_MAC
ARP probe (RFC 5227, sender 0.0.0.0)|arp --spa 0.0.0.0 --tpa 10.99.0.6
ARP announcement (gratuitous)|arp --spa 10.99.0.6 --tpa 10.99.0.6
UDP from fd00:99::6|udp6 --src-ip fd00:99::6 --dst-ip $SINK_V6 --dst-mac $SINK_MAC
UDP from the EUI-64 link-local|udp6
NS with own SLLA|ns --target $SINK_V6
DAD NS from :: without SLLA|ns --src-ip :: --target fd00:99::6
NA for own address with own TLLA|na --target fd00:99::6 --na-flags SO --dst-ip $SINK_V6 --dst-mac $SINK_MAC
NA for own link-local|na
router solicitation|rs
MLDv2 report with hop-by-hop router alert|mld2 --group ff02::1:ff00:6
MLDv2 report from ::|mld2 --src-ip :: --group ff02::1:ff00:6
DHCPv6 solicit 546 -> 547|udp6 --sport 546 --dport 547 --dst-ip ff02::1:2
CASES

tap_done
