#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Legitimate software nobody here wrote, behind the filter: ISC dhclient,
# busybox udhcpc and dhcpcd lease IPv4 from dnsmasq on the router (the
# sink); dhclient -6 leases IPv6 from it; radvd there drives the guests'
# own kernel through SLAAC, DAD, MLD and temporary addresses; arping -D;
# an IGMP report sent before the guest has an address.  Each guest must
# reach the state its software aims for, with no drop on its VIF.
#
# Policies name what a DHCP guest may use, as an administrator would:
# the pool (10.99.0.128/26 holds dnsmasq's .130-.190), the DHCPv6 range
# (fd00:99::1000/116) and the SLAAC /64, not the router's addresses.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/realsw/lib.sh"
vg_init
m=$(rs_missing dnsmasq) && vg_skip_all "$m not installed (scripts/install-deps.sh)"

POOL=10.99.0.128/26
POOL_FIRST=10.99.0.130
POOL_LAST=10.99.0.190
POOL6=fd00:99::1000/116
SLAAC=fd00:99:1::/64
SINK_LL=fe80::ff:fe00:1

G5_MAC=02:00:00:00:05:00	# dhclient, dhclient -6
G6_MAC=02:00:00:00:06:00	# IGMP from 0.0.0.0, then udhcpc
G7_MAC=02:00:00:00:07:00	# dhcpcd
G8_MAC=02:00:00:00:08:00	# SLAAC with temporary addresses, arping -D
G8_V4=10.99.0.8
G8_EUI=fd00:99:1::ff:fe00:800

rs_snooping
rs_dnsmasq dhcp "$SINK" sink0 67 --no-ping \
	--dhcp-range=$POOL_FIRST,$POOL_LAST,255.255.255.0,10m \
	--dhcp-range=fd00:99::1000,fd00:99::1fff,64,10m \
	--dhcp-option=option:router,$SINK_V4 \
	--dhcp-option=option:dns-server,$SINK_V4 \
	--dhcp-option=option6:dns-server,[$SINK_V6] ||
	vg_bail "dnsmasq did not start: $(cat "$VG_TMP/dhcp.log")"
# The on-link DHCPv6 prefix is not autonomous (M flag: addresses come
# from DHCPv6); the SLAAC one is.  A default lifetime well above the
# test's run: no expiry while we look.
have_radvd=1
rs_missing radvd >/dev/null && have_radvd=0
if [ $have_radvd = 1 ]; then
	rs_radvd_sink "$SLAAC"
fi

vg_guest g5 vif5.0 $G5_MAC
vg_guest g6 vif6.0 $G6_MAC quiet
vg_guest g7 vif7.0 $G7_MAC quiet
vg_guest g8 vif8.0 $G8_MAC
# RFC 8981 temporary addresses, preferred as sources.
gx g8 sysctl -qw net.ipv6.conf.eth0.use_tempaddr=2

for a in "vif5.0 --mac $G5_MAC --ipv4 $POOL --ipv6 $POOL6 --ipv6 $SLAAC" \
	 "vif6.0 --mac $G6_MAC --ipv4 $POOL" \
	 "vif7.0 --mac $G7_MAC --ipv4 $POOL" \
	 "vif8.0 --mac $G8_MAC --ipv4 $G8_V4 --ipv6 $SLAAC"; do
	# shellcheck disable=SC2086 # an argument list
	out=$(vg attach $a 2>&1)
	tap_check "attach ${a%% *}" "exit 0" "exit $?" "$out"
done
for g in g5 g6 g7 g8; do vg_up $g; done

# ---- IGMP report from 0.0.0.0 (RFC 3376 4.2.13) ---------------------------
# g6 has no IPv4 address yet: the kernel sends its reports from 0.0.0.0.
name="IGMP report from 0.0.0.0 (no address yet): vif6.0 joins 239.1.2.6 in br0's mdb"
if ! rs_skip_missing "$name" "$RS_PY"; then
	addrs=$(ip -n "$VG_ID-g6" -4 -o addr show dev eth0 | awk '{print $4}')
	rs_bg join6 "$VG_ID-g6" 90 "$RS_PY" "$RS_DIR/mcjoin.py" eth0 80 239.1.2.6
	if rs_wait 4 rs_mdb_has vif6.0 239.1.2.6; then
		tap_ok "$name"
	else
		tap_fail "$name" "vif6.0 239.1.2.6 in the mdb, sent from ${addrs:-no address}" \
			"vif6.0 groups: $(rs_mdb_groups vif6.0)" \
			"drops: $(rs_drops vif6.0)" "$(cat "$VG_TMP/join6.log")"
	fi
fi

