// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The pinned state and what changes it.
 *
 * Layout under the root (a directory on a bpf filesystem):
 *   prog                     the loaded program, pinned last
 *   policy, v4_addrs, ...    the maps, by their names in the object
 *   tcx_IFINDEX              tcx links (bpffs refuses '.', so never names)
 * The root directory itself is the lock: flock() works on a directory fd
 * and bpffs holds no regular files.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/membarrier.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sanitize.h"
#include "tc.h"
#include "vg_core.h"
#include "vifguard.skel.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

#define VG_BPFFS_DEFAULT "/sys/fs/bpf"

/* The kernel's "operation not supported" for a map type without batch
 * operations; not in the user-space errno.h. */
#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

const char *const vg_map_names[VG_MAP_N] = {
	[VG_MAP_POLICY] = "policy",
	[VG_MAP_SPILL] = "policy_spill",
	[VG_MAP_V4_ADDRS] = "v4_addrs",
	[VG_MAP_V6_ADDRS] = "v6_addrs",
	[VG_MAP_PASSES] = "passes",
	[VG_MAP_DROPS] = "drops",
	[VG_MAP_TOTALS] = "totals",
};

static int __attribute__((format(printf, 4, 5)))
fail(char *err, size_t errlen, int ret, const char *fmt, ...)
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

static bool is_bpffs(const char *path)
{
	struct statfs fs;

	return statfs(path, &fs) == 0 && fs.f_type == BPF_FS_MAGIC;
}

static void parent_of(const char *path, char *out, size_t len)
{
	char *slash;

	snprintf(out, len, "%s", path);
	/* Trailing slashes first, so that "/a/b/" gives "/a". */
	for (slash = out + strlen(out) - 1; slash > out && *slash == '/'; slash--)
		*slash = '\0';
	slash = strrchr(out, '/');
	if (!slash)
		snprintf(out, len, ".");
	else if (slash == out)
		out[1] = '\0';
	else
		*slash = '\0';
}

/*
 * bpftool's behaviour for the default location: a host that never
 * mounted bpffs gets one on /sys/fs/bpf.  The mount is serialised with a
 * lock on /sys/fs/bpf so that parallel first runs do not stack mounts.
 */
static int mount_default_bpffs(char *err, size_t errlen)
{
	int fd, ret = 0;

	fd = open(VG_BPFFS_DEFAULT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, errlen, -errno, "%s: %s", VG_BPFFS_DEFAULT, strerror(errno));
	while (flock(fd, LOCK_EX) && errno == EINTR)
		;
	if (!is_bpffs(VG_BPFFS_DEFAULT) &&
	    mount("bpf", VG_BPFFS_DEFAULT, "bpf", 0, "mode=0700"))
		ret = fail(err, errlen, -errno, "cannot mount a bpf filesystem on %s: %s",
			   VG_BPFFS_DEFAULT, strerror(errno));
	close(fd);
	return ret;
}

/* Makes sure root exists, creating it when create: -ENOENT without
 * create when it does not.  open_root() then checks what it is. */
static int prepare_root(const char *root, bool create, char *err, size_t errlen)
{
	char parent[PATH_MAX];
	struct stat sb;

	if (lstat(root, &sb) == 0)
		return 0;
	if (errno != ENOENT)
		return fail(err, errlen, -errno, "%s: %s", root, strerror(errno));
	if (!create)
		return -ENOENT;
	parent_of(root, parent, sizeof(parent));
	if (!is_bpffs(parent)) {
		int ret;

		if (strcmp(parent, VG_BPFFS_DEFAULT))
			return fail(err, errlen, -EINVAL,
				    "%s: not a bpf filesystem; mount one (mount -t bpf -o mode=0700 bpf %s) or choose another root",
				    parent, parent);
		ret = mount_default_bpffs(err, errlen);
		if (ret)
			return ret;
	}
	if (mkdir(root, 0700) && errno != EEXIST)
		return fail(err, errlen, -errno, "cannot create %s: %s", root, strerror(errno));
	return 0;
}

