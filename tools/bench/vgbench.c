// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * vgbench: the measuring tool behind `make bench` (tools/bench/run.sh).
 *
 *   vgbench prog OBJ [options]     in-kernel cost per frame of the tc
 *                                  program in OBJ by BPF_PROG_TEST_RUN, per
 *                                  verdict path and number of policies;
 *                                  map memory, verifier figures
 *   vgbench pin OBJ DIR            loads the harness programs (bench.bpf.o)
 *                                  and pins them and the sink counter in DIR
 *   vgbench fwd [options]          XDP live-frame generator: sends UDP
 *                                  frames out of a guest interface for a
 *                                  while, prints sent, received at the sink
 *                                  and the elapsed time
 *   vgbench run [-P N] [-q]        runs the commands read from stdin (one a
 *                                  line, words split on blanks), N at a
 *                                  time; prints wall and CPU time of each
 *                                  and of the whole batch
 *
 * Figures go to stdout as plain lines that run.sh parses and tabulates;
 * `prog` prints its tables itself.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "memlock.h"
#include "vifguard.h"
#include "vifguard_user.h"
#include "frame.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vgbench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_FAILURE);
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void pin_cpu(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("cannot pin to CPU %d: %s", cpu, strerror(errno));
}

static unsigned long parse_ul(const char *s, const char *what, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > max)
		die("bad %s: %s", what, s);
	return v;
}

static void parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5], &tail) != 6)
		die("bad MAC: %s", s);
	for (int i = 0; i < 6; i++) {
		if (b[i] > 255)
			die("bad MAC: %s", s);
		mac[i] = b[i];
	}
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

/* ---- frames ------------------------------------------------------------ */

/* IPv4 header with ihl 5 (or the given ihl, to make it malformed), then
 * UDP and pay octets of zeroes. */
static void ipv4_udp_pay(struct frame *f, uint32_t src, uint32_t dst, uint16_t sport,
			 uint16_t dport, int ihl, uint16_t pay)
{
	uint32_t ip = f->len;
	uint16_t tot = 20 + 8 + pay;

	put8(f, 0x40 | ihl);
	put8(f, 0);
	put16(f, tot);
	put16(f, 1);
	put16(f, 0);
	put8(f, 64);
	put8(f, 17);
	put16(f, 0);
	put32(f, src);
	put32(f, dst);
	uint16_t c = csum_fold(csum_add(0, f->b + ip, 20));
	f->b[ip + 10] = c >> 8;
	f->b[ip + 11] = c & 0xff;
	put16(f, sport);
	put16(f, dport);
	put16(f, 8 + pay);
	put16(f, 0);
	put(f, NULL, pay);
}

/* The payload brings the frame to at least 60 octets. */
static void ipv4_udp(struct frame *f, uint32_t src, uint32_t dst, uint16_t sport,
		     uint16_t dport, int ihl)
{
	ipv4_udp_pay(f, src, dst, sport, dport, ihl, 18);
}

/* BOOTP message size relays and old servers expect (RFC 1542 2.1);
 * ISC dhclient pads its requests to it as well. */
#define BOOTP_MIN_LEN	300

/*
 * What a DHCP client without an address broadcasts first (RFC 2131 4.4.1):
 * 0.0.0.0:68 -> 255.255.255.255:67, a BOOTREQUEST whose chaddr is mac (the
 * program checks it is one of the interface's), the magic cookie, then
 * DHCPDISCOVER options, padded to BOOTP_MIN_LEN.  The UDP checksum is set,
 * as clients set it, so that the frame is one a DHCP server would take.
 */
static void dhcp_discover(struct frame *f, const uint8_t *mac)
{
	uint32_t ip = f->len, pay = ip + 20 + 8;
	uint8_t ph[12 + sizeof(f->b)];
	uint16_t ulen = 8 + BOOTP_MIN_LEN, c;

	ipv4_udp_pay(f, 0, 0xffffffff, 68, 67, 5, BOOTP_MIN_LEN);
	f->len = pay;
	put8(f, 1);		/* op: BOOTREQUEST */
	put8(f, 1);		/* htype: Ethernet */
	put8(f, 6);		/* hlen */
	put8(f, 0);		/* hops */
	put32(f, 0x3903f326);	/* xid */
	put16(f, 0);		/* secs */
	put16(f, 0x8000);	/* flags: broadcast, the client has no address yet */
	put(f, NULL, 16);		/* ciaddr, yiaddr, siaddr, giaddr */
	put(f, mac, 6);	/* chaddr, 16 octets */
	put(f, NULL, 10);
	put(f, NULL, 64 + 128);	/* sname, file */
	put32(f, 0x63825363);	/* magic cookie (RFC 2131 3) */
	put8(f, 53);		/* DHCP message type (RFC 2132 9.6) */
	put8(f, 1);
	put8(f, 1);		/* DHCPDISCOVER */
	put8(f, 61);		/* client identifier: type 1 (Ethernet), MAC */
	put8(f, 7);
	put8(f, 1);
	put(f, mac, 6);
	put8(f, 55);		/* parameter request list: mask, router, DNS, domain */
	put8(f, 4);
	put8(f, 1);
	put8(f, 3);
	put8(f, 6);
	put8(f, 15);
	put8(f, 255);		/* end */
	put(f, NULL, pay + BOOTP_MIN_LEN - f->len);

	/* UDP checksum over the pseudo-header (RFC 768); 0 is sent as
	 * 0xffff, since 0 means "none". */
	memset(ph, 0, 12);
	memcpy(ph, f->b + ip + 12, 8);	/* source, destination */
	ph[9] = 17;
	ph[10] = ulen >> 8;
	ph[11] = ulen & 0xff;
	memcpy(ph + 12, f->b + pay - 8, ulen);
	c = csum_fold(csum_add(0, ph, 12 + ulen));
	if (!c)
		c = 0xffff;
	f->b[pay - 2] = c >> 8;
	f->b[pay - 1] = c & 0xff;
}

/* ARP from sha, spa to tpa (host order), target MAC zero, padded to the
 * 60 octets of a minimal Ethernet frame; hlen is the field only. */
static void arp_pad(struct frame *f, uint16_t op, uint8_t hlen, const uint8_t *sha, uint32_t spa,
		    uint32_t tpa)
{
	static const uint8_t none[6];

	arp_in(f, op, hlen, sha, (struct in_addr){ htonl(spa) }, none,
	       (struct in_addr){ htonl(tpa) });
	put(f, NULL, 18);
}

/* ND: type, target, then an optional link-layer option (type 0: none). */
static void nd(struct frame *f, uint8_t type, const struct in6_addr *target, uint8_t opt,
	       const uint8_t *lladdr)
{
	put8(f, type);
	put8(f, 0);
	put16(f, 0);
	put32(f, type == 136 ? 0x60000000 : 0);	/* NA: solicited, override */
	put(f, target, 16);
	if (opt) {
		put8(f, opt);
		put8(f, 1);
		put(f, lladdr, 6);
	}
}

/* ---- prog: in-kernel cost per frame --------------------------------------- */

enum dev_kind { DEV_LOCKED, DEV_DISABLED, DEV_NOPOLICY, DEV_PREFIX, DEV_SPILL, DEV_KINDS };

/* What a case runs on: the ingress program, the same with a learned
 * link-local address, a DHCP lease or first-use addresses in place, or
 * the egress program, on any frame or on a DHCP server's message to a
 * guest that learns by DHCP. */
enum case_kind { CASE_IN, CASE_LEARNED, CASE_LEASE, CASE_FIRST, CASE_OUT, CASE_OUT_DHCP };

/* What check_case() verifies of the leases besides the counters: the
 * test interface's IPv4 or IPv6 lease renewed by the frame, or nothing
 * learned from it (V4_OTHER_LEASE absent, the IPv4 lease unchanged). */
enum lease_check { LEASE_ANY, LEASE_RENEW4, LEASE_RENEW6, LEASE_UNTOUCHED };

struct tcase {
	const char *name;
	enum dev_kind dev;
	unsigned int reason;
	enum case_kind kind;
	enum lease_check lease;
	struct frame f;
};

/* Room for the cases build_cases() makes. */
#define MAX_CASES	48

/* The table build_cases() fills: tc, with room for MAX_CASES. */
struct cases {
	struct tcase *tc;
	int n;
};

static const uint8_t MAC_G[6] = { 0x02, 0x00, 0x00, 0x00, 0x01, 0x01 };
static const uint8_t MAC_P[6] = { 0x02, 0x00, 0x00, 0x00, 0x01, 0x02 };
static const uint8_t MAC_PEER[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xfe };
static const uint8_t MAC_OTHER[6] = { 0x02, 0x00, 0x00, 0x00, 0x09, 0x09 };

#define V4_G		0x0a000001	/* 10.0.0.1, the test interface's own */
#define V4_PEER		0x0a0000fe
#define V4_OTHER	0x0a000063	/* 10.0.0.99: nobody's */
#define V4_PFX_IN	0x0a010203	/* 10.1.2.3 in 10.1.0.0/16 */
#define V4_LEASED	0x0a00004d	/* 10.0.0.77: the test interface's DHCP lease */
#define V4_OTHER_LEASE	0x0a00004e	/* 10.0.0.78: another guest's */
/* The prefix interface's first-use addresses, one per IPv4 lease slot
 * (10.0.0.88, 10.0.0.89), and a source it has not used (10.0.0.90). */
#define V4_FIRST	0x0a000058
#define V4_FIRST_NEW	0x0a00005a
#define V4_NETMASK	0xffffff00
#define V4_BCAST	0x0a0000ff

/* The DHCP server's lease time and, as dnsmasq derives them, T1 (1/2)
 * and T2 (7/8 for DHCPv4, 4/5 for DHCPv6). */
#define LEASE_S		3600u

static struct in6_addr v6(const char *s)
{
	struct in6_addr a;

	if (inet_pton(AF_INET6, s, &a) != 1)
		die("bad IPv6 address %s", s);
	return a;
}

/* IPv4 UDP 40000 -> 9 from smac and src to MAC_PEER and V4_PEER, header
 * length ihl. */
static void udp4_to_peer(struct frame *f, const uint8_t *smac, uint32_t src, int ihl)
{
	eth(f, smac, MAC_PEER, ETH_P_IP);
	ipv4_udp(f, src, V4_PEER, 40000, 9, ihl);
}

/* IPv6 UDP 40000 -> 9 from smac and src to MAC_PEER and dst; returns
 * where the IPv6 header starts. */
static size_t udp6_to_peer(struct frame *f, const uint8_t *smac, const struct in6_addr *src,
			   const struct in6_addr *dst)
{
	size_t at;

	eth(f, smac, MAC_PEER, ETH_P_IPV6);
	at = ip6_begin_in6(f, src, dst, 17, 64);
	udp(f, 40000, 9, 18);
	ip6_end(f, at);
	return at;
}

/* NS for target from MAC_G and src to MAC_PEER and target, hop limit
 * hlim, source link-layer option slla. */
static void ns_to_peer(struct frame *f, const struct in6_addr *src,
		       const struct in6_addr *target, uint8_t hlim, const uint8_t *slla)
{
	size_t at;

	eth(f, MAC_G, MAC_PEER, ETH_P_IPV6);
	at = ip6_begin_in6(f, src, target, 58, hlim);
	nd(f, 135, target, 1, slla);
	ip6_end(f, at);
}

/* The IPv6 addresses of the cases.  Every ND case and the DHCPv6 one
 * send from ll, the EUI-64 link-local address of MAC_G. */
struct case_addrs {
	struct in6_addr g6, peer6, other6, pfx6, ll, allnodes, allrouters, learned, router_ll;
	struct in6_addr leased6, server_ll;
};

/* A link-local address that is not MAC_G's EUI-64 (a stable-privacy or
 * random one), learned by the test interface. */
#define V6_LEARNED	"fe80::5c1e:77ab:9d02:4e13"

/* The test interface's DHCPv6 lease. */
#define V6_LEASED	"fd00::77"

/* Appends a case to the table; returns its frame, empty, to be built. */
static struct frame *case_add(struct cases *cs, const char *name, enum dev_kind dev,
			      unsigned int reason)
{
	struct tcase *t;

	if (cs->n == MAX_CASES)
		die("more than %d cases", MAX_CASES);
	t = &cs->tc[cs->n++];
	*t = (struct tcase){ .name = name, .dev = dev, .reason = reason };
	return &t->f;
}

/* A DHCP option of four octets (RFC 2132). */
static void dhcp4_opt32(struct frame *f, uint8_t code, uint32_t v)
{
	put8(f, code);
	put8(f, 4);
	put32(f, v);
}

