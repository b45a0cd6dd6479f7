#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Policy update in place under traffic: while a guest streams frames,
# re-attach switches its allowed set back and forth.  A frame whose source
# is allowed by both the old and the new policy is never dropped, a source
# allowed by neither never passes, and the filter is never taken off.
. "$(dirname "$0")/lib.sh"
vg_init

MAC=02:00:00:00:08:00
A=10.99.0.8
B=10.99.0.80
C=10.99.0.99
X1=10.99.0.81
X2=10.99.0.82
vg_guest g8 vif8.0 $MAC quiet
VG_FENCE[g8]="udp4 --src-ip $A"
STREAM=${VG_STREAM:-3000}	# frames per stream, one every 300 us

# Re-attach failures and the filter's program id, sampled at every switch.
SWITCH_ERR=()
PROG_IDS=()
set_policy() {
	local out a
	out=$(vg attach vif8.0 --mac $MAC "$@" 2>&1) ||
		SWITCH_ERR+=("attach $*: exit $?: $out")
	a=$(hx "$BPFTOOL" -j net show dev vif8.0 |
		jq -r '[.[] | (.tc // [])[], (.tcx // [])[] | .id] | join(",")')
	PROG_IDS+=("${a:-none}")
}

# stream NAME SRC_IP POLICY1 POLICY2: streams frames from SRC_IP (and
# from C, never allowed) while switching between the two policies until
# the stream ends; sets GOT (frames of SRC_IP at the sink), GOT_C and
# SWITCHES.
stream() {
	local src=$1 p1=$2 p2=$3 ma mc f spid
	vg_marker; ma=$MARKER
	vg_marker; mc=$MARKER
	vg_marker; f=$MARKER
	vg_recv_start $ma -f $f -t 60000; local ra=$RECV_PID
	vg_recv_start $mc -f $f -t 60000; local rc=$RECV_PID
	gx g8 "$VGPKT" send -i eth0 -c $STREAM -g 300 -m $ma udp4 --src-ip $src &
	spid=$!
	gx g8 "$VGPKT" send -i eth0 -c $((STREAM / 10)) -g 3000 -m $mc \
		udp4 --src-ip $C &
	local cpid=$!
	SWITCHES=0
	while kill -0 $spid 2>/dev/null; do
		# shellcheck disable=SC2086
		set_policy $p2
		# shellcheck disable=SC2086
		set_policy $p1
		SWITCHES=$((SWITCHES + 2))
	done
	wait $spid $cpid
	gx g8 "$VGPKT" send -i eth0 -m $f udp4 --src-ip $A
	RECV_PID=$ra; vg_recv_wait $ma; GOT=$RX
	RECV_PID=$rc; vg_recv_wait $mc; GOT_C=$RX
}

out=$(vg attach vif8.0 --mac $MAC --ipv4 $A 2>&1)
tap_check "attach vif8.0 {A}" "exit 0" "exit $?" "$out"
vg_up g8
PROG_IDS=()
set_policy --ipv4 $A
first_id=${PROG_IDS[0]}

declare -A s0=()
vg_stats vif8.0; for k in "${!STATS[@]}"; do s0[$k]=${STATS[$k]}; done
stream $A "--ipv4 $A" "--ipv4 $A --ipv4 $B"
vg_stats vif8.0
tap_check "A streams while policy switches {A} <-> {A,B} $SWITCHES times: no A frame lost" \
	"$STREAM of $STREAM, C: 0, switches >= 2" \
	"$GOT of $STREAM, C: $GOT_C, switches >= $([ $SWITCHES -ge 2 ] && echo 2 || echo "$SWITCHES")"
tap_check "counters during the {A} <-> {A,B} switches" \
	"ipv4-src+$((STREAM / 10)) pass+$((STREAM + 1))" "$(vg_delta s0 STATS)"

# The first two IPv4 hosts sit in the policy itself, further ones in the
# LPM trie under the policy's generation: A moves between the two at every
# switch, and between the trie's generations with a fourth address.
stream $A "--ipv4 $A" "--ipv4 $X1 --ipv4 $X2 --ipv4 $A"
tap_check "A streams while A moves inline <-> table $SWITCHES times: no A frame lost" \
	"$STREAM of $STREAM, C: 0" "$GOT of $STREAM, C: $GOT_C"
stream $A "--ipv4 $X1 --ipv4 $X2 --ipv4 $A" "--ipv4 $X1 --ipv4 $X2 --ipv4 $B --ipv4 $A"
tap_check "A streams while the table switches generation $SWITCHES times: no A frame lost" \
	"$STREAM of $STREAM, C: 0" "$GOT of $STREAM, C: $GOT_C"

set_policy --ipv4 $A
vg_case "{A}: B dropped" g8 vif8.0 3 0 "ipv4-src+3 pass+1" udp4 --src-ip $B
set_policy --ipv4 $A --ipv4 $B
vg_case "{A,B}: B passes once allowed" g8 vif8.0 3 3 "pass+4" udp4 --src-ip $B

vg_stats vif8.0; s0=(); for k in "${!STATS[@]}"; do s0[$k]=${STATS[$k]}; done
stream $B "--ipv4 $A --ipv4 $B" "--ipv4 $B"
vg_stats vif8.0
tap_check "B streams while policy switches {A,B} <-> {B} $SWITCHES times: no B frame lost" \
	"$STREAM of $STREAM, C: 0" "$GOT of $STREAM, C: $GOT_C"

set_policy --ipv4 $B
VG_FENCE[g8]="udp4 --src-ip $B"
vg_case "{B}: A dropped after" g8 vif8.0 3 0 "ipv4-src+3 pass+1" udp4 --src-ip $A
vg_case "{B}: B passes" g8 vif8.0 3 3 "pass+4" udp4 --src-ip $B

tap_check "every re-attach succeeded" "0 failures" "${#SWITCH_ERR[@]} failures" \
	"${SWITCH_ERR[@]:0:3}"
other=$(printf '%s\n' "${PROG_IDS[@]}" | grep -vx -- "$first_id" | sort -u | tr '\n' ' ')
tap_check "the filter stayed attached, same program, at all ${#PROG_IDS[@]} samples" \
	"program $first_id every time" "program $first_id${other:+ and also $other}${other:- every time}"

tap_done
