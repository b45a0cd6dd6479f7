#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# The real-Xen lab: boots Xen 4.17 and a Debian dom0 under QEMU (software
# emulation), with the current build of vifguard installed by its own
# `make install`, and runs the scenarios inside dom0 against busybox PV
# guests.  Prints one TAP line per scenario and a summary; exit 0 only if
# every scenario passed.  Root only.
#
# Steps: host packages, dom0 image (cached under $XENLAB_CACHE, keyed by a
# hash of everything that defines it), install (make install into an
# overlay), guest image, dom0 initramfs (cached image + overlay), verifier
# count on the host kernel, boot and scenarios.  A failure names its step;
# the serial console is kept in $OUTPUT/xenlab/serial.log.
#
# Usage: run.sh [SCENARIO...]
# Environment: OUTPUT (build directory), MAKE, XENLAB_CACHE,
#   XENLAB_SCENARIOS, XENLAB_SCENARIO_TIMEOUT (seconds per scenario inside
#   dom0, default 420), XENLAB_QEMU_MEM (MB, default 3072), XENLAB_QEMU_CPU.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
OUTPUT=${OUTPUT:-$repo/build}
MAKE=${MAKE:-make}
cache=${XENLAB_CACHE:-$repo/.cache/xenlab}
work=$OUTPUT/xenlab
serial=$work/serial.log
scen_limit=${XENLAB_SCENARIO_TIMEOUT:-420}
qemu_mem=${XENLAB_QEMU_MEM:-3072}
# -smap: dom0 dies at its first exception with SMAP under emulation;
# -rdtscp: PVH guests hang on its emulation; -xsave: with XSAVE (and so
# AVX2) dom0 and guest processes crash now and then in glibc's AVX2
# string functions, with corrupted registers.
qemu_cpu=${XENLAB_QEMU_CPU:-max,-smap,-rdtscp,-xsave}
t_start=$(date +%s)
cur_step=

step()
{
	cur_step=$1
	printf 'xenlab: %-18s %s\n' "$1" "${2:-}"
}

