/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What a command's line may hold, declared in its row (xdp-tools'
 * struct prog_option): options with where their value goes in the
 * command's own options struct, and positional arguments.  One parser,
 * vg_args_parse(), reads every command's line, so usage errors and
 * --help are the same everywhere.
 */
#ifndef VG_CLI_ARGS_H
#define VG_CLI_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum vg_opt_kind {
	VG_OPT_FLAG,		/* bool at off, set to true */
	VG_OPT_STRING,		/* const char * at off, the value as given */
	VG_OPT_FN,		/* fn parses the value (NULL for no value) */
};

struct vg_opt {
	const char *name;	/* --name */
	int short_name;		/* -x, or 0 */
	const char *arg;	/* the value, as help names it; NULL: none */
	enum vg_opt_kind kind;
	size_t off;		/* FLAG, STRING: in the options struct */
	/* FN: 0, or -EINVAL with the cause in err ("--NAME VALUE: " is
	 * put in front of it). */
	int (*fn)(void *opts, const char *arg, char *err, size_t errlen);
	const char *help;
};

#define VG_POS_OPTIONAL	0x1	/* may be missing */
#define VG_POS_IFACE	0x2	/* an interface name (1..15 characters) */

struct vg_pos {
	const char *name;	/* IFACE, COMMAND ... ("missing NAME") */
	size_t off;		/* const char * in the options struct */
	unsigned int flags;
};

struct vg_args {
	size_t size;			/* of the options struct */
	void (*init)(void *opts);	/* defaults after zeroing, or NULL */
	const struct vg_opt *opts;	/* ended by a NULL name; --help is implied */
	const struct vg_pos *pos;	/* ended by a NULL name, or NULL */
	/* A word that is no option, before it is taken as a position:
	 * 1 taken, 0 not, -EINVAL with the whole message in err. */
	int (*word)(void *opts, char *word, char *err, size_t errlen);
	/* The whole line once parsed: 0, or -EINVAL with the whole
	 * message in err.  Or NULL. */
	int (*check)(void *opts, char *err, size_t errlen);
	/* The message of too few or too many positions, instead of
	 * "CMD: missing NAME" / "CMD: unexpected argument 'W'". */
	const char *count_error;
	/* Options only, up to the first other word (the global options):
	 * *next is its index. */
	bool stop_at_word;
};

#define VG_ARGS_HELP 1

/*
 * Parses argv[1..] (argv[0] names the command, cmd in messages; NULL:
 * no "CMD: " in front) into opts.  Returns 0, VG_ARGS_HELP for -h or
 * --help (nothing else checked), or -EINVAL with "what: why" in err:
 * a usage error, exit 2.  getopt's state is reset first.
 */
int vg_args_parse(const char *cmd, const struct vg_args *a, int argc, char **argv,
		  void *opts, int *next, char *err, size_t errlen);

/*
 * The declared options with their help, one per line ("  --NAME ARG"
 * padded to width, then the help; a help of several lines is indented
 * under its first).  Nothing when no option has a help.
 */
void vg_args_help(FILE *f, const struct vg_opt *opts, int width);

#endif /* VG_CLI_ARGS_H */