# ---- DHCPv4: three clients at once ---------------------------------------
start_v4=$SECONDS
rs_skip_missing "dhclient lease" dhclient || rs_dhclient g5 dh4
rs_skip_missing "udhcpc lease" udhcpc || rs_udhcpc g6 udh
rs_skip_missing "dhcpcd lease" dhcpcd || rs_dhcpcd g7 dcd

# lease_check NAME GUEST TAG EVENT ADDR_VAR ROUTER_VAR DNS_VAR SERVER_VAR
lease_check() {
	local name=$1 g=$2 tag=$3 ev=$4 ip router dns server on_if
	if ! rs_wait 15 rs_event "$tag" "$ev"; then
		tap_fail "$name" "$ev within 15 s" \
			"events: $(tr '\n' ' ' <"$VG_TMP/$tag.events")" \
			"$(tail -n 15 "$VG_TMP/$tag.log")" "drops: $(rs_drops "$(vif_of "$g")")"
		return
	fi
	ip=$(rs_var "$tag" "$ev" "$5")
	router=$(rs_var "$tag" "$ev" "$6")
	dns=$(rs_var "$tag" "$ev" "$7")
	server=$(rs_var "$tag" "$ev" "$8")
	rs_wait 5 sh -c "ip -n $VG_ID-$g -4 -o addr show dev eth0 | grep -q ' $ip/'"
	on_if=$(ip -n "$VG_ID-$g" -4 -o addr show dev eth0 | awk '{print $4}' | tr '\n' ' ')
	if rs_in_range "$ip" $POOL_FIRST $POOL_LAST && [ "$router" = $SINK_V4 ] &&
	   [ "$dns" = $SINK_V4 ] && [ "$server" = $SINK_V4 ] &&
	   [[ " $on_if" == *" $ip/"* ]]; then
		tap_ok "$name: $ip from $server, router $router, DNS $dns"
	else
		tap_fail "$name" \
			"address in $POOL_FIRST-$POOL_LAST on eth0, router/DNS/server $SINK_V4" \
			"address $ip (eth0: ${on_if:-none}), router $router, DNS $dns, server $server"
	fi
}
vif_of() { echo "vif${1#g}.0"; }

command -v dhclient >/dev/null &&
	lease_check "dhclient (ISC) lease from dnsmasq" g5 dh4 BOUND \
		new_ip_address new_routers new_domain_name_servers new_dhcp_server_identifier
command -v udhcpc >/dev/null &&
	lease_check "udhcpc (busybox) lease from dnsmasq" g6 udh bound \
		ip router dns serverid
if command -v dhcpcd >/dev/null; then
	lease_check "dhcpcd lease from dnsmasq, after RFC 5227 probing" g7 dcd BOUND \
		new_ip_address new_routers new_domain_name_servers new_dhcp_server_identifier
	# dhcpcd probes before it binds: a conflict would show as a decline.
	probes=$(grep -c "ARP probing" "$VG_TMP/dcd.log")
	conflicts=$(grep -Eic "conflict|declin|DAD detected" "$VG_TMP/dcd.log")
	tap_check "dhcpcd: its ARP probes (RFC 5227) found no conflict" \
		"probes > 0, conflicts 0" \
		"probes $([ "$probes" -gt 0 ] && echo "> 0" || echo 0), conflicts $conflicts" \
		"$(grep -Ei "prob|conflict|declin" "$VG_TMP/dcd.log")"
fi
echo "# DHCPv4 leases took $((SECONDS - start_v4)) s"

for g in g5 g6 g7; do
	[ -n "$(ip -n "$VG_ID-$g" -4 -o addr show dev eth0)" ] || continue
	out=$(gx $g ping -c 2 -i 0.2 -W 2 $SINK_V4 2>&1)
	tap_check "$g pings the router $SINK_V4 from its leased address" \
		"exit 0" "exit $?" "$out"
done

# ---- SLAAC, DAD, MLD, temporary addresses ---------------------------------
name="SLAAC from radvd on vif8.0"
if [ $have_radvd = 0 ]; then
	tap_skip "$name" "radvd not installed (scripts/install-deps.sh)"
