// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Our filter on a device, by either method: a cls_bpf filter (tc.c) or
 * a tcx link pinned under the root as tcx_IFINDEX.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include "state_int.h"
#include "tc.h"

void vg_tcx_pin_path(const struct vg_state *st, uint32_t ifindex, char *out, size_t len)
{
	if (snprintf(out, len, "%s/tcx_%u", st->root, ifindex) >= (int)len)
		out[0] = '\0';
}

int vg_filter_attach(struct vg_state *st, uint32_t ifindex, uint32_t kind)
{
	char path[PATH_MAX];

	if (kind == VG_ATTACH_TCX) {
		vg_tcx_pin_path(st, ifindex, path, sizeof(path));
		return vg_tcx_attach((int)ifindex, st->prog_fd, st->prog_id, path);
	}
	return vg_tc_attach((int)ifindex, st->prog_fd, st->prog_id);
}

int vg_filter_detach(struct vg_state *st, uint32_t ifindex, uint32_t attach, bool *removed)
{
	char path[PATH_MAX];
	bool r1 = false, r2 = false;
	int ret, ret2;

	ret = vg_tc_detach((int)ifindex, attach & VG_ATTACH_OWN_CLSACT, &r1);
	if (ret == -ENODEV)
		ret = 0;
	vg_tcx_pin_path(st, ifindex, path, sizeof(path));
	ret2 = vg_tcx_detach(path, &r2);
	*removed = r1 || r2;
	return ret ? ret : ret2;
}

bool vg_filter_on_device(struct vg_state *st, uint32_t ifindex, uint32_t *prog_id)
{
	char path[PATH_MAX];
	uint32_t id = 0;
	bool on = false;

	if (vg_tc_query((int)ifindex, &id) == 0) {
		*prog_id = id;
		return true;
	}
	vg_tcx_pin_path(st, ifindex, path, sizeof(path));
	if (vg_tcx_query(path, (int)ifindex, &id, &on) == 0 && on) {
		*prog_id = id;
		return true;
	}
	return false;
}
