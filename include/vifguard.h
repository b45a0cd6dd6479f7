/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Types shared by the tc program (bpf/) and the loader (loader/).
 * Only <linux/types.h> here: this header is compiled for the BPF target
 * and for user space alike, so no libc types.
 *
 * The policy of an interface sits in map "policy", an array indexed by
 * ifindex % VG_POLICY_ENTRIES, when that entry is free; otherwise (two
 * interfaces whose ifindexes share an entry) in the hash "policy_spill",
 * keyed by the ifindex.  The array costs the data path no call (the
 * verifier inlines its lookup); the hash costs one lookup more.
 *
 * An array entry is published, changed and retired in an order that
 * keeps the data path from ever using a half-written policy: its "live"
 * byte is the only byte a write flips while a program may read the
 * entry, and the ifindex and policy change only while it is 0 and a
 * grace period after the last program that saw it 1 (see loader/state_store.c).
 * A change to the policy of an attached interface goes through the hash:
 * the new policy is written there, the array entry is retired (the
 * commit point), rewritten and published again.
 *
 * The first addresses sit in the policy itself (no lookup on the common
 * path); further ones and prefixes go to the LPM tries under a generation
 * number: the loader writes a new set under the other generation, switches
 * the policy and then deletes the old set.
 */
#ifndef VIFGUARD_H
#define VIFGUARD_H

#include <linux/types.h>

/* The maps' layout (their types, key and value sizes, and the meaning
 * of their fields), as `vifguard --version` reports it and map "layout"
 * records it under the root.  A state of an older layout is migrated
 * with every guest filtered throughout (loader/state_upgrade.c); a newer
 * one is refused.  Bump it with any such change, and the sizes asserted
 * at the end of this file with it, and teach state_upgrade.c the step.
 *   1  the first; no "layout" map; "totals" one struct of 30 counters.
 *   2  "layout"; "totals" one counter per key, room for new reasons.
 *   3  "learned6", "learn_slots", "protected6"; VG_F_LEARN_LL; the
 *      egress program "vifguard_out".
 *   4  "learned4", "lease_slots", "learn_cfg"; VG_F_LEARN_DHCP; origin
 *      VG_ORIGIN_DHCP in "learned6".
 *   5  VG_F_LEARN_FIRST, origin VG_ORIGIN_FIRST, the learning window
 *      slot of "lease_slots", vg_learn_cfg.first_lease_s; "parked". */
#define VG_MAP_LAYOUT		5

/* Map sizes.  "policy_spill", "drops" and the tries are created with
 * BPF_F_NO_PREALLOC: ceilings, not memory reserved up front; "policy" and
 * "passes" are arrays, allocated in full. */
#define VG_MAX_IFACES		8192	/* policies; also the counter slots */
#define VG_POLICY_ENTRIES	4096	/* "policy" array; a power of 2 */
#define VG_MAX_V4_ADDRS		65536	/* v4_addrs entries, all interfaces */
#define VG_MAX_V6_ADDRS		65536
#define VG_MAX_DROP_COUNTERS	4096	/* (interface, reason) pairs in "drops" */

/* Per-interface limits, enforced by the loader. */
#define VG_MAX_MACS		4
#define VG_MAX_ETHERTYPES	4
#define VG_MAX_ADDRS		64	/* per family, hosts and prefixes */
#define VG_INLINE_V4		2	/* IPv4 hosts kept in the policy */
#define VG_INLINE_V6		2	/* IPv6 hosts kept in the policy */
#define VG_IFNAMSIZ		16

enum vg_mode {
	VG_MODE_INVALID = 0,	/* never written: reads as "drop" */
	VG_MODE_LOCKED = 1,	/* every check */
	VG_MODE_DISABLED = 2,	/* drop everything */
	/* Every check, and a frame that fails one is counted under its
	 * reason and reported (VG_EVENT_F_AUDIT) but passes.  A program
	 * older than this mode reads it as "drop". */
	VG_MODE_AUDIT = 3,
};

