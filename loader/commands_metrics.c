// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * metrics: the counters stats reads (commands_list.c), in Prometheus'
 * text exposition format, on stdout or written atomically into a file
 * for node_exporter's textfile collector.
 *
 * The collector reads every *.prom file of its directory at each scrape:
 * the text is made in memory, written to a hidden temporary file of the
 * same directory (not *.prom, so never read half-written), synced and
 * renamed over FILE.  Whatever fails before the rename leaves the file
 * that was there.  No sample carries a timestamp (the collector refuses
 * them); vifguard_metrics_generated_seconds says when it was read.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cli_list.h"
#include "json.h"

struct metrics_args {
	const char *output;
};

static const struct vg_opt metrics_opts[] = {
	{ "output", 'o', "FILE", VG_OPT_STRING, offsetof(struct metrics_args, output), NULL,
	  "write FILE instead (mode 0644), replacing it atomically;\n"
	  "on any error the file that was there stays" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

const struct vg_args vg_args_metrics = {
	.size = sizeof(struct metrics_args), .opts = metrics_opts,
};

const char vg_help_metrics[] =
"Usage: vifguard metrics [-o FILE]\n"
"\n"
"The counters of every interface with a policy, the orphans' drops, the\n"
"host's totals and the state of the drop counters in Prometheus' text\n"
"exposition format, for node_exporter's textfile collector (see\n"
"vifguard-metrics.timer).  Labels: interface, ifindex, and from xenstore\n"
"domid, vm_uuid, vm_name and vif_uuid when known (left out otherwise);\n"
"reason on the drops.  A root without vifguard's program is an error,\n"
"never a file of zeros.  Under -j: how many series and where they went,\n"
"or the text itself as \"text\".\n";

/* ---- the exposition format ------------------------------------------------------ */

/* The length of the valid UTF-8 sequence at s, 0 if it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (*s < 0x80)
		return 1;
	if (*s >= 0xc2 && *s <= 0xdf)
		n = 2;
	else if (*s >= 0xe0 && *s <= 0xef)
		n = 3;
	else if (*s >= 0xf0 && *s <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* overlong forms, UTF-16 surrogates, above U+10FFFF */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return n;
}

/* A label value: '\\', '"' and newline escaped as the format says; a
 * byte that is no UTF-8 (a name comes from the toolstack or the kernel,
 * not from us) becomes U+FFFD, which Prometheus accepts. */
static void label_value(FILE *f, const char *v)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t n;

	while (*s) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else if ((n = utf8_len(s)) > 0) {
			fwrite(s, 1, n, f);
			s += n;
			continue;
		} else
			fputs("\xef\xbf\xbd", f);
		s++;
	}
}

/* name="value", after a comma unless first; an empty value is left out
 * (Prometheus takes an empty label for an absent one). */
