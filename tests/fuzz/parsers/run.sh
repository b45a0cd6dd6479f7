#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Runs the parser harnesses built by mk/fuzz-parsers.mk.
#
#   run.sh long NAME...    each harness FUZZ_SECONDS (FUZZ_JOBS processes),
#                          corpus kept in $FUZZ_DIR/long/NAME/corpus, then a
#                          table of executions, crashes and sanitizer
#                          reports; exit 1 on any crash or report.
#   run.sh slice NAME...   TAP: each harness with -seed=1 and its -runs from
#                          slice-runs (or FUZZ_SLICE_RUNS) over a fresh
#                          corpus and its seeds, then each file of
#                          regress/NAME/ once.
#
# A crash is any artifact libFuzzer writes (crash, leak, timeout, oom) or
# a non-zero exit; a sanitizer report is any ASan, LSan or UBSan error
# report in the logs, or libFuzzer's own for a deadly signal (a broken
# contract: FUZZ_CHECK aborts), a timeout or running out of memory.
set -u

mode=${1:?usage: run.sh long|slice NAME...}
shift
dir=${FUZZ_DIR:?}
src=${FUZZ_SRC:?}
dict=$src/parsers.dict
seconds=${FUZZ_SECONDS:-100}
jobs=${FUZZ_JOBS:-1}
slice_runs=${FUZZ_SLICE_RUNS:-}

# One line per report: "==PID==ERROR: AddressSanitizer|LeakSanitizer",
# "==PID== ERROR: libFuzzer: deadly signal|timeout|out-of-memory" (an
# abort() from FUZZ_CHECK or a stub shows as a deadly signal), and
# UBSan's "runtime error:".  why_re adds the lines that say why.
report_re='^==[0-9]+== ?ERROR: |runtime error:'
why_re="$report_re|contract broken at|fuzz stub: |^SUMMARY: |Test unit written"

reports_in() {
	cat "$@" 2>/dev/null | grep -Ec "$report_re"
}

artifacts_in() {
	find "$1" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' \
		-o -name 'timeout-*' -o -name 'oom-*' \) 2>/dev/null | wc -l
}

# Executions from libFuzzer's final stats, else its "Done N runs" line;
# summed over every job's log.
execs_in() {
	local total=0 f v
	for f in "$@"; do
		[ -f "$f" ] || continue
		v=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$f" | tail -n1)
		[ -n "$v" ] || v=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$f" | tail -n1)
		total=$((total + ${v:-0}))
	done
	echo "$total"
}

common_flags() {
	# Deep recursion or a runaway loop is a finding too, not a wait.
	echo "-dict=$dict -timeout=10 -rss_limit_mb=2048 -print_final_stats=1"
}

