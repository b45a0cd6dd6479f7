#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Trust on first use (`--learn first`, the learning window) and parking
# against hostile guests, through the real kernel, CLI and Xen hotplug:
#   encodings  an IPv6 source that names an IPv4 address (::ffff:a.b.c.d)
#              is no address to learn: not one another interface holds
#              in IPv4, not a protected IPv4 router, not a free one
#              (which parking would hand back as IPv4); broadcast,
#              multicast, 0/8 and loopback IPv4 sources are never
#              learned; an 802.1Q or QinQ tagged frame teaches nothing;
#   arp        an ARP sender learned is then allowed as IPv4 source, the
#              reverse too; an ARP sender and an IPv4 source in one burst
#              take the two IPv4 slots, a third is learn-full, never
#              swapped for an older one;
#   race       two guests claiming one address: the first has it, the
#              other gets learn-conflict every time, never both;
#              a configured address of an interface is never learned by
#              another;
#   caps       four IPv6 first-use addresses, the fifth is learn-full;
#              IPv4 and IPv6 slots apart; an address learned by first
#              use goes to the VIF that comes online configured with it;
#   windows    an online replayed for a VIF that is there opens none;
#   park       a first-use address parked across xl save/restore is not
#              given to its VM back with another MAC, nor when it was
#              protected meanwhile;
#   kill       vifguard killed at each bpf() call of the offline that
#              parks and the online that restores: nothing open, nothing
#              held for ever;
#   privacy    a real guest with use_tempaddr=2 under --learn first
#              uses more addresses than its slots, none refused (an
#              address it stopped using ends first-lease= after).
# Guests are quiet (no traffic of their own) but the privacy guest;
# frames come from vgpkt.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/test_xen_lib.bash"
xen_init "$@"

printf '%s\n' "host learn=link-local,dhcp resume-window=30 first-lease=600 protect=10.99.0.254" \
	>"$VIFGUARD_CONFIG"

A_MAC=02:00:00:00:1a:01
B_MAC=02:00:00:00:1a:02
A4=10.99.0.21
B4=10.99.0.22
ROUTER4=10.99.0.254

# learned IFNAME: "ADDR:ORIGIN" of what it learned, sorted.
learned() {
	vg -j show "$1" | jq -r '[.interfaces[0].learned[]? | "\(.address):\(.origin)"] | sort | join(" ")'
}
# v6of ADDR: learned6's "IFINDEX ORIGIN" for ADDR, or none.
owner6() {
	vg -j dump learned6 | jq -r --arg a "$1" \
		'[.maps.learned6[] | select(.address == $a) | "\(.ifindex) \(.origin)"][0] // "none"'
}
owner4() {
	vg -j dump learned4 | jq -r --arg a "$1" \
		'[.maps.learned4[] | select(.address == $a) | "\(.ifindex) \(.origin)"][0] // "none"'
}

# host protect= reaches protected6 by hotplug (and sync): a Xen guest C
# comes online first.
xen_vif c vif23.0 00:16:3e:1a:00:23
xl_nic 23 0 00:16:3e:1a:00:23 10.99.0.23
libxl_run vif-bridge online 23 0
tap_check "vif23.0 online: $ROUTER4 protected (host protect=)" "0 $ROUTER4=config" \
	"$HP_RC $(vg -j dump protected6 | jq -r '[.maps.protected6[] | select(.address == "'$ROUTER4'") | "\(.address)=\(.why)"] | join(" ")')" \
	"$(cat "$VG_TMP/hotplug.out")"

vg_guest a vif21.0 $A_MAC quiet
vg_guest b vif22.0 $B_MAC quiet
out=$(vg attach vif21.0 --mac $A_MAC --ipv4 $A4 --learn first 2>&1)
tap_check "attach vif21.0 --learn first" "exit 0" "exit $?" "$out"
out=$(vg attach vif22.0 --mac $B_MAC --ipv4 $B4 --learn first 2>&1)
tap_check "attach vif22.0 --learn first" "exit 0" "exit $?" "$out"
vg_up a
vg_up b
VG_FENCE[a]="udp4 --src-ip $A4 --dst-ip $SINK_V4"
VG_FENCE[b]="udp4 --src-ip $B4 --dst-ip $SINK_V4"

