#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# IPv4 and link-layer attacks with tools nobody here wrote, from an
# attacker guest on the bridge of a victim guest: rogue DHCP servers on
# odd source ports (dnsmasq, scapy), arpspoof and macof (dsniff), DHCP
# starvation, an ARP-probe conflict responder, an IGMP querier hijack.
# Each test judges the VICTIM's state (its lease and the router and DNS
# it was given, its neighbour entry for the router, its group in br0's
# mdb, what arrived on its interface), the server's lease file or the
# bridge's tables, plus the attacker VIF's drop counter for the reason
# the README names.  A tool that does not run is a SKIP, not a pass.
# VG_REALSW_UNGUARDED=1 leaves the attacker unfiltered: then every test
# here must fail (the checks can fail).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/realsw/lib.sh"
vg_init
m=$(rs_missing dnsmasq tcpdump) && vg_skip_all "$m not installed (scripts/install-deps.sh)"

POOL=10.99.0.128/26
POOL_FIRST=10.99.0.130
POOL_LAST=10.99.0.190
ATK_MAC=02:00:00:00:66:00
ATK_V4=10.99.0.66
VIC_MAC=02:00:00:00:05:00
VIC2_MAC=02:00:00:00:07:00
# In the policy's /26, outside dnsmasq's range: the victim's address when
# a test needs one that no lease decides.
VIC_STATIC=10.99.0.129

# The real server makes the victim (vif5.0) wait 1 s for an offer: a rogue
# that answers at once wins the race every time its offer gets through,
# so a victim lease from the real server says the filter stopped it, not
# that the rogue was slow.  (Only the victim: dnsmasq waits in line, and
# a starvation flood would take minutes.)
rs_snooping
rs_dnsmasq dhcp "$SINK" sink0 67 --no-ping \
	--dhcp-host=$VIC_MAC,set:victim --dhcp-reply-delay=tag:victim,1 \
	--dhcp-range=$POOL_FIRST,$POOL_LAST,255.255.255.0,10m \
	--dhcp-option=option:router,$SINK_V4 \
	--dhcp-option=option:dns-server,$SINK_V4 ||
	vg_bail "dnsmasq did not start: $(cat "$VG_TMP/dhcp.log")"

# IPv6 off in all three (quiet): IPv4 and ARP alone, exact counters.
vg_guest atk vif66.0 $ATK_MAC quiet
vg_guest vic vif5.0 $VIC_MAC quiet
vg_guest vic2 vif7.0 $VIC2_MAC quiet
rs_attach_attacker vif66.0 --mac $ATK_MAC --ipv4 $ATK_V4
out=$(vg attach vif5.0 --mac $VIC_MAC --ipv4 $POOL 2>&1)
tap_check "attach vif5.0 (victim)" "exit 0" "exit $?" "$out"
out=$(vg attach vif7.0 --mac $VIC2_MAC --ipv4 $POOL 2>&1)
tap_check "attach vif7.0 (second victim)" "exit 0" "exit $?" "$out"
ip -n "$VG_ID-atk" addr add $ATK_V4/24 dev eth0
vg_up atk
vg_up vic
vg_up vic2

# Back to a victim without address or route: what one test's attack
# left (when it got through) must not decide the next test.
vic_reset() {
	ip -n "$VG_ID-vic" addr flush dev eth0
	ip -n "$VG_ID-vic" route flush dev eth0 2>/dev/null
	ip -n "$VG_ID-vic" neigh flush dev eth0
}

# lease_from_real TAG EVENT ADDR ROUTER DNS SERVER: victim lease checks.
lease_from_real() {
	local name=$1 tag=$2 ev=$3 ip router dns server
	if ! rs_wait 12 rs_event "$tag" "$ev"; then
		tap_fail "$name" "a lease ($ev) within 12 s" \
			"events: $(tr '\n' ' ' <"$VG_TMP/$tag.events")" \
			"$(tail -n 12 "$VG_TMP/$tag.log")"
		return
	fi
	ip=$(rs_var "$tag" "$ev" "$4")
	router=$(rs_var "$tag" "$ev" "$5")
	dns=$(rs_var "$tag" "$ev" "$6")
	server=$(rs_var "$tag" "$ev" "$7")
	if rs_in_range "$ip" $POOL_FIRST $POOL_LAST && [ "$router" = $SINK_V4 ] &&
	   [ "$dns" = $SINK_V4 ] && [ "$server" = $SINK_V4 ]; then
		tap_ok "$name: $ip from $server, router $router, DNS $dns"
	else
		tap_fail "$name" \
			"address in $POOL_FIRST-$POOL_LAST, server/router/DNS $SINK_V4" \
			"address $ip, server $server, router $router, DNS $dns"
	fi
}

