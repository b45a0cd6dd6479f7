// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * vgpkt: sends the frames a guest could send, legitimate or forged, and
 * counts the ones that come out on the far side of a bridge.
 *
 *   vgpkt send -i IFACE [-c COUNT] [-g GAP_US] [-m MARKER] KIND [fields]
 *   vgpkt recv -i IFACE -m MARKER [-t TIMEOUT_MS] [-f FENCE] [--count-only]
 *
 * Every frame carries a 6-byte tag, "VG" followed by the 32-bit marker in
 * network order, in a place the protocol ignores (payload, an ND option of
 * the experimental type 253, a DHCP site option, MLD auxiliary data, the
 * padding of an ARP frame), so a receiver counts exactly the frames of one
 * test case and nothing else the stacks happen to send.
 *
 * Only libc, so that a static build fits in a busybox initramfs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "frame.h"
#include "vifguard_user.h"

#define TAG_LEN		6
#define ND_OPT_TAG	253	/* RFC 4727: experimental, ignored by receivers */
#define DHCP_OPT_TAG	224	/* RFC 3942: site-specific */

enum kind { K_RAW, K_UDP4, K_DHCP, K_ARP, K_UDP6, K_NS, K_NA, K_RS, K_RA,
	    K_REDIRECT, K_MLD2, K_IGMP, K_DHCP6 };

static const char *const kind_names[] = {
	[K_RAW] = "raw", [K_UDP4] = "udp4", [K_DHCP] = "dhcp", [K_ARP] = "arp",
	[K_UDP6] = "udp6", [K_NS] = "ns", [K_NA] = "na", [K_RS] = "rs",
	[K_RA] = "ra", [K_REDIRECT] = "redirect", [K_MLD2] = "mld2",
	[K_IGMP] = "igmp", [K_DHCP6] = "dhcp6",
};

#define DHCP6_OPT_TAG	65000	/* unassigned (RFC 8415 24): skipped by parsers */
#define MAX_IA_ADDRS	8

struct cfg {
	const char *ifname;
	unsigned long count, gap_us;
	uint32_t marker;
	bool verbose;
	enum kind kind;
	/* Ethernet */
	uint8_t src_mac[6], dst_mac[6];
	bool have_src_mac, have_dst_mac;
	long vlan;			/* -1: untagged */
	uint16_t vlan_proto;
	uint16_t ethertype;
	/* IP: kept as text until the kind says which family */
	const char *src_ip, *dst_ip;
	long sport, dport, ttl;		/* -1: kind's default */
	bool hbh, frag;
	/* ARP, DHCP */
	long op;
	uint8_t sha[6], tha[6], chaddr[6];
	bool have_sha, have_tha, have_chaddr;
	const char *spa, *tpa;
	/* DHCP, DHCPv6: message type, addresses, lifetimes */
	long msg, lease, valid;		/* -1: kind's default, none */
	const char *yiaddr, *ciaddr, *req_ip;
	const char *ia_addr[MAX_IA_ADDRS];
	unsigned int n_ia_addr;
	bool ia_ta, no_pad;
	/* ND, MLD */
	const char *target, *dest, *prefix, *group, *na_flags;
	uint8_t slla[6], tlla[6];
	bool have_slla, have_tlla, no_lla, have_nonce;
	uint64_t nonce;
};

static void die(int code, const char *fmt, const char *arg)
{
	fprintf(stderr, "vgpkt: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(code);
}

static unsigned long num(const char *s, unsigned long max, const char *what)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > max || *s == '-')
		die(2, "bad %s", what);
	return v;
}

static void mac(const char *s, uint8_t out[6])
{
	unsigned int b[6];
	int n = -1, i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2],
		   &b[3], &b[4], &b[5], &n) != 6 || n < 0 || s[n])
		die(2, "bad MAC address '%s'", s);
	for (i = 0; i < 6; i++)
		out[i] = b[i];
}

static struct in_addr ip4(const char *s, const char *dflt)
{
	struct in_addr a;

	if (!s)
		s = dflt;
	if (inet_pton(AF_INET, s, &a) != 1)
		die(2, "bad IPv4 address '%s'", s);
	return a;
}

static struct in6_addr ip6(const char *s, const struct in6_addr *dflt,
			   const char *opt)
{
	struct in6_addr a;

	if (!s) {
		if (!dflt)
			die(2, "this kind of frame needs %s", opt);
		return *dflt;
	}
	if (inet_pton(AF_INET6, s, &a) != 1)
		die(2, "bad IPv6 address '%s'", s);
	return a;
}

