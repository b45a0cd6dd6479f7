// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "netlink.h"
#include "tc.h"

static enum bpf_tc_attach_point point_of(enum vg_hook hook)
{
	return hook == VG_HOOK_EGRESS ? BPF_TC_EGRESS : BPF_TC_INGRESS;
}

static void hook_init(struct bpf_tc_hook *h, int ifindex, enum bpf_tc_attach_point ap)
{
	memset(h, 0, sizeof(*h));
	h->sz = sizeof(*h);
	h->ifindex = ifindex;
	h->attach_point = ap;
}

static void opts_init(struct bpf_tc_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->sz = sizeof(*o);
	o->handle = VG_TC_HANDLE;
	o->priority = VG_TC_PRIO;
}

int vg_tc_query(int ifindex, enum vg_hook hook, uint32_t *prog_id)
{
	struct bpf_tc_hook h;
	struct bpf_tc_opts o;
	int ret;

	hook_init(&h, ifindex, point_of(hook));
	opts_init(&o);
	ret = bpf_tc_query(&h, &o);
	if (ret)
		/* No clsact at all reads as -EINVAL from the kernel. */
		return ret == -EINVAL ? -ENOENT : ret;
	*prog_id = o.prog_id;
	return 0;
}

int vg_tc_hook(int ifindex, bool *created)
{
	struct bpf_tc_hook h;
	int ret;

	hook_init(&h, ifindex, BPF_TC_INGRESS);
	ret = bpf_tc_hook_create(&h);
	*created = ret == 0;
	return ret == -EEXIST ? 0 : ret;
}

int vg_tc_attach(int ifindex, enum vg_hook hook, int prog_fd, uint32_t prog_id)
{
	struct bpf_tc_hook h;
	struct bpf_tc_opts o;
	uint32_t cur = 0;

	if (vg_tc_query(ifindex, hook, &cur) == 0 && cur == prog_id)
		return 0;
	hook_init(&h, ifindex, point_of(hook));
	opts_init(&o);
	o.prog_fd = prog_fd;
	/* Replace, never delete and add: no moment without the filter. */
	o.flags = BPF_TC_F_REPLACE;
	return bpf_tc_attach(&h, &o);
}

int vg_tc_clsact_unused(int ifindex)
{
	uint32_t id;
	int n, q, ours = 0;
	enum vg_hook hook;

	n = vg_tc_count_filters(ifindex);
	if (n < 0)
		return n;
	for (hook = VG_HOOK_INGRESS; hook <= VG_HOOK_EGRESS; hook++) {
		q = vg_tc_query(ifindex, hook, &id);
		if (q && q != -ENOENT)
			return q;
		ours += q == 0;
	}
	return n <= ours;
}

/* Removes our filter from one hook: 0 (*removed when there was one). */
static int detach_hook(int ifindex, enum vg_hook hook, bool *removed)
{
	struct bpf_tc_hook h;
	struct bpf_tc_opts o;
	int ret;

	hook_init(&h, ifindex, point_of(hook));
	opts_init(&o);
	ret = bpf_tc_detach(&h, &o);
	if (ret == 0)
		*removed = true;
	else if (ret != -ENOENT && ret != -EINVAL)
		return ret;
	return 0;
}

int vg_tc_detach(int ifindex, bool own_clsact, bool *removed)
{
	struct bpf_tc_hook h;
	int ret;

	*removed = false;
	/* Everything is read before anything changes, so that a failure
	 * leaves the filter where it was. */
	if (own_clsact) {
		uint32_t id;
		bool ours = vg_tc_query(ifindex, VG_HOOK_INGRESS, &id) == 0 ||
			    vg_tc_query(ifindex, VG_HOOK_EGRESS, &id) == 0;

		ret = vg_tc_clsact_unused(ifindex);
		if (ret < 0)
			return ret;
		if (ret) {
			/* Both points at once: that deletes the qdisc, and
			 * our filters with it (one point alone would flush
			 * that hook's filters instead). */
			hook_init(&h, ifindex, BPF_TC_INGRESS | BPF_TC_EGRESS);
			ret = bpf_tc_hook_destroy(&h);
			if (ret == 0)
				*removed = ours;
			return ret == -ENOENT || ret == -EINVAL ? 0 : ret;
		}
	}
	/* The egress filter first: a failure in between leaves the
	 * ingress one, the filter that matters, on. */
	ret = detach_hook(ifindex, VG_HOOK_EGRESS, removed);
	if (!ret)
		ret = detach_hook(ifindex, VG_HOOK_INGRESS, removed);
	return ret;
}

