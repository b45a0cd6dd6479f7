#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Every command's JSON (-j) against docs/vifguard.schema.json: each
# command of the table and --version run for real on a simulated dom0
# (veth guest interfaces, a real xenstore with xl and XAPI VIFs), success
# and failure; each document on stdout must be valid against its
# command's definition, an error document against the error one with the
# expected code, and the exit status must be the documented one.  No key
# anywhere holds a '-', and every command `vifguard -j help` lists was
# run.  The documents are checked by json_schema_check.py with Debian's
# python3-jsonschema.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/test_xen_lib.bash"
xen_init "$@"

PY=${VG_PYTHON:-/usr/bin/python3}
SCHEMA=$VG_TOP/docs/vifguard.schema.json
CHECK=$(dirname "$0")/json_schema_check.py
"$PY" -c 'import jsonschema' 2>/dev/null ||
	vg_bail "python3-jsonschema missing for $PY (scripts/install-deps.sh)"
[ -f "$SCHEMA" ] || vg_bail "$SCHEMA missing"

DOCS=$VG_TMP/docs
MANIFEST=$VG_TMP/manifest
mkdir -p "$DOCS"
: >"$MANIFEST"
N=0

# j NAME DEF EXIT CODE -- ARGS...: runs `vifguard -j ARGS` in HOST (root
# and config from the environment, Linux bridges), keeps stdout for the
# checker: its documents must match definition DEF, then, when CODE is
# not "-", one error document with that code; the exit status must be
# EXIT.
j() {
	local name=$1 def=$2 want=$3 code=$4 rc
	shift 5
	N=$((N + 1))
	hx env VIFGUARD_NETWORK_BACKEND=bridge "$VIFGUARD" -j "$@" \
		>"$DOCS/$N.out" 2>"$DOCS/$N.err"
	rc=$?
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$*" "$def" "$want" "$rc" "$code" \
		"$DOCS/$N.out" >>"$MANIFEST"
}

M3=00:16:3e:50:00:03
M4=00:16:3e:50:00:04
M5=00:16:3e:50:00:05
M6=00:16:3e:50:00:06
U4=0a1b2c3d-4e5f-4a6b-8c7d-000000000504
xen_vif g3 vif3.0 $M3                  # xl, ip=
xl_nic 3 0 $M3 "10.99.0.3"
xen_vif g4 vif4.0 $M4                  # XAPI locked
xapi_nic 4 0 $U4 $M4 locked "10.99.0.4" ""
xen_vif g5 vif5.0 $M5                  # operator's attach
xen_vif g6 vif6.0 $M6                  # made an orphan below
echo "$M6 10.99.0.6" >"$VIFGUARD_CONFIG"

# ---- the commands, succeeding ---------------------------------------------
j "help" help 0 - -- help
j "help attach" help_command 0 - -- help attach
j "attach --help" help_command 0 - -- attach --help
j "--version" version 0 - -- --version
j "attach" attach 0 - -- attach vif5.0 --mac $M5 --ipv4 10.99.0.5
j "attach again: an update" attach 0 - -- attach vif5.0 --mac $M5 --ipv4 10.99.0.5 \
	--ipv6 fd00:99::5
j "attach --dry-run" set 0 - -- attach vif5.0 --mac $M5 --ipv4 10.99.0.50 --dry-run
j "set" set 0 - -- set vif5.0 add ipv4 10.99.0.55
j "set --dry-run" set 0 - -- set vif5.0 --dry-run remove ipv4 10.99.0.55
j "attach vif6.0" attach 0 - -- attach vif6.0 --mac $M6 --ipv4 10.99.0.6
# Frames, so that counters are not all zero.
ip -n "$HOST" link set vif5.0 up
gx g5 "$VGPKT" send -i eth0 -c 2 udp4 --src-ip 192.0.2.99 --dst-ip 10.99.0.1 >/dev/null 2>&1
j "show" show 0 - -- show
j "show IFACE" show 0 - -- show vif5.0
j "show -v" show 0 - -- show -v
# Learned addresses of every kind, as the programs write them: a
# link-local by DAD, IPv4 leases live and expired, an infinite DHCPv6 one.
j "attach --learn link-local,dhcp" attach 0 - -- attach vif5.0 --mac $M5 --ipv4 10.99.0.5 \
	--ipv6 fd00:99::5 --learn link-local,dhcp
