#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# show and stats name each guest interface as an operator knows it, from
# a real xenstore: domain and device, VM name and UUID, VIF UUID, and the
# source its policy came from (xapi, xl, config, or attach); --vm selects
# a VM's interfaces by name or UUID; a name the guest itself can write
# is not shown, and an interface no backend names stays blank; metrics
# gives the same identities as labels.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/test_xen_lib.bash"
xen_init "$@"

M3=00:16:3e:50:00:03
M4=00:16:3e:50:00:04
M7=00:16:3e:50:00:07
M9=00:16:3e:50:00:09
U4=0a1b2c3d-4e5f-4a6b-8c7d-000000000444
U7=0a1b2c3d-4e5f-4a6b-8c7d-000000000777
VM3=$(vm_uuid 3) VM4=$(vm_uuid 4) VM7=$(vm_uuid 7)

xen_vif g3 vif3.0 $M3                # xl, ip=: its VM "guest3"
xl_nic 3 0 $M3 "10.99.0.3"
xen_vif g4 vif4.0 $M4                # XAPI locked, HVM: tap4.0 too
xen_vif g4 tap4.0 $M4 eth1
xapi_nic 4 0 $U4 $M4 locked "10.99.0.4"
xs_write /vm/"$VM4"/name "db server"
xen_vif g7 vif7.0 $M7                # XAPI unlocked, the config file has it
xapi_nic 7 0 $U7 $M7 unlocked
echo "$U7 10.99.0.7" >"$VIFGUARD_CONFIG"
# Domain 7 owns its name: a guest could claim to be "db server".
xs_write /local/domain/7/name "db server"
xenstore-chmod /local/domain/7/name b7
xen_vif g9 vif9.0 $M9                # no backend: not a Xen guest's

hx env VIFGUARD_NETWORK_BACKEND=bridge "$VIFGUARD" sync >"$VG_TMP/sync.out" 2>&1 ||
	vg_bail "sync: $(cat "$VG_TMP/sync.out")"
out=$(vg attach vif9.0 --mac $M9 --ipv4 10.99.0.9 2>&1) || vg_bail "attach vif9.0: $out"

# ident IFACE: "domid devid vm_name vm_uuid vif_uuid source" from show -j.
ident() {
	vg -j show "$1" | jq -r '.interfaces[0] |
		[.domid, .devid, .vm_name, .vm_uuid, .vif_uuid, .source] | map(tostring) | join("|")'
}
tap_check "show -j: an xl guest: domain, VM name and UUID, no VIF UUID, source xl" \
	"3|0|guest3|$VM3|null|xl" "$(ident vif3.0)"
tap_check "show -j: a XAPI guest: VM name from /vm, VIF UUID, source xapi" \
	"4|0|db server|$VM4|$U4|xapi" "$(ident vif4.0)"
tap_check "show -j: its emulated NIC is the same VIF" "4|0|db server|$VM4|$U4|xapi" \
	"$(ident tap4.0)"
tap_check "show -j: a name the guest can write is not shown; source config" \
	"7|0|null|$VM7|$U7|config" "$(ident vif7.0)"
tap_check "show -j: no backend names it: no identity, source attach" \
	"null|null|null|null|null|attach" "$(ident vif9.0)"

out=$(vg show 2>&1)
tap_check "show: one line each, in natural order, with DOM, VM and SOURCE" \
	"IFACE DOM VM MODE SOURCE|tap4.0 4 db server locked xapi|vif3.0 3 guest3 locked xl|vif4.0 4 db server locked xapi|vif7.0 7 $VM7 locked config|vif9.0 - - locked attach" \
	"$(awk '{print $1, $2, $3, ($3 == "db" ? $4 " " $5 " " $6 : $4 " " $5)}' <<<"$out" | tr '\n' '|' | sed 's/|$//')" \
	"$out"
out=$(vg show vif4.0 2>&1)
tap_check "show IFACE: the xen line and the source" \
	"  set by: its sources: xapi (hotplug, setup-vif-rules or sync)|  xen: domain 4, device 0, VM db server ($VM4), VIF $U4" \
	"$(grep -E '^  (set by|xen):' <<<"$out" | tr '\n' '|' | sed 's/|$//')" "$out"

