#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Learned state across save/restore, through Xen's hotplug scripts and a
# real xenstore: a guest that learns by DHCP gets a learning window on
# its first attach (nothing parked); its leases are parked when its vif
# goes offline (held by ifindex 0, kept by gc) and come back, keeping
# their ends, to the interface of the same VM, device id and MAC that
# comes online (xl restore: another domid), passing traffic at once; an
# interface of another VM or device id gets nothing but a window, in
# which it learns its first free address and never the parked one (the
# program's learn-conflict), and after which (resume-window=1) it learns
# nothing; resume-window=0 opens none; an address configured for
# another interface meanwhile is not taken back, and over the caps the
# ones that end first are dropped; an HVM guest's emulated NIC takes
# nothing parked (its PV VIF does); a parked lease that
# ends goes at gc; first-use addresses come back in a window that has
# ended; a non-Xen interface never gets a window; "host first-lease="
# is written to learn_cfg.  The leases are written into the maps as the
# program writes them after DHCP ACKs (tests/bpf covers that part).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/test_xen_lib.bash"
xen_init "$@"

M=00:16:3e:52:00:03
M2=00:16:3e:52:00:07
L=10.99.0.50
L2=10.99.0.51
printf '%s\n' "host learn=link-local,dhcp resume-window=30 first-lease=600" >"$VIFGUARD_CONFIG"

# vm_of DOMID UUID_OF: domain DOMID is (after restore) the VM of
# $(vm_uuid UUID_OF), as the toolstack writes it.
vm_of() {
	xs_write /local/domain/"$1"/vm "/vm/$(vm_uuid "$2")"
	xs_own /local/domain/"$1"/vm "$1"
}
# window IFNAME: "FIRST OPEN" of its learning (first-use flag, window).
window() {
	vg -j show "$1" | jq -r '.interfaces[0].learning |
		"\(.first) \(if .window then .window.open else "none" end)"'
}
# learned IFNAME: "ADDR ORIGIN EXPIRY" of what it learned, by address.
learned() {
	vg -j show "$1" | jq -r '[.interfaces[0].learned[] | "\(.address) \(.origin) \(.expiry)"] | sort | join(",")'
}
# owner4 ADDR: "IFINDEX ORIGIN EXPIRES_NS" of learned4's entry, or none.
owner4() {
	vg -j dump learned4 | jq -r --arg a "$1" \
		'[.maps.learned4[] | select(.address == $a) | "\(.ifindex) \(.origin) \(.expires_ns)"][0] // "none"'
}
parked() {
	vg -j dump parked | jq -r '[.maps.parked[] | "\(.vm) \(.devid) \(.mac) \(.address) \(.origin)"] | sort | join(",")'
}
online() {
	xen_vif "$1" "vif$2.$3" "$4"
	xl_nic "$2" "$3" "$4" "10.99.0.$2"
	[ -n "${5:-}" ] && vm_of "$2" "$5"
	libxl_run vif-bridge online "$2" "$3"
}

# ---- first attach: nothing parked, a window ---------------------------------
online g3 3 0 $M
tap_check "vif3.0 online: exit 0, learns by DHCP, a learning window open" "0 true true" \
	"$HP_RC $(window vif3.0)" "$(cat "$VG_TMP/hotplug.out")"
tap_check "host first-lease=600 in learn_cfg" 600 \
	"$(vg -j dump learn_cfg | jq -r '.maps.learn_cfg[0].first_lease_s')"
vg_guest n nx0 $M2 quiet
vg_up n
VG_FENCE[n]="dhcp"
out=$(vg attach nx0 --mac $M2 --learn dhcp 2>&1)
tap_check "a non-Xen interface that learns by DHCP: no window" "exit 0, false none" \
	"exit $?, $(window nx0)" "$out"

