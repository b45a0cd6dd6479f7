// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * `vifguard set`'s steps and a policy as text (loader/policy_edit.c):
 * the grammar word by word, each step keeping the rest of the policy,
 * refusals that name the step, and the diff between two policies.
 */
#include <errno.h>
#include <stdlib.h>

#include "unit.h"
#include "policy_edit.h"

/* The words of line (split at spaces) into ed; the first error's text,
 * or "" when every word was taken and the steps are complete. */
static const char *feed(struct vg_edits *ed, const char *line)
{
	static char err[VG_ERRLEN];
	char buf[1024], *w, *save = NULL;

	memset(ed, 0, sizeof(*ed));
	snprintf(buf, sizeof(buf), "%s", line);
	err[0] = '\0';
	for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
		if (vg_edits_word(ed, w, err, sizeof(err)))
			return err;
	vg_edits_done(ed, err, sizeof(err));
	return err;
}

/* spec with the steps of line applied: 0 or the first step's error. */
static int edit(struct vg_spec *spec, const char *line, char *err, size_t errlen)
{
	struct vg_edits ed;
	unsigned int i;
	int ret;

	assert_string_equal(feed(&ed, line), "");
	for (i = 0; i < ed.n; i++)
		if ((ret = vg_spec_edit(spec, &ed.e[i], err, errlen)))
			return ret;
	return 0;
}

/* spec's text, one line after another joined by "; ". */
static const char *text(const struct vg_spec *spec)
{
	static char out[4096];
	struct vg_spec_text *t = malloc(sizeof(*t));
	unsigned int i;

	assert_non_null(t);
	vg_spec_to_text(spec, t);
	out[0] = '\0';
	for (i = 0; i < t->n; i++)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", i ? "; " : "",
			 t->line[i]);
	free(t);
	return out;
}

static void base(struct vg_spec *s)
{
	char err[VG_ERRLEN] = "";

	vg_spec_init(s, "vif5.0");
	s->flags |= VG_F_OPERATOR;
	if (edit(s, "add mac 02:00:00:00:05:00 add ipv4 10.0.0.5 add ipv6 fd00::5 "
		 "add ipv4 10.1.0.0/16", err, sizeof(err)))
		fail_msg("base: %s", err);
}

static void grammar_good(void **state)
{
	struct vg_edits ed;

	(void)state;
	assert_string_equal(feed(&ed, "mode disabled"), "");
	assert_int_equal(ed.n, 1);
	assert_int_equal(ed.e[0].op, VG_EDIT_MODE);
	assert_int_equal(ed.e[0].v.mode, VG_MODE_DISABLED);
	assert_string_equal(feed(&ed, "add ipv4 10.0.0.6 remove ipv6 2001:db8::/64 "
				 "add mac 02:00:00:00:05:01 remove flag dhcp-client "
				 "add ethertype 0x8100 mode locked"), "");
	assert_int_equal(ed.n, 6);
	assert_int_equal(ed.e[1].op, VG_EDIT_REMOVE);
	assert_int_equal(ed.e[1].kind, VG_EDIT_IPV6);
	assert_int_equal(ed.e[1].v.v6.len, 64);
	assert_int_equal(ed.e[3].v.flag, VG_F_DHCP_CLIENT);
	assert_int_equal(ed.e[4].v.ethertype, 0x8100);
}

static void grammar_bad(void **state)
{
	static const struct {
		const char *line, *want;
	} cases[] = {
		{ "", "nothing to change" },
		{ "mode", "'mode': incomplete step" },
		{ "add ipv4", "'add ipv4': incomplete step" },
		{ "mode off", "'mode off': unknown mode" },
		{ "add ipv5 10.0.0.1", "'add ipv5': unknown KIND" },
		{ "put ipv4 10.0.0.1", "'put': expected a step" },
		{ "add ipv4 300.0.0.1", "'add ipv4 300.0.0.1': " },
		{ "add ipv4 10.0.0.1/8", "host bits set" },
		{ "add flag ipv4-table", "unknown flag" },
		{ "add flag operator", "unknown flag" },
		{ "remove ethertype 0x0800", "IPv4 (0x0800)" },
		{ "add ipv4 10.0.0.1 10.0.0.2", "'10.0.0.2': expected a step" },
	};
	struct vg_edits ed;
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		const char *got = feed(&ed, cases[i].line);

		if (!strstr(got, cases[i].want))
			fail_msg("'%s': expected \"%s\" in \"%s\"", cases[i].line, cases[i].want,
				 got);
	}
}

