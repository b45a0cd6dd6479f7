#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# DHCP snooping with real software only: dnsmasq on the router (the sink)
# serves DHCPv4 and DHCPv6 (radvd sets the M flag), and every guest sits
# behind a VIF attached with --learn dhcp and no address at all, as an
# operator would for guests whose addresses nobody knows in advance.
#
#   g1  ISC dhclient -4, then dhclient -6; at the end dhclient -r
#       (DHCPRELEASE) and dhclient -6 -r (Release): vifguard forgets each
#       lease and the address the guest still holds no longer passes.
#   g2  dhcpcd (RFC 5227 probing before it binds).
#   g3  busybox udhcpc, kept running: SIGUSR1 renews the lease, which
#       moves its end in vifguard and keeps working.
#   g4  an attacker with a lease of its own (udhcpc): its kernel sends
#       from g1's leases (IPv4 and IPv6) and from a pool address nobody
#       leased, and a rogue DHCP server (scapy) offers addresses to the
#       others: all dropped at its VIF, nobody learns from it.
# Each legitimate guest gets its lease, pings the router from it (v4 and,
# for g1, v6), and has nothing dropped on its VIF.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/realsw/lib.sh"
vg_init
m=$(rs_missing dnsmasq radvd) && vg_skip_all "$m not installed (scripts/install-deps.sh)"

POOL_FIRST=10.99.0.130
POOL_LAST=10.99.0.190
POOL6=fd00:99::1000/116
SLAAC=fd00:99:1::/64
G1_MAC=02:00:00:00:51:00
G2_MAC=02:00:00:00:52:00
G3_MAC=02:00:00:00:53:00
G4_MAC=02:00:00:00:54:00

out=$(vg attach vif51.0 --mac $G1_MAC --learn dhcp --dry-run 2>&1)
[ $? = 2 ] && grep -q "'dhcp'" <<<"$out" && vg_skip_all "this vifguard has no --learn dhcp: $out"

# Two minutes, dnsmasq's shortest lease: renewals come from the test.
rs_dnsmasq dhcp "$SINK" sink0 67 --no-ping \
	--dhcp-range=$POOL_FIRST,$POOL_LAST,255.255.255.0,2m \
	--dhcp-range=fd00:99::1000,fd00:99::1fff,64,2m \
	--dhcp-option=option:router,$SINK_V4 ||
	vg_bail "dnsmasq did not start: $(cat "$VG_TMP/dhcp.log")"
# DHCPv6 addresses (M flag) in fd00:99::/64, on-link, not autonomous.
rs_radvd_sink "$SLAAC"

for spec in "g1 vif51.0 $G1_MAC" "g2 vif52.0 $G2_MAC" "g3 vif53.0 $G3_MAC" \
	    "g4 vif54.0 $G4_MAC"; do
	read -r g vif mac <<<"$spec"
	vg_guest "$g" "$vif" "$mac"
	# Addresses come from DHCPv6 only: no SLAAC address in $SLAAC,
	# which no policy allows.
	gx "$g" sysctl -qw net.ipv6.conf.eth0.autoconf=0
	if [ "$g" = g4 ]; then
		rs_attach_attacker "$vif" --mac "$mac" --learn dhcp
	else
		out=$(vg attach "$vif" --mac "$mac" --learn dhcp 2>&1)
		tap_check "attach $vif --learn dhcp, no address" "exit 0" "exit $?" "$out"
	fi
	vg_up "$g"
done
for g in g1 g2 g3 g4; do vg_wait_dad $g; done

# ip_on GUEST ADDR: the guest holds ADDR on eth0, DAD done.
ip_on() {
	ip -n "$VG_ID-$1" -o addr show dev eth0 | grep -F " $2/" | grep -vq tentative
}

