// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Trust on first use (VG_F_LEARN_FIRST, include/vifguard.h "Address
 * learning"): the real program, loaded through its skeleton, runs
 * sequences of crafted frames through BPF_PROG_TEST_RUN: the ingress
 * program "vifguard" for the IPv4, ARP and IPv6 sources a guest uses
 * first, the egress program "vifguard_out" for the DHCP messages that
 * turn a first-use address into a lease.  After each step a case asserts
 *
 *   the verdict, and that exactly the counter of its reason moved by one
 *   (ingress: passes[the interface's slot], or drops[{ifindex, reason}]
 *   and totals[reason]; egress: TC_ACT_OK always, and nothing counted
 *   but a refused lease's reason), and, where the case says so, the
 *   whole of learned4, learned6, lease_slots and protected6: every entry
 *   with its interface, origin and slot, the expiry of a first-use
 *   address (forever, or first_lease_s from the case's run when learned
 *   in a learning window) and of a lease, its slot's since_ns equal to
 *   it, the window's slot, and no other entry.
 *
 * Interfaces: A is the namespace's loopback device, B one end of a veth
 * pair, C the other end, which has no policy (an uplink).  A and B have
 * policies of their own: their own MAC, one configured IPv4 and IPv6
 * address inline, VG_F_DHCP_CLIENT, VG_F_LINK_LOCAL and VG_F_LEARN_FIRST
 * (F_BOTH adds VG_F_LEARN_DHCP) unless the case changes it.  Before every
 * case the learning maps and the counters are emptied, the policies
 * written afresh, no window is open, and learn_cfg holds a grace of 60 s
 * and a first_lease_s of 0.
 *
 * Usage: test-first [FIRST]   TAP numbering starts at FIRST (default 1).
 * Root only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "learn_harness.h"

static const uint8_t MAC_A[6] = { 0x02, 0x00, 0x00, 0x00, 0x0a, 0x01 };
static const uint8_t MAC_B[6] = { 0x02, 0x00, 0x00, 0x00, 0x0b, 0x01 };
static const uint8_t MAC_SERVER[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x67 };
static const uint8_t MAC_V6_SERVERS[6] = { 0x33, 0x33, 0x00, 0x01, 0x00, 0x02 };

#define SERVER4		"10.0.0.1"
#define SERVER6		"fe80::67"
#define V4_A		"10.0.0.10"		/* A's policy, inline */
#define V4_B		"10.0.0.11"		/* B's policy, inline */
#define V6_A		"2001:db8::a"
#define V6_B		"2001:db8::b"
#define LL_A		"fe80::ff:fe00:a01"	/* EUI-64 of MAC_A */
#define LL_B		"fe80::ff:fe00:b01"
#define L4_1		"10.0.0.100"		/* leases */
#define L4_2		"10.0.0.101"
#define L4_3		"10.0.0.102"
#define L6_1		"2001:db8:1::100"
#define L6_2		"2001:db8:1::101"
#define L6_3		"2001:db8:1::102"
#define L6_4		"2001:db8:1::103"
#define L6_5		"2001:db8:1::104"

#define LEASE_INF	0xffffffffU		/* DHCPv4 option 51: infinite */
#define ETH_HLEN_T	14			/* Ethernet header, untagged */

/* Entries of interfaces that do not exist, for filling tables. */
#define FILL_IFINDEX	100000

static struct iface A = { "A", 0, 7, MAC_A, V4_A, V6_A, LL_A };
static struct iface B = { "B", 0, 11, MAC_B, V4_B, V6_B, LL_B };
static struct iface C = { "C", 0, 13, MAC_B, NULL, NULL, "fe80::c" };	/* no policy */
/* The owner of a parked address (include/vifguard.h "parked"): nobody. */
static const struct iface PARKED = { "parked", 0, 0, NULL, NULL, NULL, NULL };

static __u32 grace = VG_DHCP_GRACE_DEFAULT;	/* learn_cfg, as written */

/* An IPv4 address as lease_slots holds it: ::ffff:a.b.c.d. */
static struct vg_addr6 mapped(const char *v4)
{
	struct vg_addr6 a = { { 0, 0, htonl(0xffff), a4(v4).addr } };

	return a;
}

/* A slot's address from text of either family. */
static struct vg_addr6 slot_addr(const char *s)
{
	return strchr(s, ':') ? a6(s) : mapped(s);
}

/* --- policies and configuration ------------------------------------------------ */

#define F_DEFAULT	(VG_F_DHCP_CLIENT | VG_F_LINK_LOCAL | VG_F_LEARN_FIRST)
#define F_BOTH		(F_DEFAULT | VG_F_LEARN_DHCP)

static void set_policy(const struct iface *i, __u8 mode, __u16 flags)
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


static void set_learn_cfg(__u32 grace_s, __u32 first_lease_s)
{
	__u32 k = 0;
	struct vg_learn_cfg c = { .dhcp_grace_s = grace_s, .first_lease_s = first_lease_s };

	if (bpf_map_update_elem(map_fd(skel->maps.learn_cfg), &k, &c, BPF_ANY))
		die("learn_cfg update", errno);
	grace = grace_s;
}

/* i's learning window, ending at end (bpf_ktime_get_ns() clock), as the
 * loader opens it on attach. */
static void set_window(const struct iface *i, __u64 end)
{
	struct vg_slot_key sk = { i->ifindex, VG_SLOT_WINDOW };
	struct vg_slot v = { .since_ns = end };

	if (bpf_map_update_elem(map_fd(skel->maps.lease_slots), &sk, &v, BPF_ANY))
		die("window update", errno);
}

/* What the loader writes for a configured address of i. */
static void put_config4(const char *addr, const struct iface *i)
{
	struct vg_addr4 k = a4(addr);
	struct vg_owner o = { .ifindex = i->ifindex, .origin = VG_ORIGIN_CONFIG, .since_ns = 1 };

	if (bpf_map_update_elem(map_fd(skel->maps.learned4), &k, &o, BPF_NOEXIST))
		die("learned4 config entry", errno);
}

static void put_config6(const char *addr, const struct iface *i)
{
	struct vg_addr6 k = a6(addr);
	struct vg_owner o = { .ifindex = i->ifindex, .origin = VG_ORIGIN_CONFIG, .since_ns = 1 };

	if (bpf_map_update_elem(map_fd(skel->maps.learned6), &k, &o, BPF_NOEXIST))
		die("learned6 config entry", errno);
}

/* What the loader leaves of an address parked (xl save, migration):
 * held by ifindex 0 until expires, no slot. */
static void put_parked(const char *addr, __u8 origin, __u64 expires)
{
	struct vg_owner o = { .ifindex = 0, .origin = origin, .expires_ns = expires };
	bool v6 = strchr(addr, ':');
	struct vg_addr6 k6;
	struct vg_addr4 k4;

	if (v6)
		k6 = a6(addr);
	else
		k4 = a4(addr);
	if (bpf_map_update_elem(v6 ? map_fd(skel->maps.learned6) : map_fd(skel->maps.learned4),
				v6 ? (void *)&k6 : (void *)&k4, &o, BPF_NOEXIST))
		die("parked entry", errno);
}

/*
 * Moves the end of a lease or first-use address (owner and slot) to
 * expires, as time would: the entry of addr (either family) must be of
 * origin DHCP or FIRST.
 */
static void set_expiry(const char *addr, __u64 expires)
{
	bool v6 = strchr(addr, ':');
	struct vg_addr6 k6;
	struct vg_addr4 k4;
	struct vg_owner o;
	struct vg_slot_key sk;
	struct vg_slot s;
	int fd = v6 ? map_fd(skel->maps.learned6) : map_fd(skel->maps.learned4);
	void *k = v6 ? (void *)&k6 : (void *)&k4;

	if (v6)
		k6 = a6(addr);
	else
		k4 = a4(addr);
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

/* --- DHCP options --------------------------------------------------------------- */

struct opts {
	uint8_t b[800];
	size_t n;
};

static void o_put(struct opts *o, const void *p, size_t n)
{
	if (o->n + n > sizeof(o->b))
		die("options overflow", E2BIG);
	if (p)
		memcpy(o->b + o->n, p, n);
	else
		memset(o->b + o->n, 0, n);
	o->n += n;
}

static void o_u8(struct opts *o, uint8_t v)
{
	o_put(o, &v, 1);
}

static void o_be16(struct opts *o, uint16_t v)
{
	v = htons(v);
	o_put(o, &v, 2);
}

static void o_be32(struct opts *o, uint32_t v)
{
	v = htonl(v);
	o_put(o, &v, 4);
}

/* DHCPv4 (RFC 2132): code, length, data. */
static void o4(struct opts *o, uint8_t code, const void *p, uint8_t len)
{
	o_u8(o, code);
	o_u8(o, len);
	o_put(o, p, len);
}

static void o4_type(struct opts *o, uint8_t type)
{
	o4(o, 53, &type, 1);
}

static void o4_u32(struct opts *o, uint8_t code, uint32_t v)
{
	v = htonl(v);
	o4(o, code, &v, 4);
}

static void o4_addr(struct opts *o, uint8_t code, const char *a)
{
	struct vg_addr4 v = a4(a);

	o4(o, code, &v.addr, 4);
}


static void o4_end(struct opts *o)
{
	o_u8(o, 255);
}

/* DHCPv6 (RFC 8415 21): 16-bit code and length.  o6_begin() returns
 * where an option starts for o6_close(), which sets its length. */
static size_t o6_begin(struct opts *o, uint16_t code)
{
	size_t at = o->n;

	o_be16(o, code);
	o_be16(o, 0);
	return at;
}

static void o6_close(struct opts *o, size_t at)
{
	uint16_t len = htons(o->n - at - 4);

	memcpy(o->b + at + 2, &len, 2);
}

static void o6(struct opts *o, uint16_t code, const void *p, uint16_t len)
{
	o_be16(o, code);
	o_be16(o, len);
	o_put(o, p, len);
}

/* Client and server identifiers (DUID-LL of the MAC), what every Reply
 * carries before its IAs. */
static void o6_ids(struct opts *o, const uint8_t *client)
{
	uint8_t duid[10] = { 0, 3, 0, 1 };

	memcpy(duid + 4, client, 6);
	o6(o, 1, duid, sizeof(duid));
	memcpy(duid + 4, MAC_SERVER, 6);
	o6(o, 2, duid, sizeof(duid));
}

/* IA_NA (3): IAID, T1, T2, then its options; IA_TA (4): IAID only. */
static size_t o6_ia_na(struct opts *o, uint32_t iaid)
{
	size_t at = o6_begin(o, 3);

	o_be32(o, iaid);
	o_be32(o, 1800);
	o_be32(o, 2880);
	return at;
}


/* IAADDR (5): address, preferred and valid lifetimes. */
static void o6_iaaddr(struct opts *o, const char *addr, uint32_t preferred, uint32_t valid)
{
	struct vg_addr6 a = a6(addr);
	size_t at = o6_begin(o, 5);

	o_put(o, a.addr, 16);
	o_be32(o, preferred);
	o_be32(o, valid);
	o6_close(o, at);
}

/* --- frames --------------------------------------------------------------------- */

/* A BOOTP message (RFC 951, RFC 2131 2) in UDP in IPv4.  Zero fields take
 * the defaults of a server's BOOTREPLY. */
struct dhcp4 {
	const uint8_t *eth_src;		/* NULL: MAC_SERVER */
	const uint8_t *eth_dst;		/* NULL: broadcast */
	const char *src, *dst;		/* NULL: SERVER4, 255.255.255.255 */
	uint16_t sport, dport;		/* 0: 67, 68 */
	uint16_t frag;			/* the IPv4 frag_off field */
	unsigned int ip_opts;		/* 32-bit words of IPv4 options */
	uint8_t op, htype, hlen;	/* 0: BOOTREPLY, Ethernet, 6 */
	const uint8_t *chaddr;
	const char *ciaddr, *yiaddr;	/* NULL: 0.0.0.0 */
	uint32_t cookie;		/* 0: 99.130.83.99 */
	const struct opts *o;
};

static struct frame dhcp4(const struct dhcp4 *m)
{
	struct frame f = { .len = 0 };
	size_t ip, l4;

	eth(&f, m->eth_src ? m->eth_src : MAC_SERVER, m->eth_dst ? m->eth_dst : MAC_BCAST,
	    0x0800);
	ip = ip4_begin(&f, m->src ? m->src : SERVER4, m->dst ? m->dst : "255.255.255.255", 17,
		       m->ip_opts, m->frag);
	l4 = f.len;
	udp(&f, m->sport ? m->sport : 67, m->dport ? m->dport : 68, 0);
	put8(&f, m->op ? m->op : 2);
	put8(&f, m->htype ? m->htype : 1);
	put8(&f, m->hlen ? m->hlen : 6);
	put8(&f, 0);			/* hops */
	put32(&f, 0x3903f326);		/* xid */
	put32(&f, 0);			/* secs, flags */
	put_v4(&f, m->ciaddr ? m->ciaddr : "0.0.0.0");
	put_v4(&f, m->yiaddr ? m->yiaddr : "0.0.0.0");
	put_v4(&f, "0.0.0.0");		/* siaddr */
	put_v4(&f, "0.0.0.0");		/* giaddr */
	put(&f, m->chaddr, 6);
	put(&f, NULL, 10 + 64 + 128);	/* rest of chaddr, sname, file */
	put32(&f, m->cookie ? m->cookie : 0x63825363);
	put(&f, m->o->b, m->o->n);
	udp_end(&f, l4);
	ip4_end(&f, ip);
	l4_csum(&f, ip, l4, 6, 17);
	return f;
}

/* The options of an ACK as ISC dhcpd sends them: type, server, lease,
 * mask, router, END. */
static void ack_opts(struct opts *o, uint32_t lease)
{
	o->n = 0;
	o4_type(o, 5);
	o4_addr(o, 54, SERVER4);
	o4_u32(o, 51, lease);
	o4_addr(o, 1, "255.255.255.0");
	o4_addr(o, 3, SERVER4);
	o4_end(o);
}

/* An ACK of yiaddr for i, unicast to its MAC and new address. */
static struct dhcp4 ack_msg(const struct iface *i, const char *yiaddr, const struct opts *o)
{
	struct dhcp4 m = { .eth_dst = i->mac, .dst = yiaddr, .chaddr = i->mac, .yiaddr = yiaddr,
			   .o = o };

	return m;
}

static struct frame ack(const struct iface *i, const char *yiaddr, uint32_t lease)
{
	static struct opts o;
	struct dhcp4 m = ack_msg(i, yiaddr, &o);

	ack_opts(&o, lease);
	return dhcp4(&m);
}

static struct frame nak(const struct iface *i)
{
	static struct opts o;
	struct dhcp4 m = { .chaddr = i->mac, .o = &o };

	o.n = 0;
	o4_type(&o, 6);
	o4_addr(&o, 54, SERVER4);
	o4(&o, 56, "wrong network", 13);
	o4_end(&o);
	return dhcp4(&m);
}

/* The guest's RELEASE of ciaddr, from src to the server (RFC 2131 4.4.6). */
static struct frame release4(const struct iface *i, const char *src, const char *ciaddr)
{
	static struct opts o;
	struct dhcp4 m = { .eth_src = i->mac, .eth_dst = MAC_SERVER, .src = src, .dst = SERVER4,
			   .sport = 68, .dport = 67, .op = 1, .chaddr = i->mac, .ciaddr = ciaddr,
			   .o = &o };

	o.n = 0;
	o4_type(&o, 7);
	o4_addr(&o, 54, SERVER4);
	o4_end(&o);
	return dhcp4(&m);
}

/* The guest's DECLINE of addr, broadcast from 0.0.0.0 (RFC 2131 4.4.1). */
static struct frame decline4(const struct iface *i, const char *addr)
{
	static struct opts o;
	struct dhcp4 m = { .eth_src = i->mac, .src = "0.0.0.0", .sport = 68, .dport = 67,
			   .op = 1, .chaddr = i->mac, .o = &o };

	o.n = 0;
	o4_type(&o, 4);
	o4_addr(&o, 50, addr);
	o4_addr(&o, 54, SERVER4);
	o4_end(&o);
	return dhcp4(&m);
}

static struct frame udp4_from(const uint8_t *mac, const char *src)
{
	struct frame f = { .len = 0 };
	size_t ip;

	eth(&f, mac, MAC_SERVER, 0x0800);
	ip = ip4_begin(&f, src, SERVER4, 17, 0, 0);
	udp(&f, 40000, 53, 16);
	ip4_end(&f, ip);
	return f;
}

static struct frame arp_from(const uint8_t *mac, const char *spa)
{
	struct frame f = { .len = 0 };

	eth(&f, mac, MAC_BCAST, 0x0806);
	arp(&f, 1, mac, spa, MAC_BCAST, SERVER4);
	return f;
}

/* A DHCPv6 message (RFC 8415 8) in UDP in IPv6.  Zero fields take the
 * defaults of a server's Reply to the guest. */
struct dhcp6 {
	const uint8_t *eth_src;		/* NULL: MAC_SERVER */
	const uint8_t *eth_dst;		/* NULL: the interface's MAC */
	const char *src, *dst;		/* NULL: SERVER6, the interface's link-local */
	uint16_t sport, dport;		/* 0: 547, 546 */
	uint8_t type;			/* 0: Reply */
	bool hbh;			/* behind a hop-by-hop options header */
	const struct opts *o;
};

static struct frame dhcp6(const struct iface *i, const struct dhcp6 *m)
{
	struct frame f = { .len = 0 };
	size_t ip, l4;

	eth(&f, m->eth_src ? m->eth_src : MAC_SERVER, m->eth_dst ? m->eth_dst : i->mac, 0x86dd);
	ip = ip6_begin(&f, m->src ? m->src : SERVER6, m->dst ? m->dst : i->ll,
		       m->hbh ? 0 : 17, 64);
	if (m->hbh)
		ip6_opts(&f, 17, 0);
	l4 = f.len;
	udp(&f, m->sport ? m->sport : 547, m->dport ? m->dport : 546, 0);
	put8(&f, m->type ? m->type : 7);
	put8(&f, 0x12);			/* transaction id */
	put16(&f, 0x3456);
	put(&f, m->o->b, m->o->n);
	udp_end(&f, l4);
	ip6_end(&f, ip);
	if (!m->hbh)
		l4_csum(&f, ip, l4, 6, 17);
	return f;
}

/* A Reply to i with one IA_NA of one address. */
static struct frame reply6(const struct iface *i, const char *addr, uint32_t valid)
{
	static struct opts o;
	struct dhcp6 m = { .o = &o };
	size_t ia;

	o.n = 0;
	o6_ids(&o, i->mac);
	ia = o6_ia_na(&o, 1);
	o6_iaaddr(&o, addr, valid / 2, valid);
	o6_close(&o, ia);
	return dhcp6(i, &m);
}

/* The guest's Release (8) or Decline (9) of addr, from its link-local to
 * All_DHCP_Relay_Agents_and_Servers (RFC 8415 18.2.7, 18.2.8). */
static struct frame client6(const struct iface *i, uint8_t type, const char *addr)
{
	static struct opts o;
	struct dhcp6 m = { .eth_src = i->mac, .eth_dst = MAC_V6_SERVERS, .src = i->ll,
			   .dst = "ff02::1:2", .sport = 546, .dport = 547, .type = type, .o = &o };
	size_t ia;

	o.n = 0;
	o6_ids(&o, i->mac);
	ia = o6_ia_na(&o, 1);
	o6_iaaddr(&o, addr, 0, 0);
	o6_close(&o, ia);
	return dhcp6(i, &m);
}

static struct frame udp6_from(const uint8_t *mac, const char *src)
{
	struct frame f = { .len = 0 };
	size_t ip, l4;

	eth(&f, mac, MAC_SERVER, 0x86dd);
	ip = ip6_begin(&f, src, "2001:db8::1", 17, 64);
	l4 = f.len;
	udp(&f, 40000, 53, 16);
	ip6_end(&f, ip);
	l4_csum(&f, ip, l4, 6, 17);
	return f;
}

/* --- steps ---------------------------------------------------------------------- */

/* Frame f, delivered by the host to i: TC_ACT_OK, and nothing counted
 * (VG_PASS) or the refusal reason on i. */
static bool out(const struct iface *i, struct frame f, const char *what, enum vg_reason reason)
{
	return step_run(skel->progs.vifguard_out, i, f, what, TC_ACT_OK, reason, NULL);
}

#define NONE		VG_PASS
#define REFUSED(r)	VG_##r


/* --- map contents --------------------------------------------------------------- */

struct state {
	struct table l4, l6, s, p, ll;	/* learned4, learned6, lease_slots,
					 * protected6, learn_slots */
};

static void state_read(struct state *s)
{
	dump(map_fd(skel->maps.learned4), sizeof(struct vg_addr4), &s->l4);
	dump(map_fd(skel->maps.learned6), sizeof(struct vg_addr6), &s->l6);
	dump(map_fd(skel->maps.lease_slots), sizeof(struct vg_slot_key), &s->s);
	dump(map_fd(skel->maps.protected6), sizeof(struct vg_addr6), &s->p);
	dump(map_fd(skel->maps.learn_slots), sizeof(struct vg_slot_key), &s->ll);
}

static const char *origin_name(unsigned int o)
{
	return o == VG_ORIGIN_CONFIG ? "config" : o == VG_ORIGIN_DAD ? "dad" :
	       o == VG_ORIGIN_DHCP ? "dhcp" : o == VG_ORIGIN_FIRST ? "first" : "?";
}

/* An expiry as seconds from the case's start, for failure messages. */
static void expiry_text(__u64 e, char *buf, size_t size)
{
	if (e == VG_LEASE_FOREVER)
		snprintf(buf, size, "forever");
	else
		snprintf(buf, size, "%+.1fs", ((double)e - (double)case_start_ns) / 1e9);
}

/* The maps as text, for failure messages. */
static void state_text(const struct state *s, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN], e[32];

	buf[0] = 0;
	append(buf, size, "learned4 {");
	for (unsigned int i = 0; i < s->l4.n; i++) {
		struct vg_addr4 k;
		struct vg_owner o;

		memcpy(&k, s->l4.e[i].k, sizeof(k));
		memcpy(&o, s->l4.e[i].v, sizeof(o));
		expiry_text(o.expires_ns, e, sizeof(e));
		append(buf, size, " %s: if %u %s slot %u %s;", ntop4(&k, a), o.ifindex,
		       origin_name(o.origin), o.slot, o.origin >= VG_ORIGIN_DHCP ? e : "");
	}
	append(buf, size, "%s } learned6 {", s->l4.over ? " ..." : "");
	for (unsigned int i = 0; i < s->l6.n; i++) {
		struct vg_addr6 k;
		struct vg_owner o;

		memcpy(&k, s->l6.e[i].k, sizeof(k));
		memcpy(&o, s->l6.e[i].v, sizeof(o));
		expiry_text(o.expires_ns, e, sizeof(e));
		append(buf, size, " %s: if %u %s slot %u %s;", ntop6(&k, a), o.ifindex,
		       origin_name(o.origin), o.slot, o.origin >= VG_ORIGIN_DHCP ? e : "");
	}
	append(buf, size, "%s } lease_slots {", s->l6.over ? " ..." : "");
	for (unsigned int i = 0; i < s->s.n; i++) {
		struct vg_slot_key k;
		struct vg_slot v;

		memcpy(&k, s->s.e[i].k, sizeof(k));
		memcpy(&v, s->s.e[i].v, sizeof(v));
		expiry_text(v.since_ns, e, sizeof(e));
		append(buf, size, " if %u slot %u: %s %s;", k.ifindex, k.slot, ntop6(&v.a, a), e);
	}
	append(buf, size, "%s } protected6 {", s->s.over ? " ..." : "");
	for (unsigned int i = 0; i < s->p.n; i++) {
		struct vg_addr6 k;

		memcpy(&k, s->p.e[i].k, sizeof(k));
		append(buf, size, " %s;", ntop6(&k, a));
	}
	append(buf, size, "%s } learn_slots: %u", s->p.over ? " ..." : "", s->ll.n);
}

/*
 * An expected entry: '4' learned4 or '6' learned6 (addr, interface,
 * origin, slot, lease: the seconds of the lease it was given, grace
 * added when checked, or of a first-use address (no grace), or
 * LEASE_FOREVER; for a configured one nothing but interface and origin
 * is checked; a parked one has no slot), 'S' lease_slots (interface,
 * slot, addr of either family; the window's address is ::), 'P'
 * protected6 (addr).
 */
struct want {
	char kind;
	const char *addr;
	const struct iface *ifc;
	int origin;
	int slot;
	long long lease;
};

#define LEASE_FOREVER	(-1LL)

#define L4(a, i, s, lease)	{ '4', a, i, VG_ORIGIN_DHCP, s, lease }
#define C4(a, i)		{ '4', a, i, VG_ORIGIN_CONFIG, 0, 0 }
#define L6(a, i, s, lease)	{ '6', a, i, VG_ORIGIN_DHCP, s, lease }
#define C6(a, i)		{ '6', a, i, VG_ORIGIN_CONFIG, 0, 0 }
#define F4(a, i, s, secs)	{ '4', a, i, VG_ORIGIN_FIRST, s, secs }
#define F6(a, i, s, secs)	{ '6', a, i, VG_ORIGIN_FIRST, s, secs }
#define W(i)			{ 'S', "::", i, 0, VG_SLOT_WINDOW, 0 }
#define S(i, s, a)		{ 'S', a, i, 0, s, 0 }
#define P(a)			{ 'P', a, NULL, 0, 0, 0 }

/* Slot numbers of the families in lease_slots. */
#define V4SLOT(n)	(n)
#define V6SLOT(n)	(VG_LEARN_DHCP4_CAP + (n))

/* Why owner o of addr is not as w says, or NULL. */
static const char *owner_mismatch(const struct state *s, const struct want *w,
				  const struct vg_owner *o, __u64 now)
{
	static char why[200];
	struct vg_slot_key sk = { o->ifindex, o->slot };
	const struct entry *se;
	struct vg_slot sv;
	__u64 lo, hi;

	bool first = w->origin == VG_ORIGIN_FIRST;

	if (o->ifindex != (__u32)w->ifc->ifindex || o->origin != w->origin ||
	    (w->origin >= VG_ORIGIN_DHCP && w->ifc->ifindex && o->slot != w->slot)) {
		snprintf(why, sizeof(why), "%s: expected if %u %s slot %d, got if %u %s slot %u",
			 w->addr, w->ifc->ifindex, origin_name(w->origin), w->slot, o->ifindex,
			 origin_name(o->origin), o->slot);
		return why;
	}
	if (w->origin < VG_ORIGIN_DHCP || !w->ifc->ifindex)
		return NULL;
	if (w->lease == LEASE_FOREVER) {
		lo = hi = VG_LEASE_FOREVER;
	} else {
		lo = case_start_ns + (w->lease + (first ? 0 : grace)) * 1000000000ULL;
		hi = now + (w->lease + (first ? 0 : grace)) * 1000000000ULL;
	}
	if (o->expires_ns < lo || o->expires_ns > hi) {
		char e[32];

		expiry_text(o->expires_ns, e, sizeof(e));
		snprintf(why, sizeof(why), "%s: expires at %s, expected %s of %lld s "
			 "plus %u s grace%s", w->addr, e, first ? "a first use" : "a lease",
			 w->lease, first ? 0 : grace,
			 w->lease == LEASE_FOREVER ? " (forever)" : "");
		return why;
	}
	se = find(&s->s, &sk, sizeof(sk));
	if (!se) {
		snprintf(why, sizeof(why), "%s: no slot %u", w->addr, o->slot);
		return why;
	}
	memcpy(&sv, se->v, sizeof(sv));
	if (sv.since_ns != o->expires_ns) {
		snprintf(why, sizeof(why), "%s: slot %u's since_ns not the expires_ns", w->addr,
			 o->slot);
		return why;
	}
	return NULL;
}

/* Why the state is not w[0..n), or NULL. */
static const char *state_mismatch(const struct state *s, const struct want *w, size_t n)
{
	static char why[200];
	unsigned int n4 = 0, n6 = 0, ns = 0, np = 0;
	__u64 now = now_ns();

#define MISMATCH(...)                                                                  \
	do {                                                                           \
		snprintf(why, sizeof(why), __VA_ARGS__);                               \
		return why;                                                            \
	} while (0)

	for (size_t i = 0; i < n; i++) {
		const struct entry *e;
		struct vg_owner o;
		const char *m;

		if (w[i].kind == '4') {
			struct vg_addr4 a = a4(w[i].addr);

			n4++;
			e = find(&s->l4, &a, sizeof(a));
			if (!e)
				MISMATCH("no learned4 entry %s", w[i].addr);
			memcpy(&o, e->v, sizeof(o));
			m = owner_mismatch(s, &w[i], &o, now);
			if (m)
				return m;
		} else if (w[i].kind == '6') {
			struct vg_addr6 a = a6(w[i].addr);

			n6++;
			e = find(&s->l6, &a, sizeof(a));
			if (!e)
				MISMATCH("no learned6 entry %s", w[i].addr);
			memcpy(&o, e->v, sizeof(o));
			m = owner_mismatch(s, &w[i], &o, now);
			if (m)
				return m;
		} else if (w[i].kind == 'S') {
			struct vg_slot_key sk = { w[i].ifc->ifindex, w[i].slot };
			struct vg_addr6 a = slot_addr(w[i].addr);
			struct vg_slot sv;

			ns++;
			e = find(&s->s, &sk, sizeof(sk));
			if (!e)
				MISMATCH("no lease slot %d of %s", w[i].slot, w[i].ifc->name);
			memcpy(&sv, e->v, sizeof(sv));
			if (memcmp(&sv.a, &a, sizeof(a)))
				MISMATCH("lease slot %d of %s does not hold %s", w[i].slot,
					 w[i].ifc->name, w[i].addr);
		} else {
			struct vg_addr6 a = a6(w[i].addr);

			np++;
			if (!find(&s->p, &a, sizeof(a)))
				MISMATCH("%s not protected", w[i].addr);
		}
	}
	if (s->l4.n != n4 || s->l4.over)
		return "learned4 holds other entries";
	if (s->l6.n != n6 || s->l6.over)
		return "learned6 holds other entries";
	if (s->s.n != ns || s->s.over)
		return "lease_slots holds other entries";
	if (s->p.n != np || s->p.over)
		return "protected6 holds other entries";
	if (s->ll.n)
		return "learn_slots is not empty";
#undef MISMATCH
	return NULL;
}

static bool state_is(const char *when, const struct want *w, size_t n)
{
	struct state s;
	char text[1536];
	const char *why;

	state_read(&s);
	why = state_mismatch(&s, w, n);
	if (!why)
		return true;
	state_text(&s, text, sizeof(text));
	return fail("after step %d (%s): %s; maps: %s", step, when, why, text);
}

#define STATE(when, ...)                                                               \
	do {                                                                           \
		const struct want w_[] = { { 0, NULL, NULL, 0, 0, 0 }, ##__VA_ARGS__ }; \
		if (!state_is(when, w_ + 1, ARRAY_SIZE(w_) - 1))                       \
			return false;                                                  \
	} while (0)

/* Byte for byte what *s was, expiries included. */
static bool state_same(const struct state *s, const char *when)
{
	struct state now;
	char text[1536];
	const struct table *t[5] = { &s->l4, &s->l6, &s->s, &s->p, &s->ll };
	const struct table *u[5] = { &now.l4, &now.l6, &now.s, &now.p, &now.ll };

	state_read(&now);
	for (int i = 0; i < 5; i++) {
		if (!table_same(t[i], u[i])) {
			state_text(&now, text, sizeof(text));
			return fail("after step %d (%s): maps changed; now: %s", step, when, text);
		}
	}
	return true;
}

#define SAME(snap, when) CHECK(state_same(&(snap), when))

/* --- resets --------------------------------------------------------------------- */

static void reset(void)
{
	const struct iface *ifs[] = { &A, &B, &C };

	map_clear(skel->maps.learned4);
	map_clear(skel->maps.learned6);
	map_clear(skel->maps.lease_slots);
	map_clear(skel->maps.learn_slots);
	map_clear(skel->maps.protected6);
	reset_counters(ifs, ARRAY_SIZE(ifs));
	set_policy(&A, VG_MODE_LOCKED, F_DEFAULT);
	set_policy(&B, VG_MODE_LOCKED, F_DEFAULT);
	no_policy(&C);
	set_learn_cfg(VG_DHCP_GRACE_DEFAULT, 0);
	reset_case();
}

/* --- more frames ------------------------------------------------------------------ */

/* An ARP probe for tpa (RFC 5227 2.1.1): sender address 0.0.0.0. */
static struct frame arp_probe(const uint8_t *mac, const char *tpa)
{
	static const uint8_t zero[6];
	struct frame f = { .len = 0 };

	eth(&f, mac, MAC_BCAST, 0x0806);
	arp(&f, 1, mac, "0.0.0.0", zero, tpa);
	return f;
}

/* An unsolicited NA of src for itself, to all nodes (RFC 4861 7.2.6), as
 * a guest announces a new address. */
static struct frame na_from(const uint8_t *mac, const char *src)
{
	static const uint8_t all_nodes[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	struct frame f = { .len = 0 };
	size_t ip, l4;

	eth(&f, mac, all_nodes, 0x86dd);
	ip = ip6_begin(&f, src, "ff02::1", 58, 255);
	l4 = f.len;
	icmp6(&f, 136, 0);
	put32(&f, 0x20000000);	/* override */
	put_v6(&f, src);
	nd_lladdr(&f, 2, mac);
	ip6_end(&f, ip);
	l4_csum(&f, ip, l4, 2, 58);
	return f;
}

#define SEC_NS		1000000000ULL

/* --- cases ---------------------------------------------------------------------- */

/* No window: the first two IPv4 sources A uses are its own, forever,
 * whether from IP or ARP; B may not use them; a third is refused, not
 * swapped; configured sources change nothing. */
static bool case_learn4(void)
{
	struct state s;

	CHECK(in(&A, udp4_from(MAC_A, V4_A), "UDP from A's configured address", PASSES));
	CHECK(in(&A, arp_from(MAC_A, V4_A), "ARP from A's configured address", PASSES));
	STATE("configured sources teach nothing");
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1, first use", PASSES));
	STATE("A holds L4_1", F4(L4_1, &A, V4SLOT(0), LEASE_FOREVER), S(&A, V4SLOT(0), L4_1));
	state_read(&s);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1 again", PASSES));
	CHECK(in(&A, arp_from(MAC_A, L4_1), "ARP from L4_1", PASSES));
	CHECK(in(&A, udp4_from(MAC_A, V4_A), "UDP from A's configured address", PASSES));
	SAME(s, "A's frames from its addresses");
	CHECK(in(&B, udp4_from(MAC_B, L4_1), "UDP from A's L4_1", DROPS(LEARN_CONFLICT)));
	CHECK(in(&B, arp_from(MAC_B, L4_1), "ARP from A's L4_1", DROPS(LEARN_CONFLICT)));
	/* The MAC is judged first: A's MAC on B learns nothing. */
	CHECK(in(&B, udp4_from(MAC_A, L4_2), "UDP from L4_2 with A's MAC on B", DROPS(SRC_MAC)));
	SAME(s, "B refused");
	CHECK(in(&A, arp_from(MAC_A, L4_2), "gratuitous ARP from L4_2, first use", PASSES));
	STATE("A holds two", F4(L4_1, &A, V4SLOT(0), LEASE_FOREVER), S(&A, V4SLOT(0), L4_1),
	      F4(L4_2, &A, V4SLOT(1), LEASE_FOREVER), S(&A, V4SLOT(1), L4_2));
	state_read(&s);
	CHECK(in(&A, udp4_from(MAC_A, L4_3), "UDP from a third address", DROPS(LEARN_FULL)));
	CHECK(in(&A, arp_from(MAC_A, L4_3), "ARP from a third address", DROPS(LEARN_FULL)));
	SAME(s, "beyond the cap: refused, nothing swapped");
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1", PASSES));
	CHECK(in(&A, udp4_from(MAC_A, L4_2), "UDP from L4_2", PASSES));
	/* A's two IPv4 addresses leave its IPv6 slots free. */
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1", PASSES));
	CHECK(in(&B, udp4_from(MAC_B, L4_3), "UDP from L4_3 on B", PASSES));
	STATE("B holds L4_3", F4(L4_1, &A, V4SLOT(0), LEASE_FOREVER), S(&A, V4SLOT(0), L4_1),
	      F4(L4_2, &A, V4SLOT(1), LEASE_FOREVER), S(&A, V4SLOT(1), L4_2),
	      F6(L6_1, &A, V6SLOT(0), LEASE_FOREVER), S(&A, V6SLOT(0), L6_1),
	      F4(L4_3, &B, V4SLOT(0), LEASE_FOREVER), S(&B, V4SLOT(0), L4_3));
	CHECK(in(&A, udp4_from(MAC_A, L4_3), "UDP from B's L4_3", DROPS(LEARN_CONFLICT)));
	return true;
}

/* IPv6: UDP or an unsolicited NA teaches its source; four a guest. */
static bool case_learn6(void)
{
	struct state s;

	CHECK(in(&A, udp6_from(MAC_A, V6_A), "UDP from A's configured address", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, LL_A), "UDP from A's EUI-64 link-local", PASSES));
	STATE("configured sources teach nothing");
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1, first use", PASSES));
	/* The source is learned before the target is judged. */
	CHECK(in(&A, na_from(MAC_A, L6_2), "NA from and for L6_2, first use", PASSES));
	STATE("A holds two", F6(L6_1, &A, V6SLOT(0), LEASE_FOREVER), S(&A, V6SLOT(0), L6_1),
	      F6(L6_2, &A, V6SLOT(1), LEASE_FOREVER), S(&A, V6SLOT(1), L6_2));
	CHECK(in(&B, udp6_from(MAC_B, L6_1), "UDP from A's L6_1", DROPS(LEARN_CONFLICT)));
	CHECK(in(&B, na_from(MAC_B, L6_2), "NA from A's L6_2", DROPS(LEARN_CONFLICT)));
	CHECK(in(&A, udp6_from(MAC_A, L6_3), "UDP from L6_3", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, L6_4), "UDP from L6_4", PASSES));
	state_read(&s);
	CHECK(in(&A, udp6_from(MAC_A, L6_5), "UDP from a fifth address", DROPS(LEARN_FULL)));
	CHECK(in(&A, na_from(MAC_A, L6_5), "NA from a fifth address", DROPS(LEARN_FULL)));
	SAME(s, "beyond the cap: refused, nothing swapped");
	for (int i = 0; i < 4; i++) {
		static const char *const l6[] = { L6_1, L6_2, L6_3, L6_4 };

		CHECK(in(&A, udp6_from(MAC_A, l6[i]), "UDP from a learned address", PASSES));
	}
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1: IPv4 has slots of its own",
		 PASSES));
	STATE("A's six", F6(L6_1, &A, V6SLOT(0), LEASE_FOREVER), S(&A, V6SLOT(0), L6_1),
	      F6(L6_2, &A, V6SLOT(1), LEASE_FOREVER), S(&A, V6SLOT(1), L6_2),
	      F6(L6_3, &A, V6SLOT(2), LEASE_FOREVER), S(&A, V6SLOT(2), L6_3),
	      F6(L6_4, &A, V6SLOT(3), LEASE_FOREVER), S(&A, V6SLOT(3), L6_4),
	      F4(L4_1, &A, V4SLOT(0), LEASE_FOREVER), S(&A, V4SLOT(0), L4_1));
	return true;
}