# nothing_arrived NAME CAPTURE WHAT: the victim's capture is empty.
nothing_arrived() {
	rs_capture_count "$2"
	tap_check "$1" "0 $3 on the victim's eth0" "$CAPTURED $3 on the victim's eth0" \
		"$(echo "$CAPTURE_TEXT" | head -n 4)"
}

# rogue_replies_judged N TAG LOG: the rogue of test $name sent N replies
# (its log LOG); none may have reached the victim (capture TAGcap) and
# each must be a dhcp-server drop on vif66.0 since snapshot TAG.  A rogue
# that sent nothing proves nothing: a SKIP.
rogue_replies_judged() {
	local n=$1 tag=$2 log=$3
	if [ "$n" = 0 ]; then
		tap_skip "$name: rogue replies" "the rogue sent no reply: $(tail -n 3 "$log")"
		rs_stop "${tag}cap"
		return
	fi
	nothing_arrived "$name: none of its $n replies reached the victim" \
		"${tag}cap" "DHCP replies from the attacker"
	rs_expect_drops "$name" vif66.0 "$tag" dhcp-server "$n"
}

# ---- rogue DHCP server, dnsmasq answering from port 1067 --------------------
name="rogue dnsmasq (replies from UDP 1067 to 68)"
if ! rs_skip_missing "$name" nft dhclient; then
	# dnsmasq --dhcp-alternate-port=1067,68 listens on 1067 and answers
	# to 68; the attacker's own nftables moves the victim's broadcasts
	# (to 255.255.255.255:67) to that port, address unchanged (a unicast
	# one would make the kernel drop a source of 0.0.0.0 as martian).
	ip netns exec "$VG_ID-atk" nft -f - <<-'EOF'
	table ip rogue {
		chain pre {
			type nat hook prerouting priority dstnat;
			udp dport 67 dnat to 255.255.255.255:1067
		}
	}
	EOF
	if ! rs_dnsmasq rogue "$VG_ID-atk" eth0 1067 --no-ping \
		--dhcp-alternate-port=1067,68 \
		--dhcp-range=10.99.0.200,10.99.0.210,255.255.255.0,10m \
		--dhcp-option=option:router,$ATK_V4 \
		--dhcp-option=option:dns-server,$ATK_V4; then
		tap_skip "$name" "the rogue dnsmasq did not start: $(tail -n 3 "$VG_TMP/rogue.log")"
	else
		rs_snap rg1 vif66.0
		rs_capture rg1cap "$VG_ID-vic" eth0 "udp dst port 68 and ether src $ATK_MAC"
		rs_dhclient vic rg1
		lease_from_real "$name: victim's dhclient lease from the real server" \
			rg1 BOUND new_ip_address new_routers new_domain_name_servers \
			new_dhcp_server_identifier
		rs_stop rg1
		offers=$(grep -Ec "DHCP(OFFER|ACK|NAK)\(" "$VG_TMP/rogue.dhcplog")
		rogue_replies_judged "$offers" rg1 "$VG_TMP/rogue.dhcplog"
	fi
	rs_stop rogue
	ip netns exec "$VG_ID-atk" nft delete table ip rogue
	vic_reset
fi

# ---- rogue DHCP server from port 68 (scapy) ----------------------------------
name="rogue DHCP server sending from UDP 68 (scapy)"
if ! rs_skip_missing "$name" scapy udhcpc; then
	rs_snap rg2 vif66.0
	rs_bg rogue2 "$VG_ID-atk" 30 "$RS_PY" "$RS_DIR/dhcp_rogue.py" eth0 \
		--server $ATK_V4 --pool 10.99.0.220 --sport 68 --duration 25
	if ! rs_wait 10 grep -qs ready "$VG_TMP/rogue2.log"; then
		tap_skip "$name" "the rogue did not start: $(tail -n 3 "$VG_TMP/rogue2.log")"
	else
		rs_capture rg2cap "$VG_ID-vic" eth0 "udp dst port 68 and ether src $ATK_MAC"
		rs_udhcpc vic rg2
		lease_from_real "$name: victim's udhcpc lease from the real server" \
			rg2 bound ip router dns serverid
		rs_reap rg2 5
		sleep 0.2
		replies=$(grep -Ec "^(OFFER|ACK)" "$VG_TMP/rogue2.log")
		rogue_replies_judged "$replies" rg2 "$VG_TMP/rogue2.log"
	fi
	rs_stop rogue2
	vic_reset
fi

