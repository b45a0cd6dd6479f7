// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* expect: insn-count -- under 4096 instructions alone, over them with the
 * subprogram libbpf appends to it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

static __attribute__((noinline)) __u32 mix(__u32 acc)
{
	volatile __u32 v = acc;

#pragma unroll
	for (int i = 0; i < 800; i++)
		v = v * 33 + i;
	return v;
}

SEC("tc")
int bad_subbig(struct __sk_buff *skb)
{
	volatile __u32 acc = skb->len;

#pragma unroll
	for (int i = 0; i < 800; i++)
		acc = acc * 31 + i;
	return (acc ^ mix(acc)) & 2;
}
