// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The loader's computation of what Linux before 5.11 charges to
 * RLIMIT_MEMLOCK (loader/memlock.c), against what a real 4.19.48 kernel
 * (x86-64, 2 CPUs, XCP-ng's BPF patches) reported for vifguard's
 * maps with bpftool (`make test-kernels KERNELS=.../bzImage`, section
 * "memory"), and against Linux 5.10 (Debian 11's 5.10.0-46) which charges
 * the same.  The object's maps are read from the skeleton, so a change of
 * their sizes shows here as a change of the figures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <bpf/libbpf.h>

#include "memlock.h"
#include "vifguard.skel.h"

static const struct {
	const char *map;
	uint64_t bytes;		/* bpftool's bytes_memlock on 4.19.48 */
} measured[] = {
	{ "policy", 430080 },
	{ "policy_spill", 1380352 },
	{ "v4_addrs", 3477504 },
	{ "v6_addrs", 4263936 },
	{ "passes", 200704 },
	{ "drops", 393216 },
	{ "totals", 4096 },
	{ "events", 4096 },
	{ "ev_config", 4096 },
	{ "ev_limit", 430080 },
	{ "layout", 4096 },
	{ "learned6", 1576960 },
	{ "learn_slots", 1576960 },
	{ "protected6", 102400 },
	/* Not measured: the figures of the formulas that learned6 and
	 * learn_slots (hashes of the same kind) were measured to match. */
	{ "learned4", 1445888 },
	{ "lease_slots", 4984832 },
	{ "learn_cfg", 4096 },
};

#define N (sizeof(measured) / sizeof(measured[0]))

static void maps_as_measured(void **state)
{
	struct vifguard *skel = vifguard__open();
	struct bpf_map *m;
	size_t i, seen = 0;

	(void)state;
	assert_non_null(skel);
	bpf_object__for_each_map(m, skel->obj) {
		for (i = 0; i < N; i++)
			if (!strcmp(bpf_map__name(m), measured[i].map))
				break;
		if (i == N)
			fail_msg("map %s: no figure measured on 4.19", bpf_map__name(m));
		assert_int_equal(vg_memlock_map_charge(bpf_map__type(m), bpf_map__key_size(m),
						       bpf_map__value_size(m),
						       bpf_map__max_entries(m), 2),
				 measured[i].bytes);
		seen++;
	}
	assert_int_equal(seen, N);
	vifguard__destroy(skel);
}

/* Per-CPU maps grow with the CPUs, the others do not; a count the kernel
 * would overflow in a u32 of pages still adds up in 64 bits. */
static void cpus_and_sizes(void **state)
{
	(void)state;
	assert_int_equal(vg_memlock_map_charge(BPF_MAP_TYPE_ARRAY, 4, 104, 4096, 64), 430080);
	assert_true(vg_memlock_map_charge(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 8192, 64) >
		    32 * vg_memlock_map_charge(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 8192, 1) / 2);
	assert_int_equal(vg_memlock_map_charge(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 8192, 64) % 4096, 0);
	assert_true(vg_memlock_map_charge(BPF_MAP_TYPE_LPM_TRIE, 24, 1, 0xffffffff, 1) >
		    0xffffffffULL);
}

/* Both programs of the object are counted, each with at least its
 * instructions: the need falls by at least the egress program's size
 * when it is not loaded, and by at least the filter's when neither is. */
static void programs_counted(void **state)
{
	struct vifguard *skel = vifguard__open();
	uint64_t all, no_out, none, in_bytes, out_bytes;

	(void)state;
	assert_non_null(skel);
	in_bytes = bpf_program__insn_cnt(skel->progs.vifguard) * sizeof(struct bpf_insn);
	out_bytes = bpf_program__insn_cnt(skel->progs.vifguard_out) * sizeof(struct bpf_insn);
	assert_true(in_bytes > 0 && out_bytes > 0);
	all = vg_memlock_need(skel->obj);
	assert_int_equal(bpf_program__set_autoload(skel->progs.vifguard_out, false), 0);
	no_out = vg_memlock_need(skel->obj);
	assert_int_equal(bpf_program__set_autoload(skel->progs.vifguard, false), 0);
	none = vg_memlock_need(skel->obj);
	assert_true(all >= no_out + out_bytes);
	assert_true(no_out >= none + in_bytes);
	vifguard__destroy(skel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(maps_as_measured),
		cmocka_unit_test(cpus_and_sizes),
		cmocka_unit_test(programs_counted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
