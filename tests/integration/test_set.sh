#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# vifguard set: each step changes what it says and keeps the rest of the
# policy in force (shown before and after, and proved by frames: a kept
# address still passes, a removed one drops); quarantine with mode
# disabled and back loses nothing; --dry-run (set and attach) changes
# nothing, counters and maps included, and prints the diff; refusals
# leave the policy as it was; concurrent sets and an attach lose no
# update.
. "$(dirname "$0")/lib.sh"
vg_init

MAC=02:00:00:00:05:00
MAC2=02:00:00:00:05:01
A=10.99.0.5
B=10.99.0.50
C=10.99.0.55
V6=fd00:99::5
vg_guest g5 vif5.0 $MAC quiet
VG_FENCE[g5]="udp4 --src-ip $B"

# The policy in force as one line: mode, owner and every list, sorted.
policy() {
	vg -j show vif5.0 | jq -c '.interfaces[0] | {mode, set_by,
		macs: (.macs | sort), ipv4: (.ipv4 | sort), ipv6: (.ipv6 | sort),
		flags: (.flags - ["ipv4-table", "ipv6-table"] | sort),
		ethertypes: (.ethertypes | sort)}'
}
# policy with jq's FILTER applied, for the expected value.
policy_with() { jq -c "$1" <<<"$P0"; }

# set_ok NAME ARGS...: one TAP line, set exits 0.
set_ok() {
	local name=$1 out
	shift
	out=$(vg set vif5.0 "$@" 2>&1)
	tap_check "$name" "exit 0" "exit $?" "$out"
}

out=$(vg attach vif5.0 --mac $MAC --ipv4 $A --ipv4 $B --ipv6 $V6 2>&1)
tap_check "attach vif5.0 {A, B, V6}" "exit 0" "exit $?" "$out"
vg_up g5
P0=$(policy)
tap_check "policy before the edits" \
	"{\"mode\":\"locked\",\"set_by\":\"attach\",\"macs\":[\"$MAC\"],\"ipv4\":[\"$A/32\",\"$B/32\"],\"ipv6\":[\"$V6/128\"],\"flags\":[\"dhcp-client\",\"link-local\"],\"ethertypes\":[]}" \
	"$P0"
vg_case "before: C dropped" g5 vif5.0 3 0 "ipv4-src+3 pass+1" udp4 --src-ip $C

# ---- each step keeps the rest ------------------------------------------

set_ok "set add ipv4 C" add ipv4 $C
tap_check "add ipv4 C: C added, the rest kept" \
	"$(policy_with ".ipv4 += [\"$C/32\"] | .ipv4 |= sort")" "$(policy)"
vg_case "add ipv4 C: C passes" g5 vif5.0 3 3 "pass+4" udp4 --src-ip $C
vg_case "add ipv4 C: A still passes" g5 vif5.0 3 3 "pass+4" udp4 --src-ip $A

set_ok "set remove ipv4 A" remove ipv4 $A
tap_check "remove ipv4 A: A gone, the rest kept" \
	"$(policy_with ".ipv4 = [\"$B/32\", \"$C/32\"]")" "$(policy)"
vg_case "remove ipv4 A: A dropped" g5 vif5.0 3 0 "ipv4-src+3 pass+1" udp4 --src-ip $A
vg_case "remove ipv4 A: B (kept) passes" g5 vif5.0 3 3 "pass+4" udp4 --src-ip $B
vg_case "remove ipv4 A: V6 (kept) passes" g5 vif5.0 3 3 "pass+4" \
	udp6 --src-ip $V6 --dst-ip $SINK_V6

set_ok "set remove ipv4 C add ipv4 A (two steps)" remove ipv4 $C add ipv4 $A
tap_check "two steps: back to the first policy" "$P0" "$(policy)"

set_ok "set add mac MAC2" add mac $MAC2
vg_case "add mac MAC2: frames from MAC2 pass" g5 vif5.0 3 3 "pass+4" \
	udp4 --src-ip $A --src-mac $MAC2
vg_case "add mac MAC2: frames from MAC (kept) pass" g5 vif5.0 3 3 "pass+4" \
	udp4 --src-ip $A
