# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=bash disable=SC2034 # globals set here are read by the tests
#
# Shared by the test_realsw_* files (sourced after ../lib.sh): real
# software nobody here wrote (DHCP clients and servers, radvd, iperf3,
# thc-ipv6, dsniff, scapy) run in the namespaces that lib.sh builds.
#
# Every daemon and tool runs in the foreground of a background job under
# timeout(1), with its pid file, leases and log in $VG_TMP, and is killed
# by pid when a test ends or by vg_cleanup on any exit.  Configuration
# files are the test's own (never /etc/dhcp, /etc/dnsmasq.conf, ...), and
# client event scripts only record and configure inside the guest's
# namespace: Debian's stock scripts would rewrite /etc/resolv.conf.
#
# API:  rs_missing CMD...; rs_skip_missing NAME CMD...  (tools)
#       rs_bg NAME NS SECS CMD...; rs_stop NAME [SIG]; rs_reap NAME SECS;
#       rs_running NAME; rs_wait SECS CMD...; rs_listening NS PROTO PORT
#       rs_dnsmasq NAME NS IFACE PORT [ARGS...]; rs_radvd NS CONF
#       rs_dhclient GUEST TAG [-6]; rs_udhcpc GUEST TAG [stay];
#       rs_dhcpcd GUEST TAG; rs_event TAG EVENT; rs_var TAG EVENT VAR;
#       rs_in_range IP A B; rs_leases VIF
#       rs_snooping; rs_querier 4|6; rs_mdb_has PORT GROUP; rs_mdb_groups
#       PORT; rs_router_ports
#       rs_drops VIF; rs_snap NAME VIF; rs_delta_since NAME VIF;
#       rs_expect_drops NAME VIF SNAP REASON MIN [exact [ALSO]];
#       rs_attach_attacker VIF ARGS...
#       rs_capture NAME NS IFACE FILTER; rs_capture_count NAME

RS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Debian's python3-scapy is installed for Debian's interpreter; a python3
# earlier on PATH (pyenv, a venv) would not find it.
RS_PY=${RS_PY:-/usr/bin/python3}
declare -A RS_PID=()
declare -A RS_SNAP=()

# The first of the commands that is not installed, if any (exit 0 then).
rs_missing() {
	local c
	for c; do
		if [ "$c" = scapy ]; then
			"$RS_PY" -c 'import scapy.all' 2>/dev/null || { echo "python3-scapy"; return 0; }
		elif ! command -v "$c" >/dev/null 2>&1; then
			echo "$c"
			return 0
		fi
	done
	return 1
}

# rs_skip_missing NAME CMD...: a SKIP line for test NAME (and status 0)
# when one of the commands is missing; status 1 when all are there.
rs_skip_missing() {
	local name=$1 m
	shift
	m=$(rs_missing "$@") || return 1
	tap_skip "$name" "$m not installed (scripts/install-deps.sh)"
	return 0
}

# rs_bg NAME NS SECS CMD...: CMD in netns NS as a background job, killed
# after SECS (and SIGKILLed 2 s later if it ignores that); stdout and
# stderr in $VG_TMP/NAME.log.  RS_SIGNAL: the signal at the timeout
# (default TERM).  Output is line-buffered (stdbuf): a tool that is
# killed must not take what it printed with it.  `ip netns exec` runs as
# the job itself (a simple command, no subshell), so the recorded pid is
# the one to kill.
rs_bg() {
	local name=$1 ns=$2 secs=$3
	shift 3
	ip netns exec "$ns" timeout -k 2 -s "${RS_SIGNAL:-TERM}" "$secs" \
		stdbuf -oL -eL "$@" >"$VG_TMP/$name.log" 2>&1 &
	RS_PID[$name]=$!
	VG_BG+=($!)
}

# rs_stop NAME [SIGNAL]: ends a job started by rs_bg and reaps it; sets
# RS_RC to its exit status (124: it ran until its timeout).  timeout(1)
# passes TERM and INT on to the command; KILL it cannot, so KILL goes to
# the command (timeout's child) first.
rs_stop() {
	local p=${RS_PID[$1]:-} c
	RS_RC=
	[ -n "$p" ] || return 0
	if [ "${2:-TERM}" = KILL ]; then
		for c in $(ps -o pid= --ppid "$p" 2>/dev/null); do
			kill -KILL "$c" 2>/dev/null
		done
	fi
	kill -"${2:-TERM}" "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	RS_RC=$?
	unset "RS_PID[$1]"
	return 0
}

