#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The state root is trusted only when only root can change it: a root or a
# directory above it (on its bpf filesystem) that another user owns, that
# others may write, or that is a symbolic link is refused with one line
# naming it, and nothing is attached or pinned.  A lock held for long
# makes the CLI give up with the holder's pid instead of hanging.
. "$(dirname "$0")/lib.sh"
vg_init

command -v flock >/dev/null || vg_bail "flock missing (util-linux)"
NOBODY=$(id -u nobody 2>/dev/null) || vg_bail "no user nobody"

vg_guest g5 vif5.0 02:00:00:00:05:00 quiet
vg_up g5

# A bpffs mounted without mode=: 1777, as the kernel makes it.
OPEN=$VG_TMP/open
mkdir -p "$OPEN"
mount -t bpf bpf "$OPEN" || vg_bail "cannot mount a bpf filesystem on $OPEN"
trap 'umount "$OPEN" 2>/dev/null; vg_cleanup' EXIT

filters() { hx "$BPFTOOL" -j net show dev "$1" |
	jq '[.[] | (.tc // [])[], (.tcx // [])[]] | length'; }
vgr() { local r=$1; shift; hx "$VIFGUARD" -r "$r" "$@"; }
ATTACH=(attach vif5.0 --mac 02:00:00:00:05:00 --ipv4 10.99.0.5)

# refused NAME ROOT EXPECTED-MESSAGE [DIR-THAT-MUST-STAY-AS-IT-WAS]
refused() {
	local name=$1 root=$2 msg=$3 dir=${4:-} out rc was="" left=""
	[ -n "$dir" ] && was=$(ls -A "$dir")
	out=$(vgr "$root" "${ATTACH[@]}" 2>&1)
	rc=$?
	tap_check "$name: attach exits 1" 1 "$rc" "$out"
	case $out in
	*"$msg"*) tap_ok "$name: says why" ;;
	*) tap_fail "$name: says why" "*$msg*" "$out" ;;
	esac
	[ -n "$dir" ] && left=$(ls -A "$dir")
	tap_check "$name: nothing attached or pinned" "0 '$was'" "$(filters vif5.0) '$left'"
	out=$(vgr "$root" show 2>&1)
	tap_check "$name: show refuses it too" 1 "$?" "$out"
}

refused "a bpffs mounted as the root with mode 1777" "$OPEN" \
	"$OPEN: owned by uid 0 with mode 1777; refused (the state root must be root's and writable by root only; a bpffs mounted as the root needs -o mode=0700)" \
	"$OPEN"

mkdir "$OPEN/evil" && chown "$NOBODY" "$OPEN/evil"
refused "a root another user made first" "$OPEN/evil" \
	"$OPEN/evil: owned by uid $NOBODY with mode 0755; refused" "$OPEN/evil"

mkdir -m 0777 "$OPEN/ww"
refused "a world-writable root" "$OPEN/ww" "$OPEN/ww: owned by uid 0 with mode 0777; refused" \
	"$OPEN/ww"

mkdir -m 0700 "$OPEN/real"
ln -s "$OPEN/real" "$OPEN/link"
refused "a root that is a symbolic link" "$OPEN/link" \
	"$OPEN/link: a symbolic link; refused (name the directory itself)" "$OPEN/real"

ln -s "$OPEN/nowhere" "$OPEN/dangling"
refused "a root that is a dangling symbolic link" "$OPEN/dangling" \
	"$OPEN/dangling: a symbolic link; refused (name the directory itself)"
tap_check "a dangling root link: nothing made where it points" "absent" \
	"$([ -e "$OPEN/nowhere" ] && echo present || echo absent)"

mkdir "$OPEN/up" && chown "$NOBODY" "$OPEN/up" && mkdir -m 0700 "$OPEN/up/root"
refused "a parent another user owns" "$OPEN/up/root" \
	"$OPEN/up: owned by uid $NOBODY with mode 0755; refused (the directories above the state root must be root's and not writable by others, or sticky)" \
	"$OPEN/up/root"

mkdir -m 0755 "$OPEN/dir" && mkdir -m 0700 "$OPEN/dir/root"
ln -s "$OPEN/dir" "$OPEN/dirlink"
refused "a parent that is a symbolic link on the bpffs" "$OPEN/dirlink/root" \
	"$OPEN/dirlink: a symbolic link on a bpf filesystem; refused" "$OPEN/dir/root"