# ---- encodings -------------------------------------------------------------
# An IPv4-mapped IPv6 source is IPv4's name in protected6 and "parked";
# as an IPv6 source it must teach nothing (RFC 4291 2.5.5.2: never on
# the wire).
vg_case "A: IPv6 from ::ffff:$B4 (B's configured IPv4): dropped, not learned" a vif21.0 1 0 \
	"ipv6-src+1 pass+1" udp6 --src-ip ::ffff:$B4 --dst-ip $SINK_V6
vg_case "A: IPv6 from ::ffff:$ROUTER4 (protected IPv4): dropped, not learned" a vif21.0 1 0 \
	"ipv6-src+1 pass+1" udp6 --src-ip ::ffff:$ROUTER4 --dst-ip $SINK_V6
vg_case "A: IPv6 from ::ffff:10.99.0.77 (free IPv4): dropped, not learned" a vif21.0 1 0 \
	"ipv6-src+1 pass+1" udp6 --src-ip ::ffff:10.99.0.77 --dst-ip $SINK_V6
tap_check "learned6 holds no IPv4-mapped address" "none none none" \
	"$(owner6 ::ffff:$B4) $(owner6 ::ffff:$ROUTER4) $(owner6 ::ffff:10.99.0.77)"
vg_case "A: from the protected router $ROUTER4: learn-protected" a vif21.0 1 0 \
	"learn-protected+1 pass+1" udp4 --src-ip $ROUTER4 --dst-ip $SINK_V4
for s in 255.255.255.255 224.0.0.1 0.0.0.1 127.0.0.1; do
	vg_case "A: from $s: ipv4-src, not learned" a vif21.0 1 0 \
		"ipv4-src+1 pass+1" udp4 --src-ip $s --dst-ip $SINK_V4
done
vg_case "A: ARP sender 255.255.255.255: arp-spa, not learned" a vif21.0 1 0 \
	"arp-spa+1 pass+1" arp --op 1 --spa 255.255.255.255 --tpa $SINK_V4
tap_check "A learned nothing from them" "" "$(learned vif21.0)"
# VLAN tags from the guest: the frame is dropped before any learning.
for v in "--vlan 5" "--vlan 5 --vlan-proto 0x88a8"; do
	# shellcheck disable=SC2086 # an argument list by design
	vg_case "A: tagged ($v) from 10.99.0.78: dropped" a vif21.0 1 0 \
		"vlan+1 pass+1" udp4 $v --src-ip 10.99.0.78 --dst-ip $SINK_V4
done
tap_check "A learned nothing from tagged frames" "none" "$(owner4 10.99.0.78)"

# ---- arp: learned one way, used the other -------------------------------------
vg_case "A: ARP request, sender 10.99.0.31: learned, passes" a vif21.0 1 1 \
	"pass+2" arp --op 1 --spa 10.99.0.31 --tpa $SINK_V4
vg_case "A: IPv4 from 10.99.0.31 (learned by ARP): passes" a vif21.0 1 1 \
	"pass+2" udp4 --src-ip 10.99.0.31 --dst-ip $SINK_V4
vg_case "A: gratuitous ARP reply, sender 10.99.0.32 != IPv4 source next: learned" a vif21.0 1 1 \
	"pass+2" arp --op 2 --spa 10.99.0.32 --tpa 10.99.0.32 --tha ff:ff:ff:ff:ff:ff
vg_case "A: IPv4 from a third address 10.99.0.33: learn-full" a vif21.0 2 0 \
	"learn-full+2 pass+1" udp4 --src-ip 10.99.0.33 --dst-ip $SINK_V4
vg_case "A: ARP sender 10.99.0.33: learn-full too" a vif21.0 1 0 \
	"learn-full+1 pass+1" arp --op 1 --spa 10.99.0.33 --tpa $SINK_V4
tap_check "A holds its two first-use IPv4 addresses, nothing swapped" \
	"10.99.0.31:first 10.99.0.32:first" "$(learned vif21.0)"

# ---- race: one address, two guests ------------------------------------------------
vg_case "B: from A's learned 10.99.0.31: learn-conflict" b vif22.0 3 0 \
	"learn-conflict+3 pass+1" udp4 --src-ip 10.99.0.31 --dst-ip $SINK_V4