/* Never learned: 0/8, loopback, multicast, class E, broadcast; ::, ::1,
 * link-local, multicast; the target of an ARP probe. */
static bool case_unusable(void)
{
	static const char *const v4[] = { "0.1.2.3", "127.0.0.1", "224.0.0.251", "239.1.2.3",
					   "240.0.0.1", "255.255.255.255" };
	static const char *const v6[] = { "::1", "fe80::1234", "febf::1", "ff02::1",
					  "ff05::1:3" };

	char what[64];

	for (size_t i = 0; i < ARRAY_SIZE(v4); i++) {
		snprintf(what, sizeof(what), "UDP from %s", v4[i]);
		CHECK(in(&A, udp4_from(MAC_A, v4[i]), what, DROPS(IPV4_SRC)));
		snprintf(what, sizeof(what), "ARP from %s", v4[i]);
		CHECK(in(&A, arp_from(MAC_A, v4[i]), what, DROPS(ARP_SPA)));
	}
	for (size_t i = 0; i < ARRAY_SIZE(v6); i++) {
		snprintf(what, sizeof(what), "UDP from %s", v6[i]);
		CHECK(in(&A, udp6_from(MAC_A, v6[i]), what, DROPS(IPV6_SRC)));
	}
	CHECK(in(&A, udp4_from(MAC_A, "0.0.0.0"), "UDP from 0.0.0.0, not DHCP",
		 DROPS(IPV4_SRC)));
	CHECK(in(&A, udp6_from(MAC_A, "::"), "UDP from ::", DROPS(IPV6_UNSPEC_SRC)));
	CHECK(in(&A, arp_probe(MAC_A, L4_1), "ARP probe for L4_1", DROPS(ARP_TPA)));
	STATE("nothing learned");
	/* The edges: the last unicast IPv4 address, 1/8, fec0::/10. */
	CHECK(in(&A, udp4_from(MAC_A, "223.255.255.254"), "UDP from 223.255.255.254", PASSES));
	CHECK(in(&A, arp_from(MAC_A, "1.0.0.1"), "ARP from 1.0.0.1", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, "fec0::1"), "UDP from fec0::1", PASSES));
	STATE("edges learned", F4("223.255.255.254", &A, V4SLOT(0), LEASE_FOREVER),
	      S(&A, V4SLOT(0), "223.255.255.254"), F4("1.0.0.1", &A, V4SLOT(1), LEASE_FOREVER),
	      S(&A, V4SLOT(1), "1.0.0.1"), F6("fec0::1", &A, V6SLOT(0), LEASE_FOREVER),
	      S(&A, V6SLOT(0), "fec0::1"));
	/* Now held: a probe for it passes. */
	CHECK(in(&A, arp_probe(MAC_A, "1.0.0.1"), "ARP probe for A's 1.0.0.1", PASSES));
	return true;
}