static int not_root_only(const char *path, const struct stat *sb, const char *what,
			 char *err, size_t errlen)
{
	return fail(err, errlen, -EPERM,
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

	parent_of(root, cur, sizeof(cur));
	for (;;) {
		if (lstat(cur, &sb))
			return fail(err, errlen, -errno, "%s: %s", cur, strerror(errno));
		parent_of(cur, up, sizeof(up));
		if (S_ISLNK(sb.st_mode)) {
			if (is_bpffs(up))
				return fail(err, errlen, -ELOOP,
					    "%s: a symbolic link on a bpf filesystem; refused (name the directory itself)",
					    cur);
			return 0;
		}
		if (!is_bpffs(cur))
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
			return fail(err, errlen, ret,
				    "%s: a symbolic link; refused (name the directory itself)", root);
		if (ret == -ENOTDIR)
			return fail(err, errlen, ret, "%s: not a directory", root);
		return fail(err, errlen, ret, "%s: %s", root, strerror(-ret));
	}
	if (fstat(fd, &sb) || fstatfs(fd, &fs)) {
		ret = fail(err, errlen, -errno, "%s: %s", root, strerror(errno));
		goto fail;
	}
	if (fs.f_type != BPF_FS_MAGIC) {
		ret = fail(err, errlen, -EINVAL,
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
 * flock(op), waiting at most LOCK_TIMEOUT_SECONDS (or $VIFGUARD_LOCK_TIMEOUT)
 * and saying so on stderr after LOCK_NOTICE_SECONDS: a hotplug script
 * must not hang for ever behind a stuck process.
 */
static int lock_bounded(int fd, int op, const char *root, char *err, size_t errlen)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old_sa;
	struct itimerval tick = { { 1, 0 }, { 1, 0 } }, old_it, off = { { 0, 0 }, { 0, 0 } };
	const char *env = getenv("VIFGUARD_LOCK_TIMEOUT");
	long timeout = LOCK_TIMEOUT_SECONDS, waited = 0;
	char holder[96];
	int ret;

	if (flock(fd, op | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK && errno != EINTR)
		return fail(err, errlen, -errno, "cannot lock %s: %s", root, strerror(errno));
	if (env && *env) {
		char *end;

		errno = 0;
		timeout = strtol(env, &end, 10);
		if (errno || *end || timeout < 1)
			timeout = LOCK_TIMEOUT_SECONDS;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old_sa);	/* no SA_RESTART: flock returns EINTR */
	setitimer(ITIMER_REAL, &tick, &old_it);
	for (;;) {
		ret = flock(fd, op);
		if (ret == 0 || errno != EINTR)
			break;
		/* EINTR: a tick, or another signal; count whole seconds. */
		if (++waited == LOCK_NOTICE_SECONDS) {
			lock_holder(fd, holder, sizeof(holder));
			fprintf(stderr, "vifguard: waiting for the lock on %s, held by %s\n",
				root, holder);
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
		return fail(err, errlen, ret,
			    "cannot lock %s: held by %s for %ld s; nothing was changed "
			    "(VIFGUARD_LOCK_TIMEOUT sets the wait)", root, holder, timeout);
	}
	if (ret)
		return fail(err, errlen, ret, "cannot lock %s: %s", root, strerror(-ret));
	return 0;
}

/* Roots are checked to leave room for every pin name (vg_state_open),
 * so truncation here would only ever cut a name the kernel refuses. */
static void pin_path(const struct vg_state *st, const char *name, char *out, size_t len)
{
	if (snprintf(out, len, "%s/%s", st->root, name) >= (int)len)
		out[0] = '\0';
}

static void tcx_pin_path(const struct vg_state *st, uint32_t ifindex, char *out, size_t len)
{
	if (snprintf(out, len, "%s/tcx_%u", st->root, ifindex) >= (int)len)
		out[0] = '\0';
}

static int prog_id_of(int fd, uint32_t *id)
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
 * vifguard of another layout.  load_and_pin() checks the maps it just
 * created against this too, so the table cannot drift from the object. */
static const struct {
	enum bpf_map_type type;
	uint32_t key_size, value_size;
} map_layout[VG_MAP_N] = {
	[VG_MAP_POLICY] = { BPF_MAP_TYPE_ARRAY, 4, sizeof(struct vg_policy_entry) },
	[VG_MAP_SPILL] = { BPF_MAP_TYPE_HASH, 4, sizeof(struct vg_policy) },
	[VG_MAP_V4_ADDRS] = { BPF_MAP_TYPE_LPM_TRIE, sizeof(struct vg_v4_key), 1 },
	[VG_MAP_V6_ADDRS] = { BPF_MAP_TYPE_LPM_TRIE, sizeof(struct vg_v6_key), 1 },
	[VG_MAP_PASSES] = { BPF_MAP_TYPE_PERCPU_ARRAY, 4, sizeof(__u64) },
	[VG_MAP_DROPS] = { BPF_MAP_TYPE_PERCPU_HASH, sizeof(struct vg_drop_key), sizeof(__u64) },
	[VG_MAP_TOTALS] = { BPF_MAP_TYPE_PERCPU_ARRAY, 4, sizeof(struct vg_stats) },
};

static int check_layout(const struct vg_state *st, int id, const char *path, char *err,
			size_t errlen)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(st->map_fd[id], &info, &len))
		return fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
	if (info.type == map_layout[id].type && info.key_size == map_layout[id].key_size &&
	    info.value_size == map_layout[id].value_size)
		return 0;
	return fail(err, errlen, -EPROTO,
		    "%s: a map of another layout (type %u, key %u, value %u bytes; this "
		    "vifguard needs type %u, key %u, value %u), left by another version: "
		    "detach every interface with that version, then remove %s",
		    path, info.type, info.key_size, info.value_size, map_layout[id].type,
		    map_layout[id].key_size, map_layout[id].value_size, st->root);
}

static int open_pins(struct vg_state *st, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int i, ret;

	pin_path(st, VG_PROG_PIN, path, sizeof(path));
	st->prog_fd = bpf_obj_get(path);
	if (st->prog_fd < 0) {
		if (errno != ENOENT)
			return fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
		st->prog_fd = -1;
	} else if ((ret = prog_id_of(st->prog_fd, &st->prog_id))) {
		return fail(err, errlen, ret, "%s: %s", path, strerror(-ret));
	}
	for (i = 0; i < VG_MAP_N; i++) {
		pin_path(st, vg_map_names[i], path, sizeof(path));
		st->map_fd[i] = bpf_obj_get(path);
		if (st->map_fd[i] < 0) {
			if (errno != ENOENT)
				return fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
			st->map_fd[i] = -1;
		} else if ((ret = check_layout(st, i, path, err, errlen))) {
			return ret;
		}
	}
	return 0;
}

static void close_pins(struct vg_state *st)
{
	int i;

	if (st->prog_fd >= 0)
		close(st->prog_fd);
	st->prog_fd = -1;
	st->prog_id = 0;
	for (i = 0; i < VG_MAP_N; i++) {
		if (st->map_fd[i] >= 0)
			close(st->map_fd[i]);
		st->map_fd[i] = -1;
	}
}

static bool all_pinned(const struct vg_state *st)
{
	int i;

	if (st->prog_fd < 0)
		return false;
	for (i = 0; i < VG_MAP_N; i++)
		if (st->map_fd[i] < 0)
			return false;
	return true;
}

/*
 * Loads the object with every map's pin path set: libbpf reuses the maps
 * already pinned (entries of attached interfaces stay) and pins the new
 * ones.  The program pin comes last and marks the state complete.
 */
static int load_and_pin(struct vg_state *st, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct bpf_program *prog;
	struct vifguard *skel;
	struct bpf_map *map;
	int ret;

	skel = vifguard__open();
	if (!skel)
		return fail(err, errlen, -errno, "cannot open the BPF object: %s",
			    strerror(errno));
	bpf_object__for_each_map(map, skel->obj) {
		pin_path(st, bpf_map__name(map), path, sizeof(path));
		ret = bpf_map__set_pin_path(map, path);
		if (ret) {
			fail(err, errlen, ret, "%s: %s", path, strerror(-ret));
			goto out;
		}
	}
	ret = vifguard__load(skel);
	if (ret) {
		fail(err, errlen, ret, "cannot load the BPF program: %s%s", strerror(-ret),
		     vg_debug ? "" : " (-d shows libbpf's log)");
		goto out;
	}
	prog = bpf_object__next_program(skel->obj, NULL);
	if (!prog) {
		ret = fail(err, errlen, -ENOENT, "the BPF object has no program");
		goto out;
	}
	pin_path(st, VG_PROG_PIN, path, sizeof(path));
	/* An older program whose maps went missing: its pin goes, the
	 * interfaces move to the new one on their next attach. */
	if (unlink(path) && errno != ENOENT) {
		ret = fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	ret = bpf_program__pin(prog, path);
	if (ret) {
		fail(err, errlen, ret, "cannot pin %s: %s", path, strerror(-ret));
		goto out;
	}
	close_pins(st);
	ret = open_pins(st, err, errlen);
	if (!ret && !all_pinned(st))
		ret = fail(err, errlen, -ENOENT, "%s: pins missing after loading", st->root);
out:
	vifguard__destroy(skel);
	return ret;
}

int vg_state_open(struct vg_state *st, const char *root, unsigned int flags,
		  char *err, size_t errlen)
{
	bool write = flags & (VG_STATE_WRITE | VG_STATE_LOAD);
	bool create = flags & VG_STATE_LOAD;
	int i, ret;

	memset(st, 0, sizeof(*st));
	st->lock_fd = -1;
	st->prog_fd = -1;
	for (i = 0; i < VG_MAP_N; i++)
		st->map_fd[i] = -1;
	st->write = write;
	/* Room for "/tcx_4294967295" and every map name after it. */
	if (strlen(root) + 32 >= sizeof(st->root) ||
	    snprintf(st->root, sizeof(st->root), "%s", root) >= (int)sizeof(st->root))
		return fail(err, errlen, -ENAMETOOLONG, "%s: name too long", root);

	/* Only attach creates: reading, detaching or collecting garbage
	 * in a root that does not exist has nothing to do. */
	ret = prepare_root(root, create, err, errlen);
	if (ret == -ENOENT && !create)
		return 0;
	if (ret)
		return ret;
	st->lock_fd = open_root(root, err, errlen);
	if (st->lock_fd < 0) {
		ret = st->lock_fd;
		st->lock_fd = -1;
		return ret;
	}
	ret = lock_bounded(st->lock_fd, write ? LOCK_EX : LOCK_SH, root, err, errlen);
	if (ret)
		goto fail;
	ret = open_pins(st, err, errlen);
	if (!ret && (flags & VG_STATE_LOAD) && !all_pinned(st))
		ret = load_and_pin(st, err, errlen);
	if (ret)
		goto fail;
	return 0;
fail:
	vg_state_close(st);
	return ret;
}

void vg_state_close(struct vg_state *st)
{
	close_pins(st);
	if (st->lock_fd >= 0)
		close(st->lock_fd);	/* releases the lock */
	st->lock_fd = -1;
}

/* ---- map walking ---------------------------------------------------------- */

/* Where ifindex and gen sit in each address map's key. */
struct addr_map {
	enum vg_map_id id;
	size_t key_size;
	size_t ifindex_off;
	size_t gen_off;
};

static const struct addr_map addr_maps[] = {
	{ VG_MAP_V4_ADDRS, sizeof(struct vg_v4_key),
	  offsetof(struct vg_v4_key, ifindex), offsetof(struct vg_v4_key, gen) },
	{ VG_MAP_V6_ADDRS, sizeof(struct vg_v6_key),
	  offsetof(struct vg_v6_key, ifindex), offsetof(struct vg_v6_key, gen) },
};

#define N_ADDR_MAPS (sizeof(addr_maps) / sizeof(addr_maps[0]))
#define KEY_MAX sizeof(struct vg_v6_key)

static uint32_t key_u32(const void *key, size_t off)
{
	uint32_t v;

	memcpy(&v, (const char *)key + off, sizeof(v));
	return v;
}

/*
 * All keys of a map, in one allocation of n * key_size bytes (to free()).
 * Collected first and acted on afterwards: deleting while walking a hash
 * map would restart the walk.
 */
static int map_keys(int fd, size_t key_size, void **out, size_t *n)
{
	size_t cap = 64, cnt = 0;
	char *keys, prev[KEY_MAX], *pk = NULL;

	keys = malloc(cap * key_size);
	if (!keys)
		return -ENOMEM;
	for (;;) {
		if (cnt == cap) {
			char *nk = realloc(keys, cap * 2 * key_size);

			if (!nk) {
				free(keys);
				return -ENOMEM;
			}
			keys = nk;
			cap *= 2;
		}
		if (bpf_map_get_next_key(fd, pk, keys + cnt * key_size)) {
			if (errno == ENOENT)
				break;
			free(keys);
			return -errno;
		}
		memcpy(prev, keys + cnt * key_size, key_size);
		pk = prev;
		cnt++;
	}
	*out = keys;
	*n = cnt;
	return 0;
}

/* What to remove from an address map. */
enum purge_what {
	PURGE_GEN,		/* ifindex's entries of one generation */
	PURGE_ALL,		/* every entry of ifindex */
};

static int purge_addrs(struct vg_state *st, uint32_t ifindex, enum purge_what what,
		       uint32_t gen, unsigned int *removed)
{
	size_t m, i, n;
	void *keys;
	int ret;

	for (m = 0; m < N_ADDR_MAPS; m++) {
		const struct addr_map *am = &addr_maps[m];
		int fd = st->map_fd[am->id];

		if (fd < 0)
			continue;
		ret = map_keys(fd, am->key_size, &keys, &n);
		if (ret)
			return ret;
		for (i = 0; i < n; i++) {
			const char *k = (const char *)keys + i * am->key_size;

			if (key_u32(k, am->ifindex_off) != ifindex)
				continue;
			if (what == PURGE_GEN && key_u32(k, am->gen_off) != gen)
				continue;
			if (bpf_map_delete_elem(fd, k) == 0) {
				if (removed)
					(*removed)++;
			} else if (errno != ENOENT) {
				ret = -errno;
				break;
			}
		}
		free(keys);
		if (ret)
			return ret;
	}
	return 0;
}

static int delete_key(int fd, const void *key, unsigned int *removed)
{
	if (fd < 0)
		return 0;
	if (bpf_map_delete_elem(fd, key) == 0) {
		if (removed)
			(*removed)++;
		return 0;
	}
	return errno == ENOENT ? 0 : -errno;
}

/*
 * Waits until no program run that started before the call is in flight
 * (a grace period).  tc programs run inside an RCU read-side section, and
 * membarrier(MEMBARRIER_CMD_GLOBAL) is a synchronize_rcu() (Linux >= 4.3).
 * Where it is refused (nohz_full), a pause far longer than any program
 * run stands in.
 */
static void wait_for_readers(void)
{
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) != 0)
		usleep(50 * 1000);
}

/* ---- the policy store -------------------------------------------------------- */

/*
 * The policy of an interface is in the "policy" array entry
 * ifindex % VG_POLICY_ENTRIES while that entry is live under its ifindex,
 * else in the hash "policy_spill".  Every write below happens under the
 * state's exclusive lock: there is one writer.
 *
 * An array entry is free (all zero), live (ifindex, live 1) or retired
 * (ifindex, live 0).  The program uses an entry only after it read live 1,
 * so the writes keep to this order:
 *  - publish: ifindex and policy written with live 0, then the same
 *    bytes with live 1.  On x86 the stores of the second write become
 *    visible after those of the first and the program's loads stay in
 *    order; elsewhere a grace period separates the two writes.
 *  - retire: the same bytes with live 0.  A program that read live 1
 *    just before may use the entry until a grace period has passed; only
 *    then may its ifindex or policy change (sweep, reuse, update).
 *    seq, bumped by every publication, tells a later retirement of the
 *    same ifindex from the one a sweep waited for.
 * So no program ever uses a half-written policy, and a policy in force
 * is replaced only through the hash (policy_commit()).
 */

#if defined(__x86_64__) || defined(__i386__)
#define PUBLISH_WAITS false
#else
#define PUBLISH_WAITS true
#endif

static uint32_t entry_key(uint32_t ifindex)
{
	return ifindex & (VG_POLICY_ENTRIES - 1);
}

static int entry_read(struct vg_state *st, uint32_t ifindex, struct vg_policy_entry *e)
{
	uint32_t k = entry_key(ifindex);

	return bpf_map_lookup_elem(st->map_fd[VG_MAP_POLICY], &k, e) ? -errno : 0;
}

static int entry_write(struct vg_state *st, uint32_t key, const struct vg_policy_entry *e)
{
	return bpf_map_update_elem(st->map_fd[VG_MAP_POLICY], &key, e, BPF_ANY) ? -errno : 0;
}

static bool entry_holds(const struct vg_policy_entry *e, uint32_t ifindex)
{
	return e->live && e->ifindex == ifindex;
}

/* ifindex's array entry into *e (zeroed when no array is pinned): 1 if it
 * holds ifindex's policy in force, 0 if not, or -errno. */
static int entry_get(struct vg_state *st, uint32_t ifindex, struct vg_policy_entry *e)
{
	int ret;

	memset(e, 0, sizeof(*e));
	if (st->map_fd[VG_MAP_POLICY] < 0)
		return 0;
	ret = entry_read(st, ifindex, e);
	return ret ? ret : entry_holds(e, ifindex);
}

/* pol into ifindex's entry, which no program may be using (free, or
 * retired a grace period ago; cur is what it holds), and then live. */
static int entry_publish(struct vg_state *st, uint32_t ifindex, const struct vg_policy *pol,
			 const struct vg_policy_entry *cur)
{
	struct vg_policy_entry e = {
		.ifindex = ifindex, .seq = (uint8_t)(cur->seq + 1), .pol = *pol,
	};
	int ret;

	ret = entry_write(st, entry_key(ifindex), &e);
	if (ret)
		return ret;
	if (PUBLISH_WAITS)
		wait_for_readers();
	e.live = 1;
	return entry_write(st, entry_key(ifindex), &e);
}

static int entry_retire(struct vg_state *st, const struct vg_policy_entry *cur)
{
	struct vg_policy_entry e = *cur;

	e.live = 0;
	return entry_write(st, entry_key(cur->ifindex), &e);
}

/* Every array entry, VG_POLICY_ENTRIES of them (to free()): one batch
 * lookup where the kernel has it (Linux >= 5.6), else key by key. */
static int entries_read(struct vg_state *st, struct vg_policy_entry **out)
{
	int fd = st->map_fd[VG_MAP_POLICY], ret;
	struct vg_policy_entry *e = calloc(VG_POLICY_ENTRIES, sizeof(*e));
	uint32_t *keys = calloc(VG_POLICY_ENTRIES, sizeof(*keys));
	uint32_t batch = 0, count = VG_POLICY_ENTRIES, k;

	if (!e || !keys) {
		ret = -ENOMEM;
		goto out;
	}
	ret = bpf_map_lookup_batch(fd, NULL, &batch, keys, e, &count, NULL);
	if ((ret == 0 || ret == -ENOENT) && count == VG_POLICY_ENTRIES) {
		/* An array hands out its entries in key order. */
		for (k = 0; k < VG_POLICY_ENTRIES && keys[k] == k; k++)
			;
		if (k == VG_POLICY_ENTRIES) {
			ret = 0;
			goto out;
		}
	} else if (ret && ret != -ENOENT && ret != -EINVAL && ret != -EOPNOTSUPP &&
		   ret != -ENOTSUPP) {
		goto out;
	}
	/* No batch operations, or not the whole array in order: key by key. */
	for (k = 0, ret = 0; k < VG_POLICY_ENTRIES && !ret; k++)
		if (bpf_map_lookup_elem(fd, &k, &e[k]))
			ret = -errno;
out:
	free(keys);
	if (ret) {
		free(e);
		return ret;
	}
	*out = e;
	return 0;
}

int vg_state_policy(struct vg_state *st, uint32_t ifindex, struct vg_policy *pol)
{
	struct vg_policy_entry e;
	int held;

	held = entry_get(st, ifindex, &e);
	if (held < 0)
		return held;
	if (held) {
		*pol = e.pol;
		return 0;
	}
	if (st->map_fd[VG_MAP_SPILL] < 0)
		return -ENOENT;
	return bpf_map_lookup_elem(st->map_fd[VG_MAP_SPILL], &ifindex, pol) ? -errno : 0;
}

/*
 * Puts pol in force on ifindex.  A new interface gets its array entry if
 * no other interface holds it, else a hash entry.  An interface with a
 * policy in force gets the new one in the hash first; retiring its array
 * entry then is the commit point, and after a grace period the entry
 * takes the new policy and the hash entry goes.  *waited: a grace period
 * has passed since the commit point, so whatever the old policy
 * referenced may go now.
 */
static int policy_commit(struct vg_state *st, uint32_t ifindex, const struct vg_policy *pol,
			 bool *waited)
{
	int sfd = st->map_fd[VG_MAP_SPILL], ret;
	struct vg_policy_entry e;
	struct vg_policy cur;
	bool in_array, in_spill;

	*waited = false;
	ret = entry_get(st, ifindex, &e);
	if (ret < 0)
		return ret;
	in_array = ret;
	if (e.live && !in_array)	/* another interface's */
		return bpf_map_update_elem(sfd, &ifindex, pol, BPF_ANY) ? -errno : 0;
	in_spill = bpf_map_lookup_elem(sfd, &ifindex, &cur) == 0;
	if (!in_spill && errno != ENOENT)
		return -errno;
	if (!in_array && !in_spill) {
		/* A retired entry (a run stopped half-way) may still be read
		 * by a program that saw it live. */
		if (e.ifindex) {
			wait_for_readers();
			*waited = true;
		}
		return entry_publish(st, ifindex, pol, &e);
	}

	if (bpf_map_update_elem(sfd, &ifindex, pol, BPF_ANY))
		return -errno;
	if (in_array && (ret = entry_retire(st, &e))) {
		bpf_map_delete_elem(sfd, &ifindex);	/* the entry stays in force */
		return ret;
	}
	/* Committed: from here on a failure leaves pol in force from the hash. */
	wait_for_readers();
	*waited = true;
	if (entry_publish(st, ifindex, pol, &e))
		return 0;
	/* A program that found the entry retired may be on its way to the
	 * hash entry. */
	wait_for_readers();
	bpf_map_delete_elem(sfd, &ifindex);
	return 0;
}

/* Rewrites the fields of ifindex's policy that the program does not read
 * (attach, ifname) in place, from src. */
static int policy_set_meta(struct vg_state *st, uint32_t ifindex, const struct vg_policy *src)
{
	struct vg_policy_entry e;
	struct vg_policy *p = &e.pol;
	int held;

	held = entry_get(st, ifindex, &e);
	if (held < 0)
		return held;
	if (!held && bpf_map_lookup_elem(st->map_fd[VG_MAP_SPILL], &ifindex, p))
		return -errno;
	p->attach = src->attach;
	memcpy(p->ifname, src->ifname, sizeof(p->ifname));
	if (held)
		return entry_write(st, entry_key(ifindex), &e);
	return bpf_map_update_elem(st->map_fd[VG_MAP_SPILL], &ifindex, p, BPF_EXIST) ? -errno : 0;
}

/* Takes ifindex's policy out of force: its array entry retired (freed by
 * policy_sweep()), its hash entry deleted. */
static int policy_remove(struct vg_state *st, uint32_t ifindex, unsigned int *removed)
{
	struct vg_policy_entry e;
	int ret;

	ret = entry_get(st, ifindex, &e);
	if (ret < 0)
		return ret;
	if (ret) {
		ret = entry_retire(st, &e);
		if (ret)
			return ret;
		if (removed)
			(*removed)++;
	}
	return delete_key(st->map_fd[VG_MAP_SPILL], &ifindex, removed);
}

static int relock(struct vg_state *st, int op)
{
	int ret;

	while ((ret = flock(st->lock_fd, op)) && errno == EINTR)
		;
	return ret ? -errno : 0;
}

/*
 * Frees every retired array entry a grace period after it was retired.
 * The exclusive lock is let go for the wait, so that parallel detaches
 * share their grace periods; an entry is freed only if it is still the
 * one seen retired before the wait (same ifindex and seq), since another
 * run may have published and retired it again meanwhile.  The state is
 * locked again on return unless taking the lock back failed (then
 * nothing was freed and the error is returned).
 */
static int policy_sweep(struct vg_state *st)
{
	static const struct vg_policy_entry zero;
	struct vg_policy_entry *e, now;
	uint32_t k;
	bool any = false;
	int ret;

	if (st->map_fd[VG_MAP_POLICY] < 0)
		return 0;
	ret = entries_read(st, &e);
	if (ret)
		return ret;
	for (k = 0; k < VG_POLICY_ENTRIES; k++)
		any |= !e[k].live && e[k].ifindex;
	if (!any)
		goto out;
	if (st->write && (ret = relock(st, LOCK_UN)))
		goto out;
	wait_for_readers();
	if (st->write && (ret = relock(st, LOCK_EX)))
		goto out;
	for (k = 0; k < VG_POLICY_ENTRIES && !ret; k++) {
		if (e[k].live || !e[k].ifindex)
			continue;
		ret = entry_read(st, e[k].ifindex, &now);
		if (!ret && !now.live && now.ifindex == e[k].ifindex && now.seq == e[k].seq)
			ret = entry_write(st, k, &zero);
	}
out:
	free(e);
	return ret;
}

/* The drop counters of every interface that keep() does not keep. */
static int purge_drops(struct vg_state *st, bool (*keep)(const void *ctx, uint32_t ifindex),
		       const void *ctx, unsigned int *removed)
{
	int fd = st->map_fd[VG_MAP_DROPS], ret = 0;
	struct vg_drop_key *keys;
	size_t n, i;

	if (fd < 0)
		return 0;
	ret = map_keys(fd, sizeof(*keys), (void **)&keys, &n);
	if (ret)
		return ret;
	for (i = 0; i < n && !ret; i++) {
		if (keep(ctx, keys[i].ifindex))
			continue;
		ret = delete_key(fd, &keys[i], removed);
	}
	free(keys);
	return ret;
}

/* keep() for the counters of one interface: all but *ctx. */
static bool other_iface(const void *ctx, uint32_t ifindex)
{
	return ifindex != *(const uint32_t *)ctx;
}

/* Every entry of ifindex: policy first, so that the data path stops
 * using the addresses before they go.  The pass counter slot needs no
 * removal: it is zeroed when it is given out again.  A retired array
 * entry is freed by the caller's policy_sweep(). */
static int remove_entries(struct vg_state *st, uint32_t ifindex, unsigned int *removed)
{
	int ret;

	ret = policy_remove(st, ifindex, removed);
	if (!ret)
		ret = purge_addrs(st, ifindex, PURGE_ALL, 0, removed);
	if (!ret)
		ret = purge_drops(st, other_iface, &ifindex, removed);
	return ret;
}

/* Per-CPU values of key, in one allocation of ncpu * size bytes (to
 * free()).  size is a multiple of 8, as the kernel lays them out. */
static int percpu_read(int fd, const void *key, size_t size, void **out, int *ncpu)
{
	void *vals;

	*ncpu = libbpf_num_possible_cpus();
	if (*ncpu < 1)
		return *ncpu < 0 ? *ncpu : -EINVAL;
	vals = calloc((size_t)*ncpu, size);
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, key, vals)) {
		int ret = -errno;

		free(vals);
		return ret;
	}
	*out = vals;
	return 0;
}

