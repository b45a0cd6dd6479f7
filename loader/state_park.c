// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Parked leases (include/vifguard.h, "parked"): the DHCP leases and
 * first-use addresses of a Xen guest interface that went away, kept
 * under its VM's UUID, device id and MAC until they end.  While parked
 * an address stays held in "learned4" / "learned6" by ifindex 0, which
 * no interface is, so that no other interface learns it (the programs
 * refuse it as learn-conflict until its expiry).
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

bool vg_park_backs(struct vg_state *st, const struct vg_addr6 *a, const struct vg_owner *o,
		   uint64_t now)
{
	int fd = st->map_fd[VG_MAP_PARKED];
	struct vg_park_key *keys;
	struct vg_park v;
	bool yes = false;
	size_t n, i;

	if (o->expires_ns < now || park_read(st, &keys, &n))
		return false;
	for (i = 0; i < n && !yes; i++)
		yes = !memcmp(&keys[i].a, a, sizeof(*a)) &&
		      bpf_map_lookup_elem(fd, &keys[i], &v) == 0 && v.origin == o->origin &&
		      v.expires_ns >= now;
	free(keys);
	return yes;
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
