// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * vifguard sync (every guest device xenstore knows, decided and applied
 * again) and vifguard release (an interface handed back from the
 * operator's policy to its sources), with the walk over the backend
 * directories that both use.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>

#include "cli.h"
#include "hotplug.h"
#include "hotplug_int.h"
#include "ident.h"
#include "json.h"
#include "sanitize.h"

/* ---- guest devices in xenstore --------------------------------------------- */

static const char backend_dir[] = "/local/domain/0/backend/vif";

/* Called for each name a guest device may have; non-zero stops the walk. */
typedef int (*vif_name_fn)(struct hp_ctx *c, unsigned int domid, unsigned int devid,
			   const char *ifname, void *arg);

struct vif_walk {
	struct hp_ctx *c;
	vif_name_fn fn;
	void *arg;
	unsigned int *bad;
};

static int walk_name(void *arg, unsigned int domid, unsigned int devid, const char *ifname)
{
	struct vif_walk *w = arg;

	return w->fn(w->c, domid, devid, ifname, w->arg);
}

static void walk_bad(void *arg, const char *path, const char *value)
{
	struct vif_walk *w = arg;

	if (!w->bad)
		return;
	/* stderr, not say(): under -j stdout is one array. */
	warn_closed("%s: '%s': not a valid interface name, ignored", path, value);
	(*w->bad)++;
}

/*
 * Calls fn for every name the guest devices of the backend directories
 * may have on this host (vg_vif_walk()).  A vifname= that is not a valid
 * interface name is replaced by vifD.N and, when bad is not NULL, said
 * on stderr and syslog (stdout may be one JSON array) and counted there.
 * Returns the number of devices.
 */
static unsigned int for_each_vif_name(struct hp_ctx *c, vif_name_fn fn, void *arg,
				      unsigned int *bad)
{
	struct vif_walk w = { c, fn, arg, bad };

	return vg_vif_walk(&c->xs, walk_name, walk_bad, &w);
}

/* The policy in force on ifname, read under a shared lock (dry runs):
 * true when there is one, in *pol. */
static bool policy_in_force(const char *ifname, struct vg_policy *pol)
{
	char err[VG_ERRLEN];
	struct vg_state st;
	uint32_t ifindex = if_nametoindex(ifname);
	bool held;

	if (!ifindex || vg_state_open(&st, vg_cli_ctx(), VG_STATE_READ, err, sizeof(err)))
		return false;
	held = vg_state_policy_live(&st, ifindex, pol) == 0;
	vg_state_close(&st);
	return held;
}

/* ---- sync ---------------------------------------------------------------- */

/* One guest interface of a sync: what its sources decide, what came of it. */
struct sync_vif {
	char ifname[IF_NAMESIZE];
	struct vg_resolution res;
	struct vg_spec spec;	/* res.spec, with its source recorded */
	int cret;		/* hp_resolve()'s */
	int ret;
	char cerr[VG_ERRLEN];	/* the state library's error, when ret */
	struct hp_owner own;
	struct vg_resume resume;	/* its identity's, when known */
};

struct sync_walk {
	bool dry;
	unsigned int failed;
	struct sync_vif *v;
	size_t n, cap;
};

/* Every present guest interface, decided (xenstore is read before the
 * state is locked). */
static int sync_name(struct hp_ctx *c, unsigned int domid, unsigned int devid,
		     const char *ifname, void *arg)
{
	struct vg_vif vif = { .domid = domid, .devid = devid };
	struct sync_walk *w = arg;
	struct sync_vif *v;

	if (!hp_netdev_exists(ifname))
		return 0;
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 64;

		v = realloc(w->v, cap * sizeof(*v));
		if (!v) {
			vg_out_errlog(c->out, VG_E_INTERNAL, "%s: %s", ifname, strerror(ENOMEM));
			w->failed++;
			return 0;
		}
		w->v = v;
		w->cap = cap;
	}
	v = &w->v[w->n++];
	memset(v, 0, sizeof(*v));
	snprintf(v->ifname, sizeof(v->ifname), "%s", ifname);
	v->cret = hp_resolve(c, &vif, ifname, &v->res);
	v->spec = v->res.spec;
	v->spec.flags = hp_source_flags(&v->res, v->spec.flags);
	return 0;
}

