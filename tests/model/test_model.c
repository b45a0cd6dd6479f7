// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The reference model against frames worked out by hand from README.md
 * "What is checked": one or more cases per step, each naming the step.
 * The frames are built here with helpers of their own (not the fuzzer's
 * generator), every field spelled out.  Pure user space (cmocka); TAP
 * with CMOCKA_MESSAGE_OUTPUT=TAP.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "frame.h"
#include "model.h"

/* --- the interface ------------------------------------------------------------ */

static const uint8_t MAC1[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t MAC2[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t MAC_OTHER[6] = { 0x02, 0, 0, 0, 0, 0x99 };

/*
 * MAC1, MAC2; 10.0.0.5, 10.0.0.9, 192.168.50.0/24; 2001:db8::5,
 * 2001:db8:100::/48; DHCP client, link-local (the defaults of attach).
 */
static void default_policy(struct model_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->mode = VG_MODE_LOCKED;
	p->flags = VG_F_DHCP_CLIENT | VG_F_LINK_LOCAL;
	p->n_macs = 2;
	memcpy(p->macs[0], MAC1, 6);
	memcpy(p->macs[1], MAC2, 6);
	inet_pton(AF_INET, "10.0.0.5", p->v4[0].addr);
	p->v4[0].len = 32;
	inet_pton(AF_INET, "10.0.0.9", p->v4[1].addr);
	p->v4[1].len = 32;
	inet_pton(AF_INET, "192.168.50.0", p->v4[2].addr);
	p->v4[2].len = 24;
	p->n_v4 = 3;
	inet_pton(AF_INET6, "2001:db8::5", p->v6[0].addr);
	p->v6[0].len = 128;
	inet_pton(AF_INET6, "2001:db8:100::", p->v6[1].addr);
	p->v6[1].len = 48;
	p->n_v6 = 2;
}

/* --- frame builders ------------------------------------------------------------ */

/* Destination broadcast, source src, type (0: none written). */
static void eth_from(struct frame *f, const uint8_t *src, unsigned int type)
{
	f->len = 0;
	put(f, MAC_BCAST, 6);
	put(f, src, 6);
	if (type)
		put16(f, type);
}

/* Total length of the IPv4 header at ip, which keeps checksum 0. */
static void done4(struct frame *f, size_t ip)
{
	set16(f, ip + 2, f->len - ip);
}

/* A BOOTP message (RFC 2131 figure 1) up to the end of chaddr's 6 octets
 * and, if full, the rest (sname, file, magic cookie, end). */
static void bootp(struct frame *f, unsigned int op, const uint8_t *chaddr, bool full)
{
	put8(f, op);
	put8(f, 1);
	put8(f, 6);
	put8(f, 0);
	put(f, NULL, 4 + 2 + 2 + 16);	/* xid .. giaddr */
	put(f, chaddr, 6);
	if (full) {
		put(f, NULL, 10 + 64 + 128);
		put8(f, 0x63);
		put8(f, 0x82);
		put8(f, 0x53);
		put8(f, 0x63);
		put8(f, 255);
	}
}

/* UDP from src:sport to dst:dport holding a BOOTP message. */
static void dhcp4(struct frame *f, const char *src, const char *dst, unsigned int sport,
		  unsigned int dport, unsigned int op, const uint8_t *chaddr, unsigned int frag)
{
	size_t ip;

	eth_from(f, MAC1, 0x0800);
	ip = ip4_begin(f, src, dst, 17, 0, frag);
	udp(f, sport, dport, 0);
	bootp(f, op, chaddr, true);
	done4(f, ip);
}

static void igmp(struct frame *f, const char *src, const char *dst, unsigned int type)
{
	size_t ip;

	eth_from(f, MAC1, 0x0800);
	ip = ip4_begin(f, src, dst, 2, 0, 0);
	put8(f, type);
	put8(f, 0);
	put16(f, 0);
	put_v4(f, dst);
	done4(f, ip);
}

static void arp_from(struct frame *f, const uint8_t *src, unsigned int op,
		     const uint8_t *sha, const char *spa, const char *tpa)
{
	static const uint8_t none[6];

	eth_from(f, src, 0x0806);
	arp(f, op, sha, spa, none, tpa);
}

/* Ethernet from mac, then the IPv6 header; payload length set by ip6_end(). */
static size_t ip6(struct frame *f, const uint8_t *mac, const char *src, const char *dst,
		  unsigned int nh, unsigned int hop)
{
	eth_from(f, mac, 0x86dd);
	return ip6_begin(f, src, dst, nh, hop);
}

/* An options extension header (hop-by-hop, destination) of 8 * units
 * octets, PadN inside. */
static void ext_opts(struct frame *f, unsigned int nh, unsigned int units)
{
	put8(f, nh);
	put8(f, units - 1);
	put8(f, 1);
	put8(f, units * 8 - 4);
	put(f, NULL, units * 8 - 4);
}

static void ext_frag(struct frame *f, unsigned int nh, unsigned int offset, bool more)
{
	put8(f, nh);
	put8(f, 0);
	put16(f, offset << 3 | more);
	put(f, NULL, 4);
}

/* ICMPv6 type, code 0, checksum 0 and 4 octets of zeroes. */
static void icmp6_msg(struct frame *f, unsigned int type)
{
	icmp6(f, type, 0);
	put(f, NULL, 4);
}

/* An NS or NA (RFC 4861 4.3, 4.4) for target, no options yet. */
static void ns_na(struct frame *f, unsigned int type, const char *target)
{
	icmp6_msg(f, type);
	put_v6(f, target);
}

/* --- cases ------------------------------------------------------------------------ */

struct tcase {
	const char *name;
	void (*build)(struct frame *f);
	void (*policy)(struct model_policy *p);	/* NULL: the default */
	int expect;
	size_t frame_len;			/* meta: 0 = the bytes built */
	bool vlan_present;
	unsigned int vlan_tpid;
	unsigned int vlan_tci;
	bool no_policy;
};

static void pol_disabled(struct model_policy *p)
{
	p->mode = VG_MODE_DISABLED;
}

static void pol_q(struct model_policy *p)
{
	p->ethertypes[p->n_ethertypes++] = 0x8100;
}

static void pol_q_ad(struct model_policy *p)
{
	p->ethertypes[p->n_ethertypes++] = 0x8100;
	p->ethertypes[p->n_ethertypes++] = 0x88a8;
}

static void pol_lldp(struct model_policy *p)
{
	p->ethertypes[p->n_ethertypes++] = 0x88cc;
}

static void pol_old_tag(struct model_policy *p)
{
	p->ethertypes[p->n_ethertypes++] = 0x9100;	/* the loader refuses it */
}

static void pol_no_dhcp(struct model_policy *p)
{
	p->flags &= ~VG_F_DHCP_CLIENT;
}

static void pol_dhcp_server(struct model_policy *p)
{
	p->flags |= VG_F_DHCP_SERVER;
}

static void pol_ra(struct model_policy *p)
{
	p->flags |= VG_F_RA;
}

static void pol_no_ll(struct model_policy *p)
{
	p->flags &= ~VG_F_LINK_LOCAL;
}

/* A frame that is one builder's call, nothing more. */
#define FRAME_OF(name, build, ...) \
	static void name(struct frame *f) { build(f, __VA_ARGS__); }

static void pol_v6_all(struct model_policy *p)
{
	memset(p->v6[p->n_v6].addr, 0, 16);
	p->v6[p->n_v6++].len = 0;
}

/* Every frame, steps 1-3 and 5 */

FRAME_OF(f_arp_ok, arp_from, MAC1, 1, MAC1, "10.0.0.5", "10.0.0.1")

static void f_short(struct frame *f)
{
	f_arp_ok(f);
	f->len = 13;
}

FRAME_OF(f_src_mcast, arp_from, MAC_MCAST, 1, MAC_MCAST, "10.0.0.5", "10.0.0.1")
FRAME_OF(f_src_bcast, arp_from, MAC_BCAST, 1, MAC_BCAST, "10.0.0.5", "10.0.0.1")
FRAME_OF(f_src_other, arp_from, MAC_OTHER, 1, MAC_OTHER, "10.0.0.5", "10.0.0.1")
FRAME_OF(f_src_mac2, arp_from, MAC2, 2, MAC2, "10.0.0.9", "10.0.0.1")

static void f_lldp(struct frame *f)
{
	eth_from(f, MAC1, 0x88cc);
	put(f, NULL, 46);
}

static void f_rarp(struct frame *f)
{
	eth_from(f, MAC1, 0x8035);
	put(f, NULL, 46);
}

static void f_8023(struct frame *f)
{
	eth_from(f, MAC1, 46);
	put(f, NULL, 46);
}

static void f_old_tag(struct frame *f)
{
	eth_from(f, MAC1, 0x9100);
	put16(f, 5);
	put16(f, 0x0806);
	put(f, NULL, 28);
}

/* Step 4: tags */

/* Tags (0-terminated list of TPIDs) then the ARP request of f_arp_ok. */
static void tagged_arp(struct frame *f, const unsigned int *tpids, const uint8_t *src, const char *spa)
{
	eth_from(f, src, 0);
	for (; *tpids; tpids++) {
		put16(f, *tpids);
		put16(f, 5);	/* VID 5 */
	}
	put16(f, 0x0806);
	put16(f, 1);
	put16(f, 0x0800);
	put8(f, 6);
	put8(f, 4);
	put16(f, 1);
	put(f, src, 6);
	put_v4(f, spa);
	put(f, NULL, 6);
	put_v4(f, "10.0.0.1");
}

FRAME_OF(f_q, tagged_arp, (const unsigned int[]){ 0x8100, 0 }, MAC1, "10.0.0.5")
FRAME_OF(f_ad_q, tagged_arp, (const unsigned int[]){ 0x88a8, 0x8100, 0 }, MAC1, "10.0.0.5")

static void f_q_inside_cut(struct frame *f)
{
	f_q(f);
	f->len = 17;	/* TPID and TCI, half of the type after them */
}

FRAME_OF(f_q_other_mac, tagged_arp, (const unsigned int[]){ 0x8100, 0 }, MAC_OTHER, "10.0.0.5")

/* IPv4 */

static void f_v4_udp(struct frame *f, const char *src)
{
	size_t ip;

	eth_from(f, MAC1, 0x0800);
	ip = ip4_begin(f, src, "10.0.0.1", 17, 0, 0);
	udp(f, 5000, 53, 0);
	put(f, NULL, 12);
	done4(f, ip);
}

FRAME_OF(f_v4_host, f_v4_udp, "10.0.0.5")
FRAME_OF(f_v4_stranger, f_v4_udp, "10.0.0.6")
FRAME_OF(f_v4_prefix_first, f_v4_udp, "192.168.50.0")
FRAME_OF(f_v4_prefix_last, f_v4_udp, "192.168.50.255")
FRAME_OF(f_v4_prefix_next, f_v4_udp, "192.168.51.0")

static void f_v4_19(struct frame *f)
{
	f_v4_host(f);
	f->len = 14 + 19;
}

static void f_v4_version6(struct frame *f)
{
	f_v4_host(f);
	f->b[14] = 0x65;
}

static void f_v4_ihl4(struct frame *f)
{
	f_v4_host(f);
	f->b[14] = 0x44;
}

static void f_v4_total_below_ihl(struct frame *f)
{
	f_v4_host(f);
	set16(f, 16, 19);
}

static void f_v4_total_past_frame(struct frame *f)
{
	f_v4_host(f);
	set16(f, 16, f->len - 14 + 1);
}

static void f_v4_padded(struct frame *f)
{
	f_v4_host(f);
	put(f, NULL, 10);	/* the total length stays */
}

static void f_v4_options(struct frame *f)
{
	size_t ip;

	eth_from(f, MAC1, 0x0800);
	ip = ip4_begin(f, "10.0.0.5", "10.0.0.1", 17, 0, 0);
	f->b[ip] = 0x46;
	put8(f, 0x94);	/* router alert */
	put8(f, 4);
	put16(f, 0);
	udp(f, 5000, 67, 0);	/* the options are skipped: this is UDP to 67 */
	bootp(f, 1, MAC2, true);
	done4(f, ip);
}

/* BIG TCP: total length 0; frame_len (meta) above 65535 + 14. */
static void f_v4_big_tcp(struct frame *f)
{
	size_t ip;

	eth_from(f, MAC1, 0x0800);
	ip = ip4_begin(f, "10.0.0.5", "10.0.0.1", 6, 0, 0);
	put(f, NULL, 20);
	(void)ip;	/* total length stays 0 */
}

static void f_v4_big_tcp_mf(struct frame *f)
{
	f_v4_big_tcp(f);
	set16(f, 20, 0x2000);
}

static void f_v4_big_udp(struct frame *f)
{
	f_v4_big_tcp(f);
	f->b[23] = 17;
}

static void f_v4_udp_7(struct frame *f)
{
	f_v4_host(f);
	set16(f, 16, 27);
}

static void f_v4_frag_tiny(struct frame *f)
{
	f_v4_host(f);
	set16(f, 20, 100);	/* offset 800: no UDP header here */
	set16(f, 16, 21);
}

FRAME_OF(f_v4_frag_to_68, dhcp4, "10.0.0.5", "10.0.0.7", 67, 68, 2, MAC_OTHER, 100)
FRAME_OF(f_discover, dhcp4, "0.0.0.0", "255.255.255.255", 68, 67, 1, MAC2, 0)
FRAME_OF(f_discover_other, dhcp4, "0.0.0.0", "255.255.255.255", 68, 67, 1, MAC_OTHER, 0)
FRAME_OF(f_discover_reply, dhcp4, "0.0.0.0", "255.255.255.255", 68, 67, 2, MAC1, 0)
FRAME_OF(f_discover_unicast, dhcp4, "0.0.0.0", "10.0.0.1", 68, 67, 1, MAC1, 0)
FRAME_OF(f_discover_sport, dhcp4, "0.0.0.0", "255.255.255.255", 1068, 67, 1, MAC1, 0)
FRAME_OF(f_discover_mf, dhcp4, "0.0.0.0", "255.255.255.255", 68, 67, 1, MAC1, 0x2000)

/* chaddr's last octet one past the total length. */
static void f_discover_cut(struct frame *f)
{
	size_t ip;

	eth_from(f, MAC1, 0x0800);
	ip = ip4_begin(f, "0.0.0.0", "255.255.255.255", 17, 0, 0);
	udp(f, 68, 67, 0);
	bootp(f, 1, MAC1, false);
	done4(f, ip);
	set16(f, ip + 2, f->len - ip - 1);
}

static void f_discover_exact(struct frame *f)
{
	size_t ip;

	eth_from(f, MAC1, 0x0800);
	ip = ip4_begin(f, "0.0.0.0", "255.255.255.255", 17, 0, 0);
	udp(f, 68, 67, 0);
	bootp(f, 1, MAC1, false);
	done4(f, ip);
}

FRAME_OF(f_igmp_report_zero, igmp, "0.0.0.0", "224.0.0.22", 0x22)
FRAME_OF(f_igmp_report_zero_unicast, igmp, "0.0.0.0", "10.0.0.1", 0x22)
FRAME_OF(f_igmp_query_zero, igmp, "0.0.0.0", "224.0.0.1", 0x11)
FRAME_OF(f_igmp_query, igmp, "10.0.0.5", "224.0.0.1", 0x11)
FRAME_OF(f_igmp_leave, igmp, "10.0.0.5", "224.0.0.2", 0x17)
FRAME_OF(f_igmp_mrd, igmp, "10.0.0.5", "224.0.0.106", 0x30)

/* The IGMP query as a fragment: offset 8 octets, or the first of two. */
static void f_igmp_query_frag8(struct frame *f)
{
	f_igmp_query(f);
	set16(f, 14 + 6, 1);
}

static void f_igmp_report_mf(struct frame *f)
{
	igmp(f, "10.0.0.5", "224.0.0.22", 0x22);
	set16(f, 14 + 6, 0x2000);
}

/* A PIMv2 Hello (RFC 7761 4.9.2) to ALL-PIM-ROUTERS. */
static void f_pim_hello(struct frame *f)
{
	size_t ip;

	eth_from(f, MAC1, 0x0800);
	ip = ip4_begin(f, "10.0.0.5", "224.0.0.13", 103, 0, 0);
	put8(f, 0x20);
	put8(f, 0);
	put16(f, 0);
	put16(f, 1);		/* holdtime option */
	put16(f, 2);
	put16(f, 105);
	done4(f, ip);
}

static void f_pim6_hello(struct frame *f)
{
	size_t ip = ip6(f, MAC1, "fe80::ff:fe00:1", "ff02::d", 103, 1);

	put8(f, 0x20);
	put8(f, 0);
	put16(f, 0);
	put16(f, 1);
	put16(f, 2);
	put16(f, 105);
	ip6_end(f, ip);
}

FRAME_OF(f_offer, dhcp4, "10.0.0.5", "255.255.255.255", 4000, 68, 2, MAC_OTHER, 0)
FRAME_OF(f_request_renew, dhcp4, "10.0.0.5", "10.0.0.1", 68, 67, 1, MAC1, 0)
FRAME_OF(f_request_other, dhcp4, "10.0.0.5", "10.0.0.1", 5000, 67, 1, MAC_OTHER, 0)
FRAME_OF(f_request_first_frag, dhcp4, "10.0.0.5", "10.0.0.1", 68, 67, 1, MAC1, 0x2000)

/* ARP */

static void f_arp_27(struct frame *f)
{
	f_arp_ok(f);
	f->len = 14 + 27;
}

FRAME_OF(f_arp_op3, arp_from, MAC1, 3, MAC1, "10.0.0.5", "10.0.0.1")

static void f_arp_hlen8(struct frame *f)
{
	f_arp_ok(f);
	f->b[18] = 8;
}

FRAME_OF(f_arp_sha, arp_from, MAC1, 2, MAC2, "10.0.0.5", "10.0.0.1")
FRAME_OF(f_arp_probe, arp_from, MAC1, 1, MAC1, "0.0.0.0", "192.168.50.77")
FRAME_OF(f_arp_probe_other, arp_from, MAC1, 1, MAC1, "0.0.0.0", "10.0.0.1")
FRAME_OF(f_arp_probe_zero, arp_from, MAC1, 1, MAC1, "0.0.0.0", "0.0.0.0")
FRAME_OF(f_arp_reply_zero, arp_from, MAC1, 2, MAC1, "0.0.0.0", "10.0.0.5")
FRAME_OF(f_arp_spa, arp_from, MAC1, 2, MAC1, "10.0.0.1", "10.0.0.5")
FRAME_OF(f_arp_gratuitous, arp_from, MAC1, 1, MAC1, "10.0.0.9", "10.0.0.9")

/* IPv6 */

static void v6_udp(struct frame *f, const uint8_t *mac, const char *src, unsigned int dport)
{
	size_t ip = ip6(f, mac, src, "2001:db8::1", 17, 64);

	udp(f, 5000, dport, 0);
	put(f, NULL, 8);
	ip6_end(f, ip);
}

FRAME_OF(f_v6_host, v6_udp, MAC1, "2001:db8::5", 53)

static void f_v6_39(struct frame *f)
{
	f_v6_host(f);
	f->len = 14 + 39;
}

static void f_v6_version4(struct frame *f)
{
	f_v6_host(f);
	f->b[14] = 0x40;
}

static void f_v6_plen0(struct frame *f)
{
	f_v6_host(f);
	set16(f, 18, 0);
}

static void f_v6_plen_past(struct frame *f)
{
	f_v6_host(f);
	set16(f, 18, f->len - 14 - 40 + 1);
}

FRAME_OF(f_v6_stranger, v6_udp, MAC1, "2001:db8::6", 53)
FRAME_OF(f_v6_prefix, v6_udp, MAC1, "2001:db8:100:ffff:ffff:ffff:ffff:ffff", 53)
FRAME_OF(f_v6_prefix_next, v6_udp, MAC1, "2001:db8:101::", 53)
FRAME_OF(f_v6_ll, v6_udp, MAC1, "fe80::ff:fe00:1", 53)
FRAME_OF(f_v6_ll_of_mac2, v6_udp, MAC1, "fe80::ff:fe00:2", 53)
FRAME_OF(f_v6_ll_no_ul, v6_udp, MAC1, "fe80::200:ff:fe00:1", 53)

/* A jumbogram (RFC 2675): payload length 0, hop-by-hop with the jumbo
 * payload option, then TCP; frame_len 70000 in the case. */
static void f_jumbo(struct frame *f)
{
	size_t ip = ip6(f, MAC1, "2001:db8::5", "2001:db8::1", 0, 64);
	uint32_t remainder = 70000 - 14 - 40;

	put8(f, 6);
	put8(f, 0);
	put8(f, 0xc2);
	put8(f, 4);
	put8(f, remainder >> 24);
	put8(f, remainder >> 16);
	put8(f, remainder >> 8);
	put8(f, remainder);
	put(f, NULL, 20);	/* TCP */
	(void)ip;
}

static void f_jumbo_stranger(struct frame *f)
{
	f_jumbo(f);
	f->b[14 + 8 + 15] = 6;	/* 2001:db8::6 */
}

static void f_jumbo_unspec(struct frame *f)
{
	f_jumbo(f);
	memset(f->b + 14 + 8, 0, 16);
}

static void f_jumbo_udp(struct frame *f)
{
	f_jumbo(f);
	f->b[14 + 40] = 17;
}

static void f_jumbo_wrong_len(struct frame *f)
{
	f_jumbo(f);
	f->b[14 + 40 + 7]++;
}

static void f_jumbo_tcp(struct frame *f)
{
	ip6(f, MAC1, "2001:db8::5", "2001:db8::1", 6, 64);
	put(f, NULL, 20);
}

/* n destination options headers, then UDP. */
static void v6_chain(struct frame *f, unsigned int n, unsigned int units)
{
	size_t ip = ip6(f, MAC1, "2001:db8::5", "2001:db8::1", n ? 60 : 17, 64);

	for (unsigned int i = 0; i < n; i++)
		ext_opts(f, i + 1 < n ? 60 : 17, units);
	udp(f, 5000, 53, 0);
	ip6_end(f, ip);
}

FRAME_OF(f_chain6, v6_chain, 6, 1)
FRAME_OF(f_chain7, v6_chain, 7, 1)

static void f_ext_past_payload(struct frame *f)
{
	v6_chain(f, 1, 2);
	set16(f, 18, 15);	/* 16 octets of header, 15 of payload */
	f->len = 14 + 40 + 15;
}

/* 57 units of destination options end at 14 + 40 + 456 = 510; the next
 * header's first 8 octets would end at 518, past the window. */
static void f_ext_window(struct frame *f)
{
	size_t ip = ip6(f, MAC1, "2001:db8::5", "2001:db8::1", 60, 64);

	ext_opts(f, 60, 57);
	ext_opts(f, 17, 1);
	udp(f, 5000, 53, 0);
	ip6_end(f, ip);
}

/* The same with the last header ending at 512 - 4: UDP ends at 516. */
static void f_udp_window(struct frame *f)
{
	size_t ip = ip6(f, MAC1, "2001:db8::5", "2001:db8::1", 60, 64);

	ext_opts(f, 51, 56);	/* ends at 502 */
	put8(f, 17);		/* AH of 8 octets: len 0 */
	put8(f, 0);
	put(f, NULL, 6);		/* ends at 510 */
	udp(f, 5000, 53, 0);	/* 510 .. 518 */
	ip6_end(f, ip);
}

static void f_frag_later(struct frame *f)
{
	size_t ip = ip6(f, MAC1, "2001:db8::5", "2001:db8::1", 44, 64);

	ext_frag(f, 58, 10, false);
	put(f, NULL, 8);
	ip6_end(f, ip);
}

static void f_frag_later_unspec(struct frame *f)
{
	size_t ip = ip6(f, MAC1, "::", "ff02::1", 44, 64);

	ext_frag(f, 58, 10, true);
	put(f, NULL, 8);
	ip6_end(f, ip);
}

FRAME_OF(f_v6_udp_unspec, v6_udp, MAC1, "::", 547)
FRAME_OF(f_dhcpv6_server, v6_udp, MAC1, "fe80::ff:fe00:1", 546)
FRAME_OF(f_dhcpv6_client, v6_udp, MAC1, "fe80::ff:fe00:1", 547)

static void f_v6_udp_cut(struct frame *f)
{
	f_v6_host(f);
	set16(f, 18, 7);
}

static void f_v6_tcp_unspec(struct frame *f)
{
	size_t ip = ip6(f, MAC1, "::", "2001:db8::1", 6, 64);

	put(f, NULL, 20);
	ip6_end(f, ip);
}

static void f_v6_tcp(struct frame *f)
{
	size_t ip = ip6(f, MAC1, "2001:db8::5", "2001:db8::1", 6, 64);

	put(f, NULL, 20);
	ip6_end(f, ip);
}

/* ICMPv6 type from src, hop limit 255, 8 octets (plus NS/NA target). */
static void v6_icmp(struct frame *f, const char *src, unsigned int type)
{
	size_t ip = ip6(f, MAC1, src, "ff02::1", 58, 255);

	icmp6_msg(f, type);
	if (type == 130 || type == 131 || type == 132)
		put(f, NULL, 16);
	ip6_end(f, ip);
}

static void f_icmp_3(struct frame *f)
{
	v6_icmp(f, "2001:db8::5", 128);
	set16(f, 18, 3);
}

/* RFC 4286 3: a solicitation is type, reserved and checksum alone. */
static void f_mrd_solicit_4(struct frame *f)
{
	v6_icmp(f, "fe80::ff:fe00:1", 152);
	set16(f, 18, 4);
}

FRAME_OF(f_echo, v6_icmp, "2001:db8::5", 128)
FRAME_OF(f_echo_unspec, v6_icmp, "::", 128)
FRAME_OF(f_mldv2_unspec, v6_icmp, "::", 143)
FRAME_OF(f_mldv1_done_unspec, v6_icmp, "::", 132)
FRAME_OF(f_mld_query, v6_icmp, "fe80::ff:fe00:1", 130)
FRAME_OF(f_mrd_adv, v6_icmp, "fe80::ff:fe00:1", 151)
FRAME_OF(f_mrd_solicit, v6_icmp, "fe80::ff:fe00:1", 152)
FRAME_OF(f_mrd_term, v6_icmp, "fe80::ff:fe00:1", 153)
FRAME_OF(f_rs, v6_icmp, "fe80::ff:fe00:1", 133)
FRAME_OF(f_rs_unspec, v6_icmp, "::", 133)

static void f_rs_hop254(struct frame *f)
{
	f_rs(f);
	f->b[14 + 7] = 254;
}

static void f_ra(struct frame *f)
{
	size_t ip = ip6(f, MAC1, "fe80::ff:fe00:1", "ff02::1", 58, 255);

	icmp6_msg(f, 134);
	put(f, NULL, 8);
	nd_lladdr(f, 1, MAC1);
	ip6_end(f, ip);
}

static void f_ra_other_lla(struct frame *f)
{
	f_ra(f);
	memcpy(f->b + f->len - 6, MAC_OTHER, 6);
}

static void f_redirect(struct frame *f)
{
	size_t ip = ip6(f, MAC1, "fe80::ff:fe00:1", "2001:db8::1", 58, 255);

	icmp6_msg(f, 137);
	put_v6(f, "fe80::1");
	put_v6(f, "2001:db8:77::1");
	nd_lladdr(f, 2, MAC_OTHER);	/* the next hop's: not judged */
	ip6_end(f, ip);
}

static void f_ns_in_frag(struct frame *f)
{
	size_t ip = ip6(f, MAC1, "fe80::ff:fe00:1", "ff02::1:ff00:1", 44, 255);

	ext_frag(f, 58, 0, false);	/* atomic */
	ns_na(f, 135, "2001:db8::1");
	ip6_end(f, ip);
}

static void v6_na(struct frame *f, const char *target)
{
	size_t ip = ip6(f, MAC1, "fe80::ff:fe00:1", "ff02::1", 58, 255);

	ns_na(f, 136, target);
	nd_lladdr(f, 2, MAC1);
	ip6_end(f, ip);
}

FRAME_OF(f_na, v6_na, "2001:db8::5")
FRAME_OF(f_na_ll, v6_na, "fe80::ff:fe00:1")
FRAME_OF(f_na_stranger, v6_na, "2001:db8::6")
FRAME_OF(f_na_unspec_target, v6_na, "::")

static void f_na_23(struct frame *f)
{
	size_t ip = ip6(f, MAC1, "fe80::ff:fe00:1", "ff02::1", 58, 255);

	ns_na(f, 136, "2001:db8::5");
	f->len--;
	ip6_end(f, ip);
}

static void f_na_wrong_tlla(struct frame *f)
{
	f_na(f);
	memcpy(f->b + f->len - 6, MAC2, 6);	/* ours too, but not the source */
}

static void f_na_tlla_16(struct frame *f)
{
	size_t ip = ip6(f, MAC1, "fe80::ff:fe00:1", "ff02::1", 58, 255);

	ns_na(f, 136, "2001:db8::5");
	put8(f, 2);
	put8(f, 2);
	put(f, MAC1, 6);
	put(f, NULL, 8);
	ip6_end(f, ip);
}

static void f_na_zero_len_opt(struct frame *f)
{
	f_na(f);
	f->b[f->len - 7] = 0;
}

static void f_na_opt_overrun(struct frame *f)
{
	f_na(f);
	f->b[f->len - 7] = 2;	/* 16 octets announced, 8 there */
}

static void f_na_opt_odd(struct frame *f)
{
	f_na(f);
	put8(f, 0);	/* one octet more: not covered by an option */
	set16(f, 18, f->len - 14 - 40);
}

/* n options: the TLLA then nonces. */
static void na_n_opts(struct frame *f, unsigned int n)
{
	size_t ip = ip6(f, MAC1, "fe80::ff:fe00:1", "ff02::1", 58, 255);

	ns_na(f, 136, "2001:db8::5");
	nd_lladdr(f, 2, MAC1);
	for (unsigned int i = 1; i < n; i++) {
		put8(f, 14);
		put8(f, 1);
		put(f, NULL, 6);
	}
	ip6_end(f, ip);
}

FRAME_OF(f_na_8_opts, na_n_opts, 8)
FRAME_OF(f_na_9_opts, na_n_opts, 9)

/* First option wrong, second of length 0: the first names the reason. */
static void f_na_order(struct frame *f)
{
	size_t ip = ip6(f, MAC1, "fe80::ff:fe00:1", "ff02::1", 58, 255);

	ns_na(f, 136, "2001:db8::5");
	nd_lladdr(f, 2, MAC_OTHER);
	put8(f, 14);
	put8(f, 0);
	put(f, NULL, 6);
	ip6_end(f, ip);
}

/* An option space ending past 512: a nonce-like option of 57 * 8 octets
 * from 14 + 40 + 24 = 78 ends at 534. */
static void f_na_opts_window(struct frame *f)
{
	size_t ip = ip6(f, MAC1, "fe80::ff:fe00:1", "ff02::1", 58, 255);

	ns_na(f, 136, "2001:db8::5");
	put8(f, 200);
	put8(f, 57);
	put(f, NULL, 57 * 8 - 2);
	ip6_end(f, ip);
}

/* The same ending at 510. */
static void f_na_opts_window_in(struct frame *f)
{
	size_t ip = ip6(f, MAC1, "fe80::ff:fe00:1", "ff02::1", 58, 255);

	ns_na(f, 136, "2001:db8::5");
	put8(f, 200);
	put8(f, 54);
	put(f, NULL, 54 * 8 - 2);
	ip6_end(f, ip);
}

static void v6_dad(struct frame *f, const char *target, const char *dst)
{
	size_t ip = ip6(f, MAC1, "::", dst, 58, 255);

	ns_na(f, 135, target);
	ip6_end(f, ip);
}

FRAME_OF(f_dad, v6_dad, "2001:db8::5", "ff02::1:ff00:5")
FRAME_OF(f_dad_ll, v6_dad, "fe80::ff:fe00:1", "ff02::1:ff00:1")
FRAME_OF(f_dad_all_nodes, v6_dad, "2001:db8::5", "ff02::1")
FRAME_OF(f_dad_stranger, v6_dad, "2001:db8::6", "ff02::1:ff00:6")

static void f_dad_slla(struct frame *f)
{
	f_dad(f);
	nd_lladdr(f, 1, MAC1);
	set16(f, 18, f->len - 14 - 40);
}

static void f_dad_nonce(struct frame *f)
{
	f_dad(f);
	put8(f, 14);
	put8(f, 1);
	put(f, NULL, 6);
	set16(f, 18, f->len - 14 - 40);
}

static void f_ns(struct frame *f)
{
	size_t ip = ip6(f, MAC1, "2001:db8::5", "ff02::1:ff00:1", 58, 255);

	ns_na(f, 135, "2001:db8::1");	/* not ours: only DAD's target is judged */
	nd_lladdr(f, 1, MAC1);
	ip6_end(f, ip);
}

#define CASE(n, b, pol, r) { .name = n, .build = b, .policy = pol, .expect = VG_##r }

static const struct tcase cases[] = {
	/* every frame */
	{ .name = "1: no policy", .build = f_arp_ok, .expect = VG_NO_POLICY, .no_policy = true },
	CASE("1: mode disabled", f_arp_ok, pol_disabled, DISABLED),
	CASE("2: 13 octets", f_short, NULL, MALFORMED),
	CASE("3: multicast source", f_src_mcast, NULL, SRC_MAC_MCAST),
	CASE("3: broadcast source", f_src_bcast, NULL, SRC_MAC_MCAST),
	CASE("3: another MAC", f_src_other, NULL, SRC_MAC),
	CASE("3: the second MAC", f_src_mac2, NULL, PASS),
	CASE("5: LLDP not allowed", f_lldp, NULL, ETHERTYPE),
	CASE("5: LLDP allowed", f_lldp, pol_lldp, PASS),
	CASE("5: RARP", f_rarp, NULL, ETHERTYPE),
	CASE("5: an 802.3 length", f_8023, NULL, ETHERTYPE),
	CASE("5: 0x9100 even if allowed", f_old_tag, pol_old_tag, ETHERTYPE),
	/* step 4, tags */
	CASE("4: 802.1Q in the frame, not allowed", f_q, NULL, VLAN),
	CASE("4: 802.1Q in the frame, allowed", f_q, pol_q, VLAN),
	CASE("4: 802.1ad then 802.1Q in the frame, both allowed", f_ad_q, pol_q_ad, VLAN),
	CASE("4: ends inside a tag", f_q_inside_cut, pol_q, VLAN),
	CASE("4: the MAC before the tag", f_q_other_mac, pol_q, SRC_MAC),
	{ .name = "4: tag in metadata allowed", .build = f_arp_ok, .policy = pol_q,
	  .expect = VG_PASS, .vlan_present = true, .vlan_tpid = 0x8100 },
	{ .name = "4: tag in metadata allowed, the frame inside checked", .build = f_arp_spa,
	  .policy = pol_q_ad, .expect = VG_ARP_SPA, .vlan_present = true, .vlan_tpid = 0x88a8 },
	{ .name = "4: tag in metadata not allowed", .build = f_arp_ok, .policy = pol_lldp,
	  .expect = VG_VLAN, .vlan_present = true, .vlan_tpid = 0x8100, .vlan_tci = 100 },
	{ .name = "4: 802.1ad in metadata, only 802.1Q allowed", .build = f_arp_ok,
	  .policy = pol_q, .expect = VG_VLAN, .vlan_present = true, .vlan_tpid = 0x88a8 },
	{ .name = "4: tag in metadata, a second in the frame", .build = f_q, .policy = pol_q_ad,
	  .expect = VG_VLAN, .vlan_present = true, .vlan_tpid = 0x88a8 },
	{ .name = "4: tag in metadata, multicast source", .build = f_src_mcast, .policy = pol_lldp,
	  .expect = VG_SRC_MAC_MCAST, .vlan_present = true, .vlan_tpid = 0x8100 },
	{ .name = "4: priority tag (802.1Q VLAN 0), not allowed: checked as untagged",
	  .build = f_arp_ok, .expect = VG_PASS, .vlan_present = true, .vlan_tpid = 0x8100,
	  .vlan_tci = 0x6000 },
	{ .name = "4: priority tag, the frame inside checked", .build = f_arp_spa,
	  .expect = VG_ARP_SPA, .vlan_present = true, .vlan_tpid = 0x8100, .vlan_tci = 0x6000 },
	{ .name = "4: 802.1Q VLAN 100 with priority 3, not allowed", .build = f_arp_ok,
	  .expect = VG_VLAN, .vlan_present = true, .vlan_tpid = 0x8100, .vlan_tci = 0x6064 },
	{ .name = "4: 802.1ad VLAN 0 is no priority tag", .build = f_arp_ok,
	  .expect = VG_VLAN, .vlan_present = true, .vlan_tpid = 0x88a8, .vlan_tci = 0 },
	/* IPv4 */
	CASE("IPv4: an allowed host", f_v4_host, NULL, PASS),
	CASE("IPv4 5: a stranger", f_v4_stranger, NULL, IPV4_SRC),
	CASE("IPv4 5: a prefix's first address", f_v4_prefix_first, NULL, PASS),
	CASE("IPv4 5: a prefix's last address", f_v4_prefix_last, NULL, PASS),
	CASE("IPv4 5: just past the prefix", f_v4_prefix_next, NULL, IPV4_SRC),
	CASE("IPv4 1: 19 octets", f_v4_19, NULL, IPV4_MALFORMED),
	CASE("IPv4 1: version 6", f_v4_version6, NULL, IPV4_MALFORMED),
	CASE("IPv4 1: ihl 4", f_v4_ihl4, NULL, IPV4_MALFORMED),
	CASE("IPv4 2: total length below ihl * 4", f_v4_total_below_ihl, NULL, IPV4_MALFORMED),
	CASE("IPv4 2: total length past the frame", f_v4_total_past_frame, NULL, IPV4_MALFORMED),
	CASE("IPv4 2: padding after the datagram", f_v4_padded, NULL, PASS),
	CASE("IPv4 10: options skipped (UDP to 67 for MAC2)", f_v4_options, NULL, PASS),
	{ .name = "IPv4 2: BIG TCP", .build = f_v4_big_tcp, .expect = VG_PASS,
	  .frame_len = 70000 },
	{ .name = "IPv4 2: BIG TCP just 65535 octets", .build = f_v4_big_tcp,
	  .expect = VG_IPV4_MALFORMED, .frame_len = 14 + 65535 },
	{ .name = "IPv4 2: BIG TCP with MF", .build = f_v4_big_tcp_mf,
	  .expect = VG_IPV4_MALFORMED, .frame_len = 70000 },
	{ .name = "IPv4 2: total length 0, UDP", .build = f_v4_big_udp,
	  .expect = VG_IPV4_MALFORMED, .frame_len = 70000 },
	CASE("IPv4 3: 7 octets of UDP", f_v4_udp_7, NULL, IPV4_MALFORMED),
	CASE("IPv4 3, 6: a later fragment needs no header", f_v4_frag_tiny, NULL, PASS),
	CASE("IPv4 6: a later fragment to port 68", f_v4_frag_to_68, NULL, PASS),
	CASE("IPv4 4: DHCP discover for MAC2", f_discover, NULL, PASS),
	CASE("IPv4 4: DHCP discover, server flag too", f_discover_other, pol_dhcp_server, DHCP_CHADDR),
	CASE("IPv4 4: DHCP discover for another MAC", f_discover_other, NULL, DHCP_CHADDR),
	CASE("IPv4 4: a BOOTREPLY from 0.0.0.0", f_discover_reply, NULL, DHCP_CHADDR),
	CASE("IPv4 4: --no-dhcp", f_discover, pol_no_dhcp, IPV4_SRC),
	CASE("IPv4 4: 0.0.0.0 to a unicast server", f_discover_unicast, NULL, IPV4_SRC),
	CASE("IPv4 4: 0.0.0.0 from port 1068", f_discover_sport, NULL, IPV4_SRC),
	CASE("IPv4 4: 0.0.0.0 first fragment", f_discover_mf, NULL, IPV4_SRC),
	CASE("IPv4 4: chaddr one octet past the total", f_discover_cut, NULL, DHCP_CHADDR),
	CASE("IPv4 4: chaddr ends the datagram", f_discover_exact, NULL, PASS),
	CASE("IPv4 4: IGMPv3 report from 0.0.0.0", f_igmp_report_zero, NULL, PASS),
	CASE("IPv4 4: IGMPv3 report from 0.0.0.0 to unicast", f_igmp_report_zero_unicast, NULL,
	     IPV4_SRC),
	CASE("IPv4 4: IGMP query from 0.0.0.0", f_igmp_query_zero, pol_ra, IPV4_SRC),
	CASE("IPv4 8: DHCP offer from port 4000", f_offer, NULL, DHCP_SERVER),
	CASE("IPv4 8: DHCP offer, server allowed", f_offer, pol_dhcp_server, PASS),
	CASE("IPv4 9: renewal for our MAC", f_request_renew, NULL, PASS),
	CASE("IPv4 9: request for another MAC", f_request_other, NULL, DHCP_CHADDR),
	CASE("IPv4 9: request for another MAC, relay", f_request_other, pol_dhcp_server, PASS),
	CASE("IPv4 9: request in a first fragment", f_request_first_frag, NULL, DHCP_CHADDR),
	CASE("IPv4 6: IGMP query, non-first fragment", f_igmp_query_frag8, NULL, IGMP_QUERY),
	CASE("IPv4 6: IGMP query, non-first fragment, --allow-ra", f_igmp_query_frag8, pol_ra,
	     IGMP_QUERY),
	CASE("IPv4 6: IGMP report, first fragment", f_igmp_report_mf, NULL, IGMP_QUERY),
	CASE("IPv4 6: PIM hello", f_pim_hello, NULL, IGMP_QUERY),
	CASE("IPv4 6: PIM hello, --allow-ra", f_pim_hello, pol_ra, PASS),
	CASE("IPv6 6: PIM hello", f_pim6_hello, NULL, MLD_QUERY),
	CASE("IPv6 6: PIM hello, --allow-ra", f_pim6_hello, pol_ra, PASS),
	CASE("IPv4 10: IGMP query", f_igmp_query, NULL, IGMP_QUERY),
	CASE("IPv4 10: IGMP query, --allow-ra", f_igmp_query, pol_ra, PASS),
	CASE("IPv4 10: IGMP leave", f_igmp_leave, NULL, PASS),
	CASE("IPv4 10: multicast router discovery", f_igmp_mrd, NULL, IGMP_QUERY),
	/* ARP */
	CASE("ARP: a request", f_arp_ok, NULL, PASS),
	CASE("ARP 1: 27 octets", f_arp_27, NULL, ARP_MALFORMED),
	CASE("ARP 1: operation 3", f_arp_op3, NULL, ARP_MALFORMED),
	CASE("ARP 1: hlen 8", f_arp_hlen8, NULL, ARP_MALFORMED),
	CASE("ARP 2: sender MAC not the source", f_arp_sha, NULL, ARP_SHA),
	CASE("ARP 3: probe for an address in our prefix", f_arp_probe, NULL, PASS),
	CASE("ARP 3: probe for a neighbour's address", f_arp_probe_other, NULL, ARP_TPA),
	CASE("ARP 3: probe for 0.0.0.0", f_arp_probe_zero, NULL, ARP_TPA),
	CASE("ARP 3: reply from 0.0.0.0", f_arp_reply_zero, NULL, ARP_SPA),
	CASE("ARP 4: a stranger's address", f_arp_spa, NULL, ARP_SPA),
	CASE("ARP 4: gratuitous for ours", f_arp_gratuitous, NULL, PASS),
	/* IPv6 */
	CASE("IPv6: an allowed host", f_v6_host, NULL, PASS),
	CASE("IPv6 1: 39 octets", f_v6_39, NULL, IPV6_MALFORMED),
	CASE("IPv6 1: version 4", f_v6_version4, NULL, IPV6_MALFORMED),
	CASE("IPv6 2: payload length 0", f_v6_plen0, NULL, IPV6_MALFORMED),
	CASE("IPv6 2: payload past the frame", f_v6_plen_past, NULL, IPV6_MALFORMED),
	{ .name = "IPv6 2: jumbogram", .build = f_jumbo, .expect = VG_PASS, .frame_len = 70000 },
	{ .name = "IPv6 2: jumbogram from a stranger", .build = f_jumbo_stranger,
	  .expect = VG_IPV6_SRC, .frame_len = 70000 },
	{ .name = "IPv6 2: jumbogram from ::", .build = f_jumbo_unspec,
	  .expect = VG_IPV6_UNSPEC_SRC, .frame_len = 70000 },
	{ .name = "IPv6 2: jumbogram of UDP", .build = f_jumbo_udp,
	  .expect = VG_IPV6_MALFORMED, .frame_len = 70000 },
	{ .name = "IPv6 2: jumbo option off by one", .build = f_jumbo_wrong_len,
	  .expect = VG_IPV6_MALFORMED, .frame_len = 70000 },
	{ .name = "IPv6 2: TCP, payload length 0", .build = f_jumbo_tcp, .expect = VG_PASS,
	  .frame_len = 70000 },
	{ .name = "IPv6 2: TCP, payload length 0, 65535 + 40", .build = f_jumbo_tcp,
	  .expect = VG_IPV6_MALFORMED, .frame_len = 14 + 40 + 65535 },
	CASE("IPv6 3: a stranger", f_v6_stranger, NULL, IPV6_SRC),
	CASE("IPv6 3: a prefix's last address", f_v6_prefix, NULL, PASS),
	CASE("IPv6 3: just past the prefix", f_v6_prefix_next, NULL, IPV6_SRC),
	CASE("IPv6 3: our link-local address", f_v6_ll, NULL, PASS),
	CASE("IPv6 3: link-local, --no-link-local", f_v6_ll, pol_no_ll, IPV6_SRC),
	CASE("IPv6 3: link-local address of our other MAC", f_v6_ll_of_mac2, NULL, IPV6_SRC),
	CASE("IPv6 3: EUI-64 without the u/l inversion", f_v6_ll_no_ul, NULL, IPV6_SRC),
	CASE("IPv6 4: six extension headers", f_chain6, NULL, PASS),
	CASE("IPv6 4: seven extension headers", f_chain7, NULL, IPV6_EXTHDR),
	CASE("IPv6 4: a header past the payload", f_ext_past_payload, NULL, IPV6_EXTHDR),
	CASE("IPv6 4: a header's 8 octets past 512", f_ext_window, NULL, IPV6_EXTHDR),
	CASE("IPv6 4: a later fragment", f_frag_later, NULL, PASS),
	CASE("IPv6 4: a later fragment from ::", f_frag_later_unspec, NULL, IPV6_UNSPEC_SRC),
	CASE("IPv6 5: UDP header past 512", f_udp_window, NULL, IPV6_MALFORMED),
	CASE("IPv6 5: UDP from ::", f_v6_udp_unspec, NULL, IPV6_UNSPEC_SRC),
	CASE("IPv6 5: DHCPv6 server message", f_dhcpv6_server, NULL, DHCPV6_SERVER),
	CASE("IPv6 5: DHCPv6 server message, allowed", f_dhcpv6_server, pol_dhcp_server, PASS),
	CASE("IPv6 5: DHCPv6 client message", f_dhcpv6_client, NULL, PASS),
	CASE("IPv6 5: 7 octets of UDP", f_v6_udp_cut, NULL, IPV6_MALFORMED),
	CASE("IPv6 6: TCP from ::", f_v6_tcp_unspec, NULL, IPV6_UNSPEC_SRC),
	CASE("IPv6 6: TCP", f_v6_tcp, NULL, PASS),
	CASE("IPv6 7: 3 octets of ICMPv6", f_icmp_3, NULL, IPV6_MALFORMED),
	CASE("IPv6 7: multicast router solicitation of 4 octets", f_mrd_solicit_4, NULL, PASS),
	CASE("IPv6 7.1: NS in an atomic fragment", f_ns_in_frag, NULL, ND_FRAGMENT),
	CASE("IPv6 7.2: MLDv2 report from ::", f_mldv2_unspec, NULL, PASS),
	CASE("IPv6 7.2: MLDv1 done from ::", f_mldv1_done_unspec, NULL, IPV6_UNSPEC_SRC),
	CASE("IPv6 7.2: echo from ::", f_echo_unspec, NULL, IPV6_UNSPEC_SRC),
	CASE("IPv6 7.2: RS from ::", f_rs_unspec, NULL, IPV6_UNSPEC_SRC),
	CASE("IPv6 7.3: RA", f_ra, NULL, RA),
	CASE("IPv6 7.3: redirect", f_redirect, NULL, REDIRECT),
	CASE("IPv6 7.3: MLD query", f_mld_query, NULL, MLD_QUERY),
	CASE("IPv6 7.3: MLD query, --allow-ra", f_mld_query, pol_ra, PASS),
	CASE("IPv6 7.3: multicast router advertisement", f_mrd_adv, NULL, MLD_QUERY),
	CASE("IPv6 7.3: multicast router termination", f_mrd_term, NULL, MLD_QUERY),
	CASE("IPv6 7.4: multicast router solicitation", f_mrd_solicit, NULL, PASS),
	CASE("IPv6 7.4: echo", f_echo, NULL, PASS),
	CASE("IPv6 7.5: RS, hop limit 254", f_rs_hop254, NULL, ND_HOPLIMIT),
	CASE("IPv6 7.7: RS", f_rs, NULL, PASS),
	CASE("IPv6 7.6: redirect allowed, a stranger's TLLA", f_redirect, pol_ra, PASS),
	CASE("IPv6 7.8: RA allowed, our SLLA", f_ra, pol_ra, PASS),
	CASE("IPv6 7.8: RA allowed, another SLLA", f_ra_other_lla, pol_ra, ND_LLADDR),
	CASE("IPv6 7.7: NA for ours", f_na, NULL, PASS),
	CASE("IPv6 7.7: NA for our link-local address", f_na_ll, NULL, PASS),
	CASE("IPv6 7.7: NA of 23 octets", f_na_23, NULL, ND_MALFORMED),
	CASE("IPv6 7.7: NA for a stranger", f_na_stranger, NULL, ND_TARGET),
	CASE("IPv6 7.7: NA for :: with ::/0 allowed", f_na_unspec_target, pol_v6_all, ND_TARGET),
	CASE("IPv6 7.7: DAD for ours", f_dad, NULL, PASS),
	CASE("IPv6 7.7: DAD for our link-local address", f_dad_ll, NULL, PASS),
	CASE("IPv6 7.7: DAD to all nodes", f_dad_all_nodes, NULL, IPV6_UNSPEC_SRC),
	CASE("IPv6 7.7: DAD for a stranger", f_dad_stranger, NULL, ND_TARGET),
	CASE("IPv6 7.8: DAD with an SLLA", f_dad_slla, NULL, ND_LLADDR),
	CASE("IPv6 7.8: DAD with a nonce", f_dad_nonce, NULL, PASS),
	CASE("IPv6 7.7: NS for someone else's address", f_ns, NULL, PASS),
	CASE("IPv6 7.8: TLLA of our other MAC", f_na_wrong_tlla, NULL, ND_LLADDR),
	CASE("IPv6 7.8: TLLA of 16 octets", f_na_tlla_16, NULL, ND_MALFORMED),
	CASE("IPv6 7.8: an option of length 0", f_na_zero_len_opt, NULL, ND_MALFORMED),
	CASE("IPv6 7.8: an option past the payload", f_na_opt_overrun, NULL, ND_MALFORMED),
	CASE("IPv6 7.8: an octet no option covers", f_na_opt_odd, NULL, ND_MALFORMED),
	CASE("IPv6 7.8: eight options", f_na_8_opts, NULL, PASS),
	CASE("IPv6 7.8: nine options", f_na_9_opts, NULL, ND_MALFORMED),
	CASE("IPv6 7.8: in order, the first failure", f_na_order, NULL, ND_LLADDR),
	CASE("IPv6 7.8: option space ending past 512", f_na_opts_window, NULL, ND_MALFORMED),
	CASE("IPv6 7.8: option space ending at 510", f_na_opts_window_in, NULL, PASS),
};

static void run_case(void **state)
{
	const struct tcase *t = *state;
	struct model_meta m = { .frame_len = t->frame_len, .vlan_present = t->vlan_present,
				.vlan_tpid = t->vlan_tpid, .vlan_tci = t->vlan_tci };
	struct model_policy p;
	struct frame f = { .len = 0 };
	int got;

	default_policy(&p);
	if (t->policy)
		t->policy(&p);
	t->build(&f);
	got = vg_model(f.b, f.len, t->no_policy ? NULL : &p, &m);
	if (got != t->expect)
		fail_msg("%s: expected %s, got %s", t->name, vg_model_reason_name(t->expect),
			 vg_model_reason_name(got));
}

/* --- link-local learning ------------------------------------------------------------ */

/*
 * Sequences on a host with two interfaces, 10 and 11, of the default
 * policy with learning on: each frame's reason and the state it leaves
 * (include/vifguard.h "Address learning").
 */
#define IF_A	10
#define IF_B	11

static void learning_policy(struct model_policy *p)
{
	default_policy(p);
	p->flags |= VG_F_LEARN_LL;
}

static void a6(const char *s, uint8_t out[16])
{
	assert_int_equal(inet_pton(AF_INET6, s, out), 1);
}

/* A DAD probe (RFC 4862 5.4.2) for target from mac: source ::, to the
 * target's solicited-node group, hop limit hop, no options. */
static void dad_probe(struct frame *f, const uint8_t *mac, const char *target, unsigned int hop)
{
	uint8_t t[16];
	char dst[INET6_ADDRSTRLEN];
	size_t ip;

	a6(target, t);
	snprintf(dst, sizeof(dst), "ff02::1:ff%02x:%02x%02x", t[13], t[14], t[15]);
	ip = ip6(f, mac, "::", dst, 58, hop);
	ns_na(f, 135, target);
	ip6_end(f, ip);
}

/* An echo request from src. */
static void echo_from(struct frame *f, const char *src)
{
	size_t ip = ip6(f, MAC1, src, "ff02::1", 58, 64);

	icmp6_msg(f, 128);
	ip6_end(f, ip);
}

/* A Router Advertisement from src, hop limit hop, its first n octets
 * of ICMPv6 (16: all of its fixed part). */
static void ra_from(struct frame *f, const char *src, unsigned int hop, size_t n)
{
	size_t ip = ip6(f, MAC_OTHER, src, "ff02::1", 58, hop);

	icmp6_msg(f, 134);
	put(f, NULL, 8);
	f->len = ip + 40 + n;
	ip6_end(f, ip);
}

/* A Neighbour Advertisement for target from mac, hop limit 255. */
static void na_for(struct frame *f, const uint8_t *mac, const char *target)
{
	size_t ip = ip6(f, mac, target, "ff02::1", 58, 255);

	ns_na(f, 136, target);
	nd_lladdr(f, 2, mac);
	ip6_end(f, ip);
}

static int send_on(struct model_learn *s, uint32_t ifindex, const struct model_policy *p,
		   const struct frame *f)
{
	return vg_model_in(f->b, f->len, p, NULL, ifindex, s);
}

/* Who holds a: "10/dad", "11/config", "-". */
static const char *holder(const struct model_learn *s, const char *a)
{
	static char buf[32];
	const struct model_held *h;
	uint8_t b[16];

	a6(a, b);
	h = model_learn_find(s, b);
	if (!h)
		return "-";
	snprintf(buf, sizeof(buf), "%u/%s", h->ifindex,
		 h->origin == VG_ORIGIN_DAD ? "dad" : h->origin == VG_ORIGIN_CONFIG ? "config"
		 : h->origin == VG_ORIGIN_DHCP ? "dhcp" : "?");
	return buf;
}

static bool is_protected(const struct model_learn *s, const char *a)
{
	uint8_t b[16];

	a6(a, b);
	return model_learn_protected(s, b);
}

#define EXPECT_REASON(got, want)                                                            \
	do {                                                                                \
		int g_ = (got), w_ = (want);                                                \
		if (g_ != w_)                                                               \
			fail_msg("line %d: expected %s, got %s", __LINE__,                  \
				 vg_model_reason_name(w_), vg_model_reason_name(g_));       \
	} while (0)

static void test_learn_claim(void **state)
{
	struct model_learn s;
	struct model_policy p;
	struct frame f;

	(void)state;
	learning_policy(&p);
	model_learn_init(&s);
	dad_probe(&f, MAC1, "fe80::a", 255);
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_PASS);
	assert_string_equal(holder(&s, "fe80::a"), "10/dad");
	/* Its source now, on its interface only. */
	echo_from(&f, "fe80::a");
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_PASS);
	EXPECT_REASON(send_on(&s, IF_B, &p, &f), VG_IPV6_SRC);
	/* The other interface's probe for it: a conflict, nothing changes. */
	dad_probe(&f, MAC1, "fe80::a", 255);
	EXPECT_REASON(send_on(&s, IF_B, &p, &f), VG_LEARN_CONFLICT);
	assert_string_equal(holder(&s, "fe80::a"), "10/dad");
	/* Its NA for it, as a target: the learner's only. */
	na_for(&f, MAC1, "fe80::a");
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_PASS);
	EXPECT_REASON(send_on(&s, IF_B, &p, &f), VG_IPV6_SRC);
	/* fe90::/16 lies in fe80::/10 (RFC 4291 2.4); fec0::/10 does not. */
	dad_probe(&f, MAC1, "fe90::7", 255);
	EXPECT_REASON(send_on(&s, IF_B, &p, &f), VG_PASS);
	dad_probe(&f, MAC1, "fec0::7", 255);
	EXPECT_REASON(send_on(&s, IF_B, &p, &f), VG_ND_TARGET);
	assert_string_equal(holder(&s, "fec0::7"), "-");
	/* No state: judged alike, nothing kept. */
	dad_probe(&f, MAC1, "fe80::b", 255);
	EXPECT_REASON(vg_model(f.b, f.len, &p, NULL), VG_PASS);
}

