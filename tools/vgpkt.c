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
#define ETH_FRAME_MAX	1518
#define ND_OPT_TAG	253	/* RFC 4727: experimental, ignored by receivers */
#define DHCP_OPT_TAG	224	/* RFC 3942: site-specific */

enum kind { K_RAW, K_UDP4, K_DHCP, K_ARP, K_UDP6, K_NS, K_NA, K_RS, K_RA,
	    K_REDIRECT, K_MLD2, K_IGMP };

static const char *const kind_names[] = {
	[K_RAW] = "raw", [K_UDP4] = "udp4", [K_DHCP] = "dhcp", [K_ARP] = "arp",
	[K_UDP6] = "udp6", [K_NS] = "ns", [K_NA] = "na", [K_RS] = "rs",
	[K_RA] = "ra", [K_REDIRECT] = "redirect", [K_MLD2] = "mld2",
	[K_IGMP] = "igmp",
};

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

/* Byte emitters: frames are written front to back, in network order. */
static uint8_t *emit(uint8_t *p, const void *src, size_t n)
{
	memcpy(p, src, n);
	return p + n;
}

static uint8_t *emit8(uint8_t *p, unsigned int v)
{
	*p = v;
	return p + 1;
}

static uint8_t *emit16(uint8_t *p, unsigned int v)
{
	p[0] = v >> 8;
	p[1] = v;
	return p + 2;
}

static uint8_t *emit32(uint8_t *p, uint32_t v)
{
	p = emit16(p, v >> 16);
	return emit16(p, v & 0xffff);
}

static uint8_t *emit_tag(uint8_t *p, uint32_t marker)
{
	p = emit8(p, 'V');
	p = emit8(p, 'G');
	return emit32(p, marker);
}

static struct in6_addr mc6(const char *s)
{
	struct in6_addr a;

	inet_pton(AF_INET6, s, &a);
	return a;
}

/* Ethernet header, with an 802.1Q/802.1ad tag when asked for.  The
 * destination defaults to what the L3 destination implies. */
static uint8_t *eth_hdr(uint8_t *p, const struct cfg *c, uint16_t type,
		    const uint8_t dflt_dst[6])
{
	p = emit(p, c->have_dst_mac ? c->dst_mac : dflt_dst, 6);
	p = emit(p, c->src_mac, 6);
	if (c->vlan >= 0) {
		p = emit16(p, c->vlan_proto);
		p = emit16(p, c->vlan);
	}
	return emit16(p, type);
}

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void mac_of_ip4(struct in_addr a, uint8_t m[6])
{
	const uint8_t *b = (const uint8_t *)&a;

	if (IN_MULTICAST(ntohl(a.s_addr))) {
		uint8_t mm[6] = { 0x01, 0x00, 0x5e, b[1] & 0x7f, b[2], b[3] };

		memcpy(m, mm, 6);
	} else {
		memcpy(m, bcast, 6);	/* unicast: flooded, seen everywhere */
	}
}

static void mac_of_ip6(const struct in6_addr *a, uint8_t m[6])
{
	if (a->s6_addr[0] == 0xff) {
		m[0] = m[1] = 0x33;
		memcpy(m + 2, a->s6_addr + 12, 4);
	} else {
		memcpy(m, bcast, 6);
	}
}

/* IPv4 frame around an L4 message whose checksum sits at l4[csum_off]. */
static size_t ip4_frame(uint8_t *f, const struct cfg *c, uint8_t proto,
			uint8_t *l4, size_t len, size_t csum_off,
			const char *dflt_src, const char *dflt_dst)
{
	struct in_addr s = ip4(c->src_ip, dflt_src), d = ip4(c->dst_ip, dflt_dst);
	uint8_t dm[6], *p, *iph;
	uint32_t sum;

	mac_of_ip4(d, dm);
	p = iph = eth_hdr(f, c, ETHERTYPE_IP, dm);
	p = emit8(p, 0x45);
	p = emit8(p, 0);
	p = emit16(p, 20 + len);
	p = emit16(p, c->marker & 0xffff);	/* id */
	p = emit16(p, 0);
	p = emit8(p, c->ttl >= 0 ? c->ttl : 64);
	p = emit8(p, proto);
	p = emit16(p, 0);
	p = emit(p, &s, 4);
	p = emit(p, &d, 4);
	emit16(iph + 10, csum_fold(csum_add(0, iph, 20)));

	/* UDP pseudo header (RFC 768); IGMP sums its message alone. */
	sum = proto == IPPROTO_IGMP ? 0 : csum_add(0, iph + 12, 8) + proto + len;
	emit16(l4 + csum_off, 0);
	sum = csum_fold(csum_add(sum, l4, len));
	emit16(l4 + csum_off, sum ? sum : 0xffff);
	p = emit(p, l4, len);
	return p - f;
}

