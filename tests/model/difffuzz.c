// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * difffuzz: the real vifguard program against the reference model
 * (model.c), frame by frame.
 *
 * Each worker loads the program through its skeleton in a network
 * namespace of its own, with a few interfaces to run frames "on" (lo and
 * veth ends; BPF_PROG_TEST_RUN takes the ifindex of an existing device):
 * ifindexes 10 and 4106 share the "policy" array entry 10, so the second
 * one's policy lives in the spill hash.  Policies are written into the
 * maps the way the loader writes them: the first two IPv4 /32 and IPv6
 * /128 hosts inline, every further host and every prefix in the LPM
 * tries under the policy's generation, with VG_F_V4_TABLE /
 * VG_F_V6_TABLE; placed in the array or the hash, with decoys (policies
 * in mode disabled) where a wrong lookup would find them.  An epoch
 * changes one interface's policy or placement (new generation; the old
 * generation's entries go now or an epoch later, as an update leaves
 * them for a while) and then runs a few hundred to a few thousand frames
 * over all interfaces.
 *
 * Every frame's verdict is compared at once.  Reasons are compared per
 * batch of frames: the "totals" per-CPU array (every drop, by reason)
 * and the pass counters of the interfaces must have moved by exactly
 * what the model says for the batch; if not, the batch is run again
 * frame by frame, reading the counters around each, to name the frames
 * and the program's reason for each.  A disagreement is printed and
 * saved as a regression case (case.h); every saved case is replayed
 * before fuzzing.
 *
 * Link-local learning: the interfaces share one learning state (maps
 * learned6, learn_slots, protected6), seeded as the loader seeds it
 * (CONFIG entries of the policies in force, a protected address) and
 * changed between epochs as the loader may.  Frames of a small pool of
 * link-local addresses (gen_learn_frame) and frames delivered to a guest
 * through the egress program vifguard_out (gen_delivered_frame) join the
 * rest.  After every frame the state the model leaves is compared with
 * the maps: what the frame can touch by point lookups, everything every
 * FULL_CHECK frames.  A frame run again runs in the state it first ran in.
 *
 * Frames the kernel will not run (shorter than an Ethernet header, or an
 * IPv4 / IPv6 ethertype with its fixed header cut short: the kernel
 * checks that) are skipped and counted apart.
 *
 * Usage: difffuzz [--seed N] [--count N] [--seconds S] [--jobs N]
 *                 [--regress DIR] [--save DIR | --no-save] [--tap [FIRST]]
 *                 [--replay FILE...]
 * Root only.  Exit 0: no disagreement; 1: disagreements or errors; 2: usage.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "vifguard.h"
#include "vifguard.skel.h"
#include "case.h"
#include "gen.h"
#include "model.h"

#ifndef REGRESS_DIR
#define REGRESS_DIR "tests/model/regress"
#endif

#define BATCH		64
#define DECOY_SLOT	8000	/* the decoys' pass counter: must never move */
#define OTHER_IFINDEX	8192	/* + ifindex: a stranger that holds our array entry */
#define MAX_IFACES	8
#define MAX_PRINTED	30	/* disagreements printed in full, per worker */
#define MAX_SAVED_PAIR	2	/* saved per (model, program) reason pair, per worker */
#define MAX_SAVED_STATE	6	/* state disagreements saved, per worker */
#define FULL_CHECK	64	/* frames between two reads of the whole learning state */
#define ANOMALY		VG_REASON_MAX	/* the counters moved in no way a frame can */

static bool tap;
static const char *save_dir = REGRESS_DIR;

/* --- the program and its maps ------------------------------------------------ */

struct runner {
	struct vifguard *skel;
	int prog, prog_out, policy, spill, v4, v6, passes, totals, drops;
	int learned6, learn_slots, protected6;
	int learned4, lease_slots, learn_cfg;	/* -1: a program without DHCP snooping */
	int ncpus;
	__u64 *percpu;
};

