// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Parked addresses (include/vifguard.h, "parked"): the DHCP leases,
 * first-use addresses and DAD link-locals of a Xen guest interface that
 * went away, kept under its VM's UUID, device id and MAC until they end.
 * One without an end of its own (a link-local, an infinite lease, a
 * first-use address learned under first_lease_s 0) ends first_lease_s
 * after it was parked (vg_learn_cfg; 0: kept until its VM comes back), so that a
 * VM that never returns does not hold it forever.  While parked an
 * address stays held in "learned4" / "learned6" by ifindex 0, which no
 * interface is, so that no other interface learns it (the programs
 * refuse it as learn-conflict); its owner entry keeps its own expiry,
 * which it gets back with its VM, and goes with its parked entry.
 *
 * The map is the loader's alone: the programs never read it.  Here:
 * whether a parked entry still backs an ifindex-0 owner entry (the
 * owners' reconcile keeps those it backs), and the parked entries that
 * ended going (gc), which then leaves their owner entries to that
 * reconcile.  Everything runs under the state's exclusive lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "state_int.h"

/* The parked map's keys and values, read once per call. */
static int park_read(struct vg_state *st, struct vg_park_key **keys, size_t *n)
{
	int fd = st->map_fd[VG_MAP_PARKED];

	*keys = NULL;
	*n = 0;
	if (fd < 0)
		return 0;
	return vg_map_keys(fd, sizeof(**keys), (void **)keys, n);
}

int vg_park_load(struct vg_state *st, struct vg_parked *p)
{
	int fd = st->map_fd[VG_MAP_PARKED];
	size_t n, i;
	int ret;

	memset(p, 0, sizeof(*p));
	ret = park_read(st, &p->k, &n);
	if (ret)
		return ret;
	p->v = calloc(n ? n : 1, sizeof(*p->v));
	if (!p->v) {
		vg_park_free(p);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		if (bpf_map_lookup_elem(fd, &p->k[i], &p->v[p->n]) == 0)
			p->k[p->n++] = p->k[i];
	return 0;
}

void vg_park_free(struct vg_parked *p)
{
	free(p->k);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

bool vg_park_backs(const struct vg_parked *p, const struct vg_addr6 *a,
		   const struct vg_owner *o, uint64_t now)
{
	size_t i;

	/* A link-local's entry records when it was learned, not an end. */
	if (o->origin != VG_ORIGIN_DAD && o->expires_ns < now)
		return false;
	for (i = 0; i < p->n; i++)
		if (!memcmp(&p->k[i].a, a, sizeof(*a)) && p->v[i].origin == o->origin &&
		    p->v[i].expires_ns >= now)
			return true;
	return false;
}

int vg_park_gc(struct vg_state *st, uint64_t now, unsigned int *removed)
{
	int fd = st->map_fd[VG_MAP_PARKED];
	struct vg_park_key *keys;
	struct vg_park v;
	size_t n, i;
	int ret;

	ret = park_read(st, &keys, &n);
	for (i = 0; !ret && i < n; i++)
		if (bpf_map_lookup_elem(fd, &keys[i], &v) == 0 && v.expires_ns < now)
			ret = vg_delete_key(fd, &keys[i], removed);
	free(keys);
	return ret;
}

/* ---- identity ------------------------------------------------------------- */

int vg_xen_id_vm(struct vg_xen_id *id, const char *uuid)
{
	unsigned int i, k = 0;

	for (i = 0; uuid[i] && k < 32; i++) {
		int v;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (uuid[i] != '-')
				return -EINVAL;
			continue;
		}
		if (uuid[i] >= '0' && uuid[i] <= '9')
			v = uuid[i] - '0';
		else if ((uuid[i] | 0x20) >= 'a' && (uuid[i] | 0x20) <= 'f')
			v = (uuid[i] | 0x20) - 'a' + 10;
		else
			return -EINVAL;
		id->vm[k / 2] = (uint8_t)(k % 2 ? id->vm[k / 2] | v : v << 4);
		k++;
	}
	return k == 32 && !uuid[i] ? 0 : -EINVAL;
}

static void park_key_of(struct vg_park_key *k, const struct vg_xen_id *id, const uint8_t mac[6],
			const struct vg_addr6 *a)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->vm, id->vm, sizeof(k->vm));
	k->devid = id->devid;
	memcpy(k->mac, mac, sizeof(k->mac));
	k->a = *a;
}

