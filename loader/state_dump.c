// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Every entry of one pinned map as the program reads it, for `vifguard
 * dump`: the raw side of the state, where show and stats give the
 * interfaces.  Nothing is interpreted beyond summing per-CPU counters and
 * leaving out what holds nothing (free array entries, zero counters).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "state_int.h"

static bool all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		if (*b++)
			return false;
	return true;
}

static int dump_policy(struct vg_state *st, int fd, vg_dump_fn fn, void *arg)
{
	struct vg_policy_entry e;
	struct vg_dump_ent d = { .map = VG_MAP_POLICY, .entry = &e };
	int ret = 0;

	for (d.key = 0; d.key < VG_POLICY_ENTRIES && !ret; d.key++) {
		if (bpf_map_lookup_elem(fd, &d.key, &e))
			return -errno;
		if (!all_zero(&e, sizeof(e)))
			ret = fn(&d, arg);
	}
	(void)st;
	return ret;
}

static int dump_spill(struct vg_state *st, int fd, vg_dump_fn fn, void *arg)
{
	struct vg_policy pol;
	struct vg_dump_ent d = { .map = VG_MAP_SPILL, .pol = &pol };
	uint32_t *keys;
	size_t n, i;
	int ret;

	ret = vg_map_keys(fd, sizeof(*keys), (void **)&keys, &n);
	if (ret)
		return ret;
	for (i = 0; i < n && !ret; i++) {
		d.key = keys[i];
		/* Gone since the keys were read: not an entry any more. */
		if (bpf_map_lookup_elem(fd, &d.key, &pol))
			ret = errno == ENOENT ? 0 : -errno;
		else
			ret = fn(&d, arg);
	}
	free(keys);
	(void)st;
	return ret;
}

struct addr_dump {
	enum vg_map_id map;
	vg_dump_fn fn;
	void *arg;
};

static int dump_addr(const struct vg_addr_ent *a, void *arg)
{
	const struct addr_dump *ad = arg;
	struct vg_dump_ent d = { .map = a->map, .key = a->ifindex, .addr = a };

	return a->map == ad->map ? ad->fn(&d, ad->arg) : 0;
}

static int dump_passes(struct vg_state *st, int fd, vg_dump_fn fn, void *arg)
{
	struct vg_dump_ent d = { .map = VG_MAP_PASSES };
	int ret = 0;

	for (d.key = 0; d.key < VG_MAX_IFACES && !ret; d.key++) {
		ret = vg_percpu_u64_sum(fd, &d.key, &d.count);
		if (!ret && d.count)
			ret = fn(&d, arg);
	}
	(void)st;
	return ret;
}

struct drop_dump {
	vg_dump_fn fn;
	void *arg;
};

static int dump_drop(int fd, const struct vg_drop_key *key, void *arg)
{
	const struct drop_dump *dd = arg;
	struct vg_dump_ent d = { .map = VG_MAP_DROPS, .key = key->ifindex, .drop = key };
	int ret = vg_percpu_u64_sum(fd, key, &d.count);

	if (ret == -ENOENT)	/* removed since the keys were read */
		return 0;
	return ret ?: dd->fn(&d, dd->arg);
}

static int dump_totals(struct vg_state *st, int fd, vg_dump_fn fn, void *arg)
{
	struct vg_dump_ent d = { .map = VG_MAP_TOTALS };
	int ret = 0;

	if (st->old_shape[VG_MAP_TOTALS]) {
		/* Layout 1's, until an upgrade carries it over. */
		struct vg_stats s;

		memset(&s, 0, sizeof(s));
		ret = vg_totals_l1_sum(fd, &s);
		for (d.key = 0; d.key < VG_REASON_MAX && !ret; d.key++)
			if ((d.count = s.pkts[d.key]))
				ret = fn(&d, arg);
		return ret;
	}
	for (d.key = 0; d.key < VG_TOTALS_KEYS && !ret; d.key++) {
		ret = vg_percpu_u64_sum(fd, &d.key, &d.count);
		if (!ret && d.count)
			ret = fn(&d, arg);
	}
	return ret;
}

static int dump_meta(int fd, vg_dump_fn fn, void *arg)
{
	struct vg_dump_ent d = { .map = VG_MAP_META };
	struct vg_layout rec;

	if (bpf_map_lookup_elem(fd, &d.key, &rec))
		return -errno;
	rec.version[sizeof(rec.version) - 1] = '\0';
	d.meta = &rec;
	return fn(&d, arg);
}

static int dump_bucket(int fd, const struct vg_drop_key *key, void *arg)
{
	const struct drop_dump *dd = arg;
	struct vg_dump_ent d = { .map = VG_MAP_EV_LIMIT, .key = key->ifindex, .drop = key };
	struct vg_event_bucket b;

	if (bpf_map_lookup_elem(fd, key, &b))
		return errno == ENOENT ? 0 : -errno;
	d.bucket = &b;
	d.count = b.suppressed;
	return dd->fn(&d, dd->arg);
}

/* The limit in force, defaults included (ev_config itself is zero until
 * one is set). */
static int dump_ev_config(struct vg_state *st, vg_dump_fn fn, void *arg)
{
	struct vg_dump_ent d = { .map = VG_MAP_EV_CONFIG };
	struct vg_event_cfg cfg;
	char err[8];
	bool deflt;
	int ret = vg_events_limit(st, &cfg, &deflt, err, sizeof(err));

	if (ret)
		return ret;
	d.cfg = &cfg;
	d.count = deflt;
	return fn(&d, arg);
}

static int addr6_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct vg_addr6));
}

static int slot_key_cmp(const void *a, const void *b)
{
	const struct vg_slot_key *x = a, *y = b;

	if (x->ifindex != y->ifindex)
		return x->ifindex < y->ifindex ? -1 : 1;
	return x->slot < y->slot ? -1 : x->slot > y->slot;
}

static int addr4_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct vg_addr4));
}

/* learned6, learned4, learn_slots, lease_slots, protected6: hashes of
 * small values, keys collected first and sorted (by address, in network
 * order; by ifindex and slot), so that two dumps of the same entries
 * read the same. */
static int dump_learning(int fd, enum vg_map_id map, vg_dump_fn fn, void *arg)
{
	bool slots = map == VG_MAP_LEARN_SLOTS || map == VG_MAP_LEASE_SLOTS;
	size_t ksz = slots ? sizeof(struct vg_slot_key) :
		     map == VG_MAP_LEARNED4 ? sizeof(struct vg_addr4) : sizeof(struct vg_addr6);
	union {
		struct vg_owner o;
		struct vg_slot s;
		struct vg_protect p;
	} v;
	size_t n, i;
	char *keys;
	int ret;

	ret = vg_map_keys(fd, ksz, (void **)&keys, &n);
	if (!ret)
		qsort(keys, n, ksz, slots ? slot_key_cmp :
				    map == VG_MAP_LEARNED4 ? addr4_cmp : addr6_cmp);
	for (i = 0; !ret && i < n; i++) {
		struct vg_dump_ent d = { .map = map };
		const void *k = keys + i * ksz;

		if (bpf_map_lookup_elem(fd, k, &v)) {
			if (errno != ENOENT)
				ret = -errno;
			continue;
		}
		if (slots) {
			d.slot_key = k;
			d.slot = &v.s;
			d.key = d.slot_key->ifindex;
		} else if (map == VG_MAP_LEARNED4) {
			d.addr4 = k;
			d.owner = &v.o;
			d.key = v.o.ifindex;
		} else if (map == VG_MAP_LEARNED6) {
			d.addr6 = k;
			d.owner = &v.o;
			d.key = v.o.ifindex;
		} else {
			d.addr6 = k;
			d.protect = &v.p;
			d.key = v.p.ifindex;
		}
		ret = fn(&d, arg);
	}
	free(keys);
	return ret;
}

/* The parked leases, in key order. */
static int park_key_cmp(const void *x, const void *y)
{
	return memcmp(x, y, sizeof(struct vg_park_key));
}

static int dump_parked(int fd, vg_dump_fn fn, void *arg)
{
	struct vg_park_key *keys;
	struct vg_park v;
	size_t n, i;
	int ret;

	ret = vg_map_keys(fd, sizeof(*keys), (void **)&keys, &n);
	if (!ret)
		qsort(keys, n, sizeof(*keys), park_key_cmp);
	for (i = 0; !ret && i < n; i++) {
		struct vg_dump_ent d = { .map = VG_MAP_PARKED, .park_key = &keys[i],
					 .park = &v };

		if (bpf_map_lookup_elem(fd, &keys[i], &v)) {
			if (errno != ENOENT)
				ret = -errno;
			continue;
		}
		ret = fn(&d, arg);
	}
	free(keys);
	return ret;
}

/* The host's learning settings, as written (a new root: the defaults). */
static int dump_learn_cfg(int fd, vg_dump_fn fn, void *arg)
{
	struct vg_dump_ent d = { .map = VG_MAP_LEARN_CFG };
	struct vg_learn_cfg c;
	uint32_t zero = 0;

	if (bpf_map_lookup_elem(fd, &zero, &c))
		return -errno;
	d.learn_cfg = &c;
	return fn(&d, arg);
}

int vg_state_dump(struct vg_state *st, enum vg_map_id map, vg_dump_fn fn, void *arg,
		  char *err, size_t errlen)
{
	int fd = map < VG_MAP_N ? st->map_fd[map] : -1;
	int ret = 0;

	if (fd < 0)
		return 0;
	switch (map) {
	case VG_MAP_POLICY:
		ret = dump_policy(st, fd, fn, arg);
		break;
	case VG_MAP_SPILL:
		ret = dump_spill(st, fd, fn, arg);
		break;
	case VG_MAP_V4_ADDRS:
	case VG_MAP_V6_ADDRS: {
		struct addr_dump ad = { .map = map, .fn = fn, .arg = arg };

		ret = vg_addrs_walk(st, dump_addr, &ad, NULL);
		break;
	}
	case VG_MAP_PASSES:
		ret = dump_passes(st, fd, fn, arg);
		break;
	case VG_MAP_DROPS: {
		struct drop_dump dd = { .fn = fn, .arg = arg };

		ret = vg_drops_walk(st, dump_drop, &dd);
		break;
	}
	case VG_MAP_TOTALS:
		ret = dump_totals(st, fd, fn, arg);
		break;
	case VG_MAP_EV_CONFIG:
		ret = dump_ev_config(st, fn, arg);
		break;
	case VG_MAP_META:
		ret = dump_meta(fd, fn, arg);
		break;
	case VG_MAP_EV_LIMIT: {
		struct drop_dump dd = { .fn = fn, .arg = arg };

		ret = vg_drop_keys_walk(st, VG_MAP_EV_LIMIT, dump_bucket, &dd);
		break;
	}
	case VG_MAP_LEARNED6:
	case VG_MAP_LEARN_SLOTS:
	case VG_MAP_PROTECTED6:
	case VG_MAP_LEARNED4:
	case VG_MAP_LEASE_SLOTS:
		ret = dump_learning(fd, map, fn, arg);
		break;
	case VG_MAP_LEARN_CFG:
		ret = dump_learn_cfg(fd, fn, arg);
		break;
	case VG_MAP_PARKED:
		ret = dump_parked(fd, fn, arg);
		break;
	default:	/* events: a stream, read by monitor */
		break;
	}
	/* A visitor's own stop (> 0) is not an error. */
	if (ret < 0)
		return vg_fail(err, errlen, ret, "cannot read map %s: %s", vg_map_names[map],
			       strerror(-ret));
	return ret;
}
