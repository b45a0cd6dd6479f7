#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Control-plane stress: dozens of guest interfaces on one bridge while, for
# a bounded time, several loops at once run every command that changes
# the pinned state, as a busy dom0 does:
#  - attach workers, each owning a subset of plain interfaces (named like
#    vifs, unknown to xenstore): first attaches, updates in place (another
#    /24, more addresses in the tables, a MAC change, mode disabled,
#    cls_bpf <-> tcx, or the method left out, which keeps the current
#    one) and detaches; a detached interface is sometimes deleted and
#    created again (a new ifindex).  Like the hotplug scripts, a worker
#    attaches while the port is down and off the bridge, puts it on the
#    bridge afterwards, and takes it off before detaching;
#  - hotplug workers, each owning Xen VIF slots, bring batches of them
#    online and offline at once the way libxl and netback do: xl keys
#    written (ip= is the policy), device created, `vifguard hotplug
#    online`, port on the bridge; offline: device deleted, `vifguard
#    hotplug offline`, backend keys removed.  Every incarnation gets a new
#    domid, as a rebooted guest does.  While online, a VIF may also get an
#    operator's quarantine (`vifguard attach --mode disabled`), which
#    hotplug and sync must keep, and `vifguard release` back to ip=;
#  - `vifguard gc` and `vifguard sync` (whose sources are the same xl keys,
#    so it re-applies what hotplug set) in loops of their own, and a
#    reader running `show -j`.
# Every guest sends forged frames all along (foreign IPv4 and IPv6 sources,
# a foreign MAC, ARP claiming the sink's address), each with a vgpkt marker
# naming guest and kind, and the sink counts what reaches it.
#
# Each interface is driven by one loop only, so the last command that
# succeeded on it defines what must be in force at the end.  Checked
# afterwards: every command exited 0 (sync skips a VIF whose device is
# deleted under it, as a guest shutting down does); `show -j`
# of every interface is what its last command set (mode, MACs, addresses,
# flags, method, and who set it: attach or the sources, where show says);
# an attached interface carries exactly one filter of ours, the pinned
# program (tc filter show for cls_bpf, the kernel's tcx
# query for tcx, and show's own view); a detached or offline one carries
# none; no map entry or tcx pin is left for an interface that is not
# attached; a gc afterwards changes nothing of live interfaces; no forged
# frame ever reached the sink; and a legitimate frame of every locked
# interface reaches it at the end (the counter works, and the addresses
# in force are really there).  A TAP comment gives the figures.
#
# Without Xen's tools (oxenstored, xenstore-utils) the hotplug and sync
# loops are skipped, with a SKIP line, and the rest runs.
#
# Environment:
#   STRESS_SECONDS  length of the concurrent phase (default 45: with the
#                   setup and the checks the file takes about 70 s on two
#                   CPUs); `make stress` sets it longer
#   STRESS_IFACES   interfaces of the attach workers (default 32, max 200)
#   STRESS_SLOTS    Xen VIF slots of the hotplug workers (default 12, max 64)
#   STRESS_SEED     seed of the workers' choices (default: the pid); printed
#   STRESS_LOGDIR   if set, the operation log, the commands' output and the
#                   sink's counts are copied there at the end
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/test_xen_lib.bash"

STRESS_SECONDS=${STRESS_SECONDS:-45}
NIF=${STRESS_IFACES:-32}
NSLOT=${STRESS_SLOTS:-12}
SEED=${STRESS_SEED:-${VG_OUTER_PID:-$$}}
PROBE="$(cd "$(dirname "$0")" && pwd)/stress/probe.py"
PY=$(command -v python3 || true)
NAW=3		# attach workers
NHP=2		# hotplug workers

[[ $STRESS_SECONDS =~ ^[1-9][0-9]*$ ]] || vg_bail "STRESS_SECONDS: '$STRESS_SECONDS' is not a number of seconds"
if ! [[ $NIF =~ ^[1-9][0-9]*$ ]] || [ "$NIF" -gt 200 ]; then
	vg_bail "STRESS_IFACES: 1 to 200"
fi
if ! [[ $NSLOT =~ ^[1-9][0-9]*$ ]] || [ "$NSLOT" -gt 64 ]; then
	vg_bail "STRESS_SLOTS: 1 to 64"
fi

# Xen when its pieces are here (xen_init re-executes this file in a
# private mount namespace), else the plain simulated host.
XEN=0
if [ -n "${XEN_IN_MOUNTNS:-}" ] || { xen_oxenstored >/dev/null &&
	command -v xenstore-write >/dev/null && command -v unshare >/dev/null &&
	[ -f "$XEN_SHIM" ] && [ -x "$XEN_NLMON" ] && [ -x "$XEN_SCRIPTS/vif-bridge" ]; }; then
	XEN=1
	xen_init "$@"
else
	vg_init
fi
[ -n "$PY" ] || vg_bail "python3 missing (scripts/install-deps.sh)"
[ -f "$PROBE" ] || vg_bail "$PROBE missing"
mkdir -p "$VG_TMP/out" "$VG_TMP/send"
echo "# stress: $STRESS_SECONDS s, $NIF interfaces, $((XEN ? NSLOT : 0)) Xen VIF slots, seed $SEED"

# Every forged frame's marker: RUNTAG, the guest (0.. attach interfaces,
# 512.. VIF slots) and the kind.  Distinct from lib.sh's markers.
RUNTAG=$(((${VG_OUTER_PID:-$$} & 0x7fff) | 0x8000))
marker() { echo $(((RUNTAG << 16) | ($1 << 4) | $2)); }
KIND_LEGIT=15
KIND_NAMES=(ipv4-src ipv6-src mac arp ipv4-src-2nd-mac)
HP_ID0=512