/* IPv6 frame: optional hop-by-hop router alert and atomic fragment header
 * in front of an L4 message (UDP or ICMPv6). */
static size_t ip6_frame(uint8_t *f, const struct cfg *c, uint8_t proto,
			uint8_t *l4, size_t len, size_t csum_off,
			const struct in6_addr *dflt_dst, unsigned int dflt_hlim,
			bool hbh)
{
	size_t ext = (hbh ? 8 : 0) + (c->frag ? 8 : 0);
	struct in6_addr ll, s, d;
	uint8_t dm[6], *p, *ip6h;
	uint32_t sum;

	vg_eui64_link_local(c->src_mac, &ll);
	s = ip6(c->src_ip, &ll, "--src-ip");
	d = ip6(c->dst_ip, dflt_dst, "--dst-ip");
	mac_of_ip6(&d, dm);
	p = ip6h = eth_hdr(f, c, ETHERTYPE_IPV6, dm);
	p = emit32(p, 0x60000000);
	p = emit16(p, ext + len);
	p = emit8(p, hbh ? 0 : c->frag ? 44 : proto);
	p = emit8(p, c->ttl >= 0 ? c->ttl : dflt_hlim);
	p = emit(p, &s, 16);
	p = emit(p, &d, 16);
	if (hbh) {
		p = emit8(p, c->frag ? 44 : proto);
		p = emit8(p, 0);
		p = emit32(p, 0x05020000);	/* router alert, MLD (RFC 2711) */
		p = emit16(p, 0x0100);		/* PadN, 0 bytes */
	}
	if (c->frag) {
		/* offset 0, M=0: a whole datagram in one fragment (RFC 6946) */
		p = emit8(p, proto);
		p = emit8(p, 0);
		p = emit16(p, 0);
		p = emit32(p, c->marker);
	}
	sum = csum_add(0, ip6h + 8, 32) + len + proto;
	emit16(l4 + csum_off, 0);
	sum = csum_fold(csum_add(sum, l4, len));
	if (proto == IPPROTO_UDP && !sum)
		sum = 0xffff;
	emit16(l4 + csum_off, sum);
	p = emit(p, l4, len);
	return p - f;
}

static uint8_t *udp_hdr(uint8_t *p, const struct cfg *c, unsigned int sport,
			unsigned int dport, size_t payload)
{
	p = emit16(p, c->sport >= 0 ? c->sport : sport);
	p = emit16(p, c->dport >= 0 ? c->dport : dport);
	p = emit16(p, 8 + payload);
	return emit16(p, 0);
}

/* BOOTP/DHCP message (RFC 2131): a DISCOVER, or an OFFER with --op 2. */
static size_t dhcp_msg(uint8_t *l4, const struct cfg *c)
{
	uint8_t *p = l4 + 8, *start = p;
	unsigned int op = c->op > 0 ? c->op : 1;

	p = emit8(p, op);
	p = emit8(p, 1);			/* htype Ethernet */
	p = emit8(p, 6);
	p = emit8(p, 0);
	p = emit32(p, c->marker);	/* xid */
	memset(p, 0, 20);		/* secs, flags, ciaddr, yiaddr, siaddr, giaddr */
	p += 20;
	memset(p, 0, 16 + 64 + 128);
	memcpy(p, c->have_chaddr ? c->chaddr : c->src_mac, 6);	/* chaddr */
	p += 16 + 64 + 128;
	p = emit32(p, 0x63825363);	/* magic cookie */
	p = emit8(p, 53);
	p = emit8(p, 1);
	p = emit8(p, op == 2 ? 2 : 1);	/* DHCPOFFER : DHCPDISCOVER */
	p = emit8(p, DHCP_OPT_TAG);
	p = emit8(p, TAG_LEN);
	p = emit_tag(p, c->marker);
	p = emit8(p, 255);
	udp_hdr(l4, c, op == 2 ? 67 : 68, op == 2 ? 68 : 67, p - start);
	return p - l4;
}

/* ND option carrying a link-layer address (RFC 4861 4.6.1). */
static uint8_t *nd_lla(uint8_t *p, unsigned int type, const uint8_t m[6])
{
	p = emit8(p, type);
	p = emit8(p, 1);
	return emit(p, m, 6);
}

static uint8_t *nd_tag(uint8_t *p, uint32_t marker)
{
	p = emit8(p, ND_OPT_TAG);
	p = emit8(p, 1);
	return emit_tag(p, marker);
}

