#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# What an operator reads in show and stats on a host without Xen: one
# aligned line per interface in natural order (vif2.0, vif2.1, vif2.10,
# vif10.0), the whole policy with -v or for one IFACE, the reason an
# interface drops most for, no Xen identity and no error for its absence,
# --vm refused without xenstore, JSON with the time and a monotonic clock;
# stats --watch: what each interval added and its rates, a JSON document
# per line under -j, and exit 0 on SIGINT and SIGTERM.
. "$(dirname "$0")/lib.sh"
vg_init
ifx() { hx cat "/sys/class/net/$1/ifindex"; }

i=0
for v in vif10.0 vif2.10 vif2.1 vif2.0; do
	i=$((i + 1))
	vg_guest g$i $v 02:00:00:00:0$i:00 quiet
	VG_FENCE[g$i]="udp4 --src-ip 10.99.0.$i"
	out=$(vg attach $v --mac 02:00:00:00:0$i:00 --ipv4 10.99.0.$i 2>&1) ||
		vg_bail "attach $v: $out"
	vg_up g$i
done
# g4 is vif2.0: three spoofs and one frame of its own.
vg_xfer g4 3 udp4 --src-ip 10.99.0.77

# ---- show --------------------------------------------------------------------
out=$(vg show 2>&1)
tap_check "show: exit 0" 0 "$?" "$out"
tap_check "show: one line per interface under one head, natural order" \
	"IFACE vif2.0 vif2.1 vif2.10 vif10.0" "$(awk '{print $1}' <<<"$out" | tr '\n' ' ' | sed 's/ $//')" \
	"$out"
tap_check "show: vif2.0's line" "vif2.0 - - locked attach 02:00:00:00:04:00 10.99.0.4/32 cls_bpf" \
	"$(awk '$1 == "vif2.0"' <<<"$out" | tr -s ' ')" "$out"
# Aligned: every column starts where its head does.
col=$(head -n1 <<<"$out" | grep -bo 'ADDRESSES' | cut -d: -f1)
tap_check "show: columns aligned (ADDRESSES at the same offset on every line)" \
	"10.99.0.4/32 10.99.0.3/32 10.99.0.2/32 10.99.0.1/32" \
	"$(tail -n +2 <<<"$out" | cut -c$((col + 1))- | awk '{print $1}' | tr '\n' ' ' | sed 's/ $//')" \
	"$out"

out=$(vg show -v 2>&1)
tap_check "show -v: the whole policy, several lines per interface" \
	"vif2.0: ifindex $(ifx vif2.0), locked|  set by: vifguard attach (the Xen entry points keep it until vifguard release)|  ipv4: 10.99.0.4/32" \
	"$(grep -E '^vif2.0: |^  set by|^  ipv4' <<<"$out" | head -n3 | tr '\n' '|' | sed 's/|$//')" "$out"
tap_check "show -v: no xen line without xenstore" "0" "$(grep -c '^  xen:' <<<"$out")" "$out"
out=$(vg show vif2.10 2>&1)
tap_check "show IFACE: the multi-line view" "vif2.10: ifindex $(ifx vif2.10), locked" \
	"$(head -n1 <<<"$out")" "$out"

j=$(vg -j show 2>&1)
tap_check "show -j: natural order" "vif2.0 vif2.1 vif2.10 vif10.0" \
	"$(jq -r '[.interfaces[].ifname] | join(" ")' <<<"$j")" "$j"
tap_check "show -j: identity null without xenstore, source attach" \
	"null null null null null attach" \
	"$(jq -r '.interfaces[0] | [.domid, .devid, .vm_name, .vm_uuid, .vif_uuid, .source] | map(tostring) | join(" ")' <<<"$j")" \
	"$j"
now=$(date -u +%s)
t=$(jq -r '.time' <<<"$j")
tap_check "show -j: time is RFC 3339 UTC, now" "ok" \
	"$([[ $t =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$ ]] &&
	   d=$(date -u -d "$t" +%s) && [ $((now - d)) -le 5 ] && [ $((d - now)) -le 5 ] && echo ok)" "$t"
tap_check "show -j: monotonic_ns and root" "true $ROOT" \
	"$(jq -r '[(.monotonic_ns | type == "number" and . > 0), .root] | map(tostring) | join(" ")' <<<"$j")" "$j"

out=$(vg show --vm guest1 2>&1)
rc=$?
tap_check "show --vm without xenstore: exit 1, says why" \
	"1 vifguard: --vm guest1: no xenstore on this host (is xenstored running?): VM names and UUIDs are not known" \
	"$rc $out"

# ---- stats -------------------------------------------------------------------
out=$(vg stats 2>&1)
tap_check "stats: exit 0" 0 "$?" "$out"
tap_check "stats: vif2.0's line: passed, dropped, top reason" \
	"vif2.0 - - locked 1 3 ipv4-src (3)" "$(awk '$1 == "vif2.0"' <<<"$out" | tr -s ' ')" "$out"
