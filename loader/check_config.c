// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * check-config [FILE]: the config file checked offline, every finding
 * listed with file:line (config.c's vg_config_check), no xenstore and no
 * bpffs needed.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "cli.h"
#include "config.h"
#include "hotplug.h"
#include "hotplug_int.h"
#include "json.h"
#include "sanitize.h"

const char vg_help_check_config[] =
"Usage: vifguard check-config [FILE]\n"
"\n"
"Checks the config file (FILE, else $VIFGUARD_CONFIG, else\n"
VG_CONFIG_DEFAULT ") as hotplug reads it, and lists every finding,\n"
"one per line as FILE:LINE: 'WORD': what is wrong, in file order.\n"
"Errors: a bad key, word, address or option, a mode conflict, a file\n"
"that is not root's alone or cannot be read, each of which makes hotplug\n"
"refuse the whole file and fail closed every VIF it decides; and a\n"
"missing file, which hotplug reads as an empty one.  Warnings\n"
"(FILE:LINE: warning: ...): addresses hotplug applies as written that\n"
"attach refuses without --force (all addresses, loopback, ...).\n"
"Needs neither xenstore nor a bpf filesystem.  Exit status 1 when there\n"
"is an error, 0 otherwise (warnings included).\n";

struct check_args {
	const char *file;
};

static const struct vg_pos check_pos[] = {
	{ "FILE", offsetof(struct check_args, file), VG_POS_OPTIONAL },
	{ NULL, 0, 0 },
};

const struct vg_args vg_args_check_config = {
	.size = sizeof(struct check_args), .pos = check_pos,
};

static void finding(void *arg, const struct vg_config_finding *f)
{
	struct vg_out *out = arg;
	char buf[VG_ERRLEN * 2 + 512];

	if (!out->json) {
		printf("%s\n", vg_escape_text(buf, sizeof(buf), f->msg));
		return;
	}
	vg_json_object_start(&out->w);
	vg_json_kv_uint(&out->w, "line", f->line);
	vg_json_kv_string(&out->w, "severity", f->warning ? "warning" : "error");
	if (f->word)
		vg_json_kv_string(&out->w, "word", f->word);
	vg_json_kv_string(&out->w, "cause", f->cause);
	vg_json_kv_string(&out->w, "message", f->msg);
	vg_json_object_end(&out->w);
}

/* A protected address as the file may say it: IPv4 (held as
 * ::ffff:a.b.c.d) as a.b.c.d. */
static const char *protect_text(const struct in6_addr *a, char *buf, size_t len)
{
	if (IN6_IS_ADDR_V4MAPPED(a))
		inet_ntop(AF_INET, &a->s6_addr[12], buf, (socklen_t)len);
	else
		inet_ntop(AF_INET6, a, buf, (socklen_t)len);
	return buf;
}

int vg_cmd_check_config(struct vg_out *out, void *opts)
{
	const char *path = vg_config_path(((struct check_args *)opts)->file);
	struct vg_config_summary sum;
	char esc[512], a[INET6_ADDRSTRLEN];
	size_t i;
	int errors;

	if (out->json) {
		struct vg_json *j = vg_out_json(out);

		vg_json_object_start(j);
		vg_json_kv_string(j, "file", path);
		vg_json_name(j, "findings");
		vg_json_array_start(j);
	}
	errors = vg_config_check(path, finding, out, &sum);
	if (out->json) {
		vg_json_array_end(&out->w);
		vg_json_kv_uint(&out->w, "entries", sum.entries);
		vg_json_kv_uint(&out->w, "entries_by_mac", sum.by_mac);
		vg_json_kv_bool(&out->w, "host_audit", sum.host_mode == VG_MODE_AUDIT);
		vg_json_kv_bool(&out->w, "host_learn_link_local",
				!sum.host_learn_line || (sum.host_learn & VG_F_LEARN_LL));
		vg_json_kv_bool(&out->w, "host_learn_dhcp",
				sum.host_learn_line && (sum.host_learn & VG_F_LEARN_DHCP));
		vg_json_kv_bool(&out->w, "host_learn_first",
				sum.host_learn_line && (sum.host_learn & VG_F_LEARN_FIRST));
		vg_json_kv_uint(&out->w, "host_dhcp_grace_s", sum.host_grace);
		vg_json_kv_uint(&out->w, "host_resume_window_s", sum.host_window);
		vg_json_kv_uint(&out->w, "host_first_lease_s", sum.host_first);
		vg_json_kv_string(&out->w, "host_unlisted",
				  sum.host_unlisted == VG_UNLISTED_LEARN ? "learn" : "open");
		vg_json_kv_uint(&out->w, "host_protect_count", sum.n_protect);
		vg_json_name(&out->w, "host_protect");
		vg_json_array_start(&out->w);
		for (i = 0; i < sum.n_protect; i++)
			vg_json_string(&out->w, protect_text(&sum.protect[i], a, sizeof(a)));
		vg_json_array_end(&out->w);
		vg_json_kv_uint(&out->w, "error_count", sum.errors);
		vg_json_kv_uint(&out->w, "warning_count", sum.warnings);
		vg_json_kv_bool(&out->w, "valid", errors == 0);
		vg_json_kv_bool(&out->w, "missing", sum.missing);
		vg_json_object_end(&out->w);
	}
	if (sum.missing) {
		vg_out_err(out, VG_E_NOT_FOUND,
			   "%s: no such file (hotplug reads a missing file as an empty one: "
			   "no VIF gets a policy from it)", path);
		return EXIT_FAILURE;
	}
	if (errors) {
		vg_out_err(out, VG_E_CONFIG,
			   "%s: %d error%s, %u warning%s: hotplug refuses the file and "
			   "fails closed every VIF it decides", path, errors, errors == 1 ? "" : "s",
			   sum.warnings, sum.warnings == 1 ? "" : "s");
		return EXIT_FAILURE;
	}
	if (!out->json) {
		printf("%s: valid, %zu entr%s (%zu by VIF UUID, %zu by MAC), %u warning%s\n",
		       vg_escape_text(esc, sizeof(esc), path), sum.entries,
		       sum.entries == 1 ? "y" : "ies", sum.entries - sum.by_mac, sum.by_mac,
		       sum.warnings, sum.warnings == 1 ? "" : "s");
		if (sum.host_mode == VG_MODE_AUDIT)
			printf("host audit switch on (line %u): every VIF its sources lock is "
			       "applied in audit mode\n", sum.host_line);
		if (sum.host_learn_line && !(sum.host_learn & VG_F_LEARN_LL))
			printf("host link-local learning off (line %u): no VIF its sources "
			       "decide learns link-local addresses\n", sum.host_learn_line);
		if (sum.host_learn_line && (sum.host_learn & VG_F_LEARN_DHCP))
			printf("host DHCP learning on (line %u): every VIF its sources decide "
			       "and that may ask for a lease learns its leases' addresses\n",
			       sum.host_learn_line);
		if (sum.host_unlisted == VG_UNLISTED_LEARN)
			printf("unlisted VIFs locked by learning (line %u): a VIF no source "
			       "describes (xl without ip=, XAPI unlocked, no entry here) is "
			       "locked to its MAC, its DHCP client and the addresses it learns "
			       "by DHCP and DAD\n", sum.host_unlisted_line);
		if (sum.host_grace_line)
			printf("DHCP grace %u s (line %u): a learned lease stays allowed that "
			       "long past its end\n", sum.host_grace, sum.host_grace_line);
		if (sum.host_learn_line && (sum.host_learn & VG_F_LEARN_FIRST))
			printf("host trust on first use on (line %u): every VIF its sources "
			       "decide learns the first addresses it uses that no interface "
			       "holds\n", sum.host_learn_line);
		if (sum.host_window_line)
			printf("resume window %u s (line %u): %s\n", sum.host_window,
			       sum.host_window_line, sum.host_window ?
			       "a Xen VIF that learns by DHCP and had nothing parked here "
			       "learns its first addresses that long after attach" :
			       "off, a Xen VIF arriving from another host waits for its next "
			       "DHCP lease");
		if (sum.host_first_line)
			printf("first-use lease %u s (line %u): an address learned in a resume "
			       "window stays allowed that long%s\n", sum.host_first,
			       sum.host_first_line, sum.host_first ? "" : " (0: until the VIF goes)");
		if (sum.n_protect) {
			printf("%zu protected address%s (host protect=): no VIF learns %s:",
			       sum.n_protect, sum.n_protect == 1 ? "" : "es",
			       sum.n_protect == 1 ? "it" : "them");
			for (i = 0; i < sum.n_protect; i++)
				printf("%s %s", i ? "," : "",
				       protect_text(&sum.protect[i], a, sizeof(a)));
			putchar('\n');
		}
	}
	return EXIT_SUCCESS;
}
