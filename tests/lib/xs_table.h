/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* A xenstore made of a table of keys (tests/lib/xs_table.c). */
#ifndef VG_TEST_XS_TABLE_H
#define VG_TEST_XS_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "xs.h"

/*
 * An in-memory store for the tests (unit tests, parser fuzzing): entries are
 * absolute paths with their value and permissions in xenstore-chmod's
 * notation ("n0", "b5", "n0 r5"; NULL means "n0").  Parent directories
 * exist implicitly with permissions "n0".  The table is not copied and
 * must outlive the handle; writes and removals are kept in a small
 * overlay so that tests can check them.
 */
struct vg_xs_entry {
	const char *path;
	const char *value;
	const char *perms;
};

int vg_xs_open_table(struct vg_xs *xs, const struct vg_xs_entry *table, size_t n);

/* Overlay of a table store: the value last written to path (NULL if
 * none, or if it was removed), and whether path was removed. */
const char *vg_xs_table_written(struct vg_xs *xs, const char *path);
bool vg_xs_table_removed(struct vg_xs *xs, const char *path);

#endif /* VG_TEST_XS_TABLE_H */
