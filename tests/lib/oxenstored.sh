# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=bash
#
# Debian's oxenstored as a plain unix-socket xenstore, for the Xen
# integration tests and the sync benchmark (sourced).  The caller is in a
# mount namespace of its own: the daemon's socket directory is fixed.
#
# oxs_path: the daemon's path, or exit status 1.
# oxs_start DIR SHIM [CONF-LINE...]: a tmpfs on /run/xenstored, the
#   config, pid file and logs in DIR, the daemon started with SHIM
#   preloaded (it fakes the hypervisor handles oxenstored opens) and
#   dom0's name written; its PID in OXS_PID.  Exit status 1 with the
#   reason on stderr when it does not come up.

oxs_path() {
	local f
	for f in /usr/lib/xen-*/bin/oxenstored /usr/sbin/oxenstored; do
		[ -x "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

oxs_start() {
	local dir=$1 shim=$2 oxs i
	shift 2
	oxs=$(oxs_path) || { echo "oxenstored missing (xen-utils-4.17, scripts/install-deps.sh)" >&2; return 1; }
	mkdir -p /run/xenstored
	mount -t tmpfs -o mode=0755 xenstored /run/xenstored ||
		{ echo "cannot mount a tmpfs on /run/xenstored" >&2; return 1; }
	sed -e "s|^pid-file.*|pid-file = $dir/xenstored.pid|" \
		-e '/^xenstored-log-file/d' -e '/^access-log-file/d' \
		/etc/xen/oxenstored.conf >"$dir/oxenstored.conf"
	printf '%s\n' "xenstored-log-file = $dir/xenstored.log" \
		"access-log-file = $dir/xenstored-access.log" "$@" >>"$dir/oxenstored.conf"
	LD_PRELOAD=$shim "$oxs" --no-fork --no-domain-init --config-file "$dir/oxenstored.conf" \
		>"$dir/oxenstored.out" 2>&1 &
	# shellcheck disable=SC2034 # for the caller
	OXS_PID=$!
	for ((i = 0; i < 100; i++)); do
		[ -S /run/xenstored/socket ] && break
		sleep 0.05
	done
	xenstore-write /local/domain/0/name Domain-0 /local/domain/0/domid 0 ||
		{ echo "oxenstored did not start: $(cat "$dir/oxenstored.out")" >&2; return 1; }
}
