// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The command line: global options, the command table, help, version,
 * and the one way errors are printed (text on stderr, or JSON on stdout
 * under -j, as bpftool does).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "hotplug.h"
#include "json.h"
#include "sanitize.h"

#ifndef VIFGUARD_VERSION
#define VIFGUARD_VERSION "unknown"
#endif

bool vg_json;
bool vg_debug;
const char *vg_root_opt;

const char *vg_root(void)
{
	const char *env;

	if (vg_root_opt && *vg_root_opt)
		return vg_root_opt;
	env = getenv("VIFGUARD_ROOT");
	return env && *env ? env : VG_ROOT_DEFAULT;
}

/* The lock-wait notice: on stderr, also under -j (stdout is the JSON). */
static void notice_stderr(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "vifguard: %s\n", msg);
}

const struct vg_ctx *vg_cli_ctx(void)
{
	static struct vg_ctx ctx;
	const char *env = getenv("VIFGUARD_LOCK_TIMEOUT");
	char *end;

	memset(&ctx, 0, sizeof(ctx));
	ctx.root = vg_root();
	ctx.debug = vg_debug;
	ctx.notice = notice_stderr;
	if (env && *env) {
		errno = 0;
		ctx.lock_timeout = strtol(env, &end, 10);
		if (errno || *end)
			ctx.lock_timeout = 0;	/* the library's default */
	}
	return &ctx;
}

