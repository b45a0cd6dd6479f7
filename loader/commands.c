// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The core commands: attach, detach, show, stats, gc.  Each checks its
 * whole command line before it touches anything, so bad input changes
 * nothing.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "cli.h"
#include "json.h"
#include "sanitize.h"
#include "tc.h"

const char vg_help_attach[] =
"Usage: vifguard attach IFACE --mac MAC [--mac MAC]... [--ipv4 ADDR[/LEN]]...\n"
"           [--ipv6 ADDR[/LEN]]... [--mode locked|disabled] [--no-dhcp]\n"
"           [--allow-dhcp-server] [--allow-ra] [--no-link-local]\n"
"           [--allow-ethertype 0xNNNN]... [--attach cls_bpf|tcx]\n"
"\n"
"Attaches the filter to IFACE with this policy, or updates the policy of\n"
"an attached interface in place (never detaching it).  The policy replaces\n"
"the previous one whole, and is the operator's: on a Xen guest interface,\n"
"hotplug, setup-vif-rules and sync leave it in force, whatever the\n"
"interface's sources say, until `vifguard release IFACE` hands it back to\n"
"them (vifguard help release).\n"
"\n"
"  --mac MAC            allowed source MAC (at most 4); required unless\n"
"                       --mode disabled\n"
"  --ipv4 ADDR[/LEN]    allowed IPv4 source, host or prefix (at most 64)\n"
"  --ipv6 ADDR[/LEN]    allowed IPv6 source, host or prefix (at most 64)\n"
"  --mode MODE          locked (default): every check; disabled: drop all\n"
"  --no-dhcp            no DHCP client exception (0.0.0.0:68 -> 67)\n"
"  --allow-dhcp-server  may send DHCPv4 and DHCPv6 server messages (UDP to\n"
"                       68 and 546) and relay other clients' requests\n"
"  --allow-ra           may act as a router: Router Advertisements,\n"
"                       Redirects, IGMP and MLD queries\n"
"  --no-link-local      no EUI-64 link-local address derived from each MAC\n"
"  --allow-ethertype T  one more ethertype let through (0x0600..0xffff, not\n"
"                       IPv4, ARP or IPv6; at most 4); 0x8100 / 0x88a8:\n"
"                       tagged frames, the frame inside checked\n"
"  --attach METHOD      cls_bpf (default; clsact ingress) or tcx (Linux >= 6.6)\n";

const char vg_help_detach[] =
"Usage: vifguard detach IFACE\n"
"\n"
"Removes the filter from IFACE and every map entry of it, and nothing else:\n"
"the clsact qdisc goes only if vifguard created it and it is empty.  An\n"
"interface that no longer exists loses the entries recorded under its\n"
"name.  Nothing to remove is not an error.\n";

const char vg_help_show[] =
"Usage: vifguard show [IFACE]\n"
"\n"
"Policies (mode, MACs, addresses, flags, ethertypes), who set them\n"
"(vifguard attach, or the Xen sources through hotplug, setup-vif-rules or\n"
"sync) and attach state of every interface, or of IFACE.\n";

const char vg_help_stats[] =
"Usage: vifguard stats [IFACE]\n"
"\n"
"Frames passed and dropped per reason, per interface.  Without IFACE also\n"
"frames seen on interfaces that carry the program but have no policy\n"
"(orphans), and the host's drops per reason since the maps were created\n"
"(totals), which keep the drops of interfaces detached since.\n";

const char vg_help_gc[] =
"Usage: vifguard gc\n"
"\n"
"Removes the entries of interfaces that no longer exist (or whose index\n"
"now names another interface), stale entries left by interrupted runs,\n"
"and tcx links of vanished devices.  Puts the filter back on a present\n"
"interface whose policy is in force but whose filter went (removed with\n"
"tc, or a run killed between its commit and its attach).\n";

/* ---- argument parsing ------------------------------------------------------ */

