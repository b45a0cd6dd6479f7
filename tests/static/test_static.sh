#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The static binary (`make static`) alone in an empty chroot: no shared
# library, no dynamic loader, no /etc, only /proc, /sys and a bpffs
# mounted in it.  --version, help, then attach, show, stats and detach on
# a veth in a private network namespace, with forged and legitimate frames
# sent through the filter.  TAP on stdout.  Root only.
#
# Environment: VIFGUARD (default $OUTPUT/static/vifguard), VGPKT.
VIFGUARD=${VIFGUARD:-${OUTPUT:-$(cd "$(dirname "$0")/../.." && pwd)/build}/static/vifguard}
. "$(dirname "$0")/../integration/lib.sh"

[ "$(id -u)" = 0 ] || vg_skip_all "needs root"
[ -x "$VIFGUARD" ] || vg_bail "$VIFGUARD not built (make static)"
[ -x "$VGPKT" ] || vg_bail "$VGPKT not built"
command -v jq >/dev/null || vg_bail "jq missing (scripts/install-deps.sh)"

# Private mount and network namespaces: every mount and link below goes
# away with this process, also on failure.  A PID namespace too, whose
# PID 1 (this script) shares the mount namespace: vifguard refuses a root
# that only a mount namespace other than PID 1's sees.
if [ -z "${VG_STATIC_UNSHARED:-}" ]; then
	command -v unshare >/dev/null || vg_bail "unshare missing"
	VG_OUTER_PID=$$ VG_STATIC_UNSHARED=1 exec unshare -m -n -p --fork --propagation private \
		"$BASH" "$0" "$@"
fi

tap_check "the binary has no dynamic section" "no" \
	"$(readelf -d "$VIFGUARD" 2>/dev/null | grep -q NEEDED && echo yes || echo no)"
tap_check "the binary has no program interpreter" yes "$(vg_static && echo yes || echo no)"

jail=$(mktemp -d /tmp/vifguard-static.XXXXXX) || vg_bail "mktemp"
trap 'umount -R "$jail/proc" "$jail/sys" 2>/dev/null; rm -rf "$jail"' EXIT
mkdir -p "$jail/proc" "$jail/sys" || vg_bail "mkdir in $jail"
install -m 0755 "$VIFGUARD" "$jail/vifguard" || vg_bail "install into $jail"
mount -t proc proc "$jail/proc" || vg_bail "mount proc"
mount -t sysfs sysfs "$jail/sys" || vg_bail "mount sysfs"
mount -t bpf bpf "$jail/sys/fs/bpf" || vg_bail "mount bpffs"
tap_check "the chroot holds the binary and nothing else" "./vifguard" \
	"$(cd "$jail" && find . -path ./proc -prune -o -path ./sys -prune -o -type f -print)"

# jx ARGS: the binary in the chroot, output in $out, status in $rc.
jx() {
	out=$(chroot "$jail" /vifguard "$@" 2>&1)
	rc=$?
}

jx --version
tap_check "--version: exit 0" 0 "$rc" "$out"
tap_check "--version names the build" "vifguard ${VIFGUARD_VERSION:-}" \
	"$(sed -n 's/^\(vifguard [^ ]*\).*/\1/p' <<<"$out")"
jx -j --version
tap_check "-j --version: JSON" "${VIFGUARD_VERSION:-}" "$(jq -r .version <<<"$out" 2>&1)"
jx help
tap_check "help: exit 0" 0 "$rc" "$out"
jx help attach
tap_check "help attach: names --mac" "yes" "$(grep -q -- --mac <<<"$out" && echo yes || echo no)"

ip link set lo up
ip link add vif5.0 type veth peer name g5 || vg_bail "cannot create a veth"
ip link set g5 address 00:16:3e:00:05:00
ip link set vif5.0 up && ip link set g5 up || vg_bail "cannot bring the veth up"

jx attach vif5.0 --mac 00:16:3e:00:05:00 --ipv4 192.0.2.5
tap_check "attach vif5.0: exit 0" 0 "$rc" "$out"
tap_check "a bpf filter at tc ingress of vif5.0" "yes" \
	"$(tc filter show dev vif5.0 ingress 2>/dev/null | grep -q bpf && echo yes ||
	   { bpftool net show dev vif5.0 2>/dev/null | grep -q tcx && echo yes || echo no; })"
jx -j show vif5.0
tap_check "show: the policy" "locked 00:16:3e:00:05:00 192.0.2.5/32" \
	"$(jq -r '(if type == "array" then .[] else . end) | (.interfaces // [.]) | .[]
		| "\(.mode) \(.macs | join(",")) \(.ipv4 | join(","))"' <<<"$out" 2>&1)" "$out"

"$VGPKT" send -i g5 -c 3 udp4 --src-ip 192.0.2.5 --dst-ip 192.0.2.1 >/dev/null 2>&1
"$VGPKT" send -i g5 -c 2 udp4 --src-ip 192.0.2.99 --dst-ip 192.0.2.1 >/dev/null 2>&1
"$VGPKT" send -i g5 -c 1 udp4 --src-mac 00:16:3e:00:06:00 --src-ip 192.0.2.5 \
	--dst-ip 192.0.2.1 >/dev/null 2>&1
jx -j stats vif5.0
tap_check "stats: legitimate frames pass, forged ones are dropped by reason" \
	"ipv4-src=2 src-mac=1 pass>=3" \
	"$(jq -r "$VG_STATS_JQ" <<<"$out" 2>&1 | awk -F= '
		$1 == "ipv4-src" || $1 == "src-mac" { r[$1] = $2 }
		$1 == "pass" { p = $2 }
		END { printf "ipv4-src=%d src-mac=%d pass%s3", r["ipv4-src"],
			r["src-mac"], (p >= 3 ? ">=" : "<") }')" "$out"

jx detach vif5.0
tap_check "detach vif5.0: exit 0" 0 "$rc" "$out"
tap_check "no filter left on vif5.0" "" \
	"$(tc filter show dev vif5.0 ingress 2>/dev/null; bpftool net show dev vif5.0 2>/dev/null | grep tcx)"
jx -j show
tap_check "show: no interface left" "0" \
	"$(jq -r '(if type == "array" then . else (.interfaces // []) end) | length' <<<"$out" 2>&1)" "$out"

# libxenstore is linked in: without a xenstore the message is the
# connection's, never a missing library's.
jx sync
tap_check "sync with no xenstore: exit 1" 1 "$rc" "$out"
tap_check "sync with no xenstore: cannot connect, no library missing" "yes" \
	"$(grep -q 'cannot connect to xenstore' <<<"$out" && ! grep -q 'libxenstore' <<<"$out" &&
	   echo yes || echo no)" "$out"

tap_done
