// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The reference model: README.md "## What is checked", one function per
 * subsection, its numbered steps in order with their numbers in the
 * comments.  The first step that fails names the reason.
 *
 * Written from the README and the RFCs it cites only (RFC 791 and 826
 * for the IPv4 and ARP layouts, RFC 2131 BOOTP/DHCP, RFC 3376 IGMPv3,
 * RFC 8200 IPv6 and its extension headers, RFC 4302 AH, RFC 2675
 * jumbograms, RFC 4861 Neighbour Discovery, RFC 3810 MLDv2, RFC 4286
 * Multicast Router Discovery, RFC 4291 EUI-64 and solicited-node
 * addresses, RFC 4862 5.4 Duplicate Address Detection).  It favours
 * reading like the README over speed: every length is compared as the
 * README states it.
 *
 * Link-local learning follows include/vifguard.h "Address learning" and
 * RFC 4861 7.1.1: only a valid DAD probe (hop limit 255, sent to the
 * target's solicited-node group, options that pass, no source
 * link-layer address) claims its target, so the claim is the last step
 * of the probe's checks: a probe that fails an earlier one is dropped
 * for that reason and claims nothing.
 *
 * DHCP snooping follows the contract of map layout 4 (include/vifguard.h
 * "Address learning", and the specification it summarises) and RFC 2131
 * (BOOTP layout, the magic cookie, options 50, 51 and 53), RFC 2132
 * (option format: PAD and END are one octet) and RFC 8415 (message
 * header, options, IA_NA, IA_TA, IAADDR; a lifetime of 0xffffffff is
 * infinite).  Leases are learned from what is delivered to a guest
 * (vg_model_deliver) and ended by what the guest sends after it passed
 * (vg_model_in); a learned address is allowed to its learner until its
 * expiry.
 *
 * Trust on first use follows the contract of map layout 5 (VG_F_LEARN_FIRST,
 * the learning window, first_lease_s): see first_use().
 *
 * Offsets are frame offsets (0 = the first octet of the Ethernet
 * header).  Bytes past the ones given read as zero: a caller that gives
 * fewer bytes than the frame length (a BIG TCP frame) gives every header.
 */
#include <errno.h>
#include <string.h>

#include "model.h"
#include "vifguard_user.h"

#define ETH_HLEN	14
#define WINDOW_V6	512	/* IPv6 headers: the first 512 octets of the frame */

#define ETH_P_IPV4	0x0800
#define ETH_P_ARP	0x0806
#define ETH_P_IPV6	0x86dd
#define ETH_P_8021Q	0x8100
#define ETH_P_8021AD	0x88a8
#define ETH_P_QINQ_OLD	0x9100

#define PROTO_IGMP	2
#define PROTO_PIM	103
#define PROTO_TCP	6
#define PROTO_UDP	17
#define PROTO_ICMPV6	58

/* IPv6 extension headers the walk knows (README IPv6 step 4). */
#define NH_HOPOPTS	0
#define NH_ROUTING	43
#define NH_FRAGMENT	44
#define NH_AH		51
#define NH_DSTOPTS	60

struct frm {
	const uint8_t *b;
	size_t have;	/* bytes given */
	size_t len;	/* the frame length */
	const uint8_t *src_mac;
	uint32_t ifindex;
	struct model_learn *st;	/* NULL: nothing learned, nothing kept */
};

static unsigned int get8(const struct frm *f, size_t off)
{
	return off < f->have ? f->b[off] : 0;
}

static unsigned int get16(const struct frm *f, size_t off)
{
	return get8(f, off) << 8 | get8(f, off + 1);
}

static uint32_t get32(const struct frm *f, size_t off)
{
	return (uint32_t)get16(f, off) << 16 | get16(f, off + 2);
}

static void getn(const struct frm *f, size_t off, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = get8(f, off + i);
}

/* --- the policy's sets ---------------------------------------------------- */

static bool ethertype_allowed(const struct model_policy *p, unsigned int type)
{
	for (unsigned int i = 0; i < p->n_ethertypes; i++)
		if (p->ethertypes[i] == type)
			return true;
	return false;
}

static bool mac_of_interface(const struct model_policy *p, const uint8_t *mac)
{
	for (unsigned int i = 0; i < p->n_macs; i++)
		if (!memcmp(p->macs[i], mac, 6))
			return true;
	return false;
}

/* The first len bits of a and b are equal. */
static bool prefix_match(const uint8_t *a, const uint8_t *b, unsigned int len)
{
	unsigned int whole = len / 8, rest = len % 8;

	if (memcmp(a, b, whole))
		return false;
	if (!rest)
		return true;
	return ((a[whole] ^ b[whole]) & (0xff00 >> rest)) == 0;
}

/* "Allowed" IPv4 addresses: the interface's --ipv4 hosts and prefixes. */
static bool v4_allowed(const struct model_policy *p, uint32_t a)
{
	uint8_t ab[4] = { a >> 24, a >> 16, a >> 8, a };

	for (unsigned int i = 0; i < p->n_v4; i++)
		if (prefix_match(p->v4[i].addr, ab, p->v4[i].len))
			return true;
	return false;
}

void vg_model_eui64_ll(const uint8_t mac[6], uint8_t out[16])
{
	static const uint8_t fe80[8] = { 0xfe, 0x80 };

	memcpy(out, fe80, 8);
	out[8] = mac[0] ^ 0x02;	/* the universal/local bit, inverted */
	out[9] = mac[1];
	out[10] = mac[2];
	out[11] = 0xff;
	out[12] = 0xfe;
	out[13] = mac[3];
	out[14] = mac[4];
	out[15] = mac[5];
}

/* --- learning state --------------------------------------------------------- */

void model_learn_init(struct model_learn *s)
{
	memset(s, 0, sizeof(*s));
}

const struct model_held *model_learn_find(const struct model_learn *s, const uint8_t a[16])
{
	for (unsigned int i = 0; i < s->n_held; i++)
		if (!memcmp(s->held[i].addr, a, 16))
			return &s->held[i];
	return NULL;
}

bool model_learn_protected(const struct model_learn *s, const uint8_t a[16])
{
	for (unsigned int i = 0; i < s->n_prot; i++)
		if (!memcmp(s->prot[i], a, 16))
			return true;
	return false;
}

void model_learn_forget(struct model_learn *s, const uint8_t a[16])
{
	for (unsigned int i = 0; i < s->n_held; i++) {
		if (memcmp(s->held[i].addr, a, 16))
			continue;
		s->held[i] = s->held[--s->n_held];
		return;
	}
}

static int held_put(struct model_learn *s, const uint8_t a[16], uint32_t ifindex,
		    uint8_t origin, uint64_t order)
{
	struct model_held *h;

	model_learn_forget(s, a);
	if (s->n_held == MODEL_MAX_HELD)
		return -ENOSPC;
	h = &s->held[s->n_held++];
	memset(h, 0, sizeof(*h));
	memcpy(h->addr, a, 16);
	h->ifindex = ifindex;
	h->origin = origin;
	h->order = order;
	return 0;
}

int model_learn_config(struct model_learn *s, const uint8_t a[16], uint32_t ifindex)
{
	return held_put(s, a, ifindex, VG_ORIGIN_CONFIG, 0);
}

void model_learn_unconfig(struct model_learn *s, uint32_t ifindex)
{
	for (unsigned int i = 0; i < s->n_held;) {
		if (s->held[i].ifindex == ifindex && s->held[i].origin == VG_ORIGIN_CONFIG)
			s->held[i] = s->held[--s->n_held];
		else
			i++;
	}
}