/* The tag: "VG", then the marker in network order. */
static void put_tag(struct frame *f, uint32_t marker)
{
	put8(f, 'V');
	put8(f, 'G');
	put32(f, marker);
}

static struct in6_addr mc6(const char *s)
{
	struct in6_addr a;

	inet_pton(AF_INET6, s, &a);
	return a;
}

/* Ethernet header, with an 802.1Q/802.1ad tag when asked for.  The
 * destination defaults to what the L3 destination implies. */
static void eth_hdr(struct frame *f, const struct cfg *c, uint16_t type,
		    const uint8_t dflt_dst[6])
{
	const uint8_t *dst = c->have_dst_mac ? c->dst_mac : dflt_dst;

	if (c->vlan >= 0)
		eth_vlan(f, c->src_mac, dst, c->vlan_proto, c->vlan, type);
	else
		eth(f, c->src_mac, dst, type);
}

static void mac_of_ip4(struct in_addr a, uint8_t m[6])
{
	const uint8_t *b = (const uint8_t *)&a;

	if (IN_MULTICAST(ntohl(a.s_addr))) {
		uint8_t mm[6] = { 0x01, 0x00, 0x5e, b[1] & 0x7f, b[2], b[3] };

		memcpy(m, mm, 6);
	} else {
		memcpy(m, MAC_BCAST, 6);	/* unicast: flooded, seen everywhere */
	}
}

static void mac_of_ip6(const struct in6_addr *a, uint8_t m[6])
{
	if (a->s6_addr[0] == 0xff) {
		m[0] = m[1] = 0x33;
		memcpy(m + 2, a->s6_addr + 12, 4);
	} else {
		memcpy(m, MAC_BCAST, 6);
	}
}

/* IPv4 frame around the L4 message m, whose checksum sits at csum_off. */
static void ip4_frame(struct frame *f, const struct cfg *c, uint8_t proto,
		      const struct frame *m, size_t csum_off,
		      const char *dflt_src, const char *dflt_dst)
{
	struct in_addr s = ip4(c->src_ip, dflt_src), d = ip4(c->dst_ip, dflt_dst);
	uint8_t dm[6];
	size_t ip, l4;
	uint16_t sum;

	mac_of_ip4(d, dm);
	eth_hdr(f, c, ETHERTYPE_IP, dm);
	ip = ip4_begin_in(f, s, d, proto, c->ttl >= 0 ? c->ttl : 64,
			  c->marker & 0xffff);
	l4 = f->len;
	put(f, m->b, m->len);
	ip4_end(f, ip);
	if (proto != IPPROTO_IGMP) {
		l4_csum(f, ip, l4, csum_off, proto);
		return;
	}
	/* IGMP sums its message alone; 0 goes out as 0xffff, as UDP's. */
	sum = csum_fold(csum_add(0, m->b, m->len));
	set16(f, l4 + csum_off, sum ? sum : 0xffff);
}

/* IPv6 frame: optional hop-by-hop router alert and atomic fragment header
 * in front of an L4 message (UDP or ICMPv6). */
static void ip6_frame(struct frame *f, const struct cfg *c, uint8_t proto,
		      const struct frame *m, size_t csum_off,
		      const struct in6_addr *dflt_dst, unsigned int dflt_hlim,
		      bool hbh)
{
	uint8_t dm[6], next = c->frag ? IPPROTO_FRAGMENT : proto;
	struct in6_addr ll, s, d;
	size_t ip, l4;

	vg_eui64_link_local(c->src_mac, &ll);
	s = ip6(c->src_ip, &ll, "--src-ip");
	d = ip6(c->dst_ip, dflt_dst, "--dst-ip");
	mac_of_ip6(&d, dm);
	eth_hdr(f, c, ETHERTYPE_IPV6, dm);
	ip = ip6_begin_in6(f, &s, &d, hbh ? IPPROTO_HOPOPTS : next,
			   c->ttl >= 0 ? c->ttl : dflt_hlim);
	if (hbh)
		ip6_opts(f, next, 0);	/* router alert, MLD (RFC 2711) */
	/* offset 0, M=0: a whole datagram in one fragment (RFC 6946) */
	if (c->frag)
		ip6_frag_id(f, proto, 0, 0, c->marker);
	l4 = f->len;
	put(f, m->b, m->len);
	ip6_end(f, ip);
	l4_csum(f, ip, l4, csum_off, proto);
}

/* UDP header with the kind's ports unless overridden; udp_end() sets its
 * length once the payload follows. */
