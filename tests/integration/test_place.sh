#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The wrong place is an error, never "nothing attached": a root without
# state while the program filters a device here (a mistyped -r), a root
# that is not on bpffs, and a mount namespace where the root is not the
# host's (ip netns exec, unshare).  Orphans (the program without a policy)
# are named by show and stats, kept by gc, removed by gc --orphans; a
# device of another root is named and left alone; detach --all detaches
# every policy and orphan of the root and nothing else.
. "$(dirname "$0")/lib.sh"
vg_init

vg_guest g5 vif5.0 02:00:00:00:05:00 quiet
vg_guest g6 vif6.0 02:00:00:00:06:00 quiet
vg_guest g7 vif7.0 02:00:00:00:07:00 quiet
out=$(vg attach vif5.0 --mac 02:00:00:00:05:00 --ipv4 10.99.0.5 2>&1)
tap_check "attach vif5.0" "exit 0" "exit $?" "$out"
# A second root while vif5.0 carries the first one's program: a bpffs
# mounted for it and holding nothing is a root made on purpose.  Its
# program goes on vif7.0.
ROOT2=$VG_TMP/bpf2
mkdir -p "$ROOT2" && mount -t bpf -o mode=0700 bpf "$ROOT2" || vg_bail "cannot mount $ROOT2"
trap 'umount "$ROOT2" 2>/dev/null; vg_cleanup' EXIT
out=$(hx "$VIFGUARD" -r "$ROOT2" show 2>&1)
tap_check "show in that bpffs before its first attach: still the wrong place" \
	"1 no vifguard state here" "$? $(grep -o 'no vifguard state here' <<<"$out")" "$out"
out=$(hx "$VIFGUARD" -r "$ROOT2" attach vif7.0 --mac 02:00:00:00:07:00 2>&1)
tap_check "attach vif7.0 under a second root, an empty bpffs mounted for it" "exit 0" \
	"exit $?" "$out"

# The filters on DEV, both hooks: an attached device has two (vifguard
# on its ingress, vifguard_out on its egress).
filters() { hx "$BPFTOOL" -j net show dev "$1" |
	jq '[.[] | (.tc // [])[], (.tcx // [])[]] | length'; }
# The program ids on the devices, to tell that nothing changed.
progs() { hx "$BPFTOOL" -j net show | jq -c '[.[] | (.tc // [])[], (.tcx // [])[]]'; }

# refused NAME MESSAGE CMD...: every command exits 1, says MESSAGE, and
# no filter changes.  CMD runs the CLI with the root under test.
refused() {
	local name=$1 msg=$2 c out rc before
	shift 2
	before=$(progs)
	for c in show stats "attach vif5.0 --mac 02:00:00:00:05:00" "detach vif5.0" gc \
		"detach --all" "-j show"; do
		# shellcheck disable=SC2086
		out=$("$@" $c 2>&1)
		rc=$?
		case $out in
		*"$msg"*) tap_check "$name: $c exits 1 and says why" 1 "$rc" "$out" ;;
		*) tap_fail "$name: $c exits 1 and says why" "exit 1, *$msg*" \
			"exit $rc, $out" ;;
		esac
	done
	tap_check "$name: no filter changed" "$before" "$(progs)"
}

# ---- a root without state while vif5.0 is filtered --------------------------

typo() { hx "$VIFGUARD" -r "$ROOT/typo" "$@"; }
refused "an absent root (mistyped -r)" \
	"$ROOT/typo: no vifguard state here (it does not exist), but vifguard's program" typo
tap_check "an absent root: not created" "absent" \
	"$([ -e "$ROOT/typo" ] && echo present || echo absent)"
out=$(hx env VIFGUARD_ROOT="$ROOT/typo" "$VIFGUARD" show 2>&1)
tap_check "an absent root from VIFGUARD_ROOT: show exits 1" 1 "$?" "$out"

mkdir -m 0700 "$ROOT/empty"
empty() { hx "$VIFGUARD" -r "$ROOT/empty" "$@"; }
refused "a root holding no pins" \
	"$ROOT/empty: no vifguard state here (it holds no pins of vifguard)" empty
tap_check "a root holding no pins: still empty" "" "$(ls -A "$ROOT/empty")"

notbpf() { hx "$VIFGUARD" -r "$VG_TMP" "$@"; }
refused "a root not on bpffs" "$VG_TMP: not on a bpf filesystem" notbpf

# ---- a mount namespace where the root is not the host's ---------------------

# ip netns exec remounts /sys: /sys/fs/bpf there is not the host's.
dflt() { ip netns exec "$HOST" env -u VIFGUARD_ROOT "$VIFGUARD" "$@"; }
had=$( [ -e /sys/fs/bpf/vifguard ] && echo present || echo absent)
refused "ip netns exec, default root" \
	"/sys/fs/bpf/vifguard: not the host's: this process has a mount namespace of its own" dflt
