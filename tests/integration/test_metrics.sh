#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# vifguard metrics, as node_exporter's textfile collector reads it: two
# guests send known frames, forged and not; the exposition passes
# Prometheus' own parser and linter (promtool check metrics) and holds
# exactly the frames sent, per interface and reason; --output replaces
# its file at once (a new inode, mode 0644 whatever the umask, no
# temporary file left); a root without state while devices carry the
# program (the wrong root), or a directory that cannot be written, is an
# error that leaves the file in place; a host where nothing is filtered
# says so with zeros.
# docs/metrics.prom is this test's output: VG_METRICS_SAMPLE=FILE writes
# it there, and the test checks that the one in docs/ is still what the
# command makes (its ifindex and time aside).
. "$(dirname "$0")/lib.sh"
vg_init
command -v promtool >/dev/null ||
	vg_bail "promtool missing (Debian package prometheus, scripts/install-deps.sh)"
top=$(cd "$(dirname "$0")/../.." && pwd)

vg_guest g1 vif7.0 02:00:00:00:07:00 quiet
vg_guest g2 vif8.0 02:00:00:00:08:00 quiet
VG_FENCE[g1]="udp4 --src-ip 10.99.0.7"
VG_FENCE[g2]="udp4 --src-ip 10.99.0.8"
out=$(vg attach vif7.0 --mac 02:00:00:00:07:00 --ipv4 10.99.0.7 2>&1) || vg_bail "attach: $out"
out=$(vg attach vif8.0 --mac 02:00:00:00:08:00 --ipv4 10.99.0.8 2>&1) || vg_bail "attach: $out"
vg_up g1
vg_up g2
if7=$(hx cat /sys/class/net/vif7.0/ifindex)
if8=$(hx cat /sys/class/net/vif8.0/ifindex)

# vif7.0: 2 of its own, 3 from a forged IPv4 source.  vif8.0: 4 with
# vif7.0's MAC, 1 from a multicast MAC.  Each vg_xfer ends with a fence
# frame that passes: vif7.0 passes 4, vif8.0 2.
vg_xfer g1 2 udp4 --src-ip 10.99.0.7
tap_check "vif7.0's own frames arrive" 2 "$RX"
vg_xfer g1 3 udp4 --src-ip 10.99.0.77
tap_check "vif7.0's forged IPv4 source is dropped" 0 "$RX"
vg_xfer g2 4 udp4 --src-mac 02:00:00:00:07:00 --src-ip 10.99.0.8
tap_check "vif8.0's forged MAC is dropped" 0 "$RX"
vg_xfer g2 1 udp4 --src-mac 01:00:5e:00:00:01 --src-ip 10.99.0.8
tap_check "vif8.0's multicast MAC is dropped" 0 "$RX"

# ---- the exposition on stdout ---------------------------------------------------
text=$(vg metrics 2>&1)
tap_check "metrics: exit 0" 0 "$?" "$text"
lint=$(promtool check metrics <<<"$text" 2>&1)
tap_check "promtool check metrics: parsed, no lint problem" "0 " "$? $lint" "$text"

# sample NAME{LABELS}: its value, or "absent"
sample() {
	local v
	# through the environment: awk -v would undo the escapes
	v=$(S=$1 awk 'substr($0, 1, length(ENVIRON["S"]) + 1) == ENVIRON["S"] " " { print $2 }' \
		<<<"$text")
	echo "${v:-absent}"
}
l7="interface=\"vif7.0\",ifindex=\"$if7\""
l8="interface=\"vif8.0\",ifindex=\"$if8\""
tap_check "vif7.0: passed (2 and 2 fences)" 4 "$(sample "vifguard_passed_frames_total{$l7}")" "$text"
tap_check "vif7.0: dropped for ipv4-src" 3 \
	"$(sample "vifguard_dropped_frames_total{$l7,reason=\"ipv4-src\"}")" "$text"
tap_check "vif7.0: dropped for src-mac (a series at zero)" 0 \
	"$(sample "vifguard_dropped_frames_total{$l7,reason=\"src-mac\"}")" "$text"
