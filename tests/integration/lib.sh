# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Shared by the integration tests (sourced, bash).  A test file builds a
# simulated dom0 out of network namespaces, drives the real CLI and the
# real kernel, and prints TAP lines.
#
#   HOST ns:  bridge br0, the guests' backend ends (vif5.0, tap7.0, ...),
#             uplink0 towards the sink; the CLI runs here.
#   guest ns: eth0, the guest's end of its veth pair ($VG_ID-NAME).
#   SINK ns:  sink0, the peer on the bridge: answers pings, counts frames.
#
# Everything gets a per-run name, the filter state lives on a private bpffs
# mounted under /run (`ip netns exec` remounts /sys), and an EXIT trap
# removes it all, also when a test fails or is interrupted.
#
# API:  vg_init; vg_guest NAME VIF MAC [quiet]; vg_up NAME; vg ARGS (the CLI
# in HOST); hx/sx/gx NAME CMD (run in HOST/SINK/guest); vg_xfer; vg_stats;
# tap_ok/tap_fail/tap_skip/tap_check; tap_done.

set -u

VG_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUTPUT=${OUTPUT:-$VG_TOP/build}
VIFGUARD=${VIFGUARD:-$OUTPUT/vifguard}
VGPKT=${VGPKT:-$OUTPUT/vgpkt}
BPFTOOL=${BPFTOOL:-bpftool}

# Unique per run, also where the test runs as PID 1 of a PID namespace of
# its own (xen_init, tests/static): then the PID outside it.
VG_ID=vgt${VG_OUTER_PID:-$$}
HOST=$VG_ID-host
SINK=$VG_ID-sink
VG_TMP=
ROOT=
VG_NETNS=()
VG_BG=()
VG_SEQ=0
declare -A VG_FENCE=()

SINK_MAC=02:00:00:00:00:01
SINK_V4=10.99.0.1
SINK_V6=fd00:99::1

# ---- TAP -----------------------------------------------------------------

TAP_N=0
TAP_FAILED=0

tap_ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1"
}

# tap_fail NAME EXPECTED ACTUAL [DETAIL...]
tap_fail() {
	local name=$1 exp=$2 act=$3 l
	shift 3
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $name"
	echo "#   expected: $exp"
	echo "#   actual:   $act"
	for l in "$@"; do
		printf '%s\n' "$l" | sed 's/^/#   /'
	done
}

tap_skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1 # SKIP $2"
}

# tap_check NAME EXPECTED ACTUAL [DETAIL...]: string comparison.
tap_check() {
	if [ "$2" = "$3" ]; then
		tap_ok "$1"
	else
		tap_fail "$@"
	fi
}

tap_done() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" = 0 ]
}

# The whole file cannot run: one SKIP line (a missing kernel feature).
vg_skip_all() {
	tap_skip "$(basename "$0" .sh)" "$1"
	tap_done
	exit 0
}

vg_bail() {
	tap_fail "$(basename "$0" .sh): setup" "setup succeeds" "$1"
	tap_done
	exit 1
}

# ---- environment ---------------------------------------------------------

hx() { ip netns exec "$HOST" "$@"; }
sx() { ip netns exec "$SINK" "$@"; }
gx() { local g=$1; shift; ip netns exec "$VG_ID-$g" "$@"; }
# vg_static: $VIFGUARD is the static build (make static): it has no
# program interpreter, so LD_PRELOAD and a hidden libxenstore.so.4 do not
# reach it.
vg_static() { ! readelf -l "$VIFGUARD" 2>/dev/null | grep -q INTERP; }
# VG_PRELOAD: a library the CLI runs with (LD_PRELOAD), if set.
vg() { ip netns exec "$HOST" env ${VG_PRELOAD:+LD_PRELOAD=$VG_PRELOAD} "$VIFGUARD" -r "$ROOT" "$@"; }

vg_cleanup() {
	local p ns
	for p in "${VG_BG[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	for ((p = ${#VG_NETNS[@]} - 1; p >= 0; p--)); do
		ns=${VG_NETNS[p]}
		ip netns del "$ns" 2>/dev/null
	done
	if [ -n "$ROOT" ] && mountpoint -q "$ROOT"; then
		umount "$ROOT"
	fi
	[ -n "$VG_TMP" ] && rm -rf "$VG_TMP"
	return 0
}

vg_netns_add() {
	ip netns add "$1" || vg_bail "cannot create netns $1"
	VG_NETNS+=("$1")
	ip -n "$1" link set lo up
}

