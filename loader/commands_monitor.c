// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * monitor: the program's drop events as they come, one line each (text,
 * or JSON lines under -j), or with --syslog a digest per interval: per
 * interface and reason, the frames dropped and one example.  The state
 * is opened only to set the limit and to start the reader; the stream
 * runs without its lock (state_events.c).
 */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "cli.h"
#include "cli_list.h"
#include "events.h"
#include "ident.h"
#include "monitor_follow.h"
#include "sanitize.h"
#include "state.h"
#include "vifguard_user.h"

const char vg_help_monitor[] =
"Usage: vifguard monitor [--syslog [--interval SECS]] [--wait] [--rate N[/s|/min|/h]]\n"
"                        [--burst N] [IFACE...]\n"
"\n"
"Prints the frames the filter drops as it drops them (on IFACE only, when\n"
"named), one line each, or one JSON object a line with -j: time, interface,\n"
"reason, ethertype, MACs, addresses, protocol, ports or ICMP type, and the\n"
"VM (domid, name, UUID) and VIF UUID when xenstore names the interface.\n"
"Ctrl-C (SIGINT) or SIGTERM ends it.\n"
"\n"
"The program sends at most N events a second (default 10) per interface and\n"
"reason after a burst (default 20); the rest are counted as suppressed.\n"
"--rate and --burst change that limit for the whole host, and it stays\n"
"after the monitor ends, and a monitor given them sets them again on a root\n"
"made again.  One monitor at a time per root: a second one is refused (exit\n"
"1), or with --wait waits for the first to end.\n"
"\n"
"Without --wait, a root with nothing attached yet is an error (exit 1), and\n"
"so is the root's removal while the monitor runs.  With --wait the monitor\n"
"waits for the root's first attach, and after a removal for the next one,\n"
"then reads the new root's events.\n"
"\n"
"With --syslog nothing is printed: every interval (default 60 s) and at the\n"
"end, one syslog line (facility daemon, priority warning) per interface and\n"
"reason that dropped frames, with their count and one example.\n";

#define MAX_IFACES	64
#define MAX_KEYS	1024	/* (interface, reason) pairs the digest follows */
#define EXAMPLE_LEN	256

struct monitor_args {
	bool syslog;
	bool wait;
	long interval;
	uint64_t cost_ns;	/* 0: --rate not given */
	uint32_t burst;		/* 0: --burst not given */
	const char *ifaces[MAX_IFACES];
	int n_ifaces;
	const char *burst_s, *interval_s;	/* as given; checked by monitor_check */
};

static void monitor_init(void *o)
{
	((struct monitor_args *)o)->interval = 60;
}

static int parse_count(const char *s, unsigned long max, unsigned long *v, char **end)
{
	errno = 0;
	*v = strtoul(s, end, 10);
	return errno || *end == s || *s == '-' || !*v || *v > max ? -EINVAL : 0;
}

static int opt_rate(void *o, const char *arg, char *err, size_t errlen)
{
	static const struct { const char *unit; uint64_t ns; } units[] = {
		{ "", 1000000000ULL }, { "/s", 1000000000ULL },
		{ "/min", 60000000000ULL }, { "/h", 3600000000000ULL },
	};
	unsigned long n;
	char *end;
	size_t i;

	if (!parse_count(arg, 1000000, &n, &end))
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (!strcmp(end, units[i].unit)) {
				((struct monitor_args *)o)->cost_ns = units[i].ns / n;
				return 0;
			}
	snprintf(err, errlen, "a count of events from 1 to 1000000, per second, or with "
		 "/s, /min or /h");
	return -EINVAL;
}

