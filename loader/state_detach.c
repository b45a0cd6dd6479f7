// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Taking things away: detaching an interface (its filter and every map
 * entry of it), and gc (the entries of interfaces that are gone, stale
 * entries, tcx links left behind; filters put back where a policy is in
 * force without one).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state_int.h"
#include "tc.h"

/* Every entry of ifindex: policy first, so that the data path stops
 * using the addresses before they go.  The pass counter slot needs no
 * removal: it is zeroed when it is given out again.  A retired array
 * entry is freed by the caller's vg_store_sweep(). */
int vg_remove_entries(struct vg_state *st, uint32_t ifindex, unsigned int *removed)
{
	int ret;

	ret = vg_store_remove(st, ifindex, removed);
	if (!ret)
		ret = vg_purge_addrs(st, ifindex, VG_PURGE_ALL, 0, removed);
	if (!ret)
		ret = vg_purge_drops(st, ifindex, removed);
	return ret;
}

/* The policy, the filter, then the entries of ifindex, which exists. */
static int detach_ifindex(struct vg_state *st, uint32_t ifindex, struct vg_detach_result *res,
			  char *err, size_t errlen)
{
	struct vg_policy pol;
	uint32_t attach = 0;
	int ret;

	/* The policy goes before the filter: a run stopped in between
	 * leaves a filter without a policy, which drops everything, and the
	 * next detach takes a clsact holding nothing but our filter as
	 * ours. */
	ret = vg_state_policy(st, ifindex, &pol);
	/* A dead device's, at its ifindex reused: removed as gc removes it,
	 * and the device detached as one without a policy. */
	if (ret == 0 && vg_policy_gone(st, ifindex, &pol)) {
		ret = vg_gone_remove(st, ifindex, &pol, &res->entries);
		if (ret)
			return vg_fail(err, errlen, ret, "cannot remove the policy of the device "
				       "that had its ifindex: %s", strerror(-ret));
		ret = -ENOENT;
	}
	if (ret == 0)
		attach = pol.attach;
	else if (ret == -ENOENT && vg_place_foreign_on(st, ifindex, &attach))
		return vg_fail(err, errlen, -EBUSY, "carries the vifguard program of another "
			       "state root (prog %u), not of %s: detach it with that root (-r DIR)",
			       attach, st->root);
	else if (ret == -ENOENT && vg_tc_clsact_unused((int)ifindex) == 1)
		attach = VG_ATTACH_OWN_CLSACT;
	else if (ret != -ENOENT)
		return vg_fail(err, errlen, ret, "cannot read the policy: %s", strerror(-ret));
	/* A Xen guest interface's leases wait for its return. */
	if (ret == 0 && (ret = vg_park_going(st, ifindex, &pol)))
		return vg_fail(err, errlen, ret, "cannot park its leases: %s", strerror(-ret));
	ret = vg_store_remove(st, ifindex, &res->entries);
	if (ret)
		return vg_fail(err, errlen, ret, "cannot remove the policy: %s", strerror(-ret));
	ret = vg_filter_detach(st, ifindex, attach, &res->filter);
	if (ret)
		return vg_fail(err, errlen, ret, "cannot detach: %s (the interface drops "
			       "everything; detach again)", strerror(-ret));
	/* Its counters last: the filter counts until it is off. */
	ret = vg_remove_entries(st, ifindex, &res->entries);
	if (ret)
		return vg_fail(err, errlen, ret, "cannot remove map entries: %s", strerror(-ret));
	return 0;
}

int vg_state_detach(struct vg_state *st, const char *ifname,
		    struct vg_detach_result *res, char *err, size_t errlen)
{
	uint32_t ifindex = if_nametoindex(ifname), *keys = NULL;
	struct vg_policy *pols = NULL;
	size_t n = 0, i;
	int ret = 0;

	memset(res, 0, sizeof(*res));
	/* Only a device that does not exist is one to look up by name. */
	if (!ifindex && errno != ENODEV)
		return vg_fail(err, errlen, -errno, "cannot detach: %s", strerror(errno));
	/* No state, and no device here carries vifguard's program
	 * (vg_state_open() refuses a root without state otherwise). */
	if (st->lock_fd < 0)
		return 0;
	if (ifindex && (ret = detach_ifindex(st, ifindex, res, err, errlen)))
		return ret;
	/* Recorded under this name at an ifindex that is gone: the device
	 * was removed before its detach (hotplug offline comes late). */
	ret = vg_store_read_all(st, &keys, &pols, &n);
	if (ret)
		return vg_fail(err, errlen, ret, "cannot read the policies: %s", strerror(-ret));
	for (i = 0; i < n && !ret; i++) {
		char cur[IF_NAMESIZE];

		if (keys[i] == ifindex || !vg_policy_named(&pols[i], ifname))
			continue;
		vg_name_of(keys[i], cur);
		/* Alive under another name (renamed): not this one. */
		if (cur[0] && !vg_policy_gone(st, keys[i], &pols[i]))
			continue;
		ret = vg_gone_remove(st, keys[i], &pols[i], &res->entries);
	}
	free(keys);
	free(pols);
	if (!ret)
		ret = vg_store_sweep(st);
	if (ret)
		return vg_fail(err, errlen, ret, "cannot remove map entries: %s", strerror(-ret));
	return 0;
}