# Bridge netfilter would let iptables drop frames too: off, in this netns.
vg_no_br_netfilter() {
	local k
	for k in iptables ip6tables arptables; do
		hx sysctl -qw "net.bridge.bridge-nf-call-$k=0" 2>/dev/null
	done
	return 0
}

vg_init() {
	[ "$(id -u)" = 0 ] || vg_skip_all "needs root"
	[ -x "$VIFGUARD" ] || vg_bail "$VIFGUARD not built"
	[ -x "$VGPKT" ] || vg_bail "$VGPKT not built"
	command -v jq >/dev/null || vg_bail "jq missing (scripts/install-deps.sh)"
	command -v "$BPFTOOL" >/dev/null || vg_bail "bpftool missing"

	trap vg_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	VG_TMP=$(mktemp -d /run/vifguard-test.XXXXXX) || vg_bail "mktemp"
	ROOT=$VG_TMP/bpf
	mkdir -p "$ROOT"
	mount -t bpf -o mode=0700 bpf "$ROOT" 2>/dev/null ||
		vg_skip_all "cannot mount a bpf filesystem (CONFIG_BPF_SYSCALL)"

	vg_netns_add "$HOST"
	# ip -n and ip netns exec need / to be a mount point (they remount
	# it as a slave); a chroot that is not one fails here, and that is a
	# broken test environment, not a missing kernel feature.
	local out
	out=$(ip netns exec "$HOST" true 2>&1) ||
		vg_bail "cannot enter a network namespace (ip netns exec): $out"
	# The backend side carries no addresses of its own: no IPv6 chatter.
	hx sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	ip -n "$HOST" link add br0 type bridge stp_state 0 mcast_snooping 0 \
		2>/dev/null || vg_skip_all "no bridge support (CONFIG_BRIDGE)"
	vg_no_br_netfilter
	ip -n "$HOST" link set br0 up
	hx tc qdisc add dev br0 clsact 2>/dev/null ||
		vg_skip_all "no clsact qdisc (CONFIG_NET_SCH_INGRESS)"
	hx tc qdisc del dev br0 clsact

	vg_netns_add "$SINK"
	ip -n "$HOST" link add uplink0 type veth peer name sink0 \
		netns "$SINK" 2>/dev/null || vg_skip_all "no veth (CONFIG_VETH)"
	ip -n "$HOST" link set uplink0 master br0 up
	ip -n "$SINK" link set sink0 address $SINK_MAC
	ip -n "$SINK" addr add $SINK_V4/24 dev sink0
	ip -n "$SINK" addr add $SINK_V6/64 dev sink0 nodad
	ip -n "$SINK" addr add fd00:99:1::1/64 dev sink0 nodad
	ip -n "$SINK" link set sink0 up
}

# vg_guest NAME VIF MAC [quiet] [IFINDEX]
# A guest: netns $VG_ID-NAME with eth0 (MAC), its backend VIF in HOST on
# br0, like netback's vifs with fe:ff:ff:ff:ff:ff.  Links stay down until
# vg_up, so a filter can be attached first, as a hotplug script does.
# A quiet guest has IPv6 off and no IPv4 address: its kernel sends
# nothing by itself, so counters move only by what a test sends.
# IFINDEX: the ifindex VIF gets (default: the next free one).
vg_guest() {
	local name=$1 vif=$2 mac=$3 quiet=${4:-} index=${5:+index $5} ns=$VG_ID-$1
	vg_netns_add "$ns"
	if [ "$quiet" = quiet ]; then
		gx "$name" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	else
		gx "$name" sysctl -qw net.ipv6.conf.default.use_tempaddr=0 \
			net.ipv6.conf.default.accept_ra=1
	fi
	ip -n "$HOST" link add "$vif" $index type veth peer name eth0 netns "$ns" ||
		vg_bail "cannot create $vif"
	ip -n "$ns" link set eth0 address "$mac"
	ip -n "$HOST" link set "$vif" address fe:ff:ff:ff:ff:ff master br0 up
}

vg_up() {
	ip -n "$VG_ID-$1" link set eth0 up
}

# vg_wait_dad NAME: until no address of the guest is tentative (max 10 s).
vg_wait_dad() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ -z "$(ip -n "$VG_ID-$1" -6 addr show dev eth0 tentative)" ] &&
			return 0
		sleep 0.1
	done
	return 1
}

# ---- frames --------------------------------------------------------------