tap_check "ip netns exec: nothing made on the host's /sys/fs/bpf" "$had" \
	"$([ -e /sys/fs/bpf/vifguard ] && echo present || echo absent)"

# A namespace where something else is mounted over the root's directory.
hidden() {
	ip netns exec "$HOST" unshare --mount sh -c \
		'mount -t tmpfs none "$1" && shift && exec "$@"' sh "$VG_TMP" \
		"$VIFGUARD" -r "$ROOT" "$@"
}
refused "a mount namespace hiding the root" \
	"$ROOT: not the host's: this process has a mount namespace of its own" hidden

# The root the test mounted is the host's from ip netns exec too.
out=$(vg show 2>&1)
tap_check "the right root under ip netns exec: show exits 0" 0 "$?" "$out"

# ---- orphans ----------------------------------------------------------------

# A run stopped between the filter and the policy: this root's program on
# vif6.0 without a policy.
orphan() {
	hx tc qdisc add dev vif6.0 clsact 2>/dev/null
	hx tc filter add dev vif6.0 ingress pref 1 handle 0x7667 bpf da \
		object-pinned "$ROOT/prog"
}
orphan || vg_bail "cannot put the pinned program on vif6.0"
id=$(vg -j show | jq '.prog_id')

out=$(vg show 2>&1)
rc=$?
grep -q "^vif6.0: ifindex [0-9]*, ORPHAN: .*drops every frame" <<<"$out" && named=yes || named=no
tap_check "show names the orphan, with what it does" "exit 0, named yes" \
	"exit $rc, named $named" "$out"
out=$(vg show vif6.0 2>&1)
rc=$?
grep -q "not attached" <<<"$out" && said="not attached" || said=orphan
grep -q "ORPHAN" <<<"$out" || said="$said, not named"
tap_check "show vif6.0: the orphan, not \"not attached\"" "exit 0, orphan" "exit $rc, $said" "$out"
tap_check "show -j: orphan_interfaces" "[{\"ifname\":\"vif6.0\",\"method\":\"cls_bpf\",\"prog_id\":$id}]" \
	"$(vg -j show | jq -c '[.orphan_interfaces[] | {ifname, method, prog_id}]')"
out=$(vg stats 2>&1)
grep -q "^vif6.0: .*ORPHAN" <<<"$out" && named=yes || named=no
tap_check "stats names the orphan" yes "$named" "$out"
tap_check "stats -j: orphan_interfaces" '["vif6.0"]' \
	"$(vg -j stats | jq -c '[.orphan_interfaces[].ifname]')"

out=$(vg gc 2>&1)
rc=$?
grep -q "kept 1 orphan" <<<"$out" && said=yes || said=no
tap_check "gc keeps the orphan and says so" "exit 0, said yes, filter 1" \
	"exit $rc, said $said, filter $(filters vif6.0)" "$out"
tap_check "gc -j: orphans_kept" "1 0" "$(vg -j gc | jq -r '"\(.orphans_kept) \(.orphans_removed)"')"
out=$(vg -j gc --orphans 2>&1)
tap_check "gc --orphans: removes the orphan's filter only" "exit 0, 1 removed, vif6.0 0, vif5.0 2" \
	"exit $?, $(jq -r .orphans_removed <<<"$out") removed, vif6.0 $(filters vif6.0), vif5.0 $(filters vif5.0)" \
	"$out"

# ---- another root's device ----------------------------------------------

out=$(vg show 2>&1)
grep -q "^vif7.0: .*another state root" <<<"$out" && named=yes || named=no
tap_check "show names a device of another root" "exit 0, named yes" "exit $?, named $named" "$out"
tap_check "show -j: foreign_interfaces" '["vif7.0"]' \
	"$(vg -j show | jq -c '[.foreign_interfaces[].ifname]')"
out=$(vg detach vif7.0 2>&1)
rc=$?
grep -q "another state root" <<<"$out" && said=yes || said=no
tap_check "detach of another root's device: exit 1, says why, filter stays" \
	"exit 1, said yes, filter 2" "exit $rc, said $said, filter $(filters vif7.0)" "$out"
# An attach or set here would put this root's program in place of the
# other one's: that root's policy silently out of force, and a later
# detach by either root would leave the device unfiltered.
before=$(progs)
out=$(vg attach vif7.0 --mac 02:00:00:00:07:00 2>&1)
rc=$?
grep -q "vif7.0: .*another state root" <<<"$out" && said=yes || said=no
tap_check "attach of another root's device: exit 1, says why, its program stays" \
	"exit 1, said yes, same" "exit $rc, said $said, $([ "$before" = "$(progs)" ] && echo same || echo changed)" \
	"$out"

