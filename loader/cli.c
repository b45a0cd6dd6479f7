// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The command line: global options, the command table, help and
 * version; the run's one output object (cli_out.h) is made here and
 * handed to the command.
 */
#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "hotplug.h"
#include "json.h"
#include "probe.h"

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

static int cmd_help(struct vg_out *out, void *opts);

struct help_args {
	const char *cmd;
};

static const struct vg_pos help_pos[] = {
	{ "COMMAND", offsetof(struct help_args, cmd), VG_POS_OPTIONAL },
	{ NULL, 0, 0 },
};

static const struct vg_args help_args = {
	.size = sizeof(struct help_args), .pos = help_pos,
};

static const char help_help[] =
"Usage: vifguard help [COMMAND]\n"
"\n"
"Lists the commands, or shows the usage of one.\n";

/*
 * The command table.  Each row declares what its command line may hold;
 * vg_args_parse() reads it, the command gets the result and returns an
 * exit status; its help text is printed by `vifguard help NAME`.
 */
const struct vg_cmd vg_cmds[] = {
	{ "attach", vg_cmd_attach,
	  "attach the filter to an interface, or update its policy in place",
	  vg_help_attach, &vg_args_attach, 0 },
	{ "set", vg_cmd_set,
	  "change one part of a policy in force, keep the rest",
	  vg_help_set, &vg_args_set, 0 },
	{ "detach", vg_cmd_detach,
	  "remove the filter and every entry of an interface", vg_help_detach,
	  &vg_args_detach, 0 },
	{ "show", vg_cmd_show, "policies and attach state", vg_help_show, &vg_args_show, 0 },
	{ "stats", vg_cmd_stats, "passed frames and drops per reason", vg_help_stats,
	  &vg_args_stats, 0 },
	{ "metrics", vg_cmd_metrics,
	  "the counters in Prometheus' text format, for node_exporter",
	  vg_help_metrics, &vg_args_metrics, 0 },
	{ "gc", vg_cmd_gc, "remove the entries of interfaces that no longer exist",
	  vg_help_gc, &vg_args_gc, 0 },
	{ "dump", vg_cmd_dump, "every entry of the pinned maps, decoded", vg_help_dump,
	  &vg_args_dump, 0 },
	{ "monitor", vg_cmd_monitor, "the frames dropped, as they are dropped",
	  vg_help_monitor, &vg_args_monitor, 0 },
	{ "upgrade", vg_cmd_upgrade, "put this version's program in place, guests filtered "
	  "throughout", vg_help_upgrade, &vg_args_upgrade, 0 },
	/* ---- Xen commands: hotplug, setup-vif-rules, sync, release
	 * (loader/hotplug.c, declared in hotplug.h) are registered here. ---- */
	{ "hotplug", vg_cmd_hotplug,
	  "Xen vif hotplug entry point (online, offline, add, remove)",
	  vg_help_hotplug, &vg_args_hotplug, VG_CMD_SYSLOG },
	{ "setup-vif-rules", vg_cmd_setup_vif_rules,
	  "xenopsd's setup-vif-rules, enforced by vifguard", vg_help_setup_vif_rules,
	  &vg_args_setup_vif_rules, VG_CMD_SYSLOG },
	{ "sync", vg_cmd_sync,
	  "re-apply every guest interface's policy from its sources", vg_help_sync,
	  &vg_args_sync, VG_CMD_SYSLOG },
	{ "release", vg_cmd_release,
	  "hand an interface set by attach back to its sources", vg_help_release,
	  &vg_args_release, 0 },
	{ "check-config", vg_cmd_check_config,
	  "check the config file offline, listing every error", vg_help_check_config,
	  &vg_args_check_config, 0 },
	/* ---- end of Xen commands ---- */
	{ "help", cmd_help, "this list, or the usage of one command", help_help,
	  &help_args, 0 },
	{ NULL, NULL, NULL, NULL, NULL, 0 },
};

