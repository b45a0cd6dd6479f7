# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Xen layer of the integration tests (sourced after lib.sh): a real
# xenstore and Xen's real hotplug scripts around the simulated dom0.
#
#  - oxenstored (Debian's xen-utils) runs as a plain unix-socket xenstore,
#    with test_xen_shim.so faking the hypervisor handles it opens at
#    start-up; its socket path is fixed, so every test file re-executes
#    itself in a private mount namespace with a tmpfs on /run/xenstored.
#    libxenstore (what vifguard dlopen()s) and xenstore-read/write then
#    talk to it as dom0.
#  - /etc/xen/scripts is replaced, in that namespace only, by a copy of
#    Debian's scripts plus what `make install-xen` stages from this tree
#    (the vif-post.d hook and the vif-vifguard-* scripts), and
#    /var/log/xen by a scratch dir:
#    vif-bridge, vif-openvswitch, call_hooks and xenstore-write run for
#    real, as libxl runs them.
#  - Open vSwitch has no datapath here: a recording ovs-vsctl stands in.
#
# API: xen_init; xs_write PATH VALUE...; xs_read PATH; xl_nic; xapi_nic;
# xapi_lock; xen_vif; libxl_run; link_state; tc_ingress; check_then_stock;
# nl_start/nl_lines/nl_first (link and tc events of a device, in order);
# run_sync/out (sync in HOST, its output and status).

# shellcheck source=tests/lib/oxenstored.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/oxenstored.sh"

XEN_SHIM=${XEN_SHIM:-$OUTPUT/test_xen_shim.so}
XEN_NLMON=${XEN_NLMON:-$OUTPUT/test_xen_nlmon}
XEN_SCRIPTS=/etc/xen/scripts
VM_UUID_BASE=5f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f

xen_oxenstored() {
	oxs_path
}

# A VM UUID per domid, the same in every call.
vm_uuid() {
	printf '%s%04x\n' "$VM_UUID_BASE" "$1"
}

xs_write() {
	xenstore-write "$@"
}

xs_read() {
	xenstore-read "$1" 2>/dev/null
}

# xs_own PATH DOMID: what the toolstack sets on backend nodes: dom0 owns
# them, the guest may read.
xs_own() {
	xenstore-chmod "$1" n0 "r$2"
}

xen_init() {
	if [ -z "${XEN_IN_MOUNTNS:-}" ]; then
		[ "$(id -u)" = 0 ] || vg_skip_all "needs root"
		command -v unshare >/dev/null || vg_bail "unshare missing"
		# A PID namespace too, with its /proc: its PID 1 (this script)
		# shares the mount namespace, whose private bpffs vifguard
		# then takes as the host's (it refuses a root that only a
		# mount namespace other than PID 1's sees).
		VG_OUTER_PID=$$ XEN_IN_MOUNTNS=1 exec unshare -m -p --fork --mount-proc --propagation private \
			"$BASH" "$0" "$@"
	fi
	xen_oxenstored >/dev/null || vg_bail "oxenstored missing (xen-utils-4.17, scripts/install-deps.sh)"
	command -v xenstore-write >/dev/null || vg_bail "xenstore-utils missing"
	[ -f "$XEN_SHIM" ] || vg_bail "$XEN_SHIM not built"
	[ -x "$XEN_NLMON" ] || vg_bail "$XEN_NLMON not built"
	[ -x "$XEN_SCRIPTS/vif-bridge" ] || vg_bail "Xen's vif-bridge missing (xen-utils-common)"

	vg_init

	# What `make install` puts in place, from this tree.
	XEN_STAGE=$VG_TMP/stage
	make -s -C "$VG_TOP" --no-print-directory install-xen \
		DESTDIR="$XEN_STAGE" PREFIX=/usr >"$VG_TMP/install.out" 2>&1 ||
		vg_bail "make install-xen: $(cat "$VG_TMP/install.out")"

	# The daemon's fixed socket directory, private to this namespace.
	oxs_start "$VG_TMP" "$XEN_SHIM" 2>"$VG_TMP/oxs.err" || vg_bail "$(cat "$VG_TMP/oxs.err")"
	VG_BG+=("$OXS_PID")

	mkdir -p "$VG_TMP/xenlog" "$VG_TMP/scripts" "$VG_TMP/bin"
	mount --bind "$VG_TMP/xenlog" /var/log/xen 2>/dev/null ||
		{ mkdir -p /var/log/xen && mount --bind "$VG_TMP/xenlog" /var/log/xen; } ||
		vg_bail "cannot redirect /var/log/xen"
	cp -a "$XEN_SCRIPTS/." "$VG_TMP/scripts/"
	cp -a "$XEN_STAGE/etc/xen/scripts/." "$VG_TMP/scripts/"
	mount --bind "$VG_TMP/scripts" "$XEN_SCRIPTS" || vg_bail "cannot stage /etc/xen/scripts"

	# Stand-in for ovs-vsctl: logs each call, answers the queries.
	cat >"$VG_TMP/bin/ovs-vsctl" <<-EOF
	#!/bin/bash
	echo "\$*" >>"$VG_TMP/ovs.log"
	case " \$* " in
	*" get interface "*" ofport "*) echo 7 ;;
	*" iface-to-br "*) cat "$VG_TMP/ovs.br" 2>/dev/null || exit 1 ;;
	esac
	exit 0
	EOF
	chmod +x "$VG_TMP/bin/ovs-vsctl"
	: >"$VG_TMP/ovs.log"

	export VIFGUARD_ROOT=$ROOT
	export VIFGUARD_CONFIG=$VG_TMP/vifguard.conf
	: >"$VIFGUARD_CONFIG"
}

