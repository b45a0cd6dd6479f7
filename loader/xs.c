// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Xenstore through libxenstore.
 *
 * The prototypes come from <xenstore.h> (libxen-dev) so that a change of
 * the library's ABI breaks the build rather than the host.  By default
 * libxenstore.so.4 is loaded at run time, only when a command needs
 * xenstore.  Built with -DVG_XS_STATIC (`make static`), the same
 * functions are bound from libxenstore.a at link time and the binary
 * needs no shared library; everything past the binding is the same.
 */
#ifndef VG_XS_STATIC
#include <dlfcn.h>
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "xs.h"

struct vg_xs_lib {
	void *dl;		/* NULL when linked in */
	struct xs_handle *h;
	__typeof__(&xs_open) open;
	__typeof__(&xs_close) close;
	__typeof__(&xs_read) read;
	__typeof__(&xs_directory) directory;
	__typeof__(&xs_get_permissions) get_permissions;
	__typeof__(&xs_write) write;
	__typeof__(&xs_rm) rm;
};

static char *lib_read(void *priv, const char *path)
{
	struct vg_xs_lib *l = priv;
	unsigned int len = 0;
	char *v, *s;

	v = l->read(l->h, XBT_NULL, path, &len);
	if (!v)
		return NULL;
	/* xs_read() terminates the value, but a value may hold a NUL byte:
	 * cut there rather than hand a shorter string around silently. */
	s = strndup(v, len);
	free(v);
	if (!s)
		errno = ENOMEM;
	return s;
}

static char **lib_list(void *priv, const char *path, unsigned int *num)
{
	struct vg_xs_lib *l = priv;

	return l->directory(l->h, XBT_NULL, path, num);
}

static struct vg_xs_perm *lib_perms(void *priv, const char *path, unsigned int *num)
{
	struct vg_xs_lib *l = priv;
	struct xs_permissions *p;
	struct vg_xs_perm *out;
	unsigned int i, n = 0;

	p = l->get_permissions(l->h, XBT_NULL, path, &n);
	if (!p)
		return NULL;
	out = calloc(n ? n : 1, sizeof(*out));
	if (!out) {
		free(p);
		errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		out[i].id = p[i].id;
		out[i].perms = p[i].perms & (VG_XS_PERM_READ | VG_XS_PERM_WRITE);
	}
	free(p);
	*num = n;
	return out;
}

static int lib_write(void *priv, const char *path, const char *value)
{
	struct vg_xs_lib *l = priv;

	if (!l->write(l->h, XBT_NULL, path, value, strlen(value)))
		return errno ? -errno : -EIO;
	return 0;
}

static int lib_rm(void *priv, const char *path)
{
	struct vg_xs_lib *l = priv;

	if (!l->rm(l->h, XBT_NULL, path))
		return errno ? -errno : -EIO;
	return 0;
}

/* Binds the functions of struct vg_xs_lib, or says why not; undoes it. */
static int lib_bind(struct vg_xs_lib *l, char *err, size_t errlen);
static void lib_unbind(struct vg_xs_lib *l);

static void lib_close(void *priv)
{
	struct vg_xs_lib *l = priv;

	if (l->h)
		l->close(l->h);
	lib_unbind(l);
	free(l);
}

static const struct vg_xs_ops lib_ops = {
	.read = lib_read,
	.list = lib_list,
	.perms = lib_perms,
	.write = lib_write,
	.rm = lib_rm,
	.close = lib_close,
};

#ifdef VG_XS_STATIC

static int lib_bind(struct vg_xs_lib *l, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	l->open = xs_open;
	l->close = xs_close;
	l->read = xs_read;
	l->directory = xs_directory;
	l->get_permissions = xs_get_permissions;
	l->write = xs_write;
	l->rm = xs_rm;
	return 0;
}

static void lib_unbind(struct vg_xs_lib *l)
{
	(void)l;
}

#else /* !VG_XS_STATIC */

#define VG_LIBXENSTORE "libxenstore.so.4"

#define LOAD(l, field, name)						\
	do {								\
		*(void **)&(l)->field = dlsym((l)->dl, name);		\
		if (!(l)->field) {					\
			missing = name;					\
			goto fail;					\
		}							\
	} while (0)

