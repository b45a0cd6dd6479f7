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
# neither an expired one nor one taken from it.  Last, real frames: a
# DHCPACK and a DHCPv6 Reply from the uplink teach vif8.0 its leases,
# shown with the lease plus the default grace; an ACK for another
# interface's configured address is refused; the guest's DHCPRELEASE
# ends its lease; a lease without grace stops allowing at its end and
# gc removes it.
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
	vg -j dump "$1" | jq -r --arg m "$1" --arg p "${2:-.}" '[.maps[$m][] |
		select(.address | test($p)) | "\(.address) \(.ifindex) \(.origin)"] | sort | join(",")'
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
tap_check "gc: vif5.0's infinite lease kept" "10.99.5.1 $I5 dhcp" "$(owners learned4 '^10\.99\.5\.')"

# A lease on an address another interface configures, or of an
# interface that does not learn by DHCP: gone at the next gc.
lease $I6 10.99.0.7 1 forever && lease $I7 10.99.7.1 0 forever ||
	vg_bail "cannot write the leases with bpftool"
vg gc >/dev/null 2>&1
tap_check "gc: a lease on vif7.0's configured address and vif7.0's own lease gone" \
	"10.99.0.7 $I7 config; " \
	"$(owners learned4 '^10\.99\.0\.7$'); $(owners learned4 '^10\.99\.7\.')"

# A policy configuring a leased address takes it, slot and all.
out=$(vg attach vif7.0 --mac $M7 --ipv4 10.99.0.7 --ipv4 10.99.6.1 --learn link-local 2>&1)
tap_check "attach vif7.0 with vif6.0's leased 10.99.6.1" "exit 0" "exit $?" "$out"
tap_check "the leased address now vif7.0's, vif6.0's slot 0 gone" "10.99.6.1 $I7 config, slots 2" \
	"$(owners learned4 '^10\.99\.6\.1$'), slots $(vg -j dump lease_slots | jq -r --argjson i $I6 '[.maps.lease_slots[] | select(.ifindex == $i) | .slot] | join(" ")')"

vg_case "vif6.0: the address vif7.0 took is no longer its" g6 vif6.0 2 0 "ipv4-src+2 pass+1" \
	udp4 --src-ip 10.99.6.1

# Learning by DHCP switched off: its leases go, its link-locals stay.
out=$(vg attach vif5.0 --mac $M5 --ipv4 10.99.0.5 --ipv6 fd00:99::5 --learn link-local 2>&1)
tap_check "attach vif5.0 again, --learn link-local only" "exit 0" "exit $?" "$out"
tap_check "vif5.0's lease gone, slot and all; the trie's hosts no longer its" "; 0; " \
	"$(owners learned4 '^10\.99\.5\.'); $(vg -j dump lease_slots | jq --argjson i $I5 '[.maps.lease_slots[] | select(.ifindex == $i)] | length'); $(owners learned4 '^10\.99\.0\.5[56]$')"

# Detach: nothing of vif6.0 left in the learning maps.
out=$(vg detach vif6.0 2>&1)
tap_check "detach vif6.0" "exit 0" "exit $?" "$out"
tap_check "after detach: no entry of vif6.0 in learned4, learned6, lease_slots" "0" \
	"$(vg -j dump | jq --argjson i $I6 '[.maps.learned4[], .maps.learned6[], .maps.lease_slots[] | select(.ifindex == $i)] | length')"
# ---- real frames ------------------------------------------------------------

# DHCP messages as servers and clients send them, through an AF_PACKET
# socket: vgpkt builds DISCOVERs and OFFERs only.
cat >"$VG_TMP/dhcp.py" <<'EOF'
import ipaddress, socket, struct, sys

def mac(s): return bytes(int(x, 16) for x in s.split(":"))
def csum(b):
	if len(b) % 2: b += b"\0"
	s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
	while s >> 16: s = (s & 0xffff) + (s >> 16)
	return ~s & 0xffff
