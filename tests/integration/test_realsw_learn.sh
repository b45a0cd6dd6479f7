#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Link-local learning with real guests' kernels and radvd: only the SLAAC
# prefix is configured for each VIF, never a link-local address.
#
#   g1  stable-privacy link-local (addr_gen_mode 2, NetworkManager's
#       default), g2 random identifiers (addr_gen_mode 3, like Windows):
#       each brings IPv6 up through its locked VIF (DAD, SLAAC from radvd,
#       a default route, ping to the router's link-local and global).
#   g3  the same as g1 with `--learn none`: its IPv6 never comes up.
#   g4  claims the router's link-local before the router advertises:
#       the router defends it, the guest's own kernel marks it dadfailed,
#       and the Neighbour Advertisement that reached the guest revoked it.
#   g5  after radvd's adverts: claims the router's link-local (protected),
#       g1's learned address (held), and more than its cap.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/realsw/lib.sh"
vg_init
m=$(rs_missing radvd) && vg_skip_all "$m not installed (scripts/install-deps.sh)"

SLAAC=fd00:99:1::/64
SINK_LL=fe80::ff:fe00:1	# EUI-64 of sink0's MAC, the router's
G1_MAC=02:00:00:00:41:00
G2_MAC=02:00:00:00:42:00
G3_MAC=02:00:00:00:43:00
G4_MAC=02:00:00:00:44:00
G5_MAC=02:00:00:00:45:00

# learned IFACE: the link-local addresses learned6 says IFACE learned
# (origin dad), sorted, one line.
learned() {
	local ifx
	ifx=$(vg_ifindex "$1")
	"$BPFTOOL" -j map dump pinned "$ROOT/learned6" | "$RS_PY" -c '
import ipaddress, json, sys
out = []
for e in json.load(sys.stdin):
    k = bytes(int(b, 16) for b in e["key"])
    v = bytes(int(b, 16) for b in e["value"])
    if int.from_bytes(v[0:4], sys.byteorder) == int(sys.argv[1]) and v[4] == 2:
        out.append(str(ipaddress.IPv6Address(k)))
print(" ".join(sorted(out)))' "$ifx"
}

# protected ADDR: protected6 holds ADDR; prints its "why" (1 config,
# 2 bridge, 3 ra).
protected() {
	"$BPFTOOL" -j map dump pinned "$ROOT/protected6" | "$RS_PY" -c '
import ipaddress, json, sys
want = ipaddress.IPv6Address(sys.argv[1]).packed
for e in json.load(sys.stdin):
    if bytes(int(b, 16) for b in e["key"]) == want:
        print(int(e["value"][0], 16)); sys.exit(0)
sys.exit(1)' "$1"
}

# ll GUEST: the guest's link-local address on eth0.
ll() {
	ip -n "$VG_ID-$1" -6 -o addr show dev eth0 scope link | awk '{print $4}' | cut -d/ -f1 |
		head -n 1
}

# addr_word LINE: "tentative", "dadfailed", "ok" for a line of `ip -o addr`,
# "absent" for none.
addr_word() {
	case $1 in
	"") echo absent ;;
	*dadfailed*) echo dadfailed ;;
	*tentative*) echo tentative ;;
	*) echo ok ;;
	esac
}

# addr_state GUEST ADDR: the state of ADDR on the guest's eth0.
addr_state() {
	addr_word "$(ip -n "$VG_ID-$1" -6 -o addr show dev eth0 | grep -F " $2/")"
}

addr_settled() { [ "$(addr_state "$1" "$2")" != tentative ]; }

# sink_ll_state: the state of the router's link-local on sink0.
sink_ll_state() {
	addr_word "$(ip -n "$SINK" -6 -o addr show dev sink0 | grep -F " $SINK_LL/")"
}

sink_ll_settled() { [ "$(sink_ll_state)" != tentative ]; }

# privacy GUEST MODE: addr_gen_mode MODE (2 stable-privacy with a secret
# of its own, 3 random) on eth0 before the link comes up.
privacy() {
	local g=$1 mode=$2
	if [ "$mode" = 2 ]; then
		gx "$g" sysctl -qw "net.ipv6.conf.eth0.stable_secret=fd12:3456:789a:1::$(printf %x $RANDOM)"
	fi
	gx "$g" sysctl -qw "net.ipv6.conf.eth0.addr_gen_mode=$mode"
}

