// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The interfaces, policies and lease-state assertions of test-dhcp and
 * test-first (lease_harness.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>

#include "lease_harness.h"

const uint8_t MAC_A[6] = { 0x02, 0x00, 0x00, 0x00, 0x0a, 0x01 };
const uint8_t MAC_B[6] = { 0x02, 0x00, 0x00, 0x00, 0x0b, 0x01 };

struct iface A = { "A", 0, 7, MAC_A, V4_A, V6_A, LL_A };
struct iface B = { "B", 0, 11, MAC_B, V4_B, V6_B, LL_B };
struct iface C = { "C", 0, 13, MAC_B, NULL, NULL, "fe80::c" };	/* no policy */

__u32 grace = VG_DHCP_GRACE_DEFAULT;

/* An IPv4 address as lease_slots holds it: ::ffff:a.b.c.d. */
struct vg_addr6 mapped(const char *v4)
{
	struct vg_addr6 a = { { 0, 0, htonl(0xffff), a4(v4).addr } };

	return a;
}

/* A slot's address from text of either family. */
struct vg_addr6 slot_addr(const char *s)
{
	return strchr(s, ':') ? a6(s) : mapped(s);
}

size_t owner_key(const char *addr, bool v6, void *k)
{
	struct vg_addr6 k6;
	struct vg_addr4 k4;

	if (v6) {
		k6 = a6(addr);
		memcpy(k, &k6, sizeof(k6));
		return sizeof(k6);
	}
	k4 = a4(addr);
	memcpy(k, &k4, sizeof(k4));
	return sizeof(k4);
}

/* --- policies and configuration ------------------------------------------------ */

void set_policy(const struct iface *i, __u8 mode, __u16 flags)
{
	__u32 k = i->ifindex & (VG_POLICY_ENTRIES - 1);
	struct vg_policy_entry e = { .ifindex = i->ifindex, .live = 1 };
	struct vg_addr6 a = a6(i->v6);

	e.pol.mode = mode;
	e.pol.flags = flags;
	e.pol.slot = i->slot;
	e.pol.n_macs = 1;
	memcpy(e.pol.macs[0], i->mac, 6);
	e.pol.v4[0] = a4(i->v4).addr;
	memcpy(e.pol.v6[0], &a, 16);
	snprintf(e.pol.ifname, sizeof(e.pol.ifname), "%s", i->name);
	if (bpf_map_update_elem(map_fd(skel->maps.policy), &k, &e, BPF_ANY))
		die("policy update", errno);
}

/* A second MAC for i (a guest with two NICs on one vif's policy). */
void add_mac(const struct iface *i, const uint8_t *mac)
{
	__u32 k = i->ifindex & (VG_POLICY_ENTRIES - 1);
	struct vg_policy_entry e;

	if (bpf_map_lookup_elem(map_fd(skel->maps.policy), &k, &e))
		die("policy read", errno);
	memcpy(e.pol.macs[e.pol.n_macs++], mac, 6);
	if (bpf_map_update_elem(map_fd(skel->maps.policy), &k, &e, BPF_ANY))
		die("policy update", errno);
}

void set_learn_cfg(__u32 grace_s, __u32 first_lease_s)
{
	__u32 k = 0;
	struct vg_learn_cfg c = { .dhcp_grace_s = grace_s, .first_lease_s = first_lease_s };

	if (bpf_map_update_elem(map_fd(skel->maps.learn_cfg), &k, &c, BPF_ANY))
		die("learn_cfg update", errno);
	grace = grace_s;
}

/* What the loader writes for a configured address of i. */
void put_config4(const char *addr, const struct iface *i)
{
	struct vg_addr4 k = a4(addr);
	struct vg_owner o = { .ifindex = i->ifindex, .origin = VG_ORIGIN_CONFIG, .since_ns = 1 };

	if (bpf_map_update_elem(map_fd(skel->maps.learned4), &k, &o, BPF_NOEXIST))
		die("learned4 config entry", errno);
}

void put_config6(const char *addr, const struct iface *i)
{
	struct vg_addr6 k = a6(addr);
	struct vg_owner o = { .ifindex = i->ifindex, .origin = VG_ORIGIN_CONFIG, .since_ns = 1 };

	if (bpf_map_update_elem(map_fd(skel->maps.learned6), &k, &o, BPF_NOEXIST))
		die("learned6 config entry", errno);
}

/*
 * Moves the end of a lease or first-use address (owner and slot) to
 * expires, as time would: the entry of addr (either family) must be of
 * origin DHCP or FIRST.
 */
void set_expiry(const char *addr, __u64 expires)
{
	bool v6 = strchr(addr, ':');
	__u8 k[16];
	struct vg_owner o;
	struct vg_slot_key sk;
	struct vg_slot s;
	int fd = v6 ? map_fd(skel->maps.learned6) : map_fd(skel->maps.learned4);

	owner_key(addr, v6, k);
	if (bpf_map_lookup_elem(fd, k, &o) || o.origin < VG_ORIGIN_DHCP)
		die("set_expiry: no DHCP or FIRST entry", ENOENT);
	o.expires_ns = expires;
	if (bpf_map_update_elem(fd, k, &o, BPF_EXIST))
		die("set_expiry", errno);
	sk.ifindex = o.ifindex;
	sk.slot = o.slot;
	if (bpf_map_lookup_elem(map_fd(skel->maps.lease_slots), &sk, &s))
		die("set_expiry: no slot", ENOENT);
	s.since_ns = expires;
	if (bpf_map_update_elem(map_fd(skel->maps.lease_slots), &sk, &s, BPF_EXIST))
		die("set_expiry", errno);
}

/* --- steps ---------------------------------------------------------------------- */

/* Frame f, delivered by the host to i: TC_ACT_OK, and nothing counted
 * (VG_PASS) or the refusal reason on i. */
bool out(const struct iface *i, struct frame f, const char *what, enum vg_reason reason)
{
	return step_run(skel->progs.vifguard_out, i, f, what, TC_ACT_OK, reason, NULL);
}

/* The same for a frame that guest "from" sent, which the bridge delivers
 * to i. */
bool out_from(const struct iface *i, const struct iface *from, struct frame f, const char *what,
	      enum vg_reason reason)
{
	bool ok;

	sent_by = from;
	ok = out(i, f, what, reason);
	sent_by = NULL;
	return ok;
}

/* --- map contents --------------------------------------------------------------- */

void state_read(struct state *s)
{
	dump(map_fd(skel->maps.learned4), sizeof(struct vg_addr4), &s->l4);
	dump(map_fd(skel->maps.learned6), sizeof(struct vg_addr6), &s->l6);
	dump(map_fd(skel->maps.lease_slots), sizeof(struct vg_slot_key), &s->s);
	dump(map_fd(skel->maps.protected6), sizeof(struct vg_addr6), &s->p);
	dump(map_fd(skel->maps.learn_slots), sizeof(struct vg_slot_key), &s->ll);
}

static const char *origin_name(unsigned int o)
{
	return o == VG_ORIGIN_CONFIG ? "config" : o == VG_ORIGIN_DAD ? "dad" :
	       o == VG_ORIGIN_DHCP ? "dhcp" : o == VG_ORIGIN_FIRST ? "first" : "?";
}

/* An expiry as seconds from the case's start, for failure messages. */
static void expiry_text(__u64 e, char *buf, size_t size)
{
	if (e == VG_LEASE_FOREVER)
		snprintf(buf, size, "forever");
	else
		snprintf(buf, size, "%+.1fs", ((double)e - (double)case_start_ns) / 1e9);
}

/* The entries of t, learned4 (af AF_INET) or learned6, as text. */
static void owners_text(const struct table *t, int af, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN], e[32];

	for (unsigned int i = 0; i < t->n; i++) {
		struct vg_owner o;

		memcpy(&o, t->e[i].v, sizeof(o));
		expiry_text(o.expires_ns, e, sizeof(e));
		append(buf, size, " %s: if %u %s slot %u %s;", inet_ntop(af, t->e[i].k, a, sizeof(a)),
		       o.ifindex, origin_name(o.origin), o.slot, o.origin >= VG_ORIGIN_DHCP ? e : "");
	}
	append(buf, size, "%s }", t->over ? " ..." : "");
}

