// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The real vifguard program, loaded through its skeleton, runs crafted
 * frames through BPF_PROG_TEST_RUN.  Each case names a frame builder, an
 * optional change to the default policy, the verdict and the reason.  A
 * case passes only if the verdict matches AND exactly the expected
 * counters moved, by exactly the expected amount:
 *
 *   pass                 passes[slot of the interface's policy]
 *   drop                 drops[{ifindex, reason}] and totals[reason]
 *   no policy at all     totals[no-policy] alone: no drops entry appears
 *
 * The whole of every counter map is compared before and after a case, so
 * a count in another slot, under another interface or reason, a drops
 * entry created or deleted, or pkts[pass] moving in "totals" all fail it.
 *
 * The runner works in a network namespace of its own.  Frames run "on"
 * its loopback device: BPF_PROG_TEST_RUN accepts the ifindex of an
 * existing device in the context (1 is lo).  Policy and address entries
 * are written directly into the maps, the way the loader writes them:
 * the first two IPv4 /32 and IPv6 /128 hosts inline in the policy, every
 * further host and every prefix in the tries with VG_F_V4_TABLE or
 * VG_F_V6_TABLE set.  The EUI-64 link-local address is never written:
 * VG_F_LINK_LOCAL derives it from the frame's source MAC.
 *
 * A DAD probe may teach the program an address (VG_F_LEARN_LL): the
 * learning maps are emptied before every case, so that no case sees what
 * another learned.  Sequences of learning are tests/bpf/test_learn.c's.
 *
 * BPF_PROG_TEST_RUN refuses frames whose IPv4 or IPv6 header is cut short,
 * and it cannot set the VLAN metadata that real devices fill in when they
 * strip a tag before tc ingress.  Cases marked "veth" therefore go through
 * a veth pair instead: the program is attached to the ingress of one end
 * (cls_bpf, as the loader does) and the frame is sent with a packet
 * socket on the other; the verdict follows from the counter that moved.
 * That end has a policy of its own in another pass counter slot, which
 * the cases marked "if2" use through BPF_PROG_TEST_RUN as well.
 *
 * Usage: test-bpf [FIRST]   TAP numbering starts at FIRST (default 1).
 * Root only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <net/if.h>
#include <linux/if_packet.h>
#include <sched.h>
#include <sys/socket.h>
#include <time.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/pkt_cls.h>
#include <linux/virtio_net.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/uio.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "vifguard.h"
#include "vifguard_user.h"
#include "vifguard.skel.h"
#include "frame.h"

/* The guest: two MACs, a few addresses under generation GEN. */
static const uint8_t MAC1[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t MAC2[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
static const uint8_t MAC_OTHER[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x99 };
static const uint8_t MAC_ROUTER[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xfe };
static const uint8_t MAC_V6MC_MLD[6] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x16 };
static const uint8_t MAC_ZERO[6];

#define GEN		7
#define OLD_GEN		6
#define OTHER_IFINDEX	4242	/* entries of another interface */

/* Pass counter slots.  None equals an ifindex of the namespace (lo is 1,
 * the veth ends come next), so a pass counted under the ifindex instead
 * of the slot shows. */
#define SLOT_LO		7
#define SLOT_VETH	11
#define SLOT_LAST	(VG_MAX_IFACES - 1)

/* Length of the GSO super-packets of the BIG TCP cases: above 64 KiB. */
#define BIG_LEN		100000

/*
 * The addresses of the policy in force, in the order the loader meets
 * them: V4_HOST and V4_HOST2 go inline, V4_HOST3 and the prefix to the
 * trie.  The previous generation had the same inline hosts and V4_OLD_GEN
 * in the trie.
 */
#define V4_HOST		"10.0.0.5"	/* inline v4[0] */
#define V4_HOST2	"10.0.0.9"	/* inline v4[1] */
#define V4_HOST3	"10.0.0.13"	/* trie, /32 */
#define V4_HOST3_NEXT	"10.0.0.14"	/* nowhere: the /32 is no wider */
#define V4_OLD_GEN	"10.0.0.66"	/* only under OLD_GEN */
#define V4_OTHER_IF	"10.0.0.77"	/* only under OTHER_IFINDEX */
#define V4_IN_PREFIX	"192.168.50.123"	/* 192.168.50.0/24 */
#define V4_OFF_PREFIX	"192.168.51.1"
#define V4_STRANGER	"10.0.0.6"
#define V4_GW		"10.0.0.1"

#define V6_HOST		"2001:db8::5"	/* inline v6[0] */
#define V6_HOST2	"2001:db8::9"	/* inline v6[1] */
#define V6_HOST3	"2001:db8::13"	/* trie, /128 */
#define V6_HOST3_NEXT	"2001:db8::14"	/* nowhere */
#define V6_OLD_GEN	"2001:db8::66"
#define V6_OTHER_IF	"2001:db8::77"
#define V6_IN_PREFIX	"2001:db8:100:7::42"	/* 2001:db8:100::/48 */
#define V6_OFF_PREFIX	"2001:db8:101::42"
#define V6_STRANGER	"2001:db8::6"
#define V6_LL		"fe80::ff:fe00:1"	/* EUI-64 of MAC1 */
#define V6_LL_MAC2	"fe80::ff:fe00:2"	/* EUI-64 of MAC2 */
#define V6_LL_OTHER	"fe80::ff:fe00:99"	/* EUI-64 of MAC_OTHER */
#define V6_LL_NO_UL	"fe80::200:ff:fe00:1"	/* MAC1, u/l bit not inverted */
#define V6_LL_SUBNET	"fe80:0:0:1:0:ff:fe00:1"	/* MAC1's IID, not fe80::/64 */
#define V6_EUI_GLOBAL	"2001:db8::ff:fe00:1"	/* MAC1's IID, global */
#define V6_ROUTER	"fe80::1"
#define V6_SNM_HOST	"ff02::1:ff00:5"	/* solicited-node of V6_HOST */
#define V6_LL_STABLE	"fe80::1c2d:3e4f:5a6b:7c01"	/* not EUI-64: learnable */
#define V6_SNM_STABLE	"ff02::1:ff6b:7c01"

static struct vifguard *skel;
static int lo_ifindex, veth_ifindex, veth_peer_ifindex, pkt_sock = -1;
static int gso_sock = -1;	/* packet socket with virtio-net headers */
/* Whether a hop-by-hop jumbo header sent into the veth reaches its far
 * end: Linux >= 6.18 removes it on the way out of the stack. */
static bool hbh_jumbo_kept;
static char hbh_jumbo_why[96];
static int ncpus;
static char veth_error[128];

/* --- map helpers ------------------------------------------------------ */

static int map_fd(struct bpf_map *m)
{
	return bpf_map__fd(m);
}

static void die(const char *what, int err)
{
	printf("Bail out! %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static void v4_addr(const char *a, __be32 *out)
{
	struct in_addr in;

	if (inet_pton(AF_INET, a, &in) != 1)
		die(a, EINVAL);
	*out = in.s_addr;
}

static void v6_addr(const char *a, __be32 *out)
{
	struct in6_addr in;

	if (inet_pton(AF_INET6, a, &in) != 1)
		die(a, EINVAL);
	memcpy(out, &in, 16);
}

/* The policy in force on an interface whose counter sits in slot. */
static void default_policy(struct vg_policy *p, __u16 slot)
{
	memset(p, 0, sizeof(*p));
	p->gen = GEN;
	p->mode = VG_MODE_LOCKED;
	p->slot = slot;
	p->flags = VG_F_DHCP_CLIENT | VG_F_LINK_LOCAL | VG_F_V4_TABLE |
		   VG_F_V6_TABLE;
	p->n_macs = 2;
	memcpy(p->macs[0], MAC1, 6);
	memcpy(p->macs[1], MAC2, 6);
	v4_addr(V4_HOST, &p->v4[0]);
	v4_addr(V4_HOST2, &p->v4[1]);
	v6_addr(V6_HOST, p->v6[0]);
	v6_addr(V6_HOST2, p->v6[1]);
	strcpy(p->ifname, "lo");
}

/*
 * Where place_policy() puts a policy: the two places the program looks.
 * The whole case list runs once with each.
 */
enum placement { IN_ARRAY, IN_SPILL };
static enum placement placement;

/*
 * in_force: p in force on ifi, from the array entry or from the spill
 * hash.  In the second, the array entry is live for another ifindex that
 * shares it and drops everything (mode disabled): a program that took it
 * for ifi's would fail every pass case.
 * !in_force: no policy in force on ifi, though p is in its array entry,
 * retired (live 0), or (IN_SPILL) the entry is another ifindex's, live.
 * Either must be ignored.
 */
static void place_policy(int ifi, const struct vg_policy *p, bool in_force)
{
	__u32 key = ifi, k = ifi & (VG_POLICY_ENTRIES - 1);
	struct vg_policy_entry e = { .ifindex = ifi, .live = in_force, .pol = *p };

	bpf_map_delete_elem(map_fd(skel->maps.policy_spill), &key);
	if (placement == IN_SPILL) {
		e.ifindex = ifi + VG_POLICY_ENTRIES;
		e.live = 1;
		if (in_force) {
			e.pol.mode = VG_MODE_DISABLED;
			if (bpf_map_update_elem(map_fd(skel->maps.policy_spill), &key, p, BPF_ANY))
				die("policy_spill update", errno);
		}
	}
	if (bpf_map_update_elem(map_fd(skel->maps.policy), &k, &e, BPF_ANY))
		die("policy update", errno);
}

/* A host (len 32) or a prefix in v4_addrs. */
static void add_v4(__u32 ifi, __u32 gen, const char *a, int len)
{
	struct vg_v4_key k = {
		.prefixlen = VG_LPM_KEY_BITS + len,
		.ifindex = ifi,
		.gen = gen,
	};
	const __u8 one = 1;

	v4_addr(a, &k.addr);
	if (bpf_map_update_elem(map_fd(skel->maps.v4_addrs), &k, &one, 0))
		die("v4_addrs update", errno);
}

static void add_v6(__u32 ifi, __u32 gen, const char *a, int len)
{
	struct vg_v6_key k = {
		.prefixlen = VG_LPM_KEY_BITS + len,
		.ifindex = ifi,
		.gen = gen,
	};
	const __u8 one = 1;

	v6_addr(a, k.addr);
	if (bpf_map_update_elem(map_fd(skel->maps.v6_addrs), &k, &one, 0))
		die("v6_addrs update", errno);
}

/* As attach leaves an interface: its slot zeroed, the policy written, the
 * addresses beyond the inline ones in the tries. */
static void setup_maps(int ifi, __u32 slot)
{
	__u64 *zero = calloc(ncpus, sizeof(*zero));
	struct vg_policy p;

	if (!zero || bpf_map_update_elem(map_fd(skel->maps.passes), &slot, zero, 0))
		die("passes zero", errno);
	free(zero);
	default_policy(&p, slot);
	place_policy(ifi, &p, true);

	add_v4(ifi, GEN, V4_HOST3, 32);
	add_v4(ifi, GEN, "192.168.50.0", 24);
	add_v4(ifi, OLD_GEN, V4_OLD_GEN, 32);
	add_v4(OTHER_IFINDEX, GEN, V4_OTHER_IF, 32);
	add_v6(ifi, GEN, V6_HOST3, 128);
	add_v6(ifi, GEN, "2001:db8:100::", 48);
	add_v6(ifi, OLD_GEN, V6_OLD_GEN, 128);
	add_v6(OTHER_IFINDEX, GEN, V6_OTHER_IF, 128);
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int err = 0;

	if (!f)
		return -errno;
	if (fputs(text, f) < 0)
		err = -EIO;
	if (fclose(f))
		err = -errno;
	return err;
}

#ifndef IFLA_GSO_IPV4_MAX_SIZE
#define IFLA_GSO_IPV4_MAX_SIZE	63	/* Linux >= 6.3 */
#endif

/*
 * Lets the device take GSO packets of BIG_LEN octets, IPv4 and IPv6,
 * instead of having the stack cut them on the way out.  iproute2 6.1
 * has no word for the IPv4 size, so RTM_NEWLINK is spoken directly.
 * Returns 0 or -errno (a kernel < 6.3 refuses the IPv4 attribute).
 */
static int set_gso_max(int ifindex)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
		struct { struct rtattr rta; __u32 v; } a[2];
	} req = {
		.nh = {
			.nlmsg_len = sizeof(req),
			.nlmsg_type = RTM_NEWLINK,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
		},
		.ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex },
		.a = {
			{ { RTA_LENGTH(4), IFLA_GSO_MAX_SIZE }, 2 * BIG_LEN },
			{ { RTA_LENGTH(4), IFLA_GSO_IPV4_MAX_SIZE }, 2 * BIG_LEN },
		},
	};
	struct { struct nlmsghdr nh; struct nlmsgerr e; } ack;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE), err;

	if (fd < 0)
		return -errno;
	if (send(fd, &req, sizeof(req), 0) != sizeof(req) ||
	    recv(fd, &ack, sizeof(ack), 0) < (ssize_t)sizeof(ack))
		err = -errno;
	else
		err = ack.nh.nlmsg_type == NLMSG_ERROR ? ack.e.error : -EPROTO;
	close(fd);
	return err;
}

/*
 * veth pair in the runner's own namespace; IPv6 is off before the links
 * come up so that the kernel sends nothing of its own through the filter.
 * Returns 0 or -errno.
 */
static int veth_setup(void)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, tco);
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	int err, one = 1, sndbuf = 4 * BIG_LEN;

	err = write_file("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	if (err)
		return err;
	if (system("ip link add vgbpf0 type veth peer name vgbpf1 && "
		   "ip link set vgbpf1 arp off && "
		   "ip link set vgbpf0 up && ip link set vgbpf1 up"))
		return -ENODEV;
	veth_ifindex = if_nametoindex("vgbpf0");
	veth_peer_ifindex = if_nametoindex("vgbpf1");
	if (!veth_ifindex || !veth_peer_ifindex)
		return -ENODEV;

	setup_maps(veth_ifindex, SLOT_VETH);
	hook.ifindex = veth_ifindex;
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return err;
	tco.prog_fd = bpf_program__fd(skel->progs.vifguard);
	err = bpf_tc_attach(&hook, &tco);
	if (err)
		return err;

	pkt_sock = socket(AF_PACKET, SOCK_RAW, 0);
	if (pkt_sock < 0)
		return -errno;
	sll.sll_ifindex = veth_peer_ifindex;
	if (bind(pkt_sock, (struct sockaddr *)&sll, sizeof(sll)))
		return -errno;

	/* GSO super-packets: a virtio-net header in front of each frame
	 * says how the kernel is to cut it, as tap and veth guests' are. */
	err = set_gso_max(veth_peer_ifindex);
	if (err)
		return err;
	gso_sock = socket(AF_PACKET, SOCK_RAW, 0);
	if (gso_sock < 0)
		return -errno;
	if (setsockopt(gso_sock, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) ||
	    setsockopt(gso_sock, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)) ||
	    bind(gso_sock, (struct sockaddr *)&sll, sizeof(sll)))
		return -errno;
	return 0;
}

/* Empties the learning maps: what one case's DAD probe taught the
 * program is no other case's. */
static void clear_learning(void)
{
	struct bpf_map *maps[] = { skel->maps.learned6, skel->maps.learn_slots,
				   skel->maps.protected6, skel->maps.learned4,
				   skel->maps.lease_slots };
	__u8 k[16];

	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		int fd = map_fd(maps[i]);

		while (bpf_map_get_next_key(fd, NULL, k) == 0)
			if (bpf_map_delete_elem(fd, k))
				die(bpf_map__name(maps[i]), errno);
	}
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* --- counters ------------------------------------------------------------ */

