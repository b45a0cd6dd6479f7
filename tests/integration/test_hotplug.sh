#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The xl / libxl entry points, run the way libxl runs vif scripts, against
# a real oxenstored and Xen's real vif-bridge and vif-openvswitch: the
# vif-vifguard-* scripts attach before the link is up, the vif-post.d hook
# attaches from inside vif-bridge, the emulated NIC and vifname= renames
# get the VIF's policy, offline leaves nothing behind (also when repeated
# or late), bad sources fail closed, a bad config file that is needed fails
# the VIF closed and the hotplug, one that xl's ip= makes moot does not,
# a quarantine set with `vifguard attach` survives online and goes with
# offline, and no xenstore is an error, not a crash.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/test_xen_lib.bash"
xen_init "$@"

BE=/local/domain/0/backend/vif
out() {
	cat "$VG_TMP/hotplug.out"
	[ -s "$VG_TMP/hotplug.log" ] && sed 's/^/xen-hotplug.log: /' "$VG_TMP/hotplug.log"
	return 0
}
# said NAME PATTERN: a check that the last hotplug run printed PATTERN (grep -E).
said() {
	grep -Eq -- "$2" "$VG_TMP/hotplug.out"
	tap_check "$1" "a line matching '$2'" \
		"$([ $? = 0 ] && echo "a line matching '$2'" || echo none)" "$(out)"
}

# ---- vif-vifguard-bridge: filter first, then Xen's vif-bridge ----------
M3=00:16:3e:00:03:00
xen_vif g3 vif3.0 $M3
xl_nic 3 0 $M3 "10.99.0.3 fd00:99::3"
CS=$(check_then_stock vif-bridge)
libxl_run vif-vifguard-bridge online 3 0 VIFGUARD_STOCK_SCRIPT="$CS"
tap_check "vif-vifguard-bridge online: exit 0" 0 "$HP_RC" "$(out)"
tap_check "vif-vifguard-bridge: when vif-bridge starts, vif3.0 is filtered, down, off the bridge" \
	"filters=1 down master=none" "$(cat "$VG_TMP/at-stock-start" 2>&1)"
tap_check "vif-bridge then puts vif3.0 up on br0" "up master=br0" "$(link_state vif3.0)"
tap_check "vif-bridge reports the device connected" connected \
	"$(xs_read $BE/3/0/hotplug-status)"
tap_check "vif3.0: policy of the backend's mac and ip keys" \
	"locked mac=$M3 10.99.0.3/32 fd00:99::3/128" "$(policy_of vif3.0)"
said "vif3.0: the decision names its source" "^vif3.0: locked, .*\\(xl $BE/3/0\\)$"
VG_FENCE[g3]="udp4 --src-ip 10.99.0.3"
vg_xfer g3 3 udp4 --src-ip 10.99.0.3
tap_check "vif3.0: frames from 10.99.0.3 reach the sink" 3 "$RX"
vg_xfer g3 3 udp4 --src-ip 10.99.0.33
tap_check "vif3.0: frames from 10.99.0.33 do not" 0 "$RX"

libxl_run vif-vifguard-bridge offline 3 0
tap_check "vif-vifguard-bridge offline: exit 0" 0 "$HP_RC" "$(out)"
tap_check "offline: vif3.0 down, off the bridge" "down master=none" "$(link_state vif3.0)"
tap_check "offline: no filter on vif3.0" 0 "$(tc_ingress vif3.0)"
tap_check "offline: no entry left for vif3.0" "" "$(policy_of vif3.0)"
libxl_run vif-vifguard-bridge offline 3 0
tap_check "a repeated offline: exit 0" 0 "$HP_RC" "$(out)"
ip -n "$HOST" link del vif3.0
hx env vif=vif3.0 XENBUS_PATH=backend/vif/3/0 "$VIFGUARD" hotplug offline \
	type_if=vif >"$VG_TMP/hotplug.out" 2>&1
tap_check "offline after the device is gone: exit 0" 0 "$?" "$(out)"

# ---- the vif-post.d hook, sourced by the stock vif-bridge ----------------
M4=00:16:3e:00:04:00
xen_vif g4 vif4.0 $M4
xl_nic 4 0 $M4 "10.99.0.4"
libxl_run vif-bridge online 4 0
tap_check "vif-bridge with the hook, online: exit 0" 0 "$HP_RC" "$(out)"
tap_check "the hook attached vif4.0's policy" "locked mac=$M4 10.99.0.4/32" \
	"$(policy_of vif4.0)"
