/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Putting the programs on a device and taking them off again: vifguard
 * on its ingress (the filter: what the guest sends) and vifguard_out on
 * its egress (what is delivered to the guest, snooped for address
 * learning, never dropped), each a cls_bpf filter (direct action) on the
 * clsact qdisc, which every kernel since 4.5 has, or a tcx link on
 * Linux >= 6.6.  Only what is ours is ever touched: the filters with our
 * handle and priority, the clsact only when we created it and it carries
 * nothing else, the tcx links pinned under the root.
 */
#ifndef VG_TC_H
#define VG_TC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Our cls_bpf filter: a handle of our own ("vg") at priority 1, so that
 * it runs before other filters on the hook that could accept a frame
 * first. */
#define VG_TC_HANDLE	0x7667
#define VG_TC_PRIO	1

/* bpf_attach_type and bpf_link_type values of tcx (Linux 6.6 UAPI),
 * absent from the 6.1 headers this builds against.  Keep in sync with
 * include/uapi/linux/bpf.h. */
#define VG_BPF_TCX_INGRESS	46
#define VG_BPF_TCX_EGRESS	47
#define VG_BPF_LINK_TYPE_TCX	11

/* Which of a device's hooks. */
enum vg_hook {
	VG_HOOK_INGRESS,	/* program vifguard */
	VG_HOOK_EGRESS,		/* program vifguard_out */
};

/* The program id of our cls_bpf filter on ifindex's hook:
 * 0 and *prog_id, or -ENOENT (no filter of ours, or no clsact). */
int vg_tc_query(int ifindex, enum vg_hook hook, uint32_t *prog_id);

/* Creates the clsact qdisc unless there is one: 0 and *created. */
int vg_tc_hook(int ifindex, bool *created);

/* Puts prog_fd (id prog_id) at our handle and priority on hook,
 * replacing an older program there; nothing happens when it is there
 * already. */
int vg_tc_attach(int ifindex, enum vg_hook hook, int prog_fd, uint32_t prog_id);

/* Removes our filters, egress first (0 and *removed when one was; no
 * filter is not an error), with the clsact qdisc if own_clsact and no
 * other filter is on it.  A failure leaves the ingress filter on. */
int vg_tc_detach(int ifindex, bool own_clsact, bool *removed);

/* Whether the clsact qdisc holds no filter but ours, on either hook
 * (1 or 0; -errno): one a run stopped half-way created, or an unused
 * one, which the interface may then own. */
int vg_tc_clsact_unused(int ifindex);

/* The number of filters on the clsact's ingress and egress hooks, by an
 * rtnetlink dump (libnl); -errno on failure, never a count of what
 * a failed dump did not list. */
int vg_tc_count_filters(int ifindex);

/*
 * tcx.  The link is pinned at path (under the root); as long as the pin
 * exists the program stays on the device.  vg_tcx_attach creates it on
 * hook, or updates the program of an existing one in place.
 */
int vg_tcx_attach(int ifindex, enum vg_hook hook, int prog_fd, uint32_t prog_id,
		  const char *path);
/* 0 and the link's program id and whether it is still on ifindex (a
 * link outlives its device: then its ifindex reads 0); -ENOENT when no
 * link is pinned at path. */
int vg_tcx_query(const char *path, int ifindex, uint32_t *prog_id, bool *on_device);
/* Detaches the link (if still attached) and removes the pin; no pin is
 * not an error (*removed false). */
int vg_tcx_detach(const char *path, bool *removed);

#endif /* VG_TC_H */