/* vg_policy.flags */
#define VG_F_DHCP_CLIENT	(1U << 0)	/* 0.0.0.0:68 -> 255.255.255.255:67 */
#define VG_F_DHCP_SERVER	(1U << 1)	/* may send UDP to 68 and 546, any UDP to 67 */
#define VG_F_RA			(1U << 2)	/* may act as a router: RA, Redirect, IGMP/MLD queries */
#define VG_F_LINK_LOCAL		(1U << 3)	/* EUI-64 fe80:: of the source MAC allowed */
#define VG_F_V4_TABLE		(1U << 4)	/* more IPv4 addresses in v4_addrs */
#define VG_F_V6_TABLE		(1U << 5)	/* more IPv6 addresses in v6_addrs */
/* Set by `vifguard attach`: the operator's policy, which hotplug,
 * setup-vif-rules and sync leave in force until `vifguard release`.
 * The program does not read it. */
#define VG_F_OPERATOR		(1U << 6)
/* Which source set a policy that is not the operator's, for show and
 * stats: two bits, VG_F_SRC_* << VG_F_SRC_SHIFT; 0 for a policy written
 * before the source was recorded.  The program does not read them. */
#define VG_F_SRC_SHIFT		7
#define VG_F_SRC_MASK		(3U << VG_F_SRC_SHIFT)
#define VG_F_SRC_XAPI		1U
#define VG_F_SRC_XL		2U
#define VG_F_SRC_CONFIG		3U
/* The policy is audit because vifguard.conf's host audit switch made its
 * sources' locked mode audit, for show and stats.  The program does not
 * read it. */
#define VG_F_AUDIT_HOST		(1U << 9)
/* Link-local learning: a DAD probe (RFC 4862 5.4.2) for a link-local
 * address that no other interface holds and that is not protected makes
 * it the interface's ("learned6"). */
#define VG_F_LEARN_LL		(1U << 10)
/* Addresses the interface is given by DHCPv4 ACKs and DHCPv6 Replies
 * delivered to it become allowed for the lease (include/vifguard.h,
 * "learned4"). */
#define VG_F_LEARN_DHCP		(1U << 11)
/* Trust on first use: an IPv4 or IPv6 source address (ARP's sender
 * address included; never a link-local, never ::, never an IPv4-mapped
 * ::ffff:a.b.c.d) that the policy does not allow, that no interface
 * holds and that is not protected becomes the interface's (origin
 * VG_ORIGIN_FIRST), in a free lease slot of its family; with none free
 * it is refused (learn-full), never swapped for an older one.  It stays
 * the interface's while the guest uses it (vg_learn_cfg.first_lease_s).
 * While the interface has a learning window (slot VG_SLOT_WINDOW of
 * "lease_slots"), only until the window ends. */
#define VG_F_LEARN_FIRST	(1U << 12)

/* vg_policy.attach */
#define VG_ATTACH_CLS_BPF	(1U << 0)	/* cls_bpf filter on clsact ingress */
#define VG_ATTACH_OWN_CLSACT	(1U << 1)	/* the clsact qdisc was created by us */
#define VG_ATTACH_TCX		(1U << 2)	/* tcx link (Linux >= 6.6) */

/*
 * The policy of one interface.  96 bytes: at 4000 interfaces the
 * policies are most of vifguard's memory.  Unused inline addresses
 * are zero, which never matches: 0.0.0.0 and :: are judged before.
 */
struct vg_policy {
	__u8 mode;		/* enum vg_mode */
	__u8 gen;		/* generation of the table entries in force */
	__u8 n_macs;
	__u8 attach;		/* VG_ATTACH_*: how the loader attached it */
	__u16 flags;		/* VG_F_* */
	__u16 slot;		/* index of the pass counter in "passes" */
	__be16 ethertypes[VG_MAX_ETHERTYPES];	/* extra ethertypes; 0 = unused */
	__u8 macs[VG_MAX_MACS][6];
	__be32 v4[VG_INLINE_V4];
	__be32 v6[VG_INLINE_V6][4];
	char ifname[VG_IFNAMSIZ];	/* for show, gc and detach after removal */
};

