# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=bash
# The Debian mirrors the host's apt uses (one-line and deb822 sources), so
# the dom0 image comes from where the host's own packages come from.

# lab_apt_uris PATTERN: the URIs of the host's Debian sources matching
# PATTERN, in file order.
lab_apt_uris()
{
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		case $f in
		*.sources) awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }' "$f" ;;
		*) awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/) { print $i; break } }' "$f" ;;
		esac
	done | grep -E "$1" || :
}

lab_mirror()
{
	local m
	m=$(lab_apt_uris '/debian/?$' | head -n 1)
	echo "${m:-http://deb.debian.org/debian}"
}

lab_security_mirror()
{
	local m
	m=$(lab_apt_uris '/debian-security/?$' | head -n 1)
	echo "${m:-http://deb.debian.org/debian-security}"
}
