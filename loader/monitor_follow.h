/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The monitor's hold on a root's drop events across the life of the
 * state: the one-reader lock of the root, the reader of its events map,
 * and whether that map is still the one pinned under the root (a root
 * removed and made again has a new map, and the old reader would never
 * see another event).
 *
 * One reader per root: the perf event array has one slot per CPU, and a
 * second reader would take them from the first, which then gets nothing,
 * not even after the second ends.  So a monitor takes an exclusive flock
 * of /run/vifguard/monitor-ROOT.lock (ROOT named in it, with a hash of
 * its path), holds it until it ends, writes its pid there for the one
 * refused, and removes the file when it ends.
 */
#ifndef VG_MONITOR_FOLLOW_H
#define VG_MONITOR_FOLLOW_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "state.h"

#define VG_MONITOR_LOCK_DIR	"/run/vifguard"

struct vg_follow {
	const char *root;
	int lock_fd;		/* -1 until the lock is held */
	uint32_t map_id;	/* the events map read; 0 with no reader */
	struct vg_events *ev;	/* NULL with no reader */
};

void vg_follow_init(struct vg_follow *f, const char *root);

/*
 * Takes the lock of f->root (once: it is kept), then opens a reader of
 * the root's events.  0; -EAGAIN when another monitor holds the lock
 * (*holder its pid, 0 if unknown); -ENOENT when the root has no events
 * map (nothing was ever attached, or the root is gone); else -errno.
 * err says each but -ENOENT's cause (that of the state library, which
 * may be an older vifguard's root: vg_follow_open says it in err too).
 */
int vg_follow_open(struct vg_follow *f, const struct vg_ctx *ctx, vg_event_fn fn, void *arg,
		   pid_t *holder, char *err, size_t errlen);

/* Whether the reader still reads the events map pinned under the root:
 * 0, -ENOENT when no map is pinned there now, -ESTALE when another one
 * is (the root was made again). */
int vg_follow_check(const struct vg_follow *f);

/* Sets the host's event limit (0: that one kept as in force) under the
 * state's exclusive lock; 0, or -1 with the error said on out. */
struct vg_out;
int vg_follow_set_limit(struct vg_out *out, uint64_t cost_ns, uint32_t burst);

/* Closes the reader; the lock stays held. */
void vg_follow_drop(struct vg_follow *f);

/* Closes the reader, removes the lock file and releases the lock. */
void vg_follow_close(struct vg_follow *f);

/* The lock file of root, in out (for messages and tests). */
void vg_follow_lock_path(const char *root, char *out, size_t len);

#endif /* VG_MONITOR_FOLLOW_H */
