/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the sequences of DHCP snooping (test-dhcp) and of trust on first
 * use (test-first) share beyond learn_harness.h: the interfaces A, B
 * and C and their addresses, the policies and learn_cfg they are given,
 * what the loader would write into the lease maps, egress steps, and
 * the entries their STATE assertions expect (struct want,
 * learn_harness.h).
 */
#ifndef VG_LEASE_HARNESS_H
#define VG_LEASE_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "learn_harness.h"

extern const uint8_t MAC_A[6];
extern const uint8_t MAC_B[6];

#define V4_A		"10.0.0.10"		/* A's policy, inline */
#define V4_B		"10.0.0.11"		/* B's policy, inline */
#define V6_A		"2001:db8::a"
#define V6_B		"2001:db8::b"
#define LL_A		"fe80::ff:fe00:a01"	/* EUI-64 of MAC_A */
#define LL_B		"fe80::ff:fe00:b01"
#define L4_1		"10.0.0.100"		/* leases, first-use addresses */
#define L4_2		"10.0.0.101"
#define L4_3		"10.0.0.102"
#define L6_1		"2001:db8:1::100"
#define L6_2		"2001:db8:1::101"
#define L6_3		"2001:db8:1::102"
#define L6_4		"2001:db8:1::103"
#define L6_5		"2001:db8:1::104"

/* A the loopback device, B and C a veth pair (run_suite() sets their
 * ifindexes); C has no policy. */
extern struct iface A, B, C;

/* --- policies and configuration ------------------------------------------------ */

/* i's live policy: its MAC, its IPv4 and IPv6 address inline. */
void set_policy(const struct iface *i, __u8 mode, __u16 flags);
/* A second MAC for i (a guest with two NICs on one vif's policy). */
void add_mac(const struct iface *i, const uint8_t *mac);
void set_learn_cfg(__u32 grace_s, __u32 first_lease_s);
/* What the loader writes for a configured address of i. */
void put_config4(const char *addr, const struct iface *i);
void put_config6(const char *addr, const struct iface *i);
/* The end of the lease or first-use address addr (owner and slot) moved
 * to expires, as time would. */
void set_expiry(const char *addr, __u64 expires);

/* --- steps ---------------------------------------------------------------------- */

/* Frame f, delivered by the host to i: TC_ACT_OK, and nothing counted
 * (NONE) or the refusal reason on i (REFUSED(r)). */
bool out(const struct iface *i, struct frame f, const char *what, enum vg_reason reason);
/* The same for a frame that guest "from" sent, which the bridge delivers
 * to i. */
bool out_from(const struct iface *i, const struct iface *from, struct frame f, const char *what,
	      enum vg_reason reason);

#define NONE		VG_PASS
#define REFUSED(r)	VG_##r

/* --- expected entries (STATE) --------------------------------------------------- */

#define L4(a, i, s, lease)	{ '4', a, i, VG_ORIGIN_DHCP, s, lease }
#define C4(a, i)		{ '4', a, i, VG_ORIGIN_CONFIG, 0, 0 }
#define L6(a, i, s, lease)	{ '6', a, i, VG_ORIGIN_DHCP, s, lease }
#define C6(a, i)		{ '6', a, i, VG_ORIGIN_CONFIG, 0, 0 }
#define F4(a, i, s, secs)	{ '4', a, i, VG_ORIGIN_FIRST, s, secs }
#define F6(a, i, s, secs)	{ '6', a, i, VG_ORIGIN_FIRST, s, secs }
#define W(i)			{ 'S', "::", i, 0, VG_SLOT_WINDOW, 0 }
#define S(i, s, a)		{ 'S', a, i, 0, s, 0 }
#define P(a)			{ 'P', a, NULL, 0, 0, 0 }	/* any reason */

/* Slot numbers of the families in lease_slots. */
#define V4SLOT(n)	(n)
#define V6SLOT(n)	(VG_LEARN_DHCP4_CAP + (n))

/* --- resets --------------------------------------------------------------------- */

/*
 * Before a case: the learning maps and the counters of A, B and C
 * emptied, A and B given locked policies with flags, C none, learn_cfg a
 * grace of VG_DHCP_GRACE_DEFAULT and a first_lease_s of 0 (reset_case()).
 */
void lease_reset(__u16 flags);

#endif /* VG_LEASE_HARNESS_H */
