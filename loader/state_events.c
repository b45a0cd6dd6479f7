// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Drop events: the rate limit in "ev_config", the suppressed counts in
 * "ev_limit", and a reader of the perf event array "events" (one
 * buffer per CPU, libbpf's perf_buffer).  The reader keeps its own
 * descriptors, so the caller closes the state, and releases its lock,
 * before it streams: a monitor must not hold off attach or hotplug.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "state.h"
#include "state_int.h"

/* Pages per CPU buffer: 64 KiB holds some 380 full events. */
#define VG_EVENT_PAGES	16

int vg_events_limit(struct vg_state *st, struct vg_event_cfg *cfg, bool *deflt,
		    char *err, size_t errlen)
{
	int fd = st->map_fd[VG_MAP_EV_CONFIG];
	uint32_t zero = 0;

	memset(cfg, 0, sizeof(*cfg));
	if (fd >= 0 && bpf_map_lookup_elem(fd, &zero, cfg))
		return vg_fail(err, errlen, -errno, "cannot read ev_config: %s",
			       strerror(errno));
	*deflt = !cfg->cost_ns;
	if (*deflt) {
		cfg->cost_ns = 1000000000ULL / VG_EVENT_RATE_DEFAULT;
		cfg->burst = VG_EVENT_BURST_DEFAULT;
	}
	return 0;
}

int vg_events_set_limit(struct vg_state *st, const struct vg_event_cfg *cfg, char *err,
			size_t errlen)
{
	int fd = st->map_fd[VG_MAP_EV_CONFIG];
	uint32_t zero = 0;

	if (!st->write)
		return vg_fail(err, errlen, -EPERM, "the event limit needs the exclusive lock");
	if (!cfg->cost_ns || !cfg->burst)
		return vg_fail(err, errlen, -EINVAL, "a rate and a burst of at least 1");
	if (fd < 0)
		return vg_fail(err, errlen, -ENOENT,
			       "%s has no ev_config map: it was made by an older vifguard",
			       st->root);
	if (bpf_map_update_elem(fd, &zero, cfg, BPF_ANY))
		return vg_fail(err, errlen, -errno, "cannot write ev_config: %s",
			       strerror(errno));
	return 0;
}

uint64_t vg_events_suppressed(int limit_fd, const struct vg_drop_key *key)
{
	struct vg_event_bucket b;

	if (limit_fd < 0 || bpf_map_lookup_elem(limit_fd, key, &b))
		return 0;
	return b.suppressed;
}

struct vg_events {
	struct perf_buffer *pb;
	/* The kernel empties the slots of a perf event array when the
	 * file they were set through is closed: the reader holds its own. */
	int map_fd;
	int limit_fd;
	uint64_t lost;
	vg_event_fn fn;
	void *arg;
};

static void on_sample(void *ctx, int cpu, void *data, __u32 size)
{
	struct vg_events *ev = ctx;
	struct vg_event e;

	(void)cpu;
	/* The kernel pads a sample to 8 bytes: never less than announced. */
	if (size < sizeof(e))
		return;
	memcpy(&e, data, sizeof(e));
	if (e.cap_len > size - sizeof(e))
		e.cap_len = size - sizeof(e);
	ev->fn(ev->arg, &e, (const uint8_t *)data + sizeof(e));
}

static void on_lost(void *ctx, int cpu, __u64 cnt)
{
	struct vg_events *ev = ctx;

	(void)cpu;
	ev->lost += cnt;
}

struct vg_events *vg_events_open(struct vg_state *st, vg_event_fn fn, void *arg, char *err,
				 size_t errlen)
{
	struct vg_events *ev;
	int ret;

	if (st->map_fd[VG_MAP_EVENTS] < 0 || st->map_fd[VG_MAP_EV_LIMIT] < 0) {
		vg_fail(err, errlen, -ENOENT,
			"%s has no events map: %s", st->root,
			st->map_fd[VG_MAP_POLICY] < 0 ? "nothing is attached"
			: "it was made by an older vifguard; `vifguard attach` (or sync) "
			  "completes it, and interfaces send events once attached again");
		errno = ENOENT;
		return NULL;
	}
	ev = calloc(1, sizeof(*ev));
	if (!ev) {
		vg_fail(err, errlen, -ENOMEM, "cannot read events: %s", strerror(ENOMEM));
		errno = ENOMEM;
		return NULL;
	}
	ev->fn = fn;
	ev->arg = arg;
	ev->map_fd = dup(st->map_fd[VG_MAP_EVENTS]);
	ev->limit_fd = dup(st->map_fd[VG_MAP_EV_LIMIT]);
	if (ev->map_fd < 0 || ev->limit_fd < 0) {
		vg_fail(err, errlen, -errno, "cannot read events: %s", strerror(errno));
		goto fail;
	}
	ev->pb = perf_buffer__new(ev->map_fd, VG_EVENT_PAGES, on_sample, on_lost, ev, NULL);
	if (!ev->pb) {
		ret = -errno;
		vg_fail(err, errlen, ret, "cannot read events: %s", strerror(-ret));
		goto fail;
	}
	return ev;
fail:
	ret = errno;
	if (ev->map_fd >= 0)
		close(ev->map_fd);
	if (ev->limit_fd >= 0)
		close(ev->limit_fd);
	free(ev);
	errno = ret;
	return NULL;
}

int vg_events_poll(struct vg_events *ev, int timeout_ms)
{
	int ret = perf_buffer__poll(ev->pb, timeout_ms);

	return ret < 0 ? ret : 0;
}

int vg_events_limit_fd(const struct vg_events *ev)
{
	return ev->limit_fd;
}

uint64_t vg_events_lost(const struct vg_events *ev)
{
	return ev->lost;
}

void vg_events_close(struct vg_events *ev)
{
	if (!ev)
		return;
	perf_buffer__free(ev->pb);
	close(ev->map_fd);
	close(ev->limit_fd);
	free(ev);
}
