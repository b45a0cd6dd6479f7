// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A drop event's frame bytes decoded (loader/events.c): the fields of
 * well-formed frames, and the guest's bad or cut frames, which must
 * give fewer fields and never a read past the bytes captured.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "events.h"

static const uint8_t eth_ip4[] = {
	0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0x06, 0, 0x08, 0x00,
};

/* An Ethernet header (ethertype 0x0800) and an IPv4 header of ihl words,
 * fragment offset frag, protocol proto, 10.0.0.5 > 10.0.0.1; then l4. */
static size_t ipv4(uint8_t *f, unsigned int ihl, unsigned int frag, uint8_t proto,
		   const uint8_t *l4, size_t l4len)
{
	size_t hl = ihl * 4;

	memcpy(f, eth_ip4, sizeof(eth_ip4));
	memset(f + 14, 0, hl);
	f[14] = (uint8_t)(0x40 | ihl);
	f[14 + 6] = (uint8_t)(frag >> 8);
	f[14 + 7] = (uint8_t)frag;
	f[14 + 9] = proto;
	memcpy(f + 14 + 12, (const uint8_t[]){ 10, 0, 0, 5, 10, 0, 0, 1 }, 8);
	memcpy(f + 14 + hl, l4, l4len);
	return 14 + hl + l4len;
}

static void decode(const uint8_t *f, size_t n, struct vg_event_fields *o)
{
	struct vg_event ev;

	memset(&ev, 0, sizeof(ev));
	vg_event_decode(&ev, f, n, o);
}

static void udp4_fields(void **state)
{
	static const uint8_t udp[] = { 0x04, 0xd2, 0x00, 0x35, 0, 8, 0, 0 };
	struct vg_event_fields o;
	uint8_t f[128];
	size_t n;

	(void)state;
	n = ipv4(f, 5, 0, 17, udp, sizeof(udp));
	decode(f, n, &o);
	assert_string_equal(o.src_mac, "02:00:00:00:06:00");
	assert_string_equal(o.dst_mac, "02:00:00:00:00:01");
	assert_int_equal(o.ethertype, 0x0800);
	assert_string_equal(o.src_ip, "10.0.0.5");
	assert_string_equal(o.dst_ip, "10.0.0.1");
	assert_int_equal(o.protocol, 17);
	assert_int_equal(o.src_port, 1234);
	assert_int_equal(o.dst_port, 53);
	assert_int_equal(o.icmp_type, -1);
	assert_int_equal(o.vlan, -1);

	/* Options: the ports come after them. */
	n = ipv4(f, 7, 0, 17, udp, sizeof(udp));
	decode(f, n, &o);
	assert_int_equal(o.dst_port, 53);
	/* A later fragment has no ports; its protocol is still known. */
	n = ipv4(f, 5, 185, 17, udp, sizeof(udp));
	decode(f, n, &o);
	assert_int_equal(o.protocol, 17);
	assert_int_equal(o.src_port, -1);
	/* Ports cut off by the capture. */
	n = ipv4(f, 5, 0, 17, udp, sizeof(udp));
	decode(f, n - 6, &o);
	assert_int_equal(o.src_port, -1);
	assert_string_equal(o.src_ip, "10.0.0.5");
	/* An IHL below 5 or beyond the bytes: addresses only. */
	n = ipv4(f, 5, 0, 17, udp, sizeof(udp));
	f[14] = 0x4f;
	decode(f, n, &o);
	assert_string_equal(o.src_ip, "10.0.0.5");
	assert_int_equal(o.src_port, -1);
	f[14] = 0x44;
	decode(f, n, &o);
	assert_int_equal(o.src_port, -1);
}

static void short_frames(void **state)
{
	struct vg_event_fields o;
	struct vg_event ev;
	uint8_t f[128];
	size_t n;

	(void)state;
	memset(f, 0, sizeof(f));
	decode(f, 13, &o);
	assert_string_equal(o.src_mac, "");
	assert_int_equal(o.ethertype, -1);
	/* An IPv4 header cut short: no addresses. */
	n = ipv4(f, 5, 0, 6, NULL, 0);
	decode(f, n - 1, &o);
	assert_int_equal(o.ethertype, 0x0800);
	assert_string_equal(o.src_ip, "");
	assert_int_equal(o.protocol, -1);
	/* An offloaded tag is in the event, not the bytes. */
	memset(&ev, 0, sizeof(ev));
	ev.vlan_proto = 0x0081;
	ev.vlan_tci = 0x200a;
	vg_event_decode(&ev, f, n, &o);
	assert_int_equal(o.vlan, 10);
}

