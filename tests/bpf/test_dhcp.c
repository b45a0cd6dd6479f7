// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * DHCP snooping (include/vifguard.h, "Address learning"): the real
 * program, loaded through its skeleton, runs sequences of crafted frames
 * through BPF_PROG_TEST_RUN: the egress program "vifguard_out" for the
 * DHCPv4 ACKs and NAKs and DHCPv6 Replies the host delivers to a guest,
 * the ingress program "vifguard" for the guest's own RELEASE, DECLINE,
 * Release and Decline and for the traffic its leases allow.  After each
 * step a case asserts
 *
 *   the verdict, and that exactly the counter of its reason moved by one
 *   (ingress: passes[the interface's slot], or drops[{ifindex, reason}]
 *   and totals[reason]; egress: TC_ACT_OK always, and nothing counted
 *   but a refused lease's reason), and, where the case says so, the
 *   whole of learned4, learned6, lease_slots and protected6: every entry
 *   with its interface, origin and slot, a lease's expires_ns within
 *   lease + grace of the case's run, its slot's since_ns equal to it, and
 *   no other entry (learn_slots stays empty: nothing here is DAD).
 *
 * Interfaces: A is the namespace's loopback device, B one end of a veth
 * pair, C the other end, which has no policy (an uplink).  Egress frames
 * come from outside the guests (skb->ingress_ifindex 0) unless a step
 * names the guest that sent them.  A and B have policies of their own:
 * their own MAC, one configured IPv4 and IPv6 address inline,
 * VG_F_DHCP_CLIENT, VG_F_LINK_LOCAL (their EUI-64 link-local, the source
 * of their DHCPv6 messages) and VG_F_LEARN_DHCP unless the case changes
 * it.  Before every case the learning maps and the counters are emptied,
 * the policies written afresh and the grace set to 60 s.
 *
 * Usage: test-dhcp [FIRST]   TAP numbering starts at FIRST (default 1).
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

static const uint8_t MAC_A2[6] = { 0x02, 0x00, 0x00, 0x00, 0x0a, 0x02 };

#define LEASE_INF	0xffffffffU		/* DHCPv4 option 51: infinite */
#define ETH_HLEN_T	14			/* Ethernet header, untagged */

/* Entries of interfaces that do not exist, for filling tables. */
#define FILL_IFINDEX	100000

/* --- policies and configuration ------------------------------------------------ */

#define F_DEFAULT	(VG_F_DHCP_CLIENT | VG_F_LINK_LOCAL | VG_F_LEARN_DHCP)

static void set_grace(__u32 s)
{
	set_learn_cfg(s, 0);
}

/* --- resets --------------------------------------------------------------------- */

static void reset(void)
{
	lease_reset(F_DEFAULT);
}

/* --- cases: DHCPv4 -------------------------------------------------------------- */

/* An ACK learns yiaddr for A alone; another ACK renews it; a second
 * address takes the second slot. */
static bool case_ack(void)
{
	struct state s;

	set_grace(30);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1, no lease yet", DROPS(IPV4_SRC)));
	CHECK(out(&A, ack(&A, L4_1, 3600), "ACK of L4_1 for 3600 s", NONE));
	STATE("A leased L4_1", L4(L4_1, &A, 0, 3600), S(&A, V4SLOT(0), L4_1));
	state_read(&s);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1", PASSES));
	CHECK(in(&A, arp_from(MAC_A, L4_1), "ARP from L4_1", PASSES));
	CHECK(in(&A, udp4_from(MAC_A, V4_A), "UDP from A's configured address", PASSES));
	SAME(s, "A's frames from L4_1");
	CHECK(in(&B, udp4_from(MAC_B, L4_1), "UDP from A's L4_1", DROPS(IPV4_SRC)));
	CHECK(in(&B, arp_from(MAC_B, L4_1), "ARP from A's L4_1", DROPS(ARP_SPA)));
	/* Renewed, here to a longer lease, then to a shorter one: the
	 * last ACK sets the end. */
	CHECK(out(&A, ack(&A, L4_1, 86400), "ACK of L4_1 for a day", NONE));
	STATE("L4_1 renewed for a day", L4(L4_1, &A, 0, 86400), S(&A, V4SLOT(0), L4_1));
	CHECK(out(&A, ack(&A, L4_1, 600), "ACK of L4_1 for 600 s", NONE));
	STATE("L4_1 renewed for 600 s", L4(L4_1, &A, 0, 600), S(&A, V4SLOT(0), L4_1));
	CHECK(out(&A, ack(&A, L4_2, 1200), "ACK of L4_2", NONE));
	STATE("A leased both", L4(L4_1, &A, 0, 600), S(&A, V4SLOT(0), L4_1),
	      L4(L4_2, &A, 1, 1200), S(&A, V4SLOT(1), L4_2));
	CHECK(in(&A, udp4_from(MAC_A, L4_2), "UDP from L4_2", PASSES));
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1", PASSES));
	/* Broadcast to the MAC of the chaddr, as to a client that asked
	 * for it (RFC 2131 4.1): the chaddr decides, not the Ethernet
	 * destination. */
	{
		struct frame o;
		struct dhcp4 m = ack_msg(&B, L4_3, &o);

		ack_opts(&o, 900);
		m.eth_dst = MAC_BCAST;
		m.dst = "255.255.255.255";
		CHECK(out(&B, dhcp4(&m), "broadcast ACK of L4_3 for B", NONE));
	}
	STATE("B leased L4_3", L4(L4_1, &A, 0, 600), S(&A, V4SLOT(0), L4_1),
	      L4(L4_2, &A, 1, 1200), S(&A, V4SLOT(1), L4_2), L4(L4_3, &B, 0, 900),
	      S(&B, V4SLOT(0), L4_3));
	CHECK(in(&B, udp4_from(MAC_B, L4_3), "UDP from L4_3", PASSES));
	CHECK(in(&A, udp4_from(MAC_A, L4_3), "UDP from B's L4_3", DROPS(IPV4_SRC)));
	return true;
}

/* The grace comes from learn_cfg as it is when the ACK arrives. */
static bool case_grace(void)
{
	set_grace(0);
	CHECK(out(&A, ack(&A, L4_1, 3600), "ACK of L4_1, grace 0", NONE));
	STATE("grace 0", L4(L4_1, &A, 0, 3600), S(&A, V4SLOT(0), L4_1));
	set_grace(7200);
	CHECK(out(&A, ack(&A, L4_1, 3600), "ACK of L4_1, grace 7200", NONE));
	STATE("grace 7200", L4(L4_1, &A, 0, 3600), S(&A, V4SLOT(0), L4_1));
	CHECK(out(&A, reply6(&A, L6_1, 3600), "Reply with L6_1, grace 7200", NONE));
	STATE("grace 7200, both families", L4(L4_1, &A, 0, 3600), S(&A, V4SLOT(0), L4_1),
	      L6(L6_1, &A, V6SLOT(0), 3600), S(&A, V6SLOT(0), L6_1));
	return true;
}

static bool case_infinite(void)
{
	CHECK(out(&A, ack(&A, L4_1, LEASE_INF), "ACK of L4_1, infinite lease", NONE));
	STATE("L4_1 forever", L4(L4_1, &A, 0, LEASE_FOREVER), S(&A, V4SLOT(0), L4_1));
	CHECK(out(&A, ack(&A, L4_2, LEASE_INF - 1), "ACK of L4_2, lease 0xfffffffe", NONE));
	STATE("L4_2 finite", L4(L4_1, &A, 0, LEASE_FOREVER), S(&A, V4SLOT(0), L4_1),
	      L4(L4_2, &A, 1, LEASE_INF - 1), S(&A, V4SLOT(1), L4_2));
	/* A finite renewal of an infinite lease ends it in time. */
	CHECK(out(&A, ack(&A, L4_1, 60), "ACK of L4_1 for 60 s", NONE));
	STATE("L4_1 finite", L4(L4_1, &A, 0, 60), S(&A, V4SLOT(0), L4_1),
	      L4(L4_2, &A, 1, LEASE_INF - 1), S(&A, V4SLOT(1), L4_2));
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1", PASSES));
	return true;
}

/* A NAK ends every IPv4 lease of the interface it is delivered to, and
 * nothing else. */
static bool case_nak(void)
{
	struct state s;

	put_config4(V4_A, &A);
	CHECK(out(&A, ack(&A, L4_1, 3600), "ACK of L4_1", NONE));
	CHECK(out(&A, ack(&A, L4_2, LEASE_INF), "ACK of L4_2, infinite", NONE));
	CHECK(out(&A, reply6(&A, L6_1, 3600), "Reply with L6_1", NONE));
	CHECK(out(&B, ack(&B, L4_3, 3600), "ACK of L4_3 for B", NONE));
	state_read(&s);
	/* Not A's: to B's MAC, or from a guest that is no DHCP server. */
	{
		struct dhcp4 m = { .chaddr = MAC_B, .o = NULL };
		struct frame o = { .len = 0 };

		o4_type(&o, 6);
		o4_end(&o);
		m.o = &o;
		CHECK(out(&A, dhcp4(&m), "NAK for B's MAC delivered to A", NONE));
	}
	CHECK(out_from(&A, &B, nak(&A), "NAK for A sent by guest B", NONE));
	SAME(s, "NAKs not for A");
	CHECK(out(&A, nak(&A), "NAK for A", NONE));
	STATE("A's IPv4 leases ended", C4(V4_A, &A), L6(L6_1, &A, V6SLOT(0), 3600),
	      S(&A, V6SLOT(0), L6_1), L4(L4_3, &B, 0, 3600), S(&B, V4SLOT(0), L4_3));
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1", DROPS(IPV4_SRC)));
	CHECK(in(&A, udp4_from(MAC_A, L4_2), "UDP from L4_2", DROPS(IPV4_SRC)));
	CHECK(in(&A, udp4_from(MAC_A, V4_A), "UDP from A's configured address", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1", PASSES));
	/* A NAK with nothing to end; then the next ACK learns afresh. */
	CHECK(out(&A, nak(&A), "NAK for A again", NONE));
	CHECK(out(&A, ack(&A, L4_2, 600), "ACK of L4_2", NONE));
	STATE("L4_2 leased again", C4(V4_A, &A), L6(L6_1, &A, V6SLOT(0), 3600),
	      S(&A, V6SLOT(0), L6_1), L4(L4_3, &B, 0, 3600), S(&B, V4SLOT(0), L4_3),
	      L4(L4_2, &A, 0, 600), S(&A, V4SLOT(0), L4_2));
	return true;
}

/* Who may hand out leases: the uplink and the host (no policy on the
 * interface the frame came in on), or a guest with VG_F_DHCP_SERVER. */
static bool case_senders(void)
{
	CHECK(out_from(&A, &B, ack(&A, L4_1, 3600), "ACK sent by guest B (no dhcp-server)",
		       NONE));
	STATE("nothing learned from a guest");
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1", DROPS(IPV4_SRC)));
	CHECK(out_from(&A, &A, ack(&A, L4_1, 3600), "ACK reflected from A itself", NONE));
	STATE("nothing learned from A itself");
	CHECK(out_from(&A, &C, ack(&A, L4_1, 3600), "ACK that came in on the uplink C", NONE));
	STATE("learned from the uplink", L4(L4_1, &A, 0, 3600), S(&A, V4SLOT(0), L4_1));
	set_policy(&B, VG_MODE_LOCKED, F_DEFAULT | VG_F_DHCP_SERVER);
	CHECK(out_from(&A, &B, ack(&A, L4_2, 1800), "ACK sent by guest B (dhcp-server)", NONE));
	STATE("learned from a server guest", L4(L4_1, &A, 0, 3600), S(&A, V4SLOT(0), L4_1),
	      L4(L4_2, &A, 1, 1800), S(&A, V4SLOT(1), L4_2));
	/* Delivered to an interface without a policy: nobody learns. */
	CHECK(out(&C, ack(&A, L4_3, 3600), "ACK for A's MAC delivered to C", NONE));
	CHECK(out(&C, ack(&C, L4_3, 3600), "ACK for C's MAC delivered to C", NONE));
	STATE("nothing learned on C", L4(L4_1, &A, 0, 3600), S(&A, V4SLOT(0), L4_1),
	      L4(L4_2, &A, 1, 1800), S(&A, V4SLOT(1), L4_2));
	return true;
}

/* The chaddr must be one of the interface's MACs: any of them. */
static bool case_chaddr(void)
{
	CHECK(out(&A, ack(&B, L4_1, 3600), "ACK for B's MAC delivered to A", NONE));
	CHECK(out(&A, ack(&C, L4_1, 3600), "ACK for B's MAC (C) delivered to A", NONE));
	{
		struct frame o;
		struct dhcp4 m = ack_msg(&A, L4_1, &o);

		ack_opts(&o, 3600);
		m.chaddr = MAC_A2;
		CHECK(out(&A, dhcp4(&m), "ACK for MAC_A2, not A's yet", NONE));
		STATE("nothing learned");
		add_mac(&A, MAC_A2);
		CHECK(out(&A, dhcp4(&m), "ACK for MAC_A2, A's second MAC", NONE));
	}
	STATE("learned for the second MAC", L4(L4_1, &A, 0, 3600), S(&A, V4SLOT(0), L4_1));
	return true;
}

/* yiaddr must be a unicast address: not 0/8, 127/8 or 224/3. */
static bool case_yiaddr(void)
{
	static const char *const bad[] = { "0.0.0.0", "0.1.2.3", "0.255.255.255", "127.0.0.1",
					   "127.255.255.254", "224.0.0.1", "239.1.2.3",
					   "240.0.0.1", "255.255.255.255" };

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char what[64];

		snprintf(what, sizeof(what), "ACK of %s", bad[i]);
		CHECK(out(&A, ack(&A, bad[i], 3600), what, NONE));
		STATE(what);
	}
	/* The edges: learned. */
	CHECK(out(&A, ack(&A, "1.0.0.0", 3600), "ACK of 1.0.0.0", NONE));
	CHECK(out(&A, ack(&A, "223.255.255.255", 1800), "ACK of 223.255.255.255", NONE));
	STATE("both edges learned", L4("1.0.0.0", &A, 0, 3600), S(&A, V4SLOT(0), "1.0.0.0"),
	      L4("223.255.255.255", &A, 1, 1800), S(&A, V4SLOT(1), "223.255.255.255"));
	CHECK(out(&A, ack(&A, "128.0.0.1", 7200), "ACK of 128.0.0.1", NONE));
	CHECK(out(&A, ack(&A, "126.255.255.255", 300), "ACK of 126.255.255.255", NONE));
	STATE("edges of 127/8 learned", L4("128.0.0.1", &A, 1, 7200),
	      S(&A, V4SLOT(1), "128.0.0.1"), L4("126.255.255.255", &A, 0, 300),
	      S(&A, V4SLOT(0), "126.255.255.255"));
	return true;
}

/* Messages that are no ACK with a lease, or no valid BOOTREPLY. */
static bool case_not_ack(void)
{
	struct frame o;
	struct dhcp4 m;

#define IGNORED(what, ...)                                                             \
	do {                                                                           \
		m = ack_msg(&A, L4_1, &o);                                             \
		ack_opts(&o, 3600);                                                    \
		__VA_ARGS__;                                                           \
		CHECK(out(&A, dhcp4(&m), what, NONE));                                 \
		STATE(what);                                                           \
	} while (0)
	IGNORED("BOOTREQUEST (op 1)", m.op = 1);
	IGNORED("op 3", m.op = 3);
	IGNORED("htype 6 (IEEE 802)", m.htype = 6);
	IGNORED("hlen 16", m.hlen = 16);
	IGNORED("hlen 5", m.hlen = 5);
	IGNORED("bad magic cookie", m.cookie = 0x63825364);
	IGNORED("UDP to port 67", m.dport = 67);
	IGNORED("UDP to port 69", m.dport = 69);
	IGNORED("first fragment (MF)", m.frag = 0x2000);
	IGNORED("fragment at offset 8", m.frag = 0x0001);
	{
		/* The same octets in another IPv4 protocol. */
		struct frame f;

		m = ack_msg(&A, L4_1, &o);
		ack_opts(&o, 3600);
		f = dhcp4(&m);
		f.b[ETH_HLEN_T + 9] = 6;
		ip4_end(&f, ETH_HLEN_T);
		CHECK(out(&A, f, "ACK's octets in TCP", NONE));
		STATE("ACK's octets in TCP");
	}
	IGNORED("OFFER (53=2) with a lease", o.len = 0; o4_type(&o, 2); o4_u32(&o, 51, 3600);
		o4_end(&o));
	IGNORED("no message type", o.len = 0; o4_u32(&o, 51, 3600); o4_end(&o));
	IGNORED("ACK without option 51", o.len = 0; o4_type(&o, 5); o4_addr(&o, 54, SERVER4);
		o4_end(&o));
	IGNORED("option 51 of length 2", o.len = 0; o4_type(&o, 5);
		o4(&o, 51, "\x00\x00", 2); o4_addr(&o, 1, "255.255.255.0"); o4_end(&o));
	IGNORED("option 53 of length 2", o.len = 0; o4(&o, 53, "\x05\x00", 2);
		o4_u32(&o, 51, 3600); o4_end(&o));
	IGNORED("END before option 51", o.len = 0; o4_type(&o, 5); o4_end(&o);
		o4_u32(&o, 51, 3600); o4_end(&o));
	/* END has no length octet: the PAD after it must not read as one. */
	IGNORED("END, PAD, then option 51", o.len = 0; o4_type(&o, 5); o4_end(&o); o4_pads(&o, 1);
		o4_u32(&o, 51, 3600); o4_end(&o));
	IGNORED("END before option 53", o.len = 0; o4_u32(&o, 51, 3600); o4_end(&o);
		o4_type(&o, 5); o4_end(&o));
	/* Option 51 announces 4 octets, the message ends after 2. */
	IGNORED("option 51 cut short", o.len = 0; o4_type(&o, 5); put8(&o, 51); put8(&o, 4);
		put16(&o, 3600));
	/* An option that runs past the end stops the walk before 51. */
	IGNORED("an option too long for the message before 51", o.len = 0; o4_type(&o, 5);
		put8(&o, 12); put8(&o, 200); o4_u32(&o, 51, 3600); o4_end(&o));
	/* 53 = 5 and PADs: option 51 is the first past those read. */
	IGNORED("option 51 just past the options read", o.len = 0; o4_type(&o, 5);
		o4_pads(&o, VG_DHCP4_OPTS - 1); o4_u32(&o, 51, 3600); o4_end(&o));
	IGNORED("option 53 just past the options read", o.len = 0; o4_u32(&o, 51, 3600);
		o4_pads(&o, VG_DHCP4_OPTS - 1); o4_type(&o, 5); o4_end(&o));
	{
		/* An absent option is no option at the frame's start: MACs
		 * whose second octet reads as option 51's or 53's length. */
		static const uint8_t mac4[6] = { 0x02, 0x04, 0x00, 0x00, 0x0e, 0x10 };
		static const uint8_t mac1[6] = { 0x02, 0x01, 0x05, 0x00, 0x0a, 0x05 };

		add_mac(&A, mac4);
		add_mac(&A, mac1);
		IGNORED("ACK without 51 to MAC 02:04:00:00:0e:10", m.eth_dst = mac4;
			m.chaddr = mac4; o.len = 0; o4_type(&o, 5); o4_end(&o));
		IGNORED("no message type, to MAC 02:01:05:00:0a:05", m.eth_dst = mac1;
			m.chaddr = mac1; o.len = 0; o4_u32(&o, 51, 3600); o4_end(&o));
	}
	/* The same frames to A without a policy in force, then A's own. */
	no_policy(&A);
	IGNORED("ACK to A, A without a policy", (void)0);
	set_policy(&A, VG_MODE_LOCKED, F_DEFAULT & ~VG_F_LEARN_DHCP);
	IGNORED("ACK to A, learning off", (void)0);
#undef IGNORED
	return true;
}

/* Option walks that end well. */
static bool case_options(void)
{
	struct frame o;
	struct dhcp4 m;

#define LEARNS(what, addr, lease, ...)                                                 \
	do {                                                                           \
		m = ack_msg(&A, addr, &o);                                             \
		ack_opts(&o, lease);                                                   \
		__VA_ARGS__;                                                           \
		CHECK(out(&A, dhcp4(&m), what, NONE));                                 \
		STATE(what, L4(addr, &A, 0, lease), S(&A, V4SLOT(0), addr));           \
		map_clear(skel->maps.learned4);                                        \
		map_clear(skel->maps.lease_slots);                                     \
	} while (0)
	LEARNS("ACK with the default options", L4_1, 3600, (void)0);
	LEARNS("option 51 before 53", L4_1, 600, o.len = 0; o4_u32(&o, 51, 600); o4_type(&o, 5);
	       o4_end(&o));
	/* Without END, the options end with the message. */
	LEARNS("no END option", L4_1, 700, o.len = 0; o4_type(&o, 5); o4_u32(&o, 51, 700));
	/* A PAD the message's last octet, no END. */
	LEARNS("a PAD as the last octet", L4_1, 750, o.len = 0; o4_type(&o, 5);
	       o4_u32(&o, 51, 750); o4_pads(&o, 1));
	/* An option cut short after 51 only ends the walk. */
	LEARNS("an option cut short after 51", L4_1, 800, o.len = 0; o4_type(&o, 5);
	       o4_u32(&o, 51, 800); put8(&o, 12); put8(&o, 40); put(&o, "host", 4));
	/* PAD counts: 53, PADs, 51 the last option read. */
	LEARNS("option 51 the last read, after PADs", L4_1, 900, o.len = 0; o4_type(&o, 5);
	       o4_pads(&o, VG_DHCP4_OPTS - 2); o4_u32(&o, 51, 900); o4_end(&o));
	LEARNS("option 51 the last read, after other options", L4_1, 1000, o.len = 0;
	       o4_type(&o, 5); for (int k = 0; k < VG_DHCP4_OPTS - 2; k++) o4_u32(&o, 24, k);
	       o4_u32(&o, 51, 1000); o4_end(&o));
	LEARNS("option 53 the last read", L4_1, 1100, o.len = 0; o4_u32(&o, 51, 1100);
	       o4_pads(&o, VG_DHCP4_OPTS - 2); o4_type(&o, 5); o4_end(&o));
	LEARNS("a lease of 0 s", L4_1, 0, (void)0);
	LEARNS("IPv4 header with options", L4_1, 1200, m.ip_opts = 1);
	LEARNS("from UDP port 1067 (RFC 7610)", L4_1, 1300, m.sport = 1067);
	LEARNS("an empty option before 51", L4_1, 1400, o.len = 0; o4_type(&o, 5);
	       o4(&o, 60, NULL, 0); o4_u32(&o, 51, 1400); o4_end(&o));
#undef LEARNS
	return true;
}

/* Octets after the datagram in the frame (Ethernet padding, a trailer
 * some devices leave): never part of the message. */
static struct frame trailer(struct frame f, const void *p, size_t n)
{
	put(&f, p, n);
	return f;
}

/*
 * Where the message ends: at the frame's last octet (the frames of every
 * other case end with their datagram, as a server's do), or before
 * octets that are no part of it.
 */
static bool case_message_end(void)
{
	static const uint8_t lease51[8] = { 51, 4, 0, 0, 0x0e, 0x10, 255, 0 };
	struct frame o;
	struct dhcp4 m = ack_msg(&A, L4_1, &o);

	/* Without END, option 51 only after the datagram's end. */
	o.len = 0;
	o4_type(&o, 5);
	CHECK(out(&A, trailer(dhcp4(&m), lease51, sizeof(lease51)),
		  "ACK without 51, a 51 after the datagram", NONE));
	STATE("nothing learned from the trailer");
	{
		/* The IPv4 datagram goes on past the UDP one, or the UDP
		 * length past the IPv4 datagram: the shorter ends the
		 * message. */
		struct frame f = trailer(dhcp4(&m), lease51, sizeof(lease51));
		size_t udp = ETH_HLEN_T + 20;

		ip4_end(&f, ETH_HLEN_T);
		CHECK(out(&A, f, "ACK, 51 after the UDP datagram in the IPv4 one", NONE));
		f = dhcp4(&m);
		set16(&f, udp + 4, f.len - udp + sizeof(lease51));
		f = trailer(f, lease51, sizeof(lease51));
		CHECK(out(&A, f, "ACK, 51 after the IPv4 datagram in the UDP one", NONE));
		STATE("nothing learned past either end");
	}
	{
		/* Option 51 begins inside the datagram and ends after it,
		 * by 2 octets or by 1: it does not fit. */
		static const uint8_t rest2[] = { 0x0e, 0x10, 255, 0 }, rest1[] = { 0x10, 255, 0 };

		o.len = 0;
		o4_type(&o, 5);
		put(&o, "\x33\x04\x00\x00", 4);
		CHECK(out(&A, trailer(dhcp4(&m), rest2, sizeof(rest2)),
			  "ACK, 51's last 2 octets after the datagram", NONE));
		o.len = 0;
		o4_type(&o, 5);
		put(&o, "\x33\x04\x00\x00\x0e", 5);
		CHECK(out(&A, trailer(dhcp4(&m), rest1, sizeof(rest1)),
			  "ACK, 51's last octet after the datagram", NONE));
		STATE("nothing learned from a 51 that does not fit");
	}
	{
		/* An IAADDR whose valid lifetime ends after the UDP
		 * datagram, by 4 octets or by 1. */
		struct frame f = reply6(&A, L6_1, 3600), g;
		size_t udp = ETH_HLEN_T + 40;
		uint16_t ulen = f.b[udp + 4] << 8 | f.b[udp + 5];

		g = f;
		set16(&g, udp + 4, ulen - 4);
		CHECK(out(&A, g, "Reply, the IAADDR's lifetime after the datagram", NONE));
		g = f;
		set16(&g, udp + 4, ulen - 1);
		CHECK(out(&A, g, "Reply, the IAADDR's last octet after the datagram", NONE));
		STATE("nothing learned from an IAADDR that does not fit");
	}
	{
		/* The same for DHCPv6: an IA_NA whose IAADDR (28 octets, the
		 * last) lies beyond the UDP datagram, the IPv6 payload or
		 * both. */
		struct frame f = reply6(&A, L6_1, 3600), g;
		size_t udp = ETH_HLEN_T + 40;
		uint16_t ulen = (f.b[udp + 4] << 8 | f.b[udp + 5]) - 28;

		g = f;
		set16(&g, udp + 4, ulen);
		CHECK(out(&A, g, "Reply whose IAADDR lies after the UDP datagram", NONE));
		g = f;
		set16(&g, ETH_HLEN_T + 4, ulen);
		CHECK(out(&A, g, "Reply whose IAADDR lies after the IPv6 payload", NONE));
		g = f;
		set16(&g, udp + 4, ulen);
		set16(&g, ETH_HLEN_T + 4, ulen);
		CHECK(out(&A, g, "Reply whose IAADDR lies after both", NONE));
		STATE("nothing learned after the datagram");
	}
	ack_opts(&o, 3600);
	CHECK(out(&A, trailer(dhcp4(&m), NULL, 18), "ACK, 18 zero octets after it", NONE));
	CHECK(out(&A, trailer(reply6(&A, L6_1, 600), NULL, 18), "Reply, 18 zero octets after it",
		  NONE));
	STATE("learned with a trailer", L4(L4_1, &A, 0, 3600), S(&A, V4SLOT(0), L4_1),
	      L6(L6_1, &A, V6SLOT(0), 600), S(&A, V6SLOT(0), L6_1));
	map_clear(skel->maps.learned4);
	map_clear(skel->maps.learned6);
	map_clear(skel->maps.lease_slots);
	CHECK(out(&A, ack(&A, L4_1, 3600), "ACK, END its last octet", NONE));
	CHECK(out(&A, reply6(&A, L6_1, 600), "Reply, the IAADDR its last option", NONE));
	STATE("learned without", L4(L4_1, &A, 0, 3600), S(&A, V4SLOT(0), L4_1),
	      L6(L6_1, &A, V6SLOT(0), 600), S(&A, V6SLOT(0), L6_1));
	return true;
}

/* A lease allows its address only on its interface and only until it
 * ends. */
static bool case_expiry(void)
{
	struct state s;

	CHECK(out(&A, ack(&A, L4_1, 3600), "ACK of L4_1", NONE));
	CHECK(out(&A, reply6(&A, L6_1, 3600), "Reply with L6_1", NONE));
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1", PASSES));
	set_expiry(L4_1, now_ns() - 1000);
	set_expiry(L6_1, now_ns() - 1000);
	state_read(&s);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1, expired", DROPS(IPV4_SRC)));
	CHECK(in(&A, arp_from(MAC_A, L4_1), "ARP from L4_1, expired", DROPS(ARP_SPA)));
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1, expired", DROPS(IPV6_SRC)));
	SAME(s, "expired entries stay");
	/* Renewed in time: allowed again. */
	CHECK(out(&A, ack(&A, L4_1, 3600), "ACK of L4_1 renews", NONE));
	CHECK(out(&A, reply6(&A, L6_1, 3600), "Reply with L6_1 renews", NONE));
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1, renewed", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1, renewed", PASSES));
	/* A minute from now, or a nanosecond ago. */
	set_expiry(L4_1, now_ns() + 60000000000ULL);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1, a minute left", PASSES));
	set_expiry(L4_1, VG_LEASE_FOREVER);
	CHECK(in(&A, arp_from(MAC_A, L4_1), "ARP from L4_1, forever", PASSES));
	/* Real time: a lease of 1 s without grace. */
	set_grace(0);
	CHECK(out(&A, ack(&A, L4_2, 1), "ACK of L4_2 for 1 s, grace 0", NONE));
	CHECK(in(&A, udp4_from(MAC_A, L4_2), "UDP from L4_2", PASSES));
	usleep(1100000);
	CHECK(in(&A, udp4_from(MAC_A, L4_2), "UDP from L4_2, 1.1 s later", DROPS(IPV4_SRC)));
	CHECK(in(&A, arp_from(MAC_A, L4_2), "ARP from L4_2, 1.1 s later", DROPS(ARP_SPA)));
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1, forever", PASSES));
	return true;
}

/* Who holds an address decides whether a lease of it is learned. */
static bool case_conflict4(void)
{
	struct state s;

	/* B's configured address, and A's own. */
	put_config4(V4_B, &B);
	put_config4(V4_A, &A);
	state_read(&s);
	CHECK(out(&A, ack(&A, V4_B, 3600), "ACK of B's configured address",
		  REFUSED(LEARN_CONFLICT)));
	CHECK(out(&A, ack(&A, V4_A, 3600), "ACK of A's configured address", NONE));
	SAME(s, "configured addresses stay so");
	CHECK(in(&A, udp4_from(MAC_A, V4_B), "UDP from B's address", DROPS(IPV4_SRC)));
	/* B's lease, unexpired and expired. */
	CHECK(out(&B, ack(&B, L4_1, 3600), "ACK of L4_1 for B", NONE));
	state_read(&s);
	CHECK(out(&A, ack(&A, L4_1, 3600), "ACK of B's L4_1", REFUSED(LEARN_CONFLICT)));
	SAME(s, "B's lease refused to A");
	set_expiry(L4_1, now_ns() + 1000000000ULL);
	CHECK(out(&A, ack(&A, L4_1, 3600), "ACK of B's L4_1, a second left",
		  REFUSED(LEARN_CONFLICT)));
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from B's L4_1", DROPS(IPV4_SRC)));
	set_expiry(L4_1, now_ns() - 1);
	CHECK(out(&A, ack(&A, L4_1, 1800), "ACK of B's expired L4_1", NONE));
	STATE("A took L4_1 over", C4(V4_B, &B), C4(V4_A, &A), L4(L4_1, &A, 0, 1800),
	      S(&A, V4SLOT(0), L4_1));
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1", PASSES));
	CHECK(in(&B, udp4_from(MAC_B, L4_1), "UDP from L4_1, now A's", DROPS(IPV4_SRC)));
	/* B's freed slot takes its next lease. */
	CHECK(out(&B, ack(&B, L4_2, 600), "ACK of L4_2 for B", NONE));
	STATE("B leased L4_2", C4(V4_B, &B), C4(V4_A, &A), L4(L4_1, &A, 0, 1800),
	      S(&A, V4SLOT(0), L4_1), L4(L4_2, &B, 0, 600), S(&B, V4SLOT(0), L4_2));
	/* A DHCPv6 address configured for B. */
	put_config6(L6_1, &B);
	state_read(&s);
	CHECK(out(&A, reply6(&A, L6_1, 3600), "Reply with B's configured L6_1",
		  REFUSED(LEARN_CONFLICT)));
	SAME(s, "configured IPv6 address stays");
	return true;
}

/* A protected IPv4 address (host protect=, as ::ffff:a.b.c.d) is
 * leased to no one: its frames stay dropped. */
static bool case_protected4(void)
{
	put_protected("::ffff:" L4_3, VG_PROTECT_CONFIG);
	CHECK(out(&A, ack(&A, L4_3, 3600), "ACK of protected L4_3", REFUSED(LEARN_PROTECTED)));
	CHECK(out(&A, ack(&A, L4_3, 0xffffffff), "infinite ACK of protected L4_3",
		  REFUSED(LEARN_PROTECTED)));
	STATE("nothing learned", P("::ffff:" L4_3));
	CHECK(in(&A, udp4_from(MAC_A, L4_3), "UDP from L4_3", DROPS(IPV4_SRC)));
	CHECK(in(&A, arp_from(MAC_A, L4_3), "ARP from L4_3", DROPS(ARP_SPA)));
	/* Its neighbour is leased as usual. */
	CHECK(out(&A, ack(&A, L4_2, 3600), "ACK of L4_2", NONE));
	STATE("L4_2 leased", P("::ffff:" L4_3), L4(L4_2, &A, 0, 3600),
	      S(&A, V4SLOT(0), L4_2));
	return true;
}

/* Two IPv4 leases per interface: a third replaces the one that ends
 * first, whichever slot it is in. */
static bool case_cap4(void)
{
	CHECK(out(&B, ack(&B, L4_3, 60), "ACK of L4_3 for B, 60 s", NONE));
	CHECK(out(&A, ack(&A, L4_1, 7200), "ACK of L4_1, 7200 s", NONE));
	CHECK(out(&A, ack(&A, L4_2, 600), "ACK of L4_2, 600 s", NONE));
	CHECK(out(&A, ack(&A, "10.0.0.103", 3600), "ACK of .103, 3600 s", NONE));
	STATE("L4_2 replaced", L4(L4_3, &B, 0, 60), S(&B, V4SLOT(0), L4_3),
	      L4(L4_1, &A, 0, 7200), S(&A, V4SLOT(0), L4_1),
	      L4("10.0.0.103", &A, 1, 3600), S(&A, V4SLOT(1), "10.0.0.103"));
	CHECK(in(&A, udp4_from(MAC_A, L4_2), "UDP from L4_2, replaced", DROPS(IPV4_SRC)));
	CHECK(in(&A, udp4_from(MAC_A, "10.0.0.103"), "UDP from .103", PASSES));
	CHECK(out(&A, ack(&A, "10.0.0.104", 3600), "ACK of .104, 3600 s", NONE));
	STATE(".103 replaced (slot 1, ends before L4_1)", L4(L4_3, &B, 0, 60),
	      S(&B, V4SLOT(0), L4_3), L4(L4_1, &A, 0, 7200), S(&A, V4SLOT(0), L4_1),
	      L4("10.0.0.104", &A, 1, 3600), S(&A, V4SLOT(1), "10.0.0.104"));
	/* Now slot 0 ends first; an infinite lease ends last. */
	CHECK(out(&A, ack(&A, L4_1, LEASE_INF), "ACK of L4_1, infinite", NONE));
	CHECK(out(&A, ack(&A, L4_2, 100), "ACK of L4_2, 100 s", NONE));
	STATE(".104 replaced", L4(L4_3, &B, 0, 60), S(&B, V4SLOT(0), L4_3),
	      L4(L4_1, &A, 0, LEASE_FOREVER), S(&A, V4SLOT(0), L4_1),
	      L4(L4_2, &A, 1, 100), S(&A, V4SLOT(1), L4_2));
	/* IPv6 leases do not count against IPv4's two. */
	CHECK(out(&A, reply6(&A, L6_1, 10), "Reply with L6_1, 10 s", NONE));
	CHECK(out(&A, ack(&A, "10.0.0.104", 200), "ACK of .104, 200 s", NONE));
	STATE("L4_2 replaced, not L6_1", L4(L4_3, &B, 0, 60), S(&B, V4SLOT(0), L4_3),
	      L4(L4_1, &A, 0, LEASE_FOREVER), S(&A, V4SLOT(0), L4_1),
	      L4("10.0.0.104", &A, 1, 200), S(&A, V4SLOT(1), "10.0.0.104"),
	      L6(L6_1, &A, V6SLOT(0), 10), S(&A, V6SLOT(0), L6_1));
	return true;
}

/*
 * The operator configures an address the guest holds by a lease (the
 * loader rewrites its entry): the lease's slot is the next one replaced
 * without taking the configured entry with it.
 */
static bool case_configured_while_leased(void)
{
	struct vg_addr4 k = a4(L4_1);
	struct vg_owner o = { .ifindex = A.ifindex, .origin = VG_ORIGIN_CONFIG, .since_ns = 1 };

	CHECK(out(&A, ack(&A, L4_1, 3600), "ACK of L4_1, 3600 s", NONE));
	CHECK(out(&A, ack(&A, L4_2, 7200), "ACK of L4_2, 7200 s", NONE));
	if (bpf_map_update_elem(map_fd(skel->maps.learned4), &k, &o, BPF_EXIST))
		die("learned4 config entry", errno);
	CHECK(out(&A, ack(&A, L4_3, 600), "ACK of L4_3", NONE));
	STATE("L4_3 in L4_1's slot, L4_1 still configured", C4(L4_1, &A),
	      L4(L4_2, &A, 1, 7200), S(&A, V4SLOT(1), L4_2), L4(L4_3, &A, 0, 600),
	      S(&A, V4SLOT(0), L4_3));
	return true;
}

/* Fills learned4, learned6 or lease_slots with unexpired leases of
 * interfaces that do not exist until the kernel says E2BIG. */
enum fill_what { FILL4, FILL6, FILL_SLOTS };

static unsigned int fill(enum fill_what w)
{
	int fd = w == FILL4 ? map_fd(skel->maps.learned4) :
		 w == FILL6 ? map_fd(skel->maps.learned6) : map_fd(skel->maps.lease_slots);
	unsigned int n;

	for (n = 0;; n++) {
		struct vg_owner o = { .ifindex = FILL_IFINDEX + n, .origin = VG_ORIGIN_DHCP,
				      .expires_ns = VG_LEASE_FOREVER };
		struct vg_addr4 k4 = { htonl(0xac100000 + n) };	/* 172.16/12 */
		struct vg_addr6 k6 = a6("fd00::");
		struct vg_slot_key sk = { FILL_IFINDEX + n, 0 };
		struct vg_slot sv = { .since_ns = VG_LEASE_FOREVER };
		int err;

		k6.addr[3] = htonl(n);
		sv.a = k6;
		err = w == FILL4 ? bpf_map_update_elem(fd, &k4, &o, BPF_NOEXIST) :
		      w == FILL6 ? bpf_map_update_elem(fd, &k6, &o, BPF_NOEXIST) :
				   bpf_map_update_elem(fd, &sk, &sv, BPF_NOEXIST);
		if (err && errno == E2BIG)
			return n;
		if (err)
			die("fill", errno);
	}
}

/* Deletes the n entries fill() wrote, by their keys: a hash emptied by
 * get_next_key from the start scans its emptied buckets again and again. */
static void unfill(enum fill_what w, unsigned int n)
{
	int fd = w == FILL4 ? map_fd(skel->maps.learned4) :
		 w == FILL6 ? map_fd(skel->maps.learned6) : map_fd(skel->maps.lease_slots);

	for (unsigned int i = 0; i < n; i++) {
		struct vg_addr4 k4 = { htonl(0xac100000 + i) };
		struct vg_addr6 k6 = a6("fd00::");
		struct vg_slot_key sk = { FILL_IFINDEX + i, 0 };

		k6.addr[3] = htonl(i);
		if (bpf_map_delete_elem(fd, w == FILL4 ? (void *)&k4 : w == FILL6 ? (void *)&k6 :
							     (void *)&sk) &&
		    errno != ENOENT)
			die("unfill", errno);
	}
}

/* Entries in the map of w, and none of A's among them. */
static bool filled_count(enum fill_what w, unsigned int n, const char *when)
{
	int fd = w == FILL4 ? map_fd(skel->maps.learned4) :
		 w == FILL6 ? map_fd(skel->maps.learned6) : map_fd(skel->maps.lease_slots);
	__u8 k[16], prev[16], v[24];
	unsigned int count = 0;
	bool first = true;

	while (bpf_map_get_next_key(fd, first ? NULL : prev, k) == 0) {
		__u32 ifindex;

		first = false;
		memcpy(prev, k, sizeof(k));
		if (bpf_map_lookup_elem(fd, k, v))
			die("fill read", errno);
		/* vg_owner and vg_slot_key start with the ifindex. */
		memcpy(&ifindex, w == FILL_SLOTS ? (void *)k : (void *)v, 4);
		if (ifindex < FILL_IFINDEX)
			return fail("after step %d (%s): an entry of interface %u", step, when,
				    ifindex);
		count++;
	}
	if (count != n)
		return fail("after step %d (%s): %u entries, %u filled", step, when, count, n);
	return true;
}

static bool case_full(void)
{
	static const enum fill_what whats[] = { FILL4, FILL6, FILL_SLOTS };
	static const char *const names[] = { "learned4", "learned6", "lease_slots" };
	unsigned int filled[3];

	for (int i = 0; i < 3; i++) {
		unsigned int n = fill(whats[i]);
		char what[64];
		bool ok;

		filled[i] = n;
		snprintf(what, sizeof(what), "%s full", names[i]);
		ok = out(&A, ack(&A, L4_1, 3600), "ACK of L4_1",
			 whats[i] == FILL6 ? NONE : REFUSED(LEARN_FULL)) &&
		     out(&A, reply6(&A, L6_1, 3600), "Reply with L6_1",
			 whats[i] == FILL4 ? NONE : REFUSED(LEARN_FULL)) &&
		     in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1",
			whats[i] == FILL6 ? TC_ACT_OK : TC_ACT_SHOT,
			whats[i] == FILL6 ? VG_PASS : VG_IPV4_SRC) &&
		     in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1",
			whats[i] == FILL4 ? TC_ACT_OK : TC_ACT_SHOT,
			whats[i] == FILL4 ? VG_PASS : VG_IPV6_SRC);
		/* The family with room learned: forget that lease for the
		 * next table, leaving whatever else the refusal left. */
		if (ok && whats[i] != FILL_SLOTS) {
			struct vg_addr4 k4 = a4(L4_1);
			struct vg_addr6 k6 = a6(L6_1);
			struct vg_slot_key sk = { A.ifindex, whats[i] == FILL4 ? V6SLOT(0) :
							      V4SLOT(0) };

			if (whats[i] == FILL4)
				bpf_map_delete_elem(map_fd(skel->maps.learned6), &k6);
			else
				bpf_map_delete_elem(map_fd(skel->maps.learned4), &k4);
			bpf_map_delete_elem(map_fd(skel->maps.lease_slots), &sk);
		}
		ok = ok && filled_count(whats[i], n, what);
		unfill(whats[i], n);
		CHECK(ok);
		STATE(what);
	}
	snprintf(note, sizeof(note), ", %u/%u/%u entries filled the tables", filled[0],
		 filled[1], filled[2]);
	return true;
}

