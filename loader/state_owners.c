// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Who holds an address on the host ("learned6", "learned4", and the
 * slots "learn_slots" and "lease_slots") and which IPv6 ones nobody may
 * learn ("protected6"): the loader's half of address learning
 * (include/vifguard.h, "Address learning").
 *
 * The programs write the learned entries (origin VG_ORIGIN_DAD for
 * link-locals, VG_ORIGIN_DHCP for leases); the loader keeps the
 * configured ones (VG_ORIGIN_CONFIG) equal to the configured host
 * addresses of every policy in force: its IPv4 hosts (inline, and /32
 * entries of "v4_addrs") in "learned4", its IPv6 /128 hosts of any scope
 * (inline, and in "v6_addrs") and the EUI-64 link-local of each MAC of a
 * policy with VG_F_LINK_LOCAL in "learned6".  Such an entry names one
 * interface that configures the address, so that no other interface
 * learns it (by DAD or by a lease); the program never allows from it.
 * Prefixes are no one's: an address inside another interface's prefix
 * may be leased.
 *
 * Two ways to keep them so:
 *  - per interface, on every write and removal of a policy (the policy
 *    store calls vg_owners_commit() and vg_owners_release()): the
 *    interface's addresses are claimed, evicting another interface that
 *    learned one, and the ones it no longer configures let go, handed to
 *    another interface that configures them too (a guest's vif and its
 *    emulated tap share a MAC).  Lookups by address, no walk of the
 *    maps: cheap enough for each hotplug event;
 *  - whole (vg_owners_reconcile(), from gc and sync): every entry checked
 *    against every policy, which also repairs what a run killed half-way
 *    left, entries of interfaces without a policy, and leases past their
 *    end (and grace).
 * A new ifindex starts with no learned address: ifindexes are reused.
 * An interface whose policy stops learning one way (VG_F_LEARN_LL,
 * VG_F_LEARN_DHCP) loses what it learned that way.
 *
 * "learned4" and "learned6" hold VG_MAX_LEARNED entries each, configured
 * and learned together.  A configured address that finds its map full
 * fails the commit of its policy (-ENOSPC): unclaimed, it could be
 * leased to another guest.
 *
 * Everything here runs under the state's exclusive lock.  The programs
 * write the learning maps at the same time; what they may write
 * meanwhile (an entry of an interface whose policy lets it learn) is
 * never one that the loader's checks would then remove.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "netlink.h"
#include "state_int.h"

/* An address of either family, as the set code compares it: IPv4 as
 * ::ffff:a.b.c.d (the form of lease_slots) with v4 set, so that an IPv6
 * host of ::ffff:0:0/96 stays an IPv6 one.  Always zeroed before use:
 * compared with memcmp(). */
struct oaddr {
	struct vg_addr6 a;
	uint32_t v4;
};

static struct oaddr oaddr6(const void *a6)
{
	struct oaddr x;

	memset(&x, 0, sizeof(x));
	memcpy(&x.a, a6, sizeof(x.a));
	return x;
}

static struct oaddr oaddr4(__be32 a4)
{
	struct oaddr x;

	memset(&x, 0, sizeof(x));
	x.v4 = 1;
	x.a.addr[2] = htonl(0xffff);
	x.a.addr[3] = a4;
	return x;
}

/* The map of x's family, and its key there. */
static int owner_fd(const struct vg_state *st, const struct oaddr *x)
{
	return st->map_fd[x->v4 ? VG_MAP_LEARNED4 : VG_MAP_LEARNED6];
}

static const void *owner_key(const struct oaddr *x)
{
	return x->v4 ? (const void *)&x->a.addr[3] : (const void *)&x->a;
}

/* Origins that sit in lease slots: DHCP leases and first-use addresses. */
static bool leased(uint8_t origin)
{
	return origin == VG_ORIGIN_DHCP || origin == VG_ORIGIN_FIRST;
}

/* The slots a learned entry of origin sits in. */
static int slots_fd(const struct vg_state *st, uint8_t origin)
{
	return st->map_fd[leased(origin) ? VG_MAP_LEASE_SLOTS : VG_MAP_LEARN_SLOTS];
}

/* fe80::/64 with the modified EUI-64 interface identifier of mac
 * (RFC 4291 2.5.1, appendix A), as the program derives it. */
static void eui64_ll(const uint8_t mac[6], struct vg_addr6 *a)
{
	uint8_t *b = (uint8_t *)a->addr;

	memset(a, 0, sizeof(*a));
	b[0] = 0xfe;
	b[1] = 0x80;
	b[8] = mac[0] ^ 0x02;
	b[9] = mac[1];
	b[10] = mac[2];
	b[11] = 0xff;
	b[12] = 0xfe;
	b[13] = mac[3];
	b[14] = mac[4];
	b[15] = mac[5];
}

/* A set of addresses, each once. */
struct aset {
	struct oaddr *a;
	size_t n, cap;
};

static bool aset_has(const struct aset *s, const struct oaddr *a)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!memcmp(&s->a[i], a, sizeof(*a)))
			return true;
	return false;
}

static int aset_add(struct aset *s, const struct oaddr *a)
{
	if (aset_has(s, a))
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		struct oaddr *g = realloc(s->a, cap * sizeof(*g));

		if (!g)
			return -ENOMEM;
		s->a = g;
		s->cap = cap;
	}
	s->a[s->n++] = *a;
	return 0;
}

/* The host entries of the tries: /128 keys of "v6_addrs" and /32 keys of
 * "v4_addrs", to free(). */
struct hosts {
	struct vg_v6_key *k6;
	size_t n6;
	struct vg_v4_key *k4;
	size_t n4;
};

static void hosts_free(struct hosts *h)
{
	free(h->k6);
	free(h->k4);
	memset(h, 0, sizeof(*h));
}

