// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Trust on first use (VG_F_LEARN_FIRST, include/vifguard.h "Address
 * learning"): the real program, loaded through its skeleton, runs
 * sequences of crafted frames through BPF_PROG_TEST_RUN: the ingress
 * program "vifguard" for the IPv4, ARP and IPv6 sources a guest uses
 * first, the egress program "vifguard_out" for the DHCP messages that
 * turn a first-use address into a lease.  After each step a case asserts
 *
 *   the verdict, and that exactly the counter of its reason moved by one
 *   (ingress: passes[the interface's slot], or drops[{ifindex, reason}]
 *   and totals[reason]; egress: TC_ACT_OK always, and nothing counted
 *   but a refused lease's reason), and, where the case says so, the
 *   whole of learned4, learned6, lease_slots and protected6: every entry
 *   with its interface, origin and slot, the expiry of a first-use
 *   address (forever, or first_lease_s from the case's run) and of a
 *   lease, its slot's since_ns equal to
 *   it, the window's slot, and no other entry.
 *
 * Interfaces: A is the namespace's loopback device, B one end of a veth
 * pair, C the other end, which has no policy (an uplink).  A and B have
 * policies of their own: their own MAC, one configured IPv4 and IPv6
 * address inline, VG_F_DHCP_CLIENT, VG_F_LINK_LOCAL and VG_F_LEARN_FIRST
 * (F_BOTH adds VG_F_LEARN_DHCP) unless the case changes it.  Before every
 * case the learning maps and the counters are emptied, the policies
 * written afresh, no window is open, and learn_cfg holds a grace of 60 s
 * and a first_lease_s of 0.
 *
 * Usage: test-first [FIRST]   TAP numbering starts at FIRST (default 1).
 * Root only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "learn_harness.h"
#include "dhcp_frames.h"
#include "lease_harness.h"

/* The owner of a parked address (include/vifguard.h "parked"): nobody. */
static const struct iface PARKED = { "parked", 0, 0, NULL, NULL, NULL, NULL };

/* --- policies and configuration ------------------------------------------------ */

#define F_DEFAULT	(VG_F_DHCP_CLIENT | VG_F_LINK_LOCAL | VG_F_LEARN_FIRST)
#define F_BOTH		(F_DEFAULT | VG_F_LEARN_DHCP)

/* i's learning window, ending at end (bpf_ktime_get_ns() clock), as the
 * loader opens it on attach. */
static void set_window(const struct iface *i, __u64 end)
{
	struct vg_slot_key sk = { i->ifindex, VG_SLOT_WINDOW };
	struct vg_slot v = { .since_ns = end };

	if (bpf_map_update_elem(map_fd(skel->maps.lease_slots), &sk, &v, BPF_ANY))
		die("window update", errno);
}

/* What the loader leaves of an address parked (xl save, migration):
 * held by ifindex 0 until expires, no slot. */
static void put_parked(const char *addr, __u8 origin, __u64 expires)
{
	struct vg_owner o = { .ifindex = 0, .origin = origin, .expires_ns = expires };
	bool v6 = strchr(addr, ':');
	__u8 k[16];

	owner_key(addr, v6, k);
	if (bpf_map_update_elem(v6 ? map_fd(skel->maps.learned6) : map_fd(skel->maps.learned4), k,
				&o, BPF_NOEXIST))
		die("parked entry", errno);
}

/* --- resets --------------------------------------------------------------------- */

static void reset(void)
{
	lease_reset(F_DEFAULT);
}

/* --- more frames ------------------------------------------------------------------ */

/* An ARP probe for tpa (RFC 5227 2.1.1): sender address 0.0.0.0. */
static struct frame arp_probe(const uint8_t *mac, const char *tpa)
{
	static const uint8_t zero[6];
	struct frame f = { .len = 0 };

	eth(&f, mac, MAC_BCAST, 0x0806);
	arp(&f, 1, mac, "0.0.0.0", zero, tpa);
	return f;
}

/* An unsolicited NA of src for itself, to all nodes (RFC 4861 7.2.6), as
 * a guest announces a new address. */
static struct frame na_from(const uint8_t *mac, const char *src)
{
	static const uint8_t all_nodes[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	struct frame f = { .len = 0 };
	size_t ip, l4;

	eth(&f, mac, all_nodes, 0x86dd);
	ip = ip6_begin(&f, src, "ff02::1", 58, 255);
	l4 = f.len;
	icmp6(&f, 136, 0);
	put32(&f, 0x20000000);	/* override */
	put_v6(&f, src);
	nd_lladdr(&f, 2, mac);
	ip6_end(&f, ip);
	l4_csum(&f, ip, l4, 2, 58);
	return f;
}

#define SEC_NS		1000000000ULL

/* --- cases ---------------------------------------------------------------------- */

/* No window: the first two IPv4 sources A uses are its own, forever,
 * whether from IP or ARP; B may not use them; a third is refused, not
 * swapped; configured sources change nothing. */
static bool case_learn4(void)
{
	struct state s;

	CHECK(in(&A, udp4_from(MAC_A, V4_A), "UDP from A's configured address", PASSES));
	CHECK(in(&A, arp_from(MAC_A, V4_A), "ARP from A's configured address", PASSES));
	STATE("configured sources teach nothing");
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1, first use", PASSES));
	STATE("A holds L4_1", F4(L4_1, &A, V4SLOT(0), LEASE_FOREVER), S(&A, V4SLOT(0), L4_1));
	state_read(&s);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1 again", PASSES));
	CHECK(in(&A, arp_from(MAC_A, L4_1), "ARP from L4_1", PASSES));
	CHECK(in(&A, udp4_from(MAC_A, V4_A), "UDP from A's configured address", PASSES));
	SAME(s, "A's frames from its addresses");
	CHECK(in(&B, udp4_from(MAC_B, L4_1), "UDP from A's L4_1", DROPS(LEARN_CONFLICT)));
	CHECK(in(&B, arp_from(MAC_B, L4_1), "ARP from A's L4_1", DROPS(LEARN_CONFLICT)));
	/* The MAC is judged first: A's MAC on B learns nothing. */
	CHECK(in(&B, udp4_from(MAC_A, L4_2), "UDP from L4_2 with A's MAC on B", DROPS(SRC_MAC)));
	SAME(s, "B refused");
	CHECK(in(&A, arp_from(MAC_A, L4_2), "gratuitous ARP from L4_2, first use", PASSES));
	STATE("A holds two", F4(L4_1, &A, V4SLOT(0), LEASE_FOREVER), S(&A, V4SLOT(0), L4_1),
	      F4(L4_2, &A, V4SLOT(1), LEASE_FOREVER), S(&A, V4SLOT(1), L4_2));
	state_read(&s);
	CHECK(in(&A, udp4_from(MAC_A, L4_3), "UDP from a third address", DROPS(LEARN_FULL)));
	CHECK(in(&A, arp_from(MAC_A, L4_3), "ARP from a third address", DROPS(LEARN_FULL)));
	SAME(s, "beyond the cap: refused, nothing swapped");
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1", PASSES));
	CHECK(in(&A, udp4_from(MAC_A, L4_2), "UDP from L4_2", PASSES));
	/* A's two IPv4 addresses leave its IPv6 slots free. */
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1", PASSES));
	CHECK(in(&B, udp4_from(MAC_B, L4_3), "UDP from L4_3 on B", PASSES));
	STATE("B holds L4_3", F4(L4_1, &A, V4SLOT(0), LEASE_FOREVER), S(&A, V4SLOT(0), L4_1),
	      F4(L4_2, &A, V4SLOT(1), LEASE_FOREVER), S(&A, V4SLOT(1), L4_2),
	      F6(L6_1, &A, V6SLOT(0), LEASE_FOREVER), S(&A, V6SLOT(0), L6_1),
	      F4(L4_3, &B, V4SLOT(0), LEASE_FOREVER), S(&B, V4SLOT(0), L4_3));
	CHECK(in(&A, udp4_from(MAC_A, L4_3), "UDP from B's L4_3", DROPS(LEARN_CONFLICT)));
	return true;
}

/* IPv6: UDP or an unsolicited NA teaches its source; four a guest. */
static bool case_learn6(void)
{
	struct state s;

	CHECK(in(&A, udp6_from(MAC_A, V6_A), "UDP from A's configured address", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, LL_A), "UDP from A's EUI-64 link-local", PASSES));
	STATE("configured sources teach nothing");
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1, first use", PASSES));
	/* The source is learned before the target is judged. */
	CHECK(in(&A, na_from(MAC_A, L6_2), "NA from and for L6_2, first use", PASSES));
	STATE("A holds two", F6(L6_1, &A, V6SLOT(0), LEASE_FOREVER), S(&A, V6SLOT(0), L6_1),
	      F6(L6_2, &A, V6SLOT(1), LEASE_FOREVER), S(&A, V6SLOT(1), L6_2));
	CHECK(in(&B, udp6_from(MAC_B, L6_1), "UDP from A's L6_1", DROPS(LEARN_CONFLICT)));
	CHECK(in(&B, na_from(MAC_B, L6_2), "NA from A's L6_2", DROPS(LEARN_CONFLICT)));
	CHECK(in(&A, udp6_from(MAC_A, L6_3), "UDP from L6_3", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, L6_4), "UDP from L6_4", PASSES));
	state_read(&s);
	CHECK(in(&A, udp6_from(MAC_A, L6_5), "UDP from a fifth address", DROPS(LEARN_FULL)));
	CHECK(in(&A, na_from(MAC_A, L6_5), "NA from a fifth address", DROPS(LEARN_FULL)));
	SAME(s, "beyond the cap: refused, nothing swapped");
	for (int i = 0; i < 4; i++) {
		static const char *const l6[] = { L6_1, L6_2, L6_3, L6_4 };

		CHECK(in(&A, udp6_from(MAC_A, l6[i]), "UDP from a learned address", PASSES));
	}
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1: IPv4 has slots of its own",
		 PASSES));
	STATE("A's six", F6(L6_1, &A, V6SLOT(0), LEASE_FOREVER), S(&A, V6SLOT(0), L6_1),
	      F6(L6_2, &A, V6SLOT(1), LEASE_FOREVER), S(&A, V6SLOT(1), L6_2),
	      F6(L6_3, &A, V6SLOT(2), LEASE_FOREVER), S(&A, V6SLOT(2), L6_3),
	      F6(L6_4, &A, V6SLOT(3), LEASE_FOREVER), S(&A, V6SLOT(3), L6_4),
	      F4(L4_1, &A, V4SLOT(0), LEASE_FOREVER), S(&A, V4SLOT(0), L4_1));
	return true;
}