/* Addresses another interface holds: configured for it, leased to it,
 * first used by it; protected ones, IPv4 among them as ::ffff:a.b.c.d. */
static bool case_held(void)
{
	struct state s;

	set_policy(&B, VG_MODE_LOCKED, F_BOTH);
	put_config4(V4_B, &B);
	put_config6(V6_B, &B);
	put_protected(L6_5, VG_PROTECT_CONFIG);
	put_protected("::ffff:" SERVER4, VG_PROTECT_CONFIG);
	CHECK(out(&B, ack(&B, L4_1, 3600), "ACK of L4_1 for B", NONE));
	CHECK(out(&B, reply6(&B, L6_1, 3600), "Reply with L6_1 for B", NONE));
	CHECK(in(&B, udp4_from(MAC_B, L4_2), "UDP from L4_2 on B, first use", PASSES));
	CHECK(in(&B, udp6_from(MAC_B, L6_2), "UDP from L6_2 on B, first use", PASSES));
	state_read(&s);
	CHECK(in(&A, udp4_from(MAC_A, V4_B), "UDP from B's configured address",
		 DROPS(LEARN_CONFLICT)));
	CHECK(in(&A, arp_from(MAC_A, V4_B), "ARP from B's configured address",
		 DROPS(LEARN_CONFLICT)));
	CHECK(in(&A, udp6_from(MAC_A, V6_B), "UDP from B's configured IPv6 address",
		 DROPS(LEARN_CONFLICT)));
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from B's lease", DROPS(LEARN_CONFLICT)));
	CHECK(in(&A, arp_from(MAC_A, L4_1), "ARP from B's lease", DROPS(LEARN_CONFLICT)));
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from B's DHCPv6 lease",
		 DROPS(LEARN_CONFLICT)));
	CHECK(in(&A, udp4_from(MAC_A, L4_2), "UDP from B's first-use address",
		 DROPS(LEARN_CONFLICT)));
	CHECK(in(&A, arp_from(MAC_A, L4_2), "ARP from B's first-use address",
		 DROPS(LEARN_CONFLICT)));
	CHECK(in(&A, udp6_from(MAC_A, L6_2), "UDP from B's first-use IPv6 address",
		 DROPS(LEARN_CONFLICT)));
	CHECK(in(&A, udp4_from(MAC_A, SERVER4), "UDP from the protected router",
		 DROPS(LEARN_PROTECTED)));
	CHECK(in(&A, arp_from(MAC_A, SERVER4), "ARP from the protected router",
		 DROPS(LEARN_PROTECTED)));
	CHECK(in(&A, udp6_from(MAC_A, L6_5), "UDP from a protected address",
		 DROPS(LEARN_PROTECTED)));
	/* A second left of each: still held. */
	set_expiry(L4_1, now_ns() + SEC_NS);
	set_expiry(L4_2, now_ns() + SEC_NS);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from B's lease, a second left",
		 DROPS(LEARN_CONFLICT)));
	CHECK(in(&A, udp4_from(MAC_A, L4_2), "UDP from B's first use, a second left",
		 DROPS(LEARN_CONFLICT)));
	/* Ended: they give way, their slots with them. */
	set_expiry(L4_1, now_ns() - 1);
	set_expiry(L4_2, now_ns() - 1);
	set_expiry(L6_2, now_ns() - 1);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from B's ended lease", PASSES));
	CHECK(in(&A, arp_from(MAC_A, L4_2), "ARP from B's ended first use", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, L6_2), "UDP from B's ended IPv6 first use", PASSES));
	STATE("A took them over", C4(V4_B, &B), C6(V6_B, &B), P(L6_5), P("::ffff:" SERVER4),
	      L6(L6_1, &B, V6SLOT(0), 3600), S(&B, V6SLOT(0), L6_1),
	      F4(L4_1, &A, V4SLOT(0), LEASE_FOREVER), S(&A, V4SLOT(0), L4_1),
	      F4(L4_2, &A, V4SLOT(1), LEASE_FOREVER), S(&A, V4SLOT(1), L4_2),
	      F6(L6_2, &A, V6SLOT(0), LEASE_FOREVER), S(&A, V6SLOT(0), L6_2));
	CHECK(in(&B, udp4_from(MAC_B, L4_1), "UDP from L4_1 on B, now A's",
		 DROPS(LEARN_CONFLICT)));
	return true;
}

