// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The interfaces, policies and lease state of test-dhcp and test-first
 * (lease_harness.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>

#include "lease_harness.h"

const uint8_t MAC_A[6] = { 0x02, 0x00, 0x00, 0x00, 0x0a, 0x01 };
const uint8_t MAC_B[6] = { 0x02, 0x00, 0x00, 0x00, 0x0b, 0x01 };

struct iface A = { "A", 0, 7, MAC_A, V4_A, V6_A, LL_A };
struct iface B = { "B", 0, 11, MAC_B, V4_B, V6_B, LL_B };
struct iface C = { "C", 0, 13, MAC_B, NULL, NULL, "fe80::c" };	/* no policy */

/* --- policies and configuration ------------------------------------------------ */

void set_policy(const struct iface *i, __u8 mode, __u16 flags)
{
	__u32 k = i->ifindex & (VG_POLICY_ENTRIES - 1);
	struct vg_policy_entry e = { .ifindex = i->ifindex, .live = 1 };
	struct vg_addr6 a = a6(i->v6);

	e.pol.mode = mode;
	e.pol.flags = flags;
	e.pol.slot = i->slot;
	e.pol.n_macs = 1;
	memcpy(e.pol.macs[0], i->mac, 6);
	e.pol.v4[0] = a4(i->v4).addr;
	memcpy(e.pol.v6[0], &a, 16);
	snprintf(e.pol.ifname, sizeof(e.pol.ifname), "%s", i->name);
	if (bpf_map_update_elem(map_fd(skel->maps.policy), &k, &e, BPF_ANY))
		die("policy update", errno);
}

/* A second MAC for i (a guest with two NICs on one vif's policy). */
void add_mac(const struct iface *i, const uint8_t *mac)
{
	__u32 k = i->ifindex & (VG_POLICY_ENTRIES - 1);
	struct vg_policy_entry e;

	if (bpf_map_lookup_elem(map_fd(skel->maps.policy), &k, &e))
		die("policy read", errno);
	memcpy(e.pol.macs[e.pol.n_macs++], mac, 6);
	if (bpf_map_update_elem(map_fd(skel->maps.policy), &k, &e, BPF_ANY))
		die("policy update", errno);
}

void set_learn_cfg(__u32 grace_s, __u32 first_lease_s)
{
	__u32 k = 0;
	struct vg_learn_cfg c = { .dhcp_grace_s = grace_s, .first_lease_s = first_lease_s };

	if (bpf_map_update_elem(map_fd(skel->maps.learn_cfg), &k, &c, BPF_ANY))
		die("learn_cfg update", errno);
	grace = grace_s;
}

/* What the loader writes for a configured address of i. */
void put_config4(const char *addr, const struct iface *i)
{
	struct vg_addr4 k = a4(addr);
	struct vg_owner o = { .ifindex = i->ifindex, .origin = VG_ORIGIN_CONFIG, .since_ns = 1 };

	if (bpf_map_update_elem(map_fd(skel->maps.learned4), &k, &o, BPF_NOEXIST))
		die("learned4 config entry", errno);
}

void put_config6(const char *addr, const struct iface *i)
{
	struct vg_addr6 k = a6(addr);
	struct vg_owner o = { .ifindex = i->ifindex, .origin = VG_ORIGIN_CONFIG, .since_ns = 1 };

	if (bpf_map_update_elem(map_fd(skel->maps.learned6), &k, &o, BPF_NOEXIST))
		die("learned6 config entry", errno);
}

/*
 * Moves the end of a lease or first-use address (owner and slot) to
 * expires, as time would: the entry of addr (either family) must be of
 * origin DHCP or FIRST.
 */
void set_expiry(const char *addr, __u64 expires)
{
	bool v6 = strchr(addr, ':');
	__u8 k[16];
	struct vg_owner o;
	struct vg_slot_key sk;
	struct vg_slot s;
	int fd = v6 ? map_fd(skel->maps.learned6) : map_fd(skel->maps.learned4);

	owner_key(addr, v6, k);
	if (bpf_map_lookup_elem(fd, k, &o) || o.origin < VG_ORIGIN_DHCP)
		die("set_expiry: no DHCP or FIRST entry", ENOENT);
	o.expires_ns = expires;
	if (bpf_map_update_elem(fd, k, &o, BPF_EXIST))
		die("set_expiry", errno);
	sk.ifindex = o.ifindex;
	sk.slot = o.slot;
	if (bpf_map_lookup_elem(map_fd(skel->maps.lease_slots), &sk, &s))
		die("set_expiry: no slot", ENOENT);
	s.since_ns = expires;
	if (bpf_map_update_elem(map_fd(skel->maps.lease_slots), &sk, &s, BPF_EXIST))
		die("set_expiry", errno);
}

/* --- steps ---------------------------------------------------------------------- */

/* Frame f, delivered by the host to i: TC_ACT_OK, and nothing counted
 * (VG_PASS) or the refusal reason on i. */
bool out(const struct iface *i, struct frame f, const char *what, enum vg_reason reason)
{
	return step_run(skel->progs.vifguard_out, i, f, what, TC_ACT_OK, reason, NULL);
}

/* The same for a frame that guest "from" sent, which the bridge delivers
 * to i. */
bool out_from(const struct iface *i, const struct iface *from, struct frame f, const char *what,
	      enum vg_reason reason)
{
	bool ok;

	sent_by = from;
	ok = out(i, f, what, reason);
	sent_by = NULL;
	return ok;
}

/* --- resets --------------------------------------------------------------------- */

void lease_reset(__u16 flags)
{
	const struct iface *ifs[] = { &A, &B, &C };

	map_clear(skel->maps.learned4);
	map_clear(skel->maps.learned6);
	map_clear(skel->maps.lease_slots);
	map_clear(skel->maps.learn_slots);
	map_clear(skel->maps.protected6);
	reset_counters(ifs, ARRAY_SIZE(ifs));
	set_policy(&A, VG_MODE_LOCKED, flags);
	set_policy(&B, VG_MODE_LOCKED, flags);
	no_policy(&C);
	set_learn_cfg(VG_DHCP_GRACE_DEFAULT, 0);
	reset_case();
}
