// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The core commands attach, detach and gc, and the command lines of all
 * five (show and stats: commands_show.c).  Each line is checked whole
 * (cli_args.c) before anything is touched, so bad input changes nothing.
 */
#include <errno.h>
#include <stddef.h>
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
"them (vifguard help release).\n";

const char vg_help_detach[] =
"Usage: vifguard detach IFACE\n"
"       vifguard detach --all\n"
"\n"
"Removes the filter from IFACE and every map entry of it, and nothing else:\n"
"the clsact qdisc goes only if vifguard created it and it is empty.  An\n"
"interface that no longer exists loses the entries recorded under its\n"
"name.  Nothing to remove is not an error.  An interface that carries the\n"
"program of another state root is left alone (exit 1).\n"
"\n"
"--all detaches every interface this root filters: each one with a policy,\n"
"and each orphan (the program without a policy).  Exit 1 if any failed.\n";

const char vg_help_show[] =
"Usage: vifguard show [IFACE]\n"
"\n"
"Policies (mode, MACs, addresses, flags, ethertypes), who set them\n"
"(vifguard attach, or the Xen sources through hotplug, setup-vif-rules or\n"
"sync) and attach state of every interface, or of IFACE.  Also named:\n"
"orphans, interfaces that carry the program without a policy and so drop\n"
"every frame (vifguard gc --orphans), and interfaces that carry the\n"
"program of another state root.\n";

const char vg_help_stats[] =
"Usage: vifguard stats [IFACE]\n"
"\n"
"Frames passed and dropped per reason, per interface.  Without IFACE also\n"
"frames seen on interfaces that carry the program but have no policy\n"
"(orphans, named as by show), and the host's drops per reason since the\n"
"maps were created (totals), which keep the drops of interfaces detached\n"
"since.\n";

const char vg_help_gc[] =
"Usage: vifguard gc [--orphans]\n"
"\n"
"Removes the entries of interfaces that no longer exist (or whose index\n"
"now names another interface), stale entries left by interrupted runs,\n"
"and tcx links of vanished devices.  Puts the filter back on a present\n"
"interface whose policy is in force but whose filter went (removed with\n"
"tc, or a run killed between its commit and its attach).\n"
"\n"
"Orphans (interfaces that carry the program without a policy, and so drop\n"
"every frame) are kept and counted: taking their filter off lets their\n"
"frames through unchecked.  --orphans removes it.\n";

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
	struct vg_attach_args *a = o;
	struct vg_prefix4 p;

	if (vg_parse_prefix4(arg, &p, err, errlen))
		return -EINVAL;
	return vg_spec_add_v4(&a->spec, &p, err, errlen);
}

static int opt_ipv6(void *o, const char *arg, char *err, size_t errlen)
{
	struct vg_attach_args *a = o;
	struct vg_prefix6 p;

	if (vg_parse_prefix6(arg, &p, err, errlen))
		return -EINVAL;
	return vg_spec_add_v6(&a->spec, &p, err, errlen);
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
		   "locked (default): every check; disabled: drop all"),
	ATTACH_OPT("no-dhcp", NULL, opt_no_dhcp, "no DHCP client exception (0.0.0.0:68 -> 67)"),
	ATTACH_OPT("allow-dhcp-server", NULL, opt_dhcp_server,
		   "may send DHCPv4 and DHCPv6 server messages (UDP to\n"
		   "68 and 546) and relay other clients' requests"),
	ATTACH_OPT("allow-ra", NULL, opt_ra,
		   "may act as a router: Router Advertisements,\nRedirects, IGMP and MLD queries"),
	ATTACH_OPT("no-link-local", NULL, opt_no_ll,
		   "no EUI-64 link-local address derived from each MAC"),
	ATTACH_OPT("allow-ethertype", "T", opt_ethertype,
		   "one more ethertype let through (0x0600..0xffff, not\n"
		   "IPv4, ARP or IPv6; at most 4); 0x8100 / 0x88a8:\n"
		   "tagged frames, the frame inside checked"),
	ATTACH_OPT("attach", "METHOD", opt_attach,
		   "cls_bpf (default; clsact ingress) or tcx (Linux >= 6.6)"),
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
	if (vg_spec_validate(&a->spec, perr, sizeof(perr))) {
		if (a->spec.mode == VG_MODE_LOCKED && a->spec.n_macs == 0)
			snprintf(err, errlen, "attach: --mac is required (unless --mode disabled)");
		else
			snprintf(err, errlen, "attach: %s", perr);
		return -EINVAL;
	}
	return 0;
}

