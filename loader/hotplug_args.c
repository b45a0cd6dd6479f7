// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The command lines of the Xen entry points, their help and their
 * declarations for the one parser (cli_args.h) and checked whole before xenstore or any state is
 * opened: hotplug's NAME=VALUE words as Xen's vif scripts pass them,
 * setup-vif-rules' five fixed positions as xenopsd passes them, sync's
 * and release's options.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>

#include "config.h"
#include "hotplug.h"
#include "sanitize.h"

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
"from its sources, e.g. after a restart or an upgrade, under one lock of\n"
"the state: a policy in force as decided is left untouched, the updates\n"
"share their grace periods.  An interface that fails is reported (its old\n"
"policy or the new one in force, never a mix); the others are applied.\n"
"--dry-run prints the decisions without changing anything.\n"
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

#define CONFIG_OPT(type) \
	{ "config", 'c', "FILE", VG_OPT_STRING, offsetof(type, config), NULL, \
	  "configuration file (default $VIFGUARD_CONFIG, then\n" VG_CONFIG_DEFAULT ")" }
#define DRY_RUN_OPT(type) \
	{ "dry-run", 'n', NULL, VG_OPT_FLAG, offsetof(type, dry_run), NULL, \
	  "print the decisions, change nothing" }
#define OPT_END { NULL, 0, NULL, 0, 0, NULL, NULL }
#define POS_END { NULL, 0, 0 }

/* ---- hotplug ---------------------------------------------------------------- */

const char *vg_hotplug_var(const struct vg_hotplug_args *a, const char *name)
{
	const char *env;
	size_t i;

	/* NAME=VALUE arguments win over the environment, as in Xen's scripts. */
	for (i = a->n_vars; i-- > 0;)
		if (!strcmp(a->var_name[i], name))
			return *a->var_value[i] ? a->var_value[i] : NULL;
	env = getenv(name);
	return env && *env ? env : NULL;
}

/* A NAME=VALUE word (a name of at least one character). */
static int hotplug_word(void *o, char *w, char *err, size_t errlen)
{
	struct vg_hotplug_args *a = o;
	char *eq = strchr(w, '=');

	if (!eq || eq == w)
		return 0;
	if (a->n_vars == VG_HP_MAX_VARS) {
		snprintf(err, errlen, "hotplug: too many NAME=VALUE arguments");
		return -EINVAL;
	}
	*eq = '\0';
	a->var_name[a->n_vars] = w;
	a->var_value[a->n_vars++] = eq + 1;
	return 1;
}

static int hotplug_check(void *o, char *err, size_t errlen)
{
	struct vg_hotplug_args *a = o;
	const char *cmd = a->command ? a->command : vg_hotplug_var(a, "command");

	if (!cmd || (strcmp(cmd, "online") && strcmp(cmd, "offline") && strcmp(cmd, "add") &&
		     strcmp(cmd, "remove"))) {
		snprintf(err, errlen, "hotplug: expected online, offline, add or remove, got '%s'",
			 cmd ? cmd : "");
		return -EINVAL;
	}
	a->command = cmd;
	a->type_if = vg_hotplug_var(a, "type_if");
	if (!a->type_if)
		a->type_if = "vif";
	if (strcmp(a->type_if, "tap") && strcmp(a->type_if, "vif")) {
		snprintf(err, errlen, "hotplug: type_if: expected vif or tap, got '%s'", a->type_if);
		return -EINVAL;
	}
	return 0;
}

static const struct vg_opt hotplug_opts[] = {
	CONFIG_OPT(struct vg_hotplug_args),
	OPT_END,
};

static const struct vg_pos hotplug_pos[] = {
	{ "online|offline|add|remove", offsetof(struct vg_hotplug_args, command),
	  VG_POS_OPTIONAL },
	POS_END,
};

const struct vg_args vg_args_hotplug = {
	.size = sizeof(struct vg_hotplug_args), .opts = hotplug_opts, .pos = hotplug_pos,
	.word = hotplug_word, .check = hotplug_check,
};

/* ---- setup-vif-rules ------------------------------------------------------- */

static int setup_check(void *o, char *err, size_t errlen)
{
	struct vg_setup_args *a = o;
	unsigned long devid;
	char *end;
	int k;

	a->filter = !strcmp(a->action, "filter");
	if (!a->filter && strcmp(a->action, "clear")) {
		snprintf(err, errlen, "setup-vif-rules: %s: expected filter or clear, got '%s'",
			 a->dev, a->action);
		return -EINVAL;
	}
	if (strlen(a->dev) >= IF_NAMESIZE ||
	    vg_ifname_parse(a->dev, &a->vif.domid, &a->vif.devid)) {
		snprintf(err, errlen, "setup-vif-rules: '%s': expected vifDOMID.DEVID or "
			 "tapDOMID.DEVID", a->dev);
		return -EINVAL;
	}
	if (!vg_uuid_valid(a->uuid)) {
		snprintf(err, errlen, "setup-vif-rules: %s: '%s' is not a VM UUID", a->dev, a->uuid);
		return -EINVAL;
	}
	errno = 0;
	devid = strtoul(a->devid, &end, 10);
	if (errno || *end || end == a->devid || devid != a->vif.devid) {
		snprintf(err, errlen, "setup-vif-rules: %s: DEVID '%s' does not match the device",
			 a->dev, a->devid);
		return -EINVAL;
	}
	for (k = 0; k < VG_UUID_STRLEN; k++)
		a->vif.vm_uuid[k] = (char)(a->uuid[k] | 0x20);	/* hex and '-' only */
	a->vif.vm_uuid[VG_UUID_STRLEN] = '\0';
	return 0;
}

static const struct vg_opt setup_opts[] = {
	CONFIG_OPT(struct vg_setup_args),
	OPT_END,
};

static const struct vg_pos setup_pos[] = {
	{ "XENOPSD-BACKEND", offsetof(struct vg_setup_args, backend), 0 },
	{ "DEV", offsetof(struct vg_setup_args, dev), 0 },
	{ "VM-UUID", offsetof(struct vg_setup_args, uuid), 0 },
	{ "DEVID", offsetof(struct vg_setup_args, devid), 0 },
	{ "filter|clear", offsetof(struct vg_setup_args, action), 0 },
	POS_END,
};

const struct vg_args vg_args_setup_vif_rules = {
	.size = sizeof(struct vg_setup_args), .opts = setup_opts, .pos = setup_pos,
	.check = setup_check,
	.count_error = "setup-vif-rules: expected XENOPSD-BACKEND DEV VM-UUID DEVID filter|clear",
};

/* ---- sync, release ---------------------------------------------------------- */

static const struct vg_opt sync_opts[] = {
	CONFIG_OPT(struct vg_sync_args),
	DRY_RUN_OPT(struct vg_sync_args),
	OPT_END,
};

const struct vg_args vg_args_sync = {
	.size = sizeof(struct vg_sync_args), .opts = sync_opts,
};

static const struct vg_opt release_opts[] = {
	CONFIG_OPT(struct vg_release_args),
	DRY_RUN_OPT(struct vg_release_args),
	{ "detach", 0, NULL, VG_OPT_FLAG, offsetof(struct vg_release_args, detach), NULL,
	  "remove the filter when no source has a policy for IFACE" },
	OPT_END,
};

static const struct vg_pos release_pos[] = {
	{ "IFACE", offsetof(struct vg_release_args, ifname), VG_POS_IFACE },
	POS_END,
};

const struct vg_args vg_args_release = {
	.size = sizeof(struct vg_release_args), .opts = release_opts, .pos = release_pos,
};