long() {
	local name bin work rc execs crashes reports corpus bad=0 t0 t1
	local sum_execs=0 sum_crashes=0 sum_reports=0
	local summary=$dir/long/summary.txt

	mkdir -p "$dir/long"
	printf '%-10s %8s %14s %10s %8s %8s %8s\n' harness seconds executions exec/s \
		corpus crashes reports >"$summary.tmp"
	for name in "$@"; do
		bin=$dir/fuzz-$name
		work=$dir/long/$name
		# Last run's findings go: copy what matters to regress/ first.
		rm -rf "$work/artifacts" "$work"/fuzz-*.log "$work/log"
		mkdir -p "$work/corpus" "$work/artifacts"
		echo "fuzz-parsers: $name for ${seconds}s ($jobs job(s)) ..."
		t0=$(date +%s)
		if [ "$jobs" -gt 1 ]; then
			# -jobs writes fuzz-N.log into the working directory.
			(cd "$work" && "$bin" $(common_flags) -max_total_time="$seconds" \
				-jobs="$jobs" -workers="$jobs" \
				-artifact_prefix="$work/artifacts/" \
				"$work/corpus" "$src/corpus/$name" >"$work/log" 2>&1)
			rc=$?
			logs=("$work/log" "$work"/fuzz-*.log)
			execs=$(execs_in "$work"/fuzz-*.log)
		else
			"$bin" $(common_flags) -max_total_time="$seconds" \
				-artifact_prefix="$work/artifacts/" \
				"$work/corpus" "$src/corpus/$name" >"$work/log" 2>&1
			rc=$?
			logs=("$work/log")
			execs=$(execs_in "$work/log")
		fi
		t1=$(date +%s)
		crashes=$(artifacts_in "$work/artifacts")
		[ "$rc" != 0 ] && [ "$crashes" = 0 ] && crashes=1
		reports=$(reports_in "${logs[@]}")
		corpus=$(find "$work/corpus" -type f | wc -l)
		printf '%-10s %8s %14s %10s %8s %8s %8s\n' "$name" "$((t1 - t0))" "$execs" \
			"$((execs / (t1 - t0 > 0 ? t1 - t0 : 1)))" "$corpus" "$crashes" \
			"$reports" >>"$summary.tmp"
		if [ "$crashes" != 0 ] || [ "$reports" != 0 ]; then
			bad=1
			echo "fuzz-parsers: $name: $crashes crash(es), $reports report(s);" \
				"log $work/log, inputs in $work/artifacts/" >&2
			grep -E -m 20 "$why_re" "${logs[@]}" >&2
		fi
		sum_execs=$((sum_execs + execs))
		sum_crashes=$((sum_crashes + crashes))
		sum_reports=$((sum_reports + reports))
	done
	printf '%-10s %8s %14s %10s %8s %8s %8s\n' total "" "$sum_execs" "" "" \
		"$sum_crashes" "$sum_reports" >>"$summary.tmp"
	mv "$summary.tmp" "$summary"
	echo
	cat "$summary"
	echo "fuzz-parsers: $# harnesses, ${seconds}s each, $jobs job(s)," \
		"$(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "fuzz-parsers: $sum_execs executions, $sum_crashes crashes," \
		"$sum_reports sanitizer reports (table in $summary)"
	return $bad
}

tap_fail_log() {
	# The lines that say why, as TAP comments.
	{ grep -E -m 20 "$why_re" "$1" || tail -n 20 "$1"; } |
		sed 's/^/# /'
}

runs_for() {
	local r=$slice_runs
	[ -n "$r" ] || r=$(awk -v n="$1" '$1 == n { print $2 }' "$src/slice-runs")
	echo "${r:-20000}"
}

slice() {
	local name bin work n=0 bad=0 rc execs seeds f runs
	local regress=$src/regress

	for name in "$@"; do
		bin=$dir/fuzz-$name
		work=$dir/slice/$name
		# A fresh corpus each time: the same seed then replays the same runs.
		rm -rf "$work"
		mkdir -p "$work/corpus"
		seeds=$(find "$src/corpus/$name" -type f 2>/dev/null | wc -l)
		runs=$(runs_for "$name")
		"$bin" $(common_flags) -seed=1 -runs="$runs" \
			-artifact_prefix="$work/" "$work/corpus" "$src/corpus/$name" \
			>"$work/log" 2>&1
		rc=$?
		execs=$(execs_in "$work/log")
		n=$((n + 1))
		if [ "$rc" = 0 ] && [ "$(reports_in "$work/log")" = 0 ] &&
		   [ "$(artifacts_in "$work")" = 0 ]; then
			echo "ok $n - fuzz-$name: $execs runs, seed 1, $seeds seed inputs"
		else
			echo "not ok $n - fuzz-$name: exit $rc after $execs runs (log $work/log)"
			tap_fail_log "$work/log"
			bad=1
		fi
	done
	for name in "$@"; do
		for f in "$regress/$name"/*; do
			[ -f "$f" ] || continue
			n=$((n + 1))
			log=$dir/slice/$name/regress-$(basename "$f").log
			if "$dir/fuzz-$name" -runs=1 "$f" >"$log" 2>&1 &&
			   [ "$(reports_in "$log")" = 0 ]; then
				echo "ok $n - regress $name/$(basename "$f")"
			else
				echo "not ok $n - regress $name/$(basename "$f") (log $log)"
				tap_fail_log "$log"
				bad=1
			fi
		done
	done
	echo "1..$n"
	return $bad
}

case $mode in
long) long "$@" ;;
slice) slice "$@" ;;
*) echo "run.sh: unknown mode '$mode'" >&2; exit 2 ;;
esac
