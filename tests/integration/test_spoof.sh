#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Each spoof class, sent as real frames from a guest namespace: none may
# reach the peer, and each must be counted under its own drop reason.
# The victim addresses belong to "guest 5" (10.99.0.5, fd00:99::5,
# 02:00:00:00:05:00) and to the peer (10.99.0.1).
. "$(dirname "$0")/lib.sh"
vg_init

G6_MAC=02:00:00:00:06:00
V_MAC=02:00:00:00:05:00

vg_guest g6 vif6.0 $G6_MAC quiet
VG_FENCE[g6]="udp4 --src-ip 10.99.0.6"
out=$(vg attach vif6.0 --mac $G6_MAC --ipv4 10.99.0.6 --ipv6 fd00:99::6 2>&1)
tap_check "attach vif6.0" "exit 0" "exit $?" "$out"
vg_up g6

# Control: the fence frame itself passes (every case below relies on it).
vg_case "control: legitimate UDP passes" g6 vif6.0 1 1 "pass+2" \
	udp4 --src-ip 10.99.0.6

N=5
while IFS='|' read -r name reason args; do
	[ -z "$name" ] && continue
	# shellcheck disable=SC2086
	vg_case "spoof: $name -> $reason" g6 vif6.0 $N 0 \
		"$reason+$N pass+1" $args
done <<CASES
MAC spoof (another guest's MAC)|src-mac|udp4 --src-mac $V_MAC --src-ip 10.99.0.6
multicast source MAC|src-mac-multicast|udp4 --src-mac 01:00:5e:00:00:01 --src-ip 10.99.0.6
broadcast source MAC|src-mac-multicast|udp4 --src-mac ff:ff:ff:ff:ff:ff --src-ip 10.99.0.6
IPv4 source spoof|ipv4-src|udp4 --src-ip 10.99.0.5 --dst-ip $SINK_V4 --dst-mac $SINK_MAC
DHCP-shaped frame from a foreign source|ipv4-src|dhcp --src-ip 10.99.0.5
ARP poisoning, foreign sender MAC|arp-sha|arp --op 2 --sha $V_MAC --spa 10.99.0.6 --tpa $SINK_V4
ARP poisoning, foreign sender IP (the gateway)|arp-spa|arp --op 2 --spa $SINK_V4 --tpa 10.99.0.5
gratuitous ARP for a foreign address|arp-spa|arp --spa 10.99.0.5 --tpa 10.99.0.5
IPv6 source spoof|ipv6-src|udp6 --src-ip fd00:99::5 --dst-ip $SINK_V6
foreign link-local source|ipv6-src|udp6 --src-ip fe80::ff:fe00:500
unspecified source on UDP|ipv6-unspecified-src|udp6 --src-ip ::
rogue router advertisement|router-advert|ra --prefix fd00:66::/64
ICMPv6 redirect|redirect|redirect --target fe80::ff:fe00:606 --dest fd00:99::1 --dst-ip fd00:99::5
NA for a foreign target|nd-target|na --target fd00:99::5
NA for a foreign target, override to the peer|nd-target|na --target $SINK_V6 --na-flags O
NA with a foreign TLLA|nd-lladdr|na --target fd00:99::6 --tlla $V_MAC
NS with a foreign SLLA|nd-lladdr|ns --target $SINK_V6 --slla $V_MAC
NS with hop limit 64|nd-hop-limit|ns --target $SINK_V6 --ttl 64
NS in a fragment (RFC 6980)|nd-fragment|ns --target $SINK_V6 --frag
DHCPv4 server reply 67 -> 68|dhcp-server|dhcp --op 2 --src-ip 10.99.0.6
DHCPv6 advertise 547 -> 546|dhcpv6-server|udp6 --sport 547 --dport 546
VLAN-tagged frame (802.1Q, tag moved to metadata)|vlan|udp4 --src-ip 10.99.0.6 --vlan 10
QinQ-tagged frame (802.1ad)|vlan|udp4 --src-ip 10.99.0.6 --vlan 10 --vlan-proto 0x88a8
unknown ethertype 0x88b5|ethertype|raw --ethertype 0x88b5
RARP|ethertype|raw --ethertype 0x8035
CASES

tap_done
