#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Fault injection at the system-call level.  A clean run of each command
# under strace lists its system calls; then strace kills the CLI with
# SIGKILL on entering its Nth call (the call never runs), for every N, or
# makes one bpf() or netlink call fail (ENOMEM, ENOSPC, EINTR, EAGAIN,
# ENOBUFS).  After each fault:
#  (a) every interface the command touches is in its old state, its new
#      state (policy equal to the old or the new spec, filter on), or
#      fails closed (our filter on the device, no policy: the program
#      drops every frame as no-policy), as `vifguard show` AND the kernel
#      (tc filters, tcx links, frames sent by the guest) see it;
#  (b) never a policy recorded while no filter is on the device, never a
#      policy that is neither the old nor the new one, never a spoofed
#      frame (an address in neither spec, or old MAC with new address and
#      the reverse) reaching the bridge while a filter is on; a failed
#      command says why (exit 1 and a message) and a successful one
#      reached the new state;
#  (c) `vifguard gc` and the same command again exit 0 and reach exactly
#      the state of a clean run: same `show`, same filters and clsact,
#      same number of map entries, same tcx pins.
# One TAP line per (command, fault kind) with the first violations found.
# FAULTS_STRIDE=1 kills at every call of every command and injects every
# errno at every bpf() and netlink call (the long run, ~4 min).  By
# default attach of a new interface, update and detach are killed at
# every call and each of their bpf() and netlink calls fails once (the
# errnos in turn), as do gc's; the other kills and errors only at every
# FAULTS_STRIDE-th call and right after (errors: at) each call that can
# change the state, so every state a kill can leave is still reached.
#
# The Xen entry points, against the fake xenstore of test_xen_lib.bash
# (one SKIP line where Xen's tools are missing): `hotplug online` of a new
# VIF from xl's ip= key and of one whose XAPI keys say locked (an xl ip=
# key too, which XAPI outranks), `hotplug offline`, and setup-vif-rules
# (the installed script, which execs the CLI; strace -f follows it) for a
# new port, XAPI locked -> new addresses, locked -> disabled, and clear.
# Their faults also include an error on an interface ioctl and on a
# read or write of the xenstore socket (bridge and link changes are
# netlink calls).  These commands manage the port:
# its bridge membership and link are part of the state judged and of the
# state recovery must reach, and
#  - a port on the bridge with no filter while its source says locked or
#    disabled is a violation, whatever show says;
#  - off the bridge or down is a closed state (nothing of the guest's
#    reaches the network), so a port that left it early, or did not join
#    it or come up yet, counts as closed; up on a bridge it must be the
#    old or the new port;
#  - a filter with a policy in mode disabled that is neither the old nor
#    the new one is the product's own fail-closed state (drops every
#    frame), as is our filter with no policy;
#  - an exit 0 that leaves such a closed state with a message (the Xen
#    entry points fail a bad source closed and succeed) is counted, not a
#    violation; any other exit 0 must reach the new state;
#  - recovery is `vifguard gc` and the same command again.
# Traffic is probed with the port put on the bridge and up for the probe
# (and put back), so a filter off the bridge is checked too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/test_xen_lib.bash"

FAULTS_DIR=$VG_TOP/tests/integration/faults
FAULTS_STRIDE=${FAULTS_STRIDE:-7}
# FAULTS_CMDS: only these commands (attach_new update detach attach_tcx
# switch_tcx gc hotplug_xl hotplug_xapi hotplug_offline svr_new svr_addrs
# svr_disable svr_clear); default all.
FAULTS_CMDS=${FAULTS_CMDS:-}

M5=02:00:00:00:05:00
M5B=02:00:00:00:05:0b
M6=02:00:00:00:06:00
# The Xen entry points' guests: xl (vif3.0), XAPI for hotplug (vif4.0),
# XAPI for setup-vif-rules (vif7.0).
X3=00:16:3e:00:03:00
X4=00:16:3e:00:04:00
X7=00:16:3e:00:07:00
U4=0a1b2c3d-4e5f-4a6b-8c7d-0000000000f4
U7=0a1b2c3d-4e5f-4a6b-8c7d-0000000000f7

# fi_xen_missing: what the Xen part lacks ("" when it can run).
fi_xen_missing() {
	xen_oxenstored >/dev/null || { echo "no oxenstored (xen-utils-4.17)"; return; }
	command -v xenstore-write >/dev/null || { echo "no xenstore-utils"; return; }
	[ -x "$XEN_SCRIPTS/vif-bridge" ] || { echo "no Xen vif-bridge (xen-utils-common)"; return; }
	[ -f "$XEN_SHIM" ] || { echo "$XEN_SHIM not built"; return; }
	[ -x "$XEN_NLMON" ] || echo "$XEN_NLMON not built"
}

# The simulated host is built here; the fault loop runs inside the host
# namespace (hundreds of runs: no `ip netns exec` per command).
if [ -z "${FAULTS_HOST_SIDE:-}" ]; then
	FAULTS_XEN_WHY=$(fi_xen_missing)
	if [ -z "$FAULTS_XEN_WHY" ]; then
		xen_init "$@"	# a private mount namespace, then vg_init
	else
		vg_init
	fi
	command -v strace >/dev/null || vg_bail "strace missing (scripts/install-deps.sh)"
	command -v cc >/dev/null || vg_bail "cc missing (scripts/install-deps.sh)"
	cc -O2 -Wall -o "$VG_TMP/tcxq" "$FAULTS_DIR/tcxq.c" 2>"$VG_TMP/cc.err" ||
		vg_bail "cannot build faults/tcxq.c: $(cat "$VG_TMP/cc.err")"
	vg_guest g5 vif5.0 $M5 quiet
	vg_guest g6 vif6.0 $M6 quiet
	vg_up g5
	vg_up g6
	if [ -z "$FAULTS_XEN_WHY" ]; then
		# As netback leaves a new backend device: down, off the bridge.
		xen_vif g3 vif3.0 $X3
		xl_nic 3 0 $X3 "10.99.3.3 fd00:99:3::3"
		xen_vif g4 vif4.0 $X4
		xapi_nic 4 0 $U4 $X4 locked 10.99.4.4 fd00:99:4::4
		xs_write /local/domain/0/backend/vif/4/0/ip 10.99.44.44
		xen_vif g7 vif7.0 $X7
		xapi_nic 7 0 $U7 $X7 locked 10.99.7.7 fd00:99:7::7
	fi
	hx env FAULTS_HOST_SIDE="$VG_ID $ROOT $VG_TMP" FAULTS_XEN_WHY="$FAULTS_XEN_WHY" \
		XEN_STAGE="${XEN_STAGE:-}" VIFGUARD="$VIFGUARD" \
		VIFGUARD_NETWORK_BACKEND=bridge bash "$0"
	exit
fi
read -r VG_ID ROOT VG_TMP <<<"$FAULTS_HOST_SIDE"
HOST=$VG_ID-host
SINK=$VG_ID-sink
TCXQ=$VG_TMP/tcxq
VGD=("$VIFGUARD" -r "$ROOT")
T0=$SECONDS

# ---- specs and frames ------------------------------------------------------

# A: vif5.0's old policy (two inline IPv4 hosts, a /24 in the trie, an IPv6
# host and /64); B: its new one (other MAC, other /24, other IPv6, no DHCP
# client exception); C: vif6.0's.  D, E: interfaces that vanish (gc).
SPEC_A=(--mac "$M5" --ipv4 10.99.0.5 --ipv4 10.99.0.50 --ipv4 10.99.5.0/24
	--ipv6 fd00:99::5 --ipv6 fd00:99:5::/64)
