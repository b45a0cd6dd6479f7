// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The frames of test-dhcp and test-first (dhcp_frames.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "dhcp_frames.h"

const uint8_t MAC_SERVER[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x67 };
const uint8_t MAC_V6_SERVERS[6] = { 0x33, 0x33, 0x00, 0x01, 0x00, 0x02 };

/* --- DHCP options --------------------------------------------------------------- */

/* DHCPv4 (RFC 2132): code, length, data. */
void o4(struct frame *o, uint8_t code, const void *p, uint8_t len)
{
	put8(o, code);
	put8(o, len);
	put(o, p, len);
}

void o4_type(struct frame *o, uint8_t type)
{
	o4(o, 53, &type, 1);
}

void o4_u32(struct frame *o, uint8_t code, uint32_t v)
{
	v = htonl(v);
	o4(o, code, &v, 4);
}

void o4_addr(struct frame *o, uint8_t code, const char *a)
{
	struct vg_addr4 v = a4(a);

	o4(o, code, &v.addr, 4);
}

void o4_pads(struct frame *o, unsigned int n)
{
	while (n--)
		put8(o, 0);
}

void o4_end(struct frame *o)
{
	put8(o, 255);
}

/* DHCPv6 (RFC 8415 21): 16-bit code and length.  o6_begin() returns
 * where an option starts for o6_close(), which sets its length. */
size_t o6_begin(struct frame *o, uint16_t code)
{
	size_t at = o->len;

	put16(o, code);
	put16(o, 0);
	return at;
}

void o6_close(struct frame *o, size_t at)
{
	set16(o, at + 2, o->len - at - 4);
}

void o6(struct frame *o, uint16_t code, const void *p, uint16_t len)
{
	put16(o, code);
	put16(o, len);
	put(o, p, len);
}

/* Client and server identifiers (DUID-LL of the MAC), what every Reply
 * carries before its IAs. */
void o6_ids(struct frame *o, const uint8_t *client)
{
	uint8_t duid[10] = { 0, 3, 0, 1 };

	memcpy(duid + 4, client, 6);
	o6(o, 1, duid, sizeof(duid));
	memcpy(duid + 4, MAC_SERVER, 6);
	o6(o, 2, duid, sizeof(duid));
}

/* IA_NA (3): IAID, T1, T2, then its options; IA_TA (4): IAID only. */
size_t o6_ia_na(struct frame *o, uint32_t iaid)
{
	size_t at = o6_begin(o, 3);

	put32(o, iaid);
	put32(o, 1800);
	put32(o, 2880);
	return at;
}

size_t o6_ia_ta(struct frame *o, uint32_t iaid)
{
	size_t at = o6_begin(o, 4);

	put32(o, iaid);
	return at;
}

/* IAADDR (5): address, preferred and valid lifetimes. */
void o6_iaaddr(struct frame *o, const char *addr, uint32_t preferred, uint32_t valid)
{
	struct vg_addr6 a = a6(addr);
	size_t at = o6_begin(o, 5);

	put(o, a.addr, 16);
	put32(o, preferred);
	put32(o, valid);
	o6_close(o, at);
}

/* --- frames --------------------------------------------------------------------- */

struct frame dhcp4(const struct dhcp4 *m)
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
	put(&f, m->o->b, m->o->len);
	udp_end(&f, l4);
	ip4_end(&f, ip);
	l4_csum(&f, ip, l4, 6, 17);
	return f;
}

/* The options of an ACK as ISC dhcpd sends them: type, server, lease,
 * mask, router, END. */
void ack_opts(struct frame *o, uint32_t lease)
{
	o->len = 0;
	o4_type(o, 5);
	o4_addr(o, 54, SERVER4);
	o4_u32(o, 51, lease);
	o4_addr(o, 1, "255.255.255.0");
	o4_addr(o, 3, SERVER4);
	o4_end(o);
}

struct frame ack(const struct iface *i, const char *yiaddr, uint32_t lease)
{
	static struct frame o;
	struct dhcp4 m = ack_msg(i, yiaddr, &o);