vg_case "B: ARP sender 10.99.0.31: learn-conflict" b vif22.0 1 0 \
	"learn-conflict+1 pass+1" arp --op 2 --spa 10.99.0.31 --tpa 10.99.0.31
vg_case "B: from A's configured $A4: learn-conflict" b vif22.0 1 0 \
	"learn-conflict+1 pass+1" udp4 --src-ip $A4 --dst-ip $SINK_V4
vg_case "A: still passes from 10.99.0.31" a vif21.0 1 1 \
	"pass+2" udp4 --src-ip 10.99.0.31 --dst-ip $SINK_V4
tap_check "10.99.0.31 is A's only" "$(vg_ifindex vif21.0) first" "$(owner4 10.99.0.31)"

# ---- caps: IPv6 --------------------------------------------------------------------
# Four IPv6 slots; a guest whose addresses change (privacy extensions,
# a new temporary address a day) is refused its fifth for good: with no
# window they never end.
VG_FENCE[b]="udp6 --src-ip fd00:99::b1 --dst-ip $SINK_V6"
vg_case "B: IPv6 from fd00:99::b1: learned" b vif22.0 1 1 "pass+2" \
	udp6 --src-ip fd00:99::b1 --dst-ip $SINK_V6
for i in 2 3 4; do
	vg_case "B: IPv6 from fd00:99::b$i: learned" b vif22.0 1 1 "pass+2" \
		udp6 --src-ip fd00:99::b$i --dst-ip $SINK_V6
done
vg_case "B: IPv6 from a fifth fd00:99::b5: learn-full" b vif22.0 1 0 \
	"learn-full+1 pass+1" udp6 --src-ip fd00:99::b5 --dst-ip $SINK_V6
VG_FENCE[b]="udp4 --src-ip $B4 --dst-ip $SINK_V4"
vg_case "B: IPv4 from 10.99.0.41: learned (IPv6 and IPv4 slots apart)" b vif22.0 1 1 \
	"pass+2" udp4 --src-ip 10.99.0.41 --dst-ip $SINK_V4
vg_case "B: ARP sender 10.99.0.41 (learned from IPv4): passes" b vif22.0 1 1 \
	"pass+2" arp --op 1 --spa 10.99.0.41 --tpa $SINK_V4

# ---- Xen: windows and parking ------------------------------------------------------
online() {
	xen_vif "$1" "vif$2.$3" "$4"
	xl_nic "$2" "$3" "$4" "10.99.0.$2"
	[ -n "${5:-}" ] && vm_of "$2" "$5"
	libxl_run vif-bridge online "$2" "$3"
}
window() {
	vg -j show "$1" | jq -r '.interfaces[0].learning |
		"\(.first) \(if .window then .window.open else "none" end)"'
}
parked() {
	vg -j dump parked | jq -r '[.maps.parked[] | "\(.devid) \(.mac) \(.address) \(.origin)"] | sort | join(",")'
}

# A window is the toolstack's to give: online replayed for a VIF that
# is there (a udev or hotplug replay) opens none again.
printf '%s\n' "host learn=link-local,dhcp resume-window=1 first-lease=600 protect=$ROUTER4" \
	>"$VIFGUARD_CONFIG"
online w51 51 0 00:16:3e:1a:00:51
tap_check "vif51.0 online: a window of 1 s" "0 true true" "$HP_RC $(window vif51.0)" \
	"$(cat "$VG_TMP/hotplug.out")"
sleep 1.2
libxl_run vif-bridge online 51 0
tap_check "online replayed after the window ended: exit 0, no new window" "0 true false" \
	"$HP_RC $(window vif51.0)" "$(cat "$VG_TMP/hotplug.out")"
VG_FENCE[w51]="udp4 --src-ip 10.99.0.51 --dst-ip $SINK_V4"
vg_case "vif51.0 after the replay: from a free 10.99.0.151 dropped" w51 vif51.0 1 0 \
	"ipv4-src+1 pass+1" udp4 --src-ip 10.99.0.151 --dst-ip $SINK_V4

# A guest learns 10.99.0.152 in its window; saved, it is parked.  Its VM
# back on the same device id with another MAC (a NIC replaced) is
# another identity: nothing back, a window, the parked address refused.
printf '%s\n' "host learn=link-local,dhcp resume-window=30 first-lease=600 protect=$ROUTER4" \
	>"$VIFGUARD_CONFIG"
