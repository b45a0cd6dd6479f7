#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Address learning against hostile guests and a hostile uplink, through
# the real kernel, CLI and Xen hotplug:
#   reuse    an interface removed without a detach leaves its policy at
#            its ifindex; a new device given that ifindex (another guest)
#            starts with nothing learned, by `vifguard attach` as by
#            hotplug or sync, and hotplug and sync filter it by its own
#            sources, not by the dead device's operator policy;
#   edit     an address configured for another interface while a lease
#            of it is live is taken from the leaser and not handed back;
#            a policy that stops learning by DHCP loses its leases, and
#            learning again does not bring them back;
#   gc       says what it removed when it removes an expired lease;
#   protect4 an IPv4 gateway and a leased address in `host protect=`: the
#            lease is taken back, ACKs of them are refused, their frames
#            dropped;
#   flood    Router Advertisements from many sources on the uplink fill
#            protected6: the bridge's own link-local, `host protect=`
#            and gc still work afterwards; a map full of what the loader
#            protects fails an attach, naming it.
# Guests are quiet (no traffic of their own); the sink, on the uplink,
# is the DHCP server and the RA sender.
# shellcheck disable=SC2046 # ack prints an argument list
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/test_xen_lib.bash"
xen_init "$@"

A_MAC=02:00:00:00:05:00
M_MAC=02:00:00:00:07:00
P_MAC=02:00:00:00:08:00
Q_MAC=02:00:00:00:09:00
M3=00:16:3e:53:00:03
M4=00:16:3e:53:00:04
M5=00:16:3e:53:00:05
M6=00:16:3e:53:00:06

# reused_vif GUEST IFNAME MAC IFINDEX: a quiet guest whose backend
# device IFNAME in HOST gets ifindex IFINDEX, down, on no bridge.
reused_vif() {
	local ns=$VG_ID-$1
	[ -e "/run/netns/$ns" ] || vg_netns_add "$ns"
	gx "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n "$HOST" link add "$2" index "$4" type veth peer name eth0 netns "$ns" ||
		vg_bail "cannot create $2 with ifindex $4"
	ip -n "$ns" link set eth0 address "$3" up
	ip -n "$HOST" link set "$2" address fe:ff:ff:ff:ff:ff
}

# ack MAC ADDR LEASE: the fields of a DHCPACK from the sink.
ack() {
	echo "dhcp --op 2 --msg 5 --src-ip $SINK_V4 --chaddr $1 --yiaddr $2 --lease $3"
}

# from_sink FIELDS...: one frame from the sink, given time to arrive.
from_sink() {
	sx "$VGPKT" send -i sink0 "$@"
	sleep 0.2
}

# vg_ok NAME ARGS...: `vifguard ARGS` exits 0 (its output the diagnostic).
vg_ok() {
	local name=$1 out
	shift
	out=$(vg "$@" 2>&1)
	tap_check "$name" "exit 0" "exit $?" "$out"
}

# udp4_case NAME GUEST IFNAME ADDR pass|drop: a datagram from ADDR to the
# sink passes (pass+2) or is dropped as ipv4-src.
udp4_case() {
	if [ "$5" = pass ]; then
		vg_case "$1" "$2" "$3" 1 1 "pass+2" udp4 --src-ip "$4" --dst-ip "$SINK_V4"
	else
		vg_case "$1" "$2" "$3" 1 0 "ipv4-src+1 pass+1" udp4 --src-ip "$4" --dst-ip "$SINK_V4"
	fi
}

# learned IFNAME: what show -j says IFNAME learned, "ADDR:ORIGIN" sorted.
learned() {
	vg -j show "$1" | jq -r '[.interfaces[0].learned[]? | "\(.address):\(.origin)"] | sort | join(" ")'
}

# ---- reuse: `vifguard attach` ------------------------------------------------
reused_vif a vif5.0 $A_MAC 700
hx ip link set vif5.0 master br0 up
vg_ok "attach vif5.0 (ifindex 700) --learn link-local,dhcp" \
	attach vif5.0 --mac $A_MAC --learn link-local,dhcp
from_sink $(ack $A_MAC 10.99.0.50 3600)
gx a "$VGPKT" send -i eth0 ns --src-ip :: --target fe80::5:aaaa --no-lla
sleep 0.2
tap_check "vif5.0 holds a lease and a link-local" "10.99.0.50:dhcp fe80::5:aaaa:dad" \
	"$(learned vif5.0)"
