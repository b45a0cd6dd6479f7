// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Policy and frame generators of the differential fuzzer.
 *
 * Frames are built the way a guest (or an attacker in one) would: an
 * Ethernet header, zero to three tags, then IPv4 (UDP, DHCP client and
 * server messages, TCP, IGMP, ICMP, options, fragments), ARP (requests,
 * replies, probes, announcements, bad formats), IPv6 (UDP, DHCPv6, TCP,
 * every ND and MLD type, chains of zero to eight extension headers,
 * jumbogram forms), other ethertypes and 802.3 lengths.  Addresses come
 * mostly from the policy itself, its prefix edges and their neighbours,
 * so that the interesting branches are taken.  The frame is then damaged
 * now and then: length fields off by one, truncation at a header
 * boundary +-1 (with or without the length fields following), padding,
 * byte flips, insertions and deletions.
 *
 * Nothing here knows what the program or the model will answer: that is
 * the model's job.  Weights are percentages unless said otherwise.
 */
#include <string.h>

#include "gen.h"

/* --- random numbers --------------------------------------------------------- */

void vg_rng_seed(struct vg_rng *r, uint64_t seed)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL;	/* splitmix64 */

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	r->s = z ? z : 1;	/* xorshift's one forbidden state */
}

uint64_t vg_rng_next(struct vg_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

uint32_t vg_rng_below(struct vg_rng *r, uint32_t n)
{
	return (uint32_t)(((vg_rng_next(r) >> 32) * n) >> 32);
}

/* --- the generator's state ---------------------------------------------------- */

#define MAX_MARKS 96

struct g {
	struct vg_rng *r;
	const struct model_policy *p;
	uint8_t *b;
	size_t len;
	/* Header boundaries: where truncation is interesting. */
	size_t marks[MAX_MARKS];
	unsigned int n_marks;
	uint8_t src_mac[6];
	size_t l3;		/* offset of the IPv4/IPv6 header */
	int ipver;		/* 4, 6 or 0 */
	size_t ihl;		/* IPv4 header length */
	bool keep_len0;		/* a BIG TCP form: total/payload length stays 0 */
	size_t udp;		/* offset of the UDP header + 1; 0: none */
};

static uint32_t below(struct g *g, uint32_t n)
{
	return vg_rng_below(g->r, n);
}

static bool pct(struct g *g, unsigned int p)
{
	return below(g, 100) < p;
}

static uint32_t rnd32(struct g *g)
{
	return (uint32_t)(vg_rng_next(g->r) >> 16);
}

/* Picks an index by weights. */
static unsigned int pick(struct g *g, const unsigned int *w, unsigned int n)
{
	unsigned int sum = 0, x;

	for (unsigned int i = 0; i < n; i++)
		sum += w[i];
	x = below(g, sum);
	for (unsigned int i = 0; i < n; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

/* One of the values listed, uniformly. */
#define ONE_OF(g, ...)                                                                    \
	((const unsigned int[]){ __VA_ARGS__ })[below(                                    \
		g, sizeof((const unsigned int[]){ __VA_ARGS__ }) / sizeof(unsigned int))]

#define PICK(g, ...)                                                                      \
	pick(g, (const unsigned int[]){ __VA_ARGS__ },                                     \
	     sizeof((const unsigned int[]){ __VA_ARGS__ }) / sizeof(unsigned int))

static void mark(struct g *g)
{
	if (g->n_marks < MAX_MARKS)
		g->marks[g->n_marks++] = g->len;
}

static void put8(struct g *g, unsigned int v)
{
	if (g->len < GEN_BUF_SIZE)
		g->b[g->len] = (uint8_t)v;
	g->len++;
}

static void put16(struct g *g, unsigned int v)
{
	put8(g, v >> 8);
	put8(g, v);
}

static void put32(struct g *g, uint32_t v)
{
	put16(g, v >> 16);
	put16(g, v & 0xffff);
}

static void putn(struct g *g, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(g, p[i]);
}

static void put_random(struct g *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(g, rnd32(g));
}

static void put_zero(struct g *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(g, 0);
}

/* Writes a 16-bit value at off, if it lies in the buffer. */
static void set16(struct g *g, size_t off, unsigned int v)
{
	if (off + 1 < GEN_BUF_SIZE) {
		g->b[off] = v >> 8;
		g->b[off + 1] = v;
	}
}

/* --- MACs and addresses ------------------------------------------------------ */

static void random_unicast_mac(struct g *g, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++)
		mac[i] = rnd32(g);
	mac[0] &= 0xfe;
}

static void policy_mac(struct g *g, uint8_t mac[6])
{
	if (g->p->n_macs)
		memcpy(mac, g->p->macs[below(g, g->p->n_macs)], 6);
	else
		random_unicast_mac(g, mac);
}

/* A source MAC: mostly one of the interface's. */
static void pick_src_mac(struct g *g, uint8_t mac[6])
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t v6mc[6] = { 0x33, 0x33, 0, 0, 0, 1 };

	switch (PICK(g, 78, 4, 3, 3, 3, 5, 4)) {
	case 0:
		policy_mac(g, mac);
		break;
	case 1:	/* one of ours with the group bit */
		policy_mac(g, mac);
		mac[0] |= 1;
		break;
	case 2:
		memcpy(mac, bcast, 6);
		break;
	case 3:
		memcpy(mac, v6mc, 6);
		break;
	case 4:
		memset(mac, 0, 6);
		break;
	case 5:	/* a neighbour of ours */
		policy_mac(g, mac);
		mac[5 - below(g, 2)] ^= 1 << below(g, 8);
		mac[0] &= 0xfe;
		break;
	default:
		random_unicast_mac(g, mac);
	}
}

/* A MAC another field names (ARP sender, chaddr, link-layer option). */
static void pick_other_mac(struct g *g, uint8_t mac[6])
{
	switch (PICK(g, 60, 20, 10, 10)) {
	case 0:
		memcpy(mac, g->src_mac, 6);
		break;
	case 1:
		policy_mac(g, mac);
		break;
	case 2:
		memset(mac, 0, 6);
		break;
	default:
		random_unicast_mac(g, mac);
	}
}

static uint32_t be32_of(const uint8_t a[4])
{
	return (uint32_t)a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3];
}

static uint32_t mask4(unsigned int len)
{
	return len ? ~0U << (32 - len) : 0;
}

/* An IPv4 address: the policy's, its edges and neighbours, or others. */
static uint32_t pick_v4(struct g *g)
{
	const struct model_policy *p = g->p;

	if (p->n_v4 && pct(g, 62)) {
		const struct model_prefix4 *e = &p->v4[below(g, p->n_v4)];
		uint32_t base = be32_of(e->addr), m = mask4(e->len);

		switch (PICK(g, 35, 15, 25, 8, 8, 9)) {
		case 0:
			return base;
		case 1:
			return base | ~m;
		case 2:
			return base | (rnd32(g) & ~m);
		case 3:
			return base - 1;
		case 4:
			return (base | ~m) + 1;
		default:	/* the other half of the prefix one bit up */
			return e->len ? base ^ (1U << (32 - e->len)) : rnd32(g);
		}
	}
	switch (PICK(g, 14, 6, 8, 8, 64)) {
	case 0:
		return 0;
	case 1:
		return 0xffffffff;
	case 2:
		if (pct(g, 66))
			return ONE_OF(g, 0xe0000001, 0xe0000016);
		return 0xe0000000 | (rnd32(g) & 0xfffffff);
	case 3:
		return 0x0a000000 | (rnd32(g) & 0xffff);
	default:
		return rnd32(g);
	}
}

static void v4_out(uint32_t a, uint8_t out[4])
{
	out[0] = a >> 24;
	out[1] = a >> 16;
	out[2] = a >> 8;
	out[3] = a;
}

static void solicited_node(const uint8_t target[16], uint8_t out[16])
{
	static const uint8_t snm[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff };

	memcpy(out, snm, 13);
	memcpy(out + 13, target + 13, 3);
}

static void eui64_ll(const uint8_t mac[6], uint8_t out[16])
{
	vg_model_eui64_ll(mac, out);
}

/* Flips bit i (0 = most significant) of a 16-octet address. */
static void flip_bit(uint8_t a[16], unsigned int i)
{
	a[i / 8] ^= 0x80 >> (i % 8);
}

/* An IPv6 address: the policy's, link-local ones of many kinds, others. */
static void pick_v6(struct g *g, uint8_t out[16])
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
	static const uint8_t all_routers[16] = { 0xff, 0x02, [15] = 2 };
	static const uint8_t mldv2[16] = { 0xff, 0x02, [15] = 0x16 };
	const struct model_policy *p = g->p;
	uint8_t mac[6];

	if (p->n_v6 && pct(g, 50)) {
		const struct model_prefix6 *e = &p->v6[below(g, p->n_v6)];

		memcpy(out, e->addr, 16);
		switch (PICK(g, 35, 25, 10, 10, 10, 10)) {
		case 0:
			break;
		case 1:	/* inside: random host bits */
			for (unsigned int i = e->len; i < 128; i++)
				if (pct(g, 50))
					flip_bit(out, i);
			break;
		case 2:	/* last */
			for (unsigned int i = e->len; i < 128; i++)
				flip_bit(out, i);
			break;
		case 3:	/* just outside */
			if (e->len)
				flip_bit(out, e->len - 1);
			break;
		case 4:	/* a neighbour */
			out[15] ^= 1 << below(g, 2);
			break;
		default:
			out[15 - below(g, 8)] = rnd32(g);
		}
		return;
	}
	switch (PICK(g, 22, 5, 5, 5, 4, 4, 8, 6, 4, 37)) {
	case 0:	/* our own link-local address */
		eui64_ll(g->src_mac, out);
		return;
	case 1:	/* another MAC of the interface's */
		policy_mac(g, mac);
		eui64_ll(mac, out);
		return;
	case 2:
		random_unicast_mac(g, mac);
		eui64_ll(mac, out);
		return;
	case 3:	/* u/l bit not inverted */
		eui64_ll(g->src_mac, out);
		out[8] ^= 0x02;
		return;
	case 4:	/* our IID, not fe80::/64 */
		eui64_ll(g->src_mac, out);
		out[7] = 1;
		return;
	case 5:	/* our IID in a global prefix */
		eui64_ll(g->src_mac, out);
		out[0] = 0x20;
		out[1] = 0x01;
		out[2] = 0x0d;
		out[3] = 0xb8;
		return;
	case 6:
		memset(out, 0, 16);
		return;
	case 7:
		memcpy(out, PICK(g, 1, 1, 1) == 0 ? all_nodes : pct(g, 50) ? all_routers : mldv2,
		       16);
		return;
	case 8: {
		uint8_t t[16];

		eui64_ll(g->src_mac, t);
		solicited_node(t, out);
		return;
	}
	default:
		for (int i = 0; i < 16; i++)
			out[i] = rnd32(g);
		if (pct(g, 60)) {
			out[0] = 0x20;
			out[1] = 0x01;
			out[2] = 0x0d;
			out[3] = 0xb8;
		}
	}
}