/*
 * getopt_long in "return in order" mode ('-'): positional words come
 * back as option 1, so IFACE may stand anywhere, whatever POSIXLY_CORRECT
 * says.  optind = 0 re-initialises getopt after the global options.
 */
#define CMD_OPTSTRING "-:h"

static int bad_option(const char *cmd, int o, char **argv, char *err, size_t errlen)
{
	if (o == ':')
		snprintf(err, errlen, "%s: %s needs an argument", cmd, argv[optind - 1]);
	else if (optopt)
		snprintf(err, errlen, "%s: unknown option '-%c'", cmd, optopt);
	else
		snprintf(err, errlen, "%s: unknown option '%s'", cmd, argv[optind - 1]);
	return -EINVAL;
}

enum {
	OPT_MAC = 256,
	OPT_IPV4,
	OPT_IPV6,
	OPT_MODE,
	OPT_NO_DHCP,
	OPT_DHCP_SERVER,
	OPT_RA,
	OPT_NO_LL,
	OPT_ETHERTYPE,
	OPT_ATTACH,
};

int vg_attach_parse(int argc, char **argv, struct vg_attach_args *a, char *err, size_t errlen)
{
	static const struct option opts[] = {
		{ "mac", required_argument, NULL, OPT_MAC },
		{ "ipv4", required_argument, NULL, OPT_IPV4 },
		{ "ipv6", required_argument, NULL, OPT_IPV6 },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "no-dhcp", no_argument, NULL, OPT_NO_DHCP },
		{ "allow-dhcp-server", no_argument, NULL, OPT_DHCP_SERVER },
		{ "allow-ra", no_argument, NULL, OPT_RA },
		{ "no-link-local", no_argument, NULL, OPT_NO_LL },
		{ "allow-ethertype", required_argument, NULL, OPT_ETHERTYPE },
		{ "attach", required_argument, NULL, OPT_ATTACH },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ifname = NULL, *extra = NULL;
	char perr[VG_ERRLEN];
	bool mode_set = false;
	int o, ret;

	memset(a, 0, sizeof(*a));
	vg_spec_init(&a->spec, "");
	/* The mark that the Xen entry points respect (hotplug.c). */
	a->spec.flags |= VG_F_OPERATOR;
	opterr = 0;
	optind = 0;
	while ((o = getopt_long(argc, argv, CMD_OPTSTRING, opts, NULL)) != -1) {
		const char *arg = optarg;

		ret = 0;
		switch (o) {
		case 1:
			if (!ifname)
				ifname = arg;
			else if (!extra)
				extra = arg;
			continue;
		case 'h':
			a->help = true;
			continue;
		case OPT_MAC: {
			uint8_t mac[6];

			ret = vg_parse_mac(arg, mac, perr, sizeof(perr));
			if (!ret)
				ret = vg_spec_add_mac(&a->spec, mac, perr, sizeof(perr));
			break;
		}
		case OPT_IPV4: {
			struct vg_prefix4 p;

			ret = vg_parse_prefix4(arg, &p, perr, sizeof(perr));
			if (!ret)
				ret = vg_spec_add_v4(&a->spec, &p, perr, sizeof(perr));
			break;
		}
		case OPT_IPV6: {
			struct vg_prefix6 p;

			ret = vg_parse_prefix6(arg, &p, perr, sizeof(perr));
			if (!ret)
				ret = vg_spec_add_v6(&a->spec, &p, perr, sizeof(perr));
			break;
		}
		case OPT_MODE:
			if (mode_set) {
				snprintf(perr, sizeof(perr), "given twice");
				ret = -EINVAL;
				break;
			}
			mode_set = true;
			ret = vg_parse_mode(arg, &a->spec.mode, perr, sizeof(perr));
			break;
		case OPT_NO_DHCP:
			a->spec.flags &= ~VG_F_DHCP_CLIENT;
			continue;
		case OPT_DHCP_SERVER:
			a->spec.flags |= VG_F_DHCP_SERVER;
			continue;
		case OPT_RA:
			a->spec.flags |= VG_F_RA;
			continue;
		case OPT_NO_LL:
			a->spec.flags &= ~VG_F_LINK_LOCAL;
			continue;
		case OPT_ETHERTYPE: {
			uint16_t t;

			ret = vg_parse_ethertype(arg, &t, perr, sizeof(perr));
			if (!ret)
				ret = vg_spec_add_ethertype(&a->spec, t, perr, sizeof(perr));
			break;
		}
		case OPT_ATTACH:
			if (!strcmp(arg, "cls_bpf") || !strcmp(arg, "tc")) {
				a->opts.attach = VG_ATTACH_CLS_BPF;
			} else if (!strcmp(arg, "tcx")) {
				a->opts.attach = VG_ATTACH_TCX;
			} else {
				snprintf(perr, sizeof(perr), "unknown method (expected cls_bpf or tcx)");
				ret = -EINVAL;
			}
			break;
		default:
			return bad_option("attach", o, argv, err, errlen);
		}
		if (ret) {
			/* The option as the user wrote it: argv[optind - 1] is
			 * "--ipv4=X" or the value after "--ipv4". */
			const char *w = argv[optind - 1];
			const char *name = w == arg ? argv[optind - 2] : w;
			size_t nlen = strcspn(name, "=");

			snprintf(err, errlen, "%.*s %s: %s", (int)nlen, name, arg, perr);
			return -EINVAL;
		}
	}
	for (; optind < argc; optind++) {	/* after "--" */
		if (!ifname)
			ifname = argv[optind];
		else if (!extra)
			extra = argv[optind];
	}
	if (a->help)
		return 0;
	if (!ifname) {
		snprintf(err, errlen, "attach: missing IFACE (vifguard help attach)");
		return -EINVAL;
	}
	if (extra) {
		snprintf(err, errlen, "attach: unexpected argument '%s'", extra);
		return -EINVAL;
	}
	if (!*ifname || strlen(ifname) >= IF_NAMESIZE) {
		snprintf(err, errlen, "%s: not an interface name (1..%d characters)", ifname,
			 IF_NAMESIZE - 1);
		return -EINVAL;
	}
	snprintf(a->spec.ifname, sizeof(a->spec.ifname), "%s", ifname);
	if (vg_spec_validate(&a->spec, perr, sizeof(perr))) {
		if (a->spec.mode == VG_MODE_LOCKED && a->spec.n_macs == 0)
			snprintf(err, errlen, "attach: --mac is required (unless --mode disabled)");
		else
			snprintf(err, errlen, "attach: %s", perr);
		return -EINVAL;
	}
	return 0;
}

