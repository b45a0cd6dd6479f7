// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * vifguard: tc ingress filter for frames a guest sends into the host.
 *
 * One program serves every guest interface; the policy of each interface
 * is an entry of the array "policy" (index ifindex % VG_POLICY_ENTRIES) or,
 * when another interface holds that entry, of the hash "policy_spill"
 * (see include/vifguard.h).  Every frame ends
 * in exactly one reason (VG_PASS or a drop reason), counted per CPU: a
 * pass in the interface's slot of "passes", a drop under its interface
 * and reason in "drops" and under its reason in "totals".
 *
 * The pass path of a frame whose source address is one of the policy's
 * inline addresses costs two array lookups, the policy and the counter,
 * which the verifier inlines (the per-CPU counter on Linux >= 6.10): no
 * call at all.  A policy in the spill hash costs one hash lookup more.
 *
 * Linux 4.19 (XCP-ng / XenServer dom0) must verify this object as well:
 * no loops (constant bounds, unrolled), no global data (no tables: clang
 * would put them in .rodata), helpers 1..83 only, -mcpu=v2.  Parsing
 * returns early wherever it can so that the unrolled walks do not
 * multiply the verifier's states.  `make check-compat` enforces the rules.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "vifguard.h"
#include "parsing.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VG_POLICY_ENTRIES);
	__type(key, __u32);
	__type(value, struct vg_policy_entry);
} policy SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, VG_MAX_IFACES);
	__type(key, __u32);
	__type(value, struct vg_policy);
} policy_spill SEC(".maps");

/* The kernel refuses LPM tries without BPF_F_NO_PREALLOC. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, VG_MAX_V4_ADDRS);
	__type(key, struct vg_v4_key);
	__type(value, __u8);
} v4_addrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, VG_MAX_V6_ADDRS);
	__type(key, struct vg_v6_key);
	__type(value, __u8);
} v6_addrs SEC(".maps");

/* The loader zeroes a slot before it gives it to an interface; the
 * program only increments, through a per-CPU pointer: no atomics. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VG_MAX_IFACES);
	__type(key, __u32);
	__type(value, __u64);
} passes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, VG_MAX_DROP_COUNTERS);
	__type(key, struct vg_drop_key);
	__type(value, __u64);
} drops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VG_TOTALS_KEYS);
	__type(key, __u32);
	__type(value, __u64);
} totals SEC(".maps");

/* What the pinned state is (include/vifguard.h); the loader's only. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vg_layout);
} layout SEC(".maps");

/* Drop events and their rate limit (include/vifguard.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vg_event_cfg);
} ev_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, VG_MAX_EVENT_BUCKETS);
	__type(key, struct vg_drop_key);
	__type(value, struct vg_event_bucket);
} ev_limit SEC(".maps");

/* Address learning (include/vifguard.h). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, VG_MAX_LEARNED);
	__type(key, struct vg_addr6);
	__type(value, struct vg_owner);
} learned6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, VG_MAX_LEARN_SLOTS);
	__type(key, struct vg_slot_key);
	__type(value, struct vg_slot);
} learn_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, VG_MAX_PROTECTED);
	__type(key, struct vg_addr6);
	__type(value, struct vg_protect);
} protected6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, VG_MAX_LEARNED);
	__type(key, struct vg_addr4);
	__type(value, struct vg_owner);
} learned4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, VG_MAX_LEASE_SLOTS);
	__type(key, struct vg_slot_key);
	__type(value, struct vg_slot);
} lease_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vg_learn_cfg);
} learn_cfg SEC(".maps");

static __always_inline void count_pass(const struct vg_policy *pol)
{
	__u32 slot = pol->slot;
	__u64 *n;

	n = bpf_map_lookup_elem(&passes, &slot);
	if (n)
		(*n)++;
}

/* A drop counted in "totals". */
static __always_inline void count_total(__u32 reason)
{
	__u64 *n;

	/* The array lookup checks the key: no bound needed here. */
	n = bpf_map_lookup_elem(&totals, &reason);
	if (n)
		(*n)++;
}

/* A drop counted under its interface in "drops". */
static __always_inline void count_iface(__u32 ifindex, __u32 reason)
{
	struct vg_drop_key k = { .ifindex = ifindex, .reason = reason };
	__u64 one = 1, *n;

	n = bpf_map_lookup_elem(&drops, &k);
	if (n) {
		(*n)++;
		return;
	}
	/* First drop of this reason on this interface.  If another CPU
	 * created the entry meanwhile, count in it; if the map is full,
	 * "totals" has the drop. */
	if (bpf_map_update_elem(&drops, &k, &one, BPF_NOEXIST) == 0)
		return;
	n = bpf_map_lookup_elem(&drops, &k);
	if (n)
		(*n)++;
}

/* pol is NULL for a frame on an interface without a policy: that one is
 * counted in "totals" only, as no-policy. */
static __always_inline void count_drop(const struct vg_policy *pol,
				       __u32 ifindex, __u32 reason)
{
	count_total(reason);
	if (pol)
		count_iface(ifindex, reason);
}

#define VG_EVENT_COST_DEFAULT	(1000000000ULL / VG_EVENT_RATE_DEFAULT)

/*
 * Takes one event's credit from the bucket of k: 1 if the event may go
 * (*suppressed then holds the bucket's count), 0 if it is suppressed
 * (and counted).  A bucket the map has no room for sends nothing: a
 * full map must not open the gate.
 */
static __always_inline int take_token(const struct vg_drop_key *k, __u64 now,
				      __u64 *suppressed)
{
	__u64 cost = VG_EVENT_COST_DEFAULT, full, credit;
	__u32 zero = 0, burst = VG_EVENT_BURST_DEFAULT;
	struct vg_event_bucket *b, nb = {};
	struct vg_event_cfg *c;

	c = bpf_map_lookup_elem(&ev_config, &zero);
	if (c && c->cost_ns) {
		cost = c->cost_ns;
		burst = c->burst;
	}
	full = cost * burst;
	b = bpf_map_lookup_elem(&ev_limit, k);
	if (!b) {
		/* A new bucket starts full, less this event. */
		if (!burst)
			return 0;
		nb.credit_ns = full - cost;
		nb.last_ns = now;
		nb.cost_ns = cost;
		if (bpf_map_update_elem(&ev_limit, k, &nb, BPF_NOEXIST) == 0)
			return 1;
		b = bpf_map_lookup_elem(&ev_limit, k);
		if (!b)
			return 0;
	}
	credit = b->credit_ns;
	if (now > b->last_ns)
		credit += now - b->last_ns;
	if (b->cost_ns != cost) {
		credit = full;
		b->cost_ns = cost;
	}
	if (credit > full)
		credit = full;
	b->last_ns = now;
	if (credit < cost) {
		b->credit_ns = credit;
		__sync_fetch_and_add(&b->suppressed, 1);
		return 0;
	}
	b->credit_ns = credit - cost;
	*suppressed = b->suppressed;
	return 1;
}

/* The drop of a frame as an event, with its first bytes, if its bucket
 * lets it go.  flags: VG_EVENT_F_*. */
static __always_inline void report_drop(struct __sk_buff *skb, __u32 ifindex, __u32 reason,
					__u16 flags)
{
	struct vg_drop_key k = { .ifindex = ifindex, .reason = reason };
	struct vg_event ev = {};
	__u64 now = bpf_ktime_get_ns(), cap;

	if (!take_token(&k, now, &ev.suppressed))
		return;
	ev.time_ns = now;
	ev.ifindex = ifindex;
	ev.reason = reason;
	ev.len = skb->len;
	ev.flags = flags;
	if (skb->vlan_present) {
		ev.vlan_proto = skb->vlan_proto;
		ev.vlan_tci = skb->vlan_tci;
	}
	cap = skb->len;
	if (cap > VG_EVENT_CAP)
		cap = VG_EVENT_CAP;
	ev.cap_len = cap;
	/* The upper 32 bits of the flags: frame bytes the kernel appends. */
	bpf_perf_event_output(skb, &events, BPF_F_CURRENT_CPU | (cap << 32), &ev, sizeof(ev));
}

/*
 * Bytes pulled into the linear part before parsing.  Xen netback copies
 * only the first 128 bytes of a frame into the linear area; the rest sits
 * in page fragments that direct packet access cannot see.
 */
#define VG_PULL_LEN		128
/* IPv6 frames that carry something other than TCP or UDP right after the
 * fixed header (extension headers, ICMPv6) get a deeper pull. */
#define VG_PULL_LEN_V6		512
/* Bounds of the unrolled walks. */
#define VG_V6_EXTHDRS		6
#define VG_ND_OPTS		8
/* IPv6 headers are read from the first VG_PULL_LEN_V6 octets of the
 * frame only, whether or not more of it is linear: a frame judged by
 * BPF_PROG_TEST_RUN (linear) and the same frame from netback (pulled)
 * get the same verdict. */
#define VG_WINDOW_V6		VG_PULL_LEN_V6


static __always_inline void pull_headers(struct __sk_buff *skb, __u32 want)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u32 len = skb->len;

	if (len > want)
		len = want;
	if (data + len > data_end)
		bpf_skb_pull_data(skb, len);
}

static __always_inline int src_mac_allowed(const struct vg_policy *pol,
					   const __u8 *mac)
{
	__u32 n = pol->n_macs;

#pragma unroll
	for (int i = 0; i < VG_MAX_MACS; i++) {
		if (i < n && mac_equal(pol->macs[i], mac))
			return 1;
	}
	return 0;
}

/* proto in network order, as the policy stores it. */
static __always_inline int ethertype_allowed(const struct vg_policy *pol,
					     __be16 proto)
{
	if (!proto)
		return 0;
#pragma unroll
	for (int i = 0; i < VG_MAX_ETHERTYPES; i++) {
		if (pol->ethertypes[i] == proto)
			return 1;
	}
	return 0;
}

/*
 * Address learning's rarer work (DHCP snooping, trust on first use) is
 * done by BPF-to-BPF subprograms (Linux >= 4.16), kept once in each
 * program rather than inlined at every use.  They take scalars, the
 * context and pointers to their caller's stack only, read the packet
 * through skb, and never pull it (the caller has).
 */
#define VG_SUBPROG static __attribute__((noinline))

static __always_inline void v4_mapped(struct vg_addr6 *a, __be32 addr)
{
	a->addr[0] = 0;
	a->addr[1] = 0;
	a->addr[2] = bpf_htonl(0xffff);
	a->addr[3] = addr;
}

static __always_inline int v6_same(const struct vg_addr6 *a, const struct vg_addr6 *b)
{
	return ((a->addr[0] ^ b->addr[0]) | (a->addr[1] ^ b->addr[1]) |
		(a->addr[2] ^ b->addr[2]) | (a->addr[3] ^ b->addr[3])) == 0;
}

/* The key of a in learned4 (v6 0: a is ::ffff:a.b.c.d) or learned6. */
#define OWNERS(v6)		((v6) ? (void *)&learned6 : (void *)&learned4)
#define OWNER_KEY(v6, a)	((v6) ? (const void *)(a) : (const void *)&(a)->addr[3])

