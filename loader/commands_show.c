// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * show and stats: the policies, attach state and counters the state
 * library lists, as text or JSON.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>

#include "cli.h"
#include "json.h"
#include "sanitize.h"

static const struct vg_pos list_pos[] = {
	{ "IFACE", offsetof(struct vg_iface_args, ifname), VG_POS_IFACE | VG_POS_OPTIONAL },
	{ NULL, 0, 0 },
};

const struct vg_args vg_args_list = {
	.size = sizeof(struct vg_iface_args),
	.pos = list_pos,
};

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
	vg_json_kv_string(j, "method", vg_attach_method(it->pol.attach));
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
	printf("\n  attach: %s", vg_attach_method(it->pol.attach));
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

/* What show and stats print, read under one shared lock. */
struct listing {
	const char *ifname;	/* IFACE, or NULL: every interface */
	bool stats;
	struct vg_iface *v;
	size_t n;
	struct vg_stats orph, tot;
	bool drops_full;
	uint32_t prog_id;
	const char *root;
	/* Devices with vifguard's program that have no policy here:
	 * orphans (this root's program) and other roots' (vg_state_scan). */
	struct vg_found *found;
	size_t nfound;
};

/* Keeps the devices show and stats name besides the policies: orphans
 * and other roots' programs, IFACE's only when one is given. */
static int unmanaged_scan(struct vg_state *st, struct listing *l, char *err, size_t errlen)
{
	size_t i, n = 0;
	int ret;

	ret = vg_state_scan(st, &l->found, &l->nfound, err, errlen);
	for (i = 0; !ret && i < l->nfound; i++) {
		const struct vg_found *f = &l->found[i];

		if ((f->ours && f->has_policy) || (l->ifname && strcmp(f->ifname, l->ifname)))
			continue;
		l->found[n++] = *f;
	}
	l->nfound = n;
	return ret;
}

static void unmanaged_json(struct vg_json *j, const struct listing *l, bool orphans)
{
	size_t i;

	vg_json_name(j, orphans ? "orphan_interfaces" : "foreign_interfaces");
	vg_json_array_start(j);
	for (i = 0; i < l->nfound; i++) {
		const struct vg_found *f = &l->found[i];

		if (f->ours != orphans)
			continue;
		vg_json_object_start(j);
		vg_json_kv_string(j, "ifname", f->ifname);
		vg_json_kv_uint(j, "ifindex", f->ifindex);
		vg_json_kv_string(j, "method", vg_attach_method(f->kind));
		vg_json_kv_uint(j, "prog_id", f->prog_id);
		vg_json_object_end(j);
	}
	vg_json_array_end(j);
}

static void unmanaged_text(const struct listing *l)
{
	char name[4 * IF_NAMESIZE];
	size_t i;

	for (i = 0; i < l->nfound; i++) {
		const struct vg_found *f = &l->found[i];

		vg_escape_text(name, sizeof(name), f->ifname);
		printf("%s: ifindex %u, ", name, f->ifindex);
		if (f->ours)
			printf("ORPHAN: vifguard's program (%s, prog %u) without a policy, so "
			       "it drops every frame; `vifguard attach %s ...` gives it one, "
			       "`vifguard detach %s` or `vifguard gc --orphans` takes the filter "
			       "off\n", vg_attach_method(f->kind), f->prog_id, name, name);
		else
			printf("filtered by the vifguard program of another state root (%s, "
			       "prog %u), not of %s: read it with that root (-r DIR)\n",
			       vg_attach_method(f->kind), f->prog_id, l->root);
	}
}

static void stats_json(struct vg_json *j, const struct vg_iface *it)
{
	vg_json_object_start(j);
	vg_json_kv_string(j, "ifname", iface_name(it));
	vg_json_kv_uint(j, "ifindex", it->ifindex);
	vg_json_kv_bool(j, "present", it->present);
	vg_json_kv_uint(j, "passed", it->stats.pkts[VG_PASS]);
	vg_json_kv_uint(j, "dropped", drops_of(&it->stats));
	vg_json_name(j, "counters");
	counters_json(j, &it->stats, VG_PASS);
	vg_json_object_end(j);
}