static int table_hosts(struct vg_state *st, struct hosts *h)
{
	size_t m, i, j;
	int ret = 0;

	memset(h, 0, sizeof(*h));
	if (st->map_fd[VG_MAP_V6_ADDRS] >= 0) {
		ret = vg_map_keys(st->map_fd[VG_MAP_V6_ADDRS], sizeof(*h->k6), (void **)&h->k6, &m);
		for (i = j = 0; !ret && i < m; i++)
			if (h->k6[i].prefixlen == VG_LPM_KEY_BITS + 128)
				h->k6[j++] = h->k6[i];
		h->n6 = ret ? 0 : j;
	}
	if (!ret && st->map_fd[VG_MAP_V4_ADDRS] >= 0) {
		ret = vg_map_keys(st->map_fd[VG_MAP_V4_ADDRS], sizeof(*h->k4), (void **)&h->k4, &m);
		for (i = j = 0; !ret && i < m; i++)
			if (h->k4[i].prefixlen == VG_LPM_KEY_BITS + 32)
				h->k4[j++] = h->k4[i];
		h->n4 = ret ? 0 : j;
	}
	if (ret)
		hosts_free(h);
	return ret;
}

static bool zero6(const void *a)
{
	static const struct vg_addr6 z;

	return !memcmp(a, &z, sizeof(z));
}

/* The configured host addresses of pol, ifindex's policy, into s; those
 * of its tables from h (table_hosts()), or read when h is NULL and pol
 * has a table. */
static int configured(struct vg_state *st, uint32_t ifindex, const struct vg_policy *pol,
		      const struct hosts *h, struct aset *s)
{
	struct hosts own = { 0 };
	struct vg_addr6 a;
	struct oaddr x;
	unsigned int i;
	size_t k;
	int ret = 0;

	for (i = 0; i < VG_INLINE_V6 && !ret; i++)
		if (!zero6(pol->v6[i])) {
			x = oaddr6(pol->v6[i]);
			ret = aset_add(s, &x);
		}
	for (i = 0; i < VG_INLINE_V4 && !ret; i++)
		if (pol->v4[i]) {
			x = oaddr4(pol->v4[i]);
			ret = aset_add(s, &x);
		}
	for (i = 0; (pol->flags & VG_F_LINK_LOCAL) && i < pol->n_macs && i < VG_MAX_MACS &&
	     !ret; i++) {
		eui64_ll(pol->macs[i], &a);
		x = oaddr6(&a);
		ret = aset_add(s, &x);
	}
	if (ret || !(pol->flags & (VG_F_V6_TABLE | VG_F_V4_TABLE)))
		return ret;
	if (!h && (ret = table_hosts(st, &own)))
		return ret;
	if (!h)
		h = &own;
	for (k = 0; (pol->flags & VG_F_V6_TABLE) && k < h->n6 && !ret; k++)
		if (h->k6[k].ifindex == ifindex && h->k6[k].gen == pol->gen) {
			x = oaddr6(h->k6[k].addr);
			ret = aset_add(s, &x);
		}
	for (k = 0; (pol->flags & VG_F_V4_TABLE) && k < h->n4 && !ret; k++)
		if (h->k4[k].ifindex == ifindex && h->k4[k].gen == pol->gen) {
			x = oaddr4(h->k4[k].addr);
			ret = aset_add(s, &x);
		}
	hosts_free(&own);
	return ret;
}

/* Deletes the learned entry o of x (the program's forgetting): the
 * entry, and its slot while it still holds x; *removed (may be NULL)
 * counts them. */
static void forget(struct vg_state *st, const struct oaddr *x, const struct vg_owner *o,
		   unsigned int *removed)
{
	struct vg_slot_key sk = { .ifindex = o->ifindex, .slot = o->slot };
	int sfd = slots_fd(st, o->origin);
	struct vg_slot s;

	vg_delete_key(owner_fd(st, x), owner_key(x), removed);
	if (sfd >= 0 && bpf_map_lookup_elem(sfd, &sk, &s) == 0 &&
	    !memcmp(&s.a, &x->a, sizeof(s.a)))
		vg_delete_key(sfd, &sk, removed);
}

/* The address lease slot slot holds (slots below VG_LEARN_DHCP4_CAP are
 * IPv4 ones). */
static struct oaddr lease_addr(uint32_t slot, const struct vg_slot *s)
{
	return slot < VG_LEARN_DHCP4_CAP ? oaddr4(s->a.addr[3]) : oaddr6(&s->a);
}

/*
 * The entry o of x names an interface that is not in force (a restore
 * stopped before its policy was, or the interface went since) while a
 * parked entry backs x: x is held by nobody again, until its VM comes
 * back or the parked entry ends.  The entry changes in place, so that
 * no guest learns x meanwhile; the interface's slot goes.
 */
static int park_hold(struct vg_state *st, const struct oaddr *x, const struct vg_owner *o)
{
	struct vg_slot_key sk = { .ifindex = o->ifindex, .slot = o->slot };
	struct vg_owner held = *o;
	int sfd = slots_fd(st, o->origin);
	struct vg_slot s;

	held.ifindex = 0;
	held.slot = 0;
	if (bpf_map_update_elem(owner_fd(st, x), owner_key(x), &held, BPF_EXIST))
		return errno == ENOENT ? 0 : -errno;
	if (sfd >= 0 && bpf_map_lookup_elem(sfd, &sk, &s) == 0 &&
	    !memcmp(&s.a, &x->a, sizeof(s.a)))
		vg_delete_key(sfd, &sk, NULL);
	return 0;
}

/* Every address ifindex learned of origin (VG_ORIGIN_DAD: its
 * link-locals; VG_ORIGIN_DHCP: its leases; VG_ORIGIN_FIRST: its
 * first-use addresses) goes: its slots and their entries, counted in
 * *removed (may be NULL).  A lease slot that the other lease origin
 * holds stays.  An address that a parked entry backs (its VM's, parked
 * by a run stopped before the interface went out of force, or restored
 * by one stopped before it came in) is held by nobody instead, as gc
 * holds it. */