/* Every counter the program can move, each summed over the CPUs. */
struct drop_count {
	struct vg_drop_key key;
	__u64 n;
};

struct counters {
	__u64 passes[VG_MAX_IFACES];
	__u64 totals[VG_REASON_MAX];
	struct drop_count drops[VG_MAX_DROP_COUNTERS];
	unsigned int n_drops;
};

static struct counters before, after;
static __u64 *percpu;		/* ncpus values of the largest counter */

static __u64 sum_u64(void)
{
	__u64 t = 0;

	for (int c = 0; c < ncpus; c++)
		t += percpu[c];
	return t;
}

static __u64 read_pass(__u32 slot)
{
	if (bpf_map_lookup_elem(map_fd(skel->maps.passes), &slot, percpu))
		die("passes read", errno);
	return sum_u64();
}

static void read_totals(__u64 *out)
{
	memset(out, 0, sizeof(__u64) * VG_REASON_MAX);
	for (__u32 r = 0; r < VG_REASON_MAX; r++) {
		if (bpf_map_lookup_elem(map_fd(skel->maps.totals), &r, percpu))
			die("totals read", errno);
		out[r] = sum_u64();
	}
}

static void read_counters(struct counters *s)
{
	int fd = map_fd(skel->maps.drops);
	struct vg_drop_key k, *prev = NULL;

	for (__u32 i = 0; i < VG_MAX_IFACES; i++)
		s->passes[i] = read_pass(i);
	read_totals(s->totals);
	s->n_drops = 0;
	while (bpf_map_get_next_key(fd, prev, &k) == 0) {
		struct drop_count *d = &s->drops[s->n_drops];

		/* Deleted between the two calls: the walk starts over. */
		if (bpf_map_lookup_elem(fd, &k, percpu)) {
			if (errno != ENOENT)
				die("drops read", errno);
			s->n_drops = 0;
			prev = NULL;
			continue;
		}
		if (s->n_drops == VG_MAX_DROP_COUNTERS)
			die("drops read", E2BIG);
		d->key = k;
		d->n = sum_u64();
		prev = &d->key;
		s->n_drops++;
	}
}

static const struct drop_count *find_drop(const struct counters *s,
					  const struct vg_drop_key *k)
{
	for (unsigned int i = 0; i < s->n_drops; i++)
		if (s->drops[i].key.ifindex == k->ifindex &&
		    s->drops[i].key.reason == k->reason)
			return &s->drops[i];
	return NULL;
}

/* What a case expects to move: n frames passed in slot, or dropped on
 * ifindex for reason (with or without a policy). */
struct expect {
	bool pass, policy;
	__u32 slot, ifindex, reason;
	__u64 n;
};

#define MOVED_MAX	512