/* IFACE and --help only: detach, show, stats (optional IFACE), gc (none). */
static int parse_simple(const char *cmd, int argc, char **argv, bool want_iface,
			bool iface_optional, const char **ifname, bool *help)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pos[2] = { NULL, NULL };
	char err[VG_ERRLEN];
	int o, npos = 0;

	*help = false;
	*ifname = NULL;
	opterr = 0;
	optind = 0;
	while ((o = getopt_long(argc, argv, CMD_OPTSTRING, opts, NULL)) != -1) {
		if (o == 1) {
			if (npos < 2)
				pos[npos] = optarg;
			npos++;
		} else if (o == 'h') {
			*help = true;
		} else {
			bad_option(cmd, o, argv, err, sizeof(err));
			vg_error("%s", err);
			return -EINVAL;
		}
	}
	for (; optind < argc; optind++, npos++)
		if (npos < 2)
			pos[npos] = argv[optind];
	if (*help)
		return 0;
	if (!want_iface && npos) {
		vg_error("%s: unexpected argument '%s'", cmd, pos[0]);
		return -EINVAL;
	}
	if (want_iface && npos > 1) {
		vg_error("%s: unexpected argument '%s'", cmd, pos[1]);
		return -EINVAL;
	}
	if (want_iface && !npos && !iface_optional) {
		vg_error("%s: missing IFACE (vifguard help %s)", cmd, cmd);
		return -EINVAL;
	}
	if (npos && (!*pos[0] || strlen(pos[0]) >= IF_NAMESIZE)) {
		vg_error("%s: not an interface name (1..%d characters)", pos[0], IF_NAMESIZE - 1);
		return -EINVAL;
	}
	*ifname = pos[0];
	return 0;
}

