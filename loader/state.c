// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The state root: trusting it, locking it, and opening (or loading and
 * pinning) the program and maps it holds.  Where it is (the host's, the
 * one in force, made or mounted): state_place.c.
 *
 * Layout under the root (a directory on a bpf filesystem):
 *   prog                     the ingress program (vifguard), pinned last
 *   prog_out                 the egress program (vifguard_out), pinned before it
 *   policy, v4_addrs, ...    the maps, by their names in the object
 *   layout                   the map saying what the rest is
 *   NAME_next                a pin on its way to NAME (state_upgrade.c)
 *   tcx_IFINDEX              tcx links (bpffs refuses '.', so never names)
 *   tcx_out_IFINDEX          tcx links of the egress hooks
 * The root directory itself is the lock: flock() works on a directory fd
 * and bpffs holds no regular files.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sanitize.h"
#include "state_int.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif


const char *const vg_map_names[VG_MAP_N] = {
	[VG_MAP_POLICY] = "policy",
	[VG_MAP_SPILL] = "policy_spill",
	[VG_MAP_V4_ADDRS] = "v4_addrs",
	[VG_MAP_V6_ADDRS] = "v6_addrs",
	[VG_MAP_PASSES] = "passes",
	[VG_MAP_DROPS] = "drops",
	[VG_MAP_TOTALS] = "totals",
	[VG_MAP_EVENTS] = "events",
	[VG_MAP_EV_CONFIG] = "ev_config",
	[VG_MAP_EV_LIMIT] = "ev_limit",
	[VG_MAP_META] = "layout",
	[VG_MAP_LEARNED6] = "learned6",
	[VG_MAP_LEARN_SLOTS] = "learn_slots",
	[VG_MAP_PROTECTED6] = "protected6",
	[VG_MAP_LEARNED4] = "learned4",
	[VG_MAP_LEASE_SLOTS] = "lease_slots",
	[VG_MAP_LEARN_CFG] = "learn_cfg",
	[VG_MAP_PARKED] = "parked",
};

int vg_fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* ---- the root --------------------------------------------------------- */

static int not_root_only(const char *path, const struct stat *sb, const char *what,
			 char *err, size_t errlen)
{
	return vg_fail(err, errlen, -EPERM,
		       "%s: owned by uid %u with mode %04o; refused (%s)", path,
		       (unsigned int)sb->st_uid, (unsigned int)(sb->st_mode & 07777), what);
}

/*
 * The directories above root on its bpf filesystem, up to the mount:
 * whoever may rename one of them may swap the state for another.  Each
 * must be root's and not writable by others unless sticky (a bpffs
 * mounted without mode= is 1777), and none a symbolic link, which anyone
 * with write access there could have made.
 */
static int check_root_parents(const char *root, char *err, size_t errlen)
{
	char cur[PATH_MAX], up[PATH_MAX];
	struct stat sb;

	vg_parent_of(root, cur, sizeof(cur));
	for (;;) {
		if (lstat(cur, &sb))
			return vg_fail(err, errlen, -errno, "%s: %s", cur, strerror(errno));
		vg_parent_of(cur, up, sizeof(up));
		if (S_ISLNK(sb.st_mode)) {
			if (vg_is_bpffs(up))
				return vg_fail(err, errlen, -ELOOP,
					       "%s: a symbolic link on a bpf filesystem; refused (name the directory itself)",
					       cur);
			return 0;
		}
		if (!vg_is_bpffs(cur))
			return 0;
		if (!vg_root_only(&sb))
			return not_root_only(cur, &sb, "the directories above the state root must "
					     "be root's and not writable by others, or sticky",
					     err, errlen);
		if (!strcmp(up, cur))
			return 0;
		memcpy(cur, up, sizeof(cur));
	}
}

/*
 * Opens root, never through a symbolic link, for the lock: a directory
 * on a bpf filesystem, owned by root and writable by root only (anyone
 * else could pin or link entries of their own there), under parents
 * that only root can change.  Returns the descriptor or -errno.
 */