M52=00:16:3e:1a:00:52
online g52 52 0 $M52
VG_FENCE[g52]="udp4 --src-ip 10.99.0.52 --dst-ip $SINK_V4"
vg_case "vif52.0 in its window: from 10.99.0.152 learned" g52 vif52.0 1 1 "pass+2" \
	udp4 --src-ip 10.99.0.152 --dst-ip $SINK_V4
libxl_run vif-bridge offline 52 0
ip -n "$HOST" link del vif52.0
tap_check "vif52.0 offline: 10.99.0.152 parked (first)" "0 0 $M52 10.99.0.152 first" \
	"$HP_RC $(parked)"
online g53 53 0 00:16:3e:1a:00:53 52
VG_FENCE[g53]="udp4 --src-ip 10.99.0.53 --dst-ip $SINK_V4"
tap_check "vif53.0 (the VM, devid 0, another MAC): nothing back, a window, still parked" \
	"0 true true, 0 $M52 10.99.0.152 first" "$HP_RC $(window vif53.0), $(parked)" \
	"$(cat "$VG_TMP/hotplug.out")"
vg_case "vif53.0 in its window: from the parked 10.99.0.152: learn-conflict" g53 vif53.0 1 0 \
	"learn-conflict+1 pass+1" udp4 --src-ip 10.99.0.152 --dst-ip $SINK_V4

# Protected while parked (host protect= gains it): the VM back does not
# get it, and no one learns it.
printf '%s\n' "host learn=link-local,dhcp resume-window=30 first-lease=600 protect=$ROUTER4,10.99.0.152" \
	>"$VIFGUARD_CONFIG"
hx env VIFGUARD_NETWORK_BACKEND=bridge "$VIFGUARD" sync >"$VG_TMP/sync.out" 2>&1
tap_check "sync with 10.99.0.152 in host protect=: exit 0, protected" "0 config" \
	"$? $(vg -j dump protected6 | jq -r '[.maps.protected6[] | select(.address == "10.99.0.152") | .why][0] // "none"')" \
	"$(cat "$VG_TMP/sync.out")"
online g54 54 0 $M52 52
VG_FENCE[g54]="udp4 --src-ip 10.99.0.54 --dst-ip $SINK_V4"
tap_check "vif54.0 (the VM back, devid 0, its MAC): the protected address not back, not parked" \
	"0 -, -" "$HP_RC $(l=$(vg -j show vif54.0 | jq -r '[.interfaces[0].learned[]?.address] | join(",")'); echo "${l:--}"), $(p=$(parked); echo "${p:--}")" \
	"$(cat "$VG_TMP/hotplug.out")"
vg_case "vif54.0: from the protected 10.99.0.152 dropped" g54 vif54.0 1 0 \
	"$( [ "$(window vif54.0)" = "true true" ] && echo learn-protected+1 || echo ipv4-src+1) pass+1" \
	udp4 --src-ip 10.99.0.152 --dst-ip $SINK_V4

# Both at once: two guests flood one free address from two CPUs; one of
# them has it, every frame of the other is learn-conflict.
vg_guest c1 vif25.0 02:00:00:00:1a:25 quiet
vg_guest c2 vif26.0 02:00:00:00:1a:26 quiet
vg attach vif25.0 --mac 02:00:00:00:1a:25 --learn first >/dev/null 2>&1 &&
	vg attach vif26.0 --mac 02:00:00:00:1a:26 --learn first >/dev/null 2>&1 ||
	vg_bail "attach vif25.0 / vif26.0"
vg_up c1
vg_up c2
declare -A c1b c2b
vg_stats vif25.0; for k in "${!STATS[@]}"; do c1b[$k]=${STATS[$k]}; done
vg_stats vif26.0; for k in "${!STATS[@]}"; do c2b[$k]=${STATS[$k]}; done
gx c1 taskset -c 0 "$VGPKT" send -i eth0 -c 500 udp4 --src-ip 10.99.0.70 --dst-ip $SINK_V4 &
p1=$!
gx c2 taskset -c 1 "$VGPKT" send -i eth0 -c 500 udp4 --src-ip 10.99.0.70 --dst-ip $SINK_V4 &
p2=$!
wait $p1 $p2
sleep 0.3
vg_stats vif25.0; d1=$(vg_delta c1b STATS)
vg_stats vif26.0; d2=$(vg_delta c2b STATS)
own=$(owner4 10.99.0.70)
case ${own%% *} in
$(vg_ifindex vif25.0)) got="c1 owns it: $d1 / $d2" ;;
$(vg_ifindex vif26.0)) got="c2 owns it: $d2 / $d1" ;;
*) got="nobody owns it ($own): $d1 / $d2" ;;
esac
tap_check "a race for 10.99.0.70: the owner's 500 pass, the other's 500 learn-conflict" \
	"owns it: pass+500 / learn-conflict+500" "${got#c? }"

