#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Loads every program of a BPF object as a tc classifier on the running
# kernel (on a private bpffs, attached nowhere) and prints the verifier's
# own figures, as
#   verifier LABEL: processed N insns (...), XLATED xlated
# Runs on the host and inside the lab's dom0 (bookworm's bpftool 7.1 does
# not show verified_insns, so the count comes from the verifier log that
# `bpftool -d` requests).
# Usage: verifier-count.sh OBJECT LABEL
set -euo pipefail
obj=${1:?usage: verifier-count.sh OBJECT LABEL}
label=${2:?}

dir=$(mktemp -d)
cleanup() { umount "$dir" 2>/dev/null || :; rmdir "$dir"; }
trap cleanup EXIT
mount -t bpf bpf "$dir"
if ! out=$(bpftool -d prog loadall "$obj" "$dir/progs" type classifier 2>&1); then
	# Before Linux 5.2 the kernel takes a verifier log of 16 MiB at most
	# (EINVAL above): a program whose log is longer loads only without
	# one, and its processed count stays unknown.
	rm -rf "$dir/progs"
	if ! out2=$(bpftool prog loadall "$obj" "$dir/progs" type classifier 2>&1); then
		printf '%s\n' "$out" "$out2" | grep -v '^libbpf: ' | tail -n 20 >&2
		echo "verifier $label: $(basename "$obj") does not load"
		exit 1
	fi
	out=
fi
processed=$(printf '%s\n' "$out" | grep -o 'processed [0-9]* insns.*' || :)
n=0
for p in "$dir"/progs/*; do
	n=$((n + 1))
	line=$(printf '%s\n' "$processed" | sed -n "${n}p")
	bpftool -j prog show pinned "$p" |
		jq -r --arg l "$label" --arg v "${line:-processed ? insns (no verifier log: longer than this kernel takes)}" \
			'"verifier \($l): \(.name): \($v), \(.bytes_xlated / 8) xlated"'
done
