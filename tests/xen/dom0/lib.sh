# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=bash
#
# Helpers for the scenarios that run inside the lab's dom0.  A scenario is
# an executable under /lab/scen/ that exits 0 (pass), 77 (skip) or anything
# else (fail); its last "why: ..." line is the reason the runner reports.
# Each check prints "  ok: ..." or "  FAIL: ... expected X, got Y", so the
# serial log shows every step.

export PATH=/lab/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LAB_CON=/var/log/xen/console
LAB_FAILS=0
LAB_CLEANUPS=()

say() { echo "$*"; }
info() { echo "@@VGLAB INFO $*"; }
why() { echo "why: $*"; }
die() { why "$*"; exit 1; }
skip() { why "$*"; exit 77; }

# check NAME EXPECTED ACTUAL: equality, counted; scenarios end with
# lab_end, which fails the scenario if any check failed.
check()
{
	if [ "$2" = "$3" ]; then
		echo "  ok: $1 ($3)"
	else
		echo "  FAIL: $1: expected $2, got $3"
		why "$1: expected $2, got $3"
		LAB_FAILS=$((LAB_FAILS + 1))
	fi
}

# check_ge NAME MIN ACTUAL
check_ge()
{
	if [ "$3" -ge "$2" ] 2>/dev/null; then
		echo "  ok: $1 ($3 >= $2)"
	else
		echo "  FAIL: $1: expected at least $2, got $3"
		why "$1: expected at least $2, got $3"
		LAB_FAILS=$((LAB_FAILS + 1))
	fi
}

lab_end()
{
	[ "$LAB_FAILS" = 0 ] || exit 1
	exit 0
}

# at_exit CMD...: run at scenario exit, last registered first.
at_exit() { LAB_CLEANUPS=("$*" "${LAB_CLEANUPS[@]}"); }

# lab_network_conf BACKEND: /etc/xensource/network.conf as XAPI writes it
# ("bridge" or "openvswitch"), for this scenario only.
lab_network_conf()
{
	mkdir -p /etc/xensource
	echo "$1" >/etc/xensource/network.conf
	at_exit "rm -f /etc/xensource/network.conf"
}
lab_cleanup()
{
	local c
	# Guests go first, while their bridges still exist: Xen's offline
	# scripts fail on a missing bridge and then skip their hooks.
	lab_destroy_all
	for c in "${LAB_CLEANUPS[@]}"; do
		eval "$c" >/dev/null 2>&1 || :
	done
}
trap lab_cleanup EXIT

# lab_destroy_all: destroys every guest and waits until their vifs are
# gone (the offline scripts have run).
lab_destroy_all()
{
	local d i
	for d in $(xl list 2>/dev/null | awk 'NR > 2 { print $1 }'); do
		xl destroy "$d" >/dev/null 2>&1
	done
	for i in $(seq 30); do
		set -- /sys/class/net/vif*
		[ -e "$1" ] || break
		sleep 1
	done
}

# need CMD: a product piece the scenario relies on.
need()
{
	command -v "$1" >/dev/null 2>&1 || [ -e "$1" ] ||
		die "$1 is not installed in dom0 (make install did not provide it)"
}

# lab_bridge NAME ADDR/LEN: a Linux bridge with dom0 on it.
lab_bridge()
{
	ip link add "$1" type bridge || die "cannot create bridge $1"
	at_exit "ip link del $1"
	ip addr add "$2" dev "$1"
	# Flood all multicast to every port: the sink must see each frame.
	ip link set "$1" type bridge mcast_snooping 0
	ip link set "$1" up
}