# Configured for a VIF that is not there yet: a first-use guest takes it
# meanwhile; the VIF coming online with it configured takes it back.
vg_case "B: from 10.99.0.60 (not configured anywhere yet): learned" b vif22.0 1 1 \
	"pass+2" udp4 --src-ip 10.99.0.60 --dst-ip $SINK_V4
online g60 60 0 00:16:3e:1a:00:60
tap_check "vif60.0 online with 10.99.0.60 configured: it is vif60.0's" \
	"0 $(vg_ifindex vif60.0) config" "$HP_RC $(owner4 10.99.0.60)" "$(cat "$VG_TMP/hotplug.out")"
vg_case "B: from 10.99.0.60 now: learn-conflict" b vif22.0 1 0 \
	"learn-conflict+1 pass+1" udp4 --src-ip 10.99.0.60 --dst-ip $SINK_V4
VG_FENCE[g60]="udp4 --src-ip 10.99.0.60 --dst-ip $SINK_V4"
vg_case "vif60.0: from its configured 10.99.0.60: passes" g60 vif60.0 1 1 \
	"pass+2" udp4 --src-ip 10.99.0.60 --dst-ip $SINK_V4
vg_case "B: its freed IPv4 slot learns again: 10.99.0.61" b vif22.0 1 1 \
	"pass+2" udp4 --src-ip 10.99.0.61 --dst-ip $SINK_V4

# ---- kill -9 of vifguard while it parks or restores ----------------------------------
# vifguard is killed at its Nth bpf() call (strace fault injection) in
# the hotplug offline that parks a first-use address, or in the online
# that restores it; the device then goes and its backend's xenstore
# nodes with it (the toolstack goes on), and gc runs.  Nothing may fail
# open (the address allowed to an interface not its VM's) and nothing
# be held for ever: after gc the address is parked and held by ifindex 0,
# or neither (forgotten: only by a kill before the offline parked it);
# a clean online of the VM then gets back what is parked.  A restore
# keeps the parked entry until the policy is in force, so one killed at
# any point forgets nothing.  KILL_STRIDE (default 7) spaces the kill points, from
# KILL_FROM (default 1); KILL_STRIDE=1 tries every one (minutes).
KILL_WRAP=$VG_TMP/vifguard-killed
cat >"$KILL_WRAP" <<'WRAP'
#!/bin/bash
# The real vifguard under strace; KILL_AT 0: every bpf() call counted.
if [ "$KILL_AT" = 0 ]; then
	strace -f -qq -e trace=bpf -o "$KILL_LOG" "$REAL" "$@"
else
	strace -f -qq -o /dev/null -e trace=bpf -e inject=bpf:signal=SIGKILL:when="$KILL_AT" \
		"$REAL" "$@"
fi
rc=$?
echo "$rc" >"$KILL_RC"
exit "$rc"
WRAP
chmod +x "$KILL_WRAP"
# hp_killed ACTION DOMID N: the hotplug ACTION of vifD.0, vifguard killed
# at its Nth bpf() call (0: counted); KRC its status (137: killed).
hp_killed() {
	local real=$VIFGUARD
	: >"$VG_TMP/kill.rc"
	VIFGUARD=$KILL_WRAP libxl_run vif-bridge "$1" "$2" 0 REAL="$real" KILL_AT="$3" \
		KILL_RC="$VG_TMP/kill.rc" KILL_LOG="$VG_TMP/kill.log"
	KRC=$(cat "$VG_TMP/kill.rc")
}
# gone DOMID: vifD.0 and its backend nodes go, as after the domain.
gone() {
	ip -n "$HOST" link del "vif$1.0" 2>/dev/null
	xenstore-rm "/local/domain/0/backend/vif/$1" 2>/dev/null
}
# state ADDR VM_DOMID: "parked|-" and learned4's owner of ADDR ("0 first",
# "none"...), the parked entry being the VM's.
state() {
	local p
	p=$(vg -j dump parked | jq -r --arg a "$1" --arg vm "$(vm_uuid "$2")" \
		'[.maps.parked[] | select(.address == $a and .vm == $vm)] | length')
	echo "$([ "$p" -gt 0 ] && echo parked || echo -) $(owner4 "$1")"
}
KILL_STRIDE=${KILL_STRIDE:-7}
printf '%s\n' "host learn=link-local,dhcp resume-window=30 first-lease=600 protect=$ROUTER4" \
	>"$VIFGUARD_CONFIG"