/* --- policies ------------------------------------------------------------------- */

static const uint16_t extra_ethertypes[] = {
	0x8100, 0x88a8, 0x88cc /* LLDP */, 0x8035 /* RARP */, 0x888e /* EAPOL */,
	0x8863, 0x8864 /* PPPoE */, 0x88b5, 0x22f0, 0x0842, 0x0600, 0xffff,
};

static bool v4_entry_ok(const struct model_policy *p, const struct model_prefix4 *e)
{
	uint32_t a = be32_of(e->addr);

	/* The loader refuses multicast prefixes and hosts, and repeats. */
	if (e->len >= 4 && a >> 28 == 0xe)
		return false;
	for (unsigned int i = 0; i < p->n_v4; i++)
		if (p->v4[i].len == e->len && !memcmp(p->v4[i].addr, e->addr, 4))
			return false;
	return true;
}

static void gen_v4_entry(struct g *g, struct model_prefix4 *e)
{
	static const uint32_t bases[] = { 0x0a000000, 0xc0000200, 0xc0a80000, 0xc6336400,
					  0xac100000 };
	const struct model_policy *p = g->p;
	uint32_t a;

	e->len = 32;
	switch (PICK(g, 30, 20, 30, 8, 6, 3, 3)) {
	case 0:	/* a host in one of a few nets, so hosts meet */
		a = bases[below(g, 5)] | (rnd32(g) & 0xff);
		break;
	case 1:	/* next to an entry we already have */
		a = p->n_v4 ? be32_of(p->v4[below(g, p->n_v4)].addr) + 1 - 2 * below(g, 2)
			    : 0x0a000005;
		break;
	case 2:	/* a prefix */
		e->len = PICK(g, 2, 2, 2, 4, 3, 3) == 0 ? 8 + below(g, 8) : 16 + below(g, 16);
		a = bases[below(g, 5)] | (rnd32(g) & 0xffff);
		break;
	case 3:
		a = rnd32(g);
		break;
	case 4:	/* very short prefixes: almost everything allowed */
		e->len = below(g, 4);
		a = rnd32(g);
		break;
	case 5:
		a = 0;	/* 0.0.0.0/32: the loader takes it; it must never matter */
		break;
	default:
		a = 0xffffffff;
	}
	a &= mask4(e->len);
	v4_out(a, e->addr);
}

static bool v6_entry_ok(const struct model_policy *p, const struct model_prefix6 *e)
{
	static const uint8_t zero[16];

	if (e->len >= 8 && e->addr[0] == 0xff)
		return false;
	if (e->len == 128 && !memcmp(e->addr, zero, 16))
		return false;
	for (unsigned int i = 0; i < p->n_v6; i++)
		if (p->v6[i].len == e->len && !memcmp(p->v6[i].addr, e->addr, 16))
			return false;
	return true;
}

static void gen_v6_entry(struct g *g, struct model_prefix6 *e)
{
	const struct model_policy *p = g->p;
	uint8_t mac[6];

	memset(e->addr, 0, 16);
	e->addr[0] = 0x20;
	e->addr[1] = 0x01;
	e->addr[2] = 0x0d;
	e->addr[3] = 0xb8;
	e->len = 128;
	switch (PICK(g, 30, 15, 25, 8, 8, 6, 4, 4)) {
	case 0:	/* a host in 2001:db8:0..3::/64 */
		e->addr[7] = below(g, 4);
		e->addr[15] = rnd32(g);
		break;
	case 1:	/* next to one we have */
		if (p->n_v6) {
			memcpy(e->addr, p->v6[below(g, p->n_v6)].addr, 16);
			e->addr[15] ^= 1 << below(g, 2);
		}
		break;
	case 2:	/* a prefix */
		e->len = PICK(g, 4, 2, 2, 1, 1) == 0 ? 64 : 40 + below(g, 88);
		e->addr[5] = below(g, 4);
		e->addr[7] = below(g, 4);
		for (int i = 8; i < 16; i++)
			e->addr[i] = rnd32(g);
		break;
	case 3:	/* a link-local address of one of our MACs, as a host */
		if (p->n_macs) {
			memcpy(mac, p->macs[below(g, p->n_macs)], 6);
			eui64_ll(mac, e->addr);
		}
		break;
	case 4:	/* fe80::/64 or fe80::/10 */
		memset(e->addr, 0, 16);
		e->addr[0] = 0xfe;
		e->addr[1] = 0x80;
		e->len = pct(g, 50) ? 64 : 10;
		break;
	case 5:	/* very short prefixes */
		for (int i = 0; i < 16; i++)
			e->addr[i] = rnd32(g);
		e->len = below(g, 4);
		break;
	case 6:	/* ULA */
		e->addr[0] = 0xfd;
		e->len = 8 + below(g, 57);
		break;
	default:
		for (int i = 0; i < 16; i++)
			e->addr[i] = rnd32(g);
	}
	for (unsigned int i = e->len; i < 128; i++)	/* no host bits */
		e->addr[i / 8] &= ~(0x80 >> (i % 8));
}

void gen_policy(struct vg_rng *r, struct model_policy *p)
{
	struct g g0 = { .r = r, .p = p }, *g = &g0;
	unsigned int want;

	memset(p, 0, sizeof(*p));
	p->mode = pct(g, 7) ? VG_MODE_DISABLED : VG_MODE_LOCKED;
	if (pct(g, 70))
		p->flags |= VG_F_DHCP_CLIENT;
	if (pct(g, 25))
		p->flags |= VG_F_DHCP_SERVER;
	if (pct(g, 25))
		p->flags |= VG_F_RA;
	if (pct(g, 70))
		p->flags |= VG_F_LINK_LOCAL;
	if (pct(g, 85))
		p->flags |= VG_F_LEARN_LL;
	/* The loader sets the DHCP client's permission with learning. */
	if (pct(g, 60))
		p->flags |= VG_F_LEARN_DHCP | VG_F_DHCP_CLIENT;
	/* Trust on first use: mostly beside DHCP, as a learning window
	 * gives it to a migrated guest. */
	if (pct(g, 35))
		p->flags |= VG_F_LEARN_FIRST;

	want = 1 + PICK(g, 50, 25, 15, 10);
	while (p->n_macs < want) {
		uint8_t mac[6];
		bool dup = false;

		if (p->n_macs && pct(g, 40)) {	/* a neighbour of the first */
			memcpy(mac, p->macs[0], 6);
			mac[5] ^= 1 << below(g, 8);
		} else if (pct(g, 50)) {
			static const uint8_t xen[3] = { 0x00, 0x16, 0x3e };

			memcpy(mac, xen, 3);
			mac[3] = rnd32(g);
			mac[4] = rnd32(g);
			mac[5] = rnd32(g);
		} else {
			random_unicast_mac(g, mac);
			mac[0] |= 0x02;
		}
		for (unsigned int i = 0; i < p->n_macs; i++)
			dup |= !memcmp(p->macs[i], mac, 6);
		if (dup || !memcmp(mac, "\0\0\0\0\0\0", 6))
			continue;
		memcpy(p->macs[p->n_macs++], mac, 6);
	}

	want = PICK(g, 40, 20, 20, 10, 10);
	while (p->n_ethertypes < want) {
		uint16_t t = pct(g, 85) ? extra_ethertypes[below(g, sizeof(extra_ethertypes) / 2)]
				       : 0x0600 + below(g, 0xfa00);
		bool dup = t == 0x0800 || t == 0x0806 || t == 0x86dd || t == 0x9100;

		for (unsigned int i = 0; i < p->n_ethertypes; i++)
			dup |= p->ethertypes[i] == t;
		if (!dup)
			p->ethertypes[p->n_ethertypes++] = t;
	}
	/* 0x8100 and 0x88a8 often, so that tagged frames get inside. */
	if (p->n_ethertypes < VG_MAX_ETHERTYPES && pct(g, 25)) {
		uint16_t t = pct(g, 50) ? 0x8100 : 0x88a8;
		bool dup = false;

		for (unsigned int i = 0; i < p->n_ethertypes; i++)
			dup |= p->ethertypes[i] == t;
		if (!dup)
			p->ethertypes[p->n_ethertypes++] = t;
	}

	want = PICK(g, 8, 22, 22, 16, 12, 10, 10);
	for (unsigned int tries = 0; p->n_v4 < want && tries < 50; tries++) {
		struct model_prefix4 e;

		gen_v4_entry(g, &e);
		if (v4_entry_ok(p, &e))
			p->v4[p->n_v4++] = e;
	}
	want = PICK(g, 8, 22, 22, 16, 12, 10, 10);
	for (unsigned int tries = 0; p->n_v6 < want && tries < 50; tries++) {
		struct model_prefix6 e;

		gen_v6_entry(g, &e);
		if (v6_entry_ok(p, &e))
			p->v6[p->n_v6++] = e;
	}
	/* Now and then many entries: the trie holds most of them. */
	if (pct(g, 3)) {
		for (unsigned int tries = 0; p->n_v4 < MODEL_MAX_ADDRS && tries < 100; tries++) {
			struct model_prefix4 e;

			gen_v4_entry(g, &e);
			if (v4_entry_ok(p, &e))
				p->v4[p->n_v4++] = e;
		}
	}
}

/* --- IPv4 --------------------------------------------------------------------- */

