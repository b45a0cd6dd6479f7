// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Applying a policy to an interface: a new one, or one whose policy is
 * updated in place.  The policy and its addresses go to the maps under
 * the generation not in force, the filter goes on, and one write to the
 * policy store (vg_store_commit()) switches the program to them; the
 * old generation goes a grace period later.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "state_int.h"
#include "tc.h"

static bool v4_inline(const struct vg_policy *pol, const struct vg_prefix4 *p)
{
	unsigned int i;

	for (i = 0; i < VG_INLINE_V4 && p->len == 32; i++)
		if (pol->v4[i] == p->addr.s_addr)
			return true;
	return false;
}

static bool v6_inline(const struct vg_policy *pol, const struct vg_prefix6 *p)
{
	unsigned int i;

	for (i = 0; i < VG_INLINE_V6 && p->len == 128; i++)
		if (!memcmp(pol->v6[i], &p->addr, 16))
			return true;
	return false;
}

/* The addresses of spec that the policy does not hold inline, to the
 * tries under ifindex and gen. */
static int write_addrs(struct vg_state *st, const struct vg_spec *spec,
		       const struct vg_policy *pol, uint32_t ifindex)
{
	const uint8_t one = 1;
	unsigned int i;

	for (i = 0; i < spec->n_v4; i++) {
		struct vg_v4_key k = {
			.prefixlen = VG_LPM_KEY_BITS + spec->v4[i].len,
			.ifindex = ifindex,
			.gen = pol->gen,
			.addr = spec->v4[i].addr.s_addr,
		};

		if (v4_inline(pol, &spec->v4[i]))
			continue;
		if (bpf_map_update_elem(st->map_fd[VG_MAP_V4_ADDRS], &k, &one, BPF_ANY))
			return -errno;
	}
	for (i = 0; i < spec->n_v6; i++) {
		struct vg_v6_key k = {
			.prefixlen = VG_LPM_KEY_BITS + spec->v6[i].len,
			.ifindex = ifindex,
			.gen = pol->gen,
		};

		if (v6_inline(pol, &spec->v6[i]))
			continue;
		memcpy(k.addr, &spec->v6[i].addr, 16);
		if (bpf_map_update_elem(st->map_fd[VG_MAP_V6_ADDRS], &k, &one, BPF_ANY))
			return -errno;
	}
	return 0;
}

/* The policy of spec: the first host addresses of each family inline,
 * a flag for each family with more. */
static void policy_build(const struct vg_spec *spec, uint8_t gen, uint16_t slot,
			 struct vg_policy *pol)
{
	unsigned int i, n4 = 0, n6 = 0;

	memset(pol, 0, sizeof(*pol));
	pol->gen = gen;
	pol->slot = slot;
	pol->flags = (uint16_t)spec->flags;
	for (i = 0; i < spec->n_v4; i++) {
		if (v4_inline(pol, &spec->v4[i]))
			continue;	/* listed twice */
		if (spec->v4[i].len == 32 && n4 < VG_INLINE_V4)
			pol->v4[n4++] = spec->v4[i].addr.s_addr;
		else
			pol->flags |= VG_F_V4_TABLE;
	}
	for (i = 0; i < spec->n_v6; i++) {
		if (v6_inline(pol, &spec->v6[i]))
			continue;
		if (spec->v6[i].len == 128 && n6 < VG_INLINE_V6)
			memcpy(pol->v6[n6++], &spec->v6[i].addr, 16);
		else
			pol->flags |= VG_F_V6_TABLE;
	}
	pol->mode = (uint8_t)spec->mode;
	pol->n_macs = (uint8_t)spec->n_macs;
	memcpy(pol->macs, spec->macs, sizeof(pol->macs[0]) * spec->n_macs);
	for (i = 0; i < spec->n_ethertypes; i++)
		pol->ethertypes[i] = htons(spec->ethertypes[i]);
	/* spec->ifname was validated to fit, NUL included. */
	memcpy(pol->ifname, spec->ifname, strnlen(spec->ifname, VG_IFNAMSIZ - 1));
}