set_ok "set remove mac MAC2" remove mac $MAC2
vg_case "remove mac MAC2: frames from MAC2 dropped" g5 vif5.0 3 0 "src-mac+3 pass+1" \
	udp4 --src-ip $A --src-mac $MAC2

set_ok "set remove flag dhcp-client" remove flag dhcp-client
tap_check "remove flag dhcp-client: only that flag gone" \
	"$(policy_with '.flags = ["link-local"]')" "$(policy)"
vg_case "no dhcp-client: DHCP discover dropped" g5 vif5.0 3 0 "ipv4-src+3 pass+1" dhcp
set_ok "set add flag dhcp-client" add flag dhcp-client
vg_case "dhcp-client again: DHCP discover passes" g5 vif5.0 3 3 "pass+4" dhcp
tap_check "flag removed and added: the first policy" "$P0" "$(policy)"

# learn-dhcp brings dhcp-client, which it needs; dhcp-client cannot go
# while learn-dhcp stays.
set_ok "set remove flag dhcp-client (before learn-dhcp)" remove flag dhcp-client
out=$(vg set vif5.0 add flag learn-dhcp 2>&1)
tap_check "set add flag learn-dhcp: dhcp-client added with it" \
	"exit 0|  + flag dhcp-client|  + flag learn-dhcp" \
	"exit $?|$(grep '^  [-+] ' <<<"$out" | sort | tr '\n' '|' | sed 's/|$//')" "$out"
vg_case "learn-dhcp: DHCP discover passes" g5 vif5.0 3 3 "pass+4" dhcp
out=$(vg set vif5.0 remove flag dhcp-client 2>&1)
tap_check "set remove flag dhcp-client under learn-dhcp: refused, named" "exit 1 1" \
	"exit $? $(grep -c 'learn-dhcp needs dhcp-client' <<<"$out")" "$out"
out=$(vg set vif5.0 --dry-run remove flag learn-dhcp 2>&1)
tap_check "the refusal changed nothing: learn-dhcp and dhcp-client in force" "1 1" \
	"$(grep -c '^  flag learn-dhcp$' <<<"$(vg set vif5.0 -n add flag router-advert)") $(
	grep -c '^  flag dhcp-client$' <<<"$out")" "$out"
set_ok "set remove flag learn-dhcp" remove flag learn-dhcp
tap_check "learn-dhcp removed, dhcp-client kept: the first policy" "$P0" "$(policy)"
out=$(vg attach vif5.0 --mac $MAC --ipv4 $A --ipv4 $B --ipv6 $V6 --learn link-local,dhcp \
	--dry-run 2>&1)
tap_check "attach --learn link-local,dhcp --dry-run: only learn-dhcp added" \
	"exit 0|  + flag learn-dhcp" \
	"exit $?|$(grep '^  [-+] ' <<<"$out" | tr '\n' '|' | sed 's/|$//')" "$out"
out=$(vg attach vif5.0 --mac $MAC --learn dhcp --no-dhcp 2>&1)
tap_check "attach --learn dhcp --no-dhcp: a usage error, named" "exit 2 1" \
	"exit $? $(grep -c -- '--learn dhcp and --no-dhcp exclude each other' <<<"$out")" "$out"
tap_check "the refused attach changed nothing" "$P0" "$(policy)"

# ---- quarantine and back ----------------------------------------------------

set_ok "set mode disabled" mode disabled
tap_check "mode disabled: only the mode changed" \
	"$(policy_with '.mode = "disabled"')" "$(policy)"
VG_NOFENCE=1
vg_case "mode disabled: B dropped" g5 vif5.0 3 0 "disabled+3" udp4 --src-ip $B
VG_NOFENCE=0
set_ok "set mode locked" mode locked
tap_check "mode locked again: the whole first policy" "$P0" "$(policy)"
vg_case "mode locked again: A passes" g5 vif5.0 3 3 "pass+4" udp4 --src-ip $A
vg_case "mode locked again: C still dropped" g5 vif5.0 3 0 "ipv4-src+3 pass+1" \
	udp4 --src-ip $C

# ---- dry runs change nothing ----------------------------------------------------

