// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Config file parser.  Strict on purpose: a file with one bad line is
 * rejected whole with "file:line: what is wrong", so that a typo never
 * turns into a half-applied policy.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "config.h"
#include "guard.h"
#include "sanitize.h"

#define VG_CONFIG_MAX_SIZE	(4 << 20)

bool vg_uuid_valid(const char *s)
{
	static const int group[] = { 8, 4, 4, 4, 12 };
	unsigned int g;
	int i;

	for (g = 0; g < 5; g++) {
		for (i = 0; i < group[g]; i++, s++)
			if (!isxdigit((unsigned char)*s))
				return false;
		if (g < 4 && *s++ != '-')
			return false;
	}
	return *s == '\0';
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = tolower((unsigned char)*s);
}

struct parse {
	const char *name;
	unsigned int line;
	struct vg_config *cfg;
	char *err;
	size_t errlen;
	/* Line of the mode= seen for each entry, to name it in conflicts. */
	unsigned int *mode_line;
	/* vg_config_check: every finding goes here, and parsing goes on. */
	vg_config_report_fn report;
	void *arg;
	unsigned int n_errors, n_warnings;
};

static void say(struct parse *p, bool warning, const char *word, const char *what)
{
	struct vg_config_finding f = {
		.file = p->name, .line = p->line, .warning = warning, .word = word,
		.cause = what, .msg = p->err,
	};

	if (word)
		snprintf(p->err, p->errlen, "%s:%u: %s'%s': %s", p->name, p->line,
			 warning ? "warning: " : "", word, what);
	else if (p->line)
		snprintf(p->err, p->errlen, "%s:%u: %s", p->name, p->line, what);
	else
		snprintf(p->err, p->errlen, "%s: %s", p->name, what);
	if (p->report)
		p->report(p->arg, &f);
}

static int fail(struct parse *p, const char *word, const char *what)
{
	say(p, false, word, what);
	p->n_errors++;
	return -EINVAL;
}

/* A finding about the whole file, from a message "PATH: cause" in p->err. */
static void say_file(struct parse *p)
{
	char cause[VG_ERRLEN + 256];
	size_t n = strlen(p->name);

	if (!strncmp(p->err, p->name, n) && p->err[n] == ':' && p->err[n + 1] == ' ')
		snprintf(cause, sizeof(cause), "%s", p->err + n + 2);
	else
		snprintf(cause, sizeof(cause), "%s", p->err);
	p->line = 0;
	fail(p, NULL, cause);
}

/* vg_config_check only: what attach's guard rails would refuse. */
static void warn_guard(struct parse *p, const char *word, int refused, const char *why)
{
	char what[VG_ERRLEN + 128];

	if (!refused)
		return;
	snprintf(what, sizeof(what), "%s; applied as written, but attach refuses it "
		 "without --force", why);
	say(p, true, word, what);
	p->n_warnings++;
}

static struct vg_config_entry *entry_for(struct parse *p, const char *key)
{
	struct vg_config *cfg = p->cfg;
	struct vg_config_entry *e, *grown;
	unsigned int *ml;
	char perr[VG_ERRLEN];
	uint8_t mac[6];
	bool by_mac;
	size_t i;

	if (vg_uuid_valid(key)) {
		by_mac = false;
	} else if (strchr(key, ':') && vg_parse_mac(key, mac, perr, sizeof(perr)) == 0) {
		by_mac = true;
	} else if (strchr(key, ':')) {
		fail(p, key, perr);
		return NULL;
	} else {
		fail(p, key, "expected a VIF UUID or a MAC address");
		return NULL;
	}

	for (i = 0; i < cfg->n; i++) {
		e = &cfg->entries[i];
		if (e->by_mac != by_mac)
			continue;
		if (by_mac ? !memcmp(e->mac, mac, 6) : !strcasecmp(e->uuid, key))
			return e;
	}

	grown = realloc(cfg->entries, (cfg->n + 1) * sizeof(*grown));
	if (!grown) {
		fail(p, NULL, strerror(ENOMEM));
		return NULL;
	}
	cfg->entries = grown;
	ml = realloc(p->mode_line, (cfg->n + 1) * sizeof(*ml));
	if (!ml) {
		fail(p, NULL, strerror(ENOMEM));
		return NULL;
	}
	p->mode_line = ml;
	ml[cfg->n] = 0;

