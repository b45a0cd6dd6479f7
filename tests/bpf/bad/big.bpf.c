// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* expect: insn-count -- more than the 4096 instructions 4.19 accepts. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tc")
int bad_big(struct __sk_buff *skb)
{
	volatile __u32 acc = skb->len;

#pragma unroll
	for (int i = 0; i < 1500; i++)
		acc = acc * 33 + i;
	return acc & 2;
}