/* The learning window: open, learned for first_lease_s (0: forever);
 * ended, nothing more learned, what was learned stays for its time. */
static bool case_window(void)
{
	struct state s;

	set_learn_cfg(60, 3600);
	set_window(&A, now_ns() + 60 * SEC_NS);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1 in the window", PASSES));
	CHECK(in(&A, arp_from(MAC_A, L4_2), "ARP from L4_2 in the window", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1 in the window", PASSES));
	STATE("learned for an hour", W(&A), F4(L4_1, &A, V4SLOT(0), 3600),
	      S(&A, V4SLOT(0), L4_1), F4(L4_2, &A, V4SLOT(1), 3600), S(&A, V4SLOT(1), L4_2),
	      F6(L6_1, &A, V6SLOT(0), 3600), S(&A, V6SLOT(0), L6_1));
	set_window(&A, now_ns() - 1);
	state_read(&s);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1, window ended", PASSES));
	CHECK(in(&A, arp_from(MAC_A, L4_2), "ARP from L4_2, window ended", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, L6_2), "UDP from L6_2, window ended", DROPS(IPV6_SRC)));
	CHECK(in(&A, na_from(MAC_A, L6_2), "NA from L6_2, window ended", DROPS(IPV6_SRC)));
	/* Window ended outranks protected and held. */
	put_protected(L6_5, VG_PROTECT_CONFIG);
	CHECK(in(&A, udp6_from(MAC_A, L6_5), "UDP from a protected address, window ended",
		 DROPS(IPV6_SRC)));
	CHECK(in(&B, udp4_from(MAC_B, L4_3), "UDP from L4_3 on B, no window", PASSES));
	set_window(&B, now_ns() - 1);
	CHECK(in(&B, arp_from(MAC_B, "10.0.0.103"), "ARP from .103 on B, window ended",
		 DROPS(ARP_SPA)));
	CHECK(in(&B, udp4_from(MAC_B, "10.0.0.103"), "UDP from .103 on B, window ended",
		 DROPS(IPV4_SRC)));
	/* first_lease_s 0: forever, window or not. */
	set_learn_cfg(60, 0);
	set_window(&B, now_ns() + 60 * SEC_NS);
	CHECK(in(&B, udp6_from(MAC_B, L6_3), "UDP from L6_3 on B, first_lease_s 0", PASSES));
	STATE("B's", W(&A), W(&B), P(L6_5), F4(L4_1, &A, V4SLOT(0), 3600),
	      S(&A, V4SLOT(0), L4_1), F4(L4_2, &A, V4SLOT(1), 3600), S(&A, V4SLOT(1), L4_2),
	      F6(L6_1, &A, V6SLOT(0), 3600), S(&A, V6SLOT(0), L6_1),
	      F4(L4_3, &B, V4SLOT(0), LEASE_FOREVER), S(&B, V4SLOT(0), L4_3),
	      F6(L6_3, &B, V6SLOT(0), LEASE_FOREVER), S(&B, V6SLOT(0), L6_3));
	return true;
}

/* Real time: an address learned in a window for 1 s ends; the guest
 * learns it again only while a window is open. */
static bool case_window_expiry(void)
{
	struct state s;

	set_learn_cfg(60, 1);
	set_window(&A, now_ns() + 60 * SEC_NS);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1, first_lease_s 1", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1, first_lease_s 1", PASSES));
	set_window(&A, now_ns() - 1);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1 at once", PASSES));
	usleep(1100000);
	state_read(&s);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1, 1.1 s later", DROPS(IPV4_SRC)));
	CHECK(in(&A, arp_from(MAC_A, L4_1), "ARP from L4_1, 1.1 s later", DROPS(ARP_SPA)));
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1, 1.1 s later", DROPS(IPV6_SRC)));
	SAME(s, "ended entries stay until the loader's gc");
	/* Another interface may take an ended one, window or not. */
	CHECK(in(&B, udp6_from(MAC_B, L6_1), "UDP from A's ended L6_1 on B", PASSES));
	/* A window again: A's own ended address is learned afresh. */
	set_window(&A, now_ns() + 60 * SEC_NS);
	set_learn_cfg(60, 600);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1, a new window", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from B's L6_1", DROPS(LEARN_CONFLICT)));
	STATE("L4_1 again", W(&A), F4(L4_1, &A, V4SLOT(0), 600), S(&A, V4SLOT(0), L4_1),
	      F6(L6_1, &B, V6SLOT(0), LEASE_FOREVER), S(&B, V6SLOT(0), L6_1));
	return true;
}