static void test_learn_cap(void **state)
{
	struct model_learn s;
	struct model_policy p;
	struct frame f;

	(void)state;
	learning_policy(&p);
	model_learn_init(&s);
	dad_probe(&f, MAC1, "fe80::a", 255);
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_PASS);
	dad_probe(&f, MAC2, "fe80::b", 255);
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_PASS);
	/* A re-probe of the oldest changes nothing, its age included. */
	dad_probe(&f, MAC1, "fe80::a", 255);
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_PASS);
	/* VG_LEARN_LL_CAP (2) reached: the oldest goes. */
	dad_probe(&f, MAC1, "fe80::c", 255);
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_PASS);
	assert_string_equal(holder(&s, "fe80::a"), "-");
	assert_string_equal(holder(&s, "fe80::b"), "10/dad");
	assert_string_equal(holder(&s, "fe80::c"), "10/dad");
	echo_from(&f, "fe80::a");
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_IPV6_SRC);
	/* The freed address is anyone's again; the other's cap is its own. */
	dad_probe(&f, MAC1, "fe80::a", 255);
	EXPECT_REASON(send_on(&s, IF_B, &p, &f), VG_PASS);
	assert_string_equal(holder(&s, "fe80::a"), "11/dad");
	assert_string_equal(holder(&s, "fe80::b"), "10/dad");
}

