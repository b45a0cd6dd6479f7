// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The one command-line parser (cli_args.h): getopt_long built from a
 * command's declared options, in "return in order" mode ('-') so that a
 * positional word may stand anywhere, whatever POSIXLY_CORRECT says;
 * '+' (stop at the first word) for the global options.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>

#include "cli_args.h"

#define MAX_OPTS 24
#define MAX_POS 8
#define LONG_BASE 256	/* getopt value of the long-only option i: LONG_BASE + i */

struct parse {
	const char *cmd;
	const struct vg_args *a;
	void *opts;
	const char *pos[MAX_POS + 1];
	int npos;
	char *err;
	size_t errlen;
};

static const char *prefix(const struct parse *p)
{
	return p->cmd ? p->cmd : "";
}

static const char *colon(const struct parse *p)
{
	return p->cmd ? ": " : "";
}

/* getopt's tables from the declared options; -h/--help for commands. */
static void build(const struct vg_args *a, struct option *lo, char *so, size_t solen)
{
	const struct vg_opt *o;
	size_t n = 0, s;
	int i;

	s = snprintf(so, solen, "%s", a->stop_at_word ? "+:" : "-:h");
	for (i = 0, o = a->opts; o && o->name && i < MAX_OPTS; i++, o++) {
		lo[n].name = o->name;
		lo[n].has_arg = o->arg ? required_argument : no_argument;
		lo[n].flag = NULL;
		lo[n].val = o->short_name ? o->short_name : LONG_BASE + i;
		n++;
		if (o->short_name && s + 3 < solen) {
			so[s++] = (char)o->short_name;
			if (o->arg)
				so[s++] = ':';
			so[s] = '\0';
		}
	}
	if (!a->stop_at_word)
		lo[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	lo[n] = (struct option){ NULL, 0, NULL, 0 };
}

static const struct vg_opt *find(const struct vg_args *a, int val)
{
	const struct vg_opt *o;
	int i;

	for (i = 0, o = a->opts; o && o->name; i++, o++)
		if ((o->short_name && o->short_name == val) || LONG_BASE + i == val)
			return o;
	return NULL;
}

/* The option as the user wrote it, for a message on its value:
 * argv[optind - 1] is "--ipv4=X" or the value after "--ipv4". */
static int bad_value(struct parse *p, char **argv, const char *arg, const char *why)
{
	const char *w = argv[optind - 1];
	const char *name = w == arg ? argv[optind - 2] : w;
	size_t nlen = strcspn(name, "=");

	snprintf(p->err, p->errlen, "%.*s %s: %s", (int)nlen, name, arg, why);
	return -EINVAL;
}

static int take_option(struct parse *p, const struct vg_opt *o, char **argv, const char *arg)
{
	char why[256];

	switch (o->kind) {
	case VG_OPT_FLAG:
		*(bool *)((char *)p->opts + o->off) = true;
		return 0;
	case VG_OPT_STRING:
		*(const char **)((char *)p->opts + o->off) = arg;
		return 0;
	case VG_OPT_FN:
		why[0] = '\0';
		if (!o->fn(p->opts, arg, why, sizeof(why)))
			return 0;
		if (!arg) {
			snprintf(p->err, p->errlen, "--%s: %s", o->name, why);
			return -EINVAL;
		}
		return bad_value(p, argv, arg, why);
	}
	return -EINVAL;
}

static int bad_option(struct parse *p, int val, char **argv)
{
	if (val == ':')
		snprintf(p->err, p->errlen, "%s%s%s needs an argument", prefix(p), colon(p),
			 argv[optind - 1]);
	else if (optopt)
		snprintf(p->err, p->errlen, "%s%sunknown option '-%c'", prefix(p), colon(p),
			 optopt);
	else
		snprintf(p->err, p->errlen, "%s%sunknown option '%s'", prefix(p), colon(p),
			 argv[optind - 1]);
	return -EINVAL;
}

static int take_word(struct parse *p, char *w)
{
	int ret = 0;

	if (p->a->word)
		ret = p->a->word(p->opts, w, p->err, p->errlen);
	if (ret)
		return ret < 0 ? ret : 0;
	if (p->npos <= MAX_POS)
		p->pos[p->npos] = w;
	p->npos++;
	return 0;
}

/* The positions against their declaration. */
static int place(struct parse *p)
{
	const struct vg_pos *d = p->a->pos;
	int i, n = 0;

	while (d && d[n].name)
		n++;
	if (p->npos > n) {
		if (p->a->count_error)
			snprintf(p->err, p->errlen, "%s", p->a->count_error);
		else
			snprintf(p->err, p->errlen, "%s%sunexpected argument '%s'", prefix(p),
				 colon(p), p->pos[n < MAX_POS ? n : MAX_POS]);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		const char *w = i < p->npos ? p->pos[i] : NULL;

		if (!w && !(d[i].flags & VG_POS_OPTIONAL)) {
			if (p->a->count_error)
				snprintf(p->err, p->errlen, "%s", p->a->count_error);
			else
				snprintf(p->err, p->errlen, "%s%smissing %s (vifguard help %s)",
					 prefix(p), colon(p), d[i].name, prefix(p));
			return -EINVAL;
		}
		if (w && (d[i].flags & VG_POS_IFACE) && (!*w || strlen(w) >= IF_NAMESIZE)) {
			snprintf(p->err, p->errlen, "%s: not an interface name (1..%d characters)",
				 w, IF_NAMESIZE - 1);
			return -EINVAL;
		}
		*(const char **)((char *)p->opts + d[i].off) = w;
	}
	return 0;
}

int vg_args_parse(const char *cmd, const struct vg_args *a, int argc, char **argv,
		  void *opts, int *next, char *err, size_t errlen)
{
	struct option lo[MAX_OPTS + 2];
	struct parse p = { .cmd = cmd, .a = a, .opts = opts, .err = err, .errlen = errlen };
	char so[3 * MAX_OPTS + 4];
	bool help = false;
	int val, ret;

	memset(opts, 0, a->size);
	if (a->init)
		a->init(opts);
	build(a, lo, so, sizeof(so));
	opterr = 0;
	optind = 0;
	while ((val = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		const struct vg_opt *o = find(a, val);

		if (val == 1)
			ret = take_word(&p, optarg);
		else if (val == 'h' && !a->stop_at_word && (!o || !o->short_name))
			help = true, ret = 0;
		else if (o && val != ':' && val != '?')
			ret = take_option(&p, o, argv, optarg);
		else
			ret = bad_option(&p, val, argv);
		if (ret)
			return ret;
	}
	if (next)
		*next = optind;
	if (a->stop_at_word)
		return 0;
	for (; optind < argc; optind++) {	/* after "--" */
		ret = take_word(&p, argv[optind]);
		if (ret)
			return ret;
	}
	if (help)
		return VG_ARGS_HELP;
	ret = place(&p);
	if (!ret && a->check)
		ret = a->check(opts, err, errlen);
	return ret;
}

void vg_args_help(FILE *f, const struct vg_opt *opts, int width)
{
	const struct vg_opt *o;

	for (o = opts; o && o->name; o++) {
		char left[64];
		const char *h;

		if (!o->help)
			continue;
		if (o->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "--%s%s%s", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		fprintf(f, "  %-*s ", width, left);
		for (h = o->help; *h; h++) {
			fputc(*h, f);
			if (*h == '\n')
				fprintf(f, "%*s", width + 3, "");
		}
		fputc('\n', f);
	}
}
