// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Editing the policy in force: read it back as a struct vg_spec, change
 * it step by step (policy_edit.c), check the whole result and apply it
 * as an attach does (state_apply.c).  The read, the change and the apply
 * happen under one exclusive lock, so an attach, hotplug event or other
 * edit runs wholly before or wholly after, and none is lost; the data
 * path sees the old policy or the new one (vg_state_apply()'s commit
 * point), never a mix.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "state_int.h"

/* The spec of a listed interface: its mode, flags the operator may set,
 * MACs, addresses (not the link-local ones the program derives) and
 * ethertypes. */
static void iface_to_spec(const struct vg_iface *it, const char *ifname, struct vg_spec *s)
{
	unsigned int i;

	vg_spec_init(s, ifname);
	s->mode = (enum vg_mode)it->pol.mode;
	s->flags = it->pol.flags & ~(VG_F_V4_TABLE | VG_F_V6_TABLE);
	s->n_macs = it->pol.n_macs < VG_MAX_MACS ? it->pol.n_macs : VG_MAX_MACS;
	memcpy(s->macs, it->pol.macs, sizeof(s->macs[0]) * s->n_macs);
	s->n_v4 = it->n_v4;
	memcpy(s->v4, it->v4, sizeof(s->v4[0]) * it->n_v4);
	for (i = 0; i < it->n_v6 && s->n_v6 < VG_MAX_ADDRS; i++)
		if (!it->v6_derived[i])
			s->v6[s->n_v6++] = it->v6[i];
	for (i = 0; i < VG_MAX_ETHERTYPES; i++)
		if (it->pol.ethertypes[i])
			s->ethertypes[s->n_ethertypes++] = ntohs(it->pol.ethertypes[i]);
}

int vg_state_spec(struct vg_state *st, const char *ifname, struct vg_spec *spec,
		  uint32_t *ifindex, char *err, size_t errlen)
{
	uint32_t want = if_nametoindex(ifname);
	struct vg_iface *v = NULL, *it = NULL;
	size_t n = 0, i;
	int ret;

	if (!want)
		return vg_fail(err, errlen, -errno, "%s", strerror(errno));
	ret = vg_state_list(st, ifname, &v, &n, err, errlen);
	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		if (v[i].ifindex == want)
			it = &v[i];
	if (!it)
		ret = vg_fail(err, errlen, -ENOENT, "no policy in force (vifguard attach sets one)");
	else if (it->truncated)
		ret = vg_fail(err, errlen, -E2BIG, "the policy in force has more entries than "
			      "the limits: it cannot be read back whole (attach a new one)");
	else if (!it->present)
		/* Renamed since (vifname=, udev), or an ifindex reused: the
		 * name it is kept under is what detach and gc go by. */
		ret = vg_fail(err, errlen, -ESTALE, "its policy is recorded under the name '%.*s' "
			      "(renamed since: vifguard gc records the new name)", VG_IFNAMSIZ,
			      it->pol.ifname);
	if (it && ret != -ENOENT && ret != -E2BIG)
		iface_to_spec(it, ifname, spec);
	if (ifindex)
		*ifindex = want;
	free(v);
	return ret;
}

/* The result of the steps, checked whole; the refusals say why. */
static int edit_check(const struct vg_spec *before, const struct vg_spec *after, char *err,
		      size_t errlen)
{
	char why[VG_ERRLEN];

	if (vg_mode_checks(after->mode) && after->n_macs == 0)
		return vg_fail(err, errlen, -EINVAL, "refused: a %s policy needs at least "
			       "one MAC address%s (add one in the same set, or set mode "
			       "disabled to drop everything)", vg_mode_name(after->mode),
			       before->n_macs ? ", and this removes the last" : "");
	if (vg_spec_validate(after, why, sizeof(why)))
		return vg_fail(err, errlen, -EINVAL, "invalid policy: %s", why);
	return 0;
}

int vg_state_edit(struct vg_state *st, const struct vg_edit_req *req, struct vg_spec *before,
		  struct vg_spec *after, char *err, size_t errlen)
{
	unsigned int i;
	int ret;

	ret = vg_state_spec(st, req->ifname, before, NULL, err, errlen);
	if (ret)
		return ret;
	*after = *before;
	for (i = 0; i < req->n; i++) {
		ret = vg_spec_edit(after, &req->edits[i], err, errlen);
		if (ret)
			return ret;
	}
	after->flags |= req->set_flags;
	ret = edit_check(before, after, err, errlen);
	if (ret || req->dry_run)
		return ret;
	return vg_state_apply(st, after, NULL, err, errlen);
}