/*
 * A DHCPACK from the server (MAC_PEER, V4_PEER, port 67) to port 68 of
 * dst at dmac for the client chaddr: yiaddr for LEASE_S seconds, with
 * the options dnsmasq sends in its order (message type, server
 * identifier, lease time, T1, T2, netmask, broadcast address, router,
 * DNS server), padded to the BOOTP minimum (RFC 1542 2.1), UDP checksum
 * set.  A renewal is unicast to the client's address (ciaddr, RFC 2131
 * 4.3.2); an ACK to a client without one is broadcast when the client
 * asked for it (the flag).
 */
static void dhcp4_ack(struct frame *f, const uint8_t *dmac, uint32_t dst, uint32_t ciaddr,
		      uint32_t yiaddr, const uint8_t *chaddr)
{
	size_t ip, l4, bootp;

	eth(f, MAC_PEER, dmac, ETH_P_IP);
	ip = ip4_begin_in(f, (struct in_addr){ htonl(V4_PEER) }, (struct in_addr){ htonl(dst) },
			  IPPROTO_UDP, 64, 0x2b1e);
	l4 = f->len;
	udp(f, 67, 68, 0);
	bootp = f->len;
	put8(f, 2);		/* op: BOOTREPLY */
	put8(f, 1);		/* htype: Ethernet */
	put8(f, 6);		/* hlen */
	put8(f, 0);		/* hops */
	put32(f, 0x3903f326);	/* xid */
	put16(f, 0);		/* secs */
	put16(f, dst == 0xffffffff ? 0x8000 : 0);
	put32(f, ciaddr);
	put32(f, yiaddr);
	put32(f, V4_PEER);	/* siaddr: the server */
	put32(f, 0);		/* giaddr */
	put(f, chaddr, 6);	/* chaddr, 16 octets */
	put(f, NULL, 10);
	put(f, NULL, 64 + 128);	/* sname, file */
	put32(f, 0x63825363);	/* magic cookie */
	put8(f, 53);		/* message type: DHCPACK */
	put8(f, 1);
	put8(f, 5);
	dhcp4_opt32(f, 54, V4_PEER);
	dhcp4_opt32(f, 51, LEASE_S);
	dhcp4_opt32(f, 58, LEASE_S / 2);
	dhcp4_opt32(f, 59, LEASE_S / 8 * 7);
	dhcp4_opt32(f, 1, V4_NETMASK);
	dhcp4_opt32(f, 28, V4_BCAST);
	dhcp4_opt32(f, 3, V4_PEER);
	dhcp4_opt32(f, 6, V4_PEER);
	put8(f, 255);		/* end */
	if (f->len < bootp + BOOTP_MIN_LEN)
		put(f, NULL, bootp + BOOTP_MIN_LEN - f->len);
	udp_end(f, l4);
	ip4_end(f, ip);
	l4_csum(f, ip, l4, 6, IPPROTO_UDP);
}

/* A DUID-LLT (RFC 8415 11.2) of an Ethernet MAC. */
static void duid_llt(struct frame *f, uint16_t code, uint32_t time, const uint8_t *mac)
{
	put16(f, code);
	put16(f, 14);
	put16(f, 1);		/* DUID-LLT */
	put16(f, 1);		/* hardware type: Ethernet */
	put32(f, time);
	put(f, mac, 6);
}

/*
 * A DHCPv6 Reply to a Renew of MAC_G (RFC 8415 18.3.4), as dnsmasq sends
 * it from its link-local address to the client's: client identifier,
 * server identifier, IA_NA with one IAADDR (address, preferred and valid
 * lifetime LEASE_S; T1 and T2 as dnsmasq derives them), DNS servers
 * (RFC 3646); UDP checksum set.
 */
static void dhcp6_reply(struct frame *f, const struct case_addrs *a)
{
	size_t ip, l4;

	eth(f, MAC_PEER, MAC_G, ETH_P_IPV6);
	ip = ip6_begin_in6(f, &a->server_ll, &a->ll, IPPROTO_UDP, 64);
	l4 = f->len;
	udp(f, 547, 546, 0);
	put8(f, 7);		/* Reply */
	put8(f, 0x5a);		/* transaction id, 3 octets */
	put16(f, 0x1c3e);
	duid_llt(f, 1, 0x2e8a31c0, MAC_G);	/* client identifier */
	duid_llt(f, 2, 0x2e7f0a11, MAC_PEER);	/* server identifier */
	put16(f, 3);		/* IA_NA: IAID, T1, T2, then its options */
	put16(f, 12 + 4 + 24);
	put32(f, 0x00000101);
	put32(f, LEASE_S / 2);
	put32(f, LEASE_S / 5 * 4);
	put16(f, 5);		/* IAADDR */
	put16(f, 24);
	put(f, &a->leased6, 16);
	put32(f, LEASE_S);	/* preferred lifetime */
	put32(f, LEASE_S);	/* valid lifetime */
	put16(f, 23);		/* DNS recursive name servers */
	put16(f, 16);
	put(f, &a->peer6, 16);
	udp_end(f, l4);
	ip6_end(f, ip);
	l4_csum(f, ip, l4, 6, IPPROTO_UDP);
}

/* Every verdict path that passes a frame. */
static void cases_pass(struct cases *cs, const struct case_addrs *a)
{
	struct frame *f;

	f = case_add(cs, "IPv4 UDP", DEV_LOCKED, VG_PASS);
	udp4_to_peer(f, MAC_G, V4_G, 5);

	/* The same frame on an interface whose array entry another one
	 * holds: its policy comes from the spill hash. */
	f = case_add(cs, "IPv4 UDP, policy in hash", DEV_SPILL, VG_PASS);
	udp4_to_peer(f, MAC_G, V4_G, 5);

	f = case_add(cs, "IPv4 UDP, prefix", DEV_PREFIX, VG_PASS);
	udp4_to_peer(f, MAC_P, V4_PFX_IN, 5);

	/* The interface's own MAC as chaddr: a BOOTREQUEST for another
	 * one is dhcp-chaddr (DHCP starvation). */
	f = case_add(cs, "DHCP discover", DEV_LOCKED, VG_PASS);
	eth(f, MAC_G, MAC_BCAST, ETH_P_IP);
	dhcp_discover(f, MAC_G);

	f = case_add(cs, "IPv6 UDP", DEV_LOCKED, VG_PASS);
	udp6_to_peer(f, MAC_G, &a->g6, &a->peer6);

	f = case_add(cs, "IPv6 UDP, prefix", DEV_PREFIX, VG_PASS);
	udp6_to_peer(f, MAC_P, &a->pfx6, &a->peer6);

	/* The link-local address is allowed only as the EUI-64 of the
	 * frame's own source MAC: sent from the interface's MAC, MAC_G. */
	f = case_add(cs, "IPv6 NS, link-local", DEV_LOCKED, VG_PASS);
	ns_to_peer(f, &a->ll, &a->peer6, 255, MAC_G);

	f = case_add(cs, "ARP request", DEV_LOCKED, VG_PASS);
	eth(f, MAC_G, MAC_BCAST, ETH_P_ARP);
	arp_pad(f, 1, 6, MAC_G, V4_G, V4_PEER);

	/* Every configured address missed: the learned-address lookup. */
	f = case_add(cs, "IPv6 UDP, learned link-local", DEV_LOCKED, VG_PASS);
	cs->tc[cs->n - 1].kind = CASE_LEARNED;
	udp6_to_peer(f, MAC_G, &a->learned, &a->peer6);

	/* The same for a DHCP lease: every configured address missed, the
	 * learned4 lookup and the lease's expiry. */
	f = case_add(cs, "IPv4 UDP, DHCP lease", DEV_LOCKED, VG_PASS);
	cs->tc[cs->n - 1].kind = CASE_LEASE;
	udp4_to_peer(f, MAC_G, V4_LEASED, 5);

	/* The same for an address learned on first use, on the prefix
	 * interface (which learns so, put_firsts()): the prefix missed, the
	 * learned4 lookup and the address's end. */
	f = case_add(cs, "IPv4 UDP, first-use address", DEV_PREFIX, VG_PASS);
	cs->tc[cs->n - 1].kind = CASE_FIRST;
	udp4_to_peer(f, MAC_P, V4_FIRST, 5);

	/* A source it has not used, its IPv4 slots taken: what a guest
	 * that forges sources costs under first use, the learning
	 * decision (protected6, learned4, both slots) and the drop. */
	f = case_add(cs, "IPv4 UDP, first-use full", DEV_PREFIX,
		     VG_LEARN_FULL);
	cs->tc[cs->n - 1].kind = CASE_FIRST;
	udp4_to_peer(f, MAC_P, V4_FIRST_NEW, 5);
}

/* The egress program on what the host delivers to the guest: nothing
 * counted, never dropped.  An RA and an NA are the frames it reads. */
static void cases_out(struct cases *cs, const struct case_addrs *a)
{
	struct frame *f;
	size_t at;

	f = case_add(cs, "egress: IPv4 UDP to guest", DEV_LOCKED, VG_PASS);
	cs->tc[cs->n - 1].kind = CASE_OUT;
	eth(f, MAC_PEER, MAC_G, ETH_P_IP);
	ipv4_udp(f, V4_PEER, V4_G, 40000, 9, 5);

	f = case_add(cs, "egress: IPv6 UDP to guest", DEV_LOCKED, VG_PASS);
	cs->tc[cs->n - 1].kind = CASE_OUT;
	eth(f, MAC_PEER, MAC_G, ETH_P_IPV6);
	at = ip6_begin_in6(f, &a->peer6, &a->g6, 17, 64);
	udp(f, 40000, 9, 18);
	ip6_end(f, at);

	/* A router's RA whose source is already protected (the steady
	 * state: routers repeat them). */
	f = case_add(cs, "egress: router advertisement", DEV_LOCKED, VG_PASS);
	cs->tc[cs->n - 1].kind = CASE_OUT;
	eth(f, MAC_PEER, MAC_BCAST, ETH_P_IPV6);
	at = ip6_begin_in6(f, &a->router_ll, &a->allnodes, 58, 255);
	put8(f, 134);
	put8(f, 0);
	put16(f, 0);
	put32(f, 0x40000708);	/* hop limit 64, lifetime 1800 */
	put32(f, 0);
	put32(f, 0);
	ip6_end(f, at);

	/* An NA for an address nobody learned. */
	f = case_add(cs, "egress: neighbour advert", DEV_LOCKED, VG_PASS);
	cs->tc[cs->n - 1].kind = CASE_OUT;
	eth(f, MAC_PEER, MAC_G, ETH_P_IPV6);
	at = ip6_begin_in6(f, &a->other6, &a->g6, 58, 255);
	nd(f, 136, &a->other6, 2, MAC_PEER);
	ip6_end(f, at);

	/* What a guest's renewal costs: the options walk and the update of
	 * its lease. */
	f = case_add(cs, "egress: DHCP ACK, renewal", DEV_LOCKED, VG_PASS);
	cs->tc[cs->n - 1].kind = CASE_OUT_DHCP;
	cs->tc[cs->n - 1].lease = LEASE_RENEW4;
	dhcp4_ack(f, MAC_G, V4_LEASED, V4_LEASED, V4_LEASED, MAC_G);

	/* What every other guest that learns by DHCP pays when the bridge
	 * floods a broadcast ACK: the BOOTP header up to chaddr. */
	f = case_add(cs, "egress: DHCP ACK, flooded", DEV_LOCKED, VG_PASS);
	cs->tc[cs->n - 1].kind = CASE_OUT_DHCP;
	cs->tc[cs->n - 1].lease = LEASE_UNTOUCHED;
	dhcp4_ack(f, MAC_BCAST, 0xffffffff, 0, V4_OTHER_LEASE, MAC_OTHER);

	f = case_add(cs, "egress: DHCPv6 Reply, renewal", DEV_LOCKED, VG_PASS);
	cs->tc[cs->n - 1].kind = CASE_OUT_DHCP;
	cs->tc[cs->n - 1].lease = LEASE_RENEW6;
	dhcp6_reply(f, a);
}

/* Drops decided before the network header: the interface's policy, then
 * the Ethernet header. */
static void cases_link_drops(struct cases *cs)
{
	struct frame *f;

	f = case_add(cs, "IPv4, no policy", DEV_NOPOLICY, VG_NO_POLICY);
	udp4_to_peer(f, MAC_G, V4_G, 5);

	f = case_add(cs, "IPv4, mode disabled", DEV_DISABLED, VG_DISABLED);
	udp4_to_peer(f, MAC_G, V4_G, 5);

	f = case_add(cs, "multicast source MAC", DEV_LOCKED, VG_SRC_MAC_MCAST);
	udp4_to_peer(f, MAC_MCAST, V4_G, 5);

	f = case_add(cs, "forged source MAC", DEV_LOCKED, VG_SRC_MAC);
	udp4_to_peer(f, MAC_OTHER, V4_G, 5);

	f = case_add(cs, "802.1Q tagged", DEV_LOCKED, VG_VLAN);
	eth(f, MAC_G, MAC_PEER, ETH_P_8021Q);
	put16(f, 5);
	put16(f, ETH_P_IP);
	ipv4_udp(f, V4_G, V4_PEER, 40000, 9, 5);

	f = case_add(cs, "other ethertype", DEV_LOCKED, VG_ETHERTYPE);
	eth(f, MAC_G, MAC_PEER, 0x88b5);
	put(f, NULL, 46);
}

