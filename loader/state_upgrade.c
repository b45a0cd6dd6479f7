// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Taking a pinned state over: the first load of a root, completing one a
 * stopped run left half-made, migrating one of an older map layout and
 * replacing a program of another build are one procedure, run under the
 * root's exclusive lock:
 *
 *  1. Load this build's object, reusing every pinned map that has this
 *     layout's shape (policies, addresses and counters stay where they
 *     are) and creating the others.
 *  2. Pin the created maps that had no pin at all.
 *  3. Move every device that carries this root's program to the new one
 *     in place (cls_bpf replace, tcx link update): each frame meets the
 *     old program or the new, and both read the same policies.  Its
 *     egress gets the new egress program the same way, by the same
 *     method; a device of a layout without one (1, 2) gets it there.
 *  4. After a grace period no old program runs any more: what an older
 *     layout's maps counted is carried into their replacements, each
 *     pinned as NAME_next and renamed over NAME, an atomic switch.
 *  5. The programs' pins, the same way (the egress one first, the
 *     ingress one, which says the state is loaded, last); then the
 *     record in map "layout".
 *
 * Stopped at any step, every device still carries a program reading the
 * policies in force, and an old pin stays until its replacement is
 * complete: the next LOAD open (any attach, or `vifguard upgrade`) runs
 * the procedure again from the pins it finds.
 *
 * The layouts this file migrates from (include/vifguard.h):
 *   1  "totals": a per-CPU array of one entry, 30 __u64 by reason
 *      (the reasons' numbers never change, new ones are appended).
 *   1, 2  no egress program ("prog_out"), no learning maps (created).
 *   1, 2, 3  no DHCP snooping maps ("learned4", "lease_slots",
 *      "learn_cfg"; created, learn_cfg with the default grace).
 *   1 .. 4  no "parked" (created by the loader: the object has no such
 *      map, the programs never read it), and a learn_cfg whose
 *      first_lease_s is 0, which layout 4's programs never read: it gets
 *      the default (VG_FIRST_LEASE_DEFAULT) unless a learn_cfg of layout
 *      5 was pinned already.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "memlock.h"
#include "state_int.h"
#include "tc.h"
#include "vifguard.skel.h"

extern const char vg_version[];

/* ---- older layouts -------------------------------------------------- */

#define L1_REASONS	30	/* reasons layout 1's "totals" had room for */

static bool l1_totals(const struct bpf_map_info *info)
{
	return info->type == BPF_MAP_TYPE_PERCPU_ARRAY && info->key_size == 4 &&
	       info->value_size == L1_REASONS * sizeof(__u64) && info->max_entries == 1;
}

bool vg_upgrade_known_shape(int id, const struct bpf_map_info *info)
{
	return id == VG_MAP_TOTALS && l1_totals(info);
}

int vg_totals_l1_sum(int fd, struct vg_stats *out)
{
	uint32_t zero = 0;
	__u64 *vals;
	int ncpu, c, r, ret;

	ret = vg_percpu_read(fd, &zero, L1_REASONS * sizeof(__u64), (void **)&vals, &ncpu);
	if (ret)
		return ret;
	for (c = 0; c < ncpu; c++)
		for (r = 0; r < L1_REASONS && r < VG_REASON_MAX; r++)
			out->pkts[r] += vals[c * L1_REASONS + r];
	free(vals);
	return 0;
}

/* Writes what layout 1's "totals" (old_fd, no longer counting) holds to
 * the carried keys of the new one. */
static int totals_from_l1(int old_fd, int new_fd)
{
	int ncpu = libbpf_num_possible_cpus(), r, ret = 0;
	struct vg_stats sum;
	__u64 *vals;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	memset(&sum, 0, sizeof(sum));
	ret = vg_totals_l1_sum(old_fd, &sum);
	if (ret)
		return ret;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (r = 0; r < VG_REASON_MAX && !ret; r++) {
		uint32_t key = VG_TOTALS_CARRIED + (uint32_t)r;

		vals[0] = sum.pkts[r];
		if (vals[0] && bpf_map_update_elem(new_fd, &key, vals, BPF_ANY))
			ret = -errno;
	}
	free(vals);
	return ret;
}

/* The maps an older layout has in another shape, and how their counts
 * are carried over. */
static int convert(int id, int old_fd, int new_fd)
{
	switch (id) {
	case VG_MAP_TOTALS:
		return totals_from_l1(old_fd, new_fd);
	default:
		return -EPROTO;
	}
}

/* ---- this build ------------------------------------------------------ */

/* FNV-1a of the BPF object: which build a pinned program came from. */
uint64_t vg_object_id(void)
{
	static uint64_t id;
	const unsigned char *p;
	size_t n, i;

	if (id)
		return id;
	p = vifguard__elf_bytes(&n);
	id = 0xcbf29ce484222325ULL;
	for (i = 0; i < n; i++)
		id = (id ^ p[i]) * 0x100000001b3ULL;
	return id;
}

bool vg_takeover_needed(const struct vg_state *st, bool upgrade)
{
	int i;

	if (!vg_pins_all(st) || st->meta.layout != VG_MAP_LAYOUT)
		return true;
	for (i = 0; i < VG_MAP_N; i++)
		if (st->old_shape[i])
			return true;
	return upgrade && st->meta.object != vg_object_id();
}

bool vg_state_upgrade_due(const struct vg_state *st)
{
	return vg_takeover_needed(st, true);
}

static int map_id_of(const struct bpf_map *map)
{
	int i;

	for (i = 0; i < VG_MAP_N; i++)
		if (!strcmp(bpf_map__name(map), vg_map_names[i]))
			return i;
	return -1;
}

/* Opens the object, every pinned map of this layout's shape reused. */
static struct vifguard *open_object(struct vg_state *st, char *err, size_t errlen)
{
	struct vifguard *skel;
	struct bpf_map *map;
	int id, ret;

	skel = vifguard__open();
	if (!skel) {
		vg_fail(err, errlen, -errno, "cannot open the BPF object: %s", strerror(errno));
		return NULL;
	}
	bpf_object__for_each_map(map, skel->obj) {
		id = map_id_of(map);
		if (id < 0) {
			vg_fail(err, errlen, -EPROTO, "the BPF object has a map \"%s\" the loader "
				"does not know", bpf_map__name(map));
			goto fail;
		}
		if (st->map_fd[id] < 0 || st->old_shape[id])
			continue;
		ret = bpf_map__reuse_fd(map, st->map_fd[id]);
		if (ret) {
			vg_fail(err, errlen, ret, "%s/%s: %s", st->root, vg_map_names[id],
				strerror(-ret));
			goto fail;
		}
	}
	return skel;
fail:
	vifguard__destroy(skel);
	return NULL;
}

/*
 * Loads the object with RLIMIT_MEMLOCK raised where the kernel charges
 * it (memlock.h); a load the kernel refuses for it even so is tried once
 * more without a limit.  *skelp: the loaded object, or NULL.
 */
static int load_object(struct vg_state *st, const struct vg_ctx *ctx, struct vifguard **skelp,
		       char *err, size_t errlen)
{
	struct vg_memlock ml;
	char note[384];
	int ret;

	*skelp = open_object(st, err, errlen);
	if (!*skelp)
		return -ENOENT;
	vg_memlock_prepare((*skelp)->obj, &ml);
	ret = vifguard__load(*skelp);
	if (ret == -EPERM && vg_memlock_unlimit(&ml)) {
		vifguard__destroy(*skelp);
		*skelp = open_object(st, err, errlen);
		if (!*skelp)
			return -ENOENT;
		ret = vifguard__load(*skelp);
	}
	vg_memlock_report(&ml, note, sizeof(note));
	if (ctx->debug && ctx->notice)
		ctx->notice(ctx->notice_arg, note);
	if (ret == -EPERM && ml.applies && ml.before.rlim_cur != RLIM_INFINITY)
		return vg_fail(err, errlen, ret, "cannot load the BPF program: %s (%s)",
			       strerror(-ret), note);
	if (ret)
		return vg_fail(err, errlen, ret, "cannot load the BPF program: %s%s",
			       strerror(-ret), ctx->debug ? "" : " (-d shows libbpf's log)");
	return 0;
}

/* ---- the steps ------------------------------------------------------- */

/* Pins fd as root/name: through root/name_next and a rename when a pin
 * of that name is to be replaced, so that name is never absent. */
static int pin_as(struct vg_state *st, int fd, const char *name, char *err, size_t errlen)
{
	char path[PATH_MAX], next[PATH_MAX], tmp[64];

	snprintf(tmp, sizeof(tmp), "%s_next", name);
	vg_pin_path(st, name, path, sizeof(path));
	vg_pin_path(st, tmp, next, sizeof(next));
	if (unlink(next) && errno != ENOENT)
		return vg_fail(err, errlen, -errno, "%s: %s", next, strerror(errno));
	if (bpf_obj_pin(fd, next))
		return vg_fail(err, errlen, -errno, "cannot pin %s: %s", next, strerror(errno));
	if (rename(next, path)) {
		int ret = -errno;

		unlink(next);
		return vg_fail(err, errlen, ret, "%s: %s", path, strerror(-ret));
	}
	return 0;
}

/* A new learn_cfg: the default grace of DHCP leases and lifetime of
 * addresses learned in a window. */
static int learn_cfg_init(int fd)
{
	struct vg_learn_cfg c = { .dhcp_grace_s = VG_DHCP_GRACE_DEFAULT,
				  .first_lease_s = VG_FIRST_LEASE_DEFAULT };
	uint32_t zero = 0;

	return bpf_map_update_elem(fd, &zero, &c, BPF_ANY) ? -errno : 0;
}

/* A learn_cfg of layout 4 (from): its grace stays, first_lease_s (0
 * there, read by no program of that layout) gets the default. */
static int learn_cfg_from_l4(struct vg_state *st, char *err, size_t errlen)
{
	int fd = st->map_fd[VG_MAP_LEARN_CFG];
	struct vg_learn_cfg c;
	uint32_t zero = 0;

	if (fd < 0 || !st->layout || st->layout >= 5)
		return 0;
	if (bpf_map_lookup_elem(fd, &zero, &c))
		return vg_fail(err, errlen, -errno, "%s/%s: %s", st->root,
			       vg_map_names[VG_MAP_LEARN_CFG], strerror(errno));
	if (c.first_lease_s)
		return 0;
	c.first_lease_s = VG_FIRST_LEASE_DEFAULT;
	if (bpf_map_update_elem(fd, &zero, &c, BPF_ANY))
		return vg_fail(err, errlen, -errno, "cannot write map %s: %s",
			       vg_map_names[VG_MAP_LEARN_CFG], strerror(errno));
	return 0;
}

/* "parked": the loader's own map, in no object.  A hash that grows as
 * interfaces go, as the programs' hashes do. */
static int pin_parked(struct vg_state *st, char *err, size_t errlen)
{
	const struct vg_map_shape *want = &vg_map_shapes[VG_MAP_PARKED];
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_NO_PREALLOC);
	int fd, ret;

	if (st->map_fd[VG_MAP_PARKED] >= 0)
		return 0;
	fd = bpf_map_create(want->type, vg_map_names[VG_MAP_PARKED], want->key_size,
			    want->value_size, VG_MAX_PARKED, &o);
	if (fd < 0)
		return vg_fail(err, errlen, -errno, "cannot create map %s: %s",
			       vg_map_names[VG_MAP_PARKED], strerror(errno));
	ret = pin_as(st, fd, vg_map_names[VG_MAP_PARKED], err, errlen);
	close(fd);
	if (!ret)
		st->took.created++;
	return ret;
}