/* --burst and --interval: whole numbers within bounds. */
static int monitor_check(void *o, char *err, size_t errlen)
{
	struct monitor_args *a = o;
	const struct {
		const char *s, *opt, *what;
		unsigned long max;
	} v[] = {
		{ a->burst_s, "--burst", "a count of events", 1000000 },
		{ a->interval_s, "--interval", "seconds", 86400 },
	};
	unsigned long n[2] = { 0, (unsigned long)a->interval };
	char *end;
	size_t i;

	for (i = 0; i < 2; i++) {
		if (v[i].s && (parse_count(v[i].s, v[i].max, &n[i], &end) || *end)) {
			snprintf(err, errlen, "monitor: %s %s: %s, from 1 to %lu", v[i].opt,
				 v[i].s, v[i].what, v[i].max);
			return -EINVAL;
		}
	}
	a->burst = (uint32_t)n[0];
	a->interval = (long)n[1];
	return 0;
}

static int monitor_word(void *o, char *word, char *err, size_t errlen)
{
	struct monitor_args *a = o;

	if (vg_ifname_check(word)) {
		snprintf(err, errlen, "monitor: '%s': not an interface name", word);
		return -EINVAL;
	}
	if (a->n_ifaces == MAX_IFACES) {
		snprintf(err, errlen, "monitor: more than %d interfaces", MAX_IFACES);
		return -EINVAL;
	}
	a->ifaces[a->n_ifaces++] = word;
	return 1;
}

