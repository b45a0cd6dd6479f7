// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The harness of test-learn, test-dhcp and test-first (learn_harness.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "learn_harness.h"

struct vifguard *skel;
char diag[2048];
char note[160];
int step;
__u64 case_start_ns;
const struct iface *sent_by;

static int ncpus;
static __u64 *percpu;

void die(const char *what, int err)
{
	printf("Bail out! %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

int map_fd(struct bpf_map *m)
{
	return bpf_map__fd(m);
}

__u64 now_ns(void)
{
	struct timespec ts;

	/* bpf_ktime_get_ns() is CLOCK_MONOTONIC. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

struct vg_addr6 a6(const char *s)
{
	struct vg_addr6 a;

	if (inet_pton(AF_INET6, s, a.addr) != 1)
		die(s, EINVAL);
	return a;
}

struct vg_addr4 a4(const char *s)
{
	struct vg_addr4 a;

	if (inet_pton(AF_INET, s, &a.addr) != 1)
		die(s, EINVAL);
	return a;
}

const char *ntop6(const struct vg_addr6 *a, char *buf)
{
	return inet_ntop(AF_INET6, a->addr, buf, INET6_ADDRSTRLEN);
}

const char *ntop4(const struct vg_addr4 *a, char *buf)
{
	return inet_ntop(AF_INET, &a->addr, buf, INET6_ADDRSTRLEN);
}

bool fail(const char *fmt, ...)
{
	size_t len = strlen(diag);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(diag + len, sizeof(diag) - len, fmt, ap);
	va_end(ap);
	return false;
}

void append(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

/* --- policies ------------------------------------------------------------------- */

void no_policy(const struct iface *i)
{
	__u32 k = i->ifindex & (VG_POLICY_ENTRIES - 1);
	struct vg_policy_entry e = { 0 };

	if (bpf_map_update_elem(map_fd(skel->maps.policy), &k, &e, BPF_ANY))
		die("policy update", errno);
}

void put_protected(const char *addr, __u32 why)
{
	struct vg_addr6 k = a6(addr);
	struct vg_protect p = { .why = why, .since_ns = 1 };

	if (bpf_map_update_elem(map_fd(skel->maps.protected6), &k, &p, BPF_NOEXIST))
		die("protected6 entry", errno);
}

/* --- counters ------------------------------------------------------------------- */

struct counters {
	__u64 passes[VG_MAX_IFACES];
	__u64 totals[VG_REASON_MAX];
	unsigned int n_drops;
	struct vg_drop_key drop_key[VG_MAX_DROP_COUNTERS];
	__u64 drop_n[VG_MAX_DROP_COUNTERS];
};

static struct counters before, after;

static __u64 sum_percpu(void)
{
	__u64 t = 0;

	for (int c = 0; c < ncpus; c++)
		t += percpu[c];
	return t;
}

/* Every pass counter: in batches where the kernel has them (Linux >=
 * 5.6), else one by one. */
static void read_passes(struct counters *s)
{
	static __u32 keys[VG_MAX_IFACES];
	static __u64 *vals;
	static bool no_batch;
	int fd = map_fd(skel->maps.passes);
	__u32 total = 0, count, next;
	void *in = NULL;

	if (!vals) {
		vals = calloc((size_t)VG_MAX_IFACES * ncpus, sizeof(*vals));
		if (!vals)
			die("calloc", ENOMEM);
	}
	while (!no_batch && total < VG_MAX_IFACES) {
		int err;

		count = VG_MAX_IFACES - total;
		err = bpf_map_lookup_batch(fd, in, &next, keys + total,
					   vals + (size_t)total * ncpus, &count, NULL);
		total += count;
		if (err && errno != ENOENT) {
			if (total)
				die("passes batch read", errno);
			no_batch = true;
		} else if (err) {
			break;
		}
		in = &next;
	}
	if (!no_batch) {
		if (total != VG_MAX_IFACES)
			die("passes batch read: short", EIO);
		for (__u32 i = 0; i < total; i++) {
			memcpy(percpu, vals + (size_t)i * ncpus, ncpus * sizeof(*vals));
			s->passes[keys[i]] = sum_percpu();
		}
		return;
	}
	for (__u32 i = 0; i < VG_MAX_IFACES; i++) {
		if (bpf_map_lookup_elem(fd, &i, percpu))
			die("passes read", errno);
		s->passes[i] = sum_percpu();
	}
}

static void read_counters(struct counters *s)
{
	int fd = map_fd(skel->maps.drops);
	struct vg_drop_key k, *prev = NULL;

	read_passes(s);
	for (__u32 r = 0; r < VG_REASON_MAX; r++) {
		if (bpf_map_lookup_elem(map_fd(skel->maps.totals), &r, percpu))
			die("totals read", errno);
		s->totals[r] = sum_percpu();
	}
	s->n_drops = 0;
	while (bpf_map_get_next_key(fd, prev, &k) == 0) {
		if (s->n_drops == VG_MAX_DROP_COUNTERS)
			die("drops read", E2BIG);
		if (bpf_map_lookup_elem(fd, &k, percpu))
			die("drops read", errno);
		s->drop_key[s->n_drops] = k;
		s->drop_n[s->n_drops] = sum_percpu();
		prev = &s->drop_key[s->n_drops++];
	}
}

static __u64 drop_count(const struct counters *s, __u32 ifindex, __u32 reason, bool *found)
{
	for (unsigned int i = 0; i < s->n_drops; i++)
		if (s->drop_key[i].ifindex == ifindex && s->drop_key[i].reason == reason) {
			*found = true;
			return s->drop_n[i];
		}
	*found = false;
	return 0;
}

/*
 * Exactly the counter of reason on i moved by one (pass: i's slot; a
 * drop, an audited one or a refusal: drops and totals), or none at all
 * when i is NULL.  Appends what moved to moved.
 */
static int counters_wrong(const struct iface *i, __u32 reason, char *moved, size_t size)
{
	int wrong = 0;
	size_t len;

	moved[0] = 0;
#define MOVED(...)                                                                    \
	do {                                                                          \
		len = strlen(moved);                                                  \
		snprintf(moved + len, size - len, "%s", len ? " " : "");              \
		len = strlen(moved);                                                  \
		snprintf(moved + len, size - len, __VA_ARGS__);                       \
	} while (0)
	for (__u32 s = 0; s < VG_MAX_IFACES; s++) {
		__u64 d = after.passes[s] - before.passes[s];

		if (d)
			MOVED("passes[%u]+%llu", s, (unsigned long long)d);
		wrong += d != (i && reason == VG_PASS && s == i->slot);
	}
	for (__u32 r = 0; r < VG_REASON_MAX; r++) {
		__u64 d = after.totals[r] - before.totals[r];

		if (d)
			MOVED("totals[%s]+%llu", vg_reason_name(r), (unsigned long long)d);
		wrong += d != (i && reason != VG_PASS && r == reason);
	}
	for (unsigned int n = 0; n < after.n_drops; n++) {
		const struct vg_drop_key *k = &after.drop_key[n];
		bool was;
		__u64 d = after.drop_n[n] - drop_count(&before, k->ifindex, k->reason, &was);
		bool mine = i && reason != VG_PASS && k->ifindex == (__u32)i->ifindex &&
			    k->reason == reason;

		if (d || !was)
			MOVED("drops[%u,%s]%s+%llu", k->ifindex, vg_reason_name(k->reason),
			      was ? "" : "(new)", (unsigned long long)d);
		wrong += mine ? d != 1 : d != 0;
	}
	for (unsigned int n = 0; n < before.n_drops; n++) {
		bool is;

		drop_count(&after, before.drop_key[n].ifindex, before.drop_key[n].reason, &is);
		if (!is) {
			MOVED("drops[%u,%s](deleted)", before.drop_key[n].ifindex,
			      vg_reason_name(before.drop_key[n].reason));
			wrong++;
		}
	}
	if (i && reason != VG_PASS) {
		bool is;

		drop_count(&after, i->ifindex, reason, &is);
		wrong += !is;
	}
#undef MOVED
	if (!moved[0])
		snprintf(moved, size, "none");
	return wrong;
}

/* --- steps ---------------------------------------------------------------------- */

const char *verdict_name(int v)
{
	return v == TC_ACT_OK ? "OK" : v == TC_ACT_SHOT ? "SHOT" : "?";
}

/* Runs f through prog on i.  Returns 0 and the verdict in *verdict, or
 * -errno of the test run. */
static int run(struct bpf_program *prog, const struct iface *i, const struct frame *f,
	       int *verdict)
{
	struct __sk_buff ctx = { .ifindex = i->ifindex,
				 .ingress_ifindex = sent_by ? sent_by->ifindex : 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
		    .data_in = f->b, .data_size_in = f->len, .repeat = 1);

	if (bpf_prog_test_run_opts(bpf_program__fd(prog), &opts))
		return -errno;
	*verdict = opts.retval;
	return 0;
}

bool step_run(struct bpf_program *prog, const struct iface *i, struct frame f, const char *what,
	      int verdict, enum vg_reason reason, bool *refused)
{
	bool egress = prog == skel->progs.vifguard_out;
	char moved[512];
	int v = -1, err, wrong;

	step++;
	read_counters(&before);
	err = run(prog, i, &f, &v);
	if (err == -EINVAL && refused) {
		*refused = true;
		return true;
	}
	if (err)
		return fail("step %d (%s %s %s): test run failed: %s", step, what,
			    egress ? "to" : "on", i->name, strerror(-err));
	read_counters(&after);
	wrong = counters_wrong(egress && reason == VG_PASS ? NULL : i, reason, moved,
			       sizeof(moved));
	if (v == verdict && !wrong)
		return true;
	return fail("step %d (%s %s %s%s): expected %s/%s, got %s, %d counter(s) wrong "
		    "(moved: %s)",
		    step, what, egress ? "to" : "on", i->name, egress ? ", egress" : "",
		    verdict_name(verdict), egress && reason == VG_PASS ? "nothing counted" :
		    vg_reason_name(reason), verdict_name(v), wrong, moved);
}

bool in(const struct iface *i, struct frame f, const char *what, int verdict,
	enum vg_reason reason)
{
	return step_run(skel->progs.vifguard, i, f, what, verdict, reason, NULL);
}

struct frame udp6(const uint8_t *mac, const char *src, const uint8_t *dmac, const char *dst,
		  uint16_t dport)
{
	struct frame f = { .len = 0 };
	size_t ip, l4;

	eth(&f, mac, dmac, 0x86dd);
	ip = ip6_begin(&f, src, dst, 17, 64);
	l4 = f.len;
	udp(&f, 40000, dport, 16);
	ip6_end(&f, ip);
	l4_csum(&f, ip, l4, 6, 17);
	return f;
}

/* --- map contents --------------------------------------------------------------- */

void dump(int fd, size_t ksz, struct table *t)
{
	__u8 k[16], prev[16];
	bool first = true;

	memset(t, 0, sizeof(*t));
	while (bpf_map_get_next_key(fd, first ? NULL : prev, k) == 0) {
		first = false;
		memcpy(prev, k, ksz);
		if (t->n == DUMP_MAX) {
			t->over = true;
			continue;
		}
		memset(t->e[t->n].k, 0, sizeof(t->e[t->n].k));
		memcpy(t->e[t->n].k, k, ksz);
		if (bpf_map_lookup_elem(fd, k, t->e[t->n].v))
			die("map dump", errno);
		t->n++;
	}
}

const struct entry *find(const struct table *t, const void *k, size_t ksz)
{
	for (unsigned int i = 0; i < t->n; i++)
		if (!memcmp(t->e[i].k, k, ksz))
			return &t->e[i];
	return NULL;
}

bool table_same(const struct table *t, const struct table *u)
{
	bool same = t->n == u->n && !t->over && !u->over;

	for (unsigned int j = 0; same && j < t->n; j++) {
		const struct entry *e = find(u, t->e[j].k, sizeof(t->e[j].k));

		same = e && !memcmp(e->v, t->e[j].v, sizeof(e->v));
	}
	return same;
}

void map_clear(struct bpf_map *m)
{
	__u8 k[16];
	int fd = map_fd(m);

	while (bpf_map_get_next_key(fd, NULL, k) == 0)
		if (bpf_map_delete_elem(fd, k))
			die(bpf_map__name(m), errno);
}

/* --- learned state -------------------------------------------------------------- */

__u32 grace = VG_DHCP_GRACE_DEFAULT;

struct vg_addr6 mapped(const char *v4)
{
	struct vg_addr6 a = { { 0, 0, htonl(0xffff), a4(v4).addr } };

	return a;
}

struct vg_addr6 slot_addr(const char *s)
{
	return strchr(s, ':') ? a6(s) : mapped(s);
}

size_t owner_key(const char *addr, bool v6, void *k)
{
	struct vg_addr6 k6;
	struct vg_addr4 k4;

	if (v6) {
		k6 = a6(addr);
		memcpy(k, &k6, sizeof(k6));
		return sizeof(k6);
	}
	k4 = a4(addr);
	memcpy(k, &k4, sizeof(k4));
	return sizeof(k4);
}

void state_read(struct state *s)
{
	dump(map_fd(skel->maps.learned4), sizeof(struct vg_addr4), &s->l4);
	dump(map_fd(skel->maps.learned6), sizeof(struct vg_addr6), &s->l6);
	dump(map_fd(skel->maps.lease_slots), sizeof(struct vg_slot_key), &s->s);
	dump(map_fd(skel->maps.protected6), sizeof(struct vg_addr6), &s->p);
	dump(map_fd(skel->maps.learn_slots), sizeof(struct vg_slot_key), &s->ll);
}

static const char *origin_name(unsigned int o)
{
	return o == VG_ORIGIN_CONFIG ? "config" : o == VG_ORIGIN_DAD ? "dad" :
	       o == VG_ORIGIN_DHCP ? "dhcp" : o == VG_ORIGIN_FIRST ? "first" : "?";
}

static const char *why_name(unsigned int w)
{
	return w == VG_PROTECT_CONFIG ? "config" : w == VG_PROTECT_BRIDGE ? "bridge" :
	       w == VG_PROTECT_RA ? "ra" : "?";
}

/* An expiry as seconds from the case's start, for failure messages. */
static void expiry_text(__u64 e, char *buf, size_t size)
{
	if (e == VG_LEASE_FOREVER)
		snprintf(buf, size, "forever");
	else
		snprintf(buf, size, "%+.1fs", ((double)e - (double)case_start_ns) / 1e9);
}

/* The entries of t, learned4 (af AF_INET) or learned6, as text. */
static void owners_text(const struct table *t, int af, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN], e[32];

	for (unsigned int i = 0; i < t->n; i++) {
		struct vg_owner o;

		memcpy(&o, t->e[i].v, sizeof(o));
		expiry_text(o.expires_ns, e, sizeof(e));
		append(buf, size, " %s: if %u %s slot %u%s%s;",
		       inet_ntop(af, t->e[i].k, a, sizeof(a)), o.ifindex, origin_name(o.origin),
		       o.slot, o.origin >= VG_ORIGIN_DHCP ? " " : "",
		       o.origin >= VG_ORIGIN_DHCP ? e : "");
	}
	append(buf, size, "%s }", t->over ? " ..." : "");
}

/* The entries of t, lease_slots (expiries) or learn_slots, as text. */
static void slots_text(const struct table *t, bool lease, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN], e[32];

	for (unsigned int i = 0; i < t->n; i++) {
		struct vg_slot_key k;
		struct vg_slot v;

		memcpy(&k, t->e[i].k, sizeof(k));
		memcpy(&v, t->e[i].v, sizeof(v));
		expiry_text(v.since_ns, e, sizeof(e));
		append(buf, size, " if %u slot %u: %s%s%s;", k.ifindex, k.slot, ntop6(&v.a, a),
		       lease ? " " : "", lease ? e : "");
	}
	append(buf, size, "%s }", t->over ? " ..." : "");
}

/* The maps as text, for failure messages. */
static void state_text(const struct state *s, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	buf[0] = 0;
	append(buf, size, "learned4 {");
	owners_text(&s->l4, AF_INET, buf, size);
	append(buf, size, " learned6 {");
	owners_text(&s->l6, AF_INET6, buf, size);
	append(buf, size, " lease_slots {");
	slots_text(&s->s, true, buf, size);
	append(buf, size, " protected6 {");
	for (unsigned int i = 0; i < s->p.n; i++) {
		struct vg_addr6 k;
		struct vg_protect p;

		memcpy(&k, s->p.e[i].k, sizeof(k));
		memcpy(&p, s->p.e[i].v, sizeof(p));
		append(buf, size, " %s: %s if %u;", ntop6(&k, a), why_name(p.why), p.ifindex);
	}
	append(buf, size, "%s } learn_slots {", s->p.over ? " ..." : "");
	slots_text(&s->ll, false, buf, size);
}

static char mismatch_buf[200];

__attribute__((format(printf, 1, 2))) static const char *mismatch(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(mismatch_buf, sizeof(mismatch_buf), fmt, ap);
	va_end(ap);
	return mismatch_buf;
}

static bool since_in_case(__u64 since, __u64 now)
{
	return since >= case_start_ns && since <= now;
}

/* Why owner o of w->addr is not as w says, or NULL. */
static const char *owner_mismatch(const struct state *s, const struct want *w,
				  const struct vg_owner *o, __u64 now)
{
	struct vg_slot_key sk = { o->ifindex, o->slot };
	bool first = w->n == VG_ORIGIN_FIRST, lease = w->n >= VG_ORIGIN_DHCP;
	const struct entry *se;
	struct vg_slot sv;
	__u64 lo, hi;

	if (o->ifindex != (__u32)w->ifc->ifindex || o->origin != w->n ||
	    ((w->n == VG_ORIGIN_DAD || (lease && w->ifc->ifindex)) && o->slot != w->slot))
		return mismatch("%s: expected if %u %s slot %d, got if %u %s slot %u", w->addr,
				w->ifc->ifindex, origin_name(w->n), w->slot, o->ifindex,
				origin_name(o->origin), o->slot);
	if (w->n == VG_ORIGIN_DAD) {
		if (!since_in_case(o->since_ns, now))
			return mismatch("%s: since_ns outside the case", w->addr);
		se = find(&s->ll, &sk, sizeof(sk));
		if (se) {
			memcpy(&sv, se->v, sizeof(sv));
			if (sv.since_ns != o->since_ns)
				return mismatch("%s: since_ns not its slot's", w->addr);
		}
		return NULL;
	}
	if (!lease || !w->ifc->ifindex)
		return NULL;
	if (w->lease == LEASE_FOREVER) {
		lo = hi = VG_LEASE_FOREVER;
	} else {
		lo = case_start_ns + (w->lease + (first ? 0 : grace)) * 1000000000ULL;
		hi = now + (w->lease + (first ? 0 : grace)) * 1000000000ULL;
	}
	if (o->expires_ns < lo || o->expires_ns > hi) {
		char e[32];

		expiry_text(o->expires_ns, e, sizeof(e));
		return mismatch("%s: expires at %s, expected %s of %lld s plus %u s grace%s",
				w->addr, e, first ? "a first use" : "a lease", w->lease,
				first ? 0 : grace, w->lease == LEASE_FOREVER ? " (forever)" : "");
	}
	se = find(&s->s, &sk, sizeof(sk));
	if (!se)
		return mismatch("%s: no lease slot %u", w->addr, o->slot);
	memcpy(&sv, se->v, sizeof(sv));
	if (sv.since_ns != o->expires_ns)
		return mismatch("%s: lease slot %u's since_ns not the expires_ns", w->addr, o->slot);
	return NULL;
}

/* Why slot w->slot of w->ifc in t (lease_slots or learn_slots, named
 * map) does not hold w->addr, or NULL. */
static const char *slot_mismatch(const struct table *t, const char *map, const struct want *w)
{
	struct vg_slot_key sk = { w->ifc->ifindex, w->slot };
	struct vg_addr6 a = slot_addr(w->addr);
	const struct entry *e = find(t, &sk, sizeof(sk));
	struct vg_slot sv;

	if (!e)
		return mismatch("no %s slot %d of %s", map, w->slot, w->ifc->name);
	memcpy(&sv, e->v, sizeof(sv));
	if (memcmp(&sv.a, &a, sizeof(a)))
		return mismatch("%s slot %d of %s does not hold %s", map, w->slot, w->ifc->name,
				w->addr);
	return NULL;
}

/* Why protected6 in s does not hold w->addr as w says, or NULL. */
static const char *protect_mismatch(const struct state *s, const struct want *w, __u64 now)
{
	struct vg_addr6 a = a6(w->addr);
	const struct entry *e = find(&s->p, &a, sizeof(a));
	struct vg_protect p;

	if (!e)
		return mismatch("%s not protected", w->addr);
	if (!w->n)
		return NULL;
	memcpy(&p, e->v, sizeof(p));
	if (p.why != (__u32)w->n || p.ifindex != (__u32)(w->ifc ? w->ifc->ifindex : 0))
		return mismatch("protected6 %s: expected %s if %d, got %s if %u", w->addr,
				why_name(w->n), w->ifc ? w->ifc->ifindex : 0, why_name(p.why),
				p.ifindex);
	if (p.why == VG_PROTECT_RA && !since_in_case(p.since_ns, now))
		return mismatch("protected6 %s: since_ns outside the case", w->addr);
	return NULL;
}

/* Why the state is not w[0..n), or NULL. */
static const char *state_mismatch(const struct state *s, const struct want *w, size_t n)
{
	const struct {
		const struct table *t;
		const char *name;
		char kind;
	} maps[] = { { &s->l4, "learned4", '4' }, { &s->l6, "learned6", '6' },
		     { &s->s, "lease_slots", 'S' }, { &s->p, "protected6", 'P' },
		     { &s->ll, "learn_slots", 'D' } };
	__u64 now = now_ns();

	for (size_t i = 0; i < n; i++) {
		const char *m;

		if (w[i].kind == '4' || w[i].kind == '6') {
			bool v6 = w[i].kind == '6';
			__u8 k[16];
			size_t ksz = owner_key(w[i].addr, v6, k);
			const struct entry *e = find(v6 ? &s->l6 : &s->l4, k, ksz);
			struct vg_owner o;

			if (!e)
				return mismatch("no learned%c entry %s", w[i].kind, w[i].addr);
			memcpy(&o, e->v, sizeof(o));
			m = owner_mismatch(s, &w[i], &o, now);
		} else if (w[i].kind == 'S') {
			m = slot_mismatch(&s->s, "lease", &w[i]);
		} else if (w[i].kind == 'D') {
			m = slot_mismatch(&s->ll, "learn", &w[i]);
		} else {
			m = protect_mismatch(s, &w[i], now);
		}
		if (m)
			return m;
	}
	for (size_t j = 0; j < ARRAY_SIZE(maps); j++) {
		unsigned int wanted = 0;

		for (size_t i = 0; i < n; i++)
			wanted += w[i].kind == maps[j].kind;
		if (maps[j].t->n != wanted || maps[j].t->over)
			return mismatch("%s holds other entries", maps[j].name);
	}
	return NULL;
}

bool state_is(const char *when, const struct want *w, size_t n)
{
	struct state s;
	char text[1536];
	const char *why;

	state_read(&s);
	why = state_mismatch(&s, w, n);
	if (!why)
		return true;
	state_text(&s, text, sizeof(text));
	return fail("after step %d (%s): %s; maps: %s", step, when, why, text);
}

bool state_same(const struct state *s, const char *when)
{
	struct state now;
	char text[1536];
	const struct table *t[5] = { &s->l4, &s->l6, &s->s, &s->p, &s->ll };
	const struct table *u[5] = { &now.l4, &now.l6, &now.s, &now.p, &now.ll };

	state_read(&now);
	for (int i = 0; i < 5; i++) {
		if (!table_same(t[i], u[i])) {
			state_text(&now, text, sizeof(text));
			return fail("after step %d (%s): maps changed; now: %s", step, when, text);
		}
	}
	return true;
}

/* --- cases ---------------------------------------------------------------------- */

void reset_counters(const struct iface *const *ifs, size_t n)
{
	__u64 *zero = calloc(ncpus, sizeof(*zero));

	if (!zero)
		die("calloc", ENOMEM);
	map_clear(skel->maps.drops);
	for (__u32 r = 0; r < VG_TOTALS_KEYS; r++)
		if (bpf_map_update_elem(map_fd(skel->maps.totals), &r, zero, BPF_ANY))
			die("totals reset", errno);
	for (size_t i = 0; i < n; i++) {
		__u32 s = ifs[i]->slot;

		if (bpf_map_update_elem(map_fd(skel->maps.passes), &s, zero, BPF_ANY))
			die("passes reset", errno);
	}
	free(zero);
}

void reset_case(void)
{
	sent_by = NULL;
	step = 0;
	diag[0] = 0;
	case_start_ns = now_ns();
}

/* B and C, the two ends of a veth pair in our own namespace: devices
 * BPF_PROG_TEST_RUN can name.  Returns 0 or -errno. */
static int devices(const struct suite *s)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "ip link add %s type veth peer name %s", s->veth[0],
		 s->veth[1]);
	if (system(cmd))
		return -ENODEV;
	s->b->ifindex = if_nametoindex(s->veth[0]);
	s->c->ifindex = if_nametoindex(s->veth[1]);
	if (!s->b->ifindex || !s->c->ifindex)
		return -ENODEV;
	return 0;
}

