// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * What the Xen entry points share: their context, the decision of a
 * VIF's policy from its sources (source.c) with the config file read
 * only when needed, its application through the state library, and the
 * lines that say what was decided and done.
 *
 * Who owns a policy: a policy set with `vifguard attach` carries
 * VG_F_OPERATOR and is the operator's.  hotplug online/add,
 * setup-vif-rules filter and sync leave it in force, whatever the sources
 * say, and say so: they neither replace it nor remove the filter, so a
 * quarantine set by hand (--mode disabled) is never lifted behind the
 * operator's back.  `vifguard release` hands the interface back: the
 * sources' policy replaces the operator's in one update (the filter never
 * leaves the device), and when no source has one the filter stays unless
 * release is told to --detach.  The check and the change are made under
 * one exclusive lock of the state, so an attach that runs between a
 * decision and its application is not undone either.  offline, remove
 * and clear still detach whatever the owner: the device is going away.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <net/if.h>

#include "cli.h"
#include "hotplug_int.h"
#include "json.h"
#include "sanitize.h"

void hp_port_say(void *arg, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vg_out_errlog(arg, VG_E_KERNEL, "%s", msg);
}

/* ---- shared plumbing ------------------------------------------------------ */

int hp_ctx_open(struct hp_ctx *c, const char *ifname)
{
	char err[VG_ERRLEN + 64];
	int ret;

	/* No config file here: hp_resolve reads it once, after XAPI and
	 * xl have decided, so that an error in it never blocks their
	 * decisions. */
	ret = vg_xs_open(&c->xs, err, sizeof(err));
	if (ret) {
		vg_out_errlog(c->out, VG_E_XENSTORE,
			      "%s%s%s", ifname ? ifname : "", ifname ? ": " : "", err);
		return ret;
	}
	c->xs_open = true;
	return 0;
}

/*
 * vg_resolve, the config file loaded once per command.  What XAPI and xl
 * decide is decided without the file, so that an error in it never
 * blocks their decisions; then its host audit switch applies (a file
 * that cannot be loaded switches nothing: the source's mode stands, the
 * stricter, and a warning says so).  A file that cannot be loaded makes
 * a VIF that XAPI and xl leave undecided fail closed (vg_resolve, from
 * cfg.error) and is returned as -errno: the caller applies that
 * decision, then exits 1, so that a hotplug fails (the guest does not
 * start) and a live change reports the broken file.  The same for
 * xenstore that could not be read, or a key a domain other than dom0
 * can write (res->host_error); a wrong value in a key fails closed with
 * 0 returned.
 */
static int resolve(struct hp_ctx *c, struct vg_vif *vif, const char *ifname,
		   struct vg_resolution *res)
{
	char err[sizeof(c->cfg.errmsg)];

	vg_resolve(&c->xs, NULL, vif, ifname, res);
	if (res->failed_closed)
		return res->host_error;
	if (!c->cfg_loaded) {
		vg_config_load(c->cfgpath, &c->cfg, err, sizeof(err));
		c->cfg_loaded = true;
	}
	if (res->decision != VG_DECISION_UNFILTERED) {
		if (c->cfg.error && res->spec.mode == VG_MODE_LOCKED && !c->cfg_warned) {
			vg_out_log(LOG_WARNING, true, "%s: %s; its host audit switch is not "
				   "applied: policies stay as their sources say", ifname,
				   c->cfg.errmsg);
			c->cfg_warned = true;
		}
		vg_resolve_host_mode(&c->cfg, res);
		res->host_cfg = &c->cfg;
		return 0;
	}
	vg_resolve(&c->xs, &c->cfg, vif, ifname, res);
	res->host_cfg = &c->cfg;
	return res->failed_closed && res->source == VG_SOURCE_CONFIG ? c->cfg.error : 0;
}

int hp_resolve(struct hp_ctx *c, struct vg_vif *vif, const char *ifname,
	       struct vg_resolution *res)
{
	int ret = resolve(c, vif, ifname, res);

	/* vg_resolve() looked the VM up (a trusted key only). */
	res->xen = vif->vm_uuid[0] != '\0';
	res->devid = vif->devid;
	snprintf(res->vm_uuid, sizeof(res->vm_uuid), "%s", vif->vm_uuid);
	return ret;
}