static bool park_key_is(const struct vg_park_key *k, const struct vg_xen_id *id,
			const uint8_t mac[6])
{
	return !memcmp(k->vm, id->vm, sizeof(k->vm)) && k->devid == id->devid &&
	       !memcmp(k->mac, mac, sizeof(k->mac));
}

/* The owner map of a lease slot's address (IPv4 in the first slots, as
 * ::ffff:a.b.c.d) and its key there. */
static int lease_owner(struct vg_state *st, uint32_t slot, const struct vg_addr6 *a,
		       const void **key)
{
	bool v4 = slot < VG_LEARN_DHCP4_CAP;

	*key = v4 ? (const void *)&a->addr[3] : (const void *)a;
	return st->map_fd[v4 ? VG_MAP_LEARNED4 : VG_MAP_LEARNED6];
}

static bool is_v4(const struct vg_addr6 *a)
{
	return !a->addr[0] && !a->addr[1] && a->addr[2] == htonl(0xffff);
}

/* The owner map of a parked address of origin, and its key there. */
static int parked_owner(struct vg_state *st, const struct vg_park_key *k, uint8_t origin,
			const void **key)
{
	if (origin == VG_ORIGIN_DAD) {
		*key = &k->a;
		return st->map_fd[VG_MAP_LEARNED6];
	}
	return lease_owner(st, is_v4(&k->a) ? 0 : VG_LEARN_DHCP4_CAP, &k->a, key);
}

/*
 * The parked entries of id and mac go, ended or not, and with them the
 * holds by nobody (ifindex 0) that no other parked entry backs: once the
 * VM's interface is in force with what came back (vg_resume_done()), and
 * before the identity is parked again (vg_park_iface()), so that entries
 * a run stopped after its commit left never come back a second time.
 */
static int unpark(struct vg_state *st, const struct vg_xen_id *id, const uint8_t mac[6])
{
	int fd = st->map_fd[VG_MAP_PARKED];
	uint64_t now = vg_now_ns();
	struct vg_parked p;
	size_t i = 0;
	int ret;

	if (fd < 0)
		return 0;
	ret = vg_park_load(st, &p);
	while (!ret && i < p.n) {
		struct vg_park_key k = p.k[i];
		struct vg_park v = p.v[i];
		const void *okey;
		struct vg_owner o;
		int ofd;

		if (!park_key_is(&k, id, mac)) {
			i++;
			continue;
		}
		/* Out of the set that vg_park_backs() then asks. */
		p.k[i] = p.k[p.n - 1];
		p.v[i] = p.v[--p.n];
		ret = vg_delete_key(fd, &k, NULL);
		ofd = parked_owner(st, &k, v.origin, &okey);
		if (!ret && ofd >= 0 && bpf_map_lookup_elem(ofd, okey, &o) == 0 && !o.ifindex &&
		    o.origin == v.origin && !vg_park_backs(&p, &k.a, &o, now))
			ret = vg_delete_key(ofd, okey, NULL);
	}
	vg_park_free(&p);
	return ret;
}

int vg_park_drop_addr(struct vg_state *st, const struct vg_addr6 *a)
{
	struct vg_park_key *keys;
	size_t n, i;
	int ret;

	ret = park_read(st, &keys, &n);
	for (i = 0; !ret && i < n; i++)
		if (!memcmp(&keys[i].a, a, sizeof(*a)))
			ret = vg_delete_key(st->map_fd[VG_MAP_PARKED], &keys[i], NULL);
	free(keys);
	return ret;
}

/* ---- parking --------------------------------------------------------------- */

/* When an entry without an end of its own, parked at now, ends:
 * first_lease_s later (VG_FIRST_LEASE_DEFAULT if learn_cfg cannot be
 * read), VG_LEASE_FOREVER for 0. */
