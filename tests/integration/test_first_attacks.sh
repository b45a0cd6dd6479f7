#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Trust on first use (`--learn first`, the learning window) and parking
# against hostile guests, through the real kernel, CLI and Xen hotplug:
#   encodings  an IPv6 source that names an IPv4 address (::ffff:a.b.c.d)
#              is no address to learn: not one another interface holds
#              in IPv4, not a protected IPv4 router, not a free one
#              (which parking would hand back as IPv4); broadcast,
#              multicast, 0/8 and loopback IPv4 sources are never
#              learned; an 802.1Q or QinQ tagged frame teaches nothing;
#   arp        an ARP sender learned is then allowed as IPv4 source, the
#              reverse too; an ARP sender and an IPv4 source in one burst
#              take the two IPv4 slots, a third is learn-full, never
#              swapped for an older one;
#   race       two guests claiming one address: the first has it, the
#              other gets learn-conflict every time, never both;
#              a configured address of an interface is never learned by
#              another;
#   caps       four IPv6 first-use addresses, the fifth is learn-full,
#              also once the guest stopped using the first ones;
#   park       a first-use address parked across xl save/restore comes
#              back to its VM only; an IPv6 source ::ffff:a.b.c.d never
#              turns into an IPv4 address across a restore.
# Guests are quiet (no traffic of their own); frames come from vgpkt.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/test_xen_lib.bash"
xen_init "$@"

printf '%s\n' "host learn=link-local,dhcp resume-window=30 first-lease=600 protect=10.99.0.254" \
	>"$VIFGUARD_CONFIG"

A_MAC=02:00:00:00:1a:01
B_MAC=02:00:00:00:1a:02
A4=10.99.0.21
B4=10.99.0.22
ROUTER4=10.99.0.254

# learned IFNAME: "ADDR:ORIGIN" of what it learned, sorted.
learned() {
	vg -j show "$1" | jq -r '[.interfaces[0].learned[]? | "\(.address):\(.origin)"] | sort | join(" ")'
}
# v6of ADDR: learned6's "IFINDEX ORIGIN" for ADDR, or none.
owner6() {
	vg -j dump learned6 | jq -r --arg a "$1" \
		'[.maps.learned6[] | select(.address == $a) | "\(.ifindex) \(.origin)"][0] // "none"'
}
owner4() {
	vg -j dump learned4 | jq -r --arg a "$1" \
		'[.maps.learned4[] | select(.address == $a) | "\(.ifindex) \(.origin)"][0] // "none"'
}

# host protect= reaches protected6 by hotplug (and sync): a Xen guest C
# comes online first.
xen_vif c vif23.0 00:16:3e:1a:00:23
xl_nic 23 0 00:16:3e:1a:00:23 10.99.0.23
libxl_run vif-bridge online 23 0
tap_check "vif23.0 online: $ROUTER4 protected (host protect=)" "0 $ROUTER4=config" \
	"$HP_RC $(vg -j dump protected6 | jq -r '[.maps.protected6[] | select(.address == "'$ROUTER4'") | "\(.address)=\(.why)"] | join(" ")')" \
	"$(cat "$VG_TMP/hotplug.out")"

vg_guest a vif21.0 $A_MAC quiet
vg_guest b vif22.0 $B_MAC quiet
out=$(vg attach vif21.0 --mac $A_MAC --ipv4 $A4 --learn first 2>&1)
tap_check "attach vif21.0 --learn first" "exit 0" "exit $?" "$out"
out=$(vg attach vif22.0 --mac $B_MAC --ipv4 $B4 --learn first 2>&1)
tap_check "attach vif22.0 --learn first" "exit 0" "exit $?" "$out"
vg_up a
vg_up b
VG_FENCE[a]="udp4 --src-ip $A4 --dst-ip $SINK_V4"
VG_FENCE[b]="udp4 --src-ip $B4 --dst-ip $SINK_V4"

# ---- encodings -------------------------------------------------------------
# An IPv4-mapped IPv6 source is IPv4's name in protected6 and "parked";
# as an IPv6 source it must teach nothing (RFC 4291 2.5.5.2: never on
# the wire).
vg_case "A: IPv6 from ::ffff:$B4 (B's configured IPv4): dropped, not learned" a vif21.0 1 0 \
	"ipv6-src+1 pass+1" udp6 --src-ip ::ffff:$B4 --dst-ip $SINK_V6
vg_case "A: IPv6 from ::ffff:$ROUTER4 (protected IPv4): dropped, not learned" a vif21.0 1 0 \
	"ipv6-src+1 pass+1" udp6 --src-ip ::ffff:$ROUTER4 --dst-ip $SINK_V6
vg_case "A: IPv6 from ::ffff:10.99.0.77 (free IPv4): dropped, not learned" a vif21.0 1 0 \
	"ipv6-src+1 pass+1" udp6 --src-ip ::ffff:10.99.0.77 --dst-ip $SINK_V6
tap_check "learned6 holds no IPv4-mapped address" "none none none" \
	"$(owner6 ::ffff:$B4) $(owner6 ::ffff:$ROUTER4) $(owner6 ::ffff:10.99.0.77)"
