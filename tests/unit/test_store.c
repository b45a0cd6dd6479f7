// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The policy store (loader/state_store.c) on the real maps: the object
 * is loaded into a private bpf filesystem (in a mount namespace of this
 * test's own) and each case drives vg_store_*() directly, then reads the
 * array entry and the spill hash to see where each policy is and in
 * which state: commit of a new policy and of an update, retirement and
 * sweep, commits staged and settled together (sync's batches), slot
 * allocation and reuse, spilling on a shared array entry and
 * moving back into the array.  Needs root and a kernel with BPF; without
 * them every case is a skip.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <cmocka.h>

#include "state_int.h"
#include "unit_root.h"

/* Two ifindexes sharing an array entry differ by VG_POLICY_ENTRIES. */
#define A	11U
#define A2	(A + VG_POLICY_ENTRIES)
#define A3	(A + 2 * VG_POLICY_ENTRIES)
#define A4	(A + 3 * VG_POLICY_ENTRIES)

static struct unit_root ur;
static struct vg_state st;
static bool ready;
static char why[VG_ERRLEN + 64] = "not set up";

static int group_setup(void **state)
{
	(void)state;
	ready = unit_root_open(&ur, "store", &st, why, sizeof(why)) == 0;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	unit_root_close(&ur, &st);
	return 0;
}

/* Every case starts from an empty store. */
static int store_empty(void **state)
{
	static const struct vg_policy_entry zero;
	uint32_t k, *keys;
	void *all;
	size_t n, i;

	(void)state;
	if (!ready)
		return 0;
	for (k = 0; k < VG_POLICY_ENTRIES; k++)
		assert_int_equal(bpf_map_update_elem(st.map_fd[VG_MAP_POLICY], &k, &zero, BPF_ANY),
				 0);
	assert_int_equal(vg_map_keys(st.map_fd[VG_MAP_SPILL], sizeof(uint32_t), &all, &n), 0);
	keys = all;
	for (i = 0; i < n; i++)
		assert_int_equal(bpf_map_delete_elem(st.map_fd[VG_MAP_SPILL], &keys[i]), 0);
	free(all);
	return 0;
}

static void need_store(void **state)
{
	(void)state;
	if (!ready) {
		print_message("# skip: %s\n", why);
		skip();
	}
}

/* A policy told apart by tag (its ifname) and slot. */
static struct vg_policy pol_of(const char *tag, uint16_t slot)
{
	struct vg_policy p;

	memset(&p, 0, sizeof(p));
	p.mode = VG_MODE_LOCKED;
	p.slot = slot;
	snprintf(p.ifname, sizeof(p.ifname), "%s", tag);
	return p;
}

static struct vg_policy_entry entry_of(uint32_t ifindex)
{
	uint32_t k = ifindex % VG_POLICY_ENTRIES;
	struct vg_policy_entry e;

	assert_int_equal(bpf_map_lookup_elem(st.map_fd[VG_MAP_POLICY], &k, &e), 0);
	return e;
}

/* Whether ifindex has a spill entry (its policy copied to *p). */
static bool in_spill(uint32_t ifindex, struct vg_policy *p)
{
	struct vg_policy tmp;

	if (bpf_map_lookup_elem(st.map_fd[VG_MAP_SPILL], &ifindex, p ? p : &tmp) == 0)
		return true;
	assert_int_equal(errno, ENOENT);
	return false;
}

static void commit(uint32_t ifindex, const struct vg_policy *p, bool want_waited)
{
	bool waited = !want_waited;

	assert_int_equal(vg_store_commit(&st, ifindex, p, &waited), 0);
	assert_int_equal(waited, want_waited);
}

/* The policy in force on ifindex is p (by tag and slot). */
static void in_force(uint32_t ifindex, const struct vg_policy *p)
{
	struct vg_policy got;

	assert_int_equal(vg_state_policy(&st, ifindex, &got), 0);
	assert_string_equal(got.ifname, p->ifname);
	assert_int_equal(got.slot, p->slot);
}

static void none_in_force(uint32_t ifindex)
{
	struct vg_policy got;

	assert_int_equal(vg_state_policy(&st, ifindex, &got), -ENOENT);
}

/* p is in force on ifindex from its array entry, published seq times,
 * and the hash holds nothing of it. */
static void in_array(uint32_t ifindex, const struct vg_policy *p, unsigned int seq)
{
	struct vg_policy_entry e = entry_of(ifindex);

	assert_int_equal(e.live, 1);
	assert_int_equal(e.ifindex, ifindex);
	assert_int_equal(e.seq, seq);
	assert_string_equal(e.pol.ifname, p->ifname);
	assert_int_equal(e.pol.slot, p->slot);
	assert_false(in_spill(ifindex, NULL));
	in_force(ifindex, p);
}

/* The store with A's policy "a" (slot A) in its array entry. */
static int store_a(void **state)
{
	struct vg_policy p = pol_of("a", A);

	store_empty(state);
	if (ready)
		commit(A, &p, false);
	return 0;
}

/* ---- commit ---------------------------------------------------------------- */

/* A new policy is published in its free array entry, no grace period. */
static void commit_new(void **state)
{
	struct vg_policy p = pol_of("a", A);

	need_store(state);
	commit(A, &p, false);
	in_array(A, &p, 1);
}

/* An update goes through the hash: the entry holds the new policy,
 * published again, and the hash entry is gone after the grace period. */
static void commit_update(void **state)
{
	struct vg_policy q = pol_of("a-new", A);

	need_store(state);
	commit(A, &q, true);
	in_array(A, &q, 2);
}

/* While a commit is between the hash and the entry, a policy is in
 * both: the readers count it once. */
static void read_all_once(void **state)
{
	struct vg_policy p = pol_of("a", A), *vals;
	uint32_t *keys;
	size_t n;

	need_store(state);
	assert_int_equal(bpf_map_update_elem(st.map_fd[VG_MAP_SPILL], &(uint32_t){ A }, &p,
					     BPF_ANY), 0);
	assert_int_equal(vg_store_read_all(&st, &keys, &vals, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(keys[0], A);
	free(keys);
	free(vals);
}

/* ---- retire, sweep ------------------------------------------------------------ */

/* A removed policy's entry is retired (out of force at once) and freed
 * by the sweep; a live entry is left alone. */
static void remove_sweep(void **state)
{
	struct vg_policy q = pol_of("b", A + 1);
	static const struct vg_policy_entry zero;
	struct vg_policy_entry e;
	unsigned int removed = 0;

	need_store(state);
	commit(A + 1, &q, false);
	assert_int_equal(vg_store_remove(&st, A, &removed), 0);
	assert_int_equal(removed, 1);
	e = entry_of(A);
	assert_int_equal(e.live, 0);
	assert_int_equal(e.ifindex, A);
	none_in_force(A);
	assert_int_equal(vg_store_sweep(&st), 0);
	e = entry_of(A);
	assert_memory_equal(&e, &zero, sizeof(e));
	in_force(A + 1, &q);
	assert_int_equal(entry_of(A + 1).seq, 1);
}

/* A retired entry taken again before the sweep is published with the
 * next seq after a grace period, and the sweep then leaves it be. */
static void retired_reused(void **state)
{
	struct vg_policy q = pol_of("a-again", A);

	need_store(state);
	assert_int_equal(vg_store_remove(&st, A, NULL), 0);
	commit(A, &q, true);
	assert_int_equal(vg_store_sweep(&st), 0);
	in_array(A, &q, 2);
}

/* ---- batches: staged commits, settled together --------------------------------- */

/*
 * Three commits staged, one settle: an update of A (committed at once,
 * served from the hash while its entry is retired), a new policy for B
 * (published at once in its free entry) and one for C, whose entry a
 * stopped run left retired (published only after the wait).  The settle
 * waits, publishes A and C, and drops A's hash entry.
 */
static void batch_settle(void **state)
{
	struct vg_policy a = pol_of("a-new", A), b = pol_of("b", A + 1), c = pol_of("c", A + 2);
	struct vg_policy_entry e, left = { .ifindex = A + 2, .seq = 5, .pol = pol_of("c-old", 0) };
	struct vg_store_txn t[3];
	uint32_t k = A + 2;
	struct vg_policy got;
	bool waited = false;

	need_store(state);
	assert_int_equal(bpf_map_update_elem(st.map_fd[VG_MAP_POLICY], &k, &left, BPF_ANY), 0);
	assert_int_equal(vg_store_stage(&st, A, &a, &t[0]), 0);
	assert_int_equal(vg_store_stage(&st, A + 1, &b, &t[1]), 0);
	assert_int_equal(vg_store_stage(&st, A + 2, &c, &t[2]), 0);
	assert_int_equal(t[0].step, VG_TXN_MOVE);
	assert_int_equal(t[1].step, VG_TXN_DONE);
	assert_int_equal(t[2].step, VG_TXN_PUBLISH);
	/* Before the settle: A's new policy in force from the hash, its
	 * entry retired; B live; C in force nowhere, its entry untouched. */
	e = entry_of(A);
	assert_int_equal(e.live, 0);
	assert_true(in_spill(A, &got));
	assert_string_equal(got.ifname, "a-new");
	in_force(A, &a);
	in_array(A + 1, &b, 1);
	none_in_force(A + 2);
	e = entry_of(A + 2);
	assert_memory_equal(&e, &left, sizeof(e));

	vg_store_settle(&st, t, 3, &waited);
	assert_true(waited);
	assert_int_equal(t[0].ret, 0);
	assert_int_equal(t[2].ret, 0);
	in_array(A, &a, 2);
	in_array(A + 1, &b, 1);
	in_array(A + 2, &c, 6);
}

/* Nothing staged that needs a grace period: the settle does not wait. */
static void batch_no_wait(void **state)
{
	struct vg_policy b = pol_of("b", A + 1), a2 = pol_of("a2", VG_POLICY_ENTRIES);
	struct vg_store_txn t[2];
	bool waited = true;

	need_store(state);
	assert_int_equal(vg_store_stage(&st, A + 1, &b, &t[0]), 0);
	assert_int_equal(vg_store_stage(&st, A2, &a2, &t[1]), 0);	/* A holds the entry */
	vg_store_settle(&st, t, 2, &waited);
	assert_false(waited);
	in_array(A + 1, &b, 1);
	assert_true(in_spill(A2, NULL));
	in_force(A2, &a2);
}

/* ---- spill, move back ----------------------------------------------------------- */

/* The second of two ifindexes sharing an entry goes to the hash; each
 * is judged by its own policy, and removing the spilled one leaves the
 * entry alone. */
static void spill(void **state)
{
	struct vg_policy p = pol_of("a", A), q = pol_of("a2", VG_POLICY_ENTRIES), *vals;
	unsigned int removed = 0;
	uint32_t *keys;
	size_t n;

	need_store(state);
	commit(A2, &q, false);
	assert_int_equal(entry_of(A).ifindex, A);
	assert_true(in_spill(A2, NULL));
	in_force(A, &p);
	in_force(A2, &q);
	assert_int_equal(vg_store_read_all(&st, &keys, &vals, &n), 0);
	assert_int_equal(n, 2);
	free(keys);
	free(vals);
	assert_int_equal(vg_store_remove(&st, A2, &removed), 0);
	assert_int_equal(removed, 1);
	assert_false(in_spill(A2, NULL));
	assert_int_equal(entry_of(A).live, 1);
	in_force(A, &p);
}

/* A spilled policy updated when its entry is free moves into the array,
 * keeping its slot, and leaves the hash. */
static void move_back(void **state)
{
	struct vg_policy q = pol_of("a2", VG_POLICY_ENTRIES);
	struct vg_policy q2 = pol_of("a2-new", VG_POLICY_ENTRIES);

	need_store(state);
	commit(A2, &q, false);
	assert_int_equal(vg_store_remove(&st, A, NULL), 0);
	assert_int_equal(vg_store_sweep(&st), 0);
	commit(A2, &q2, true);
	/* The sweep zeroed the entry, seq included. */
	in_array(A2, &q2, 1);
	none_in_force(A);
}

/* attach and ifname are rewritten in place, wherever the policy is. */
static void set_meta(void **state)
{
	struct vg_policy q = pol_of("a2", VG_POLICY_ENTRIES), got;
	struct vg_policy meta = pol_of("renamed", 0);

	need_store(state);
	commit(A2, &q, false);
	meta.attach = VG_ATTACH_TCX;
	assert_int_equal(vg_store_set_meta(&st, A, &meta), 0);
	assert_int_equal(vg_store_set_meta(&st, A2, &meta), 0);
	got = entry_of(A).pol;
	assert_string_equal(got.ifname, "renamed");
	assert_int_equal(got.attach, VG_ATTACH_TCX);
	assert_int_equal(got.slot, A);
	assert_true(in_spill(A2, &got));
	assert_string_equal(got.ifname, "renamed");
	assert_int_equal(got.slot, VG_POLICY_ENTRIES);
}

/* ---- slots ------------------------------------------------------------------------ */

static void set_passes(uint32_t slot, uint64_t v)
{
	int ncpu = libbpf_num_possible_cpus(), c;
	uint64_t *vals = calloc((size_t)ncpu, sizeof(*vals));

	assert_non_null(vals);
	for (c = 0; c < ncpu; c++)
		vals[c] = v;
	assert_int_equal(bpf_map_update_elem(st.map_fd[VG_MAP_PASSES], &slot, vals, BPF_ANY), 0);
	free(vals);
}

static uint16_t alloc(uint32_t ifindex)
{
	uint16_t slot = 0;
	__u64 sum = 1;

	assert_int_equal(vg_store_slot_alloc(&st, ifindex, &slot), 0);
	assert_int_equal(vg_percpu_u64_sum(st.map_fd[VG_MAP_PASSES], &(uint32_t){ slot }, &sum),
			 0);
	assert_int_equal(sum, 0);
	return slot;
}

/* A policy born in the array takes its entry's slot; spilled ones the
 * lowest free slot from VG_POLICY_ENTRIES on, freed with their policy;
 * every slot given out is zeroed. */
static void slots(void **state)
{
	struct vg_policy p = pol_of("a", A), q, r;

	need_store(state);
	set_passes(A, 7);
	set_passes(VG_POLICY_ENTRIES, 7);
	assert_int_equal(alloc(A), A);
	commit(A, &p, false);
	assert_int_equal(alloc(A2), VG_POLICY_ENTRIES);
	q = pol_of("a2", VG_POLICY_ENTRIES);
	commit(A2, &q, false);
	assert_int_equal(alloc(A3), VG_POLICY_ENTRIES + 1);
	r = pol_of("a3", VG_POLICY_ENTRIES + 1);
	commit(A3, &r, false);
	assert_int_equal(vg_store_remove(&st, A2, NULL), 0);
	set_passes(VG_POLICY_ENTRIES, 7);
	assert_int_equal(alloc(A4), VG_POLICY_ENTRIES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(commit_new, store_empty),
		cmocka_unit_test_setup(commit_update, store_a),
		cmocka_unit_test_setup(read_all_once, store_a),
		cmocka_unit_test_setup(remove_sweep, store_a),
		cmocka_unit_test_setup(retired_reused, store_a),
		cmocka_unit_test_setup(batch_settle, store_a),
		cmocka_unit_test_setup(batch_no_wait, store_a),
		cmocka_unit_test_setup(spill, store_a),
		cmocka_unit_test_setup(move_back, store_a),
		cmocka_unit_test_setup(set_meta, store_a),
		cmocka_unit_test_setup(slots, store_empty),
	};

	return cmocka_run_group_tests_name("store", tests, group_setup, group_teardown);
}