static int open_root(const char *root, char *err, size_t errlen)
{
	struct statfs fs;
	struct stat sb;
	int fd, ret;

	fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		if ((ret == -ELOOP || ret == -ENOTDIR) && lstat(root, &sb) == 0 &&
		    S_ISLNK(sb.st_mode))
			return vg_fail(err, errlen, ret,
				       "%s: a symbolic link; refused (name the directory itself)", root);
		if (ret == -ENOTDIR)
			return vg_fail(err, errlen, ret, "%s: not a directory", root);
		return vg_fail(err, errlen, ret, "%s: %s", root, strerror(-ret));
	}
	if (fstat(fd, &sb) || fstatfs(fd, &fs)) {
		ret = vg_fail(err, errlen, -errno, "%s: %s", root, strerror(errno));
		goto fail;
	}
	if (fs.f_type != BPF_FS_MAGIC) {
		ret = vg_fail(err, errlen, -EXDEV,
			      "%s: not on a bpf filesystem (mount -t bpf -o mode=0700 bpf DIR)", root);
		goto fail;
	}
	if (sb.st_uid != 0 || (sb.st_mode & (S_IWGRP | S_IWOTH))) {
		ret = not_root_only(root, &sb, "the state root must be root's and writable by "
				    "root only; a bpffs mounted as the root needs -o mode=0700",
				    err, errlen);
		goto fail;
	}
	ret = check_root_parents(root, err, errlen);
	if (ret)
		goto fail;
	return fd;
fail:
	close(fd);
	return ret;
}

/* The lock is held for one command, a few grace periods at most; this
 * long a wait means a process holds it that will not let go. */
#define LOCK_NOTICE_SECONDS	5
#define LOCK_TIMEOUT_SECONDS	60

static void on_alarm(int sig)
{
	(void)sig;	/* only interrupts flock() */
}

/* "pid N (comm)" of a process holding a lock on the inode of fd, from
 * /proc/locks, or "another process". */
static void lock_holder(int fd, char *out, size_t len)
{
	char line[256], comm[64] = "", path[64];
	unsigned long ino;
	unsigned int maj, min;
	struct stat sb;
	FILE *f;
	int pid;

	snprintf(out, len, "another process");
	if (fstat(fd, &sb) || !(f = fopen("/proc/locks", "re")))
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*d: FLOCK %*s %*s %d %x:%x:%lu", &pid, &maj, &min, &ino) != 4 ||
		    ino != (unsigned long)sb.st_ino || maj != major(sb.st_dev) ||
		    min != minor(sb.st_dev) || pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		FILE *c = fopen(path, "re");

		if (c) {
			if (fgets(comm, sizeof(comm), c))
				comm[strcspn(comm, "\n")] = '\0';
			fclose(c);
		}
		snprintf(out, len, "pid %d (%s)", pid, comm[0] ? comm : "?");
		break;
	}
	fclose(f);
}

/*
 * flock(op), waiting at most LOCK_TIMEOUT_SECONDS (or ctx->lock_timeout)
 * and telling ctx->notice after LOCK_NOTICE_SECONDS: a hotplug script
 * must not hang for ever behind a stuck process.
 */
static int lock_bounded(int fd, int op, const struct vg_ctx *ctx, char *err, size_t errlen)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old_sa;
	struct itimerval tick = { { 1, 0 }, { 1, 0 } }, old_it, off = { { 0, 0 }, { 0, 0 } };
	long timeout = ctx->lock_timeout >= 1 ? ctx->lock_timeout : LOCK_TIMEOUT_SECONDS;
	const char *root = ctx->root;
	char holder[96], msg[PATH_MAX + 160];
	long waited = 0;
	int ret;

	if (flock(fd, op | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK && errno != EINTR)
		return vg_fail(err, errlen, -errno, "cannot lock %s: %s", root, strerror(errno));
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old_sa);	/* no SA_RESTART: flock returns EINTR */
	setitimer(ITIMER_REAL, &tick, &old_it);
	for (;;) {
		ret = flock(fd, op);
		if (ret == 0 || errno != EINTR)
			break;
		/* EINTR: a tick, or another signal; count whole seconds. */
		if (++waited == LOCK_NOTICE_SECONDS && ctx->notice) {
			lock_holder(fd, holder, sizeof(holder));
			snprintf(msg, sizeof(msg), "waiting for the lock on %s, held by %s",
				 root, holder);
			ctx->notice(ctx->notice_arg, msg);
		}
		if (waited >= timeout) {
			errno = ETIMEDOUT;
			break;
		}
	}
	ret = ret ? -errno : 0;
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old_sa, NULL);
	setitimer(ITIMER_REAL, &old_it, NULL);
	if (ret == -ETIMEDOUT) {
		lock_holder(fd, holder, sizeof(holder));
		return vg_fail(err, errlen, ret,
			       "cannot lock %s: held by %s for %ld s; nothing was changed "
			       "(VIFGUARD_LOCK_TIMEOUT sets the wait)", root, holder, timeout);
	}
	if (ret)
		return vg_fail(err, errlen, ret, "cannot lock %s: %s", root, strerror(-ret));
	return 0;
}

