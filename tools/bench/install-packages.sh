#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Installs the Debian packages listed in FILE (one a line, # comments)
# that are missing.  Usage: tools/bench/install-packages.sh FILE [TARGET]
# (TARGET, the make target that needs them, names them in messages).
set -euo pipefail

list=${1:?usage: install-packages.sh FILE [TARGET]}
who=${2:-bench}
missing=()
while read -r p _; do
	case $p in ''|'#'*) continue ;; esac
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing+=("$p")
done <"$list"
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "$who: missing packages (${missing[*]}); run as root" >&2
	exit 1
fi
echo "$who: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=300 update -qq
apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
