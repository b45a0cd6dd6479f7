#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Upgrading a host with guests attached.  The previous release, built
# here from its commit (map layout 1), filters two guests, one through
# cls_bpf and one through tcx; while the first streams legitimate and
# forged frames, this build's `vifguard upgrade` takes the state over.
# No legitimate frame is lost, no forged frame gets through, every
# counter (per interface and the host's totals, which layout 2 keeps in
# another shape) is carried over, the devices carry the new program on
# their ingress and the new egress program (which layout 1 did not have)
# on their egress, by the method of their ingress, the old program and
# its pins are gone, and the old vifguard refuses the new state.  An
# upgrade from another build of this layout replaces both programs in
# place.  Then: `upgrade` killed (SIGKILL) at every Nth system call
# leaves every guest filtered, and the next `upgrade` completes it with
# every counter exact; a state of a newer layout is refused.  Last, the
# same upgrade from the last release of layout 2, and from that of
# layout 3, whose learned link-local stays learned while DHCP
# snooping's maps are created (learn_cfg with the default grace) and
# the configured IPv4 addresses become owned in learned4; and from that
# of layout 4, whose grace stays while "parked" is created and learn_cfg
# gets the default first-use lease.
. "$(dirname "$0")/lib.sh"

# The last commit of layout 1; VG_UPGRADE_FROM names another.
FROM=${VG_UPGRADE_FROM:-b1d87e79ad806030084265a6a58336271ab55b3d}
OLD_DIR=$OUTPUT/upgrade-from/$FROM
OLD=$OLD_DIR/build/vifguard
# The last commit of layout 2; VG_UPGRADE_FROM2 names another.
FROM2=${VG_UPGRADE_FROM2:-375c01061c721cac9e4a07b77086d8dfba40aa56}
OLD2_DIR=$OUTPUT/upgrade-from/$FROM2
OLD2=$OLD2_DIR/build/vifguard
# The last commit of layout 3; VG_UPGRADE_FROM3 names another.
FROM3=${VG_UPGRADE_FROM3:-900f112dbbbb2c566eab3059e384355b2b56a23c}
OLD3_DIR=$OUTPUT/upgrade-from/$FROM3
OLD3=$OLD3_DIR/build/vifguard
# The last commit of layout 4; VG_UPGRADE_FROM4 names another.
FROM4=${VG_UPGRADE_FROM4:-30e1fdaa500ae23cd4e2b06a26a3db2400df6007}
OLD4_DIR=$OUTPUT/upgrade-from/$FROM4
OLD4=$OLD4_DIR/build/vifguard
LAYOUT=$(sed -n 's/^#define VG_MAP_LAYOUT[[:space:]]*\([0-9]*\).*/\1/p' "$VG_TOP/include/vifguard.h")

# Builds the older vifguard of commit $1 in $2 (once; kept in OUTPUT).
build_old() {
	local from=$1 dir=$2
	[ -x "$dir/build/vifguard" ] && return 0
	git -C "$VG_TOP" cat-file -e "$from^{commit}" 2>/dev/null || return 3
	rm -rf "$dir" && mkdir -p "$dir" || return 1
	git -C "$VG_TOP" archive "$from" | tar -x -C "$dir" || return 1
	make -C "$dir" -j"$(nproc)" vifguard >"$dir.log" 2>&1
}

build_old "$FROM" "$OLD_DIR"
case $? in
0) ;;
3) vg_skip_all "commit $FROM is not in this tree's history (a clone without it)" ;;
*) vg_bail "cannot build vifguard $FROM: $(tail -5 "$OLD_DIR.log" 2>/dev/null)" ;;
esac
build_old "$FROM2" "$OLD2_DIR"
old2_built=$?
build_old "$FROM3" "$OLD3_DIR"
old3_built=$?
build_old "$FROM4" "$OLD4_DIR"
old4_built=$?
vg_init

old() { ip netns exec "$HOST" "$OLD" -r "$ROOT" "$@"; }

MAC=02:00:00:00:0a:01
MAC2=02:00:00:00:0a:02
A=10.99.0.10
A2=10.99.0.20
C=10.99.0.99
vg_guest ga vif10.0 $MAC quiet
vg_guest gb vif11.0 $MAC2 quiet
VG_FENCE[ga]="udp4 --src-ip $A"
VG_FENCE[gb]="udp4 --src-ip $A2"
STREAM=${VG_STREAM:-3000}	# frames, one every 300 us