	ack_opts(&o, lease);
	return dhcp4(&m);
}

struct frame nak(const struct iface *i)
{
	static struct frame o;
	struct dhcp4 m = { .chaddr = i->mac, .o = &o };

	o.len = 0;
	o4_type(&o, 6);
	o4_addr(&o, 54, SERVER4);
	o4(&o, 56, "wrong network", 13);
	o4_end(&o);
	return dhcp4(&m);
}

/* The guest's RELEASE of ciaddr, from src to the server (RFC 2131 4.4.6). */
struct frame release4(const struct iface *i, const char *src, const char *ciaddr)
{
	static struct frame o;
	struct dhcp4 m = { .eth_src = i->mac, .eth_dst = MAC_SERVER, .src = src, .dst = SERVER4,
			   .sport = 68, .dport = 67, .op = 1, .chaddr = i->mac, .ciaddr = ciaddr,
			   .o = &o };

	o.len = 0;
	o4_type(&o, 7);
	o4_addr(&o, 54, SERVER4);
	o4_end(&o);
	return dhcp4(&m);
}

/* The guest's DECLINE of addr, broadcast from 0.0.0.0 (RFC 2131 4.4.1). */
struct frame decline4(const struct iface *i, const char *addr)
{
	static struct frame o;
	struct dhcp4 m = { .eth_src = i->mac, .src = "0.0.0.0", .sport = 68, .dport = 67,
			   .op = 1, .chaddr = i->mac, .o = &o };

	o.len = 0;
	o4_type(&o, 4);
	o4_addr(&o, 50, addr);
	o4_addr(&o, 54, SERVER4);
	o4_end(&o);
	return dhcp4(&m);
}

struct frame udp4_from(const uint8_t *mac, const char *src)
{
	struct frame f = { .len = 0 };
	size_t ip;

	eth(&f, mac, MAC_SERVER, 0x0800);
	ip = ip4_begin(&f, src, SERVER4, 17, 0, 0);
	udp(&f, 40000, 53, 16);
	ip4_end(&f, ip);
	return f;
}

struct frame arp_from(const uint8_t *mac, const char *spa)
{
	struct frame f = { .len = 0 };

	eth(&f, mac, MAC_BCAST, 0x0806);
	arp(&f, 1, mac, spa, MAC_BCAST, SERVER4);
	return f;
}

struct frame dhcp6(const struct iface *i, const struct dhcp6 *m)
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
	put(&f, m->o->b, m->o->len);
	udp_end(&f, l4);
	ip6_end(&f, ip);
	if (!m->hbh)
		l4_csum(&f, ip, l4, 6, 17);
	return f;
}

/* A Reply to i with one IA_NA of one address. */
struct frame reply6(const struct iface *i, const char *addr, uint32_t valid)
{
	static struct frame o;
	struct dhcp6 m = { .o = &o };
	size_t ia;

	o.len = 0;
	o6_ids(&o, i->mac);
	ia = o6_ia_na(&o, 1);
	o6_iaaddr(&o, addr, valid / 2, valid);
	o6_close(&o, ia);
	return dhcp6(i, &m);
}

/* The guest's Release (8) or Decline (9) of addr, from its link-local to
 * All_DHCP_Relay_Agents_and_Servers (RFC 8415 18.2.7, 18.2.8). */
struct frame client6(const struct iface *i, uint8_t type, const char *addr)
{
	static struct frame o;
	struct dhcp6 m = { .eth_src = i->mac, .eth_dst = MAC_V6_SERVERS, .src = i->ll,
			   .dst = "ff02::1:2", .sport = 546, .dport = 547, .type = type, .o = &o };
	size_t ia;

	o.len = 0;
	o6_ids(&o, i->mac);
	ia = o6_ia_na(&o, 1);
	o6_iaaddr(&o, addr, 0, 0);
	o6_close(&o, ia);
	return dhcp6(i, &m);
}

struct frame udp6_from(const uint8_t *mac, const char *src)
{
	return udp6(mac, src, MAC_SERVER, "2001:db8::1", 53);
}