#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# `make test-kernels`: boots kernels under QEMU (software emulation, no
# Xen) with an initramfs holding this build's vifguard and vgpkt, busybox,
# ip, tc, bpftool and jq, and runs tests/kernels/init inside: the program
# verified and attached on real veth interfaces on a bridge, every read
# command, frames that must pass and must drop with their counters, an
# update in place, the address tries, detach, gc, 200 parallel attaches,
# a full drop-counter table, the verifier's figures.  Prints TAP per
# kernel and a summary; exit 0 only if every kernel passed.  Root only.
#
# KERNELS (words): "bullseye" (Debian 11's 5.10 kernel package),
# "bookworm" (Debian 12's 6.1, the Xen lab's dom0 kernel), "host" (the
# running kernel: booted from its /boot image if there is one, else the
# scenario runs on it directly, in private mount and network namespaces
# made by unshare), or IMAGE[:MODDIR], a bzImage
# and its /lib/modules/RELEASE directory (none: everything built in).
# Default: "bullseye bookworm host".  Kernel packages and busybox-static
# come from Debian with a private apt configuration (tests/lib/qemu-lab.sh)
# and are cached under $KT_CACHE (.cache/kernels).
# Environment: OUTPUT, KT_TIMEOUT (seconds per kernel, default 1500),
#   KT_QEMU_MEM (MB, default 2048), KT_QEMU_CPU (default qemu64), KT_FULL_IFACES (interfaces used to
#   fill the drop-counter table, default 200).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
OUTPUT=${OUTPUT:-$repo/build}
cache=${KT_CACHE:-$repo/.cache/kernels}
work=$OUTPUT/kernels
limit=${KT_TIMEOUT:-1500}
mem=${KT_QEMU_MEM:-2048}
full_ifaces=${KT_FULL_IFACES:-200}
kernels=${KERNELS:-bullseye bookworm host}
t_start=$(date +%s)

# shellcheck source=tests/xen/mirror.sh
. "$repo/tests/xen/mirror.sh"
# shellcheck source=tests/lib/qemu-lab.sh
. "$repo/tests/lib/qemu-lab.sh"