# The guest is destroyed and its device goes before any detach (hotplug
# offline late or lost); another guest's device gets the same ifindex.
ip -n "$HOST" link del vif5.0
reused_vif m vif7.0 $M_MAC 700
hx ip link set vif7.0 master br0 up
vg_ok "attach vif7.0, a new device at the dead vif5.0's ifindex 700" \
	attach vif7.0 --mac $M_MAC --learn link-local,dhcp
tap_check "show: vif7.0 learned nothing (a new device starts with nothing learned)" "" \
	"$(learned vif7.0)" "$(vg show vif7.0)"
VG_FENCE[m]="dhcp"
udp4_case "vif7.0 from the dead vif5.0's lease 10.99.0.50: dropped" m vif7.0 10.99.0.50 drop
vg_case "vif7.0's ARP for 10.99.0.50: dropped" m vif7.0 1 0 "arp-spa+1 pass+1" \
	arp --spa 10.99.0.50 --tpa $SINK_V4
vg_case "vif7.0 from the dead vif5.0's link-local fe80::5:aaaa: dropped" m vif7.0 1 0 \
	"ipv6-src+1 pass+1" udp6 --src-ip fe80::5:aaaa --dst-ip fe80::1

# ---- reuse: hotplug ------------------------------------------------------------
# An operator's quarantine of vif3.0, whose device then goes without a
# detach; domain 4's vif4.0 gets its ifindex and comes online.
xl_nic 3 0 $M3 "10.99.0.3"
reused_vif g3 vif3.0 $M3 701
vg_ok "attach vif3.0 (ifindex 701) --mode disabled: the operator's" \
	attach vif3.0 --mac $M3 --mode disabled
hx ip link del vif3.0
xl_nic 4 0 $M4 "10.99.0.4"
reused_vif g4 vif4.0 $M4 701
libxl_run vif-bridge online 4 0
tap_check "hotplug online vif4.0 at the dead vif3.0's ifindex: exit 0" 0 "$HP_RC" \
	"$(cat "$VG_TMP/hotplug.out")"
tap_check "vif4.0 filtered by its own xl policy (ip=10.99.0.4), not left unfiltered" \
	"1 locked mac=$M4 10.99.0.4/32" "$(tc_ingress vif4.0) $(policy_of vif4.0)" \
	"$(cat "$VG_TMP/hotplug.out")" "$(vg show vif4.0 2>&1)"
VG_FENCE[g4]="udp4 --src-ip 10.99.0.4 --dst-ip $SINK_V4"
udp4_case "vif4.0 from 10.99.0.77 (not its address): dropped" g4 vif4.0 10.99.0.77 drop

# The same under sync: vif5.1's quarantine, its device gone without a
# detach, domain 6's vif6.0 at its ifindex.
xl_nic 5 1 $M5 "10.99.0.5"
reused_vif g5 vif5.1 $M5 704
vg attach vif5.1 --mac $M5 --mode disabled >/dev/null
hx ip link del vif5.1
xl_nic 6 0 $M6 "10.99.0.6"
reused_vif g6 vif6.0 $M6 704
hx ip link set vif6.0 master br0 up
run_sync
tap_check "sync with vif6.0 at the dead vif5.1's ifindex: exit 0" 0 "$SYNC_RC" "$(out)"
tap_check "vif6.0 filtered by its own xl policy (ip=10.99.0.6) after sync" \
	"1 locked mac=$M6 10.99.0.6/32" "$(tc_ingress vif6.0) $(policy_of vif6.0)" "$(out)" \
	"$(vg show vif6.0 2>&1)"
VG_FENCE[g6]="udp4 --src-ip 10.99.0.6 --dst-ip $SINK_V4"
udp4_case "vif6.0 from 10.99.0.77 (not its address): dropped" g6 vif6.0 10.99.0.77 drop

# ---- edit: a policy changed while a lease is live ----------------------------------
vg_guest p vif8.0 $P_MAC quiet
vg_guest q vif9.0 $Q_MAC quiet
vg attach vif8.0 --mac $P_MAC --learn dhcp >/dev/null
vg attach vif9.0 --mac $Q_MAC --ipv4 10.99.0.9 >/dev/null
vg_up p
vg_up q
VG_FENCE[p]="dhcp"
VG_FENCE[q]="udp4 --src-ip 10.99.0.9 --dst-ip $SINK_V4"
from_sink $(ack $P_MAC 10.99.0.80 3600)
udp4_case "vif8.0 from its lease 10.99.0.80: passes" p vif8.0 10.99.0.80 pass
vg_ok "set vif9.0 add ipv4 10.99.0.80 (vif8.0's lease)" set vif9.0 add ipv4 10.99.0.80
udp4_case "vif8.0 from 10.99.0.80, now configured for vif9.0: dropped" p vif8.0 10.99.0.80 drop
udp4_case "vif9.0 from 10.99.0.80: passes" q vif9.0 10.99.0.80 pass
vg_ok "set vif9.0 remove ipv4 10.99.0.80" set vif9.0 remove ipv4 10.99.0.80
udp4_case "vif8.0 from 10.99.0.80: still dropped (not handed back)" p vif8.0 10.99.0.80 drop
from_sink $(ack $P_MAC 10.99.0.81 3600)
vg_ok "set vif8.0 remove flag learn-dhcp" set vif8.0 remove flag learn-dhcp
udp4_case "vif8.0 from its lease 10.99.0.81 once it no longer learns: dropped" \
	p vif8.0 10.99.0.81 drop
