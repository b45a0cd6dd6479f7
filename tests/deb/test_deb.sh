#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The Debian package (`make deb`) in a clean Debian 12 chroot, the way an
# operator uses it: its file list, dependencies and conffiles; `apt-get
# install` of the package; the binary, the hotplug links and the unit's
# enablement; a filter attached on a veth, which the upgrade to a second
# build takes over in place (its postinst runs `vifguard upgrade`) and the
# removal and the purge leave in place; the operator's
# edits of a conffile and policy file; the removal refused while xl.conf
# names vifguard's vif script; then piuparts.  TAP on stdout.  Root only.
#
# Usage: test_deb.sh OLD.deb NEW.deb  (NEW a higher version of the same tree)
# Environment: CACHE, where the chroot's base is kept between runs
# (debootstrap minbase of bookworm with systemd, from the mirror the host's
# apt uses; built once, about 2 minutes).
. "$(dirname "$0")/../integration/lib.sh"
# shellcheck source=tests/xen/mirror.sh
. "$VG_TOP/tests/xen/mirror.sh"

old_deb=${1:?usage: test_deb.sh OLD.deb NEW.deb}
new_deb=${2:?usage: test_deb.sh OLD.deb NEW.deb}
CACHE=${CACHE:-$VG_TOP/.cache/deb}

[ "$(id -u)" = 0 ] || vg_skip_all "needs root"
for f in "$old_deb" "$new_deb"; do
	[ -f "$f" ] || vg_bail "$f not built (make deb)"
done
command -v debootstrap >/dev/null || vg_bail "debootstrap missing (packaging/deb/packages)"

# Private mount namespace: every mount below goes away with this process.
if [ -z "${VG_DEB_UNSHARED:-}" ]; then
	VG_DEB_UNSHARED=1 exec unshare -m --propagation private "$BASH" "$0" "$@"
fi

old_ver=$(dpkg-deb -f "$old_deb" Version)
new_ver=$(dpkg-deb -f "$new_deb" Version)
dpkg --compare-versions "$new_ver" gt "$old_ver" ||
	vg_bail "$new_deb ($new_ver) is not newer than $old_deb ($old_ver)"

# ---- the package file ----------------------------------------------------

# Every non-directory entry: mode, path, link target.
listing=$(dpkg-deb -c "$old_deb" | awk '$1 !~ /^d/ {
	l = $6; for (i = 7; i <= NF; i++) l = l " " $i; print substr($1, 1, 10), l }' | sort -k2)
expected="lrwxrwxrwx ./etc/xen/scripts/vif-post.d/vifguard.hook -> /usr/libexec/vifguard/vifguard.hook
lrwxrwxrwx ./etc/xen/scripts/vif-vifguard -> /usr/libexec/vifguard/vif-vifguard
lrwxrwxrwx ./etc/xen/scripts/vif-vifguard-bridge -> /usr/libexec/vifguard/vif-vifguard
lrwxrwxrwx ./etc/xen/scripts/vif-vifguard-nat -> /usr/libexec/vifguard/vif-vifguard
lrwxrwxrwx ./etc/xen/scripts/vif-vifguard-openvswitch -> /usr/libexec/vifguard/vif-vifguard
lrwxrwxrwx ./etc/xen/scripts/vif-vifguard-route -> /usr/libexec/vifguard/vif-vifguard
-rw-r--r-- ./etc/vifguard/vifguard.conf.example
-rw-r--r-- ./lib/systemd/system/vifguard-gc.service
-rw-r--r-- ./lib/systemd/system/vifguard-gc.timer
-rw-r--r-- ./lib/systemd/system/vifguard-metrics.service
-rw-r--r-- ./lib/systemd/system/vifguard-metrics.timer
-rw-r--r-- ./lib/systemd/system/vifguard-monitor.service
-rw-r--r-- ./lib/systemd/system/vifguard-sync.service
-rwxr-xr-x ./usr/libexec/vifguard/setup-vif-rules
-rwxr-xr-x ./usr/libexec/vifguard/vif-vifguard
-rwxr-xr-x ./usr/libexec/vifguard/vifguard.hook
-rwxr-xr-x ./usr/sbin/vifguard
-rw-r--r-- ./usr/share/bash-completion/completions/vifguard
-rw-r--r-- ./usr/share/doc/vifguard/changelog.Debian.gz
-rw-r--r-- ./usr/share/doc/vifguard/copyright
-rw-r--r-- ./usr/share/lintian/overrides/vifguard
-rw-r--r-- ./usr/share/man/man8/vifguard.8.gz
-rw-r--r-- ./usr/share/vifguard/vifguard.schema.json"
tap_check "the package holds exactly the binary, scripts, units, man page, bash completion, JSON schema, example config and docs" \
	"$(sort -k2 <<<"$expected")" "$listing"
