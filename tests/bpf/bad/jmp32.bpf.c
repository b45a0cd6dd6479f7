// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* expect: jmp32 -- built for cpu v3, whose 32-bit jumps came in Linux 5.1.
 * cflags: -mcpu=v3
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tc")
int bad_jmp32(struct __sk_buff *skb)
{
	__u32 len = skb->len;

	if (len > 1000)
		return 2;
	return 0;
}