/* Never learned: 0/8, loopback, multicast, class E, broadcast; ::, ::1,
 * link-local, multicast, IPv4-mapped (B's configured IPv4 address among
 * them); the target of an ARP probe. */
static bool case_unusable(void)
{
	static const char *const v4[] = { "0.1.2.3", "127.0.0.1", "224.0.0.251", "239.1.2.3",
					   "240.0.0.1", "255.255.255.255" };
	static const char *const v6[] = { "::1", "fe80::1234", "febf::1", "ff02::1",
					  "ff05::1:3", "::ffff:10.0.0.50", "::ffff:" V4_B };

	char what[64];

	for (size_t i = 0; i < ARRAY_SIZE(v4); i++) {
		snprintf(what, sizeof(what), "UDP from %s", v4[i]);
		CHECK(in(&A, udp4_from(MAC_A, v4[i]), what, DROPS(IPV4_SRC)));
		snprintf(what, sizeof(what), "ARP from %s", v4[i]);
		CHECK(in(&A, arp_from(MAC_A, v4[i]), what, DROPS(ARP_SPA)));
	}
	for (size_t i = 0; i < ARRAY_SIZE(v6); i++) {
		snprintf(what, sizeof(what), "UDP from %s", v6[i]);
		CHECK(in(&A, udp6_from(MAC_A, v6[i]), what, DROPS(IPV6_SRC)));
	}
	CHECK(in(&A, udp4_from(MAC_A, "0.0.0.0"), "UDP from 0.0.0.0, not DHCP",
		 DROPS(IPV4_SRC)));
	CHECK(in(&A, udp6_from(MAC_A, "::"), "UDP from ::", DROPS(IPV6_UNSPEC_SRC)));
	CHECK(in(&A, arp_probe(MAC_A, L4_1), "ARP probe for L4_1", DROPS(ARP_TPA)));
	STATE("nothing learned");
	/* The edges: the last unicast IPv4 address, 1/8, fec0::/10. */
	CHECK(in(&A, udp4_from(MAC_A, "223.255.255.254"), "UDP from 223.255.255.254", PASSES));
	CHECK(in(&A, arp_from(MAC_A, "1.0.0.1"), "ARP from 1.0.0.1", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, "fec0::1"), "UDP from fec0::1", PASSES));
	STATE("edges learned", F4("223.255.255.254", &A, V4SLOT(0), LEASE_FOREVER),
	      S(&A, V4SLOT(0), "223.255.255.254"), F4("1.0.0.1", &A, V4SLOT(1), LEASE_FOREVER),
	      S(&A, V4SLOT(1), "1.0.0.1"), F6("fec0::1", &A, V6SLOT(0), LEASE_FOREVER),
	      S(&A, V6SLOT(0), "fec0::1"));
	/* Now held: a probe for it passes. */
	CHECK(in(&A, arp_probe(MAC_A, "1.0.0.1"), "ARP probe for A's 1.0.0.1", PASSES));
	return true;
}