/* A slot whose address ended counts as free: the new address takes it,
 * the ended one is forgotten. */
static bool case_ended_slot(void)
{
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1", PASSES));
	CHECK(in(&A, udp4_from(MAC_A, L4_2), "UDP from L4_2", PASSES));
	CHECK(in(&A, udp4_from(MAC_A, L4_3), "UDP from L4_3, slots full", DROPS(LEARN_FULL)));
	set_expiry(L4_1, now_ns() - 1);
	CHECK(in(&A, udp4_from(MAC_A, L4_3), "UDP from L4_3, L4_1 ended", PASSES));
	STATE("L4_3 in L4_1's slot", F4(L4_3, &A, V4SLOT(0), LEASE_FOREVER),
	      S(&A, V4SLOT(0), L4_3), F4(L4_2, &A, V4SLOT(1), LEASE_FOREVER),
	      S(&A, V4SLOT(1), L4_2));
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1, forgotten, slots full",
		 DROPS(LEARN_FULL)));
	/* An ended lease's slot as well. */
	set_policy(&A, VG_MODE_LOCKED, F_BOTH);
	CHECK(out(&A, reply6(&A, L6_1, 3600), "Reply with L6_1", NONE));
	set_expiry(L6_1, now_ns() - 1);
	CHECK(in(&A, udp6_from(MAC_A, L6_2), "UDP from L6_2", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, L6_3), "UDP from L6_3", PASSES));
	STATE("L6_2 in L6_1's slot", F4(L4_3, &A, V4SLOT(0), LEASE_FOREVER),
	      S(&A, V4SLOT(0), L4_3), F4(L4_2, &A, V4SLOT(1), LEASE_FOREVER),
	      S(&A, V4SLOT(1), L4_2), F6(L6_2, &A, V6SLOT(0), LEASE_FOREVER),
	      S(&A, V6SLOT(0), L6_2), F6(L6_3, &A, V6SLOT(1), LEASE_FOREVER),
	      S(&A, V6SLOT(1), L6_3));
	return true;
}

