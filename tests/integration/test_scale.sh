#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# 200 guest interfaces attached at once, as a host booting many VMs runs
# its hotplug scripts: every attach succeeds, show lists all 200, and
# detaching them (also at once) plus gc leaves no entry in any map.
. "$(dirname "$0")/lib.sh"
vg_init

NIF=200
FIRST=100
mac_of() { printf '02:00:00:%02x:%02x:00' $(($1 >> 8)) $(($1 & 255)); }

batch=$VG_TMP/links
for ((i = FIRST; i < FIRST + NIF; i++)); do
	echo "link add vif$i.0 type veth peer name g$i"
	echo "link set vif$i.0 master br0"
	echo "link set vif$i.0 up"
done >"$batch"
ip -n "$HOST" -batch "$batch" || vg_bail "cannot create $NIF veth pairs"

t0=$(date +%s%N)
for ((i = FIRST; i < FIRST + NIF; i++)); do
	vg attach vif$i.0 --mac "$(mac_of $i)" --ipv4 10.100.$((i - FIRST)).1 \
		--ipv6 fd00:100::$i --ipv4 10.200.$((i - FIRST)).0/24 \
		>"$VG_TMP/attach.$i" 2>&1 &
	pids[i]=$!
done
fails=()
for ((i = FIRST; i < FIRST + NIF; i++)); do
	wait ${pids[i]} || fails+=("vif$i.0: exit $? $(head -1 "$VG_TMP/attach.$i")")
done
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
tap_check "$NIF parallel attaches all succeed ($((ms / 1000)).$((ms % 1000 / 100)) s)" \
	"0 failures" "${#fails[@]} failures" "${fails[@]:0:5}"

n=$(vg -j show | jq '[.. | objects | select(has("ifname")) | .ifname |
	select(test("^vif[0-9]+\\.0$"))] | unique | length')
tap_check "show -j lists all $NIF interfaces" "$NIF" "$n"

want=$(for ((i = FIRST; i < FIRST + NIF; i++)); do vg_ifindex vif$i.0; done | sort -n)
got=$(vg_entries | awk '$1 ~ /^policy/ {print $2}' | sort -n)
tap_check "policy map holds one entry per interface" "$want" "$got"

# Per hook, "INGRESS EGRESS": the filter and the egress program.
per_hook() { hx "$BPFTOOL" -j net show | jq -r '[.[] | (.tc // [])[], (.tcx // [])[]
	| select(.devname | test("^vif[0-9]+\\.0$"))] as $f | ["ingress", "egress"]
	| map(. as $h | [$f[] | select(.kind | endswith($h))] | '"$1"' | tostring) | join(" ")'; }
attached=$(per_hook length)
tap_check "a filter and an egress program on every interface (tc/tcx per bpftool net)" \
	"$NIF $NIF" "$attached"

# One prog for all: no per-interface program copies.
progs=$(per_hook '[.[].id] | unique | length')
tap_check "one program serves all $NIF interfaces, one on every egress" "1 1" "$progs"

# Detach in parallel too.
for ((i = FIRST; i < FIRST + NIF; i++)); do
	vg detach vif$i.0 >"$VG_TMP/detach.$i" 2>&1 &
	pids[i]=$!
done
fails=()
for ((i = FIRST; i < FIRST + NIF; i++)); do
	wait ${pids[i]} || fails+=("vif$i.0: exit $? $(head -1 "$VG_TMP/detach.$i")")
done
tap_check "$NIF parallel detaches all succeed" "0 failures" "${#fails[@]} failures" \
	"${fails[@]:0:5}"

left=$(vg_entries | wc -l)
tap_check "after detach: no map entry left" "0" "$left" "$(vg_entries | head -5)"
attached=$(hx "$BPFTOOL" -j net show | jq '[.[] | (.tc // [])[], (.tcx // [])[]
	| select(.devname | test("^vif[0-9]+\\.0$"))] | length')
tap_check "after detach: no filter left on any interface" "0" "$attached"
n=$(vg -j show | jq '[.. | objects | select(has("ifname"))] | length')
tap_check "after detach: show -j lists nothing" "0" "$n"

# gc: attach again, delete the interfaces (a VM destroyed without its
# offline hook), gc must clear everything of theirs.
for ((i = FIRST; i < FIRST + NIF; i++)); do
	vg attach vif$i.0 --mac "$(mac_of $i)" --ipv4 10.100.$((i - FIRST)).1 \
		--ipv6 fd00:100::$i >/dev/null 2>&1 &
done
wait
for ((i = FIRST; i < FIRST + NIF; i++)); do
	echo "link del vif$i.0"
done >"$batch"
ip -n "$HOST" -batch "$batch"
before=$(vg_entries | awk '$1 ~ /^policy/' | wc -l)
out=$(vg gc 2>&1)
rc=$?
left=$(vg_entries | wc -l)
tap_check "gc after deleting $NIF attached interfaces clears their entries" \
	"policy entries before gc $NIF, exit 0, entries after 0" \
	"policy entries before gc $before, exit $rc, entries after $left" "$out"

tap_done