static const uint8_t igmp_types[] = {
	0x11, 0x12, 0x16, 0x17, 0x22,	/* query, reports v1/v2/v3, leave */
	0x13, 0x14, 0x1e, 0x1f,		/* DVMRP, PIMv1, mtrace */
	0x30, 0x31, 0x32,		/* multicast router discovery */
	0x00, 0x10, 0x18, 0x21, 0x23, 0xff,
};

/* BOOTP (RFC 2131): at least up to the end of chaddr; often all of it. */
static void put_bootp(struct g *g, unsigned int op)
{
	size_t start = g->len, want;
	uint8_t chaddr[6];

	put8(g, op);
	put8(g, PICK(g, 90, 5, 5) == 0 ? 1 : pct(g, 50) ? 6 : rnd32(g));	/* htype */
	put8(g, PICK(g, 90, 5, 5) == 0 ? 6 : pct(g, 50) ? 16 : rnd32(g));	/* hlen */
	put8(g, 0);
	put_random(g, 4 + 2 + 2);	/* xid, secs, flags */
	put_random(g, 16);		/* ciaddr .. giaddr */
	mark(g);			/* chaddr: UDP payload octet 28 */
	pick_other_mac(g, chaddr);
	putn(g, chaddr, 6);
	mark(g);			/* octet 34 */
	switch (PICK(g, 55, 15, 15, 15)) {
	case 0:		/* the rest of chaddr, sname, file, cookie, options */
		put_zero(g, 10 + 64 + 128);
		put32(g, 0x63825363);
		put8(g, 53);
		put8(g, 1);
		put8(g, 1 + below(g, 8));
		put8(g, 255);
		break;
	case 1:		/* end at chaddr's end +- 1 */
		want = 33 + below(g, 3);
		while (g->len < start + want)
			put8(g, 0);
		g->len = start + want;
		break;
	case 2:		/* shorter */
		g->len = start + below(g, 34);
		break;
	default:
		put_random(g, below(g, 40));
	}
}

/* The length field is set with the IP lengths (fix_lengths()). */
static void put_udp(struct g *g, unsigned int sport, unsigned int dport, size_t payload)
{
	g->udp = g->len + 1;
	put16(g, sport);
	put16(g, dport);
	put16(g, 8 + payload);
	put16(g, 0);
	mark(g);
}

static void build_ipv4(struct g *g)
{
	size_t o = g->len, opts = 0;
	uint32_t src, dst;
	unsigned int proto, kind, frag, sport, dport;

	g->l3 = o;
	g->ipver = 4;
	kind = PICK(g, 16, 20, 8, 10, 22, 8, 8, 4, 4);
	if (pct(g, 22))
		opts = 4 * (1 + below(g, 10));
	g->ihl = 20 + opts;

	src = pick_v4(g);
	dst = pick_v4(g);
	switch (kind) {
	case 1:	/* DHCP client: DISCOVER from 0.0.0.0, or a renewal */
		if (pct(g, 55))
			src = 0;
		if (pct(g, 70))
			dst = 0xffffffff;
		break;
	case 4:	/* IGMP: to a group, often from 0.0.0.0 */
		if (pct(g, 30))
			src = 0;
		if (pct(g, 80))
			dst = 0xe0000000 | (pct(g, 50) ? 0x16 : rnd32(g) & 0xfffffff);
		break;
	}

	frag = 0;
	switch (PICK(g, 70, 8, 8, 6, 4, 4)) {
	case 1:
		frag = 0x4000;	/* DF */
		break;
	case 2:
		frag = 0x2000;	/* MF, offset 0: a first fragment */
		break;
	case 3:
		frag = 1 + below(g, 0x1fff);	/* the last fragment */
		break;
	case 4:
		frag = 0x2000 | (1 + below(g, 0x1fff));
		break;
	case 5:
		frag = rnd32(g) & 0xffff;
	}

	switch (kind) {
	case 0:
	case 1:
	case 2:
		proto = 17;
		break;
	case 3:
	case 7:
		proto = 6;
		break;
	case 4:
		proto = 2;
		break;
	case 5:
		proto = 1;
		break;
	default:
		proto = pct(g, 90) ? ONE_OF(g, 4, 41, 47, 50, 132) : rnd32(g) & 0xff;
	}

	put8(g, 0x40 | (g->ihl / 4));
	put8(g, rnd32(g));
	put16(g, 0);	/* total length: set when the frame is done */
	put16(g, rnd32(g));
	put16(g, frag);
	put8(g, pct(g, 80) ? 64 : rnd32(g));
	put8(g, proto);
	put16(g, 0);
	put32(g, src);
	put32(g, dst);
	mark(g);
	if (opts) {
		for (size_t i = 0; i < opts; i++)
			put8(g, PICK(g, 50, 10, 40) == 0 ? 1 : pct(g, 30) ? 0 : rnd32(g));
		mark(g);
	}

	switch (kind) {
	case 0:	/* UDP, any ports, 67 and 68 among them */
		sport = pct(g, 57) ? ONE_OF(g, 67, 68, 53, 123) : rnd32(g) & 0xffff;
		dport = pct(g, 57) ? ONE_OF(g, 67, 68, 53, 546) : rnd32(g) & 0xffff;
		put_udp(g, sport, dport, 0);
		put_random(g, below(g, 48));
		break;
	case 1:	/* client to server */
		put_udp(g, pct(g, 85) ? 68 : rnd32(g) & 0xffff, pct(g, 92) ? 67 : 68, 0);
		put_bootp(g, PICK(g, 85, 10, 5) == 0 ? 1 : pct(g, 50) ? 2 : rnd32(g));
		break;
	case 2:	/* server (or relay) to client, from any port */
		put_udp(g, pct(g, 70) ? 67 : rnd32(g) & 0xffff, pct(g, 85) ? 68 : 67, 0);
		put_bootp(g, pct(g, 80) ? 2 : 1);
		break;
	case 3:
		put16(g, rnd32(g));
		put16(g, rnd32(g));
		put_random(g, 8);
		put8(g, 0x50);
		put_random(g, 7);
		mark(g);
		put_random(g, below(g, 64));
		break;
	case 4: {
		unsigned int type = igmp_types[below(g, sizeof(igmp_types))];

		put8(g, type);
		put8(g, rnd32(g));
		put16(g, 0);
		put32(g, dst);
		mark(g);
		if (type == 0x22 || (type == 0x11 && pct(g, 50)))
			put_random(g, 4 + 8 * below(g, 3));
		if (pct(g, 10))	/* cut inside the 8 octets */
			g->len = g->l3 + g->ihl + below(g, 8);
		break;
	}
	case 5:
		put8(g, pct(g, 50) ? 8 : rnd32(g));
		put8(g, 0);
		put16(g, 0);
		put32(g, rnd32(g));
		mark(g);
		put_random(g, below(g, 32));
		break;
	case 7:	/* BIG TCP's form: total length 0 */
		g->keep_len0 = true;
		put_random(g, 12);
		put8(g, 0x50);
		put_random(g, 7);
		mark(g);
		put_random(g, below(g, 32));
		break;
	default:
		put_random(g, below(g, 48));
	}
}

/* --- ARP ------------------------------------------------------------------------ */

static void build_arp(struct g *g)
{
	uint8_t sha[6], tha[6];
	uint32_t spa, tpa;
	unsigned int op;

	g->l3 = g->len;
	put16(g, PICK(g, 90, 4, 3, 3) == 0 ? 1 : pct(g, 50) ? 6 : rnd32(g) & 0xffff);
	put16(g, PICK(g, 92, 4, 4) == 0 ? 0x0800 : pct(g, 50) ? 0x86dd : rnd32(g) & 0xffff);
	put8(g, PICK(g, 93, 4, 3) == 0 ? 6 : pct(g, 50) ? 8 : rnd32(g));
	put8(g, PICK(g, 93, 4, 3) == 0 ? 4 : pct(g, 50) ? 16 : rnd32(g));
	switch (PICK(g, 48, 40, 3, 3, 3, 3)) {
	case 0:
		op = 1;
		break;
	case 1:
		op = 2;
		break;
	case 2:
		op = 3;	/* RARP request in ARP's clothes */
		break;
	case 3:
		op = 4;
		break;
	case 4:
		op = 0;
		break;
	default:
		op = rnd32(g) & 0xffff;
	}
	put16(g, op);
	mark(g);
	pick_other_mac(g, sha);
	putn(g, sha, 6);
	mark(g);
	spa = pct(g, 28) ? 0 : pick_v4(g);
	put32(g, spa);
	mark(g);
	if (pct(g, 60))
		memset(tha, 0, 6);
	else
		pick_other_mac(g, tha);
	putn(g, tha, 6);
	mark(g);
	tpa = pct(g, 15) ? spa : pct(g, 5) ? 0 : pick_v4(g);
	put32(g, tpa);
	mark(g);
	if (pct(g, 45))	/* padded to Ethernet's minimum */
		while (g->len < 60)
			put8(g, 0);
}

/* --- IPv6 ----------------------------------------------------------------------- */

enum ext { EXT_HBH, EXT_DST, EXT_RT, EXT_FRAG, EXT_AH };

static unsigned int ext_nh(enum ext e)
{
	static const uint8_t nh[] = { 0, 60, 43, 44, 51 };

	return nh[e];
}

/*
 * One extension header of kind e whose next header is nh, about size
 * octets long (options headers: a multiple of 8; AH: of 4).  size 0:
 * a size of the generator's choosing.
 */