# ---- arpspoof (dsniff) ----------------------------------------------------------
name="arpspoof: the victim's neighbour entry for the router"
if ! rs_skip_missing "$name" arpspoof; then
	ip -n "$VG_ID-vic" addr add $VIC_STATIC/24 dev eth0
	gx vic ping -c 1 -W 2 $SINK_V4 >/dev/null
	before=$(ip -n "$VG_ID-vic" -j neigh show $SINK_V4 dev eth0 | jq -r '.[0].lladdr // "none"')
	rs_snap arp vif66.0
	# Poisons the victim (-t) about the router, one forged reply every
	# 2 s; killed with SIGKILL at the end, since on SIGTERM it would
	# first re-announce the true MAC and undo what it did.
	RS_SIGNAL=KILL rs_bg arpspoof "$VG_ID-atk" 20 arpspoof -i eth0 -t $VIC_STATIC $SINK_V4
	# The victim's entry, every 0.25 s for 5 s: a forged reply that got
	# through shows within its locktime (1 s), until the router's own
	# ARP traffic corrects it.
	seen=
	for ((i = 0; i < 20; i++)); do
		sleep 0.25
		seen+=" $(ip -n "$VG_ID-vic" -j neigh show $SINK_V4 dev eth0 | jq -r '.[0].lladdr // "none"')"
	done
	seen=$(tr ' ' '\n' <<<"$seen" | grep . | sort -u | tr '\n' ' ' | sed 's/ $//')
	running=yes
	rs_running arpspoof || running="no: $(tail -n 3 "$VG_TMP/arpspoof.log")"
	rs_stop arpspoof KILL
	if [ "$running" != yes ]; then
		tap_skip "$name" "arpspoof did not run: $running"
	else
		tap_check "$name keeps its MAC ($SINK_MAC) throughout" "$SINK_MAC" \
			"$seen" "before: $before" "$(head -n 3 "$VG_TMP/arpspoof.log")"
		# dsniff makes the kernel ARP for a host by sending it an empty
		# UDP datagram to port 67: not a BOOTREQUEST, dhcp-chaddr.
		rs_expect_drops "arpspoof" vif66.0 arp arp-spa 1 "" dhcp-chaddr
	fi
	vic_reset
fi

# ---- macof (dsniff) --------------------------------------------------------------
name="macof: 1000 frames from random source MACs"
if ! rs_skip_missing "$name" macof; then
	rs_snap mac vif66.0
	gx atk timeout 20 macof -i eth0 -n 1000 >"$VG_TMP/macof.log" 2>&1
	rc=$?
	rs_delta_since mac vif66.0
	n=$((${D[src-mac]:-0} + ${D[src-mac-multicast]:-0}))
	others=$(tr ' ' '\n' <<<"$DELTA" | grep -Ev "^src-mac(-multicast)?\+" | tr '\n' ' ')
	if [ "$rc" != 0 ] && [ "$n" = 0 ]; then
		tap_skip "$name" "macof failed (exit $rc): $(tail -n 2 "$VG_TMP/macof.log")"
	else
		tap_check "$name: all dropped as src-mac / src-mac-multicast" \
			"1000" "$n${others:+, others: $others}"
		# What the bridge learnt on the attacker's port (entries not
		# permanent): its own MAC at most, none of macof's.
		learnt=$(ip netns exec "$HOST" bridge -j fdb show br br0 brport vif66.0 |
			jq -r --arg m $ATK_MAC '[.[] | select(.state != "permanent")
				| select(.mac != $m) | .mac] | join(" ")')
		tap_check "macof: br0 learnt no foreign MAC on vif66.0" "none" \
			"${learnt:-none}"
	fi
fi

# ---- ARP probe conflicts (RFC 5227) ---------------------------------------------
name="conflicting ARP probes against dhcpcd's address check"
if ! rs_skip_missing "$name" scapy dhcpcd; then
	rs_snap acd vif66.0
	rs_bg acdatk "$VG_ID-atk" 40 "$RS_PY" "$RS_DIR/arp_conflict.py" eth0 --duration 35
	if ! rs_wait 10 grep -qs ready "$VG_TMP/acdatk.log"; then
		tap_skip "$name" "the responder did not start: $(tail -n 3 "$VG_TMP/acdatk.log")"
	else
		rs_capture acdcap "$VG_ID-vic" eth0 "arp and ether src $ATK_MAC"
		rs_dhcpcd vic acd
		if rs_wait 15 rs_event acd BOUND; then
			ip=$(rs_var acd BOUND new_ip_address)
			tap_ok "$name: dhcpcd bound $ip"
		else
			tap_fail "$name" "dhcpcd bound within 15 s" \
				"events: $(tr '\n' ' ' <"$VG_TMP/acd.events")" \
				"$(grep -Ei "prob|conflict|declin|leased" "$VG_TMP/acd.log" | tail -n 8)"
		fi
		conflicts=$(grep -Eic "conflict|declin" "$VG_TMP/acd.log")
		tap_check "$name: dhcpcd saw no conflict" "0 conflicts" "$conflicts conflicts"
		rs_reap acd 3
		answered=$(grep -c "^probe for" "$VG_TMP/acdatk.log")
		if [ "$answered" = 0 ]; then
			tap_skip "$name: the responder's probes" "it saw no probe to answer"
			rs_stop acdcap
		else
			nothing_arrived "$name: none of its $answered probes reached the victim" \
				acdcap "ARP frames from the attacker"
			rs_expect_drops "$name" vif66.0 acd arp-tpa "$answered"
		fi
	fi
	rs_stop acdatk
	vic_reset
