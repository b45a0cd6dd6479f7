// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The config file: vg_config_parse on the input as text, and
 * vg_config_load on the same bytes written to a file, NUL bytes
 * included, since the file is what a host really reads.
 *
 * Load allocates its 4 MiB buffer each time, which under ASan costs some
 * thirty times the parse (shadow memory faulted in and poisoned), so it
 * runs on one input in LOAD_EVERY, chosen by a hash of the bytes: the
 * same input always takes the same path and a crash replays.
 *
 * Contract: both agree (same result, same entries, same message) unless
 * the bytes hold a NUL, which load refuses naming its line; a config
 * that parses has unique keys, each entry a policy the adders accept
 * (vg_spec_validate, given a name and, for a UUID key without mac=, the
 * disabled mode that stands in for the MAC xenstore would give) and
 * vg_config_find returns it by its key; a failure leaves the config
 * empty and says "name:line: ..." on one line.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "fuzz.h"

#define LOAD_EVERY 16

static int file_fd = -1;
static char dir[] = "/tmp/vg-fuzz-config-XXXXXX";
static char path[64];

static void remove_file(void)
{
	unlink(path);
	rmdir(dir);
}

/* One file for the whole run, in a private directory removed at exit:
 * vg_config_load takes only a regular file that only root can change,
 * never a link such as /proc/self/fd/N.  Load reopens it each time and
 * gets a fresh offset; parse gets the same name, so that both say the
 * same messages. */
static void open_file(void)
{
	if (file_fd >= 0)
		return;
	FUZZ_CHECK(mkdtemp(dir) != NULL, "mkdtemp failed");
	snprintf(path, sizeof(path), "%s/vifguard.conf", dir);
	file_fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	FUZZ_CHECK(file_fd >= 0, "cannot create %s", path);
	atexit(remove_file);
}

static void write_file(const uint8_t *data, size_t size)
{
	FUZZ_CHECK(ftruncate(file_fd, 0) == 0, "ftruncate failed");
	FUZZ_CHECK(pwrite(file_fd, data, size, 0) == (ssize_t)size, "pwrite failed");
}

/* FNV-1a: any stable spread will do. */
static bool pick_load(const uint8_t *data, size_t size)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < size; i++)
		h = (h ^ data[i]) * 16777619u;
	return h % LOAD_EVERY == 0;
}

static unsigned int line_of_first_nul(const uint8_t *data, size_t size)
{
	unsigned int line = 1;
	size_t i;

	for (i = 0; i < size && data[i]; i++)
		line += data[i] == '\n';
	return line;
}

static bool entry_equal(const struct vg_config_entry *a, const struct vg_config_entry *b)
{
	return a->by_mac == b->by_mac && !strcmp(a->uuid, b->uuid) &&
	       !memcmp(a->mac, b->mac, 6) && a->line == b->line &&
	       fuzz_spec_equal(&a->spec, &b->spec);
}