declare -A s0=()
vg_stats vif5.0; for k in "${!STATS[@]}"; do s0[$k]=${STATS[$k]}; done
maps0=$(vg_maps_dump)
out=$(vg set vif5.0 --dry-run remove ipv4 $A add ipv4 $C mode disabled 2>&1)
tap_check "set --dry-run: exit 0" "exit 0" "exit $?" "$out"
tap_check "set --dry-run: prints the diff" \
	"  - mode locked|  - ipv4 $A/32|  + mode disabled|  + ipv4 $C/32" \
	"$(grep '^  [-+] ' <<<"$out" | tr '\n' '|' | sed 's/|$//')" "$out"
tap_check "set --dry-run: prints the resulting policy" "1 1 0" \
	"$(grep -c "^  ipv4 $C/32\$" <<<"$out") $(grep -c '^  mode disabled$' <<<"$out") $(grep -c "^  ipv4 $A/32\$" <<<"$out")" \
	"$out"
out=$(vg -j set vif5.0 -n remove ipv4 $A 2>&1)
tap_check "set -j --dry-run: the diff and the policy in JSON" \
	"true [\"ipv4 $A/32\"] [] [\"$B/32\"]" \
	"$(jq -c '[.dry_run, .removed, .added, .policy.ipv4] | map(tostring) | join(" ")' -r <<<"$out")" \
	"$out"
out=$(vg attach vif5.0 --mac $MAC --ipv4 $C --dry-run 2>&1)
tap_check "attach --dry-run: exit 0" "exit 0" "exit $?" "$out"
tap_check "attach --dry-run: prints the diff against the policy in force" \
	"  + ipv4 $C/32|  - ipv4 $A/32|  - ipv4 $B/32|  - ipv6 $V6/128" \
	"$(grep '^  [-+] ' <<<"$out" | sort | tr '\n' '|' | sed 's/|$//')" "$out"
tap_check "dry runs: the policy unchanged" "$P0" "$(policy)"
tap_check "dry runs: the maps unchanged" "$maps0" "$(vg_maps_dump)"
vg_stats vif5.0
tap_check "dry runs: the counters unchanged" "" "$(vg_delta s0 STATS)"
vg_case "dry runs: C still dropped" g5 vif5.0 3 0 "ipv4-src+3 pass+1" udp4 --src-ip $C

# ---- refusals change nothing ------------------------------------------------------

refused() {
	local name=$1 want=$2 out rc
	shift 2
	out=$(vg set vif5.0 "$@" 2>&1)
	rc=$?
	tap_check "$name: refused" "exit 1, says: $want" \
		"exit $rc, says: $(grep -o -- "$want" <<<"$out")" "$out"
}
refused "remove the last MAC of a locked policy" "needs at least one MAC" remove mac $MAC
refused "remove an address not in the policy" "remove ipv4 $C/32: not in the policy" \
	remove ipv4 $C
refused "add an address already in it" "add ipv4 $A/32: already in the policy" add ipv4 $A
refused "a later step fails: none applied" "not in the policy" \
	add ipv4 $C remove ipv4 10.99.0.99
tap_check "refusals: the policy unchanged" "$P0" "$(policy)"
set_ok "disabled, then the last MAC removed (quarantine without a MAC)" \
	mode disabled remove mac $MAC
set_ok "the MAC back and locked again" add mac $MAC mode locked
tap_check "quarantined without a MAC and back: the first policy" "$P0" "$(policy)"

ip -n "$HOST" link add vif9.0 type veth peer name vif9.0p
out=$(vg set vif9.0 mode disabled 2>&1)
tap_check "set on an interface without a policy: an error naming it" \
	"exit 1: vifguard: vif9.0: cannot set: no policy in force (vifguard attach sets one)" \
	"exit $?: $out"
out=$(vg set vif9.9 mode disabled 2>&1)
tap_check "set on an interface that does not exist: an error naming it" \
	"exit 1: vifguard: vif9.9: cannot set: No such device" "exit $?: $out"

# ---- concurrency ----------------------------------------------------------------

# Eight sets at once, each adding its own address: the lock serialises
# the read-modify-writes, so every address is there at the end.
pids=()
for i in 1 2 3 4 5 6 7 8; do
	vg set vif5.0 add ipv4 10.99.2.$i >"$VG_TMP/set.$i" 2>&1 &
	pids+=($!)
