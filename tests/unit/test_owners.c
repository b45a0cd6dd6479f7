// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Who holds a link-local address (loader/state_owners.c) on the real
 * maps: the object is loaded into a private bpf filesystem and each case
 * commits and removes policies through the policy store, writes what
 * the program would have learned by hand, and reads "learned6",
 * "learn_slots" and "protected6" back: configured addresses claimed,
 * learners evicted, a shared address handed over when one of its
 * interfaces goes, a reused ifindex starting clean, the whole-host
 * reconcile repairing and then changing nothing, protected addresses
 * replaced and revoking a learner.  Needs root and a kernel with BPF;
 * without them every case is a skip.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/mount.h>
#include <bpf/bpf.h>
#include <cmocka.h>

#include "state_int.h"
#include "unit_root.h"

#define VIF	1001U
#define TAP	1002U	/* the same guest's emulated NIC: the same MAC */
#define OTHER	1003U

static const uint8_t mac[6] = { 0x00, 0x16, 0x3e, 0x00, 0x05, 0x00 };
#define EUI	"fe80::216:3eff:fe00:500"

static struct unit_root ur;
static struct vg_state st;
static bool ready;
static char why[VG_ERRLEN + 64] = "not set up";

static int group_setup(void **state)
{
	(void)state;
	ready = unit_root_open(&ur, "owners", &st, why, sizeof(why)) == 0;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	unit_root_close(&ur, &st);
	return 0;
}

static void clear_map(enum vg_map_id id, size_t ksz)
{
	size_t n, i;
	void *keys;

	assert_int_equal(vg_map_keys(st.map_fd[id], ksz, &keys, &n), 0);
	for (i = 0; i < n; i++)
		bpf_map_delete_elem(st.map_fd[id], (char *)keys + i * ksz);
	free(keys);
}

/* Every case starts with no policy and empty learning maps. */
static int clean(void **state)
{
	const uint32_t idx[] = { VIF, TAP, OTHER };
	size_t i;

	(void)state;
	if (!ready)
		return 0;
	for (i = 0; i < sizeof(idx) / sizeof(idx[0]); i++)
		vg_store_remove(&st, idx[i], NULL);
	vg_store_sweep(&st);
	clear_map(VG_MAP_LEARNED6, sizeof(struct vg_addr6));
	clear_map(VG_MAP_LEARN_SLOTS, sizeof(struct vg_slot_key));
	clear_map(VG_MAP_PROTECTED6, sizeof(struct vg_addr6));
	return 0;
}

#define NEED()                                          \
	do {                                            \
		if (!ready) {                           \
			print_message("# skip: %s\n", why);  \
			skip();                         \
		}                                       \
	} while (0)

