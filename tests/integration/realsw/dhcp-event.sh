#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Event script of the DHCP clients under test: dhclient (-sf; event in
# $reason), udhcpc (-s; event in $1) and dhcpcd (-c; event in $reason).
# Usage (from the per-client wrapper rs_client_script writes):
#   dhcp-event.sh STATE configure|record [udhcpc's arguments]
# Records the event's environment as STATE.EVENT and its name as a line
# of STATE.events.  "configure" applies a lease inside the guest the way
# Debian's scripts do, minus /etc/resolv.conf and the hostname, which are
# the host's: `ip netns exec` shares /etc.
state=$1 mode=$2
shift 2
ev=${reason:-${1:-none}}
env | sort >"$state.$ev"
echo "$ev" >>"$state.events"
[ "$mode" = configure ] || exit 0

case $ev in
BOUND | REBOOT | RENEW | REBIND)
	# dhclient, IPv4 (new_subnet_mask is dotted; ip accepts it)
	ip addr replace "$new_ip_address/$new_subnet_mask" dev "$interface"
	[ -n "$new_routers" ] &&
		ip route replace default via "${new_routers%% *}" dev "$interface"
	;;
BOUND6 | REBOOT6 | RENEW6 | REBIND6)
	# dhclient -6: an IA_NA address is a /128 (RFC 8415 21.6); the
	# on-link prefix comes from Router Advertisements.
	ip -6 addr replace "$new_ip6_address/${new_ip6_prefixlen:-128}" \
		dev "$interface"
	;;
bound | renew)
	# udhcpc
	ip addr replace "$ip/${mask:-24}" dev "$interface"
	[ -n "$router" ] &&
		ip route replace default via "${router%% *}" dev "$interface"
	;;
esac
exit 0
