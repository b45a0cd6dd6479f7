// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Parsers and builders of struct vg_spec.  Messages name the cause only
 * ("not an IPv4 address"): every caller already knows which word it fed
 * in and puts it in front ("--ipv4 300.1.1.1: ", "file:12: '300.1.1.1': ").
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "policy.h"

static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

void vg_spec_init(struct vg_spec *spec, const char *ifname)
{
	memset(spec, 0, sizeof(*spec));
	if (ifname)
		snprintf(spec->ifname, sizeof(spec->ifname), "%s", ifname);
	spec->mode = VG_MODE_LOCKED;
	spec->flags = VG_F_DHCP_CLIENT | VG_F_LINK_LOCAL | VG_F_LEARN_LL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Six groups of two hex digits, all separated by ':' or all by '-'. */
int vg_parse_mac(const char *s, uint8_t mac[6], char *err, size_t errlen)
{
	char sep = 0;
	int i;

	if (!s || !*s)
		return fail(err, errlen, "empty MAC address");
	for (i = 0; i < 6; i++) {
		int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);

		if (hi < 0 || lo < 0)
			goto bad;
		mac[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i == 5)
			break;
		if (!sep && (*s == ':' || *s == '-'))
			sep = *s;
		/* !sep: "02" alone must not step over its NUL and read on. */
		if (!sep || *s != sep)
			goto bad;
		s++;
	}
	if (*s)
		goto bad;
	return 0;
bad:
	return fail(err, errlen, "not a MAC address (expected xx:xx:xx:xx:xx:xx)");
}

/*
 * "/LEN": decimal digits only (strtoul alone would take "+5", " 5" and
 * "-1"), no leading zero, at most max.
 */
static int parse_plen(const char *s, unsigned int max, uint8_t *len, char *err, size_t errlen)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)*s) || (s[0] == '0' && s[1]))
		return fail(err, errlen, "prefix length must be 0..%u", max);
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return fail(err, errlen, "prefix length must be 0..%u", max);
	*len = (uint8_t)v;
	return 0;
}

/* Splits "ADDR[/LEN]" into buf (the address) and a pointer to LEN. */
static int split_prefix(const char *s, char *buf, size_t buflen, const char **plen)
{
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);

	if (n >= buflen)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*plen = slash ? slash + 1 : NULL;
	return 0;
}

static void mask_bytes(uint8_t *a, size_t nbytes, unsigned int len, bool keep_host)
{
	size_t i;

	for (i = 0; i < nbytes; i++) {
		unsigned int bits = len > i * 8 ? len - i * 8 : 0;
		uint8_t m = bits >= 8 ? 0xff : (uint8_t)(0xff00 >> bits);

		a[i] &= keep_host ? (uint8_t)~m : m;
	}
}

static bool all_zero(const uint8_t *a, size_t n)
{
	while (n--)
		if (*a++)
			return false;
	return true;
}

/*
 * "ADDR[/LEN]" of family af into addr (4 or 16 bytes) and *lenp.  A zone
 * ("fe80::1%eth0") names a link of this host: meaningless for a guest's
 * address, and inet_pton refuses it anyway.
 */
static int parse_prefix(int af, const char *s, void *addr, uint8_t *lenp, char *err,
			size_t errlen)
{
	char buf[INET6_ADDRSTRLEN], net[INET6_ADDRSTRLEN], host[INET6_ADDRSTRLEN];
	size_t nbytes = af == AF_INET ? 4 : 16;
	uint8_t a[16], h[16], len = (uint8_t)(nbytes * 8);
	const char *plen;

	if (!s || split_prefix(s, buf, sizeof(buf), &plen) || inet_pton(af, buf, a) != 1)
		return fail(err, errlen, "not an %s address", af == AF_INET ? "IPv4" : "IPv6");
	if (plen && parse_plen(plen, len, &len, err, errlen))
		return -EINVAL;
	memcpy(h, a, nbytes);
	mask_bytes(h, nbytes, len, true);
	if (!all_zero(h, nbytes)) {
		mask_bytes(a, nbytes, len, false);
		inet_ntop(af, a, net, sizeof(net));
		inet_ntop(af, h, host, sizeof(host));
		return fail(err, errlen, "host bits set (%s); the network is %s/%u",
			    host, net, len);
	}
	memcpy(addr, a, nbytes);
	*lenp = len;
	return 0;
}