/* Value of map "policy" (key ifindex % VG_POLICY_ENTRIES).  All zero is
 * a free entry; live 0 with an ifindex is a retired one, which the data
 * path ignores as it does a free one. */
struct vg_policy_entry {
	__u32 ifindex;
	__u8 live;		/* 1: pol is ifindex's policy in force */
	__u8 seq;		/* counts publications (loader only) */
	__u8 pad[2];
	struct vg_policy pol;
};

/* Map "policy_spill": key __u32 ifindex, value struct vg_policy. */

/* Maps "v4_addrs" and "v6_addrs" (LPM tries): the addresses beyond the
 * inline ones, hosts as /32 and /128, and prefixes.  prefixlen counts the
 * ifindex and gen words too: 64 + the address prefix length.  ifindex and
 * gen are always matched in full, so their byte order does not matter as
 * long as both sides use host order.  The value is one byte, always 1. */
struct vg_v4_key {
	__u32 prefixlen;
	__u32 ifindex;
	__u32 gen;
	__be32 addr;
};

struct vg_v6_key {
	__u32 prefixlen;
	__u32 ifindex;
	__u32 gen;
	__be32 addr[4];
};

#define VG_LPM_KEY_BITS		64	/* ifindex + gen */

/*
 * Address learning: IPv6 link-locals by DAD, IPv4 and IPv6 addresses by
 * DHCP snooping.
 *
 * "learned6" (hash, key struct vg_addr6, value struct vg_owner) and
 * "learned4" (hash, key struct vg_addr4, same value) say who holds an
 * address on the host: an interface that learned it (origin
 * VG_ORIGIN_DAD, VG_ORIGIN_DHCP or VG_ORIGIN_FIRST, written by the
 * programs) or one it is configured for (VG_ORIGIN_CONFIG, written by
 * the loader for configured host addresses and EUI-64 link-locals, so
 * that no other interface learns them).  The program allows a source
 * address from an entry of a learned origin only, only to the interface
 * it names and, for DHCP and FIRST, only before expires_ns: configured
 * addresses are allowed by the policy alone.  An expired entry stays
 * until the loader's gc, another lease or a new DHCP message removes it.
 *
 * "learn_slots" (hash, key struct vg_slot_key, value struct vg_slot)
 * holds the link-locals an interface learned, VG_LEARN_LL_CAP at most: a
 * DAD probe beyond that replaces the interface's oldest one.
 *
 * "lease_slots" (hash, key struct vg_slot_key, value struct vg_slot)
 * holds what it learned by DHCP or first use: slots 0 ..
 * VG_LEARN_DHCP4_CAP - 1 its IPv4 leases (as ::ffff:a.b.c.d), then
 * VG_LEARN_DHCP6_CAP slots for IPv6 addresses; since_ns is the entry's
 * expires_ns.  A lease beyond the cap replaces the one that ends first
 * (a first-use address among them); of those that end together (two
 * infinite ones), the one in the lowest slot.  A new lease takes the
 * lowest free slot of its family, a first-use address the lowest one
 * that is free or whose entry ended.  The addresses of one DHCPv6 Reply
 * are taken in the order of the message, each from the state the one
 * before it left: one may replace a lease an earlier one gave, or an
 * address of the interface's first use that a later one leases (which
 * is then a new lease and replaces the one that ends first in turn).
 *
 * Leases are read by the egress program, from what the host delivers to
 * the guest: a DHCPv4 ACK (yiaddr, option 51) to one of its MACs, a
 * DHCPv6 Reply (IA_NA and IA_TA addresses, valid lifetime), sent from
 * outside the guests or by a guest whose policy has VG_F_DHCP_SERVER.  A
 * valid lifetime of 0 ends that address, a DHCPv4 NAK every IPv4 lease
 * of the interface; the guest's own DHCPRELEASE or DHCPDECLINE ends the
 * lease it names, its DHCPv6 Release or Decline every DHCPv6 lease of
 * the interface (ingress program).
 *
 * "protected6" (hash, key struct vg_addr6, value struct vg_protect):
 * addresses no interface may learn, IPv4 ones as ::ffff:a.b.c.d (no
 * lease, no first use).  The loader writes those of
 * vifguard.conf and of the bridges' own addresses; the egress program
 * those of every Router Advertisement delivered to a guest, and it
 * revokes a learned address that a router advertises or that a Neighbour
 * Advertisement delivered to its learner defends (RFC 4862 5.4.4: the
 * learner's DAD failed).  An RA entry lasts while its source advertises:
 * gc removes one not heard for VG_PROTECT_RA_TTL_S, and the loader,
 * writing into a full map, removes the RA entries heard least recently
 * to make room.
 *
 * "learn_cfg" (array of one struct vg_learn_cfg): host-wide settings the
 * loader writes (vifguard.conf `host dhcp-grace=`).
 */
