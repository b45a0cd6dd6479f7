// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * RLIMIT_MEMLOCK on kernels before 5.11: see memlock.h.
 *
 * The kernel checks the sum of everything the user has charged (every
 * map and program root loaded, by any process) against the limit of the
 * process creating the new object.  So the limit this process needs is
 * what root has charged already plus what this load adds: the limit is
 * raised by the charge of the BPF objects loaded now plus the charge of
 * vifguard's own maps and program, computed with the kernel's formulas
 * (kernel/bpf/arraymap.c, hashtab.c, lpm_trie.c of 4.19 to 5.10).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "memlock.h"
#include "vifguard.h"

#define PAGE		4096ULL
/* Upper bounds of the kernel's structures on x86-64 and arm64: the map
 * header (struct bpf_array, struct lpm_trie: a struct bpf_map, two cache
 * lines, and a few fields), struct htab_elem, struct bucket, struct
 * lpm_trie_node, struct bpf_prog without its instructions. */
#define MAP_HEADER	512ULL
#define HTAB_ELEM	48ULL
#define HTAB_BUCKET	16ULL	/* more with lock debugging: the retry covers it */
#define KPTR		8ULL	/* a kernel pointer */
#define LPM_NODE	40ULL
#define PROG_HEADER	256ULL
/* The maps and programs libbpf loads to probe features while loading the
 * object: a page or two each, freed after a grace period. */
#define PROBES		(64 * PAGE)

static uint64_t pages(uint64_t bytes)
{
	return (bytes + PAGE - 1) / PAGE * PAGE;
}

static uint64_t pow2_at_least(uint64_t n)
{
	uint64_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

static uint64_t round8(uint64_t n)
{
	return (n + 7) & ~7ULL;
}

uint64_t vg_memlock_map_charge(uint32_t type, uint32_t key_size, uint32_t value_size,
			       uint32_t max_entries, int ncpus)
{
	uint64_t n = max_entries, value = round8(value_size), cpus = ncpus > 0 ? ncpus : 1;
	uint64_t elem;

	switch (type) {
	case BPF_MAP_TYPE_ARRAY:
		return pages(MAP_HEADER + n * value);
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		/* A pointer per entry; one entry per CPU unless sized. */
		return pages(MAP_HEADER + (n ? n : cpus) * KPTR);
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		return pages(MAP_HEADER + n * KPTR + n * value * cpus);
	case BPF_MAP_TYPE_HASH:
		elem = HTAB_ELEM + round8(key_size) + value;
		return pages(pow2_at_least(n) * HTAB_BUCKET + elem * n + elem * cpus);
	case BPF_MAP_TYPE_PERCPU_HASH:
		elem = HTAB_ELEM + round8(key_size) + KPTR;
		return pages(pow2_at_least(n) * HTAB_BUCKET + elem * n + value * cpus * n);
	case BPF_MAP_TYPE_LPM_TRIE:
		/* The key's data: the key without its 4-octet prefix length. */
		return pages(MAP_HEADER + n * (LPM_NODE + value_size + key_size - 4));
	default:
		/* Not a type the object uses: a generous bound. */
		return pages(MAP_HEADER + n * (HTAB_ELEM + round8(key_size) + value * cpus));
	}
}

/* A map libbpf will take from a pin rather than create: reused (it
 * has a descriptor before the load) or to be taken from its pin path. */
static bool pinned(const struct bpf_map *map)
{
	const char *path = bpf_map__pin_path(map);

	return bpf_map__fd(map) >= 0 || (path && !access(path, F_OK));
}

uint64_t vg_memlock_need(struct bpf_object *obj)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	int ncpus = libbpf_num_possible_cpus();
	uint64_t sum = PROBES;

	if (ncpus <= 0)
		return 0;
	bpf_object__for_each_map(map, obj)
		if (!pinned(map))
			sum += vg_memlock_map_charge(bpf_map__type(map), bpf_map__key_size(map),
						     bpf_map__value_size(map),
						     bpf_map__max_entries(map), ncpus);
	/* "parked", which the loader creates beside the object's maps once
	 * they are pinned (counted even when it exists: a hash of 4096 small
	 * entries, a few hundred KiB more room at most). */
	sum += vg_memlock_map_charge(BPF_MAP_TYPE_HASH, sizeof(struct vg_park_key),
				     sizeof(struct vg_park), VG_MAX_PARKED, ncpus);
	/* Every program the load creates (vifguard and vifguard_out), each
	 * charged its own pages.  The verifier may grow a program as it
	 * rewrites it: twice its size covers what it adds. */
	bpf_object__for_each_program(prog, obj)
		if (bpf_program__autoload(prog))
			sum += pages(PROG_HEADER + 2 * bpf_program__insn_cnt(prog) *
				     sizeof(struct bpf_insn));
	return sum;
}