/*
 * A first-use address in use stays the interface's: a frame from a (an
 * IPv4 address as ::ffff:a.b.c.d when v6 is 0), held by ifindex by first
 * use with left ns to go, in the second half of its time moves its end
 * (entry and lease slot) to first_lease_s from now.  One the guest stopped
 * using ends between half of and all of first_lease_s after its last
 * frame and frees its slot (RFC 4941 temporary addresses come and go).
 */
VG_SUBPROG __u32 first_touch(__u32 ifindex, __u64 v6, const struct vg_addr6 *a, __u64 left)
{
	struct vg_slot_key sk = { .ifindex = ifindex };
	__u64 now, life;
	struct vg_learn_cfg *cfg;
	struct vg_owner *o;
	struct vg_slot *s;
	__u32 zero = 0;

	cfg = bpf_map_lookup_elem(&learn_cfg, &zero);
	if (!cfg)
		return 0;
	life = (__u64)cfg->first_lease_s * 1000000000ULL;
	if (left >= life / 2)
		return 0;
	now = bpf_ktime_get_ns();
	o = bpf_map_lookup_elem(OWNERS(v6), OWNER_KEY(v6, a));
	if (!o || o->ifindex != ifindex || o->origin != VG_ORIGIN_FIRST)
		return 0;
	o->expires_ns = now + life;
	sk.slot = o->slot;
	s = bpf_map_lookup_elem(&lease_slots, &sk);
	if (s && v6_same(&s->a, a))
		s->since_ns = now + life;
	return 0;
}

/*
 * Whether the entry of learned4 (v6 0: a is ::ffff:a.b.c.d) or learned6
 * for a allows ifindex, whose policy has flags, a source: a link-local
 * it learned by DAD while the policy learns so, or a lease or a
 * first-use address of its own, not yet ended, learned by a way the
 * policy still learns by (a first-use address in use: first_touch()).
 * Asked once every configured address missed; the clock is read only
 * for an entry of the interface's with an end.
 */
static __always_inline __u32 learned_live(__u32 ifindex, __u64 flags, int v6,
					  const struct vg_addr6 *a)
{
	struct vg_owner *o;
	__u64 now;

	o = bpf_map_lookup_elem(OWNERS(v6), OWNER_KEY(v6, a));
	if (!o || o->ifindex != ifindex)
		return 0;
	if (o->origin == VG_ORIGIN_DAD)
		return v6 && (flags & VG_F_LEARN_LL);
	if (o->origin == VG_ORIGIN_DHCP)
		return (flags & VG_F_LEARN_DHCP) && bpf_ktime_get_ns() < o->expires_ns;
	if (o->origin != VG_ORIGIN_FIRST || !(flags & VG_F_LEARN_FIRST))
		return 0;
	now = bpf_ktime_get_ns();
	if (now >= o->expires_ns)
		return 0;
	first_touch(ifindex, v6, a, o->expires_ns - now);
	return 1;
}

/* learned_live() of IPv4 (a as ::ffff:a.b.c.d) and of IPv6: one
 * subprogram a family, so that each names its map and the verifier
 * inlines the lookup. */
VG_SUBPROG __u32 learned_live4(__u32 ifindex, __u64 flags, const struct vg_addr6 *a)
{
	return learned_live(ifindex, flags, 0, a);
}

VG_SUBPROG __u32 learned_live6(__u32 ifindex, __u64 flags, const struct vg_addr6 *a)
{
	return learned_live(ifindex, flags, 1, a);
}

#define VG_F_LEARN_LEASES	(VG_F_LEARN_DHCP | VG_F_LEARN_FIRST)

/* addr is never 0.0.0.0 here: unused inline addresses are zero.  Leases
 * cost a lookup only once every configured address missed. */
static __always_inline int v4_allowed(const struct vg_policy *pol,
				      __u32 ifindex, __be32 addr)
{
	struct vg_v4_key k;
	struct vg_addr6 m;

	if (addr == pol->v4[0] || addr == pol->v4[1])
		return 1;
	if (pol->flags & VG_F_V4_TABLE) {
		k.prefixlen = VG_LPM_KEY_BITS + 32;
		k.ifindex = ifindex;
		k.gen = pol->gen;
		k.addr = addr;
		if (bpf_map_lookup_elem(&v4_addrs, &k))
			return 1;
	}
	if (!(pol->flags & VG_F_LEARN_LEASES))
		return 0;
	v4_mapped(&m, addr);
	return learned_live4(ifindex, pol->flags, &m);
}

/* fe80::/64 with the modified EUI-64 interface identifier of mac
 * (RFC 4291 2.5.1, appendix A): mac[0] ^ 2, mac[1], mac[2], ff, fe,
 * mac[3], mac[4], mac[5]. */
static __always_inline int v6_eui64_link_local(const __be32 *addr,
					       const __u8 *mac)
{
	const __u8 *iid = (const __u8 *)&addr[2];

	if (addr[0] != bpf_htonl(0xfe800000) || addr[1] != 0)
		return 0;
	return ((iid[0] ^ mac[0] ^ 2) | (iid[1] ^ mac[1]) |
		(iid[2] ^ mac[2]) | (iid[3] ^ 0xff) | (iid[4] ^ 0xfe) |
		(iid[5] ^ mac[3]) | (iid[6] ^ mac[4]) | (iid[7] ^ mac[5])) == 0;
}

/* An address the interface learned (not one configured: the policy
 * alone allows those), by a way its policy still learns by. */
static __always_inline int v6_learned(const struct vg_policy *pol, __u32 ifindex,
				      const struct vg_addr6 *a)
{
	return learned_live6(ifindex, pol->flags, a);
}

/*
 * addr points into the packet and is never "::" (unused inline addresses
 * are zero); mac is the frame's source MAC, already found in the policy.
 * Learned addresses cost a lookup only once every configured one missed.
 */
static __always_inline int v6_allowed(const struct vg_policy *pol,
				      __u32 ifindex, const __be32 *addr,
				      const __u8 *mac)
{
	__be32 a0 = addr[0], a1 = addr[1], a2 = addr[2], a3 = addr[3];
	struct vg_v6_key k;

#pragma unroll
	for (int i = 0; i < VG_INLINE_V6; i++) {
		if (((a0 ^ pol->v6[i][0]) | (a1 ^ pol->v6[i][1]) |
		     (a2 ^ pol->v6[i][2]) | (a3 ^ pol->v6[i][3])) == 0)
			return 1;
	}
	if ((pol->flags & VG_F_LINK_LOCAL) && v6_eui64_link_local(addr, mac))
		return 1;
	if (pol->flags & VG_F_V6_TABLE) {
		k.prefixlen = VG_LPM_KEY_BITS + 128;
		k.ifindex = ifindex;
		k.gen = pol->gen;
		k.addr[0] = a0;
		k.addr[1] = a1;
		k.addr[2] = a2;
		k.addr[3] = a3;
		if (bpf_map_lookup_elem(&v6_addrs, &k))
			return 1;
	}
	if (pol->flags & (VG_F_LEARN_LL | VG_F_LEARN_LEASES)) {
		struct vg_addr6 l = { { a0, a1, a2, a3 } };

		return v6_learned(pol, ifindex, &l);
	}
	return 0;
}

/* fe80::/10 (RFC 4291 2.5.6). */
static __always_inline int v6_link_local(const __be32 *a)
{
	return (a[0] & bpf_htonl(0xffc00000)) == bpf_htonl(0xfe800000);
}


/* What the helpers that decide part of a frame return when the rest of
 * it decides. */
#define VG_UNDECIDED VG_REASON_MAX

/*
 * Forgets a learned address: its entry and, when it still names it, its
 * slot (in learn_slots for a link-local learned by DAD, in lease_slots
 * for a lease).  o is a's entry, of a learned origin.
 */
static __always_inline void learn_forget(int v6, const struct vg_addr6 *a,
					 const struct vg_owner *o)
{
	struct vg_slot_key sk = { .ifindex = o->ifindex, .slot = o->slot };
	int dad = o->origin == VG_ORIGIN_DAD;
	struct vg_slot *s;

	bpf_map_delete_elem(OWNERS(v6), OWNER_KEY(v6, a));
	if (dad) {
		s = bpf_map_lookup_elem(&learn_slots, &sk);
		if (s && v6_same(&s->a, a))
			bpf_map_delete_elem(&learn_slots, &sk);
		return;
	}
	s = bpf_map_lookup_elem(&lease_slots, &sk);
	if (s && v6_same(&s->a, a))
		bpf_map_delete_elem(&lease_slots, &sk);
}

/*
 * The slot of ifindex in slots (first .. first + n - 1) for an address
 * it learns: a free one, else the one with the smallest since_ns (the
 * oldest link-local; the lease that ends first).
 */
static __always_inline __u32 slot_choose(void *slots, __u32 ifindex, __u32 first, int n)
{
	struct vg_slot_key sk = { .ifindex = ifindex };
	__u32 free = VG_LEASE_SLOTS, victim = first;
	__u64 oldest = ~0ULL;
	struct vg_slot *s;

#pragma unroll
	for (int i = 0; i < VG_LEASE_SLOTS; i++) {
		if (i >= n)
			break;
		sk.slot = first + i;
		s = bpf_map_lookup_elem(slots, &sk);
		if (!s) {
			if (free == VG_LEASE_SLOTS)
				free = first + i;
		} else if (s->since_ns < oldest) {
			oldest = s->since_ns;
			victim = first + i;
		}
	}
	return free != VG_LEASE_SLOTS ? free : victim;
}

/*
 * Writes a's owner entry no unless a has one: VG_UNDECIDED when written
 * (of two interfaces claiming an address at once, the first to write it
 * has it), else the verdict.
 */
static __always_inline __u32 owner_claim(int v6, const struct vg_addr6 *a,
					 const struct vg_owner *no)
{
	struct vg_owner *o;

	if (!bpf_map_update_elem(OWNERS(v6), OWNER_KEY(v6, a), no, BPF_NOEXIST))
		return VG_UNDECIDED;
	o = bpf_map_lookup_elem(OWNERS(v6), OWNER_KEY(v6, a));
	if (o)
		return o->ifindex == no->ifindex ? VG_PASS : VG_LEARN_CONFLICT;
	return VG_LEARN_FULL;
}

/*
 * An address with room after it.  Where v6 is a variable (learn_first()),
 * Linux 4.19 does not tie the map OWNERS(v6) to the key OWNER_KEY(v6, a)
 * when the compiler computes them apart: it checks learned6's 16-octet
 * read from the IPv4 key as well, which must then stay within the stack
 * the program wrote.
 */
struct vg_addr_room {
	struct vg_addr6 a;
	__be32 room[3];
};

/*
 * Puts ns in slot sk of slots once a's owner entry (origin origin) is
 * written, a being ns->a or a copy of it with room: the address the slot
 * held for the interface is forgotten (in lease_slots, a lease or a
 * first-use address alike).  A slot map with no room takes the new entry
 * back: VG_LEARN_FULL.
 */