/* The IPv4 and ARP drops. */
static void cases_v4_drops(struct cases *cs)
{
	struct frame *f;

	f = case_add(cs, "IPv4 ihl 4", DEV_LOCKED, VG_IPV4_MALFORMED);
	udp4_to_peer(f, MAC_G, V4_G, 4);

	f = case_add(cs, "IPv4 forged source", DEV_LOCKED, VG_IPV4_SRC);
	udp4_to_peer(f, MAC_G, V4_OTHER, 5);

	f = case_add(cs, "DHCP server reply", DEV_LOCKED, VG_DHCP_SERVER);
	eth(f, MAC_G, MAC_BCAST, ETH_P_IP);
	ipv4_udp(f, V4_G, 0xffffffff, 67, 68, 5);

	f = case_add(cs, "ARP hlen 8", DEV_LOCKED, VG_ARP_MALFORMED);
	eth(f, MAC_G, MAC_BCAST, ETH_P_ARP);
	arp_pad(f, 1, 8, MAC_G, V4_G, V4_PEER);

	f = case_add(cs, "ARP forged sender MAC", DEV_LOCKED, VG_ARP_SHA);
	eth(f, MAC_G, MAC_BCAST, ETH_P_ARP);
	arp_pad(f, 2, 6, MAC_OTHER, V4_G, V4_PEER);

	f = case_add(cs, "ARP forged sender IP", DEV_LOCKED, VG_ARP_SPA);
	eth(f, MAC_G, MAC_BCAST, ETH_P_ARP);
	arp_pad(f, 2, 6, MAC_G, V4_OTHER, V4_PEER);
}

/* The IPv6 drops but those of Neighbour Discovery and DHCPv6. */
static void cases_v6_drops(struct cases *cs, const struct case_addrs *a)
{
	struct frame *f;
	size_t at;

	f = case_add(cs, "IPv6 payload length", DEV_LOCKED, VG_IPV6_MALFORMED);
	at = udp6_to_peer(f, MAC_G, &a->g6, &a->peer6);
	f->b[at + 4] = 0x10;	/* 4096 octets announced, 26 present */

	f = case_add(cs, "IPv6 forged source", DEV_LOCKED, VG_IPV6_SRC);
	udp6_to_peer(f, MAC_G, &a->other6, &a->peer6);

	f = case_add(cs, "IPv6 UDP from ::", DEV_LOCKED, VG_IPV6_UNSPEC_SRC);
	udp6_to_peer(f, MAC_G, &in6addr_any, &a->peer6);

	/* Seven destination options headers: one more than the walk's bound. */
	f = case_add(cs, "IPv6 extension chain", DEV_LOCKED, VG_IPV6_EXTHDR);
	eth(f, MAC_G, MAC_PEER, ETH_P_IPV6);
	at = ip6_begin_in6(f, &a->g6, &a->peer6, 60, 64);
	for (int i = 0; i < 7; i++) {
		put8(f, i < 6 ? 60 : 17);
		put8(f, 0);
		put16(f, 0x0104);	/* PadN */
		put(f, NULL, 4);
	}
	udp(f, 40000, 9, 18);
	ip6_end(f, at);
}

/* Neighbour Discovery and the DHCPv6 server's messages. */
static void cases_nd_drops(struct cases *cs, const struct case_addrs *a)
{
	struct frame *f;
	size_t at;

	f = case_add(cs, "NS in a fragment", DEV_LOCKED, VG_ND_FRAGMENT);
	eth(f, MAC_G, MAC_PEER, ETH_P_IPV6);
	at = ip6_begin_in6(f, &a->ll, &a->peer6, 44, 255);
	put8(f, 58);
	put8(f, 0);
	put16(f, 0);	/* offset 0, last fragment: an atomic fragment */
	put32(f, 0x1234);
	nd(f, 135, &a->peer6, 1, MAC_G);
	ip6_end(f, at);

	f = case_add(cs, "NS hop limit 64", DEV_LOCKED, VG_ND_HOPLIMIT);
	ns_to_peer(f, &a->ll, &a->peer6, 64, MAC_G);

	f = case_add(cs, "NA forged target", DEV_LOCKED, VG_ND_TARGET);
	eth(f, MAC_G, MAC_ALLNODES, ETH_P_IPV6);
	at = ip6_begin_in6(f, &a->ll, &a->allnodes, 58, 255);
	nd(f, 136, &a->other6, 2, MAC_G);
	ip6_end(f, at);

	f = case_add(cs, "NS forged link-layer option", DEV_LOCKED, VG_ND_LLADDR);
	ns_to_peer(f, &a->ll, &a->peer6, 255, MAC_OTHER);

	f = case_add(cs, "NS option length 0", DEV_LOCKED, VG_ND_MALFORMED);
	ns_to_peer(f, &a->ll, &a->peer6, 255, MAC_G);
	f->b[f->len - 7] = 0;

	f = case_add(cs, "router advertisement", DEV_LOCKED, VG_RA);
	eth(f, MAC_G, MAC_ALLNODES, ETH_P_IPV6);
	at = ip6_begin_in6(f, &a->ll, &a->allnodes, 58, 255);
	put8(f, 134);
	put8(f, 0);
	put16(f, 0);
	put32(f, 0x40001800);
	put(f, NULL, 8);
	ip6_end(f, at);

	f = case_add(cs, "redirect", DEV_LOCKED, VG_REDIRECT);
	eth(f, MAC_G, MAC_PEER, ETH_P_IPV6);
	at = ip6_begin_in6(f, &a->ll, &a->peer6, 58, 255);
	put8(f, 137);
	put8(f, 0);
	put16(f, 0);
	put(f, NULL, 4);
	put(f, &a->g6, 16);
	put(f, &a->peer6, 16);
	ip6_end(f, at);

	f = case_add(cs, "DHCPv6 server reply", DEV_LOCKED, VG_DHCPV6_SERVER);
	eth(f, MAC_G, MAC_PEER, ETH_P_IPV6);
	at = ip6_begin_in6(f, &a->ll, &a->allrouters, 17, 64);
	udp(f, 547, 546, 18);
	ip6_end(f, at);
}

/*
 * Fills tc (room for MAX_CASES) with the cases in the order of the
 * report's rows: the pass paths, then the drops by the header that
 * decides them (policy and Ethernet, IPv4 and ARP, IPv6, Neighbour
 * Discovery and DHCPv6); returns how many.  The first frame, IPv4 UDP,
 * is also the one the empty program runs on.  frames.c (compare.sh)
 * calls this in every tree's vgbench.c, older ones too: the signature
 * stays.
 */
static int build_cases(struct tcase *tc)
{
	struct cases cs = { .tc = tc };
	struct case_addrs a = {
		.g6 = v6("fd00::1"), .peer6 = v6("fd00::fe"), .other6 = v6("fd00::99"),
		.pfx6 = v6("fd01::1234"), .allnodes = v6("ff02::1"), .allrouters = v6("ff02::2"),
		.learned = v6(V6_LEARNED), .router_ll = v6("fe80::1"), .leased6 = v6(V6_LEASED),
	};

	vg_eui64_link_local(MAC_G, &a.ll);
	vg_eui64_link_local(MAC_PEER, &a.server_ll);
	cases_pass(&cs, &a);
	cases_link_drops(&cs);
	cases_v4_drops(&cs);
	cases_v6_drops(&cs, &a);
	cases_nd_drops(&cs, &a);
	cases_out(&cs, &a);
	for (int i = 0; i < cs.n; i++)
		if (tc[i].f.len < 60)
			tc[i].f.len = 60;	/* Ethernet minimum, zero padded */
	return cs.n;
}

enum { M_POLICY, M_SPILL, M_V4, M_V6, M_PASSES, M_DROPS, M_TOTALS, M_COUNT };
static const char *const map_names[M_COUNT] = {
	"policy", "policy_spill", "v4_addrs", "v6_addrs", "passes", "drops", "totals",
};

struct vg {
	struct bpf_object *obj;
	int prog_fd;
	int out_fd;		/* the egress program; -1 in an object without one */
	int learned_fd;		/* map learned6; -1 in an object without it */
	/* DHCP snooping's maps; -1 in an object without them (then the
	 * test interface does not learn by DHCP). */
	int learned4_fd, lease_slots_fd;
	bool first;		/* map layout 5: trust on first use */
	uint32_t grace_s;	/* learn_cfg's dhcp_grace_s, as written */
	int map_fd[M_COUNT];
	int ncpu;
	uint16_t next_slot;	/* pass counter slots, given out in order */
};

/* Whether map m's value, a struct in the object's BTF, has a member of
 * that name: how an object tells what it knows beyond its map names
 * (vg_learn_cfg.first_lease_s came with VG_F_LEARN_FIRST, map layout 5;
 * the "parked" map is the loader's, not in the object). */
static bool map_value_has(struct bpf_object *obj, const struct bpf_map *m, const char *name)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_type *t;
	const struct btf_member *mb;

	if (!btf || !m)
		return false;
	t = btf__type_by_id(btf, bpf_map__btf_value_type_id(m));
	if (!t || !btf_is_struct(t))
		return false;
	mb = btf_members(t);
	for (unsigned int i = 0; i < btf_vlen(t); i++, mb++)
		if (!strcmp(btf__name_by_offset(btf, mb->name_off), name))
			return true;
	return false;
}

/* The ingress program: "vifguard", or an older object's only one. */
static struct bpf_program *first_prog(struct bpf_object *obj)
{
	struct bpf_program *p = bpf_object__find_program_by_name(obj, "vifguard");

	if (!p)
		p = bpf_object__next_program(obj, NULL);

	if (!p)
		die("no program in the object");
	return p;
}

/* The bench never pins: whatever the object asks for, maps stay private. */
static void no_pins(struct bpf_object *obj)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, obj)
		bpf_map__set_pin_path(m, NULL);
}

static void vg_open(struct vg *vg, const char *path)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *p;
	struct bpf_map *m;
	int err;

	if (!obj)
		die("cannot open %s: %s", path, strerror(errno));
	no_pins(obj);
	err = bpf_object__load(obj);
	if (err)
		die("cannot load %s: %s", path, strerror(-err));
	vg->obj = obj;
	vg->prog_fd = bpf_program__fd(first_prog(obj));
	p = bpf_object__find_program_by_name(obj, "vifguard_out");
	vg->out_fd = p ? bpf_program__fd(p) : -1;
	m = bpf_object__find_map_by_name(obj, "learned6");
	vg->learned_fd = m ? bpf_map__fd(m) : -1;
	m = bpf_object__find_map_by_name(obj, "learned4");
	vg->learned4_fd = m ? bpf_map__fd(m) : -1;
	m = bpf_object__find_map_by_name(obj, "lease_slots");
	vg->lease_slots_fd = m ? bpf_map__fd(m) : -1;
	if ((vg->learned4_fd < 0) != (vg->lease_slots_fd < 0) || (vg->learned4_fd >= 0 &&
	    (vg->learned_fd < 0 || !bpf_object__find_map_by_name(obj, "learn_cfg"))))
		die("%s has some of DHCP snooping's maps but not all", path);
	if (vg->learned4_fd >= 0) {
		/* The grace and first-use time the loader writes by default
		 * (an object without first_lease_s takes the first 4 bytes). */
		struct vg_learn_cfg cfg = { .dhcp_grace_s = VG_DHCP_GRACE_DEFAULT,
					    .first_lease_s = VG_FIRST_LEASE_DEFAULT };
		uint32_t zero = 0;

		m = bpf_object__find_map_by_name(obj, "learn_cfg");
		if (bpf_map_update_elem(bpf_map__fd(m), &zero, &cfg, BPF_ANY))
			die("learn_cfg update: %s", strerror(errno));
		vg->grace_s = cfg.dhcp_grace_s;
	}
	vg->first = vg->learned4_fd >= 0 &&
		    map_value_has(obj, bpf_object__find_map_by_name(obj, "learn_cfg"),
				  "first_lease_s");
	for (int i = 0; i < M_COUNT; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, map_names[i]);

		if (!m)
			die("%s has no map %s", path, map_names[i]);
		vg->map_fd[i] = bpf_map__fd(m);
	}
	vg->ncpu = libbpf_num_possible_cpus();
	if (vg->ncpu <= 0)
		die("cannot count the possible CPUs");
}