static int percpu_u64_sum(int fd, const void *key, __u64 *sum)
{
	__u64 *vals;
	int ncpu, c, ret;

	*sum = 0;
	ret = percpu_read(fd, key, sizeof(*vals), (void **)&vals, &ncpu);
	if (ret)
		return ret;
	for (c = 0; c < ncpu; c++)
		*sum += vals[c];
	free(vals);
	return 0;
}

/* Zeroes the pass counter of slot on every CPU. */
static int passes_zero(struct vg_state *st, uint32_t slot)
{
	int ncpu = libbpf_num_possible_cpus(), ret = 0;
	uint64_t *vals;

	if (ncpu < 1)
		return ncpu < 0 ? ncpu : -EINVAL;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	if (bpf_map_update_elem(st->map_fd[VG_MAP_PASSES], &slot, vals, BPF_ANY))
		ret = -errno;
	free(vals);
	return ret;
}

/*
 * Every policy in force, keys (ifindexes) and values (to free() both):
 * the live array entries, then the hash entries of the other interfaces.
 * The hash is read in one batch lookup where the kernel has it (Linux >=
 * 5.6), one lookup per key otherwise.
 */
static int policies_read(struct vg_state *st, uint32_t **keys_out,
			 struct vg_policy **vals_out, size_t *n_out)
{
	const size_t cap = VG_POLICY_ENTRIES + VG_MAX_IFACES;
	int fd = st->map_fd[VG_MAP_SPILL], ret = 0;
	uint32_t *keys = malloc(cap * sizeof(*keys)), batch = 0, count, k;
	struct vg_policy *vals = malloc(cap * sizeof(*vals));
	struct vg_policy_entry *e = NULL;
	size_t n = 0, i, j, nk, n_array;
	void *all = NULL;

