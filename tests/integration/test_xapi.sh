#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The XAPI drop-in, called as xenopsd and its vif script call
# setup-vif-rules (classic DEV VM-UUID DEVID filter|clear), with the keys
# xenopsd writes in a real oxenstored: the filter is attached before the
# port comes up, every live change (locked -> disabled -> new addresses ->
# locked) updates it in place and never takes the link down, disabled takes
# the port off its bridge, the emulated NIC gets the same policy, Open
# vSwitch ports get their external-ids and ofport key, bad keys fail
# closed, clear leaves nothing behind.  A quarantine set with `vifguard
# attach` is kept by filter until `vifguard release` hands the VIF back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/test_xen_lib.bash"
xen_init "$@"

SVR=$XEN_STAGE/usr/libexec/vifguard/setup-vif-rules
out() { cat "$VG_TMP/svr.out"; }
said() {
	grep -Eq -- "$2" "$VG_TMP/svr.out"
	tap_check "$1" "a line matching '$2'" \
		"$([ $? = 0 ] && echo "a line matching '$2'" || echo none)" "$(out)"
}

# svr DEV DOMID DEVID filter|clear [NAME=VALUE...]: the drop-in as xenopsd
# runs it (through the installed script), in HOST.
svr() {
	local dev=$1 d=$2 n=$3 action=$4
	shift 4
	hx env VIFGUARD="$VIFGUARD" VIFGUARD_ROOT="$ROOT" \
		VIFGUARD_CONFIG="$VIFGUARD_CONFIG" VIFGUARD_NETWORK_BACKEND=bridge "$@" \
		"$SVR" classic "$dev" "$(vm_uuid "$d")" "$n" "$action" \
		>"$VG_TMP/svr.out" 2>&1
	SVR_RC=$?
}

# What xenopsd's vif script does to a new port before setup-vif-rules.
vif_real_prepare() {
	ip -n "$HOST" link set "$1" down
	ip -n "$HOST" link set "$1" arp off
	ip -n "$HOST" addr flush dev "$1"
}

M3=00:16:3e:30:00:01
U3=0a1b2c3d-4e5f-4a6b-8c7d-000000000003
PRIV3=/xapi/$(vm_uuid 3)/private/vif/0
xen_vif g3 vif3.0 $M3
xapi_nic 3 0 $U3 $M3 locked "10.99.0.3" ""
nl_start vif3.0
vif_real_prepare vif3.0
svr vif3.0 3 0 filter
tap_check "filter (locked): exit 0" 0 "$SVR_RC" "$(out)"
said "filter: the decision names the XAPI keys" "^vif3.0: locked, .*\\(xapi $PRIV3\\)$"
tap_check "vif3.0: XAPI's policy" "locked mac=$M3 10.99.0.3/32" "$(policy_of vif3.0)"
tap_check "vif3.0 is up on its bridge (private/bridge)" "up master=br0" "$(link_state vif3.0)"
f=$(nl_first vif3.0 '^filter add bpf')
u=$(nl_first vif3.0 '^link up')
tap_check "the bpf filter came before the link went up" "filter before up" \
	"$([ "$f" != none ] && [ "$u" != none ] && [ "$f" -lt "$u" ] && echo "filter before up" || echo "filter at $f, up at $u")" \
	"$(nl_lines vif3.0)"

VG_FENCE[g3]="udp4 --src-ip 10.99.0.3"
vg_xfer g3 3 udp4 --src-ip 10.99.0.3
tap_check "locked: frames from 10.99.0.3 pass" 3 "$RX"
vg_xfer g3 3 udp4 --src-ip 10.99.0.4
tap_check "locked: frames from 10.99.0.4 do not" 0 "$RX"

# ---- live changes: in place, the link never goes down -----------------------
mark=$(wc -l <"$VG_TMP/nl.vif3.0")
cc=$(carrier_changes vif3.0)

xapi_lock 3 0 disabled
svr vif3.0 3 0 filter
tap_check "locked -> disabled: exit 0" 0 "$SVR_RC" "$(out)"
tap_check "disabled: mode disabled, off the bridge, link up" \
	"disabled up master=none" \
	"$(policy_of vif3.0 | cut -d' ' -f1) $(link_state vif3.0)"