static void moved_add(char *moved, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void moved_add(char *moved, const char *fmt, ...)
{
	size_t len = strlen(moved);
	va_list ap;

	if (len)
		snprintf(moved + len, MOVED_MAX - len, " ");
	len = strlen(moved);
	va_start(ap, fmt);
	vsnprintf(moved + len, MOVED_MAX - len, fmt, ap);
	va_end(ap);
}

/*
 * Compares every counter of "before" and "after" with what e expects;
 * moved lists what actually moved.  Returns the number of counters that
 * differ from the expectation.
 */
static int compare_counters(const struct expect *e, char *moved)
{
	int wrong = 0;

	moved[0] = 0;
	for (__u32 s = 0; s < VG_MAX_IFACES; s++) {
		__u64 d = after.passes[s] - before.passes[s];
		__u64 want = e->pass && s == e->slot ? e->n : 0;

		if (d)
			moved_add(moved, "passes[%u]+%llu", s,
				  (unsigned long long)d);
		wrong += d != want;
	}
	for (__u32 i = 0; i < after.n_drops; i++) {
		const struct drop_count *a = &after.drops[i];
		const struct drop_count *b = find_drop(&before, &a->key);
		__u64 d = a->n - (b ? b->n : 0);
		bool mine = !e->pass && e->policy &&
			    a->key.ifindex == e->ifindex &&
			    a->key.reason == e->reason;

		if (d || !b)
			moved_add(moved, "drops[%u,%s]%s+%llu", a->key.ifindex,
				  vg_reason_name(a->key.reason),
				  b ? "" : "(new)", (unsigned long long)d);
		if (mine)
			wrong += d != e->n;
		else
			wrong += d != 0 || !b;
	}
	for (__u32 i = 0; i < before.n_drops; i++) {
		const struct drop_count *b = &before.drops[i];

		if (!find_drop(&after, &b->key)) {
			moved_add(moved, "drops[%u,%s](deleted)", b->key.ifindex,
				  vg_reason_name(b->key.reason));
			wrong++;
		}
	}
	/* The expected drops entry must exist even if nothing else moved. */
	if (!e->pass && e->policy) {
		struct vg_drop_key k = { .ifindex = e->ifindex, .reason = e->reason };

		wrong += !find_drop(&after, &k);
	}
	for (__u32 r = 0; r < VG_REASON_MAX; r++) {
		__u64 d = after.totals[r] - before.totals[r];
		__u64 want = !e->pass && r == e->reason ? e->n : 0;

		if (d)
			moved_add(moved, "totals[%s]+%llu", vg_reason_name(r),
				  (unsigned long long)d);
		wrong += d != want;
	}
	if (!moved[0])
		snprintf(moved, MOVED_MAX, "none");
	return wrong;
}

/* --- policy variants ---------------------------------------------------- */

static void pol_none(struct vg_policy *p) { (void)p; }
static void pol_disabled(struct vg_policy *p) { p->mode = VG_MODE_DISABLED; }
static void pol_invalid(struct vg_policy *p) { p->mode = VG_MODE_INVALID; }
static void pol_audit(struct vg_policy *p) { p->mode = VG_MODE_AUDIT; }
static void pol_mode_unknown(struct vg_policy *p) { p->mode = VG_MODE_AUDIT + 1; }
static void pol_allow_8021q(struct vg_policy *p) { p->ethertypes[1] = htons(0x8100); }
static void pol_allow_8021ad(struct vg_policy *p) { p->ethertypes[3] = htons(0x88a8); }
static void pol_allow_both_tags(struct vg_policy *p)
{
	p->ethertypes[1] = htons(0x8100);
	p->ethertypes[3] = htons(0x88a8);
}
static void pol_allow_lldp(struct vg_policy *p) { p->ethertypes[2] = htons(0x88cc); }
static void pol_no_dhcp(struct vg_policy *p) { p->flags &= ~VG_F_DHCP_CLIENT; }
static void pol_dhcp_server(struct vg_policy *p) { p->flags |= VG_F_DHCP_SERVER; }
static void pol_ra(struct vg_policy *p) { p->flags |= VG_F_RA; }
static void pol_no_v4_table(struct vg_policy *p) { p->flags &= ~VG_F_V4_TABLE; }
static void pol_no_v6_table(struct vg_policy *p) { p->flags &= ~VG_F_V6_TABLE; }
static void pol_no_link_local(struct vg_policy *p) { p->flags &= ~VG_F_LINK_LOCAL; }
static void pol_old_gen(struct vg_policy *p) { p->gen = OLD_GEN; }
static void pol_one_mac(struct vg_policy *p) { p->n_macs = 1; }
static void pol_slot_last(struct vg_policy *p) { p->slot = SLOT_LAST; }
static void pol_learn_ll(struct vg_policy *p) { p->flags |= VG_F_LEARN_LL; }
static void pol_learn_dhcp(struct vg_policy *p) { p->flags |= VG_F_LEARN_DHCP; }

/* As the loader fills the policy of a guest with one host per family:
 * the second inline slots unused (zero), no trie. */
static void pol_single_addrs(struct vg_policy *p)
{
	p->v4[1] = 0;
	memset(p->v6[1], 0, sizeof(p->v6[1]));
	p->flags &= ~(VG_F_V4_TABLE | VG_F_V6_TABLE);
}

/* --- frames -------------------------------------------------------------- */

#define FRAME(name) static void name(struct frame *f)

/* IPv4 UDP from src, MAC1. */
static void v4_udp_from(struct frame *f, const uint8_t *mac, const char *src,
			uint16_t sport, uint16_t dport)
{
	size_t ip;

	eth(f, mac, MAC_ROUTER, 0x0800);
	ip = ip4_begin(f, src, "10.0.0.1", 17, 0, 0);
	udp(f, sport, dport, 32);
	ip4_end(f, ip);
}

FRAME(v4_host) { v4_udp_from(f, MAC1, V4_HOST, 40000, 53); }
FRAME(v4_mac2) { v4_udp_from(f, MAC2, V4_HOST, 40000, 53); }
FRAME(v4_src_mcast) { v4_udp_from(f, MAC_MCAST, V4_HOST, 40000, 53); }
FRAME(v4_src_bcast) { v4_udp_from(f, MAC_BCAST, V4_HOST, 40000, 53); }
FRAME(v4_src_other_mac) { v4_udp_from(f, MAC_OTHER, V4_HOST, 40000, 53); }
FRAME(v4_src_zero_mac) { v4_udp_from(f, MAC_ZERO, V4_HOST, 40000, 53); }
FRAME(v4_host2) { v4_udp_from(f, MAC1, V4_HOST2, 40000, 53); }
FRAME(v4_host3) { v4_udp_from(f, MAC1, V4_HOST3, 40000, 53); }
FRAME(v4_host3_next) { v4_udp_from(f, MAC1, V4_HOST3_NEXT, 40000, 53); }
FRAME(v4_stranger) { v4_udp_from(f, MAC1, V4_STRANGER, 40000, 53); }
FRAME(v4_in_prefix) { v4_udp_from(f, MAC1, V4_IN_PREFIX, 40000, 53); }
FRAME(v4_off_prefix) { v4_udp_from(f, MAC1, V4_OFF_PREFIX, 40000, 53); }
FRAME(v4_old_gen) { v4_udp_from(f, MAC1, V4_OLD_GEN, 40000, 53); }
FRAME(v4_other_if) { v4_udp_from(f, MAC1, V4_OTHER_IF, 40000, 53); }
FRAME(v4_dhcp_offer) { v4_udp_from(f, MAC1, V4_HOST, 67, 68); }

FRAME(v4_tcp)
{
	size_t ip;

	eth(f, MAC1, MAC_ROUTER, 0x0800);
	ip = ip4_begin(f, V4_HOST, "198.51.100.7", 6, 0, 0);
	put(f, NULL, 20);
	f->b[f->len - 8] = 0x50;	/* data offset 5 */
	ip4_end(f, ip);
}

/*
 * A BOOTP/DHCPv4 message (RFC 2131 2) in UDP from src: op, htype 1,
 * hlen 6, chaddr; the rest zero up to the magic cookie (240 octets).
 */
static void dhcp4(struct frame *f, const char *src, const char *dst,
		  uint16_t sport, uint16_t dport, uint16_t frag, uint8_t op,
		  const uint8_t *chaddr)
{
	size_t ip, u;

	eth(f, MAC1, MAC_BCAST, 0x0800);
	ip = ip4_begin(f, src, dst, 17, 0, frag);
	u = f->len;
	udp(f, sport, dport, 0);
	put8(f, op);
	put8(f, 1);
	put8(f, 6);
	put8(f, 0);
	put32(f, 0x3903f326);	/* xid */
	put(f, NULL, 20);	/* secs, flags, ciaddr, yiaddr, siaddr, giaddr */
	put_mac(f, chaddr);
	put(f, NULL, 10 + 64 + 128);	/* chaddr padding, sname, file */
	put32(f, 0x63825363);	/* magic cookie */
	set16(f, u + 4, f->len - u);
	ip4_end(f, ip);
}

/* 0.0.0.0:68 -> 255.255.255.255:67, as dhclient sends DHCPDISCOVER. */
static void dhcp_from_zero(struct frame *f, const char *dst, uint16_t sport,
			   uint16_t dport, uint16_t frag)
{
	dhcp4(f, "0.0.0.0", dst, sport, dport, frag, 1, MAC1);
}

FRAME(dhcp_discover) { dhcp_from_zero(f, "255.255.255.255", 68, 67, 0); }
FRAME(dhcp_zero_unicast) { dhcp_from_zero(f, V4_GW, 68, 67, 0); }
FRAME(dhcp_zero_wrong_port) { dhcp_from_zero(f, "255.255.255.255", 67, 67, 0); }
FRAME(dhcp_zero_fragment) { dhcp_from_zero(f, "255.255.255.255", 68, 67, 0x2000); }

FRAME(v4_zero_tcp)
{
	size_t ip;

	eth(f, MAC1, MAC_BCAST, 0x0800);
	ip = ip4_begin(f, "0.0.0.0", "255.255.255.255", 6, 0, 0);
	put(f, NULL, 20);
	ip4_end(f, ip);
}

/* A non-first fragment whose payload happens to look like 67 -> 68. */
static void v4_frag_from(struct frame *f, const char *src)
{
	size_t ip;

	eth(f, MAC1, MAC_ROUTER, 0x0800);
	ip = ip4_begin(f, src, V4_GW, 17, 0, 185);	/* offset 1480 */
	udp(f, 67, 68, 16);
	ip4_end(f, ip);
}

FRAME(v4_frag_host) { v4_frag_from(f, V4_HOST); }
FRAME(v4_frag_stranger) { v4_frag_from(f, V4_STRANGER); }

/* A first fragment: the UDP header is there and judged. */
static void v4_first_frag_to_68(struct frame *f, uint16_t sport)
{
	size_t ip;

	eth(f, MAC1, MAC_BCAST, 0x0800);
	ip = ip4_begin(f, V4_HOST, "255.255.255.255", 17, 0, 0x2000);
	udp(f, sport, 68, 64);
	ip4_end(f, ip);
}

FRAME(v4_first_frag_offer) { v4_first_frag_to_68(f, 67); }

/* IGMPv3 report to 224.0.0.22 with the router alert option. */
FRAME(igmp_report)
{
	size_t ip;

	eth(f, MAC1, (const uint8_t *)"\x01\x00\x5e\x00\x00\x16", 0x0800);
	ip = ip4_begin(f, V4_HOST, "224.0.0.22", 2, 1, 0);
	put8(f, 0x22);
	put8(f, 0);
	put16(f, 0);
	put16(f, 0);
	put16(f, 1);		/* one record */
	put8(f, 4);		/* CHANGE_TO_EXCLUDE */
	put8(f, 0);
	put16(f, 0);
	put_v4(f, "239.1.2.3");
	ip4_end(f, ip);
}

FRAME(v4_bad_version)
{
	v4_host(f);
	f->b[14] = 0x55;
}

FRAME(v4_ihl_4)
{
	v4_host(f);
	f->b[14] = 0x44;
}

FRAME(v4_tot_len_short)
{
	v4_host(f);
	set16(f, 16, 19);
}

FRAME(v4_tot_len_long)
{
	v4_host(f);
	set16(f, 16, f->len - 14 + 1);
}

FRAME(v4_truncated_header)
{
	eth(f, MAC1, MAC_ROUTER, 0x0800);
	put8(f, 0x45);
	put(f, NULL, 11);
}

/* ihl 15 (60 bytes) in a frame with only 40 bytes of IP. */
FRAME(v4_options_truncated)
{
	size_t ip;

	eth(f, MAC1, MAC_ROUTER, 0x0800);
	ip = ip4_begin(f, V4_HOST, V4_GW, 17, 0, 0);
	put(f, NULL, 20);
	ip4_end(f, ip);
	f->b[14] = 0x4f;
}

/* tot_len ends inside the UDP header. */
FRAME(v4_udp_truncated)
{
	size_t ip;

	eth(f, MAC1, MAC_ROUTER, 0x0800);
	ip = ip4_begin(f, V4_HOST, V4_GW, 17, 0, 0);
	put16(f, 40000);
	put16(f, 53);
	ip4_end(f, ip);
	put(f, NULL, 20);	/* Ethernet padding */
}

/* --- ARP --- */

static void arp_frame(struct frame *f, const uint8_t *src, uint16_t op,
		      const uint8_t *sha, const char *spa, const char *tpa)
{
	eth(f, src, MAC_BCAST, 0x0806);
	arp(f, op, sha, spa, MAC_ZERO, tpa);
	put(f, NULL, 18);	/* padding to 60 */
}

FRAME(arp_request) { arp_frame(f, MAC1, 1, MAC1, V4_HOST, V4_GW); }
FRAME(arp_reply) { arp_frame(f, MAC1, 2, MAC1, V4_HOST, V4_GW); }
FRAME(arp_probe) { arp_frame(f, MAC1, 1, MAC1, "0.0.0.0", V4_HOST); }
FRAME(arp_probe_reply) { arp_frame(f, MAC1, 2, MAC1, "0.0.0.0", V4_HOST); }
FRAME(arp_announce) { arp_frame(f, MAC1, 1, MAC1, V4_HOST, V4_HOST); }
FRAME(arp_gratuitous_reply) { arp_frame(f, MAC1, 2, MAC1, V4_HOST, V4_HOST); }
FRAME(arp_prefix) { arp_frame(f, MAC1, 1, MAC1, V4_IN_PREFIX, V4_GW); }
FRAME(arp_host3) { arp_frame(f, MAC1, 2, MAC1, V4_HOST3, V4_GW); }
FRAME(arp_sha_spoof) { arp_frame(f, MAC1, 2, MAC_OTHER, V4_HOST, V4_GW); }
FRAME(arp_spa_spoof) { arp_frame(f, MAC1, 2, MAC1, V4_GW, V4_STRANGER); }
FRAME(arp_spa_old_gen) { arp_frame(f, MAC1, 1, MAC1, V4_OLD_GEN, V4_GW); }
FRAME(arp_bad_htype) { arp_request(f); f->b[15] = 6; }
FRAME(arp_bad_ptype) { arp_request(f); set16(f, 16, 0x86dd); }
FRAME(arp_bad_hlen) { arp_request(f); f->b[18] = 8; }
FRAME(arp_bad_plen) { arp_request(f); f->b[19] = 16; }
FRAME(arp_bad_op) { arp_request(f); set16(f, 20, 3); }

FRAME(arp_truncated)
{
	eth(f, MAC1, MAC_BCAST, 0x0806);
	arp(f, 1, MAC1, V4_HOST, MAC_ZERO, V4_GW);
	f->len -= 4;	/* no target IP: nothing pads it back */
}

FRAME(rarp)
{
	eth(f, MAC1, MAC_BCAST, 0x8035);
	arp(f, 3, MAC1, "0.0.0.0", MAC1, "0.0.0.0");
	put(f, NULL, 18);
}

/* --- Ethernet --- */

/* IPv4 UDP from src inside a tag (and an inner tag when inner_tpid). */
static void vlan_frame_tci(struct frame *f, uint16_t tpid, uint16_t tci,
			   uint16_t inner_tpid, const char *src)
{
	size_t ip;

	put_mac(f, MAC_ROUTER);
	put_mac(f, MAC1);
	put16(f, tpid);
	put16(f, tci);
	if (inner_tpid) {
		put16(f, inner_tpid);
		put16(f, 200);
	}
	put16(f, 0x0800);
	ip = ip4_begin(f, src, V4_GW, 17, 0, 0);
	udp(f, 1, 2, 8);
	ip4_end(f, ip);
}

static void vlan_frame_src(struct frame *f, uint16_t tpid, uint16_t inner_tpid,
			   const char *src)
{
	vlan_frame_tci(f, tpid, 100, inner_tpid, src);	/* VID 100 */
}

static void vlan_frame(struct frame *f, uint16_t tpid)
{
	vlan_frame_src(f, tpid, 0, V4_HOST);
}

/* 802.1p priority 3 in VLAN 0: a priority tag. */
FRAME(prio_tag) { vlan_frame_tci(f, 0x8100, 0x6000, 0, V4_HOST); }
FRAME(prio_tag_stranger) { vlan_frame_tci(f, 0x8100, 0x6000, 0, V4_STRANGER); }
FRAME(prio_tag_8021ad) { vlan_frame_tci(f, 0x88a8, 0x6000, 0, V4_HOST); }

FRAME(vlan_8021q) { vlan_frame(f, 0x8100); }
FRAME(vlan_8021ad) { vlan_frame(f, 0x88a8); }
/* Inside the tag: a source the interface may not use. */
FRAME(vlan_8021q_stranger) { vlan_frame_src(f, 0x8100, 0, V4_STRANGER); }
/* 802.1ad outside (stripped by the device), 802.1Q still in the frame. */
FRAME(vlan_qinq) { vlan_frame_src(f, 0x88a8, 0x8100, V4_HOST); }

FRAME(vlan_8021q_other_mac)
{
	vlan_frame(f, 0x8100);
	memcpy(f->b + 6, MAC_OTHER, 6);
}

/* ARP inside an 802.1Q tag, claiming the gateway's address. */
FRAME(vlan_arp_spoof)
{
	put_mac(f, MAC_BCAST);
	put_mac(f, MAC1);
	put16(f, 0x8100);
	put16(f, 100);
	put16(f, 0x0806);
	arp(f, 2, MAC1, V4_GW, MAC_ZERO, V4_STRANGER);
	put(f, NULL, 14);
}

FRAME(lldp)
{
	eth(f, MAC1, (const uint8_t *)"\x01\x80\xc2\x00\x00\x0e", 0x88cc);
	put(f, NULL, 46);
}

FRAME(llc_8023)
{
	eth(f, MAC1, (const uint8_t *)"\x01\x80\xc2\x00\x00\x00", 46);
	put(f, "\x42\x42\x03", 3);
	put(f, NULL, 43);
}

FRAME(ethertype_ipx)
{
	eth(f, MAC1, MAC_BCAST, 0x8137);
	put(f, NULL, 46);
}

FRAME(eth_truncated)
{
	put_mac(f, MAC_ROUTER);
	put_mac(f, MAC1);
}

FRAME(eth_only)
{
	eth(f, MAC1, MAC_ROUTER, 0x0800);
}

/* --- IPv6 --- */

static void v6_udp_mac(struct frame *f, const uint8_t *mac, const char *src,
		       const char *dst, uint16_t sport, uint16_t dport)
{
	size_t ip;

	eth(f, mac, MAC_ROUTER, 0x86dd);
	ip = ip6_begin(f, src, dst, 17, 64);
	udp(f, sport, dport, 16);
	ip6_end(f, ip);
}

static void v6_udp_from(struct frame *f, const char *src, const char *dst,
			uint16_t sport, uint16_t dport)
{
	v6_udp_mac(f, MAC1, src, dst, sport, dport);
}

FRAME(v6_host) { v6_udp_from(f, V6_HOST, "2001:db8::1", 40000, 53); }
FRAME(v6_host2) { v6_udp_from(f, V6_HOST2, "2001:db8::1", 40000, 53); }
FRAME(v6_host3) { v6_udp_from(f, V6_HOST3, "2001:db8::1", 40000, 53); }
FRAME(v6_host3_next) { v6_udp_from(f, V6_HOST3_NEXT, "2001:db8::1", 40000, 53); }
FRAME(v6_other_if) { v6_udp_from(f, V6_OTHER_IF, "2001:db8::1", 40000, 53); }
FRAME(v6_stranger) { v6_udp_from(f, V6_STRANGER, "2001:db8::1", 40000, 53); }
FRAME(v6_in_prefix) { v6_udp_from(f, V6_IN_PREFIX, "2001:db8::1", 40000, 53); }
FRAME(v6_off_prefix) { v6_udp_from(f, V6_OFF_PREFIX, "2001:db8::1", 40000, 53); }
FRAME(v6_old_gen) { v6_udp_from(f, V6_OLD_GEN, "2001:db8::1", 40000, 53); }
FRAME(v6_ll) { v6_udp_from(f, V6_LL, "fe80::1", 40000, 53); }
FRAME(v6_ll_other) { v6_udp_from(f, V6_LL_OTHER, "fe80::1", 40000, 53); }
/* The link-local address follows the frame's MAC, not any allowed MAC. */
FRAME(v6_ll_mac2) { v6_udp_mac(f, MAC2, V6_LL_MAC2, "fe80::1", 40000, 53); }
FRAME(v6_ll_of_mac2) { v6_udp_mac(f, MAC1, V6_LL_MAC2, "fe80::1", 40000, 53); }
FRAME(v6_ll_no_ul) { v6_udp_from(f, V6_LL_NO_UL, "fe80::1", 40000, 53); }
FRAME(v6_ll_subnet) { v6_udp_from(f, V6_LL_SUBNET, "fe80::1", 40000, 53); }
FRAME(v6_ll_stable_udp) { v6_udp_from(f, V6_LL_STABLE, "fe80::1", 40000, 53); }
FRAME(v6_eui_global) { v6_udp_from(f, V6_EUI_GLOBAL, "2001:db8::1", 40000, 53); }
FRAME(v6_unspec_udp) { v6_udp_from(f, "::", "ff02::1", 40000, 53); }
/* DHCPv6 Solicit from the link-local address to All_DHCP_Relay_Agents_and_Servers. */
FRAME(dhcpv6_solicit) { v6_udp_from(f, V6_LL, "ff02::1:2", 546, 547); }
FRAME(dhcpv6_advertise) { v6_udp_from(f, V6_LL, V6_ROUTER, 547, 546); }

FRAME(v6_tcp)
{
	size_t ip;

	eth(f, MAC1, MAC_ROUTER, 0x86dd);
	ip = ip6_begin(f, V6_HOST, "2001:db8::1", 6, 64);
	put(f, NULL, 20);
	ip6_end(f, ip);
}

/*
 * TCP, UDP and ICMPv6 right after the fixed header take the short way
 * to the upper layer, past the extension header walk.  Each upper header
 * fills the payload exactly, so the payload left over must be counted
 * right to the octet; the source is the second inline host.
 */
FRAME(v6_udp_fast)
{
	size_t ip;

	eth(f, MAC1, MAC_ROUTER, 0x86dd);
	ip = ip6_begin(f, V6_HOST2, "2001:db8::1", 17, 64);
	udp(f, 40000, 53, 0);
	ip6_end(f, ip);
}

FRAME(v6_tcp_fast)
{
	size_t ip;

	eth(f, MAC1, MAC_ROUTER, 0x86dd);
	ip = ip6_begin(f, V6_HOST2, "2001:db8::1", 6, 64);
	put(f, NULL, 20);
	f->b[f->len - 8] = 0x50;	/* data offset 5 */
	ip6_end(f, ip);
}

FRAME(v6_echo_fast)
{
	size_t ip;

	eth(f, MAC1, MAC_ROUTER, 0x86dd);
	ip = ip6_begin(f, V6_HOST2, "2001:db8::1", 58, 64);
	icmp6(f, 128, 0);
	put32(f, 0x00010001);
	ip6_end(f, ip);
}

/* The same UDP behind one hop-by-hop header: the walk finds it. */
static void v6_hbh_udp_ports(struct frame *f, uint16_t sport, uint16_t dport)
{
	size_t ip;

	eth(f, MAC1, MAC_ROUTER, 0x86dd);
	ip = ip6_begin(f, V6_HOST2, "2001:db8::1", 0, 64);
	ip6_opts(f, 17, 0);
	udp(f, sport, dport, 0);
	ip6_end(f, ip);
}

FRAME(v6_hbh_udp) { v6_hbh_udp_ports(f, 40000, 53); }
FRAME(v6_hbh_dhcpv6_advertise) { v6_hbh_udp_ports(f, 547, 546); }

FRAME(v6_bad_version) { v6_host(f); f->b[14] = 0x40; }
FRAME(v6_payload_long) { v6_host(f); set16(f, 18, f->len - 54 + 1); }

FRAME(v6_truncated)
{
	eth(f, MAC1, MAC_ROUTER, 0x86dd);
	put32(f, 0x60000000);
	put(f, NULL, 30);
}

FRAME(v6_udp_truncated)
{
	size_t ip;

	eth(f, MAC1, MAC_ROUTER, 0x86dd);
	ip = ip6_begin(f, V6_HOST, "2001:db8::1", 17, 64);
	put16(f, 40000);
	put16(f, 53);
	ip6_end(f, ip);
}

/* Echo request with a chain of extension headers. */
static void v6_echo_chain(struct frame *f, const char *src, int n_dst)
{
	size_t ip;

	eth(f, MAC1, MAC_ROUTER, 0x86dd);
	ip = ip6_begin(f, src, "2001:db8::1", n_dst ? 60 : 58, 64);
	for (int i = 0; i < n_dst; i++)
		ip6_opts(f, i == n_dst - 1 ? 58 : 60, i & 1);
	icmp6(f, 128, 0);
	put32(f, 0x00010001);
	ip6_end(f, ip);
}

FRAME(v6_echo) { v6_echo_chain(f, V6_HOST, 0); }
FRAME(v6_unspec_echo) { v6_echo_chain(f, "::", 0); }
FRAME(v6_chain_6) { v6_echo_chain(f, V6_HOST, 6); }
FRAME(v6_chain_7) { v6_echo_chain(f, V6_HOST, 7); }

/* Hop-by-hop, destination options, routing, AH, then UDP. */
FRAME(v6_chain_mixed)
{
	size_t ip;

	eth(f, MAC1, MAC_ROUTER, 0x86dd);
	ip = ip6_begin(f, V6_HOST, "2001:db8::1", 0, 64);
	ip6_opts(f, 60, 0);
	ip6_opts(f, 43, 1);
	ip6_routing(f, 51);
	ip6_ah(f, 17);
	udp(f, 40000, 53, 8);
	ip6_end(f, ip);
}

/* A hop-by-hop header whose length runs past the payload. */
FRAME(v6_exthdr_too_long)
{
	size_t ip;

	eth(f, MAC1, MAC_ROUTER, 0x86dd);
	ip = ip6_begin(f, V6_HOST, "2001:db8::1", 0, 64);
	ip6_opts(f, 17, 0);
	udp(f, 40000, 53, 0);
	ip6_end(f, ip);
	f->b[55] = 4;	/* 40 octets claimed, 16 there */
}

/* Only 4 octets of a destination options header. */
FRAME(v6_exthdr_truncated)
{
	size_t ip;

	eth(f, MAC1, MAC_ROUTER, 0x86dd);
	ip = ip6_begin(f, V6_HOST, "2001:db8::1", 60, 64);
	put32(f, 0x3a000000);
	ip6_end(f, ip);
}

static void v6_frag_udp_ports(struct frame *f, const char *src,
			      uint16_t offset, uint16_t sport)
{
	size_t ip;

	eth(f, MAC1, MAC_ROUTER, 0x86dd);
	ip = ip6_begin(f, src, "2001:db8::1", 44, 64);
	ip6_frag(f, 17, offset, 1);
	udp(f, sport, 546, 32);
	ip6_end(f, ip);
}

static void v6_frag_udp(struct frame *f, const char *src, uint16_t offset)
{
	v6_frag_udp_ports(f, src, offset, 547);
}

FRAME(v6_first_frag) { v6_frag_udp(f, V6_HOST, 0); }
FRAME(v6_first_frag_ephemeral) { v6_frag_udp_ports(f, V6_HOST, 0, 40001); }
FRAME(v6_later_frag) { v6_frag_udp(f, V6_HOST, 100); }
FRAME(v6_later_frag_stranger) { v6_frag_udp(f, V6_STRANGER, 100); }
FRAME(v6_later_frag_unspec) { v6_frag_udp(f, "::", 100); }

/* MLDv2 report from "::" with hop-by-hop router alert, as a host sends
 * before DAD has finished. */
static void mld_report(struct frame *f, const char *src, uint8_t type)
{
	size_t ip;

	eth(f, MAC1, MAC_V6MC_MLD, 0x86dd);
	ip = ip6_begin(f, src, type == 143 ? "ff02::16" : "ff02::1:ff00:1", 0, 1);
	ip6_opts(f, 58, 0);
	icmp6(f, type, 0);
	if (type == 143) {
		put16(f, 0);
		put16(f, 1);
		put8(f, 4);
		put8(f, 0);
		put16(f, 0);
		put_v6(f, "ff02::1:ff00:1");
	} else {
		put16(f, 0);
		put16(f, 0);
		put_v6(f, "ff02::1:ff00:1");
	}
	ip6_end(f, ip);
}

FRAME(mld2_report_unspec) { mld_report(f, "::", 143); }
FRAME(mld1_report_unspec) { mld_report(f, "::", 131); }
FRAME(mld2_report_ll) { mld_report(f, V6_LL, 143); }
FRAME(mld_query_unspec) { mld_report(f, "::", 130); }

/*
 * Neighbour Discovery.  nd() writes the IPv6 header, an optional fragment
 * header, the ICMPv6 message and its options.
 */
struct nd_spec {
	const char *src, *dst;
	uint8_t type, hop_limit;
	const char *target;		/* NS, NA */
	int slla, tlla;			/* option present */
	const uint8_t *lladdr;		/* their MAC */
	int nonce;
	int frag;			/* atomic fragment header */
};

static void nd(struct frame *f, const struct nd_spec *s)
{
	size_t ip;

	eth(f, MAC1, MAC_ALLNODES, 0x86dd);
	ip = ip6_begin(f, s->src, s->dst, s->frag ? 44 : 58,
		       s->hop_limit ? s->hop_limit : 255);
	if (s->frag)
		ip6_frag(f, 58, 0, 0);
	icmp6(f, s->type, 0);
	if (s->type == 136)
		put32(f, 0x60000000);	/* solicited, override */
	else if (s->type == 134)
		put32(f, 0x40000708);	/* hop limit 64, lifetime 1800 */
	else
		put32(f, 0);
	if (s->type == 134)
		put(f, NULL, 8);	/* reachable, retrans */
	if (s->target)
		put_v6(f, s->target);
	if (s->type == 137)
		put_v6(f, "2001:db8::1");	/* destination */
	if (s->nonce)
		nd_nonce(f);
	if (s->slla)
		nd_lladdr(f, 1, s->lladdr ? s->lladdr : MAC1);
	if (s->tlla)
		nd_lladdr(f, 2, s->lladdr ? s->lladdr : MAC1);
	ip6_end(f, ip);
}

#define ND_FRAME(fn, ...) \
	FRAME(fn) { struct nd_spec s = { __VA_ARGS__ }; nd(f, &s); }

/* DAD as Linux sends it: "::" to the solicited-node group, nonce. */
ND_FRAME(dad_ns, .src = "::", .dst = V6_SNM_HOST, .type = 135,
	 .target = V6_HOST, .nonce = 1)
ND_FRAME(dad_ns_ll, .src = "::", .dst = "ff02::1:ff00:1", .type = 135,
	 .target = V6_LL, .nonce = 1)
ND_FRAME(dad_ns_stable, .src = "::", .dst = V6_SNM_STABLE, .type = 135,
	 .target = V6_LL_STABLE, .nonce = 1)
ND_FRAME(dad_ns_stable_slla, .src = "::", .dst = V6_SNM_STABLE, .type = 135,
	 .target = V6_LL_STABLE, .slla = 1)
ND_FRAME(dad_ns_slla, .src = "::", .dst = V6_SNM_HOST, .type = 135,
	 .target = V6_HOST, .slla = 1)
ND_FRAME(dad_ns_foreign_target, .src = "::", .dst = "ff02::1:ff00:6",
	 .type = 135, .target = V6_STRANGER, .nonce = 1)
ND_FRAME(dad_ns_wrong_dst, .src = "::", .dst = "ff02::1", .type = 135,
	 .target = V6_HOST, .nonce = 1)
ND_FRAME(dad_ns_hoplimit, .src = "::", .dst = V6_SNM_HOST, .type = 135,
	 .target = V6_HOST, .hop_limit = 64)
ND_FRAME(ns, .src = V6_HOST, .dst = "ff02::1:ff00:1", .type = 135,
	 .target = "2001:db8::1", .slla = 1)
ND_FRAME(ns_no_slla, .src = V6_HOST, .dst = "2001:db8::1", .type = 135,
	 .target = "2001:db8::1")
ND_FRAME(ns_slla_spoof, .src = V6_HOST, .dst = "ff02::1:ff00:1", .type = 135,
	 .target = "2001:db8::1", .slla = 1, .lladdr = MAC_OTHER)
ND_FRAME(ns_hoplimit, .src = V6_HOST, .dst = "ff02::1:ff00:1", .type = 135,
	 .target = "2001:db8::1", .slla = 1, .hop_limit = 64)
ND_FRAME(ns_frag, .src = V6_HOST, .dst = "ff02::1:ff00:1", .type = 135,
	 .target = "2001:db8::1", .slla = 1, .frag = 1)
ND_FRAME(na, .src = V6_HOST, .dst = V6_ROUTER, .type = 136,
	 .target = V6_HOST, .tlla = 1)
ND_FRAME(na_ll, .src = V6_LL, .dst = "ff02::1", .type = 136,
	 .target = V6_LL, .tlla = 1)
ND_FRAME(na_host3_target, .src = V6_HOST, .dst = V6_ROUTER, .type = 136,
	 .target = V6_HOST3, .tlla = 1)
ND_FRAME(na_ll_of_mac2, .src = V6_LL, .dst = "ff02::1", .type = 136,
	 .target = V6_LL_MAC2, .tlla = 1)
ND_FRAME(na_unspec_target, .src = V6_HOST, .dst = V6_ROUTER, .type = 136,
	 .target = "::", .tlla = 1)
ND_FRAME(dad_ns_unspec_target, .src = "::", .dst = "ff02::1:ff00:0",
	 .type = 135, .target = "::", .nonce = 1)
ND_FRAME(na_prefix_target, .src = V6_HOST, .dst = V6_ROUTER, .type = 136,
	 .target = V6_IN_PREFIX, .tlla = 1)
ND_FRAME(na_foreign_target, .src = V6_HOST, .dst = V6_ROUTER, .type = 136,
	 .target = V6_ROUTER, .tlla = 1)
ND_FRAME(na_old_gen_target, .src = V6_HOST, .dst = V6_ROUTER, .type = 136,
	 .target = V6_OLD_GEN, .tlla = 1)
ND_FRAME(na_tlla_spoof, .src = V6_HOST, .dst = V6_ROUTER, .type = 136,
	 .target = V6_HOST, .tlla = 1, .lladdr = MAC_OTHER)
ND_FRAME(na_hoplimit, .src = V6_HOST, .dst = V6_ROUTER, .type = 136,
	 .target = V6_HOST, .tlla = 1, .hop_limit = 254)
ND_FRAME(na_frag, .src = V6_HOST, .dst = V6_ROUTER, .type = 136,
	 .target = V6_HOST, .tlla = 1, .frag = 1)
ND_FRAME(rs, .src = V6_LL, .dst = "ff02::2", .type = 133, .slla = 1)
ND_FRAME(rs_plain, .src = V6_LL, .dst = "ff02::2", .type = 133)
ND_FRAME(rs_slla_spoof, .src = V6_LL, .dst = "ff02::2", .type = 133,
	 .slla = 1, .lladdr = MAC_OTHER)
ND_FRAME(rs_hoplimit, .src = V6_LL, .dst = "ff02::2", .type = 133,
	 .hop_limit = 1)
ND_FRAME(rs_unspec, .src = "::", .dst = "ff02::2", .type = 133)
ND_FRAME(ra, .src = V6_LL, .dst = "ff02::1", .type = 134, .slla = 1)
ND_FRAME(ra_frag, .src = V6_LL, .dst = "ff02::1", .type = 134, .slla = 1,
	 .frag = 1)
ND_FRAME(redirect, .src = V6_LL, .dst = "fe80::2", .type = 137,
	 .target = V6_ROUTER)

/* ND options gone wrong, on an otherwise good NS. */
FRAME(ns_opt_len0)
{
	ns_no_slla(f);
	put8(f, 1);
	put8(f, 0);
	put(f, NULL, 6);
	ip6_end(f, 14);
}

FRAME(ns_opt_beyond)
{
	ns_no_slla(f);
	put8(f, 14);
	put8(f, 2);		/* 16 octets claimed, 8 there */
	put(f, NULL, 6);
	ip6_end(f, 14);
}

FRAME(ns_slla_len2)
{
	ns_no_slla(f);
	put8(f, 1);
	put8(f, 2);
	put_mac(f, MAC1);
	put(f, NULL, 8);
	ip6_end(f, 14);
}

/* An ICMPv6 message of type cut after 12 octets: w1 and w2 follow the
 * first four. */
static void icmp6_cut(struct frame *f, const char *src, const char *dst,
		      uint8_t type, uint32_t w1, uint32_t w2)
{
	size_t ip;

	eth(f, MAC1, MAC_ALLNODES, 0x86dd);
	ip = ip6_begin(f, src, dst, 58, 255);
	icmp6(f, type, 0);
	put32(f, w1);
	put32(f, w2);
	ip6_end(f, ip);
}

/* An NS cut after 12 octets of its 24. */
FRAME(ns_truncated) { icmp6_cut(f, V6_HOST, "ff02::1:ff00:1", 135, 0, 0x20010db8); }

/* Only 3 octets of ICMPv6. */
FRAME(icmp6_truncated)
{
	size_t ip;

	eth(f, MAC1, MAC_ROUTER, 0x86dd);
	ip = ip6_begin(f, V6_HOST, "2001:db8::1", 58, 64);
	icmp6(f, 128, 0);
	f->len--;
	ip6_end(f, ip);
	put8(f, 0);	/* Ethernet padding */
}

/* RFC 4286 3: type, reserved and checksum, nothing more. */
FRAME(mrd_solicit_short)
{
	size_t ip;

	eth(f, MAC1, MAC_ALLNODES, 0x86dd);
	ip = ip6_begin(f, V6_LL, "ff02::2", 58, 1);
	icmp6(f, 152, 0);
	ip6_end(f, ip);
}

/* --- DHCPv4 and DHCPv6: servers by destination, clients by chaddr --- */

FRAME(v4_offer_from_1067) { v4_udp_from(f, MAC1, V4_HOST, 1067, 68); }
FRAME(v4_offer_from_68) { v4_udp_from(f, MAC1, V4_HOST, 68, 68); }
FRAME(v4_udp_from_67) { v4_udp_from(f, MAC1, V4_HOST, 67, 53); }
FRAME(v4_udp_from_68) { v4_udp_from(f, MAC1, V4_HOST, 68, 40000); }

FRAME(v4_first_frag_offer_1067) { v4_first_frag_to_68(f, 1067); }

FRAME(dhcp_discover_mac2) { dhcp4(f, "0.0.0.0", "255.255.255.255", 68, 67, 0, 1, MAC2); }
FRAME(dhcp_discover_foreign) { dhcp4(f, "0.0.0.0", "255.255.255.255", 68, 67, 0, 1, MAC_OTHER); }
FRAME(dhcp_discover_bootreply) { dhcp4(f, "0.0.0.0", "255.255.255.255", 68, 67, 0, 2, MAC1); }
FRAME(dhcp_discover_htype6) { dhcp_discover(f); f->b[14 + 20 + 8 + 1] = 6; }
FRAME(dhcp_discover_hlen16) { dhcp_discover(f); f->b[14 + 20 + 8 + 2] = 16; }
FRAME(dhcp_request_unicast) { dhcp4(f, V4_HOST, V4_GW, 68, 67, 0, 1, MAC1); }
FRAME(dhcp_request_foreign) { dhcp4(f, V4_HOST, V4_GW, 68, 67, 0, 1, MAC_OTHER); }
FRAME(dhcp_request_frag) { dhcp4(f, V4_HOST, V4_GW, 68, 67, 0x2000, 1, MAC1); }
/* A relay agent forwards other clients' requests, server to server. */
FRAME(dhcp_relayed_foreign) { dhcp4(f, V4_HOST, V4_GW, 67, 67, 0, 1, MAC_OTHER); }

/* A DISCOVER cut one octet short of the end of chaddr. */
FRAME(dhcp_discover_short)
{
	size_t ip;

	eth(f, MAC1, MAC_BCAST, 0x0800);
	ip = ip4_begin(f, "0.0.0.0", "255.255.255.255", 17, 0, 0);
	udp(f, 68, 67, 0);
	set16(f, f->len - 4, 8 + 33);
	put8(f, 1);
	put8(f, 1);
	put8(f, 6);
	put8(f, 0);
	put(f, NULL, 24);
	put(f, MAC1, 5);
	ip4_end(f, ip);
	put(f, MAC1 + 5, 1);	/* the last octet, as padding past tot_len */
}

FRAME(dhcpv6_advertise_ephemeral) { v6_udp_from(f, V6_LL, V6_ROUTER, 40001, 546); }
FRAME(dhcpv6_advertise_from_546) { v6_udp_from(f, V6_LL, V6_ROUTER, 546, 546); }
FRAME(dhcpv6_from_547_elsewhere) { v6_udp_from(f, V6_LL, V6_ROUTER, 547, 40000); }
FRAME(v6_hbh_dhcpv6_ephemeral) { v6_hbh_udp_ports(f, 40001, 546); }

/* Hop-by-hop, destination options, routing, then UDP 40001 -> 546. */
FRAME(v6_chain_dhcpv6_ephemeral)
{
	size_t ip;

	eth(f, MAC1, MAC_ROUTER, 0x86dd);
	ip = ip6_begin(f, V6_LL, V6_ROUTER, 0, 64);
	ip6_opts(f, 60, 0);
	ip6_opts(f, 43, 1);
	ip6_routing(f, 17);
	udp(f, 40001, 546, 8);
	ip6_end(f, ip);
}

/* --- ARP probes --- */

FRAME(arp_probe_neighbour) { arp_frame(f, MAC1, 1, MAC1, "0.0.0.0", V4_GW); }
FRAME(arp_probe_zero_target) { arp_frame(f, MAC1, 1, MAC1, "0.0.0.0", "0.0.0.0"); }
FRAME(arp_probe_prefix) { arp_frame(f, MAC1, 1, MAC1, "0.0.0.0", V4_IN_PREFIX); }
FRAME(arp_probe_host3) { arp_frame(f, MAC1, 1, MAC1, "0.0.0.0", V4_HOST3); }
FRAME(arp_probe_old_gen) { arp_frame(f, MAC1, 1, MAC1, "0.0.0.0", V4_OLD_GEN); }

/* --- IGMP and MLD --- */

/* IGMP message of 8 octets (12 for a v3 query) from src to dst. */
static void igmp(struct frame *f, const char *src, const char *dst,
		 uint8_t type, uint16_t frag)
{
	size_t ip;

	eth(f, MAC1, (const uint8_t *)"\x01\x00\x5e\x00\x00\x01", 0x0800);
	ip = ip4_begin(f, src, dst, 2, 1, frag);
	put8(f, type);
	put8(f, type == 0x11 ? 100 : 0);	/* max response time */
	put16(f, 0);
	put_v4(f, type == 0x11 ? "0.0.0.0" : "239.1.2.3");
	if (type == 0x11)
		put32(f, 0x02140000);	/* v3 query: QRV 2, QQIC 20 */
	ip4_end(f, ip);
}

FRAME(igmp_query) { igmp(f, V4_HOST, "224.0.0.1", 0x11, 0); }
FRAME(igmp_query_zero) { igmp(f, "0.0.0.0", "224.0.0.1", 0x11, 0); }
FRAME(igmp_query_later_frag) { igmp(f, V4_HOST, "224.0.0.1", 0x11, 1); }
FRAME(igmp_report_first_frag) { igmp(f, V4_HOST, "239.1.2.3", 0x16, 0x2000); }

/* PIMv2 Hello (RFC 7761 4.9.2) with a holdtime option. */
static void pim_hello(struct frame *f)
{
	put8(f, 0x20);
	put8(f, 0);
	put16(f, 0);
	put16(f, 1);
	put16(f, 2);
	put16(f, 105);
}

FRAME(pim4_hello)
{
	size_t ip;

	eth(f, MAC1, (const uint8_t *)"\x01\x00\x5e\x00\x00\x0d", 0x0800);
	ip = ip4_begin(f, V4_HOST, "224.0.0.13", 103, 0, 0);
	pim_hello(f);
	ip4_end(f, ip);
	put(f, NULL, 12);	/* Ethernet padding */
}

FRAME(pim6_hello)
{
	size_t ip;

	eth(f, MAC1, (const uint8_t *)"\x33\x33\x00\x00\x00\x0d", 0x86dd);
	ip = ip6_begin(f, V6_LL, "ff02::d", 103, 1);
	pim_hello(f);
	ip6_end(f, ip);
}
FRAME(igmp_dvmrp) { igmp(f, V4_HOST, "224.0.0.4", 0x13, 0); }
FRAME(igmp_mrd_advert) { igmp(f, V4_HOST, "224.0.0.106", 0x30, 0); }
FRAME(igmp_v1_report) { igmp(f, V4_HOST, "239.1.2.3", 0x12, 0); }
FRAME(igmp_v2_report) { igmp(f, V4_HOST, "239.1.2.3", 0x16, 0); }
FRAME(igmp_v2_leave) { igmp(f, V4_HOST, "224.0.0.2", 0x17, 0); }
FRAME(igmp_v2_report_zero) { igmp(f, "0.0.0.0", "239.1.2.3", 0x16, 0); }
FRAME(igmp_v2_leave_zero) { igmp(f, "0.0.0.0", "224.0.0.2", 0x17, 0); }
FRAME(igmp_report_zero_unicast) { igmp(f, "0.0.0.0", V4_GW, 0x16, 0); }
FRAME(igmp_report_zero_frag) { igmp(f, "0.0.0.0", "239.1.2.3", 0x16, 0x2000); }
FRAME(igmp_v3_report_zero) { igmp_report(f); memset(f->b + 26, 0, 4); ip4_end(f, 14); }

/* Only 4 octets of IGMP. */
FRAME(igmp_truncated)
{
	size_t ip;

	eth(f, MAC1, (const uint8_t *)"\x01\x00\x5e\x00\x00\x01", 0x0800);
	ip = ip4_begin(f, V4_HOST, "224.0.0.1", 2, 1, 0);
	put32(f, 0x11640000);
	ip4_end(f, ip);
	put(f, NULL, 10);	/* Ethernet padding */
}

FRAME(mld_query_ll) { mld_report(f, V6_LL, 130); }
FRAME(mld_done_ll) { mld_report(f, V6_LL, 132); }
FRAME(mrd_advert_ll) { mld_report(f, V6_LL, 151); }
FRAME(mrd_solicit_ll) { mld_report(f, V6_LL, 152); }
FRAME(mrd_term_ll) { mld_report(f, V6_LL, 153); }

/* --- Router Advertisements with options --- */

ND_FRAME(ra_slla_spoof, .src = V6_LL, .dst = "ff02::1", .type = 134,
	 .slla = 1, .lladdr = MAC_OTHER)
ND_FRAME(ra_plain, .src = V6_LL, .dst = "ff02::1", .type = 134)

/* Prefix information (RFC 4861 4.6.2) for 2001:db8:5::/64. */
static void nd_prefix(struct frame *f)
{
	put8(f, 3);
	put8(f, 4);
	put8(f, 64);
	put8(f, 0xc0);		/* on-link, autonomous */
	put32(f, 2592000);
	put32(f, 604800);
	put32(f, 0);
	put_v6(f, "2001:db8:5::");
}

/* An RA as radvd sends it: prefix, MTU, RDNSS, then the source
 * link-layer address option of mac. */
static void ra_full(struct frame *f, const uint8_t *mac)
{
	ra_plain(f);
	nd_prefix(f);
	put8(f, 5);		/* MTU */
	put8(f, 1);
	put16(f, 0);
	put32(f, 1500);
	put8(f, 25);		/* RDNSS, one server (RFC 8106) */
	put8(f, 3);
	put16(f, 0);
	put32(f, 600);
	put_v6(f, "2001:db8:5::53");
	nd_lladdr(f, 1, mac);
	ip6_end(f, 14);
}

FRAME(ra_radvd) { ra_full(f, MAC1); }
FRAME(ra_radvd_spoof) { ra_full(f, MAC_OTHER); }

/* base (an ND message without options), n options made by opt, then
 * a source link-layer address option of slla unless NULL. */
static void nd_opts(struct frame *f, void (*base)(struct frame *), int n,
		    void (*opt)(struct frame *), const uint8_t *slla)
{
	base(f);
	for (int i = 0; i < n; i++)
		opt(f);
	if (slla)
		nd_lladdr(f, 1, slla);
	ip6_end(f, 14);
}

FRAME(ns_opts_4) { nd_opts(f, ns_no_slla, 3, nd_nonce, MAC1); }
FRAME(ns_opts_8) { nd_opts(f, ns_no_slla, 7, nd_nonce, MAC1); }
FRAME(ns_opts_9) { nd_opts(f, ns_no_slla, 9, nd_nonce, NULL); }
FRAME(ra_opts_8) { nd_opts(f, ra_plain, 7, nd_prefix, MAC1); }
/* Nine options, the spoofed address in the ninth. */
FRAME(ra_opts_9) { nd_opts(f, ra_plain, 8, nd_nonce, MAC_OTHER); }
/* An RA cut after 12 of its 16 octets. */
FRAME(ra_truncated) { icmp6_cut(f, V6_LL, "ff02::1", 134, 0x40000708, 0); }

/* --- the 512-octet read window, linear or not --- */

/* UDP after a hop-by-hop header of (units + 1) * 8 octets. */
static void v6_hbh_units_udp(struct frame *f, uint8_t units)
{
	size_t ip;

	eth(f, MAC1, MAC_ROUTER, 0x86dd);
	ip = ip6_begin(f, V6_HOST, "2001:db8::1", 0, 64);
	ip6_opts(f, 17, units);
	udp(f, 40000, 53, 16);
	ip6_end(f, ip);
}

/* The UDP header ends at octet 510 of the frame, or at 518. */
FRAME(v6_udp_in_window) { v6_hbh_units_udp(f, 55); }
FRAME(v6_udp_past_window) { v6_hbh_units_udp(f, 56); }

/* A destination options header that starts at octet 510. */
FRAME(v6_exthdr_past_window)
{
	size_t ip;

	eth(f, MAC1, MAC_ROUTER, 0x86dd);
	ip = ip6_begin(f, V6_HOST, "2001:db8::1", 0, 64);
	ip6_opts(f, 60, 56);
	ip6_opts(f, 17, 0);
	udp(f, 40000, 53, 16);
	ip6_end(f, ip);
}

/* An NS whose one option (440 octets) ends past octet 512. */
FRAME(ns_opts_past_window)
{
	ns_no_slla(f);
	put8(f, 14);
	put8(f, 55);
	put(f, NULL, 55 * 8 - 2);
	ip6_end(f, 14);
}

/* The same, one option unit shorter: it ends at octet 510. */
FRAME(ns_opts_in_window)
{
	ns_no_slla(f);
	put8(f, 14);
	put8(f, 54);
	put(f, NULL, 54 * 8 - 2);
	ip6_end(f, 14);
}

/* --- length 0: BIG TCP only, and only above 64 KiB --- */

FRAME(v4_tot_len_zero_tcp) { v4_tcp(f); set16(f, 16, 0); }
FRAME(v4_tot_len_zero_udp) { v4_host(f); set16(f, 16, 0); }
FRAME(v6_payload_zero_tcp) { v6_tcp(f); set16(f, 18, 0); }
FRAME(v6_payload_zero_udp) { v6_host(f); set16(f, 18, 0); }

/* Hop-by-hop Jumbo Payload (RFC 2675) naming the real remainder, TCP. */
static void v6_jumbo_hbh(struct frame *f, size_t frame_len, const char *src)
{
	size_t ip;

	eth(f, MAC1, MAC_ROUTER, 0x86dd);
	ip = ip6_begin(f, src, "2001:db8::1", 0, 64);
	put8(f, 6);		/* TCP */
	put8(f, 0);
	put8(f, 0xc2);
	put8(f, 4);
	put32(f, frame_len - 14 - 40);
	put(f, NULL, 20);
	f->b[f->len - 8] = 0x50;	/* data offset 5 */
	(void)ip;
}

FRAME(v6_jumbo_hbh_short) { v6_jumbo_hbh(f, 14 + 40 + 8 + 20, V6_HOST); }

/*
 * GSO super-packets above 64 KiB, as BIG TCP sends them from a veth or
 * tap guest.  The builder writes the headers, ending with the TCP
 * header; the runner appends zeros up to BIG_LEN and sends the
 * whole as one GSO packet through a packet socket with a virtio-net
 * header (ON_VETH_GSO): BPF_PROG_TEST_RUN takes at most a page.
 */
static void big_v4(struct frame *f, const char *src)
{
	size_t ip;

	eth(f, MAC1, MAC_ROUTER, 0x0800);
	ip = ip4_begin(f, src, "198.51.100.7", 6, 0, 0x4000);	/* DF */
	put(f, NULL, 20);
	f->b[f->len - 8] = 0x50;	/* data offset 5 */
	ip4_end(f, ip);
	set16(f, ip + 2, 0);	/* BIG TCP: total length 0 */
}

FRAME(big_v4_tcp) { big_v4(f, V4_HOST); }
FRAME(big_v4_tcp_stranger) { big_v4(f, V4_STRANGER); }

/* Linux >= 6.18: no hop-by-hop header, payload length 0. */
static void big_v6(struct frame *f, const char *src)
{
	eth(f, MAC1, MAC_ROUTER, 0x86dd);
	ip6_begin(f, src, "2001:db8::1", 6, 64);
	put(f, NULL, 20);
	f->b[f->len - 8] = 0x50;
}

FRAME(big_v6_tcp) { big_v6(f, V6_HOST); }
FRAME(big_v6_tcp_stranger) { big_v6(f, V6_STRANGER); }
FRAME(big_v6_tcp_unspec) { big_v6(f, "::"); }

FRAME(big_v6_jumbo) { v6_jumbo_hbh(f, BIG_LEN, V6_HOST); }
FRAME(big_v6_jumbo_stranger) { v6_jumbo_hbh(f, BIG_LEN, V6_STRANGER); }
FRAME(big_v6_jumbo_off_by_one) { v6_jumbo_hbh(f, BIG_LEN + 1, V6_HOST); }

/* --- the table ------------------------------------------------------------ */

/* Where a case runs: lo through BPF_PROG_TEST_RUN, the veth through a
 * packet socket (a GSO super-packet of BIG_LEN octets with ON_VETH_GSO),
 * or the veth's interface (its own policy, its own slot) through
 * BPF_PROG_TEST_RUN. */
enum run_on { ON_LO, ON_VETH, ON_IF2, ON_VETH_GSO };

struct tcase {
	const char *name;
	void (*build)(struct frame *f);
	void (*policy)(struct vg_policy *p);	/* change to the default */
	int verdict;				/* TC_ACT_OK or TC_ACT_SHOT */
	enum vg_reason reason;
	bool no_policy;				/* no policy entry at all */
	enum run_on on;
	int runs;				/* frames sent; 0 is 1 */
	bool fresh;				/* no drops entry before */
	bool spread;				/* run i on the i-th CPU */
};

#define PASS(n, b, pol)		{ n, b, pol, TC_ACT_OK, VG_PASS, false, ON_LO, 1, false, false }
#define DROP(n, b, pol, r)	{ n, b, pol, TC_ACT_SHOT, VG_##r, false, ON_LO, 1, false, false }
#define VETH_PASS(n, b, pol)	{ n, b, pol, TC_ACT_OK, VG_PASS, false, ON_VETH, 1, false, false }
#define VETH_DROP(n, b, pol, r)	{ n, b, pol, TC_ACT_SHOT, VG_##r, false, ON_VETH, 1, false, false }
#define GSO_PASS(n, b, pol)	{ n, b, pol, TC_ACT_OK, VG_PASS, false, ON_VETH_GSO, 1, false, false }
#define GSO_DROP(n, b, pol, r)	{ n, b, pol, TC_ACT_SHOT, VG_##r, false, ON_VETH_GSO, 1, false, false }
#define IF2_PASS(n, b, pol)	{ n, b, pol, TC_ACT_OK, VG_PASS, false, ON_IF2, 1, false, false }
#define IF2_DROP(n, b, pol, r)	{ n, b, pol, TC_ACT_SHOT, VG_##r, false, ON_IF2, 1, false, false }

static const struct tcase cases[] = {
	/* 1. policy and mode */
	{ "no policy entry: fail closed", v4_host, pol_none, TC_ACT_SHOT, VG_NO_POLICY, true, ON_LO, 1, false, false },
	DROP("mode disabled drops a legitimate frame", v4_host, pol_disabled, DISABLED),
	DROP("mode invalid (zeroed policy) drops", v4_host, pol_invalid, DISABLED),
	DROP("an unknown mode drops", v4_host, pol_mode_unknown, DISABLED),
	/* Audit: the drop counted under its reason, the frame passed. */
	{ "audit: a forged source is counted and passes", v4_stranger, pol_audit, TC_ACT_OK, VG_IPV4_SRC, false, ON_LO, 1, false, false },
	PASS("audit: the own source passes as a pass", v4_host, pol_audit),
	PASS("mode locked passes a legitimate frame", v4_host, pol_none),
	/* 2. Ethernet */
	DROP("frame shorter than an Ethernet header", eth_truncated, pol_none, MALFORMED),
	VETH_DROP("Ethernet header only, no IPv4 header", eth_only, pol_none, IPV4_MALFORMED),
	DROP("multicast source MAC", v4_src_mcast, pol_none, SRC_MAC_MCAST),
	DROP("broadcast source MAC", v4_src_bcast, pol_none, SRC_MAC_MCAST),
	DROP("foreign source MAC", v4_src_other_mac, pol_none, SRC_MAC),
	DROP("all-zero source MAC", v4_src_zero_mac, pol_none, SRC_MAC),
	PASS("second MAC of the interface", v4_mac2, pol_none),
	DROP("second MAC beyond n_macs", v4_mac2, pol_one_mac, SRC_MAC),
	/* 3. VLAN */
	DROP("802.1Q tagged frame", vlan_8021q, pol_none, VLAN),
	DROP("802.1ad tagged frame", vlan_8021ad, pol_none, VLAN),
	/* A tag still in the frame is one no device stripped: a second one,
	 * or a test run's.  Dropped, allowed or not. */
	DROP("802.1Q tag in the frame, 802.1Q allowed", vlan_8021q, pol_allow_8021q, VLAN),
	DROP("802.1ad tag in the frame, 802.1ad allowed", vlan_8021ad, pol_allow_8021ad, VLAN),
	DROP("802.1Q allowed, 802.1ad still dropped", vlan_8021ad, pol_allow_8021q, VLAN),
	DROP("allowed 802.1Q keeps the MAC check", vlan_8021q_other_mac, pol_allow_8021q, SRC_MAC),
	/* Through a veth the kernel moves the tag into skb metadata. */
	VETH_DROP("802.1Q tag stripped by the device", vlan_8021q, pol_none, VLAN),
	VETH_DROP("802.1ad tag stripped by the device", vlan_8021ad, pol_none, VLAN),
	VETH_PASS("stripped 802.1Q tag, 802.1Q allowed", vlan_8021q, pol_allow_8021q),
	VETH_DROP("stripped allowed tag: inner source checked", vlan_8021q_stranger, pol_allow_8021q, IPV4_SRC),
	VETH_DROP("stripped allowed tag: inner ARP checked", vlan_arp_spoof, pol_allow_8021q, ARP_SPA),
	VETH_PASS("stripped 802.1ad tag, 802.1ad allowed", vlan_8021ad, pol_allow_8021ad),
	VETH_DROP("802.1ad over 802.1Q: the inner tag stays", vlan_qinq, pol_allow_both_tags, VLAN),
	VETH_PASS("priority tag (VLAN 0), 802.1Q not allowed", prio_tag, pol_none),
	VETH_DROP("priority tag: inner source checked", prio_tag_stranger, pol_none, IPV4_SRC),
	VETH_DROP("802.1ad VLAN 0 is no priority tag", prio_tag_8021ad, pol_none, VLAN),
	VETH_DROP("stripped 802.1ad tag, only 802.1Q allowed", vlan_8021ad, pol_allow_8021q, VLAN),
	VETH_DROP("stripped tag, allowed, foreign MAC", vlan_8021q_other_mac, pol_allow_8021q, SRC_MAC),
	VETH_PASS("legitimate frame through the veth", v4_host, pol_none),
	/* 4. ethertypes */
	DROP("RARP", rarp, pol_none, ETHERTYPE),
	DROP("802.3 length field (LLC)", llc_8023, pol_none, ETHERTYPE),
	DROP("IPX", ethertype_ipx, pol_none, ETHERTYPE),
	DROP("LLDP not allowed", lldp, pol_none, ETHERTYPE),
	PASS("LLDP allowed as extra ethertype", lldp, pol_allow_lldp),
	/* 5. IPv4 */
	PASS("IPv4 UDP from a host address", v4_host, pol_none),
	PASS("IPv4 TCP from a host address", v4_tcp, pol_none),
	PASS("IPv4 from the second inline host", v4_host2, pol_none),
	PASS("IPv4 second inline host needs no trie", v4_host2, pol_no_v4_table),
	PASS("IPv4 from a third host (in the trie)", v4_host3, pol_none),
	DROP("IPv4 third host without VG_F_V4_TABLE", v4_host3, pol_no_v4_table, IPV4_SRC),
	DROP("IPv4 next to the third host (trie holds a /32)", v4_host3_next, pol_none, IPV4_SRC),
	PASS("IPv4 from a CIDR prefix", v4_in_prefix, pol_none),
	DROP("IPv4 just outside the prefix", v4_off_prefix, pol_none, IPV4_SRC),
	DROP("IPv4 prefix ignored without VG_F_V4_TABLE", v4_in_prefix, pol_no_v4_table, IPV4_SRC),
	DROP("IPv4 foreign source", v4_stranger, pol_none, IPV4_SRC),
	DROP("IPv4 address of the old generation", v4_old_gen, pol_none, IPV4_SRC),
	PASS("IPv4 old generation in force", v4_old_gen, pol_old_gen),
	DROP("IPv4 third host of the new gen, old gen in force", v4_host3, pol_old_gen, IPV4_SRC),
	DROP("IPv4 address of another interface", v4_other_if, pol_none, IPV4_SRC),
	PASS("IPv4 single inline host, no trie", v4_host, pol_single_addrs),
	DROP("IPv4 version 5", v4_bad_version, pol_none, IPV4_MALFORMED),
	DROP("IPv4 ihl 4", v4_ihl_4, pol_none, IPV4_MALFORMED),
	DROP("IPv4 tot_len below header length", v4_tot_len_short, pol_none, IPV4_MALFORMED),
	DROP("IPv4 tot_len beyond the frame", v4_tot_len_long, pol_none, IPV4_MALFORMED),
	VETH_DROP("IPv4 header truncated", v4_truncated_header, pol_none, IPV4_MALFORMED),
	DROP("IPv4 options beyond the frame", v4_options_truncated, pol_none, IPV4_MALFORMED),
	DROP("IPv4 UDP header truncated", v4_udp_truncated, pol_none, IPV4_MALFORMED),
	PASS("IGMPv3 report with router alert option", igmp_report, pol_none),
	PASS("DHCP discover from 0.0.0.0", dhcp_discover, pol_none),
	PASS("DHCP discover for the second MAC", dhcp_discover_mac2, pol_none),
	DROP("DHCP discover for a foreign chaddr (starvation)", dhcp_discover_foreign, pol_none, DHCP_CHADDR),
	DROP("DHCP discover, foreign chaddr, server allowed", dhcp_discover_foreign, pol_dhcp_server, DHCP_CHADDR),
	DROP("DHCP discover for the second MAC, one MAC", dhcp_discover_mac2, pol_one_mac, DHCP_CHADDR),
	DROP("BOOTREPLY from 0.0.0.0:68 to 67", dhcp_discover_bootreply, pol_none, DHCP_CHADDR),
	DROP("DHCP discover, htype 6", dhcp_discover_htype6, pol_none, DHCP_CHADDR),
	DROP("DHCP discover, hlen 16", dhcp_discover_hlen16, pol_none, DHCP_CHADDR),
	DROP("DHCP discover ending inside chaddr", dhcp_discover_short, pol_none, DHCP_CHADDR),
	PASS("DHCP request from an own address", dhcp_request_unicast, pol_none),
	DROP("DHCP request from an own address, foreign chaddr", dhcp_request_foreign, pol_none, DHCP_CHADDR),
	DROP("DHCP request in a first fragment", dhcp_request_frag, pol_none, DHCP_CHADDR),
	DROP("relayed request, foreign chaddr", dhcp_relayed_foreign, pol_none, DHCP_CHADDR),
	PASS("relayed request, server allowed", dhcp_relayed_foreign, pol_dhcp_server),
	DROP("DHCP discover with DHCP client off", dhcp_discover, pol_no_dhcp, IPV4_SRC),
	DROP("0.0.0.0 UDP 68->67 to a unicast address", dhcp_zero_unicast, pol_none, IPV4_SRC),
	DROP("0.0.0.0 UDP 67->67", dhcp_zero_wrong_port, pol_none, IPV4_SRC),
	DROP("0.0.0.0 DHCP in a fragment", dhcp_zero_fragment, pol_none, IPV4_SRC),
	DROP("0.0.0.0 TCP", v4_zero_tcp, pol_none, IPV4_SRC),
	/* An unused inline slot is zero: 0.0.0.0 must never match it. */
	DROP("0.0.0.0 TCP, unused inline slot", v4_zero_tcp, pol_single_addrs, IPV4_SRC),
	DROP("DHCP server reply 67->68", v4_dhcp_offer, pol_none, DHCP_SERVER),
	PASS("DHCP server reply, server allowed", v4_dhcp_offer, pol_dhcp_server),
	DROP("DHCP server reply in a first fragment", v4_first_frag_offer, pol_none, DHCP_SERVER),
	DROP("DHCP offer from port 1067 to 68", v4_offer_from_1067, pol_none, DHCP_SERVER),
	DROP("DHCP offer from port 68 to 68", v4_offer_from_68, pol_none, DHCP_SERVER),
	DROP("DHCP offer 1067->68 in a first fragment", v4_first_frag_offer_1067, pol_none, DHCP_SERVER),
	PASS("DHCP offer 1067->68, server allowed", v4_offer_from_1067, pol_dhcp_server),
	PASS("UDP from port 67 elsewhere", v4_udp_from_67, pol_none),
	PASS("UDP from port 68 elsewhere", v4_udp_from_68, pol_none),
	/* IGMP: hosts report and leave; queriers are routers. */
	DROP("IGMPv3 query", igmp_query, pol_none, IGMP_QUERY),
	PASS("IGMPv3 query, router allowed", igmp_query, pol_ra),
	DROP("IGMP DVMRP", igmp_dvmrp, pol_none, IGMP_QUERY),
	DROP("IGMP multicast router advertisement", igmp_mrd_advert, pol_none, IGMP_QUERY),
	PASS("IGMPv1 report", igmp_v1_report, pol_none),
	PASS("IGMPv2 report", igmp_v2_report, pol_none),
	PASS("IGMPv2 leave", igmp_v2_leave, pol_none),
	PASS("IGMPv3 report from 0.0.0.0 (RFC 3376 4.2.13)", igmp_v3_report_zero, pol_none),
	PASS("IGMPv2 report from 0.0.0.0", igmp_v2_report_zero, pol_none),
	PASS("IGMPv2 leave from 0.0.0.0", igmp_v2_leave_zero, pol_none),
	PASS("IGMP report from 0.0.0.0, DHCP client off", igmp_v2_report_zero, pol_no_dhcp),
	DROP("IGMP query from 0.0.0.0", igmp_query_zero, pol_none, IPV4_SRC),
	DROP("IGMP query from 0.0.0.0, router allowed", igmp_query_zero, pol_ra, IPV4_SRC),
	DROP("IGMP report from 0.0.0.0 to a unicast address", igmp_report_zero_unicast, pol_none, IPV4_SRC),
	DROP("IGMP report from 0.0.0.0 in a fragment", igmp_report_zero_frag, pol_none, IPV4_SRC),
	DROP("IGMP query in a non-first fragment", igmp_query_later_frag, pol_none, IGMP_QUERY),
	DROP("IGMP query in a non-first fragment, router allowed", igmp_query_later_frag, pol_ra, IGMP_QUERY),
	DROP("IGMP report in a first fragment", igmp_report_first_frag, pol_none, IGMP_QUERY),
	DROP("PIM hello", pim4_hello, pol_none, IGMP_QUERY),
	PASS("PIM hello, router allowed", pim4_hello, pol_ra),
	DROP("IGMP header truncated", igmp_truncated, pol_none, IPV4_MALFORMED),
	/* Length 0 is BIG TCP only, and only above 64 KiB. */
	DROP("IPv4 total length 0, short TCP", v4_tot_len_zero_tcp, pol_none, IPV4_MALFORMED),
	GSO_PASS("BIG TCP IPv4, 100000 octets", big_v4_tcp, pol_none),
	GSO_DROP("BIG TCP IPv4 from a foreign source", big_v4_tcp_stranger, pol_none, IPV4_SRC),
	DROP("IPv4 total length 0, short UDP", v4_tot_len_zero_udp, pol_none, IPV4_MALFORMED),
	PASS("IPv4 non-first fragment: source alone", v4_frag_host, pol_none),
	DROP("IPv4 non-first fragment, foreign source", v4_frag_stranger, pol_none, IPV4_SRC),
	/* 6. ARP */
	PASS("ARP request", arp_request, pol_none),
	PASS("ARP reply", arp_reply, pol_none),
	PASS("ARP probe (RFC 5227)", arp_probe, pol_none),
	DROP("ARP probe for the gateway's address", arp_probe_neighbour, pol_none, ARP_TPA),
	DROP("ARP probe for 0.0.0.0", arp_probe_zero_target, pol_none, ARP_TPA),
	DROP("ARP probe for 0.0.0.0, unused inline slot", arp_probe_zero_target, pol_single_addrs, ARP_TPA),
	PASS("ARP probe for a prefix address", arp_probe_prefix, pol_none),
	PASS("ARP probe for the third host (trie)", arp_probe_host3, pol_none),
	DROP("ARP probe for the third host, no trie", arp_probe_host3, pol_no_v4_table, ARP_TPA),
	DROP("ARP probe for an old-generation address", arp_probe_old_gen, pol_none, ARP_TPA),
	DROP("ARP reply from 0.0.0.0", arp_probe_reply, pol_none, ARP_SPA),
	PASS("ARP probe, unused inline slot", arp_probe, pol_single_addrs),
	DROP("ARP reply from 0.0.0.0, unused inline slot", arp_probe_reply, pol_single_addrs, ARP_SPA),
	PASS("ARP announcement", arp_announce, pol_none),
	PASS("gratuitous ARP reply", arp_gratuitous_reply, pol_none),
	PASS("ARP from a prefix address", arp_prefix, pol_none),
	PASS("ARP reply from the third host (trie)", arp_host3, pol_none),
	DROP("ARP reply from the third host, no trie", arp_host3, pol_no_v4_table, ARP_SPA),
	DROP("ARP sender MAC spoofed", arp_sha_spoof, pol_none, ARP_SHA),
	DROP("ARP poisoning: gateway IP", arp_spa_spoof, pol_none, ARP_SPA),
	DROP("ARP sender IP of the old generation", arp_spa_old_gen, pol_none, ARP_SPA),
	DROP("ARP htype 6", arp_bad_htype, pol_none, ARP_MALFORMED),
	DROP("ARP ptype IPv6", arp_bad_ptype, pol_none, ARP_MALFORMED),
	DROP("ARP hlen 8", arp_bad_hlen, pol_none, ARP_MALFORMED),
	DROP("ARP plen 16", arp_bad_plen, pol_none, ARP_MALFORMED),
	DROP("ARP op 3 (RARP request)", arp_bad_op, pol_none, ARP_MALFORMED),
	DROP("ARP truncated", arp_truncated, pol_none, ARP_MALFORMED),
	/* 7. IPv6 */
	PASS("IPv6 UDP from a host address", v6_host, pol_none),
	PASS("IPv6 TCP from a host address", v6_tcp, pol_none),
	PASS("IPv6 from the second inline host", v6_host2, pol_none),
	PASS("IPv6 second inline host needs no trie", v6_host2, pol_no_v6_table),
	PASS("IPv6 from a third host (in the trie)", v6_host3, pol_none),
	DROP("IPv6 third host without VG_F_V6_TABLE", v6_host3, pol_no_v6_table, IPV6_SRC),
	DROP("IPv6 next to the third host (trie holds a /128)", v6_host3_next, pol_none, IPV6_SRC),
	PASS("IPv6 from a prefix", v6_in_prefix, pol_none),
	DROP("IPv6 just outside the prefix", v6_off_prefix, pol_none, IPV6_SRC),
	DROP("IPv6 prefix ignored without VG_F_V6_TABLE", v6_in_prefix, pol_no_v6_table, IPV6_SRC),
	DROP("IPv6 foreign source", v6_stranger, pol_none, IPV6_SRC),
	DROP("IPv6 address of the old generation", v6_old_gen, pol_none, IPV6_SRC),
	PASS("IPv6 old generation in force", v6_old_gen, pol_old_gen),
	DROP("IPv6 third host of the new gen, old gen in force", v6_host3, pol_old_gen, IPV6_SRC),
	DROP("IPv6 address of another interface", v6_other_if, pol_none, IPV6_SRC),
	PASS("IPv6 single inline host, no trie", v6_host, pol_single_addrs),
	PASS("SLAAC link-local (EUI-64 of the MAC)", v6_ll, pol_none),
	PASS("link-local of the second MAC, sent from it", v6_ll_mac2, pol_none),
	DROP("link-local of the second MAC, sent from the first", v6_ll_of_mac2, pol_none, IPV6_SRC),
	DROP("link-local of another MAC", v6_ll_other, pol_none, IPV6_SRC),
	DROP("link-local without VG_F_LINK_LOCAL", v6_ll, pol_no_link_local, IPV6_SRC),
	DROP("EUI-64 with the u/l bit not inverted", v6_ll_no_ul, pol_none, IPV6_SRC),
	DROP("EUI-64 of the MAC outside fe80::/64", v6_ll_subnet, pol_none, IPV6_SRC),
	DROP("EUI-64 of the MAC in a global address", v6_eui_global, pol_none, IPV6_SRC),
	DROP("IPv6 version 4", v6_bad_version, pol_none, IPV6_MALFORMED),
	VETH_DROP("IPv6 header truncated", v6_truncated, pol_none, IPV6_MALFORMED),
	DROP("IPv6 payload length beyond the frame", v6_payload_long, pol_none, IPV6_MALFORMED),
	DROP("IPv6 UDP header truncated", v6_udp_truncated, pol_none, IPV6_MALFORMED),
	DROP(":: source, UDP", v6_unspec_udp, pol_none, IPV6_UNSPEC_SRC),
	DROP(":: source, UDP, unused inline slot", v6_unspec_udp, pol_single_addrs, IPV6_UNSPEC_SRC),
	DROP(":: source, echo request", v6_unspec_echo, pol_none, IPV6_UNSPEC_SRC),
	PASS("MLDv2 report from :: with hop-by-hop router alert", mld2_report_unspec, pol_none),
	PASS("MLDv1 report from ::", mld1_report_unspec, pol_none),
	PASS("MLDv2 report from the link-local address", mld2_report_ll, pol_none),
	DROP("MLD query from ::", mld_query_unspec, pol_none, IPV6_UNSPEC_SRC),
	DROP("MLD query from ::, router allowed", mld_query_unspec, pol_ra, IPV6_UNSPEC_SRC),
	DROP("MLD query from the link-local address", mld_query_ll, pol_none, MLD_QUERY),
	PASS("MLD query, router allowed", mld_query_ll, pol_ra),
	DROP("multicast router advertisement", mrd_advert_ll, pol_none, MLD_QUERY),
	DROP("multicast router termination", mrd_term_ll, pol_none, MLD_QUERY),
	PASS("multicast router advertisement, router allowed", mrd_advert_ll, pol_ra),
	PASS("multicast router solicitation", mrd_solicit_ll, pol_none),
	PASS("multicast router solicitation of 4 octets", mrd_solicit_short, pol_none),
	PASS("MLD done", mld_done_ll, pol_none),
	DROP("PIM hello over IPv6", pim6_hello, pol_none, MLD_QUERY),
	PASS("PIM hello over IPv6, router allowed", pim6_hello, pol_ra),
	DROP("IPv6 payload length 0, short TCP", v6_payload_zero_tcp, pol_none, IPV6_MALFORMED),
	DROP("IPv6 payload length 0, UDP", v6_payload_zero_udp, pol_none, IPV6_MALFORMED),
	DROP("jumbo payload option on a short frame", v6_jumbo_hbh_short, pol_none, IPV6_MALFORMED),
	GSO_PASS("BIG TCP IPv6, hop-by-hop jumbo, 100000 octets", big_v6_jumbo, pol_none),
	GSO_PASS("BIG TCP IPv6 without hop-by-hop (Linux >= 6.18)", big_v6_tcp, pol_none),
	GSO_DROP("BIG TCP IPv6 from a foreign source", big_v6_tcp_stranger, pol_none, IPV6_SRC),
	GSO_DROP("BIG TCP IPv6 from ::", big_v6_tcp_unspec, pol_none, IPV6_UNSPEC_SRC),
	GSO_DROP("BIG TCP IPv6, hop-by-hop jumbo, foreign source", big_v6_jumbo_stranger, pol_none, IPV6_SRC),
	GSO_DROP("jumbo payload length off by one", big_v6_jumbo_off_by_one, pol_none, IPV6_MALFORMED),
	/* The read window: the first 512 octets, whether linear or not. */
	PASS("UDP header ending at octet 510", v6_udp_in_window, pol_none),
	DROP("UDP header ending at octet 518", v6_udp_past_window, pol_none, IPV6_MALFORMED),
	DROP("extension header starting at octet 510", v6_exthdr_past_window, pol_none, IPV6_EXTHDR),
	PASS("ND option ending at octet 510", ns_opts_in_window, pol_none),
	DROP("ND option ending at octet 518", ns_opts_past_window, pol_none, ND_MALFORMED),
	PASS("ICMPv6 echo request", v6_echo, pol_none),
	PASS("UDP right after the fixed header, exact fit", v6_udp_fast, pol_none),
	PASS("TCP right after the fixed header, exact fit", v6_tcp_fast, pol_none),
	PASS("echo right after the fixed header, exact fit", v6_echo_fast, pol_none),
	PASS("hop-by-hop, then UDP (the walk)", v6_hbh_udp, pol_none),
	DROP("hop-by-hop, then DHCPv6 advertise", v6_hbh_dhcpv6_advertise, pol_none, DHCPV6_SERVER),
	PASS("6 destination option headers (the bound)", v6_chain_6, pol_none),
	DROP("7 destination option headers", v6_chain_7, pol_none, IPV6_EXTHDR),
	PASS("hop-by-hop, dst opts, routing, AH, UDP", v6_chain_mixed, pol_none),
	DROP("extension header longer than the payload", v6_exthdr_too_long, pol_none, IPV6_EXTHDR),
	DROP("extension header truncated", v6_exthdr_truncated, pol_none, IPV6_EXTHDR),
	DROP("DHCPv6 advertise in a first fragment", v6_first_frag, pol_none, DHCPV6_SERVER),
	DROP("DHCPv6 advertise from an ephemeral port, first fragment", v6_first_frag_ephemeral, pol_none, DHCPV6_SERVER),
	DROP("DHCPv6 advertise from an ephemeral port behind hop-by-hop", v6_hbh_dhcpv6_ephemeral, pol_none, DHCPV6_SERVER),
	DROP("DHCPv6 to 546 behind three extension headers", v6_chain_dhcpv6_ephemeral, pol_none, DHCPV6_SERVER),
	PASS("IPv6 non-first fragment: source alone", v6_later_frag, pol_none),
	DROP("IPv6 non-first fragment, foreign source", v6_later_frag_stranger, pol_none, IPV6_SRC),
	DROP("IPv6 non-first fragment from ::", v6_later_frag_unspec, pol_none, IPV6_UNSPEC_SRC),
	DROP("NS in an atomic fragment (RFC 6980)", ns_frag, pol_none, ND_FRAGMENT),
	DROP("NA in an atomic fragment", na_frag, pol_none, ND_FRAGMENT),
	DROP("RA in a fragment, RA allowed", ra_frag, pol_ra, ND_FRAGMENT),
	/* 8. ICMPv6 and ND */
	DROP("ICMPv6 header truncated", icmp6_truncated, pol_none, IPV6_MALFORMED),
	DROP("router advertisement", ra, pol_none, RA),
	PASS("router advertisement, RA allowed", ra, pol_ra),
	PASS("RA without options, RA allowed", ra_plain, pol_ra),
	DROP("RA with a spoofed SLLA, RA allowed", ra_slla_spoof, pol_ra, ND_LLADDR),
	DROP("RA with a spoofed SLLA, RA not allowed", ra_slla_spoof, pol_none, RA),
	PASS("RA as radvd sends it, RA allowed", ra_radvd, pol_ra),
	DROP("RA as radvd, SLLA spoofed after 3 options", ra_radvd_spoof, pol_ra, ND_LLADDR),
	PASS("RA with 8 options (the bound)", ra_opts_8, pol_ra),
	DROP("RA with 9 options", ra_opts_9, pol_ra, ND_MALFORMED),
	DROP("RA truncated, RA allowed", ra_truncated, pol_ra, ND_MALFORMED),
	DROP("redirect", redirect, pol_none, REDIRECT),
	PASS("redirect, RA allowed", redirect, pol_ra),
	PASS("router solicitation with SLLA", rs, pol_none),
	PASS("router solicitation without options", rs_plain, pol_none),
	DROP("router solicitation, SLLA spoofed", rs_slla_spoof, pol_none, ND_LLADDR),
	DROP("router solicitation, hop limit 1", rs_hoplimit, pol_none, ND_HOPLIMIT),
	DROP("router solicitation from ::", rs_unspec, pol_none, IPV6_UNSPEC_SRC),
	PASS("DAD NS with nonce option", dad_ns, pol_none),
	PASS("DAD NS for the link-local address", dad_ns_ll, pol_none),
	/* Learning: the probe passes (and claims the address) ... */
	PASS("DAD NS for a non-EUI-64 link-local, learning on", dad_ns_stable, pol_learn_ll),
	/* ... which the next case does not see: the maps are emptied. */
	DROP("UDP from a non-EUI-64 link-local never probed, learning on", v6_ll_stable_udp, pol_learn_ll, IPV6_SRC),
	DROP("DAD NS for a non-EUI-64 link-local, learning off", dad_ns_stable, pol_none, ND_TARGET),
	DROP("DAD NS for a non-EUI-64 link-local with SLLA, learning on", dad_ns_stable_slla, pol_learn_ll, ND_LLADDR),
	DROP("DAD NS for a foreign global target, learning on", dad_ns_foreign_target, pol_learn_ll, ND_TARGET),
	IF2_PASS("second interface: DAD NS for a non-EUI-64 link-local, learning on", dad_ns_stable, pol_learn_ll),
	DROP("DAD NS with SLLA option", dad_ns_slla, pol_none, ND_LLADDR),
	DROP("DAD NS for a foreign target", dad_ns_foreign_target, pol_none, ND_TARGET),
	DROP("DAD NS for target ::, unused inline slot", dad_ns_unspec_target, pol_single_addrs, ND_TARGET),
	DROP("NS from :: not to the solicited-node group", dad_ns_wrong_dst, pol_none, IPV6_UNSPEC_SRC),
	DROP("DAD NS, hop limit 64", dad_ns_hoplimit, pol_none, ND_HOPLIMIT),
	PASS("NS with SLLA", ns, pol_none),
	PASS("NS without options (unicast probe)", ns_no_slla, pol_none),
	DROP("NS, SLLA spoofed", ns_slla_spoof, pol_none, ND_LLADDR),
	DROP("NS, hop limit 64", ns_hoplimit, pol_none, ND_HOPLIMIT),
	PASS("NA for an own address with TLLA", na, pol_none),
	PASS("NA for the link-local address", na_ll, pol_none),
	DROP("NA for the link-local of the other MAC", na_ll_of_mac2, pol_none, ND_TARGET),
	PASS("NA for a prefix address", na_prefix_target, pol_none),
	PASS("NA for the third host (trie)", na_host3_target, pol_none),
	DROP("NA for the third host, no trie", na_host3_target, pol_no_v6_table, ND_TARGET),
	DROP("NA for the router's address", na_foreign_target, pol_none, ND_TARGET),
	DROP("NA for an old-generation address", na_old_gen_target, pol_none, ND_TARGET),
	DROP("NA for target ::, unused inline slots", na_unspec_target, pol_single_addrs, ND_TARGET),
	DROP("NA, TLLA spoofed", na_tlla_spoof, pol_none, ND_LLADDR),
	DROP("NA, hop limit 254", na_hoplimit, pol_none, ND_HOPLIMIT),
	DROP("ND option of length 0", ns_opt_len0, pol_none, ND_MALFORMED),
	DROP("ND option beyond the payload", ns_opt_beyond, pol_none, ND_MALFORMED),
	DROP("SLLA option of length 2", ns_slla_len2, pol_none, ND_MALFORMED),
	PASS("NS with 4 options", ns_opts_4, pol_none),
	PASS("NS with 8 options (the bound)", ns_opts_8, pol_none),
	DROP("NS with 9 options", ns_opts_9, pol_none, ND_MALFORMED),
	DROP("NS truncated", ns_truncated, pol_none, ND_MALFORMED),
	/* 9. DHCPv6 */
	PASS("DHCPv6 solicit", dhcpv6_solicit, pol_none),
	DROP("DHCPv6 advertise 547->546", dhcpv6_advertise, pol_none, DHCPV6_SERVER),
	PASS("DHCPv6 advertise, server allowed", dhcpv6_advertise, pol_dhcp_server),
	DROP("DHCPv6 advertise from an ephemeral port", dhcpv6_advertise_ephemeral, pol_none, DHCPV6_SERVER),
	DROP("DHCPv6 advertise from port 546", dhcpv6_advertise_from_546, pol_none, DHCPV6_SERVER),
	PASS("DHCPv6 to 546 from an ephemeral port, server allowed", dhcpv6_advertise_ephemeral, pol_dhcp_server),
	/* DHCP snooping on, nothing leased (sequences: test_dhcp.c): the
	 * configured addresses alone, and no server rights. */
	PASS("DHCP discover, learning DHCP", dhcp_discover, pol_learn_dhcp),
	PASS("DHCP request from an own address, learning DHCP", dhcp_request_unicast, pol_learn_dhcp),
	DROP("DHCP server reply, learning DHCP", v4_dhcp_offer, pol_learn_dhcp, DHCP_SERVER),
	DROP("DHCPv6 advertise, learning DHCP", dhcpv6_advertise, pol_learn_dhcp, DHCPV6_SERVER),
	PASS("DHCPv6 solicit, learning DHCP", dhcpv6_solicit, pol_learn_dhcp),
	PASS("IPv4 trie host, learning DHCP", v4_host3, pol_learn_dhcp),
	DROP("IPv4 foreign source, learning DHCP", v4_stranger, pol_learn_dhcp, IPV4_SRC),
	DROP("ARP foreign sender, learning DHCP", arp_spa_spoof, pol_learn_dhcp, ARP_SPA),
	PASS("IPv6 host, learning DHCP", v6_host, pol_learn_dhcp),
	DROP("IPv6 foreign source, learning DHCP", v6_stranger, pol_learn_dhcp, IPV6_SRC),
	PASS("UDP from port 547 elsewhere", dhcpv6_from_547_elsewhere, pol_none),
	/*
	 * 10. counters.  "fresh": the interface's drops entry for the reason
	 * is deleted first, so the first frame creates it and the second
	 * counts in it.  On one CPU a counter overwritten instead of
	 * incremented shows; spread over two, the per-CPU values of the
	 * entry the first frame created must add up.
	 */
	{ "two drops of one reason, one CPU: one entry, 2", v4_stranger, pol_none, TC_ACT_SHOT, VG_IPV4_SRC, false, ON_LO, 2, true, false },
	{ "two drops of one reason, two CPUs: one entry, 2", v4_stranger, pol_none, TC_ACT_SHOT, VG_IPV4_SRC, false, ON_LO, 2, true, true },
	{ "two IPv6 drops of one reason, one CPU: one entry, 2", v6_stranger, pol_none, TC_ACT_SHOT, VG_IPV6_SRC, false, ON_LO, 2, true, false },
	{ "two frames without a policy: totals only", v4_host, pol_none, TC_ACT_SHOT, VG_NO_POLICY, true, ON_LO, 2, false, false },
	{ "two passes in one slot, one CPU", v6_host3, pol_none, TC_ACT_OK, VG_PASS, false, ON_LO, 2, false, false },
	{ "two passes in one slot, two CPUs", v6_host3, pol_none, TC_ACT_OK, VG_PASS, false, ON_LO, 2, false, true },
	PASS("a pass goes to the slot the policy names (the last)", v4_host, pol_slot_last),
	/* The veth's interface: its own policy and slot, beside lo's. */
	IF2_PASS("second interface: a pass moves only its slot", v4_host, pol_none),
	IF2_DROP("second interface: a drop counts under its ifindex", v4_stranger, pol_none, IPV4_SRC),
	{ "second interface without a policy: totals only", v4_host, pol_none, TC_ACT_SHOT, VG_NO_POLICY, true, ON_IF2, 1, false, false },
	PASS("lo after the second interface: lo's slot only", v4_host, pol_none),
};

/* --- runner ---------------------------------------------------------------- */

static cpu_set_t cpus_allowed;

static const char *verdict_name(int v)
{
	return v == TC_ACT_OK ? "OK" : v == TC_ACT_SHOT ? "SHOT" : "?";
}

/* Pins the runner to the i-th CPU it may use (wrapping). */
static void pin_cpu(int i)
{
	int n = CPU_COUNT(&cpus_allowed), seen = 0;
	cpu_set_t one;

	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &cpus_allowed) || seen++ != i % n)
			continue;
		CPU_ZERO(&one);
		CPU_SET(c, &one);
		if (sched_setaffinity(0, sizeof(one), &one))
			die("sched_setaffinity", errno);
		return;
	}
}