# lab_guest NAME SCENARIO VIFSPEC [vg.KEY=VALUE...]: starts a PV busybox
# guest that runs guest/scen/SCENARIO; prints its domid.  LAB_XLCFG adds
# lines to its xl config.  xl returns once
# the hotplug scripts have run and the guest is unpaused.
lab_guest()
{
	local name=$1 scen=$2 vif=$3 cfg=/run/vglab/$1.cfg
	shift 3
	mkdir -p /run/vglab
	rm -f "$LAB_CON/guest-$name.log"
	cat >"$cfg" <<-EOF
	name = "$name"
	type = "pv"
	kernel = "/boot/vmlinuz"
	ramdisk = "/lab/guest.cpio"
	extra = "console=hvc0 quiet vg.scen=$scen $*"
	memory = 128
	vcpus = 1
	vif = [ '$vif' ]
	on_poweroff = "destroy"
	on_reboot = "restart"
	on_crash = "destroy"
	${LAB_XLCFG:-}
	EOF
	if ! xl create -q "$cfg" >"/run/vglab/$name.create" 2>&1; then
		cat "/run/vglab/$name.create" >&2
		return 1
	fi
	xl domid "$name"
}

# lab_console NAME: the guest's console so far, without carriage returns.
lab_console() { tr -d '\r' <"$LAB_CON/guest-$1.log" 2>/dev/null; }

# lab_wait NAME PATTERN SECONDS: wait until the guest's console shows an
# (extended) regexp; 1 on timeout.
lab_wait()
{
	local i=0
	while ! lab_console "$1" | grep -Eq "$2"; do
		i=$((i + 1))
		[ $i -le "$3" ] || return 1
		sleep 1
	done
}

# lab_gval NAME KEY: the last value the guest reported as "VGG KEY=VALUE".
lab_gval()
{
	lab_console "$1" | sed -n "s/.*VGG $2=//p" | tail -n 1
}

# lab_show_console NAME: the guest's console, for the serial log.
lab_show_console()
{
	echo "--- console of $1 ---"
	lab_console "$1" | grep -v '^$' | tail -n "${2:-40}"
	echo "---"
}

# lab_vif DOMID [DEVID]: the backend netdev of a PV vif.
lab_vif() { echo "vif$1.${2:-0}"; }

# ---- talking to a guest's agent (guest/scen/agent) -----------------------

LAB_SEQ=0

# lab_cmd NAME SECONDS COMMAND...: types COMMAND on the guest's console and
# waits for its status; LAB_OUT holds its output.  Returns the command's
# status, or 124 when the guest did not answer in time.
lab_cmd()
{
	local name=$1 secs=$2 domid tty id
	shift 2
	LAB_SEQ=$((LAB_SEQ + 1))
	id=c$LAB_SEQ
	LAB_OUT=
	domid=$(xl domid "$name" 2>/dev/null) || return 124
	tty=$(xenstore-read "/local/domain/$domid/console/tty" 2>/dev/null) || return 124
	printf '%s %s\n' "$id" "$*" >"$tty" || return 124
	if ! lab_wait "$name" "VGG done\\.$id=" "$secs"; then
		echo "  (no answer from $name to: $*)"
		return 124
	fi
	LAB_OUT=$(lab_console "$name" | sed -n "s/^VGO $id //p")
	return "$(lab_gval "$name" "done\\.$id")"
}

# lab_wait_count NAME PATTERN COUNT SECONDS: until PATTERN has appeared
# COUNT times on the console (a reboot repeats the boot lines).
lab_wait_count()
{
	local i=0
	while [ "$(lab_console "$1" | grep -Ec "$2")" -lt "$3" ]; do
		i=$((i + 1))
		[ $i -le "$4" ] || return 1
		sleep 1
	done
}

# ---- what reaches the bridge ---------------------------------------------

LAB_SINK=vgsink1
LAB_RX=()

# lab_sink BRIDGE [ovs]: a veth pair whose one end is a port of BRIDGE
# (Linux bridge, or Open vSwitch with "ovs"); the other end, vgsink1, is
# where dom0 listens to what the bridge floods.
lab_sink()
{
	ip link add vgsink0 type veth peer name vgsink1 || die "cannot create the sink veth"
	at_exit "ip link del vgsink0"
	sysctl -qw net.ipv6.conf.vgsink0.disable_ipv6=1 net.ipv6.conf.vgsink1.disable_ipv6=1
	if [ "${2:-}" = ovs ]; then
		ovs-vsctl add-port "$1" vgsink0 || die "cannot add vgsink0 to $1"
	else
		ip link set vgsink0 master "$1" || die "cannot add vgsink0 to $1"
	fi
	ip link set vgsink0 up
	ip link set vgsink1 up
}