int vg_state_detach_index(struct vg_state *st, uint32_t ifindex,
			  struct vg_detach_result *res, char *err, size_t errlen)
{
	int ret;

	memset(res, 0, sizeof(*res));
	if (st->lock_fd < 0)
		return 0;
	ret = detach_ifindex(st, ifindex, res, err, errlen);
	if (!ret && (ret = vg_store_sweep(st)))
		return vg_fail(err, errlen, ret, "cannot remove map entries: %s", strerror(-ret));
	return ret;
}

int vg_state_detach_root(const struct vg_ctx *ctx, const char *ifname,
			 const struct vg_xen_id *park, unsigned int *unparked, char *err,
			 size_t errlen)
{
	struct vg_detach_result res;
	struct vg_state st;
	int ret;

	ret = vg_state_open(&st, ctx, VG_STATE_WRITE, err, errlen);
	if (ret)
		return ret;
	st.park = park;
	ret = vg_state_detach(&st, ifname, &res, err, errlen);
	if (unparked)
		*unparked += st.unparked;
	vg_state_close(&st);
	return ret;
}

int vg_state_gc_orphans(struct vg_state *st, unsigned int *removed, char *err,
			size_t errlen)
{
	struct vg_detach_result res;
	struct vg_found *v;
	char why[256];
	size_t n, i;
	int ret;

	*removed = 0;
	if (st->lock_fd < 0)
		return 0;
	ret = vg_state_scan(st, &v, &n, err, errlen);
	for (i = 0; i < n && !ret; i++) {
		if (!v[i].ours || v[i].has_policy)
			continue;
		memset(&res, 0, sizeof(res));
		ret = detach_ifindex(st, v[i].ifindex, &res, why, sizeof(why));
		if (ret)
			vg_fail(err, errlen, ret, "%s: %s", v[i].ifname, why);
		else if (res.filter)
			(*removed)++;
	}
	free(v);
	return ret;
}

/* The orphans a gc keeps (vg_state_gc_orphans() removes them). */
static unsigned int count_orphans(struct vg_state *st)
{
	struct vg_found *v;
	size_t n, i;
	unsigned int c = 0;

	if (vg_state_scan(st, &v, &n, NULL, 0))
		return 0;
	for (i = 0; i < n; i++)
		c += v[i].ours && !v[i].has_policy;
	free(v);
	return c;
}

/* Policies to keep (live interfaces) with their generation. */
struct live {
	uint32_t ifindex;
	uint32_t gen;
};

static const struct live *live_find(const struct live *l, size_t n, uint32_t ifindex)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (l[i].ifindex == ifindex)
			return &l[i];
	return NULL;
}

/* The ifindex and hook of a tcx link's pin name (tcx_N, tcx_out_N):
 * false when name is no such pin. */
static bool tcx_pin_name(const char *name, uint32_t *ifindex, enum vg_hook *hook)
{
	unsigned long idx;
	char *end;

	if (!strncmp(name, "tcx_out_", 8)) {
		name += 8;
		*hook = VG_HOOK_EGRESS;
	} else if (!strncmp(name, "tcx_", 4)) {
		name += 4;
		*hook = VG_HOOK_INGRESS;
	} else {
		return false;
	}
	if (*name < '0' || *name > '9')
		return false;
	errno = 0;
	idx = strtoul(name, &end, 10);
	if (errno || *end || idx > UINT32_MAX)
		return false;
	*ifindex = (uint32_t)idx;
	return true;
}

/*
 * tcx links (of either hook) pinned for a device that is gone (a link
 * outlives its device as long as it is pinned), or that are not on their
 * device.
 */
static void gc_tcx_pins(struct vg_state *st, const struct live *live, size_t nlive,
			struct vg_gc_result *res)
{
	struct dirent *de;
	DIR *d;

	d = opendir(st->root);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[PATH_MAX];
		enum vg_hook hook;
		uint32_t idx, id;
		bool on = false, removed;