/* The guest's RELEASE and DECLINE end its own leases, nothing else. */
static bool case_release4(void)
{
	struct state s;

	put_config4(V4_A, &A);
	CHECK(out(&A, ack(&A, L4_1, 3600), "ACK of L4_1", NONE));
	CHECK(out(&A, ack(&A, L4_2, 3600), "ACK of L4_2", NONE));
	CHECK(out(&B, ack(&B, L4_3, 3600), "ACK of L4_3 for B", NONE));
	state_read(&s);
	CHECK(in(&A, release4(&A, V4_A, L4_3), "RELEASE of B's L4_3 from A's address", PASSES));
	CHECK(in(&A, release4(&A, L4_3, L4_3), "RELEASE of L4_3 from L4_3", DROPS(IPV4_SRC)));
	CHECK(in(&A, release4(&A, V4_A, V4_A), "RELEASE of A's configured address", PASSES));
	CHECK(in(&A, decline4(&A, L4_3), "DECLINE of B's L4_3", PASSES));
	CHECK(in(&B, release4(&B, L4_3, L4_1), "B's RELEASE of A's L4_1", PASSES));
	CHECK(in(&B, decline4(&B, L4_2), "B's DECLINE of A's L4_2", PASSES));
	SAME(s, "RELEASE and DECLINE of others' addresses");
	{
		/* A's own lease, in a message its policy drops. */
		struct frame f = release4(&A, L4_1, L4_1);

		memcpy(f.b + ETH_HLEN_T + 20 + 8 + 28, MAC_B, 6);
		CHECK(in(&A, f, "RELEASE of L4_1 for B's chaddr", DROPS(DHCP_CHADDR)));
		f = decline4(&A, L4_1);
		memcpy(f.b + ETH_HLEN_T + 20 + 8 + 28, MAC_B, 6);
		CHECK(in(&A, f, "DECLINE of L4_1 for B's chaddr", DROPS(DHCP_CHADDR)));
		SAME(s, "dropped RELEASE and DECLINE");
		/* The same octets to another UDP port: no server's. */
		f = release4(&A, L4_1, L4_1);
		set16(&f, ETH_HLEN_T + 20 + 2, 1067);
		CHECK(in(&A, f, "RELEASE of L4_1 to UDP port 1067", PASSES));
		SAME(s, "a RELEASE to no server port");
	}
	CHECK(in(&A, release4(&A, L4_1, L4_1), "RELEASE of L4_1", PASSES));
	STATE("L4_1 released", C4(V4_A, &A), L4(L4_2, &A, 1, 3600), S(&A, V4SLOT(1), L4_2),
	      L4(L4_3, &B, 0, 3600), S(&B, V4SLOT(0), L4_3));
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1", DROPS(IPV4_SRC)));
	CHECK(in(&A, decline4(&A, L4_2), "DECLINE of L4_2", PASSES));
	STATE("L4_2 declined", C4(V4_A, &A), L4(L4_3, &B, 0, 3600), S(&B, V4SLOT(0), L4_3));
	CHECK(in(&A, udp4_from(MAC_A, L4_2), "UDP from L4_2", DROPS(IPV4_SRC)));
	/* Only in the first VG_DHCP4_OPTS_IN options. */
	CHECK(out(&A, ack(&A, L4_1, 3600), "ACK of L4_1", NONE));
	{
		struct frame o = { .len = 0 };
		struct dhcp4 m = { .eth_src = MAC_A, .eth_dst = MAC_SERVER, .src = L4_1,
				   .dst = SERVER4, .sport = 68, .dport = 67, .op = 1,
				   .chaddr = MAC_A, .ciaddr = L4_1, .o = &o };

		o4_pads(&o, VG_DHCP4_OPTS_IN);
		o4_type(&o, 7);
		o4_end(&o);
		state_read(&s);
		CHECK(in(&A, dhcp4(&m), "RELEASE with 53 just past the options read", PASSES));
		SAME(s, "53 beyond the options read");
		o.len = 0;
		o4_pads(&o, VG_DHCP4_OPTS_IN - 1);
		o4_type(&o, 7);
		o4_end(&o);
		CHECK(in(&A, dhcp4(&m), "RELEASE with 53 the last option read", PASSES));
		STATE("released by 53 the last read", C4(V4_A, &A), L4(L4_3, &B, 0, 3600),
		      S(&B, V4SLOT(0), L4_3));
	}
	/* A DECLINE whose option 50 comes after the options read, or
	 * that has none. */
	CHECK(out(&A, ack(&A, L4_1, 3600), "ACK of L4_1", NONE));
	{
		struct frame o = { .len = 0 };
		struct dhcp4 m = { .eth_src = MAC_A, .src = "0.0.0.0", .sport = 68, .dport = 67,
				   .op = 1, .chaddr = MAC_A, .ciaddr = L4_1, .o = &o };

		o4_type(&o, 4);
		o4_end(&o);
		state_read(&s);
		CHECK(in(&A, dhcp4(&m), "DECLINE without option 50 (ciaddr L4_1)", PASSES));
		o.len = 0;
		o4_type(&o, 4);
		o4_pads(&o, VG_DHCP4_OPTS_IN - 1);
		o4_addr(&o, 50, L4_1);
		o4_end(&o);
		CHECK(in(&A, dhcp4(&m), "DECLINE with 50 just past the options read", PASSES));
		SAME(s, "DECLINEs that name nothing");
		/* Other message types name nothing either. */
		o.len = 0;
		o4_type(&o, 3);
		o4_addr(&o, 50, L4_1);
		o4_end(&o);
		CHECK(in(&A, dhcp4(&m), "REQUEST for L4_1", PASSES));
		SAME(s, "REQUEST");
	}
	/* Learning off: the guest's messages end nothing. */
	set_policy(&A, VG_MODE_LOCKED, F_DEFAULT & ~VG_F_LEARN_DHCP);
	state_read(&s);
	CHECK(in(&A, decline4(&A, L4_1), "DECLINE of L4_1, learning off", PASSES));
	SAME(s, "learning off");
	return true;
}

