#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Builds the guests' initramfs: the static busybox and xen-netfront.ko of
# the dom0 image (same kernel as the guests boot), the static vgpkt frame
# crafter, the guest init, its scenario scripts and the DHCP client's
# event script.  About 2 MB, built at every run because vgpkt is part of
# the tree under test.
# Usage: build-guest.sh IMAGE_DIR VGPKT_STATIC OUT.cpio
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
img=${1:?usage: build-guest.sh IMAGE_DIR VGPKT_STATIC OUT.cpio}
vgpkt=${2:?}
out=${3:?}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"/{bin,dev,proc,sys,run,tmp,lib/modules,scen}
install -m 0755 "$img/guest/busybox" "$tmp/bin/busybox"
ln -s busybox "$tmp/bin/sh"
install -m 0644 "$img/guest/xen-netfront.ko" "$tmp/lib/modules/"
install -m 0755 "$vgpkt" "$tmp/bin/vgpkt"
install -m 0755 "$here/guest/init" "$tmp/init"
install -m 0644 "$here/guest/lib" "$tmp/lib.sh"
install -m 0755 "$here/guest/udhcpc.script" "$tmp/bin/vg-udhcpc"
install -m 0644 "$here/cases" "$tmp/cases"
for s in "$here"/guest/scen/*; do
	install -m 0755 "$s" "$tmp/scen/"
done
(cd "$tmp" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) >"$out.tmp"
mv -f "$out.tmp" "$out"
