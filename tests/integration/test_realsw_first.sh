#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Trust on first use with real guests' software: every guest's VIF is
# attached `--learn first` with no address configured, only its MAC.
# The sink is the router: 10.99.0.1 (listed in `host protect=`, which
# needs the config file and a sync, hence the Xen test setup), radvd
# advertising the SLAAC prefix fd00:99:1::/64, fd00:99:1::1 its own.
#
#   g1  a static IPv4 address set by iproute2: ping and arping to the
#       router work, the address is shown as origin first.
#   g2  the same with busybox ifconfig, ping and arping.
#   g3  then takes g1's address: refused (learn-conflict), g1 keeps it.
#   g4  three IPv4 addresses one after the other: the third is refused
#       (learn-full), the first two keep working.
#   g5  claims the router's 10.99.0.1: refused (learn-protected).
#   g6  IPv6 from radvd's adverts: its SLAAC address and its temporary
#       one (use_tempaddr=2) are learned, ping6 to the router's global
#       address works from both; two more sources fill the cap of 4, the
#       next forged source is dropped (learn-full).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/realsw/lib.sh"
. "$(dirname "$0")/test_xen_lib.bash"
xen_init "$@"
m=$(rs_missing radvd arping) && vg_skip_all "$m not installed (scripts/install-deps.sh)"

SLAAC=fd00:99:1::/64
ROUTER6=fd00:99:1::1

# firsts IFACE [4|6]: the addresses `show -j` lists for IFACE with origin
# first (of one family if given), sorted, one line.
firsts() {
	vg -j show "$1" | jq -r --arg f "${2:-}" '[.interfaces[0].learned[]? |
		select(.origin == "first") | .address |
		select($f == "" or ($f == "4") == (contains(":") | not))] | sort | join(" ")'
}

# owner ADDR: "IFINDEX:ORIGIN" of ADDR's entry in learned4|6, "none".
owner() {
	local m=learned4
	[[ $1 == *:* ]] && m=learned6
	vg -j dump $m | jq -r --arg a "$1" \
		'[.maps.'$m'[] | select(.address == $a) | "\(.ifindex):\(.origin)"] | .[0] // "none"'
}

# guest4 NAME VIF MAC: an IPv4-only guest (IPv6 off: only what the test
# makes it send), its VIF attached --learn first, link up.
guest4() {
	vg_guest "$1" "$2" "$3" quiet
	out=$(vg attach "$2" --mac "$3" --learn first 2>&1)
	tap_check "attach $2 --mac $3 --learn first (no address)" "exit 0" "exit $?" "$out"
	vg_up "$1"
}

# ping4 GUEST SRC DST: one to three echo requests from SRC; status of ping.
ping4() {
	gx "$1" ping -c 2 -i 0.2 -W 1 -I "$2" "$3" >"$VG_TMP/ping.out" 2>&1
}

# ---- host protect= the router's IPv4 address --------------------------------
# A Xen VIF for sync to read the config file's host line with; it stays
# off the bridge.
xen_vif h vif90.0 00:16:3e:5f:00:90
xl_nic 90 0 00:16:3e:5f:00:90 10.99.0.90
printf '%s\n' "host protect=$SINK_V4" >"$VIFGUARD_CONFIG"
run_sync
tap_check "host protect=$SINK_V4: sync exit 0, protected (why config)" "0 config" \
	"$SYNC_RC $(vg -j dump protected6 | jq -r --arg a "$SINK_V4" \
	'[.maps.protected6[] | select(.address == $a) | .why] | .[0] // "absent"')" "$(out)"

# ---- g1: iproute2 ----------------------------------------------------------
guest4 g1 vif21.0 02:00:00:00:21:00
gx g1 ip addr add 10.99.0.21/24 dev eth0
ping4 g1 10.99.0.21 "$SINK_V4"
tap_check "g1 (iproute2, 10.99.0.21) pings the router" "exit 0" "exit $?" "$(cat "$VG_TMP/ping.out")"
out=$(gx g1 arping -c 2 -w 3 -I eth0 "$SINK_V4" 2>&1)
tap_check "g1 arpings the router" "exit 0" "exit $?" "$out"
tap_check "show -j: 10.99.0.21 learned by vif21.0, origin first" "10.99.0.21" "$(firsts vif21.0)"
# In use: a day (host first-lease= by default) from its last use at most.
tap_check "show -j: 10.99.0.21 is kept while in use (ends within a day)" "lease ok" \
	"$(vg -j show vif21.0 | jq -r '.interfaces[0].learned[] | select(.address == "10.99.0.21") |
		"\(.expiry) \(if .expires_in_s > 43200 and .expires_in_s <= 86400 then "ok" else .expires_in_s end)"')"
