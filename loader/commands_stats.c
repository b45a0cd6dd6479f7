// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * stats: the counters the state library lists, as a table, per reason
 * (-v, or one IFACE) or JSON; and stats --watch, what each interval
 * added, with its rates, until SIGINT or SIGTERM.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_list.h"
#include "json.h"
#include "sanitize.h"

/* from: VG_PASS for an interface, VG_DROPS_FROM for the counters of no
 * interface (orphans, totals), which count drops only. */
#define VG_DROPS_FROM (VG_PASS + 1)

static void counters_json(struct vg_json *j, const struct vg_stats *s, int from)
{
	int r;

	vg_json_object_start(j);
	for (r = from; r < VG_REASON_MAX; r++)
		vg_json_kv_uint(j, vg_reason_key(r), s->pkts[r]);
	vg_json_object_end(j);
}

static void counters_text(const struct vg_stats *s, int from)
{
	int r;

	for (r = from; r < VG_REASON_MAX; r++)
		if (r == VG_PASS || s->pkts[r])
			printf("  %-22s %llu\n", vg_reason_name(r),
			       (unsigned long long)s->pkts[r]);
}

static void suppressed_text(const struct vg_stats *s)
{
	int r;

	for (r = 0; r < VG_REASON_MAX; r++)
		if (s->pkts[r])
			printf("  events suppressed (%s) %llu\n", vg_reason_name(r),
			       (unsigned long long)s->pkts[r]);
}

/* One interface's counters s; with secs > 0 (an interval of --watch),
 * its rates too. */
static void stats_json(struct vg_json *j, const struct vg_iface *it, const struct vg_ident *id,
		       const struct vg_stats *s, double secs)
{
	char nbuf[IF_NAMESIZE];

	vg_json_object_start(j);
	vg_json_kv_string(j, "ifname", vg_list_name(it, nbuf));
	vg_json_kv_uint(j, "ifindex", it->ifindex);
	vg_json_kv_bool(j, "present", it->present);
	vg_json_kv_string(j, "mode", vg_mode_name(it->pol.mode));
	vg_list_ident_json(j, it, id);
	vg_json_kv_uint(j, "passed", s->pkts[VG_PASS]);
	vg_json_kv_uint(j, "dropped", vg_list_drops(s));
	if (secs > 0) {
		vg_json_name(j, "passed_per_s");
		vg_json_double(j, (double)s->pkts[VG_PASS] / secs);
		vg_json_name(j, "dropped_per_s");
		vg_json_double(j, (double)vg_list_drops(s) / secs);
	}
	vg_json_name(j, "counters");
	counters_json(j, s, VG_PASS);
	if (secs <= 0) {
		/* The drop events the rate limit held back, by reason. */
		vg_json_name(j, "suppressed_events");
		counters_json(j, &it->suppressed, VG_DROPS_FROM);
	}
	vg_json_object_end(j);
}

/* Orphans and totals: only for the whole host, not one IFACE or VM. */
static bool whole_host(const struct listing *l)
{
	return !l->a->ifname && !l->a->vm;
}

static void list_json(struct vg_json *j, const struct listing *l)
{
	size_t i;

	vg_json_object_start(j);
	vg_list_json_head(j, l);
	vg_json_name(j, "interfaces");
	vg_json_array_start(j);
	for (i = 0; i < l->n; i++)
		stats_json(j, &l->v[i], &l->id[i], &l->v[i].stats, 0);
	vg_json_array_end(j);
	vg_list_unmanaged_json(j, l);
	if (whole_host(l)) {
		vg_json_name(j, "orphans");
		counters_json(j, &l->orph, VG_DROPS_FROM);
		vg_json_name(j, "totals");
		counters_json(j, &l->tot, VG_DROPS_FROM);
		vg_json_kv_bool(j, "drop_counters_full", l->drops_full);
	}
	vg_json_object_end(j);
}