# lab_listen SECONDS FENCE MARKER...: one counter per marker on the sink,
# each stopping when the FENCE frame arrives (FENCE 0: after SECONDS).
# Returns once every counter is listening.
lab_listen()
{
	local secs=$1 fence=$2 m i
	shift 2
	LAB_RX=()
	rm -f /run/vglab/rx.* /run/vglab/ready.*
	for m in "$@"; do
		if [ "$fence" = 0 ]; then
			vgpkt recv -i "$LAB_SINK" -m "$m" -t $((secs * 1000)) --count-only \
				-r "/run/vglab/ready.$m" >"/run/vglab/rx.$m" 2>&1 &
		else
			vgpkt recv -i "$LAB_SINK" -m "$m" -f "$fence" -t $((secs * 1000)) \
				--count-only -r "/run/vglab/ready.$m" >"/run/vglab/rx.$m" 2>&1 &
		fi
		LAB_RX+=($!)
	done
	for m in "$@"; do
		i=0
		while [ ! -e "/run/vglab/ready.$m" ]; do
			i=$((i + 1))
			# Dozens of counters start at once, slowly on a busy host.
			[ $i -lt 900 ] || die "the counter for marker $m did not start in 90 s"
			sleep 0.1
		done
	done
}

# lab_collect: waits for the counters of lab_listen; 1 if one of them
# never saw its fence (then the path itself is broken, not the filter).
lab_collect()
{
	local p rc=0
	for p in "${LAB_RX[@]}"; do
		wait "$p" || rc=1
	done
	LAB_RX=()
	return $rc
}

# lab_rx MARKER: how many frames tagged MARKER reached the sink.
lab_rx() { head -n 1 "/run/vglab/rx.$1" 2>/dev/null | grep -E '^[0-9]+$' || echo none; }

# lab_stats IFACE: "reason count" lines from `vifguard -j stats`, the
# reason named as in the case table (its JSON key has '_' for '-').
lab_stats()
{
	vifguard -j stats "$1" 2>/dev/null |
		jq -r '.interfaces[0].counters | to_entries[] | "\(.key | gsub("_"; "-")) \(.value)"'
}

# lab_show IFACE: the policy vifguard holds for IFACE, one line:
# "MODE mac=M ipv4=A,B ipv6=C method=cls_bpf on_device=true".
lab_show()
{
	vifguard -j show "$1" 2>/dev/null | jq -r '.interfaces[0] //empty |
		"\(.mode) mac=\(.macs | join(",")) ipv4=\(.ipv4 | join(",")) ipv6=\(.ipv6 | join(",")) on_device=\(.attach.on_device)"'
}

# lab_cases: the case table, one "INDEX|NAME|EXPECTED" per case.
lab_cases()
{
	awk -F'|' '/^[^#]/ && NF >= 3 { print n++ "|" $1 "|" $2 }' /lab/cases
}

