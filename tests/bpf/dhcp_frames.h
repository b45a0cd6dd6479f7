/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The frames of DHCP snooping (test-dhcp) and trust on first use
 * (test-first): DHCPv4 and DHCPv6 options, the messages a server sends a
 * guest (ACK, NAK, Reply) and a guest sends its server (RELEASE, DECLINE,
 * Release, Decline), and the plain UDP and ARP traffic whose source a
 * lease or a first use allows.  The server is MAC_SERVER at SERVER4 and
 * SERVER6; a guest is a struct iface (learn_harness.h): its MAC, and its
 * link-local for DHCPv6.
 */
#ifndef VG_DHCP_FRAMES_H
#define VG_DHCP_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "learn_harness.h"

extern const uint8_t MAC_SERVER[6];
extern const uint8_t MAC_V6_SERVERS[6];	/* of ff02::1:2 */

#define SERVER4		"10.0.0.1"
#define SERVER6		"fe80::67"

/* --- DHCP options --------------------------------------------------------------- */

/* Options are built in a struct frame of their own (emptied by setting
 * len to 0) with these writers and frame.h's put, put8, put16, put32. */

/* DHCPv4 (RFC 2132): code, length, data; message type (53); a 32-bit
 * value; an address; n PAD options; END. */
void o4(struct frame *o, uint8_t code, const void *p, uint8_t len);
void o4_type(struct frame *o, uint8_t type);
void o4_u32(struct frame *o, uint8_t code, uint32_t v);
void o4_addr(struct frame *o, uint8_t code, const char *a);
void o4_pads(struct frame *o, unsigned int n);
void o4_end(struct frame *o);

/* DHCPv6 (RFC 8415 21): an option opened with o6_begin() is closed, its
 * length set, by o6_close(). */
size_t o6_begin(struct frame *o, uint16_t code);
void o6_close(struct frame *o, size_t at);
void o6(struct frame *o, uint16_t code, const void *p, uint16_t len);
/* Client (DUID-LL of client) and server identifiers. */
void o6_ids(struct frame *o, const uint8_t *client);
/* IA_NA and IA_TA, left open for their IAADDRs. */
size_t o6_ia_na(struct frame *o, uint32_t iaid);
size_t o6_ia_ta(struct frame *o, uint32_t iaid);
void o6_iaaddr(struct frame *o, const char *addr, uint32_t preferred, uint32_t valid);

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
	const struct frame *o;		/* the options */
};

struct frame dhcp4(const struct dhcp4 *m);
/* An ACK's options (o emptied first). */
void ack_opts(struct frame *o, uint32_t lease);

/* An ACK of yiaddr for i, unicast to its MAC and new address, carrying
 * o.  Inline: it only keeps the pointer, so o may still be empty. */
static inline struct dhcp4 ack_msg(const struct iface *i, const char *yiaddr,
				   const struct frame *o)
{
	struct dhcp4 m = { .eth_dst = i->mac, .dst = yiaddr, .chaddr = i->mac, .yiaddr = yiaddr,
			   .o = o };

	return m;
}

struct frame ack(const struct iface *i, const char *yiaddr, uint32_t lease);
struct frame nak(const struct iface *i);
struct frame release4(const struct iface *i, const char *src, const char *ciaddr);
struct frame decline4(const struct iface *i, const char *addr);
/* UDP from src to SERVER4; a gratuitous ARP request from spa. */
struct frame udp4_from(const uint8_t *mac, const char *src);
struct frame arp_from(const uint8_t *mac, const char *spa);

/* A DHCPv6 message (RFC 8415 8) in UDP in IPv6.  Zero fields take the
 * defaults of a server's Reply to the guest. */
struct dhcp6 {
	const uint8_t *eth_src;		/* NULL: MAC_SERVER */
	const uint8_t *eth_dst;		/* NULL: the interface's MAC */
	const char *src, *dst;		/* NULL: SERVER6, the interface's link-local */
	uint16_t sport, dport;		/* 0: 547, 546 */
	uint8_t type;			/* 0: Reply */
	bool hbh;			/* behind a hop-by-hop options header */
	const struct frame *o;		/* the options */
};

struct frame dhcp6(const struct iface *i, const struct dhcp6 *m);
struct frame reply6(const struct iface *i, const char *addr, uint32_t valid);
/* The guest's Release (8) or Decline (9) of addr. */
struct frame client6(const struct iface *i, uint8_t type, const char *addr);
/* UDP from src to 2001:db8::1. */
struct frame udp6_from(const uint8_t *mac, const char *src);

#endif /* VG_DHCP_FRAMES_H */