const struct vg_cmd *vg_cmd_find(const char *name)
{
	const struct vg_cmd *c;

	for (c = vg_cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

/* ---- the global options ---------------------------------------------------- */

struct global_args {
	bool json, debug, version, help;
	const char *root;
};

static const struct vg_opt global_opts[] = {
	{ "json", 'j', NULL, VG_OPT_FLAG, offsetof(struct global_args, json), NULL,
	  "JSON output, errors included" },
	{ "root", 'r', "DIR", VG_OPT_STRING, offsetof(struct global_args, root), NULL,
	  "pin directory on a bpf filesystem (default " VG_ROOT_DEFAULT ",\n"
	  "or $VIFGUARD_ROOT)" },
	{ "debug", 'd', NULL, VG_OPT_FLAG, offsetof(struct global_args, debug), NULL,
	  "libbpf's log on stderr" },
	{ "version", 'V', NULL, VG_OPT_FLAG, offsetof(struct global_args, version), NULL,
	  "version, map layout and the kernel features found\n(cls_bpf, tcx, batch_ops, btf), "
	  "each tried" },
	{ "help", 'h', NULL, VG_OPT_FLAG, offsetof(struct global_args, help), NULL,
	  "this text" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

static const struct vg_args global_args = {
	.size = sizeof(struct global_args), .opts = global_opts, .stop_at_word = true,
};

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
	fprintf(f, "\nGlobal options:\n");
	vg_args_help(f, global_opts, 16);
	fprintf(f, "\nExit status: 0 success, 1 failure, 2 usage error.\n");
}

/* `vifguard help NAME`, NAME --help: its text, then its options. */
static void print_help(const struct vg_cmd *c)
{
	const struct vg_opt *o = c->args->opts;

	fputs(c->help, stdout);
	while (o && o->name && !o->help)
		o++;
	if (o && o->name) {
		putchar('\n');
		vg_args_help(stdout, c->args->opts, 20);
	}
}

/* Declared options as JSON: name, short (or null), arg (or null), help. */
static void opts_json(struct vg_json *j, const struct vg_opt *opts)
{
	const struct vg_opt *o;
	char s[2] = "";

	vg_json_array_start(j);
	for (o = opts; o && o->name; o++) {
		vg_json_object_start(j);
		vg_json_kv_string(j, "name", o->name);
		s[0] = (char)o->short_name;
		vg_json_kv_string_or_null(j, "short", s);
		vg_json_kv_string_or_null(j, "arg", o->arg);
		vg_json_kv_string(j, "help", o->help ? o->help : "");
		vg_json_object_end(j);
	}
	vg_json_array_end(j);
}

/* One command under -j: what the table declares, and its help text. */
static void cmd_json(struct vg_json *j, const struct vg_cmd *c, bool full)
{
	const struct vg_pos *p;

	vg_json_object_start(j);
	vg_json_kv_string(j, "name", c->name);
	vg_json_kv_string(j, "summary", c->summary);
	vg_json_name(j, "options");
	opts_json(j, c->args->opts);
	vg_json_name(j, "positions");
	vg_json_array_start(j);
	for (p = c->args->pos; p && p->name; p++) {
		vg_json_object_start(j);
		vg_json_kv_string(j, "name", p->name);
		vg_json_kv_bool(j, "optional", p->flags & VG_POS_OPTIONAL);
		vg_json_object_end(j);
	}
	vg_json_array_end(j);
	if (full)
		vg_json_kv_string(j, "help", c->help);
	vg_json_object_end(j);
}

static int cmd_help(struct vg_out *out, void *opts)
{
	struct help_args *h = opts;
	const struct vg_cmd *c = NULL;
	struct vg_json *j;

	if (h->cmd && !(c = vg_cmd_find(h->cmd))) {
		vg_out_err(out, VG_E_USAGE, "help: unknown command '%s' (vifguard help lists them)",
			   h->cmd);
		return EXIT_USAGE;
	}
	if (!out->json) {
		if (c)
			print_help(c);
		else
			usage(stdout);
		return EXIT_SUCCESS;
	}
	j = vg_out_json(out);
	if (c) {
		cmd_json(j, c, true);
		return EXIT_SUCCESS;
	}
	vg_json_object_start(j);
	vg_json_name(j, "commands");
	vg_json_array_start(j);
	for (c = vg_cmds; c->name; c++)
		cmd_json(j, c, false);
	vg_json_array_end(j);
	vg_json_name(j, "global_options");
	opts_json(j, global_opts);
	vg_json_object_end(j);
	return EXIT_SUCCESS;
}

/* The version, the maps' layout and what the kernel offers, tried. */
static int version(struct vg_out *out)
{
	static const char *const word[] = { "unknown (not permitted)", "no", "yes" };
	struct vg_features feat;
	struct utsname uts;
	char lib[32];
	int i;

	snprintf(lib, sizeof(lib), "%u.%u", libbpf_major_version(), libbpf_minor_version());
	if (uname(&uts))
		snprintf(uts.release, sizeof(uts.release), "unknown");
	vg_probe_features(&feat);
	if (out->json) {
		struct vg_json *j = vg_out_json(out);

		vg_json_object_start(j);
		/* "version" is the envelope's. */
		vg_json_kv_string(j, "libbpf", lib);
		vg_json_kv_uint(j, "map_layout", VG_MAP_LAYOUT);
		vg_json_kv_string(j, "kernel", uts.release);
		vg_json_name(j, "features");
		vg_json_object_start(j);
		for (i = 0; i < VG_FEAT_N; i++) {
			vg_json_name(j, vg_feature_names[i]);
			if (feat.has[i] < 0)
				vg_json_null(j);
			else
				vg_json_bool(j, feat.has[i]);
		}
		vg_json_object_end(j);
		vg_json_object_end(j);
	} else {
		printf("vifguard %s (libbpf %s)\nmap layout %u\nkernel %s:", vg_version,
		       lib, VG_MAP_LAYOUT, uts.release);
		for (i = 0; i < VG_FEAT_N; i++)
			printf("%s %s %s", i ? "," : "", vg_feature_names[i], word[feat.has[i] + 1]);
		putchar('\n');
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

/* One command: its line parsed as its row declares, then run. */
static int run_cmd(struct vg_out *out, const struct vg_cmd *c, int argc, char **argv)
{
	char err[VG_ERRLEN + 256];
	void *opts;
	int ret;

	opts = calloc(1, c->args->size);
	if (!opts) {
		vg_out_err(out, VG_E_INTERNAL, "%s: %s", c->name, strerror(ENOMEM));
		return EXIT_FAILURE;
	}
	ret = vg_args_parse(c->name, c->args, argc, argv, opts, NULL, err, sizeof(err));
	if (ret == VG_ARGS_HELP && out->json) {
		cmd_json(vg_out_json(out), c, true);	/* as -j help NAME */
		ret = EXIT_SUCCESS;
	} else if (ret == VG_ARGS_HELP) {
		print_help(c);
		ret = EXIT_SUCCESS;
	} else if (ret && (c->flags & VG_CMD_SYSLOG)) {
		vg_out_errlog(out, VG_E_USAGE, "%s", err);
		ret = EXIT_USAGE;
	} else if (ret) {
		vg_out_err(out, VG_E_USAGE, "%s", err);
		ret = EXIT_USAGE;
	} else {
		ret = c->fn(out, opts);
	}
	free(opts);
	return ret;
}

static int run(struct vg_out *out, int argc, char **argv)
{
	struct global_args g;
	const struct vg_cmd *c;
	char err[VG_ERRLEN];
	int next = argc;

	vg_debug = false;
	vg_root_opt = NULL;
	if (vg_args_parse(NULL, &global_args, argc, argv, &g, &next, err, sizeof(err))) {
		out->json = g.json;
		vg_out_err(out, VG_E_USAGE, "%s", err);
		return EXIT_USAGE;
	}
	out->json = g.json;
	vg_debug = g.debug;
	if (g.root && !*g.root) {
		vg_out_err(out, VG_E_USAGE, "--root: empty directory name");
		return EXIT_USAGE;
	}
	vg_root_opt = g.root;
	out->root = vg_root();
	libbpf_set_print(libbpf_print);
	if (g.version)
		return version(out);
	if (g.help && out->json) {
		struct help_args all = { NULL };

		return cmd_help(out, &all);
	}
	if (g.help) {
		usage(stdout);
		return EXIT_SUCCESS;
	}
	if (next >= argc) {
		if (out->json)
			vg_out_err(out, VG_E_USAGE, "no command (vifguard help lists them)");
		else
			usage(stderr);
		return EXIT_USAGE;
	}
	c = vg_cmd_find(argv[next]);
	if (!c) {
		vg_out_err(out, VG_E_USAGE, "unknown command '%s' (vifguard help lists them)",
			   argv[next]);
		return EXIT_USAGE;
	}
	return run_cmd(out, c, argc - next, argv + next);
}

int vg_main(int argc, char **argv)
{
	struct vg_out out;
	int ret;

	vg_out_init(&out, false);
	vg_root_opt = NULL;
	out.root = vg_root();
	ret = run(&out, argc, argv);
	vg_out_finish(&out);
	return ret;
}
