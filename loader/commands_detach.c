// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * detach (one interface, or --all: every policy and orphan of the root)
 * and gc (with --orphans), with their command lines.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <net/if.h>

#include "cli.h"
#include "ident.h"
#include "source.h"
#include "json.h"
#include "sanitize.h"

const char vg_help_detach[] =
"Usage: vifguard detach IFACE\n"
"       vifguard detach --all\n"
"\n"
"Removes the filter from IFACE and every map entry of it, and nothing else:\n"
"the clsact qdisc goes only if vifguard created it and it is empty.  An\n"
"interface that no longer exists loses the entries recorded under its\n"
"name.  Nothing to remove is not an error.  An interface that carries the\n"
"program of another state root is left alone (exit 1).\n"
"\n"
"--all detaches every interface this root filters: each one with a policy,\n"
"and each orphan (the program without a policy).  Exit 1 if any failed.\n";

const char vg_help_gc[] =
"Usage: vifguard gc [--orphans]\n"
"\n"
"Removes the entries of interfaces that no longer exist (or whose index\n"
"now names another interface), stale entries left by interrupted runs,\n"
"and tcx links of vanished devices.  Puts the filter back on a present\n"
"interface whose policy is in force but whose filter went (removed with\n"
"tc, or a run killed between its commit and its attach).\n"
"\n"
"Orphans (interfaces that carry the program without a policy, and so drop\n"
"every frame) are kept and counted: taking their filter off lets their\n"
"frames through unchecked.  --orphans removes it.\n";

/* ---- command lines ------------------------------------------------------ */

