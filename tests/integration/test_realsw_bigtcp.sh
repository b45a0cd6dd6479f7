#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Bulk TCP (iperf3) from a guest to the sink through the filter, IPv4 and
# IPv6, with the usual 64 KiB GSO limit and with BIG TCP (GSO packets of
# up to 185000 octets: IPv4 total length 0, Linux >= 6.3; IPv6 payload
# length 0 with or without a hop-by-hop jumbo option, Linux >= 5.19).
# Each transfer must complete, move more than 100 MB and cost no drop;
# speed is left to the benchmarks.  A BIG TCP case must also show that
# super-packets (longer than 65535 octets) reached the filter: a capture
# on the VIF, which sees a frame before tc ingress does.  A kernel that
# does not build them is a SKIP, never a silent pass.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/realsw/lib.sh"
vg_init
m=$(rs_missing iperf3 tcpdump "$RS_PY") &&
	vg_skip_all "$m not installed (scripts/install-deps.sh)"

G5_MAC=02:00:00:00:05:00
G5_V4=10.99.0.5
G5_V6=fd00:99::5
BIG=185000
MIN_BYTES=100000000
SECS=2

vg_guest g5 vif5.0 $G5_MAC
out=$(vg attach vif5.0 --mac $G5_MAC --ipv4 $G5_V4 --ipv6 $G5_V6 2>&1)
tap_check "attach vif5.0" "exit 0" "exit $?" "$out"
ip -n "$VG_ID-g5" addr add $G5_V4/24 dev eth0
ip -n "$VG_ID-g5" addr add $G5_V6/64 dev eth0 nodad
vg_up g5

# Every device on the path: the guest's end builds the GSO packets (TCP
# sizes them by the route's device), the VIF carries them to the filter,
# the bridge and the uplink forward them whole, the sink takes them in.
PATH_DEVS=("$VG_ID-g5 eth0" "$HOST vif5.0" "$HOST br0" "$HOST uplink0" "$SINK sink0")

# set_gso SIZE FAMILY: the limits that family's TCP uses (IPv6: the
# generic ones; IPv4 since Linux 6.3: its own, which need the generic
# ones as well) on every device of the path; status 1 (and the reason in
# GSO_ERR) if one of them did not take.
set_gso() {
	local d out attrs="gso_max_size=$1 gro_max_size=$1"
	[ "$2" = 4 ] && attrs="$attrs gso_ipv4_max_size=$1 gro_ipv4_max_size=$1"
	GSO_ERR=
	for d in "${PATH_DEVS[@]}"; do
		# shellcheck disable=SC2086 # "NETNS DEV", and a list
		set -- $d
		out=$(ip netns exec "$1" "$RS_PY" "$RS_DIR/linkattr.py" "$2" $attrs 2>&1) ||
			{ GSO_ERR="$2: $(echo "$out" | tr '\n' ' ')"; return 1; }
	done
}

# transfer NAME FAMILY(4|6) DST BIG(0|1)
transfer() {
	local name=$1 fam=$2 dst=$3 big=$4 sent recv err super pass ok want_super=
	local size=65536
	[ "$big" = 1 ] && size=$BIG && want_super=", frames over 64 KiB > 0"
	if ! set_gso $size "$fam"; then
		if [ "$big" = 1 ]; then
			tap_skip "$name" "kernel without BIG TCP (GSO limit not settable: $GSO_ERR)"
		else
			tap_fail "$name: GSO limits" "set" "$GSO_ERR"
		fi
		return
	fi
	rs_snap x vif5.0
	rs_bg iperf3-srv "$SINK" 30 iperf3 --server --one-off --bind "$dst"
	rs_wait 5 rs_listening "$SINK" tcp 5201 ||
		{ tap_fail "$name" "iperf3 server listening" "$(cat "$VG_TMP/iperf3-srv.log")"; return; }
	# Frames longer than 64 KiB coming in from the guest; `greater` is
	# the frame's length as the kernel holds it, GSO packets included.
	rs_capture super "$HOST" vif5.0 "greater 65536"
	gx g5 timeout 20 iperf3 --client "$dst" --time $SECS --json \
		>"$VG_TMP/iperf3.json" 2>"$VG_TMP/iperf3.err"
	err=$(jq -r '.error // empty' "$VG_TMP/iperf3.json" 2>/dev/null)
	sent=$(jq -r '.end.sum_sent.bytes // 0' "$VG_TMP/iperf3.json" 2>/dev/null)
	recv=$(jq -r '.end.sum_received.bytes // 0' "$VG_TMP/iperf3.json" 2>/dev/null)
	rs_capture_count super
	super=$CAPTURED
	rs_reap iperf3-srv 3
	rs_delta_since x vif5.0
	vg_stats vif5.0
	pass=$((STATS[pass] - ${RS_SNAP[x/pass]:-0}))
	ok=0
	[ -z "$err" ] && [ "${recv:-0}" -gt $MIN_BYTES ] && [ -z "$DELTA" ] && ok=1
	if [ $ok = 1 ] && { [ "$big" = 0 ] || [ "$super" -gt 0 ]; }; then
		tap_ok "$name: $((recv / 1000000)) MB in ${SECS} s, $pass frames passed, $super over 64 KiB, no drop"
	elif [ $ok = 1 ]; then
		# The transfer went well, but as ordinary GSO packets: nothing
		# of BIG TCP was tested.
		tap_skip "$name" "no frame over 64 KiB reached vif5.0 with GSO limits of $BIG: kernel without BIG TCP for IPv$fam"
	else
		tap_fail "$name" "completes, received > $MIN_BYTES bytes, no drop$want_super" \
			"${err:+error: $err, }received $recv bytes (sent $sent), drops: ${DELTA:-none}, $super frames over 64 KiB" \
			"$(head -c 600 "$VG_TMP/iperf3.err")" "$(echo "$CAPTURE_TEXT" | head -n 3)"
	fi
}

transfer "iperf3 IPv4, GSO up to 64 KiB" 4 $SINK_V4 0
transfer "iperf3 IPv6, GSO up to 64 KiB" 6 $SINK_V6 0
transfer "iperf3 IPv4, BIG TCP (GSO up to $BIG)" 4 $SINK_V4 1
transfer "iperf3 IPv6, BIG TCP (GSO up to $BIG)" 6 $SINK_V6 1

tap_done
