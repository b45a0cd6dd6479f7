// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The monitor's hold on a root's drop events (monitor_follow.h): the
 * one-reader lock, the reader, and the check that the events map read is
 * still the one pinned under the root.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "cli.h"
#include "monitor_follow.h"

void vg_follow_init(struct vg_follow *f, const char *root)
{
	memset(f, 0, sizeof(*f));
	f->root = root;
	f->lock_fd = -1;
}

/* FNV-1a: names the root's lock apart from another root's whose
 * readable part is the same. */
static uint32_t path_hash(const char *s)
{
	uint32_t h = 2166136261U;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619U;
	return h;
}

void vg_follow_lock_path(const char *root, char *out, size_t len)
{
	char name[64];
	size_t i;

	for (i = 0; root[i] && i < sizeof(name) - 1; i++)
		name[i] = (root[i] >= 'a' && root[i] <= 'z') || (root[i] >= 'A' && root[i] <= 'Z') ||
			  (root[i] >= '0' && root[i] <= '9') || root[i] == '.' ? root[i] : '_';
	name[i] = '\0';
	snprintf(out, len, "%s/monitor-%s-%08x.lock", VG_MONITOR_LOCK_DIR, name, path_hash(root));
}

/* The lock directory: made root's with mode 0755, refused when anyone
 * else could put a file of theirs in it. */
static int lock_dir(char *err, size_t errlen)
{
	struct stat s;

	if (mkdir(VG_MONITOR_LOCK_DIR, 0755) && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", VG_MONITOR_LOCK_DIR, strerror(errno));
		return -errno;
	}
	if (lstat(VG_MONITOR_LOCK_DIR, &s)) {
		snprintf(err, errlen, "%s: %s", VG_MONITOR_LOCK_DIR, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(s.st_mode) || s.st_uid != 0 || (s.st_mode & 022)) {
		snprintf(err, errlen, "%s: not a directory that only root can change; refused",
			 VG_MONITOR_LOCK_DIR);
		return -EPERM;
	}
	return 0;
}

static pid_t read_holder(int fd)
{
	char buf[24];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	long pid;
	char *end;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	errno = 0;
	pid = strtol(buf, &end, 10);
	return errno || end == buf || pid <= 0 ? 0 : (pid_t)pid;
}

/* Whether fd is still the file at path: a monitor that ends removes its
 * lock file, and one that locked it just before holds a lock of nothing. */
static bool still_there(int fd, const char *path)
{
	struct stat a, b;

	return !fstat(fd, &a) && !stat(path, &b) && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* One try: 0 with f->lock_fd set, 1 when the file went meanwhile (try
 * again), -errno with err. */
static int lock_once(struct vg_follow *f, const char *path, pid_t *holder, char *err,
		     size_t errlen)
{
	char pid[24];
	int fd, ret, n;

	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		ret = -errno;
		*holder = read_holder(fd);
		close(fd);
		if (ret == -EWOULDBLOCK) {
			snprintf(err, errlen, "another monitor (pid %ld) reads the events of %s: "
				 "one reader at a time (%s)", (long)*holder, f->root, path);
			return -EAGAIN;
		}
		snprintf(err, errlen, "%s: cannot lock: %s", path, strerror(-ret));
		return ret;
	}
	if (!still_there(fd, path)) {
		close(fd);
		return 1;
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) || pwrite(fd, pid, (size_t)n, 0) != n) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return ret;
	}
	f->lock_fd = fd;
	return 0;
}

static int take_lock(struct vg_follow *f, pid_t *holder, char *err, size_t errlen)
{
	char path[256];
	int ret, i;

	if (f->lock_fd >= 0)
		return 0;
	ret = lock_dir(err, errlen);
	if (ret)
		return ret;
	vg_follow_lock_path(f->root, path, sizeof(path));
	for (i = 0, ret = 1; ret == 1 && i < 100; i++)
		ret = lock_once(f, path, holder, err, errlen);
	if (ret == 1) {
		snprintf(err, errlen, "%s: removed each time it was locked", path);
		return -EBUSY;
	}
	return ret;
}

static uint32_t map_id(int fd)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

int vg_follow_open(struct vg_follow *f, const struct vg_ctx *ctx, vg_event_fn fn, void *arg,
		   pid_t *holder, char *err, size_t errlen)
{
	struct vg_state st;
	int ret;

	*holder = 0;
	ret = take_lock(f, holder, err, errlen);
	if (ret)
		return ret;
	ret = vg_state_open(&st, ctx, VG_STATE_READ, err, errlen);
	if (ret)
		return ret;
	f->ev = vg_events_open(&st, fn, arg, err, errlen);
	ret = f->ev ? 0 : -errno;
	if (f->ev)
		f->map_id = map_id(st.map_fd[VG_MAP_EVENTS]);
	vg_state_close(&st);
	return ret;
}

int vg_follow_check(const struct vg_follow *f)
{
	char path[PATH_MAX];
	uint32_t id;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", f->root, vg_map_names[VG_MAP_EVENTS]) >=
	    (int)sizeof(path))
		return 0;
	fd = bpf_obj_get(path);
	if (fd < 0)
		/* Only a pin that is not there: a transient error is no
		 * reason to drop a reader that works. */
		return errno == ENOENT || errno == ENOTDIR ? -ENOENT : 0;
	id = map_id(fd);
	close(fd);
	return !id || id == f->map_id ? 0 : -ESTALE;
}

/* Sets --rate and --burst (the other kept as in force), under the
 * exclusive lock; 0 or -1 with the error said. */
int vg_follow_set_limit(struct vg_out *out, uint64_t cost_ns, uint32_t burst)
{
	char err[VG_ERRLEN + 64];
	struct vg_event_cfg cfg;
	struct vg_state st;
	bool deflt;
	int ret;

	if (!cost_ns && !burst)
		return 0;
	ret = vg_state_open(&st, vg_cli_ctx(), VG_STATE_WRITE, err, sizeof(err));
	if (ret) {
		vg_out_err(out, vg_errcode_of(ret), "%s", err);
		return -1;
	}
	ret = vg_events_limit(&st, &cfg, &deflt, err, sizeof(err));
	if (!ret) {
		if (cost_ns)
			cfg.cost_ns = cost_ns;
		if (burst)
			cfg.burst = burst;
		ret = vg_events_set_limit(&st, &cfg, err, sizeof(err));
	}
	if (ret)
		vg_out_err(out, vg_errcode_of(ret), "%s", err);
	vg_state_close(&st);
	return ret ? -1 : 0;
}

void vg_follow_drop(struct vg_follow *f)
{
	vg_events_close(f->ev);
	f->ev = NULL;
	f->map_id = 0;
}

/* The lock file goes while still locked: a monitor waiting on it finds
 * it gone (still_there) and makes a new one. */
void vg_follow_close(struct vg_follow *f)
{
	char path[256];

	vg_follow_drop(f);
	if (f->lock_fd < 0)
		return;
	vg_follow_lock_path(f->root, path, sizeof(path));
	if (still_there(f->lock_fd, path))
		unlink(path);
	close(f->lock_fd);
	f->lock_fd = -1;
}
