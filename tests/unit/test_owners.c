// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Who holds an address (loader/state_owners.c) on the real maps: the
 * object is loaded into a private bpf filesystem and each case commits
 * and removes policies through the policy store, writes what the
 * programs would have learned (by DAD, by DHCP) by hand, and reads
 * "learned6", "learned4", "learn_slots", "lease_slots" and "protected6"
 * back: configured addresses of both families claimed, learners evicted,
 * a shared address handed over when one of its interfaces goes, a reused
 * ifindex starting clean, a policy that stops learning losing what it
 * learned, the whole-host reconcile repairing (expired leases too) and
 * then changing nothing, a full map refusing a commit, protected
 * addresses replaced and revoking a learner, the DHCP grace.  Needs root
 * and a kernel with BPF; without them every case is a skip.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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
	clear_map(VG_MAP_LEARNED4, sizeof(struct vg_addr4));
	clear_map(VG_MAP_LEASE_SLOTS, sizeof(struct vg_slot_key));
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
		 o.origin == VG_ORIGIN_CONFIG ? "config" : o.origin == VG_ORIGIN_DAD ? "dad" :
		 o.origin == VG_ORIGIN_DHCP ? "dhcp" : "?");
	return buf;
}

static __be32 A4(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

/* "IFINDEX ORIGIN" of s in learned4, "none" without an entry. */
static const char *owner4(const char *s)
{
	static char buf[64];
	struct vg_addr4 a = { A4(s) };
	struct vg_owner o;

	if (bpf_map_lookup_elem(st.map_fd[VG_MAP_LEARNED4], &a, &o))
		return "none";
	snprintf(buf, sizeof(buf), "%u %s", o.ifindex,
		 o.origin == VG_ORIGIN_CONFIG ? "config" : o.origin == VG_ORIGIN_DHCP ? "dhcp" : "?");
	return buf;
}

static bool has_lease_slot(uint32_t ifindex, uint32_t slot)
{
	struct vg_slot_key k = { ifindex, slot };
	struct vg_slot s;

	return bpf_map_lookup_elem(st.map_fd[VG_MAP_LEASE_SLOTS], &k, &s) == 0;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* What the egress program writes when ifindex is leased s (IPv4 when it
 * has a dot) in lease slot slot until expires (slot: -1 for none). */
static void leased(uint32_t ifindex, const char *s, int slot, uint64_t expires)
{
	struct vg_owner o = { .ifindex = ifindex, .origin = VG_ORIGIN_DHCP,
			      .slot = (uint8_t)(slot < 0 ? 0 : slot) };
	struct vg_slot_key k = { ifindex, (uint32_t)slot };
	struct vg_slot v = { .since_ns = expires };

	o.expires_ns = expires;
	if (strchr(s, '.')) {
		struct vg_addr4 a = { A4(s) };

		v.a.addr[2] = htonl(0xffff);
		v.a.addr[3] = a.addr;
		assert_int_equal(bpf_map_update_elem(st.map_fd[VG_MAP_LEARNED4], &a, &o, BPF_ANY),
				 0);
	} else {
		v.a = A(s);
		assert_int_equal(bpf_map_update_elem(st.map_fd[VG_MAP_LEARNED6], &v.a, &o,
						     BPF_ANY), 0);
	}
	if (slot >= 0)
		assert_int_equal(bpf_map_update_elem(st.map_fd[VG_MAP_LEASE_SLOTS], &k, &v,
						     BPF_ANY), 0);
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
	assert_string_equal(owner("fd00::1"), "1001 config");
	assert_string_equal(owner("fe80::2"), "1003 dad");
	p = policy("fe80::1", "fe80::2");
	commit(VIF, &p);
	assert_string_equal(owner("fe80::2"), "1001 config");
	assert_false(has_slot(OTHER, 1));
	/* What the update no longer configures goes. */
	p = policy("fe80::2", NULL);
	commit(VIF, &p);
	assert_string_equal(owner("fe80::1"), "none");
	assert_string_equal(owner("fd00::1"), "none");
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

/* IPv4 hosts, inline and /32 in v4_addrs, claimed in learned4, a lease
 * of another interface on one of them evicted with its slot; a prefix
 * is no one's; a global IPv6 lease taken the same way. */
static void v4_hosts(void **state)
{
	struct vg_policy p = policy(NULL, NULL);
	struct vg_v4_key k = { VG_LPM_KEY_BITS + 32, VIF, 0, 0 };
	struct vg_v4_key pk = { VG_LPM_KEY_BITS + 24, VIF, 0, 0 };
	uint8_t one = 1;
	struct vg_addr6 g = A("2001:db8::5");

	(void)state;
	NEED();
	k.addr = A4("192.0.2.20");
	pk.addr = A4("198.51.100.0");
	assert_int_equal(bpf_map_update_elem(st.map_fd[VG_MAP_V4_ADDRS], &k, &one, BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(st.map_fd[VG_MAP_V4_ADDRS], &pk, &one, BPF_ANY), 0);
	leased(OTHER, "192.0.2.20", 0, VG_LEASE_FOREVER);
	leased(OTHER, "192.0.2.99", 1, VG_LEASE_FOREVER);
	leased(OTHER, "2001:db8::5", 2, VG_LEASE_FOREVER);
	p.v4[0] = A4("192.0.2.10");
	p.flags |= VG_F_V4_TABLE;
	memcpy(p.v6[0], &g, sizeof(g));
	commit(VIF, &p);
	assert_string_equal(owner4("192.0.2.10"), "1001 config");
	assert_string_equal(owner4("192.0.2.20"), "1001 config");
	assert_string_equal(owner4("198.51.100.0"), "none");
	assert_string_equal(owner4("192.0.2.99"), "1003 dhcp");
	assert_string_equal(owner("2001:db8::5"), "1001 config");
	assert_false(has_lease_slot(OTHER, 0));
	assert_true(has_lease_slot(OTHER, 1));
	assert_false(has_lease_slot(OTHER, 2));
	/* Gone with the policy. */
	assert_int_equal(vg_store_remove(&st, VIF, NULL), 0);
	assert_string_equal(owner4("192.0.2.10"), "none");
	assert_string_equal(owner4("192.0.2.20"), "none");
	vg_store_sweep(&st);
	bpf_map_delete_elem(st.map_fd[VG_MAP_V4_ADDRS], &k);
	bpf_map_delete_elem(st.map_fd[VG_MAP_V4_ADDRS], &pk);
}

/* Leases stay through an update that keeps VG_F_LEARN_DHCP and go when
 * it is dropped, when the ifindex is new, and when the policy goes; its
 * link-locals follow VG_F_LEARN_LL alone. */
static void dhcp_learning_off(void **state)
{
	struct vg_policy p = policy(NULL, NULL);
	struct vg_learned l[VG_IFACE_MAX_LEARNED];
	size_t n;

	(void)state;
	NEED();
	p.flags |= VG_F_LEARN_DHCP | VG_F_DHCP_CLIENT;
	/* Before the policy: another interface of the same number. */
	leased(VIF, "192.0.2.30", 0, VG_LEASE_FOREVER);
	commit(VIF, &p);
	assert_string_equal(owner4("192.0.2.30"), "none");
	assert_false(has_lease_slot(VIF, 0));
	leased(VIF, "192.0.2.30", 1, VG_LEASE_FOREVER);
	leased(VIF, "2001:db8::30", 3, mono_ns() + 3600000000000ULL);
	learned(VIF, "fe80::30", 0);
	commit(VIF, &p);
	assert_string_equal(owner4("192.0.2.30"), "1001 dhcp");
	assert_string_equal(owner("2001:db8::30"), "1001 dhcp");
	assert_int_equal(vg_state_learned(&st, VIF, l, VG_IFACE_MAX_LEARNED, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(l[0].origin, VG_ORIGIN_DAD);
	assert_int_equal(l[1].origin, VG_ORIGIN_DHCP);
	assert_true(l[1].v4);
	assert_int_equal(l[1].slot, 1);
	assert_true(l[1].since_ns == VG_LEASE_FOREVER);
	assert_false(l[2].v4);
	assert_int_equal(l[2].slot, 3);
	p.flags &= ~VG_F_LEARN_DHCP;
	commit(VIF, &p);
	assert_string_equal(owner4("192.0.2.30"), "none");
	assert_string_equal(owner("2001:db8::30"), "none");
	assert_false(has_lease_slot(VIF, 1) || has_lease_slot(VIF, 3));
	assert_string_equal(owner("fe80::30"), "1001 dad");
	p.flags |= VG_F_LEARN_DHCP;
	commit(VIF, &p);
	leased(VIF, "192.0.2.31", 0, VG_LEASE_FOREVER);
	assert_int_equal(vg_store_remove(&st, VIF, NULL), 0);
	assert_string_equal(owner4("192.0.2.31"), "none");
	assert_false(has_lease_slot(VIF, 0));
	assert_string_equal(owner("fe80::30"), "none");
	vg_store_sweep(&st);
}

/* The whole host and leases: an expired one goes with its slot, one
 * of a policy that does not learn by DHCP goes, one without its slot
 * and a slot without its entry go, live and infinite ones stay, a
 * missing IPv4 configured entry comes back; a second run changes
 * nothing. */
static void reconcile_leases(void **state)
{
	struct vg_policy p = policy(NULL, NULL), q = policy(NULL, NULL);
	struct vg_addr4 cfg4 = { 0 };
	struct vg_slot_key k = { VIF, 4 };
	struct vg_slot s = { .a = A("2001:db8::44") };
	uint64_t now = mono_ns();
	char err[VG_ERRLEN];
	unsigned int changed = 0;

	(void)state;
	NEED();
	p.flags |= VG_F_LEARN_DHCP;
	p.v4[0] = A4("192.0.2.1");
	cfg4.addr = p.v4[0];
	commit(VIF, &p);
	commit(OTHER, &q);
	leased(VIF, "192.0.2.40", 0, now - 1000000000ULL);		/* expired */
	leased(VIF, "192.0.2.41", 1, now + 3600000000000ULL);	/* live */
	leased(VIF, "2001:db8::40", 2, VG_LEASE_FOREVER);		/* forever */
	leased(VIF, "2001:db8::41", -1, VG_LEASE_FOREVER);		/* no slot */
	leased(OTHER, "192.0.2.42", 0, VG_LEASE_FOREVER);		/* does not learn */
	s.since_ns = VG_LEASE_FOREVER;
	assert_int_equal(bpf_map_update_elem(st.map_fd[VG_MAP_LEASE_SLOTS], &k, &s, BPF_ANY), 0);
	assert_int_equal(bpf_map_delete_elem(st.map_fd[VG_MAP_LEARNED4], &cfg4), 0);
	assert_int_equal(vg_owners_reconcile(&st, &changed, err, sizeof(err)), 0);
	assert_int_equal(changed, 5);
	assert_string_equal(owner4("192.0.2.1"), "1001 config");
	assert_string_equal(owner4("192.0.2.40"), "none");
	assert_false(has_lease_slot(VIF, 0));
	assert_string_equal(owner4("192.0.2.41"), "1001 dhcp");
	assert_true(has_lease_slot(VIF, 1));
	assert_string_equal(owner("2001:db8::40"), "1001 dhcp");
	assert_string_equal(owner("2001:db8::41"), "none");
	assert_string_equal(owner4("192.0.2.42"), "none");
	assert_false(has_lease_slot(OTHER, 0) || has_lease_slot(VIF, 4));
	changed = 0;
	assert_int_equal(vg_owners_reconcile(&st, &changed, err, sizeof(err)), 0);
	assert_int_equal(changed, 0);
}

/* learned4 full: a policy whose configured IPv4 address finds no room
 * is refused, and nothing of it stays claimed. */
static void learned_full(void **state)
{
	struct vg_policy p = policy(NULL, NULL);
	struct vg_owner o = { .ifindex = 4000, .origin = VG_ORIGIN_CONFIG };
	struct vg_policy cur;
	struct vg_addr4 a;
	bool waited;
	uint32_t i;

	(void)state;
	NEED();
	for (i = 0; i < VG_MAX_LEARNED; i++) {
		a.addr = htonl(0x0a000000U + i);
		assert_int_equal(bpf_map_update_elem(st.map_fd[VG_MAP_LEARNED4], &a, &o,
						     BPF_NOEXIST), 0);
	}
	p.v4[0] = A4("192.0.2.50");
	assert_int_equal(vg_store_commit(&st, VIF, &p, &waited), -ENOSPC);
	assert_string_equal(owner4("192.0.2.50"), "none");
	assert_int_equal(vg_state_policy(&st, VIF, &cur), -ENOENT);
}

/* The grace of leases: the default in a new root, set, bounded. */
static void dhcp_grace(void **state)
{
	char err[VG_ERRLEN];
	unsigned int g = 0;

	(void)state;
	NEED();
	assert_int_equal(vg_state_dhcp_grace(&st, &g), 0);
	assert_int_equal(g, VG_DHCP_GRACE_DEFAULT);
	assert_int_equal(vg_state_set_dhcp_grace(&st, 5, err, sizeof(err)), 0);
	assert_int_equal(vg_state_dhcp_grace(&st, &g), 0);
	assert_int_equal(g, 5);
	assert_int_equal(vg_state_set_dhcp_grace(&st, VG_DHCP_GRACE_MAX + 1, err, sizeof(err)),
			 -ERANGE);
	assert_int_equal(vg_state_dhcp_grace(&st, &g), 0);
	assert_int_equal(g, 5);
	assert_int_equal(vg_state_set_dhcp_grace(&st, VG_DHCP_GRACE_DEFAULT, err, sizeof(err)),
			 0);
}

/* The first-use lease beside the grace: the default in a new root, set
 * without touching the grace (nor the grace it), bounded. */
static void first_lease(void **state)
{
	struct vg_learn_cfg c;
	char err[VG_ERRLEN];

	(void)state;
	NEED();
	assert_int_equal(vg_state_learn_cfg(&st, &c), 0);
	assert_int_equal(c.first_lease_s, VG_FIRST_LEASE_DEFAULT);
	assert_int_equal(vg_state_set_dhcp_grace(&st, 7, err, sizeof(err)), 0);
	assert_int_equal(vg_state_set_first_lease(&st, 600, err, sizeof(err)), 0);
	assert_int_equal(vg_state_learn_cfg(&st, &c), 0);
	assert_int_equal(c.dhcp_grace_s, 7);
	assert_int_equal(c.first_lease_s, 600);
	assert_int_equal(vg_state_set_dhcp_grace(&st, 8, err, sizeof(err)), 0);
	assert_int_equal(vg_state_learn_cfg(&st, &c), 0);
	assert_int_equal(c.first_lease_s, 600);
	assert_int_equal(vg_state_set_first_lease(&st, VG_FIRST_LEASE_MAX + 1, err, sizeof(err)),
			 -ERANGE);
	assert_int_equal(vg_state_set_first_lease(&st, VG_FIRST_LEASE_DEFAULT, err, sizeof(err)),
			 0);
	assert_int_equal(vg_state_set_dhcp_grace(&st, VG_DHCP_GRACE_DEFAULT, err, sizeof(err)),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(claim_and_evict, clean),
		cmocka_unit_test_setup(shared_handover, clean),
		cmocka_unit_test_setup(reused_ifindex, clean),
		cmocka_unit_test_setup(reconcile, clean),
		cmocka_unit_test_setup(protect, clean),
		cmocka_unit_test_setup(v4_hosts, clean),
		cmocka_unit_test_setup(dhcp_learning_off, clean),
		cmocka_unit_test_setup(reconcile_leases, clean),
		cmocka_unit_test_setup(learned_full, clean),
		cmocka_unit_test_setup(dhcp_grace, clean),
		cmocka_unit_test_setup(first_lease, clean),
	};

	return cmocka_run_group_tests_name("owners", tests, group_setup, group_teardown);
}