tap_check "its only conffile is the example config" "/etc/vifguard/vifguard.conf.example" \
	"$(dpkg-deb --ctrl-tarfile "$old_deb" | tar -xOf - ./conffiles 2>&1)"
depends=$(dpkg-deb -f "$old_deb" Depends)
tap_check "Depends (shlibdeps): glibc, libelf and zlib; libbpf and libnl are linked in" \
	"libc6 libelf1 zlib1g" "$(tr ',' '\n' <<<"$depends" | awk '{ print $1 }' | sort | xargs)" \
	"Depends: $depends"
bin=$(mktemp) || vg_bail "mktemp"
dpkg-deb --fsys-tarfile "$old_deb" | tar -xOf - ./usr/sbin/vifguard >"$bin"
tap_check "the binary is the dynamic build" "yes" \
	"$(readelf -l "$bin" 2>/dev/null | grep -q INTERP && echo yes || echo no)"
rm -f "$bin"

# ---- the chroot ----------------------------------------------------------

mirror=$(lab_mirror)
security=$(lab_security_mirror)
key="bookworm minbase systemd $mirror $security"
base=$CACHE/bookworm
if [ "$(cat "$base.key" 2>/dev/null)" != "$key" ]; then
	echo "# building the chroot's base in $base (once): debootstrap bookworm from $mirror"
	rm -rf "$base" "$base.key" "$base.tmp"
	mkdir -p "$CACHE"
	debootstrap --variant=minbase --include=systemd bookworm "$base.tmp" "$mirror" \
		>"$CACHE/debootstrap.log" 2>&1 ||
		vg_bail "debootstrap failed: $(tail -n 5 "$CACHE/debootstrap.log")"
	printf '%s\n' "deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
		"deb $security bookworm-security main" >"$base.tmp/etc/apt/sources.list"
	chroot "$base.tmp" apt-get update -q >>"$CACHE/debootstrap.log" 2>&1 ||
		vg_bail "apt-get update in the chroot failed: $(tail -n 5 "$CACHE/debootstrap.log")"
	mv "$base.tmp" "$base" && echo "$key" >"$base.key"
fi

jail=$OUTPUT/deb/chroot.$$
netns_pid=
# The booted copy (vifguard-monitor.service under systemd, below).
boot_jail=$OUTPUT/deb/boot.$$
boot_bpf=$OUTPUT/deb/bpf.$$
boot_pid= boot_netns_pid=
cleanup() {
	[ -z "$netns_pid" ] || kill "$netns_pid" 2>/dev/null
	umount -R "$jail/proc" "$jail/sys" 2>/dev/null
	rm -rf --one-file-system "$jail"
	if [ -n "$boot_pid" ] && kill "$boot_pid" 2>/dev/null; then
		wait "$boot_pid" 2>/dev/null
	fi
	[ -z "$boot_netns_pid" ] || kill "$boot_netns_pid" 2>/dev/null
	mountpoint -q "$boot_bpf" && umount "$boot_bpf"
	rmdir "$boot_bpf" 2>/dev/null
	rm -rf --one-file-system "$boot_jail"
}
trap cleanup EXIT
rm -rf "$jail"
cp -a "$base" "$jail" || vg_bail "cannot copy $base to $jail"
cp /etc/resolv.conf "$jail/etc/resolv.conf" 2>/dev/null
if ! cp "$old_deb" "$jail/tmp/old.deb" || ! cp "$new_deb" "$jail/tmp/new.deb"; then
	vg_bail "cannot copy the packages into $jail"
