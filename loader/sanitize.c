// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "sanitize.h"

bool vg_root_only(const struct stat *st)
{
	if (st->st_uid != 0)
		return false;
	if (!(st->st_mode & (S_IWGRP | S_IWOTH)))
		return true;
	return S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX);
}

int vg_ifname_check(const char *name)
{
	size_t len;

	if (!name)
		return -EINVAL;
	len = strlen(name);
	if (len < 1 || len >= IF_NAMESIZE || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	for (; *name; name++) {
		unsigned char c = (unsigned char)*name;

		/* '/' and ':' are what the kernel refuses too (a path
		 * separator, an alias); quotes and '\\' would need quoting in
		 * ovs-vsctl and shells, and no Xen device name has them. */
		if (c <= 0x20 || c >= 0x7f || c == '/' || c == ':' || c == '"' ||
		    c == '\'' || c == '\\')
			return -EINVAL;
	}
	return 0;
}

int vg_ovs_value_check(const char *s)
{
	size_t len;

	if (!s)
		return -EINVAL;
	len = strlen(s);
	if (len < 1 || len > 64)
		return -EINVAL;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z') || c == '.' || c == ':' || c == '_' || c == '-'))
			return -EINVAL;
	}
	return 0;
}

char *vg_escape_text(char *out, size_t outlen, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	if (!outlen)
		return out;
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[5];
		size_t k;

		if (c == '\\') {
			memcpy(esc, "\\\\", 2);
			k = 2;
		} else if (c < 0x20 || c >= 0x7f) {
			esc[0] = '\\';
			esc[1] = 'x';
			esc[2] = hex[c >> 4];
			esc[3] = hex[c & 15];
			k = 4;
		} else {
			esc[0] = (char)c;
			k = 1;
		}
		/* Never half an escape: a truncated one would read as text. */
		if (n + k >= outlen)
			break;
		memcpy(out + n, esc, k);
		n += k;
	}
	out[n] = '\0';
	return out;
}
