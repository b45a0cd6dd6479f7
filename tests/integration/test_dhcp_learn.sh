#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# DHCP snooping through the real kernel and CLI, with DHCP messages made
# by the test (vgpkt): the sink, on the uplink, is the trusted side.
#
#   a  vif5.0, --learn dhcp, no address: a DHCPv4 ACK from the sink makes
#      its address pass (IP source, ARP, a real ping), other addresses
#      stay dropped; the cap of two leases keeps the one that ends last;
#      a renewal moves the end; its RELEASE and DECLINE end what they
#      name, a NAK ends every IPv4 lease, a short lease (grace 0) ends by
#      itself; DHCPv6 Replies likewise (IA_NA, IA_TA, valid lifetime 0,
#      at most three addresses a message, its Release ending them all).
#   b  vif6.0, configured 10.99.0.6 and fd00:99::6, --learn dhcp: sends a
#      forged ACK for a (dropped as dhcp-server, a learns nothing); a
#      lease for a's address is a learn-conflict on vif6.0, a lease of
#      b's configured address one on vif5.0, frames from them dropped;
#      vifguard monitor reports each refused lease once, as delivered
#      (action refused, text "learn refused").
#   s  vif8.0, a DHCP server VM (--allow-dhcp-server): its ACK teaches.
#   c  vif9.0, --mode audit: its forged ACK passes its own filter and
#      reaches a, but a guest without dhcp-server teaches nothing.
# Then what an operator sees: show, stats, and detach forgetting.
# shellcheck disable=SC2046 # ack and reply print argument lists
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/realsw/lib.sh"	# rs_wait, RS_PY
vg_init

A_MAC=02:00:00:00:05:00
B_MAC=02:00:00:00:06:00
S_MAC=02:00:00:00:08:00
C_MAC=02:00:00:00:09:00
NOBODY_MAC=02:00:00:00:99:99

vg_guest a vif5.0 $A_MAC quiet
vg_guest b vif6.0 $B_MAC quiet
vg_guest s vif8.0 $S_MAC quiet
vg_guest c vif9.0 $C_MAC quiet
# a's fence: a DHCPDISCOVER, which its DHCP client exception lets through
# whatever it has learned.
VG_FENCE[a]="dhcp"
VG_FENCE[b]="udp4 --src-ip 10.99.0.6 --dst-ip $SINK_V4"

out=$(vg attach vif5.0 --mac $A_MAC --learn dhcp 2>&1)
rc=$?
if [ $rc = 2 ] && grep -q "'dhcp'" <<<"$out"; then
	vg_skip_all "this vifguard has no --learn dhcp: $out"
fi
tap_check "attach vif5.0 --learn dhcp, no address" "exit 0" "exit $rc" "$out"
[ $rc = 0 ] || { tap_done; exit 1; }
out=$(vg attach vif6.0 --mac $B_MAC --ipv4 10.99.0.6 --ipv6 fd00:99::6 --learn dhcp 2>&1)
tap_check "attach vif6.0 --learn dhcp with 10.99.0.6, fd00:99::6" "exit 0" "exit $?" "$out"
out=$(vg attach vif8.0 --mac $S_MAC --ipv4 10.99.0.8 --allow-dhcp-server 2>&1)
tap_check "attach vif8.0 --allow-dhcp-server (a DHCP server VM)" "exit 0" "exit $?" "$out"
out=$(vg attach vif9.0 --mac $C_MAC --learn dhcp --mode audit 2>&1)
tap_check "attach vif9.0 --learn dhcp --mode audit" "exit 0" "exit $?" "$out"
for g in a b s c; do vg_up $g; done

A_IDX=$(vg_ifindex vif5.0)
B_IDX=$(vg_ifindex vif6.0)

