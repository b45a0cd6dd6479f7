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
#include <getopt.h>
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

const char vg_help_hotplug[] =
"Usage: vifguard hotplug [-c FILE] online|offline|add|remove [NAME=VALUE]...\n"
"\n"
"Run by Xen's vif scripts (the vif-post.d hook or vif-vifguard-*): reads\n"
"what libxl gives a hotplug script, from NAME=VALUE arguments or else the\n"
"environment: vif (or INTERFACE when type_if=tap), dev (the final name,\n"
"when the script already knows it), XENBUS_PATH (backend/vif/DOMID/DEVID,\n"
"relative or absolute), type_if (vif or tap).  online and add decide the\n"
"policy from XAPI keys, the backend's ip key, then the config file, and\n"
"attach or update the filter; offline and remove detach it (a repeated or\n"
"late one is not an error).  Like Xen's scripts, online/offline only act\n"
"for type_if=vif and add/remove for type_if=tap.  A policy set with\n"
"`vifguard attach` is kept as it is (vifguard help release).\n";

const char vg_help_setup_vif_rules[] =
"Usage: vifguard setup-vif-rules [-c FILE] XENOPSD-BACKEND DEV VM-UUID DEVID filter|clear\n"
"\n"
"Drop-in for xenopsd's setup-vif-rules (hotplug/setup-vif-rules calls it).\n"
"filter: applies the VIF's policy (/xapi/VM-UUID/private/vif/DEVID), puts\n"
"DEV on its bridge (Linux bridge, or Open vSwitch with external-ids and\n"
"the ofport key) unless the VIF is disabled, takes it off otherwise, and\n"
"brings a new port up.  clear: takes DEV off its bridge and detaches.\n"
"Never takes the link down: every change updates the filter in place.\n"
"A policy set with `vifguard attach` is kept as it is (the port still\n"
"joins or leaves its bridge as XAPI says; vifguard help release).\n";

const char vg_help_sync[] =
"Usage: vifguard sync [-c FILE] [-n|--dry-run]\n"
"\n"
"Re-applies the policy of every guest interface present on this host\n"
"(vifD.N, vifD.N-emu, tapD.N and renamed ones, found through xenstore)\n"
"from its sources, e.g. after a restart or an upgrade.  --dry-run prints\n"
"the decisions without changing anything.\n"
"\n"
"A policy set with `vifguard attach` belongs to the operator: sync keeps\n"
"it in force, whatever the sources say, and prints\n"
"  IFACE: kept: set by vifguard attach (MODE); `vifguard release IFACE` ...\n"
"(--dry-run too).  `vifguard release IFACE` hands it back to its sources.\n";

const char vg_help_release[] =
"Usage: vifguard release [-c FILE] [-n|--dry-run] [--detach] IFACE\n"
"\n"
"Hands IFACE, whose policy was set with `vifguard attach`, back to its\n"
"sources (XAPI keys, the backend's ip key, the config file, as hotplug\n"
"decides): their policy replaces the one in force in one update, so the\n"
"filter never leaves the interface, and hotplug, setup-vif-rules and sync\n"
"manage it again.  When no source has a policy for IFACE the filter stays:\n"
"release says so and exits 1, unless --detach, which removes the filter\n"
"then.  --dry-run prints the decision without changing anything.\n"
"\n"
"A policy set with attach lasts as long as its device: offline, remove and\n"
"clear take it away with the device, and the new device of a rebooted or\n"
"migrated guest gets its sources' policy.  A lasting quarantine belongs in\n"
"a source (XAPI locking-mode disabled, or mode=disabled in the config\n"
"file, which applies where XAPI and xl do not decide).\n";

/* ---- messages ---------------------------------------------------------- */

static bool log_opened;

/*
 * Messages carry xenstore values and interface names: the whole formatted
 * text is escaped (sanitize.h) so that none of them can forge a log line
 * or reach the terminal as a control sequence.
 */