/* The valid-message callback of a filter dump: counts the filters. */
static int count_filter(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *n = nlmsg_hdr(msg);
	int *count = arg;

	/* A dump gives each classifier instance (handle 0) before its
	 * filters. */
	if (n->nlmsg_type == RTM_NEWTFILTER && nlmsg_valid_hdr(n, sizeof(struct tcmsg)) &&
	    ((struct tcmsg *)nlmsg_data(n))->tcm_handle)
		(*count)++;
	return NL_OK;
}

/*
 * libnl's message API, not libnl-route's classifier cache: only the
 * handle is read, libnl-route has no cls_bpf module to parse the rest,
 * and its cache needs a tc module registered, which a static build
 * links none of.  An error answer or a failed read fails the count.
 */
int vg_tc_count_filters(int ifindex)
{
	static const uint32_t parents[] = {
		TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS),
		TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS),
	};
	struct vg_nl nl;
	int ret, count = 0;
	size_t i;

	ret = vg_nl_open(&nl);
	if (ret)
		return ret;
	ret = nl_socket_modify_cb(nl.sk, NL_CB_VALID, NL_CB_CUSTOM, count_filter, &count);
	for (i = 0; !ret && i < sizeof(parents) / sizeof(parents[0]); i++) {
		struct tcmsg t = {
			.tcm_family = AF_UNSPEC,
			.tcm_ifindex = ifindex,
			.tcm_parent = parents[i],
		};

		vg_nl_begin(&nl);
		ret = nl_send_simple(nl.sk, RTM_GETTFILTER, NLM_F_DUMP, &t, sizeof(t));
		if (ret >= 0)
			ret = nl_recvmsgs_default(nl.sk);
		ret = ret < 0 ? vg_nl_errno(&nl, ret) : 0;
	}
	vg_nl_close(&nl);
	return ret ? ret : count;
}

/* ---- tcx ------------------------------------------------------------------ */

/* The head of struct bpf_link_info with the tcx member of its union
 * (Linux 6.6 UAPI; the 6.1 headers lack it).  Keep in sync with
 * include/uapi/linux/bpf.h. */
struct vg_link_info {
	uint32_t type;
	uint32_t id;
	uint32_t prog_id;
	uint32_t pad;
	uint32_t ifindex;
	uint32_t attach_type;
	uint64_t rest[6];
};

static int link_info(int fd, struct vg_link_info *li)
{
	uint32_t len = sizeof(*li);

	memset(li, 0, sizeof(*li));
	if (bpf_obj_get_info_by_fd(fd, li, &len))
		return -errno;
	return 0;
}

int vg_tcx_query(const char *path, int ifindex, uint32_t *prog_id, bool *on_device)
{
	struct vg_link_info li;
	int fd, ret;

	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	ret = link_info(fd, &li);
	close(fd);
	if (ret)
		return ret;
	if (li.type != VG_BPF_LINK_TYPE_TCX)
		return -EINVAL;
	*prog_id = li.prog_id;
	*on_device = li.ifindex != 0 && (int)li.ifindex == ifindex;
	return 0;
}

int vg_tcx_attach(int ifindex, enum vg_hook hook, int prog_fd, uint32_t prog_id,
		  const char *path)
{
	uint32_t type = hook == VG_HOOK_EGRESS ? VG_BPF_TCX_EGRESS : VG_BPF_TCX_INGRESS;
	struct vg_link_info li;
	int fd, ret;

	fd = bpf_obj_get(path);
	if (fd < 0 && errno != ENOENT)
		return -errno;
	if (fd >= 0) {
		ret = link_info(fd, &li);
		if (!ret && li.type == VG_BPF_LINK_TYPE_TCX && (int)li.ifindex == ifindex &&
		    li.attach_type == type) {
			/* In place: the link never leaves the device. */
			if (li.prog_id != prog_id && bpf_link_update(fd, prog_fd, NULL))
				ret = -errno;
			close(fd);
			return ret;
		}
		close(fd);
		/* Unknown: the link may well be on the device; it stays. */
		if (ret)
			return ret;
		/* A link of a device that is gone (same pin name, the
		 * ifindex came back): drop the pin and make a new one. */
		unlink(path);
	}
	fd = bpf_link_create(prog_fd, ifindex, type, NULL);
	if (fd < 0)
		return fd == -EINVAL ? -EOPNOTSUPP : fd;
	ret = bpf_obj_pin(fd, path) ? -errno : 0;
	if (ret)
		bpf_link_detach(fd);
	close(fd);
	return ret;
}

int vg_tcx_detach(const char *path, bool *removed)
{
	int fd;

	*removed = false;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	/* Detach explicitly: another process may still hold the link. */
	bpf_link_detach(fd);
	close(fd);
	if (unlink(path) && errno != ENOENT)
		return -errno;
	*removed = true;
	return 0;
}
