#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# vifguard monitor over the state's life, as vifguard-monitor.service runs
# it: --wait on a host with nothing filtered yet, then the first attach's
# events; one reader per root (a second monitor refused, or waiting);
# the state removed and made again (detach --all, the root removed, a
# new attach): the new root's events, not a dead reader; without --wait
# the same removal ends the monitor with exit 1.
. "$(dirname "$0")/lib.sh"
vg_init

GP_MAC=02:00:00:00:08:00
vg_guest gp vif8.0 $GP_MAC quiet
vg_up gp
# A root inside the test's bpffs, so that it can be removed and made again.
R=$ROOT/vg
vgr() { ip netns exec "$HOST" "$VIFGUARD" -r "$R" "$@"; }

MON_PID=
# mon_bg FILE ARGS...: `vifguard -j monitor ARGS` in the background, on R.
mon_bg() {
	local file=$1
	shift
	ip netns exec "$HOST" "$VIFGUARD" -r "$R" -j monitor "$@" >"$file" 2>"$file.err" &
	MON_PID=$!
	VG_BG+=("$MON_PID")
}
# until_grep PATTERN FILE [SEND]: until FILE has a line matching PATTERN,
# vif8.0 sending a frame of an unknown ethertype each round when SEND is
# given (at most 10 s).  Fails early when the monitor exited.
until_grep() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ -n "${3:-}" ] && gx gp "$VGPKT" send -i eth0 raw --ethertype "$3"
		grep -q -- "$1" "$2" && return 0
		kill -0 "$MON_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
attach8() {
	vgr attach vif8.0 --mac $GP_MAC --ipv4 10.99.0.8 2>&1
}
# The root removed: every interface detached, then its pins and directory.
remove_root() {
	vgr detach --all >/dev/null 2>&1 && rm -rf "$R"
}

# ---- nothing filtered yet ----------------------------------------------------

out=$(vgr monitor 2>&1)
tap_check "monitor without --wait on a host with nothing attached: exit 1" \
	"exit 1, nothing is attached" \
	"exit $?$(grep -q 'nothing is attached' <<<"$out" && echo ', nothing is attached')" "$out"

mon_bg "$VG_TMP/w1" --wait
until_grep 'waiting' "$VG_TMP/w1.err"
tap_check "monitor --wait with nothing attached: runs and says it waits" "running, waiting" \
	"$(kill -0 "$MON_PID" 2>/dev/null && echo running), $(grep -o 'waiting' "$VG_TMP/w1.err" |
		head -n 1)" "$(cat "$VG_TMP/w1.err")"
out=$(attach8)
tap_check "the first attach" "exit 0" "exit $?" "$out"
until_grep '"iface":"vif8.0","ifindex":[0-9]*,"reason":"ethertype"' "$VG_TMP/w1" 0x88b6
tap_check "monitor --wait: the first attach's events" "yes" \
	"$(grep -q '"reason":"ethertype"' "$VG_TMP/w1" && echo yes || echo no)" \
	"$(cat "$VG_TMP/w1" "$VG_TMP/w1.err")"

# ---- one reader per root -------------------------------------------------------

first=$MON_PID
out=$(vgr -j monitor 2>&1)
rc=$?
tap_check "a second monitor on the root: refused, exit 1, code busy, names the first's pid" \
	"1 busy yes" "$rc $(jq -r '.error.code' <<<"$out" 2>/dev/null) $(
		grep -q "another monitor (pid $first)" <<<"$out" && echo yes || echo no)" "$out"
mon_bg "$VG_TMP/w2" --wait
until_grep "another monitor (pid $first)" "$VG_TMP/w2.err"
tap_check "a second monitor --wait: waits for the first" "running, says whom it waits for" \
	"$(kill -0 "$MON_PID" 2>/dev/null && echo running), $(grep -q "another monitor (pid $first)" \
		"$VG_TMP/w2.err" && echo 'says whom it waits for')" "$(cat "$VG_TMP/w2.err")"
second=$MON_PID
kill -INT "$second"
wait "$second"
tap_check "SIGINT ends a waiting monitor: exit 0" "0" "$?" "$(cat "$VG_TMP/w2.err")"
MON_PID=$first
gx gp "$VGPKT" send -i eth0 udp4 --src-ip 10.99.0.8 --vlan 10
until_grep '"reason":"vlan"' "$VG_TMP/w1"
tap_check "the first monitor still reads the events" "yes" \
	"$(grep -q '"reason":"vlan"' "$VG_TMP/w1" && echo yes || echo no)"

# ---- the state removed and made again -------------------------------------------

remove_root
tap_check "the root is gone" "no" "$([ -e "$R" ] && echo yes || echo no)"
until_grep 'was removed' "$VG_TMP/w1.err"
tap_check "monitor --wait: says the state was removed, goes on" "running, said" \
	"$(kill -0 "$first" 2>/dev/null && echo running), $(grep -q 'was removed' \
		"$VG_TMP/w1.err" && echo said)" "$(cat "$VG_TMP/w1.err")"
out=$(attach8)
tap_check "a new attach makes the root again" "exit 0" "exit $?" "$out"
# An ethertype no earlier frame used: only the new root's program sends it.
until_grep '"reason":"ethertype".*"ethertype":"0x88b7"' "$VG_TMP/w1" 0x88b7
tap_check "monitor --wait: the new root's events" "yes" \
	"$(grep -q '"ethertype":"0x88b7"' "$VG_TMP/w1" && echo yes || echo no)" \
	"$(cat "$VG_TMP/w1.err")"
lock=$(grep -lx "$first" /run/vifguard/monitor-*.lock 2>/dev/null)
tap_check "its lock file in /run/vifguard holds its pid" "1" "$(wc -w <<<"$lock")"
kill -INT "$first"
wait "$first"
tap_check "SIGINT ends it: exit 0" "0" "$?" "$(cat "$VG_TMP/w1.err")"
tap_check "and its lock file is gone" "no" "$([ -e "$lock" ] && echo yes || echo no)"

# ---- without --wait, a removal ends the monitor --------------------------------

mon_bg "$VG_TMP/n1"
until_grep '"ethertype":"0x88b8"' "$VG_TMP/n1" 0x88b8
tap_check "monitor without --wait reads the root's events" "yes" \
	"$(grep -q '"ethertype":"0x88b8"' "$VG_TMP/n1" && echo yes || echo no)" \
	"$(cat "$VG_TMP/n1.err")"
remove_root
for ((i = 0; i < 100; i++)); do kill -0 "$MON_PID" 2>/dev/null || break; sleep 0.1; done
wait "$MON_PID"
rc=$?
tap_check "without --wait, the root's removal ends the monitor: exit 1, error not_found" \
	"1 not_found" "$rc $(jq -r 'select(.error) | .error.code' "$VG_TMP/n1" 2>/dev/null)" \
	"$(cat "$VG_TMP/n1" "$VG_TMP/n1.err")"
tap_check "and the lock is free again: a monitor --wait starts" "yes" \
	"$(mon_bg "$VG_TMP/n2" --wait; until_grep 'waiting:.*nothing is attached' "$VG_TMP/n2.err" &&
		echo yes || echo no; kill -INT "$MON_PID"; wait "$MON_PID")" "$(cat "$VG_TMP/n2.err")"

tap_done