int model_learn_protect(struct model_learn *s, const uint8_t a[16])
{
	if (model_learn_protected(s, a))
		return 0;
	if (s->n_prot == MODEL_MAX_PROTECTED)
		return -ENOSPC;
	memcpy(s->prot[s->n_prot++], a, 16);
	return 0;
}

void model_learn_unprotect(struct model_learn *s, const uint8_t a[16])
{
	for (unsigned int i = 0; i < s->n_prot; i++) {
		if (memcmp(s->prot[i], a, 16))
			continue;
		memcpy(s->prot[i], s->prot[--s->n_prot], 16);
		return;
	}
}

/* --- learned4 -------------------------------------------------------------- */

void model_v4_mapped(const uint8_t a4[4], uint8_t out[16])
{
	memset(out, 0, 10);
	out[10] = out[11] = 0xff;
	memcpy(out + 12, a4, 4);
}

const struct model_held *model_learn_find4(const struct model_learn *s, const uint8_t a[16])
{
	for (unsigned int i = 0; i < s->n_held4; i++)
		if (!memcmp(s->held4[i].addr, a, 16))
			return &s->held4[i];
	return NULL;
}

void model_learn_forget4(struct model_learn *s, const uint8_t a[16])
{
	for (unsigned int i = 0; i < s->n_held4; i++) {
		if (memcmp(s->held4[i].addr, a, 16))
			continue;
		s->held4[i] = s->held4[--s->n_held4];
		return;
	}
}

int model_learn_config4(struct model_learn *s, const uint8_t a[16], uint32_t ifindex)
{
	struct model_held *h;

	model_learn_forget4(s, a);
	if (s->n_held4 == MODEL_MAX_HELD)
		return -ENOSPC;
	h = &s->held4[s->n_held4++];
	memset(h, 0, sizeof(*h));
	memcpy(h->addr, a, 16);
	h->ifindex = ifindex;
	h->origin = VG_ORIGIN_CONFIG;
	return 0;
}

void model_learn_unconfig4(struct model_learn *s, uint32_t ifindex)
{
	for (unsigned int i = 0; i < s->n_held4;) {
		if (s->held4[i].ifindex == ifindex && s->held4[i].origin == VG_ORIGIN_CONFIG)
			s->held4[i] = s->held4[--s->n_held4];
		else
			i++;
	}
}

bool model_link_local(const uint8_t a[16])
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

#define NSEC			1000000000ULL

/*
 * A lease: until its end plus the grace, for a policy that still learns
 * by DHCP; a first use: until its end, for a policy that still learns
 * so; an expired one allows nothing.  A first-use address used in the
 * second half of its time gets a new end, first_lease_s from now
 * (include/vifguard.h, vg_learn_cfg): an address in use stays.
 */
static bool leased_here(const struct model_policy *p, const struct frm *f,
			const struct model_held *h)
{
	uint64_t life = (uint64_t)f->st->first_lease_s * NSEC;

	if (h->ifindex != f->ifindex || f->st->now >= h->expires)
		return false;
	if (h->origin == VG_ORIGIN_DHCP)
		return p->flags & VG_F_LEARN_DHCP;
	if (h->origin != VG_ORIGIN_FIRST || !(p->flags & VG_F_LEARN_FIRST))
		return false;
	if (life && h->expires - f->st->now < life / 2)
		((struct model_held *)h)->expires = f->st->now + life;
	return true;
}

/*
 * a is learned (not configured) by the frame's interface, whose policy
 * learns: an interface whose learning was switched off holds its
 * learned addresses until they are forgotten, but uses none (fail
 * closed: the operator took the permission back).
 */
static bool learned_here(const struct model_policy *p, const struct frm *f, const uint8_t a[16])
{
	const struct model_held *h = f->st ? model_learn_find(f->st, a) : NULL;

	if (!h || h->ifindex != f->ifindex)
		return false;
	if (h->origin == VG_ORIGIN_DAD)
		return p->flags & VG_F_LEARN_LL;
	return leased_here(p, f, h);
}

/* IPv4 source a (host order) leased to the frame's interface (as above). */
static bool leased4_here(const struct model_policy *p, const struct frm *f, uint32_t a)
{
	uint8_t a4[4] = { a >> 24, a >> 16, a >> 8, a }, m[16];
	const struct model_held *h;

	if (!f->st || !(p->flags & (VG_F_LEARN_DHCP | VG_F_LEARN_FIRST)))
		return false;
	model_v4_mapped(a4, m);
	h = model_learn_find4(f->st, m);
	return h && leased_here(p, f, h);
}

static enum vg_reason first_use(const struct model_policy *p, const struct frm *f, bool v4,
				const uint8_t a[16], enum vg_reason otherwise);

/* first_use() of IPv4 address a, host order. */
static enum vg_reason first_use4(const struct model_policy *p, const struct frm *f, uint32_t a,
				 enum vg_reason otherwise)
{
	uint8_t a4[4] = { a >> 24, a >> 16, a >> 8, a }, m[16];

	model_v4_mapped(a4, m);
	return first_use(p, f, true, m, otherwise);
}

/*
 * A valid DAD probe for target, which the policy does not allow, from
 * an interface with VG_F_LEARN_LL: refused if the address is protected
 * or another interface holds it (learned or configured); else it
 * becomes the interface's, its oldest learned address making room when
 * it holds VG_LEARN_LL_CAP already.  An address configured for the
 * interface itself (an EUI-64 address of another of its MACs) passes
 * and stays configured: learning it would put it among the addresses
 * that a later probe replaces, and once replaced any interface could
 * claim it.  The configuration allows nothing by itself still.
 */
static enum vg_reason learn_claim(const struct frm *f, const uint8_t target[16])
{
	struct model_learn *s = f->st;
	const struct model_held *h;
	unsigned int mine = 0, oldest = 0;

	if (!s)
		return VG_PASS;
	if (model_learn_protected(s, target))
		return VG_LEARN_PROTECTED;
	h = model_learn_find(s, target);
	if (h && h->ifindex != f->ifindex)
		return VG_LEARN_CONFLICT;
	if (h)
		return VG_PASS;
	for (unsigned int i = 0; i < s->n_held; i++) {
		const struct model_held *e = &s->held[i];

		if (e->ifindex != f->ifindex || e->origin != VG_ORIGIN_DAD)
			continue;
		if (!mine++ || e->order < s->held[oldest].order)
			oldest = i;
	}
	/* A full host table (VG_MAX_LEARNED entries) refuses every claim,
	 * one that would replace the interface's oldest too: the
	 * specification does not order the two, and refusing first leaves
	 * the interface the addresses it has (fail closed). */
	if (s->n_held + s->n_fill >= VG_MAX_LEARNED)
		return VG_LEARN_FULL;
	if (mine >= VG_LEARN_LL_CAP)
		model_learn_forget(s, s->held[oldest].addr);
	if (held_put(s, target, f->ifindex, VG_ORIGIN_DAD, ++s->clock))
		return VG_LEARN_FULL;
	return VG_PASS;
}

/*
 * "Allowed" IPv6 addresses: the --ipv6 hosts and prefixes, the EUI-64
 * link-local address of the frame's source MAC unless --no-link-local
 * (that MAC is one of the interface's: step 3), and the addresses the
 * interface learned, asked last (a first-use address that configuration
 * allows as well is not used as a first-use address: its end stays).
 */
static bool v6_allowed(const struct model_policy *p, const struct frm *f, const uint8_t a[16])
{
	uint8_t ll[16];

	for (unsigned int i = 0; i < p->n_v6; i++)
		if (prefix_match(p->v6[i].addr, a, p->v6[i].len))
			return true;
	if (p->flags & VG_F_LINK_LOCAL) {
		vg_model_eui64_ll(f->src_mac, ll);
		if (!memcmp(ll, a, 16))
			return true;
	}
	return learned_here(p, f, a);
}