# xen_vif GUEST IFNAME MAC [GUEST_IF]: a guest netns GUEST whose GUEST_IF
# (eth0) has MAC, and its backend device IFNAME (vif3.0, tap3.0,
# vif3.0-emu) in HOST as netback or QEMU leaves it: down, on no bridge,
# MAC fe:ff:ff:ff:ff:ff.
xen_vif() {
	local name=$1 ifname=$2 mac=$3 gif=${4:-eth0}
	local ns=$VG_ID-$name
	if [ ! -e "/run/netns/$ns" ]; then
		vg_netns_add "$ns"
		gx "$name" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	fi
	ip -n "$HOST" link add "$ifname" type veth peer name "$gif" netns "$ns" ||
		vg_bail "cannot create $ifname"
	ip -n "$ns" link set "$gif" address "$mac" up
	ip -n "$HOST" link set "$ifname" address fe:ff:ff:ff:ff:ff
}

# xl_nic DOMID DEVID MAC [IP] [SCRIPT]: the keys libxl writes for
# vif = ['mac=MAC,bridge=br0,ip=IP,script=SCRIPT'].
xl_nic() {
	local d=$1 n=$2 mac=$3 ip=${4:-} script=${5:-vif-bridge}
	local be=/local/domain/0/backend/vif/$d/$n vm
	vm=$(vm_uuid "$d")
	xs_write /local/domain/"$d"/vm "/vm/$vm" /local/domain/"$d"/name "guest$d" \
		/vm/"$vm"/uuid "$vm" /vm/"$vm"/name "guest$d" \
		/local/domain/"$d"/device/vif/"$n"/mac "$mac" \
		"$be"/frontend /local/domain/"$d"/device/vif/"$n" \
		"$be"/frontend-id "$d" "$be"/online 1 "$be"/state 2 \
		"$be"/script "$XEN_SCRIPTS/$script" "$be"/mac "$mac" \
		"$be"/handle "$n" "$be"/type vif "$be"/bridge br0
	[ -n "$ip" ] && xs_write "$be/ip" "$ip"
	xs_own /local/domain/"$d"/vm "$d"
	xs_own "$be" "$d"
	xenstore-chmod /local/domain/"$d"/device/vif/"$n" "b$d"
}