static void udp_hdr(struct frame *m, const struct cfg *c, uint16_t sport,
		    uint16_t dport)
{
	udp(m, c->sport >= 0 ? c->sport : sport, c->dport >= 0 ? c->dport : dport, 0);
}

static void udp_tag(struct frame *m, const struct cfg *c)
{
	udp_hdr(m, c, 40000, 9);
	put_tag(m, c->marker);
	udp_end(m, 0);
}

/* BOOTP/DHCP message (RFC 2131): a DISCOVER, or an OFFER with --op 2;
 * --msg another message type (option 53: 4 DECLINE, 5 ACK, 6 NAK,
 * 7 RELEASE, ...), --lease its option 51, --req-ip its option 50. */
static void dhcp_msg(struct frame *m, const struct cfg *c)
{
	unsigned int op = c->op > 0 ? c->op : 1;
	struct in_addr ci = ip4(c->ciaddr, "0.0.0.0"), yi = ip4(c->yiaddr, "0.0.0.0");

	udp_hdr(m, c, op == 2 ? 67 : 68, op == 2 ? 68 : 67);
	put8(m, op);
	put8(m, 1);			/* htype Ethernet */
	put8(m, 6);
	put8(m, 0);
	put32(m, c->marker);		/* xid */
	put32(m, 0);			/* secs, flags */
	put(m, &ci, 4);
	put(m, &yi, 4);
	put(m, NULL, 8);		/* siaddr, giaddr */
	put_mac(m, c->have_chaddr ? c->chaddr : c->src_mac);	/* chaddr */
	put(m, NULL, 10 + 64 + 128);
	put32(m, 0x63825363);		/* magic cookie */
	put8(m, 53);
	put8(m, 1);
	/* DHCPOFFER : DHCPDISCOVER */
	put8(m, c->msg >= 0 ? c->msg : op == 2 ? 2 : 1);
	if (c->lease >= 0) {
		put8(m, 51);
		put8(m, 4);
		put32(m, c->lease);
	}
	if (c->req_ip) {
		struct in_addr r = ip4(c->req_ip, NULL);

		put8(m, 50);
		put8(m, 4);
		put(m, &r, 4);
	}
	put8(m, DHCP_OPT_TAG);
	put8(m, TAG_LEN);
	put_tag(m, c->marker);
	put8(m, 255);
	/* PADs to a BOOTP message of 300 octets, as clients and servers
	 * send (RFC 1542 2.1), unless --no-pad keeps END the last octet. */
	if (!c->no_pad && m->len < 8 + 300)
		put(m, NULL, 8 + 300 - m->len);
	udp_end(m, 0);
}

/* DHCPv6 message (RFC 8415): --msg its type (default 7, Reply), with
 * one IA_NA (IA_TA with --ia-ta) holding an IAADDR per --ia-addr, each
 * with the --valid lifetime (default 3600 s).  Server messages (Advertise
 * 2, Reply 7, Reconfigure 10) go from 547 to 546, the others from 546 to
 * 547.  The tag is an option of an unassigned code. */
static void dhcp6_msg(struct frame *m, const struct cfg *c)
{
	unsigned int type = c->msg >= 0 ? c->msg : 7;
	bool server = type == 2 || type == 7 || type == 10;
	uint32_t valid = c->valid >= 0 ? c->valid : 3600;
	unsigned int i;

	udp_hdr(m, c, server ? 547 : 546, server ? 546 : 547);
	put32(m, type << 24 | (c->marker & 0xffffff));	/* transaction id */
	if (c->n_ia_addr) {
		put16(m, c->ia_ta ? 4 : 3);
		put16(m, (c->ia_ta ? 4 : 12) + c->n_ia_addr * 28);
		put32(m, 1);			/* IAID */
		if (!c->ia_ta) {
			put32(m, valid / 2);	/* T1 */
			put32(m, valid / 5 * 4);	/* T2 */
		}
		for (i = 0; i < c->n_ia_addr; i++) {
			struct in6_addr a = ip6(c->ia_addr[i], NULL, "--ia-addr");

			put16(m, 5);		/* IAADDR */
			put16(m, 24);
			put(m, &a, 16);
			put32(m, valid);	/* preferred */
			put32(m, valid);
		}
	}
	put16(m, DHCP6_OPT_TAG);
	put16(m, TAG_LEN);
	put_tag(m, c->marker);
	udp_end(m, 0);
}

static void nd_tag(struct frame *m, uint32_t marker)
{
	put8(m, ND_OPT_TAG);
	put8(m, 1);
	put_tag(m, marker);
}

static const uint8_t *lla_or(const uint8_t *set, bool have, const uint8_t *dflt)
{
	return have ? set : dflt;
}