static bool all_zero(const uint8_t *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i])
			return false;
	return true;
}

/* --- IPv4 ----------------------------------------------------------------- */

/* IGMP membership reports and leave (RFC 1112, 2236, 3376 4.2.13). */
static bool igmp_report_or_leave(unsigned int type)
{
	return type == 0x12 || type == 0x16 || type == 0x17 || type == 0x22;
}

/*
 * IPv4 step 8 (and step 4's DHCP client case): the UDP datagram at l4
 * holds a BOOTREQUEST (op 1, htype 1, hlen 6) whose chaddr (octets 28-33
 * of the UDP payload, RFC 2131 figure 1) lies within the total length
 * and is one of the interface's MACs.
 */
static bool bootrequest_of_interface(const struct model_policy *p, const struct frm *f,
				     size_t l4, size_t ip_end)
{
	size_t bootp = l4 + 8;
	uint8_t chaddr[6];

	if (bootp + 34 > ip_end)
		return false;
	if (get8(f, bootp) != 1 || get8(f, bootp + 1) != 1 || get8(f, bootp + 2) != 6)
		return false;
	getn(f, bootp + 28, chaddr, 6);
	return mac_of_interface(p, chaddr);
}

static enum vg_reason check_ipv4(const struct model_policy *p, const struct frm *f, size_t off)
{
	size_t avail = f->len - off, ihl, total, l4;
	unsigned int frag, proto, sport = 0, dport = 0;
	uint32_t src, dst;
	bool mf, first;

	/* 1. Fewer than 20 octets, version not 4, or ihl below 5. */
	if (avail < 20 || get8(f, off) >> 4 != 4 || (get8(f, off) & 0xf) < 5)
		return VG_IPV4_MALFORMED;
	ihl = (get8(f, off) & 0xf) * 4;
	total = get16(f, off + 2);
	frag = get16(f, off + 6);
	mf = frag & 0x2000;
	first = (frag & 0x1fff) == 0;	/* fragment offset 0 */
	proto = get8(f, off + 9);
	src = get32(f, off + 12);
	dst = get32(f, off + 16);

	/* 2. Total length 0: BIG TCP, TCP only, unfragmented, the frame from
	 * offset 0 longer than 65535; its length is then the frame's.
	 * Otherwise ihl * 4 <= total length <= frame length - offset. */
	if (total == 0) {
		if (proto != PROTO_TCP || mf || !first || avail <= 65535)
			return VG_IPV4_MALFORMED;
		total = avail;
	} else if (total < ihl || total > avail) {
		return VG_IPV4_MALFORMED;
	}

	/* 3. A first fragment or whole datagram of UDP or IGMP holds the 8
	 * octets of that header within its total length. */
	l4 = off + ihl;
	if (first && (proto == PROTO_UDP || proto == PROTO_IGMP) && ihl + 8 > total)
		return VG_IPV4_MALFORMED;
	if (first && proto == PROTO_UDP) {
		sport = get16(f, l4);
		dport = get16(f, l4 + 2);
	}

	/* 4. Source 0.0.0.0: the DHCP client's DISCOVER/REQUEST, or an IGMP
	 * report or leave to a multicast group; else ipv4-src. */
	if (src == 0) {
		if ((p->flags & VG_F_DHCP_CLIENT) && proto == PROTO_UDP && !mf && first &&
		    sport == 68 && dst == 0xffffffff && dport == 67)
			return bootrequest_of_interface(p, f, l4, off + total) ? VG_PASS
									      : VG_DHCP_CHADDR;
		if (proto == PROTO_IGMP && !mf && first && igmp_report_or_leave(get8(f, l4)) &&
		    dst >> 28 == 0xe)
			return VG_PASS;
		return VG_IPV4_SRC;
	}

	/* 5. Source not allowed: neither configured nor leased nor first
	 * used, unless it is used first now. */
	if (!v4_allowed(p, src) && !leased4_here(p, f, src)) {
		enum vg_reason r = first_use4(p, f, src, VG_IPV4_SRC);

		if (r != VG_PASS)
			return r;
	}

	/* 6. Multicast routers' protocols: IGMP in any fragment; PIM
	 * (RFC 7761) unless the interface may act as a router. */
	if (proto == PROTO_IGMP && (mf || !first))
		return VG_IGMP_QUERY;
	if (proto == PROTO_PIM && !(p->flags & VG_F_RA))
		return VG_IGMP_QUERY;

	/* 7. Other non-first fragments: the source decides. */
	if (!first)
		return VG_PASS;

	/* 8. UDP to port 68, from any port: a DHCP server message. */
	if (proto == PROTO_UDP && dport == 68 && !(p->flags & VG_F_DHCP_SERVER))
		return VG_DHCP_SERVER;

	/* 9. UDP to port 67: a whole BOOTREQUEST for one of the interface's
	 * MACs, unless the interface may be a server or relay. */
	if (proto == PROTO_UDP && dport == 67 && !(p->flags & VG_F_DHCP_SERVER) &&
	    (mf || !bootrequest_of_interface(p, f, l4, off + total)))
		return VG_DHCP_CHADDR;

	/* 10. IGMP other than a report or leave: queries, routing messages. */
	if (proto == PROTO_IGMP && !igmp_report_or_leave(get8(f, l4)) && !(p->flags & VG_F_RA))
		return VG_IGMP_QUERY;

	/* 11. Otherwise pass; options were skipped by ihl. */
	return VG_PASS;
}

/* --- ARP (RFC 826, RFC 5227) ----------------------------------------------- */

static enum vg_reason check_arp(const struct model_policy *p, const struct frm *f, size_t off)
{
	unsigned int op = get16(f, off + 6);
	uint8_t sha[6];
	uint32_t spa, tpa;

	/* 1. Truncated, not Ethernet/IPv4, or neither request nor reply. */
	if (f->len - off < 28 || get16(f, off) != 1 || get16(f, off + 2) != ETH_P_IPV4 ||
	    get8(f, off + 4) != 6 || get8(f, off + 5) != 4 || (op != 1 && op != 2))
		return VG_ARP_MALFORMED;

	/* 2. Sender MAC other than the frame's source MAC. */
	getn(f, off + 8, sha, 6);
	if (memcmp(sha, f->src_mac, 6))
		return VG_ARP_SHA;

	/* 3. Sender IP 0.0.0.0, a probe: a request only, for a target the
	 * interface may use (never 0.0.0.0). */
	spa = get32(f, off + 14);
	tpa = get32(f, off + 24);
	if (spa == 0) {
		if (op != 1)
			return VG_ARP_SPA;
		/* "May use": configured, or leased (a DHCP client probes
		 * the address it was given, RFC 2131 4.4.1). */
		if (tpa == 0 || (!v4_allowed(p, tpa) && !leased4_here(p, f, tpa)))
			return VG_ARP_TPA;
		return VG_PASS;
	}

	/* 4. Sender IP not allowed (configured, leased or first used),
	 * unless it is used first now. */
	if (!v4_allowed(p, spa) && !leased4_here(p, f, spa))
		return first_use4(p, f, spa, VG_ARP_SPA);
	return VG_PASS;
}

/* --- IPv6 ----------------------------------------------------------------- */

/* [start, start + n) lies within the payload and the read window. */
static bool v6_within(size_t start, size_t n, size_t payload_end)
{
	return start + n <= payload_end && start + n <= WINDOW_V6;
}

/* RFC 4291 2.7.1: ff02::1:ff00:0/104 and the target's last 24 bits. */
static bool solicited_node_of(const uint8_t dst[16], const uint8_t target[16])
{
	static const uint8_t snm[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff };

	return !memcmp(dst, snm, 13) && !memcmp(dst + 13, target + 13, 3);
}