# Its leases, as the program writes them after two ACKs (one ends in
# an hour, one in 3 s), then traffic from the first passes.
ifx=$(vg_ifindex vif3.0)
END=$(vg_mono_ns 3600)
vg_lease4_put "$ifx" 0 $L 3 "$END"
vg_lease4_put "$ifx" 1 $L2 3 "$(vg_mono_ns 3)"
gx g3 ip link set eth0 up
VG_FENCE[g3]="udp4 --src-ip 10.99.0.3"
vg_case "vif3.0: from its lease $L passes" g3 vif3.0 1 1 "pass+2" udp4 --src-ip $L

# ---- offline: parked, held by nobody ------------------------------------------
VM3=$(vm_uuid 3)
libxl_run vif-bridge offline 3 0
tap_check "vif3.0 offline: exit 0, both leases parked under VM, devid, MAC" \
	"0 $VM3 0 $M $L dhcp,$VM3 0 $M $L2 dhcp" "$HP_RC $(parked)" "$(cat "$VG_TMP/hotplug.out")"
tap_check "learned4: $L held by ifindex 0, same origin and end" "0 dhcp $END" "$(owner4 $L)"
ip -n "$HOST" link del vif3.0
out=$(vg gc 2>&1)
tap_check "gc keeps the parked lease and its ifindex-0 owner" "exit 0, 0 dhcp $END" \
	"exit $?, $(owner4 $L)" "$out"

# A neighbour's frames from the parked address are dropped, and so is
# its claim on it (the program refuses what ifindex 0 holds).
vg_case "nx0: from the parked $L dropped" n nx0 1 0 "ipv4-src+1 pass+1" \
	udp4 --src-ip $L

# ---- the short lease ends while parked: gc removes it ----------------------------
sleep 3
out=$(vg gc 2>&1)
tap_check "gc after $L2 ended: its parked entry and owner gone, $L kept" \
	"exit 0, none, $VM3 0 $M $L dhcp" "exit $?, $(owner4 $L2), $(parked)" "$out"

# ---- another VM, another device id: nothing back, a window ------------------
online h5 5 0 $M
tap_check "vif5.0 (another VM, same devid and MAC): nothing restored, a window" \
	"0 -, true true, $VM3 0 $M $L dhcp" \
	"$HP_RC $(l=$(learned vif5.0); echo "${l:--}"), $(window vif5.0), $(parked)" \
	"$(cat "$VG_TMP/hotplug.out")"
# In its window it learns its first addresses, never a parked one.
gx h5 ip link set eth0 up
VG_FENCE[h5]="udp4 --src-ip 10.99.0.5"
vg_case "vif5.0 in its window: from the parked $L dropped, learn-conflict" h5 vif5.0 1 0 \
	"learn-conflict+1 pass+1" udp4 --src-ip $L
vg_case "vif5.0 in its window: from a free 10.99.0.77 learned, passes" h5 vif5.0 1 1 \
	"pass+2" udp4 --src-ip 10.99.0.77
tap_check "vif5.0 learned 10.99.0.77 on first use, for first-lease= (600 s)" \
	"10.99.0.77 first lease" "$(learned vif5.0)"

printf '%s\n' "host learn=link-local,dhcp resume-window=1 first-lease=600" >"$VIFGUARD_CONFIG"
online h6 6 1 $M 3
tap_check "vif6.1 (the VM, another devid): nothing restored, a window" \
	"0 -, true true, $VM3 0 $M $L dhcp" \
	"$HP_RC $(l=$(learned vif6.1); echo "${l:--}"), $(window vif6.1), $(parked)" \
	"$(cat "$VG_TMP/hotplug.out")"
gx h6 ip link set eth0 up
VG_FENCE[h6]="udp4 --src-ip 10.99.0.6"
sleep 1.2
tap_check "vif6.1's window of 1 s (resume-window=1) has ended" "true false" "$(window vif6.1)"
vg_case "vif6.1 after its window: from a free 10.99.0.78 dropped" h6 vif6.1 1 0 \
	"ipv4-src+1 pass+1" udp4 --src-ip 10.99.0.78