now_us() { echo "${EPOCHREALTIME/./}"; }
sortlist() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | LC_ALL=C sort | paste -sd, -; }

# ---- the policies -----------------------------------------------------------
# Attach interface i: guest MAC A (eth0), a second MAC B, a foreign one C.
# PARGS: vifguard attach options; PCANON: "mode|macs|ipv4|ipv6|flags" as
# show -j reports them, sorted (the method is added per command); PLEGIT:
# vgpkt arguments of a frame the policy lets through ("" when none).
declare -A PARGS=() PCANON=() PLEGIT=() FORGED=() IF_OF=()
declare -A HIP=() HCANON=() HLEGIT=()
NPOL=5
for ((i = 0; i < NIF; i++)); do
	x=$(printf %x $((i + 1)))	# never 0: the forms are show's canonical ones
	o=$((10 + i))
	A=$(printf '02:5a:00:00:%02x:0a' "$i")
	B=$(printf '02:5a:00:00:%02x:0b' "$i")
	C=$(printf '02:5a:ff:00:%02x:0c' "$i")
	IF_NAME[i]=vif$((100 + i)).0
	IF_OF[${IF_NAME[i]}]=$i
	IF_MAC[i]=$A
	PARGS[$i,0]="--mac $A --ipv4 10.$o.0.0/24 --ipv6 fd5a:$x::/64"
	PCANON[$i,0]="locked|$A|10.$o.0.0/24|fd5a:$x::/64|dhcp-client,link-local"
	PLEGIT[$i,0]="udp4 --src-ip 10.$o.0.9 --dst-ip $SINK_V4"
	PARGS[$i,1]="--mac $A --ipv4 10.$o.1.0/24 --ipv4 10.$o.4.4/32 --ipv6 fd5a:$x:1::/64 --ipv6 fd5a:$x:4::4/128"
	PCANON[$i,1]="locked|$A|$(sortlist "10.$o.1.0/24 10.$o.4.4/32")|$(sortlist "fd5a:$x:1::/64 fd5a:$x:4::4/128")|dhcp-client,link-local"
	PLEGIT[$i,1]="udp4 --src-ip 10.$o.1.9 --dst-ip $SINK_V4"
	PARGS[$i,2]="--mac $A --mac $B --ipv4 10.$o.0.5/32 --ipv4 10.$o.0.6/32 --ipv6 fd5a:$x::5/128"
	PCANON[$i,2]="locked|$(sortlist "$A $B")|$(sortlist "10.$o.0.5/32 10.$o.0.6/32")|fd5a:$x::5/128|dhcp-client,link-local"
	PLEGIT[$i,2]="udp4 --src-mac $B --src-ip 10.$o.0.6 --dst-ip $SINK_V4"
	PARGS[$i,3]="--mac $B --ipv4 10.$o.2.1/32 --ipv4 10.$o.2.2/32 --ipv4 10.$o.2.3/32 --ipv4 10.$o.3.0/24 --ipv6 fd5a:$x:2::/64 --no-dhcp --allow-ra"
	PCANON[$i,3]="locked|$B|$(sortlist "10.$o.2.1/32 10.$o.2.2/32 10.$o.2.3/32 10.$o.3.0/24")|fd5a:$x:2::/64|link-local,router-advert"
	PLEGIT[$i,3]="udp4 --src-mac $B --src-ip 10.$o.3.9 --dst-ip $SINK_V4"
	PARGS[$i,4]="--mac $A --mode disabled"
	PCANON[$i,4]="disabled|$A|||dhcp-client,link-local"
	PLEGIT[$i,4]=""
	# Forged under every one of the five.
	FORGED[$i,0]="udp4 --src-ip 10.$o.200.1 --dst-ip $SINK_V4"
	FORGED[$i,1]="udp6 --src-ip fd5a:$x:99::1 --dst-ip $SINK_V6"
	FORGED[$i,2]="udp4 --src-mac $C --src-ip 10.$o.0.5 --dst-ip $SINK_V4"
	FORGED[$i,3]="arp --op 2 --spa $SINK_V4 --tpa 10.99.0.2"
	FORGED[$i,4]="udp4 --src-mac $B --src-ip 10.$o.200.2 --dst-ip $SINK_V4"
done

# VIF slot s: xl ip= values, the same canonical form (hotplug attaches
# with cls_bpf and the default flags).
NHPOL=3
for ((s = 0; s < NSLOT; s++)); do
	x=$(printf %x $((s + 1)))
	o=$((16 + s / 4))
	b=$((s % 4 * 64))
	M=$(printf '00:16:3e:5b:00:%02x' "$s")
	C=$(printf '00:16:3e:5b:ff:%02x' "$s")
	SLOT_MAC[s]=$M
	HIP[$s,0]="172.$o.$b.0/24 fd5b:$x::/64"
	HCANON[$s,0]="locked|$M|172.$o.$b.0/24|fd5b:$x::/64|dhcp-client,link-local|cls_bpf"
	HLEGIT[$s,0]="udp4 --src-ip 172.$o.$b.9 --dst-ip $SINK_V4"
	HIP[$s,1]="172.$o.$((b + 1)).7 172.$o.$((b + 1)).8 172.$o.$((b + 1)).9 fd5b:$x:1::/64"
	HCANON[$s,1]="locked|$M|$(sortlist "172.$o.$((b + 1)).7/32 172.$o.$((b + 1)).8/32 172.$o.$((b + 1)).9/32")|fd5b:$x:1::/64|dhcp-client,link-local|cls_bpf"
	HLEGIT[$s,1]="udp4 --src-ip 172.$o.$((b + 1)).8 --dst-ip $SINK_V4"
	HIP[$s,2]="172.$o.$((b + 2)).0/24 172.$o.$((b + 3)).3"
	HCANON[$s,2]="locked|$M|$(sortlist "172.$o.$((b + 2)).0/24 172.$o.$((b + 3)).3/32")||dhcp-client,link-local|cls_bpf"
	HLEGIT[$s,2]="udp4 --src-ip 172.$o.$((b + 3)).3 --dst-ip $SINK_V4"
	FORGED[$((HP_ID0 + s)),0]="udp4 --src-ip 172.$o.$((b + 50)).1 --dst-ip $SINK_V4"
	FORGED[$((HP_ID0 + s)),1]="udp6 --src-ip fd5b:$x:99::1 --dst-ip $SINK_V6"
	FORGED[$((HP_ID0 + s)),2]="udp4 --src-mac $C --src-ip 172.$o.$b.5 --dst-ip $SINK_V4"
	FORGED[$((HP_ID0 + s)),3]="arp --op 2 --spa $SINK_V4 --tpa 10.99.0.2"