vg_ok "set vif8.0 add flag learn-dhcp" set vif8.0 add flag learn-dhcp
udp4_case "vif8.0 from 10.99.0.81 after learning again: dropped (no lease came back)" \
	p vif8.0 10.99.0.81 drop
tap_check "show: vif8.0 holds nothing" "" "$(learned vif8.0)"

# ---- gc: what it removes -----------------------------------------------------------
# What the cases above left (the dead devices' policies) goes first.
vg gc >/dev/null 2>&1
# A lease of 1 s with no grace (learn_cfg, as `host dhcp-grace=0` sets it).
"$BPFTOOL" map update pinned "$ROOT/learn_cfg" key 0 0 0 0 value 0 0 0 0 0 0 0 0 ||
	vg_bail "cannot write learn_cfg"
from_sink $(ack $P_MAC 10.99.0.82 1)
sleep 1.5
tap_check "vif8.0's lease of 10.99.0.82 ended, its entry still there" "10.99.0.82:dhcp" \
	"$(learned vif8.0)"
out=$(vg gc 2>&1)
tap_check "gc removed the ended lease" "" "$(learned vif8.0)" "$out"
tap_check "gc says it removed something, not \"nothing to remove\"" "said so" \
	"$(grep -q 'nothing to remove' <<<"$out" && echo "nothing to remove" || echo "said so")" "$out"
from_sink $(ack $P_MAC 10.99.0.83 1)
sleep 1.5
out=$(vg -j gc 2>&1)
tap_check "gc -j counts an ended lease's entry and its slot: entries_removed 2" 2 \
	"$(jq -r .entries_removed <<<"$out")" "$out"
"$BPFTOOL" map update pinned "$ROOT/learn_cfg" key 0 0 0 0 value 60 0 0 0 0 0 0 0

# ---- protect4: an IPv4 gateway in host protect= ----------------------------------
# A lease of 10.99.0.12 first; then host protect= lists it and the
# gateway 10.99.0.1 (the sink): sync takes the lease back, and an ACK of
# either from the uplink is refused, learn-protected, their frames dropped.
reused_vif t vif12.0 02:00:00:00:12:00 706
hx ip link set vif12.0 master br0 up
vg_ok "attach vif12.0 --learn dhcp" attach vif12.0 --mac 02:00:00:00:12:00 --learn dhcp
from_sink $(ack 02:00:00:00:12:00 10.99.0.12 3600)
tap_check "vif12.0 leased 10.99.0.12" "10.99.0.12:dhcp" "$(learned vif12.0)"
printf '%s\n' "host protect=10.99.0.1,10.99.0.12" >"$VIFGUARD_CONFIG"
hx env VIFGUARD_NETWORK_BACKEND=bridge "$VIFGUARD" sync >"$VG_TMP/sync.out" 2>&1
tap_check "host protect=10.99.0.1,10.99.0.12: sync exit 0, shown as IPv4, why config" \
	"0 10.99.0.12=config 10.99.0.1=config" \
	"$? $(vg -j dump protected6 | jq -r '[.maps.protected6[] | select(.address | startswith("10.99.0.")) | "\(.address)=\(.why)"] | sort | join(" ")')" \
	"$(cat "$VG_TMP/sync.out")"
tap_check "dump text shows 10.99.0.1 in IPv4 form" "yes" \
	"$(vg dump protected6 | grep -q 'address=10\.99\.0\.1 ' && echo yes || echo no)" \
	"$(vg dump protected6 | grep 10.99 || true)"
