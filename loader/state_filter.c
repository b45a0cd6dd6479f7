// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Our programs on a device, by either method: cls_bpf filters (tc.c) or
 * tcx links pinned under the root as tcx_IFINDEX (ingress) and
 * tcx_out_IFINDEX (egress).  Both hooks always go by the same method.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include "state_int.h"
#include "tc.h"

void vg_tcx_pin_path(const struct vg_state *st, uint32_t ifindex, enum vg_hook hook, char *out,
		     size_t len)
{
	if (snprintf(out, len, "%s/%s%u", st->root, hook == VG_HOOK_EGRESS ? "tcx_out_" : "tcx_",
		     ifindex) >= (int)len)
		out[0] = '\0';
}

static int attach_hook(struct vg_state *st, uint32_t ifindex, uint32_t kind, enum vg_hook hook)
{
	int fd = hook == VG_HOOK_EGRESS ? st->prog_out_fd : st->prog_fd;
	uint32_t id = hook == VG_HOOK_EGRESS ? st->prog_out_id : st->prog_id;
	char path[PATH_MAX];

	if (fd < 0)
		return -ENOENT;
	if (kind == VG_ATTACH_TCX) {
		vg_tcx_pin_path(st, ifindex, hook, path, sizeof(path));
		return vg_tcx_attach((int)ifindex, hook, fd, id, path);
	}
	return vg_tc_attach((int)ifindex, hook, fd, id);
}

int vg_filter_attach(struct vg_state *st, uint32_t ifindex, uint32_t kind,
		     enum vg_hook *failed)
{
	enum vg_hook hook;
	int ret = 0;

	/* The ingress first: no moment with learning fed and nothing
	 * filtered. */
	for (hook = VG_HOOK_INGRESS; hook <= VG_HOOK_EGRESS && !ret; hook++) {
		ret = attach_hook(st, ifindex, kind, hook);
		if (ret && failed)
			*failed = hook;
	}
	return ret;
}

int vg_filter_detach(struct vg_state *st, uint32_t ifindex, uint32_t attach, bool *removed)
{
	char path[PATH_MAX];
	bool r1 = false, r2 = false, r3 = false;
	int ret, ret2, ret3;


	/* Egress first, here too: a detach stopped half-way leaves the
	 * ingress filter, which the next detach (or gc --orphans) finds. */
	vg_tcx_pin_path(st, ifindex, VG_HOOK_EGRESS, path, sizeof(path));
	ret3 = vg_tcx_detach(path, &r3);
	if (ret3) {
		*removed = false;
		return ret3;
	}
	ret = vg_tc_detach((int)ifindex, attach & VG_ATTACH_OWN_CLSACT, &r1);
	if (ret == -ENODEV)
		ret = 0;
	vg_tcx_pin_path(st, ifindex, VG_HOOK_INGRESS, path, sizeof(path));
	ret2 = vg_tcx_detach(path, &r2);
	*removed = r1 || r2 || r3;
	return ret ? ret : ret2;
}

bool vg_filter_on_hook(struct vg_state *st, uint32_t ifindex, enum vg_hook hook,
		       uint32_t *prog_id)
{
	char path[PATH_MAX];
	uint32_t id = 0;
	bool on = false;

	if (vg_tc_query((int)ifindex, hook, &id) == 0) {
		*prog_id = id;
		return true;
	}
	vg_tcx_pin_path(st, ifindex, hook, path, sizeof(path));
	if (vg_tcx_query(path, (int)ifindex, &id, &on) == 0 && on) {
		*prog_id = id;
		return true;
	}
	return false;
}

bool vg_filter_on_device(struct vg_state *st, uint32_t ifindex, uint32_t *prog_id)
{
	return vg_filter_on_hook(st, ifindex, VG_HOOK_INGRESS, prog_id);
}