const struct vg_args vg_args_attach = {
	.size = sizeof(struct vg_attach_args),
	.init = attach_init,
	.opts = attach_opts,
	.pos = attach_pos,
	.check = attach_check,
};

static const struct vg_opt detach_opts[] = {
	{ "all", 0, NULL, VG_OPT_FLAG, offsetof(struct vg_detach_args, all), NULL,
	  "every interface this root filters (policies and orphans)" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

static const struct vg_pos detach_pos[] = {
	{ "IFACE", offsetof(struct vg_detach_args, ifname), VG_POS_IFACE | VG_POS_OPTIONAL },
	{ NULL, 0, 0 },
};

static int detach_check(void *o, char *err, size_t errlen)
{
	const struct vg_detach_args *a = o;

	if (!a->all == !a->ifname) {
		snprintf(err, errlen, "detach: %s", a->all ? "IFACE and --all: give one" :
			 "missing IFACE (or --all)");
		return -EINVAL;
	}
	return 0;
}

const struct vg_args vg_args_detach = {
	.size = sizeof(struct vg_detach_args),
	.opts = detach_opts,
	.pos = detach_pos,
	.check = detach_check,
};

static const struct vg_opt gc_opts[] = {
	{ "orphans", 0, NULL, VG_OPT_FLAG, offsetof(struct vg_gc_args, orphans), NULL,
	  "also take the filter off orphans (they drop every frame;\n"
	  "without it, their frames pass unchecked)" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

const struct vg_args vg_args_gc = {
	.size = sizeof(struct vg_gc_args),
	.opts = gc_opts,
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
		       a->spec.mode == VG_MODE_LOCKED ? "locked" : "disabled",
		       vg_attach_method(method), st->prog_id);
	}
}

int vg_cmd_attach(struct vg_out *out, void *opts)
{
	struct vg_attach_args *ap = opts, a = *ap;
	struct vg_policy old;
	struct vg_state st;
	char err[VG_ERRLEN + 64];
	uint32_t ifindex;
	bool update;
	int ret;

	ifindex = if_nametoindex(a.spec.ifname);
	if (!ifindex) {
		vg_out_err(out, "%s: cannot attach: %s", a.spec.ifname, strerror(errno));
		return EXIT_FAILURE;
	}
	ret = vg_state_open(&st, vg_cli_ctx(), VG_STATE_LOAD, err, sizeof(err));
	if (ret) {
		vg_out_err(out, "%s: %s", a.spec.ifname, err);
		return EXIT_FAILURE;
	}
	update = vg_state_policy(&st, ifindex, &old) == 0;
	ret = vg_state_apply(&st, &a.spec, &a.opts, err, sizeof(err));
	if (ret) {
		vg_state_close(&st);
		vg_out_err(out, "%s: %s", a.spec.ifname, err);
		return EXIT_FAILURE;
	}
	attach_print(out, &a, &st, ifindex, update);
	vg_state_close(&st);
	return EXIT_SUCCESS;
}

/* ---- detach -------------------------------------------------------------- */

static void detached_json(struct vg_json *j, const char *ifname,
			  const struct vg_detach_result *res)
{
	vg_json_kv_string(j, "ifname", ifname);
	vg_json_kv_bool(j, "detached", res->filter || res->entries);
	vg_json_kv_bool(j, "filter_removed", res->filter);
	vg_json_kv_uint(j, "entries_removed", res->entries);
}

static void detached_text(const char *ifname, const struct vg_detach_result *res)
{
	char name[4 * IF_NAMESIZE];

	vg_escape_text(name, sizeof(name), ifname);
	if (res->filter || res->entries)
		printf("%s: detached (%s, %u map entries removed)\n", name,
		       res->filter ? "filter removed" : "no filter was on it", res->entries);
	else
		printf("%s: nothing to detach (no filter, no entries)\n", name);
}

/* One interface of detach --all: its name, whether it is an orphan, and
 * what went or why not. */
struct detached {
	char ifname[IF_NAMESIZE];
	uint32_t ifindex;
	bool orphan;
	struct vg_detach_result res;
	char err[VG_ERRLEN];
};

static void detach_all_print(struct vg_out *out, const struct detached *d, size_t n,
			     unsigned int failed)
{
	struct vg_json *j;
	size_t i;

	if (!out->json) {
		for (i = 0; i < n; i++)
			if (d[i].err[0])
				vg_out_err(out, "%s: %s", d[i].ifname, d[i].err);
			else
				detached_text(d[i].ifname, &d[i].res);
		printf("detach --all: %zu interface(s) detached%s", n - failed,
		       n ? "" : " (nothing attached)");
		if (failed)
			printf(", %u failed", failed);
		putchar('\n');
		return;
	}
	/* Failures are in the one document, next to what went. */
	j = vg_out_json(out);
	vg_json_object_start(j);
	vg_json_kv_string(j, "root", vg_cli_ctx()->root);
	vg_json_name(j, "interfaces");
	vg_json_array_start(j);
	for (i = 0; i < n; i++) {
		vg_json_object_start(j);
		detached_json(j, d[i].ifname, &d[i].res);
		vg_json_kv_uint(j, "ifindex", d[i].ifindex);
		vg_json_kv_bool(j, "orphan", d[i].orphan);
		if (d[i].err[0])
			vg_json_kv_string(j, "error", d[i].err);
		vg_json_object_end(j);
	}
	vg_json_array_end(j);
	vg_json_kv_uint(j, "detached", n - failed);
	vg_json_kv_uint(j, "failed", failed);
	vg_json_object_end(j);
}

/* Every policy of the root, then every orphan. */
static int detach_all(struct vg_out *out, struct vg_state *st)
{
	struct vg_iface *v = NULL;
	struct vg_found *f = NULL;
	struct detached *d = NULL;
	size_t nv = 0, nf = 0, n = 0, i;
	unsigned int failed = 0;
	char err[VG_ERRLEN];

	if (vg_state_list(st, NULL, &v, &nv, err, sizeof(err)) ||
	    vg_state_scan(st, &f, &nf, err, sizeof(err))) {
		vg_out_err(out, "detach --all: %s", err);
		free(v);
		return EXIT_FAILURE;
	}
	d = calloc(nv + nf + 1, sizeof(*d));
	if (!d) {
		vg_out_err(out, "detach --all: %s", strerror(ENOMEM));
		free(v), free(f);
		return EXIT_FAILURE;
	}
	for (i = 0; i < nv; i++, n++) {
		d[n].ifindex = v[i].ifindex;
		snprintf(d[n].ifname, sizeof(d[n].ifname), "%.*s", VG_IFNAMSIZ - 1,
			 v[i].pol.ifname);
	}
	for (i = 0; i < nf; i++) {
		if (!f[i].ours || f[i].has_policy || (n && d[n - 1].ifindex == f[i].ifindex))
			continue;
		d[n].ifindex = f[i].ifindex;
		d[n].orphan = true;
		snprintf(d[n].ifname, sizeof(d[n].ifname), "%s", f[i].ifname);
		n++;
	}
	for (i = 0; i < n; i++)
		if (vg_state_detach_index(st, d[i].ifindex, &d[i].res, d[i].err,
					  sizeof(d[i].err)))
			failed++;
	detach_all_print(out, d, n, failed);
	free(d), free(v), free(f);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

int vg_cmd_detach(struct vg_out *out, void *opts)
{
	const struct vg_detach_args *a = opts;
	const char *what = a->all ? "detach --all" : a->ifname;
	struct vg_detach_result res;
	struct vg_state st;
	char err[VG_ERRLEN + 64];
	int ret;

	if (vg_state_open(&st, vg_cli_ctx(), VG_STATE_WRITE, err, sizeof(err))) {
		vg_out_err(out, "%s: %s", what, err);
		return EXIT_FAILURE;
	}
	if (a->all) {
		ret = detach_all(out, &st);
		vg_state_close(&st);
		return ret;
	}
	ret = vg_state_detach(&st, a->ifname, &res, err, sizeof(err));
	vg_state_close(&st);
	if (ret) {
		vg_out_err(out, "%s: %s", a->ifname, err);
		return EXIT_FAILURE;
	}
	if (out->json) {
		struct vg_json *j = vg_out_json(out);

		vg_json_object_start(j);
		detached_json(j, a->ifname, &res);
		vg_json_object_end(j);
	} else {
		detached_text(a->ifname, &res);
	}
	return EXIT_SUCCESS;
}

/* ---- gc -------------------------------------------------------------------------- */

static void gc_print(struct vg_out *out, const struct vg_gc_result *res, bool orphans,
		     unsigned int orphans_removed)
{
	if (out->json) {
		struct vg_json *j = vg_out_json(out);

		vg_json_object_start(j);
		vg_json_kv_uint(j, "interfaces_removed", res->ifaces);
		vg_json_kv_uint(j, "entries_removed", res->entries);
		vg_json_kv_uint(j, "renamed", res->renamed);
		vg_json_kv_uint(j, "filters_restored", res->repaired);
		vg_json_kv_uint(j, "orphans_removed", orphans_removed);
		vg_json_kv_uint(j, "orphans_kept", res->orphans);
		vg_json_object_end(j);
		return;
	}
	if (res->ifaces || res->entries || res->renamed || res->repaired) {
		printf("gc: %u interface(s) gone, %u map entries removed", res->ifaces,
		       res->entries);
		if (res->renamed)
			printf(", %u renamed interface(s) updated", res->renamed);
		if (res->repaired)
			printf(", filter put back on %u interface(s)", res->repaired);
		putchar('\n');
	} else if (!orphans_removed && !res->orphans) {
		printf("gc: nothing to remove\n");
	}
	if (orphans)
		printf("gc: filter taken off %u orphan(s)\n", orphans_removed);
	if (res->orphans)
		printf("gc: kept %u orphan(s): the program without a policy, dropping every "
		       "frame (vifguard show names them; gc --orphans removes them)\n",
		       res->orphans);
}

int vg_cmd_gc(struct vg_out *out, void *opts)
{
	const struct vg_gc_args *a = opts;
	unsigned int orphans_removed = 0;
	struct vg_gc_result res;
	struct vg_state st;
	char err[VG_ERRLEN + 64];
	int ret;

	if (vg_state_open(&st, vg_cli_ctx(), VG_STATE_WRITE, err, sizeof(err))) {
		vg_out_err(out, "%s", err);
		return EXIT_FAILURE;
	}
	ret = a->orphans ? vg_state_gc_orphans(&st, &orphans_removed, err, sizeof(err)) : 0;
	if (!ret)
		ret = vg_state_gc(&st, &res, err, sizeof(err));
	vg_state_close(&st);
	if (ret) {
		vg_out_err(out, "%s", err);
		return EXIT_FAILURE;
	}
	gc_print(out, &res, a->orphans, orphans_removed);
	return EXIT_SUCCESS;
}
