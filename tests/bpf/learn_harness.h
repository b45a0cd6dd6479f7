/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the sequences of address learning (test-learn), of DHCP
 * snooping (test-dhcp) and of trust on first use (test-first) share: the
 * real program loaded through its skeleton in a network namespace of
 * their own, three interfaces to run frames "on" (A the loopback device,
 * B and C the two ends of a veth pair, C without a policy), steps that
 * run one frame through BPF_PROG_TEST_RUN and check the verdict and
 * every counter, copies of hash maps, the assertions on learned state
 * (STATE: exactly these entries in the learning maps; SAME: byte for
 * byte a copy taken earlier), and the TAP runner of a table of cases.
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

/* A UDP datagram in IPv6 from mac and src to dmac and dst, to port dport
 * from 40000, 16 octets of zeroes, checksummed. */
struct frame udp6(const uint8_t *mac, const char *src, const uint8_t *dmac, const char *dst,
		  uint16_t dport);

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

/* --- learned state -------------------------------------------------------------- */

/* learn_cfg's dhcp_grace_s as last written (VG_DHCP_GRACE_DEFAULT before). */
extern __u32 grace;

/* An IPv4 address as lease_slots holds it: ::ffff:a.b.c.d. */
struct vg_addr6 mapped(const char *v4);
/* A slot's address from text of either family. */
struct vg_addr6 slot_addr(const char *s);
/* The key of addr in learned6 (v6) or learned4, written to k; returns
 * its size. */
size_t owner_key(const char *addr, bool v6, void *k);

struct state {
	struct table l4, l6, s, p, ll;	/* learned4, learned6, lease_slots,
					 * protected6, learn_slots */
};

void state_read(struct state *s);

/*
 * An expected entry, kind:
 *  '4' learned4, '6' learned6: addr, interface, origin n; for origin DAD
 *      its slot, and a learned time within the case equal to its
 *      learn_slots slot's; for DHCP and FIRST its slot and its expiry,
 *      lease the seconds of the lease (grace added when checked) or of
 *      the first-use address (no grace), or LEASE_FOREVER, equal to its
 *      lease_slots slot's since_ns (a parked one, interface of ifindex
 *      0, has no slot); for CONFIG nothing but interface and origin;
 *  'S' lease_slots, 'D' learn_slots: interface, slot, addr (either
 *      family; the window's address is ::);
 *  'P' protected6: addr; if n (the reason) is not 0 also the reason and
 *      the interface (NULL: 0), and for VG_PROTECT_RA a time within the
 *      case.
 */
struct want {
	char kind;
	const char *addr;
	const struct iface *ifc;
	int n;			/* '4', '6': origin; 'P': why */
	int slot;
	long long lease;
};

#define LEASE_FOREVER	(-1LL)

/*
 * learned4, learned6, lease_slots, protected6 and learn_slots hold
 * w[0..n) and nothing else; else fail() with the maps.
 */
bool state_is(const char *when, const struct want *w, size_t n);

#define STATE(when, ...)                                                               \
	do {                                                                           \
		const struct want w_[] = { { 0, NULL, NULL, 0, 0, 0 }, ##__VA_ARGS__ }; \
		if (!state_is(when, w_ + 1, ARRAY_SIZE(w_) - 1))                       \
			return false;                                                  \
	} while (0)

/* Byte for byte what *s was, learned times and expiries included. */
bool state_same(const struct state *s, const char *when);

#define SAME(snap, when) CHECK(state_same(&(snap), when))

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

/*
 * The main() of a suite file: run_suite() on its table cases[], its
 * interfaces A, B and C and its reset(); the arguments name the rest of
 * struct suite (.prog, .title, .what, .veth).
 */
#define SUITE_MAIN(...)                                                                \
	int main(int argc, char **argv)                                                \
	{                                                                              \
		static const struct suite s_ = { __VA_ARGS__,                          \
						 .a = &A, .b = &B, .c = &C,            \
						 .reset = reset,                       \
						 .cases = cases,                       \
						 .n = ARRAY_SIZE(cases) };             \
                                                                                       \
		return run_suite(argc, argv, &s_);                                     \
	}

#endif /* VG_LEARN_HARNESS_H */