/* What the kernel charges for a map ("memlock" in fdinfo; since 6.4 the
 * real usage, elements included). */
static long long map_memlock(int fd)
{
	char path[64], line[256];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* Sum over CPUs of a per-CPU u64 (0 when the key is absent). */
static uint64_t percpu_sum(int fd, const void *key, int ncpu)
{
	uint64_t *v = calloc(ncpu, sizeof(*v)), sum = 0;

	if (!v)
		die("out of memory");
	if (bpf_map_lookup_elem(fd, key, v) == 0)
		for (int c = 0; c < ncpu; c++)
			sum += v[c];
	free(v);
	return sum;
}

/* The policy in force on ifindex, where the program finds it. */
static int policy_get(struct vg *vg, uint32_t ifindex, struct vg_policy *p)
{
	uint32_t k = ifindex & (VG_POLICY_ENTRIES - 1);
	struct vg_policy_entry e;

	if (bpf_map_lookup_elem(vg->map_fd[M_POLICY], &k, &e) == 0 && e.live &&
	    e.ifindex == ifindex) {
		*p = e.pol;
		return 0;
	}
	return bpf_map_lookup_elem(vg->map_fd[M_SPILL], &ifindex, p);
}

/*
 * Every counter one test run can move.  The interface's own: the pass
 * counter of its policy's slot and its drop counters by reason.  The
 * host's: the totals by reason, and the sums over every slot given out
 * and over every entry of "drops", which show a frame counted anywhere
 * else.
 */
struct counts {
	uint64_t pass;
	uint64_t drop[VG_REASON_MAX];
	uint64_t total[VG_REASON_MAX];
	uint64_t drop_sum;		/* of drop[] */
	uint64_t all_passes, all_drops;	/* every slot given out, every entry */
	unsigned int drop_entries;
};

static void counts_read(struct vg *vg, uint32_t ifindex, struct counts *n)
{
	struct vg_drop_key k, next, *prev = NULL;
	struct vg_policy p;

	memset(n, 0, sizeof(*n));
	if (policy_get(vg, ifindex, &p) == 0) {
		uint32_t slot = p.slot;

		n->pass = percpu_sum(vg->map_fd[M_PASSES], &slot, vg->ncpu);
	}
	for (uint32_t r = VG_PASS + 1; r < VG_REASON_MAX; r++) {
		k = (struct vg_drop_key){ .ifindex = ifindex, .reason = r };
		n->drop[r] = percpu_sum(vg->map_fd[M_DROPS], &k, vg->ncpu);
		n->drop_sum += n->drop[r];
	}
	for (uint32_t r = 0; r < VG_REASON_MAX; r++)
		n->total[r] = percpu_sum(vg->map_fd[M_TOTALS], &r, vg->ncpu);
	for (uint32_t s = 0; s < vg->next_slot; s++)
		n->all_passes += percpu_sum(vg->map_fd[M_PASSES], &s, vg->ncpu);
	while (bpf_map_get_next_key(vg->map_fd[M_DROPS], prev, &next) == 0) {
		n->all_drops += percpu_sum(vg->map_fd[M_DROPS], &next, vg->ncpu);
		n->drop_entries++;
		k = next;
		prev = &k;
	}
}

/* The counters that moved from a to b, as "passes+1 drops[src-mac]+1". */
static void counts_diff(const struct counts *a, const struct counts *b, char *buf, size_t len)
{
	size_t at = 0;

#define MOVED(fmt, ...) (at += snprintf(buf + at, at < len ? len - at : 0, \
					"%s" fmt, at ? " " : "", __VA_ARGS__))
	buf[0] = 0;
	if (b->pass != a->pass)
		MOVED("passes%+lld", (long long)(b->pass - a->pass));
	for (int r = 0; r < VG_REASON_MAX; r++)
		if (b->drop[r] != a->drop[r])
			MOVED("drops[%s]%+lld", vg_reason_name(r), (long long)(b->drop[r] - a->drop[r]));
	for (int r = 0; r < VG_REASON_MAX; r++)
		if (b->total[r] != a->total[r])
			MOVED("totals[%s]%+lld", vg_reason_name(r),
			      (long long)(b->total[r] - a->total[r]));
	if (b->all_passes - b->pass != a->all_passes - a->pass)
		MOVED("%s", "other interfaces' passes");
	if (b->all_drops - a->all_drops != b->drop_sum - a->drop_sum)
		MOVED("%s", "other interfaces' drops");
	if (!at)
		MOVED("%s", "nothing");
#undef MOVED
}

/*
 * What one frame of reason must move, and nothing else: a pass the pass
 * counter of the interface's slot; a drop the interface's counter of that
 * reason and the host's total of it; a frame on an interface without a
 * policy the host's total of no-policy alone.
 */
static void counts_expect(const struct counts *a, unsigned int reason, bool policy,
			  struct counts *want)
{
	*want = *a;
	if (reason == VG_PASS) {
		want->pass++;
		want->all_passes++;
		return;
	}
	want->total[reason]++;
	if (policy) {
		want->drop[reason]++;
		want->drop_sum++;
		want->all_drops++;
	}
}

/* Drop counters go with the frames that made them: the next pre-run
 * creates them again, the memory figures see a host without attacks. */
static void drops_clear(struct vg *vg)
{
	struct vg_drop_key k;

	while (bpf_map_get_next_key(vg->map_fd[M_DROPS], NULL, &k) == 0)
		if (bpf_map_delete_elem(vg->map_fd[M_DROPS], &k))
			die("drops delete: %s", strerror(errno));
}

/*
 * Elements of maps without preallocation come from per-CPU caches that
 * the kernel refills behind the caller's back; per-CPU values also need
 * the percpu allocator's atomic pool, which a workqueue tops up.  A burst
 * of updates from one process can drain either and get ENOMEM for a
 * moment.  Wait and retry, and count how often that happened.
 */
static unsigned long enomem_retries;

static int update(int fd, const void *key, const void *val, __u64 flags)
{
	for (int i = 0; i < 1000; i++) {
		if (bpf_map_update_elem(fd, key, val, flags) == 0)
			return 0;
		if (errno != ENOMEM)
			return -1;
		enomem_retries++;
		usleep(1000);
	}
	return -1;
}

/* The next pass counter slot, zeroed, as the loader gives them out. */
static uint16_t slot_take(struct vg *vg)
{
	uint64_t *v = calloc(vg->ncpu, sizeof(*v));
	uint32_t slot = vg->next_slot++;

	if (!v)
		die("out of memory");
	if (slot >= VG_MAX_IFACES || update(vg->map_fd[M_PASSES], &slot, v, BPF_ANY))
		die("passes update (slot %u): %s", slot, strerror(errno));
	free(v);
	return (uint16_t)slot;
}

/*
 * Where `vifguard attach` puts a new interface's policy: its array entry,
 * unless another interface holds it, then the spill hash.  (No program
 * runs meanwhile, so one write publishes it.)
 */
static void put_policy(struct vg *vg, uint32_t ifindex, const struct vg_policy *p)
{
	struct vg_policy_entry e = { .ifindex = ifindex, .live = 1, .pol = *p };
	uint32_t k = ifindex & (VG_POLICY_ENTRIES - 1);
	struct vg_policy_entry cur;

	if (bpf_map_lookup_elem(vg->map_fd[M_POLICY], &k, &cur))
		die("policy lookup: %s", strerror(errno));
	if (cur.live && cur.ifindex != ifindex) {
		if (update(vg->map_fd[M_SPILL], &ifindex, p, BPF_ANY))
			die("policy_spill update: %s", strerror(errno));
	} else if (update(vg->map_fd[M_POLICY], &k, &e, BPF_ANY)) {
		die("policy update: %s", strerror(errno));
	}
}

/*
 * One interface the way `vifguard attach IF --mac M --ipv4 A --ipv6 B`
 * leaves it: the policy (generation 0, a zeroed pass counter slot) with
 * the IPv4 and the IPv6 host inline; the EUI-64 link-local address is
 * computed by the program, nothing goes to the tries.
 */
static void put_iface(struct vg *vg, uint32_t ifindex, const uint8_t *mac, uint32_t v4addr,
		      const struct in6_addr *v6addr, uint8_t mode, uint16_t extra_flags)
{
	struct vg_policy p = {
		.gen = 0,
		.flags = VG_F_DHCP_CLIENT | VG_F_LINK_LOCAL | VG_F_LEARN_LL | extra_flags,
		.mode = mode,
		.n_macs = 1,
		/* A fresh interface: the clsact qdisc is attach's own. */
		.attach = VG_ATTACH_CLS_BPF | VG_ATTACH_OWN_CLSACT,
	};

	memcpy(p.macs[0], mac, 6);
	snprintf(p.ifname, sizeof(p.ifname), "vif%u.0", ifindex);
	p.v4[0] = htonl(v4addr);
	if (v6addr)
		memcpy(p.v6[0], v6addr, 16);
	p.slot = slot_take(vg);
	put_policy(vg, ifindex, &p);
}

/* An interface allowed 10.1.0.0/16 and fd01::/64, in the tries. */
static void put_prefix_iface(struct vg *vg, uint32_t ifindex)
{
	struct vg_v4_key k4 = {
		.prefixlen = VG_LPM_KEY_BITS + 16, .ifindex = ifindex, .gen = 0,
		.addr = htonl(0x0a010000),
	};
	struct vg_v6_key k6 = {
		.prefixlen = VG_LPM_KEY_BITS + 64, .ifindex = ifindex, .gen = 0,
	};
	struct in6_addr p6 = v6("fd01::");
	uint8_t one = 1;

	memcpy(k6.addr, &p6, 16);
	if (update(vg->map_fd[M_V4], &k4, &one, BPF_ANY) ||
	    update(vg->map_fd[M_V6], &k6, &one, BPF_ANY))
		die("prefix update: %s", strerror(errno));
	put_iface(vg, ifindex, MAC_P, 0, NULL, VG_MODE_LOCKED,
		  VG_F_V4_TABLE | VG_F_V6_TABLE | (vg->first ? VG_F_LEARN_FIRST : 0));
}

/* V6_LEARNED as ifindex's, learned by DAD, when the object learns. */
static void put_learned(struct vg *vg, uint32_t ifindex)
{
	struct vg_owner o = { .ifindex = ifindex, .origin = VG_ORIGIN_DAD };
	struct in6_addr a = v6(V6_LEARNED);

	if (vg->learned_fd >= 0 && update(vg->learned_fd, &a, &o, BPF_ANY))
		die("learned6 update: %s", strerror(errno));
}

/* An IPv4 address as lease_slots holds it: ::ffff:a.b.c.d. */
static void v4_mapped(__be32 addr, struct vg_addr6 *a)
{
	*a = (struct vg_addr6){ .addr = { 0, 0, htonl(0xffff), addr } };
}

/* Whether the object snoops DHCP (map layout 4 on). */
static bool has_leases(const struct vg *vg)
{
	return vg->learned4_fd >= 0;
}

/*
 * The leases of ifindex, when the object snoops DHCP, as the programs
 * write them: V4_LEASED in learned4 and V6_LEASED in learned6 (origin
 * DHCP, never ending) in the first slot of each family in lease_slots.
 */
static void put_leases(struct vg *vg, uint32_t ifindex)
{
	struct vg_owner o = { .ifindex = ifindex, .origin = VG_ORIGIN_DHCP,
			      .expires_ns = VG_LEASE_FOREVER };
	struct vg_slot_key sk = { .ifindex = ifindex };
	struct vg_slot s = { .since_ns = VG_LEASE_FOREVER };
	struct vg_addr4 a4 = { htonl(V4_LEASED) };
	struct in6_addr a6 = v6(V6_LEASED);

	if (!has_leases(vg))
		return;
	o.slot = sk.slot = 0;
	v4_mapped(a4.addr, &s.a);
	if (update(vg->learned4_fd, &a4, &o, BPF_NOEXIST) ||
	    update(vg->lease_slots_fd, &sk, &s, BPF_NOEXIST))
		die("IPv4 lease update: %s", strerror(errno));
	o.slot = sk.slot = VG_LEARN_DHCP4_CAP;
	memcpy(&s.a, &a6, sizeof(s.a));
	if (update(vg->learned_fd, &a6, &o, BPF_NOEXIST) ||
	    update(vg->lease_slots_fd, &sk, &s, BPF_NOEXIST))
		die("IPv6 lease update: %s", strerror(errno));
}

/*
 * The prefix interface learns on first use when the object can: it holds
 * V4_FIRST and the next address as the program leaves them (origin
 * FIRST, ending first_lease_s after they were learned), one in each IPv4
 * lease slot.  Their frames in the run do not reach the second half of
 * that time, where one would move the end.
 */
