#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The host audit switch of the config file ("host mode=audit"): every VIF
# its sources lock (XAPI locked, xl ip=, a config entry) is applied in
# audit mode, by sync and by hotplug; show and stats say audit and that
# the switch made it so; what a source disables, and a VIF that fails
# closed, stays disabled; an unlocked VIF stays unfiltered.  One line
# changed to "host mode=locked" and sync locks them all.  A file with an
# error switches nothing: the sources' locked policies stand.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/test_xen_lib.bash"
xen_init "$@"

BE=/local/domain/0/backend/vif
# mode_of IFNAME: "MODE HOST_AUDIT SOURCE" from show -j.
mode_of() {
	vg -j show "$1" 2>/dev/null | jq -r --arg n "$1" '
		.interfaces[]? | select(.ifname == $n) | "\(.mode) \(.host_audit) \(.source)"'
}
modes() {
	local i
	for i in vif3.0 vif4.0 vif5.0 vif6.0 vif7.0 vif8.0; do
		printf '%s=%s|' "$i" "$(mode_of $i)"
	done
}

M3=00:16:3e:50:00:03
M4=00:16:3e:50:00:04
M5=00:16:3e:50:00:05
M6=00:16:3e:50:00:06
M7=00:16:3e:50:00:07
M8=00:16:3e:50:00:08
U4=0a1b2c3d-4e5f-4a6b-8c7d-000000000054
U5=0a1b2c3d-4e5f-4a6b-8c7d-000000000055
U6=0a1b2c3d-4e5f-4a6b-8c7d-000000000056
U7=0a1b2c3d-4e5f-4a6b-8c7d-000000000057

xen_vif g3 vif3.0 $M3                # xl, ip=
xl_nic 3 0 $M3 "10.99.0.3"
xen_vif g4 vif4.0 $M4                # XAPI locked
xapi_nic 4 0 $U4 $M4 locked "10.99.0.4"
xen_vif g5 vif5.0 $M5                # XAPI disabled
xapi_nic 5 0 $U5 $M5 disabled
xen_vif g6 vif6.0 $M6                # XAPI unlocked, config: mode=disabled
xapi_nic 6 0 $U6 $M6 unlocked
xen_vif g7 vif7.0 $M7                # XAPI unlocked, config entry
xapi_nic 7 0 $U7 $M7 unlocked
xen_vif g8 vif8.0 $M8                # xl, no policy anywhere
xl_nic 8 0 $M8
printf '%s\n' "# audit every guest of this host" "host mode=audit" \
	"$U6 mode=disabled" "$U7 10.99.0.7" >"$VIFGUARD_CONFIG"

out=$(hx "$VIFGUARD" check-config 2>&1)
tap_check "check-config: valid, says the host audit switch is on (line 2)" "0 yes" \
	"$? $(grep -q 'host audit switch on (line 2)' <<<"$out" && echo yes || echo no)" "$out"

run_sync
tap_check "sync with the switch on: exit 0" 0 "$SYNC_RC" "$(out)"
tap_check "xl, XAPI locked and config entry: audit by the host switch; disabled stays; unlocked stays unfiltered" \
	"vif3.0=audit true xl|vif4.0=audit true xapi|vif5.0=disabled false xapi|vif6.0=disabled false config|vif7.0=audit true config|vif8.0=|" \
	"$(modes)" "$(out)"
