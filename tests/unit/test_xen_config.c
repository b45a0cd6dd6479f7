// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Config file parser: the original "<vif-uuid> <ip>" lines, the richer
 * syntax, and every way a line can be wrong (file:line in the message,
 * nothing kept).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <ctype.h>
#include <arpa/inet.h>

#include "unit.h"
#include "config.h"

#ifndef VG_EXAMPLE_CONF
#define VG_EXAMPLE_CONF "etc/vifguard.conf.example"
#endif

#define UUID_A "9c1fbbd2-5a37-4c5e-8c2d-6f2f1a0b7e11"
#define UUID_B "0B7E1C54-2F4D-4E3A-9A1B-2C3D4E5F6A7B"

static void original_format(void **state)
{
	static const char text[] =
		"# /etc/xensource/ip_restriction.conf\n"
		UUID_A " 10.0.0.5\n"
		UUID_A " 10.0.0.6\n"
		"\n"
		UUID_B "\t192.168.7.20\n";
	struct vg_config cfg;
	const struct vg_config_entry *e;
	char err[512] = "";

	(void)state;
	assert_int_equal(vg_config_parse("ipr.conf", text, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.n, 2);
	e = vg_config_find(&cfg, UUID_A, NULL);
	assert_non_null(e);
	assert_int_equal(e->line, 2);
	assert_false(e->by_mac);
	assert_int_equal(e->spec.mode, VG_MODE_LOCKED);
	assert_int_equal(e->spec.n_v4, 2);
	assert_v4(&e->spec, 0, "10.0.0.5", 32);
	assert_v4(&e->spec, 1, "10.0.0.6", 32);
	assert_int_equal(e->spec.n_macs, 0);
	/* UUIDs are matched without regard to case. */
	e = vg_config_find(&cfg, "0b7e1c54-2f4d-4e3a-9a1b-2c3d4e5f6a7b", NULL);
	assert_non_null(e);
	assert_string_equal(e->uuid, "0b7e1c54-2f4d-4e3a-9a1b-2c3d4e5f6a7b");
	assert_v4(&e->spec, 0, "192.168.7.20", 32);
	vg_config_free(&cfg);
}

static void rich_syntax(void **state)
{
	static const char text[] =
		"00:16:3e:5a:01:02 10.1.0.0/16 2001:db8::7 no-dhcp  # web\n"
		"00:16:3E:5A:01:02 ipv6=2001:db8:1::/64,fe80::1 allow-ra ethertype=0x88cc\n"
		UUID_A " mode=disabled\n"
		UUID_B " mac=00:16:3e:00:00:09 ipv4=10.2.0.1,10.2.0.2 no-link-local allow-dhcp-server\n";
	const uint8_t mac[6] = { 0x00, 0x16, 0x3e, 0x5a, 0x01, 0x02 };
	const struct vg_config_entry *e;
	struct vg_config cfg;
	char err[512] = "";

	(void)state;
	assert_int_equal(vg_config_parse("rich.conf", text, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.n, 3);

	e = vg_config_find(&cfg, NULL, mac);
	assert_non_null(e);
	assert_true(e->by_mac);
	assert_int_equal(e->line, 1);
	assert_int_equal(e->spec.n_macs, 1);
	assert_memory_equal(e->spec.macs[0], mac, 6);
	assert_v4(&e->spec, 0, "10.1.0.0", 16);
	assert_int_equal(e->spec.n_v6, 3);
	assert_int_equal(e->spec.v6[1].len, 64);
	assert_false(e->spec.flags & VG_F_DHCP_CLIENT);
	assert_true(e->spec.flags & VG_F_RA);
	assert_true(e->spec.flags & VG_F_LINK_LOCAL);
	assert_int_equal(e->spec.n_ethertypes, 1);
	assert_int_equal(e->spec.ethertypes[0], 0x88cc);

	e = vg_config_find(&cfg, UUID_A, mac);	/* UUID before MAC */
	assert_non_null(e);
	assert_false(e->by_mac);
	assert_int_equal(e->spec.mode, VG_MODE_DISABLED);

	e = vg_config_find(&cfg, UUID_B, NULL);
	assert_non_null(e);
	assert_int_equal(e->spec.n_macs, 1);
	assert_int_equal(e->spec.n_v4, 2);
	assert_false(e->spec.flags & VG_F_LINK_LOCAL);
	assert_true(e->spec.flags & VG_F_DHCP_SERVER);
	assert_true(e->spec.flags & VG_F_DHCP_CLIENT);

	assert_null(vg_config_find(&cfg, "11111111-2222-3333-4444-555555555555", NULL));
	vg_config_free(&cfg);
}

struct bad_case {
	const char *text;
	const char *msg;	/* expected in the error */
};

static const struct bad_case bad_cases[] = {
	{ "vif3.0 10.0.0.1\n", "t.conf:1: 'vif3.0': expected a VIF UUID or a MAC address" },
	{ "\n\n" UUID_A " 10.0.0.300\n", "t.conf:3: '10.0.0.300'" },
	{ UUID_A " 10.0.0.0/33\n", "t.conf:1: '10.0.0.0/33'" },
	{ UUID_A " fe80::zz\n", "t.conf:1: 'fe80::zz'" },
	{ UUID_A " 10.0.0.1 bogus\n", "t.conf:1: 'bogus': unknown option" },
	{ UUID_A " colour=blue\n", "t.conf:1: 'colour=blue': unknown option" },
	{ UUID_A " mode=open\n", "t.conf:1: 'mode=open'" },
	{ UUID_A " mode=locked\n" UUID_A " mode=disabled\n",
	  "t.conf:2: 'mode=disabled': conflicts with the mode set on line 1" },
	{ UUID_A " ipv4=\n", "t.conf:1: 'ipv4=': empty address list" },
	{ UUID_A " ipv4=10.0.0.1,fe80::1\n", "t.conf:1: 'fe80::1'" },
	{ UUID_A " mac=zz:00:00:00:00:01\n", "t.conf:1: 'mac=zz:00:00:00:00:01'" },
	{ "00:16:3e:00:00\t10.0.0.1\n", "t.conf:1: '00:16:3e:00:00'" },
	{ UUID_A " ethertype=ip\n", "t.conf:1: 'ethertype=ip'" },
	{ "9c1fbbd2-5a37-4c5e-8c2d-6f2f1a0b7e1 10.0.0.1\n",
	  "'9c1fbbd2-5a37-4c5e-8c2d-6f2f1a0b7e1': expected a VIF UUID" },
	{ "host\n", "t.conf:1: 'host': missing mode=, learn=, dhcp-grace=, resume-window=, "
	  "first-lease=, unlisted= or protect=" },
	{ "host mode=disabled\n", "t.conf:1: 'mode=disabled': the host line takes mode=audit" },
	{ "host 10.0.0.1\n", "t.conf:1: '10.0.0.1': the host line takes mode=audit|locked, "
	  "learn=link-local,dhcp,first|none, dhcp-grace=SECONDS, resume-window=SECONDS, "
	  "first-lease=SECONDS, unlisted=open|learn and protect=ADDR[,ADDR]... only" },
	{ "host resume-window=3601\n", "t.conf:1: 'resume-window=3601': more than 3600 seconds "
	  "(an hour)" },
	{ "host first-lease=x\n", "t.conf:1: 'first-lease=x': expected seconds, 0..2592000" },
	{ "host learn=dhcp6\n", "t.conf:1: 'learn=dhcp6': 'dhcp6': unknown learning" },
	{ "host learn=dhcp,none\n", "t.conf:1: 'learn=dhcp,none': none excludes" },
	{ "host learn=dhcp\nhost learn=link-local,dhcp\n",
	  "t.conf:2: 'learn=link-local,dhcp': conflicts with the learning set on line 1" },
	{ "host dhcp-grace=\n", "t.conf:1: 'dhcp-grace=': expected seconds, 0..86400" },
	{ "host dhcp-grace=-1\n", "t.conf:1: 'dhcp-grace=-1': expected seconds, 0..86400" },
	{ "host dhcp-grace=+5\n", "t.conf:1: 'dhcp-grace=+5': expected seconds" },
	{ "host dhcp-grace=60s\n", "t.conf:1: 'dhcp-grace=60s': expected seconds" },
	{ "host dhcp-grace=86401\n",
	  "t.conf:1: 'dhcp-grace=86401': more than 86400 seconds (a day)" },
	{ "host dhcp-grace=99999999999999999999999\n", "more than 86400 seconds" },
	{ "host unlisted=\n", "t.conf:1: 'unlisted=': expected open (unfiltered, the default) "
	  "or learn" },
	{ "host unlisted=locked\n", "t.conf:1: 'unlisted=locked': expected open" },
	{ "host unlisted=learn\nhost unlisted=open\n",
	  "t.conf:2: 'unlisted=open': conflicts with the unlisted= set on line 1" },
	{ "host dhcp-grace=30\nhost dhcp-grace=60\n",
	  "t.conf:2: 'dhcp-grace=60': conflicts with the grace set on line 1" },
	{ "host learn=\n", "t.conf:1: 'learn=': empty" },
	{ "host learn=none,link-local\n", "t.conf:1: 'learn=none,link-local': none excludes" },
	{ "host learn=link-local,\n", "t.conf:1: 'learn=link-local,': empty word after ','" },
	{ "host learn=none\n\nhost learn=link-local\n",
	  "t.conf:3: 'learn=link-local': conflicts with the learning set on line 1" },
	{ "host protect=\n", "t.conf:1: 'protect=': empty address list" },
	{ "host protect=fe80::1,10.0.0.1\n",
	  "t.conf:1: 'protect=fe80::1,10.0.0.1': '10.0.0.1': not an IPv6 address" },
	{ "host protect=fe80::1/64\n", "t.conf:1: 'protect=fe80::1/64': 'fe80::1/64': not an" },
	{ "host protect=ff02::1\n", "t.conf:1: 'protect=ff02::1': 'ff02::1': not a unicast" },
	{ "host protect=::\n", "t.conf:1: 'protect=::': '::': not a unicast" },
	{ "host mode=audit\n# later\nhost mode=locked\n",
	  "t.conf:3: 'mode=locked': conflicts with the host mode set on line 1" },
	{ "host mode=audit\n" UUID_A " bogus\n", "t.conf:2: 'bogus': unknown option" },
};

/* The host line: the switch and its line, no entry; off without it. */
static void host_switch(void **state)
{
	static const char text[] = UUID_A " 10.0.0.5\n\n  host\tmode=audit # roll-out\n"
				   "host mode=audit\n";
	struct vg_config cfg;
	char err[512] = "";

	(void)state;
	assert_int_equal(vg_config_parse("t.conf", text, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.n, 1);
	assert_int_equal(cfg.host_mode, VG_MODE_AUDIT);
	assert_int_equal(cfg.host_line, 4);
	vg_config_free(&cfg);
	assert_int_equal(vg_config_parse("t.conf", "host mode=locked\n", &cfg, err,
					 sizeof(err)), 0);
	assert_int_equal(cfg.host_mode, VG_MODE_LOCKED);
	assert_int_equal(cfg.n, 0);
	vg_config_free(&cfg);
	assert_int_equal(vg_config_parse("t.conf", UUID_A " 10.0.0.5\n", &cfg, err,
					 sizeof(err)), 0);
	assert_int_equal(cfg.host_mode, VG_MODE_INVALID);
	assert_int_equal(cfg.host_line, 0);
	vg_config_free(&cfg);
}

/* host learn= and protect=: what they hold, and what they do to a
 * source's flags. */
static void host_learn_protect(void **state)
{
	static const char text[] = "host learn=none protect=fe80::1,FE80::0:2\n"
				   "host protect=fe80::1 mode=locked\n";
	unsigned int all = VG_F_DHCP_CLIENT | VG_F_LEARN_LL;
	struct in6_addr a;
	struct vg_config cfg;
	char err[512] = "";

	(void)state;
	assert_int_equal(vg_config_parse("t.conf", text, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.host_learn, 0);
	assert_int_equal(cfg.host_learn_line, 1);
	assert_int_equal(cfg.n_protect, 2);
	inet_pton(AF_INET6, "fe80::2", &a);
	assert_memory_equal(&cfg.protect[1], &a, sizeof(a));
	assert_int_equal(vg_config_host_learn(&cfg, all), VG_F_DHCP_CLIENT);
	vg_config_free(&cfg);
	assert_int_equal(vg_config_parse("t.conf", "host learn=link-local\n", &cfg, err,
					 sizeof(err)), 0);
	assert_int_equal(vg_config_host_learn(&cfg, VG_F_DHCP_CLIENT), all);
	vg_config_free(&cfg);
	/* Without the word, the sources' flags stand. */
	assert_int_equal(vg_config_parse("t.conf", "host mode=audit\n", &cfg, err,
					 sizeof(err)), 0);
	assert_int_equal(vg_config_host_learn(&cfg, all), all);
	assert_int_equal(vg_config_host_learn(&cfg, VG_F_DHCP_CLIENT), VG_F_DHCP_CLIENT);
	vg_config_free(&cfg);
}

/* host learn=dhcp and dhcp-grace=: the flags they give a source's
 * policy, and the grace with and without the word. */
static void host_learn_dhcp(void **state)
{
	static const char text[] = "host learn=dhcp,link-local\n"
				   "host dhcp-grace=0 mode=locked\n";
	unsigned int ll = VG_F_DHCP_CLIENT | VG_F_LINK_LOCAL | VG_F_LEARN_LL;
	struct vg_config cfg;
	char err[512] = "";

	(void)state;
	assert_int_equal(vg_config_dhcp_grace(NULL), VG_DHCP_GRACE_DEFAULT);
	assert_int_equal(vg_config_parse("t.conf", text, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.host_learn, VG_F_LEARN_LL | VG_F_LEARN_DHCP);
	assert_int_equal(cfg.host_grace_line, 2);
	assert_int_equal(vg_config_dhcp_grace(&cfg), 0);
	assert_int_equal(vg_config_host_learn(&cfg, ll), ll | VG_F_LEARN_DHCP);
	/* A policy without the DHCP client (no-dhcp) learns no lease. */
	assert_int_equal(vg_config_host_learn(&cfg, VG_F_LINK_LOCAL), VG_F_LINK_LOCAL | VG_F_LEARN_LL);
	/* A file that could not be loaded: the default, flags as they are. */
	cfg.error = -EINVAL;
	assert_int_equal(vg_config_dhcp_grace(&cfg), VG_DHCP_GRACE_DEFAULT);
	assert_int_equal(vg_config_host_learn(&cfg, ll), ll);
	vg_config_free(&cfg);
	assert_int_equal(vg_config_parse("t.conf", "host learn=dhcp dhcp-grace=86400\n", &cfg,
					 err, sizeof(err)), 0);
	assert_int_equal(vg_config_dhcp_grace(&cfg), 86400);
	/* dhcp alone: link-local learning off. */
	assert_int_equal(vg_config_host_learn(&cfg, ll), (ll & ~VG_F_LEARN_LL) | VG_F_LEARN_DHCP);
	vg_config_free(&cfg);
	assert_int_equal(vg_config_parse("t.conf", "host mode=audit\n", &cfg, err, sizeof(err)), 0);
	assert_int_equal(vg_config_dhcp_grace(&cfg), VG_DHCP_GRACE_DEFAULT);
	assert_int_equal(vg_config_host_learn(&cfg, ll), ll);
	vg_config_free(&cfg);
}

static void bad_lines(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct vg_config cfg;
		char err[512] = "";
		int ret;

		ret = vg_config_parse("t.conf", bad_cases[i].text, &cfg, err, sizeof(err));
		if (ret != -22)
			fail_msg("case %zu (%s): expected -EINVAL, got %d", i,
				 bad_cases[i].text, ret);
		assert_contains(err, bad_cases[i].msg);
		/* Nothing of a rejected file is kept. */
		assert_int_equal(cfg.n, 0);
		assert_null(cfg.entries);
	}
}

static void too_many_addresses(void **state)
{
	char *text, *p;
	struct vg_config cfg;
	char err[512] = "";
	int i;

	(void)state;
	text = malloc(200 * 60);
	assert_non_null(text);
	p = text;
	for (i = 0; i <= VG_MAX_ADDRS; i++)
		p += sprintf(p, "%s 10.9.%d.%d\n", UUID_A, i / 200, i % 200 + 1);
	assert_int_not_equal(vg_config_parse("t.conf", text, &cfg, err, sizeof(err)), 0);
	{
		char want[32];

		snprintf(want, sizeof(want), "t.conf:%d:", VG_MAX_ADDRS + 1);
		assert_contains(err, want);
	}
	free(text);
}

static void load_file(void **state)
{
	static const char nul_text[] = UUID_A " 10.0.0.1\n" UUID_A " 10.0.0.2\0x\n";
	static const char one_line[] = UUID_A " 10.0.0.1\n";
	char path[] = "/tmp/vg-test-config-XXXXXX";
	struct vg_config cfg;
	char err[512] = "";
	int fd;

	(void)state;
	/* A host without a config file simply has no entries. */
	assert_int_equal(vg_config_load("/nonexistent/vifguard.conf", &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.n, 0);

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, nul_text, sizeof(nul_text) - 1), sizeof(nul_text) - 1);
	close(fd);
	assert_int_not_equal(vg_config_load(path, &cfg, err, sizeof(err)), 0);
	assert_contains(err, ":2: NUL byte");
	assert_int_equal(cfg.n, 0);

	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, one_line, sizeof(one_line) - 1), sizeof(one_line) - 1);
	close(fd);
	assert_int_equal(vg_config_load(path, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.n, 1);
	assert_string_equal(cfg.path, path);
	vg_config_free(&cfg);
	unlink(path);
}

/* Make a root-only directory holding a config file, for load_refused. */
static void write_text(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void expect_refused(const char *path, const char *msg)
{
	struct vg_config cfg;
	char err[1024] = "";
	int ret;

	ret = vg_config_load(path, &cfg, err, sizeof(err));
	if (ret >= 0)
		fail_msg("%s: expected refused (%s), got %d, %zu entries", path, msg,
			 ret, cfg.n);
	assert_int_equal(cfg.n, 0);
	assert_int_equal(cfg.error, ret);
	assert_string_equal(cfg.errmsg, err);
	assert_contains(err, path);
	assert_contains(err, msg);
}

/*
 * Only root may control the policy file: not owned by root, writable by
 * group or others, a symbolic link (dangling or not), a directory on the
 * way that others can write: refused, naming the path.  A file that does
 * not exist is no config, as before.
 */
static void load_refused(void **state)
{
	static const char text[] = UUID_A " 10.0.0.1\n";
	char dir[] = "/tmp/vg-test-cfgdir-XXXXXX";
	char file[128], link[128], dangling[128], sub[128], subfile[160], missing[128];
	struct vg_config cfg;
	char err[1024] = "";

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/vifguard.conf", dir);
	snprintf(link, sizeof(link), "%s/link.conf", dir);
	snprintf(dangling, sizeof(dangling), "%s/dangling.conf", dir);
	snprintf(sub, sizeof(sub), "%s/open", dir);
	snprintf(subfile, sizeof(subfile), "%s/vifguard.conf", sub);
	snprintf(missing, sizeof(missing), "%s/missing.conf", dir);

	write_text(file, text, 0644);
	assert_int_equal(vg_config_load(file, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.n, 1);
	assert_int_equal(cfg.error, 0);
	vg_config_free(&cfg);

	assert_int_equal(vg_config_load(missing, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.n, 0);
	assert_int_equal(cfg.error, 0);

	assert_int_equal(chmod(file, 0664), 0);
	expect_refused(file, "mode 0664; refused");
	assert_int_equal(chmod(file, 0646), 0);
	expect_refused(file, "mode 0646; refused");
	assert_int_equal(chmod(file, 0644), 0);
	assert_int_equal(chown(file, 65534, 0), 0);
	expect_refused(file, "owned by uid 65534");
	assert_int_equal(chown(file, 0, 0), 0);

	assert_int_equal(symlink(file, link), 0);
	expect_refused(link, "a symbolic link; refused");
	assert_int_equal(symlink("/nonexistent/vifguard.conf", dangling), 0);
	expect_refused(dangling, "a symbolic link; refused");

	assert_int_equal(mkdir(sub, 0755), 0);
	write_text(subfile, text, 0644);
	assert_int_equal(chmod(sub, 0777), 0);
	expect_refused(subfile, "directory");
	expect_refused(subfile, "mode 0777; refused");
	assert_int_equal(chmod(sub, 0755), 0);
	assert_int_equal(chown(sub, 65534, 0), 0);
	expect_refused(subfile, "owned by uid 65534");
	assert_int_equal(chown(sub, 0, 0), 0);
	assert_int_equal(vg_config_load(subfile, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.n, 1);
	vg_config_free(&cfg);

	/* Not a directory on the way, not a regular file. */
	snprintf(err, sizeof(err), "%s/x", file);
	expect_refused(err, "Not a directory");
	expect_refused(sub, "not a regular file");

	unlink(subfile);
	rmdir(sub);
	unlink(dangling);
	unlink(link);
	unlink(file);
	rmdir(dir);
}

/* The shipped example: valid as installed (all entries commented out),
 * and every commented entry valid once uncommented. */
static void example_file(void **state)
{
	struct vg_config cfg;
	char err[512] = "", line[512], *text;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(vg_config_load(VG_EXAMPLE_CONF, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.n, 0);
	f = fopen(VG_EXAMPLE_CONF, "r");
	assert_non_null(f);
	text = calloc(1, 65536);
	assert_non_null(text);
	while (fgets(line, sizeof(line), f))
		if (line[0] == '#' && (isxdigit((unsigned char)line[1]) ||
					!strncmp(line + 1, "host ", 5)))
			len += (size_t)snprintf(text + len, 65536 - len, "%s", line + 1);
	fclose(f);
	if (vg_config_parse("example", text, &cfg, err, sizeof(err)))
		fail_msg("uncommented example: %s", err);
	assert_int_equal(cfg.n, 5);
	/* Its host lines: every setting they show is taken. */
	assert_int_equal(cfg.host_mode, VG_MODE_AUDIT);
	assert_int_equal(cfg.n_protect, 3);
	assert_int_equal(cfg.host_learn, VG_F_LEARN_LL | VG_F_LEARN_DHCP);
	assert_int_equal(vg_config_dhcp_grace(&cfg), 120);
	assert_int_equal(vg_config_resume_window(&cfg), 30);
	assert_int_equal(cfg.host_window_line != 0, 1);
	assert_int_equal(vg_config_first_lease(&cfg), 86400);
	assert_int_equal(cfg.host_unlisted, VG_UNLISTED_LEARN);
	vg_config_free(&cfg);
	free(text);
}

struct findings {
	unsigned int n;
	char msg[16][512];
	bool warning[16];
};

static void collect(void *arg, const struct vg_config_finding *f)
{
	struct findings *fs = arg;

	assert_true(fs->n < N(fs->msg));
	snprintf(fs->msg[fs->n], sizeof(fs->msg[0]), "%s", f->msg);
	fs->warning[fs->n++] = f->warning;
}

/* check-config's check: every error of every line, in order, with
 * file:line; guard-rail addresses as warnings; the parser that hotplug
 * uses still stops at the first error. */
static void check_every_error(void **state)
{
	static const char text[] =
		"# comment\n"
		UUID_A " 10.0.0.5 300.1.1.1 frob\n"
		"00:16:3e:5a:01:02 192.168.10.20 0.0.0.0/0 ipv6=::1,fd00::1,zz\n"
		"nonsense 1.2.3.4 5.6.7.8/33\n"
		"00:16:3e:5a:01:02 mode=disabled\n"
		"00:16:3e:5a:01:02 mode=locked\n";
	static const struct {
		bool warning;
		const char *msg;
	} want[] = {
		{ false, ":2: '300.1.1.1': not an IPv4 address" },
		{ false, ":2: 'frob': unknown option" },
		{ true, ":3: warning: '0.0.0.0/0': all addresses" },
		{ true, ":3: warning: '::1': in the loopback address ::1" },
		{ false, ":3: 'zz': not an IPv6 address" },
		{ false, ":4: 'nonsense': expected a VIF UUID or a MAC address" },
		{ false, ":6: 'mode=locked': conflicts with the mode set on line 5" },
	};
	char path[] = "/tmp/vg-test-config-XXXXXX", err[512];
	struct vg_config_summary sum;
	struct findings fs = { 0 };
	unsigned int i, skip = getuid() ? 1 : 0;
	struct vg_config cfg;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), sizeof(text) - 1);
	fchmod(fd, 0644);
	close(fd);
	assert_int_equal(vg_config_check(path, collect, &fs, &sum), 5 + skip);
	/* Not root: the file is not root's, said first. */
	if (skip)
		assert_contains(fs.msg[0], "owned by uid");
	assert_int_equal(fs.n, N(want) + skip);
	for (i = 0; i < N(want); i++) {
		assert_int_equal(fs.warning[i + skip], want[i].warning);
		assert_contains(fs.msg[i + skip], path);
		assert_contains(fs.msg[i + skip], want[i].msg);
	}
	assert_int_equal(sum.errors, 5 + skip);
	assert_int_equal(sum.warnings, 2);
	assert_int_equal(sum.entries, 2);
	assert_int_equal(sum.by_mac, 1);
	assert_false(sum.missing);
	/* hotplug's parser: the first error only, nothing kept. */
	assert_int_equal(vg_config_parse(path, text, &cfg, err, sizeof(err)), -EINVAL);
	assert_contains(err, ":2: '300.1.1.1': not an IPv4 address");
	assert_int_equal(cfg.n, 0);
	unlink(path);

	fs.n = 0;
	assert_int_equal(vg_config_check(path, collect, &fs, &sum), 1);
	assert_true(sum.missing);
	assert_int_equal(fs.n, 1);
	assert_contains(fs.msg[0], "No such file or directory");
}

static void uuid_syntax(void **state)
{
	(void)state;
	assert_true(vg_uuid_valid(UUID_A));
	assert_true(vg_uuid_valid(UUID_B));
	assert_false(vg_uuid_valid(""));
	assert_false(vg_uuid_valid("9c1fbbd2-5a37-4c5e-8c2d-6f2f1a0b7e111"));
	assert_false(vg_uuid_valid("9c1fbbd2-5a37-4c5e-8c2d_6f2f1a0b7e11"));
	assert_false(vg_uuid_valid("9c1fbbd2-5a37-4c5e-8c2d-6f2f1a0b7e1g"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(original_format),
		cmocka_unit_test(rich_syntax),
		cmocka_unit_test(bad_lines),
		cmocka_unit_test(host_switch),
		cmocka_unit_test(host_learn_protect),
		cmocka_unit_test(host_learn_dhcp),
		cmocka_unit_test(too_many_addresses),
		cmocka_unit_test(load_file),
		cmocka_unit_test(load_refused),
		cmocka_unit_test(example_file),
		cmocka_unit_test(uuid_syntax),
		cmocka_unit_test(check_every_error),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("xen-config", tests, NULL, NULL);
}