/*
 * Two CPUs learning for one interface at once may both pick its free
 * slot: the lease written last keeps it, the other's entry names a slot
 * that holds another address.  Ending that lease leaves the slot alone.
 */
static bool case_slot_taken(void)
{
	struct vg_addr4 k = a4(L4_1);
	struct vg_owner o = { .ifindex = A.ifindex, .origin = VG_ORIGIN_DHCP, .slot = 0 };

	CHECK(out(&A, ack(&A, L4_2, 3600), "ACK of L4_2", NONE));
	o.expires_ns = now_ns() + 600000000000ULL;
	if (bpf_map_update_elem(map_fd(skel->maps.learned4), &k, &o, BPF_NOEXIST))
		die("learned4 entry", errno);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1, its slot taken", PASSES));
	CHECK(in(&A, release4(&A, L4_1, L4_1), "RELEASE of L4_1", PASSES));
	STATE("L4_1 ended, L4_2 keeps slot 0", L4(L4_2, &A, 0, 3600), S(&A, V4SLOT(0), L4_2));
	CHECK(in(&A, udp4_from(MAC_A, L4_2), "UDP from L4_2", PASSES));
	return true;
}

/*
 * A gc that removed a lease's entry but not yet its slot leaves the slot
 * naming an address that may be leased again, to the same interface in
 * another slot or to another interface.  Replacing the stale slot must
 * not take that lease with it.
 */