SPEC_B=(--mac "$M5B" --ipv4 10.99.0.55 --ipv4 10.99.55.0/24 --ipv6 fd00:99::55 --no-dhcp)
SPEC_C=(--mac "$M6" --ipv4 10.99.0.6 --ipv4 10.99.6.0/24)
SPEC_D=(--mac 02:00:00:00:09:00 --ipv4 10.99.9.0/24 --ipv6 fd00:99:9::/64)
SPEC_E=(--mac 02:00:00:00:0a:00 --ipv4 10.99.10.0/24 --attach tcx)

declare -A GUEST_OF=([vif5.0]=g5 [vif6.0]=g6)
# Frames a filter must drop under both the old and the new policy: an
# address in neither, and each policy's MAC with the other's address.
declare -A SPOOFS=(
	[vif5.0]="udp4 --src-mac $M5 --src-ip 10.99.66.6;udp4 --src-mac $M5B --src-ip 10.99.5.7;udp4 --src-mac $M5 --src-ip 10.99.55.7"
	[vif6.0]="udp4 --src-mac $M6 --src-ip 10.99.66.6;udp4 --src-mac $M5 --src-ip 10.99.6.7"
)
LEGIT_A="udp4 --src-mac $M5 --src-ip 10.99.5.7"
LEGIT_B="udp4 --src-mac $M5B --src-ip 10.99.55.7"
LEGIT_C="udp4 --src-mac $M6 --src-ip 10.99.6.7"

# ---- figures and violations ---------------------------------------------------

N_CMDS=0 N_KILLS=0 N_ERRS=0 N_STATES=0 N_VIOL=0 N_DRIFT=0 N_PROBES=0 DRIFTS=
N_EXIT0_CLOSED=0 EXIT0_CLOSED='' EXIT0_FIRST=''
declare -A VCOUNT=() VNS=() VALL=() VEX=() KRUNS=() KRANGE=()
KEYS=()		# "command|kind" in order of first use
VCATS=()	# "command|kind|category" in order of first use

# viol KEY CATEGORY N TEXT
viol() {
	local k="$1|$2"
	[ -z "${MEMO_REC:-}" ] || MEMO_BUF+="$2"$'\t'"${4//$'\n'/$'\r'}"$'\n'
	N_VIOL=$((N_VIOL + 1))
	ITER_VIOL=1
	if [ -z "${VCOUNT[$k]:-}" ]; then
		VCOUNT[$k]=0
		VCATS+=("$k")
	fi
	VCOUNT[$k]=$((VCOUNT[$k] + 1))
	VALL[$k]+=" ${3%% *}"
	if [ "${VCOUNT[$k]}" -le 6 ]; then
		VNS[$k]+="${VNS[$k]:+; }$3"
	fi
	[ -n "${VEX[$k]:-}" ] || VEX[$k]="N=$3: $4"
}

key_run() {
	local k=$1
	if [ -z "${KRUNS[$k]:-}" ]; then
		KRUNS[$k]=0
		KEYS+=("$k")
	fi
	KRUNS[$k]=$((KRUNS[$k] + 1))
	KRANGE[$k]+=" $2"
}

# ---- the state ----------------------------------------------------------------

FI_BATCH=$VG_TMP/fi.batch
FI_CHK=()	# interfaces judged
FI_KEYS=()	# ifindexes whose policy array entry is read
PROG_ID=

fi_batch_file() {
	local k m
	{
		for k in "${FI_KEYS[@]}"; do
			k=$((k & 4095))	# VG_POLICY_ENTRIES - 1
			printf 'map lookup pinned %s/policy key %d %d 0 0\n' "$ROOT" \
				$((k & 255)) $((k >> 8))
		done
		for m in policy_spill v4_addrs v6_addrs; do
			echo "map dump pinned $ROOT/$m"
		done
		echo "net show"
	} >"$FI_BATCH"
}

