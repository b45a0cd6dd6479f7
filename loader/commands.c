// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The core command attach with its command line (detach and gc:
 * commands_detach.c; show and stats: commands_show.c), and the attach
 * method's name they share.  Each line is checked whole
 * (cli_args.c) before anything is touched, so bad input changes nothing.
 */
#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "cli.h"
#include "ident.h"
#include "source.h"
#include "guard.h"
#include "host_settings.h"
#include "json.h"
#include "sanitize.h"
#include "tc.h"

const char vg_help_attach[] =
"Usage: vifguard attach IFACE --mac MAC [--mac MAC]... [--ipv4 ADDR[/LEN]]...\n"
"           [--ipv6 ADDR[/LEN]]... [--mode locked|audit|disabled] [--no-dhcp]\n"
"           [--allow-dhcp-server] [--allow-ra] [--no-link-local]\n"
"           [--learn link-local,dhcp,first|none] [--allow-ethertype 0xNNNN]...\n"
"           [--attach cls_bpf|tcx] [--force]\n"
"           [--dry-run]\n"
"\n"
"Attaches the filter to IFACE with this policy, or updates the policy of\n"
"an attached interface in place (never detaching it).  The policy replaces\n"
"the previous one whole, and is the operator's: on a Xen guest interface,\n"
"hotplug, setup-vif-rules and sync leave it in force, whatever the\n"
"interface's sources say, until `vifguard release IFACE` hands it back to\n"
"them (vifguard help release).  `vifguard set` changes one part of it\n"
"and keeps the rest.  An interface that carries the program of another\n"
"state root is left alone (exit 1).\n"
"\n"
"Guard rails: IFACE must be a device a guest sends through (a xen-netback\n"
"vif, a tap device or a veth; Ethernet, not a tun device in tun mode),\n"
"not the loopback device, a bridge, a bond or team or one of its ports, a\n"
"physical NIC or another kind; no address may be all addresses, a prefix\n"
"shorter than /8 (IPv4) or /16 (IPv6), or hold 0.0.0.0/8, loopback,\n"
"multicast, broadcast or the unspecified address.  --force skips these\n"
"two checks, and only them: a multicast, broadcast or all-zero MAC, host\n"
"bits set and the like are refused whatever the force.\n";

const char vg_help_show[] =
"Usage: vifguard show [IFACE] [--vm VM] [-v]\n"
"\n"
"One line per interface: its Xen domain and VM (from xenstore, \"-\" on a\n"
"host without), mode, who set the policy (attach, or the source the Xen\n"
"entry points took it from: xapi, xl or config), first MAC and address,\n"
"and how the filter is attached.  With -v, or for one IFACE: the whole\n"
"policy (MACs, addresses, flags, ethertypes), the attach state, and the\n"
"domain, device, VM name and UUID and VIF UUID.  Interfaces are listed in\n"
"natural order (vif2.0 before vif10.0).  Also named: orphans, interfaces\n"
"that carry the program without a policy and so drop every frame\n"
"(vifguard gc --orphans), and interfaces that carry the program of another\n"
"state root.\n";

const char vg_help_stats[] =
"Usage: vifguard stats [IFACE] [--vm VM] [-v] [--watch [SEC]]\n"
"\n"
"Frames passed and dropped, one line per interface with its Xen domain\n"
"and VM and the reason it dropped most for; per reason with -v, or for\n"
"one IFACE.  For the whole host (no IFACE, no --vm) also the frames\n"
"dropped on interfaces that carry the program but have no policy\n"
"(orphans, named as by show), and the host's drops since the maps were created (totals),\n"
"which keep the drops of interfaces detached since.  With --watch, every\n"
"SEC seconds (default 1) until SIGINT or SIGTERM: what each interval\n"
"added and its rates, a table each time, or one JSON document per line\n"
"under -j.\n";

/* ---- command lines ------------------------------------------------------ */

static int opt_mac(void *o, const char *arg, char *err, size_t errlen)
{
	struct vg_attach_args *a = o;
	uint8_t mac[6];

	if (vg_parse_mac(arg, mac, err, errlen))
		return -EINVAL;
	return vg_spec_add_mac(&a->spec, mac, err, errlen);
}

static int opt_ipv4(void *o, const char *arg, char *err, size_t errlen)
{
	return vg_spec_add_prefix(&((struct vg_attach_args *)o)->spec, false, arg, err, errlen);
}

static int opt_ipv6(void *o, const char *arg, char *err, size_t errlen)
{
	return vg_spec_add_prefix(&((struct vg_attach_args *)o)->spec, true, arg, err, errlen);
}

