// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The frame bytes of a drop event decoded (events.h).  Every read is
 * checked against the bytes captured: the frame is the guest's and may
 * be anything, and the capture stops at VG_EVENT_CAP bytes.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "events.h"

#define ETH_HLEN	14

static void mac_str(char *out, const uint8_t *m)
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
		 m[5]);
}

static unsigned int be16(const uint8_t *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

/* Ports or ICMP type at l4 (n bytes left), for protocol. */
static void decode_l4(const uint8_t *l4, size_t n, int protocol, struct vg_event_fields *o)
{
	switch (protocol) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
	case IPPROTO_UDPLITE:
		if (n >= 4) {
			o->src_port = (int)be16(l4);
			o->dst_port = (int)be16(l4 + 2);
		}
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (n >= 2) {
			o->icmp_type = l4[0];
			o->icmp_code = l4[1];
		}
		break;
	}
}

static void decode_ipv4(const uint8_t *p, size_t n, struct vg_event_fields *o)
{
	size_t ihl;

	if (n < 20 || p[0] >> 4 != 4)
		return;
	inet_ntop(AF_INET, p + 12, o->src_ip, sizeof(o->src_ip));
	inet_ntop(AF_INET, p + 16, o->dst_ip, sizeof(o->dst_ip));
	o->protocol = p[9];
	ihl = (size_t)(p[0] & 0xf) * 4;
	/* Ports only in a first fragment (offset 0). */
	if (ihl >= 20 && ihl <= n && !(be16(p + 6) & 0x1fff))
		decode_l4(p + ihl, n - ihl, o->protocol, o);
}

static int ipv6_exthdr(int nh)
{
	return nh == 0 || nh == 43 || nh == 60 || nh == 44;	/* hop, routing, dest, frag */
}

static void decode_ipv6(const uint8_t *p, size_t n, struct vg_event_fields *o)
{
	size_t off = 40, len;
	int nh, i;

	if (n < 40 || p[0] >> 4 != 6)
		return;
	inet_ntop(AF_INET6, p + 8, o->src_ip, sizeof(o->src_ip));
	inet_ntop(AF_INET6, p + 24, o->dst_ip, sizeof(o->dst_ip));
	nh = p[6];
	for (i = 0; i < 8 && ipv6_exthdr(nh); i++) {
		if (off + 8 > n)
			break;
		if (nh == 44) {
			/* A fragment other than the first has no ports. */
			if (be16(p + off + 2) & 0xfff8) {
				o->protocol = p[off];
				return;
			}
			len = 8;
		} else {
			len = ((size_t)p[off + 1] + 1) * 8;
		}
		nh = p[off];
		off += len;
	}
	o->protocol = nh;
	if (!ipv6_exthdr(nh) && off <= n)
		decode_l4(p + off, n - off, nh, o);
}

static void decode_arp(const uint8_t *p, size_t n, struct vg_event_fields *o)
{
	/* Ethernet and IPv4 only: hardware 1, protocol 0x0800, 6 and 4. */
	if (n < 28 || be16(p) != 1 || be16(p + 2) != 0x0800 || p[4] != 6 || p[5] != 4)
		return;
	o->arp_op = (int)be16(p + 6);
	mac_str(o->arp_sha, p + 8);
	inet_ntop(AF_INET, p + 14, o->src_ip, sizeof(o->src_ip));
	inet_ntop(AF_INET, p + 24, o->dst_ip, sizeof(o->dst_ip));
}

void vg_event_decode(const struct vg_event *ev, const uint8_t *f, size_t n,
		     struct vg_event_fields *o)
{
	size_t off = ETH_HLEN;
	unsigned int type;
	int i;

	memset(o, 0, sizeof(*o));
	o->ethertype = o->vlan = o->protocol = -1;
	o->src_port = o->dst_port = o->icmp_type = o->icmp_code = o->arp_op = -1;
	if (ev->vlan_proto)
		o->vlan = ev->vlan_tci & 0xfff;
	if (n < ETH_HLEN)
		return;
	mac_str(o->dst_mac, f);
	mac_str(o->src_mac, f + 6);
	type = be16(f + 12);
	/* Tags in the frame (802.1Q, 802.1ad), at most two. */
	for (i = 0; i < 2 && (type == 0x8100 || type == 0x88a8); i++) {
		if (off + 4 > n)
			return;
		if (o->vlan < 0)
			o->vlan = (int)(be16(f + off) & 0xfff);
		type = be16(f + off + 2);
		off += 4;
	}
	o->ethertype = (int)type;
	if (type == 0x0800)
		decode_ipv4(f + off, n - off, o);
	else if (type == 0x86dd)
		decode_ipv6(f + off, n - off, o);
	else if (type == 0x0806)
		decode_arp(f + off, n - off, o);
}

const char *vg_proto_name(int protocol)
{
	switch (protocol) {
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_IGMP:
		return "igmp";
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMPV6:
		return "ipv6-icmp";
	case IPPROTO_SCTP:
		return "sctp";
	case IPPROTO_UDPLITE:
		return "udplite";
	}
	return NULL;
}
