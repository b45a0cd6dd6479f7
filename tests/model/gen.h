/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Seeded generators for the differential fuzzer: policies, and frames a
 * guest could send under a policy, built layer by layer (structure-aware)
 * and then damaged (lengths off by one, truncation at header boundaries,
 * padding, byte mutations).  Same seed, same sequence.
 */
#ifndef VG_GEN_H
#define VG_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

/*
 * Frames stay below what BPF_PROG_TEST_RUN accepts (a page less its
 * head- and tailroom: 3712 octets on x86-64); the IPv6 read window is
 * 512, so nothing needs more.
 */
#define GEN_FRAME_MAX	2048
#define GEN_BUF_SIZE	4096	/* a builder may overshoot GEN_FRAME_MAX */

/* xorshift64*, seeded through splitmix64 (Vigna). */
struct vg_rng {
	uint64_t s;
};

void vg_rng_seed(struct vg_rng *r, uint64_t seed);
uint64_t vg_rng_next(struct vg_rng *r);
/* Uniform in [0, n); n > 0. */
uint32_t vg_rng_below(struct vg_rng *r, uint32_t n);

/* A policy `vifguard attach` would accept (README "The command line"). */
void gen_policy(struct vg_rng *r, struct model_policy *p);

/*
 * A frame for an interface with policy p (its addresses and MACs are
 * what the frame mostly uses), written to buf (GEN_BUF_SIZE octets);
 * returns its length, at most GEN_FRAME_MAX.
 */
size_t gen_frame(struct vg_rng *r, const struct model_policy *p, uint8_t *buf);

/*
 * Link-local learning: a small pool of link-local addresses (and a few
 * that only look like one) that DAD probes, sources, ND targets and
 * delivered advertisements keep naming, so that claims collide, are
 * repeated, overflow an interface's cap and are revoked often.
 */
#define GEN_POOL_MAX	12

struct gen_pool {
	unsigned int n;
	uint8_t a[GEN_POOL_MAX][16];
	/* DHCP snooping: addresses leases give, shared by the interfaces
	 * (the first ones leasable, the last not), IPv4 and IPv6. */
	unsigned int n4, n6;
	uint8_t a4[GEN_POOL_MAX][4];
	uint8_t a6[GEN_POOL_MAX][16];
};

void gen_pool_make(struct vg_rng *r, struct gen_pool *pool);

/* A frame a guest sends that names pool addresses: mostly DAD probes. */
size_t gen_learn_frame(struct vg_rng *r, const struct model_policy *p,
		       const struct gen_pool *pool, uint8_t *buf);

/*
 * A frame delivered to a guest (the egress hook of an interface with
 * policy p, which may have no MACs): Router and Neighbour
 * Advertisements from and for pool addresses, some from the guest's
 * own MACs (a hairpin port's reflection), some not valid.
 */
size_t gen_delivered_frame(struct vg_rng *r, const struct model_policy *p,
			   const struct gen_pool *pool, uint8_t *buf);

/*
 * DHCP snooping: messages delivered to a guest with policy p (DHCPv4
 * ACKs, NAKs and others, DHCPv6 Replies and others, for pool addresses,
 * whole and damaged: truncated, odd option lengths, PAD runs, many
 * options, a wrong cookie, another MAC's chaddr or destination, IA_NA
 * and IA_TA with several IAADDRs, lifetimes 0 and infinite).
 */
size_t gen_dhcp_delivered(struct vg_rng *r, const struct model_policy *p,
			  const struct gen_pool *pool, uint8_t *buf);

/* What a guest sends about its leases: DHCPRELEASE, DHCPDECLINE, DHCPv6
 * Release and Decline, and traffic from (and ARP for) pool addresses. */
size_t gen_dhcp_sent(struct vg_rng *r, const struct model_policy *p,
		     const struct gen_pool *pool, uint8_t *buf);

#endif /* VG_GEN_H */