# lab_check_cases GUEST IFACE N BASE: the guest (an agent) sends N frames
# of every case of the table (markers BASE + index) and a fence (BASE +
# 0xff); every "pass" case must arrive N times on the sink and every other
# case not at all, and `vifguard stats IFACE` must have counted exactly N
# drops per case under its reason.
lab_check_cases()
{
	local g=$1 vif=$2 n=$3 base=$4 fence=$(($4 + 255)) markers=() idx name exp
	local -A want=() got=()
	local r c npass=0
	while IFS='|' read -r idx name exp; do
		markers+=($((base + idx)))
	done < <(lab_cases)
	lab_listen 240 "$fence" "${markers[@]}"
	lab_cmd "$g" 240 run_cases "$n" "$base" "$fence"
	r=$?
	[ $r = 0 ] || printf '%s\n' "$LAB_OUT"
	check "guest sent every case" 0 $r
	lab_collect || check "the fence (legitimate UDP) reached the sink" yes no
	while IFS='|' read -r idx name exp; do
		if [ "$exp" = pass ]; then
			check "passes: $name" "$n" "$(lab_rx $((base + idx)))"
			npass=$((npass + n))
		else
			check "dropped ($exp): $name" 0 "$(lab_rx $((base + idx)))"
			want[$exp]=$((${want[$exp]:-0} + n))
		fi
	done < <(lab_cases)
	while read -r r c; do got[$r]=$c; done < <(lab_stats "$vif")
	[ ${#got[@]} -gt 0 ] || { check "vifguard stats $vif" "counters" "none"; return; }
	for r in "${!got[@]}"; do
		[ "$r" != pass ] || continue
		check "vifguard stats $vif: $r" "${want[$r]:-0}" "${got[$r]}"
	done
	# The guest's kernel adds its own legitimate frames (ARP) to pass.
	check_ge "vifguard stats $vif: pass" $((npass + 3)) "${got[pass]:-0}"
}

# lab_diag NAME: what Xen says about a guest and its vifs, for the serial
# log of a failed scenario.
lab_diag()
{
	local d
	d=$(xl domid "$1" 2>/dev/null)
	echo "--- diagnostics for $1 (domain ${d:-none}) ---"
	xl list 2>&1
	[ -z "$d" ] || xl network-list "$1" 2>&1
	[ -z "$d" ] || xenstore-ls -f "/local/domain/0/backend/vif/$d" 2>&1 | head -n 60
	tail -n 30 /var/log/xen/xen-hotplug.log 2>/dev/null
	tail -n 30 "/var/log/xen/xl-$1.log" 2>/dev/null
	ip -br link 2>&1
	vifguard show 2>&1 | head -n 30
	tail -n 20 /var/log/messages 2>/dev/null
	lab_show_console "$1" 30
}

# lab_map_ifindexes: "MAP IFINDEX" for every entry of vifguard's pinned
# per-interface maps (hash and LPM: keys are the ifindex or start with it;
# the "policy" array: used entries, whose value starts with it).
lab_map_ifindexes()
{
	local m t out
	for m in "${VIFGUARD_ROOT:-/sys/fs/bpf/vifguard}"/*; do
		[ -e "$m" ] || continue
		# Programs, and protected6: host-wide addresses (routers', the
		# bridge's), no interface's; parked: keyed by VM, and its
		# addresses show in learned4/learned6 as ifindex 0.
		case ${m##*/} in prog|prog_out|tcx_*|protected6|parked) continue ;; esac
		# A failure must show in the result, not look like an empty map.
		if ! out=$(bpftool -j map show pinned "$m" 2>&1); then
			echo "${m##*/} error:$(tr -s ' \n' ' ' <<<"$out")"
			continue
		fi
		t=$(jq -r .type <<<"$out")
		case $t in
		hash|percpu_hash|lpm_trie|lru_hash) ;;
		array) [ "${m##*/}" = policy ] || continue ;;
		*) continue ;;
		esac
		if ! out=$(bpftool -j map dump pinned "$m" 2>&1); then
			echo "${m##*/} error:$(tr -s ' \n' ' ' <<<"$out")"
			continue
		fi
		if [ "$t" = array ]; then
			# Used entries (live or retired) start with their ifindex.
			jq -r <<<"$out" '.[]? | (.formatted.value.ifindex? // "unformatted") |
				select(. != 0) | "policy \(.)"'
			continue
		fi
		# learned4 and learned6 are keyed by address: their value names
		# the interface.
		jq -r --arg m "${m##*/}" <<<"$out" \
			'.[]? | (if $m == "learned6" or $m == "learned4" then .formatted.value?
				 else .formatted.key? end) as $f |
			if ($f | type) == "object" then $f.ifindex
			elif ($f | type) == "number" then $f else "unformatted" end |
			"\($m) \(.)"'
	done | sort -u
}

# lab_ifindexes_in_maps: the distinct ifindexes in vifguard's maps (0:
# addresses parked for a VM, held by no interface).
lab_ifindexes_in_maps()
{
	lab_map_ifindexes | awk '$2 ~ /^error/ { print; next } { print $2 }' | sort -u | sort -n | xargs
}