die() { echo "test-kernels: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root"
for f in vifguard vgpkt-static perfhold vifguard.bpf.o; do
	[ -f "$OUTPUT/$f" ] || die "$OUTPUT/$f is missing (make all $OUTPUT/vgpkt-static $OUTPUT/perfhold)"
done
mkdir -p "$work" "$cache"
lab_host_packages "$here/host-packages" "$work/apt.log" ||
	die "apt-get install failed (see $work/apt.log)"

# The cache's key: what defines its contents (the two functions below).
key=$( { sed -n '/^debian_kernel()/,/^}/p; /^pick_modules()/,/^}/p' "$here/run.sh"
	cat "$repo/tests/xen/mirror.sh" "$repo/tests/lib/qemu-lab.sh" "$here/modules"; echo "$(lab_mirror) $(lab_security_mirror)"; } | sha256sum | cut -c1-12)
exec 9>"$cache/.lock"
flock 9

# debian_kernel SUITE: fills $cache/SUITE-$key (vmlinuz, kernel-release,
# package, lib/modules/RELEASE with the modules the scenario needs) from
# the kernel package behind SUITE's linux-image-amd64; busybox-static of
# bookworm goes to $cache/busybox-$key.
debian_kernel()
{
	local suite=$1 dir=$cache/$1-$key apt=$cache/apt-$1 tmp pkg krel
	[ -f "$dir/kernel-release" ] && return 0
	tmp=$dir.tmp
	rm -rf "$tmp" && mkdir -p "$tmp/x"
	echo "test-kernels: fetching the $suite kernel ($(lab_mirror))"
	lab_apt "$apt" "$suite" update >"$work/apt-$suite.log" 2>&1 ||
		{ tail -n 5 "$work/apt-$suite.log" >&2; return 1; }
	pkg=$(lab_apt "$apt" "$suite" cache depends linux-image-amd64 |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	[ -n "$pkg" ] || { echo "test-kernels: no kernel behind $suite's linux-image-amd64" >&2; return 1; }
	(cd "$tmp" && lab_apt "$apt" "$suite" download "$pkg") >>"$work/apt-$suite.log" 2>&1 ||
		{ tail -n 5 "$work/apt-$suite.log" >&2; return 1; }
	dpkg-deb -x "$tmp"/"$pkg"_*.deb "$tmp/x"
	krel=$(ls "$tmp/x/lib/modules")
	cp "$tmp/x/boot/vmlinuz-$krel" "$tmp/vmlinuz"
	echo "$pkg $(dpkg-deb -f "$tmp"/"$pkg"_*.deb Version)" >"$tmp/package"
	depmod -b "$tmp/x" "$krel"
	pick_modules "$tmp/x/lib/modules/$krel" "$tmp/lib/modules/$krel" || return 1
	echo "$krel" >"$tmp/kernel-release"
	if [ ! -x "$cache/busybox-$key/busybox" ]; then
		rm -rf "$tmp/bb" && mkdir -p "$tmp/bb" "$cache/busybox-$key"
		(cd "$tmp/bb" && lab_apt "$apt" "$suite" download busybox-static) \
			>>"$work/apt-$suite.log" 2>&1 &&
			dpkg-deb -x "$tmp"/bb/busybox-static_*.deb "$tmp/bb/x" &&
			install -m 0755 "$tmp/bb/x/bin/busybox" "$cache/busybox-$key/busybox" ||
			{ echo "test-kernels: cannot fetch busybox-static" >&2; return 1; }
	fi
	rm -rf "$tmp/x" "$tmp"/*.deb "$tmp/bb" "$apt"
	rm -rf "$dir" && mv "$tmp" "$dir"
}

# pick_modules SRC DST: copies the modules of tests/kernels/modules and
# their dependencies from the module tree SRC (a /lib/modules/RELEASE) to
# DST, uncompressed, with DST/load listing them in load order.  A module
# built into the kernel needs nothing.
pick_modules()
{
	local src=$1 dst=$2 base krel m line f
	krel=$(basename "$src")
	base=$(mktemp -d)
	mkdir -p "$base/lib/modules" "$dst"
	# depmod writes into the tree: a copy, unless it has its modules.dep.
	if [ -f "$src/modules.dep" ]; then
		ln -s "$src" "$base/lib/modules/$krel"
	else
		cp -a "$src" "$base/lib/modules/$krel" && depmod -b "$base" "$krel" || return 1
	fi
	: >"$dst/load"
	for m in $(sed 's/#.*//' "$here/modules" | xargs); do
		modprobe -d "$base" -S "$krel" --show-depends "$m" 2>/dev/null |
		while read -r line; do
			case $line in
			insmod\ *)
				f=${line#insmod }
				f=${f%% *}
				n=$(basename "$f")
				grep -qx "${n%%.ko*}.ko" "$dst/load" && continue
				case $f in
				*.xz) xz -dc "$f" >"$dst/${n%%.ko*}.ko" ;;
				*.zst) zstd -qdc "$f" >"$dst/${n%%.ko*}.ko" ;;
				*.gz) gzip -dc "$f" >"$dst/${n%%.ko*}.ko" ;;
				*) cp "$f" "$dst/${n%%.ko*}.ko" ;;
				esac
				echo "${n%%.ko*}.ko" >>"$dst/load"
				;;
			esac
		done
	done
	rm -rf "$base"
}