/*
 * IPv6 step 7.8: the options of an RS, RA, NS or NA, from opt to the end
 * of the payload.
 */
static enum vg_reason check_nd_options(const struct frm *f, size_t opt, size_t payload_end,
				       bool dad)
{
	unsigned int n = 0;
	uint8_t lladdr[6];

	/* Exactly covered by at most 8 options of non-zero length, judged in
	 * order: the first that fails names the reason. */
	while (opt < payload_end) {
		size_t olen;
		unsigned int type;

		if (++n > 8)
			return VG_ND_MALFORMED;
		if (opt + 2 > payload_end)
			return VG_ND_MALFORMED;
		type = get8(f, opt);
		olen = get8(f, opt + 1) * 8;
		if (olen == 0 || opt + olen > payload_end)
			return VG_ND_MALFORMED;
		/* Source (1) and target (2) link-layer address options
		 * (RFC 4861 4.6.1): 8 octets, the frame's source MAC; no
		 * source one in a DAD solicitation (RFC 4861 7.2.2). */
		if (type == 1 || type == 2) {
			if (olen != 8)
				return VG_ND_MALFORMED;
			if (dad && type == 1)
				return VG_ND_LLADDR;
			getn(f, opt + 2, lladdr, 6);
			if (memcmp(lladdr, f->src_mac, 6))
				return VG_ND_LLADDR;
		}
		opt += olen;
	}
	return VG_PASS;
}

static enum vg_reason check_icmpv6(const struct model_policy *p, const struct frm *f, size_t off,
				   size_t l4, size_t payload_end, bool unspec, bool after_frag)
{
	unsigned int type, hop_limit = get8(f, off + 7);
	bool nd, dad, claim = false;
	enum vg_reason r;
	size_t fixed;
	uint8_t target[16], dst[16];

	/* 7. 4 octets of ICMPv6 header within the payload and the window. */
	if (!v6_within(l4, 4, payload_end))
		return VG_IPV6_MALFORMED;
	type = get8(f, l4);
	nd = type >= 133 && type <= 137;

	/* 7.1 Neighbour Discovery in a first or atomic fragment (RFC 6980). */
	if (nd && after_frag)
		return VG_ND_FRAGMENT;

	/* 7.2 From ::, a solicitation (DAD) goes on, MLD reports pass
	 * (RFC 3810 5.2.13), anything else is dropped. */
	if (unspec) {
		if (type == 131 || type == 143)
			return VG_PASS;
		if (type != 135)
			return VG_IPV6_UNSPEC_SRC;
	}

	/* 7.3 Router messages, unless --allow-ra. */
	if (!(p->flags & VG_F_RA)) {
		if (type == 134)
			return VG_RA;
		if (type == 137)
			return VG_REDIRECT;
		/* MLD query; Multicast Router Advertisement and Termination
		 * (RFC 4286). */
		if (type == 130 || type == 151 || type == 153)
			return VG_MLD_QUERY;
	}

	/* 7.4 Not Neighbour Discovery. */
	if (!nd)
		return VG_PASS;

	/* 7.5 RFC 4861: a hop limit of 255 shows the sender is on-link. */
	if (hop_limit != 255)
		return VG_ND_HOPLIMIT;

	/* 7.6 Redirect (allowed): its TLLA names the next hop, not us. */
	if (type == 137)
		return VG_PASS;

	/* 7.7 The message ends within the window; its fixed part (RS 8,
	 * RA 16, NS 24, NA 24 octets) within the payload. */
	fixed = type == 133 ? 8 : type == 134 ? 16 : 24;
	if (payload_end > WINDOW_V6 || !v6_within(l4, fixed, payload_end))
		return VG_ND_MALFORMED;
	dad = unspec && type == 135;
	if (type == 136 || dad) {
		getn(f, l4 + 8, target, 16);
		if (all_zero(target, 16))
			return VG_ND_TARGET;
		if (!v6_allowed(p, f, target)) {
			/* A link-local address the interface may learn. */
			if (!dad || !(p->flags & VG_F_LEARN_LL) || !model_link_local(target))
				return VG_ND_TARGET;
			claim = true;
		}
		getn(f, off + 24, dst, 16);
		if (dad && !solicited_node_of(dst, target))
			return VG_IPV6_UNSPEC_SRC;
	}

	/* 7.8 Options. */
	r = check_nd_options(f, l4 + fixed, payload_end, dad);
	if (r != VG_PASS || !claim)
		return r;

	/* 7.9 A valid probe for an address to learn. */
	return learn_claim(f, target);
}

static bool is_extension_header(unsigned int nh)
{
	return nh == NH_HOPOPTS || nh == NH_ROUTING || nh == NH_DSTOPTS || nh == NH_FRAGMENT ||
	       nh == NH_AH;
}

/*
 * IPv6 step 2's jumbogram forms (RFC 2675, and Linux BIG TCP): payload
 * length 0 on a frame longer than 65535 + 40 octets from offset 0, TCP
 * the upper layer, either after a first 8-octet hop-by-hop header that
 * holds just a Jumbo Payload option equal to that remainder, or right
 * after the fixed header.
 */
static bool jumbogram(const struct frm *f, size_t off)
{
	size_t avail = f->len - off, hbh = off + 40;
	unsigned int nh = get8(f, off + 6);

	if (avail <= 65535 + 40)
		return false;
	if (nh == PROTO_TCP)
		return true;
	return nh == NH_HOPOPTS && get8(f, hbh) == PROTO_TCP && get8(f, hbh + 1) == 0 &&
	       get8(f, hbh + 2) == 0xc2 && get8(f, hbh + 3) == 4 &&
	       get32(f, hbh + 4) == avail - 40;
}

static enum vg_reason check_ipv6(const struct model_policy *p, const struct frm *f, size_t off)
{
	size_t avail = f->len - off, payload_len, payload_end, pos;
	unsigned int nh, n_ext = 0;
	uint8_t src[16];
	bool unspec, after_frag = false;

	/* 1. Fewer than 40 octets or version not 6. */
	if (avail < 40 || get8(f, off) >> 4 != 6)
		return VG_IPV6_MALFORMED;

	/* 2. Payload length 0: a jumbogram of a BIG TCP form, judged by its
	 * source alone (step 3), else malformed; a payload longer than the
	 * frame: malformed. */
	getn(f, off + 8, src, 16);
	unspec = all_zero(src, 16);
	payload_len = get16(f, off + 4);
	if (payload_len == 0) {
		if (!jumbogram(f, off))
			return VG_IPV6_MALFORMED;
		if (unspec)
			return VG_IPV6_UNSPEC_SRC;
		return v6_allowed(p, f, src) ? VG_PASS : first_use(p, f, false, src, VG_IPV6_SRC);
	}
	if (payload_len > avail - 40)
		return VG_IPV6_MALFORMED;
	payload_end = off + 40 + payload_len;

	/* 3. Source :: is judged at the upper layer; others must be allowed
	 * or used first now. */
	if (!unspec && !v6_allowed(p, f, src)) {
		enum vg_reason r = first_use(p, f, false, src, VG_IPV6_SRC);

		if (r != VG_PASS)
			return r;
	}

