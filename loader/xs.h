/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Xenstore access for the policy sources.
 *
 * Everything goes through a small table of operations so that the parsers
 * and the precedence logic can be tested with a table of keys, and so that
 * the binary does not link against libxenstore: the real backend loads
 * libxenstore.so.4 with dlopen() at run time, and vifguard keeps working
 * on hosts without Xen libraries (it just reports that there is no
 * xenstore).  The static build (-DVG_XS_STATIC) links libxenstore.a in
 * instead.
 */
#ifndef VG_XS_H
#define VG_XS_H

#include <stdbool.h>
#include <limits.h>
#include <stddef.h>

/* Same meaning as struct xs_permissions: entry 0 names the owner and the
 * permissions of every domain not listed; later entries grant extra
 * permissions to one domain each. */
#define VG_XS_PERM_READ		0x01
#define VG_XS_PERM_WRITE	0x02

struct vg_xs_perm {
	unsigned int id;
	unsigned int perms;
};

struct vg_xs_ops {
	/* NUL-terminated copy of the value, to free(); NULL and errno
	 * (ENOENT when the node does not exist). */
	char *(*read)(void *priv, const char *path);
	/* Child names in one allocation, to free() once; NULL and errno. */
	char **(*list)(void *priv, const char *path, unsigned int *num);
	/* Permissions in one allocation, to free(); NULL and errno. */
	struct vg_xs_perm *(*perms)(void *priv, const char *path, unsigned int *num);
	/* 0 or -errno. */
	int (*write)(void *priv, const char *path, const char *value);
	int (*rm)(void *priv, const char *path);
	void (*close)(void *priv);
};

struct vg_xs {
	const struct vg_xs_ops *ops;
	void *priv;
};

/*
 * Connects to the local xenstored (or /dev/xen/xenbus) through
 * libxenstore.  Returns 0, or -errno with a message: -ENOENT when
 * the library is missing or no xenstore runs on this host.
 */
int vg_xs_open(struct vg_xs *xs, char *err, size_t errlen);
void vg_xs_close(struct vg_xs *xs);

/* Thin wrappers over the operations, same conventions. */
char *vg_xs_read(struct vg_xs *xs, const char *path);
char **vg_xs_list(struct vg_xs *xs, const char *path, unsigned int *num);
int vg_xs_write(struct vg_xs *xs, const char *path, const char *value);
int vg_xs_rm(struct vg_xs *xs, const char *path);

/*
 * Whether a domain other than dom0 may write the node at path: its owner
 * is another domain, every domain may write it, or a domain is granted
 * write.  Returns 1 with *domid set to one such domain (VG_XS_ANY_DOMAIN
 * for "every domain"), 0 when only dom0 may write it, or -errno when the
 * permissions cannot be read.  Identity keys that the toolstack writes
 * under a guest's home (/local/domain/<domid>/vm) are only used when
 * this says 0.
 */
#define VG_XS_ANY_DOMAIN	UINT_MAX
int vg_xs_writable_by_domu(struct vg_xs *xs, const char *path, unsigned int *domid);

/*
 * Reads dir/key, a key only dom0 may write: 0 with *val the value (to
 * free()) or NULL when the key is absent.  A key that a domain other
 * than dom0 may write is not trusted: -EPERM; other failures -errno.
 * On failure err says which key and why.
 */
#define VG_XS_TRUSTED_PATHLEN	288
int vg_xs_read_trusted(struct vg_xs *xs, const char *dir, const char *key, char **val,
		       char *err, size_t errlen);

#endif /* VG_XS_H */
