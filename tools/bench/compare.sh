#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# `make bench-compare [BASE=rev]`: the in-kernel cost of the pass paths
# (BPF_PROG_TEST_RUN, `vgbench prog`) of another tree next to this one's,
# in one run on one machine.
#
# BASE is built in a temporary git worktree (removed on exit, failure and
# interrupt included) into build/compare/base-REV; this tree's vgbench and
# vifguard.bpf.o are copied to build/compare/head first, so that a rebuild
# by someone else meanwhile does not change what is measured.  Then
# `vgbench prog` runs base, head, base, head, ... (BENCH_PAIRS pairs), each
# with run.sh's repeat, rounds and CPU: whatever else the machine does
# during the run falls on both sides alike.
#
# A figure is compared only where both trees build the same frame for the
# case and send it on the same kind of interface (frames.c prints them);
# the others are named under the table.
#
# Table to stdout and to build/compare/report.md, each run's output and
# figures in build/compare/runs/, progress to stderr.  The exit status
# says whether the harness worked, not whether the deltas are small.
#
# Knobs (environment): BASE (required; make gives its default),
# BENCH_PAIRS (5), BENCH_CPU, BENCH_PROG_ROUNDS (9), BENCH_REPEAT (1000000)
# as run.sh has them, BENCH_COMPARE_IFACES (1,4000), BENCH_TOLERANCE_NS (1),
# BENCH_QUICK=1 (1 pair, 3 rounds x 200000: checks the harness only).

set -u
set -o pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUTPUT=${OUTPUT:-$TOP/build}
OUT=$OUTPUT/compare
BASE=${BASE:-}

QUICK=${BENCH_QUICK:-0}
CPU=${BENCH_CPU:-$(($(nproc) - 1))}
if [ "$QUICK" = 1 ]; then
	PAIRS=${BENCH_PAIRS:-1}
	PROG_ROUNDS=${BENCH_PROG_ROUNDS:-3}
	REPEAT=${BENCH_REPEAT:-200000}
else
	PAIRS=${BENCH_PAIRS:-5}
	PROG_ROUNDS=${BENCH_PROG_ROUNDS:-9}
	REPEAT=${BENCH_REPEAT:-1000000}
fi
IFACES=${BENCH_COMPARE_IFACES:-1,4000}
TOL=${BENCH_TOLERANCE_NS:-1}

ID=vgc$$
P=$ID-prog
TMP=
WT=
NETNS=

log() { echo "bench-compare: $*" >&2; }
die() {
	log "FAILED: $*"
	exit 1
}

cleanup() {
	set +e
	[ -n "$NETNS" ] && ip netns del "$NETNS" 2>/dev/null
	if [ -n "$WT" ]; then
		git -C "$TOP" worktree remove --force "$WT" 2>/dev/null || rm -rf "$WT"
		git -C "$TOP" worktree prune
	fi
	[ -n "$TMP" ] && rm -rf "$TMP"
	return 0
}
trap cleanup EXIT
trap 'log interrupted; exit 130' INT TERM HUP

# A make of another tree must not take this make's command-line variables
# (MAKEFLAGS carries BASE=, OUTPUT=, ...) or its jobserver.
submake() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" --no-print-directory "$@"; }

# This tree's frames.c over a tree's vgbench.c: "name kind reason hex".
# A tree whose vgbench.c builds on tools/lib/frame.c brings that along.
frames() {	# tree out
	local lib=
	[ -f "$1/tools/lib/frame.c" ] && lib="$1/tools/lib/frame.c"
	# A vgbench that sets RLIMIT_MEMLOCK as the loader does links its
	# memlock.c, and libbpf as the loader links it.
	[ -f "$1/loader/memlock.c" ] && lib="$lib $1/loader/memlock.c"
	cc -std=gnu11 -D_GNU_SOURCE -O1 -w -I"$1/include" -I"$1/tools/lib" -I"$1/loader" \
		-DVGBENCH_C="\"$1/tools/bench/vgbench.c\"" -o "$2.bin" \
		"$TOP/tools/bench/frames.c" $lib -l:libbpf.a -lelf -lz ||
		die "cannot build frames.c against $1/tools/bench/vgbench.c"
	"$2.bin" >"$2" || die "$2.bin failed"
}

# "IPv4 UDP, prefix" -> "ipv4-udp-prefix", as vgbench names its figures.
slug() { tr 'A-Z' 'a-z' | sed 's/[^a-z0-9]/-/g'; }

# sha256 of the program's code (its executable sections, relocations not
# applied): the whole file's would change with the debug info's paths.
code_hash() {	# obj
	local sec
	for sec in $(readelf -SW "$1" | sed -n 's/^ *\[ *[0-9]*\] //p' |
		     awk '$2 == "PROGBITS" && $7 ~ /X/ && $5 !~ /^0+$/ { print $1 }'); do
		# llvm-objcopy replaces its output file: not a pipe.
		llvm-objcopy -O binary --only-section="$sec" "$1" "$TMP/code" &&
			cat "$TMP/code"
	done | sha256sum | cut -c1-12
}