	/* 4. Extension headers, at most 6 (RFC 7113): each starts within
	 * the payload with its first 8 octets in the window and ends within
	 * the payload. */
	nh = get8(f, off + 6);
	pos = off + 40;
	while (is_extension_header(nh)) {
		size_t hlen;

		if (++n_ext > 6)
			return VG_IPV6_EXTHDR;
		if (pos >= payload_end || pos + 8 > WINDOW_V6 || pos + 8 > payload_end)
			return VG_IPV6_EXTHDR;
		if (nh == NH_FRAGMENT)
			hlen = 8;
		else if (nh == NH_AH)
			hlen = (get8(f, pos + 1) + 2) * 4;	/* RFC 4302 2.2 */
		else
			hlen = (get8(f, pos + 1) + 1) * 8;
		if (pos + hlen > payload_end)
			return VG_IPV6_EXTHDR;
		if (nh == NH_FRAGMENT) {
			/* The fragment offset: the top 13 bits of octets 2-3. */
			if (get16(f, pos + 2) & 0xfff8)
				return unspec ? VG_IPV6_UNSPEC_SRC : VG_PASS;
			after_frag = true;
		}
		nh = get8(f, pos);
		pos += hlen;
	}

	/* 5. UDP. */
	if (nh == PROTO_UDP) {
		if (unspec)
			return VG_IPV6_UNSPEC_SRC;
		if (!v6_within(pos, 8, payload_end))
			return VG_IPV6_MALFORMED;
		/* RFC 7610: a DHCPv6 server message goes to port 546. */
		if (get16(f, pos + 2) == 546 && !(p->flags & VG_F_DHCP_SERVER))
			return VG_DHCPV6_SERVER;
		return VG_PASS;
	}

	/* 6. Neither UDP nor ICMPv6; PIM is a multicast router's. */
	if (nh != PROTO_ICMPV6) {
		if (unspec)
			return VG_IPV6_UNSPEC_SRC;
		return nh == PROTO_PIM && !(p->flags & VG_F_RA) ? VG_MLD_QUERY : VG_PASS;
	}

	/* 7. ICMPv6. */
	return check_icmpv6(p, f, off, pos, payload_end, unspec, after_frag);
}

/* --- DHCP snooping -------------------------------------------------------- */

#define DHCP4_SERVER_PORT	67
#define DHCP4_CLIENT_PORT	68
#define DHCP6_CLIENT_PORT	546
#define DHCP6_SERVER_PORT	547
#define BOOTP_FIXED		236	/* RFC 2131 figure 1, up to the options */
#define DHCP4_COOKIE		0x63825363
#define LEASE_INFINITE		0xffffffffU	/* RFC 2131 3.3, RFC 8415 7.7 */

/* learned6 (v4 false) or learned4 of s. */
static struct model_held *tab(struct model_learn *s, bool v4, unsigned int **n,
			      unsigned int *fill)
{
	*n = v4 ? &s->n_held4 : &s->n_held;
	*fill = v4 ? s->n_fill4 : s->n_fill;
	return v4 ? s->held4 : s->held;
}

static struct model_held *tab_find(struct model_learn *s, bool v4, const uint8_t a[16])
{
	unsigned int *n, fill;
	struct model_held *e = tab(s, v4, &n, &fill);

	for (unsigned int i = 0; i < *n; i++)
		if (!memcmp(e[i].addr, a, 16))
			return &e[i];
	return NULL;
}

static void tab_forget(struct model_learn *s, bool v4, const uint8_t a[16])
{
	if (v4)
		model_learn_forget4(s, a);
	else
		model_learn_forget(s, a);
}

/* One of n candidates, where the specification chooses by lease slot,
 * which the model does not keep (see model.h, tie_pick). */
static unsigned int tie_choose(struct model_learn *s, unsigned int n)
{
	unsigned int div = s->tie_div ? s->tie_div : 1;

	if (n <= 1)
		return 0;
	s->tie_div = div * n;
	if (s->tie_div > s->ties)
		s->ties = s->tie_div;
	return s->tie_pick / div % n;
}

/* The lease's end plus the grace, from now: lifetime seconds. */
static uint64_t lease_end(const struct model_learn *s, uint32_t lifetime)
{
	if (lifetime == LEASE_INFINITE)
		return VG_LEASE_FOREVER;
	return s->now + ((uint64_t)lifetime + s->grace_s) * NSEC;
}

/*
 * Address a leased to interface ifindex until expires (the contract's
 * "Learning an address A for X"): VG_PASS, or the reason it is refused.
 */
static enum vg_reason lease_learn(struct model_learn *s, bool v4, const uint8_t a[16],
				  uint32_t ifindex, uint64_t expires)
{
	unsigned int *n, fill, mine = 0, cap = v4 ? VG_LEARN_DHCP4_CAP : VG_LEARN_DHCP6_CAP;
	struct model_held *e = tab(s, v4, &n, &fill), *h;
	uint64_t first = 0;

	/* IPv4 protected as ::ffff:a.b.c.d, the form a has here. */
	if (model_learn_protected(s, a))
		return VG_LEARN_PROTECTED;
	h = tab_find(s, v4, a);
	if (h && h->ifindex == ifindex) {
		/* Renewed, or leased after its first use (the lease takes
		 * its place); an address configured for it stays
		 * configured. */
		if (h->origin == VG_ORIGIN_DHCP || h->origin == VG_ORIGIN_FIRST) {
			h->origin = VG_ORIGIN_DHCP;
			h->expires = expires;
		}
		return VG_PASS;
	}
	if (h) {
		/* Another's: only an ended lease or first use gives way. */
		if ((h->origin != VG_ORIGIN_DHCP && h->origin != VG_ORIGIN_FIRST) ||
		    s->now < h->expires)
			return VG_LEARN_CONFLICT;
		tab_forget(s, v4, a);
	}
	/* A new entry in a full table: refused, as for DAD (model.c
	 * learn_claim), even where a replacement would make room. */
	if (*n + fill >= VG_MAX_LEARNED)
		return VG_LEARN_FULL;
	/* First-use addresses take lease slots too. */
	for (unsigned int i = 0; i < *n; i++) {
		if (e[i].ifindex != ifindex ||
		    (e[i].origin != VG_ORIGIN_DHCP && e[i].origin != VG_ORIGIN_FIRST))
			continue;
		if (!mine++ || e[i].expires < first)
			first = e[i].expires;
	}
	if (mine >= cap) {
		/* The lease (or first use) that ends first makes room;
		 * between ones that end together the one in the lowest
		 * slot, which the model does not know: tie_pick. */
		uint8_t tied[VG_LEASE_SLOTS][16], t[16];
		unsigned int n_tied = 0;

		for (unsigned int i = 0; i < *n; i++)
			if (e[i].ifindex == ifindex &&
			    (e[i].origin == VG_ORIGIN_DHCP || e[i].origin == VG_ORIGIN_FIRST) &&
			    e[i].expires == first && n_tied < VG_LEASE_SLOTS)
				memcpy(tied[n_tied++], e[i].addr, 16);
		for (unsigned int i = 1; i < n_tied; i++)
			for (unsigned int j = i; j > 0 && memcmp(tied[j - 1], tied[j], 16) > 0; j--) {
				memcpy(t, tied[j], 16);
				memcpy(tied[j], tied[j - 1], 16);
				memcpy(tied[j - 1], t, 16);
			}
		tab_forget(s, v4, tied[tie_choose(s, n_tied)]);
	}
	if (*n == MODEL_MAX_HELD)
		return VG_LEARN_FULL;
	h = &e[(*n)++];
	memset(h, 0, sizeof(*h));
	memcpy(h->addr, a, 16);
	h->ifindex = ifindex;
	h->origin = VG_ORIGIN_DHCP;
	h->expires = expires;
	return VG_PASS;
}

/* The lease of a ends, if ifindex holds a by DHCP. */
static bool lease_end_of(struct model_learn *s, bool v4, const uint8_t a[16], uint32_t ifindex)
{
	const struct model_held *h = tab_find(s, v4, a);

	if (!h || h->ifindex != ifindex || h->origin != VG_ORIGIN_DHCP)
		return false;
	tab_forget(s, v4, a);
	return true;
}