static void too_many_steps(void **state)
{
	char line[1024] = "";
	struct vg_edits ed;
	int i;

	(void)state;
	for (i = 0; i <= VG_MAX_EDITS; i++)
		strcat(line, "mode locked ");
	assert_contains(feed(&ed, line), "more than 32 steps");
}

/* Each step changes what it says and keeps everything else. */
static void steps_keep_the_rest(void **state)
{
	static const struct {
		const char *steps, *want;
	} cases[] = {
		{ "mode disabled",
		  "mode disabled; owner attach; mac 02:00:00:00:05:00; ipv4 10.0.0.5/32; "
		  "ipv4 10.1.0.0/16; ipv6 fd00::5/128; flag dhcp-client; flag link-local; flag learn-link-local" },
		{ "mode disabled mode locked",
		  "mode locked; owner attach; mac 02:00:00:00:05:00; ipv4 10.0.0.5/32; "
		  "ipv4 10.1.0.0/16; ipv6 fd00::5/128; flag dhcp-client; flag link-local; flag learn-link-local" },
		{ "remove ipv4 10.0.0.5/32 add ipv4 10.0.0.6",
		  "mode locked; owner attach; mac 02:00:00:00:05:00; ipv4 10.1.0.0/16; "
		  "ipv4 10.0.0.6/32; ipv6 fd00::5/128; flag dhcp-client; flag link-local; flag learn-link-local" },
		{ "add mac 02:00:00:00:05:01 remove mac 02:00:00:00:05:00",
		  "mode locked; owner attach; mac 02:00:00:00:05:01; ipv4 10.0.0.5/32; "
		  "ipv4 10.1.0.0/16; ipv6 fd00::5/128; flag dhcp-client; flag link-local; flag learn-link-local" },
		{ "remove flag dhcp-client add flag router-advert add ethertype 0x88a8",
		  "mode locked; owner attach; mac 02:00:00:00:05:00; ipv4 10.0.0.5/32; "
		  "ipv4 10.1.0.0/16; ipv6 fd00::5/128; ethertype 0x88a8; flag router-advert; "
		  "flag link-local; flag learn-link-local" },
		{ "remove flag learn-link-local",
		  "mode locked; owner attach; mac 02:00:00:00:05:00; ipv4 10.0.0.5/32; "
		  "ipv4 10.1.0.0/16; ipv6 fd00::5/128; flag dhcp-client; flag link-local" },
		{ "add flag learn-dhcp",
		  "mode locked; owner attach; mac 02:00:00:00:05:00; ipv4 10.0.0.5/32; "
		  "ipv4 10.1.0.0/16; ipv6 fd00::5/128; flag dhcp-client; flag link-local; "
		  "flag learn-link-local; flag learn-dhcp" },
		{ "remove flag dhcp-client add flag learn-dhcp",
		  "mode locked; owner attach; mac 02:00:00:00:05:00; ipv4 10.0.0.5/32; "
		  "ipv4 10.1.0.0/16; ipv6 fd00::5/128; flag dhcp-client; flag link-local; "
		  "flag learn-link-local; flag learn-dhcp" },
		{ "remove ipv6 fd00::5",
		  "mode locked; owner attach; mac 02:00:00:00:05:00; ipv4 10.0.0.5/32; "
		  "ipv4 10.1.0.0/16; flag dhcp-client; flag link-local; flag learn-link-local" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		char err[VG_ERRLEN] = "";
		struct vg_spec s;

		base(&s);
		if (edit(&s, cases[i].steps, err, sizeof(err)))
			fail_msg("'%s': %s", cases[i].steps, err);
		if (strcmp(text(&s), cases[i].want))
			fail_msg("'%s':\n  expected %s\n  actual   %s", cases[i].steps,
				 cases[i].want, text(&s));
	}
}

static void steps_refused(void **state)
{
	static const struct {
		const char *steps, *want;
		int ret;
	} cases[] = {
		{ "add ipv4 10.0.0.5", "add ipv4 10.0.0.5/32: already in the policy", -EEXIST },
		{ "remove ipv4 10.0.0.9", "remove ipv4 10.0.0.9/32: not in the policy", -ENOENT },
		{ "remove ipv4 10.1.0.0/24", "remove ipv4 10.1.0.0/24: not in the policy", -ENOENT },
		{ "add flag dhcp-client", "add flag dhcp-client: already in the policy", -EEXIST },
		{ "remove flag router-advert", "not in the policy", -ENOENT },
		{ "add mac 03:00:00:00:00:01", "add mac 03:00:00:00:00:01: a multicast", -EINVAL },
		{ "add mac 02:00:00:00:00:01 add mac 02:00:00:00:00:02 add mac 02:00:00:00:00:03 "
		  "add mac 02:00:00:00:00:04", "more than 4 MAC addresses", -E2BIG },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		char err[VG_ERRLEN] = "", before[4096];
		struct vg_spec s;
		int ret;

		base(&s);
		snprintf(before, sizeof(before), "%s", text(&s));
		ret = edit(&s, cases[i].steps, err, sizeof(err));
		if (ret != cases[i].ret || !strstr(err, cases[i].want))
			fail_msg("'%s': expected %d \"%s\", got %d \"%s\"", cases[i].steps,
				 cases[i].ret, cases[i].want, ret, err);
		/* A refused single step leaves the spec as it was. */
		if (!strstr(cases[i].steps, " add "))
			assert_string_equal(text(&s), before);
	}
}

static void diff(void **state)
{
	struct vg_spec a, b;
	struct vg_spec_text *ta = malloc(sizeof(*ta)), *tb = malloc(sizeof(*tb));
	unsigned int idx[VG_SPEC_LINES], n;
	char err[VG_ERRLEN] = "";

	(void)state;
	assert_non_null(ta);
	assert_non_null(tb);
	base(&a);
	b = a;
	b.flags &= ~VG_F_OPERATOR;
	assert_int_equal(edit(&b, "mode disabled remove ipv4 10.0.0.5 add ipv6 fd00::6",
			      err, sizeof(err)), 0);
	vg_spec_to_text(&a, ta);
	vg_spec_to_text(&b, tb);
	n = vg_spec_text_minus(ta, tb, idx);
	assert_int_equal(n, 3);
	assert_string_equal(ta->line[idx[0]], "mode locked");
	assert_string_equal(ta->line[idx[1]], "owner attach");
	assert_string_equal(ta->line[idx[2]], "ipv4 10.0.0.5/32");
	n = vg_spec_text_minus(tb, ta, idx);
	assert_int_equal(n, 3);
	assert_string_equal(tb->line[idx[0]], "mode disabled");
	assert_string_equal(tb->line[idx[1]], "owner sources");
	assert_string_equal(tb->line[idx[2]], "ipv6 fd00::6/128");
	assert_int_equal(vg_spec_text_minus(ta, ta, idx), 0);
	free(ta);
	free(tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(grammar_good),
		cmocka_unit_test(grammar_bad),
		cmocka_unit_test(too_many_steps),
		cmocka_unit_test(steps_keep_the_rest),
		cmocka_unit_test(steps_refused),
		cmocka_unit_test(diff),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("policy_edit", tests, NULL, NULL);
}