static bool case_stale_slot(void)
{
	struct vg_slot_key sk = { A.ifindex, 0 };
	struct vg_slot sv = { .a = mapped(L4_1), .since_ns = 1 };

	if (bpf_map_update_elem(map_fd(skel->maps.lease_slots), &sk, &sv, BPF_NOEXIST))
		die("stale slot", errno);
	CHECK(out(&A, ack(&A, L4_1, 3600), "ACK of L4_1, slot 0 stale", NONE));
	CHECK(out(&B, ack(&B, L4_2, 3600), "ACK of L4_2 for B", NONE));
	STATE("L4_1 in slot 1", L4(L4_1, &A, 1, 3600), S(&A, V4SLOT(1), L4_1),
	      S(&A, V4SLOT(0), L4_1), L4(L4_2, &B, 0, 3600), S(&B, V4SLOT(0), L4_2));
	CHECK(out(&A, ack(&A, L4_3, 600), "ACK of L4_3, replacing the stale slot", NONE));
	STATE("L4_1 kept", L4(L4_1, &A, 1, 3600), S(&A, V4SLOT(1), L4_1),
	      L4(L4_3, &A, 0, 600), S(&A, V4SLOT(0), L4_3), L4(L4_2, &B, 0, 3600),
	      S(&B, V4SLOT(0), L4_2));
	/* A's slot 0 stale for B's L4_2, which B holds in its slot 0. */
	map_clear(skel->maps.learned4);
	map_clear(skel->maps.lease_slots);
	sv.a = mapped(L4_2);
	if (bpf_map_update_elem(map_fd(skel->maps.lease_slots), &sk, &sv, BPF_NOEXIST))
		die("stale slot", errno);
	CHECK(out(&B, ack(&B, L4_2, 3600), "ACK of L4_2 for B", NONE));
	CHECK(out(&A, ack(&A, L4_1, 3600), "ACK of L4_1", NONE));
	CHECK(out(&A, ack(&A, L4_3, 600), "ACK of L4_3, replacing A's stale slot", NONE));
	STATE("B keeps L4_2", L4(L4_1, &A, 1, 3600), S(&A, V4SLOT(1), L4_1),
	      L4(L4_3, &A, 0, 600), S(&A, V4SLOT(0), L4_3), L4(L4_2, &B, 0, 3600),
	      S(&B, V4SLOT(0), L4_2));
	return true;
}

