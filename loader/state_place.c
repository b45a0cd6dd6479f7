// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Where the state is, and whether it is the one in force: making the root
 * (mounting bpffs at the default place when the host has none), refusing
 * a root this process does not share with the host, and finding the
 * devices of this network namespace that carry vifguard's program.
 *
 * A root read from the wrong place looks empty, and "no interfaces
 * attached" would then be a lie while every VIF is filtered:
 *
 *   - In a mount namespace other than PID 1's, a path may name another
 *     file than on the host: `ip netns exec` remounts /sys, so
 *     /sys/fs/bpf is an empty sysfs directory there, and a state made
 *     there (a bpffs mounted for it, a second program) vanishes with the
 *     process while its filters stay.  So there the root, or the nearest
 *     directory above it that exists, must be the same file as in PID 1's
 *     view (/proc/1/root).  A private root mounted under /run is, both
 *     ways; PID 1 of a PID namespace of its own is compared with its own
 *     mount namespace, and where PID 1 is out of reach (in a container)
 *     or in another root directory (in a chroot) the outermost ancestor
 *     that is neither stands for it.
 *   - A root without vifguard's pins (absent, or a directory holding none)
 *     while a device here carries vifguard's program is not the root
 *     those filters were attached with (a mistyped -r or VIFGUARD_ROOT,
 *     or pins removed).  A host where nothing carries it is simply empty,
 *     and an attach into a bpffs mounted at the root and holding nothing
 *     at all makes a new root on purpose (a mistyped path is not a mount
 *     point of its own): a second, separate vifguard beside the first.
 *     Reading one before that attach is still the wrong place.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <bpf/bpf.h>

#include "state_int.h"
#include "tc.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

#define VG_BPFFS_DEFAULT "/sys/fs/bpf"
/* The program's name in the object (bpf/vifguard.bpf.c); keep in sync. */
#define VG_PROG_NAME "vifguard"

#define NSENTER_HINT "run it in the host's: nsenter --mount=/proc/1/ns/mnt " \
	"[--net=/run/netns/NS] vifguard ..."

bool vg_is_bpffs(const char *path)
{
	struct statfs fs;

	return statfs(path, &fs) == 0 && fs.f_type == BPF_FS_MAGIC;
}

void vg_parent_of(const char *path, char *out, size_t len)
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

/* The parent of pid, from /proc/PID/stat; 0 if unknown. */
static pid_t parent_of_pid(pid_t pid)
{
	char path[64], buf[512], *p;
	int ppid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	/* "PID (COMM) S PPID ...": COMM may hold spaces and ')'. */
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) &&
	    sscanf(p + 1, " %*c %d", &ppid) != 1)
		ppid = 0;
	fclose(f);
	return ppid;
}

/* Whether the paths a and b name one file; dflt when either cannot be
 * read. */
static bool same_file(const char *a, const char *b, bool dflt)
{
	struct stat x, y;

	if (stat(a, &x) || stat(b, &y))
		return dflt;
	return x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/* Whether pid's root directory is this process's: not across a chroot. */
static bool same_root(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	return same_file("/", path, false);
}

/*
 * The process whose mount namespace is the host's: PID 1, or where PID 1
 * is out of reach (a container's init in a user namespace above ours) or
 * sees another root directory (this process runs in a chroot, whose
 * paths are its own), the outermost ancestor whose namespace can be read
 * and whose root directory is this one.  0: none (no /proc, or this
 * process is the first in its chroot), and then nothing is compared.
 */
static pid_t host_pid(void)
{
	pid_t pid = getpid(), up, found = 0;
	struct stat sb;
	char path[64];
	int depth;

	if (stat("/proc/1/ns/mnt", &sb) == 0 && same_root(1))
		return 1;
	for (depth = 0; depth < 64 && (up = parent_of_pid(pid)) > 0; depth++, pid = up) {
		snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)up);
		if (stat(path, &sb) || !same_root(up))
			break;
		found = up;
	}
	return found;
}

