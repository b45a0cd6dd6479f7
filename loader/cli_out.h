/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The output of one run of the command line: text, or JSON under -j
 * (bpftool's json_wtr and p_err).  vg_main creates it once and hands it
 * to the command; nothing below the command line sees it.
 *
 * Every JSON document is one object that begins with the same members
 * (the envelope, written by the writer's head hook on the '{' of each
 * top-level object): "root" (the root directory of the run), "version"
 * (as --version prints it) and "time" (RFC 3339 UTC, milliseconds).
 * docs/vifguard.schema.json describes every document.
 *
 * Errors: in text, "vifguard: TEXT" on stderr at once, escaped.  Under
 * -j they are kept and written by vg_out_finish() as one JSON document
 * on stdout, after the command's own output:
 *   {ENVELOPE,"error":{"code":C,"message":M}}                one error
 *   {ENVELOPE,"error":{...},"errors":[{...},{...}]}          several
 * so "error" always holds the first and "errors", when present, all, in
 * order.  The code is one of a small stable set (enum vg_errcode).
 */
#ifndef VG_CLI_OUT_H
#define VG_CLI_OUT_H

#include <stdbool.h>

#include "json.h"

#include <time.h>

#define VG_OUT_MAX_ERRORS 16

/* The product's version string, as --version prints it. */
extern const char vg_version[];

/*
 * What kind of failure an error is, for scripts: the code's name is
 * stable.  Keep in sync with docs/vifguard.schema.json ("error_code") and
 * vifguard(8), JSON OUTPUT.
 *   usage        the command line (exit status 2)
 *   not_found    no such interface, file, policy or entry
 *   wrong_place  the root is not the host's, or not the one in force
 *   refused      a check said no: trust, guard rails, the policy
 *   busy         the lock was not had in time
 *   kernel       the kernel failed a call (BPF, tc, netlink), or the port
 *                could not be put on its bridge
 *   xenstore     xenstore missing, failing, or holding an unusable key
 *   config       the config file has errors, or a source failed closed
 *   internal     out of memory, or a fault of vifguard's own
 */
#define VG_ERRCODES(X)					\
	X(USAGE, "usage")				\
	X(NOT_FOUND, "not_found")			\
	X(WRONG_PLACE, "wrong_place")			\
	X(REFUSED, "refused")				\
	X(BUSY, "busy")					\
	X(KERNEL, "kernel")				\
	X(XENSTORE, "xenstore")				\
	X(CONFIG, "config")				\
	X(INTERNAL, "internal")

enum vg_errcode {
#define VG_ERRCODE_ENUM(name, str) VG_E_##name,
	VG_ERRCODES(VG_ERRCODE_ENUM)
#undef VG_ERRCODE_ENUM
	VG_E_N
};

const char *vg_errcode_name(enum vg_errcode code);

/* The code of a state-library failure, from its -errno. */
enum vg_errcode vg_errcode_of(int err);

struct vg_out {
	bool json;			/* -j */
	struct vg_json w;		/* the command's writer on stdout */
	const char *root;		/* the envelope's "root" */
	unsigned int n_errors;		/* said, also past VG_OUT_MAX_ERRORS */
	char *errors[VG_OUT_MAX_ERRORS];
	enum vg_errcode codes[VG_OUT_MAX_ERRORS];
	bool have_time;			/* the envelope's time is "time" below */
	struct timespec time;
};

void vg_out_init(struct vg_out *out, bool json);

/* The command's JSON writer, reset for one top-level value; a top-level
 * object gets the envelope, with the time of the call. */
struct vg_json *vg_out_json(struct vg_out *out);

/* The same, with the time given (CLOCK_REALTIME) in the envelope: the
 * moment the counters of show and stats were read. */
struct vg_json *vg_out_json_at(struct vg_out *out, const struct timespec *real);

/* One error for the user (see above). */
void vg_out_err(struct vg_out *out, enum vg_errcode code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The same, and to syslog (the Xen entry points, run by scripts). */
void vg_out_errlog(struct vg_out *out, enum vg_errcode code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One error as an object {"code":...,"message":...} with the writer j,
 * for a failure kept inside a document (detach --all, sync). */
void vg_out_error_json(struct vg_json *j, enum vg_errcode code, const char *msg);

/* A line for syslog only, at prio; to stderr too when to_stderr (stdout
 * may be JSON).  The text is escaped as vg_out_err's. */
void vg_out_log(int prio, bool to_stderr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Writes the kept errors under -j and frees them. */
void vg_out_finish(struct vg_out *out);

#endif /* VG_CLI_OUT_H */