/* Addresses another interface holds: configured for it, leased to it,
 * first used by it; protected ones, IPv4 among them as ::ffff:a.b.c.d. */
static bool case_held(void)
{
	struct state s;

	set_policy(&B, VG_MODE_LOCKED, F_BOTH);
	put_config4(V4_B, &B);
	put_config6(V6_B, &B);
	put_protected(L6_5, VG_PROTECT_CONFIG);
	put_protected("::ffff:" SERVER4, VG_PROTECT_CONFIG);
	CHECK(out(&B, ack(&B, L4_1, 3600), "ACK of L4_1 for B", NONE));
	CHECK(out(&B, reply6(&B, L6_1, 3600), "Reply with L6_1 for B", NONE));
	CHECK(in(&B, udp4_from(MAC_B, L4_2), "UDP from L4_2 on B, first use", PASSES));
	CHECK(in(&B, udp6_from(MAC_B, L6_2), "UDP from L6_2 on B, first use", PASSES));
	state_read(&s);
	CHECK(in(&A, udp4_from(MAC_A, V4_B), "UDP from B's configured address",
		 DROPS(LEARN_CONFLICT)));
	CHECK(in(&A, arp_from(MAC_A, V4_B), "ARP from B's configured address",
		 DROPS(LEARN_CONFLICT)));
	CHECK(in(&A, udp6_from(MAC_A, V6_B), "UDP from B's configured IPv6 address",
		 DROPS(LEARN_CONFLICT)));
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from B's lease", DROPS(LEARN_CONFLICT)));
	CHECK(in(&A, arp_from(MAC_A, L4_1), "ARP from B's lease", DROPS(LEARN_CONFLICT)));
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from B's DHCPv6 lease",
		 DROPS(LEARN_CONFLICT)));
	CHECK(in(&A, udp4_from(MAC_A, L4_2), "UDP from B's first-use address",
		 DROPS(LEARN_CONFLICT)));
	CHECK(in(&A, arp_from(MAC_A, L4_2), "ARP from B's first-use address",
		 DROPS(LEARN_CONFLICT)));
	CHECK(in(&A, udp6_from(MAC_A, L6_2), "UDP from B's first-use IPv6 address",
		 DROPS(LEARN_CONFLICT)));
	CHECK(in(&A, udp4_from(MAC_A, SERVER4), "UDP from the protected router",
		 DROPS(LEARN_PROTECTED)));
	CHECK(in(&A, arp_from(MAC_A, SERVER4), "ARP from the protected router",
		 DROPS(LEARN_PROTECTED)));
	CHECK(in(&A, udp6_from(MAC_A, L6_5), "UDP from a protected address",
		 DROPS(LEARN_PROTECTED)));
	/* A second left of each: still held. */
	set_expiry(L4_1, now_ns() + SEC_NS);
	set_expiry(L4_2, now_ns() + SEC_NS);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from B's lease, a second left",
		 DROPS(LEARN_CONFLICT)));
	CHECK(in(&A, udp4_from(MAC_A, L4_2), "UDP from B's first use, a second left",
		 DROPS(LEARN_CONFLICT)));
	/* Ended: they give way, their slots with them. */
	set_expiry(L4_1, now_ns() - 1);
	set_expiry(L4_2, now_ns() - 1);
	set_expiry(L6_2, now_ns() - 1);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from B's ended lease", PASSES));
	CHECK(in(&A, arp_from(MAC_A, L4_2), "ARP from B's ended first use", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, L6_2), "UDP from B's ended IPv6 first use", PASSES));
	STATE("A took them over", C4(V4_B, &B), C6(V6_B, &B), P(L6_5), P("::ffff:" SERVER4),
	      L6(L6_1, &B, V6SLOT(0), 3600), S(&B, V6SLOT(0), L6_1),
	      F4(L4_1, &A, V4SLOT(0), LEASE_FOREVER), S(&A, V4SLOT(0), L4_1),
	      F4(L4_2, &A, V4SLOT(1), LEASE_FOREVER), S(&A, V4SLOT(1), L4_2),
	      F6(L6_2, &A, V6SLOT(0), LEASE_FOREVER), S(&A, V6SLOT(0), L6_2));
	CHECK(in(&B, udp4_from(MAC_B, L4_1), "UDP from L4_1 on B, now A's",
		 DROPS(LEARN_CONFLICT)));
	return true;
}

