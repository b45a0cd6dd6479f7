#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# The sync section of `make bench` (run.sh): `vifguard sync` on a host
# with N guest interfaces, in three cases:
#   first    nothing in force (the first sync after boot),
#   same     everything in force and unchanged (a toolstack restart),
#   changed  every VIF's ip= changed in xenstore.
# Each case is timed as a whole process, REPS times, each repetition on a
# fresh bpffs root; prints "sync CASE SECONDS" lines and checks after each
# run that every interface holds the policy xenstore gives it.
#
# xenstore is the integration tests' (test_xen_lib.bash): Debian's
# oxenstored on its unix socket, with test_xen_shim.so standing in for
# the hypervisor.  Its socket path is fixed, so the script runs in a
# private mount and PID namespace of its own (re-executing itself), and
# removes its namespaces, mounts and daemon on exit.
#
# Environment: VIFGUARD, OUTPUT, SYNC_VIFS (1000), SYNC_REPS (5).

set -u
set -o pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/lib/oxenstored.sh
. "$TOP/tests/lib/oxenstored.sh"
OUTPUT=${OUTPUT:-$TOP/build}
VIFGUARD=${VIFGUARD:-$OUTPUT/vifguard}
SHIM=$OUTPUT/test_xen_shim.so
N=${SYNC_VIFS:-1000}
REPS=${SYNC_REPS:-5}
BE=/local/domain/0/backend/vif

log() { echo "bench: sync: $*" >&2; }
die() {
	log "FAILED: $*"
	exit 1
}

if [ -z "${VG_SYNC_INNER:-}" ]; then
	[ "$(id -u)" = 0 ] || die "needs root"
	VG_SYNC_INNER=1 exec unshare -m -p --fork --mount-proc --propagation private \
		"$BASH" "$0" "$@"
fi

H=vgsync$$-host
O=vgsync$$-guests
TMP=$(mktemp -d /tmp/vgsync.XXXXXX) || die "mktemp"
ROOT=
XS_PID=

cleanup() {
	set +e
	[ -n "$ROOT" ] && mountpoint -q "$ROOT" && umount "$ROOT"
	ip netns del "$H" 2>/dev/null
	ip netns del "$O" 2>/dev/null
	if [ -n "$XS_PID" ]; then
		kill "$XS_PID" 2>/dev/null
		wait "$XS_PID" 2>/dev/null
	fi
	mountpoint -q /run/xenstored && umount /run/xenstored
	rm -rf "$TMP"
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

hx() { ip netns exec "$H" "$@"; }
mac() { printf '00:16:3e:%02x:%02x:%02x' $(($1 >> 16)) $((($1 >> 8) & 255)) $(($1 & 255)); }
ip4() { echo "10.$1.$(($2 >> 8)).$(($2 & 255))"; }

xenstore_start() {
	[ -f "$SHIM" ] || die "$SHIM not built (make)"
	# A large guest count: no per-domain quota gets in the way.
	oxs_start "$TMP" "$SHIM" "quota-activate = false" 2>"$TMP/oxs.err" ||
		die "$(cat "$TMP/oxs.err")"
	XS_PID=$OXS_PID
}

# The keys libxl writes for vif = ['mac=M,bridge=br0,ip=IP'] of domain
# d (devid 0), in chunks of 100 domains per xenstore-write; NET is the
# second octet of the addresses.
write_vifs() {
	local net=$1 d args=()
	for ((d = 1; d <= N; d++)); do
		args+=("$BE/$d/0/frontend" "/local/domain/$d/device/vif/0"
			"$BE/$d/0/frontend-id" "$d" "$BE/$d/0/online" 1 "$BE/$d/0/state" 4
			"$BE/$d/0/mac" "$(mac "$d")" "$BE/$d/0/handle" 0 "$BE/$d/0/type" vif
			"$BE/$d/0/bridge" br0 "$BE/$d/0/ip" "$(ip4 "$net" "$d")")
		if ((d % 100 == 0 || d == N)); then
			xenstore-write "${args[@]}" || die "xenstore-write"
			args=()
		fi
	done
}

# Only ip= changes after the first write.
write_ips() {
	local net=$1 d args=()
	for ((d = 1; d <= N; d++)); do
		args+=("$BE/$d/0/ip" "$(ip4 "$net" "$d")")
		if ((d % 200 == 0 || d == N)); then
			xenstore-write "${args[@]}" || die "xenstore-write"
			args=()
		fi
	done
}

devices() {
	local d b=$TMP/links.batch
	ip netns add "$H" || die "netns"
	ip netns add "$O" || die "netns"
	for ((d = 1; d <= N; d++)); do
		echo "link add vif$d.0 type veth peer name e$d netns $O"
	done >"$b"
	ip -n "$H" -batch "$b" || die "creating $N veths"
}

# Every interface holds the policy of xenstore's ip= with second octet
# NET, and nothing else is in force.
check_policies() {
	local net=$1 want got
	want=$(for ((d = 1; d <= N; d++)); do echo "vif$d.0 $(ip4 "$net" "$d")/32"; done | sort)
	got=$(hx "$VIFGUARD" -r "$ROOT" -j show |
		jq -r '.interfaces[] | select(.mode == "locked") | "\(.ifname) \(.ipv4 | join(","))"' | sort)
	[ "$want" = "$got" ] ||
		die "after sync: policies differ from xenstore's: $(diff <(echo "$want") <(echo "$got") | head -5)"
}

# One timed sync: "sync CASE SECONDS"; the run must succeed.
timed_sync() {
	local t0 t1
	t0=$(date +%s%N)
	hx env VIFGUARD_NETWORK_BACKEND=bridge "$VIFGUARD" -r "$ROOT" sync >"$TMP/sync.out" 2>&1 ||
		die "sync ($1) failed: $(tail -3 "$TMP/sync.out")"
	t1=$(date +%s%N)
	awk -v c="$1" -v a="$t0" -v b="$t1" 'BEGIN { printf "sync %s %.3f\n", c, (b - a) / 1e9 }'
}

main() {
	local r d
	command -v jq >/dev/null || die "jq missing"
	xenstore_start
	devices
	export VIFGUARD_CONFIG=$TMP/vifguard.conf
	: >"$VIFGUARD_CONFIG"
	for ((r = 1; r <= REPS; r++)); do
		log "repetition $r of $REPS ($N interfaces)"
		write_vifs 20
		ROOT=$TMP/root$r
		mkdir -p "$ROOT"
		mount -t bpf -o mode=0700 bpf "$ROOT" || die "bpffs on $ROOT"
		# The first sync loads and pins the program too: once here,
		# outside the timing, on an interface that is no guest's.
		hx ip link add vgload0 type veth peer name vgload1 || die "veth"
		hx "$VIFGUARD" -r "$ROOT" attach vgload0 --mac 02:00:00:00:00:01 >/dev/null ||
			die "first attach"
		hx "$VIFGUARD" -r "$ROOT" detach vgload0 >/dev/null || die "detach"
		hx ip link del vgload0
		timed_sync first
		check_policies 20
		timed_sync same
		check_policies 20
		write_ips 21
		timed_sync changed
		check_policies 21
		# Filters off before the next root: a fresh start.
		for ((d = 1; d <= N; d++)); do echo "qdisc del dev vif$d.0 clsact"; done >"$TMP/tc.batch"
		hx tc -force -batch "$TMP/tc.batch" 2>/dev/null
		umount "$ROOT" && rmdir "$ROOT"
		ROOT=
	done
}

main "$@"