tap_check "the hook: one filter on vif4.0" 1 "$(tc_ingress vif4.0)"
said "the hook's decision is in the hotplug output" "^vif4.0: locked, .*\\(xl $BE/4/0\\)$"
# A quarantine set by hand: online again keeps it, offline removes it.
vg attach vif4.0 --mode disabled >/dev/null
libxl_run vif-bridge online 4 0
tap_check "quarantine by attach, online again: exit 0, still disabled" "0 1 disabled" \
	"$HP_RC $(tc_ingress vif4.0) $(policy_of vif4.0 | cut -d' ' -f1)" "$(out)"
said "quarantine by attach, online again: says it is kept" \
	'^vif4\.0: kept: set by vifguard attach \(disabled\); `vifguard release vif4\.0` hands it back to its sources$'
libxl_run vif-bridge offline 4 0
tap_check "vif-bridge with the hook, offline: exit 0" 0 "$HP_RC" "$(out)"
tap_check "the hook removed vif4.0's filter and entry" "0 " \
	"$(tc_ingress vif4.0) $(policy_of vif4.0)"

# ---- a bad config file, needed: the VIF fails closed and so does the hotplug
echo "00:16:3e:00:05:00 10.99.0.5 bogus-option" >"$VIFGUARD_CONFIG"
M5=00:16:3e:00:05:00
xen_vif g5 vif5.0 $M5
xl_nic 5 0 $M5
libxl_run vif-bridge online 5 0
tap_check "hook + bad config file: vif-bridge fails (fail closed)" 1 "$HP_RC" "$(out)"
tap_check "hook + bad config file: hotplug-status error" error \
	"$(xs_read $BE/5/0/hotplug-status)"
grep -q "$VIFGUARD_CONFIG:1: 'bogus-option': unknown option" "$VG_TMP/xenlog/xen-hotplug.log"
tap_check "vifguard's message, naming file:line, is in xen-hotplug.log" 0 "$?" \
	"$(tail -5 "$VG_TMP/xenlog/xen-hotplug.log")"
libxl_run vif-bridge offline 5 0
tap_check "hook + bad config file: offline still succeeds" 0 "$HP_RC" "$(out)"

xenstore-rm $BE/5/0/hotplug-status $BE/5/0/hotplug-error
rm -f "$VG_TMP/at-stock-start"
libxl_run vif-vifguard-bridge online 5 0 VIFGUARD_STOCK_SCRIPT="$CS"
tap_check "vif-vifguard-bridge + bad config file: exit 1" 1 "$HP_RC" "$(out)"
tap_check "the stock script never ran, vif5.0 stays down and off the bridge" \
	"no-stock down master=none" \
	"$([ -e "$VG_TMP/at-stock-start" ] && echo stock || echo no-stock) $(link_state vif5.0)"
tap_check "hotplug-status error, hotplug-error names the file" \
	"error $VIFGUARD_CONFIG:1" \
	"$(xs_read $BE/5/0/hotplug-status) $(xs_read $BE/5/0/hotplug-error | grep -o "$VIFGUARD_CONFIG:1" || true)" \
	"$(out)"
tap_check "vif5.0 fails closed: the disabled filter is attached" "1 disabled" \
	"$(tc_ingress vif5.0) $(policy_of vif5.0 | cut -d' ' -f1)"
libxl_run vif-vifguard-bridge offline 5 0 VIFGUARD_STOCK_SCRIPT="$CS"

# xl's ip= decides: the bad file is not read.
xs_write $BE/5/0/ip 10.99.0.5
xenstore-rm $BE/5/0/hotplug-status $BE/5/0/hotplug-error
libxl_run vif-vifguard-bridge online 5 0 VIFGUARD_STOCK_SCRIPT="$CS"
tap_check "bad config file, xl ip= set: exit 0, xl's policy" "0 locked mac=$M5 10.99.0.5/32" \
	"$HP_RC $(policy_of vif5.0)" "$(out)"