	if (!keys || !vals) {
		ret = -ENOMEM;
		goto fail;
	}
	if (st->map_fd[VG_MAP_POLICY] >= 0) {
		ret = entries_read(st, &e);
		if (ret)
			goto fail;
		for (k = 0; k < VG_POLICY_ENTRIES; k++)
			if (e[k].live) {
				keys[n] = e[k].ifindex;
				vals[n++] = e[k].pol;
			}
	}
	n_array = n;
	if (fd < 0)
		goto done;
	for (;;) {
		count = (uint32_t)(cap - n);
		ret = bpf_map_lookup_batch(fd, n > n_array ? &batch : NULL, &batch, keys + n,
					   vals + n, &count, NULL);
		/* count is only an answer when the kernel knew the command:
		 * one that does not (Linux < 5.6) writes nothing back. */
		if (ret && ret != -ENOENT)
			break;
		n += count;
		if (ret == -ENOENT || n >= cap)
			goto dedup;
	}
	if (n > n_array || (ret != -EINVAL && ret != -EOPNOTSUPP && ret != -ENOTSUPP))
		goto fail;
	/* No batch operations: key by key. */
	ret = map_keys(fd, sizeof(uint32_t), &all, &nk);
	if (ret)
		goto fail;
	for (i = 0; i < nk && n < cap; i++) {
		keys[n] = ((uint32_t *)all)[i];
		if (bpf_map_lookup_elem(fd, &keys[n], &vals[n]) == 0)
			n++;
		else if (errno != ENOENT) {
			ret = -errno;
			goto fail;
		}
	}
dedup:
	/* In the middle of policy_commit() a policy may be in both. */
	for (i = j = n_array; i < n; i++) {
		if (e && entry_holds(&e[entry_key(keys[i])], keys[i]))
			continue;
		keys[j] = keys[i];
		vals[j++] = vals[i];
	}
	n = j;
done:
	free(all);
	free(e);
	*keys_out = keys;
	*vals_out = vals;
	*n_out = n;
	return 0;
fail:
	free(all);
	free(e);
	free(keys);
	free(vals);
	return ret;
}