static int forget_learned(struct vg_state *st, uint32_t ifindex, uint8_t origin,
			  unsigned int *removed)
{
	uint32_t cap = leased(origin) ? VG_LEASE_SLOTS : VG_LEARN_LL_CAP;
	struct vg_slot_key sk = { .ifindex = ifindex };
	int sfd = slots_fd(st, origin);
	struct vg_parked parked = { 0 };
	bool loaded = false;
	struct vg_owner o;
	struct vg_slot s;
	struct oaddr x;
	int ret = 0;

	if (sfd < 0)
		return 0;
	for (sk.slot = 0; sk.slot < cap; sk.slot++) {
		if (bpf_map_lookup_elem(sfd, &sk, &s))
			continue;
		x = leased(origin) ? lease_addr(sk.slot, &s) : oaddr6(&s.a);
		if (owner_fd(st, &x) >= 0 &&
		    bpf_map_lookup_elem(owner_fd(st, &x), owner_key(&x), &o) == 0 &&
		    o.ifindex == ifindex) {
			if (o.origin != origin) {
				if (leased(origin) && leased(o.origin) && o.slot == sk.slot)
					continue;	/* the other origin's */
			} else {
				/* Read once; unreadable: forgotten, as if none. */
				if (!loaded)
					vg_park_load(st, &parked);
				loaded = true;
				if (vg_park_backs(&parked, &x.a, &o, vg_now_ns()))
					ret = park_hold(st, &x, &o) ?: ret;
				else
					vg_delete_key(owner_fd(st, &x), owner_key(&x), removed);
			}
		}
		ret = vg_delete_key(sfd, &sk, removed) ?: ret;
	}
	vg_park_free(&parked);
	return ret;
}

/* ifindex's learning window (lease slot VG_SLOT_WINDOW) goes. */
static int forget_window(struct vg_state *st, uint32_t ifindex, unsigned int *removed)
{
	struct vg_slot_key sk = { .ifindex = ifindex, .slot = VG_SLOT_WINDOW };

	return vg_delete_key(st->map_fd[VG_MAP_LEASE_SLOTS], &sk, removed);
}

/* x becomes configured for ifindex: a learned entry of another interface
 * (or of ifindex itself) is evicted, and a hold by nobody with the
 * parked entries behind it (the VM that parked x does not get it back);
 * a configured entry of another interface stays (both configure it:
 * either one keeps others off).  A full map: -ENOSPC. */
static int claim(struct vg_state *st, uint32_t ifindex, const struct oaddr *x)
{
	struct vg_owner o, c = { .ifindex = ifindex, .origin = VG_ORIGIN_CONFIG };
	int fd = owner_fd(st, x);
	int ret;

	if (fd < 0)
		return 0;	/* a state without the map: nobody learns there */
	if (bpf_map_lookup_elem(fd, owner_key(x), &o) == 0) {
		if (o.origin == VG_ORIGIN_CONFIG)
			return 0;
		if (!o.ifindex && (ret = vg_park_drop_addr(st, &x->a)))
			return ret;
		forget(st, x, &o, NULL);
	}
	if (bpf_map_update_elem(fd, owner_key(x), &c, BPF_ANY))
		return errno == E2BIG ? -ENOSPC : -errno;
	return 0;
}

/* The policies in force, with the table hosts when one has a table:
 * what vg_owners_*() look others up in. */
struct all {
	uint32_t *keys;
	struct vg_policy *pols;
	size_t n;
	struct hosts h;
	struct vg_parked parked;	/* read by vg_owners_reconcile() only */
};

static void all_free(struct all *w)
{
	free(w->keys);
	free(w->pols);
	hosts_free(&w->h);
	vg_park_free(&w->parked);
}

static int all_read(struct vg_state *st, struct all *w)
{
	size_t i;
	bool tables = false;
	int ret;

	memset(w, 0, sizeof(*w));
	ret = vg_store_read_all(st, &w->keys, &w->pols, &w->n);
	for (i = 0; !ret && i < w->n; i++)
		tables |= w->pols[i].flags & (VG_F_V6_TABLE | VG_F_V4_TABLE);
	if (!ret && tables)
		ret = table_hosts(st, &w->h);
	if (ret)
		all_free(w);
	return ret;
}

/* The first interface but except whose policy configures x; 0 none. */
static uint32_t configurer(struct vg_state *st, const struct all *w, const struct oaddr *x,
			   uint32_t except)
{
	struct aset s = { 0 };
	uint32_t who = 0;
	size_t i;

	for (i = 0; i < w->n && !who; i++) {
		s.n = 0;
		if (w->keys[i] != except && !configured(st, w->keys[i], &w->pols[i], &w->h, &s) &&
		    aset_has(&s, x))
			who = w->keys[i];
	}
	free(s.a);
	return who;
}

/* The configured entries of ifindex for the addresses of gone go
 * (counted in *removed, may be NULL), or pass to another interface that
 * configures them. */
static void let_go(struct vg_state *st, uint32_t ifindex, const struct aset *gone,
		   unsigned int *removed)
{
	struct all w;
	bool read = false;
	struct vg_owner o;
	size_t i;

	for (i = 0; i < gone->n; i++) {
		struct vg_owner c = { .origin = VG_ORIGIN_CONFIG };
		const struct oaddr *x = &gone->a[i];
		int fd = owner_fd(st, x);

		if (fd < 0 || bpf_map_lookup_elem(fd, owner_key(x), &o) || o.ifindex != ifindex ||
		    o.origin != VG_ORIGIN_CONFIG)
			continue;
		if (!read && all_read(st, &w) == 0)
			read = true;
		c.ifindex = read ? configurer(st, &w, x, ifindex) : 0;
		if (c.ifindex)
			bpf_map_update_elem(fd, owner_key(x), &c, BPF_EXIST);
		else
			vg_delete_key(fd, owner_key(x), removed);
	}
	if (read)
		all_free(&w);
}

/* Link-local learning's maps; a state of layout 3 (before its takeover)
 * has no DHCP ones, which every function here then leaves alone. */
static bool owner_maps(const struct vg_state *st)
{
	return st->map_fd[VG_MAP_LEARNED6] >= 0 && st->map_fd[VG_MAP_LEARN_SLOTS] >= 0;
}

static bool lease_maps(const struct vg_state *st)
{
	return st->map_fd[VG_MAP_LEARNED4] >= 0 && st->map_fd[VG_MAP_LEASE_SLOTS] >= 0;
}