static __always_inline __u32 slot_take(int v6, void *slots, const struct vg_slot_key *sk,
				       __u8 origin, const struct vg_addr6 *a,
				       const struct vg_slot *ns)
{
	struct vg_slot *s = bpf_map_lookup_elem(slots, sk);
	struct vg_owner *o;

	if (s) {
		struct vg_addr_room old = { .a = s->a };

		o = bpf_map_lookup_elem(OWNERS(v6), OWNER_KEY(v6, &old.a));
		if (o && o->ifindex == sk->ifindex && o->slot == sk->slot &&
		    (o->origin == origin ||
		     (origin != VG_ORIGIN_DAD && o->origin >= VG_ORIGIN_DHCP)))
			bpf_map_delete_elem(OWNERS(v6), OWNER_KEY(v6, &old.a));
	}
	if (bpf_map_update_elem(slots, sk, ns, BPF_ANY)) {
		bpf_map_delete_elem(OWNERS(v6), OWNER_KEY(v6, a));
		return VG_LEARN_FULL;
	}
	return VG_PASS;
}

/*
 * A valid DAD probe of ifindex for the link-local address a, which its
 * policy does not allow: a becomes the interface's, in a free slot or in
 * place of its oldest learned address, unless it is protected or another
 * interface holds it.  The verdict of the probe.
 */
static __always_inline __u32 learn_dad(__u32 ifindex, const struct vg_addr6 *a)
{
	struct vg_owner *o, no = { .ifindex = ifindex, .origin = VG_ORIGIN_DAD };
	struct vg_slot_key sk = { .ifindex = ifindex };
	struct vg_slot ns = { .a = *a };
	__u32 v;

	if (bpf_map_lookup_elem(&protected6, a))
		return VG_LEARN_PROTECTED;
	o = bpf_map_lookup_elem(&learned6, a);
	if (o)
		return o->ifindex == ifindex ? VG_PASS : VG_LEARN_CONFLICT;
	sk.slot = slot_choose(&learn_slots, ifindex, 0, VG_LEARN_LL_CAP);
	no.slot = sk.slot;
	no.since_ns = bpf_ktime_get_ns();
	v = owner_claim(1, a, &no);
	if (v != VG_UNDECIDED)
		return v;
	ns.since_ns = no.since_ns;
	return slot_take(1, &learn_slots, &sk, VG_ORIGIN_DAD, &ns.a, &ns);
}

/*
 * The IPv6 extension header walk is written without branches.  Linux 4.19
 * prunes a state only when every live scalar matches exactly, so a walk
 * that branches on each header's type multiplies the states by three per
 * header (and verifies everything after it once per exit).  Computed
 * without branches, each iteration leaves one state and the walk one exit.
 * opaque() keeps the compiler from turning these expressions back into
 * selects, i.e. branches on BPF.
 */

/* 1 if a == b, else 0 (both below 2^63). */
static __always_inline __u64 flag_eq(__u64 a, __u64 b)
{
	__u64 x = a ^ b;

	opaque(x);
	return (x - 1) >> 63;
}

/* 1 if x != 0, else 0 (x below 2^63). */
static __always_inline __u64 flag_nonzero(__u64 x)
{
	opaque(x);
	return (0 - x) >> 63;
}

/* flag ? a : b, flag being 0 or 1. */
static __always_inline __u64 pick(__u64 flag, __u64 a, __u64 b)
{
	__u64 m = 0 - flag;

	opaque(m);
	return (a & m) | (b & ~m);
}

static __always_inline __u64 ip6_is_exthdr(__u64 nh)
{
	return flag_eq(nh, IPPROTO_HOPOPTS) | flag_eq(nh, IPPROTO_ROUTING) |
	       flag_eq(nh, IPPROTO_DSTOPTS) | flag_eq(nh, IPPROTO_FRAGMENT) |
	       flag_eq(nh, IPPROTO_AH);
}

/*
 * A packet offset made from a scalar is bounded again right where it is
 * used: Linux 4.19 forgets the bounds of a scalar the compiler spilled to
 * the stack.  Offsets never exceed VG_OFF_MASK (the walk adds at most
 * VG_V6_EXTHDRS * 2048 to 54), so the mask only informs the verifier.
 */
#define VG_OFF_MASK		0x3fff

static __always_inline void *pkt_at(struct __sk_buff *skb, __u64 off)
{
	opaque(off);
	return (void *)(long)skb->data + (off & VG_OFF_MASK);
}

/* ---- DHCP snooping (include/vifguard.h) ------------------------------ */

/*
 * DHCP messages are read from the first VG_DHCP_WINDOW octets of the
 * frame only, and within their datagram, however much of the frame is
 * linear: one judged by BPF_PROG_TEST_RUN and the same from a device read
 * alike.  Servers keep their messages far smaller (RFC 2131 2: 576 octets
 * unless the client says more).
 */
#define VG_DHCP_WINDOW		1024

/* 1 if a <= b, else 0 (both below 2^63). */
static __always_inline __u64 flag_le(__u64 a, __u64 b)
{
	__u64 x = b - a;

	opaque(x);
	return 1 - (x >> 63);
}

/* The end of a lease of lifetime seconds granted now, with the host's
 * grace; all ones is an infinite lease (RFC 2131 3.3, RFC 8415 7.7). */
static __always_inline __u64 lease_end(__u64 now, __u32 lifetime)
{
	__u32 zero = 0;
	struct vg_learn_cfg *cfg = bpf_map_lookup_elem(&learn_cfg, &zero);
	__u64 grace = cfg ? cfg->dhcp_grace_s : 0;

	if (lifetime == 0xffffffff)
		return VG_LEASE_FOREVER;
	return now + ((__u64)lifetime + grace) * 1000000000ULL;
}

/*
 * A lease of lifetime seconds delivered to ifindex for a (an IPv4
 * address as ::ffff:a.b.c.d when v6 is 0): a is the interface's until
 * it ends, in a free slot of its family or in place of the lease that
 * ends first, unless it is protected or another interface holds it (an
 * ended lease or first-use address of another gives way).  An address
 * the interface holds by first use becomes a lease, in its slot.
 * VG_PASS, or why it was refused.
 */
static __always_inline __u32 lease_learn(int v6, __u32 ifindex, const struct vg_addr6 *a,
					 __u32 lifetime)
{
	__u64 now = bpf_ktime_get_ns(), end = lease_end(now, lifetime);
	struct vg_owner *o, no = { .ifindex = ifindex, .origin = VG_ORIGIN_DHCP };
	struct vg_slot_key sk = { .ifindex = ifindex };
	struct vg_slot *s, ns = { .a = *a };
	__u32 v;

	/* An IPv4 address is protected as ::ffff:a.b.c.d, its form here. */
	if (bpf_map_lookup_elem(&protected6, a))
		return VG_LEARN_PROTECTED;
	o = bpf_map_lookup_elem(OWNERS(v6), OWNER_KEY(v6, a));
	if (o && o->ifindex == ifindex) {
		if (o->origin < VG_ORIGIN_DHCP)
			return VG_PASS;		/* configured for it */
		/* Renewed, granted again, or leased after its first use: the
		 * lease and its slot move. */
		o->origin = VG_ORIGIN_DHCP;
		o->expires_ns = end;
		sk.slot = o->slot;
		s = bpf_map_lookup_elem(&lease_slots, &sk);
		if (s && v6_same(&s->a, a))
			s->since_ns = end;
		return VG_PASS;
	}
	if (o) {
		if (o->origin < VG_ORIGIN_DHCP || now < o->expires_ns)
			return VG_LEARN_CONFLICT;
		learn_forget(v6, a, o);
	}
	if (v6)
		sk.slot = slot_choose(&lease_slots, ifindex, VG_LEARN_DHCP4_CAP,
				      VG_LEARN_DHCP6_CAP);
	else
		sk.slot = slot_choose(&lease_slots, ifindex, 0, VG_LEARN_DHCP4_CAP);
	no.slot = sk.slot;
	no.expires_ns = end;
	v = owner_claim(v6, a, &no);
	if (v != VG_UNDECIDED)
		return v;
	ns.since_ns = end;
	return slot_take(v6, &lease_slots, &sk, VG_ORIGIN_DHCP, &ns.a, &ns);
}

/* Ends ifindex's lease of a, if it holds a by one. */
static __always_inline void lease_drop(int v6, __u32 ifindex, const struct vg_addr6 *a)
{
	struct vg_owner *o = bpf_map_lookup_elem(OWNERS(v6), OWNER_KEY(v6, a));

	if (o && o->ifindex == ifindex && o->origin == VG_ORIGIN_DHCP)
		learn_forget(v6, a, o);
}

/*
 * Ends what slot sk of lease_slots holds, a lease (its owner entry goes
 * with it) or a stale slot; an address the interface holds by first use
 * stays, slot and all: DHCP ends leases only.
 */
static __always_inline void lease_slot_end(int v6, const struct vg_slot_key *sk)
{
	struct vg_slot *s = bpf_map_lookup_elem(&lease_slots, sk);
	struct vg_owner *o;
	struct vg_addr6 a;

	if (!s)
		return;
	a = s->a;
	o = bpf_map_lookup_elem(OWNERS(v6), OWNER_KEY(v6, &a));
	if (o && o->ifindex == sk->ifindex) {
		if (o->origin == VG_ORIGIN_FIRST && o->slot == sk->slot)
			return;
		if (o->origin == VG_ORIGIN_DHCP)
			bpf_map_delete_elem(OWNERS(v6), OWNER_KEY(v6, &a));
	}
	bpf_map_delete_elem(&lease_slots, sk);
}


VG_SUBPROG __u32 lease_learn4(__u32 ifindex, __be32 addr, __u32 lifetime)
{
	struct vg_addr6 a;

	v4_mapped(&a, addr);
	return lease_learn(0, ifindex, &a, lifetime);
}

VG_SUBPROG __u32 lease_drop4(__u32 ifindex, __be32 addr)
{
	struct vg_addr6 a;

	v4_mapped(&a, addr);
	lease_drop(0, ifindex, &a);
	return 0;
}

/* Ends every IPv4 lease of ifindex (a DHCPNAK: the client starts over). */
VG_SUBPROG __u32 leases4_drop(__u32 ifindex)
{
	struct vg_slot_key sk = { .ifindex = ifindex };

#pragma unroll
	for (int i = 0; i < VG_LEARN_DHCP4_CAP; i++) {
		sk.slot = i;
		lease_slot_end(0, &sk);
	}
	return 0;
}

/* Where the options of a DHCPv4 message that matter start (0: absent). */
struct dhcp4_info {
	__u64 type;		/* option 53 */
	__u64 lease;		/* option 51 */
	__u64 req;		/* option 50 */
};

/* flag ? a : b, flag being 0 or 1: pick() in three instructions. */
static __always_inline __u64 sel(__u64 flag, __u64 a, __u64 b)
{
	__u64 d = (a - b) * flag;

	opaque(d);
	return b + d;
}