int vg_parse_prefix4(const char *s, struct vg_prefix4 *p, char *err, size_t errlen)
{
	return parse_prefix(AF_INET, s, &p->addr, &p->len, err, errlen);
}

int vg_parse_prefix6(const char *s, struct vg_prefix6 *p, char *err, size_t errlen)
{
	return parse_prefix(AF_INET6, s, &p->addr, &p->len, err, errlen);
}

/* Ethertypes the program always parses and judges itself: allowing them
 * wholesale would switch the checks off.  0x8100 and 0x88a8 are allowed:
 * the program then checks the frame inside the tag. */
static const char *ethertype_refused(uint16_t t)
{
	switch (t) {
	case 0x0800:
		return "IPv4 (0x0800) is always inspected and cannot be allowed wholesale";
	case 0x0806:
		return "ARP (0x0806) is always inspected and cannot be allowed wholesale";
	case 0x86dd:
		return "IPv6 (0x86dd) is always inspected and cannot be allowed wholesale";
	case 0x9100:
		/* Not a tag the program looks inside: it would hide the
		 * inner frame from every check. */
		return "0x9100 (a pre-802.1ad VLAN tag) is always dropped; 0x8100 and 0x88a8 let tagged frames through, checked inside";
	}
	if (t < 0x0600)
		return "values below 0x0600 are 802.3 lengths, not ethertypes";
	return NULL;
}

int vg_parse_ethertype(const char *s, uint16_t *type, char *err, size_t errlen)
{
	unsigned long v;
	const char *why, *digits;
	char *end;
	int base = 10;

	if (!s)
		s = "";
	digits = s;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		digits = s + 2;
		base = 16;
	}
	/* strtoul in base 16 would take a second "0x" ("0x0x88b5"). */
	if (!isxdigit((unsigned char)*digits) ||
	    (base == 16 && (digits[1] == 'x' || digits[1] == 'X')))
		goto bad;
	errno = 0;
	v = strtoul(digits, &end, base);
	if (errno || *end || v > 0xffff)
		goto bad;
	why = ethertype_refused((uint16_t)v);
	if (why)
		return fail(err, errlen, "%s", why);
	*type = (uint16_t)v;
	return 0;
bad:
	return fail(err, errlen, "not an ethertype (expected 0x0600..0xffff)");
}

int vg_parse_mode(const char *s, enum vg_mode *mode, char *err, size_t errlen)
{
	if (s && !strcmp(s, "locked")) {
		*mode = VG_MODE_LOCKED;
		return 0;
	}
	if (s && !strcmp(s, "disabled")) {
		*mode = VG_MODE_DISABLED;
		return 0;
	}
	if (s && !strcmp(s, "audit")) {
		*mode = VG_MODE_AUDIT;
		return 0;
	}
	return fail(err, errlen, "unknown mode (expected locked, audit or disabled)");
}

const char *vg_mode_name(unsigned int mode)
{
	return mode == VG_MODE_LOCKED ? "locked" : mode == VG_MODE_DISABLED ? "disabled" :
	       mode == VG_MODE_AUDIT ? "audit" : "invalid";
}

bool vg_mode_checks(unsigned int mode)
{
	return mode == VG_MODE_LOCKED || mode == VG_MODE_AUDIT;
}

/* Indexed by bit number, in the order of the VG_F_* bits; NULL for the
 * bits that are no switch of the policy (the source, the operator). */
