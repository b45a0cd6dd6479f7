// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A xenstore made of a table of keys, for unit tests of the sources: the
 * same lookups as on a host, fed with the exact strings Xen and XAPI
 * write.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xs_table.h"

#define VG_XS_OVERLAY 32

struct vg_xs_table {
	const struct vg_xs_entry *tab;
	size_t n;
	/* Writes and removals, newest last. */
	struct {
		char *path;
		char *value;	/* NULL: removed */
	} ov[VG_XS_OVERLAY];
	size_t n_ov;
};

static const struct vg_xs_entry *tab_find(struct vg_xs_table *t, const char *path)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->tab[i].path, path))
			return &t->tab[i];
	return NULL;
}

/* Index of the newest overlay record for path, or -1. */
static int ov_find(struct vg_xs_table *t, const char *path)
{
	int i;

	for (i = (int)t->n_ov - 1; i >= 0; i--)
		if (!strcmp(t->ov[i].path, path))
			return i;
	return -1;
}

/* Whether path is a proper prefix directory of p. */
static bool is_parent(const char *path, const char *p)
{
	size_t len = strlen(path);

	if (len == 1 && path[0] == '/')
		return p[0] == '/' && p[1];
	return !strncmp(p, path, len) && p[len] == '/';
}

static bool tab_exists(struct vg_xs_table *t, const char *path)
{
	size_t i;
	int o = ov_find(t, path);

	if (o >= 0)
		return t->ov[o].value != NULL;
	if (tab_find(t, path))
		return true;
	for (i = 0; i < t->n; i++)
		if (is_parent(path, t->tab[i].path))
			return true;
	return false;
}

static char *t_read(void *priv, const char *path)
{
	struct vg_xs_table *t = priv;
	const struct vg_xs_entry *e;
	int o = ov_find(t, path);
	char *s;

	if (o >= 0) {
		if (!t->ov[o].value) {
			errno = ENOENT;
			return NULL;
		}
		s = strdup(t->ov[o].value);
	} else if ((e = tab_find(t, path))) {
		s = strdup(e->value ? e->value : "");
	} else if (tab_exists(t, path)) {
		s = strdup("");	/* a directory reads as empty */
	} else {
		errno = ENOENT;
		return NULL;
	}
	if (!s)
		errno = ENOMEM;
	return s;
}

static char **t_list(void *priv, const char *path, unsigned int *num)
{
	struct vg_xs_table *t = priv;
	const char *names[256];
	size_t len, total = 0, i, j, k, n = 0;
	char **out, *p;

	if (!tab_exists(t, path)) {
		errno = ENOENT;
		return NULL;
	}
	len = strcmp(path, "/") ? strlen(path) : 0;
	for (i = 0; i < t->n; i++) {
		const char *c = t->tab[i].path;
		size_t clen;

		if (!is_parent(path, c))
			continue;
		c += len + 1;
		clen = strcspn(c, "/");
		for (j = 0; j < n; j++)
			if (strlen(names[j]) >= clen && !strncmp(names[j], c, clen) &&
			    (names[j][clen] == '/' || !names[j][clen]))
				break;
		if (j < n || n == sizeof(names) / sizeof(names[0]))
			continue;
		names[n++] = c;
		total += clen + 1;
	}
	/* One block like xs_directory(): the pointers, then the strings. */
	out = malloc(sizeof(char *) * (n + 1) + total);
	if (!out) {
		errno = ENOMEM;
		return NULL;
	}
	p = (char *)(out + n + 1);
	for (k = 0; k < n; k++) {
		size_t clen = strcspn(names[k], "/");

		memcpy(p, names[k], clen);
		p[clen] = '\0';
		out[k] = p;
		p += clen + 1;
	}
	out[n] = NULL;
	*num = n;
	return out;
}

/* "n0 r5 b7": one letter (n, r, w, b) and a domain id per entry. */
static struct vg_xs_perm *parse_perms(const char *s, unsigned int *num)
{
	struct vg_xs_perm *p;
	unsigned int n = 0;
	const char *c;
	char *end;

	p = calloc(16, sizeof(*p));
	if (!p) {
		errno = ENOMEM;
		return NULL;
	}
	for (c = s; *c && n < 16;) {
		unsigned int bits;

		while (*c == ' ')
			c++;
		if (!*c)
			break;
		switch (*c) {
		case 'n': bits = 0; break;
		case 'r': bits = VG_XS_PERM_READ; break;
		case 'w': bits = VG_XS_PERM_WRITE; break;
		case 'b': bits = VG_XS_PERM_READ | VG_XS_PERM_WRITE; break;
		default:
			free(p);
			errno = EINVAL;
			return NULL;
		}
		p[n].perms = bits;
		p[n].id = strtoul(c + 1, &end, 10);
		if (end == c + 1) {
			free(p);
			errno = EINVAL;
			return NULL;
		}
		n++;
		c = end;
	}
	*num = n;
	return p;
}

static struct vg_xs_perm *t_perms(void *priv, const char *path, unsigned int *num)
{
	struct vg_xs_table *t = priv;
	const struct vg_xs_entry *e;

	if (!tab_exists(t, path)) {
		errno = ENOENT;
		return NULL;
	}
	e = tab_find(t, path);
	return parse_perms(e && e->perms ? e->perms : "n0", num);
}

static int ov_add(struct vg_xs_table *t, const char *path, const char *value)
{
	char *p, *v = NULL;

	if (t->n_ov == VG_XS_OVERLAY)
		return -ENOSPC;
	p = strdup(path);
	if (value)
		v = strdup(value);
	if (!p || (value && !v)) {
		free(p);
		free(v);
		return -ENOMEM;
	}
	t->ov[t->n_ov].path = p;
	t->ov[t->n_ov].value = v;
	t->n_ov++;
	return 0;
}

static int t_write(void *priv, const char *path, const char *value)
{
	return ov_add(priv, path, value);
}

static int t_rm(void *priv, const char *path)
{
	/* Like xs_rm(): removing what does not exist is not an error. */
	return ov_add(priv, path, NULL);
}

static void t_close(void *priv)
{
	struct vg_xs_table *t = priv;
	size_t i;

	for (i = 0; i < t->n_ov; i++) {
		free(t->ov[i].path);
		free(t->ov[i].value);
	}
	free(t);
}

static const struct vg_xs_ops table_ops = {
	.read = t_read,
	.list = t_list,
	.perms = t_perms,
	.write = t_write,
	.rm = t_rm,
	.close = t_close,
};

int vg_xs_open_table(struct vg_xs *xs, const struct vg_xs_entry *table, size_t n)
{
	struct vg_xs_table *t;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->tab = table;
	t->n = n;
	xs->ops = &table_ops;
	xs->priv = t;
	return 0;
}

const char *vg_xs_table_written(struct vg_xs *xs, const char *path)
{
	struct vg_xs_table *t = xs->priv;
	int o;

	if (xs->ops != &table_ops)
		return NULL;
	o = ov_find(t, path);
	return o >= 0 ? t->ov[o].value : NULL;
}

bool vg_xs_table_removed(struct vg_xs *xs, const char *path)
{
	struct vg_xs_table *t = xs->priv;
	int o;

	if (xs->ops != &table_ops)
		return false;
	o = ov_find(t, path);
	return o >= 0 && !t->ov[o].value;
}