vg_marker() {
	VG_SEQ=$((VG_SEQ + 1))
	MARKER=$((((${VG_OUTER_PID:-$$} & 0x7fff) << 16) | VG_SEQ))
}

# vg_recv_start MARKER [vgpkt recv options...]: a counter on sink0, ready
# to receive when this returns; vg_recv_wait collects the count in RX.
vg_recv_start() {
	local m=$1 rdy=$VG_TMP/ready.$1 i
	shift
	sx "$VGPKT" recv -i sink0 -m "$m" -r "$rdy" --count-only "$@" \
		>"$VG_TMP/rx.$m" 2>"$VG_TMP/rx.$m.err" &
	RECV_PID=$!
	VG_BG+=("$RECV_PID")
	for ((i = 0; i < 500; i++)); do
		[ -e "$rdy" ] && return 0
		sleep 0.01
	done
	return 1
}

vg_recv_wait() {
	local m=$1 rc
	wait "$RECV_PID"
	rc=$?
	RX=$(cat "$VG_TMP/rx.$m")
	[ "$rc" = 3 ] && RX="$RX (fence frame never arrived)"
	[ "$rc" != 0 ] && [ "$rc" != 3 ] && RX="recv failed: $(cat "$VG_TMP/rx.$m.err")"
	if [ -s "$VG_TMP/rx.$m.err" ] && [ "$rc" = 0 ]; then
		RX="$RX ($(cat "$VG_TMP/rx.$m.err"))"
	fi
	return 0
}

# vg_xfer GUEST N KIND [FIELDS...]
# Sends N frames from the guest's eth0, then one legitimate "fence" frame
# (VG_FENCE[GUEST], a vgpkt send argument list) so that the counter can
# stop as soon as everything sent before it had its chance to arrive.
# Sets RX to the number of the N frames that reached the sink.  With
# VG_NOFENCE=1 (nothing legitimate can pass) it waits VG_RECV_MS instead.
vg_xfer() {
	local g=$1 n=$2 m f
	shift 2
	vg_marker; m=$MARKER
	vg_marker; f=$MARKER
	if [ "${VG_NOFENCE:-0}" = 1 ]; then
		vg_recv_start "$m" -t "${VG_RECV_MS:-700}" || { RX="recv not ready"; return; }
	else
		vg_recv_start "$m" -f "$f" -t 5000 || { RX="recv not ready"; return; }
	fi
	if ! gx "$g" "$VGPKT" send -i eth0 -c "$n" -m "$m" "$@" \
	     2>"$VG_TMP/send.err"; then
		kill "$RECV_PID" 2>/dev/null
		wait "$RECV_PID" 2>/dev/null
		RX="send failed: $(cat "$VG_TMP/send.err")"
		return
	fi
	if [ "${VG_NOFENCE:-0}" != 1 ]; then
		# shellcheck disable=SC2086 # an argument list by design
		gx "$g" "$VGPKT" send -i eth0 -m "$f" ${VG_FENCE[$g]}
	fi
	vg_recv_wait "$m"
}

# ---- counters and maps -----------------------------------------------------

# vg_stats IFACE: fills the associative array STATS (reason -> frames) from
# `vifguard -j stats IFACE`.
declare -A STATS=()
vg_stats() {
	local line
	STATS=()
	while IFS='=' read -r k v; do
		[ -n "$k" ] && STATS[$k]=$v
	done < <(vg -j stats "$1" | jq -r "$VG_STATS_JQ")
}

# How `stats -j` lays out one interface's counters: an object per
# interface with "ifname" and "counters" {reason_key: frames}; a key is
# the reason's name with '_' for '-': the lines name the reason as the
# text output and the docs do (ipv4-src=N).
VG_STATS_JQ='.interfaces[] | .counters | to_entries[]
	| "\(.key | gsub("_"; "-"))=\(.value)"'