vg_case "A: from the protected router $ROUTER4: learn-protected" a vif21.0 1 0 \
	"learn-protected+1 pass+1" udp4 --src-ip $ROUTER4 --dst-ip $SINK_V4
for s in 255.255.255.255 224.0.0.1 0.0.0.1 127.0.0.1; do
	vg_case "A: from $s: ipv4-src, not learned" a vif21.0 1 0 \
		"ipv4-src+1 pass+1" udp4 --src-ip $s --dst-ip $SINK_V4
done
vg_case "A: ARP sender 255.255.255.255: arp-spa, not learned" a vif21.0 1 0 \
	"arp-spa+1 pass+1" arp --op 1 --spa 255.255.255.255 --tpa $SINK_V4
tap_check "A learned nothing from them" "" "$(learned vif21.0)"
# VLAN tags from the guest: the frame is dropped before any learning.
for v in "--vlan 5" "--vlan 5 --vlan-proto 0x88a8"; do
	# shellcheck disable=SC2086 # an argument list by design
	vg_case "A: tagged ($v) from 10.99.0.78: dropped" a vif21.0 1 0 \
		"vlan+1 pass+1" udp4 $v --src-ip 10.99.0.78 --dst-ip $SINK_V4
done
tap_check "A learned nothing from tagged frames" "none" "$(owner4 10.99.0.78)"

# ---- arp: learned one way, used the other -------------------------------------
vg_case "A: ARP request, sender 10.99.0.31: learned, passes" a vif21.0 1 1 \
	"pass+2" arp --op 1 --spa 10.99.0.31 --tpa $SINK_V4
vg_case "A: IPv4 from 10.99.0.31 (learned by ARP): passes" a vif21.0 1 1 \
	"pass+2" udp4 --src-ip 10.99.0.31 --dst-ip $SINK_V4
vg_case "A: gratuitous ARP reply, sender 10.99.0.32 != IPv4 source next: learned" a vif21.0 1 1 \
	"pass+2" arp --op 2 --spa 10.99.0.32 --tpa 10.99.0.32 --tha ff:ff:ff:ff:ff:ff
vg_case "A: IPv4 from a third address 10.99.0.33: learn-full" a vif21.0 2 0 \
	"learn-full+2 pass+1" udp4 --src-ip 10.99.0.33 --dst-ip $SINK_V4
vg_case "A: ARP sender 10.99.0.33: learn-full too" a vif21.0 1 0 \
	"learn-full+1 pass+1" arp --op 1 --spa 10.99.0.33 --tpa $SINK_V4
tap_check "A holds its two first-use IPv4 addresses, nothing swapped" \
	"10.99.0.31:first 10.99.0.32:first" "$(learned vif21.0)"

# ---- race: one address, two guests ------------------------------------------------
vg_case "B: from A's learned 10.99.0.31: learn-conflict" b vif22.0 3 0 \
	"learn-conflict+3 pass+1" udp4 --src-ip 10.99.0.31 --dst-ip $SINK_V4
vg_case "B: ARP sender 10.99.0.31: learn-conflict" b vif22.0 1 0 \
	"learn-conflict+1 pass+1" arp --op 2 --spa 10.99.0.31 --tpa 10.99.0.31
vg_case "B: from A's configured $A4: learn-conflict" b vif22.0 1 0 \
	"learn-conflict+1 pass+1" udp4 --src-ip $A4 --dst-ip $SINK_V4
vg_case "A: still passes from 10.99.0.31" a vif21.0 1 1 \
	"pass+2" udp4 --src-ip 10.99.0.31 --dst-ip $SINK_V4
tap_check "10.99.0.31 is A's only" "$(vg_ifindex vif21.0) first" "$(owner4 10.99.0.31)"

# ---- caps: IPv6 --------------------------------------------------------------------
# Four IPv6 slots; a guest whose addresses change (privacy extensions,
# a new temporary address a day) is refused its fifth for good: with no
# window they never end.
VG_FENCE[b]="udp6 --src-ip fd00:99::b1 --dst-ip $SINK_V6"
vg_case "B: IPv6 from fd00:99::b1: learned" b vif22.0 1 1 "pass+2" \
	udp6 --src-ip fd00:99::b1 --dst-ip $SINK_V6
for i in 2 3 4; do
	vg_case "B: IPv6 from fd00:99::b$i: learned" b vif22.0 1 1 "pass+2" \
		udp6 --src-ip fd00:99::b$i --dst-ip $SINK_V6
done
vg_case "B: IPv6 from a fifth fd00:99::b5: learn-full" b vif22.0 1 0 \
	"learn-full+1 pass+1" udp6 --src-ip fd00:99::b5 --dst-ip $SINK_V6
VG_FENCE[b]="udp4 --src-ip $B4 --dst-ip $SINK_V4"
vg_case "B: IPv4 from 10.99.0.41: learned (IPv6 and IPv4 slots apart)" b vif22.0 1 1 \
	"pass+2" udp4 --src-ip 10.99.0.41 --dst-ip $SINK_V4

tap_done
