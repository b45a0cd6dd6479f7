#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The VIFs no source describes (xl without ip=, XAPI unlocked, no config
# entry) through sync, hotplug and setup-vif-rules: unfiltered by
# default and with "host unlisted=open"; with "host unlisted=learn"
# locked to their MAC, their DHCP client let through, learning by DHCP
# and DAD, and said so (text and JSON); XAPI disabled and locked, xl's
# ip= and config entries decide as before; no MAC fails closed; the
# word gone, sync opens them again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/test_xen_lib.bash"
xen_init "$@"

BE=/local/domain/0/backend/vif
# The line sync printed for IFNAME, "" without one.
line_of() { grep "^$1: " "$VG_TMP/sync.out"; }
# The policy's flags in the map by name, sorted, space-separated.
flags_of() {
	vg -j dump policy | jq -r --arg n "$1" \
		'[.maps.policy[] | select(.ifname == $n) | .flags[] | select(startswith("0x") | not)] | sort | join(" ")'
}

M3=00:16:3e:52:00:03
M4=00:16:3e:52:00:04
M5=00:16:3e:52:00:05
M6=00:16:3e:52:00:06
M8=00:16:3e:52:00:08
U4=0a1b2c3d-4e5f-4a6b-8c7d-000000000054
U6=0a1b2c3d-4e5f-4a6b-8c7d-000000000056
PRIV4=/xapi/$(vm_uuid 4)/private/vif/0

xen_vif g3 vif3.0 $M3                # xl, no ip=
xl_nic 3 0 $M3
xen_vif g4 vif4.0 $M4                # XAPI unlocked (a network's default)
xapi_nic 4 0 $U4 $M4 unlocked
xen_vif g5 vif5.0 $M5                # xl, ip=
xl_nic 5 0 $M5 "10.99.0.5"
xen_vif g6 vif6.0 $M6                # XAPI disabled
xapi_nic 6 0 $U6 $M6 disabled
: >"$VIFGUARD_CONFIG"

# ---- the default: unfiltered --------------------------------------------

run_sync
tap_check "no host line: sync exit 0" 0 "$SYNC_RC" "$(out)"
tap_check "no host line: xl without ip= and XAPI unlocked unfiltered" \
	"vif3.0: unfiltered (no policy in any source)|vif4.0: unfiltered (xapi unlocked, $PRIV4)|0 0" \
	"$(line_of vif3.0)|$(line_of vif4.0)|$(tc_ingress vif3.0) $(tc_ingress vif4.0)" "$(out)"
printf 'host unlisted=open\n' >"$VIFGUARD_CONFIG"
run_sync
tap_check "host unlisted=open: the same" "0 0 0" \
	"$SYNC_RC $(tc_ingress vif3.0) $(tc_ingress vif4.0)" "$(out)"

# ---- unlisted=learn ------------------------------------------------------------
# Without a learning window (resume-window=0): first attach and its
# window are test_xen_park's.

printf '# lock what nobody listed\nhost unlisted=learn\nhost resume-window=0\n' >"$VIFGUARD_CONFIG"
run_sync -- -n
tap_check "unlisted=learn, sync --dry-run: nothing attached" "0 0 0" \
	"$SYNC_RC $(tc_ingress vif3.0) $(tc_ingress vif4.0)" "$(out)"
run_sync
tap_check "unlisted=learn: sync exit 0" 0 "$SYNC_RC" "$(out)"
tap_check "unlisted=learn: xl without ip= locked by learning, said so" \
	"vif3.0: locked, 1 MAC, addresses learned by DHCP and DAD (unlisted: no source; config $VIFGUARD_CONFIG:2 host unlisted=learn)" \
	"$(line_of vif3.0)" "$(out)"
tap_check "unlisted=learn: XAPI unlocked locked by learning, names XAPI's directory" \
	"vif4.0: locked, 1 MAC, addresses learned by DHCP and DAD (unlisted: xapi unlocked, $PRIV4; config $VIFGUARD_CONFIG:2 host unlisted=learn)" \
	"$(line_of vif4.0)" "$(out)"
