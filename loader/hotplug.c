// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Xen entry points: the hotplug command run by the vif-post.d hook and the
 * vif-vifguard-* scripts (libxl), the setup-vif-rules drop-in (xenopsd),
 * sync and release.  Each decides the policy from its sources (source.c)
 * and hands it to the core, which attaches or updates in place.
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
#include "config.h"
#include "hotplug.h"
#include "hotplug_net.h"
#include "json.h"
#include "netlink.h"
#include "sanitize.h"
#include "source.h"
#include "xs.h"

/* ---- messages ---------------------------------------------------------- */

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

/* The port functions' errors (hotplug_net.h) go where the command's go. */
static void port_say(void *arg, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vg_out_errlog(arg, "%s", msg);
}

/* ---- shared plumbing ------------------------------------------------------ */

struct hp_ctx {
	struct vg_out *out;
	struct vg_xs xs;
	bool xs_open;
	struct vg_config cfg;
	bool cfg_loaded;
	const char *cfgpath;
};

static const char *config_path(const char *opt)
{
	const char *env = getenv("VIFGUARD_CONFIG");

	if (opt)
		return opt;
	return env && *env ? env : VG_CONFIG_DEFAULT;
}

static int ctx_open(struct hp_ctx *c, const char *ifname)
{
	char err[VG_ERRLEN + 64];
	int ret;

	/* No config file here: it is read only for a VIF that XAPI and xl
	 * leave undecided (hp_resolve), so that an error in it never
	 * blocks their decisions. */
	ret = vg_xs_open(&c->xs, err, sizeof(err));
	if (ret) {
		vg_out_errlog(c->out, "%s%s%s", ifname ? ifname : "", ifname ? ": " : "", err);
		return ret;
	}
	c->xs_open = true;
	return 0;
}

/*
 * vg_resolve with the config file loaded only when XAPI and xl do not
 * decide, once per command.  A file that cannot be loaded makes the VIF
 * fail closed (vg_resolve, from cfg.error) and is returned as -errno:
 * the caller applies that decision, then exits 1, so that a hotplug
 * fails (the guest does not start) as it did before the file was read
 * lazily, and a live change reports the broken file.  The same for
 * xenstore that could not be read, or a key a domain other than dom0
 * can write (res->host_error); a wrong value in a key fails closed with
 * 0 returned.
 */
static int hp_resolve(struct hp_ctx *c, struct vg_vif *vif, const char *ifname,
		      struct vg_resolution *res)
{
	char err[sizeof(c->cfg.errmsg)];

	vg_resolve(&c->xs, NULL, vif, ifname, res);
	if (res->failed_closed)
		return res->host_error;
	if (res->decision != VG_DECISION_UNFILTERED)
		return 0;
	if (!c->cfg_loaded) {
		vg_config_load(c->cfgpath, &c->cfg, err, sizeof(err));
		c->cfg_loaded = true;
	}
	vg_resolve(&c->xs, &c->cfg, vif, ifname, res);
	return res->failed_closed && res->source == VG_SOURCE_CONFIG ? c->cfg.error : 0;
}

/* What hp_resolve()'s error was: the host's (xenstore) or the file's. */
static const char *resolve_error(const struct hp_ctx *c, const struct vg_resolution *res)
{
	return res->host_error ? res->reason : c->cfg.errmsg;
}

static void ctx_close(struct hp_ctx *c)
{
	if (c->xs_open)
		vg_xs_close(&c->xs);
	c->xs_open = false;
	vg_config_free(&c->cfg);
}