# ---- detach --all ------------------------------------------------------------

orphan || vg_bail "cannot put the pinned program on vif6.0"
out=$(vg -j detach --all 2>&1)
rc=$?
tap_check "detach --all -j: exit 0, vif5.0 and the orphan vif6.0" \
	'exit 0, [["vif5.0",false,true],["vif6.0",true,true]] 2 0' \
	"exit $rc, $(jq -c '[.interfaces[] | [.ifname, .orphan, .filter_removed]]' <<<"$out") $(jq -r '"\(.detached) \(.failed)"' <<<"$out")" \
	"$out"
tap_check "detach --all: filters gone from vif5.0 and vif6.0, another root's stays" \
	"0 0 2" "$(filters vif5.0) $(filters vif6.0) $(filters vif7.0)"
tap_check "detach --all: no policy left" "0" "$(vg -j show | jq '.interfaces | length')"
out=$(vg detach --all 2>&1)
tap_check "detach --all again: nothing attached, exit 0" \
	"exit 0, detach --all: 0 interface(s) detached (nothing attached)" "exit $?, $out"
out=$(vg detach 2>&1)
tap_check "detach without IFACE or --all: usage error" 2 "$?" "$out"
out=$(vg detach vif5.0 --all 2>&1)
tap_check "detach IFACE --all: usage error" 2 "$?" "$out"
out=$(hx "$VIFGUARD" -r "$ROOT2" -j detach --all 2>&1)
tap_check "detach --all under the second root" "exit 0, 1, filter 0" \
	"exit $?, $(jq .detached <<<"$out"), filter $(filters vif7.0)" "$out"

# Two first runs at once on a root that does not exist yet: one finds no
# root, and before it looks at the devices the other makes the root and
# puts its program on one.  That is no mistyped root: the first goes on
# with the root as made, under its lock.
if vg_static; then
	tap_skip "a first attach while another run makes the root" \
		"$VIFGUARD is static: LD_PRELOAD cannot hold it"
else
	ROOT3=$VG_TMP/bpf3
	mkdir -p "$ROOT3" && mount -t bpf -o mode=0700 bpf "$ROOT3" ||
		vg_bail "cannot mount $ROOT3"
	trap 'umount "$ROOT2" "$ROOT3" 2>/dev/null; vg_cleanup' EXIT
	gate=$VG_TMP/gate
	mkdir -p "$gate"
	hx env LD_PRELOAD="$OUTPUT/test_gate.so" VG_GATE="$gate" "$VIFGUARD" -r "$ROOT3/vg" \
		attach vif6.0 --mac 02:00:00:00:06:00 >"$VG_TMP/held.out" 2>&1 &
	held=$!
	for _ in $(seq 1000); do
		[ -e "$gate/waiting" ] && break
		sleep 0.01
	done
	[ -e "$gate/waiting" ] || vg_bail "the held attach never reached its device scan"
	out=$(hx "$VIFGUARD" -r "$ROOT3/vg" attach vif5.0 --mac 02:00:00:00:05:00 2>&1)
	tap_check "the other first attach makes the root" "exit 0" "exit $?" "$out"
	touch "$gate/go"
	wait "$held"
	rc=$?
	tap_check "a first attach while another run made the root: exit 0, both filtered" \
		"exit 0, 2 2, 2 policies" \
		"exit $rc, $(filters vif5.0) $(filters vif6.0), $(hx "$VIFGUARD" -r "$ROOT3/vg" -j show |
			jq '.interfaces | length') policies" "$(cat "$VG_TMP/held.out")"
	hx "$VIFGUARD" -r "$ROOT3/vg" detach --all >/dev/null 2>&1
fi

# A chroot is a world of its own: its paths are not the host's, and the
# root it mounted is the one in force there (a container, a build chroot).
static=$OUTPUT/static/vifguard
if [ -x "$static" ]; then
	jail=$VG_TMP/jail
	mkdir -p "$jail/proc" "$jail/bpf" "$jail/sys"
	cp "$static" "$jail/vifguard"
	out=$(unshare -m -n --propagation private sh -c \
		'mount -t proc proc "$1/proc" && mount -t bpf bpf "$1/bpf" &&
		 chroot "$1" /vifguard -r /bpf/vifguard show' sh "$jail" 2>&1)
	tap_check "in a chroot, a root the chroot mounted: show exits 0" \
		"0: no interfaces attached" "$?: $out"
else
	tap_skip "vifguard in a chroot" "no static build ($static): make static"
fi

tap_done
