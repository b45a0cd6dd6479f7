// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * attach's whole command line, as vg_attach_parse reads it before
 * vg_cmd_attach touches anything.  The input split on NUL bytes is
 * argv after "attach".
 *
 * This binary cannot reach the kernel: it is linked with commands.c but
 * without the state library, tc.c or libbpf, and stubs.c makes every
 * state entry point abort() (so reaching one would also be a crash).
 *
 * Contract: a command line that parses names a valid interface name and
 * a policy vg_spec_validate() accepts, with a known attach method; any
 * other is -EINVAL with a message; and parsing the same argv again gives
 * the same result, since getopt's state is reset by the parser (hotplug
 * and the CLI both run getopt before it).
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>

#include "cli.h"
#include "fuzz.h"

#define MAX_ARGS 256

static int parse(int argc, char **orig, struct vg_attach_args *a, char *err, size_t errlen)
{
	char *argv[MAX_ARGS + 2];

	/* getopt may permute argv: each call gets its own copy. */
	memcpy(argv, orig, sizeof(char *) * (size_t)(argc + 1));
	memset(a, FUZZ_ERR_FILL, sizeof(*a));
	fuzz_err_fill(err, errlen);
	return vg_attach_parse(argc, argv, a, err, errlen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *argv[MAX_ARGS + 2];
	char err[VG_ERRLEN + 64], err2[VG_ERRLEN + 64], verr[VG_ERRLEN];
	struct vg_attach_args a, a2;
	int argc, ret, ret2;

	argv[0] = "attach";
	argc = 1 + (int)fuzz_split(data, size, &buf, argv + 1, MAX_ARGS);
	argv[argc] = NULL;

	ret = parse(argc, argv, &a, err, sizeof(err));
	FUZZ_CHECK(ret == 0 || ret == -EINVAL, "vg_attach_parse returned %d", ret);
	/* Some other getopt user in between, as in the real CLI. */
	optind = 1;
	ret2 = parse(argc, argv, &a2, err2, sizeof(err2));
	FUZZ_CHECK(ret2 == ret, "vg_attach_parse: %d, then %d on the same argv", ret, ret2);
	if (ret) {
		/* The message quotes the argument, which may hold a newline. */
		fuzz_check_err("vg_attach_parse", err, sizeof(err), false);
		FUZZ_CHECK(!strcmp(err, err2), "vg_attach_parse: '%s', then '%s'", err, err2);
		free(buf);
		return 0;
	}
	FUZZ_CHECK(a.help == a2.help, "vg_attach_parse: help unstable");
	if (a.help) {
		free(buf);
		return 0;
	}
	FUZZ_CHECK(fuzz_spec_equal(&a.spec, &a2.spec) && a.opts.attach == a2.opts.attach,
		   "vg_attach_parse: another policy on the second parse");
	FUZZ_CHECK(a.spec.ifname[0] && strnlen(a.spec.ifname, IF_NAMESIZE) < IF_NAMESIZE,
		   "vg_attach_parse: interface name");
	FUZZ_CHECK(a.opts.attach == 0 || a.opts.attach == VG_ATTACH_CLS_BPF ||
			   a.opts.attach == VG_ATTACH_TCX,
		   "vg_attach_parse: attach method 0x%x", a.opts.attach);
	FUZZ_CHECK(vg_spec_validate(&a.spec, verr, sizeof(verr)) == 0,
		   "vg_attach_parse accepted a policy vg_spec_validate refuses: %s", verr);
	free(buf);
	return 0;
}
