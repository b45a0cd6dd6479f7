#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# vifguard sync: every guest interface present on the host (xl and XAPI
# VIFs, emulated NICs, renamed ones) gets the policy of its sources again,
# after the filter state was lost or a policy changed behind vifguard's
# back; --dry-run changes nothing; a domain that comes back with a new
# domid (reboot, migration) gets its VIF's policy by identity.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/test_xen_lib.bash"
xen_init "$@"

BE=/local/domain/0/backend/vif
# run_sync [GLOBAL-OPTION] [-- SYNC-ARGS...]
run_sync() {
	local g=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do g+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	hx env VIFGUARD_NETWORK_BACKEND=bridge "$VIFGUARD" "${g[@]}" sync "$@" \
		>"$VG_TMP/sync.out" 2>&1
	SYNC_RC=$?
}
out() { cat "$VG_TMP/sync.out"; }

M3=00:16:3e:40:00:03
M4=00:16:3e:40:00:04
M5=00:16:3e:40:00:05
M6=00:16:3e:40:00:06
M7=00:16:3e:40:00:07
U4=0a1b2c3d-4e5f-4a6b-8c7d-000000000044
U7=0a1b2c3d-4e5f-4a6b-8c7d-000000000077

xen_vif g3 vif3.0 $M3                # xl, ip=
xl_nic 3 0 $M3 "10.99.0.3"
xen_vif g4 vif4.0 $M4                # XAPI locked, HVM: tap4.0 too
xen_vif g4 tap4.0 $M4 eth1
xapi_nic 4 0 $U4 $M4 locked "10.99.0.4" "fd00:99::4"
xen_vif g5 vif5.0 $M5                # xl, no policy anywhere
xl_nic 5 0 $M5
xen_vif g6 web6 $M6                  # xl, vifname=web6, and web6-emu
xen_vif g6 web6-emu $M6 eth1
xl_nic 6 0 $M6 "10.99.0.6"
xs_write $BE/6/0/vifname web6
xen_vif g7 vif7.0 $M7                # XAPI unlocked, config file by UUID
xapi_nic 7 0 $U7 $M7 unlocked
echo "$U7 10.99.0.7" >"$VIFGUARD_CONFIG"

run_sync -- -n
tap_check "sync --dry-run: exit 0" 0 "$SYNC_RC" "$(out)"
tap_check "sync --dry-run: nothing attached" "0 0 0 0 0 0 0" \
	"$(for i in vif3.0 vif4.0 tap4.0 vif5.0 web6 web6-emu vif7.0; do tc_ingress $i; done | tr '\n' ' ' | sed 's/ $//')" \
	"$(out)"
grep -q "^vif4.0: locked, 1 MAC, 1 IPv4, 1 IPv6 (xapi /xapi/$(vm_uuid 4)/private/vif/0) (dry run)$" "$VG_TMP/sync.out"
tap_check "sync --dry-run: prints the decisions" 0 "$?" "$(out)"

run_sync
tap_check "sync: exit 0" 0 "$SYNC_RC" "$(out)"
tap_check "sync: vif3.0 from xl" "locked mac=$M3 10.99.0.3/32" "$(policy_of vif3.0)"
tap_check "sync: vif4.0 and tap4.0 from XAPI" \
	"locked mac=$M4 10.99.0.4/32 fd00:99::4/128|locked mac=$M4 10.99.0.4/32 fd00:99::4/128" \
	"$(policy_of vif4.0)|$(policy_of tap4.0)"
tap_check "sync: vif5.0 stays unfiltered" "0 " "$(tc_ingress vif5.0) $(policy_of vif5.0)"
tap_check "sync: vifname web6 and web6-emu from xl" \
	"locked mac=$M6 10.99.0.6/32|locked mac=$M6 10.99.0.6/32" \
	"$(policy_of web6)|$(policy_of web6-emu)"
tap_check "sync: vif7.0 (XAPI unlocked) from the config file" \
	"locked mac=$M7 10.99.0.7/32" "$(policy_of vif7.0)"

# Policies changed behind vifguard's back, one filter lost.
xs_write $BE/3/0/ip "10.99.0.33"
xapi_lock 4 0 disabled
: >"$VIFGUARD_CONFIG"
vg detach web6 >/dev/null 2>&1
run_sync -j
tap_check "sync -j: exit 0, valid JSON, 7 interfaces" "0 7" \
	"$SYNC_RC $(jq length "$VG_TMP/sync.out" 2>&1)" "$(out)"
tap_check "sync: vif3.0 has the new ip" "locked mac=$M3 10.99.0.33/32" "$(policy_of vif3.0)"
tap_check "sync: vif4.0 and tap4.0 are disabled" "disabled|disabled" \
	"$(policy_of vif4.0 | cut -d' ' -f1)|$(policy_of tap4.0 | cut -d' ' -f1)"
tap_check "sync: web6 is filtered again" "locked mac=$M6 10.99.0.6/32" "$(policy_of web6)"
tap_check "sync: vif7.0 lost its config entry, unfiltered again" "0 " \
	"$(tc_ingress vif7.0) $(policy_of vif7.0)"

# Reboot: the same VM comes back as domain 8; its XAPI keys follow the VM.
xapi_lock 4 0 locked "10.99.0.4" ""
ip -n "$HOST" link del vif4.0
ip -n "$HOST" link del tap4.0
vm4=$(vm_uuid 4)
xenstore-rm $BE/4 /local/domain/4
xen_vif g8 vif8.0 $M4
xs_write /local/domain/8/vm "/vm/$vm4" $BE/8/0/frontend-id 8 $BE/8/0/mac $M4
xs_own /local/domain/8/vm 8
xs_write "/xapi/$vm4/hotplug/8/vif/0/hotplug" online
run_sync
tap_check "reboot with a new domid: the VM's policy follows it to vif8.0" \
	"0 locked mac=$M4 10.99.0.4/32" "$SYNC_RC $(policy_of vif8.0)" "$(out)"

# No xenstore at all.
hx env XENSTORED_PATH=/nonexistent/socket "$VIFGUARD" sync >"$VG_TMP/sync.out" 2>&1
tap_check "sync without xenstore: exit 1 with a message" \
	"1 cannot connect to xenstore" \
	"$? $(grep -o 'cannot connect to xenstore' "$VG_TMP/sync.out")" "$(out)"

tap_done