/* The counters a frame on the veth moves, to see that it has arrived. */
static __u64 veth_activity(void)
{
	__u64 t[VG_REASON_MAX], n = read_pass(SLOT_VETH);

	read_totals(t);
	for (int r = 0; r < VG_REASON_MAX; r++)
		n += t[r];
	return n;
}

/*
 * Sends the headers in f and zeros up to BIG_LEN octets as one TCP GSO
 * packet.  Returns what sendmsg() does.
 */
static ssize_t gso_send(const struct frame *f)
{
	static uint8_t zeros[BIG_LEN];
	struct virtio_net_hdr vh = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = f->b[12] == 0x08 ? VIRTIO_NET_HDR_GSO_TCPV4 :
					       VIRTIO_NET_HDR_GSO_TCPV6,
		.hdr_len = f->len,
		.gso_size = 1400,
		/* Every builder ends with the TCP header. */
		.csum_start = f->len - 20,
		.csum_offset = 16,
	};
	struct iovec iov[3] = {
		{ &vh, sizeof(vh) },
		{ (void *)f->b, f->len },
		{ zeros, BIG_LEN - f->len },
	};
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 3 };

	return sendmsg(gso_sock, &msg, 0);
}

static void big_v6_jumbo(struct frame *f);

/*
 * Sends a BIG TCP packet with a hop-by-hop jumbo header and looks at what
 * arrives on the filtered end (a packet socket sees it before tc): kernels
 * from 5.19 to 6.17 keep the header, later ones remove it in the sender's
 * stack.  Only where it is kept can the cases that carry it be run.
 */