/* The interfaces without a filter decided: detached unless the
 * operator's policy is in force, read under the lock each time (the
 * sweep of a detach lets it go). */
static void sync_detach(struct vg_state *st, struct sync_vif *v, size_t n)
{
	struct vg_detach_result dres;
	uint32_t ifindex;
	size_t i;

	for (i = 0; i < n; i++) {
		struct hp_owner *o = &v[i].own;

		if (v[i].res.decision == VG_DECISION_FILTER)
			continue;
		ifindex = if_nametoindex(v[i].ifname);
		o->had = ifindex && vg_state_policy_live(st, ifindex, &o->pol) == 0;
		o->kept = o->had && (o->pol.flags & VG_F_OPERATOR);
		if (!o->kept)
			v[i].ret = vg_state_detach(st, v[i].ifname, &dres, v[i].cerr,
						   sizeof(v[i].cerr));
	}
}

/* Every decision applied under one exclusive lock of the state: the
 * filters in one batch (one state open, the grace periods shared).  The
 * config file's host settings last: non-zero when they could not be put
 * in force, with the error in herr. */
static int sync_apply(struct sync_vif *v, size_t n, char *herr, size_t herrlen)
{
	struct vg_apply_item *it = calloc(n ? n : 1, sizeof(*it));
	char err[VG_ERRLEN];
	struct vg_state st;
	bool opened = false;
	size_t i, m = 0;
	int ret, hret = 0;

	for (i = 0; it && i < n; i++)
		if (v[i].res.decision == VG_DECISION_FILTER)
			it[m++] = (struct vg_apply_item){
				.spec = &v[i].spec, .keep_operator = true,
				.resume = hp_resume_of(&v[i].res, &v[i].resume) ? &v[i].resume : NULL,
			};
	ret = it ? 0 : -ENOMEM;
	snprintf(err, sizeof(err), "%s", strerror(ENOMEM));
	if (!ret)
		ret = vg_state_open(&st, vg_cli_ctx(), m ? VG_STATE_LOAD : VG_STATE_WRITE,
				    err, sizeof(err));
	opened = !ret;
	if (!ret && (ret = vg_state_apply_many(&st, it, m)))
		snprintf(err, sizeof(err), "%s", strerror(-ret));
	for (i = 0, m = 0; i < n; i++) {
		struct vg_apply_item *t = it ? &it[m] : NULL;

		if (ret) {
			v[i].ret = ret;
			snprintf(v[i].cerr, sizeof(v[i].cerr), "%s", err);
		} else if (v[i].res.decision == VG_DECISION_FILTER) {
			v[i].ret = t->ret;
			snprintf(v[i].cerr, sizeof(v[i].cerr), "%s", t->err);
			v[i].own.had = t->had;
			v[i].own.kept = t->kept;
			v[i].own.pol = t->old;
			if (!t->ret && t->resume)
				hp_resume_said(v[i].ifname, t->resume);
		}
		m += v[i].res.decision == VG_DECISION_FILTER;
	}
	if (!ret)
		sync_detach(&st, v, n);
	/* Every decision read the same file, the first that read it will do. */
	for (i = 0; opened && i < n; i++)
		if (v[i].res.host_cfg) {
			hret = vg_host_settings(&st, v[i].res.host_cfg, herr, herrlen);
			break;
		}
	if (opened)
		vg_state_close(&st);
	free(it);
	return hret;
}

/* The line (or JSON element) of one interface; 0, or non-zero when it
 * counts as failed. */
