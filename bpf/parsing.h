/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Header parsing for the tc program: a cursor that only moves forward
 * after a bounds check against data_end, and small helpers that return the
 * header or NULL when it is not entirely in the packet.  Every helper is
 * inlined: Linux 4.19 verifies packet access per call site anyway, and
 * the per-frame path stays free of BPF-to-BPF calls.
 */
#ifndef VG_PARSING_H
#define VG_PARSING_H

#include <linux/types.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/icmpv6.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <bpf/bpf_helpers.h>

struct cursor {
	void *pos;
	void *end;
};

/* Returns the header at the cursor and moves past it, or NULL if fewer
 * than len bytes are left. */
static __always_inline void *cursor_pull(struct cursor *c, __u32 len)
{
	void *h = c->pos;

	if (h + len > c->end)
		return NULL;
	c->pos = h + len;
	return h;
}

#define parse_hdr(c, type) ((type *)cursor_pull((c), sizeof(type)))

/*
 * Hides a value from the compiler: it can neither fold it nor drop a
 * bound that it can prove but the verifier cannot.  Linux 4.19 forgets
 * the bounds of a scalar the compiler spilled to the stack, so a length
 * or index is bounded again right where it meets a pointer.
 */
#define opaque(x) asm volatile("" : "+r"(x))

/* Largest variable lengths, as masks (all ones up to the top bit). */
#define VG_IPV4_HLEN_MAX	0x3f	/* ihl * 4 <= 60 */
#define VG_ND_OPT_MAX		0x7ff	/* 255 * 8 */

/* cursor_pull() for a length computed from packet data, at most max. */
static __always_inline void *cursor_pull_var(struct cursor *c, __u64 len,
					     __u64 max)
{
	void *h = c->pos;

	opaque(len);
	len &= max;
	if (h + len > c->end)
		return NULL;
	c->pos = h + len;
	return h;
}

/* Moves the cursor without a bounds check: the next pull checks. */
static __always_inline void cursor_skip(struct cursor *c, __u64 len,
					__u64 max)
{
	opaque(len);
	c->pos += len & max;
}

/* ARP for Ethernet and IPv4: the only kind a guest may send. */
struct arp_eth {
	__be16 htype;
	__be16 ptype;
	__u8 hlen;
	__u8 plen;
	__be16 op;
	__u8 sha[ETH_ALEN];
	__be32 spa;
	__u8 tha[ETH_ALEN];
	__be32 tpa;
} __attribute__((packed));

#define ARP_HTYPE_ETHER		1
#define ARP_OP_REQUEST		1
#define ARP_OP_REPLY		2

/* The first 8 octets of any IPv6 extension header: hdrlen counts in
 * 8-octet units not counting the first 8 (hop-by-hop, routing,
 * destination options), in 4-octet units minus 2 (AH), and is reserved
 * in the fragment header, whose frag_off the others use for options. */
struct ip6_exthdr {
	__u8 nexthdr;
	__u8 hdrlen;
	__be16 frag_off;	/* offset in the top 13 bits, then 2 reserved, M */
	__be32 data;
};

#define IP6_FRAG_OFFSET		0xfff8

#ifndef IPPROTO_PIM
#define IPPROTO_PIM		103
#endif
#define VLAN_VID_MASK		0x0fff

/* IPv4 frag_off, host order. */
#define IP4_MF			0x2000
#define IP4_OFFSET		0x1fff

/* Octets every ICMPv6 message has: type, code, checksum (RFC 4443 2.1). */
#define ICMP6_HDR_LEN		4

/* ICMPv6 types (RFC 4443, 4861, 2710, 3810, 4286). */
#define ICMP6_MLD_QUERY		130
#define ICMP6_MLD_REPORT	131
#define ICMP6_MLD2_REPORT	143
#define ICMP6_ND_RS		133
#define ICMP6_ND_RA		134
#define ICMP6_ND_NS		135
#define ICMP6_ND_NA		136
#define ICMP6_ND_REDIRECT	137
#define ICMP6_MRD_ADVERT	151
#define ICMP6_MRD_TERM		153