# lease NAME GUEST VIF TAG EVENT VAR [-6]: one TAP line: the client
# reported EVENT within 20 s with its address in VAR, the guest holds
# it, and VIF learned it; sets LEASE to it.
lease() {
	local name=$1 g=$2 vif=$3 tag=$4 ev=$5 var=$6 fam=${7:-} held
	LEASE=
	if ! rs_wait 20 rs_event "$tag" "$ev"; then
		tap_fail "$name" "$ev within 20 s" \
			"events: $(tr '\n' ' ' <"$VG_TMP/$tag.events")" \
			"$(tail -n 15 "$VG_TMP/$tag.log")" "drops: $(rs_drops "$vif")"
		return
	fi
	LEASE=$(rs_var "$tag" "$ev" "$var")
	rs_wait 5 ip_on "$g" "$LEASE"
	held=$(rs_leases "$vif")
	local ok=no
	if [ "$fam" = -6 ]; then
		"$RS_PY" -c "import ipaddress,sys
sys.exit(ipaddress.IPv6Address(sys.argv[1]) not in ipaddress.IPv6Network(sys.argv[2]))" \
			"$LEASE" $POOL6 2>/dev/null && ok=yes
	else
		rs_in_range "$LEASE" $POOL_FIRST $POOL_LAST && ok=yes
	fi
	if [ $ok = yes ] && ip_on "$g" "$LEASE" && [[ " $held " == *" $LEASE "* ]]; then
		tap_ok "$name: $LEASE, learned by $vif"
	else
		tap_fail "$name" "an address of the pool, on eth0, learned by $vif" \
			"$LEASE (on eth0: $(ip_on "$g" "$LEASE" && echo yes || echo no)), $vif holds: ${held:-nothing}" \
			"drops: $(rs_drops "$vif")"
	fi
}

# pings NAME GUEST [-6] SRC DST: one TAP line, the ping succeeds.
pings() {
	local name=$1 g=$2 fam=''
	shift 2
	[ "$1" = -6 ] && fam=-6 && shift
	out=$(gx "$g" ping $fam -c 2 -i 0.2 -W 2 -I "$1" "$2" 2>&1)
	tap_check "$name" "exit 0" "exit $?" "$out"
}

# ---- three DHCPv4 clients ------------------------------------------------------
if ! rs_skip_missing "dhclient -4" dhclient; then
	rs_dhclient g1 dh4
	lease "ISC dhclient -4 lease" g1 vif51.0 dh4 BOUND new_ip_address
	G1_V4=$LEASE
fi
if ! rs_skip_missing "dhcpcd" dhcpcd; then
	rs_dhcpcd g2 dcd
	lease "dhcpcd lease, after its RFC 5227 probes" g2 vif52.0 dcd BOUND new_ip_address
	G2_V4=$LEASE
fi
if ! rs_skip_missing "udhcpc" udhcpc; then
	rs_udhcpc g3 udh stay
	lease "busybox udhcpc lease" g3 vif53.0 udh bound ip
	G3_V4=$LEASE
	rs_udhcpc g4 atk
	lease "the attacker's own udhcpc lease" g4 vif54.0 atk bound ip
	G4_V4=$LEASE
fi
[ -n "${G1_V4:-}" ] && pings "g1 pings the router from its lease $G1_V4" g1 "$G1_V4" $SINK_V4
[ -n "${G2_V4:-}" ] && pings "g2 pings the router from its lease $G2_V4" g2 "$G2_V4" $SINK_V4
[ -n "${G3_V4:-}" ] && pings "g3 pings the router from its lease $G3_V4" g3 "$G3_V4" $SINK_V4
[ -n "${G4_V4:-}" ] && pings "g4 pings the router from its own lease $G4_V4" g4 "$G4_V4" $SINK_V4

# ---- DHCPv6 ----------------------------------------------------------------------
if ! rs_skip_missing "dhclient -6" dhclient; then
	rs_dhclient g1 dh6 -6
	lease "ISC dhclient -6 lease (IA_NA)" g1 vif51.0 dh6 BOUND6 new_ip6_address -6
	G1_V6=$LEASE
	[ -n "$G1_V6" ] && pings "g1 pings the router from its DHCPv6 lease $G1_V6" g1 -6 "$G1_V6" $SINK_V6
fi

# ---- renewal --------------------------------------------------------------------
# left VIF ADDR: seconds until ADDR's entry ends (vifguard show -j).
left() {
	vg -j show "$1" | jq -r --arg a "$2" \
		'[.interfaces[0].learned[]? | select(.address == $a) | .expires_in_s][0] // "none"'
}
if [ -n "${G3_V4:-}" ]; then
	left0=$(left vif53.0 "$G3_V4")
	sleep 3
	n=$(grep -c . "$VG_TMP/udh.events")
	kill -USR1 "$(cat "$VG_TMP/udh.pid")"
	rs_wait 10 sh -c "[ \$(grep -c . '$VG_TMP/udh.events') -gt $n ]"
	ev=$(tail -n 1 "$VG_TMP/udh.events")
	left1=$(left vif53.0 "$G3_V4")
	if [ "$ev" = renew ] && [[ $left0 =~ ^[0-9]+$ ]] && [[ $left1 =~ ^[0-9]+$ ]] &&
	   [ "$left1" -gt "$left0" ]; then
		tap_ok "udhcpc renews $G3_V4: its end in vifguard moved (${left0}s -> ${left1}s left)"
	else
		tap_fail "udhcpc renews $G3_V4" "event renew, more time left after it" \
			"event $ev, ${left0}s -> ${left1}s left" "$(vg show vif53.0)" \
			"$(tail -n 5 "$VG_TMP/udh.log")"
	fi
	pings "g3 still pings the router from the renewed $G3_V4" g3 "$G3_V4" $SINK_V4