static void list_json(struct vg_json *j, const struct listing *l)
{
	size_t i;

	vg_json_object_start(j);
	if (!l->stats) {
		vg_json_kv_string(j, "root", l->root);
		vg_json_name(j, "prog_id");
		if (l->prog_id)
			vg_json_uint(j, l->prog_id);
		else
			vg_json_null(j);
	}
	vg_json_name(j, "interfaces");
	vg_json_array_start(j);
	for (i = 0; i < l->n; i++) {
		if (l->stats)
			stats_json(j, &l->v[i]);
		else
			show_json(j, &l->v[i], l->prog_id);
	}
	vg_json_array_end(j);
	unmanaged_json(j, l, true);
	unmanaged_json(j, l, false);
	if (l->stats && !l->ifname) {
		vg_json_name(j, "orphans");
		counters_json(j, &l->orph, VG_PASS);
		vg_json_name(j, "totals");
		counters_json(j, &l->tot, VG_PASS + 1);
		vg_json_kv_bool(j, "drop_counters_full", l->drops_full);
	}
	vg_json_object_end(j);
}

static void stats_text(const struct vg_iface *it)
{
	char name[4 * IF_NAMESIZE];

	printf("%s: ifindex %u%s%s, %llu passed, %llu dropped\n",
	       vg_escape_text(name, sizeof(name), iface_name(it)), it->ifindex,
	       it->present ? "" : ", device ", it->present ? "" : device_state(it),
	       (unsigned long long)it->stats.pkts[VG_PASS], drops_of(&it->stats));
	counters_text(&it->stats, VG_PASS);
}

static void list_text(const struct listing *l)
{
	size_t i;

	if (!l->n && !l->nfound)
		printf("%s\n", l->ifname ? "not attached" : "no interfaces attached");
	for (i = 0; i < l->n; i++) {
		if (l->stats)
			stats_text(&l->v[i]);
		else
			show_text(&l->v[i], l->prog_id);
	}
	unmanaged_text(l);
	if (!l->stats || l->ifname)
		return;
	printf("orphans (interfaces with the program and no policy): %llu dropped\n",
	       (unsigned long long)l->orph.pkts[VG_NO_POLICY]);
	printf("totals (this host, since the maps were created): %llu dropped\n",
	       drops_of(&l->tot));
	counters_text(&l->tot, VG_PASS + 1);
	if (l->drops_full)
		printf("warning: the per-interface drop counters are full (%u); "
		       "new ones are counted in the totals only\n", VG_MAX_DROP_COUNTERS);
}

/*
 * show and stats: one IFACE that has no entries is not an error if the
 * device exists (it is simply not attached); one that neither exists
 * nor has entries is.
 */
static int list_cmd(struct vg_out *out, const char *ifname, bool stats)
{
	struct listing l = { .ifname = ifname, .stats = stats };
	char err[VG_ERRLEN + 64];
	struct vg_state st;

	if (vg_state_open(&st, vg_cli_ctx(), VG_STATE_READ, err, sizeof(err))) {
		vg_out_err(out, "%s", err);
		return EXIT_FAILURE;
	}
	if (vg_state_list(&st, ifname, &l.v, &l.n, err, sizeof(err)) ||
	    unmanaged_scan(&st, &l, err, sizeof(err))) {
		vg_state_close(&st);
		vg_out_err(out, "%s", err);
		free(l.v);
		free(l.found);
		return EXIT_FAILURE;
	}
	vg_state_totals(&st, &l.tot, &l.drops_full);
	l.orph.pkts[VG_NO_POLICY] = l.tot.pkts[VG_NO_POLICY];
	l.prog_id = st.prog_id;
	l.root = st.root;
	vg_state_close(&st);
	if (ifname && !l.n && !if_nametoindex(ifname)) {
		vg_out_err(out, "%s: no such interface, and no entries under that name", ifname);
		free(l.v);
		free(l.found);
		return EXIT_FAILURE;
	}
	if (out->json)
		list_json(vg_out_json(out), &l);
	else
		list_text(&l);
	free(l.v);
	free(l.found);
	return EXIT_SUCCESS;
}

int vg_cmd_show(struct vg_out *out, void *opts)
{
	return list_cmd(out, ((struct vg_iface_args *)opts)->ifname, false);
}

int vg_cmd_stats(struct vg_out *out, void *opts)
{
	return list_cmd(out, ((struct vg_iface_args *)opts)->ifname, true);
}