/*
 * Takes off our filters of the method not in use, if there are any:
 * after a switch of method, or ones a stopped run left behind.  When the
 * clsact goes with them, pol (in force) loses VG_ATTACH_OWN_CLSACT, in
 * the maps too.
 */
static int other_method_off(struct vg_state *st, uint32_t ifindex, uint32_t kind,
			    struct vg_policy *pol)
{
	char path[PATH_MAX];
	bool removed;
	int ret;

	if (kind == VG_ATTACH_CLS_BPF) {
		vg_tcx_pin_path(st, ifindex, VG_HOOK_EGRESS, path, sizeof(path));
		ret = vg_tcx_detach(path, &removed);
		if (ret)
			return ret;
		vg_tcx_pin_path(st, ifindex, VG_HOOK_INGRESS, path, sizeof(path));
		return vg_tcx_detach(path, &removed);
	}
	ret = vg_tc_detach((int)ifindex, pol->attach & VG_ATTACH_OWN_CLSACT, &removed);
	if (ret || !(pol->attach & VG_ATTACH_OWN_CLSACT))
		return ret;
	pol->attach &= ~VG_ATTACH_OWN_CLSACT;
	return vg_store_set_meta(st, ifindex, pol);
}

/*
 * An attach fails as a whole when either program cannot go on.  The
 * ingress filter is the security; the egress program feeds address
 * learning: it protects the sources of router advertisements from being
 * learned and revokes a learned address its real owner defends.  An
 * interface filtered without it would learn link-local addresses that
 * nothing takes back, so its absence is an error, never a warning: a
 * new interface is rolled back as on any failure (nothing of it left),
 * and an attached one keeps its ingress filter, with the policy the
 * error names, until an attach (or gc) puts the egress program on.
 */
static int attach_error(char *err, size_t errlen, int ret, enum vg_hook hook, bool had)
{
	const char *what = hook == VG_HOOK_EGRESS ?
		"cannot attach the egress program (vifguard_out)" : "cannot attach";
	const char *why = ret == -EOPNOTSUPP ? "tcx needs Linux 6.6 or later" : strerror(-ret);

	if (hook != VG_HOOK_EGRESS)
		return vg_fail(err, errlen, ret, "%s: %s", what, why);
	if (!had)
		return vg_fail(err, errlen, ret, "%s: %s; nothing was attached", what, why);
	return vg_fail(err, errlen, ret, "%s: %s; the ingress filter is on with the new policy, "
		       "but without it learned addresses are neither protected nor revoked "
		       "(attach again)", what, why);
}

static int missing_maps(const struct vg_state *st, char *err, size_t errlen)
{
	int i;

	for (i = 0; i < VG_MAP_N; i++)
		if (st->map_fd[i] < 0)
			return vg_fail(err, errlen, -ENOENT, "%s/%s: map not pinned", st->root,
				       vg_map_names[i]);
	return 0;
}


/* One apply, as its steps see it. */
struct apply {
	struct vg_state *st;
	const struct vg_spec *spec;
	char *err;
	size_t errlen;
	uint32_t ifindex;
	uint32_t kind;		/* VG_ATTACH_CLS_BPF or VG_ATTACH_TCX */
	uint32_t attach;	/* what pol.attach gets: kind, VG_ATTACH_OWN_CLSACT */
	bool have_old;		/* a policy is in force: an update */
	bool deferred;		/* addresses left to write after the commit */
	struct vg_resume *resume;	/* a Xen guest interface's, or NULL */
	struct vg_spec own;	/* spec with the resume's flags, when it has some */
	uint8_t gen;		/* the generation being written */
	struct vg_policy old;	/* in force, when have_old */
	struct vg_policy pol;	/* the new one */
};

static bool lease_maps_pinned(const struct vg_state *st)
{
	return st->map_fd[VG_MAP_LEASE_SLOTS] >= 0 && st->map_fd[VG_MAP_PARKED] >= 0;
}

/* Checks what the apply needs and reads what is in force; nothing is
 * written yet. */