/* Roots are checked to leave room for every pin name (vg_state_open),
 * so truncation here would only ever cut a name the kernel refuses. */
void vg_pin_path(const struct vg_state *st, const char *name, char *out, size_t len)
{
	if (snprintf(out, len, "%s/%s", st->root, name) >= (int)len)
		out[0] = '\0';
}

int vg_prog_id_of(int fd, uint32_t *id)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*id = info.id;
	return 0;
}

/* What each map must be; a pin that is something else was left by a
 * vifguard of another layout.  vg_state_takeover() checks the maps it
 * just created against this too, so the table cannot drift from the
 * object. */
const struct vg_map_shape vg_map_shapes[VG_MAP_N] = {
	[VG_MAP_POLICY] = { BPF_MAP_TYPE_ARRAY, 4, sizeof(struct vg_policy_entry) },
	[VG_MAP_SPILL] = { BPF_MAP_TYPE_HASH, 4, sizeof(struct vg_policy) },
	[VG_MAP_V4_ADDRS] = { BPF_MAP_TYPE_LPM_TRIE, sizeof(struct vg_v4_key), 1 },
	[VG_MAP_V6_ADDRS] = { BPF_MAP_TYPE_LPM_TRIE, sizeof(struct vg_v6_key), 1 },
	[VG_MAP_PASSES] = { BPF_MAP_TYPE_PERCPU_ARRAY, 4, sizeof(__u64) },
	[VG_MAP_DROPS] = { BPF_MAP_TYPE_PERCPU_HASH, sizeof(struct vg_drop_key), sizeof(__u64) },
	[VG_MAP_TOTALS] = { BPF_MAP_TYPE_PERCPU_ARRAY, 4, sizeof(__u64) },
	[VG_MAP_EVENTS] = { BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4 },
	[VG_MAP_EV_CONFIG] = { BPF_MAP_TYPE_ARRAY, 4, sizeof(struct vg_event_cfg) },
	[VG_MAP_EV_LIMIT] = { BPF_MAP_TYPE_HASH, sizeof(struct vg_drop_key),
			      sizeof(struct vg_event_bucket) },
	[VG_MAP_META] = { BPF_MAP_TYPE_ARRAY, 4, sizeof(struct vg_layout) },
	[VG_MAP_LEARNED6] = { BPF_MAP_TYPE_HASH, sizeof(struct vg_addr6), sizeof(struct vg_owner) },
	[VG_MAP_LEARN_SLOTS] = { BPF_MAP_TYPE_HASH, sizeof(struct vg_slot_key),
				 sizeof(struct vg_slot) },
	[VG_MAP_PROTECTED6] = { BPF_MAP_TYPE_HASH, sizeof(struct vg_addr6),
				sizeof(struct vg_protect) },
	[VG_MAP_LEARNED4] = { BPF_MAP_TYPE_HASH, sizeof(struct vg_addr4), sizeof(struct vg_owner) },
	[VG_MAP_LEASE_SLOTS] = { BPF_MAP_TYPE_HASH, sizeof(struct vg_slot_key),
				 sizeof(struct vg_slot) },
	[VG_MAP_LEARN_CFG] = { BPF_MAP_TYPE_ARRAY, 4, sizeof(struct vg_learn_cfg) },
	[VG_MAP_PARKED] = { BPF_MAP_TYPE_HASH, sizeof(struct vg_park_key), sizeof(struct vg_park) },
};