	e = &cfg->entries[cfg->n];
	memset(e, 0, sizeof(*e));
	e->by_mac = by_mac;
	e->line = p->line;
	vg_spec_init(&e->spec, "");
	if (by_mac) {
		memcpy(e->mac, mac, 6);
		/* The key is the guest's MAC: it is the first allowed source. */
		if (vg_spec_add_mac(&e->spec, mac, perr, sizeof(perr))) {
			fail(p, key, perr);
			return NULL;
		}
	} else {
		snprintf(e->uuid, sizeof(e->uuid), "%s", key);
		lower(e->uuid);
	}
	cfg->n++;
	return e;
}

static int add_prefix(struct parse *p, struct vg_spec *spec, const char *word, bool v6)
{
	char perr[VG_ERRLEN];
	int refused;

	if (vg_spec_add_prefix(spec, v6, word, perr, sizeof(perr)))
		return fail(p, word, perr);
	if (!p->report)
		return 0;
	/* The adder appends: the last of its family is word's. */
	refused = v6 ? vg_guard_v6(&spec->v6[spec->n_v6 - 1], perr, sizeof(perr)) :
		       vg_guard_v4(&spec->v4[spec->n_v4 - 1], perr, sizeof(perr));
	warn_guard(p, word, refused, perr);
	return 0;
}

/* ipv4=A,B,C and ipv6=A,B: the lists XAPI users already write. */
static int add_list(struct parse *p, struct vg_spec *spec, const char *word,
		    const char *list, bool v6)
{
	char buf[1024], *item, *save = NULL;
	int err = 0, ret;

	if (!*list)
		return fail(p, word, "empty address list");
	if (strlen(list) >= sizeof(buf))
		return fail(p, word, "address list too long");
	strcpy(buf, list);
	for (item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		ret = add_prefix(p, spec, item, v6);
		if (ret && !p->report)
			return ret;
		err = err ? err : ret;
	}
	return err;
}

static int parse_word(struct parse *p, struct vg_config_entry *e, char *word)
{
	struct vg_spec *spec = &e->spec;
	unsigned int *mode_line = &p->mode_line[e - p->cfg->entries];
	char perr[VG_ERRLEN];
	char *eq = strchr(word, '=');

	if (!eq) {
		if (!strcmp(word, "no-dhcp"))
			spec->flags &= ~VG_F_DHCP_CLIENT;
		else if (!strcmp(word, "allow-dhcp-server"))
			spec->flags |= VG_F_DHCP_SERVER;
		else if (!strcmp(word, "allow-ra"))
			spec->flags |= VG_F_RA;
		else if (!strcmp(word, "no-link-local"))
			spec->flags &= ~VG_F_LINK_LOCAL;
		else if (strchr(word, ':'))
			return add_prefix(p, spec, word, true);
		else if (isdigit((unsigned char)word[0]))
			return add_prefix(p, spec, word, false);
		else
			return fail(p, word, "unknown option (see vifguard(8), CONFIG FILE)");
		return 0;
	}

	*eq = '\0';
	if (!strcmp(word, "mode")) {
		enum vg_mode mode;

		*eq = '=';
		if (vg_parse_mode(eq + 1, &mode, perr, sizeof(perr)))
			return fail(p, word, perr);
		if (*mode_line && mode != spec->mode) {
			snprintf(perr, sizeof(perr), "conflicts with the mode set on line %u",
				 *mode_line);
			return fail(p, word, perr);
		}
		spec->mode = mode;
		*mode_line = p->line;
		return 0;
	}
	if (!strcmp(word, "mac")) {
		uint8_t mac[6];

		*eq = '=';
		if (vg_parse_mac(eq + 1, mac, perr, sizeof(perr)) ||
		    vg_spec_add_mac(spec, mac, perr, sizeof(perr)))
			return fail(p, word, perr);
		return 0;
	}
	if (!strcmp(word, "ipv4") || !strcmp(word, "ipv6")) {
		bool v6 = word[3] == '6';

		*eq = '=';
		return add_list(p, spec, word, eq + 1, v6);
	}
	if (!strcmp(word, "ethertype")) {
		uint16_t type;

		*eq = '=';
		if (vg_parse_ethertype(eq + 1, &type, perr, sizeof(perr)) ||
		    vg_spec_add_ethertype(spec, type, perr, sizeof(perr)))
			return fail(p, word, perr);
		return 0;
	}
	*eq = '=';
	return fail(p, word, "unknown option (see vifguard(8), CONFIG FILE)");
}