python3 - "$(vg_ifindex vif5.0)" >"$VG_TMP/learned" <<'EOF' || vg_bail "cannot build the entries"
import ipaddress, struct, sys, time
i, now = int(sys.argv[1]), time.monotonic_ns()
hx = lambda b: " ".join("0x%02x" % c for c in b)
def ent(a, origin, slot, t):
	a = ipaddress.ip_address(a)
	a16 = a.packed if a.version == 6 else ipaddress.IPv6Address("::ffff:%s" % a).packed
	print("learned%d|%s|%s" % (a.version, hx(a.packed), hx(struct.pack("<IBBHQ", i, origin, slot, 0, t))))
	print("%s|%s|%s" % ("lease_slots" if origin == 3 else "learn_slots",
			    hx(struct.pack("<II", i, slot)), hx(a16 + struct.pack("<Q", t))))
ent("fe80::5:1", 2, 0, now)
ent("10.99.5.1", 3, 0, now + 600 * 10**9)
ent("10.99.5.2", 3, 1, now - 10**9)
ent("2001:db8::5", 3, 2, (1 << 64) - 1)
# Parked ones: a lease with its end, a link-local held until its VM
# comes back.
def park(a, origin, t):
	a16 = ipaddress.IPv6Address(a if ":" in a else "::ffff:" + a).packed
	key = bytes(range(16)) + struct.pack("<I", 0) + bytes.fromhex("00163e520099") + bytes(2) + a16
	print("parked|%s|%s" % (hx(key), hx(struct.pack("<QB7x", t, origin))))
park("10.99.5.9", 3, now + 600 * 10**9)
park("fe80::5:9", 2, (1 << 64) - 1)
EOF
while IFS='|' read -r map key val; do
	"$BPFTOOL" map update pinned "$ROOT/$map" key $key value $val ||
		vg_bail "cannot write $map with bpftool"
done <"$VG_TMP/learned"
j "show IFACE: learned by DAD and DHCP" show 0 - -- show vif5.0
j "dump learned4" dump 0 - -- dump learned4
j "dump lease_slots" dump 0 - -- dump lease_slots
j "dump learn_cfg" dump 0 - -- dump learn_cfg
j "dump parked: an end and none" dump 0 - -- dump parked
j "show: a mistyped root while guests are filtered" - 1 wrong_place -- -r "$ROOT/typo" show
j "metrics: a mistyped root" - 1 wrong_place -- -r "$ROOT/typo" metrics
j "stats" stats 0 - -- stats
j "stats IFACE" stats 0 - -- stats vif5.0
j "dump" dump 0 - -- dump
j "dump policy" dump 0 - -- dump policy
j "dump layout" dump 0 - -- dump layout
j "upgrade --check: current" upgrade 0 - -- upgrade --check
j "upgrade: current" upgrade 0 - -- upgrade
# A state whose record is gone: a takeover, the devices moved.
rm -f "$ROOT/layout"
j "upgrade --check: due" upgrade 3 - -- upgrade --check
j "upgrade: upgraded" upgrade 0 - -- upgrade
# monitor: until SIGINT, one document per forged frame.
N=$((N + 1))
# Not through hx(): $! must be the monitor itself (ip execs it).
ip netns exec "$HOST" "$VIFGUARD" -j monitor --burst 1000 >"$DOCS/$N.out" 2>"$DOCS/$N.err" &
mon=$!
for _ in $(seq 100); do
	gx g5 "$VGPKT" send -i eth0 udp4 --src-ip 192.0.2.99 --dst-ip 10.99.0.1 >/dev/null 2>&1
	grep -q '"reason"' "$DOCS/$N.out" && break
	sleep 0.1
done
kill -INT $mon
wait $mon
printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "monitor (a forged frame)" "monitor" monitor 0 $? - \
	"$DOCS/$N.out" >>"$MANIFEST"
j "metrics" metrics 0 - -- metrics
j "metrics --output" metrics 0 - -- metrics --output "$VG_TMP/vifguard.prom"
j "hotplug online (xl)" hotplug 0 - -- hotplug online type_if=vif vif=vif3.0 \
	XENBUS_PATH=backend/vif/3/0
j "setup-vif-rules filter (XAPI)" setup_vif_rules 0 - -- setup-vif-rules classic vif4.0 \
	"$(vm_uuid 4)" 0 filter
