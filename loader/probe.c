// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Kernel features found by trying them (probe.h).
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include "probe.h"
#include "tc.h"

const char *const vg_feature_names[VG_FEAT_N] = {
	[VG_FEAT_CLS_BPF] = "cls_bpf",
	[VG_FEAT_TCX] = "tcx",
	[VG_FEAT_BATCH] = "batch_ops",
	[VG_FEAT_BTF] = "btf",
};

/* Not permitted: unknown, not absent. */
static int unknown_or_no(int err)
{
	return err == -EPERM || err == -EACCES ? -1 : 0;
}

static int probe_batch(void)
{
	uint32_t key = 0, val = 0, batch = 0, count = 1;
	int fd, ret;

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, sizeof(key), sizeof(val), 1, NULL);
	if (fd < 0)
		return unknown_or_no(-errno);
	ret = bpf_map_lookup_batch(fd, NULL, &batch, &key, &val, &count, NULL);
	ret = ret < 0 ? -errno : 0;
	close(fd);
	/* -ENOENT: the end of the map, reached in one batch. */
	return ret == 0 || ret == -ENOENT ? 1 : unknown_or_no(ret);
}

static int probe_btf(void)
{
	struct btf *btf = btf__new_empty();
	int ret;

	if (!btf)
		return -1;
	ret = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	if (ret > 0)
		ret = btf__load_into_kernel(btf);
	btf__free(btf);
	return ret == 0 ? 1 : unknown_or_no(ret);
}

#define VG_PROBE_RAN	0x40	/* the child's exit status: it got as far as trying */

/* In the child, in a network namespace of its own: its lo is ifindex 1
 * there, and everything attached goes with the namespace. */
static int child_probe(void)
{
	/* r0 = TC_ACT_UNSPEC (tcx: next), exit. */
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = TC_ACT_UNSPEC },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpf_prog_info info = { 0 };
	uint32_t len = sizeof(info);
	int prog, ifindex, link, st = VG_PROBE_RAN;
	bool created;

	if (unshare(CLONE_NEWNET))
		return 0;
	ifindex = (int)if_nametoindex("lo");
	prog = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "vg_probe", "GPL", insns, 2, NULL);
	if (!ifindex || prog < 0 || bpf_obj_get_info_by_fd(prog, &info, &len))
		return 0;
	if (vg_tc_hook(ifindex, &created) == 0 && vg_tc_attach(ifindex, VG_HOOK_INGRESS, prog, info.id) == 0)
		st |= 1 << VG_FEAT_CLS_BPF;
	link = bpf_link_create(prog, ifindex, VG_BPF_TCX_INGRESS, NULL);
	if (link >= 0)
		st |= 1 << VG_FEAT_TCX;
	return st;
}

static void probe_hooks(struct vg_features *f)
{
	int status;
	pid_t pid;

	f->has[VG_FEAT_CLS_BPF] = f->has[VG_FEAT_TCX] = -1;
	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0)
		_exit(child_probe());
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return;
	if (!WIFEXITED(status) || !(WEXITSTATUS(status) & VG_PROBE_RAN))
		return;
	f->has[VG_FEAT_CLS_BPF] = !!(WEXITSTATUS(status) & (1 << VG_FEAT_CLS_BPF));
	f->has[VG_FEAT_TCX] = !!(WEXITSTATUS(status) & (1 << VG_FEAT_TCX));
}

void vg_probe_features(struct vg_features *f)
{
	probe_hooks(f);
	f->has[VG_FEAT_BATCH] = probe_batch();
	f->has[VG_FEAT_BTF] = probe_btf();
}