static const uint8_t *lla_or(const uint8_t *set, bool have, const uint8_t *dflt)
{
	return have ? set : dflt;
}

static size_t icmp6_msg(uint8_t *l4, const struct cfg *c, struct in6_addr *dst)
{
	struct in6_addr ll, s, t, zero = IN6ADDR_ANY_INIT;
	uint8_t *p = l4;
	bool dad;

	vg_eui64_link_local(c->src_mac, &ll);
	s = ip6(c->src_ip, &ll, "--src-ip");
	dad = !memcmp(&s, &zero, 16);

	switch (c->kind) {
	case K_NS:
		t = ip6(c->target, NULL, "--target");
		*dst = mc6("ff02::1:ff00:0");
		memcpy(dst->s6_addr + 13, t.s6_addr + 13, 3);
		p = emit32(p, 135 << 24);
		p = emit32(p, 0);
		p = emit(p, &t, 16);
		/* A DAD probe from :: must carry no SLLA (RFC 4861 7.1.1). */
		if (c->have_slla || (!c->no_lla && !dad))
			p = nd_lla(p, 1, lla_or(c->slla, c->have_slla, c->src_mac));
		break;
	case K_NA: {
		unsigned int fl = 0;
		const char *f = c->na_flags ? c->na_flags : "O";

		t = ip6(c->target, &s, "--target");
		*dst = mc6("ff02::1");
		for (; *f; f++)
			fl |= *f == 'R' ? 0x80 : *f == 'S' ? 0x40 :
			      *f == 'O' ? 0x20 : 0;
		p = emit32(p, 136 << 24);
		p = emit32(p, fl << 24);
		p = emit(p, &t, 16);
		if (c->have_tlla || !c->no_lla)
			p = nd_lla(p, 2, lla_or(c->tlla, c->have_tlla, c->src_mac));
		break;
	}
	case K_RS:
		*dst = mc6("ff02::2");
		p = emit32(p, 133 << 24);
		p = emit32(p, 0);
		if (c->have_slla || (!c->no_lla && !dad))
			p = nd_lla(p, 1, lla_or(c->slla, c->have_slla, c->src_mac));
		break;
	case K_RA:
		*dst = mc6("ff02::1");
		p = emit32(p, 134 << 24);
		p = emit32(p, (64 << 24) | 1800);	/* cur hop limit, lifetime */
		p = emit32(p, 0);			/* reachable time */
		p = emit32(p, 0);			/* retrans timer */
		if (c->have_slla || !c->no_lla)
			p = nd_lla(p, 1, lla_or(c->slla, c->have_slla, c->src_mac));
		if (c->prefix) {
			char buf[INET6_ADDRSTRLEN + 4], *sl;
			struct in6_addr pfx;
			unsigned long len = 64;

			snprintf(buf, sizeof(buf), "%s", c->prefix);
			sl = strchr(buf, '/');
			if (sl) {
				*sl = 0;
				len = num(sl + 1, 128, "prefix length");
			}
			pfx = ip6(buf, NULL, "--prefix");
			p = emit8(p, 3);		/* prefix information */
			p = emit8(p, 4);
			p = emit8(p, len);
			p = emit8(p, 0xc0);	/* on-link, autonomous */
			p = emit32(p, 86400);
			p = emit32(p, 14400);
			p = emit32(p, 0);
			p = emit(p, &pfx, 16);
		}
		break;
	case K_REDIRECT: {
		struct in6_addr d;

		t = ip6(c->target, NULL, "--target");
		d = ip6(c->dest, NULL, "--dest");
		*dst = mc6("ff02::1");
		p = emit32(p, 137 << 24);
		p = emit32(p, 0);
		p = emit(p, &t, 16);
		p = emit(p, &d, 16);
		if (c->have_tlla || !c->no_lla)
			p = nd_lla(p, 2, lla_or(c->tlla, c->have_tlla, c->src_mac));
		break;
	}
	case K_MLD2: {
		struct in6_addr g = ip6(c->group, NULL, "--group");

		*dst = mc6("ff02::16");
		p = emit32(p, 143 << 24);
		p = emit32(p, 1);		/* one record */
		p = emit8(p, 4);			/* CHANGE_TO_EXCLUDE: a join */
		p = emit8(p, 2);			/* aux data: 2 words, ignored */
		p = emit16(p, 0);
		p = emit(p, &g, 16);
		p = emit_tag(p, c->marker);
		p = emit16(p, 0);
		return p - l4;
	}
	default:
		break;
	}
	if (c->have_nonce) {
		p = emit8(p, 14);		/* RFC 7527 nonce */
		p = emit8(p, 1);
		p = emit16(p, c->nonce >> 32);
		p = emit32(p, c->nonce);
	}
	return nd_tag(p, c->marker) - l4;
}