static void probe_hbh_jumbo(void)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_IPV6),
		.sll_ifindex = veth_ifindex,
	};
	struct timeval tv = { .tv_sec = 2 };
	struct frame f = { .len = 0 };
	uint8_t got[64];
	int fd;

	snprintf(hbh_jumbo_why, sizeof(hbh_jumbo_why), "%s",
		 "no BIG TCP packet came through the veth");
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_IPV6));
	if (fd < 0)
		return;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		goto out;
	big_v6_jumbo(&f);
	if (gso_send(&f) < 0)
		goto out;
	if (recv(fd, got, sizeof(got), MSG_TRUNC) < 41)
		goto out;
	hbh_jumbo_kept = got[20] == 0;
	if (!hbh_jumbo_kept)
		snprintf(hbh_jumbo_why, sizeof(hbh_jumbo_why), "%s",
			 "this kernel removes the hop-by-hop jumbo header before "
			 "the device (Linux >= 6.18)");
out:
	close(fd);
}

/* Sends f on the peer and waits until the filter has seen it.  Returns
 * the verdict, read from the pass counter, or -1. */
static int veth_send(const struct frame *f, bool gso)
{
	__u64 was = veth_activity(), passed = read_pass(SLOT_VETH);

	if (gso) {
		if (gso_send(f) != (ssize_t)(sizeof(struct virtio_net_hdr) + BIG_LEN))
			return -1;
	} else if (sendto(pkt_sock, f->b, f->len, 0, NULL, 0) != (ssize_t)f->len) {
		return -1;
	}
	/* The frame is processed asynchronously; wait for it, then a
	 * little more in case more than one counter moves. */
	for (int i = 0; i < 200 && veth_activity() == was; i++)
		sleep_ms(10);
	sleep_ms(20);
	return read_pass(SLOT_VETH) != passed ? TC_ACT_OK : TC_ACT_SHOT;
}