static const char *const flag_names[] = {
	"dhcp-client", "dhcp-server", "router-advert", "link-local", "ipv4-table", "ipv6-table",
	NULL, NULL, NULL, NULL, "learn-link-local", "learn-dhcp", "learn-first",
};

const char *vg_flag_name(unsigned int flag)
{
	unsigned int b;

	for (b = 0; b < sizeof(flag_names) / sizeof(flag_names[0]); b++)
		if (flag == 1U << b)
			return flag_names[b];
	return NULL;
}

int vg_parse_flag(const char *s, unsigned int *flag, char *err, size_t errlen)
{
	unsigned int f;

	for (f = 1; f <= VG_EDIT_FLAGS; f <<= 1)
		if ((f & VG_EDIT_FLAGS) && s && !strcmp(s, vg_flag_name(f))) {
			*flag = f;
			return 0;
		}
	return fail(err, errlen, "unknown flag (expected dhcp-client, dhcp-server, "
		    "router-advert, link-local, learn-link-local, learn-dhcp or learn-first)");
}

int vg_parse_learn(const char *s, unsigned int *flags, char *err, size_t errlen)
{
	unsigned int f = 0;
	bool none = false;
	size_t n;

	if (!s || !*s)
		return fail(err, errlen, "empty (expected link-local, dhcp, first or none)");
	for (; *s; s += n + (s[n] == ',')) {
		n = strcspn(s, ",");
		if (n == 10 && !strncmp(s, "link-local", n))
			f |= VG_F_LEARN_LL;
		else if (n == 4 && !strncmp(s, "dhcp", n))
			f |= VG_F_LEARN_DHCP;
		else if (n == 5 && !strncmp(s, "first", n))
			f |= VG_F_LEARN_FIRST;
		else if (n == 4 && !strncmp(s, "none", n))
			none = true;
		else
			return fail(err, errlen, "'%.*s': unknown learning (expected link-local, "
				    "dhcp, first or none)", (int)n, s);
		if (s[n] == ',' && !s[n + 1])
			return fail(err, errlen, "empty word after ','");
	}
	if (none && f)
		return fail(err, errlen, "none excludes the other words");
	*flags = f;
	return 0;
}

static const char *mac_refused(const uint8_t mac[6])
{
	if (mac[0] & 1)
		return "a multicast or broadcast MAC address is never a valid source";
	if (all_zero(mac, 6))
		return "00:00:00:00:00:00 is not a valid source";
	return NULL;
}

int vg_spec_add_mac(struct vg_spec *spec, const uint8_t mac[6], char *err, size_t errlen)
{
	const char *why = mac_refused(mac);
	unsigned int i;

	if (why)
		return fail(err, errlen, "%s", why);
	for (i = 0; i < spec->n_macs; i++)
		if (!memcmp(spec->macs[i], mac, 6))
			return fail(err, errlen, "MAC address listed twice");
	if (spec->n_macs >= VG_MAX_MACS) {
		fail(err, errlen, "more than %d MAC addresses", VG_MAX_MACS);
		return -E2BIG;
	}
	memcpy(spec->macs[spec->n_macs++], mac, 6);
	return 0;
}

static bool v4_mcast(struct in_addr a)
{
	return (ntohl(a.s_addr) >> 28) == 0xe;
}

static const char *v4_refused(const struct vg_prefix4 *p)
{
	struct in_addr h = p->addr;

	if (p->len > 32)
		return "prefix length must be 0..32";
	mask_bytes((uint8_t *)&h, 4, p->len, true);
	if (h.s_addr)
		return "host bits set";
	/* 224.0.0.0/4 entirely, or one address in it: never a source. A
	 * shorter prefix that covers it is the operator's business. */
	if (p->len >= 4 && v4_mcast(p->addr))
		return "a multicast address is never a valid source";
	return NULL;
}