static uint64_t park_end(struct vg_state *st, uint64_t now)
{
	struct vg_learn_cfg c = { .first_lease_s = VG_FIRST_LEASE_DEFAULT };

	if (vg_state_learn_cfg(st, &c))
		c.first_lease_s = VG_FIRST_LEASE_DEFAULT;
	return c.first_lease_s ? now + (uint64_t)c.first_lease_s * 1000000000ULL
			       : VG_LEASE_FOREVER;
}

/* The owner entry o (in ofd at okey) of slot sk, address a, to
 * "parked" under id and mac until end, and then to ifindex 0, same
 * origin and expiry: rewritten, never deleted in between.  1: the
 * parked map is full (nothing done). */
static int park_one(struct vg_state *st, int ofd, const void *okey, struct vg_owner *o,
		    const struct vg_xen_id *id, const uint8_t mac[6], const struct vg_addr6 *a,
		    uint64_t end)
{
	int pfd = st->map_fd[VG_MAP_PARKED];
	struct vg_park_key k;
	struct vg_park v;
	int ret;

	park_key_of(&k, id, mac, a);
	memset(&v, 0, sizeof(v));
	v.expires_ns = end;
	v.origin = o->origin;
	if (bpf_map_update_elem(pfd, &k, &v, BPF_ANY))
		return errno == E2BIG ? 1 : -errno;
	o->ifindex = 0;
	if (bpf_map_update_elem(ofd, okey, o, BPF_EXIST)) {
		ret = -errno;
		bpf_map_delete_elem(pfd, &k);
		return ret;
	}
	return 0;
}

/* park_one()'s ret counted: parked, or not for a full map (then 0: the
 * others are tried, and forgotten as well). */
static int park_count(struct vg_state *st, int ret, unsigned int *parked)
{
	if (ret == 1)
		st->unparked++;
	else if (ret == 0 && parked)
		(*parked)++;
	return ret == 1 ? 0 : ret;
}

/*
 * The live leases, first-use addresses and DAD link-locals of ifindex
 * (policy pol, going away) go to "parked" under id and pol's first MAC,
 * until they end (one without an end: park_end()), and their owner
 * entries to ifindex 0.  The slots go with the interface's other
 * entries.  A full parked map leaves the rest to be forgotten as usual,
 * counted in st->unparked (*parked counts those parked).
 */
int vg_park_iface(struct vg_state *st, uint32_t ifindex, const struct vg_policy *pol,
		  const struct vg_xen_id *id, unsigned int *parked)
{
	int pfd = st->map_fd[VG_MAP_PARKED], sfd = st->map_fd[VG_MAP_LEASE_SLOTS];
	int lfd = st->map_fd[VG_MAP_LEARN_SLOTS], l6 = st->map_fd[VG_MAP_LEARNED6];
	struct vg_slot_key sk = { .ifindex = ifindex };
	uint64_t now = vg_now_ns(), end = park_end(st, now);
	int ret = 0;

	if (pfd < 0 || !pol->n_macs)
		return 0;
	ret = unpark(st, id, pol->macs[0]);
	for (sk.slot = 0; sfd >= 0 && sk.slot < VG_LEASE_SLOTS && !ret; sk.slot++) {
		struct vg_owner o;
		struct vg_slot s;
		const void *okey;
		int ofd;

		if (bpf_map_lookup_elem(sfd, &sk, &s))
			continue;
		ofd = lease_owner(st, sk.slot, &s.a, &okey);
		if (ofd < 0 || bpf_map_lookup_elem(ofd, okey, &o) || o.ifindex != ifindex ||
		    o.slot != sk.slot || (o.origin != VG_ORIGIN_DHCP &&
					  o.origin != VG_ORIGIN_FIRST) || o.expires_ns < now)
			continue;
		ret = park_count(st, park_one(st, ofd, okey, &o, id, pol->macs[0], &s.a,
					      o.expires_ns == VG_LEASE_FOREVER ? end :
					      o.expires_ns), parked);
	}
	for (sk.slot = 0; lfd >= 0 && l6 >= 0 && sk.slot < VG_LEARN_LL_CAP && !ret; sk.slot++) {
		struct vg_owner o;
		struct vg_slot s;

		if (bpf_map_lookup_elem(lfd, &sk, &s) || bpf_map_lookup_elem(l6, &s.a, &o) ||
		    o.ifindex != ifindex || o.slot != sk.slot || o.origin != VG_ORIGIN_DAD)
			continue;
		ret = park_count(st, park_one(st, l6, &s.a, &o, id, pol->macs[0], &s.a, end),
				 parked);
	}
	return ret;
}