		if (!tcx_pin_name(de->d_name, &idx, &hook))
			continue;
		vg_tcx_pin_path(st, idx, hook, path, sizeof(path));
		/* A link on its device stays, with or without a policy (a
		 * run stopped before its commit: it drops everything, as a
		 * cls_bpf filter would); a live interface's link also stays
		 * when the query fails. */
		if (vg_tcx_query(path, (int)idx, &id, &on) == 0 ? on :
		    live_find(live, nlive, idx) != NULL)
			continue;
		if (vg_tcx_detach(path, &removed) == 0 && removed)
			res->entries++;
	}
	closedir(d);
}

/*
 * Puts the filters back on a live interface whose policy is in force but
 * that lacks one of ours, on either hook (a run killed between its commit
 * and its attach, a state of a layout without the egress program, or a
 * filter removed behind vifguard's back): 1 if it did.
 */
static int repair_filter(struct vg_state *st, uint32_t ifindex, const struct vg_policy *pol)
{
	uint32_t kind = pol->attach & VG_ATTACH_TCX ? VG_ATTACH_TCX : VG_ATTACH_CLS_BPF;
	struct vg_policy meta = *pol;
	bool created = false;
	uint32_t id;
	int ret;

	if (vg_filter_on_hook(st, ifindex, VG_HOOK_INGRESS, &id) &&
	    vg_filter_on_hook(st, ifindex, VG_HOOK_EGRESS, &id))
		return 0;
	if (kind == VG_ATTACH_CLS_BPF && (ret = vg_tc_hook((int)ifindex, &created)))
		return ret;
	ret = vg_filter_attach(st, ifindex, kind, NULL);
	if (ret)
		return ret;
	if (created) {
		meta.attach |= VG_ATTACH_OWN_CLSACT;
		vg_store_set_meta(st, ifindex, &meta);
	}
	return 1;
}

/*
 * Two passes.  The first removes the policies of interfaces that are
 * gone and frees their array entries, which lets the lock go for a grace
 * period (vg_store_sweep()); other runs may attach, update or detach
 * meanwhile.  So the second pass reads the policies again, under the
 * lock until the end: what it keeps (addresses of the generation in
 * force, drop counters, tcx links) is what is in force now, and every
 * policy in force on a present interface gets its filter back if it
 * lost it.
 */

/* Passed to the walks: a key stays when its interface's policy is in
 * force (and, for an address, of its generation). */
struct live_set {
	const struct live *l;
	size_t n;
	unsigned int *removed;
};

static int stale_addr(const struct vg_addr_ent *a, void *arg)
{
	const struct live_set *ls = arg;
	const struct live *l = live_find(ls->l, ls->n, a->ifindex);

	if (l && l->gen == a->gen)
		return 0;
	return vg_delete_key(a->fd, a->key, ls->removed);
}

static int stale_drop(int fd, const struct vg_drop_key *key, void *arg)
{
	const struct live_set *ls = arg;

	if (live_find(ls->l, ls->n, key->ifindex))
		return 0;
	return vg_delete_key(fd, key, ls->removed);
}

bool vg_policy_gone(struct vg_state *st, uint32_t ifindex, const struct vg_policy *pol)
{
	char cur[IF_NAMESIZE];
	uint32_t id;

	vg_name_of(ifindex, cur);
	if (!cur[0])
		return true;
	/* Another name on the same ifindex that carries our program is the
	 * same device renamed (vifname=), not a reused ifindex: filters go
	 * with their device. */
	return !vg_policy_named(pol, cur) && !vg_filter_on_device(st, ifindex, &id);
}

int vg_gone_remove(struct vg_state *st, uint32_t ifindex, const struct vg_policy *pol,
		   unsigned int *removed)
{
	bool off;
	int ret;

	/* A Xen guest interface's leases wait for its return, when xenstore
	 * still says whose it was. */
	ret = vg_park_going(st, ifindex, pol);
	if (ret)
		return ret;
	/* A reused ifindex carries none of ours; this drops a leftover tcx
	 * pin. */
	vg_filter_detach(st, ifindex, 0, &off);
	return vg_remove_entries(st, ifindex, removed);
}

int vg_state_policy_live(struct vg_state *st, uint32_t ifindex, struct vg_policy *pol)
{
	struct vg_policy p;
	int ret;

	ret = vg_state_policy(st, ifindex, &p);
	if (ret)
		return ret;
	if (!vg_policy_gone(st, ifindex, &p)) {
		*pol = p;
		return 0;
	}
	/* Its array entry stays retired until a sweep; a commit at
	 * ifindex publishes over it a grace period later (vg_store_stage()). */
	if (st->write && st->lock_fd >= 0 && (ret = vg_gone_remove(st, ifindex, &p, NULL)))
		return ret;
	return -ENOENT;
}