tap_check "g1: nothing dropped" "" "$(rs_drops vif21.0)"

# ---- g2: busybox -----------------------------------------------------------
if m=$(rs_missing busybox); then
	tap_skip "g2 (busybox)" "$m not installed"
else
	guest4 g2 vif22.0 02:00:00:00:22:00
	gx g2 busybox ifconfig eth0 10.99.0.22 netmask 255.255.255.0 up
	out=$(gx g2 busybox ping -c 2 -W 2 "$SINK_V4" 2>&1)
	tap_check "g2 (busybox ifconfig, 10.99.0.22) pings the router (busybox ping)" \
		"exit 0" "exit $?" "$out"
	out=$(gx g2 busybox arping -c 2 -w 3 -I eth0 "$SINK_V4" 2>&1)
	rc=$?
	if [ $rc = 0 ] && grep -qi "reply from $SINK_V4" <<<"$out"; then
		tap_ok "g2 arpings the router (busybox arping)"
	else
		tap_fail "g2 arpings the router (busybox arping)" "exit 0, a reply" "exit $rc" "$out"
	fi
	tap_check "show -j: 10.99.0.22 learned by vif22.0, origin first" "10.99.0.22" \
		"$(firsts vif22.0)"
	tap_check "g2: nothing dropped" "" "$(rs_drops vif22.0)"
fi

# ---- g3: g1's address ------------------------------------------------------
guest4 g3 vif23.0 02:00:00:00:23:00
gx g3 ip addr add 10.99.0.21/24 dev eth0
rs_snap g3 vif23.0
ping4 g3 10.99.0.21 "$SINK_V4"
rc=$?
out=$(gx g3 arping -c 1 -w 2 -I eth0 "$SINK_V4" 2>&1)
rc2=$?
tap_check "g3 takes g1's 10.99.0.21: ping and arping get no answer" "1 1" \
	"$([ $rc = 0 ] && echo 0 || echo 1) $([ $rc2 = 0 ] && echo 0 || echo 1)" \
	"$(cat "$VG_TMP/ping.out")" "$out"
rs_expect_drops "g3's frames from 10.99.0.21" vif23.0 g3 learn-conflict 2
tap_check "g3 learned nothing; 10.99.0.21 still vif21.0's (first)" " $(hx cat /sys/class/net/vif21.0/ifindex):first" \
	"$(firsts vif23.0) $(owner 10.99.0.21)"
ping4 g1 10.99.0.21 "$SINK_V4"
tap_check "g1 still pings the router from 10.99.0.21" "exit 0" "exit $?" "$(cat "$VG_TMP/ping.out")"
gx g3 ip addr del 10.99.0.21/24 dev eth0

# ---- g4: more addresses than its cap ----------------------------------------
guest4 g4 vif24.0 02:00:00:00:24:00
for a in 10.99.0.41 10.99.0.42; do
	gx g4 ip addr add $a/24 dev eth0
	ping4 g4 $a "$SINK_V4"
	tap_check "g4 pings the router from $a" "exit 0" "exit $?" "$(cat "$VG_TMP/ping.out")"
done
gx g4 ip addr add 10.99.0.43/24 dev eth0
rs_snap g4 vif24.0
ping4 g4 10.99.0.43 "$SINK_V4"
tap_check "g4's third address 10.99.0.43: no answer" "exit 1" "exit $?" "$(cat "$VG_TMP/ping.out")"
rs_expect_drops "g4's frames from 10.99.0.43" vif24.0 g4 learn-full 2
tap_check "vif24.0 holds its first two (the cap of 2), 10.99.0.43 nobody's" \
	"10.99.0.41 10.99.0.42 none" "$(firsts vif24.0) $(owner 10.99.0.43)"
ping4 g4 10.99.0.41 "$SINK_V4"
tap_check "g4 still pings the router from 10.99.0.41" "exit 0" "exit $?" "$(cat "$VG_TMP/ping.out")"

# ---- g5: the router's address -----------------------------------------------
guest4 g5 vif25.0 02:00:00:00:25:00
gx g5 ip addr add "$SINK_V4/24" dev eth0
rs_snap g5 vif25.0
ping4 g5 "$SINK_V4" 10.99.0.21
tap_check "g5 claims the router's $SINK_V4: its ping to g1 gets no answer" "exit 1" "exit $?" \
	"$(cat "$VG_TMP/ping.out")"