/* host protect=ADDR[,ADDR]...: IPv6 host addresses, in any form
 * inet_pton() reads. */
static int host_protect(struct parse *p, char *word, const char *list)
{
	struct vg_config *cfg = p->cfg;
	char buf[1024], *item, *save = NULL;
	struct in6_addr a;
	size_t i;

	if (!*list)
		return fail(p, word, "empty address list");
	if (strlen(list) >= sizeof(buf))
		return fail(p, word, "address list too long");
	strcpy(buf, list);
	for (item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char what[VG_ERRLEN];

		if (inet_pton(AF_INET6, item, &a) != 1) {
			snprintf(what, sizeof(what), "'%s': not an IPv6 address", item);
			return fail(p, word, what);
		}
		if (IN6_IS_ADDR_UNSPECIFIED(&a) || IN6_IS_ADDR_MULTICAST(&a) ||
		    IN6_IS_ADDR_LOOPBACK(&a)) {
			snprintf(what, sizeof(what), "'%s': not a unicast address", item);
			return fail(p, word, what);
		}
		for (i = 0; i < cfg->n_protect; i++)
			if (!memcmp(&cfg->protect[i], &a, sizeof(a)))
				break;
		if (i < cfg->n_protect)
			continue;	/* listed twice: one entry */
		if (cfg->n_protect >= VG_CONFIG_MAX_PROTECT) {
			snprintf(what, sizeof(what), "more than %d protected addresses",
				 VG_CONFIG_MAX_PROTECT);
			return fail(p, word, what);
		}
		cfg->protect[cfg->n_protect++] = a;
	}
	return 0;
}

/* A host word of seconds, decimal, 0..max (said as "(span)" when too
 * many), into *val and *line; what names it in a conflict. */
static int host_seconds(struct parse *p, char *word, const char *val, unsigned long max,
			const char *span, const char *what, unsigned int *out,
			unsigned int *line)
{
	char perr[VG_ERRLEN];
	unsigned long v;
	char *end;

	snprintf(perr, sizeof(perr), "expected seconds, 0..%lu", max);
	if (!isdigit((unsigned char)*val))
		return fail(p, word, perr);
	errno = 0;
	v = strtoul(val, &end, 10);
	if (*end)
		return fail(p, word, perr);
	if (errno == ERANGE || v > max) {
		snprintf(perr, sizeof(perr), "more than %lu seconds (%s)", max, span);
		return fail(p, word, perr);
	}
	if (*line && v != *out) {
		snprintf(perr, sizeof(perr), "conflicts with the %s set on line %u", what, *line);
		return fail(p, word, perr);
	}
	*out = (unsigned int)v;
	*line = p->line;
	return 0;
}

/* host dhcp-grace=SECONDS: 0..VG_DHCP_GRACE_MAX. */
static int host_grace(struct parse *p, char *word, const char *val)
{
	return host_seconds(p, word, val, VG_DHCP_GRACE_MAX, "a day", "grace",
			    &p->cfg->host_grace, &p->cfg->host_grace_line);
}

/* host unlisted=open|learn. */
static int host_unlisted(struct parse *p, char *word, const char *val)
{
	struct vg_config *cfg = p->cfg;
	char perr[VG_ERRLEN];
	enum vg_unlisted u;

	if (!strcmp(val, "open"))
		u = VG_UNLISTED_OPEN;
	else if (!strcmp(val, "learn"))
		u = VG_UNLISTED_LEARN;
	else
		return fail(p, word, "expected open (unfiltered, the default) or learn (locked "
			    "to the VIF's MAC and the addresses it learns)");
	if (cfg->host_unlisted_line && u != cfg->host_unlisted) {
		snprintf(perr, sizeof(perr), "conflicts with the unlisted= set on line %u",
			 cfg->host_unlisted_line);
		return fail(p, word, perr);
	}
	cfg->host_unlisted = u;
	cfg->host_unlisted_line = p->line;
	return 0;
}