/* The pin of map id is in this layout's shape, or in an older one that
 * vg_state_takeover() migrates (st->old_shape), or refused. */
static int check_layout(struct vg_state *st, int id, const char *path, char *err,
			size_t errlen)
{
	const struct vg_map_shape *want = &vg_map_shapes[id];
	struct bpf_map_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(st->map_fd[id], &info, &len))
		return vg_fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
	if (info.type == want->type && info.key_size == want->key_size &&
	    info.value_size == want->value_size)
		return 0;
	if (vg_upgrade_known_shape(id, &info)) {
		st->old_shape[id] = true;
		return 0;
	}
	return vg_fail(err, errlen, -EPROTO,
		       "%s: a map of another layout (type %u, key %u, value %u bytes; this "
		       "vifguard needs type %u, key %u, value %u), not one this vifguard "
		       "migrates: detach every interface with the vifguard that made it, "
		       "then remove %s", path, info.type, info.key_size, info.value_size,
		       want->type, want->key_size, want->value_size, st->root);
}

/* st->layout and st->meta from map "layout"; a state without it, whose
 * other maps passed check_layout(), is of layout 1. */
static int read_meta(struct vg_state *st, char *err, size_t errlen)
{
	uint32_t zero = 0;
	int i;

	/* Without a record: layout 1's "totals" says 1; one in this
	 * layout's shape, a run of this layout stopped before its record. */
	st->layout = 0;
	for (i = 0; i < VG_MAP_N; i++)
		if (st->map_fd[i] >= 0)
			st->layout = 1;
	if (st->map_fd[VG_MAP_TOTALS] >= 0 && !st->old_shape[VG_MAP_TOTALS])
		st->layout = VG_MAP_LAYOUT;
	if (st->map_fd[VG_MAP_META] < 0)
		return 0;
	if (bpf_map_lookup_elem(st->map_fd[VG_MAP_META], &zero, &st->meta))
		return vg_fail(err, errlen, -errno, "%s/%s: %s", st->root,
			       vg_map_names[VG_MAP_META], strerror(errno));
	st->meta.version[sizeof(st->meta.version) - 1] = '\0';
	/* 0: written by no one yet (a run stopped before its record). */
	if (st->meta.layout)
		st->layout = st->meta.layout;
	if (st->layout > VG_MAP_LAYOUT)
		return vg_fail(err, errlen, -EPROTO,
			       "%s: a state of map layout %u, left by a newer vifguard (%s); "
			       "this one knows layouts up to %u: use that vifguard, or detach "
			       "every interface with it first", st->root, st->layout,
			       st->meta.version[0] ? st->meta.version : "version unknown",
			       VG_MAP_LAYOUT);
	return 0;
}

/* The program pinned as name: *fd (-1 when there is none) and *id. */
static int prog_pin_open(struct vg_state *st, const char *name, int *fd, uint32_t *id,
			 char *err, size_t errlen)
{
	char path[PATH_MAX];
	int ret;

	vg_pin_path(st, name, path, sizeof(path));
	*fd = bpf_obj_get(path);
	if (*fd < 0) {
		if (errno != ENOENT)
			return vg_fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
		*fd = -1;
	} else if ((ret = vg_prog_id_of(*fd, id))) {
		return vg_fail(err, errlen, ret, "%s: %s", path, strerror(-ret));
	}
	return 0;
}

int vg_pins_open(struct vg_state *st, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int i, ret;

	ret = prog_pin_open(st, VG_PROG_PIN, &st->prog_fd, &st->prog_id, err, errlen);
	if (!ret)
		ret = prog_pin_open(st, VG_PROG_OUT_PIN, &st->prog_out_fd, &st->prog_out_id, err,
				    errlen);
	if (ret)
		return ret;
	for (i = 0; i < VG_MAP_N; i++) {
		vg_pin_path(st, vg_map_names[i], path, sizeof(path));
		st->map_fd[i] = bpf_obj_get(path);
		if (st->map_fd[i] < 0) {
			if (errno != ENOENT)
				return vg_fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
			st->map_fd[i] = -1;
		} else if ((ret = check_layout(st, i, path, err, errlen))) {
			return ret;
		}
	}
	return read_meta(st, err, errlen);
}