# The kernels: "label|image|module dir|note" lines.
list=$work/kernel-list
: >"$list"
for k in $kernels; do
	case $k in
	bullseye | bookworm)
		debian_kernel "$k" || die "cannot fetch the $k kernel (see $work/apt-$k.log)"
		d=$cache/$k-$key
		echo "$k $(cat "$d/kernel-release")|$d/vmlinuz|$d/lib/modules/$(cat "$d/kernel-release")|$(cat "$d/package")" >>"$list"
		;;
	host)
		r=$(uname -r)
		if [ -f "/boot/vmlinuz-$r" ] && [ -d "/lib/modules/$r" ]; then
			mdir=$work/host-modules/$r
			rm -rf "$work/host-modules"
			pick_modules "/lib/modules/$r" "$mdir"
			echo "host $r|/boot/vmlinuz-$r|$mdir|the running kernel" >>"$list"
		else
			echo "host $r|-||the running kernel, no image to boot: in namespaces" >>"$list"
		fi
		;;
	*)
		img=${k%%:*} mdir=
		[ "$img" = "$k" ] || mdir=${k#*:}
		[ -f "$img" ] || die "$img: no such kernel image"
		if [ -n "$mdir" ]; then
			[ -d "$mdir" ] || die "$mdir: no such module directory"
			pick_modules "$(cd "$mdir" && pwd)" "$work/mods-$(basename "$mdir")"
			mdir=$work/mods-$(basename "$mdir")
		fi
		v=$(file -bL "$img" | sed -n 's/.*version \([^ ]*\).*/\1/p')
		echo "${v:-$(basename "$img")}|$(cd "$(dirname "$img")" && pwd)/$(basename "$img")|$mdir|given" >>"$list"
		;;
	esac
done
busybox=$cache/busybox-$key/busybox
if [ ! -x "$busybox" ]; then
	# No Debian kernel asked for: busybox-static alone, from bookworm.
	d=$cache/busybox-$key
	mkdir -p "$d/tmp"
	{ lab_apt "$cache/apt-bookworm" bookworm update &&
	  (cd "$d/tmp" && lab_apt "$cache/apt-bookworm" bookworm download busybox-static) &&
	  dpkg-deb -x "$d"/tmp/busybox-static_*.deb "$d/tmp/x" &&
	  install -m 0755 "$d/tmp/x/bin/busybox" "$d/busybox"; } >"$work/apt-busybox.log" 2>&1 ||
		die "cannot fetch busybox-static (see $work/apt-busybox.log)"
	rm -rf "$d/tmp" "$cache/apt-bookworm"
fi
# Caches of other keys can never be used again.
for old in "$cache"/*-*; do
	case $old in *-"$key") ;; *) rm -rf "$old" ;; esac
done
flock -u 9

# --- the initramfs common to every kernel -------------------------------
base=$work/base
rm -rf "$base"
mkdir -p "$base"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,run,tmp,etc,lib/modules,vg}
install -m 0755 "$busybox" "$base/bin/busybox"
install -m 0755 "$here/init" "$base/init"
install -m 0755 "$OUTPUT/vifguard" "$base/usr/sbin/vifguard"
install -m 0755 "$OUTPUT/vgpkt-static" "$base/usr/bin/vgpkt"
install -m 0755 "$OUTPUT/perfhold" "$base/usr/bin/perfhold"
install -m 0644 "$OUTPUT/vifguard.bpf.o" "$base/vg/vifguard.bpf.o"
install -m 0755 "$repo/tests/xen/verifier-count.sh" "$base/vg/verifier-count.sh"
echo "$full_ifaces" >"$base/vg/full-ifaces"
for b in /usr/sbin/ip /usr/sbin/tc /usr/sbin/bpftool /usr/bin/jq; do
	[ -x "$b" ] || die "$b is missing (tests/kernels/host-packages)"
	install -D -m 0755 "$b" "$base$b"
done
# The shared libraries, where the dynamic loader looks for them.
for lib in $(ldd "$OUTPUT/vifguard" /usr/sbin/ip /usr/sbin/tc /usr/sbin/bpftool /usr/bin/jq |
	awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $1 !~ /:$/ { print $1 }' | sort -u); do
	install -D -m 0755 "$lib" "$base$lib"
done
mknod -m 0600 "$base/dev/console" c 5 1
mknod -m 0666 "$base/dev/null" c 1 3

# --- boot ----------------------------------------------------------------
summary=$work/summary
: >"$summary"
failed=0
while IFS='|' read -r label img mdir note; do
	case $note in
	SKIP:*)
		echo "# $label: ${note#SKIP: }"
		echo "$label|SKIP|${note#SKIP: }" >>"$summary"
		continue
		;;
	esac
	name=$(echo "$label" | tr -c 'A-Za-z0-9.\n-' _)
	kw=$work/$name
	rm -rf "$kw" && mkdir -p "$kw/root/lib/modules"
	if [ -n "$mdir" ] && [ -f "$mdir/load" ]; then
		cp "$mdir"/*.ko "$mdir/load" "$kw/root/lib/modules/" 2>/dev/null
	fi
	echo "$label" >"$kw/root/vg-kernel"
	if [ "$img" = - ]; then
		echo "# kernel $label ($note), timeout ${limit}s"
		h=$kw/host
		case $h in /run/* | /var/run/*) die "$h: the host scenario needs OUTPUT outside /run" ;; esac
		mkdir -p "$h/bin" "$h/tmp"
		cp -r "$base/vg" "$h/vg"
		cp "$kw/root/vg-kernel" "$h/vg-kernel"
		install -m 0755 "$OUTPUT/vifguard" "$h/bin/vifguard"
		install -m 0755 "$OUTPUT/vgpkt-static" "$h/bin/vgpkt"
		install -m 0755 "$OUTPUT/perfhold" "$h/bin/perfhold"
	else
		{ (cd "$base" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) &&
		  (cd "$kw/root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0); } |
			gzip -1 >"$kw/initramfs.gz" || die "cannot build the initramfs for $label"
		echo "# kernel $label ($note), initramfs $(du -k "$kw/initramfs.gz" | cut -f1) kB, timeout ${limit}s"
	fi
	t=$(date +%s)
	if [ "$img" = - ]; then
		VGK_HOST=$h timeout -k 10 "$limit" unshare --pid --fork --mount-proc --mount --net \
			--propagation private \
			"$busybox" sh "$here/init" </dev/null 2>&1
	else
		timeout -k 10 "$limit" qemu-system-x86_64 -machine q35 -accel tcg -cpu "${KT_QEMU_CPU:-qemu64}" \
			-m "$mem" -smp 2 -nographic -no-reboot -monitor none -serial stdio -nic none \
			-kernel "$img" -initrd "$kw/initramfs.gz" \
			-append "console=ttyS0 panic=-1 quiet loglevel=3 no_timer_check rdinit=/init" </dev/null 2>&1
	fi |
	{
		exec 3>"$kw/serial.log"
		ok=0 nok=0 fin=0
		while IFS= read -r line; do
			line=${line%$'\r'}
			printf '%s\n' "$line" >&3
			case $line in *@@VGK\ *) ;; *) continue ;; esac
			line=${line#*@@VGK }
			case $line in
			"ok "*) ok=$((ok + 1)); echo "$line" ;;
			"not ok "*) nok=$((nok + 1)); echo "$line" ;;
			DONE) fin=1 ;;
			*) echo "$line" ;;
			esac
		done
		echo "$ok $nok $fin" >"$kw/result"
	}
	rc=${PIPESTATUS[0]}
	secs=$(($(date +%s) - t))
	read -r ok nok fin <"$kw/result"
	verdict=PASS why=
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		verdict=FAIL why="killed after ${limit}s"
	elif [ "$fin" != 1 ]; then
		verdict=FAIL why="the scenario did not finish (exit $rc)"
	elif [ "$nok" != 0 ]; then
		verdict=FAIL why="$nok failed"
	fi
	vf=$(sed -n 's/.*@@VGK # \(verifier .*\)/\1/p' "$kw/serial.log" | head -n 1)
	echo "# $label: $verdict, $ok passed, $nok failed, ${secs} s${why:+: $why}; serial log $kw/serial.log"
	echo "$label|$verdict|$ok ok, $nok not ok, ${secs} s${why:+, $why}; $vf" >>"$summary"
	[ "$verdict" = PASS ] || failed=$((failed + 1))
done <"$list"

echo "test-kernels: summary (total $(($(date +%s) - t_start)) s)"
sed 's/|/: /; s/|/ - /' "$summary" | sed 's/^/  /'
[ "$failed" = 0 ] || die "$failed kernel(s) failed"
echo "test-kernels: PASS"
