// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Xen entry points: the hotplug command run by the vif-post.d hook and the
 * vif-vifguard-* scripts (libxl), the setup-vif-rules drop-in (xenopsd),
 * sync and release.  Each decides the policy from its sources (source.c)
 * and hands it to the core, which attaches or updates in place.

 *
 * This file: the hotplug command, online/add (decide and apply) and
 * offline/remove (detach).  setup-vif-rules is in hotplug_setup.c, sync
 * and release in hotplug_sync.c, what they share in hotplug_apply.c.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>

#include "cli.h"
#include "hotplug.h"
#include "hotplug_int.h"
#include "sanitize.h"

/* ---- hotplug ------------------------------------------------------------- */

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
		vg_out_errlog(out, VG_E_USAGE, "hotplug: no device: set %s (or dev=)",
			      t->tap ? "INTERFACE" : "vif");
		return EXIT_USAGE;
	}
	if (strlen(t->dev) >= IF_NAMESIZE) {
		vg_out_errlog(out, VG_E_USAGE, "hotplug: '%s': interface name too long", t->dev);
		return EXIT_USAGE;
	}
	t->xbpath = vg_hotplug_var(a, "XENBUS_PATH");
	if (t->xbpath) {
		if (vg_backend_path_parse(t->xbpath, t->abs, sizeof(t->abs), &t->vif.domid,
					  &t->vif.devid)) {
			vg_out_errlog(out, VG_E_USAGE,
				      "%s: XENBUS_PATH '%s' is not a vif backend path",
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
		vg_out_errlog(out, VG_E_USAGE,
			      "%s: no XENBUS_PATH and not a Xen device name", t->dev);
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
		vg_out_errlog(c->out, VG_E_XENSTORE,
			      "%s: %s: '%s': not a valid interface name, ignored",
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
	struct vg_xen_id id;
	unsigned int unparked = 0;
	bool known = false;
	char err[VG_ERRLEN];
	int ret;

	if (t->xbpath && vg_xs_open(&c->xs, err, sizeof(err)) == 0) {
		if (!t->explicit_dev)
			hp_vifname(c, t);
		/* Its VM, while xenstore still knows it: its leases are
		 * parked for its return. */
		known = !t->tap && hp_xen_id(c, &t->vif, &id);
		vg_xs_close(&c->xs);
	}
	ret = vg_state_detach_root(vg_cli_ctx(), t->dev, known ? &id : NULL, &unparked, err,
				   sizeof(err));
	if (!ret && t->alt[0] && strcmp(t->alt, t->dev))
		ret = vg_state_detach_root(vg_cli_ctx(), t->alt, known ? &id : NULL, &unparked,
					   err, sizeof(err));
	vg_warn_unparked(t->dev, unparked);
	if (ret) {
		vg_out_errlog(c->out, vg_errcode_of(ret), "%s: %s", t->dev, err);
		return EXIT_FAILURE;
	}
	note("%s: %s: filter removed", t->dev, command);
	hp_print_done(c->out, t->dev, "detach", "detached");
	return EXIT_SUCCESS;
}

/* online, add: decide from the sources and apply. */
static int hp_online(struct hp_ctx *c, struct hp_target *t)
{
	char aerr[VG_ERRLEN + IF_NAMESIZE + 4];
	struct vg_resolution res;
	struct hp_owner own;
	int ret, cret;

	if (hp_ctx_open(c, t->dev))
		return EXIT_FAILURE;
	/* Xen's scripts rename the device to vifname= during online; called
	 * before that, the old name is still the one that exists. */
	if (!t->explicit_dev && !hp_netdev_exists(t->dev)) {
		hp_vifname(c, t);
		if (t->alt[0] && hp_netdev_exists(t->alt))
			t->dev = t->alt;
	}
	cret = hp_resolve(c, &t->vif, t->dev, &res);
	ret = hp_apply(t->dev, &res, &own, aerr, sizeof(aerr));
	if (ret)
		vg_out_errlog(c->out, vg_errcode_of(ret), "%s", aerr);
	else
		hp_print_applied(c->out, t->dev, &res, &own);
	/* A kept policy owes nothing to the config file. */
	if (own.kept)
		cret = 0;
	if (cret) {
		/* Last: the vif scripts put the last line in hotplug-error. */
		fflush(stdout);
		vg_out_errlog(c->out, hp_resolve_code(&res), "%s: %s", t->dev,
			      hp_resolve_error(c, &res));
	}
	hp_ctx_close(c);
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
	c.cfgpath = vg_config_path(a->config);
	return t.online ? hp_online(&c, &t) : hp_offline(&c, &t, a->command);
}