/* RFC 2131 2 (yiaddr): an address a lease can give, host order. */
static bool v4_unicast(uint32_t a)
{
	return a >> 24 != 0 && a >> 24 != 127 && a < 0xe0000000;
}

/* RFC 4291 2.4: not ::, ::1, fe80::/10, ff00::/8 or ::ffff:0:0/96 (IPv4-mapped,
 * how protected6 and parked name IPv4 addresses, never on the wire: 2.5.5.2). */
static bool v6_leasable(const uint8_t a[16])
{
	static const uint8_t loopback[16] = { [15] = 1 };

	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	return !all_zero(a, 16) && memcmp(a, loopback, 16) && !model_link_local(a) &&
	       a[0] != 0xff && memcmp(a, mapped, 12);
}

/* The learning window of ifindex, or NULL. */
static const struct model_window *window_of(const struct model_learn *s, uint32_t ifindex)
{
	for (unsigned int i = 0; i < s->n_win; i++)
		if (s->win[i].ifindex == ifindex)
			return &s->win[i];
	return NULL;
}

/* Sorts n addresses (insertion sort: n is a handful). */
static void sort_addrs(uint8_t (*a)[16], unsigned int n)
{
	uint8_t t[16];

	for (unsigned int i = 1; i < n; i++)
		for (unsigned int j = i; j > 0 && memcmp(a[j - 1], a[j], 16) > 0; j--) {
			memcpy(t, a[j], 16);
			memcpy(a[j], a[j - 1], 16);
			memcpy(a[j - 1], t, 16);
		}
}

/*
 * Trust on first use (include/vifguard.h VG_F_LEARN_FIRST): source a
 * (::ffff:a.b.c.d when v4) of the frame's interface X, which neither
 * its policy nor a learned entry allows.  Learned if X's policy has
 * the flag, a is unicast (IPv4: not 0/8, 127/8, 224/3 and above; IPv6:
 * not ::, ::1, fe80::/10, ff00::/8), X's window, if it has one, is still
 * open, a is not protected (IPv4 looked up as ::ffff:a.b.c.d), no
 * interface holds it (an entry of origin DHCP or FIRST that ended gives
 * way, whoever holds it, a parked one of ifindex 0 included), and X has
 * a lease slot of a's family free: fewer than the cap of entries of
 * origin DHCP or FIRST that have not ended.  Its end: first_lease_s
 * from now (0: never; leased_here() moves it while it is used).  VG_PASS, a learn-*
 * reason, or otherwise (not learned, the frame's reason as before).
 *
 * Which slot X's new address takes where X has an ended entry of the
 * family: the lowest that is free or whose entry ended, which the model
 * does not know, so the new address may replace any ended one, or, if
 * X uses fewer slots than the cap, none: the model takes candidate
 * tie_pick (none first, then the ended ones by address).  A full table refuses
 * (learn-full) after the ended holder of a itself gave way and before
 * an ended entry of X is replaced, as the specification orders the
 * claim before the slot.
 */
static enum vg_reason first_use(const struct model_policy *p, const struct frm *f, bool v4,
				const uint8_t a[16], enum vg_reason otherwise)
{
	struct model_learn *s = f->st;
	unsigned int *n, fill, live = 0, ended = 0, room, n_cand;
	unsigned int cap = v4 ? VG_LEARN_DHCP4_CAP : VG_LEARN_DHCP6_CAP;
	uint8_t cand[VG_LEASE_SLOTS][16];
	const struct model_window *w;
	uint64_t expires = VG_LEASE_FOREVER;
	struct model_held *e, *h;
	uint32_t a4 = (uint32_t)a[12] << 24 | a[13] << 16 | a[14] << 8 | a[15];

	if (!s || !(p->flags & VG_F_LEARN_FIRST))
		return otherwise;
	if (v4 ? !v4_unicast(a4) : !v6_leasable(a))
		return otherwise;
	w = window_of(s, f->ifindex);
	if (w && s->now >= w->end)
		return otherwise;
	if (s->first_lease_s)
		expires = s->now + (uint64_t)s->first_lease_s * NSEC;
	if (model_learn_protected(s, a))
		return VG_LEARN_PROTECTED;
	h = tab_find(s, v4, a);
	if (h) {
		if ((h->origin != VG_ORIGIN_DHCP && h->origin != VG_ORIGIN_FIRST) ||
		    s->now < h->expires)
			return h->ifindex == f->ifindex ? VG_PASS : VG_LEARN_CONFLICT;
		tab_forget(s, v4, a);
	}
	e = tab(s, v4, &n, &fill);
	for (unsigned int i = 0; i < *n; i++) {
		if (e[i].ifindex != f->ifindex ||
		    (e[i].origin != VG_ORIGIN_DHCP && e[i].origin != VG_ORIGIN_FIRST))
			continue;
		if (s->now < e[i].expires)
			live++;
		else if (ended < VG_LEASE_SLOTS)
			memcpy(cand[ended++], e[i].addr, 16);
	}
	if (live >= cap)
		return VG_LEARN_FULL;
	if (*n + fill >= VG_MAX_LEARNED || *n == MODEL_MAX_HELD)
		return VG_LEARN_FULL;
	room = live + ended < cap;
	n_cand = ended + room;
	sort_addrs(cand, ended);
	if (n_cand) {
		unsigned int pick = tie_choose(s, n_cand);

		if (pick >= room)
			tab_forget(s, v4, cand[pick - room]);
	}
	h = &e[(*n)++];
	memset(h, 0, sizeof(*h));
	memcpy(h->addr, a, 16);
	h->ifindex = f->ifindex;
	h->origin = VG_ORIGIN_FIRST;
	h->expires = expires;
	return VG_PASS;
}

/* What the DHCPv4 options of a message say (RFC 2132). */
struct dhcp4_opts {
	int type;		/* option 53, -1 absent */
	bool has_lease;		/* option 51 */
	uint32_t lease;
	bool has_requested;	/* option 50 */
	uint8_t requested[4];
};

/*
 * The options from opt to end: until END, until an option that does not
 * fit, or max options (a PAD counts as one).  The last option of a kind
 * is the one read; of the wrong length for its kind (53: 1, 51 and 50: 4)
 * it says nothing, an earlier one included (fail closed: the message
 * contradicts itself).
 */
static void dhcp4_options(const struct frm *f, size_t opt, size_t end, unsigned int max,
			  struct dhcp4_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->type = -1;
	for (unsigned int n = 0; n < max && opt < end; n++) {
		unsigned int code = get8(f, opt), olen;

		if (code == 255)
			return;
		if (code == 0) {
			opt++;
			continue;
		}
		if (opt + 2 > end)
			return;
		olen = get8(f, opt + 1);
		if (opt + 2 + olen > end)
			return;
		if (code == 53)
			o->type = olen == 1 ? (int)get8(f, opt + 2) : -1;
		if (code == 51) {
			o->has_lease = olen == 4;
			o->lease = get32(f, opt + 2);
		}
		if (code == 50) {
			o->has_requested = olen == 4;
			getn(f, opt + 2, o->requested, 4);
		}
		opt += 2 + olen;
	}
}

/*
 * An unfragmented IPv4 UDP datagram to port dport in an untagged frame
 * holding a whole BOOTP message with the magic cookie, of op (htype 1,
 * hlen 6) unless op is 0: the offset of the BOOTP message, its end (the
 * datagram's, or the UDP length's if shorter), or 0.
 */