/* Whether this process's mount namespace is hpid's. */
static bool host_mount_ns(pid_t hpid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)hpid);
	return same_file("/proc/self/ns/mnt", path, true);
}

/*
 * In a foreign mount namespace: the root, or the nearest directory above
 * it that exists here, must be the same file in PID 1's view.
 */
static int check_same_as_host(pid_t hpid, const char *root, char *err, size_t errlen)
{
	char here[PATH_MAX], host[PATH_MAX + 32], up[PATH_MAX];
	struct stat a, b;

	if (root[0] == '/')
		snprintf(here, sizeof(here), "%s", root);
	else if (!getcwd(up, sizeof(up)) ||
		 snprintf(here, sizeof(here), "%s/%s", up, root) >= (int)sizeof(here))
		return vg_fail(err, errlen, -ENAMETOOLONG, "%s: name too long", root);
	while (lstat(here, &a)) {
		if (errno != ENOENT)
			return vg_fail(err, errlen, -errno, "%s: %s", here, strerror(errno));
		vg_parent_of(here, up, sizeof(up));
		memcpy(here, up, sizeof(here));
	}
	snprintf(host, sizeof(host), "/proc/%d/root%s", (int)hpid, here);
	if (lstat(host, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return 0;
	return vg_fail(err, errlen, -EXDEV,
		       "%s: not the host's: this process has a mount namespace of its own (as "
		       "under `ip netns exec`), where %s is not the host's; " NSENTER_HINT,
		       root, here);
}

int vg_place_check(const char *root, bool *foreign, char *err, size_t errlen)
{
	pid_t hpid = host_pid();

	*foreign = hpid > 0 && !host_mount_ns(hpid);
	return *foreign ? check_same_as_host(hpid, root, err, errlen) : 0;
}

uint32_t vg_netns_id(void)
{
	struct stat sb;

	return stat("/proc/self/ns/net", &sb) ? 0 : (uint32_t)sb.st_ino;
}

/*
 * Policies are keyed by ifindex, which names a device only within one
 * network namespace: a root serves the namespace it was made in.  A
 * write from another would apply policies to other devices, and an
 * upgrade would find none of the devices to move.
 */
int vg_place_netns(const struct vg_state *st, char *err, size_t errlen)
{
	uint32_t here = vg_netns_id();

	if (!st->meta.netns || !here || st->meta.netns == here)
		return 0;
	return vg_fail(err, errlen, -EXDEV,
		       "%s: its devices are in network namespace net:[%u], this process is in "
		       "net:[%u]; run it there (nsenter --net=/proc/PID/ns/net, or "
		       "ip netns exec NAME)", st->root, st->meta.netns, here);
}

/*
 * bpftool's behaviour for the default location: a host that never
 * mounted bpffs gets one on /sys/fs/bpf, and the caller is told.  Never
 * from a foreign mount namespace, where it would vanish with the process.
 * The mount is serialised with a lock on /sys/fs/bpf so that parallel
 * first runs do not stack mounts.
 */
static int mount_default_bpffs(const struct vg_ctx *ctx, bool foreign, char *err,
			       size_t errlen)
{
	bool mounted = false;
	int fd, ret = 0;

	if (foreign)
		return vg_fail(err, errlen, -EXDEV,
			       "%s: no bpf filesystem, and none is mounted from a mount namespace "
			       "of its own (it would vanish with this process); "
			       NSENTER_HINT, VG_BPFFS_DEFAULT);
	fd = open(VG_BPFFS_DEFAULT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return vg_fail(err, errlen, -errno, "%s: %s", VG_BPFFS_DEFAULT, strerror(errno));
	while (flock(fd, LOCK_EX) && errno == EINTR)
		;
	if (!vg_is_bpffs(VG_BPFFS_DEFAULT)) {
		if (mount("bpf", VG_BPFFS_DEFAULT, "bpf", 0, "mode=0700"))
			ret = vg_fail(err, errlen, -errno,
				      "cannot mount a bpf filesystem on %s: %s",
				      VG_BPFFS_DEFAULT, strerror(errno));
		else
			mounted = true;
	}
	close(fd);
	if (mounted && ctx->notice)
		ctx->notice(ctx->notice_arg, "mounted a bpf filesystem on " VG_BPFFS_DEFAULT
			    " (mode 0700): the host had none");
	return ret;
}

int vg_prepare_root(const struct vg_ctx *ctx, bool create, bool foreign, char *err,
		    size_t errlen)
{
	const char *root = ctx->root;
	char parent[PATH_MAX];
	struct stat sb;

	if (lstat(root, &sb) == 0)
		return 0;
	if (errno != ENOENT)
		return vg_fail(err, errlen, -errno, "%s: %s", root, strerror(errno));
	if (!create)
		return -ENOENT;
	vg_parent_of(root, parent, sizeof(parent));
	if (!vg_is_bpffs(parent)) {
		int ret;

		if (strcmp(parent, VG_BPFFS_DEFAULT))
			return vg_fail(err, errlen, -EXDEV,
				       "%s: not a bpf filesystem; mount one (mount -t bpf -o mode=0700 bpf %s) or choose another root",
				       parent, parent);
		ret = mount_default_bpffs(ctx, foreign, err, errlen);
		if (ret)
			return ret;
	}
	if (mkdir(root, 0700) && errno != EEXIST)
		return vg_fail(err, errlen, -errno, "cannot create %s: %s", root, strerror(errno));
	return 0;
}

/* ---- vifguard's program on the devices ---------------------------------- */

/* Whether program id is vifguard's (by its name), and *ours: whether it
 * reads the policy map of id policy_map (0: none). */
static bool is_vifguard(uint32_t id, uint32_t policy_map, bool *ours)
{
	struct bpf_prog_info info;
	uint32_t maps[16], len = sizeof(info), i;
	int fd = bpf_prog_get_fd_by_id(id);
	bool named;

	*ours = false;
	if (fd < 0)
		return false;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = sizeof(maps) / sizeof(maps[0]);
	info.map_ids = (uint64_t)(unsigned long)maps;
	named = bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
		!strncmp(info.name, VG_PROG_NAME, sizeof(info.name));
	close(fd);
	for (i = 0; named && i < info.nr_map_ids && i < sizeof(maps) / sizeof(maps[0]); i++)
		if (policy_map && maps[i] == policy_map)
			*ours = true;
	return named;
}

static void found_add(struct vg_state *st, struct vg_found *f, uint32_t ifindex,
		      const char *name, uint32_t id, uint32_t kind, bool ours)
{
	struct vg_policy pol;

	memset(f, 0, sizeof(*f));
	f->ifindex = ifindex;
	snprintf(f->ifname, sizeof(f->ifname), "%s", name);
	f->prog_id = id;
	f->kind = kind;
	f->ours = ours;
	f->has_policy = ours && vg_state_policy(st, ifindex, &pol) == 0;
}

/* The tcx programs of a device: bpf_prog_query() on its ingress; none
 * before Linux 6.6 (the kernel refuses the attach type). */
#define SCAN_TCX_MAX 8
#define SCAN_PER_DEV (1 + SCAN_TCX_MAX)

static uint32_t policy_map_id(const struct vg_state *st)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (st->map_fd[VG_MAP_POLICY] < 0 ||
	    bpf_obj_get_info_by_fd(st->map_fd[VG_MAP_POLICY], &info, &len))
		return 0;
	return info.id;
}

/* The programs of vifguard on one device into v (room for
 * SCAN_PER_DEV): how many. */
static size_t scan_dev(struct vg_state *st, uint32_t pmap, uint32_t ifindex, const char *name,
		       struct vg_found *v)
{
	uint32_t id, ids[SCAN_TCX_MAX], cnt = SCAN_TCX_MAX, i;
	size_t n = 0;
	bool ours;

	if (vg_tc_query((int)ifindex, VG_HOOK_INGRESS, &id) == 0 && is_vifguard(id, pmap, &ours))
		found_add(st, &v[n++], ifindex, name, id, VG_ATTACH_CLS_BPF, ours);
	if (bpf_prog_query((int)ifindex, VG_BPF_TCX_INGRESS, 0, NULL, ids, &cnt))
		return n;
	for (i = 0; i < cnt && i < SCAN_TCX_MAX; i++)
		if (is_vifguard(ids[i], pmap, &ours))
			found_add(st, &v[n++], ifindex, name, ids[i], VG_ATTACH_TCX, ours);
	return n;
}

int vg_state_scan(struct vg_state *st, struct vg_found **out, size_t *nout, char *err,
		  size_t errlen)
{
	struct if_nameindex *ifs = if_nameindex(), *p;
	uint32_t pmap = policy_map_id(st);
	struct vg_found *v;
	size_t n = 0, cap = 0;

	*out = NULL;
	*nout = 0;
	if (!ifs)
		return vg_fail(err, errlen, -errno, "cannot list the interfaces: %s",
			       strerror(errno));
	for (p = ifs; p->if_index; p++)
		cap += SCAN_PER_DEV;
	v = calloc(cap ? cap : 1, sizeof(*v));
	if (!v) {
		if_freenameindex(ifs);
		return vg_fail(err, errlen, -ENOMEM, "%s", strerror(ENOMEM));
	}
	for (p = ifs; p->if_index; p++)
		n += scan_dev(st, pmap, p->if_index, p->if_name, &v[n]);
	if_freenameindex(ifs);
	*out = v;
	*nout = n;
	return 0;
}

bool vg_place_foreign_on(struct vg_state *st, uint32_t ifindex, uint32_t *prog_id)
{
	struct vg_found v[SCAN_PER_DEV];
	size_t n, i;

	n = scan_dev(st, policy_map_id(st), ifindex, "", v);
	for (i = 0; i < n; i++)
		if (!v[i].ours) {
			*prog_id = v[i].prog_id;
			return true;
		}
	return false;
}

/* A bpffs mounted at root itself, with nothing in it but what the kernel
 * puts in every new one (bpf_preload's maps.debug and progs.debug). */
static bool fresh_mount(const char *root)
{
	char parent[PATH_MAX];
	struct stat a, b;
	struct dirent *d;
	bool empty = true;
	DIR *dir;

	vg_parent_of(root, parent, sizeof(parent));
	if (!vg_is_bpffs(root) || stat(root, &a) || stat(parent, &b) || a.st_dev == b.st_dev)
		return false;
	dir = opendir(root);
	if (!dir)
		return false;
	while (empty && (d = readdir(dir)))
		empty = !strcmp(d->d_name, ".") || !strcmp(d->d_name, "..") ||
			!strcmp(d->d_name, "maps.debug") || !strcmp(d->d_name, "progs.debug");
	closedir(dir);
	return empty;
}

int vg_place_unowned(struct vg_state *st, const char *why, bool making, char *err,
		     size_t errlen)
{
	struct vg_found *v;
	size_t n;
	int ret;

	if (making && fresh_mount(st->root))
		return 0;
	ret = vg_state_scan(st, &v, &n, err, errlen);
	if (ret || !n) {
		free(v);
		return ret;
	}
	ret = vg_fail(err, errlen, -EXDEV,
		      "%s: no vifguard state here (%s), but vifguard's program (prog %u) "
		      "filters %s%s: not the root it was attached with? Give that one "
		      "(-r or VIFGUARD_ROOT); pins lost: tc filter del dev %s ingress pref %u "
		      "handle 0x%x bpf; for a separate vifguard, mount -t bpf -o mode=0700 "
		      "bpf %s first",
		      st->root, why, v[0].prog_id, v[0].ifname,
		      n > 1 ? " and other interfaces" : "", v[0].ifname, VG_TC_PRIO,
		      VG_TC_HANDLE, st->root);
	free(v);
	return ret;
}