fi

# A network namespace of its own for the veth, entered by every command
# that sees it; proc, sysfs (of that namespace) and a bpffs in the chroot.
unshare -n sleep infinity &
netns_pid=$!
sleep 0.2
nx() { nsenter -t "$netns_pid" -n "$@"; }
nx ip link set lo up || vg_bail "no network namespace"
mount -t proc proc "$jail/proc" || vg_bail "mount proc"
nx mount -t sysfs sysfs "$jail/sys" || vg_bail "mount sysfs"
mount -t bpf bpf "$jail/sys/fs/bpf" || vg_bail "mount bpffs"

# jx CMD...: in the chroot and the namespace; output in $out, status in $rc.
# CMD is PID 1 of a PID namespace of its own, with its own /proc in the
# chroot: vifguard refuses a root that a mount namespace or chroot other
# than PID 1's sees (the wrong place), and here PID 1 is in the chroot.
jx() {
	out=$(nx unshare -p -f --mount-proc="$jail/proc" chroot "$jail" \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C \
		DEBIAN_FRONTEND=noninteractive "$@" 2>&1)
	rc=$?
}
# status: dpkg's state of vifguard (installed, config-files, not-installed)
status() {
	jx dpkg-query -W -f '${db:Status-Status}' vifguard
	[ "$rc" = 0 ] && echo "$out" || echo not-installed
}
# wanted_by [UNIT]: the .wants/ directories that link to UNIT
# (vifguard-sync.service).
wanted_by() {
	find "$jail/etc/systemd/system" -mindepth 2 -maxdepth 2 -name "${1:-vifguard-sync.service}" \
		-printf '%h\n' | sed 's|.*/||' | sort | xargs
}
# The filter on vif5.0: the id of the BPF program at its tc ingress.
filter_prog() {
	nx tc filter show dev vif5.0 ingress 2>/dev/null | sed -n 's/.* id \([0-9]*\).*/\1/p' | head -n 1
}

# ---- install -------------------------------------------------------------

# apt-get fetches the dependencies from the mirror: outside the namespace.
out=$(chroot "$jail" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C \
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q /tmp/old.deb 2>&1)
rc=$?
tap_check "apt-get install of the package in a clean bookworm: exit 0" 0 "$rc" "$out"
tap_check "installed" "installed" "$(status)"
jx vifguard --version
tap_check "vifguard --version in the chroot names the package's version" \
	"vifguard ${old_ver%-*}" "$(sed -n '1s/^\(vifguard [^ ]*\).*/\1/p' <<<"$out")" "$out"
jx vifguard help
tap_check "vifguard help: exit 0, lists attach and sync" "0 yes" \
	"$rc $(grep -q attach <<<"$out" && grep -q sync <<<"$out" && echo yes || echo no)" "$out"
tap_check "the man page is where man looks" "/usr/share/man/man8/vifguard.8.gz" \
	"$(cd "$jail" && find usr/share/man -name 'vifguard.8*' -printf '/%p\n')"
tap_check "the vif-post.d hook and vif scripts run the installed binary" "3" \
	"$(grep -l 'VIFGUARD:-/usr/sbin/vifguard' "$jail/usr/libexec/vifguard/vifguard.hook" \
		"$jail/usr/libexec/vifguard/vif-vifguard" "$jail/usr/libexec/vifguard/setup-vif-rules" | wc -l)"
tap_check "the links Xen calls resolve to them" "yes" \
	"$(for s in vif-post.d/vifguard.hook vif-vifguard-bridge vif-vifguard-openvswitch \
		vif-vifguard-route vif-vifguard-nat; do
		chroot "$jail" test -x "/etc/xen/scripts/$s" || { echo "no: $s"; exit; }; done; echo yes)"

# Called through its link, the vif script hands over to Xen's stock script
# next to the link (none here: no Xen in the chroot), not next to itself.
jx /etc/xen/scripts/vif-vifguard-bridge online
tap_check "vif-vifguard-bridge looks for Xen's vif-bridge in /etc/xen/scripts" "1 yes" \
	"$rc $(grep -q 'stock vif script /etc/xen/scripts/vif-bridge not found' <<<"$out" &&
		echo yes || echo no)" "$out"