static int sync_report(struct hp_ctx *c, struct sync_vif *v, bool dry)
{
	char err[VG_ERRLEN + 2 * IF_NAMESIZE + 4];
	const char *ifname = v->ifname;
	struct hp_owner *own = &v->own;
	struct vg_resolution *res = &v->res;
	int ret = 0;

	if (dry) {
		own->had = policy_in_force(ifname, &own->pol);
		own->kept = own->had && (own->pol.flags & VG_F_OPERATOR);
		if (res->failed_closed && own->kept)
			warn_closed("%s: %s; the policy set by vifguard attach would stay in force",
				    ifname, res->reason);
		else if (res->failed_closed)
			warn_closed("%s: %s; would be disabled", ifname, res->reason);
	} else {
		ret = hp_said(ifname, res, own, v->ret, v->cerr, err, sizeof(err));
		/* Removed under the run (a guest shutting down): its
		 * offline and gc remove what is left; nothing to report. */
		if (ret && !hp_netdev_exists(ifname)) {
			note("%s: gone during sync, skipped", ifname);
			return 0;
		}
	}
	if (!ret && own->kept) {
		hp_print_kept(c->out, ifname, &own->pol, dry ? "dry-run" : "keep");
	} else if (!ret) {
		hp_print_result(c->out, ifname, res, dry ? "dry-run" : "apply");
	} else if (c->out->json) {
		/* Under -j every interface is an element of the one
		 * "interfaces" array. */
		struct vg_json *j = &c->out->w;

		vg_json_object_start(j);
		vg_json_kv_string(j, "ifname", ifname);
		vg_json_kv_string(j, "action", "apply");
		vg_json_name(j, "error");
		vg_out_error_json(j, vg_errcode_of(ret), err);
		vg_json_object_end(j);
		vg_out_log(LOG_ERR, false, "%s", err);
	} else {
		vg_out_errlog(c->out, vg_errcode_of(ret), "%s", err);
	}
	/* A kept policy owes nothing to the config file. */
	return ret ? ret : own->kept ? 0 : v->cret;
}