# ---- g4: the router's link-local, claimed before any advert ----------------
vg_guest g4 vif44.0 $G4_MAC
out=$(vg attach vif44.0 --mac $G4_MAC --ipv6 $SLAAC 2>&1)
tap_check "attach vif44.0 (learning by default)" "exit 0" "exit $?" "$out"
vg_up g4
vg_wait_dad g4
rs_snap g4 vif44.0
# The router defends only an address past its own DAD: a probe for it
# while it is tentative takes it from the router instead.
rs_wait 5 sink_ll_settled
tap_check "the router's $SINK_LL is past its own DAD" "ok" "$(sink_ll_state)"
gx g4 ip addr add "$SINK_LL/64" dev eth0
rs_wait 5 addr_settled g4 "$SINK_LL"
st=$(addr_state g4 "$SINK_LL")
tap_check "g4 claims the router's $SINK_LL before any RA: the router defends, g4's kernel says" \
	"dadfailed" "$st"
got=$(learned vif44.0)
tap_check "the defending NA delivered to vif44.0 revoked what its probe taught" "" "$got"
gx g4 ip addr del "$SINK_LL/64" dev eth0
# A link-local nobody holds: learned, and usable.
gx g4 ip addr add fe80::4:1/64 dev eth0
rs_wait 5 addr_settled g4 fe80::4:1
tap_check "g4 adds fe80::4:1, which nobody holds: DAD succeeds" "ok" "$(addr_state g4 fe80::4:1)"
tap_check "fe80::4:1 learned by vif44.0" "fe80::4:1" "$(learned vif44.0)"
out=$(gx g4 ping -6 -c 2 -i 0.2 -W 2 -I fe80::4:1%eth0 "$SINK_LL%eth0" 2>&1)
tap_check "g4 pings the router from its learned fe80::4:1" "exit 0" "exit $?" "$out"

# ---- radvd: the router advertises ------------------------------------------
rs_radvd_sink "$SLAAC"
rs_wait 10 protected "$SINK_LL" >/dev/null
why=$(protected "$SINK_LL")
tap_check "an RA delivered to the guests protects the router's $SINK_LL (why 3: ra)" "3" "$why"

# ---- g1, g2: privacy addresses bring IPv6 up ------------------------------
for spec in "g1 vif41.0 $G1_MAC 2 stable-privacy" "g2 vif42.0 $G2_MAC 3 random"; do
	read -r g vif mac mode what <<<"$spec"
	vg_guest "$g" "$vif" "$mac"
	privacy "$g" "$mode"
	out=$(vg attach "$vif" --mac "$mac" --ipv6 $SLAAC 2>&1)
	tap_check "attach $vif (only $SLAAC configured)" "exit 0" "exit $?" "$out"
	vg_up "$g"
done
slaac_up() {
	local a
	a=$(ip -n "$VG_ID-$1" -6 -o addr show dev eth0 scope global)
	[[ $a == *"fd00:99:1:"* ]] && [[ $a != *tentative* ]] &&
		[ -n "$(ip -n "$VG_ID-$1" -6 route show default)" ]
}
for spec in "g1 vif41.0 $G1_MAC stable-privacy" "g2 vif42.0 $G2_MAC random"; do
	read -r g vif mac what <<<"$spec"
	rs_wait 15 slaac_up "$g"
	a=$(ll "$g")
	st=$(addr_state "$g" "$a")
	if [ -n "$a" ] && [ "$st" = ok ] && [[ $a != *ff:fe* ]]; then
		tap_ok "$g ($what): link-local $a, not EUI-64, DAD done"
	else
		tap_fail "$g ($what): a non-EUI-64 link-local, DAD done" "state ok" \
			"${a:-none} $st" "$(ip -n "$VG_ID-$g" -6 -o addr show dev eth0)"
	fi
	tap_check "$g: $a learned by $vif" "$a" "$(learned "$vif")"
	route=$(ip -n "$VG_ID-$g" -6 route show default | awk '{print $3, $5}')
	tap_check "$g: SLAAC default route via the router" "$SINK_LL eth0" "$route"
	out=$(gx "$g" ping -6 -c 2 -i 0.2 -W 2 "$SINK_LL%eth0" 2>&1)
	tap_check "$g: ping the router's link-local" "exit 0" "exit $?" "$out"
	out=$(gx "$g" ping -6 -c 2 -i 0.2 -W 2 fd00:99:1::1 2>&1)
	tap_check "$g: ping the router's global fd00:99:1::1" "exit 0" "exit $?" "$out"
	tap_check "$g: nothing dropped on $vif" "" "$(rs_drops "$vif")"
done
G1_LL=$(ll g1)

