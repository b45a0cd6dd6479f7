#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The config file's host line and link-local learning, through sync and
# hotplug: "host protect=" addresses go to protected6 (a guest's DAD
# probe for one is dropped as learn-protected) and those the file no
# longer lists leave it; "host learn=none" turns learning off in every
# policy the sources make, "host learn=link-local" (or no word) on,
# "host learn=dhcp" learning by DHCP; "host dhcp-grace=" is the grace of
# leases in force (the default without it); a policy made by
# `vifguard attach` keeps its own switch.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/test_xen_lib.bash"
xen_init "$@"

run_sync() {
	hx env VIFGUARD_NETWORK_BACKEND=bridge "$VIFGUARD" "$@" sync >"$VG_TMP/sync.out" 2>&1
	SYNC_RC=$?
}
out() { cat "$VG_TMP/sync.out"; }
learns() { vg -j show "$1" | jq -r '.interfaces[0].learning.link_local'; }
# flags IFNAME FLAG: whether IFNAME's policy in the maps has FLAG.
flags() {
	vg -j dump policy | jq -r --arg n "$1" --arg f "$2" \
		'[.maps.policy[] | select(.ifname == $n) | .flags[] | select(. == $f)] | length > 0'
}
# The grace of DHCP leases in force, in seconds.
grace() {
	"$BPFTOOL" -j map dump pinned "$ROOT/learn_cfg" | jq -r '.[0] | (.formatted // .).value.dhcp_grace_s'
}
# The protected addresses, "ADDR:WHY" sorted.
protected() {
	vg -j dump protected6 | jq -r '[.maps.protected6[] | "\(.address):\(.why)"] | sort | join(" ")'
}

M3=00:16:3e:51:00:03
M4=00:16:3e:51:00:04
xen_vif g3 vif3.0 $M3
xl_nic 3 0 $M3 "10.99.0.3"
xen_vif g4 vif4.0 $M4
xl_nic 4 0 $M4 "10.99.0.4"
printf '%s\n' "host protect=fe80::99,fe80::98" >"$VIFGUARD_CONFIG"

run_sync
tap_check "sync: exit 0" 0 "$SYNC_RC" "$(out)"
tap_check "host protect=: both in protected6, why config" "fe80::98:config fe80::99:config" \
	"$(protected)"
tap_check "xl policies learn link-local addresses by default" "true true" \
	"$(learns vif3.0) $(learns vif4.0)"

# A probe for a protected address, from a guest whose policy learns.
hx ip link set vif3.0 master br0 up
VG_FENCE[g3]="udp4 --src-ip 10.99.0.3"
vg_case "DAD for a host protect= address: dropped, learn-protected" g3 vif3.0 1 0 \
	"learn-protected+1 pass+1" ns --src-ip :: --target fe80::99
vg_case "DAD for a free address: learned, delivered" g3 vif3.0 1 1 "pass+2" \
	ns --src-ip :: --target fe80::3:3

tap_check "vif3.0 learned fe80::3:3" "fe80::3:3" \
	"$(vg -j show vif3.0 | jq -r '[.interfaces[0].learned[].address] | join(" ")')"

# The list changes: what it no longer names goes, what it names comes,
# taken from the interface that learned it.
printf '%s\n' "host protect=fe80::98,fe80::3:3" >"$VIFGUARD_CONFIG"
run_sync
tap_check "sync after the change: exit 0" 0 "$SYNC_RC" "$(out)"
tap_check "protected6 follows the file" "fe80::3:3:config fe80::98:config" "$(protected)"
tap_check "protecting fe80::3:3 took it from vif3.0, which still learns" "0 true" \
	"$(vg -j show vif3.0 | jq '.interfaces[0].learned | length') $(learns vif3.0)"

# Learning off for the sources' policies.
printf '%s\n' "host protect=fe80::98,fe80::3:3" "host learn=none" >"$VIFGUARD_CONFIG"
run_sync
tap_check "host learn=none: xl policies do not learn" "0 false false" \
	"$SYNC_RC $(learns vif3.0) $(learns vif4.0)" "$(out)"
vg_case "host learn=none: a DAD probe for a free address dropped" g3 vif3.0 1 0 \
	"nd-target+1 pass+1" ns --src-ip :: --target fe80::3:4

# The operator's policy keeps its own switch; hotplug respects it.
out=$(vg attach vif4.0 --mac $M4 --ipv4 10.99.0.4 2>&1)
tap_check "attach vif4.0 (the operator's, learning on)" "exit 0 true" "exit $? $(learns vif4.0)" \
	"$out"
run_sync
tap_check "sync keeps the operator's switch" "0 true false" \
	"$SYNC_RC $(learns vif4.0) $(learns vif3.0)" "$(out)"

# Hotplug of a guest under host learn=link-local.
printf '%s\n' "host learn=link-local" >"$VIFGUARD_CONFIG"
libxl_run vif-bridge online 3 0
tap_check "hotplug online with host learn=link-local: learns; protect= list now empty" \
	"0 true -" "$HP_RC $(learns vif3.0) $(p=$(protected); echo "${p:--}")" \
	"$(cat "$VG_TMP/hotplug.out")"

# DHCP learning and its grace, by sync and hotplug.
printf '%s\n' "host learn=link-local,dhcp dhcp-grace=300" >"$VIFGUARD_CONFIG"
run_sync
tap_check "host learn=link-local,dhcp: xl policies learn by DHCP too, the DHCP client kept" \
	"0 true true" "$SYNC_RC $(flags vif3.0 learn-dhcp) $(flags vif3.0 dhcp-client)" "$(out)"
tap_check "host dhcp-grace=300: the grace in force" 300 "$(grace)"
tap_check "the operator's policy keeps its own switch" false "$(flags vif4.0 learn-dhcp)"
printf '%s\n' "host learn=dhcp" >"$VIFGUARD_CONFIG"
libxl_run vif-bridge online 3 0
tap_check "hotplug online, dhcp-grace= gone: the default grace (60 s) in force" \
	"0 60 true false" \
	"$HP_RC $(grace) $(flags vif3.0 learn-dhcp) $(flags vif3.0 learn-link-local)" \
	"$(cat "$VG_TMP/hotplug.out")"
printf '%s\n' "host dhcp-grace=0" >"$VIFGUARD_CONFIG"
run_sync
tap_check "host dhcp-grace=0 by sync; no learn=: learning by DHCP off again" "0 0 false true" \
	"$SYNC_RC $(grace) $(flags vif3.0 learn-dhcp) $(flags vif3.0 learn-link-local)" "$(out)"
printf '%s\n' "host dhcp-grace=30 dhcp-grace=31" >"$VIFGUARD_CONFIG"
run_sync
tap_check "a file with an error changes no grace (xl decides without it: exit 0)" "0 0 1" \
	"$SYNC_RC $(grace) $(grep -c "conflicts with the grace set on line 1" "$VG_TMP/sync.out")" \
	"$(out)"

tap_done