/*
 * The options of the DHCPv4 message whose options start at off (after
 * the magic cookie), lim the offset its datagram or the window ends at:
 * read until END, an option that does not fit, or n options (a PAD
 * counts as one); an option cut by the frame's end does not fit.  The
 * loop leaves early but never branches on into the next option: one
 * state goes on per option.  0 for a message without the magic cookie.
 */
static __always_inline int dhcp4_options(struct __sk_buff *skb, __u64 off, __u64 lim, int n,
					 struct dhcp4_info *d)
{
	__u64 type = 0, lease = 0, req = 0;
	__be32 *cookie = pkt_at(skb, off - 4);

	if ((void *)(cookie + 1) > (void *)(long)skb->data_end ||
	    *cookie != bpf_htonl(DHCP4_MAGIC))
		return 0;
#pragma unroll
	for (int i = 0; i < VG_DHCP4_OPTS; i++) {
		__u64 code, step, pad, at;
		void *data, *end;
		__u8 *h;

		if (i >= n || off >= lim)
			break;
		data = (void *)(long)skb->data;
		end = (void *)(long)skb->data_end;
		at = off;
		opaque(at);
		h = data + (at & VG_OFF_MASK);
		if ((void *)(h + 1) > end)
			break;
		code = h[0];
		if (code == DHCP4_OPT_END)
			break;
		/* A PAD has no length octet: its own is read instead. */
		pad = flag_eq(code, DHCP4_OPT_PAD);
		at = off + 1 - pad;
		opaque(at);
		h = data + (at & VG_OFF_MASK);
		if ((void *)(h + 1) > end)
			break;
		step = sel(pad, 1, h[0] + 2);
		if (off + step > lim)
			break;
		type = sel(flag_eq(code, DHCP4_OPT_MSG_TYPE), off, type);
		lease = sel(flag_eq(code, DHCP4_OPT_LEASE), off, lease);
		req = sel(flag_eq(code, DHCP4_OPT_REQ_ADDR), off, req);
		off += step;
		/* Computed here, or the compiler keeps every iteration's
		 * selects for the end and spills them. */
		opaque(type);
		opaque(lease);
		opaque(req);
		opaque(off);
	}
	d->type = type;
	d->lease = lease;
	d->req = req;
	return 1;
}

/* The value of the option found at at (dhcp4_options()), len octets of
 * it (1 or 4), in host order: -1 when absent or of another length. */
static __always_inline __s64 dhcp4_value(struct __sk_buff *skb, __u64 at, __u64 len)
{
	__u8 *h = pkt_at(skb, at);

	if (!at || (void *)(h + 2 + len) > (void *)(long)skb->data_end || h[1] != len)
		return -1;
	if (len == 1)
		return h[2];
	return bpf_ntohl(*(__be32 *)(h + 2));
}

VG_SUBPROG int dhcp4_walk_out(struct __sk_buff *skb, __u64 off, __u64 lim,
			      struct dhcp4_info *d)
{
	return dhcp4_options(skb, off, lim, VG_DHCP4_OPTS, d);
}

VG_SUBPROG int dhcp4_walk_in(struct __sk_buff *skb, __u64 off, __u64 lim,
			     struct dhcp4_info *d)
{
	return dhcp4_options(skb, off, lim, VG_DHCP4_OPTS_IN, d);
}

/* The IAADDR options of a DHCPv6 message, by offset: the first
 * VG_DHCP6_MSG_ADDRS of them. */
struct dhcp6_addrs {
	__u64 n;
	__u64 at[VG_DHCP6_MSG_ADDRS];
};

/*
 * The options of the DHCPv6 message whose options start at off, lim the
 * offset its datagram or the window ends at, n of them at most: an IA_NA
 * or IA_TA is entered (its options follow its head and are walked like
 * the others), an IAADDR that fits is taken; the walk ends at the
 * message's end or at an option that does not fit.  Branches and the
 * result as dhcp4_options().
 */
static __always_inline int dhcp6_options(struct __sk_buff *skb, __u64 off, __u64 lim, int n,
					 struct dhcp6_addrs *r)
{
	__u64 got = 0, a0 = 0, a1 = 0, a2 = 0;

	_Static_assert(VG_DHCP6_MSG_ADDRS == 3, "dhcp6_options() keeps three");
#pragma unroll
	for (int i = 0; i < VG_DHCP6_OPTS; i++) {
		__u64 code, len, step, take;
		__be16 *h;

		if (i >= n || off + 4 > lim)
			break;
		h = pkt_at(skb, off);
		if ((void *)(h + 2) > (void *)(long)skb->data_end)
			break;
		code = bpf_ntohs(h[0]);
		len = bpf_ntohs(h[1]);
		if (off + 4 + len > lim)
			break;
		step = sel(flag_eq(code, DHCP6_OPT_IA_NA) & flag_le(DHCP6_IA_NA_HEAD, len),
			   DHCP6_IA_NA_HEAD,
			   sel(flag_eq(code, DHCP6_OPT_IA_TA) & flag_le(DHCP6_IA_TA_HEAD, len),
			       DHCP6_IA_TA_HEAD, len));
		take = flag_eq(code, DHCP6_OPT_IAADDR) & flag_le(DHCP6_IAADDR_LEN, len) &
		       flag_le(got + 1, VG_DHCP6_MSG_ADDRS);
		a0 = sel(take & flag_eq(got, 0), off, a0);
		a1 = sel(take & flag_eq(got, 1), off, a1);
		a2 = sel(take & flag_eq(got, 2), off, a2);
		got += take;
		off += 4 + step;
		opaque(a0);
		opaque(a1);
		opaque(a2);
		opaque(off);
	}
	r->n = got;
	r->at[0] = a0;
	r->at[1] = a1;
	r->at[2] = a2;
	return 1;
}

/* An address DHCPv6 may give a guest, or a guest learn by first use:
 * not ::, ::1, link-local, multicast or IPv4-mapped (::ffff:a.b.c.d is
 * how "protected6" and "parked" name the IPv4 address a.b.c.d, and never
 * appears on the wire: RFC 4291 2.5.5.2). */
static __always_inline int v6_usable(const struct vg_addr6 *a)
{
	__u32 top = bpf_ntohl(a->addr[0]);

	if ((top & 0xffc00000) == 0xfe800000 || (top >> 24) == 0xff)
		return 0;
	if ((a->addr[0] | a->addr[1]) == 0 && a->addr[2] == bpf_htonl(0xffff))
		return 0;
	return (a->addr[0] | a->addr[1] | a->addr[2] |
		(a->addr[3] & ~bpf_htonl(1))) != 0;
}

VG_SUBPROG int dhcp6_walk_out(struct __sk_buff *skb, __u64 off, __u64 lim,
			      struct dhcp6_addrs *r)
{
	return dhcp6_options(skb, off, lim, VG_DHCP6_OPTS, r);
}

/*
 * The IAADDR option at off of a DHCPv6 Reply delivered to ifindex: the
 * lease it gives is learned, or with a valid lifetime of 0 ended.
 * VG_PASS, or why the lease was refused.
 */
VG_SUBPROG __u32 dhcp6_iaaddr(struct __sk_buff *skb, __u32 ifindex, __u64 off)
{
	__be32 *p = pkt_at(skb, off + 4);
	struct vg_addr6 a;
	__u32 valid;

	if ((void *)(p + 6) > (void *)(long)skb->data_end)
		return VG_PASS;
	__builtin_memcpy(&a, p, sizeof(a));
	valid = bpf_ntohl(p[5]);
	if (!v6_usable(&a))
		return VG_PASS;
	if (valid == 0) {
		lease_drop(1, ifindex, &a);
		return VG_PASS;
	}
	return lease_learn(1, ifindex, &a, valid);
}

/* Ends every DHCPv6 lease of ifindex (a Release or Decline of its own). */
VG_SUBPROG __u32 leases6_drop(__u32 ifindex)
{
	struct vg_slot_key sk = { .ifindex = ifindex };

#pragma unroll
	for (int i = VG_LEARN_DHCP4_CAP; i < VG_LEASE_SLOTS; i++) {
		sk.slot = i;
		lease_slot_end(1, &sk);
	}
	return 0;
}

/* ---- Trust on first use (VG_F_LEARN_FIRST) -------------------------- */

/*
 * A source address of ifindex that neither its policy nor a learned entry
 * allows: a (an IPv4 address as ::ffff:a.b.c.d when v6 is 0, IPv4
 * looked up in protected6 as such) becomes the interface's, origin
 * VG_ORIGIN_FIRST, in a free slot of its family in lease_slots (one
 * whose address ended counts as free), unless it is protected or
 * another interface holds it (an ended lease or first-use address of any
 * interface gives way; a parked one, ifindex 0, does not while it
 * lasts), for first_lease_s (0: for ever; first_touch() extends it while
 * the address is used).  VG_PASS, a learn-* reason, or
 * VG_UNDECIDED when a is no address to learn (multicast, loopback,
 * link-local...) or the window has ended: the caller's reason stands.
 * Run only once every configured and learned lookup missed, and once per
 * program for all three source checks.
 */
VG_SUBPROG __u32 learn_first(__u32 ifindex, __u64 v6, const struct vg_addr6 *addr)
{
	struct vg_owner *o, no = { .ifindex = ifindex, .origin = VG_ORIGIN_FIRST };
	struct vg_slot_key sk = { .ifindex = ifindex, .slot = VG_SLOT_WINDOW };
	__u64 now = bpf_ktime_get_ns(), first = 0, n = VG_LEARN_DHCP4_CAP;
	__u32 zero = 0, top = bpf_ntohl(addr->addr[3]) >> 24, v;
	struct vg_addr_room k = { .a = *addr };
	struct vg_addr6 *a = &k.a;
	struct vg_learn_cfg *cfg;
	struct vg_slot *s, ns;

	if (v6) {
		if (!v6_usable(a))
			return VG_UNDECIDED;
		first = VG_LEARN_DHCP4_CAP;
		n = VG_LEARN_DHCP6_CAP;
	} else if (top == 0 || top == 127 || top >= 224) {
		return VG_UNDECIDED;
	}
	s = bpf_map_lookup_elem(&lease_slots, &sk);
	if (s && now >= s->since_ns)
		return VG_UNDECIDED;
	no.expires_ns = VG_LEASE_FOREVER;
	cfg = bpf_map_lookup_elem(&learn_cfg, &zero);
	if (cfg && cfg->first_lease_s)
		no.expires_ns = now + (__u64)cfg->first_lease_s * 1000000000ULL;
	if (bpf_map_lookup_elem(&protected6, a))
		return VG_LEARN_PROTECTED;
	o = bpf_map_lookup_elem(OWNERS(v6), OWNER_KEY(v6, a));
	if (o) {
		if (o->origin < VG_ORIGIN_DHCP || now < o->expires_ns)
			return o->ifindex == ifindex ? VG_PASS : VG_LEARN_CONFLICT;
		learn_forget(v6, a, o);
	}
	/* The first free slot: never one in use, however old. */
#pragma unroll
	for (int i = 0; i < VG_LEARN_DHCP6_CAP; i++) {
		if (i >= n)
			return VG_LEARN_FULL;
		sk.slot = first + i;
		s = bpf_map_lookup_elem(&lease_slots, &sk);
		if (!s || now >= s->since_ns)
			break;
		if (i == VG_LEARN_DHCP6_CAP - 1)
			return VG_LEARN_FULL;
	}
	no.slot = sk.slot;
	v = owner_claim(v6, a, &no);
	if (v != VG_UNDECIDED)
		return v;
	ns.a = *a;
	ns.since_ns = no.expires_ns;
	return slot_take(v6, &lease_slots, &sk, VG_ORIGIN_FIRST, a, &ns);
}