static void put_firsts(struct vg *vg, uint32_t ifindex)
{
	uint64_t end = now_ns(CLOCK_MONOTONIC) + VG_FIRST_LEASE_DEFAULT * 1000000000ULL;
	struct vg_owner o = { .ifindex = ifindex, .origin = VG_ORIGIN_FIRST, .expires_ns = end };
	struct vg_slot_key sk = { .ifindex = ifindex };
	struct vg_slot s = { .since_ns = end };

	if (!vg->first)
		return;
	for (uint8_t i = 0; i < VG_LEARN_DHCP4_CAP; i++) {
		struct vg_addr4 a4 = { htonl(V4_FIRST + i) };

		o.slot = sk.slot = i;
		v4_mapped(a4.addr, &s.a);
		if (update(vg->learned4_fd, &a4, &o, BPF_NOEXIST) ||
		    update(vg->lease_slots_fd, &sk, &s, BPF_NOEXIST))
			die("first-use address update: %s", strerror(errno));
	}
}

/* Interfaces that only make up the numbers: ifindexes no device has. */
#define FILLER_BASE	100000u

static void put_filler(struct vg *vg, uint32_t i)
{
	uint8_t mac[6] = { 0x02, 0x00, 0x10, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff };
	struct in6_addr a6 = v6("fd00:1::");

	a6.s6_addr[13] = (i >> 16) & 0xff;
	a6.s6_addr[14] = (i >> 8) & 0xff;
	a6.s6_addr[15] = i & 0xff;
	put_iface(vg, FILLER_BASE + i, mac, 0x0b000000 | i, &a6, VG_MODE_LOCKED, 0);
}

/* CPU time of this thread per run: test runs are not preempted inside the
 * kernel's own timer either, and this keeps sub-nanosecond resolution,
 * which the kernel's per-run average (an integer) does not. */
static double run_ns_from(int prog_fd, const struct frame *f, uint32_t ifindex,
			  uint32_t in_ifindex, int repeat, uint32_t *retval)
{
	struct __sk_buff ctx = { .ifindex = ifindex, .ingress_ifindex = in_ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, o,
		.data_in = f->b, .data_size_in = f->len,
		.ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
		.repeat = repeat);
	uint64_t t0, t1;

	t0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	if (bpf_prog_test_run_opts(prog_fd, &o))
		die("test run: %s", strerror(errno));
	t1 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	if (retval)
		*retval = o.retval;
	return (double)(t1 - t0) / repeat;
}

/* A frame the guest on ifindex sends (ingress). */
static double run_ns(int prog_fd, const struct frame *f, uint32_t ifindex, int repeat,
		     uint32_t *retval)
{
	return run_ns_from(prog_fd, f, ifindex, ifindex, repeat, retval);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct summary {
	double med, min, max;
};

static struct summary summarize(const double *v, int n)
{
	double *s = malloc(n * sizeof(*s));
	struct summary r;

	if (!s)
		die("out of memory");
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	r.min = s[0];
	r.max = s[n - 1];
	r.med = n & 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return r;
}

static void fmt_sum(char *buf, size_t len, struct summary s)
{
	snprintf(buf, len, "%6.1f [%5.1f, %5.1f]", s.med, s.min, s.max);
}

/* A minimal tc program (r0 = TC_ACT_OK; exit): the floor. */
static int load_empty(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = TC_ACT_OK },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "vgb_empty", "GPL", insns,
			       ARRAY_SIZE(insns), NULL);

	if (fd < 0)
		die("cannot load the empty tc program: %s", strerror(errno));
	return fd;
}

struct verif {
	double verify_us, load_ms;
	unsigned int insns_processed;
};

/*
 * Linux before 5.11 charges each map's full size to RLIMIT_MEMLOCK when
 * it is created, whatever it holds: the loader's own computation of that
 * charge (loader/memlock.c, which `make test-kernels` checks against real
 * 4.19 and 5.10 kernels), for this host's CPUs and for a 64-CPU dom0.
 */
static void print_old_charges(const struct vg *vg)
{
	static const int cpus[] = { 0, 64 };
	unsigned long long sum[2] = { 0, 0 };
	struct bpf_map *m;
	char here[32];

	snprintf(here, sizeof(here), "%d CPUs (here)", vg->ncpu);
	printf("## Map memory before Linux 5.11 (charged to RLIMIT_MEMLOCK at creation)\n\n"
	       "| %-12s | %14s | %14s |\n|--------------|---------------:|---------------:|\n",
	       "map", here, "64 CPUs");
	bpf_object__for_each_map(m, vg->obj) {
		unsigned long long c[2];

		if (!bpf_map__is_internal(m)) {
			for (int i = 0; i < 2; i++) {
				c[i] = vg_memlock_map_charge(bpf_map__type(m), bpf_map__key_size(m),
							     bpf_map__value_size(m),
							     bpf_map__max_entries(m),
							     cpus[i] ? cpus[i] : vg->ncpu);
				sum[i] += c[i];
			}
			printf("| %-12s | %14llu | %14llu |\n", bpf_map__name(m), c[0], c[1]);
		}
	}
	printf("| %-12s | %14llu | %14llu |\n\n", "total", sum[0], sum[1]);
	printf("These are charges, not memory: the tries, \"policy_spill\" and \"drops\" "
	       "allocate an\nelement when it is inserted, as the table above shows.  On such "
	       "kernels the loader\nraises RLIMIT_MEMLOCK by them, the program and what loaded "
	       "BPF objects are charged:\n%llu bytes for this object on this host, before what "
	       "is loaded already.\n\n", (unsigned long long)vg_memlock_need(vg->obj));
}

/* One load of the object as the loader does it (maps created, BTF, the
 * verifier), with the verifier's statistics (log level 4). */
static struct verif verify_once(const char *path, struct bpf_prog_info *info_out)
{
	static char log[1 << 16];
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_prog_info info;
	__u32 info_len = sizeof(info);
	struct bpf_program *p;
	struct verif v = { 0 };
	const char *s;
	uint64_t t0;
	int err;

	if (!obj)
		die("cannot open %s: %s", path, strerror(errno));
	no_pins(obj);
	p = first_prog(obj);
	log[0] = 0;
	bpf_program__set_log_buf(p, log, sizeof(log));
	bpf_program__set_log_level(p, 4);
	t0 = now_ns(CLOCK_MONOTONIC);
	err = bpf_object__load(obj);
	v.load_ms = (now_ns(CLOCK_MONOTONIC) - t0) / 1e6;
	if (err)
		die("cannot load %s: %s", path, strerror(-err));
	s = strstr(log, "verification time ");
	if (s)
		v.verify_us = strtod(s + strlen("verification time "), NULL);
	s = strstr(log, "processed ");
	if (s)
		v.insns_processed = strtoul(s + strlen("processed "), NULL, 10);
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &info_len))
		die("prog info: %s", strerror(errno));
	if (info_out)
		*info_out = info;
	bpf_object__close(obj);
	return v;
}

static uint32_t dev_index(const char *name)
{
	uint32_t i = if_nametoindex(name);

	if (!i)
		die("no interface %s in this network namespace", name);
	return i;
}

static long long maps_total(struct vg *vg, long long *each)
{
	long long t = 0;

	for (int i = 0; i < M_COUNT; i++) {
		each[i] = map_memlock(vg->map_fd[i]);
		t += each[i];
	}
	return t;
}

/* At most this many --ifaces levels. */
#define MAX_LEVELS	8

struct prog_opts {
	const char *path;	/* the object */
	const char *disabled_dev, *nopolicy_dev, *prefix_dev, *spill_dev;
	unsigned long levels[MAX_LEVELS];	/* interfaces at each level */
	int nlevels, repeat, rounds, cpu, loads;
	FILE *figs;		/* the "fig ..." lines; /dev/null without --figs */
};

/* --ifaces: a growing list, 1 or at least 3 each. */
static void parse_levels(char *list, struct prog_opts *o)
{
	char *tok, *save;

	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (o->nlevels == (int)ARRAY_SIZE(o->levels))
			die("too many --ifaces levels");
		o->levels[o->nlevels] = parse_ul(tok, "ifaces", VG_MAX_IFACES - 8);
		if (o->levels[o->nlevels] == 2 || o->levels[o->nlevels] == 0)
			die("--ifaces: 1 or at least 3 each");
		if (o->nlevels && o->levels[o->nlevels] <= o->levels[o->nlevels - 1])
			die("--ifaces must grow");
		o->nlevels++;
	}
}

/* 0, or -1 on an option getopt refused (it has said so). */
static int prog_opts_parse(int argc, char **argv, struct prog_opts *o)
{
	static const struct option lo[] = {
		{ "ifaces", required_argument, NULL, 'n' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "rounds", required_argument, NULL, 'R' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "loads", required_argument, NULL, 'l' },
		{ "disabled-dev", required_argument, NULL, 'D' },
		{ "nopolicy-dev", required_argument, NULL, 'N' },
		{ "prefix-dev", required_argument, NULL, 'P' },
		{ "spill-dev", required_argument, NULL, 'S' },
		{ "figs", required_argument, NULL, 'f' },
		{ 0 },
	};
	char *list = strdup("1,1000,4000");
	int opt;

	*o = (struct prog_opts){ .repeat = 1000000, .rounds = 9, .cpu = -1, .loads = 5 };
	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 'n': free(list); list = strdup(optarg); break;
		case 'r': o->repeat = parse_ul(optarg, "repeat", 100000000); break;
		case 'R': o->rounds = parse_ul(optarg, "rounds", 1000); break;
		case 'c': o->cpu = parse_ul(optarg, "cpu", 4095); break;
		case 'l': o->loads = parse_ul(optarg, "loads", 100); break;
		case 'D': o->disabled_dev = optarg; break;
		case 'N': o->nopolicy_dev = optarg; break;
		case 'P': o->prefix_dev = optarg; break;
		case 'S': o->spill_dev = optarg; break;
		case 'f':
			o->figs = fopen(optarg, "w");
			if (!o->figs)
				die("%s: %s", optarg, strerror(errno));
			break;
		default: free(list); return -1;
		}
	}
	if (optind != argc - 1 || !o->disabled_dev || !o->nopolicy_dev || !o->prefix_dev ||
	    !o->spill_dev || o->rounds < 1 || o->loads < 1 || o->repeat < 1)
		die("usage: vgbench prog OBJ --disabled-dev D --nopolicy-dev N --prefix-dev P "
		    "--spill-dev S [--ifaces 1,1000,4000] [--repeat N] [--rounds N] [--cpu C] [--loads N] "
		    "[--figs FILE]");
	o->path = argv[optind];
	parse_levels(list, o);
	free(list);
	if (!o->figs && !(o->figs = fopen("/dev/null", "w")))
		die("/dev/null: %s", strerror(errno));
	return 0;
}

/*
 * One run of `vgbench prog`: the object loaded once, the cases, the
 * interfaces attached so far, and what each level measured.
 */
struct prog_run {
	const struct prog_opts *o;
	struct vg vg;
	int empty_fd;
	uint32_t ifx[DEV_KINDS];	/* the device of each kind */
	struct tcase tc[MAX_CASES];
	int ncases;
	unsigned long have, fillers;	/* interfaces attached, fillers among them */
	bool others;			/* the devices besides DEV_LOCKED attached */
	long long mem0[M_COUNT], tot0;	/* map memory before any interface */
	long long memN[MAX_LEVELS][M_COUNT], totN[MAX_LEVELS];
	unsigned int drop_entries;	/* the last level's drop counters */
	long long drop_bytes;		/* and their memory */
	double *res;			/* see res_at() */
};

/* The figure of every round of case c at level l (c == ncases: the empty
 * program's absolute cost, the others' over it). */
static double *res_at(const struct prog_run *pr, int l, int c)
{
	return &pr->res[((size_t)l * (pr->ncases + 1) + c) * pr->o->rounds];
}

/* The test interface is the loopback device: a test run without a device
 * in its context runs on it, and the program reads skb->ifindex, i.e. 1.
 * The others are real devices as well, since a test run refuses an
 * ifindex that does not exist. */
static void prog_devices(struct prog_run *pr)
{
	pr->ifx[DEV_LOCKED] = 1;
	pr->ifx[DEV_DISABLED] = dev_index(pr->o->disabled_dev);
	pr->ifx[DEV_NOPOLICY] = dev_index(pr->o->nopolicy_dev);
	pr->ifx[DEV_PREFIX] = dev_index(pr->o->prefix_dev);
	pr->ifx[DEV_SPILL] = dev_index(pr->o->spill_dev);
}