# ---- g3: the same guest with learning off ---------------------------------
vg_guest g3 vif43.0 $G3_MAC
privacy g3 2
out=$(vg attach vif43.0 --mac $G3_MAC --ipv6 $SLAAC --learn none 2>&1)
tap_check "attach vif43.0 --learn none" "exit 0" "exit $?" "$out"
vg_up g3
rs_wait 8 slaac_up g3
tap_check "g3 (learning off): nothing learned" "" "$(learned vif43.0)"
out=$(gx g3 ping -6 -c 1 -W 2 "$SINK_LL%eth0" 2>&1)
tap_check "g3 (learning off): its link-local cannot reach the router" "exit 1" "exit $?" "$out"
d=$(rs_drops vif43.0)
if [[ $d == *nd-target=* ]] && [[ $d == *ipv6-src=* ]]; then
	tap_ok "g3: its DAD probe dropped as nd-target, its frames as ipv6-src ($d)"
else
	tap_fail "g3: DAD probe and frames dropped" "nd-target=N ipv6-src=N" "$d"
fi

# ---- g5: claims after the adverts -----------------------------------------
vg_guest g5 vif45.0 $G5_MAC
out=$(vg attach vif45.0 --mac $G5_MAC --ipv6 $SLAAC 2>&1)
tap_check "attach vif45.0" "exit 0" "exit $?" "$out"
vg_up g5
vg_wait_dad g5
# Each claimed address pings the other one's owner (not itself: the
# guest holds the address it claims).
for spec in "$SINK_LL learn-protected $G1_LL the router's" \
	    "$G1_LL learn-conflict $SINK_LL g1's learned"; do
	read -r a reason peer what <<<"$spec"
	rs_snap g5 vif45.0
	gx g5 ip addr add "$a/64" dev eth0
	rs_wait 5 addr_settled g5 "$a"
	# The probe never reached the owner.  The guest's DAD may still fail
	# (the owner's own NAs reach it while it probes) or "succeed"; either
	# way, everything it sends from the address is dropped: sent from an
	# address it holds without DAD if need be.
	st=$(addr_state g5 "$a")
	if [ "$st" != ok ]; then
		gx g5 ip addr del "$a/64" dev eth0
		gx g5 ip addr add "$a/64" dev eth0 nodad
	fi
	out=$(gx g5 ping -6 -c 1 -W 1 -I "$a%eth0" "$peer%eth0" 2>&1)
	rc=$?
	rs_delta_since g5 vif45.0
	if [ "${D[$reason]:-0}" -ge 1 ] && [ "${D[ipv6-src]:-0}" -ge 1 ] && [ $rc != 0 ]; then
		tap_ok "g5 claims $what $a: $reason, then its frames from it dropped ($DELTA)"
	else
		tap_fail "g5 claims $what $a" "$reason+1 and ipv6-src+N, ping fails" \
			"$DELTA, ping exit $rc, address $st" "$out"
	fi
	gx g5 ip addr del "$a/64" dev eth0
done
tap_check "g5 learned nothing" "" "$(learned vif45.0)"
out=$(gx g1 ping -6 -c 2 -i 0.2 -W 2 "$SINK_LL%eth0" 2>&1)
tap_check "g1 still reaches the router from $G1_LL" "exit 0" "exit $?" "$out"
# Three addresses nobody holds: the cap of 2 keeps the two newest.
for a in fe80::5:1 fe80::5:2 fe80::5:3; do
	gx g5 ip addr add "$a/64" dev eth0
	rs_wait 5 addr_settled g5 "$a"
	sleep 0.2
done
tap_check "g5 probes three addresses: the cap (2) keeps the newest" \
	"fe80::5:2 fe80::5:3" "$(learned vif45.0)"
out=$(gx g5 ping -6 -c 1 -W 1 -I fe80::5:1%eth0 "$SINK_LL%eth0" 2>&1)
tap_check "g5: the replaced fe80::5:1 no longer passes" "exit 1" "exit $?" "$out"
out=$(gx g5 ping -6 -c 2 -i 0.2 -W 2 -I fe80::5:3%eth0 "$SINK_LL%eth0" 2>&1)
tap_check "g5: fe80::5:3 passes" "exit 0" "exit $?" "$out"

# ---- detach forgets --------------------------------------------------------
out=$(vg detach vif41.0 2>&1)
tap_check "detach vif41.0" "exit 0" "exit $?" "$out"
got=$("$BPFTOOL" -j map dump pinned "$ROOT/learned6" | "$RS_PY" -c '
import ipaddress, json, sys
want = ipaddress.IPv6Address(sys.argv[1]).packed
print(sum(bytes(int(b, 16) for b in e["key"]) == want for e in json.load(sys.stdin)))' "$G1_LL")
tap_check "detach removed $G1_LL from learned6" "0" "$got"

tap_done