/* Step 2: the maps this object created where nothing was pinned; their
 * shapes checked against the table the pins are checked against. */
static int pin_new_maps(struct vg_state *st, struct vifguard *skel, char *err, size_t errlen)
{
	struct bpf_map *map;
	int id, ret;

	bpf_object__for_each_map(map, skel->obj) {
		const struct vg_map_shape *want;

		id = map_id_of(map);
		want = &vg_map_shapes[id];
		if (bpf_map__type(map) != (enum bpf_map_type)want->type ||
		    bpf_map__key_size(map) != want->key_size ||
		    bpf_map__value_size(map) != want->value_size)
			return vg_fail(err, errlen, -EPROTO, "map %s: not of the shape the "
				       "loader knows", vg_map_names[id]);
		if (st->map_fd[id] >= 0)
			continue;
		/* Its settings before its pin: a run stopped in between
		 * leaves no learn_cfg without them. */
		if (id == VG_MAP_LEARN_CFG && (ret = learn_cfg_init(bpf_map__fd(map))))
			return vg_fail(err, errlen, ret, "cannot write map %s: %s",
				       vg_map_names[id], strerror(-ret));
		ret = pin_as(st, bpf_map__fd(map), vg_map_names[id], err, errlen);
		if (ret)
			return ret;
		st->took.created++;
	}
	return 0;
}