/* Parked addresses (ifindex 0) are held while they last, then give way;
 * a DHCP ACK does not take a held one either. */
static bool case_parked(void)
{
	struct state s;

	put_parked(L4_1, VG_ORIGIN_DHCP, now_ns() + 3600 * SEC_NS);
	put_parked(L6_1, VG_ORIGIN_FIRST, VG_LEASE_FOREVER);
	put_parked(L4_2, VG_ORIGIN_FIRST, now_ns() - 1);
	put_parked(L6_2, VG_ORIGIN_DHCP, now_ns() - 1);
	state_read(&s);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from a parked lease", DROPS(LEARN_CONFLICT)));
	CHECK(in(&A, arp_from(MAC_A, L4_1), "ARP from a parked lease", DROPS(LEARN_CONFLICT)));
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from a parked first use",
		 DROPS(LEARN_CONFLICT)));
	set_policy(&A, VG_MODE_LOCKED, F_BOTH);
	CHECK(out(&A, ack(&A, L4_1, 3600), "ACK of a parked lease", REFUSED(LEARN_CONFLICT)));
	SAME(s, "parked addresses held");
	CHECK(in(&A, udp4_from(MAC_A, L4_2), "UDP from an ended parked first use", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, L6_2), "UDP from an ended parked lease", PASSES));
	STATE("ended ones taken", { '4', L4_1, &PARKED, VG_ORIGIN_DHCP, 0, 0 },
	      { '6', L6_1, &PARKED, VG_ORIGIN_FIRST, 0, 0 },
	      F4(L4_2, &A, V4SLOT(0), LEASE_FOREVER), S(&A, V4SLOT(0), L4_2),
	      F6(L6_2, &A, V6SLOT(0), LEASE_FOREVER), S(&A, V6SLOT(0), L6_2));
	return true;
}