/* --- cases: DHCPv6 -------------------------------------------------------------- */

static bool case_reply6(void)
{
	struct frame o = { .len = 0 };
	struct dhcp6 m = { .o = &o };
	size_t ia;

	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1, no lease yet", DROPS(IPV6_SRC)));
	CHECK(out(&A, reply6(&A, L6_1, 3600), "Reply with L6_1 in an IA_NA", NONE));
	STATE("A leased L6_1", L6(L6_1, &A, V6SLOT(0), 3600), S(&A, V6SLOT(0), L6_1));
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1", PASSES));
	CHECK(in(&B, udp6_from(MAC_B, L6_1), "UDP from A's L6_1", DROPS(IPV6_SRC)));
	/* An IA_TA, before its address a status option. */
	o6_ids(&o, MAC_A);
	ia = o6_ia_ta(&o, 7);
	o6(&o, 13, "\x00\x00ok", 4);
	o6_iaaddr(&o, L6_2, 100, 200);
	o6_close(&o, ia);
	CHECK(out(&A, dhcp6(&A, &m), "Reply with L6_2 in an IA_TA", NONE));
	STATE("A leased L6_2", L6(L6_1, &A, V6SLOT(0), 3600), S(&A, V6SLOT(0), L6_1),
	      L6(L6_2, &A, V6SLOT(1), 200), S(&A, V6SLOT(1), L6_2));
	/* Four addresses in two IAs: the first three count; L6_1 renewed. */
	o.len = 0;
	o6_ids(&o, MAC_A);
	ia = o6_ia_na(&o, 1);
	o6_iaaddr(&o, L6_1, 1000, 7200);
	o6_iaaddr(&o, L6_3, 1000, 1800);
	o6_close(&o, ia);
	ia = o6_ia_na(&o, 2);
	o6_iaaddr(&o, L6_4, 1000, 900);
	o6_iaaddr(&o, L6_5, 1000, 900);
	o6_close(&o, ia);
	CHECK(out(&A, dhcp6(&A, &m), "Reply with four addresses", NONE));
	STATE("the first three counted", L6(L6_1, &A, V6SLOT(0), 7200), S(&A, V6SLOT(0), L6_1),
	      L6(L6_2, &A, V6SLOT(1), 200), S(&A, V6SLOT(1), L6_2),
	      L6(L6_3, &A, V6SLOT(2), 1800), S(&A, V6SLOT(2), L6_3),
	      L6(L6_4, &A, V6SLOT(3), 900), S(&A, V6SLOT(3), L6_4));
	CHECK(in(&A, udp6_from(MAC_A, L6_5), "UDP from L6_5", DROPS(IPV6_SRC)));
	/* A fifth address replaces the one that ends first (L6_2). */
	CHECK(out(&A, reply6(&A, L6_5, 3600), "Reply with L6_5", NONE));
	STATE("L6_2 replaced", L6(L6_1, &A, V6SLOT(0), 7200), S(&A, V6SLOT(0), L6_1),
	      L6(L6_5, &A, V6SLOT(1), 3600), S(&A, V6SLOT(1), L6_5),
	      L6(L6_3, &A, V6SLOT(2), 1800), S(&A, V6SLOT(2), L6_3),
	      L6(L6_4, &A, V6SLOT(3), 900), S(&A, V6SLOT(3), L6_4));
	CHECK(in(&A, udp6_from(MAC_A, L6_2), "UDP from L6_2, replaced", DROPS(IPV6_SRC)));
	CHECK(in(&A, udp6_from(MAC_A, L6_5), "UDP from L6_5", PASSES));
	return true;
}