jx systemctl is-enabled vifguard-sync.service
tap_check "vifguard-sync.service is enabled" "enabled" "$out"
tap_check "wanted by xen.service (Debian's xenstored), xenstored.service and multi-user.target" \
	"multi-user.target.wants xen.service.wants xenstored.service.wants" \
	"$(wanted_by)"
unit=$jail/lib/systemd/system/vifguard-sync.service
tap_check "the unit runs vifguard sync once, after xenstored, only in a dom0 with xenstore" \
	"ExecStart=/usr/sbin/vifguard sync|Type=oneshot|After=xen.service xenstored.service|PartOf=xen.service xenstored.service|ConditionPathExists=|/run/xenstored/socket|ConditionPathExists=|/dev/xen/xenbus|ExecCondition=/bin/grep -qs control_d /proc/xen/capabilities" \
	"$(for k in ExecStart Type After PartOf ConditionPathExists ExecCondition; do
		grep "^$k=" "$unit"; done | paste -sd '|')"
tap_check "the unit has no ExecStop: stopping it detaches nothing" "" "$(grep '^ExecStop' "$unit")"
# verify_units WHAT UNIT...: systemd-analyze verify of the units in the chroot.
verify_units() {
	local what=$1
	shift
	if command -v systemd-analyze >/dev/null; then
		out=$(systemd-analyze verify --man=no --root="$jail" "$@" 2>&1)
		tap_check "systemd-analyze verify accepts $what in the chroot" 0 "$?" "$out"
	else
		tap_skip "systemd-analyze verify accepts $what" "no systemd-analyze on this host"
	fi
}
verify_units "the unit" vifguard-sync.service
# timer_units NAME WHAT KEYS EXPECTED CALENDAR WHEN: NAME.timer enabled
# and wanted by timers.target; the KEYS lines of NAME.service are
# EXPECTED (joined by |), checked as WHAT; the timer's OnCalendar= is
# CALENDAR (WHEN in words); systemd-analyze verify of both.
timer_units() {
	local unit=$jail/lib/systemd/system/$1 k
	jx systemctl is-enabled "$1.timer"
	tap_check "$1.timer is enabled, wanted by timers.target" "enabled timers.target.wants" \
		"$out $(wanted_by "$1.timer")"
	tap_check "$2" "$4" "$(for k in $3; do grep "^$k=" "$unit.service"; done | paste -sd '|')"
	tap_check "$1.timer runs it $6" "OnCalendar=$5" "$(grep '^OnCalendar=' "$unit.timer")"
	verify_units "the $1 units" "$1.timer" "$1.service"
}
timer_units vifguard-metrics \
	"vifguard-metrics.service writes where Debian's node_exporter reads, if it is there" \
	"ExecStart Type ConditionPathIsDirectory" \
	"ExecStart=/usr/sbin/vifguard metrics --output /var/lib/prometheus/node-exporter/vifguard.prom|Type=oneshot|ConditionPathIsDirectory=/var/lib/prometheus/node-exporter" \
	"*:*:0/15" "every 15 s by the clock"
timer_units vifguard-gc "vifguard-gc.service runs vifguard gc where there is vifguard state" \
	"ExecStart Type ConditionPathIsDirectory" \
	"ExecStart=/usr/sbin/vifguard gc|Type=oneshot|ConditionPathIsDirectory=/sys/fs/bpf/vifguard" \
	"*:0/5" "every 5 minutes by the clock"
# node_exporter's directory, as prometheus-node-exporter makes it: the
# service writes the file there (with no vifguard state yet it fails and
# writes nothing; the filter comes below).
mkdir -p "$jail/var/lib/prometheus/node-exporter"

jx systemctl is-enabled vifguard-monitor.service
tap_check "vifguard-monitor.service is enabled, wanted by multi-user.target" \
	"enabled multi-user.target.wants" "$out $(wanted_by vifguard-monitor.service)"
unit=$jail/lib/systemd/system/vifguard-monitor.service
tap_check "vifguard-monitor.service runs the digest, waits for the state, restarts on failure" \
	"ExecStart=/usr/sbin/vifguard monitor --syslog --wait|Restart=on-failure|After=vifguard-sync.service xen.service xenstored.service" \
	"$(for k in ExecStart Restart After; do grep "^$k=" "$unit"; done | paste -sd '|')"