static void label(FILE *f, bool *first, const char *name, const char *v)
{
	if (!*v)
		return;
	fprintf(f, "%s%s=\"", *first ? "" : ",", name);
	label_value(f, v);
	fputc('"', f);
	*first = false;
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The labels that name interface i, without the braces. */
static void iface_labels(FILE *f, const struct listing *l, size_t i)
{
	const struct vg_ident *id = &l->id[i];
	char nbuf[IF_NAMESIZE], num[16];
	bool first = true;

	label(f, &first, "interface", vg_list_name(&l->v[i], nbuf));
	snprintf(num, sizeof(num), "%u", l->v[i].ifindex);
	label(f, &first, "ifindex", num);
	snprintf(num, sizeof(num), "%u", id->domid);
	label(f, &first, "domid", id->xen ? num : "");
	label(f, &first, "vm_uuid", id->vm_uuid);
	label(f, &first, "vm_name", id->vm_name);
	label(f, &first, "vif_uuid", id->vif_uuid);
}

/* One sample of interface i: NAME{LABELS[,EXTRA="v"]} VALUE. */
static void iface_sample(FILE *f, const struct listing *l, size_t i, const char *name,
			 const char *extra, const char *v, unsigned long long value)
{
	bool first = false;

	fprintf(f, "%s{", name);
	iface_labels(f, l, i);
	if (extra)
		label(f, &first, extra, v);
	fprintf(f, "} %llu\n", value);
}

/* The host's gauges; returns the number of series. */
static size_t host_gauges(FILE *f, const struct listing *l)
{
	size_t i, orphans = 0;

	for (i = 0; i < l->nfound; i++)
		orphans += l->found[i].ours && !l->found[i].has_policy;
	family(f, "vifguard_metrics_generated_seconds", "gauge",
	       "When vifguard metrics read the counters, in seconds since the epoch.");
	fprintf(f, "vifguard_metrics_generated_seconds %lld.%03ld\n",
		(long long)l->real.tv_sec, l->real.tv_nsec / 1000000);
	family(f, "vifguard_interfaces", "gauge", "Interfaces with a policy in force.");
	fprintf(f, "vifguard_interfaces %zu\n", l->n);
	family(f, "vifguard_orphan_interfaces", "gauge",
	       "Interfaces with vifguard's program and no policy: they drop every frame.");
	fprintf(f, "vifguard_orphan_interfaces %zu\n", orphans);
	family(f, "vifguard_drop_counters_full", "gauge",
	       "1 when the per-interface drop counters are full: new drops are counted "
	       "in vifguard_host_dropped_frames_total only.");
	fprintf(f, "vifguard_drop_counters_full %d\n", l->drops_full ? 1 : 0);
	return 4;
}

static size_t iface_series(FILE *f, const struct listing *l)
{
	size_t i, n = 0;
	int r;

	family(f, "vifguard_interface_info", "gauge",
	       "1 for each interface with a policy; its mode in the label mode.");
	for (i = 0; i < l->n; i++, n++)
		iface_sample(f, l, i, "vifguard_interface_info", "mode",
			     vg_mode_name(l->v[i].pol.mode), 1);
	family(f, "vifguard_passed_frames_total", "counter",
	       "Frames the filter let through, per interface.");
	for (i = 0; i < l->n; i++, n++)
		iface_sample(f, l, i, "vifguard_passed_frames_total", NULL, NULL,
			     l->v[i].stats.pkts[VG_PASS]);
	family(f, "vifguard_dropped_frames_total", "counter",
	       "Frames the filter dropped, per interface and reason.");
	for (i = 0; i < l->n; i++)
		for (r = 0; r < VG_REASON_MAX; r++) {
			if (r == VG_PASS)
				continue;
			iface_sample(f, l, i, "vifguard_dropped_frames_total", "reason",
				     vg_reason_name(r), l->v[i].stats.pkts[r]);
			n++;
		}
	return n;
}

static size_t host_counters(FILE *f, const struct listing *l)
{
	size_t n = 1;
	int r;

	family(f, "vifguard_orphan_dropped_frames_total", "counter",
	       "Frames dropped on interfaces with vifguard's program and no policy.");
	fprintf(f, "vifguard_orphan_dropped_frames_total %llu\n",
		(unsigned long long)l->orph.pkts[VG_NO_POLICY]);
	family(f, "vifguard_host_dropped_frames_total", "counter",
	       "Frames dropped on this host since the maps were created, per reason, "
	       "with those of orphans, of interfaces detached since and of no drop counter.");
	for (r = 0; r < VG_REASON_MAX; r++) {
		if (r == VG_PASS)
			continue;
		fprintf(f, "vifguard_host_dropped_frames_total{reason=\"%s\"} %llu\n",
			vg_reason_name(r), (unsigned long long)l->tot.pkts[r]);
		n++;
	}
	return n;
}

/* The whole exposition of l into a buffer: 0, or -errno. */
static int expose(const struct listing *l, char **text, size_t *len, size_t *series)
{
	FILE *f = open_memstream(text, len);
	int err;

	if (!f)
		return -errno;
	*series = host_gauges(f, l);
	*series += iface_series(f, l);
	*series += host_counters(f, l);
	err = ferror(f) ? -ENOMEM : 0;
	if (fclose(f) && !err)
		err = -ENOMEM;
	return err;
}

/* ---- the file ----------------------------------------------------------------- */

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* The directory of path and ".BASE.XXXXXX" in it, for mkstemp. */
static int temp_name(const char *path, char *dir, char *tmp, size_t len)
{
	char a[PATH_MAX], b[PATH_MAX];

	if (snprintf(a, sizeof(a), "%s", path) >= (int)sizeof(a) ||
	    snprintf(b, sizeof(b), "%s", path) >= (int)sizeof(b))
		return -ENAMETOOLONG;
	snprintf(dir, len, "%s", dirname(a));
	if (snprintf(tmp, len, "%s/.%s.XXXXXX", dir, basename(b)) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

/* text into path: a temporary file of the same directory, mode 0644,
 * synced, renamed over path, the directory synced.  0 or -errno, with
 * what failed in *what.  The directory may belong to node_exporter's
 * user: mkostemp() creates with O_EXCL and rename() replaces a link
 * rather than following it, so nothing it leaves there is written to. */
static int write_atomic(const char *path, const char *text, size_t len, const char **what)
{
	char dir[PATH_MAX], tmp[PATH_MAX];
	int fd, dfd, err;

	*what = "cannot name a temporary file";
	if ((err = temp_name(path, dir, tmp, sizeof(tmp))))
		return err;
	*what = "cannot create a temporary file in its directory";
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*what = "cannot write a temporary file in its directory";
	err = fchmod(fd, 0644) ? -errno : write_all(fd, text, len);
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path)) {
		*what = "cannot rename the temporary file over it";
		err = -errno;
	}
	if (err) {
		unlink(tmp);
		return err;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);	/* the rename made durable; it is done either way */
		close(dfd);
	}
	return 0;
}

/* ---- the command ----------------------------------------------------------------- */

static void result_json(struct vg_out *out, const char *output, const char *text,
			size_t series)
{
	struct vg_json *j = vg_out_json(out);

	vg_json_object_start(j);
	vg_json_kv_string_or_null(j, "output", output ? output : "");
	vg_json_kv_uint(j, "series", series);
	if (!output)
		vg_json_kv_string(j, "text", text);
	vg_json_object_end(j);
}

int vg_cmd_metrics(struct vg_out *out, void *opts)
{
	static const struct vg_list_args all;	/* the whole host */
	const struct metrics_args *a = opts;
	struct listing l = { .a = &all };
	const char *what = NULL;
	size_t len = 0, series = 0;
	char *text = NULL;
	int err;

	if (vg_list_read_once(out, &l))
		return EXIT_FAILURE;
	err = expose(&l, &text, &len, &series);
	vg_list_free(&l);
	if (!err && a->output)
		err = write_atomic(a->output, text, len, &what);
	if (err) {
		vg_out_err(out, vg_errcode_of(err), "%s%s%s: %s",
			   a->output ? a->output : "metrics", what ? ": " : "", what ? what : "",
			   strerror(-err));
		free(text);
		return EXIT_FAILURE;
	}
	if (out->json)
		result_json(out, a->output, text, series);
	else if (!a->output)
		fwrite(text, 1, len, stdout);
	free(text);
	return EXIT_SUCCESS;
}
