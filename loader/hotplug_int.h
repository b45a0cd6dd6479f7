/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the Xen entry points (hotplug.c, hotplug_setup.c, hotplug_sync.c)
 * share, from hotplug_apply.c: their context (xenstore, the config file
 * read when needed), the decision of a VIF's policy, its application
 * under the rule of who owns the policy, and the lines that say so.
 * Internal to them; the commands themselves are in hotplug.h.
 */
#ifndef VG_HOTPLUG_INT_H
#define VG_HOTPLUG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

#include "cli_out.h"
#include "config.h"
#include "host_settings.h"
#include "source.h"
#include "state.h"
#include "xs.h"

/*
 * Messages carry xenstore values and interface names: the whole formatted
 * text is escaped (cli_out.c) so that none of them can forge a log line
 * or reach the terminal as a control sequence.
 *
 * Errors: syslog, and the run's output (stderr, or the JSON errors under
 * -j): vg_out_errlog().  Fail-closed decisions: syslog and stderr, also
 * under -j, where the decision itself is part of the JSON result.  What
 * was done: syslog only (stdout gets its own line).
 */
#define warn_closed(...) vg_out_log(LOG_WARNING, true, __VA_ARGS__)
#define note(...) vg_out_log(LOG_INFO, false, __VA_ARGS__)

/* One command's run: xenstore, and the config file once it is read. */
struct hp_ctx {
	struct vg_out *out;
	struct vg_xs xs;
	bool xs_open;
	struct vg_config cfg;
	bool cfg_loaded;
	bool cfg_warned;	/* the file's error said once for the switch */
	const char *cfgpath;
};

int hp_ctx_open(struct hp_ctx *c, const char *ifname);
void hp_ctx_close(struct hp_ctx *c);
/* Decides vif's policy (res->xen, devid, vm_uuid: its identity when
 * known). */
int hp_resolve(struct hp_ctx *c, struct vg_vif *vif, const char *ifname,
	       struct vg_resolution *res);
/* What a Xen guest interface decided to be filtered gets on its attach
 * (state.h, struct vg_resume): false when its identity is not known. */
bool hp_resume_of(const struct vg_resolution *r, struct vg_resume *rs);
/* What a resume did, to syslog. */
void hp_resume_said(const char *ifname, const struct vg_resume *rs);
/* The identity of vif (its VM looked up in xenstore, c->xs open, when
 * not known yet): false when unknown. */
bool hp_xen_id(struct hp_ctx *c, struct vg_vif *vif, struct vg_xen_id *id);
/* Its code: xenstore for the host's, config for the file's. */
enum vg_errcode hp_resolve_code(const struct vg_resolution *res);
const char *hp_resolve_error(const struct hp_ctx *c, const struct vg_resolution *res);

/* The port functions' errors (hotplug_net.h) go where the command's go. */
void hp_port_say(void *arg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool hp_netdev_exists(const char *name);

/* What an interface held when a decision was applied to it. */
struct hp_owner {
	bool had;		/* a policy was in force */
	bool kept;		/* and it stays: the decision was not applied */
	struct vg_policy pol;	/* the policy in force, when had */
};

enum own_rule {
	OWN_RESPECT,		/* hotplug, setup-vif-rules, sync: keep the operator's */
	OWN_RELEASE,		/* release: replace it, but remove no filter */
	OWN_RELEASE_DETACH,	/* release --detach: replace or remove it */
};

int hp_apply_owned(const char *ifname, const struct vg_resolution *r,
		   enum own_rule rule, struct hp_owner *o, char *err, size_t errlen);
int hp_apply(const char *ifname, struct vg_resolution *r, struct hp_owner *o,
	     char *err, size_t errlen);
/* hp_apply()'s messages for a decision applied otherwise (sync). */
int hp_said(const char *ifname, const struct vg_resolution *r, const struct hp_owner *o,
	    int ret, const char *cerr, char *err, size_t errlen);
/* spec's flags with what decided it recorded: the VG_F_SRC_* bits of
 * r's source, VG_F_AUDIT_HOST when the host switch made it audit. */
unsigned int hp_source_flags(const struct vg_resolution *r, unsigned int flags);

/* ---- what was decided and done: a text line, or JSON under -j ---- */

void hp_describe(const struct vg_resolution *r, char *buf, size_t len);
void hp_print_result(struct vg_out *out, const char *ifname, const struct vg_resolution *r,
		     const char *action);
void hp_print_done(struct vg_out *out, const char *ifname, const char *action,
		   const char *text);
void hp_print_kept(struct vg_out *out, const char *ifname, const struct vg_policy *pol,
		   const char *action);
void hp_print_applied(struct vg_out *out, const char *ifname,
		      const struct vg_resolution *r, const struct hp_owner *o);

#endif /* VG_HOTPLUG_INT_H */
