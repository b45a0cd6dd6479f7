// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The output of one run: the command's JSON writer, and errors as text
 * on stderr or as one JSON document on stdout (cli_out.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "cli_out.h"
#include "sanitize.h"

#ifndef VIFGUARD_VERSION
#define VIFGUARD_VERSION "unknown"
#endif

#define MSG_MAX 1024

const char vg_version[] = VIFGUARD_VERSION;

const char *vg_errcode_name(enum vg_errcode code)
{
	static const char *const names[VG_E_N] = {
#define VG_ERRCODE_NAME(name, str) [VG_E_##name] = str,
		VG_ERRCODES(VG_ERRCODE_NAME)
#undef VG_ERRCODE_NAME
	};

	return (unsigned int)code < VG_E_N ? names[code] : "internal";
}

/* The state library's -errno values: state.c and state_place.c say
 * which failure each stands for. */
enum vg_errcode vg_errcode_of(int err)
{
	switch (err < 0 ? -err : err) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
	case ESTALE:
		return VG_E_NOT_FOUND;
	case EXDEV:
		return VG_E_WRONG_PLACE;
	case EPERM:
	case EACCES:
	case ELOOP:
	case ENOTDIR:
	case EINVAL:
	case ENAMETOOLONG:
	case EEXIST:
		return VG_E_REFUSED;
	case ETIMEDOUT:
	case EWOULDBLOCK:
	case EBUSY:
		return VG_E_BUSY;
	case ENOMEM:
	case EPROTO:
		return VG_E_INTERNAL;
	default:
		return VG_E_KERNEL;
	}
}

void vg_out_init(struct vg_out *out, bool json)
{
	memset(out, 0, sizeof(*out));
	out->json = json;
	vg_json_init(&out->w, stdout);
}

/* The envelope: the first members of every document (cli_out.h). */
static void envelope(struct vg_json *j, void *arg)
{
	struct vg_out *out = arg;
	struct timespec now;
	char t[64];
	struct tm tm;

	if (out->have_time)
		now = out->time;
	else
		clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(t + strlen(t), sizeof(t) - strlen(t), ".%03ldZ", now.tv_nsec / 1000000);
	vg_json_kv_string(j, "root", out->root ? out->root : "");
	vg_json_kv_string(j, "version", vg_version);
	vg_json_kv_string(j, "time", t);
}

struct vg_json *vg_out_json(struct vg_out *out)
{
	vg_json_init(&out->w, stdout);
	out->w.head = envelope;
	out->w.head_arg = out;
	out->have_time = false;
	return &out->w;
}

struct vg_json *vg_out_json_at(struct vg_out *out, const struct timespec *real)
{
	vg_out_json(out);
	out->time = *real;
	out->have_time = true;
	return &out->w;
}

void vg_out_error_json(struct vg_json *j, enum vg_errcode code, const char *msg)
{
	vg_json_object_start(j);
	vg_json_kv_string(j, "code", vg_errcode_name(code));
	vg_json_kv_string(j, "message", msg ? msg : "out of memory");
	vg_json_object_end(j);
}

static void syslog_text(int prio, const char *msg)
{
	static bool opened;
	char esc[4 * MSG_MAX];

	if (!opened) {
		openlog("vifguard", LOG_PID, LOG_DAEMON);
		opened = true;
	}
	syslog(prio, "%s", vg_escape_text(esc, sizeof(esc), msg));
}

static void say(struct vg_out *out, enum vg_errcode code, bool log, const char *fmt,
		va_list ap)
{
	char msg[MSG_MAX], esc[4 * sizeof(msg)];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log)
		syslog_text(LOG_ERR, msg);
	if (!out->json) {
		/* Names and values in msg may come from xenstore or the
		 * kernel: no forged lines, no terminal escapes. */
		fprintf(stderr, "vifguard: %s\n", vg_escape_text(esc, sizeof(esc), msg));
		return;
	}
	if (out->n_errors < VG_OUT_MAX_ERRORS) {
		out->errors[out->n_errors] = strdup(msg);
		out->codes[out->n_errors] = code;
	}
	out->n_errors++;
}

void vg_out_err(struct vg_out *out, enum vg_errcode code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(out, code, false, fmt, ap);
	va_end(ap);
}

void vg_out_errlog(struct vg_out *out, enum vg_errcode code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(out, code, true, fmt, ap);
	va_end(ap);
}

void vg_out_log(int prio, bool to_stderr, const char *fmt, ...)
{
	char msg[MSG_MAX], esc[4 * sizeof(msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	syslog_text(prio, msg);
	if (to_stderr)
		fprintf(stderr, "vifguard: %s\n", vg_escape_text(esc, sizeof(esc), msg));
}

void vg_out_finish(struct vg_out *out)
{
	unsigned int i, n = out->n_errors < VG_OUT_MAX_ERRORS ? out->n_errors :
			    VG_OUT_MAX_ERRORS;
	struct vg_json *j;

	if (!out->json || !out->n_errors)
		return;
	fflush(stdout);
	j = vg_out_json(out);
	vg_json_object_start(j);
	vg_json_name(j, "error");
	vg_out_error_json(j, out->codes[0], out->errors[0]);
	if (out->n_errors > 1) {
		vg_json_name(j, "errors");
		vg_json_array_start(j);
		for (i = 0; i < n; i++)
			vg_out_error_json(j, out->codes[i], out->errors[i]);
		if (out->n_errors > n)
			vg_out_error_json(j, VG_E_INTERNAL, "(more errors, not kept)");
		vg_json_array_end(j);
	}
	vg_json_object_end(j);
	fflush(stdout);
	for (i = 0; i < n; i++)
		free(out->errors[i]);
	out->n_errors = 0;
}
