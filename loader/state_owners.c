// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Who holds an IPv6 address on the host ("learned6", "learn_slots") and
 * which ones nobody may learn ("protected6"): the loader's half of
 * link-local learning (include/vifguard.h, "Address learning").
 *
 * The program writes the learned entries (origin VG_ORIGIN_DAD); the
 * loader keeps the configured ones (VG_ORIGIN_CONFIG) equal to the
 * configured link-local addresses of every policy in force: its
 * link-local /128 hosts, inline or in "v6_addrs", and the EUI-64
 * link-local of each MAC of a policy with VG_F_LINK_LOCAL.  Such an
 * entry names one interface that configures the address, so that no
 * other interface learns it; the program never allows from it.
 *
 * Two ways to keep them so:
 *  - per interface, on every write and removal of a policy (the policy
 *    store calls vg_owners_commit() and vg_owners_release()): the
 *    interface's addresses are claimed, evicting another interface that
 *    learned one, and the ones it no longer configures let go, handed to
 *    another interface that configures them too (a guest's vif and its
 *    emulated tap share a MAC).  Lookups by address, no walk of
 *    "learned6": cheap enough for each hotplug event;
 *  - whole (vg_owners_reconcile(), from gc and sync): every entry checked
 *    against every policy, which also repairs what a run killed half-way
 *    left, and entries of interfaces without a policy.
 * A new ifindex starts with no learned address: ifindexes are reused.
 *
 * Everything here runs under the state's exclusive lock.  The program
 * writes "learned6" and "learn_slots" at the same time; what it may write
 * meanwhile (a DAD entry of an interface whose policy lets it learn) is
 * never one that the loader's checks would then remove.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "netlink.h"
#include "state_int.h"

static bool ll6(const void *a)
{
	const uint8_t *b = a;

	return b[0] == 0xfe && (b[1] & 0xc0) == 0x80;
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
	struct vg_addr6 *a;
	size_t n, cap;
};

static bool aset_has(const struct aset *s, const struct vg_addr6 *a)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!memcmp(&s->a[i], a, sizeof(*a)))
			return true;
	return false;
}

static int aset_add(struct aset *s, const struct vg_addr6 *a)
{
	if (aset_has(s, a))
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		struct vg_addr6 *g = realloc(s->a, cap * sizeof(*g));

		if (!g)
			return -ENOMEM;
		s->a = g;
		s->cap = cap;
	}
	s->a[s->n++] = *a;
	return 0;
}

/* The keys of "v6_addrs" that are link-local /128 hosts, to free(). */
static int table_hosts(struct vg_state *st, struct vg_v6_key **out, size_t *n)
{
	struct vg_v6_key *k;
	size_t m, i, j;
	int ret;

	*out = NULL;
	*n = 0;
	if (st->map_fd[VG_MAP_V6_ADDRS] < 0)
		return 0;
	ret = vg_map_keys(st->map_fd[VG_MAP_V6_ADDRS], sizeof(*k), (void **)&k, &m);
	if (ret)
		return ret;
	for (i = j = 0; i < m; i++)
		if (k[i].prefixlen == VG_LPM_KEY_BITS + 128 && ll6(k[i].addr))
			k[j++] = k[i];
	*out = k;
	*n = j;
	return 0;
}

/* The configured link-local addresses of pol, ifindex's policy, into s;
 * those of its table from keys (table_hosts()), or read when keys is
 * NULL and pol has a table. */
static int configured(struct vg_state *st, uint32_t ifindex, const struct vg_policy *pol,
		      const struct vg_v6_key *keys, size_t nkeys, struct aset *s)
{
	struct vg_v6_key *own = NULL;
	struct vg_addr6 a;
	unsigned int i;
	size_t k;
	int ret = 0;

	for (i = 0; i < VG_INLINE_V6 && !ret; i++)
		if (ll6(pol->v6[i])) {
			memcpy(&a, pol->v6[i], sizeof(a));
			ret = aset_add(s, &a);
		}
	for (i = 0; (pol->flags & VG_F_LINK_LOCAL) && i < pol->n_macs && i < VG_MAX_MACS &&
	     !ret; i++) {
		eui64_ll(pol->macs[i], &a);
		ret = aset_add(s, &a);
	}
	if (ret || !(pol->flags & VG_F_V6_TABLE))
		return ret;
	if (!keys && (ret = table_hosts(st, &own, &nkeys)))
		return ret;
	if (!keys)
		keys = own;
	for (k = 0; k < nkeys && !ret; k++)
		if (keys[k].ifindex == ifindex && keys[k].gen == pol->gen) {
			memcpy(&a, keys[k].addr, sizeof(a));
			ret = aset_add(s, &a);
		}
	free(own);
	return ret;
}