/*
 * The pass counter slot of a new interface, zeroed.  A policy born in
 * the array has the slot of its entry's index, which no other policy
 * can hold, so an attach needs no look at the others.  One that goes to
 * the spill hash gets the lowest free slot from VG_POLICY_ENTRIES on (and
 * keeps it if an update moves it into the array later).
 */
static int slot_alloc(struct vg_state *st, uint32_t ifindex, uint16_t *slot)
{
	uint8_t used[VG_MAX_IFACES / 8] = { 0 };
	struct vg_policy *vals = NULL;
	struct vg_policy_entry e;
	uint32_t *keys = NULL, s;
	size_t n = 0, i;
	int ret;

	ret = entry_read(st, ifindex, &e);
	if (ret)
		return ret;
	if (!e.live) {
		*slot = (uint16_t)entry_key(ifindex);
		return passes_zero(st, *slot);
	}
	ret = policies_read(st, &keys, &vals, &n);
	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		if (vals[i].slot < VG_MAX_IFACES)
			used[vals[i].slot / 8] |= (uint8_t)(1U << (vals[i].slot % 8));
	free(keys);
	free(vals);
	for (s = VG_POLICY_ENTRIES; s < VG_MAX_IFACES; s++)
		if (!(used[s / 8] & (1U << (s % 8))))
			break;
	if (s == VG_MAX_IFACES)
		return -ENOSPC;
	*slot = (uint16_t)s;
	return passes_zero(st, s);
}

/* ---- apply ------------------------------------------------------------------ */

static bool v4_inline(const struct vg_policy *pol, const struct vg_prefix4 *p)
{
	unsigned int i;

	for (i = 0; i < VG_INLINE_V4 && p->len == 32; i++)
		if (pol->v4[i] == p->addr.s_addr)
			return true;
	return false;
}

static bool v6_inline(const struct vg_policy *pol, const struct vg_prefix6 *p)
{
	unsigned int i;

	for (i = 0; i < VG_INLINE_V6 && p->len == 128; i++)
		if (!memcmp(pol->v6[i], &p->addr, 16))
			return true;
	return false;
}

/* The addresses of spec that the policy does not hold inline, to the
 * tries under ifindex and gen. */
static int write_addrs(struct vg_state *st, const struct vg_spec *spec,
		       const struct vg_policy *pol, uint32_t ifindex)
{
	const uint8_t one = 1;
	unsigned int i;

	for (i = 0; i < spec->n_v4; i++) {
		struct vg_v4_key k = {
			.prefixlen = VG_LPM_KEY_BITS + spec->v4[i].len,
			.ifindex = ifindex,
			.gen = pol->gen,
			.addr = spec->v4[i].addr.s_addr,
		};

		if (v4_inline(pol, &spec->v4[i]))
			continue;
		if (bpf_map_update_elem(st->map_fd[VG_MAP_V4_ADDRS], &k, &one, BPF_ANY))
			return -errno;
	}
	for (i = 0; i < spec->n_v6; i++) {
		struct vg_v6_key k = {
			.prefixlen = VG_LPM_KEY_BITS + spec->v6[i].len,
			.ifindex = ifindex,
			.gen = pol->gen,
		};

		if (v6_inline(pol, &spec->v6[i]))
			continue;
		memcpy(k.addr, &spec->v6[i].addr, 16);
		if (bpf_map_update_elem(st->map_fd[VG_MAP_V6_ADDRS], &k, &one, BPF_ANY))
			return -errno;
	}
	return 0;
}

/* The policy of spec: the first host addresses of each family inline,
 * a flag for each family with more. */
static void policy_build(const struct vg_spec *spec, uint8_t gen, uint16_t slot,
			 struct vg_policy *pol)
{
	unsigned int i, n4 = 0, n6 = 0;

	memset(pol, 0, sizeof(*pol));
	pol->gen = gen;
	pol->slot = slot;
	pol->flags = (uint16_t)spec->flags;
	for (i = 0; i < spec->n_v4; i++) {
		if (v4_inline(pol, &spec->v4[i]))
			continue;	/* listed twice */
		if (spec->v4[i].len == 32 && n4 < VG_INLINE_V4)
			pol->v4[n4++] = spec->v4[i].addr.s_addr;
		else
			pol->flags |= VG_F_V4_TABLE;
	}
	for (i = 0; i < spec->n_v6; i++) {
		if (v6_inline(pol, &spec->v6[i]))
			continue;
		if (spec->v6[i].len == 128 && n6 < VG_INLINE_V6)
			memcpy(pol->v6[n6++], &spec->v6[i].addr, 16);
		else
			pol->flags |= VG_F_V6_TABLE;
	}
	pol->mode = (uint8_t)spec->mode;
	pol->n_macs = (uint8_t)spec->n_macs;
	memcpy(pol->macs, spec->macs, sizeof(pol->macs[0]) * spec->n_macs);
	for (i = 0; i < spec->n_ethertypes; i++)
		pol->ethertypes[i] = htons(spec->ethertypes[i]);
	/* spec->ifname was validated to fit, NUL included. */
	memcpy(pol->ifname, spec->ifname, strnlen(spec->ifname, VG_IFNAMSIZ - 1));
}

static int attach_filter(struct vg_state *st, uint32_t ifindex, uint32_t kind)
{
	char path[PATH_MAX];

	if (kind == VG_ATTACH_TCX) {
		tcx_pin_path(st, ifindex, path, sizeof(path));
		return vg_tcx_attach((int)ifindex, st->prog_fd, st->prog_id, path);
	}
	return vg_tc_attach((int)ifindex, st->prog_fd, st->prog_id);
}

/* Takes our filter(s) off the device: cls_bpf and clsact as recorded in
 * attach, and a pinned tcx link if there is one. */
static int detach_filter(struct vg_state *st, uint32_t ifindex, uint32_t attach,
			 bool *removed)
{
	char path[PATH_MAX];
	bool r1 = false, r2 = false;
	int ret, ret2;

	ret = vg_tc_detach((int)ifindex, attach & VG_ATTACH_OWN_CLSACT, &r1);
	if (ret == -ENODEV)
		ret = 0;
	tcx_pin_path(st, ifindex, path, sizeof(path));
	ret2 = vg_tcx_detach(path, &r2);
	*removed = r1 || r2;
	return ret ? ret : ret2;
}

/*
 * Takes off our filter of the method not in use, if there is one: after
 * a switch of method, or one a stopped run left behind.  When the clsact
 * goes with it, pol (in force) loses VG_ATTACH_OWN_CLSACT, in the maps
 * too.
 */
static int other_method_off(struct vg_state *st, uint32_t ifindex, uint32_t kind,
			    struct vg_policy *pol)
{
	char path[PATH_MAX];
	bool removed;
	int ret;

	if (kind == VG_ATTACH_CLS_BPF) {
		tcx_pin_path(st, ifindex, path, sizeof(path));
		return vg_tcx_detach(path, &removed);
	}
	ret = vg_tc_detach((int)ifindex, pol->attach & VG_ATTACH_OWN_CLSACT, &removed);
	if (ret || !(pol->attach & VG_ATTACH_OWN_CLSACT))
		return ret;
	pol->attach &= ~VG_ATTACH_OWN_CLSACT;
	return policy_set_meta(st, ifindex, pol);
}

static int attach_error(char *err, size_t errlen, int ret)
{
	if (ret == -EOPNOTSUPP)
		return fail(err, errlen, ret, "cannot attach: tcx needs Linux 6.6 or later");
	return fail(err, errlen, ret, "cannot attach: %s", strerror(-ret));
}