bool hp_resume_of(const struct vg_resolution *r, struct vg_resume *rs)
{
	memset(rs, 0, sizeof(*rs));
	if (!r->xen || r->decision != VG_DECISION_FILTER || vg_ifname_emulated(r->spec.ifname) ||
	    vg_xen_id_vm(&rs->id, r->vm_uuid))
		return false;
	rs->id.devid = r->devid;
	rs->window_s = vg_config_resume_window(r->host_cfg);
	return true;
}

bool hp_xen_id(struct hp_ctx *c, struct vg_vif *vif, struct vg_xen_id *id)
{
	char err[VG_ERRLEN];

	memset(id, 0, sizeof(*id));
	if (!vif->vm_uuid[0] && vg_vm_uuid_of_domid(&c->xs, vif, err, sizeof(err)))
		return false;
	id->devid = vif->devid;
	return vg_xen_id_vm(id, vif->vm_uuid) == 0;
}

/* What hp_resolve()'s error was: the host's (xenstore) or the file's. */
const char *hp_resolve_error(const struct hp_ctx *c, const struct vg_resolution *res)
{
	return res->host_error ? res->reason : c->cfg.errmsg;
}

enum vg_errcode hp_resolve_code(const struct vg_resolution *res)
{
	return res->host_error ? VG_E_XENSTORE : VG_E_CONFIG;
}

void hp_ctx_close(struct hp_ctx *c)
{
	if (c->xs_open)
		vg_xs_close(&c->xs);
	c->xs_open = false;
	vg_config_free(&c->cfg);
}

void hp_describe(const struct vg_resolution *r, char *buf, size_t len)
{
	const struct vg_spec *s = &r->spec;

	if (r->decision == VG_DECISION_UNFILTERED) {
		if (r->source == VG_SOURCE_XAPI)
			snprintf(buf, len, "unfiltered (xapi unlocked, %s)", r->origin);
		else
			snprintf(buf, len, "unfiltered (no policy in any source)");
	} else if (r->failed_closed) {
		snprintf(buf, len, "disabled, failing closed (%s %s)",
			 vg_source_name(r->source), r->origin);
	} else if (r->unlisted) {
		snprintf(buf, len, "%s%s%s%s, %u MAC, addresses learned by DHCP and DAD "
			 "(unlisted: %s%s; config %s host unlisted=learn)",
			 vg_mode_name(s->mode), r->host_audit ? " (host switch, " : "",
			 r->host_audit ? r->audit_origin : "", r->host_audit ? ")" : "",
			 s->n_macs, r->unlisted_xapi[0] ? "xapi unlocked, " : "no source",
			 r->unlisted_xapi, r->origin);
	} else if (s->mode == VG_MODE_DISABLED) {
		snprintf(buf, len, "disabled (%s %s)", vg_source_name(r->source), r->origin);
	} else {
		snprintf(buf, len, "%s%s%s%s, %u MAC, %u IPv4, %u IPv6 (%s %s)",
			 vg_mode_name(s->mode), r->host_audit ? " (host switch, " : "",
			 r->host_audit ? r->audit_origin : "", r->host_audit ? ")" : "",
			 s->n_macs, s->n_v4, s->n_v6, vg_source_name(r->source), r->origin);
	}
}

/* One decision as a text line: "IFACE: DESC", escaped for the terminal. */
static void print_line(const char *ifname, const char *desc, const char *action)
{
	char ename[4 * IF_NAMESIZE], edesc[4 * (VG_XS_PATHLEN + 128)];

	printf("%s: %s%s\n", vg_escape_text(ename, sizeof(ename), ifname),
	       vg_escape_text(edesc, sizeof(edesc), desc),
	       strcmp(action, "dry-run") ? "" : " (dry run)");
}

/*
 * One decision: a text line, or under -j an object written with the
 * run's writer (out->w): the whole document, or one element of sync's
 * array.
 */