static const char *attach_method(uint32_t attach)
{
	if (attach & VG_ATTACH_TCX)
		return "tcx";
	if (attach & VG_ATTACH_CLS_BPF)
		return "cls_bpf";
	return "none";
}

/* ---- attach --------------------------------------------------------------- */

int vg_cmd_attach(int argc, char **argv)
{
	struct vg_attach_args a;
	struct vg_policy old;
	struct vg_state st;
	char err[VG_ERRLEN + 64];
	uint32_t ifindex;
	bool update;
	int ret;

	if (vg_attach_parse(argc, argv, &a, err, sizeof(err))) {
		vg_error("%s", err);
		return EXIT_USAGE;
	}
	if (a.help) {
		fputs(vg_help_attach, stdout);
		return EXIT_SUCCESS;
	}
	ifindex = if_nametoindex(a.spec.ifname);
	if (!ifindex) {
		vg_error("%s: cannot attach: %s", a.spec.ifname, strerror(errno));
		return EXIT_FAILURE;
	}
	ret = vg_state_open(&st, vg_cli_ctx(), VG_STATE_LOAD, err, sizeof(err));
	if (ret) {
		vg_error("%s: %s", a.spec.ifname, err);
		return EXIT_FAILURE;
	}
	update = vg_state_policy(&st, ifindex, &old) == 0;
	ret = vg_state_apply(&st, &a.spec, &a.opts, err, sizeof(err));
	if (ret) {
		vg_state_close(&st);
		vg_error("%s: %s", a.spec.ifname, err);
		return EXIT_FAILURE;
	}
	{
		struct vg_policy pol;
		uint32_t method = a.opts.attach;

		if (vg_state_policy(&st, ifindex, &pol) == 0)
			method = pol.attach;
		if (vg_json) {
			struct vg_json j;

			vg_json_init(&j, stdout);
			vg_json_object_start(&j);
			vg_json_kv_string(&j, "ifname", a.spec.ifname);
			vg_json_kv_uint(&j, "ifindex", ifindex);
			vg_json_kv_string(&j, "action", update ? "update" : "attach");
			vg_json_kv_string(&j, "method", attach_method(method));
			vg_json_kv_uint(&j, "prog_id", st.prog_id);
			vg_json_object_end(&j);
		} else {
			printf("%s: %s (%s, %s, prog %u)\n", a.spec.ifname,
			       update ? "policy updated" : "attached",
			       a.spec.mode == VG_MODE_LOCKED ? "locked" : "disabled",
			       attach_method(method), st.prog_id);
		}
	}
	vg_state_close(&st);
	return EXIT_SUCCESS;
}

/* ---- detach ---------------------------------------------------------------- */

int vg_cmd_detach(int argc, char **argv)
{
	struct vg_detach_result res;
	const char *ifname;
	struct vg_state st;
	char err[VG_ERRLEN + 64];
	bool help;

	if (parse_simple("detach", argc, argv, true, false, &ifname, &help))
		return EXIT_USAGE;
	if (help) {
		fputs(vg_help_detach, stdout);
		return EXIT_SUCCESS;
	}
	if (vg_state_open(&st, vg_cli_ctx(), VG_STATE_WRITE, err, sizeof(err))) {
		vg_error("%s: %s", ifname, err);
		return EXIT_FAILURE;
	}
	if (vg_state_detach(&st, ifname, &res, err, sizeof(err))) {
		vg_state_close(&st);
		vg_error("%s: %s", ifname, err);
		return EXIT_FAILURE;
	}
	vg_state_close(&st);
	if (vg_json) {
		struct vg_json j;

		vg_json_init(&j, stdout);
		vg_json_object_start(&j);
		vg_json_kv_string(&j, "ifname", ifname);
		vg_json_kv_bool(&j, "detached", res.filter || res.entries);
		vg_json_kv_bool(&j, "filter_removed", res.filter);
		vg_json_kv_uint(&j, "entries_removed", res.entries);
		vg_json_object_end(&j);
	} else if (res.filter || res.entries) {
		printf("%s: detached (%s, %u map entries removed)\n", ifname,
		       res.filter ? "filter removed" : "no filter was on it", res.entries);
	} else {
		printf("%s: nothing to detach (no filter, no entries)\n", ifname);
	}
	return EXIT_SUCCESS;
}