VG_NOFENCE=1
vg_xfer g3 3 udp4 --src-ip 10.99.0.3
VG_NOFENCE=0
tap_check "disabled: nothing passes" 0 "$RX"

xapi_lock 3 0 locked "10.99.0.30,10.99.0.31" "fd00:99::30"
svr vif3.0 3 0 filter
tap_check "disabled -> locked with new addresses: exit 0" 0 "$SVR_RC" "$(out)"
tap_check "new addresses in force, back on the bridge" \
	"locked mac=$M3 10.99.0.30/32 10.99.0.31/32 fd00:99::30/128 up master=br0" \
	"$(policy_of vif3.0) $(link_state vif3.0)"
VG_FENCE[g3]="udp4 --src-ip 10.99.0.30"
vg_xfer g3 3 udp4 --src-ip 10.99.0.31
tap_check "new addresses: frames from 10.99.0.31 pass" 3 "$RX"
vg_xfer g3 3 udp4 --src-ip 10.99.0.3
tap_check "new addresses: the old 10.99.0.3 no longer does" 0 "$RX"

xapi_lock 3 0 locked "10.99.0.3" ""
svr vif3.0 3 0 filter
tap_check "locked again with the first list: exit 0" 0 "$SVR_RC" "$(out)"
tap_check "locked again" "locked mac=$M3 10.99.0.3/32" "$(policy_of vif3.0)"
VG_FENCE[g3]="udp4 --src-ip 10.99.0.3"
vg_xfer g3 3 udp4 --src-ip 10.99.0.3
tap_check "locked again: frames from 10.99.0.3 pass" 3 "$RX"

tap_check "through all changes: no 'link down', no carrier loss" "" \
	"$(nl_lines vif3.0 $((mark + 1)) | grep -E 'link down|no-carrier|link gone')" \
	"$(nl_lines vif3.0 $((mark + 1)))"
tap_check "through all changes: carrier_changes did not move" "$cc" "$(carrier_changes vif3.0)"
tap_check "through all changes: the filter was never removed" "" \
	"$(nl_lines vif3.0 $((mark + 1)) | grep -E '^filter del')"

# ---- a quarantine set by hand: XAPI's filter call keeps it ------------------
vg attach vif3.0 --mode disabled >/dev/null
svr vif3.0 3 0 filter
tap_check "quarantine by attach, then filter: exit 0, still disabled, on XAPI's bridge" \
	"0 disabled up master=br0" \
	"$SVR_RC $(policy_of vif3.0 | cut -d' ' -f1) $(link_state vif3.0)" "$(out)"
said "quarantine by attach, then filter: says it is kept" \
	'^vif3\.0: kept: set by vifguard attach \(disabled\); `vifguard release vif3\.0` hands it back to its sources$'
VG_NOFENCE=1
vg_xfer g3 3 udp4 --src-ip 10.99.0.3
VG_NOFENCE=0
tap_check "quarantine by attach, then filter: nothing passes" 0 "$RX"
mark=$(wc -l <"$VG_TMP/nl.vif3.0")
hx "$VIFGUARD" release vif3.0 >"$VG_TMP/svr.out" 2>&1
tap_check "release: exit 0, XAPI's locked policy back" "0 locked mac=$M3 10.99.0.3/32" \
	"$? $(policy_of vif3.0)" "$(out)"
said "release: names the XAPI keys" "^vif3.0: released: locked, .*\\(xapi $PRIV3\\)$"
tap_check "release: the filter never left the device, the link never went down" "" \
	"$(nl_lines vif3.0 $((mark + 1)) | grep -E '^filter del|link down|no-carrier')" \
	"$(nl_lines vif3.0 $((mark + 1)))"
vg_xfer g3 3 udp4 --src-ip 10.99.0.3
tap_check "released: frames from 10.99.0.3 pass" 3 "$RX"
xapi_lock 3 0 disabled
svr vif3.0 3 0 filter
tap_check "released: XAPI decides again (disabled)" "0 disabled" \
	"$SVR_RC $(policy_of vif3.0 | cut -d' ' -f1)" "$(out)"
xapi_lock 3 0 locked "10.99.0.3" ""
svr vif3.0 3 0 filter