static void test_learn_refused(void **state)
{
	struct model_learn s;
	struct model_policy p;
	struct frame f;
	uint8_t a[16];

	(void)state;
	learning_policy(&p);
	model_learn_init(&s);
	a6("fe80::1", a);
	assert_int_equal(model_learn_protect(&s, a), 0);
	a6("fe80::c", a);
	assert_int_equal(model_learn_config(&s, a, IF_B), 0);

	dad_probe(&f, MAC1, "fe80::1", 255);
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_LEARN_PROTECTED);
	assert_string_equal(holder(&s, "fe80::1"), "-");
	dad_probe(&f, MAC1, "fe80::c", 255);
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_LEARN_CONFLICT);
	assert_string_equal(holder(&s, "fe80::c"), "11/config");
	/* Configuration allows nothing by itself: the policy does. */
	echo_from(&f, "fe80::c");
	EXPECT_REASON(send_on(&s, IF_B, &p, &f), VG_IPV6_SRC);
	/* Its own configured address passes and stays configured. */
	dad_probe(&f, MAC1, "fe80::c", 255);
	EXPECT_REASON(send_on(&s, IF_B, &p, &f), VG_PASS);
	assert_string_equal(holder(&s, "fe80::c"), "11/config");

	/* Invalid probes (RFC 4861 7.1.1) claim nothing. */
	dad_probe(&f, MAC1, "fe80::d", 254);
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_ND_HOPLIMIT);
	dad_probe(&f, MAC1, "fe80::d", 255);
	nd_lladdr(&f, 1, MAC1);
	set16(&f, 18, f.len - 14 - 40);
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_ND_LLADDR);
	dad_probe(&f, MAC1, "fe80::d", 255);
	f.b[14 + 24 + 15] ^= 1;	/* another solicited-node group */
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_IPV6_UNSPEC_SRC);
	dad_probe(&f, MAC_OTHER, "fe80::d", 255);
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_SRC_MAC);
	assert_string_equal(holder(&s, "fe80::d"), "-");

	/* Learning off: no claim, and what was learned is not used. */
	dad_probe(&f, MAC1, "fe80::d", 255);
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_PASS);
	p.flags &= ~VG_F_LEARN_LL;
	dad_probe(&f, MAC1, "fe80::e", 255);
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_ND_TARGET);
	echo_from(&f, "fe80::d");
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_IPV6_SRC);
	assert_string_equal(holder(&s, "fe80::d"), "10/dad");
}