static int apply_begin(struct apply *a, const struct vg_apply_opts *opts)
{
	struct vg_state *st = a->st;
	char verr[VG_ERRLEN];
	uint32_t id;
	int ret;

	if (vg_spec_validate(a->spec, verr, sizeof(verr)))
		return vg_fail(a->err, a->errlen, -EINVAL, "invalid policy: %s", verr);
	if (st->prog_fd < 0 || st->prog_out_fd < 0 || !st->write)
		return vg_fail(a->err, a->errlen, -EINVAL, "cannot attach: state not loaded");
	if ((ret = missing_maps(st, a->err, a->errlen)))
		return ret;
	a->ifindex = if_nametoindex(a->spec->ifname);
	if (!a->ifindex)
		return vg_fail(a->err, a->errlen, -errno, "cannot attach: %s", strerror(errno));
	/* Our program in place of another root's would take that root's
	 * policy out of force behind its back, and a detach by either root
	 * would leave the device unfiltered. */
	if (vg_place_foreign_on(st, a->ifindex, &id))
		return vg_fail(a->err, a->errlen, -EBUSY, "cannot attach: it carries the "
			       "vifguard program of another state root (prog %u), not of %s: "
			       "detach it with that root (-r DIR) first", id, st->root);

	/* A policy at this ifindex of a device that is gone (its ifindex
	 * reused) goes, with what that device learned: this one is new. */
	ret = vg_state_policy_live(st, a->ifindex, &a->old);
	a->have_old = ret == 0;
	if (ret && ret != -ENOENT)
		return vg_fail(a->err, a->errlen, ret, "cannot read the policy: %s",
			       strerror(-ret));
	a->gen = a->have_old ? (uint8_t)(a->old.gen ^ 1) : 0;
	if (opts && opts->resume)
		a->resume = opts->resume;
	if (a->resume && lease_maps_pinned(st)) {
		unsigned int f = vg_resume_flags(st, a->ifindex, a->have_old, a->spec, a->resume);

		if (f & ~a->spec->flags) {
			a->own = *a->spec;
			a->own.flags |= f;
			a->spec = &a->own;
		}
	}
	a->kind = opts && opts->attach ? opts->attach :
		a->have_old && (a->old.attach & VG_ATTACH_TCX) ? VG_ATTACH_TCX :
		VG_ATTACH_CLS_BPF;
	return 0;
}

/* The new policy and its addresses, under the generation not in force. */
static int apply_write(struct apply *a)
{
	struct vg_state *st = a->st;
	uint16_t slot;
	int ret;

	/* Leftovers of a run killed before its commit point; without a
	 * policy nothing of this ifindex is in force: both generations and
	 * any drop counters go. */
	ret = vg_purge_addrs(st, a->ifindex, a->have_old ? VG_PURGE_GEN : VG_PURGE_ALL,
			     a->gen, NULL);
	if (!ret && !a->have_old)
		ret = vg_purge_drops(st, a->ifindex, NULL);
	if (ret)
		return vg_fail(a->err, a->errlen, ret, "cannot write the maps: %s",
			       strerror(-ret));
	if (a->have_old) {
		slot = a->old.slot;
	} else if ((ret = vg_store_slot_alloc(st, a->ifindex, &slot))) {
		if (ret == -ENOSPC)
			return vg_fail(a->err, a->errlen, ret, "cannot attach: %u interfaces "
				       "whose policy array entry another one holds have a "
				       "policy already", VG_MAX_IFACES - VG_POLICY_ENTRIES);
		return vg_fail(a->err, a->errlen, ret, "cannot write the maps: %s",
			       strerror(-ret));
	}
	policy_build(a->spec, a->gen, slot, &a->pol);
	ret = write_addrs(st, a->spec, &a->pol, a->ifindex);
	if (ret == -ENOSPC && a->have_old) {
		/* No room for the new addresses beside the old ones: the
		 * new policy goes in force first (those of its addresses
		 * not written yet are dropped, the old ones no longer
		 * pass), the old generation goes, then the rest is
		 * written.  A shrink always fits. */
		a->deferred = true;
		ret = 0;
	}
	if (ret)
		return vg_fail(a->err, a->errlen, ret, "cannot write the maps: %s",
			       strerror(-ret));
	return 0;
}