static __u32 policy_entry(const struct iface *i)
{
	return i->ifindex & (VG_POLICY_ENTRIES - 1);
}

int run_suite(int argc, char **argv, const struct suite *s)
{
	int failed = 0, first = 1, err;
	char *end;

	if (argc > 1) {
		errno = 0;
		first = strtol(argv[1], &end, 10);
		if (errno || *end || first < 1) {
			fprintf(stderr, "usage: %s [FIRST]\n", s->prog);
			return 2;
		}
	}
	if (geteuid() != 0) {
		printf("ok %d - %s # SKIP needs root\n", first, s->title);
		return 0;
	}
	if (unshare(CLONE_NEWNET))
		die("unshare(CLONE_NEWNET)", errno);
	s->a->ifindex = if_nametoindex("lo");
	ncpus = libbpf_num_possible_cpus();
	if (!s->a->ifindex || ncpus <= 0)
		die("lo / possible CPUs", ENODEV);
	percpu = calloc(ncpus, sizeof(*percpu));
	if (!percpu)
		die("calloc", ENOMEM);
	skel = vifguard__open_and_load();
	if (!skel)
		die("vifguard__open_and_load", errno);
	err = devices(s);
	if (err) {
		for (size_t i = 0; i < s->n; i++)
			printf("ok %zu - %s # SKIP no veth pair: %s\n", first + i, s->cases[i].name,
			       strerror(-err));
		vifguard__destroy(skel);
		return 0;
	}
	if (policy_entry(s->a) == policy_entry(s->b) || policy_entry(s->b) == policy_entry(s->c))
		die("ifindexes share a policy entry", EEXIST);

	for (size_t i = 0; i < s->n; i++) {
		bool ok;

		s->reset();
		note[0] = 0;
		ok = s->cases[i].run();
		if (ok) {
			printf("ok %zu - %s (%d steps%s)\n", first + i, s->cases[i].name, step,
			       note);
		} else {
			printf("not ok %zu - %s\n# %s\n", first + i, s->cases[i].name, diag);
			failed++;
		}
	}
	s->reset();
	printf("# %zu %s, %d failed\n", s->n, s->what, failed);
	/* The namespace and its veth pair go when we exit. */
	vifguard__destroy(skel);
	free(percpu);
	return failed ? 1 : 0;
}
