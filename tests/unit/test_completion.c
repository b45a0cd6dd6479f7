// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The bash completion (etc/vifguard.bash-completion) against the command
 * table itself: run in bash with the built binary, it offers exactly the
 * table's commands, and for every command exactly the options its row
 * declares (short and long names, and --help); values where an option
 * takes one, interface names where a command takes IFACE.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "unit.h"

#ifndef VG_COMPLETION
#define VG_COMPLETION "etc/vifguard.bash-completion"
#endif

#define MAX_WORDS 64

struct words {
	size_t n;
	char w[MAX_WORDS][256];
};

static int cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void add(struct words *ws, const char *w)
{
	assert_true(ws->n < MAX_WORDS);
	snprintf(ws->w[ws->n++], sizeof(ws->w[0]), "%s", w);
}

/* The completions bash offers for the line "vifguard LINE" with the
 * cursor at its end (LINE's words, the last one being completed). */
static void complete(struct words *ws, const char *line)
{
	char cmd[1024], buf[200];
	FILE *p;

	snprintf(cmd, sizeof(cmd),
		 "bash --norc --noprofile -c '. %s; COMP_WORDS=(%s %s); "
		 "COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _vifguard; "
		 "printf \"%%s\\n\" \"${COMPREPLY[@]}\"'", VG_COMPLETION, VG_BIN, line);
	p = popen(cmd, "r");
	assert_non_null(p);
	ws->n = 0;
	while (fgets(buf, sizeof(buf), p)) {
		buf[strcspn(buf, "\n")] = '\0';
		if (*buf)
			add(ws, buf);
	}
	assert_int_equal(pclose(p), 0);
	qsort(ws->w, ws->n, sizeof(ws->w[0]), cmp);
}

static void assert_same(const char *what, struct words *want, struct words *got)
{
	size_t i;

	qsort(want->w, want->n, sizeof(want->w[0]), cmp);
	for (i = 0; i < want->n || i < got->n; i++)
		if (i >= want->n || i >= got->n || strcmp(want->w[i], got->w[i]))
			fail_msg("%s: expected '%s', completion offers '%s'", what,
				 i < want->n ? want->w[i] : "(nothing more)",
				 i < got->n ? got->w[i] : "(nothing more)");
}

static void commands(void **state)
{
	struct words want = { 0 }, got;
	const struct vg_cmd *c;

	(void)state;
	for (c = vg_cmds; c->name; c++)
		add(&want, c->name);
	complete(&got, "\"\"");
	assert_same("commands", &want, &got);
	complete(&got, "help \"\"");
	assert_same("help COMMAND", &want, &got);
	complete(&got, "-j -r /tmp \"\"");
	assert_same("commands after global options", &want, &got);
}

static void options(void **state)
{
	const struct vg_cmd *c;

	(void)state;
	for (c = vg_cmds; c->name; c++) {
		struct words want = { 0 }, got;
		const struct vg_opt *o;
		char line[128], opt[64];

		add(&want, "--help");
		for (o = c->args->opts; o && o->name; o++) {
			snprintf(opt, sizeof(opt), "--%s", o->name);
			add(&want, opt);
			if (o->short_name) {
				snprintf(opt, sizeof(opt), "-%c", o->short_name);
				add(&want, opt);
			}
		}
		snprintf(line, sizeof(line), "%s -", c->name);
		complete(&got, line);
		assert_same(c->name, &want, &got);
	}
}

static void values(void **state)
{
	struct words got;

	(void)state;
	complete(&got, "attach vif5.0 --mode \"\"");
	assert_int_equal(got.n, 3);
	assert_string_equal(got.w[0], "audit");
	assert_string_equal(got.w[1], "disabled");
	assert_string_equal(got.w[2], "locked");
	complete(&got, "attach vif5.0 --attach t");
	assert_int_equal(got.n, 1);
	assert_string_equal(got.w[0], "tcx");
	/* An address is the operator's to type: nothing offered. */
	complete(&got, "attach vif5.0 --ipv4 \"\"");
	assert_int_equal(got.n, 0);
	/* IFACE: the interfaces of this network namespace. */
	complete(&got, "show l");
	assert_true(got.n >= 1);
	assert_string_equal(got.w[0], "lo");
	complete(&got, "detach l");
	assert_string_equal(got.w[0], "lo");
	complete(&got, "hotplug on");
	assert_int_equal(got.n, 1);
	assert_string_equal(got.w[0], "online");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(commands),
		cmocka_unit_test(options),
		cmocka_unit_test(values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
