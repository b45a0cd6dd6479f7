// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Reading and writing regression cases (format in case.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"

static const char *const placement_names[PLACE_MAX] = {
	[PLACE_ARRAY] = "array",
	[PLACE_SPILL] = "spill",
	[PLACE_RETIRED] = "retired",
	[PLACE_ARRAY_DECOY] = "array+decoy",
	[PLACE_NONE] = "none",
	[PLACE_NONE_RETIRED] = "none-retired",
	[PLACE_NONE_OTHER] = "none-other",
};

const char *placement_name(enum placement pl)
{
	return pl < PLACE_MAX ? placement_names[pl] : "?";
}

bool placement_in_force(enum placement pl)
{
	return pl < PLACE_NONE;
}

static const struct {
	uint16_t flag;
	const char *name;
} flag_names[] = {
	{ VG_F_DHCP_CLIENT, "dhcp-client" },
	{ VG_F_DHCP_SERVER, "dhcp-server" },
	{ VG_F_RA, "allow-ra" },
	{ VG_F_LINK_LOCAL, "link-local" },
	{ VG_F_LEARN_LL, "learn-ll" },
	{ VG_F_LEARN_DHCP, "learn-dhcp" },
	{ VG_F_LEARN_FIRST, "learn-first" },
};

/* Appends to buf; never overflows, truncates. */
static void add(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void add(char *buf, size_t size, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
}

void case_format_policy(char *buf, size_t size, const struct model_policy *p, bool has_policy,
			enum placement pl)
{
	char a[INET6_ADDRSTRLEN];
	const char *sep;

	buf[0] = 0;
	if (!has_policy) {
		add(buf, size, "none place=%s", placement_name(pl));
		return;
	}
	add(buf, size, "mode=%s flags=", p->mode == VG_MODE_DISABLED ? "disabled" : "locked");
	sep = "";
	for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++) {
		if (p->flags & flag_names[i].flag) {
			add(buf, size, "%s%s", sep, flag_names[i].name);
			sep = ",";
		}
	}
	if (!*sep)
		add(buf, size, "-");
	for (unsigned int i = 0; i < p->n_macs; i++) {
		const uint8_t *m = p->macs[i];

		add(buf, size, "%s%02x:%02x:%02x:%02x:%02x:%02x", i ? "," : " macs=", m[0], m[1],
		    m[2], m[3], m[4], m[5]);
	}
	for (unsigned int i = 0; i < p->n_ethertypes; i++)
		add(buf, size, "%s0x%04x", i ? "," : " ethertypes=", p->ethertypes[i]);
	for (unsigned int i = 0; i < p->n_v4; i++)
		add(buf, size, "%s%s/%u", i ? "," : " v4=",
		    inet_ntop(AF_INET, p->v4[i].addr, a, sizeof(a)), p->v4[i].len);
	for (unsigned int i = 0; i < p->n_v6; i++)
		add(buf, size, "%s%s/%u", i ? "," : " v6=",
		    inet_ntop(AF_INET6, p->v6[i].addr, a, sizeof(a)), p->v6[i].len);
	add(buf, size, " place=%s", placement_name(pl));
}

static const char *origin_name(unsigned int o)
{
	return o == VG_ORIGIN_DAD ? "dad" : o == VG_ORIGIN_CONFIG ? "config"
		: o == VG_ORIGIN_DHCP ? "dhcp" : o == VG_ORIGIN_FIRST ? "first" : "?";
}