libxl_run vif-vifguard-bridge offline 5 0 VIFGUARD_STOCK_SCRIPT="$CS"
tap_check "bad config file, xl ip= set: offline leaves nothing" "0 " \
	"$(tc_ingress vif5.0) $(policy_of vif5.0)"
: >"$VIFGUARD_CONFIG"

# ---- vif-vifguard-openvswitch: vif-openvswitch runs no hooks -------------
M6=00:16:3e:00:06:00
xen_vif g6 vif6.0 $M6
xl_nic 6 0 $M6 "10.99.0.6" vif-vifguard-openvswitch
CS_OVS=$(check_then_stock vif-openvswitch)
: >"$VG_TMP/ovs.log"
libxl_run vif-vifguard-openvswitch online 6 0 VIFGUARD_STOCK_SCRIPT="$CS_OVS" \
	PATH="$VG_TMP/bin:/usr/sbin:/usr/bin:/sbin:/bin"
tap_check "vif-vifguard-openvswitch online: exit 0" 0 "$HP_RC" "$(out)"
tap_check "when vif-openvswitch starts, vif6.0 is filtered and down" \
	"filters=1 down master=none" "$(cat "$VG_TMP/at-stock-start" 2>&1)"
grep -q -- "add-port br0 vif6.0 .*xen-vm-uuid.*$(vm_uuid 6).*attached-mac.*$M6" "$VG_TMP/ovs.log"
tap_check "vif-openvswitch added the port with its external-ids" 0 "$?" \
	"$(cat "$VG_TMP/ovs.log")"
tap_check "vif6.0 up, policy from xl" "up locked mac=$M6 10.99.0.6/32" \
	"$(link_state vif6.0 | cut -d' ' -f1) $(policy_of vif6.0)"
libxl_run vif-vifguard-openvswitch offline 6 0 \
	PATH="$VG_TMP/bin:/usr/sbin:/usr/bin:/sbin:/bin"
tap_check "vif-vifguard-openvswitch offline: exit 0, nothing left" "0 0 " \
	"$HP_RC $(tc_ingress vif6.0) $(policy_of vif6.0)" "$(out)"

# ---- the emulated NIC of an HVM guest (add/remove type_if=tap) -----------
M7=00:16:3e:00:07:00
xen_vif g7 vif7.0 $M7
xen_vif g7 vif7.0-emu $M7 eth1
xl_nic 7 0 $M7 "10.99.0.7"
libxl_run vif-vifguard-bridge online 7 0 VIFGUARD_STOCK_SCRIPT="$CS"
tap_check "HVM guest, PV device online: exit 0" 0 "$HP_RC" "$(out)"
libxl_run vif-vifguard-bridge add 7 0 VIFGUARD_STOCK_SCRIPT="$CS"
tap_check "HVM guest, emulated NIC add: exit 0" 0 "$HP_RC" "$(out)"
tap_check "when vif-bridge adds vif7.0-emu, it is filtered and down" \
	"filters=1 down master=none" "$(cat "$VG_TMP/at-stock-start" 2>&1)"
tap_check "vif7.0-emu has vif7.0's policy" "$(policy_of vif7.0)" "$(policy_of vif7.0-emu)"
tap_check "vif7.0-emu is up on br0" "up master=br0" "$(link_state vif7.0-emu)"
libxl_run vif-vifguard-bridge remove 7 0
tap_check "emulated NIC remove: only vif7.0-emu loses its filter" \
	"0 0 1" "$HP_RC $(tc_ingress vif7.0-emu) $(tc_ingress vif7.0)" "$(out)"
libxl_run vif-vifguard-bridge offline 7 0

# ---- vifname=: the stock script renames the device -----------------------
M8=00:16:3e:00:08:00
xen_vif g8 vif8.0 $M8
xl_nic 8 0 $M8 "10.99.0.8"
xs_write $BE/8/0/vifname web8
libxl_run vif-vifguard-bridge online 8 0 VIFGUARD_STOCK_SCRIPT="$CS"
tap_check "vifname=web8 online: exit 0, filtered before the rename" \
	"0 filters=1 down master=none" "$HP_RC $(cat "$VG_TMP/at-stock-start" 2>&1)" "$(out)"
tap_check "web8 keeps the filter and the policy under its new name" \
	"1 locked mac=$M8 10.99.0.8/32" "$(tc_ingress web8) $(policy_of web8)"
