/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Types shared by the tc program (bpf/) and the loader (loader/).
 * Only <linux/types.h> here: this header is compiled for the BPF target
 * and for user space alike, so no libc types.
 *
 * Every map is keyed by the ifindex of the guest interface in the
 * network namespace the program is attached in.  Address sets carry a
 * generation number: the loader writes a new set under the other
 * generation, switches the policy's generation with one map update (the
 * commit point) and then deletes the old set, so the data path always sees
 * either the old or the new set, never a mixture.
 */
#ifndef VIFGUARD_H
#define VIFGUARD_H

#include <linux/types.h>

/* Map sizes.  The hash maps are created with BPF_F_NO_PREALLOC, so these
 * are ceilings, not memory reserved up front. */
#define VG_MAX_IFACES		8192
#define VG_MAX_V4_HOSTS		65536
#define VG_MAX_V6_HOSTS		65536
#define VG_MAX_V4_PREFIXES	16384
#define VG_MAX_V6_PREFIXES	16384

/* Per-interface limits, enforced by the loader. */
#define VG_MAX_MACS		4
#define VG_MAX_ETHERTYPES	4
#define VG_MAX_ADDRS		64	/* per family, hosts and prefixes */
#define VG_IFNAMSIZ		16

enum vg_mode {
	VG_MODE_INVALID = 0,	/* never written: reads as "drop" */
	VG_MODE_LOCKED = 1,	/* every check */
	VG_MODE_DISABLED = 2,	/* drop everything */
};

/* vg_policy.flags */
#define VG_F_DHCP_CLIENT	(1U << 0)	/* 0.0.0.0:68 -> 255.255.255.255:67 */
#define VG_F_DHCP_SERVER	(1U << 1)	/* may send DHCPv4 67->68, DHCPv6 547->546 */
#define VG_F_RA			(1U << 2)	/* may send Router Adverts and Redirects */
#define VG_F_LINK_LOCAL		(1U << 3)	/* EUI-64 fe80:: of each MAC allowed */
#define VG_F_V4_PREFIXES	(1U << 4)	/* consult vg_v4_lpm */
#define VG_F_V6_PREFIXES	(1U << 5)	/* consult vg_v6_lpm */

/* vg_policy.attach */
#define VG_ATTACH_CLS_BPF	(1U << 0)	/* cls_bpf filter on clsact ingress */
#define VG_ATTACH_OWN_CLSACT	(1U << 1)	/* the clsact qdisc was created by us */
#define VG_ATTACH_TCX		(1U << 2)	/* tcx link (Linux >= 6.6) */

/* Value of map "policy", key __u32 ifindex. */
struct vg_policy {
	__u32 gen;		/* generation of the address sets in force */
	__u16 flags;		/* VG_F_* */
	__u8 mode;		/* enum vg_mode */
	__u8 n_macs;
	__u8 macs[VG_MAX_MACS][6];
	__be16 ethertypes[VG_MAX_ETHERTYPES];	/* extra ethertypes; 0 = unused */
	char ifname[VG_IFNAMSIZ];	/* for show, gc and detach after removal */
	__u32 attach;		/* VG_ATTACH_*: how the loader attached it */
};

/* Maps "v4_hosts" and "v6_hosts" (hash), exact source addresses. */
struct vg_v4_key {
	__u32 ifindex;
	__u32 gen;
	__be32 addr;
};

struct vg_v6_key {
	__u32 ifindex;
	__u32 gen;
	__be32 addr[4];
};

/* Maps "v4_prefixes" and "v6_prefixes" (LPM trie).  prefixlen counts the
 * ifindex and gen words too: 64 + the address prefix length.  ifindex and
 * gen are always matched in full, so their byte order does not matter as
 * long as both sides use host order. */
struct vg_v4_lpm_key {
	__u32 prefixlen;
	__u32 ifindex;
	__u32 gen;
	__be32 addr;
};

struct vg_v6_lpm_key {
	__u32 prefixlen;
	__u32 ifindex;
	__u32 gen;
	__be32 addr[4];
};

#define VG_LPM_KEY_BITS		64	/* ifindex + gen */

/* Value of the four address maps. */
#define VG_ADDR_DERIVED		(1U << 0)	/* EUI-64 link-local made from a MAC */
struct vg_addr {
	__u32 flags;
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
	X(ARP_MALFORMED,	"arp-malformed")			\
	X(ARP_SHA,		"arp-sha")				\
	X(ARP_SPA,		"arp-spa")				\
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
	X(DHCPV6_SERVER,	"dhcpv6-server")

enum vg_reason {
#define VG_REASON_ENUM(name, str) VG_##name,
	VG_REASONS(VG_REASON_ENUM)
#undef VG_REASON_ENUM
	VG_REASON_MAX
};

/* Value of map "stats" (per-CPU hash, key __u32 ifindex) and of map
 * "orphans" (per-CPU array, one entry: frames on an interface that has the
 * program but no policy). */
struct vg_stats {
	__u64 pkts[VG_REASON_MAX];
};

#endif /* VIFGUARD_H */
