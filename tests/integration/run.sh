#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Runs every tests/integration/test_*.sh (or the files named), each in its
# own process with its own namespaces, and prints their TAP lines numbered
# as one stream.  Exit 0 only if no test failed and every file exited 0.
set -u
here=$(cd "$(dirname "$0")" && pwd)
n=0 failed=0
if [ $# -gt 0 ]; then files=("$@"); else files=("$here"/test_*.sh); fi
for f in "${files[@]}"; do
	name=$(basename "$f" .sh)
	bad=0 seen=0
	while IFS= read -r line; do
		if [[ $line =~ ^(not\ )?ok\ [0-9]+\ (.*)$ ]]; then
			n=$((n + 1)) seen=$((seen + 1))
			[ -n "${BASH_REMATCH[1]}" ] && bad=$((bad + 1))
			echo "${BASH_REMATCH[1]}ok $n ${BASH_REMATCH[2]}"
		elif [[ $line =~ ^1\.\.[0-9]+ ]]; then
			:
		else
			# Stray output (a command's stderr) stays visible as a
			# TAP comment.
			case $line in '#'*) echo "$line" ;; *) echo "# $name: $line" ;; esac
		fi
	done < <(bash "$f" 2>&1)
	wait $! # the process substitution: its exit status
	rc=$?
	failed=$((failed + bad))
	if [ "$rc" != 0 ] && [ "$bad" = 0 ]; then
		n=$((n + 1)) failed=$((failed + 1))
		echo "not ok $n - $name"
		echo "#   expected: exit 0"
		echo "#   actual:   exit $rc after $seen tests"
	fi
done
echo "1..$n"
[ "$failed" = 0 ]
