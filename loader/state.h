/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The state library: the pinned state under a root directory, applying a
 * policy to an interface, detaching, collecting garbage and reading what
 * is in force.  It prints nothing and holds no globals: what it needs
 * from its caller comes in a struct vg_ctx, and what goes wrong comes back
 * as -errno plus one line of text.
 *
 * Conventions (libbpf's): int functions return 0 or -errno; err receives
 * one line for the user that does not start with the interface name
 * ("cannot attach: No such device"): callers print
 * "vifguard: IFACE: ERR".
 *
 * Concurrency: every function that takes a struct vg_state works under
 * the lock taken by vg_state_open().  vg_state_detach_root() opens and
 * closes the state itself, so any number of processes may call it at
 * once (hotplug starts many).
 */
#ifndef VG_STATE_H
#define VG_STATE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

#include "policy.h"
#include "policy_edit.h"
#include "vifguard.h"

/* What the caller tells the library; read by vg_state_open() only. */
struct vg_ctx {
	const char *root;	/* the state root directory */
	bool debug;		/* libbpf's log is shown: errors need not point at -d */
	long lock_timeout;	/* seconds to wait for the lock; < 1: 60 */
	/*
	 * A line for the user while a call is still under way (the lock
	 * held elsewhere for 5 s: "waiting for the lock on ROOT, held by
	 * pid N (COMM)"); NULL: nobody is told.
	 */
	void (*notice)(void *arg, const char *msg);
	void *notice_arg;
};

enum vg_map_id {
	VG_MAP_POLICY,		/* array of struct vg_policy_entry */
	VG_MAP_SPILL,		/* hash: the policies the array has no room for */
	VG_MAP_V4_ADDRS,
	VG_MAP_V6_ADDRS,
	VG_MAP_PASSES,
	VG_MAP_DROPS,
	VG_MAP_TOTALS,
	VG_MAP_EVENTS,		/* perf event array: drop events (monitor) */
	VG_MAP_EV_CONFIG,	/* array of one struct vg_event_cfg */
	VG_MAP_EV_LIMIT,	/* hash: the events' token buckets */
	VG_MAP_META,		/* "layout": what the state is (struct vg_layout) */
	VG_MAP_LEARNED6,	/* hash: who holds an IPv6 address (struct vg_owner) */
	VG_MAP_LEARN_SLOTS,	/* hash: the addresses each interface learned */
	VG_MAP_PROTECTED6,	/* hash: addresses no interface may learn */
	VG_MAP_LEARNED4,	/* hash: who holds an IPv4 address (struct vg_owner) */
	VG_MAP_LEASE_SLOTS,	/* hash: the addresses each interface leased by DHCP */
	VG_MAP_LEARN_CFG,	/* array of one struct vg_learn_cfg */
	VG_MAP_PARKED,		/* hash: leases of Xen interfaces that went (loader only) */
	VG_MAP_N
};

/* Map names in the object, also their pin names under the root. */
extern const char *const vg_map_names[VG_MAP_N];

/* What a takeover (state_upgrade.c) found and did. */
struct vg_takeover {
	bool done;		/* the program was loaded and pinned */
	bool replaced;		/* ... in place of a pinned one */
	uint32_t from_layout;	/* the layout found: 0 none, 1 ... */
	uint32_t old_prog_id;	/* the program replaced, 0 none */
	uint32_t old_prog_out_id;	/* the egress program replaced, 0 none */
	uint64_t old_object;	/* its object (0: unknown, layout 1) */
	char old_version[48];	/* the vifguard that loaded it, "" unknown */
	unsigned int moved;	/* devices moved to the new program */
	unsigned int converted;	/* maps converted from an older layout */
	unsigned int created;	/* maps created (none of theirs pinned) */
};

/* What names a Xen guest interface across save/restore and migration:
 * its VM's UUID and its device id; with the MAC of its policy (the
 * first), the key of its parked leases (include/vifguard.h, "parked"). */
struct vg_xen_id {
	uint8_t vm[16];
	uint32_t devid;
};

/* The UUID text (8-4-4-4-12 hex digits) as 16 bytes: 0, or -EINVAL. */
int vg_xen_id_vm(struct vg_xen_id *id, const char *uuid);

/*
 * A Xen guest interface attached (state_park.c): when it is new here
 * (no policy in force), its leases parked under its identity come back
 * to it before its policy is in force; when none were parked and its
 * policy learns by DHCP, it gets a learning window of window_s seconds
 * (0: none).  The counts say what was done.
 */
struct vg_resume {
	struct vg_xen_id id;
	unsigned int window_s;
	/* out */
	unsigned int restored;	/* parked addresses it got back */
	unsigned int refused;	/* held by another interface meanwhile */
	unsigned int dropped;	/* over its caps: those ending first */
	bool window;		/* a learning window was opened */
	/* internal */
	int plan;
};

struct vg_state {
	char root[PATH_MAX];
	int lock_fd;		/* the root directory, flock()ed; -1 if none */
	int prog_fd;		/* -1: no program pinned yet */
	uint32_t prog_id;
	int prog_out_fd;	/* the egress program ("prog_out"); -1: none */
	uint32_t prog_out_id;
	int map_fd[VG_MAP_N];	/* -1: not pinned yet */
	/* Pinned in the shape of an older layout (state_upgrade.c): read
	 * as such; a LOAD open migrates it. */
	bool old_shape[VG_MAP_N];
	uint32_t layout;	/* of the pinned state; 0: nothing pinned */
	struct vg_layout meta;	/* map "layout"'s record, zero without one */
	struct vg_takeover took;
	bool write;
	/* Set by the caller: the Xen identity of the interface the next
	 * vg_state_detach() removes, whose live leases are then parked
	 * (state_park.c); NULL parks nothing. */
	const struct vg_xen_id *park;
	/* Set by the caller: for an interface that goes by detach or gc
	 * (ifname, its policy's name) without park, whose policy came from
	 * xenstore (XAPI, xl): its Xen identity into *id, 0, or non-zero
	 * when unknown.  NULL: nothing is parked. */
	int (*park_of)(void *arg, const char *ifname, struct vg_xen_id *id);
	void *park_arg;
	/* Out: learned addresses of interfaces that went that could not be
	 * parked because the parked map was full (forgotten instead). */
	unsigned int unparked;
	/* Internal: the resume of the commit being staged (state_park.c). */
	struct vg_resume *resume;
};

/* vg_state_open() flags */
#define VG_STATE_READ	0		/* shared lock */
#define VG_STATE_WRITE	(1U << 0)	/* exclusive lock */
#define VG_STATE_LOAD	(1U << 1)	/* WRITE; creates the root, loads and
					 * pins what is missing, migrates a
					 * state of an older layout */
#define VG_STATE_UPGRADE (1U << 2)	/* LOAD; and a program pinned from
					 * another build is replaced */
/* Without LOAD an absent root is an empty state: lock_fd and every fd
 * are -1 and the functions below find nothing.  Unless it is the wrong
 * place (state_place.c): a root without state while a device here
 * carries vifguard's program, or a root this process does not share with
 * the host, is an error for every flag. */

/*
 * Opens (and with LOAD creates: mounting bpffs on /sys/fs/bpf if that is
 * where the root goes and nothing is mounted) ctx->root, locks it, and
 * opens the pinned program and maps.  With LOAD, a root without program,
 * with missing maps or of an older layout is taken over (st->took): the
 * object is loaded, reusing the pinned maps it can, every device moves
 * to the new program in place, and the pins follow; a run killed
 * half-way leaves a state that filters every device and that the next
 * run completes.  A state of a newer layout is refused, -EPROTO.
 */
int vg_state_open(struct vg_state *st, const struct vg_ctx *ctx, unsigned int flags,
		  char *err, size_t errlen);
void vg_state_close(struct vg_state *st);

/* This build's BPF object, as map "layout" records it (a hash). */
uint64_t vg_object_id(void);
/* Whether an open of st's root with VG_STATE_UPGRADE would take it over:
 * something missing, an older layout, or a program of another build. */
bool vg_state_upgrade_due(const struct vg_state *st);

/* ---- apply, detach, gc (state_apply.c, state_detach.c) ------------------ */

/* How to attach: VG_ATTACH_CLS_BPF or VG_ATTACH_TCX; 0 keeps what the
 * interface has, cls_bpf for a new one. */
struct vg_apply_opts {
	uint32_t attach;
	struct vg_resume *resume;	/* a Xen guest interface; NULL: none */
};

/*
 * Writes spec to the maps (generation switch: one policy update is the
 * commit point) and then attaches the filter, or updates an attached
 * interface in place.  spec->ifname must exist.  Under a VG_STATE_LOAD
 * state.  On a new interface a failure leaves nothing behind.
 */
int vg_state_apply(struct vg_state *st, const struct vg_spec *spec,
		   const struct vg_apply_opts *opts, char *err, size_t errlen);

/* One interface of vg_state_apply_many(). */
struct vg_apply_item {
	const struct vg_spec *spec;	/* in */
	bool keep_operator;		/* in: a policy with VG_F_OPERATOR stays */
	struct vg_resume *resume;	/* in, out: as vg_apply_opts' */
	int ret;			/* 0 or -errno, as vg_state_apply()'s */
	bool had;			/* a policy was in force: old */
	bool kept;			/* it was the operator's, and stays */
	bool unchanged;			/* in force already: nothing was written */
	struct vg_policy old;
	char err[VG_ERRLEN];		/* when ret */
};

/*
 * vg_state_apply() of n specs (each keeping its interface's attach
 * method), under the one lock of st, with the grace periods of all their
 * commits shared: two for any number of updates.  What is in force is
 * read under the same lock as the change is made.  An interface whose
 * policy is in force as its spec says, its filter on, is left untouched
 * (unchanged).  Each item fails or succeeds on its own, as
 * vg_state_apply() would; -errno only when nothing could be tried.
 */
int vg_state_apply_many(struct vg_state *st, struct vg_apply_item *items, size_t n);

struct vg_detach_result {
	bool filter;		/* a filter of ours was removed */
	unsigned int entries;	/* map entries removed */
};

/*
 * Removes our filter from ifname and every map entry of it, including
 * entries recorded under that name for an interface that no longer
 * exists.  Nothing to remove is success (res says so).
 */
int vg_state_detach(struct vg_state *st, const char *ifname,
		    struct vg_detach_result *res, char *err, size_t errlen);

/* vg_state_detach() in a state of its own: opened for writing at
 * ctx->root, closed on return; park (NULL: none) is the Xen identity
 * of the interface, whose live leases are parked (vg_state.park);
 * *unparked (may be NULL): those a full parked map could not keep. */
int vg_state_detach_root(const struct vg_ctx *ctx, const char *ifname,
			 const struct vg_xen_id *park, unsigned int *unparked, char *err,
			 size_t errlen);

/* Detaches ifindex, which has a policy here or carries this root's
 * program without one (an orphan), as vg_state_detach() does a name. */
int vg_state_detach_index(struct vg_state *st, uint32_t ifindex,
			  struct vg_detach_result *res, char *err, size_t errlen);

struct vg_gc_result {
	unsigned int orphans;	/* orphans kept (vg_state_scan()), or removed by
				 * vg_state_gc_orphans() */
	unsigned int ifaces;	/* interfaces whose entries went */
	unsigned int entries;	/* map entries removed, all kinds */
	unsigned int renamed;	/* live interfaces whose recorded name was updated */
	unsigned int repaired;	/* live interfaces whose missing filter was put back */
};

/* Removes the entries of interfaces that no longer exist and stale
 * entries (another generation, or no policy), and puts the filter back
 * on a present interface whose policy is in force without it. */
int vg_state_gc(struct vg_state *st, struct vg_gc_result *res, char *err, size_t errlen);

/* Takes this root's program off every orphan: each drops every frame,
 * so only on the operator's word (gc --orphans).  *removed counts them. */
int vg_state_gc_orphans(struct vg_state *st, unsigned int *removed, char *err,
			size_t errlen);

/* ---- vifguard's program on the devices (state_place.c) ------------------ */

struct vg_found {
	uint32_t ifindex;
	char ifname[IF_NAMESIZE];
	uint32_t prog_id;
	uint32_t kind;		/* VG_ATTACH_CLS_BPF or VG_ATTACH_TCX */
	bool ours;		/* the program reads this root's maps */
	bool has_policy;	/* ours, with a policy in force: else an orphan,
				 * which drops every frame */
};

/*
 * Every device of this network namespace that carries vifguard's program
 * (by name: a cls_bpf filter at our handle, or on the tcx hook), this
 * root's or another's.  *out is to free(); *n may be 0.
 */
int vg_state_scan(struct vg_state *st, struct vg_found **out, size_t *n, char *err,
		  size_t errlen);

/* ---- queries (state_query.c, state_store.c) ----------------------------- */

#define VG_IFACE_MAX_V6 (VG_MAX_ADDRS + VG_MAX_MACS)

/* One address an interface learned. */
struct vg_learned {
	uint8_t addr[16];	/* IPv4 (DHCPv4) as ::ffff:a.b.c.d */
	bool v4;		/* from "learned4" */
	uint8_t origin;		/* enum vg_origin: VG_ORIGIN_DAD, _DHCP or _FIRST */
	uint32_t slot;		/* in learn_slots (dad) or lease_slots (dhcp, first) */
	uint64_t since_ns;	/* dad: CLOCK_MONOTONIC when it was learned;
				 * dhcp: when the lease and its grace end;
				 * first: when it stops being allowed;
				 * VG_LEASE_FOREVER for never */
};

/* What one interface can have learned: its link-locals and leases. */
#define VG_IFACE_MAX_LEARNED	(VG_LEARN_LL_CAP + VG_LEASE_SLOTS)


struct vg_iface {
	uint32_t ifindex;
	struct vg_policy pol;
	/* Current name of ifindex, "" when it no longer exists. */
	char cur_name[IF_NAMESIZE];
	bool present;		/* ifindex exists and is named pol.ifname */
	/* Addresses of the generation in force. */
	unsigned int n_v4;
	struct vg_prefix4 v4[VG_MAX_ADDRS];
	unsigned int n_v6;
	struct vg_prefix6 v6[VG_IFACE_MAX_V6];
	bool v6_derived[VG_IFACE_MAX_V6];
	bool truncated;		/* more entries than the limits (never written by us) */
	struct vg_stats stats;	/* summed over CPUs */
	struct vg_stats suppressed;	/* drop events the rate limit held back */
	/* The addresses it learned (vg_state_learned()). */
	unsigned int n_learned;
	struct vg_learned learned[VG_IFACE_MAX_LEARNED];
	/* Its learning window (VG_SLOT_WINDOW), and when it ends
	 * (CLOCK_MONOTONIC ns). */
	bool has_window;
	uint64_t window_end_ns;
	/* What is on the device. */
	bool filter_present;	/* our cls_bpf filter or tcx link is attached */
	uint32_t filter_prog_id;
	bool egress_present;	/* ... and the egress program, on the egress */
	uint32_t egress_prog_id;
};

/*
 * Every interface with a policy (or only ifname's, by current name or by
 * recorded name), sorted by name as vg_ifname_cmp() orders them.  *out
 * is to free(); *n may be 0.
 */
int vg_state_list(struct vg_state *st, const char *ifname, struct vg_iface **out,
		  size_t *n, char *err, size_t errlen);

/* Interface names (at most n bytes each) in natural order: runs of
 * digits compare as numbers, so vif2.0 < vif10.0 and vif2.1 < vif2.10. */
int vg_ifname_cmp(const char *a, const char *b, size_t n);

/* The policy in force on ifindex, wherever it is kept: 0, -ENOENT when
 * there is none, or another -errno. */
int vg_state_policy(struct vg_state *st, uint32_t ifindex, struct vg_policy *pol);

/*
 * The policy of the device that has ifindex now, as vg_state_policy():
 * -ENOENT when the policy there is of a device that is gone (gc's rule:
 * it names another device and the one at ifindex carries none of our
 * filters), for a new device given a dead one's ifindex starts with
 * nothing of it: neither its policy nor what it learned.  A writer
 * removes such a policy and its entries as gc does; a reader leaves them.
 */
int vg_state_policy_live(struct vg_state *st, uint32_t ifindex, struct vg_policy *pol);

/* Host-wide drops by reason since the maps were created ("totals"),
 * summed over CPUs; zeros when the map is not there.  out->pkts[VG_NO_POLICY]
 * counts frames on interfaces with the program and no policy (orphans).
 * *full is set when the per-interface drop counters have no room left. */
int vg_state_totals(struct vg_state *st, struct vg_stats *out, bool *full);

/* ---- the maps as they are (state_dump.c) ------------------------------- */

/* One entry of an address trie, as the library's walks hand it out. */
struct vg_addr_ent {
	enum vg_map_id map;	/* VG_MAP_V4_ADDRS or VG_MAP_V6_ADDRS */
	int fd;			/* the map's, to delete key */
	const void *key;	/* struct vg_v4_key or vg_v6_key */
	uint32_t ifindex;
	uint32_t gen;
	unsigned int len;	/* prefix length of the address */
	const void *addr;	/* 4 or 16 bytes */
};

/* One entry of a pinned map, decoded as the program reads it. */
struct vg_dump_ent {
	enum vg_map_id map;
	/* policy, passes: the index; policy_spill, the tries, drops: the
	 * ifindex; totals: the key (the reason, or VG_TOTALS_CARRIED + the
	 * reason for what an older layout counted). */
	uint32_t key;
	const struct vg_policy_entry *entry;	/* policy: a used or retired entry */
	const struct vg_policy *pol;		/* policy_spill */
	const struct vg_addr_ent *addr;		/* v4_addrs, v6_addrs */
	const struct vg_drop_key *drop;		/* drops, ev_limit */
	const struct vg_event_bucket *bucket;	/* ev_limit */
	const struct vg_event_cfg *cfg;		/* ev_config: the limit in force */
	const struct vg_layout *meta;		/* layout */
	const struct vg_addr6 *addr6;		/* learned6, protected6: the key */
	const struct vg_addr4 *addr4;		/* learned4: the key */
	const struct vg_owner *owner;		/* learned6, learned4 */
	const struct vg_slot_key *slot_key;	/* learn_slots, lease_slots */
	const struct vg_slot *slot;		/* learn_slots, lease_slots */
	const struct vg_protect *protect;	/* protected6 */
	const struct vg_learn_cfg *learn_cfg;	/* learn_cfg */
	const struct vg_park_key *park_key;	/* parked */
	const struct vg_park *park;		/* parked */
	__u64 count;	/* passes, drops, totals: all CPUs; ev_limit: suppressed;
			 * ev_config: 1 for the defaults */
};

typedef int (*vg_dump_fn)(const struct vg_dump_ent *e, void *arg);

/*
 * Calls fn on every entry of map that holds something (free array
 * entries and zero counters are left out), stopping at fn's first
 * non-zero return, which is returned.  A map not pinned has no entries.
 */
int vg_state_dump(struct vg_state *st, enum vg_map_id map, vg_dump_fn fn, void *arg,
		  char *err, size_t errlen);

/* ---- editing the policy in force (state_edit.c) ------------------------- */

/*
 * The policy in force on the present interface ifname, as a spec (its
 * derived link-local addresses left out), and its ifindex (if asked):
 * 0, -ENOENT when it has none, -ESTALE when it is recorded under another
 * name (renamed, or the ifindex reused; *spec is filled all the same),
 * -E2BIG when it cannot be read back whole, or another -errno.
 */
int vg_state_spec(struct vg_state *st, const char *ifname, struct vg_spec *spec,
		  uint32_t *ifindex, char *err, size_t errlen);

struct vg_edit_req {
	const char *ifname;
	const struct vg_edit *edits;	/* applied in order */
	unsigned int n;
	unsigned int set_flags;		/* VG_F_* added to the result (VG_F_OPERATOR) */
	bool dry_run;			/* compute and check, apply nothing */
};

/*
 * Read-modify-write of ifname's policy in force: *before is what is in
 * force, *after the result of the steps, checked whole (a locked policy
 * keeps a MAC), then applied in place as vg_state_apply() does, keeping
 * the attach method.  Under a VG_STATE_WRITE state (VG_STATE_READ is
 * enough for a dry run): nothing can come between the read and the
 * apply.  An error changes nothing, but one from vg_state_apply() after
 * its commit point (state.h).
 */
int vg_state_edit(struct vg_state *st, const struct vg_edit_req *req, struct vg_spec *before,
		  struct vg_spec *after, char *err, size_t errlen);

/* ---- learned and protected addresses (state_owners.c) -------------------- */

/*
 * The whole host at once (gc, sync): "learned6", "learned4" and their
 * slots ("learn_slots", "lease_slots") made to agree with the policies in
 * force (include/vifguard.h: configured entries for every configured
 * host address, learned ones only of interfaces whose policy learns that
 * way, none of a protected or configured address, no lease past its end
 * and grace, slots that their entry names), and the protected addresses
 * of the bridges those interfaces are ports of replaced by what they are
 * now.  Idempotent: it also repairs what a run killed half-way left.
 * *changed (if not NULL) counts the entries written or removed, *removed
 * (if not NULL) those removed (learned entries and their slots count one
 * each).  -ENOSPC when a configured address found its map full (the
 * others are claimed).
 */
int vg_owners_reconcile(struct vg_state *st, unsigned int *changed, unsigned int *removed,
			char *err, size_t errlen);

/*
 * Writes addrs to "protected6" under why (VG_PROTECT_CONFIG or
 * VG_PROTECT_BRIDGE), each taken from an interface that learned it; with
 * replace, the entries of why not in addrs go.  An address protected by
 * the config file stays under VG_PROTECT_CONFIG.  A full map makes room
 * by removing the Router Advertisement sources heard least recently;
 * -ENOSPC when it holds none to remove.
 */
struct in6_addr;
int vg_protect_set(struct vg_state *st, uint32_t why, const struct in6_addr *addrs, size_t n,
		   bool replace, char *err, size_t errlen);
/* The link-local addresses of the bridges (masters) of ifindexes, as
 * vg_protect_set(VG_PROTECT_BRIDGE). */
int vg_protect_bridges(struct vg_state *st, const uint32_t *ifindexes, size_t n, bool replace,
		       char *err, size_t errlen);
/* Removes the Router Advertisement sources of "protected6" not heard
 * for VG_PROTECT_RA_TTL_S (gc); *removed (may be NULL) counts them. */
int vg_protect_expire(struct vg_state *st, unsigned int *removed);

/* The addresses ifindex learned (at most max, VG_IFACE_MAX_LEARNED is
 * all): by DAD first, by slot, then by DHCP (IPv4 first), by slot, then
 * on first use, by slot. */
int vg_state_learned(struct vg_state *st, uint32_t ifindex, struct vg_learned *out,
		     size_t max, size_t *n);
/* The end of ifindex's learning window (lease slot VG_SLOT_WINDOW,
 * CLOCK_MONOTONIC ns): 0, or -ENOENT when it has none. */
int vg_state_window(struct vg_state *st, uint32_t ifindex, uint64_t *end_ns);

/* ---- DHCP snooping's host settings (state_owners.c) ---------------------- */

/*
 * Writes the grace of DHCP leases to "learn_cfg": leases learned from
 * now on stay allowed this long past their end (those learned before
 * keep theirs).  Under a VG_STATE_WRITE state whose maps are pinned
 * (-ENOENT otherwise); -ERANGE above VG_DHCP_GRACE_MAX.
 */
int vg_state_set_dhcp_grace(struct vg_state *st, unsigned int seconds, char *err,
			    size_t errlen);
/* The grace in force: 0, or -ENOENT when "learn_cfg" is not pinned. */
int vg_state_dhcp_grace(struct vg_state *st, unsigned int *seconds);
/* How long an address learned in a learning window stays allowed
 * (learn_cfg.first_lease_s; 0: until the interface goes), as
 * vg_state_set_dhcp_grace() writes the grace; -ERANGE above
 * VG_FIRST_LEASE_MAX. */
int vg_state_set_first_lease(struct vg_state *st, unsigned int seconds, char *err,
			     size_t errlen);
/* learn_cfg as it is: 0, or -ENOENT when it is not pinned. */
int vg_state_learn_cfg(struct vg_state *st, struct vg_learn_cfg *c);

/* ---- drop events (state_events.c) ---------------------------------------- */

/* The limit in force: "ev_config", or the defaults while it holds none.
 * *deflt tells which. */
int vg_events_limit(struct vg_state *st, struct vg_event_cfg *cfg, bool *deflt,
		    char *err, size_t errlen);
/* Writes the limit (under the exclusive lock); burst >= 1, cost_ns >= 1. */
int vg_events_set_limit(struct vg_state *st, const struct vg_event_cfg *cfg, char *err,
			size_t errlen);
/* Events suppressed so far on key's bucket (0 if it has none). */
uint64_t vg_events_suppressed(int limit_fd, const struct vg_drop_key *key);

/*
 * A reader of the events, on its own descriptors: the state may be
 * closed (and its lock released) while it runs.  fn gets each event and
 * the frame bytes after it (ev->cap_len of them); lost counts events the
 * buffers had no room for.
 */
typedef void (*vg_event_fn)(void *arg, const struct vg_event *ev, const uint8_t *frame);
struct vg_events;
struct vg_events *vg_events_open(struct vg_state *st, vg_event_fn fn, void *arg, char *err,
				 size_t errlen);
/* Waits up to timeout_ms for events and hands them to fn: 0, or -errno
 * (-EINTR when a signal came). */
int vg_events_poll(struct vg_events *ev, int timeout_ms);
/* The descriptor of the bucket map, for vg_events_suppressed(). */
int vg_events_limit_fd(const struct vg_events *ev);
uint64_t vg_events_lost(const struct vg_events *ev);
void vg_events_close(struct vg_events *ev);

#endif /* VG_STATE_H */
