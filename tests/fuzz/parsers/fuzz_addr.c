// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The word parsers of policy.h, which read what an operator types after
 * --mac, --ipv4, --ipv6, --allow-ethertype and --mode, the same words in
 * the config file, and (for MACs and addresses) xenstore values.
 *
 * Every parser gets the same input string.  Each is checked against a
 * reference written here from the rules the headers and help texts
 * state, not from the parser: accepted exactly when the reference
 * accepts, with the same value.  What is accepted also survives a round
 * trip through its canonical spelling.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>

#include "fuzz.h"
#include "policy.h"

static int hex(char c)
{
	return isdigit((unsigned char)c) ? c - '0' : tolower((unsigned char)c) - 'a' + 10;
}

/* xx:xx:xx:xx:xx:xx or xx-xx-xx-xx-xx-xx, either case. */
static bool ref_mac(const char *s, uint8_t mac[6])
{
	int i;

	if (strlen(s) != 17 || (s[2] != ':' && s[2] != '-'))
		return false;
	for (i = 0; i < 6; i++) {
		const char *g = s + 3 * i;

		if (!isxdigit((unsigned char)g[0]) || !isxdigit((unsigned char)g[1]))
			return false;
		if (i < 5 && g[2] != s[2])
			return false;
		mac[i] = (uint8_t)(hex(g[0]) << 4 | hex(g[1]));
	}
	return true;
}

static void check_mac(const char *s)
{
	char err[VG_ERRLEN];
	uint8_t mac[6], ref[6];
	bool ok = ref_mac(s, ref);
	int ret;

	fuzz_err_fill(err, sizeof(err));
	ret = vg_parse_mac(s, mac, err, sizeof(err));
	FUZZ_CHECK(ret == 0 || ret == -EINVAL, "vg_parse_mac returned %d", ret);
	FUZZ_CHECK((ret == 0) == ok, "vg_parse_mac('%s') = %d, reference says %s", s, ret,
		   ok ? "valid" : "invalid");
	if (ret) {
		fuzz_check_err("vg_parse_mac", err, sizeof(err), true);
		return;
	}
	FUZZ_CHECK(!memcmp(mac, ref, 6), "vg_parse_mac('%s'): wrong bytes", s);
}

/*
 * "ADDR[/LEN]": ADDR as inet_pton reads it, LEN decimal digits without a
 * leading zero, at most max, and no host bit set.  An ADDR spelling of
 * INET6_ADDRSTRLEN characters or more is refused by the parser's buffer
 * even where inet_pton would take it (only leading zeros make a valid
 * IPv6 spelling that long): the reference refuses it too.
 */
static bool ref_prefix(int af, const char *s, void *addr, unsigned int *len)
{
	unsigned int max = af == AF_INET ? 32 : 128, nbytes = max / 8, i;
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	char buf[128];
	uint8_t *a = addr;

	if (alen >= (af == AF_INET ? INET_ADDRSTRLEN : INET6_ADDRSTRLEN))
		return false;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (inet_pton(af, buf, addr) != 1)
		return false;
	*len = max;
	if (slash) {
		const char *d = slash + 1;
		size_t n = strspn(d, "0123456789");

		if (n == 0 || d[n] || n > 3 || (d[0] == '0' && n > 1))
			return false;
		*len = (unsigned int)strtoul(d, NULL, 10);
		if (*len > max)
			return false;
	}
	for (i = 0; i < nbytes; i++) {
		unsigned int bits = *len > i * 8 ? *len - i * 8 : 0;
		uint8_t host = bits >= 8 ? 0 : (uint8_t)(0xff >> bits);

		if (a[i] & host)
			return false;
	}
	return true;
}

static void check_prefix4(const char *s)
{
	struct vg_prefix4 p, again;
	struct in_addr ref;
	unsigned int len;
	char err[VG_ERRLEN], buf[INET_ADDRSTRLEN + 8];
	bool ok = ref_prefix(AF_INET, s, &ref, &len);
	int ret;

	fuzz_err_fill(err, sizeof(err));
	ret = vg_parse_prefix4(s, &p, err, sizeof(err));
	FUZZ_CHECK(ret == 0 || ret == -EINVAL, "vg_parse_prefix4 returned %d", ret);
	FUZZ_CHECK((ret == 0) == ok, "vg_parse_prefix4('%s') = %d, reference says %s", s,
		   ret, ok ? "valid" : "invalid");
	if (ret) {
		fuzz_check_err("vg_parse_prefix4", err, sizeof(err), true);
		return;
	}
	FUZZ_CHECK(p.len == len && p.addr.s_addr == ref.s_addr,
		   "vg_parse_prefix4('%s'): wrong value", s);
	inet_ntop(AF_INET, &p.addr, buf, INET_ADDRSTRLEN);
	snprintf(buf + strlen(buf), 8, "/%u", p.len);
	FUZZ_CHECK(vg_parse_prefix4(buf, &again, err, sizeof(err)) == 0 &&
			   again.len == p.len && again.addr.s_addr == p.addr.s_addr,
		   "vg_parse_prefix4('%s'): canonical '%s' reads otherwise", s, buf);
}