void vg_error(const char *fmt, ...)
{
	char msg[1024], esc[4 * sizeof(msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (vg_json) {
		struct vg_json j;

		fflush(stdout);
		vg_json_init(&j, stdout);
		vg_json_object_start(&j);
		vg_json_kv_string(&j, "error", msg);
		vg_json_object_end(&j);
		fflush(stdout);
		return;
	}
	/* Names and values in msg may come from xenstore or the kernel:
	 * no forged lines, no terminal escapes. */
	fprintf(stderr, "vifguard: %s\n", vg_escape_text(esc, sizeof(esc), msg));
}

static int cmd_help(int argc, char **argv);

static const char help_help[] =
"Usage: vifguard help [COMMAND]\n"
"\n"
"Lists the commands, or shows the usage of one.\n";

/*
 * The command table.  Every command gets argv[0] = its name and returns
 * an exit status; its help text is printed by `vifguard help NAME`.
 */
const struct vg_cmd vg_cmds[] = {
	{ "attach", vg_cmd_attach,
	  "attach the filter to an interface, or update its policy in place",
	  vg_help_attach },
	{ "detach", vg_cmd_detach,
	  "remove the filter and every entry of an interface", vg_help_detach },
	{ "show", vg_cmd_show, "policies and attach state", vg_help_show },
	{ "stats", vg_cmd_stats, "passed frames and drops per reason", vg_help_stats },
	{ "gc", vg_cmd_gc, "remove the entries of interfaces that no longer exist",
	  vg_help_gc },
	/* ---- Xen commands: hotplug, setup-vif-rules, sync, release
	 * (loader/hotplug.c, declared in hotplug.h) are registered here. ---- */
	{ "hotplug", vg_cmd_hotplug,
	  "Xen vif hotplug entry point (online, offline, add, remove)",
	  vg_help_hotplug },
	{ "setup-vif-rules", vg_cmd_setup_vif_rules,
	  "xenopsd's setup-vif-rules, enforced by vifguard", vg_help_setup_vif_rules },
	{ "sync", vg_cmd_sync,
	  "re-apply every guest interface's policy from its sources", vg_help_sync },
	{ "release", vg_cmd_release,
	  "hand an interface set by attach back to its sources", vg_help_release },
	/* ---- end of Xen commands ---- */
	{ "help", cmd_help, "this list, or the usage of one command", help_help },
	{ NULL, NULL, NULL, NULL },
};

const struct vg_cmd *vg_cmd_find(const char *name)
{
	const struct vg_cmd *c;

	for (c = vg_cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static void usage(FILE *f)
{
	const struct vg_cmd *c;

	fprintf(f,
		"Usage: vifguard [-j] [-d] [-r DIR] COMMAND [ARGS]\n"
		"       vifguard help [COMMAND]\n"
		"       vifguard --version\n"
		"\n"
		"Commands:\n");
	for (c = vg_cmds; c->name; c++)
		fprintf(f, "  %-16s %s\n", c->name, c->summary);
	fprintf(f,
		"\n"
		"Global options:\n"
		"  -j, --json       JSON output, errors included\n"
		"  -r, --root DIR   pin directory on a bpf filesystem (default %s,\n"
		"                   or $VIFGUARD_ROOT)\n"
		"  -d, --debug      libbpf's log on stderr\n"
		"  -V, --version    version\n"
		"  -h, --help       this text\n"
		"\n"
		"Exit status: 0 success, 1 failure, 2 usage error.\n",
		VG_ROOT_DEFAULT);
}

static int cmd_help(int argc, char **argv)
{
	const struct vg_cmd *c;

	if (argc > 2) {
		vg_error("help: unexpected argument '%s'", argv[2]);
		return EXIT_USAGE;
	}
	if (argc < 2) {
		usage(stdout);
		return EXIT_SUCCESS;
	}
	c = vg_cmd_find(argv[1]);
	if (!c) {
		vg_error("help: unknown command '%s' (vifguard help lists them)", argv[1]);
		return EXIT_USAGE;
	}
	fputs(c->help, stdout);
	return EXIT_SUCCESS;
}

static int version(void)
{
	char lib[32];

	snprintf(lib, sizeof(lib), "%u.%u", libbpf_major_version(), libbpf_minor_version());
	if (vg_json) {
		struct vg_json j;

		vg_json_init(&j, stdout);
		vg_json_object_start(&j);
		vg_json_kv_string(&j, "version", VIFGUARD_VERSION);
		vg_json_kv_string(&j, "libbpf", lib);
		vg_json_object_end(&j);
	} else {
		printf("vifguard %s (libbpf %s)\n", VIFGUARD_VERSION, lib);
	}
	return EXIT_SUCCESS;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!vg_debug)
		return 0;
	(void)level;
	fputs("libbpf: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

int vg_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "root", required_argument, NULL, 'r' },
		{ "debug", no_argument, NULL, 'd' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct vg_cmd *c;
	bool want_version = false, want_help = false;
	int o;

	vg_json = false;
	vg_debug = false;
	vg_root_opt = NULL;
	opterr = 0;
	optind = 0;
	/* '+': options after the command belong to the command. */
	while ((o = getopt_long(argc, argv, "+:jr:dVh", opts, NULL)) != -1) {
		switch (o) {
		case 'j':
			vg_json = true;
			break;
		case 'r':
			if (!*optarg) {
				vg_error("--root: empty directory name");
				return EXIT_USAGE;
			}
			vg_root_opt = optarg;
			break;
		case 'd':
			vg_debug = true;
			break;
		case 'V':
			want_version = true;
			break;
		case 'h':
			want_help = true;
			break;
		case ':':
			vg_error("%s needs an argument", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			if (optopt)
				vg_error("unknown option '-%c'", optopt);
			else
				vg_error("unknown option '%s'", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	libbpf_set_print(libbpf_print);
	if (want_version)
		return version();
	if (want_help) {
		usage(stdout);
		return EXIT_SUCCESS;
	}
	if (optind >= argc) {
		if (vg_json)
			vg_error("no command (vifguard help lists them)");
		else
			usage(stderr);
		return EXIT_USAGE;
	}
	c = vg_cmd_find(argv[optind]);
	if (!c) {
		vg_error("unknown command '%s' (vifguard help lists them)", argv[optind]);
		return EXIT_USAGE;
	}
	return c->fn(argc - optind, argv + optind);
}