/* The verdict on a source address the policy does not allow (IPv4 or
 * ARP's sender, the caller's reason for refusing it being reason). */
static __always_inline __u32 first_use4(const struct vg_policy *pol, __u32 ifindex,
					__be32 addr, __u32 reason)
{
	struct vg_addr6 a;
	__u32 v;

	if (!(pol->flags & VG_F_LEARN_FIRST))
		return reason;
	v4_mapped(&a, addr);
	v = learn_first(ifindex, 0, &a);
	return v == VG_UNDECIDED ? reason : v;
}

/* The same for an IPv6 source, addr in the packet. */
static __always_inline __u32 first_use6(const struct vg_policy *pol, __u32 ifindex,
					const __be32 *addr)
{
	struct vg_addr6 a;
	__u32 v;

	if (!(pol->flags & VG_F_LEARN_FIRST))
		return VG_IPV6_SRC;
	__builtin_memcpy(&a, addr, sizeof(a));
	v = learn_first(ifindex, 1, &a);
	return v == VG_UNDECIDED ? VG_IPV6_SRC : v;
}

/*
 * A DHCPv4 message the guest on ifindex sends to a server, passed by its
 * policy (hlen and tot_len from its IPv4 header, ulen from its UDP
 * header): a DHCPRELEASE ends the
 * lease of ciaddr, a DHCPDECLINE that of the address it declines.
 */
static __always_inline void dhcp4_from_guest(struct __sk_buff *skb, __u32 ifindex,
					     __u64 hlen, __u64 tot_len, __u64 ulen)
{
	__u64 off = ETH_HLEN + hlen + sizeof(struct udphdr), lim = ETH_HLEN + tot_len;
	struct dhcp4_info d;
	__s64 type, req;
	__be32 *ci, addr;

	pull_headers(skb, VG_DHCP_WINDOW);
	/* The UDP length ends the message when it ends it sooner. */
	if (ETH_HLEN + hlen + ulen < lim)
		lim = ETH_HLEN + hlen + ulen;
	if (lim > VG_DHCP_WINDOW)
		lim = VG_DHCP_WINDOW;
	ci = pkt_at(skb, off + BOOTP_CIADDR);
	if ((void *)(ci + 1) > (void *)(long)skb->data_end)
		return;
	addr = *ci;
	if (!dhcp4_walk_in(skb, off + BOOTP_OPTIONS, lim, &d))
		return;
	type = dhcp4_value(skb, d.type, 1);
	if (type == DHCPDECLINE) {
		req = dhcp4_value(skb, d.req, 4);
		if (req < 0)
			return;
		addr = bpf_htonl(req);
	} else if (type != DHCPRELEASE) {
		return;
	}
	lease_drop4(ifindex, addr);
}

/*
 * A DHCPv6 message the guest on ifindex sends, passed by its policy, its
 * UDP payload from off to lim: a Release or Decline ends its DHCPv6
 * leases, all of them (its next Reply teaches again those it keeps).
 * Reading the addresses it names would take the ingress program past
 * the instructions Linux 4.19 accepts.
 */
static __always_inline void dhcp6_from_guest(struct __sk_buff *skb, __u32 ifindex, __u64 off,
					     __u64 lim)
{
	__u8 *type = pkt_at(skb, off);

	if (off + 4 > lim || (void *)(type + 1) > (void *)(long)skb->data_end)
		return;
	if (*type == DHCP6_RELEASE || *type == DHCP6_DECLINE)
		leases6_drop(ifindex);
}

static __always_inline int v6_unspecified(const __be32 *a)
{
	return (a[0] | a[1] | a[2] | a[3]) == 0;
}

/* ff02::1:ffXX:XXXX, the low 24 bits taken from the target (RFC 4291). */
static __always_inline int v6_solicited_node_of(const __be32 *dst,
						const __be32 *target)
{
	return dst[0] == bpf_htonl(0xff020000) && dst[1] == 0 &&
	       dst[2] == bpf_htonl(1) &&
	       dst[3] == (bpf_htonl(0xff000000) |
			  (target[3] & bpf_htonl(0x00ffffff)));
}

/* IGMP a host sends: v1, v2 and v3 membership reports, v2 leave.
 * Everything else (queries, DVMRP, PIM v1, mtrace, multicast router
 * discovery) is a router's. */
static __always_inline int igmp_host_msg(__u8 type)
{
	return type == IGMP_V1_REPORT || type == IGMP_V2_REPORT ||
	       type == IGMP_V2_LEAVE || type == IGMP_V3_REPORT;
}

/*
 * Past the source check, an IPv4 protocol number or IPv6 next header
 * that only a multicast router sends: IGMP here meaning a fragment of it
 * (whole IGMP is judged by type), PIM (RFC 7761) whatever it carries.
 */
static __always_inline int router_proto(__u8 proto, const struct vg_policy *pol)
{
	if (proto == IPPROTO_IGMP)
		return 1;
	return proto == IPPROTO_PIM && !(pol->flags & VG_F_RA);
}

/*
 * A BOOTREQUEST for one of the interface's MACs (RFC 2131 2): what a
 * switch's DHCP snooping calls "verify mac-address".  c is at the UDP
 * payload, payload its length by the IPv4 header.
 */
static __always_inline int dhcp_chaddr_allowed(struct cursor *c,
					       const struct vg_policy *pol,
					       __u32 payload)
{
	struct bootp_head *b;

	if (payload < sizeof(*b))
		return 0;
	b = parse_hdr(c, struct bootp_head);
	if (!b || b->op != BOOTREQUEST || b->htype != ARP_HTYPE_ETHER ||
	    b->hlen != ETH_ALEN)
		return 0;
	return src_mac_allowed(pol, b->chaddr);
}

/*
 * Source 0.0.0.0: a host before it has an address.  Whole datagrams only
 * (l4 is the UDP or IGMP header, or NULL); c is past that header and
 * payload the octets the IPv4 header says follow it.
 */
static __always_inline __u32 check_ipv4_unspec(const struct iphdr *ip,
					       const struct udphdr *l4,
					       struct cursor *c,
					       const struct vg_policy *pol,
					       __u16 frag, __u32 payload)
{
	/* The NULL test stays a test of the pointer: folded into a boolean
	 * with the fragment bits (xor), Linux 4.19 loses it and follows a
	 * NULL l4 into the reads below. */
	opaque(l4);
	if (!l4 || (frag & (IP4_MF | IP4_OFFSET)))
		return VG_IPV4_SRC;
	/* RFC 3376 4.2.13: reports before the address is known. */
	if (ip->protocol == IPPROTO_IGMP)
		return igmp_host_msg(*(__u8 *)l4) &&
		       (ip->daddr & bpf_htonl(0xf0000000)) ==
			       bpf_htonl(0xe0000000) ?
		       VG_PASS : VG_IPV4_SRC;
	/* DHCP client before it has an address (RFC 2131 4.1). */
	if ((pol->flags & VG_F_DHCP_CLIENT) &&
	    ip->daddr == bpf_htonl(0xffffffff) &&
	    l4->source == bpf_htons(DHCP4_CLIENT_PORT) &&
	    l4->dest == bpf_htons(DHCP4_SERVER_PORT))
		return dhcp_chaddr_allowed(c, pol, payload) ?
		       VG_PASS : VG_DHCP_CHADDR;
	return VG_IPV4_SRC;
}

/*
 * A source other than 0.0.0.0 (l4 and c as for check_ipv4_unspec(),
 * payload unused without l4).
 */
static __always_inline __u32 check_ipv4_from(const struct iphdr *ip,
					     const struct udphdr *l4,
					     struct cursor *c,
					     const struct vg_policy *pol,
					     __u32 ifindex, __u16 frag, __u32 payload)
{
	__u32 verdict;

	if (!v4_allowed(pol, ifindex, ip->saddr)) {
		verdict = first_use4(pol, ifindex, ip->saddr, VG_IPV4_SRC);
		if (verdict != VG_PASS)
			return verdict;
	}
	/* Not UDP or IGMP, or a non-first fragment (no ports): the source
	 * decides, but for the multicast routers' protocols.  A bridge's
	 * snooping reads IGMP in a fragment as if whole (a non-first one
	 * included), and takes a port that sends PIM for a router's. */
	if (!l4)
		return router_proto(ip->protocol, pol) ? VG_IGMP_QUERY : VG_PASS;
	if (ip->protocol == IPPROTO_UDP) {
		/* Clients take replies from any source port (RFC 7610): a
		 * server message is recognised by where it goes. */
		if (l4->dest == bpf_htons(DHCP4_CLIENT_PORT))
			return pol->flags & VG_F_DHCP_SERVER ?
			       VG_PASS : VG_DHCP_SERVER;
		if (l4->dest == bpf_htons(DHCP4_SERVER_PORT) &&
		    !(pol->flags & VG_F_DHCP_SERVER))
			return !(frag & IP4_MF) &&
			       dhcp_chaddr_allowed(c, pol, payload) ?
			       VG_PASS : VG_DHCP_CHADDR;
		return VG_PASS;
	}
	/* No host or router sends IGMP in fragments. */
	return (igmp_host_msg(*(__u8 *)l4) || (pol->flags & VG_F_RA)) &&
	       !(frag & IP4_MF) ? VG_PASS : VG_IGMP_QUERY;
}

/* L3 starts right after the Ethernet header: a VLAN tag is either in
 * skb metadata or the frame is dropped. */
