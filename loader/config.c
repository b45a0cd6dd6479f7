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

#include "config.h"
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
};

static int fail(struct parse *p, const char *word, const char *what)
{
	if (word)
		snprintf(p->err, p->errlen, "%s:%u: '%s': %s", p->name, p->line, word, what);
	else
		snprintf(p->err, p->errlen, "%s:%u: %s", p->name, p->line, what);
	return -EINVAL;
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

	if (vg_spec_add_prefix(spec, v6, word, perr, sizeof(perr)))
		return fail(p, word, perr);
	return 0;
}

/* ipv4=A,B,C and ipv6=A,B: the lists XAPI users already write. */
static int add_list(struct parse *p, struct vg_spec *spec, const char *word,
		    const char *list, bool v6)
{
	char buf[1024], *item, *save = NULL;
	int err;

	if (!*list)
		return fail(p, word, "empty address list");
	if (strlen(list) >= sizeof(buf))
		return fail(p, word, "address list too long");
	strcpy(buf, list);
	for (item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		err = add_prefix(p, spec, item, v6);
		if (err)
			return err;
	}
	return 0;
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

static int parse_line(struct parse *p, char *line)
{
	struct vg_config_entry *e;
	char *word, *save = NULL, *hash;
	int err;

	hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	word = strtok_r(line, " \t\r\f\v", &save);
	if (!word)
		return 0;
	e = entry_for(p, word);
	if (!e)
		return -EINVAL;
	while ((word = strtok_r(NULL, " \t\r\f\v", &save))) {
		err = parse_word(p, e, word);
		if (err)
			return err;
	}
	return 0;
}

void vg_config_free(struct vg_config *cfg)
{
	free(cfg->entries);
	cfg->entries = NULL;
	cfg->n = 0;
}

int vg_config_parse(const char *name, const char *text, struct vg_config *cfg,
		    char *err, size_t errlen)
{
	struct parse p = {
		.name = name, .cfg = cfg, .err = err, .errlen = errlen,
	};
	const char *s = text;
	char *line = NULL;
	int ret = 0;

	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->path, sizeof(cfg->path), "%s", name);
	while (*s) {
		size_t len = strcspn(s, "\n");
		char *l;

		p.line++;
		l = realloc(line, len + 1);
		if (!l) {
			ret = fail(&p, NULL, strerror(ENOMEM));
			break;
		}
		line = l;
		memcpy(line, s, len);
		line[len] = '\0';
		ret = parse_line(&p, line);
		if (ret)
			break;
		s += len;
		if (*s == '\n')
			s++;
	}
	free(line);
	free(p.mode_line);
	if (ret)
		vg_config_free(cfg);
	return ret;
}

/*
 * Resolves the directory of path into real (symbolic links in directory
 * names are allowed, as on hosts where /etc/xensource is one) and checks
 * every directory from / down to it with root_only().  -ENOENT when the
 * directory does not exist (no config); other errors name path.
 */