# ---- unlocked, the config file, failing closed -------------------------------
xapi_lock 3 0 unlocked
svr vif3.0 3 0 filter
tap_check "unlocked: exit 0, no filter, on the bridge" "0 0  up master=br0" \
	"$SVR_RC $(tc_ingress vif3.0) $(policy_of vif3.0) $(link_state vif3.0)" "$(out)"
said "unlocked: says so" "^vif3.0: unfiltered \\(xapi unlocked, $PRIV3\\)$"

echo "$U3 10.99.0.3  # by VIF UUID, as in ip_restriction.conf" >"$VIFGUARD_CONFIG"
svr vif3.0 3 0 filter
tap_check "unlocked + a config entry for the VIF UUID: the entry applies" \
	"0 locked mac=$M3 10.99.0.3/32" "$SVR_RC $(policy_of vif3.0)" "$(out)"
: >"$VIFGUARD_CONFIG"

xapi_lock 3 0 locked "10.99.0.3,10.99.0.300" ""
svr vif3.0 3 0 filter
tap_check "bad ipv4-allowed: exit 0 (the VIF fails closed)" 0 "$SVR_RC" "$(out)"
said "bad ipv4-allowed: the reason names the key" \
	"vif3.0: $PRIV3/ipv4-allowed: '10.99.0.300': .*interface disabled"
tap_check "bad ipv4-allowed: disabled, off the bridge" "disabled up master=none" \
	"$(policy_of vif3.0 | cut -d' ' -f1) $(link_state vif3.0)"

xapi_lock 3 0 network_default
svr vif3.0 3 0 filter
said "unknown locking-mode: fails closed, names the key" \
	"vif3.0: $PRIV3/locking-mode: 'network_default': .*interface disabled"

# ---- the config file: read only when needed, only root's ---------------------
# An unrelated bad line has no say over what XAPI decides.
printf '%s\n' "$U3 10.99.0.3" "bogus line" >"$VIFGUARD_CONFIG"
xapi_lock 3 0 locked "10.99.0.3" ""
svr vif3.0 3 0 filter
tap_check "bad config line, XAPI locked: exit 0, XAPI's policy, on the bridge" \
	"0 locked mac=$M3 10.99.0.3/32 up master=br0" \
	"$SVR_RC $(policy_of vif3.0) $(link_state vif3.0)" "$(out)"
VG_FENCE[g3]="udp4 --src-ip 10.99.0.3"
vg_xfer g3 3 udp4 --src-ip 10.99.0.4
tap_check "bad config line, XAPI locked: spoofed frames dropped" 0 "$RX"
xapi_lock 3 0 disabled
svr vif3.0 3 0 filter
tap_check "bad config line, locked -> disabled: exit 0, disabled, off the bridge" \
	"0 disabled up master=none" \
	"$SVR_RC $(policy_of vif3.0 | cut -d' ' -f1) $(link_state vif3.0)" "$(out)"
# Needed (XAPI unlocked) and broken: the VIF fails closed, naming file:line,
# and the command exits 1 to report the broken file.
xapi_lock 3 0 unlocked
svr vif3.0 3 0 filter
tap_check "bad config line, needed: exit 1, fails closed, off the bridge" \
	"1 disabled master=none" \
	"$SVR_RC $(policy_of vif3.0 | cut -d' ' -f1) $(link_state vif3.0 | cut -d' ' -f2)" "$(out)"
said "bad config line, needed: the reason names file:line" \
	"vif3.0: $VIFGUARD_CONFIG:2: 'bogus': .*interface disabled"

# Only a regular file that only root can change, never through a link.
echo "$U3 10.99.0.3" >"$VIFGUARD_CONFIG"
chmod 0644 "$VIFGUARD_CONFIG"
svr vif3.0 3 0 filter
tap_check "root's 0644 config, needed: its entry applies" \
	"0 locked mac=$M3 10.99.0.3/32" "$SVR_RC $(policy_of vif3.0)" "$(out)"
