/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The command line over the state library (state.h): global options,
 * the command table (each row declares its options, cli_args.h) and the
 * core commands.  The run's output and errors: cli_out.h.
 */
#ifndef VG_CLI_H
#define VG_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include <stdint.h>

#include "cli_args.h"
#include "cli_out.h"
#include "policy.h"
#include "state.h"

#define VG_ROOT_DEFAULT		"/sys/fs/bpf/vifguard"

#define EXIT_USAGE		2

/* ---- global options (set by the command line before a command runs) ---- */

extern bool vg_debug;		/* -d: libbpf's log on stderr */
extern const char *vg_root_opt;	/* -r DIR, or NULL */

/* The root directory: -r, else $VIFGUARD_ROOT, else the default. */
const char *vg_root(void);

/*
 * The state library's context for this run: the root of vg_root(), -d,
 * $VIFGUARD_LOCK_TIMEOUT, and the lock-wait notice on stderr.
 */
const struct vg_ctx *vg_cli_ctx(void);

/* ifname went with n learned addresses that a full parked map could not
 * keep for its VM's return: said (syslog, stderr) when n > 0. */
void vg_warn_unparked(const char *ifname, unsigned int n);

/* ---- the command table ------------------------------------------------------ */

#define VG_CMD_SYSLOG	0x1	/* usage errors to syslog too (run by Xen's scripts) */

struct vg_cmd {
	const char *name;
	/* Runs with the parsed line (args->size bytes) and the run's
	 * output; returns the exit status (EXIT_SUCCESS, EXIT_FAILURE,
	 * EXIT_USAGE). */
	int (*fn)(struct vg_out *out, void *opts);
	const char *summary;	/* one line for `vifguard help` */
	const char *help;	/* `vifguard help NAME`, NAME --help */
	const struct vg_args *args;	/* its options and positions */
	unsigned int flags;
};

/* The table in cli.c, ended by a NULL name. */
extern const struct vg_cmd vg_cmds[];
const struct vg_cmd *vg_cmd_find(const char *name);

/* The whole command line: global options, then the command. */
int vg_main(int argc, char **argv);

/* The core commands: attach, detach and gc (commands.c), show and stats
 * (commands_show.c). */
int vg_cmd_attach(struct vg_out *out, void *opts);
int vg_cmd_detach(struct vg_out *out, void *opts);
int vg_cmd_show(struct vg_out *out, void *opts);
int vg_cmd_stats(struct vg_out *out, void *opts);
int vg_cmd_gc(struct vg_out *out, void *opts);
extern const char vg_help_attach[], vg_help_detach[], vg_help_show[],
	vg_help_stats[], vg_help_gc[];

/* dump [MAP]: the pinned maps decoded (commands_dump.c). */
int vg_cmd_dump(struct vg_out *out, void *opts);
extern const char vg_help_dump[];
extern const struct vg_args vg_args_dump;

/* metrics [-o FILE]: the counters for Prometheus (commands_metrics.c). */
int vg_cmd_metrics(struct vg_out *out, void *opts);
extern const char vg_help_metrics[];
extern const struct vg_args vg_args_metrics;

/* monitor [IFACE...]: drop events as they come (commands_monitor.c). */
int vg_cmd_monitor(struct vg_out *out, void *opts);
extern const char vg_help_monitor[];
extern const struct vg_args vg_args_monitor;

/* upgrade [--check]: this build takes the pinned state over
 * (commands_upgrade.c). */
int vg_cmd_upgrade(struct vg_out *out, void *opts);
extern const char vg_help_upgrade[];
extern const struct vg_args vg_args_upgrade;

/* detach and gc (commands_detach.c); show and stats (their options:
 * cli_list.h). */
extern const struct vg_args vg_args_detach, vg_args_gc;
extern const struct vg_args vg_args_show, vg_args_stats;

/* detach IFACE | --all */
struct vg_detach_args {
	const char *ifname;
	bool all;
};

/* gc [--orphans] */
struct vg_gc_args {
	bool orphans;
};

/*
 * attach's command line, parsed and checked without touching anything
 * (unit-tested).  Returns 0, or -EINVAL with "ARG: cause" in err (a usage
 * error: exit 2).  A bare IFACE is required; its existence is checked
 * by the caller.
 */
struct vg_attach_args {
	struct vg_spec spec;
	struct vg_apply_opts opts;
	bool help;
	const char *ifname;	/* IFACE as given */
	bool mode_set;		/* --mode seen */
	bool learn_set;		/* --learn seen */
	bool learn_dhcp;	/* --learn dhcp: the DHCP client exception too */
	bool no_dhcp;		/* --no-dhcp seen */
	bool force;		/* --force: no guard rails (guard.h) */
	bool dry_run;		/* --dry-run */
};
extern const struct vg_args vg_args_attach;
int vg_attach_parse(int argc, char **argv, struct vg_attach_args *a, char *err, size_t errlen);

/* set (commands_set.c), and attach --dry-run: what attach would change
 * on ifindex, printed; nothing written. */
int vg_cmd_set(struct vg_out *out, void *opts);
extern const char vg_help_set[];
extern const struct vg_args vg_args_set;
int vg_attach_dry_run(struct vg_out *out, const struct vg_attach_args *a, uint32_t ifindex);

/* Shared by show and attach: the attach method's name. */
const char *vg_attach_method(uint32_t attach);

#endif /* VG_CLI_H */
