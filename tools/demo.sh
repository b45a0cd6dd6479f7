#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# `make demo`: vifguard on a simulated Xen host, no Xen needed.  A "dom0"
# network namespace holds a bridge and the guests' backend interfaces
# (vif1.0, vif2.0, vif3.0, named as netback names them); each guest and
# a gateway live in namespaces of their own.  Policies are attached,
# legitimate traffic flows, one guest attacks, and every line says what
# was tried and what came out at the gateway.  Everything is removed at
# the end, also on Ctrl-C or failure.  Run as root.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
OUTPUT=${OUTPUT:-$TOP/build}
VIFGUARD=${VIFGUARD:-$OUTPUT/vifguard}
VGPKT=${VGPKT:-$OUTPUT/vgpkt}

ID=vgdemo$$
DOM0=$ID-dom0
GW=$ID-gw
TMP=
ROOT=
NETNS=()
LEAKED=0

GW_MAC=02:00:00:00:00:01
declare -A MAC=([web]=00:16:3e:00:00:01 [db]=00:16:3e:00:00:02
		[mallory]=00:16:3e:00:00:03)
declare -A VIF=([web]=vif1.0 [db]=vif2.0 [mallory]=vif3.0)
declare -A V4=([web]=10.0.0.11 [db]=10.0.0.12 [mallory]=10.0.0.13)
declare -A V6=([web]=fd00::11 [db]=fd00::12 [mallory]=fd00::13)

if [ -t 1 ]; then
	B=$'\e[1m' G=$'\e[32m' R=$'\e[31m' N=$'\e[0m'
else
	B= G= R= N=
fi

