#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Trust on first use through the CLI: `attach --learn first` and `set
# flag learn-first` put VG_F_LEARN_FIRST in the policy, show and -j say
# so, a new root's learn_cfg has the default first-use lease (86400 s),
# "parked" is pinned and empty, and removing the flag takes away the
# interface's first-use addresses and its learning window (their
# entries written here as the program writes them).
. "$(dirname "$0")/lib.sh"
vg_init

MAC=02:00:00:00:0f:01
A=10.99.0.15
F=10.99.0.61
vg_guest a vif15.0 $MAC quiet

out=$(vg attach vif15.0 --mac $MAC --ipv4 $A --learn link-local,first 2>&1)
tap_check "attach --learn link-local,first" "exit 0" "exit $?" "$out"
first() { vg -j show vif15.0 | jq -r '.interfaces[0].learning.first'; }
tap_check "show -j: learning.first" true "$(first)"
tap_check "show: first-use learning on" 1 "$(vg show vif15.0 | grep -c 'first-use learning: on')"
tap_check "a new root: first-use lease 86400 s, parked pinned and empty" "86400 0" \
	"$(vg -j dump learn_cfg | jq -r '.maps.learn_cfg[0].first_lease_s') $(vg -j dump parked | jq -r '.maps.parked | length')"

# A first-use address of vif15.0 in slot 0 (never ends), and its window.
ifx=$(vg_ifindex vif15.0)
ff=$(vg_le 8 18446744073709551615)
vg_lease4_put "$ifx" 0 $F 4 18446744073709551615
hx "$BPFTOOL" map update pinned "$ROOT/lease_slots" key $(vg_le 4 "$ifx") 6 0 0 0 \
	value 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 $ff
tap_check "show -j: the first-use address (never ends) and the open window" \
	"$F first never true" \
	"$(vg -j show vif15.0 | jq -r '.interfaces[0] | "\(.learned[0].address) \(.learned[0].origin) \(.learned[0].expiry) \(.learning.window.open)"')"
tap_check "show: the window, then the address, on the first-use line" "1" \
	"$(vg show vif15.0 | grep -c "first-use learning: on, learning window until [0-9]*s from now, learned: $F (never expires)")"
out=$(vg gc 2>&1)
tap_check "gc keeps them (the policy learns on first use)" "$F 1" \
	"$(vg -j dump learned4 | jq -r '[.maps.learned4[] | select(.origin == "first") | .address] | join(",")') $(
	vg -j dump lease_slots | jq -r '[.maps.lease_slots[] | select(.slot == 6)] | length')" "$out"

out=$(vg set vif15.0 remove flag learn-first 2>&1)
tap_check "set remove flag learn-first: the address and the window go" "exit 0, 0 0" \
	"exit $?, $(vg -j dump learned4 | jq -r '[.maps.learned4[] | select(.origin == "first")] | length') $(
	vg -j dump lease_slots | jq -r '.maps.lease_slots | length')" "$out"
out=$(vg set vif15.0 add flag learn-first 2>&1)
tap_check "set add flag learn-first" "exit 0 true" "exit $? $(first)" "$out"
out=$(vg attach vif15.0 --mac $MAC --learn first,dhcp6 2>&1)
tap_check "--learn first,dhcp6: refused, names the word" "exit 2 yes" \
	"exit $? $(grep -q "'dhcp6': unknown learning (expected link-local, dhcp, first or none)" <<<"$out" && echo yes || echo no)" "$out"

tap_done
