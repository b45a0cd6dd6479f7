// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Walking the maps: one walk over the address tries and one over the
 * drop counters, which purge, gc and the listing share; the per-CPU
 * reads.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "state_int.h"

/* Where ifindex and gen sit in each address map's key. */
struct addr_map {
	enum vg_map_id id;
	size_t key_size;
	size_t ifindex_off;
	size_t gen_off;
	size_t addr_off;
};

static const struct addr_map addr_maps[] = {
	{ VG_MAP_V4_ADDRS, sizeof(struct vg_v4_key), offsetof(struct vg_v4_key, ifindex),
	  offsetof(struct vg_v4_key, gen), offsetof(struct vg_v4_key, addr) },
	{ VG_MAP_V6_ADDRS, sizeof(struct vg_v6_key), offsetof(struct vg_v6_key, ifindex),
	  offsetof(struct vg_v6_key, gen), offsetof(struct vg_v6_key, addr) },
};

#define N_ADDR_MAPS (sizeof(addr_maps) / sizeof(addr_maps[0]))
#define KEY_MAX sizeof(struct vg_park_key)
_Static_assert(sizeof(struct vg_park_key) >= sizeof(struct vg_v6_key) &&
	       sizeof(struct vg_park_key) >= sizeof(struct vg_slot_key),
	       "vg_map_keys(): KEY_MAX below a key's size");

static uint32_t key_u32(const void *key, size_t off)
{
	uint32_t v;

	memcpy(&v, (const char *)key + off, sizeof(v));
	return v;
}

int vg_map_keys(int fd, size_t key_size, void **out, size_t *n)
{
	size_t cap = 64, cnt = 0;
	char *keys, prev[KEY_MAX], *pk = NULL;

	if (key_size > KEY_MAX)
		return -EINVAL;
	keys = malloc(cap * key_size);
	if (!keys)
		return -ENOMEM;
	for (;;) {
		if (cnt == cap) {
			char *nk = realloc(keys, cap * 2 * key_size);

			if (!nk) {
				free(keys);
				return -ENOMEM;
			}
			keys = nk;
			cap *= 2;
		}
		if (bpf_map_get_next_key(fd, pk, keys + cnt * key_size)) {
			if (errno == ENOENT)
				break;
			free(keys);
			return -errno;
		}
		memcpy(prev, keys + cnt * key_size, key_size);
		pk = prev;
		cnt++;
	}
	*out = keys;
	*n = cnt;
	return 0;
}

int vg_delete_key(int fd, const void *key, unsigned int *removed)
{
	if (fd < 0)
		return 0;
	if (bpf_map_delete_elem(fd, key) == 0) {
		if (removed)
			(*removed)++;
		return 0;
	}
	return errno == ENOENT ? 0 : -errno;
}

int vg_addrs_walk(struct vg_state *st, int (*fn)(const struct vg_addr_ent *a, void *arg),
		  void *arg, enum vg_map_id *failed)
{
	size_t m, k, n;
	void *keys;
	int ret = 0;

	for (m = 0; m < N_ADDR_MAPS && !ret; m++) {
		const struct addr_map *am = &addr_maps[m];
		struct vg_addr_ent a = { .map = am->id, .fd = st->map_fd[am->id] };

		if (a.fd < 0)
			continue;
		ret = vg_map_keys(a.fd, am->key_size, &keys, &n);
		if (ret) {
			if (failed)
				*failed = am->id;
			return ret;
		}
		for (k = 0; k < n && !ret; k++) {
			a.key = (const char *)keys + k * am->key_size;
			a.ifindex = key_u32(a.key, am->ifindex_off);
			a.gen = key_u32(a.key, am->gen_off);
			/* prefixlen, first in both keys, counts the key bits
			 * before the address too. */
			a.len = key_u32(a.key, 0) - VG_LPM_KEY_BITS;
			a.addr = (const char *)a.key + am->addr_off;
			ret = fn(&a, arg);
		}
		free(keys);
	}
	return ret;
}

int vg_drops_walk(struct vg_state *st,
		  int (*fn)(int fd, const struct vg_drop_key *key, void *arg), void *arg)
{
	return vg_drop_keys_walk(st, VG_MAP_DROPS, fn, arg);
}

int vg_drop_keys_walk(struct vg_state *st, enum vg_map_id id,
		      int (*fn)(int fd, const struct vg_drop_key *key, void *arg), void *arg)
{
	int fd = st->map_fd[id], ret;
	struct vg_drop_key *keys;
	size_t n, i;

	if (fd < 0)
		return 0;
	ret = vg_map_keys(fd, sizeof(*keys), (void **)&keys, &n);
	if (ret)
		return ret;
	for (i = 0; i < n && !ret; i++)
		ret = fn(fd, &keys[i], arg);
	free(keys);
	return ret;
}

struct purge {
	uint32_t ifindex;
	enum vg_purge what;
	uint32_t gen;
	unsigned int *removed;
};

static int purge_addr(const struct vg_addr_ent *a, void *arg)
{
	const struct purge *p = arg;

	if (a->ifindex != p->ifindex || (p->what == VG_PURGE_GEN && a->gen != p->gen))
		return 0;
	return vg_delete_key(a->fd, a->key, p->removed);
}

int vg_purge_addrs(struct vg_state *st, uint32_t ifindex, enum vg_purge what, uint32_t gen,
		   unsigned int *removed)
{
	struct purge p = { ifindex, what, gen, removed };

	return vg_addrs_walk(st, purge_addr, &p, NULL);
}

static int purge_drop(int fd, const struct vg_drop_key *key, void *arg)
{
	const struct purge *p = arg;

	return key->ifindex == p->ifindex ? vg_delete_key(fd, key, p->removed) : 0;
}

int vg_purge_drops(struct vg_state *st, uint32_t ifindex, unsigned int *removed)
{
	struct purge p = { .ifindex = ifindex, .removed = removed };
	struct purge b = { .ifindex = ifindex };

	/* The event buckets go with the counters, uncounted. */
	return vg_drops_walk(st, purge_drop, &p) ?:
	       vg_drop_keys_walk(st, VG_MAP_EV_LIMIT, purge_drop, &b);
}

int vg_percpu_read(int fd, const void *key, size_t size, void **out, int *ncpu)
{
	void *vals;

	*ncpu = libbpf_num_possible_cpus();
	if (*ncpu < 1)
		return *ncpu < 0 ? *ncpu : -EINVAL;
	vals = calloc((size_t)*ncpu, size);
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, key, vals)) {
		int ret = -errno;

		free(vals);
		return ret;
	}
	*out = vals;
	return 0;
}

int vg_percpu_u64_sum(int fd, const void *key, __u64 *sum)
{
	__u64 *vals;
	int ncpu, c, ret;

	*sum = 0;
	ret = vg_percpu_read(fd, key, sizeof(*vals), (void **)&vals, &ncpu);
	if (ret)
		return ret;
	for (c = 0; c < ncpu; c++)
		*sum += vals[c];
	free(vals);
	return 0;
}