static int opt_mode(void *o, const char *arg, char *err, size_t errlen)
{
	struct vg_attach_args *a = o;

	if (a->mode_set) {
		snprintf(err, errlen, "given twice");
		return -EINVAL;
	}
	a->mode_set = true;
	return vg_parse_mode(arg, &a->spec.mode, err, errlen);
}

/* The flags: no value, one bit each. */
static int opt_no_dhcp(void *o, const char *arg, char *err, size_t errlen)
{
	(void)arg, (void)err, (void)errlen;
	((struct vg_attach_args *)o)->spec.flags &= ~VG_F_DHCP_CLIENT;
	((struct vg_attach_args *)o)->no_dhcp = true;
	return 0;
}

static int opt_dhcp_server(void *o, const char *arg, char *err, size_t errlen)
{
	(void)arg, (void)err, (void)errlen;
	((struct vg_attach_args *)o)->spec.flags |= VG_F_DHCP_SERVER;
	return 0;
}

static int opt_ra(void *o, const char *arg, char *err, size_t errlen)
{
	(void)arg, (void)err, (void)errlen;
	((struct vg_attach_args *)o)->spec.flags |= VG_F_RA;
	return 0;
}

static int opt_no_ll(void *o, const char *arg, char *err, size_t errlen)
{
	(void)arg, (void)err, (void)errlen;
	((struct vg_attach_args *)o)->spec.flags &= ~VG_F_LINK_LOCAL;
	return 0;
}

static int opt_learn(void *o, const char *arg, char *err, size_t errlen)
{
	struct vg_attach_args *a = o;
	unsigned int f;

	if (a->learn_set) {
		snprintf(err, errlen, "given twice");
		return -EINVAL;
	}
	a->learn_set = true;
	if (vg_parse_learn(arg, &f, err, errlen))
		return -EINVAL;
	a->spec.flags = (a->spec.flags & ~VG_LEARN_FLAGS) | f;
	/* Learning by DHCP needs the client's requests let through. */
	if (f & VG_F_LEARN_DHCP)
		a->learn_dhcp = true;
	return 0;
}

static int opt_ethertype(void *o, const char *arg, char *err, size_t errlen)
{
	struct vg_attach_args *a = o;
	uint16_t t;

	if (vg_parse_ethertype(arg, &t, err, errlen))
		return -EINVAL;
	return vg_spec_add_ethertype(&a->spec, t, err, errlen);
}

static int opt_attach(void *o, const char *arg, char *err, size_t errlen)
{
	struct vg_attach_args *a = o;

	if (!strcmp(arg, "cls_bpf") || !strcmp(arg, "tc")) {
		a->opts.attach = VG_ATTACH_CLS_BPF;
	} else if (!strcmp(arg, "tcx")) {
		a->opts.attach = VG_ATTACH_TCX;
	} else {
		snprintf(err, errlen, "unknown method (expected cls_bpf or tcx)");
		return -EINVAL;
	}
	return 0;
}

#define ATTACH_OPT(name, arg, fn, help) { name, 0, arg, VG_OPT_FN, 0, fn, help }