static void put_ext(struct g *g, enum ext e, unsigned int nh, size_t size)
{
	size_t start = g->len, units;

	put8(g, nh);
	switch (e) {
	case EXT_FRAG:
		put8(g, 0);
		switch (PICK(g, 35, 30, 35)) {
		case 0:
			put16(g, 1);	/* first: offset 0, M */
			break;
		case 1:
			put16(g, pct(g, 80) ? 0 : 6);	/* atomic (reserved bits now and then) */
			break;
		default:
			put16(g, (1 + below(g, 0x1fff)) << 3 | below(g, 2));
		}
		put32(g, rnd32(g));
		break;
	case EXT_AH:
		units = size ? size / 4 - 2 : PICK(g, 30, 40, 20, 10) == 0 ? 1 + below(g, 3)
				: PICK(g, 1, 1) == 0 ? 4 : below(g, 20);
		put8(g, units);
		put16(g, 0);
		put32(g, rnd32(g));	/* SPI */
		while (g->len < start + (units + 2) * 4)
			put8(g, rnd32(g));
		break;
	default:
		units = size ? size / 8 - 1 : PICK(g, 60, 28, 9, 3) == 0 ? 0
			: PICK(g, 1, 1) == 0 ? 1 + below(g, 3) : 4 + below(g, 60);
		put8(g, units);
		if (e == EXT_RT) {
			put8(g, ONE_OF(g, 0, 2, 3, 4));
			put8(g, below(g, 3));
		}
		/* PadN filling, or random bytes (options are not judged). */
		if (pct(g, 70) && e != EXT_RT) {
			size_t n = (units + 1) * 8 - 2;

			if (n == 1) {
				put8(g, 0);
			} else {
				put8(g, 1);
				put8(g, n - 2);
			}
		}
		while (g->len < start + (units + 1) * 8)
			put8(g, pct(g, 50) ? 0 : rnd32(g));
	}
	mark(g);
}

/* Link-layer options and others (RFC 4861 4.6, RFC 8106, RFC 3971). */
static void put_nd_option(struct g *g, bool lla_type_target)
{
	uint8_t mac[6];
	size_t start = g->len;

	switch (PICK(g, 34, 8, 8, 8, 8, 8, 6, 6, 8, 6)) {
	case 0:	/* our link-layer address */
		put8(g, lla_type_target ? 2 : 1);
		put8(g, 1);
		putn(g, g->src_mac, 6);
		break;
	case 1:	/* one of the MACs a frame field may name */
		put8(g, lla_type_target ? 2 : 1);
		put8(g, 1);
		pick_other_mac(g, mac);
		putn(g, mac, 6);
		break;
	case 2:	/* the other type */
		put8(g, lla_type_target ? 1 : 2);
		put8(g, 1);
		putn(g, g->src_mac, 6);
		break;
	case 3:	/* a wrong MAC */
		put8(g, 1 + below(g, 2));
		put8(g, 1);
		random_unicast_mac(g, mac);
		putn(g, mac, 6);
		break;
	case 4:	/* a wrong length, our MAC inside */
		put8(g, 1 + below(g, 2));
		put8(g, 2 + below(g, 2));
		putn(g, g->src_mac, 6);
		put_zero(g, (g->b[start + 1]) * 8 - 8);
		break;
	case 5:	/* nonce (RFC 3971) */
		put8(g, 14);
		put8(g, 1);
		put_random(g, 6);
		break;
	case 6:	/* prefix information */
		put8(g, 3);
		put8(g, 4);
		put_random(g, 30);
		break;
	case 7:	/* MTU or RDNSS */
		if (pct(g, 50)) {
			put8(g, 5);
			put8(g, 1);
			put16(g, 0);
			put32(g, 1500);
		} else {
			put8(g, 25);
			put8(g, 3);
			put_random(g, 22);
		}
		break;
	case 8:	/* length 0 */
		put8(g, pct(g, 50) ? 1 + below(g, 2) : rnd32(g));
		put8(g, 0);
		put_random(g, 6);
		break;
	default:
		put8(g, rnd32(g));
		put8(g, 1 + below(g, 3));
		put_random(g, (g->b[start + 1]) * 8 - 2);
	}
	mark(g);
}

static void put_nd_options(struct g *g, bool target_type, bool dad)
{
	unsigned int n;

	switch (PICK(g, 40, 35, 12, 13)) {
	case 0:
		n = 0;
		break;
	case 1:
		n = 1;
		break;
	case 2:
		n = 2 + below(g, 3);
		break;
	default:	/* around the bound of 8 */
		n = 6 + below(g, 5);
	}
	if (dad && pct(g, 60))
		n = 0;
	for (unsigned int i = 0; i < n && g->len < GEN_FRAME_MAX - 64; i++)
		put_nd_option(g, target_type);
}

/*
 * Neighbour Discovery (RFC 4861): RS, RA, NS (DAD among them), NA,
 * Redirect.  Returns the hop limit to put in the IPv6 header; src/dst
 * are filled in.
 */
static void build_nd(struct g *g, uint8_t src[16], uint8_t dst[16], unsigned int *hop)
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
	static const uint8_t all_routers[16] = { 0xff, 0x02, [15] = 2 };
	unsigned int type = 133 + PICK(g, 14, 16, 32, 28, 10);
	uint8_t target[16];
	bool dad = false;

	*hop = pct(g, 82) ? 255 : ONE_OF(g, 254, 1, 64, 0);
	/* The target: ours mostly. */
	if (pct(g, 12))
		memset(target, 0, 16);
	else
		pick_v6(g, target);
	if (type == 135 && pct(g, 40)) {
		dad = true;
		memset(src, 0, 16);
		switch (PICK(g, 70, 10, 10, 10)) {
		case 0:
			solicited_node(target, dst);
			break;
		case 1: {
			uint8_t other[16];

			pick_v6(g, other);
			solicited_node(other, dst);
			break;
		}
		case 2:
			memcpy(dst, all_nodes, 16);
			break;
		default:
			memcpy(dst, target, 16);
		}
	} else {
		pick_v6(g, src);
		if (type == 133)
			memcpy(dst, all_routers, 16);
		else if (type == 134 || pct(g, 30))
			memcpy(dst, all_nodes, 16);
		else if (type == 135 && pct(g, 60))
			solicited_node(target, dst);
		else
			pick_v6(g, dst);
	}

	put8(g, type);
	put8(g, pct(g, 95) ? 0 : rnd32(g));
	put16(g, 0);
	mark(g);
	switch (type) {
	case 133:
		put32(g, 0);
		break;
	case 134:
		put8(g, 64);
		put8(g, rnd32(g));
		put16(g, 1800);
		put32(g, 0);
		put32(g, 0);
		break;
	case 135:
		put32(g, 0);
		putn(g, target, 16);
		break;
	case 136:
		put32(g, (uint32_t)below(g, 8) << 29);
		putn(g, target, 16);
		break;
	default:
		put32(g, 0);
		putn(g, target, 16);
		pick_v6(g, target);	/* the destination */
		putn(g, target, 16);
	}
	mark(g);
	put_nd_options(g, type == 136 || type == 137, dad);
}

static const uint8_t mld_types[] = { 130, 131, 132, 143, 151, 152, 153 };

/* MLD (RFC 2710, 3810) and Multicast Router Discovery (RFC 4286). */
static void build_mld(struct g *g, uint8_t src[16], uint8_t dst[16], unsigned int *hop)
{
	static const uint8_t mldv2[16] = { 0xff, 0x02, [15] = 0x16 };
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
	static const uint8_t all_snoopers[16] = { 0xff, 0x02, [15] = 0x6a };
	unsigned int type = pct(g, 92) ? mld_types[below(g, sizeof(mld_types))] : rnd32(g) & 0xff;

	*hop = pct(g, 75) ? 1 : pct(g, 50) ? 255 : rnd32(g) & 0xff;
	if (pct(g, 25))
		memset(src, 0, 16);
	else if (pct(g, 50))
		eui64_ll(g->src_mac, src);
	else
		pick_v6(g, src);
	memcpy(dst, type == 143 ? mldv2 : type >= 151 ? all_snoopers : all_nodes, 16);
	if (pct(g, 20))
		pick_v6(g, dst);

	put8(g, type);
	put8(g, 0);
	put16(g, 0);
	mark(g);
	switch (type) {
	case 130:
	case 131:
	case 132:
		put32(g, 0);
		put_random(g, 16);
		if (type == 130 && pct(g, 50))
			put_random(g, 4 + 16 * below(g, 2));	/* MLDv2 query */
		break;
	case 143:
		put16(g, 0);
		put16(g, 1);
		put8(g, 4);
		put8(g, 0);
		put16(g, 0);
		put_random(g, 16);
		break;
	case 151:
		put32(g, rnd32(g));
		break;
	default:	/* 152, 153: 4 octets (RFC 4286), or 8 */
		if (pct(g, 50))
			put32(g, 0);
	}
	mark(g);
}

static void put_v6_header(struct g *g, unsigned int nh, unsigned int hop, const uint8_t src[16],
			  const uint8_t dst[16])
{
	unsigned int ver = pct(g, 96) ? 6 : ONE_OF(g, 4, 0, 7, 15);

	put32(g, (uint32_t)ver << 28 | (pct(g, 80) ? 0 : rnd32(g) & 0xfffffff));
	put16(g, 0);	/* payload length: set when the frame is done */
	put8(g, nh);
	put8(g, hop);
	putn(g, src, 16);
	putn(g, dst, 16);
}