/* NA for --target (default: the source) to all nodes, --na-flags of R,
 * S, O (default O). */
static void nd_na(struct frame *m, const struct cfg *c, const struct in6_addr *s,
		  struct in6_addr *dst)
{
	const char *f = c->na_flags ? c->na_flags : "O";
	unsigned int fl = 0;
	struct in6_addr t;

	t = ip6(c->target, s, "--target");
	*dst = mc6("ff02::1");
	for (; *f; f++)
		fl |= *f == 'R' ? 0x80 : *f == 'S' ? 0x40 : *f == 'O' ? 0x20 : 0;
	icmp6(m, 136, 0);
	put32(m, fl << 24);
	put(m, &t, 16);
	if (c->have_tlla || !c->no_lla)
		nd_lladdr(m, 2, lla_or(c->tlla, c->have_tlla, c->src_mac));
}

/* An RA's prefix information option for "ADDR[/LEN]" (default /64). */
static void ra_prefix(struct frame *m, const char *prefix)
{
	char buf[INET6_ADDRSTRLEN + 4], *sl;
	struct in6_addr pfx;
	unsigned long len = 64;

	snprintf(buf, sizeof(buf), "%s", prefix);
	sl = strchr(buf, '/');
	if (sl) {
		*sl = 0;
		len = num(sl + 1, 128, "prefix length");
	}
	pfx = ip6(buf, NULL, "--prefix");
	put8(m, 3);		/* prefix information */
	put8(m, 4);
	put8(m, len);
	put8(m, 0xc0);		/* on-link, autonomous */
	put32(m, 86400);
	put32(m, 14400);
	put32(m, 0);
	put(m, &pfx, 16);
}

/* An MLDv2 report joining --group, tagged. */
static void mld2_report(struct frame *m, const struct cfg *c, struct in6_addr *dst)
{
	struct in6_addr g = ip6(c->group, NULL, "--group");

	*dst = mc6("ff02::16");
	icmp6(m, 143, 0);
	put32(m, 1);		/* one record */
	put8(m, 4);		/* CHANGE_TO_EXCLUDE: a join */
	put8(m, 2);		/* aux data: 2 words, ignored */
	put16(m, 0);
	put(m, &g, 16);
	put_tag(m, c->marker);
	put16(m, 0);
}

static void icmp6_msg(struct frame *m, const struct cfg *c, struct in6_addr *dst)
{
	struct in6_addr ll, s, t, zero = IN6ADDR_ANY_INIT;
	bool dad;

	vg_eui64_link_local(c->src_mac, &ll);
	s = ip6(c->src_ip, &ll, "--src-ip");
	dad = !memcmp(&s, &zero, 16);

	switch (c->kind) {
	case K_NS:
		t = ip6(c->target, NULL, "--target");
		*dst = mc6("ff02::1:ff00:0");
		memcpy(dst->s6_addr + 13, t.s6_addr + 13, 3);
		icmp6(m, 135, 0);
		put32(m, 0);
		put(m, &t, 16);
		/* A DAD probe from :: must carry no SLLA (RFC 4861 7.1.1). */
		if (c->have_slla || (!c->no_lla && !dad))
			nd_lladdr(m, 1, lla_or(c->slla, c->have_slla, c->src_mac));
		break;
	case K_NA:
		nd_na(m, c, &s, dst);
		break;
	case K_RS:
		*dst = mc6("ff02::2");
		icmp6(m, 133, 0);
		put32(m, 0);
		if (c->have_slla || (!c->no_lla && !dad))
			nd_lladdr(m, 1, lla_or(c->slla, c->have_slla, c->src_mac));
		break;
	case K_RA:
		*dst = mc6("ff02::1");
		icmp6(m, 134, 0);
		put32(m, (64 << 24) | 1800);	/* cur hop limit, lifetime */
		put32(m, 0);			/* reachable time */
		put32(m, 0);			/* retrans timer */
		if (c->have_slla || !c->no_lla)
			nd_lladdr(m, 1, lla_or(c->slla, c->have_slla, c->src_mac));
		if (c->prefix)
			ra_prefix(m, c->prefix);
		break;
	case K_REDIRECT: {
		struct in6_addr d;

		t = ip6(c->target, NULL, "--target");
		d = ip6(c->dest, NULL, "--dest");
		*dst = mc6("ff02::1");
		icmp6(m, 137, 0);
		put32(m, 0);
		put(m, &t, 16);
		put(m, &d, 16);
		if (c->have_tlla || !c->no_lla)
			nd_lladdr(m, 2, lla_or(c->tlla, c->have_tlla, c->src_mac));
		break;
	}
	case K_MLD2:
		mld2_report(m, c, dst);
		return;
	default:
		break;
	}
	if (c->have_nonce)
		nd_nonce_val(m, c->nonce);
	nd_tag(m, c->marker);
}