static int missing_maps(const struct vg_state *st, char *err, size_t errlen)
{
	int i;

	for (i = 0; i < VG_MAP_N; i++)
		if (st->map_fd[i] < 0)
			return fail(err, errlen, -ENOENT, "%s/%s: map not pinned", st->root,
				    vg_map_names[i]);
	return 0;
}

int vg_state_apply(struct vg_state *st, const struct vg_spec *spec,
		   const struct vg_apply_opts *opts, char *err, size_t errlen)
{
	struct vg_policy old, pol;
	uint32_t ifindex, kind, attach = 0;
	bool have_old, created = false, waited, deferred = false;
	uint16_t slot;
	uint8_t gen;
	char verr[VG_ERRLEN];
	int ret;

	if (vg_spec_validate(spec, verr, sizeof(verr)))
		return fail(err, errlen, -EINVAL, "invalid policy: %s", verr);
	if (st->prog_fd < 0 || !st->write)
		return fail(err, errlen, -EINVAL, "cannot attach: state not loaded");
	if ((ret = missing_maps(st, err, errlen)))
		return ret;
	ifindex = if_nametoindex(spec->ifname);
	if (!ifindex)
		return fail(err, errlen, -errno, "cannot attach: %s", strerror(errno));

	ret = vg_state_policy(st, ifindex, &old);
	have_old = ret == 0;
	if (ret && ret != -ENOENT)
		return fail(err, errlen, ret, "cannot read the policy: %s", strerror(-ret));
	gen = have_old ? (uint8_t)(old.gen ^ 1) : 0;
	kind = opts && opts->attach ? opts->attach :
		have_old && (old.attach & VG_ATTACH_TCX) ? VG_ATTACH_TCX : VG_ATTACH_CLS_BPF;

	/* Leftovers of a run killed before its commit point; without a
	 * policy nothing of this ifindex is in force: both generations and
	 * any drop counters go. */
	ret = purge_addrs(st, ifindex, have_old ? PURGE_GEN : PURGE_ALL, gen, NULL);
	if (!ret && !have_old)
		ret = purge_drops(st, other_iface, &ifindex, NULL);
	if (ret) {
		fail(err, errlen, ret, "cannot write the maps: %s", strerror(-ret));
		goto undo;
	}
	if (have_old) {
		slot = old.slot;
	} else if ((ret = slot_alloc(st, ifindex, &slot))) {
		if (ret == -ENOSPC)
			fail(err, errlen, ret, "cannot attach: %u interfaces whose policy array entry "
			     "another one holds have a policy already",
			     VG_MAX_IFACES - VG_POLICY_ENTRIES);
		else
			fail(err, errlen, ret, "cannot write the maps: %s", strerror(-ret));
		goto undo;
	}
	policy_build(spec, gen, slot, &pol);
	ret = write_addrs(st, spec, &pol, ifindex);
	if (ret == -ENOSPC && have_old) {
		/* No room for the new addresses beside the old ones: the
		 * new policy goes in force first (those of its addresses
		 * not written yet are dropped, the old ones no longer
		 * pass), the old generation goes, then the rest is
		 * written.  A shrink always fits. */
		deferred = true;
		ret = 0;
	}
	if (ret) {
		fail(err, errlen, ret, "cannot write the maps: %s", strerror(-ret));
		goto undo;
	}

	attach = kind;
	if (have_old)
		attach |= old.attach & VG_ATTACH_OWN_CLSACT;
	if (kind == VG_ATTACH_CLS_BPF) {
		ret = vg_tc_hook((int)ifindex, &created);
		if (ret) {
			fail(err, errlen, ret, "cannot attach: clsact: %s", strerror(-ret));
			goto undo;
		}
		/* A clsact with nothing but ours on a new interface was made
		 * by a run stopped half-way (or is unused): it is ours. */
		if (created || (!have_old && vg_tc_clsact_unused((int)ifindex) == 1))
			attach |= VG_ATTACH_OWN_CLSACT;
	}

	/* A new interface gets its filter before its policy: until the
	 * commit the program finds no policy and drops every frame, so a
	 * run stopped in between leaves an interface that fails closed,
	 * never a policy in force without a filter. */
	if (!have_old && (ret = attach_filter(st, ifindex, kind))) {
		attach_error(err, errlen, ret);
		goto undo;
	}

	/* The commit point: the program switches to the new policy and
	 * generation at once. */
	pol.attach = (uint8_t)attach;
	ret = policy_commit(st, ifindex, &pol, &waited);
	if (ret) {
		fail(err, errlen, ret, "cannot write the policy: %s", strerror(-ret));
		goto undo;
	}
	if (have_old) {
		/* A frame that read the old generation just before the
		 * commit still looks up its addresses: they go only once it
		 * is through.  A failure here leaves only stale entries that
		 * the next attach or gc removes. */
		if (!waited)
			wait_for_readers();
		ret = purge_addrs(st, ifindex, PURGE_GEN, old.gen, NULL);
		if (deferred && (ret || (ret = write_addrs(st, spec, &pol, ifindex)))) {
			attach_filter(st, ifindex, kind);
			return fail(err, errlen, ret,
				    "the address tables are full: the new policy is in force, but "
				    "frames from addresses it could not store are dropped (%s)",
				    strerror(-ret));
		}
		/* The filter is normally there already (kept in place, or
		 * its program replaced); a new method goes on before the
		 * old one goes. */
		ret = attach_filter(st, ifindex, kind);
		if (ret)
			return attach_error(err, errlen, ret);
	}
	ret = other_method_off(st, ifindex, kind, &pol);
	if (ret)
		return fail(err, errlen, ret,
			    "attached with %s, but the %s filter could not be removed: %s "
			    "(attach again to finish)", kind == VG_ATTACH_TCX ? "tcx" : "cls_bpf",
			    kind == VG_ATTACH_TCX ? "cls_bpf" : "tcx", strerror(-ret));
	return 0;

undo:
	/* Only a new interface is rolled back: an attached one keeps its
	 * old policy in force (the commit point was not reached) or the new
	 * one (it was). */
	if (!have_old) {
		bool removed;

		detach_filter(st, ifindex, attach & VG_ATTACH_OWN_CLSACT, &removed);
		remove_entries(st, ifindex, NULL);
		policy_sweep(st);
	}
	return ret;
}

/* ---- detach, gc ------------------------------------------------------------- */

static bool policy_named(const struct vg_policy *p, const char *name)
{
	return !strncmp(p->ifname, name, VG_IFNAMSIZ) && strlen(name) < VG_IFNAMSIZ;
}

/* The name of ifindex now, "" when it does not exist. */
static void name_of(uint32_t ifindex, char out[IF_NAMESIZE])
{
	if (!if_indextoname(ifindex, out))
		out[0] = '\0';
}

int vg_state_detach(struct vg_state *st, const char *ifname,
		    struct vg_detach_result *res, char *err, size_t errlen)
{
	uint32_t ifindex = if_nametoindex(ifname), *keys = NULL;
	struct vg_policy pol, *pols = NULL;
	size_t n = 0, i;
	int ret = 0;

	memset(res, 0, sizeof(*res));
	/* Only a device that does not exist is one to look up by name. */
	if (!ifindex && errno != ENODEV)
		return fail(err, errlen, -errno, "cannot detach: %s", strerror(errno));
	if (st->lock_fd < 0) {
		/* No state (a bpffs that was unmounted or never shared with
		 * this mount namespace): the filter with our handle can
		 * still be on the device.  Whether the clsact is ours is not
		 * known any more: it stays. */
		if (ifindex && vg_tc_detach((int)ifindex, false, &res->filter) == -EPERM)
			return fail(err, errlen, -EPERM, "cannot detach: %s", strerror(EPERM));
		return 0;
	}
	if (ifindex) {
		uint32_t attach = 0;

		/* The policy goes before the filter: a run stopped in
		 * between leaves a filter without a policy, which drops
		 * everything, and the next detach takes a clsact holding
		 * nothing but our filter as ours. */
		ret = vg_state_policy(st, ifindex, &pol);
		if (ret == 0)
			attach = pol.attach;
		else if (ret == -ENOENT && vg_tc_clsact_unused((int)ifindex) == 1)
			attach = VG_ATTACH_OWN_CLSACT;
		else if (ret != -ENOENT)
			return fail(err, errlen, ret, "cannot read the policy: %s", strerror(-ret));
		ret = policy_remove(st, ifindex, &res->entries);
		if (ret)
			return fail(err, errlen, ret, "cannot remove the policy: %s",
				    strerror(-ret));
		ret = detach_filter(st, ifindex, attach, &res->filter);
		if (ret)
			return fail(err, errlen, ret, "cannot detach: %s (the interface drops "
				    "everything; detach again)", strerror(-ret));
		/* Its counters last: the filter counts until it is off. */
		ret = remove_entries(st, ifindex, &res->entries);
		if (ret)
			return fail(err, errlen, ret, "cannot remove map entries: %s",
				    strerror(-ret));
	}
	/* Recorded under this name at an ifindex that is gone: the device
	 * was removed before its detach (hotplug offline comes late). */
	ret = policies_read(st, &keys, &pols, &n);
	if (ret)
		return fail(err, errlen, ret, "cannot read the policies: %s", strerror(-ret));
	for (i = 0; i < n && !ret; i++) {
		char cur[IF_NAMESIZE];
		bool removed;

		if (keys[i] == ifindex || !policy_named(&pols[i], ifname))
			continue;
		name_of(keys[i], cur);
		if (cur[0])
			continue;	/* alive under another name: not this one */
		detach_filter(st, keys[i], 0, &removed);
		ret = remove_entries(st, keys[i], &res->entries);
	}
	free(keys);
	free(pols);
	if (!ret)
		ret = policy_sweep(st);
	if (ret)
		return fail(err, errlen, ret, "cannot remove map entries: %s", strerror(-ret));
	return 0;
}

