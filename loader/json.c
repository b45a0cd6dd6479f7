// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "json.h"

void vg_json_init(struct vg_json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

/*
 * Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0 when there is none.
 */
static size_t utf8_len(const unsigned char *s)
{
	size_t len, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/*
 * The quote, the backslash and the control characters with a short
 * escape get it; other control characters and DEL become \u00XX.
 * Well-formed UTF-8 is copied as it is; any other byte >= 0x80 is written
 * as \u00XX of the byte (its Latin-1 reading): the output stays valid
 * JSON, and the byte can still be told apart from a replacement
 * character.
 */
void vg_json_escape(FILE *f, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	/* The characters JSON writes as a backslash and one letter. */
	static const char short_escape[] = {
		['"'] = '"', ['\\'] = '\\', ['\n'] = 'n', ['\r'] = 'r',
		['\t'] = 't', ['\b'] = 'b', ['\f'] = 'f',
	};

	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		size_t n;

		if (c >= 0x80) {
			n = utf8_len((const unsigned char *)s);
			if (n) {
				fwrite(s, 1, n, f);
				s += n - 1;
			} else {
				fprintf(f, "\\u00%c%c", hex[c >> 4], hex[c & 15]);
			}
			continue;
		}

		if (c < sizeof(short_escape) && short_escape[c]) {
			fputc('\\', f);
			fputc(short_escape[c], f);
		} else if (c < 0x20 || c == 0x7f) {
			/* DEL is valid JSON but unreadable in a terminal. */
			fprintf(f, "\\u00%c%c", hex[c >> 4], hex[c & 15]);
		} else {
			fputc(c, f);
		}
	}
	fputc('"', f);
}

/* Before any value: a comma unless it is the first of its container. */
static void value_prefix(struct vg_json *j)
{
	if (j->after_name) {
		j->after_name = false;
		return;
	}
	if (j->filled[j->depth])
		fputc(',', j->f);
	j->filled[j->depth] = true;
}

static void open_level(struct vg_json *j, char c)
{
	value_prefix(j);
	fputc(c, j->f);
	if (j->depth < VG_JSON_DEPTH - 1)
		j->depth++;
	j->filled[j->depth] = false;
}

static void close_level(struct vg_json *j, char c)
{
	fputc(c, j->f);
	if (j->depth > 0)
		j->depth--;
	if (j->depth == 0)
		fputc('\n', j->f);
}

void vg_json_object_start(struct vg_json *j)
{
	open_level(j, '{');
	if (j->depth == 1 && j->head)
		j->head(j, j->head_arg);
}

void vg_json_object_end(struct vg_json *j)
{
	close_level(j, '}');
}

void vg_json_array_start(struct vg_json *j)
{
	open_level(j, '[');
}

void vg_json_array_end(struct vg_json *j)
{
	close_level(j, ']');
}

void vg_json_name(struct vg_json *j, const char *name)
{
	value_prefix(j);
	vg_json_escape(j->f, name);
	fputc(':', j->f);
	j->after_name = true;
}

void vg_json_string(struct vg_json *j, const char *s)
{
	value_prefix(j);
	vg_json_escape(j->f, s);
}

void vg_json_uint(struct vg_json *j, uint64_t v)
{
	value_prefix(j);
	fprintf(j->f, "%" PRIu64, v);
}

void vg_json_int(struct vg_json *j, int64_t v)
{
	value_prefix(j);
	fprintf(j->f, "%" PRId64, v);
}

void vg_json_double(struct vg_json *j, double v)
{
	value_prefix(j);
	/* JSON has no NaN or infinity. */
	if (isfinite(v))
		fprintf(j->f, "%.3f", v);
	else
		fputs("null", j->f);
}

void vg_json_bool(struct vg_json *j, bool v)
{
	value_prefix(j);
	fputs(v ? "true" : "false", j->f);
}

void vg_json_null(struct vg_json *j)
{
	value_prefix(j);
	fputs("null", j->f);
}

void vg_json_kv_string(struct vg_json *j, const char *name, const char *s)
{
	vg_json_name(j, name);
	vg_json_string(j, s);
}

void vg_json_kv_uint(struct vg_json *j, const char *name, uint64_t v)
{
	vg_json_name(j, name);
	vg_json_uint(j, v);
}

void vg_json_kv_bool(struct vg_json *j, const char *name, bool v)
{
	vg_json_name(j, name);
	vg_json_bool(j, v);
}

void vg_json_kv_string_or_null(struct vg_json *j, const char *name, const char *s)
{
	vg_json_name(j, name);
	if (s && *s)
		vg_json_string(j, s);
	else
		vg_json_null(j);
}

void vg_json_kv_uint_or_null(struct vg_json *j, const char *name, bool have, uint64_t v)
{
	vg_json_name(j, name);
	if (have)
		vg_json_uint(j, v);
	else
		vg_json_null(j);
}