verify_units "the monitor unit" vifguard-monitor.service

# A guest interface filtered by the installed vifguard.
if ! nx ip link add vif5.0 type veth peer name g5 || ! nx ip link set vif5.0 up ||
	! nx ip link set g5 up; then
	vg_bail "cannot create a veth"
fi
jx vifguard attach vif5.0 --mac 00:16:3e:00:05:00 --ipv4 192.0.2.5
tap_check "attach vif5.0 with the installed binary: exit 0" 0 "$rc" "$out"
prog=$(filter_prog)
tap_check "a filter is on vif5.0" "yes" "$([ -n "$prog" ] && echo yes || echo no)"
# What vifguard-metrics.service runs (no systemd in the chroot to run it).
jx sh -c "$(sed -n 's/^ExecStart=//p' "$jail/lib/systemd/system/vifguard-metrics.service")"
tap_check "the metrics unit's command writes vifguard.prom, vif5.0 in it, mode 0644" \
	"0 1 644" "$rc $(grep -c '^vifguard_interface_info{interface="vif5.0"' \
		"$jail/var/lib/prometheus/node-exporter/vifguard.prom") $(
		stat -c %a "$jail/var/lib/prometheus/node-exporter/vifguard.prom")" "$out"

# The operator's files.
echo "# edited by the operator" >>"$jail/etc/vifguard/vifguard.conf.example"
edited=$(md5sum <"$jail/etc/vifguard/vifguard.conf.example")
echo "00:16:3e:00:05:00 192.0.2.5" >"$jail/etc/vifguard/vifguard.conf"

# ---- upgrade -------------------------------------------------------------

jx dpkg -i /tmp/new.deb
out_dpkg=$out
tap_check "upgrade to $new_ver (dpkg -i): exit 0" 0 "$rc" "$out"
jx dpkg-query -W -f '${Version}' vifguard
tap_check "the new version is installed" "$new_ver" "$out"
jx vifguard --version
tap_check "vifguard --version names it" "vifguard ${new_ver%-*}" \
	"$(sed -n '1s/^\(vifguard [^ ]*\).*/\1/p' <<<"$out")" "$out"
upgraded=$(grep -E '^(upgraded /sys/fs/bpf/vifguard:|current: /sys/fs/bpf/vifguard )' \
	<<<"$out_dpkg")
tap_check "the package ran vifguard upgrade" "yes" "$([ -n "$upgraded" ] && echo yes || echo no)" \
	"$out_dpkg"
jx vifguard -j upgrade --check
now=$(jq -r '"\(.state) \(.prog_id)"' <<<"$out" 2>/dev/null)
tap_check "the filter on vif5.0 is this version's pinned program" "current $(filter_prog)" "$now" \
	"$out"
prog=$(filter_prog)
jx vifguard -j show vif5.0
tap_check "and its policy" "yes" "$(grep -q '192.0.2.5' <<<"$out" && echo yes || echo no)" "$out"
tap_check "the operator's edit of the example config survived the upgrade" "$edited" \
	"$(md5sum <"$jail/etc/vifguard/vifguard.conf.example")"
tap_check "the operator's vifguard.conf is untouched" "00:16:3e:00:05:00 192.0.2.5" \
	"$(cat "$jail/etc/vifguard/vifguard.conf")"
jx systemctl is-enabled vifguard-sync.service
tap_check "vifguard-sync.service is still enabled" "enabled" "$out"

# ---- remove --------------------------------------------------------------

mkdir -p "$jail/etc/xen"
echo 'vif.default.script="vif-vifguard-bridge"' >"$jail/etc/xen/xl.conf"
jx dpkg -r vifguard
tap_check "removal refused while xl.conf names vif-vifguard-bridge" "1 installed" "$([ "$rc" != 0 ] && echo 1 || echo 0) $(status)" "$out"
tap_check "the refusal names the file" "yes" \
	"$(grep -q '/etc/xen/xl.conf still names vif-vifguard' <<<"$out" && echo yes || echo no)" "$out"
