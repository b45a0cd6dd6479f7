#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Audit mode: every check runs, a frame that fails one is counted under
# its reason and reported as an audit event, and it reaches the peer.
# Then the same interface locked: the same frames are dropped.
. "$(dirname "$0")/lib.sh"
vg_init
command -v python3 >/dev/null || vg_bail "python3 missing (scripts/install-deps.sh)"

G6_MAC=02:00:00:00:06:00
V_MAC=02:00:00:00:05:00

vg_guest g6 vif6.0 $G6_MAC quiet
VG_FENCE[g6]="udp4 --src-ip 10.99.0.6"
out=$(vg attach vif6.0 --mode audit --mac $G6_MAC --ipv4 10.99.0.6 --ipv6 fd00:99::6 2>&1)
tap_check "attach --mode audit" "exit 0" "exit $?" "$out"
vg_up g6

got=$(vg -j show vif6.0 | jq -r '(if type == "array" then .[] else . end)
	| (.interfaces // [.]) | .[] | .mode')
tap_check "show: mode audit" "audit" "$got"
got=$(vg -j stats vif6.0 | jq -r '(if type == "array" then .[] else . end)
	| (.interfaces // [.]) | .[] | .mode')
tap_check "stats: mode audit" "audit" "$got"

# The monitor, started as test_monitor does: ready once an event of
# the probe frame (an unknown ethertype, which audit passes) is read.
MON_OUT=$VG_TMP/mon
ip netns exec "$HOST" "$VIFGUARD" -r "$ROOT" -j monitor vif6.0 >"$MON_OUT" \
	2>"$MON_OUT.err" &
MON_PID=$!
VG_BG+=("$MON_PID")
for ((i = 0; i < 100; i++)); do
	gx g6 "$VGPKT" send -i eth0 raw --ethertype 0x88b6
	grep -q '"reason":"ethertype"' "$MON_OUT" && break
	sleep 0.1
done
grep -q '"reason":"ethertype"' "$MON_OUT" ||
	vg_bail "the monitor did not start: $(cat "$MON_OUT" "$MON_OUT.err")"

N=5
while IFS='|' read -r name reason args; do
	[ -z "$name" ] && continue
	# shellcheck disable=SC2086 # an argument list by design
	vg_case "audit: $name delivered, counted as $reason" g6 vif6.0 $N $N \
		"$reason+$N pass+1" $args
done <<CASES
IPv4 source spoof|ipv4-src|udp4 --src-ip 10.99.0.5 --dst-ip $SINK_V4 --dst-mac $SINK_MAC
another guest's MAC|src-mac|udp4 --src-mac $V_MAC --src-ip 10.99.0.6
IPv6 source spoof|ipv6-src|udp6 --src-ip fd00:99::5 --dst-ip $SINK_V6
CASES

kill -INT "$MON_PID"
wait "$MON_PID"
tap_check "monitor ends with exit 0" "0" "$?" "$(cat "$MON_OUT.err")"
got=$(jq -r 'select(.reason != "ethertype") | "\(.reason) \(.action)"' "$MON_OUT" |
	sort | uniq -c | awk '{ print $2, $3, $1 }' | tr '\n' ' ')
tap_check "events: each would-be drop, action audit" \
	"ipv4-src audit $N ipv6-src audit $N src-mac audit $N " "$got"

# Locked, the same frames go nowhere.
out=$(vg set vif6.0 mode locked 2>&1)
tap_check "set mode locked" "exit 0" "exit $?" "$out"
vg_case "locked: IPv4 source spoof dropped" g6 vif6.0 $N 0 "ipv4-src+$N pass+1" \
	udp4 --src-ip 10.99.0.5 --dst-ip $SINK_V4 --dst-mac $SINK_MAC
out=$(vg set vif6.0 mode audit 2>&1)
tap_check "set mode audit" "exit 0" "exit $?" "$out"
vg_case "audit again: delivered" g6 vif6.0 $N $N "ipv4-src+$N pass+1" \
	udp4 --src-ip 10.99.0.5 --dst-ip $SINK_V4 --dst-mac $SINK_MAC

out=$(vg attach vif6.0 --mode audit 2>&1)
tap_check "audit without a MAC refused" "exit 2" "exit $?" "$out"

tap_done