/* The maps as text, for failure messages. */
static void state_text(const struct state *s, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN], e[32];

	buf[0] = 0;
	append(buf, size, "learned4 {");
	owners_text(&s->l4, AF_INET, buf, size);
	append(buf, size, " learned6 {");
	owners_text(&s->l6, AF_INET6, buf, size);
	append(buf, size, " lease_slots {");
	for (unsigned int i = 0; i < s->s.n; i++) {
		struct vg_slot_key k;
		struct vg_slot v;

		memcpy(&k, s->s.e[i].k, sizeof(k));
		memcpy(&v, s->s.e[i].v, sizeof(v));
		expiry_text(v.since_ns, e, sizeof(e));
		append(buf, size, " if %u slot %u: %s %s;", k.ifindex, k.slot, ntop6(&v.a, a), e);
	}
	append(buf, size, "%s } protected6 {", s->s.over ? " ..." : "");
	for (unsigned int i = 0; i < s->p.n; i++) {
		struct vg_addr6 k;

		memcpy(&k, s->p.e[i].k, sizeof(k));
		append(buf, size, " %s;", ntop6(&k, a));
	}
	append(buf, size, "%s } learn_slots: %u", s->p.over ? " ..." : "", s->ll.n);
}

/* Why owner o of addr is not as w says, or NULL. */
static const char *owner_mismatch(const struct state *s, const struct want *w,
				  const struct vg_owner *o, __u64 now)
{
	static char why[200];
	struct vg_slot_key sk = { o->ifindex, o->slot };
	const struct entry *se;
	struct vg_slot sv;
	__u64 lo, hi;
	bool first = w->origin == VG_ORIGIN_FIRST;

	if (o->ifindex != (__u32)w->ifc->ifindex || o->origin != w->origin ||
	    (w->origin >= VG_ORIGIN_DHCP && w->ifc->ifindex && o->slot != w->slot)) {
		snprintf(why, sizeof(why), "%s: expected if %u %s slot %d, got if %u %s slot %u",
			 w->addr, w->ifc->ifindex, origin_name(w->origin), w->slot, o->ifindex,
			 origin_name(o->origin), o->slot);
		return why;
	}
	if (w->origin < VG_ORIGIN_DHCP || !w->ifc->ifindex)
		return NULL;
	if (w->lease == LEASE_FOREVER) {
		lo = hi = VG_LEASE_FOREVER;
	} else {
		lo = case_start_ns + (w->lease + (first ? 0 : grace)) * 1000000000ULL;
		hi = now + (w->lease + (first ? 0 : grace)) * 1000000000ULL;
	}
	if (o->expires_ns < lo || o->expires_ns > hi) {
		char e[32];

		expiry_text(o->expires_ns, e, sizeof(e));
		snprintf(why, sizeof(why), "%s: expires at %s, expected %s of %lld s "
			 "plus %u s grace%s", w->addr, e, first ? "a first use" : "a lease",
			 w->lease, first ? 0 : grace,
			 w->lease == LEASE_FOREVER ? " (forever)" : "");
		return why;
	}
	se = find(&s->s, &sk, sizeof(sk));
	if (!se) {
		snprintf(why, sizeof(why), "%s: no slot %u", w->addr, o->slot);
		return why;
	}
	memcpy(&sv, se->v, sizeof(sv));
	if (sv.since_ns != o->expires_ns) {
		snprintf(why, sizeof(why), "%s: slot %u's since_ns not the expires_ns", w->addr,
			 o->slot);
		return why;
	}
	return NULL;
}