# cfg_refused NAME REGEX [NAME=VALUE...]: svr, then the VIF must fail closed
# with a message matching REGEX.
cfg_refused() {
	local name=$1 re=$2
	shift 2
	svr vif3.0 3 0 filter "$@"
	tap_check "$name: exit 1, fails closed, off the bridge" "1 disabled master=none" \
		"$SVR_RC $(policy_of vif3.0 | cut -d' ' -f1) $(link_state vif3.0 | cut -d' ' -f2)" \
		"$(out)"
	said "$name: the message names the path" "$re"
}
chmod 0664 "$VIFGUARD_CONFIG"
cfg_refused "group-writable config" \
	"vif3.0: $VIFGUARD_CONFIG: owned by uid 0 with mode 0664; refused.*interface disabled"
chmod 0646 "$VIFGUARD_CONFIG"
cfg_refused "world-writable config" \
	"vif3.0: $VIFGUARD_CONFIG: owned by uid 0 with mode 0646; refused.*interface disabled"
chmod 0644 "$VIFGUARD_CONFIG"
chown nobody "$VIFGUARD_CONFIG"
cfg_refused "config owned by nobody" \
	"vif3.0: $VIFGUARD_CONFIG: owned by uid $(id -u nobody) with mode 0644; refused"
chown 0 "$VIFGUARD_CONFIG"
ln -s "$VIFGUARD_CONFIG" "$VG_TMP/link.conf"
cfg_refused "config through a symlink" \
	"vif3.0: $VG_TMP/link.conf: a symbolic link; refused.*interface disabled" \
	VIFGUARD_CONFIG="$VG_TMP/link.conf"
ln -s "$VG_TMP/nonexistent.conf" "$VG_TMP/dangling.conf"
cfg_refused "config as a dangling symlink" \
	"vif3.0: $VG_TMP/dangling.conf: a symbolic link; refused.*interface disabled" \
	VIFGUARD_CONFIG="$VG_TMP/dangling.conf"
rm -f "$VG_TMP/link.conf" "$VG_TMP/dangling.conf"
svr vif3.0 3 0 filter VIFGUARD_CONFIG="$VG_TMP/nonexistent.conf"
tap_check "no config file at all, XAPI unlocked: exit 0, unfiltered, on the bridge" \
	"0 0  up master=br0" \
	"$SVR_RC $(tc_ingress vif3.0) $(policy_of vif3.0) $(link_state vif3.0)" "$(out)"
# XAPI decides: a refused file is not even looked at.
chmod 0666 "$VIFGUARD_CONFIG"
xapi_lock 3 0 locked "10.99.0.3" ""
svr vif3.0 3 0 filter
tap_check "world-writable config, XAPI locked: XAPI's policy, exit 0" \
	"0 locked mac=$M3 10.99.0.3/32 up master=br0" \
	"$SVR_RC $(policy_of vif3.0) $(link_state vif3.0)" "$(out)"
: >"$VIFGUARD_CONFIG"
chmod 0644 "$VIFGUARD_CONFIG"

# ---- clear -------------------------------------------------------------------
xapi_lock 3 0 locked "10.99.0.3" ""
svr vif3.0 3 0 filter
svr vif3.0 3 0 clear
tap_check "clear: exit 0" 0 "$SVR_RC" "$(out)"
tap_check "clear: no filter, no entry, off the bridge" "0  master=none" \
	"$(tc_ingress vif3.0) $(policy_of vif3.0) $(link_state vif3.0 | cut -d' ' -f2)"
svr vif3.0 3 0 clear
tap_check "clear again: exit 0" 0 "$SVR_RC" "$(out)"

# ---- the emulated NIC of an HVM guest: tapD.N --------------------------------
xen_vif g3 tap3.0 $M3 eth1
vif_real_prepare tap3.0
svr vif3.0 3 0 filter
svr tap3.0 3 0 filter
tap_check "tap3.0 filter: exit 0" 0 "$SVR_RC" "$(out)"
tap_check "tap3.0 has vif3.0's policy" "$(policy_of vif3.0)" "$(policy_of tap3.0)"
tap_check "tap3.0 up on br0" "up master=br0" "$(link_state tap3.0)"
svr tap3.0 3 0 clear
tap_check "tap3.0 clear leaves vif3.0 alone" "0 1" \
	"$(tc_ingress tap3.0) $(tc_ingress vif3.0)"