/* An address of learned6, or of learned4 (::ffff:a.b.c.d) as a.b.c.d. */
static const char *addr_text(const uint8_t a[16], bool v4, char *buf)
{
	return v4 ? inet_ntop(AF_INET, a + 12, buf, INET6_ADDRSTRLEN)
		  : inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

/* "a.b.c.d" into learned4's form, or an IPv6 address; 4 or 6, or 0. */
static int addr_parse(const char *s, uint8_t a[16])
{
	uint8_t a4[4];

	if (inet_pton(AF_INET, s, a4) == 1) {
		model_v4_mapped(a4, a);
		return 4;
	}
	return inet_pton(AF_INET6, s, a) == 1 ? 6 : 0;
}

static void write_owner(FILE *f, const struct vg_case *c, uint32_t ifindex)
{
	if (ifindex == 0)
		fprintf(f, "nobody");
	else if (ifindex == c->ifindex)
		fprintf(f, "self");
	else
		fprintf(f, "%u", ifindex);
}

void case_write(FILE *f, const struct vg_case *c, const char *comment)
{
	char line[8192], a[INET6_ADDRSTRLEN];

	if (comment)
		fprintf(f, "# %s\n", comment);
	case_format_policy(line, sizeof(line), &c->pol, c->has_policy, c->place);
	fprintf(f, "policy %s\n", line);
	for (unsigned int i = 0; i < c->before.n_held + c->before.n_held4; i++) {
		bool v4 = i >= c->before.n_held;
		const struct model_held *h = v4 ? &c->before.held4[i - c->before.n_held]
						: &c->before.held[i];

		fprintf(f, "held %s ", addr_text(h->addr, v4, a));
		write_owner(f, c, h->ifindex);
		fprintf(f, " %s", origin_name(h->origin));
		if (h->origin == VG_ORIGIN_DAD)
			fprintf(f, " %llu", (unsigned long long)h->order);
		if (h->origin >= VG_ORIGIN_DHCP && h->expires == VG_LEASE_FOREVER)
			fprintf(f, " forever");
		else if (h->origin >= VG_ORIGIN_DHCP)
			fprintf(f, " %+.3f", ((double)h->expires - (double)c->before.now) / 1e9);
		fprintf(f, "\n");
	}
	for (unsigned int i = 0; i < c->before.n_win; i++) {
		fprintf(f, "window ");
		write_owner(f, c, c->before.win[i].ifindex);
		fprintf(f, " %+.3f\n",
			((double)c->before.win[i].end - (double)c->before.now) / 1e9);
	}
	if (c->before.n_fill4)
		fprintf(f, "fill4 %u\n", c->before.n_fill4);
	if (c->before.grace_s)
		fprintf(f, "grace %u\n", c->before.grace_s);
	if (c->before.first_lease_s)
		fprintf(f, "first-lease %u\n", c->before.first_lease_s);
	if (c->egress && c->sender != SENDER_HOST)
		fprintf(f, "sender %s\n", c->sender == SENDER_SERVER ? "server" : "guest");
	for (unsigned int i = 0; i < c->before.n_prot; i++)
		fprintf(f, "protected %s\n", inet_ntop(AF_INET6, c->before.prot[i], a, sizeof(a)));
	if (c->before.n_fill)
		fprintf(f, "fill %u\n", c->before.n_fill);
	fprintf(f, "%s ", c->egress ? "deliver" : "frame");
	for (size_t i = 0; i < c->len; i++)
		fprintf(f, "%02x", c->frame[i]);
	fprintf(f, "\nexpect %s\n", vg_model_reason_name(c->expect));
	if (!c->has_after)
		return;
	fprintf(f, "after");
	for (unsigned int i = 0; i < c->after.n_held + c->after.n_held4; i++) {
		bool v4 = i >= c->after.n_held;
		const struct model_held *h = v4 ? &c->after.held4[i - c->after.n_held]
						: &c->after.held[i];

		fprintf(f, " %s=", addr_text(h->addr, v4, a));
		write_owner(f, c, h->ifindex);
		fprintf(f, "/%s", origin_name(h->origin));
	}
	fprintf(f, " protected=");
	for (unsigned int i = 0; i < c->after.n_prot; i++)
		fprintf(f, "%s%s", i ? "," : "", inet_ntop(AF_INET6, c->after.prot[i], a, sizeof(a)));
	fprintf(f, "%s\n", c->after.n_prot ? "" : "-");
}

/* "self" or an ifindex, as replayed (case.h). */
static int parse_owner(const char *s, uint32_t *ifindex)
{
	unsigned long v;
	char *end;

	if (!strcmp(s, "self")) {
		*ifindex = CASE_SELF_IFINDEX;
		return 0;
	}
	if (!strcmp(s, "nobody")) {	/* a parked address */
		*ifindex = 0;
		return 0;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || !v || v > 0x7fffffff)
		return -EINVAL;
	*ifindex = v == CASE_SELF_IFINDEX ? CASE_OTHER_LO : v;
	return 0;
}

static int parse_origin(const char *s, uint8_t *origin)
{
	if (!strcmp(s, "dad"))
		*origin = VG_ORIGIN_DAD;
	else if (!strcmp(s, "config"))
		*origin = VG_ORIGIN_CONFIG;
	else if (!strcmp(s, "dhcp"))
		*origin = VG_ORIGIN_DHCP;
	else if (!strcmp(s, "first"))
		*origin = VG_ORIGIN_FIRST;
	else
		return -EINVAL;
	return 0;
}

/* A time relative to the case's "now" (seconds, or "forever") as an
 * absolute one; -EINVAL. */
static int parse_rel_time(const char *s, uint64_t *t)
{
	double rel;
	char *end;

	if (!strcmp(s, "forever")) {
		*t = VG_LEASE_FOREVER;
		return 0;
	}
	errno = 0;
	rel = strtod(s, &end);
	if (errno || *end || end == s || rel < -1e9 || rel > 1e10)
		return -EINVAL;
	*t = CASE_TIME_BASE + (int64_t)(rel * 1e9);
	return 0;
}

/* "window OWNER TIME" (s after "window "). */
static int parse_window(struct model_learn *st, char *s)
{
	char *save = NULL, *owner = strtok_r(s, " ", &save), *end = strtok_r(NULL, " ", &save);
	struct model_window *w;

	if (!owner || !end || st->n_win == MODEL_MAX_WINDOWS)
		return -EINVAL;
	w = &st->win[st->n_win];
	if (parse_owner(owner, &w->ifindex) || !w->ifindex || parse_rel_time(end, &w->end))
		return -EINVAL;
	for (unsigned int i = 0; i < st->n_win; i++)
		if (st->win[i].ifindex == w->ifindex)
			return -EINVAL;
	st->n_win++;
	return 0;
}

/* "held ADDR OWNER ORIGIN [ORDER]" (s after "held "). */
static int parse_held(struct model_learn *st, char *s)
{
	char *save = NULL, *addr = strtok_r(s, " ", &save), *owner = strtok_r(NULL, " ", &save);
	char *origin = strtok_r(NULL, " ", &save), *order = strtok_r(NULL, " ", &save), *end;
	struct model_held *h;
	uint8_t a[16];
	int af;

	if (!addr || !owner || !origin)
		return -EINVAL;
	af = addr_parse(addr, a);
	if (!af || (af == 4 ? st->n_held4 : st->n_held) == MODEL_MAX_HELD ||
	    (af == 4 ? model_learn_find4(st, a) : model_learn_find(st, a)))
		return -EINVAL;
	h = af == 4 ? &st->held4[st->n_held4] : &st->held[st->n_held];
	memset(h, 0, sizeof(*h));
	memcpy(h->addr, a, 16);
	if (parse_owner(owner, &h->ifindex) || parse_origin(origin, &h->origin) ||
	    (af == 4 && h->origin == VG_ORIGIN_DAD))
		return -EINVAL;
	if (h->origin == VG_ORIGIN_DHCP || h->origin == VG_ORIGIN_FIRST) {
		if (!order || parse_rel_time(order, &h->expires))
			return -EINVAL;
		st->now = CASE_TIME_BASE;
	} else if (h->origin == VG_ORIGIN_DAD) {
		if (!order)
			return -EINVAL;
		errno = 0;
		h->order = strtoull(order, &end, 10);
		if (errno || *end || end == order || !h->order)
			return -EINVAL;
		if (h->order > st->clock)
			st->clock = h->order;
	} else if (order) {
		return -EINVAL;
	}
	if (af == 4)
		st->n_held4++;
	else
		st->n_held++;
	return 0;
}

/* The "after" line (s after "after"). */
static int parse_after(struct model_learn *st, char *s)
{
	char *save = NULL, *tok;
	uint8_t a[16];
	int af;

	for (tok = strtok_r(s, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '='), *slash, *item, *save2 = NULL;
		struct model_held *h;

		if (!eq)
			return -EINVAL;
		*eq++ = 0;
		if (!strcmp(tok, "protected")) {
			if (!strcmp(eq, "-"))
				continue;
			for (item = strtok_r(eq, ",", &save2); item;
			     item = strtok_r(NULL, ",", &save2))
				if (inet_pton(AF_INET6, item, a) != 1 ||
				    model_learn_protect(st, a))
					return -EINVAL;
			continue;
		}
		slash = strchr(eq, '/');
		if (!slash)
			return -EINVAL;
		*slash++ = 0;
		af = addr_parse(tok, a);
		if (!af || (af == 4 ? st->n_held4 : st->n_held) == MODEL_MAX_HELD ||
		    (af == 4 ? model_learn_find4(st, a) : model_learn_find(st, a)))
			return -EINVAL;
		h = af == 4 ? &st->held4[st->n_held4] : &st->held[st->n_held];
		memset(h, 0, sizeof(*h));
		memcpy(h->addr, a, 16);
		if (parse_owner(eq, &h->ifindex) || parse_origin(slash, &h->origin))
			return -EINVAL;
		if (af == 4)
			st->n_held4++;
		else
			st->n_held++;
	}
	return 0;
}

static int fail(char *err, size_t errlen, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, unsigned int line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "line %u: ", line);

	va_start(ap, fmt);
	if (n > 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

static int parse_prefix(const char *s, int af, uint8_t *addr, uint8_t *len)
{
	char buf[INET6_ADDRSTRLEN + 8];
	unsigned long l;
	char *slash, *end;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (!slash)
		return -EINVAL;
	*slash = 0;
	errno = 0;
	l = strtoul(slash + 1, &end, 10);
	if (errno || *end || end == slash + 1 || l > (af == AF_INET ? 32U : 128U))
		return -EINVAL;
	if (inet_pton(af, buf, addr) != 1)
		return -EINVAL;
	*len = l;
	return 0;
}

/* One key=value of a policy line. */
static int parse_kv(struct vg_case *c, char *kv)
{
	struct model_policy *p = &c->pol;
	char *v = strchr(kv, '='), *item, *save = NULL;

	if (!v)
		return -EINVAL;
	*v++ = 0;
	if (!strcmp(kv, "place")) {
		for (int i = 0; i < PLACE_MAX; i++) {
			if (!strcmp(v, placement_names[i])) {
				c->place = i;
				return 0;
			}
		}
		return -EINVAL;
	}
	if (!strcmp(kv, "mode")) {
		if (!strcmp(v, "locked"))
			p->mode = VG_MODE_LOCKED;
		else if (!strcmp(v, "disabled"))
			p->mode = VG_MODE_DISABLED;
		else
			return -EINVAL;
		return 0;
	}
	for (item = strtok_r(v, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		if (!strcmp(kv, "flags")) {
			size_t i;

			if (!strcmp(item, "-"))
				continue;
			for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
				if (!strcmp(item, flag_names[i].name))
					break;
			if (i == sizeof(flag_names) / sizeof(flag_names[0]))
				return -EINVAL;
			p->flags |= flag_names[i].flag;
		} else if (!strcmp(kv, "macs")) {
			unsigned int m[6];
			char tail;

			if (p->n_macs == VG_MAX_MACS ||
			    sscanf(item, "%x:%x:%x:%x:%x:%x%c", &m[0], &m[1], &m[2], &m[3], &m[4],
				   &m[5], &tail) != 6)
				return -EINVAL;
			for (int i = 0; i < 6; i++) {
				if (m[i] > 0xff)
					return -EINVAL;
				p->macs[p->n_macs][i] = m[i];
			}
			p->n_macs++;
		} else if (!strcmp(kv, "ethertypes")) {
			unsigned long t;
			char *end;

			errno = 0;
			t = strtoul(item, &end, 16);
			if (errno || *end || t > 0xffff || p->n_ethertypes == VG_MAX_ETHERTYPES)
				return -EINVAL;
			p->ethertypes[p->n_ethertypes++] = t;
		} else if (!strcmp(kv, "v4")) {
			if (p->n_v4 == MODEL_MAX_ADDRS ||
			    parse_prefix(item, AF_INET, p->v4[p->n_v4].addr, &p->v4[p->n_v4].len))
				return -EINVAL;
			p->n_v4++;
		} else if (!strcmp(kv, "v6")) {
			if (p->n_v6 == MODEL_MAX_ADDRS ||
			    parse_prefix(item, AF_INET6, p->v6[p->n_v6].addr, &p->v6[p->n_v6].len))
				return -EINVAL;
			p->n_v6++;
		} else {
			return -EINVAL;
		}
	}
	return 0;
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int case_read(FILE *f, struct vg_case *c, unsigned int *lineno, char *err, size_t errlen)
{
	static char line[65536];
	enum { WANT_POLICY, WANT_FRAME, WANT_EXPECT, MAY_AFTER } state = WANT_POLICY;
	long back = 0;
	unsigned int back_line = 0;

	memset(c, 0, sizeof(*c));
	c->before.now = CASE_TIME_BASE;
	c->pol.mode = VG_MODE_LOCKED;
	c->ifindex = CASE_SELF_IFINDEX;
	for (;;) {
		char *s = line, *tok, *save = NULL;
		size_t n;

		/* After "expect", the next case may begin: remember where. */
		if (state == MAY_AFTER) {
			back = ftell(f);
			back_line = *lineno;
		}
		if (!fgets(line, sizeof(line), f))
			break;
		(*lineno)++;
		n = strlen(s);
		while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
			s[--n] = 0;
		if (!n || s[0] == '#')
			continue;
		if (state == MAY_AFTER) {
			if (strncmp(s, "after ", 6)) {
				if (back < 0 || fseek(f, back, SEEK_SET))
					return fail(err, errlen, *lineno, "cannot seek back");
				*lineno = back_line;
				return 1;
			}
			if (parse_after(&c->after, s + 6))
				return fail(err, errlen, *lineno, "bad \"after\" line");
			c->after.n_fill = c->before.n_fill;	/* no frame changes them */
			c->after.n_fill4 = c->before.n_fill4;
			c->after.n_win = c->before.n_win;
			memcpy(c->after.win, c->before.win, sizeof(c->after.win));
			c->after.first_lease_s = c->before.first_lease_s;
			c->has_after = true;
			return 1;
		}
		if (state == WANT_FRAME && !strncmp(s, "held ", 5)) {
			if (parse_held(&c->before, s + 5))
				return fail(err, errlen, *lineno, "bad \"held\" line");
			continue;
		}
		if (state == WANT_FRAME && !strncmp(s, "protected ", 10)) {
			uint8_t a[16];

			if (inet_pton(AF_INET6, s + 10, a) != 1 || model_learn_protect(&c->before, a))
				return fail(err, errlen, *lineno, "bad \"protected\" line");
			continue;
		}
		if (state == WANT_FRAME && !strncmp(s, "window ", 7)) {
			if (parse_window(&c->before, s + 7))
				return fail(err, errlen, *lineno, "bad \"window\" line");
			continue;
		}
		if (state == WANT_FRAME && !strncmp(s, "first-lease ", 12)) {
			unsigned long v;
			char *end;

			errno = 0;
			v = strtoul(s + 12, &end, 10);
			if (errno || *end || end == s + 12 || v > 0xffffffffUL)
				return fail(err, errlen, *lineno, "bad \"first-lease\" line");
			c->before.first_lease_s = v;
			continue;
		}
		if (state == WANT_FRAME && (!strncmp(s, "fill4 ", 6) || !strncmp(s, "grace ", 6))) {
			unsigned long v;
			char *end;

			errno = 0;
			v = strtoul(s + 6, &end, 10);
			if (errno || *end || end == s + 6 ||
			    v > (s[0] == 'f' ? VG_MAX_LEARNED : 0xffffffffUL))
				return fail(err, errlen, *lineno, "bad \"%.5s\" line", s);
			if (s[0] == 'f')
				c->before.n_fill4 = v;
			else
				c->before.grace_s = v;
			continue;
		}
		if (state == WANT_FRAME && !strncmp(s, "sender ", 7)) {
			if (!strcmp(s + 7, "host"))
				c->sender = SENDER_HOST;
			else if (!strcmp(s + 7, "guest"))
				c->sender = SENDER_GUEST;
			else if (!strcmp(s + 7, "server"))
				c->sender = SENDER_SERVER;
			else
				return fail(err, errlen, *lineno, "bad \"sender\" line");
			continue;
		}
		if (state == WANT_FRAME && !strncmp(s, "fill ", 5)) {
			unsigned long v;
			char *end;

			errno = 0;
			v = strtoul(s + 5, &end, 10);
			if (errno || *end || end == s + 5 || v > VG_MAX_LEARNED)
				return fail(err, errlen, *lineno, "bad \"fill\" line");
			c->before.n_fill = v;
			continue;
		}
		if (state == WANT_FRAME && !strncmp(s, "deliver ", 8)) {
			c->egress = true;
			s += 2;
			memcpy(s, "frame ", 6);	/* "deliver HEX" reads as "frame HEX" */
		}
		if (state == WANT_POLICY) {
			if (strncmp(s, "policy ", 7))
				return fail(err, errlen, *lineno, "expected \"policy ...\"");
			c->line = *lineno;
			c->has_policy = true;
			for (tok = strtok_r(s + 7, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
				if (!strcmp(tok, "none")) {
					c->has_policy = false;
					continue;
				}
				if (parse_kv(c, tok))
					return fail(err, errlen, *lineno, "bad policy item \"%s\"", tok);
			}
			if (c->has_policy != placement_in_force(c->place))
				return fail(err, errlen, *lineno, "place=%s %s a policy",
					    placement_name(c->place),
					    c->has_policy ? "does not hold" : "holds");
			state = WANT_FRAME;
		} else if (state == WANT_FRAME) {
			if (strncmp(s, "frame ", 6))
				return fail(err, errlen, *lineno, "expected \"frame HEX\"");
			s += 6;
			n = strlen(s);
			if (n % 2 || n / 2 > GEN_BUF_SIZE)
				return fail(err, errlen, *lineno, "odd or too long hex");
			for (size_t i = 0; i < n / 2; i++) {
				int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

				if (hi < 0 || lo < 0)
					return fail(err, errlen, *lineno, "not hex");
				c->frame[i] = hi << 4 | lo;
			}
			c->len = n / 2;
			state = WANT_EXPECT;
		} else {
			if (strncmp(s, "expect ", 7) || (c->expect = vg_model_reason_by_name(s + 7)) < 0)
				return fail(err, errlen, *lineno, "expected \"expect REASON\"");
			state = MAY_AFTER;
		}
	}
	if (state == MAY_AFTER)
		return 1;
	if (state != WANT_POLICY)
		return fail(err, errlen, *lineno, "case cut short");
	return 0;
}