# xl also takes the script in single quotes or by its path.
for line in "vif.default.script='vif-vifguard'" \
	'vif.default.script = "/etc/xen/scripts/vif-vifguard-openvswitch"'; do
	echo "$line" >"$jail/etc/xen/xl.conf"
	jx dpkg -r vifguard
	tap_check "removal refused while xl.conf says $line" "1 installed" \
		"$([ "$rc" != 0 ] && echo 1 || echo 0) $(status)" "$out"
done
echo '#vif.default.script="vif-bridge"' >"$jail/etc/xen/xl.conf"

jx dpkg -r vifguard
tap_check "dpkg -r: exit 0" 0 "$rc" "$out"
tap_check "removed, config files kept" "config-files" "$(status)"
tap_check "the removal says the filter of vif5.0 stays" "yes" \
	"$(grep -q 'left in place: the filter of vif5.0 (pinned under /sys/fs/bpf/vifguard)' <<<"$out" &&
		echo yes || echo no)" "$out"
tap_check "the filter is still on vif5.0 (same program)" "$prog" "$(filter_prog)"
tap_check "the binary, scripts and Xen's links are gone" "" \
	"$(cd "$jail" && ls -d usr/sbin/vifguard usr/libexec/vifguard etc/xen/scripts/vif-vifguard* \
		etc/xen/scripts/vif-post.d/vifguard.hook 2>/dev/null)"
tap_check "the conffile and the operator's config stay" "$edited yes" \
	"$(md5sum <"$jail/etc/vifguard/vifguard.conf.example") $([ -s "$jail/etc/vifguard/vifguard.conf" ] &&
		echo yes || echo no)"

# ---- purge ---------------------------------------------------------------

jx dpkg -P vifguard
tap_check "dpkg -P: exit 0" 0 "$rc" "$out"
tap_check "purged" "not-installed" "$(status)"
tap_check "the purge says the operator's vifguard.conf stays" "yes" \
	"$(grep -q 'left in place: /etc/vifguard/vifguard.conf' <<<"$out" && echo yes || echo no)" "$out"
tap_check "the example config is gone, vifguard.conf is not" "no yes" \
	"$([ -e "$jail/etc/vifguard/vifguard.conf.example" ] && echo yes || echo no) $(
		[ -s "$jail/etc/vifguard/vifguard.conf" ] && echo yes || echo no)"
tap_check "no unit enablement left" "" \
	"$(wanted_by)"
tap_check "the filter is still on vif5.0 (same program)" "$prog" "$(filter_prog)"

# ---- vifguard-monitor.service under systemd ---------------------------------

