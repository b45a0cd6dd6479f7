// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Frame building for the tests and the tools (frame.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

const uint8_t MAC_BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
const uint8_t MAC_MCAST[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
const uint8_t MAC_ALLNODES[6] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 };

uint8_t *put(struct frame *f, const void *p, size_t n)
{
	uint8_t *at = f->b + f->len;

	if (f->len + n > FRAME_MAX) {
		fprintf(stderr, "frame too long\n");
		abort();
	}
	if (p)
		memcpy(at, p, n);
	else
		memset(at, 0, n);
	f->len += n;
	return at;
}

void put8(struct frame *f, uint8_t v)
{
	put(f, &v, 1);
}

void put16(struct frame *f, uint16_t v)
{
	v = htons(v);
	put(f, &v, 2);
}

void put32(struct frame *f, uint32_t v)
{
	v = htonl(v);
	put(f, &v, 4);
}

void set16(struct frame *f, size_t at, uint16_t v)
{
	f->b[at] = v >> 8;
	f->b[at + 1] = v & 0xff;
}

/* Address a of family af into out; a test's own typo aborts. */
static void addr_of(int af, const char *a, void *out)
{
	if (inet_pton(af, a, out) != 1) {
		fprintf(stderr, "bad IPv%c address %s\n", af == AF_INET ? '4' : '6', a);
		abort();
	}
}

static struct in_addr in_of(const char *a)
{
	struct in_addr in;

	addr_of(AF_INET, a, &in);
	return in;
}

static struct in6_addr in6_of(const char *a)
{
	struct in6_addr in;

	addr_of(AF_INET6, a, &in);
	return in;
}

void put_v4(struct frame *f, const char *a)
{
	struct in_addr in = in_of(a);

	put(f, &in, 4);
}

void put_v6(struct frame *f, const char *a)
{
	struct in6_addr in = in6_of(a);

	put(f, &in, 16);
}

void put_mac(struct frame *f, const uint8_t *mac)
{
	put(f, mac, 6);
}

void eth(struct frame *f, const uint8_t *src, const uint8_t *dst,
		uint16_t proto)
{
	put_mac(f, dst);
	put_mac(f, src);
	put16(f, proto);
}

void eth_vlan(struct frame *f, const uint8_t *src, const uint8_t *dst, uint16_t tpid,
	      uint16_t tci, uint16_t proto)
{
	put_mac(f, dst);
	put_mac(f, src);
	put16(f, tpid);
	put16(f, tci);
	put16(f, proto);
}

uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (n & 1)
		sum += p[n - 1] << 8;
	return sum;
}

size_t ip4_begin_in(struct frame *f, struct in_addr src, struct in_addr dst, uint8_t proto,
		    uint8_t ttl, uint16_t id)
{
	size_t at = f->len;

	put8(f, 0x45);
	put8(f, 0);
	put16(f, 0);		/* tot_len, set by ip4_end() */
	put16(f, id);
	put16(f, 0);
	put8(f, ttl);
	put8(f, proto);
	put16(f, 0);
	put(f, &src, 4);
	put(f, &dst, 4);
	return at;
}

size_t ip4_begin(struct frame *f, const char *src, const char *dst,
			uint8_t proto, unsigned int opt_words, uint16_t frag)
{
	struct in_addr s = in_of(src), d = in_of(dst);
	size_t at = ip4_begin_in(f, s, d, proto, 64, 0x1234);

	f->b[at] = 0x40 | (5 + opt_words);
	set16(f, at + 6, frag);
	if (opt_words) {
		/* Router alert (RFC 2113), then end-of-list padding. */
		put8(f, 0x94);
		put8(f, 4);
		put16(f, 0);
		put(f, NULL, (opt_words - 1) * 4);
	}
	return at;
}

void ip4_end(struct frame *f, size_t at)
{
	size_t hlen = (f->b[at] & 0xf) * 4;

	set16(f, at + 2, f->len - at);
	set16(f, at + 10, 0);
	set16(f, at + 10, csum_fold(csum_add(0, f->b + at, hlen)));
}

size_t ip6_begin_in6(struct frame *f, const struct in6_addr *src, const struct in6_addr *dst,
		     uint8_t nexthdr, uint8_t hop_limit)
{
	size_t at = f->len;

	put32(f, 0x60000000);
	put16(f, 0);		/* payload_len, set by ip6_end() */
	put8(f, nexthdr);
	put8(f, hop_limit);
	put(f, src, 16);
	put(f, dst, 16);
	return at;
}

