#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# vifguard dump decodes every pinned map as the kernel holds it: each
# policy entry agrees field by field with bpftool's raw dump of the same
# map (decoded here, independently, from its BTF-formatted numbers), the
# tries hold exactly the extra prefixes attach was given, and the
# counters agree with stats.
. "$(dirname "$0")/lib.sh"
vg_init

for g in 5 6 7; do
	vg_guest g$g vif$g.0 02:00:00:00:0$g:00 quiet
	VG_FENCE[g$g]="udp4 --src-ip 10.99.0.$g"
done
out=$(vg attach vif5.0 --mac 02:00:00:00:05:00 --mac 02:00:00:00:05:01 --ipv4 10.99.0.5 \
	--ipv4 10.99.5.0/24 --ipv4 10.99.50.0/24 --ipv4 10.99.0.55 --ipv4 10.99.0.56 --ipv6 fd00:99::5 \
	--ipv6 fd00:99:5::/64 --allow-ethertype 0x88cc --allow-ra 2>&1)
tap_check "attach vif5.0" "exit 0" "exit $?" "$out"
out=$(vg attach vif6.0 --mac 02:00:00:00:06:00 --ipv4 10.99.0.6 --no-dhcp 2>&1)
tap_check "attach vif6.0" "exit 0" "exit $?" "$out"
out=$(vg attach vif7.0 --mode disabled 2>&1)
tap_check "attach vif7.0 (disabled)" "exit 0" "exit $?" "$out"
vg_up g5
vg_up g6
idx5=$(vg_ifindex vif5.0)
idx6=$(vg_ifindex vif6.0)

vg_case "vif6.0 drops a spoof" g6 vif6.0 2 0 "ipv4-src+2 pass+1" udp4 --src-ip 10.99.0.5
vg_case "vif5.0 passes its own" g5 vif5.0 3 3 "pass+4" udp4 --src-ip 10.99.0.5