tcx=cls_bpf
old attach vif11.0 --attach tcx --mac $MAC2 --ipv4 $A2 >/dev/null 2>&1 && tcx=tcx ||
	old attach vif11.0 --mac $MAC2 --ipv4 $A2 >/dev/null
out=$(old attach vif10.0 --mac $MAC --ipv4 $A 2>&1)
tap_check "the older vifguard attaches vif10.0" "exit 0" "exit $?" "$out"
vg_up ga
vg_up gb

# Counters in the old maps before the upgrade, the totals included.
vg_case "before: vif10.0 forged dropped" ga vif10.0 40 0 "ipv4-src+40 pass+1" \
	udp4 --src-ip $C
vg_case "before: vif11.0 ($tcx) forged dropped" gb vif11.0 7 0 "ipv4-src+7 pass+1" \
	udp4 --src-ip $C

# Every counter of both interfaces and the host, as NAME=N lines.
counters() {
	local bin=$1 i
	for i in vif10.0 vif11.0; do
		ip netns exec "$HOST" "$bin" -r "$ROOT" -j stats $i |
			jq -r --arg i $i '.interfaces[] | .counters | to_entries[]
				| select(.value != 0) | "\($i) \(.key)=\(.value)"'
	done
	ip netns exec "$HOST" "$bin" -r "$ROOT" -j stats |
		jq -r '.totals | to_entries[] | select(.value != 0) | "totals \(.key)=\(.value)"'
}

# The program on one hook of a device (ingress, egress), by bpftool: the
# cls_bpf filter, or the tcx link pinned under the root (PIN_IFINDEX).
hook_prog() {
	local id l
	id=$(hx "$BPFTOOL" -j net show dev $1 |
		jq -r --arg k "clsact/$2" '[.[0].tc[] | select(.kind == $k)][0].id // empty')
	l=$ROOT/$3_$(vg_ifindex $1)
	[ -z "$id" ] && [ -e "$l" ] &&
		id=$(hx "$BPFTOOL" -j link show pinned "$l" | jq -r .prog_id)
	echo "${id:-none}"
}
# The programs on each device: DEV=INGRESS/EGRESS.
dev_progs() {
	local i
	for i in vif10.0 vif11.0; do
		echo "$i=$(hook_prog $i ingress tcx)/$(hook_prog $i egress tcx_out)"
	done | tr '\n' ' ' | sed 's/ $//'
}
pinned_prog() { hx "$BPFTOOL" -j prog show pinned "$ROOT/prog" | jq -r .id; }
pinned_out() { hx "$BPFTOOL" -j prog show pinned "$ROOT/prog_out" 2>/dev/null | jq -r '.id // "none"'; }
# Both devices on the pinned programs, as dev_progs says it.
want_progs() {
	echo "vif10.0=$(pinned_prog)/$(pinned_out) vif11.0=$(pinned_prog)/$(pinned_out)"
}
loaded() { hx "$BPFTOOL" prog show id "$1" >/dev/null 2>&1 && echo "program $1 still loaded" ||
	echo "no program $1"; }

old_prog=$(pinned_prog)
progs0=$(dev_progs)
tap_check "before: both devices carry the older program, no egress one" \
	"vif10.0=$old_prog/none vif11.0=$old_prog/none" "$progs0"
out=$(vg upgrade --check 2>&1)
tap_check "upgrade --check on the older state: due" "exit 3, upgrade due: ... map layout 1" \
	"exit $?, $(grep -o 'upgrade due: .*map layout 1' <<<"$out" | sed 's/due: .*map/due: ... map/')" \
	"$out"

before=$(counters "$OLD")

# The stream: legitimate frames from A and forged ones from C, both
# counted at the sink; the upgrade runs once the stream is going.
vg_marker; ma=$MARKER
vg_marker; mc=$MARKER
vg_marker; f=$MARKER
vg_recv_start $ma -f $f -t 60000; ra=$RECV_PID
vg_recv_start $mc -f $f -t 60000; rc=$RECV_PID
gx ga "$VGPKT" send -i eth0 -c $STREAM -g 300 -m $ma udp4 --src-ip $A &
spid=$!
gx ga "$VGPKT" send -i eth0 -c $((STREAM / 10)) -g 3000 -m $mc udp4 --src-ip $C &
cpid=$!
sleep 0.2
up=$(vg upgrade 2>&1)
up_rc=$?
still=$(kill -0 $spid 2>/dev/null && echo running || echo ended)
wait $spid $cpid
gx ga "$VGPKT" send -i eth0 -m $f udp4 --src-ip $A
RECV_PID=$ra; vg_recv_wait $ma; got=$RX
RECV_PID=$rc; vg_recv_wait $mc; got_c=$RX