fig() {	# figs-file name -> value of "fig name VALUE"
	awk -v n="$2" '$1 == "fig" && $2 == n { print $3; exit }' "$1"
}

preflight() {
	local f
	[ "$(id -u)" = 0 ] || die "make bench-compare needs root"
	[ -n "$BASE" ] || die "usage: BASE=rev $0 (make bench-compare gives a default)"
	BASE_REV=$(git -C "$TOP" rev-parse --verify --quiet "$BASE^{commit}") ||
		die "BASE=$BASE is no commit of $TOP"
	BASE_SHORT=$(git -C "$TOP" rev-parse --short "$BASE_REV")
	for f in "$OUTPUT/vgbench" "$OUTPUT/vifguard.bpf.o"; do
		[ -e "$f" ] || die "$f missing: make bench-compare builds it"
	done
	for f in git ip cc readelf llvm-objcopy; do
		command -v "$f" >/dev/null || die "$f missing"
	done
	TMP=$(mktemp -d /run/vgcompare.XXXXXX) || die "cannot create a directory in /run"
	mkdir -p "$OUT/head" "$OUT/runs" || die "cannot create $OUT"
	rm -f "$OUT"/runs/* "$OUT/report.md"
	# What is measured as head: these copies, whatever happens to build/.
	cp "$OUTPUT/vgbench" "$OUTPUT/vifguard.bpf.o" "$OUT/head/" || die "cannot copy head"
	HEAD_DESC=$(git -C "$TOP" describe --always --dirty 2>/dev/null || echo unknown)
	# The program is built from bpf/ and include/: changes there not yet
	# committed are in what is measured, and the report says so.
	HEAD_DIRTY=$(git -C "$TOP" status --porcelain -- bpf include | wc -l)
}

build_base() {
	BOUT=$OUT/base-$BASE_SHORT
	WT=$TMP/base
	log "building $BASE ($BASE_SHORT) in a worktree into $BOUT"
	git -C "$TOP" worktree add --quiet --detach "$WT" "$BASE_REV" ||
		die "cannot add a worktree for $BASE_REV"
	submake -C "$WT" OUTPUT="$BOUT" "$BOUT/vgbench" "$BOUT/vifguard.bpf.o" >&2 ||
		die "cannot build vgbench and vifguard.bpf.o of $BASE_SHORT"
	frames "$WT" "$TMP/frames.base"
	frames "$TOP" "$TMP/frames.head"
	git -C "$TOP" worktree remove --force "$WT" || die "cannot remove the worktree $WT"
	WT=
}

# The pass cases of head, and which of them base sends the same frame for.
select_cases() {
	local name kind reason hex bn bk br bh
	while IFS=$'\t' read -r name kind reason hex; do
		[ "$reason" = pass ] || continue
		IFS=$'\t' read -r bn bk br bh < <(awk -F'\t' -v n="$name" '$1 == n' "$TMP/frames.base")
		if [ -z "$bn" ]; then
			echo "$name: no such case in $BASE_SHORT"
		elif [ "$bk" != "$kind" ]; then
			echo "$name: sent on another kind of interface in $BASE_SHORT"
		elif [ "$br" != "$reason" ]; then
			echo "$name: expected $br in $BASE_SHORT"
		elif [ "$bh" != "$hex" ]; then
			echo "$name: another frame in $BASE_SHORT ($((${#bh} / 2)) octets there, $((${#hex} / 2)) here)"
		else
			echo "$name" >&3
		fi
	done <"$TMP/frames.head" >"$TMP/differ" 3>"$TMP/same"
	[ -s "$TMP/same" ] || die "no pass case has the same frame in both trees"
}

measure() {
	local i side bin obj
	NETNS=$P
	ip netns add "$P" || die "cannot create netns $P"
	ip -n "$P" link set lo up
	ip netns exec "$P" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	# The same devices as run.sh's section_prog: vgbench needs real
	# ifindexes for its disabled, no-policy, prefix and spill interfaces.
	ip -n "$P" link add d0 type veth peer name d1 || die "veth"
	ip -n "$P" link add p0 type veth peer name p1 || die "veth"
	ip -n "$P" link add s0 type veth peer name s1 || die "veth"
	for ((i = 1; i <= PAIRS; i++)); do
		for side in base head; do
			if [ "$side" = base ]; then
				bin=$BOUT/vgbench obj=$BOUT/vifguard.bpf.o
			else
				bin=$OUT/head/vgbench obj=$OUT/head/vifguard.bpf.o
			fi
			log "pair $i/$PAIRS: $side ($(cut -d' ' -f1 /proc/loadavg) load)"
			ip netns exec "$P" "$bin" prog "$obj" --disabled-dev d0 --nopolicy-dev d1 \
				--prefix-dev p0 --spill-dev s0 --ifaces "$IFACES" \
				--repeat "$REPEAT" --rounds "$PROG_ROUNDS" --cpu "$CPU" \
				--figs "$OUT/runs/$side-$i.figs" \
				>"$OUT/runs/$side-$i.out" 2>"$OUT/runs/$side-$i.err" ||
				die "vgbench prog of $side (pair $i): $(tail -1 "$OUT/runs/$side-$i.err")"
		done
	done
	ip netns del "$P"
	NETNS=
}

# "added_ns LEVEL SLUG VALUE" lines of every run of a side.
added() {	# side
	awk '$1 == "fig" && $2 == "added_ns" && $5 == "pass" { print $3, $4, $6 }' \
		"$OUT"/runs/"$1"-*.figs
}

report() {
	local name s lvl levels
	echo "# vifguard pass paths, $BASE_SHORT against this tree"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- kernel: $(uname -r) ($(uname -m)); machine: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1))"
	echo "- load average at start: $LOAD_START; at end: $LOAD_END; run took $((SECONDS - T0)) s"
	echo "- base: $BASE_SHORT ($(git -C "$TOP" log -1 --format=%s "$BASE_REV" | cut -c1-60)...)"
	echo "- head: tree $HEAD_DESC, $([ "$HEAD_DIRTY" = 0 ] && echo "bpf/ and include/ as committed" || echo "$HEAD_DIRTY uncommitted changes in bpf/ and include/")"
	echo "- vgbench.c, head against base: $(git -C "$TOP" diff --shortstat "$BASE_REV" -- tools/bench/vgbench.c | sed 's/^ *//;s/^$/the same/')"
	echo "- program code (sha256 of the object's executable sections): base $(code_hash "$BOUT/vifguard.bpf.o"), head $(code_hash "$OUT/head/vifguard.bpf.o")"
	echo "- program, base -> head: $(fig "$OUT/runs/base-1.figs" prog_insns) -> $(fig "$OUT/runs/head-1.figs" prog_insns) instructions (xlated), $(fig "$OUT/runs/base-1.figs" prog_jited) -> $(fig "$OUT/runs/head-1.figs" prog_jited) bytes JITed, $(fig "$OUT/runs/base-1.figs" verified_insns) -> $(fig "$OUT/runs/head-1.figs" verified_insns) instructions processed by the verifier"
	echo "- $PAIRS pairs of \`vgbench prog\` runs, base then head, on CPU $CPU; each run $PROG_ROUNDS rounds x $REPEAT, interfaces $IFACES$([ "$QUICK" = 1 ] && echo "; QUICK run (smoke test, not for quoting)")"
	echo
	echo "ns added over an empty tc program (each run's figure is the median of its"
	echo "$PROG_ROUNDS interleaved rounds); base and head: median [min, max] of the $PAIRS runs;"
	echo "delta: head median - base median; pair deltas: head - base within each pair."
	echo
	echo "| path | interfaces | base | head | delta, ns | pair deltas [min, max] | within $TOL ns |"
	echo "|---|---:|---|---|---:|---|---|"
	added base >"$TMP/base.added"
	added head >"$TMP/head.added"
	levels=$(tr ',' ' ' <<<"$IFACES")
	while read -r name; do
		s=$(slug <<<"$name")
		for lvl in $levels; do
			paste -d' ' \
				<(awk -v l="$lvl" -v s="$s" '$1 == l && $2 == s { print $3 }' "$TMP/base.added") \
				<(awk -v l="$lvl" -v s="$s" '$1 == l && $2 == s { print $3 }' "$TMP/head.added") |
			awk -v name="$name" -v lvl="$lvl" -v tol="$TOL" '
				function med(v, n,   i, j, t) {
					for (i = 2; i <= n; i++)
						for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
							t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
						}
					return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
				}
				NF == 2 { n++; b[n] = $1; h[n] = $2; d[n] = $2 - $1 }
				END {
					if (!n)
						exit	# not measured at this level
					bm = med(b, n); hm = med(h, n); med(d, n)
					delta = hm - bm
					# The delta to 0.01: the verdict is taken on it,
					# and "+1.0 | NO" would read as a contradiction.
					printf "| %s | %s | %.1f [%.1f, %.1f] | %.1f [%.1f, %.1f] | %+.2f | [%+.1f, %+.1f] | %s |\n",
						name, lvl, bm, b[1], b[n], hm, h[1], h[n], delta, d[1], d[n],
						(delta <= tol && delta >= -tol) ? "yes" : "NO"
				}'
		done
	done <"$TMP/same"
	if [ -s "$TMP/differ" ]; then
		echo
		echo "Pass cases not compared:"
		sed 's/^/- /' "$TMP/differ"
	fi
	echo
}

main() {
	T0=$SECONDS
	LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
	preflight
	build_base
	select_cases
	measure
	LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
	report | tee "$OUT/report.md"
	log "report in $OUT/report.md, each run's output in $OUT/runs/"
}

main "$@"
