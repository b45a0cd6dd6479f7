/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * For unit tests of the state library on the real kernel: a state root on
 * a bpffs of its own, mounted under /run in this mount namespace (the
 * state library refuses a root that only a namespace of its own sees,
 * state_place.c), with the object loaded.  Needs root and BPF; without,
 * the reason is given for the tests to skip with.
 */
#ifndef VG_UNIT_ROOT_H
#define VG_UNIT_ROOT_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>

#include "state.h"

struct unit_root {
	char dir[64];		/* the bpffs mount; "" when none */
	char root[80];		/* the state root inside it */
	bool ready;		/* the state is open */
};

/* Mounts, makes the root under it and opens st on it with the object
 * loaded.  0, or -1 with why set. */
static inline int unit_root_open(struct unit_root *u, const char *tag, struct vg_state *st,
				 char *why, size_t whylen)
{
	char err[VG_ERRLEN];
	struct vg_ctx ctx = { .root = u->root };

	memset(u, 0, sizeof(*u));
	if (geteuid()) {
		snprintf(why, whylen, "needs root");
		return -1;
	}
	snprintf(u->dir, sizeof(u->dir), "/run/vifguard-test-%s.XXXXXX", tag);
	if (!mkdtemp(u->dir)) {
		snprintf(why, whylen, "cannot create %s: %s", u->dir, strerror(errno));
		u->dir[0] = '\0';
		return -1;
	}
	if (mount("bpf", u->dir, "bpf", 0, "mode=0700")) {
		snprintf(why, whylen, "cannot mount a bpf filesystem: %s", strerror(errno));
		rmdir(u->dir);
		u->dir[0] = '\0';
		return -1;
	}
	snprintf(u->root, sizeof(u->root), "%s/state", u->dir);
	if (vg_state_open(st, &ctx, VG_STATE_LOAD, err, sizeof(err))) {
		snprintf(why, whylen, "cannot load the object: %s", err);
		return -1;
	}
	u->ready = true;
	return 0;
}

/* Closes st if open, unmounts and removes the directory. */
static inline void unit_root_close(struct unit_root *u, struct vg_state *st)
{
	if (u->ready)
		vg_state_close(st);
	u->ready = false;
	if (u->dir[0]) {
		umount2(u->dir, MNT_DETACH);
		rmdir(u->dir);
		u->dir[0] = '\0';
	}
}

#endif /* VG_UNIT_ROOT_H */