/* One interface's counters s (its own, or an interval's), per reason. */
static void stats_text(const struct vg_iface *it, const struct vg_ident *id,
		       const struct vg_stats *s)
{
	char name[4 * IF_NAMESIZE], nbuf[IF_NAMESIZE], dom[16], vm[VG_TABLE_CELL];

	printf("%s: ifindex %u%s%s, %llu passed, %llu dropped",
	       vg_escape_text(name, sizeof(name), vg_list_name(it, nbuf)), it->ifindex,
	       it->present ? "" : ", device ", it->present ? "" : vg_list_device_state(it),
	       (unsigned long long)s->pkts[VG_PASS], vg_list_drops(s));
	vg_list_dom_vm(id, dom, sizeof(dom), vm, sizeof(vm));
	if (id->xen)
		printf(" (domain %s, VM %s)", dom, vm);
	putchar('\n');
	counters_text(s, VG_PASS);
	if (s == &it->stats)
		suppressed_text(&it->suppressed);
}

static const char *const stats_heads[] = {
	"IFACE", "DOM", "VM", "MODE", "PASSED", "DROPPED", "TOP REASON", NULL,
};

static const char *const watch_heads[] = {
	"IFACE", "DOM", "VM", "MODE", "PASSED", "DROPPED", "PASS/S", "DROP/S", "TOP REASON",
	NULL,
};

/* A row of the table: counters s, and with secs > 0 their rates. */
static void stats_row(struct vg_table *t, const struct vg_iface *it, const struct vg_ident *id,
		      const struct vg_stats *s, double secs)
{
	char (*r)[VG_TABLE_CELL] = vg_table_row(t), nbuf[IF_NAMESIZE];
	unsigned long long drops = vg_list_drops(s);
	int top = vg_list_top_reason(s), c = 6;

	if (!r)
		return;
	vg_escape_text(r[0], VG_TABLE_CELL, vg_list_name(it, nbuf));
	vg_list_dom_vm(id, r[1], VG_TABLE_CELL, r[2], VG_TABLE_CELL);
	snprintf(r[3], VG_TABLE_CELL, "%s%s", vg_list_mode(it),
		 it->present ? "" : " (gone)");
	snprintf(r[4], VG_TABLE_CELL, "%llu", (unsigned long long)s->pkts[VG_PASS]);
	snprintf(r[5], VG_TABLE_CELL, "%llu", drops);
	if (secs > 0) {
		snprintf(r[c++], VG_TABLE_CELL, "%.1f", (double)s->pkts[VG_PASS] / secs);
		snprintf(r[c++], VG_TABLE_CELL, "%.1f", (double)drops / secs);
	}
	if (top == VG_PASS)
		snprintf(r[c], VG_TABLE_CELL, "-");
	else
		snprintf(r[c], VG_TABLE_CELL, "%s (%llu)", vg_reason_name(top),
			 (unsigned long long)s->pkts[top]);
}

/* After the interfaces of the whole host: orphans and totals. */
static void host_text(const struct listing *l, bool verbose)
{
	printf("orphans (interfaces with the program and no policy): %llu dropped\n",
	       (unsigned long long)l->orph.pkts[VG_NO_POLICY]);
	printf("totals (this host, since the maps were created): %llu dropped\n",
	       vg_list_drops(&l->tot));
	if (verbose)
		counters_text(&l->tot, VG_PASS + 1);
	if (l->drops_full)
		printf("warning: the per-interface drop counters are full (%u); "
		       "new ones are counted in the totals only\n", VG_MAX_DROP_COUNTERS);
}

static void list_text(const struct listing *l)
{
	bool verbose = l->a->verbose || l->a->ifname;
	struct vg_table t;
	size_t i;

	if (!l->n && !l->nfound)
		printf("%s\n", l->a->ifname ? "not attached" : "no interfaces attached");
	if (l->n && !verbose)
		vg_table_init(&t, stats_heads);
	for (i = 0; i < l->n; i++) {
		if (verbose)
			stats_text(&l->v[i], &l->id[i], &l->v[i].stats);
		else
			stats_row(&t, &l->v[i], &l->id[i], &l->v[i].stats, 0);
	}
	if (l->n && !verbose)
		vg_table_print(&t);
	vg_list_unmanaged_text(l);
	if (whole_host(l))
		host_text(l, verbose);
}

/* ---- stats --watch ------------------------------------------------------------- */

static volatile sig_atomic_t watch_stop;

static void watch_signal(int sig)
{
	(void)sig;
	watch_stop = 1;
}