/* The learning window: open, learned for first_lease_s (0: forever), as
 * without one; ended, nothing more learned, what was learned stays for
 * its time. */
static bool case_window(void)
{
	struct state s;

	set_learn_cfg(60, 3600);
	set_window(&A, now_ns() + 60 * SEC_NS);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1 in the window", PASSES));
	CHECK(in(&A, arp_from(MAC_A, L4_2), "ARP from L4_2 in the window", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1 in the window", PASSES));
	STATE("learned for an hour", W(&A), F4(L4_1, &A, V4SLOT(0), 3600),
	      S(&A, V4SLOT(0), L4_1), F4(L4_2, &A, V4SLOT(1), 3600), S(&A, V4SLOT(1), L4_2),
	      F6(L6_1, &A, V6SLOT(0), 3600), S(&A, V6SLOT(0), L6_1));
	set_window(&A, now_ns() - 1);
	state_read(&s);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1, window ended", PASSES));
	CHECK(in(&A, arp_from(MAC_A, L4_2), "ARP from L4_2, window ended", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, L6_2), "UDP from L6_2, window ended", DROPS(IPV6_SRC)));
	CHECK(in(&A, na_from(MAC_A, L6_2), "NA from L6_2, window ended", DROPS(IPV6_SRC)));
	/* Window ended outranks protected and held. */
	put_protected(L6_5, VG_PROTECT_CONFIG);
	CHECK(in(&A, udp6_from(MAC_A, L6_5), "UDP from a protected address, window ended",
		 DROPS(IPV6_SRC)));
	CHECK(in(&B, udp4_from(MAC_B, L4_3), "UDP from L4_3 on B, no window", PASSES));
	set_window(&B, now_ns() - 1);
	CHECK(in(&B, arp_from(MAC_B, "10.0.0.103"), "ARP from .103 on B, window ended",
		 DROPS(ARP_SPA)));
	CHECK(in(&B, udp4_from(MAC_B, "10.0.0.103"), "UDP from .103 on B, window ended",
		 DROPS(IPV4_SRC)));
	/* first_lease_s 0: forever, window or not. */
	set_learn_cfg(60, 0);
	set_window(&B, now_ns() + 60 * SEC_NS);
	CHECK(in(&B, udp6_from(MAC_B, L6_3), "UDP from L6_3 on B, first_lease_s 0", PASSES));
	STATE("B's", W(&A), W(&B), P(L6_5), F4(L4_1, &A, V4SLOT(0), 3600),
	      S(&A, V4SLOT(0), L4_1), F4(L4_2, &A, V4SLOT(1), 3600), S(&A, V4SLOT(1), L4_2),
	      F6(L6_1, &A, V6SLOT(0), 3600), S(&A, V6SLOT(0), L6_1),
	      F4(L4_3, &B, V4SLOT(0), 3600), S(&B, V4SLOT(0), L4_3),
	      F6(L6_3, &B, V6SLOT(0), LEASE_FOREVER), S(&B, V6SLOT(0), L6_3));
	return true;
}

/* Real time: an address learned in a window for 1 s ends; the guest
 * learns it again only while a window is open. */
static bool case_window_expiry(void)
{
	struct state s;

	set_learn_cfg(60, 1);
	set_window(&A, now_ns() + 60 * SEC_NS);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1, first_lease_s 1", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1, first_lease_s 1", PASSES));
	set_window(&A, now_ns() - 1);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1 at once", PASSES));
	usleep(1100000);
	state_read(&s);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1, 1.1 s later", DROPS(IPV4_SRC)));
	CHECK(in(&A, arp_from(MAC_A, L4_1), "ARP from L4_1, 1.1 s later", DROPS(ARP_SPA)));
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1, 1.1 s later", DROPS(IPV6_SRC)));
	SAME(s, "ended entries stay until the loader's gc");
	/* Another interface may take an ended one, window or not. */
	set_learn_cfg(60, 600);
	CHECK(in(&B, udp6_from(MAC_B, L6_1), "UDP from A's ended L6_1 on B", PASSES));
	/* A window again: A's own ended address is learned afresh. */
	set_window(&A, now_ns() + 60 * SEC_NS);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1, a new window", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from B's L6_1", DROPS(LEARN_CONFLICT)));
	STATE("L4_1 again", W(&A), F4(L4_1, &A, V4SLOT(0), 600), S(&A, V4SLOT(0), L4_1),
	      F6(L6_1, &B, V6SLOT(0), 600), S(&B, V6SLOT(0), L6_1));
	return true;
}