static void test_learn_full(void **state)
{
	struct model_learn s;
	struct model_policy p;
	struct frame f;

	(void)state;
	learning_policy(&p);
	model_learn_init(&s);
	dad_probe(&f, MAC1, "fe80::a", 255);
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_PASS);
	/* The host's table one short of VG_MAX_LEARNED: one more claim. */
	s.n_fill = VG_MAX_LEARNED - 2;
	dad_probe(&f, MAC1, "fe80::b", 255);
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_PASS);
	/* Full: refused, even where the oldest would make room. */
	dad_probe(&f, MAC1, "fe80::c", 255);
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_LEARN_FULL);
	EXPECT_REASON(send_on(&s, IF_B, &p, &f), VG_LEARN_FULL);
	assert_string_equal(holder(&s, "fe80::a"), "10/dad");
	assert_string_equal(holder(&s, "fe80::c"), "-");
	/* A revocation frees one. */
	model_learn_forget(&s, (const uint8_t[16]){ 0xfe, 0x80, [15] = 0xa });
	EXPECT_REASON(send_on(&s, IF_B, &p, &f), VG_PASS);
	assert_string_equal(holder(&s, "fe80::c"), "11/dad");
}

static void test_learn_delivered(void **state)
{
	struct model_learn s;
	struct model_policy p;
	struct frame f;

	(void)state;
	learning_policy(&p);
	model_learn_init(&s);
	dad_probe(&f, MAC1, "fe80::9", 255);
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_PASS);
	dad_probe(&f, MAC1, "fe80::a", 255);
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_PASS);

	/* Not RAs that count: hop limit 64, a global source, cut short, or
	 * delivered to an interface without a policy. */
	ra_from(&f, "fe80::9", 64, 16);
	assert_false(vg_model_out(f.b, f.len, &p, IF_B, &s));
	ra_from(&f, "2001:db8::9", 255, 16);
	assert_false(vg_model_out(f.b, f.len, &p, IF_B, &s));
	ra_from(&f, "fe80::9", 255, 7);
	assert_false(vg_model_out(f.b, f.len, &p, IF_B, &s));
	ra_from(&f, "fe80::9", 255, 16);
	assert_false(vg_model_out(f.b, f.len, NULL, IF_B, &s));
	assert_false(is_protected(&s, "fe80::9"));
	assert_string_equal(holder(&s, "fe80::9"), "10/dad");

	/* A router advertises from it, to any guest: protected, revoked. */
	ra_from(&f, "fe80::9", 255, 8);
	assert_true(vg_model_out(f.b, f.len, &p, IF_B, &s));
	assert_true(is_protected(&s, "fe80::9"));
	assert_string_equal(holder(&s, "fe80::9"), "-");
	echo_from(&f, "fe80::9");
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_IPV6_SRC);
	dad_probe(&f, MAC1, "fe80::9", 255);
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_LEARN_PROTECTED);

	/* An NA defends fe80::a: only delivered to its learner, from a MAC
	 * not the learner's own, does it revoke (RFC 4862 5.4.4). */
	na_for(&f, MAC_OTHER, "fe80::a");
	assert_false(vg_model_out(f.b, f.len, &p, IF_B, &s));
	na_for(&f, MAC2, "fe80::a");
	assert_false(vg_model_out(f.b, f.len, &p, IF_A, &s));
	assert_string_equal(holder(&s, "fe80::a"), "10/dad");
	na_for(&f, MAC_OTHER, "fe80::a");
	assert_true(vg_model_out(f.b, f.len, &p, IF_A, &s));
	assert_string_equal(holder(&s, "fe80::a"), "-");
	/* No longer its: the DAD failed. */
	echo_from(&f, "fe80::a");
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_IPV6_SRC);
}

