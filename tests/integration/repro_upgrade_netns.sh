#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Known defect, not in the suite (run.sh runs test_*.sh only): rename it
# test_upgrade_netns.sh once it passes.
# A root whose devices are in another network namespace (attached with
# `nsenter --net=...`, as the place checks advise) and an upgrade run
# from the host's (the Debian package's postinst): the upgrade finds no
# device, says it upgraded, --check then says current, and the devices
# keep the older program for good; for a layout 1 state its drops are
# then counted in a "totals" map nobody reads.
. "$(dirname "$0")/lib.sh"
vg_init

MAC=02:00:00:00:0a:01
vg_guest ga vif10.0 $MAC quiet
vg attach vif10.0 --mac $MAC --ipv4 10.99.0.10 >/dev/null || vg_bail "cannot attach vif10.0"
VG_FENCE[ga]="udp4 --src-ip 10.99.0.10"
vg_up ga

pinned_prog() { hx "$BPFTOOL" -j prog show pinned "$ROOT/prog" | jq -r .id; }
dev_prog() { hx "$BPFTOOL" -j net show dev "$1" | jq -r '.[0].tc[0].id // "none"'; }

# The record names another build: the pinned program is due for upgrade.
rec=$(hx "$BPFTOOL" map dump pinned "$ROOT/layout" -j | jq -r '.[0].value | join(" ")')
set -- $rec
hx "$BPFTOOL" map update pinned "$ROOT/layout" key 0 0 0 0 \
	value $1 $2 $3 $4 $5 $6 $7 $8 1 2 3 4 5 6 7 8 ${*:17}
old=$(pinned_prog)

# From the host's network namespace, the root being the same file.
out=$("$VIFGUARD" -r "$ROOT" upgrade 2>&1)
rc=$?
now=$(dev_prog vif10.0)
tap_check "upgrade from another network namespace: refused, or vif10.0 moved" \
	"exit 1 and vif10.0 on $old, or exit 0 and vif10.0 on the pinned program" \
	"exit $rc and vif10.0 on $([ "$now" = "$old" ] && echo "$old" || { [ "$now" = "$(pinned_prog)" ] && echo "the pinned program" || echo "$now"; })" \
	"$out"
tap_done