static __always_inline __u32 check_ipv4(struct __sk_buff *skb,
					const struct vg_policy *pol,
					__u32 ifindex)
{
	struct cursor c = {
		.pos = (void *)(long)skb->data + ETH_HLEN,
		.end = (void *)(long)skb->data_end,
	};
	struct udphdr *l4 = NULL;
	struct iphdr *ip;
	__u32 hlen, tot_len, frame, verdict;
	__u16 frag;

	ip = parse_hdr(&c, struct iphdr);
	if (!ip || ip->version != 4 || ip->ihl < 5)
		return VG_IPV4_MALFORMED;
	hlen = ip->ihl * 4;
	tot_len = bpf_ntohs(ip->tot_len);
	frag = bpf_ntohs(ip->frag_off);
	/* skb->len, not data_end: the frame may go on in page fragments. */
	frame = skb->len - ETH_HLEN;
	if (tot_len < hlen || tot_len > frame) {
		/* BIG TCP (Linux >= 6.3): a GSO packet above 64 KiB says 0
		 * and means the frame's length. */
		if (tot_len != 0 || frame <= 0xffff ||
		    ip->protocol != IPPROTO_TCP || (frag & (IP4_MF | IP4_OFFSET)))
			return VG_IPV4_MALFORMED;
		tot_len = frame;
	}
	/* Options (e.g. router alert on IGMP) are skipped, not judged. */
	c.pos = (void *)ip;
	if (!cursor_pull_var(&c, hlen, VG_IPV4_HLEN_MAX))
		return VG_IPV4_MALFORMED;

	/* Only the first fragment (or a whole datagram) has the UDP or IGMP
	 * header; both are 8 octets. */
	if ((ip->protocol == IPPROTO_UDP || ip->protocol == IPPROTO_IGMP) &&
	    !(frag & IP4_OFFSET)) {
		if (tot_len < hlen + sizeof(*l4))
			return VG_IPV4_MALFORMED;
		l4 = parse_hdr(&c, struct udphdr);
		if (!l4)
			return VG_IPV4_MALFORMED;
	}

	if (ip->saddr == 0)
		verdict = check_ipv4_unspec(ip, l4, &c, pol, frag,
					    tot_len - hlen - sizeof(*l4));
	else
		verdict = check_ipv4_from(ip, l4, &c, pol, ifindex, frag,
					  tot_len - hlen - sizeof(*l4));
	/* A whole message to a DHCP server, passed: a Release or Decline
	 * ends a lease (read last, after a pull).  Nothing above pulled, so
	 * l4 still points into the packet. */
	if (verdict == VG_PASS && (pol->flags & VG_F_LEARN_DHCP) && l4 &&
	    ip->protocol == IPPROTO_UDP && l4->dest == bpf_htons(DHCP4_SERVER_PORT) &&
	    !(frag & IP4_MF))
		dhcp4_from_guest(skb, ifindex, hlen, tot_len, bpf_ntohs(l4->len));
	return verdict;
}

static __always_inline __u32 check_arp(struct __sk_buff *skb,
				       const struct vg_policy *pol,
				       __u32 ifindex)
{
	struct cursor c = {
		.pos = (void *)(long)skb->data,
		.end = (void *)(long)skb->data_end,
	};
	struct ethhdr *eth;
	struct arp_eth *arp;

	eth = parse_hdr(&c, struct ethhdr);
	if (!eth)
		return VG_MALFORMED;
	arp = parse_hdr(&c, struct arp_eth);
	if (!arp || arp->htype != bpf_htons(ARP_HTYPE_ETHER) ||
	    arp->ptype != bpf_htons(ETH_P_IP) ||
	    arp->hlen != ETH_ALEN || arp->plen != 4 ||
	    (arp->op != bpf_htons(ARP_OP_REQUEST) &&
	     arp->op != bpf_htons(ARP_OP_REPLY)))
		return VG_ARP_MALFORMED;
	if (!mac_equal(arp->sha, eth->h_source))
		return VG_ARP_SHA;
	/*
	 * ARP probe (RFC 5227 2.1.1): sender IP all zero, a request, for an
	 * address this interface may use.  A probe for a neighbour's address
	 * makes the neighbour's DHCP client decline its lease.
	 */
	if (arp->spa == 0) {
		if (arp->op != bpf_htons(ARP_OP_REQUEST))
			return VG_ARP_SPA;
		return arp->tpa && v4_allowed(pol, ifindex, arp->tpa) ?
			VG_PASS : VG_ARP_TPA;
	}
	/* Covers announcements and gratuitous ARP (spa == tpa) too. */
	if (!v4_allowed(pol, ifindex, arp->spa))
		return first_use4(pol, ifindex, arp->spa, VG_ARP_SPA);
	return VG_PASS;
}

/*
 * Neighbour Discovery options (RFC 4861 4.6): each at least 8 octets,
 * length never 0.  A link-layer address option must name the frame's
 * source MAC; a DAD solicitation must carry none (RFC 4861 7.2.2).
 * rem counts the octets of the IPv6 payload left at the cursor, all of
 * them within the read window.
 */
static __always_inline __u32 check_nd_opts(struct cursor *c, __u64 rem,
					   const __u8 *mac, int dad)
{
#pragma unroll
	for (int i = 0; i < VG_ND_OPTS; i++) {
		struct nd_opt *o;
		__u32 len;

		if (rem == 0)
			return VG_PASS;
		o = c->pos;
		if (rem < sizeof(*o) || (void *)(o + 1) > c->end)
			return VG_ND_MALFORMED;
		len = o->len * 8;
		if (len == 0 || len > rem)
			return VG_ND_MALFORMED;
		if (o->type == ND_OPT_SLLA || o->type == ND_OPT_TLLA) {
			if (o->len != 1)
				return VG_ND_MALFORMED;
			if (dad && o->type == ND_OPT_SLLA)
				return VG_ND_LLADDR;
			if (!mac_equal(o->lladdr, mac))
				return VG_ND_LLADDR;
		}
		cursor_skip(c, len, VG_ND_OPT_MAX);
		rem -= len;
	}
	return rem == 0 ? VG_PASS : VG_ND_MALFORMED;
}

/*
 * Payload length 0: a jumbogram (RFC 2675), genuine here only as BIG TCP
 * sends it (Linux >= 5.19 behind veth or tap): above 64 KiB, TCP, either
 * after a first hop-by-hop header of 8 octets that holds nothing but the
 * Jumbo Payload option with the real length, or (Linux >= 6.18) right
 * after the fixed header, the length taken from the frame.  frame is what
 * the frame holds after the fixed header.
 */

static __always_inline int ipv6_big_tcp(const struct ipv6hdr *ip6,
					__u64 frame, void *data_end)
{
	const struct ip6_exthdr *h = (const void *)(ip6 + 1);

	if (frame <= 0xffff)
		return 0;
	if (ip6->nexthdr == IPPROTO_TCP)
		return 1;
	if (ip6->nexthdr != IPPROTO_HOPOPTS || (void *)(h + 1) > data_end)
		return 0;
	return h->nexthdr == IPPROTO_TCP && h->hdrlen == 0 &&
	       h->frag_off == bpf_htons(IP6_OPT_JUMBO << 8 | IP6_OPT_JUMBO_LEN) &&
	       h->data == bpf_htonl(frame);
}

/*
 * The extension headers from *off, within the rem octets left of the
 * payload: on return *off, *rem and *nh are those of the upper layer and
 * *frag says whether a fragment header was met.  Returns VG_UNDECIDED to
 * go on to the upper layer, or the verdict.
 */
static __always_inline __u32 ipv6_exthdrs(struct __sk_buff *skb, void *data_end, __u64 *offp,
					  __u64 *remp, __u64 *nhp, __u64 *fragp, int unspec)
{
	__u64 off = *offp, rem = *remp, nh = *nhp, frag = 0;

	/* RFC 7112: the first fragment holds the whole chain, so a chain
	 * longer than the bound or cut short is dropped, never skipped. */
#pragma unroll
	for (int i = 0; i < VG_V6_EXTHDRS; i++) {
		__u64 ext = ip6_is_exthdr(nh);
		__u64 is_frag = flag_eq(nh, IPPROTO_FRAGMENT);
		__u64 is_ah = flag_eq(nh, IPPROTO_AH);
		__u64 at = pick(ext, off, 0);
		struct ip6_exthdr *h;
		__u64 len;

		/* Once past the chain, read the frame's first octets again,
		 * harmless. */
		h = pkt_at(skb, at);
		if ((void *)(h + 1) > data_end ||
		    at > VG_WINDOW_V6 - sizeof(*h))
			return VG_IPV6_EXTHDR;
		/* Lengths: AH in 4-octet units (RFC 4302), the fragment header
		 * fixed, the others in 8-octet units, first 8 not counted. */
		len = pick(is_ah, (h->hdrlen + 2) << 2, (h->hdrlen + 1) << 3);
		len = pick(is_frag, sizeof(*h), len);
		len = pick(ext, len, 0);
		if (len > rem)
			return VG_IPV6_EXTHDR;
		/* Non-first fragments carry no upper layer: source alone. */
		if (ext & is_frag &
		    flag_nonzero(h->frag_off & bpf_htons(IP6_FRAG_OFFSET)))
			return unspec ? VG_IPV6_UNSPEC_SRC : VG_PASS;
		frag |= ext & is_frag;
		rem -= len;
		off += len;
		nh = pick(ext, h->nexthdr, nh);
	}
	if (ip6_is_exthdr(nh))
		return VG_IPV6_EXTHDR;
	*offp = off;
	*remp = rem;
	*nhp = nh;
	*fragp = frag;
	return VG_UNDECIDED;
}

/*
 * ICMPv6 at off (rem octets from there to the payload's end): multicast
 * queriers, RA-Guard, and ND's target and options.  frag: the packet
 * came in a fragment; unspec: its source is "::".
 */
