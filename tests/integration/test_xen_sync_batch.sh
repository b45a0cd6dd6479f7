#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# vifguard sync applies every VIF's policy under one lock and one state
# open, shares the grace periods of all its updates, and leaves the
# policies already in force alone.  None of that may show in the result:
#  - a sync leaves exactly the state that `vifguard hotplug online` of
#    each VIF in turn (one apply each) leaves, as `show` and `dump` see
#    it, from nothing in force and after policies changed (new
#    addresses, locked to disabled, a policy gone), with and without the
#    kernel's batch map operations;
#  - a sync that changes nothing writes nothing for a policy held
#    inline (`dump` unchanged, no publication counted); one with
#    addresses in the tries is written again, the same;
#  - a bpf() call of the sync that fails, at points spread over the run:
#    every interface holds its old policy or its new one with its filter
#    on (never a mix of the two), the new one wherever the sync said it
#    applied it; a VIF the sync reports as failed holds the old one, or
#    the new one when the failure came after its commit point (as for
#    one attach); a clean sync then reaches the whole new state.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/test_xen_lib.bash"
xen_init "$@"

N=18
BE=/local/domain/0/backend/vif
mac() { printf '00:16:3e:41:00:%02x' "$1"; }

# The policies of generation G (1 or 2) in xenstore.  Kinds by d % 6:
#  0 XAPI locked, IPv4 and IPv6 (G 2: disabled)
#  1 xl, three IPv4 (more than the policy holds inline: the tries)
#  2 xl without ip: unfiltered
#  3 XAPI locked (G 2: new addresses)
#  4 xl, one IPv4 (G 2: another one)
#  5 xl, one IPv4 (G 2: no ip: unfiltered, the filter goes)
keys() {
	local g=$1 d
	for ((d = 1; d <= N; d++)); do
		case $((d % 6)) in
		0) if [ "$g" = 1 ]; then xapi_lock "$d" 0 locked "10.60.0.$d" "fd00:60::$d"
		   else xapi_lock "$d" 0 disabled; fi ;;
		1) xs_write "$BE/$d/0/ip" "10.61.$g.$d 10.61.9.$d 10.61.8.$d" ;;
		2) ;;
		3) xapi_lock "$d" 0 locked "10.63.$g.$d" "" ;;
		4) xs_write "$BE/$d/0/ip" "10.64.$g.$d" ;;
		5) if [ "$g" = 1 ]; then xs_write "$BE/$d/0/ip" "10.65.0.$d"
		   else xenstore-rm "$BE/$d/0/ip"; fi ;;
		esac
	done
}

for ((d = 1; d <= N; d++)); do
	xen_vif g$d vif$d.0 "$(mac "$d")"
	case $((d % 6)) in
	0|3) xapi_nic "$d" 0 "0a1b2c3d-4e5f-4a6b-8c7d-0000000000$(printf %02x "$d")" \
		"$(mac "$d")" unlocked ;;
	*) xl_nic "$d" 0 "$(mac "$d")" ;;
	esac
done

# The state as the user sees it: show (counters and program ids left
# out: they differ between two roots) and dump (the same).
state() {
	vg -j show | jq -S '[.interfaces[] | del(.stats, .passes, .drops)]
		| walk(if type == "object" then del(.prog_id, .filter_prog_id, .egress_prog_id) else . end)'
	vg -j dump | jq -S 'del(.root, .version, .time) | walk(if type == "object" then del(.prog_id) else . end)'
}

sync_run() {	# sync_run [SYNC-ARGS...]: output in $VG_TMP/sync.out, status in SYNC_RC
	hx env ${VG_PRELOAD:+LD_PRELOAD=$VG_PRELOAD} VIFGUARD_NETWORK_BACKEND=bridge \
		"$VIFGUARD" -r "$ROOT" -j sync "$@" >"$VG_TMP/sync.out" 2>"$VG_TMP/sync.err"
	SYNC_RC=$?
}

one_by_one() {
	local d rc=0
	for ((d = 1; d <= N; d++)); do
		vg hotplug online vif=vif$d.0 XENBUS_PATH=backend/vif/$d/0 type_if=vif \
			>/dev/null 2>&1 || rc=1
	done
	return $rc
}

# A fresh root: every filter of the current one off and its bpffs
# gone, a new one.
new_root() {
	local d
	for ((d = 1; d <= N; d++)); do vg detach vif$d.0 >/dev/null 2>&1; done
	umount "$ROOT" && rmdir "$ROOT"
	ROOT=$VG_TMP/bpf.$1
	mkdir -p "$ROOT"
	mount -t bpf -o mode=0700 bpf "$ROOT" || vg_bail "bpffs on $ROOT"
}

# The same policies applied both ways, in two rounds.
compare() {	# compare LABEL
	local t=$1
	new_root "$t.batch"
	keys 1
	sync_run
	tap_check "$t: first sync: exit 0" 0 "$SYNC_RC" "$(cat "$VG_TMP/sync.err")"
	state >"$VG_TMP/batch1"
	keys 2
	sync_run
	tap_check "$t: sync of changed policies: exit 0" 0 "$SYNC_RC" "$(cat "$VG_TMP/sync.err")"
	state >"$VG_TMP/batch2"
	new_root "$t.single"
	keys 1
	one_by_one
	tap_check "$t: hotplug online one by one: exit 0" 0 "$?"
	state >"$VG_TMP/single1"
	keys 2
	one_by_one
	state >"$VG_TMP/single2"
	tap_check "$t: from nothing in force, sync = one apply each (show, dump)" "" \
		"$(diff "$VG_TMP/single1" "$VG_TMP/batch1" | head -20)"
	tap_check "$t: after changes, sync = one apply each (show, dump)" "" \
		"$(diff "$VG_TMP/single2" "$VG_TMP/batch2" | head -20)"
}

