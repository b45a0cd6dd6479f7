#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# vifguard monitor: the drop events of known spoofed frames, field by
# field; none for frames that pass; the IFACE filter; the rate limit
# (counted, never timed); the --syslog digest, caught on a private
# /dev/log.
. "$(dirname "$0")/lib.sh"
vg_init
command -v python3 >/dev/null || vg_bail "python3 missing (scripts/install-deps.sh)"

G6_MAC=02:00:00:00:06:00
G7_MAC=02:00:00:00:07:00
GP_MAC=02:00:00:00:08:00
V_MAC=02:00:00:00:05:00

vg_guest g6 vif6.0 $G6_MAC quiet
vg_guest g7 vif7.0 $G7_MAC quiet
vg_guest gp vif8.0 $GP_MAC quiet
for g in 6 7 8; do
	out=$(vg attach vif$g.0 --mac 02:00:00:00:0$g:00 --ipv4 10.99.0.$g \
		--ipv6 fd00:99::$g 2>&1)
	tap_check "attach vif$g.0" "exit 0" "exit $?" "$out"
done
vg_up g6; vg_up g7; vg_up gp

MON_PID=
MON_OUT=
# mon_start FILE ARGS...: `vifguard -j monitor ARGS` in the background,
# its lines in FILE; returns once it reads events: vif8.0 sends an
# unknown ethertype until that frame's event shows up (at most 10 s).
mon_start() {
	local i
	MON_OUT=$1
	shift
	# Not through vg(): $! must be the monitor itself (ip execs it).
	ip netns exec "$HOST" "$VIFGUARD" -r "$ROOT" -j monitor "$@" >"$MON_OUT" \
		2>"$MON_OUT.err" &
	MON_PID=$!
	VG_BG+=("$MON_PID")
	for ((i = 0; i < 100; i++)); do
		gx gp "$VGPKT" send -i eth0 raw --ethertype 0x88b6
		grep -q '"iface":"vif8.0","ifindex":[0-9]*,"reason":"ethertype"' "$MON_OUT" &&
			return 0
		if ! kill -0 "$MON_PID" 2>/dev/null; then
			wait "$MON_PID"
			echo "exit $?" >>"$MON_OUT.err"
			return 1
		fi
		sleep 0.1
	done
	echo "no event from vif8.0 in 10 s" >>"$MON_OUT.err"
	return 1
}

# mon_stop: SIGINT, and the monitor's exit status in MON_RC.
mon_stop() {
	kill -INT "$MON_PID"
	wait "$MON_PID"
	MON_RC=$?
}

# mon_wait PATTERN: until a line of the monitor matches (at most 10 s).
mon_wait() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep -q -- "$1" "$MON_OUT" && return 0
		sleep 0.1
	done
	return 1
}

# The events of IFACE (reason REASON), as JSON lines.
mon_events() {
	jq -c --arg i "$1" --arg r "$2" 'select(.iface == $i and .reason == $r)' "$MON_OUT"
}

# A burst large enough that no frame of the field tests is held back.
mon_start "$VG_TMP/mon1" --rate 1/h --burst 1000 ||
	vg_bail "the monitor did not start: $(cat "$VG_TMP/mon1" "$VG_TMP/mon1.err")"

# Each spoofed frame: its event, the fields an operator reads.
KEYS='[.iface, .reason, .action, .src_mac, .dst_mac, .ethertype, .src_ip, .dst_ip,
	.protocol, .src_port, .dst_port, .icmp_type, .arp_op, .arp_sha, .frame_len]
	| map(tostring) | join(" ")'
while IFS='|' read -r name reason expect args; do
	[ -z "$name" ] && continue
	# shellcheck disable=SC2086 # an argument list by design
	gx g6 "$VGPKT" send -i eth0 $args
	mon_wait "\"iface\":\"vif6.0\",\"ifindex\":[0-9]*,\"reason\":\"$reason\""
	got=$(mon_events vif6.0 "$reason" | jq -r "$KEYS")
	tap_check "event: $name" "vif6.0 $reason drop $expect" "$got" \
		"frame: vgpkt send $args"
