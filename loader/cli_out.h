/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The output of one run of the command line: text, or JSON under -j
 * (bpftool's json_wtr and p_err).  vg_main creates it once and hands it
 * to the command; nothing below the command line sees it.
 *
 * Errors: in text, "vifguard: TEXT" on stderr at once, escaped.  Under
 * -j they are kept and written by vg_out_finish() as one JSON document
 * on stdout, after the command's own output:
 *   {"error":"FIRST"}                               one error
 *   {"error":"FIRST","errors":["FIRST","SECOND"]}    several, in order
 * so "error" always holds the first and "errors", when present, all.
 */
#ifndef VG_CLI_OUT_H
#define VG_CLI_OUT_H

#include <stdbool.h>

#include "json.h"

#define VG_OUT_MAX_ERRORS 16

struct vg_out {
	bool json;			/* -j */
	struct vg_json w;		/* the command's writer on stdout */
	unsigned int n_errors;		/* said, also past VG_OUT_MAX_ERRORS */
	char *errors[VG_OUT_MAX_ERRORS];
};

void vg_out_init(struct vg_out *out, bool json);

/* The command's JSON writer, reset for one top-level value. */
struct vg_json *vg_out_json(struct vg_out *out);

/* One error for the user (see above). */
void vg_out_err(struct vg_out *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The same, and to syslog (the Xen entry points, run by scripts). */
void vg_out_errlog(struct vg_out *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A line for syslog only, at prio; to stderr too when to_stderr (stdout
 * may be JSON).  The text is escaped as vg_out_err's. */
void vg_out_log(int prio, bool to_stderr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Writes the kept errors under -j and frees them. */
void vg_out_finish(struct vg_out *out);

#endif /* VG_CLI_OUT_H */