int vg_park_going(struct vg_state *st, uint32_t ifindex, const struct vg_policy *pol)
{
	uint32_t src = (pol->flags & VG_F_SRC_MASK) >> VG_F_SRC_SHIFT;
	struct vg_xen_id id;
	char name[VG_IFNAMSIZ + 1];

	if (st->park)
		return vg_park_iface(st, ifindex, pol, st->park, NULL);
	if (!st->park_of || (pol->flags & VG_F_OPERATOR) ||
	    (src != VG_F_SRC_XAPI && src != VG_F_SRC_XL))
		return 0;
	memcpy(name, pol->ifname, VG_IFNAMSIZ);
	name[VG_IFNAMSIZ] = '\0';
	if (!name[0] || st->park_of(st->park_arg, name, &id))
		return 0;
	return vg_park_iface(st, ifindex, pol, &id, NULL);
}

/* ---- restoring ------------------------------------------------------------- */

enum {
	PLAN_NONE,
	PLAN_RESTORE,		/* parked addresses come back */
	PLAN_RESTORE_ENDED,	/* and first-use ones: in a window that ended */
	PLAN_WINDOW,		/* no lease parked: a learning window */
	PLAN_WINDOW_RESTORE,	/* and its parked link-locals come back */
};

/* The parked entries of id and mac, not ended; *first: one of origin
 * FIRST among them; *leases (may be NULL): how many are not DAD's. */
static int parked_of(struct vg_state *st, const struct vg_xen_id *id, const uint8_t mac[6],
		     struct vg_park_key **out, struct vg_park **vals, size_t *n, bool *first,
		     size_t *leases)
{
	int fd = st->map_fd[VG_MAP_PARKED];
	struct vg_park_key *keys;
	uint64_t now = vg_now_ns();
	size_t m, i;
	int ret;

	*first = false;
	*n = 0;
	if (leases)
		*leases = 0;
	*out = NULL;
	*vals = NULL;
	ret = park_read(st, &keys, &m);
	if (ret)
		return ret;
	*vals = calloc(m ? m : 1, sizeof(**vals));
	if (!*vals) {
		free(keys);
		return -ENOMEM;
	}
	for (i = 0; i < m; i++) {
		struct vg_park v;

		if (!park_key_is(&keys[i], id, mac) || bpf_map_lookup_elem(fd, &keys[i], &v) ||
		    v.expires_ns < now)
			continue;
		*first |= v.origin == VG_ORIGIN_FIRST;
		if (leases && v.origin != VG_ORIGIN_DAD)
			(*leases)++;
		keys[*n] = keys[i];
		(*vals)[(*n)++] = v;
	}
	*out = keys;
	return 0;
}

unsigned int vg_resume_flags(struct vg_state *st, uint32_t ifindex, bool had,
			     const struct vg_spec *spec, struct vg_resume *r)
{
	struct vg_park_key *keys;
	struct vg_park *vals;
	uint64_t end;
	size_t n = 0, leases = 0;
	bool first = false;

	r->plan = PLAN_NONE;
	if (had) {
		/* A window granted at its attach stays with it. */
		return vg_state_window(st, ifindex, &end) == 0 ? VG_F_LEARN_FIRST : 0;
	}
	if (!spec->n_macs ||
	    !(spec->flags & (VG_F_LEARN_DHCP | VG_F_LEARN_FIRST | VG_F_LEARN_LL)))
		return 0;
	if (parked_of(st, &r->id, spec->macs[0], &keys, &vals, &n, &first, &leases)) {
		/* Unreadable: nothing restored, and no window either. */
		n = 0;
		leases = 1;
	}
	free(keys);
	free(vals);
	if (leases && n) {
		/* Its first-use addresses stay allowed as before, in a
		 * window that has ended: nothing new is learned (unless its
		 * policy learns on first use anyway). */
		first &= !(spec->flags & VG_F_LEARN_FIRST);
		r->plan = first ? PLAN_RESTORE_ENDED : PLAN_RESTORE;
		return first ? VG_F_LEARN_FIRST : 0;
	}
	/* Link-locals alone say nothing of where its leases are: the window
	 * is granted as if nothing were parked. */
	if (!r->window_s || leases || !(spec->flags & VG_F_LEARN_DHCP) ||
	    (spec->flags & VG_F_LEARN_FIRST)) {
		r->plan = n ? PLAN_RESTORE : PLAN_NONE;
		return 0;
	}
	r->plan = n ? PLAN_WINDOW_RESTORE : PLAN_WINDOW;
	return VG_F_LEARN_FIRST;
}

