/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What loading the program charges to RLIMIT_MEMLOCK on kernels that
 * account BPF memory that way (before Linux 5.11), and raising the limit
 * by that much and no more.
 *
 * Before 5.11 the kernel charges every map's full size at creation (its
 * max_entries, even for maps that allocate an element only when it is
 * inserted) and the program's pages to the user's locked memory, checked
 * against the creating process's RLIMIT_MEMLOCK (64 KiB by default before
 * Linux 5.16).  From 5.11 on it charges the memory cgroup instead and the
 * limit plays no part; libbpf detects which and leaves the limit alone
 * then.
 */
#ifndef VG_MEMLOCK_H
#define VG_MEMLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

struct bpf_object;

/* The charge of one map as Linux 4.19 to 5.10 computes it, in bytes
 * (whole pages).  ncpus: the number of possible CPUs. */
uint64_t vg_memlock_map_charge(uint32_t type, uint32_t key_size, uint32_t value_size,
			       uint32_t max_entries, int ncpus);

/* The charge of the object's maps and program on such a kernel, with
 * room for the small maps and programs libbpf creates to probe the
 * kernel's features while it loads.  0 if it cannot be computed. */
uint64_t vg_memlock_need(const struct bpf_object *obj);

struct vg_memlock {
	struct rlimit before;	/* the limit before loading */
	uint64_t need;		/* what the load charges, 0 if not computed */
	uint64_t charged;	/* what loaded BPF objects were charged before */
};

/*
 * Before the object is loaded: have libbpf raise RLIMIT_MEMLOCK, if and
 * only if the kernel charges it, to its current value plus what loaded
 * BPF objects are charged plus what this object needs (unchanged when
 * unlimited).
 */
void vg_memlock_prepare(const struct bpf_object *obj, struct vg_memlock *ml);

/* After loading: one line saying whether the limit was raised, by how
 * much and why, for the debug log. */
void vg_memlock_report(const struct vg_memlock *ml, char *buf, size_t len);

#endif