/* --- DHCP snooping ---------------------------------------------------------------- */

#define SEC	1000000000ULL
#define T0	(1000 * SEC)	/* the model's "now" at the start */

static void dhcp_policy(struct model_policy *p)
{
	default_policy(p);
	p->flags |= VG_F_LEARN_DHCP | VG_F_DHCP_CLIENT;
}

static void dhcp_state(struct model_learn *s)
{
	model_learn_init(s);
	s->now = T0;
	s->grace_s = 60;
}

static void a4m(const char *a, uint8_t out[16])
{
	uint8_t b[4];

	assert_int_equal(inet_pton(AF_INET, a, b), 1);
	model_v4_mapped(b, out);
}

/* Who holds IPv4 address a: "10/dhcp", "11/config", "-". */
static const char *holder4(const struct model_learn *s, const char *a)
{
	static char buf[32];
	const struct model_held *h;
	uint8_t b[16];

	a4m(a, b);
	h = model_learn_find4(s, b);
	if (!h)
		return "-";
	snprintf(buf, sizeof(buf), "%u/%s", h->ifindex,
		 h->origin == VG_ORIGIN_DHCP ? "dhcp" : h->origin == VG_ORIGIN_CONFIG ? "config" : "?");
	return buf;
}

static uint64_t expiry4(const struct model_learn *s, const char *a)
{
	uint8_t b[16];
	const struct model_held *h;

	a4m(a, b);
	h = model_learn_find4(s, b);
	assert_non_null(h);
	return h->expires;
}