/* Their help is the end of `vifguard help attach`. */
static const struct vg_opt attach_opts[] = {
	ATTACH_OPT("mac", "MAC", opt_mac,
		   "allowed source MAC (at most 4); required unless\n--mode disabled"),
	ATTACH_OPT("ipv4", "ADDR[/LEN]", opt_ipv4,
		   "allowed IPv4 source, host or prefix (at most 64)"),
	ATTACH_OPT("ipv6", "ADDR[/LEN]", opt_ipv6,
		   "allowed IPv6 source, host or prefix (at most 64)"),
	ATTACH_OPT("mode", "MODE", opt_mode,
		   "locked (default): every check; audit: every check,\n"
		   "frames that fail one counted and reported, but passed;\n"
		   "disabled: drop all"),
	ATTACH_OPT("no-dhcp", NULL, opt_no_dhcp, "no DHCP client exception (0.0.0.0:68 -> 67)"),
	ATTACH_OPT("allow-dhcp-server", NULL, opt_dhcp_server,
		   "may send DHCPv4 and DHCPv6 server messages (UDP to\n"
		   "68 and 546) and relay other clients' requests"),
	ATTACH_OPT("allow-ra", NULL, opt_ra,
		   "may act as a router: Router Advertisements,\nRedirects, IGMP and MLD queries"),
	ATTACH_OPT("no-link-local", NULL, opt_no_ll,
		   "no EUI-64 link-local address derived from each MAC"),
	ATTACH_OPT("learn", "WORD[,WORD]", opt_learn,
		   "what the interface learns, a comma list:\n"
		   "link-local (default): the IPv6 link-local address of\n"
		   "each DAD probe (at most 2); dhcp: the addresses of\n"
		   "the DHCPv4 and DHCPv6 leases delivered to it, for the\n"
		   "lease (at most 2 IPv4, 4 IPv6; implies the DHCP\n"
		   "client exception); first: trust on first use, the\n"
		   "first IPv4 and IPv6 source addresses it uses that no\n"
		   "interface holds (same caps; see LEARNING in vifguard(8)\n"
		   "for the risk); none: nothing"),
	ATTACH_OPT("allow-ethertype", "T", opt_ethertype,
		   "one more ethertype let through (0x0600..0xffff, not\n"
		   "IPv4, ARP or IPv6; at most 4); 0x8100 / 0x88a8:\n"
		   "tagged frames, the frame inside checked"),
	ATTACH_OPT("attach", "METHOD", opt_attach,
		   "cls_bpf (a new interface's default; clsact ingress)\nor tcx (Linux >= 6.6); an update keeps the\ninterface's method unless given"),
	{ "force", 0, NULL, VG_OPT_FLAG, offsetof(struct vg_attach_args, force), NULL,
	  "skip the guard rails: any kind of device, any\naddress range (see above)" },
	{ "dry-run", 'n', NULL, VG_OPT_FLAG, offsetof(struct vg_attach_args, dry_run), NULL,
	  "print the resulting policy and the changes against\nthe one in force; change nothing" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

static const struct vg_pos attach_pos[] = {
	{ "IFACE", offsetof(struct vg_attach_args, ifname), VG_POS_IFACE },
	{ NULL, 0, 0 },
};

static void attach_init(void *o)
{
	struct vg_attach_args *a = o;

	vg_spec_init(&a->spec, "");
	/* The mark that the Xen entry points respect (hotplug.c). */
	a->spec.flags |= VG_F_OPERATOR;
}

static int attach_check(void *o, char *err, size_t errlen)
{
	struct vg_attach_args *a = o;
	char perr[VG_ERRLEN];

	snprintf(a->spec.ifname, sizeof(a->spec.ifname), "%s", a->ifname);
	if (a->learn_dhcp && a->no_dhcp) {
		snprintf(err, errlen, "attach: --learn dhcp and --no-dhcp exclude each other "
			 "(learning by DHCP needs the guest's DHCP requests)");
		return -EINVAL;
	}
	if (a->learn_dhcp)
		a->spec.flags |= VG_F_DHCP_CLIENT;
	if (vg_spec_validate(&a->spec, perr, sizeof(perr))) {
		if (vg_mode_checks(a->spec.mode) && a->spec.n_macs == 0)
			snprintf(err, errlen, "attach: --mac is required (unless --mode disabled)");
		else
			snprintf(err, errlen, "attach: %s", perr);
		return -EINVAL;
	}
	if (!a->force && vg_guard_spec(&a->spec, err, errlen))
		return -EINVAL;
	return 0;
}

const struct vg_args vg_args_attach = {
	.size = sizeof(struct vg_attach_args), .init = attach_init, .opts = attach_opts,
	.pos = attach_pos, .check = attach_check,
};

int vg_attach_parse(int argc, char **argv, struct vg_attach_args *a, char *err, size_t errlen)
{
	int ret = vg_args_parse("attach", &vg_args_attach, argc, argv, a, NULL, err, errlen);

	a->help = ret == VG_ARGS_HELP;
	return ret == VG_ARGS_HELP ? 0 : ret;
}

const char *vg_attach_method(uint32_t attach)
{
	if (attach & VG_ATTACH_TCX)
		return "tcx";
	if (attach & VG_ATTACH_CLS_BPF)
		return "cls_bpf";
	return "none";
}

/* ---- attach --------------------------------------------------------------- */

/* The result of an attach or update. */
static void attach_print(struct vg_out *out, const struct vg_attach_args *a, struct vg_state *st,
			 uint32_t ifindex, bool update)
{
	struct vg_policy pol;
	uint32_t method = a->opts.attach;

	if (vg_state_policy(st, ifindex, &pol) == 0)
		method = pol.attach;
	if (out->json) {
		struct vg_json *j = vg_out_json(out);

		vg_json_object_start(j);
		vg_json_kv_string(j, "ifname", a->spec.ifname);
		vg_json_kv_uint(j, "ifindex", ifindex);
		vg_json_kv_string(j, "action", update ? "update" : "attach");
		vg_json_kv_string(j, "method", vg_attach_method(method));
		vg_json_kv_uint(j, "prog_id", st->prog_id);
		vg_json_object_end(j);
	} else {
		printf("%s: %s (%s, %s, prog %u)\n", a->spec.ifname,
		       update ? "policy updated" : "attached",
		       vg_mode_name(a->spec.mode),
		       vg_attach_method(method), st->prog_id);
	}
}

/* The Xen identity of ifname, from xenstore; false on a host without
 * one, or for an interface no backend names. */
static bool xen_identity(const char *ifname, struct vg_xen_id *id)
{
	struct vg_ident ident;
	char err[VG_ERRLEN];
	struct vg_xs xs;

	if (vg_ifname_emulated(ifname) || vg_xs_open(&xs, err, sizeof(err)))
		return false;
	vg_ident_lookup(&xs, &ifname, 1, &ident);
	vg_xs_close(&xs);
	memset(id, 0, sizeof(*id));
	if (!ident.xen || !ident.vm_uuid[0] || vg_xen_id_vm(id, ident.vm_uuid))
		return false;
	id->devid = ident.devid;
	return true;
}

/* The config file's host line in force, as hotplug and sync put it
 * (protect=, dhcp-grace=, first-lease=): on a host whose interfaces only
 * attach makes, nothing else reads it.  No file changes nothing, nor
 * does a file that cannot be loaded (a warning); protected addresses
 * that cannot be written are an error. */
static int attach_host_settings(struct vg_state *st, char *err, size_t errlen)
{
	const char *path = vg_config_path(NULL);
	char lerr[VG_ERRLEN + 256];
	struct vg_config cfg;
	struct stat sb;
	int ret;

	if (lstat(path, &sb) && errno == ENOENT)
		return 0;
	if (vg_config_load(path, &cfg, lerr, sizeof(lerr))) {
		vg_out_log(LOG_WARNING, true, "%s; the host settings in force stay", lerr);
		return 0;
	}
	ret = vg_host_settings(st, &cfg, err, errlen);
	vg_config_free(&cfg);
	return ret;
}

int vg_cmd_attach(struct vg_out *out, void *opts)
{
	struct vg_attach_args *ap = opts, a = *ap;
	struct vg_resume rs = { .window_s = 0 };
	bool xen;
	struct vg_policy old;
	struct vg_state st;
	char err[VG_ERRLEN + 64];
	uint32_t ifindex;
	bool update;
	int ret;

	ifindex = if_nametoindex(a.spec.ifname);
	if (!ifindex) {
		vg_out_err(out, vg_errcode_of(errno), "%s: cannot attach: %s", a.spec.ifname,
			   strerror(errno));
		return EXIT_FAILURE;
	}
	if (!a.force && vg_guard_iface(a.spec.ifname, err, sizeof(err))) {
		vg_out_err(out, VG_E_REFUSED, "%s: cannot attach: %s", a.spec.ifname, err);
		return EXIT_FAILURE;
	}
	if (a.dry_run)
		return vg_attach_dry_run(out, &a, ifindex);
	/* A Xen guest interface new here gets back what was parked under
	 * its identity (xenstore is read before the state is locked); the
	 * operator's policy says what it learns: no learning window, and
	 * none kept. */
	xen = xen_identity(a.spec.ifname, &rs.id);
	ret = vg_state_open(&st, vg_cli_ctx(), VG_STATE_LOAD, err, sizeof(err));
	if (ret) {
		vg_out_err(out, vg_errcode_of(ret), "%s: %s", a.spec.ifname, err);
		return EXIT_FAILURE;
	}
	update = vg_state_policy_live(&st, ifindex, &old) == 0;
	if (xen && !update)
		a.opts.resume = &rs;
	ret = vg_state_apply(&st, &a.spec, &a.opts, err, sizeof(err));
	if (ret) {
		vg_state_close(&st);
		vg_out_err(out, vg_errcode_of(ret), "%s: %s", a.spec.ifname, err);
		return EXIT_FAILURE;
	}
	ret = attach_host_settings(&st, err, sizeof(err));
	if (ret) {
		vg_state_close(&st);
		vg_out_err(out, vg_errcode_of(ret), "%s: attached, but %s", a.spec.ifname, err);
		return EXIT_FAILURE;
	}
	attach_print(out, &a, &st, ifindex, update);
	vg_state_close(&st);
	return EXIT_SUCCESS;
}