tap_check "upgrade under traffic" "exit 0, upgraded: map layout 1 -> $LAYOUT, 2 device(s) moved" \
	"exit $up_rc, $(grep -q "map layout 1, program id $old_prog of an unknown version -> map layout $LAYOUT" \
	<<<"$up" && echo "upgraded: map layout 1 -> $LAYOUT"), $(grep -o '[0-9]* device(s) moved' <<<"$up")" \
	"$up"
tap_check "the stream was still going when the upgrade ended" "running" "$still"
tap_check "during the upgrade: no legitimate frame lost, no forged one through" \
	"A $STREAM of $STREAM, C 0" "A $got of $STREAM, C $got_c"

after=$(counters "$VIFGUARD")
# What the stream added: STREAM + 1 (the fence) passes and STREAM / 10
# ipv4-src drops on vif10.0 and in the totals.
expect=$(while read -r l; do
	k=${l%=*} v=${l#*=}
	case $k in
	"vif10.0 pass") v=$((v + STREAM + 1)) ;;
	"vif10.0 ipv4_src" | "totals ipv4_src") v=$((v + STREAM / 10)) ;;
	esac
	echo "$k=$v"
done <<<"$before")
tap_check "every counter carried over, exactly" "$(sort <<<"$expect" | tr '\n' ' ')" \
	"$(sort <<<"$after" | tr '\n' ' ')"

new_prog=$(pinned_prog)
new_out=$(pinned_out)
tap_check "both devices moved to the new pinned program, the egress one added" \
	"vif10.0=$new_prog/$new_out vif11.0=$new_prog/$new_out, not $old_prog" \
	"$(dev_progs)$([ "$new_prog" = "$old_prog" ] && echo ", not $old_prog: same")$([ "$new_prog" != "$old_prog" ] && echo ", not $old_prog")"
tap_check "the older program is gone from the kernel" "no program $old_prog" "$(loaded "$old_prog")"
# (maps.debug and progs.debug are bpffs' own.)
pins=$(ls "$ROOT" | grep -vx 'maps.debug\|progs.debug' |
	sed 's/^tcx_[0-9]*$/tcx_N/; s/^tcx_out_[0-9]*$/tcx_out_N/' | sort | tr '\n' ' ')
want=$(printf '%s\n' drops ev_config ev_limit events layout learn_slots learned6 passes policy \
	policy_spill prog prog_out protected6 totals v4_addrs v6_addrs learned4 lease_slots \
	learn_cfg parked \
	$([ $tcx = tcx ] && echo "tcx_N tcx_out_N") | sort | tr '\n' ' ')
tap_check "the pins: this layout's, none left over" "$want" "$pins"
rec=$(vg -j dump layout | jq -r '.maps.layout[0] | "layout \(.layout), version \(.version)"')
tap_check "map layout records the layout and the version" \
	"layout $LAYOUT, version $("$VIFGUARD" -j --version | jq -r .version)" "$rec"
out=$(vg upgrade --check 2>&1)
tap_check "upgrade --check after: current" "exit 0" "exit $?" "$out"
out=$(vg upgrade 2>&1)
tap_check "a second upgrade changes nothing" "exit 0, current, program $new_prog" \
	"exit $?, $(grep -o '^current' <<<"$out"), program $(pinned_prog)" "$out"

# The record names another build: upgrade replaces both programs in
# place, cls_bpf at its handle, tcx by a link update, and the programs
# it replaced are gone from the kernel.
rec=$(hx "$BPFTOOL" map dump pinned "$ROOT/layout" -j | jq -r '.[0].value | join(" ")')
set -- $rec
hx "$BPFTOOL" map update pinned "$ROOT/layout" key 0 0 0 0 \
	value $1 $2 $3 $4 $5 $6 $7 $8 1 2 3 4 5 6 7 8 ${*:17}
out=$(vg upgrade 2>&1)
rc=$?
tap_check "an upgrade from another build of this layout replaces both programs" \
	"exit 0, vif10.0=NEW/NEWOUT vif11.0=NEW/NEWOUT, no program $new_prog, no program $new_out" \
	"exit $rc, $(dev_progs | sed "s/=$(pinned_prog)\//=NEW\//g; s/\/$(pinned_out)\( \|$\)/\/NEWOUT\1/g"), $(loaded $new_prog), $(loaded $new_out)" \
	"$out"