fi

# ---- DHCP starvation --------------------------------------------------------------
name="DHCP starvation (random chaddrs, the attacker's own source MAC)"
if ! rs_skip_missing "$name" scapy udhcpc; then
	rs_snap starve vif66.0
	gx atk timeout 30 "$RS_PY" "$RS_DIR/dhcp_starve.py" eth0 --count 60 \
		--duration 3 >"$VG_TMP/starve.log" 2>&1
	summary=$(grep discovers= "$VG_TMP/starve.log")
	if [ -z "$summary" ]; then
		tap_skip "$name" "the flood did not run: $(tail -n 3 "$VG_TMP/starve.log")"
	else
		# The lease file names each client's MAC; only the victims' may
		# be there.  dnsmasq writes it from its main loop: wait until it
		# holds the leases the flood saw acknowledged.
		acks=$(sed -E 's/.*acks=([0-9]+).*/\1/' <<<"$summary")
		foreign_leases() {
			foreign=$(awk -v a=$VIC_MAC -v b=$VIC2_MAC '$2 != a && $2 != b' \
				"$VG_TMP/dhcp.leases" | wc -l)
			[ "$foreign" -ge "$acks" ]
		}
		rs_wait 4 foreign_leases
		tap_check "$name: the server leased nothing to it" "0 foreign leases" \
			"$foreign foreign leases" "flood: $summary"
		# Every DISCOVER and REQUEST it sent.
		sent=$(($(sed -E 's/.*discovers=([0-9]+).*/\1/' <<<"$summary") +
			$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$summary")))
		rs_expect_drops "$name" vif66.0 starve dhcp-chaddr "$sent" exact
		# A guest that never had a lease still gets one.
		rs_udhcpc vic2 st2
		lease_from_real "after the starvation a new guest (vif7.0) gets a lease" \
			st2 bound ip router dns serverid
		rs_reap st2 5
	fi
fi

# ---- IGMP querier hijack -------------------------------------------------------
name="IGMP querier hijack (a lower address, then silence)"
if ! rs_skip_missing "$name" scapy; then
	rs_querier 4
	ip -n "$VG_ID-vic" addr add $VIC_STATIC/24 dev eth0
	rs_bg join "$VG_ID-vic" 60 "$RS_PY" "$RS_DIR/mcjoin.py" eth0 50 239.1.2.5
	# Joined, and kept by br0's queries: still there after 3.5 s, more
	# than a membership lasts without a report.
	if ! rs_wait 5 rs_mdb_has vif5.0 239.1.2.5 || ! sleep 3.5 ||
	   ! rs_mdb_has vif5.0 239.1.2.5; then
		tap_fail "$name: the victim's membership" \
			"vif5.0 239.1.2.5 in br0's mdb, kept by br0's queries" \
			"vif5.0 groups: $(rs_mdb_groups vif5.0)" "$(cat "$VG_TMP/join.log")"
	else
		rs_snap igmp vif66.0
		gx atk timeout 20 "$RS_PY" "$RS_DIR/igmp_query.py" eth0 --src $ATK_V4 \
			>"$VG_TMP/igmpq.log" 2>&1
		if ! grep -q "^done" "$VG_TMP/igmpq.log"; then
			tap_skip "$name" "the querier did not run: $(tail -n 3 "$VG_TMP/igmpq.log")"
		else
			# The victim answers the attacker's query (1 s), then the
			# membership lasts 3 s unless br0 still queries.
			sleep 4.5
			has=no
			rs_mdb_has vif5.0 239.1.2.5 && has=yes
			tap_check "$name: the victim's group 239.1.2.5 stays in br0's mdb" \
				"yes" "$has" "vif5.0 groups: $(rs_mdb_groups vif5.0)"
			routers=$(rs_router_ports)
			tap_check "$name: vif66.0 did not become a multicast router port" \
				"router ports: none" "router ports: ${routers:-none}"
			# The general query and the router advertisement.
			rs_expect_drops "$name" vif66.0 igmp igmp-query 2 exact
		fi
	fi
	rs_stop join
	vic_reset
fi

tap_done
