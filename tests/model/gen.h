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

#endif /* VG_GEN_H */
