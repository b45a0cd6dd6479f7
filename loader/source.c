// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Policy sources: XAPI keys, the xl backend directory, the config file,
 * and the precedence between them (see source.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"

/* Domain ids at or above DOMID_FIRST_RESERVED (0x7ff0) are not guests. */
#define VG_DOMID_MAX	0x7fef

const char *vg_source_name(enum vg_source s)
{
	switch (s) {
	case VG_SOURCE_XAPI:
		return "xapi";
	case VG_SOURCE_XL:
		return "xl";
	case VG_SOURCE_CONFIG:
		return "config";
	default:
		return "none";
	}
}

/* Decimal without sign, leading zeros or overflow; end receives the rest. */
static int parse_uint(const char *s, unsigned int max, unsigned int *out, const char **end)
{
	unsigned long v = 0;
	const char *c = s;

	if (!isdigit((unsigned char)*c) || (c[0] == '0' && isdigit((unsigned char)c[1])))
		return -EINVAL;
	for (; isdigit((unsigned char)*c); c++) {
		v = v * 10 + (unsigned long)(*c - '0');
		if (v > max)
			return -EINVAL;
	}
	*out = (unsigned int)v;
	*end = c;
	return 0;
}

int vg_ifname_parse(const char *name, unsigned int *domid, unsigned int *devid)
{
	const char *c;
	bool vif;

	if (!strncmp(name, "vif", 3))
		vif = true;
	else if (!strncmp(name, "tap", 3))
		vif = false;
	else
		return -EINVAL;
	if (parse_uint(name + 3, VG_DOMID_MAX, domid, &c) || *c != '.')
		return -EINVAL;
	if (parse_uint(c + 1, 0xffff, devid, &c))
		return -EINVAL;
	if (!*c || (vif && !strcmp(c, "-emu")))
		return 0;
	return -EINVAL;
}

bool vg_ifname_emulated(const char *name)
{
	size_t n = strlen(name);

	return !strncmp(name, "tap", 3) || (n > 4 && !strcmp(name + n - 4, "-emu"));
}

int vg_backend_path_parse(const char *path, char *abs, size_t abslen,
			  unsigned int *domid, unsigned int *devid)
{
	static const char dom0[] = "/local/domain/0/";
	static const char rel[] = "backend/vif/";
	const char *c = path;

	if (*c == '/') {
		if (strncmp(c, dom0, sizeof(dom0) - 1))
			return -EINVAL;
		c += sizeof(dom0) - 1;
	}
	if (strncmp(c, rel, sizeof(rel) - 1))
		return -EINVAL;
	c += sizeof(rel) - 1;
	if (parse_uint(c, VG_DOMID_MAX, domid, &c) || *c != '/')
		return -EINVAL;
	if (parse_uint(c + 1, 0xffff, devid, &c) || *c)
		return -EINVAL;
	if (abs)
		snprintf(abs, abslen, "%sbackend/vif/%u/%u", dom0, *domid, *devid);
	return 0;
}

int vg_vm_path_uuid(const char *vm_path, char uuid[VG_UUID_STRLEN + 1])
{
	size_t i;

	if (strncmp(vm_path, "/vm/", 4) || !vg_uuid_valid(vm_path + 4))
		return -EINVAL;
	for (i = 0; i < VG_UUID_STRLEN; i++)
		uuid[i] = tolower((unsigned char)vm_path[4 + i]);
	uuid[VG_UUID_STRLEN] = '\0';
	return 0;
}

static int add_addr(struct vg_spec *spec, const char *key, const char *item, bool v6,
		    char *err, size_t errlen)
{
	char perr[VG_ERRLEN];
	int ret = vg_spec_add_prefix(spec, v6, item, perr, sizeof(perr));

	if (ret)
		snprintf(err, errlen, "%s: '%s': %s", key, item, perr);
	return ret ? -EINVAL : 0;
}

/* xenopsd joins the lists with ","; accept blanks around items, but not
 * empty items, which only a hand-written or corrupted key has. */
static int add_xapi_list(struct vg_spec *spec, const char *key, const char *list,
			 bool v6, char *err, size_t errlen)
{
	const char *c = list;

	if (!list)
		return 0;
	while (isspace((unsigned char)*c))
		c++;
	if (!*c)
		return 0;
	for (;;) {
		char item[128];
		size_t len = strcspn(c, ",");
		const char *b = c, *e = c + len;

		while (b < e && isspace((unsigned char)*b))
			b++;
		while (e > b && isspace((unsigned char)e[-1]))
			e--;
		if (e == b) {
			snprintf(err, errlen, "%s: '%s': empty item in the list", key, list);
			return -EINVAL;
		}
		if ((size_t)(e - b) >= sizeof(item)) {
			snprintf(err, errlen, "%s: '%.*s...': item too long", key, 40, b);
			return -EINVAL;
		}
		memcpy(item, b, e - b);
		item[e - b] = '\0';
		if (add_addr(spec, key, item, v6, err, errlen))
			return -EINVAL;
		if (!c[len])
			return 0;
		c += len + 1;
	}
}

static int add_mac_str(struct vg_spec *spec, const char *mac, char *err, size_t errlen)
{
	char perr[VG_ERRLEN];
	uint8_t m[6];

	if (!mac || !*mac) {
		snprintf(err, errlen, "mac: missing (a locked interface needs its MAC)");
		return -EINVAL;
	}
	if (vg_parse_mac(mac, m, perr, sizeof(perr)) ||
	    vg_spec_add_mac(spec, m, perr, sizeof(perr))) {
		snprintf(err, errlen, "mac: '%s': %s", mac, perr);
		return -EINVAL;
	}
	return 0;
}

int vg_xapi_parse(const char *mode, const char *mac, const char *ipv4_allowed,
		  const char *ipv6_allowed, bool *filter, struct vg_spec *spec,
		  char *err, size_t errlen)
{
	*filter = true;
	if (!strcmp(mode, "unlocked")) {
		*filter = false;
		return 0;
	}
	if (!strcmp(mode, "disabled")) {
		spec->mode = VG_MODE_DISABLED;
		return 0;
	}
	if (strcmp(mode, "locked")) {
		snprintf(err, errlen,
			 "locking-mode: '%s': expected locked, unlocked or disabled", mode);
		return -EINVAL;
	}
	spec->mode = VG_MODE_LOCKED;
	if (add_mac_str(spec, mac, err, errlen) ||
	    add_xapi_list(spec, "ipv4-allowed", ipv4_allowed, false, err, errlen) ||
	    add_xapi_list(spec, "ipv6-allowed", ipv6_allowed, true, err, errlen))
		return -EINVAL;
	return 0;
}

int vg_xl_parse(const char *mac, const char *ip, struct vg_spec *spec,
		char *err, size_t errlen)
{
	const char *c = ip;

	spec->mode = VG_MODE_LOCKED;
	if (add_mac_str(spec, mac, err, errlen))
		return -EINVAL;
	for (;;) {
		char item[128];
		size_t len;

		while (isspace((unsigned char)*c))
			c++;
		if (!*c)
			return 0;
		len = strcspn(c, " \t\n");
		if (len >= sizeof(item)) {
			snprintf(err, errlen, "ip: '%.*s...': item too long", 40, c);
			return -EINVAL;
		}
		memcpy(item, c, len);
		item[len] = '\0';
		if (add_addr(spec, "ip", item, strchr(item, ':') != NULL, err, errlen))
			return -EINVAL;
		c += len;
	}
}

int vg_vm_uuid_of_domid(struct vg_xs *xs, struct vg_vif *vif, char *err, size_t errlen)
{
	char path[64], *val;
	unsigned int writer;
	int ret;

	snprintf(path, sizeof(path), "/local/domain/%u/vm", vif->domid);
	val = vg_xs_read(xs, path);
	if (!val) {
		ret = errno ? -errno : -EIO;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	ret = vg_xs_writable_by_domu(xs, path, &writer);
	if (ret) {
		if (ret > 0 && writer == VG_XS_ANY_DOMAIN)
			snprintf(err, errlen,
				 "%s: every domain can write this key: not trusted as domain %u's identity",
				 path, vif->domid);
		else if (ret > 0)
			snprintf(err, errlen,
				 "%s: domain %u can write this key: not trusted as domain %u's identity",
				 path, writer, vif->domid);
		else
			snprintf(err, errlen, "%s: cannot read its permissions: %s",
				 path, strerror(-ret));
		free(val);
		return -EPERM;
	}
	ret = vg_vm_path_uuid(val, vif->vm_uuid);
	if (ret)
		snprintf(err, errlen, "%s: '%s': not a VM path (/vm/<uuid>)", path, val);
	free(val);
	return ret;
}

static void fail_closed(struct vg_resolution *res, enum vg_source src,
			const char *origin, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fail_closed(struct vg_resolution *res, enum vg_source src,
			const char *origin, const char *fmt, ...)
{
	char ifname[IF_NAMESIZE];
	char err[VG_ERRLEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->reason, sizeof(res->reason), fmt, ap);
	va_end(ap);
	res->decision = VG_DECISION_FILTER;
	res->source = src;
	res->failed_closed = true;
	snprintf(res->origin, sizeof(res->origin), "%s", origin);
	memcpy(ifname, res->spec.ifname, sizeof(ifname));
	vg_spec_init(&res->spec, ifname);
	res->spec.mode = VG_MODE_DISABLED;
	/* Only for `show`; a MAC that does not fit is simply not listed. */
	if (res->has_mac)
		vg_spec_add_mac(&res->spec, res->mac, err, sizeof(err));
}

static bool blank(const char *s)
{
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return false;
	return true;
}

/* Builds res->spec from a config entry and the VIF's MAC. */
static int from_config(const struct vg_config *cfg, const struct vg_config_entry *e,
		       struct vg_resolution *res)
{
	struct vg_spec *s = &res->spec;
	char err[VG_ERRLEN], origin[sizeof(res->origin)];
	unsigned int i, j;

	snprintf(origin, sizeof(origin), "%s:%u", cfg->path, e->line);
	s->mode = e->spec.mode;
	s->flags = e->spec.flags;
	if (!e->by_mac && res->has_mac &&
	    vg_spec_add_mac(s, res->mac, err, sizeof(err))) {
		fail_closed(res, VG_SOURCE_CONFIG, origin, "%s: %s", origin, err);
		return 0;
	}
	for (i = 0; i < e->spec.n_macs; i++) {
		for (j = 0; j < s->n_macs; j++)
			if (!memcmp(s->macs[j], e->spec.macs[i], 6))
				break;
		if (j < s->n_macs)
			continue;
		if (vg_spec_add_mac(s, e->spec.macs[i], err, sizeof(err))) {
			fail_closed(res, VG_SOURCE_CONFIG, origin, "%s: %s", origin, err);
			return 0;
		}
	}
	if (vg_mode_checks(s->mode) && !s->n_macs) {
		fail_closed(res, VG_SOURCE_CONFIG, origin,
			    "%s: VIF %s: no MAC known (xenstore has no mac key) and none given with mac=",
			    origin, e->uuid);
		return 0;
	}
	s->n_v4 = e->spec.n_v4;
	memcpy(s->v4, e->spec.v4, sizeof(s->v4));
	s->n_v6 = e->spec.n_v6;
	memcpy(s->v6, e->spec.v6, sizeof(s->v6));
	s->n_ethertypes = e->spec.n_ethertypes;
	memcpy(s->ethertypes, e->spec.ethertypes, sizeof(s->ethertypes));
	res->decision = VG_DECISION_FILTER;
	res->source = VG_SOURCE_CONFIG;
	snprintf(res->origin, sizeof(res->origin), "%s", origin);
	return 0;
}

/*
 * What vg_resolve reads once and hands to each source in turn.  Every
 * string below is NULL when its key is absent.
 */
struct resolve {
	struct vg_xs *xs;
	const struct vg_config *cfg;
	char backend[VG_XS_PATHLEN];
	char xapi[VG_XS_PATHLEN];		/* "" when the VM UUID is unknown */
	char *mode, *v4, *v6, *xmac, *bmac, *ip, *vif_uuid;
	const char *mac;			/* xmac, else bmac */
	bool xapi_unlocked;
	char err[VG_ERRLEN + VG_XS_PATHLEN];
};

/* What one source says about the interface. */
enum verdict {
	NOT_MINE,	/* no entry here: ask the next source */
	DECIDED,	/* res->spec holds the policy, to be validated */
	FAILED_CLOSED,	/* res is final: fail_closed() has filled it */
};

/* A source's policy is in res->spec: it decides, from origin. */
static enum verdict decided(struct vg_resolution *res, enum vg_source src, const char *origin)
{
	res->decision = VG_DECISION_FILTER;
	res->source = src;
	snprintf(res->origin, sizeof(res->origin), "%s", origin);
	return DECIDED;
}

/* A key of dir could not be read or is not trusted (r->err says which):
 * the host is at fault, the interface fails closed. */
static enum verdict unreadable(struct resolve *r, struct vg_resolution *res,
			       enum vg_source src, const char *dir, int ret)
{
	fail_closed(res, src, dir, "%s", r->err);
	res->host_error = ret;
	return FAILED_CLOSED;
}

/* Reads the keys that name the VIF (its MAC and VIF UUID also select
 * config entries) and XAPI's locking-mode; NOT_MINE means "go on". */
static enum verdict read_identity(struct resolve *r, struct vg_vif *vif,
				  struct vg_resolution *res)
{
	char path[VG_XS_PATHLEN + 32];
	int ret;

	if (!vif->vm_uuid[0]) {
		ret = vg_vm_uuid_of_domid(r->xs, vif, r->err, sizeof(r->err));
		if (ret && ret != -ENOENT) {
			snprintf(path, sizeof(path), "/local/domain/%u/vm", vif->domid);
			fail_closed(res, VG_SOURCE_XAPI, path, "%s", r->err);
			/* A VM path that is not one is a wrong value. */
			if (ret != -EINVAL)
				res->host_error = ret;
			return FAILED_CLOSED;
		}
	}
	if (vif->vm_uuid[0])
		snprintf(r->xapi, sizeof(r->xapi), "/xapi/%s/private/vif/%u",
			 vif->vm_uuid, vif->devid);

	if (r->xapi[0]) {
		ret = vg_xs_read_trusted(r->xs, r->xapi, "mac", &r->xmac, r->err, sizeof(r->err));
		if (!ret)
			ret = vg_xs_read_trusted(r->xs, r->xapi, "vif-uuid", &r->vif_uuid, r->err,
				       sizeof(r->err));
		if (!ret)
			ret = vg_xs_read_trusted(r->xs, r->xapi, "locking-mode", &r->mode, r->err,
				       sizeof(r->err));
		if (ret)
			return unreadable(r, res, VG_SOURCE_XAPI, r->xapi, ret);
	}
	ret = vg_xs_read_trusted(r->xs, r->backend, "mac", &r->bmac, r->err, sizeof(r->err));
	if (!ret)
		ret = vg_xs_read_trusted(r->xs, r->backend, "ip", &r->ip, r->err, sizeof(r->err));
	if (ret)
		return unreadable(r, res, VG_SOURCE_XL, r->backend, ret);
	r->mac = r->xmac ? r->xmac : r->bmac;
	if (r->mac && vg_parse_mac(r->mac, res->mac, r->err, sizeof(r->err)) == 0)
		res->has_mac = true;
	if (r->vif_uuid && vg_uuid_valid(r->vif_uuid)) {
		snprintf(res->vif_uuid, sizeof(res->vif_uuid), "%s", r->vif_uuid);
		for (char *c = res->vif_uuid; *c; c++)
			*c = tolower((unsigned char)*c);
	}
	return NOT_MINE;
}

/* 1. XAPI: locked or disabled; "unlocked" is remembered for step 4. */
static enum verdict source_xapi(struct resolve *r, struct vg_resolution *res)
{
	bool filter;
	int ret;

	if (!r->mode)
		return NOT_MINE;
	ret = vg_xs_read_trusted(r->xs, r->xapi, "ipv4-allowed", &r->v4, r->err, sizeof(r->err));
	if (!ret)
		ret = vg_xs_read_trusted(r->xs, r->xapi, "ipv6-allowed", &r->v6, r->err, sizeof(r->err));
	if (ret)
		return unreadable(r, res, VG_SOURCE_XAPI, r->xapi, ret);
	if (vg_xapi_parse(r->mode, r->mac, r->v4, r->v6, &filter, &res->spec, r->err,
			  sizeof(r->err))) {
		/* A bad MAC is named where it was read; a missing one where
		 * XAPI keeps it. */
		bool backend_mac = !r->xmac && r->bmac && !strncmp(r->err, "mac:", 4);

		fail_closed(res, VG_SOURCE_XAPI, r->xapi, "%s/%s",
			    backend_mac ? r->backend : r->xapi, r->err);
		return FAILED_CLOSED;
	}
	if (!filter) {
		r->xapi_unlocked = true;
		return NOT_MINE;
	}
	return decided(res, VG_SOURCE_XAPI, r->xapi);
}

/* 2. xl: the backend's ip key. */
static enum verdict source_xl(struct resolve *r, struct vg_resolution *res)
{
	if (!r->ip || blank(r->ip))
		return NOT_MINE;
	if (vg_xl_parse(r->bmac, r->ip, &res->spec, r->err, sizeof(r->err))) {
		fail_closed(res, VG_SOURCE_XL, r->backend, "%s/%s", r->backend, r->err);
		return FAILED_CLOSED;
	}
	return decided(res, VG_SOURCE_XL, r->backend);
}

/* 3. The config file, by VIF UUID then by MAC.  One that could not be
 * loaded may hold this VIF's entry: fail closed, naming the file and
 * what is wrong. */
static enum verdict source_config(struct resolve *r, struct vg_resolution *res)
{
	const struct vg_config_entry *e;

	if (!r->cfg)
		return NOT_MINE;
	if (r->cfg->error) {
		fail_closed(res, VG_SOURCE_CONFIG, r->cfg->path, "%s", r->cfg->errmsg);
		return FAILED_CLOSED;
	}
	e = vg_config_find(r->cfg, res->vif_uuid, res->has_mac ? res->mac : NULL);
	if (!e)
		return NOT_MINE;
	from_config(r->cfg, e, res);
	return res->failed_closed ? FAILED_CLOSED : DECIDED;
}

/* 4. Unfiltered: XAPI "unlocked", or no source at all. */
static void unfiltered(const struct resolve *r, struct vg_resolution *res)
{
	if (r->xapi_unlocked) {
		res->source = VG_SOURCE_XAPI;
		snprintf(res->origin, sizeof(res->origin), "%s", r->xapi);
	}
}

/* 4, with the config file's "host unlisted=learn": locked to the VIF's
 * MAC, what it learns by DHCP (its DHCP client let through) and DAD. */
static enum verdict unlisted_learn(struct resolve *r, struct vg_resolution *res)
{
	const struct vg_config *cfg = r->cfg;
	char origin[sizeof(res->origin)], err[VG_ERRLEN];

	snprintf(origin, sizeof(origin), "%s:%u", cfg->path, cfg->host_unlisted_line);
	res->unlisted = true;
	if (r->xapi_unlocked)
		snprintf(res->unlisted_xapi, sizeof(res->unlisted_xapi), "%s", r->xapi);
	if (!r->mac) {
		fail_closed(res, VG_SOURCE_CONFIG, origin, "%s: host unlisted=learn: no MAC "
			    "for the VIF in %s/mac%s%s%s", origin, r->backend,
			    r->xapi[0] ? " or " : "", r->xapi, r->xapi[0] ? "/mac" : "");
		return FAILED_CLOSED;
	}
	if (!res->has_mac) {
		fail_closed(res, VG_SOURCE_CONFIG, origin, "%s: host unlisted=learn: %s/mac: "
			    "'%s': not a MAC address", origin, r->xmac ? r->xapi : r->backend,
			    r->mac);
		return FAILED_CLOSED;
	}
	res->spec.mode = VG_MODE_LOCKED;
	res->spec.flags = VG_F_DHCP_CLIENT | VG_F_LINK_LOCAL | VG_F_LEARN_LL | VG_F_LEARN_DHCP;
	if (vg_spec_add_mac(&res->spec, res->mac, err, sizeof(err))) {
		fail_closed(res, VG_SOURCE_CONFIG, origin, "%s: host unlisted=learn: %s/mac: "
			    "'%s': %s", origin, r->xmac ? r->xapi : r->backend, r->mac, err);
		return FAILED_CLOSED;
	}
	return decided(res, VG_SOURCE_CONFIG, origin);
}

/* A decided policy that the data path cannot take fails closed too. */
static void validate(struct resolve *r, struct vg_resolution *res)
{
	char origin[sizeof(res->origin)];

	if (!vg_spec_validate(&res->spec, r->err, sizeof(r->err)))
		return;
	memcpy(origin, res->origin, sizeof(origin));
	fail_closed(res, res->source, origin, "%s: %s", origin, r->err);
}

void vg_resolve_host_mode(const struct vg_config *cfg, struct vg_resolution *res)
{
	if (res->decision == VG_DECISION_FILTER && !res->failed_closed && !res->unlisted)
		res->spec.flags = vg_config_host_learn(cfg, res->spec.flags);
	if (cfg->error || cfg->host_mode != VG_MODE_AUDIT ||
	    res->decision != VG_DECISION_FILTER || res->failed_closed ||
	    res->spec.mode != VG_MODE_LOCKED)
		return;
	res->spec.mode = VG_MODE_AUDIT;
	res->host_audit = true;
	snprintf(res->audit_origin, sizeof(res->audit_origin), "%s:%u", cfg->path,
		 cfg->host_line);
}

int vg_resolve(struct vg_xs *xs, const struct vg_config *cfg, struct vg_vif *vif,
	       const char *ifname, struct vg_resolution *res)
{
	static enum verdict (*const sources[])(struct resolve *, struct vg_resolution *) = {
		source_xapi, source_xl, source_config,
	};
	struct resolve r = { .xs = xs, .cfg = cfg };
	enum verdict v;
	size_t i;

	memset(res, 0, sizeof(*res));
	vg_spec_init(&res->spec, ifname);
	res->decision = VG_DECISION_UNFILTERED;
	snprintf(r.backend, sizeof(r.backend), "/local/domain/0/backend/vif/%u/%u",
		 vif->domid, vif->devid);

	v = read_identity(&r, vif, res);
	for (i = 0; v == NOT_MINE && i < sizeof(sources) / sizeof(sources[0]); i++)
		v = sources[i](&r, res);
	if (v == NOT_MINE && cfg && !cfg->error && cfg->host_unlisted == VG_UNLISTED_LEARN)
		v = unlisted_learn(&r, res);
	if (v == NOT_MINE)
		unfiltered(&r, res);
	else if (v == DECIDED)
		validate(&r, res);
	if (cfg)
		vg_resolve_host_mode(cfg, res);

	free(r.mode);
	free(r.v4);
	free(r.v6);
	free(r.xmac);
	free(r.bmac);
	free(r.ip);
	free(r.vif_uuid);
	return 0;
}
