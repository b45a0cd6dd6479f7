/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The reference model of vifguard's verdict: README.md "What is checked",
 * step by step, in plain C.  It is written from the README and the RFCs
 * it cites, never from bpf/: the differential fuzzer (difffuzz.c) runs
 * the same frames through both, so a misreading on either side shows as
 * a disagreement instead of being copied into the other.
 *
 * From include/vifguard.h it takes only the reason enum, the mode values,
 * the VG_F_* flags and, for learning, the origins and the two limits
 * (VG_LEARN_LL_CAP, VG_MAX_LEARNED); the policy here is the one an operator writes
 * (MACs, addresses as hosts and prefixes), not its map layout.
 */
#ifndef VG_MODEL_H
#define VG_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vifguard.h"

#define MODEL_MAX_ADDRS	VG_MAX_ADDRS

/* An address and its prefix length: 32 (128) is a host. */
struct model_prefix4 {
	uint8_t addr[4];	/* network order */
	uint8_t len;
};

struct model_prefix6 {
	uint8_t addr[16];
	uint8_t len;
};

/* What `vifguard attach` was told; "no policy" is a NULL pointer. */
struct model_policy {
	uint8_t mode;		/* VG_MODE_LOCKED or VG_MODE_DISABLED */
	uint16_t flags;		/* VG_F_DHCP_CLIENT, _DHCP_SERVER, _RA, _LINK_LOCAL, _LEARN_LL,
				 * _LEARN_DHCP, _LEARN_FIRST */
	unsigned int n_macs;
	uint8_t macs[VG_MAX_MACS][6];
	unsigned int n_ethertypes;
	uint16_t ethertypes[VG_MAX_ETHERTYPES];	/* host order */
	unsigned int n_v4, n_v6;
	struct model_prefix4 v4[MODEL_MAX_ADDRS];
	struct model_prefix6 v6[MODEL_MAX_ADDRS];
};

/* What the kernel knows of a frame beside its bytes. */
struct model_meta {
	/*
	 * The frame length as the kernel holds it (skb->len), Ethernet
	 * header included.  0: the length of the bytes given.  A larger
	 * value stands for a frame whose first bytes are given and whose
	 * rest (payload nobody reads) is not: BIG TCP frames above 64 KiB.
	 */
	size_t frame_len;
	/* An outer tag the device already moved into the metadata
	 * (skb->vlan_present, skb->vlan_proto, skb->vlan_tci). */
	bool vlan_present;
	uint16_t vlan_tpid;
	uint16_t vlan_tci;
};

/*
 * The reason README.md gives for this frame sent on an interface with
 * policy p (NULL: none): VG_PASS or the first failing step's drop reason.
 * m may be NULL (no tag in the metadata, frame_len = len).  Nothing is
 * learned or remembered: vg_model_in() with no state.
 */
enum vg_reason vg_model(const uint8_t *frame, size_t len, const struct model_policy *p,
			const struct model_meta *m);

/*
 * Link-local learning (include/vifguard.h "Address learning"; RFC 4862
 * 5.4 DAD, RFC 4861 7.1.1 and 7.1.2 message validity): what the host
 * knows of link-local addresses, shared by all its interfaces.
 *
 * "held" is learned6: an address and the interface that holds it, by a
 * DAD probe of its own (VG_ORIGIN_DAD, in the order given by "order":
 * larger is newer) or by configuration (VG_ORIGIN_CONFIG, the loader's
 * entries for configured link-local hosts and EUI-64 addresses).
 * "prot" is protected6: addresses no interface may learn.
 */
#define MODEL_MAX_HELD		256
#define MODEL_MAX_PROTECTED	64

struct model_held {
	uint8_t addr[16];	/* learned4: ::ffff:a.b.c.d */
	uint32_t ifindex;
	uint8_t origin;		/* VG_ORIGIN_DAD, _CONFIG, _DHCP or _FIRST */
	uint64_t order;		/* DAD: when learned, in the state's clock */
	uint64_t expires;	/* DHCP: the lease's end plus the grace, FIRST:
				 * the end of a first use, in ns of "now"'s
				 * clock; VG_LEASE_FOREVER */
};

/* An interface's learning window (trust on first use): until end, in
 * ns of "now"'s clock. */
#define MODEL_MAX_WINDOWS	8
struct model_window {
	uint32_t ifindex;
	uint64_t end;
};