/* ---- show, stats --------------------------------------------------------------- */

static const struct {
	unsigned int flag;
	const char *name;
} flag_names[] = {
	{ VG_F_DHCP_CLIENT, "dhcp-client" },
	{ VG_F_DHCP_SERVER, "dhcp-server" },
	{ VG_F_RA, "router-advert" },
	{ VG_F_LINK_LOCAL, "link-local" },
	{ VG_F_V4_TABLE, "ipv4-table" },
	{ VG_F_V6_TABLE, "ipv6-table" },
};

static const char *mode_name(unsigned int mode)
{
	switch (mode) {
	case VG_MODE_LOCKED:
		return "locked";
	case VG_MODE_DISABLED:
		return "disabled";
	default:
		return "invalid";
	}
}

static void fmt_mac(const uint8_t *m, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void fmt_v4(const struct vg_prefix4 *p, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &p->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, p->len);
}

static void fmt_v6(const struct vg_prefix6 *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, &p->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, p->len);
}

static char iface_name_buf[IF_NAMESIZE];

/* The recorded name (NUL-terminated copy). */
static const char *iface_name(const struct vg_iface *it)
{
	memcpy(iface_name_buf, it->pol.ifname, VG_IFNAMSIZ);
	iface_name_buf[VG_IFNAMSIZ - 1] = '\0';
	return iface_name_buf;
}

/* Who the policy belongs to: the operator (vifguard attach) or the Xen
 * sources (hotplug, setup-vif-rules, sync). */
static const char *set_by(const struct vg_iface *it)
{
	return it->pol.flags & VG_F_OPERATOR ? "attach" : "sources";
}

static const char *device_state(const struct vg_iface *it)
{
	if (!it->cur_name[0])
		return "gone";
	return it->present ? "present" : "renamed or reused";
}

