#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Runs the named test suites (make test-SUITE), each printing TAP lines
# ("ok N - name", "not ok N - name", "ok N - name # SKIP reason"), keeps
# each suite's output in $OUTPUT/results/SUITE.tap and prints one summary.
# Exit 0 only if every suite exited 0 and no test failed.
set -u
out=${OUTPUT:-build}/results
mkdir -p "$out"
pass=0 fail=0 skip=0 bad_suites=()
for s in "$@"; do
	echo "== suite $s =="
	${MAKE:-make} --no-print-directory -s "test-$s" 2>&1 | tee "$out/$s.tap"
	rc=${PIPESTATUS[0]}
	p=$(grep -Ec '^ok [0-9]+' "$out/$s.tap" | tr -d ' ')
	k=$(grep -Eic '^ok [0-9]+.*# *skip' "$out/$s.tap" | tr -d ' ')
	f=$(grep -Ec '^not ok [0-9]+' "$out/$s.tap" | tr -d ' ')
	pass=$((pass + p - k)); skip=$((skip + k)); fail=$((fail + f))
	if [ "$rc" != 0 ] || [ "$f" != 0 ]; then
		bad_suites+=("$s")
	elif [ "$p" = 0 ]; then
		echo "suite $s ran no test" >&2
		bad_suites+=("$s")
	fi
	echo "-- suite $s: $((p - k)) passed, $f failed, $k skipped (exit $rc)"
done
[ ${#bad_suites[@]} -eq 0 ] || echo "failing suites: ${bad_suites[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ ${#bad_suites[@]} -eq 0 ]