static uint64_t expiry6(const struct model_learn *s, const char *a)
{
	uint8_t b[16];
	const struct model_held *h;

	a6(a, b);
	h = model_learn_find(s, b);
	assert_non_null(h);
	return h->expires;
}

/* DHCPv4 options, written by the test as octets. */
struct opts4 {
	size_t n;
	uint8_t b[300];
};

static void opt4(struct opts4 *o, unsigned int code, unsigned int len, uint32_t v)
{
	o->b[o->n++] = code;
	if (code == 0 || code == 255)
		return;
	o->b[o->n++] = len;
	for (unsigned int i = 0; i < len; i++)
		o->b[o->n++] = len == 1 ? v : v >> (8 * (len - 1 - i));
}

/*
 * A BOOTP message (op; ciaddr, yiaddr, chaddr) with the magic cookie
 * and options o, in UDP from sport to dport, from src to dst, from
 * Ethernet smac.
 */
static void bootp_msg(struct frame *f, const uint8_t *smac, const char *src, const char *dst,
		      unsigned int sport, unsigned int dport, unsigned int op, const char *ciaddr,
		      const char *yiaddr, const uint8_t *chaddr, uint32_t cookie,
		      const struct opts4 *o)
{
	size_t ip, u;

	eth_from(f, smac, 0x0800);
	ip = ip4_begin(f, src, dst, 17, 0, 0);
	u = f->len;
	udp(f, sport, dport, 0);
	put8(f, op);
	put8(f, 1);
	put8(f, 6);
	put8(f, 0);
	put(f, NULL, 8);	/* xid, secs, flags */
	put_v4(f, ciaddr);
	put_v4(f, yiaddr);
	put(f, NULL, 8);	/* siaddr, giaddr */
	put(f, chaddr, 6);
	put(f, NULL, 10 + 64 + 128);
	put32(f, cookie);
	put(f, o->b, o->n);
	udp_end(f, u);
	done4(f, ip);
}