static void arp_frame(struct frame *f, const struct cfg *c)
{
	struct in_addr spa = ip4(c->spa, "0.0.0.0"), tpa = ip4(c->tpa, "0.0.0.0");
	static const uint8_t zero[6];

	eth_hdr(f, c, ETHERTYPE_ARP, MAC_BCAST);
	arp_in(f, c->op > 0 ? c->op : 1, 6, c->have_sha ? c->sha : c->src_mac, spa,
	       c->have_tha ? c->tha : zero, tpa);
	put_tag(f, c->marker);	/* in the Ethernet padding */
}

/* IGMP (RFC 2236 2): --op is the type, a v2 membership query (0x11) by
 * default; --group the group address.  The tag follows the 8 octets, in
 * what IGMPv2 receivers ignore. */
static void igmp_msg(struct frame *m, const struct cfg *c)
{
	struct in_addr g = ip4(c->group, "0.0.0.0");

	put8(m, c->op > 0 ? c->op : 0x11);
	put8(m, 100);	/* max response time, 10 s */
	put16(m, 0);
	put(m, &g, 4);
	put_tag(m, c->marker);
}

/* IP kinds write their message first, as the headers in front of it
 * depend on it (an NS goes to its target's solicited-node group). */
static void build(struct frame *f, const struct cfg *c)
{
	struct frame m = { .len = 0 };
	struct in6_addr dst;

	switch (c->kind) {
	case K_RAW:
		eth_hdr(f, c, c->ethertype, MAC_BCAST);
		put_tag(f, c->marker);
		break;
	case K_ARP:
		arp_frame(f, c);
		break;
	case K_UDP4:
		udp_tag(&m, c);
		ip4_frame(f, c, IPPROTO_UDP, &m, 6, "0.0.0.0", "255.255.255.255");
		break;
	case K_IGMP:
		igmp_msg(&m, c);
		ip4_frame(f, c, IPPROTO_IGMP, &m, 2, "0.0.0.0", "224.0.0.1");
		break;
	case K_DHCP:
		dhcp_msg(&m, c);
		ip4_frame(f, c, IPPROTO_UDP, &m, 6, "0.0.0.0", "255.255.255.255");
		break;
	case K_UDP6:
		udp_tag(&m, c);
		dst = mc6("ff02::1");
		ip6_frame(f, c, IPPROTO_UDP, &m, 6, &dst, 64, c->hbh);
		break;
	case K_DHCP6:
		dhcp6_msg(&m, c);
		/* to the client's link-local (the EUI-64 of --dst-mac), or
		 * to All_DHCP_Relay_Agents_and_Servers */
		if (c->msg < 0 || c->msg == 2 || c->msg == 7 || c->msg == 10) {
			if (c->have_dst_mac)
				vg_eui64_link_local(c->dst_mac, &dst);
			else
				dst = mc6("ff02::1");
		} else {
			dst = mc6("ff02::1:2");
		}
		ip6_frame(f, c, IPPROTO_UDP, &m, 6, &dst, 64, c->hbh);
		break;
	default:
		icmp6_msg(&m, c, &dst);
		ip6_frame(f, c, IPPROTO_ICMPV6, &m, 2, &dst,
			  c->kind == K_MLD2 ? 1 : 255,
			  c->hbh || c->kind == K_MLD2);
		break;
	}
}

static int open_if(const char *ifname, int proto, struct sockaddr_ll *sll)
{
	int fd = socket(AF_PACKET, SOCK_RAW, proto);

	if (fd < 0)
		die(1, "cannot open packet socket: %s", strerror(errno));
	memset(sll, 0, sizeof(*sll));
	sll->sll_family = AF_PACKET;
	sll->sll_protocol = proto;
	sll->sll_ifindex = if_nametoindex(ifname);
	if (!sll->sll_ifindex)
		die(1, "%s: no such interface", ifname);
	return fd;
}

static void hwaddr(int fd, const char *ifname, uint8_t m[6])
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		die(1, "cannot read the MAC of %s", ifname);
	memcpy(m, ifr.ifr_hwaddr.sa_data, 6);
}