static __always_inline __u32 check_icmp6(struct __sk_buff *skb, struct cursor *cur,
					 const struct vg_policy *pol, __u32 ifindex,
					 const struct ipv6hdr *ip6, const struct ethhdr *eth,
					 __u64 off, __u64 rem, __u64 frag, int unspec)
{
	struct cursor c = *cur;
	struct icmp6hdr *icmp;
	struct nd_ns_na *nd = NULL;
	const __be32 *learn = NULL;	/* a target to learn, in the packet */
	__u32 verdict;
	__u64 fixed;
	__u8 type;

	/* Type, code and checksum: a multicast router solicitation or
	 * termination (RFC 4286) is no more. */
	icmp = c.pos;
	if (c.pos + ICMP6_HDR_LEN > c.end || rem < ICMP6_HDR_LEN ||
	    off > VG_WINDOW_V6 - ICMP6_HDR_LEN)
		return VG_IPV6_MALFORMED;
	type = icmp->icmp6_type;

	/* RFC 6980: no ND in fragments, atomic fragments included. */
	if (frag && type >= ICMP6_ND_RS && type <= ICMP6_ND_REDIRECT)
		return VG_ND_FRAGMENT;
	/* RFC 3810 5.2.13: reports may come from "::" before DAD is done. */
	if (unspec && type != ICMP6_ND_NS)
		return (type == ICMP6_MLD_REPORT || type == ICMP6_MLD2_REPORT) ?
			VG_PASS : VG_IPV6_UNSPEC_SRC;
	/* Multicast queriers: a silent winner of the election starves
	 * everyone's group memberships. */
	if (type < ICMP6_ND_RS || type > ICMP6_ND_REDIRECT)
		return (type == ICMP6_MLD_QUERY || type == ICMP6_MRD_ADVERT ||
			type == ICMP6_MRD_TERM) && !(pol->flags & VG_F_RA) ?
		       VG_MLD_QUERY : VG_PASS;
	/* RA-Guard (RFC 6105). */
	if (type == ICMP6_ND_RA && !(pol->flags & VG_F_RA))
		return VG_RA;
	if (type == ICMP6_ND_REDIRECT && !(pol->flags & VG_F_RA))
		return VG_REDIRECT;
	/* RFC 4861: ND from off-link arrives with a decremented hop limit. */
	if (ip6->hop_limit != 255)
		return VG_ND_HOPLIMIT;
	/* Its target link-layer option names the better next hop. */
	if (type == ICMP6_ND_REDIRECT)
		return VG_PASS;

	/* The whole message, options included, within the read window. */
	if (off + rem > VG_WINDOW_V6)
		return VG_ND_MALFORMED;
	if (type == ICMP6_ND_NS || type == ICMP6_ND_NA) {
		fixed = sizeof(*nd);
		nd = parse_hdr(&c, struct nd_ns_na);
		if (!nd || rem < fixed)
			return VG_ND_MALFORMED;
		if (type == ICMP6_ND_NA || unspec) {
			if (v6_unspecified(nd->target))
				return VG_ND_TARGET;
			if (!v6_allowed(pol, ifindex, nd->target, eth->h_source)) {
				/* A DAD probe for a link-local address the
				 * interface may learn, once it proves valid. */
				if (!unspec || !(pol->flags & VG_F_LEARN_LL) ||
				    !v6_link_local(nd->target))
					return VG_ND_TARGET;
				learn = nd->target;
			}
		}
		if (unspec && !v6_solicited_node_of(ip6->daddr.in6_u.u6_addr32,
						    nd->target))
			return VG_IPV6_UNSPEC_SRC;
	} else {
		fixed = type == ICMP6_ND_RS ? ND_RS_LEN : ND_RA_LEN;
		if (rem < fixed)
			return VG_ND_MALFORMED;
	}
	c.pos = pkt_at(skb, off + fixed);
	verdict = check_nd_opts(&c, rem - fixed, eth->h_source, unspec);
	if (verdict == VG_PASS && learn) {
		struct vg_addr6 a;

		__builtin_memcpy(&a, learn, sizeof(a));
		verdict = learn_dad(ifindex, &a);
	}
	return verdict;
}

/* The upper layer at off, once the extension headers are walked. */
static __always_inline __u32 check_ipv6_upper(struct __sk_buff *skb, struct cursor *cur,
					      const struct vg_policy *pol, __u32 ifindex,
					      const struct ipv6hdr *ip6, const struct ethhdr *eth,
					      __u64 off, __u64 rem, __u64 nh, __u64 frag,
					      int unspec)
{
	struct cursor c = *cur;

	c.pos = pkt_at(skb, off);
	if (nh == IPPROTO_UDP) {
		struct udphdr *udp = parse_hdr(&c, struct udphdr);

		if (unspec)
			return VG_IPV6_UNSPEC_SRC;
		if (!udp || rem < sizeof(*udp) ||
		    off > VG_WINDOW_V6 - sizeof(*udp))
			return VG_IPV6_MALFORMED;
		/* Clients take replies from any source port (RFC 7610). */
		if (udp->dest == bpf_htons(DHCP6_CLIENT_PORT) &&
		    !(pol->flags & VG_F_DHCP_SERVER))
			return VG_DHCPV6_SERVER;
		/* A whole message right after the fixed header, as the egress
		 * program reads Replies; the UDP length ends it when sooner. */
		if (udp->dest == bpf_htons(DHCP6_SERVER_PORT) &&
		    (pol->flags & VG_F_LEARN_DHCP) && off == ETH_HLEN + sizeof(*ip6))
			dhcp6_from_guest(skb, ifindex, off + sizeof(*udp),
					 off + (bpf_ntohs(udp->len) < rem ? bpf_ntohs(udp->len) : rem));
		return VG_PASS;
	}
	if (nh != IPPROTO_ICMPV6) {
		if (unspec)
			return VG_IPV6_UNSPEC_SRC;
		return nh == IPPROTO_PIM && !(pol->flags & VG_F_RA) ?
		       VG_MLD_QUERY : VG_PASS;
	}

	return check_icmp6(skb, &c, pol, ifindex, ip6, eth, off, rem, frag, unspec);
}

static __always_inline __u32 check_ipv6(struct __sk_buff *skb,
					const struct vg_policy *pol,
					__u32 ifindex)
{
	struct cursor c;
	struct ethhdr *eth;
	struct ipv6hdr *ip6;
	void *data_end;
	__u64 off, rem, nh, frame, frag = 0;
	__u32 verdict;
	int unspec;

	c.pos = (void *)(long)skb->data + ETH_HLEN;
	c.end = (void *)(long)skb->data_end;
	ip6 = parse_hdr(&c, struct ipv6hdr);
	if (!ip6)
		return VG_IPV6_MALFORMED;
	if (ip6->nexthdr != IPPROTO_TCP && ip6->nexthdr != IPPROTO_UDP) {
		pull_headers(skb, VG_PULL_LEN_V6);
		c.pos = (void *)(long)skb->data + ETH_HLEN;
		c.end = (void *)(long)skb->data_end;
		ip6 = parse_hdr(&c, struct ipv6hdr);
		if (!ip6)
			return VG_IPV6_MALFORMED;
	}
	eth = (void *)(long)skb->data;
	data_end = c.end;
	if (ip6->version != 6)
		return VG_IPV6_MALFORMED;
	frame = skb->len - ETH_HLEN - sizeof(*ip6);
	rem = bpf_ntohs(ip6->payload_len);
	/* "::" is judged once the upper layer is known (RFC 4862 5.4). */
	unspec = v6_unspecified(ip6->saddr.in6_u.u6_addr32);
	/* A jumbogram is decided by its source, TCP being all that is left:
	 * a payload length above 64 KiB carried on through the walk would
	 * have the verifier check all of it twice. */
	if (rem == 0) {
		if (!ipv6_big_tcp(ip6, frame, data_end))
			return VG_IPV6_MALFORMED;
		if (unspec)
			return VG_IPV6_UNSPEC_SRC;
	} else if (rem > frame) {
		return VG_IPV6_MALFORMED;
	}
	if (!unspec && !v6_allowed(pol, ifindex, ip6->saddr.in6_u.u6_addr32,
				   eth->h_source)) {
		verdict = first_use6(pol, ifindex, ip6->saddr.in6_u.u6_addr32);
		if (verdict != VG_PASS)
			return verdict;
	}
	if (rem == 0)
		return VG_PASS;

	off = ETH_HLEN + sizeof(*ip6);
	nh = ip6->nexthdr;
	if (ip6_is_exthdr(nh)) {
		verdict = ipv6_exthdrs(skb, data_end, &off, &rem, &nh, &frag, unspec);
		if (verdict != VG_UNDECIDED)
			return verdict;
	}
	return check_ipv6_upper(skb, &c, pol, ifindex, ip6, eth, off, rem, nh, frag, unspec);
}

/*
 * An 802.1Q tag of VLAN 0 carries a priority only (802.1p; Windows with
 * "Packet Priority & VLAN", DCB): receivers take the frame as untagged,
 * so it is checked as one, without 0x8100 allowed.
 */
static __always_inline int priority_tag(const struct __sk_buff *skb)
{
	return skb->vlan_proto == bpf_htons(ETH_P_8021Q) &&
	       (skb->vlan_tci & VLAN_VID_MASK) == 0;
}

static __always_inline __u32 classify(struct __sk_buff *skb,
				      const struct vg_policy *pol, __u32 ifindex)
{
	struct cursor c;
	struct ethhdr *eth;
	__be16 proto;

	/* VG_MODE_INVALID (a zeroed value) drops as well.  Locked costs one
	 * comparison, as before audit mode; audit one more. */
	if (pol->mode != VG_MODE_LOCKED && pol->mode != VG_MODE_AUDIT)
		return VG_DISABLED;

	pull_headers(skb, VG_PULL_LEN);
	c.pos = (void *)(long)skb->data;
	c.end = (void *)(long)skb->data_end;
	eth = parse_hdr(&c, struct ethhdr);
	if (!eth)
		return VG_MALFORMED;
	/* Group bit: multicast and broadcast are never a sender. */
	if (eth->h_source[0] & 1)
		return VG_SRC_MAC_MCAST;
	if (!src_mac_allowed(pol, eth->h_source))
		return VG_SRC_MAC;

	/*
	 * VLAN: devices (veth, vif and tap included) move the outer tag into
	 * skb metadata before tc ingress, so the frame inside it starts right
	 * after the Ethernet header and is checked like an untagged one.  A
	 * tag still in the frame is a second one (802.1ad over 802.1Q), or
	 * a frame no device has seen (a test run): dropped.
	 */
	if (skb->vlan_present && !ethertype_allowed(pol, skb->vlan_proto) &&
	    !priority_tag(skb))
		return VG_VLAN;
	/* One 16-bit load: struct ethhdr is packed, so eth->h_proto would
	 * be read a byte at a time.  Offset 12 is even. */
	proto = *(const __be16 *)((const __u8 *)eth + 12);
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD))
		return VG_VLAN;

	switch (proto) {
	case bpf_htons(ETH_P_IP):
		return check_ipv4(skb, pol, ifindex);
	case bpf_htons(ETH_P_ARP):
		return check_arp(skb, pol, ifindex);
	case bpf_htons(ETH_P_IPV6):
		return check_ipv6(skb, pol, ifindex);
	}
	/* 802.3 length field, not an ethertype. */
	if (bpf_ntohs(proto) < ETH_P_802_3_MIN)
		return VG_ETHERTYPE;
	return ethertype_allowed(pol, proto) ? VG_PASS : VG_ETHERTYPE;
}

/*
 * The policy of ifindex, or NULL.  "live" is read first and once: only
 * after a program saw it 1 does it read the ifindex and the policy, which
 * the loader writes before it sets live and changes only a grace period
 * after it cleared it.  The compiler barrier keeps those reads below the
 * read of live; the CPU keeps loads in order on x86 (the loader waits a
 * grace period before publishing on other architectures).
 */
static __always_inline const struct vg_policy *policy_of(__u32 ifindex)
{
	__u32 key = ifindex & (VG_POLICY_ENTRIES - 1);
	struct vg_policy_entry *e;

	e = bpf_map_lookup_elem(&policy, &key);
	if (e && *(volatile __u8 *)&e->live) {
		asm volatile("" ::: "memory");
		if (e->ifindex == ifindex)
			return &e->pol;
	}
	return bpf_map_lookup_elem(&policy_spill, &ifindex);
}

