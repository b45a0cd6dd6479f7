// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* expect: helper -- bpf_sk_lookup_tcp is helper 84, first in Linux 4.20. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tc")
int bad_helper(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = { 0 };
	struct bpf_sock *sk;

	sk = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), -1, 0);
	if (sk)
		bpf_sk_release(sk);
	return 0;
}
