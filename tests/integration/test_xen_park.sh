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
# is written to learn_cfg; DAD link-locals park and come back too, and
# what has no end (a link-local, an infinite lease) is held parked for
# first-lease= (0: until the VM comes back), then goes at gc.  The leases are written into the maps as the
# program writes them after DHCP ACKs (tests/bpf covers that part).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/test_xen_lib.bash"
xen_init "$@"

M=00:16:3e:52:00:03
M2=00:16:3e:52:00:07
L=10.99.0.50
L2=10.99.0.51
printf '%s\n' "host learn=link-local,dhcp resume-window=30 first-lease=600" >"$VIFGUARD_CONFIG"

# window IFNAME: "FIRST OPEN" of its learning (first-use flag, window).
window() {
	vg -j show "$1" | jq -r '.interfaces[0].learning |
		"\(.first) \(if .window then .window.open else "none" end)"'
}
# learned IFNAME: "ADDR ORIGIN EXPIRY" of what it learned, by address;
# "-" for nothing.
learned() {
	vg -j show "$1" | jq -r '[.interfaces[0].learned[] | "\(.address) \(.origin) \(.expiry)"] | sort | join(",") | if . == "" then "-" else . end'
}
# owner4 ADDR: "IFINDEX ORIGIN EXPIRES_NS" of learned4's entry, or none.
owner4() {
	vg -j dump learned4 | jq -r --arg a "$1" \
		'[.maps.learned4[] | select(.address == $a) | "\(.ifindex) \(.origin) \(.expires_ns)"][0] // "none"'
}
parked() {
	vg -j dump parked | jq -r '[.maps.parked[] | "\(.vm) \(.devid) \(.mac) \(.address) \(.origin)"] | sort | join(",")'
}
# online GUEST DOMID DEVID MAC [UUID_OF]: the toolstack's vif of domain
# DOMID (of the VM of UUID_OF) comes online through hotplug.
online() {
	xen_vif "$1" "vif$2.$3" "$4"
	xl_nic "$2" "$3" "$4" "10.99.0.$2"
	[ -n "${5:-}" ] && vm_of "$2" "$5"
	libxl_run vif-bridge online "$2" "$3"
}
# gone DOMID DEVID: the vif goes offline through hotplug, then its
# device goes (xl save, shutdown).
gone() {
	libxl_run vif-bridge offline "$1" "$2"
	ip -n "$HOST" link del "vif$1.$2"
}
# guest_up GUEST DOMID: its eth0 up, fenced by UDP from 10.99.0.DOMID.
guest_up() {
	gx "$1" ip link set eth0 up
	VG_FENCE[$1]="udp4 --src-ip 10.99.0.$2"
}
# hp_check NAME EXPECTED ACTUAL: tap_check, the hotplug script's output
# the diagnostic.
hp_check() {
	tap_check "$1" "$2" "$3" "$(cat "$VG_TMP/hotplug.out")"
}

# ---- first attach: nothing parked, a window ---------------------------------
online g3 3 0 $M
hp_check "vif3.0 online: exit 0, learns by DHCP, a learning window open" "0 true true" \
	"$HP_RC $(window vif3.0)"
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
guest_up g3 3
vg_case "vif3.0: from its lease $L passes" g3 vif3.0 1 1 "pass+2" udp4 --src-ip $L

# ---- offline: parked, held by nobody ------------------------------------------
VM3=$(vm_uuid 3)
libxl_run vif-bridge offline 3 0
hp_check "vif3.0 offline: exit 0, both leases parked under VM, devid, MAC" \
	"0 $VM3 0 $M $L dhcp,$VM3 0 $M $L2 dhcp" "$HP_RC $(parked)"
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
hp_check "vif5.0 (another VM, same devid and MAC): nothing restored, a window" \
	"0 -, true true, $VM3 0 $M $L dhcp" \
	"$HP_RC $(learned vif5.0), $(window vif5.0), $(parked)"