/* DHCP and first use: an ACK or Reply for a first-use address makes it
 * a lease in its slot; the guest's RELEASE, DECLINE, Release, Decline
 * and a NAK end leases only. */
static bool case_dhcp(void)
{
	struct state s;

	set_policy(&A, VG_MODE_LOCKED, F_BOTH);
	set_policy(&B, VG_MODE_LOCKED, F_BOTH);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1, first use", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1, first use", PASSES));
	state_read(&s);
	CHECK(in(&A, release4(&A, L4_1, L4_1), "RELEASE of L4_1", PASSES));
	CHECK(in(&A, decline4(&A, L4_1), "DECLINE of L4_1", PASSES));
	CHECK(in(&A, client6(&A, 8, L6_1), "DHCPv6 Release of L6_1", PASSES));
	CHECK(in(&A, client6(&A, 9, L6_1), "DHCPv6 Decline of L6_1", PASSES));
	CHECK(out(&A, nak(&A), "NAK", NONE));
	SAME(s, "first-use addresses stay");
	CHECK(out(&A, ack(&A, L4_1, 3600), "ACK of L4_1", NONE));
	CHECK(out(&A, reply6(&A, L6_1, 7200), "Reply with L6_1", NONE));
	STATE("leases now, same slots", L4(L4_1, &A, V4SLOT(0), 3600), S(&A, V4SLOT(0), L4_1),
	      L6(L6_1, &A, V6SLOT(0), 7200), S(&A, V6SLOT(0), L6_1));
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1, leased", PASSES));
	CHECK(in(&A, release4(&A, L4_1, L4_1), "RELEASE of L4_1, leased", PASSES));
	CHECK(in(&A, client6(&A, 8, L6_1), "DHCPv6 Release of L6_1, leased", PASSES));
	STATE("released");
	/* B's first-use address: an ACK of it for A is refused while it
	 * lasts, taken once it ended. */
	CHECK(in(&B, udp4_from(MAC_B, L4_2), "UDP from L4_2 on B, first use", PASSES));
	CHECK(out(&A, ack(&A, L4_2, 3600), "ACK of B's L4_2", REFUSED(LEARN_CONFLICT)));
	set_expiry(L4_2, now_ns() - 1);
	CHECK(out(&A, ack(&A, L4_2, 3600), "ACK of B's ended L4_2", NONE));
	STATE("A leased L4_2", L4(L4_2, &A, V4SLOT(0), 3600), S(&A, V4SLOT(0), L4_2));
	/* A NAK ends the lease, not the first-use address. */
	CHECK(in(&A, arp_from(MAC_A, L4_3), "ARP from L4_3, first use", PASSES));
	CHECK(out(&A, nak(&A), "NAK", NONE));
	STATE("NAK", F4(L4_3, &A, V4SLOT(1), LEASE_FOREVER), S(&A, V4SLOT(1), L4_3));
	CHECK(in(&A, udp4_from(MAC_A, L4_2), "UDP from L4_2 after the NAK, slot free", PASSES));
	/* A lease beyond the cap replaces the address that ends first, a
	 * first-use one among them: of two that never end, the first slot's. */
	CHECK(out(&A, ack(&A, L4_1, 600), "ACK of L4_1, slots full", NONE));
	STATE("L4_1 in slot 0", L4(L4_1, &A, V4SLOT(0), 600), S(&A, V4SLOT(0), L4_1),
	      F4(L4_3, &A, V4SLOT(1), LEASE_FOREVER), S(&A, V4SLOT(1), L4_3));
	return true;
}