done

# ---- devices ------------------------------------------------------------------

# guest_ns NAME: a quiet guest namespace (sends nothing by itself).
guest_ns() {
	vg_netns_add "$VG_ID-$1"
	gx "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
}

# dev_create GUEST IFNAME MAC: the backend device, down and off the
# bridge, its peer eth0 (MAC, up) in the guest; prints the ifindex.
dev_create() {
	ip -n "$HOST" link add "$2" type veth peer name eth0 netns "$VG_ID-$1" &&
		ip -n "$VG_ID-$1" link set eth0 address "$3" up &&
		ip -n "$HOST" link set "$2" address fe:ff:ff:ff:ff:ff &&
		vg_ifindex "$2"
}
# dev_new WORKER GUEST IFNAME MAC: dev_create, logged as a "dev" line
# with the new ifindex (EXPECTED "created"); sets NEW_IDX.
dev_new() {
	local t0 t1 rc f
	t0=$(now_us)
	f=$VG_TMP/out/$1.dev.$3.$t0
	NEW_IDX=$(dev_create "$2" "$3" "$4" 2>"$f")
	rc=$?
	[ -n "$NEW_IDX" ] || rc=1
	t1=$(now_us)
	[ "$rc" = 0 ] && [ ! -s "$f" ] && rm -f "$f"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t0" "$t1" "$1" dev "$3" \
		"${NEW_IDX:--}" "$rc" created >>"$VG_TMP/log.$1"
	return "$rc"
}
port_on() { ip -n "$HOST" link set "$1" master br0 up; }
port_off() { ip -n "$HOST" link set "$1" nomaster down; }

# ---- the operation log ----------------------------------------------------------
# One line per operation, tab-separated, in $VG_TMP/log.WORKER:
#   START END WORKER OP NAME IFINDEX RC EXPECTED
# (times in microseconds since the epoch).  OP is attach, update, detach,
# online, offline, gc, sync, show, or dev (a device, port or xenstore
# change the test itself makes).  EXPECTED: the state the command sets
# ("-" if it sets none, "none" for a detach, "created" and "deleted" for
# devices).  The output goes to $VG_TMP/out/.

# run_op WORKER OP NAME IFINDEX EXPECTED CMD...
run_op() {
	local w=$1 op=$2 name=$3 idx=$4 exp=$5 t0 t1 rc f
	shift 5
	t0=$(now_us)
	f=$VG_TMP/out/$w.$op.$name.$t0
	"$@" >"$f" 2>&1
	rc=$?
	t1=$(now_us)
	[ "$rc" = 0 ] && [ "$op" != gc ] && [ "$op" != sync ] && rm -f "$f"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t0" "$t1" "$w" "$op" "$name" \
		"$idx" "$rc" "$exp" >>"$VG_TMP/log.$w"
	return "$rc"
}

# ---- attach workers ---------------------------------------------------------------
declare -a IF_STATE IF_METH IF_IDX

# aw_attach W I POLICY METHOD-OPTION: first attach or update of interface I.
aw_attach() {
	local w=$1 i=$2 p=$3 mopt=$4 meth op=update
	if [ "${IF_STATE[i]}" = none ]; then
		op=attach
		meth=cls_bpf
	else
		meth=${IF_METH[i]}
	fi
	[ -n "$mopt" ] && meth=$mopt
	# shellcheck disable=SC2086 # option lists by design
	if run_op "$w" "$op" "${IF_NAME[i]}" "${IF_IDX[i]}" "${PCANON[$i,$p]}|$meth|attach" \
		vg attach "${IF_NAME[i]}" ${PARGS[$i,$p]} ${mopt:+--attach $mopt}; then
		if [ "$op" = attach ]; then
			run_op "$w" dev "${IF_NAME[i]}" "${IF_IDX[i]}" - port_on "${IF_NAME[i]}"
		fi
		IF_STATE[i]=$p
		IF_METH[i]=$meth
	fi
}

aw_detach() {
	local w=$1 i=$2 recreate=$3 idx
	run_op "$w" dev "${IF_NAME[i]}" "${IF_IDX[i]}" - port_off "${IF_NAME[i]}"
	run_op "$w" detach "${IF_NAME[i]}" "${IF_IDX[i]}" none vg detach "${IF_NAME[i]}"
	IF_STATE[i]=none
	[ "$recreate" = 1 ] || return 0
	run_op "$w" dev "${IF_NAME[i]}" "${IF_IDX[i]}" deleted \
		ip -n "$HOST" link del "${IF_NAME[i]}"
	dev_new "$w" "w$i" "${IF_NAME[i]}" "${IF_MAC[i]}"
	echo "$NEW_IDX" >"$VG_TMP/ifindex.$i"
	IF_IDX[i]=$NEW_IDX
}

