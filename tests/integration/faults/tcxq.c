// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * tcxq IFACE...: the programs the kernel runs through tcx at each
 * device's ingress, one line per device: "IFACE tcx=ID,ID" ("tcx=" for
 * none, "gone" for a device that does not exist, "tcx=error:TEXT" where
 * the query fails).  Debian 12's bpftool predates tcx and lists no tcx
 * attachment, so test_faults.sh asks the kernel itself (BPF_PROG_QUERY
 * on BPF_TCX_INGRESS, Linux >= 6.6).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

/* BPF_TCX_INGRESS of Linux 6.6's UAPI; the 6.1 headers lack it.  Keep
 * in sync with VG_BPF_TCX_INGRESS in loader/tc.h. */
#define TCXQ_TCX_INGRESS 46

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		unsigned int ifindex = if_nametoindex(argv[i]), ids[64], n;
		union bpf_attr a;

		if (!ifindex) {
			printf("%s gone\n", argv[i]);
			continue;
		}
		memset(&a, 0, sizeof(a));
		a.query.target_fd = ifindex;	/* target_ifindex for tcx */
		a.query.attach_type = TCXQ_TCX_INGRESS;
		a.query.prog_ids = (unsigned long)ids;
		a.query.prog_cnt = sizeof(ids) / sizeof(ids[0]);
		if (syscall(SYS_bpf, BPF_PROG_QUERY, &a, sizeof(a)) < 0) {
			printf("%s tcx=error:%s\n", argv[i], strerror(errno));
			continue;
		}
		printf("%s tcx=", argv[i]);
		for (n = 0; n < a.query.prog_cnt && n < sizeof(ids) / sizeof(ids[0]); n++)
			printf("%s%u", n ? "," : "", ids[n]);
		printf("\n");
	}
	return 0;
}