/* Whether our program is on ifindex's ingress (cls_bpf or tcx). */
static bool ours_on_device(struct vg_state *st, uint32_t ifindex, uint32_t *prog_id)
{
	char path[PATH_MAX];
	uint32_t id = 0;
	bool on = false;

	if (vg_tc_query((int)ifindex, &id) == 0) {
		*prog_id = id;
		return true;
	}
	tcx_pin_path(st, ifindex, path, sizeof(path));
	if (vg_tcx_query(path, (int)ifindex, &id, &on) == 0 && on) {
		*prog_id = id;
		return true;
	}
	return false;
}

/* Policies to keep (live interfaces) with their generation. */
struct live {
	uint32_t ifindex;
	uint32_t gen;
};

static const struct live *live_find(const struct live *l, size_t n, uint32_t ifindex)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (l[i].ifindex == ifindex)
			return &l[i];
	return NULL;
}

struct live_set {
	const struct live *l;
	size_t n;
};

static bool live_keep(const void *ctx, uint32_t ifindex)
{
	const struct live_set *ls = ctx;

	return live_find(ls->l, ls->n, ifindex) != NULL;
}

/*
 * tcx links pinned for a device that is gone (a link outlives its device
 * as long as it is pinned), or that are not on their device.
 */
static void gc_tcx_pins(struct vg_state *st, const struct live *live, size_t nlive,
			struct vg_gc_result *res)
{
	struct dirent *de;
	DIR *d;

	d = opendir(st->root);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[PATH_MAX], *end;
		unsigned long idx;
		uint32_t id;
		bool on = false, removed;

		if (strncmp(de->d_name, "tcx_", 4))
			continue;
		errno = 0;
		idx = strtoul(de->d_name + 4, &end, 10);
		if (errno || *end || !de->d_name[4] || idx > UINT32_MAX)
			continue;
		tcx_pin_path(st, (uint32_t)idx, path, sizeof(path));
		/* A link on its device stays, with or without a policy (a
		 * run stopped before its commit: it drops everything, as a
		 * cls_bpf filter would); a live interface's link also stays
		 * when the query fails. */
		if (vg_tcx_query(path, (int)idx, &id, &on) == 0 ? on :
		    live_find(live, nlive, (uint32_t)idx) != NULL)
			continue;
		if (vg_tcx_detach(path, &removed) == 0 && removed)
			res->entries++;
	}
	closedir(d);
}

/*
 * Puts the filter back on a live interface whose policy is in force but
 * that carries none of ours (a run killed between its commit and its
 * attach, or a filter removed behind vifguard's back): 1 if it did.
 */
static int repair_filter(struct vg_state *st, uint32_t ifindex, const struct vg_policy *pol)
{
	uint32_t kind = pol->attach & VG_ATTACH_TCX ? VG_ATTACH_TCX : VG_ATTACH_CLS_BPF;
	struct vg_policy meta = *pol;
	bool created = false;
	uint32_t id;
	int ret;

	if (ours_on_device(st, ifindex, &id))
		return 0;
	if (kind == VG_ATTACH_CLS_BPF && (ret = vg_tc_hook((int)ifindex, &created)))
		return ret;
	ret = attach_filter(st, ifindex, kind);
	if (ret)
		return ret;
	if (created) {
		meta.attach |= VG_ATTACH_OWN_CLSACT;
		policy_set_meta(st, ifindex, &meta);
	}
	return 1;
}

/*
 * Two passes.  The first removes the policies of interfaces that are
 * gone and frees their array entries, which lets the lock go for a grace
 * period (policy_sweep()); other runs may attach, update or detach
 * meanwhile.  So the second pass reads the policies again, under the
 * lock until the end: what it keeps (addresses of the generation in
 * force, drop counters, tcx links) is what is in force now, and every
 * policy in force on a present interface gets its filter back if it
 * lost it.
 */
int vg_state_gc(struct vg_state *st, struct vg_gc_result *res, char *err, size_t errlen)
{
	uint32_t *keys = NULL;
	struct vg_policy *pols = NULL;
	struct live *live = NULL;
	struct live_set lset;
	size_t n = 0, nlive = 0, i, m;
	int ret = 0;

	memset(res, 0, sizeof(*res));
	if (st->lock_fd < 0 || st->map_fd[VG_MAP_POLICY] < 0)
		return 0;
	ret = policies_read(st, &keys, &pols, &n);
	if (ret)
		return fail(err, errlen, ret, "cannot read the policies: %s", strerror(-ret));
	for (i = 0; i < n; i++) {
		struct vg_policy pol = pols[i];
		char cur[IF_NAMESIZE];
		uint32_t id;
		bool removed;

		name_of(keys[i], cur);
		if (cur[0] && policy_named(&pol, cur))
			continue;
		/* Another name on the same ifindex that carries our program
		 * is the same device renamed (vifname=), not a reused
		 * ifindex: filters go with their device. */
		if (cur[0] && ours_on_device(st, keys[i], &id)) {
			memset(pol.ifname, 0, sizeof(pol.ifname));
			memcpy(pol.ifname, cur, strnlen(cur, VG_IFNAMSIZ - 1));
			if (policy_set_meta(st, keys[i], &pol) == 0)
				res->renamed++;
			continue;
		}
		/* A reused ifindex carries none of ours; this drops a
		 * leftover tcx pin. */
		detach_filter(st, keys[i], 0, &removed);
		ret = remove_entries(st, keys[i], &res->entries);
		if (ret)
			goto out;
		res->ifaces++;
	}
	/* Also frees entries a run stopped half-way left retired. */
	ret = policy_sweep(st);
	if (ret)
		goto out;

	free(keys);
	free(pols);
	keys = NULL;
	pols = NULL;
	ret = policies_read(st, &keys, &pols, &n);
	if (ret)
		goto out;
	live = calloc(n ? n : 1, sizeof(*live));
	if (!live) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		char cur[IF_NAMESIZE];

		live[nlive++] = (struct live){ keys[i], pols[i].gen };
		name_of(keys[i], cur);
		if (cur[0] && policy_named(&pols[i], cur) &&
		    repair_filter(st, keys[i], &pols[i]) > 0)
			res->repaired++;
	}

	/* Entries without a policy in force, or of the other generation. */
	for (m = 0; m < N_ADDR_MAPS; m++) {
		const struct addr_map *am = &addr_maps[m];
		int fd = st->map_fd[am->id];
		void *ak;
		size_t na, k;

		if (fd < 0)
			continue;
		ret = map_keys(fd, am->key_size, &ak, &na);
		if (ret)
			goto out;
		for (k = 0; k < na && !ret; k++) {
			const char *key = (const char *)ak + k * am->key_size;
			const struct live *l = live_find(live, nlive, key_u32(key, am->ifindex_off));

			if (l && l->gen == key_u32(key, am->gen_off))
				continue;
			ret = delete_key(fd, key, &res->entries);
		}
		free(ak);
		if (ret)
			goto out;
	}
	lset.l = live;
	lset.n = nlive;
	ret = purge_drops(st, live_keep, &lset, &res->entries);
	if (!ret)
		gc_tcx_pins(st, live, nlive, res);
out:
	free(live);
	free(keys);
	free(pols);
	if (ret)
		return fail(err, errlen, ret, "gc: %s", strerror(-ret));
	return 0;
}

/* ---- listing ----------------------------------------------------------------- */

static int iface_cmp(const void *a, const void *b)
{
	const struct vg_iface *x = a, *y = b;
	int c = strncmp(x->pol.ifname, y->pol.ifname, VG_IFNAMSIZ);

	if (c)
		return c;
	return x->ifindex < y->ifindex ? -1 : x->ifindex > y->ifindex;
}