#define L6_6		"2001:db8:1::105"

/* An address in use stays: a frame from a first-use address in the
 * second half of first_lease_s moves its end to first_lease_s from now
 * (entry and slot); in the first half, or from another interface, or for
 * a lease, nothing moves.  One left unused ends and its slot takes the
 * next address (RFC 4941 temporary addresses); first_lease_s 0 moves
 * nothing. */
static bool case_in_use(void)
{
	set_policy(&A, VG_MODE_LOCKED, F_BOTH);
	set_learn_cfg(60, 1000);
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, L6_2), "UDP from L6_2", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, L6_3), "UDP from L6_3", PASSES));
	CHECK(out(&A, reply6(&A, L6_4, 100), "Reply with L6_4 for 100 s", NONE));
	CHECK(in(&A, udp6_from(MAC_A, L6_6), "UDP from L6_6, slots full", DROPS(LEARN_FULL)));
	set_expiry(L6_1, now_ns() + 400 * SEC_NS);
	set_expiry(L6_2, now_ns() + 600 * SEC_NS);
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1, 400 s of 1000 left", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, L6_2), "UDP from L6_2, 600 s of 1000 left", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, L6_4), "UDP from the lease L6_4, 160 s left", PASSES));
	CHECK(in(&B, udp6_from(MAC_B, L6_3), "UDP from A's L6_3 on B", DROPS(LEARN_CONFLICT)));
	STATE("L6_1 moved, L6_2 and the lease not", F6(L6_1, &A, V6SLOT(0), 1000),
	      S(&A, V6SLOT(0), L6_1), F6(L6_2, &A, V6SLOT(1), 600), S(&A, V6SLOT(1), L6_2),
	      F6(L6_3, &A, V6SLOT(2), 1000), S(&A, V6SLOT(2), L6_3),
	      L6(L6_4, &A, V6SLOT(3), 100), S(&A, V6SLOT(3), L6_4));
	/* L6_3 unused, ended: the next address takes its slot. */
	set_expiry(L6_3, now_ns() - 1);
	CHECK(in(&A, udp6_from(MAC_A, L6_6), "UDP from L6_6, L6_3 ended", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, L6_3), "UDP from L6_3, forgotten, slots full",
		 DROPS(LEARN_FULL)));
	/* IPv4, ARP's sender address: the same. */
	CHECK(in(&A, arp_from(MAC_A, L4_1), "ARP from L4_1", PASSES));
	set_expiry(L4_1, now_ns() + 100 * SEC_NS);
	CHECK(in(&A, arp_from(MAC_A, L4_1), "ARP from L4_1, 100 s of 1000 left", PASSES));
	/* first_lease_s 0: nothing moves. */
	set_learn_cfg(60, 0);
	set_expiry(L6_1, now_ns() + 100 * SEC_NS);
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1, first_lease_s 0", PASSES));
	STATE("L6_6 in L6_3's slot, L4_1 moved", F6(L6_1, &A, V6SLOT(0), 100),
	      S(&A, V6SLOT(0), L6_1), F6(L6_2, &A, V6SLOT(1), 600), S(&A, V6SLOT(1), L6_2),
	      F6(L6_6, &A, V6SLOT(2), 1000), S(&A, V6SLOT(2), L6_6),
	      L6(L6_4, &A, V6SLOT(3), 100), S(&A, V6SLOT(3), L6_4),
	      F4(L4_1, &A, V4SLOT(0), 1000), S(&A, V4SLOT(0), L4_1));
	return true;
}