tap_check "the protected lease 10.99.0.12 was taken from vif12.0" "" "$(learned vif12.0)"
from_sink $(ack 02:00:00:00:12:00 10.99.0.1 3600)
from_sink $(ack 02:00:00:00:12:00 10.99.0.12 4294967295)
vg_stats vif12.0
tap_check "ACKs of the gateway 10.99.0.1 and of 10.99.0.12: learn-protected 2, nothing learned" \
	"2 " "${STATS[learn-protected]:-0} $(learned vif12.0)"
gx t "$VGPKT" send -i eth0 -c 3 udp4 --src-ip 10.99.0.1
gx t "$VGPKT" send -i eth0 -c 2 udp4 --src-ip 10.99.0.12
sleep 0.2
vg_stats vif12.0
tap_check "vif12.0's frames from 10.99.0.1 and 10.99.0.12 dropped: ipv4-src 5" 5 \
	"${STATS[ipv4-src]:-0}"
: >"$VIFGUARD_CONFIG"
hx env VIFGUARD_NETWORK_BACKEND=bridge "$VIFGUARD" sync >"$VG_TMP/sync.out" 2>&1
from_sink $(ack 02:00:00:00:12:00 10.99.0.12 3600)
tap_check "protect= emptied: sync takes 10.99.0.12 off, the next ACK of it leases it" \
	"10.99.0.12:dhcp" "$(learned vif12.0)" "$(cat "$VG_TMP/sync.out")"

# ---- flood: protected6 full of advertised sources --------------------------------
# 1100 RAs from as many link-local sources, delivered to the filtered
# guests: protected6 holds 1024.
for ((i = 0; i < 1100; i++)); do
	sx "$VGPKT" send -i sink0 ra --src-ip "fe80::ad:$(printf %x $i)" --dst-ip ff02::1
done
sleep 0.3
n=$(vg -j dump protected6 | jq '.maps.protected6 | length')
tap_check "the RA flood filled protected6" 1024 "$n"
# The bridge gets a link-local address of its own (dom0's on it).
hx sysctl -qw net.ipv6.conf.br0.disable_ipv6=0
hx ip addr add fe80::b:1/64 dev br0 nodad
reused_vif r vif10.0 02:00:00:00:10:00 702
hx ip link set vif10.0 master br0 up
vg_ok "attach vif10.0 after the flood" attach vif10.0 --mac 02:00:00:00:10:00 --learn link-local
tap_check "the bridge's link-local fe80::b:1 is protected (why bridge)" "bridge" \
	"$(vg -j dump protected6 | jq -r '[.maps.protected6[] | select(.address == "fe80::b:1") | .why] | .[0] // "absent"')"
printf '%s\n' "host protect=fe80::99" >"$VIFGUARD_CONFIG"
hx env VIFGUARD_NETWORK_BACKEND=bridge "$VIFGUARD" sync >"$VG_TMP/sync.out" 2>&1
tap_check "host protect=fe80::99 after the flood: sync exit 0, fe80::99 protected (config)" \
	"0 config" "$? $(vg -j dump protected6 | jq -r '[.maps.protected6[] | select(.address == "fe80::99") | .why] | .[0] // "absent"')" \
	"$(cat "$VG_TMP/sync.out")"
vg_ok "gc after the flood: exit 0" gc

# ---- full of what the loader protects: no room to make ---------------------------
# protected6 emptied and filled with config-file entries only (one
# bpftool batch): an attach finds no RA source to evict for its bridge's
# link-local addresses and fails, naming the map.
"$BPFTOOL" -j map dump pinned "$ROOT/protected6" | jq -r --arg m "$ROOT/protected6" \
	'.[] | "map delete pinned \($m) key hex \(.key | map(ltrimstr("0x")) | join(" "))"' \
	>"$VG_TMP/fill.batch"
for ((i = 0; i < 1024; i++)); do
	printf 'map update pinned %s key hex fe 80 00 00 00 00 00 00 00 00 00 00 00 0c %02x %02x value 1 0 0 0 0 0 0 0 1 0 0 0 0 0 0 0\n' \
		"$ROOT/protected6" $((i >> 8)) $((i & 255))
done >>"$VG_TMP/fill.batch"
"$BPFTOOL" batch file "$VG_TMP/fill.batch" >/dev/null || vg_bail "cannot fill protected6"
reused_vif s vif11.0 02:00:00:00:11:00 705
hx ip link set vif11.0 master br0 up
out=$(vg attach vif11.0 --mac 02:00:00:00:11:00 --learn link-local 2>&1)
tap_check "attach vif11.0, protected6 full of config entries: exit 1, naming the full map" \
	"exit 1 named" "exit $? $(grep -q 'protected6 is full' <<<"$out" && echo named)" "$out"

tap_done