static void build_ipv6(struct g *g)
{
	uint8_t src[16], dst[16];
	uint8_t upper_buf[GEN_BUF_SIZE];
	unsigned int kind, nh, hop = pct(g, 70) ? 64 : rnd32(g) & 0xff;
	enum ext chain[8];
	unsigned int n_ext = 0;
	size_t upper_len, pad_to = 0;
	struct g up;

	g->l3 = g->len;
	g->ipver = 6;
	pick_v6(g, src);
	pick_v6(g, dst);

	/* The upper layer first, in a scratch frame of its own: the chain
	 * before it needs its next header value and the window padding its
	 * length. */
	up = *g;
	up.b = upper_buf;
	up.len = 0;
	up.n_marks = 0;
	kind = PICK(g, 18, 8, 8, 10, 34, 14, 5, 3);
	switch (kind) {
	case 0:	/* UDP */
	case 1: {	/* DHCPv6 (RFC 8415): 546 client, 547 server */
		static const unsigned int ports[] = { 546, 547, 53, 123 };
		unsigned int sport = kind == 1 || pct(g, 40) ? ports[below(g, 4)] : rnd32(g) & 0xffff;
		unsigned int dport = kind == 1 || pct(g, 40) ? ports[below(g, 4)] : rnd32(g) & 0xffff;

		nh = 17;
		put_udp(&up, sport, dport, 0);
		put_random(&up, kind == 1 ? 4 + below(g, 40) : below(g, 40));
		if (pct(g, 5))	/* cut inside its header */
			up.len = below(g, 8);
		break;
	}
	case 2:	/* TCP */
		nh = 6;
		put_random(&up, 12);
		put8(&up, 0x50);
		put_random(&up, 7);
		mark(&up);
		put_random(&up, below(g, 40));
		break;
	case 3:	/* ICMPv6 other than ND and MLD: echo, errors, random */
		nh = 58;
		put8(&up, PICK(g, 40, 20, 20, 20) == 0 ? 128 + below(g, 2)
			  : pct(g, 50) ? 1 + below(g, 4) : rnd32(g));
		put8(&up, 0);
		put16(&up, 0);
		mark(&up);
		put_random(&up, pct(g, 90) ? 4 + below(g, 40) : below(g, 4));
		break;
	case 4:
		nh = 58;
		build_nd(&up, src, dst, &hop);
		break;
	case 5:
		nh = 58;
		build_mld(&up, src, dst, &hop);
		break;
	case 6:	/* no next header, ESP, mobility, random */
		nh = ONE_OF(g, 59, 50, 135, 139, 253);
		if (pct(g, 30))
			nh = rnd32(g) & 0xff;
		put_random(&up, below(g, 40));
		break;
	default:	/* jumbogram forms (payload length 0): BIG TCP's */
		nh = 6;
		g->keep_len0 = true;
		put_random(&up, 20 + below(g, 20));
	}
	upper_len = up.len;

	/* The extension header chain. */
	if (kind == 5 && pct(g, 50))
		chain[n_ext++] = EXT_HBH;	/* MLD's router alert */
	if (kind == 7 && pct(g, 60)) {
		chain[n_ext++] = EXT_HBH;	/* the jumbo payload option */
	} else if (pct(g, 42)) {
		unsigned int want = 1 + PICK(g, 35, 25, 12, 8, 7, 6, 4, 3);

		while (n_ext < want)
			chain[n_ext++] = (enum ext)PICK(g, 18, 25, 15, 27, 15);
	}
	/* Land the upper layer near the end of the 512-octet window. */
	if (pct(g, 14) && n_ext < 8) {
		pad_to = 512 - 40 + below(g, 48);
		chain[n_ext++] = EXT_DST;
	}

	/* Headers: fixed one, chain, upper layer. */
	{
		unsigned int first = n_ext ? ext_nh(chain[0]) : nh;

		put_v6_header(g, first, hop, src, dst);
		mark(g);
		for (unsigned int i = 0; i < n_ext; i++) {
			unsigned int next = i + 1 < n_ext ? ext_nh(chain[i + 1]) : nh;
			size_t size = 0;

			if (kind == 7 && i == 0 && chain[0] == EXT_HBH) {
				/* RFC 2675: 8 octets, Jumbo Payload option. */
				size_t start = g->len;

				put8(g, next);
				put8(g, 0);
				put8(g, 0xc2);
				put8(g, 4);
				put32(g, 0);	/* set when the frame is done */
				g->len = start + 8;
				mark(g);
				continue;
			}
			if (pad_to && i == n_ext - 1) {
				/* This one brings the upper layer to pad_to
				 * (8-octet steps: near enough). */
				size_t here = g->len - g->l3;

				size = pad_to > here + 8 ? (pad_to - here) & ~(size_t)7 : 8;
				if (size > 2048)
					size = 2048;
			}
			put_ext(g, chain[i], next, size);
		}
	}
	if (up.udp)
		g->udp = g->len + up.udp;
	for (unsigned int i = 0; i < up.n_marks; i++) {
		if (g->n_marks < MAX_MARKS)
			g->marks[g->n_marks++] = g->len + up.marks[i];
	}
	putn(g, upper_buf, upper_len > GEN_BUF_SIZE ? GEN_BUF_SIZE : upper_len);

	/* ND options up to the window's end, now and then. */
	if (kind == 4 && pct(g, 12) && g->len < 500) {
		size_t end = 504 + below(g, 24), n = (end - g->len) / 8;

		if (n > 0 && n < 256) {
			put8(g, 200 + below(g, 50));
			put8(g, n);
			put_zero(g, n * 8 - 2);
			mark(g);
		}
	}
}

/* --- everything else ------------------------------------------------------------- */

/* A payload nobody parses: empty, Ethernet's minimum, or more. */
static void build_other(struct g *g)
{
	put_random(g, PICK(g, 30, 50, 20) == 0 ? 0 : pct(g, 70) ? 46 : below(g, 200));
}

static unsigned int pick_ethertype(struct g *g)
{
	const struct model_policy *p = g->p;

	switch (PICK(g, 30, 12, 12, 12, 10, 8, 8, 8)) {
	case 0:
		return p->n_ethertypes ? p->ethertypes[below(g, p->n_ethertypes)] : 0x88cc;
	case 1:
		return 0x88cc;	/* LLDP */
	case 2:
		return 0x8035;	/* RARP */
	case 3:
		return 0x9100;
	case 4:	/* 802.3 lengths */
		return ONE_OF(g, 0, 46, 0x05dc, 0x05ff);
	case 5:
		return 0x0600;
	case 6:
		return 0xffff;
	default:
		return rnd32(g) & 0xffff;
	}
}

/* --- damage ------------------------------------------------------------------------ */

/* Sets the IPv4 total length or IPv6 payload length to what the frame
 * holds from the header on. */
static void fix_lengths(struct g *g)
{
	size_t l3len;

	if (!g->ipver || g->len < g->l3 + 6)
		return;
	l3len = g->len - g->l3;
	if (g->ipver == 4)
		set16(g, g->l3 + 2, g->keep_len0 ? 0 : l3len > 0xffff ? 0xffff : l3len);
	else if (l3len >= 40)
		set16(g, g->l3 + 4, g->keep_len0 ? 0 : l3len - 40);
	/* UDP's own length field (not judged: RFC 768 lengths are right
	 * in most frames, now and then not). */
	if (g->udp && g->len >= g->udp + 5 && below(g, 10))
		set16(g, g->udp + 3, g->len - (g->udp - 1));
	/* A jumbo payload option holds the payload length. */
	if (g->ipver == 6 && g->keep_len0 && g->len >= g->l3 + 48 && g->b[g->l3 + 6] == 0 &&
	    g->b[g->l3 + 42] == 0xc2) {
		uint32_t v = l3len - 40;

		g->b[g->l3 + 44] = v >> 24;
		g->b[g->l3 + 45] = v >> 16;
		g->b[g->l3 + 46] = v >> 8;
		g->b[g->l3 + 47] = v;
	}
}

static void tweak_length(struct g *g)
{
	size_t at = g->ipver == 4 ? g->l3 + 2 : g->l3 + 4;
	unsigned int v;

	if (!g->ipver || g->len < at + 2)
		return;
	v = g->b[at] << 8 | g->b[at + 1];
	switch (PICK(g, 25, 25, 10, 10, 10, 5, 5, 10)) {
	case 0:
		v += 1;
		break;
	case 1:
		v -= 1;
		break;
	case 2:
		v += 8;
		break;
	case 3:
		v -= 8;
		break;
	case 4:
		v = 0;
		break;
	case 5:
		v = 0xffff;
		break;
	case 6:	/* IPv4: the header length itself, and one less */
		v = g->ipver == 4 ? g->ihl - below(g, 2) : below(g, 8);
		break;
	default:
		v = rnd32(g);
	}
	set16(g, at, v & 0xffff);
	/* The header length, too. */
	if (g->ipver == 4 && pct(g, 20))
		g->b[g->l3] = (g->b[g->l3] & 0xf0) | below(g, 16);
}

static void mutate(struct g *g)
{
	unsigned int n = 1 + below(g, 4);

	for (unsigned int i = 0; i < n && g->len; i++) {
		size_t at = pct(g, 70) && g->len > 128 ? below(g, 128) : below(g, g->len);

		switch (PICK(g, 45, 30, 12, 13)) {
		case 0:
			g->b[at] ^= 1 << below(g, 8);
			break;
		case 1:
			g->b[at] = rnd32(g);
			break;
		case 2:	/* insert */
			if (g->len < GEN_FRAME_MAX) {
				memmove(g->b + at + 1, g->b + at, g->len - at);
				g->b[at] = rnd32(g);
				g->len++;
			}
			break;
		default:	/* delete */
			memmove(g->b + at, g->b + at + 1, g->len - at - 1);
			g->len--;
		}
	}
}

size_t gen_frame(struct vg_rng *r, const struct model_policy *p, uint8_t *buf)
{
	struct g g0 = { .r = r, .p = p, .b = buf }, *g = &g0;
	unsigned int n_tags, kind, type;
	uint8_t dst_mac[6];

	switch (PICK(g, 50, 25, 15, 10)) {
	case 0:
		pick_other_mac(g, dst_mac);
		break;
	case 1:
		memset(dst_mac, 0xff, 6);
		break;
	case 2:
		memcpy(dst_mac, "\x33\x33\x00\x00\x00\x01", 6);
		break;
	default:
		memcpy(dst_mac, "\x01\x00\x5e\x00\x00\x16", 6);
	}
	pick_src_mac(g, g->src_mac);
	putn(g, dst_mac, 6);
	putn(g, g->src_mac, 6);
	mark(g);	/* 12: no type */

	n_tags = PICK(g, 86, 9, 3, 2);
	for (unsigned int i = 0; i < n_tags; i++) {
		unsigned int tpid = PICK(g, 45, 45, 10);

		put16(g, tpid == 0 ? 0x8100 : tpid == 1 ? 0x88a8 : 0x9100);
		mark(g);
		put16(g, rnd32(g) & 0xffff);	/* PCP, DEI, VID */
		mark(g);
	}

	kind = PICK(g, 30, 12, 45, 10, 1);
	switch (kind) {
	case 0:
		type = 0x0800;
		break;
	case 1:
		type = 0x0806;
		break;
	case 2:
		type = 0x86dd;
		break;
	default:
		type = pick_ethertype(g);
	}
	put16(g, type);
	mark(g);
	switch (kind) {
	case 0:
		build_ipv4(g);
		break;
	case 1:
		build_arp(g);
		break;
	case 2:
		build_ipv6(g);
		break;
	case 3:
		build_other(g);
		break;
	default:	/* shorter than an Ethernet header */
		g->len = below(g, 14);
	}
	if (g->len > GEN_FRAME_MAX)
		g->len = GEN_FRAME_MAX;
	fix_lengths(g);

	/* Truncation at a header boundary +- 1, the length fields following
	 * the cut half of the time. */
	if (g->n_marks && pct(g, 14)) {
		size_t at = g->marks[below(g, g->n_marks)] + below(g, 3);

		at = at ? at - 1 : 0;
		/* Under 14 octets the kernel runs nothing: seldom worth it. */
		if (at < g->len && (at >= 14 || pct(g, 15))) {
			g->len = at;
			if (pct(g, 50))
				fix_lengths(g);
		}
	}
	if (pct(g, 9))
		tweak_length(g);
	/* Padding after the datagram: Ethernet's minimum, or more. */
	if (pct(g, 16)) {
		size_t to = pct(g, 50) ? 60 : g->len + 1 + below(g, 48);

		while (g->len < to && g->len < GEN_FRAME_MAX)
			put8(g, pct(g, 50) ? 0 : rnd32(g));
	}
	if (pct(g, 7))
		mutate(g);
	return g->len;
}