static size_t bootp_message(const struct frm *f, unsigned int dport, unsigned int op,
			    size_t *end)
{
	size_t ip = ETH_HLEN, ihl, total, bootp;

	if (f->len < ETH_HLEN + 20 || get16(f, 12) != ETH_P_IPV4 || get8(f, ip) >> 4 != 4 ||
	    (get8(f, ip) & 0xf) < 5)
		return 0;
	ihl = (get8(f, ip) & 0xf) * 4;
	total = get16(f, ip + 2);
	if (total < ihl || total > f->len - ip || get8(f, ip + 9) != PROTO_UDP ||
	    (get16(f, ip + 6) & 0x3fff))
		return 0;
	*end = ip + total;
	bootp = ip + ihl + 8;
	if (bootp > *end || get16(f, ip + ihl + 2) != dport)
		return 0;
	/* The UDP length (RFC 768) ends the message when it ends it sooner. */
	if (ip + ihl + get16(f, ip + ihl + 4) < *end)
		*end = ip + ihl + get16(f, ip + ihl + 4);
	if (bootp + BOOTP_FIXED + 4 > *end || get32(f, bootp + BOOTP_FIXED) != DHCP4_COOKIE)
		return 0;
	if (op && (get8(f, bootp) != op || get8(f, bootp + 1) != 1 || get8(f, bootp + 2) != 6))
		return 0;
	return bootp;
}

/*
 * An untagged IPv6 frame whose next header is UDP, to port dport,
 * holding a DHCPv6 message header (RFC 8415 8): the offset of the
 * message, its end (the payload's, or the UDP length's if shorter), or 0.
 */
static size_t dhcp6_message(const struct frm *f, unsigned int dport, size_t *end)
{
	size_t ip = ETH_HLEN, plen;

	if (f->len < ETH_HLEN + 40 || get16(f, 12) != ETH_P_IPV6 || get8(f, ip) >> 4 != 6 ||
	    get8(f, ip + 6) != PROTO_UDP)
		return 0;
	plen = get16(f, ip + 4);
	if (plen > f->len - ip - 40)
		return 0;
	*end = ip + 40 + plen;
	if (ip + 40 + 8 + 4 > *end || get16(f, ip + 40 + 2) != dport)
		return 0;
	if (ip + 40 + get16(f, ip + 40 + 4) < *end)
		*end = ip + 40 + get16(f, ip + 40 + 4);
	if (ip + 40 + 8 + 4 > *end)
		return 0;
	return ip + 40 + 8;
}

struct dhcp6_addr {
	uint8_t a[16];
	uint32_t valid;
};

/*
 * The options of the DHCPv6 message at msg (up to end), IA_NA and IA_TA
 * entered (their options walked as if at the top, RFC 8415 21.4, 21.5;
 * one too short for its fixed part is passed over), at most
 * VG_DHCP6_OPTS options counted, entered ones included, until one that
 * does not fit: the first VG_DHCP6_MSG_ADDRS IAADDRs (21.6) of at least
 * 24 octets.  Returns their number.
 */
static unsigned int dhcp6_addrs(const struct frm *f, size_t msg, size_t end,
				struct dhcp6_addr out[VG_DHCP6_MSG_ADDRS])
{
	size_t opt = msg + 4;
	unsigned int n = 0;

	for (unsigned int i = 0; i < VG_DHCP6_OPTS && n < VG_DHCP6_MSG_ADDRS; i++) {
		unsigned int code, olen;

		if (opt + 4 > end)
			break;
		code = get16(f, opt);
		olen = get16(f, opt + 2);
		if (opt + 4 + olen > end)
			break;
		if (code == 3 && olen >= 12) {		/* IA_NA: IAID, T1, T2 */
			opt += 4 + 12;
			continue;
		}
		if (code == 4 && olen >= 4) {		/* IA_TA: IAID */
			opt += 4 + 4;
			continue;
		}
		if (code == 5 && olen >= 24) {
			getn(f, opt + 4, out[n].a, 16);
			out[n++].valid = get32(f, opt + 4 + 20);
		}
		opt += 4 + olen;
	}
	return n;
}

static void refused(struct model_refusals *out, enum vg_reason r)
{
	if (r != VG_PASS && out && out->n < MODEL_MAX_REFUSALS)
		out->r[out->n++] = r;
}

/* Egress: a DHCPv4 ACK or NAK for one of the guest's MACs. */
static bool deliver_dhcp4(const struct frm *f, const struct model_policy *p, uint32_t ifindex,
			  struct model_learn *s, struct model_refusals *out)
{
	struct dhcp4_opts o;
	size_t bootp, end;
	uint8_t chaddr[6], y4[4], a[16];
	uint32_t y;
	bool changed = false;

	bootp = bootp_message(f, DHCP4_CLIENT_PORT, 2, &end);
	if (!bootp)
		return false;
	getn(f, bootp + 28, chaddr, 6);
	if (!mac_of_interface(p, chaddr))
		return false;
	dhcp4_options(f, bootp + BOOTP_FIXED + 4, end, VG_DHCP4_OPTS, &o);
	if (o.type == 6) {	/* DHCPNAK: every IPv4 lease of the guest ends */
		for (unsigned int i = 0; i < s->n_held4;) {
			if (s->held4[i].ifindex == ifindex && s->held4[i].origin == VG_ORIGIN_DHCP) {
				s->held4[i] = s->held4[--s->n_held4];
				changed = true;
			} else {
				i++;
			}
		}
		return changed;
	}
	if (o.type != 5 || !o.has_lease)
		return false;
	y = get32(f, bootp + 16);
	if (!v4_unicast(y))
		return false;
	getn(f, bootp + 16, y4, 4);
	model_v4_mapped(y4, a);
	refused(out, lease_learn(s, true, a, ifindex, lease_end(s, o.lease)));
	return true;
}

/* Egress: a DHCPv6 Reply to one of the guest's MACs. */
static bool deliver_dhcp6(const struct frm *f, const struct model_policy *p, uint32_t ifindex,
			  struct model_learn *s, struct model_refusals *out)
{
	struct dhcp6_addr ad[VG_DHCP6_MSG_ADDRS];
	size_t msg, end;
	unsigned int n;
	bool changed = false;

	if (!mac_of_interface(p, f->b))
		return false;
	msg = dhcp6_message(f, DHCP6_CLIENT_PORT, &end);
	if (!msg || get8(f, msg) != 7)
		return false;
	n = dhcp6_addrs(f, msg, end, ad);
	for (unsigned int i = 0; i < n; i++) {
		if (!v6_leasable(ad[i].a))
			continue;
		if (ad[i].valid == 0) {
			changed |= lease_end_of(s, false, ad[i].a, ifindex);
			continue;
		}
		refused(out, lease_learn(s, false, ad[i].a, ifindex, lease_end(s, ad[i].valid)));
		changed = true;
	}
	return changed;
}

/*
 * Ingress, a frame that passed from a guest that learns by DHCP: its
 * DHCPRELEASE or DHCPDECLINE (read in the first VG_DHCP4_OPTS_IN
 * options) end the lease they name; its DHCPv6 Release or Decline every
 * DHCPv6 lease it holds.
 */
static void dhcp_from_guest(const struct frm *f)
{
	struct dhcp4_opts o;
	size_t bootp, msg, end;
	uint8_t a4[4], a[16];
	unsigned int type;

	/* The contract names the message by its option 53 alone: what
	 * passed the policy (a BOOTREQUEST for one of the guest's MACs, or
	 * anything from a guest that may serve DHCP) ends only its own
	 * leases. */
	bootp = bootp_message(f, DHCP4_SERVER_PORT, 0, &end);
	if (bootp) {
		dhcp4_options(f, bootp + BOOTP_FIXED + 4, end, VG_DHCP4_OPTS_IN, &o);
		if (o.type == 7) {		/* DHCPRELEASE: ciaddr */
			getn(f, bootp + 12, a4, 4);
		} else if (o.type == 4 && o.has_requested) {	/* DHCPDECLINE */
			memcpy(a4, o.requested, 4);
		} else {
			return;
		}
		model_v4_mapped(a4, a);
		lease_end_of(f->st, true, a, f->ifindex);
		return;
	}
	msg = dhcp6_message(f, DHCP6_SERVER_PORT, &end);
	if (!msg)
		return;
	type = get8(f, msg);
	if (type != 8 && type != 9)
		return;
	/* Release and Decline end every DHCPv6 lease of the guest, named or
	 * not (include/vifguard.h): its next Reply teaches those it keeps. */
	for (unsigned int i = 0; i < f->st->n_held;) {
		if (f->st->held[i].ifindex == f->ifindex &&
		    f->st->held[i].origin == VG_ORIGIN_DHCP)
			f->st->held[i] = f->st->held[--f->st->n_held];
		else
			i++;
	}
}