svr vif3.0 3 0 clear

# ---- Open vSwitch ----------------------------------------------------------------
M4=00:16:3e:30:00:02
U4=0a1b2c3d-4e5f-4a6b-8c7d-000000000004
HOTP4=/xapi/$(vm_uuid 4)/hotplug/4/vif/0
xen_vif g4 vif4.0 $M4
xapi_nic 4 0 $U4 $M4 locked "10.99.0.4" ""
vif_real_prepare vif4.0
OVS_ENV=(VIFGUARD_NETWORK_BACKEND=openvswitch PATH="$VG_TMP/bin:/usr/sbin:/usr/bin:/sbin:/bin")
: >"$VG_TMP/ovs.log"
rm -f "$VG_TMP/ovs.br"
svr vif4.0 4 0 filter "${OVS_ENV[@]}"
tap_check "OVS filter: exit 0, filter attached, link up" "0 1 up" \
	"$SVR_RC $(tc_ingress vif4.0) $(link_state vif4.0 | cut -d' ' -f1)" "$(out)"
grep -qF -- "--timeout=30 -- --if-exists del-port vif4.0 -- add-port br0 vif4.0 -- set interface vif4.0 external-ids:\"xs-vm-uuid\"=\"$(vm_uuid 4)\" external-ids:\"xs-vif-uuid\"=\"$U4\" external-ids:\"xs-network-uuid\"=\"1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d\" external-ids:\"attached-mac\"=\"$M4\"" "$VG_TMP/ovs.log"
tap_check "OVS: port added with xenopsd's external-ids" 0 "$?" "$(cat "$VG_TMP/ovs.log")"
tap_check "OVS: ofport key written" 7 "$(xs_read "$HOTP4/vif-ofport")"

echo br0 >"$VG_TMP/ovs.br"
: >"$VG_TMP/ovs.log"
xs_write "/vm/$(vm_uuid 4)/final-uuid" 11111111-2222-4333-8444-555555555555
xapi_lock 4 0 locked "10.99.0.40" ""
svr vif4.0 4 0 filter "${OVS_ENV[@]}"
tap_check "OVS, port already there: only its external-ids are refreshed" "0 no-readd" \
	"$SVR_RC $(grep -q add-port "$VG_TMP/ovs.log" && echo readd || echo no-readd)" \
	"$(cat "$VG_TMP/ovs.log")"
grep -qF 'external-ids:"xs-vm-uuid"="11111111-2222-4333-8444-555555555555"' "$VG_TMP/ovs.log"
tap_check "OVS, migration target: xs-vm-uuid is the final UUID" 0 "$?" "$(cat "$VG_TMP/ovs.log")"

# The PVS proxy script runs as root from a path xenstore names: only a
# file only root can change, named by a key only dom0 can write.
PRIV4=/xapi/$(vm_uuid 4)/private/vif/0
PVS=$VG_TMP/pvs-rules
printf '#!/bin/sh\necho "$@" >>%s\n' "$VG_TMP/pvs.log" >"$PVS"
chmod 0755 "$PVS"
xs_write "$PRIV4/pvs-interface" eth0
# pvs ACTION SCRIPT-KEY: runs filter, prints what the script logged.
pvs() {
	xs_write "$PRIV4/setup-pvs-proxy-rules" "$2"
	: >"$VG_TMP/pvs.log"
	svr vif4.0 4 0 filter "${OVS_ENV[@]}"
	echo "$SVR_RC $(cat "$VG_TMP/pvs.log")"
}
tap_check "PVS: root's script named by dom0's key runs" \
	"0 add vif vif4.0 $PRIV4 $HOTP4" "$(pvs add "$PVS")" "$(out)"
chmod 0777 "$PVS"
tap_check "PVS: a world-writable script is not run" "0 " "$(pvs add "$PVS")" "$(out)"
said "PVS: says why it was not run" \
	"vif4.0: $PRIV4/setup-pvs-proxy-rules: '$PVS': not an absolute path to a file only root can change; not run"