static struct vg_addr6 A(const char *s)
{
	struct vg_addr6 a;

	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

/* "IFINDEX ORIGIN" of s in learned6, "none" without an entry. */
static const char *owner(const char *s)
{
	static char buf[64];
	struct vg_addr6 a = A(s);
	struct vg_owner o;

	if (bpf_map_lookup_elem(st.map_fd[VG_MAP_LEARNED6], &a, &o))
		return "none";
	snprintf(buf, sizeof(buf), "%u %s", o.ifindex,
		 o.origin == VG_ORIGIN_CONFIG ? "config" : o.origin == VG_ORIGIN_DAD ? "dad" : "?");
	return buf;
}

static bool has_slot(uint32_t ifindex, uint32_t slot)
{
	struct vg_slot_key k = { ifindex, slot };
	struct vg_slot s;

	return bpf_map_lookup_elem(st.map_fd[VG_MAP_LEARN_SLOTS], &k, &s) == 0;
}

/* What the program writes when ifindex learns s in slot. */
static void learned(uint32_t ifindex, const char *s, uint32_t slot)
{
	struct vg_addr6 a = A(s);
	struct vg_owner o = { .ifindex = ifindex, .origin = VG_ORIGIN_DAD, .slot = (uint8_t)slot };
	struct vg_slot_key k = { ifindex, slot };
	struct vg_slot v = { .a = a };

	assert_int_equal(bpf_map_update_elem(st.map_fd[VG_MAP_LEARNED6], &a, &o, BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(st.map_fd[VG_MAP_LEARN_SLOTS], &k, &v, BPF_ANY), 0);
}

/* A policy with mac, learning, the EUI-64 address and inline v6. */
static struct vg_policy policy(const char *v6a, const char *v6b)
{
	struct vg_policy p = {
		.mode = VG_MODE_LOCKED, .n_macs = 1,
		.flags = VG_F_LINK_LOCAL | VG_F_LEARN_LL,
	};
	struct vg_addr6 a;

	memcpy(p.macs[0], mac, 6);
	if (v6a) {
		a = A(v6a);
		memcpy(p.v6[0], &a, 16);
	}
	if (v6b) {
		a = A(v6b);
		memcpy(p.v6[1], &a, 16);
	}
	return p;
}

static void commit(uint32_t ifindex, const struct vg_policy *p)
{
	bool waited;

	assert_int_equal(vg_store_commit(&st, ifindex, p, &waited), 0);
}

/* Configured link-local addresses claimed, other addresses not; a
 * learner of one of them evicted, slot and all. */
static void claim_and_evict(void **state)
{
	struct vg_policy p = policy("fe80::1", "fd00::1");

	(void)state;
	NEED();
	learned(OTHER, "fe80::2", 1);
	commit(VIF, &p);
	assert_string_equal(owner(EUI), "1001 config");
	assert_string_equal(owner("fe80::1"), "1001 config");
	assert_string_equal(owner("fd00::1"), "none");
	assert_string_equal(owner("fe80::2"), "1003 dad");
	p = policy("fe80::1", "fe80::2");
	commit(VIF, &p);
	assert_string_equal(owner("fe80::2"), "1001 config");
	assert_false(has_slot(OTHER, 1));
	/* What the update no longer configures goes. */
	p = policy("fe80::2", NULL);
	commit(VIF, &p);
	assert_string_equal(owner("fe80::1"), "none");
	assert_string_equal(owner("fe80::2"), "1001 config");
	/* Learning switched off: what it learned goes. */
	learned(VIF, "fe80::9", 0);
	p.flags &= ~VG_F_LEARN_LL;
	commit(VIF, &p);
	assert_string_equal(owner("fe80::9"), "none");
	assert_false(has_slot(VIF, 0));
}

/* vif and tap share the EUI-64 address: it stays claimed while either
 * is there. */
static void shared_handover(void **state)
{
	struct vg_policy v = policy("fe80::1", NULL), t = policy(NULL, NULL);

	(void)state;
	NEED();
	commit(VIF, &v);
	commit(TAP, &t);
	assert_string_equal(owner(EUI), "1001 config");
	assert_int_equal(vg_store_remove(&st, VIF, NULL), 0);
	assert_string_equal(owner(EUI), "1002 config");
	assert_string_equal(owner("fe80::1"), "none");
	assert_int_equal(vg_store_remove(&st, TAP, NULL), 0);
	assert_string_equal(owner(EUI), "none");
	vg_store_sweep(&st);
}

/* A new policy on an ifindex starts with nothing learned; a removed one
 * leaves nothing learned behind. */
static void reused_ifindex(void **state)
{
	struct vg_policy p = policy(NULL, NULL);

	(void)state;
	NEED();
	learned(OTHER, "fe80::3", 0);
	learned(OTHER, "fe80::4", 1);
	commit(OTHER, &p);
	assert_string_equal(owner("fe80::3"), "none");
	assert_string_equal(owner("fe80::4"), "none");
	assert_false(has_slot(OTHER, 0) || has_slot(OTHER, 1));
	/* An update keeps what it learned. */
	learned(OTHER, "fe80::3", 0);
	commit(OTHER, &p);
	assert_string_equal(owner("fe80::3"), "1003 dad");
	assert_int_equal(vg_store_remove(&st, OTHER, NULL), 0);
	assert_string_equal(owner("fe80::3"), "none");
	assert_false(has_slot(OTHER, 0));
	vg_store_sweep(&st);
}

/* The whole host: a missing configured entry back, one of a gone
 * interface and a learned one without policy or slot gone; then a
 * second run changes nothing. */
static void reconcile(void **state)
{
	struct vg_policy p = policy("fe80::1", NULL);
	struct vg_addr6 eui = A(EUI), stale = A("fe80::77");
	struct vg_owner o = { .ifindex = 4000, .origin = VG_ORIGIN_CONFIG };
	struct vg_slot_key k = { OTHER, 1 };
	struct vg_slot s = { .a = A("fe80::78") };
	char err[VG_ERRLEN];
	unsigned int changed = 0;

	(void)state;
	NEED();
	commit(VIF, &p);
	assert_int_equal(bpf_map_delete_elem(st.map_fd[VG_MAP_LEARNED6], &eui), 0);
	assert_int_equal(bpf_map_update_elem(st.map_fd[VG_MAP_LEARNED6], &stale, &o, BPF_ANY), 0);
	learned(4001, "fe80::79", 0);
	assert_int_equal(bpf_map_update_elem(st.map_fd[VG_MAP_LEARN_SLOTS], &k, &s, BPF_ANY), 0);
	assert_int_equal(vg_owners_reconcile(&st, &changed, err, sizeof(err)), 0);
	assert_int_equal(changed, 4);
	assert_string_equal(owner(EUI), "1001 config");
	assert_string_equal(owner("fe80::1"), "1001 config");
	assert_string_equal(owner("fe80::77"), "none");
	assert_string_equal(owner("fe80::79"), "none");
	assert_false(has_slot(OTHER, 1) || has_slot(4001, 0));
	changed = 0;
	assert_int_equal(vg_owners_reconcile(&st, &changed, err, sizeof(err)), 0);
	assert_int_equal(changed, 0);
}

/* Protected addresses: written under their reason, a learner revoked,
 * the config's list replaced whole, a bridge's entry left alone. */
static void protect(void **state)
{
	struct in6_addr a[2];
	struct vg_protect pr;
	struct vg_addr6 x;
	struct vg_policy p = policy(NULL, NULL);
	char err[VG_ERRLEN];

	(void)state;
	NEED();
	commit(OTHER, &p);
	learned(OTHER, "fe80::5", 0);
	inet_pton(AF_INET6, "fe80::5", &a[0]);
	inet_pton(AF_INET6, "fe80::6", &a[1]);
	assert_int_equal(vg_protect_set(&st, VG_PROTECT_CONFIG, a, 2, true, err, sizeof(err)), 0);
	assert_string_equal(owner("fe80::5"), "none");
	assert_false(has_slot(OTHER, 0));
	assert_int_equal(vg_protect_set(&st, VG_PROTECT_BRIDGE, &a[1], 1, true, err,
					sizeof(err)), 0);
	x = A("fe80::6");
	assert_int_equal(bpf_map_lookup_elem(st.map_fd[VG_MAP_PROTECTED6], &x, &pr), 0);
	assert_int_equal(pr.why, VG_PROTECT_CONFIG);
	assert_int_equal(vg_protect_set(&st, VG_PROTECT_CONFIG, &a[1], 1, true, err,
					sizeof(err)), 0);
	x = A("fe80::5");
	assert_int_not_equal(bpf_map_lookup_elem(st.map_fd[VG_MAP_PROTECTED6], &x, &pr), 0);
	assert_int_equal(vg_protect_set(&st, VG_PROTECT_CONFIG, NULL, 0, true, err,
					sizeof(err)), 0);
	x = A("fe80::6");
	assert_int_not_equal(bpf_map_lookup_elem(st.map_fd[VG_MAP_PROTECTED6], &x, &pr), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(claim_and_evict, clean),
		cmocka_unit_test_setup(shared_handover, clean),
		cmocka_unit_test_setup(reused_ifindex, clean),
		cmocka_unit_test_setup(reconcile, clean),
		cmocka_unit_test_setup(protect, clean),
	};

	return cmocka_run_group_tests_name("owners", tests, group_setup, group_teardown);
}