static int lib_bind(struct vg_xs_lib *l, char *err, size_t errlen)
{
	const char *missing = NULL;

	l->dl = dlopen(VG_LIBXENSTORE, RTLD_NOW | RTLD_LOCAL);
	if (!l->dl) {
		/* dlerror() names the library and says what is wrong with it. */
		const char *why = dlerror();

		snprintf(err, errlen, "cannot open xenstore: %s (not a Xen host?)",
			 why ? why : VG_LIBXENSTORE);
		return -ENOENT;
	}
	LOAD(l, open, "xs_open");
	LOAD(l, close, "xs_close");
	LOAD(l, read, "xs_read");
	LOAD(l, directory, "xs_directory");
	LOAD(l, get_permissions, "xs_get_permissions");
	LOAD(l, write, "xs_write");
	LOAD(l, rm, "xs_rm");
	return 0;
fail:
	snprintf(err, errlen, "cannot open xenstore: %s lacks %s",
		 VG_LIBXENSTORE, missing);
	dlclose(l->dl);
	return -ENOSYS;
}

static void lib_unbind(struct vg_xs_lib *l)
{
	dlclose(l->dl);
}

#endif /* VG_XS_STATIC */

int vg_xs_open(struct vg_xs *xs, char *err, size_t errlen)
{
	struct vg_xs_lib *l;
	int e;

	memset(xs, 0, sizeof(*xs));
	l = calloc(1, sizeof(*l));
	if (!l) {
		snprintf(err, errlen, "cannot open xenstore: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	e = lib_bind(l, err, errlen);
	if (e) {
		free(l);
		return e;
	}
	errno = 0;
	l->h = l->open(0);
	if (!l->h) {
		e = errno ? errno : ENOENT;
		snprintf(err, errlen,
			 "cannot connect to xenstore: %s (is xenstored running?)",
			 strerror(e));
		lib_unbind(l);
		free(l);
		return -e;
	}
	xs->ops = &lib_ops;
	xs->priv = l;
	return 0;
}

void vg_xs_close(struct vg_xs *xs)
{
	if (xs->ops)
		xs->ops->close(xs->priv);
	memset(xs, 0, sizeof(*xs));
}

char *vg_xs_read(struct vg_xs *xs, const char *path)
{
	return xs->ops->read(xs->priv, path);
}

char **vg_xs_list(struct vg_xs *xs, const char *path, unsigned int *num)
{
	return xs->ops->list(xs->priv, path, num);
}

int vg_xs_write(struct vg_xs *xs, const char *path, const char *value)
{
	return xs->ops->write(xs->priv, path, value);
}

int vg_xs_rm(struct vg_xs *xs, const char *path)
{
	return xs->ops->rm(xs->priv, path);
}

int vg_xs_writable_by_domu(struct vg_xs *xs, const char *path, unsigned int *domid)
{
	struct vg_xs_perm *p;
	unsigned int i, n = 0;
	int ret = 0;

	p = xs->ops->perms(xs->priv, path, &n);
	if (!p)
		return errno ? -errno : -EIO;
	if (n == 0) {
		free(p);
		return -EPROTO;
	}
	/* The owner may always write; p[0].perms is what every domain not
	 * listed after it may do; then one entry per listed domain. */
	if (p[0].id != 0) {
		*domid = p[0].id;
		ret = 1;
	} else if (p[0].perms & VG_XS_PERM_WRITE) {
		*domid = VG_XS_ANY_DOMAIN;
		ret = 1;
	}
	for (i = 1; i < n && !ret; i++)
		if (p[i].id != 0 && (p[i].perms & VG_XS_PERM_WRITE)) {
			*domid = p[i].id;
			ret = 1;
		}
	free(p);
	return ret;
}

int vg_xs_read_trusted(struct vg_xs *xs, const char *dir, const char *key, char **val,
		       char *err, size_t errlen)
{
	char path[VG_XS_TRUSTED_PATHLEN];
	unsigned int writer;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	*val = vg_xs_read(xs, path);
	if (!*val && errno == ENOENT)
		return 0;
	if (!*val) {
		ret = errno ? -errno : -EIO;
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(-ret));
		return ret;
	}
	ret = vg_xs_writable_by_domu(xs, path, &writer);
	if (ret == 0)
		return 0;
	free(*val);
	*val = NULL;
	if (ret < 0)
		snprintf(err, errlen, "%s: cannot read its permissions: %s", path,
			 strerror(-ret));
	else if (writer == VG_XS_ANY_DOMAIN)
		snprintf(err, errlen, "%s: every domain can write this key: not trusted", path);
	else
		snprintf(err, errlen, "%s: domain %u can write this key: not trusted", path,
			 writer);
	return ret < 0 ? ret : -EPERM;
}
