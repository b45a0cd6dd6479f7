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

/* Address i of n (text of family af at a, prefix a_len) is addr/len. */
static inline void assert_addr(const char *what, unsigned int i, unsigned int n, int af,
			       const void *a, unsigned int a_len, const char *addr,
			       unsigned int len)
{
	char buf[INET6_ADDRSTRLEN];

	if (i >= n)
		fail_msg("%s[%u]: expected %s/%u, only %u addresses", what, i, addr, len, n);
	inet_ntop(af, a, buf, sizeof(buf));
	assert_string_equal(buf, addr);
	assert_int_equal(a_len, len);
}

/* The i-th IPv4 (IPv6) address of a spec is addr/len. */
#define assert_v4(sp, ix, want, plen)						\
	assert_addr("v4", (ix), (sp)->n_v4, AF_INET,					\
		    &(sp)->v4[(ix) < (sp)->n_v4 ? (ix) : 0].addr,			\
		    (sp)->v4[(ix) < (sp)->n_v4 ? (ix) : 0].len, (want), (plen))
#define assert_v6(sp, ix, want, plen)						\
	assert_addr("v6", (ix), (sp)->n_v6, AF_INET6,					\
		    &(sp)->v6[(ix) < (sp)->n_v6 ? (ix) : 0].addr,			\
		    (sp)->v6[(ix) < (sp)->n_v6 ? (ix) : 0].len, (want), (plen))

#endif /* VG_TEST_UNIT_H */