# fi_snap: the state as `vifguard show` and the kernel see it.
#   S_P[IF]  show's block without its attach line ("none": not listed)
#   S_A[IF]  show's attach line
#   S_F[IF]  our filters on the device per the kernel: tc, tcx, tc+tcx,
#            none; "(prog N)" when not the pinned program
#   S_Q[IF]  clsact qdisc on the device (0/1)
#   S_B[IF]  the port: "up|down master=BRIDGE|none" (administrative state)
#   SNAP_COUNTS  map entries and tcx pins; SNAP_FP everything, verbatim
declare -A S_P=() S_A=() S_F=() S_Q=() S_B=()
fi_snap() {
	local show batch qd tcx links line name i rest sec m n f ids id
	local -A tc=() tx=()
	local re_tc='"devname":"([^"]*)","ifindex":[0-9]+,"kind":"([^"]*)","name":"([^"]*)","id":([0-9]+)'
	local re_pol='"formatted":\{"key":[0-9]+,"value":\{"ifindex":([0-9]+),"live":([0-9]+)'
	local re_map='"pinned","[^"]*/([a-z0-9_]+)"'
	show=$("${VGD[@]}" show -v 2>&1)
	# Raw bytes out, and the policy entry's seq (bumped by every
	# publication, also by the resets between runs).
	batch=$("$BPFTOOL" -j batch file "$FI_BATCH" 2>&1 |
		sed -E 's/"key":\[[^]]*\],"value":\[[^]]*\],//g; s/"seq":[0-9]+,//g')
	qd=$(tc qdisc show 2>&1)
	tcx=$("$TCXQ" "${FI_CHK[@]}" 2>&1)
	links=$(ip -o link show 2>&1)
	local pins=("$ROOT"/tcx_*)
	[ -e "${pins[0]}" ] || pins=()
	# tcx pins by the interface they are named after (tcx_IFINDEX): those
	# of vanished interfaces get a new ifindex at every reset.
	local p others=0
	SNAP_PINS=
	for p in "${pins[@]##*/tcx_}"; do
		local hook=
		# tcx_out_IFINDEX: the egress program's link.
		[ "${p#out_}" != "$p" ] && p=${p#out_} hook=out:
		if [ -n "${IFNAME_OF[$p]:-}" ]; then SNAP_PINS+="$hook${IFNAME_OF[$p]} "; else others=$((others + 1)); fi
	done
	SNAP_PINS+="$others other"
	SNAP_FP="$show"$'\n'"$batch"$'\n'"$qd"$'\n'"$tcx"$'\n'"$SNAP_PINS"
	SNAP_SHOW=$show
	N_STATES=$((N_STATES + 1))

	S_P=() S_A=() S_F=() S_Q=() S_B=()
	local re_link='^[0-9]+: ([^:@ ]+)[@:][^<]*<([^>]*)>(.* master ([^ ]+))?'
	while IFS= read -r line; do
		[[ $line =~ $re_link ]] || continue
		name=${BASH_REMATCH[1]}
		[[ ,${BASH_REMATCH[2]}, == *,UP,* ]] && S_B[$name]=up || S_B[$name]=down
		S_B[$name]+=" master=${BASH_REMATCH[4]:-none}"
	done <<<"$links"
	name=
	while IFS= read -r line; do
		if [[ $line == "  attach: "* ]]; then
			[ -n "$name" ] && S_A[$name]=${line#  attach: }
		elif [[ $line != " "* && $line == *": ifindex "*", ORPHAN: "* ]]; then
			# show names an orphan: no policy (S_P stays none), its
			# filter is read from the kernel (S_F).
			name=
		elif [[ $line != " "* && $line == *": ifindex "* ]]; then
			name=${line%%: ifindex *}
			S_P[$name]=$line
		elif [ -n "$name" ]; then
			S_P[$name]+=$'\n'"$line"
		fi
	done <<<"$show"

	rest=$batch
	while [[ $rest =~ $re_tc ]]; do
		rest=${rest#*"${BASH_REMATCH[0]}"}
		[ "${BASH_REMATCH[2]}" = clsact/ingress ] || continue
		id=${BASH_REMATCH[4]}
		[[ ${BASH_REMATCH[3]} == vifguard* ]] || id="other:$id"
		tc[${BASH_REMATCH[1]}]+="${tc[${BASH_REMATCH[1]}]:+,}$id"
	done
	while IFS=' ' read -r name ids; do
		tx[$name]=${ids#tcx=}
	done <<<"$tcx"

	for i in "${FI_CHK[@]}"; do
		[ -n "${S_P[$i]:-}" ] || S_P[$i]=none
		[ -n "${S_A[$i]:-}" ] || S_A[$i]=none
		[ -n "${S_B[$i]:-}" ] || S_B[$i]=absent
		SNAP_FP+=$'\n'"$i port ${S_B[$i]}"
		f=
		for m in tc tcx; do
			if [ "$m" = tc ]; then ids=${tc[$i]:-}; else ids=${tx[$i]:-}; fi
			{ [ -n "$ids" ] && [ "$ids" != gone ]; } || continue
			f+="${f:++}$m"
			for id in ${ids//,/ }; do
				[ "$id" = "$PROG_ID" ] || f+="(prog $id)"
			done
		done
		S_F[$i]=${f:-none}
		if [[ $qd == *"qdisc clsact ffff: dev $i "* ]]; then S_Q[$i]=1; else S_Q[$i]=0; fi
	done

	local v4=0 v6=0 spill=0 used=0 live=0
	while IFS= read -r sec; do
		if [[ $sec =~ $re_pol ]]; then
			[ "${BASH_REMATCH[1]}" != 0 ] && used=$((used + 1))
			[ "${BASH_REMATCH[2]}" != 0 ] && live=$((live + 1))
		elif [[ $sec == '"map","dump"'* && $sec =~ $re_map ]]; then
			m=${BASH_REMATCH[1]}
			rest=${sec//\"formatted\":/}
			n=$(((${#sec} - ${#rest}) / 12))
			case $m in
			v4_addrs) v4=$n ;; v6_addrs) v6=$n ;; policy_spill) spill=$n ;;
			esac
		fi
	done <<<"${batch//\{\"command\":\[/$'\n'}"
	SNAP_COUNTS="v4_addrs $v4, v6_addrs $v6, policy_spill $spill, policy entries $used ($live live), tcx pins [$SNAP_PINS]"
}

# One line for a detail: policy (compacted), filters, show's attach line.
fi_desc() {
	local i=$1 p=${S_P[$1]}
	p=${p//$'\n'/ |}
	p=$(tr -s ' ' <<<"$p")
	echo "$i: policy {$p}; kernel filters ${S_F[$i]}, clsact ${S_Q[$i]}; show's attach {${S_A[$i]}}; port ${S_B[$i]}"
}

# Saves the judged part of the current snapshot under PREFIX (OLD, NEW,
# PRE): PREFIX_P[IF] etc.
fi_save() {
	local -n p=$1_P a=$1_A f=$1_F q=$1_Q b=$1_B
	local i
	p=() a=() f=() q=() b=()
	for i in "${FI_CHK[@]}"; do
		# shellcheck disable=SC2004 # associative arrays
		p[$i]=${S_P[$i]} a[$i]=${S_A[$i]} f[$i]=${S_F[$i]} q[$i]=${S_Q[$i]} b[$i]=${S_B[$i]}
	done
	local -n c=$1_COUNTS
	c=$SNAP_COUNTS
}
# shellcheck disable=SC2034 # used through namerefs (fi_save, fi_same)
declare -A OLD_P=() OLD_A=() OLD_F=() OLD_Q=() OLD_B=() NEW_P=() NEW_A=() NEW_F=() NEW_Q=() NEW_B=()
# shellcheck disable=SC2034
OLD_COUNTS='' NEW_COUNTS=

# fi_same PREFIX: the judged interfaces as saved; else sets DIFF.
fi_same() {
	# shellcheck disable=SC2178
	local -n p=$1_P a=$1_A f=$1_F q=$1_Q b=$1_B c=$1_COUNTS
	local i
	DIFF=
	for i in "${FI_CHK[@]}"; do
		[ "${S_P[$i]}" = "${p[$i]}" ] && [ "${S_A[$i]}" = "${a[$i]}" ] &&
			[ "${S_F[$i]}" = "${f[$i]}" ] && [ "${S_Q[$i]}" = "${q[$i]}" ] &&
			[ "${S_B[$i]}" = "${b[$i]}" ] && continue
		local save_p=${S_P[$i]} save_a=${S_A[$i]} save_f=${S_F[$i]} save_q=${S_Q[$i]} save_b=${S_B[$i]}
		S_P[$i]=${p[$i]} S_A[$i]=${a[$i]} S_F[$i]=${f[$i]} S_Q[$i]=${q[$i]} S_B[$i]=${b[$i]}
		DIFF+="expected $(fi_desc "$i")"$'\n'
		S_P[$i]=$save_p S_A[$i]=$save_a S_F[$i]=$save_f S_Q[$i]=$save_q S_B[$i]=$save_b
		DIFF+="got      $(fi_desc "$i")"$'\n'
	done
	if [ "$SNAP_COUNTS" != "$c" ]; then
		DIFF+="expected map entries: $c"$'\n'"got      map entries: $SNAP_COUNTS"$'\n'
	fi
	[ -z "$DIFF" ]
}

# ---- traffic ----------------------------------------------------------------------

fi_sink_rx() {
	ip netns exec "$SINK" cat /sys/class/net/sink0/statistics/rx_packets
}

# fi_send IFACE FRAME: 1 if the frame reached the sink, else 0.
fi_send() {
	local g=${GUEST_OF[$1]} before after i
	before=$(fi_sink_rx)
	# shellcheck disable=SC2086 # a vgpkt argument list
	gx "$g" "$VGPKT" send -i eth0 $2 2>/dev/null
	for ((i = 0; i < 4; i++)); do
		after=$(fi_sink_rx)
		[ "$after" != "$before" ] && break
		sleep 0.01
	done
	[ "$after" != "$before" ] && echo 1 || echo 0
}

# fi_probe IFACE LEGIT: frames from the guest, once per distinct state of
# the run.  With a filter on, no spoof may arrive, and the legitimate
# frame of the policy shown must arrive (none when no policy: closed).
# Sets PROBE (empty: as expected).  A port off the bridge or down is put
# on it and up for the probe, and back afterwards.
declare -A PROBED=()
fi_probe() {
	local i=$1 legit=$2 port=${S_B[$1]}
	local k="$CMD|$i|${S_P[$i]}|${S_F[$i]}"
	PROBE=
	[ -n "${GUEST_OF[$i]:-}" ] || return 0
	[ -z "${PROBED[$k]:-}" ] || { PROBE=${PROBED[$k]#ok}; return 0; }
	N_PROBES=$((N_PROBES + 1))
	[ "$port" = "up master=br0" ] || ip link set dev "$i" master br0 up
	fi_probe_frames "$i" "$legit"
	[[ $port != *master=none ]] || ip link set dev "$i" nomaster
	[[ $port != down* ]] || ip link set dev "$i" down
	PROBED[$k]=ok$PROBE
}
fi_probe_frames() {
	local i=$1 legit=$2 s got any=${ANY_OF[$1]:-$LEGIT_ANY}
	local IFS=';'
	for s in ${SPOOFS[$i]}; do
		got=$(IFS=' ' fi_send "$i" "$s")
		[ "$got" = 1 ] && PROBE+="spoof {$s} reached the sink; "
	done
	if [ -n "$legit" ]; then
		got=$(IFS=' ' fi_send "$i" "$legit")
		[ "$got" = 1 ] || PROBE+="legitimate {$legit} of the policy shown did not arrive; "
	elif [ "${S_F[$i]}" != none ]; then
		got=$(IFS=' ' fi_send "$i" "$any")
		[ "$got" = 0 ] || PROBE+="closed (no policy or disabled), yet {$any} reached the sink; "
	fi
}

# ---- judging ------------------------------------------------------------------------

# fi_judge KEY N: the state after a fault at N.  Records violations;
# sets STATE_IS (old, new, closed, mixed, bad; one word per interface).
fi_judge() {
	local key=$1 n=$2 i p f b legit cls what
	STATE_IS=
	for i in "${FI_CHK[@]}"; do
		p=${S_P[$i]} f=${S_F[$i]} b=${S_B[$i]} legit='' what=
		if [ "$CMD" = gc ]; then
			# Live interfaces: untouched, whatever gc did to the
			# entries of the vanished ones.
			if [ "$p" != "${OLD_P[$i]}" ] || [ "$f" != "${OLD_F[$i]}" ] ||
			   [ "${S_A[$i]}" != "${OLD_A[$i]}" ]; then
				viol "$key" "a live interface changed" "$n" "$(fi_desc "$i") (before: policy {${OLD_P[$i]//$'\n'/ |}} filters ${OLD_F[$i]})"
			fi
			continue
		fi
		if [ "$p" = none ]; then
			if [ "$f" != none ]; then
				cls=closed
			elif [ "${OLD_P[$i]}" = none ] && [ "${OLD_F[$i]}" = none ]; then
				cls=old
			elif [ "${NEW_P[$i]}" = none ] && [ "${NEW_F[$i]}" = none ]; then
				cls=new
			else
				cls=bad
				viol "$key" "no policy and no filter on an interface that had one" "$n" "$(fi_desc "$i")"
			fi
		elif [ "$p" = "${OLD_P[$i]}" ] || [ "$p" = "${NEW_P[$i]}" ]; then
			[ "$p" = "${OLD_P[$i]}" ] && cls=old || cls=new
			[ "$p" = "${OLD_P[$i]}" ] && legit=${OLD_LEGIT[$i]:-} || legit=${NEW_LEGIT[$i]:-}
			if [ "$f" = none ]; then
				what="policy recorded ($cls) but no filter on the device"
			elif [[ $f == *"(prog "* ]]; then
				what="a filter of another program on the device"
			elif { [ "$cls" = old ] && [ "$f" != "${OLD_F[$i]}" ]; } ||
			     { [ "$cls" = new ] && [ "$f" != "${NEW_F[$i]}" ]; }; then
				cls=mixed	# filter on, by another method too
			fi
			if [ -z "$what" ] && [[ ${S_A[$i]} == *"NOT on device"* ]]; then
				what="show says NOT on device while the kernel has $f"
			fi
		elif [[ ${p%%$'\n'*} == *", disabled" ]]; then
			# The product's own fail-closed policy: drops every frame.
			cls=closed
			[ "$f" != none ] || what="policy recorded (disabled) but no filter on the device"
		else
			cls=bad
			what="policy neither old nor new (half-applied)"
		fi
		# The port: a policy with the other state's port is a state in
		# between; off the bridge, nothing passes.
		if { [ "$cls" = old ] && [ "$b" != "${OLD_B[$i]}" ]; } ||
		   { [ "$cls" = new ] && [ "$b" != "${NEW_B[$i]}" ]; }; then
			cls=mixed
		fi
		if [ -z "$what" ] && [ -n "$FI_LOCKED_SRC" ] && [[ $b == *master=br0 ]] &&
		   [ "$f" = none ]; then
			what="on the bridge with no filter while its source says $FI_LOCKED_SRC"
		elif [ -z "$what" ] && [ "$b" != "${OLD_B[$i]}" ] && [ "$b" != "${NEW_B[$i]}" ] &&
		     [ "$b" != "${b#up }" ] && [[ $b != *master=none ]]; then
			what="a port up on a bridge neither as before nor as after (${OLD_B[$i]} -> ${NEW_B[$i]})"
		fi
		STATE_IS+="${STATE_IS:+ }$cls"
		if [ -n "$what" ] || [ "$cls" = closed ] || [ "$cls" = mixed ] ||
		   { [ "$f" != none ] && [ -z "${PROBED[$CMD|$i|$p|$f]:-}" ]; }; then
			[ "$cls" = closed ] && legit=
			fi_probe "$i" "$legit"
			if [ -n "$what" ]; then
				viol "$key" "$what" "$n" "$(fi_desc "$i")${PROBE:+; traffic: $PROBE}"
			elif [ -n "$PROBE" ]; then
				viol "$key" "traffic disagrees with the state shown" "$n" "$(fi_desc "$i"); $PROBE"
			fi
		fi
	done
}

# fi_exit_check KEY N HOW: after an injected error (HOW "exit RC"), a
# failure says why and a success reached the new state.
fi_exit_check() {
	local key=$1 n=$2 rc
	[[ $3 == exit* ]] || return 0
	rc=${3#exit }
	if [ "$rc" = 0 ] && [ -n "$FI_LOCKED_SRC" ] && [ "$STATE_IS" = closed ] && [ -s "$FI_ERR" ]; then
		# A Xen entry point failed a source closed, said why and
		# succeeded, as it does for a bad key.
		N_EXIT0_CLOSED=$((N_EXIT0_CLOSED + 1))
		EXIT0_CLOSED+=" $CMD:${n%% *}(${n##* })"
		[ -n "$EXIT0_FIRST" ] || EXIT0_FIRST="N=$n: $(tr '\n' ' ' <"$FI_ERR")"
	elif [ "$rc" = 0 ] && [ "$CMD" != gc ] && [ "$STATE_IS" != new ]; then
		viol "$key" "exit 0 without the new state" "$n" "state: $STATE_IS; $(fi_desc "${FI_CHK[0]}")"
	elif [ "$rc" = 0 ] && [ "$CMD" = gc ] && [[ $SNAP_SHOW == *"device gone"* ]]; then
		viol "$key" "exit 0 without the new state" "$n" "gc exit 0 but show still lists a vanished interface"
	elif [ "$rc" != 0 ] && [ ! -s "$FI_ERR" ]; then
		viol "$key" "failed without a message" "$n" "exit $rc, stderr empty"
	fi
}

# fi_recover KEY N: gc, then the command again: exactly the clean run's
# state and entries.
fi_recover() {
	local key=$1 n=$2 out rc
	out=$("${VGD[@]}" gc 2>&1)
	rc=$?
	[ "$rc" = 0 ] || viol "$key" "gc after the fault fails" "$n" "exit $rc: $out"
	out=$("${FI_EXEC[@]}" "${CMD_ARGS[@]}" 2>&1)
	rc=$?
	[ "$rc" = 0 ] || viol "$key" "the command again after gc fails" "$n" "exit $rc: $out"
	fi_snap
	if [ "$CMD" = gc ] && [[ $SNAP_SHOW == *"device gone"* ]]; then
		viol "$key" "after gc and the command again: not the clean run's state" "$n" \
			"show still lists a vanished interface: ${SNAP_SHOW//$'\n'/ |}"
	fi
	fi_same NEW ||
		viol "$key" "after gc and the command again: not the clean run's state" "$n" "$DIFF"
}

# fi_reset [quiet]: back to the pre-state; forcefully if the command's
# own reset does not get there (a violation unless quiet: the state was
# not recovered first, or a violation explains it).
fi_reset() {
	local i
	"fi_pre_$CMD" >/dev/null 2>&1
	fi_snap
	fi_same OLD && { PRE_FP=$SNAP_FP; return 0; }
	local why=$DIFF
	[ -n "${1:-}" ] || [ -n "${ITER_VIOL:-}" ] ||
		viol "$KEY_NOW" "the reset after recovery does not restore the pre-state" "$N_NOW" "$why"
	for i in vif5.0 vif6.0 "${FI_CHK[@]}"; do
		"${VGD[@]}" detach "$i" >/dev/null 2>&1
		tc qdisc del dev "$i" clsact 2>/dev/null
	done
	"${VGD[@]}" gc >/dev/null 2>&1
	"fi_pre_$CMD" >/dev/null 2>&1
	fi_snap
	fi_same OLD && { PRE_FP=$SNAP_FP; return 0; }
	return 1
}

# ---- running a command under strace -----------------------------------------------

FI_TRACE=$VG_TMP/fi.trace
FI_OUT=$VG_TMP/fi.out
FI_ERR=$VG_TMP/fi.err

# The system calls of a trace: SC_NAME[N], SC_K[N] (its rank among the
# calls of that name), SC_DESC[N]; by group (the name, or "xs" for a read
# or write of the xenstore socket), SC_COUNT[GROUP] and SC_POS[GROUP#K],
# the Kth call of GROUP.
fi_parse_trace() {
	local name desc grp n=0
	local -A seen=() gseen=()
	SC_NAME=() SC_K=() SC_DESC=()
	SC_COUNT=() SC_POS=()
	while IFS=$'\t' read -r name desc grp; do
		n=$((n + 1))
		seen[$name]=$((${seen[$name]:-0} + 1))
		gseen[$grp]=$((${gseen[$grp]:-0} + 1))
		SC_NAME[n]=$name SC_K[n]=${seen[$name]} SC_DESC[n]=$desc
		SC_POS[$grp#${gseen[$grp]}]=$n
	done < <(awk '$2 !~ /^(\+\+\+|---|<\.\.\.)/ {
		n = $2; sub(/\(.*/, "", n); d = n; g = n
		fd = $2; sub(/^[a-z0-9_]*\(/, "", fd); sub(/[,)].*/, "", fd); fd = $1 "/" fd
		if (n == "bpf") { a = $2; sub(/^bpf\(/, "", a); sub(/,.*/, "", a); d = "bpf " a
			if (a == "BPF_LINK_CREATE") linked = 1 }
		else if (n == "close" && !linked) d = "close, no link yet"
		else if (match($0, /nlmsg_type=[A-Z_]+/)) d = n " " substr($0, RSTART + 11, RLENGTH - 11)
		else if (n == "membarrier" || n == "flock" || n == "ioctl" || n ~ /^unlink/) {
			a = substr($0, index($0, n "(") + length(n) + 1); sub(/\) *=.*/, "", a); d = n "(" a ")" }
		else if (n == "connect" && $0 ~ /sun_path="[^"]*xenstored[^"]*"/ && $NF == "0") {
			xs[fd] = 1; d = "xs connect" }
		else if (n == "close") delete xs[fd]
		else if (fd in xs && n ~ /^(read|write|readv|writev|sendmsg|recvmsg)$/) { d = "xs " n; g = "xs" }
		print n "\t" d "\t" g }' "$1")
	for grp in "${!gseen[@]}"; do SC_COUNT[$grp]=${gseen[$grp]}; done
	SC_N=$n
}
declare -a SC_NAME=() SC_K=() SC_DESC=()
declare -A SC_COUNT=() SC_POS=()

# fi_mutator N: call N of the clean run can change the state (a map
# write, a pin, a link, a tc, bridge or link change, an unlink;
# close too, once the command made a link: a link fd closed before its
# pin takes the link off).  With a stride, the calls
# right after these are killed at too: every state a kill can leave.
fi_mutator() {
	case ${SC_DESC[$1]:-} in
	"bpf BPF_MAP_UPDATE_ELEM" | "bpf BPF_MAP_DELETE_ELEM" | "bpf BPF_OBJ_PIN" | \
	"bpf BPF_LINK_CREATE" | "bpf BPF_LINK_DETACH" | "bpf BPF_LINK_UPDATE" | \
	"bpf BPF_PROG_LOAD" | "bpf BPF_MAP_CREATE" | "bpf BPF_PROG_ATTACH" | \
	"sendto RTM_NEW"* | "sendto RTM_DEL"* | "sendmsg RTM_NEW"* | "sendmsg RTM_DEL"* | \
	close | unlink* | mkdir* | "xs write"*) return 0 ;;
	esac
	return 1
}

# The fault families of the groups of fi_parse_trace (netlink: the
# others) and their errnos.  FI_GROUPS: the groups besides bpf and
# netlink's that a command's errors go to.
declare -A FI_FAMILY=([bpf]=bpf [ioctl]=ioctl [xs]=xenstore)
declare -A FI_ERRS=([bpf]="ENOMEM ENOSPC EINTR EAGAIN" [netlink]="ENOBUFS EINTR EAGAIN"
	[ioctl]="EBUSY ENOMEM EINTR" [xenstore]="EAGAIN ECONNRESET EINTR")
FI_GROUPS=
# FI_EXEC: what runs CMD_ARGS; FI_LOCKED_SRC: what the Xen sources of the
# judged interfaces say ("" for the plain CLI, where there are none).
FI_EXEC=()
FI_LOCKED_SRC=

# fi_strace INJECT: the command under strace -f with one injection;
# RC is its exit status (137: killed).
fi_strace() {
	RC=$( ( strace -f -o "$FI_TRACE" -e inject="$1" "${FI_EXEC[@]}" "${CMD_ARGS[@]}" \
		>"$FI_OUT" 2>"$FI_ERR"; echo $? ) 2>/dev/null)
}

# fi_after KEY N HOW: judge the state a fault left, recover from it and
# reset.  A state seen before in this campaign (the same maps, filters
# and show, but for the policy entry's seq) is judged and recovered the
# same way: its findings are replayed and only the reset runs.
declare -A MEMO_S=() MEMO_V=()
N_MEMO=0
fi_after() {
	local key=$1 n=$2 how=$3 nfp line
	ITER_VIOL='' KEY_NOW=$1 N_NOW=$2
	fi_snap
	if [ "$SNAP_FP" = "$PRE_FP" ]; then
		# Nothing changed: the old state, and the recovery from it is
		# the clean run's own.
		STATE_IS=unchanged
		fi_exit_check "$key" "$n" "$how"
		return 0
	fi
	nfp=$SNAP_FP
	if [ -n "${MEMO_S[$nfp]+set}" ]; then
		N_MEMO=$((N_MEMO + 1))
		STATE_IS=${MEMO_S[$nfp]}
		while IFS=$'\t' read -r cat line; do
			[ -n "$cat" ] && viol "$key" "$cat" "$n" "${line//$'\r'/$'\n'}"
		done <<<"${MEMO_V[$nfp]}"
		fi_exit_check "$key" "$n" "$how"
		fi_reset quiet
		return
	fi
	MEMO_BUF='' MEMO_REC=1
	fi_judge "$key" "$n"
	fi_recover "$key" "$n"
	MEMO_REC=
	MEMO_S[$nfp]=$STATE_IS
	MEMO_V[$nfp]=$MEMO_BUF
	fi_exit_check "$key" "$n" "$how"
	fi_reset
}

# fi_ranges N...: "3-7 9" for 3 4 5 6 7 9.
fi_ranges() {
	tr ' ' '\n' <<<"$*" | sort -nu | awk 'NF {
		if (s != "" && $1 == e + 1) { e = $1; next }
		if (s != "") printf "%s%s ", s, (e > s ? "-" e : "")
		s = e = $1 }
		END { if (s != "") printf "%s%s", s, (e > s ? "-" e : "") }'
}

# fi_report LABEL: one TAP line per (command, fault kind) of LABEL.
fi_report() {
	local key runs total c ns details name
	for key in "${KEYS[@]}"; do
		[[ $key == "$1|"* ]] || continue
		runs=${KRUNS[$key]:-0}
		if [ "$runs" = 0 ]; then
			tap_skip "faults: ${key%%|*}: ${key#*|}" "no such call in this command"
			continue
		fi
		read -r -a ns <<<"$(tr ' ' '\n' <<<"${KRANGE[$key]}" | sort -n | tr '\n' ' ')"
		total=0 details=()
		for c in "${VCATS[@]}"; do
			[[ $c == "$key|"* ]] || continue
			total=$((total + VCOUNT[$c]))
			details+=("${c#"$key|"}: ${VCOUNT[$c]} time(s), N in $(fi_ranges "${VALL[$c]}")"
				"  at N = ${VNS[$c]}$([ "${VCOUNT[$c]}" -gt 6 ] && echo ' ...')"
				"  first: ${VEX[$c]}")
		done
		name="faults: ${key%%|*}: ${key#*|} at $runs point(s), N ${ns[0]}..${ns[${#ns[@]} - 1]}"
		if [ "$total" = 0 ]; then
			tap_ok "$name: no violation"
		else
			tap_fail "$name" "no violation" "$total violation(s)" "${details[@]}"
		fi
	done
}

# fi_command NAME LABEL KILLS ERRORS: the whole campaign for one command;
# CMD_ARGS, FI_CHK, OLD_LEGIT/NEW_LEGIT and fi_pre_NAME set by the
# caller.  KILLS, ERRORS: "every" call, or "stride" (FAULTS_STRIDE).
fi_command() {
	CMD=$1
	[ -z "$FAULTS_CMDS" ] || [[ " $FAULTS_CMDS " == *" $CMD "* ]] || return 0
	local label=$2 out rc n stride=$FAULTS_STRIDE estride=$FAULTS_STRIDE errs i k e name key
	[ "$3" = every ] && stride=1
	[ "$4" = every ] && estride=1
	N_CMDS=$((N_CMDS + 1))

	MEMO_S=() MEMO_V=()
	fi_batch_file
	"fi_pre_$CMD" >/dev/null 2>&1
	fi_snap
	fi_save OLD
	local pre_desc t0=$SECONDS
	pre_desc=$(for i in "${FI_CHK[@]}"; do fi_desc "$i"; done)
	# Two clean runs: the first gives the new state, the second (from
	# the pre-state as every fault run finds it: restored after a run)
	# the system calls.
	out=$("${FI_EXEC[@]}" "${CMD_ARGS[@]}" 2>&1)
	rc=$?
	fi_snap
	fi_save NEW
	if [ "$rc" != 0 ]; then
		tap_fail "faults: $label: clean run" "exit 0" "exit $rc: $out" "$pre_desc"
		return
	fi
	ITER_VIOL=x
	if ! fi_reset; then
		tap_fail "faults: $label: the pre-state can be restored" "pre-state" "differs" "$DIFF"
		return
	fi
	out=$( (strace -f -o "$FI_TRACE" "${FI_EXEC[@]}" "${CMD_ARGS[@]}" 2>&1; echo "rc=$?") 2>&1)
	fi_parse_trace "$FI_TRACE"
	fi_snap
	if [[ $out != *"rc=0" ]] || [ "$SC_N" -lt 20 ] || ! fi_same NEW; then
		tap_fail "faults: $label: clean run under strace" "exit 0, the new state" "$out" "$DIFF"
		return
	fi
	fi_reset
	tap_ok "faults: $label: clean run: $SC_N system calls ($(for i in "${FI_CHK[@]}"; do
		printf '%s %s -> %s; ' "$i" "$([ "${OLD_P[$i]}" = none ] && echo 'no policy' || echo policy)/${OLD_F[$i]}${FI_LOCKED_SRC:+/${OLD_B[$i]}}" \
			"$([ "${NEW_P[$i]}" = none ] && echo 'no policy' || echo policy)/${NEW_F[$i]}${FI_LOCKED_SRC:+/${NEW_B[$i]}}"; done))"

	# SIGKILL on entering call N: the state after calls 1..N-1.  N=1 is
	# the execve of the CLI, which strace does not tamper with.  With a
	# stride, a Xen entry point is killed only from its connection to
	# xenstore on: before it, it has only loaded its libraries.
	local from=2
	if [ "$stride" != 1 ]; then
		for ((n = 2; n <= SC_N; n++)); do
			[ "${SC_DESC[n]}" != "xs connect" ] || { from=$n; break; }
		done
	fi
	key="$label|SIGKILL"
	for ((n = from; n <= SC_N; n++)); do
		[ $(((n - from) % stride)) = 0 ] || fi_mutator $((n - 1)) || continue
		name=${SC_NAME[n]}
		fi_strace "$name:signal=SIGKILL:when=${SC_K[n]}"
		key_run "$key" "$n"
		if [ "$RC" = 137 ]; then
			N_KILLS=$((N_KILLS + 1))
			local got
			got=$(awk '$2 !~ /^(\+\+\+|---|<\.\.\.)/ { c++; l = $2 } END { sub(/\(.*/, "", l); print c " " l }' "$FI_TRACE")
			[ "$got" = "$n $name" ] || { N_DRIFT=$((N_DRIFT + 1)); DRIFTS+=" $CMD:$n($got)"; }
		else
			N_DRIFT=$((N_DRIFT + 1))
			DRIFTS+=" $CMD:$n(exit $RC)"
		fi
		fi_after "$key" "$n ${SC_DESC[n]}#${SC_K[n]}" kill || {
			tap_fail "faults: $label: cannot restore the pre-state after N=$n" "pre-state" "differs" "$DIFF"
			return
		}
	done

	# One failing call: every bpf() and netlink call, and for the Xen
	# entry points every interface ioctl and xenstore socket read
	# or write (with a stride: those that change the state and every
	# stride-th other), each errno at each call in the long run, one
	# errno per call (in turn) by default.
	local grp fam m
	for grp in bpf sendto sendmsg recvmsg recvfrom $FI_GROUPS; do
		[ -n "${SC_COUNT[$grp]:-}" ] || continue
		fam=${FI_FAMILY[$grp]:-netlink}
		read -r -a errs <<<"${FI_ERRS[$fam]}"
		m=0
		for ((k = 1; k <= SC_COUNT[$grp]; k++)); do
			n=${SC_POS[$grp#$k]}
			[ $(((k - 1) % estride)) = 0 ] || fi_mutator "$n" || continue
			m=$((m + 1))
			for ((e = 0; e < ${#errs[@]}; e++)); do
				if [ "$FAULTS_STRIDE" != 1 ] && [ $(((m - 1) % ${#errs[@]})) != "$e" ]; then
					continue
				fi
				key="$label|$fam ${errs[e]}"
				fi_strace "${SC_NAME[n]}:error=${errs[e]}:when=${SC_K[n]}"
				key_run "$key" "$n"
				N_ERRS=$((N_ERRS + 1))
				fi_after "$key" "$n ${SC_DESC[n]}#${SC_K[n]} ${errs[e]}" "exit $RC" || {
					tap_fail "faults: $label: cannot restore the pre-state after N=$n" "pre-state" "differs" "$DIFF"
					return
				}
			done
		done
	done
	echo "# faults: $label: $((SECONDS - t0)) s"
	# A (command, kind) that had no site still gets its line.
	for fam in bpf netlink ${FI_GROUPS//xs/xenstore}; do
		read -r -a errs <<<"${FI_ERRS[$fam]}"
		for e in "${errs[@]}"; do
			[ -n "${KRUNS[$label|$fam $e]:-}" ] || KEYS+=("$label|$fam $e")
		done
	done
	fi_report "$label"
}

# ---- the commands ------------------------------------------------------------------

vgq() { "${VGD[@]}" "$@" >/dev/null 2>&1; }

# The program is loaded and pinned once, before any fault.
vgq attach vif5.0 "${SPEC_A[@]}" || { tap_fail "faults: first attach" "exit 0" "$("${VGD[@]}" attach vif5.0 "${SPEC_A[@]}" 2>&1)"; tap_done; exit 1; }
vgq detach vif5.0
PROG_ID=$("$BPFTOOL" prog show pinned "$ROOT/prog" | sed -n 's/^\([0-9]*\):.*/\1/p')
IDX5=$(cat /sys/class/net/vif5.0/ifindex)
IDX6=$(cat /sys/class/net/vif6.0/ifindex)
declare -A IFNAME_OF=([$IDX5]=vif5.0 [$IDX6]=vif6.0)
# Any frame from vif5.0's guest: none may pass while it has no policy;
# ANY_OF[IF]: the same for another interface.
LEGIT_ANY=$LEGIT_A
declare -A OLD_LEGIT=() NEW_LEGIT=() ANY_OF=()
FI_EXEC=("${VGD[@]}")

TCX_OK=1
if [[ $("$TCXQ" vif6.0) == *error* ]]; then
	TCX_OK=0
elif ! "${VGD[@]}" attach vif6.0 "${SPEC_C[@]}" --attach tcx >/dev/null 2>&1; then
	TCX_OK=0
fi
vgq detach vif6.0

# attach of a new interface (cls_bpf)
fi_pre_attach_new() { vgq detach vif5.0; }
CMD_ARGS=(attach vif5.0 "${SPEC_A[@]}")
FI_CHK=(vif5.0) FI_KEYS=("$IDX5")
OLD_LEGIT=() NEW_LEGIT=([vif5.0]=$LEGIT_A)
fi_command attach_new "attach new vif5.0 (cls_bpf)" every every

# attach of an attached interface: another policy (MAC, /24, IPv6)
fi_pre_update() { vgq attach vif5.0 "${SPEC_A[@]}" --attach cls_bpf; }
CMD_ARGS=(attach vif5.0 "${SPEC_B[@]}")
OLD_LEGIT=([vif5.0]=$LEGIT_A) NEW_LEGIT=([vif5.0]=$LEGIT_B)
fi_command update "attach vif5.0 update A->B" every every

# detach
fi_pre_detach() { vgq attach vif5.0 "${SPEC_A[@]}" --attach cls_bpf; }
CMD_ARGS=(detach vif5.0)
OLD_LEGIT=([vif5.0]=$LEGIT_A) NEW_LEGIT=()
fi_command detach "detach vif5.0" every every

if [ "$TCX_OK" = 1 ]; then
	# attach of a new interface through tcx
	fi_pre_attach_tcx() { vgq detach vif5.0; vgq detach vif6.0; }
	CMD_ARGS=(attach vif6.0 "${SPEC_C[@]}" --attach tcx)
	FI_CHK=(vif6.0) FI_KEYS=("$IDX6")
	OLD_LEGIT=() NEW_LEGIT=([vif6.0]=$LEGIT_C)
	fi_command attach_tcx "attach new vif6.0 --attach tcx" stride stride

	# update that also moves the filter from cls_bpf to tcx
	fi_pre_switch_tcx() { vgq attach vif5.0 "${SPEC_A[@]}" --attach cls_bpf; }
	CMD_ARGS=(attach vif5.0 "${SPEC_B[@]}" --attach tcx)
	FI_CHK=(vif5.0) FI_KEYS=("$IDX5")
	OLD_LEGIT=([vif5.0]=$LEGIT_A) NEW_LEGIT=([vif5.0]=$LEGIT_B)
	fi_command switch_tcx "attach vif5.0 update A->B, cls_bpf->tcx" stride stride
else
	tap_skip "faults: attach --attach tcx" "no tcx on this kernel (Linux >= 6.6)"
fi

# gc: two interfaces vanished without a detach (one cls_bpf, one tcx),
# two live ones (cls_bpf, tcx) that gc must leave alone.
fi_stale() {
	local name=$1 idx
	shift
	ip link del "$name" 2>/dev/null
	ip link add "$name" type veth peer name "${name%.0}p" || return 1
	idx=$(cat "/sys/class/net/$name/ifindex")
	vgq attach "$name" "$@"
	ip link del "$name"
	echo "$idx"
}
fi_pre_gc() {
	local a b
	vgq gc
	vgq attach vif5.0 "${SPEC_A[@]}" --attach cls_bpf
	if [ "$TCX_OK" = 1 ]; then
		vgq attach vif6.0 "${SPEC_C[@]}" --attach tcx
		b=$(fi_stale vif10.0 "${SPEC_E[@]}")
	else
		vgq attach vif6.0 "${SPEC_C[@]}"
	fi
	a=$(fi_stale vif9.0 "${SPEC_D[@]}")
	FI_KEYS=("$IDX5" "$IDX6" "$a" ${b:+"$b"})
	fi_batch_file
}
CMD_ARGS=(gc)
FI_CHK=(vif5.0 vif6.0)
OLD_LEGIT=() NEW_LEGIT=()
# Every bpf() call of gc fails once: a failed read must not make gc take
# a live interface's filter for a stale one.
fi_command gc "gc with 2 vanished interfaces" stride every

# ---- the Xen entry points ----------------------------------------------------------

# fi_port IFACE up|down BRIDGE|none: the port as a toolstack left it.
fi_port() {
	if [ "$3" = none ]; then
		ip link set dev "$1" nomaster 2>/dev/null
	else
		ip link set dev "$1" master "$3"
	fi
	ip link set dev "$1" "$2"
}

if [ -n "$FAULTS_XEN_WHY" ]; then
	tap_skip "faults: Xen entry points (hotplug, setup-vif-rules)" "$FAULTS_XEN_WHY"
else
	# Only the Xen interfaces' entries from here on.
	vgq detach vif5.0
	vgq detach vif6.0
	vgq gc
	SVR=$XEN_STAGE/usr/libexec/vifguard/setup-vif-rules
	UUID7=$(vm_uuid 7)
	IDX3=$(cat /sys/class/net/vif3.0/ifindex)
	IDX4=$(cat /sys/class/net/vif4.0/ifindex)
	IDX7=$(cat /sys/class/net/vif7.0/ifindex)
	IFNAME_OF+=([$IDX3]=vif3.0 [$IDX4]=vif4.0 [$IDX7]=vif7.0)
	GUEST_OF+=([vif3.0]=g3 [vif4.0]=g4 [vif7.0]=g7)
	# Spoofs: an address in no policy, another MAC with the VIF's
	# address; vif4.0's xl ip= address, which XAPI's keys outrank;
	# vif7.0's old and new addresses from another MAC.
	XBAD=00:16:3e:00:66:00
	SPOOFS+=(
		[vif3.0]="udp4 --src-mac $X3 --src-ip 10.99.66.6;udp4 --src-mac $XBAD --src-ip 10.99.3.3"
		[vif4.0]="udp4 --src-mac $X4 --src-ip 10.99.44.44;udp4 --src-mac $XBAD --src-ip 10.99.4.4"
		[vif7.0]="udp4 --src-mac $X7 --src-ip 10.99.66.6;udp4 --src-mac $XBAD --src-ip 10.99.7.7;udp4 --src-mac $XBAD --src-ip 10.99.77.8"
	)
	LEGIT_X3="udp4 --src-mac $X3 --src-ip 10.99.3.3"
	LEGIT_X4="udp4 --src-mac $X4 --src-ip 10.99.4.4"
	LEGIT_X7A="udp4 --src-mac $X7 --src-ip 10.99.7.7"
	LEGIT_X7B="udp4 --src-mac $X7 --src-ip 10.99.77.8"
	ANY_OF+=([vif3.0]=$LEGIT_X3 [vif4.0]=$LEGIT_X4 [vif7.0]=$LEGIT_X7A)
	FI_GROUPS="ioctl xs"
	HP3=(type_if=vif vif=vif3.0 XENBUS_PATH=backend/vif/3/0)
	HP4=(type_if=vif vif=vif4.0 XENBUS_PATH=backend/vif/4/0)
	svrq() { "$SVR" classic vif7.0 "$UUID7" 0 "$1" >/dev/null 2>&1; }
	lock7a() { xapi_lock 7 0 locked 10.99.7.7 fd00:99:7::7; }

	# hotplug online of a new VIF, policy from xl's ip= key; the port
	# down and off the bridge, as netback leaves it for
	# vif-vifguard-bridge (hotplug never moves it).
	fi_pre_hotplug_xl() { vgq detach vif3.0; fi_port vif3.0 down none; }
	CMD_ARGS=(hotplug online "${HP3[@]}")
	FI_CHK=(vif3.0) FI_KEYS=("$IDX3") FI_LOCKED_SRC="locked (xl ip=)"
	OLD_LEGIT=() NEW_LEGIT=([vif3.0]=$LEGIT_X3)
	fi_command hotplug_xl "hotplug online new vif3.0 (xl ip=)" stride stride

	# hotplug online of a new VIF whose XAPI keys say locked
	fi_pre_hotplug_xapi() { vgq detach vif4.0; fi_port vif4.0 down none; }
	CMD_ARGS=(hotplug online "${HP4[@]}")
	FI_CHK=(vif4.0) FI_KEYS=("$IDX4") FI_LOCKED_SRC="locked (XAPI)"
	OLD_LEGIT=() NEW_LEGIT=([vif4.0]=$LEGIT_X4)
	fi_command hotplug_xapi "hotplug online new vif4.0 (XAPI locked, xl ip= outranked)" stride stride

	# hotplug offline, after vif-bridge took the port off the bridge
	fi_pre_hotplug_offline() { fi_port vif3.0 down none; vgq hotplug online "${HP3[@]}"; }
	CMD_ARGS=(hotplug offline "${HP3[@]}")
	FI_CHK=(vif3.0) FI_KEYS=("$IDX3") FI_LOCKED_SRC="locked (xl ip=)"
	OLD_LEGIT=([vif3.0]=$LEGIT_X3) NEW_LEGIT=()
	fi_command hotplug_offline "hotplug offline vif3.0" stride stride

	# setup-vif-rules, through the installed script
	FI_EXEC=("$SVR")
	FI_CHK=(vif7.0) FI_KEYS=("$IDX7") FI_LOCKED_SRC="locked (XAPI)"

	# filter of a new port: down, off the bridge, as xenopsd's vif
	# script leaves it
	lock7a
	fi_pre_svr_new() { svrq clear; vgq detach vif7.0; fi_port vif7.0 down none; }
	CMD_ARGS=(classic vif7.0 "$UUID7" 0 filter)
	OLD_LEGIT=() NEW_LEGIT=([vif7.0]=$LEGIT_X7A)
	fi_command svr_new "setup-vif-rules vif7.0 filter, new port (XAPI locked)" stride stride

	# XAPI locked -> new addresses, the port up on its bridge
	fi_pre_svr_addrs() {
		lock7a
		svrq filter
		xapi_lock 7 0 locked 10.99.77.7,10.99.77.8 fd00:99:77::7
	}
	OLD_LEGIT=([vif7.0]=$LEGIT_X7A) NEW_LEGIT=([vif7.0]=$LEGIT_X7B)
	fi_command svr_addrs "setup-vif-rules vif7.0 filter, locked -> new addresses" stride stride

	# locked -> disabled: the filter drops all, the port leaves the bridge
	fi_pre_svr_disable() { lock7a; svrq filter; xapi_lock 7 0 disabled; }
	FI_LOCKED_SRC="disabled (XAPI)"
	OLD_LEGIT=([vif7.0]=$LEGIT_X7A) NEW_LEGIT=()
	fi_command svr_disable "setup-vif-rules vif7.0 filter, locked -> disabled" stride stride

	# clear: off the bridge, then no filter
	lock7a
	fi_pre_svr_clear() { svrq filter; }
	CMD_ARGS=(classic vif7.0 "$UUID7" 0 clear)
	FI_LOCKED_SRC="locked (XAPI)"
	OLD_LEGIT=([vif7.0]=$LEGIT_X7A) NEW_LEGIT=()
	fi_command svr_clear "setup-vif-rules vif7.0 clear (XAPI locked)" stride stride
fi

# ---- summary ----------------------------------------------------------------------

echo "# faults: $N_CMDS commands, killed at $N_KILLS system calls ($N_DRIFT runs not killed where the clean run said), $N_ERRS errors injected, $N_STATES states checked ($N_MEMO of them seen before in the same campaign), $N_PROBES traffic probes, $N_VIOL violations, $N_EXIT0_CLOSED exits 0 that failed closed with a message, $((SECONDS - T0)) s (FAULTS_STRIDE=$FAULTS_STRIDE)"
[ -z "$DRIFTS" ] || echo "# faults: kills that did not land where the clean run said:$DRIFTS"
[ -z "$EXIT0_CLOSED" ] || echo "# faults: exit 0, failed closed with a message, at:$EXIT0_CLOSED; the first said: $EXIT0_FIRST"
tap_done