static void check_prefix6(const char *s)
{
	struct vg_prefix6 p, again;
	struct in6_addr ref;
	unsigned int len;
	char err[VG_ERRLEN], buf[INET6_ADDRSTRLEN + 8];
	bool ok = ref_prefix(AF_INET6, s, &ref, &len);
	int ret;

	fuzz_err_fill(err, sizeof(err));
	ret = vg_parse_prefix6(s, &p, err, sizeof(err));
	FUZZ_CHECK(ret == 0 || ret == -EINVAL, "vg_parse_prefix6 returned %d", ret);
	FUZZ_CHECK((ret == 0) == ok, "vg_parse_prefix6('%s') = %d, reference says %s", s,
		   ret, ok ? "valid" : "invalid");
	if (ret) {
		fuzz_check_err("vg_parse_prefix6", err, sizeof(err), true);
		return;
	}
	FUZZ_CHECK(p.len == len && !memcmp(&p.addr, &ref, sizeof(ref)),
		   "vg_parse_prefix6('%s'): wrong value", s);
	inet_ntop(AF_INET6, &p.addr, buf, INET6_ADDRSTRLEN);
	snprintf(buf + strlen(buf), 8, "/%u", p.len);
	FUZZ_CHECK(vg_parse_prefix6(buf, &again, err, sizeof(err)) == 0 &&
			   again.len == p.len && !memcmp(&again.addr, &p.addr, sizeof(p.addr)),
		   "vg_parse_prefix6('%s'): canonical '%s' reads otherwise", s, buf);
}

/*
 * 0xNNNN (hex digits after one 0x or 0X) or decimal, at most 0xffff: the
 * spelling only.  Which values are refused besides is policy that moves
 * (VLAN tags were refused, then allowed): the checks below hold the
 * parser to the rules that do not move (802.3 lengths, IPv4, ARP and
 * IPv6 are never allowed) and to the adder for the rest.
 */
static bool ref_ethertype(const char *s, unsigned long *v)
{
	const char *d = s;
	const char *set = "0123456789";
	unsigned long base = 10;

	if (d[0] == '0' && (d[1] == 'x' || d[1] == 'X')) {
		d += 2;
		set = "0123456789abcdefABCDEF";
		base = 16;
	}
	if (!*d || d[strspn(d, set)])
		return false;
	for (*v = 0; *d; d++) {
		*v = *v * base + (unsigned long)hex(*d);
		if (*v > 0xffff)
			return false;
	}
	return true;
}

static void check_ethertype(const char *s)
{
	struct vg_spec spec;
	char err[VG_ERRLEN], aerr[VG_ERRLEN];
	unsigned long v;
	uint16_t t;
	bool ok = ref_ethertype(s, &v);
	int ret, added;

	fuzz_err_fill(err, sizeof(err));
	ret = vg_parse_ethertype(s, &t, err, sizeof(err));
	FUZZ_CHECK(ret == 0 || ret == -EINVAL, "vg_parse_ethertype returned %d", ret);
	if (ret)
		fuzz_check_err("vg_parse_ethertype", err, sizeof(err), true);
	if (!ok) {
		FUZZ_CHECK(ret, "vg_parse_ethertype('%s') accepted a malformed ethertype as 0x%04x",
			   s, t);
		return;
	}
	if (v < 0x0600 || v == 0x0800 || v == 0x0806 || v == 0x86dd)
		FUZZ_CHECK(ret, "vg_parse_ethertype('%s') allowed 0x%04lx", s, v);
	if (!ret)
		FUZZ_CHECK(t == v, "vg_parse_ethertype('%s') = 0x%04x, reference 0x%04lx", s, t, v);
	/* Parser and adder refuse the same values. */
	vg_spec_init(&spec, "vif1.0");
	added = vg_spec_add_ethertype(&spec, (uint16_t)v, aerr, sizeof(aerr));
	FUZZ_CHECK((ret == 0) == (added == 0),
		   "ethertype 0x%04lx: parser says %d, adder %d (%s)", v, ret, added,
		   added ? aerr : "");
}

static void check_mode(const char *s)
{
	enum vg_mode mode = VG_MODE_INVALID;
	char err[VG_ERRLEN];
	int ret;

	fuzz_err_fill(err, sizeof(err));
	ret = vg_parse_mode(s, &mode, err, sizeof(err));
	if (!strcmp(s, "locked"))
		FUZZ_CHECK(ret == 0 && mode == VG_MODE_LOCKED, "mode 'locked' misread");
	else if (!strcmp(s, "disabled"))
		FUZZ_CHECK(ret == 0 && mode == VG_MODE_DISABLED, "mode 'disabled' misread");
	else if (!strcmp(s, "audit"))
		FUZZ_CHECK(ret == 0 && mode == VG_MODE_AUDIT, "mode 'audit' misread");
	else
		FUZZ_CHECK(ret == -EINVAL, "vg_parse_mode('%s') = %d", s, ret);
	if (ret)
		fuzz_check_err("vg_parse_mode", err, sizeof(err), true);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A NUL ends the word, as it would in argv or a C string. */
	char *s = fuzz_strdup(data, size);

	check_mac(s);
	check_prefix4(s);
	check_prefix6(s);
	check_ethertype(s);
	check_mode(s);
	free(s);
	return 0;
}
