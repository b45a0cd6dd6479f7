#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The move of `vifguard upgrade` (the program of another build on every
# device, replaced in place) when the devices change under it: one that
# goes away between the scan and its move has nothing left to move, and
# the upgrade still completes on the others.
. "$(dirname "$0")/lib.sh"
vg_init
command -v strace >/dev/null || vg_bail "strace missing (scripts/install-deps.sh)"

MAC=02:00:00:00:0a:01
MAC2=02:00:00:00:0a:02
vg_guest ga vif10.0 $MAC quiet
vg attach vif10.0 --mac $MAC --ipv4 10.99.0.10 >/dev/null || vg_bail "cannot attach vif10.0"
VG_FENCE[ga]="udp4 --src-ip 10.99.0.10"
vg_up ga

pinned_prog() { hx "$BPFTOOL" -j prog show pinned "$ROOT/prog" | jq -r .id; }
dev_prog() { hx "$BPFTOOL" -j net show dev "$1" | jq -r '.[0].tc[0].id // "none"'; }

# The record names another build: the pinned program is due for upgrade.
other_build() {
	local rec
	rec=$(hx "$BPFTOOL" map dump pinned "$ROOT/layout" -j | jq -r '.[0].value | join(" ")')
	set -- $rec
	hx "$BPFTOOL" map update pinned "$ROOT/layout" key 0 0 0 0 \
		value $1 $2 $3 $4 $5 $6 $7 $8 1 2 3 4 5 6 7 8 ${*:17}
}

# ---- a device deleted mid-way ------------------------------------------------

# The upgrade is stopped (SIGSTOP) right after its first filter replace
# (vif10.0's), vif11.0 (attached by KIND) is deleted, and it goes on.
deleted_midway() {
	local kind=$1 old tpid pid rc out trace=$VG_TMP/up.trace
	vg_guest gb vif11.0 $MAC2 quiet
	vg attach vif11.0 --attach $kind --mac $MAC2 --ipv4 10.99.0.20 >/dev/null 2>&1 ||
		{ tap_skip "a device deleted during the upgrade ($kind): cannot attach by $kind"; return; }
	other_build
	rm -f "$trace"
	old=$(pinned_prog)
	hx strace -f -qq -o "$trace" -e trace=sendto \
		-e inject=sendto:signal=SIGSTOP:when=8 "$VIFGUARD" -r "$ROOT" upgrade \
		>"$VG_TMP/up.out" 2>&1 &
	tpid=$!
	pid=
	for _ in $(seq 100); do
		pid=$(awk '/stopped by SIGSTOP/ { print $1; exit }' "$trace" 2>/dev/null)
		[ -n "$pid" ] && break
		sleep 0.1
	done
	[ -n "$pid" ] || vg_bail "the upgrade did not reach its first filter replace"
	grep -q RTM_NEWTFILTER "$trace" ||
		vg_bail "call 8 was not the first replace: $(tail -3 "$trace")"
	ip -n "$HOST" link del vif11.0
	ip netns del "$VG_ID-gb"
	kill -CONT "$pid"
	wait $tpid
	rc=$?
	out=$(cat "$VG_TMP/up.out")
	tap_check "a device ($kind) deleted during the upgrade: the upgrade completes on the others" \
		"exit 0, vif10.0 on the pinned program, not $old" \
		"exit $rc, vif10.0 $([ "$(dev_prog vif10.0)" = "$(pinned_prog)" ] && echo "on the pinned program" || echo "on $(dev_prog vif10.0), pinned $(pinned_prog)"), $([ "$(pinned_prog)" = "$old" ] && echo "still $old" || echo "not $old")" \
		"$out"
	vg_case "after ($kind): vif10.0 forged dropped" ga vif10.0 3 0 "ipv4-src+3 pass+1" \
		udp4 --src-ip 10.99.0.99
}
deleted_midway cls_bpf
deleted_midway tcx

tap_done
