// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Reading what is in force: every interface with its policy, addresses,
 * counters and filter (show, stats), and the host-wide drop totals.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "state_int.h"

int vg_ifname_cmp(const char *a, const char *b, size_t n)
{
	const char *ea = a + strnlen(a, n), *eb = b + strnlen(b, n);

	while (a < ea && b < eb) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			const char *da = a, *db = b;
			size_t la, lb;
			int c;

			/* Leading zeros do not change the number; then the
			 * longer run of digits is the larger number. */
			while (da + 1 < ea && *da == '0' && isdigit((unsigned char)da[1]))
				da++;
			while (db + 1 < eb && *db == '0' && isdigit((unsigned char)db[1]))
				db++;
			for (a = da; a < ea && isdigit((unsigned char)*a); a++)
				;
			for (b = db; b < eb && isdigit((unsigned char)*b); b++)
				;
			la = (size_t)(a - da);
			lb = (size_t)(b - db);
			if (la != lb)
				return la < lb ? -1 : 1;
			c = memcmp(da, db, la);
			if (c)
				return c;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return (a < ea) - (b < eb);
}

static int iface_cmp(const void *a, const void *b)
{
	const struct vg_iface *x = a, *y = b;
	int c = vg_ifname_cmp(x->pol.ifname, y->pol.ifname, VG_IFNAMSIZ);

	if (c)
		return c;
	return x->ifindex < y->ifindex ? -1 : x->ifindex > y->ifindex;
}

static struct vg_iface *iface_find(struct vg_iface *v, size_t n, uint32_t ifindex)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].ifindex == ifindex)
			return &v[i];
	return NULL;
}

static void add_v4(struct vg_iface *it, const void *addr, unsigned int len)
{
	if (it->n_v4 >= VG_MAX_ADDRS) {
		it->truncated = true;
		return;
	}
	memcpy(&it->v4[it->n_v4].addr, addr, 4);
	it->v4[it->n_v4].len = (uint8_t)len;
	it->n_v4++;
}

static void add_v6(struct vg_iface *it, const void *addr, unsigned int len, bool derived)
{
	if (it->n_v6 >= VG_IFACE_MAX_V6) {
		it->truncated = true;
		return;
	}
	memcpy(&it->v6[it->n_v6].addr, addr, 16);
	it->v6[it->n_v6].len = (uint8_t)len;
	it->v6_derived[it->n_v6] = derived;
	it->n_v6++;
}

static bool has_v6_host(const struct vg_iface *it, const struct in6_addr *a)
{
	unsigned int i;

	for (i = 0; i < it->n_v6; i++)
		if (it->v6[i].len == 128 && !memcmp(&it->v6[i].addr, a, 16))
			return true;
	return false;
}

/* The addresses the policy holds inline (zero: unused). */
static void add_inline(struct vg_iface *it)
{
	static const uint8_t zero[16];
	unsigned int i;

	for (i = 0; i < VG_INLINE_V4; i++)
		if (it->pol.v4[i])
			add_v4(it, &it->pol.v4[i], 32);
	for (i = 0; i < VG_INLINE_V6; i++)
		if (memcmp(it->pol.v6[i], zero, 16))
			add_v6(it, it->pol.v6[i], 128, false);
}

/* The EUI-64 link-local address of each MAC, which the program
 * computes rather than stores; one listed explicitly stays ordinary. */
static void add_derived(struct vg_iface *it)
{
	unsigned int i;

	if (!(it->pol.flags & VG_F_LINK_LOCAL))
		return;
	for (i = 0; i < it->pol.n_macs && i < VG_MAX_MACS; i++) {
		struct in6_addr ll;

		vg_eui64_link_local(it->pol.macs[i], &ll);
		if (!has_v6_host(it, &ll))
			add_v6(it, &ll, 128, true);
	}
}

/* The listed interfaces (vg_addrs_walk(), vg_drops_walk()). */
struct list {
	struct vg_iface *v;
	size_t n;
};

/* An address of the generation in force. */
static int list_addr(const struct vg_addr_ent *a, void *arg)
{
	const struct list *l = arg;
	struct vg_iface *it = iface_find(l->v, l->n, a->ifindex);

	if (!it || a->gen != it->pol.gen)
		return 0;
	if (a->map == VG_MAP_V4_ADDRS)
		add_v4(it, a->addr, a->len);
	else
		add_v6(it, a->addr, a->len, false);
	return 0;
}

/* A drop counter, summed over CPUs. */
static int list_drop(int fd, const struct vg_drop_key *key, void *arg)
{
	const struct list *l = arg;
	struct vg_iface *it = iface_find(l->v, l->n, key->ifindex);
	__u64 sum;

	if (!it || key->reason >= VG_REASON_MAX || key->reason == VG_PASS ||
	    vg_percpu_u64_sum(fd, key, &sum))
		return 0;
	it->stats.pkts[key->reason] += sum;
	return 0;
}