# bpftool's BTF view of "policy", decoded here: __be32 and __be16 read in
# the host's (little-endian) order, MACs as byte lists.
raw=$("$BPFTOOL" -j map dump pinned "$ROOT/policy" | jq -c '
	def ip4: [(. % 256), (./256|floor%256), (./65536|floor%256), (./16777216|floor)]
		| map(tostring) | join(".");
	def hex2: . as $b | "0123456789abcdef" | .[($b/16|floor):($b/16|floor)+1] + .[($b%16):($b%16)+1];
	def be16: ((. % 256) * 256) + (./256|floor);
	[.[] | .formatted | select(.value.ifindex != 0) | .value as $e | $e.pol as $p | {
		index: .key, ifindex: $e.ifindex, state: (if $e.live == 1 then "live" else "retired" end),
		mode: (if $p.mode == 1 then "locked" elif $p.mode == 2 then "disabled" else "invalid" end),
		gen: $p.gen, slot: $p.slot,
		macs: [$p.macs[:$p.n_macs][] | map(hex2) | join(":")],
		ipv4: [$p.v4[] | select(. != 0) | ip4],
		ethertypes: [$p.ethertypes[] | select(. != 0) | be16 | "0x" + ("0000" + (
			[(./4096|floor), (./256|floor%16), (./16|floor%16), (.%16)] |
			map("0123456789abcdef"[.:.+1]) | join("")))[-4:]]
	}] | sort_by(.ifindex)')
dumped=$(vg -j dump policy | jq -c '[.maps.policy[] |
	{index, ifindex, state, mode, gen, slot, macs, ipv4, ethertypes}] | sort_by(.ifindex)')
tap_check "dump policy: every used entry, as bpftool reads the map" "$raw" "$dumped"
n=$(jq length <<<"$dumped")
tap_check "dump policy: the three attached interfaces" "3" "$n"

field() { vg -j dump "$1" | jq -c --argjson i "$2" "[.maps.$1[] | select(.ifindex == \$i) | $3]"; }
tap_check "dump policy: vif5.0's two MACs" '[["02:00:00:00:05:00","02:00:00:00:05:01"]]' \
	"$(field policy "$idx5" .macs)"
tap_check "dump policy: vif5.0's flags by name" \
	'[["dhcp-client","router-advert","link-local","ipv4-table","ipv6-table","operator","learn-link-local"]]' \
	"$(field policy "$idx5" .flags)"
tap_check "dump policy: vif6.0 without the DHCP client exception" \
	'[["link-local","operator","learn-link-local"]]' "$(field policy "$idx6" .flags)"
tap_check "dump policy: vif5.0's inline IPv6 host" '[["fd00:99::5"]]' "$(field policy "$idx5" .ipv6)"
# Two IPv4 hosts fit in the policy itself; the third host and the
# prefixes go to the trie.
tap_check "dump v4_addrs: vif5.0's IPv4 beyond the policy's own, exactly" \
	'["10.99.0.56/32","10.99.5.0/24","10.99.50.0/24"]' \
	"$(vg -j dump v4_addrs | jq -c --argjson i "$idx5" '[.maps.v4_addrs[] | select(.ifindex == $i) | .prefix] | sort')"
tap_check "dump v6_addrs: vif5.0's extra IPv6 prefix" '["fd00:99:5::/64"]' \
	"$(vg -j dump v6_addrs | jq -c --argjson i "$idx5" '[.maps.v6_addrs[] | select(.ifindex == $i) | .prefix]')"

vg_stats vif6.0
tap_check "dump drops: vif6.0's ipv4-src counter as stats has it" "[${STATS[ipv4-src]}]" \
	"$(vg -j dump drops | jq -c --argjson i "$idx6" '[.maps.drops[] | select(.ifindex == $i and .reason == "ipv4-src") | .packets]')"
tap_check "dump totals: the host's ipv4-src drops as stats has them" \
	"$(vg -j stats | jq -c '[.totals.ipv4_src]')" \
	"$(vg -j dump totals | jq -c '[.maps.totals[] | select(.reason == "ipv4-src") | .packets]')"
slot5=$(field policy "$idx5" .slot | jq '.[0]')
tap_check "dump passes: vif5.0's slot counts its passes as stats does" \
	"$(vg -j stats vif5.0 | jq -c '[.interfaces[0].counters.pass]')" \
	"$(vg -j dump passes | jq -c --argjson s "$slot5" '[.maps.passes[] | select(.slot == $s) | .packets]')"

# One map, text: one line per entry, NAME=VALUE fields.
out=$(vg dump drops)
tap_check "dump drops: only that map" "drops" "$(head -n 1 <<<"$out" | cut -d' ' -f1)"
line=$(vg dump policy | grep " ifname=vif5.0 ")
case $line in
*" macs=02:00:00:00:05:00,02:00:00:00:05:01 "*" ethertypes=0x88cc") tap_ok "dump policy (text): vif5.0's line" ;;
*) tap_fail "dump policy (text): vif5.0's line" "macs=...,... ethertypes=0x88cc" "$line" ;;
esac
out=$(vg dump nosuchmap 2>&1)
rc=$?
tap_check "dump of an unknown map: usage error" "2" "$rc"
case $out in
*"'nosuchmap': no such map"*) tap_ok "dump of an unknown map: named" ;;
*) tap_fail "dump of an unknown map: named" "'nosuchmap': no such map" "$out" ;;
esac

# After a detach its entries are gone from every map.
vg detach vif6.0 >/dev/null
tap_check "dump after detach vif6.0: nothing of it left" "0" \
	"$(vg -j dump | jq --argjson i "$idx6" '[.maps[][] | select(.ifindex? == $i)] | length')"

# A device renamed since its attach keeps its policy under the new name
# (gc), which the kernel lets hold control characters: text output
# escapes them as show does, never a terminal escape of its own.
odd=$'v\e[2Jx'
hx ip link set vif7.0 name "$odd" || vg_bail "cannot rename vif7.0"
vg gc >/dev/null
line=$(vg dump policy | grep ' ifname=v')
tap_check "dump policy (text): a control character in a name is escaped" \
	' ifname=v\x1b[2Jx' "$(grep -o ' ifname=[^ ]*' <<<"$line" | grep -v vif5.0)" "$line"
hx ip link set "$odd" name vif7.0
tap_done