size_t ip6_begin(struct frame *f, const char *src, const char *dst, uint8_t nexthdr,
		 uint8_t hop_limit)
{
	struct in6_addr s = in6_of(src), d = in6_of(dst);

	return ip6_begin_in6(f, &s, &d, nexthdr, hop_limit);
}

void ip6_end(struct frame *f, size_t at)
{
	set16(f, at + 4, f->len - at - 40);
}

void ip6_opts(struct frame *f, uint8_t nexthdr, uint8_t units)
{
	put8(f, nexthdr);
	put8(f, units);
	put8(f, 5);		/* router alert */
	put8(f, 2);
	put16(f, 0);		/* MLD */
	put8(f, 1);		/* PadN */
	put8(f, 0);
	put(f, NULL, units * 8);
}

/* Routing header type 0 segments left 0 is never processed; any type
 * with segments left 0 only gets skipped by the receiver. */
void ip6_routing(struct frame *f, uint8_t nexthdr)
{
	put8(f, nexthdr);
	put8(f, 2);		/* one address */
	put8(f, 4);		/* type 4 (SRH) */
	put8(f, 0);		/* segments left */
	put32(f, 0);
	put_v6(f, "2001:db8::1");
}

void ip6_frag_id(struct frame *f, uint8_t nexthdr, uint16_t offset_units, int more, uint32_t id)
{
	put8(f, nexthdr);
	put8(f, 0);
	put16(f, (offset_units << 3) | (more ? 1 : 0));
	put32(f, id);
}

void ip6_frag(struct frame *f, uint8_t nexthdr, uint16_t offset_units,
		     int more)
{
	ip6_frag_id(f, nexthdr, offset_units, more, 0xabcdef01);
}

/* AH (RFC 4302) with a 96-bit ICV: length field 4. */
void ip6_ah(struct frame *f, uint8_t nexthdr)
{
	put8(f, nexthdr);
	put8(f, 4);
	put16(f, 0);
	put32(f, 0x100);	/* SPI */
	put32(f, 1);		/* sequence */
	put(f, NULL, 12);
}

void udp(struct frame *f, uint16_t sport, uint16_t dport,
		size_t payload)
{
	put16(f, sport);
	put16(f, dport);
	put16(f, 8 + payload);
	put16(f, 0);
	put(f, NULL, payload);
}

void udp_end(struct frame *f, size_t at)
{
	set16(f, at + 4, f->len - at);
}

void l4_csum(struct frame *f, size_t ip, size_t l4, size_t csum_off, uint8_t proto)
{
	size_t len = f->len - l4;
	uint32_t sum;
	uint16_t c;

	/* The pseudo header's source and destination lie in the IP header
	 * as they are; its length and protocol are only added. */
	if (f->b[ip] >> 4 == 4)
		sum = csum_add(0, f->b + ip + 12, 8);
	else
		sum = csum_add(0, f->b + ip + 8, 32);
	sum += len + proto;
	set16(f, l4 + csum_off, 0);
	c = csum_fold(csum_add(sum, f->b + l4, len));
	if (proto == IPPROTO_UDP && !c)
		c = 0xffff;
	set16(f, l4 + csum_off, c);
}

void icmp6(struct frame *f, uint8_t type, uint8_t code)
{
	put8(f, type);
	put8(f, code);
	put16(f, 0);
}

void nd_lladdr(struct frame *f, uint8_t type, const uint8_t *mac)
{
	put8(f, type);
	put8(f, 1);
	put_mac(f, mac);
}

void nd_nonce_val(struct frame *f, uint64_t nonce)
{
	put8(f, 14);
	put8(f, 1);
	put16(f, nonce >> 32);
	put32(f, nonce);
}

void nd_nonce(struct frame *f)
{
	nd_nonce_val(f, 0x5a1122334455ULL);
}

void arp_in(struct frame *f, uint16_t op, uint8_t hlen, const uint8_t *sha, struct in_addr spa,
	    const uint8_t *tha, struct in_addr tpa)
{
	put16(f, 1);
	put16(f, 0x0800);
	put8(f, hlen);
	put8(f, 4);
	put16(f, op);
	put_mac(f, sha);
	put(f, &spa, 4);
	put_mac(f, tha);
	put(f, &tpa, 4);
}

void arp(struct frame *f, uint16_t op, const uint8_t *sha, const char *spa,
	 const uint8_t *tha, const char *tpa)
{
	arp_in(f, op, 6, sha, in_of(spa), tha, in_of(tpa));
}
