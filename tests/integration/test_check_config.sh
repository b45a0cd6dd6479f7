#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# check-config, as an operator runs it before copying a file to every
# host: every error with file:line in file order, warnings for what attach
# would refuse, exit 1 on an error and 0 otherwise, the same findings
# under -j, the default path from $VIFGUARD_CONFIG; no xenstore and no
# bpffs (the root named does not exist and stays so).
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || vg_skip_all "needs root (the file must be root's)"
command -v jq >/dev/null || vg_bail "jq missing (scripts/install-deps.sh)"
dir=$(mktemp -d /tmp/vifguard-check.XXXXXX) || vg_bail "mktemp"
trap 'rm -rf "$dir"' EXIT
chmod 755 "$dir"
conf=$dir/vifguard.conf
noroot=$dir/no-bpffs
cc() { "$VIFGUARD" -r "$noroot" "$@"; }

cat >"$conf" <<'EOF'
# a pool's file with three typos and a risky address
9c1fbbd2-5a37-4c5e-8c2d-6f2f1a0b7e11 10.0.0.5 10.0.0.300
00:16:3e:5a:01:02 192.168.10.20 ::/0
00:16:3e:5a:01:03 mode=locked allow-ra no-such-option
not-a-key 10.0.0.9
0b7e1c54-2f4d-4e3a-9a1b-2c3d4e5f6a7b mode=disabled
EOF
chmod 644 "$conf"

out=$(cc check-config "$conf" 2>"$dir/err")
tap_check "three errors: exit 1" 1 "$?" "$(cat "$dir/err")"
want="$conf:2: '10.0.0.300': not an IPv4 address
$conf:3: warning: '::/0': all addresses: the guest could use any source; applied as written, but attach refuses it without --force
$conf:4: 'no-such-option': unknown option (see vifguard(8), CONFIG FILE)
$conf:5: 'not-a-key': expected a VIF UUID or a MAC address"
tap_check "every finding, file:line, in file order" "$want" "$out"
tap_check "the summary on stderr" \
	"vifguard: $conf: 3 errors, 1 warning: hotplug refuses the file and fails closed every VIF it decides" \
	"$(cat "$dir/err")"

json=$(cc -j check-config "$conf")
tap_check "-j: exit 1" 1 "$?"
tap_check "-j: every finding with its line and severity" \
	"2 error 10.0.0.300|3 warning ::/0|4 error no-such-option|5 error not-a-key" \
	"$(jq -rs '[.[0].findings[] | "\(.line) \(.severity) \(.word)"] | join("|")' <<<"$json")"
tap_check "-j: counts, then the error document" "3 1 false 3 errors" \
	"$(jq -rs '"\(.[0].error_count) \(.[0].warning_count) \(.[0].valid) \(.[1].error.message | split(": ")[1] | split(",")[0])"' <<<"$json")"

# Fixed, and named by $VIFGUARD_CONFIG: valid, the warning still said.
sed -i -e 's/10.0.0.300/10.0.0.30/' -e 's/ no-such-option//' -e '/^not-a-key/d' "$conf"
out=$(VIFGUARD_CONFIG=$conf cc check-config 2>&1)
tap_check "fixed: exit 0" 0 "$?" "$out"
tap_check "fixed: the warning and the summary" \
	"$conf:3: warning: '::/0': all addresses: the guest could use any source; applied as written, but attach refuses it without --force
$conf: valid, 4 entries (2 by VIF UUID, 2 by MAC), 1 warning" "$out"
tap_check "-j fixed: valid" "true 4 []" \
	"$(VIFGUARD_CONFIG=$conf cc -j check-config | jq -rc '"\(.valid) \(.entries) \([.findings[] | select(.severity == "error")])"')"

# A file hotplug would refuse for its owner is an error, and its lines
# are checked all the same.
chown 65534 "$conf"
echo "00:16:3e:5a:01:09 bad-word" >>"$conf"
out=$(cc check-config "$conf" 2>/dev/null)
tap_check "not root's: exit 1" 1 "$?"
tap_check "not root's: said, and the lines still checked" \
	"$conf: owned by uid 65534 with mode 0644; refused (must be root's and not writable by group or others)|$conf:6: 'bad-word': unknown option (see vifguard(8), CONFIG FILE)" \
	"$(grep -v warning <<<"$out" | paste -sd'|')"

out=$(cc check-config "$dir/absent.conf" 2>&1)
tap_check "a missing file: exit 1" 1 "$?"
case $out in
*"no such file (hotplug reads a missing file as an empty one"*) tap_ok "a missing file: says what hotplug does" ;;
*) tap_fail "a missing file: says what hotplug does" "no such file (hotplug reads ..." "$out" ;;
esac
tap_check "no bpffs root was created" no "$([ -e "$noroot" ] && echo yes || echo no)"
out=$("$VIFGUARD" check-config "$VG_TOP/etc/vifguard.conf.example" 2>&1)
tap_check "the shipped example is valid" 0 "$?" "$out"

