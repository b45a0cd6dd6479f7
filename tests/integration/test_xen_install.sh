#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# make install DESTDIR=... PREFIX=...: the binary, the hook, the vif
# scripts and the xenopsd drop-in where Xen and XAPI look for them, with
# the binary's installed path filled in; the man page, the example
# config and the bash completion.  make uninstall with the same DESTDIR
# and PREFIX removes every file again, and vifguard's own directories,
# but not an operator's config.  No namespaces needed.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || vg_skip_all "needs root (make may install packages)"
dest=$(mktemp -d /tmp/vifguard-install.XXXXXX) || vg_bail "mktemp"
trap 'rm -rf "$dest"' EXIT

make -s -C "$VG_TOP" --no-print-directory install DESTDIR="$dest" PREFIX=/usr/local \
	>"$dest.out" 2>&1
rc=$?
tap_check "make install DESTDIR PREFIX=/usr/local: exit 0" 0 "$rc" "$(cat "$dest.out")"
rm -f "$dest.out"

# what kind mode path (symlink target), as find prints it
listing=$(cd "$dest" && find . ! -type d -printf '%y %m %p %l\n' | sort -k3)
expect() {
	local line=$1 what=$2 got
	got=$(awk -v p="$(cut -d' ' -f3 <<<"$line")" '$3 == p' <<<"$listing")
	tap_check "installs $what" "$line" "${got:-missing}"
}
expect "f 755 ./usr/local/sbin/vifguard " "the binary"
expect "f 755 ./etc/xen/scripts/vif-post.d/vifguard.hook " "the vif-post.d hook"
expect "f 755 ./etc/xen/scripts/vif-vifguard " "the vif script"
for s in bridge openvswitch route nat; do
	expect "l 777 ./etc/xen/scripts/vif-vifguard-$s vif-vifguard" "vif-vifguard-$s"
done
expect "f 755 ./usr/local/libexec/vifguard/setup-vif-rules " "the xenopsd drop-in"
expect "f 644 ./usr/local/share/man/man8/vifguard.8 " "the man page"
expect "f 644 ./etc/vifguard/vifguard.conf.example " "the example config"
expect "f 644 ./usr/local/share/bash-completion/completions/vifguard " "the bash completion"
tap_check "no config file is installed over the operator's" "" \
	"$(grep -F ./etc/vifguard/vifguard.conf' ' <<<"$listing")"

for f in etc/xen/scripts/vif-post.d/vifguard.hook etc/xen/scripts/vif-vifguard \
	 usr/local/libexec/vifguard/setup-vif-rules; do
	tap_check "$f names /usr/local/sbin/vifguard" "yes no" \
		"$(grep -q /usr/local/sbin/vifguard "$dest/$f" && echo yes || echo no) $(grep -q @SBINDIR@ "$dest/$f" && echo yes || echo no)"
done
bash -n "$dest/etc/xen/scripts/vif-vifguard" && bash -n "$dest/etc/xen/scripts/vif-post.d/vifguard.hook" &&
	sh -n "$dest/usr/local/libexec/vifguard/setup-vif-rules"
tap_check "installed scripts parse" 0 "$?"

# The drop-in runs the binary with xenopsd's arguments.
out=$(VIFGUARD=/bin/echo "$dest/usr/local/libexec/vifguard/setup-vif-rules" \
	classic vif3.0 5f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b 0 filter)
tap_check "setup-vif-rules hands its arguments over" \
	"setup-vif-rules classic vif3.0 5f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b 0 filter" "$out"

# A vif script under its own name refuses to run (it would call itself).
out=$("$dest/etc/xen/scripts/vif-vifguard" online type_if=vif 2>&1)
tap_check "vif-vifguard under its own name: exit 1" 1 "$?" "$out"

# uninstall: every file goes; an operator's config stays, in its directory.
installed=$(cd "$dest" && find . ! -type d | sort)
uninstall() {
	make -s -C "$VG_TOP" --no-print-directory uninstall DESTDIR="$dest" PREFIX=/usr/local \
		>"$dest.out" 2>&1
	tap_check "make uninstall DESTDIR PREFIX=/usr/local: exit 0" 0 "$?" "$(cat "$dest.out")"
	rm -f "$dest.out"
}
echo "00:16:3e:00:00:01 192.0.2.1" >"$dest/etc/vifguard/vifguard.conf"
uninstall
tap_check "uninstall: every installed file removed, the operator's config kept" \
	"./etc/vifguard/vifguard.conf" "$(cd "$dest" && find . ! -type d | sort)" "installed: $installed"
rm "$dest/etc/vifguard/vifguard.conf"
make -s -C "$VG_TOP" --no-print-directory install DESTDIR="$dest" PREFIX=/usr/local >/dev/null 2>&1
uninstall
tap_check "uninstall: nothing but empty shared directories left" "" \
	"$(cd "$dest" && find . ! -type d)"
tap_check "uninstall: vifguard's own directories removed" "" \
	"$(cd "$dest" && find . -type d \( -name vifguard -o -path ./etc/vifguard \))"
uninstall
tap_done
