// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Link-local learning (include/vifguard.h, "Address learning"): the real
 * program, loaded through its skeleton, runs sequences of crafted frames
 * through BPF_PROG_TEST_RUN, the ingress program "vifguard" for what a
 * guest sends and the egress program "vifguard_out" for what the host
 * delivers to it.  Learning is about state, so a case is a sequence of
 * steps, and after each step it asserts
 *
 *   the verdict, and that exactly the counter of its reason moved by one
 *   (ingress: passes[the interface's slot], or drops[{ifindex, reason}]
 *   and totals[reason]; egress: TC_ACT_OK and no counter at all), and,
 *   where the case says so, the whole of learned6, learn_slots and
 *   protected6: every entry with its interface, origin, slot or reason,
 *   the learned time of an entry equal to its slot's, and no other entry
 *   (learned4 and lease_slots empty).
 *
 * Interfaces: A is the namespace's loopback device, B one end of a veth
 * pair, C the other end, which has no policy.  BPF_PROG_TEST_RUN takes
 * the ifindex of an existing device in the context, so each frame runs
 * "on" the interface of the step.  A and B have policies of their own:
 * their own MAC, one global address inline, VG_F_LINK_LOCAL (the EUI-64
 * link-local of the MAC) and VG_F_LEARN_LL unless the case changes it.
 * The learned addresses are not EUI-64 ones, like those of guests with
 * stable-privacy or random interface identifiers.  Before every case the
 * three learning maps and the counters are emptied and the policies
 * written afresh.
 *
 * Usage: test-learn [FIRST]   TAP numbering starts at FIRST (default 1).
 * Root only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "learn_harness.h"

static const uint8_t MAC_A[6] = { 0x02, 0x00, 0x00, 0x00, 0x0a, 0x01 };
static const uint8_t MAC_B[6] = { 0x02, 0x00, 0x00, 0x00, 0x0b, 0x01 };
static const uint8_t MAC_ROUTER[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xfe };
/* A node behind the uplink that defends an address. */
static const uint8_t MAC_NODE[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x77 };

#define V6_A		"2001:db8::a"		/* A's policy, inline */
#define V6_B		"2001:db8::b"		/* B's policy, inline */
#define V6_GLOBAL	"2001:db8::77"		/* nobody's */
#define LL_EUI_A	"fe80::ff:fe00:a01"	/* EUI-64 of MAC_A */
/* Not EUI-64 of any MAC (no ff:fe in the middle). */
#define LL1		"fe80::1c2d:3e4f:5a6b:7c01"
#define LL2		"fe80::1c2d:3e4f:5a6b:7c02"
#define LL3		"fe80::1c2d:3e4f:5a6b:7c03"
#define LL4		"fe80::1c2d:3e4f:5a6b:7c04"
#define LL5		"fe80::1c2d:3e4f:5a6b:7c05"
#define LL_ROUTER	"fe80::1"
#define LL_ROUTER2	"fe80::2"
#define LL_OUTSIDE	"fec0::5"	/* fe80::/10 is link-local, fec0::/10 not */

/* Entries of interfaces that do not exist, for filling tables. */
#define FILL_IFINDEX	100000

static struct iface A = { "A", 0, 7, MAC_A, NULL, V6_A, NULL };
static struct iface B = { "B", 0, 11, MAC_B, NULL, V6_B, NULL };
static struct iface C = { "C", 0, 13, MAC_B, NULL, NULL, NULL };	/* no policy */

/* --- policies -------------------------------------------------------------- */

/* The policy of i in its array entry (live), or none (zero entry). */
static void set_policy(const struct iface *i, __u8 mode, __u16 flags, const char *extra_v6)
{
	__u32 k = i->ifindex & (VG_POLICY_ENTRIES - 1);
	struct vg_policy_entry e = { .ifindex = i->ifindex, .live = 1 };
	struct vg_addr6 a;

	e.pol.mode = mode;
	e.pol.flags = flags;
	e.pol.slot = i->slot;
	e.pol.n_macs = 1;
	memcpy(e.pol.macs[0], i->mac, 6);
	a = a6(i->v6);
	memcpy(e.pol.v6[0], &a, 16);
	if (extra_v6) {
		a = a6(extra_v6);
		memcpy(e.pol.v6[1], &a, 16);
	}
	snprintf(e.pol.ifname, sizeof(e.pol.ifname), "%s", i->name);
	if (bpf_map_update_elem(map_fd(skel->maps.policy), &k, &e, BPF_ANY))
		die("policy update", errno);
}

#define F_DEFAULT	(VG_F_LINK_LOCAL | VG_F_LEARN_LL)

static void default_policy(const struct iface *i)
{
	set_policy(i, VG_MODE_LOCKED, F_DEFAULT, NULL);
}

/* Retired, as the loader leaves an entry it is about to rewrite. */
static void retire_policy(const struct iface *i)
{
	__u32 k = i->ifindex & (VG_POLICY_ENTRIES - 1);
	struct vg_policy_entry e;

	if (bpf_map_lookup_elem(map_fd(skel->maps.policy), &k, &e))
		die("policy read", errno);
	e.live = 0;
	if (bpf_map_update_elem(map_fd(skel->maps.policy), &k, &e, BPF_ANY))
		die("policy update", errno);
}

/* What the loader writes: a configured address of i, or a protected one. */
static void put_config(const char *addr, const struct iface *i)
{
	struct vg_addr6 k = a6(addr);
	struct vg_owner o = { .ifindex = i->ifindex, .origin = VG_ORIGIN_CONFIG };

	if (bpf_map_update_elem(map_fd(skel->maps.learned6), &k, &o, BPF_NOEXIST))
		die("learned6 config entry", errno);
}

/* --- frames ---------------------------------------------------------------- */

/* 33:33 and the low 32 bits of a multicast address (RFC 2464 7). */
static void eth_to(struct frame *f, const uint8_t *src, const char *dst, uint16_t proto)
{
	struct vg_addr6 d = a6(dst);
	const uint8_t *b = (const uint8_t *)d.addr;
	uint8_t mac[6] = { 0x33, 0x33, b[12], b[13], b[14], b[15] };

	eth(f, src, b[0] == 0xff ? mac : MAC_ROUTER, proto);
}

/* ff02::1:ffXX:XXXX of target (RFC 4291 2.7.1). */
static const char *snm_of(const char *target, char *buf)
{
	struct vg_addr6 t = a6(target), g = a6("ff02::1:ff00:0");
	uint8_t *tb = (uint8_t *)t.addr, *gb = (uint8_t *)g.addr;

	memcpy(gb + 13, tb + 13, 3);
	return ntop6(&g, buf);
}

struct nd_msg {
	const uint8_t *mac;		/* Ethernet source */
	const char *src, *dst;		/* dst NULL: target's solicited-node group */
	uint8_t type;
	uint8_t hop;			/* 0: 255 */
	const char *target;		/* NS, NA */
	bool nonce, slla, tlla;		/* options, lladdr the Ethernet source */
	bool frag;			/* in an atomic fragment */
	bool opt_len0;			/* an option of length 0 at the end */
	bool cut;			/* the message ends 8 octets into its target */
	int payload_extra;		/* added to the payload length */
};

static struct frame nd(const struct nd_msg *m)
{
	struct frame f = { .len = 0 };
	char snm[INET6_ADDRSTRLEN];
	const char *dst = m->dst ? m->dst : snm_of(m->target, snm);
	size_t ip, l4;

	eth_to(&f, m->mac, dst, 0x86dd);
	ip = ip6_begin(&f, m->src, dst, m->frag ? 44 : 58, m->hop ? m->hop : 255);
	if (m->frag)
		ip6_frag(&f, 58, 0, 0);
	l4 = f.len;
	icmp6(&f, m->type, 0);
	if (m->type == 136)
		put32(&f, 0x20000000);	/* override */
	else if (m->type == 134)
		put32(&f, 0x40000708);	/* hop limit 64, lifetime 1800 */
	else
		put32(&f, 0);
	if (m->type == 134)
		put(&f, NULL, 8);	/* reachable, retrans */
	if (m->target) {
		struct vg_addr6 t = a6(m->target);

		put(&f, t.addr, m->cut ? 8 : 16);
	}
	if (m->nonce)
		nd_nonce(&f);
	if (m->slla)
		nd_lladdr(&f, 1, m->mac);
	if (m->tlla)
		nd_lladdr(&f, 2, m->mac);
	if (m->opt_len0) {
		put8(&f, 14);
		put8(&f, 0);
		put(&f, NULL, 6);
	}
	ip6_end(&f, ip);
	if (!m->frag)
		l4_csum(&f, ip, l4, 2, 58);
	set16(&f, ip + 4, f.len - ip - 40 + m->payload_extra);
	return f;
}

/* DAD as Linux sends it (RFC 4862 5.4.2, RFC 7527): from "::" to the
 * target's solicited-node group, a nonce, no source link-layer option. */
static struct frame dad(const uint8_t *mac, const char *target)
{
	struct nd_msg m = { .mac = mac, .src = "::", .type = 135, .target = target, .nonce = true };

	return nd(&m);
}

/* An unsolicited NA of src for target, to all nodes. */
static struct frame na(const uint8_t *mac, const char *src, const char *target)
{
	struct nd_msg m = { .mac = mac, .src = src, .dst = "ff02::1", .type = 136,
			    .target = target, .tlla = true };

	return nd(&m);
}

static struct frame rs(const uint8_t *mac, const char *src)
{
	struct nd_msg m = { .mac = mac, .src = src, .dst = "ff02::2", .type = 133, .slla = true };

	return nd(&m);
}

/* A router's RA to all nodes, hop limit hop. */
static struct frame ra(const char *src, uint8_t hop)
{
	struct nd_msg m = { .mac = MAC_ROUTER, .src = src, .dst = "ff02::1", .type = 134,
			    .hop = hop, .slla = true };

	return nd(&m);
}

/* The NA a node sends to defend target against a DAD probe (RFC 4861
 * 7.2.4: to all nodes, as the probe came from "::"). */
static struct frame defend(const char *target, uint8_t hop)
{
	struct nd_msg m = { .mac = MAC_NODE, .src = target, .dst = "ff02::1", .type = 136,
			    .hop = hop, .target = target, .tlla = true };

	return nd(&m);
}

static struct frame udp_from(const uint8_t *mac, const char *src)
{
	return udp6(mac, src, MAC_ROUTER, "fe80::1", 5353);
}

static struct frame echo_from(const uint8_t *mac, const char *src)
{
	struct frame f = { .len = 0 };
	size_t ip, l4;

	eth(&f, mac, MAC_ROUTER, 0x86dd);
	ip = ip6_begin(&f, src, "fe80::1", 58, 64);
	l4 = f.len;
	icmp6(&f, 128, 0);
	put32(&f, 0x12340001);	/* id, sequence */
	put(&f, NULL, 32);
	ip6_end(&f, ip);
	l4_csum(&f, ip, l4, 2, 58);
	return f;
}

/* --- steps -------------------------------------------------------------------- */

#define AUDITED(r)	TC_ACT_OK, VG_##r	/* counted as a drop, passed */

/* Frame f, delivered by the host to i (egress): TC_ACT_OK, nothing
 * counted.  *refused (if not NULL) tells a frame the kernel would not
 * run, which is then no failure. */
static bool out_r(const struct iface *i, struct frame f, const char *what, bool *refused)
{
	return step_run(skel->progs.vifguard_out, i, f, what, TC_ACT_OK, VG_PASS, refused);
}

static bool out(const struct iface *i, struct frame f, const char *what)
{
	return out_r(i, f, what, NULL);
}

/* The same for a frame that guest "from" sent, which the bridge delivers
 * to i. */
static bool out_from(const struct iface *i, const struct iface *from, struct frame f,
		     const char *what)
{
	bool ok;

	sent_by = from;
	ok = out_r(i, f, what, NULL);
	sent_by = NULL;
	return ok;
}

/* --- expected entries (STATE) ------------------------------------------------ */

/* learned6 (addr, interface, origin, slot), learn_slots (interface,
 * slot, addr), protected6 (addr, why, interface or NULL for 0). */
#define L(a, i, o, s)	{ '6', a, i, VG_ORIGIN_##o, s, 0 }
#define S(i, s, a)	{ 'D', a, i, 0, s, 0 }
#define P(a, w, i)	{ 'P', a, i, VG_PROTECT_##w, 0, 0 }

/* --- resets ------------------------------------------------------------------ */

static void reset(void)
{
	const struct iface *ifs[] = { &A, &B, &C };

	map_clear(skel->maps.learned6);
	map_clear(skel->maps.learn_slots);
	map_clear(skel->maps.protected6);
	reset_counters(ifs, ARRAY_SIZE(ifs));
	default_policy(&A);
	default_policy(&B);
	no_policy(&C);
	reset_case();
}

/* --- cases -------------------------------------------------------------------- */

/* A DAD probe on A learns; the address is A's, and only A's. */
static bool case_learn(void)
{
	struct state s;

	CHECK(in(&A, dad(MAC_A, LL1), "DAD NS for LL1", PASSES));
	STATE("A learned LL1", L(LL1, &A, DAD, 0), S(&A, 0, LL1));
	state_read(&s);
	CHECK(in(&A, udp_from(MAC_A, LL1), "UDP from LL1", PASSES));
	CHECK(in(&A, echo_from(MAC_A, LL1), "echo request from LL1", PASSES));
	CHECK(in(&A, na(MAC_A, LL1, LL1), "NA for LL1 from LL1", PASSES));
	CHECK(in(&A, na(MAC_A, V6_A, LL1), "NA for LL1 from A's global address", PASSES));
	CHECK(in(&A, rs(MAC_A, LL1), "RS from LL1", PASSES));
	/* A's own probe again (its DAD retried): the policy allows it now. */
	CHECK(in(&A, dad(MAC_A, LL1), "DAD NS for LL1 again", PASSES));
	SAME(s, "A's frames from LL1");
	CHECK(in(&B, udp_from(MAC_B, LL1), "UDP from LL1", DROPS(IPV6_SRC)));
	CHECK(in(&B, echo_from(MAC_B, LL1), "echo request from LL1", DROPS(IPV6_SRC)));
	CHECK(in(&B, na(MAC_B, LL1, LL1), "NA for LL1 from LL1", DROPS(IPV6_SRC)));
	CHECK(in(&B, na(MAC_B, V6_B, LL1), "NA for LL1 from B's global address", DROPS(ND_TARGET)));
	CHECK(in(&B, rs(MAC_B, LL1), "RS from LL1", DROPS(IPV6_SRC)));
	SAME(s, "B's frames from LL1");
	/* A learned address counts only while the policy learns. */
	set_policy(&A, VG_MODE_LOCKED, VG_F_LINK_LOCAL, NULL);
	CHECK(in(&A, udp_from(MAC_A, LL1), "UDP from LL1, learning off", DROPS(IPV6_SRC)));
	SAME(s, "learning switched off");
	return true;
}

static bool case_learning_off(void)
{
	set_policy(&A, VG_MODE_LOCKED, VG_F_LINK_LOCAL, NULL);
	CHECK(in(&A, dad(MAC_A, LL1), "DAD NS for LL1, learning off", DROPS(ND_TARGET)));
	STATE("nothing learned");
	CHECK(in(&A, udp_from(MAC_A, LL1), "UDP from LL1", DROPS(IPV6_SRC)));
	CHECK(in(&A, dad(MAC_A, LL_EUI_A), "DAD NS for the EUI-64 link-local", PASSES));
	STATE("the policy's own address is not learned");
	set_policy(&A, VG_MODE_LOCKED, VG_F_LEARN_LL, NULL);
	CHECK(in(&A, dad(MAC_A, LL_EUI_A), "DAD NS for the EUI-64 link-local, "
		 "learning on, VG_F_LINK_LOCAL off", PASSES));
	STATE("learned without VG_F_LINK_LOCAL", L(LL_EUI_A, &A, DAD, 0), S(&A, 0, LL_EUI_A));
	return true;
}

/* Probes that are no valid DAD, or not for a learnable address. */
static bool case_invalid(void)
{
	struct nd_msg slla = { .mac = MAC_A, .src = "::", .type = 135, .target = LL1,
			       .nonce = true, .slla = true };
	struct nd_msg all_nodes = { .mac = MAC_A, .src = "::", .dst = "ff02::1", .type = 135,
				    .target = LL1, .nonce = true };
	struct nd_msg other_snm = { .mac = MAC_A, .src = "::", .dst = "ff02::1:ff6b:7c02",
				    .type = 135, .target = LL1, .nonce = true };
	struct nd_msg unicast = { .mac = MAC_A, .src = "::", .dst = LL1, .type = 135,
				  .target = LL1, .nonce = true };
	struct nd_msg hop254 = { .mac = MAC_A, .src = "::", .type = 135, .target = LL1,
				 .nonce = true, .hop = 254 };
	struct nd_msg hop1 = { .mac = MAC_A, .src = "::", .type = 135, .target = LL1, .hop = 1 };
	struct nd_msg frag = { .mac = MAC_A, .src = "::", .type = 135, .target = LL1,
			       .nonce = true, .frag = true };
	struct nd_msg global = { .mac = MAC_A, .src = "::", .type = 135, .target = V6_GLOBAL,
				 .nonce = true };
	struct nd_msg outside = { .mac = MAC_A, .src = "::", .type = 135, .target = LL_OUTSIDE,
				  .nonce = true };
	struct nd_msg unspec = { .mac = MAC_A, .src = "::", .type = 135, .target = "::",
				 .nonce = true };
	struct nd_msg resolve = { .mac = MAC_A, .src = V6_A, .type = 135, .target = LL1,
				  .slla = true };
	struct nd_msg self = { .mac = MAC_A, .src = LL1, .type = 135, .target = LL1,
			       .slla = true };
	struct nd_msg na_unspec = { .mac = MAC_A, .src = "::", .dst = "ff02::1", .type = 136,
				    .target = LL1 };
	struct nd_msg badopt = { .mac = MAC_A, .src = "::", .type = 135, .target = LL1,
				 .nonce = true, .opt_len0 = true };
	struct nd_msg cut = { .mac = MAC_A, .src = "::", .type = 135, .target = LL1, .cut = true };
	struct nd_msg foreign_mac = { .mac = MAC_B, .src = "::", .type = 135, .target = LL1,
				      .nonce = true };

#define NOTHING(what, frame, ...)                                                      \
	do {                                                                           \
		CHECK(in(&A, frame, what, __VA_ARGS__));                               \
		STATE(what);                                                           \
	} while (0)
	NOTHING("DAD NS with a source link-layer option", nd(&slla), DROPS(ND_LLADDR));
	NOTHING("DAD NS to all nodes", nd(&all_nodes), DROPS(IPV6_UNSPEC_SRC));
	NOTHING("DAD NS to another solicited-node group", nd(&other_snm), DROPS(IPV6_UNSPEC_SRC));
	NOTHING("DAD NS to the target itself", nd(&unicast), DROPS(IPV6_UNSPEC_SRC));
	NOTHING("DAD NS, hop limit 254", nd(&hop254), DROPS(ND_HOPLIMIT));
	NOTHING("DAD NS, hop limit 1, no nonce", nd(&hop1), DROPS(ND_HOPLIMIT));
	NOTHING("DAD NS in an atomic fragment", nd(&frag), DROPS(ND_FRAGMENT));
	NOTHING("DAD NS for a global address", nd(&global), DROPS(ND_TARGET));
	NOTHING("DAD NS for fec0::5 (not fe80::/10)", nd(&outside), DROPS(ND_TARGET));
	NOTHING("DAD NS for ::", nd(&unspec), DROPS(ND_TARGET));
	NOTHING("DAD NS with an option of length 0", nd(&badopt), DROPS(ND_MALFORMED));
	NOTHING("DAD NS cut in its target", nd(&cut), DROPS(ND_MALFORMED));
	NOTHING("DAD NS from a foreign MAC", nd(&foreign_mac), DROPS(SRC_MAC));
	NOTHING("NS from A's global address for LL1 (resolution)", nd(&resolve), PASSES);
	NOTHING("NS from LL1 for LL1", nd(&self), DROPS(IPV6_SRC));
	NOTHING("NA from ::", nd(&na_unspec), DROPS(IPV6_UNSPEC_SRC));
	NOTHING("unsolicited NA for LL1 from A's global address", na(MAC_A, V6_A, LL1),
		DROPS(ND_TARGET));
	NOTHING("UDP from LL1", udp_from(MAC_A, LL1), DROPS(IPV6_SRC));
#undef NOTHING
	/* After all that, a valid probe still learns. */
	CHECK(in(&A, dad(MAC_A, LL1), "valid DAD NS for LL1", PASSES));
	STATE("A learned LL1", L(LL1, &A, DAD, 0), S(&A, 0, LL1));
	return true;
}

static bool case_conflict_learned(void)
{
	struct state s;

	CHECK(in(&A, dad(MAC_A, LL1), "DAD NS for LL1", PASSES));
	state_read(&s);
	CHECK(in(&B, dad(MAC_B, LL1), "DAD NS for A's LL1", DROPS(LEARN_CONFLICT)));
	SAME(s, "B's probe for A's address");
	CHECK(in(&B, udp_from(MAC_B, LL1), "UDP from LL1", DROPS(IPV6_SRC)));
	CHECK(in(&B, na(MAC_B, LL1, LL1), "NA for LL1 from LL1", DROPS(IPV6_SRC)));
	CHECK(in(&B, dad(MAC_B, LL1), "DAD NS for A's LL1 again", DROPS(LEARN_CONFLICT)));
	CHECK(in(&A, udp_from(MAC_A, LL1), "UDP from LL1", PASSES));
	SAME(s, "B's frames from A's address");
	/* B learns its own beside it. */
	CHECK(in(&B, dad(MAC_B, LL2), "DAD NS for LL2", PASSES));
	STATE("each has its own", L(LL1, &A, DAD, 0), S(&A, 0, LL1), L(LL2, &B, DAD, 0),
	      S(&B, 0, LL2));
	CHECK(in(&A, dad(MAC_A, LL2), "DAD NS for B's LL2", DROPS(LEARN_CONFLICT)));
	return true;
}

static bool case_conflict_config(void)
{
	struct state s;

	put_config(LL2, &A);
	state_read(&s);
	CHECK(in(&B, dad(MAC_B, LL2), "DAD NS for A's configured LL2", DROPS(LEARN_CONFLICT)));
	SAME(s, "B's probe for A's configured address");
	CHECK(in(&B, udp_from(MAC_B, LL2), "UDP from LL2", DROPS(IPV6_SRC)));
	/* The entry alone allows nothing, not even on A. */
	CHECK(in(&A, udp_from(MAC_A, LL2), "UDP from LL2, not in A's policy", DROPS(IPV6_SRC)));
	CHECK(in(&A, na(MAC_A, V6_A, LL2), "NA for LL2, not in A's policy", DROPS(ND_TARGET)));
	/* A's own probe for it: A holds it, nothing to learn. */
	CHECK(in(&A, dad(MAC_A, LL2), "DAD NS for its configured LL2", PASSES));
	SAME(s, "A's frames for LL2");
	set_policy(&A, VG_MODE_LOCKED, F_DEFAULT, LL2);
	CHECK(in(&A, udp_from(MAC_A, LL2), "UDP from LL2, in A's policy", PASSES));
	CHECK(in(&A, dad(MAC_A, LL2), "DAD NS for LL2, in A's policy", PASSES));
	CHECK(in(&B, dad(MAC_B, LL2), "DAD NS for A's configured LL2", DROPS(LEARN_CONFLICT)));
	SAME(s, "LL2 in A's policy");
	return true;
}

static bool case_protected(void)
{
	put_protected(LL3, VG_PROTECT_CONFIG);
	put_protected(LL4, VG_PROTECT_BRIDGE);
	CHECK(in(&A, dad(MAC_A, LL3), "DAD NS for a protected address", DROPS(LEARN_PROTECTED)));
	CHECK(in(&B, dad(MAC_B, LL4), "DAD NS for the bridge's address", DROPS(LEARN_PROTECTED)));
	STATE("nothing learned", P(LL3, CONFIG, NULL), P(LL4, BRIDGE, NULL));
	CHECK(in(&A, udp_from(MAC_A, LL3), "UDP from LL3", DROPS(IPV6_SRC)));
	CHECK(in(&B, udp_from(MAC_B, LL4), "UDP from LL4", DROPS(IPV6_SRC)));
	return true;
}

static bool case_cap(void)
{
	struct state s;

	CHECK(in(&B, dad(MAC_B, LL5), "DAD NS for LL5", PASSES));
	CHECK(in(&A, dad(MAC_A, LL1), "DAD NS for LL1", PASSES));
	CHECK(in(&A, dad(MAC_A, LL2), "DAD NS for LL2", PASSES));
	STATE("A holds two", L(LL1, &A, DAD, 0), S(&A, 0, LL1), L(LL2, &A, DAD, 1),
	      S(&A, 1, LL2), L(LL5, &B, DAD, 0), S(&B, 0, LL5));
	CHECK(in(&A, dad(MAC_A, LL3), "DAD NS for LL3", PASSES));
	STATE("LL3 replaced LL1, the oldest", L(LL3, &A, DAD, 0), S(&A, 0, LL3),
	      L(LL2, &A, DAD, 1), S(&A, 1, LL2), L(LL5, &B, DAD, 0), S(&B, 0, LL5));
	CHECK(in(&A, udp_from(MAC_A, LL1), "UDP from LL1, replaced", DROPS(IPV6_SRC)));
	CHECK(in(&A, udp_from(MAC_A, LL2), "UDP from LL2", PASSES));
	CHECK(in(&A, udp_from(MAC_A, LL3), "UDP from LL3", PASSES));
	CHECK(in(&B, udp_from(MAC_B, LL5), "UDP from LL5", PASSES));
	state_read(&s);
	CHECK(in(&A, dad(MAC_A, LL2), "DAD NS for LL2, held", PASSES));
	CHECK(in(&A, dad(MAC_A, LL3), "DAD NS for LL3, held", PASSES));
	SAME(s, "re-probes of held addresses");
	/* The oldest by time, not by slot: now slot 1. */
	CHECK(in(&A, dad(MAC_A, LL4), "DAD NS for LL4", PASSES));
	STATE("LL4 replaced LL2", L(LL3, &A, DAD, 0), S(&A, 0, LL3), L(LL4, &A, DAD, 1),
	      S(&A, 1, LL4), L(LL5, &B, DAD, 0), S(&B, 0, LL5));
	CHECK(in(&A, udp_from(MAC_A, LL2), "UDP from LL2, replaced", DROPS(IPV6_SRC)));
	CHECK(in(&A, udp_from(MAC_A, LL4), "UDP from LL4", PASSES));
	/* What A gave up is free for others. */
	CHECK(in(&B, dad(MAC_B, LL1), "DAD NS for LL1, given up by A", PASSES));
	STATE("B took LL1", L(LL3, &A, DAD, 0), S(&A, 0, LL3), L(LL4, &A, DAD, 1),
	      S(&A, 1, LL4), L(LL5, &B, DAD, 0), S(&B, 0, LL5), L(LL1, &B, DAD, 1),
	      S(&B, 1, LL1));
	return true;
}

/* Fills learned6 (or learn_slots) with entries of interfaces that do not
 * exist until the kernel says E2BIG.  Returns how many. */
static unsigned int fill(bool slots)
{
	int fd = slots ? map_fd(skel->maps.learn_slots) : map_fd(skel->maps.learned6);
	unsigned int n;

	for (n = 0;; n++) {
		struct vg_addr6 a = a6("fd00::");
		struct vg_owner o = { .ifindex = FILL_IFINDEX + n / 2, .origin = VG_ORIGIN_DAD,
				      .slot = n % 2, .since_ns = 1 + n };
		struct vg_slot_key sk = { FILL_IFINDEX + n / 2, n % 2 };
		struct vg_slot sv = { .since_ns = 1 + n };
		int err;

		a.addr[3] = htonl(n);
		sv.a = a;
		err = slots ? bpf_map_update_elem(fd, &sk, &sv, BPF_NOEXIST) :
			      bpf_map_update_elem(fd, &a, &o, BPF_NOEXIST);
		if (err && errno == E2BIG)
			return n;
		if (err)
			die("fill", errno);
	}
}

/* Every filled entry still there, unchanged, and nothing else. */
static bool filled_intact(bool slots, unsigned int n, const char *when)
{
	int fd = slots ? map_fd(skel->maps.learn_slots) : map_fd(skel->maps.learned6);
	unsigned int count = 0;
	__u8 k[16], prev[16];
	bool first = true;

	for (unsigned int i = 0; i < n; i++) {
		struct vg_addr6 a = a6("fd00::");
		struct vg_slot_key sk = { FILL_IFINDEX + i / 2, i % 2 };
		struct vg_owner o;
		struct vg_slot sv;

		a.addr[3] = htonl(i);
		if (slots ? bpf_map_lookup_elem(fd, &sk, &sv) : bpf_map_lookup_elem(fd, &a, &o))
			return fail("after step %d (%s): filled entry %u gone", step, when, i);
		if (slots ? memcmp(&sv.a, &a, sizeof(a)) || sv.since_ns != 1 + i :
			    o.ifindex != FILL_IFINDEX + i / 2 || o.slot != i % 2 ||
			    o.origin != VG_ORIGIN_DAD || o.since_ns != 1 + i)
			return fail("after step %d (%s): filled entry %u changed", step, when, i);
	}
	while (bpf_map_get_next_key(fd, first ? NULL : prev, k) == 0) {
		first = false;
		memcpy(prev, k, sizeof(k));
		count++;
	}
	if (count != n)
		return fail("after step %d (%s): %u entries, %u filled", step, when, count, n);
	return true;
}

static void unfill(bool slots, unsigned int n)
{
	int fd = slots ? map_fd(skel->maps.learn_slots) : map_fd(skel->maps.learned6);

	for (unsigned int i = 0; i < n; i++) {
		struct vg_addr6 a = a6("fd00::");
		struct vg_slot_key sk = { FILL_IFINDEX + i / 2, i % 2 };

		a.addr[3] = htonl(i);
		bpf_map_delete_elem(fd, slots ? (void *)&sk : (void *)&a);
	}
}

static bool case_full(void)
{
	unsigned int n;
	bool ok;

	n = fill(false);
	snprintf(note, sizeof(note), ", %u entries filled the table", n);
	ok = in(&A, dad(MAC_A, LL1), "DAD NS for LL1, learned6 full", DROPS(LEARN_FULL)) &&
	     filled_intact(false, n, "learned6 full") &&
	     in(&A, udp_from(MAC_A, LL1), "UDP from LL1", DROPS(IPV6_SRC));
	if (ok) {
		struct vg_slot_key sk = { A.ifindex, 0 };
		struct vg_slot sv;

		if (!bpf_map_lookup_elem(map_fd(skel->maps.learn_slots), &sk, &sv))
			ok = fail("after step %d: a slot of A was written", step);
	}
	unfill(false, n);
	return ok;
}

static bool case_full_at_cap(void)
{
	struct state s;
	unsigned int n;
	bool ok;

	CHECK(in(&A, dad(MAC_A, LL1), "DAD NS for LL1", PASSES));
	CHECK(in(&A, dad(MAC_A, LL2), "DAD NS for LL2", PASSES));
	state_read(&s);
	n = fill(false);
	snprintf(note, sizeof(note), ", %u entries more filled the table", n);
	/* The claim comes before the replacement: a full table takes no
	 * new address, even one that would replace A's oldest. */
	ok = in(&A, dad(MAC_A, LL3), "DAD NS for LL3, learned6 full", DROPS(LEARN_FULL)) &&
	     in(&A, udp_from(MAC_A, LL1), "UDP from LL1", PASSES) &&
	     in(&A, udp_from(MAC_A, LL3), "UDP from LL3", DROPS(IPV6_SRC));
	unfill(false, n);
	CHECK(ok);
	SAME(s, "A keeps both");
	return true;
}

static bool case_slots_full(void)
{
	unsigned int n;
	bool ok;

	n = fill(true);
	snprintf(note, sizeof(note), ", %u entries filled the table", n);
	ok = in(&A, dad(MAC_A, LL1), "DAD NS for LL1, learn_slots full", DROPS(LEARN_FULL)) &&
	     filled_intact(true, n, "learn_slots full");
	if (ok) {
		struct vg_addr6 a = a6(LL1);
		struct vg_owner o;

		if (!bpf_map_lookup_elem(map_fd(skel->maps.learned6), &a, &o))
			ok = fail("after step %d: learned6 kept LL1 without a slot", step);
	}
	unfill(true, n);
	return ok;
}

/* since_ns of addr's protected6 entry, 0 without one. */
static __u64 protected_since(const char *addr)
{
	struct vg_addr6 k = a6(addr);
	struct vg_protect p;

	if (bpf_map_lookup_elem(map_fd(skel->maps.protected6), &k, &p))
		return 0;
	return p.since_ns;
}

static bool case_ra(void)
{
	__u64 first, again;

	CHECK(out(&A, ra(LL_ROUTER, 255), "RA from fe80::1"));
	STATE("fe80::1 protected", P(LL_ROUTER, RA, &A));
	CHECK(in(&B, dad(MAC_B, LL_ROUTER), "DAD NS for fe80::1", DROPS(LEARN_PROTECTED)));
	CHECK(in(&A, dad(MAC_A, LL_ROUTER), "DAD NS for fe80::1", DROPS(LEARN_PROTECTED)));
	CHECK(in(&B, udp_from(MAC_B, LL_ROUTER), "UDP from fe80::1", DROPS(IPV6_SRC)));
	/* The next RA keeps the first record's interface and marks the
	 * source heard again (the loader ends RA entries not heard for
	 * VG_PROTECT_RA_TTL_S). */
	first = protected_since(LL_ROUTER);
	CHECK(out(&B, ra(LL_ROUTER, 255), "RA from fe80::1"));
	STATE("fe80::1 protected, by A's RA", P(LL_ROUTER, RA, &A));
	again = protected_since(LL_ROUTER);
	if (again <= first)
		return fail("after step %d: fe80::1 heard again, since_ns %llu, was %llu", step,
			    (unsigned long long)again, (unsigned long long)first);
	/* An address the loader protects is not the RA's to refresh. */
	put_protected(LL_ROUTER2, VG_PROTECT_CONFIG);
	CHECK(out(&A, ra(LL_ROUTER2, 255), "RA from fe80::2 (config)"));
	if (protected_since(LL_ROUTER2) != 1)
		return fail("after step %d: fe80::2 (config) since_ns %llu, not 1", step,
			    (unsigned long long)protected_since(LL_ROUTER2));
	return true;
}

/* A guest that learned a router's address before its first RA. */
static bool case_ra_revokes(void)
{
	CHECK(in(&B, dad(MAC_B, LL_ROUTER), "DAD NS for fe80::1", PASSES));
	CHECK(in(&B, dad(MAC_B, LL_ROUTER2), "DAD NS for fe80::2", PASSES));
	CHECK(in(&B, udp_from(MAC_B, LL_ROUTER), "UDP from fe80::1", PASSES));
	STATE("B learned both", L(LL_ROUTER, &B, DAD, 0), S(&B, 0, LL_ROUTER),
	      L(LL_ROUTER2, &B, DAD, 1), S(&B, 1, LL_ROUTER2));
	CHECK(out(&A, ra(LL_ROUTER, 255), "RA from fe80::1"));
	STATE("fe80::1 revoked", P(LL_ROUTER, RA, &A), L(LL_ROUTER2, &B, DAD, 1),
	      S(&B, 1, LL_ROUTER2));
	CHECK(in(&B, udp_from(MAC_B, LL_ROUTER), "UDP from fe80::1", DROPS(IPV6_SRC)));
	CHECK(in(&B, dad(MAC_B, LL_ROUTER), "DAD NS for fe80::1", DROPS(LEARN_PROTECTED)));
	CHECK(in(&B, udp_from(MAC_B, LL_ROUTER2), "UDP from fe80::2", PASSES));
	/* Delivered to the learner itself. */
	CHECK(out(&B, ra(LL_ROUTER2, 255), "RA from fe80::2"));
	STATE("fe80::2 revoked", P(LL_ROUTER, RA, &A), P(LL_ROUTER2, RA, &B));
	CHECK(in(&B, udp_from(MAC_B, LL_ROUTER2), "UDP from fe80::2", DROPS(IPV6_SRC)));
	/* The freed slots take new addresses. */
	CHECK(in(&B, dad(MAC_B, LL1), "DAD NS for LL1", PASSES));
	STATE("LL1 in a freed slot", P(LL_ROUTER, RA, &A), P(LL_ROUTER2, RA, &B),
	      L(LL1, &B, DAD, 0), S(&B, 0, LL1));
	return true;
}

static bool case_na_revokes(void)
{
	struct state s;

	CHECK(in(&A, dad(MAC_A, LL1), "DAD NS for LL1", PASSES));
	CHECK(in(&A, dad(MAC_A, LL2), "DAD NS for LL2", PASSES));
	put_config(LL3, &A);
	state_read(&s);
	CHECK(out(&B, defend(LL1, 255), "NA defending LL1 (A's)"));
	SAME(s, "an NA for A's address delivered to B");
	CHECK(out(&A, defend(LL3, 255), "NA defending LL3 (A's configured)"));
	SAME(s, "an NA for a configured address");
	CHECK(out(&A, defend(LL1, 254), "NA defending LL1, hop limit 254"));
	SAME(s, "an NA of hop limit 254");
	{
		/* A's own NA for LL1, back from a bridge port in hairpin mode. */
		struct nd_msg own = { .mac = MAC_A, .src = LL1, .dst = "ff02::1", .type = 136,
				      .target = LL1, .tlla = true };

		CHECK(out(&A, nd(&own), "A's own NA for LL1, reflected"));
		SAME(s, "A's own NA reflected to it");
	}
	CHECK(out(&A, defend(LL1, 255), "NA defending LL1"));
	STATE("LL1 revoked", L(LL2, &A, DAD, 1), S(&A, 1, LL2), L(LL3, &A, CONFIG, 0));
	CHECK(in(&A, udp_from(MAC_A, LL1), "UDP from LL1", DROPS(IPV6_SRC)));
	CHECK(in(&A, udp_from(MAC_A, LL2), "UDP from LL2", PASSES));
	/* Revoked, not protected: the next probe learns, in the freed slot. */
	CHECK(in(&A, dad(MAC_A, LL4), "DAD NS for LL4", PASSES));
	STATE("LL4 in slot 0", L(LL2, &A, DAD, 1), S(&A, 1, LL2), L(LL4, &A, DAD, 0),
	      S(&A, 0, LL4), L(LL3, &A, CONFIG, 0));
	return true;
}

static bool case_egress_ignores(void)
{
	struct state s;

	CHECK(in(&A, dad(MAC_A, LL1), "DAD NS for LL1", PASSES));
	put_config(LL3, &A);
	state_read(&s);
	CHECK(out(&A, ra(LL_ROUTER, 254), "RA from fe80::1, hop limit 254"));
	CHECK(out(&A, ra(V6_GLOBAL, 255), "RA from a global address"));
	CHECK(out(&A, ra("::", 255), "RA from ::"));
	CHECK(out(&C, ra(LL_ROUTER, 255), "RA from fe80::1 to C (no policy)"));
	CHECK(out(&C, ra(LL1, 255), "RA from LL1 to C (no policy)"));
	SAME(s, "RAs that teach nothing");
	/* An RA from a configured address protects it, the entry stays. */
	CHECK(out(&A, ra(LL3, 255), "RA from LL3 (A's configured)"));
	STATE("LL3 protected, still A's", L(LL1, &A, DAD, 0), S(&A, 0, LL1),
	      L(LL3, &A, CONFIG, 0), P(LL3, RA, &A));
	state_read(&s);
	/* The learner without a policy in force: its egress reads nothing. */
	retire_policy(&A);
	CHECK(out(&A, defend(LL1, 255), "NA defending LL1, A's policy retired"));
	CHECK(out(&A, ra(LL1, 255), "RA from LL1, A's policy retired"));
	no_policy(&A);
	CHECK(out(&A, defend(LL1, 255), "NA defending LL1, A without a policy"));
	SAME(s, "frames to interfaces without a policy");
	return true;
}

/*
 * A router guest (VG_F_RA) whose link-local was learned: its own RAs pass
 * its ingress and reach the other guests' egress, where they must not
 * cost it the address it advertises from.
 */
static bool case_router_guest(void)
{
	struct nd_msg ra_b = { .mac = MAC_B, .src = LL2, .dst = "ff02::1", .type = 134,
			       .slla = true };

	set_policy(&B, VG_MODE_LOCKED, F_DEFAULT | VG_F_RA, NULL);
	CHECK(in(&B, dad(MAC_B, LL2), "DAD NS for LL2", PASSES));
	CHECK(in(&B, nd(&ra_b), "RA from LL2", PASSES));
	CHECK(out_from(&A, &B, nd(&ra_b), "B's RA from LL2"));
	CHECK(in(&B, nd(&ra_b), "the next RA from LL2", PASSES));
	CHECK(in(&B, udp_from(MAC_B, LL2), "UDP from LL2", PASSES));
	/* An RA that came in on an interface without a policy (an uplink)
	 * is a router's. */
	CHECK(out_from(&A, &C, ra(LL_ROUTER, 255), "RA from the uplink C"));
	CHECK(in(&A, dad(MAC_A, LL_ROUTER), "DAD NS for the router's address",
		 DROPS(LEARN_PROTECTED)));
	return true;
}

static struct frame raw_v6(const char *src, uint8_t nexthdr, uint8_t hop, const void *payload,
			   size_t len, int payload_len_extra)
{
	struct frame f = { .len = 0 };
	size_t ip;

	eth(&f, MAC_ROUTER, MAC_ALLNODES, 0x86dd);
	ip = ip6_begin(&f, src, "ff02::1", nexthdr, hop);
	put(&f, payload, len);
	ip6_end(&f, ip);
	set16(&f, ip + 4, f.len - ip - 40 + payload_len_extra);
	return f;
}

/* vifguard_out passes whatever it gets, and learns nothing from frames
 * it cannot read whole. */
static bool case_egress_malformed(void)
{
	static const uint8_t ra_head[4] = { 134, 0, 0, 0 };
	struct nd_msg na_cut = { .mac = MAC_NODE, .src = LL1, .dst = "ff02::1", .type = 136,
				 .target = LL1, .cut = true };
	struct frame f = { .len = 0 }, hbh = { .len = 0 };
	const struct iface *ifs[] = { &A, &C };
	unsigned int refused = 0;
	struct state s;
	size_t ip;

	CHECK(in(&A, dad(MAC_A, LL1), "DAD NS for LL1", PASSES));
	state_read(&s);
	for (size_t i = 0; i < ARRAY_SIZE(ifs); i++) {
		const struct iface *to = ifs[i];
		bool r1 = false, r2 = false;

		CHECK(out(to, raw_v6(LL_ROUTER, 58, 255, NULL, 0, 0),
			  "IPv6 header only, next header ICMPv6"));
		CHECK(out(to, raw_v6(LL_ROUTER, 58, 255, ra_head, 4, 0), "RA of 4 octets"));
		CHECK(out(to, raw_v6(LL_ROUTER, 58, 255, ra_head, 2, 0), "ICMPv6 of 2 octets"));
		CHECK(out(to, nd(&na_cut), "NA for LL1 cut in its target"));
		CHECK(out(to, raw_v6(LL_ROUTER, 17, 255, NULL, 0, 0), "IPv6, UDP, no payload"));
		/* Cut inside the IPv6 header: some kernels refuse to run it. */
		f.len = 0;
		eth(&f, MAC_ROUTER, MAC_ALLNODES, 0x86dd);
		put(&f, NULL, 20);
		f.b[14] = 0x60;
		CHECK(out_r(to, f, "IPv6 header cut at 20 octets", &r1));
		f.len = 0;
		eth(&f, MAC_ROUTER, MAC_ALLNODES, 0x86dd);
		CHECK(out_r(to, f, "Ethernet header alone, IPv6", &r2));
		refused += r1 + r2;
		f.len = 0;
		eth(&f, MAC_ROUTER, MAC_BCAST, 0x0806);
		arp(&f, 1, MAC_ROUTER, "10.0.0.1", MAC_BCAST, "10.0.0.5");
		CHECK(out(to, f, "ARP request"));
		f.len = 0;
		eth(&f, MAC_ROUTER, MAC_BCAST, 0x0800);
		ip = ip4_begin(&f, "10.0.0.1", "10.0.0.5", 17, 0, 0);
		udp(&f, 53, 40000, 8);
		ip4_end(&f, ip);
		CHECK(out(to, f, "IPv4 UDP"));
		f.len = 0;
		eth(&f, MAC_ROUTER, MAC_BCAST, 0x0026);	/* 802.3 length */
		put(&f, NULL, 38);
		CHECK(out(to, f, "802.3 frame"));
		/* An RA behind an 802.1Q tag still in the frame. */
		f = ra(LL_ROUTER2, 255);
		memmove(f.b + 16, f.b + 12, f.len - 12);
		f.b[12] = 0x81;
		f.b[13] = 0x00;
		f.b[14] = 0x00;
		f.b[15] = 0x05;
		f.len += 4;
		CHECK(out(to, f, "RA in a frame with an 802.1Q tag"));
		CHECK(out(to, udp_from(MAC_ROUTER, LL_ROUTER), "UDP from fe80::1"));
		CHECK(out(to, echo_from(MAC_ROUTER, LL_ROUTER), "echo request from fe80::1"));
	}
	SAME(s, "malformed and other frames");
	/* An RA behind a hop-by-hop header: passed, not read (only an RA
	 * right after the fixed header is). */
	eth(&hbh, MAC_ROUTER, MAC_ALLNODES, 0x86dd);
	ip = ip6_begin(&hbh, LL_ROUTER, "ff02::1", 0, 255);
	ip6_opts(&hbh, 58, 0);
	icmp6(&hbh, 134, 0);
	put(&hbh, NULL, 12);
	ip6_end(&hbh, ip);
	CHECK(out(&A, hbh, "RA behind a hop-by-hop header"));
	if (refused)
		snprintf(note, sizeof(note), ", %u of 4 frames cut in the IPv6 header "
			 "refused by the kernel", refused);
	return true;
}

/*
 * Audit mode: every check runs, a failed one is counted and the frame
 * passes.  Learning runs as in locked mode: a valid probe claims the
 * address (the interface's later frames from it then count as passes,
 * as they would locked), a refused one is counted under its reason,
 * passes and claims nothing.  Disabled mode learns nothing.
 */
static bool case_audit(void)
{
	struct nd_msg slla = { .mac = MAC_A, .src = "::", .type = 135, .target = LL2,
			       .nonce = true, .slla = true };

	put_protected(LL3, VG_PROTECT_CONFIG);
	set_policy(&A, VG_MODE_AUDIT, F_DEFAULT, NULL);
	CHECK(in(&A, udp_from(MAC_A, LL1), "UDP from LL1, not learned", AUDITED(IPV6_SRC)));
	CHECK(in(&A, dad(MAC_A, LL1), "DAD NS for LL1", PASSES));
	STATE("A learned LL1 in audit mode", L(LL1, &A, DAD, 0), S(&A, 0, LL1),
	      P(LL3, CONFIG, NULL));
	CHECK(in(&A, udp_from(MAC_A, LL1), "UDP from LL1", PASSES));
	CHECK(in(&B, dad(MAC_B, LL1), "DAD NS for LL1", DROPS(LEARN_CONFLICT)));
	CHECK(in(&A, dad(MAC_A, LL3), "DAD NS for a protected address", AUDITED(LEARN_PROTECTED)));
	CHECK(in(&A, nd(&slla), "DAD NS for LL2 with SLLA", AUDITED(ND_LLADDR)));
	CHECK(in(&B, dad(MAC_B, LL4), "DAD NS for LL4", PASSES));
	CHECK(in(&A, dad(MAC_A, LL4), "DAD NS for B's LL4", AUDITED(LEARN_CONFLICT)));
	STATE("refused probes learn nothing", L(LL1, &A, DAD, 0), S(&A, 0, LL1),
	      L(LL4, &B, DAD, 0), S(&B, 0, LL4), P(LL3, CONFIG, NULL));
	CHECK(in(&A, udp_from(MAC_A, LL4), "UDP from B's LL4", AUDITED(IPV6_SRC)));
	set_policy(&B, VG_MODE_DISABLED, F_DEFAULT, NULL);
	CHECK(in(&B, dad(MAC_B, LL5), "DAD NS for LL5, B disabled", DROPS(DISABLED)));
	STATE("disabled learns nothing", L(LL1, &A, DAD, 0), S(&A, 0, LL1),
	      L(LL4, &B, DAD, 0), S(&B, 0, LL4), P(LL3, CONFIG, NULL));
	return true;
}

static const struct lcase cases[] = {
	{ "DAD probe learns a non-EUI-64 link-local, only for its interface", case_learn },
	{ "learning off: the probe drops nd-target, nothing learned", case_learning_off },
	{ "probes that are no valid DAD, or for no link-local, learn nothing", case_invalid },
	{ "a probe for another interface's learned address: learn-conflict", case_conflict_learned },
	{ "a probe for a configured address: learn-conflict, config allows nothing",
	  case_conflict_config },
	{ "a probe for a protected address: learn-protected", case_protected },
	{ "two per interface, the oldest replaced", case_cap },
	{ "learned6 full: learn-full, no slot, entries intact", case_full },
	{ "learned6 full at the cap: learn-full, both kept", case_full_at_cap },
	{ "learn_slots full: learn-full, no claim left behind", case_slots_full },
	{ "egress RA protects its source", case_ra },
	{ "egress RA revokes a learned router address", case_ra_revokes },
	{ "egress NA to the learner revokes, elsewhere not", case_na_revokes },
	{ "egress frames that teach nothing", case_egress_ignores },
	{ "a router guest's own RA does not revoke its learned address", case_router_guest },
	{ "egress passes malformed and other frames", case_egress_malformed },
	{ "audit mode learns; refused probes counted, passed", case_audit },
};

SUITE_MAIN(.prog = "test-learn", .title = "learning tests", .what = "learning cases",
	   .veth = { "vglearn0", "vglearn1" })