struct model_learn {
	unsigned int n_held;
	struct model_held held[MODEL_MAX_HELD];
	unsigned int n_prot;
	uint8_t prot[MODEL_MAX_PROTECTED][16];
	uint64_t clock;		/* the order of the last address learned */
	/* More learned6 entries, configured for interfaces no frame is sent
	 * on, at addresses no frame names: only their number matters (a
	 * table of VG_MAX_LEARNED entries is full). */
	unsigned int n_fill;
	/*
	 * DHCP snooping: "held4" is learned4 (addresses as ::ffff:a.b.c.d),
	 * with fill entries of its own; DHCPv6 leases sit in "held" with
	 * origin VG_ORIGIN_DHCP.  "now" is the time of the next frame
	 * (bpf_ktime_get_ns()'s clock), set by the caller; grace_s is
	 * learn_cfg's dhcp_grace_s.
	 */
	unsigned int n_held4;
	struct model_held held4[MODEL_MAX_HELD];
	unsigned int n_fill4;
	uint64_t now;
	uint32_t grace_s;
	/*
	 * Where the specification chooses by lease slot, which the model
	 * does not keep (of two leases that end at the same time, the one
	 * in the lower slot is replaced; a first-use address takes the
	 * lowest slot that is free or whose entry ended), the model takes
	 * one candidate (in the order of their addresses) by tie_pick, read as a number
	 * whose digits are the choices of the frame in turn (a DHCPv6 Reply
	 * may make several), and says in ties how many combinations there
	 * were (0 or 1: no choice was made), so that a caller can try the
	 * others; tie_div is the frame's running product (0 before its
	 * first choice).
	 */
	unsigned int tie_pick, ties, tie_div;
	/*
	 * Trust on first use (map layout 5, VG_F_LEARN_FIRST): addresses
	 * first used sit in held4 / held with origin VG_ORIGIN_FIRST; the
	 * interfaces' learning windows, and learn_cfg's first_lease_s.  An
	 * entry of ifindex 0 is parked: nobody's, held while it lasts.
	 */
	unsigned int n_win;
	struct model_window win[MODEL_MAX_WINDOWS];
	uint32_t first_lease_s;
};

void model_learn_init(struct model_learn *s);
/* The entry holding a, or NULL. */
const struct model_held *model_learn_find(const struct model_learn *s, const uint8_t a[16]);
bool model_learn_protected(const struct model_learn *s, const uint8_t a[16]);
/* The loader's writes: a CONFIG entry for ifindex (replacing whatever
 * held a), all CONFIG entries of ifindex gone, a protected address.
 * 0, or -ENOSPC when the state is full. */
int model_learn_config(struct model_learn *s, const uint8_t a[16], uint32_t ifindex);
void model_learn_unconfig(struct model_learn *s, uint32_t ifindex);
int model_learn_protect(struct model_learn *s, const uint8_t a[16]);
void model_learn_unprotect(struct model_learn *s, const uint8_t a[16]);
/* Removes the entry holding a. */
void model_learn_forget(struct model_learn *s, const uint8_t a[16]);
/* RFC 4291 2.4: a in fe80::/10. */
bool model_link_local(const uint8_t a[16]);

/*
 * vg_model() for a frame sent on interface ifindex, given the host's
 * learning state s (NULL: none, nothing remembered): learned addresses
 * are allowed to the interface that learned them, a DAD probe claims a
 * link-local target for an interface with VG_F_LEARN_LL, and a source
 * address nothing allows is claimed by an interface with
 * VG_F_LEARN_FIRST (s changes then).
 */
enum vg_reason vg_model_in(const uint8_t *frame, size_t len, const struct model_policy *p,
			   const struct model_meta *m, uint32_t ifindex, struct model_learn *s);

/*
 * A frame delivered to a guest on interface ifindex (policy p; NULL:
 * none, not a guest, nothing happens) through the egress hook, which
 * never drops: a Router
 * Advertisement protects its link-local source and revokes whoever
 * learned it; a Neighbour Advertisement for an address ifindex learned,
 * not sent from one of ifindex's MACs, revokes it (RFC 4862 5.4.4: the
 * learner's address is a duplicate).  Returns true when s changed.
 */
bool vg_model_out(const uint8_t *frame, size_t len, const struct model_policy *p,
		  uint32_t ifindex, struct model_learn *s);

/*
 * DHCP snooping (the contract of map layout 4, include/vifguard.h
 * "Address learning").
 */
/* learned4's entry of a (::ffff:a.b.c.d), or NULL. */
const struct model_held *model_learn_find4(const struct model_learn *s, const uint8_t a[16]);
/* The loader's CONFIG entry of an IPv4 host a for ifindex; -ENOSPC. */
int model_learn_config4(struct model_learn *s, const uint8_t a[16], uint32_t ifindex);
void model_learn_unconfig4(struct model_learn *s, uint32_t ifindex);
void model_learn_forget4(struct model_learn *s, const uint8_t a[16]);
/* a as ::ffff:a.b.c.d (a in network order). */
void model_v4_mapped(const uint8_t a4[4], uint8_t out[16]);

/* What a frame delivered to a guest was refused (counted, not dropped). */
#define MODEL_MAX_REFUSALS	8
struct model_refusals {
	unsigned int n;
	enum vg_reason r[MODEL_MAX_REFUSALS];
};

/*
 * vg_model_out() with the sender known: sender is the policy of the
 * interface the frame came in on (skb->ingress_ifindex; NULL: none, the
 * uplink or the host itself).  DHCPv4 ACKs and NAKs and DHCPv6 Replies
 * from a trusted sender change the leases of an interface with
 * VG_F_LEARN_DHCP; each address refused is added to *out (may be NULL).
 * Returns true when s changed.
 */
bool vg_model_deliver(const uint8_t *frame, size_t len, const struct model_policy *p,
		      uint32_t ifindex, const struct model_policy *sender, struct model_learn *s,
		      struct model_refusals *out);

/* "pass", "no-policy", ... as `vifguard stats` names them; "?" if none. */
const char *vg_model_reason_name(unsigned int r);
/* The reason named s, or -1. */
int vg_model_reason_by_name(const char *s);

/* RFC 4291 appendix A: the EUI-64 link-local address of mac. */
void vg_model_eui64_ll(const uint8_t mac[6], uint8_t out[16]);

#endif /* VG_MODEL_H */