static void check_entries(const struct vg_config *cfg, unsigned int lines)
{
	char verr[VG_ERRLEN];
	size_t i, j;

	for (i = 0; i < cfg->n; i++) {
		const struct vg_config_entry *e = &cfg->entries[i];
		struct vg_spec s = e->spec;

		FUZZ_CHECK(e->line >= 1 && e->line <= lines, "entry %zu: line %u of %u", i,
			   e->line, lines);
		FUZZ_CHECK(!s.ifname[0], "entry %zu: ifname set", i);
		if (e->by_mac) {
			FUZZ_CHECK(s.n_macs >= 1 && !memcmp(s.macs[0], e->mac, 6),
				   "entry %zu: the key MAC is not the first allowed", i);
		} else {
			FUZZ_CHECK(vg_uuid_valid(e->uuid), "entry %zu: uuid '%s'", i, e->uuid);
			for (j = 0; j < VG_UUID_STRLEN; j++)
				FUZZ_CHECK(!isupper((unsigned char)e->uuid[j]),
					   "entry %zu: uuid '%s' not lower case", i, e->uuid);
		}
		for (j = 0; j < i; j++)
			FUZZ_CHECK(e->by_mac != cfg->entries[j].by_mac ||
					   (e->by_mac ? memcmp(e->mac, cfg->entries[j].mac, 6)
						      : strcmp(e->uuid, cfg->entries[j].uuid)),
				   "entries %zu and %zu have the same key", j, i);
		FUZZ_CHECK(vg_config_find(cfg, e->by_mac ? NULL : e->uuid,
					  e->by_mac ? e->mac : NULL) == e,
			   "entry %zu: vg_config_find does not return it", i);
		snprintf(s.ifname, sizeof(s.ifname), "vif1.0");
		if (!s.n_macs)
			s.mode = VG_MODE_DISABLED;
		FUZZ_CHECK(vg_spec_validate(&s, verr, sizeof(verr)) == 0,
			   "entry %zu (line %u): policy refused by vg_spec_validate: %s", i,
			   e->line, verr);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strdup(data, size);
	char err[VG_ERRLEN + 64], lerr[VG_ERRLEN + 64], prefix[96];
	struct vg_config cfg, lcfg;
	bool has_nul = memchr(data, '\0', size) != NULL;
	unsigned int lines = 1;
	size_t i;
	int ret, lret;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';

	open_file();
	fuzz_err_fill(err, sizeof(err));
	ret = vg_config_parse(path, text, &cfg, err, sizeof(err));
	FUZZ_CHECK(ret == 0 || ret == -EINVAL, "vg_config_parse returned %d", ret);
	if (ret) {
		fuzz_check_err("vg_config_parse", err, sizeof(err), true);
		char *end;
		unsigned long line;

		snprintf(prefix, sizeof(prefix), "%s:", path);
		FUZZ_CHECK(!strncmp(err, prefix, strlen(prefix)), "error names no file: %s", err);
		line = strtoul(err + strlen(prefix), &end, 10);
		FUZZ_CHECK(line >= 1 && line <= lines && !strncmp(end, ": ", 2),
			   "error names no line of the %u: %s", lines, err);
		FUZZ_CHECK(cfg.n == 0 && cfg.entries == NULL, "failed parse left %zu entries",
			   cfg.n);
	} else {
		check_entries(&cfg, lines);
	}

	/* Not root: load refuses a file root does not own (tested in
	 * tests/unit/test_xen_config.c); only parse is fuzzed then. */
	if (!pick_load(data, size) || geteuid() != 0)
		goto out;
	write_file(data, size);
	fuzz_err_fill(lerr, sizeof(lerr));
	lret = vg_config_load(path, &lcfg, lerr, sizeof(lerr));
	if (has_nul) {
		snprintf(prefix, sizeof(prefix), "%s:%u: NUL byte", path,
			 line_of_first_nul(data, size));
		FUZZ_CHECK(lret == -EINVAL && !strncmp(lerr, prefix, strlen(prefix)),
			   "load of a file with a NUL byte: %d %s", lret, lret ? lerr : "");
		FUZZ_CHECK(lcfg.n == 0 && lcfg.entries == NULL, "failed load left entries");
	} else {
		FUZZ_CHECK(lret == ret, "load %d, parse %d", lret, ret);
		if (ret) {
			FUZZ_CHECK(!strcmp(lerr, err), "load says '%s', parse '%s'", lerr, err);
		} else {
			FUZZ_CHECK(lcfg.n == cfg.n, "load %zu entries, parse %zu", lcfg.n, cfg.n);
			for (i = 0; i < cfg.n; i++)
				FUZZ_CHECK(entry_equal(&lcfg.entries[i], &cfg.entries[i]),
					   "entry %zu differs between load and parse", i);
		}
	}
	vg_config_free(&lcfg);
out:
	vg_config_free(&cfg);
	free(text);
	return 0;
}