tap_check "vif8.0: passed (2 fences)" 2 "$(sample "vifguard_passed_frames_total{$l8}")" "$text"
tap_check "vif8.0: dropped for src-mac" 4 \
	"$(sample "vifguard_dropped_frames_total{$l8,reason=\"src-mac\"}")" "$text"
tap_check "vif8.0: dropped for src-mac-multicast" 1 \
	"$(sample "vifguard_dropped_frames_total{$l8,reason=\"src-mac-multicast\"}")" "$text"
tap_check "every drop is in a series: vif7.0 3, vif8.0 5" "3 5" \
	"$(awk -v a="{$l7," -v b="{$l8," '/^vifguard_dropped_frames_total/ {
		if (index($0, a)) x += $2; if (index($0, b)) y += $2 } END { print x + 0, y + 0 }' \
		<<<"$text")" "$text"
tap_check "host totals per reason" "3 4 1" \
	"$(sample 'vifguard_host_dropped_frames_total{reason="ipv4-src"}') $(
	   sample 'vifguard_host_dropped_frames_total{reason="src-mac"}') $(
	   sample 'vifguard_host_dropped_frames_total{reason="src-mac-multicast"}')" "$text"
tap_check "interfaces, orphans, drop counters full" "2 0 0 0" \
	"$(sample vifguard_interfaces) $(sample vifguard_orphan_interfaces) $(
	   sample vifguard_orphan_dropped_frames_total) $(sample vifguard_drop_counters_full)" \
	"$text"
tap_check "interface info: the mode" 1 \
	"$(sample "vifguard_interface_info{$l7,mode=\"locked\"}")" "$text"
tap_check "no Xen label without xenstore" 0 "$(grep -cE 'domid=|vm_uuid=|vif_uuid=' <<<"$text")"
now=$(date +%s)
gen=$(sample vifguard_metrics_generated_seconds)
tap_check "generated_seconds: now, with milliseconds" ok \
	"$([[ $gen =~ ^[0-9]+\.[0-9]{3}$ ]] && [ $((now - ${gen%.*})) -le 5 ] && echo ok)" "$gen"

j=$(vg -j metrics 2>&1)
tap_check "-j: the series counted, the text as \"text\"" \
	"$(grep -vc '^#' <<<"$text") true" \
	"$(jq -r '"\(.series) \(.text | startswith("# HELP vifguard_"))"' <<<"$j")" "$j"

if [ -n "${VG_METRICS_SAMPLE:-}" ]; then
	{
		echo "# A sample of \`vifguard metrics\`, written by tests/integration/test_metrics.sh"
		echo "# (VG_METRICS_SAMPLE=docs/metrics.prom) on a Linux bridge without Xen, so"
		echo "# without Xen labels.  vif7.0 sent 2 frames of its own and 3 from a forged"
		echo "# IPv4 source; vif8.0 4 with vif7.0's MAC and 1 from a multicast MAC; each"
		echo "# of the four batches ended with a frame of the guest's own, which passed."
		printf '%s\n' "$text"
	} >"$VG_METRICS_SAMPLE"
fi
# The sample in docs/ without its comments, with its ifindex values and
# time made the same.
norm() {
	sed -E '/^# (HELP|TYPE) /!{/^#/d}; s/ifindex="[0-9]+"/ifindex="N"/
		s/^(vifguard_metrics_generated_seconds) .*/\1 T/' "$@"
}
tap_check "docs/metrics.prom is what this test makes (VG_METRICS_SAMPLE=FILE remakes it)" \
	"" "$(diff <(norm "$top/docs/metrics.prom") <(norm <<<"$text") 2>&1)"
lint=$(promtool check metrics <"$top/docs/metrics.prom" 2>&1)
tap_check "docs/metrics.prom: promtool check metrics" "0 " "$? $lint"