/*
 * A state that does not record its network namespace (layout 1): it is
 * not this process's if policies are in force and not one of their
 * devices is here under its name; moving nothing and pinning the new
 * program would leave those devices on the old one for good.
 */
static int devices_here(struct vg_state *st, char *err, size_t errlen)
{
	char name[IF_NAMESIZE];
	struct vg_policy *pols;
	uint32_t *keys;
	size_t n, i, here = 0;
	int ret;

	if (st->meta.netns || st->map_fd[VG_MAP_POLICY] < 0)
		return 0;
	ret = vg_store_read_all(st, &keys, &pols, &n);
	if (ret)
		return vg_fail(err, errlen, ret, "%s: cannot read the policies: %s", st->root,
			       strerror(-ret));
	for (i = 0; i < n; i++) {
		vg_name_of(keys[i], name);
		if (name[0] && vg_policy_named(&pols[i], name))
			here++;
	}
	free(keys);
	free(pols);
	if (n && !here)
		return vg_fail(err, errlen, -EXDEV,
			       "%s: none of the %zu interfaces with a policy is in this network "
			       "namespace: run it in theirs (nsenter --net=/proc/PID/ns/net, or "
			       "ip netns exec NAME)", st->root, n);
	return 0;
}

/* The programs of this build, by their names in the object. */
struct progs {
	int in_fd, out_fd;
	uint32_t in_id, out_id;
};

