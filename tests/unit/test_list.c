// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The order show and stats list interfaces in (vg_ifname_cmp): runs of
 * digits compare as numbers, so vif2.0 < vif2.1 < vif2.10 < vif10.0.
 */
#include <stdlib.h>

#include "unit.h"
#include "state.h"

static int cmp(const void *a, const void *b)
{
	return vg_ifname_cmp(*(const char *const *)a, *(const char *const *)b, IF_NAMESIZE);
}

static void natural_order(void **state)
{
	const char *names[] = {
		"vif10.0", "tap2.0", "vif2.10", "vif2.0-emu", "vif2.1", "eth0", "vif2.0",
		"vif100.0", "vif9.9", "br0", "vif2.2",
	};
	const char *want[] = {
		"br0", "eth0", "tap2.0", "vif2.0", "vif2.0-emu", "vif2.1", "vif2.2",
		"vif2.10", "vif9.9", "vif10.0", "vif100.0",
	};
	size_t i;

	(void)state;
	qsort(names, N(names), sizeof(names[0]), cmp);
	for (i = 0; i < N(names); i++)
		assert_string_equal(names[i], want[i]);
}

static void numbers_and_limits(void **state)
{
	(void)state;
	assert_int_equal(vg_ifname_cmp("vif2.0", "vif2.0", IF_NAMESIZE), 0);
	assert_true(vg_ifname_cmp("vif2.0", "vif10.0", IF_NAMESIZE) < 0);
	assert_true(vg_ifname_cmp("vif10.0", "vif2.0", IF_NAMESIZE) > 0);
	/* Leading zeros do not make a number larger. */
	assert_int_equal(vg_ifname_cmp("vif02.0", "vif2.0", IF_NAMESIZE), 0);
	assert_true(vg_ifname_cmp("vif02.0", "vif3.0", IF_NAMESIZE) < 0);
	/* Digits longer than any integer type. */
	assert_true(vg_ifname_cmp("a99999999999999999999", "a100000000000000000000", 32) < 0);
	/* A prefix comes first; only n bytes count. */
	assert_true(vg_ifname_cmp("vif", "vif1", IF_NAMESIZE) < 0);
	assert_int_equal(vg_ifname_cmp("vif1.0x", "vif1.0y", 6), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(natural_order),
		cmocka_unit_test(numbers_and_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
