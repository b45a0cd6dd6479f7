#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# --version: the version, the maps' layout and the kernel features, each
# found by trying it (tcx from Linux 6.6, the rest from 5.6 on), in text
# and JSON; a kernel without batch lookups (LD_PRELOAD shim) is
# told apart; without privileges the features are unknown, not "no"; and
# probing leaves nothing behind: no program, no qdisc on lo, no pin.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || vg_skip_all "needs root"
command -v jq >/dev/null || vg_bail "jq missing (scripts/install-deps.sh)"
command -v "$BPFTOOL" >/dev/null || vg_bail "bpftool missing"
layout=$(awk '$1 == "#define" && $2 == "VG_MAP_LAYOUT" { print $3 }' "$VG_TOP/include/vifguard.h")
progs() { "$BPFTOOL" -j prog show | jq '[.[] | select(.name == "vg_probe")] | length'; }

# What this kernel must have, by its release.
IFS=. read -r major minor _ <<<"$(uname -r)"
kv=$((major * 1000 + ${minor%%[!0-9]*}))
[ "$kv" -ge 5006 ] || vg_skip_all "Linux $(uname -r) is older than 5.6 (no batch lookups expected)"
tcx=no tcxj=false
[ "$kv" -ge 6006 ] && tcx=yes tcxj=true

before_qdisc=$(tc qdisc show dev lo)
before_pins=$(ls -A /sys/fs/bpf 2>/dev/null)
out=$("$VIFGUARD" --version 2>&1)
tap_check "--version: exit 0" 0 "$?" "$out"
tap_check "--version: version, map layout, features" \
	"map layout $layout|cls_bpf yes, tcx $tcx, batch_ops yes, btf yes" \
	"$(sed -n 2p <<<"$out")|$(sed -n '3s/^kernel [^:]*: //p' <<<"$out")"
tap_check "--version: the kernel release" "kernel $(uname -r):" "$(sed -n 3p <<<"$out" | cut -d' ' -f1-2)"

json=$("$VIFGUARD" -j --version)
tap_check "-j --version" "$layout $(uname -r) true $tcxj true true" \
	"$(jq -r '"\(.map_layout) \(.kernel) \(.features.cls_bpf) \(.features.tcx) \(.features.batch_ops) \(.features.btf)"' <<<"$json")"
tap_check "-j --version: the version string" yes \
	"$(jq -e '.version | test("^[0-9]")' <<<"$json" >/dev/null && echo yes || echo no)"

# Nothing left: the probe's program goes with its process, its hooks
# with its network namespace; the host's lo is as it was.
n=
for _ in $(seq 50); do n=$(progs); [ "$n" = 0 ] && break; sleep 0.1; done
tap_check "no probe program left loaded" 0 "$n"
tap_check "lo's qdiscs as they were" "$before_qdisc" "$(tc qdisc show dev lo)"
tap_check "no filter on lo" "" "$(tc filter show dev lo ingress)"
tap_check "nothing pinned or mounted under /sys/fs/bpf" "$before_pins" "$(ls -A /sys/fs/bpf 2>/dev/null)"

if vg_static; then
	tap_skip "without batch lookups" "$VIFGUARD is static: LD_PRELOAD cannot reach it"
else
	out=$(LD_PRELOAD=$OUTPUT/test_nobatch.so "$VIFGUARD" --version 2>&1)
	tap_check "without batch lookups: batch_ops no" "batch_ops no" \
		"$(grep -o 'batch_ops [a-z]*' <<<"$out")" "$out"
fi

out=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$VIFGUARD" -j --version 2>&1)
tap_check "unprivileged: exit 0" 0 "$?" "$out"
tap_check "unprivileged: every feature unknown (null), not false" "null null null null" \
	"$(jq -r '[.features[]] | map(tostring) | join(" ")' <<<"$out")"

tap_done