# The host line's learning switch and protected addresses.
cat >"$conf" <<'EOF'
host learn=none protect=fe80::1,fe80::2
host learn=dhcp6 protect=fe80::1/64
host protect=ff02::2 dhcp-grace=1d
host dhcp-grace=86401 learn=dhcp
EOF
chmod 644 "$conf"
chown 0 "$conf"
out=$(cc check-config "$conf" 2>/dev/null)
want="$conf:2: 'learn=dhcp6': 'dhcp6': unknown learning (expected link-local, dhcp, first or none)
$conf:2: 'protect=fe80::1/64': 'fe80::1/64': not an IPv6 address
$conf:3: 'protect=ff02::2': 'ff02::2': not a unicast address
$conf:3: 'dhcp-grace=1d': expected seconds, 0..86400
$conf:4: 'dhcp-grace=86401': more than 86400 seconds (a day)
$conf:4: 'learn=dhcp': conflicts with the learning set on line 1"
tap_check "host learn=, dhcp-grace= and protect=: each bad word, file:line" "$want" "$out"
sed -i '2,4d' "$conf"
out=$(cc check-config "$conf" 2>&1)
tap_check "host learn=none protect=: valid, both said" "0 yes yes" \
	"$? $(grep -q 'host link-local learning off (line 1)' <<<"$out" && echo yes || echo no) $(
	grep -q '^2 protected addresses (host protect=)' <<<"$out" && echo yes || echo no)" "$out"
tap_check "-j: host_learn_link_local false, host_protect_count 2" "false 2" \
	"$(cc -j check-config "$conf" | jq -r '"\(.host_learn_link_local) \(.host_protect_count)"')"
tap_check "-j: no learn=dhcp, no dhcp-grace=: DHCP learning off, grace the default (60 s)" \
	"false 60" "$(cc -j check-config "$conf" | jq -r '"\(.host_learn_dhcp) \(.host_dhcp_grace_s)"')"

# DHCP learning and its grace.
printf 'host learn=link-local,dhcp\nhost dhcp-grace=300\n' >"$conf"
out=$(cc check-config "$conf" 2>&1)
tap_check "host learn=link-local,dhcp dhcp-grace=300: valid, both said" "0 yes yes no" \
	"$? $(grep -q '^host DHCP learning on (line 1)' <<<"$out" && echo yes || echo no) $(
	grep -q '^DHCP grace 300 s (line 2)' <<<"$out" && echo yes || echo no) $(
	grep -q 'link-local learning off' <<<"$out" && echo yes || echo no)" "$out"
tap_check "-j: host_learn_link_local, host_learn_dhcp, host_dhcp_grace_s" "true true 300" \
	"$(cc -j check-config "$conf" |
	   jq -r '"\(.host_learn_link_local) \(.host_learn_dhcp) \(.host_dhcp_grace_s)"')"
printf 'host learn=dhcp dhcp-grace=0\n' >"$conf"
out=$(cc check-config "$conf" 2>&1)
tap_check "host learn=dhcp dhcp-grace=0: link-local learning off, grace 0" "0 yes yes" \
	"$? $(grep -q '^host link-local learning off (line 1)' <<<"$out" && echo yes || echo no) $(
	grep -q '^DHCP grace 0 s (line 1)' <<<"$out" && echo yes || echo no)" "$out"

# Trust on first use and the learned state across migration: the
# resume window and the first-use lease, bounded, their defaults.
tap_check "-j: no resume-window=, first-lease=: 30 and 86400, first-use learning off" \
	"30 86400 false" "$(cc -j check-config "$conf" |
	jq -r '"\(.host_resume_window_s) \(.host_first_lease_s) \(.host_learn_first)"')"
printf 'host resume-window=3601 first-lease=2592001\nhost first-lease=1h resume-window=-1\nhost resume-window=10\nhost resume-window=20\n' >"$conf"
out=$(cc check-config "$conf" 2>/dev/null)
want="$conf:1: 'resume-window=3601': more than 3600 seconds (an hour)
$conf:1: 'first-lease=2592001': more than 2592000 seconds (30 days)
$conf:2: 'first-lease=1h': expected seconds, 0..2592000
$conf:2: 'resume-window=-1': expected seconds, 0..3600
$conf:4: 'resume-window=20': conflicts with the resume window set on line 3"
tap_check "host resume-window= and first-lease=: each bad word, file:line" "$want" "$out"
printf 'host learn=dhcp,first resume-window=0 first-lease=600\n' >"$conf"
out=$(cc check-config "$conf" 2>&1)
tap_check "host learn=dhcp,first resume-window=0 first-lease=600: valid, each said" \
	"0 yes yes yes" "$? $(grep -q '^host trust on first use on (line 1)' <<<"$out" && echo yes || echo no) $(
	grep -q '^resume window 0 s (line 1): off' <<<"$out" && echo yes || echo no) $(
	grep -q '^first-use lease 600 s (line 1)' <<<"$out" && echo yes || echo no)" "$out"
tap_check "-j: host_learn_first, host_resume_window_s, host_first_lease_s" "true 0 600" \
	"$(cc -j check-config "$conf" |
	   jq -r '"\(.host_learn_first) \(.host_resume_window_s) \(.host_first_lease_s)"')"

# The unlisted VIFs: open by default, locked by learning with unlisted=learn.
tap_check "-j: no unlisted=: open" "open" "$(cc -j check-config "$conf" | jq -r .host_unlisted)"
printf '# comment\nhost unlisted=learn\n' >"$conf"
out=$(cc check-config "$conf" 2>&1)
tap_check "host unlisted=learn: valid, said with its line" "0 yes" \
	"$? $(grep -q '^unlisted VIFs locked by learning (line 2)' <<<"$out" && echo yes || echo no)" \
	"$out"
tap_check "-j: host_unlisted learn" "learn" "$(cc -j check-config "$conf" | jq -r .host_unlisted)"
printf 'host unlisted=lock\nhost unlisted=learn\nhost unlisted=open\n' >"$conf"
out=$(cc check-config "$conf" 2>/dev/null)
want="$conf:1: 'unlisted=lock': expected open (unfiltered, the default) or learn (locked to the VIF's MAC and the addresses it learns)
$conf:3: 'unlisted=open': conflicts with the unlisted= set on line 2"
tap_check "host unlisted=: each bad word, file:line" "$want" "$out"

tap_done