# rs_reap NAME SECS: waits up to SECS for a job to end by itself, then
# stops it; RS_RC as for rs_stop.
rs_reap() {
	local p=${RS_PID[$1]:-} i
	RS_RC=
	[ -n "$p" ] || return 0
	for ((i = 0; i < $2 * 10; i++)); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	rs_stop "$1"
}

# rs_running NAME: the job is still there.
rs_running() {
	local p=${RS_PID[$1]:-}
	[ -n "$p" ] && kill -0 "$p" 2>/dev/null
}

# rs_wait SECS CMD...: polls CMD every 0.1 s until it succeeds.
rs_wait() {
	local n=$(($1 * 10)) i
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# rs_listening NS PROTO PORT: a socket is bound to that local port.
rs_listening() {
	[ -n "$(ip netns exec "$1" ss -Hln"${2:0:1}" "sport = :$3" 2>/dev/null)" ]
}

# Multicast snooping on br0, so that `bridge mdb` shows what each port
# joined; no querier of the bridge's own yet (rs_querier).
rs_snooping() {
	ip -n "$HOST" link set br0 type bridge mcast_snooping 1 mcast_querier 0
}

# rs_querier 4|6: br0 becomes the IGMP (MLD) querier, with timers cut
# from minutes to seconds: a general query every second (the kernel's
# minimum), answers within 0.5 s, a membership lasts 3 s without one.
# A querier that falls silent thus shows as lost memberships within 4 s.
# br0 queries from 10.99.0.254 (IGMP) or from its link-local address
# (MLD, which needs IPv6 on br0, off elsewhere in HOST); a guest with a
# lower address wins the election (RFC 2236 3, RFC 2710 5).
rs_querier() {
	if [ "$1" = 4 ]; then
		ip -n "$HOST" addr add 10.99.0.254/24 dev br0
	else
		# A MAC of ours, so that br0's link-local address is known
		# and higher than the guests' fe80::ff:fe00:NNNN.
		ip -n "$HOST" link set br0 address 02:00:00:00:ff:fe
		hx sysctl -qw net.ipv6.conf.br0.accept_dad=0 \
			net.ipv6.conf.br0.disable_ipv6=0
	fi
	ip -n "$HOST" link set br0 type bridge mcast_snooping 1 \
		mcast_query_use_ifaddr 1 mcast_query_interval 100 \
		mcast_query_response_interval 50 mcast_startup_query_interval 100 \
		mcast_membership_interval 300 mcast_querier 1
}

# rs_dnsmasq NAME NS IFACE PORT [ARGS...]: a DHCP server (DNS off) on
# IFACE of NS, until the test ends; ready when a socket listens on UDP
# PORT (67, 547, or the one of --dhcp-alternate-port).
rs_dnsmasq() {
	local name=$1 ns=$2 ifc=$3 port=$4
	shift 4
	rs_bg "$name" "$ns" 300 dnsmasq --keep-in-foreground --conf-file=/dev/null \
		--no-resolv --no-hosts --port=0 --user=root --group=root \
		--pid-file="$VG_TMP/$name.pid" \
		--dhcp-leasefile="$VG_TMP/$name.leases" \
		--log-facility="$VG_TMP/$name.dhcplog" --log-dhcp \
		--interface="$ifc" --bind-interfaces --dhcp-authoritative "$@"
	rs_wait 5 rs_listening "$ns" udp "$port"
}

# rs_radvd NS CONF: radvd in NS with CONF as its whole configuration,
# ready once it wrote its pid file.  A router forwards: radvd refuses to
# advertise itself as a default router otherwise.
rs_radvd() {
	local ns=$1
	printf '%s\n' "$2" >"$VG_TMP/radvd.conf"
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.forwarding=1
	rs_bg radvd "$ns" 300 radvd --nodaemon --config="$VG_TMP/radvd.conf" \
		--pidfile="$VG_TMP/radvd.pid" --logmethod=stderr
	rs_wait 5 test -s "$VG_TMP/radvd.pid"
}

# rs_radvd_sink SLAAC: radvd on sink0 as the suite's router: managed
# addresses from DHCPv6 in fd00:99::/64, SLAAC in SLAAC, adverts every 3-4 s.
rs_radvd_sink() {
	rs_radvd "$SINK" "interface sink0 {
	AdvSendAdvert on;
	MinRtrAdvInterval 3;
	MaxRtrAdvInterval 4;
	AdvDefaultLifetime 600;
	AdvManagedFlag on;
	prefix fd00:99::/64 { AdvAutonomous off; };
	prefix $1 { };
};" || vg_bail "radvd did not start: $(cat "$VG_TMP/radvd.log")"
}

