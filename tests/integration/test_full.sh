#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# With the address table full (other interfaces' entries fill it), an
# update that shrinks a policy still succeeds and the revoked prefix stops
# passing at once; an update that needs more room than there is fails
# closed: the new policy is in force, the address it could not store is
# dropped, and the command says so.
. "$(dirname "$0")/lib.sh"
vg_init

MAC=02:00:00:00:05:00
vg_guest g5 vif5.0 $MAC quiet
VG_FENCE[g5]="udp4 --src-ip 10.5.0.1"

# 64 prefixes, the most one interface may have: 10.5.0.0/24 .. 10.5.63.0/24.
prefixes() { local i; for ((i = $1; i <= $2; i++)); do printf -- '--ipv4 10.5.%d.0/24 ' "$i"; done; }
# shellcheck disable=SC2046
out=$(vg attach vif5.0 --mac $MAC $(prefixes 0 63) 2>&1)
tap_check "attach with 64 prefixes" "exit 0" "exit $?" "$out"
vg_up g5

# fill N: new entries of an interface that does not exist (ifindex
# 999999, 11.0.0.0 on) until the IPv4 table holds N entries in all.
V4=$ROOT/v4_addrs
count() { "$BPFTOOL" -j map dump pinned "$V4" | jq length; }
max=$("$BPFTOOL" -j map show pinned "$V4" | jq .max_entries)
FILLED=0
fill() {
	local n=$(($1 - $(count)))
	awk -v n="$n" -v off="$FILLED" -v m="$V4" 'BEGIN {
		for (i = 0; i < n; i++) {
			a = off + i
			# prefixlen 96, ifindex 999999 (0x000f423f), gen 0, 11.x.y.z
			printf "map update pinned %s key hex 60 00 00 00 3f 42 0f 00 00 00 00 00 0b %02x %02x %02x value hex 01\n",
				m, int(a / 65536) % 256, int(a / 256) % 256, a % 256
		}
	}' >"$VG_TMP/fill"
	"$BPFTOOL" batch file "$VG_TMP/fill" >/dev/null
	FILLED=$((FILLED + n))
}
fill "$max"
tap_check "the IPv4 address table is full" "$max" "$(count)"

# shellcheck disable=SC2046
out=$(vg attach vif5.0 --mac $MAC $(prefixes 0 62) 2>&1)
tap_check "full table: revoking one prefix (64 -> 63) succeeds" "exit 0" "exit $?" "$out"
vg_case "full table: the revoked 10.5.63.0/24 is dropped" g5 vif5.0 3 0 \
	"ipv4-src+3 pass+1" udp4 --src-ip 10.5.63.7
vg_case "full table: a kept prefix still passes" g5 vif5.0 3 3 \
	"pass+4" udp4 --src-ip 10.5.62.7
tap_check "full table: the table holds one entry less" "$((max - 1))" "$(count)"

# Replacing a prefix while full: old and new together do not fit, so
# the new policy goes in force first, then the old generation goes.
# shellcheck disable=SC2046
out=$(vg attach vif5.0 --mac $MAC $(prefixes 0 61) --ipv4 10.5.99.0/24 2>&1)
tap_check "full table: replacing a prefix succeeds" "exit 0" "exit $?" "$out"
vg_case "full table: the replaced 10.5.62.0/24 is dropped" g5 vif5.0 3 0 \
	"ipv4-src+3 pass+1" udp4 --src-ip 10.5.62.7
vg_case "full table: the new 10.5.99.0/24 passes" g5 vif5.0 3 3 \
	"pass+4" udp4 --src-ip 10.5.99.7

# No room even after the old generation went: fail closed.
fill "$max"
# shellcheck disable=SC2046
out=$(vg attach vif5.0 --mac $MAC $(prefixes 0 61) --ipv4 10.5.99.0/24 --ipv4 10.5.100.0/24 2>&1)
rc=$?
tap_check "no room at all: the update fails" 1 "$rc" "$out"
case $out in
*"the address tables are full: the new policy is in force, but frames from addresses it could not store are dropped"*)
	tap_ok "no room at all: says what is in force" ;;
*) tap_fail "no room at all: says what is in force" "the address tables are full: ..." "$out" ;;
esac
vg_case "no room at all: the address not stored is dropped" g5 vif5.0 3 0 \
	"ipv4-src+3 pass+1" udp4 --src-ip 10.5.100.7
vg_case "no room at all: a stored address passes" g5 vif5.0 3 3 \
	"pass+4" udp4 --src-ip 10.5.99.7
tap_check "no room at all: the filter is on the device" "true" \
	"$(vg -j show vif5.0 | jq '.interfaces[0].attach.on_device')"

tap_done