/* Deletes the learned entry o of a (the program's learn_forget()): the
 * entry, and its slot while it still holds a. */
static void forget(struct vg_state *st, const struct vg_addr6 *a, const struct vg_owner *o)
{
	struct vg_slot_key sk = { .ifindex = o->ifindex, .slot = o->slot };
	struct vg_slot s;

	bpf_map_delete_elem(st->map_fd[VG_MAP_LEARNED6], a);
	if (bpf_map_lookup_elem(st->map_fd[VG_MAP_LEARN_SLOTS], &sk, &s) == 0 &&
	    !memcmp(&s.a, a, sizeof(*a)))
		bpf_map_delete_elem(st->map_fd[VG_MAP_LEARN_SLOTS], &sk);
}

/* Every address ifindex learned goes (its slots, and their entries). */
static int forget_learned(struct vg_state *st, uint32_t ifindex)
{
	struct vg_slot_key sk = { .ifindex = ifindex };
	struct vg_owner o;
	struct vg_slot s;
	int ret = 0;

	for (sk.slot = 0; sk.slot < VG_LEARN_LL_CAP; sk.slot++) {
		if (bpf_map_lookup_elem(st->map_fd[VG_MAP_LEARN_SLOTS], &sk, &s))
			continue;
		if (bpf_map_lookup_elem(st->map_fd[VG_MAP_LEARNED6], &s.a, &o) == 0 &&
		    o.ifindex == ifindex && o.origin == VG_ORIGIN_DAD)
			bpf_map_delete_elem(st->map_fd[VG_MAP_LEARNED6], &s.a);
		ret = vg_delete_key(st->map_fd[VG_MAP_LEARN_SLOTS], &sk, NULL) ?: ret;
	}
	return ret;
}

/* a becomes configured for ifindex: a learned entry of another interface
 * (or of ifindex itself) is evicted; a configured entry of another
 * interface stays (both configure it: either one keeps others off). */
static int claim(struct vg_state *st, uint32_t ifindex, const struct vg_addr6 *a)
{
	struct vg_owner o, c = { .ifindex = ifindex, .origin = VG_ORIGIN_CONFIG };
	int fd = st->map_fd[VG_MAP_LEARNED6];

	if (bpf_map_lookup_elem(fd, a, &o) == 0) {
		if (o.origin == VG_ORIGIN_CONFIG)
			return 0;
		forget(st, a, &o);
	}
	return bpf_map_update_elem(fd, a, &c, BPF_ANY) ? -errno : 0;
}

/* The policies in force, with the table hosts when one has a table:
 * what vg_owners_*() look others up in. */
struct all {
	uint32_t *keys;
	struct vg_policy *pols;
	size_t n;
	struct vg_v6_key *tk;
	size_t ntk;
};

static void all_free(struct all *w)
{
	free(w->keys);
	free(w->pols);
	free(w->tk);
}

static int all_read(struct vg_state *st, struct all *w)
{
	size_t i;
	bool tables = false;
	int ret;

	memset(w, 0, sizeof(*w));
	ret = vg_store_read_all(st, &w->keys, &w->pols, &w->n);
	for (i = 0; !ret && i < w->n; i++)
		tables |= w->pols[i].flags & VG_F_V6_TABLE;
	if (!ret && tables)
		ret = table_hosts(st, &w->tk, &w->ntk);
	if (ret)
		all_free(w);
	return ret;
}

/* The first interface but except whose policy configures a; 0 none. */
static uint32_t configurer(struct vg_state *st, const struct all *w, const struct vg_addr6 *a,
			   uint32_t except)
{
	struct aset s = { 0 };
	uint32_t who = 0;
	size_t i;

	for (i = 0; i < w->n && !who; i++) {
		s.n = 0;
		if (w->keys[i] != except &&
		    !configured(st, w->keys[i], &w->pols[i], w->tk, w->ntk, &s) &&
		    aset_has(&s, a))
			who = w->keys[i];
	}
	free(s.a);
	return who;
}

/* The configured entries of ifindex for the addresses of gone go, or
 * pass to another interface that configures them. */