done <<CASES
IPv4 source spoof|ipv4-src|$G6_MAC $SINK_MAC 0x0800 10.99.0.5 $SINK_V4 17 1234 53 null null null 60|udp4 --src-ip 10.99.0.5 --dst-ip $SINK_V4 --dst-mac $SINK_MAC --sport 1234 --dport 53
IPv6 source spoof|ipv6-src|$G6_MAC 33:33:00:00:00:01 0x86dd fd00:99::5 ff02::1 17 1000 2000 null null null 68|udp6 --src-ip fd00:99::5 --dst-ip ff02::1 --sport 1000 --dport 2000
ARP reply for the gateway's address|arp-spa|$G6_MAC ff:ff:ff:ff:ff:ff 0x0806 $SINK_V4 10.99.0.5 null null null null 2 $G6_MAC 60|arp --op 2 --spa $SINK_V4 --tpa 10.99.0.5
another guest's MAC|src-mac|$V_MAC ff:ff:ff:ff:ff:ff 0x0800 10.99.0.6 255.255.255.255 17 9 9 null null null 60|udp4 --src-mac $V_MAC --src-ip 10.99.0.6 --sport 9 --dport 9
rogue router advertisement|router-advert|$G6_MAC 33:33:00:00:00:01 0x86dd fe80::ff:fe00:600 ff02::1 58 null null 134 null null 118|ra --prefix fd00:66::/64
CASES

# Frames that pass send nothing: 5 legitimate ones, then one forged one
# (a new reason) as a marker; vif6.0's events are the field tests' five
# and the marker.
VG_FENCE[g6]="udp4 --src-ip 10.99.0.6"
vg_xfer g6 5 udp4 --src-ip 10.99.0.6 --sport 7 --dport 7
tap_check "control: legitimate frames delivered" "5" "$RX"
gx g6 "$VGPKT" send -i eth0 udp4 --src-ip 10.99.0.6 --vlan 10
mon_wait '"iface":"vif6.0","ifindex":[0-9]*,"reason":"vlan"'
got=$(jq -r 'select(.iface == "vif6.0") | .reason' "$MON_OUT" | sort | tr '\n' ' ')
tap_check "no event for passed frames" \
	"arp-spa ipv4-src ipv6-src router-advert src-mac vlan " "$got"
got=$(mon_events vif6.0 vlan | jq -r '.vlan')
tap_check "event: an offloaded VLAN tag's id" "10" "$got"

mon_stop
tap_check "monitor: SIGINT ends it with exit 0" "0" "$MON_RC" "$(cat "$MON_OUT.err")"
got=$(grep -vc "^{.*}\$" "$MON_OUT")
tap_check "monitor -j: every line one JSON object" "0" "$got"

# The IFACE filter: vif6.0's drop goes first, vif7.0's after it; both
# are in the buffers before the monitor stops (it reads them all).
mon_start "$VG_TMP/mon2" vif7.0 vif8.0 ||
	vg_bail "the monitor did not start: $(cat "$VG_TMP/mon2" "$VG_TMP/mon2.err")"
gx g6 "$VGPKT" send -i eth0 udp4 --src-ip 10.99.0.66
gx g7 "$VGPKT" send -i eth0 udp4 --src-ip 10.99.0.77
mon_wait '"iface":"vif7.0"'
mon_stop
got=$(jq -r '.iface + " " + .src_ip' "$MON_OUT" | grep -v '^vif8.0' | sort -u | tr '\n' ' ')
tap_check "monitor IFACE: only the interfaces named" "vif7.0 10.99.0.77 " "$got"

# The rate limit: a burst of 5 and a refill of one an hour.  N forged
# frames of a new (interface, reason) give at most 5 events plus one
# per hour since; the rest are counted as suppressed.
N=40
mon_start "$VG_TMP/mon3" --rate 1/h --burst 5 vif7.0 vif8.0 ||
	vg_bail "the monitor did not start: $(cat "$VG_TMP/mon3" "$VG_TMP/mon3.err")"