def ip4(src, dst, payload):
	h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64, 17, 0,
			ipaddress.IPv4Address(src).packed, ipaddress.IPv4Address(dst).packed)
	return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload
def udp(sport, dport, data): return struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
# Padded to 300 octets, the least a BOOTP relay must accept (RFC 1542 2.1),
# as servers and clients send them.
def bootp(op, chaddr, ciaddr, yiaddr, opts):
	return (lambda m: m + bytes(max(0, 300 - len(m))))(struct.pack("!BBBBIHH4s4s4s4s", op, 1, 6, 0, 0x1234, 0, 0,
			    ipaddress.IPv4Address(ciaddr).packed, ipaddress.IPv4Address(yiaddr).packed,
			    bytes(4), bytes(4)) + mac(chaddr) + bytes(10) + bytes(192) +
		b"\x63\x82\x53\x63" + opts + b"\xff")
def opt(code, val): return bytes([code, len(val)]) + val
SERVER = ipaddress.IPv4Address("10.99.0.1").packed

kind, ifname, src, dst = sys.argv[1:5]
a = sys.argv[5:]
if kind == "ack":		# ADDRESS LEASE_S [TYPE]
	t = int(a[2]) if len(a) > 2 else 5
	o = opt(53, bytes([t])) + opt(54, SERVER)
	if t == 5:
		o += opt(51, struct.pack("!I", int(a[1]))) + opt(1, bytes([255, 255, 255, 0]))
	f = ip4("10.99.0.1", a[0] if t == 5 else "255.255.255.255",
		udp(67, 68, bootp(2, dst, "0.0.0.0", a[0] if t == 5 else "0.0.0.0", o)))
	ethertype = 0x0800
elif kind == "release":	# ADDRESS
	f = ip4(a[0], "10.99.0.1", udp(68, 67, bootp(1, src, a[0], "0.0.0.0",
						    opt(53, b"\x07") + opt(54, SERVER))))
	ethertype = 0x0800
elif kind == "reply6":		# ADDRESS VALID_S
	iaaddr = struct.pack("!HH", 5, 24) + ipaddress.IPv6Address(a[0]).packed + \
		struct.pack("!II", int(a[1]), int(a[1]))
	ia = struct.pack("!HHIII", 3, 12 + len(iaaddr), 1, 0, 0) + iaaddr
	msg = b"\x07\x00\x00\x01" + struct.pack("!HH", 2, 4) + b"srv1" + ia
	s6, d6 = ipaddress.IPv6Address("fe80::1").packed, ipaddress.IPv6Address("fe80::8").packed
	u = udp(547, 546, msg)
	pseudo = s6 + d6 + struct.pack("!IxxxB", len(u), 17)
	u = u[:6] + struct.pack("!H", csum(pseudo + u)) + u[8:]
	f = struct.pack("!IHBB", 0x60000000, len(u), 17, 64) + s6 + d6 + u
	ethertype = 0x86dd
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((ifname, 0))
s.send(mac(dst) + mac(src) + struct.pack("!H", ethertype) + f)
EOF
M8=02:00:00:00:08:00
vg_guest g8 vif8.0 $M8 quiet
VG_FENCE[g8]="udp4 --src-ip 10.99.0.8"
out=$(vg attach vif8.0 --mac $M8 --ipv4 10.99.0.8 --learn dhcp 2>&1)
tap_check "attach vif8.0 --learn dhcp" "exit 0" "exit $?" "$out"
I8=$(vg_ifindex vif8.0)
vg_up g8
server() { sx python3 "$VG_TMP/dhcp.py" "$1" sink0 $SINK_MAC $M8 "${@:2}"; }
# "ADDRESS ORIGIN EXPIRY EXPIRES_IN_S" of vif8.0's learned addresses.
learned8() {
	vg -j show vif8.0 | jq -r '[.interfaces[0].learned[] |
		"\(.address) \(.origin) \(.expiry) \(.expires_in_s)"] | join(",")'
}
server ack 10.99.8.1 3600 || vg_bail "cannot send a DHCPACK"
server reply6 2001:db8:8::1 7200 || vg_bail "cannot send a DHCPv6 Reply"
got=$(learned8)
case $got in
"10.99.8.1 dhcp lease 36"[56][0-9]",2001:db8:8::1 dhcp lease 72"[56][0-9])
	tap_ok "an ACK and a Reply from the uplink: both leases learned, lease + 60 s of grace" ;;