/* Why the state is not w[0..n), or NULL. */
static const char *state_mismatch(const struct state *s, const struct want *w, size_t n)
{
	static char why[200];
	unsigned int n4 = 0, n6 = 0, ns = 0, np = 0;
	__u64 now = now_ns();

#define MISMATCH(...)                                                                  \
	do {                                                                           \
		snprintf(why, sizeof(why), __VA_ARGS__);                               \
		return why;                                                            \
	} while (0)

	for (size_t i = 0; i < n; i++) {
		const struct entry *e;
		struct vg_owner o;
		const char *m;

		if (w[i].kind == '4' || w[i].kind == '6') {
			bool v6 = w[i].kind == '6';
			__u8 k[16];
			size_t ksz = owner_key(w[i].addr, v6, k);

			n4 += !v6;
			n6 += v6;
			e = find(v6 ? &s->l6 : &s->l4, k, ksz);
			if (!e)
				MISMATCH("no learned%c entry %s", w[i].kind, w[i].addr);
			memcpy(&o, e->v, sizeof(o));
			m = owner_mismatch(s, &w[i], &o, now);
			if (m)
				return m;
		} else if (w[i].kind == 'S') {
			struct vg_slot_key sk = { w[i].ifc->ifindex, w[i].slot };
			struct vg_addr6 a = slot_addr(w[i].addr);
			struct vg_slot sv;

			ns++;
			e = find(&s->s, &sk, sizeof(sk));
			if (!e)
				MISMATCH("no lease slot %d of %s", w[i].slot, w[i].ifc->name);
			memcpy(&sv, e->v, sizeof(sv));
			if (memcmp(&sv.a, &a, sizeof(a)))
				MISMATCH("lease slot %d of %s does not hold %s", w[i].slot,
					 w[i].ifc->name, w[i].addr);
		} else {
			struct vg_addr6 a = a6(w[i].addr);

			np++;
			if (!find(&s->p, &a, sizeof(a)))
				MISMATCH("%s not protected", w[i].addr);
		}
	}
	if (s->l4.n != n4 || s->l4.over)
		return "learned4 holds other entries";
	if (s->l6.n != n6 || s->l6.over)
		return "learned6 holds other entries";
	if (s->s.n != ns || s->s.over)
		return "lease_slots holds other entries";
	if (s->p.n != np || s->p.over)
		return "protected6 holds other entries";
	if (s->ll.n)
		return "learn_slots is not empty";
#undef MISMATCH
	return NULL;
}

