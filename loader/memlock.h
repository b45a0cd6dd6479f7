/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What loading the program charges to RLIMIT_MEMLOCK on kernels that
 * account BPF memory that way (before Linux 5.11), and raising the limit
 * by that much.
 *
 * Before 5.11 the kernel charges every map's full size at creation (its
 * max_entries, even for maps that allocate an element only when it is
 * inserted) and the program's pages to the user's locked memory, and
 * checks the user's whole charge against the creating process's
 * RLIMIT_MEMLOCK (64 KiB by default before Linux 5.16).  From 5.11 on it
 * charges the memory cgroup instead and the limit plays no part.
 *
 * libbpf's own handling (the limit raised to infinity) is switched off:
 * the loader sets the limit itself.
 */
#ifndef VG_MEMLOCK_H
#define VG_MEMLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

struct bpf_object;

/* The charge of one map as Linux 4.19 to 5.10 computes it, in bytes
 * (whole pages), on a 64-bit kernel.  ncpus: possible CPUs. */
uint64_t vg_memlock_map_charge(uint32_t type, uint32_t key_size, uint32_t value_size,
			       uint32_t max_entries, int ncpus);

/* The charge of the object's maps (but those already pinned at their pin
 * path: libbpf reuses them) and program on such a kernel, with room for
 * what libbpf creates to probe the kernel's features while it loads.  0
 * if it cannot be computed. */
uint64_t vg_memlock_need(struct bpf_object *obj);

struct vg_memlock {
	bool applies;		/* the kernel charges RLIMIT_MEMLOCK */
	struct rlimit before;	/* the limit before loading */
	uint64_t need;		/* what the load charges */
	uint64_t charged;	/* what loaded BPF objects were charged before */
	rlim_t set;		/* the soft limit set; 0: left as it was */
	int err;		/* setrlimit()'s errno; 0: none */
	bool unlimited;		/* raised to unlimited after a refusal */
};

/*
 * Before the object is loaded (pin paths set): on a kernel that charges
 * it and unless it is unlimited, raise the soft limit (and the hard one
 * if it is lower) to its current value plus what loaded BPF objects are
 * charged plus what this object needs.
 */
void vg_memlock_prepare(struct bpf_object *obj, struct vg_memlock *ml);

/*
 * After a load refused with EPERM at the raised limit: root is charged
 * more than its BPF objects show (perf ring buffers, objects still being
 * freed, a load running at the same time).  Removes the limit; true if
 * it did, and the load is worth one more try.
 */
bool vg_memlock_unlimit(struct vg_memlock *ml);

/* One line saying what was done to the limit and why, for the debug log
 * and for a refused load's error. */
void vg_memlock_report(const struct vg_memlock *ml, char *buf, size_t len);

#endif