/* --- every frame ---------------------------------------------------------- */

enum vg_reason vg_model(const uint8_t *frame, size_t len, const struct model_policy *p,
			const struct model_meta *m)
{
	return vg_model_in(frame, len, p, m, 0, NULL);
}

enum vg_reason vg_model_in(const uint8_t *frame, size_t len, const struct model_policy *p,
			   const struct model_meta *m, uint32_t ifindex, struct model_learn *s)
{
	struct frm f = { .b = frame, .have = len, .len = len, .src_mac = frame + 6,
			 .ifindex = ifindex, .st = s };
	enum vg_reason r;
	unsigned int type;
	size_t off;

	if (m && m->frame_len)
		f.len = m->frame_len;

	/* 1. No policy; mode disabled.  include/vifguard.h: a mode that was
	 * never written (0) "reads as drop"; the README names no reason for
	 * it, so it is counted with disabled here. */
	if (!p)
		return VG_NO_POLICY;
	if (p->mode != VG_MODE_LOCKED)
		return VG_DISABLED;

	/* 2. Too short for an Ethernet header. */
	if (f.len < ETH_HLEN)
		return VG_MALFORMED;

	/* 3. Source MAC: the group bit first, then one of the interface's. */
	if (frame[6] & 1)
		return VG_SRC_MAC_MCAST;
	if (!mac_of_interface(p, frame + 6))
		return VG_SRC_MAC;

	/* 4. VLAN tags: the outer one, which the device moved into the
	 * metadata, only if its identifier is allowed; one still in the
	 * frame's bytes, allowed or not. */
	if (m && m->vlan_present && !ethertype_allowed(p, m->vlan_tpid) &&
	    /* VLAN 0 of 802.1Q: a priority tag, taken as untagged. */
	    !(m->vlan_tpid == ETH_P_8021Q && (m->vlan_tci & 0x0fff) == 0))
		return VG_VLAN;
	type = get16(&f, 12);
	if (type == ETH_P_8021Q || type == ETH_P_8021AD)
		return VG_VLAN;
	off = ETH_HLEN;	/* "offset 0" of the IPv4, ARP or IPv6 header */

	/* 5. By ethertype. */
	switch (type) {
	case ETH_P_IPV4:
		r = check_ipv4(p, &f, off);
		break;
	case ETH_P_ARP:
		return check_arp(p, &f, off);
	case ETH_P_IPV6:
		r = check_ipv6(p, &f, off);
		break;
	default:
		if (type < 0x0600 || type == ETH_P_QINQ_OLD)
			return VG_ETHERTYPE;
		return ethertype_allowed(p, type) ? VG_PASS : VG_ETHERTYPE;
	}

	/* 6. A DHCP message that passed ends the leases it gives back. */
	if (r == VG_PASS && s && (p->flags & VG_F_LEARN_DHCP))
		dhcp_from_guest(&f);
	return r;
}

/* --- frames delivered to a guest (egress) ---------------------------------- */

/*
 * An ICMPv6 message right after the fixed IPv6 header of an untagged
 * frame, sent with hop limit 255 (RFC 4861 6.1.2, 7.1.2: from on-link),
 * its first min octets (the fields judged) within the frame.  Returns its
 * type, or 0.
 *
 * RFC 4861 and the specification do not say how much of a truncated
 * message must be there: the model asks for the ICMPv6 header and the
 * word after it (8 octets, the shortest ND message) for an RA, and for
 * the target too for an NA.
 *
 * Nothing else of RFC 4861's validity is asked (version, payload length,
 * ICMP code): the egress side fails closed.  A router that names itself
 * in a malformed advertisement, or a neighbour that defends an address
 * in one, still says the address is in use on the link; protecting or
 * revoking it costs a guest no address it could rightly hold.
 */
static unsigned int nd_message(const struct frm *f, size_t min)
{
	if (f->len < ETH_HLEN + 40 + min || get16(f, 12) != ETH_P_IPV6)
		return 0;
	if (get8(f, ETH_HLEN + 6) != PROTO_ICMPV6 || get8(f, ETH_HLEN + 7) != 255)
		return 0;
	return get8(f, ETH_HLEN + 40);
}

bool vg_model_out(const uint8_t *frame, size_t len, const struct model_policy *p,
		  uint32_t ifindex, struct model_learn *s)
{
	return vg_model_deliver(frame, len, p, ifindex, NULL, s, NULL);
}

bool vg_model_deliver(const uint8_t *frame, size_t len, const struct model_policy *p,
		      uint32_t ifindex, const struct model_policy *sender, struct model_learn *s,
		      struct model_refusals *out)
{
	struct frm f = { .b = frame, .have = len, .len = len, .src_mac = frame + 6 };
	const struct model_held *h;
	uint8_t a[16];

	if (out)
		out->n = 0;
	/* A guest is an interface with a policy: the hook acts for it only. */
	if (!p)
		return false;

	/* Leases, from the uplink or the host (no policy) or a guest that
	 * may serve DHCP. */
	if ((p->flags & VG_F_LEARN_DHCP) && (!sender || (sender->flags & VG_F_DHCP_SERVER))) {
		if (deliver_dhcp4(&f, p, ifindex, s, out) || deliver_dhcp6(&f, p, ifindex, s, out))
			return true;
	}

	/* A Router Advertisement from a link-local source (RFC 4861 6.1.2):
	 * a router's address, which no guest may claim from now on. */
	if (nd_message(&f, 8) == 134) {
		/* README: an RA a guest sent (a router VM, or audit mode)
		 * teaches nothing. */
		if (sender)
			return false;
		getn(&f, ETH_HLEN + 8, a, 16);
		if (!model_link_local(a))
			return false;
		h = model_learn_find(s, a);
		if (model_learn_protected(s, a) && !(h && h->origin == VG_ORIGIN_DAD))
			return false;
		model_learn_protect(s, a);
		if (h && h->origin == VG_ORIGIN_DAD)
			model_learn_forget(s, a);
		return true;
	}
	/* A Neighbour Advertisement defending an address the receiver
	 * learned by DAD or by first use (RFC 4862 5.4.4: another node
	 * holds it), unless the receiver sent it itself (a hairpin port
	 * reflects the guest's own frames). */
	if (nd_message(&f, 24) == 136) {
		getn(&f, ETH_HLEN + 40 + 8, a, 16);
		h = model_learn_find(s, a);
		if (!h || (h->origin != VG_ORIGIN_DAD && h->origin != VG_ORIGIN_FIRST) ||
		    h->ifindex != ifindex)
			return false;
		if (mac_of_interface(p, f.src_mac))
			return false;
		model_learn_forget(s, a);
		return true;
	}
	return false;
}

const char *vg_model_reason_name(unsigned int r)
{
	return vg_reason_name(r);
}

int vg_model_reason_by_name(const char *s)
{
	for (int r = 0; r < VG_REASON_MAX; r++)
		if (!strcmp(vg_reason_name(r), s))
			return r;
	return -1;
}
