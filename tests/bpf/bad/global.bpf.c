// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* expect: global-data -- a global variable lands in .bss (Linux 5.2+). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

__u64 frames_seen;

SEC("tc")
int bad_global(struct __sk_buff *skb)
{
	__sync_fetch_and_add(&frames_seen, 1);
	return 0;
}