#define VG_MAX_LEARNED		16384	/* learned6 and learned4 entries, each */
#define VG_LEARN_LL_CAP		2	/* link-local addresses per interface */
#define VG_MAX_LEARN_SLOTS	(VG_MAX_IFACES * VG_LEARN_LL_CAP)
#define VG_LEARN_DHCP4_CAP	2	/* DHCPv4 leases per interface */
#define VG_LEARN_DHCP6_CAP	4	/* DHCPv6 addresses per interface */
#define VG_LEASE_SLOTS		(VG_LEARN_DHCP4_CAP + VG_LEARN_DHCP6_CAP)
/* lease_slots key {ifindex, VG_SLOT_WINDOW}: the interface's learning
 * window for VG_F_LEARN_FIRST; its since_ns is the window's end
 * (bpf_ktime_get_ns() clock), its address is unused (zero). */
#define VG_SLOT_WINDOW		VG_LEASE_SLOTS
#define VG_MAX_LEASE_SLOTS	(VG_MAX_IFACES * VG_LEASE_SLOTS)
#define VG_MAX_PROTECTED	1024
/* An RA entry of protected6 whose source was not heard for this long
 * (seconds) is removed by gc: RFC 4861 routers advertise at least every
 * MaxRtrAdvInterval (<= 1800 s) with a router lifetime of at most 9000 s,
 * so a router still in service is heard again well within it. */
#define VG_PROTECT_RA_TTL_S	10800
#define VG_DHCP_GRACE_DEFAULT	60	/* seconds a lease is kept past its end */
#define VG_DHCP_GRACE_MAX	86400	/* the most the loader sets: a day */
/* vg_learn_cfg.first_lease_s as the loader sets it by default, and the
 * most it sets (0: until the interface goes). */
#define VG_FIRST_LEASE_DEFAULT	86400	/* a day */
#define VG_FIRST_LEASE_MAX	2592000	/* 30 days */
#define VG_LEASE_FOREVER	(~0ULL)	/* expires_ns of an infinite lease */
/* How much of a DHCP message the programs read: options of a DHCPv4
 * message delivered to a guest (PAD counts as one; servers put options
 * 53 and 51 among the first few), of one the guest sends (clients put 53
 * first and 50 right after), options (entered IAs' included) of a DHCPv6
 * Reply, and the IAADDR options of a Reply that count. */
#define VG_DHCP4_OPTS		16
#define VG_DHCP4_OPTS_IN	4
#define VG_DHCP6_OPTS		10
#define VG_DHCP6_MSG_ADDRS	3

struct vg_addr6 {
	__be32 addr[4];
};

struct vg_addr4 {
	__be32 addr;
};

enum vg_origin {
	VG_ORIGIN_NONE = 0,
	VG_ORIGIN_CONFIG = 1,	/* configured for the interface (loader) */
	VG_ORIGIN_DAD = 2,	/* learned from the interface's DAD probe */
	VG_ORIGIN_DHCP = 3,	/* learned from a lease delivered to it */
	VG_ORIGIN_FIRST = 4,	/* trusted on first use (VG_F_LEARN_FIRST) */
};

