#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# A root serves the network namespace its devices are in: policies are
# keyed by ifindex.  An upgrade (what the Debian package's postinst runs)
# or an attach from another namespace is refused, naming both, and leaves
# everything as it was; before, such an upgrade found no device, pinned
# the new program and said "current", and the devices kept the old one
# for good.  A state without the record of its namespace (layout 1) is
# refused when none of its policies' devices is here.
. "$(dirname "$0")/lib.sh"
vg_init

MAC=02:00:00:00:0a:01
vg_guest ga vif10.0 $MAC quiet
vg attach vif10.0 --mac $MAC --ipv4 10.99.0.10 >/dev/null || vg_bail "cannot attach vif10.0"
VG_FENCE[ga]="udp4 --src-ip 10.99.0.10"
vg_up ga

pinned_prog() { hx "$BPFTOOL" -j prog show pinned "$ROOT/prog" | jq -r .id; }
dev_prog() { hx "$BPFTOOL" -j net show dev "$1" | jq -r '.[0].tc[0].id // "none"'; }
# Runs the CLI in this test's own network namespace, not HOST's.
here() { "$VIFGUARD" -r "$ROOT" "$@"; }

# The record names another build: the pinned program is due for upgrade.
rec=$(hx "$BPFTOOL" map dump pinned "$ROOT/layout" -j | jq -r '.[0].value | join(" ")')
set -- $rec
hx "$BPFTOOL" map update pinned "$ROOT/layout" key 0 0 0 0 \
	value $1 $2 $3 $4 $5 $6 $7 $8 1 2 3 4 5 6 7 8 ${*:17}
old=$(pinned_prog)

out=$(here upgrade 2>&1)
rc=$?
tap_check "upgrade from another network namespace: refused, naming both" \
	"exit 1, its devices are in network namespace net:[...], this process is in net:[...]" \
	"exit $rc, $(grep -o 'its devices are in network namespace net:\[[0-9]*\], this process is in net:\[[0-9]*\]' \
		<<<"$out" | sed 's/\[[0-9]*\]/[...]/g')" "$out"
tap_check "and nothing changed: vif10.0 and the pin keep the program" "$old $old" \
	"$(dev_prog vif10.0) $(pinned_prog)"
out=$(here -j attach lo --mac $MAC --force 2>&1)
tap_check "attach from another network namespace: refused (wrong_place)" "wrong_place" \
	"$(jq -r .error.code <<<"$out" 2>/dev/null)" "$out"
out=$(vg upgrade 2>&1)
tap_check "from the devices' namespace the upgrade moves vif10.0" "exit 0, the pinned program" \
	"exit $?, $([ "$(dev_prog vif10.0)" = "$(pinned_prog)" ] && [ "$(pinned_prog)" != "$old" ] &&
		echo "the pinned program" || echo "vif10.0 on $(dev_prog vif10.0)")" "$out"

# Without its record (as layout 1 states are): no policy's device here.
rm -f "$ROOT/layout"
cur=$(pinned_prog)
out=$(here upgrade 2>&1)
rc=$?
tap_check "a state without its record, from another namespace: refused" \
	"exit 1, none of the 1 interfaces with a policy is in this network namespace, vif10.0 on $cur" \
	"exit $rc, $(grep -o 'none of the 1 interfaces with a policy is in this network namespace' <<<"$out"), vif10.0 on $(dev_prog vif10.0)" "$out"
out=$(vg upgrade 2>&1)
tap_check "and taken over from the devices' namespace" "exit 0, current" \
	"exit $?, $(vg upgrade --check >/dev/null 2>&1 && echo current || echo due)" "$out"
vg_case "vif10.0 still filtered" ga vif10.0 3 0 "ipv4-src+3 pass+1" udp4 --src-ip 10.99.0.99
tap_done