# kill_case WHAT N DOMID ADDR CONFIGURED: one run (the VIF configured
# with address CONFIGURED learns ADDR); appends a violation to KBAD.
kill_case() {
	local what=$1 n=$2 d=$3 a=$4 c=$5 d2=$(($3 + 1)) st m
	m=$(printf '00:16:3e:1b:%02x:%02x' $((d / 256)) $((d % 256)))
	xen_vif "k$d" "vif$d.0" "$m"
	xl_nic "$d" 0 "$m" "$c"
	libxl_run vif-bridge online "$d" 0
	VG_NOFENCE=1 vg_xfer "k$d" 1 udp4 --src-ip "$a" --dst-ip $SINK_V4
	[ "$(owner4 "$a")" = "$(vg_ifindex "vif$d.0") first" ] || {
		KBAD+=" [$what N=$n: not learned in its window: $(owner4 "$a"), $(window "vif$d.0"), $RX, online: $HP_RC $(cat "$VG_TMP/hotplug.out")]"
		KDONE=1; return; }
	if [ "$what" = park ]; then
		hp_killed offline "$d" "$n"
	else
		libxl_run vif-bridge offline "$d" 0
	fi
	gone "$d"
	if [ "$what" = restore ]; then
		[ "$(state "$a" "$d")" = "parked 0 first" ] || {
			KBAD+=" [$what N=$n: not parked before the restore: $(state "$a" "$d")]"
			KDONE=1; return; }
		xen_vif "k$d2" "vif$d2.0" "$m"
		xl_nic "$d2" 0 "$m" "$c"
		vm_of "$d2" "$d"
		hp_killed online "$d2" "$n"
		# A failed online: the toolstack takes the device down again
		# (offline) and destroys the domain.
		if [ "$KRC" != 0 ]; then
			libxl_run vif-bridge offline "$d2" 0
			gone "$d2"
		fi
	fi
	[ "$KRC" = 137 ] && KKILLED=$((KKILLED + 1)) || KDONE=1
	vg gc >/dev/null 2>&1
	st=$(state "$a" "$d")
	KSEEN[$st]=$((${KSEEN[$st]:-0} + 1))
	if [ "$st" = "- none" ]; then
		KLOST+=" $n"
		[ "$what" = restore ] && KBAD+=" [$what N=$n: forgotten]"
	fi
	case $st in
	"parked 0 first"|"- none") ;;
	*)	if [ "$what" = restore ] && [ "$KRC" = 0 ] &&
		   [ "$st" = "- $(vg_ifindex "vif$d2.0") first" ]; then
			:	# not killed: restored
		else
			KBAD+=" [$what N=$n: after gc: $st]"
		fi ;;
	esac
	if [ "${st%% *}" = parked ]; then
		xen_vif "r$d" "vif$((d + 2)).0" "$m"
		xl_nic $((d + 2)) 0 "$m" "$c"
		vm_of $((d + 2)) "$d"
		libxl_run vif-bridge online $((d + 2)) 0
		[ "$(owner4 "$a")" = "$(vg_ifindex "vif$((d + 2)).0") first" ] ||
			KBAD+=" [$what N=$n: parked, not back to its VM: $(owner4 "$a")]"
	fi
	KRUNS=$((KRUNS + 1))
}
for what in park restore; do
	KBAD= KDONE= KRUNS=0 KKILLED=0 KLOST=
	declare -A KSEEN=()
	base=$([ $what = park ] && echo 1000 || echo 2000)
	for ((n = ${KILL_FROM:-1}, k = 1; !KDONE && k < 250; n += KILL_STRIDE, k++)); do
		kill_case $what $n $((base + k * 3)) "10.99.$((base / 1000 + 1)).$k" \
			"10.99.$((base / 1000 + 3)).$k"
	done
	echo "# kill -9 while it ${what}s: $KRUNS runs, $KKILLED killed; after gc:$(
		for k in "${!KSEEN[@]}"; do printf ' "%s" %s' "$k" "${KSEEN[$k]}"; done); forgotten at N:${KLOST:- none}"
	tap_check "kill -9 while it ${what}s: killed at every point but the last, nothing open, nothing held for ever" \
		"$((KRUNS - 1))" "$KKILLED$KBAD"