# What the kernel's 1777 mount allows: a root of root's making inside it.
out=$(vgr "$OPEN/vifguard" "${ATTACH[@]}" 2>&1)
tap_check "a new root under a 1777 bpffs: attach" "exit 0" "exit $?" "$out"
tap_check "a new root under a 1777 bpffs: made 0700, root's" "700 0" \
	"$(stat -c '%a %u' "$OPEN/vifguard")"
out=$(vgr "$OPEN/vifguard" detach vif5.0 2>&1)
tap_check "a new root under a 1777 bpffs: detach" "exit 0" "exit $?" "$out"

# ---- names the kernel allows but a terminal must not get raw ----------------
ESC=$'\e'
BAD="e${ESC}[2Jx"
if ip -n "$HOST" link add "$BAD" type veth peer name escpeer 2>/dev/null; then
	out=$(vg attach "$BAD" --mac 02:00:00:00:05:01 --ipv4 10.99.0.51 2>&1)
	tap_check "an interface named with ESC: attach" "exit 0" "exit $?" "$out"
	for c in show stats; do
		out=$(vg $c 2>&1)
		case $out in
		*"$ESC"*) tap_fail "$c: no raw ESC on the terminal" "e\\x1b[2Jx" "$(printf '%q' "$out")" ;;
		*'e\x1b[2Jx'*) tap_ok "$c: no raw ESC on the terminal (e\\x1b[2Jx)" ;;
		*) tap_fail "$c: no raw ESC on the terminal" "e\\x1b[2Jx" "$out" ;;
		esac
	done
	tap_check "show -j: the name as JSON escapes it" "\"e\\u001b[2Jx\"" \
		"$(vg -j show | grep -o '"e[^"]*2Jx"' | head -1)"
	vg detach "$BAD" >/dev/null 2>&1
	ip -n "$HOST" link del "$BAD"
else
	tap_skip "an interface named with ESC" "the kernel refuses the name"
fi

# ---- the lock ------------------------------------------------------------

out=$(vg "${ATTACH[@]}" 2>&1)
tap_check "attach under the test root" "exit 0" "exit $?" "$out"
before=$(vg -j show | jq -c '.interfaces[0] | [.ipv4, .macs]')
ip netns exec "$HOST" flock -o "$ROOT" sleep 60 &
holder=$!
VG_BG+=("$holder")
for _ in $(seq 50); do
	hx flock -n "$ROOT" true || break
	sleep 0.1
done
start=$SECONDS
out=$(hx env VIFGUARD_LOCK_TIMEOUT=6 "$VIFGUARD" -r "$ROOT" attach vif5.0 \
	--mac 02:00:00:00:05:00 --ipv4 10.99.0.55 2>&1)
rc=$?
tap_check "a lock held elsewhere: attach gives up, exit 1" 1 "$rc" "$out"
if [[ $out =~ waiting\ for\ the\ lock\ on\ $ROOT,\ held\ by\ pid\ [0-9]+\ \((flock|sleep)\) ]]; then
	tap_ok "a lock held elsewhere: says it waits, and for whom"
else
	tap_fail "a lock held elsewhere: says it waits, and for whom" \
		"waiting for the lock on $ROOT, held by pid N (flock)" "$out"
fi
if [[ $out =~ cannot\ lock\ $ROOT:\ held\ by\ pid\ [0-9]+\ \((flock|sleep)\)\ for\ 6\ s\;\ nothing\ was\ changed ]]; then
	tap_ok "a lock held elsewhere: the error names the holder"
else
	tap_fail "a lock held elsewhere: the error names the holder" \
		"cannot lock $ROOT: held by pid N (flock) for 6 s; nothing was changed" "$out"
fi
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
tap_check "a lock held elsewhere: the policy is unchanged" "$before" \
	"$(vg -j show | jq -c '.interfaces[0] | [.ipv4, .macs]')"
out=$(vg attach vif5.0 --mac 02:00:00:00:05:00 --ipv4 10.99.0.55 2>&1)
tap_check "the lock released: attach" "exit 0" "exit $?" "$out"
echo "# lock wait took $((SECONDS - start)) s"

tap_done