/* The clsact hook for cls_bpf, and whether the clsact is ours. */
static int apply_hook(struct apply *a)
{
	bool created = false;
	int ret;

	a->attach = a->kind;
	if (a->have_old)
		a->attach |= a->old.attach & VG_ATTACH_OWN_CLSACT;
	if (a->kind != VG_ATTACH_CLS_BPF)
		return 0;
	ret = vg_tc_hook((int)a->ifindex, &created);
	if (ret)
		return vg_fail(a->err, a->errlen, ret, "cannot attach: clsact: %s",
			       strerror(-ret));
	/* A clsact with nothing but ours on a new interface was made by a
	 * run stopped half-way (or is unused): it is ours. */
	if (created || (!a->have_old && vg_tc_clsact_unused((int)a->ifindex) == 1))
		a->attach |= VG_ATTACH_OWN_CLSACT;
	return 0;
}

/*
 * After the commit of an update: the old generation goes once no frame
 * can be using it, the addresses deferred are written, and the filter
 * is put (back) on.
 */
static int apply_update_rest(struct apply *a, bool waited)
{
	struct vg_state *st = a->st;
	enum vg_hook hook = VG_HOOK_INGRESS;
	int ret;

	/* A frame that read the old generation just before the commit
	 * still looks up its addresses: they go only once it is through.
	 * A failure here leaves only stale entries that the next attach or
	 * gc removes. */
	if (!waited)
		vg_wait_for_readers();
	ret = vg_purge_addrs(st, a->ifindex, VG_PURGE_GEN, a->old.gen, NULL);
	if (a->deferred && (ret || (ret = write_addrs(st, a->spec, &a->pol, a->ifindex)))) {
		vg_filter_attach(st, a->ifindex, a->kind, NULL);
		return vg_fail(a->err, a->errlen, ret,
			       "the address tables are full: the new policy is in force, but "
			       "frames from addresses it could not store are dropped (%s)",
			       strerror(-ret));
	}
	/* The filter is normally there already (kept in place, or its
	 * program replaced); a new method goes on before the old one goes. */
	ret = vg_filter_attach(st, a->ifindex, a->kind, &hook);
	if (ret)
		return attach_error(a->err, a->errlen, ret, hook, true);
	return 0;
}

/* Only a new interface is rolled back: an attached one keeps its old
 * policy in force (the commit point was not reached) or the new one (it
 * was).  The sweep lets the lock go: no commit may be staged. */
static void apply_undo(struct apply *a)
{
	bool removed;

	if (a->have_old)
		return;
	/* What its commit claimed, though the policy never came in force. */
	vg_owners_release(a->st, a->ifindex, &a->pol, NULL);
	vg_filter_detach(a->st, a->ifindex, a->attach & VG_ATTACH_OWN_CLSACT, &removed);
	vg_remove_entries(a->st, a->ifindex, NULL);
	vg_store_sweep(a->st);
}

/* After apply_begin(): the writes up to the commit point, which is
 * staged in *t (vg_store_stage()).  An error is undone by apply_undo(). */
static int apply_stage(struct apply *a, struct vg_store_txn *t)
{
	enum vg_hook hook = VG_HOOK_INGRESS;
	int ret;

	ret = apply_write(a);
	if (!ret)
		ret = apply_hook(a);
	/* A new interface gets its filters before its policy: until the
	 * commit the program finds no policy and drops every frame, so a
	 * run stopped in between leaves an interface that fails closed,
	 * never a policy in force without a filter. */
	if (!ret && !a->have_old &&
	    (ret = vg_filter_attach(a->st, a->ifindex, a->kind, &hook)))
		return attach_error(a->err, a->errlen, ret, hook, false);
	if (ret)
		return ret;
	/* The commit point: the program switches to the new policy and
	 * generation at once. */
	a->pol.attach = (uint8_t)a->attach;
	a->st->resume = a->resume;
	ret = vg_store_stage(a->st, a->ifindex, &a->pol, t);
	a->st->resume = NULL;
	if (ret == -ENOSPC)
		vg_fail(a->err, a->errlen, ret, "cannot write the policy: no room to claim its "
			"configured addresses (%s and %s hold %u addresses each, configured "
			"and learned), without which another interface could learn them",
			vg_map_names[VG_MAP_LEARNED4], vg_map_names[VG_MAP_LEARNED6],
			VG_MAX_LEARNED);
	else if (ret)
		vg_fail(a->err, a->errlen, ret, "cannot write the policy: %s", strerror(-ret));
	return ret;
}