# --vm: by name or UUID (any case), for show and stats.
names() { jq -r '[.interfaces[].ifname] | join(" ")'; }
tap_check "stats --vm NAME: that VM's interfaces" "tap4.0 vif4.0" \
	"$(vg -j stats --vm "db server" | names)"
tap_check "show --vm UUID (upper case)" "vif3.0" \
	"$(vg -j show --vm "${VM3^^}" | names)"
tap_check "show --vm with IFACE" "tap4.0" "$(vg -j show tap4.0 --vm "$VM4" | names)"
out=$(vg stats --vm "db server" 2>&1)
tap_check "stats --vm: a table of that VM only, no host totals" \
	"IFACE|tap4.0|vif4.0" "$(awk '{print $1}' <<<"$out" | tr '\n' '|' | sed 's/|$//')" "$out"
out=$(vg show --vm nosuchvm 2>&1)
tap_check "show --vm with no such VM: exit 1, says so" \
	"1 vifguard: --vm nosuchvm: no interface with a policy belongs to a VM of that name or UUID" \
	"$? $out"
tap_check "show --vm: the guest's own name is not believed" "1" \
	"$(vg -j show --vm "db server" | jq '[.interfaces[] | select(.ifname == "vif7.0")] | length == 0' |
	   sed 's/true/1/')"

# metrics: the same identities as labels, in Prometheus' format.
text=$(vg metrics 2>&1)
lint=$(promtool check metrics <<<"$text" 2>&1)
tap_check "metrics: promtool check metrics, with the Xen labels" "0 " "$? $lint" "$text"
info() { grep "^vifguard_interface_info{interface=\"$1\"," <<<"$text" | sed 's/ifindex="[0-9]*"/ifindex="N"/'; }
tap_check "metrics: a XAPI guest: domid, VM UUID and name, VIF UUID" \
	"vifguard_interface_info{interface=\"vif4.0\",ifindex=\"N\",domid=\"4\",vm_uuid=\"$VM4\",vm_name=\"db server\",vif_uuid=\"$U4\",mode=\"locked\"} 1" \
	"$(info vif4.0)" "$text"
tap_check "metrics: a name the guest can write is no label" \
	"vifguard_interface_info{interface=\"vif7.0\",ifindex=\"N\",domid=\"7\",vm_uuid=\"$VM7\",vif_uuid=\"$U7\",mode=\"locked\"} 1" \
	"$(info vif7.0)" "$text"
tap_check "metrics: no backend names it: no Xen label" \
	"vifguard_interface_info{interface=\"vif9.0\",ifindex=\"N\",mode=\"locked\"} 1" \
	"$(info vif9.0)" "$text"

# The operator's attach replaces the source; release records xapi again.
vg attach vif4.0 --mac $M4 --mode disabled >/dev/null 2>&1
tap_check "attach over a XAPI policy: source attach" "attach" \
	"$(vg -j show vif4.0 | jq -r '.interfaces[0].source')"
hx "$VIFGUARD" release vif4.0 >/dev/null 2>&1
tap_check "release: source xapi again" "xapi" \
	"$(vg -j show vif4.0 | jq -r '.interfaces[0].source')"

# A VM's name is its owner's to choose, and may look like a UUID: --vm
# UUID selects the VM of that UUID only, never one named so.
xs_write /vm/"$VM3"/name "$VM4"
tap_check "show --vm UUID: not a VM whose name is that UUID" "tap4.0 vif4.0" \
	"$(vg -j show --vm "$VM4" | names)"
xs_write /vm/"$VM3"/name guest3

j=$(vg -j stats vif3.0)
tap_check "stats -j: identity and time in the document" "3 guest3 xl true" \
	"$(jq -r '[.interfaces[0].domid, .interfaces[0].vm_name, .interfaces[0].source, (.time | test("Z$"))] | map(tostring) | join(" ")' <<<"$j")" \
	"$j"

tap_done