static void vlog(int prio, bool to_stderr, const char *fmt, va_list ap)
{
	char msg[1024], esc[4 * sizeof(msg)];

	if (!log_opened) {
		openlog("vifguard", LOG_PID, LOG_DAEMON);
		log_opened = true;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	vg_escape_text(esc, sizeof(esc), msg);
	syslog(prio, "%s", esc);
	if (to_stderr)
		fprintf(stderr, "vifguard: %s\n", esc);
}

/* Errors: syslog, and stderr (a JSON error object under -j). */
static void __attribute__((format(printf, 2, 3))) say(int prio, const char *fmt, ...)
{
	char msg[1024], esc[4 * sizeof(msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!log_opened) {
		openlog("vifguard", LOG_PID, LOG_DAEMON);
		log_opened = true;
	}
	syslog(prio, "%s", vg_escape_text(esc, sizeof(esc), msg));
	/* vg_error escapes for its own sink (text or JSON). */
	vg_error("%s", msg);
}

/* Fail-closed decisions: syslog and stderr, also under -j, where the
 * decision itself is part of the JSON result. */
static void __attribute__((format(printf, 1, 2))) warn_closed(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, true, fmt, ap);
	va_end(ap);
}

/* What was done: syslog only (stdout gets its own line). */
static void __attribute__((format(printf, 1, 2))) note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, false, fmt, ap);
	va_end(ap);
}

static void json_str(FILE *f, const char *s)
{
	vg_json_escape(f, s);
}

/* ---- shared plumbing ------------------------------------------------------ */