# lab_probe GUEST IFACE N GOOD BAD BASE [GUEST_IF]: the guest sends N UDP
# frames from BAD (marker BASE) and N from GOOD (BASE + 1), then a fence
# from GOOD; checks that only the GOOD ones reached the sink.
lab_probe()
{
	local g=$1 vif=$2 n=$3 good=$4 bad=$5 base=$6 gif=${7:-eth0}
	lab_listen 120 $((base + 255)) "$base" $((base + 1))
	lab_cmd "$g" 120 "send $n $base udp4 --src-ip $bad -i $gif &&" \
		"send $n $((base + 1)) udp4 --src-ip $good -i $gif &&" \
		"fence $((base + 255)) $good -i $gif"
	check "$g via $vif: the guest sent" 0 $?
	lab_collect || check "$g via $vif: the fence reached the sink" yes no
	check "$g via $vif: frames from $good on the bridge" "$n" "$(lab_rx $((base + 1)))"
	check "$g via $vif: frames from $bad on the bridge" 0 "$(lab_rx "$base")"
}

# lab_probe_none GUEST IFACE N SRC BASE: the guest sends N UDP frames from
# SRC (marker BASE); none may reach the sink within 10 s.
lab_probe_none()
{
	local g=$1 vif=$2 n=$3 src=$4 base=$5
	lab_listen 10 0 "$base"
	lab_cmd "$g" 60 send "$n" "$base" udp4 --src-ip "$src"
	check "$g via $vif: the guest sent" 0 $?
	lab_collect
	check "$g via $vif: frames from $src on the bridge" 0 "$(lab_rx "$base")"
}

# ---- XAPI, as xenopsd leaves it in xenstore ------------------------------

# xapi_vif VM-UUID DEVID VIF-UUID MAC BRIDGE: the private keys xenopsd
# writes for a VIF (dom0-only nodes, as xenopsd's are).
xapi_vif()
{
	local p=/xapi/$1/private/vif/$2
	xenstore-write "$p/vif-uuid" "$3" "$p/mac" "$4" "$p/bridge" "$5" \
		"$p/network-uuid" 1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d \
		"$p/setup-vif-rules" /usr/local/libexec/vifguard/setup-vif-rules \
		"$p/xenopsd-backend" classic "$p/backend-kind" vif "$p/backend-id" 0 \
		"$p/MTU" 1500 "$p/trunks" "" || die "cannot write $p"
	at_exit "xenstore-rm /xapi/$1"
}

# xapi_lock VM-UUID DEVID MODE [IPV4 [IPV6]]: VIF.set_locking_mode, as
# xenopsd does it: the three keys removed, the new ones written.
xapi_lock()
{
	local p=/xapi/$1/private/vif/$2
	xenstore-rm "$p/locking-mode" "$p/ipv4-allowed" "$p/ipv6-allowed" 2>/dev/null
	xenstore-write "$p/locking-mode" "$3"
	if [ "$3" = locked ]; then
		xenstore-write "$p/ipv4-allowed" "${4:-}" "$p/ipv6-allowed" "${5:-}"
	fi
}

# xapi_rules VM-UUID DEVID DEV filter|clear: what xenopsd runs after a
# locking-mode change.
xapi_rules()
{
	local p=/xapi/$1/private/vif/$2
	"$(xenstore-read "$p/setup-vif-rules")" \
		"$(xenstore-read "$p/xenopsd-backend")" "$3" "$1" "$2" "$4"
}

# ---- learned and parked addresses ----------------------------------------

LAB_ROOT=${VIFGUARD_ROOT:-/sys/fs/bpf/vifguard}

# lab_origin N: the name of enum vg_origin N (include/vifguard.h).
lab_origin()
{
	case $1 in
	1) echo config ;; 2) echo dad ;; 3) echo dhcp ;; 4) echo first ;; *) echo "origin$1" ;;
	esac
}