# vm_of DOMID UUID_OF: domain DOMID is (after restore) the VM of
# $(vm_uuid UUID_OF), as the toolstack writes it.
vm_of() {
	xs_write /local/domain/"$1"/vm "/vm/$(vm_uuid "$2")"
	xs_own /local/domain/"$1"/vm "$1"
}
# park_put VM_DOMID DEVID MAC A.B.C.D ORIGIN EXPIRES_NS: an entry of the
# loader's parked map, for the VM of domain VM_DOMID, as the loader writes it.
park_put() {
	local vm mac a
	vm=$(vm_uuid "$1" | tr -d '-' | sed 's/../0x& /g')
	mac=$(sed 's/^/0x/; s/:/ 0x/g' <<<"$3")
	a=${4//./ }
	"$BPFTOOL" map update pinned "$ROOT/parked" \
		key $vm $(vg_le 4 "$2") $mac 0 0 0 0 0 0 0 0 0 0 0 0 255 255 $a \
		value $(vg_le 8 "$6") "$5" 0 0 0 0 0 0 0
}

# xapi_nic DOMID DEVID VIF_UUID MAC MODE [IPV4 IPV6]: what xenopsd writes
# for a VIF of VM $(vm_uuid DOMID) with locking mode MODE.
xapi_nic() {
	local d=$1 n=$2 vifu=$3 mac=$4 mode=$5 v4=${6:-} v6=${7:-}
	local be=/local/domain/0/backend/vif/$d/$n vm priv
	vm=$(vm_uuid "$d")
	priv=/xapi/$vm/private/vif/$n
	xs_write /local/domain/"$d"/vm "/vm/$vm" /vm/"$vm"/uuid "$vm" \
		"$be"/frontend /local/domain/"$d"/device/vif/"$n" \
		"$be"/frontend-id "$d" "$be"/online 1 "$be"/state 4 \
		"$be"/script /etc/xensource/scripts/vif "$be"/mac "$mac" \
		"$be"/handle "$n" \
		"$priv"/backend-kind vif "$priv"/backend-id 0 \
		"$priv"/vif-uuid "$vifu" \
		"$priv"/network-uuid 1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d \
		"$priv"/setup-vif-rules "$XEN_STAGE/usr/libexec/vifguard/setup-vif-rules" \
		"$priv"/xenopsd-backend classic "$priv"/mac "$mac" \
		"$priv"/trunks "" "$priv"/MTU 1500 "$priv"/bridge br0 \
		"$priv"/bridge-MAC fe:ff:ff:ff:ff:ff
	xs_own /local/domain/"$d"/vm "$d"
	xs_own "$be" "$d"
	xapi_lock "$d" "$n" "$mode" "$v4" "$v6"
}

# xapi_lock DOMID DEVID MODE [IPV4 IPV6]: VIF.set_locking_mode as xenopsd
# does it: remove the three keys, write the new ones.
xapi_lock() {
	local priv
	priv=/xapi/$(vm_uuid "$1")/private/vif/$2
	xenstore-rm "$priv/locking-mode" "$priv/ipv4-allowed" "$priv/ipv6-allowed" 2>/dev/null
	xs_write "$priv/locking-mode" "$3"
	if [ "$3" = locked ]; then
		xs_write "$priv/ipv4-allowed" "${4:-}" "$priv/ipv6-allowed" "${5:-}"
	fi
}

# libxl_run SCRIPT ACTION DOMID DEVID [NAME=VALUE...]: runs a vif script
# in HOST the way libxl does (libxl_linux.c): a clean environment with
# script, XENBUS_TYPE, XENBUS_PATH (relative), XENBUS_BASE_PATH, netdev,
# vif (and INTERFACE for the emulated NIC); "online|offline type_if=vif"
# or "add|remove type_if=tap".  Extra NAME=VALUE go to the environment.
# Output in $VG_TMP/hotplug.out, status in HP_RC, what went to Xen's
# xen-hotplug.log meanwhile in $VG_TMP/hotplug.log.
libxl_run() {
	local script=$1 action=$2 d=$3 n=$4 type_if=vif log=$VG_TMP/xenlog/xen-hotplug.log
	local before=0
	shift 4
	case $action in add|remove) type_if=tap ;; esac
	[ -f "$log" ] && before=$(wc -l <"$log")
	hx env -i PATH="/usr/sbin:/usr/bin:/sbin:/bin" \
		script="$XEN_SCRIPTS/$script" XENBUS_TYPE=vif \
		XENBUS_PATH="backend/vif/$d/$n" XENBUS_BASE_PATH=backend netdev= \
		vif="vif$d.$n" INTERFACE="vif$d.$n-emu" \
		VIFGUARD="$VIFGUARD" VIFGUARD_ROOT="$ROOT" \
		VIFGUARD_CONFIG="$VIFGUARD_CONFIG" "$@" \
		"$XEN_SCRIPTS/$script" "$action" "type_if=$type_if" \
		>"$VG_TMP/hotplug.out" 2>&1
	HP_RC=$?
	# What Xen's scripts (and the hook inside them) logged meanwhile.
	: >"$VG_TMP/hotplug.log"
	[ -f "$log" ] && tail -n "+$((before + 1))" "$log" >"$VG_TMP/hotplug.log"
	return 0
}