/* --- link-local learning ------------------------------------------------------ */

void gen_pool_make(struct vg_rng *r, struct gen_pool *pool)
{
	struct g g0 = { .r = r }, *g = &g0;
	uint8_t *a;

	memset(pool, 0, sizeof(*pool));
	/* fe80::1 and fe80::2, routers' favourites; privacy-style ones. */
	for (unsigned int i = 0; i < 9; i++) {
		a = pool->a[pool->n++];
		a[0] = 0xfe;
		a[1] = 0x80;
		if (i < 2) {
			a[15] = i + 1;
			continue;
		}
		for (int j = 8; j < 16; j++)
			a[j] = rnd32(g);
		/* Two of them share the solicited-node group of another. */
		if (i >= 7)
			memcpy(a + 13, pool->a[2 + i - 7] + 13, 3);
	}
	/* In fe80::/10 but not fe80::/64 (RFC 4291 2.5.6 has the 54 bits
	 * zero, 2.4 names the whole /10 link-local). */
	a = pool->a[pool->n++];
	a[0] = 0xfe;
	a[1] = 0x80 | below(g, 0x40);
	a[7] = 1 + below(g, 255);
	a[15] = 7;
	/* fec0::/10 (deprecated site-local) and a global one: not learnable. */
	a = pool->a[pool->n++];
	a[0] = 0xfe;
	a[1] = 0xc0;
	a[15] = 7;
	a = pool->a[pool->n++];
	a[0] = 0x20;
	a[1] = 0x01;
	a[2] = 0x0d;
	a[3] = 0xb8;
	a[15] = 0x99;

	/* DHCP: 10.9.0.1-5 and 192.0.2.77, then 0.1.2.3, 127.0.0.9,
	 * 224.0.0.251 and 255.255.255.255 (no lease gives those). */
	static const uint8_t v4[][4] = { { 10, 9, 0, 1 }, { 10, 9, 0, 2 }, { 10, 9, 0, 3 },
					 { 10, 9, 0, 4 }, { 10, 9, 0, 5 }, { 192, 0, 2, 77 },
					 { 0, 1, 2, 3 },  { 127, 0, 0, 9 }, { 224, 0, 0, 251 },
					 { 255, 255, 255, 255 } };
	for (pool->n4 = 0; pool->n4 < sizeof(v4) / sizeof(v4[0]); pool->n4++)
		memcpy(pool->a4[pool->n4], v4[pool->n4], 4);
	/* 2001:db8:d::1-5, a ULA, a deprecated site-local (leasable), then
	 * ::, ::1, fe80::d and ff02::1:2. */
	for (pool->n6 = 0; pool->n6 < 11; pool->n6++) {
		a = pool->a6[pool->n6];
		memset(a, 0, 16);
		if (pool->n6 < 5) {
			a[0] = 0x20, a[1] = 0x01, a[2] = 0x0d, a[3] = 0xb8, a[5] = 0x0d;
			a[15] = pool->n6 + 1;
		} else if (pool->n6 == 5) {
			a[0] = 0xfd;
			for (int j = 1; j < 16; j++)
				a[j] = rnd32(g);
		} else if (pool->n6 == 6) {
			a[0] = 0xfe, a[1] = 0xc0, a[15] = 6;
		} else if (pool->n6 == 8) {
			a[15] = 1;
		} else if (pool->n6 == 9) {
			a[0] = 0xfe, a[1] = 0x80, a[15] = 0x0d;
		} else if (pool->n6 == 10) {
			a[0] = 0xff, a[1] = 0x02, a[13] = 1, a[15] = 2;
		}
	}
}

static const uint8_t *pool_pick(struct g *g, const struct gen_pool *pool)
{
	/* The link-local ones mostly. */
	return pool->a[pct(g, 92) ? below(g, pool->n - 3) : below(g, pool->n)];
}

/* Ethernet header (untagged) of a frame from src_mac to dst_mac. */
static void put_eth(struct g *g, const uint8_t dst_mac[6])
{
	putn(g, dst_mac, 6);
	putn(g, g->src_mac, 6);
	put16(g, 0x86dd);
	mark(g);
	g->l3 = g->len;
	g->ipver = 6;
}

static void multicast_mac(const uint8_t dst[16], uint8_t mac[6])
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, dst + 12, 4);
}

/* A link-local address outside the pool: a fresh claim. */
static void fresh_ll(struct g *g, uint8_t a[16])
{
	uint8_t mac[6];

	if (pct(g, 50)) {
		policy_mac(g, mac);
		eui64_ll(mac, a);
		return;
	}
	memset(a, 0, 16);
	a[0] = 0xfe;
	a[1] = 0x80;
	for (int j = 8; j < 16; j++)
		a[j] = rnd32(g);
}

/* ND options after a message: mostly none; now and then damage. */
static void learn_options(struct g *g, bool dad, bool target_type)
{
	switch (PICK(g, 80, 6, 6, 4, 4)) {
	case 0:
		if (!dad && pct(g, 60)) {	/* our own link-layer address */
			put8(g, target_type ? 2 : 1);
			put8(g, 1);
			putn(g, g->src_mac, 6);
		}
		break;
	case 1:	/* nonce (RFC 7527) */
		put8(g, 14);
		put8(g, 1);
		put_random(g, 6);
		break;
	case 2:	/* a source link-layer address: not in a DAD probe */
		put8(g, 1);
		put8(g, 1);
		putn(g, g->src_mac, 6);
		break;
	case 3:	/* length 0 */
		put8(g, 14);
		put8(g, 0);
		put_random(g, 6);
		break;
	default:
		put_nd_option(g, target_type);
	}
	mark(g);
}

/* The damage gen_frame does, less often: these frames should mostly
 * be valid, so that claims happen. */
static size_t learn_finish(struct g *g)
{
	if (g->len > GEN_FRAME_MAX)
		g->len = GEN_FRAME_MAX;
	fix_lengths(g);
	if (g->n_marks && pct(g, 6)) {
		size_t at = g->marks[below(g, g->n_marks)] + below(g, 3);

		at = at ? at - 1 : 0;
		if (at < g->len && at >= 14) {
			g->len = at;
			if (pct(g, 50))
				fix_lengths(g);
		}
	}
	if (pct(g, 3))
		tweak_length(g);
	if (pct(g, 8)) {
		size_t to = pct(g, 50) ? 60 : g->len + 1 + below(g, 24);

		while (g->len < to && g->len < GEN_FRAME_MAX)
			put8(g, 0);
	}
	if (pct(g, 3))
		mutate(g);
	return g->len;
}

size_t gen_learn_frame(struct vg_rng *r, const struct model_policy *p,
		       const struct gen_pool *pool, uint8_t *buf)
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
	struct g g0 = { .r = r, .p = p, .b = buf }, *g = &g0;
	uint8_t src[16] = { 0 }, dst[16], target[16], mac[6];
	unsigned int kind = PICK(g, 45, 18, 14, 8, 15), hop = 255;

	pick_src_mac(g, g->src_mac);
	if (pct(g, 80))
		policy_mac(g, g->src_mac);
	if (kind == 4)
		fresh_ll(g, target);
	else
		memcpy(target, pool_pick(g, pool), 16);

	switch (kind) {
	case 0:	/* DAD probe (RFC 4862 5.4.2) */
	case 4:
		if (pct(g, 92))
			solicited_node(target, dst);
		else if (pct(g, 50))
			memcpy(dst, all_nodes, 16);
		else
			solicited_node(pool_pick(g, pool), dst);
		if (pct(g, 5))
			hop = ONE_OF(g, 254, 64, 1);
		multicast_mac(dst, mac);
		put_eth(g, mac);
		put_v6_header(g, 58, hop, src, dst);
		mark(g);
		put8(g, 135);
		put8(g, pct(g, 97) ? 0 : 1 + below(g, 255));
		put16(g, 0);
		put32(g, 0);
		putn(g, target, 16);
		mark(g);
		learn_options(g, true, false);
		break;
	case 1:	/* from a pool address: echo request or UDP (mDNS) */
		memcpy(src, target, 16);
		memcpy(dst, all_nodes, 16);
		if (pct(g, 40))
			pick_v6(g, dst);
		multicast_mac(dst, mac);
		put_eth(g, mac);
		if (pct(g, 50)) {
			put_v6_header(g, 58, 64, src, dst);
			mark(g);
			put8(g, 128);
			put8(g, 0);
			put16(g, 0);
			put32(g, rnd32(g));
			put_random(g, below(g, 32));
		} else {
			put_v6_header(g, 17, 255, src, dst);
			mark(g);
			g->udp = g->len + 1;
			put16(g, 5353);
			put16(g, 5353);
			put16(g, 0);
			put16(g, 0);
			put_random(g, below(g, 32));
		}
		break;
	case 2:	/* NA for a pool address (RFC 4861 7.2.4, 4862 5.4.4) */
		memcpy(src, pct(g, 70) ? target : pool_pick(g, pool), 16);
		memcpy(dst, all_nodes, 16);
		if (pct(g, 5))
			hop = 64;
		multicast_mac(dst, mac);
		put_eth(g, mac);
		put_v6_header(g, 58, hop, src, dst);
		mark(g);
		put8(g, 136);
		put8(g, 0);
		put16(g, 0);
		put32(g, (uint32_t)ONE_OF(g, 1, 1, 3, 0) << 29);
		putn(g, target, 16);
		mark(g);
		learn_options(g, false, true);
		break;
	default:	/* NS from a pool address for another (address resolution) */
		memcpy(src, target, 16);
		memcpy(target, pool_pick(g, pool), 16);
		solicited_node(target, dst);
		multicast_mac(dst, mac);
		put_eth(g, mac);
		put_v6_header(g, 58, 255, src, dst);
		mark(g);
		put8(g, 135);
		put8(g, 0);
		put16(g, 0);
		put32(g, 0);
		putn(g, target, 16);
		mark(g);
		learn_options(g, false, false);
	}
	return learn_finish(g);
}