done

# What a restore killed between its owner entries and the policy's
# publication leaves (KILL_STRIDE=1 finds it): the VM's parked entry,
# and its address's owner entry naming an interface that never came
# into force.  gc gives it back to nobody (ifindex 0) while parked, as
# every parked address is held, and the interface's slot goes: no
# window may learn it until the VM returns.
# first_user DOMID MAC ADDR: vifDOMID.0 of a new VM, 10.99.6.DOMID
# configured, comes online and learns ADDR on first use in its window.
first_user() {
	xen_vif "k$1" "vif$1.0" "$2"
	xl_nic "$1" 0 "$2" "10.99.6.$1"
	libxl_run vif-bridge online "$1" 0
	VG_NOFENCE=1 vg_xfer "k$1" 1 udp4 --src-ip "$3" --dst-ip $SINK_V4
}
first_user 90 00:16:3e:1a:00:90 10.99.6.91
libxl_run vif-bridge offline 90 0
gone 90
before=$(state 10.99.6.91 90)
vg_lease4_put 4000 0 10.99.6.91 4 "$(vg_mono_ns 600)"
vg gc >/dev/null 2>&1
after=$(state 10.99.6.91 90)
tap_check "a parked address whose owner names a gone interface: held again by gc" \
	"parked 0 first, parked 0 first, slot none" \
	"$before, $after, slot $(vg -j dump lease_slots | jq -r '[.maps.lease_slots[] | select(.ifindex == 4000)] | if length == 0 then "none" else length end')"

# What a park killed between its parked entry and its owner entry
# leaves (KILL_STRIDE=1 finds it): the parked entry, and the owner entry
# still naming the interface, which then goes with its xenstore nodes
# (no identity left to park under).  gc removes the interface's state
# and holds the address for nobody, as its parked entry says, instead of
# freeing it for any window to learn.
first_user 93 00:16:3e:1a:00:93 10.99.6.94
park_put 93 0 00:16:3e:1a:00:93 10.99.6.94 4 "$(vg_mono_ns 600)"
before=$(state 10.99.6.94 93)
ifx=$(vg_ifindex vif93.0)
gone 93
out=$(vg gc 2>&1)
tap_check "a parked address whose owner names an interface that went unparked: held for nobody by gc" \
	"parked $ifx first, exit 0, parked 0 first" "$before, exit $?, $(state 10.99.6.94 93)" "$out"

# What a restore killed before its commit leaves when the VM is started
# again before any gc (the toolstack retries at once, a new domain, a new
# ifindex): the VM's parked entry, and its address's owner entry naming
# the interface that never came into force (here 4001, gone).  No
# interface in force holds the address: the VM's new interface takes it.
M95=00:16:3e:1a:00:95
first_user 95 $M95 10.99.6.96
libxl_run vif-bridge offline 95 0
gone 95
vg_lease4_put 4001 0 10.99.6.96 4 "$(vg_mono_ns 600)"
before=$(state 10.99.6.96 95)
xen_vif k96 vif96.0 $M95
xl_nic 96 0 $M95 10.99.6.95
vm_of 96 95
libxl_run vif-bridge online 96 0
tap_check "a restore stopped before its commit, the VM back before gc: its address back" \
	"parked 4001 first, 0, - $(vg_ifindex vif96.0) first" \
	"$before, $HP_RC, $(state 10.99.6.96 95)" "$(cat "$VG_TMP/hotplug.out")"