/* "memlock:" of a map's or a program's fdinfo: its charge in bytes. */
static uint64_t fd_memlock(int fd)
{
	char path[64], line[128];
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %llu", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* What every map and program loaded now is charged. */
static uint64_t charged_now(void)
{
	uint32_t id;
	uint64_t sum = 0;
	int fd;

	for (id = 0; !bpf_map_get_next_id(id, &id);) {
		fd = bpf_map_get_fd_by_id(id);
		if (fd >= 0) {
			sum += fd_memlock(fd);
			close(fd);
		}
	}
	for (id = 0; !bpf_prog_get_next_id(id, &id);) {
		fd = bpf_prog_get_fd_by_id(id);
		if (fd >= 0) {
			sum += fd_memlock(fd);
			close(fd);
		}
	}
	return sum;
}

/* Linux before 5.11: the kernels that charge RLIMIT_MEMLOCK. */
static bool old_kernel(void)
{
	struct utsname u;
	unsigned int major, minor;

	if (uname(&u) || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return true;
	return major < 5 || (major == 5 && minor < 11);
}

static int set_limit(rlim_t cur, rlim_t max)
{
	struct rlimit r = { .rlim_cur = cur, .rlim_max = max };

	return setrlimit(RLIMIT_MEMLOCK, &r) ? errno : 0;
}

void vg_memlock_prepare(struct bpf_object *obj, struct vg_memlock *ml)
{
	rlim_t want, max;

	memset(ml, 0, sizeof(*ml));
	/* libbpf leaves the limit alone: it would set it to infinity. */
	libbpf_set_memlock_rlim(0);
	ml->applies = old_kernel();
	if (getrlimit(RLIMIT_MEMLOCK, &ml->before)) {
		ml->err = errno;
		return;
	}
	if (!ml->applies || ml->before.rlim_cur == RLIM_INFINITY)
		return;
	ml->need = vg_memlock_need(obj);
	ml->charged = charged_now();
	want = ml->before.rlim_cur + ml->charged + ml->need;
	if (want < ml->before.rlim_cur || want == RLIM_INFINITY)
		want = RLIM_INFINITY;
	max = ml->before.rlim_max;
	if (max != RLIM_INFINITY && max < want)
		max = want;
	ml->err = set_limit(want, max);
	/* Without CAP_SYS_RESOURCE the hard limit cannot rise: the soft
	 * one goes as far as it does. */
	if (ml->err == EPERM && ml->before.rlim_max > ml->before.rlim_cur &&
	    !set_limit(ml->before.rlim_max, ml->before.rlim_max)) {
		ml->err = 0;
		want = ml->before.rlim_max;
	}
	ml->set = ml->err ? 0 : want;
}

bool vg_memlock_unlimit(struct vg_memlock *ml)
{
	if (!ml->applies || ml->unlimited || ml->before.rlim_cur == RLIM_INFINITY)
		return false;
	if (set_limit(RLIM_INFINITY, RLIM_INFINITY))
		return false;
	ml->unlimited = true;
	return true;
}

void vg_memlock_report(const struct vg_memlock *ml, char *buf, size_t len)
{
	char tail[128] = "";

	if (ml->unlimited)
		snprintf(tail, sizeof(tail), "; the kernel refused the load at that: "
			 "RLIMIT_MEMLOCK raised to unlimited");
	if (!ml->applies)
		snprintf(buf, len, "RLIMIT_MEMLOCK unchanged (Linux >= 5.11 charges BPF memory "
			 "to the memory cgroup)");
	else if (ml->before.rlim_cur == RLIM_INFINITY)
		snprintf(buf, len, "RLIMIT_MEMLOCK unchanged (unlimited)");
	else if (ml->err)
		snprintf(buf, len, "RLIMIT_MEMLOCK is %llu bytes; raising it for the maps and "
			 "program (%llu bytes, and %llu charged to loaded BPF objects) failed: %s%s",
			 (unsigned long long)ml->before.rlim_cur, (unsigned long long)ml->need,
			 (unsigned long long)ml->charged, strerror(ml->err), tail);
	else
		snprintf(buf, len, "RLIMIT_MEMLOCK raised from %llu to %llu bytes: %llu for "
			 "vifguard's maps and program, %llu charged to loaded BPF objects%s",
			 (unsigned long long)ml->before.rlim_cur, (unsigned long long)ml->set,
			 (unsigned long long)ml->need, (unsigned long long)ml->charged, tail);
}