struct vg_owner {
	__u32 ifindex;
	__u8 origin;		/* enum vg_origin */
	__u8 slot;		/* learned: its key in learn_slots (dad) or
				 * lease_slots (dhcp) */
	__u16 pad;
	union {
		__u64 since_ns;		/* config, dad: bpf_ktime_get_ns()
					 * when written */
		__u64 expires_ns;	/* dhcp: the lease's end plus the
					 * grace, same clock; VG_LEASE_FOREVER */
	};
};

struct vg_slot_key {
	__u32 ifindex;
	__u32 slot;		/* below VG_LEARN_LL_CAP, or VG_LEASE_SLOTS */
};

struct vg_slot {
	struct vg_addr6 a;
	__u64 since_ns;		/* lease_slots: the owner's expires_ns */
};

struct vg_learn_cfg {
	__u32 dhcp_grace_s;	/* seconds past a lease's end it stays allowed */
	__u32 first_lease_s;	/* how long a first-use address stays
				 * allowed: its end is first_lease_s after it
				 * is learned, and a frame from it in the
				 * second half of that time moves the end to
				 * first_lease_s from then, so an address in
				 * use stays and one left ends (0: until the
				 * interface goes); also how long a parked
				 * address without an end is held ("parked") */
};

/*
 * "parked" (hash, key struct vg_park_key, value struct vg_park), written
 * and read by the loader only: the learned addresses of a Xen guest
 * interface that went away (xl save, migration, shutdown), its DHCP
 * leases, first-use addresses and DAD link-locals, kept under its VM's
 * UUID, device id and MAC until they end, so that the VM's next
 * interface with that identity gets them back (xl restore, a migration
 * back).  One without an end of its own (a link-local, a first-use
 * address learned with no window, an infinite lease) ends
 * vg_learn_cfg.first_lease_s after it was parked (0: kept until the VM
 * comes back).  While parked an address stays held in learned4 /
 * learned6 by ifindex 0, which no interface is: nobody else learns it.
 * That owner entry keeps its own expires_ns / since_ns, which the
 * address gets back with its VM, and goes with its parked entry (gc).
 */
#define VG_MAX_PARKED		4096
struct vg_park_key {
	__u8 vm[16];		/* VM UUID, binary */
	__u32 devid;
	__u8 mac[6];
	__u16 pad;
	struct vg_addr6 a;	/* IPv4 as ::ffff:a.b.c.d */
};

struct vg_park {
	__u64 expires_ns;	/* when it stops being held: the owner's
				 * expires_ns, or parking + first_lease_s for
				 * one without an end; bpf_ktime_get_ns()
				 * clock; VG_LEASE_FOREVER */
	__u8 origin;		/* enum vg_origin: DAD, DHCP or FIRST */
	__u8 pad[7];
};

enum vg_protect_why {
	VG_PROTECT_NONE = 0,
	VG_PROTECT_CONFIG = 1,	/* vifguard.conf `host protect=` */
	VG_PROTECT_BRIDGE = 2,	/* an address of a guest's bridge */
	VG_PROTECT_RA = 3,	/* the source of a Router Advertisement */
};

struct vg_protect {
	__u32 why;		/* enum vg_protect_why */
	__u32 ifindex;		/* RA: the interface it was delivered to */
	__u64 since_ns;		/* written (bpf_ktime_get_ns() clock); RA: last
				 * heard, refreshed by every RA from it */
};

/*
 * Verdicts and drop reasons, one list for both sides.  The loader builds
 * its name table from the same list, so a reason added here gets a name
 * in `vifguard stats` and in JSON without further edits.
 */