/* Verifier and program figures, over several loads. */
static void report_program(const struct prog_opts *o)
{
	double vt[100], lt[100];
	struct bpf_prog_info info = { 0 };	/* loads >= 1 fills it */
	struct verif v = { 0 };
	const char *base = strrchr(o->path, '/');
	char b1[64], b2[64];

	for (int i = 0; i < o->loads; i++) {
		v = verify_once(o->path, &info);
		vt[i] = v.verify_us;
		lt[i] = v.load_ms;
	}
	fmt_sum(b1, sizeof(b1), summarize(vt, o->loads));
	fmt_sum(b2, sizeof(b2), summarize(lt, o->loads));
	printf("## Program (%s)\n\n", base ? base + 1 : o->path);
	printf("- instructions (xlated): %u\n", info.xlated_prog_len / 8);
	printf("- JIT image: %u bytes\n", info.jited_prog_len);
	printf("- verifier, processed instructions: %u\n", v.insns_processed);
	printf("- verifier, verified_insns (prog info): %u\n", info.verified_insns);
	printf("- verification time, us: %s (median [min, max] of %d loads)\n", b1, o->loads);
	printf("- whole object load, ms: %s (maps, BTF, verifier, JIT)\n\n", b2);
	fprintf(o->figs, "fig prog_insns %u\nfig prog_jited %u\nfig verified_insns %u\n",
		info.xlated_prog_len / 8, info.jited_prog_len, info.verified_insns);
	fprintf(o->figs, "fig verify_us %.0f\nfig load_ms %.1f\n\n", summarize(vt, o->loads).med,
		summarize(lt, o->loads).med);
}

/* Whether a level of that many interfaces has the devices besides the
 * locked test interface (see level_setup()). */
static bool level_has_others(unsigned long ifaces)
{
	return ifaces >= 5;
}

/*
 * Attaches interfaces up to want.  Five of the N interfaces are the
 * devices under test and the spill device's neighbour; the rest fill up,
 * at consecutive ifindexes as a host gives them out.  A level below 5
 * has only the locked test interface, so the cases on the other devices
 * are skipped there.
 */
static void level_setup(struct prog_run *pr, unsigned long want)
{
	struct vg *vg = &pr->vg;
	const uint32_t *ifx = pr->ifx;

	if (!pr->have) {
		put_iface(vg, ifx[DEV_LOCKED], MAC_G, V4_G, &(struct in6_addr){
				  .s6_addr = { 0xfd, [15] = 1 } }, VG_MODE_LOCKED,
			  has_leases(vg) ? VG_F_LEARN_DHCP : 0);
		put_learned(vg, ifx[DEV_LOCKED]);
		put_leases(vg, ifx[DEV_LOCKED]);
		pr->have = 1;
	}
	if (level_has_others(want) && !pr->others) {
		put_iface(vg, ifx[DEV_DISABLED], MAC_G, V4_G, NULL, VG_MODE_DISABLED, 0);
		put_prefix_iface(vg, ifx[DEV_PREFIX]);
		put_firsts(vg, ifx[DEV_PREFIX]);
		/* The spill device's array entry goes to an interface
		 * attached before it, whose ifindex shares the entry. */
		put_iface(vg, ifx[DEV_SPILL] + VG_POLICY_ENTRIES, MAC_OTHER, V4_OTHER, NULL,
			  VG_MODE_LOCKED, 0);
		put_iface(vg, ifx[DEV_SPILL], MAC_G, V4_G, NULL, VG_MODE_LOCKED, 0);
		pr->have += 4;
		pr->others = true;
	}
	while (pr->have < want) {
		put_filler(vg, pr->fillers++);
		pr->have++;
	}
	if (vg->next_slot != pr->have)
		die("%lu interfaces hold %u pass counter slots", pr->have, vg->next_slot);
}

/* The devices every level has: the locked test interface, and the
 * no-policy one, which needs no policy to be what it is. */
static bool dev_in_every_level(enum dev_kind dev)
{
	return dev == DEV_LOCKED || dev == DEV_NOPOLICY;
}

/* Whether the object has what case c needs (an older tree's may not). */
static bool case_supported(const struct prog_run *pr, int c)
{
	switch (pr->tc[c].kind) {
	case CASE_LEARNED:
		return pr->vg.learned_fd >= 0;
	case CASE_LEASE:
		return has_leases(&pr->vg);
	case CASE_FIRST:
		return pr->vg.first;
	case CASE_OUT:
		return pr->vg.out_fd >= 0;
	case CASE_OUT_DHCP:
		return pr->vg.out_fd >= 0 && has_leases(&pr->vg);
	default:
		return true;
	}
}

static bool case_out(const struct tcase *t)
{
	return t->kind == CASE_OUT || t->kind == CASE_OUT_DHCP;
}

/* Whether the interfaces attached so far let case c run. */
static bool case_runs(const struct prog_run *pr, int c)
{
	return case_supported(pr, c) && (pr->others || dev_in_every_level(pr->tc[c].dev));
}

static int case_fd(const struct prog_run *pr, const struct tcase *t)
{
	return case_out(t) ? pr->vg.out_fd : pr->vg.prog_fd;
}

/* Case t's frame on its device: the egress program's come from outside
 * the guests (an uplink: ingress_ifindex 0), the others from the guest. */
static double case_run(const struct prog_run *pr, const struct tcase *t, int repeat,
		       uint32_t *retval)
{
	uint32_t ifindex = pr->ifx[t->dev];

	return run_ns_from(case_fd(pr, t), &t->f, ifindex, case_out(t) ? 0 : ifindex,
			   repeat, retval);
}

/* A lease of the test interface as the maps hold it (put_leases()):
 * its owner entry and the slot that entry names. */
struct lease_state {
	bool have, have_slot;
	struct vg_owner o;
	struct vg_slot s;
};

/* The lease of addr (V4_LEASED, V4_OTHER_LEASE: IPv4; else V6_LEASED). */
static void lease_read(const struct vg *vg, bool ipv6, uint32_t addr, struct lease_state *l)
{
	struct vg_addr4 a4 = { htonl(addr) };
	struct in6_addr a6 = v6(V6_LEASED);
	struct vg_slot_key sk;

	memset(l, 0, sizeof(*l));
	l->have = !bpf_map_lookup_elem(ipv6 ? vg->learned_fd : vg->learned4_fd,
				       ipv6 ? (void *)&a6 : (void *)&a4, &l->o);
	if (!l->have)
		return;
	sk = (struct vg_slot_key){ .ifindex = l->o.ifindex, .slot = l->o.slot };
	l->have_slot = !bpf_map_lookup_elem(vg->lease_slots_fd, &sk, &l->s);
}

/*
 * The lease the case's frame renewed, in a run between t0 and t1
 * (CLOCK_MONOTONIC, the programs' clock): still the test interface's,
 * by DHCP, in the same slot, which holds its address; its end moved to
 * LEASE_S plus the grace past a moment of the run, in the slot too.
 */
static void lease_check_renewed(const struct prog_run *pr, const struct tcase *t,
				const struct lease_state *a, const struct lease_state *b,
				uint64_t t0, uint64_t t1)
{
	uint64_t span = (LEASE_S + (uint64_t)pr->vg.grace_s) * 1000000000ull;
	bool ipv6 = t->lease == LEASE_RENEW6;
	struct in6_addr a6 = v6(V6_LEASED);
	struct vg_addr6 want;

	if (ipv6)
		memcpy(&want, &a6, sizeof(want));
	else
		v4_mapped(htonl(V4_LEASED), &want);
	if (!a->have || !b->have || !b->have_slot || b->o.ifindex != pr->ifx[t->dev] ||
	    b->o.origin != VG_ORIGIN_DHCP || b->o.slot != a->o.slot ||
	    b->o.expires_ns == a->o.expires_ns || b->o.expires_ns < t0 + span ||
	    b->o.expires_ns > t1 + span || b->s.since_ns != b->o.expires_ns ||
	    memcmp(&b->s.a, &want, sizeof(want)))
		die("case \"%s\": lease of %s not renewed: entry %s, ifindex %u, origin %u, "
		    "slot %u -> %u (%s), expires_ns %llu -> %llu, expected in [%llu, %llu], "
		    "slot's since_ns %llu",
		    t->name, ipv6 ? V6_LEASED : "10.0.0.77", b->have ? "present" : "gone",
		    b->o.ifindex, b->o.origin, a->o.slot, b->o.slot,
		    b->have_slot ? "present" : "absent",
		    (unsigned long long)a->o.expires_ns, (unsigned long long)b->o.expires_ns,
		    (unsigned long long)(t0 + span), (unsigned long long)(t1 + span),
		    (unsigned long long)b->s.since_ns);
}

/* A DHCP message for another guest taught the test interface nothing:
 * no entry for its yiaddr, the interface's IPv4 lease as it was. */
static void lease_check_untouched(const struct prog_run *pr, const struct tcase *t,
				  const struct lease_state *a, const struct lease_state *b)
{
	struct lease_state other;

	lease_read(&pr->vg, false, V4_OTHER_LEASE, &other);
	if (other.have || a->have != b->have || a->have_slot != b->have_slot ||
	    memcmp(&a->o, &b->o, sizeof(a->o)) || memcmp(&a->s, &b->s, sizeof(a->s)))
		die("case \"%s\": learned from another guest's message: 10.0.0.78 %s, "
		    "10.0.0.77's expires_ns %llu -> %llu", t->name,
		    other.have ? "learned" : "not learned",
		    (unsigned long long)a->o.expires_ns, (unsigned long long)b->o.expires_ns);
}

/* One run of the case: the verdict and the counters moved must be the
 * ones the case is named after, and a DHCP message must have done to
 * the leases what the case says. */
static void check_case(struct prog_run *pr, const struct tcase *t)
{
	struct counts before, after, want;
	struct lease_state la, lb;
	uint32_t ifindex = pr->ifx[t->dev], rv;
	int verdict = t->reason == VG_PASS ? TC_ACT_OK : TC_ACT_SHOT;
	bool ipv6 = t->lease == LEASE_RENEW6;
	char got[512], exp[512];
	uint64_t t0, t1;

	counts_read(&pr->vg, ifindex, &before);
	if (t->lease != LEASE_ANY)
		lease_read(&pr->vg, ipv6, V4_LEASED, &la);
	t0 = now_ns(CLOCK_MONOTONIC);
	case_run(pr, t, 1, &rv);
	t1 = now_ns(CLOCK_MONOTONIC);
	if (t->lease != LEASE_ANY)
		lease_read(&pr->vg, ipv6, V4_LEASED, &lb);
	counts_read(&pr->vg, ifindex, &after);
	if (case_out(t))
		want = before;	/* the egress program counts nothing */
	else
		counts_expect(&before, t->reason, t->dev != DEV_NOPOLICY, &want);
	counts_diff(&before, &after, got, sizeof(got));
	counts_diff(&before, &want, exp, sizeof(exp));
	if (strcmp(got, exp) || (int)rv != verdict)
		die("case \"%s\": expected verdict %d and %s; got verdict %u and %s",
		    t->name, verdict, exp, rv, got);
	if (t->lease == LEASE_RENEW4 || t->lease == LEASE_RENEW6)
		lease_check_renewed(pr, t, &la, &lb, t0, t1);
	else if (t->lease == LEASE_UNTOUCHED)
		lease_check_untouched(pr, t, &la, &lb);
}

/* The drop counters the cases of level l created: how many, and what
 * they cost. */
static void drop_counters_cost(struct prog_run *pr, int l)
{
	struct counts n;

	counts_read(&pr->vg, pr->ifx[DEV_LOCKED], &n);
	pr->drop_entries = n.drop_entries;
	pr->drop_bytes = map_memlock(pr->vg.map_fd[M_DROPS]) - pr->memN[l][M_DROPS];
}

/* Interleaved rounds: empty program, every case, empty again; each case
 * is compared with the mean of its round's floor. */
static void timed_rounds(struct prog_run *pr, int l)
{
	const struct tcase *tc = pr->tc;
	int n = pr->ncases, repeat = pr->o->repeat;

	for (int r = 0; r < pr->o->rounds; r++) {
		double e0 = run_ns(pr->empty_fd, &tc[0].f, 1, repeat, NULL);
		double abs[MAX_CASES];

		for (int c = 0; c < n; c++) {
			if (!case_runs(pr, c))
				continue;
			abs[c] = case_run(pr, &tc[c], repeat, NULL);
		}
		double e1 = run_ns(pr->empty_fd, &tc[0].f, 1, repeat, NULL);
		double floor = (e0 + e1) / 2;

		res_at(pr, l, n)[r] = floor;
		for (int c = 0; c < n; c++)
			if (case_runs(pr, c))
				res_at(pr, l, c)[r] = abs[c] - floor;
	}
}