# lab_hexbytes A.B.C.D: the address as bpftool's JSON spells key bytes,
# ["0x0a","0x09",...], for jq.
lab_hexbytes()
{
	local b out=
	for b in ${1//./ }; do out="$out\"$(printf '0x%02x' "$b")\","; done
	echo "[${out%,}]"
}

# lab_learned4 A.B.C.D: "IFINDEX ORIGIN" of the address's entry in the
# pinned map learned4 (who holds it on this host), "none" without one.
lab_learned4()
{
	local out
	out=$(bpftool -j map dump pinned "$LAB_ROOT/learned4" 2>&1) ||
		{ echo "error: $(tr -s ' \n' ' ' <<<"$out")"; return; }
	jq -r --argjson k "$(lab_hexbytes "$1")" \
		'[.[]? | select(.key == $k) | .formatted.value] |
		 if length == 0 then "none" else .[0] | "\(.ifindex) \(.origin)" end' <<<"$out" |
		while read -r i o; do
			[ "$i" = none ] && echo none || echo "$i $(lab_origin "$o")"
		done
}

# lab_parked A.B.C.D: "VM-UUID DEVID MAC ORIGIN" of every entry of the
# pinned map parked for the address (IPv4 as ::ffff:a.b.c.d), one a line.
lab_parked()
{
	local out a
	a=$(lab_hexbytes "$1")
	a='["0x00","0x00","0x00","0x00","0x00","0x00","0x00","0x00","0x00","0x00","0xff","0xff",'${a#[}
	out=$(bpftool -j map dump pinned "$LAB_ROOT/parked" 2>&1) ||
		{ echo "error: $(tr -s ' \n' ' ' <<<"$out")"; return; }
	# The map has no BTF (the loader makes it): raw bytes, host order
	# (x86: little-endian) for devid, origin at value[8].
	jq -r --argjson a "$a" '
		def hex: ltrimstr("0x") | explode |
			reduce .[] as $c (0; . * 16 + (if $c >= 97 then $c - 87 else $c - 48 end));
		.[]? | select(.key[28:44] == $a) |
		(.key[0:16] | map(ltrimstr("0x")) | join("")) as $vm |
		"\($vm[0:8])-\($vm[8:12])-\($vm[12:16])-\($vm[16:20])-\($vm[20:32])" +
		" \(.key[16:20] | map(hex) | .[0] + 256 * (.[1] + 256 * (.[2] + 256 * .[3])))" +
		" \(.key[20:26] | map(ltrimstr("0x")) | join(":")) \(.value[8] | hex)"' <<<"$out" |
		while read -r vm dev mac o; do echo "$vm $dev $mac $(lab_origin "$o")"; done
}

# lab_learned IFACE: what vifguard show says IFACE learned, one
# "ADDRESS ORIGIN EXPIRES_IN_S" a line.
lab_learned()
{
	vifguard -j show "$1" 2>/dev/null |
		jq -r '.interfaces[0].learned[]? | "\(.address) \(.origin) \(.expires_in_s)"'
}

# lab_window IFACE: IFACE's learning window as vifguard show says it:
# "open SECONDS-LEFT", "ended" or "none".
lab_window()
{
	vifguard -j show "$1" 2>/dev/null | jq -r '.interfaces[0].learning.window //empty |
		if .open then "open \(.ends_in_s)" else "ended" end' | grep . || echo none
}

# lab_window_wait IFACE SECONDS: until IFACE's learning window has ended
# (or it has none); 1 if it is still open after SECONDS.
lab_window_wait()
{
	local i=0
	while [ "$(lab_window "$1" | cut -d' ' -f1)" = open ]; do
		i=$((i + 1))
		[ $i -le "$2" ] || return 1
		sleep 1
	done
}

# lab_forget_parked: removes what this host keeps of guests that left:
# every entry of the pinned map parked, then `vifguard gc`, which drops
# the learned4/learned6 entries held for them (ifindex 0).  Leaves the
# host as one the guests never ran on.  Prints what gc said on failure.
lab_forget_parked()
{
	local k out
	[ -e "$LAB_ROOT/parked" ] || return 0
	out=$(bpftool -j map dump pinned "$LAB_ROOT/parked" 2>&1) ||
		{ echo "cannot read $LAB_ROOT/parked: $out"; return 1; }
	while read -r k; do
		# shellcheck disable=SC2086  # one word per key byte
		[ -z "$k" ] || bpftool map delete pinned "$LAB_ROOT/parked" key hex $k ||
			{ echo "cannot delete parked key $k"; return 1; }
	done < <(jq -r '.[]? | .key | map(ltrimstr("0x")) | join(" ")' <<<"$out")
	out=$(vifguard gc 2>&1) || { echo "vifguard gc: $out"; return 1; }
}