fail_step()
{
	echo "xenlab: FAILED at step '$cur_step': $*" >&2
	[ ! -s "$serial" ] || echo "xenlab: serial log kept in $serial" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || { cur_step=start; fail_step "run as root"; }
if [ $# -gt 0 ]; then
	scenarios="$*"
else
	scenarios=${XENLAB_SCENARIOS:-$(sed 's/#.*//' "$here/scenarios" | xargs)}
fi
mkdir -p "$work" "$cache"
rm -f "$serial"

# --- host packages ------------------------------------------------------
step "host packages"
# shellcheck source=tests/lib/qemu-lab.sh
. "$repo/tests/lib/qemu-lab.sh"
lab_host_packages "$here/host-packages" "$work/apt.log" ||
	fail_step "apt-get install failed (see $work/apt.log)"

# --- dom0 image (cached) ------------------------------------------------
step "dom0 image"
# shellcheck source=tests/xen/mirror.sh
. "$here/mirror.sh"
key=$( { cat "$here/build-rootfs.sh" "$here/mirror.sh" "$here/dom0-packages" \
	"$here/dom0-modules"; echo "bookworm $(lab_mirror) $(lab_security_mirror)"; } |
	sha256sum | cut -c1-16)
img=$cache/img-$key
exec 9>"$cache/.lock"
flock 9
if [ -f "$img/base.cpio" ]; then
	echo "xenlab: cached image $img"
else
	t=$(date +%s)
	"$here/build-rootfs.sh" "$img" || fail_step "building the dom0 image failed"
	echo "xenlab: image built in $(($(date +%s) - t)) s"
	# Images of other keys can never be used again.
	for old in "$cache"/img-*; do
		[ "$old" = "$img" ] || rm -rf "$old"
	done
fi
flock -u 9
krel=$(cat "$img/kernel-release")

# --- install (never cached: always the current build) -------------------
step install "make install DESTDIR=<dom0 overlay>"
ov=$work/overlay
rm -rf "$ov"
mkdir -p "$ov"
$MAKE -C "$repo" --no-print-directory install DESTDIR="$ov" >"$work/install.log" 2>&1 ||
	{ tail -n 20 "$work/install.log" >&2; fail_step "make install failed"; }
vg=$(cd "$ov" && find . -path '*/sbin/vifguard' -type f | head -n 1)
if [ -n "$vg" ]; then
	# The image must hold every library the build links against (and the
	# dlopen()ed libxenstore), or dom0 fails in ways that look like
	# product bugs.  The static build (STATIC=1) needs none.
	dl=libxenstore.so.4
	readelf -l "$ov/$vg" | grep -q INTERP || dl=
	for lib in $(readelf -d "$ov/$vg" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p') $dl; do
		grep -Eq "^\./(usr/)?lib/x86_64-linux-gnu/$lib\$" "$img/files.txt" ||
			fail_step "$vg needs $lib, which the dom0 image lacks (add its package to tests/xen/dom0-packages)"
	done
	echo "xenlab: installed $(cd "$ov" && find . -type f | wc -l) files, ${vg#.}"
else
	echo "xenlab: make install put no vifguard binary in place: scenarios that need it will fail"
fi

# --- guest image --------------------------------------------------------
step "guest image"
vgpkt=$OUTPUT/vgpkt-static
[ -x "$vgpkt" ] || fail_step "$vgpkt is missing (make $vgpkt)"
mkdir -p "$ov/lab"
"$here/build-guest.sh" "$img" "$vgpkt" "$ov/lab/guest.cpio" ||
	fail_step "building the guest initramfs failed"

# --- dom0 initramfs -----------------------------------------------------
step "dom0 initramfs"
install -m 0755 "$here/dom0/init" "$ov/init"
install -m 0755 "$here/dom0/run-scenarios" "$ov/lab/run-scenarios"
install -m 0644 "$here/dom0/lib.sh" "$here/dom0-modules" "$ov/lab/"
install -m 0755 "$here/verifier-count.sh" "$ov/lab/"
install -m 0644 "$here/cases" "$ov/lab/"
install -D -m 0755 "$vgpkt" "$ov/lab/bin/vgpkt"
install -m 0755 "$here/dom0/vif-xapi" "$ov/lab/bin/vif-xapi"
mkdir -p "$ov/lab/scen"
install -m 0755 "$here"/dom0/scen/* "$ov/lab/scen/"
[ ! -f "$OUTPUT/vifguard.bpf.o" ] || install -m 0644 "$OUTPUT/vifguard.bpf.o" "$ov/lab/"
tr -s " " "\n" <<<"$scenarios" >"$ov/lab/scenarios"
echo "VGLAB_SCENARIO_TIMEOUT=$scen_limit" >"$ov/lab/env"
# The kernel unpacks concatenated archives in order: the overlay's files
# land on top of the cached image.
(cd "$ov" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) \
	>"$work/overlay.cpio" || fail_step "cpio of the overlay failed"
cat "$img/base.cpio" "$work/overlay.cpio" >"$work/dom0.cpio" ||
	fail_step "cannot write $work/dom0.cpio"
echo "xenlab: $(du -m "$work/dom0.cpio" | cut -f1) MB initramfs, overlay $(du -k "$work/overlay.cpio" | cut -f1) kB"

# --- verifier on the host kernel ----------------------------------------
step "verifier (host)"
if [ -f "$OUTPUT/vifguard.bpf.o" ]; then
	"$here/verifier-count.sh" "$OUTPUT/vifguard.bpf.o" "host $(uname -r)" ||
		fail_step "the program does not load on the host kernel"
else
	echo "xenlab: $OUTPUT/vifguard.bpf.o not built"
fi

# --- boot and scenarios -------------------------------------------------
n=$(wc -w <<<"$scenarios")
limit=$((240 + n * (scen_limit + 40)))
step boot "Xen + dom0 $krel under QEMU (timeout ${limit}s), scenarios: $scenarios"
results=$work/results
: >"$results"
t_boot=$(date +%s)
# Commas inside a multiboot module's arguments would have to be doubled:
# the paths must have none.
case "$img$work" in *,*) fail_step "a path contains a comma: $img $work" ;; esac
timeout -k 20 "$limit" qemu-system-x86_64 \
	-machine q35 -cpu "$qemu_cpu" -m "$qemu_mem" -smp 2 \
	-nographic -no-reboot -monitor none -serial stdio -nic none \
	-kernel "$img/xen" \
	-append "dom0_mem=1024M,max:1024M dom0_max_vcpus=2 console=com1 com1=115200,8n1" \
	-initrd "$img/vmlinuz console=hvc0 earlyprintk=xen,$work/dom0.cpio" \
	</dev/null 2>&1 | {
	exec 3>"$serial"
	set -f
	num=0
	while IFS= read -r line; do
		line=${line%$'\r'}
		printf '%s\n' "$line" >&3
		case $line in *@@VGLAB\ *) ;; *) continue ;; esac
		# shellcheck disable=SC2086  # split into words (globbing is off)
		set -- ${line#*@@VGLAB }
		what=$1
		shift
		case $what in
		RESULT)
			num=$((num + 1))
			name=$1 res=$2 secs=$3
			shift 3
			echo "$name $res" >>"$results"
			case $res in
			PASS) echo "ok $num - $name (${secs} s)" ;;
			SKIP) echo "ok $num - $name # SKIP $*" ;;
			*) echo "not ok $num - $name (${secs} s): $*" ;;
			esac
			;;
		BEGIN) echo "begin $1" >>"$results" ;;
		INFO|BOOT|XEN) echo "# $*" ;;
		FATAL) echo "# FATAL: $*"; echo "fatal $*" >>"$results" ;;
		DONE) echo "done" >>"$results" ;;
		esac
	done
}
rc=${PIPESTATUS[0]}
boot_secs=$(($(date +%s) - t_boot))

# --- verdict ------------------------------------------------------------
pass=0 fail=0 skip=0 missing=()
for s in $scenarios; do
	r=$(awk -v s="$s" '$1 == s { r = $2 } END { print r }' "$results")
	case $r in
	PASS) pass=$((pass + 1)) ;;
	SKIP) skip=$((skip + 1)) ;;
	'') missing+=("$s"); fail=$((fail + 1)) ;;
	*) fail=$((fail + 1)) ;;
	esac
done
total=$(($(date +%s) - t_start))
echo "xenlab: $pass passed, $fail failed, $skip skipped; QEMU ${boot_secs} s, total ${total} s; serial log: $serial"
cur_step=verdict
if grep -q '^fatal' "$results"; then
	cur_step="dom0 boot"
	fail_step "$(sed -n 's/^fatal //p' "$results" | head -n 1)"
fi
if [ ${#missing[@]} -gt 0 ]; then
	last=$(sed -n 's/^begin //p' "$results" | tail -n 1)
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		cur_step=boot
		fail_step "QEMU killed after ${limit}s${last:+ during scenario $last}; no result for ${missing[*]}"
	fi
	grep -q '^done' "$results" ||
		{ cur_step=boot; fail_step "dom0 stopped (QEMU exit $rc)${last:+ during scenario $last}; no result for ${missing[*]}"; }
	cur_step=scenarios
	fail_step "no result for ${missing[*]}"
fi
[ "$fail" = 0 ] || { cur_step=scenarios; fail_step "$fail scenario(s) failed"; }
echo "xenlab: PASS"
exit 0