static void describe(const struct vg_resolution *r, char *buf, size_t len)
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
	} else if (s->mode == VG_MODE_DISABLED) {
		snprintf(buf, len, "disabled (%s %s)", vg_source_name(r->source), r->origin);
	} else {
		snprintf(buf, len, "locked, %u MAC, %u IPv4, %u IPv6 (%s %s)",
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
static void print_result(struct vg_out *out, const char *ifname, const struct vg_resolution *r,
			 const char *action)
{
	char desc[VG_XS_PATHLEN + 128];
	struct vg_json *j = &out->w;

	describe(r, desc, sizeof(desc));
	if (!out->json) {
		print_line(ifname, desc, action);
		return;
	}
	vg_json_object_start(j);
	vg_json_kv_string(j, "ifname", ifname);
	vg_json_kv_string(j, "action", action);
	vg_json_kv_string(j, "decision", r->decision == VG_DECISION_UNFILTERED ? "unfiltered" :
			  r->spec.mode == VG_MODE_DISABLED ? "disabled" : "locked");
	vg_json_kv_string(j, "source", vg_source_name(r->source));
	vg_json_kv_string(j, "origin", r->origin);
	vg_json_kv_bool(j, "failed_closed", r->failed_closed);
	if (r->failed_closed)
		vg_json_kv_string(j, "reason", r->reason);
	vg_json_object_end(j);
}

/* The line of a detach or clear. */
static void print_done(struct vg_out *out, const char *ifname, const char *action,
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

/* ---- who owns the policy ---------------------------------------------------- */

static const char *mode_name(unsigned int mode)
{
	return mode == VG_MODE_LOCKED ? "locked" : mode == VG_MODE_DISABLED ? "disabled" :
	       "invalid";
}

/* What an interface held when a decision was applied to it. */
struct owner {
	bool had;		/* a policy was in force */
	bool kept;		/* and it stays: the decision was not applied */
	struct vg_policy pol;	/* the policy in force, when had */
};

enum own_rule {
	OWN_RESPECT,		/* hotplug, setup-vif-rules, sync: keep the operator's */
	OWN_RELEASE,		/* release: replace it, but remove no filter */
	OWN_RELEASE_DETACH,	/* release --detach: replace or remove it */
};

/*
 * Applies r to ifname under one exclusive lock of the state: attach or
 * update for a filter, detach otherwise, unless rule says that the
 * policy in force stays (o->kept).  The policy the sources decide never
 * carries VG_F_OPERATOR, so an update hands the interface back to them.
 */
static int apply_owned(const char *ifname, const struct vg_resolution *r,
		       enum own_rule rule, struct owner *o, char *err, size_t errlen)
{
	bool filter = r->decision == VG_DECISION_FILTER;
	struct vg_detach_result dres;
	struct vg_state st;
	uint32_t ifindex;
	int ret;

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
	o->had = ifindex && vg_state_policy(&st, ifindex, &o->pol) == 0;
	if (o->had && rule == OWN_RESPECT)
		o->kept = o->pol.flags & VG_F_OPERATOR;
	else if (o->had && rule == OWN_RELEASE)
		o->kept = !filter;
	if (o->kept)
		ret = 0;
	else if (filter)
		ret = vg_state_apply(&st, &r->spec, NULL, err, errlen);
	else
		ret = vg_state_detach(&st, ifname, &dres, err, errlen);
	vg_state_close(&st);
	return ret;
}

static void describe_kept(const char *ifname, const struct vg_policy *pol, char *buf,
			  size_t len)
{
	snprintf(buf, len, "kept: set by vifguard attach (%s); `vifguard release %s` "
		 "hands it back to its sources", mode_name(pol->mode), ifname);
}

/* The line of a policy left in force, like print_result()'s. */
static void print_kept(struct vg_out *out, const char *ifname, const struct vg_policy *pol,
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
	vg_json_kv_string(j, "decision", mode_name(pol->mode));
	vg_json_kv_string(j, "source", "attach");
	vg_json_kv_string(j, "origin", "vifguard attach");
	vg_json_kv_bool(j, "failed_closed", false);
	vg_json_kv_bool(j, "kept", true);
	vg_json_object_end(j);
}

/* The result of hotplug online/add or setup-vif-rules filter. */
static void print_applied(struct vg_out *out, const char *ifname,
			  const struct vg_resolution *r, const struct owner *o)
{
	vg_out_json(out);
	if (o->kept)
		print_kept(out, ifname, &o->pol, "keep");
	else
		print_result(out, ifname, r, "apply");
}

/*
 * Applies a decision to ifname: attach or update for a filter, detach
 * otherwise, unless the operator's policy is in force there (o->kept).
 * The fail-closed reason goes to syslog and stderr; a failure is
 * returned with its text in err, for the caller to print.
 */
static int apply(const char *ifname, struct vg_resolution *r, struct owner *o,
		 char *err, size_t errlen)
{
	char desc[VG_XS_PATHLEN + 128], cerr[VG_ERRLEN];
	int ret;

	ret = apply_owned(ifname, r, OWN_RESPECT, o, cerr, sizeof(cerr));
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
		describe(r, desc, sizeof(desc));
	note("%s: %s", ifname, desc);
	return 0;
}

/* ---- hotplug ------------------------------------------------------------- */

static bool netdev_exists(const char *name)
{
	return if_nametoindex(name) != 0;
}

/* The device a hotplug event is about, from its command line. */
struct hp_target {
	const char *dev;
	bool explicit_dev;	/* dev= given: no vifname= lookup */
	bool tap, online;
	const char *xbpath;	/* NULL when not known (offline only) */
	char abs[VG_XS_PATHLEN];
	char alt[IF_NAMESIZE + 8];	/* the vifname= name, or "" */
	struct vg_vif vif;
};

/*
 * The device and its backend path.  Returns 0, or the exit status of a
 * usage error (said); offline tolerates a bad XENBUS_PATH (there is
 * nothing to decide, only names to detach).
 */
static int hp_target(struct vg_out *out, const struct vg_hotplug_args *a, struct hp_target *t)
{
	t->dev = vg_hotplug_var(a, "dev");
	t->explicit_dev = t->dev != NULL;
	if (!t->dev)
		t->dev = vg_hotplug_var(a, t->tap ? "INTERFACE" : "vif");
	if (!t->dev) {
		vg_out_errlog(out, "hotplug: no device: set %s (or dev=)",
			      t->tap ? "INTERFACE" : "vif");
		return EXIT_USAGE;
	}
	if (strlen(t->dev) >= IF_NAMESIZE) {
		vg_out_errlog(out, "hotplug: '%s': interface name too long", t->dev);
		return EXIT_USAGE;
	}
	t->xbpath = vg_hotplug_var(a, "XENBUS_PATH");
	if (t->xbpath) {
		if (vg_backend_path_parse(t->xbpath, t->abs, sizeof(t->abs), &t->vif.domid,
					  &t->vif.devid)) {
			vg_out_errlog(out, "%s: XENBUS_PATH '%s' is not a vif backend path",
				      t->dev, t->xbpath);
			if (t->online)
				return EXIT_USAGE;
			t->xbpath = NULL;
		}
	} else if (vg_ifname_parse(t->dev, &t->vif.domid, &t->vif.devid) == 0) {
		snprintf(t->abs, sizeof(t->abs), "/local/domain/0/backend/vif/%u/%u",
			 t->vif.domid, t->vif.devid);
		t->xbpath = t->abs;
	} else if (t->online) {
		vg_out_errlog(out, "%s: no XENBUS_PATH and not a Xen device name", t->dev);
		return EXIT_USAGE;
	}
	return 0;
}

/* The vifname= name of t's device into t->alt ("" when none or bad). */
static void hp_vifname(struct hp_ctx *c, struct hp_target *t)
{
	char path[VG_XS_PATHLEN + 16], *vn;

	snprintf(path, sizeof(path), "%s/vifname", t->abs);
	vn = vg_xs_read(&c->xs, path);
	if (vn && *vn)
		snprintf(t->alt, sizeof(t->alt), "%s%s", vn, t->tap ? "-emu" : "");
	if (t->alt[0] && vg_ifname_check(t->alt)) {
		vg_out_errlog(c->out, "%s: %s: '%s': not a valid interface name, ignored",
			      t->dev, path, vn);
		t->alt[0] = '\0';
	}
	free(vn);
}

/*
 * offline, remove: no policy needed, only names: the device's, and the
 * vifname= one when xenstore can tell.  Never an error when there is
 * nothing to remove.
 */
static int hp_offline(struct hp_ctx *c, struct hp_target *t, const char *command)
{
	char err[VG_ERRLEN];
	int ret;

	if (t->xbpath && vg_xs_open(&c->xs, err, sizeof(err)) == 0) {
		if (!t->explicit_dev)
			hp_vifname(c, t);
		vg_xs_close(&c->xs);
	}
	ret = vg_state_detach_root(vg_cli_ctx(), t->dev, err, sizeof(err));
	if (!ret && t->alt[0] && strcmp(t->alt, t->dev))
		ret = vg_state_detach_root(vg_cli_ctx(), t->alt, err, sizeof(err));
	if (ret) {
		vg_out_errlog(c->out, "%s: %s", t->dev, err);
		return EXIT_FAILURE;
	}
	note("%s: %s: filter removed", t->dev, command);
	print_done(c->out, t->dev, "detach", "detached");
	return EXIT_SUCCESS;
}

/* online, add: decide from the sources and apply. */
static int hp_online(struct hp_ctx *c, struct hp_target *t)
{
	char aerr[VG_ERRLEN + IF_NAMESIZE + 4];
	struct vg_resolution res;
	struct owner own;
	int ret, cret;

	if (ctx_open(c, t->dev))
		return EXIT_FAILURE;
	/* Xen's scripts rename the device to vifname= during online; called
	 * before that, the old name is still the one that exists. */
	if (!t->explicit_dev && !netdev_exists(t->dev)) {
		hp_vifname(c, t);
		if (t->alt[0] && netdev_exists(t->alt))
			t->dev = t->alt;
	}
	cret = hp_resolve(c, &t->vif, t->dev, &res);
	ret = apply(t->dev, &res, &own, aerr, sizeof(aerr));
	if (ret)
		vg_out_errlog(c->out, "%s", aerr);
	else
		print_applied(c->out, t->dev, &res, &own);
	/* A kept policy owes nothing to the config file. */
	if (own.kept)
		cret = 0;
	if (cret) {
		/* Last: the vif scripts put the last line in hotplug-error. */
		fflush(stdout);
		vg_out_errlog(c->out, "%s: %s", t->dev, resolve_error(c, &res));
	}
	ctx_close(c);
	return ret || cret ? EXIT_FAILURE : EXIT_SUCCESS;
}

int vg_cmd_hotplug(struct vg_out *out, void *opts)
{
	const struct vg_hotplug_args *a = opts;
	struct hp_ctx c = { .out = out };
	struct hp_target t = { 0 };
	int ret;

	t.tap = !strcmp(a->type_if, "tap");
	/* vif-common.sh: online/offline are for the PV device, add/remove
	 * for the emulated one; the other pairing is a no-op. */
	t.online = !strcmp(a->command, "online") || !strcmp(a->command, "add");
	if (t.tap != (!strcmp(a->command, "add") || !strcmp(a->command, "remove")))
		return EXIT_SUCCESS;
	ret = hp_target(out, a, &t);
	if (ret)
		return ret;
	c.cfgpath = config_path(a->config);
	return t.online ? hp_online(&c, &t) : hp_offline(&c, &t, a->command);
}

/* ---- setup-vif-rules -------------------------------------------------------- */

/* What xenopsd's scripts call the type of a device: its first three
 * letters, "vif" or "tap". */
static void xapi_paths(const char *dev, const struct vg_vif *vif, char *priv, size_t plen,
		       char *hotplug, size_t hlen)
{
	snprintf(priv, plen, "/xapi/%s/private/vif/%u", vif->vm_uuid, vif->devid);
	snprintf(hotplug, hlen, "/xapi/%s/hotplug/%u/vif/%u", vif->vm_uuid,
		 vif->domid, vif->devid);
	(void)dev;
}

static char *xs_get(struct hp_ctx *c, const char *dir, const char *key)
{
	char path[VG_XS_PATHLEN + 32];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	return vg_xs_read(&c->xs, path);
}

/* clear: off the network first, then the filter goes; a port that could
 * not leave its bridge keeps its filter. */
static int setup_clear(struct hp_ctx *c, const struct vg_port *port, const char *dev,
		       const char *priv, const char *hotplug)
{
	char err[VG_ERRLEN];
	int ret;

	if (vg_net_mode() == VG_NET_OPENVSWITCH)
		ret = vg_port_ovs_del(port, dev, priv, hotplug);
	else
		ret = vg_port_bridge_del(port, dev);
	if (ret) {
		vg_out_errlog(c->out, "%s: clear: still on its bridge; the filter stays", dev);
	} else if (vg_state_detach_root(vg_cli_ctx(), dev, err, sizeof(err))) {
		vg_out_errlog(c->out, "%s: %s", dev, err);
		ret = -EIO;
	}
	if (!ret) {
		note("%s: clear: filter removed, off the bridge", dev);
		print_done(c->out, dev, "clear", "cleared");
	}
	return ret;
}

/*
 * The port onto its bridge (off it when the VIF is disabled: no traffic
 * either way, as with xenopsd's script), then up.
 */
static int setup_port(struct hp_ctx *c, const struct vg_port *port, const struct vg_vif *vif,
		      const char *dev, bool on_bridge, const char *priv, const char *hotplug)
{
	enum vg_netmode mode = vg_net_mode();
	char *bridge = NULL;
	int ret;

	if (!on_bridge) {
		ret = mode == VG_NET_OPENVSWITCH ? vg_port_ovs_del(port, dev, priv, hotplug) :
						   vg_port_bridge_del(port, dev);
		goto up;
	}
	bridge = xs_get(c, priv, "bridge");
	if (!bridge || !*bridge) {
		vg_out_errlog(c->out, "%s: %s/bridge: missing, cannot put the VIF on its network",
			      dev, priv);
		free(bridge);
		return -ENOENT;
	}
	/* It becomes a /sys path, an ifr_name or an ovs-vsctl argument:
	 * refused before any of them, the VIF stays off the network. */
	if (vg_ifname_check(bridge)) {
		vg_out_errlog(c->out, "%s: %s/bridge: '%s': not a valid bridge name, cannot put "
			      "the VIF on its network", dev, priv, bridge);
		free(bridge);
		return -EINVAL;
	}
	if (mode == VG_NET_OPENVSWITCH)
		ret = vg_port_ovs_add(port, dev, bridge, vif, priv, hotplug);
	else
		ret = vg_port_bridge_add(port, dev, bridge);
	free(bridge);
up:
	if (ret)
		return ret;
	/* xenopsd's vif script leaves a new port down for this script to
	 * bring up; an existing port is up already and stays so. */
	ret = vg_net_link_up(dev);
	if (ret)
		vg_out_errlog(c->out, "%s: cannot bring the link up: %s", dev, strerror(-ret));
	return ret;
}

int vg_cmd_setup_vif_rules(struct vg_out *out, void *opts)
{
	struct vg_setup_args *a = opts;
	char priv[VG_XS_PATHLEN], hotplug[VG_XS_PATHLEN];
	char aerr[VG_ERRLEN + IF_NAMESIZE + 4];
	struct hp_ctx c = { .out = out };
	struct vg_port port = { .xs = &c.xs, .say = port_say, .arg = out };
	struct vg_resolution res;
	struct owner own;
	bool on_bridge;
	int ret, cret;

	c.cfgpath = config_path(a->config);
	if (ctx_open(&c, a->dev))
		return EXIT_FAILURE;
	xapi_paths(a->dev, &a->vif, priv, sizeof(priv), hotplug, sizeof(hotplug));
	if (!a->filter) {
		ret = setup_clear(&c, &port, a->dev, priv, hotplug);
		ctx_close(&c);
		return ret ? EXIT_FAILURE : EXIT_SUCCESS;
	}
	/* The filter first: the port joins the bridge only once its frames
	 * are checked, and leaves it with the filter already dropping.  A
	 * policy set by vifguard attach stays; the bridge is XAPI's
	 * business still. */
	cret = hp_resolve(&c, &a->vif, a->dev, &res);
	ret = apply(a->dev, &res, &own, aerr, sizeof(aerr));
	if (ret) {
		vg_out_errlog(out, "%s", aerr);
		goto out;
	}
	if (own.kept)
		cret = 0;
	on_bridge = !(res.decision == VG_DECISION_FILTER && res.spec.mode == VG_MODE_DISABLED);
	ret = setup_port(&c, &port, &a->vif, a->dev, on_bridge, priv, hotplug);
	if (ret)
		goto out;
	print_applied(out, a->dev, &res, &own);
	ret = cret;
	if (cret) {
		fflush(stdout);
		vg_out_errlog(out, "%s: %s", a->dev, resolve_error(&c, &res));
	}
out:
	ctx_close(&c);
	return ret ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* ---- guest devices in xenstore --------------------------------------------- */

static const char backend_dir[] = "/local/domain/0/backend/vif";

/* A xenstore directory name that is a domid or devid. */
static int dir_uint(const char *s, unsigned int *out)
{
	char probe[48];
	unsigned int other;

	/* The same rules as in device names: no sign, no leading zero. */
	snprintf(probe, sizeof(probe), "vif%s.0", s);
	return vg_ifname_parse(probe, out, &other);
}

/* Called for each name a guest device may have; non-zero stops the walk. */
typedef int (*vif_name_fn)(struct hp_ctx *c, unsigned int domid, unsigned int devid,
			   const char *ifname, void *arg);

/*
 * Calls fn for every name the guest devices of the backend directories
 * may have on this host: vifD.N or its vifname=, that name with -emu, and
 * tapD.N.  A vifname= that is not a valid interface name is replaced by
 * vifD.N and, when bad is not NULL, said on stderr and syslog (stdout may
 * be one JSON array) and counted there.  Returns the number of devices.
 */
static unsigned int for_each_vif_name(struct hp_ctx *c, vif_name_fn fn, void *arg,
				      unsigned int *bad)
{
	unsigned int nd = 0, i, j, seen = 0;
	bool stop = false;
	char **doms;

	doms = vg_xs_list(&c->xs, backend_dir, &nd);
	for (i = 0; doms && i < nd && !stop; i++) {
		unsigned int domid, devid, ndev = 0;
		char path[VG_XS_PATHLEN], **devs;

		if (dir_uint(doms[i], &domid))
			continue;
		snprintf(path, sizeof(path), "%s/%u", backend_dir, domid);
		devs = vg_xs_list(&c->xs, path, &ndev);
		for (j = 0; devs && j < ndev && !stop; j++) {
			char name[IF_NAMESIZE], emu[IF_NAMESIZE + 8], tapn[32];
			char *vn;

			if (dir_uint(devs[j], &devid))
				continue;
			snprintf(path, sizeof(path), "%s/%u/%u/vifname", backend_dir, domid,
				 devid);
			vn = vg_xs_read(&c->xs, path);
			if (vn && *vn && !vg_ifname_check(vn)) {
				snprintf(name, sizeof(name), "%s", vn);
			} else {
				if (vn && *vn && bad) {
					/* stderr, not say(): under -j stdout is one array. */
					warn_closed("%s: '%s': not a valid interface name, ignored",
						    path, vn);
					(*bad)++;
				}
				snprintf(name, sizeof(name), "vif%u.%u", domid, devid);
			}
			free(vn);
			snprintf(emu, sizeof(emu), "%s-emu", name);
			snprintf(tapn, sizeof(tapn), "tap%u.%u", domid, devid);
			seen++;
			stop = fn(c, domid, devid, name, arg) ||
			       (strlen(emu) < IF_NAMESIZE && fn(c, domid, devid, emu, arg)) ||
			       fn(c, domid, devid, tapn, arg);
		}
		free(devs);
	}
	free(doms);
	return seen;
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
	held = vg_state_policy(&st, ifindex, pol) == 0;
	vg_state_close(&st);
	return held;
}

/* ---- sync ---------------------------------------------------------------- */

static int sync_one(struct hp_ctx *c, unsigned int domid, unsigned int devid,
		    const char *ifname, bool dry)
{
	struct vg_vif vif = { .domid = domid, .devid = devid };
	char err[VG_ERRLEN + IF_NAMESIZE + 4];
	struct vg_resolution res;
	struct owner own = { 0 };
	int ret = 0, cret;

	if (!netdev_exists(ifname))
		return 0;
	cret = hp_resolve(c, &vif, ifname, &res);
	if (dry) {
		own.had = policy_in_force(ifname, &own.pol);
		own.kept = own.had && (own.pol.flags & VG_F_OPERATOR);
		if (res.failed_closed && own.kept)
			warn_closed("%s: %s; the policy set by vifguard attach would stay in force",
				    ifname, res.reason);
		else if (res.failed_closed)
			warn_closed("%s: %s; would be disabled", ifname, res.reason);
	} else {
		ret = apply(ifname, &res, &own, err, sizeof(err));
		/* Removed under the run (a guest shutting down): its
		 * offline and gc remove what is left; nothing to report. */
		if (ret && !netdev_exists(ifname)) {
			note("%s: gone during sync, skipped", ifname);
			return 0;
		}
	}
	if (!ret && own.kept) {
		print_kept(c->out, ifname, &own.pol, dry ? "dry-run" : "keep");
	} else if (!ret) {
		print_result(c->out, ifname, &res, dry ? "dry-run" : "apply");
	} else if (c->out->json) {
		/* Under -j every interface is an element of the one array. */
		struct vg_json *j = &c->out->w;

		vg_json_object_start(j);
		vg_json_kv_string(j, "ifname", ifname);
		vg_json_kv_string(j, "action", "apply");
		vg_json_kv_string(j, "error", err);
		vg_json_object_end(j);
		vg_out_log(LOG_ERR, false, "%s", err);
	} else {
		vg_out_errlog(c->out, "%s", err);
	}
	/* A kept policy owes nothing to the config file. */
	return ret ? ret : own.kept ? 0 : cret;
}

struct sync_walk {
	bool dry;
	unsigned int failed;
};

static int sync_name(struct hp_ctx *c, unsigned int domid, unsigned int devid,
		     const char *ifname, void *arg)
{
	struct sync_walk *w = arg;

	w->failed += sync_one(c, domid, devid, ifname, w->dry) != 0;
	return 0;
}

int vg_cmd_sync(struct vg_out *out, void *opts)
{
	const struct vg_sync_args *a = opts;
	struct sync_walk w = { .dry = a->dry_run };
	struct hp_ctx c = { .out = out };
	unsigned int seen;

	c.cfgpath = config_path(a->config);
	if (ctx_open(&c, NULL))
		return EXIT_FAILURE;
	if (out->json)
		vg_json_array_start(vg_out_json(out));
	seen = for_each_vif_name(&c, sync_name, &w, &w.failed);
	if (out->json)
		vg_json_array_end(&out->w);
	ctx_close(&c);
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
		print_result(out, ifname, r, dry ? "dry-run" : "release");
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
		vg_out_errlog(c->out, "%s: cannot release: not a Xen guest interface (no backend "
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
			const struct vg_resolution *res, const struct owner *own)
{
	const char *ifname = a->ifname, *done;
	char desc[VG_XS_PATHLEN + 128];
	bool dry = a->dry_run;

	describe(res, desc, sizeof(desc));
	if (own->kept) {
		/* No source has a policy: the filter is not removed unasked. */
		vg_out_errlog(c->out, "%s: not released: %s; its filter (%s, set by %s) stays: "
			      "`vifguard release --detach %s` removes it", ifname, desc,
			      mode_name(own->pol.mode), own->pol.flags & VG_F_OPERATOR ?
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
	struct owner own = { 0 };
	char aerr[VG_ERRLEN];
	int ret = 0, cret;

	if (!netdev_exists(ifname)) {
		vg_out_err(out, "%s: cannot release: %s", ifname, strerror(ENODEV));
		return EXIT_FAILURE;
	}
	c.cfgpath = config_path(a->config);
	if (ctx_open(&c, ifname))
		return EXIT_FAILURE;
	if (release_vif(&c, ifname, &vif)) {
		ctx_close(&c);
		return EXIT_FAILURE;
	}
	cret = hp_resolve(&c, &vif, ifname, &res);
	if (a->dry_run) {
		own.had = policy_in_force(ifname, &own.pol);
		own.kept = own.had && res.decision != VG_DECISION_FILTER && !a->detach;
	} else {
		ret = apply_owned(ifname, &res, a->detach ? OWN_RELEASE_DETACH : OWN_RELEASE,
				  &own, aerr, sizeof(aerr));
	}
	if (res.failed_closed && !own.kept)
		warn_closed("%s: %s; interface %sdisabled (drops every frame)", ifname,
			    res.reason, a->dry_run ? "would be " : "");
	if (ret) {
		vg_out_errlog(out, "%s: %s", ifname, aerr);
		ctx_close(&c);
		return EXIT_FAILURE;
	}
	ret = release_said(&c, a, &res, &own);
	if (!ret && cret) {
		fflush(stdout);
		vg_out_errlog(out, "%s: %s", ifname, resolve_error(&c, &res));
	}
	ctx_close(&c);
	return ret || cret ? EXIT_FAILURE : EXIT_SUCCESS;
}