fi

# ---- what the legitimate guests sent: not one drop ------------------------------
for vif in vif51.0 vif52.0 vif53.0; do
	vg_stats $vif
	tap_check "$vif: no drop (passed ${STATS[pass]:-0})" "no drop" "$(d=$(rs_drops $vif); echo "${d:-no drop}")"
done
out=$(vg show vif51.0)
want="${G1_V4:-}${G1_V6:+ $G1_V6}"
for a in $want; do
	tap_check "show vif51.0: $a leased" "yes" \
		"$(grep "dhcp learning: on, leased:" <<<"$out" | grep -qF " $a (expires in " &&
		   echo yes || echo no)" "$out"
done

# ---- the attacker ---------------------------------------------------------------
# forged NAME FROM_ADDR DST [-6] REASON...: g4's kernel holds FROM_ADDR
# too and pings DST from it: the ping fails, vif54.0 drops as one of the
# REASONs at least (the echo requests, or the ARP or Neighbour
# Solicitation that would precede them, whichever the kernel sends).
forged() {
	local name=$1 a=$2 dst=$3 fam='' r rc n=0
	shift 3
	[ "$1" = -6 ] && fam=-6 && shift
	rs_snap f vif54.0
	if [ "$fam" = -6 ]; then
		gx g4 ip -6 addr add "$a/128" dev eth0 nodad
	else
		gx g4 ip addr add "$a/32" dev eth0
	fi
	out=$(gx g4 ping $fam -c 2 -i 0.2 -W 1 -I "$a" "$dst" 2>&1)
	rc=$?
	gx g4 ip addr del "$a/$([ "$fam" = -6 ] && echo 128 || echo 32)" dev eth0
	rs_delta_since f vif54.0
	for r; do n=$((n + ${D[$r]:-0})); done
	if [ $rc != 0 ] && [ $n -ge 1 ]; then
		tap_ok "$name: ping fails, vif54.0 drops $DELTA"
	else
		tap_fail "$name" "ping fails, $* +N" "ping exit $rc, ${DELTA:-no drop}" "$out"
	fi
}
if [ "${VG_REALSW_UNGUARDED:-0}" != 1 ]; then
	[ -n "${G1_V4:-}" ] && forged "g4 sends from g1's lease $G1_V4" "$G1_V4" $SINK_V4 ipv4-src arp-spa
	[ -n "${G1_V6:-}" ] && forged "g4 sends from g1's DHCPv6 lease $G1_V6" "$G1_V6" $SINK_V6 -6 ipv6-src
	forged "g4 sends from $POOL_LAST, leased to nobody" $POOL_LAST $SINK_V4 ipv4-src arp-spa
	[ -n "${G1_V4:-}" ] && pings "g1 still reaches the router from $G1_V4" g1 "$G1_V4" $SINK_V4
fi

