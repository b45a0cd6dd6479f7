// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The policy store.
 *
 * The policy of an interface is in the "policy" array entry
 * ifindex % VG_POLICY_ENTRIES while that entry is live under its ifindex,
 * else in the hash "policy_spill".  Every write below happens under the
 * state's exclusive lock: there is one writer.
 *
 * An array entry is free (all zero), live (ifindex, live 1) or retired
 * (ifindex, live 0).  The program uses an entry only after it read live 1,
 * so the writes keep to this order:
 *  - publish: ifindex and policy written with live 0, then the same
 *    bytes with live 1.  On x86 the stores of the second write become
 *    visible after those of the first and the program's loads stay in
 *    order; elsewhere a grace period separates the two writes.
 *  - retire: the same bytes with live 0.  A program that read live 1
 *    just before may use the entry until a grace period has passed; only
 *    then may its ifindex or policy change (sweep, reuse, update).
 *    seq, bumped by every publication, tells a later retirement of the
 *    same ifindex from the one a sweep waited for.
 * So no program ever uses a half-written policy, and a policy in force
 * is replaced only through the hash (vg_store_commit()).
 *
 * Batches (sync): vg_store_stage() makes a commit's writes up to its
 * commit point and vg_store_settle() waits one grace period for all the
 * commits staged before it publishes their entries, and one more before
 * the hash entries of the moved policies go.  Each entry still goes
 * retire, grace period, rewrite, and the lock is held from the first
 * stage to the settle, so the argument above holds for every one of
 * them: n updates wait for two grace periods, not 2n.
 *
 * A policy also holds the slot of its pass counter: the index of its
 * array entry for a policy born in the array, else one of the slots from
 * VG_POLICY_ENTRIES on (vg_store_slot_alloc()).
 *
 * Readers (list, gc, detach) take every policy in force from both maps
 * (vg_store_read_all()): one in the middle of vg_store_commit() is in
 * both, and counts once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/membarrier.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "state_int.h"


#if defined(__x86_64__) || defined(__i386__)
#define PUBLISH_WAITS false
#else
#define PUBLISH_WAITS true
#endif

/*
 * Waits until no program run that started before the call is in flight
 * (a grace period).  tc programs run inside an RCU read-side section, and
 * membarrier(MEMBARRIER_CMD_GLOBAL) is a synchronize_rcu() (Linux >= 4.3).
 * Where it is refused (nohz_full), a pause far longer than any program
 * run stands in.
 */
void vg_wait_for_readers(void)
{
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) != 0)
		usleep(50 * 1000);
}


static uint32_t entry_key(uint32_t ifindex)
{
	return ifindex & (VG_POLICY_ENTRIES - 1);
}

static int entry_read(struct vg_state *st, uint32_t ifindex, struct vg_policy_entry *e)
{
	uint32_t k = entry_key(ifindex);

	return bpf_map_lookup_elem(st->map_fd[VG_MAP_POLICY], &k, e) ? -errno : 0;
}

static int entry_write(struct vg_state *st, uint32_t key, const struct vg_policy_entry *e)
{
	return bpf_map_update_elem(st->map_fd[VG_MAP_POLICY], &key, e, BPF_ANY) ? -errno : 0;
}

static bool entry_holds(const struct vg_policy_entry *e, uint32_t ifindex)
{
	return e->live && e->ifindex == ifindex;
}

/* ifindex's array entry into *e (zeroed when no array is pinned): 1 if it
 * holds ifindex's policy in force, 0 if not, or -errno. */
static int entry_get(struct vg_state *st, uint32_t ifindex, struct vg_policy_entry *e)
{
	int ret;

	memset(e, 0, sizeof(*e));
	if (st->map_fd[VG_MAP_POLICY] < 0)
		return 0;
	ret = entry_read(st, ifindex, e);
	return ret ? ret : entry_holds(e, ifindex);
}

/* pol into ifindex's entry, which no program may be using (free, or
 * retired a grace period ago; cur is what it holds), and then live. */
static int entry_publish(struct vg_state *st, uint32_t ifindex, const struct vg_policy *pol,
			 const struct vg_policy_entry *cur)
{
	struct vg_policy_entry e = {
		.ifindex = ifindex, .seq = (uint8_t)(cur->seq + 1), .pol = *pol,
	};
	int ret;

	ret = entry_write(st, entry_key(ifindex), &e);
	if (ret)
		return ret;
	if (PUBLISH_WAITS)
		vg_wait_for_readers();
	e.live = 1;
	return entry_write(st, entry_key(ifindex), &e);
}

