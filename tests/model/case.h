/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Regression cases of the differential fuzzer: small text files under
 * tests/model/regress/, one or more cases each, every case three lines:
 *
 *   policy mode=locked flags=dhcp-client,link-local macs=02:00:00:00:00:01
 *          ethertypes=0x88cc v4=10.0.0.5/32,192.168.0.0/24 v6=2001:db8::/64 place=array
 *   frame 02000000...           (the frame, hex)
 *   expect ipv4-src             (the model's reason when the case was saved)
 *
 * (the policy is one line; lists are comma-separated, an absent key is an
 * empty list, "policy none place=..." is an interface without a policy).
 * Blank lines and lines starting with '#' are comments.
 *
 * Link-local learning adds optional lines: the host's learning state
 * before the frame (between "policy" and "frame"), the frame delivered
 * to the guest through the egress program instead of sent by it, and
 * the state the model left after it (after "expect"):
 *
 *   held fe80::1 self dad 3     learned6: the case's interface ("self")
 *   held fe80::2 12 config      or another ifindex; origin; DAD's order
 *   protected fe80::9           protected6
 *   fill 16380                  more learned6 entries (configured for
 *                               ifindex CASE_FILL_IFINDEX): a full table
 *   deliver 3333...             (instead of "frame"; "expect pass")
 *   after fe80::1=self/dad fe80::2=12/config protected=fe80::9
 *
 * A case without them starts from an empty state and checks none after.
 * Replayed, "self" is lo (ifindex 1) and another ifindex 1 is 100001.
 *
 * DHCP snooping adds, before the frame:
 *
 *   held 10.9.0.1 self dhcp +3600.250   a lease (learned4 for IPv4), its
 *   held 2001:db8::5 12 dhcp -5.000     end plus grace in seconds from
 *   held 2001:db8::6 self dhcp forever  the frame's time, or forever
 *   held 10.0.0.5 self config           learned4's configured entries
 *   fill4 16384                         more learned4 entries
 *   grace 60                            learn_cfg's dhcp_grace_s
 *   sender server                       a delivered frame's sender: host
 *                                       (no policy, the default), guest
 *                                       or server (a policy with
 *                                       VG_F_DHCP_SERVER), replayed as
 *                                       ifindex CASE_SENDER_IFINDEX
 *
 * and "after" names leases "10.9.0.1=self/dhcp".  A delivered frame's
 * "expect" is the first reason it was refused for (counted, not
 * dropped), or pass.
 *
 * Trust on first use adds, before the frame:
 *
 *   held 10.9.0.2 self first +60.000   a first-use address, its end as a
 *   held 10.9.0.3 nobody dhcp +5.000   lease's; "nobody": parked (ifindex 0)
 *   window self +30.000                the interface's learning window ends
 *   first-lease 3600                   learn_cfg's first_lease_s
 *
 * and "after" names them "10.9.0.2=self/first", "10.9.0.3=nobody/dhcp".
 */
#ifndef VG_CASE_H
#define VG_CASE_H

#include <stdbool.h>
#include <stdio.h>

#include "gen.h"
#include "model.h"

/*
 * Where a policy sits in the maps (README "Inspecting with bpftool"):
 * the program must find the one in force and ignore the decoys (a
 * policy in mode disabled) that the other placements leave about.
 */
enum placement {
	PLACE_ARRAY,		/* array entry live, its own ifindex */
	PLACE_SPILL,		/* array entry live for another ifindex; policy in the hash */
	PLACE_RETIRED,		/* own array entry retired (an update's commit); the hash */
	PLACE_ARRAY_DECOY,	/* array entry live, own; a decoy in the hash (before a commit) */
	PLACE_NONE,		/* no entry anywhere */
	PLACE_NONE_RETIRED,	/* own array entry retired, nothing in the hash */
	PLACE_NONE_OTHER,	/* array entry live for another ifindex, nothing in the hash */
	PLACE_MAX
};

const char *placement_name(enum placement pl);
/* Whether the interface has a policy in force under pl. */
bool placement_in_force(enum placement pl);

struct vg_case {
	bool has_policy;
	struct model_policy pol;	/* also the decoys' base when !has_policy */
	enum placement place;
	uint8_t frame[GEN_BUF_SIZE];
	size_t len;
	int expect;			/* enum vg_reason */
	unsigned int line;		/* of the "policy" line */
	/* Learning (all zero: an empty state, nothing checked after). */
	uint32_t ifindex;		/* the case's interface: "self" */
	bool egress;			/* "deliver": a frame to the guest */
	struct model_learn before;
	bool has_after;
	struct model_learn after;
	int sender;			/* enum case_sender */
};

enum case_sender { SENDER_HOST, SENDER_GUEST, SENDER_SERVER };

#define CASE_SELF_IFINDEX	1	/* lo, where cases are replayed */
#define CASE_OTHER_LO		100001	/* another interface's ifindex 1 */
#define CASE_FILL_IFINDEX	100002	/* holds the "fill" entries */
#define CASE_SENDER_IFINDEX	100003	/* a delivered frame's guest sender */
/* A case's "now" as read: leases' ends are relative to it (the replay
 * moves both to the clock's present). */
#define CASE_TIME_BASE		(1ULL << 62)

/* The policy line, without "policy " and newline, into buf. */
void case_format_policy(char *buf, size_t size, const struct model_policy *p, bool has_policy,
			enum placement pl);
void case_write(FILE *f, const struct vg_case *c, const char *comment);
/*
 * Reads the next case; *lineno counts lines.  Returns 1 with a case, 0 at
 * the end, -1 on an error described in err.
 */
int case_read(FILE *f, struct vg_case *c, unsigned int *lineno, char *err, size_t errlen);

#endif /* VG_CASE_H */