static void show_json(struct vg_json *j, const struct vg_iface *it, uint32_t pinned_id)
{
	char buf[64];
	unsigned int i;

	vg_json_object_start(j);
	vg_json_kv_string(j, "ifname", iface_name(it));
	vg_json_kv_uint(j, "ifindex", it->ifindex);
	vg_json_kv_bool(j, "present", it->present);
	if (it->cur_name[0] && !it->present)
		vg_json_kv_string(j, "current_name", it->cur_name);
	vg_json_kv_string(j, "mode", mode_name(it->pol.mode));
	vg_json_kv_string(j, "set_by", set_by(it));
	vg_json_name(j, "macs");
	vg_json_array_start(j);
	for (i = 0; i < it->pol.n_macs && i < VG_MAX_MACS; i++) {
		fmt_mac(it->pol.macs[i], buf, sizeof(buf));
		vg_json_string(j, buf);
	}
	vg_json_array_end(j);
	vg_json_name(j, "ipv4");
	vg_json_array_start(j);
	for (i = 0; i < it->n_v4; i++) {
		fmt_v4(&it->v4[i], buf, sizeof(buf));
		vg_json_string(j, buf);
	}
	vg_json_array_end(j);
	vg_json_name(j, "ipv6");
	vg_json_array_start(j);
	for (i = 0; i < it->n_v6; i++) {
		if (it->v6_derived[i])
			continue;
		fmt_v6(&it->v6[i], buf, sizeof(buf));
		vg_json_string(j, buf);
	}
	vg_json_array_end(j);
	vg_json_name(j, "ipv6_link_local");
	vg_json_array_start(j);
	for (i = 0; i < it->n_v6; i++) {
		if (!it->v6_derived[i])
			continue;
		fmt_v6(&it->v6[i], buf, sizeof(buf));
		vg_json_string(j, buf);
	}
	vg_json_array_end(j);
	vg_json_name(j, "flags");
	vg_json_array_start(j);
	for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (it->pol.flags & flag_names[i].flag)
			vg_json_string(j, flag_names[i].name);
	vg_json_array_end(j);
	vg_json_name(j, "ethertypes");
	vg_json_array_start(j);
	for (i = 0; i < VG_MAX_ETHERTYPES; i++) {
		if (!it->pol.ethertypes[i])
			continue;
		snprintf(buf, sizeof(buf), "0x%04x", ntohs(it->pol.ethertypes[i]));
		vg_json_string(j, buf);
	}
	vg_json_array_end(j);
	vg_json_kv_uint(j, "generation", it->pol.gen);
	if (it->truncated)
		vg_json_kv_bool(j, "truncated", true);
	vg_json_name(j, "attach");
	vg_json_object_start(j);
	vg_json_kv_string(j, "method", attach_method(it->pol.attach));
	vg_json_kv_bool(j, "own_clsact", it->pol.attach & VG_ATTACH_OWN_CLSACT);
	vg_json_kv_bool(j, "on_device", it->filter_present);
	if (it->filter_present) {
		vg_json_kv_uint(j, "prog_id", it->filter_prog_id);
		vg_json_kv_bool(j, "current_prog", it->filter_prog_id == pinned_id);
	}
	vg_json_object_end(j);
	vg_json_object_end(j);
}

static void show_text(const struct vg_iface *it, uint32_t pinned_id)
{
	char buf[64];
	unsigned int i;
	bool any;

	/* The kernel allows control bytes in interface names. */
	char name[4 * IF_NAMESIZE];

	printf("%s: ifindex %u, %s", vg_escape_text(name, sizeof(name), iface_name(it)),
	       it->ifindex, mode_name(it->pol.mode));
	if (!it->present)
		printf(", device %s%s%s", device_state(it), it->cur_name[0] ? " as " : "",
		       vg_escape_text(name, sizeof(name), it->cur_name));
	printf("\n  attach: %s", attach_method(it->pol.attach));
	if (it->pol.attach & VG_ATTACH_OWN_CLSACT)
		printf(" (own clsact)");
	if (it->filter_present)
		printf(", on device, prog %u%s\n", it->filter_prog_id,
		       it->filter_prog_id == pinned_id ? "" : " (not the pinned program)");
	else
		printf(", NOT on device\n");
	if (it->pol.flags & VG_F_OPERATOR)
		printf("  set by: vifguard attach (the Xen entry points keep it until vifguard release)\n");
	else
		printf("  set by: its sources (hotplug, setup-vif-rules or sync)\n");
	printf("  mac:");
	for (i = 0; i < it->pol.n_macs && i < VG_MAX_MACS; i++) {
		fmt_mac(it->pol.macs[i], buf, sizeof(buf));
		printf(" %s", buf);
	}
	printf("%s\n  ipv4:", it->pol.n_macs ? "" : " none");
	for (i = 0; i < it->n_v4; i++) {
		fmt_v4(&it->v4[i], buf, sizeof(buf));
		printf(" %s", buf);
	}
	printf("%s\n  ipv6:", it->n_v4 ? "" : " none");
	for (i = 0; i < it->n_v6; i++) {
		fmt_v6(&it->v6[i], buf, sizeof(buf));
		printf(" %s%s", buf, it->v6_derived[i] ? " (link-local from MAC)" : "");
	}
	printf("%s\n  flags:", it->n_v6 ? "" : " none");
	any = false;
	for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (it->pol.flags & flag_names[i].flag) {
			printf(" %s", flag_names[i].name);
			any = true;
		}
	printf("%s\n", any ? "" : " none");
	any = false;
	for (i = 0; i < VG_MAX_ETHERTYPES; i++)
		if (it->pol.ethertypes[i]) {
			printf("%s 0x%04x", any ? "" : "  ethertypes:", ntohs(it->pol.ethertypes[i]));
			any = true;
		}
	if (any)
		putchar('\n');
	if (it->truncated)
		printf("  (more entries than the limits: list truncated)\n");
}