/* One word of the host line: mode=audit or mode=locked, learn=WORD[,WORD],
 * dhcp-grace=SECONDS, unlisted=open|learn and protect=ADDR[,ADDR]..., and
 * only those. */
static int host_word(struct parse *p, char *word)
{
	struct vg_config *cfg = p->cfg;
	char perr[VG_ERRLEN];
	enum vg_mode mode;
	unsigned int learn;

	if (!strncmp(word, "protect=", 8))
		return host_protect(p, word, word + 8);
	if (!strncmp(word, "dhcp-grace=", 11))
		return host_grace(p, word, word + 11);
	if (!strncmp(word, "resume-window=", 14))
		return host_seconds(p, word, word + 14, VG_RESUME_WINDOW_MAX, "an hour",
				    "resume window", &cfg->host_window, &cfg->host_window_line);
	if (!strncmp(word, "first-lease=", 12))
		return host_seconds(p, word, word + 12, VG_FIRST_LEASE_MAX, "30 days",
				    "first-use lease", &cfg->host_first, &cfg->host_first_line);
	if (!strncmp(word, "unlisted=", 9))
		return host_unlisted(p, word, word + 9);
	if (!strncmp(word, "learn=", 6)) {
		if (vg_parse_learn(word + 6, &learn, perr, sizeof(perr)))
			return fail(p, word, perr);
		if (cfg->host_learn_line && learn != cfg->host_learn) {
			snprintf(perr, sizeof(perr), "conflicts with the learning set on line %u",
				 cfg->host_learn_line);
			return fail(p, word, perr);
		}
		cfg->host_learn = learn;
		cfg->host_learn_line = p->line;
		return 0;
	}
	if (strncmp(word, "mode=", 5))
		return fail(p, word, "the host line takes mode=audit|locked, "
			    "learn=link-local,dhcp,first|none, dhcp-grace=SECONDS, "
			    "resume-window=SECONDS, first-lease=SECONDS, "
			    "unlisted=open|learn and protect=ADDR[,ADDR]... only");
	if (vg_parse_mode(word + 5, &mode, perr, sizeof(perr)))
		return fail(p, word, perr);
	if (mode != VG_MODE_AUDIT && mode != VG_MODE_LOCKED)
		return fail(p, word, "the host line takes mode=audit (the audit switch) or "
			    "mode=locked (no switch); quarantine a VIF with its own entry");
	if (cfg->host_line && mode != cfg->host_mode) {
		snprintf(perr, sizeof(perr), "conflicts with the host mode set on line %u",
			 cfg->host_line);
		return fail(p, word, perr);
	}
	cfg->host_mode = mode;
	cfg->host_line = p->line;
	return 0;
}

/* The words after KEY "host". */
static int host_line(struct parse *p, char **save)
{
	char *word;
	int err = 0, ret, n = 0;

	while ((word = strtok_r(NULL, " \t\r\f\v", save))) {
		n++;
		ret = host_word(p, word);
		if (ret && !p->report)
			return ret;
		err = err ? err : ret;
	}
	return n ? err : fail(p, "host", "missing mode=, learn=, dhcp-grace=, resume-window=, "
			      "first-lease=, unlisted= or protect=");
}

unsigned int vg_config_host_learn(const struct vg_config *cfg, unsigned int flags)
{
	unsigned int learn;

	if (cfg->error || !cfg->host_learn_line)
		return flags;
	learn = cfg->host_learn;
	/* A policy that refuses the DHCP client (no-dhcp) stays so: its
	 * guest asks for no lease, and none is learned. */
	if (!(flags & VG_F_DHCP_CLIENT))
		learn &= ~VG_F_LEARN_DHCP;
	return (flags & ~VG_LEARN_FLAGS) | learn;
}

