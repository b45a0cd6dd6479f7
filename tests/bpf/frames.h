/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Frame builders for the BPF tests: append headers to a buffer, then fix
 * up the length fields of the IP headers that enclose them.  Only the
 * IPv4 header checksum is filled in (the data path never looks at
 * checksums; tcpdump of a failing frame is easier with it).
 */
#ifndef VG_TEST_FRAMES_H
#define VG_TEST_FRAMES_H

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#define FRAME_MAX 1024

struct frame {
	uint8_t b[FRAME_MAX];
	size_t len;
};

static uint8_t *put(struct frame *f, const void *p, size_t n)
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

static void put8(struct frame *f, uint8_t v)
{
	put(f, &v, 1);
}

static void put16(struct frame *f, uint16_t v)
{
	v = htons(v);
	put(f, &v, 2);
}

static void put32(struct frame *f, uint32_t v)
{
	v = htonl(v);
	put(f, &v, 4);
}

static void set16(struct frame *f, size_t at, uint16_t v)
{
	f->b[at] = v >> 8;
	f->b[at + 1] = v & 0xff;
}

static void put_v4(struct frame *f, const char *a)
{
	struct in_addr in;

	if (inet_pton(AF_INET, a, &in) != 1)
		abort();
	put(f, &in, 4);
}

static void put_v6(struct frame *f, const char *a)
{
	struct in6_addr in;

	if (inet_pton(AF_INET6, a, &in) != 1)
		abort();
	put(f, &in, 16);
}

static void put_mac(struct frame *f, const uint8_t *mac)
{
	put(f, mac, 6);
}

static void eth(struct frame *f, const uint8_t *src, const uint8_t *dst,
		uint16_t proto)
{
	put_mac(f, dst);
	put_mac(f, src);
	put16(f, proto);
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (n & 1)
		sum += p[n - 1] << 8;
	return sum;
}

/*
 * IPv4 header with opt_words 32-bit words of options (router alert first
 * when any); frag is the host-order frag_off field.  Returns where the
 * header starts, for ip4_end().
 */
static size_t ip4_begin(struct frame *f, const char *src, const char *dst,
			uint8_t proto, unsigned int opt_words, uint16_t frag)
{
	size_t at = f->len;

	put8(f, 0x40 | (5 + opt_words));
	put8(f, 0);
	put16(f, 0);		/* tot_len, set by ip4_end() */
	put16(f, 0x1234);
	put16(f, frag);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	put_v4(f, src);
	put_v4(f, dst);
	if (opt_words) {
		/* Router alert (RFC 2113), then end-of-list padding. */
		put8(f, 0x94);
		put8(f, 4);
		put16(f, 0);
		put(f, NULL, (opt_words - 1) * 4);
	}
	return at;
}

static void ip4_end(struct frame *f, size_t at)
{
	size_t hlen = (f->b[at] & 0xf) * 4;

	set16(f, at + 2, f->len - at);
	set16(f, at + 10, 0);
	set16(f, at + 10, csum_fold(csum_add(0, f->b + at, hlen)));
}

static size_t ip6_begin(struct frame *f, const char *src, const char *dst,
			uint8_t nexthdr, uint8_t hop_limit)
{
	size_t at = f->len;

	put32(f, 0x60000000);
	put16(f, 0);		/* payload_len, set by ip6_end() */
	put8(f, nexthdr);
	put8(f, hop_limit);
	put_v6(f, src);
	put_v6(f, dst);
	return at;
}

static void ip6_end(struct frame *f, size_t at)
{
	set16(f, at + 4, f->len - at - 40);
}

/* Hop-by-hop or destination options with a router alert (RFC 2711) and
 * padding to 8 octets * (units + 1). */
static void ip6_opts(struct frame *f, uint8_t nexthdr, uint8_t units)
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
static void ip6_routing(struct frame *f, uint8_t nexthdr)
{
	put8(f, nexthdr);
	put8(f, 2);		/* one address */
	put8(f, 4);		/* type 4 (SRH) */
	put8(f, 0);		/* segments left */
	put32(f, 0);
	put_v6(f, "2001:db8::1");
}

static void ip6_frag(struct frame *f, uint8_t nexthdr, uint16_t offset_units,
		     int more)
{
	put8(f, nexthdr);
	put8(f, 0);
	put16(f, (offset_units << 3) | (more ? 1 : 0));
	put32(f, 0xabcdef01);
}

/* AH (RFC 4302) with a 96-bit ICV: length field 4. */
static void ip6_ah(struct frame *f, uint8_t nexthdr)
{
	put8(f, nexthdr);
	put8(f, 4);
	put16(f, 0);
	put32(f, 0x100);	/* SPI */
	put32(f, 1);		/* sequence */
	put(f, NULL, 12);
}

static void udp(struct frame *f, uint16_t sport, uint16_t dport,
		size_t payload)
{
	put16(f, sport);
	put16(f, dport);
	put16(f, 8 + payload);
	put16(f, 0);
	put(f, NULL, payload);
}

static void icmp6(struct frame *f, uint8_t type, uint8_t code)
{
	put8(f, type);
	put8(f, code);
	put16(f, 0);
}

/* Neighbour Discovery link-layer address option (type 1 source, 2
 * target). */
static void nd_lladdr(struct frame *f, uint8_t type, const uint8_t *mac)
{
	put8(f, type);
	put8(f, 1);
	put_mac(f, mac);
}

/* Nonce option (RFC 7527), as Linux puts in DAD solicitations. */
static void nd_nonce(struct frame *f)
{
	put8(f, 14);
	put8(f, 1);
	put(f, "\x5a\x11\x22\x33\x44\x55", 6);
}

static void arp(struct frame *f, uint16_t op, const uint8_t *sha,
		const char *spa, const uint8_t *tha, const char *tpa)
{
	put16(f, 1);
	put16(f, 0x0800);
	put8(f, 6);
	put8(f, 4);
	put16(f, op);
	put_mac(f, sha);
	put_v4(f, spa);
	put_mac(f, tha);
	put_v4(f, tpa);
}

#endif /* VG_TEST_FRAMES_H */