# ---- --output FILE --------------------------------------------------------------
dir=$VG_TMP/textfile
file=$dir/vifguard.prom
mkdir -p "$dir"
echo "# the previous scrape" >"$file"
old_ino=$(stat -c %i "$file")
out=$( (umask 077; vg metrics --output "$file") 2>&1)
tap_check "--output: exit 0, nothing on stdout" "0 " "$? $out"
tap_check "--output: mode 0644 under umask 077" 644 "$(stat -c %a "$file")"
tap_check "--output: a new file renamed over the old one" new \
	"$([ "$(stat -c %i "$file")" != "$old_ino" ] && echo new)"
tap_check "--output: no temporary file left" "vifguard.prom" "$(ls -A "$dir" | tr '\n' ' ' | sed 's/ $//')"
lint=$(promtool check metrics <"$file" 2>&1)
tap_check "--output: promtool check metrics on the file" "0 " "$? $lint"
tap_check "--output: the same series as stdout" "" \
	"$(diff <(norm "$file") <(norm <<<"$text") 2>&1)"

j=$(vg -j metrics -o "$file" 2>&1)
tap_check "-j --output: the file and the series written" "$file $(grep -vc '^#' <<<"$text") null" \
	"$(jq -r '"\(.output) \(.series) \(.text)"' <<<"$j")" "$j"

cp "$file" "$VG_TMP/good.prom"
empty=$VG_TMP/empty
mkdir -p "$empty"
mount -t bpf -o mode=0700 bpf "$empty" || vg_bail "cannot mount a second bpffs"
out=$(ip netns exec "$HOST" "$VIFGUARD" -r "$empty" metrics --output "$file" 2>&1)
rc=$?
umount "$empty"
tap_check "a root without state while the guests are filtered: exit 1, says so" \
	"1 no vifguard state here" "$rc $(grep -o 'no vifguard state here' <<<"$out")" "$out"
tap_check "a root without state: the file is the last good one" same \
	"$(cmp -s "$file" "$VG_TMP/good.prom" && echo same)"
tap_check "a root without state: no temporary file left" "vifguard.prom" \
	"$(ls -A "$dir" | tr '\n' ' ' | sed 's/ $//')"

# A host where nothing carries the program (a network namespace of its
# own, a root never made): zeros, and that is the truth.
vg_netns_add "$VG_ID-bare"
out=$(ip netns exec "$VG_ID-bare" "$VIFGUARD" -r "$ROOT/never" metrics 2>&1)
tap_check "nothing filtered on the host: exit 0, vifguard_interfaces 0" "0 0" \
	"$? $(awk '$1 == "vifguard_interfaces" { print $2 }' <<<"$out")" "$out"
lint=$(promtool check metrics <<<"$out" 2>&1)
tap_check "nothing filtered on the host: promtool check metrics" "0 " "$? $lint"

out=$(vg -j metrics --output "$VG_TMP/nodir/vifguard.prom" 2>&1)
tap_check "a directory that is not there: exit 1, a JSON error naming the file" \
	"1 not_found $VG_TMP/nodir/vifguard.prom: cannot create a temporary file in its directory: No such file or directory" \
	"$? $(jq -r '"\(.error.code) \(.error.message)"' <<<"$out")" "$out"

# ---- label values that need escaping --------------------------------------------
# An interface name may hold '"', '\' and bytes that are no UTF-8.
odd=$'q"\\\xff1'
ip -n "$HOST" link add "$odd" type veth peer name odd0 || vg_bail "cannot create $odd"
out=$(vg attach "$odd" --mac 02:00:00:00:09:00 2>&1) || vg_bail "attach: $out"
ifo=$(hx cat "/sys/class/net/$odd/ifindex")
text=$(vg metrics 2>&1)
lint=$(promtool check metrics <<<"$text" 2>&1)
tap_check "an odd interface name: promtool check metrics" "0 " "$? $lint" "$text"
tap_check "an odd interface name: '\"' and '\\\\' escaped, the byte 0xff as U+FFFD" 1 \
	"$(sample 'vifguard_interface_info{interface="q\"\\'$'\xef\xbf\xbd''1",ifindex="'"$ifo"'",mode="locked"}')" \
	"$(grep '^vifguard_interface_info' <<<"$text")"
tap_done
