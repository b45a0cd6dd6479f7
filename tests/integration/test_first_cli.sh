#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Trust on first use through the CLI: `attach --learn first` and `set
# flag learn-first` put VG_F_LEARN_FIRST in the policy, show and -j say
# so, a new root's learn_cfg has the default first-use lease (86400 s),
# "parked" is pinned and empty, and removing the flag takes away the
# interface's first-use addresses and its learning window (their
# entries written here as the program writes them).  Refusals the
# program makes (learn-conflict, learn-full) are shown by show and -j.
# attach puts the config file's host line in force (protect=,
# first-lease=).
. "$(dirname "$0")/lib.sh"
vg_init

MAC=02:00:00:00:0f:01
A=10.99.0.15
F=10.99.0.61
B=10.99.0.16
G1=10.99.0.62
G2=10.99.0.63
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

# Refusals, made by the program: vif15.0 sends from vif16.0's configured
# address (learn-conflict), then from two new addresses, the first
# taking its last free IPv4 slot, the second refused (learn-full).
# show and show -j report them (the counters stats reads); an interface
# that does not learn has no "refused".
vg_guest b vif16.0 02:00:00:00:0f:02 quiet
out=$(vg attach vif16.0 --mac 02:00:00:00:0f:02 --ipv4 $B --learn none 2>&1)
tap_check "attach vif16.0 (no learning)" "exit 0" "exit $?" "$out"
vg_up a
refused() { vg -j show "$1" | jq -c '.interfaces[0].learning.refused'; }
tap_check "show -j: no refusals yet" '{"learn_protected":0,"learn_conflict":0,"learn_full":0}' \
	"$(refused vif15.0)"
tap_check "show: no refusal line while there are none" 0 \
	"$(vg show vif15.0 | grep -c 'learning refused')"
VG_FENCE[a]="udp4 --src-ip $A --dst-ip $SINK_V4"
vg_case "vif16.0's configured $B from vif15.0: learn-conflict" a vif15.0 1 0 \
	"learn-conflict+1 pass+1" udp4 --src-ip $B --dst-ip $SINK_V4
vg_case "$G1 from vif15.0: learned in its last IPv4 slot" a vif15.0 1 1 \
	"pass+2" udp4 --src-ip $G1 --dst-ip $SINK_V4
vg_case "$G2 from vif15.0: learn-full" a vif15.0 1 0 \
	"learn-full+1 pass+1" udp4 --src-ip $G2 --dst-ip $SINK_V4
tap_check "show -j: learning.refused" '{"learn_protected":0,"learn_conflict":1,"learn_full":1}' \
	"$(refused vif15.0)"
out=$(vg show vif15.0)
tap_check "show: the refusals on one line" 1 \
	"$(grep -cx '  learning refused: 1 conflict, 1 full' <<<"$out")" "$out"
# What the program learned ends first-lease= (a day) on, later if used.
tap_check "show: $G1 learned by the program, kept a day unless used" 1 \
	"$(grep -c "learned: .*$G1 (expires in 86[0-9][0-9][0-9]s unless used)" <<<"$out")" "$out"
tap_check "show -j: vif16.0 does not learn, no refused" null "$(refused vif16.0)"
tap_check "show: vif16.0 has no refusal line" 0 "$(vg show vif16.0 | grep -c 'learning refused')"

# A host whose interfaces only attach makes: attach puts the config
# file's host line in force (protect=, first-lease=), as hotplug and sync
# do on a Xen host; a file with an error changes nothing, no file
# neither.  The sink's address is the router's.
export VIFGUARD_CONFIG=$VG_TMP/vifguard.conf
printf '%s\n' "host protect=$SINK_V4 first-lease=600" >"$VIFGUARD_CONFIG"
protected() { vg -j dump protected6 | jq -r '[.maps.protected6[] | "\(.address) \(.why)"] | sort | join(",")'; }
vg_guest c vif17.0 02:00:00:00:0f:03 quiet
out=$(vg attach vif17.0 --mac 02:00:00:00:0f:03 --ipv4 10.99.0.17 --learn first 2>&1)
tap_check "attach with a config file: its protect= and first-lease= in force" \
	"exit 0, $SINK_V4 config, 600" \
	"exit $?, $(protected), $(vg -j dump learn_cfg | jq -r '.maps.learn_cfg[0].first_lease_s')" "$out"
vg_up c
VG_FENCE[c]="udp4 --src-ip 10.99.0.17 --dst-ip $SINK_V4"
vg_case "the router's $SINK_V4 from vif17.0: learn-protected" c vif17.0 1 0 \
	"learn-protected+1 pass+1" udp4 --src-ip $SINK_V4 --dst-ip 10.99.0.99
printf '%s\n' "host protect=10.99.0.200" "frobnicate" >"$VIFGUARD_CONFIG"
out=$(vg attach vif17.0 --mac 02:00:00:00:0f:03 --ipv4 10.99.0.17 --learn first 2>&1)
tap_check "attach with a broken config file: a warning naming file:line, nothing changed" \
	"exit 0, yes, $SINK_V4 config" \
	"exit $?, $(grep -q "$VIFGUARD_CONFIG:2" <<<"$out" && echo yes || echo no), $(protected)" "$out"
rm -f "$VIFGUARD_CONFIG"
out=$(vg attach vif17.0 --mac 02:00:00:00:0f:03 --ipv4 10.99.0.17 --learn first 2>&1)
tap_check "attach with no config file: nothing changed" "exit 0, $SINK_V4 config, 600" \
	"exit $?, $(protected), $(vg -j dump learn_cfg | jq -r '.maps.learn_cfg[0].first_lease_s')" "$out"
unset VIFGUARD_CONFIG

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