*) tap_fail "an ACK and a Reply from the uplink: both leases learned, lease + 60 s of grace" \
	"10.99.8.1 dhcp lease 365x,2001:db8:8::1 dhcp lease 725x" "$got" ;;
esac
vg_case "vif8.0: its leased source passes" g8 vif8.0 2 2 "pass+3" udp4 --src-ip 10.99.8.1
vg_stats vif8.0; c0=${STATS[learn-conflict]:-0}
server ack 10.99.0.5 3600 || vg_bail "cannot send a DHCPACK"
vg_stats vif8.0
tap_check "an ACK for vif5.0's configured address: refused, learn-conflict on vif8.0" \
	"10.99.0.5 $I5 config, learn-conflict $((c0 + 1))" \
	"$(owners learned4 '^10\.99\.0\.5$'), learn-conflict ${STATS[learn-conflict]:-0}"
gx g8 python3 "$VG_TMP/dhcp.py" release eth0 $M8 $SINK_MAC 10.99.8.1 ||
	vg_bail "cannot send a DHCPRELEASE"
tap_check "the guest's DHCPRELEASE ends its IPv4 lease, slot and all" \
	"2001:db8:8::1 dhcp lease, slots 2" \
	"$(learned8 | sed 's/ [0-9]*$//'), slots $(vg -j dump lease_slots | jq -r --argjson i $I8 '[.maps.lease_slots[] | select(.ifindex == $i) | .slot] | join(" ")')"
vg_case "vif8.0: the released source is dropped" g8 vif8.0 2 0 "ipv4-src+2 pass+1" \
	udp4 --src-ip 10.99.8.1
# A lease that ends: learn_cfg's grace at 0 (as vifguard.conf's
# dhcp-grace=0 would put it), a one-second lease.
"$BPFTOOL" map update pinned "$ROOT/learn_cfg" key 0 0 0 0 value 0 0 0 0 0 0 0 0 ||
	vg_bail "cannot write learn_cfg with bpftool"
server ack 10.99.8.2 1 || vg_bail "cannot send a DHCPACK"
vg_case "vif8.0: the source of its one-second lease passes at once" g8 vif8.0 1 1 "pass+2" \
	udp4 --src-ip 10.99.8.2
sleep 1.2
tap_check "show after its end: the lease expired" "10.99.8.2 dhcp expired 0" \
	"$(learned8 | tr ',' '\n' | grep '^10\.99\.8\.2 ')"
vg_case "vif8.0: the source of its ended lease is dropped" g8 vif8.0 1 0 "ipv4-src+1 pass+1" \
	udp4 --src-ip 10.99.8.2
vg gc >/dev/null 2>&1
tap_check "gc removes the ended lease, slot and all" "; slots 2" \
	"$(owners learned4 '^10\.99\.8\.2$'); slots $(vg -j dump lease_slots | jq -r --argjson i $I8 '[.maps.lease_slots[] | select(.ifindex == $i) | .slot] | join(" ")')"
out=$(vg detach vif8.0 2>&1)
tap_check "detach vif8.0: no lease left" "exit 0, 0" \
	"exit $?, $(vg -j dump | jq --argjson i $I8 '[.maps.learned4[], .maps.learned6[], .maps.lease_slots[] | select(.ifindex == $i)] | length')" "$out"
tap_done
