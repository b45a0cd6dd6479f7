// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* expect: global-data -- a constant lookup table lands in .rodata. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

static const __u8 verdicts[16] = { 0, 2, 0, 2, 2, 0, 0, 2, 2, 2, 0, 0, 2, 0, 2, 0 };

SEC("tc")
int bad_rodata(struct __sk_buff *skb)
{
	return verdicts[skb->len & 15];
}