/*
 * gc's first pass: the policies of interfaces that are gone, and their
 * entries, go; a device renamed keeps its policy under its new name.
 */
static int gc_gone(struct vg_state *st, const uint32_t *keys, const struct vg_policy *pols,
		   size_t n, struct vg_gc_result *res)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < n && !ret; i++) {
		struct vg_policy pol = pols[i];
		char cur[IF_NAMESIZE];

		vg_name_of(keys[i], cur);
		if (cur[0] && vg_policy_named(&pol, cur))
			continue;
		if (cur[0] && !vg_policy_gone(st, keys[i], &pol)) {
			/* Renamed: its policy follows the name. */
			memset(pol.ifname, 0, sizeof(pol.ifname));
			memcpy(pol.ifname, cur, strnlen(cur, VG_IFNAMSIZ - 1));
			if (vg_store_set_meta(st, keys[i], &pol) == 0)
				res->renamed++;
			continue;
		}
		ret = vg_gone_remove(st, keys[i], &pol, &res->entries);
		if (!ret)
			res->ifaces++;
	}
	return ret;
}

/*
 * gc's second pass: the policies in force now, into *live (to free());
 * every one on a present interface gets its filter back if it lost it.
 */
static int gc_live(struct vg_state *st, struct live **live, size_t *nlive,
		   struct vg_gc_result *res)
{
	struct vg_policy *pols = NULL;
	uint32_t *keys = NULL;
	size_t n = 0, i;
	int ret;

	*live = NULL;
	*nlive = 0;
	ret = vg_store_read_all(st, &keys, &pols, &n);
	if (ret)
		return ret;
	*live = calloc(n ? n : 1, sizeof(**live));
	if (!*live)
		ret = -ENOMEM;
	for (i = 0; i < n && !ret; i++) {
		char cur[IF_NAMESIZE];

		(*live)[(*nlive)++] = (struct live){ keys[i], pols[i].gen };
		vg_name_of(keys[i], cur);
		if (cur[0] && vg_policy_named(&pols[i], cur) &&
		    repair_filter(st, keys[i], &pols[i]) > 0)
			res->repaired++;
	}
	free(keys);
	free(pols);
	return ret;
}

/*
 * Two passes.  The first removes the policies of interfaces that are
 * gone and frees their array entries, which lets the lock go for a grace
 * period (vg_store_sweep()); other runs may attach, update or detach
 * meanwhile.  So the second pass reads the policies again, under the
 * lock until the end: what it keeps (addresses of the generation in
 * force, drop counters, tcx links) is what is in force now, and every
 * policy in force on a present interface gets its filter back if it
 * lost it.
 */
int vg_state_gc(struct vg_state *st, struct vg_gc_result *res, char *err, size_t errlen)
{
	struct live_set ls = { .removed = &res->entries };
	struct vg_policy *pols = NULL;
	struct live *live = NULL;
	uint32_t *keys = NULL;
	size_t n = 0, nlive = 0;
	int ret;

	memset(res, 0, sizeof(*res));
	if (st->lock_fd < 0 || st->map_fd[VG_MAP_POLICY] < 0)
		return 0;
	ret = vg_store_read_all(st, &keys, &pols, &n);
	if (ret)
		return vg_fail(err, errlen, ret, "cannot read the policies: %s", strerror(-ret));
	ret = gc_gone(st, keys, pols, n, res);
	free(keys);
	free(pols);
	if (ret)
		goto out;
	/* Also frees entries a run stopped half-way left retired. */
	ret = vg_store_sweep(st);
	if (!ret)
		ret = gc_live(st, &live, &nlive, res);
	/* Entries without a policy in force, or of the other generation. */
	ls.l = live;
	ls.n = nlive;
	if (!ret)
		ret = vg_addrs_walk(st, stale_addr, &ls, NULL);
	if (!ret)
		ret = vg_drops_walk(st, stale_drop, &ls);
	if (!ret)
		gc_tcx_pins(st, live, nlive, res);
	free(live);
	/* Router Advertisement sources no longer heard, then learned and
	 * configured addresses (leases past their end and grace too),
	 * protected bridge addresses. */
	if (!ret)
		ret = vg_protect_expire(st, &res->entries);
	if (!ret && (ret = vg_owners_reconcile(st, NULL, &res->entries, err, errlen)))
		return ret;
	if (!ret)
		res->orphans = count_orphans(st);
out:
	if (ret)
		return vg_fail(err, errlen, ret, "gc: %s", strerror(-ret));
	return 0;
}