# vg_delta BEFORE_ASSOC AFTER_ASSOC: "reason+N ..." for every counter that
# moved, sorted, for comparison with an expected string.
vg_delta() {
	local -n _b=$1 _a=$2
	local k out=()
	for k in "${!_a[@]}"; do
		local d=$((_a[$k] - ${_b[$k]:-0}))
		[ "$d" != 0 ] && out+=("$k+$d")
	done
	printf '%s\n' "${out[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

# Everything the maps under ROOT hold, for before/after comparisons.
vg_maps_dump() {
	local m
	for m in "$ROOT"/*; do
		[ -e "$m" ] || continue
		"$BPFTOOL" map dump pinned "$m" 2>/dev/null | sed "s|^|$(basename "$m"): |"
	done
}

vg_ifindex() {
	ip -n "$HOST" -o link show dev "$1" | cut -d: -f1
}

# vg_case NAME GUEST VIF N EXPECT_RX EXPECT_DELTA KIND [FIELDS...]
# One TAP line: N frames from GUEST, EXPECT_RX of them at the sink, and
# the counters of VIF moved by exactly EXPECT_DELTA (vg_delta format; the
# fence frame is one "pass").
vg_case() {
	local name=$1 g=$2 vif=$3 n=$4 exp_rx=$5 exp_delta=$6 k delta
	local -A before=()
	shift 6
	vg_stats "$vif"
	for k in "${!STATS[@]}"; do before[$k]=${STATS[$k]}; done
	vg_xfer "$g" "$n" "$@"
	vg_stats "$vif"
	delta=$(vg_delta before STATS)
	exp_delta=$(tr ' ' '\n' <<<"$exp_delta" | sort | tr '\n' ' ' | sed 's/ $//')
	tap_check "$name" "sink $exp_rx, counters $exp_delta" \
		"sink $RX, counters $delta" "frames: vgpkt send $*"
}

# vg_entries: "MAP IFINDEX" for every entry of every per-interface map
# pinned under ROOT: the hash and LPM maps (the key is the ifindex or a
# struct that starts with it; learned6's and learned4's value names it) and the used
# entries of the "policy" array (live or retired: the value starts with
# the ifindex).
vg_entries() {
	local m t
	for m in "$ROOT"/*; do
		t=$("$BPFTOOL" -j map show pinned "$m" 2>/dev/null | jq -r '.type')
		case $t in
		array)
			[ "${m##*/}" = policy ] || continue
			"$BPFTOOL" -j map dump pinned "$m" |
				jq -r '.[].formatted.value.ifindex | select(. != 0) | "policy \(.)"'
			continue ;;
		# perf_event_array: "events", a slot per CPU for a monitor's
		# buffers, none per interface.
		""|null|percpu_array|prog_array|perf_event_array) continue ;;
		esac
		case ${m##*/} in
		# Host-wide: addresses no interface may learn; leases of Xen
		# interfaces that went, by VM (their ifindex-0 owners show in
		# learned4 / learned6).
		protected6|parked) continue ;;
		# Keyed by address: the interface is the value's.
		learned6|learned4)
			"$BPFTOOL" -j map dump pinned "$m" | jq -r --arg m "${m##*/}" \
				'.[].formatted.value.ifindex | "\($m) \(.)"'
			continue ;;
		esac
		"$BPFTOOL" -j map dump pinned "$m" | jq -r --arg m "${m##*/}" \
			'.[] | (.formatted.key // .key) |
			if type == "object" then .ifindex else . end | "\($m) \(.)"'
	done
}

# vg_mono_ns [SECONDS]: the programs' clock (CLOCK_MONOTONIC) in ns,
# SECONDS from now.
vg_mono_ns() {
	python3 -c 'import sys, time; print(time.clock_gettime_ns(time.CLOCK_MONOTONIC) + int(float(sys.argv[1]) * 1e9))' "${1:-0}"
}

# vg_le N VALUE: VALUE as N bytes, little-endian, for bpftool.
vg_le() {
	python3 -c 'import sys; print(" ".join(str(b) for b in int(sys.argv[2]).to_bytes(int(sys.argv[1]), "little")))' "$1" "$2"
}

# vg_lease4_put IFINDEX SLOT A.B.C.D ORIGIN EXPIRES_NS: an IPv4 address
# learned by IFINDEX in lease slot SLOT, ORIGIN 3 (dhcp) or 4 (first),
# written as the program writes it: the learned4 entry, then the slot.
vg_lease4_put() {
	local ifx=$1 slot=$2 a=${3//./ } origin=$4 exp=$5
	"$BPFTOOL" map update pinned "$ROOT/learned4" key $a \
		value $(vg_le 4 "$ifx") "$origin" "$slot" 0 0 $(vg_le 8 "$exp") &&
	"$BPFTOOL" map update pinned "$ROOT/lease_slots" key $(vg_le 4 "$ifx") $(vg_le 4 "$slot") \
		value 0 0 0 0 0 0 0 0 0 0 255 255 $a $(vg_le 8 "$exp")
}
