/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The command line over the state library (state.h): global options,
 * the one error printer, the command table and the core commands.
 */
#ifndef VG_CLI_H
#define VG_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"
#include "state.h"

#define VG_ROOT_DEFAULT		"/sys/fs/bpf/vifguard"

#define EXIT_USAGE		2

/* ---- global options (set by the command line before a command runs) ---- */

extern bool vg_json;		/* -j: JSON on stdout, errors included */
extern bool vg_debug;		/* -d: libbpf's log on stderr */
extern const char *vg_root_opt;	/* -r DIR, or NULL */

/* The root directory: -r, else $VIFGUARD_ROOT, else the default. */
const char *vg_root(void);

/*
 * The state library's context for this run: the root of vg_root(), -d,
 * $VIFGUARD_LOCK_TIMEOUT, and the lock-wait notice on stderr.
 */
const struct vg_ctx *vg_cli_ctx(void);

/*
 * One error for the user: "vifguard: TEXT" on stderr, or under -j a JSON
 * object {"error": TEXT} on stdout.  Under -j print only one error per
 * run, and only before any other output.
 */
void vg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- the command table ------------------------------------------------------ */

struct vg_cmd {
	const char *name;
	/* argv[0] is the command name; getopt users reset optind.
	 * Returns the exit status (EXIT_SUCCESS, EXIT_FAILURE, EXIT_USAGE). */
	int (*fn)(int argc, char **argv);
	const char *summary;	/* one line for `vifguard help` */
	const char *help;	/* `vifguard help NAME`, NAME --help */
};

/* The table in cli.c, ended by a NULL name. */
extern const struct vg_cmd vg_cmds[];
const struct vg_cmd *vg_cmd_find(const char *name);

/* The whole command line: global options, then the command. */
int vg_main(int argc, char **argv);

/* The core commands (commands.c). */
int vg_cmd_attach(int argc, char **argv);
int vg_cmd_detach(int argc, char **argv);
int vg_cmd_show(int argc, char **argv);
int vg_cmd_stats(int argc, char **argv);
int vg_cmd_gc(int argc, char **argv);
extern const char vg_help_attach[], vg_help_detach[], vg_help_show[],
	vg_help_stats[], vg_help_gc[];

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
};
int vg_attach_parse(int argc, char **argv, struct vg_attach_args *a, char *err, size_t errlen);

#endif /* VG_CLI_H */
