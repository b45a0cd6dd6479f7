/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The reference model of vifguard's verdict: README.md "What is checked",
 * step by step, in plain C.  It is written from the README and the RFCs
 * it cites, never from bpf/: the differential fuzzer (difffuzz.c) runs
 * the same frames through both, so a misreading on either side shows as
 * a disagreement instead of being copied into the other.
 *
 * From include/vifguard.h it takes only the reason enum, the mode values
 * and the VG_F_* flags; the policy here is the one an operator writes
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
	uint16_t flags;		/* VG_F_DHCP_CLIENT | _DHCP_SERVER | _RA | _LINK_LOCAL */
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
 * m may be NULL (no tag in the metadata, frame_len = len).
 */
enum vg_reason vg_model(const uint8_t *frame, size_t len, const struct model_policy *p,
			const struct model_meta *m);

/* "pass", "no-policy", ... as `vifguard stats` names them; "?" if none. */
const char *vg_model_reason_name(unsigned int r);
/* The reason named s, or -1. */
int vg_model_reason_by_name(const char *s);

/* RFC 4291 appendix A: the EUI-64 link-local address of mac. */
void vg_model_eui64_ll(const uint8_t mac[6], uint8_t out[16]);

#endif /* VG_MODEL_H */