libxl_run vif-vifguard-bridge offline 8 0
tap_check "vifname=web8 offline: nothing left" "0 0 " \
	"$HP_RC $(tc_ingress web8) $(policy_of web8)" "$(out)"

# ---- failing closed, no policy, the config file ---------------------------
M9=00:16:3e:00:09:00
xen_vif g9 vif9.0 $M9
xl_nic 9 0 $M9 "10.99.0.9 10.99.0.300"
libxl_run vif-vifguard-bridge online 9 0 VIFGUARD_STOCK_SCRIPT="$CS"
tap_check "bad ip key: the hotplug succeeds" 0 "$HP_RC" "$(out)"
said "bad ip key: the reason names the xenstore key" \
	"vif9.0: $BE/9/0/ip: '10.99.0.300': .*interface disabled"
tap_check "bad ip key: vif9.0 is disabled" "disabled" \
	"$(policy_of vif9.0 | cut -d' ' -f1)"
VG_NOFENCE=1
vg_xfer g9 3 udp4 --src-ip 10.99.0.9
VG_NOFENCE=0
tap_check "disabled vif9.0: even 10.99.0.9 is dropped" 0 "$RX"

M10=00:16:3e:00:0a:00
xen_vif g10 vif10.0 $M10
xl_nic 10 0 $M10
libxl_run vif-vifguard-bridge online 10 0 VIFGUARD_STOCK_SCRIPT="$CS"
tap_check "no policy anywhere: exit 0, vif10.0 unfiltered" "0 0 " \
	"$HP_RC $(tc_ingress vif10.0) $(policy_of vif10.0)" "$(out)"

M11=00:16:3e:00:0b:00
echo "$M11 10.99.0.11 # by MAC" >"$VIFGUARD_CONFIG"
xen_vif g11 vif11.0 $M11
xl_nic 11 0 $M11
libxl_run vif-vifguard-bridge online 11 0 VIFGUARD_STOCK_SCRIPT="$CS"
tap_check "config file entry by MAC" \
	"0 locked mac=$M11 10.99.0.11/32" \
	"$HP_RC $(policy_of vif11.0)" "$(out)"
said "config file entry: the decision names file:line" "^vif11.0: locked, .*\\(config $VIFGUARD_CONFIG:1\\)$"
: >"$VIFGUARD_CONFIG"

# ---- no xenstore ------------------------------------------------------------
M12=00:16:3e:00:0c:00
xen_vif g12 vif12.0 $M12
hx env XENSTORED_PATH=/nonexistent/socket vif=vif12.0 XENBUS_PATH=backend/vif/12/0 \
	"$VIFGUARD" hotplug online type_if=vif >"$VG_TMP/hotplug.out" 2>&1
tap_check "no xenstore: online fails with exit 1" 1 "$?" "$(out)"
said "no xenstore: says so" "vif12.0: cannot connect to xenstore"
hx env XENSTORED_PATH=/nonexistent/socket vif=vif12.0 XENBUS_PATH=backend/vif/12/0 \
	"$VIFGUARD" hotplug offline type_if=vif >"$VG_TMP/hotplug.out" 2>&1
tap_check "no xenstore: offline still exit 0" 0 "$?" "$(out)"

# A host without Xen's libraries (this mount namespace only): dlopen fails.
# The static build (make static) has libxenstore linked in.
lib=$(readlink -f "$(ldconfig -p | sed -n 's/.*libxenstore.so.4 .*=> //p' | head -1)")
if vg_static; then
	tap_skip "no usable libxenstore.so.4" "$VIFGUARD is static: libxenstore linked in"
elif [ -f "$lib" ] && mount --bind /dev/null "$lib"; then
	hx env vif=vif12.0 XENBUS_PATH=backend/vif/12/0 \
		"$VIFGUARD" hotplug online type_if=vif >"$VG_TMP/hotplug.out" 2>&1
	rc=$?
	umount "$lib"
	tap_check "no usable libxenstore.so.4: online fails with exit 1" 1 "$rc" "$(out)"
	said "no usable libxenstore.so.4: says so" "vif12.0: cannot open xenstore: .*libxenstore.so.4"
else
	tap_skip "no usable libxenstore.so.4" "cannot hide $lib"
fi

tap_done