done
fails=0
for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
tap_check "8 concurrent sets: all succeed" "0 failed" "$fails failed" \
	"$(cat "$VG_TMP"/set.*)"
tap_check "8 concurrent sets: no update lost" \
	"$(policy_with '.ipv4 += [range(1; 9) | "10.99.2.\(.)/32"] | .ipv4 |= sort')" \
	"$(policy)"

# An attach (a whole new policy, with Z) among six sets: each set ran
# wholly before the attach (its address replaced by the attach) or wholly
# after (it saw Z, its address stays).  The end state must say exactly
# that, whatever the order.
Z=10.99.3.99
pids=()
for i in 1 2 3 4 5 6; do
	vg -j set vif5.0 add ipv4 10.99.3.$i >"$VG_TMP/cset.$i" 2>&1 &
	pids+=($!)
	if [ $i = 3 ]; then
		vg attach vif5.0 --mac $MAC --ipv4 $Z >"$VG_TMP/attach.out" 2>&1 &
		apid=$!
	fi
done
wait $apid; arc=$?
fails=0
for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
tap_check "attach among 6 concurrent sets: all succeed" "attach 0, 0 sets failed" \
	"attach $arc, $fails sets failed" "$(cat "$VG_TMP/attach.out" "$VG_TMP"/cset.*)"
after=()
for i in 1 2 3 4 5 6; do
	jq -e --arg z "$Z/32" '.policy.ipv4 | index($z)' "$VG_TMP/cset.$i" >/dev/null &&
		after+=("10.99.3.$i/32")
done
want=$(printf '%s\n' "$Z/32" "${after[@]}" | sort | jq -R . | jq -sc .)
tap_check "attach among sets: Z and exactly the sets after it (${#after[@]}) in force" \
	"$want" "$(vg -j show vif5.0 | jq -c '.interfaces[0].ipv4 | sort')"
VG_FENCE[g5]="udp4 --src-ip $Z"
vg_case "after the concurrent edits: Z passes" g5 vif5.0 3 3 "pass+4" udp4 --src-ip $Z
vg_case "after the concurrent edits: B (replaced by the attach) dropped" g5 vif5.0 3 0 \
	"ipv4-src+3 pass+1" udp4 --src-ip $B

# The guard rails hold what set adds as they hold attach: a range no
# guest owns is a usage error and changes nothing, unless --force.
before=$(vg -j show vif5.0 | jq -c '.interfaces[0].ipv4')
out=$(vg set vif5.0 add ipv4 0.0.0.0/0 2>&1)
tap_check "set add ipv4 0.0.0.0/0: refused by the guard rails" \
	"exit 2: vifguard: set: add ipv4 0.0.0.0/0: all addresses: the guest could use any source; refused (--force allows it)" \
	"exit $?: $out"
out=$(vg set vif5.0 add ipv6 ff02::1 2>&1)
tap_check "set add ipv6 ff02::1: refused (multicast)" "exit 2" "exit $?" "$out"
tap_check "set refused by the guard rails: the policy unchanged" "$before" \
	"$(vg -j show vif5.0 | jq -c '.interfaces[0].ipv4')"
out=$(vg set vif5.0 --force add ipv4 10.0.0.0/7 2>&1)
tap_check "set --force add ipv4 10.0.0.0/7: added" "exit 0" "exit $?" "$out"
vg set vif5.0 remove ipv4 10.0.0.0/7 >/dev/null

# A renamed device: its policy is kept under the old name until gc
# records the new one; set says so rather than edit it under a guess.
ip -n "$HOST" link set vif5.0 down
ip -n "$HOST" link set vif5.0 name vif5.0-x
out=$(vg set vif5.0-x mode disabled 2>&1)
tap_check "set on a renamed device: refused, naming the recorded name" \
	"exit 1: vifguard: vif5.0-x: cannot set: its policy is recorded under the name 'vif5.0' (renamed since: vifguard gc records the new name)" \
	"exit $?: $out"
vg gc >/dev/null
out=$(vg set vif5.0-x mode disabled 2>&1)
tap_check "set on the renamed device after gc: exit 0" "exit 0" "exit $?" "$out"

tap_done