static void usage(FILE *out)
{
	fprintf(out,
"usage: vgpkt send -i IFACE [-c COUNT] [-g GAP_US] [-m MARKER] [-v] KIND [FIELDS]\n"
"       vgpkt recv -i IFACE -m MARKER [-t TIMEOUT_MS] [-f FENCE] [-n N]\n"
"                  [-r READY_FILE] [--count-only]\n"
"KIND: raw udp4 dhcp arp udp6 ns na rs ra redirect mld2 igmp dhcp6\n"
"FIELDS: --src-mac M --dst-mac M --vlan ID [--vlan-proto 0x88a8]\n"
"        --ethertype 0xNNNN (raw)\n"
"        --src-ip A --dst-ip A --sport N --dport N --ttl N (IPv6: hop limit)\n"
"        --hbh (hop-by-hop router alert) --frag (atomic fragment header)\n"
"        --op N (ARP opcode; dhcp: 1 discover, 2 offer; igmp: type,\n"
"        0x11 query by default) --chaddr M (dhcp; default the source MAC)\n"
"        --msg N (dhcp: option 53; dhcp6: message type, 7 reply by default)\n"
"        --yiaddr A --ciaddr A --lease SECS --req-ip A --no-pad (dhcp)\n"
"        --ia-addr A (dhcp6, repeatable) --valid SECS --ia-ta (dhcp6)\n"
"        --sha M --spa A --tha M --tpa A (ARP)\n"
"        --target A --dest A --slla M --tlla M --no-lla --nonce N\n"
"        --na-flags [RSO] --prefix P/L (ra) --group A (mld2, igmp)\n"
"Defaults: source MAC of IFACE, IPv6 source its EUI-64 link-local, and\n"
"the destination MAC the L3 destination implies (broadcast for unicast).\n"
"recv prints how many frames tagged MARKER arrived; with -f it returns\n"
"once the FENCE frame has arrived (exit 3 if it never does).\n");
}

enum {
	O_SRC_MAC = 256, O_DST_MAC, O_VLAN, O_VLAN_PROTO, O_ETHERTYPE,
	O_SRC_IP, O_DST_IP, O_SPORT, O_DPORT, O_TTL, O_HBH, O_FRAG, O_OP,
	O_SHA, O_SPA, O_THA, O_TPA, O_TARGET, O_DEST, O_SLLA, O_TLLA,
	O_NO_LLA, O_NONCE, O_NA_FLAGS, O_PREFIX, O_GROUP, O_COUNT_ONLY,
	O_CHADDR, O_MSG, O_YIADDR, O_CIADDR, O_LEASE, O_REQ_IP, O_IA_ADDR,
	O_VALID, O_IA_TA, O_NO_PAD,
};

static const struct option long_opts[] = {
	{ "src-mac", 1, 0, O_SRC_MAC }, { "dst-mac", 1, 0, O_DST_MAC },
	{ "vlan", 1, 0, O_VLAN }, { "vlan-proto", 1, 0, O_VLAN_PROTO },
	{ "ethertype", 1, 0, O_ETHERTYPE },
	{ "src-ip", 1, 0, O_SRC_IP }, { "dst-ip", 1, 0, O_DST_IP },
	{ "sport", 1, 0, O_SPORT }, { "dport", 1, 0, O_DPORT },
	{ "ttl", 1, 0, O_TTL }, { "hbh", 0, 0, O_HBH }, { "frag", 0, 0, O_FRAG },
	{ "op", 1, 0, O_OP }, { "sha", 1, 0, O_SHA }, { "spa", 1, 0, O_SPA },
	{ "tha", 1, 0, O_THA }, { "tpa", 1, 0, O_TPA },
	{ "target", 1, 0, O_TARGET }, { "dest", 1, 0, O_DEST },
	{ "slla", 1, 0, O_SLLA }, { "tlla", 1, 0, O_TLLA },
	{ "no-lla", 0, 0, O_NO_LLA }, { "nonce", 1, 0, O_NONCE },
	{ "na-flags", 1, 0, O_NA_FLAGS }, { "prefix", 1, 0, O_PREFIX },
	{ "group", 1, 0, O_GROUP }, { "count-only", 0, 0, O_COUNT_ONLY },
	{ "chaddr", 1, 0, O_CHADDR },
	{ "msg", 1, 0, O_MSG }, { "yiaddr", 1, 0, O_YIADDR },
	{ "ciaddr", 1, 0, O_CIADDR }, { "lease", 1, 0, O_LEASE },
	{ "req-ip", 1, 0, O_REQ_IP }, { "ia-addr", 1, 0, O_IA_ADDR },
	{ "valid", 1, 0, O_VALID }, { "ia-ta", 0, 0, O_IA_TA },
	{ "no-pad", 0, 0, O_NO_PAD },
	{ "help", 0, 0, 'h' },
	{ 0 }
};