static int entry_retire(struct vg_state *st, const struct vg_policy_entry *cur)
{
	struct vg_policy_entry e = *cur;

	e.live = 0;
	return entry_write(st, entry_key(cur->ifindex), &e);
}

/* Every array entry, VG_POLICY_ENTRIES of them (to free()): one batch
 * lookup where the kernel has it (Linux >= 5.6), else key by key. */
static int entries_read(struct vg_state *st, struct vg_policy_entry **out)
{
	int fd = st->map_fd[VG_MAP_POLICY], ret;
	struct vg_policy_entry *e = calloc(VG_POLICY_ENTRIES, sizeof(*e));
	uint32_t *keys = calloc(VG_POLICY_ENTRIES, sizeof(*keys));
	uint32_t batch = 0, count = VG_POLICY_ENTRIES, k;

	if (!e || !keys) {
		ret = -ENOMEM;
		goto out;
	}
	ret = bpf_map_lookup_batch(fd, NULL, &batch, keys, e, &count, NULL);
	if ((ret == 0 || ret == -ENOENT) && count == VG_POLICY_ENTRIES) {
		/* An array hands out its entries in key order. */
		for (k = 0; k < VG_POLICY_ENTRIES && keys[k] == k; k++)
			;
		if (k == VG_POLICY_ENTRIES) {
			ret = 0;
			goto out;
		}
	} else if (ret && ret != -ENOENT && ret != -EINVAL && ret != -EOPNOTSUPP &&
		   ret != -ENOTSUPP) {
		goto out;
	}
	/* No batch operations, or not the whole array in order: key by key. */
	for (k = 0, ret = 0; k < VG_POLICY_ENTRIES && !ret; k++)
		if (bpf_map_lookup_elem(fd, &k, &e[k]))
			ret = -errno;
out:
	free(keys);
	if (ret) {
		free(e);
		return ret;
	}
	*out = e;
	return 0;
}

int vg_state_policy(struct vg_state *st, uint32_t ifindex, struct vg_policy *pol)
{
	struct vg_policy_entry e;
	int held;

	held = entry_get(st, ifindex, &e);
	if (held < 0)
		return held;
	if (held) {
		*pol = e.pol;
		return 0;
	}
	if (st->map_fd[VG_MAP_SPILL] < 0)
		return -ENOENT;
	return bpf_map_lookup_elem(st->map_fd[VG_MAP_SPILL], &ifindex, pol) ? -errno : 0;
}

/*
 * Puts pol in force on ifindex.  A new interface gets its array entry if
 * no other interface holds it, else a hash entry.  An interface with a
 * policy in force gets the new one in the hash first; retiring its array
 * entry then is the commit point, and after a grace period the entry
 * takes the new policy and the hash entry goes.  *waited: a grace period
 * has passed since the commit point, so whatever the old policy
 * referenced may go now.
 */
int vg_store_commit(struct vg_state *st, uint32_t ifindex, const struct vg_policy *pol,
		    bool *waited)
{
	struct vg_store_txn t;
	int ret;

	*waited = false;
	ret = vg_store_stage(st, ifindex, pol, &t);
	if (ret)
		return ret;
	vg_store_settle(st, &t, 1, waited);
	return t.ret;
}

/*
 * vg_store_commit() up to what needs a grace period, which
 * vg_store_settle() then waits for once for every commit staged.  A
 * policy in force is committed on return (from the hash: its array entry
 * is retired); a new one is in force unless its entry was retired by a
 * stopped run (then it is published after the wait).
 */
int vg_store_stage(struct vg_state *st, uint32_t ifindex, const struct vg_policy *pol,
		   struct vg_store_txn *t)
{
	int sfd = st->map_fd[VG_MAP_SPILL], ret;
	struct vg_policy cur;
	bool in_array, in_spill;