printf '%s\n' "host learn=link-local,dhcp resume-window=0 first-lease=600" >"$VIFGUARD_CONFIG"
online h11 11 0 $M2
tap_check "vif11.0 with resume-window=0: no window" "0 false none" "$HP_RC $(window vif11.0)" \
	"$(cat "$VG_TMP/hotplug.out")"
printf '%s\n' "host learn=link-local,dhcp resume-window=30 first-lease=600" >"$VIFGUARD_CONFIG"

# ---- xl restore: the VM's vif of devid 0 and its MAC, as domain 7 --------------
online r7 7 0 $M 3
tap_check "vif7.0 (the VM restored): $L back with its end, nothing parked, no window" \
	"0 $L dhcp lease, $(vg_ifindex vif7.0) dhcp $END, -, false none" \
	"$HP_RC $(learned vif7.0), $(owner4 $L), $(p=$(parked); echo "${p:--}"), $(window vif7.0)" \
	"$(cat "$VG_TMP/hotplug.out")"
gx r7 ip link set eth0 up
VG_FENCE[r7]="udp4 --src-ip 10.99.0.7"
vg_case "vif7.0: from the restored $L passes at once" r7 vif7.0 1 1 "pass+2" udp4 --src-ip $L
out=$(vg gc 2>&1)
tap_check "gc keeps the restored lease" "exit 0, $(vg_ifindex vif7.0) dhcp $END" \
	"exit $?, $(owner4 $L)" "$out"

# ---- taken meanwhile: not taken back ---------------------------------------------
libxl_run vif-bridge offline 7 0
ip -n "$HOST" link del vif7.0
# nx0 is configured for it meanwhile: the configured owner wins.
out=$(vg attach nx0 --mac $M2 --learn dhcp --ipv4 $L 2>&1)
online s8 8 0 $M 3
tap_check "vif8.0 (the VM again): $L configured for nx0 meanwhile stays nx0's" \
	"0 -, $(vg_ifindex nx0) config" \
	"$HP_RC $(l=$(learned vif8.0); echo "${l:--}"), $(owner4 $L | cut -d' ' -f1-2)" \
	"$(cat "$VG_TMP/hotplug.out")"

# ---- first-use addresses: back in a window that has ended ------------------------
F=10.99.0.60
ifx=$(vg_ifindex vif8.0)
vg_lease4_put "$ifx" 0 $F 4 "$(vg_mono_ns 600)"
libxl_run vif-bridge offline 8 0
ip -n "$HOST" link del vif8.0
tap_check "vif8.0 offline: its first-use address parked" "$VM3 0 $M $F first" "$(parked)"
online t10 10 0 $M 3
tap_check "vif10.0 (the VM again, domain 10): $F back as first, in a window that has ended" \
	"0 $F first lease, true false" "$HP_RC $(learned vif10.0), $(window vif10.0)" \
	"$(cat "$VG_TMP/hotplug.out")"