/* One hook of a device carrying this root's program (f, of kind
 * f->kind) to p's program of that hook, in place. */
static int move_hook(struct vg_state *st, const struct vg_found *f, const struct progs *p,
		     enum vg_hook hook)
{
	int fd = hook == VG_HOOK_EGRESS ? p->out_fd : p->in_fd;
	uint32_t id = hook == VG_HOOK_EGRESS ? p->out_id : p->in_id;
	char path[PATH_MAX];

	if (f->kind != VG_ATTACH_TCX)
		return vg_tc_attach((int)f->ifindex, hook, fd, id);
	/* Without our pin the link is someone else's to move. */
	vg_tcx_pin_path(st, f->ifindex, VG_HOOK_INGRESS, path, sizeof(path));
	if (access(path, F_OK))
		return -ENOENT;
	vg_tcx_pin_path(st, f->ifindex, hook, path, sizeof(path));
	return vg_tcx_attach((int)f->ifindex, hook, fd, id, path);
}

/*
 * Step 3: every device carrying this root's program gets p's in place,
 * on its ingress, then on its egress (which an older layout left
 * without one).  A device whose egress cannot take it fails the step as
 * one whose ingress cannot: the old pins stay, and the next run tries
 * again (state_apply.c, attach_error(), says why it is an error).
 */
static int move_devices(struct vg_state *st, const struct progs *p, char *err, size_t errlen)
{
	char first[VG_ERRLEN] = "";
	struct vg_found *f;
	size_t n, i;
	unsigned int failed = 0;
	uint32_t cur;
	int ret;

	if (st->map_fd[VG_MAP_POLICY] < 0)
		return 0;	/* no policy map: no device reads it */
	ret = vg_state_scan(st, &f, &n, err, errlen);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		enum vg_hook hook = VG_HOOK_INGRESS;
		bool moved = false;

		if (!f[i].ours)
			continue;
		ret = 0;
		if (f[i].prog_id != p->in_id) {
			ret = move_hook(st, &f[i], p, VG_HOOK_INGRESS);
			moved = !ret;
		}
		if (!ret && !(vg_filter_on_hook(st, f[i].ifindex, VG_HOOK_EGRESS, &cur) &&
			      cur == p->out_id)) {
			hook = VG_HOOK_EGRESS;
			ret = move_hook(st, &f[i], p, hook);
			moved |= !ret;
		}
		/* Deleted since the scan: no program left to move. */
		if (ret == -ENODEV)
			continue;
		if (ret && !failed++)
			snprintf(first, sizeof(first), "%s (ifindex %u, %s %s): %s", f[i].ifname,
				 f[i].ifindex, f[i].kind == VG_ATTACH_TCX ? "tcx" : "cls_bpf",
				 hook == VG_HOOK_EGRESS ? "egress" : "ingress", strerror(-ret));
		else if (moved)
			st->took.moved++;
	}
	free(f);
	if (failed)
		return vg_fail(err, errlen, -EIO, "%u device(s) could not take this vifguard's "
			       "programs (those not moved keep the older one, which still filters "
			       "them); the first: %s", failed, first);
	return 0;
}

