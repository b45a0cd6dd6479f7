// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* expect: helper -- a subprogram calls a helper 4.19 does not have. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

static __attribute__((noinline)) __u64 stamp(void)
{
	return bpf_ktime_get_boot_ns();	/* helper 125, Linux 5.8 */
}

SEC("tc")
int bad_subhelper(struct __sk_buff *skb)
{
	return (stamp() + skb->len) & 1;
}
