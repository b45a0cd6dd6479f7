/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The Xen entry points of the CLI:
 *   vifguard hotplug online|offline|add|remove [NAME=VALUE]...
 *   vifguard setup-vif-rules XENOPSD-BACKEND DEV VM-UUID DEVID filter|clear
 *   vifguard sync [--dry-run]
 *   vifguard release [--dry-run] [--detach] IFACE
 * Each takes [-c|--config FILE] (default $VIFGUARD_CONFIG, then
 * /etc/vifguard/vifguard.conf).  Their command lines are declared and
 * checked in hotplug_args.c.
 */
#ifndef VG_HOTPLUG_H
#define VG_HOTPLUG_H

#include <stdbool.h>
#include <stddef.h>

#include "cli_args.h"
#include "cli_out.h"
#include "source.h"

int vg_cmd_hotplug(struct vg_out *out, void *opts);
int vg_cmd_setup_vif_rules(struct vg_out *out, void *opts);
int vg_cmd_sync(struct vg_out *out, void *opts);
int vg_cmd_release(struct vg_out *out, void *opts);
/* check-config [FILE] (check_config.c): the config file checked offline. */
int vg_cmd_check_config(struct vg_out *out, void *opts);

/* One-paragraph help of each, for `vifguard help COMMAND`. */
extern const char vg_help_hotplug[];
extern const char vg_help_setup_vif_rules[];
extern const char vg_help_sync[];
extern const char vg_help_release[];
extern const char vg_help_check_config[];

/* ---- their command lines (hotplug_args.c) ---- */

#define VG_HP_MAX_VARS 16

/* hotplug [-c FILE] [online|offline|add|remove] [NAME=VALUE]... */
struct vg_hotplug_args {
	const char *config;
	const char *command;	/* checked: online, offline, add or remove */
	const char *type_if;	/* checked: vif or tap */
	size_t n_vars;
	const char *var_name[VG_HP_MAX_VARS];
	const char *var_value[VG_HP_MAX_VARS];
};

/* NAME=VALUE from the command line, else from the environment; NULL
 * when unset or empty (as in Xen's scripts). */
const char *vg_hotplug_var(const struct vg_hotplug_args *a, const char *name);

/* setup-vif-rules [-c FILE] XENOPSD-BACKEND DEV VM-UUID DEVID filter|clear */
struct vg_setup_args {
	const char *config;
	const char *backend, *dev, *uuid, *devid, *action;
	bool filter;		/* filter, else clear */
	struct vg_vif vif;	/* from DEV, VM-UUID and DEVID, checked */
};

/* sync [-c FILE] [-n|--dry-run] */
struct vg_sync_args {
	const char *config;
	bool dry_run;
};

/* release [-c FILE] [-n|--dry-run] [--detach] IFACE */
struct vg_release_args {
	const char *config;
	bool dry_run, detach;
	const char *ifname;
};

extern const struct vg_args vg_args_hotplug, vg_args_setup_vif_rules, vg_args_sync,
	vg_args_release, vg_args_check_config;

#endif /* VG_HOTPLUG_H */