#define VG_REASONS(X)							\
	X(PASS,			"pass")					\
	X(NO_POLICY,		"no-policy")				\
	X(DISABLED,		"disabled")				\
	X(MALFORMED,		"malformed")				\
	X(SRC_MAC_MCAST,	"src-mac-multicast")			\
	X(SRC_MAC,		"src-mac")				\
	X(VLAN,			"vlan")					\
	X(ETHERTYPE,		"ethertype")				\
	X(IPV4_MALFORMED,	"ipv4-malformed")			\
	X(IPV4_SRC,		"ipv4-src")				\
	X(DHCP_SERVER,		"dhcp-server")				\
	X(DHCP_CHADDR,		"dhcp-chaddr")				\
	X(IGMP_QUERY,		"igmp-query")				\
	X(ARP_MALFORMED,	"arp-malformed")			\
	X(ARP_SHA,		"arp-sha")				\
	X(ARP_SPA,		"arp-spa")				\
	X(ARP_TPA,		"arp-tpa")				\
	X(IPV6_MALFORMED,	"ipv6-malformed")			\
	X(IPV6_SRC,		"ipv6-src")				\
	X(IPV6_UNSPEC_SRC,	"ipv6-unspecified-src")			\
	X(IPV6_EXTHDR,		"ipv6-exthdr")				\
	X(ND_FRAGMENT,		"nd-fragment")				\
	X(ND_HOPLIMIT,		"nd-hop-limit")				\
	X(ND_TARGET,		"nd-target")				\
	X(ND_LLADDR,		"nd-lladdr")				\
	X(ND_MALFORMED,		"nd-malformed")				\
	X(RA,			"router-advert")			\
	X(REDIRECT,		"redirect")				\
	X(DHCPV6_SERVER,	"dhcpv6-server")				\
	X(MLD_QUERY,		"mld-query")				\
	X(LEARN_PROTECTED,	"learn-protected")			\
	X(LEARN_CONFLICT,	"learn-conflict")			\
	X(LEARN_FULL,		"learn-full")

enum vg_reason {
#define VG_REASON_ENUM(name, str) VG_##name,
	VG_REASONS(VG_REASON_ENUM)
#undef VG_REASON_ENUM
	VG_REASON_MAX
};

/*
 * Counters, all per CPU:
 *   "passes"  array, key the policy's slot, value __u64: frames passed.
 *   "drops"   hash, key struct vg_drop_key, value __u64: frames dropped
 *             per interface and reason, created by the program at an
 *             interface's first drop of that reason.
 *   "totals"  array, value __u64: every drop on the host, key its reason,
 *             including those on interfaces without a policy (no-policy)
 *             and any "drops" had no room for; key VG_PASS stays 0
 *             (passes are counted per interface only).  Key
 *             VG_TOTALS_CARRIED + reason holds what an older layout's
 *             "totals" had counted when an upgrade replaced it; only the
 *             loader writes there.  A reason's total is the sum of both.
 */
#define VG_TOTALS_CARRIED	64	/* room for this many reasons */
#define VG_TOTALS_KEYS		(2 * VG_TOTALS_CARRIED)
struct vg_drop_key {
	__u32 ifindex;
	__u32 reason;		/* enum vg_reason, never VG_PASS */
};

/* A reason's counters, as the loader sums them. */
struct vg_stats {
	__u64 pkts[VG_REASON_MAX];
};

/*
 * Map "layout", an array of one: what the pinned state is, written by
 * the loader when it loads, migrates or replaces the program (the
 * program does not read it).  A state without it is of layout 1.
 */
struct vg_layout {
	__u32 layout;		/* VG_MAP_LAYOUT of the maps */
	__u32 netns;		/* the network namespace of the devices (the
				 * inode of /proc/self/ns/net); 0 unknown */
	__u64 object;		/* hash of the BPF object the program came from */
	char version[48];	/* the vifguard that loaded it */
};

/*
 * Drop events (vifguard monitor).  On a drop, and on a refusal to learn
 * from a delivered DHCP message (VG_EVENT_F_LEARN), the program sends a struct
 * vg_event, followed by the first cap_len bytes of the frame, to the
 * perf event array "events" on the current CPU, unless the token bucket
 * of the frame's interface and reason in "ev_limit" is empty; then it
 * counts the event as suppressed instead.  Nothing of this runs for a
 * frame that passes.  With no reader on a CPU the send fails and costs
 * the token only.
 *
 * The bucket holds credit in nanoseconds: each event costs cost_ns, time
 * refills it, and it holds at most burst * cost_ns.  "ev_config" (an
 * array of one struct vg_event_cfg, written by `vifguard monitor --rate
 * --burst`) sets both; while its cost_ns is 0 (a new root) the defaults
 * below apply.  Keep the defaults in sync with docs/vifguard.8.
 */
