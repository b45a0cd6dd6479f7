/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What every parser harness shares: contract checks that abort(), so that
 * libFuzzer counts a broken contract as a crash and saves the input, and
 * the split of one fuzz input into several strings on NUL bytes (argv
 * vectors, the keys of one xenstore directory).
 */
#ifndef VG_FUZZ_H
#define VG_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

/* The input is printed escaped with the message: a contract failure in a
 * long run is then readable from the log alone. */
#define FUZZ_CHECK(cond, ...)							\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "contract broken at %s:%d: %s: ",	\
				__FILE__, __LINE__, #cond);			\
			fprintf(stderr, __VA_ARGS__);				\
			fputc('\n', stderr);					\
			abort();						\
		}								\
	} while (0)

/* Bytes the err buffers are filled with before a call: a parser that
 * fails without writing its message leaves no NUL behind. */
#define FUZZ_ERR_FILL 0xa5

static inline void fuzz_err_fill(char *err, size_t errlen)
{
	memset(err, FUZZ_ERR_FILL, errlen);
}

/*
 * The error contract of every parser: on failure err holds a non-empty,
 * NUL-terminated message within errlen.  one_line also refuses a newline:
 * for messages built only from words the parser split on blanks, so a
 * newline there means text from elsewhere leaked into the message.
 */
static inline void fuzz_check_err(const char *what, const char *err, size_t errlen,
				  bool one_line)
{
	const char *nul = memchr(err, '\0', errlen);

	FUZZ_CHECK(nul != NULL, "%s: error text not NUL-terminated within %zu bytes",
		   what, errlen);
	FUZZ_CHECK(nul != err, "%s: failed with an empty error text", what);
	if (one_line)
		FUZZ_CHECK(!strchr(err, '\n'), "%s: error text spans lines: %s", what, err);
}

/* One heap copy of the input with a NUL after it: ASan then catches a
 * parser reading past the end of the string. */
static inline char *fuzz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * Splits a copy of the input at each NUL byte into at most max strings,
 * all pointing into *buf (to free()).  Returns how many there are: one
 * more than the NUL bytes, so an input without NUL is one string and
 * "a\0" is "a" then "".  Past max, the rest is dropped.
 */
static inline size_t fuzz_split(const uint8_t *data, size_t size, char **buf,
				char **out, size_t max)
{
	char *s = fuzz_strdup(data, size), *end = s + size;
	size_t n = 0;

	*buf = s;
	while (n < max) {
		out[n++] = s;
		s += strlen(s);
		if (s == end)
			break;
		s++;
	}
	return n;
}

/* Field by field: the adders copy prefixes with their padding, which
 * holds whatever the caller's stack did. */
static inline bool fuzz_spec_equal(const struct vg_spec *a, const struct vg_spec *b)
{
	unsigned int i;

	if (strcmp(a->ifname, b->ifname) || a->mode != b->mode || a->flags != b->flags ||
	    a->n_macs != b->n_macs || a->n_v4 != b->n_v4 || a->n_v6 != b->n_v6 ||
	    a->n_ethertypes != b->n_ethertypes)
		return false;
	if (a->n_macs > VG_MAX_MACS || a->n_v4 > VG_MAX_ADDRS || a->n_v6 > VG_MAX_ADDRS ||
	    a->n_ethertypes > VG_MAX_ETHERTYPES)
		return false;
	if (memcmp(a->macs, b->macs, sizeof(a->macs[0]) * a->n_macs) ||
	    memcmp(a->ethertypes, b->ethertypes, sizeof(a->ethertypes[0]) * a->n_ethertypes))
		return false;
	for (i = 0; i < a->n_v4; i++)
		if (a->v4[i].len != b->v4[i].len || a->v4[i].addr.s_addr != b->v4[i].addr.s_addr)
			return false;
	for (i = 0; i < a->n_v6; i++)
		if (a->v6[i].len != b->v6[i].len ||
		    memcmp(&a->v6[i].addr, &b->v6[i].addr, sizeof(a->v6[i].addr)))
			return false;
	return true;
}

#endif /* VG_FUZZ_H */