/* A slot whose address ended counts as free: the new address takes it,
 * the ended one is forgotten. */
static bool case_ended_slot(void)
{
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1", PASSES));
	CHECK(in(&A, udp4_from(MAC_A, L4_2), "UDP from L4_2", PASSES));
	CHECK(in(&A, udp4_from(MAC_A, L4_3), "UDP from L4_3, slots full", DROPS(LEARN_FULL)));
	set_expiry(L4_1, now_ns() - 1);
	CHECK(in(&A, udp4_from(MAC_A, L4_3), "UDP from L4_3, L4_1 ended", PASSES));
	STATE("L4_3 in L4_1's slot", F4(L4_3, &A, V4SLOT(0), LEASE_FOREVER),
	      S(&A, V4SLOT(0), L4_3), F4(L4_2, &A, V4SLOT(1), LEASE_FOREVER),
	      S(&A, V4SLOT(1), L4_2));
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1, forgotten, slots full",
		 DROPS(LEARN_FULL)));
	/* An ended lease's slot as well. */
	set_policy(&A, VG_MODE_LOCKED, F_BOTH);
	CHECK(out(&A, reply6(&A, L6_1, 3600), "Reply with L6_1", NONE));
	set_expiry(L6_1, now_ns() - 1);
	CHECK(in(&A, udp6_from(MAC_A, L6_2), "UDP from L6_2", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, L6_3), "UDP from L6_3", PASSES));
	STATE("L6_2 in L6_1's slot", F4(L4_3, &A, V4SLOT(0), LEASE_FOREVER),
	      S(&A, V4SLOT(0), L4_3), F4(L4_2, &A, V4SLOT(1), LEASE_FOREVER),
	      S(&A, V4SLOT(1), L4_2), F6(L6_2, &A, V6SLOT(0), LEASE_FOREVER),
	      S(&A, V6SLOT(0), L6_2), F6(L6_3, &A, V6SLOT(1), LEASE_FOREVER),
	      S(&A, V6SLOT(1), L6_3));
	return true;
}

