// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The output of one run: the command's JSON writer, and errors as text
 * on stderr or as one JSON document on stdout (cli_out.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "cli_out.h"
#include "sanitize.h"

#define MSG_MAX 1024

void vg_out_init(struct vg_out *out, bool json)
{
	memset(out, 0, sizeof(*out));
	out->json = json;
	vg_json_init(&out->w, stdout);
}

struct vg_json *vg_out_json(struct vg_out *out)
{
	vg_json_init(&out->w, stdout);
	return &out->w;
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

static void say(struct vg_out *out, bool log, const char *fmt, va_list ap)
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
	if (out->n_errors < VG_OUT_MAX_ERRORS)
		out->errors[out->n_errors] = strdup(msg);
	out->n_errors++;
}

void vg_out_err(struct vg_out *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(out, false, fmt, ap);
	va_end(ap);
}

void vg_out_errlog(struct vg_out *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(out, true, fmt, ap);
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
	vg_json_kv_string(j, "error", out->errors[0] ? out->errors[0] : "out of memory");
	if (out->n_errors > 1) {
		vg_json_name(j, "errors");
		vg_json_array_start(j);
		for (i = 0; i < n; i++)
			vg_json_string(j, out->errors[i] ? out->errors[i] : "out of memory");
		if (out->n_errors > n)
			vg_json_string(j, "(more errors, not kept)");
		vg_json_array_end(j);
	}
	vg_json_object_end(j);
	fflush(stdout);
	for (i = 0; i < n; i++)
		free(out->errors[i]);
	out->n_errors = 0;
}