j "sync --dry-run" sync 0 - -- sync -n
j "sync" sync 0 - -- sync
j "attach vif3.0 (the operator's)" attach 0 - -- attach vif3.0 --mac $M3 --mode disabled
j "sync keeps the operator's" sync 0 - -- sync
j "release --dry-run" release 0 - -- release -n vif3.0
j "release" release 0 - -- release vif3.0
j "check-config" check_config 0 - -- check-config "$VIFGUARD_CONFIG"
j "setup-vif-rules clear" setup_vif_rules 0 - -- setup-vif-rules classic vif4.0 \
	"$(vm_uuid 4)" 0 clear
j "hotplug offline" hotplug 0 - -- hotplug offline type_if=vif vif=vif3.0 \
	XENBUS_PATH=backend/vif/3/0
j "detach" detach 0 - -- detach vif5.0
# vif6.0 goes: its entries are those of an interface that no longer
# exists, for gc.
ip -n "$HOST" link del vif6.0
j "gc" gc 0 - -- gc
j "gc --orphans" gc 0 - -- gc --orphans
j "attach for detach --all" attach 0 - -- attach vif5.0 --mac $M5

# stats --watch: one document a line, until SIGTERM.  ip netns exec
# becomes vifguard: $! is its pid.
N=$((N + 1))
ip netns exec "$HOST" "$VIFGUARD" -j stats --watch 0.2 >"$DOCS/$N.out" 2>"$DOCS/$N.err" &
pid=$!
for ((i = 0; i < 300; i++)); do
	[ "$(wc -l <"$DOCS/$N.out")" -ge 2 ] && break
	sleep 0.1
done
kill -TERM "$pid"
wait "$pid"
printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "stats --watch (2 lines)" "stats --watch" stats_watch 0 $? - \
	"$DOCS/$N.out" >>"$MANIFEST"

j "detach --all" detach_all 0 - -- detach --all

# ---- failures: an error document with its code ----------------------------
j "unknown command" - 2 usage -- frobnicate
j "no command" - 2 usage --
j "bad option" - 2 usage -- show --bogus
j "attach: bad MAC" - 2 usage -- attach vif5.0 --mac zz
j "attach: no such interface" - 1 not_found -- attach nosuch0 --mac $M5
j "attach: guard rail (the bridge)" - 1 refused -- attach br0 --mac $M5
j "show: no such interface" - 1 not_found -- show nosuch0
j "stats: no such interface" - 1 not_found -- stats nosuch0
j "set: no policy" - 1 not_found -- set vif4.0 add ipv4 10.99.0.44
j "detach: root not on bpffs" - 1 wrong_place -- -r "$VG_TMP" detach vif5.0
j "gc: root not on bpffs" - 1 wrong_place -- -r "$VG_TMP" gc
j "dump: unknown map" - 2 usage -- dump frobnicate
j "metrics: a directory that is not there" - 1 not_found -- \
	metrics --output "$VG_TMP/nodir/vifguard.prom"
j "hotplug: no device" - 2 usage -- hotplug online type_if=vif
j "setup-vif-rules: bad line" - 2 usage -- setup-vif-rules classic vif4.0
j "release: no such interface" - 1 not_found -- release nosuch0
j "help: unknown command" - 2 usage -- help frobnicate
echo "$M6 10.99.0.6 bogus" >"$VG_TMP/bad.conf"
j "check-config: errors (document, then error)" check_config 1 config -- \
	check-config "$VG_TMP/bad.conf"
j "check-config: missing file (document, then error)" check_config 1 not_found -- \
	check-config "$VG_TMP/absent.conf"
N=$((N + 1))
hx env XENSTORED_PATH=/nonexistent/socket VIFGUARD_NETWORK_BACKEND=bridge \
	"$VIFGUARD" -j sync >"$DOCS/$N.out" 2>"$DOCS/$N.err"
printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "sync: no xenstore" sync - 1 $? xenstore \
	"$DOCS/$N.out" >>"$MANIFEST"

# The documents, kept for a look when a check fails.
cp -r "$DOCS" "${VG_JSON_KEEP:-/dev/null}" 2>/dev/null

# ---- the checker ------------------------------------------------------------
hx "$VIFGUARD" -j help >"$VG_TMP/help.json"
while IFS='|' read -r st name exp act; do
	case $st in
	PASS) tap_ok "$name" ;;
	FAIL) tap_fail "$name" "$exp" "$act" ;;
	*) tap_fail "json_schema_check.py" "PASS|... or FAIL|... lines" "$st|$name|$exp|$act" ;;
	esac
done < <("$PY" "$CHECK" "$SCHEMA" "$MANIFEST" "$VG_TMP/help.json" 2>&1)
tap_done