/* After the settle of the commit (sret, its error); waited: a grace
 * period has passed since the commit point. */
static int apply_finish(struct apply *a, int sret, bool waited)
{
	char perr[VG_ERRLEN];
	int ret, pret;

	if (sret) {
		vg_fail(a->err, a->errlen, sret, "cannot write the policy: %s", strerror(-sret));
		apply_undo(a);
		return sret;
	}
	if (a->have_old && (ret = apply_update_rest(a, waited)))
		return ret;
	/* What it got back is its own now; a failure leaves parked entries
	 * that the VM's next parking replaces (vg_park_iface()). */
	if (!a->have_old && a->pol.n_macs)
		vg_resume_done(a->st, a->resume, a->pol.macs[0]);
	/* Its bridge's own addresses are no guest's to learn; a failure
	 * to read them leaves the program's RA snooping to protect them,
	 * but a protected6 full of addresses that must stay is an error. */
	pret = vg_protect_bridges(a->st, &a->ifindex, 1, false, perr, sizeof(perr));
	ret = other_method_off(a->st, a->ifindex, a->kind, &a->pol);
	if (ret)
		return vg_fail(a->err, a->errlen, ret,
			       "attached with %s, but the %s filter could not be removed: %s "
			       "(attach again to finish)", a->kind == VG_ATTACH_TCX ? "tcx" : "cls_bpf",
			       a->kind == VG_ATTACH_TCX ? "cls_bpf" : "tcx", strerror(-ret));
	if (pret == -ENOSPC)
		return vg_fail(a->err, a->errlen, pret, "attached, but its bridge's link-local "
			       "addresses are not protected from learning: %s", perr);
	return 0;
}

int vg_state_apply(struct vg_state *st, const struct vg_spec *spec,
		   const struct vg_apply_opts *opts, char *err, size_t errlen)
{
	struct apply a = { .st = st, .spec = spec, .err = err, .errlen = errlen };
	struct vg_store_txn t;
	bool waited = false;
	int ret;

	ret = apply_begin(&a, opts);
	if (ret)
		return ret;
	ret = apply_stage(&a, &t);
	if (ret) {
		apply_undo(&a);
		return ret;
	}
	vg_store_settle(st, &t, 1, &waited);
	return apply_finish(&a, t.ret, waited);
}

/* ---- many interfaces at once ------------------------------------------------ */

/*
 * Whether the policy of a->spec is in force on the interface as an apply
 * would leave it: the same policy (addresses all inline: those of the
 * tries are not compared), the same method, and this root's programs on
 * both hooks of the device.  Then nothing needs writing.
 */
static bool apply_same(struct apply *a)
{
	const uint16_t tables = VG_F_V4_TABLE | VG_F_V6_TABLE;
	struct vg_policy want;
	uint32_t id = 0;

	if (!a->have_old || (a->old.flags & tables))
		return false;
	policy_build(a->spec, a->old.gen, a->old.slot, &want);
	want.attach = a->old.attach;
	if ((want.flags & tables) || memcmp(&want, &a->old, sizeof(want)))
		return false;
	if (!(a->old.attach & a->kind))
		return false;
	if (!vg_filter_on_hook(a->st, a->ifindex, VG_HOOK_INGRESS, &id) || id != a->st->prog_id)
		return false;
	return vg_filter_on_hook(a->st, a->ifindex, VG_HOOK_EGRESS, &id) &&
	       id == a->st->prog_out_id;
}