static const char *v6_refused(const struct vg_prefix6 *p)
{
	struct in6_addr h = p->addr;

	if (p->len > 128)
		return "prefix length must be 0..128";
	mask_bytes(h.s6_addr, 16, p->len, true);
	if (!all_zero(h.s6_addr, 16))
		return "host bits set";
	if (p->len >= 8 && p->addr.s6_addr[0] == 0xff)
		return "a multicast address is never a valid source";
	/* "::" has its own rules (DAD and MLD only): allowing it by
	 * address would let every message through with it. */
	if (p->len == 128 && all_zero(p->addr.s6_addr, 16))
		return "the unspecified address :: cannot be allowed";
	return NULL;
}

static bool v4_equal(const struct vg_prefix4 *a, const struct vg_prefix4 *b)
{
	return a->len == b->len && a->addr.s_addr == b->addr.s_addr;
}

static bool v6_equal(const struct vg_prefix6 *a, const struct vg_prefix6 *b)
{
	return a->len == b->len && !memcmp(&a->addr, &b->addr, sizeof(a->addr));
}

/* Entry i (from 0) of a whole policy: refused, or listed twice. */
static int entry_bad(const char *why, bool dup, const char *what, unsigned int i, char *err,
		     size_t errlen)
{
	if (why)
		return fail(err, errlen, "%s %u: %s", what, i + 1, why);
	if (dup)
		return fail(err, errlen, "%s %u: listed twice", what, i + 1);
	return 0;
}

/* A prefix of either family (p points to a struct vg_prefix4 or 6):
 * refused, listed twice, over the limit, or added. */
static int spec_add(struct vg_spec *spec, bool v6, const void *p, char *err, size_t errlen)
{
	unsigned int *n = v6 ? &spec->n_v6 : &spec->n_v4;
	const char *why = v6 ? v6_refused(p) : v4_refused(p);
	unsigned int i;

	if (why)
		return fail(err, errlen, "%s", why);
	for (i = 0; i < *n; i++)
		if (v6 ? v6_equal(&spec->v6[i], p) : v4_equal(&spec->v4[i], p))
			return fail(err, errlen, "address listed twice");
	if (*n >= VG_MAX_ADDRS) {
		fail(err, errlen, "more than %d %s addresses", VG_MAX_ADDRS, v6 ? "IPv6" : "IPv4");
		return -E2BIG;
	}
	if (v6)
		spec->v6[(*n)++] = *(const struct vg_prefix6 *)p;
	else
		spec->v4[(*n)++] = *(const struct vg_prefix4 *)p;
	return 0;
}

int vg_spec_add_v4(struct vg_spec *spec, const struct vg_prefix4 *p, char *err, size_t errlen)
{
	return spec_add(spec, false, p, err, errlen);
}

int vg_spec_add_v6(struct vg_spec *spec, const struct vg_prefix6 *p, char *err, size_t errlen)
{
	return spec_add(spec, true, p, err, errlen);
}

int vg_spec_add_prefix(struct vg_spec *spec, bool v6, const char *s, char *err, size_t errlen)
{
	if (v6) {
		struct vg_prefix6 p;

		return vg_parse_prefix6(s, &p, err, errlen) ?: vg_spec_add_v6(spec, &p, err, errlen);
	} else {
		struct vg_prefix4 p;

		return vg_parse_prefix4(s, &p, err, errlen) ?: vg_spec_add_v4(spec, &p, err, errlen);
	}
}

int vg_spec_add_ethertype(struct vg_spec *spec, uint16_t type, char *err, size_t errlen)
{
	const char *why = ethertype_refused(type);
	unsigned int i;

	if (why)
		return fail(err, errlen, "%s", why);
	for (i = 0; i < spec->n_ethertypes; i++)
		if (spec->ethertypes[i] == type)
			return fail(err, errlen, "ethertype listed twice");
	if (spec->n_ethertypes >= VG_MAX_ETHERTYPES) {
		fail(err, errlen, "more than %d ethertypes", VG_MAX_ETHERTYPES);
		return -E2BIG;
	}
	spec->ethertypes[spec->n_ethertypes++] = type;
	return 0;
}