/* Step 4: the maps of an older shape, carried over and switched. */
static int convert_maps(struct vg_state *st, struct vifguard *skel, char *err, size_t errlen)
{
	struct bpf_map *map;
	int id, ret;

	bpf_object__for_each_map(map, skel->obj) {
		id = map_id_of(map);
		if (!st->old_shape[id])
			continue;
		ret = convert(id, st->map_fd[id], bpf_map__fd(map));
		if (ret)
			return vg_fail(err, errlen, ret, "%s/%s: cannot carry its counts over: %s",
				       st->root, vg_map_names[id], strerror(-ret));
		ret = pin_as(st, bpf_map__fd(map), vg_map_names[id], err, errlen);
		if (ret)
			return ret;
		st->took.converted++;
	}
	return 0;
}

/* Step 5: the record of what the state now is. */
static int write_meta(struct vifguard *skel, char *err, size_t errlen)
{
	struct vg_layout rec;
	uint32_t zero = 0;

	memset(&rec, 0, sizeof(rec));
	rec.layout = VG_MAP_LAYOUT;
	rec.netns = vg_netns_id();
	rec.object = vg_object_id();
	snprintf(rec.version, sizeof(rec.version), "%s", vg_version);
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.layout), &zero, &rec, BPF_ANY))
		return vg_fail(err, errlen, -errno, "cannot write map layout: %s",
			       strerror(errno));
	return 0;
}

int vg_state_takeover(struct vg_state *st, const struct vg_ctx *ctx, char *err, size_t errlen)
{
	struct vg_takeover *t = &st->took;
	struct vifguard *skel = NULL;
	struct progs p;
	int ret;

	memset(t, 0, sizeof(*t));
	t->from_layout = st->layout;
	t->old_prog_id = st->prog_fd >= 0 ? st->prog_id : 0;
	t->old_prog_out_id = st->prog_out_fd >= 0 ? st->prog_out_id : 0;
	t->old_object = st->meta.object;
	snprintf(t->old_version, sizeof(t->old_version), "%s", st->meta.version);
	ret = devices_here(st, err, errlen);
	if (!ret)
		ret = load_object(st, ctx, &skel, err, errlen);
	if (ret)
		goto out;
	/* By name: the object holds one program per hook. */
	p.in_fd = bpf_program__fd(skel->progs.vifguard);
	p.out_fd = bpf_program__fd(skel->progs.vifguard_out);
	if (vg_prog_id_of(p.in_fd, &p.in_id) || vg_prog_id_of(p.out_fd, &p.out_id)) {
		ret = vg_fail(err, errlen, -ENOENT, "the BPF object's programs vifguard and "
			      "vifguard_out did not load");
		goto out;
	}
	ret = pin_new_maps(st, skel, err, errlen);
	if (!ret)
		ret = pin_parked(st, err, errlen);
	if (!ret)
		ret = learn_cfg_from_l4(st, err, errlen);
	if (!ret)
		ret = move_devices(st, &p, err, errlen);
	if (ret)
		goto out;
	vg_wait_for_readers();
	ret = convert_maps(st, skel, err, errlen);
	if (!ret)
		ret = pin_as(st, p.out_fd, VG_PROG_OUT_PIN, err, errlen);
	if (!ret)
		ret = pin_as(st, p.in_fd, VG_PROG_PIN, err, errlen);
	if (!ret)
		ret = write_meta(skel, err, errlen);
	if (ret)
		goto out;
	t->done = true;
	t->replaced = t->old_prog_id != 0 || t->old_prog_out_id != 0;
	vg_pins_close(st);
	ret = vg_pins_open(st, err, errlen);
	if (!ret && (!vg_pins_all(st) || vg_takeover_needed(st, false)))
		ret = vg_fail(err, errlen, -ENOENT, "%s: pins missing after loading", st->root);
	/* A state from before learning (layout 3: before DHCP snooping): its
	 * configured addresses become owned at once, not at the next sync
	 * or gc (which repair it if this fails). */
	if (!ret && t->from_layout && t->from_layout < 4)
		vg_owners_reconcile(st, NULL, NULL, 0);
out:
	vifguard__destroy(skel);
	return ret;
}