# link_state IFNAME: "up|down master=BR" of a HOST device, "absent" if
# gone.  Administrative state (IFF_UP), which is what hotplug scripts set.
link_state() {
	local flags master
	flags=$(ip -n "$HOST" -o link show dev "$1" 2>/dev/null) || { echo absent; return; }
	master=$(sed -n 's/.* master \([^ ]*\) .*/\1/p' <<<"$flags")
	if grep -Eq '[<,]UP[,>]' <<<"$flags"; then
		echo "up master=${master:-none}"
	else
		echo "down master=${master:-none}"
	fi
}

# tc_ingress IFNAME: the ingress filters of a HOST device, one line each.
tc_ingress() {
	hx tc filter show dev "$1" ingress 2>/dev/null | grep -c ' bpf .*handle' || true
}

# check_then_stock SCRIPT: a stand-in stock script that records, when it
# starts, what the kernel says about the device ("filters=N up|down
# master=BR" in $VG_TMP/at-stock-start), then hands over to Xen's real
# SCRIPT.  Prints its path.
check_then_stock() {
	local real=$1 out=$VG_TMP/check-then-$1
	cat >"$out" <<-EOF
	#!/bin/bash
	dev=\${vif:-}
	case " \$* " in *" type_if=tap "*) dev=\$INTERFACE ;; esac
	l=\$(ip -o link show dev "\$dev")
	m=\$(sed -n 's/.* master \\([^ ]*\\) .*/\\1/p' <<<"\$l")
	grep -Eq '[<,]UP[,>]' <<<"\$l" && s=up || s=down
	echo "filters=\$(tc filter show dev "\$dev" ingress | grep -c ' bpf .*handle') \$s master=\${m:-none}" \\
		>"$VG_TMP/at-stock-start"
	exec "$XEN_SCRIPTS/$real" "\$@"
	EOF
	chmod +x "$out"
	echo "$out"
}

# nl_start IFNAME: records the link and tc events of a HOST device, in the
# kernel's order, to $VG_TMP/nl.IFNAME until the test ends.
nl_start() {
	local f=$VG_TMP/nl.$1 i
	# Not through the hx function: a backgrounded function is a subshell
	# whose pid is not the monitor's, and the monitor would outlive the
	# test.  ip netns exec execs, so $! is the monitor itself.
	ip netns exec "$HOST" "$XEN_NLMON" "$1" >"$f" 2>&1 &
	VG_BG+=("$!")
	for ((i = 0; i < 200; i++)); do
		grep -q '^ready' "$f" && return 0
		sleep 0.01
	done
	vg_bail "nlmon $1: $(cat "$f")"
}

# nl_lines IFNAME [FROM]: the events recorded so far, from line FROM on.
nl_lines() {
	sleep 0.2	# let the monitor catch up with the kernel
	tail -n "+${2:-2}" "$VG_TMP/nl.$1"
}

# nl_first IFNAME PATTERN: line number of the first event matching
# PATTERN (grep -E), or "none".
nl_first() {
	local n
	n=$(nl_lines "$1" 1 | grep -En -m1 -- "$2" | cut -d: -f1)
	echo "${n:-none}"
}

# carrier_changes IFNAME: the kernel's count of carrier changes of a HOST
# device; any link flap moves it.
carrier_changes() {
	hx cat "/sys/class/net/$1/carrier_changes"
}

# policy_of IFNAME: "MODE mac=M[,M] ADDR/LEN..." (IPv4 then IPv6, as
# sorted) from `vifguard -j show`, "" when the interface has no entry.
policy_of() {
	vg -j show "$1" 2>/dev/null | jq -r --arg n "$1" '
		[.interfaces[]? | select(.ifname == $n)
		 | ([.mode, "mac=" + (.macs | join(","))] + (.ipv4 | sort) + (.ipv6 | sort)) | join(" ")]
		| .[0] // ""' 2>/dev/null
}

# run_sync [GLOBAL-OPTION]... [-- SYNC-ARG...]: `vifguard sync` in HOST on
# the bridge backend, its output in $VG_TMP/sync.out (out prints it), its
# status in SYNC_RC.
run_sync() {
	local g=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do g+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	hx env VIFGUARD_NETWORK_BACKEND=bridge "$VIFGUARD" "${g[@]}" sync "$@" \
		>"$VG_TMP/sync.out" 2>&1
	# shellcheck disable=SC2034 # read by the tests
	SYNC_RC=$?
}
out() { cat "$VG_TMP/sync.out"; }