int vg_cmd_sync(struct vg_out *out, void *opts)
{
	const struct vg_sync_args *a = opts;
	struct sync_walk w = { .dry = a->dry_run };
	struct hp_ctx c = { .out = out };
	char herr[VG_ERRLEN + 64];
	unsigned int seen;
	size_t i;
	int hret = 0;

	c.cfgpath = vg_config_path(a->config);
	if (hp_ctx_open(&c, NULL))
		return EXIT_FAILURE;
	if (out->json) {
		vg_json_object_start(vg_out_json(out));
		vg_json_name(&out->w, "interfaces");
		vg_json_array_start(&out->w);
	}
	seen = for_each_vif_name(&c, sync_name, &w, &w.failed);
	if (!w.dry)
		hret = sync_apply(w.v, w.n, herr, sizeof(herr));
	for (i = 0; i < w.n; i++)
		w.failed += sync_report(&c, &w.v[i], w.dry) != 0;
	/* stderr and syslog: under -j stdout is one array. */
	if (hret) {
		vg_out_log(LOG_ERR, true, "%s", herr);
		w.failed++;
	}
	if (out->json) {
		vg_json_array_end(&out->w);
		vg_json_object_end(&out->w);
	}
	hp_ctx_close(&c);
	free(w.v);
	if (!seen && !out->json)
		printf("no guest network devices in %s\n", backend_dir);
	return w.failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* ---- release ------------------------------------------------------------- */

struct find_vif {
	const char *ifname;
	unsigned int domid, devid;
	bool found;
};

static int match_name(struct hp_ctx *c, unsigned int domid, unsigned int devid,
		      const char *ifname, void *arg)
{
	struct find_vif *f = arg;

	(void)c;
	if (strcmp(ifname, f->ifname))
		return 0;
	f->domid = domid;
	f->devid = devid;
	f->found = true;
	return 1;
}

/* One line of release on stdout (text: "IFACE: WHAT: DESC"). */
static void print_release(struct vg_out *out, const char *ifname,
			  const struct vg_resolution *r, const char *what, const char *desc,
			  bool dry)
{
	char ename[4 * IF_NAMESIZE], edesc[4 * (VG_XS_PATHLEN + 128)];

	if (out->json) {
		vg_out_json(out);
		hp_print_result(out, ifname, r, dry ? "dry-run" : "release");
		return;
	}
	printf("%s: %s: %s%s\n", vg_escape_text(ename, sizeof(ename), ifname), what,
	       vg_escape_text(edesc, sizeof(edesc), desc), dry ? " (dry run)" : "");
}

/* The guest device ifname belongs to: the names sync would find it
 * under first (a vifname= rename), then the name itself. */
static int release_vif(struct hp_ctx *c, const char *ifname, struct vg_vif *vif)
{
	struct find_vif f = { .ifname = ifname };

	for_each_vif_name(c, match_name, &f, NULL);
	if (!f.found && vg_ifname_parse(ifname, &f.domid, &f.devid) == 0)
		f.found = true;
	if (!f.found) {
		vg_out_errlog(c->out, VG_E_NOT_FOUND,
			      "%s: cannot release: not a Xen guest interface (no backend "
			      "in xenstore names it); `vifguard detach %s` removes its filter",
			      ifname, ifname);
		return -ENOENT;
	}
	vif->domid = f.domid;
	vif->devid = f.devid;
	return 0;
}

/* What release did, on stdout; EXIT_FAILURE when the filter stays. */
static int release_said(struct hp_ctx *c, const struct vg_release_args *a,
			const struct vg_resolution *res, const struct hp_owner *own)
{
	const char *ifname = a->ifname, *done;
	char desc[VG_XS_PATHLEN + 128];
	bool dry = a->dry_run;

	hp_describe(res, desc, sizeof(desc));
	if (own->kept) {
		/* No source has a policy: the filter is not removed unasked. */
		vg_out_errlog(c->out, VG_E_REFUSED,
			      "%s: not released: %s; its filter (%s, set by %s) stays: "
			      "`vifguard release --detach %s` removes it", ifname, desc,
			      vg_mode_name(own->pol.mode), own->pol.flags & VG_F_OPERATOR ?
			      "vifguard attach" : "its sources", ifname);
		return EXIT_FAILURE;
	}
	done = dry ? "would be released" : "released";
	if (res->decision == VG_DECISION_FILTER) {
		print_release(c->out, ifname, res, done, desc, dry);
	} else if (own->had) {
		strncat(desc, ", filter removed", sizeof(desc) - strlen(desc) - 1);
		print_release(c->out, ifname, res, done, desc, dry);
	} else {
		strncat(desc, ", no filter", sizeof(desc) - strlen(desc) - 1);
		print_release(c->out, ifname, res, "nothing to release", desc, dry);
	}
	if (!dry && (res->decision == VG_DECISION_FILTER || own->had))
		note("%s: released: %s", ifname, desc);
	return EXIT_SUCCESS;
}

int vg_cmd_release(struct vg_out *out, void *opts)
{
	const struct vg_release_args *a = opts;
	const char *ifname = a->ifname;
	struct hp_ctx c = { .out = out };
	struct vg_vif vif = { 0 };
	struct vg_resolution res;
	struct hp_owner own = { 0 };
	char aerr[VG_ERRLEN];
	int ret = 0, cret;

	if (!hp_netdev_exists(ifname)) {
		vg_out_err(out, VG_E_NOT_FOUND, "%s: cannot release: %s", ifname, strerror(ENODEV));
		return EXIT_FAILURE;
	}
	c.cfgpath = vg_config_path(a->config);
	if (hp_ctx_open(&c, ifname))
		return EXIT_FAILURE;
	if (release_vif(&c, ifname, &vif)) {
		hp_ctx_close(&c);
		return EXIT_FAILURE;
	}
	cret = hp_resolve(&c, &vif, ifname, &res);
	if (a->dry_run) {
		own.had = policy_in_force(ifname, &own.pol);
		own.kept = own.had && res.decision != VG_DECISION_FILTER && !a->detach;
	} else {
		ret = hp_apply_owned(ifname, &res, a->detach ? OWN_RELEASE_DETACH : OWN_RELEASE,
				     &own, aerr, sizeof(aerr));
	}
	if (res.failed_closed && !own.kept)
		warn_closed("%s: %s; interface %sdisabled (drops every frame)", ifname,
			    res.reason, a->dry_run ? "would be " : "");
	if (ret) {
		vg_out_errlog(out, vg_errcode_of(ret), "%s: %s", ifname, aerr);
		hp_ctx_close(&c);
		return EXIT_FAILURE;
	}
	ret = release_said(&c, a, &res, &own);
	if (!ret && cret) {
		fflush(stdout);
		vg_out_errlog(out, hp_resolve_code(&res), "%s: %s", ifname,
			      hp_resolve_error(&c, &res));
	}
	hp_ctx_close(&c);
	return ret || cret ? EXIT_FAILURE : EXIT_SUCCESS;
}