# In its window it learns its first addresses, never a parked one.
guest_up h5 5
vg_case "vif5.0 in its window: from the parked $L dropped, learn-conflict" h5 vif5.0 1 0 \
	"learn-conflict+1 pass+1" udp4 --src-ip $L
vg_case "vif5.0 in its window: from a free 10.99.0.77 learned, passes" h5 vif5.0 1 1 \
	"pass+2" udp4 --src-ip 10.99.0.77
tap_check "vif5.0 learned 10.99.0.77 on first use, for first-lease= (600 s)" \
	"10.99.0.77 first lease" "$(learned vif5.0)"

printf '%s\n' "host learn=link-local,dhcp resume-window=1 first-lease=600" >"$VIFGUARD_CONFIG"
online h6 6 1 $M 3
hp_check "vif6.1 (the VM, another devid): nothing restored, a window" \
	"0 -, true true, $VM3 0 $M $L dhcp" \
	"$HP_RC $(learned vif6.1), $(window vif6.1), $(parked)"
guest_up h6 6
sleep 1.2
tap_check "vif6.1's window of 1 s (resume-window=1) has ended" "true false" "$(window vif6.1)"
vg_case "vif6.1 after its window: from a free 10.99.0.78 dropped" h6 vif6.1 1 0 \
	"ipv4-src+1 pass+1" udp4 --src-ip 10.99.0.78
printf '%s\n' "host learn=link-local,dhcp resume-window=0 first-lease=600" >"$VIFGUARD_CONFIG"
online h11 11 0 $M2
hp_check "vif11.0 with resume-window=0: no window" "0 false none" "$HP_RC $(window vif11.0)"
printf '%s\n' "host learn=link-local,dhcp resume-window=30 first-lease=600" >"$VIFGUARD_CONFIG"

# ---- xl restore: the VM's vif of devid 0 and its MAC, as domain 7 --------------
online r7 7 0 $M 3
hp_check "vif7.0 (the VM restored): $L back with its end, nothing parked, no window" \
	"0 $L dhcp lease, $(vg_ifindex vif7.0) dhcp $END, -, false none" \
	"$HP_RC $(learned vif7.0), $(owner4 $L), $(p=$(parked); echo "${p:--}"), $(window vif7.0)"
guest_up r7 7
vg_case "vif7.0: from the restored $L passes at once" r7 vif7.0 1 1 "pass+2" udp4 --src-ip $L
out=$(vg gc 2>&1)
tap_check "gc keeps the restored lease" "exit 0, $(vg_ifindex vif7.0) dhcp $END" \
	"exit $?, $(owner4 $L)" "$out"

# ---- taken meanwhile: not taken back ---------------------------------------------
gone 7 0
# nx0 is configured for it meanwhile: the configured owner wins.
out=$(vg attach nx0 --mac $M2 --learn dhcp --ipv4 $L 2>&1)
tap_check "nx0 attached with $L configured: the VM's parked $L goes with its hold" \
	"exit 0, $(vg_ifindex nx0) config, not parked" \
	"exit $?, $(owner4 $L | cut -d' ' -f1-2), $(parked | grep -q " $L " && echo parked || echo not parked)" "$out"
online s8 8 0 $M 3
hp_check "vif8.0 (the VM again): $L configured for nx0 meanwhile stays nx0's" \
	"0 -, $(vg_ifindex nx0) config" \
	"$HP_RC $(learned vif8.0), $(owner4 $L | cut -d' ' -f1-2)"

# ---- first-use addresses: back in a window that has ended ------------------------
F=10.99.0.60
ifx=$(vg_ifindex vif8.0)
vg_lease4_put "$ifx" 0 $F 4 "$(vg_mono_ns 600)"
gone 8 0
tap_check "vif8.0 offline: its first-use address parked" "$VM3 0 $M $F first" "$(parked)"
online t10 10 0 $M 3
hp_check "vif10.0 (the VM again, domain 10): $F back as first, in a window that has ended" \
	"0 $F first lease, true false" "$HP_RC $(learned vif10.0), $(window vif10.0)"