/* from: VG_PASS for an interface, the first drop reason for counters
 * that have no passes (totals). */
static void counters_json(struct vg_json *j, const struct vg_stats *s, int from)
{
	int r;

	vg_json_object_start(j);
	for (r = from; r < VG_REASON_MAX; r++)
		vg_json_kv_uint(j, vg_reason_name(r), s->pkts[r]);
	vg_json_object_end(j);
}

static unsigned long long drops_of(const struct vg_stats *s)
{
	unsigned long long d = 0;
	int r;

	for (r = 0; r < VG_REASON_MAX; r++)
		if (r != VG_PASS)
			d += s->pkts[r];
	return d;
}

static void counters_text(const struct vg_stats *s, int from)
{
	int r;

	for (r = from; r < VG_REASON_MAX; r++)
		if (r == VG_PASS || s->pkts[r])
			printf("  %-22s %llu\n", vg_reason_name(r),
			       (unsigned long long)s->pkts[r]);
}

/*
 * show and stats: one IFACE that has no entries is not an error if the
 * device exists (it is simply not attached); one that neither exists
 * nor has entries is.
 */
static int list_cmd(int argc, char **argv, const char *cmd, const char *help_text, bool stats)
{
	struct vg_iface *v = NULL;
	const char *ifname;
	struct vg_state st;
	char err[VG_ERRLEN + 64];
	struct vg_stats orph, tot;
	char name[4 * IF_NAMESIZE];
	bool drops_full;
	size_t n = 0, i;
	uint32_t prog_id;
	bool help;

	if (parse_simple(cmd, argc, argv, true, true, &ifname, &help))
		return EXIT_USAGE;
	if (help) {
		fputs(help_text, stdout);
		return EXIT_SUCCESS;
	}
	if (vg_state_open(&st, vg_cli_ctx(), VG_STATE_READ, err, sizeof(err))) {
		vg_error("%s", err);
		return EXIT_FAILURE;
	}
	if (vg_state_list(&st, ifname, &v, &n, err, sizeof(err))) {
		vg_state_close(&st);
		vg_error("%s", err);
		return EXIT_FAILURE;
	}
	vg_state_totals(&st, &tot, &drops_full);
	memset(&orph, 0, sizeof(orph));
	orph.pkts[VG_NO_POLICY] = tot.pkts[VG_NO_POLICY];
	prog_id = st.prog_id;
	vg_state_close(&st);
	if (ifname && !n && !if_nametoindex(ifname)) {
		vg_error("%s: no such interface, and no entries under that name", ifname);
		free(v);
		return EXIT_FAILURE;
	}

	if (vg_json) {
		struct vg_json j;

		vg_json_init(&j, stdout);
		vg_json_object_start(&j);
		if (!stats) {
			vg_json_kv_string(&j, "root", st.root);
			vg_json_name(&j, "prog_id");
			if (prog_id)
				vg_json_uint(&j, prog_id);
			else
				vg_json_null(&j);
		}
		vg_json_name(&j, "interfaces");
		vg_json_array_start(&j);
		for (i = 0; i < n; i++) {
			if (!stats) {
				show_json(&j, &v[i], prog_id);
				continue;
			}
			vg_json_object_start(&j);
			vg_json_kv_string(&j, "ifname", iface_name(&v[i]));
			vg_json_kv_uint(&j, "ifindex", v[i].ifindex);
			vg_json_kv_bool(&j, "present", v[i].present);
			vg_json_kv_uint(&j, "passed", v[i].stats.pkts[VG_PASS]);
			vg_json_kv_uint(&j, "dropped", drops_of(&v[i].stats));
			vg_json_name(&j, "counters");
			counters_json(&j, &v[i].stats, VG_PASS);
			vg_json_object_end(&j);
		}
		vg_json_array_end(&j);
		if (stats && !ifname) {
			vg_json_name(&j, "orphans");
			counters_json(&j, &orph, VG_PASS);
			vg_json_name(&j, "totals");
			counters_json(&j, &tot, VG_PASS + 1);
			vg_json_kv_bool(&j, "drop_counters_full", drops_full);
		}
		vg_json_object_end(&j);
	} else {
		if (!n)
			printf("%s\n", ifname ? "not attached" : "no interfaces attached");
		for (i = 0; i < n; i++) {
			if (!stats) {
				show_text(&v[i], prog_id);
				continue;
			}
			printf("%s: ifindex %u%s%s, %llu passed, %llu dropped\n",
			       vg_escape_text(name, sizeof(name), iface_name(&v[i])), v[i].ifindex, v[i].present ? "" : ", device ",
			       v[i].present ? "" : device_state(&v[i]),
			       (unsigned long long)v[i].stats.pkts[VG_PASS], drops_of(&v[i].stats));
			counters_text(&v[i].stats, VG_PASS);
		}
		if (stats && !ifname) {
			printf("orphans (interfaces with the program and no policy): %llu"
			       " dropped\n", (unsigned long long)orph.pkts[VG_NO_POLICY]);
			printf("totals (this host, since the maps were created): %llu dropped\n",
			       drops_of(&tot));
			counters_text(&tot, VG_PASS + 1);
			if (drops_full)
				printf("warning: the per-interface drop counters are full (%u); "
				       "new ones are counted in the totals only\n",
				       VG_MAX_DROP_COUNTERS);
		}
	}
	free(v);
	return EXIT_SUCCESS;
}