else
	slaac_done() {
		local a
		a=$(ip -n "$VG_ID-g8" -6 -o addr show dev eth0)
		[[ $a == *"$G8_EUI/64"* ]] && [[ $a == *"fd00:99:1:"*temporary* ]] &&
			[[ $a != *tentative* ]]
	}
	rs_wait 12 slaac_done
	addrs=$(ip -n "$VG_ID-g8" -6 -o addr show dev eth0 | awk '{$1=$2=$3=""; print}')
	temp=$(ip -n "$VG_ID-g8" -6 -o addr show dev eth0 temporary |
		awk '{print $4}' | cut -d/ -f1 | head -n 1)
	bad=$(ip -n "$VG_ID-g8" -6 -o addr show dev eth0 | grep -E "dadfailed|tentative")
	if slaac_done && [ -n "$temp" ] && [ -z "$bad" ]; then
		tap_ok "$name: $G8_EUI and temporary $temp, DAD done, none dadfailed"
	else
		tap_fail "$name" "$G8_EUI/64 and a temporary address in $SLAAC, none tentative or dadfailed" \
			"$addrs" "drops: $(rs_drops vif8.0)"
	fi
	route=$(ip -n "$VG_ID-g8" -6 route show default | awk '{print $3, $5}')
	tap_check "SLAAC: default route via the router" "$SINK_LL eth0" "$route"
	out=$(gx g8 ping -6 -c 2 -i 0.2 -W 2 fd00:99:1::1 2>&1)
	tap_check "SLAAC: ping6 the router fd00:99:1::1 (from ${temp:-?})" "exit 0" "exit $?" "$out"
	# MLD reports (from the link-local, and from :: during DAD) joined the
	# solicited-node groups (RFC 4291 2.7.1) of every address.
	want=$("$RS_PY" -c "import ipaddress,sys
for a in sys.argv[1:]:
    b = ipaddress.IPv6Address(a).packed
    print(ipaddress.IPv6Address(bytes.fromhex('ff0200000000000000000001ff') + b[13:]))
" $G8_EUI $temp | sort -u | tr '\n' ' ' | sed 's/ $//')
	missing=
	for grp in $want; do
		rs_wait 3 rs_mdb_has vif8.0 "$grp" || missing+="$grp "
	done
	tap_check "MLD: br0's mdb has vif8.0 in the solicited-node groups ($want)" \
		"none missing" "${missing:-none} missing" "vif8.0 groups: $(rs_mdb_groups vif8.0)"
fi

# ---- DHCPv6 ------------------------------------------------------------------
name="dhclient -6 lease from dnsmasq"
if ! rs_skip_missing "$name" dhclient; then
	# dhclient -6 binds to the link-local address: DAD must be over.
	vg_wait_dad g5
	rs_dhclient g5 dh6 -6
	if rs_wait 10 rs_event dh6 BOUND6; then
		ip6=$(rs_var dh6 BOUND6 new_ip6_address)
		dns6=$(rs_var dh6 BOUND6 new_dhcp6_name_servers)
		in_pool=$("$RS_PY" -c "import ipaddress,sys
print(ipaddress.IPv6Address(sys.argv[1]) in ipaddress.IPv6Network(sys.argv[2]))" "$ip6" $POOL6 2>/dev/null)
		rs_wait 3 sh -c "ip -n $VG_ID-g5 -6 -o addr show dev eth0 | grep ' $ip6/' | grep -vq tentative"
		state=$(ip -n "$VG_ID-g5" -6 -o addr show dev eth0 | grep " $ip6/" |
			grep -Eo "tentative|dadfailed" | head -n 1)
		tap_check "$name: address in $POOL6, DNS $SINK_V6, DAD done" \
			"True $SINK_V6 ${ip6:+on eth0}" \
			"$in_pool $dns6 $(ip -n "$VG_ID-g5" -6 -o addr show dev eth0 | grep -q " $ip6/" && echo "on eth0")${state:+ $state}" \
			"address $ip6"
		out=$(gx g5 ping -6 -c 2 -i 0.2 -W 2 -I "$ip6" $SINK_V6 2>&1)
		tap_check "ping6 the router $SINK_V6 from the DHCPv6 address $ip6" \
			"exit 0" "exit $?" "$out"
	else
		tap_fail "$name" "BOUND6 within 10 s" \
			"events: $(tr '\n' ' ' <"$VG_TMP/dh6.events")" \
			"$(tail -n 15 "$VG_TMP/dh6.log")" "drops: $(rs_drops vif5.0)"
	fi
	rs_stop dh6
fi
rs_stop dh4

# ---- arping -D ---------------------------------------------------------------
name="arping -D $G8_V4 (RFC 5227 probe for the guest's own address): no duplicate"
if ! rs_skip_missing "$name" arping; then
	out=$(gx g8 timeout 10 arping -D -c 2 -w 3 -I eth0 $G8_V4 2>&1)
	rc=$?
	tap_check "$name" "exit 0, 0 responses" \
		"exit $rc, $(grep -Eo "Received [0-9]+ response" <<<"$out" | grep -Eo "[0-9]+") responses" "$out"
fi

# ---- counters ---------------------------------------------------------------
# Everything above is what a guest's own software sends: not one drop.
# (vg_stats sets k and v: another name for the loop.)
for vif in vif5.0 vif6.0 vif7.0 vif8.0; do
	drops=$(rs_drops $vif)
	vg_stats $vif
	tap_check "$vif: no drop (passed ${STATS[pass]:-0})" "no drop" "${drops:-no drop}"
done

tap_done
