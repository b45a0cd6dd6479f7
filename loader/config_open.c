// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Opening the config file as the only policy source root does not write
 * through xenstore: never through a symbolic link, only a regular file
 * that only root can change, in directories only root can change.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "sanitize.h"

/*
 * Resolves the directory of path into real (symbolic links in directory
 * names are allowed, as on hosts where /etc/xensource is one) and checks
 * every directory from / down to it with root_only().  -ENOENT when the
 * directory does not exist (no config); other errors name path.
 */
static int check_dirs(const char *path, char *real, const char **base,
		      char *err, size_t errlen)
{
	char dir[PATH_MAX], pre[PATH_MAX], *slash, *next;
	struct stat st;
	size_t n, len;
	int ret;

	if (strlen(path) >= sizeof(dir)) {
		snprintf(err, errlen, "%s: %s", path, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (!slash) {
		strcpy(dir, ".");
		*base = path;
	} else {
		*base = path + (slash - dir) + 1;
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	if (!**base) {
		snprintf(err, errlen, "%s: not a file name", path);
		return -EISDIR;
	}
	if (!realpath(dir, real)) {
		ret = -errno;
		/* A directory named by a dangling link is an error, not a
		 * missing config: someone meant the file to be elsewhere. */
		if (ret == -ENOENT && !(lstat(dir, &st) == 0 && S_ISLNK(st.st_mode)))
			return -ENOENT;
		snprintf(err, errlen, "%s: directory %s: %s", path, dir, strerror(-ret));
		return ret;
	}
	len = strlen(real);
	/* real is absolute and free of links: check "/", then each prefix. */
	for (n = 1;;) {
		memcpy(pre, real, n);
		pre[n] = '\0';
		if (lstat(pre, &st)) {
			ret = -errno;
			snprintf(err, errlen, "%s: directory %s: %s", path, pre, strerror(-ret));
			return ret;
		}
		if (!vg_root_only(&st)) {
			snprintf(err, errlen,
				 "%s: directory %s is owned by uid %u with mode %04o; refused (must be root's and not writable by group or others)",
				 path, pre, (unsigned int)st.st_uid,
				 (unsigned int)(st.st_mode & 07777));
			return -EPERM;
		}
		if (n >= len)
			break;
		next = strchr(real + n + 1, '/');
		n = next ? (size_t)(next - real) : len;
	}
	return 0;
}

/*
 * Opens path for reading as the only policy source root does not write
 * through xenstore: never through a symbolic link, only a regular file
 * that only root can change.  Returns a FILE, or NULL with errno set and
 * err filled (errno ENOENT with err untouched: no config).
 */
FILE *vg_config_open(const char *path, char *err, size_t errlen)
{
	char real[PATH_MAX], full[PATH_MAX + NAME_MAX + 2];
	const char *base;
	struct stat st;
	FILE *f;
	int fd, ret;

	ret = check_dirs(path, real, &base, err, errlen);
	if (ret)
		goto fail;
	snprintf(full, sizeof(full), "%s/%s", strcmp(real, "/") ? real : "", base);
	/* O_NONBLOCK: a FIFO must not hang a hotplug script. */
	fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		ret = -errno;
		if (ret == -ENOENT)
			goto fail;
		if (ret == -ELOOP && lstat(full, &st) == 0 && S_ISLNK(st.st_mode))
			snprintf(err, errlen, "%s: a symbolic link; refused (name the file itself)",
				 path);
		else
			snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		goto fail;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		goto fail_fd;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		snprintf(err, errlen, "%s: not a regular file; refused", path);
		goto fail_fd;
	}
	if (!vg_root_only(&st)) {
		ret = -EPERM;
		snprintf(err, errlen,
			 "%s: owned by uid %u with mode %04o; refused (must be root's and not writable by group or others)",
			 path, (unsigned int)st.st_uid, (unsigned int)(st.st_mode & 07777));
		goto fail_fd;
	}
	f = fdopen(fd, "r");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		goto fail_fd;
	}
	return f;
fail_fd:
	close(fd);
fail:
	errno = -ret;
	return NULL;
}