static int do_send(struct cfg *c)
{
	struct frame f = { .len = 0 };
	struct sockaddr_ll sll;
	unsigned long i;
	size_t len;
	int fd;

	fd = open_if(c->ifname, 0, &sll);
	if (!c->have_src_mac)
		hwaddr(fd, c->ifname, c->src_mac);
	build(&f, c);
	if (f.len < 60)
		put(&f, NULL, 60 - f.len);	/* the minimum frame */
	len = f.len;
	for (i = 0; i < c->count; i++) {
		if (sendto(fd, f.b, len, 0, (struct sockaddr *)&sll,
			   sizeof(sll)) < 0) {
			/* A full qdisc is not the filter's doing: retry. */
			if (errno == ENOBUFS) {
				usleep(1000);
				i--;
				continue;
			}
			die(1, "send: %s", strerror(errno));
		}
		if (c->gap_us && i + 1 < c->count)
			usleep(c->gap_us);
	}
	if (c->verbose)
		printf("sent %lu %s frames of %zu bytes on %s, marker %#x\n",
		       c->count, kind_names[c->kind], len, c->ifname, c->marker);
	close(fd);
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int do_recv(const struct cfg *c, long timeout_ms, bool count_only,
		   long want, bool have_fence, uint32_t fence, const char *ready)
{
	struct frame tag = { .len = 0 }, ftag = { .len = 0 };
	uint8_t buf[65536];
	struct sockaddr_ll sll;
	struct tpacket_stats st;
	socklen_t sl = sizeof(st);
	long long deadline = now_ms() + timeout_ms;
	long count = 0;
	bool fenced = false;
	int fd, one = 1, rcvbuf = 8 << 20;

	put_tag(&tag, c->marker);
	put_tag(&ftag, fence);
	fd = open_if(c->ifname, htons(ETH_P_ALL), &sll);
	/* Room for a stream of small frames while we are descheduled. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
#ifdef PACKET_IGNORE_OUTGOING
	setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
#endif
	(void)one;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		die(1, "bind: %s", strerror(errno));
	if (ready) {
		FILE *r = fopen(ready, "w");

		if (!r)
			die(1, "cannot create %s", ready);
		fclose(r);
	}
	for (;;) {
		long long left = deadline - now_ms();
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (left <= 0 || (want >= 0 && count >= want && !have_fence))
			break;
		if (poll(&pfd, 1, left) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n <= 0)
			continue;
		if (memmem(buf, n, tag.b, TAG_LEN))
			count++;
		else if (have_fence && !fenced && memmem(buf, n, ftag.b, TAG_LEN)) {
			/* Frames sent before the fence may still be on another
			 * CPU's backlog: give them a moment. */
			fenced = true;
			deadline = now_ms() + 100;
		}
	}
	if (!getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl) &&
	    st.tp_drops)
		fprintf(stderr, "vgpkt: receive socket lost %u frames\n",
			st.tp_drops);
	if (count_only)
		printf("%ld\n", count);
	else
		printf("marker %#x: %ld frames%s\n", c->marker, count,
		       have_fence ? (fenced ? ", fence seen" : ", no fence") : "");
	close(fd);
	if (have_fence && !fenced)
		return 3;
	return 0;
}

/* What recv is told besides the frame fields. */
struct recv_opts {
	long timeout, want;
	bool count_only, have_marker, have_fence;
	const char *ready;
	uint32_t fence;
};

/* One option of send or recv into c or r: 0, 1 after --help (exit 0), or
 * 2 for an unknown one (usage printed). */