# A rogue DHCP server in g4 answers udhcpc in g2 (whose dhcpcd is done):
# its ACKs die at vif54.0, so g2 binds to the router's lease and vif52.0
# learns nothing from the rogue's pool.
name="rogue DHCP server in g4 (scapy)"
if ! rs_skip_missing "$name" scapy udhcpc; then
	rs_snap rogue vif54.0
	rs_bg rogue "$VG_ID-g4" 30 "$RS_PY" "$RS_DIR/dhcp_rogue.py" eth0 \
		--server "${G4_V4:-10.99.0.254}" --pool 10.99.0.220 --duration 25
	if ! rs_wait 10 grep -qs ready "$VG_TMP/rogue.log"; then
		tap_skip "$name" "the rogue did not start: $(tail -n 3 "$VG_TMP/rogue.log")"
	else
		rs_udhcpc g2 udh2
		rs_reap udh2 15
		got=$(rs_var udh2 bound serverid)
		held=$(rs_leases vif52.0)
		rogue=$(tr ' ' '\n' <<<"$held" | grep -c '^10\.99\.0\.22')
		[[ $held == unreadable* ]] && rogue=$held
		tap_check "$name: g2 bound from the router, vif52.0 learned none of the rogue's" \
			"server $SINK_V4, rogue's 0" "server ${got:-none}, rogue's $rogue" \
			"vif52.0 holds: $held" "$(tail -n 5 "$VG_TMP/rogue.log")"
		rs_stop rogue
		sleep 0.2
		replies=$(grep -Ec "^(OFFER|ACK)" "$VG_TMP/rogue.log")
		if [ "${VG_REALSW_UNGUARDED:-0}" != 1 ]; then
			rs_expect_drops "$name: its $replies replies" vif54.0 rogue dhcp-server "$replies" exact
		fi
	fi
	rs_stop rogue
fi

# ---- dhclient -r ---------------------------------------------------------------
if [ -n "${G1_V4:-}" ]; then
	rs_stop dh4
	# The same configuration and lease file as the client that leased.
	out=$(gx g1 timeout 15 dhclient -r -v -cf "$VG_TMP/dh4.conf" -lf "$VG_TMP/dh4.leases" \
		-pf "$VG_TMP/dh4r.pid" -sf "$VG_TMP/dh4.sh" eth0 2>&1)
	tap_check "dhclient -r: a DHCPRELEASE for $G1_V4" "exit 0, RELEASE sent" \
		"exit $?, $(grep -q "DHCPRELEASE" <<<"$out" && echo "RELEASE sent" || echo "no RELEASE")" "$out"
	held=$(rs_leases vif51.0)
	tap_check "vifguard forgot the released $G1_V4" "held: no" \
		"held: $(case " $held " in " unreadable"*) echo "$held" ;;
			*" $G1_V4 "*) echo yes ;; *) echo no ;; esac)" "vif51.0 holds: ${held:-nothing}"
	show=$(vg show vif51.0)
	if grep "leased:" <<<"$show" | grep -qF " $G1_V4 (expires in "; then
		tap_fail "show vif51.0: $G1_V4 no longer a live lease" "absent or expired" \
			"$(grep -F "$G1_V4" <<<"$show")" "$show"
	else
		tap_ok "show vif51.0: $G1_V4 no longer a live lease"
	fi
	# The script leaves the address on eth0: the guest still uses it.
	gx g1 ip addr replace "$G1_V4/24" dev eth0
	rs_snap rel vif51.0
	out=$(gx g1 ping -c 2 -i 0.2 -W 1 -I "$G1_V4" $SINK_V4 2>&1)
	rc=$?
	rs_delta_since rel vif51.0
	tap_check "g1 from the released $G1_V4: dropped" "ping exit 1, ipv4-src" \
		"ping exit $rc, $([ "${D[ipv4-src]:-0}" -ge 1 ] && echo ipv4-src || echo "$DELTA")" "$out"
fi
if [ -n "${G1_V6:-}" ]; then
	rs_stop dh6
	out=$(gx g1 timeout 15 dhclient -6 -r -v -cf "$VG_TMP/dh6.conf" -lf "$VG_TMP/dh6.leases" \
		-pf "$VG_TMP/dh6r.pid" -sf "$VG_TMP/dh6.sh" eth0 2>&1)
	tap_check "dhclient -6 -r: a Release for $G1_V6" "exit 0" "exit $?" "$out"
	held=$(rs_leases vif51.0)
	tap_check "vifguard forgot the released $G1_V6" "held: no" \
		"held: $(case " $held " in " unreadable"*) echo "$held" ;;
			*" $G1_V6 "*) echo yes ;; *) echo no ;; esac)" "vif51.0 holds: ${held:-nothing}"
	gx g1 ip -6 addr replace "$G1_V6/128" dev eth0 nodad
	rs_snap rel6 vif51.0
	out=$(gx g1 ping -6 -c 3 -i 0.3 -W 2 -I "$G1_V6" $SINK_V6 2>&1)
	rc=$?
	rs_delta_since rel6 vif51.0
	tap_check "g1 from the released $G1_V6: dropped" "ping exit 1, ipv6-src" \
		"ping exit $rc, $([ "${D[ipv6-src]:-0}" -ge 1 ] && echo ipv6-src || echo "$DELTA")" "$out"
fi

tap_done
