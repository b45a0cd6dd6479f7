#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Builds the lab's cacheable parts from Debian bookworm packages into DIR:
#   base.cpio     dom0 root file system (debootstrap minbase + dom0-packages,
#                 modules trimmed to dom0-modules), an uncompressed newc
#                 archive that the lab concatenates with a per-run overlay
#   xen           the hypervisor, uncompressed (QEMU's multiboot loader
#                 cannot take the .gz)
#   vmlinuz       the dom0 and guest kernel (also /boot/vmlinuz in the image)
#   guest/        busybox (static) and xen-netfront.ko for guest images
#   kernel-release, packages.txt, files.txt   what went in
# Nothing of vifguard goes in here: the lab installs the current build on
# top at every run.  Usage: build-rootfs.sh DIR   (DIR must not exist)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build-rootfs.sh DIR}
suite=bookworm
[ ! -e "$out" ] || { echo "build-rootfs: $out exists" >&2; exit 1; }

# shellcheck source=tests/xen/mirror.sh
. "$here/mirror.sh"
mirror=$(lab_mirror)
security=$(lab_security_mirror)

tmp=$out.tmp.$$
root=$tmp/root
mounted=
cleanup()
{
	[ -z "$mounted" ] || umount -l "$root/proc" 2>/dev/null || :
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp"

pkgs=$(sed 's/#.*//' "$here/dom0-packages" | xargs)

step() { printf '  %-8s %s\n' "$1" "$2"; }

step ROOTFS "debootstrap --variant=minbase $suite ($mirror)"
debootstrap --variant=minbase "$suite" "$root" "$mirror" \
	>"$tmp/debootstrap.log" 2>&1 || {
	tail -n 20 "$tmp/debootstrap.log" >&2
	echo "build-rootfs: debootstrap failed" >&2
	exit 1
}

# The same suites as the host, so that the libraries build/vifguard was
# linked against are the versions the image runs.
cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security $suite-security main
EOF
# Package scripts must not start daemons inside the chroot.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
mount -t proc proc "$root/proc"
mounted=1

step ROOTFS "apt-get install $pkgs"
inchroot()
{
	chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"
}
# shellcheck disable=SC2086  # one word per package
{
	inchroot apt-get update -q &&
	inchroot apt-get install -y -q --no-install-recommends $pkgs
} >"$tmp/apt.log" 2>&1 || {
	tail -n 20 "$tmp/apt.log" >&2
	echo "build-rootfs: apt-get install in the image failed" >&2
	exit 1
}

# linux-image and the hypervisor are unpacked, not installed: their
# maintainer scripts would build an initrd and a grub config for nothing.
kpkg=$(inchroot apt-cache depends linux-image-amd64 |
	awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
[ -n "$kpkg" ] || { echo "build-rootfs: no kernel package behind linux-image-amd64" >&2; exit 1; }
step ROOTFS "unpack $kpkg and xen-hypervisor-4.17-amd64"
inchroot sh -c "cd /tmp && apt-get download -q $kpkg xen-hypervisor-4.17-amd64" \
	>>"$tmp/apt.log" 2>&1 || {
	tail -n 20 "$tmp/apt.log" >&2
	echo "build-rootfs: apt-get download failed" >&2
	exit 1
}
mkdir -p "$tmp/kernel" "$tmp/hv"
dpkg-deb -x "$root"/tmp/"$kpkg"_*.deb "$tmp/kernel"
dpkg-deb -x "$root"/tmp/xen-hypervisor-4.17-amd64_*.deb "$tmp/hv"
krel=$(ls "$tmp/kernel/lib/modules")
zcat "$tmp"/hv/boot/xen-4.17-amd64.gz >"$tmp/xen"
cp "$tmp/kernel/boot/vmlinuz-$krel" "$tmp/vmlinuz"
install -D -m 0644 "$tmp/vmlinuz" "$root/boot/vmlinuz-$krel"
ln -s "vmlinuz-$krel" "$root/boot/vmlinuz"

# The modules dom0 loads, with everything they depend on.
kmods=$tmp/kernel/lib/modules/$krel
depmod -b "$tmp/kernel" "$krel"
want=$(sed 's/#.*//' "$here/dom0-modules" | xargs)
keep=$(awk -v want="$want" '
	BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) { gsub("-", "_", w[i]); wanted[w[i]] = 1 } }
	{
		sub(":", "", $1); path = $1
		name = path; sub(".*/", "", name); sub("\\.ko.*", "", name); gsub("-", "_", name)
		deps[path] = ""; for (i = 2; i <= NF; i++) deps[path] = deps[path] " " $i
		byname[name] = path
	}
	END {
		for (m in wanted) {
			if (!(m in byname)) { print "MISSING " m; continue }
			stack[++sp] = byname[m]
		}
		while (sp > 0) {
			p = stack[sp--]; if (p in seen) continue; seen[p] = 1; print p
			n = split(deps[p], d, " "); for (i = 1; i <= n; i++) stack[++sp] = d[i]
		}
	}' "$kmods/modules.dep")
if grep -q '^MISSING' <<<"$keep"; then
	echo "build-rootfs: not in $kpkg: $(grep '^MISSING' <<<"$keep" | cut -d' ' -f2 | xargs)" >&2
	exit 1
fi
dst=$root/lib/modules/$krel
mkdir -p "$dst"
cp "$kmods"/modules.order "$kmods"/modules.builtin* "$dst/"
while read -r m; do
	install -D -m 0644 "$kmods/$m" "$dst/$m"
done <<<"$keep"
depmod -b "$root" "$krel"

# What a guest initramfs takes from the image: the static busybox and the
# netfront driver of the same kernel.
mkdir -p "$tmp/guest"
cp "$root/bin/busybox" "$tmp/guest/busybox"
cp "$dst/$(grep -m 1 '/xen-netfront\.ko' <<<"$keep")" "$tmp/guest/xen-netfront.ko"

step ROOTFS "trim and pack"
inchroot dpkg-query -W -f '${Package} ${Version}\n' >"$tmp/packages.txt"
echo "$kpkg $(dpkg-deb -f "$root"/tmp/"$kpkg"_*.deb Version)" >>"$tmp/packages.txt"
echo "xen-hypervisor-4.17-amd64 $(dpkg-deb -f "$root"/tmp/xen-hypervisor-4.17-amd64_*.deb Version)" \
	>>"$tmp/packages.txt"
echo "$krel" >"$tmp/kernel-release"
inchroot apt-get clean
umount "$root/proc"
mounted=
rm -f "$root/usr/sbin/policy-rc.d"
rm -rf "$root"/tmp/* "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin \
	"$root"/usr/share/doc "$root"/usr/share/man "$root"/usr/share/info \
	"$root"/usr/share/locale "$root"/var/log/*.log \
	"$root"/usr/lib/udev/hwdb.bin "$root"/etc/udev/hwdb.bin
find "$root" -name __pycache__ -prune -exec rm -rf {} +
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort) >"$tmp/files.txt"
(cd "$root" && cpio -o -H newc --quiet <"$tmp/files.txt") >"$tmp/base.cpio"
rm -rf "$root" "$tmp/kernel" "$tmp/hv"
mv "$tmp" "$out"
trap - EXIT
step ROOTFS "$(du -sh "$out/base.cpio" | cut -f1) dom0 image, kernel $krel"
