// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The guard rails of attach (loader/guard.c): which source ranges are
 * refused and why, and the device check on the one device every network
 * namespace has (lo).  No root needed.  attach's line with and without
 * --force: test_cli.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "policy.h"
#include "guard.h"
#include "unit.h"

static void addresses(void **state)
{
	static const struct {
		int v6;
		const char *addr;
		const char *why;	/* NULL: accepted */
	} cases[] = {
		{ 0, "0.0.0.0/0", "all addresses" },
		{ 0, "10.0.0.0/7", "shorter than /8" },
		{ 0, "128.0.0.0/1", "shorter than /8" },
		{ 0, "0.0.0.0/8", "in 0.0.0.0/8" },
		{ 0, "0.0.0.0", "in 0.0.0.0/8" },
		{ 0, "0.1.2.3", "in 0.0.0.0/8" },
		{ 0, "127.0.0.1", "in loopback (127.0.0.0/8)" },
		{ 0, "127.5.0.0/16", "in loopback" },
		{ 0, "255.255.255.255", "in the broadcast address 255.255.255.255" },
		{ 0, "255.0.0.0/8", "holds the broadcast address" },
		{ 0, "240.0.0.0/4", "shorter than /8" },
		{ 0, "10.0.0.0/8", NULL },
		{ 0, "10.99.0.5", NULL },
		{ 0, "192.0.2.0/24", NULL },
		{ 0, "126.255.255.255", NULL },
		{ 0, "128.0.0.0/8", NULL },
		{ 0, "223.255.255.0/24", NULL },
		{ 0, "255.255.255.254", NULL },
		{ 1, "::/0", "all addresses" },
		{ 1, "2000::/3", "shorter than /16" },
		{ 1, "::/64", "holds the unspecified address ::" },
		{ 1, "::/127", "holds the unspecified address ::" },
		{ 1, "::1", "in the loopback address ::1" },
		{ 1, "ff02::/16", "in multicast (ff00::/8)" },
		{ 1, "2001::/16", NULL },
		{ 1, "2001:db8:5::/64", NULL },
		{ 1, "fe80::216:3eff:fe00:500", NULL },
		{ 1, "fd00:99::5", NULL },
		{ 1, "::2", NULL },
	};
	char why[160];
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		struct vg_prefix4 p4;
		struct vg_prefix6 p6;
		int refused;

		why[0] = '\0';
		if (cases[i].v6) {
			assert_int_equal(vg_parse_prefix6(cases[i].addr, &p6, why, sizeof(why)), 0);
			refused = vg_guard_v6(&p6, why, sizeof(why));
		} else {
			assert_int_equal(vg_parse_prefix4(cases[i].addr, &p4, why, sizeof(why)), 0);
			refused = vg_guard_v4(&p4, why, sizeof(why));
		}
		if (refused != !!cases[i].why)
			fail_msg("%s: expected %s, got %s", cases[i].addr,
				 cases[i].why ? cases[i].why : "accepted", refused ? why : "accepted");
		if (cases[i].why)
			assert_contains(why, cases[i].why);
	}
}

static void devices(void **state)
{
	char err[VG_ERRLEN];

	(void)state;
	assert_int_equal(vg_guard_iface("lo", err, sizeof(err)), -EPERM);
	assert_contains(err, "the loopback device");
	assert_contains(err, "--force");
	assert_int_equal(vg_guard_iface("nosuch0", err, sizeof(err)), -ENODEV);
	assert_contains(err, "cannot tell what kind of device it is: No such device");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(addresses),
		cmocka_unit_test(devices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