compare "batch ops"
tap_check "the states compared hold the policies: locked, disabled, unfiltered" "9 3 6" \
	"$(jq -rs '.[0] | "\(map(select(.mode == "locked")) | length) \(map(select(.mode == "disabled")) | length)"' \
		"$VG_TMP/batch2") $(for ((d = 1; d <= N; d++)); do policy_of vif$d.0; done | grep -c '^$')"
if [ -f "$OUTPUT/test_nobatch.so" ]; then
	VG_PRELOAD=$OUTPUT/test_nobatch.so
	export VG_NOBATCH_LOG=$VG_TMP/nobatch.log
	compare "no batch ops"
	tap_check "no batch ops: the batch commands were refused" 1 \
		"$([ -s "$VG_NOBATCH_LOG" ] && echo 1 || echo 0)"
	unset VG_PRELOAD VG_NOBATCH_LOG
else
	tap_skip "no batch ops: $OUTPUT/test_nobatch.so not built"
fi

# ---- nothing changed: nothing written --------------------------------------
new_root same
keys 1
sync_run
inline() {
	vg -j dump | jq -c '.maps.policy[] | select(.flags | index("ipv4-table") | not)'
}
inline >"$VG_TMP/dump.before"
sync_run
inline >"$VG_TMP/dump.after"
tap_check "unchanged: sync exit 0, every interface reported" "0 $N" \
	"$SYNC_RC $(jq '.interfaces | length' "$VG_TMP/sync.out")" "$(cat "$VG_TMP/sync.err")"
tap_check "unchanged: 12 inline policies, not written again (same entries, no publication)" \
	"12" "$(diff "$VG_TMP/dump.before" "$VG_TMP/dump.after" >/dev/null && wc -l <"$VG_TMP/dump.after")" \
	"$(diff "$VG_TMP/dump.before" "$VG_TMP/dump.after" | head -10)"

# ---- a failure in the middle ----------------------------------------------
command -v strace >/dev/null || vg_bail "strace missing (scripts/install-deps.sh)"
# old and new policies of each VIF, as policy_of gives them
keys 2
sync_run
for ((d = 1; d <= N; d++)); do policy_of vif$d.0; done >"$VG_TMP/new"
keys 1
sync_run
for ((d = 1; d <= N; d++)); do policy_of vif$d.0; done >"$VG_TMP/old"
keys 2
calls=$(hx strace -qq -f -e trace=bpf -o "$VG_TMP/calls" env VIFGUARD_NETWORK_BACKEND=bridge \
	"$VIFGUARD" -r "$ROOT" sync >/dev/null 2>&1; grep -c 'bpf(' "$VG_TMP/calls")
keys 1
sync_run
tap_check "fault runs: a clean sync of the changes makes bpf() calls" 1 \
	"$([ "${calls:-0}" -gt 20 ] && echo 1 || echo 0)" "calls=$calls"

violations=
failed_runs=0
for k in $(seq 2 $(((calls + 11) / 12)) "$calls") "$calls"; do
	keys 2
	hx strace -qq -f -o /dev/null -e trace=bpf -e inject=bpf:error=ENOSPC:when=$k \
		env VIFGUARD_NETWORK_BACKEND=bridge "$VIFGUARD" -r "$ROOT" -j sync \
		>"$VG_TMP/sync.out" 2>"$VG_TMP/sync.err"
	rc=$?
	[ "$rc" = 0 ] || failed_runs=$((failed_runs + 1))
	for ((d = 1; d <= N; d++)); do
		now=$(policy_of vif$d.0)
		old=$(sed -n "${d}p" "$VG_TMP/old")
		new=$(sed -n "${d}p" "$VG_TMP/new")
		said=$(jq -r --arg n vif$d.0 '[.interfaces[]? | select(.ifname == $n) | if .error then "error" else "ok" end] | .[0] // "none"' \
			"$VG_TMP/sync.out" 2>/dev/null)
		filters=$(tc_ingress vif$d.0)
		if [ "$now" != "$old" ] && [ "$now" != "$new" ]; then
			violations+="call $k: vif$d.0 holds neither policy ($now); "
		elif [ "$said" = ok ] && [ "$now" != "$new" ]; then
			violations+="call $k: vif$d.0 said applied, holds the old one; "
		fi
		if [ -n "$now" ] && [ "$filters" != 1 ]; then
			violations+="call $k: vif$d.0 has a policy and $filters filters; "
		fi
	done
	if [ "$rc" != 0 ] && ! jq -e 'any(.interfaces[]?; .error)' "$VG_TMP/sync.out" >/dev/null 2>&1 &&
		! grep -q . "$VG_TMP/sync.err"; then
		violations+="call $k: exit $rc and no error said; "
	fi
	sync_run
	for ((d = 1; d <= N; d++)); do policy_of vif$d.0; done >"$VG_TMP/after"
	if [ "$SYNC_RC" != 0 ] || ! cmp -s "$VG_TMP/after" "$VG_TMP/new"; then
		violations+="call $k: the clean sync after it did not reach the new state; "
	fi
	keys 1
	sync_run
done
tap_check "fault runs: some injected failures made the sync fail" 1 \
	"$([ "$failed_runs" -gt 0 ] && echo 1 || echo 0)"
tap_check "fault runs: every VIF old or new with its filter, as the sync said; then the new state" \
	"" "$violations"

tap_done