size_t gen_delivered_frame(struct vg_rng *r, const struct model_policy *p,
			   const struct gen_pool *pool, uint8_t *buf)
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
	struct g g0 = { .r = r, .p = p, .b = buf }, *g = &g0;
	uint8_t src[16], dst[16], target[16], mac[6];
	unsigned int kind = PICK(g, 40, 50, 10), hop = pct(g, 92) ? 255 : ONE_OF(g, 254, 64);

	/* A router's or a neighbour's MAC; now and then the guest's own. */
	if (p->n_macs && pct(g, kind == 1 ? 30 : 8))
		policy_mac(g, g->src_mac);
	else
		random_unicast_mac(g, g->src_mac);
	memcpy(src, pool_pick(g, pool), 16);
	memcpy(target, src, 16);
	memcpy(dst, all_nodes, 16);
	if (pct(g, 20)) {	/* unicast to the guest */
		policy_mac(g, mac);
		eui64_ll(mac, dst);
	} else {
		multicast_mac(dst, mac);
	}
	put_eth(g, mac);
	put_v6_header(g, 58, hop, src, dst);
	mark(g);
	switch (kind) {
	case 0:	/* Router Advertisement (RFC 4861 4.2) */
		put8(g, 134);
		put8(g, pct(g, 96) ? 0 : 1 + below(g, 255));
		put16(g, 0);
		put8(g, 64);
		put8(g, 0);
		put16(g, pct(g, 90) ? 1800 : 0);
		put32(g, 0);
		put32(g, 0);
		mark(g);
		if (pct(g, 50)) {
			put8(g, 1);
			put8(g, 1);
			putn(g, g->src_mac, 6);
			mark(g);
		}
		break;
	case 1:	/* Neighbour Advertisement (RFC 4861 4.4) */
		memcpy(target, pct(g, 70) ? src : pool_pick(g, pool), 16);
		put8(g, 136);
		put8(g, pct(g, 96) ? 0 : 1 + below(g, 255));
		put16(g, 0);
		put32(g, (uint32_t)ONE_OF(g, 1, 3, 0) << 29);
		putn(g, target, 16);
		mark(g);
		if (pct(g, 50)) {
			put8(g, 2);
			put8(g, 1);
			putn(g, g->src_mac, 6);
			mark(g);
		}
		break;
	default:	/* something else from the same source */
		put8(g, ONE_OF(g, 128, 129, 135, 133));
		put8(g, 0);
		put16(g, 0);
		put32(g, 0);
		putn(g, target, 16);
		mark(g);
	}
	return learn_finish(g);
}

/* --- DHCP snooping ------------------------------------------------------------ */

static const uint8_t *pool4_pick(struct g *g, const struct gen_pool *pool)
{
	return pool->a4[pct(g, 90) ? below(g, 6) : below(g, pool->n4)];
}

static const uint8_t *pool6_pick(struct g *g, const struct gen_pool *pool)
{
	return pool->a6[pct(g, 88) ? below(g, 7) : below(g, pool->n6)];
}

/* A lifetime in seconds: infinite, 0, short ones that run out during a
 * run, and long ones. */
static uint32_t lifetime(struct g *g)
{
	switch (PICK(g, 10, 10, 8, 40, 20, 7, 5)) {
	case 0:
		return 0xffffffff;
	case 1:
		return 0;
	case 2:
		return 1 + below(g, 3);
	case 3:
		return ONE_OF(g, 600, 3600, 7200, 86400);
	case 4:
		return 60 + below(g, 100000);
	case 5:
		return 0xfffffffe;
	default:
		return rnd32(g);
	}
}

static void put_eth_type(struct g *g, const uint8_t dst[6], unsigned int type)
{
	putn(g, dst, 6);
	putn(g, g->src_mac, 6);
	put16(g, type);
	mark(g);
	g->l3 = g->len;
}

/* An IPv4 header, mostly unfragmented UDP; the total length is set by
 * fix_lengths(). */
static void put_ipv4_header(struct g *g, unsigned int proto, const uint8_t src[4],
			    const uint8_t dst[4])
{
	unsigned int ihl = pct(g, 92) ? 5 : 6 + below(g, 3);

	g->ipver = 4;
	g->ihl = ihl * 4;
	put8(g, 0x40 | ihl);
	put8(g, 0);
	put16(g, 0);
	put16(g, rnd32(g));
	put16(g, pct(g, 92) ? ONE_OF(g, 0, 0x4000) : ONE_OF(g, 0x2000, 0x0001, 0x2010, 0x0100));
	put8(g, 64);
	put8(g, proto);
	put16(g, 0);
	putn(g, src, 4);
	putn(g, dst, 4);
	for (unsigned int i = 5; i < ihl; i++)
		put32(g, 0x01010101);	/* NOPs */
	mark(g);
}

/* BOOTP up to the options: op, chaddr, ciaddr and yiaddr given. */
static void put_bootp_fixed(struct g *g, unsigned int op, const uint8_t chaddr[6],
			    const uint8_t ciaddr[4], const uint8_t yiaddr[4])
{
	put8(g, op);
	put8(g, pct(g, 96) ? 1 : ONE_OF(g, 6, 0, 32));
	put8(g, pct(g, 96) ? 6 : ONE_OF(g, 0, 16, 5));
	put8(g, 0);
	put32(g, rnd32(g));
	put32(g, 0);
	putn(g, ciaddr, 4);
	putn(g, yiaddr, 4);
	put32(g, pct(g, 50) ? 0 : 0xc0000201);	/* siaddr */
	put32(g, pct(g, 80) ? 0 : 0x0a090001);	/* giaddr */
	mark(g);
	putn(g, chaddr, 6);
	put_zero(g, 10 + 64 + 128);
	mark(g);
	put32(g, pct(g, 95) ? 0x63825363 : ONE_OF(g, 0x63825362, 0x53638263, 0));
	mark(g);
}

/* Options that say nothing to us, or PADs, n of them. */
static void put_dhcp4_noise(struct g *g, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		if (pct(g, 30)) {
			put8(g, 0);
			continue;
		}
		put8(g, ONE_OF(g, 1, 3, 6, 12, 15, 54, 58, 59, 61, 81, 119));
		unsigned int l = below(g, 9);
		put8(g, l);
		put_random(g, l);
	}
}

/*
 * DHCPv4 options: message type, lease time (ACKs), requested address
 * (DECLINE), in some order among others, PAD runs, odd lengths, repeats,
 * many options, then END, nothing, or an option that does not fit.
 */
static void put_dhcp4_options(struct g *g, unsigned int type, const uint8_t *lease_or_req,
			      bool requested)
{
	unsigned int before = PICK(g, 50, 25, 10, 10, 5);
	uint32_t lease = lease_or_req ? 0 : lifetime(g);

	before = before == 0 ? 0 : before == 1 ? 1 + below(g, 3) : before == 2 ? 4 + below(g, 4)
		 : before == 3 ? 8 + below(g, 24) : 30 + below(g, 10);
	if (pct(g, 60)) {
		put_dhcp4_noise(g, before);
		before = 0;
	}
	mark(g);
	put8(g, 53);
	put8(g, pct(g, 95) ? 1 : ONE_OF(g, 0, 2));
	put8(g, type);
	mark(g);
	if (pct(g, 4)) {	/* a second type */
		put8(g, 53);
		put8(g, 1);
		put8(g, ONE_OF(g, 5, 6, 7, 4, 3));
	}
	put_dhcp4_noise(g, before);
	if (pct(g, 10)) {	/* a PAD run */
		unsigned int n = 1 + below(g, 40);

		for (unsigned int i = 0; i < n; i++)
			put8(g, 0);
	}
	if (requested) {
		put8(g, 50);
		put8(g, pct(g, 94) ? 4 : ONE_OF(g, 3, 5));
		putn(g, lease_or_req, 4);
		mark(g);
	} else if (!lease_or_req && pct(g, 92)) {
		unsigned int l = pct(g, 94) ? 4 : ONE_OF(g, 2, 3, 5, 8);

		put8(g, 51);
		put8(g, l);
		put32(g, lease);
		if (l > 4)
			put_zero(g, l - 4);
		else
			g->len -= 4 - l;
		mark(g);
	}
	put_dhcp4_noise(g, below(g, 4));
	switch (PICK(g, 85, 8, 7)) {
	case 0:
		put8(g, 255);
		break;
	case 1:	/* an option past the end */
		put8(g, 12);
		put8(g, 200);
		put_random(g, below(g, 8));
		break;
	default:
		break;
	}
	mark(g);
	if (pct(g, 30))
		put_zero(g, below(g, 64));	/* padding to a minimum size */
}