/* The window slot of ifindex, ending at end (CLOCK_MONOTONIC ns). */
static int window_write(struct vg_state *st, uint32_t ifindex, uint64_t end)
{
	struct vg_slot_key sk = { .ifindex = ifindex, .slot = VG_SLOT_WINDOW };
	struct vg_slot s;

	memset(&s, 0, sizeof(s));
	s.since_ns = end;
	return bpf_map_update_elem(st->map_fd[VG_MAP_LEASE_SLOTS], &sk, &s, BPF_ANY) ?
	       -errno : 0;
}

/* Latest end first: over a cap, the ones that end first are dropped. */
static int by_end(const void *x, const void *y)
{
	const struct vg_park *a = x, *b = y;

	return a->expires_ns < b->expires_ns ? 1 : a->expires_ns > b->expires_ns ? -1 : 0;
}

struct cand {
	struct vg_park v;	/* first: by_end() sorts on it */
	struct vg_park_key k;
};

/* Whether the owner entry o holds its address for an interface whose
 * policy is in force: not one a restore stopped before its commit left
 * (the interface then went, or comes back as another ifindex). */
static bool held_in_force(struct vg_state *st, const struct vg_owner *o)
{
	struct vg_policy p;

	return o->ifindex && vg_state_policy(st, o->ifindex, &p) != -ENOENT;
}

/* One parked entry back to ifindex in slot slot (of learn_slots for a
 * link-local, of lease_slots else), with the expiry its owner entry
 * kept; *held: another interface holds its address, or it is protected
 * now. */
static int restore_one(struct vg_state *st, uint32_t ifindex, uint32_t slot,
		       const struct cand *c, bool *held)
{
	struct vg_slot_key sk = { .ifindex = ifindex, .slot = slot };
	bool dad = c->v.origin == VG_ORIGIN_DAD;
	int sfd = st->map_fd[dad ? VG_MAP_LEARN_SLOTS : VG_MAP_LEASE_SLOTS];
	struct vg_owner o, w;
	struct vg_protect pr;
	struct vg_slot s;
	const void *okey;
	int ofd = parked_owner(st, &c->k, c->v.origin, &okey);
	bool there;

	*held = false;
	/* Protected meanwhile (host protect=, an RA): nobody's now. */
	if (st->map_fd[VG_MAP_PROTECTED6] >= 0 &&
	    bpf_map_lookup_elem(st->map_fd[VG_MAP_PROTECTED6], &c->k.a, &pr) == 0) {
		*held = true;
		return 0;
	}
	there = bpf_map_lookup_elem(ofd, okey, &o) == 0;
	if (there && (held_in_force(st, &o) || o.origin != c->v.origin)) {
		*held = true;
		return 0;
	}
	if (sfd < 0 || ofd < 0)
		return -ENOENT;
	/* The slot, then the entry naming it: as the program writes them.
	 * The owner entry held by nobody kept the expiry (a link-local:
	 * when it was learned); the parked one's is only its hold's end. */
	memset(&w, 0, sizeof(w));
	w.ifindex = ifindex;
	w.origin = c->v.origin;
	w.slot = (uint8_t)slot;
	w.expires_ns = there ? o.expires_ns : dad ? vg_now_ns() : c->v.expires_ns;
	memset(&s, 0, sizeof(s));
	s.a = c->k.a;
	s.since_ns = w.expires_ns;
	if (bpf_map_update_elem(sfd, &sk, &s, BPF_ANY))
		return -errno;
	if (bpf_map_update_elem(ofd, okey, &w, there ? BPF_EXIST : BPF_NOEXIST)) {
		int ret = errno == EEXIST ? 0 : -errno;

		*held = errno == EEXIST;	/* taken since the lookup */
		bpf_map_delete_elem(sfd, &sk);
		return ret;
	}
	return 0;
}