got=$(vg -j show vif5.0 | jq -r '.interfaces[0] |
	"\(.learning.dhcp) \(.learning.link_local) \([.flags[]? | select(. == "dhcp-client")] | length)"')
tap_check "show -j: --learn dhcp learns by DHCP, not by DAD, with the DHCP client allowed" \
	"true false 1" "$got"

# ---- helpers ----------------------------------------------------------------

# owner ADDR: "IFINDEX ORIGIN STATE" of the learned4 (IPv4 ADDR) or
# learned6 entry of ADDR, STATE "forever", "live" or "expired" (against
# CLOCK_MONOTONIC, bpf_ktime_get_ns()'s clock) for DHCP entries, "-"
# otherwise; "none" without one.  Read from the raw bytes: the value is
# struct vg_owner, host order but for the key.
owner() {
	local map=learned6
	[[ $1 == *.* ]] && map=learned4
	"$BPFTOOL" -j map dump pinned "$ROOT/$map" | "$RS_PY" -c '
import ipaddress, json, sys, time
want = ipaddress.ip_address(sys.argv[1]).packed
now = time.monotonic_ns()
for e in json.load(sys.stdin):
    k = bytes(int(b, 16) for b in e["key"])
    if k != want:
        continue
    v = bytes(int(b, 16) for b in e["value"])
    ifx = int.from_bytes(v[0:4], sys.byteorder)
    exp = int.from_bytes(v[8:16], sys.byteorder)
    st = "-"
    if v[4] == 3:
        st = "forever" if exp == 2**64 - 1 else "live" if now < exp else "expired"
    print(ifx, v[4], st)
    break
else:
    print("none")' "$1"
}

# expires ADDR: the expires_ns of ADDR's entry, in whole seconds from now.
expires() {
	local map=learned6
	[[ $1 == *.* ]] && map=learned4
	"$BPFTOOL" -j map dump pinned "$ROOT/$map" | "$RS_PY" -c '
import ipaddress, json, sys, time
want = ipaddress.ip_address(sys.argv[1]).packed
for e in json.load(sys.stdin):
    if bytes(int(b, 16) for b in e["key"]) == want:
        v = bytes(int(b, 16) for b in e["value"])
        print((int.from_bytes(v[8:16], sys.byteorder) - time.monotonic_ns()) // 10**9)
        break
else:
    print("none")' "$1"
}

# slots IFINDEX: how many lease_slots entries name IFINDEX.
slots() {
	"$BPFTOOL" -j map dump pinned "$ROOT/lease_slots" | "$RS_PY" -c '
import json, sys
print(sum(int.from_bytes(bytes(int(b, 16) for b in e["key"][0:4]), sys.byteorder)
          == int(sys.argv[1]) for e in json.load(sys.stdin)))' "$1"
}

# deliver NAME FROM TO VIF EXPECT_DELTA KIND [FIELDS...]: one TAP line.
# FROM (the sink, or a guest) sends one frame, TO's eth0 receives it (the
# egress program never drops) and VIF's drop counters move by exactly
# EXPECT_DELTA (vg_delta format, passes left out).
deliver() {
	local name=$1 from=$2 to=$3 vif=$4 exp=$5 k delta got m rdy
	local -A before=() after=()
	shift 5
	vg_stats "$vif"
	for k in "${!STATS[@]}"; do [ "$k" != pass ] && before[$k]=${STATS[$k]}; done
	vg_marker; m=$MARKER
	rdy=$VG_TMP/ready.$m
	gx "$to" "$VGPKT" recv -i eth0 -m "$m" -n 1 -t 3000 -r "$rdy" --count-only \
		>"$VG_TMP/rx.$m" 2>&1 &
	local pid=$!
	VG_BG+=("$pid")
	rs_wait 5 test -e "$rdy"
	if [ "$from" = sink ]; then
		sx "$VGPKT" send -i sink0 -m "$m" "$@"
	else
		gx "$from" "$VGPKT" send -i eth0 -m "$m" "$@"
	fi
	wait "$pid"
	got=$(cat "$VG_TMP/rx.$m")
	vg_stats "$vif"
	for k in "${!STATS[@]}"; do [ "$k" != pass ] && after[$k]=${STATS[$k]}; done
	delta=$(vg_delta before after)
	exp=$(tr ' ' '\n' <<<"$exp" | sort | tr '\n' ' ' | sed 's/ $//')
	tap_check "$name" "$to got 1, $vif counters: ${exp:-none}" \
		"$to got $got, $vif counters: ${delta:-none}" "vgpkt send $*"
}

# ack GUEST_MAC ADDR LEASE: the fields of a DHCPACK from the sink.
ack() {
	echo "dhcp --op 2 --msg 5 --src-ip $SINK_V4 --chaddr $1 --yiaddr $2 --lease $3"
}

# reply DST_MAC VALID ADDR...: the fields of a DHCPv6 Reply from the sink.
reply() {
	local mac=$1 valid=$2 a args=()
	shift 2
	for a; do args+=(--ia-addr "$a"); done
	echo "dhcp6 --src-ip fe80::ff:fe00:1 --dst-mac $mac --valid $valid ${args[*]}"
}

# ---- DHCPv4: a lease from the sink ----------------------------------------------
vg_case "a without a lease: from 10.99.0.50 dropped" a vif5.0 1 0 "ipv4-src+1 pass+1" \
	udp4 --src-ip 10.99.0.50 --dst-ip $SINK_V4
vg_case "a without a lease: ARP for 10.99.0.50 dropped" a vif5.0 1 0 "arp-spa+1 pass+1" \
	arp --spa 10.99.0.50 --tpa $SINK_V4
vg_case "a's DHCPDISCOVER passes (the client exception)" a vif5.0 1 1 "pass+2" dhcp
tap_check "learned4: nothing for 10.99.0.50 yet" "none" "$(owner 10.99.0.50)"

deliver "ACK 10.99.0.50 (1 h) from the sink, delivered" sink a vif5.0 "" $(ack $A_MAC 10.99.0.50 3600)
tap_check "learned4: 10.99.0.50 learned by vif5.0 (origin dhcp)" "$A_IDX 3 live" "$(owner 10.99.0.50)"
e=$(expires 10.99.0.50)
tap_check "learned4: it ends with the lease plus the default grace (3600 + 60 s)" "yes" \
	"$([ "$e" -gt 3640 ] && [ "$e" -le 3660 ] && echo yes || echo "no ($e s)")"
tap_check "lease_slots: one slot of vif5.0" "1" "$(slots "$A_IDX")"

vg_case "a from its lease 10.99.0.50 passes" a vif5.0 1 1 "pass+2" \
	udp4 --src-ip 10.99.0.50 --dst-ip $SINK_V4
vg_case "a's ARP for 10.99.0.50 passes" a vif5.0 1 1 "pass+2" \
	arp --spa 10.99.0.50 --tpa $SINK_V4
vg_case "a from 10.99.0.51 (not leased) dropped" a vif5.0 1 0 "ipv4-src+1 pass+1" \
	udp4 --src-ip 10.99.0.51 --dst-ip $SINK_V4
vg_case "a's ARP for 10.99.0.51 dropped" a vif5.0 1 0 "arp-spa+1 pass+1" \
	arp --spa 10.99.0.51 --tpa $SINK_V4
gx a ip addr add 10.99.0.50/24 dev eth0
out=$(gx a ping -c 2 -i 0.2 -W 2 $SINK_V4 2>&1)
tap_check "a's kernel pings the sink from 10.99.0.50 (ARP and ICMP)" "exit 0" "exit $?" "$out"
gx a ip addr flush dev eth0

got=$(vg -j show vif5.0 | jq -r '[.interfaces[0].learned[]? |
	"\(.address) \(.family) \(.origin) \(.expiry) \(.expires_in_s > 3600)"] | join(",")')
tap_check "show -j: vif5.0 learned 10.99.0.50 by dhcp, more than 1 h to go" \
	"10.99.0.50 ipv4 dhcp lease true" "$got"
out=$(vg show vif5.0)
tap_check "show: dhcp learning on, the lease and its expiry" "yes" \
	"$(grep -q "dhcp learning: on, leased: 10\.99\.0\.50 (expires in 36[0-9][0-9]s)" <<<"$out" &&
	   echo yes || echo no)" "$out"

# ---- forged server messages ------------------------------------------------
vg_case "b forges an ACK for a (10.99.0.60): dropped at vif6.0" b vif6.0 1 0 \
	"dhcp-server+1 pass+1" $(ack $A_MAC 10.99.0.60 3600) --src-ip 10.99.0.6
tap_check "a learned nothing from it" "none" "$(owner 10.99.0.60)"
deliver "c (audit) forges an ACK for a (10.99.0.61): it reaches a" c a vif5.0 "" \
	$(ack $A_MAC 10.99.0.61 3600) --src-ip 10.99.0.9
tap_check "a guest without dhcp-server teaches nothing" "none" "$(owner 10.99.0.61)"
deliver "the server VM s sends an ACK for a (10.99.0.52, 2 h)" s a vif5.0 "" \
	$(ack $A_MAC 10.99.0.52 7200) --src-ip 10.99.0.8
tap_check "a server VM (dhcp-server) teaches: 10.99.0.52 learned by vif5.0" \
	"$A_IDX 3 live" "$(owner 10.99.0.52)"
deliver "an ACK for a MAC nobody has (10.99.0.62)" sink a vif5.0 "" \
	$(ack $NOBODY_MAC 10.99.0.62 3600)
tap_check "a chaddr that is not a's teaches a nothing" "none" "$(owner 10.99.0.62)"
deliver "an ACK for a without a lease time (10.99.0.63)" sink a vif5.0 "" \
	dhcp --op 2 --msg 5 --src-ip $SINK_V4 --chaddr $A_MAC --yiaddr 10.99.0.63
tap_check "no option 51: nothing learned" "none" "$(owner 10.99.0.63)"
deliver "an ACK for a of a multicast address (224.0.0.9)" sink a vif5.0 "" \
	$(ack $A_MAC 224.0.0.9 3600)
tap_check "a multicast yiaddr: nothing learned" "none" "$(owner 224.0.0.9)"

# END may be the message's last octet: no PAD after it.
deliver "an ACK for b whose END is its last octet (10.99.0.70)" sink b vif6.0 "" \
	$(ack $B_MAC 10.99.0.70 3600) --no-pad
tap_check "learned4: 10.99.0.70 learned by vif6.0" "$B_IDX 3 live" "$(owner 10.99.0.70)"

# mon_start FILE OPTS...: `vifguard OPTS monitor vif6.0 vif8.0` in the
# background, its lines in FILE; returns once it reads events: s (vif8.0)
# sends an unknown ethertype until that frame's event shows up (10 s).
mon_start() {
	local i
	MON_OUT=$1
	shift
	# Not through vg(): $! must be the monitor itself (ip execs it).
	ip netns exec "$HOST" "$VIFGUARD" -r "$ROOT" "$@" monitor vif6.0 vif8.0 >"$MON_OUT" \
		2>"$MON_OUT.err" &
	MON_PID=$!
	VG_BG+=("$MON_PID")
	for ((i = 0; i < 100; i++)); do
		gx s "$VGPKT" send -i eth0 raw --ethertype 0x88b6
		grep -q 'vif8.0.*ethertype' "$MON_OUT" && return 0
		kill -0 "$MON_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# mon_stop PATTERN: once a line matches (at most 10 s), SIGINT: the
# monitor reads what the buffers hold before it ends.
mon_stop() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep -q -- "$1" "$MON_OUT" && break
		sleep 0.1
	done
	kill -INT "$MON_PID"
	wait "$MON_PID"
	MON_RC=$?
}

# ---- conflicts -----------------------------------------------------------------
mon_start "$VG_TMP/mon.json" -j ||
	vg_bail "the monitor did not start: $(cat "$VG_TMP/mon.json" "$VG_TMP/mon.json.err")"
deliver "ACK for b of a's lease 10.99.0.50" sink b vif6.0 "learn-conflict+1" \
	$(ack $B_MAC 10.99.0.50 3600)
mon_stop '"iface":"vif6.0"'
tap_check "monitor -j: SIGINT ends it with exit 0" "0" "$MON_RC" "$(cat "$MON_OUT.err")"
got=$(jq -r 'select(.iface == "vif6.0") | [.reason, .action, .src_ip, .dst_ip, .protocol,
	.dst_port] | map(tostring) | join(" ")' "$MON_OUT")
tap_check "monitor -j: the refused ACK is one event of vif6.0, action refused" \
	"learn-conflict refused $SINK_V4 255.255.255.255 17 68" "$got" "$(cat "$MON_OUT")"
tap_check "10.99.0.50 stays a's" "$A_IDX 3 live" "$(owner 10.99.0.50)"
vg_case "b from a's lease 10.99.0.50 dropped" b vif6.0 1 0 "ipv4-src+1 pass+1" \
	udp4 --src-ip 10.99.0.50 --dst-ip $SINK_V4
deliver "ACK for a of b's configured 10.99.0.6" sink a vif5.0 "learn-conflict+1" \
	$(ack $A_MAC 10.99.0.6 3600)
# The text form, for a lease refused to b.
mon_start "$VG_TMP/mon.txt" ||
	vg_bail "the monitor did not start: $(cat "$VG_TMP/mon.txt" "$VG_TMP/mon.txt.err")"
deliver "ACK for b of the server VM's configured 10.99.0.8" sink b vif6.0 "learn-conflict+1" \
	$(ack $B_MAC 10.99.0.8 3600)
mon_stop ' vif6.0 '
got=$(grep -c ' vif6.0 learn refused learn-conflict: .* > 255.255.255.255 udp 67 > 68, ' \
	"$MON_OUT")
tap_check "monitor: the refused ACK as one text line, \"learn refused learn-conflict\"" \
	"1" "$got" "$(cat "$MON_OUT")"
tap_check "10.99.0.6 stays configured for b" "$B_IDX 1 -" "$(owner 10.99.0.6)"
vg_case "a from b's configured 10.99.0.6 dropped" a vif5.0 1 0 "ipv4-src+1 pass+1" \
	udp4 --src-ip 10.99.0.6 --dst-ip $SINK_V4
deliver "ACK for a of the server VM's configured 10.99.0.8" sink a vif5.0 "learn-conflict+1" \
	$(ack $A_MAC 10.99.0.8 3600)

# ---- the cap, renewal ------------------------------------------------------------
deliver "a third lease for a (10.99.0.53, 1 h)" sink a vif5.0 "" $(ack $A_MAC 10.99.0.53 3600)
tap_check "the cap (2): 10.99.0.50, which ended first, replaced" "10.99.0.52 10.99.0.53 none" \
	"$(rs_leases vif5.0) $(owner 10.99.0.50)"
tap_check "lease_slots: two slots of vif5.0" "2" "$(slots "$A_IDX")"
vg_case "a from the replaced 10.99.0.50 dropped" a vif5.0 1 0 "ipv4-src+1 pass+1" \
	udp4 --src-ip 10.99.0.50 --dst-ip $SINK_V4
vg_case "a from 10.99.0.53 passes" a vif5.0 1 1 "pass+2" udp4 --src-ip 10.99.0.53 --dst-ip $SINK_V4
deliver "ACK for b of 10.99.0.50, free again" sink b vif6.0 "" $(ack $B_MAC 10.99.0.50 3600)
tap_check "10.99.0.50 now b's" "$B_IDX 3 live" "$(owner 10.99.0.50)"
deliver "renewal of 10.99.0.53 for 5 h" sink a vif5.0 "" $(ack $A_MAC 10.99.0.53 18000)
e=$(expires 10.99.0.53)
tap_check "the renewal moved its end (18000 + 60 s)" "yes" \
	"$([ "$e" -gt 18040 ] && [ "$e" -le 18060 ] && echo yes || echo "no ($e s)")"

# ---- RELEASE, DECLINE, NAK ------------------------------------------------------
vg_case "a's DHCPRELEASE of 10.99.0.53 passes" a vif5.0 1 1 "pass+2" \
	dhcp --msg 7 --ciaddr 10.99.0.53 --src-ip 10.99.0.53 --dst-ip $SINK_V4
tap_check "it ended the lease" "10.99.0.52" "$(rs_leases vif5.0)"
vg_case "a from the released 10.99.0.53 dropped" a vif5.0 1 0 "ipv4-src+1 pass+1" \
	udp4 --src-ip 10.99.0.53 --dst-ip $SINK_V4
vg_case "a's DHCPRELEASE of b's 10.99.0.50 (from 0.0.0.0)" a vif5.0 1 1 "pass+2" \
	dhcp --msg 7 --ciaddr 10.99.0.50
tap_check "b keeps 10.99.0.50: a releases only its own" "$B_IDX 3 live" "$(owner 10.99.0.50)"
vg_case "a's DHCPDECLINE of 10.99.0.52" a vif5.0 1 1 "pass+2" dhcp --msg 4 --req-ip 10.99.0.52
tap_check "it ended that lease" "" "$(rs_leases vif5.0)"
deliver "ACK 10.99.0.54 for a" sink a vif5.0 "" $(ack $A_MAC 10.99.0.54 3600)
deliver "ACK 10.99.0.55 for a" sink a vif5.0 "" $(ack $A_MAC 10.99.0.55 3600)
tap_check "a holds 10.99.0.54 and 10.99.0.55" "10.99.0.54 10.99.0.55" "$(rs_leases vif5.0)"
deliver "a DHCPNAK for a" sink a vif5.0 "" dhcp --op 2 --msg 6 --src-ip $SINK_V4 --chaddr $A_MAC
tap_check "the NAK ended all of a's IPv4 leases" "" "$(rs_leases vif5.0)"
vg_case "a from 10.99.0.54 dropped after the NAK" a vif5.0 1 0 "ipv4-src+1 pass+1" \
	udp4 --src-ip 10.99.0.54 --dst-ip $SINK_V4
tap_check "b's lease untouched by a's NAK" "$B_IDX 3 live" "$(owner 10.99.0.50)"

# ---- expiry -----------------------------------------------------------------------
# The host's grace to 0.  vifguard.conf's `host dhcp-grace=` reaches
# learn_cfg (an array of one struct vg_learn_cfg) through sync and the
# Xen hotplug entry points, which this host without xenstore has not:
# written as they would.
"$BPFTOOL" map update pinned "$ROOT/learn_cfg" key 0 0 0 0 value 0 0 0 0 0 0 0 0 ||
	vg_bail "cannot write learn_cfg"
deliver "ACK 10.99.0.56 for a, a lease of 2 s, grace 0" sink a vif5.0 "" \
	$(ack $A_MAC 10.99.0.56 2)
vg_case "a from 10.99.0.56 passes during the lease" a vif5.0 1 1 "pass+2" \
	udp4 --src-ip 10.99.0.56 --dst-ip $SINK_V4
sleep 2.5
vg_case "a from 10.99.0.56 dropped once the lease ended" a vif5.0 1 0 "ipv4-src+1 pass+1" \
	udp4 --src-ip 10.99.0.56 --dst-ip $SINK_V4
vg_case "a's ARP for 10.99.0.56 dropped too" a vif5.0 1 0 "arp-spa+1 pass+1" \
	arp --spa 10.99.0.56 --tpa $SINK_V4
tap_check "learned4: the entry stays, expired, until gc" "$A_IDX 3 expired" "$(owner 10.99.0.56)"
out=$(vg show vif5.0)
tap_check "show: 10.99.0.56 expired" "yes" \
	"$(grep -q "leased:.* 10\.99\.0\.56 (expired)" <<<"$out" && echo yes || echo no)" "$out"
deliver "ACK 10.99.0.57 for a, an infinite lease" sink a vif5.0 "" \
	$(ack $A_MAC 10.99.0.57 4294967295)
tap_check "learned4: 10.99.0.57 forever" "$A_IDX 3 forever" "$(owner 10.99.0.57)"
out=$(vg show vif5.0)
tap_check "show: 10.99.0.57 never expires" "yes" \
	"$(grep -q "leased:.* 10\.99\.0\.57 (never expires)" <<<"$out" && echo yes || echo no)" "$out"
out=$(vg gc 2>&1)
tap_check "gc" "exit 0" "exit $?" "$out"
tap_check "gc removed the expired 10.99.0.56, kept 10.99.0.57" "none $A_IDX 3 forever" \
	"$(owner 10.99.0.56) $(owner 10.99.0.57)"
"$BPFTOOL" map update pinned "$ROOT/learn_cfg" key 0 0 0 0 value 60 0 0 0 0 0 0 0

# ---- DHCPv6 ------------------------------------------------------------------------
vg_case "a without a DHCPv6 lease: from fd00:99::50 dropped" a vif5.0 1 0 "ipv6-src+1 pass+1" \
	udp6 --src-ip fd00:99::50 --dst-ip $SINK_V6
deliver "Reply for a: IA_NA fd00:99::50 (1 h)" sink a vif5.0 "" \
	$(reply $A_MAC 3600 fd00:99::50)
tap_check "learned6: fd00:99::50 learned by vif5.0 (origin dhcp)" "$A_IDX 3 live" \
	"$(owner fd00:99::50)"
vg_case "a from fd00:99::50 passes" a vif5.0 1 1 "pass+2" \
	udp6 --src-ip fd00:99::50 --dst-ip $SINK_V6
vg_case "a from fd00:99::51 (not leased) dropped" a vif5.0 1 0 "ipv6-src+1 pass+1" \
	udp6 --src-ip fd00:99::51 --dst-ip $SINK_V6
deliver "Reply for a: IA_TA fd00:99::5a" sink a vif5.0 "" \
	$(reply $A_MAC 3600 fd00:99::5a) --ia-ta
tap_check "IA_TA: fd00:99::5a learned" "$A_IDX 3 live" "$(owner fd00:99::5a)"
deliver "Reply to a MAC nobody has (fd00:99::59)" sink a vif5.0 "" \
	$(reply $NOBODY_MAC 3600 fd00:99::59)
tap_check "a Reply not to a's MAC teaches a nothing" "none" "$(owner fd00:99::59)"
deliver "Reply for a of b's configured fd00:99::6" sink a vif5.0 "learn-conflict+1" \
	$(reply $A_MAC 3600 fd00:99::6)
vg_case "a from b's fd00:99::6 dropped" a vif5.0 1 0 "ipv6-src+1 pass+1" \
	udp6 --src-ip fd00:99::6 --dst-ip $SINK_V6
deliver "Reply for a: fe80::5:5 and ff02::5 (never learned)" sink a vif5.0 "" \
	$(reply $A_MAC 3600 fe80::5:5 ff02::5)
tap_check "link-local and multicast addresses: nothing learned" "none none" \
	"$(owner fe80::5:5) $(owner ff02::5)"
# Broadcast, so that it would reach the sink if it passed.
vg_case "b forges a Reply for a: dropped at vif6.0" b vif6.0 1 0 "dhcpv6-server+1 pass+1" \
	dhcp6 --dst-mac ff:ff:ff:ff:ff:ff --dst-ip fe80::ff:fe00:500 --ia-addr fd00:99::58
tap_check "nobody learned fd00:99::58" "none" "$(owner fd00:99::58)"
deliver "Reply for a with four addresses" sink a vif5.0 "" \
	$(reply $A_MAC 3600 fd00:99::61 fd00:99::62 fd00:99::63 fd00:99::64)
tap_check "the first three count" "$A_IDX 3 live $A_IDX 3 live $A_IDX 3 live none" \
	"$(owner fd00:99::61) $(owner fd00:99::62) $(owner fd00:99::63) $(owner fd00:99::64)"
tap_check "the cap (4): fd00:99::50, which ended first, replaced by the third" \
	"10.99.0.57 fd00:99::5a fd00:99::61 fd00:99::62 fd00:99::63" "$(rs_leases vif5.0)"
deliver "Reply for a: fd00:99::61 with valid lifetime 0" sink a vif5.0 "" \
	$(reply $A_MAC 0 fd00:99::61)
vg_case "a from fd00:99::61 dropped after lifetime 0" a vif5.0 1 0 "ipv6-src+1 pass+1" \
	udp6 --src-ip fd00:99::61 --dst-ip $SINK_V6
vg_case "a's DHCPv6 Release of fd00:99::62" a vif5.0 1 1 "pass+2" \
	dhcp6 --msg 8 --ia-addr fd00:99::62
vg_case "a from the released fd00:99::62 dropped" a vif5.0 1 0 "ipv6-src+1 pass+1" \
	udp6 --src-ip fd00:99::62 --dst-ip $SINK_V6
# A Release or Decline ends every DHCPv6 lease of the interface: the
# guest's next Reply teaches again those it keeps.
vg_case "a from fd00:99::63, which the Release did not name, dropped too" a vif5.0 1 0 \
	"ipv6-src+1 pass+1" udp6 --src-ip fd00:99::63 --dst-ip $SINK_V6
deliver "Reply for a: fd00:99::63 again" sink a vif5.0 "" \
	$(reply $A_MAC 3600 fd00:99::63)
vg_case "a from fd00:99::63 passes again" a vif5.0 1 1 "pass+2" \
	udp6 --src-ip fd00:99::63 --dst-ip $SINK_V6

# ---- what an operator sees ---------------------------------------------------------
vg_stats vif5.0
tap_check "stats -j: vif5.0's learn-conflict counter (10.99.0.6, .8, fd00:99::6)" "3" \
	"${STATS[learn-conflict]:-0}"
out=$(vg stats vif5.0)
tap_check "stats: learn-conflict listed by name" "yes" \
	"$(grep -q "learn-conflict" <<<"$out" && echo yes || echo no)" "$out"
got=$(vg -j show vif5.0 | jq -r '[.interfaces[0].learned[]? | select(.origin == "dhcp" and .expiry != "expired") | .address] | sort | join(" ")')
tap_check "show -j: what vif5.0 holds by DHCP" "10.99.0.57 fd00:99::63" "$got"

out=$(vg detach vif5.0 2>&1)
tap_check "detach vif5.0" "exit 0" "exit $?" "$out"
left=$({ "$BPFTOOL" -j map dump pinned "$ROOT/learned4"; "$BPFTOOL" -j map dump pinned "$ROOT/learned6"; } |
	jq -s --argjson i "$A_IDX" '[.[][] | select(.formatted.value.ifindex == $i)] | length')
tap_check "detach: no learned4, learned6 or lease_slots entry names vif5.0" "0 0" \
	"$left $(slots "$A_IDX")"

tap_done