SEC("tc")
int vifguard(struct __sk_buff *skb)
{
	__u32 ifindex = skb->ifindex;
	const struct vg_policy *pol;
	__u32 reason = VG_NO_POLICY;
	__u16 audit = 0;

	pol = policy_of(ifindex);
	if (pol) {
		reason = classify(skb, pol, ifindex);
		if (reason == VG_PASS) {
			count_pass(pol);
			return TC_ACT_OK;
		}
		/* Read here, where pol is known not to be NULL: Linux 4.19
		 * would not tie a later test of pol to its spilled copy. */
		if (pol->mode == VG_MODE_AUDIT)
			audit = VG_EVENT_F_AUDIT;
	}
	/* The one drop path: counters, then the event.  In audit mode the
	 * frame is counted and reported as a drop, and passes. */
	count_drop(pol, ifindex, reason);
	report_drop(skb, ifindex, reason, audit);
	return audit ? TC_ACT_OK : TC_ACT_SHOT;
}

/*
 * What an RA delivered to a guest teaches, when it came from outside the
 * guests (an uplink, or the host itself): its source is a router's,
 * protected from learning while it advertises, and no longer any guest's
 * learned address.  since_ns of an RA entry is when its source was last
 * heard: the loader ends an entry not heard for VG_PROTECT_RA_TTL_S and
 * makes room in a full map by the least recently heard.
 */
static __always_inline void snoop_ra(__u32 ifindex, const struct vg_addr6 *src)
{
	struct vg_protect p = { .why = VG_PROTECT_RA, .ifindex = ifindex }, *cur;
	struct vg_owner *o;

	if (!v6_link_local(src->addr))
		return;
	cur = bpf_map_lookup_elem(&protected6, src);
	if (!cur) {
		p.since_ns = bpf_ktime_get_ns();
		bpf_map_update_elem(&protected6, src, &p, BPF_NOEXIST);
	} else if (cur->why == VG_PROTECT_RA) {
		cur->since_ns = bpf_ktime_get_ns();
	}
	o = bpf_map_lookup_elem(&learned6, src);
	if (o && o->origin >= VG_ORIGIN_DAD)
		learn_forget(1, src, o);
}

/* An NA delivered to the interface that learned its target: another node
 * defends the address, the learner's DAD failed (RFC 4862 5.4.4).  One
 * from the guest's own MAC is its own, reflected by a bridge port in
 * hairpin mode: no defence. */
static __always_inline void snoop_na(const struct vg_policy *pol, __u32 ifindex,
				    const __u8 *src_mac, const struct vg_addr6 *target)
{
	struct vg_owner *o;

	if (src_mac_allowed(pol, src_mac))
		return;
	o = bpf_map_lookup_elem(&learned6, target);

	if (o && o->ifindex == ifindex && o->origin >= VG_ORIGIN_DAD)
		learn_forget(1, target, o);
}

/* A lease the egress program refused on an interface with a policy is
 * counted under its reason, as a drop is, and reported as an event of
 * its own (VG_EVENT_F_LEARN); the message itself is delivered.  One copy
 * in the program, whatever the number of refusals that call it. */
VG_SUBPROG int count_refusal(struct __sk_buff *skb, __u32 ifindex, __u32 reason)
{
	if (reason == VG_PASS)
		return 0;
	count_total(reason);
	count_iface(ifindex, reason);
	report_drop(skb, ifindex, reason, VG_EVENT_F_LEARN);
	return 0;
}

/*
 * A DHCP server message delivered to a guest teaches only when a server
 * sent it: from outside the guests (an uplink, the host itself), or a
 * guest whose policy lets it serve DHCP.
 */
static __always_inline int dhcp_server_sent(const struct __sk_buff *skb)
{
	const struct vg_policy *src = policy_of(skb->ingress_ifindex);

	return !src || (src->flags & VG_F_DHCP_SERVER);
}

/*
 * A DHCPv4 message delivered to ifindex: an ACK to one of its MACs gives
 * it yiaddr for the lease, a NAK to one of them ends its IPv4 leases.
 */
static __always_inline void out_dhcp4(struct __sk_buff *skb, const struct vg_policy *pol,
				      __u32 ifindex)
{
	__u64 off, lim, tot;
	struct dhcp4_info d;
	__s64 type, lease;
	struct udphdr *udp;
	struct iphdr *ip;
	__u32 yi;
	__u8 *b;
	void *end;

	/* The headers first: only a message to port 68 is pulled whole. */
	pull_headers(skb, VG_PULL_LEN);
	end = (void *)(long)skb->data_end;
	ip = (void *)(long)skb->data + ETH_HLEN;
	if ((void *)(ip + 1) > end || ip->version != 4 || ip->ihl < 5 ||
	    ip->protocol != IPPROTO_UDP ||
	    (ip->frag_off & bpf_htons(IP4_MF | IP4_OFFSET)))
		return;
	off = ETH_HLEN + ip->ihl * 4;
	tot = ETH_HLEN + bpf_ntohs(ip->tot_len);
	if (tot > skb->len)
		return;
	udp = pkt_at(skb, off);
	if ((void *)(udp + 1) > end || udp->dest != bpf_htons(DHCP4_CLIENT_PORT))
		return;
	lim = off + bpf_ntohs(udp->len);
	if (lim > tot)
		lim = tot;
	if (lim > VG_DHCP_WINDOW)
		lim = VG_DHCP_WINDOW;
	off += sizeof(*udp);
	if (off + BOOTP_OPTIONS > lim)
		return;
	pull_headers(skb, VG_DHCP_WINDOW);
	end = (void *)(long)skb->data_end;
	b = pkt_at(skb, off);
	if ((void *)(b + BOOTP_OPTIONS) > end || b[0] != BOOTREPLY ||
	    b[1] != ARP_HTYPE_ETHER || b[2] != ETH_ALEN ||
	    !src_mac_allowed(pol, b + BOOTP_CHADDR) || !dhcp_server_sent(skb))
		return;
	yi = bpf_ntohl(*(__be32 *)(b + BOOTP_YIADDR));
	if (!dhcp4_walk_out(skb, off + BOOTP_OPTIONS, lim, &d))
		return;
	type = dhcp4_value(skb, d.type, 1);
	if (type == DHCPNAK) {
		leases4_drop(ifindex);
		return;
	}
	lease = dhcp4_value(skb, d.lease, 4);
	/* A unicast yiaddr: not 0/8, 127/8, multicast, class E, broadcast. */
	if (type != DHCPACK || lease < 0 || (yi >> 24) == 0 || (yi >> 24) == 127 ||
	    (yi >> 24) >= 224)
		return;
	count_refusal(skb, ifindex, lease_learn4(ifindex, bpf_htonl(yi), lease));
}

/* A DHCPv6 message delivered to ifindex, its UDP header right after the
 * fixed IPv6 header: a Reply to one of its MACs gives it (or, with a
 * valid lifetime of 0, takes back) the addresses of its IAs. */
static __always_inline void out_dhcp6(struct __sk_buff *skb, const struct vg_policy *pol,
				      __u32 ifindex)
{
	__u64 off = ETH_HLEN + sizeof(struct ipv6hdr), lim;
	struct dhcp6_addrs r;
	struct ipv6hdr *ip6;
	struct udphdr *udp;
	struct ethhdr *eth;
	__u8 *type;
	void *end;

	/* The caller pulled VG_PULL_LEN: only a Reply is pulled whole. */
	end = (void *)(long)skb->data_end;
	eth = (void *)(long)skb->data;
	ip6 = (void *)(eth + 1);
	udp = (void *)(ip6 + 1);
	type = (void *)(udp + 1);
	if ((void *)(type + 1) > end || ip6->version != 6 ||
	    udp->dest != bpf_htons(DHCP6_CLIENT_PORT) || *type != DHCP6_REPLY ||
	    !src_mac_allowed(pol, eth->h_dest) || !dhcp_server_sent(skb))
		return;
	lim = off + bpf_ntohs(ip6->payload_len);
	if (lim > skb->len)
		return;
	if (off + bpf_ntohs(udp->len) < lim)
		lim = off + bpf_ntohs(udp->len);
	pull_headers(skb, VG_DHCP_WINDOW);
	if (lim > VG_DHCP_WINDOW)
		lim = VG_DHCP_WINDOW;
	if (!dhcp6_walk_out(skb, off + sizeof(*udp) + 4, lim, &r))
		return;
	if (r.n > 0)
		count_refusal(skb, ifindex, dhcp6_iaaddr(skb, ifindex, r.at[0]));
	if (r.n > 1)
		count_refusal(skb, ifindex, dhcp6_iaaddr(skb, ifindex, r.at[1]));
	if (r.n > 2)
		count_refusal(skb, ifindex, dhcp6_iaaddr(skb, ifindex, r.at[2]));
}

/*
 * tc egress: what the host delivers to a guest.  Never drops; reads the
 * Router and Neighbour Advertisements that link-local learning depends
 * on, and for an interface that learns by DHCP the server messages
 * delivered to it.  Any other frame costs the policy lookup and a few
 * comparisons.
 */
SEC("tc")
int vifguard_out(struct __sk_buff *skb)
{
	__u32 ifindex = skb->ifindex;
	const struct vg_policy *pol;
	struct vg_addr6 a;
	struct ethhdr *eth;
	struct ipv6hdr *ip6;
	struct icmp6hdr *icmp;
	struct cursor c;

	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		pol = policy_of(ifindex);
		if (pol && (pol->flags & VG_F_LEARN_DHCP))
			out_dhcp4(skb, pol, ifindex);
		return TC_ACT_OK;
	}
	if (skb->protocol != bpf_htons(ETH_P_IPV6))
		return TC_ACT_OK;
	pol = policy_of(ifindex);
	if (!pol)
		return TC_ACT_OK;
	pull_headers(skb, VG_PULL_LEN);
	c.pos = (void *)(long)skb->data;
	c.end = (void *)(long)skb->data_end;
	eth = parse_hdr(&c, struct ethhdr);
	if (!eth)
		return TC_ACT_OK;
	ip6 = parse_hdr(&c, struct ipv6hdr);
	if (!ip6)
		return TC_ACT_OK;
	if (ip6->nexthdr == IPPROTO_UDP) {
		if (pol->flags & VG_F_LEARN_DHCP)
			out_dhcp6(skb, pol, ifindex);
		return TC_ACT_OK;
	}
	if (ip6->nexthdr != IPPROTO_ICMPV6 || ip6->hop_limit != 255)
		return TC_ACT_OK;
	icmp = c.pos;
	if ((void *)(icmp + 1) > c.end)
		return TC_ACT_OK;
	if (icmp->icmp6_type == ICMP6_ND_RA) {
		/* A guest's RA that got here passed its own policy (a router
		 * VM, or audit mode): its address is that guest's, whether
		 * configured or learned, not one to take away from it. */
		if (policy_of(skb->ingress_ifindex))
			return TC_ACT_OK;
		__builtin_memcpy(&a, ip6->saddr.in6_u.u6_addr32, sizeof(a));
		snoop_ra(ifindex, &a);
	} else if (icmp->icmp6_type == ICMP6_ND_NA) {
		struct nd_ns_na *nd = parse_hdr(&c, struct nd_ns_na);

		if (!nd)
			return TC_ACT_OK;
		__builtin_memcpy(&a, nd->target, sizeof(a));
		snoop_na(pol, ifindex, eth->h_source, &a);
	}
	return TC_ACT_OK;
}