t0=$(date +%s)
gx g7 "$VGPKT" send -i eth0 -c $N udp4 --src-mac $V_MAC --src-ip 10.99.0.7
# A frame of another reason after them: once its event is here, those
# before it are too.
gx g7 "$VGPKT" send -i eth0 udp4 --src-ip 10.99.0.78
mon_wait '"src_ip":"10.99.0.78"'
mon_stop
hours=$((($(date +%s) - t0) / 3600))
sent=$(mon_events vif7.0 src-mac | wc -l)
max=$((5 + hours + 1))
ok=$([ "$sent" -ge 1 ] && [ "$sent" -le $max ] && echo yes || echo "no: $sent")
tap_check "rate limit: 1..$max events of $N frames" "yes" "$ok"
ifx=$(vg_ifindex vif7.0 2>/dev/null)
supp=$(vg -j dump ev_limit | jq --argjson i "$ifx" \
	'.maps.ev_limit[] | select(.ifindex == $i and .reason == "src-mac") | .suppressed')
tap_check "rate limit: the others counted as suppressed" "$((N - sent))" "$supp"
got=$(vg -j stats vif7.0 | jq '[.. | objects | select(has("suppressed_events"))
	| .suppressed_events.src_mac] | first')
tap_check "stats: suppressed events per reason" "$((N - sent))" "$got"
got=$(vg -j dump ev_config | jq -r '.maps.ev_config[0] | "\(.cost_ns) \(.burst) \(.source)"')
tap_check "the limit set stays for the host" "3600000000000 5 set" "$got"

# --syslog: a private /dev/log (a datagram socket read by python3) in a
# mount namespace of the monitor's own.
LOG=$VG_TMP/log.sock
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as f:
    open(sys.argv[1] + ".ready", "w").close()
    while True:
        f.write(s.recv(65536).decode("utf-8", "replace") + "\n")
' "$LOG" "$VG_TMP/syslog" &
VG_BG+=("$!")
for ((i = 0; i < 100; i++)); do [ -e "$LOG.ready" ] && break; sleep 0.1; done
ip netns exec "$HOST" unshare -m sh -c '
	mount -t tmpfs -o mode=0755 vglog /dev && ln -s "$1" /dev/log && shift && exec "$@"' \
	sh "$LOG" "$VIFGUARD" -r "$ROOT" monitor --syslog --interval 3600 vif7.0 \
	>"$VG_TMP/mon4" 2>&1 &
MON_PID=$!
MON_OUT=$VG_TMP/syslog
VG_BG+=("$MON_PID")
mon_wait 'monitoring drops' || vg_bail "no start line: $(cat "$VG_TMP/mon4")"
gx g7 "$VGPKT" send -i eth0 -c 7 arp --op 2 --sha $V_MAC --spa 10.99.0.7 --tpa $SINK_V4
gx g6 "$VGPKT" send -i eth0 -c 3 arp --op 2 --sha $V_MAC --spa 10.99.0.6 --tpa $SINK_V4
# The frames are counted before the send returns; the digest at the end
# reads the buckets.
mon_stop
tap_check "monitor --syslog: SIGTERM/SIGINT ends it with exit 0" "0" "$MON_RC" \
	"$(cat "$VG_TMP/mon4")"
got=$(grep -o 'vif7.0: 7 frames dropped (arp-sha, e.g. [^)]*)' "$VG_TMP/syslog")
tap_check "syslog digest: count and example per interface and reason" \
	"vif7.0: 7 frames dropped (arp-sha, e.g. $G7_MAC > ff:ff:ff:ff:ff:ff ethertype 0x0806 10.99.0.7 > $SINK_V4 arp op 2 sha $V_MAC)" \
	"$got" "$(cat "$VG_TMP/syslog")"
got=$(grep -c 'vif6.0' "$VG_TMP/syslog")
tap_check "syslog digest: only the interfaces named" "0" "$got"
got=$(grep -c '^<28>.* vifguard\[[0-9]*\]: .*frames dropped' "$VG_TMP/syslog")
tap_check "syslog digest: facility daemon, priority warning" "1" "$got"

# An old root: no events map.
rm "$ROOT/events"
out=$(vg monitor 2>&1)
rc=$?
tap_check "monitor on a root without the events map: a clear refusal" \
	"exit 1, names the older vifguard" \
	"exit $rc$(grep -q 'made by an older vifguard' <<<"$out" && echo ', names the older vifguard')" \
	"$out"

tap_done
