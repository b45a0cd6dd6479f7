// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The command line without root and without touching any state: attach's
 * parser, the usage errors of every command (exit 2, one line naming the
 * argument), JSON errors under -j, help and version, and the checks that
 * come before any state is opened (unknown interface, a root that is not
 * a bpf filesystem, a root that does not exist).  Also the JSON writer,
 * and the run's output object (several errors in one JSON document).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "cli.h"
#include "unit.h"
#include "json.h"

#define MAC "02:00:00:00:05:00"

/* ---- attach's parser ------------------------------------------------------ */

static int parse(struct vg_attach_args *a, char *err, size_t errlen, ...)
{
	char *argv[160];
	int argc = 0;
	va_list ap;

	va_start(ap, errlen);
	argv[argc++] = "attach";
	while (argc < (int)N(argv) - 1 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	err[0] = '\0';
	return vg_attach_parse(argc, argv, a, err, errlen);
}

static void attach_full(void **state)
{
	struct vg_attach_args a;
	char err[VG_ERRLEN + 64], buf[INET6_ADDRSTRLEN];

	(void)state;
	assert_int_equal(parse(&a, err, sizeof(err), "vif5.0", "--mac", MAC,
			       "--mac", "02:00:00:00:05:01", "--ipv4", "10.99.0.5",
			       "--ipv4=10.99.5.0/24", "--ipv6", "fd00:99::5",
			       "--ipv6", "fd00:99:5::/64", "--no-dhcp", "--allow-dhcp-server",
			       "--allow-ra", "--no-link-local", "--allow-ethertype", "0x88cc",
			       "--mode", "locked", "--attach", "tcx", "--learn", "none", NULL), 0);
	assert_string_equal(a.spec.ifname, "vif5.0");
	assert_int_equal(a.spec.mode, VG_MODE_LOCKED);
	assert_int_equal(a.spec.n_macs, 2);
	assert_int_equal(a.spec.macs[1][5], 1);
	assert_int_equal(a.spec.n_v4, 2);
	inet_ntop(AF_INET, &a.spec.v4[1].addr, buf, sizeof(buf));
	assert_string_equal(buf, "10.99.5.0");
	assert_int_equal(a.spec.v4[1].len, 24);
	assert_int_equal(a.spec.n_v6, 2);
	assert_int_equal(a.spec.v6[1].len, 64);
	assert_int_equal(a.spec.flags, VG_F_DHCP_SERVER | VG_F_RA | VG_F_OPERATOR);
	assert_int_equal(a.spec.n_ethertypes, 1);
	assert_int_equal(a.spec.ethertypes[0], 0x88cc);
	assert_int_equal(a.opts.attach, VG_ATTACH_TCX);
	assert_false(a.help);
}

static void attach_forms(void **state)
{
	struct vg_attach_args a;
	char err[VG_ERRLEN + 64];

	(void)state;
	/* IFACE anywhere; defaults. */
	assert_int_equal(parse(&a, err, sizeof(err), "--mac", MAC, "tap7.0", NULL), 0);
	assert_string_equal(a.spec.ifname, "tap7.0");
	/* Marked as the operator's: the Xen entry points keep it. */
	assert_int_equal(a.spec.flags, VG_F_DHCP_CLIENT | VG_F_LINK_LOCAL | VG_F_LEARN_LL |
			 VG_F_OPERATOR);
	assert_int_equal(a.opts.attach, 0);
	assert_int_equal(parse(&a, err, sizeof(err), "--mac", MAC, "tap7.0", "--learn",
			       "link-local", NULL), 0);
	assert_int_equal(a.spec.flags & VG_F_LEARN_LL, VG_F_LEARN_LL);
	/* dhcp learns leases, and lets the guest's DHCP requests through. */
	assert_int_equal(parse(&a, err, sizeof(err), "--mac", MAC, "vif7.0", "--learn",
			       "dhcp", NULL), 0);
	assert_int_equal(a.spec.flags, VG_F_DHCP_CLIENT | VG_F_LINK_LOCAL | VG_F_LEARN_DHCP |
			 VG_F_OPERATOR);
	assert_int_equal(parse(&a, err, sizeof(err), "--mac", MAC, "vif7.0", "--learn",
			       "dhcp,link-local", NULL), 0);
	assert_int_equal(a.spec.flags & (VG_LEARN_FLAGS | VG_F_DHCP_CLIENT),
			 VG_F_LEARN_DHCP | VG_F_LEARN_LL | VG_F_DHCP_CLIENT);
	/* After "--" too. */
	assert_int_equal(parse(&a, err, sizeof(err), "--mac", MAC, "--", "vif7.0-emu", NULL), 0);
	assert_string_equal(a.spec.ifname, "vif7.0-emu");
	/* Disabled needs no MAC. */
	assert_int_equal(parse(&a, err, sizeof(err), "vif5.0", "--mode", "disabled", NULL), 0);
	assert_int_equal(a.spec.mode, VG_MODE_DISABLED);
	assert_int_equal(a.spec.n_macs, 0);
	assert_int_equal(parse(&a, err, sizeof(err), "vif5.0", "--mac", MAC, "--attach",
			       "cls_bpf", NULL), 0);
	assert_int_equal(a.opts.attach, VG_ATTACH_CLS_BPF);
	/* --help wins over a missing IFACE. */
	assert_int_equal(parse(&a, err, sizeof(err), "--help", NULL), 0);
	assert_true(a.help);
}

static void attach_bad(void **state)
{
	static const struct {
		const char *args[4];
		const char *msg;
	} cases[] = {
		{ { "--mac", MAC }, "attach: missing IFACE" },
		{ { "vif5.0" }, "attach: --mac is required (unless --mode disabled)" },
		{ { "vif5.0", "vif6.0", "--mac", MAC }, "attach: unexpected argument 'vif6.0'" },
		{ { "vif5.0", "--mac" }, "attach: --mac needs an argument" },
		{ { "vif5.0", "--mac", MAC, "--learn=dhcp6" },
		  "--learn dhcp6: 'dhcp6': unknown learning (expected link-local, dhcp, first or none)" },
		{ { "vif5.0", "--mac", MAC, "--learn=none,dhcp" },
		  "--learn none,dhcp: none excludes the other words" },
		{ { "vif5.0", "--no-dhcp", "--learn=dhcp", "--mac=" MAC },
		  "attach: --learn dhcp and --no-dhcp exclude each other" },
		{ { "vif5.0", "--learn=dhcp", "--no-dhcp", "--mac=" MAC },
		  "attach: --learn dhcp and --no-dhcp exclude each other" },
		{ { "vif5.0", "--mac", "02:00:00:00:05" },
		  "--mac 02:00:00:00:05: not a MAC address" },
		{ { "vif5.0", "--mac", "01:00:5e:00:00:01" },
		  "--mac 01:00:5e:00:00:01: a multicast or broadcast MAC address" },
		{ { "vif5.0", "--mac", MAC, "--ipv4=300.1.1.1" },
		  "--ipv4 300.1.1.1: not an IPv4 address" },
		{ { "vif5.0", "--mac", MAC, "--ipv4" }, "attach: --ipv4 needs an argument" },
		{ { "vif5.0", "--ipv4", "10.0.0.0/33", "--mac" },
		  "--ipv4 10.0.0.0/33: prefix length must be 0..32" },
		{ { "vif5.0", "--ipv4", "10.0.0.1/24" },
		  "--ipv4 10.0.0.1/24: host bits set (0.0.0.1); the network is 10.0.0.0/24" },
		{ { "vif5.0", "--ipv6", "fe80::zz" }, "--ipv6 fe80::zz: not an IPv6 address" },
		{ { "vif5.0", "--ipv6", "fd00::/129" },
		  "--ipv6 fd00::/129: prefix length must be 0..128" },
		{ { "vif5.0", "--mode", "paranoid" }, "--mode paranoid: unknown mode" },
		{ { "vif5.0", "--allow-ethertype", "0x0800" },
		  "--allow-ethertype 0x0800: IPv4 (0x0800) is always inspected" },
		{ { "vif5.0", "--allow-ethertype", "0xzz" },
		  "--allow-ethertype 0xzz: not an ethertype" },
		{ { "vif5.0", "--attach", "xdp" }, "--attach xdp: unknown method" },
		{ { "vif5.0", "--frobnicate" }, "attach: unknown option '--frobnicate'" },
		{ { "vif5.0", "-x" }, "attach: unknown option '-x'" },
		{ { "vif5.0", "--ipv4", "10.0.0.1", "--ipv4" }, "--ipv4 needs an argument" },
		{ { "0123456789abcdef", "--mac", MAC }, "0123456789abcdef: not an interface name" },
		{ { "", "--mac", MAC }, "not an interface name" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		struct vg_attach_args a;
		char err[VG_ERRLEN + 64];
		int ret = parse(&a, err, sizeof(err), cases[i].args[0], cases[i].args[1],
				cases[i].args[2], cases[i].args[3], NULL);

		if (ret != -EINVAL)
			fail_msg("case %zu: expected -EINVAL, got %d", i, ret);
		assert_contains(err, cases[i].msg);
	}
}

/* The guard rails (loader/guard.c): refused naming the argument as
 * typed, unless --force; what is never valid stays refused with --force. */
static void attach_guard(void **state)
{
	struct vg_attach_args a;
	char err[VG_ERRLEN + 64];

	(void)state;
	assert_int_equal(parse(&a, err, sizeof(err), "vif5.0", "--mac", MAC, "--ipv4",
			       "10.0.0.5", "--ipv4", "127.0.0.1", NULL), -EINVAL);
	assert_string_equal(err, "--ipv4 127.0.0.1: in loopback (127.0.0.0/8), which never "
			    "leaves a host; refused (--force allows it)");
	assert_int_equal(parse(&a, err, sizeof(err), "vif5.0", "--mac", MAC, "--ipv6", "::/0",
			       NULL), -EINVAL);
	assert_string_equal(err, "--ipv6 ::/0: all addresses: the guest could use any source; "
			    "refused (--force allows it)");
	assert_int_equal(parse(&a, err, sizeof(err), "vif5.0", "--mac", MAC, "--ipv4",
			       "0.0.0.0/0", "--ipv6", "::/0", "--force", NULL), 0);
	assert_true(a.force);
	assert_int_equal(a.spec.n_v4, 1);
	assert_int_equal(a.spec.n_v6, 1);
	assert_int_equal(parse(&a, err, sizeof(err), "vif5.0", "--force", "--mac",
			       "ff:ff:ff:ff:ff:ff", NULL), -EINVAL);
	assert_contains(err, "a multicast or broadcast MAC address is never a valid source");
	assert_int_equal(parse(&a, err, sizeof(err), "vif5.0", "--force", "--mac",
			       "00:00:00:00:00:00", NULL), -EINVAL);
	assert_contains(err, "00:00:00:00:00:00 is not a valid source");
	assert_int_equal(parse(&a, err, sizeof(err), "vif5.0", "--force", "--mac", MAC,
			       "--ipv4", "224.0.0.1", NULL), -EINVAL);
	assert_contains(err, "a multicast address is never a valid source");
	assert_int_equal(parse(&a, err, sizeof(err), "vif5.0", "--mac", MAC, "--ipv4",
			       "10.0.0.0/8", "--ipv6", "2001:db8::/32", NULL), 0);
	assert_false(a.force);
}

static void attach_duplicates_and_limits(void **state)
{
	struct vg_attach_args a;
	char err[VG_ERRLEN + 64], *argv[200], addr[VG_MAX_ADDRS + 2][20];
	int argc = 0, i;

	(void)state;
	assert_int_equal(parse(&a, err, sizeof(err), "vif5.0", "--mac", MAC, "--mac", MAC,
			       NULL), -EINVAL);
	assert_contains(err, "--mac " MAC ": MAC address listed twice");
	assert_int_equal(parse(&a, err, sizeof(err), "vif5.0", "--mac", MAC, "--ipv4",
			       "10.0.0.1", "--ipv4", "10.0.0.1/32", NULL), -EINVAL);
	assert_contains(err, "--ipv4 10.0.0.1/32: address listed twice");
	assert_int_equal(parse(&a, err, sizeof(err), "vif5.0", "--mode", "disabled",
			       "--mode", "locked", NULL), -EINVAL);
	assert_contains(err, "--mode locked: given twice");

	argv[argc++] = "attach";
	argv[argc++] = "vif5.0";
	argv[argc++] = "--mac";
	argv[argc++] = MAC;
	for (i = 0; i < VG_MAX_ADDRS + 1; i++) {
		snprintf(addr[i], sizeof(addr[i]), "10.5.0.%d", i + 1);
		argv[argc++] = "--ipv4";
		argv[argc++] = addr[i];
	}
	argv[argc] = NULL;
	assert_int_equal(vg_attach_parse(argc, argv, &a, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "--ipv4 10.5.0.65: more than 64 IPv4 addresses");
	/* Exactly the limit is fine. */
	argc -= 2;
	argv[argc] = NULL;
	assert_int_equal(vg_attach_parse(argc, argv, &a, err, sizeof(err)), 0);
	assert_int_equal(a.spec.n_v4, VG_MAX_ADDRS);
}

/* ---- whole command lines ------------------------------------------------------ */

struct run {
	int rc;
	char out[8192];
	char err[8192];
	/* out with the envelope of each JSON document taken off: what the
	 * command said, whatever the time. */
	char body[8192];
};

static void slurp(FILE *f, char *buf, size_t len)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* stdout and stderr into files until capture_end(). */
struct capture {
	FILE *fo, *fe;
	int so, se;
};

static void capture_start(struct capture *c)
{
	c->fo = tmpfile();
	c->fe = tmpfile();
	assert_non_null(c->fo);
	assert_non_null(c->fe);
	fflush(stdout);
	fflush(stderr);
	c->so = dup(1);
	c->se = dup(2);
	dup2(fileno(c->fo), 1);
	dup2(fileno(c->fe), 2);
}

static void capture_end(struct capture *c, struct run *r)
{
	fflush(stdout);
	fflush(stderr);
	dup2(c->so, 1);
	dup2(c->se, 2);
	close(c->so);
	close(c->se);
	slurp(c->fo, r->out, sizeof(r->out));
	slurp(c->fe, r->err, sizeof(r->err));
}

/* The length of an envelope at the start of line (cli_out.h), 0 when it
 * has none: {"root":"R","version":"V","time":"YYYY-MM-DDTHH:MM:SS.mmmZ" */
static size_t envelope_len(const char *line)
{
	static const char tmpl[] = "dddd-dd-ddTdd:dd:dd.dddZ";
	const char *p = line, *q;
	size_t i;

	if (strncmp(p, "{\"root\":\"", 9))
		return 0;
	q = strstr(p + 9, "\",\"version\":\"");
	if (!q)
		return 0;
	q = strstr(q + 13, "\",\"time\":\"");
	if (!q || memchr(p, '\n', (size_t)(q - p)))
		return 0;
	q += 10;
	for (i = 0; tmpl[i]; i++)
		if (tmpl[i] == 'd' ? q[i] < '0' || q[i] > '9' : q[i] != tmpl[i])
			return 0;
	if (q[i] != '"')
		return 0;
	return (size_t)(q + i + 1 - p);
}

static void strip_envelopes(const char *in, char *out, size_t len)
{
	size_t o = 0, e;

	while (*in && o + 1 < len) {
		e = envelope_len(in);
		if (e) {
			out[o++] = '{';
			in += e;
			if (*in == ',')
				in++;
		}
		while (*in && o + 1 < len) {
			out[o++] = *in;
			if (*in++ == '\n')
				break;
		}
	}
	out[o] = '\0';
}

/* vg_main() in this process, stdout and stderr captured. */
static void run(struct run *r, ...)
{
	struct capture c;
	char *argv[32];
	int argc = 0;
	va_list ap;

	va_start(ap, r);
	argv[argc++] = "vifguard";
	while (argc < (int)N(argv) - 1 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;

	capture_start(&c);
	r->rc = vg_main(argc, argv);
	capture_end(&c, r);
	strip_envelopes(r->out, r->body, sizeof(r->body));
}

static int lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Exit status, one line on stderr containing msg, nothing on stdout. */
static void expect_error(const struct run *r, int rc, const char *msg)
{
	if (r->rc != rc)
		fail_msg("expected exit %d, got %d (stderr: %s)", rc, r->rc, r->err);
	assert_contains(r->err, msg);
	if (lines(r->err) != 1)
		fail_msg("expected one line on stderr, got: %s", r->err);
	assert_string_equal(r->out, "");
	assert_true(!strncmp(r->err, "vifguard: ", 10));
}

static void usage_errors(void **state)
{
	struct run r;

	(void)state;
	run(&r, "frobnicate", "vif5.0", NULL);
	expect_error(&r, EXIT_USAGE, "unknown command 'frobnicate'");
	run(&r, "--frobnicate", NULL);
	expect_error(&r, EXIT_USAGE, "unknown option '--frobnicate'");
	run(&r, "-r", NULL);
	expect_error(&r, EXIT_USAGE, "-r needs an argument");
	run(&r, "attach", "vif5.0", "--mac", MAC, "--ipv4", "300.1.1.1", NULL);
	expect_error(&r, EXIT_USAGE, "--ipv4 300.1.1.1: not an IPv4 address");
	run(&r, "attach", "vif5.0", "--mac", MAC, "--ipv4", "10.0.0.0/33", NULL);
	expect_error(&r, EXIT_USAGE, "--ipv4 10.0.0.0/33: prefix length must be 0..32");
	run(&r, "attach", "vif5.0", "--mac", MAC, "--ipv6", "fe80::zz", NULL);
	expect_error(&r, EXIT_USAGE, "--ipv6 fe80::zz: not an IPv6 address");
	run(&r, "attach", "vif5.0", "--mac", "zz", NULL);
	expect_error(&r, EXIT_USAGE, "--mac zz: not a MAC address");
	run(&r, "detach", NULL);
	expect_error(&r, EXIT_USAGE, "detach: missing IFACE");
	run(&r, "detach", "vif5.0", "vif6.0", NULL);
	expect_error(&r, EXIT_USAGE, "detach: unexpected argument 'vif6.0'");
	run(&r, "detach", "--force", "vif5.0", NULL);
	expect_error(&r, EXIT_USAGE, "detach: unknown option '--force'");
	run(&r, "show", "a", "b", NULL);
	expect_error(&r, EXIT_USAGE, "show: unexpected argument 'b'");
	run(&r, "stats", "-x", NULL);
	expect_error(&r, EXIT_USAGE, "stats: unknown option '-x'");
	run(&r, "gc", "vif5.0", NULL);
	expect_error(&r, EXIT_USAGE, "gc: unexpected argument 'vif5.0'");
	run(&r, "help", "frobnicate", NULL);
	expect_error(&r, EXIT_USAGE, "help: unknown command 'frobnicate'");
	/* release: checked before xenstore or any state is opened. */
	run(&r, "release", NULL);
	expect_error(&r, EXIT_USAGE, "release: missing IFACE");
	run(&r, "release", "vif5.0", "vif6.0", NULL);
	expect_error(&r, EXIT_USAGE, "release: unexpected argument 'vif6.0'");
	run(&r, "release", "--force", "vif5.0", NULL);
	expect_error(&r, EXIT_USAGE, "release: unknown option '--force'");
	run(&r, "release", "vif5.0", "-c", NULL);
	expect_error(&r, EXIT_USAGE, "release: -c needs an argument");
	run(&r, "release", "--detach", "vif5.0.0123456789", NULL);
	expect_error(&r, EXIT_USAGE, "not an interface name");
	run(&r, "release", "-n", "--detach", "--", "nosuch0", NULL);
	expect_error(&r, EXIT_FAILURE, "nosuch0: cannot release: No such device");
	run(&r, NULL);
	assert_int_equal(r.rc, EXIT_USAGE);
	assert_contains(r.err, "Usage: vifguard");
}

static void json_errors(void **state)
{
	struct run r;

	(void)state;
	run(&r, "-j", "attach", "vif5.0", "--mac", "zz:zz", NULL);
	assert_int_equal(r.rc, EXIT_USAGE);
	assert_string_equal(r.body, "{\"error\":{\"code\":\"usage\",\"message\":\"--mac zz:zz: "
			    "not a MAC address (expected xx:xx:xx:xx:xx:xx)\"}}\n");
	assert_string_equal(r.err, "");
	run(&r, "--json", "frob\"nicate", NULL);
	assert_int_equal(r.rc, EXIT_USAGE);
	assert_string_equal(r.body, "{\"error\":{\"code\":\"usage\",\"message\":\"unknown "
			    "command 'frob\\\"nicate' (vifguard help lists them)\"}}\n");
	run(&r, "-j", NULL);
	assert_int_equal(r.rc, EXIT_USAGE);
	assert_contains(r.body, "{\"error\":{\"code\":\"usage\",\"message\":\"no command");
}

/* Every command of the table, and the global options, answer a bad
 * option under -j with one JSON error on stdout and exit 2. */
static void json_bad_option_every_command(void **state)
{
	static const char *const bad[] = { "--bogus", "-x" };
	const struct vg_cmd *c;
	char want[256];
	struct run r;
	size_t i;
	int n = 0;

	(void)state;
	for (c = vg_cmds; c->name; c++, n++) {
		for (i = 0; i < N(bad); i++) {
			run(&r, "-j", c->name, bad[i], NULL);
			if (r.rc != EXIT_USAGE)
				fail_msg("%s %s: expected exit 2, got %d (%s)", c->name, bad[i],
					 r.rc, r.out);
			if (bad[i][1] == '-')
				snprintf(want, sizeof(want),
					 "{\"error\":{\"code\":\"usage\",\"message\":"
					 "\"%s: unknown option '%s'\"}}\n", c->name, bad[i]);
			else
				snprintf(want, sizeof(want),
					 "{\"error\":{\"code\":\"usage\",\"message\":"
					 "\"%s: unknown option '-%c'\"}}\n", c->name, bad[i][1]);
			assert_string_equal(r.body, want);
			assert_string_equal(r.err, "");
		}
	}
	/* attach, set, detach, show, stats, metrics, gc, dump, monitor, upgrade,
	 * hotplug, setup-vif-rules, sync, release, check-config, help. */
	assert_int_equal(n, 16);
	run(&r, "-j", "--bogus", "show", NULL);
	assert_int_equal(r.rc, EXIT_USAGE);
	assert_string_equal(r.body, "{\"error\":{\"code\":\"usage\",\"message\":"
			    "\"unknown option '--bogus'\"}}\n");
	/* An option's missing value, and a value of the wrong kind. */
	run(&r, "-j", "sync", "--config", NULL);
	assert_int_equal(r.rc, EXIT_USAGE);
	assert_string_equal(r.body, "{\"error\":{\"code\":\"usage\",\"message\":"
			    "\"sync: --config needs an argument\"}}\n");
	run(&r, "-j", "attach", "vif5.0", "--mac", MAC, "--mode", "open", NULL);
	assert_int_equal(r.rc, EXIT_USAGE);
	assert_contains(r.body, "{\"error\":{\"code\":\"usage\",\"message\":\"--mode open: ");
	/* The same in text: one line on stderr. */
	run(&r, "sync", "--bogus", NULL);
	expect_error(&r, EXIT_USAGE, "sync: unknown option '--bogus'");
	run(&r, "hotplug", "online", "-c", NULL);
	expect_error(&r, EXIT_USAGE, "hotplug: -c needs an argument");
	run(&r, "setup-vif-rules", "x", "vif5.0", NULL);
	expect_error(&r, EXIT_USAGE,
		     "setup-vif-rules: expected XENOPSD-BACKEND DEV VM-UUID DEVID filter|clear");
	run(&r, "help", "sync", "gc", NULL);
	expect_error(&r, EXIT_USAGE, "help: unexpected argument 'gc'");
}

/* Several errors of one run under -j: one document, the first in
 * "error", all of them in "errors"; in text one line each. */
/* set's steps are checked whole before anything is opened: usage
 * errors (exit 2) that name the step. */
static void set_usage(void **state)
{
	static const struct {
		const char *a, *b, *c, *want;
	} cases[] = {
		{ NULL, NULL, NULL, "set: nothing to change" },
		{ "add", "ipv4", NULL, "set: 'add ipv4': incomplete step" },
		{ "add", "ipv5", "10.0.0.1", "set: 'add ipv5': unknown KIND" },
		{ "mode", "open", NULL, "set: 'mode open': unknown mode" },
	};
	struct run r;
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		run(&r, "set", "vif5.0", cases[i].a, cases[i].b, cases[i].c, NULL);
		assert_int_equal(r.rc, EXIT_USAGE);
		assert_contains(r.err, cases[i].want);
	}
	run(&r, "set", NULL);
	assert_int_equal(r.rc, EXIT_USAGE);
	assert_contains(r.err, "set: missing IFACE");
	run(&r, "-j", "attach", "vif5.0", "--dry-run", NULL);
	assert_int_equal(r.rc, EXIT_USAGE);
	assert_contains(r.out, "--mac is required");
}

static void json_several_errors(void **state)
{
	struct capture c;
	struct vg_out o;
	struct run r;

	(void)state;
	capture_start(&c);
	vg_out_init(&o, true);
	o.root = "/r";
	vg_out_err(&o, VG_E_NOT_FOUND, "vif5.0: first \"one\"");
	vg_out_err(&o, VG_E_BUSY, "vif5.0: second");
	vg_out_finish(&o);
	vg_out_init(&o, false);
	vg_out_err(&o, VG_E_NOT_FOUND, "vif5.0: first");
	vg_out_err(&o, VG_E_BUSY, "vif5.0: second");
	vg_out_finish(&o);
	capture_end(&c, &r);
	strip_envelopes(r.out, r.body, sizeof(r.body));
	assert_true(!strncmp(r.out, "{\"root\":\"/r\",\"version\":\"", 24));
	assert_string_equal(r.body, "{\"error\":{\"code\":\"not_found\",\"message\":"
			    "\"vif5.0: first \\\"one\\\"\"},\"errors\":["
			    "{\"code\":\"not_found\",\"message\":\"vif5.0: first \\\"one\\\"\"},"
			    "{\"code\":\"busy\",\"message\":\"vif5.0: second\"}]}\n");
	assert_string_equal(r.err, "vifguard: vif5.0: first\nvifguard: vif5.0: second\n");
}

static void help_and_version(void **state)
{
	const struct vg_cmd *c;
	char want[64];
	struct run r;

	(void)state;
	run(&r, "--version", NULL);
	assert_int_equal(r.rc, 0);
	assert_contains(r.out, "vifguard ");
	assert_contains(r.out, "(libbpf 1.");
	assert_contains(r.out, "\nmap layout " VG_STR(VG_MAP_LAYOUT) "\nkernel ");
	assert_contains(r.out, ": cls_bpf ");
	run(&r, "-j", "-V", NULL);
	assert_int_equal(r.rc, 0);
	snprintf(want, sizeof(want), "\"version\":\"%s\",", vg_version);
	assert_contains(r.out, want);
	assert_contains(r.body, "{\"libbpf\":\"1.");
	assert_contains(r.out, "\"map_layout\":" VG_STR(VG_MAP_LAYOUT) ",");
	assert_contains(r.out, "\"features\":{\"cls_bpf\":");
	run(&r, "help", NULL);
	assert_int_equal(r.rc, 0);
	/* Every command of the table is listed, and has its own help. */
	for (c = vg_cmds; c->name; c++) {
		snprintf(want, sizeof(want), "\n  %s ", c->name);
		assert_contains(r.out, want);
		assert_non_null(c->help);
		assert_true(strlen(c->summary) > 0);
	}
	run(&r, "help", "attach", NULL);
	assert_int_equal(r.rc, 0);
	assert_contains(r.out, "Usage: vifguard attach IFACE --mac MAC");
	run(&r, "attach", "--help", NULL);
	assert_int_equal(r.rc, 0);
	assert_contains(r.out, "Usage: vifguard attach IFACE");
	run(&r, "detach", "-h", NULL);
	assert_int_equal(r.rc, 0);
	assert_contains(r.out, "Usage: vifguard detach IFACE");
	run(&r, "release", "vif5.0", "--help", NULL);
	assert_int_equal(r.rc, 0);
	assert_contains(r.out, "Usage: vifguard release [-c FILE] [-n|--dry-run] [--detach] IFACE");
	run(&r, "help", "sync", NULL);
	assert_int_equal(r.rc, 0);
	assert_contains(r.out, "set with `vifguard attach` belongs to the operator");
	assert_null(vg_cmd_find("frobnicate"));
	assert_non_null(vg_cmd_find("gc"));
}

/* -j help: every command of the table with every option it declares, by
 * name; -j help NAME adds its help text. */
static void help_json(void **state)
{
	const struct vg_cmd *c;
	const struct vg_opt *o;
	char want[128];
	struct run r;

	(void)state;
	run(&r, "-j", "help", NULL);
	assert_int_equal(r.rc, 0);
	assert_contains(r.body, "{\"commands\":[{\"name\":\"attach\",");
	assert_contains(r.out, "\"global_options\":[{\"name\":\"json\",\"short\":\"j\",");
	for (c = vg_cmds; c->name; c++) {
		const char *at;

		snprintf(want, sizeof(want), "{\"name\":\"%s\",\"summary\":", c->name);
		at = strstr(r.out, want);
		if (!at)
			fail_msg("-j help: no %s", want);
		for (o = c->args->opts; o && o->name; o++) {
			snprintf(want, sizeof(want), "{\"name\":\"%s\",\"short\":", o->name);
			if (!strstr(at, want))
				fail_msg("-j help: %s: no option %s", c->name, o->name);
		}
	}
	run(&r, "-j", "help", "release", NULL);
	assert_int_equal(r.rc, 0);
	assert_contains(r.body, "{\"name\":\"release\",");
	assert_contains(r.out, "{\"name\":\"dry-run\",\"short\":\"n\",\"arg\":null,");
	assert_contains(r.out, "\"positions\":[{\"name\":\"IFACE\",\"optional\":false}],");
	assert_contains(r.out, "\"help\":\"Usage: vifguard release [-c FILE]");
	/* CMD --help under -j is -j help CMD. */
	run(&r, "-j", "release", "--help", NULL);
	assert_int_equal(r.rc, 0);
	assert_contains(r.body, "{\"name\":\"release\",\"summary\":");
	assert_contains(r.out, "\"help\":\"Usage: vifguard release [-c FILE]");
	run(&r, "-j", "help", "frobnicate", NULL);
	assert_int_equal(r.rc, EXIT_USAGE);
	assert_string_equal(r.body, "{\"error\":{\"code\":\"usage\",\"message\":\"help: "
			    "unknown command 'frobnicate' (vifguard help lists them)\"}}\n");
}

/* Checks that need no root and leave no trace: they fail before any
 * state is opened, or find the root empty. */
static void before_state(void **state)
{
	char dir[] = "/tmp/vg-unit-XXXXXX", absent[64];
	struct run r;

	(void)state;
	assert_non_null(mkdtemp(dir));
	run(&r, "-r", dir, "attach", "nosuch0", "--mac", MAC, NULL);
	expect_error(&r, EXIT_FAILURE, "nosuch0: cannot attach: No such device");
	/* A directory that is not on bpffs is refused, and named. */
	run(&r, "-r", dir, "show", NULL);
	expect_error(&r, EXIT_FAILURE, "not on a bpf filesystem");
	assert_contains(r.err, dir);
	/* An absent root holds nothing: read commands say so, detach and
	 * gc have nothing to do, and none of them creates it. */
	snprintf(absent, sizeof(absent), "%s/absent", dir);
	run(&r, "-r", absent, "show", NULL);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out, "no interfaces attached\n");
	run(&r, "-r", absent, "-j", "stats", NULL);
	assert_int_equal(r.rc, 0);
	assert_contains(r.out, "\"interfaces\":[]");
	/* The envelope names the root of the run, then the document goes on
	 * where stats' own members begin. */
	assert_true(!strncmp(r.out, "{\"root\":\"", 9));
	assert_true(!strncmp(r.out + 9, absent, strlen(absent)));
	assert_true(!strncmp(r.body, "{\"monotonic_ns\":", 16));
	run(&r, "-r", absent, "detach", "nosuch0", NULL);
	assert_int_equal(r.rc, 0);
	assert_contains(r.out, "nosuch0: nothing to detach");
	run(&r, "-r", absent, "gc", NULL);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out, "gc: nothing to remove\n");
	assert_int_equal(access(absent, F_OK), -1);
	/* The environment names the root when -r does not. */
	setenv("VIFGUARD_ROOT", dir, 1);
	vg_root_opt = NULL;
	assert_string_equal(vg_root(), dir);
	run(&r, "show", NULL);
	expect_error(&r, EXIT_FAILURE, "not on a bpf filesystem");
	run(&r, "-r", absent, "show", NULL);
	assert_int_equal(r.rc, 0);
	unsetenv("VIFGUARD_ROOT");
	vg_root_opt = NULL;
	assert_string_equal(vg_root(), VG_ROOT_DEFAULT);
	rmdir(dir);
}

/* ---- JSON writer ------------------------------------------------------------------ */

static void json_writer(void **state)
{
	struct vg_json j;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	vg_json_init(&j, f);
	vg_json_object_start(&j);
	vg_json_kv_string(&j, "s", "a\"b\\c\n\t\x01\x7f/é");
	vg_json_kv_uint(&j, "u", 18446744073709551615ULL);
	vg_json_name(&j, "i");
	vg_json_int(&j, -5);
	vg_json_kv_bool(&j, "b", false);
	vg_json_name(&j, "n");
	vg_json_null(&j);
	vg_json_name(&j, "a");
	vg_json_array_start(&j);
	vg_json_array_end(&j);
	vg_json_name(&j, "nest");
	vg_json_array_start(&j);
	vg_json_object_start(&j);
	vg_json_kv_uint(&j, "x", 1);
	vg_json_object_end(&j);
	vg_json_object_start(&j);
	vg_json_object_end(&j);
	vg_json_string(&j, "");
	vg_json_array_end(&j);
	vg_json_object_end(&j);
	fclose(f);
	assert_string_equal(buf,
		"{\"s\":\"a\\\"b\\\\c\\n\\t\\u0001\\u007f/é\",\"u\":18446744073709551615,"
		"\"i\":-5,\"b\":false,\"n\":null,\"a\":[],\"nest\":[{\"x\":1},{},\"\"]}\n");
	free(buf);
}

static void reason_names(void **state)
{
	int r, s;

	(void)state;
	assert_string_equal(vg_reason_name(VG_PASS), "pass");
	assert_string_equal(vg_reason_name(VG_IPV4_SRC), "ipv4-src");
	for (r = 0; r < VG_REASON_MAX; r++) {
		assert_non_null(vg_reason_name(r));
		for (s = 0; s < r; s++)
			if (!strcmp(vg_reason_name(r), vg_reason_name(s)))
				fail_msg("reason name \"%s\" used twice", vg_reason_name(r));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(attach_full),
		cmocka_unit_test(attach_forms),
		cmocka_unit_test(attach_bad),
		cmocka_unit_test(attach_duplicates_and_limits),
		cmocka_unit_test(attach_guard),
		cmocka_unit_test(usage_errors),
		cmocka_unit_test(json_errors),
		cmocka_unit_test(json_bad_option_every_command),
		cmocka_unit_test(json_several_errors),
		cmocka_unit_test(set_usage),
		cmocka_unit_test(help_and_version),
		cmocka_unit_test(help_json),
		cmocka_unit_test(before_state),
		cmocka_unit_test(json_writer),
		cmocka_unit_test(reason_names),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