void vg_pins_close(struct vg_state *st)
{
	int i;

	if (st->prog_fd >= 0)
		close(st->prog_fd);
	st->prog_fd = -1;
	st->prog_id = 0;
	if (st->prog_out_fd >= 0)
		close(st->prog_out_fd);
	st->prog_out_fd = -1;
	st->prog_out_id = 0;
	for (i = 0; i < VG_MAP_N; i++) {
		if (st->map_fd[i] >= 0)
			close(st->map_fd[i]);
		st->map_fd[i] = -1;
		st->old_shape[i] = false;
	}
	st->layout = 0;
	memset(&st->meta, 0, sizeof(st->meta));
}

bool vg_pins_all(const struct vg_state *st)
{
	int i;

	if (st->prog_fd < 0 || st->prog_out_fd < 0)
		return false;
	for (i = 0; i < VG_MAP_N; i++)
		if (st->map_fd[i] < 0)
			return false;
	return true;
}

int vg_state_open(struct vg_state *st, const struct vg_ctx *ctx, unsigned int flags,
		  char *err, size_t errlen)
{
	const char *root = ctx->root;
	bool write = flags & (VG_STATE_WRITE | VG_STATE_LOAD | VG_STATE_UPGRADE);
	bool create = flags & (VG_STATE_LOAD | VG_STATE_UPGRADE), foreign;
	int i, ret;

	memset(st, 0, sizeof(*st));
	st->lock_fd = -1;
	st->prog_fd = -1;
	st->prog_out_fd = -1;
	for (i = 0; i < VG_MAP_N; i++)
		st->map_fd[i] = -1;
	st->write = write;
	/* Room for "/tcx_out_4294967295" and every map name after it. */
	if (strlen(root) + 32 >= sizeof(st->root) ||
	    snprintf(st->root, sizeof(st->root), "%s", root) >= (int)sizeof(st->root))
		return vg_fail(err, errlen, -ENAMETOOLONG, "%s: name too long", root);

	ret = vg_place_check(root, &foreign, err, errlen);
	if (ret)
		return ret;
	/* Only attach creates: reading, detaching or collecting garbage
	 * in a root that does not exist has nothing to do, unless the root
	 * is the wrong one (state_place.c). */
	ret = vg_prepare_root(ctx, false, foreign, err, errlen);
	if (ret == -ENOENT) {
		ret = vg_place_unowned(st, "it does not exist", create, err, errlen);
		/* Made since by another run, which puts its program on a
		 * device only after: the checks below, under the lock, hold. */
		if (ret == -EXDEV && vg_prepare_root(ctx, false, foreign, NULL, 0) == 0)
			ret = 0;
		else if (!ret && create)
			ret = vg_prepare_root(ctx, true, foreign, err, errlen);
		else if (!ret)
			return 0;
	}
	if (ret)
		return ret;
	st->lock_fd = open_root(root, err, errlen);
	if (st->lock_fd < 0) {
		ret = st->lock_fd;
		st->lock_fd = -1;
		return ret;
	}
	ret = lock_bounded(st->lock_fd, write ? LOCK_EX : LOCK_SH, ctx, err, errlen);
	if (ret)
		goto fail;
	ret = vg_pins_open(st, err, errlen);
	if (!ret && st->prog_fd < 0 && st->map_fd[VG_MAP_POLICY] < 0)
		ret = vg_place_unowned(st, "it holds no pins of vifguard", create, err,
				       errlen);
	if (!ret && write)
		ret = vg_place_netns(st, err, errlen);
	if (!ret && create && vg_takeover_needed(st, flags & VG_STATE_UPGRADE))
		ret = vg_state_takeover(st, ctx, err, errlen);
	if (ret)
		goto fail;
	return 0;
fail:
	vg_state_close(st);
	return ret;
}

void vg_state_close(struct vg_state *st)
{
	vg_pins_close(st);
	if (st->lock_fd >= 0)
		close(st->lock_fd);	/* releases the lock */
	st->lock_fd = -1;
}