static struct vg_iface *iface_find(struct vg_iface *v, size_t n, uint32_t ifindex)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].ifindex == ifindex)
			return &v[i];
	return NULL;
}

static void add_v4(struct vg_iface *it, const void *addr, unsigned int len)
{
	if (it->n_v4 >= VG_MAX_ADDRS) {
		it->truncated = true;
		return;
	}
	memcpy(&it->v4[it->n_v4].addr, addr, 4);
	it->v4[it->n_v4].len = (uint8_t)len;
	it->n_v4++;
}

static void add_v6(struct vg_iface *it, const void *addr, unsigned int len, bool derived)
{
	if (it->n_v6 >= VG_IFACE_MAX_V6) {
		it->truncated = true;
		return;
	}
	memcpy(&it->v6[it->n_v6].addr, addr, 16);
	it->v6[it->n_v6].len = (uint8_t)len;
	it->v6_derived[it->n_v6] = derived;
	it->n_v6++;
}

static bool has_v6_host(const struct vg_iface *it, const struct in6_addr *a)
{
	unsigned int i;

	for (i = 0; i < it->n_v6; i++)
		if (it->v6[i].len == 128 && !memcmp(&it->v6[i].addr, a, 16))
			return true;
	return false;
}

/* The addresses the policy holds inline (zero: unused). */
static void add_inline(struct vg_iface *it)
{
	static const uint8_t zero[16];
	unsigned int i;

	for (i = 0; i < VG_INLINE_V4; i++)
		if (it->pol.v4[i])
			add_v4(it, &it->pol.v4[i], 32);
	for (i = 0; i < VG_INLINE_V6; i++)
		if (memcmp(it->pol.v6[i], zero, 16))
			add_v6(it, it->pol.v6[i], 128, false);
}

/* The EUI-64 link-local address of each MAC, which the program
 * computes rather than stores; one listed explicitly stays ordinary. */
static void add_derived(struct vg_iface *it)
{
	unsigned int i;

	if (!(it->pol.flags & VG_F_LINK_LOCAL))
		return;
	for (i = 0; i < it->pol.n_macs && i < VG_MAX_MACS; i++) {
		struct in6_addr ll;

		vg_eui64_link_local(it->pol.macs[i], &ll);
		if (!has_v6_host(it, &ll))
			add_v6(it, &ll, 128, true);
	}
}

/* The drop counters of the listed interfaces, summed over CPUs. */
static int add_drops(struct vg_state *st, struct vg_iface *v, size_t n)
{
	int fd = st->map_fd[VG_MAP_DROPS], ret;
	struct vg_drop_key *keys;
	size_t nk, k;

	if (fd < 0)
		return 0;
	ret = map_keys(fd, sizeof(*keys), (void **)&keys, &nk);
	if (ret)
		return ret;
	for (k = 0; k < nk; k++) {
		struct vg_iface *it = iface_find(v, n, keys[k].ifindex);
		__u64 sum;

		if (!it || keys[k].reason >= VG_REASON_MAX || keys[k].reason == VG_PASS ||
		    percpu_u64_sum(fd, &keys[k], &sum))
			continue;
		it->stats.pkts[keys[k].reason] += sum;
	}
	free(keys);
	return 0;
}

int vg_state_list(struct vg_state *st, const char *ifname, struct vg_iface **out,
		  size_t *nout, char *err, size_t errlen)
{
	uint32_t *keys = NULL, want = ifname ? if_nametoindex(ifname) : 0;
	struct vg_policy *pols = NULL;
	struct vg_iface *v = NULL;
	size_t n = 0, cnt = 0, i, m;
	int ret;

	*out = NULL;
	*nout = 0;
	if (st->lock_fd < 0 || st->map_fd[VG_MAP_POLICY] < 0)
		return 0;
	ret = policies_read(st, &keys, &pols, &n);
	if (ret)
		return fail(err, errlen, ret, "cannot read the policies: %s", strerror(-ret));
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v) {
		free(keys);
		free(pols);
		return fail(err, errlen, -ENOMEM, "%s", strerror(ENOMEM));
	}
	for (i = 0; i < n; i++) {
		struct vg_iface *it = &v[cnt];

		it->pol = pols[i];
		if (ifname && keys[i] != want && !policy_named(&it->pol, ifname))
			continue;
		it->ifindex = keys[i];
		name_of(keys[i], it->cur_name);
		it->present = it->cur_name[0] && policy_named(&it->pol, it->cur_name);
		if (it->cur_name[0])
			it->filter_present = ours_on_device(st, keys[i], &it->filter_prog_id);
		if (st->map_fd[VG_MAP_PASSES] >= 0) {
			uint32_t slot = it->pol.slot;

			percpu_u64_sum(st->map_fd[VG_MAP_PASSES], &slot, &it->stats.pkts[VG_PASS]);
		}
		add_inline(it);
		cnt++;
	}
	free(keys);
	free(pols);

	for (m = 0; m < N_ADDR_MAPS && cnt; m++) {
		const struct addr_map *am = &addr_maps[m];
		int fd = st->map_fd[am->id];
		void *ak;
		size_t na, k;

		if (fd < 0)
			continue;
		ret = map_keys(fd, am->key_size, &ak, &na);
		if (ret) {
			free(v);
			return fail(err, errlen, ret, "cannot read %s: %s", vg_map_names[am->id],
				    strerror(-ret));
		}
		for (k = 0; k < na; k++) {
			const char *key = (const char *)ak + k * am->key_size;
			struct vg_iface *it = iface_find(v, cnt, key_u32(key, am->ifindex_off));
			unsigned int len = key_u32(key, 0) - VG_LPM_KEY_BITS;

			if (!it || key_u32(key, am->gen_off) != it->pol.gen)
				continue;
			if (am->id == VG_MAP_V4_ADDRS)
				add_v4(it, key + offsetof(struct vg_v4_key, addr), len);
			else
				add_v6(it, key + offsetof(struct vg_v6_key, addr), len, false);
		}
		free(ak);
	}
	for (i = 0; i < cnt; i++)
		add_derived(&v[i]);
	ret = add_drops(st, v, cnt);
	if (ret) {
		free(v);
		return fail(err, errlen, ret, "cannot read drops: %s", strerror(-ret));
	}
	qsort(v, cnt, sizeof(*v), iface_cmp);
	*out = v;
	*nout = cnt;
	return 0;
}

int vg_state_totals(struct vg_state *st, struct vg_stats *out, bool *full)
{
	struct bpf_map_info info;
	uint32_t zero = 0, len = sizeof(info);
	struct vg_stats *vals;
	int ncpu, c, r, ret;
	void *keys;
	size_t n;

	memset(out, 0, sizeof(*out));
	*full = false;
	if (st->map_fd[VG_MAP_DROPS] >= 0 &&
	    map_keys(st->map_fd[VG_MAP_DROPS], sizeof(struct vg_drop_key), &keys, &n) == 0) {
		memset(&info, 0, sizeof(info));
		*full = bpf_obj_get_info_by_fd(st->map_fd[VG_MAP_DROPS], &info, &len) == 0 &&
			n >= info.max_entries;
		free(keys);
	}
	if (st->map_fd[VG_MAP_TOTALS] < 0)
		return 0;
	ret = percpu_read(st->map_fd[VG_MAP_TOTALS], &zero, sizeof(*vals), (void **)&vals, &ncpu);
	if (ret)
		return ret;
	for (c = 0; c < ncpu; c++)
		for (r = 0; r < VG_REASON_MAX; r++)
			out->pkts[r] += vals[c].pkts[r];
	free(vals);
	return 0;
}

/* ---- shorthands ---------------------------------------------------------------- */

int vg_core_attach(const struct vg_spec *spec, char *err, size_t errlen)
{
	struct vg_state st;
	int ret;

	/* Before the state: a bad spec or a missing device changes nothing. */
	if (vg_spec_validate(spec, err, errlen))
		return -EINVAL;
	if (!if_nametoindex(spec->ifname))
		return fail(err, errlen, -ENODEV, "cannot attach: %s", strerror(ENODEV));
	ret = vg_state_open(&st, vg_root(), VG_STATE_LOAD, err, errlen);
	if (ret)
		return ret;
	ret = vg_state_apply(&st, spec, NULL, err, errlen);
	vg_state_close(&st);
	return ret;
}

int vg_core_detach(const char *ifname, char *err, size_t errlen)
{
	struct vg_detach_result res;
	struct vg_state st;
	int ret;

	ret = vg_state_open(&st, vg_root(), VG_STATE_WRITE, err, errlen);
	if (ret)
		return ret;
	ret = vg_state_detach(&st, ifname, &res, err, errlen);
	vg_state_close(&st);
	return ret;
}