static int run_case(int n, const struct tcase *t)
{
	int ifindex = t->on == ON_LO ? lo_ifindex : veth_ifindex;
	struct __sk_buff ctx = { .ifindex = ifindex };
	struct frame f = { .len = 0 };
	struct vg_policy p;
	struct expect e;
	char moved[MOVED_MAX];
	int runs = t->runs ? t->runs : 1, verdict = -1, err, wrong;
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.ctx_in = &ctx,
		.ctx_size_in = sizeof(ctx),
		.repeat = 1,
	);

	if (t->on != ON_LO && pkt_sock < 0) {
		printf("ok %d - %s # SKIP no veth pair (%s)\n", n, t->name,
		       veth_error);
		return 0;
	}
	if (t->on == ON_VETH_GSO && !hbh_jumbo_kept) {
		struct frame h = { .len = 0 };

		t->build(&h);
		if (h.b[12] == 0x86 && h.b[20] == 0) {
			printf("ok %d - %s # SKIP %s\n", n, t->name, hbh_jumbo_why);
			return 0;
		}
	}
	if (t->on == ON_VETH_GSO && gso_sock < 0) {
		printf("ok %d - %s # SKIP no GSO packet socket (%s)\n", n,
		       t->name, veth_error);
		return 0;
	}
	if (t->spread && CPU_COUNT(&cpus_allowed) < 2) {
		printf("ok %d - %s # SKIP one CPU only\n", n, t->name);
		return 0;
	}
	clear_learning();
	default_policy(&p, t->on == ON_LO ? SLOT_LO : SLOT_VETH);
	t->policy(&p);
	place_policy(ifindex, &p, !t->no_policy);
	if (t->fresh) {
		struct vg_drop_key k = { .ifindex = ifindex, .reason = t->reason };

		bpf_map_delete_elem(map_fd(skel->maps.drops), &k);
	}
	t->build(&f);
	opts.data_in = f.b;
	opts.data_size_in = f.len;

	read_counters(&before);
	for (int i = 0; i < runs; i++) {
		int v;

		if (t->on == ON_VETH || t->on == ON_VETH_GSO) {
			v = veth_send(&f, t->on == ON_VETH_GSO);
			if (v < 0) {
				printf("not ok %d - %s: send on the veth failed: %s\n",
				       n, t->name, strerror(errno));
				return 1;
			}
		} else {
			if (runs > 1)
				pin_cpu(t->spread ? i : 0);
			err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.vifguard),
						     &opts);
			if (runs > 1 &&
			    sched_setaffinity(0, sizeof(cpus_allowed), &cpus_allowed))
				die("sched_setaffinity", errno);
			if (err && errno == EINVAL && f.len < 14) {
				/* Packet sockets pad such frames to 14 bytes too: no
				 * way to deliver one, the check stays as a guard. */
				printf("ok %d - %s # SKIP the kernel refuses to run "
				       "frames under 14 bytes\n", n, t->name);
				return 0;
			}
			if (err) {
				printf("not ok %d - %s: test run failed: %s\n", n,
				       t->name, strerror(errno));
				return 1;
			}
			v = opts.retval;
		}
		/* Every run must give the verdict; the first wrong one shows. */
		if (verdict < 0 || v != t->verdict)
			verdict = v;
	}
	read_counters(&after);

	e = (struct expect){
		.pass = t->reason == VG_PASS,	/* audit: OK, counted as a drop */
		.policy = !t->no_policy,
		.slot = p.slot,
		.ifindex = ifindex,
		.reason = t->reason,
		.n = runs,
	};
	wrong = compare_counters(&e, moved);
	if (verdict == t->verdict && !wrong) {
		printf("ok %d - %-52s %-4s %-20s%s%s%s\n", n, t->name,
		       verdict_name(t->verdict), vg_reason_name(t->reason),
		       t->on == ON_VETH ? " (veth)" : t->on == ON_IF2 ? " (if2)" :
		       t->on == ON_VETH_GSO ? " (veth, GSO)" : "",
		       runs > 1 ? " (x2)" : "", placement == IN_SPILL ? " (spill)" : "");
		return 0;
	}
	printf("not ok %d - %s%s: expected %s/%s x%d, got %s, %d counter(s) "
	       "wrong (moved: %s)\n", n, t->name,
	       placement == IN_SPILL ? " (spill)" : "", verdict_name(t->verdict),
	       vg_reason_name(t->reason), runs, verdict_name(verdict), wrong,
	       moved);
	return 1;
}