chmod 0755 "$PVS"
tap_check "PVS: a relative path is not run" "0 " "$(pvs add pvs-rules)" "$(out)"
xs_write "$PRIV4/setup-pvs-proxy-rules" "$PVS"
xenstore-chmod "$PRIV4/setup-pvs-proxy-rules" n0 w4
: >"$VG_TMP/pvs.log"
svr vif4.0 4 0 filter "${OVS_ENV[@]}"
tap_check "PVS: a script key domain 4 can write is not used" "0 " \
	"$SVR_RC $(cat "$VG_TMP/pvs.log")" "$(out)"
said "PVS: says the key is writable" \
	"vif4.0: $PRIV4/setup-pvs-proxy-rules: a domain other than dom0 can write it"
xenstore-rm "$PRIV4/pvs-interface" "$PRIV4/setup-pvs-proxy-rules"

: >"$VG_TMP/ovs.log"
xapi_lock 4 0 disabled
svr vif4.0 4 0 filter "${OVS_ENV[@]}"
tap_check "OVS disabled: port deleted, ofport key removed, filter drops all" \
	"0 del-port disabled" \
	"$SVR_RC $(grep -o 'del-port' "$VG_TMP/ovs.log" | head -1) $(xs_read "$HOTP4/vif-ofport")$(policy_of vif4.0 | cut -d' ' -f1)" \
	"$(out)" "$(cat "$VG_TMP/ovs.log")"
: >"$VG_TMP/ovs.log"
svr vif4.0 4 0 clear "${OVS_ENV[@]}"
tap_check "OVS clear: port deleted, no filter" "0 del-port 0" \
	"$SVR_RC $(grep -o 'del-port' "$VG_TMP/ovs.log" | head -1) $(tc_ingress vif4.0)" "$(out)"

# ---- names and values from xenstore ----------------------------------------------
# A bridge key that is a path: refused before it reaches /sys, an ioctl or
# ovs-vsctl; the VIF stays off the network.
made_x=
if [ ! -e /tmp/x ]; then
	mkdir -p /tmp/x/bridge && echo sentinel >/tmp/x/bridge/forward_delay && made_x=1
fi
xapi_lock 3 0 locked "10.99.0.3" ""
xs_write "$PRIV3/bridge" "../../../tmp/x"
svr vif3.0 3 0 filter
tap_check "bridge=../../../tmp/x: refused (exit 1), off the bridge" "1 master=none" \
	"$SVR_RC $(link_state vif3.0 | cut -d' ' -f2)" "$(out)"
said "bridge=../../../tmp/x: the message names the key" \
	"vif3.0: $PRIV3/bridge: '\\.\\./\\.\\./\\.\\./tmp/x': not a valid bridge name"
if [ -n "$made_x" ]; then
	tap_check "bridge=../../../tmp/x: nothing outside /sys touched" sentinel \
		"$(cat /tmp/x/bridge/forward_delay)"
	rm -rf /tmp/x
else
	tap_skip "bridge=../../../tmp/x: nothing outside /sys touched" "/tmp/x exists already, not ours to use"
fi
xs_write "$PRIV3/bridge" br0

# A value with a newline: one escaped line, no forged one.
xapi_lock 3 0 locked "10.99.0.3
vifguard: forged line" ""
svr vif3.0 3 0 filter
tap_check "newline in ipv4-allowed: fails closed, one line, no forged line" "0 1 0" \
	"$SVR_RC $(grep -c 'ipv4-allowed' "$VG_TMP/svr.out") $(grep -c '^vifguard: forged' "$VG_TMP/svr.out")" \
	"$(out)"
said "newline in ipv4-allowed: escaped as \\x0a" \
	"$PRIV3/ipv4-allowed: .*10\\.99\\.0\\.3\\\\x0avifguard: forged line"
svr vif3.0 3 0 clear

# ---- usage -------------------------------------------------------------------
svr vif3.0 3 0 ""
tap_check "no action: usage error (exit 2)" 2 "$SVR_RC" "$(out)"
svr vif3.0 3 1 filter
tap_check "DEVID that does not match the device: exit 2" 2 "$SVR_RC" "$(out)"
hx env VIFGUARD="$VIFGUARD" "$SVR" classic vif3.0 not-a-uuid 0 filter >"$VG_TMP/svr.out" 2>&1
tap_check "bad VM UUID: exit 2" 2 "$?" "$(out)"

tap_done
