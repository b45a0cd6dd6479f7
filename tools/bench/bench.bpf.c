// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Programs of the benchmark harness, not of the product:
 *   tc_empty   the floor every filter is compared with: a tc program that
 *              lets everything through;
 *   xdp_gen    the traffic generator, run by BPF_PROG_TEST_RUN in live-frame
 *              mode: XDP_TX sends each frame out of the guest's interface;
 *   xdp_sink   the counter at the far end of the bridge; dropping at XDP is
 *              the cheapest end of the path, so the path under test
 *              dominates the cost;
 *   xdp_pass   gives a veth NAPI, which it needs to accept XDP frames from
 *              its peer.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} sink_count SEC(".maps");

SEC("tc")
int tc_empty(struct __sk_buff *skb)
{
	return TC_ACT_OK;
}

SEC("xdp")
int xdp_gen(struct xdp_md *ctx)
{
	return XDP_TX;
}

SEC("xdp")
int xdp_sink(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *n = bpf_map_lookup_elem(&sink_count, &key);

	if (n)
		(*n)++;
	return XDP_DROP;
}

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
