#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The examples of README's command-line section and of vifguard(8)'s
# EXAMPLES run as written, in order, and each exits 0: on a guest vif5.0
# of a VM named web01 whose xl config gives it 192.0.2.5, with a real
# xenstore.  An example the binary no longer takes (a renamed option, a
# step that changed) fails here before an operator copies it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/test_xen_lib.bash"
xen_init "$@"

top=$(cd "$(dirname "$0")/../.." && pwd)
MAC=00:16:3e:00:05:00

# `vifguard` as the examples call it: this build, the test's root, in the
# simulated dom0's network namespace.
mkdir -p "$VG_TMP/bin"
cat >"$VG_TMP/bin/vifguard" <<EOF
#!/bin/sh
exec ip netns exec "$HOST" env VIFGUARD_ROOT="$ROOT" VIFGUARD_CONFIG="$VIFGUARD_CONFIG" \\
	VIFGUARD_NETWORK_BACKEND=bridge "$VIFGUARD" "\$@"
EOF
chmod 0755 "$VG_TMP/bin/vifguard"

xen_vif g5 vif5.0 $MAC
xl_nic 5 0 $MAC 192.0.2.5
xs_write /vm/"$(vm_uuid 5)"/name web01
echo "00:16:3e:00:06:00 192.0.2.6" >"$VIFGUARD_CONFIG"
# node_exporter's textfile directory, where the metrics example writes:
# a scratch one over the host's (this mount namespace is the test's).
prom=/var/lib/prometheus
[ -d $prom ] || vg_bail "$prom missing (Debian package prometheus, scripts/install-deps.sh)"
mount -t tmpfs -o mode=0755 vg-prom $prom && mkdir $prom/node-exporter ||
	vg_bail "cannot mount a scratch $prom"

# README: the indented lines after "Examples:" in "## The command line",
# up to the next paragraph; a line ending in a backslash goes on.
readme_examples() {
	awk '/^## The command line/ { s = 1; next } /^## / { s = 0 }
		s && /^Examples:/ { e = 1; next }
		e && /^[^ ]/ { exit }
		e && /^    / { print }' "$top/README.md" |
		sed 's/^    //' | sed -e ':a' -e '/\\$/N; s/\\\n *//; ta' |
		grep '^vifguard ' | sed 's/  *#.*$//'
}

# vifguard(8): the lines of EXAMPLES that start with the command.
man_examples() {
	sed -n '/^\.SH EXAMPLES/,/^\.SH /p' "$top/docs/vifguard.8" |
		sed 's/\\-/-/g' | grep '^vifguard '
}

# run_all NAME MIN: each example line on stdin in a shell with the
# wrapper first on PATH; --watch runs until SIGTERM, as documented.
run_all() {
	local name=$1 min=$2 n=0 line out rc
	while IFS= read -r line; do
		n=$((n + 1))
		out=$(PATH="$VG_TMP/bin:$PATH" timeout --preserve-status -s TERM 4 \
			bash -o pipefail -c "$line" 2>&1 </dev/null)
		rc=$?
		tap_check "$name: $line" "exit 0" "exit $rc" "$out"
	done
	[ "$n" -ge "$min" ] && tap_ok "$name: $n examples found (at least $min)" ||
		tap_fail "$name: examples found" "at least $min" "$n"
}

run_all README 12 < <(readme_examples)
out=$(vg detach --all 2>&1)
tap_check "between the two: detach --all" "exit 0" "exit $?" "$out"
run_all "vifguard(8)" 15 < <(man_examples)
tap_done