/* Valid lifetime 0 ends an address the interface holds by DHCP. */
static bool case_valid0(void)
{
	struct frame o = { .len = 0 };
	struct dhcp6 m = { .o = &o };
	struct state s;
	size_t ia;

	put_config6(L6_4, &A);
	CHECK(out(&A, reply6(&A, L6_1, 3600), "Reply with L6_1", NONE));
	CHECK(out(&A, reply6(&A, L6_2, 3600), "Reply with L6_2", NONE));
	CHECK(out(&B, reply6(&B, L6_3, 3600), "Reply with L6_3 for B", NONE));
	CHECK(out(&A, ack(&A, L4_1, 3600), "ACK of L4_1", NONE));
	state_read(&s);
	CHECK(out(&A, reply6(&A, L6_3, 0), "Reply ending B's L6_3", NONE));
	CHECK(out(&A, reply6(&A, L6_4, 0), "Reply ending A's configured L6_4", NONE));
	CHECK(out(&A, reply6(&A, L6_5, 0), "Reply ending L6_5, nobody's", NONE));
	SAME(s, "lifetime 0 for addresses A holds by no lease");
	o6_ids(&o, MAC_A);
	ia = o6_ia_na(&o, 1);
	o6_iaaddr(&o, L6_1, 0, 0);
	o6_iaaddr(&o, L6_2, 3000, 7200);
	o6_close(&o, ia);
	CHECK(out(&A, dhcp6(&A, &m), "Reply ending L6_1, renewing L6_2", NONE));
	STATE("L6_1 ended", C6(L6_4, &A), L6(L6_2, &A, V6SLOT(1), 7200), S(&A, V6SLOT(1), L6_2),
	      L6(L6_3, &B, V6SLOT(0), 3600), S(&B, V6SLOT(0), L6_3), L4(L4_1, &A, 0, 3600),
	      S(&A, V4SLOT(0), L4_1));
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1", DROPS(IPV6_SRC)));
	CHECK(in(&A, udp6_from(MAC_A, L6_2), "UDP from L6_2", PASSES));
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1", PASSES));
	return true;
}