static void die(const char *what, int err)
{
	printf("%s%s: %s\n", tap ? "Bail out! " : "difffuzz: ", what,
	       strerror(err < 0 ? -err : err));
	exit(1);
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

static void runner_open(struct runner *r)
{
	r->ncpus = libbpf_num_possible_cpus();
	if (r->ncpus <= 0)
		die("possible CPUs", r->ncpus);
	r->percpu = calloc(r->ncpus, sizeof(struct vg_stats));
	if (!r->percpu)
		die("calloc", ENOMEM);
	r->skel = vifguard__open_and_load();
	if (!r->skel)
		die("vifguard__open_and_load", errno);
	r->prog = bpf_program__fd(r->skel->progs.vifguard);
	r->prog_out = bpf_program__fd(r->skel->progs.vifguard_out);
	r->learned6 = bpf_map__fd(r->skel->maps.learned6);
	/* By name: the fuzzer also runs against a program of layout 3. */
	r->learned4 = bpf_object__find_map_fd_by_name(r->skel->obj, "learned4");
	r->lease_slots = bpf_object__find_map_fd_by_name(r->skel->obj, "lease_slots");
	r->learn_cfg = bpf_object__find_map_fd_by_name(r->skel->obj, "learn_cfg");
	if (r->learned4 < 0 || r->lease_slots < 0 || r->learn_cfg < 0)
		r->learned4 = r->lease_slots = r->learn_cfg = -1;
	r->learn_slots = bpf_map__fd(r->skel->maps.learn_slots);
	r->protected6 = bpf_map__fd(r->skel->maps.protected6);
	r->policy = bpf_map__fd(r->skel->maps.policy);
	r->spill = bpf_map__fd(r->skel->maps.policy_spill);
	r->v4 = bpf_map__fd(r->skel->maps.v4_addrs);
	r->v6 = bpf_map__fd(r->skel->maps.v6_addrs);
	r->passes = bpf_map__fd(r->skel->maps.passes);
	r->totals = bpf_map__fd(r->skel->maps.totals);
	r->drops = bpf_map__fd(r->skel->maps.drops);
}

static void runner_close(struct runner *r)
{
	vifguard__destroy(r->skel);
	free(r->percpu);
}

/* The reasons' totals: one batch read of the array (the percpu buffer
 * holds VG_REASON_MAX values per CPU), key by key if the kernel cannot. */
static void read_totals(struct runner *r, __u64 out[VG_REASON_MAX])
{
	__u64 *v = (__u64 *)r->percpu;
	__u32 keys[VG_REASON_MAX], count = VG_REASON_MAX, next;

	memset(out, 0, sizeof(__u64) * VG_REASON_MAX);
	if (!bpf_map_lookup_batch(r->totals, NULL, &next, keys, v, &count, NULL) &&
	    count == VG_REASON_MAX) {
		for (__u32 i = 0; i < VG_REASON_MAX; i++)
			for (int c = 0; c < r->ncpus; c++)
				out[keys[i]] += v[i * r->ncpus + c];
		return;
	}
	for (__u32 i = 0; i < VG_REASON_MAX; i++) {
		if (bpf_map_lookup_elem(r->totals, &i, v))
			die("totals read", errno);
		for (int c = 0; c < r->ncpus; c++)
			out[i] += v[c];
	}
}

static __u64 read_pass(struct runner *r, __u32 slot)
{
	__u64 t = 0;

	if (bpf_map_lookup_elem(r->passes, &slot, r->percpu))
		die("passes read", errno);
	for (int c = 0; c < r->ncpus; c++)
		t += r->percpu[c];
	return t;
}

/* The kernel's own checks of a BPF_PROG_TEST_RUN frame (eth_type_trans
 * and the IP header it looks at): such frames cannot be run. */
enum refusal { RUNS, REFUSED_SHORT, REFUSED_V4, REFUSED_V6, REFUSAL_MAX };

static enum refusal kernel_refuses(const uint8_t *b, size_t len)
{
	unsigned int type;

	if (len < 14)
		return REFUSED_SHORT;
	type = b[12] << 8 | b[13];
	if (type == 0x0800 && len < 14 + 20)
		return REFUSED_V4;
	if (type == 0x86dd && len < 14 + 40)
		return REFUSED_V6;
	return RUNS;
}

static int run_prog(int prog, int ifindex, int ingress_ifindex, const uint8_t *b, size_t len)
{
	struct __sk_buff ctx = { .ifindex = ifindex, .ingress_ifindex = ingress_ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = b, .data_size_in = len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 1);

	if (bpf_prog_test_run_opts(prog, &opts))
		return -errno;
	return opts.retval;
}

/* Runs one frame; returns the verdict or -errno. */
static int run_frame(struct runner *r, int ifindex, const uint8_t *b, size_t len)
{
	return run_prog(r->prog, ifindex, 0, b, len);
}

/* Delivers one frame to the guest on ifindex (the egress program), as
 * received on from (0: sent by the host). */
static int run_delivered(struct runner *r, int ifindex, int from, const uint8_t *b, size_t len)
{
	return run_prog(r->prog_out, ifindex, from, b, len);
}

/* bpf_ktime_get_ns()'s clock. */
static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* --- the learning maps ------------------------------------------------------------ */

/* Entries read per map: a full learned6 (a case's "fill"), and more. */
#define STATE_MAX	(VG_MAX_LEARNED + 512)

/* Every entry of a hash map, by batches; returns the count or -errno. */
static int read_hash(int fd, void *keys, size_t ksize, void *vals, size_t vsize)
{
	__u64 in[4], out[4];
	__u32 total = 0;
	bool first = true;

	for (;;) {
		/* 512 at a time: the kernel allocates room for count entries. */
		__u32 count = STATE_MAX - total < 512 ? STATE_MAX - total : 512;
		int err;

		if (!count)
			return -E2BIG;
		err = bpf_map_lookup_batch(fd, first ? NULL : in, out, (char *)keys + total * ksize,
					   (char *)vals + total * vsize, &count, NULL);
		if (err && errno != ENOENT)
			return -errno;
		total += count;
		if (err)
			return total;
		memcpy(in, out, sizeof(in));
		first = false;
	}
}

/* Empties a hash of keys of ksize octets, 512 keys a read. */
static void clear_hash(int fd, size_t ksize)
{
	static uint8_t keys[512 * 16], vals[512 * 32];
	__u64 out[4];

	for (;;) {
		__u32 count = 512;
		int err = bpf_map_lookup_batch(fd, NULL, out, keys, vals, &count, NULL);

		if (err && errno != ENOENT)
			die("learning map read", errno);
		for (__u32 i = 0; i < count; i++)
			if (bpf_map_delete_elem(fd, keys + i * ksize))
				die("learning map delete", errno);
		if (err || !count)
			return;
	}
}

/* The address of "fill" entry i: fe80::ffff:ffff:0:i, which no frame names. */
static void fill_addr(unsigned int i, uint8_t a[16])
{
	memset(a, 0, 16);
	a[0] = 0xfe;
	a[1] = 0x80;
	memset(a + 8, 0xff, 4);
	a[14] = i >> 8;
	a[15] = i;
}

static const char *a6(const uint8_t a[16], char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

/* An entry with an end and a lease slot: a lease or a first-use address
 * (none for a parked one, ifindex 0). */
static bool leased(const struct model_held *h)
{
	return h->origin == VG_ORIGIN_DHCP || h->origin == VG_ORIGIN_FIRST;
}

/* The lease_slots entry {ifindex, slot}, or -1. */
static int lease_slot_at(const struct vg_slot_key *sk, int ns, uint32_t ifindex, uint32_t slot)
{
	for (int i = 0; i < ns; i++)
		if (sk[i].ifindex == ifindex && sk[i].slot == slot)
			return i;
	return -1;
}

/*
 * learned4 and the leases (learned6 entries lk/lv of origin DHCP or
 * FIRST, read already) into k, after checking that they and lease_slots
 * tell one story: a lease or first-use address names a slot of its
 * family (IPv4 below VG_LEARN_DHCP4_CAP, IPv6 after) that holds its
 * address (IPv4 as ::ffff:a.b.c.d) with since_ns its expires_ns, unless
 * it is parked (ifindex 0: no slot), and every slot is named so but the
 * learning windows' (slot VG_SLOT_WINDOW), which k takes too.  -1 with
 * the inconsistency in why.
 */
static int leases_read(struct runner *r, struct model_learn *k, const struct vg_addr6 *lk,
		       const struct vg_owner *lv, int nl, char *why, size_t whylen)
{
	static struct vg_addr4 fk[STATE_MAX];
	static struct vg_owner fv[STATE_MAX];
	static struct vg_slot_key sk[STATE_MAX];
	static struct vg_slot sv[STATE_MAX];
	static bool named[STATE_MAX];
	char b1[INET6_ADDRSTRLEN], b2[INET6_ADDRSTRLEN];
	int n4, ns;

	n4 = read_hash(r->learned4, fk, sizeof(fk[0]), fv, sizeof(fv[0]));
	ns = read_hash(r->lease_slots, sk, sizeof(sk[0]), sv, sizeof(sv[0]));
	if (n4 < 0 || ns < 0)
		die("learned4 / lease_slots read", n4 < 0 ? n4 : ns);
	memset(named, 0, sizeof(named[0]) * ns);
	for (int i = 0; i < nl + n4; i++) {
		bool v4 = i >= nl;
		const struct vg_owner *o = v4 ? &fv[i - nl] : &lv[i];
		uint8_t a[16];
		struct model_held *h;
		int sl;

		if (v4)
			model_v4_mapped((const uint8_t *)&fk[i - nl].addr, a);
		else
			memcpy(a, lk[i].addr, 16);
		if (v4 && o->ifindex == CASE_FILL_IFINDEX && o->origin == VG_ORIGIN_CONFIG) {
			k->n_fill4++;
			continue;
		}
		if (v4) {
			if (o->origin != VG_ORIGIN_CONFIG && o->origin != VG_ORIGIN_DHCP &&
			    o->origin != VG_ORIGIN_FIRST) {
				snprintf(why, whylen, "learned4 %s has origin %u", a6(a, b1),
					 o->origin);
				return -1;
			}
			if (k->n_held4 == MODEL_MAX_HELD) {
				snprintf(why, whylen, "more than %d learned4 entries",
					 MODEL_MAX_HELD);
				return -1;
			}
			h = &k->held4[k->n_held4++];
			memset(h, 0, sizeof(*h));
			memcpy(h->addr, a, 16);
			h->ifindex = o->ifindex;
			h->origin = o->origin;
		} else {
			h = (struct model_held *)model_learn_find(k, a);
		}
		if ((o->origin != VG_ORIGIN_DHCP && o->origin != VG_ORIGIN_FIRST) || !h)
			continue;
		h->expires = o->expires_ns;
		h->order = 0;
		if (!o->ifindex)
			continue;
		sl = lease_slot_at(sk, ns, o->ifindex, o->slot);
		if ((v4 ? o->slot >= VG_LEARN_DHCP4_CAP
			: o->slot < VG_LEARN_DHCP4_CAP || o->slot >= VG_LEASE_SLOTS) ||
		    sl < 0 || memcmp(sv[sl].a.addr, a, 16) || sv[sl].since_ns != o->expires_ns ||
		    named[sl]) {
			snprintf(why, whylen,
				 "%s %s (ifindex %u, lease until %llu) names lease slot %u, which %s%s",
				 v4 ? "learned4" : "learned6", a6(a, b1), o->ifindex,
				 (unsigned long long)o->expires_ns, o->slot,
				 sl < 0 ? "is not there" : named[sl] ? "another names too: " : "holds ",
				 sl < 0 ? "" : a6((const uint8_t *)sv[sl].a.addr, b2));
			return -1;
		}
		named[sl] = true;
	}
	for (int i = 0; i < ns; i++) {
		if (named[i])
			continue;
		if (sk[i].slot == VG_SLOT_WINDOW && k->n_win < MODEL_MAX_WINDOWS) {
			k->win[k->n_win].ifindex = sk[i].ifindex;
			k->win[k->n_win++].end = sv[i].since_ns;
			continue;
		}
		snprintf(why, whylen, "lease_slots {%u, %u} holds %s, which no lease names",
			 sk[i].ifindex, sk[i].slot, a6((const uint8_t *)sv[i].a.addr, b1));
		return -1;
	}
	return 0;
}

/*
 * The learning maps as a model state (order = since_ns), after checking
 * that learned6 and learn_slots tell one story: every learned entry
 * names a slot below the cap that holds it, with the same time, and
 * every slot is named so.  -1 with the inconsistency in why.
 */
static int state_read(struct runner *r, struct model_learn *k, char *why, size_t whylen)
{
	static struct vg_addr6 lk[STATE_MAX], pk[STATE_MAX];
	static struct vg_owner lv[STATE_MAX];
	static struct vg_slot_key sk[STATE_MAX];
	static struct vg_slot sv[STATE_MAX];
	static struct vg_protect pv[STATE_MAX];
	char b1[INET6_ADDRSTRLEN], b2[INET6_ADDRSTRLEN];
	int nl, ns, np;

	nl = read_hash(r->learned6, lk, sizeof(lk[0]), lv, sizeof(lv[0]));
	ns = read_hash(r->learn_slots, sk, sizeof(sk[0]), sv, sizeof(sv[0]));
	np = read_hash(r->protected6, pk, sizeof(pk[0]), pv, sizeof(pv[0]));
	if (nl < 0 || ns < 0 || np < 0)
		die("learning maps read", nl < 0 ? nl : ns < 0 ? ns : np);
	model_learn_init(k);
	if (np > MODEL_MAX_PROTECTED) {
		snprintf(why, whylen, "%d protected6 entries", np);
		return -1;
	}
	for (int i = 0; i < nl; i++) {
		struct model_held *h;
		int s;

		if (lv[i].ifindex == CASE_FILL_IFINDEX && lv[i].origin == VG_ORIGIN_CONFIG) {
			k->n_fill++;
			continue;
		}
		if (k->n_held == MODEL_MAX_HELD) {
			snprintf(why, whylen, "more than %d learned6 entries", MODEL_MAX_HELD);
			return -1;
		}
		h = &k->held[k->n_held++];
		memcpy(h->addr, lk[i].addr, 16);
		h->ifindex = lv[i].ifindex;
		h->origin = lv[i].origin;
		h->order = lv[i].since_ns;
		if (h->origin != VG_ORIGIN_DAD && h->origin != VG_ORIGIN_CONFIG &&
		    ((h->origin != VG_ORIGIN_DHCP && h->origin != VG_ORIGIN_FIRST) ||
		     r->learned4 < 0)) {
			snprintf(why, whylen, "learned6 %s has origin %u", a6(h->addr, b1),
				 h->origin);
			return -1;
		}
		if (h->origin != VG_ORIGIN_DAD)
			continue;
		for (s = 0; s < ns; s++)
			if (sk[s].ifindex == h->ifindex && sk[s].slot == lv[i].slot)
				break;
		if (lv[i].slot >= VG_LEARN_LL_CAP || s == ns ||
		    memcmp(sv[s].a.addr, h->addr, 16) || sv[s].since_ns != lv[i].since_ns) {
			snprintf(why, whylen,
				 "learned6 %s (ifindex %u) names slot %u, which %s%s", a6(h->addr, b1),
				 h->ifindex, lv[i].slot, s == ns ? "is not there" : "holds ",
				 s == ns ? "" : a6((const uint8_t *)sv[s].a.addr, b2));
			return -1;
		}
	}
	for (int s = 0; s < ns; s++) {
		const struct model_held *h = model_learn_find(k, (const uint8_t *)sv[s].a.addr);
		bool named = false;

		for (int i = 0; i < nl && h; i++)
			named |= !memcmp(lk[i].addr, sv[s].a.addr, 16) && lv[i].slot == sk[s].slot &&
				 lv[i].ifindex == sk[s].ifindex && lv[i].origin == VG_ORIGIN_DAD;
		if (!named) {
			snprintf(why, whylen,
				 "learn_slots {%u, %u} holds %s, which learned6 does not give it",
				 sk[s].ifindex, sk[s].slot, a6((const uint8_t *)sv[s].a.addr, b1));
			return -1;
		}
	}
	for (int i = 0; i < np; i++)
		memcpy(k->prot[k->n_prot++], pk[i].addr, 16);
	return r->learned4 < 0 ? 0 : leases_read(r, k, lk, lv, nl, why, whylen);
}

/* The kernel's state k against the model's m: the same holders and
 * origins, the same protected set, and the learned addresses in the same
 * order (the kernel's times against the model's clock). */
/*
 * The leases of k against m's: the same learned4 entries, and every
 * lease's expiry in k no earlier than in m and at most tol later (the
 * program read its clock after the model's "now"); tol ~0: expiries not
 * compared (a saved case's state has none).
 */
static bool leases_same(const struct model_learn *m, const struct model_learn *k, uint64_t tol,
			char *why, size_t whylen)
{
	char b1[INET6_ADDRSTRLEN];

	if (m->n_fill4 != k->n_fill4) {
		snprintf(why, whylen, "%u learned4 fill entries in the model, %u in the maps",
			 m->n_fill4, k->n_fill4);
		return false;
	}
	for (int side = 0; side < 2; side++) {
		const struct model_learn *x = side ? k : m, *y = side ? m : k;

		for (unsigned int i = 0; i < x->n_held4; i++) {
			const struct model_held *e = &x->held4[i], *o = model_learn_find4(y, e->addr);

			if (!o || o->ifindex != e->ifindex || o->origin != e->origin) {
				char other[64] = "not";

				if (o)
					snprintf(other, sizeof(other), "by %u (origin %u)", o->ifindex,
						 o->origin);
				snprintf(why, whylen,
					 "%s: held in the %s by %u (origin %u), in the %s %s",
					 a6(e->addr, b1), side ? "maps" : "model", e->ifindex, e->origin,
					 side ? "model" : "maps", other);
				return false;
			}
		}
	}
	if (tol == ~0ULL)
		return true;
	for (unsigned int i = 0; i < m->n_held + m->n_held4; i++) {
		bool v4 = i >= m->n_held;
		const struct model_held *e = v4 ? &m->held4[i - m->n_held] : &m->held[i];
		const struct model_held *o = v4 ? model_learn_find4(k, e->addr)
						: model_learn_find(k, e->addr);

		if (!leased(e) || !o)
			continue;
		if (e->expires == VG_LEASE_FOREVER ? o->expires != VG_LEASE_FOREVER
						   : o->expires < e->expires || o->expires - e->expires > tol) {
			snprintf(why, whylen,
				 "%s: the model has its lease end at %llu, the maps at %llu (%+lld ns)",
				 a6(e->addr, b1), (unsigned long long)e->expires,
				 (unsigned long long)o->expires,
				 (long long)(o->expires - e->expires));
			return false;
		}
	}
	return true;
}

/* The expiries of k's leases into m (the same leases: leases_same()). */
static void leases_adopt(struct model_learn *m, const struct model_learn *k)
{
	for (unsigned int i = 0; i < m->n_held + m->n_held4; i++) {
		bool v4 = i >= m->n_held;
		struct model_held *e = v4 ? &m->held4[i - m->n_held] : &m->held[i];
		const struct model_held *o = v4 ? model_learn_find4(k, e->addr)
						: model_learn_find(k, e->addr);

		if (leased(e) && o)
			e->expires = o->expires;
	}
}

static bool state_same(const struct model_learn *m, const struct model_learn *k, bool order,
		       uint64_t tol, char *why, size_t whylen)
{
	char b1[INET6_ADDRSTRLEN], b2[INET6_ADDRSTRLEN];

	if (!leases_same(m, k, tol, why, whylen))
		return false;

	if (m->n_fill != k->n_fill) {
		snprintf(why, whylen, "%u fill entries in the model, %u in the maps", m->n_fill,
			 k->n_fill);
		return false;
	}
	for (unsigned int i = 0; i < m->n_held; i++) {
		const struct model_held *e = &m->held[i], *o = model_learn_find(k, e->addr);

		if (!o) {
			snprintf(why, whylen, "%s: the model has it held by %u (%s), the maps not",
				 a6(e->addr, b1), e->ifindex,
				 e->origin == VG_ORIGIN_DAD     ? "learned"
				 : e->origin == VG_ORIGIN_DHCP  ? "leased"
				 : e->origin == VG_ORIGIN_FIRST ? "first used"
								: "configured");
			return false;
		}
		if (o->ifindex != e->ifindex || o->origin != e->origin) {
			snprintf(why, whylen, "%s: the model has it held by %u (origin %u), the maps by %u (origin %u)",
				 a6(e->addr, b1), e->ifindex, e->origin, o->ifindex, o->origin);
			return false;
		}
	}
	for (unsigned int i = 0; i < k->n_held; i++) {
		const struct model_held *o = &k->held[i];

		if (!model_learn_find(m, o->addr)) {
			snprintf(why, whylen, "%s: the maps have it held by %u (origin %u), the model not",
				 a6(o->addr, b1), o->ifindex, o->origin);
			return false;
		}
	}
	for (unsigned int i = 0; i < m->n_prot; i++) {
		if (!model_learn_protected(k, m->prot[i])) {
			snprintf(why, whylen, "%s: protected in the model, not in the maps",
				 a6(m->prot[i], b1));
			return false;
		}
	}
	for (unsigned int i = 0; i < k->n_prot; i++) {
		if (!model_learn_protected(m, k->prot[i])) {
			snprintf(why, whylen, "%s: protected in the maps, not in the model",
				 a6(k->prot[i], b1));
			return false;
		}
	}
	for (unsigned int i = 0; i < m->n_held && order; i++) {
		for (unsigned int j = 0; j < m->n_held; j++) {
			const struct model_held *a = &m->held[i], *b = &m->held[j];

			if (a->origin != VG_ORIGIN_DAD || b->origin != VG_ORIGIN_DAD ||
			    a->order >= b->order)
				continue;
			if (model_learn_find(k, a->addr)->order < model_learn_find(k, b->addr)->order)
				continue;
			snprintf(why, whylen, "%s was learned before %s in the model, not in the maps",
				 a6(a->addr, b1), a6(b->addr, b2));
			return false;
		}
	}
	return true;
}

/* The address of learned4 "fill" entry i: 198.18.x.y, which no frame names. */
static struct vg_addr4 fill_addr4(unsigned int i)
{
	uint8_t a[4] = { 198, 18, i >> 8, i };
	struct vg_addr4 k;

	memcpy(&k.addr, a, 4);
	return k;
}

static __u8 lease_slot_of(const struct model_learn *m, const struct model_held *h, bool v4);

/*
 * learned4, lease_slots and learn_cfg := m's, and m's DHCPv6 leases'
 * lease_slots entries (state_write() writes their learned6 entries):
 * each interface's leases in slots of their family in the model's order.
 */
static void leases_write(struct runner *r, const struct model_learn *m)
{
	struct vg_learn_cfg cfg = { .dhcp_grace_s = m->grace_s,
				    .first_lease_s = m->first_lease_s };
	__u32 zero = 0;

	clear_hash(r->learned4, sizeof(struct vg_addr4));
	clear_hash(r->lease_slots, sizeof(struct vg_slot_key));
	if (bpf_map_update_elem(r->learn_cfg, &zero, &cfg, BPF_ANY))
		die("learn_cfg update", errno);
	for (unsigned int i = 0; i < m->n_fill4; i++) {
		struct vg_owner o = { .ifindex = CASE_FILL_IFINDEX, .origin = VG_ORIGIN_CONFIG };
		struct vg_addr4 k = fill_addr4(i);

		if (bpf_map_update_elem(r->learned4, &k, &o, BPF_ANY))
			die("learned4 update (fill)", errno);
	}
	for (unsigned int i = 0; i < m->n_held4; i++) {
		const struct model_held *h = &m->held4[i];
		struct vg_owner o = { .ifindex = h->ifindex, .origin = h->origin };
		struct vg_addr4 k;

		memcpy(&k.addr, h->addr + 12, 4);
		if (leased(h)) {
			o.slot = h->ifindex ? lease_slot_of(m, h, true) : 0;
			o.expires_ns = h->expires;
		}
		if (bpf_map_update_elem(r->learned4, &k, &o, BPF_ANY))
			die("learned4 update", errno);
	}
	for (unsigned int i = 0; i < m->n_held + m->n_held4; i++) {
		bool v4 = i >= m->n_held;
		const struct model_held *h = v4 ? &m->held4[i - m->n_held] : &m->held[i];
		struct vg_slot_key sk = { .ifindex = h->ifindex };
		struct vg_slot sv = { .since_ns = h->expires };

		if (!leased(h) || !h->ifindex)
			continue;
		sk.slot = lease_slot_of(m, h, v4);
		memcpy(sv.a.addr, h->addr, 16);
		if (bpf_map_update_elem(r->lease_slots, &sk, &sv, BPF_ANY))
			die("lease_slots update", errno);
	}
	for (unsigned int i = 0; i < m->n_win; i++) {
		struct vg_slot_key sk = { .ifindex = m->win[i].ifindex, .slot = VG_SLOT_WINDOW };
		struct vg_slot sv = { .since_ns = m->win[i].end };

		if (bpf_map_update_elem(r->lease_slots, &sk, &sv, BPF_ANY))
			die("lease_slots update (window)", errno);
	}
}

/* The lease slot state_write() gives lease h of m. */
static __u8 lease_slot_of(const struct model_learn *m, const struct model_held *h, bool v4)
{
	const struct model_held *e = v4 ? m->held4 : m->held;
	__u8 slot = v4 ? 0 : VG_LEARN_DHCP4_CAP;

	for (const struct model_held *x = e; x < h; x++)
		slot += leased(x) && x->ifindex == h->ifindex;
	return slot;
}

/* The maps := state m, as the loader and earlier frames would leave them:
 * learned addresses in slots by age, "since" their order. */
static void state_write(struct runner *r, const struct model_learn *m)
{
	union {
		struct vg_addr6 a;
		struct vg_slot_key s;
	} key;

	clear_hash(r->learned6, sizeof(struct vg_addr6));
	clear_hash(r->learn_slots, sizeof(struct vg_slot_key));
	clear_hash(r->protected6, sizeof(struct vg_addr6));
	if (r->learned4 >= 0)
		leases_write(r, m);
	for (unsigned int i = 0; i < m->n_fill; i++) {
		struct vg_owner o = { .ifindex = CASE_FILL_IFINDEX, .origin = VG_ORIGIN_CONFIG };

		fill_addr(i, (uint8_t *)key.a.addr);
		if (bpf_map_update_elem(r->learned6, &key.a, &o, BPF_ANY))
			die("learned6 update (fill)", errno);
	}
	for (unsigned int i = 0; i < m->n_held; i++) {
		const struct model_held *h = &m->held[i];
		struct vg_owner o = { .ifindex = h->ifindex, .origin = h->origin,
				      .since_ns = h->order };
		struct vg_slot_key sk = { .ifindex = h->ifindex };
		struct vg_slot sv = { .since_ns = h->order };

		memcpy(key.a.addr, h->addr, 16);
		if (leased(h)) {
			o.expires_ns = h->expires;
			o.slot = h->ifindex ? lease_slot_of(m, h, false) : 0;
		}
		if (h->origin == VG_ORIGIN_DAD) {
			for (unsigned int j = 0; j < m->n_held; j++)
				o.slot += m->held[j].origin == VG_ORIGIN_DAD &&
					  m->held[j].ifindex == h->ifindex &&
					  m->held[j].order < h->order;
			sk.slot = o.slot;
			memcpy(sv.a.addr, h->addr, 16);
			if (bpf_map_update_elem(r->learn_slots, &sk, &sv, BPF_ANY))
				die("learn_slots update", errno);
		}
		if (bpf_map_update_elem(r->learned6, &key.a, &o, BPF_ANY))
			die("learned6 update", errno);
	}
	for (unsigned int i = 0; i < m->n_prot; i++) {
		struct vg_protect v = { .why = VG_PROTECT_CONFIG };

		memcpy(key.a.addr, m->prot[i], 16);
		if (bpf_map_update_elem(r->protected6, &key.a, &v, BPF_ANY))
			die("protected6 update", errno);
	}
}

static bool held_same(const struct model_held *a, const struct model_held *b)
{
	return a->ifindex == b->ifindex && a->origin == b->origin;
}

/*
 * What one frame can have changed in the maps, against the model's next
 * state m: the entries of the addresses it names (IPv6 source, ND
 * target) and of those the model changed (before: prev), and the slots
 * of every interface that held or holds one of them.  Point lookups, a
 * few per frame; state_read() reads everything now and then.
 */
static bool state_touched_same(struct runner *r, const struct model_learn *prev,
			       const struct model_learn *m, uint32_t ifindex, const uint8_t *b,
			       size_t len, char *why, size_t whylen)
{
	uint8_t addrs[2 + 2 * MODEL_MAX_HELD + 2 * MODEL_MAX_PROTECTED][16];
	uint32_t ifs[2 + 2 * MODEL_MAX_HELD];
	unsigned int n = 0, n_ifs = 0;
	char b1[INET6_ADDRSTRLEN], b2[INET6_ADDRSTRLEN];

	if (len >= 14 + 24)
		memcpy(addrs[n++], b + 14 + 8, 16);
	if (len >= 14 + 40 + 24)
		memcpy(addrs[n++], b + 14 + 40 + 8, 16);
	ifs[n_ifs++] = ifindex;
	for (int side = 0; side < 2; side++) {
		const struct model_learn *x = side ? m : prev, *y = side ? prev : m;

		for (unsigned int i = 0; i < x->n_held; i++) {
			const struct model_held *h = &x->held[i], *o = model_learn_find(y, h->addr);

			if (o && held_same(h, o))
				continue;
			memcpy(addrs[n++], h->addr, 16);
			ifs[n_ifs++] = h->ifindex;
		}
		for (unsigned int i = 0; i < x->n_prot; i++)
			if (!model_learn_protected(y, x->prot[i]))
				memcpy(addrs[n++], x->prot[i], 16);
	}
	for (unsigned int i = 0; i < n; i++) {
		const struct model_held *h = model_learn_find(m, addrs[i]);
		struct vg_owner o;
		struct vg_protect pr;
		bool in_k = !bpf_map_lookup_elem(r->learned6, addrs[i], &o);
		bool prot_k = !bpf_map_lookup_elem(r->protected6, addrs[i], &pr);

		if (!h != !in_k || (h && (h->ifindex != o.ifindex || h->origin != o.origin))) {
			snprintf(why, whylen, "%s: the model has it %s %u (origin %u), the maps %s %u (origin %u)",
				 a6(addrs[i], b1), h ? "held by" : "free", h ? h->ifindex : 0,
				 h ? h->origin : 0, in_k ? "held by" : "free", in_k ? o.ifindex : 0,
				 in_k ? o.origin : 0);
			return false;
		}
		if (prot_k != model_learn_protected(m, addrs[i])) {
			snprintf(why, whylen, "%s: protected in the %s, not in the %s",
				 a6(addrs[i], b1), prot_k ? "maps" : "model", prot_k ? "model" : "maps");
			return false;
		}
	}
	for (unsigned int j = 0; j < n_ifs; j++) {
		struct vg_slot sv[VG_LEARN_LL_CAP];
		bool have[VG_LEARN_LL_CAP];
		unsigned int mine = 0, in_slots = 0;

		for (unsigned int sl = 0; sl < VG_LEARN_LL_CAP; sl++) {
			struct vg_slot_key k = { .ifindex = ifs[j], .slot = sl };

			have[sl] = !bpf_map_lookup_elem(r->learn_slots, &k, &sv[sl]);
			in_slots += have[sl];
		}
		for (unsigned int i = 0; i < m->n_held; i++) {
			const struct model_held *h = &m->held[i];
			struct vg_owner o;
			unsigned int sl;

			if (h->ifindex != ifs[j] || h->origin != VG_ORIGIN_DAD)
				continue;
			mine++;
			if (bpf_map_lookup_elem(r->learned6, h->addr, &o) || o.ifindex != h->ifindex ||
			    o.origin != VG_ORIGIN_DAD) {
				snprintf(why, whylen, "%s: learned by %u in the model, not in the maps",
					 a6(h->addr, b1), h->ifindex);
				return false;
			}
			sl = o.slot;
			if (sl >= VG_LEARN_LL_CAP || !have[sl] || memcmp(sv[sl].a.addr, h->addr, 16) ||
			    sv[sl].since_ns != o.since_ns) {
				snprintf(why, whylen, "learned6 %s (ifindex %u) names slot %u, which does not hold it",
					 a6(h->addr, b1), h->ifindex, sl);
				return false;
			}
			for (unsigned int i2 = 0; i2 < m->n_held; i2++) {
				const struct model_held *h2 = &m->held[i2];
				struct vg_owner o2;

				if (h2->ifindex != ifs[j] || h2->origin != VG_ORIGIN_DAD ||
				    h2->order <= h->order ||
				    bpf_map_lookup_elem(r->learned6, h2->addr, &o2))
					continue;
				if (o2.since_ns <= o.since_ns) {
					snprintf(why, whylen, "%s was learned before %s in the model, not in the maps",
						 a6(h->addr, b1), a6(h2->addr, b2));
					return false;
				}
			}
		}
		if (in_slots != mine) {
			snprintf(why, whylen, "ifindex %u: %u slots in learn_slots, %u learned in the model",
				 ifs[j], in_slots, mine);
			return false;
		}
	}
	return true;
}

/* One line: "fe80::1=10/dad ... protected=..." (self: the frame's ifindex). */
static void state_format(FILE *f, const struct model_learn *st)
{
	char b[INET6_ADDRSTRLEN];

	for (unsigned int i = 0; i < st->n_held + st->n_held4; i++) {
		const struct model_held *h = i < st->n_held ? &st->held[i]
							     : &st->held4[i - st->n_held];

		fprintf(f, "%s=%u/%s ", a6(h->addr, b), h->ifindex,
			h->origin == VG_ORIGIN_DAD     ? "dad"
			: h->origin == VG_ORIGIN_DHCP  ? "dhcp"
			: h->origin == VG_ORIGIN_FIRST ? "first"
						       : "config");
	}
	fprintf(f, "protected=");
	for (unsigned int i = 0; i < st->n_prot; i++)
		fprintf(f, "%s%s", i ? "," : "", a6(st->prot[i], b));
	fprintf(f, "%s", st->n_prot ? "" : "-");
}

/*
 * The program's reason for one frame, from the counters around it: a
 * pass moves the interface's pass counter, a drop one "totals" reason.
 * ANOMALY (with what moved in why) if neither, or -errno if it did not run.
 */
static int program_reason(struct runner *r, int ifindex, __u32 slot, const uint8_t *b, size_t len,
			  char *why, size_t whylen)
{
	__u64 t0[VG_REASON_MAX], t1[VG_REASON_MAX], p0, p1, d0, d1;
	int v, moved = -1, n_moved = 0;

	read_totals(r, t0);
	p0 = read_pass(r, slot);
	d0 = read_pass(r, DECOY_SLOT);
	v = run_frame(r, ifindex, b, len);
	if (v < 0)
		return v;
	read_totals(r, t1);
	p1 = read_pass(r, slot);
	d1 = read_pass(r, DECOY_SLOT);
	for (int i = 0; i < VG_REASON_MAX; i++) {
		if (t1[i] != t0[i]) {
			n_moved++;
			if (t1[i] - t0[i] == 1)
				moved = i;
		}
	}
	if (v == TC_ACT_OK && p1 - p0 == 1 && d1 == d0 && n_moved == 0)
		return VG_PASS;
	if (v == TC_ACT_SHOT && p1 == p0 && d1 == d0 && n_moved == 1 && moved > 0)
		return moved;
	snprintf(why, whylen,
		 "verdict %d, pass counter +%llu, decoy pass counter +%llu, %d totals moved%s%s", v,
		 (unsigned long long)(p1 - p0), (unsigned long long)(d1 - d0), n_moved,
		 moved >= 0 ? ", one of them " : "", moved >= 0 ? vg_model_reason_name(moved) : "");
	return ANOMALY;
}

/*
 * A frame delivered through the egress program, which must pass it and
 * count exactly the refusals the model counts (want) in "totals":
 * returns the first of them, or VG_PASS, when it did; else ANOMALY with
 * what moved in why, or -errno.
 */
static int egress_reason(struct runner *r, int ifindex, int from, const uint8_t *b, size_t len,
			 const struct model_refusals *want, char *why, size_t whylen)
{
	__u64 t0[VG_REASON_MAX], t1[VG_REASON_MAX], expect[VG_REASON_MAX] = { 0 };
	int v;

	for (unsigned int i = 0; i < want->n; i++)
		expect[want->r[i]]++;
	read_totals(r, t0);
	v = run_delivered(r, ifindex, from, b, len);
	if (v < 0)
		return v;
	read_totals(r, t1);
	for (int i = 0; i < VG_REASON_MAX; i++) {
		if (t1[i] - t0[i] == expect[i])
			continue;
		snprintf(why, whylen, "egress verdict %d, %s counted %llu times, the model %llu", v,
			 vg_model_reason_name(i), (unsigned long long)(t1[i] - t0[i]),
			 (unsigned long long)expect[i]);
		return ANOMALY;
	}
	if (v != TC_ACT_OK) {
		snprintf(why, whylen, "egress verdict %d", v);
		return ANOMALY;
	}
	return want->n ? (int)want->r[0] : VG_PASS;
}

/* --- policies in the maps ------------------------------------------------------ */

static void to_vg_policy(const struct model_policy *m, __u8 gen, __u16 slot, const char *ifname,
			 struct vg_policy *out)
{
	unsigned int n4 = 0, n6 = 0;

	memset(out, 0, sizeof(*out));
	out->mode = m->mode;
	out->gen = gen;
	out->slot = slot;
	out->flags = m->flags & (VG_F_DHCP_CLIENT | VG_F_DHCP_SERVER | VG_F_RA | VG_F_LINK_LOCAL |
				 VG_F_LEARN_LL | VG_F_LEARN_DHCP | VG_F_LEARN_FIRST);
	out->n_macs = m->n_macs;
	memcpy(out->macs, m->macs, sizeof(out->macs[0]) * m->n_macs);
	for (unsigned int i = 0; i < m->n_ethertypes; i++)
		out->ethertypes[i] = htons(m->ethertypes[i]);
	/* The loader's order: the first two hosts inline, the rest and every
	 * prefix in the trie. */
	for (unsigned int i = 0; i < m->n_v4; i++) {
		if (m->v4[i].len == 32 && n4 < VG_INLINE_V4)
			memcpy(&out->v4[n4++], m->v4[i].addr, 4);
		else
			out->flags |= VG_F_V4_TABLE;
	}
	for (unsigned int i = 0; i < m->n_v6; i++) {
		if (m->v6[i].len == 128 && n6 < VG_INLINE_V6)
			memcpy(out->v6[n6++], m->v6[i].addr, 16);
		else
			out->flags |= VG_F_V6_TABLE;
	}
	snprintf(out->ifname, sizeof(out->ifname), "%s", ifname);
}

/* The trie entries of one policy generation, to remove them later. */
struct trie_set {
	__u32 ifindex, gen;
	unsigned int n;
	struct {
		bool v6;
		uint8_t addr[16];
		uint8_t len;
	} e[2 * MODEL_MAX_ADDRS];
};

static void trie_write(struct runner *r, struct trie_set *s, const struct model_policy *m,
		       __u32 ifindex, __u32 gen)
{
	const __u8 one = 1;
	unsigned int n4 = 0, n6 = 0;

	s->ifindex = ifindex;
	s->gen = gen;
	s->n = 0;
	for (unsigned int i = 0; i < m->n_v4; i++) {
		struct vg_v4_key k = { .prefixlen = VG_LPM_KEY_BITS + m->v4[i].len,
				       .ifindex = ifindex, .gen = gen };

		if (m->v4[i].len == 32 && n4 < VG_INLINE_V4) {
			n4++;
			continue;
		}
		memcpy(&k.addr, m->v4[i].addr, 4);
		if (bpf_map_update_elem(r->v4, &k, &one, BPF_ANY))
			die("v4_addrs update", errno);
		s->e[s->n].v6 = false;
		memcpy(s->e[s->n].addr, m->v4[i].addr, 4);
		s->e[s->n++].len = m->v4[i].len;
	}
	for (unsigned int i = 0; i < m->n_v6; i++) {
		struct vg_v6_key k = { .prefixlen = VG_LPM_KEY_BITS + m->v6[i].len,
				       .ifindex = ifindex, .gen = gen };

		if (m->v6[i].len == 128 && n6 < VG_INLINE_V6) {
			n6++;
			continue;
		}
		memcpy(k.addr, m->v6[i].addr, 16);
		if (bpf_map_update_elem(r->v6, &k, &one, BPF_ANY))
			die("v6_addrs update", errno);
		s->e[s->n].v6 = true;
		memcpy(s->e[s->n].addr, m->v6[i].addr, 16);
		s->e[s->n++].len = m->v6[i].len;
	}
}

static void trie_remove(struct runner *r, struct trie_set *s)
{
	for (unsigned int i = 0; i < s->n; i++) {
		if (s->e[i].v6) {
			struct vg_v6_key k = { .prefixlen = VG_LPM_KEY_BITS + s->e[i].len,
					       .ifindex = s->ifindex, .gen = s->gen };

			memcpy(k.addr, s->e[i].addr, 16);
			if (bpf_map_delete_elem(r->v6, &k))
				die("v6_addrs delete", errno);
		} else {
			struct vg_v4_key k = { .prefixlen = VG_LPM_KEY_BITS + s->e[i].len,
					       .ifindex = s->ifindex, .gen = s->gen };

			memcpy(&k.addr, s->e[i].addr, 4);
			if (bpf_map_delete_elem(r->v4, &k))
				die("v4_addrs delete", errno);
		}
	}
	s->n = 0;
}

/*
 * Puts policy m (gen, slot) in force on ifindex as pl says, or no
 * policy; hash_only: the array entry belongs to another interface of ours
 * and is left alone.
 */
static void place_policy(struct runner *r, int ifindex, bool hash_only, const char *ifname,
			 const struct model_policy *m, __u8 gen, __u16 slot, enum placement pl)
{
	__u32 key = ifindex, k = ifindex & (VG_POLICY_ENTRIES - 1);
	struct vg_policy_entry e = { 0 };
	struct vg_policy pol, decoy;

	to_vg_policy(m, gen, slot, ifname, &pol);
	/* A decoy: whoever judges by it drops everything as "disabled" and
	 * would count passes in DECOY_SLOT. */
	decoy = pol;
	decoy.mode = VG_MODE_DISABLED;
	decoy.gen = gen ^ 0x55;
	decoy.slot = DECOY_SLOT;
	decoy.flags &= ~(VG_F_V4_TABLE | VG_F_V6_TABLE);

	if (hash_only) {
		if (placement_in_force(pl)) {
			if (bpf_map_update_elem(r->spill, &key, &pol, BPF_ANY))
				die("policy_spill update", errno);
		} else {
			bpf_map_delete_elem(r->spill, &key);
		}
		return;
	}
	switch (pl) {
	case PLACE_ARRAY:
	case PLACE_ARRAY_DECOY:
		e = (struct vg_policy_entry){ .ifindex = ifindex, .live = 1, .pol = pol };
		break;
	case PLACE_SPILL:
	case PLACE_NONE_OTHER:
		e = (struct vg_policy_entry){ .ifindex = ifindex + OTHER_IFINDEX, .live = 1,
					      .pol = decoy };
		break;
	case PLACE_RETIRED:
	case PLACE_NONE_RETIRED:
		e = (struct vg_policy_entry){ .ifindex = ifindex, .live = 0, .pol = decoy };
		break;
	default:
		break;	/* a free entry: all zero */
	}
	if (pl == PLACE_SPILL || pl == PLACE_RETIRED) {
		if (bpf_map_update_elem(r->spill, &key, &pol, BPF_ANY))
			die("policy_spill update", errno);
	} else if (pl == PLACE_ARRAY_DECOY) {
		if (bpf_map_update_elem(r->spill, &key, &decoy, BPF_ANY))
			die("policy_spill update", errno);
	} else {
		bpf_map_delete_elem(r->spill, &key);
	}
	if (bpf_map_update_elem(r->policy, &k, &e, BPF_ANY))
		die("policy update", errno);
}

/* --- reports ------------------------------------------------------------------------ */

struct results {
	__u64 frames;			/* run through both */
	__u64 refused[REFUSAL_MAX];	/* the kernel would not run them */
	__u64 unexpected_refusals;
	__u64 disagreements;
	__u64 counter_errors;
	__u64 model[VG_REASON_MAX];
	__u64 program[VG_REASON_MAX + 1];
	__u64 delivered;		/* frames run through the egress program */
	__u64 claims, revocations;	/* state changes the model made */
	__u64 refusals, lease_changes;	/* DHCP snooping's */
	__u64 state_disagreements;
	__u64 pairs[VG_REASON_MAX][VG_REASON_MAX + 1];	/* model x program, disagreeing */
	double seconds;
};

static void hex_line(FILE *f, const uint8_t *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		fprintf(f, "%02x", b[i]);
}

/* Saves c under save_dir; returns the file name in name. */
static int save_case(const struct vg_case *c, const char *comment, const char *stem, char *name,
		     size_t namelen)
{
	FILE *f;

	if (!save_dir)
		return -ENOENT;
	mkdir(save_dir, 0755);
	snprintf(name, namelen, "%s/%s.case", save_dir, stem);
	f = fopen(name, "w");
	if (!f)
		return -errno;
	fprintf(f, "# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)\n");
	case_write(f, c, comment);
	return fclose(f) ? -errno : 0;
}

/*
 * One disagreement: printed in full (up to a limit), saved as a case (a
 * few per reason pair).  One write per report, so workers do not
 * interleave.
 */
static void report(struct results *res, unsigned int *printed, const char *who,
		   const struct vg_case *c, int ifindex, int prog, const char *why)
{
	char *text = NULL, name[512] = "", stem[128], comment[256], line[8192];
	size_t size = 0;
	FILE *f;

	res->disagreements++;
	res->pairs[c->expect][prog]++;
	if (res->pairs[c->expect][prog] <= MAX_SAVED_PAIR) {
		snprintf(stem, sizeof(stem), "%s-%s-%s", who, vg_model_reason_name(c->expect),
			 prog == ANOMALY ? "anomaly" : vg_model_reason_name(prog));
		snprintf(comment, sizeof(comment), "difffuzz %s: model %s, program %s", who,
			 vg_model_reason_name(c->expect),
			 prog == ANOMALY ? "anomaly" : vg_model_reason_name(prog));
		int err = save_case(c, comment, stem, name, sizeof(name));

		if (err == -ENOENT)
			name[0] = 0;	/* not asked to */
		else if (err)
			snprintf(name, sizeof(name), "nowhere (%s)", strerror(-err));
	}
	if ((*printed)++ >= MAX_PRINTED)
		return;
	f = open_memstream(&text, &size);
	if (!f)
		return;
	case_format_policy(line, sizeof(line), &c->pol, c->has_policy, c->place);
	fprintf(f, "%sDISAGREEMENT %s on ifindex %d: model %s, program %s%s%s\n", tap ? "# " : "",
		who, ifindex, vg_model_reason_name(c->expect),
		prog == ANOMALY ? "anomaly" : vg_model_reason_name(prog), why ? ": " : "",
		why ? why : "");
	fprintf(f, "%s  policy %s\n%s  frame (%zu octets) ", tap ? "# " : "", line,
		tap ? "# " : "", c->len);
	hex_line(f, c->frame, c->len);
	fprintf(f, "\n");
	if (name[0])
		fprintf(f, "%s  saved as %s\n", tap ? "# " : "", name);
	fclose(f);
	if (text) {
		fputs(text, stdout);
		fflush(stdout);
	}
	free(text);
}

/*
 * A learning state the program left other than the model's, after a
 * frame (c: the state before it, and the model's after).
 */
static void report_state(struct results *res, unsigned int *printed, const char *who,
			 const struct vg_case *c, int ifindex, int prog, const struct model_learn *k,
			 const char *why)
{
	char *text = NULL, name[512] = "", stem[128], comment[512], line[8192];
	size_t size = 0;
	FILE *f;

	res->state_disagreements++;
	if (res->state_disagreements <= MAX_SAVED_STATE) {
		snprintf(stem, sizeof(stem), "%s-state", who);
		snprintf(comment, sizeof(comment), "difffuzz %s: learning state: %s", who, why);
		int err = save_case(c, comment, stem, name, sizeof(name));

		if (err == -ENOENT)
			name[0] = 0;
		else if (err)
			snprintf(name, sizeof(name), "nowhere (%s)", strerror(-err));
	}
	if ((*printed)++ >= MAX_PRINTED)
		return;
	f = open_memstream(&text, &size);
	if (!f)
		return;
	case_format_policy(line, sizeof(line), &c->pol, c->has_policy, c->place);
	fprintf(f, "%sSTATE DISAGREEMENT %s, %s on ifindex %d (model %s, program %s): %s\n",
		tap ? "# " : "", who, c->egress ? "delivered" : "sent", ifindex,
		vg_model_reason_name(c->expect),
		prog == ANOMALY ? "anomaly" : vg_model_reason_name(prog), why);
	fprintf(f, "%s  policy %s\n%s  frame (%zu octets) ", tap ? "# " : "", line,
		tap ? "# " : "", c->len);
	hex_line(f, c->frame, c->len);
	fprintf(f, "\n%s  before:  ", tap ? "# " : "");
	state_format(f, &c->before);
	fprintf(f, "\n%s  model:   ", tap ? "# " : "");
	state_format(f, &c->after);
	fprintf(f, "\n%s  program: ", tap ? "# " : "");
	state_format(f, k);
	fprintf(f, "\n");
	if (name[0])
		fprintf(f, "%s  saved as %s\n", tap ? "# " : "", name);
	fclose(f);
	if (text) {
		fputs(text, stdout);
		fflush(stdout);
	}
	free(text);
}

/* --- the fuzzing worker ------------------------------------------------------------- */

struct iface {
	int ifindex;
	char name[VG_IFNAMSIZ];
	bool hash_only;
	__u16 slot;
	struct model_policy pol;	/* in force, or the frames' model when none */
	struct model_policy prev;	/* the one before: its entries may linger */
	enum placement place;
	__u8 gen;
	struct trie_set cur, stale;
};

struct pending {
	unsigned int iface;
	bool egress;		/* delivered to the guest: the egress program */
	int from;		/* egress: the sender's ifindex (0: the host) */
	uint64_t t_run;		/* the clock when it ran */
	struct model_refusals ref;	/* egress: what the model counts */
	int model;
	int verdict;
	size_t off, len;
	__u64 index;
};

struct worker {
	struct runner r;
	struct vg_rng rng;
	__u64 seed;
	struct iface ifs[MAX_IFACES];
	unsigned int n_ifs;
	struct results res;
	unsigned int printed;
	/* the batch */
	struct pending pend[BATCH];
	unsigned int n_pend;
	uint8_t bytes[BATCH * GEN_FRAME_MAX];
	size_t used;
	bool dirty;
	__u64 snap_totals[VG_REASON_MAX];
	__u64 snap_pass[MAX_IFACES + 1];
	/* what "drops" should hold at the end, per interface and reason */
	__u64 want_drops[MAX_IFACES][VG_REASON_MAX];
	/* link-local learning: the model's state (the maps hold the same
	 * before every frame), the next one, the kernel's as read */
	struct gen_pool pool;
	struct model_learn st, next, kst;
	uint64_t tol;		/* how long the last frame's run took, ns */
	unsigned int since_full;
	struct model_learn before[BATCH];	/* the state each pending frame ran in */
};

static void snapshot(struct worker *w)
{
	read_totals(&w->r, w->snap_totals);
	for (unsigned int i = 0; i < w->n_ifs; i++)
		w->snap_pass[i] = read_pass(&w->r, w->ifs[i].slot);
	w->snap_pass[w->n_ifs] = read_pass(&w->r, DECOY_SLOT);
}

static enum placement pick_placement(struct worker *w, const struct iface *f)
{
	static const unsigned int weights[PLACE_MAX] = { 48, 15, 12, 12, 5, 4, 4 };
	unsigned int sum = 0, x;

	if (f->hash_only)
		return vg_rng_below(&w->rng, 12) ? PLACE_SPILL : PLACE_NONE_OTHER;
	for (int i = 0; i < PLACE_MAX; i++)
		sum += weights[i];
	x = vg_rng_below(&w->rng, sum);
	for (int i = 0; i < PLACE_MAX; i++) {
		if (x < weights[i])
			return i;
		x -= weights[i];
	}
	return PLACE_ARRAY;
}

/*
 * The loader's CONFIG entries of f's policy in force: its link-local
 * hosts, and the EUI-64 addresses of its MACs under VG_F_LINK_LOCAL.
 * Written to the model here and to the maps by state_write().
 */
static void configure(struct worker *w, const struct iface *f)
{
	const struct model_policy *p = &f->pol;
	uint8_t a[16];

	model_learn_unconfig(&w->st, f->ifindex);
	model_learn_unconfig4(&w->st, f->ifindex);
	if (!placement_in_force(f->place))
		return;
	/* Without DHCP snooping, link-locals only (layout 3). */
	for (unsigned int i = 0; i < p->n_v6; i++)
		if (p->v6[i].len == 128 &&
		    (model_link_local(p->v6[i].addr) || w->r.learned4 >= 0))
			model_learn_config(&w->st, p->v6[i].addr, f->ifindex);
	for (unsigned int i = 0; i < p->n_v4 && w->r.learned4 >= 0; i++) {
		if (p->v4[i].len != 32)
			continue;
		model_v4_mapped(p->v4[i].addr, a);
		model_learn_config4(&w->st, a, f->ifindex);
	}
	if (!(p->flags & VG_F_LINK_LOCAL))
		return;
	for (unsigned int i = 0; i < p->n_macs; i++) {
		vg_model_eui64_ll(p->macs[i], a);
		model_learn_config(&w->st, a, f->ifindex);
	}
}

/* secs seconds before now on the clock, or its start. */
static uint64_t ago(uint64_t now, unsigned int secs)
{
	return now > secs * 1000000000ULL ? now - secs * 1000000000ULL : 0;
}

/* Interface f's leases of a family. */
static unsigned int leases_of(const struct model_learn *st, bool v4, uint32_t ifindex)
{
	const struct model_held *e = v4 ? st->held4 : st->held;
	unsigned int n = v4 ? st->n_held4 : st->n_held, mine = 0;

	for (unsigned int i = 0; i < n; i++)
		mine += e[i].ifindex == ifindex && leased(&e[i]);
	return mine;
}

/*
 * Time, which the fuzzer cannot move: leases and first-use addresses
 * made to have ended (or to end in a second or two, or never) by
 * writing their ends; the loader's gc removing ended ones; ended leases
 * and first-use addresses of one interface, or parked ones (ifindex 0,
 * ended or not), planted where another will ask for the address; a new
 * grace; learning windows opened, ended or set to end in a second or
 * two; a new first_lease_s.
 */
static void loader_leases(struct worker *w)
{
	struct model_learn *st = &w->st;
	uint64_t now = mono_ns();

	for (unsigned int i = 0; i < st->n_held + st->n_held4; i++) {
		struct model_held *h = i < st->n_held ? &st->held[i] : &st->held4[i - st->n_held];
		unsigned int x = vg_rng_below(&w->rng, 100);

		if (!leased(h) || x >= 30)
			continue;
		if (x < 18)
			h->expires = ago(now, 1 + vg_rng_below(&w->rng, 600));
		else if (x < 24)
			h->expires = now + (1 + vg_rng_below(&w->rng, 2)) * 1000000000ULL;
		else
			h->expires = VG_LEASE_FOREVER;
	}
	if (vg_rng_below(&w->rng, 100) < 20) {	/* gc */
		for (unsigned int i = 0; i < st->n_held + st->n_held4;) {
			bool v4 = i >= st->n_held;
			struct model_held *h = v4 ? &st->held4[i - st->n_held] : &st->held[i];

			if (leased(h) && h->expires <= now) {
				if (v4)
					model_learn_forget4(st, h->addr);
				else
					model_learn_forget(st, h->addr);
			} else {
				i++;
			}
		}
	}
	for (unsigned int n = vg_rng_below(&w->rng, 3); n; n--) {
		const struct iface *f = &w->ifs[vg_rng_below(&w->rng, w->n_ifs)];
		bool v4 = vg_rng_below(&w->rng, 2);
		unsigned int k = vg_rng_below(&w->rng, 7);
		struct model_held *h;
		uint8_t a[16];

		if (v4)
			model_v4_mapped(w->pool.a4[k < 6 ? k : 5], a);
		else
			memcpy(a, w->pool.a6[k], 16);
		if ((v4 ? model_learn_find4(st, a) : model_learn_find(st, a)) ||
		    leases_of(st, v4, f->ifindex) >=
			    (v4 ? VG_LEARN_DHCP4_CAP : VG_LEARN_DHCP6_CAP) ||
		    (v4 ? st->n_held4 : st->n_held) == MODEL_MAX_HELD)
			continue;
		h = v4 ? &st->held4[st->n_held4++] : &st->held[st->n_held++];
		memset(h, 0, sizeof(*h));
		memcpy(h->addr, a, 16);
		h->ifindex = vg_rng_below(&w->rng, 3) ? f->ifindex : 0;
		h->origin = vg_rng_below(&w->rng, 3) ? VG_ORIGIN_DHCP : VG_ORIGIN_FIRST;
		h->expires = vg_rng_below(&w->rng, h->ifindex ? 4 : 2)
				     ? ago(now, 1 + vg_rng_below(&w->rng, 600))
				     : now + 3600 * 1000000000ULL;
	}
	if (vg_rng_below(&w->rng, 100) < 10)
		st->grace_s = ((const uint32_t[]){ 0, 1, 60, 3600 })[vg_rng_below(&w->rng, 4)];
	if (vg_rng_below(&w->rng, 100) < 10)
		st->first_lease_s = ((const uint32_t[]){ 0, 1, 2, 3600 })[vg_rng_below(&w->rng, 4)];
	for (unsigned int n = vg_rng_below(&w->rng, 2); n; n--) {
		const struct iface *f = &w->ifs[vg_rng_below(&w->rng, w->n_ifs)];
		unsigned int x = vg_rng_below(&w->rng, 100), i;

		for (i = 0; i < st->n_win && st->win[i].ifindex != (uint32_t)f->ifindex; i++)
			;
		if (x < 30) {		/* no window */
			if (i < st->n_win)
				st->win[i] = st->win[--st->n_win];
			continue;
		}
		if (i == st->n_win) {
			if (st->n_win == MODEL_MAX_WINDOWS)
				continue;
			st->n_win++;
		}
		st->win[i].ifindex = f->ifindex;
		if (x < 55)
			st->win[i].end = ago(now, 1 + vg_rng_below(&w->rng, 60));
		else if (x < 75)
			st->win[i].end = now + (1 + vg_rng_below(&w->rng, 2)) * 1000000000ULL;
		else
			st->win[i].end = now + 30 * 1000000000ULL;
	}
}

/*
 * Between epochs, what the loader and the operator do to the learning
 * maps now and then: a protection added or dropped (RA sources pile up
 * otherwise), a learned address forgotten.
 */
static void loader_learning(struct worker *w)
{
	struct model_learn *st = &w->st;

	if (vg_rng_below(&w->rng, 100) < 10)
		model_learn_protect(st, w->pool.a[vg_rng_below(&w->rng, w->pool.n)]);
	if (st->n_prot && vg_rng_below(&w->rng, 100) < 30)
		model_learn_unprotect(st, st->prot[vg_rng_below(&w->rng, st->n_prot)]);
	/* Now and then only the bridge's address stays protected. */
	if (vg_rng_below(&w->rng, 100) < 25) {
		st->n_prot = 0;
		model_learn_protect(st, w->pool.a[0]);
	}
	if (st->n_held && vg_rng_below(&w->rng, 100) < 20) {
		const struct model_held *h = &st->held[vg_rng_below(&w->rng, st->n_held)];

		if (h->origin == VG_ORIGIN_DAD)
			model_learn_forget(st, h->addr);
	}
	/* A lease pool address protected (`host protect=`, IPv4 as
	 * ::ffff:a.b.c.d): no guest uses it first from now on. */
	if (w->r.learned4 >= 0 && vg_rng_below(&w->rng, 100) < 15) {
		uint8_t a[16];

		if (vg_rng_below(&w->rng, 2))
			model_v4_mapped(w->pool.a4[vg_rng_below(&w->rng, w->pool.n4)], a);
		else
			memcpy(a, w->pool.a6[vg_rng_below(&w->rng, w->pool.n6)], 16);
		model_learn_protect(st, a);
	}
	if (w->r.learned4 >= 0)
		loader_leases(w);
	state_write(&w->r, st);
}

/* A new policy (or only a new placement) for interface f. */
static void update_iface(struct worker *w, struct iface *f, bool new_policy)
{
	/* An update removes the previous generation's entries after the
	 * switch; one older than that is gone by now in any case. */
	trie_remove(&w->r, &f->stale);
	if (new_policy) {
		f->prev = f->pol;
		gen_policy(&w->rng, &f->pol);
		/* A pool address configured as a host: its CONFIG entry
		 * keeps the others from learning it. */
		if (f->pol.n_v6 < MODEL_MAX_ADDRS && vg_rng_below(&w->rng, 100) < 30) {
			struct model_prefix6 *e = &f->pol.v6[f->pol.n_v6];
			bool dup = false;

			memcpy(e->addr, w->pool.a[vg_rng_below(&w->rng, w->pool.n)], 16);
			e->len = 128;
			for (unsigned int i = 0; i < f->pol.n_v6; i++)
				dup |= !memcmp(f->pol.v6[i].addr, e->addr, 16);
			if (!dup)
				f->pol.n_v6++;
		}
		if (w->r.learned4 < 0) {
			f->pol.flags &= ~(VG_F_LEARN_DHCP | VG_F_LEARN_FIRST);
		} else if (vg_rng_below(&w->rng, 100) < 25) {
			/* A lease pool address configured: for it, or for
			 * another that would lease it. */
			bool v4 = vg_rng_below(&w->rng, 2);
			unsigned int k = vg_rng_below(&w->rng, 6);
			bool dup = false;

			if (v4 && f->pol.n_v4 < MODEL_MAX_ADDRS) {
				struct model_prefix4 *e = &f->pol.v4[f->pol.n_v4];

				memcpy(e->addr, w->pool.a4[k], 4);
				e->len = 32;
				for (unsigned int i = 0; i < f->pol.n_v4; i++)
					dup |= !memcmp(f->pol.v4[i].addr, e->addr, 4);
				f->pol.n_v4 += !dup;
			} else if (!v4 && f->pol.n_v6 < MODEL_MAX_ADDRS) {
				struct model_prefix6 *e = &f->pol.v6[f->pol.n_v6];

				memcpy(e->addr, w->pool.a6[k], 16);
				e->len = 128;
				for (unsigned int i = 0; i < f->pol.n_v6; i++)
					dup |= !memcmp(f->pol.v6[i].addr, e->addr, 16);
				f->pol.n_v6 += !dup;
			}
		}
	}
	f->place = pick_placement(w, f);
	f->gen++;
	f->stale = f->cur;
	trie_write(&w->r, &f->cur, &f->pol, f->ifindex, f->gen);
	place_policy(&w->r, f->ifindex, f->hash_only, f->name, &f->pol, f->gen, f->slot,
		     f->place);
	if (vg_rng_below(&w->rng, 2))
		trie_remove(&w->r, &f->stale);
	configure(w, f);
}

/* The policy in force on ifindex from (0: the host), or NULL. */
static const struct model_policy *sender_policy(const struct worker *w, int from)
{
	for (unsigned int i = 0; i < w->n_ifs; i++)
		if (w->ifs[i].ifindex == from && placement_in_force(w->ifs[i].place))
			return &w->ifs[i].pol;
	return NULL;
}

static int sender_kind(const struct worker *w, int from)
{
	const struct model_policy *p = sender_policy(w, from);

	return !p ? SENDER_HOST : p->flags & VG_F_DHCP_SERVER ? SENDER_SERVER : SENDER_GUEST;
}

static void case_of(const struct worker *w, const struct pending *p, struct vg_case *c)
{
	const struct iface *f = &w->ifs[p->iface];

	c->has_policy = placement_in_force(f->place);
	c->pol = f->pol;
	c->place = f->place;
	/* An interface whose array entry is another's: replayed with a
	 * stranger holding it, which the program treats alike. */
	if (f->hash_only)
		c->place = c->has_policy ? PLACE_SPILL : PLACE_NONE_OTHER;
	memcpy(c->frame, w->bytes + p->off, p->len);
	c->len = p->len;
	c->expect = p->model;
	c->ifindex = f->ifindex;
	c->egress = p->egress;
	c->sender = sender_kind(w, p->from);
	c->before = w->before[p - w->pend];
	c->has_after = true;
	c->after = p + 1 < w->pend + w->n_pend ? w->before[p - w->pend + 1] : w->st;
}

/*
 * The maps := st as it was when a frame ran at t_run, its leases' ends
 * moved by the time gone since: a frame run again finds its leases as
 * live (or ended) as the first time.
 */
static void state_write_at(struct worker *w, const struct model_learn *st, uint64_t t_run)
{
	static struct model_learn m;
	uint64_t d;

	m = *st;
	d = mono_ns() - t_run;
	for (unsigned int i = 0; i < m.n_held + m.n_held4; i++) {
		struct model_held *h = i < m.n_held ? &m.held[i] : &m.held4[i - m.n_held];

		if (leased(h) && h->expires != VG_LEASE_FOREVER && h->expires)
			h->expires += d;
	}
	for (unsigned int i = 0; i < m.n_win; i++)
		m.win[i].end += d;
	state_write(&w->r, &m);
}

/* The batch's counters against the model's; frame by frame if they differ. */
static void flush(struct worker *w)
{
	__u64 totals[VG_REASON_MAX], want_totals[VG_REASON_MAX] = { 0 };
	__u64 want_pass[MAX_IFACES + 1] = { 0 };
	bool same = !w->dirty;

	if (!w->n_pend)
		return;
	for (unsigned int i = 0; i < w->n_pend; i++) {
		const struct pending *p = &w->pend[i];

		if (p->egress) {
			/* Refusals only, no passes. */
			for (unsigned int j = 0; j < p->ref.n; j++)
				want_totals[p->ref.r[j]]++;
			continue;
		}
		if (p->model == VG_PASS)
			want_pass[p->iface]++;
		else
			want_totals[p->model]++;
	}
	read_totals(&w->r, totals);
	for (int i = 0; i < VG_REASON_MAX && same; i++)
		same = totals[i] - w->snap_totals[i] == want_totals[i];
	for (unsigned int i = 0; i <= w->n_ifs && same; i++)
		same = read_pass(&w->r, i < w->n_ifs ? w->ifs[i].slot : DECOY_SLOT) -
			       w->snap_pass[i] ==
		       want_pass[i];

	for (unsigned int i = 0; i < w->n_pend; i++) {
		const struct pending *p = &w->pend[i];
		const struct iface *f = &w->ifs[p->iface];
		char why[256] = "", who[64];
		struct vg_case c;
		int prog;

		if (same) {
			prog = p->model;
		} else if (p->egress) {
			/* Again in the state it ran in the first time. */
			state_write_at(w, &w->before[i], p->t_run);
			prog = egress_reason(&w->r, f->ifindex, p->from, w->bytes + p->off, p->len,
					     &p->ref, why, sizeof(why));
			if (prog < 0)
				die("test run (again)", prog);
		} else {
			state_write_at(w, &w->before[i], p->t_run);
			prog = program_reason(&w->r, f->ifindex, f->slot, w->bytes + p->off, p->len,
					      why, sizeof(why));
			if (prog < 0)
				die("test run (again)", prog);
			/* The counters may have lied the first time, the
			 * verdict not: it must be the same again. */
			if (prog != ANOMALY && (prog == VG_PASS) != (p->verdict == TC_ACT_OK)) {
				snprintf(why, sizeof(why), "verdict %d the first time", p->verdict);
				prog = ANOMALY;
			}
		}
		w->res.program[prog]++;
		if (prog != p->model) {
			case_of(w, p, &c);
			snprintf(who, sizeof(who), "s%llu-f%llu", (unsigned long long)w->seed,
				 (unsigned long long)p->index);
			report(&w->res, &w->printed, who, &c, f->ifindex, prog, why[0] ? why : NULL);
		}
		if (!p->egress && p->model != VG_PASS && p->model != VG_NO_POLICY)
			w->want_drops[p->iface][p->model] += same ? 1 : 2;
		for (unsigned int j = 0; p->egress && j < p->ref.n; j++)
			w->want_drops[p->iface][p->ref.r[j]] += same ? 1 : 2;
	}
	/* Frames run again changed the maps again (their first runs were
	 * checked and reported): back to the model's state. */
	if (!same)
		state_write(&w->r, &w->st);
	w->n_pend = 0;
	w->used = 0;
	w->dirty = false;
	snapshot(w);
}

/* Every "drops" entry of our interfaces against what the model counted. */
static void check_drops(struct worker *w)
{
	struct vg_drop_key k, *prev = NULL;
	__u64 seen[MAX_IFACES][VG_REASON_MAX] = { { 0 } };

	while (bpf_map_get_next_key(w->r.drops, prev, &k) == 0) {
		__u64 n = 0;

		if (bpf_map_lookup_elem(w->r.drops, &k, w->r.percpu))
			die("drops read", errno);
		for (int c = 0; c < w->r.ncpus; c++)
			n += w->r.percpu[c];
		for (unsigned int i = 0; i < w->n_ifs; i++)
			if (w->ifs[i].ifindex == (int)k.ifindex && k.reason < VG_REASON_MAX)
				seen[i][k.reason] = n;
		prev = &k;
	}
	for (unsigned int i = 0; i < w->n_ifs; i++) {
		for (int r = 0; r < VG_REASON_MAX; r++) {
			if (seen[i][r] == w->want_drops[i][r])
				continue;
			printf("%sdifffuzz: drops[%d, %s] holds %llu, the model counted %llu\n",
			       tap ? "# " : "", w->ifs[i].ifindex, vg_model_reason_name(r),
			       (unsigned long long)seen[i][r],
			       (unsigned long long)w->want_drops[i][r]);
			w->res.counter_errors++;
		}
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void pin_cpu(unsigned int i)
{
	cpu_set_t allowed, one;
	unsigned int n, seen = 0;

	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return;
	n = CPU_COUNT(&allowed);
	for (int c = 0; c < CPU_SETSIZE && n; c++) {
		if (!CPU_ISSET(c, &allowed) || seen++ != i % n)
			continue;
		CPU_ZERO(&one);
		CPU_SET(c, &one);
		sched_setaffinity(0, sizeof(one), &one);
		return;
	}
}

/* The interfaces frames run on: lo, and veth ends if we can make them. */
static void make_ifaces(struct worker *w)
{
	static const struct {
		int index;
		const char *name;
		bool hash_only;
	} want[] = {
		{ 1, "lo", false },	   { 10, "vgf10", false }, { 4106, "vgf4106", true },
		{ 11, "vgf11", false }, { 12, "vgf12", false }, { 13, "vgf13", false },
		{ 14, "vgf14", false },
	};
	bool veth = !system("ip link add vgf10 index 10 type veth peer name vgf4106 index 4106 && "
			    "ip link add vgf11 index 11 type veth peer name vgf12 index 12 && "
			    "ip link add vgf13 index 13 type veth peer name vgf14 index 14");

	if (!veth && !tap)
		fprintf(stderr, "difffuzz: no veth pairs, frames run on lo only\n");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct iface *f;

		if (!veth && i)
			break;
		f = &w->ifs[w->n_ifs];
		memset(f, 0, sizeof(*f));
		f->ifindex = want[i].index;
		snprintf(f->name, sizeof(f->name), "%s", want[i].name);
		f->hash_only = want[i].hash_only;
		f->slot = 100 + w->n_ifs;
		f->gen = vg_rng_below(&w->rng, 256);
		w->n_ifs++;
	}
}

/*
 * The policy a frame for g draws its addresses from: g's own mostly;
 * now and then g's MACs with the addresses of g's previous policy (whose
 * trie entries may still be there, under the old generation) or of
 * another interface (whose entries are there, under its ifindex): the
 * program must match neither.
 */
static const struct model_policy *frame_policy(struct worker *w, const struct iface *g)
{
	static struct model_policy mix;
	const struct model_policy *from;

	if (vg_rng_below(&w->rng, 100) >= 8)
		return &g->pol;
	from = vg_rng_below(&w->rng, 2) ? &g->prev : &w->ifs[vg_rng_below(&w->rng, w->n_ifs)].pol;
	mix = g->pol;
	mix.n_v4 = from->n_v4;
	memcpy(mix.v4, from->v4, sizeof(mix.v4));
	mix.n_v6 = from->n_v6;
	memcpy(mix.v6, from->v6, sizeof(mix.v6));
	return &mix;
}


/*
 * The leases a DHCP frame can have changed, by point lookups against the
 * model's next state m (prev: before the frame): the entries of the pool
 * addresses and of every lease in prev or m, and the lease slots of every
 * interface.  A lease's end in the maps is taken into m when it lies in
 * [m's, m's + tol].  A whole read of the maps (the FULL_CHECK frames)
 * sees to addresses outside these.
 */
static bool leases_touched_same(struct worker *w, const struct model_learn *prev,
				struct model_learn *m, char *why, size_t whylen)
{
	uint8_t addrs[2 * GEN_POOL_MAX + 4 * MODEL_MAX_HELD][16];
	bool v4s[2 * GEN_POOL_MAX + 4 * MODEL_MAX_HELD];
	unsigned int n = 0;
	char b1[INET6_ADDRSTRLEN];

	for (unsigned int i = 0; i < w->pool.n4; i++) {
		model_v4_mapped(w->pool.a4[i], addrs[n]);
		v4s[n++] = true;
	}
	for (unsigned int i = 0; i < w->pool.n6; i++) {
		memcpy(addrs[n], w->pool.a6[i], 16);
		v4s[n++] = false;
	}
	for (int side = 0; side < 2; side++) {
		const struct model_learn *x = side ? m : prev;

		for (unsigned int i = 0; i < x->n_held + x->n_held4; i++) {
			bool v4 = i >= x->n_held;
			const struct model_held *h = v4 ? &x->held4[i - x->n_held] : &x->held[i];

			if (!leased(h))
				continue;
			memcpy(addrs[n], h->addr, 16);
			v4s[n++] = v4;
		}
	}
	for (unsigned int i = 0; i < n; i++) {
		struct model_held *h = (struct model_held *)(v4s[i] ? model_learn_find4(m, addrs[i])
								 : model_learn_find(m, addrs[i]));
		struct vg_owner o;
		bool in_k = !bpf_map_lookup_elem(v4s[i] ? w->r.learned4 : w->r.learned6,
						 v4s[i] ? (void *)(addrs[i] + 12) : (void *)addrs[i], &o);

		if (!h != !in_k || (h && (h->ifindex != o.ifindex || h->origin != o.origin))) {
			snprintf(why, whylen, "%s: the model has it %s %u (origin %u), the maps %s %u (origin %u)",
				 a6(addrs[i], b1), h ? "held by" : "free", h ? h->ifindex : 0,
				 h ? h->origin : 0, in_k ? "held by" : "free", in_k ? o.ifindex : 0,
				 in_k ? o.origin : 0);
			return false;
		}
		if (!h || !leased(h))
			continue;
		if (h->expires == VG_LEASE_FOREVER ? o.expires_ns != VG_LEASE_FOREVER
		    : o.expires_ns < h->expires || o.expires_ns - h->expires > w->tol) {
			snprintf(why, whylen,
				 "%s: the model has its lease end at %llu, the maps at %llu (%+lld ns)",
				 a6(addrs[i], b1), (unsigned long long)h->expires,
				 (unsigned long long)o.expires_ns,
				 (long long)(o.expires_ns - h->expires));
			return false;
		}
		h->expires = o.expires_ns;
		if (!o.ifindex)		/* parked: no slot */
			continue;
		/* Its slot holds it, with its end. */
		struct vg_slot_key sk = { .ifindex = o.ifindex, .slot = o.slot };
		struct vg_slot sv;

		if ((v4s[i] ? o.slot >= VG_LEARN_DHCP4_CAP
			    : o.slot < VG_LEARN_DHCP4_CAP || o.slot >= VG_LEASE_SLOTS) ||
		    bpf_map_lookup_elem(w->r.lease_slots, &sk, &sv) ||
		    memcmp(sv.a.addr, addrs[i], 16) || sv.since_ns != o.expires_ns) {
			snprintf(why, whylen, "%s (ifindex %u) names lease slot %u, which does not hold it",
				 a6(addrs[i], b1), o.ifindex, o.slot);
			return false;
		}
	}
	/* As many slots in use as the model has leases, per interface and family. */
	for (unsigned int j = 0; j < w->n_ifs; j++) {
		uint32_t ifx = w->ifs[j].ifindex;
		unsigned int k4 = 0, k6 = 0;

		for (__u32 sl = 0; sl < VG_LEASE_SLOTS; sl++) {
			struct vg_slot_key sk = { .ifindex = ifx, .slot = sl };
			struct vg_slot sv;

			if (!bpf_map_lookup_elem(w->r.lease_slots, &sk, &sv)) {
				if (sl < VG_LEARN_DHCP4_CAP)
					k4++;
				else
					k6++;
			}
		}
		if (k4 != leases_of(m, true, ifx) || k6 != leases_of(m, false, ifx)) {
			snprintf(why, whylen,
				 "ifindex %u: %u IPv4 and %u IPv6 lease slots in use, the model has %u and %u leases",
				 ifx, k4, k6, leases_of(m, true, ifx), leases_of(m, false, ifx));
			return false;
		}
	}
	return true;
}

/*
 * The maps after frame `index` (sent or delivered on interface fi)
 * against the model's next state, which becomes the state; a difference
 * is reported and the maps set to the model's state.  prog: the
 * program's reason when known, else -1.
 */
static void check_state(struct worker *w, unsigned int fi, bool egress, int from,
			const uint8_t *b, size_t len, int model, int prog, __u64 index, bool full)
{
	const struct iface *f = &w->ifs[fi];
	char why[512] = "", who[64];
	static struct vg_case c;
	bool same;

	/* A DHCP message or a lease changed: the leases it can have
	 * touched, their ends taken from the maps (the program's clock ran
	 * a little later); then the rest as for any frame. */
	if (full) {
		same = leases_touched_same(w, &w->st, &w->next, why, sizeof(why));
		if (!same)
			goto checked;
	}
	/* Frames not of IPv6 name no address: the full check sees to them. */
	same = ((len < 14 || b[12] != 0x86 || b[13] != 0xdd) && w->next.clock == w->st.clock &&
		w->next.n_held == w->st.n_held && w->next.n_prot == w->st.n_prot) ||
	       state_touched_same(&w->r, &w->st, &w->next, f->ifindex, b, len, why, sizeof(why));
	/* Everything, every FULL_CHECK frames: a change the frame's
	 * addresses do not explain. */
	if (same && ++w->since_full >= FULL_CHECK) {
		w->since_full = 0;
		if (state_read(&w->r, &w->kst, why, sizeof(why)))
			same = false;
		else
			same = state_same(&w->next, &w->kst, true, w->tol, why, sizeof(why));
		if (same)
			leases_adopt(&w->next, &w->kst);
		if (!same) {
			snprintf(who, sizeof(who), "s%llu-f%llu", (unsigned long long)w->seed,
				 (unsigned long long)index);
			printf("%sSTATE DISAGREEMENT up to %s (frames since the last full check): %s\n",
			       tap ? "# " : "", who, why);
			w->res.state_disagreements++;
			state_write(&w->r, &w->next);
			w->st = w->next;
			return;
		}
	}
checked:
	if (!same)
		state_read(&w->r, &w->kst, who, sizeof(who));	/* for the report */
	if (!same) {
		c.has_policy = placement_in_force(f->place);
		c.pol = f->pol;
		c.place = f->place;
		if (f->hash_only)
			c.place = c.has_policy ? PLACE_SPILL : PLACE_NONE_OTHER;
		memcpy(c.frame, b, len);
		c.len = len;
		c.expect = model;
		c.ifindex = f->ifindex;
		c.egress = egress;
		c.sender = sender_kind(w, from);
		c.before = w->st;
		c.has_after = true;
		c.after = w->next;
		snprintf(who, sizeof(who), "s%llu-f%llu", (unsigned long long)w->seed,
			 (unsigned long long)index);
		report_state(&w->res, &w->printed, who, &c, f->ifindex,
			     prog < 0 ? model : prog, &w->kst, why);
		state_write(&w->r, &w->next);
	}
	w->st = w->next;
}

/* The latest of *until and e + 1 ms where e is within the next few
 * milliseconds (or the last one) of now. */
static void wait_past(uint64_t e, uint64_t now, uint64_t *until)
{
	if (e + 1000000 >= now && e <= now + 3000000 && e + 1000000 > *until)
		*until = e + 1000000;
}

/* Until no lease of the state ends, no first-use address reaches the
 * half of its time (when a frame from it moves its end) and no window
 * ends within the next few milliseconds: the model and the program read
 * the clock at slightly different times. */
static void wait_off_expiry(struct worker *w)
{
	const struct model_learn *st = &w->st;
	uint64_t half = (uint64_t)st->first_lease_s * 1000000000ULL / 2;

	for (;;) {
		uint64_t now = mono_ns(), until = 0;

		for (unsigned int i = 0; i < st->n_held + st->n_held4; i++) {
			const struct model_held *h = i < st->n_held ? &st->held[i]
								     : &st->held4[i - st->n_held];

			if (!leased(h))
				continue;
			wait_past(h->expires, now, &until);
			if (h->origin == VG_ORIGIN_FIRST && half && h->expires != VG_LEASE_FOREVER &&
			    h->expires > half)
				wait_past(h->expires - half, now, &until);
		}
		for (unsigned int i = 0; i < st->n_win; i++)
			wait_past(st->win[i].end, now, &until);
		if (!until)
			return;
		while (mono_ns() <= until)
			;
	}
}

/* The leases of a and b differ (learned4, or learned6's DHCP entries). */
static bool leases_differ(const struct model_learn *a, const struct model_learn *b)
{
	if (a->n_held4 != b->n_held4 || memcmp(a->held4, b->held4, a->n_held4 * sizeof(a->held4[0])))
		return true;
	for (int side = 0; side < 2; side++) {
		const struct model_learn *x = side ? b : a, *y = side ? a : b;

		for (unsigned int i = 0; i < x->n_held; i++) {
			const struct model_held *h = &x->held[i], *o;

			if (!leased(h))
				continue;
			o = model_learn_find(y, h->addr);
			if (!o || memcmp(h, o, sizeof(*h)))
				return true;
		}
	}
	return false;
}

/* One frame for the model: delivered (egress) or sent, on interface
 * ifindex of policy pol (NULL: none), a delivered one from a sender of
 * policy sender (NULL: the host). */
struct model_call {
	bool egress;
	const uint8_t *buf;
	size_t len;
	const struct model_policy *pol, *sender;
	uint32_t ifindex;
};

/* The model on mc from before into next, with tie choice pick: its
 * reason (a delivered frame's: the first refusal, or VG_PASS), refusals
 * in *refs, in *changed whether a delivered frame changed the state. */
static int model_pick(const struct model_call *mc, const struct model_learn *before,
		      struct model_learn *next, unsigned int pick, struct model_refusals *refs,
		      bool *changed)
{
	*next = *before;
	next->tie_pick = pick;
	next->ties = 0;
	next->tie_div = 0;
	if (mc->egress) {
		*changed = vg_model_deliver(mc->buf, mc->len, mc->pol, mc->ifindex, mc->sender,
					    next, refs);
		return refs->n ? (int)refs->r[0] : VG_PASS;
	}
	*changed = false;
	return vg_model_in(mc->buf, mc->len, mc->pol, NULL, mc->ifindex, next);
}

/*
 * Where the model, on mc from before, had to choose between leases that
 * end together (next is its first choice, pick 0), the choice the maps
 * show (read into kst) is taken, if it is one of them: next becomes it,
 * or the last one tried.  How many choices a frame makes depends on the
 * earlier ones (a Reply's lease that replaces a first-use address a
 * later IAADDR of it names makes that one a new lease, with a choice of
 * its own), so the combinations are tried up to the most any of them
 * counted: a combination's number is below the product of the choices
 * it makes, which that count reaches once its shorter prefix was tried.
 */
static void ties_match(struct runner *r, struct model_learn *kst, const struct model_call *mc,
		       const struct model_learn *before, struct model_learn *next,
		       struct model_refusals *refs, bool *changed, bool order, uint64_t tol)
{
	unsigned int ties = next->ties;
	char why[256];

	if (ties <= 1 || state_read(r, kst, why, sizeof(why)) ||
	    state_same(next, kst, order, tol, why, sizeof(why)))
		return;
	for (unsigned int pick = 1; pick < ties; pick++) {
		model_pick(mc, before, next, pick, refs, changed);
		if (next->ties > ties)
			ties = next->ties;
		if (state_same(next, kst, order, tol, why, sizeof(why)))
			return;
	}
}

/*
 * The model on one frame, from w->st into w->next (the program ran it
 * already): its reason, refusals in *refs; between leases that end
 * together, the choice the maps show (ties_match()).
 */
static int model_step(struct worker *w, const struct iface *g, bool egress, int from,
		      const uint8_t *buf, size_t len, struct model_refusals *refs)
{
	const struct model_call mc = {
		.egress = egress, .buf = buf, .len = len,
		.pol = placement_in_force(g->place) ? &g->pol : NULL,
		.sender = egress ? sender_policy(w, from) : NULL, .ifindex = g->ifindex,
	};
	bool changed = false;
	int model;

	model = model_pick(&mc, &w->st, &w->next, 0, refs, &changed);
	ties_match(&w->r, &w->kst, &mc, &w->st, &w->next, refs, &changed, false, w->tol);
	w->next.tie_pick = 0;
	w->next.ties = 0;
	w->next.tie_div = 0;
	if (changed && !leases_differ(&w->st, &w->next) && !refs->n)
		w->res.revocations++;
	return model;
}

static void worker_run(struct worker *w, unsigned int index, __u64 count, double seconds)
{
	double t0 = now(), last_progress = t0;
	__u64 frames = 0, attempts = 0;

	if (unshare(CLONE_NEWNET))
		die("unshare(CLONE_NEWNET)", errno);
	pin_cpu(index);
	vg_rng_seed(&w->rng, w->seed);
	runner_open(&w->r);
	make_ifaces(w);
	gen_pool_make(&w->rng, &w->pool);
	model_learn_init(&w->st);
	w->st.grace_s = VG_DHCP_GRACE_DEFAULT;
	/* fe80::1 an address of the bridge's, as the loader protects it. */
	model_learn_protect(&w->st, w->pool.a[0]);
	for (unsigned int i = 0; i < w->n_ifs; i++)
		update_iface(w, &w->ifs[i], true);
	state_write(&w->r, &w->st);
	snapshot(w);

	while (frames < count && (seconds <= 0 || now() - t0 < seconds)) {
		unsigned int n = 256 + vg_rng_below(&w->rng, 2048);
		struct iface *f = &w->ifs[vg_rng_below(&w->rng, w->n_ifs)];

		flush(w);
		update_iface(w, f, vg_rng_below(&w->rng, 5) != 0);
		loader_learning(w);
		snapshot(w);
		for (unsigned int i = 0; i < n && frames < count; i++) {
			unsigned int fi = vg_rng_below(&w->rng, w->n_ifs);
			struct iface *g = &w->ifs[fi];
			unsigned int kind = vg_rng_below(&w->rng, 100);
			uint8_t buf[GEN_BUF_SIZE];
			bool dhcp = w->r.learned4 >= 0 && kind >= 83;
			size_t len = kind < 60	 ? gen_frame(&w->rng, frame_policy(w, g), buf)
				     : kind < 75 ? gen_learn_frame(&w->rng, &g->pol, &w->pool, buf)
				     : kind < 83 || !dhcp
					     ? gen_delivered_frame(&w->rng, &g->pol, &w->pool, buf)
				     : kind < 92 ? gen_dhcp_delivered(&w->rng, &g->pol, &w->pool, buf)
						 : gen_dhcp_sent(&w->rng, &g->pol, &w->pool, buf);
			bool egress = kind >= 75 && (kind < 92 || !dhcp);
			enum refusal ref = kernel_refuses(buf, len);
			struct model_refusals refs = { 0 };
			int from = 0;
			struct pending *p;
			uint64_t t_run;
			int v, model;

			/* A delivered frame's sender: the host or the uplink, or
			 * a guest (with a policy or not, a server or not). */
			if (egress && vg_rng_below(&w->rng, 100) < 45)
				from = w->ifs[vg_rng_below(&w->rng, w->n_ifs)].ifindex;
			attempts++;
			wait_off_expiry(w);
			t_run = mono_ns();
			v = egress ? run_delivered(&w->r, g->ifindex, from, buf, len)
				   : run_frame(&w->r, g->ifindex, buf, len);
			w->tol = mono_ns() - t_run + 1000;
			if (v == -EINVAL && ref != RUNS) {
				w->res.refused[ref]++;
				continue;
			}
			if (v < 0) {
				char hex[2 * GEN_FRAME_MAX + 1];

				for (size_t j = 0; j < len; j++)
					sprintf(hex + 2 * j, "%02x", buf[j]);
				printf("%sdifffuzz: the kernel would not run frame %llu (%s): %s\n",
				       tap ? "# " : "", (unsigned long long)attempts, strerror(-v), hex);
				w->res.unexpected_refusals++;
				continue;
			}
			/* The model, on the state the frame ran in; the maps
			 * must hold the state it leaves at once. */
			w->st.now = t_run;
			w->before[w->n_pend] = w->st;
			model = model_step(w, g, egress, from, buf, len, &refs);
			if (egress) {
				w->res.delivered++;
				w->res.refusals += refs.n;
			} else if (w->next.clock != w->st.clock) {
				w->res.claims++;
			}
			if (leases_differ(&w->st, &w->next))
				w->res.lease_changes++;
			/* Everything after a DHCP frame for an interface that
			 * learns by DHCP, or one the model changed a lease for;
			 * others only every FULL_CHECK frames. */
			check_state(w, fi, egress, from, buf, len, model,
				    egress ? model : v == TC_ACT_OK ? VG_PASS : -1, attempts,
				    (dhcp && placement_in_force(g->place) &&
				     (g->pol.flags & (VG_F_LEARN_DHCP | VG_F_LEARN_FIRST))) ||
					    leases_differ(&w->st, &w->next));
			w->res.model[model]++;
			frames++;
			p = &w->pend[w->n_pend++];
			p->iface = fi;
			p->egress = egress;
			p->from = from;
			p->t_run = t_run;
			p->ref = refs;
			p->model = model;
			p->verdict = v;
			p->off = w->used;
			p->len = len;
			p->index = attempts;
			memcpy(w->bytes + w->used, buf, len);
			w->used += len;
			/* The egress program passes everything. */
			if ((egress ? v != TC_ACT_OK : (model == VG_PASS) != (v == TC_ACT_OK)) ||
			    (v != TC_ACT_OK && v != TC_ACT_SHOT))
				w->dirty = true;
			if (w->n_pend == BATCH)
				flush(w);
		}
		if (!tap && now() - last_progress > 15) {
			last_progress = now();
			fprintf(stderr, "difffuzz: seed %llu: %llu frames, %llu disagreements\n",
				(unsigned long long)w->seed, (unsigned long long)frames,
				(unsigned long long)w->res.disagreements);
		}
	}
	flush(w);
	if (!w->res.disagreements)
		check_drops(w);
	w->res.frames = frames;
	w->res.seconds = now() - t0;
	runner_close(&w->r);
}

/* --- regression cases ---------------------------------------------------------------- */

static int tap_n;

static void tap_line(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void tap_line(bool ok, const char *fmt, ...)
{
	va_list ap;

	if (!tap)
		return;
	printf("%sok %d - ", ok ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Replays every case of one file on lo; returns the number that fail. */
static unsigned int replay_file(struct runner *r, const char *path, unsigned int *n_cases)
{
	static __u8 gen;
	struct results res = { 0 };
	unsigned int printed = 0, failed = 0, lineno = 0;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	FILE *f = fopen(path, "r");
	struct vg_case c;
	char err[256];
	int got;

	if (!f) {
		tap_line(false, "regress %s: %s", base, strerror(errno));
		if (!tap)
			printf("difffuzz: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while ((got = case_read(f, &c, &lineno, err, sizeof(err))) == 1) {
		static struct model_learn st, st0, kst;
		struct trie_set s;
		char why[512] = "", who[300];
		int model, prog;

		(*n_cases)++;
		struct model_policy sender = { .mode = VG_MODE_LOCKED };
		struct model_refusals refs = { 0 };
		uint64_t tol;

		trie_write(r, &s, &c.pol, 1, ++gen);
		place_policy(r, 1, false, "lo", &c.pol, gen, 100, c.place);
		if (c.sender != SENDER_HOST) {
			struct vg_policy sp;

			if (c.sender == SENDER_SERVER)
				sender.flags = VG_F_DHCP_SERVER;
			to_vg_policy(&sender, 0, 101, "sender", &sp);
			if (bpf_map_update_elem(r->spill, &(__u32){ CASE_SENDER_IFINDEX }, &sp,
						BPF_ANY))
				die("policy_spill update", errno);
		}
		st = c.before;
		if (r->learned4 < 0 && (st.n_held4 || st.n_fill4 || st.grace_s ||
					st.n_win || st.first_lease_s ||
					(c.pol.flags & (VG_F_LEARN_DHCP | VG_F_LEARN_FIRST)))) {
			/* The model still answers for the case. */
			char whys[512] = "";

			if (c.egress)
				vg_model_deliver(c.frame, c.len, c.has_policy ? &c.pol : NULL, 1,
						 c.sender == SENDER_HOST ? NULL : &sender, &st, &refs);
			if (c.egress)
				model = refs.n ? (int)refs.r[0] : VG_PASS;
			else
				model = vg_model_in(c.frame, c.len, c.has_policy ? &c.pol : NULL,
						    NULL, 1, &st);
			trie_remove(r, &s);
			bpf_map_delete_elem(r->spill, &(__u32){ CASE_SENDER_IFINDEX });
			if (model == c.expect &&
			    (!c.has_after || state_same(&st, &c.after, false, ~0ULL, whys, sizeof(whys)))) {
				tap_line(true, "regress %s:%u: model %s # SKIP the program has no DHCP snooping",
					 base, c.line, vg_model_reason_name(model));
				continue;
			}
			failed++;
			tap_line(false, "regress %s:%u: the model now says %s (%s), the case expects %s",
				 base, c.line, vg_model_reason_name(model), whys,
				 vg_model_reason_name(c.expect));
			if (!tap)
				printf("difffuzz: %s:%u: the model now says %s (%s), the case expects %s\n",
				       path, c.line, vg_model_reason_name(model), whys,
				       vg_model_reason_name(c.expect));
			continue;
		}
		/* The case's times are relative to its "now": the clock's. */
		tol = mono_ns();
		for (unsigned int i = 0; i < st.n_held + st.n_held4; i++) {
			struct model_held *h = i < st.n_held ? &st.held[i] : &st.held4[i - st.n_held];

			if (leased(h) && h->expires != VG_LEASE_FOREVER)
				h->expires = h->expires - CASE_TIME_BASE + tol;
		}
		for (unsigned int i = 0; i < st.n_win; i++)
			st.win[i].end = st.win[i].end - CASE_TIME_BASE + tol;
		st.now = tol;
		state_write(r, &st);
		st.now = mono_ns();
		st0 = st;
		if (c.egress) {
			model = VG_PASS;
			vg_model_deliver(c.frame, c.len, c.has_policy ? &c.pol : NULL, 1,
					 c.sender == SENDER_HOST ? NULL : &sender, &st, &refs);
			model = refs.n ? (int)refs.r[0] : VG_PASS;
			prog = egress_reason(r, 1, c.sender == SENDER_HOST ? 0 : CASE_SENDER_IFINDEX,
					     c.frame, c.len, &refs, why, sizeof(why));
		} else {
			model = vg_model_in(c.frame, c.len, c.has_policy ? &c.pol : NULL, NULL, 1,
					    &st);
			prog = program_reason(r, 1, 100, c.frame, c.len, why, sizeof(why));
		}
		tol = mono_ns() - st.now + 1000;
		bpf_map_delete_elem(r->spill, &(__u32){ CASE_SENDER_IFINDEX });
		trie_remove(r, &s);
		/* The learning state after it: the program's against the
		 * model's, the model's against the one saved. */
		if (prog >= 0 && prog == model && model == c.expect) {
			char whys[512] = "";
			bool read = !state_read(r, &kst, whys, sizeof(whys));
			bool ok = read && state_same(&st, &kst, true, tol, whys, sizeof(whys));

			/* Where the model chose between leases that end
			 * together, the choice the maps show, as in a run. */
			if (read && !ok && st.ties > 1) {
				struct model_refusals scratch = { 0 };
				const struct model_call mc = {
					.egress = c.egress, .buf = c.frame, .len = c.len,
					.pol = c.has_policy ? &c.pol : NULL, .ifindex = 1,
					.sender = c.sender == SENDER_HOST ? NULL : &sender,
				};
				bool changed;

				ties_match(r, &kst, &mc, &st0, &st, &scratch, &changed, true, tol);
				whys[0] = 0;
				ok = state_same(&st, &kst, true, tol, whys, sizeof(whys));
			}
			if (ok && c.has_after) {
				/* The saved state has no order: sets only. */
				ok = state_same(&st, &c.after, false, ~0ULL, whys, sizeof(whys));
				if (!ok)
					snprintf(why, sizeof(why), "the model's state now: %s", whys);
			} else if (!ok) {
				snprintf(why, sizeof(why), "the program's state: %s", whys);
			}
			if (!ok) {
				failed++;
				tap_line(false, "regress %s:%u: learning state: %s", base, c.line,
					 why);
				if (!tap)
					printf("difffuzz: %s:%u: learning state: %s\n", path, c.line,
					       why);
				continue;
			}
		}
		if (prog == -EINVAL && kernel_refuses(c.frame, c.len) != RUNS) {
			tap_line(true, "regress %s:%u # SKIP the kernel does not run this frame",
				 base, c.line);
			continue;
		}
		if (prog < 0)
			die("test run", prog);
		if (model == prog && model == c.expect) {
			tap_line(true, "regress %s:%u: %s", base, c.line, vg_model_reason_name(model));
			continue;
		}
		failed++;
		if (model != c.expect) {
			tap_line(false, "regress %s:%u: the model now says %s, the case expects %s",
				 base, c.line, vg_model_reason_name(model),
				 vg_model_reason_name(c.expect));
			if (!tap)
				printf("difffuzz: %s:%u: the model now says %s, the case expects %s\n",
				       path, c.line, vg_model_reason_name(model),
				       vg_model_reason_name(c.expect));
		}
		if (model != prog) {
			const char *saved = save_dir;

			tap_line(false, "regress %s:%u: model %s, program %s", base, c.line,
				 vg_model_reason_name(model),
				 prog == ANOMALY ? "anomaly" : vg_model_reason_name(prog));
			c.expect = model;
			snprintf(who, sizeof(who), "%s:%u", base, c.line);
			save_dir = NULL;	/* it is saved already */
			report(&res, &printed, who, &c, 1, prog, why[0] ? why : NULL);
			save_dir = saved;
		}
	}
	if (got < 0) {
		tap_line(false, "regress %s: %s", base, err);
		if (!tap)
			printf("difffuzz: %s: %s\n", path, err);
		failed++;
	}
	fclose(f);
	return failed;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int only_cases(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 5 && !strcmp(d->d_name + n - 5, ".case");
}

/* Every case file of dir (or the files given); returns the failures. */
static unsigned int replay(const char *dir, char **files, int n_files)
{
	struct runner r;
	struct dirent **names = NULL;
	unsigned int failed = 0, n_cases = 0;
	int n = 0;

	runner_open(&r);
	if (n_files) {
		for (int i = 0; i < n_files; i++)
			failed += replay_file(&r, files[i], &n_cases);
	} else if (dir) {
		n = scandir(dir, &names, only_cases, by_name);
		for (int i = 0; i < n; i++) {
			char path[4096];

			snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
			failed += replay_file(&r, path, &n_cases);
			free(names[i]);
		}
		free(names);
	}
	runner_close(&r);
	if (!tap)
		printf("regression cases: %u, %u failing\n", n_cases, failed);
	return failed;
}

/* --- main ---------------------------------------------------------------------------- */

static void add_results(struct results *to, const struct results *from)
{
	to->frames += from->frames;
	for (int i = 0; i < REFUSAL_MAX; i++)
		to->refused[i] += from->refused[i];
	to->unexpected_refusals += from->unexpected_refusals;
	to->delivered += from->delivered;
	to->claims += from->claims;
	to->revocations += from->revocations;
	to->refusals += from->refusals;
	to->lease_changes += from->lease_changes;
	to->state_disagreements += from->state_disagreements;
	to->disagreements += from->disagreements;
	to->counter_errors += from->counter_errors;
	for (int i = 0; i < VG_REASON_MAX; i++)
		to->model[i] += from->model[i];
	for (int i = 0; i <= VG_REASON_MAX; i++)
		to->program[i] += from->program[i];
	for (int i = 0; i < VG_REASON_MAX; i++)
		for (int j = 0; j <= VG_REASON_MAX; j++)
			to->pairs[i][j] += from->pairs[i][j];
	if (from->seconds > to->seconds)
		to->seconds = from->seconds;
}

static void print_results(const struct results *res, __u64 seed, unsigned int jobs)
{
	__u64 refused = 0;
	char missing[2048] = "";

	for (int i = 0; i < REFUSAL_MAX; i++)
		refused += res->refused[i];
	printf("%sseed %llu, %u job%s: %llu frames in %.1f s, %.0f frames/s; "
	       "%llu more the kernel does not run (%llu under 14 octets, %llu IPv4 and %llu IPv6 "
	       "headers cut short)\n",
	       tap ? "# " : "", (unsigned long long)seed, jobs, jobs == 1 ? "" : "s",
	       (unsigned long long)res->frames, res->seconds,
	       res->seconds > 0 ? res->frames / res->seconds : 0.0, (unsigned long long)refused,
	       (unsigned long long)res->refused[REFUSED_SHORT],
	       (unsigned long long)res->refused[REFUSED_V4],
	       (unsigned long long)res->refused[REFUSED_V6]);
	printf("%s%-22s %12s %12s\n", tap ? "# " : "", "reason", "model", "program");
	for (int i = 0; i <= VG_REASON_MAX; i++) {
		if (i == VG_REASON_MAX && !res->program[i])
			continue;
		printf("%s%-22s %12llu %12llu\n", tap ? "# " : "",
		       i == VG_REASON_MAX ? "(anomaly)" : vg_model_reason_name(i),
		       i == VG_REASON_MAX ? 0ULL : (unsigned long long)res->model[i],
		       (unsigned long long)res->program[i]);
		if (i < VG_REASON_MAX && (!res->model[i] || !res->program[i]))
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), " %s",
				 vg_model_reason_name(i));
	}
	if (res->disagreements) {
		printf("%sdisagreements by reason (model -> program):\n", tap ? "# " : "");
		for (int i = 0; i < VG_REASON_MAX; i++)
			for (int j = 0; j <= VG_REASON_MAX; j++)
				if (res->pairs[i][j])
					printf("%s  %-22s -> %-22s %llu\n", tap ? "# " : "",
					       vg_model_reason_name(i),
					       j == VG_REASON_MAX ? "(anomaly)"
								  : vg_model_reason_name(j),
					       (unsigned long long)res->pairs[i][j]);
	}
	printf("%sreasons not reached on both sides:%s\n", tap ? "# " : "",
	       missing[0] ? missing : " none");
	if (res->unexpected_refusals || res->counter_errors)
		printf("%s%llu frames the kernel refused unexpectedly, %llu counter errors\n",
		       tap ? "# " : "", (unsigned long long)res->unexpected_refusals,
		       (unsigned long long)res->counter_errors);
	printf("%slearning: %llu frames delivered through the egress program; the model "
	       "learned %llu addresses and revoked %llu; %llu learning state disagreements\n",
	       tap ? "# " : "", (unsigned long long)res->delivered, (unsigned long long)res->claims,
	       (unsigned long long)res->revocations, (unsigned long long)res->state_disagreements);
	printf("%sDHCP snooping: %llu frames changed leases; %llu leases refused\n",
	       tap ? "# " : "", (unsigned long long)res->lease_changes,
	       (unsigned long long)res->refusals);
	printf("%s%llu frames, %llu disagreements\n", tap ? "# " : "",
	       (unsigned long long)res->frames, (unsigned long long)res->disagreements);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: difffuzz [--seed N] [--count N] [--seconds S] [--jobs N]\n"
		"                [--regress DIR | --no-regress] [--save DIR | --no-save]\n"
		"                [--tap [FIRST]] [--replay FILE...]\n");
	exit(2);
}

static __u64 parse_u64(const char *s)
{
	unsigned long long v;
	char *end;

	if (!s)
		usage();
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || end == s)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	__u64 seed = 1, count = 100000;
	bool count_given = false;
	double seconds = 0;
	unsigned int jobs = 1, failed = 0;
	const char *regress_dir = REGRESS_DIR;
	char **files = NULL;
	int n_files = 0, i;
	struct results total = { 0 };

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--seed")) {
			seed = parse_u64(argv[++i]);
		} else if (!strcmp(a, "--count")) {
			count = parse_u64(argv[++i]);
			count_given = true;
		} else if (!strcmp(a, "--seconds")) {
			seconds = parse_u64(argv[++i]);
		} else if (!strcmp(a, "--jobs")) {
			jobs = parse_u64(argv[++i]);
			if (!jobs || jobs > 64)
				usage();
		} else if (!strcmp(a, "--regress")) {
			if (!argv[++i])
				usage();
			regress_dir = argv[i];
		} else if (!strcmp(a, "--no-regress")) {
			regress_dir = NULL;
		} else if (!strcmp(a, "--save")) {
			if (!argv[++i])
				usage();
			save_dir = argv[i];
		} else if (!strcmp(a, "--no-save")) {
			save_dir = NULL;
		} else if (!strcmp(a, "--tap")) {
			tap = true;
			if (argv[i + 1] && argv[i + 1][0] != '-')
				tap_n = parse_u64(argv[++i]) - 1;
		} else if (!strcmp(a, "--replay")) {
			files = argv + i + 1;
			n_files = argc - i - 1;
			break;
		} else {
			usage();
		}
	}
	/* --seconds alone: as many frames as fit. */
	if (seconds > 0 && !count_given)
		count = ~0ULL;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (geteuid() != 0) {
		if (tap) {
			printf("ok %d - model fuzzing # SKIP needs root (loads BPF programs)\n",
			       ++tap_n);
			return 0;
		}
		fprintf(stderr, "difffuzz: needs root (loads BPF programs)\n");
		return 1;
	}
	libbpf_set_print(libbpf_quiet);

	/* The saved cases first, in a namespace of their own. */
	if (unshare(CLONE_NEWNET))
		die("unshare(CLONE_NEWNET)", errno);
	failed += replay(regress_dir, files, n_files);
	if (n_files)
		return failed ? 1 : 0;

	if (jobs == 1) {
		struct worker *w = calloc(1, sizeof(*w));

		if (!w)
			die("calloc", ENOMEM);
		w->seed = seed;
		worker_run(w, 0, count, seconds);
		add_results(&total, &w->res);
		free(w);
	} else {
		int fds[64];
		pid_t pids[64];

		for (unsigned int j = 0; j < jobs; j++) {
			int p[2];

			if (pipe(p))
				die("pipe", errno);
			fflush(stdout);
			pids[j] = fork();
			if (pids[j] < 0)
				die("fork", errno);
			if (pids[j] == 0) {
				struct worker *w = calloc(1, sizeof(*w));
				__u64 share = count == ~0ULL ? count
							     : count / jobs + (j < count % jobs);
				const char *b;
				size_t left = sizeof(w->res);

				if (!w)
					die("calloc", ENOMEM);
				close(p[0]);
				w->seed = seed + j;
				worker_run(w, j, share, seconds);
				for (b = (const char *)&w->res; left;) {
					ssize_t n = write(p[1], b, left);

					if (n <= 0)
						_exit(1);
					b += n;
					left -= n;
				}
				_exit(0);
			}
			close(p[1]);
			fds[j] = p[0];
		}
		for (unsigned int j = 0; j < jobs; j++) {
			struct results res;
			size_t got = 0;
			int st;

			while (got < sizeof(res)) {
				ssize_t n = read(fds[j], (char *)&res + got, sizeof(res) - got);

				if (n <= 0)
					break;
				got += n;
			}
			close(fds[j]);
			waitpid(pids[j], &st, 0);
			if (got != sizeof(res) || !WIFEXITED(st) || WEXITSTATUS(st)) {
				printf("%sdifffuzz: worker %u (seed %llu) failed\n", tap ? "# " : "", j,
				       (unsigned long long)(seed + j));
				failed++;
				continue;
			}
			add_results(&total, &res);
		}
	}
	print_results(&total, seed, jobs);
	failed += total.disagreements + total.unexpected_refusals + total.counter_errors +
		  total.state_disagreements;
	tap_line(!total.disagreements && !total.unexpected_refusals && !total.counter_errors &&
			 !total.state_disagreements,
		 "fuzz seed %llu: %llu frames, %llu disagreements, %llu in the learning state",
		 (unsigned long long)seed, (unsigned long long)total.frames,
		 (unsigned long long)total.disagreements,
		 (unsigned long long)total.state_disagreements);
	return failed ? 1 : 0;
}
