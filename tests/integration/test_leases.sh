#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The loader's side of DHCP snooping, on the real maps: attach makes
# every configured host address (IPv4 and IPv6) an owned one in learned4
# and learned6; leases written as the egress program writes them
# (learned4 or learned6 entry of origin dhcp, and its lease slot) are
# listed by show (text and JSON, with their expiry: seconds left, never,
# expired) and dump; gc removes an expired lease with its slot and
# leaves live and infinite ones; a lease on another interface's
# configured address, or of an interface whose policy does not learn by
# DHCP, goes; a new policy configuring a leased address takes it; a
# policy losing --learn dhcp, and a detach, leave no lease behind.  The
# program allows a guest the source of its live lease, as written, and
# neither an expired one nor one taken from it.
. "$(dirname "$0")/lib.sh"
vg_init

M5=02:00:00:00:05:00
M6=02:00:00:00:06:00
M7=02:00:00:00:07:00
vg_guest g5 vif5.0 $M5 quiet
vg_guest g6 vif6.0 $M6 quiet
vg_guest g7 vif7.0 $M7 quiet
VG_FENCE[g6]="udp4 --src-ip 10.99.0.6"

out=$(vg attach vif5.0 --mac $M5 --ipv4 10.99.0.5 --ipv6 fd00:99::5 --ipv4 10.99.0.55 \
	--ipv4 10.99.0.56 --ipv4 10.99.50.0/24 --learn link-local,dhcp 2>&1)
tap_check "attach vif5.0 --learn link-local,dhcp" "exit 0" "exit $?" "$out"
out=$(vg attach vif6.0 --mac $M6 --ipv4 10.99.0.6 --learn dhcp 2>&1)
tap_check "attach vif6.0 --learn dhcp" "exit 0" "exit $?" "$out"
out=$(vg attach vif7.0 --mac $M7 --ipv4 10.99.0.7 --learn link-local 2>&1)
tap_check "attach vif7.0 --learn link-local" "exit 0" "exit $?" "$out"
I5=$(vg_ifindex vif5.0)
I6=$(vg_ifindex vif6.0)
I7=$(vg_ifindex vif7.0)

# "ADDRESS IFINDEX ORIGIN" of every entry of learned4 (or learned6, $2
# a jq filter on the address), sorted.
owners() {
	vg -j dump "$1" | jq -r --arg m "$1" '[.maps[$m][] | select(.address | test("'"${2:-.}"'"))
		| "\(.address) \(.ifindex) \(.origin)"] | sort | join(",")'
}
tap_check "learned4: every configured IPv4 host owned, inline and in the trie; no prefix" \
	"10.99.0.5 $I5 config,10.99.0.55 $I5 config,10.99.0.56 $I5 config,10.99.0.6 $I6 config,10.99.0.7 $I7 config" \
	"$(owners learned4)"
tap_check "learned6: a global configured IPv6 host owned" "fd00:99::5 $I5 config" \
	"$(owners learned6 '^fd')"
tap_check "learn_cfg: the default grace" "60" \
	"$(vg -j dump learn_cfg | jq -r '.maps.learn_cfg[0].dhcp_grace_s')"

# What the egress program writes for a lease: the owner entry, then its
# slot (IPv4 in slots 0 and 1 as ::ffff:a.b.c.d, IPv6 from slot 2).
# lease IFINDEX ADDRESS SLOT EXPIRES_NS|forever
lease() {
	local args
	args=$(python3 - "$@" <<'EOF'
import ipaddress, struct, sys
idx, addr, slot, exp = int(sys.argv[1]), ipaddress.ip_address(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
exp = (1 << 64) - 1 if exp == "forever" else int(exp)
hx = lambda b: " ".join("0x%02x" % c for c in b)
owner = struct.pack("<IBBHQ", idx, 3, slot, 0, exp)
a16 = addr.packed if addr.version == 6 else ipaddress.IPv6Address("::ffff:" + str(addr)).packed
print("learned%d|%s|%s|%s|%s" % (addr.version, hx(addr.packed), hx(owner),
      hx(struct.pack("<II", idx, slot)), hx(a16 + struct.pack("<Q", exp))))
EOF
)
	IFS='|' read -r map k v sk sv <<<"$args"
	"$BPFTOOL" map update pinned "$ROOT/$map" key $k value $v &&
		"$BPFTOOL" map update pinned "$ROOT/lease_slots" key $sk value $sv
}
mono() { python3 -c 'import time; print(time.monotonic_ns())'; }
now=$(mono)
lease $I6 10.99.6.1 0 $((now + 3600 * 1000000000)) &&
	lease $I6 10.99.6.2 1 $((now - 1000000000)) &&
	lease $I6 2001:db8::6 2 forever &&
	lease $I5 10.99.5.1 0 forever ||
	vg_bail "cannot write the leases with bpftool"

out=$(vg show vif6.0)
line=$(grep 'dhcp learning:' <<<"$out")
case $line in
"  dhcp learning: on, leased: 10.99.6.1 (expires in 3"[0-9][0-9][0-9]"s) 10.99.6.2 (expired) 2001:db8::6 (never expires)")
	tap_ok "show: vif6.0's leases with their expiry" ;;
*) tap_fail "show: vif6.0's leases with their expiry" \
	"dhcp learning: on, leased: 10.99.6.1 (expires in 3NNNs) 10.99.6.2 (expired) 2001:db8::6 (never expires)" \
	"$line" "$out" ;;