static int list_bucket(int fd, const struct vg_drop_key *key, void *arg)
{
	const struct list *l = arg;
	struct vg_iface *it = iface_find(l->v, l->n, key->ifindex);

	if (it && key->reason < VG_REASON_MAX)
		it->suppressed.pkts[key->reason] = vg_events_suppressed(fd, key);
	return 0;
}

/* Of the policies in force, ifname's (every one if NULL), with their
 * inline addresses, pass counter and filter, into l->v. */
static void list_policies(struct vg_state *st, const char *ifname, const uint32_t *keys,
			  const struct vg_policy *pols, size_t n, struct list *l)
{
	uint32_t want = ifname ? if_nametoindex(ifname) : 0;
	size_t i;

	for (i = 0; i < n; i++) {
		struct vg_iface *it = &l->v[l->n];

		it->pol = pols[i];
		if (ifname && keys[i] != want && !vg_policy_named(&it->pol, ifname))
			continue;
		it->ifindex = keys[i];
		vg_name_of(keys[i], it->cur_name);
		it->present = it->cur_name[0] && vg_policy_named(&it->pol, it->cur_name);
		if (it->cur_name[0]) {
			it->filter_present = vg_filter_on_device(st, keys[i],
								  &it->filter_prog_id);
			it->egress_present = vg_filter_on_hook(st, keys[i], VG_HOOK_EGRESS,
							       &it->egress_prog_id);
		}
		if (st->map_fd[VG_MAP_PASSES] >= 0) {
			uint32_t slot = it->pol.slot;

			vg_percpu_u64_sum(st->map_fd[VG_MAP_PASSES], &slot,
					  &it->stats.pkts[VG_PASS]);
		}
		add_inline(it);
		{
			size_t nl = 0;

			vg_state_learned(st, keys[i], it->learned, VG_IFACE_MAX_LEARNED, &nl);
			it->n_learned = (unsigned int)nl;
			it->has_window = vg_state_window(st, keys[i], &it->window_end_ns) == 0;
		}
		l->n++;
	}
}

int vg_state_list(struct vg_state *st, const char *ifname, struct vg_iface **out,
		  size_t *nout, char *err, size_t errlen)
{
	enum vg_map_id failed = VG_MAP_V4_ADDRS;
	struct vg_policy *pols = NULL;
	struct list l = { NULL, 0 };
	uint32_t *keys = NULL;
	size_t n = 0, i;
	int ret;

	*out = NULL;
	*nout = 0;
	if (st->lock_fd < 0 || st->map_fd[VG_MAP_POLICY] < 0)
		return 0;
	ret = vg_store_read_all(st, &keys, &pols, &n);
	if (ret)
		return vg_fail(err, errlen, ret, "cannot read the policies: %s", strerror(-ret));
	l.v = calloc(n ? n : 1, sizeof(*l.v));
	if (l.v)
		list_policies(st, ifname, keys, pols, n, &l);
	free(keys);
	free(pols);
	if (!l.v)
		return vg_fail(err, errlen, -ENOMEM, "%s", strerror(ENOMEM));
	if (l.n && (ret = vg_addrs_walk(st, list_addr, &l, &failed))) {
		free(l.v);
		return vg_fail(err, errlen, ret, "cannot read %s: %s", vg_map_names[failed],
			       strerror(-ret));
	}
	for (i = 0; i < l.n; i++)
		add_derived(&l.v[i]);
	ret = vg_drops_walk(st, list_drop, &l) ?:
	      vg_drop_keys_walk(st, VG_MAP_EV_LIMIT, list_bucket, &l);
	if (ret) {
		free(l.v);
		return vg_fail(err, errlen, ret, "cannot read drops: %s", strerror(-ret));
	}
	qsort(l.v, l.n, sizeof(*l.v), iface_cmp);
	*out = l.v;
	*nout = l.n;
	return 0;
}

static int count_key(int fd, const struct vg_drop_key *key, void *arg)
{
	(void)fd, (void)key;
	(*(size_t *)arg)++;
	return 0;
}

int vg_state_totals(struct vg_state *st, struct vg_stats *out, bool *full)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	int fd, r, i, ret;
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	*full = false;
	if (st->map_fd[VG_MAP_DROPS] >= 0 && vg_drops_walk(st, count_key, &n) == 0) {
		memset(&info, 0, sizeof(info));
		*full = bpf_obj_get_info_by_fd(st->map_fd[VG_MAP_DROPS], &info, &len) == 0 &&
			n >= info.max_entries;
	}
	fd = st->map_fd[VG_MAP_TOTALS];
	if (fd < 0)
		return 0;
	if (st->old_shape[VG_MAP_TOTALS])
		return vg_totals_l1_sum(fd, out);
	for (r = 0; r < VG_REASON_MAX; r++) {
		/* What this map counted, and what it carried over. */
		uint32_t k[2] = { (uint32_t)r, VG_TOTALS_CARRIED + (uint32_t)r };
		__u64 c;

		for (i = 0; i < 2; i++) {
			ret = vg_percpu_u64_sum(fd, &k[i], &c);
			if (ret)
				return ret;
			out->pkts[r] += c;
		}
	}
	return 0;
}