void hp_print_result(struct vg_out *out, const char *ifname, const struct vg_resolution *r,
		     const char *action)
{
	char desc[VG_XS_PATHLEN + 128];
	struct vg_json *j = &out->w;

	hp_describe(r, desc, sizeof(desc));
	if (!out->json) {
		print_line(ifname, desc, action);
		return;
	}
	vg_json_object_start(j);
	vg_json_kv_string(j, "ifname", ifname);
	vg_json_kv_string(j, "action", action);
	vg_json_kv_string(j, "decision", r->decision == VG_DECISION_UNFILTERED ? "unfiltered" :
			  vg_mode_name(r->spec.mode));
	vg_json_kv_string(j, "source", vg_source_name(r->source));
	vg_json_kv_string(j, "origin", r->origin);
	vg_json_kv_bool(j, "failed_closed", r->failed_closed);
	if (r->failed_closed)
		vg_json_kv_string(j, "reason", r->reason);
	vg_json_kv_string_or_null(j, "host_audit", r->host_audit ? r->audit_origin : "");
	vg_json_kv_string_or_null(j, "unlisted", !r->unlisted ? "" :
				  r->unlisted_xapi[0] ? "xapi unlocked" : "no source");
	vg_json_object_end(j);
}

/* The line of a detach or clear. */
void hp_print_done(struct vg_out *out, const char *ifname, const char *action,
		   const char *text)
{
	struct vg_json *j;

	if (!out->json) {
		char ename[4 * IF_NAMESIZE];

		printf("%s: %s\n", vg_escape_text(ename, sizeof(ename), ifname), text);
		return;
	}
	j = vg_out_json(out);
	vg_json_object_start(j);
	vg_json_kv_string(j, "ifname", ifname);
	vg_json_kv_string(j, "action", action);
	vg_json_object_end(j);
}

bool hp_netdev_exists(const char *name)
{
	return if_nametoindex(name) != 0;
}

/* ---- who owns the policy ---------------------------------------------------- */

/* The source recorded in the policy's flags, for show and stats. */
unsigned int hp_source_flags(const struct vg_resolution *r, unsigned int flags)
{
	flags &= ~(VG_F_SRC_MASK | VG_F_AUDIT_HOST);
	if (r->host_audit)
		flags |= VG_F_AUDIT_HOST;
	switch (r->source) {
	case VG_SOURCE_XAPI:
		return flags | VG_F_SRC_XAPI << VG_F_SRC_SHIFT;
	case VG_SOURCE_XL:
		return flags | VG_F_SRC_XL << VG_F_SRC_SHIFT;
	case VG_SOURCE_CONFIG:
		return flags | VG_F_SRC_CONFIG << VG_F_SRC_SHIFT;
	default:
		return flags;
	}
}

static int apply_sourced(struct vg_state *st, const struct vg_resolution *r, char *err,
			 size_t errlen)
{
	struct vg_spec spec = r->spec;
	struct vg_resume rs;
	struct vg_apply_opts o = { .resume = hp_resume_of(r, &rs) ? &rs : NULL };
	int ret;

	spec.flags = hp_source_flags(r, spec.flags);
	ret = vg_state_apply(st, &spec, &o, err, errlen);
	if (!ret && o.resume)
		hp_resume_said(spec.ifname, &rs);
	return ret;
}

void hp_resume_said(const char *ifname, const struct vg_resume *rs)
{
	if (rs->restored || rs->refused || rs->dropped)
		note("%s: %u parked address(es) restored, %u held by another interface or "
		     "protected, %u over its caps", ifname, rs->restored, rs->refused,
		     rs->dropped);
	if (rs->window)
		note("%s: learning window of %u s (no lease parked here)", ifname, rs->window_s);
}

/*
 * Applies r to ifname under one exclusive lock of the state: attach or
 * update for a filter, detach otherwise, unless rule says that the
 * policy in force stays (o->kept).  The policy the sources decide never
 * carries VG_F_OPERATOR, so an update hands the interface back to them;
 * it records which source decided it.
 */
int hp_apply_owned(const char *ifname, const struct vg_resolution *r,
		   enum own_rule rule, struct hp_owner *o, char *err, size_t errlen)
{
	bool filter = r->decision == VG_DECISION_FILTER;
	struct vg_detach_result dres;
	char herr[VG_ERRLEN + 64];
	struct vg_state st;
	uint32_t ifindex;
	int ret, hret;