static void measure_levels(struct prog_run *pr)
{
	const struct prog_opts *o = pr->o;

	pr->tot0 = maps_total(&pr->vg, pr->mem0);
	for (int l = 0; l < o->nlevels; l++) {
		level_setup(pr, o->levels[l]);
		pr->totN[l] = maps_total(&pr->vg, pr->memN[l]);
		/* Each case once.  This also creates the drop counters, so
		 * that the timed drops below find theirs (lookup and
		 * increment, the steady state of a repeated drop). */
		for (int c = 0; c < pr->ncases; c++)
			if (case_runs(pr, c))
				check_case(pr, &pr->tc[c]);
		if (l == o->nlevels - 1)
			drop_counters_cost(pr, l);
		timed_rounds(pr, l);
		drops_clear(&pr->vg);
		fprintf(stderr, "vgbench: %lu interfaces done (%lu map updates retried after ENOMEM)\n",
			o->levels[l], enomem_retries);
	}
}

/* Whether the report has a figure of case c at level l: the level ran
 * it. */
static bool reported(const struct prog_run *pr, int l, int c)
{
	return c == pr->ncases || (case_supported(pr, c) &&
				   (level_has_others(pr->o->levels[l]) ||
				    dev_in_every_level(pr->tc[c].dev)));
}

static void report_cost(const struct prog_run *pr)
{
	const struct prog_opts *o = pr->o;
	int n = pr->ncases;

	printf("## In-kernel cost per frame (BPF_PROG_TEST_RUN)\n\n");
	printf("ns added over an empty tc program in the same process, median [min, max] of "
	       "%d interleaved rounds,\nrepeat %d per run, CPU time of the running thread%s.\n\n",
	       o->rounds, o->repeat, o->cpu >= 0 ? ", pinned" : "");
	printf("| %-30s | %-20s |", "frame", "verdict / reason");
	for (int l = 0; l < o->nlevels; l++)
		printf(" %4lu interface%s       |", o->levels[l], o->levels[l] == 1 ? " " : "s");
	printf("\n|%.32s|%.22s|", "--------------------------------", "----------------------");
	for (int l = 0; l < o->nlevels; l++)
		printf("%.24s|", "------------------------");
	printf("\n");
	for (int c = 0; c <= n; c++) {
		const struct tcase *t = &pr->tc[c];

		printf("| %-30s | %-20s |", c == n ? "(empty program, absolute)" : t->name,
		       c == n ? "-" : vg_reason_name(t->reason));
		for (int l = 0; l < o->nlevels; l++) {
			char b[64];

			if (!reported(pr, l, c)) {
				printf(" %-22s |", "n/a");
				continue;
			}
			fmt_sum(b, sizeof(b), summarize(res_at(pr, l, c), o->rounds));
			printf(" %-22s |", b);
		}
		printf("\n");
	}
	printf("\n");
}

/* "IPv4 UDP, prefix" -> "ipv4-udp-prefix" */
static void slug(const char *name, char *buf, size_t len)
{
	size_t i;

	for (i = 0; name[i] && i < len - 1; i++)
		buf[i] = isalnum((unsigned char)name[i]) ? tolower((unsigned char)name[i]) : '-';
	buf[i] = 0;
}

static void figs_cost(const struct prog_run *pr)
{
	const struct prog_opts *o = pr->o;

	for (int l = 0; l < o->nlevels; l++)
		for (int c = 0; c < pr->ncases; c++) {
			const struct tcase *t = &pr->tc[c];
			char s[64];

			if (!reported(pr, l, c))
				continue;
			slug(t->name, s, sizeof(s));
			fprintf(o->figs, "fig added_ns %lu %s %s %.2f\n", o->levels[l], s,
				vg_reason_name(t->reason),
				summarize(res_at(pr, l, c), o->rounds).med);
		}
}

static void report_maps(const struct prog_run *pr)
{
	const struct prog_opts *o = pr->o;
	int last = o->nlevels - 1;

	printf("\n## Map memory (kernel's memlock accounting, /proc/self/fdinfo)\n\n");
	printf("| %-12s | %12s |", "map", "empty");
	for (int l = 0; l < o->nlevels; l++)
		printf(" %5lu iface%s |", o->levels[l], o->levels[l] == 1 ? " " : "s");
	printf(" per interface |\n|--------------|-------------:|");
	for (int l = 0; l < o->nlevels; l++)
		printf("-------------:|");
	printf("--------------:|\n");
	for (int i = 0; i <= M_COUNT; i++) {
		long long e = i < M_COUNT ? pr->mem0[i] : pr->tot0;
		long long at_last = i < M_COUNT ? pr->memN[last][i] : pr->totN[last];

		printf("| %-12s | %12lld |", i < M_COUNT ? map_names[i] : "total", e);
		for (int l = 0; l < o->nlevels; l++)
			printf(" %12lld |", i < M_COUNT ? pr->memN[l][i] : pr->totN[l]);
		printf(" %13.0f |\n", (double)(at_last - e) / o->levels[last]);
	}
}

/* What the map memory table counts, and the drop counters' cost. */
static void report_maps_notes(const struct prog_run *pr)
{
	printf("\nEach interface as `vifguard attach IF --mac M --ipv4 A --ipv6 B` leaves it: its "
	       "\"policy\" array\nentry (%zu bytes: ifindex, live byte, and the policy with the MAC, "
	       "the IPv4 and the IPv6\nhost inline; the EUI-64 link-local address is computed from "
	       "the frame's source MAC, not\nstored) or, where another interface holds that entry, "
	       "a \"policy_spill\" entry; and a zeroed\nslot in \"passes\"; nothing in the tries "
	       "(from 5 interfaces on they hold the prefix test\ninterface's 10.1.0.0/16 and "
	       "fd01::/64).  \"policy\" (%d entries), \"passes\" (%d slots) and\n\"totals\" "
	       "(1 entry) are arrays: their size does not depend on the interfaces.  The\n"
	       "interfaces beyond the test devices have consecutive ifindexes from %u, as a host "
	       "numbers\nthem; the few in \"policy_spill\" are the spill device and those whose "
	       "entry a test device\nholds.  \"drops\" as a host without attacks has it: no "
	       "entries.  A counter exists once an\ninterface has dropped a frame of that reason; "
	       "the ones the drop cases create are removed\nbefore each measurement.",
	       sizeof(struct vg_policy_entry), VG_POLICY_ENTRIES, VG_MAX_IFACES, FILLER_BASE);
	if (pr->drop_entries)
		printf("  Those %u cost %lld bytes, %.0f per (interface, reason).",
		       pr->drop_entries, pr->drop_bytes, (double)pr->drop_bytes / pr->drop_entries);
	printf("\n%d possible CPUs: per-CPU values scale with them.\n\n", pr->vg.ncpu);
}

static void figs_maps(const struct prog_run *pr)
{
	const struct prog_opts *o = pr->o;

	for (int l = 0; l < o->nlevels; l++)
		fprintf(o->figs, "fig maps_bytes %lu %lld\n", o->levels[l], pr->totN[l]);
	fprintf(o->figs, "fig maps_bytes 0 %lld\nfig possible_cpus %d\n", pr->tot0, pr->vg.ncpu);
}

/* ---- drop events: the cost of a drop that sends one -------------------- */

static uint64_t ev_read_n, ev_lost_n;
static volatile sig_atomic_t ev_stop;

static void ev_sample(void *ctx, int cpu, void *data, __u32 size)
{
	(void)ctx, (void)cpu, (void)data, (void)size;
	ev_read_n++;
}

static void ev_lost(void *ctx, int cpu, __u64 n)
{
	(void)ctx, (void)cpu;
	ev_lost_n += n;
}

static void ev_term(int sig)
{
	(void)sig;
	ev_stop = 1;
}

/* A reader of the events in a child process, as `vifguard monitor` reads
 * them: returns once its buffers are in the map; *res_fd gets, at its
 * end, the events it read and those lost. */
static pid_t ev_reader_start(int map_fd, int *res_fd)
{
	int ready[2], res[2];
	struct perf_buffer *pb;
	pid_t pid;
	char c;

	if (pipe(ready) || pipe(res))
		die("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		uint64_t r[2];

		signal(SIGTERM, ev_term);
		pb = perf_buffer__new(map_fd, 64, ev_sample, ev_lost, NULL, NULL);
		if (!pb)
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		while (!ev_stop)
			perf_buffer__poll(pb, 100);
		perf_buffer__consume(pb);
		r[0] = ev_read_n;
		r[1] = ev_lost_n;
		_exit(write(res[1], r, sizeof(r)) == sizeof(r) ? 0 : 1);
	}
	close(ready[1]);
	close(res[1]);
	if (read(ready[0], &c, 1) != 1)
		die("the event reader did not start");
	close(ready[0]);
	*res_fd = res[0];
	return pid;
}

static void ev_reader_stop(pid_t pid, int res_fd, uint64_t r[2])
{
	kill(pid, SIGTERM);
	if (read(res_fd, r, 2 * sizeof(*r)) != 2 * sizeof(*r))
		r[0] = r[1] = 0;
	close(res_fd);
	waitpid(pid, NULL, 0);
}

static void ev_limit_set(struct vg *vg, uint64_t cost_ns, uint32_t burst)
{
	struct bpf_map *m = bpf_object__find_map_by_name(vg->obj, "ev_config");
	struct vg_event_cfg cfg = { .cost_ns = cost_ns, .burst = burst };
	uint32_t zero = 0;

	if (!m || bpf_map_update_elem(bpf_map__fd(m), &zero, &cfg, BPF_ANY))
		die("cannot set ev_config");
}

/* Rounds of the case c against the empty program, into v. */
static void ev_rounds(struct prog_run *pr, int c, double *v)
{
	const struct tcase *t = &pr->tc[c];
	int repeat = pr->o->repeat;

	for (int r = 0; r < pr->o->rounds; r++) {
		double e0 = run_ns(pr->empty_fd, &pr->tc[0].f, 1, repeat, NULL);
		double a = run_ns(pr->vg.prog_fd, &t->f, pr->ifx[t->dev], repeat, NULL);
		double e1 = run_ns(pr->empty_fd, &pr->tc[0].f, 1, repeat, NULL);

		v[r] = a - (e0 + e1) / 2;
	}
}

/* The forged-source drop three ways: its event held back by an empty
 * bucket (a flood's steady state, and every drop row above), sent with
 * nobody reading, and sent to a reader. */
static void report_events(struct prog_run *pr)
{
	static const char *const rows[] = {
		"rate-limited (bucket empty)", "sent, no monitor", "sent, monitor reading",
	};
	static const char *const figs[] = { "limited", "no-monitor", "monitor" };
	struct bpf_map *em = bpf_object__find_map_by_name(pr->vg.obj, "events");
	int c, i, res_fd = -1, n = pr->o->rounds;
	uint64_t got[2] = { 0, 0 };
	double *v = calloc((size_t)n, sizeof(double));
	char b[64];
	pid_t pid = 0;

	for (c = 0; c < pr->ncases && strcmp(pr->tc[c].name, "IPv4 forged source"); c++)
		;
	if (c == pr->ncases || !em || !v)
		die("no case or map for the drop events");
	printf("## Drop events (BPF_PROG_TEST_RUN)\n\n");
	printf("The \"IPv4 forged source\" drop, ns added over the empty program, median "
	       "[min, max] of %d rounds.\n\n| %-30s | %-22s |\n|%.32s|%.24s|\n", n, "event",
	       "ns added", "--------------------------------", "------------------------");
	for (i = 0; i < 3; i++) {
		/* Defaults (10/s, burst 20): emptied by the first rounds. */
		if (i == 0)
			ev_limit_set(&pr->vg, 0, 0);
		else
			ev_limit_set(&pr->vg, 1, 1000000);
		if (i == 2)
			pid = ev_reader_start(bpf_map__fd(em), &res_fd);
		ev_rounds(pr, c, v);
		if (i == 2)
			ev_reader_stop(pid, res_fd, got);
		fmt_sum(b, sizeof(b), summarize(v, n));
		printf("| %-30s | %-22s |\n", rows[i], b);
		fprintf(pr->o->figs, "fig drop_event_ns %s %.2f\n", figs[i], summarize(v, n).med);
	}
	printf("\nThe monitor read %llu events and lost %llu (its buffers full).\n\n",
	       (unsigned long long)got[0], (unsigned long long)got[1]);
	ev_limit_set(&pr->vg, 0, 0);
	free(v);
}