static const struct vg_opt detach_opts[] = {
	{ "all", 0, NULL, VG_OPT_FLAG, offsetof(struct vg_detach_args, all), NULL,
	  "every interface this root filters (policies and orphans)" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

static const struct vg_pos detach_pos[] = {
	{ "IFACE", offsetof(struct vg_detach_args, ifname), VG_POS_IFACE | VG_POS_OPTIONAL },
	{ NULL, 0, 0 },
};

static int detach_check(void *o, char *err, size_t errlen)
{
	const struct vg_detach_args *a = o;

	if (!a->all == !a->ifname) {
		snprintf(err, errlen, "detach: %s", a->all ? "IFACE and --all: give one" :
			 "missing IFACE (or --all)");
		return -EINVAL;
	}
	return 0;
}

const struct vg_args vg_args_detach = {
	.size = sizeof(struct vg_detach_args), .opts = detach_opts, .pos = detach_pos,
	.check = detach_check,
};

static const struct vg_opt gc_opts[] = {
	{ "orphans", 0, NULL, VG_OPT_FLAG, offsetof(struct vg_gc_args, orphans), NULL,
	  "also take the filter off orphans (they drop every frame;\n"
	  "without it, their frames pass unchecked)" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

const struct vg_args vg_args_gc = {
	.size = sizeof(struct vg_gc_args), .opts = gc_opts,
};

/* ---- detach -------------------------------------------------------------- */

static void detached_json(struct vg_json *j, const char *ifname,
			  const struct vg_detach_result *res)
{
	vg_json_kv_string(j, "ifname", ifname);
	vg_json_kv_bool(j, "detached", res->filter || res->entries);
	vg_json_kv_bool(j, "filter_removed", res->filter);
	vg_json_kv_uint(j, "entries_removed", res->entries);
}

static void detached_text(const char *ifname, const struct vg_detach_result *res)
{
	char name[4 * IF_NAMESIZE];

	vg_escape_text(name, sizeof(name), ifname);
	if (res->filter || res->entries)
		printf("%s: detached (%s, %u map entries removed)\n", name,
		       res->filter ? "filter removed" : "no filter was on it", res->entries);
	else
		printf("%s: nothing to detach (no filter, no entries)\n", name);
}

/* One interface of detach --all: its name, whether it is an orphan, and
 * what went or why not. */
struct detached {
	char ifname[IF_NAMESIZE];
	uint32_t ifindex;
	bool orphan;
	struct vg_detach_result res;
	int ret;
	char err[VG_ERRLEN];
};

static void detach_all_print(struct vg_out *out, const struct detached *d, size_t n,
			     unsigned int failed)
{
	struct vg_json *j;
	size_t i;

	if (!out->json) {
		for (i = 0; i < n; i++)
			if (d[i].err[0])
				vg_out_err(out, vg_errcode_of(d[i].ret), "%s: %s", d[i].ifname,
					   d[i].err);
			else
				detached_text(d[i].ifname, &d[i].res);
		printf("detach --all: %zu interface(s) detached%s", n - failed,
		       n ? "" : " (nothing attached)");
		if (failed)
			printf(", %u failed", failed);
		putchar('\n');
		return;
	}
	/* Failures are in the one document, next to what went. */
	j = vg_out_json(out);
	vg_json_object_start(j);
	vg_json_name(j, "interfaces");
	vg_json_array_start(j);
	for (i = 0; i < n; i++) {
		vg_json_object_start(j);
		detached_json(j, d[i].ifname, &d[i].res);
		vg_json_kv_uint(j, "ifindex", d[i].ifindex);
		vg_json_kv_bool(j, "orphan", d[i].orphan);
		if (d[i].err[0]) {
			vg_json_name(j, "error");
			vg_out_error_json(j, vg_errcode_of(d[i].ret), d[i].err);
		}
		vg_json_object_end(j);
	}
	vg_json_array_end(j);
	vg_json_kv_uint(j, "detached", n - failed);
	vg_json_kv_uint(j, "failed", failed);
	vg_json_object_end(j);
}

/* Every policy of the root, then every orphan. */
static int detach_all(struct vg_out *out, struct vg_state *st)
{
	struct vg_iface *v = NULL;
	struct vg_found *f = NULL;
	struct detached *d = NULL;
	size_t nv = 0, nf = 0, n = 0, i;
	unsigned int failed = 0;
	char err[VG_ERRLEN];
	int ret;

	ret = vg_state_list(st, NULL, &v, &nv, err, sizeof(err));
	if (!ret)
		ret = vg_state_scan(st, &f, &nf, err, sizeof(err));
	if (ret) {
		vg_out_err(out, vg_errcode_of(ret), "detach --all: %s", err);
		free(v);
		return EXIT_FAILURE;
	}
	d = calloc(nv + nf + 1, sizeof(*d));
	if (!d) {
		vg_out_err(out, VG_E_INTERNAL, "detach --all: %s", strerror(ENOMEM));
		free(v), free(f);
		return EXIT_FAILURE;
	}
	for (i = 0; i < nv; i++, n++) {
		d[n].ifindex = v[i].ifindex;
		snprintf(d[n].ifname, sizeof(d[n].ifname), "%.*s", VG_IFNAMSIZ - 1,
			 v[i].pol.ifname);
	}
	for (i = 0; i < nf; i++) {
		if (!f[i].ours || f[i].has_policy || (n && d[n - 1].ifindex == f[i].ifindex))
			continue;
		d[n].ifindex = f[i].ifindex;
		d[n].orphan = true;
		snprintf(d[n].ifname, sizeof(d[n].ifname), "%s", f[i].ifname);
		n++;
	}
	for (i = 0; i < n; i++)
		if ((d[i].ret = vg_state_detach_index(st, d[i].ifindex, &d[i].res, d[i].err,
						      sizeof(d[i].err))))
			failed++;
	detach_all_print(out, d, n, failed);
	free(d), free(v), free(f);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

void vg_warn_unparked(const char *ifname, unsigned int n)
{
	if (n)
		vg_out_log(LOG_WARNING, true, "%s: %u learned address%s not parked for the VM's "
			   "return: the parked map is full (%u entries); the VM learns %s "
			   "again", ifname, n, n == 1 ? "" : "es", VG_MAX_PARKED,
			   n == 1 ? "it" : "them");
}

/* The state, opened for writing; a failure said, prefixed with what. */
static int open_write(struct vg_out *out, struct vg_state *st, const char *what)
{
	char err[VG_ERRLEN + 64];
	int ret;

	ret = vg_state_open(st, vg_cli_ctx(), VG_STATE_WRITE, err, sizeof(err));
	if (ret)
		vg_out_err(out, vg_errcode_of(ret), "%s%s%s", what ? what : "", what ? ": " : "",
			   err);
	return ret;
}

/* xenstore for the identity of a Xen guest interface that goes, opened
 * at the first one (a host without Xen has none: nothing is parked). */
struct park_xs {
	struct vg_xs xs;
	int open;		/* 0 not tried, 1 open, -1 failed */
};

static int park_of(void *arg, const char *ifname, struct vg_xen_id *id)
{
	struct park_xs *p = arg;
	char err[VG_ERRLEN];
	struct vg_ident ident;

	if (vg_ifname_emulated(ifname))
		return -ENOENT;	/* its PV VIF's leases are the guest's */
	if (!p->open)
		p->open = vg_xs_open(&p->xs, err, sizeof(err)) == 0 ? 1 : -1;
	if (p->open < 0)
		return -ENOENT;
	vg_ident_lookup(&p->xs, &ifname, 1, &ident);
	if (!ident.xen || !ident.vm_uuid[0] || vg_xen_id_vm(id, ident.vm_uuid))
		return -ENOENT;
	id->devid = ident.devid;
	return 0;
}

static void park_xs_close(struct park_xs *p)
{
	if (p->open > 0)
		vg_xs_close(&p->xs);
}

int vg_cmd_detach(struct vg_out *out, void *opts)
{
	const struct vg_detach_args *a = opts;
	const char *what = a->all ? "detach --all" : a->ifname;
	struct park_xs pxs = { .open = 0 };
	struct vg_detach_result res;
	struct vg_state st;
	char err[VG_ERRLEN + 64];
	int ret;

	if (open_write(out, &st, what))
		return EXIT_FAILURE;
	if (a->all) {
		ret = detach_all(out, &st);
		vg_state_close(&st);
		return ret;
	}
	/* A Xen guest interface whose policy came from xenstore: its
	 * leases are parked for its return. */
	st.park_of = park_of;
	st.park_arg = &pxs;
	ret = vg_state_detach(&st, a->ifname, &res, err, sizeof(err));
	vg_warn_unparked(a->ifname, st.unparked);
	vg_state_close(&st);
	park_xs_close(&pxs);
	if (ret) {
		vg_out_err(out, vg_errcode_of(ret), "%s: %s", a->ifname, err);
		return EXIT_FAILURE;
	}
	if (out->json) {
		struct vg_json *j = vg_out_json(out);

		vg_json_object_start(j);
		detached_json(j, a->ifname, &res);
		vg_json_object_end(j);
	} else {
		detached_text(a->ifname, &res);
	}
	return EXIT_SUCCESS;
}

/* ---- gc -------------------------------------------------------------------------- */

static void gc_print(struct vg_out *out, const struct vg_gc_result *res, bool orphans,
		     unsigned int orphans_removed)
{
	if (out->json) {
		struct vg_json *j = vg_out_json(out);

		vg_json_object_start(j);
		vg_json_kv_uint(j, "interfaces_removed", res->ifaces);
		vg_json_kv_uint(j, "entries_removed", res->entries);
		vg_json_kv_uint(j, "renamed", res->renamed);
		vg_json_kv_uint(j, "filters_restored", res->repaired);
		vg_json_kv_uint(j, "orphans_removed", orphans_removed);
		vg_json_kv_uint(j, "orphans_kept", res->orphans);
		vg_json_object_end(j);
		return;
	}
	if (res->ifaces || res->entries || res->renamed || res->repaired) {
		printf("gc: %u interface(s) gone, %u map entries removed", res->ifaces,
		       res->entries);
		if (res->renamed)
			printf(", %u renamed interface(s) updated", res->renamed);
		if (res->repaired)
			printf(", filter put back on %u interface(s)", res->repaired);
		putchar('\n');
	} else if (!orphans_removed && !res->orphans) {
		printf("gc: nothing to remove\n");
	}
	if (orphans)
		printf("gc: filter taken off %u orphan(s)\n", orphans_removed);
	if (res->orphans)
		printf("gc: kept %u orphan(s): the program without a policy, dropping every "
		       "frame (vifguard show names them; gc --orphans removes them)\n",
		       res->orphans);
}

int vg_cmd_gc(struct vg_out *out, void *opts)
{
	const struct vg_gc_args *a = opts;
	unsigned int orphans_removed = 0;
	struct park_xs pxs = { .open = 0 };
	char err[VG_ERRLEN + 64];
	struct vg_gc_result res;
	struct vg_state st;
	int ret = 0;

	if (open_write(out, &st, NULL))
		return EXIT_FAILURE;
	if (a->orphans)
		ret = vg_state_gc_orphans(&st, &orphans_removed, err, sizeof(err));
	st.park_of = park_of;
	st.park_arg = &pxs;
	if (!ret)
		ret = vg_state_gc(&st, &res, err, sizeof(err));
	vg_warn_unparked("gc", st.unparked);
	vg_state_close(&st);
	park_xs_close(&pxs);
	if (ret) {
		vg_out_err(out, vg_errcode_of(ret), "%s", err);
		return EXIT_FAILURE;
	}
	gc_print(out, &res, a->orphans, orphans_removed);
	return EXIT_SUCCESS;
}
