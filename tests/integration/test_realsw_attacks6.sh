#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# IPv6 attacks with the thc-ipv6 toolkit (Debian's atk6-*) from an
# attacker guest on the bridge of a victim guest that runs the kernel's
# IPv6 stack (SLAAC from radvd on the router, the sink) and dhclient -6
# (dnsmasq on the router): rogue routers, forged neighbour
# advertisements, a rogue DHCPv6 server, a router advertisement flood,
# an MLD querier hijack.  Each test judges the VICTIM's state (its
# default routers, routes and addresses, its neighbour entry for the
# router, its DHCPv6 lease, its group in br0's mdb, what arrived on its
# interface) plus the attacker VIF's drop counter for the reason the
# README names.  A tool that does not run is a SKIP, not a pass.
# VG_REALSW_UNGUARDED=1 leaves the attacker unfiltered: then every test
# here must fail (the checks can fail).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/realsw/lib.sh"
vg_init
m=$(rs_missing radvd dnsmasq tcpdump) &&
	vg_skip_all "$m not installed (scripts/install-deps.sh)"

ATK_MAC=02:00:00:00:66:00
ATK_LL=fe80::ff:fe00:6600
ATK_V6=fd00:99::66
VIC_MAC=02:00:00:00:05:00
VIC_SLAAC=fd00:99:1::ff:fe00:500
POOL6=fd00:99::1000/116
SLAAC=fd00:99:1::/64
SINK_LL=fe80::ff:fe00:1
EVIL=fd00:66::/64
# A MAC that is not the attacker's: the sink's, so that traffic the
# victim sends to the attacker's router would go astray.
FORGED_MAC=$SINK_MAC

rs_snooping
rs_dnsmasq dhcp "$SINK" sink0 547 --dhcp-range=fd00:99::1000,fd00:99::1fff,64,10m \
	--dhcp-option=option6:dns-server,[$SINK_V6] ||
	vg_bail "dnsmasq did not start: $(cat "$VG_TMP/dhcp.log")"
rs_radvd_sink "$SLAAC"

vg_guest atk vif66.0 $ATK_MAC
vg_guest vic vif5.0 $VIC_MAC
# The attacker keeps to its own addresses: no SLAAC address of its own
# whose use the filter would count.
gx atk sysctl -qw net.ipv6.conf.eth0.accept_ra=0
ATK_POLICY="vif66.0 --mac $ATK_MAC --ipv4 10.99.0.66 --ipv6 $ATK_V6"
# shellcheck disable=SC2086 # an argument list
rs_attach_attacker $ATK_POLICY
out=$(vg attach vif5.0 --mac $VIC_MAC --ipv6 $POOL6 --ipv6 $SLAAC 2>&1)
tap_check "attach vif5.0 (victim)" "exit 0" "exit $?" "$out"
ip -n "$VG_ID-atk" addr add $ATK_V6/64 dev eth0 nodad
vg_up atk
vg_up vic

victim_ready() {
	ip -n "$VG_ID-vic" -6 -o addr show dev eth0 | grep " $VIC_SLAAC/64" | grep -vq tentative &&
		[ -n "$(ip -n "$VG_ID-vic" -6 route show default via $SINK_LL)" ]
}
rs_wait 12 victim_ready ||
	vg_bail "victim has no SLAAC address or default route: $(ip -n "$VG_ID-vic" -6 addr; ip -n "$VG_ID-vic" -6 route)"
vg_wait_dad atk

# The victim's IPv6 state that routers decide: routes (lifetimes left
# out, they tick) and global addresses, one per line.
vic_state() {
	ip -n "$VG_ID-vic" -6 route show | sed -E 's/ expires [0-9]+sec//'
	ip -n "$VG_ID-vic" -6 -o addr show dev eth0 scope global |
		awk '{print "addr", $4}' | grep -v "addr fd00:99:1:[0-9a-f:]*/64$\|$VIC_SLAAC" || true
}
vic_router_state() {
	ip -n "$VG_ID-vic" -6 route show | sed -E 's/ expires [0-9]+sec//' |
		grep -E "$ATK_LL|fd00:66:|^default" | sort
	ip -n "$VG_ID-vic" -6 -o addr show dev eth0 | awk '{print $4}' | grep "^fd00:66:" || true
}
# Back to the victim's state before a test: what one test's attack left
# (when it got through) must not decide the next test.
vic_reset() {
	local r
	while read -r r; do
		# shellcheck disable=SC2086 # a route as ip prints it
		[ -n "$r" ] && ip -n "$VG_ID-vic" -6 route del $r 2>/dev/null
	done < <(ip -n "$VG_ID-vic" -6 route show | grep -E "via $ATK_LL|fd00:66:" |
		sed -E 's/ (proto|metric|expires|pref|hoplimit) [^ ]+//g')
	for r in $(ip -n "$VG_ID-vic" -6 -o addr show dev eth0 | awk '{print $4}' | grep "^fd00:66:"); do
		ip -n "$VG_ID-vic" -6 addr del "$r" dev eth0
	done
	ip -n "$VG_ID-vic" -6 neigh flush dev eth0
}
BASE_ROUTES=$(vic_router_state)

