#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# A guest that sends tagged frames through the kernel's own 802.1Q stack
# (a firewall appliance or a nested host trunking VLANs): with 0x8100
# allowed, ARP and ping over VLAN 100 work with no drop, and the frame
# inside the tag is checked like any other (a spoofed source inside is
# dropped); without it, or with a second tag inside, nothing passes.
. "$(dirname "$0")/lib.sh"
vg_init

G_MAC=02:00:00:00:0a:00
G_V4=10.100.0.5
G_SPOOF=10.100.0.99
S_V4=10.100.0.1

vg_guest g vif10.0 $G_MAC quiet
vg_up g
err=$(gx g ip link add link eth0 name eth0.100 type vlan id 100 2>&1) ||
	vg_skip_all "no 802.1Q devices on this kernel ($err)"
gx g ip addr add $G_V4/24 dev eth0.100
gx g ip link set eth0.100 up
sx ip link add link sink0 name sink0.100 type vlan id 100
sx ip addr add $S_V4/24 dev sink0.100
sx ip link set sink0.100 up

# count REASON: frames dropped for REASON on vif10.0 so far.
count() {
	vg_stats vif10.0
	echo "${STATS[$1]:-0}"
}

# drops: frames dropped on vif10.0 so far, all reasons.
drops() {
	local k t=0
	vg_stats vif10.0
	for k in "${!STATS[@]}"; do
		[ "$k" = pass ] || t=$((t + STATS[$k]))
	done
	echo $t
}

# Without 0x8100 allowed the tag is dropped, whatever is inside.
out=$(vg attach vif10.0 --mac $G_MAC --ipv4 $G_V4 2>&1)
tap_check "attach vif10.0 without 0x8100" "exit 0" "exit $?" "$out"
before=$(count vlan)
if gx g ping -c 2 -i 0.2 -W 1 -q $S_V4 >/dev/null 2>&1; then r=works; else r=fails; fi
after=$(count vlan)
tap_check "ping over VLAN 100, 0x8100 not allowed" "fails, vlan drops > 0" \
	"$r, vlan drops $((after > before ? 1 : 0)) > 0" "vlan $before -> $after"

# Allowed: the kernel's ARP and ICMP over the tag, no drop at all.
out=$(vg attach vif10.0 --mac $G_MAC --ipv4 $G_V4 --allow-ethertype 0x8100 2>&1)
tap_check "attach vif10.0 with 0x8100" "exit 0" "exit $?" "$out"
drops0=$(drops)
if gx g ping -c 3 -i 0.2 -W 2 -q $S_V4 >/dev/null 2>&1; then r=works; else r=fails; fi
drops1=$(drops)
tap_check "ping over VLAN 100, 0x8100 allowed" "works, 0 drops" \
	"$r, $((drops1 - drops0)) drops"
mac=$(sx ip -j neigh show $G_V4 dev sink0.100 | jq -r '.[0].lladdr // "none"')
tap_check "the sink learnt the guest's MAC over the VLAN" "$G_MAC" "$mac"

# Inside the allowed tag, a source the guest may not use is dropped.
gx g ip addr add $G_SPOOF/24 dev eth0.100
before=$(count ipv4-src)
if gx g ping -c 2 -i 0.2 -W 1 -q -I $G_SPOOF $S_V4 >/dev/null 2>&1; then r=works; else r=fails; fi
after=$(count ipv4-src)
tap_check "ping over VLAN 100 from a foreign source" "fails, ipv4-src drops > 0" \
	"$r, ipv4-src drops $((after > before ? 1 : 0)) > 0" "ipv4-src $before -> $after"
gx g ip addr del $G_SPOOF/24 dev eth0.100

# A second tag inside the first (802.1Q in 802.1Q): the device strips the
# outer one only, the inner one stays in the frame and is dropped.
gx g ip link add link eth0.100 name eth0.100.200 type vlan id 200
gx g ip addr add 10.200.0.5/24 dev eth0.100.200
gx g ip link set eth0.100.200 up
before=$(count vlan)
gx g ping -c 2 -i 0.2 -W 1 -q 10.200.0.1 >/dev/null 2>&1
after=$(count vlan)
tap_check "frames with a second tag inside" "vlan drops > 0" \
	"vlan drops $((after > before ? 1 : 0)) > 0" "vlan $before -> $after"

tap_done