#define VG_EVENT_RATE_DEFAULT	10	/* events per second ... */
#define VG_EVENT_BURST_DEFAULT	20	/* ... after a burst of this many */
#define VG_EVENT_CAP		128	/* frame bytes sent with an event */
#define VG_MAX_EVENT_BUCKETS	VG_MAX_DROP_COUNTERS
#define VG_EVENT_F_AUDIT	(1U << 0)	/* the frame passed: audit mode */
/* Learning from the frame was refused (its reason is learn-protected,
 * learn-conflict or learn-full) and the frame was delivered: a DHCPv4 ACK
 * or DHCPv6 Reply the egress program did not learn from.  Keep in sync
 * with the monitor (loader/commands_monitor.c) and docs/vifguard.8. */
#define VG_EVENT_F_LEARN	(1U << 1)

struct vg_event_cfg {
	__u64 cost_ns;		/* credit one event takes; 0: the defaults */
	__u32 burst;		/* events the bucket holds when full */
	__u32 pad;
};

/* Value of "ev_limit" (key struct vg_drop_key).  Shared by the CPUs and
 * updated without a lock: the refill may be off by a concurrent event,
 * the suppressed count (atomic) is exact. */
struct vg_event_bucket {
	__u64 credit_ns;
	__u64 last_ns;		/* bpf_ktime_get_ns() of the last refill */
	__u64 suppressed;	/* events not sent for want of credit */
	__u64 cost_ns;		/* the cost credit_ns was counted in: a new
				 * limit fills the bucket afresh */
};

struct vg_event {
	__u64 time_ns;		/* bpf_ktime_get_ns() (CLOCK_MONOTONIC) */
	__u64 suppressed;	/* the bucket's count when this one was sent */
	__u32 ifindex;
	__u32 reason;		/* enum vg_reason */
	__u32 len;		/* the frame's length */
	__u16 cap_len;		/* bytes of it after this struct */
	__u16 vlan_tci;		/* an offloaded VLAN tag, when vlan_proto */
	__be16 vlan_proto;	/* 0: none */
	__u16 flags;		/* VG_EVENT_F_* */
	__u16 pad[2];
};

/* Layout 5 (VG_MAP_LAYOUT): a change to these sizes is a new layout. */
_Static_assert(VG_MAP_LAYOUT == 5 && sizeof(struct vg_policy_entry) == 104 &&
	       sizeof(struct vg_policy) == 96 && sizeof(struct vg_v4_key) == 16 &&
	       sizeof(struct vg_v6_key) == 28 && sizeof(struct vg_drop_key) == 8 &&
	       VG_TOTALS_KEYS == 128 && sizeof(struct vg_layout) == 64 &&
	       sizeof(struct vg_event_cfg) == 16 &&
	       sizeof(struct vg_event_bucket) == 32 && sizeof(struct vg_event) == 40 &&
	       sizeof(struct vg_addr6) == 16 && sizeof(struct vg_owner) == 16 &&
	       sizeof(struct vg_slot_key) == 8 && sizeof(struct vg_slot) == 24 &&
	       sizeof(struct vg_protect) == 16 && sizeof(struct vg_addr4) == 4 &&
	       sizeof(struct vg_learn_cfg) == 8 && sizeof(struct vg_park_key) == 44 &&
	       sizeof(struct vg_park) == 16,
	       "the maps' layout changed: bump VG_MAP_LAYOUT");
_Static_assert(VG_REASON_MAX <= VG_TOTALS_CARRIED, "totals: no key for a reason");

#endif /* VIFGUARD_H */
