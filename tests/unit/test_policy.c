// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Parsers and builders of struct vg_spec (loader/policy.c): good and bad
 * inputs, boundaries, limits, duplicates, whole-spec validation and the
 * EUI-64 link-local derivation.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "unit.h"
#include "policy.h"

/* ---- MAC ---------------------------------------------------------------- */

static void mac_good(void **state)
{
	static const struct {
		const char *in;
		uint8_t want[6];
	} cases[] = {
		{ "02:00:00:00:05:00", { 0x02, 0, 0, 0, 0x05, 0 } },
		{ "0A:1b:2C:3d:4E:5f", { 0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f } },
		{ "00-16-3e-11-22-33", { 0x00, 0x16, 0x3e, 0x11, 0x22, 0x33 } },
		{ "ff:ff:ff:ff:ff:ff", { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		uint8_t mac[6];
		char err[VG_ERRLEN] = "";

		if (vg_parse_mac(cases[i].in, mac, err, sizeof(err)))
			fail_msg("%s: expected success, got \"%s\"", cases[i].in, err);
		assert_memory_equal(mac, cases[i].want, 6);
	}
}

static void mac_bad(void **state)
{
	static const char *const cases[] = {
		"", "02:00:00:00:05", "02:00:00:00:05:00:01", "02:00:00:00:05:0",
		"0g:00:00:00:05:00", "02:00-00:00:05:00", "2:0:0:0:5:0",
		" 02:00:00:00:05:00", "02:00:00:00:05:00 ", "02:00:00:00:05:00:",
		"020000000500", "02::00:00:05:00", "zz:zz",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		uint8_t mac[6];
		char err[VG_ERRLEN] = "";

		if (vg_parse_mac(cases[i], mac, err, sizeof(err)) != -EINVAL)
			fail_msg("\"%s\": expected -EINVAL", cases[i]);
		assert_contains(err, cases[i][0] ? "not a MAC address" : "empty MAC");
	}
}

/* ---- IPv4 ---------------------------------------------------------------- */

static void v4_good(void **state)
{
	static const struct {
		const char *in, *addr;
		unsigned int len;
	} cases[] = {
		{ "10.0.0.1", "10.0.0.1", 32 },
		{ "10.0.0.1/32", "10.0.0.1", 32 },
		{ "10.0.0.0/24", "10.0.0.0", 24 },
		{ "10.0.0.0/8", "10.0.0.0", 8 },
		{ "0.0.0.0/0", "0.0.0.0", 0 },
		{ "192.168.1.128/25", "192.168.1.128", 25 },
		{ "255.255.255.255", "255.255.255.255", 32 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		struct vg_prefix4 p;
		char err[VG_ERRLEN] = "", got[INET_ADDRSTRLEN];

		if (vg_parse_prefix4(cases[i].in, &p, err, sizeof(err)))
			fail_msg("%s: expected success, got \"%s\"", cases[i].in, err);
		inet_ntop(AF_INET, &p.addr, got, sizeof(got));
		assert_string_equal(got, cases[i].addr);
		assert_int_equal(p.len, cases[i].len);
	}
}

static const struct bad_case {
	const char *in, *msg;
} v4_bad_cases[] = {
	{ "300.1.1.1", "not an IPv4 address" },
	{ "10.1", "not an IPv4 address" },
	{ "010.0.0.1", "not an IPv4 address" },
	{ "", "not an IPv4 address" },
	{ "fe80::1", "not an IPv4 address" },
	{ "10.0.0.0/33", "prefix length must be 0..32" },
	{ "10.0.0.0/", "prefix length must be 0..32" },
	{ "10.0.0.0/+8", "prefix length must be 0..32" },
	{ "10.0.0.0/-1", "prefix length must be 0..32" },
	{ "10.0.0.0/ 8", "prefix length must be 0..32" },
	{ "10.0.0.0/08", "prefix length must be 0..32" },
	{ "10.0.0.0/8x", "prefix length must be 0..32" },
	{ "10.0.0.0/99999999999999999999999", "prefix length must be 0..32" },
	{ "10.0.0.1/24", "host bits set (0.0.0.1); the network is 10.0.0.0/24" },
	{ "10.0.0.0/0", "host bits set (10.0.0.0); the network is 0.0.0.0/0" },
	{ "192.168.1.129/25", "host bits set (0.0.0.1); the network is 192.168.1.128/25" },
};

static void v4_bad(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N(v4_bad_cases); i++) {
		struct vg_prefix4 p;
		char err[VG_ERRLEN] = "";

		if (vg_parse_prefix4(v4_bad_cases[i].in, &p, err, sizeof(err)) != -EINVAL)
			fail_msg("\"%s\": expected -EINVAL", v4_bad_cases[i].in);
		assert_contains(err, v4_bad_cases[i].msg);
	}
}

/* ---- IPv6 ---------------------------------------------------------------- */

static void v6_good(void **state)
{
	static const struct {
		const char *in, *addr;
		unsigned int len;
	} cases[] = {
		{ "fd00::5", "fd00::5", 128 },
		{ "fd00:99:5::/64", "fd00:99:5::", 64 },
		{ "2001:db8::/32", "2001:db8::", 32 },
		{ "::/0", "::", 0 },
		{ "fe80::216:3eff:fe11:2233/128", "fe80::216:3eff:fe11:2233", 128 },
		{ "::ffff:10.0.0.1", "::ffff:10.0.0.1", 128 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		struct vg_prefix6 p;
		char err[VG_ERRLEN] = "", got[INET6_ADDRSTRLEN];

		if (vg_parse_prefix6(cases[i].in, &p, err, sizeof(err)))
			fail_msg("%s: expected success, got \"%s\"", cases[i].in, err);
		inet_ntop(AF_INET6, &p.addr, got, sizeof(got));
		assert_string_equal(got, cases[i].addr);
		assert_int_equal(p.len, cases[i].len);
	}
}

static void v6_bad(void **state)
{
	static const struct bad_case cases[] = {
		{ "fe80::zz", "not an IPv6 address" },
		{ "fe80::1%eth0", "not an IPv6 address" },
		{ "10.0.0.1", "not an IPv6 address" },
		{ "1:2:3:4:5:6:7:8:9", "not an IPv6 address" },
		{ "", "not an IPv6 address" },
		{ "fd00::/129", "prefix length must be 0..128" },
		{ "fd00::/", "prefix length must be 0..128" },
		{ "fd00::/064", "prefix length must be 0..128" },
		{ "fd00::1/64", "host bits set (::1); the network is fd00::/64" },
		{ "fd00:99:5:1::/48", "host bits set (0:0:0:1::); the network is fd00:99:5::/48" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		struct vg_prefix6 p;
		char err[VG_ERRLEN] = "";

		if (vg_parse_prefix6(cases[i].in, &p, err, sizeof(err)) != -EINVAL)
			fail_msg("\"%s\": expected -EINVAL", cases[i].in);
		assert_contains(err, cases[i].msg);
	}
}

/* ---- ethertype, mode ------------------------------------------------------- */

static void ethertype_parse(void **state)
{
	static const struct {
		const char *in;
		int want;	/* -1: refused */
		const char *msg;
	} cases[] = {
		{ "0x88cc", 0x88cc, NULL },
		{ "0X88CC", 0x88cc, NULL },
		{ "0x0600", 0x0600, NULL },
		{ "0xffff", 0xffff, NULL },
		{ "35020", 0x88cc, NULL },
		{ "0x8035", 0x8035, NULL },
		{ "0x05ff", -1, "802.3 lengths" },
		{ "0x0800", -1, "IPv4 (0x0800) is always inspected" },
		{ "0x0806", -1, "ARP (0x0806) is always inspected" },
		{ "0x86dd", -1, "IPv6 (0x86dd) is always inspected" },
		{ "0x8100", 0x8100, NULL },
		{ "0x88a8", 0x88a8, NULL },
		{ "0x9100", -1, "0x9100 (a pre-802.1ad VLAN tag) is always dropped" },
		{ "0x10000", -1, "not an ethertype" },
		{ "0xzz", -1, "not an ethertype" },
		{ "0x", -1, "not an ethertype" },
		{ "", -1, "not an ethertype" },
		{ "-1", -1, "not an ethertype" },
		{ "0x88cc ", -1, "not an ethertype" },
		{ "ip", -1, "not an ethertype" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		char err[VG_ERRLEN] = "";
		uint16_t t = 0;
		int ret = vg_parse_ethertype(cases[i].in, &t, err, sizeof(err));

		if (cases[i].want < 0) {
			if (ret != -EINVAL)
				fail_msg("\"%s\": expected -EINVAL, got %d", cases[i].in, ret);
			assert_contains(err, cases[i].msg);
		} else {
			if (ret)
				fail_msg("\"%s\": expected success, got \"%s\"", cases[i].in, err);
			assert_int_equal(t, cases[i].want);
		}
	}
}

static void mode_parse(void **state)
{
	enum vg_mode m = VG_MODE_INVALID;
	char err[VG_ERRLEN] = "";

	(void)state;
	assert_int_equal(vg_parse_mode("locked", &m, err, sizeof(err)), 0);
	assert_int_equal(m, VG_MODE_LOCKED);
	assert_int_equal(vg_parse_mode("disabled", &m, err, sizeof(err)), 0);
	assert_int_equal(m, VG_MODE_DISABLED);
	assert_int_equal(vg_parse_mode("paranoid", &m, err, sizeof(err)), -EINVAL);
	assert_contains(err, "unknown mode");
	assert_int_equal(vg_parse_mode("Locked", &m, err, sizeof(err)), -EINVAL);
	assert_int_equal(vg_parse_mode("", &m, err, sizeof(err)), -EINVAL);
}

/* ---- building a spec ---------------------------------------------------------- */

static void spec_defaults(void **state)
{
	struct vg_spec s;

	(void)state;
	memset(&s, 0xaa, sizeof(s));
	vg_spec_init(&s, "vif5.0");
	assert_string_equal(s.ifname, "vif5.0");
	assert_int_equal(s.mode, VG_MODE_LOCKED);
	assert_int_equal(s.flags, VG_F_DHCP_CLIENT | VG_F_LINK_LOCAL | VG_F_LEARN_LL);
	assert_int_equal(s.n_macs + s.n_v4 + s.n_v6 + s.n_ethertypes, 0);
}

/* --learn and learn=: the words of today, and what is refused. */
static void learn_words(void **state)
{
	static const char *const bad[] = {
		"", "dhcp6", "First", "first,none", "firsts", "none,link-local", "dhcp,none", "DHCP", "dhcp,", "link-local,", ",link-local",
		"link-local,,none", "Link-Local", "link-localx",
	};
	char err[256];
	unsigned int f = 7;
	size_t i;

	(void)state;
	assert_int_equal(vg_parse_learn("link-local", &f, err, sizeof(err)), 0);
	assert_int_equal(f, VG_F_LEARN_LL);
	assert_int_equal(vg_parse_learn("none", &f, err, sizeof(err)), 0);
	assert_int_equal(f, 0);
	assert_int_equal(vg_parse_learn("link-local,link-local", &f, err, sizeof(err)), 0);
	assert_int_equal(f, VG_F_LEARN_LL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f = 7;
		if (vg_parse_learn(bad[i], &f, err, sizeof(err)) != -EINVAL || f != 7)
			fail_msg("'%s': accepted (flags %u)", bad[i], f);
	}
	assert_int_equal(vg_parse_learn("dhcp", &f, err, sizeof(err)), 0);
	assert_int_equal(f, VG_F_LEARN_DHCP);
	assert_int_equal(vg_parse_learn("link-local,dhcp", &f, err, sizeof(err)), 0);
	assert_int_equal(f, VG_F_LEARN_LL | VG_F_LEARN_DHCP);
	assert_int_equal(vg_parse_learn("dhcp,link-local", &f, err, sizeof(err)), 0);
	assert_int_equal(f, VG_F_LEARN_LL | VG_F_LEARN_DHCP);
	assert_int_equal(vg_parse_learn("first", &f, err, sizeof(err)), 0);
	assert_int_equal(f, VG_F_LEARN_FIRST);
	assert_int_equal(vg_parse_learn("link-local,dhcp,first", &f, err, sizeof(err)), 0);
	assert_int_equal(f, VG_F_LEARN_LL | VG_F_LEARN_DHCP | VG_F_LEARN_FIRST);
	assert_int_equal(vg_parse_learn("dhcp6", &f, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "'dhcp6': unknown learning (expected link-local, dhcp, first or none)");
	assert_int_equal(vg_parse_flag("learn-link-local", &f, err, sizeof(err)), 0);
	assert_int_equal(f, VG_F_LEARN_LL);
	assert_string_equal(vg_flag_name(VG_F_LEARN_LL), "learn-link-local");
	assert_int_equal(vg_parse_flag("learn-dhcp", &f, err, sizeof(err)), 0);
	assert_int_equal(f, VG_F_LEARN_DHCP);
	assert_string_equal(vg_flag_name(VG_F_LEARN_DHCP), "learn-dhcp");
	assert_int_equal(vg_parse_flag("learn-first", &f, err, sizeof(err)), 0);
	assert_int_equal(f, VG_F_LEARN_FIRST);
	assert_string_equal(vg_flag_name(VG_F_LEARN_FIRST), "learn-first");
	assert_null(vg_flag_name(VG_F_OPERATOR));
}

static void add_macs(void **state)
{
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[6] = { 0 };
	char err[VG_ERRLEN] = "";
	struct vg_spec s;
	uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0 };
	int i;

	(void)state;
	vg_spec_init(&s, "vif5.0");
	assert_int_equal(vg_spec_add_mac(&s, mcast, err, sizeof(err)), -EINVAL);
	assert_contains(err, "multicast");
	assert_int_equal(vg_spec_add_mac(&s, bcast, err, sizeof(err)), -EINVAL);
	assert_contains(err, "multicast or broadcast");
	assert_int_equal(vg_spec_add_mac(&s, zero, err, sizeof(err)), -EINVAL);
	assert_int_equal(s.n_macs, 0);
	for (i = 0; i < VG_MAX_MACS; i++) {
		mac[5] = (uint8_t)i;
		assert_int_equal(vg_spec_add_mac(&s, mac, err, sizeof(err)), 0);
	}
	mac[5] = 0;
	assert_int_equal(vg_spec_add_mac(&s, mac, err, sizeof(err)), -EINVAL);
	assert_contains(err, "listed twice");
	mac[5] = 0x77;
	assert_int_equal(vg_spec_add_mac(&s, mac, err, sizeof(err)), -E2BIG);
	assert_string_equal(err, "more than 4 MAC addresses");
	assert_int_equal(s.n_macs, VG_MAX_MACS);
}

static void add_v4_limits(void **state)
{
	char err[VG_ERRLEN] = "";
	struct vg_prefix4 p;
	struct vg_spec s;
	int i;

	(void)state;
	vg_spec_init(&s, "vif5.0");
	for (i = 0; i < VG_MAX_ADDRS; i++) {
		p.addr.s_addr = htonl(0x0a000001 + (uint32_t)i);
		p.len = 32;
		assert_int_equal(vg_spec_add_v4(&s, &p, err, sizeof(err)), 0);
	}
	p.addr.s_addr = htonl(0x0a000001);
	assert_int_equal(vg_spec_add_v4(&s, &p, err, sizeof(err)), -EINVAL);
	assert_contains(err, "listed twice");
	p.addr.s_addr = htonl(0x0b000001);
	assert_int_equal(vg_spec_add_v4(&s, &p, err, sizeof(err)), -E2BIG);
	assert_string_equal(err, "more than 64 IPv4 addresses");
	assert_int_equal(s.n_v4, VG_MAX_ADDRS);

	/* The same address as host and as a prefix are two entries. */
	vg_spec_init(&s, "vif5.0");
	p.addr.s_addr = htonl(0x0a000000);
	p.len = 32;
	assert_int_equal(vg_spec_add_v4(&s, &p, err, sizeof(err)), 0);
	p.len = 24;
	assert_int_equal(vg_spec_add_v4(&s, &p, err, sizeof(err)), 0);
	/* Refused whatever the parser said: host bits, multicast. */
	p.addr.s_addr = htonl(0x0a000001);
	assert_int_equal(vg_spec_add_v4(&s, &p, err, sizeof(err)), -EINVAL);
	assert_contains(err, "host bits");
	p.addr.s_addr = htonl(0xe0000001);
	p.len = 32;
	assert_int_equal(vg_spec_add_v4(&s, &p, err, sizeof(err)), -EINVAL);
	assert_contains(err, "multicast");
	p.len = 33;
	assert_int_equal(vg_spec_add_v4(&s, &p, err, sizeof(err)), -EINVAL);
}

static void add_v6_limits(void **state)
{
	char err[VG_ERRLEN] = "";
	struct vg_prefix6 p;
	struct vg_spec s;
	int i;

	(void)state;
	vg_spec_init(&s, "vif5.0");
	memset(&p, 0, sizeof(p));
	inet_pton(AF_INET6, "fd00::", &p.addr);
	p.len = 128;
	for (i = 0; i < VG_MAX_ADDRS; i++) {
		p.addr.s6_addr[15] = (uint8_t)(i + 1);
		assert_int_equal(vg_spec_add_v6(&s, &p, err, sizeof(err)), 0);
	}
	p.addr.s6_addr[15] = 1;
	assert_int_equal(vg_spec_add_v6(&s, &p, err, sizeof(err)), -EINVAL);
	assert_contains(err, "listed twice");
	p.addr.s6_addr[15] = 200;
	assert_int_equal(vg_spec_add_v6(&s, &p, err, sizeof(err)), -E2BIG);
	assert_string_equal(err, "more than 64 IPv6 addresses");

	vg_spec_init(&s, "vif5.0");
	memset(&p.addr, 0, sizeof(p.addr));
	assert_int_equal(vg_spec_add_v6(&s, &p, err, sizeof(err)), -EINVAL);
	assert_contains(err, "unspecified");
	inet_pton(AF_INET6, "ff02::1", &p.addr);
	assert_int_equal(vg_spec_add_v6(&s, &p, err, sizeof(err)), -EINVAL);
	assert_contains(err, "multicast");
	assert_int_equal(s.n_v6, 0);
}

static void add_ethertypes(void **state)
{
	char err[VG_ERRLEN] = "";
	struct vg_spec s;
	int i;

	(void)state;
	vg_spec_init(&s, "vif5.0");
	for (i = 0; i < VG_MAX_ETHERTYPES; i++)
		assert_int_equal(vg_spec_add_ethertype(&s, (uint16_t)(0x88b5 + i), err,
						       sizeof(err)), 0);
	assert_int_equal(vg_spec_add_ethertype(&s, 0x88b5, err, sizeof(err)), -EINVAL);
	assert_contains(err, "listed twice");
	assert_int_equal(vg_spec_add_ethertype(&s, 0x88cc, err, sizeof(err)), -E2BIG);
	assert_string_equal(err, "more than 4 ethertypes");
	vg_spec_init(&s, "vif5.0");
	assert_int_equal(vg_spec_add_ethertype(&s, 0x0800, err, sizeof(err)), -EINVAL);
	assert_int_equal(vg_spec_add_ethertype(&s, 0x0100, err, sizeof(err)), -EINVAL);
	assert_int_equal(s.n_ethertypes, 0);
}

static void validate(void **state)
{
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 5, 0 };
	char err[VG_ERRLEN] = "";
	struct vg_spec s;

	(void)state;
	vg_spec_init(&s, "vif5.0");
	assert_int_equal(vg_spec_validate(&s, err, sizeof(err)), -EINVAL);
	assert_contains(err, "a locked policy needs at least one MAC address");
	/* Fail closed without knowing the MAC. */
	s.mode = VG_MODE_DISABLED;
	assert_int_equal(vg_spec_validate(&s, err, sizeof(err)), 0);

	vg_spec_init(&s, "vif5.0");
	assert_int_equal(vg_spec_add_mac(&s, mac, err, sizeof(err)), 0);
	assert_int_equal(vg_spec_validate(&s, err, sizeof(err)), 0);

	vg_spec_init(&s, "");
	assert_int_equal(vg_spec_add_mac(&s, mac, err, sizeof(err)), 0);
	assert_int_equal(vg_spec_validate(&s, err, sizeof(err)), -EINVAL);
	assert_contains(err, "interface name");

	/* Filled by hand, past the adders. */
	vg_spec_init(&s, "vif5.0");
	assert_int_equal(vg_spec_add_mac(&s, mac, err, sizeof(err)), 0);
	s.mode = VG_MODE_INVALID;
	assert_int_equal(vg_spec_validate(&s, err, sizeof(err)), -EINVAL);
	s.mode = VG_MODE_LOCKED;
	s.flags |= VG_F_V4_TABLE;	/* computed by the loader, not a spec flag */
	assert_int_equal(vg_spec_validate(&s, err, sizeof(err)), -EINVAL);
	assert_contains(err, "unknown flags");
	/* The mark of `vifguard attach` is a spec flag: it goes to the map. */
	s.flags = VG_F_DHCP_CLIENT | VG_F_OPERATOR;
	assert_int_equal(vg_spec_validate(&s, err, sizeof(err)), 0);
	/* Learning by DHCP needs the client's requests. */
	s.flags = VG_F_DHCP_CLIENT | VG_F_LEARN_DHCP;
	assert_int_equal(vg_spec_validate(&s, err, sizeof(err)), 0);
	s.flags = VG_F_LEARN_DHCP | VG_F_LEARN_LL;
	assert_int_equal(vg_spec_validate(&s, err, sizeof(err)), -EINVAL);
	assert_contains(err, "learn-dhcp needs dhcp-client");
	s.flags = VG_F_DHCP_CLIENT;
	s.n_v4 = 1;
	s.v4[0].addr.s_addr = htonl(0x0a000001);
	s.v4[0].len = 24;
	assert_int_equal(vg_spec_validate(&s, err, sizeof(err)), -EINVAL);
	assert_contains(err, "host bits");
	s.v4[0].len = 32;
	assert_int_equal(vg_spec_validate(&s, err, sizeof(err)), 0);
	s.n_v4 = 2;
	s.v4[1] = s.v4[0];
	assert_int_equal(vg_spec_validate(&s, err, sizeof(err)), -EINVAL);
	assert_contains(err, "listed twice");
	s.n_v4 = VG_MAX_ADDRS + 1;
	assert_int_equal(vg_spec_validate(&s, err, sizeof(err)), -EINVAL);
	s.n_v4 = 0;
	s.n_macs = 2;
	memcpy(s.macs[1], mac, 6);
	assert_int_equal(vg_spec_validate(&s, err, sizeof(err)), -EINVAL);
	s.macs[1][0] = 0x01;
	assert_int_equal(vg_spec_validate(&s, err, sizeof(err)), -EINVAL);
	assert_contains(err, "multicast");
	s.n_macs = 1;
	s.n_ethertypes = 1;
	s.ethertypes[0] = 0x86dd;
	assert_int_equal(vg_spec_validate(&s, err, sizeof(err)), -EINVAL);
}

/* ---- EUI-64 --------------------------------------------------------------------- */

static void eui64(void **state)
{
	/* RFC 4291 appendix A: flip the U/L bit, ff:fe in the middle. */
	static const struct {
		uint8_t mac[6];
		const char *want;
	} cases[] = {
		{ { 0x00, 0x16, 0x3e, 0x11, 0x22, 0x33 }, "fe80::216:3eff:fe11:2233" },
		{ { 0x02, 0x00, 0x00, 0x00, 0x05, 0x00 }, "fe80::ff:fe00:500" },
		{ { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }, "fe80::5054:ff:fe12:3456" },
		{ { 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01 }, "fe80::200:5eff:fe00:5301" },
		{ { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff }, "fe80::fcff:ffff:feff:ffff" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		struct in6_addr a;
		char got[INET6_ADDRSTRLEN];

		vg_eui64_link_local(cases[i].mac, &a);
		inet_ntop(AF_INET6, &a, got, sizeof(got));
		assert_string_equal(got, cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mac_good),
		cmocka_unit_test(learn_words),
		cmocka_unit_test(mac_bad),
		cmocka_unit_test(v4_good),
		cmocka_unit_test(v4_bad),
		cmocka_unit_test(v6_good),
		cmocka_unit_test(v6_bad),
		cmocka_unit_test(ethertype_parse),
		cmocka_unit_test(mode_parse),
		cmocka_unit_test(spec_defaults),
		cmocka_unit_test(add_macs),
		cmocka_unit_test(add_v4_limits),
		cmocka_unit_test(add_v6_limits),
		cmocka_unit_test(add_ethertypes),
		cmocka_unit_test(validate),
		cmocka_unit_test(eui64),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
