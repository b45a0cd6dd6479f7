#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The clsact qdisc shared with filters that are not ours.  attach puts
# our filters on both hooks (vifguard on ingress, vifguard_out on
# egress, each at our handle); detach removes them, and the qdisc with it only when the qdisc is ours (attach
# created it, or found it empty) and nothing else is on it, which a
# netlink dump of both hooks tells: foreign filters on ingress, on
# egress, at our own priority, there before attach or added after it,
# stay with their qdisc.
. "$(dirname "$0")/lib.sh"
vg_init

# foreign DEV HOOK PRIO HANDLE: a filter of someone else's (classic BPF
# that classifies nothing: frames go on to the next filter).
foreign() {
	hx tc filter add dev "$1" "$2" prio "$3" handle "$4" bpf bytecode '1,6 0 0 0,' ||
		vg_bail "cannot add a classic BPF filter to $1 $2"
}
# hooks DEV: "INGRESS-HANDLES / EGRESS-HANDLES /" and whether a clsact is there.
hooks() {
	local h
	for h in ingress egress; do
		hx tc filter show dev "$1" "$h" 2>/dev/null |
			sed -n 's/.* handle \(0x[0-9a-f]*\) .*/\1/p' | sort | tr '\n' ' '
		printf '/ '
	done
	hx tc qdisc show dev "$1" | grep -q 'qdisc clsact' && echo clsact || echo none
}
# port N: vifN.0, a bare veth in the host namespace.
port() {
	ip -n "$HOST" link add "vif$1.0" type veth peer name "peer$1" &&
		ip -n "$HOST" link set "vif$1.0" up || vg_bail "cannot create vif$1.0"
}
attach() {
	out=$(vg attach "vif$1.0" --mac "02:00:00:00:0$1:00" 2>&1)
	tap_check "attach vif$1.0" "exit 0" "exit $?" "$out"
}
detach() {
	out=$(vg detach "vif$1.0" 2>&1)
	tap_check "detach vif$1.0" "exit 0" "exit $?" "$out"
}

# Only ours: the qdisc attach made goes with the filter.
port 5
attach 5
tap_check "vif5.0: our filters alone on a clsact of ours" "0x7667 / 0x7667 / clsact" \
	"$(hooks vif5.0)"
detach 5
tap_check "vif5.0: detach leaves no filter and no clsact" "/ / none" "$(hooks vif5.0)"

# A clsact with filters on both hooks before attach: ours joins them and
# leaves them where they were.
port 6
hx tc qdisc add dev vif6.0 clsact || vg_bail "cannot add a clsact to vif6.0"
foreign vif6.0 ingress 5 1
foreign vif6.0 egress 6 2
attach 6
tap_check "vif6.0: ours beside the foreign filters" "0x1 0x7667 / 0x2 0x7667 / clsact" \
	"$(hooks vif6.0)"
detach 6
tap_check "vif6.0: detach leaves the foreign filters and their clsact" \
	"0x1 / 0x2 / clsact" "$(hooks vif6.0)"

# Our clsact, then a filter on its egress hook only: the egress dump
# counts, the qdisc stays.
port 7
attach 7
foreign vif7.0 egress 3 3
tap_check "vif7.0: a foreign egress filter beside our egress one" "0x7667 / 0x3 0x7667 / clsact" \
	"$(hooks vif7.0)"
detach 7
tap_check "vif7.0: a foreign egress filter keeps the clsact attach made" \
	"/ 0x3 / clsact" "$(hooks vif7.0)"

# Our clsact, then filters at our own priority and after it, on both
# hooks: one classifier instance holds two filters, and each counts.
port 8
attach 8
foreign vif8.0 ingress 1 4
foreign vif8.0 ingress 9 5
foreign vif8.0 egress 1 6
tap_check "vif8.0: three filters on ingress, two on egress" "0x4 0x5 0x7667 / 0x6 0x7667 / clsact" \
	"$(hooks vif8.0)"
attach 8
tap_check "vif8.0: an attach again (in place) leaves the foreign ones" \
	"0x4 0x5 0x7667 / 0x6 0x7667 / clsact" "$(hooks vif8.0)"
detach 8
tap_check "vif8.0: detach removes ours alone" "0x4 0x5 / 0x6 / clsact" "$(hooks vif8.0)"

# An empty clsact before attach is taken as the interface's own (a run
# stopped half-way leaves one): detach removes it.
port 9
hx tc qdisc add dev vif9.0 clsact || vg_bail "cannot add a clsact to vif9.0"
attach 9
detach 9
tap_check "vif9.0: an empty clsact found at attach goes with detach" "/ / none" "$(hooks vif9.0)"

# Another tool's classifier of another kind at our priority on the egress
# hook: ours cannot go there (one kind per priority).  The egress program
# is part of the attach: a new interface is rolled back, nothing of it
# left; an attached one keeps its filter and says the egress program is
# missing, until gc puts it back once the way is free.
u32() { hx tc filter add dev "$1" egress prio 1 protocol all u32 match u32 0 0 classid 1:1 ||
	vg_bail "cannot add a u32 filter to $1"; }
policies() { vg -j show | jq '.interfaces | length'; }
port 3
hx tc qdisc add dev vif3.0 clsact || vg_bail "cannot add a clsact to vif3.0"
u32 vif3.0
out=$(vg attach vif3.0 --mac 02:00:00:00:03:00 2>&1)
rc=$?
tap_check "vif3.0: the egress hook refuses ours: attach fails, says so, leaves nothing" \
	"exit 1, egress named, rolled back; / / clsact; 0 policies" \
	"exit $rc, $(grep -q 'cannot attach the egress program (vifguard_out): .*nothing was attached' \
		<<<"$out" && echo "egress named, rolled back"); $(hooks vif3.0); $(policies) policies" \
	"$out"
port 4
attach 4
hx tc filter del dev vif4.0 egress
u32 vif4.0
out=$(vg attach vif4.0 --mac 02:00:00:00:04:00 2>&1)
rc=$?
tap_check "vif4.0 attached: an attach again fails on the egress hook, the filter stays" \
	"exit 1, egress named, ingress kept; 0x7667 / / clsact; 1 policies" \
	"exit $rc, $(grep -q 'cannot attach the egress program (vifguard_out): .*the ingress filter is on' \
		<<<"$out" && echo "egress named, ingress kept"); $(hooks vif4.0); $(policies) policies" \
	"$out"
hx tc filter del dev vif4.0 egress prio 1
out=$(vg gc 2>&1)
tap_check "vif4.0: the way free, gc puts the egress program back" \
	"filter put back on 1 interface(s); 0x7667 / 0x7667 / clsact" \
	"$(grep -o 'filter put back on [0-9]* interface(s)' <<<"$out"); $(hooks vif4.0)" "$out"
detach 4
tap_check "vif4.0: detach leaves no filter and no clsact" "/ / none" "$(hooks vif4.0)"

tap_done