new_prog=$(pinned_prog)
new_out=$(pinned_out)
tap_check "upgrade --check after it: current" "exit 0" "exit $(vg upgrade --check >/dev/null 2>&1; echo $?)"

vg_case "after: vif10.0 forged dropped by the new program" ga vif10.0 5 0 \
	"ipv4-src+5 pass+1" udp4 --src-ip $C
vg_case "after: vif11.0 ($tcx) legitimate passes" gb vif11.0 5 5 "pass+6" udp4 --src-ip $A2
out=$(old show 2>&1)
rc=$?
tap_check "the older vifguard refuses the new state, naming the map" "exit 1, totals: ... another layout" \
	"exit $rc, $(grep -o 'totals: a map of another layout' <<<"$out" | sed 's/a map of/.../')" "$out"

# ---- a state of a newer layout ---------------------------------------------

rec=$(hx "$BPFTOOL" map dump pinned "$ROOT/layout" -j | jq -r '.[0].value | join(" ")')
hx "$BPFTOOL" map update pinned "$ROOT/layout" key 0 0 0 0 value $((LAYOUT + 1)) ${rec#* }
out=$(vg upgrade 2>&1)
rc=$?
tap_check "a state of a newer layout is refused, and left as it is" \
	"exit 1, layout $((LAYOUT + 1)), left by a newer vifguard; program $new_prog" \
	"exit $rc, $(grep -o "layout $((LAYOUT + 1)), left by a newer vifguard" <<<"$out"); program $(pinned_prog)" "$out"
hx "$BPFTOOL" map update pinned "$ROOT/layout" key 0 0 0 0 value $rec

# ---- killed mid-way --------------------------------------------------------

# Starts again from the older vifguard's state: both guests attached by
# it, 3 forged frames counted.
reset_old() {
	vg detach --all >/dev/null 2>&1
	find "$ROOT" -mindepth 1 -maxdepth 1 ! -name '*.debug' -exec rm -f {} +
	old attach vif11.0 $([ $tcx = tcx ] && echo --attach tcx) --mac $MAC2 --ipv4 $A2 &&
		old attach vif10.0 --mac $MAC --ipv4 $A && VG_FENCE[ga]="udp4 --src-ip $A" &&
		vg_xfer ga 3 udp4 --src-ip $C && [ "$RX" = 0 ]
}

# Programs named $1 that read this root's policy map.
our_progs() {
	local pmap
	pmap=$(hx "$BPFTOOL" -j map show pinned "$ROOT/policy" | jq .id)
	hx "$BPFTOOL" -j prog show | jq --argjson m "$pmap" --arg n "$1" \
		'[.[] | select(.name == $n and ((.map_ids // []) | index($m)))] | length'
}

command -v strace >/dev/null || vg_bail "strace missing (scripts/install-deps.sh)"
reset_old >/dev/null || vg_bail "cannot set the older state up again"
TRACE=$VG_TMP/upgrade.trace
hx strace -f -qq -o "$TRACE" "$VIFGUARD" -r "$ROOT" upgrade >/dev/null 2>&1
# Call n's name and rank among the calls of that name; kills go right
# after each call that changes something, and at the first call.
mapfile -t CALLS < <(awk '$2 !~ /^(\+\+\+|---|<\.\.\.)/ { n = $2; sub(/\(.*/, "", n)
	k[n]++; m = 0
	if ($0 ~ /BPF_(MAP_CREATE|MAP_UPDATE_ELEM|PROG_LOAD|OBJ_PIN|LINK_CREATE|LINK_UPDATE)/ ||
	    n ~ /^(rename|renameat|renameat2|unlink|unlinkat)$/ || $0 ~ /RTM_NEWTFILTER/) m = 1
	print n ":" k[n] ":" m }' "$TRACE")
kills=() prev=1
for ((i = 1; i < ${#CALLS[@]}; i++)); do
	[ "$prev" = 1 ] && kills+=("${CALLS[i]%:*}")
	prev=${CALLS[i]##*:}
done
bad=() n_killed=0
for kp in "${kills[@]}"; do
	reset_old >/dev/null || { bad+=("$kp: cannot set the older state up"); continue; }
	vg_stats vif10.0; p0=${STATS[pass]:-0}
	hx strace -f -qq -o /dev/null -e inject="${kp%:*}:signal=SIGKILL:when=${kp#*:}" \
		"$VIFGUARD" -r "$ROOT" upgrade >/dev/null 2>&1
	[ $? = 137 ] && n_killed=$((n_killed + 1))
	# Filtered as before: forged dropped, legitimate through, both guests.
	vg_xfer ga 2 udp4 --src-ip $C; r1=$RX
	vg_xfer gb 1 udp4 --src-ip $C; r2=$RX
	vg_xfer gb 2 udp4 --src-ip $A2; r3=$RX
	[ "$r1/$r2/$r3" = 0/0/2 ] || bad+=("$kp: forged through or legitimate lost after the kill: $r1/$r2/$r3 (want 0/0/2)")
	out=$(vg upgrade 2>&1) || bad+=("$kp: the next upgrade: $out")
	c=$(counters "$VIFGUARD" | sort | tr '\n' ' ')
	want="vif10.0 ipv4_src=5 vif10.0 pass=$((p0 + 1)) vif11.0 ipv4_src=1 vif11.0 pass=4 "
	[ "${c#*totals ipv4_src=[0-9]* }" = "$want" ] || bad+=("$kp: counters $c, want $want")
	t=$(sed -n 's/.*totals ipv4_src=\([0-9]*\).*/\1/p' <<<"$c")
	[ "${t:-0}" -ge 3 ] && [ "${t:-0}" -le 6 ] || bad+=("$kp: totals ipv4_src ${t:-0}, want 3..6")
	vg upgrade --check >/dev/null 2>&1 || bad+=("$kp: not current after the next upgrade")
	ls "$ROOT" | grep -q '_next$' && bad+=("$kp: a _next pin left")
	np=$(our_progs vifguard)/$(our_progs vifguard_out)
	[ "$np" = 1/1 ] || bad+=("$kp: $np programs (ingress/egress) read the policies, want 1/1")
	[ "$(dev_progs)" = "$(want_progs)" ] ||
		bad+=("$kp: devices $(dev_progs), pinned $(want_progs)")
done
tap_check "upgrade killed after each of its ${#kills[@]} changes ($n_killed killed): guests filtered, the next upgrade completes, counters kept" \
	"0 violations, at least 10 kills" \
	"${#bad[@]} violations, $([ $n_killed -ge 10 ] && echo "at least 10" || echo "only $n_killed") kills" \
	"${bad[@]:0:5}"

# An attach by this build on the older state migrates it by itself.
reset_old >/dev/null || vg_bail "cannot set the older state up again"
out=$(vg attach vif10.0 --mac $MAC --ipv4 $A 2>&1)
rc=$?
vg upgrade --check >/dev/null 2>&1
chk=$?
c=$(counters "$VIFGUARD" | sort | tr '\n' ' ')
tap_check "attach on the older state migrates it: current, both devices moved, counters kept" \
	"exit 0, check 0, $(want_progs), totals ipv4_src=3 vif10.0 ipv4_src=3 vif10.0 pass=1 " \
	"exit $rc, check $chk, $(dev_progs), $c" "$out"

# ---- from the last releases of layouts 2, 3 and 4 ----------------------------

# The grace of DHCP leases in learn_cfg, as vifguard.conf's dhcp-grace=
# would have set it through the older vifguard's hotplug.
old_grace() {
	hx "$BPFTOOL" map update pinned "$ROOT/learn_cfg" key 0 0 0 0 \
		value $(($1 & 255)) $(($1 >> 8 & 255)) 0 0 0 0 0 0
}

# upgrade_from N OLD PASSES WHAT [CMD...]: the state of layout N made by
# OLD (CMD run on it first: traffic the old program learns from), then
# `vg upgrade`: both devices move to this build's programs, the old one
# goes, the counters stay (vif10.0 passed PASSES frames).  Leaves out
# and b (the learned addresses of vif10.0 before, as old show gave them).
upgrade_from() {
	local n=$1 passes=$3 what=$4 before prog rc c
	OLD=$2
	reset_old >/dev/null || vg_bail "cannot set the layout $n state up"
	shift 4
	[ $# -gt 0 ] && "$@"
	b=$(old -j show vif10.0 | jq -r '[.interfaces[0].learned[]? | "\(.address) \(.origin)"] | join(",")')
	prog=$(pinned_prog)
	before=$(dev_progs)
	out=$(vg upgrade 2>&1)
	rc=$?
	c=$(counters "$VIFGUARD" | sort | tr '\n' ' ')
	# Layout 2 had no egress program: its devices get one.
	local want_before=$before
	[ "$n" = 2 ] && want_before="vif10.0=$prog/none vif11.0=$prog/none"
	tap_check "upgrade from layout $n: $what" \
		"before $want_before; exit 0, map layout $n -> map layout $LAYOUT, 2 device(s) moved; $(want_progs); no program $prog; totals ipv4_src=3 vif10.0 ipv4_src=3 vif10.0 pass=$passes " \
		"before $before; exit $rc, $(grep -o "map layout $n, program id $prog of vifguard [^ ]* -> map layout $LAYOUT" <<<"$out" |
			sed 's/, program .* ->/ ->/'), $(grep -o '[0-9]* device(s) moved' <<<"$out"); $(dev_progs); $(loaded $prog); $c" \
		"$out"
}


if [ "$old2_built" = 0 ]; then
	upgrade_from 2 "$OLD2" 1 "both devices get both programs, the older one gone, counters kept"
	vg_case "after the layout 2 upgrade: vif11.0 ($tcx) forged dropped" gb vif11.0 3 0 \
		"ipv4-src+3 pass+1" udp4 --src-ip $C
	out=$(vg detach --all 2>&1)
	tap_check "after the layout 2 upgrade: detach --all leaves no filter and no tcx pin" \
		"exit 0, vif10.0=none/none vif11.0=none/none, " \
		"exit $?, $(dev_progs), $(ls "$ROOT" | grep '^tcx_' | tr '\n' ' ')" "$out"
else
	tap_skip "upgrade from layout 2" "cannot build vifguard $FROM2: $(tail -3 "$OLD2_DIR.log" 2>/dev/null)"
fi

# ---- from the last release of layout 3 -------------------------------------

if [ "$old3_built" = 0 ]; then
	LL=fe80::a:1
	# The guest's DAD probe: a link-local learned by the layout 3 program.
	upgrade_from 3 "$OLD3" 3 "both devices moved, the older program gone, counters kept" \
		vg_xfer ga 1 ns --src-ip :: --target $LL
	a=$(vg -j show vif10.0 | jq -r '[.interfaces[0].learned[] | "\(.address) \(.origin)"] | join(",")')
	tap_check "upgrade from layout 3: the learned link-local stays learned" \
		"before $LL dad, after $LL dad" "before $b, after $a"
	pins=$(for m in learned4 lease_slots learn_cfg; do [ -e "$ROOT/$m" ] && echo -n "$m "; done)
	g=$(vg -j dump learn_cfg | jq -r '.maps.learn_cfg[0].dhcp_grace_s')
	o=$(vg -j dump learned4 | jq -r '[.maps.learned4[] | "\(.address) \(.ifindex) \(.origin)"] | sort | join(",")')
	tap_check "upgrade from layout 3: DHCP snooping's maps made, the default grace, IPv4 hosts owned" \
		"learned4 lease_slots learn_cfg , grace 60, $A $(vg_ifindex vif10.0) config,$A2 $(vg_ifindex vif11.0) config" \
		"$pins, grace $g, $o"
	vg_xfer ga 2 udp6 --src-ip $LL --dst-ip $SINK_V6
	r=$RX
	vg_xfer ga 2 udp4 --src-ip $C
	tap_check "after the layout 3 upgrade: the learned link-local passes, a forged IPv4 source does not" \
		"2 0" "$r $RX"
	out=$(vg upgrade --check 2>&1)
	tap_check "after the layout 3 upgrade: current" "exit 0" "exit $?" "$out"
else
	tap_skip "upgrade from layout 3" "cannot build vifguard $FROM3: $(tail -3 "$OLD3_DIR.log" 2>/dev/null)"
fi

if [ "$old4_built" = 0 ]; then
	upgrade_from 4 "$OLD4" 1 "both devices moved, the older program gone, counters kept" \
		old_grace 120
	g=$(vg -j dump learn_cfg | jq -r '.maps.learn_cfg[0] | "\(.dhcp_grace_s) \(.first_lease_s)"')
	p=$(vg -j dump parked | jq -r '.maps.parked | length')
	tap_check "upgrade from layout 4: parked made (empty), the grace kept, the default first-use lease" \
		"parked yes, 0 entries, learn_cfg 120 86400" \
		"parked $([ -e "$ROOT/parked" ] && echo yes || echo no), $p entries, learn_cfg $g"
	out=$(vg upgrade --check 2>&1)
	tap_check "after the layout 4 upgrade: current" "exit 0" "exit $?" "$out"
else
	tap_skip "upgrade from layout 4" "cannot build vifguard $FROM4: $(tail -3 "$OLD4_DIR.log" 2>/dev/null)"
fi

tap_done