/* What it counted since prev, a listing read before; all of it when
 * prev does not have it, or has it with another counter slot or with
 * more (detached and attached again in between). */
static void delta(const struct vg_iface *it, const struct listing *prev, struct vg_stats *d)
{
	const struct vg_iface *p = NULL;
	size_t i;
	int r;

	*d = it->stats;
	for (i = 0; i < prev->n && !p; i++)
		if (prev->v[i].ifindex == it->ifindex && prev->v[i].pol.slot == it->pol.slot)
			p = &prev->v[i];
	if (!p)
		return;
	for (r = 0; r < VG_REASON_MAX; r++)
		if (p->stats.pkts[r] > it->stats.pkts[r])
			return;
	for (r = 0; r < VG_REASON_MAX; r++)
		d->pkts[r] -= p->stats.pkts[r];
}

static void watch_print(struct vg_out *out, const struct listing *prev,
			const struct listing *cur)
{
	bool verbose = cur->a->verbose;
	double secs = (double)(cur->mono.tv_sec - prev->mono.tv_sec) +
		      (double)(cur->mono.tv_nsec - prev->mono.tv_nsec) / 1e9;
	struct vg_json *j = NULL;
	struct vg_stats d;
	struct vg_table t;
	char when[32];
	struct tm tm;
	size_t i;

	if (secs <= 0)
		secs = 1e-9;
	if (out->json) {
		j = vg_out_json_at(out, &cur->real);
		vg_json_object_start(j);
		vg_list_json_head(j, cur);
		vg_json_name(j, "interval_s");
		vg_json_double(j, secs);
		vg_json_name(j, "interfaces");
		vg_json_array_start(j);
	} else {
		gmtime_r(&cur->real.tv_sec, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		printf("%s, the last %.2f s:\n", when, secs);
		if (!verbose)
			vg_table_init(&t, watch_heads);
	}
	for (i = 0; i < cur->n; i++) {
		delta(&cur->v[i], prev, &d);
		if (j)
			stats_json(j, &cur->v[i], &cur->id[i], &d, secs);
		else if (verbose)
			stats_text(&cur->v[i], &cur->id[i], &d);
		else
			stats_row(&t, &cur->v[i], &cur->id[i], &d, secs);
	}
	if (j) {
		vg_json_array_end(j);
		vg_json_object_end(j);
	} else {
		if (!verbose)
			vg_table_print(&t);
		putchar('\n');
	}
	fflush(stdout);
}

/* Sleeps secs, or less when a signal stops the watch. */
static void watch_sleep(double secs)
{
	struct timespec ts = { (time_t)secs, (long)((secs - (double)(time_t)secs) * 1e9) };

	while (!watch_stop && nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int watch(struct vg_out *out, struct vg_list_xs *x, const struct vg_list_args *a)
{
	struct listing prev = { .a = a };
	struct vg_stop_signals sig;
	int ret = EXIT_SUCCESS;

	watch_stop = 0;
	vg_stop_signals_catch(&sig, watch_signal);	/* the sleep ends */
	if (vg_list_read(out, x, &prev))
		ret = EXIT_FAILURE;
	while (ret == EXIT_SUCCESS && !watch_stop) {
		struct listing cur = { .a = a };

		watch_sleep(a->interval > 0 ? a->interval : 1);
		if (watch_stop)
			break;
		if (vg_list_read(out, x, &cur)) {
			ret = EXIT_FAILURE;
			break;
		}
		watch_print(out, &prev, &cur);
		vg_list_free(&prev);
		prev = cur;
	}
	vg_list_free(&prev);
	vg_stop_signals_restore(&sig);
	return ret;
}

int vg_cmd_stats(struct vg_out *out, void *opts)
{
	struct listing l = { .a = opts };
	struct vg_list_xs x;
	int ret;

	if (l.a->watch) {
		vg_list_xs_open(&x);
		ret = watch(out, &x, l.a);
		vg_list_xs_close(&x);
		return ret;
	}
	if (vg_list_read_once(out, &l))
		return EXIT_FAILURE;
	if (out->json)
		list_json(vg_out_json_at(out, &l.real), &l);
	else
		list_text(&l);
	vg_list_free(&l);
	return EXIT_SUCCESS;
}