/* Parked addresses (ifindex 0) are held while they last, then give way;
 * a DHCP ACK does not take a held one either. */
static bool case_parked(void)
{
	struct state s;

	put_parked(L4_1, VG_ORIGIN_DHCP, now_ns() + 3600 * SEC_NS);
	put_parked(L6_1, VG_ORIGIN_FIRST, VG_LEASE_FOREVER);
	put_parked(L4_2, VG_ORIGIN_FIRST, now_ns() - 1);
	put_parked(L6_2, VG_ORIGIN_DHCP, now_ns() - 1);
	state_read(&s);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from a parked lease", DROPS(LEARN_CONFLICT)));
	CHECK(in(&A, arp_from(MAC_A, L4_1), "ARP from a parked lease", DROPS(LEARN_CONFLICT)));
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from a parked first use",
		 DROPS(LEARN_CONFLICT)));
	set_policy(&A, VG_MODE_LOCKED, F_BOTH);
	CHECK(out(&A, ack(&A, L4_1, 3600), "ACK of a parked lease", REFUSED(LEARN_CONFLICT)));
	SAME(s, "parked addresses held");
	CHECK(in(&A, udp4_from(MAC_A, L4_2), "UDP from an ended parked first use", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, L6_2), "UDP from an ended parked lease", PASSES));
	STATE("ended ones taken", { '4', L4_1, &PARKED, VG_ORIGIN_DHCP, 0, 0 },
	      { '6', L6_1, &PARKED, VG_ORIGIN_FIRST, 0, 0 },
	      F4(L4_2, &A, V4SLOT(0), LEASE_FOREVER), S(&A, V4SLOT(0), L4_2),
	      F6(L6_2, &A, V6SLOT(0), LEASE_FOREVER), S(&A, V6SLOT(0), L6_2));
	return true;
}

/* DHCP and first use: an ACK or Reply for a first-use address makes it
 * a lease in its slot; the guest's RELEASE, DECLINE, Release, Decline
 * and a NAK end leases only. */