/*
 * "drops" full: a frame that needs a new drop counter is still dropped,
 * counted in the host total of its reason, and no entry appears.  The
 * table is filled with counters of interfaces that do not exist, then
 * emptied of them again.
 */
static int drops_full_case(int n)
{
	const char *name = "drops full: still dropped, counted in totals only";
	int fd = map_fd(skel->maps.drops), filled = 0, ret = 1;
	__u64 before[VG_REASON_MAX], after[VG_REASON_MAX];
	struct __sk_buff ctx = { .ifindex = lo_ifindex };
	struct vg_drop_key mine = { .ifindex = lo_ifindex, .reason = VG_IPV4_SRC };
	__u64 *zero = calloc(ncpus, sizeof(*zero));
	struct vg_policy p;
	struct frame f = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.ctx_in = &ctx,
		.ctx_size_in = sizeof(ctx),
		.repeat = 1,
	);

	if (!zero)
		die("calloc", ENOMEM);
	default_policy(&p, SLOT_LO);
	place_policy(lo_ifindex, &p, true);
	bpf_map_delete_elem(fd, &mine);
	for (__u32 i = 0;; i++) {
		struct vg_drop_key k = { .ifindex = 1000000 + i, .reason = VG_IPV4_SRC };

		if (bpf_map_update_elem(fd, &k, zero, BPF_NOEXIST) == 0) {
			filled++;
			continue;
		}
		if (errno != E2BIG)
			die("drops fill", errno);
		break;
	}
	v4_stranger(&f);
	opts.data_in = f.b;
	opts.data_size_in = f.len;
	read_totals(before);
	if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.vifguard), &opts))
		die("test run", errno);
	read_totals(after);
	if (opts.retval != TC_ACT_SHOT)
		printf("not ok %d - %s: verdict %s\n", n, name, verdict_name(opts.retval));
	else if (after[VG_IPV4_SRC] != before[VG_IPV4_SRC] + 1)
		printf("not ok %d - %s: totals ipv4-src +%llu\n", n, name,
		       (unsigned long long)(after[VG_IPV4_SRC] - before[VG_IPV4_SRC]));
	else if (bpf_map_lookup_elem(fd, &mine, zero) == 0 || errno != ENOENT)
		printf("not ok %d - %s: an entry for lo appeared in a full table\n", n, name);
	else
		ret = 0;
	if (!ret)
		printf("ok %d - %-52s SHOT ipv4-src (totals; %d entries filled the table)\n",
		       n, name, filled);
	for (__u32 i = 0; i < (__u32)filled; i++) {
		struct vg_drop_key k = { .ifindex = 1000000 + i, .reason = VG_IPV4_SRC };

		bpf_map_delete_elem(fd, &k);
	}
	free(zero);
	return ret;
}