static size_t arp_frame(uint8_t *f, const struct cfg *c)
{
	struct in_addr spa = ip4(c->spa, "0.0.0.0"), tpa = ip4(c->tpa, "0.0.0.0");
	uint8_t *p = eth_hdr(f, c, ETHERTYPE_ARP, bcast);
	static const uint8_t zero[6];

	p = emit16(p, 1);
	p = emit16(p, ETHERTYPE_IP);
	p = emit8(p, 6);
	p = emit8(p, 4);
	p = emit16(p, c->op > 0 ? c->op : 1);
	p = emit(p, c->have_sha ? c->sha : c->src_mac, 6);
	p = emit(p, &spa, 4);
	p = emit(p, c->have_tha ? c->tha : zero, 6);
	p = emit(p, &tpa, 4);
	return emit_tag(p, c->marker) - f;	/* in the Ethernet padding */
}

/* IGMP (RFC 2236 2): --op is the type, a v2 membership query (0x11) by
 * default; --group the group address.  The tag follows the 8 octets, in
 * what IGMPv2 receivers ignore. */
static size_t igmp_msg(uint8_t *l4, const struct cfg *c)
{
	struct in_addr g = ip4(c->group, "0.0.0.0");
	uint8_t *p = l4;

	p = emit8(p, c->op > 0 ? c->op : 0x11);
	p = emit8(p, 100);	/* max response time, 10 s */
	p = emit16(p, 0);
	p = emit(p, &g, 4);
	return emit_tag(p, c->marker) - l4;
}

