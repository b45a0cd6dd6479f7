#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The bpf suite: check-compat accepts the shipped object (static 4.19
# rules plus a load on this kernel) and rejects each deliberately bad
# object in tests/bpf/bad/ for the rule its "expect:" line names; then the
# program runs crafted frames (build/test-bpf) and the sequences of
# address learning (build/test-learn), DHCP snooping (build/test-dhcp)
# and trust on first use (build/test-first), numbered on.  TAP on stdout.
set -u
OUTPUT=${OUTPUT:-build}
here=$(cd "$(dirname "$0")" && pwd)
n=0 failed=0

tap() {	# tap OK|FAIL name [diagnostic]
	n=$((n + 1))
	if [ "$1" = OK ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/# /'
		failed=$((failed + 1))
	fi
}

if [ "$(id -u)" != 0 ]; then
	echo "ok 1 - bpf suite # SKIP needs root (loads BPF programs)"
	exit 0
fi

out=$("$OUTPUT/check-compat" "$OUTPUT/vifguard.bpf.o" 2>&1)
rc=$?
if [ $rc = 0 ]; then
	# One figure per program (vifguard/vifguard_out), on one TAP line.
	insns=$(sed -n 's/.*: \([0-9]*\) instructions (4.19.*/\1/p' <<<"$out" | paste -sd/)
	verified=$(sed -n 's/.*, \([0-9]*\) instructions processed.*/\1/p' <<<"$out" | paste -sd/)
	tap OK "check-compat accepts vifguard.bpf.o ($insns insns, $verified verified)"
else
	tap FAIL "check-compat accepts vifguard.bpf.o: expected exit 0, got $rc" "$out"
fi

for src in "$here"/bad/*.bpf.c; do
	name=$(basename "$src" .bpf.c)
	rule=$(sed -n 's/.*expect: \([a-z0-9-]*\).*/\1/p' "$src" | head -1)
	obj=$OUTPUT/bad/$name.bpf.o
	out=$("$OUTPUT/check-compat" --static --quiet "$obj" 2>&1)
	rc=$?
	if [ $rc = 1 ] && grep -q "FAIL: $rule:" <<<"$out"; then
		tap OK "check-compat rejects bad/$name ($rule)"
	else
		tap FAIL "check-compat rejects bad/$name: expected exit 1 with FAIL: $rule, got exit $rc" "$out"
	fi
done

tap_out=$(mktemp) || exit 1
trap 'rm -f "$tap_out"' EXIT
"$OUTPUT/test-bpf" $((n + 1)) | tee "$tap_out"
rc=${PIPESTATUS[0]}
n=$((n + $(grep -Ec '^(not )?ok [0-9]+' "$tap_out")))

"$OUTPUT/test-learn" $((n + 1)) | tee "$tap_out"
rc_learn=${PIPESTATUS[0]}
n=$((n + $(grep -Ec '^(not )?ok [0-9]+' "$tap_out")))

"$OUTPUT/test-dhcp" $((n + 1)) | tee "$tap_out"
rc_dhcp=${PIPESTATUS[0]}
n=$((n + $(grep -Ec '^(not )?ok [0-9]+' "$tap_out")))

"$OUTPUT/test-first" $((n + 1))
rc_first=$?
[ $rc = 0 ] && [ $rc_learn = 0 ] && [ $rc_dhcp = 0 ] && [ $rc_first = 0 ] && [ $failed = 0 ]