tap_check "unlisted=learn: the VIF's MAC and no address" \
	"locked mac=$M3|locked mac=$M4" "$(policy_of vif3.0)|$(policy_of vif4.0)"
tap_check "unlisted=learn: the DHCP client, EUI-64 link-local, learning both ways" \
	"dhcp-client learn-dhcp learn-link-local link-local" "$(flags_of vif3.0)"
tap_check "unlisted=learn: show says the config file set it" "config config" \
	"$(vg -j show vif3.0 | jq -r '.interfaces[0].source') $(vg -j show vif4.0 | jq -r '.interfaces[0].source')"
tap_check "unlisted=learn: xl's ip= and XAPI disabled decide as before" \
	"locked mac=$M5 10.99.0.5/32|vif6.0: disabled (xapi /xapi/$(vm_uuid 6)/private/vif/0)" \
	"$(policy_of vif5.0)|$(line_of vif6.0)" "$(out)"
run_sync -j
tap_check "-j: unlisted names what the sources said, null for the others" \
	"vif3.0:no source:config vif4.0:xapi unlocked:config vif5.0:null:xl vif6.0:null:xapi" \
	"$(jq -r '[.interfaces[] | "\(.ifname):\(.unlisted):\(.source)"] | sort | join(" ")' \
	   "$VG_TMP/sync.out")" "$(out)"

# What the policy lets through: the DHCP client and the DAD probe that
# learns a link-local; not an address it was never given.
hx ip link set vif3.0 master br0 up
VG_FENCE[g3]="dhcp"
vg_case "unlisted=learn: a DHCP discover passes" g3 vif3.0 1 1 "pass+2" dhcp
vg_case "unlisted=learn: an IPv4 source it holds no lease for: dropped" g3 vif3.0 3 0 \
	"ipv4-src+3 pass+1" udp4 --src-ip 10.99.0.3
vg_case "unlisted=learn: a DAD probe for a free link-local: learned, delivered" \
	g3 vif3.0 1 1 "pass+2" ns --src-ip :: --target fe80::52:3
tap_check "unlisted=learn: vif3.0 learned fe80::52:3" "fe80::52:3" \
	"$(vg -j show vif3.0 | jq -r '[.interfaces[0].learned[].address] | join(" ")')"

# A DHCP server on the uplink acknowledges a lease to g3: delivered, and
# vif3.0 may send from the address until the lease ends.
# ack_from_sink MAC YIADDR LEASE_S: a DHCPACK from the sink to MAC.
ack_from_sink() {
	sx python3 - "$@" <<'EOF'
import socket, struct, sys
mac = bytes.fromhex(sys.argv[1].replace(":", ""))
yi = socket.inet_aton(sys.argv[2])
srv = socket.inet_aton("10.99.0.1")
opts = bytes([53, 1, 5, 54, 4]) + srv + bytes([51, 4]) + struct.pack("!I", int(sys.argv[3])) + b"\xff"
bootp = (bytes([2, 1, 6, 0]) + b"\x12\x34\x56\x78" + bytes(4) + bytes(4) + yi + srv + bytes(4)
         + mac + bytes(10) + bytes(64) + bytes(128) + b"\x63\x82\x53\x63" + opts)
bootp += bytes(max(0, 300 - len(bootp)))  # padded to BOOTP's 300 octets, as servers send
udp = struct.pack("!HHHH", 67, 68, 8 + len(bootp), 0) + bootp
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, srv, yi)
c = sum(struct.unpack("!10H", ip))
c = (c & 0xffff) + (c >> 16)
ip = ip[:10] + struct.pack("!H", ~((c & 0xffff) + (c >> 16)) & 0xffff) + ip[12:]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("sink0", 0))
s.send(mac + bytes.fromhex("020000000001") + b"\x08\x00" + ip + udp)
EOF
}
ack_from_sink $M3 10.99.0.33 3600 || vg_bail "cannot send the DHCPACK"
sleep 0.2
tap_check "unlisted=learn: the DHCPACK delivered to vif3.0 leased 10.99.0.33" "yes" \
	"$(vg -j dump learned4 | jq -r --arg i "$(vg_ifindex vif3.0)" \
	   '[.maps.learned4[] | select(.address == "10.99.0.33" and (.ifindex | tostring) == $i
	     and .origin == "dhcp")] | if length == 1 then "yes" else "no" end')" \
	"$(vg -j dump learned4)"