/* One batch: the applies, their staged commits, the range [first, end)
 * staged and not settled yet. */
struct batch {
	struct vg_state *st;
	struct vg_apply_item *it;
	struct apply *a;
	struct vg_store_txn *t;
	bool *staged;
	size_t first;
};

/* Settles the commits staged in [b->first, end) with one wait, and
 * finishes their applies. */
static void batch_settle(struct batch *b, size_t end)
{
	bool waited = false, update = false;
	size_t i;

	vg_store_settle(b->st, b->t + b->first, end - b->first, &waited);
	for (i = b->first; i < end; i++)
		update |= b->staged[i] && b->a[i].have_old;
	/* The old generations of the updates go after one grace period
	 * for all of them, not one each. */
	if (update && !waited) {
		vg_wait_for_readers();
		waited = true;
	}
	/* The failed ones last: their undo lets the lock go. */
	for (i = b->first; i < end; i++)
		if (b->staged[i] && !b->t[i].ret)
			b->it[i].ret = apply_finish(&b->a[i], 0, waited);
	for (i = b->first; i < end; i++)
		if (b->staged[i] && b->t[i].ret)
			b->it[i].ret = apply_finish(&b->a[i], b->t[i].ret, waited);
	b->first = end;
}

/* Whether an apply staged and not settled uses ifindex's array entry. */
static bool batch_collides(const struct batch *b, size_t end, uint32_t ifindex)
{
	size_t i;

	for (i = b->first; i < end; i++)
		if (b->staged[i] &&
		    !((b->t[i].ifindex ^ ifindex) & (VG_POLICY_ENTRIES - 1)))
			return true;
	return false;
}

/* Item i of the batch, up to its staged commit. */
static void batch_one(struct batch *b, size_t i)
{
	struct apply *a = &b->a[i];
	int ret;

	struct vg_apply_opts o = { .resume = b->it[i].resume };

	*a = (struct apply){ .st = b->st, .spec = b->it[i].spec, .err = b->it[i].err,
			     .errlen = sizeof(b->it[i].err) };
	ret = apply_begin(a, &o);
	if (!ret) {
		b->it[i].had = a->have_old;
		b->it[i].old = a->old;
		b->it[i].kept = a->have_old && b->it[i].keep_operator &&
			(a->old.flags & VG_F_OPERATOR);
	}
	if (!ret && b->it[i].kept)
		return;
	if (!ret && apply_same(a)) {
		b->it[i].unchanged = true;
		return;
	}
	/* Two commits staged on one array entry would publish over each
	 * other: the first one is settled before. */
	if (!ret && batch_collides(b, i, a->ifindex))
		batch_settle(b, i);
	if (!ret && (ret = apply_stage(a, &b->t[i]))) {
		/* The undo's sweep lets the lock go: nothing staged then. */
		batch_settle(b, i);
		apply_undo(a);
	}
	b->staged[i] = !ret;
	b->it[i].ret = ret;
}

int vg_state_apply_many(struct vg_state *st, struct vg_apply_item *it, size_t n)
{
	struct batch b = { .st = st, .it = it };
	size_t i;
	int ret = 0;

	b.a = calloc(n ? n : 1, sizeof(*b.a));
	b.t = calloc(n ? n : 1, sizeof(*b.t));
	b.staged = calloc(n ? n : 1, sizeof(*b.staged));
	if (!b.a || !b.t || !b.staged) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		it[i].ret = 0;
		it[i].had = it[i].kept = it[i].unchanged = false;
		it[i].err[0] = '\0';
	}
	for (i = 0; i < n; i++)
		batch_one(&b, i);
	batch_settle(&b, n);
	/* The whole host's learned, configured and bridge addresses, once
	 * for the batch (each commit claimed its own already). */
	vg_owners_reconcile(st, NULL, NULL, NULL, 0);
out:
	free(b.a);
	free(b.t);
	free(b.staged);
	return ret;
}