tap_check "stats: a quiet interface drops nothing" "vif10.0 - - locked 0 0 -" \
	"$(awk '$1 == "vif10.0"' <<<"$out" | tr -s ' ')" "$out"
tap_check "stats: orphans and totals follow" "2" "$(grep -cE '^(orphans|totals) ' <<<"$out")" "$out"
out=$(vg stats vif2.0 2>&1)
tap_check "stats IFACE: per reason" "vif2.0: ifindex $(ifx vif2.0), 1 passed, 3 dropped|  pass                   1|  ipv4-src               3" \
	"$(tr '\n' '|' <<<"$out" | sed 's/|$//')" "$out"
j=$(vg -j stats 2>&1)
tap_check "stats -j: every interface with mode, source, identity and time" \
	"vif2.0 locked attach null 1 3" \
	"$(jq -r '.interfaces[0] | [.ifname, .mode, .source, .domid, .passed, .dropped] | map(tostring) | join(" ")' <<<"$j")" \
	"$j"
tap_check "stats -j: time, monotonic_ns and root" "true true $ROOT" \
	"$(jq -r '[(.time | type == "string"), (.monotonic_ns > 0), .root] | map(tostring) | join(" ")' <<<"$j")" "$j"

# ---- stats --watch --------------------------------------------------------------
# watch_run SIG ARGS...: stats --watch in the background, 3 spoofs from
# g4 after its first interval, SIG after its third; output in watch.out.
watch_run() {
	local sig=$1 pid i
	shift
	ip netns exec "$HOST" "$VIFGUARD" -r "$ROOT" "$@" >"$VG_TMP/watch.out" 2>&1 &
	pid=$!
	VG_BG+=("$pid")
	sleep 0.7
	VG_NOFENCE=1 VG_RECV_MS=100 vg_xfer g4 3 udp4 --src-ip 10.99.0.78
	for ((i = 0; i < 50; i++)); do
		[ "$(grep -c "${WATCH_MARK}" "$VG_TMP/watch.out")" -ge 3 ] && break
		sleep 0.1
	done
	kill -"$sig" "$pid"
	wait "$pid"
	WATCH_RC=$?
}

WATCH_MARK='the last'
watch_run INT stats --watch 0.5
w=$(cat "$VG_TMP/watch.out")
tap_check "stats --watch 0.5: SIGINT ends it with exit 0" 0 "$WATCH_RC" "$w"
tap_check "stats --watch: a table per interval, with rates" \
	"IFACE DOM VM MODE PASSED DROPPED PASS/S DROP/S TOP REASON" \
	"$(grep -m1 '^IFACE' <<<"$w" | tr -s ' ')" "$w"
tap_check "stats --watch: the 3 spoofs counted once, in one interval" "3" \
	"$(awk '$1 == "vif2.0" {s += $6} END {print s + 0}' <<<"$w")" "$w"
# The rate is the count over the interval the line above the table gives,
# within what the two roundings allow: the interval is printed to 0.01 s,
# the rate to 0.1.
tap_check "stats --watch: their rate, 3 over the interval" "ok" \
	"$(awk '/the last/ {t = $(NF - 1)} $1 == "vif2.0" && $6 == 3 {
		lo = 3 / (t + 0.005) - 0.05; hi = 3 / (t - 0.005) + 0.05
		print ($8 >= lo && $8 <= hi) ? "ok" : $8 " for " t " s"; exit }' <<<"$w")" "$w"

watch_run INT stats --watch 0.5 -v vif2.0
w=$(cat "$VG_TMP/watch.out")
tap_check "stats --watch -v: per reason, the 3 spoofs once" "0 3" \
	"$WATCH_RC $(awk '$1 == "ipv4-src" {s += $2} END {print s + 0}' <<<"$w")" "$w"

WATCH_MARK='"interval_s"'
watch_run TERM -j stats --watch 0.5 --vm nothing-here 2>/dev/null
tap_check "stats -j --watch --vm without xenstore: exit 1 at once" "1" "$WATCH_RC" \
	"$(cat "$VG_TMP/watch.out")"
watch_run TERM -j stats vif2.0 --watch 0.5
w=$(cat "$VG_TMP/watch.out")
tap_check "stats -j --watch: SIGTERM ends it with exit 0" 0 "$WATCH_RC" "$w"
tap_check "stats -j --watch: one JSON document per line" "0" \
	"$(while IFS= read -r l; do jq -e . >/dev/null 2>&1 <<<"$l" || echo bad; done <<<"$w" | grep -c bad)" "$w"
tap_check "stats -j --watch: the deltas add up to the 3 spoofs, with rates" "3 true" \
	"$(jq -s '[(map(.interfaces[0].counters.ipv4_src) | add), all(.[]; .interval_s > 0.4 and (.interfaces[0].dropped_per_s | type) == "number")] | map(tostring) | join(" ")' -r <<<"$w")" \
	"$w"

out=$(vg stats --watch 0.01 2>&1)
tap_check "stats --watch 0.01: refused as a usage error" \
	"2 vifguard: --watch 0.01: expected seconds, 0.1 to 3600" "$? $out"

tap_done