int vg_cmd_show(int argc, char **argv)
{
	return list_cmd(argc, argv, "show", vg_help_show, false);
}

int vg_cmd_stats(int argc, char **argv)
{
	return list_cmd(argc, argv, "stats", vg_help_stats, true);
}

/* ---- gc -------------------------------------------------------------------------- */

int vg_cmd_gc(int argc, char **argv)
{
	struct vg_gc_result res;
	const char *ifname;
	struct vg_state st;
	char err[VG_ERRLEN + 64];
	bool help;

	if (parse_simple("gc", argc, argv, false, false, &ifname, &help))
		return EXIT_USAGE;
	if (help) {
		fputs(vg_help_gc, stdout);
		return EXIT_SUCCESS;
	}
	if (vg_state_open(&st, vg_cli_ctx(), VG_STATE_WRITE, err, sizeof(err))) {
		vg_error("%s", err);
		return EXIT_FAILURE;
	}
	if (vg_state_gc(&st, &res, err, sizeof(err))) {
		vg_state_close(&st);
		vg_error("%s", err);
		return EXIT_FAILURE;
	}
	vg_state_close(&st);
	if (vg_json) {
		struct vg_json j;

		vg_json_init(&j, stdout);
		vg_json_object_start(&j);
		vg_json_kv_uint(&j, "interfaces_removed", res.ifaces);
		vg_json_kv_uint(&j, "entries_removed", res.entries);
		vg_json_kv_uint(&j, "renamed", res.renamed);
		vg_json_kv_uint(&j, "filters_restored", res.repaired);
		vg_json_object_end(&j);
	} else if (res.ifaces || res.entries || res.renamed || res.repaired) {
		printf("gc: %u interface(s) gone, %u map entries removed", res.ifaces, res.entries);
		if (res.renamed)
			printf(", %u renamed interface(s) updated", res.renamed);
		if (res.repaired)
			printf(", filter put back on %u interface(s)", res.repaired);
		putchar('\n');
	} else {
		printf("gc: nothing to remove\n");
	}
	return EXIT_SUCCESS;
}