static bool case_dhcp(void)
{
	struct state s;

	set_policy(&A, VG_MODE_LOCKED, F_BOTH);
	set_policy(&B, VG_MODE_LOCKED, F_BOTH);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1, first use", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1, first use", PASSES));
	state_read(&s);
	CHECK(in(&A, release4(&A, L4_1, L4_1), "RELEASE of L4_1", PASSES));
	CHECK(in(&A, decline4(&A, L4_1), "DECLINE of L4_1", PASSES));
	CHECK(in(&A, client6(&A, 8, L6_1), "DHCPv6 Release of L6_1", PASSES));
	CHECK(in(&A, client6(&A, 9, L6_1), "DHCPv6 Decline of L6_1", PASSES));
	CHECK(out(&A, nak(&A), "NAK", NONE));
	SAME(s, "first-use addresses stay");
	CHECK(out(&A, ack(&A, L4_1, 3600), "ACK of L4_1", NONE));
	CHECK(out(&A, reply6(&A, L6_1, 7200), "Reply with L6_1", NONE));
	STATE("leases now, same slots", L4(L4_1, &A, V4SLOT(0), 3600), S(&A, V4SLOT(0), L4_1),
	      L6(L6_1, &A, V6SLOT(0), 7200), S(&A, V6SLOT(0), L6_1));
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1, leased", PASSES));
	CHECK(in(&A, release4(&A, L4_1, L4_1), "RELEASE of L4_1, leased", PASSES));
	CHECK(in(&A, client6(&A, 8, L6_1), "DHCPv6 Release of L6_1, leased", PASSES));
	STATE("released");
	/* B's first-use address: an ACK of it for A is refused while it
	 * lasts, taken once it ended. */
	CHECK(in(&B, udp4_from(MAC_B, L4_2), "UDP from L4_2 on B, first use", PASSES));
	CHECK(out(&A, ack(&A, L4_2, 3600), "ACK of B's L4_2", REFUSED(LEARN_CONFLICT)));
	set_expiry(L4_2, now_ns() - 1);
	CHECK(out(&A, ack(&A, L4_2, 3600), "ACK of B's ended L4_2", NONE));
	STATE("A leased L4_2", L4(L4_2, &A, V4SLOT(0), 3600), S(&A, V4SLOT(0), L4_2));
	/* A NAK ends the lease, not the first-use address. */
	CHECK(in(&A, arp_from(MAC_A, L4_3), "ARP from L4_3, first use", PASSES));
	CHECK(out(&A, nak(&A), "NAK", NONE));
	STATE("NAK", F4(L4_3, &A, V4SLOT(1), LEASE_FOREVER), S(&A, V4SLOT(1), L4_3));
	CHECK(in(&A, udp4_from(MAC_A, L4_2), "UDP from L4_2 after the NAK, slot free", PASSES));
	/* A lease beyond the cap replaces the address that ends first, a
	 * first-use one among them: of two that never end, the first slot's. */
	CHECK(out(&A, ack(&A, L4_1, 600), "ACK of L4_1, slots full", NONE));
	STATE("L4_1 in slot 0", L4(L4_1, &A, V4SLOT(0), 600), S(&A, V4SLOT(0), L4_1),
	      F4(L4_3, &A, V4SLOT(1), LEASE_FOREVER), S(&A, V4SLOT(1), L4_3));
	return true;
}

/* A first-use address allows only while the policy has VG_F_LEARN_FIRST;
 * a policy without it learns nothing by use. */
static bool case_flags(void)
{
	struct state s;

	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1, first use", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1, first use", PASSES));
	state_read(&s);
	set_policy(&A, VG_MODE_LOCKED, F_DEFAULT & ~VG_F_LEARN_FIRST);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1, flag off", DROPS(IPV4_SRC)));
	CHECK(in(&A, arp_from(MAC_A, L4_1), "ARP from L4_1, flag off", DROPS(ARP_SPA)));
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1, flag off", DROPS(IPV6_SRC)));
	CHECK(in(&A, udp4_from(MAC_A, L4_2), "UDP from L4_2, flag off", DROPS(IPV4_SRC)));
	set_policy(&A, VG_MODE_LOCKED, (F_DEFAULT & ~VG_F_LEARN_FIRST) | VG_F_LEARN_DHCP);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1, DHCP only", DROPS(IPV4_SRC)));
	CHECK(in(&A, udp6_from(MAC_A, L6_2), "UDP from L6_2, DHCP only", DROPS(IPV6_SRC)));
	SAME(s, "nothing learned without the flag");
	set_policy(&A, VG_MODE_LOCKED, F_DEFAULT);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1, flag back", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1, flag back", PASSES));
	SAME(s, "allowed again");
	return true;
}

static const struct lcase cases[] = {
	{ "IPv4 and ARP sources learned, two a guest, held against others", case_learn4 },
	{ "IPv6 sources learned (UDP, NA), four a guest", case_learn6 },
	{ "unusable sources and ARP probe targets never learned", case_unusable },
	{ "configured, leased, first-used and protected addresses of others refused",
	  case_held },
	{ "learning window: first_lease_s, ended window learns nothing", case_window },
	{ "first_lease_s in real time; relearned in a new window only", case_window_expiry },
	{ "an address in use stays, one left ends (first_lease_s)", case_in_use },
	{ "an ended address's slot is free", case_ended_slot },
	{ "parked addresses held while they last", case_parked },
	{ "DHCP leases take over first-use addresses; RELEASE, Decline, NAK leave them",
	  case_dhcp },
	{ "first-use addresses need VG_F_LEARN_FIRST", case_flags },
};

SUITE_MAIN(.prog = "test-first", .title = "trust on first use tests", .what = "first-use cases",
	   .veth = { "vgfirst0", "vgfirst1" })