# ---- DHCP clients ---------------------------------------------------------

# rs_client_script TAG MODE: the event script a client under TAG runs
# (each run of a client gets a TAG of its own).
# It records each event's environment as TAG.EVENT and the event's name
# in TAG.events; MODE "configure" also applies the lease in the guest, as
# a distribution's script would (dhclient and udhcpc leave that to the
# script; dhcpcd configures by itself: MODE "record").
rs_client_script() {
	cat >"$VG_TMP/$1.sh" <<-EOF
	#!/bin/sh
	exec "$RS_DIR/dhcp-event.sh" "$VG_TMP/$1" "$2" "\$@"
	EOF
	chmod +x "$VG_TMP/$1.sh"
	: >"$VG_TMP/$1.events"
}

# rs_dhclient GUEST TAG [-6]: ISC dhclient on the guest's eth0, one
# attempt of 10 s (then it exits), staying in the foreground of its job
# to renew until stopped.
rs_dhclient() {
	local g=$1 tag=$2
	shift 2
	rs_client_script "$tag" configure
	if [ "${1:-}" = -6 ]; then
		printf 'timeout 10;\nretry 1;\n' >"$VG_TMP/$tag.conf"
	else
		printf '%s\n' 'timeout 10;' 'retry 1;' 'initial-interval 1;' \
			'request subnet-mask, broadcast-address, routers, domain-name-servers;' \
			>"$VG_TMP/$tag.conf"
	fi
	rs_bg "$tag" "$VG_ID-$g" 60 dhclient -d -1 -v "$@" -cf "$VG_TMP/$tag.conf" \
		-lf "$VG_TMP/$tag.leases" -pf "$VG_TMP/$tag.pid" \
		-sf "$VG_TMP/$tag.sh" eth0
}

# rs_udhcpc GUEST TAG [stay]: busybox udhcpc, up to 4 discovers 1 s
# apart; it exits once it has a lease (-q) or has none (-n).  With "stay"
# it keeps the lease and renews it (SIGUSR1 to its pid: at once) until
# stopped (120 s at most).
rs_udhcpc() {
	local quit=-q secs=30
	[ "${3:-}" = stay ] && quit= secs=120
	rs_client_script "$2" configure
	rs_bg "$2" "$VG_ID-$1" $secs udhcpc -f $quit -n -i eth0 -s "$VG_TMP/$2.sh" \
		-t 4 -T 1 -A 1 -p "$VG_TMP/$2.pid"
}

# rs_dhcpcd GUEST TAG [ARGS...]: dhcpcd, IPv4 only, one shot (it exits
# when bound, after RFC 5227 probing).  Its run and state directories
# (/run/dhcpcd, /var/lib/dhcpcd) are fresh tmpfs mounts inside the job's
# own mount namespace (`ip netns exec` makes one), so that nothing of
# the host's is read or written; $VG_TMP, under /run, is bound back.
rs_dhcpcd() {
	local g=$1 tag=$2
	shift 2
	rs_client_script "$tag" record
	# Its stock configuration asks for these too.
	echo "option domain_name_servers, routers, subnet_mask" >"$VG_TMP/$tag.conf"
	rs_bg "$tag" "$VG_ID-$g" 40 sh -ec '
		t=$1; shift
		mount -t tmpfs -o mode=0755 vg-dhcpcd /var/lib/dhcpcd
		mkdir /var/lib/dhcpcd/.t
		mount --bind "$t" /var/lib/dhcpcd/.t
		mount -t tmpfs -o mode=0755 vg-run /run
		mkdir -p "$t"
		mount --bind /var/lib/dhcpcd/.t "$t"
		exec "$@"' sh "$VG_TMP" dhcpcd --nobackground --debug -4 --oneshot \
		--config "$VG_TMP/$tag.conf" --script "$VG_TMP/$tag.sh" \
		--timeout 30 "$@" eth0
}