# A parked entry of the VM while vif10.0 is in force: what a run stopped
# after its commit and before its parked entries went leaves.  When the
# VM goes again, what it parks is what it holds, not that entry too.
park_put 3 0 $M 10.99.0.61 4 "$(vg_mono_ns 600)"
gone 10 0
tap_check "vif10.0 offline with a stale parked entry of its VM: only what it held is parked" \
	"$VM3 0 $M $F first" "$(parked)"

# ---- over the caps: the ones that end first are dropped -----------------------------
M14=00:16:3e:52:00:0e
online w14 14 0 $M14
ifx=$(vg_ifindex vif14.0)
vg_lease4_put "$ifx" 0 10.99.0.81 3 "$(vg_mono_ns 100)"
vg_lease4_put "$ifx" 1 10.99.0.82 3 "$(vg_mono_ns 300)"
gone 14 0
park_put 14 0 $M14 10.99.0.83 3 "$(vg_mono_ns 200)"
online w15 15 0 $M14 14
hp_check "three IPv4 leases parked, two slots: the two that end last back, the other gone" \
	"0 10.99.0.82 dhcp lease,10.99.0.83 dhcp lease, none, no parked" \
	"$HP_RC $(learned vif15.0), $(owner4 10.99.0.81), $(parked | grep -q 10.99.0.8 && echo parked || echo no parked)"

# An HVM guest's emulated NIC shares its PV VIF's identity: it takes
# nothing parked and gets no window; the PV VIF gets them.
gone 15 0
xen_vif w16e vif16.0-emu $M14
xl_nic 16 0 $M14 "10.99.0.16"
vm_of 16 14
libxl_run vif-bridge add 16 0
hp_check "vif16.0-emu (the emulated NIC) added: nothing restored, no window, both still parked" \
	"0 -, false none, 2" \
	"$HP_RC $(learned vif16.0-emu), $(window vif16.0-emu), $(parked | tr ',' '\n' | grep -c 10.99.0.8)"
xen_vif w16 vif16.0 $M14
libxl_run vif-bridge online 16 0
hp_check "vif16.0 (its PV VIF) online: both back" "0 10.99.0.82 dhcp lease,10.99.0.83 dhcp lease" \
	"$HP_RC $(learned vif16.0)"

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

# ---- DAD link-locals park too; what has no end is held for first-lease= ------------
# learn_cfg_first SECONDS: first_lease_s in learn_cfg (grace 60 kept).
learn_cfg_first() {
	"$BPFTOOL" map update pinned "$ROOT/learn_cfg" key 0 0 0 0 value 60 0 0 0 $(vg_le 4 "$1")
}
# parked_of ADDR: "ORIGIN EXPIRES_IN_S" of its parked entry (-j), or none.
parked_of() {
	vg -j dump parked | jq -r --arg a "$1" \
		'[.maps.parked[] | select(.address == $a) | "\(.origin) \(.expires_in_s)"][0] // "none"'
}
# ends_of ADDR: the text's ends= of its parked entry.
ends_of() {
	vg dump parked | grep " address=$1 " | sed -n 's/.* ends=//p'
}
# owner6 ADDR: "IFINDEX ORIGIN" of learned6's entry, or none.
owner6() {
	vg -j dump learned6 | jq -r --arg a "$1" \
		'[.maps.learned6[] | select(.address == $a) | "\(.ifindex) \(.origin)"][0] // "none"'
}
LL=fe80::17:1
FOREVER=18446744073709551615
FOREVER_JQ=$(jq -n "$FOREVER")	# as jq prints it (a double)
M17=00:16:3e:52:00:11
online d17 17 0 $M17
VG_FENCE[d17]="udp4 --src-ip 10.99.0.17"
vg_case "vif17.0: DAD for $LL learned, delivered" d17 vif17.0 1 1 "pass+2" \
	ns --src-ip :: --target $LL
vg_lease4_put "$(vg_ifindex vif17.0)" 0 10.99.0.95 3 $FOREVER
gone 17 0
p=$(parked_of $LL)
hp_check "vif17.0 offline: its link-local parked (dad), held by ifindex 0" \
	"0 dad, 0 dad" "$HP_RC ${p%% *}, $(owner6 $LL)"