/* Replies that teach nothing. */
static bool case_reply6_ignored(void)
{
	struct frame o;
	struct dhcp6 m;
	size_t ia;

	put_protected(L6_3, VG_PROTECT_CONFIG);
#define IGNORED6(what, ...)                                                            \
	do {                                                                           \
		o.len = 0;                                                               \
		memset(&m, 0, sizeof(m));                                              \
		m.o = &o;                                                              \
		o6_ids(&o, MAC_A);                                                     \
		ia = o6_ia_na(&o, 1);                                                  \
		o6_iaaddr(&o, L6_1, 1800, 3600);                                       \
		o6_close(&o, ia);                                                      \
		__VA_ARGS__;                                                           \
		CHECK(out(&A, dhcp6(&A, &m), what, NONE));                             \
		STATE(what, P(L6_3));                                                  \
	} while (0)
	IGNORED6("Advertise (2)", m.type = 2);
	IGNORED6("Reconfigure (10)", m.type = 10);
	IGNORED6("Relay-reply (13)", m.type = 13);
	IGNORED6("to UDP port 547", m.dport = 547);
	IGNORED6("to B's MAC", m.eth_dst = MAC_B);
	IGNORED6("to all nodes (33:33:00:00:00:01)", m.eth_dst = MAC_ALLNODES);
	IGNORED6("behind a hop-by-hop header", m.hbh = true);
	IGNORED6("IAADDR of length 20", o.len = 0; o6_ids(&o, MAC_A); ia = o6_ia_na(&o, 1);
		 { size_t at = o6_begin(&o, 5); struct vg_addr6 a = a6(L6_1);
		   put(&o, a.addr, 16); put32(&o, 3600); o6_close(&o, at); }
		 o6(&o, 13, "\x00\x00ok", 4); o6_close(&o, ia));
	IGNORED6("IAADDR in an unknown option (IA_PD's 25)", o.len = 0; o6_ids(&o, MAC_A);
		 ia = o6_begin(&o, 25); put32(&o, 1); put32(&o, 0); put32(&o, 0);
		 o6_iaaddr(&o, L6_1, 1800, 3600); o6_close(&o, ia));
	IGNORED6("IAADDR cut short by the message's end", o.len -= 8);
	/* VG_DHCP6_OPTS options are read: as many fillers before the IA
	 * but one put its IAADDR just past them. */
	IGNORED6("IAADDR just past the options read", o.len = 0;
		 for (int k = 0; k < VG_DHCP6_OPTS - 1; k++) o6(&o, 21, "\x00", 1);
		 ia = o6_ia_na(&o, 1); o6_iaaddr(&o, L6_1, 1800, 3600); o6_close(&o, ia));
	{
		static const char *const bad[] = { "::", "::1", "fe80::1", "febf:ffff::1",
						   "ff02::1", "ff0e::1:2", "ffff::1", L6_3 };

		for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
			char what[64];

			snprintf(what, sizeof(what), "Reply with %s", bad[i]);
			CHECK(out(&A, reply6(&A, bad[i], 3600), what,
				  i == ARRAY_SIZE(bad) - 1 ? REFUSED(LEARN_PROTECTED) : NONE));
			STATE(what, P(L6_3));
		}
	}
	CHECK(out_from(&A, &B, reply6(&A, L6_1, 3600), "Reply sent by guest B", NONE));
	STATE("from a guest", P(L6_3));
	CHECK(out(&C, reply6(&C, L6_1, 3600), "Reply to C", NONE));
	STATE("to C", P(L6_3));
	/* The edges outside fe80::/10 and ff00::/8, and the last option read. */
	CHECK(out(&A, reply6(&A, "fec0::1", 3600), "Reply with fec0::1", NONE));
	CHECK(out(&A, reply6(&A, "feff::1", 600), "Reply with feff::1", NONE));
	CHECK(out(&A, reply6(&A, "::2", 900), "Reply with ::2", NONE));
	o.len = 0;
	memset(&m, 0, sizeof(m));
	m.o = &o;
	for (int k = 0; k < VG_DHCP6_OPTS - 2; k++)
		o6(&o, 21, "\x00", 1);
	ia = o6_ia_na(&o, 1);
	o6_iaaddr(&o, L6_1, 1800, 3600);
	o6_close(&o, ia);
	CHECK(out(&A, dhcp6(&A, &m), "IAADDR the last option read", NONE));
	STATE("learned", P(L6_3), L6("fec0::1", &A, V6SLOT(0), 3600),
	      S(&A, V6SLOT(0), "fec0::1"), L6("feff::1", &A, V6SLOT(1), 600),
	      S(&A, V6SLOT(1), "feff::1"), L6("::2", &A, V6SLOT(2), 900),
	      S(&A, V6SLOT(2), "::2"), L6(L6_1, &A, V6SLOT(3), 3600), S(&A, V6SLOT(3), L6_1));
#undef IGNORED6
	return true;
}

/* Conflicts in learned6: another's lease, a link-local learned by DAD
 * cannot be leased (fe80::/10), a global one learned by nobody. */
static bool case_conflict6(void)
{
	struct state s;

	CHECK(out(&B, reply6(&B, L6_1, 3600), "Reply with L6_1 for B", NONE));
	state_read(&s);
	CHECK(out(&A, reply6(&A, L6_1, 3600), "Reply with B's L6_1",
		  REFUSED(LEARN_CONFLICT)));
	CHECK(out(&A, reply6(&A, L6_1, 0), "Reply ending B's L6_1", NONE));
	SAME(s, "B's lease");
	set_expiry(L6_1, now_ns() - 1);
	CHECK(out(&A, reply6(&A, L6_1, 600), "Reply with B's expired L6_1", NONE));
	STATE("A took L6_1 over", L6(L6_1, &A, V6SLOT(0), 600), S(&A, V6SLOT(0), L6_1));
	CHECK(in(&B, udp6_from(MAC_B, L6_1), "UDP from L6_1, now A's", DROPS(IPV6_SRC)));
	/* A configured entry of A's own: no lease, no refusal. */
	put_config6(L6_2, &A);
	state_read(&s);
	CHECK(out(&A, reply6(&A, L6_2, 600), "Reply with A's configured L6_2", NONE));
	SAME(s, "A's configured address");
	return true;
}

/* The guest's Release and Decline end its lease (one here, so that
 * which of its leases a message names does not matter), and nothing
 * when another guest sends them, when dropped or with learning off. */
