/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the cmocka unit tests (tests/unit) share: cmocka itself with the
 * headers it needs first, and checks whose failure message prints the
 * expected and the actual value.
 */
#ifndef VG_TEST_UNIT_H
#define VG_TEST_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "policy.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define assert_contains(hay, needle)						\
	do {									\
		if (!strstr((hay), (needle)))					\
			fail_msg("expected \"%s\" in \"%s\"", (needle), (hay));	\
	} while (0)

/* The i-th IPv4 address of a spec is addr/len. */
static inline void assert_v4(const struct vg_spec *s, unsigned int i, const char *addr,
			     unsigned int len)
{
	char buf[INET_ADDRSTRLEN];

	if (i >= s->n_v4)
		fail_msg("v4[%u]: expected %s/%u, only %u addresses", i, addr, len, s->n_v4);
	inet_ntop(AF_INET, &s->v4[i].addr, buf, sizeof(buf));
	assert_string_equal(buf, addr);
	assert_int_equal(s->v4[i].len, len);
}

/* The i-th IPv6 address of a spec is addr/len. */
static inline void assert_v6(const struct vg_spec *s, unsigned int i, const char *addr,
			     unsigned int len)
{
	char buf[INET6_ADDRSTRLEN];

	if (i >= s->n_v6)
		fail_msg("v6[%u]: expected %s/%u, only %u addresses", i, addr, len, s->n_v6);
	inet_ntop(AF_INET6, &s->v6[i].addr, buf, sizeof(buf));
	assert_string_equal(buf, addr);
	assert_int_equal(s->v6[i].len, len);
}

#endif /* VG_TEST_UNIT_H */