	memset(o, 0, sizeof(*o));
	if (filter) {
		/* Before the state: a bad spec or a missing device
		 * changes nothing. */
		if (vg_spec_validate(&r->spec, err, errlen))
			return -EINVAL;
		if (!if_nametoindex(ifname)) {
			snprintf(err, errlen, "cannot attach: %s", strerror(ENODEV));
			return -ENODEV;
		}
	}
	ret = vg_state_open(&st, vg_cli_ctx(), filter ? VG_STATE_LOAD : VG_STATE_WRITE,
			    err, errlen);
	if (ret)
		return ret;
	ifindex = if_nametoindex(ifname);
	o->had = ifindex && vg_state_policy_live(&st, ifindex, &o->pol) == 0;
	if (o->had && rule == OWN_RESPECT)
		o->kept = o->pol.flags & VG_F_OPERATOR;
	else if (o->had && rule == OWN_RELEASE)
		o->kept = !filter;
	if (o->kept)
		ret = 0;
	else if (filter)
		ret = apply_sourced(&st, r, err, errlen);
	else
		ret = vg_state_detach(&st, ifname, &dres, err, errlen);
	hret = vg_host_settings(&st, r->host_cfg, herr, sizeof(herr));
	vg_state_close(&st);
	/* The interface's own error first; the host's then goes to the log. */
	if (hret && ret)
		vg_out_log(LOG_ERR, true, "%s", herr);
	else if (hret)
		snprintf(err, errlen, "%s", herr);
	return ret ? ret : hret;
}

static void describe_kept(const char *ifname, const struct vg_policy *pol, char *buf,
			  size_t len)
{
	snprintf(buf, len, "kept: set by vifguard attach (%s); `vifguard release %s` "
		 "hands it back to its sources", vg_mode_name(pol->mode), ifname);
}

/* The line of a policy left in force, like hp_print_result()'s. */
void hp_print_kept(struct vg_out *out, const char *ifname, const struct vg_policy *pol,
		   const char *action)
{
	char desc[2 * IF_NAMESIZE + 128];
	struct vg_json *j = &out->w;

	if (!out->json) {
		describe_kept(ifname, pol, desc, sizeof(desc));
		print_line(ifname, desc, action);
		return;
	}
	vg_json_object_start(j);
	vg_json_kv_string(j, "ifname", ifname);
	vg_json_kv_string(j, "action", action);
	vg_json_kv_string(j, "decision", vg_mode_name(pol->mode));
	vg_json_kv_string(j, "source", "attach");
	vg_json_kv_string(j, "origin", "vifguard attach");
	vg_json_kv_bool(j, "failed_closed", false);
	vg_json_kv_bool(j, "kept", true);
	vg_json_object_end(j);
}

/* The result of hotplug online/add or setup-vif-rules filter. */
void hp_print_applied(struct vg_out *out, const char *ifname,
		      const struct vg_resolution *r, const struct hp_owner *o)
{
	vg_out_json(out);
	if (o->kept)
		hp_print_kept(out, ifname, &o->pol, "keep");
	else
		hp_print_result(out, ifname, r, "apply");
}

/*
 * What became of a decision applied to ifname (ret, cerr: the state
 * library's error): the fail-closed reason to syslog and stderr, what
 * was done to syslog; a failure in err, for the caller to print.
 */
int hp_said(const char *ifname, const struct vg_resolution *r, const struct hp_owner *o,
	    int ret, const char *cerr, char *err, size_t errlen)
{
	char desc[VG_XS_PATHLEN + 128];

	if (r->failed_closed && o->kept)
		warn_closed("%s: %s; the policy set by vifguard attach stays in force",
			    ifname, r->reason);
	else if (r->failed_closed)
		warn_closed("%s: %s; interface disabled (drops every frame)",
			    ifname, r->reason);
	if (ret) {
		snprintf(err, errlen, "%s: %s", ifname, cerr);
		return ret;
	}
	if (o->kept)
		describe_kept(ifname, &o->pol, desc, sizeof(desc));
	else
		hp_describe(r, desc, sizeof(desc));
	note("%s: %s", ifname, desc);
	return 0;
}

/*
 * Applies a decision to ifname: attach or update for a filter, detach
 * otherwise, unless the operator's policy is in force there (o->kept).
 * The fail-closed reason goes to syslog and stderr; a failure is
 * returned with its text in err, for the caller to print.
 */
int hp_apply(const char *ifname, struct vg_resolution *r, struct hp_owner *o,
	     char *err, size_t errlen)
{
	char cerr[VG_ERRLEN];
	int ret;

	ret = hp_apply_owned(ifname, r, OWN_RESPECT, o, cerr, sizeof(cerr));
	return hp_said(ifname, r, o, ret, cerr, err, errlen);
}