# ---- fake_router6 ------------------------------------------------------------
name="fake_router6 (rogue router, prefix $EVIL)"
if ! rs_skip_missing "$name" atk6-fake_router6; then
	rs_snap fr vif66.0
	rs_bg fr "$VG_ID-atk" 3 atk6-fake_router6 eth0 $EVIL
	rs_reap fr 4
	sleep 0.3
	if ! grep -q "Starting to advertise" "$VG_TMP/fr.log"; then
		tap_skip "$name" "it did not run: $(tail -n 2 "$VG_TMP/fr.log")"
	else
		tap_check "$name: the victim's default routes, routes to the attacker and $EVIL addresses unchanged" \
			"$(echo "$BASE_ROUTES" | tr '\n' ';')" "$(vic_router_state | tr '\n' ';')"
		rs_expect_drops "$name" vif66.0 fr router-advert 1
	fi
	vic_reset
fi

# ---- fake_router26 with a forged source link-layer option --------------------
name="fake_router26 from a guest allowed to send RAs, source link-layer option $FORGED_MAC"
if ! rs_skip_missing "$name" atk6-fake_router26; then
	if [ "${VG_REALSW_UNGUARDED:-0}" != 1 ]; then
		# shellcheck disable=SC2086
		out=$(vg attach $ATK_POLICY --allow-ra 2>&1) ||
			tap_fail "$name: attach --allow-ra" "exit 0" "$out"
	fi
	rs_snap fr26 vif66.0
	# Three RAs 1 s apart, the frames from the attacker's own MAC (-f),
	# the option naming another one (-S).
	gx atk timeout 10 atk6-fake_router26 -A $EVIL -S $FORGED_MAC -f $ATK_MAC \
		-n 3 -i 1 eth0 >"$VG_TMP/fr26.log" 2>&1
	rc=$?
	sleep 0.3
	if [ "$rc" != 0 ] && ! grep -qi "router" "$VG_TMP/fr26.log"; then
		tap_skip "$name" "it did not run (exit $rc): $(tail -n 2 "$VG_TMP/fr26.log")"
	else
		ll=$(ip -n "$VG_ID-vic" -j -6 neigh show $ATK_LL dev eth0 | jq -r '.[0].lladdr // "none"')
		[ "$ll" = none ] || [ "$ll" = $ATK_MAC ] && ll="none or $ATK_MAC"
		tap_check "$name: the victim holds no neighbour entry naming $FORGED_MAC for the attacker" \
			"attacker's entry: none or $ATK_MAC" "attacker's entry: $ll"
		tap_check "$name: the victim's routes unchanged" \
			"$(echo "$BASE_ROUTES" | tr '\n' ';')" "$(vic_router_state | tr '\n' ';')"
		rs_expect_drops "$name" vif66.0 fr26 nd-lladdr 3 exact
	fi
	if [ "${VG_REALSW_UNGUARDED:-0}" != 1 ]; then
		# shellcheck disable=SC2086
		vg attach $ATK_POLICY >/dev/null 2>&1
	fi
	vic_reset
fi

