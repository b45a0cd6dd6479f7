/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the files of the state library share among themselves (and with
 * their unit tests); callers use state.h.  Every function here works
 * under the lock taken by vg_state_open(), as state.h's do.
 */
#ifndef VG_STATE_INT_H
#define VG_STATE_INT_H

#include <string.h>
#include <time.h>

#include "state.h"
#include "tc.h"

/* Fills err (when given) and returns ret. */
int vg_fail(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The kernel's "operation not supported" for a map type without batch
 * operations; not in the user-space errno.h. */
#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

/* Whether the policy p records the interface name name. */
static inline bool vg_policy_named(const struct vg_policy *p, const char *name)
{
	return !strncmp(p->ifname, name, VG_IFNAMSIZ) && strlen(name) < VG_IFNAMSIZ;
}

/* The name of ifindex now, "" when it does not exist. */
static inline void vg_name_of(uint32_t ifindex, char out[IF_NAMESIZE])
{
	if (!if_indextoname(ifindex, out))
		out[0] = '\0';
}

/* ---- the pins (state.c) and taking them over (state_upgrade.c) --------- */

#define VG_PROG_PIN "prog"		/* vifguard, for the ingress hooks */
#define VG_PROG_OUT_PIN "prog_out"	/* vifguard_out, for the egress hooks */

struct vg_map_shape {
	uint32_t type, key_size, value_size;
};
/* Each map's shape in this layout. */
extern const struct vg_map_shape vg_map_shapes[VG_MAP_N];

/* root/name into out ("" if it does not fit). */
void vg_pin_path(const struct vg_state *st, const char *name, char *out, size_t len);
/* Opens the pins under st->root (an absent one stays -1), checks their
 * shapes and reads map "layout"; closes them. */
int vg_pins_open(struct vg_state *st, char *err, size_t errlen);
void vg_pins_close(struct vg_state *st);
/* The program and every map are pinned. */
bool vg_pins_all(const struct vg_state *st);
int vg_prog_id_of(int fd, uint32_t *id);

/* Whether info, the pin of map id, has the shape of an older layout
 * that vg_state_takeover() migrates. */
struct bpf_map_info;
bool vg_upgrade_known_shape(int id, const struct bpf_map_info *info);
/* Adds what "totals" of layout 1 (fd) counted to out. */
int vg_totals_l1_sum(int fd, struct vg_stats *out);
/* Whether a LOAD open must take the state over: something missing, of
 * an older layout, or (upgrade) a program of another build. */
bool vg_takeover_needed(const struct vg_state *st, bool upgrade);
/* Loads this build's object and takes the pinned state over (state.h,
 * vg_state_open()); st->took says what it did. */
int vg_state_takeover(struct vg_state *st, const struct vg_ctx *ctx, char *err, size_t errlen);

/* ---- where the root is (state_place.c) --------------------------------- */

bool vg_is_bpffs(const char *path);
/* The directory above path ("." for a bare name, "/" for "/x"). */
void vg_parent_of(const char *path, char *out, size_t len);
/* In a mount namespace other than PID 1's (*foreign), -EXDEV unless root
 * (or the nearest directory above it that exists) is the host's. */
int vg_place_check(const char *root, bool *foreign, char *err, size_t errlen);
/* Makes sure ctx->root exists, creating it when create (mounting bpffs on
 * /sys/fs/bpf, never when foreign): -ENOENT without create when it does
 * not.  open_root() then checks what it is. */
int vg_prepare_root(const struct vg_ctx *ctx, bool create, bool foreign, char *err,
		    size_t errlen);
/* A root without state (why says how): -EXDEV, with the error naming
 * a device, when a device here carries vifguard's program; unless making
 * (an attach) a root that is a freshly mounted, empty bpffs. */
int vg_place_unowned(struct vg_state *st, const char *why, bool making, char *err,
		     size_t errlen);

/* The inode of this process's network namespace (0 if unknown). */
uint32_t vg_netns_id(void);
/* A write to a root whose devices are in another network namespace
 * (st->meta.netns) than this process's: -EXDEV, the error saying where. */
int vg_place_netns(const struct vg_state *st, char *err, size_t errlen);

/* Whether ifindex carries vifguard's program of another root (which
 * vg_state_detach() must leave), with its id in *prog_id. */
bool vg_place_foreign_on(struct vg_state *st, uint32_t ifindex, uint32_t *prog_id);

/* ---- the policy store (state_store.c) ---------------------------------- */

/*
 * Waits until no program run that started before the call is in flight
 * (a grace period).
 */
void vg_wait_for_readers(void);

/*
 * Puts pol in force on ifindex, through the array entry or the spill
 * hash; *waited: a grace period has passed since the commit point, so
 * whatever the old policy referenced may go now.
 */
int vg_store_commit(struct vg_state *st, uint32_t ifindex, const struct vg_policy *pol,
		    bool *waited);
/* A commit staged by vg_store_stage(), finished by vg_store_settle(). */
enum vg_txn_step {
	VG_TXN_DONE,		/* nothing left: in force (or failed: ret) */
	VG_TXN_PUBLISH,		/* a new policy, for an entry a stopped run retired */
	VG_TXN_MOVE,		/* in force from the hash, its array entry retired */
};

struct vg_store_txn {
	uint32_t ifindex;
	struct vg_policy pol;
	struct vg_policy_entry cur;	/* the array entry as staging found it */
	enum vg_txn_step step;
	int ret;			/* set by vg_store_settle() */
};

/*
 * The two halves of vg_store_commit(): stage does what needs no grace
 * period (a policy in force is committed on return); settle waits for one
 * grace period for all n commits, then finishes them (and waits once more
 * when a policy moved back from the hash into the array).  Nothing may
 * release the lock between them.
 */
int vg_store_stage(struct vg_state *st, uint32_t ifindex, const struct vg_policy *pol,
		   struct vg_store_txn *t);
void vg_store_settle(struct vg_state *st, struct vg_store_txn *t, size_t n, bool *waited);
/* Rewrites the fields of ifindex's policy that the program does not read
 * (attach, ifname) in place, from src. */
int vg_store_set_meta(struct vg_state *st, uint32_t ifindex, const struct vg_policy *src);
/* Takes ifindex's policy out of force: its array entry retired (freed by
 * vg_store_sweep()), its hash entry deleted; *removed counts both. */
int vg_store_remove(struct vg_state *st, uint32_t ifindex, unsigned int *removed);
/* Frees every retired array entry a grace period after it was retired;
 * lets the exclusive lock go for the wait. */
int vg_store_sweep(struct vg_state *st);
/* Every policy in force, keys (ifindexes) and values, to free() both. */
int vg_store_read_all(struct vg_state *st, uint32_t **keys, struct vg_policy **vals,
		      size_t *n);
/* The pass counter slot of a new interface, zeroed; -ENOSPC if none. */
int vg_store_slot_alloc(struct vg_state *st, uint32_t ifindex, uint16_t *slot);

/* ---- who holds an address (state_owners.c) ------------------------------ */

/*
 * Before pol is committed on ifindex (vg_store_stage()): its configured
 * host addresses are claimed in "learned4" and "learned6" (evicting an
 * interface that learned one), those its policy in force configured and
 * pol does not let go; a new ifindex loses what it learned, a policy
 * that does not learn one way (VG_F_LEARN_LL, VG_F_LEARN_DHCP) what it
 * learned that way.  0 or -errno (nothing committed then; -ENOSPC: an
 * owner map is full).
 */
int vg_owners_commit(struct vg_state *st, uint32_t ifindex, const struct vg_policy *pol);
/* ifindex's policy goes out of force (vg_store_remove()): what it learned
 * goes, and what it configured passes to another interface that
 * configures it too, or goes.  pol: the policy whose addresses were
 * claimed, NULL for the one in force (a commit that failed left none). */
int vg_owners_release(struct vg_state *st, uint32_t ifindex, const struct vg_policy *pol,
		      unsigned int *removed);

/* ---- parked leases (state_park.c) --------------------------------------- */

/* The programs' clock, bpf_ktime_get_ns(): CLOCK_MONOTONIC. */
static inline uint64_t vg_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Before ifindex (policy pol) goes: its live leases and first-use
 * addresses parked under id (and pol's first MAC), their owner entries
 * rewritten to ifindex 0; *parked (if not NULL) counts them. */
int vg_park_iface(struct vg_state *st, uint32_t ifindex, const struct vg_policy *pol,
		  const struct vg_xen_id *id, unsigned int *parked);
/* vg_park_iface() under the identity st->park gives, or st->park_of
 * finds for a policy from xenstore; nothing without either. */
int vg_park_going(struct vg_state *st, uint32_t ifindex, const struct vg_policy *pol);
/* Before a policy for spec is built for ifindex (had: one is in force),
 * an interface with r's identity: r's plan (restore, or a learning
 * window), and the flags its policy gets for it (VG_F_LEARN_FIRST for a
 * window, or for first-use addresses that come back; kept while the
 * window granted at its attach is there). */
unsigned int vg_resume_flags(struct vg_state *st, uint32_t ifindex, bool had,
			     const struct vg_spec *spec, struct vg_resume *r);
/* In vg_store_stage(), after vg_owners_commit() and before the policy
 * is in force: st->resume's plan carried out for ifindex. */
int vg_resume_commit(struct vg_state *st, uint32_t ifindex, const struct vg_policy *pol);
/* Once that policy is in force: the parked entries r's plan restored
 * (those of r's identity and mac) go.  NULL r: nothing. */
int vg_resume_done(struct vg_state *st, const struct vg_resume *r, const uint8_t mac[6]);

/* The parked entries, read once for a walk of the owner maps. */
struct vg_parked {
	struct vg_park_key *k;
	struct vg_park *v;
	size_t n;
};
int vg_park_load(struct vg_state *st, struct vg_parked *p);
void vg_park_free(struct vg_parked *p);
/* Whether a parked entry of p of o's origin, not ended at now, backs o,
 * the ifindex-0 owner entry of a (a lease held by nobody). */
bool vg_park_backs(const struct vg_parked *p, const struct vg_addr6 *a,
		   const struct vg_owner *o, uint64_t now);
/* The parked entries that ended before now go, counted in *removed;
 * their owner entries are then no longer backed (vg_owners_reconcile()
 * removes them). */
int vg_park_gc(struct vg_state *st, uint64_t now, unsigned int *removed);
/* Every parked entry of address a goes (a is configured now: no VM gets
 * it back). */
int vg_park_drop_addr(struct vg_state *st, const struct vg_addr6 *a);

/* ---- map walks (state_walk.c) ------------------------------------------ */

/*
 * All keys of a map, in one allocation of n * key_size bytes (to free()).
 * Collected first and acted on afterwards: deleting while walking a hash
 * map would restart the walk.
 */
int vg_map_keys(int fd, size_t key_size, void **out, size_t *n);

/* Deletes key from fd (nothing if fd < 0), counting it in *removed; a key
 * already gone is no error. */
int vg_delete_key(int fd, const void *key, unsigned int *removed);

/*
 * Calls fn on every entry of both address tries, stopping at the first
 * non-zero return, which is returned.  When a trie cannot be read, its
 * -errno is returned and *failed (if not NULL) names it.
 */
int vg_addrs_walk(struct vg_state *st, int (*fn)(const struct vg_addr_ent *a, void *arg),
		  void *arg, enum vg_map_id *failed);

/* Calls fn on every key of the drop counters (fd is the map's), stopping
 * at the first non-zero return, which is returned. */
int vg_drops_walk(struct vg_state *st,
		  int (*fn)(int fd, const struct vg_drop_key *key, void *arg), void *arg);
/* The same over another map keyed by struct vg_drop_key (ev_limit). */
int vg_drop_keys_walk(struct vg_state *st, enum vg_map_id id,
		      int (*fn)(int fd, const struct vg_drop_key *key, void *arg), void *arg);

/* What vg_purge_addrs() removes. */
enum vg_purge {
	VG_PURGE_GEN,		/* ifindex's entries of one generation */
	VG_PURGE_ALL,		/* every entry of ifindex */
};

int vg_purge_addrs(struct vg_state *st, uint32_t ifindex, enum vg_purge what, uint32_t gen,
		   unsigned int *removed);
/* The drop counters and event buckets of every interface but ifindex
 * stay. */
int vg_purge_drops(struct vg_state *st, uint32_t ifindex, unsigned int *removed);

/* Per-CPU values of key, in one allocation of ncpu * size bytes (to
 * free()).  size is a multiple of 8, as the kernel lays them out. */
int vg_percpu_read(int fd, const void *key, size_t size, void **out, int *ncpu);
int vg_percpu_u64_sum(int fd, const void *key, __u64 *sum);

/* ---- our filter on a device (state_filter.c) --------------------------- */

/* The path of ifindex's pinned tcx link on hook. */
void vg_tcx_pin_path(const struct vg_state *st, uint32_t ifindex, enum vg_hook hook, char *out,
		     size_t len);
/*
 * Attaches the pinned programs with kind (VG_ATTACH_CLS_BPF or _TCX):
 * vifguard on the ingress, then vifguard_out on the egress.  On an error
 * *failed (if not NULL) says which hook failed; the ingress one may then
 * be on (attach_error() of state_apply.c says what that means).
 */
int vg_filter_attach(struct vg_state *st, uint32_t ifindex, uint32_t kind,
		     enum vg_hook *failed);
/* Takes our filters off the device, egress first: cls_bpf and clsact as
 * recorded in attach, and the pinned tcx links if there are any. */
int vg_filter_detach(struct vg_state *st, uint32_t ifindex, uint32_t attach, bool *removed);
/* Whether our program is on ifindex's hook (cls_bpf or tcx). */
bool vg_filter_on_hook(struct vg_state *st, uint32_t ifindex, enum vg_hook hook,
		       uint32_t *prog_id);
/* Whether our program is on ifindex's ingress: the filter. */
bool vg_filter_on_device(struct vg_state *st, uint32_t ifindex, uint32_t *prog_id);

/* ---- removal (state_detach.c) ------------------------------------------ */

/* Every entry of ifindex: policy, addresses, drop counters. */
int vg_remove_entries(struct vg_state *st, uint32_t ifindex, unsigned int *removed);
/* Whether pol, the policy at ifindex, is of a device that is gone: no
 * device has ifindex, or the one there is not the one pol names and
 * carries none of our filters (a reused ifindex; a device renamed keeps
 * ours). */
bool vg_policy_gone(struct vg_state *st, uint32_t ifindex, const struct vg_policy *pol);
/* Everything of ifindex, whose policy pol is of a device that is gone
 * (vg_policy_gone()): gc's removal, the one routine for it; a Xen guest
 * interface's leases are parked first (vg_park_going()).  *removed
 * counts the entries (may be NULL). */
int vg_gone_remove(struct vg_state *st, uint32_t ifindex, const struct vg_policy *pol,
		   unsigned int *removed);

#endif /* VG_STATE_INT_H */