bool state_is(const char *when, const struct want *w, size_t n)
{
	struct state s;
	char text[1536];
	const char *why;

	state_read(&s);
	why = state_mismatch(&s, w, n);
	if (!why)
		return true;
	state_text(&s, text, sizeof(text));
	return fail("after step %d (%s): %s; maps: %s", step, when, why, text);
}

/* Byte for byte what *s was, expiries included. */
bool state_same(const struct state *s, const char *when)
{
	struct state now;
	char text[1536];
	const struct table *t[5] = { &s->l4, &s->l6, &s->s, &s->p, &s->ll };
	const struct table *u[5] = { &now.l4, &now.l6, &now.s, &now.p, &now.ll };

	state_read(&now);
	for (int i = 0; i < 5; i++) {
		if (!table_same(t[i], u[i])) {
			state_text(&now, text, sizeof(text));
			return fail("after step %d (%s): maps changed; now: %s", step, when, text);
		}
	}
	return true;
}

/* --- resets --------------------------------------------------------------------- */

void lease_reset(__u16 flags)
{
	const struct iface *ifs[] = { &A, &B, &C };

	map_clear(skel->maps.learned4);
	map_clear(skel->maps.learned6);
	map_clear(skel->maps.lease_slots);
	map_clear(skel->maps.learn_slots);
	map_clear(skel->maps.protected6);
	reset_counters(ifs, ARRAY_SIZE(ifs));
	set_policy(&A, VG_MODE_LOCKED, flags);
	set_policy(&B, VG_MODE_LOCKED, flags);
	no_policy(&C);
	set_learn_cfg(VG_DHCP_GRACE_DEFAULT, 0);
	reset_case();
}