static void let_go(struct vg_state *st, uint32_t ifindex, const struct aset *gone)
{
	int fd = st->map_fd[VG_MAP_LEARNED6];
	struct all w;
	bool read = false;
	struct vg_owner o;
	size_t i;

	for (i = 0; i < gone->n; i++) {
		struct vg_owner c = { .origin = VG_ORIGIN_CONFIG };

		if (bpf_map_lookup_elem(fd, &gone->a[i], &o) || o.ifindex != ifindex ||
		    o.origin != VG_ORIGIN_CONFIG)
			continue;
		if (!read && all_read(st, &w) == 0)
			read = true;
		c.ifindex = read ? configurer(st, &w, &gone->a[i], ifindex) : 0;
		if (c.ifindex)
			bpf_map_update_elem(fd, &gone->a[i], &c, BPF_EXIST);
		else
			bpf_map_delete_elem(fd, &gone->a[i]);
	}
	if (read)
		all_free(&w);
}

static bool owner_maps(const struct vg_state *st)
{
	return st->map_fd[VG_MAP_LEARNED6] >= 0 && st->map_fd[VG_MAP_LEARN_SLOTS] >= 0;
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
	 * not this one's. */
	ret = had && (pol->flags & VG_F_LEARN_LL) ? 0 : forget_learned(st, ifindex);
	if (!ret)
		ret = configured(st, ifindex, pol, NULL, 0, &want);
	for (i = 0; !ret && i < want.n; i++)
		ret = claim(st, ifindex, &want.a[i]);
	if (!ret && had && !configured(st, ifindex, &old, NULL, 0, &gone)) {
		for (i = 0; i < gone.n; i++)
			if (aset_has(&want, &gone.a[i]))
				gone.a[i--] = gone.a[--gone.n];
		let_go(st, ifindex, &gone);
	}
	free(want.a);
	free(gone.a);
	return ret;
}

int vg_owners_release(struct vg_state *st, uint32_t ifindex, const struct vg_policy *pol)
{
	struct aset gone = { 0 };
	struct vg_policy old;
	int ret;

	if (!owner_maps(st))
		return 0;
	ret = forget_learned(st, ifindex);
	if (!pol && vg_state_policy(st, ifindex, &old) == 0)
		pol = &old;
	if (pol && configured(st, ifindex, pol, NULL, 0, &gone) == 0)
		let_go(st, ifindex, &gone);
	free(gone.a);
	return ret;
}

/* ---- the whole host ------------------------------------------------------- */

/* What one address should be in "learned6": configured for who. */
struct want {
	struct vg_addr6 a;
	uint32_t who;		/* the first interface that configures it */
	bool seen;		/* an entry of it is there */
};

static int want_cmp(const void *x, const void *y)
{
	return memcmp(x, y, sizeof(struct vg_addr6));
}