#define VG_SPEC_FLAGS (VG_EDIT_FLAGS | VG_F_OPERATOR | VG_F_SRC_MASK | VG_F_AUDIT_HOST)

/*
 * Everything the adders check, again: a spec may have been filled by
 * hand, and what reaches the maps must hold whatever its origin.
 */
int vg_spec_validate(const struct vg_spec *spec, char *err, size_t errlen)
{
	const char *why;
	unsigned int i, j;
	bool dup;
	size_t n = strnlen(spec->ifname, sizeof(spec->ifname));

	if (n == 0 || n >= sizeof(spec->ifname) || n >= VG_IFNAMSIZ)
		return fail(err, errlen, "interface name must be 1..%d characters",
			    VG_IFNAMSIZ - 1);
	if (!vg_mode_checks(spec->mode) && spec->mode != VG_MODE_DISABLED)
		return fail(err, errlen, "unknown mode %d", (int)spec->mode);
	if (spec->flags & ~VG_SPEC_FLAGS)
		return fail(err, errlen, "unknown flags 0x%x", spec->flags & ~VG_SPEC_FLAGS);
	if (spec->n_macs > VG_MAX_MACS || spec->n_v4 > VG_MAX_ADDRS ||
	    spec->n_v6 > VG_MAX_ADDRS || spec->n_ethertypes > VG_MAX_ETHERTYPES)
		return fail(err, errlen, "more entries than the limits allow");
	if (vg_mode_checks(spec->mode) && spec->n_macs == 0)
		return fail(err, errlen, "a %s policy needs at least one MAC address",
			    vg_mode_name(spec->mode));
	/* A guest that learns its addresses by DHCP must be let ask for them. */
	if ((spec->flags & VG_F_LEARN_DHCP) && !(spec->flags & VG_F_DHCP_CLIENT))
		return fail(err, errlen, "learn-dhcp needs dhcp-client (the guest's DHCP "
			    "requests)");
	for (i = 0; i < spec->n_macs; i++) {
		if ((why = mac_refused(spec->macs[i])))
			return fail(err, errlen, "MAC %u: %s", i + 1, why);
		for (j = 0; j < i; j++)
			if (!memcmp(spec->macs[i], spec->macs[j], 6))
				return fail(err, errlen, "MAC %u: listed twice", i + 1);
	}
	for (i = 0; i < spec->n_v4; i++) {
		for (dup = false, j = 0; j < i; j++)
			dup |= v4_equal(&spec->v4[i], &spec->v4[j]);
		if (entry_bad(v4_refused(&spec->v4[i]), dup, "IPv4 address", i, err, errlen))
			return -EINVAL;
	}
	for (i = 0; i < spec->n_v6; i++) {
		for (dup = false, j = 0; j < i; j++)
			dup |= v6_equal(&spec->v6[i], &spec->v6[j]);
		if (entry_bad(v6_refused(&spec->v6[i]), dup, "IPv6 address", i, err, errlen))
			return -EINVAL;
	}
	for (i = 0; i < spec->n_ethertypes; i++) {
		if ((why = ethertype_refused(spec->ethertypes[i])))
			return fail(err, errlen, "ethertype 0x%04x: %s", spec->ethertypes[i], why);
		for (j = 0; j < i; j++)
			if (spec->ethertypes[i] == spec->ethertypes[j])
				return fail(err, errlen, "ethertype 0x%04x: listed twice",
					    spec->ethertypes[i]);
	}
	return 0;
}

const char *vg_attach_name(unsigned int bit)
{
	/* In the order of the VG_ATTACH_* bits. */
	static const char *const names[] = { "cls_bpf", "own-clsact", "tcx" };
	unsigned int i;

	_Static_assert(VG_ATTACH_CLS_BPF == 1 && VG_ATTACH_OWN_CLSACT == 2 && VG_ATTACH_TCX == 4,
		       "VG_ATTACH_* bits and their names");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (bit == 1U << i)
			return names[i];
	return NULL;
}