#define COOKIE4	0x63825363	/* RFC 2131 3 */

/* o afresh, n PADs. */
static void pads4(struct opts4 *o, unsigned int n)
{
	o->n = 0;
	while (n--)
		opt4(o, 0, 0, 0);
}

/* The server's BOOTREPLY of yiaddr to MAC1, unicast to yiaddr. */
static void reply4(struct frame *f, const char *yiaddr, const struct opts4 *o)
{
	bootp_msg(f, MAC_OTHER, "10.9.0.254", yiaddr, 67, 68, 2, "0.0.0.0", yiaddr, MAC1,
		  COOKIE4, o);
}

/* MAC1's BOOTREQUEST (ciaddr) from src to dst. */
static void request4(struct frame *f, const char *src, const char *dst, const char *ciaddr,
		     const struct opts4 *o)
{
	bootp_msg(f, MAC1, src, dst, 68, 67, 1, ciaddr, "0.0.0.0", MAC1, COOKIE4, o);
}

/* A DHCPACK (or another type) for yiaddr to chaddr, lease seconds. */
static void ack4(struct frame *f, const uint8_t *chaddr, const char *yiaddr, unsigned int type,
		 uint32_t lease)
{
	struct opts4 o = { 0 };

	opt4(&o, 53, 1, type);
	opt4(&o, 54, 4, 0x0a0900fe);
	opt4(&o, 51, 4, lease);
	opt4(&o, 255, 0, 0);
	bootp_msg(f, MAC_OTHER, "10.9.0.254", "255.255.255.255", 67, 68, 2, "0.0.0.0", yiaddr,
		  chaddr, COOKIE4, &o);
}

/* IPv6 addresses and valid lifetimes of a DHCPv6 message. */
struct addrs6 {
	unsigned int n;
	const char *a[6];
	uint32_t valid[6];
};

/*
 * A DHCPv6 message of type from smac to dmac, between ports, holding an
 * IA_NA (ta: IA_TA) with the IAADDRs of ad.
 */
static void dhcp6_msg(struct frame *f, const uint8_t *smac, const uint8_t *dmac,
		      unsigned int sport, unsigned int dport, unsigned int type, bool ta,
		      const struct addrs6 *ad)
{
	size_t ip, ia, u;

	f->len = 0;
	eth(f, smac, dmac, 0x86dd);
	ip = ip6_begin(f, "fe80::53", "fe80::1:2", 17, 255);
	u = f->len;
	udp(f, sport, dport, 0);
	put8(f, type);
	put8(f, 0x12);
	put16(f, 0x3456);
	put16(f, ta ? 4 : 3);
	ia = f->len;
	put16(f, 0);
	put32(f, 1);	/* IAID */
	if (!ta) {
		put32(f, 1800);
		put32(f, 2880);
	}
	for (unsigned int i = 0; i < ad->n; i++) {
		put16(f, 5);
		put16(f, 24);
		put_v6(f, ad->a[i]);
		put32(f, ad->valid[i] / 2);
		put32(f, ad->valid[i]);
	}
	set16(f, ia, f->len - ia - 2);
	udp_end(f, u);
	ip6_end(f, ip);
}

static void reply6(struct frame *f, const uint8_t *to, bool ta, const struct addrs6 *ad)
{
	dhcp6_msg(f, MAC_OTHER, to, 547, 546, 7, ta, ad);
}

/*
 * The guest's Release (8) or Decline (9) from smac: IA_NA with the
 * IAADDRs of ad, from 2001:db8::5 (the policy's) to the servers.
 */
static void client6(struct frame *f, const uint8_t *smac, unsigned int type,
		    const struct addrs6 *ad)
{
	dhcp6_msg(f, smac, MAC_OTHER, 546, 547, type, false, ad);
	memcpy(f->b + 14 + 8, (const uint8_t[16]){ 0x20, 0x01, 0x0d, 0xb8, [15] = 5 }, 16);
}

static void udp4_from(struct frame *f, const char *src)
{
	size_t ip;

	eth_from(f, MAC1, 0x0800);
	ip = ip4_begin(f, src, "10.9.0.254", 17, 0, 0);
	udp(f, 1000, 53, 4);
	done4(f, ip);
}

static void udp6_from(struct frame *f, const char *src)
{
	size_t ip = ip6(f, MAC1, src, "2001:db8:d::53", 17, 64);

	udp(f, 1000, 53, 4);
	ip6_end(f, ip);
}

static int deliver(struct model_learn *s, uint32_t ifindex, const struct model_policy *p,
		   const struct model_policy *sender, const struct frame *f)
{
	struct model_refusals r;

	vg_model_deliver(f->b, f->len, p, ifindex, sender, s, &r);
	return r.n ? (int)r.r[0] : VG_PASS;
}

static void test_dhcp4_ack(void **state)
{
	struct model_policy p, guest, server;
	struct model_learn s;
	struct frame f;

	(void)state;
	dhcp_policy(&p);
	dhcp_state(&s);
	default_policy(&guest);
	default_policy(&server);
	server.flags |= VG_F_DHCP_SERVER;

	/* Not from a trusted sender: another guest without dhcp-server. */
	ack4(&f, MAC1, "10.9.0.1", 5, 3600);
	EXPECT_REASON(deliver(&s, IF_A, &p, &guest, &f), VG_PASS);
	assert_string_equal(holder4(&s, "10.9.0.1"), "-");
	/* Policy without learning: nothing. */
	p.flags &= ~VG_F_LEARN_DHCP;
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	assert_string_equal(holder4(&s, "10.9.0.1"), "-");
	p.flags |= VG_F_LEARN_DHCP;
	/* From the uplink: until now + lease + grace. */
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	assert_string_equal(holder4(&s, "10.9.0.1"), "10/dhcp");
	assert_true(expiry4(&s, "10.9.0.1") == T0 + 3660 * SEC);
	/* From a guest that may serve DHCP; renewed, infinite. */
	ack4(&f, MAC2, "10.9.0.1", 5, 0xffffffff);
	EXPECT_REASON(deliver(&s, IF_A, &p, &server, &f), VG_PASS);
	assert_true(expiry4(&s, "10.9.0.1") == VG_LEASE_FOREVER);

	/* The source, ARP's sender address: its interface's only. */
	udp4_from(&f, "10.9.0.1");
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_PASS);
	EXPECT_REASON(send_on(&s, IF_B, &p, &f), VG_IPV4_SRC);
	arp_from(&f, MAC1, 1, MAC1, "10.9.0.1", "10.9.0.254");
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_PASS);
	EXPECT_REASON(send_on(&s, IF_B, &p, &f), VG_ARP_SPA);
	/* Not used once the policy stops learning. */
	p.flags &= ~VG_F_LEARN_DHCP;
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_ARP_SPA);
	p.flags |= VG_F_LEARN_DHCP;
	/* A probe for it (README ARP 3: an address it may use). */
	arp_from(&f, MAC1, 1, MAC1, "0.0.0.0", "10.9.0.1");
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_PASS);
	EXPECT_REASON(send_on(&s, IF_B, &p, &f), VG_ARP_TPA);

	/* Not leases: chaddr another's, a wrong cookie, no option 51, an
	 * OFFER, yiaddr 0/8, 127/8, multicast or broadcast, a lease time
	 * of 3 octets, a datagram to port 67. */
	ack4(&f, MAC_OTHER, "10.9.0.2", 5, 3600);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	{
		struct opts4 o = { 0 };

		opt4(&o, 53, 1, 5);
		opt4(&o, 51, 4, 3600);
		bootp_msg(&f, MAC_OTHER, "10.9.0.254", "10.9.0.2", 67, 68, 2, "0.0.0.0",
			  "10.9.0.2", MAC1, COOKIE4 - 1, &o);
		EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
		bootp_msg(&f, MAC_OTHER, "10.9.0.254", "10.9.0.2", 67, 67, 2, "0.0.0.0",
			  "10.9.0.2", MAC1, COOKIE4, &o);
		EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
		o.n = 0;
		opt4(&o, 53, 1, 5);
		opt4(&o, 51, 3, 3600);
		reply4(&f, "10.9.0.2", &o);
		EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
		o.n = 0;
		opt4(&o, 53, 1, 5);
		reply4(&f, "10.9.0.2", &o);
		EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	}
	ack4(&f, MAC1, "10.9.0.2", 2, 3600);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	assert_string_equal(holder4(&s, "10.9.0.2"), "-");
	ack4(&f, MAC1, "0.1.2.3", 5, 3600);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	ack4(&f, MAC1, "127.0.0.9", 5, 3600);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	ack4(&f, MAC1, "224.0.0.251", 5, 3600);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	assert_int_equal(s.n_held4, 1);
	/* 223.255.255.254 is a unicast address. */
	ack4(&f, MAC1, "223.255.255.254", 5, 0);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	assert_true(expiry4(&s, "223.255.255.254") == T0 + 60 * SEC);

	/* Time: at its end plus the grace it allows nothing, and stays. */
	s.now = T0 + 60 * SEC - 1;
	udp4_from(&f, "223.255.255.254");
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_PASS);
	s.now = T0 + 60 * SEC;
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_IPV4_SRC);
	assert_string_equal(holder4(&s, "223.255.255.254"), "10/dhcp");

	/* A NAK ends every IPv4 lease of the interface. */
	ack4(&f, MAC1, "0.0.0.0", 6, 0);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	assert_int_equal(s.n_held4, 0);
}

static void test_dhcp4_options(void **state)
{
	struct model_policy p;
	struct model_learn s;
	struct opts4 o;
	struct frame f;
	uint8_t a[16];

	(void)state;
	dhcp_policy(&p);
	dhcp_state(&s);
	/* VG_DHCP4_OPTS (32) options read, PADs counted: 30 PADs, 53, 51. */
	pads4(&o, VG_DHCP4_OPTS - 2);
	opt4(&o, 53, 1, 5);
	opt4(&o, 51, 4, 600);
	reply4(&f, "10.9.0.3", &o);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	assert_string_equal(holder4(&s, "10.9.0.3"), "10/dhcp");
	/* One PAD more: option 51 is the 33rd. */
	pads4(&o, VG_DHCP4_OPTS - 1);
	opt4(&o, 53, 1, 5);
	opt4(&o, 51, 4, 600);
	reply4(&f, "10.9.0.4", &o);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	assert_string_equal(holder4(&s, "10.9.0.4"), "-");
	/* After END, nothing; an option that does not fit ends the walk. */
	o.n = 0;
	opt4(&o, 53, 1, 5);
	opt4(&o, 255, 0, 0);
	opt4(&o, 51, 4, 600);
	reply4(&f, "10.9.0.4", &o);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	assert_string_equal(holder4(&s, "10.9.0.4"), "-");
	o.n = 0;
	opt4(&o, 53, 1, 5);
	opt4(&o, 51, 4, 600);
	o.b[o.n - 5] = 9;	/* option 51 claims 9 octets, 4 follow */
	reply4(&f, "10.9.0.4", &o);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	assert_string_equal(holder4(&s, "10.9.0.4"), "-");
	/* The UDP length ends the message before option 51: not a lease;
	 * a second option 51 of 3 octets voids the first. */
	o.n = 0;
	opt4(&o, 53, 1, 5);
	opt4(&o, 51, 4, 600);
	opt4(&o, 255, 0, 0);
	reply4(&f, "10.9.0.4", &o);
	set16(&f, 14 + 20 + 4, 8 + 240 + 3);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	assert_string_equal(holder4(&s, "10.9.0.4"), "-");
	set16(&f, 14 + 20 + 4, 8 + 240 + 9);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	assert_string_equal(holder4(&s, "10.9.0.4"), "10/dhcp");
	a4m("10.9.0.4", a);
	model_learn_forget4(&s, a);
	o.n = 0;
	opt4(&o, 53, 1, 5);
	opt4(&o, 51, 4, 600);
	opt4(&o, 51, 3, 600);
	reply4(&f, "10.9.0.4", &o);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	assert_string_equal(holder4(&s, "10.9.0.4"), "-");
}