/* Hop-by-hop Jumbo Payload option (RFC 2675). */
#define IP6_OPT_JUMBO		0xc2
#define IP6_OPT_JUMBO_LEN	4

/* IGMP types a host sends (RFC 1112, 2236, 3376). */
#define IGMP_V1_REPORT		0x12
#define IGMP_V2_REPORT		0x16
#define IGMP_V2_LEAVE		0x17
#define IGMP_V3_REPORT		0x22

/* Neighbour Solicitation / Advertisement body after the ICMPv6 header's
 * first four octets. */
struct nd_ns_na {
	__u8 type;
	__u8 code;
	__be16 csum;
	__be32 flags;
	__be32 target[4];
};

/* Router Solicitation and Advertisement before their options (RFC 4861
 * 4.1, 4.2). */
#define ND_RS_LEN		8
#define ND_RA_LEN		16

struct nd_opt {
	__u8 type;
	__u8 len;	/* in units of 8 octets, 0 is invalid */
	__u8 lladdr[ETH_ALEN];
};

#define ND_OPT_SLLA		1
#define ND_OPT_TLLA		2

/* The start of a BOOTP/DHCPv4 message (RFC 2131 2), up to the first six
 * octets of chaddr: an Ethernet MAC when htype is 1 and hlen 6. */
struct bootp_head {
	__u8 op;
	__u8 htype;
	__u8 hlen;
	__u8 hops;
	__be32 xid;
	__be16 secs;
	__be16 flags;
	__be32 ciaddr;
	__be32 yiaddr;
	__be32 siaddr;
	__be32 giaddr;
	__u8 chaddr[ETH_ALEN];
} __attribute__((packed));

#define BOOTREQUEST		1
#define BOOTREPLY		2

/* Offsets in a BOOTP/DHCPv4 message (RFC 2131 2, 3) and options
 * (RFC 2132). */
#define BOOTP_CIADDR		12
#define BOOTP_YIADDR		16
#define BOOTP_CHADDR		28
#define BOOTP_COOKIE		236
#define BOOTP_OPTIONS		240
#define DHCP4_MAGIC		0x63825363
#define DHCP4_OPT_PAD		0
#define DHCP4_OPT_REQ_ADDR	50
#define DHCP4_OPT_LEASE		51
#define DHCP4_OPT_MSG_TYPE	53
#define DHCP4_OPT_END		255
#define DHCPDECLINE		4
#define DHCPACK			5
#define DHCPNAK			6
#define DHCPRELEASE		7

/* DHCPv6 (RFC 8415): message types, options, and the octets an IA_NA
 * (IAID, T1, T2) and an IA_TA (IAID) hold before their options. */
#define DHCP6_REPLY		7
#define DHCP6_RELEASE		8
#define DHCP6_DECLINE		9
#define DHCP6_OPT_IA_NA		3
#define DHCP6_OPT_IA_TA		4
#define DHCP6_OPT_IAADDR	5
#define DHCP6_IA_NA_HEAD	12
#define DHCP6_IA_TA_HEAD	4
#define DHCP6_IAADDR_LEN	24	/* address, preferred and valid lifetime */

#define DHCP4_SERVER_PORT	67
#define DHCP4_CLIENT_PORT	68
#define DHCP6_CLIENT_PORT	546
#define DHCP6_SERVER_PORT	547

/*
 * Every MAC address compared here starts at an even offset: in the
 * Ethernet header (6), in ARP (22), in an ND option (the ICMPv6 header
 * and each option start at multiples of 8 after the even-sized headers)
 * and in the policy (2-byte aligned).  So three 16-bit loads per side,
 * aligned on every architecture.
 */
static __always_inline int mac_equal(const __u8 *a, const __u8 *b)
{
	const __u16 *x = (const __u16 *)a, *y = (const __u16 *)b;

	return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2])) == 0;
}

#endif /* VG_PARSING_H */