# ---- flood_router26 ------------------------------------------------------------
name="flood_router26 (1 s of router advertisements)"
if ! rs_skip_missing "$name" atk6-flood_router26; then
	before=$(vic_state)
	rs_snap flood vif66.0
	gx atk timeout 1 atk6-flood_router26 eth0 >"$VG_TMP/flood.log" 2>&1
	sleep 0.5
	rs_delta_since flood vif66.0
	total=0
	for k in "${!D[@]}"; do total=$((total + D[$k])); done
	# It prints a dot per 1000 frames sent.
	if ! grep -q "\.\." "$VG_TMP/flood.log"; then
		tap_skip "$name" "nothing was sent: $(tail -n 2 "$VG_TMP/flood.log")"
	else
		after=$(vic_state)
		tap_check "$name: the victim's routes and addresses unchanged" \
			"$(echo "$before" | tr '\n' ';')" "$(echo "$after" | tr '\n' ';')"
		# Each frame from a random MAC and a link-local address made
		# from it: dropped for its source MAC, never for what it holds.
		rest=$(tr ' ' '\n' <<<"$DELTA" | grep -Ev "^src-mac(-multicast)?\+" | tr '\n' ' ')
		tap_check "$name: $total frames, all dropped for their source MAC" \
			"src-mac only" "${rest:-src-mac only}" "drops: $DELTA"
	fi
	vic_reset
fi

# ---- fake_advertise6 --------------------------------------------------------------
name="fake_advertise6 (override NA: $SINK_V6 is at $ATK_MAC)"
if ! rs_skip_missing "$name" atk6-fake_advertise6; then
	gx vic ping -6 -c 1 -W 2 $SINK_V6 >/dev/null
	rs_snap fa vif66.0
	# To all nodes, from the attacker's own link-local address: the
	# source passes, the target is what is forged.  The victim's entry
	# is read every 0.25 s meanwhile.
	rs_bg fa "$VG_ID-atk" 10 atk6-fake_advertise6 -n 3 -w 1 eth0 $SINK_V6 ff02::1 \
		$ATK_MAC $ATK_LL
	seen=
	for ((i = 0; i < 14; i++)); do
		sleep 0.25
		seen+=" $(ip -n "$VG_ID-vic" -j -6 neigh show $SINK_V6 dev eth0 | jq -r '.[0].lladdr // "none"')"
	done
	rs_reap fa 3
	rc=$RS_RC
	mac=$(tr ' ' '\n' <<<"$seen" | grep . | sort -u | tr '\n' ' ' | sed 's/ $//')
	if [ "$rc" != 0 ]; then
		tap_skip "$name" "it did not run (exit $rc): $(tail -n 2 "$VG_TMP/fa.log")"
	else
		tap_check "$name: the victim's entry for $SINK_V6 keeps its MAC throughout" \
			"$SINK_MAC" "$mac"
		rs_expect_drops "$name" vif66.0 fa nd-target 3 exact
	fi
	vic_reset
fi

# ---- parasite6 -------------------------------------------------------------------
name="parasite6 (answers every neighbour solicitation)"
if ! rs_skip_missing "$name" atk6-parasite6; then
	rs_snap para vif66.0
	rs_bg para "$VG_ID-atk" 8 atk6-parasite6 eth0
	# It opens its capture after it says it started.
	rs_wait 3 grep -qs "^Started ICMP6 Neighbor" "$VG_TMP/para.log"
	sleep 1
	# The victim resolves the router afresh: its solicitation reaches
	# the attacker as well.
	ip -n "$VG_ID-vic" -6 neigh flush dev eth0
	gx vic ping -6 -c 3 -i 0.3 -W 1 $SINK_V6 >/dev/null
	sleep 0.3
	mac=$(ip -n "$VG_ID-vic" -j -6 neigh show $SINK_V6 dev eth0 | jq -r '.[0].lladdr // "none"')
	running=yes
	rs_running para || running="no: $(tail -n 2 "$VG_TMP/para.log")"
	rs_stop para
	answered=$(grep -c "Spoofed packet to" "$VG_TMP/para.log")
	if [ "$running" != yes ]; then
		tap_skip "$name" "it did not run: $running"
	elif [ "$answered" = 0 ]; then
		tap_skip "$name" "it answered no solicitation: $(tail -n 2 "$VG_TMP/para.log")"
	else
		tap_check "$name: the victim's entry for $SINK_V6 keeps its MAC" "$SINK_MAC" "$mac"
		# Its answers come from the address they claim.
		rs_expect_drops "$name" vif66.0 para ipv6-src "$answered"
	fi
	vic_reset
fi