	memset(t, 0, sizeof(*t));
	t->ifindex = ifindex;
	t->pol = *pol;
	/* Its configured addresses are its own before it is in force, and
	 * so are the leases a Xen guest interface gets back (or its
	 * learning window). */
	ret = vg_owners_commit(st, ifindex, pol);
	if (!ret)
		ret = vg_resume_commit(st, ifindex, pol);
	if (ret)
		return ret;
	ret = entry_get(st, ifindex, &t->cur);
	if (ret < 0)
		return ret;
	in_array = ret;
	if (t->cur.live && !in_array)	/* another interface's */
		return bpf_map_update_elem(sfd, &ifindex, pol, BPF_ANY) ? -errno : 0;
	in_spill = bpf_map_lookup_elem(sfd, &ifindex, &cur) == 0;
	if (!in_spill && errno != ENOENT)
		return -errno;
	if (!in_array && !in_spill) {
		/* A retired entry (a run stopped half-way) may still be read
		 * by a program that saw it live. */
		if (t->cur.ifindex) {
			t->step = VG_TXN_PUBLISH;
			return 0;
		}
		return entry_publish(st, ifindex, pol, &t->cur);
	}
	if (bpf_map_update_elem(sfd, &ifindex, pol, BPF_ANY))
		return -errno;
	if (in_array && (ret = entry_retire(st, &t->cur))) {
		bpf_map_delete_elem(sfd, &ifindex);	/* the entry stays in force */
		return ret;
	}
	/* Committed: from here on a failure leaves pol in force from the hash. */
	t->step = VG_TXN_MOVE;
	return 0;
}

/* Publishes the entries of the n commits that have one to publish (free,
 * or retired a grace period ago): one batch update for each of the two
 * writes where the kernel has them (Linux >= 5.6), else entry by entry,
 * which then sets each commit's ret. */
static void entries_publish(struct vg_state *st, struct vg_store_txn *t, size_t n)
{
	int fd = st->map_fd[VG_MAP_POLICY];
	struct vg_policy_entry *e = calloc(n, sizeof(*e));
	uint32_t *keys = calloc(n, sizeof(*keys)), count;
	size_t i, m = 0;
	bool batch = e && keys;
	int pass;

	for (i = 0; batch && i < n; i++) {
		if (t[i].step == VG_TXN_DONE)
			continue;
		keys[m] = entry_key(t[i].ifindex);
		e[m++] = (struct vg_policy_entry){ .ifindex = t[i].ifindex,
			.seq = (uint8_t)(t[i].cur.seq + 1), .pol = t[i].pol };
	}
	/* The same order as entry_publish(): every entry written with
	 * live 0, then every one with live 1. */
	for (pass = 0; batch && m && pass < 2; pass++) {
		if (pass && PUBLISH_WAITS)
			vg_wait_for_readers();
		for (i = 0; i < m; i++)
			e[i].live = (uint8_t)pass;
		count = (uint32_t)m;
		batch = bpf_map_update_batch(fd, keys, e, &count, NULL) == 0 && count == m;
	}
	free(e);
	free(keys);
	for (i = 0; i < n; i++)
		if (t[i].step != VG_TXN_DONE && !batch)
			t[i].ret = entry_publish(st, t[i].ifindex, &t[i].pol, &t[i].cur);
}

/* The hash entries of the moved commits whose array entry is live again:
 * one batch delete where the kernel has it, else key by key. */
static void spill_drop(struct vg_state *st, const struct vg_store_txn *t, size_t n)
{
	int fd = st->map_fd[VG_MAP_SPILL];
	uint32_t *keys = calloc(n, sizeof(*keys)), count;
	size_t i, m = 0;

	for (i = 0; keys && i < n; i++)
		if (t[i].step == VG_TXN_MOVE)
			keys[m++] = t[i].ifindex;
	count = (uint32_t)m;
	if (!keys || (m && (bpf_map_delete_batch(fd, keys, &count, NULL) || count != m)))
		for (i = 0; i < n; i++)
			if (t[i].step == VG_TXN_MOVE)
				bpf_map_delete_elem(fd, &t[i].ifindex);
	free(keys);
}

/*
 * Finishes n staged commits with one grace period for all of them: the
 * entries staged are published after it, and the hash entries of the
 * moved policies go a second grace period later (a program that found
 * the entry retired may be on its way to the hash entry).  *waited: the
 * first wait happened.  A publication that fails sets ret for a new
 * policy (nothing of it in force) and leaves a moved policy in force from
 * the hash (ret 0).  The lock is held throughout.
 */
void vg_store_settle(struct vg_state *st, struct vg_store_txn *t, size_t n, bool *waited)
{
	bool moved = false;
	size_t i, m = 0;

	*waited = false;
	for (i = 0; i < n; i++)
		m += t[i].step != VG_TXN_DONE;
	if (!m)
		return;
	vg_wait_for_readers();
	*waited = true;
	entries_publish(st, t, n);
	for (i = 0; i < n; i++) {
		if (t[i].step != VG_TXN_MOVE)
			continue;
		if (t[i].ret) {
			/* Stays in force from the hash, which keeps it. */
			t[i].ret = 0;
			t[i].step = VG_TXN_DONE;
		} else {
			moved = true;
		}
	}
	if (!moved)
		return;
	vg_wait_for_readers();
	spill_drop(st, t, n);
}