static int parse_opt(int o, struct cfg *c, struct recv_opts *r)
{
	switch (o) {
	case 'i': c->ifname = optarg; break;
	case 'c': c->count = num(optarg, 100000000, "count"); break;
	case 'g': c->gap_us = num(optarg, 10000000, "gap"); break;
	case 'm':
		c->marker = num(optarg, UINT32_MAX, "marker");
		r->have_marker = true;
		break;
	case 't': r->timeout = num(optarg, 3600000, "timeout"); break;
	case 'f':
		r->fence = num(optarg, UINT32_MAX, "fence marker");
		r->have_fence = true;
		break;
	case 'n': r->want = num(optarg, 100000000, "frame count"); break;
	case 'r': r->ready = optarg; break;
	case 'v': c->verbose = true; break;
	case 'h': usage(stdout); return 1;
	case O_SRC_MAC: mac(optarg, c->src_mac); c->have_src_mac = true; break;
	case O_DST_MAC: mac(optarg, c->dst_mac); c->have_dst_mac = true; break;
	case O_VLAN: c->vlan = num(optarg, 4095, "VLAN id"); break;
	case O_VLAN_PROTO:
		c->vlan_proto = num(optarg, 0xffff, "VLAN protocol");
		break;
	case O_ETHERTYPE: c->ethertype = num(optarg, 0xffff, "ethertype"); break;
	case O_SRC_IP: c->src_ip = optarg; break;
	case O_DST_IP: c->dst_ip = optarg; break;
	case O_SPORT: c->sport = num(optarg, 65535, "port"); break;
	case O_DPORT: c->dport = num(optarg, 65535, "port"); break;
	case O_TTL: c->ttl = num(optarg, 255, "ttl"); break;
	case O_HBH: c->hbh = true; break;
	case O_FRAG: c->frag = true; break;
	case O_OP: c->op = num(optarg, 65535, "op"); break;
	case O_SHA: mac(optarg, c->sha); c->have_sha = true; break;
	case O_THA: mac(optarg, c->tha); c->have_tha = true; break;
	case O_CHADDR: mac(optarg, c->chaddr); c->have_chaddr = true; break;
	case O_SPA: c->spa = optarg; break;
	case O_TPA: c->tpa = optarg; break;
	case O_TARGET: c->target = optarg; break;
	case O_DEST: c->dest = optarg; break;
	case O_SLLA: mac(optarg, c->slla); c->have_slla = true; break;
	case O_TLLA: mac(optarg, c->tlla); c->have_tlla = true; break;
	case O_NO_LLA: c->no_lla = true; break;
	case O_NONCE:
		c->nonce = num(optarg, 0xffffffffffffUL, "nonce");
		c->have_nonce = true;
		break;
	case O_NA_FLAGS: c->na_flags = optarg; break;
	case O_PREFIX: c->prefix = optarg; break;
	case O_GROUP: c->group = optarg; break;
	case O_COUNT_ONLY: r->count_only = true; break;
	case O_MSG: c->msg = num(optarg, 255, "message type"); break;
	case O_YIADDR: c->yiaddr = optarg; break;
	case O_CIADDR: c->ciaddr = optarg; break;
	case O_LEASE: c->lease = num(optarg, UINT32_MAX, "lease time"); break;
	case O_REQ_IP: c->req_ip = optarg; break;
	case O_IA_ADDR:
		if (c->n_ia_addr == MAX_IA_ADDRS)
			die(2, "at most %s --ia-addr", "8");
		c->ia_addr[c->n_ia_addr++] = optarg;
		break;
	case O_VALID: c->valid = num(optarg, UINT32_MAX, "valid lifetime"); break;
	case O_IA_TA: c->ia_ta = true; break;
	case O_NO_PAD: c->no_pad = true; break;
	default: usage(stderr); return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct cfg c = { .count = 1, .vlan = -1, .vlan_proto = ETH_P_8021Q,
			 .ethertype = 0x88b5, .sport = -1, .dport = -1,
			 .ttl = -1, .op = -1, .msg = -1, .lease = -1, .valid = -1 };
	struct recv_opts r = { .timeout = 1000, .want = -1 };
	unsigned int k;
	bool send;
	int o, ret;

	if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "send"))
		send = true;
	else if (!strcmp(argv[1], "recv"))
		send = false;
	else
		die(2, "unknown command '%s' (send, recv, help)", argv[1]);
	argv++;
	argc--;

	while ((o = getopt_long(argc, argv, "i:c:g:m:t:f:n:r:vh", long_opts,
				NULL)) != -1) {
		ret = parse_opt(o, &c, &r);
		if (ret)
			return ret == 1 ? 0 : ret;
	}
	if (!c.ifname)
		die(2, "%s: -i IFACE is required", send ? "send" : "recv");
	if (!send) {
		if (!r.have_marker)
			die(2, "%s: -m MARKER is required", "recv");
		if (optind != argc)
			die(2, "recv: unexpected argument '%s'", argv[optind]);
		return do_recv(&c, r.timeout, r.count_only, r.want, r.have_fence,
			       r.fence, r.ready);
	}
	if (optind + 1 != argc)
		die(2, "%s: exactly one KIND is required", "send");
	for (k = 0; k < sizeof(kind_names) / sizeof(kind_names[0]); k++)
		if (!strcmp(argv[optind], kind_names[k]))
			break;
	if (k == sizeof(kind_names) / sizeof(kind_names[0]))
		die(2, "unknown frame kind '%s'", argv[optind]);
	c.kind = k;
	return do_send(&c);
}
