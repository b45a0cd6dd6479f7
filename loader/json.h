/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A small streaming JSON writer: commas and nesting are tracked here so
 * that callers only say what comes next.  Strings are escaped (RFC 8259
 * section 7), so interface names and error text of any content yield
 * valid JSON.
 */
#ifndef VG_JSON_H
#define VG_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define VG_JSON_DEPTH 16

struct vg_json {
	FILE *f;
	int depth;
	/* Per level: whether a value was written already (comma needed). */
	bool filled[VG_JSON_DEPTH];
	/* A member name was just written: the next value needs no comma. */
	bool after_name;
	/* When set, called right after the '{' of a top-level object: the
	 * members every document begins with (cli_out.c's envelope). */
	void (*head)(struct vg_json *j, void *arg);
	void *head_arg;
};

void vg_json_init(struct vg_json *j, FILE *f);
void vg_json_object_start(struct vg_json *j);
void vg_json_object_end(struct vg_json *j);
void vg_json_array_start(struct vg_json *j);
void vg_json_array_end(struct vg_json *j);
/* Member name inside an object; the value follows. */
void vg_json_name(struct vg_json *j, const char *name);
void vg_json_string(struct vg_json *j, const char *s);
void vg_json_uint(struct vg_json *j, uint64_t v);
void vg_json_int(struct vg_json *j, int64_t v);
/* Three decimals; null when v is not finite. */
void vg_json_double(struct vg_json *j, double v);
void vg_json_bool(struct vg_json *j, bool v);
void vg_json_null(struct vg_json *j);

/* Shorthands for "name": value. */
void vg_json_kv_string(struct vg_json *j, const char *name, const char *s);
void vg_json_kv_uint(struct vg_json *j, const char *name, uint64_t v);
void vg_json_kv_bool(struct vg_json *j, const char *name, bool v);
/* name: s, or null when s is NULL or empty. */
void vg_json_kv_string_or_null(struct vg_json *j, const char *name, const char *s);
/* name: v, or null when !have. */
void vg_json_kv_uint_or_null(struct vg_json *j, const char *name, bool have, uint64_t v);

/* Writes s as a JSON string literal (quotes included) to f. */
void vg_json_escape(FILE *f, const char *s);

#endif /* VG_JSON_H */
