#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# vifguard sync: every guest interface present on the host (xl and XAPI
# VIFs, emulated NICs, renamed ones) gets the policy of its sources again,
# after the filter state was lost or a policy changed behind vifguard's
# back; --dry-run changes nothing; a domain that comes back with a new
# domid (reboot, migration) gets its VIF's policy by identity.  A policy set
# with `vifguard attach` is the operator's: sync keeps it (and says so, also
# with --dry-run) until `vifguard release` hands it back to its sources in
# one update, or, with no source, removes it only when told to --detach.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/test_xen_lib.bash"
xen_init "$@"

BE=/local/domain/0/backend/vif

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
	"$SYNC_RC $(jq ".interfaces | length" "$VG_TMP/sync.out" 2>&1)" "$(out)"
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

# ---- who owns a policy: one set with `vifguard attach` stays until release ----
said() {
	grep -Eq -- "$2" "$VG_TMP/sync.out"
	tap_check "$1" "a line matching '$2'" \
		"$([ $? = 0 ] && echo "a line matching '$2'" || echo none)" "$(out)"
}
# run_cli ARGS...: the CLI in HOST, as an operator runs it, output in sync.out.
run_cli() {
	hx "$VIFGUARD" "$@" >"$VG_TMP/sync.out" 2>&1
	CLI_RC=$?
}
set_by() { vg -j show "$1" | jq -r '.interfaces[0].set_by'; }

# A quarantine by hand on a VIF that no source has a policy for.
vg attach vif5.0 --mode disabled >/dev/null
run_sync -- -n
tap_check "quarantine by attach: sync -n exits 0" 0 "$SYNC_RC" "$(out)"
said "quarantine by attach: sync -n says it is kept" \
	'^vif5\.0: kept: set by vifguard attach \(disabled\); `vifguard release vif5\.0` hands it back to its sources \(dry run\)$'
run_sync
tap_check "quarantine by attach: sync exits 0" 0 "$SYNC_RC" "$(out)"
said "quarantine by attach: sync says it is kept" \
	'^vif5\.0: kept: set by vifguard attach \(disabled\); `vifguard release vif5\.0` hands it back to its sources$'
tap_check "quarantine by attach survives sync: filter on, disabled" "1 disabled mac=" \
	"$(tc_ingress vif5.0) $(policy_of vif5.0)" "$(out)"
run_sync -j
tap_check "sync -j: vif5.0 kept, disabled, set by attach" "0 keep disabled attach true" \
	"$SYNC_RC $(jq -r '.interfaces[] | select(.ifname == "vif5.0") | "\(.action) \(.decision) \(.source) \(.kept)"' "$VG_TMP/sync.out" 2>&1)" \
	"$(out)"
tap_check "show: vif5.0 set by attach, vif3.0 by its sources" "attach sources" \
	"$(set_by vif5.0) $(set_by vif3.0)"
run_cli hotplug online type_if=vif vif=vif5.0 XENBUS_PATH=backend/vif/5/0
tap_check "hotplug online again: exit 0, still disabled" "0 1 disabled mac=" \
	"$CLI_RC $(tc_ingress vif5.0) $(policy_of vif5.0)" "$(out)"
said "hotplug online again: says it is kept" '^vif5\.0: kept: set by vifguard attach \(disabled\); '

# A locked policy by hand on a VIF that XAPI also has a policy for.
vm4=$(vm_uuid 4)
vg attach vif8.0 --mac $M4 --ipv4 10.99.0.88 >/dev/null
run_sync
tap_check "locked by attach on a XAPI VIF: sync keeps it" "0 locked mac=$M4 10.99.0.88/32" \
	"$SYNC_RC $(policy_of vif8.0)" "$(out)"
said "locked by attach on a XAPI VIF: sync says so" \
	'^vif8\.0: kept: set by vifguard attach \(locked\); `vifguard release vif8\.0` hands it back to its sources$'

# release: XAPI's policy replaces it in one update, the filter stays on.
nl_start vif8.0
run_cli release -n vif8.0
tap_check "release -n: exit 0, nothing changed" "0 locked mac=$M4 10.99.0.88/32 attach" \
	"$CLI_RC $(policy_of vif8.0) $(set_by vif8.0)" "$(out)"
said "release -n: says what it would do" \
	"^vif8\\.0: would be released: locked, 1 MAC, 1 IPv4, 0 IPv6 \\(xapi /xapi/$vm4/private/vif/0\\) \\(dry run\\)$"
