// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* expect: loop -- a loop in a BPF-to-BPF subprogram, not in the program. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

static __attribute__((noinline)) int sum_bytes(struct __sk_buff *skb)
{
	unsigned char *p = (void *)(long)skb->data;
	unsigned char *end = (void *)(long)skb->data_end;
	int sum = 0;

#pragma clang loop unroll(disable)
	for (int i = 0; i < 64; i++) {
		if (p + i + 1 > end)
			break;
		sum += p[i];
	}
	return sum;
}

SEC("tc")
int bad_subloop(struct __sk_buff *skb)
{
	return sum_bytes(skb) & 1;
}
