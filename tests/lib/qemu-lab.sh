# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=bash
# Shared by the QEMU labs (tests/xen, tests/kernels): host packages, and
# Debian packages fetched without touching the host's apt configuration.

# lab_host_packages LIST LOG: installs the packages of LIST (one a line,
# '#' comments) that the host lacks; returns 1 if apt-get fails (see LOG).
lab_host_packages()
{
	local p st missing=()
	for p in $(sed 's/#.*//' "$1" | xargs); do
		st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		[ "$st" = "install ok installed" ] || missing+=("$p")
	done
	[ ${#missing[@]} -gt 0 ] || return 0
	echo "lab: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	{ apt-get -o DPkg::Lock::Timeout=300 update -qq &&
	  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \
		"${missing[@]}"; } >"$2" 2>&1
}

# lab_apt DIR SUITE ARGS...: apt-get (or apt-cache, if ARGS starts with
# "cache") with a private configuration under DIR: the Debian suite SUITE
# (with -updates and -security) from the host's mirrors, its own lists,
# cache and an empty dpkg status, so that the host's sources and state
# are never read nor changed.  `lab_apt DIR SUITE update` first.
lab_apt()
{
	local dir=$1 suite=$2 tool=apt-get kr=/usr/share/keyrings/debian-archive-keyring.gpg
	shift 2
	if [ "$1" = cache ]; then
		tool=apt-cache
		shift
	fi
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/parts"
	[ -f "$dir/status" ] || : >"$dir/status"
	[ -f "$dir/sources.list" ] || cat >"$dir/sources.list" <<-EOS
	deb [signed-by=$kr] $(lab_mirror) $suite main
	deb [signed-by=$kr] $(lab_mirror) $suite-updates main
	deb [signed-by=$kr] $(lab_security_mirror) $suite-security main
	EOS
	"$tool" -q -o Dir::Etc::SourceList="$dir/sources.list" \
		-o Dir::Etc::SourceParts="$dir/parts" \
		-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts="$dir/parts" \
		-o Dir::State::Lists="$dir/lists" -o Dir::State::status="$dir/status" \
		-o Dir::Cache="$dir/cache" -o Debug::NoLocking=1 \
		-o APT::Architecture=amd64 "$@"
}