static size_t build(uint8_t *f, const struct cfg *c)
{
	uint8_t l4[ETH_FRAME_MAX], *p;
	struct in6_addr dst;
	size_t n;

	switch (c->kind) {
	case K_RAW:
		p = eth_hdr(f, c, c->ethertype, bcast);
		return emit_tag(p, c->marker) - f;
	case K_ARP:
		return arp_frame(f, c);
	case K_UDP4:
		emit_tag(l4 + 8, c->marker);
		udp_hdr(l4, c, 40000, 9, TAG_LEN);
		return ip4_frame(f, c, IPPROTO_UDP, l4, 8 + TAG_LEN, 6,
				 "0.0.0.0", "255.255.255.255");
	case K_IGMP:
		n = igmp_msg(l4, c);
		return ip4_frame(f, c, IPPROTO_IGMP, l4, n, 2,
				 "0.0.0.0", "224.0.0.1");
	case K_DHCP:
		n = dhcp_msg(l4, c);
		return ip4_frame(f, c, IPPROTO_UDP, l4, n, 6,
				 "0.0.0.0", "255.255.255.255");
	case K_UDP6:
		emit_tag(l4 + 8, c->marker);
		udp_hdr(l4, c, 40000, 9, TAG_LEN);
		dst = mc6("ff02::1");
		return ip6_frame(f, c, IPPROTO_UDP, l4, 8 + TAG_LEN, 6, &dst,
				 64, c->hbh);
	default:
		n = icmp6_msg(l4, c, &dst);
		return ip6_frame(f, c, IPPROTO_ICMPV6, l4, n, 2, &dst,
				 c->kind == K_MLD2 ? 1 : 255,
				 c->hbh || c->kind == K_MLD2);
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
"KIND: raw udp4 dhcp arp udp6 ns na rs ra redirect mld2 igmp\n"
"FIELDS: --src-mac M --dst-mac M --vlan ID [--vlan-proto 0x88a8]\n"
"        --ethertype 0xNNNN (raw)\n"
"        --src-ip A --dst-ip A --sport N --dport N --ttl N (IPv6: hop limit)\n"
"        --hbh (hop-by-hop router alert) --frag (atomic fragment header)\n"
"        --op N (ARP opcode; dhcp: 1 discover, 2 offer; igmp: type,\n"
"        0x11 query by default) --chaddr M (dhcp; default the source MAC)\n"
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
	O_CHADDR,
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
	{ "help", 0, 0, 'h' },
	{ 0 }
};

static int do_send(struct cfg *c)
{
	uint8_t f[ETH_FRAME_MAX] = { 0 };
	struct sockaddr_ll sll;
	unsigned long i;
	size_t len;
	int fd;

	fd = open_if(c->ifname, 0, &sll);
	if (!c->have_src_mac)
		hwaddr(fd, c->ifname, c->src_mac);
	len = build(f, c);
	if (len < 60)
		len = 60;	/* the tail is already zero: minimum frame */
	for (i = 0; i < c->count; i++) {
		if (sendto(fd, f, len, 0, (struct sockaddr *)&sll,
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
	uint8_t tag[TAG_LEN], ftag[TAG_LEN], buf[65536];
	struct sockaddr_ll sll;
	struct tpacket_stats st;
	socklen_t sl = sizeof(st);
	long long deadline = now_ms() + timeout_ms;
	long count = 0;
	bool fenced = false;
	int fd, one = 1, rcvbuf = 8 << 20;

	emit_tag(tag, c->marker);
	emit_tag(ftag, fence);
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
		if (memmem(buf, n, tag, TAG_LEN))
			count++;
		else if (have_fence && !fenced && memmem(buf, n, ftag, TAG_LEN)) {
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

int main(int argc, char **argv)
{
	struct cfg c = { .count = 1, .vlan = -1, .vlan_proto = ETH_P_8021Q,
			 .ethertype = 0x88b5, .sport = -1, .dport = -1,
			 .ttl = -1, .op = -1 };
	long timeout = 1000, want = -1;
	bool send, count_only = false, have_marker = false, have_fence = false;
	const char *ready = NULL;
	uint32_t fence = 0;
	unsigned int k;
	int o;

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
		switch (o) {
		case 'i': c.ifname = optarg; break;
		case 'c': c.count = num(optarg, 100000000, "count"); break;
		case 'g': c.gap_us = num(optarg, 10000000, "gap"); break;
		case 'm':
			c.marker = num(optarg, UINT32_MAX, "marker");
			have_marker = true;
			break;
		case 't': timeout = num(optarg, 3600000, "timeout"); break;
		case 'f':
			fence = num(optarg, UINT32_MAX, "fence marker");
			have_fence = true;
			break;
		case 'n': want = num(optarg, 100000000, "frame count"); break;
		case 'r': ready = optarg; break;
		case 'v': c.verbose = true; break;
		case 'h': usage(stdout); return 0;
		case O_SRC_MAC: mac(optarg, c.src_mac); c.have_src_mac = true; break;
		case O_DST_MAC: mac(optarg, c.dst_mac); c.have_dst_mac = true; break;
		case O_VLAN: c.vlan = num(optarg, 4095, "VLAN id"); break;
		case O_VLAN_PROTO:
			c.vlan_proto = num(optarg, 0xffff, "VLAN protocol");
			break;
		case O_ETHERTYPE: c.ethertype = num(optarg, 0xffff, "ethertype"); break;
		case O_SRC_IP: c.src_ip = optarg; break;
		case O_DST_IP: c.dst_ip = optarg; break;
		case O_SPORT: c.sport = num(optarg, 65535, "port"); break;
		case O_DPORT: c.dport = num(optarg, 65535, "port"); break;
		case O_TTL: c.ttl = num(optarg, 255, "ttl"); break;
		case O_HBH: c.hbh = true; break;
		case O_FRAG: c.frag = true; break;
		case O_OP: c.op = num(optarg, 65535, "op"); break;
		case O_SHA: mac(optarg, c.sha); c.have_sha = true; break;
		case O_THA: mac(optarg, c.tha); c.have_tha = true; break;
		case O_CHADDR: mac(optarg, c.chaddr); c.have_chaddr = true; break;
		case O_SPA: c.spa = optarg; break;
		case O_TPA: c.tpa = optarg; break;
		case O_TARGET: c.target = optarg; break;
		case O_DEST: c.dest = optarg; break;
		case O_SLLA: mac(optarg, c.slla); c.have_slla = true; break;
		case O_TLLA: mac(optarg, c.tlla); c.have_tlla = true; break;
		case O_NO_LLA: c.no_lla = true; break;
		case O_NONCE:
			c.nonce = num(optarg, 0xffffffffffffUL, "nonce");
			c.have_nonce = true;
			break;
		case O_NA_FLAGS: c.na_flags = optarg; break;
		case O_PREFIX: c.prefix = optarg; break;
		case O_GROUP: c.group = optarg; break;
		case O_COUNT_ONLY: count_only = true; break;
		default: usage(stderr); return 2;
		}
	}
	if (!c.ifname)
		die(2, "%s: -i IFACE is required", send ? "send" : "recv");
	if (!send) {
		if (!have_marker)
			die(2, "%s: -m MARKER is required", "recv");
		if (optind != argc)
			die(2, "recv: unexpected argument '%s'", argv[optind]);
		return do_recv(&c, timeout, count_only, want, have_fence,
			       fence, ready);
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