unsigned int vg_config_dhcp_grace(const struct vg_config *cfg)
{
	if (!cfg || cfg->error || !cfg->host_grace_line)
		return VG_DHCP_GRACE_DEFAULT;
	return cfg->host_grace;
}

unsigned int vg_config_resume_window(const struct vg_config *cfg)
{
	if (!cfg || cfg->error || !cfg->host_window_line)
		return VG_RESUME_WINDOW_DEFAULT;
	return cfg->host_window;
}

unsigned int vg_config_first_lease(const struct vg_config *cfg)
{
	if (!cfg || cfg->error || !cfg->host_first_line)
		return VG_FIRST_LEASE_DEFAULT;
	return cfg->host_first;
}

static int parse_line(struct parse *p, char *line)
{
	struct vg_config_entry *e;
	char *word, *save = NULL, *hash;
	int err = 0, ret;

	hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	word = strtok_r(line, " \t\r\f\v", &save);
	if (!word)
		return 0;
	if (!strcmp(word, "host"))
		return host_line(p, &save);
	e = entry_for(p, word);
	if (!e)
		return -EINVAL;
	while ((word = strtok_r(NULL, " \t\r\f\v", &save))) {
		ret = parse_word(p, e, word);
		/* Checking: on to the next word, to find every error. */
		if (ret && !p->report)
			return ret;
		err = err ? err : ret;
	}
	return err;
}

void vg_config_free(struct vg_config *cfg)
{
	free(cfg->entries);
	cfg->entries = NULL;
	cfg->n = 0;
	cfg->host_mode = VG_MODE_INVALID;
	cfg->host_line = 0;
	cfg->host_learn = 0;
	cfg->host_learn_line = 0;
	cfg->host_grace = 0;
	cfg->host_grace_line = 0;
	cfg->host_window = 0;
	cfg->host_window_line = 0;
	cfg->host_first = 0;
	cfg->host_first_line = 0;
	cfg->host_unlisted = VG_UNLISTED_OPEN;
	cfg->host_unlisted_line = 0;
	cfg->n_protect = 0;
}

/* Parses text line by line into p->cfg (emptied first); with p->report
 * on to the end whatever it finds, else up to the first error. */
static int parse_text(struct parse *p, const char *text)
{
	struct vg_config *cfg = p->cfg;
	const char *s = text;
	char *line = NULL;
	int ret = 0, r;

	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->path, sizeof(cfg->path), "%s", p->name);
	while (*s) {
		size_t len = strcspn(s, "\n");
		char *l;

		p->line++;
		l = realloc(line, len + 1);
		if (!l) {
			ret = fail(p, NULL, strerror(ENOMEM));
			break;
		}
		line = l;
		memcpy(line, s, len);
		line[len] = '\0';
		r = parse_line(p, line);
		ret = ret ? ret : r;
		if (ret && !p->report)
			break;
		s += len;
		if (*s == '\n')
			s++;
	}
	free(line);
	free(p->mode_line);
	p->mode_line = NULL;
	return ret;
}

int vg_config_parse(const char *name, const char *text, struct vg_config *cfg,
		    char *err, size_t errlen)
{
	struct parse p = {
		.name = name, .cfg = cfg, .err = err, .errlen = errlen,
	};
	int ret = parse_text(&p, text);

	if (ret)
		vg_config_free(cfg);
	return ret;
}

/*
 * Reads path and parses it through p (p->name is path).  A missing file
 * is 0 with nothing parsed.  With p->report, a file that is not root's
 * alone is reported and still parsed, so that check-config lists every
 * error at once.
 */