/* Rewrites the fields of ifindex's policy that the program does not read
 * (attach, ifname) in place, from src. */
int vg_store_set_meta(struct vg_state *st, uint32_t ifindex, const struct vg_policy *src)
{
	struct vg_policy_entry e;
	struct vg_policy *p = &e.pol;
	int held;

	held = entry_get(st, ifindex, &e);
	if (held < 0)
		return held;
	if (!held && bpf_map_lookup_elem(st->map_fd[VG_MAP_SPILL], &ifindex, p))
		return -errno;
	p->attach = src->attach;
	memcpy(p->ifname, src->ifname, sizeof(p->ifname));
	if (held)
		return entry_write(st, entry_key(ifindex), &e);
	return bpf_map_update_elem(st->map_fd[VG_MAP_SPILL], &ifindex, p, BPF_EXIST) ? -errno : 0;
}

/* Takes ifindex's policy out of force: its array entry retired (freed by
 * vg_store_sweep()), its hash entry deleted. */
int vg_store_remove(struct vg_state *st, uint32_t ifindex, unsigned int *removed)
{
	struct vg_policy_entry e;
	int held, ret;

	/* What it learned and configured: a later run repairs a failure. */
	vg_owners_release(st, ifindex, NULL);
	held = entry_get(st, ifindex, &e);
	ret = held > 0 ? entry_retire(st, &e) : held;
	if (ret)
		return ret;
	if (held && removed)
		(*removed)++;
	return vg_delete_key(st->map_fd[VG_MAP_SPILL], &ifindex, removed);
}

static int relock(struct vg_state *st, int op)
{
	int ret;

	while ((ret = flock(st->lock_fd, op)) && errno == EINTR)
		;
	return ret ? -errno : 0;
}

/*
 * Frees every retired array entry a grace period after it was retired.
 * The exclusive lock is let go for the wait, so that parallel detaches
 * share their grace periods; an entry is freed only if it is still the
 * one seen retired before the wait (same ifindex and seq), since another
 * run may have published and retired it again meanwhile.  The state is
 * locked again on return unless taking the lock back failed (then
 * nothing was freed and the error is returned).
 */
int vg_store_sweep(struct vg_state *st)
{
	static const struct vg_policy_entry zero;
	struct vg_policy_entry *e, now;
	uint32_t k;
	bool any = false;
	int ret;

	if (st->map_fd[VG_MAP_POLICY] < 0)
		return 0;
	ret = entries_read(st, &e);
	if (ret)
		return ret;
	for (k = 0; k < VG_POLICY_ENTRIES; k++)
		any |= !e[k].live && e[k].ifindex;
	if (!any)
		goto out;
	if (st->write && (ret = relock(st, LOCK_UN)))
		goto out;
	vg_wait_for_readers();
	if (st->write && (ret = relock(st, LOCK_EX)))
		goto out;
	for (k = 0; k < VG_POLICY_ENTRIES && !ret; k++) {
		if (e[k].live || !e[k].ifindex)
			continue;
		ret = entry_read(st, e[k].ifindex, &now);
		if (!ret && !now.live && now.ifindex == e[k].ifindex && now.seq == e[k].seq)
			ret = entry_write(st, k, &zero);
	}
out:
	free(e);
	return ret;
}


/* Zeroes the pass counter of slot on every CPU. */
static int passes_zero(struct vg_state *st, uint32_t slot)
{
	int ncpu = libbpf_num_possible_cpus(), ret = 0;
	uint64_t *vals;

	if (ncpu < 1)
		return ncpu < 0 ? ncpu : -EINVAL;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	if (bpf_map_update_elem(st->map_fd[VG_MAP_PASSES], &slot, vals, BPF_ANY))
		ret = -errno;
	free(vals);
	return ret;
}

/*
 * The spill hash's entries into keys and vals after the *n already there
 * (room for cap in all), *n counting them: one batch lookup where the
 * kernel has it (Linux >= 5.6), one lookup per key otherwise.
 */