# A second copy of the base with the package installed, booted by
# systemd-nspawn (systemd as the container's PID 1) in a network
# namespace of its own, with a bpffs of its own as /sys/fs/bpf: the unit
# runs as on a host, under its own sandboxing, and dpkg's scripts start
# and stop it for real.  The digest's interval is 2 s (a drop-in that
# changes nothing else), so the test waits on lines, not on time.
VGPKT=${VGPKT:-$OUTPUT/vgpkt}
MON_MAC=00:16:3e:00:06:00
# bx CMD...: in the booted container (every namespace); $out, $rc.
bx() {
	out=$(nsenter -t "$leader" -a env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C \
		DEBIAN_FRONTEND=noninteractive "$@" 2>&1)
	rc=$?
}
# bn CMD...: a host binary in the container's network namespace.
bn() { nsenter -t "$leader" -n "$@"; }
# digest_until PATTERN SRC_IP: vif6.0 sends a frame from SRC_IP each
# round until the vifguard journal has a line matching PATTERN (20 s).
digest_until() {
	local i
	for ((i = 0; i < 100; i++)); do
		bn "$VGPKT" send -i g6 udp4 --src-mac $MON_MAC --src-ip "$2" >/dev/null 2>&1
		bx journalctl -q -t vifguard -o cat --no-pager
		grep -q -- "$1" <<<"$out" && return 0
		sleep 0.2
	done
	return 1
}
boot_monitor_tests() {
	local i leader= mpid state pid1
	rm -rf "$boot_jail"
	cp -a "$base" "$boot_jail" && cp "$old_deb" "$boot_jail/tmp/old.deb" ||
		vg_bail "cannot copy $base to $boot_jail"
	out=$(chroot "$boot_jail" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q /tmp/old.deb 2>&1) ||
		vg_bail "apt-get install in $boot_jail: $out"
	mkdir -p "$boot_jail/etc/systemd/system/vifguard-monitor.service.d"
	printf '%s\n' "[Service]" "ExecStart=" \
		"ExecStart=/usr/sbin/vifguard monitor --syslog --wait --interval 2" \
		>"$boot_jail/etc/systemd/system/vifguard-monitor.service.d/test-interval.conf"
	mkdir -p "$boot_bpf" && mount -t bpf -o mode=0700 bpf "$boot_bpf" || vg_bail "mount bpffs"
	unshare -n sleep infinity &
	boot_netns_pid=$!
	sleep 0.2
	systemd-nspawn -D "$boot_jail" --boot --register=no --keep-unit -q \
		--network-namespace-path="/proc/$boot_netns_pid/ns/net" \
		--bind="$boot_bpf:/sys/fs/bpf" \
		--capability=CAP_BPF,CAP_PERFMON,CAP_NET_ADMIN,CAP_SYS_ADMIN,CAP_SYS_RESOURCE,CAP_IPC_LOCK \
		--system-call-filter='bpf perf_event_open' \
		</dev/null >"$OUTPUT/deb/nspawn.log" 2>&1 &
	boot_pid=$!
	for ((i = 0; i < 300; i++)); do
		leader=$(pgrep -P "$boot_pid" | head -n 1)
		if [ -n "$leader" ]; then
			bx systemctl is-system-running
			case $out in running | degraded) break ;; esac
		fi
		kill -0 "$boot_pid" 2>/dev/null || break
		sleep 0.2
	done
	case ${out:-} in
	running | degraded) ;;
	*)
		tap_skip "vifguard-monitor.service under systemd" \
			"the container did not boot: $(tail -n 3 "$OUTPUT/deb/nspawn.log" | tr '\n' ' ')"
		return
		;;
	esac

	bx systemctl is-active vifguard-gc.timer
	tap_check "vifguard-gc.timer is active after boot" "active" "$out"
	bx systemctl show -p Result -p ConditionResult vifguard-gc.service
	tap_check "vifguard-gc.service started with no state: skipped by its condition, not failed" \
		"Result=success|ConditionResult=no" "$(paste -sd '|' <<<"$out")"
	bx systemctl is-active vifguard-monitor.service
	state=$out
	bx journalctl -q -t vifguard -o cat --no-pager
	tap_check "booted with nothing filtered: the monitor unit is active and waits" \
		"active yes" "$state $(grep -q 'waiting: /sys/fs/bpf/vifguard has no events map' \
			<<<"$out" && echo yes || echo no)" "$out"
	bx systemctl show -p MainPID --value vifguard-monitor.service
	mpid=$out
	# The unit's bounding set (CAP_IPC_LOCK 14, CAP_SYS_ADMIN 21,
	# CAP_SYS_RESOURCE 24, CAP_PERFMON 38, CAP_BPF 39) within the
	# container's (PID 1's).
	bx cat /proc/1/status
	pid1=$(sed -n 's/^CapBnd:\t//p' <<<"$out")
	bx cat "/proc/$mpid/status"
	tap_check "it runs under the unit's sandbox: its capability bounding set, no new privileges" \
		"$(printf '%016x' $((0x$pid1 & 0xc001204000)))|1" \
		"$(sed -n 's/^CapBnd:\t//p' <<<"$out")|$(sed -n 's/^NoNewPrivs:\t//p' <<<"$out")" "$out"

	bn ip link add vif6.0 type veth peer name g6 && bn ip link set vif6.0 up &&
		bn ip link set g6 up || vg_bail "cannot create a veth in the container"
	bx vifguard attach vif6.0 --mac $MON_MAC --ipv4 192.0.2.6
	tap_check "attach vif6.0 in the booted system: exit 0" 0 "$rc" "$out"
	digest_until "^vif6.0: [0-9]* frames dropped (ipv4-src, e.g. $MON_MAC > ff:ff:ff:ff:ff:ff ethertype 0x0800 192.0.2.99 > " 192.0.2.99
	tap_check "the unit's digest in the journal (journalctl -t vifguard): vif6.0, count, example" \
		0 "$?" "$out"

	# A device that goes without its detach: the gc unit removes what
	# it left, and keeps vif6.0's.
	bn ip link add vif7.0 type veth peer name g7 && bn ip link set vif7.0 up ||
		vg_bail "cannot create a veth in the container"
	bx vifguard attach vif7.0 --mac 00:16:3e:00:07:00 --ipv4 192.0.2.7
	tap_check "attach vif7.0 in the booted system: exit 0" 0 "$rc" "$out"
	bn ip link del vif7.0
	bx vifguard -j show
	local before
	before=$(jq -r '[.interfaces[].ifname] | sort | join(",")' <<<"$out")
	bx systemctl start vifguard-gc.service
	local grc=$rc
	bx vifguard -j show
	tap_check "systemctl start vifguard-gc.service after vif7.0 went: its policy gone, vif6.0's kept" \
		"vif6.0,vif7.0 0 vif6.0" \
		"$before $grc $(jq -r '[.interfaces[].ifname] | sort | join(",")' <<<"$out")" "$out"
	bx systemctl show -p Result vifguard-gc.service
	tap_check "the gc unit's run succeeded" "Result=success" "$out"

	# The state removed and made again: the same process reads the new one.
	bx vifguard detach --all
	rm -rf "$boot_bpf/vifguard"
	bx vifguard attach vif6.0 --mac $MON_MAC --ipv4 192.0.2.6
	tap_check "state removed (detach --all, root removed), attached again: exit 0" 0 "$rc" "$out"
	digest_until "^vif6.0: [0-9]* frames dropped (ipv4-src, e.g. .* 192.0.2.98 > " 192.0.2.98
	tap_check "the digest goes on from the new root" 0 "$?" "$out"
	tap_check "the monitor said the removal" "yes" \
		"$(grep -Eq 'the state under /sys/fs/bpf/vifguard was (removed|made again)' <<<"$out" &&
			echo yes || echo no)" \
		"$out"
	bx systemctl show -p MainPID -p NRestarts vifguard-monitor.service
	tap_check "one process throughout: never failed, never restarted" \
		"MainPID=$mpid|NRestarts=0" "$(paste -sd '|' <<<"$out")"

	bx dpkg -r vifguard
	tap_check "dpkg -r in the booted system: exit 0" 0 "$rc" "$out"
	bx sh -c "kill -0 $mpid 2>&1 && echo running || echo stopped"
	tap_check "the removal stopped the monitor" "stopped" "$(tail -n 1 <<<"$out")"
	bx dpkg -P vifguard
	tap_check "the purge left no enablement of the monitor unit" "0 " \
		"$rc $(find "$boot_jail/etc/systemd/system" -name 'vifguard-monitor.service' -printf '%h ')" \
		"$out"
	bx systemctl poweroff
	for ((i = 0; i < 150; i++)); do kill -0 "$boot_pid" 2>/dev/null || break; sleep 0.2; done
}
if command -v systemd-nspawn >/dev/null; then
	boot_monitor_tests
else
	tap_skip "vifguard-monitor.service under systemd" "systemd-nspawn missing (packaging/deb/packages)"
fi

# ---- piuparts ------------------------------------------------------------

# Debian's own check of installation and purge, from a copy of the base.
if command -v piuparts >/dev/null; then
	log=$OUTPUT/deb/piuparts.log
	piuparts -d bookworm -m "$mirror" -e "$base" --tmpdir "$OUTPUT/deb" -l "$log" \
		"$old_deb" >/dev/null 2>&1
	tap_check "piuparts: installation and purging test passes" "0 yes" \
		"$? $(grep -q 'PASS: Installation and purging test' "$log" && echo yes || echo no)" \
		"$(grep -E 'ERROR|FAIL' "$log" | head -n 20)"
else
	tap_skip "piuparts: installation and purging test" "piuparts missing (packaging/deb/packages)"
fi

tap_done