vg_case "unlisted=learn: frames from the leased address pass" g3 vif3.0 3 3 "pass+4" \
	udp4 --src-ip 10.99.0.33

# host learn= is for the sources' policies: the unlisted ones still learn.
printf 'host unlisted=learn learn=none\nhost resume-window=0\n' >"$VIFGUARD_CONFIG"
run_sync
tap_check "host learn=none: xl's ip= policy stops learning, the unlisted ones do not" \
	"0 learn-dhcp learn-link-local|" \
	"$SYNC_RC $(flags_of vif3.0 | grep -o 'learn-[a-z-]*' | tr '\n' ' ' | sed 's/ $//')|$(
	flags_of vif5.0 | grep -o 'learn-[a-z-]*')" "$(out)"

# The host audit switch applies to them as to any locked policy.
printf 'host unlisted=learn mode=audit\nhost resume-window=0\n' >"$VIFGUARD_CONFIG"
run_sync
tap_check "host mode=audit: the unlisted policies are audit" "0 audit audit" \
	"$SYNC_RC $(policy_of vif3.0 | cut -d' ' -f1) $(policy_of vif4.0 | cut -d' ' -f1)" "$(out)"
printf 'host unlisted=learn\nhost resume-window=0\n' >"$VIFGUARD_CONFIG"

# A config entry decides for its VIF, unlisted=learn or not.
printf 'host unlisted=learn\n%s 10.99.0.4\nhost resume-window=0\n' "$U4" >"$VIFGUARD_CONFIG"
run_sync
tap_check "a config entry beats unlisted=learn" "locked mac=$M4 10.99.0.4/32|" \
	"$(policy_of vif4.0)|$(flags_of vif4.0 | grep -o learn-dhcp)" "$(out)"
printf 'host unlisted=learn\nhost resume-window=0\n' >"$VIFGUARD_CONFIG"

# ---- hotplug and setup-vif-rules ------------------------------------------------

xen_vif g8 vif8.0 $M8
xl_nic 8 0 $M8
libxl_run vif-bridge online 8 0
tap_check "hotplug online, xl without ip=: locked by learning" "0 locked mac=$M8 1" \
	"$HP_RC $(policy_of vif8.0) $(tc_ingress vif8.0)" "$(cat "$VG_TMP/hotplug.out")"
libxl_run vif-bridge offline 8 0
tap_check "hotplug offline: detached" "0 0" "$HP_RC $(tc_ingress vif8.0)" \
	"$(cat "$VG_TMP/hotplug.out")"

SVR=$XEN_STAGE/usr/libexec/vifguard/setup-vif-rules
hx env VIFGUARD="$VIFGUARD" VIFGUARD_ROOT="$ROOT" VIFGUARD_CONFIG="$VIFGUARD_CONFIG" \
	"$SVR" classic vif4.0 "$(vm_uuid 4)" 0 filter >"$VG_TMP/svr.out" 2>&1
tap_check "setup-vif-rules filter, XAPI unlocked: locked by learning" "0 locked mac=$M4" \
	"$? $(policy_of vif4.0)" "$(cat "$VG_TMP/svr.out")"

# ---- no MAC: fails closed ------------------------------------------------------------

xenstore-rm $BE/3/0/mac /local/domain/3/device/vif/0/mac
run_sync
tap_check "no MAC in xenstore: vif3.0 fails closed, the key named" "disabled|1" \
	"$(policy_of vif3.0 | cut -d' ' -f1)|$(grep -c "host unlisted=learn: no MAC for the VIF in $BE/3/0/mac" "$VG_TMP/sync.out")" \
	"$(out)"
xs_write $BE/3/0/mac $M3

# ---- the word gone: open again ---------------------------------------------------

: >"$VIFGUARD_CONFIG"
run_sync
tap_check "no unlisted=learn any more: sync removes their filters" "0 0 0 1" \
	"$SYNC_RC $(tc_ingress vif3.0) $(tc_ingress vif4.0) $(tc_ingress vif5.0)" "$(out)"

tap_done
