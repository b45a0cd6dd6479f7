// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The guard rails of attach (loader/guard.c): which source ranges are
 * refused and why, what --force lets through, and the device check on
 * the one device every network namespace has (lo).  No root needed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "guard.h"
#include "unit.h"

#define MAC "02:00:00:00:05:00"

static void addresses(void **state)
{
	static const struct {
		const char *addr;
		const char *why;	/* NULL: accepted */
	} v4[] = {
		{ "0.0.0.0/0", "all addresses" },
		{ "10.0.0.0/7", "shorter than /8" },
		{ "128.0.0.0/1", "shorter than /8" },
		{ "0.0.0.0/8", "in 0.0.0.0/8" },
		{ "0.0.0.0", "in 0.0.0.0/8" },
		{ "0.1.2.3", "in 0.0.0.0/8" },
		{ "127.0.0.1", "in loopback (127.0.0.0/8)" },
		{ "127.5.0.0/16", "in loopback" },
		{ "255.255.255.255", "in the broadcast address 255.255.255.255" },
		{ "255.0.0.0/8", "holds the broadcast address" },
		{ "240.0.0.0/4", "shorter than /8" },
		{ "10.0.0.0/8", NULL },
		{ "10.99.0.5", NULL },
		{ "192.0.2.0/24", NULL },
		{ "126.255.255.255", NULL },
		{ "128.0.0.0/8", NULL },
		{ "223.255.255.0/24", NULL },
		{ "255.255.255.254", NULL },
	}, v6[] = {
		{ "::/0", "all addresses" },
		{ "2000::/3", "shorter than /16" },
		{ "::/64", "holds the unspecified address ::" },
		{ "::/127", "holds the unspecified address ::" },
		{ "::1", "in the loopback address ::1" },
		{ "ff02::/16", "in multicast (ff00::/8)" },
		{ "2001::/16", NULL },
		{ "2001:db8:5::/64", NULL },
		{ "fe80::216:3eff:fe00:500", NULL },
		{ "fd00:99::5", NULL },
		{ "::2", NULL },
	};
	char why[160];
	size_t i;

	(void)state;
	for (i = 0; i < N(v4); i++) {
		struct vg_prefix4 p;

		assert_int_equal(vg_parse_prefix4(v4[i].addr, &p, why, sizeof(why)), 0);
		why[0] = '\0';
		if (vg_guard_v4(&p, why, sizeof(why)) != !!v4[i].why)
			fail_msg("%s: expected %s, got %s", v4[i].addr,
				 v4[i].why ? v4[i].why : "accepted", why[0] ? why : "accepted");
		if (v4[i].why)
			assert_contains(why, v4[i].why);
	}
	for (i = 0; i < N(v6); i++) {
		struct vg_prefix6 p;

		assert_int_equal(vg_parse_prefix6(v6[i].addr, &p, why, sizeof(why)), 0);
		why[0] = '\0';
		if (vg_guard_v6(&p, why, sizeof(why)) != !!v6[i].why)
			fail_msg("%s: expected %s, got %s", v6[i].addr,
				 v6[i].why ? v6[i].why : "accepted", why[0] ? why : "accepted");
		if (v6[i].why)
			assert_contains(why, v6[i].why);
	}
}

static int parse(struct vg_attach_args *a, char *err, size_t errlen, ...)
{
	char *argv[16];
	int argc = 0;
	va_list ap;

	va_start(ap, errlen);
	argv[argc++] = "attach";
	while (argc < (int)N(argv) - 1 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	err[0] = '\0';
	return vg_attach_parse(argc, argv, a, err, errlen);
}

/* attach refuses, naming the argument as typed, unless --force; what is
 * never valid stays refused with --force. */
static void attach_line(void **state)
{
	struct vg_attach_args a;
	char err[VG_ERRLEN + 64];

	(void)state;
	assert_int_equal(parse(&a, err, sizeof(err), "vif5.0", "--mac", MAC, "--ipv4",
			       "10.0.0.5", "--ipv4", "127.0.0.1", NULL), -EINVAL);
	assert_string_equal(err, "--ipv4 127.0.0.1: in loopback (127.0.0.0/8), which never "
			    "leaves a host; refused (--force allows it)");
	assert_int_equal(parse(&a, err, sizeof(err), "vif5.0", "--mac", MAC, "--ipv6", "::/0",
			       NULL), -EINVAL);
	assert_string_equal(err, "--ipv6 ::/0: all addresses: the guest could use any source; "
			    "refused (--force allows it)");
	assert_int_equal(parse(&a, err, sizeof(err), "vif5.0", "--mac", MAC, "--ipv4",
			       "0.0.0.0/0", "--ipv6", "::/0", "--force", NULL), 0);
	assert_true(a.force);
	assert_int_equal(a.spec.n_v4, 1);
	assert_int_equal(a.spec.n_v6, 1);
	assert_int_equal(parse(&a, err, sizeof(err), "vif5.0", "--force", "--mac",
			       "ff:ff:ff:ff:ff:ff", NULL), -EINVAL);
	assert_contains(err, "a multicast or broadcast MAC address is never a valid source");
	assert_int_equal(parse(&a, err, sizeof(err), "vif5.0", "--force", "--mac",
			       "00:00:00:00:00:00", NULL), -EINVAL);
	assert_contains(err, "00:00:00:00:00:00 is not a valid source");
	assert_int_equal(parse(&a, err, sizeof(err), "vif5.0", "--force", "--mac", MAC,
			       "--ipv4", "224.0.0.1", NULL), -EINVAL);
	assert_contains(err, "a multicast address is never a valid source");
	assert_int_equal(parse(&a, err, sizeof(err), "vif5.0", "--mac", MAC, "--ipv4",
			       "10.0.0.0/8", "--ipv6", "2001:db8::/32", NULL), 0);
	assert_false(a.force);
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
		cmocka_unit_test(attach_line),
		cmocka_unit_test(devices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