# ---- over the caps: the ones that end first are dropped -----------------------------
# park_put VM_DOMID DEVID MAC A.B.C.D ORIGIN EXPIRES_NS: a parked entry.
park_put() {
	local vm mac a
	vm=$(vm_uuid "$1" | tr -d '-' | sed 's/../0x& /g')
	mac=$(sed 's/^/0x/; s/:/ 0x/g' <<<"$3")
	a=${4//./ }
	"$BPFTOOL" map update pinned "$ROOT/parked" \
		key $vm $(vg_le 4 "$2") $mac 0 0 0 0 0 0 0 0 0 0 0 0 255 255 $a \
		value $(vg_le 8 "$6") "$5" 0 0 0 0 0 0 0
}
M14=00:16:3e:52:00:0e
online w14 14 0 $M14
ifx=$(vg_ifindex vif14.0)
vg_lease4_put "$ifx" 0 10.99.0.81 3 "$(vg_mono_ns 100)"
vg_lease4_put "$ifx" 1 10.99.0.82 3 "$(vg_mono_ns 300)"
libxl_run vif-bridge offline 14 0
ip -n "$HOST" link del vif14.0
park_put 14 0 $M14 10.99.0.83 3 "$(vg_mono_ns 200)"
online w15 15 0 $M14 14
tap_check "three IPv4 leases parked, two slots: the two that end last back, the other gone" \
	"0 10.99.0.82 dhcp lease,10.99.0.83 dhcp lease, none, no parked" \
	"$HP_RC $(learned vif15.0), $(owner4 10.99.0.81), $(parked | grep -q 10.99.0.8 && echo parked || echo no parked)" \
	"$(cat "$VG_TMP/hotplug.out")"

# An HVM guest's emulated NIC shares its PV VIF's identity: it takes
# nothing parked and gets no window; the PV VIF gets them.
libxl_run vif-bridge offline 15 0
ip -n "$HOST" link del vif15.0
xen_vif w16e vif16.0-emu $M14
xl_nic 16 0 $M14 "10.99.0.16"
vm_of 16 14
libxl_run vif-bridge add 16 0
tap_check "vif16.0-emu (the emulated NIC) added: nothing restored, no window, both still parked" \
	"0 -, false none, 2" \
	"$HP_RC $(l=$(learned vif16.0-emu); echo "${l:--}"), $(window vif16.0-emu), $(parked | tr ',' '\n' | grep -c 10.99.0.8)" \
	"$(cat "$VG_TMP/hotplug.out")"
xen_vif w16 vif16.0 $M14
libxl_run vif-bridge online 16 0
tap_check "vif16.0 (its PV VIF) online: both back" "0 10.99.0.82 dhcp lease,10.99.0.83 dhcp lease" \
	"$HP_RC $(learned vif16.0)" "$(cat "$VG_TMP/hotplug.out")"

# ---- vifguard detach, attach and gc of a Xen VIF -----------------------------------
M12=00:16:3e:52:00:0c
M13=00:16:3e:52:00:0d
online u12 12 0 $M12
vg_lease4_put "$(vg_ifindex vif12.0)" 0 10.99.0.90 3 "$(vg_mono_ns 3600)"
out=$(vg detach vif12.0 2>&1)
tap_check "vifguard detach vif12.0 (xl's policy): its lease parked" \
	"exit 0, $(vm_uuid 12) 0 $M12 10.99.0.90 dhcp, 0 dhcp" \
	"exit $?, $(parked | tr ',' '\n' | grep 10.99.0.90), $(owner4 10.99.0.90 | cut -d' ' -f1-2)" "$out"
out=$(vg attach vif12.0 --mac $M12 --learn dhcp 2>&1)
tap_check "vifguard attach vif12.0 (a Xen identity): its parked lease back, no window" \
	"exit 0, 10.99.0.90 dhcp lease, false none, $(vg_ifindex vif12.0) dhcp" \
	"exit $?, $(learned vif12.0), $(window vif12.0), $(owner4 10.99.0.90 | cut -d' ' -f1-2)" "$out"
online u13 13 0 $M13
vg_lease4_put "$(vg_ifindex vif13.0)" 0 10.99.0.91 3 "$(vg_mono_ns 3600)"
ip -n "$HOST" link del vif13.0
out=$(vg gc 2>&1)
tap_check "gc of vif13.0, gone without its offline (xenstore still names it): its lease parked" \
	"exit 0, $(vm_uuid 13) 0 $M13 10.99.0.91 dhcp, 0 dhcp" \
	"exit $?, $(parked | tr ',' '\n' | grep 10.99.0.91), $(owner4 10.99.0.91 | cut -d' ' -f1-2)" "$out"
vg_lease4_put "$(vg_ifindex nx0)" 0 10.99.0.92 3 "$(vg_mono_ns 3600)"
before=$(parked)
out=$(vg detach nx0 2>&1)
tap_check "detach of a non-Xen interface (the operator's policy): its lease forgotten, not parked" \
	"exit 0, none, same parked" \
	"exit $?, $(owner4 10.99.0.92), $([ "$(parked)" = "$before" ] && echo same || echo changed) parked" "$out"

tap_done