# rs_event TAG EVENT: the client reported EVENT (BOUND, BOUND6, bound...).
rs_event() {
	grep -qx "$2" "$VG_TMP/$1.events" 2>/dev/null
}

# rs_var TAG EVENT VAR: VAR in the environment of the client's last EVENT.
rs_var() {
	sed -n "s/^$3=//p" "$VG_TMP/$1.$2" 2>/dev/null | tr -d "'"
}

# rs_in_range ADDR FIRST LAST: an IPv4 address in [FIRST, LAST].
rs_ip4_num() {
	local IFS=. a b c d
	read -r a b c d <<<"$1"
	echo $(((a << 24) | (b << 16) | (c << 8) | d))
}
rs_in_range() {
	[[ $1 =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || return 1
	local x
	x=$(rs_ip4_num "$1")
	[ "$x" -ge "$(rs_ip4_num "$2")" ] && [ "$x" -le "$(rs_ip4_num "$3")" ]
}

# rs_leases VIF: the addresses VIF holds by DHCP snooping (learned4 and
# learned6 entries of origin dhcp that name it and have not expired,
# against CLOCK_MONOTONIC, the programs' clock), sorted, one line.  Read
# from the raw bytes: the value is struct vg_owner (include/vifguard.h).
# A map it cannot read makes it print "unreadable: MAP" (status 1).
rs_leases() {
	local ifx m4 m6
	ifx=$(vg_ifindex "$1")
	m4=$("$BPFTOOL" -j map dump pinned "$ROOT/learned4" 2>/dev/null) ||
		{ echo "unreadable: learned4"; return 1; }
	m6=$("$BPFTOOL" -j map dump pinned "$ROOT/learned6" 2>/dev/null) ||
		{ echo "unreadable: learned6"; return 1; }
	printf '%s\n%s\n' "$m4" "$m6" | jq -cs add | "$RS_PY" -c '
import ipaddress, json, sys, time
now = time.monotonic_ns()
out = []
for e in json.load(sys.stdin):
    k = bytes(int(b, 16) for b in e["key"])
    v = bytes(int(b, 16) for b in e["value"])
    if int.from_bytes(v[0:4], sys.byteorder) != int(sys.argv[1]) or v[4] != 3:
        continue
    if int.from_bytes(v[8:16], sys.byteorder) > now:
        out.append(str(ipaddress.ip_address(k)))
print(" ".join(sorted(out)))' "$ifx"
}

# ---- counters, bridge, capture ----------------------------------------------

# rs_drops VIF: "reason=N ..." for every drop counter of VIF (sorted),
# empty when nothing was dropped.
rs_drops() {
	local k out=()
	vg_stats "$1"
	for k in "${!STATS[@]}"; do
		[ "$k" != pass ] && [ "${STATS[$k]}" != 0 ] && out+=("$k=${STATS[$k]}")
	done
	printf '%s\n' "${out[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

# rs_snap NAME VIF: remembers VIF's counters; rs_delta_since NAME VIF sets
# DELTA ("reason+N ...", vg_delta format, passes left out) and the
# associative array D (reason -> frames) to what moved since.
declare -A D=()
rs_snap() {
	local k
	for k in "${!RS_SNAP[@]}"; do
		[[ $k == "$1/"* ]] && unset "RS_SNAP[$k]"
	done
	vg_stats "$2"
	for k in "${!STATS[@]}"; do RS_SNAP["$1/$k"]=${STATS[$k]}; done
}
rs_delta_since() {
	local k d out=()
	vg_stats "$2"
	D=()
	for k in "${!STATS[@]}"; do
		[ "$k" = pass ] && continue
		d=$((STATS[$k] - ${RS_SNAP["$1/$k"]:-0}))
		[ "$d" != 0 ] && D[$k]=$d && out+=("$k+$d")
	done
	DELTA=$(printf '%s\n' "${out[@]}" | sort | tr '\n' ' ' | sed 's/ $//')
}

# rs_mdb_has PORT GROUP: br0's snooping table holds GROUP on PORT.
rs_mdb_has() {
	ip netns exec "$HOST" bridge -j mdb show dev br0 2>/dev/null |
		jq -e --arg p "$1" --arg g "$2" \
		'[.[].mdb[]? | select(.port == $p and .grp == $g)] | length > 0' \
		>/dev/null
}

# rs_mdb_groups PORT: the groups br0 holds on PORT, one line.
rs_mdb_groups() {
	ip netns exec "$HOST" bridge -j mdb show dev br0 2>/dev/null |
		jq -r --arg p "$1" '[.[].mdb[]? | select(.port == $p) | .grp] | sort | join(" ")'
}

# rs_router_ports: the ports br0 takes for multicast routers (learnt
# from queries and router advertisements; `bridge mdb` shows them with
# -d only), one line.
rs_router_ports() {
	ip netns exec "$HOST" bridge -d -j mdb show dev br0 2>/dev/null |
		jq -r '[.[].router? // {} | .. | objects | select(has("port")) | .port] | unique | join(" ")'
}

# rs_capture NAME NS IFACE FILTER: tcpdump in the background, ready
# (listening) when this returns; rs_capture_count NAME stops it and sets
# CAPTURED to the frames it saw, CAPTURE_TEXT to their summaries.
rs_capture() {
	local name=$1 ns=$2 ifc=$3 flt=$4
	rs_bg "$name" "$ns" 120 tcpdump -i "$ifc" -nn -U --immediate-mode -s 256 -Q in \
		-w "$VG_TMP/$name.pcap" "$flt"
	rs_wait 5 grep -qs "listening on" "$VG_TMP/$name.log"
}
rs_capture_count() {
	rs_stop "$1"
	CAPTURE_TEXT=$(tcpdump -nn -e -r "$VG_TMP/$1.pcap" 2>/dev/null)
	CAPTURED=$(printf '%s' "$CAPTURE_TEXT" | grep -c .)
}

# rs_attach_attacker VIF ATTACH_ARGS...: the attacker's filter, one TAP
# line.  With VG_REALSW_UNGUARDED=1 the attacker's VIF stays without one:
# a run that shows each attack test failing when nothing stops the
# attack, i.e. that the victim-side checks can fail.
rs_attach_attacker() {
	local vif=$1 out
	if [ "${VG_REALSW_UNGUARDED:-0}" = 1 ]; then
		tap_skip "attach $vif" "VG_REALSW_UNGUARDED=1: the attacker is not filtered"
		return 0
	fi
	out=$(vg attach "$@" 2>&1)
	tap_check "attach $vif (attacker)" "exit 0" "exit $?" "$out"
}

# rs_expect_drops NAME VIF SNAP REASON MIN [EXACT [ALSO]]: one TAP line:
# since rs_snap SNAP, VIF dropped at least MIN frames as REASON (exactly
# MIN with EXACT=exact), and no other drop counter moved but those named
# in ALSO (space-separated: frames a tool sends besides its attack).
rs_expect_drops() {
	local name=$1 vif=$2 snap=$3 reason=$4 min=$5 exact=${6:-} also=" ${7:-} "
	local k n others='' extra=''
	rs_delta_since "$snap" "$vif"
	n=${D[$reason]:-0}
	for k in "${!D[@]}"; do
		[ "$k" = "$reason" ] && continue
		if [[ $also == *" $k "* ]]; then
			extra+=", $k+${D[$k]}"
		else
			others+="$k+${D[$k]} "
		fi
	done
	if { { [ "$exact" = exact ] && [ "$n" = "$min" ]; } ||
	     { [ "$exact" != exact ] && [ "$n" -ge "$min" ]; }; } && [ -z "$others" ]; then
		tap_ok "$name: $vif dropped $n as $reason$extra"
	else
		tap_fail "$name: $vif drops" \
			"$reason $([ "$exact" = exact ] && echo "= $min" || echo ">= $min"), nothing else" \
			"$reason $n${others:+, others: $others}"
	fi
}