/* Whether ifindex configures w->a: it is one of the configurers. */
static bool configures(struct vg_state *st, const struct all *w, uint32_t ifindex,
		       const struct vg_addr6 *a)
{
	struct aset s = { 0 };
	bool yes = false;
	size_t i;

	for (i = 0; i < w->n; i++)
		if (w->keys[i] == ifindex) {
			yes = !configured(st, ifindex, &w->pols[i], w->tk, w->ntk, &s) &&
			      aset_has(&s, a);
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

/* learned6 and learn_slots, entry by entry, against the policies. */
static int reconcile(struct vg_state *st, struct all *w, struct want *wt, size_t nw,
		     unsigned int *changed)
{
	int lfd = st->map_fd[VG_MAP_LEARNED6], sfd = st->map_fd[VG_MAP_LEARN_SLOTS];
	struct vg_slot_key *sk = NULL;
	struct vg_addr6 *keys = NULL;
	uint64_t now = now_ns();
	size_t n, i;
	int ret;

	ret = vg_map_keys(lfd, sizeof(*keys), (void **)&keys, &n);
	for (i = 0; !ret && i < n; i++) {
		struct want *x = bsearch(&keys[i], wt, nw, sizeof(*wt), want_cmp);
		const struct vg_policy *p;
		struct vg_owner o;
		struct vg_slot s;
		struct vg_slot_key k;

		if (bpf_map_lookup_elem(lfd, &keys[i], &o))
			continue;
		if (o.origin == VG_ORIGIN_CONFIG) {
			if (x)
				x->seen = true;
			if (x && (o.ifindex == x->who || configures(st, w, o.ifindex, &x->a)))
				continue;
			(*changed)++;
			if (!x) {
				bpf_map_delete_elem(lfd, &keys[i]);
				continue;
			}
			o.ifindex = x->who;
			if (bpf_map_update_elem(lfd, &keys[i], &o, BPF_ANY))
				ret = -errno;
			continue;
		}
		/* Learned: stays while its interface may learn it, nobody
		 * configures it, it is not protected, and its slot holds it. */
		p = policy_of(w, o.ifindex);
		k = (struct vg_slot_key){ .ifindex = o.ifindex, .slot = o.slot };
		if (p && (p->flags & VG_F_LEARN_LL) && !x && o.origin == VG_ORIGIN_DAD &&
		    bpf_map_lookup_elem(st->map_fd[VG_MAP_PROTECTED6], &keys[i], &s) != 0 &&
		    (young(o.since_ns, now) ||
		     (bpf_map_lookup_elem(sfd, &k, &s) == 0 &&
		      !memcmp(&s.a, &keys[i], sizeof(s.a)))))
			continue;
		forget(st, &keys[i], &o);
		(*changed)++;
	}
	/* Configured addresses nobody holds yet. */
	for (i = 0; !ret && i < nw; i++)
		if (!wt[i].seen) {
			(*changed)++;
			ret = claim(st, wt[i].who, &wt[i].a);
		}
	/* Slots whose entry does not name them back. */
	if (!ret)
		ret = vg_map_keys(sfd, sizeof(*sk), (void **)&sk, &n);
	for (i = 0; !ret && i < n; i++) {
		struct vg_owner o;
		struct vg_slot s;

		if (bpf_map_lookup_elem(sfd, &sk[i], &s) || young(s.since_ns, now))
			continue;
		if (bpf_map_lookup_elem(lfd, &s.a, &o) == 0 && o.ifindex == sk[i].ifindex &&
		    o.origin == VG_ORIGIN_DAD && o.slot == sk[i].slot)
			continue;
		/* A slot alone, settled: left over. */
		(*changed)++;
		vg_delete_key(sfd, &sk[i], NULL);
	}
	free(keys);
	free(sk);
	return ret;
}

int vg_owners_reconcile(struct vg_state *st, unsigned int *changed, char *err, size_t errlen)
{
	struct want *wt = NULL;
	struct aset s = { 0 };
	unsigned int dummy = 0;
	size_t nw = 0, cap = 0, i, j;
	struct all w;
	int ret;

	if (!changed)
		changed = &dummy;
	if (!owner_maps(st))
		return 0;
	ret = all_read(st, &w);
	if (ret)
		return vg_fail(err, errlen, ret, "cannot read the policies: %s", strerror(-ret));
	for (i = 0; !ret && i < w.n; i++) {
		s.n = 0;
		ret = configured(st, w.keys[i], &w.pols[i], w.tk, w.ntk, &s);
		for (j = 0; !ret && j < s.n; j++) {
			if (nw == cap) {
				struct want *g = realloc(wt, (cap = cap ? 2 * cap : 64) * sizeof(*g));

				if (!g) {
					ret = -ENOMEM;
					break;
				}
				wt = g;
			}
			wt[nw++] = (struct want){ .a = s.a[j], .who = w.keys[i] };
		}
	}
	free(s.a);
	if (!ret) {
		/* Sorted, each address once: its first configurer. */
		qsort(wt, nw, sizeof(*wt), want_cmp);
		for (i = j = 0; i < nw; i++)
			if (!j || memcmp(&wt[j - 1].a, &wt[i].a, sizeof(wt[i].a)))
				wt[j++] = wt[i];
		nw = j;
		ret = reconcile(st, &w, wt, nw, changed);
	}
	free(wt);
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

/* a may not be learned (why): written, and taken from an interface that
 * learned it. */
static int protect(struct vg_state *st, const struct vg_addr6 *a, uint32_t why)
{
	struct vg_protect p = { .why = why };
	struct vg_owner o;

	/* The config file's word outlasts a bridge's address and an RA;
	 * a bridge's outlasts an RA. */
	if (bpf_map_lookup_elem(st->map_fd[VG_MAP_PROTECTED6], a, &p) == 0 &&
	    (p.why == why || p.why == VG_PROTECT_CONFIG)) {
		/* Already, under a reason that stays. */
	} else {
		p = (struct vg_protect){ .why = why, .since_ns = now_ns() };
		if (bpf_map_update_elem(st->map_fd[VG_MAP_PROTECTED6], a, &p, BPF_ANY))
			return -errno;
	}
	if (bpf_map_lookup_elem(st->map_fd[VG_MAP_LEARNED6], a, &o) == 0 &&
	    o.origin != VG_ORIGIN_CONFIG)
		forget(st, a, &o);
	return 0;
}

int vg_protect_set(struct vg_state *st, uint32_t why, const struct in6_addr *addrs, size_t n,
		   bool replace, char *err, size_t errlen)
{
	int fd = st->map_fd[VG_MAP_PROTECTED6];
	struct vg_addr6 *keys = NULL;
	struct aset s = { 0 };
	size_t nk = 0, i;
	int ret = 0;

	if (fd < 0 || !owner_maps(st))
		return vg_fail(err, errlen, -ENOENT, "%s/%s: map not pinned", st->root,
			       vg_map_names[VG_MAP_PROTECTED6]);
	for (i = 0; i < n && !ret; i++)
		ret = aset_add(&s, (const struct vg_addr6 *)&addrs[i]);
	if (!ret && replace)
		ret = vg_map_keys(fd, sizeof(*keys), (void **)&keys, &nk);
	for (i = 0; i < nk && !ret; i++) {
		struct vg_protect p;

		if (bpf_map_lookup_elem(fd, &keys[i], &p) == 0 && p.why == why &&
		    !aset_has(&s, &keys[i]))
			ret = vg_delete_key(fd, &keys[i], NULL);
	}
	for (i = 0; i < s.n && !ret; i++)
		ret = protect(st, &s.a[i], why);
	free(keys);
	free(s.a);
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

int vg_state_learned(struct vg_state *st, uint32_t ifindex, struct vg_learned *out,
		     size_t max, size_t *n)
{
	struct vg_slot_key sk = { .ifindex = ifindex };
	struct vg_owner o;
	struct vg_slot s;

	*n = 0;
	if (!owner_maps(st))
		return 0;
	for (sk.slot = 0; sk.slot < VG_LEARN_LL_CAP && *n < max; sk.slot++) {
		if (bpf_map_lookup_elem(st->map_fd[VG_MAP_LEARN_SLOTS], &sk, &s))
			continue;
		/* A slot counts when its entry names it back (the program
		 * writes the entry first). */
		if (bpf_map_lookup_elem(st->map_fd[VG_MAP_LEARNED6], &s.a, &o) ||
		    o.ifindex != ifindex || o.origin != VG_ORIGIN_DAD || o.slot != sk.slot)
			continue;
		memcpy(&out[*n].addr, &s.a, sizeof(out[*n].addr));
		out[*n].origin = o.origin;
		out[*n].slot = sk.slot;
		out[*n].since_ns = o.since_ns;
		(*n)++;
	}
	return 0;
}

/* ---- DHCP snooping's host settings ---------------------------------------- */

int vg_state_set_dhcp_grace(struct vg_state *st, unsigned int seconds, char *err,
			    size_t errlen)
{
	struct vg_learn_cfg c = { .dhcp_grace_s = seconds };
	int fd = st->map_fd[VG_MAP_LEARN_CFG];
	uint32_t zero = 0;

	if (seconds > VG_DHCP_GRACE_MAX)
		return vg_fail(err, errlen, -ERANGE, "dhcp grace %u s: more than %u s", seconds,
			       VG_DHCP_GRACE_MAX);
	if (fd < 0)
		return vg_fail(err, errlen, -ENOENT, "%s/%s: map not pinned", st->root,
			       vg_map_names[VG_MAP_LEARN_CFG]);
	if (bpf_map_update_elem(fd, &zero, &c, BPF_ANY))
		return vg_fail(err, errlen, -errno, "%s/%s: cannot write the dhcp grace: %s",
			       st->root, vg_map_names[VG_MAP_LEARN_CFG], strerror(errno));
	return 0;
}

int vg_state_dhcp_grace(struct vg_state *st, unsigned int *seconds)
{
	struct vg_learn_cfg c;
	uint32_t zero = 0;

	if (st->map_fd[VG_MAP_LEARN_CFG] < 0)
		return -ENOENT;
	if (bpf_map_lookup_elem(st->map_fd[VG_MAP_LEARN_CFG], &zero, &c))
		return -errno;
	*seconds = c.dhcp_grace_s;
	return 0;
}