int main(int argc, char **argv)
{
	size_t n = sizeof(cases) / sizeof(cases[0]);
	int failed = 0, first = 1, err;
	size_t percpu_size;
	char *end;

	if (argc > 1) {
		errno = 0;
		first = strtol(argv[1], &end, 10);
		if (errno || *end || first < 1) {
			fprintf(stderr, "usage: test-bpf [FIRST]\n");
			return 2;
		}
	}
	if (geteuid() != 0) {
		printf("ok %d - bpf program tests # SKIP needs root\n", first);
		return 0;
	}
	/* A namespace of our own: the veth pair never meets anyone's. */
	if (unshare(CLONE_NEWNET))
		die("unshare(CLONE_NEWNET)", errno);
	lo_ifindex = if_nametoindex("lo");
	ncpus = libbpf_num_possible_cpus();
	if (!lo_ifindex || ncpus <= 0)
		die("lo / possible CPUs", ENODEV);
	if (sched_getaffinity(0, sizeof(cpus_allowed), &cpus_allowed))
		die("sched_getaffinity", errno);
	percpu_size = sizeof(struct vg_stats);
	percpu = calloc(ncpus, percpu_size);
	if (!percpu)
		die("calloc", ENOMEM);

	skel = vifguard__open_and_load();
	if (!skel)
		die("vifguard__open_and_load", errno);
	setup_maps(lo_ifindex, SLOT_LO);
	err = veth_setup();
	if (err)
		snprintf(veth_error, sizeof(veth_error), "%s", strerror(-err));
	else
		probe_hbh_jumbo();

	for (size_t i = 0; i < n; i++)
		failed += run_case(first + i, &cases[i]);
	placement = IN_SPILL;
	printf("# the same cases, each policy in the spill hash\n");
	for (size_t i = 0; i < n; i++)
		failed += run_case(first + n + i, &cases[i]);
	placement = IN_ARRAY;
	failed += drops_full_case(first + 2 * n);
	printf("# %zu cases, %d failed\n", 2 * n + 1, failed);
	if (pkt_sock >= 0)
		close(pkt_sock);
	if (gso_sock >= 0)
		close(gso_sock);
	/* The namespace, its veth pair and filter go when we exit. */
	vifguard__destroy(skel);
	free(percpu);
	return failed ? 1 : 0;
}