int vg_owners_commit(struct vg_state *st, uint32_t ifindex, const struct vg_policy *pol)
{
	struct aset want = { 0 }, gone = { 0 };
	struct vg_policy old;
	bool had;
	size_t i;
	int ret;

	if (!owner_maps(st))
		return 0;
	ret = vg_state_policy(st, ifindex, &old);
	if (ret && ret != -ENOENT)
		return ret;
	had = ret == 0;
	/* A new ifindex: what an interface of the same number learned is
	 * not this one's.  A policy that no longer learns one way loses
	 * what it learned that way. */
	ret = had && (pol->flags & VG_F_LEARN_LL) ? 0 :
		forget_learned(st, ifindex, VG_ORIGIN_DAD, NULL);
	if (!ret && lease_maps(st) && !(had && (pol->flags & VG_F_LEARN_DHCP)))
		ret = forget_learned(st, ifindex, VG_ORIGIN_DHCP, NULL);
	if (!ret && lease_maps(st) && !(had && (pol->flags & VG_F_LEARN_FIRST)))
		ret = forget_learned(st, ifindex, VG_ORIGIN_FIRST, NULL) ?:
		      forget_window(st, ifindex, NULL);
	if (!ret)
		ret = configured(st, ifindex, pol, NULL, &want);
	for (i = 0; !ret && i < want.n; i++)
		ret = claim(st, ifindex, &want.a[i]);
	if (!ret && had && !configured(st, ifindex, &old, NULL, &gone)) {
		for (i = 0; i < gone.n; i++)
			if (aset_has(&want, &gone.a[i]))
				gone.a[i--] = gone.a[--gone.n];
		let_go(st, ifindex, &gone, NULL);
	}
	free(want.a);
	free(gone.a);
	return ret;
}

int vg_owners_release(struct vg_state *st, uint32_t ifindex, const struct vg_policy *pol,
		      unsigned int *removed)
{
	struct aset gone = { 0 };
	struct vg_policy old;
	int ret;

	if (!owner_maps(st))
		return 0;
	ret = forget_learned(st, ifindex, VG_ORIGIN_DAD, removed);
	if (lease_maps(st)) {
		ret = forget_learned(st, ifindex, VG_ORIGIN_DHCP, removed) ?: ret;
		ret = forget_learned(st, ifindex, VG_ORIGIN_FIRST, removed) ?: ret;
		ret = forget_window(st, ifindex, removed) ?: ret;
	}
	if (!pol && vg_state_policy(st, ifindex, &old) == 0)
		pol = &old;
	if (pol && configured(st, ifindex, pol, NULL, &gone) == 0)
		let_go(st, ifindex, &gone, removed);
	free(gone.a);
	return ret;
}

/* ---- the whole host ------------------------------------------------------- */

/* What one address should be in its owner map: configured for who. */
struct want {
	struct oaddr x;
	uint32_t who;		/* the first interface that configures it */
	bool seen;		/* an entry of it is there */
};

static int want_cmp(const void *x, const void *y)
{
	return memcmp(x, y, sizeof(struct oaddr));
}

/* Whether ifindex configures x. */
static bool configures(struct vg_state *st, const struct all *w, uint32_t ifindex,
		       const struct oaddr *x)
{
	struct aset s = { 0 };
	bool yes = false;
	size_t i;

	for (i = 0; i < w->n; i++)
		if (w->keys[i] == ifindex) {
			yes = !configured(st, ifindex, &w->pols[i], &w->h, &s) && aset_has(&s, x);
			break;
		}
	free(s.a);
	return yes;
}

