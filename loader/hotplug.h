/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The Xen entry points of the CLI:
 *   vifguard hotplug online|offline|add|remove [NAME=VALUE]...
 *   vifguard setup-vif-rules XENOPSD-BACKEND DEV VM-UUID DEVID filter|clear
 *   vifguard sync [--dry-run]
 *   vifguard release [--dry-run] [--detach] IFACE
 * Each takes [-c|--config FILE] (default $VIFGUARD_CONFIG, then
 * /etc/vifguard/vifguard.conf).  argv[0] is the command name.
 */
#ifndef VG_HOTPLUG_H
#define VG_HOTPLUG_H

int vg_cmd_hotplug(int argc, char **argv);
int vg_cmd_setup_vif_rules(int argc, char **argv);
int vg_cmd_sync(int argc, char **argv);
int vg_cmd_release(int argc, char **argv);

/* One-paragraph help of each, for `vifguard help COMMAND`. */
extern const char vg_help_hotplug[];
extern const char vg_help_setup_vif_rules[];
extern const char vg_help_sync[];
extern const char vg_help_release[];

#endif /* VG_HOTPLUG_H */