rs_expect_drops "g5's frames from $SINK_V4" vif25.0 g5 learn-protected 2
tap_check "g5 learned nothing; nobody holds $SINK_V4" " none" "$(firsts vif25.0) $(owner "$SINK_V4")"
ping4 g1 10.99.0.21 "$SINK_V4"
tap_check "g1 still pings the router" "exit 0" "exit $?" "$(cat "$VG_TMP/ping.out")"

# ---- g6: SLAAC and a temporary address from radvd's prefix -------------------
vg_guest g6 vif26.0 02:00:00:00:26:00
gx g6 sysctl -qw net.ipv6.conf.eth0.use_tempaddr=2
out=$(vg attach vif26.0 --mac 02:00:00:00:26:00 --learn first 2>&1)
tap_check "attach vif26.0 --learn first (no address)" "exit 0" "exit $?" "$out"
vg_up g6
rs_radvd_sink "$SLAAC"
# slaac: "STABLE TEMP", g6's SLAAC address (the one temporary addresses
# are made from) and its temporary address, each once past DAD.
slaac() {
	local s t
	s=$(ip -n "$VG_ID-g6" -6 -o addr show dev eth0 scope global mngtmpaddr -tentative |
		awk '{print $4}' | cut -d/ -f1 | head -n 1)
	t=$(ip -n "$VG_ID-g6" -6 -o addr show dev eth0 scope global temporary -tentative |
		awk '{print $4}' | cut -d/ -f1 | head -n 1)
	echo "$s $t"
}
# slaac_up: both there, and the default route radvd gave.
slaac_up() {
	local st
	st=$(slaac)
	[[ $st == fd00:99:1:*" fd00:99:1:"* ]] &&
		[ -n "$(ip -n "$VG_ID-g6" -6 route show default)" ]
}
rs_wait 20 slaac_up
read -r STABLE TEMP <<<"$(slaac)"
if [ -n "$STABLE" ] && [ -n "$TEMP" ]; then
	tap_ok "g6: SLAAC address $STABLE and temporary address $TEMP, past DAD"
else
	tap_fail "g6: a SLAAC and a temporary address" "both" "'$STABLE' '$TEMP'" \
		"$(ip -n "$VG_ID-g6" -6 -o addr show dev eth0)"
fi
out=$(gx g6 ping -6 -c 2 -i 0.2 -W 2 "$ROUTER6" 2>&1)
tap_check "g6 pings the router's $ROUTER6 (from its temporary address)" "exit 0" "exit $?" "$out"
out=$(gx g6 ping -6 -c 2 -i 0.2 -W 2 -I "$STABLE" "$ROUTER6" 2>&1)
tap_check "g6 pings the router's $ROUTER6 from $STABLE" "exit 0" "exit $?" "$out"
tap_check "show -j: both learned by vif26.0, origin first" \
	"$(printf '%s\n' "$STABLE" "$TEMP" | sort | tr '\n' ' ' | sed 's/ $//')" "$(firsts vif26.0 6)"
# Its DAD probes (from ::) name no source to learn: each is dropped as
# nd-target, one per address and probe; nothing else is.
n=$(($(gx g6 sysctl -n net.ipv6.conf.eth0.dad_transmits) * 2))
tap_check "g6: only its DAD probes of the two dropped (nd-target, a first-use address is learned from its use)" \
	"nd-target=$n" "$(rs_drops vif26.0)"
# Two more sources fill the cap of 4; a fifth is forged.
for a in fd00:99:1::f1 fd00:99:1::f2; do
	gx g6 "$VGPKT" send -i eth0 udp6 --src-ip $a --dst-ip "$ROUTER6"
done
sleep 0.2
tap_check "two more sources fill vif26.0's cap of 4" "4" "$(firsts vif26.0 6 | wc -w)"
rs_snap g6 vif26.0
gx g6 "$VGPKT" send -i eth0 -c 3 udp6 --src-ip fd00:99:1::f3 --dst-ip "$ROUTER6"
sleep 0.2
rs_expect_drops "the forged fd00:99:1::f3 after the cap" vif26.0 g6 learn-full 3 exact
tap_check "fd00:99:1::f3 learned by nobody" "none" "$(owner fd00:99:1::f3)"
out=$(gx g6 ping -6 -c 2 -i 0.2 -W 2 -I "$TEMP" "$ROUTER6" 2>&1)
tap_check "g6 still pings the router from $TEMP" "exit 0" "exit $?" "$out"

tap_done