tap_check "sync says the switch and its line" "yes" \
	"$(grep -q "^vif4.0: audit (host switch, $VIFGUARD_CONFIG:2), 1 MAC, 1 IPv4, 0 IPv6 (xapi " \
		"$VG_TMP/sync.out" && echo yes || echo no)" "$(out)"
got=$(vg show 2>&1 | awk '$1 == "vif3.0" { print $4, $5 }')
tap_check "show's table: audit (host)" "audit (host)" "$got"
got=$(vg -j stats vif4.0 | jq -r '.interfaces[] | "\(.mode) \(.host_audit)"')
tap_check "stats -j: mode audit, host_audit true" "audit true" "$got"
got=$(vg show -v vif7.0 2>&1 | grep -c 'audit: by the host switch')
tap_check "show -v says the host switch made it audit" "1" "$got"

# An audited VIF lets a spoofed frame through, counted under its reason.
hx ip link set vif3.0 master br0 up
VG_FENCE[g3]="udp4 --src-ip 10.99.0.3"
vg_case "audit by the switch: an IPv4 source spoof from vif3.0 delivered, counted" \
	g3 vif3.0 3 3 "ipv4-src+3 pass+1" udp4 --src-ip 10.99.0.30 --dst-ip $SINK_V4 \
	--dst-mac $SINK_MAC

# Hotplug of a new guest under the switch.
libxl_run vif-bridge online 3 0
tap_check "hotplug online under the switch: audit" "0 audit true xl" \
	"$HP_RC $(mode_of vif3.0)" "$(cat "$VG_TMP/hotplug.out")"

# The switch flipped: one line, then sync.
sed -i 's/^host mode=audit$/host mode=locked/' "$VIFGUARD_CONFIG"
run_sync -j
tap_check "sync -j after host mode=locked: exit 0, no host_audit left" "0 0" \
	"$SYNC_RC $(jq '[.interfaces[] | select(.host_audit != null)] | length' "$VG_TMP/sync.out")" \
	"$(out)"
tap_check "every audited VIF locked; disabled and unfiltered as they were" \
	"vif3.0=locked false xl|vif4.0=locked false xapi|vif5.0=disabled false xapi|vif6.0=disabled false config|vif7.0=locked false config|vif8.0=|" \
	"$(modes)" "$(out)"
vg_case "locked: the same spoof dropped" g3 vif3.0 3 0 "ipv4-src+3 pass+1" \
	udp4 --src-ip 10.99.0.30 --dst-ip $SINK_V4 --dst-mac $SINK_MAC

# Back on, then an error in the file: nothing is switched to audit.
sed -i 's/^host mode=locked$/host mode=audit/' "$VIFGUARD_CONFIG"
run_sync
tap_check "switch on again: audit" "0 audit true xapi" "$SYNC_RC $(mode_of vif4.0)" "$(out)"
echo "$U7 bogus-word" >>"$VIFGUARD_CONFIG"
run_sync
tap_check "a file with an error: sync exits 1" "1" "$SYNC_RC" "$(out)"
# vif8.0, which no other source decides, may be the file's: it fails
# closed too.
tap_check "XAPI and xl locked as their sources say, the file's VIFs fail closed" \
	"vif3.0=locked false xl|vif4.0=locked false xapi|vif5.0=disabled false xapi|vif6.0=disabled false config|vif7.0=disabled false config|vif8.0=disabled false config|" \
	"$(modes)" "$(out)"
tap_check "and a warning says the switch is not applied" "yes" \
	"$(grep -q 'its host audit switch is not applied' "$VG_TMP/sync.out" && echo yes || echo no)" \
	"$(out)"

# What check-config and sync refuse on the host line.
for bad in "host mode=disabled|the host line takes mode=audit" \
	"host ipv4=10.0.0.1|the host line takes mode=audit|locked, learn=link-local,dhcp,first|none, dhcp-grace=SECONDS, resume-window=SECONDS, first-lease=SECONDS, unlisted=open|learn and protect=ADDR\[,ADDR\]... only" \
	"host|missing mode=, learn=, dhcp-grace=, resume-window=, first-lease=, unlisted= or protect="; do
	printf '%s\n' "host mode=audit" "${bad%%|*}" >"$VIFGUARD_CONFIG"
	out=$(hx "$VIFGUARD" check-config 2>&1)
	tap_check "check-config refuses '${bad%%|*}' with file:line" "1 yes" \
		"$? $(grep -q "$VIFGUARD_CONFIG:2: .*${bad#*|}" <<<"$out" && echo yes || echo no)" "$out"
done

tap_done