aw_worker() {
	local w=$1 i r m mopt
	shift
	local mine=("$@")
	RANDOM=$((SEED + 7919 * ${w#aw}))
	while [ "$(now_us)" -lt "$END_US" ]; do
		i=${mine[RANDOM % ${#mine[@]}]}
		m=$((RANDOM % 3))
		mopt=
		[ "$m" = 0 ] && mopt=cls_bpf
		[ "$m" = 1 ] && mopt=tcx
		if [ "${IF_STATE[i]}" = none ]; then
			aw_attach "$w" "$i" $((RANDOM % NPOL)) "$mopt"
		else
			r=$((RANDOM % 10))
			if [ "$r" -lt 2 ]; then
				aw_detach "$w" "$i" $((r == 0))
			else
				aw_attach "$w" "$i" $((RANDOM % NPOL)) "$mopt"
			fi
		fi
	done
}

# ---- hotplug workers -----------------------------------------------------------------
BE=/local/domain/0/backend/vif
declare -a SLOT_DOM SLOT_GEN SLOT_POL SLOT_Q

hp_online() {
	local w=$1 s=$2 d=$3 p=$4 idx
	run_op "$w" dev "vif$d.0" - - xl_nic "$d" 0 "${SLOT_MAC[s]}" "${HIP[$s,$p]}"
	dev_new "$w" "h$s" "vif$d.0" "${SLOT_MAC[s]}"
	idx=$NEW_IDX
	run_op "$w" online "vif$d.0" "$idx" "${HCANON[$s,$p]}|sources" \
		hx env vif="vif$d.0" XENBUS_PATH="backend/vif/$d/0" \
		"$VIFGUARD" hotplug online type_if=vif &&
		run_op "$w" dev "vif$d.0" "$idx" - port_on "vif$d.0"
}

hp_offline() {
	local w=$1 s=$2 d=$3
	run_op "$w" dev "vif$d.0" - deleted ip -n "$HOST" link del "vif$d.0"
	run_op "$w" offline "vif$d.0" - none \
		hx env vif="vif$d.0" XENBUS_PATH="backend/vif/$d/0" \
		"$VIFGUARD" hotplug offline type_if=vif
	xenstore-rm "$BE/$d" "/local/domain/$d" 2>/dev/null
}

# An operator's quarantine of an online VIF (vifguard attach), which
# hotplug and sync must keep, and its release back to the xl policy.
hp_quarantine() {
	run_op "$1" quarantine "vif$3.0" - \
		"disabled|${SLOT_MAC[$2]}|||dhcp-client,link-local|cls_bpf|attach" \
		vg attach "vif$3.0" --mac "${SLOT_MAC[$2]}" --mode disabled
}
hp_release() {
	run_op "$1" release "vif$3.0" - "${HCANON[$2,$4]}|sources" \
		hx env VIFGUARD_NETWORK_BACKEND=bridge "$VIFGUARD" release "vif$3.0"
}

# Batches of up to four of its slots at once, each brought online or
# offline (or, when online, quarantined or released), as a host starting
# or stopping several guests does.
hp_worker() {
	local w=$1 s k d n pids
	shift
	local mine=("$@")
	RANDOM=$((SEED + 104729 * ${w#hp}))
	while [ "$(now_us)" -lt "$END_US" ]; do
		pids=()
		declare -A picked=()
		for ((k = RANDOM % 4 + 1; k > 0; k--)); do
			s=${mine[RANDOM % ${#mine[@]}]}
			[ -n "${picked[$s]:-}" ] && continue
			picked[$s]=1
			if [ -z "${SLOT_DOM[s]:-}" ]; then
				n=${SLOT_GEN[s]:-0}
				d=$((200 + s + NSLOT * n))
				[ "$d" -gt 32000 ] && { n=0; d=$((200 + s)); }
				SLOT_GEN[s]=$((n + 1))
				SLOT_DOM[s]=$d
				SLOT_POL[s]=$((RANDOM % NHPOL))
				SLOT_Q[s]=
				hp_online "$w" "$s" "$d" "${SLOT_POL[s]}" &
			elif [ -z "${SLOT_Q[s]}" ] && [ $((RANDOM % 4)) = 0 ]; then
				SLOT_Q[s]=1
				hp_quarantine "$w" "$s" "${SLOT_DOM[s]}" &
			elif [ -n "${SLOT_Q[s]}" ] && [ $((RANDOM % 2)) = 0 ]; then
				SLOT_Q[s]=
				hp_release "$w" "$s" "${SLOT_DOM[s]}" "${SLOT_POL[s]}" &
			else
				hp_offline "$w" "$s" "${SLOT_DOM[s]}" &
				SLOT_DOM[s]=
			fi
			pids+=("$!")
		done
		unset picked
		wait "${pids[@]}"
	done
}

# ---- gc, sync and the reader ----------------------------------------------------------
gc_loop() {
	RANDOM=$((SEED + 31))
	while [ "$(now_us)" -lt "$END_US" ]; do
		run_op gc gc - - - vg -j gc
		sleep "0.$((RANDOM % 3 + 1))"
	done
}

sync_loop() {
	RANDOM=$((SEED + 37))
	while [ "$(now_us)" -lt "$END_US" ]; do
		run_op sync sync - - - hx env VIFGUARD_NETWORK_BACKEND=bridge "$VIFGUARD" sync
		sleep "0.$((RANDOM % 6 + 3))"
	done
}

show_check() {
	vg -j show >"$VG_TMP/show.cur" 2>&1 || return 1
	jq -e '.interfaces | type == "array"' "$VG_TMP/show.cur" >/dev/null ||
		{ echo "not a valid show -j: $(head -c 300 "$VG_TMP/show.cur")"; return 1; }
}
show_loop() {
	while [ "$(now_us)" -lt "$END_US" ]; do
		run_op show show - - - show_check
		sleep 0.4
	done
}

# ---- senders --------------------------------------------------------------------------
# sender GUEST ID NKINDS: in the guest, forever: each kind in turn, 100
# frames 5 ms apart; a send that fails (eth0 gone with its VIF) is
# retried a moment later.  Frames of completed sends go to a file when
# stopped.
sender() {
	local g=$1 id=$2 nk=$3 k f
	f=$VG_TMP/send/$g.sh
	{
		echo "n=0"
		echo "trap 'echo \$n >$VG_TMP/send/$g.count; exit 0' TERM"
		echo "while :; do"
		for ((k = 0; k < nk; k++)); do
			echo "	$VGPKT send -i eth0 -c 100 -g 5000 -m $(marker "$id" "$k") ${FORGED[$id,$k]} 2>/dev/null && n=\$((n + 100)) || sleep 0.2"
		done
		echo "done"
	} >"$f"
	ip netns exec "$VG_ID-$g" bash "$f" &
	SENDERS+=("$!")
	VG_BG+=("$!")
}

# ---- setup ----------------------------------------------------------------------------
SENDERS=()
for ((i = 0; i < NIF; i++)); do
	guest_ns "w$i"
	dev_new setup "w$i" "${IF_NAME[i]}" "${IF_MAC[i]}" ||
		vg_bail "cannot create ${IF_NAME[i]}: $(cat "$VG_TMP"/out/setup.dev.*)"
	IF_IDX[i]=$NEW_IDX
	IF_STATE[i]=none
	IF_METH[i]=
done
if [ "$XEN" = 1 ]; then
	for ((s = 0; s < NSLOT; s++)); do
		guest_ns "h$s"
	done
fi

# The sink's counter, before any frame is sent.
sx "$PY" "$PROBE" sink sink0 "$RUNTAG" "$VG_TMP/sink.ready" "$VG_TMP/sink.stop" \
	"$VG_TMP/sink.out" 2>"$VG_TMP/sink.err" &
SINK_PID=$!
VG_BG+=("$SINK_PID")
for ((k = 0; k < 500; k++)); do
	[ -e "$VG_TMP/sink.ready" ] && break
	sleep 0.01
done
[ -e "$VG_TMP/sink.ready" ] || vg_bail "sink counter not ready: $(cat "$VG_TMP/sink.err")"

# Half the interfaces start attached (the first policies, both methods).
END_US=0
for ((i = 0; i < NIF; i += 2)); do
	aw_attach setup "$i" $((i / 2 % NPOL)) "$([ $((i % 4)) = 0 ] && echo cls_bpf || echo tcx)"
done
bad=$(awk -F'\t' '$7 != 0' "$VG_TMP/log.setup" | wc -l)
tap_check "setup: $(((NIF + 1) / 2)) of $NIF interfaces attached" "0 failures" "$bad failures" \
	"$(awk -F'\t' '$7 != 0' "$VG_TMP/log.setup" | head -3)"

for ((i = 0; i < NIF; i++)); do
	sender "w$i" "$i" 5
done
if [ "$XEN" = 1 ]; then
	for ((s = 0; s < NSLOT; s++)); do
		sender "h$s" $((HP_ID0 + s)) 4
	done
fi
sleep 0.5

# ---- the concurrent phase ----------------------------------------------------------------
T_START=$(now_us)
END_US=$((T_START + STRESS_SECONDS * 1000000))
WORKERS=()
per=$(((NIF + NAW - 1) / NAW))
for ((w = 0; w < NAW; w++)); do
	mine=()
	for ((i = w * per; i < (w + 1) * per && i < NIF; i++)); do mine+=("$i"); done
	[ ${#mine[@]} -gt 0 ] || continue
	aw_worker "aw$w" "${mine[@]}" &
	WORKERS+=("$!")
done
if [ "$XEN" = 1 ]; then
	per=$(((NSLOT + NHP - 1) / NHP))
	for ((w = 0; w < NHP; w++)); do
		mine=()
		for ((s = w * per; s < (w + 1) * per && s < NSLOT; s++)); do mine+=("$s"); done
		[ ${#mine[@]} -gt 0 ] || continue
		hp_worker "hp$w" "${mine[@]}" &
		WORKERS+=("$!")
	done
	sync_loop &
	WORKERS+=("$!")
fi
gc_loop &
WORKERS+=("$!")
show_loop &
WORKERS+=("$!")
VG_BG+=("${WORKERS[@]}")
wait "${WORKERS[@]}"
T_END=$(now_us)
echo "# concurrent phase: $(((T_END - T_START) / 1000)) ms"

# ---- what the log says -----------------------------------------------------------------
cat "$VG_TMP"/log.* | sort -n >"$VG_TMP/log"
LOG=$VG_TMP/log

# The last ifindex of every attach interface (workers ran in subshells).
for ((i = 0; i < NIF; i++)); do
	[ -f "$VG_TMP/ifindex.$i" ] && IF_IDX[i]=$(cat "$VG_TMP/ifindex.$i")
done

# overlapping T0 T1: ", during gc +A..+B ms, sync ..." for every gc and
# sync run whose time overlaps [T0, T1].
overlapping() {
	awk -F'\t' -v a="$1" -v b="$2" -v t="$T_START" '
		($4 == "gc" || $4 == "sync") && $1 < b && $2 > a {
			s = s sprintf(", %s +%d..+%d ms", $4, ($1 - t) / 1000, ($2 - t) / 1000)
		} END { if (s != "") printf " during%s", substr(s, 2) }' "$LOG"
}

# Expected state per name: the EXPECTED field of the last vifguard
# command on it that exited 0, in completion order.  A name whose last
# command failed is reported and not compared.
declare -A EXP=() LASTOP=() LASTT=() LASTFAIL=()
while IFS=$'\t' read -r t0 t1 w op name idx rc exp; do
	case $op in attach|update|detach|online|offline|quarantine|release) ;; *) continue ;; esac
	if [ "$rc" = 0 ]; then
		EXP[$name]=$exp
		LASTOP[$name]="$op by $w, +$(((t0 - T_START) / 1000))..+$(((t1 - T_START) / 1000)) ms"
		LASTT[$name]="$t0 $t1"
		unset "LASTFAIL[$name]"
	else
		LASTFAIL[$name]="$op exit $rc at +$(((t1 - T_START) / 1000)) ms"
	fi
done < <(sort -t$'\t' -k2,2n "$LOG")

# last NAME: its last successful command, with the gc and sync runs it
# overlapped (read from the log only for what is reported).
last() {
	# shellcheck disable=SC2086
	echo "${LASTOP[$1]:-}$(overlapping ${LASTT[$1]:-0 0})"
}

# ---- every command exited 0 -------------------------------------------------------------
declare -A NOPS=() NFAIL=()
FAILS=()
VIOL=0
while IFS=$'\t' read -r t0 t1 w op name idx rc exp; do
	NOPS[$op]=$((${NOPS[$op]:-0} + 1))
	[ "$rc" = 0 ] && continue
	f=$VG_TMP/out/$w.$op.$name.$t0
	NFAIL[$op]=$((${NFAIL[$op]:-0} + 1))
	FAILS+=("$op $name ($w, +$(((t0 - T_START) / 1000)) ms): exit $rc: $(head -c 400 "$f" 2>/dev/null | tr '\n' ' ')")
done <"$LOG"
for op in attach update detach online offline quarantine release gc sync show dev; do
	case $op in online|offline|quarantine|release|sync) [ "$XEN" = 0 ] && continue ;; esac
	det=()
	for l in "${FAILS[@]}"; do [[ $l == "$op "* ]] && det+=("$l"); done
	VIOL=$((VIOL + ${NFAIL[$op]:-0}))
	what="vifguard $op"
	[ "$op" = online ] || [ "$op" = offline ] && what="vifguard hotplug $op"
	[ "$op" = quarantine ] && what="vifguard attach --mode disabled of an online VIF"
	[ "$op" = dev ] && what="device and port changes (ip link)"
	tap_check "$what: ran and every run exited 0 (${NOPS[$op]:-0} runs)" \
		"0 failures, at least 1 run" \
		"${NFAIL[$op]:-0} failures, $([ "${NOPS[$op]:-0}" -gt 0 ] && echo "at least 1 run" || echo "no run")" \
		"${det[@]:0:8}"
done
[ "$XEN" = 0 ] && tap_skip "vifguard hotplug online/offline, release and sync under stress" \
	"no Xen tools here (oxenstored, xenstore-utils)"

# ---- the state at the end ---------------------------------------------------------------
# show -j, one line per interface: NAME IFINDEX CANON|METHOD ON_DEVICE CURRENT PRESENT
vg -j show >"$VG_TMP/show.end" 2>&1
PROG_ID=$(jq -r '.prog_id // empty' "$VG_TMP/show.end")
show_lines() {
	jq -r '.interfaces[] | [.ifname, (.ifindex | tostring),
		([.mode, (.macs | sort | join(",")), (.ipv4 | sort | join(",")),
		  (.ipv6 | sort | join(",")),
		  ([.flags[] | select(endswith("-table") | not)] | sort | join(",")),
		  .attach.method, (.set_by // "-")] | join("|")),
		(.attach.on_device | tostring), ((.attach.current_prog // false) | tostring),
		(.present | tostring)] | @tsv' "$1"
}
# A build without policy owners (no set_by) is compared without them.
HAS_SETBY=$(jq '[.interfaces[] | has("set_by")] | any' "$VG_TMP/show.end" 2>/dev/null)
declare -A SHOW=() SHOW_IDX=() SHOW_ON=()
while IFS=$'\t' read -r name idx canon on cur present; do
	SHOW[$name]=$canon
	SHOW_IDX[$name]=$idx
	SHOW_ON[$name]="on_device=$on current_prog=$cur present=$present"
done < <(show_lines "$VG_TMP/show.end")

# Every name any command touched, with what must hold now.
ATTACHED=()	# names expected attached
declare -A ATT_IDX=() ATT_METH=()
NAMES=$(printf '%s\n' "${!EXP[@]}" | LC_ALL=C sort)
pol_bad=() filt_bad=() none_bad=()
STATES=0
for name in $NAMES; do
	[ -n "${LASTFAIL[$name]:-}" ] && continue
	exp=${EXP[$name]}
	[ "$HAS_SETBY" = true ] || [ "$exp" = none ] || exp="${exp%|*}|-"
	STATES=$((STATES + 1))
	cur_idx=$(vg_ifindex "$name" 2>/dev/null)
	if [ "$exp" = none ]; then
		[ -n "${SHOW[$name]:-}" ] &&
			none_bad+=("$name ($(last "$name")): show still lists ${SHOW[$name]} at ifindex ${SHOW_IDX[$name]}")
		if [ -n "$cur_idx" ]; then
			n=$(tc_ingress "$name")
			t=$(hx "$PY" "$PROBE" tcx "$cur_idx" | cut -d' ' -f2)
			[ "$n" = 0 ] && [ "$t" = - ] ||
				none_bad+=("$name ($(last "$name")): cls_bpf filters $n, tcx programs $t")
		fi
		continue
	fi
	ATTACHED+=("$name")
	ATT_IDX[$name]=$cur_idx
	e=${exp%|*}
	ATT_METH[$name]=${e##*|}
	[ "${SHOW[$name]:-}" = "$exp" ] ||
		pol_bad+=("$name ($(last "$name")): expected $exp, show says ${SHOW[$name]:-nothing}")
	[ "${SHOW_ON[$name]:-}" = "on_device=true current_prog=true present=true" ] &&
		[ "${SHOW_IDX[$name]:-}" = "$cur_idx" ] ||
		filt_bad+=("$name ($(last "$name")): show: ifindex ${SHOW_IDX[$name]:-none} (device $cur_idx), ${SHOW_ON[$name]:-not listed}")
done
# The kernel's view of every attached interface's hook.
declare -A TCX=()
idxs=()
for name in "${ATTACHED[@]}"; do [ -n "${ATT_IDX[$name]}" ] && idxs+=("${ATT_IDX[$name]}"); done
while read -r idx ids; do TCX[$idx]=$ids; done < <(hx "$PY" "$PROBE" tcx "${idxs[@]}")
for name in "${ATTACHED[@]}"; do
	n=$(tc_ingress "$name")
	ours=$(hx tc filter show dev "$name" ingress 2>/dev/null | grep -c " bpf .*handle .*id $PROG_ID " || true)
	t=${TCX[${ATT_IDX[$name]:-x}]:-?}
	if [ "${ATT_METH[$name]}" = tcx ]; then
		want="cls_bpf 0, tcx $PROG_ID"
	else
		want="cls_bpf 1 (ours 1), tcx -"
	fi
	got="cls_bpf $n$([ "${ATT_METH[$name]}" = tcx ] || echo " (ours $ours)"), tcx $t"
	[ "$got" = "$want" ] ||
		filt_bad+=("$name ($(last "$name"), ${ATT_METH[$name]}): expected $want on the device, found $got")
done
VIOL=$((VIOL + ${#pol_bad[@]} + ${#filt_bad[@]} + ${#none_bad[@]}))
tap_check "policy in force is the one the last command set, on all ${#ATTACHED[@]} attached interfaces" \
	"0 differences" "${#pol_bad[@]} differences" "${pol_bad[@]:0:12}"
tap_check "every attached interface carries exactly one filter of ours, the pinned program $PROG_ID" \
	"0 interfaces without" "${#filt_bad[@]} interfaces without" "${filt_bad[@]:0:12}"
tap_check "detached and offline interfaces carry no filter and are not listed ($((STATES - ${#ATTACHED[@]})) of them)" \
	"0 with leftovers" "${#none_bad[@]} with leftovers" "${none_bad[@]:0:12}"

# Map entries and tcx pins: only those of attached interfaces.
declare -A LIVE_IDX=() TCX_IDX=()
for name in "${ATTACHED[@]}"; do
	LIVE_IDX[${ATT_IDX[$name]:-x}]=$name
	[ "${ATT_METH[$name]}" = tcx ] && TCX_IDX[${ATT_IDX[$name]:-x}]=1
done
# Names of every ifindex the run created, for the messages.
declare -A NAME_OF=()
while IFS=$'\t' read -r t0 t1 w op name idx rc exp; do
	[ "$idx" != - ] && [ -n "$idx" ] && NAME_OF[$idx]=$name
done <"$LOG"
vg_entries | sort | uniq -c >"$VG_TMP/entries.end"
stale=()
while read -r cnt map idx; do
	[ -n "${LIVE_IDX[$idx]:-}" ] && continue
	stale+=("$map: $cnt entries of ifindex $idx (${NAME_OF[$idx]:-not created by this test})")
done <"$VG_TMP/entries.end"
for p in "$ROOT"/tcx_*; do
	[ -e "$p" ] || continue
	idx=${p##*/tcx_}
	idx=${idx#out_}	# tcx_out_IFINDEX: the egress program's link
	[ -n "${TCX_IDX[$idx]:-}" ] ||
		stale+=("tcx pin ${p##*/} (${NAME_OF[$idx]:-not created by this test}, not a tcx-attached interface)")
done
VIOL=$((VIOL + ${#stale[@]}))
tap_check "no map entry or tcx pin of an interface that is not attached" \
	"0 leftovers" "${#stale[@]} leftovers" "${stale[@]:0:12}"

# ---- gc afterwards ----------------------------------------------------------------------
live_state() {
	vg -j show | jq -r '.interfaces[] | [.ifname, .ifindex, .mode, .macs, .ipv4,
		.ipv6, .flags, .generation, .attach] | tostring' | LC_ALL=C sort
	# Entries per map and ifindex; for the drop counters only whether
	# there are some (the senders still run: a new reason may appear).
	vg_entries | LC_ALL=C sort | uniq -c | awk -v live="$(printf '%s ' "${!LIVE_IDX[@]}")" '
		BEGIN { n = split(live, a, " "); for (i = 1; i <= n; i++) l[a[i]] = 1 }
		($3 in l) { if ($2 == "drops") $1 = "some"; print }'
	for name in "${ATTACHED[@]}"; do
		echo "$name tc $(tc_ingress "$name")"
	done
	hx "$PY" "$PROBE" tcx "${idxs[@]}"
}
live_state >"$VG_TMP/live.before"
gc_out=$(vg -j gc 2>&1)
gc_rc=$?
live_state >"$VG_TMP/live.after"
gc_diff=$(diff "$VG_TMP/live.before" "$VG_TMP/live.after" | head -20)
[ -n "$gc_diff" ] && VIOL=$((VIOL + 1))
tap_check "gc afterwards: exit 0, nothing of the ${#ATTACHED[@]} live interfaces changes" \
	"exit 0, no change" "exit $gc_rc, $([ -z "$gc_diff" ] && echo "no change" || echo changed)" \
	"gc: $gc_out" "$gc_diff"
echo "# gc afterwards: $gc_out"

# ---- frames ------------------------------------------------------------------------------
# A legitimate frame of every attached locked interface, then the senders
# stop and the counter with them.
legit_sent=()
for name in "${ATTACHED[@]}"; do
	args=
	if [ -n "${IF_OF[$name]:-}" ]; then
		i=${IF_OF[$name]}
		e=${EXP[$name]%|*}
		for ((p = 0; p < NPOL; p++)); do
			[ "${e%|*}" = "${PCANON[$i,$p]}" ] && args=${PLEGIT[$i,$p]}
		done
		g=w$i id=$i
	else
		d=${name#vif}
		s=$(((${d%.0} - 200) % NSLOT))
		for ((p = 0; p < NHPOL; p++)); do
			[ "${EXP[$name]%|*}" = "${HCANON[$s,$p]}" ] && args=${HLEGIT[$s,$p]}
		done
		g=h$s id=$((HP_ID0 + s))
	fi
	[ -n "$args" ] || continue
	# shellcheck disable=SC2086
	gx "$g" "$VGPKT" send -i eth0 -c 2 -m "$(marker "$id" $KIND_LEGIT)" $args 2>/dev/null &&
		legit_sent+=("$id:$name")
done
sleep 1
for p in "${SENDERS[@]}"; do kill -TERM "$p" 2>/dev/null; done
wait "${SENDERS[@]}" 2>/dev/null
sleep 0.3
touch "$VG_TMP/sink.stop"
wait "$SINK_PID"

FORGED_N=0
for f in "$VG_TMP"/send/*.count; do
	[ -f "$f" ] && FORGED_N=$((FORGED_N + $(cat "$f")))
done
declare -A RX=()
leaks=()
LEAKED=0
while read -r m cnt first last smac etype; do
	[ "$m" = lost ] && { SINK_LOST=$cnt; continue; }
	RX[$m]=$cnt
	id=$(((m >> 4) & 0xfff))
	k=$((m & 15))
	[ "$k" = "$KIND_LEGIT" ] && continue
	LEAKED=$((LEAKED + cnt))
	if [ "$id" -ge "$HP_ID0" ]; then who="VIF slot $((id - HP_ID0)) (guest h$((id - HP_ID0)))"; else who="${IF_NAME[id]}"; fi
	f0=${first/./}; f0=$((f0 - T_START / 1000))
	l0=${last/./}; l0=$((l0 - T_START / 1000))
	ctx=
	if [ "$id" -lt "$HP_ID0" ]; then
		# The last command on the interface before the first such frame.
		ctx=$(awk -F'\t' -v n="${IF_NAME[id]}" -v f="${first/./}000" -v t="$T_START" '
			$5 == n && $4 != "dev" && $2 < f { l = $0 } END { print l }' "$LOG" |
			while IFS=$'\t' read -r t0 t1 w op name idx rc exp; do
				[ -n "$t0" ] && echo "; last before: $op ($exp) +$(((t0 - T_START) / 1000))..+$(((t1 - T_START) / 1000)) ms$(overlapping "$t0" "$t1")"
			done)
	fi
	leaks+=("$who, ${KIND_NAMES[k]:-kind $k}: $cnt frames from src $smac type 0x$etype, between +$f0 and +$l0 ms$ctx")
done <"$VG_TMP/sink.out"
VIOL=$((VIOL + ${#leaks[@]}))
[ "${SINK_LOST:-0}" != 0 ] && leaks+=("(the sink's socket lost ${SINK_LOST} frames: a lower bound)")
tap_check "no forged frame reached the sink (at least $FORGED_N forged)" \
	"0 frames" "$LEAKED frames" "${leaks[@]:0:12}"

miss=()
for e in "${legit_sent[@]}"; do
	id=${e%%:*}
	m=$(marker "$id" $KIND_LEGIT)
	[ "${RX[$m]:-0}" = 2 ] || miss+=("${e#*:} (${EXP[${e#*:}]}): ${RX[$m]:-0} of 2 legitimate frames arrived")
done
VIOL=$((VIOL + ${#miss[@]}))
tap_check "legitimate frames of every attached locked interface reach the sink (${#legit_sent[@]} interfaces)" \
	"0 missing, at least 1 interface" \
	"${#miss[@]} missing, $([ ${#legit_sent[@]} -gt 0 ] && echo "at least 1 interface" || echo "no interface")" \
	"${miss[@]:0:12}"

# ---- figures ----------------------------------------------------------------------------
figs=
for op in attach update detach online offline quarantine release gc sync show dev; do
	figs+="$op ${NOPS[$op]:-0}, "
done
echo "# figures: operations: ${figs%, }"
echo "# figures: frames forged (completed sends) $FORGED_N from $((NIF + XEN * NSLOT)) guests, reached the sink $LEAKED; legitimate control frames from ${#legit_sent[@]} interfaces"
echo "# figures: states checked $STATES (${#ATTACHED[@]} attached), violations $VIOL"
echo "# figures: seed $SEED, STRESS_SECONDS $STRESS_SECONDS"

if [ -n "${STRESS_LOGDIR:-}" ]; then
	mkdir -p "$STRESS_LOGDIR" &&
		cp -r "$LOG" "$VG_TMP/out" "$VG_TMP/sink.out" "$VG_TMP/show.end" \
			"$VG_TMP/entries.end" "$STRESS_LOGDIR/" &&
		echo "T_START $T_START" >"$STRESS_LOGDIR/times"
fi
tap_done