# ---- privacy extensions: a real guest's temporary addresses --------------------
# A Linux guest with use_tempaddr=2 makes a new temporary address a day
# and keeps the old ones, deprecated, for a week; here a "day" is
# DAY seconds (temp_prefered_lft) and a week 7 of them.  It sends a
# datagram each second from the address its kernel picks.  What a user
# needs: its IPv6 keeps working.  A first-use address stays while it is
# used and ends host first-lease= (here FIRST_LEASE s, a day by default)
# after its last use at most, freeing its slot: the guest uses more
# addresses than its 4 IPv6 slots, each new one is learned, none is
# refused.
DAY=6
FIRST_LEASE=4
PRIV=fd00:99:5
printf '%s\n' "host learn=link-local,dhcp resume-window=30 first-lease=$FIRST_LEASE protect=$ROUTER4" \
	>"$VIFGUARD_CONFIG"
run_sync
tap_check "sync puts first-lease=$FIRST_LEASE in force" "0 $FIRST_LEASE" \
	"$SYNC_RC $(vg -j dump learn_cfg | jq -r '.maps.learn_cfg[0].first_lease_s')" "$(out)"
vg_guest p vif24.0 02:00:00:00:1a:24
gx p sysctl -qw net.ipv6.conf.eth0.use_tempaddr=2 net.ipv6.conf.eth0.temp_prefered_lft=$DAY \
	net.ipv6.conf.eth0.temp_valid_lft=$((DAY * 7)) net.ipv6.conf.eth0.max_desync_factor=0 \
	net.ipv6.conf.eth0.dad_transmits=0 net.ipv6.conf.eth0.accept_dad=0 \
	net.ipv6.conf.eth0.accept_ra=0
out=$(vg attach vif24.0 --mac 02:00:00:00:1a:24 --ipv4 10.99.0.24 --learn first 2>&1)
tap_check "attach vif24.0 --learn first (a privacy-extensions guest)" "exit 0" "exit $?" "$out"
vg_up p
gx p ip -6 addr add $PRIV::24/64 dev eth0 mngtmpaddr
gx p ip -6 neigh replace $PRIV::1 lladdr $SINK_MAC dev eth0 nud permanent
sx ip -6 addr add $PRIV::1/64 dev sink0 nodad
# priv_send: one datagram from the source the guest's kernel picks:
# src, and full, the learn-full drops it made.
priv_send() {
	src=$(gx p ip -6 route get $PRIV::1 | grep -o 'src [^ ]*' | cut -d' ' -f2)
	vg_stats vif24.0
	local before=${STATS[learn-full]:-0}
	gx p bash -c "echo x >/dev/udp/$PRIV::1/9" 2>/dev/null
	sleep 0.3
	vg_stats vif24.0
	full=$((${STATS[learn-full]:-0} - before))
}
refused_at=
srcs=()
for ((t = 0; t < DAY * 9; t++)); do
	priv_send
	[[ " ${srcs[*]} " == *" $src "* ]] || srcs+=("$src")
	if [ -z "$refused_at" ] && [ "$full" -gt 0 ]; then
		refused_at=$t
		refused_nth=${#srcs[@]}
	fi
	sleep 0.7
done
priv_send
held=$(vg -j show vif24.0 | jq -r '[.interfaces[0].learned[]? | select(.address | startswith("'$PRIV':")) | .address] | length')
live=$(gx p ip -6 -o addr show dev eth0 temporary | grep -c "$PRIV")
echo "# privacy: ${#srcs[@]} source addresses in $((DAY * 9)) s (a day: $DAY s);" \
	"first refused (learn-full): address ${refused_nth:-none} at ${refused_at:-never} s (day $(( ${refused_at:-0} / DAY + 1 )));" \
	"day 10: vifguard holds $held of them, the guest has $live temporaries left," \
	"its current source $src: learn-full +$full"
tap_check "privacy-extensions guest: every address it used passed, more than 4 of them" \
	"refused none, more than 4" \
	"refused ${refused_at:-none}, $([ ${#srcs[@]} -gt 4 ] && echo more than 4 || echo only ${#srcs[@]})"
tap_check "privacy-extensions guest: its current source passes on day 10" "learn-full +0, held <= 4" \
	"learn-full +$full, held $([ "$held" -le 4 ] && echo "<= 4" || echo "$held")"

tap_done