/* A first-use address allows only while the policy has VG_F_LEARN_FIRST;
 * a policy without it learns nothing by use. */
static bool case_flags(void)
{
	struct state s;

	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1, first use", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1, first use", PASSES));
	state_read(&s);
	set_policy(&A, VG_MODE_LOCKED, F_DEFAULT & ~VG_F_LEARN_FIRST);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1, flag off", DROPS(IPV4_SRC)));
	CHECK(in(&A, arp_from(MAC_A, L4_1), "ARP from L4_1, flag off", DROPS(ARP_SPA)));
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1, flag off", DROPS(IPV6_SRC)));
	CHECK(in(&A, udp4_from(MAC_A, L4_2), "UDP from L4_2, flag off", DROPS(IPV4_SRC)));
	set_policy(&A, VG_MODE_LOCKED, (F_DEFAULT & ~VG_F_LEARN_FIRST) | VG_F_LEARN_DHCP);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1, DHCP only", DROPS(IPV4_SRC)));
	CHECK(in(&A, udp6_from(MAC_A, L6_2), "UDP from L6_2, DHCP only", DROPS(IPV6_SRC)));
	SAME(s, "nothing learned without the flag");
	set_policy(&A, VG_MODE_LOCKED, F_DEFAULT);
	CHECK(in(&A, udp4_from(MAC_A, L4_1), "UDP from L4_1, flag back", PASSES));
	CHECK(in(&A, udp6_from(MAC_A, L6_1), "UDP from L6_1, flag back", PASSES));
	SAME(s, "allowed again");
	return true;
}

static const struct lcase cases[] = {
	{ "IPv4 and ARP sources learned, two a guest, held against others", case_learn4 },
	{ "IPv6 sources learned (UDP, NA), four a guest", case_learn6 },
	{ "unusable sources and ARP probe targets never learned", case_unusable },
	{ "configured, leased, first-used and protected addresses of others refused",
	  case_held },
	{ "learning window: first_lease_s, ended window learns nothing", case_window },
	{ "first_lease_s in real time; relearned in a new window only", case_window_expiry },
	{ "an ended address's slot is free", case_ended_slot },
	{ "parked addresses held while they last", case_parked },
	{ "DHCP leases take over first-use addresses; RELEASE, Decline, NAK leave them",
	  case_dhcp },
	{ "first-use addresses need VG_F_LEARN_FIRST", case_flags },
};

static const struct suite suite = {
	.prog = "test-first",
	.title = "trust on first use tests",
	.what = "first-use cases",
	.veth = { "vgfirst0", "vgfirst1" },
	.a = &A, .b = &B, .c = &C,
	.reset = reset,
	.cases = cases,
	.n = ARRAY_SIZE(cases),
};

int main(int argc, char **argv)
{
	return run_suite(argc, argv, &suite);
}