cleanup() {
	local i
	trap - EXIT INT TERM HUP
	for ((i = ${#NETNS[@]} - 1; i >= 0; i--)); do
		ip netns del "${NETNS[i]}" 2>/dev/null
	done
	if [ -n "$ROOT" ] && mountpoint -q "$ROOT"; then
		umount "$ROOT"
	fi
	[ -n "$TMP" ] && rm -rf "$TMP"
	echo "cleaned up: namespaces, bridge, interfaces and pinned maps removed"
}

die() {
	echo "demo: $*" >&2
	exit 1
}

# nsenter rather than `ip netns exec` / `ip -n`: those remount / and /sys
# in a new mount namespace, which fails where / is not a mount point (a
# plain chroot); entering the network namespace is all we need.
in_ns() { local ns=$1; shift; nsenter --net="/run/netns/$ns" "$@"; }
guest() { local g=$1; shift; in_ns "$ID-$g" "$@"; }
vifguard() { in_ns "$DOM0" "$VIFGUARD" -r "$ROOT" "$@"; }

netns() {
	ip netns add "$1" || die "cannot create network namespace $1"
	NETNS+=("$1")
	in_ns "$1" ip link set lo up
}

setup() {
	local g
	TMP=$(mktemp -d /run/vifguard-demo.XXXXXX) || die "mktemp failed"
	ROOT=$TMP/bpf
	mkdir -p "$ROOT"
	mount -t bpf -o mode=0700 bpf "$ROOT" || die "cannot mount a bpf filesystem"

	netns "$DOM0"
	in_ns "$DOM0" true || die "cannot enter a network namespace (nsenter)"
	in_ns "$DOM0" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	in_ns "$DOM0" ip link add xenbr0 type bridge stp_state 0 mcast_snooping 0
	# Only vifguard drops here: no iptables on bridged frames.
	for g in iptables ip6tables arptables; do
		in_ns "$DOM0" sysctl -qw "net.bridge.bridge-nf-call-$g=0" 2>/dev/null
	done
	in_ns "$DOM0" ip link set xenbr0 up

	netns "$GW"
	in_ns "$DOM0" ip link add uplink type veth peer name eth0 netns "$GW"
	in_ns "$DOM0" ip link set uplink master xenbr0 up
	in_ns "$GW" ip link set eth0 address $GW_MAC
	in_ns "$GW" ip addr add 10.0.0.1/24 dev eth0
	in_ns "$GW" ip addr add fd00::1/64 dev eth0 nodad
	in_ns "$GW" ip link set eth0 up

	for g in web db mallory; do
		netns "$ID-$g"
		guest $g sysctl -qw net.ipv6.conf.default.accept_dad=0
		in_ns "$DOM0" ip link add "${VIF[$g]}" type veth peer name eth0 \
			netns "$ID-$g"
		in_ns "$ID-$g" ip link set eth0 address "${MAC[$g]}"
		in_ns "$DOM0" ip link set "${VIF[$g]}" address fe:ff:ff:ff:ff:ff \
			master xenbr0 up
	done
}

# Counters of one interface as "reason=N" lines.
counters() {
	vifguard -j stats "$1" | jq -r '(if type == "array" then .[] else . end)
		| (.interfaces // [.]) | .[] | .counters | to_entries[]
		| "\(.key)=\(.value)"'
}

# One column per interface, one row per counter that is not zero
# anywhere, in the order of the reason list, from `vifguard -j stats`.
stats_table() {
	local g names=()
	for g in web db mallory; do names+=("${VIF[$g]}=$g"); done
	vifguard -j stats | jq -r --arg names "${names[*]}" '
		($names | split(" ") | map(split("=") | {(.[0]): .[1]}) | add)
			as $who
		| .interfaces as $i
		| [$i[0].counters | keys_unsorted[]
		   | select(. as $k | any($i[]; .counters[$k] > 0))] as $rows
		| (["", ($i[] | .ifname)] | @tsv),
		  (["", ($i[] | "(" + ($who[.ifname] // "?") + ")")] | @tsv),
		  ($rows[] as $r | [$r, ($i[] | .counters[$r])] | @tsv),
		  (["dropped, all reasons", ($i[] | .dropped)] | @tsv)' |
		awk -F'\t' '{ printf "  %-22s", $1
			for (i = 2; i <= NF; i++) printf "%12s", $i
			printf "\n" }'
}

# Reasons whose counters moved between two counters() outputs.
moved() {
	join -t= -a2 <(sort <<<"$1") <(sort <<<"$2") |
		awk -F= '{ d = ($3 == "" ? $2 : $3 - $2) }
			 d > 0 && $1 != "pass" { printf "%s%s", sep, $1; sep = ", " }'
}

SEQ=0
# attack DESCRIPTION KIND [FIELDS...]: 5 frames from mallory, counted at
# the gateway.
attack() {
	local what=$1 m before after got why i
	shift
	SEQ=$((SEQ + 1))
	m=$(((($$ & 0x7fff) << 16) | SEQ))
	before=$(counters vif3.0)
	in_ns "$GW" "$VGPKT" recv -i eth0 -m $m -t 600 -r "$TMP/ready.$m" \
		--count-only >"$TMP/rx.$m" &
	for ((i = 0; i < 500; i++)); do
		[ -e "$TMP/ready.$m" ] && break
		sleep 0.01
	done
	guest mallory "$VGPKT" send -i eth0 -c 5 -m $m "$@" ||
		die "vgpkt send $* failed"
	wait $!
	got=$(cat "$TMP/rx.$m")
	after=$(counters vif3.0)
	why=$(moved "$before" "$after")
	if [ "$got" = 0 ]; then
		printf "  ${G}BLOCKED${N}  %-46s reached gw 0/5  dropped as %s\n" \
			"$what" "${why:-?}"
	else
		printf "  ${R}LEAKED${N}   %-46s reached gw %s/5\n" "$what" "$got"
		LEAKED=1
	fi
}

# legit GUEST DESCRIPTION COMMAND...: runs COMMAND in the guest.
legit() {
	local g=$1 what=$2 out
	shift 2
	if out=$(guest "$g" "$@" 2>&1); then
		printf "  ${G}OK${N}       %-8s %-46s %s\n" "$g" "$what" \
			"$(grep -o '[0-9]* received' <<<"$out" | head -1)"
	else
		printf "  ${R}FAILED${N}   %-8s %s\n" "$g" "$what"
		LEAKED=1
	fi
}

[ "$(id -u)" = 0 ] || die "run as root (it creates namespaces and loads BPF)"
[ -x "$VIFGUARD" ] && [ -x "$VGPKT" ] || die "build first: make"
trap cleanup EXIT
trap 'echo; echo "interrupted"; exit 130' INT TERM HUP

echo "${B}vifguard demo${N}: a dom0 with bridge xenbr0, guests web (vif1.0),"
echo "db (vif2.0) and mallory (vif3.0), and a gateway 10.0.0.1 / fd00::1;"
echo "all network namespaces on this machine, no Xen involved."
setup

echo
echo "${B}1. policies${N} (what the toolstack would pass at hotplug)"
for g in web db mallory; do
	args=(attach "${VIF[$g]}" --mac "${MAC[$g]}" --ipv4 "${V4[$g]}"
	      --ipv6 "${V6[$g]}")
	echo "  # vifguard ${args[*]}"
	out=$(vifguard "${args[@]}" 2>&1) || die "attach failed: $out"
	in_ns "$ID-$g" ip addr add "${V4[$g]}/24" dev eth0
	in_ns "$ID-$g" ip addr add "${V6[$g]}/64" dev eth0
	in_ns "$ID-$g" ip link set eth0 up
done

echo
echo "${B}2. legitimate traffic${N} (must all work)"
legit web "ping 10.0.0.1 (ARP resolves the gateway)" \
	ping -c 3 -i 0.2 -W 2 10.0.0.1
legit db "ping6 fd00::1 (neighbour discovery)" \
	ping -6 -c 3 -i 0.2 -W 2 fd00::1
legit db "ping6 fe80::ff:fe00:1 (link-local, EUI-64)" \
	ping -6 -c 3 -i 0.2 -W 2 -I eth0 fe80::ff:fe00:1
legit mallory "ping 10.0.0.1 from its own address" \
	ping -c 3 -i 0.2 -W 2 10.0.0.1
gw_mac=$(in_ns "$ID-web" ip -j neigh show 10.0.0.1 | jq -r '.[0].lladdr // "none"')

echo
echo "${B}3. attacks from mallory${N} (vif3.0), 5 frames each, counted at the gateway"
attack "MAC spoof: frames with web's source MAC" \
	udp4 --src-mac "${MAC[web]}" --src-ip 10.0.0.11 --dst-ip 10.0.0.1
attack "IP spoof: UDP from web's 10.0.0.11" \
	udp4 --src-ip 10.0.0.11 --dst-ip 10.0.0.1 --dst-mac $GW_MAC
attack "ARP poisoning: \"10.0.0.1 is at mallory\"" \
	arp --op 2 --spa 10.0.0.1 --tpa 10.0.0.11
attack "ARP poisoning: web's MAC as sender" \
	arp --op 2 --sha "${MAC[web]}" --spa 10.0.0.13 --tpa 10.0.0.1
attack "IPv6 spoof: UDP from db's fd00::12" \
	udp6 --src-ip fd00::12 --dst-ip fd00::1 --dst-mac $GW_MAC
attack "ND spoof: \"fd00::1 is at mallory\" (NA)" \
	na --target fd00::1 --na-flags O
attack "rogue router advertisement fd00:bad::/64" \
	ra --prefix fd00:bad::/64
attack "rogue DHCP server offer" \
	dhcp --op 2 --src-ip 10.0.0.13
attack "rogue DHCP offer from port 1067 (not 67)" \
	dhcp --op 2 --src-ip 10.0.0.13 --sport 1067
attack "DHCP starvation: DISCOVER for another MAC" \
	dhcp --chaddr 02:16:3e:de:ad:01
attack "address conflict: ARP probe for web's address" \
	arp --op 1 --spa 0.0.0.0 --tpa 10.0.0.11
attack "multicast querier: IGMP query" \
	igmp --src-ip 10.0.0.13
attack "VLAN hopping: 802.1Q tag 10" \
	udp4 --src-ip 10.0.0.13 --vlan 10

echo
echo "${B}4. what the others saw${N}"
now=$(in_ns "$ID-web" ip -j neigh show 10.0.0.1 | jq -r '.[0].lladdr // "none"')
echo "  web's ARP entry for 10.0.0.1: $now (gateway's MAC: $GW_MAC)"
[ "$now" = "$gw_mac" ] || LEAKED=1
bad=$(in_ns "$ID-db" ip -6 addr show | grep -c 'fd00:bad:')
echo "  db's addresses from fd00:bad::/64 (the rogue RA): $bad"
[ "$bad" = 0 ] || LEAKED=1

echo
echo "${B}5. counters${N}: frames per interface, passed and dropped per reason"
stats_table
echo "  (the same numbers: vifguard stats, or vifguard -j stats for JSON)"

echo
if [ "$LEAKED" = 0 ]; then
	echo "${G}every attack was dropped at vif3.0, legitimate traffic flowed${N}"
else
	echo "${R}something leaked or failed: see the lines above${N}"
fi
exit $LEAKED