static int cmd_prog(int argc, char **argv)
{
	static struct prog_run pr;
	struct prog_opts o;

	if (prog_opts_parse(argc, argv, &o))
		return 2;
	pr.o = &o;
	pin_cpu(o.cpu);
	prog_devices(&pr);
	report_program(&o);
	vg_open(&pr.vg, o.path);
	pr.empty_fd = load_empty();
	pr.ncases = build_cases(pr.tc);
	pr.res = calloc((size_t)o.nlevels * (pr.ncases + 1) * o.rounds, sizeof(double));
	if (!pr.res)
		die("out of memory");
	measure_levels(&pr);
	report_cost(&pr);
	figs_cost(&pr);
	report_events(&pr);
	report_maps(&pr);
	report_maps_notes(&pr);
	print_old_charges(&pr.vg);
	figs_maps(&pr);
	free(pr.res);
	fclose(o.figs);
	close(pr.empty_fd);
	bpf_object__close(pr.vg.obj);
	return 0;
}

/* ---- pin: harness programs ---------------------------------------------- */

static int cmd_pin(int argc, char **argv)
{
	static const char *const progs[] = { "tc_empty", "xdp_gen", "xdp_sink", "xdp_pass" };
	struct bpf_object *obj;
	char path[4096];
	int err;

	if (argc != 3)
		die("usage: vgbench pin OBJ DIR");
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj)
		die("cannot open %s: %s", argv[1], strerror(errno));
	err = bpf_object__load(obj);
	if (err)
		die("cannot load %s: %s", argv[1], strerror(-err));
	for (size_t i = 0; i < ARRAY_SIZE(progs); i++) {
		struct bpf_program *p = bpf_object__find_program_by_name(obj, progs[i]);

		if (!p)
			die("%s has no program %s", argv[1], progs[i]);
		snprintf(path, sizeof(path), "%s/%s", argv[2], progs[i]);
		if ((err = bpf_program__pin(p, path)))
			die("cannot pin %s: %s", path, strerror(-err));
	}
	snprintf(path, sizeof(path), "%s/sink_count", argv[2]);
	err = bpf_map__pin(bpf_object__find_map_by_name(obj, "sink_count"), path);
	if (err)
		die("cannot pin %s: %s", path, strerror(-err));
	bpf_object__close(obj);
	return 0;
}

/* ---- fwd: live-frame generator --------------------------------------------- */

static uint64_t sink_read(int fd, int ncpu)
{
	uint64_t *v = calloc(ncpu, sizeof(*v)), sum = 0;
	uint32_t key = 0;

	if (!v)
		die("out of memory");
	if (bpf_map_lookup_elem(fd, &key, v))
		die("sink counter: %s", strerror(errno));
	for (int i = 0; i < ncpu; i++)
		sum += v[i];
	free(v);
	return sum;
}

/*
 * Everything the path costs runs on the generator's CPU: the softirq that
 * forwards the frames runs when the test run re-enables bottom halves
 * (charged to this thread, the kernel has no separate IRQ time accounting
 * here) or, past its budget, in that CPU's ksoftirqd.  The sum of both is
 * the CPU time the frames took, whatever else the machine runs meanwhile.
 */
static pid_t ksoftirqd_pid(int cpu)
{
	char want[32], comm[64], path[300];
	struct dirent *de;
	pid_t found = 0;
	DIR *d = opendir("/proc");

	if (!d)
		return 0;
	snprintf(want, sizeof(want), "ksoftirqd/%d\n", cpu);
	while (!found && (de = readdir(d))) {
		FILE *f;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strcmp(comm, want))
			found = (pid_t)strtol(de->d_name, NULL, 10);
		fclose(f);
	}
	closedir(d);
	return found;
}

/* The clocks of the CPU time the frames take: this thread's and, where
 * the generator is pinned, that CPU's ksoftirqd's. */
struct path_clock {
	clockid_t ksoftirqd;
	bool have_ksoftirqd;
};

static void path_clock_init(struct path_clock *pc, int cpu)
{
	pid_t kpid = cpu >= 0 ? ksoftirqd_pid(cpu) : 0;

	pc->have_ksoftirqd = kpid > 0 && clock_getcpuclockid(kpid, &pc->ksoftirqd) == 0;
}

static uint64_t path_cpu_ns(const struct path_clock *pc)
{
	uint64_t k = pc->have_ksoftirqd ? now_ns(pc->ksoftirqd) : 0;

	return k + now_ns(CLOCK_THREAD_CPUTIME_ID);
}

struct fwd_opts {
	const char *dev, *pins;
	unsigned long ms, chunk;
	int cpu;
	uint8_t smac[6], dmac[6];
	struct in_addr sip, dip;
};

/* 0, or -1 on an option getopt refused (it has said so). */
static int fwd_opts_parse(int argc, char **argv, struct fwd_opts *o)
{
	static const struct option lo[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "pins", required_argument, NULL, 'p' },
		{ "ms", required_argument, NULL, 't' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "smac", required_argument, NULL, 's' },
		{ "dmac", required_argument, NULL, 'm' },
		{ "sip", required_argument, NULL, 'S' },
		{ "dip", required_argument, NULL, 'D' },
		{ "chunk", required_argument, NULL, 'k' },
		{ 0 },
	};
	const char *sip = NULL, *dip = NULL;
	bool have_s = false, have_d = false;
	int opt;

	*o = (struct fwd_opts){ .ms = 1000, .chunk = 1 << 16, .cpu = -1 };
	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 'd': o->dev = optarg; break;
		case 'p': o->pins = optarg; break;
		case 't': o->ms = parse_ul(optarg, "ms", 600000); break;
		case 'c': o->cpu = parse_ul(optarg, "cpu", 4095); break;
		case 's': parse_mac(optarg, o->smac); have_s = true; break;
		case 'm': parse_mac(optarg, o->dmac); have_d = true; break;
		case 'S': sip = optarg; break;
		case 'D': dip = optarg; break;
		case 'k': o->chunk = parse_ul(optarg, "chunk", 1 << 24); break;
		default: return -1;
		}
	}
	if (!o->dev || !o->pins || !have_s || !have_d || !sip || !dip || !o->chunk)
		die("usage: vgbench fwd --dev IF --pins DIR --smac M --dmac M --sip A --dip A "
		    "[--ms N] [--cpu C] [--chunk N]");
	if (inet_pton(AF_INET, sip, &o->sip) != 1 || inet_pton(AF_INET, dip, &o->dip) != 1)
		die("bad IPv4 address");
	return 0;
}

/* The object `vgbench pin` pinned as name in pins. */
static int pin_get(const char *pins, const char *name)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pins, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	return fd;
}

/* Test runs of chunk live frames each, arriving on ifindex, until ms
 * have passed; returns the frames sent and sets the time it took. */
static uint64_t send_for(int prog_fd, const struct frame *f, uint32_t ifindex,
			 unsigned long chunk, unsigned long ms, uint64_t *wall_ns)
{
	struct xdp_md ctx = { .data_end = f->len, .ingress_ifindex = ifindex };
	uint64_t sent = 0, t0 = now_ns(CLOCK_MONOTONIC), t1;

	do {
		LIBBPF_OPTS(bpf_test_run_opts, o,
			.data_in = f->b, .data_size_in = f->len,
			.ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
			.repeat = chunk,
			.flags = BPF_F_TEST_XDP_LIVE_FRAMES);

		if (bpf_prog_test_run_opts(prog_fd, &o))
			die("live-frame test run: %s", strerror(errno));
		sent += chunk;
		t1 = now_ns(CLOCK_MONOTONIC);
	} while (t1 - t0 < ms * 1000000ull);
	*wall_ns = t1 - t0;
	return sent;
}

/* Frames still in a ring are counted, not timed: the sink's counter once
 * it stands still. */
static uint64_t sink_settled(int fd, int ncpu)
{
	uint64_t c = sink_read(fd, ncpu), prev;

	for (int i = 0; i < 50; i++) {
		usleep(2000);
		prev = c;
		c = sink_read(fd, ncpu);
		if (c == prev)
			break;
	}
	return c;
}

static int cmd_fwd(int argc, char **argv)
{
	struct fwd_opts o;
	struct frame f = { .len = 0 };
	struct path_clock pc;
	uint64_t sent, wall, c0, c1, cpu0, cpu1;
	int prog_fd, map_fd, ncpu;
	uint32_t ifindex;

	if (fwd_opts_parse(argc, argv, &o))
		return 2;
	pin_cpu(o.cpu);

	/* 60 octets on the wire without FCS: the smallest UDP frame. */
	eth(&f, o.smac, o.dmac, ETH_P_IP);
	ipv4_udp(&f, ntohl(o.sip.s_addr), ntohl(o.dip.s_addr), 40000, 9, 5);

	prog_fd = pin_get(o.pins, "xdp_gen");
	map_fd = pin_get(o.pins, "sink_count");
	ncpu = libbpf_num_possible_cpus();
	ifindex = dev_index(o.dev);
	path_clock_init(&pc, o.cpu);

	c0 = sink_read(map_fd, ncpu);
	cpu0 = path_cpu_ns(&pc);
	sent = send_for(prog_fd, &f, ifindex, o.chunk, o.ms, &wall);
	cpu1 = path_cpu_ns(&pc);
	c1 = sink_settled(map_fd, ncpu);
	printf("sent %llu recv %llu wall_ns %llu cpu_ns %llu\n", (unsigned long long)sent,
	       (unsigned long long)(c1 - c0), (unsigned long long)wall,
	       (unsigned long long)(cpu1 - cpu0));
	return 0;
}

/* ---- run: timed commands ------------------------------------------------ */

struct job {
	pid_t pid;
	uint64_t t0;
	char *line;
};

static pid_t spawn(char *line, bool quiet)
{
	char *argv[64], *save, *w;
	int n = 0;
	pid_t pid;

	for (w = strtok_r(line, " \t\n", &save); w && n < 63; w = strtok_r(NULL, " \t\n", &save))
		argv[n++] = w;
	argv[n] = NULL;
	if (!n)
		return 0;
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		if (quiet) {
			int fd = open("/dev/null", O_WRONLY);

			if (fd >= 0) {
				dup2(fd, 1);
				close(fd);
			}
		}
		execvp(argv[0], argv);
		fprintf(stderr, "vgbench: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

static int cmd_run(int argc, char **argv)
{
	unsigned long par = 1;
	bool quiet = false;
	char **lines = NULL;
	size_t n = 0, cap = 0, next = 0, done = 0, fails = 0;
	struct job *jobs;
	char buf[4096];
	uint64_t start;
	int opt;

	while ((opt = getopt(argc, argv, "P:q")) != -1) {
		switch (opt) {
		case 'P': par = parse_ul(optarg, "-P", 100000); break;
		case 'q': quiet = true; break;
		default: return 2;
		}
	}
	if (!par)
		par = 1;
	while (fgets(buf, sizeof(buf), stdin)) {
		if (buf[0] == '\n' || buf[0] == '#')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			lines = realloc(lines, cap * sizeof(*lines));
			if (!lines)
				die("out of memory");
		}
		lines[n++] = strdup(buf);
	}
	jobs = calloc(par, sizeof(*jobs));
	if (!jobs)
		die("out of memory");
	start = now_ns(CLOCK_MONOTONIC);
	while (done < n) {
		for (size_t j = 0; j < par && next < n; j++) {
			if (jobs[j].pid)
				continue;
			jobs[j].line = lines[next++];
			jobs[j].t0 = now_ns(CLOCK_MONOTONIC);
			jobs[j].pid = spawn(jobs[j].line, quiet);
			if (!jobs[j].pid)
				done++;
		}
		struct rusage ru;
		int st;
		pid_t pid = wait4(-1, &st, 0, &ru);

		if (pid < 0)
			die("wait: %s", strerror(errno));
		uint64_t t = now_ns(CLOCK_MONOTONIC);

		for (size_t j = 0; j < par; j++) {
			if (jobs[j].pid != pid)
				continue;
			int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);

			printf("cmd %llu %llu %llu %d\n", (unsigned long long)(t - jobs[j].t0),
			       (unsigned long long)(ru.ru_utime.tv_sec * 1000000000ull +
						    ru.ru_utime.tv_usec * 1000ull),
			       (unsigned long long)(ru.ru_stime.tv_sec * 1000000000ull +
						    ru.ru_stime.tv_usec * 1000ull),
			       rc);
			if (rc)
				fails++;
			jobs[j].pid = 0;
			done++;
		}
	}
	printf("total %llu %zu %zu\n", (unsigned long long)(now_ns(CLOCK_MONOTONIC) - start), n,
	       fails);
	return 0;
}

int main(int argc, char **argv)
{
	libbpf_set_print(libbpf_quiet);
	if (argc < 2)
		die("usage: vgbench prog|pin|fwd|run ...");
	if (!strcmp(argv[1], "prog"))
		return cmd_prog(argc - 1, argv + 1);
	if (!strcmp(argv[1], "pin"))
		return cmd_pin(argc - 1, argv + 1);
	if (!strcmp(argv[1], "fwd"))
		return cmd_fwd(argc - 1, argv + 1);
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	die("unknown command %s", argv[1]);
}