/* The parked entries of r's identity and pol's MAC back to ifindex,
 * IPv4 leases, IPv6 ones and link-locals each up to its cap (a
 * link-local only if pol learns them).  The parked entries stay until
 * the policy is in force (vg_resume_done()): a run stopped before that
 * leaves them to hold the addresses for the VM (gc) and to restore them
 * at its next attach. */
static int restore(struct vg_state *st, uint32_t ifindex, const struct vg_policy *pol,
		   struct vg_resume *r)
{
	uint32_t next[3] = { 0, VG_LEARN_DHCP4_CAP, 0 };
	const uint32_t end[3] = { VG_LEARN_DHCP4_CAP, VG_LEASE_SLOTS,
				  pol->flags & VG_F_LEARN_LL ? VG_LEARN_LL_CAP : 0 };
	struct vg_park_key *keys;
	struct vg_park *vals;
	struct cand *c;
	size_t n, i;
	bool first;
	int ret;

	ret = parked_of(st, &r->id, pol->macs[0], &keys, &vals, &n, &first, NULL);
	if (ret)
		return ret;
	c = calloc(n ? n : 1, sizeof(*c));
	if (!c)
		ret = -ENOMEM;
	for (i = 0; !ret && i < n; i++)
		c[i] = (struct cand){ .v = vals[i], .k = keys[i] };
	if (!ret)
		qsort(c, n, sizeof(*c), by_end);
	for (i = 0; !ret && i < n; i++) {
		int fam = c[i].v.origin == VG_ORIGIN_DAD ? 2 : !is_v4(&c[i].k.a);
		bool held = false;

		if (next[fam] < end[fam])
			ret = restore_one(st, ifindex, next[fam], &c[i], &held);
		if (ret)
			break;
		if (next[fam] >= end[fam]) {
			/* Over the cap (or a link-local its policy does not
			 * learn): its hold goes with its parked entry, once the
			 * policy is in force (vg_resume_done()). */
			r->dropped++;
		} else if (held) {
			r->refused++;
		} else {
			next[fam]++;
			r->restored++;
		}
	}
	free(c);
	free(keys);
	free(vals);
	return ret;
}

int vg_resume_commit(struct vg_state *st, uint32_t ifindex, const struct vg_policy *pol)
{
	struct vg_resume *r = st->resume;
	int ret;

	if (!r || r->plan == PLAN_NONE || st->map_fd[VG_MAP_LEASE_SLOTS] < 0)
		return 0;
	if (r->plan == PLAN_WINDOW) {
		ret = window_write(st, ifindex, vg_now_ns() + (uint64_t)r->window_s * 1000000000ULL);
		r->window = !ret;
		return ret;
	}
	ret = restore(st, ifindex, pol, r);
	if (!ret && r->plan == PLAN_RESTORE_ENDED)
		ret = window_write(st, ifindex, vg_now_ns());
	if (!ret && r->plan == PLAN_WINDOW_RESTORE) {
		ret = window_write(st, ifindex,
				   vg_now_ns() + (uint64_t)r->window_s * 1000000000ULL);
		r->window = !ret;
	}
	return ret;
}

int vg_resume_done(struct vg_state *st, const struct vg_resume *r, const uint8_t mac[6])
{
	if (!r || (r->plan != PLAN_RESTORE && r->plan != PLAN_RESTORE_ENDED &&
		   r->plan != PLAN_WINDOW_RESTORE))
		return 0;
	return unpark(st, &r->id, mac);
}
