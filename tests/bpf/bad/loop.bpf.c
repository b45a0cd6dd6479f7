// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* expect: loop -- a bounded loop the compiler keeps (Linux 5.3+ only). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tc")
int bad_loop(struct __sk_buff *skb)
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
	return sum & 1;
}