esac
got=$(vg -j show vif6.0 | jq -c '.interfaces[0] | [.learning.dhcp, .learning.dhcp4_capacity,
	.learning.dhcp6_capacity, (.learned[] | [.address, .family, .origin, .expiry,
	(.expires_in_s > 3500 and .expires_in_s <= 3600), .slot])]')
tap_check "show -j: vif6.0's leases, family, expiry and slot" \
	'[true,2,4,["10.99.6.1","ipv4","dhcp","lease",true,0],["10.99.6.2","ipv4","dhcp","expired",false,1],["2001:db8::6","ipv6","dhcp","never",false,2]]' \
	"$got"
# The program reads them as written: the live lease allows its source,
# the expired one does not.
vg_up g6
vg_case "vif6.0: its live lease's source passes" g6 vif6.0 2 2 "pass+3" udp4 --src-ip 10.99.6.1
vg_case "vif6.0: its expired lease's source is dropped" g6 vif6.0 2 0 "ipv4-src+2 pass+1" \
	udp4 --src-ip 10.99.6.2
tap_check "show: vif7.0 does not learn by DHCP" "  dhcp learning: off" \
	"$(vg show vif7.0 | grep 'dhcp learning:')"

tap_check "dump learned4: the leases, origin dhcp, with their end" \
	"10.99.6.1 $I6 dhcp 0 $((now + 3600 * 1000000000)),10.99.6.2 $I6 dhcp 1 $((now - 1000000000))" \
	"$(vg -j dump learned4 | jq -r --argjson i $I6 '[.maps.learned4[] |
		select(.ifindex == $i and .origin == "dhcp") |
		"\(.address) \(.ifindex) \(.origin) \(.slot) \(.expires_ns)"] | join(",")')"
tap_check "dump lease_slots: IPv4 slots as IPv4, IPv6 as IPv6" \
	"$I6/0 10.99.6.1,$I6/1 10.99.6.2,$I6/2 2001:db8::6" \
	"$(vg -j dump lease_slots | jq -r --argjson i $I6 '[.maps.lease_slots[] |
		select(.ifindex == $i) | "\(.ifindex)/\(.slot) \(.address)"] | join(",")')"

# gc: the expired lease goes with its slot, the others stay.
out=$(vg gc 2>&1)
tap_check "gc" "exit 0" "exit $?" "$out"
tap_check "gc: the expired lease gone, live and infinite ones kept" \
	"10.99.6.1 (expires) 2001:db8::6 (never), slots 0 2" \
	"$(vg show vif6.0 | grep -o 'leased: .*' | sed 's/leased: //; s/ in [0-9]*s)/)/; s/ expires)/)/'), slots $(vg -j dump lease_slots | jq -r --argjson i $I6 '[.maps.lease_slots[] | select(.ifindex == $i) | .slot] | join(" ")')"
tap_check "gc: vif5.0's infinite lease kept" "10.99.5.1 $I5 dhcp" "$(owners learned4 '^10\\.99\\.5\\.')"

# A lease on an address another interface configures, or of an
# interface that does not learn by DHCP: gone at the next gc.
lease $I6 10.99.0.7 1 forever && lease $I7 10.99.7.1 0 forever ||
	vg_bail "cannot write the leases with bpftool"
vg gc >/dev/null 2>&1
tap_check "gc: a lease on vif7.0's configured address and vif7.0's own lease gone" \
	"10.99.0.7 $I7 config; " \
	"$(owners learned4 '^10\\.99\\.0\\.7$'); $(owners learned4 '^10\\.99\\.7\\.')"

# A policy configuring a leased address takes it, slot and all.
out=$(vg attach vif7.0 --mac $M7 --ipv4 10.99.0.7 --ipv4 10.99.6.1 --learn link-local 2>&1)
tap_check "attach vif7.0 with vif6.0's leased 10.99.6.1" "exit 0" "exit $?" "$out"
tap_check "the leased address now vif7.0's, vif6.0's slot 0 gone" "10.99.6.1 $I7 config, slots 2" \
	"$(owners learned4 '^10\\.99\\.6\\.1$'), slots $(vg -j dump lease_slots | jq -r --argjson i $I6 '[.maps.lease_slots[] | select(.ifindex == $i) | .slot] | join(" ")')"

vg_case "vif6.0: the address vif7.0 took is no longer its" g6 vif6.0 2 0 "ipv4-src+2 pass+1" \
	udp4 --src-ip 10.99.6.1

# Learning by DHCP switched off: its leases go, its link-locals stay.
out=$(vg attach vif5.0 --mac $M5 --ipv4 10.99.0.5 --ipv6 fd00:99::5 --learn link-local 2>&1)
tap_check "attach vif5.0 again, --learn link-local only" "exit 0" "exit $?" "$out"
tap_check "vif5.0's lease gone, slot and all; the trie's hosts no longer its" "; 0; " \
	"$(owners learned4 '^10\\.99\\.5\\.'); $(vg -j dump lease_slots | jq --argjson i $I5 '[.maps.lease_slots[] | select(.ifindex == $i)] | length'); $(owners learned4 '^10\\.99\\.0\\.5[56]$')"

# Detach: nothing of vif6.0 left in the learning maps.
out=$(vg detach vif6.0 2>&1)
tap_check "detach vif6.0" "exit 0" "exit $?" "$out"
tap_check "after detach: no entry of vif6.0 in learned4, learned6, lease_slots" "0" \
	"$(vg -j dump | jq --argjson i $I6 '[.maps.learned4[], .maps.learned6[], .maps.lease_slots[] | select(.ifindex == $i)] | length')"
tap_done