static int load(const char *path, struct parse *p)
{
	size_t len = 0, got;
	char *buf;
	FILE *f;
	int ret = 0;

	f = vg_config_open(path, p->err, p->errlen);
	if (!f && errno == EPERM && p->report) {
		say_file(p);
		ret = -EPERM;
		f = fopen(path, "re");
	}
	if (!f)
		return errno == ENOENT && !p->report ? 0 : -errno;
	buf = malloc(VG_CONFIG_MAX_SIZE + 1);
	if (!buf) {
		fclose(f);
		snprintf(p->err, p->errlen, "%s: %s", path, strerror(ENOMEM));
		return -ENOMEM;
	}
	while ((got = fread(buf + len, 1, VG_CONFIG_MAX_SIZE + 1 - len, f)) > 0)
		len += got;
	if (ferror(f)) {
		ret = -EIO;
		snprintf(p->err, p->errlen, "%s: read error", path);
		goto out;
	}
	if (len > VG_CONFIG_MAX_SIZE) {
		ret = -EFBIG;
		snprintf(p->err, p->errlen, "%s: larger than %d bytes", path, VG_CONFIG_MAX_SIZE);
		goto out;
	}
	buf[len] = '\0';
	if (strlen(buf) != len) {
		const char *c;

		for (c = buf, p->line = 1; *c; c++)
			p->line += *c == '\n';
		ret = fail(p, NULL, "NUL byte in a text file");
		goto out;
	}
	ret = parse_text(p, buf) ?: ret;
out:
	free(buf);
	fclose(f);
	return ret;
}

int vg_config_load(const char *path, struct vg_config *cfg, char *err, size_t errlen)
{
	int ret;

	struct parse p = {
		.name = path, .cfg = cfg, .err = err, .errlen = errlen,
	};

	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	ret = load(path, &p);
	if (ret)
		vg_config_free(cfg);
	/* parse_text starts from an empty cfg: set path again. */
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	if (ret) {
		cfg->error = ret;
		snprintf(cfg->errmsg, sizeof(cfg->errmsg), "%s", err);
	}
	return ret;
}

int vg_config_check(const char *path, vg_config_report_fn fn, void *arg,
		    struct vg_config_summary *sum)
{
	char err[VG_ERRLEN + 256] = "";
	struct vg_config cfg;
	struct parse p = {
		.name = path, .cfg = &cfg, .err = err, .errlen = sizeof(err),
		.report = fn, .arg = arg,
	};
	size_t i;
	int ret;

	memset(&cfg, 0, sizeof(cfg));
	memset(sum, 0, sizeof(*sum));
	ret = load(path, &p);
	/* load() leaves what the file held even after errors. */
	/* What stopped it before a line was read: not said yet. */
	sum->missing = ret == -ENOENT;
	if (ret && !p.n_errors) {
		if (!err[0])
			snprintf(err, sizeof(err), "%s: %s", path, strerror(-ret));
		say_file(&p);
	}
	for (i = 0; i < cfg.n; i++)
		sum->by_mac += cfg.entries[i].by_mac;
	sum->entries = cfg.n;
	sum->host_mode = cfg.host_mode;
	sum->host_line = cfg.host_line;
	sum->host_learn = cfg.host_learn;
	sum->host_learn_line = cfg.host_learn_line;
	sum->host_grace = cfg.host_grace_line ? cfg.host_grace : VG_DHCP_GRACE_DEFAULT;
	sum->host_grace_line = cfg.host_grace_line;
	sum->host_window = vg_config_resume_window(&cfg);
	sum->host_window_line = cfg.host_window_line;
	sum->host_first = vg_config_first_lease(&cfg);
	sum->host_first_line = cfg.host_first_line;
	sum->host_unlisted = cfg.host_unlisted;
	sum->host_unlisted_line = cfg.host_unlisted_line;
	sum->n_protect = cfg.n_protect;
	sum->errors = p.n_errors;
	sum->warnings = p.n_warnings;
	vg_config_free(&cfg);
	return (int)p.n_errors;
}

const struct vg_config_entry *vg_config_find(const struct vg_config *cfg,
					     const char *vif_uuid,
					     const uint8_t *mac)
{
	size_t i;

	if (vif_uuid && *vif_uuid)
		for (i = 0; i < cfg->n; i++)
			if (!cfg->entries[i].by_mac &&
			    !strcasecmp(cfg->entries[i].uuid, vif_uuid))
				return &cfg->entries[i];
	if (mac)
		for (i = 0; i < cfg->n; i++)
			if (cfg->entries[i].by_mac && !memcmp(cfg->entries[i].mac, mac, 6))
				return &cfg->entries[i];
	return NULL;
}
