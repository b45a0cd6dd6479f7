// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* expect: map-type -- a ring buffer (map type 27, Linux 5.8), declared
 * but unused so that no newer helper is involved. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

SEC("tc")
int bad_maptype(struct __sk_buff *skb)
{
	return 0;
}