static void vlan_in_frame(void **state)
{
	static const uint8_t icmp[] = { 8, 0, 0, 0 };
	struct vg_event_fields o;
	uint8_t f[128], g[132];
	size_t n;

	(void)state;
	n = ipv4(f, 5, 0, 1, icmp, sizeof(icmp));
	memcpy(g, f, 12);
	memcpy(g + 12, (const uint8_t[]){ 0x81, 0x00, 0x00, 0x0a }, 4);
	memcpy(g + 16, f + 12, n - 12);
	decode(g, n + 4, &o);
	assert_int_equal(o.vlan, 10);
	assert_int_equal(o.ethertype, 0x0800);
	assert_int_equal(o.icmp_type, 8);
	assert_int_equal(o.icmp_code, 0);
	/* The tag cut off. */
	decode(g, 15, &o);
	assert_int_equal(o.ethertype, -1);
}

/* Ethernet + IPv6 fd00::5 > ff02::1 with next header nh. */
static size_t ipv6(uint8_t *f, uint8_t nh)
{
	memcpy(f, eth_ip4, 12);
	f[12] = 0x86;
	f[13] = 0xdd;
	memset(f + 14, 0, 40);
	f[14] = 0x60;
	f[14 + 6] = nh;
	f[14 + 8] = 0xfd;
	f[14 + 23] = 5;
	f[14 + 24] = 0xff;
	f[14 + 25] = 0x02;
	f[14 + 39] = 1;
	return 54;
}

static void ipv6_chain(void **state)
{
	struct vg_event_fields o;
	uint8_t f[128];
	size_t n;

	(void)state;
	/* Hop-by-hop (8 bytes) then ICMPv6 RA. */
	n = ipv6(f, 0);
	memcpy(f + n, (const uint8_t[]){ 58, 0, 5, 2, 0, 0, 1, 0, 134, 0 }, 10);
	decode(f, n + 10, &o);
	assert_string_equal(o.src_ip, "fd00::5");
	assert_string_equal(o.dst_ip, "ff02::1");
	assert_int_equal(o.protocol, 58);
	assert_int_equal(o.icmp_type, 134);
	/* A fragment header with an offset: the protocol, no ports. */
	n = ipv6(f, 44);
	memcpy(f + n, (const uint8_t[]){ 17, 0, 0x00, 0x10, 0, 0, 0, 1, 0, 9, 0, 9 }, 12);
	decode(f, n + 12, &o);
	assert_int_equal(o.protocol, 17);
	assert_int_equal(o.src_port, -1);
	/* The first fragment: ports. */
	f[n + 3] = 0x01;
	decode(f, n + 12, &o);
	assert_int_equal(o.dst_port, 9);
	/* A chain running past the capture: no protocol past it. */
	n = ipv6(f, 60);
	memcpy(f + n, (const uint8_t[]){ 17, 200, 0, 0, 0, 0, 0, 0 }, 8);
	decode(f, n + 8, &o);
	assert_int_equal(o.src_port, -1);
	assert_string_equal(o.src_ip, "fd00::5");
}

static void arp(void **state)
{
	static const uint8_t a[] = {
		0, 1, 8, 0, 6, 4, 0, 2, 2, 0, 0, 0, 5, 0, 10, 0, 0, 1,
		0, 0, 0, 0, 0, 0, 10, 0, 0, 5,
	};
	struct vg_event_fields o;
	uint8_t f[64];

	(void)state;
	memcpy(f, eth_ip4, 12);
	f[12] = 0x08;
	f[13] = 0x06;
	memcpy(f + 14, a, sizeof(a));
	decode(f, 14 + sizeof(a), &o);
	assert_int_equal(o.arp_op, 2);
	assert_string_equal(o.arp_sha, "02:00:00:00:05:00");
	assert_string_equal(o.src_ip, "10.0.0.1");
	assert_string_equal(o.dst_ip, "10.0.0.5");
	/* Not Ethernet/IPv4 ARP, or cut: no ARP fields. */
	f[14 + 5] = 16;
	decode(f, 14 + sizeof(a), &o);
	assert_int_equal(o.arp_op, -1);
	f[14 + 5] = 4;
	decode(f, 14 + sizeof(a) - 1, &o);
	assert_int_equal(o.arp_op, -1);
	assert_string_equal(o.src_ip, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(udp4_fields),
		cmocka_unit_test(short_frames),
		cmocka_unit_test(vlan_in_frame),
		cmocka_unit_test(ipv6_chain),
		cmocka_unit_test(arp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