static const struct vg_policy *policy_of(const struct all *w, uint32_t ifindex)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		if (w->keys[i] == ifindex)
			return &w->pols[i];
	return NULL;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	/* The program's clock: bpf_ktime_get_ns(). */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The program writes a learned entry, then its slot (and takes the
 * replaced address' entry out in between): an entry or a slot this young
 * may be half-way, and is judged by the next run. */
#define SETTLE_NS	(2ULL * 1000000000ULL)

static bool young(uint64_t since_ns, uint64_t now)
{
	return since_ns + SETTLE_NS > now;
}

/* Whether slot (ifindex, o->slot) of o's origin holds x. */
static bool slot_holds(struct vg_state *st, const struct oaddr *x, const struct vg_owner *o)
{
	struct vg_slot_key k = { .ifindex = o->ifindex, .slot = o->slot };
	int sfd = slots_fd(st, o->origin);
	struct vg_slot s;

	if (leased(o->origin) &&
	    (x->v4 ? o->slot >= VG_LEARN_DHCP4_CAP
		   : o->slot < VG_LEARN_DHCP4_CAP || o->slot >= VG_LEASE_SLOTS))
		return false;
	return sfd >= 0 && bpf_map_lookup_elem(sfd, &k, &s) == 0 &&
	       !memcmp(&s.a, &x->a, sizeof(s.a));
}

/*
 * Whether the learned entry o of x stays: its interface's policy learns
 * that way, nobody configures x, an IPv6 one is not protected, a lease
 * has not ended, and its slot holds it.  A lease records no age: one
 * whose slot does not hold it yet may be half-written, and is looked at
 * once more after the walk (*recheck) before it goes.
 */
static bool learned_stays(struct vg_state *st, const struct all *w, const struct oaddr *x,
			  const struct want *wx, const struct vg_owner *o, uint64_t now,
			  bool *recheck)
{
	const struct vg_policy *p = policy_of(w, o->ifindex);
	struct vg_protect pr;

	*recheck = false;
	/* Held by nobody: a parked lease or link-local, while its parked
	 * entry backs it. */
	if (!o->ifindex && (leased(o->origin) || o->origin == VG_ORIGIN_DAD) && !wx)
		return vg_park_backs(&w->parked, &x->a, o, now);
	if (!p || wx)
		return false;
	if (!x->v4 && bpf_map_lookup_elem(st->map_fd[VG_MAP_PROTECTED6], &x->a, &pr) == 0)
		return false;
	if (o->origin == VG_ORIGIN_DAD)
		return (p->flags & VG_F_LEARN_LL) && !x->v4 &&
		       (young(o->since_ns, now) || slot_holds(st, x, o));
	if (!leased(o->origin) || !lease_maps(st) || o->expires_ns < now ||
	    !(p->flags & (o->origin == VG_ORIGIN_DHCP ? VG_F_LEARN_DHCP : VG_F_LEARN_FIRST)))
		return false;
	if (slot_holds(st, x, o))
		return true;
	*recheck = true;
	return false;
}

/* The entries of one owner map against the policies. */
struct pass {
	struct vg_state *st;
	struct all *w;
	struct want *wt;
	size_t nw;
	unsigned int *changed;
	unsigned int *removed;	/* of *changed, the entries deleted */
	uint64_t now;
	struct aset recheck;	/* leases to look at again */
};

static int reconcile_entry(struct pass *ps, const struct oaddr *x)
{
	struct want *wx = bsearch(x, ps->wt, ps->nw, sizeof(*ps->wt), want_cmp);
	struct vg_state *st = ps->st;
	int fd = owner_fd(st, x);
	struct vg_owner o;
	bool again;

	if (bpf_map_lookup_elem(fd, owner_key(x), &o))
		return 0;
	if (o.origin == VG_ORIGIN_CONFIG) {
		if (wx)
			wx->seen = true;
		if (wx && (o.ifindex == wx->who || configures(st, ps->w, o.ifindex, x)))
			return 0;
		(*ps->changed)++;
		if (!wx)
			return vg_delete_key(fd, owner_key(x), ps->removed);
		o.ifindex = wx->who;
		return bpf_map_update_elem(fd, owner_key(x), &o, BPF_ANY) ? -errno : 0;
	}
	if (learned_stays(st, ps->w, x, wx, &o, ps->now, &again))
		return 0;
	if (again)
		return aset_add(&ps->recheck, x);
	(*ps->changed)++;
	if (o.ifindex && !wx && !policy_of(ps->w, o.ifindex) &&
	    vg_park_backs(&ps->w->parked, &x->a, &o, ps->now))
		return park_hold(st, x, &o);
	forget(st, x, &o, ps->removed);
	return 0;
}

/* The program writes a lease's entry and then its slot within one run:
 * a millisecond is long past it. */
#define LEASE_SETTLE_US	1000

static int reconcile_recheck(struct pass *ps)
{
	struct vg_owner o;
	size_t i;
	bool again;

	if (!ps->recheck.n)
		return 0;
	usleep(LEASE_SETTLE_US);
	for (i = 0; i < ps->recheck.n; i++) {
		const struct oaddr *x = &ps->recheck.a[i];

		if (bpf_map_lookup_elem(owner_fd(ps->st, x), owner_key(x), &o) ||
		    learned_stays(ps->st, ps->w, x, NULL, &o, ps->now, &again))
			continue;
		forget(ps->st, x, &o, ps->removed);
		(*ps->changed)++;
	}
	return 0;
}

/* Slots whose entry does not name them back: left over, once settled. */
static int reconcile_slots(struct pass *ps, enum vg_map_id id)
{
	struct vg_state *st = ps->st;
	int sfd = st->map_fd[id];
	uint8_t origin = id == VG_MAP_LEASE_SLOTS ? VG_ORIGIN_DHCP : VG_ORIGIN_DAD;
	struct vg_slot_key *sk = NULL;
	size_t n, i, pass;
	int ret;

	if (sfd < 0)
		return 0;
	ret = vg_map_keys(sfd, sizeof(*sk), (void **)&sk, &n);
	/* Leases: the suspects once more after a wait (a slot records no
	 * age either). */
	for (pass = 0; !ret && pass < (origin == VG_ORIGIN_DHCP ? 2 : 1); pass++) {
		if (pass)
			usleep(LEASE_SETTLE_US);
		for (i = 0; !ret && i < n; i++) {
			struct vg_owner o;
			struct vg_slot s;
			struct oaddr x;
			int fd;

			if (!sk[i].ifindex && !sk[i].slot && pass)
				continue;	/* not a suspect */
			if (bpf_map_lookup_elem(sfd, &sk[i], &s) ||
			    (origin == VG_ORIGIN_DAD && young(s.since_ns, ps->now)))
				goto settled;
			if (origin == VG_ORIGIN_DHCP && sk[i].slot == VG_SLOT_WINDOW) {
				const struct vg_policy *p = policy_of(ps->w, sk[i].ifindex);

				/* A window stays with a policy that learns on
				 * first use. */
				if (p && (p->flags & VG_F_LEARN_FIRST))
					goto settled;
				if (!pass)
					continue;
				(*ps->changed)++;
				vg_delete_key(sfd, &sk[i], NULL);
				goto settled;
			} else if (origin == VG_ORIGIN_DHCP && sk[i].slot >= VG_LEASE_SLOTS) {
				x = oaddr6(&s.a);	/* no slot of the program's */
			} else {
				x = origin == VG_ORIGIN_DHCP ? lease_addr(sk[i].slot, &s) :
							       oaddr6(&s.a);
				fd = owner_fd(st, &x);
				if (fd >= 0 && bpf_map_lookup_elem(fd, owner_key(&x), &o) == 0 &&
				    o.ifindex == sk[i].ifindex && o.slot == sk[i].slot &&
				    (o.origin == origin ||
				     (origin == VG_ORIGIN_DHCP && o.origin == VG_ORIGIN_FIRST)))
					goto settled;
			}
			if (origin == VG_ORIGIN_DHCP && !pass)
				continue;	/* a suspect: looked at again */
			(*ps->changed)++;
			vg_delete_key(sfd, &sk[i], ps->removed);
settled:
			/* Off the list of suspects. */
			sk[i] = (struct vg_slot_key){ 0 };
		}
	}
	free(sk);
	return ret;
}

/* An owner map's keys as addresses. */
static int owner_keys(struct vg_state *st, bool v4, struct oaddr **out, size_t *n)
{
	int fd = st->map_fd[v4 ? VG_MAP_LEARNED4 : VG_MAP_LEARNED6];
	size_t ksz = v4 ? sizeof(struct vg_addr4) : sizeof(struct vg_addr6), i;
	char *keys;
	int ret;

	*out = NULL;
	*n = 0;
	if (fd < 0)
		return 0;
	ret = vg_map_keys(fd, ksz, (void **)&keys, n);
	if (ret)
		return ret;
	*out = calloc(*n ? *n : 1, sizeof(**out));
	if (!*out) {
		free(keys);
		return -ENOMEM;
	}
	for (i = 0; i < *n; i++) {
		if (v4) {
			struct vg_addr4 k;

			memcpy(&k, keys + i * ksz, sizeof(k));
			(*out)[i] = oaddr4(k.addr);
		} else {
			(*out)[i] = oaddr6(keys + i * ksz);
		}
	}
	free(keys);
	return 0;
}

/* Both owner maps and both slot maps, entry by entry, against the
 * policies. */
static int reconcile(struct vg_state *st, struct all *w, struct want *wt, size_t nw,
		     unsigned int *changed, unsigned int *removed, unsigned int *unclaimed)
{
	unsigned int full = 0;
	struct pass ps = { .st = st, .w = w, .wt = wt, .nw = nw, .changed = changed,
			   .removed = removed, .now = now_ns() };
	struct oaddr *keys;
	size_t n, i;
	int fam, ret = 0;

	for (fam = 0; !ret && fam < 2; fam++) {
		ret = owner_keys(st, fam, &keys, &n);
		for (i = 0; !ret && i < n; i++)
			ret = reconcile_entry(&ps, &keys[i]);
		free(keys);
	}
	if (!ret)
		ret = reconcile_recheck(&ps);
	/* Configured addresses nobody holds yet; a full map leaves those it
	 * has no room for to the error, the others are claimed all the same. */
	for (i = 0; !ret && i < nw; i++)
		if (!wt[i].seen && owner_fd(st, &wt[i].x) >= 0) {
			int r = claim(st, wt[i].who, &wt[i].x);

			if (r == -ENOSPC)
				full++;
			else if (r)
				ret = r;
			else
				(*changed)++;
		}
	if (!ret)
		ret = reconcile_slots(&ps, VG_MAP_LEARN_SLOTS);
	if (!ret)
		ret = reconcile_slots(&ps, VG_MAP_LEASE_SLOTS);
	free(ps.recheck.a);
	*unclaimed = full;
	return ret ?: (full ? -ENOSPC : 0);
}

int vg_owners_reconcile(struct vg_state *st, unsigned int *changed, unsigned int *removed,
			char *err, size_t errlen)
{
	struct want *wt = NULL;
	struct aset s = { 0 };
	unsigned int dummy = 0, dummy_removed = 0, unclaimed = 0;
	size_t nw = 0, cap = 0, i, j;
	struct all w;
	int ret;

	if (!changed)
		changed = &dummy;
	if (!removed)
		removed = &dummy_removed;
	if (!owner_maps(st))
		return 0;
	/* Parked leases that ended: their ifindex-0 entries go below. */
	ret = vg_park_gc(st, now_ns(), changed);
	if (ret)
		return vg_fail(err, errlen, ret, "%s/%s: %s", st->root,
			       vg_map_names[VG_MAP_PARKED], strerror(-ret));
	ret = all_read(st, &w);
	if (ret)
		return vg_fail(err, errlen, ret, "cannot read the policies: %s", strerror(-ret));
	ret = vg_park_load(st, &w.parked);
	if (ret) {
		all_free(&w);
		return vg_fail(err, errlen, ret, "%s/%s: %s", st->root,
			       vg_map_names[VG_MAP_PARKED], strerror(-ret));
	}
	for (i = 0; !ret && i < w.n; i++) {
		s.n = 0;
		ret = configured(st, w.keys[i], &w.pols[i], &w.h, &s);
		for (j = 0; !ret && j < s.n; j++) {
			if (nw == cap) {
				struct want *g = realloc(wt, (cap = cap ? 2 * cap : 64) * sizeof(*g));

				if (!g) {
					ret = -ENOMEM;
					break;
				}
				wt = g;
			}
			wt[nw++] = (struct want){ .x = s.a[j], .who = w.keys[i] };
		}
	}
	free(s.a);
	if (!ret) {
		/* Sorted, each address once: its first configurer. */
		qsort(wt, nw, sizeof(*wt), want_cmp);
		for (i = j = 0; i < nw; i++)
			if (!j || memcmp(&wt[j - 1].x, &wt[i].x, sizeof(wt[i].x)))
				wt[j++] = wt[i];
		nw = j;
		ret = reconcile(st, &w, wt, nw, changed, removed, &unclaimed);
	}
	free(wt);
	if (ret == -ENOSPC) {
		all_free(&w);
		return vg_fail(err, errlen, ret, "%u configured address(es) not claimed: %s or "
			       "%s holds %u addresses already (configured and learned), and "
			       "another interface could learn those", unclaimed,
			       vg_map_names[VG_MAP_LEARNED4], vg_map_names[VG_MAP_LEARNED6],
			       VG_MAX_LEARNED);
	}
	if (ret) {
		all_free(&w);
		return vg_fail(err, errlen, ret, "cannot update the learned addresses: %s",
			       strerror(-ret));
	}
	/* The bridges of the interfaces with a policy, as they are now. */
	ret = vg_protect_bridges(st, w.keys, w.n, true, err, errlen);
	all_free(&w);
	return ret;
}

/* ---- protected addresses -------------------------------------------------- */

/* An RA entry of protected6: its address and when it was last heard. */
struct ra_ent {
	struct vg_addr6 a;
	uint64_t since_ns;
};

static int ra_cmp(const void *x, const void *y)
{
	const struct ra_ent *a = x, *b = y;

	return a->since_ns < b->since_ns ? -1 : a->since_ns > b->since_ns;
}

/*
 * The RA entries of protected6 (to free()), and how many entries it
 * holds in all.
 */
static int ra_entries(struct vg_state *st, struct ra_ent **out, size_t *n, size_t *total)
{
	int fd = st->map_fd[VG_MAP_PROTECTED6];
	struct vg_addr6 *keys = NULL;
	struct vg_protect p;
	size_t nk = 0, i;
	int ret;

	*out = NULL;
	*n = *total = 0;
	ret = vg_map_keys(fd, sizeof(*keys), (void **)&keys, &nk);
	if (ret)
		return ret;
	*out = calloc(nk ? nk : 1, sizeof(**out));
	if (!*out) {
		free(keys);
		return -ENOMEM;
	}
	for (i = 0; i < nk; i++) {
		if (bpf_map_lookup_elem(fd, &keys[i], &p))
			continue;
		(*total)++;
		if (p.why == VG_PROTECT_RA)
			(*out)[(*n)++] = (struct ra_ent){ keys[i], p.since_ns };
	}
	free(keys);
	return 0;
}

/*
 * Room for need more entries in protected6: when it is too full, the RA
 * entries heard least recently go (a router still advertising is heard
 * again and written back by the egress program).  -ENOSPC when there are
 * not enough of them: the rest are the config file's and the bridges'.
 */
static int protect_room(struct vg_state *st, size_t need)
{
	int fd = st->map_fd[VG_MAP_PROTECTED6];
	struct ra_ent *ra;
	size_t n, total, i, drop;
	int ret;

	ret = ra_entries(st, &ra, &n, &total);
	if (ret || total + need <= VG_MAX_PROTECTED) {
		free(ra);
		return ret;
	}
	drop = total + need - VG_MAX_PROTECTED;
	qsort(ra, n, sizeof(*ra), ra_cmp);
	for (i = 0; i < n && i < drop && !ret; i++)
		ret = vg_delete_key(fd, &ra[i].a, NULL);
	free(ra);
	return ret ? ret : drop > n ? -ENOSPC : 0;
}

int vg_protect_expire(struct vg_state *st, unsigned int *removed)
{
	int fd = st->map_fd[VG_MAP_PROTECTED6];
	const uint64_t ttl = (uint64_t)VG_PROTECT_RA_TTL_S * 1000000000ULL;
	uint64_t now = now_ns();
	struct ra_ent *ra;
	size_t n, total, i;
	int ret;

	if (fd < 0)
		return 0;
	ret = ra_entries(st, &ra, &n, &total);
	for (i = 0; i < n && !ret; i++) {
		struct vg_protect p;

		/* Read again: an RA may have refreshed it since. */
		if (ra[i].since_ns + ttl < now && bpf_map_lookup_elem(fd, &ra[i].a, &p) == 0 &&
		    p.why == VG_PROTECT_RA && p.since_ns + ttl < now)
			ret = vg_delete_key(fd, &ra[i].a, removed);
	}
	free(ra);
	return ret;
}

/* a may not be learned (why): written, and taken from an interface that
 * learned it. */
static int protect(struct vg_state *st, const struct vg_addr6 *a, uint32_t why)
{
	struct vg_protect p = { .why = why };
	struct oaddr x = oaddr6(a);
	struct vg_owner o;
	int tries, ret;

	/* The config file's word outlasts a bridge's address and an RA;
	 * a bridge's outlasts an RA. */
	if (bpf_map_lookup_elem(st->map_fd[VG_MAP_PROTECTED6], a, &p) == 0 &&
	    (p.why == why || p.why == VG_PROTECT_CONFIG)) {
		/* Already, under a reason that stays. */
	} else {
		p = (struct vg_protect){ .why = why, .since_ns = now_ns() };
		/* Full: the egress program took the room made before (an
		 * RA flood), so room is made again, a few times. */
		for (tries = 0;; tries++) {
			if (!bpf_map_update_elem(st->map_fd[VG_MAP_PROTECTED6], a, &p, BPF_ANY))
				break;
			if (errno != E2BIG || tries == 3)
				return errno == E2BIG ? -ENOSPC : -errno;
			ret = protect_room(st, 1);
			if (ret)
				return ret;
		}
	}
	/* An IPv4 address, protected as ::ffff:a.b.c.d, is held in learned4. */
	if (!a->addr[0] && !a->addr[1] && a->addr[2] == htonl(0xffff))
		x = oaddr4(a->addr[3]);
	if (owner_fd(st, &x) >= 0 &&
	    bpf_map_lookup_elem(owner_fd(st, &x), owner_key(&x), &o) == 0 &&
	    o.origin != VG_ORIGIN_CONFIG)
		forget(st, &x, &o, NULL);
	return 0;
}

int vg_protect_set(struct vg_state *st, uint32_t why, const struct in6_addr *addrs, size_t n,
		   bool replace, char *err, size_t errlen)
{
	int fd = st->map_fd[VG_MAP_PROTECTED6];
	struct vg_addr6 *keys = NULL;
	struct aset s = { 0 };
	struct oaddr x;
	size_t nk = 0, i;
	int ret = 0;

	if (fd < 0 || !owner_maps(st))
		return vg_fail(err, errlen, -ENOENT, "%s/%s: map not pinned", st->root,
			       vg_map_names[VG_MAP_PROTECTED6]);
	for (i = 0; i < n && !ret; i++) {
		x = oaddr6(&addrs[i]);
		ret = aset_add(&s, &x);
	}
	if (!ret && replace)
		ret = vg_map_keys(fd, sizeof(*keys), (void **)&keys, &nk);
	for (i = 0; i < nk && !ret; i++) {
		struct vg_protect p;

		x = oaddr6(&keys[i]);
		if (bpf_map_lookup_elem(fd, &keys[i], &p) == 0 && p.why == why &&
		    !aset_has(&s, &x))
			ret = vg_delete_key(fd, &keys[i], NULL);
	}
	/* Room for those not there yet, in one pass over the map. */
	for (i = 0, nk = 0; i < s.n && !ret; i++) {
		struct vg_protect p;

		nk += bpf_map_lookup_elem(fd, &s.a[i].a, &p) != 0;
	}
	/* Without room for all, those that fit are written, and the first
	 * that does not fails. */
	if (!ret && nk && (ret = protect_room(st, nk)) == -ENOSPC)
		ret = 0;
	for (i = 0; i < s.n && !ret; i++)
		ret = protect(st, &s.a[i].a, why);
	free(keys);
	free(s.a);
	if (ret == -ENOSPC)
		return vg_fail(err, errlen, ret, "cannot write the protected addresses: %s is "
			       "full (%u entries), and none of its entries left is a Router "
			       "Advertisement's source that could make room: they are the "
			       "config file's (host protect=) and the bridges' addresses",
			       vg_map_names[VG_MAP_PROTECTED6], VG_MAX_PROTECTED);
	if (ret)
		return vg_fail(err, errlen, ret, "cannot write the protected addresses: %s",
			       strerror(-ret));
	return 0;
}

int vg_protect_bridges(struct vg_state *st, const uint32_t *ifindexes, size_t n, bool replace,
		       char *err, size_t errlen)
{
	struct in6_addr *a = NULL;
	size_t na = 0;
	int ret;

	ret = vg_net_master_ll6(ifindexes, n, &a, &na);
	if (ret)
		ret = vg_fail(err, errlen, ret, "cannot read the bridges' addresses: %s",
			      strerror(-ret));
	else
		ret = vg_protect_set(st, VG_PROTECT_BRIDGE, a, na, replace, err, errlen);
	free(a);
	return ret;
}

/* ---- reading them --------------------------------------------------------- */

/* The addresses of ifindex's slots of origin whose entry names them back
 * (the program writes the entry first), appended to out. */
static void learned_of(struct vg_state *st, uint32_t ifindex, uint8_t origin,
		       struct vg_learned *out, size_t max, size_t *n)
{
	uint32_t cap = leased(origin) ? VG_LEASE_SLOTS : VG_LEARN_LL_CAP;
	struct vg_slot_key sk = { .ifindex = ifindex };
	int sfd = slots_fd(st, origin);
	struct vg_owner o;
	struct vg_slot s;
	struct oaddr x;

	for (sk.slot = 0; sfd >= 0 && sk.slot < cap && *n < max; sk.slot++) {
		if (bpf_map_lookup_elem(sfd, &sk, &s))
			continue;
		x = leased(origin) ? lease_addr(sk.slot, &s) : oaddr6(&s.a);
		if (owner_fd(st, &x) < 0 ||
		    bpf_map_lookup_elem(owner_fd(st, &x), owner_key(&x), &o) ||
		    o.ifindex != ifindex || o.origin != origin || o.slot != sk.slot)
			continue;
		memcpy(&out[*n].addr, &x.a, sizeof(out[*n].addr));
		out[*n].v4 = x.v4;
		out[*n].origin = o.origin;
		out[*n].slot = sk.slot;
		out[*n].since_ns = o.since_ns;
		(*n)++;
	}
}

int vg_state_learned(struct vg_state *st, uint32_t ifindex, struct vg_learned *out,
		     size_t max, size_t *n)
{
	*n = 0;
	if (!owner_maps(st))
		return 0;
	learned_of(st, ifindex, VG_ORIGIN_DAD, out, max, n);
	if (lease_maps(st)) {
		learned_of(st, ifindex, VG_ORIGIN_DHCP, out, max, n);
		learned_of(st, ifindex, VG_ORIGIN_FIRST, out, max, n);
	}
	return 0;
}

int vg_state_window(struct vg_state *st, uint32_t ifindex, uint64_t *end_ns)
{
	struct vg_slot_key sk = { .ifindex = ifindex, .slot = VG_SLOT_WINDOW };
	struct vg_slot s;

	if (st->map_fd[VG_MAP_LEASE_SLOTS] < 0)
		return -ENOENT;
	if (bpf_map_lookup_elem(st->map_fd[VG_MAP_LEASE_SLOTS], &sk, &s))
		return -errno;
	*end_ns = s.since_ns;
	return 0;
}

/* ---- DHCP snooping's host settings ---------------------------------------- */

int vg_state_learn_cfg(struct vg_state *st, struct vg_learn_cfg *c)
{
	uint32_t zero = 0;

	if (st->map_fd[VG_MAP_LEARN_CFG] < 0)
		return -ENOENT;
	if (bpf_map_lookup_elem(st->map_fd[VG_MAP_LEARN_CFG], &zero, c))
		return -errno;
	return 0;
}

/* One field of learn_cfg (what names it), the others kept. */
static int learn_cfg_set(struct vg_state *st, size_t off, unsigned int seconds,
			 const char *what, char *err, size_t errlen)
{
	int fd = st->map_fd[VG_MAP_LEARN_CFG];
	struct vg_learn_cfg c;
	uint32_t zero = 0;
	__u32 v = seconds;
	int ret;

	ret = vg_state_learn_cfg(st, &c);
	if (ret == -ENOENT)
		return vg_fail(err, errlen, -ENOENT, "%s/%s: map not pinned", st->root,
			       vg_map_names[VG_MAP_LEARN_CFG]);
	if (ret)
		return vg_fail(err, errlen, ret, "%s/%s: %s", st->root,
			       vg_map_names[VG_MAP_LEARN_CFG], strerror(-ret));
	memcpy((char *)&c + off, &v, sizeof(v));
	if (bpf_map_update_elem(fd, &zero, &c, BPF_ANY))
		return vg_fail(err, errlen, -errno, "%s/%s: cannot write the %s: %s",
			       st->root, vg_map_names[VG_MAP_LEARN_CFG], what, strerror(errno));
	return 0;
}

int vg_state_set_dhcp_grace(struct vg_state *st, unsigned int seconds, char *err,
			    size_t errlen)
{
	if (seconds > VG_DHCP_GRACE_MAX)
		return vg_fail(err, errlen, -ERANGE, "dhcp grace %u s: more than %u s", seconds,
			       VG_DHCP_GRACE_MAX);
	return learn_cfg_set(st, offsetof(struct vg_learn_cfg, dhcp_grace_s), seconds,
			     "dhcp grace", err, errlen);
}

int vg_state_set_first_lease(struct vg_state *st, unsigned int seconds, char *err,
			     size_t errlen)
{
	if (seconds > VG_FIRST_LEASE_MAX)
		return vg_fail(err, errlen, -ERANGE, "first-use lease %u s: more than %u s",
			       seconds, VG_FIRST_LEASE_MAX);
	return learn_cfg_set(st, offsetof(struct vg_learn_cfg, first_lease_s), seconds,
			     "first-use lease", err, errlen);
}

int vg_state_dhcp_grace(struct vg_state *st, unsigned int *seconds)
{
	struct vg_learn_cfg c;
	int ret = vg_state_learn_cfg(st, &c);

	if (!ret)
		*seconds = c.dhcp_grace_s;
	return ret;
}
