#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Bad input: the CLI answers with its documented exit status and one
# clear line naming the argument, and changes nothing: maps and filters
# are byte for byte the same afterwards, and the guest's existing policy
# still holds.
. "$(dirname "$0")/lib.sh"
vg_init

MAC=02:00:00:00:05:00
vg_guest g5 vif5.0 $MAC quiet
VG_FENCE[g5]="udp4 --src-ip 10.99.0.5"
out=$(vg attach vif5.0 --mac $MAC --ipv4 10.99.0.5 --ipv6 fd00:99::5 2>&1)
tap_check "attach vif5.0" "exit 0" "exit $?" "$out"
vg_up g5

state() {
	vg_maps_dump
	hx "$BPFTOOL" net show
}

TOO_MANY=()
for ((i = 1; i <= 65; i++)); do TOO_MANY+=(--ipv4 "10.5.0.$i"); done

# name|exit status|text the message must contain|arguments
while IFS='|' read -r name want_rc needle args; do
	[ -z "$name" ] && continue
	before=$(state)
	# shellcheck disable=SC2086
	vg $args >"$VG_TMP/out" 2>"$VG_TMP/err"
	rc=$?
	after=$(state)
	lines=$(wc -l <"$VG_TMP/err")
	msg=$(head -c 300 "$VG_TMP/err")
	stdout=$(head -c 200 "$VG_TMP/out")
	changed=no
	[ "$before" != "$after" ] && changed=yes
	named="does not name '$needle'"
	grep -qiF -- "$needle" "$VG_TMP/err" && named="naming '$needle'"
	out_said="no stdout"
	[ -n "$stdout" ] && out_said="stdout '$stdout'"
	[ "$changed" = no ] && changed="nothing changed" || changed="state changed"
	tap_check "bad input: $name" \
		"exit $want_rc, 1 line(s) naming '$needle', no stdout, nothing changed" \
		"exit $rc, $lines line(s) $named, $out_said, $changed" \
		"stderr: $msg" "$(diff <(echo "$before") <(echo "$after") | head -5)"
done <<CASES
unknown interface|1|nosuch0|attach nosuch0 --mac $MAC --ipv4 10.99.0.5
bad MAC|2|02:00:00:00:05|attach vif5.0 --mac 02:00:00:00:05 --ipv4 10.99.0.5
multicast MAC|2|01:00:5e:00:00:01|attach vif5.0 --mac 01:00:5e:00:00:01
IPv4 300.1.1.1|2|300.1.1.1|attach vif5.0 --mac $MAC --ipv4 300.1.1.1
IPv4 prefix /33|2|10.0.0.0/33|attach vif5.0 --mac $MAC --ipv4 10.0.0.0/33
IPv6 fe80::zz|2|fe80::zz|attach vif5.0 --mac $MAC --ipv6 fe80::zz
IPv6 prefix /129|2|fd00::/129|attach vif5.0 --mac $MAC --ipv6 fd00::/129
bad mode|2|paranoid|attach vif5.0 --mac $MAC --mode paranoid
bad ethertype|2|0xzz|attach vif5.0 --mac $MAC --allow-ethertype 0xzz
unknown option|2|--frobnicate|attach vif5.0 --mac $MAC --frobnicate
unknown command|2|frobnicate|frobnicate vif5.0
too many addresses (65 IPv4)|2|ipv4|attach vif5.0 --mac $MAC ${TOO_MANY[*]}
CASES

# Detaching what is not there is not an error (hotplug offline runs after
# the device is gone, and may run twice): exit 0, one line saying so.
before=$(state)
vg detach nosuch0 >"$VG_TMP/out" 2>"$VG_TMP/err"
rc=$?
after=$(state)
said=$(cat "$VG_TMP/out" "$VG_TMP/err")
grep -qi 'nothing to detach' <<<"$said" && said="nothing to detach" ||
	said="said '$said'"
changed=unchanged
[ "$before" = "$after" ] || changed=changed
tap_check "detach of an unknown interface: exit 0, says nothing to detach, nothing changed" \
	"exit 0, nothing to detach, unchanged" "exit $rc, $said, $changed"

# Errors under -j are JSON too.
vg -j attach vif5.0 --mac zz:zz >"$VG_TMP/out" 2>"$VG_TMP/err"
rc=$?
err=$(cat "$VG_TMP/out" "$VG_TMP/err" | jq -r '"\(.error.code) \(.error.message | length > 0)"' \
	2>/dev/null | head -1)
tap_check "bad input under -j: a JSON error object with code usage and a message, exit 2" \
	"exit 2, usage true" "exit $rc, $err" "$(cat "$VG_TMP/out" "$VG_TMP/err")"

# A root where a vifguard of another layout pinned its maps ("policy" a
# hash of 96-byte policies): attach refuses with one line naming the map,
# and attaches nothing.
old=$ROOT/old
mkdir -p "$old"
hx "$BPFTOOL" map create "$old/policy" type hash key 4 value 96 entries 8192 \
	name policy flags 1
before=$(hx "$BPFTOOL" net show)
out=$(ip netns exec "$HOST" "$VIFGUARD" -r "$old" attach vif5.0 --mac $MAC 2>&1)
rc=$?
named=no
grep -q "$old/policy: a map of another layout" <<<"$out" && named=yes
changed=unchanged
[ "$before" = "$(hx "$BPFTOOL" net show)" ] || changed=changed
tap_check "root with a map of another layout: exit 1, map named, no filter changed" \
	"exit 1, named yes, unchanged" "exit $rc, named $named, $changed" "$out"
rm -rf "$old"

# The policy in force before all this still holds.
vg_case "after bad input: vif5.0 still passes its own address" g5 vif5.0 3 3 \
	"pass+4" udp4 --src-ip 10.99.0.5
vg_case "after bad input: vif5.0 still drops others" g5 vif5.0 3 0 \
	"ipv4-src+3 pass+1" udp4 --src-ip 10.99.0.6

tap_done