tap_check "the link-local's hold ends first-lease= (600 s) after parking" "yes" \
	"$([ "${p#* }" -gt 590 ] && [ "${p#* }" -le 600 ] && echo yes || echo "no: ${p#* }")"
p=$(parked_of 10.99.0.95)
tap_check "its infinite lease parked for 600 s, its owner entry still infinite, held by 0" \
	"dhcp yes, 0 dhcp $FOREVER_JQ" \
	"${p%% *} $([ "${p#* }" -gt 590 ] && [ "${p#* }" -le 600 ] && echo yes || echo "no: ${p#* }"), $(owner4 10.99.0.95)"
tap_check "dump parked text: ends=in 9mNs or in 10m0s, no expires_ns" "yes yes" \
	"$(ends_of $LL | grep -Eqx 'in (9m[0-9]+s|10m0s)' && echo yes || echo no) $(vg dump parked | grep -q expires_ns && echo no || echo yes)" \
	"$(vg dump parked)"
vg_case "vif5.0: DAD for the parked $LL dropped, learn-conflict" h5 vif5.0 1 0 \
	"learn-conflict+1 pass+1" ns --src-ip :: --target $LL
out=$(vg gc 2>&1)
tap_check "gc keeps the parked link-local and its owner" "exit 0, dad, 0 dad" \
	"exit $?, $(parked_of $LL | cut -d' ' -f1), $(owner6 $LL)" "$out"

# The VM back (domain 18): both come back, the lease infinite again.
online d18 18 0 $M17 17
hp_check "vif18.0 (the VM again): its link-local and infinite lease back, no window" \
	"0 10.99.0.95 dhcp never,$LL dad null, $(vg_ifindex vif18.0) dad, $(vg_ifindex vif18.0) dhcp $FOREVER_JQ, false none" \
	"$HP_RC $(learned vif18.0), $(owner6 $LL), $(owner4 10.99.0.95), $(window vif18.0)"
VG_FENCE[d18]="udp4 --src-ip 10.99.0.18"
vg_case "vif18.0: from the restored $LL passes at once" d18 vif18.0 1 1 "pass+2" \
	udp6 --src-ip $LL --dst-ip fe80::1

# first-lease=0: kept until the VM comes back, "never".
learn_cfg_first 0
gone 18 0
tap_check "first_lease_s 0: parked without an end (null), text ends=never" \
	"dad null, dhcp null, never" \
	"$(parked_of $LL), $(parked_of 10.99.0.95), $(ends_of $LL)" "$(vg dump parked)"
online d19 19 0 $M17 17
hp_check "vif19.0 (the VM again): both back" "0 10.99.0.95 dhcp never,$LL dad null" \
	"$HP_RC $(learned vif19.0)"

# first_lease_s 1: a VM that does not come back lets them go at gc.
learn_cfg_first 1
gone 19 0
sleep 1.2
tap_check "parked for 1 s, then ended: text ends=ended" "ended" "$(ends_of $LL)"
out=$(vg gc 2>&1)
tap_check "gc after the hold ended: parked entries and owners gone" "exit 0, none none, none none" \
	"exit $?, $(parked_of $LL) $(parked_of 10.99.0.95), $(owner6 $LL) $(owner4 10.99.0.95)" "$out"
vg_case "vif5.0: DAD for $LL, free again, learned" h5 vif5.0 1 1 "pass+2" \
	ns --src-ip :: --target $LL
learn_cfg_first 600

# Only a link-local parked: it comes back, and the VIF still gets its
# learning window (its leases may have moved with it to another host).
M20=00:16:3e:52:00:14
online d20 20 0 $M20
VG_FENCE[d20]="udp4 --src-ip 10.99.0.20"
vg_case "vif20.0: DAD for fe80::20:1 learned" d20 vif20.0 1 1 "pass+2" \
	ns --src-ip :: --target fe80::20:1
gone 20 0
online d21 21 0 $M20 20
hp_check "vif21.0 (the VM again, only a link-local parked): it comes back, and a window" \
	"0 fe80::20:1 dad null, true true" "$HP_RC $(learned vif21.0), $(window vif21.0)"
# Back under a policy that does not learn link-locals: it goes.
gone 21 0
tap_check "vif21.0 offline: fe80::20:1 parked again" "dad" "$(parked_of fe80::20:1 | cut -d' ' -f1)"
printf '%s\n' "host learn=dhcp resume-window=30 first-lease=600" >"$VIFGUARD_CONFIG"
online d22 22 0 $M20 20
hp_check "vif22.0 (the VM, host learn=dhcp): the link-local not restored, freed" \
	"0 -, none, none" \
	"$HP_RC $(learned vif22.0), $(owner6 fe80::20:1), $(parked_of fe80::20:1)"
printf '%s\n' "host learn=link-local,dhcp resume-window=30 first-lease=600" >"$VIFGUARD_CONFIG"

# ---- a full parked map: what does not fit is forgotten, and said ------------------
# parked_fill CMD: CMD (update or delete) for entries of a VM of UUID
# ff..ff up to the parked map's 4096, in one bpftool run.
FILL=$VG_TMP/parked-fill
parked_fill() {
	local have
	have=$(vg -j dump parked | jq '.maps.parked | length')
	python3 - "$1" "$ROOT/parked" "$have" "$(vg_mono_ns 3600)" >"$FILL" <<'PY'
import sys
cmd, path, have, end = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
for i in range(4096 - have if cmd == "update" else 4096):
    key = bytes([0xff] * 16) + i.to_bytes(4, "little") + bytes(8) + \
        bytes(10) + b"\xff\xff" + bytes([10, 201, i >> 8, i & 255])
    line = f"map {cmd} pinned {path} key " + " ".join(map(str, key))
    if cmd == "update":
        line += " value " + " ".join(map(str, end.to_bytes(8, "little") + bytes([3]) + bytes(7)))
    print(line)
PY
	"$BPFTOOL" batch file "$FILL" >/dev/null 2>&1
}
M30=00:16:3e:52:00:1e
M31=00:16:3e:52:00:1f
online u30 30 0 $M30
vg_lease4_put "$(vg_ifindex vif30.0)" 0 10.99.0.130 3 "$(vg_mono_ns 3600)"
online u31 31 0 $M31
vg_lease4_put "$(vg_ifindex vif31.0)" 0 10.99.0.131 3 "$(vg_mono_ns 3600)"
parked_fill update
tap_check "the parked map filled (4096 entries)" 4096 "$(vg -j dump parked | jq '.maps.parked | length')"
libxl_run vif-bridge offline 30 0
tap_check "vif30.0 offline, parked map full: its lease forgotten (not parked, held by none), said" \
	"0, none, none, 1" \
	"$HP_RC, $(parked | tr ',' '\n' | grep -c 10.99.0.130 | sed 's/^0$/none/'), $(owner4 10.99.0.130), $(cat "$VG_TMP/hotplug.out" "$VG_TMP/hotplug.log" |
		grep -c "vif30.0: 1 learned address not parked for the VM's return: the parked map is full (4096 entries); the VM learns it again")" \
	"$(cat "$VG_TMP/hotplug.out" "$VG_TMP/hotplug.log")"
out=$(vg detach vif31.0 2>&1)
tap_check "vifguard detach vif31.0, parked map full: exit 0, its lease forgotten, said" \
	"exit 0, none, 1" \
	"exit $?, $(owner4 10.99.0.131), $(grep -c "^vifguard: vif31.0: 1 learned address not parked.*(4096 entries)" <<<"$out")" "$out"
parked_fill delete
online u32 32 0 $M31 31
hp_check "vif32.0 (vif31.0's VM again): nothing back, a learning window" \
	"0 -, true true" "$HP_RC $(learned vif32.0), $(window vif32.0)"

tap_done