/* A DHCPv4 message from a server to the guest: ACK, NAK or other. */
static void dhcp4_delivered(struct g *g, const struct gen_pool *pool)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t server[4] = { 10, 9, 0, 254 }, zero[4] = { 0 };
	uint8_t chaddr[6], dst_mac[6], dst[4];
	const uint8_t *yi = pool4_pick(g, pool);
	unsigned int type = ONE_OF(g, 5, 5, 5, 5, 5, 5, 6, 2, 5, 5);

	policy_mac(g, chaddr);
	if (pct(g, 8))
		random_unicast_mac(g, chaddr);
	memcpy(dst_mac, pct(g, 50) ? bcast : chaddr, 6);
	memcpy(dst, pct(g, 50) ? yi : (const uint8_t *)"\xff\xff\xff\xff", 4);
	random_unicast_mac(g, g->src_mac);
	put_eth_type(g, dst_mac, 0x0800);
	put_ipv4_header(g, pct(g, 97) ? 17 : 6, server, dst);
	put_udp(g, 67, pct(g, 94) ? 68 : ONE_OF(g, 67, 546), 0);
	put_bootp_fixed(g, pct(g, 95) ? 2 : 1, chaddr, zero, type == 6 && pct(g, 70) ? zero : yi);
	put_dhcp4_options(g, type, NULL, false);
}

/* A DHCPv4 message from the guest: RELEASE, DECLINE, REQUEST. */
static void dhcp4_sent(struct g *g, const struct gen_pool *pool)
{
	static const uint8_t bcast4[4] = { 255, 255, 255, 255 }, zero[4] = { 0 };
	static const uint8_t server[4] = { 10, 9, 0, 254 };
	uint8_t chaddr[6], dst_mac[6];
	const uint8_t *a = pool4_pick(g, pool);
	unsigned int type = ONE_OF(g, 7, 7, 7, 4, 4, 3, 8);

	policy_mac(g, g->src_mac);
	pick_other_mac(g, chaddr);
	random_unicast_mac(g, dst_mac);
	put_eth_type(g, dst_mac, 0x0800);
	if (type == 7)
		put_ipv4_header(g, 17, a, server);
	else
		put_ipv4_header(g, 17, zero, bcast4);
	put_udp(g, 68, pct(g, 95) ? 67 : 68, 0);
	put_bootp_fixed(g, pct(g, 95) ? 1 : 2, chaddr, type == 7 ? a : zero, zero);
	put_dhcp4_options(g, type, type == 4 ? pool4_pick(g, pool) : zero, type == 4);
}

/*
 * DHCPv6 options (RFC 8415 21): identifiers, IA_NA and IA_TA holding
 * one to four IAADDRs (now and then too short, or with a status code
 * inside), a stray IAADDR at the top, runs of other options.
 */
static void put_dhcp6_options(struct g *g, const struct gen_pool *pool)
{
	unsigned int n_ia = PICK(g, 10, 55, 25, 10);

	if (pct(g, 70)) {	/* client identifier: a DUID-LL */
		put16(g, 1);
		put16(g, 10);
		put16(g, 3);
		put16(g, 1);
		putn(g, g->src_mac, 6);
	}
	if (pct(g, 10)) {	/* many options */
		unsigned int n = 4 + below(g, 16);

		for (unsigned int i = 0; i < n; i++) {
			put16(g, ONE_OF(g, 2, 7, 8, 14, 23, 24));
			unsigned int l = below(g, 6);
			put16(g, l);
			put_random(g, l);
		}
	}
	for (unsigned int i = 0; i < n_ia; i++) {
		bool ta = pct(g, 25);
		size_t start = g->len;
		unsigned int n_addr = PICK(g, 10, 45, 25, 12, 8);

		mark(g);
		put16(g, ta ? 4 : 3);
		put16(g, 0);
		if (pct(g, 4)) {	/* shorter than its fixed part */
			put_random(g, below(g, ta ? 4 : 12));
			set16(g, start + 2, g->len - start - 4);
			continue;
		}
		put32(g, rnd32(g));	/* IAID */
		if (!ta) {
			put32(g, 1800);
			put32(g, 2880);
		}
		for (unsigned int j = 0; j < n_addr; j++) {
			unsigned int l = pct(g, 92) ? 24 : ONE_OF(g, 23, 20, 28, 30);
			uint32_t valid = lifetime(g);
			size_t at = g->len;

			mark(g);
			put16(g, 5);
			put16(g, l);
			putn(g, pool6_pick(g, pool), 16);
			put32(g, valid == 0 || valid == 0xffffffff ? valid : valid / 2);
			put32(g, valid);
			if (l > 24)
				put_random(g, l - 24);
			else
				g->len = at + 4 + l;	/* cut short */
		}
		if (pct(g, 10)) {	/* status code */
			put16(g, 13);
			put16(g, 2);
			put16(g, ONE_OF(g, 0, 2, 3));
		}
		/* The IA's length: right mostly, or off. */
		set16(g, start + 2, g->len - start - 4 + (pct(g, 93) ? 0 : ONE_OF(g, 1, 4, 100)));
	}
	if (pct(g, 8)) {	/* an IAADDR outside an IA */
		put16(g, 5);
		put16(g, 24);
		putn(g, pool6_pick(g, pool), 16);
		put32(g, 100);
		put32(g, lifetime(g));
	}
	if (pct(g, 6)) {	/* an option past the end */
		put16(g, 23);
		put16(g, 300);
		put_random(g, below(g, 8));
	}
	mark(g);
}

static void dhcp6_frame(struct g *g, const struct gen_pool *pool, bool to_guest)
{
	static const uint8_t servers[16] = { 0xff, 0x02, [13] = 1, [15] = 2 };
	uint8_t src[16], dst[16], dst_mac[6];
	unsigned int type;

	if (to_guest) {
		policy_mac(g, dst_mac);
		if (pct(g, 6))
			random_unicast_mac(g, dst_mac);
		random_unicast_mac(g, g->src_mac);
		memset(src, 0, 16);
		src[0] = 0xfe, src[1] = 0x80, src[15] = 0x53;
		eui64_ll(dst_mac, dst);
		type = pct(g, 90) ? 7 : ONE_OF(g, 2, 10, 8, 12);
	} else {
		policy_mac(g, g->src_mac);
		multicast_mac(servers, dst_mac);
		memcpy(dst, servers, 16);
		if (pct(g, 50) || !g->p->n_v6)
			eui64_ll(g->src_mac, src);
		else if (pct(g, 50))
			memcpy(src, g->p->v6[below(g, g->p->n_v6)].addr, 16);
		else
			memcpy(src, pool6_pick(g, pool), 16);
		type = ONE_OF(g, 8, 8, 9, 9, 3, 5);
	}
	put_eth_type(g, dst_mac, 0x86dd);
	g->ipver = 6;
	put_v6_header(g, pct(g, 95) ? 17 : ONE_OF(g, 0, 60), 255, src, dst);
	mark(g);
	if (g->b[g->l3 + 6] != 17) {	/* an extension header first */
		put8(g, 17);
		put8(g, 0);
		put_zero(g, 6);
	}
	put_udp(g, to_guest ? 547 : 546, to_guest ? (pct(g, 95) ? 546 : 547)
						  : (pct(g, 95) ? 547 : 546), 0);
	put8(g, type);
	put8(g, rnd32(g));
	put16(g, rnd32(g));
	mark(g);
	put_dhcp6_options(g, pool);
}

/* Damage, less than gen_frame's: most messages should count. */
static size_t dhcp_finish(struct g *g)
{
	if (g->len > GEN_FRAME_MAX)
		g->len = GEN_FRAME_MAX;
	fix_lengths(g);
	if (g->n_marks && pct(g, 8)) {
		size_t at = g->marks[below(g, g->n_marks)] + below(g, 5);

		at = at > 2 ? at - 2 : 0;
		if (at < g->len && at >= 14) {
			g->len = at;
			if (pct(g, 70))
				fix_lengths(g);
		}
	}
	if (pct(g, 3))
		tweak_length(g);
	if (pct(g, 2))
		mutate(g);
	return g->len;
}

size_t gen_dhcp_delivered(struct vg_rng *r, const struct model_policy *p,
			  const struct gen_pool *pool, uint8_t *buf)
{
	struct g g0 = { .r = r, .p = p, .b = buf }, *g = &g0;

	if (pct(g, 50))
		dhcp4_delivered(g, pool);
	else
		dhcp6_frame(g, pool, true);
	return dhcp_finish(g);
}

size_t gen_dhcp_sent(struct vg_rng *r, const struct model_policy *p,
		     const struct gen_pool *pool, uint8_t *buf)
{
	static const uint8_t server4[4] = { 10, 9, 0, 254 };
	struct g g0 = { .r = r, .p = p, .b = buf }, *g = &g0;
	uint8_t dst_mac[6], dst[16], src[16];

	switch (PICK(g, 25, 20, 25, 15, 15)) {
	case 0:
		dhcp4_sent(g, pool);
		break;
	case 1:
		dhcp6_frame(g, pool, false);
		break;
	case 2:	/* IPv4 from a pool address */
		pick_src_mac(g, g->src_mac);
		random_unicast_mac(g, dst_mac);
		put_eth_type(g, dst_mac, 0x0800);
		put_ipv4_header(g, 17, pool4_pick(g, pool), server4);
		put_udp(g, 1000 + below(g, 1000), 53, 0);
		put_random(g, below(g, 32));
		break;
	case 3:	/* ARP from a pool address */
		pick_src_mac(g, g->src_mac);
		memset(dst_mac, 0xff, 6);
		put_eth_type(g, dst_mac, 0x0806);
		put16(g, 1);
		put16(g, 0x0800);
		put8(g, 6);
		put8(g, 4);
		put16(g, ONE_OF(g, 1, 1, 2));
		putn(g, g->src_mac, 6);
		putn(g, pool4_pick(g, pool), 4);
		put_zero(g, 6);
		putn(g, pct(g, 50) ? pool4_pick(g, pool) : server4, 4);
		break;
	default:	/* IPv6 from a pool address */
		pick_src_mac(g, g->src_mac);
		random_unicast_mac(g, dst_mac);
		put_eth_type(g, dst_mac, 0x86dd);
		g->ipver = 6;
		memcpy(src, pool6_pick(g, pool), 16);
		memcpy(dst, pool->a6[0], 16);
		dst[15] = 0x53;
		put_v6_header(g, 17, 64, src, dst);
		mark(g);
		put_udp(g, 1000 + below(g, 1000), 53, 0);
		put_random(g, below(g, 32));
	}
	return dhcp_finish(g);
}