# ---- fake_dhcps6 -------------------------------------------------------------------
name="fake_dhcps6 (rogue DHCPv6 server, prefix $EVIL)"
if ! rs_skip_missing "$name" atk6-fake_dhcps6 dhclient; then
	rs_snap fd vif66.0
	rs_bg fakedhcp "$VG_ID-atk" 20 atk6-fake_dhcps6 eth0 $EVIL fd00:66::53
	rs_wait 3 rs_listening "$VG_ID-atk" udp 547
	rs_capture fdcap "$VG_ID-vic" eth0 "udp dst port 546 and ether src $ATK_MAC"
	rs_dhclient vic d6 -6
	if rs_wait 10 rs_event d6 BOUND6; then
		ip6=$(rs_var d6 BOUND6 new_ip6_address)
		dns6=$(rs_var d6 BOUND6 new_dhcp6_name_servers)
		in_pool=$("$RS_PY" -c "import ipaddress,sys
print(ipaddress.IPv6Address(sys.argv[1]) in ipaddress.IPv6Network(sys.argv[2]))" "$ip6" $POOL6 2>/dev/null)
		tap_check "$name: the victim's dhclient -6 lease from the real server" \
			"address in $POOL6: True, DNS $SINK_V6" "address in $POOL6: $in_pool, DNS $dns6" \
			"address $ip6"
	else
		tap_fail "$name: the victim's dhclient -6 lease" "BOUND6 within 10 s" \
			"events: $(tr '\n' ' ' <"$VG_TMP/d6.events")" "$(tail -n 8 "$VG_TMP/d6.log")"
	fi
	sleep 0.5
	rs_stop d6
	rs_stop fakedhcp
	sent=$(grep -c "^Sent DHCP6" "$VG_TMP/fakedhcp.log")
	if [ "$sent" = 0 ]; then
		tap_skip "$name: its replies" "it sent none: $(tail -n 3 "$VG_TMP/fakedhcp.log")"
		rs_stop fdcap
	else
		# Its replies leave from an ephemeral port, not 547.
		rs_capture_count fdcap
		tap_check "$name: none of its $sent replies reached the victim" \
			"0 DHCPv6 replies from the attacker on the victim's eth0" \
			"$CAPTURED DHCPv6 replies from the attacker on the victim's eth0" \
			"$(echo "$CAPTURE_TEXT" | head -n 3)"
		rs_expect_drops "$name" vif66.0 fd dhcpv6-server "$sent"
	fi
	vic_reset
fi

# ---- MLD querier hijack -----------------------------------------------------------
name="MLD querier hijack (fake_mld6 query, fake_mldrouter6 advertise)"
if ! rs_skip_missing "$name" atk6-fake_mld6 atk6-fake_mldrouter6; then
	rs_querier 6
	rs_bg join "$VG_ID-vic" 60 "$RS_PY" "$RS_DIR/mcjoin.py" eth0 50 ff05::4242
	# Joined, and kept by br0's queries past a membership's 3 s.
	if ! rs_wait 5 rs_mdb_has vif5.0 ff05::4242 || ! sleep 3.5 ||
	   ! rs_mdb_has vif5.0 ff05::4242; then
		tap_fail "$name: the victim's membership" \
			"vif5.0 ff05::4242 in br0's mdb, kept by br0's queries" \
			"vif5.0 groups: $(rs_mdb_groups vif5.0)" "$(cat "$VG_TMP/join.log")"
	else
		rs_snap mld vif66.0
		# A general query from the attacker's link-local address, lower
		# than br0's (fe80::ff:fe00:fffe): the election is won, and the
		# tool stays silent afterwards (it waits 5 s for reports).
		rs_bg mldq "$VG_ID-atk" 3 atk6-fake_mld6 eth0 query
		gx atk timeout 5 atk6-fake_mldrouter6 eth0 advertise >"$VG_TMP/mldr.log" 2>&1
		sleep 4.5
		rs_stop mldq
		if ! grep -q "^Sending" "$VG_TMP/mldq.log"; then
			tap_skip "$name" "fake_mld6 did not run: $(tail -n 2 "$VG_TMP/mldq.log")"
		else
			has=no
			rs_mdb_has vif5.0 ff05::4242 && has=yes
			tap_check "$name: the victim's group ff05::4242 stays in br0's mdb" \
				"yes" "$has" "vif5.0 groups: $(rs_mdb_groups vif5.0)"
			routers=$(rs_router_ports)
			tap_check "$name: vif66.0 did not become a multicast router port" \
				"router ports: none" "router ports: ${routers:-none}"
			rs_expect_drops "$name" vif66.0 mld mld-query 2 exact
		fi
	fi
	rs_stop join
fi

tap_done