static int spill_read(int fd, uint32_t *keys, struct vg_policy *vals, size_t cap, size_t *n)
{
	size_t n_array = *n, i, nk;
	uint32_t batch = 0, count;
	void *all = NULL;
	int ret;

	for (;;) {
		count = (uint32_t)(cap - *n);
		ret = bpf_map_lookup_batch(fd, *n > n_array ? &batch : NULL, &batch, keys + *n,
					   vals + *n, &count, NULL);
		/* count is only an answer when the kernel knew the command:
		 * one that does not (Linux < 5.6) writes nothing back. */
		if (ret && ret != -ENOENT)
			break;
		*n += count;
		if (ret == -ENOENT || *n >= cap)
			return 0;
	}
	if (*n > n_array || (ret != -EINVAL && ret != -EOPNOTSUPP && ret != -ENOTSUPP))
		return ret;
	/* No batch operations: key by key. */
	ret = vg_map_keys(fd, sizeof(uint32_t), &all, &nk);
	for (i = 0; !ret && i < nk && *n < cap; i++) {
		keys[*n] = ((uint32_t *)all)[i];
		if (bpf_map_lookup_elem(fd, &keys[*n], &vals[*n]) == 0)
			(*n)++;
		else if (errno != ENOENT)
			ret = -errno;
	}
	free(all);
	return ret;
}

/*
 * Every policy in force, keys (ifindexes) and values (to free() both):
 * the live array entries, then the hash entries of the other interfaces.
 */
int vg_store_read_all(struct vg_state *st, uint32_t **keys_out,
		      struct vg_policy **vals_out, size_t *n_out)
{
	const size_t cap = VG_POLICY_ENTRIES + VG_MAX_IFACES;
	int fd = st->map_fd[VG_MAP_SPILL], ret = 0;
	uint32_t *keys = malloc(cap * sizeof(*keys)), k;
	struct vg_policy *vals = malloc(cap * sizeof(*vals));
	struct vg_policy_entry *e = NULL;
	size_t n = 0, i, j, n_array;

	if (!keys || !vals) {
		ret = -ENOMEM;
		goto fail;
	}
	if (st->map_fd[VG_MAP_POLICY] >= 0) {
		ret = entries_read(st, &e);
		if (ret)
			goto fail;
		for (k = 0; k < VG_POLICY_ENTRIES; k++)
			if (e[k].live) {
				keys[n] = e[k].ifindex;
				vals[n++] = e[k].pol;
			}
	}
	n_array = n;
	if (fd >= 0 && (ret = spill_read(fd, keys, vals, cap, &n)))
		goto fail;
	/* In the middle of vg_store_commit() a policy may be in both. */
	for (i = j = n_array; i < n; i++) {
		if (e && entry_holds(&e[entry_key(keys[i])], keys[i]))
			continue;
		keys[j] = keys[i];
		vals[j++] = vals[i];
	}
	free(e);
	*keys_out = keys;
	*vals_out = vals;
	*n_out = j;
	return 0;
fail:
	free(e);
	free(keys);
	free(vals);
	return ret;
}

/*
 * The pass counter slot of a new interface, zeroed.  A policy born in
 * the array has the slot of its entry's index, which no other policy
 * can hold, so an attach needs no look at the others.  One that goes to
 * the spill hash gets the lowest free slot from VG_POLICY_ENTRIES on (and
 * keeps it if an update moves it into the array later).
 */
int vg_store_slot_alloc(struct vg_state *st, uint32_t ifindex, uint16_t *slot)
{
	uint8_t used[VG_MAX_IFACES / 8] = { 0 };
	struct vg_policy *vals = NULL;
	struct vg_policy_entry e;
	uint32_t *keys = NULL, s;
	size_t n = 0, i;
	int ret;

	ret = entry_read(st, ifindex, &e);
	if (ret)
		return ret;
	if (!e.live) {
		*slot = (uint16_t)entry_key(ifindex);
		return passes_zero(st, *slot);
	}
	ret = vg_store_read_all(st, &keys, &vals, &n);
	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		if (vals[i].slot < VG_MAX_IFACES)
			used[vals[i].slot / 8] |= (uint8_t)(1U << (vals[i].slot % 8));
	free(keys);
	free(vals);
	for (s = VG_POLICY_ENTRIES; s < VG_MAX_IFACES; s++)
		if (!(used[s / 8] & (1U << (s % 8))))
			break;
	if (s == VG_MAX_IFACES)
		return -ENOSPC;
	*slot = (uint16_t)s;
	return passes_zero(st, s);
}