struct hp_ctx {
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
		say(LOG_ERR, "%s%s%s", ifname ? ifname : "", ifname ? ": " : "", err);
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

static void print_result(const char *ifname, const struct vg_resolution *r,
			 const char *action, bool first)
{
	char desc[VG_XS_PATHLEN + 128];

	describe(r, desc, sizeof(desc));
	if (!vg_json) {
		print_line(ifname, desc, action);
		return;
	}
	printf("%s{\"ifname\":", first ? "" : ",");
	json_str(stdout, ifname);
	printf(",\"action\":\"%s\",\"decision\":\"%s\",\"source\":\"%s\",\"origin\":",
	       action,
	       r->decision == VG_DECISION_UNFILTERED ? "unfiltered" :
	       r->spec.mode == VG_MODE_DISABLED ? "disabled" : "locked",
	       vg_source_name(r->source));
	json_str(stdout, r->origin);
	printf(",\"failed_closed\":%s", r->failed_closed ? "true" : "false");
	if (r->failed_closed) {
		printf(",\"reason\":");
		json_str(stdout, r->reason);
	}
	printf("}");
}

/* The line of a detach or clear. */
static void print_done(const char *ifname, const char *action, const char *text)
{
	if (!vg_json) {
		char ename[4 * IF_NAMESIZE];

		printf("%s: %s\n", vg_escape_text(ename, sizeof(ename), ifname), text);
		return;
	}
	printf("{\"ifname\":");
	json_str(stdout, ifname);
	printf(",\"action\":\"%s\"}\n", action);
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
static void print_kept(const char *ifname, const struct vg_policy *pol, const char *action,
		       bool first)
{
	char desc[2 * IF_NAMESIZE + 128];

	if (!vg_json) {
		describe_kept(ifname, pol, desc, sizeof(desc));
		print_line(ifname, desc, action);
		return;
	}
	printf("%s{\"ifname\":", first ? "" : ",");
	json_str(stdout, ifname);
	printf(",\"action\":\"%s\",\"decision\":\"%s\",\"source\":\"attach\","
	       "\"origin\":\"vifguard attach\",\"failed_closed\":false,\"kept\":true}",
	       action, mode_name(pol->mode));
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

#define HP_MAX_VARS 16

struct hp_vars {
	const char *name[HP_MAX_VARS];
	const char *value[HP_MAX_VARS];
	size_t n;
};

/* NAME=VALUE arguments win over the environment, as in Xen's scripts. */
static const char *hp_get(const struct hp_vars *v, const char *name)
{
	const char *env;
	size_t i;

	for (i = v->n; i-- > 0;)
		if (!strcmp(v->name[i], name))
			return *v->value[i] ? v->value[i] : NULL;
	env = getenv(name);
	return env && *env ? env : NULL;
}

static bool netdev_exists(const char *name)
{
	return if_nametoindex(name) != 0;
}

int vg_cmd_hotplug(int argc, char **argv)
{
	char abs[VG_XS_PATHLEN], path[VG_XS_PATHLEN + 16], alt[IF_NAMESIZE + 8] = "";
	const char *command = NULL, *cfgopt = NULL, *type_if, *xbpath, *dev;
	struct hp_ctx c = { 0 };
	struct vg_vif vif = { 0 };
	struct vg_resolution res;
	struct hp_vars v = { 0 };
	struct owner own;
	bool explicit_dev, tap, online;
	char err[VG_ERRLEN], aerr[VG_ERRLEN + IF_NAMESIZE + 4];
	int i, ret, cret;

	for (i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(vg_help_hotplug, stdout);
			return EXIT_SUCCESS;
		} else if (!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) {
			if (++i == argc) {
				say(LOG_ERR, "hotplug: %s needs a file", argv[i - 1]);
				return EXIT_USAGE;
			}
			cfgopt = argv[i];
		} else if (eq && eq != argv[i]) {
			if (v.n == HP_MAX_VARS) {
				say(LOG_ERR, "hotplug: too many NAME=VALUE arguments");
				return EXIT_USAGE;
			}
			*eq = '\0';
			v.name[v.n] = argv[i];
			v.value[v.n++] = eq + 1;
		} else if (!command) {
			command = argv[i];
		} else {
			say(LOG_ERR, "hotplug: unexpected argument '%s'", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (!command)
		command = hp_get(&v, "command");
	if (!command || (strcmp(command, "online") && strcmp(command, "offline") &&
			 strcmp(command, "add") && strcmp(command, "remove"))) {
		say(LOG_ERR, "hotplug: expected online, offline, add or remove, got '%s'",
		    command ? command : "");
		return EXIT_USAGE;
	}
	type_if = hp_get(&v, "type_if");
	if (!type_if)
		type_if = "vif";
	tap = !strcmp(type_if, "tap");
	if (!tap && strcmp(type_if, "vif")) {
		say(LOG_ERR, "hotplug: type_if: expected vif or tap, got '%s'", type_if);
		return EXIT_USAGE;
	}
	/* vif-common.sh: online/offline are for the PV device, add/remove
	 * for the emulated one; the other pairing is a no-op. */
	online = !strcmp(command, "online") || !strcmp(command, "add");
	if (tap != (!strcmp(command, "add") || !strcmp(command, "remove")))
		return EXIT_SUCCESS;

	dev = hp_get(&v, "dev");
	explicit_dev = dev != NULL;
	if (!dev)
		dev = hp_get(&v, tap ? "INTERFACE" : "vif");
	if (!dev) {
		say(LOG_ERR, "hotplug: no device: set %s (or dev=)", tap ? "INTERFACE" : "vif");
		return EXIT_USAGE;
	}
	if (strlen(dev) >= IF_NAMESIZE) {
		say(LOG_ERR, "hotplug: '%s': interface name too long", dev);
		return EXIT_USAGE;
	}

	xbpath = hp_get(&v, "XENBUS_PATH");
	if (xbpath) {
		if (vg_backend_path_parse(xbpath, abs, sizeof(abs), &vif.domid, &vif.devid)) {
			say(LOG_ERR, "%s: XENBUS_PATH '%s' is not a vif backend path", dev, xbpath);
			if (online)
				return EXIT_USAGE;
			xbpath = NULL;
		}
	} else if (vg_ifname_parse(dev, &vif.domid, &vif.devid) == 0) {
		snprintf(abs, sizeof(abs), "/local/domain/0/backend/vif/%u/%u",
			 vif.domid, vif.devid);
		xbpath = abs;
	} else if (online) {
		say(LOG_ERR, "%s: no XENBUS_PATH and not a Xen device name", dev);
		return EXIT_USAGE;
	}

	if (!online) {
		/* Offline needs no policy, only names: the device's, and the
		 * vifname= one when xenstore can tell.  Never an error when
		 * there is nothing to remove. */
		c.cfgpath = config_path(cfgopt);
		if (xbpath && vg_xs_open(&c.xs, err, sizeof(err)) == 0) {
			char *vn;

			snprintf(path, sizeof(path), "%s/vifname", abs);
			vn = vg_xs_read(&c.xs, path);
			if (vn && *vn && !explicit_dev)
				snprintf(alt, sizeof(alt), "%s%s", vn, tap ? "-emu" : "");
			if (alt[0] && vg_ifname_check(alt)) {
				say(LOG_ERR, "%s: %s: '%s': not a valid interface name, ignored",
				    dev, path, vn);
				alt[0] = '\0';
			}
			free(vn);
			vg_xs_close(&c.xs);
		}
		ret = vg_state_detach_root(vg_cli_ctx(), dev, err, sizeof(err));
		if (!ret && alt[0] && strcmp(alt, dev))
			ret = vg_state_detach_root(vg_cli_ctx(), alt, err, sizeof(err));
		if (ret) {
			say(LOG_ERR, "%s: %s", dev, err);
			return EXIT_FAILURE;
		}
		note("%s: %s: filter removed", dev, command);
		print_done(dev, "detach", "detached");
		return EXIT_SUCCESS;
	}

	c.cfgpath = config_path(cfgopt);
	if (ctx_open(&c, dev))
		return EXIT_FAILURE;
	/* Xen's scripts rename the device to vifname= during online; called
	 * before that, the old name is still the one that exists. */
	if (!explicit_dev && !netdev_exists(dev)) {
		char *vn;

		snprintf(path, sizeof(path), "%s/vifname", abs);
		vn = vg_xs_read(&c.xs, path);
		if (vn && *vn) {
			snprintf(alt, sizeof(alt), "%s%s", vn, tap ? "-emu" : "");
			if (vg_ifname_check(alt))
				say(LOG_ERR, "%s: %s: '%s': not a valid interface name, ignored",
				    dev, path, vn);
			else if (netdev_exists(alt))
				dev = alt;
		}
		free(vn);
	}
	cret = hp_resolve(&c, &vif, dev, &res);
	ret = apply(dev, &res, &own, aerr, sizeof(aerr));
	if (ret) {
		say(LOG_ERR, "%s", aerr);
	} else {
		if (own.kept)
			print_kept(dev, &own.pol, "keep", true);
		else
			print_result(dev, &res, "apply", true);
		if (vg_json)
			putchar('\n');
	}
	/* A kept policy owes nothing to the config file. */
	if (own.kept)
		cret = 0;
	if (cret) {
		/* Last: the vif scripts put the last line in hotplug-error. */
		fflush(stdout);
		say(LOG_ERR, "%s: %s", dev, resolve_error(&c, &res));
	}
	ctx_close(&c);
	return ret || cret ? EXIT_FAILURE : EXIT_SUCCESS;
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

int vg_cmd_setup_vif_rules(int argc, char **argv)
{
	char priv[VG_XS_PATHLEN], hotplug[VG_XS_PATHLEN], err[VG_ERRLEN];
	char aerr[VG_ERRLEN + IF_NAMESIZE + 4];
	const char *cfgopt = NULL, *dev, *action;
	struct hp_ctx c = { 0 };
	struct vg_port port = { .xs = &c.xs, .say = say };
	struct vg_vif vif = { 0 };
	struct vg_resolution res;
	struct owner own;
	unsigned int devid;
	enum vg_netmode mode;
	char *bridge = NULL, *end;
	bool filter, on_bridge;
	int i, ret, cret = 0;

	i = 1;
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(vg_help_setup_vif_rules, stdout);
		return EXIT_SUCCESS;
	}
	if (argc > 2 && (!strcmp(argv[1], "-c") || !strcmp(argv[1], "--config"))) {
		cfgopt = argv[2];
		i = 3;
	}
	if (argc - i != 5) {
		say(LOG_ERR, "setup-vif-rules: expected XENOPSD-BACKEND DEV VM-UUID DEVID filter|clear");
		return EXIT_USAGE;
	}
	dev = argv[i + 1];
	action = argv[i + 4];
	filter = !strcmp(action, "filter");
	if (!filter && strcmp(action, "clear")) {
		say(LOG_ERR, "setup-vif-rules: %s: expected filter or clear, got '%s'", dev, action);
		return EXIT_USAGE;
	}
	if (strlen(dev) >= IF_NAMESIZE || vg_ifname_parse(dev, &vif.domid, &vif.devid)) {
		say(LOG_ERR, "setup-vif-rules: '%s': expected vifDOMID.DEVID or tapDOMID.DEVID", dev);
		return EXIT_USAGE;
	}
	if (!vg_uuid_valid(argv[i + 2])) {
		say(LOG_ERR, "setup-vif-rules: %s: '%s' is not a VM UUID", dev, argv[i + 2]);
		return EXIT_USAGE;
	}
	errno = 0;
	devid = strtoul(argv[i + 3], &end, 10);
	if (errno || *end || end == argv[i + 3] || devid != vif.devid) {
		say(LOG_ERR, "setup-vif-rules: %s: DEVID '%s' does not match the device",
		    dev, argv[i + 3]);
		return EXIT_USAGE;
	}
	for (int k = 0; k < VG_UUID_STRLEN; k++)
		vif.vm_uuid[k] = (char)(argv[i + 2][k] | 0x20);	/* hex and '-' only */
	vif.vm_uuid[VG_UUID_STRLEN] = '\0';

	c.cfgpath = config_path(cfgopt);
	if (ctx_open(&c, dev))
		return EXIT_FAILURE;
	xapi_paths(dev, &vif, priv, sizeof(priv), hotplug, sizeof(hotplug));
	mode = vg_net_mode();

	if (!filter) {
		/* Off the network first, then the filter goes; a port that
		 * could not leave its bridge keeps its filter. */
		if (mode == VG_NET_OPENVSWITCH)
			ret = vg_port_ovs_del(&port, dev, priv, hotplug);
		else
			ret = vg_port_bridge_del(&port, dev);
		if (ret) {
			say(LOG_ERR, "%s: clear: still on its bridge; the filter stays", dev);
		} else if (vg_state_detach_root(vg_cli_ctx(), dev, err, sizeof(err))) {
			say(LOG_ERR, "%s: %s", dev, err);
			ret = -EIO;
		}
		if (!ret) {
			note("%s: clear: filter removed, off the bridge", dev);
			print_done(dev, "clear", "cleared");
		}
		ctx_close(&c);
		return ret ? EXIT_FAILURE : EXIT_SUCCESS;
	}

	/* The filter first: the port joins the bridge only once its frames
	 * are checked, and leaves it with the filter already dropping.  A
	 * policy set by vifguard attach stays; the bridge is XAPI's
	 * business still. */
	cret = hp_resolve(&c, &vif, dev, &res);
	ret = apply(dev, &res, &own, aerr, sizeof(aerr));
	if (ret) {
		say(LOG_ERR, "%s", aerr);
		goto out;
	}
	if (own.kept)
		cret = 0;
	on_bridge = !(res.decision == VG_DECISION_FILTER && res.spec.mode == VG_MODE_DISABLED);
	if (on_bridge) {
		bridge = xs_get(&c, priv, "bridge");
		if (!bridge || !*bridge) {
			say(LOG_ERR, "%s: %s/bridge: missing, cannot put the VIF on its network",
			    dev, priv);
			ret = -ENOENT;
			goto out;
		}
		/* It becomes a /sys path, an ifr_name or an ovs-vsctl
		 * argument: refused before any of them, the VIF stays off
		 * the network. */
		if (vg_ifname_check(bridge)) {
			say(LOG_ERR, "%s: %s/bridge: '%s': not a valid bridge name, cannot put the VIF on its network",
			    dev, priv, bridge);
			ret = -EINVAL;
			goto out;
		}
		if (mode == VG_NET_OPENVSWITCH)
			ret = vg_port_ovs_add(&port, dev, bridge, &vif, priv, hotplug);
		else
			ret = vg_port_bridge_add(&port, dev, bridge);
	} else {
		/* Disabled: no traffic either way, as with xenopsd's script. */
		if (mode == VG_NET_OPENVSWITCH)
			ret = vg_port_ovs_del(&port, dev, priv, hotplug);
		else
			ret = vg_port_bridge_del(&port, dev);
	}
	if (ret)
		goto out;
	/* xenopsd's vif script leaves a new port down for this script to
	 * bring up; an existing port is up already and stays so. */
	ret = vg_net_link_up(dev);
	if (ret) {
		say(LOG_ERR, "%s: cannot bring the link up: %s", dev, strerror(-ret));
		goto out;
	}
	if (own.kept)
		print_kept(dev, &own.pol, "keep", true);
	else
		print_result(dev, &res, "apply", true);
	if (vg_json)
		putchar('\n');
	ret = cret;
	if (cret) {
		fflush(stdout);
		say(LOG_ERR, "%s: %s", dev, resolve_error(&c, &res));
	}
out:
	free(bridge);
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
		    const char *ifname, bool dry, bool *first)
{
	struct vg_vif vif = { .domid = domid, .devid = devid };
	char err[VG_ERRLEN + IF_NAMESIZE + 4], eerr[4 * sizeof(err)];
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
		print_kept(ifname, &own.pol, dry ? "dry-run" : "keep", *first);
	} else if (!ret) {
		print_result(ifname, &res, dry ? "dry-run" : "apply", *first);
	} else if (vg_json) {
		/* Under -j every interface is an element of the one array. */
		printf("%s{\"ifname\":", *first ? "" : ",");
		vg_json_escape(stdout, ifname);
		printf(",\"action\":\"apply\",\"error\":");
		vg_json_escape(stdout, err);
		printf("}");
		syslog(LOG_ERR, "%s", vg_escape_text(eerr, sizeof(eerr), err));
	} else {
		say(LOG_ERR, "%s", err);
	}
	*first = false;
	/* A kept policy owes nothing to the config file. */
	return ret ? ret : own.kept ? 0 : cret;
}

struct sync_walk {
	bool dry, first;
	unsigned int failed;
};

static int sync_name(struct hp_ctx *c, unsigned int domid, unsigned int devid,
		     const char *ifname, void *arg)
{
	struct sync_walk *w = arg;

	w->failed += sync_one(c, domid, devid, ifname, w->dry, &w->first) != 0;
	return 0;
}

int vg_cmd_sync(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sync_walk w = { .dry = false, .first = true };
	const char *cfgopt = NULL;
	struct hp_ctx c = { 0 };
	unsigned int seen;
	int o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "+c:nh", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			cfgopt = optarg;
			break;
		case 'n':
			w.dry = true;
			break;
		case 'h':
			fputs(vg_help_sync, stdout);
			return EXIT_SUCCESS;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		say(LOG_ERR, "sync: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	c.cfgpath = config_path(cfgopt);
	if (ctx_open(&c, NULL))
		return EXIT_FAILURE;

	if (vg_json)
		putchar('[');
	seen = for_each_vif_name(&c, sync_name, &w, &w.failed);
	if (vg_json)
		puts("]");
	ctx_close(&c);
	if (!seen && !vg_json)
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
static void print_release(const char *ifname, const struct vg_resolution *r, const char *what,
			  const char *desc, bool dry)
{
	char ename[4 * IF_NAMESIZE], edesc[4 * (VG_XS_PATHLEN + 128)];

	if (vg_json) {
		print_result(ifname, r, dry ? "dry-run" : "release", true);
		putchar('\n');
		return;
	}
	printf("%s: %s: %s%s\n", vg_escape_text(ename, sizeof(ename), ifname), what,
	       vg_escape_text(edesc, sizeof(edesc), desc), dry ? " (dry run)" : "");
}

enum { OPT_DETACH = 256 };

int vg_cmd_release(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "detach", no_argument, NULL, OPT_DETACH },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cfgopt = NULL, *ifname = NULL, *extra = NULL;
	char desc[VG_XS_PATHLEN + 128], aerr[VG_ERRLEN];
	struct find_vif f = { 0 };
	struct hp_ctx c = { 0 };
	struct vg_vif vif = { 0 };
	struct vg_resolution res;
	struct owner own = { 0 };
	bool dry = false, detach = false, filter;
	int o, ret = 0, cret;

	opterr = 0;
	optind = 0;
	/* '-': IFACE may stand anywhere, as with attach. */
	while ((o = getopt_long(argc, argv, "-:c:nh", opts, NULL)) != -1) {
		switch (o) {
		case 1:
			if (!ifname)
				ifname = optarg;
			else if (!extra)
				extra = optarg;
			break;
		case 'c':
			cfgopt = optarg;
			break;
		case 'n':
			dry = true;
			break;
		case OPT_DETACH:
			detach = true;
			break;
		case 'h':
			fputs(vg_help_release, stdout);
			return EXIT_SUCCESS;
		case ':':
			vg_error("release: %s needs an argument", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			if (optopt)
				vg_error("release: unknown option '-%c'", optopt);
			else
				vg_error("release: unknown option '%s'", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	for (; optind < argc; optind++) {	/* after "--" */
		if (!ifname)
			ifname = argv[optind];
		else if (!extra)
			extra = argv[optind];
	}
	if (!ifname) {
		vg_error("release: missing IFACE (vifguard help release)");
		return EXIT_USAGE;
	}
	if (extra) {
		vg_error("release: unexpected argument '%s'", extra);
		return EXIT_USAGE;
	}
	if (!*ifname || strlen(ifname) >= IF_NAMESIZE) {
		vg_error("%s: not an interface name (1..%d characters)", ifname, IF_NAMESIZE - 1);
		return EXIT_USAGE;
	}
	if (!netdev_exists(ifname)) {
		vg_error("%s: cannot release: %s", ifname, strerror(ENODEV));
		return EXIT_FAILURE;
	}

	c.cfgpath = config_path(cfgopt);
	if (ctx_open(&c, ifname))
		return EXIT_FAILURE;
	/* The names sync would find it under first (a vifname= rename), then
	 * the name itself. */
	f.ifname = ifname;
	for_each_vif_name(&c, match_name, &f, NULL);
	if (!f.found && vg_ifname_parse(ifname, &f.domid, &f.devid) == 0)
		f.found = true;
	if (!f.found) {
		say(LOG_ERR, "%s: cannot release: not a Xen guest interface (no backend in "
		    "xenstore names it); `vifguard detach %s` removes its filter", ifname, ifname);
		ctx_close(&c);
		return EXIT_FAILURE;
	}
	vif.domid = f.domid;
	vif.devid = f.devid;
	cret = hp_resolve(&c, &vif, ifname, &res);
	filter = res.decision == VG_DECISION_FILTER;
	if (dry) {
		own.had = policy_in_force(ifname, &own.pol);
		own.kept = own.had && !filter && !detach;
	} else {
		ret = apply_owned(ifname, &res, detach ? OWN_RELEASE_DETACH : OWN_RELEASE, &own,
				  aerr, sizeof(aerr));
	}
	if (res.failed_closed && !own.kept)
		warn_closed("%s: %s; interface %sdisabled (drops every frame)", ifname,
			    res.reason, dry ? "would be " : "");
	if (ret) {
		say(LOG_ERR, "%s: %s", ifname, aerr);
		ctx_close(&c);
		return EXIT_FAILURE;
	}
	describe(&res, desc, sizeof(desc));
	if (own.kept) {
		/* No source has a policy: the filter is not removed unasked. */
		say(LOG_ERR, "%s: not released: %s; its filter (%s, set by %s) stays: "
		    "`vifguard release --detach %s` removes it", ifname, desc,
		    mode_name(own.pol.mode),
		    own.pol.flags & VG_F_OPERATOR ? "vifguard attach" : "its sources", ifname);
		ctx_close(&c);
		return EXIT_FAILURE;
	}
	if (filter) {
		print_release(ifname, &res, dry ? "would be released" : "released", desc, dry);
	} else if (own.had) {
		strncat(desc, ", filter removed", sizeof(desc) - strlen(desc) - 1);
		print_release(ifname, &res, dry ? "would be released" : "released", desc, dry);
	} else {
		strncat(desc, ", no filter", sizeof(desc) - strlen(desc) - 1);
		print_release(ifname, &res, "nothing to release", desc, dry);
	}
	if (!dry && (filter || own.had))
		note("%s: released: %s", ifname, desc);
	if (cret) {
		fflush(stdout);
		say(LOG_ERR, "%s: %s", ifname, resolve_error(&c, &res));
	}
	ctx_close(&c);
	return cret ? EXIT_FAILURE : EXIT_SUCCESS;
}
