/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the sequences of address learning (test-learn), of DHCP
 * snooping (test-dhcp) and of trust on first use (test-first) share: the
 * real program loaded through its skeleton in a network namespace of
 * their own, three interfaces to run frames "on" (A the loopback device,
 * B and C the two ends of a veth pair, C without a policy), steps that
 * run one frame through BPF_PROG_TEST_RUN and check the verdict and
 * every counter, copies of hash maps for the cases' assertions on
 * learned state, and the TAP runner of a table of cases.
 *
 * A case returns true or false and says why in diag (fail()); note, if
 * set, is said after its name.  step counts its steps and case_start_ns
 * is when it began (reset_case()).
 */
#ifndef VG_LEARN_HARNESS_H
#define VG_LEARN_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/pkt_cls.h>
#include <bpf/libbpf.h>

#include "vifguard.h"
#include "vifguard_user.h"
#include "vifguard.skel.h"
#include "frame.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct iface {
	const char *name;
	int ifindex;
	__u16 slot;		/* pass counter; equals no ifindex of the netns */
	const uint8_t *mac;
	const char *v4, *v6, *ll;	/* the policy's addresses (NULL: none) */
};

extern struct vifguard *skel;
extern char diag[2048];		/* why the running case failed */
extern char note[160];		/* said after the case's name */
extern int step;		/* of the running case */
extern __u64 case_start_ns;
/* The guest interface an egress frame came in on (skb->ingress_ifindex);
 * NULL: from outside the guests. */
extern const struct iface *sent_by;

__attribute__((noreturn)) void die(const char *what, int err);
int map_fd(struct bpf_map *m);
__u64 now_ns(void);
struct vg_addr6 a6(const char *s);
struct vg_addr4 a4(const char *s);
const char *ntop6(const struct vg_addr6 *a, char *buf);
const char *ntop4(const struct vg_addr4 *a, char *buf);
__attribute__((format(printf, 1, 2))) bool fail(const char *fmt, ...);
__attribute__((format(printf, 3, 4))) void append(char *buf, size_t size, const char *fmt, ...);

/* --- policies ------------------------------------------------------------------- */

void no_policy(const struct iface *i);
/* What the loader writes for a protected address. */
void put_protected(const char *addr, __u32 why);

/* --- steps ---------------------------------------------------------------------- */

const char *verdict_name(int v);

/*
 * Frame f through prog on i: verdict and reason (VG_PASS: passes[i's
 * slot] on ingress, nothing counted on egress; else the drop counted, on
 * egress a refusal), each counter checked.  *refused (if not NULL) tells
 * a frame the kernel would not run, which is then no failure.
 */
bool step_run(struct bpf_program *prog, const struct iface *i, struct frame f, const char *what,
	      int verdict, enum vg_reason reason, bool *refused);

/* Frame f, sent by the guest on i. */
bool in(const struct iface *i, struct frame f, const char *what, int verdict,
	enum vg_reason reason);

#define PASSES		TC_ACT_OK, VG_PASS
#define DROPS(r)	TC_ACT_SHOT, VG_##r

#define CHECK(x)                                                                       \
	do {                                                                           \
		if (!(x))                                                              \
			return false;                                                  \
	} while (0)

/* --- map contents --------------------------------------------------------------- */

#define DUMP_MAX 64

struct entry {
	__u8 k[16];
	__u8 v[24];
};

struct table {
	unsigned int n;
	bool over;		/* more than DUMP_MAX entries */
	struct entry e[DUMP_MAX];
};

/* A copy of the hash map fd whose keys are ksz octets. */
void dump(int fd, size_t ksz, struct table *t);
const struct entry *find(const struct table *t, const void *k, size_t ksz);
/* Byte for byte the same entries, neither over DUMP_MAX. */
bool table_same(const struct table *t, const struct table *u);
void map_clear(struct bpf_map *m);

/* --- cases ---------------------------------------------------------------------- */

/* The drops, the totals and the pass counters of ifs[0..n) zeroed. */
void reset_counters(const struct iface *const *ifs, size_t n);
/* A case begins: no step, no diagnostic, frames from outside the guests. */
void reset_case(void);

struct lcase {
	const char *name;
	bool (*run)(void);
};

struct suite {
	const char *prog;		/* for usage */
	const char *title;		/* the skip line's */
	const char *what;		/* the summary's: "N <what>, M failed" */
	const char *veth[2];		/* B's and C's names */
	struct iface *a, *b, *c;
	void (*reset)(void);		/* before each case and at the end */
	const struct lcase *cases;
	size_t n;
};

/*
 * Usage: PROG [FIRST], TAP numbering from FIRST (default 1).  Root only:
 * enters a network namespace of its own, loads the program, makes the
 * veth pair, runs each case after s->reset().  Returns main's exit code.
 */
int run_suite(int argc, char **argv, const struct suite *s);

#endif /* VG_LEARN_HARNESS_H */