static int check_dirs(const char *path, char *real, const char **base,
		      char *err, size_t errlen)
{
	char dir[PATH_MAX], pre[PATH_MAX], *slash, *next;
	struct stat st;
	size_t n, len;
	int ret;

	if (strlen(path) >= sizeof(dir)) {
		snprintf(err, errlen, "%s: %s", path, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (!slash) {
		strcpy(dir, ".");
		*base = path;
	} else {
		*base = path + (slash - dir) + 1;
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	if (!**base) {
		snprintf(err, errlen, "%s: not a file name", path);
		return -EISDIR;
	}
	if (!realpath(dir, real)) {
		ret = -errno;
		/* A directory named by a dangling link is an error, not a
		 * missing config: someone meant the file to be elsewhere. */
		if (ret == -ENOENT && !(lstat(dir, &st) == 0 && S_ISLNK(st.st_mode)))
			return -ENOENT;
		snprintf(err, errlen, "%s: directory %s: %s", path, dir, strerror(-ret));
		return ret;
	}
	len = strlen(real);
	/* real is absolute and free of links: check "/", then each prefix. */
	for (n = 1;;) {
		memcpy(pre, real, n);
		pre[n] = '\0';
		if (lstat(pre, &st)) {
			ret = -errno;
			snprintf(err, errlen, "%s: directory %s: %s", path, pre, strerror(-ret));
			return ret;
		}
		if (!vg_root_only(&st)) {
			snprintf(err, errlen,
				 "%s: directory %s is owned by uid %u with mode %04o; refused (must be root's and not writable by group or others)",
				 path, pre, (unsigned int)st.st_uid,
				 (unsigned int)(st.st_mode & 07777));
			return -EPERM;
		}
		if (n >= len)
			break;
		next = strchr(real + n + 1, '/');
		n = next ? (size_t)(next - real) : len;
	}
	return 0;
}

/*
 * Opens path for reading as the only policy source root does not write
 * through xenstore: never through a symbolic link, only a regular file
 * that only root can change.  Returns a FILE, or NULL with errno set and
 * err filled (errno ENOENT with err untouched: no config).
 */
static FILE *open_config(const char *path, char *err, size_t errlen)
{
	char real[PATH_MAX], full[PATH_MAX + NAME_MAX + 2];
	const char *base;
	struct stat st;
	FILE *f;
	int fd, ret;

	ret = check_dirs(path, real, &base, err, errlen);
	if (ret)
		goto fail;
	snprintf(full, sizeof(full), "%s/%s", strcmp(real, "/") ? real : "", base);
	/* O_NONBLOCK: a FIFO must not hang a hotplug script. */
	fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		ret = -errno;
		if (ret == -ENOENT)
			goto fail;
		if (ret == -ELOOP && lstat(full, &st) == 0 && S_ISLNK(st.st_mode))
			snprintf(err, errlen, "%s: a symbolic link; refused (name the file itself)",
				 path);
		else
			snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		goto fail;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		goto fail_fd;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		snprintf(err, errlen, "%s: not a regular file; refused", path);
		goto fail_fd;
	}
	if (!vg_root_only(&st)) {
		ret = -EPERM;
		snprintf(err, errlen,
			 "%s: owned by uid %u with mode %04o; refused (must be root's and not writable by group or others)",
			 path, (unsigned int)st.st_uid, (unsigned int)(st.st_mode & 07777));
		goto fail_fd;
	}
	f = fdopen(fd, "r");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		goto fail_fd;
	}
	return f;
fail_fd:
	close(fd);
fail:
	errno = -ret;
	return NULL;
}

static int load(const char *path, struct vg_config *cfg, char *err, size_t errlen)
{
	size_t len = 0, got;
	char *buf;
	FILE *f;
	int ret;

	f = open_config(path, err, errlen);
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	buf = malloc(VG_CONFIG_MAX_SIZE + 1);
	if (!buf) {
		fclose(f);
		snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
		return -ENOMEM;
	}
	while ((got = fread(buf + len, 1, VG_CONFIG_MAX_SIZE + 1 - len, f)) > 0)
		len += got;
	if (ferror(f)) {
		ret = -EIO;
		snprintf(err, errlen, "%s: read error", path);
		goto out;
	}
	if (len > VG_CONFIG_MAX_SIZE) {
		ret = -EFBIG;
		snprintf(err, errlen, "%s: larger than %d bytes", path, VG_CONFIG_MAX_SIZE);
		goto out;
	}
	buf[len] = '\0';
	if (strlen(buf) != len) {
		unsigned int line = 1;
		const char *c;

		for (c = buf; *c; c++)
			line += *c == '\n';
		ret = -EINVAL;
		snprintf(err, errlen, "%s:%u: NUL byte in a text file", path, line);
		goto out;
	}
	ret = vg_config_parse(path, buf, cfg, err, errlen);
out:
	free(buf);
	fclose(f);
	return ret;
}

int vg_config_load(const char *path, struct vg_config *cfg, char *err, size_t errlen)
{
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	ret = load(path, cfg, err, errlen);
	/* vg_config_parse starts from an empty cfg: set path again. */
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	if (ret) {
		cfg->error = ret;
		snprintf(cfg->errmsg, sizeof(cfg->errmsg), "%s", err);
	}
	return ret;
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
