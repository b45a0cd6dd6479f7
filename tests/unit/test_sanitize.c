// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * What reaches a path, an ioctl, ovs-vsctl, a log line or JSON from places
 * root does not own: the interface name check,
 * the ovs-vsctl value check, the text escaper and the JSON string escaper,
 * the last also through jq when it is installed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "json.h"
#include "sanitize.h"

static void ifname_check(void **state)
{
	static const char *const good[] = {
		"vif3.0", "vif3.0-emu", "tap12.1", "br0", "xenbr0", "xapi1", "a",
		"123456789012345", "eth0.100", "ovs_br-1",
	};
	static const char *const bad[] = {
		"", ".", "..", "../../../tmp/x", "br/0", "1234567890123456",
		"br 0", "br\t0", "br\n0", "br\x1b[0", "br\x7f", "br\xff", "\xc3\xa9",
		"br:0", "br\"0", "br'0", "br\\0",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(good); i++)
		if (vg_ifname_check(good[i]))
			fail_msg("'%s': expected valid, got invalid", good[i]);
	for (i = 0; i < N(bad); i++)
		if (vg_ifname_check(bad[i]) != -EINVAL)
			fail_msg("bad[%zu]: expected -EINVAL, got valid", i);
	assert_int_equal(vg_ifname_check(NULL), -EINVAL);
}

static void ovs_value_check(void **state)
{
	static const char *const good[] = {
		"0a1b2c3d-4e5f-4a6b-8c7d-000000000003", "00:16:3e:30:00:01", "x",
	};
	static const char *const bad[] = {
		"", "a\"b", "a,b", "a=b", "a b", "a\nb", "a\\b", "{a}", "a\x1b", "\xff",
		"0123456789012345678901234567890123456789012345678901234567890123456789",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(good); i++)
		if (vg_ovs_value_check(good[i]))
			fail_msg("'%s': expected valid, got invalid", good[i]);
	for (i = 0; i < N(bad); i++)
		if (vg_ovs_value_check(bad[i]) != -EINVAL)
			fail_msg("bad[%zu]: expected -EINVAL, got valid", i);
}

static void escape_text(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "vif3.0: plain text", "vif3.0: plain text" },
		{ "a\nvifguard: forged", "a\\x0avifguard: forged" },
		{ "cr\r", "cr\\x0d" },
		{ "\x1b[31mred", "\\x1b[31mred" },
		{ "del\x7f", "del\\x7f" },
		{ "\xff\xc3\xa9", "\\xff\\xc3\\xa9" },
		{ "back\\slash", "back\\\\slash" },
		{ "", "" },
	};
	char out[64];
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		vg_escape_text(out, sizeof(out), cases[i].in);
		if (strcmp(out, cases[i].out))
			fail_msg("case %zu: expected '%s', got '%s'", i, cases[i].out, out);
	}
	/* Truncation never leaves half an escape. */
	vg_escape_text(out, 6, "ab\ncd");
	assert_string_equal(out, "ab");
	vg_escape_text(out, 7, "ab\ncd");
	assert_string_equal(out, "ab\\x0a");
	assert_ptr_equal(vg_escape_text(out, sizeof(out), NULL), out);
	assert_string_equal(out, "");
}

static char *json_of(const char *s)
{
	static char buf[256];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	assert_non_null(f);
	vg_json_escape(f, s);
	fclose(f);
	return buf;
}

static void json_escape(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "vif3.0", "\"vif3.0\"" },
		{ "a\nb", "\"a\\nb\"" },
		{ "\x1b[0m", "\"\\u001b[0m\"" },
		{ "\x7f", "\"\\u007f\"" },
		{ "q\"\\", "\"q\\\"\\\\\"" },
		/* Invalid UTF-8: each byte as \u00XX. */
		{ "\xff", "\"\\u00ff\"" },
		{ "a\xc3", "\"a\\u00c3\"" },		/* truncated sequence */
		{ "\xc0\xaf", "\"\\u00c0\\u00af\"" },	/* overlong '/' */
		{ "\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"" },	/* surrogate */
		{ "\xf4\x90\x80\x80", "\"\\u00f4\\u0090\\u0080\\u0080\"" }, /* > U+10FFFF */
		{ "\x80", "\"\\u0080\"" },		/* lone continuation */
		/* Well-formed UTF-8 as it is. */
		{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" },
		{ "\xe2\x82\xac\xf0\x9f\x98\x80", "\"\xe2\x82\xac\xf0\x9f\x98\x80\"" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		const char *got = json_of(cases[i].in);

		if (strcmp(got, cases[i].out))
			fail_msg("case %zu: expected '%s', got '%s'", i, cases[i].out, got);
	}
}

/* The same bytes through a real parser, when there is one. */
static void json_escape_jq(void **state)
{
	char path[] = "/tmp/vg_test_sanitize.XXXXXX", cmd[128], back[64] = "";
	FILE *f, *p;
	int fd;

	(void)state;
	if (system("command -v jq >/dev/null 2>&1")) {
		skip();
		return;
	}
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	vg_json_escape(f, "a\xff\n\x1b" "b");
	fputc('\n', f);
	fclose(f);
	/* jq reads \u00ff as U+00FF, which it prints as UTF-8 c3 bf. */
	snprintf(cmd, sizeof(cmd), "jq -j . %s | od -An -tx1 | tr -d ' \\n'", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	if (!fgets(back, sizeof(back), p))
		back[0] = '\0';
	assert_int_equal(pclose(p), 0);
	unlink(path);
	assert_string_equal(back, "61c3bf0a1b62");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ifname_check),
		cmocka_unit_test(ovs_value_check),
		cmocka_unit_test(escape_text),
		cmocka_unit_test(json_escape),
		cmocka_unit_test(json_escape_jq),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