static const struct vg_opt monitor_opts[] = {
	{ "syslog", 's', NULL, VG_OPT_FLAG, offsetof(struct monitor_args, syslog), NULL,
	  "a digest to syslog every interval instead of a line per event" },
	{ "wait", 'w', NULL, VG_OPT_FLAG, offsetof(struct monitor_args, wait), NULL,
	  "wait for the state (and another monitor to end); follow it when made again" },
	{ "interval", 'i', "SECS", VG_OPT_STRING, offsetof(struct monitor_args, interval_s), NULL,
	  "the digest's interval (default 60)" },
	{ "rate", 'R', "N[/s|/min|/h]", VG_OPT_FN, 0, opt_rate,
	  "events per interface and reason (host-wide; default 10/s)" },
	{ "burst", 'b', "N", VG_OPT_STRING, offsetof(struct monitor_args, burst_s), NULL,
	  "events sent at once before the rate applies (host-wide; default 20)" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

const struct vg_args vg_args_monitor = {
	.size = sizeof(struct monitor_args), .init = monitor_init, .opts = monitor_opts,
	.word = monitor_word, .check = monitor_check,
};

/* ---- one event --------------------------------------------------------------- */

/* What an interface is called, cached per ifindex with its identity. */
struct iface_id {
	uint32_t ifindex;
	char name[IF_NAMESIZE];
	struct vg_ident id;
};

struct digest_ent {
	struct vg_drop_key key;
	uint64_t events;	/* received this interval */
	uint64_t base;		/* suppressed count already reported */
	bool audit;		/* the last event's interface was in audit mode */
	bool learn;		/* the last event was a refusal to learn (delivered) */
	char example[EXAMPLE_LEN];
};

struct monitor {
	struct vg_out *out;
	const struct monitor_args *a;
	struct vg_list_xs xs;
	struct vg_follow follow;
	int waiting;		/* what start() last waited for, or 0 */
	uint64_t lost;		/* events lost by readers closed so far */
	struct timespec mono0, real0;	/* the clocks at start: event times */
	struct iface_id *ids;
	size_t n_ids;
	struct digest_ent *keys;
	size_t n_keys;
	uint64_t unfollowed;	/* events of pairs beyond MAX_KEYS */
};

/* The name and identity of ifindex now; NULL when it is gone. */
static const struct iface_id *iface_of(struct monitor *m, uint32_t ifindex)
{
	char name[IF_NAMESIZE];
	struct iface_id *it = NULL, *grown;
	const char *names[1] = { name };
	size_t i;

	if (!if_indextoname(ifindex, name))
		return NULL;
	for (i = 0; i < m->n_ids && !it; i++)
		if (m->ids[i].ifindex == ifindex)
			it = &m->ids[i];
	if (it && !strcmp(it->name, name))
		return it;
	if (!it) {
		grown = realloc(m->ids, (m->n_ids + 1) * sizeof(*grown));
		if (!grown)
			return NULL;
		m->ids = grown;
		it = &m->ids[m->n_ids++];
	}
	memset(it, 0, sizeof(*it));
	it->ifindex = ifindex;
	snprintf(it->name, sizeof(it->name), "%s", name);
	if (m->xs.open)
		vg_ident_lookup(&m->xs.xs, names, 1, &it->id);
	return it;
}

static bool wanted(const struct monitor *m, const char *name)
{
	int i;

	for (i = 0; i < m->a->n_ifaces; i++)
		if (!strcmp(m->a->ifaces[i], name))
			return true;
	return !m->a->n_ifaces;
}

/* The event's time as UTC, from the monotonic clock it was taken on. */
static void event_time(const struct monitor *m, uint64_t ns, char *out, size_t len)
{
	int64_t d = (int64_t)ns - ((int64_t)m->mono0.tv_sec * 1000000000 + m->mono0.tv_nsec);
	int64_t real = (int64_t)m->real0.tv_sec * 1000000000 + m->real0.tv_nsec + d;
	time_t secs = (time_t)(real / 1000000000);
	struct tm tm;
	char buf[32];

	gmtime_r(&secs, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, len, "%s.%06ldZ", buf, (long)(real % 1000000000) / 1000);
}

/* "10.0.0.9 > 10.0.0.1 udp 1234 > 53" and the like, for text and digest. */
static void summary(const struct vg_event_fields *f, char *out, size_t len)
{
	const char *pn = vg_proto_name(f->protocol);
	char proto[24] = "", l4[64] = "";
	int n;

	if (f->protocol >= 0)
		snprintf(proto, sizeof(proto), " %s", pn ? pn : "");
	if (f->protocol >= 0 && !pn)
		snprintf(proto, sizeof(proto), " proto %d", f->protocol);
	if (f->src_port >= 0)
		snprintf(l4, sizeof(l4), " %d > %d", f->src_port, f->dst_port);
	else if (f->icmp_type >= 0)
		snprintf(l4, sizeof(l4), " type %d code %d", f->icmp_type, f->icmp_code);
	else if (f->arp_op >= 0)
		snprintf(l4, sizeof(l4), " arp op %d sha %s", f->arp_op, f->arp_sha);
	n = snprintf(out, len, "%s > %s ethertype 0x%04x", f->src_mac[0] ? f->src_mac : "?",
		     f->dst_mac[0] ? f->dst_mac : "?", f->ethertype < 0 ? 0 : f->ethertype);
	if (f->src_ip[0] && n >= 0 && (size_t)n < len)
		snprintf(out + n, len - (size_t)n, " %s > %s%s%s", f->src_ip, f->dst_ip, proto, l4);
}

static void json_int_field(struct vg_json *j, const char *name, int v)
{
	if (v >= 0)
		vg_json_kv_uint(j, name, (uint64_t)v);
}

static void json_ident(struct vg_json *j, const struct iface_id *it)
{
	if (!it || !it->id.xen)
		return;
	vg_json_kv_uint(j, "domid", it->id.domid);
	if (it->id.vm_name[0])
		vg_json_kv_string(j, "vm_name", it->id.vm_name);
	if (it->id.vm_uuid[0])
		vg_json_kv_string(j, "vm_uuid", it->id.vm_uuid);
	if (it->id.vif_uuid[0])
		vg_json_kv_string(j, "vif_uuid", it->id.vif_uuid);
}

/* What happened to the frame: dropped, passed in audit mode, or
 * delivered with learning from it refused. */
static const char *event_action(const struct vg_event *ev)
{
	if (ev->flags & VG_EVENT_F_LEARN)
		return "refused";
	return ev->flags & VG_EVENT_F_AUDIT ? "audit" : "drop";
}

static void print_json(struct monitor *m, const struct vg_event *ev, const char *ifname,
		       const struct iface_id *it, const struct vg_event_fields *f,
		       const char *when)
{
	struct vg_json *j = vg_out_json(m->out);
	char et[12];

	vg_json_object_start(j);
	vg_json_kv_string(j, "event_time", when);
	vg_json_kv_string(j, "iface", ifname);
	vg_json_kv_uint(j, "ifindex", ev->ifindex);
	json_ident(j, it);
	vg_json_kv_string(j, "reason", vg_reason_name(ev->reason));
	vg_json_kv_string(j, "action", event_action(ev));
	vg_json_kv_uint(j, "frame_len", ev->len);
	if (f->src_mac[0]) {
		vg_json_kv_string(j, "src_mac", f->src_mac);
		vg_json_kv_string(j, "dst_mac", f->dst_mac);
	}
	if (f->ethertype >= 0) {
		snprintf(et, sizeof(et), "0x%04x", (unsigned int)f->ethertype);
		vg_json_kv_string(j, "ethertype", et);
	}
	json_int_field(j, "vlan", f->vlan);
	if (f->src_ip[0]) {
		vg_json_kv_string(j, "src_ip", f->src_ip);
		vg_json_kv_string(j, "dst_ip", f->dst_ip);
	}
	json_int_field(j, "protocol", f->protocol);
	json_int_field(j, "src_port", f->src_port);
	json_int_field(j, "dst_port", f->dst_port);
	json_int_field(j, "icmp_type", f->icmp_type);
	json_int_field(j, "icmp_code", f->icmp_code);
	json_int_field(j, "arp_op", f->arp_op);
	if (f->arp_sha[0])
		vg_json_kv_string(j, "arp_sha", f->arp_sha);
	vg_json_kv_uint(j, "suppressed", ev->suppressed);
	vg_json_object_end(j);	/* and the newline: one object a line */
}

static void print_text(const struct vg_event *ev, const char *ifname,
		       const struct iface_id *it, const char *sum, const char *when)
{
	char vm[VG_VM_NAMELEN + 16] = "", line[512], esc[4 * sizeof(line)];

	if (it && it->id.xen)
		snprintf(vm, sizeof(vm), " (vm %s)", it->id.vm_name[0] ? it->id.vm_name :
			 it->id.vm_uuid[0] ? it->id.vm_uuid : "?");
	snprintf(line, sizeof(line), "%s %s%s %s%s: %s, %u bytes, %llu suppressed before", when,
		 ifname, vm,
		 ev->flags & VG_EVENT_F_LEARN ? "learn refused " :
		 ev->flags & VG_EVENT_F_AUDIT ? "audit " : "",
		 vg_reason_name(ev->reason), sum, ev->len, (unsigned long long)ev->suppressed);
	/* Names come from xenstore: no terminal escapes. */
	printf("%s\n", vg_escape_text(esc, sizeof(esc), line));
}

static struct digest_ent *digest_key(struct monitor *m, const struct vg_event *ev)
{
	struct digest_ent *d;
	size_t i;

	for (i = 0; i < m->n_keys; i++)
		if (m->keys[i].key.ifindex == ev->ifindex && m->keys[i].key.reason == ev->reason)
			return &m->keys[i];
	if (m->n_keys == MAX_KEYS)
		return NULL;
	d = &m->keys[m->n_keys++];
	memset(d, 0, sizeof(*d));
	d->key.ifindex = ev->ifindex;
	d->key.reason = ev->reason;
	d->base = ev->suppressed;	/* those before this monitor are not its to report */
	return d;
}

static void on_event(void *arg, const struct vg_event *ev, const uint8_t *frame)
{
	struct monitor *m = arg;
	const struct iface_id *it = iface_of(m, ev->ifindex);
	char ifname[IF_NAMESIZE + 8], when[48], sum[256];
	struct vg_event_fields f;
	struct digest_ent *d;

	if (it)
		snprintf(ifname, sizeof(ifname), "%s", it->name);
	else
		snprintf(ifname, sizeof(ifname), "if%u", ev->ifindex);
	if (!wanted(m, ifname))
		return;
	vg_event_decode(ev, frame, ev->cap_len, &f);
	summary(&f, sum, sizeof(sum));
	if (!m->a->syslog) {
		event_time(m, ev->time_ns, when, sizeof(when));
		if (m->out->json)
			print_json(m, ev, ifname, it, &f, when);
		else
			print_text(ev, ifname, it, sum, when);
		return;
	}
	d = digest_key(m, ev);
	if (!d) {
		m->unfollowed++;
		return;
	}
	if (!d->events)
		snprintf(d->example, sizeof(d->example), "%s", sum);
	d->events++;
	d->audit = ev->flags & VG_EVENT_F_AUDIT;
	d->learn = ev->flags & VG_EVENT_F_LEARN;
}

/* ---- the digest -------------------------------------------------------------- */

static void digest_line(struct monitor *m, struct digest_ent *d, uint64_t n)
{
	const struct iface_id *it = iface_of(m, d->key.ifindex);
	char vm[VG_VM_NAMELEN + 16] = "";

	if (it && it->id.xen)
		snprintf(vm, sizeof(vm), " (vm %s)", it->id.vm_name[0] ? it->id.vm_name :
			 it->id.vm_uuid[0] ? it->id.vm_uuid : "?");
	vg_out_log(LOG_WARNING, false, "%s%s: %llu frames %s (%s, e.g. %s)",
		   it ? it->name : "(gone)", vm, (unsigned long long)n,
		   d->learn ? "delivered, learning from them refused" :
		   d->audit ? "would have been dropped (audit mode: passed)" : "dropped",
		   vg_reason_name(d->key.reason), d->example[0] ? d->example : "none seen");
}

/* Per (interface, reason): the events received and those suppressed
 * since the last digest.  The example is the interval's first event. */
static void digest_flush(struct monitor *m)
{
	int fd = vg_events_limit_fd(m->follow.ev);
	uint64_t now, n;
	size_t i;

	for (i = 0; i < m->n_keys; i++) {
		struct digest_ent *d = &m->keys[i];

		now = vg_events_suppressed(fd, &d->key);
		n = d->events + (now > d->base ? now - d->base : 0);
		if (now > d->base)
			d->base = now;
		if (n)
			digest_line(m, d, n);
		d->events = 0;
		d->example[0] = '\0';
	}
	if (m->unfollowed)
		vg_out_log(LOG_WARNING, false, "%llu events of further interfaces and reasons "
			   "not in this digest", (unsigned long long)m->unfollowed);
	m->unfollowed = 0;
}

/* ---- the command --------------------------------------------------------------- */

static volatile sig_atomic_t monitor_stop;

static void monitor_signal(int sig)
{
	(void)sig;
	monitor_stop = 1;
}

/* A notice about the state: to syslog with --syslog, else to stderr. */
static void notice(const struct monitor *m, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void notice(const struct monitor *m, int prio, const char *fmt, ...)
{
	char msg[VG_ERRLEN + 512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (m->a->syslog)
		vg_out_log(prio, false, "%s", msg);
	else
		fprintf(stderr, "vifguard: %s\n", msg);
}

/*
 * One try at reading the root's events: 0 once read (and the limit set,
 * when given), 1 to wait and try again (--wait: nothing attached
 * yet, or another monitor reads them), -1 with the error said.
 */
static int start(struct monitor *m)
{
	char err[VG_ERRLEN + 256];
	pid_t holder;
	int ret;

	ret = vg_follow_open(&m->follow, vg_cli_ctx(), on_event, m, &holder, err, sizeof(err));
	if ((ret == -ENOENT || ret == -EAGAIN) && m->a->wait) {
		if (ret != m->waiting)
			notice(m, LOG_INFO, "waiting: %s", err);
		m->waiting = ret;
		return 1;
	}
	if (!ret && vg_follow_set_limit(m->out, m->a->cost_ns, m->a->burst))
		ret = -EINVAL;	/* said */
	else if (ret)
		vg_out_err(m->out, ret == -EAGAIN ? VG_E_BUSY : vg_errcode_of(ret), "%s", err);
	if (ret)
		return -1;
	m->waiting = 0;
	clock_gettime(CLOCK_MONOTONIC, &m->mono0);
	clock_gettime(CLOCK_REALTIME, &m->real0);
	if (m->a->syslog)
		vg_out_log(LOG_INFO, false, "monitoring drops on %s: a digest every %ld s",
			   vg_root(), m->a->interval);
	return 0;
}

/*
 * The reader's map is no longer the root's: what it had goes into a
 * last digest, and the monitor ends (-1) or, with --wait, goes back to
 * waiting for the root (0).
 */
static int lost_root(struct monitor *m, int why)
{
	const char *what = why == -ESTALE ? "was made again" : "was removed";

	vg_events_poll(m->follow.ev, 0);
	if (m->a->syslog)
		digest_flush(m);
	m->lost += vg_events_lost(m->follow.ev);
	vg_follow_drop(&m->follow);
	m->n_keys = 0;	/* the buckets went with the old maps */
	if (!m->a->wait) {
		vg_out_err(m->out, VG_E_NOT_FOUND, "the state under %s %s: monitor ended "
			   "(--wait follows it)", vg_root(), what);
		return -1;
	}
	notice(m, LOG_INFO, "the state under %s %s: waiting for its events", vg_root(), what);
	m->waiting = -ENOENT;
	return 0;
}

/* Until a signal, or an error (-1, said). */
static int stream(struct monitor *m)
{
	struct timespec t, next, check = { 0, 0 };
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &next);
	next.tv_sec += m->a->interval;
	while (!monitor_stop) {
		if (!m->follow.ev) {
			ret = start(m);
			if (ret < 0)
				return -1;
			if (ret > 0) {
				/* Interrupted by the signal that ends it. */
				nanosleep(&(struct timespec){ 1, 0 }, NULL);
				continue;
			}
		}
		/* A signal between the check and the wait is seen at the
		 * next wake-up, a quarter second later at most. */
		ret = vg_events_poll(m->follow.ev, 250);
		if (ret && ret != -EINTR) {
			vg_out_err(m->out, VG_E_KERNEL, "cannot read events: %s", strerror(-ret));
			return -1;
		}
		fflush(stdout);
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (m->a->syslog && t.tv_sec >= next.tv_sec) {
			digest_flush(m);
			next.tv_sec = t.tv_sec + m->a->interval;
		}
		if (t.tv_sec != check.tv_sec) {	/* once a second */
			check = t;
			ret = vg_follow_check(&m->follow);
			if (ret && lost_root(m, ret))
				return -1;
		}
	}
	return 0;
}

int vg_cmd_monitor(struct vg_out *out, void *opts)
{
	struct monitor m = { .out = out, .a = opts };
	struct vg_stop_signals sig;
	int ret;

	m.keys = calloc(MAX_KEYS, sizeof(*m.keys));
	if (!m.keys) {
		vg_out_err(out, VG_E_INTERNAL, "monitor: %s", strerror(ENOMEM));
		return EXIT_FAILURE;
	}
	vg_follow_init(&m.follow, vg_root());
	monitor_stop = 0;
	vg_stop_signals_catch(&sig, monitor_signal);	/* the wait ends */
	vg_list_xs_open(&m.xs);
	ret = stream(&m);
	if (m.follow.ev) {
		/* What came before the signal, then the last digest. */
		vg_events_poll(m.follow.ev, 0);
		if (m.a->syslog)
			digest_flush(&m);
		m.lost += vg_events_lost(m.follow.ev);
	}
	if (m.lost)
		vg_out_log(LOG_WARNING, !out->json, "%llu events lost: the buffers were full",
			   (unsigned long long)m.lost);
	fflush(stdout);
	vg_follow_close(&m.follow);
	vg_list_xs_close(&m.xs);
	vg_stop_signals_restore(&sig);
	free(m.ids);
	free(m.keys);
	return ret ? EXIT_FAILURE : EXIT_SUCCESS;
}