static void test_dhcp_conflicts(void **state)
{
	struct model_policy p;
	struct model_learn s;
	struct frame f;
	uint8_t a[16];

	(void)state;
	dhcp_policy(&p);
	dhcp_state(&s);
	ack4(&f, MAC1, "10.9.0.1", 5, 100);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	/* Another interface's live lease: refused, counted, kept. */
	EXPECT_REASON(deliver(&s, IF_B, &p, NULL, &f), VG_LEARN_CONFLICT);
	assert_string_equal(holder4(&s, "10.9.0.1"), "10/dhcp");
	/* Ended: taken over. */
	s.now = T0 + 160 * SEC;
	EXPECT_REASON(deliver(&s, IF_B, &p, NULL, &f), VG_PASS);
	assert_string_equal(holder4(&s, "10.9.0.1"), "11/dhcp");
	/* Configured for another: refused. */
	a4m("10.9.0.7", a);
	assert_int_equal(model_learn_config4(&s, a, IF_B), 0);
	ack4(&f, MAC1, "10.9.0.7", 5, 100);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_LEARN_CONFLICT);
	/* Configured for itself: nothing changes. */
	EXPECT_REASON(deliver(&s, IF_B, &p, NULL, &f), VG_PASS);
	assert_string_equal(holder4(&s, "10.9.0.7"), "11/config");

	/* VG_LEARN_DHCP4_CAP (2): the lease that ends first goes. */
	ack4(&f, MAC1, "10.9.0.2", 5, 500);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	ack4(&f, MAC1, "10.9.0.3", 5, 300);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	ack4(&f, MAC1, "10.9.0.4", 5, 900);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	assert_string_equal(holder4(&s, "10.9.0.2"), "10/dhcp");
	assert_string_equal(holder4(&s, "10.9.0.3"), "-");
	assert_string_equal(holder4(&s, "10.9.0.4"), "10/dhcp");
	/* Renewing one moves its end: now the other ends first. */
	ack4(&f, MAC1, "10.9.0.2", 5, 1000);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	ack4(&f, MAC1, "10.9.0.5", 5, 1000);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	assert_string_equal(holder4(&s, "10.9.0.4"), "-");
	assert_string_equal(holder4(&s, "10.9.0.2"), "10/dhcp");

	/* A full learned4 refuses a new address, replacement or not. */
	s.n_fill4 = VG_MAX_LEARNED - s.n_held4;
	ack4(&f, MAC1, "192.0.2.77", 5, 1000);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_LEARN_FULL);
	assert_string_equal(holder4(&s, "192.0.2.77"), "-");
	/* A renewal is no new entry. */
	ack4(&f, MAC1, "10.9.0.5", 5, 2000);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	assert_true(expiry4(&s, "10.9.0.5") == T0 + 160 * SEC + 2060 * SEC);
}

static void test_dhcp6_reply(void **state)
{
	struct model_policy p;
	struct model_learn s;
	struct frame f;
	struct addrs6 ad = { 4, { "2001:db8:d::1", "2001:db8:d::2", "2001:db8:d::3", "2001:db8:d::4" },
			     { 3600, 0xffffffff, 100, 100 } };
	uint8_t a[16];

	(void)state;
	dhcp_policy(&p);
	dhcp_state(&s);
	/* To another MAC: nothing. */
	reply6(&f, MAC_OTHER, false, &ad);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	assert_string_equal(holder(&s, "2001:db8:d::1"), "-");
	/* An Advertise (2): nothing. */
	dhcp6_msg(&f, MAC_OTHER, MAC1, 547, 546, 2, false, &ad);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	assert_string_equal(holder(&s, "2001:db8:d::1"), "-");
	/* The first VG_DHCP6_MSG_ADDRS (3) IAADDRs of a Reply count. */
	reply6(&f, MAC2, false, &ad);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	assert_string_equal(holder(&s, "2001:db8:d::1"), "10/dhcp");
	assert_int_equal(model_learn_find(&s, (a6("2001:db8:d::1", a), a))->origin, VG_ORIGIN_DHCP);
	assert_true(expiry6(&s, "2001:db8:d::1") == T0 + 3660 * SEC);
	assert_true(expiry6(&s, "2001:db8:d::2") == VG_LEASE_FOREVER);
	assert_true(expiry6(&s, "2001:db8:d::3") == T0 + 160 * SEC);
	assert_string_equal(holder(&s, "2001:db8:d::4"), "-");
	udp6_from(&f, "2001:db8:d::3");
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_PASS);
	EXPECT_REASON(send_on(&s, IF_B, &p, &f), VG_IPV6_SRC);
	s.now = T0 + 160 * SEC;
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_IPV6_SRC);

	/* IA_TA; another interface's live one refused; valid lifetime 0
	 * ends only the receiver's own. */
	struct addrs6 b = { 3, { "2001:db8:d::1", "2001:db8:d::5", "2001:db8:d::2" }, { 600, 600, 0 } };
	reply6(&f, MAC1, true, &b);
	EXPECT_REASON(deliver(&s, IF_B, &p, NULL, &f), VG_LEARN_CONFLICT);
	assert_string_equal(holder(&s, "2001:db8:d::5"), "11/dhcp");
	assert_string_equal(holder(&s, "2001:db8:d::2"), "10/dhcp");
	/* The same to IF_A: ::1 renewed, ::5 IF_B's (refused), ::2 ends. */
	reply6(&f, MAC1, true, &b);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_LEARN_CONFLICT);
	assert_string_equal(holder(&s, "2001:db8:d::2"), "-");
	assert_true(expiry6(&s, "2001:db8:d::1") == T0 + 160 * SEC + 660 * SEC);

	/* Not addresses to lease: ::, ::1, link-local, multicast; a
	 * protected one refused. */
	struct addrs6 c = { 3, { "::", "fe80::d", "ff02::1:2" }, { 600, 600, 600 } };
	size_t held = s.n_held;

	reply6(&f, MAC1, false, &c);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	assert_int_equal(s.n_held, held);
	a6("2001:db8:d::9", a);
	model_learn_protect(&s, a);
	struct addrs6 d = { 1, { "2001:db8:d::9" }, { 600 } };
	reply6(&f, MAC1, false, &d);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_LEARN_PROTECTED);

	/* VG_LEARN_DHCP6_CAP (4): IF_A holds ::1 and ::3 (ended); of three
	 * more, the third replaces ::3, which ends first. */
	struct addrs6 e = { 3, { "2001:db8:d::a", "2001:db8:d::b", "2001:db8:d::c" }, { 50, 70, 90 } };
	reply6(&f, MAC1, false, &e);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	assert_string_equal(holder(&s, "2001:db8:d::3"), "-");
	assert_string_equal(holder(&s, "2001:db8:d::1"), "10/dhcp");
	assert_string_equal(holder(&s, "2001:db8:d::c"), "10/dhcp");
}

static void test_dhcp_from_guest(void **state)
{
	struct model_policy p;
	struct model_learn s;
	struct opts4 o;
	struct frame f;

	(void)state;
	dhcp_policy(&p);
	dhcp_state(&s);
	ack4(&f, MAC1, "10.9.0.1", 5, 3600);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	ack4(&f, MAC1, "10.9.0.2", 5, 3600);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	/* Another interface's RELEASE of it: passes (its source is its own
	 * configured address), ends nothing. */
	o.n = 0;
	opt4(&o, 53, 1, 7);
	opt4(&o, 255, 0, 0);
	request4(&f, "10.0.0.5", "10.9.0.254", "10.9.0.1", &o);
	EXPECT_REASON(send_on(&s, IF_B, &p, &f), VG_PASS);
	assert_string_equal(holder4(&s, "10.9.0.1"), "10/dhcp");
	/* Its own, beyond VG_DHCP4_OPTS_IN options: not read. */
	pads4(&o, VG_DHCP4_OPTS_IN);
	opt4(&o, 53, 1, 7);
	request4(&f, "10.9.0.1", "10.9.0.254", "10.9.0.1", &o);
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_PASS);
	assert_string_equal(holder4(&s, "10.9.0.1"), "10/dhcp");
	/* Within them: ended. */
	pads4(&o, VG_DHCP4_OPTS_IN - 1);
	opt4(&o, 53, 1, 7);
	request4(&f, "10.9.0.1", "10.9.0.254", "10.9.0.1", &o);
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_PASS);
	assert_string_equal(holder4(&s, "10.9.0.1"), "-");
	/* DECLINE: option 50's address. */
	o.n = 0;
	opt4(&o, 53, 1, 4);
	opt4(&o, 50, 4, 0x0a090002);
	opt4(&o, 255, 0, 0);
	request4(&f, "0.0.0.0", "255.255.255.255", "0.0.0.0", &o);
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_PASS);
	assert_string_equal(holder4(&s, "10.9.0.2"), "-");

	/* A DHCPv6 Release naming one of two leases ends both. */
	struct addrs6 ad = { 2, { "2001:db8:d::1", "2001:db8:d::2" }, { 600, 600 } };
	struct addrs6 one = { 1, { "2001:db8:d::2" }, { 0 } };

	reply6(&f, MAC1, false, &ad);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	client6(&f, MAC1, 8, &one);
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_PASS);
	assert_string_equal(holder(&s, "2001:db8:d::2"), "-");
	assert_string_equal(holder(&s, "2001:db8:d::1"), "-");
	reply6(&f, MAC1, false, &ad);
	EXPECT_REASON(deliver(&s, IF_A, &p, NULL, &f), VG_PASS);
	assert_string_equal(holder(&s, "2001:db8:d::1"), "10/dhcp");
	/* A dropped frame ends nothing: from another MAC. */
	client6(&f, MAC_OTHER, 9, &ad);
	EXPECT_REASON(send_on(&s, IF_A, &p, &f), VG_SRC_MAC);
	assert_string_equal(holder(&s, "2001:db8:d::1"), "10/dhcp");
}

int main(void)
{
	enum { N = sizeof(cases) / sizeof(cases[0]) };
	struct CMUnitTest tests[N];

	const struct CMUnitTest learning[] = {
		cmocka_unit_test(test_learn_claim),
		cmocka_unit_test(test_learn_cap),
		cmocka_unit_test(test_learn_refused),
		cmocka_unit_test(test_learn_full),
		cmocka_unit_test(test_learn_delivered),
		cmocka_unit_test(test_dhcp4_ack),
		cmocka_unit_test(test_dhcp4_options),
		cmocka_unit_test(test_dhcp_conflicts),
		cmocka_unit_test(test_dhcp6_reply),
		cmocka_unit_test(test_dhcp_from_guest),
	};
	int failed;

	for (size_t i = 0; i < N; i++)
		tests[i] = (struct CMUnitTest){ .name = cases[i].name, .test_func = run_case,
						.initial_state = (void *)&cases[i] };
	failed = cmocka_run_group_tests_name("model", tests, NULL, NULL);
	return failed + cmocka_run_group_tests_name("model-learning", learning, NULL, NULL);
}