static bool case_release6(void)
{
	struct frame o = { .len = 0 };
	struct dhcp6 m = { .eth_src = MAC_A, .eth_dst = MAC_V6_SERVERS, .src = "fe80::99",
			   .dst = "ff02::1:2", .sport = 546, .dport = 547, .type = 8, .o = &o };
	struct state s;
	size_t ia;

	put_config6(L6_5, &A);
	CHECK(out(&A, reply6(&A, L6_1, 3600), "Reply with L6_1", NONE));
	CHECK(out(&A, ack(&A, L4_1, 3600), "ACK of L4_1", NONE));
	state_read(&s);
	CHECK(in(&B, client6(&B, 8, L6_1), "B's Release of A's L6_1", PASSES));
	CHECK(in(&B, client6(&B, 9, L6_1), "B's Decline of A's L6_1", PASSES));
	{
		/* To the server port, but Solicit, Request, Renew, Confirm. */
		static const uint8_t types[] = { 1, 3, 5, 4 };

		for (size_t i = 0; i < ARRAY_SIZE(types); i++)
			CHECK(in(&A, client6(&A, types[i], L6_1), "other client message",
				 PASSES));
	}
	/* From a source the policy refuses: dropped, ends nothing. */
	o6_ids(&o, MAC_A);
	ia = o6_ia_na(&o, 1);
	o6_iaaddr(&o, L6_1, 0, 0);
	o6_close(&o, ia);
	CHECK(in(&A, dhcp6(&A, &m), "Release of L6_1 from fe80::99", DROPS(IPV6_SRC)));
	set_policy(&A, VG_MODE_LOCKED, F_DEFAULT & ~VG_F_LEARN_DHCP);
	CHECK(in(&A, client6(&A, 8, L6_1), "Release of L6_1, learning off", PASSES));
	CHECK(in(&A, client6(&A, 9, L6_1), "Decline of L6_1, learning off", PASSES));
	set_policy(&A, VG_MODE_LOCKED, F_DEFAULT);
	SAME(s, "messages that end none of A's leases");
	CHECK(in(&A, client6(&A, 8, L6_1), "Release of L6_1", PASSES));
	STATE("L6_1 released", C6(L6_5, &A), L4(L4_1, &A, 0, 3600), S(&A, V4SLOT(0), L4_1));
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1", DROPS(IPV6_SRC)));
	CHECK(out(&A, reply6(&A, L6_1, 3600), "Reply with L6_1", NONE));
	CHECK(in(&A, client6(&A, 9, L6_1), "Decline of L6_1", PASSES));
	STATE("L6_1 declined", C6(L6_5, &A), L4(L4_1, &A, 0, 3600), S(&A, V4SLOT(0), L4_1));
	CHECK(in(&A, client6(&A, 9, L6_5), "Decline of A's configured L6_5", PASSES));
	CHECK(in(&A, client6(&A, 8, L6_5), "Release of A's configured L6_5", PASSES));
	STATE("configured L6_5 stays", C6(L6_5, &A), L4(L4_1, &A, 0, 3600),
	      S(&A, V4SLOT(0), L4_1));
	return true;
}

/* A Release or Decline ends every DHCPv6 lease of the guest, whatever
 * it names (the next Reply teaches those it keeps), and nothing else:
 * not its IPv4 leases, its configured addresses or another's leases. */
static bool case_release6_all(void)
{
	put_config6(L6_5, &A);
	CHECK(out(&A, reply6(&A, L6_1, 3600), "Reply with L6_1", NONE));
	CHECK(out(&A, reply6(&A, L6_2, 3600), "Reply with L6_2", NONE));
	CHECK(out(&A, reply6(&A, L6_3, 3600), "Reply with L6_3", NONE));
	CHECK(out(&B, reply6(&B, L6_4, 3600), "Reply with L6_4 for B", NONE));
	CHECK(out(&A, ack(&A, L4_1, 3600), "ACK of L4_1", NONE));
	CHECK(in(&A, client6(&A, 8, L6_4), "Release naming B's L6_4", PASSES));
	STATE("A's DHCPv6 leases ended", C6(L6_5, &A), L6(L6_4, &B, V6SLOT(0), 3600),
	      S(&B, V6SLOT(0), L6_4), L4(L4_1, &A, 0, 3600), S(&A, V4SLOT(0), L4_1));
	CHECK(in(&A, udp6_from(MAC_A, L6_2), "UDP from L6_2", DROPS(IPV6_SRC)));
	CHECK(out(&A, reply6(&A, L6_1, 3600), "Reply with L6_1", NONE));
	CHECK(out(&A, reply6(&A, L6_2, 3600), "Reply with L6_2", NONE));
	CHECK(in(&A, client6(&A, 9, L6_5), "Decline naming configured L6_5", PASSES));
	STATE("ended again", C6(L6_5, &A), L6(L6_4, &B, V6SLOT(0), 3600),
	      S(&B, V6SLOT(0), L6_4), L4(L4_1, &A, 0, 3600), S(&A, V4SLOT(0), L4_1));
	return true;
}

/* --- cases: flags ------------------------------------------------------------------ */

/* Learning off: nothing learned, and learned entries allow nothing. */
static bool case_flags_off(void)
{
	set_policy(&A, VG_MODE_LOCKED, F_DEFAULT & ~VG_F_LEARN_DHCP);
	CHECK(out(&A, ack(&A, L4_1, 3600), "ACK of L4_1, learning off", NONE));
	CHECK(out(&A, reply6(&A, L6_1, 3600), "Reply with L6_1, learning off", NONE));
	STATE("nothing learned");
	set_policy(&A, VG_MODE_LOCKED, F_DEFAULT);
	CHECK(out(&A, ack(&A, L4_1, 3600), "ACK of L4_1", NONE));
	CHECK(out(&A, reply6(&A, L6_1, 3600), "Reply with L6_1", NONE));
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1", PASSES));
	/* Link-local learning on does not honour DHCP leases. */
	set_policy(&A, VG_MODE_LOCKED, (F_DEFAULT & ~VG_F_LEARN_DHCP) | VG_F_LEARN_LL);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1, DHCP off", DROPS(IPV4_SRC)));
	CHECK(in(&A, arp_from(MAC_A, L4_1), "ARP from L4_1, DHCP off", DROPS(ARP_SPA)));
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1, DHCP off, LL on",
		 DROPS(IPV6_SRC)));
	STATE("leases kept", L4(L4_1, &A, 0, 3600), S(&A, V4SLOT(0), L4_1),
	      L6(L6_1, &A, V6SLOT(0), 3600), S(&A, V6SLOT(0), L6_1));
	/* And DHCP on does not honour DAD's. */
	{
		struct vg_addr6 k = a6("fe80::1c2d:3e4f:5a6b:7c01");
		struct vg_slot_key sk = { A.ifindex, 0 };
		struct vg_slot sv = { .a = k, .since_ns = now_ns() };
		struct vg_owner o = { .ifindex = A.ifindex, .origin = VG_ORIGIN_DAD,
				      .since_ns = sv.since_ns };

		if (bpf_map_update_elem(map_fd(skel->maps.learned6), &k, &o, BPF_NOEXIST) ||
		    bpf_map_update_elem(map_fd(skel->maps.learn_slots), &sk, &sv, BPF_NOEXIST))
			die("DAD entry", errno);
		set_policy(&A, VG_MODE_LOCKED, F_DEFAULT);
		CHECK(in(&A, udp6_from(MAC_A, "fe80::1c2d:3e4f:5a6b:7c01"),
			 "UDP from a DAD-learned address, LL off", DROPS(IPV6_SRC)));
		set_policy(&A, VG_MODE_LOCKED, F_DEFAULT | VG_F_LEARN_LL);
		CHECK(in(&A, udp6_from(MAC_A, "fe80::1c2d:3e4f:5a6b:7c01"),
			 "UDP from a DAD-learned address, LL on", PASSES));
		map_clear(skel->maps.learn_slots);
		bpf_map_delete_elem(map_fd(skel->maps.learned6), &k);
	}
	/* Configured entries allow nothing by themselves. */
	put_config4(L4_2, &A);
	CHECK(in(&A, udp4_from(MAC_A, L4_2), "UDP from a configured entry not in the policy",
		 DROPS(IPV4_SRC)));
	return true;
}

static const struct lcase cases[] = {
	{ "DHCPv4 ACK learns yiaddr for lease + grace, only for its interface; renewal",
	  case_ack },
	{ "the grace comes from learn_cfg", case_grace },
	{ "infinite DHCPv4 lease: forever", case_infinite },
	{ "NAK ends the interface's IPv4 leases only", case_nak },
	{ "leases from the uplink and dhcp-server guests only", case_senders },
	{ "chaddr must be one of the interface's MACs", case_chaddr },
	{ "yiaddr 0/8, 127/8, 224/3 ignored", case_yiaddr },
	{ "no valid ACK with a lease: nothing learned", case_not_ack },
	{ "option walks: order, END, cuts, PADs, the last option read", case_options },
	{ "messages end with their datagram, at the frame's end or before a trailer",
	  case_message_end },
	{ "expired leases allow nothing (IPv4, ARP, IPv6), renewed ones again", case_expiry },
	{ "IPv4 conflicts: configured, unexpired, expired (taken over)", case_conflict4 },
	{ "a protected IPv4 address: learn-protected, its frames dropped", case_protected4 },
	{ "two IPv4 leases per interface, the one that ends first replaced", case_cap4 },
	{ "an address configured while leased keeps its entry when its slot goes",
	  case_configured_while_leased },
	{ "learned4 / learned6 / lease_slots full: learn-full", case_full },
	{ "RELEASE and DECLINE end the guest's own leases only", case_release4 },
	{ "a lease whose slot another took ends alone", case_slot_taken },
	{ "a stale slot is replaced without the lease of its address", case_stale_slot },
	{ "DHCPv6 Reply: IA_NA, IA_TA, three addresses a message, four a guest", case_reply6 },
	{ "DHCPv6 valid lifetime 0 ends the interface's lease only", case_valid0 },
	{ "DHCPv6 Replies that teach nothing; protected: learn-protected", case_reply6_ignored },
	{ "DHCPv6 conflicts", case_conflict6 },
	{ "DHCPv6 Release and Decline end the guest's lease, sent by it and passed",
	  case_release6 },
	{ "DHCPv6 Release and Decline end all the guest's DHCPv6 leases, nothing else",
	  case_release6_all },
	{ "flags: DHCP leases need VG_F_LEARN_DHCP, DAD's VG_F_LEARN_LL", case_flags_off },
};

SUITE_MAIN(.prog = "test-dhcp", .title = "DHCP snooping tests", .what = "DHCP snooping cases",
	   .veth = { "vgdhcp0", "vgdhcp1" })