run_cli release vif8.0
tap_check "release: exit 0, XAPI's policy, set by its sources" \
	"0 locked mac=$M4 10.99.0.4/32 sources" \
	"$CLI_RC $(policy_of vif8.0) $(set_by vif8.0)" "$(out)"
said "release: names the source" \
	"^vif8\\.0: released: locked, 1 MAC, 1 IPv4, 0 IPv6 \\(xapi /xapi/$vm4/private/vif/0\\)$"
tap_check "release: the filter never left vif8.0" "1 none" \
	"$(tc_ingress vif8.0) $(nl_first vif8.0 '^filter del')" "$(nl_lines vif8.0)"
xapi_lock 4 0 locked "10.99.0.44" ""
run_sync
tap_check "released: sync follows XAPI again" "0 locked mac=$M4 10.99.0.44/32" \
	"$SYNC_RC $(policy_of vif8.0)" "$(out)"

# An edit with `vifguard set` of the sources' policy keeps the rest of it
# and makes it the operator's, as attach does; release hands it back.
run_cli set vif8.0 add ipv4 10.99.0.45
tap_check "set on XAPI's policy: exit 0, the rest kept, now the operator's" \
	"0 locked mac=$M4 10.99.0.44/32 10.99.0.45/32 attach" \
	"$CLI_RC $(policy_of vif8.0) $(set_by vif8.0)" "$(out)"
xapi_lock 4 0 locked "10.99.0.46" ""
run_sync
tap_check "set on XAPI's policy: sync keeps the edit" \
	"0 locked mac=$M4 10.99.0.44/32 10.99.0.45/32" "$SYNC_RC $(policy_of vif8.0)" "$(out)"
said "set on XAPI's policy: sync says it is kept" '^vif8\.0: kept: set by vifguard attach \(locked\); '
run_cli release vif8.0
tap_check "release after set: XAPI's policy again, set by its sources" \
	"0 locked mac=$M4 10.99.0.46/32 sources" \
	"$CLI_RC $(policy_of vif8.0) $(set_by vif8.0)" "$(out)"

# release with no source: says so, keeps the filter unless --detach.
run_cli release vif5.0
tap_check "release, no source: exit 1, the quarantine stays" "1 1 disabled mac=" \
	"$CLI_RC $(tc_ingress vif5.0) $(policy_of vif5.0)" "$(out)"
said "release, no source: says why and how to detach" \
	'^vifguard: vif5\.0: not released: unfiltered \(no policy in any source\); its filter \(disabled, set by vifguard attach\) stays: `vifguard release --detach vif5\.0` removes it$'
run_cli release --dry-run vif5.0
tap_check "release -n, no source: the same answer" "1 not released" \
	"$CLI_RC $(grep -o 'not released' "$VG_TMP/sync.out")" "$(out)"
run_cli release --detach vif5.0
tap_check "release --detach, no source: exit 0, filter and entry gone" "0 0 " \
	"$CLI_RC $(tc_ingress vif5.0) $(policy_of vif5.0)" "$(out)"
said "release --detach: says so" \
	'^vif5\.0: released: unfiltered \(no policy in any source\), filter removed$'

# A renamed VIF (vifname=) is found by its name.
vg attach web6 --mode disabled >/dev/null
run_cli -j release web6
tap_check "release web6 (vifname=): xl's policy back, JSON" \
	"0 locked mac=$M6 10.99.0.6/32 release xl" \
	"$CLI_RC $(policy_of web6) $(jq -r '"\(.action) \(.source)"' "$VG_TMP/sync.out" 2>&1)" "$(out)"

# Not a guest interface, or no interface at all.
ip -n "$HOST" link add plain0 type veth peer name plain1
vg attach plain0 --mode disabled >/dev/null
run_cli release plain0
tap_check "release of a non-Xen interface: exit 1, the filter stays" "1 1" \
	"$CLI_RC $(tc_ingress plain0)" "$(out)"
said "release of a non-Xen interface: says so" \
	'^vifguard: plain0: cannot release: not a Xen guest interface'
run_cli release nosuch0
tap_check "release of no interface: exit 1" "1 nosuch0: cannot release: No such device" \
	"$CLI_RC $(sed 's/^vifguard: //' "$VG_TMP/sync.out")"

# No xenstore at all.
hx env XENSTORED_PATH=/nonexistent/socket "$VIFGUARD" sync >"$VG_TMP/sync.out" 2>&1
tap_check "sync without xenstore: exit 1 with a message" \
	"1 cannot connect to xenstore" \
	"$? $(grep -o 'cannot connect to xenstore' "$VG_TMP/sync.out")" "$(out)"

tap_done
