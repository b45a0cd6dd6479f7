/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Frame building for the BPF tests (tests/bpf), the benchmark
 * (tools/bench) and vgpkt: append headers to a growing frame, then fix up
 * the length fields of the IP headers that enclose them.  Addresses come
 * as text ("10.0.0.1", "2001:db8::1") or, in the *_in/_in6 forms, as
 * struct in_addr / in6_addr; numbers in host order.  The IPv4 header
 * checksum is filled in by ip4_end(), a UDP or ICMPv6 one by l4_csum();
 * csum_add()/csum_fold() compute any other (IGMP's, say).  A
 * builder that would overflow the frame or gets a bad address aborts:
 * these frames are test input, never a user's.
 */
#ifndef VG_FRAME_H
#define VG_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#define FRAME_MAX 1024

struct frame {
	uint8_t b[FRAME_MAX];
	size_t len;
};

/* Destination MACs: broadcast, IPv4 all-hosts (224.0.0.1), IPv6 all-nodes. */
extern const uint8_t MAC_BCAST[6], MAC_MCAST[6], MAC_ALLNODES[6];

/* Appends n octets of p (zeroes when p is NULL); returns where they went. */
uint8_t *put(struct frame *f, const void *p, size_t n);
void put8(struct frame *f, uint8_t v);
void put16(struct frame *f, uint16_t v);
void put32(struct frame *f, uint32_t v);
void put_v4(struct frame *f, const char *a);
void put_v6(struct frame *f, const char *a);
void put_mac(struct frame *f, const uint8_t *mac);
/* Overwrites the 16-bit field at offset at. */
void set16(struct frame *f, size_t at, uint16_t v);

/* The Internet checksum (RFC 1071): add the octets, then fold. */
uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n);
uint16_t csum_fold(uint32_t sum);

void eth(struct frame *f, const uint8_t *src, const uint8_t *dst, uint16_t proto);
/* The same with one 802.1Q or 802.1ad tag (tpid) carrying tci. */
void eth_vlan(struct frame *f, const uint8_t *src, const uint8_t *dst, uint16_t tpid,
	      uint16_t tci, uint16_t proto);

/*
 * IPv4 header with opt_words 32-bit words of options (router alert first
 * when any); frag is the host-order frag_off field.  Returns where the
 * header starts, for ip4_end(), which sets its total length and checksum.
 */
size_t ip4_begin(struct frame *f, const char *src, const char *dst, uint8_t proto,
		 unsigned int opt_words, uint16_t frag);
/* A header without options or fragment bits, with the ttl and id given
 * (ip4_begin() writes 64 and 0x1234). */
size_t ip4_begin_in(struct frame *f, struct in_addr src, struct in_addr dst, uint8_t proto,
		    uint8_t ttl, uint16_t id);
void ip4_end(struct frame *f, size_t at);

/* IPv6 header; ip6_end() sets its payload length. */
size_t ip6_begin(struct frame *f, const char *src, const char *dst, uint8_t nexthdr,
		 uint8_t hop_limit);
size_t ip6_begin_in6(struct frame *f, const struct in6_addr *src, const struct in6_addr *dst,
		     uint8_t nexthdr, uint8_t hop_limit);
void ip6_end(struct frame *f, size_t at);

/* Hop-by-hop or destination options with a router alert (RFC 2711) and
 * padding to 8 octets * (units + 1). */
void ip6_opts(struct frame *f, uint8_t nexthdr, uint8_t units);
/* A routing header (type 4) with segments left 0: only skipped. */
void ip6_routing(struct frame *f, uint8_t nexthdr);
void ip6_frag(struct frame *f, uint8_t nexthdr, uint16_t offset_units, int more);
/* The same with identification id (ip6_frag() writes 0xabcdef01). */
void ip6_frag_id(struct frame *f, uint8_t nexthdr, uint16_t offset_units, int more, uint32_t id);
/* AH (RFC 4302) with a 96-bit ICV. */
void ip6_ah(struct frame *f, uint8_t nexthdr);

/* UDP header (checksum 0) and payload octets of zeroes. */
void udp(struct frame *f, uint16_t sport, uint16_t dport, size_t payload);
/* For a payload appended after udp(f, ..., 0): sets the length of the
 * UDP header at at to reach the frame's end. */
void udp_end(struct frame *f, size_t at);
/*
 * Fills in the checksum field at l4 + csum_off of the UDP or ICMPv6
 * message from l4 to the frame's end, over the pseudo header of the IPv4
 * or IPv6 header at ip (RFC 768, RFC 8200 8.1) with proto.  A UDP sum of
 * 0 goes out as 0xffff: 0 means none.
 */
void l4_csum(struct frame *f, size_t ip, size_t l4, size_t csum_off, uint8_t proto);
/* ICMPv6 type, code and a zero checksum. */
void icmp6(struct frame *f, uint8_t type, uint8_t code);
/* Neighbour Discovery link-layer address option (type 1 source, 2 target). */
void nd_lladdr(struct frame *f, uint8_t type, const uint8_t *mac);
/* Nonce option (RFC 7527), as Linux puts in DAD solicitations. */
void nd_nonce(struct frame *f);
/* The same with the 48-bit nonce given. */
void nd_nonce_val(struct frame *f, uint64_t nonce);

/* ARP for IPv4 over Ethernet; the _in form takes hlen (the field only:
 * six octets of hardware address are written whatever it says). */
void arp(struct frame *f, uint16_t op, const uint8_t *sha, const char *spa,
	 const uint8_t *tha, const char *tpa);
void arp_in(struct frame *f, uint16_t op, uint8_t hlen, const uint8_t *sha, struct in_addr spa,
	    const uint8_t *tha, struct in_addr tpa);

#endif /* VG_FRAME_H */
