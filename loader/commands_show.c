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
#include <time.h>
#include <arpa/inet.h>
#include <net/if.h>

#include "cli_list.h"
#include "json.h"
#include "sanitize.h"

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

/* Who the policy belongs to: the operator (vifguard attach) or the Xen
 * sources (hotplug, setup-vif-rules, sync). */
static const char *set_by(const struct vg_iface *it)
{
	return it->pol.flags & VG_F_OPERATOR ? "attach" : "sources";
}

/* The IPv6 prefixes listed by the operator, or those derived from the
 * MACs (EUI-64 link-local addresses). */
static void json_v6(struct vg_json *j, const char *name, const struct vg_iface *it, bool derived)
{
	char buf[64];
	unsigned int i;

	vg_json_name(j, name);
	vg_json_array_start(j);
	for (i = 0; i < it->n_v6; i++) {
		if (it->v6_derived[i] != derived)
			continue;
		fmt_v6(&it->v6[i], buf, sizeof(buf));
		vg_json_string(j, buf);
	}
	vg_json_array_end(j);
}

static uint64_t mono_now(void)
{
	struct timespec ts;

	/* The programs' clock: bpf_ktime_get_ns(). */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Seconds since a link-local was learned. */
static uint64_t learned_age(const struct vg_learned *l, uint64_t now)
{
	return now > l->since_ns ? (now - l->since_ns) / 1000000000ULL : 0;
}

/* A lease: "never" (infinite), "expired" (past its end and grace: it
 * allows nothing, gc removes it) or "lease" with *left seconds to go,
 * rounded up. */
static const char *lease_expiry(const struct vg_learned *l, uint64_t now, uint64_t *left)
{
	*left = 0;
	if (l->since_ns == VG_LEASE_FOREVER)
		return "never";
	if (l->since_ns <= now)
		return "expired";
	*left = (l->since_ns - now + 999999999ULL) / 1000000000ULL;
	return "lease";
}

static const char *origin_name(unsigned int origin)
{
	return origin == VG_ORIGIN_DAD ? "dad" : origin == VG_ORIGIN_DHCP ? "dhcp" :
	       origin == VG_ORIGIN_FIRST ? "first" : origin == VG_ORIGIN_CONFIG ? "config" : "?";
}

static void learned_addr(const struct vg_learned *l, char *buf, size_t len)
{
	if (l->v4)
		inet_ntop(AF_INET, l->addr + 12, buf, (socklen_t)len);
	else
		inet_ntop(AF_INET6, l->addr, buf, (socklen_t)len);
}

/* The drops that refused to learn an address, as stats counts them;
 * shown for an interface whose policy learns. */
static const struct {
	int reason;
	const char *word;	/* in the text clause */
} learn_refusals[] = {
	{ VG_LEARN_PROTECTED, "protected" },
	{ VG_LEARN_CONFLICT, "conflict" },
	{ VG_LEARN_FULL, "full" },
};

static bool learns(const struct vg_iface *it)
{
	return it->pol.flags & (VG_F_LEARN_LL | VG_F_LEARN_DHCP | VG_F_LEARN_FIRST);
}

static void refused_json(struct vg_json *j, const struct vg_iface *it)
{
	unsigned int i;

	vg_json_name(j, "refused");
	vg_json_object_start(j);
	for (i = 0; i < sizeof(learn_refusals) / sizeof(learn_refusals[0]); i++)
		vg_json_kv_uint(j, vg_reason_key(learn_refusals[i].reason),
				it->stats.pkts[learn_refusals[i].reason]);
	vg_json_object_end(j);
}

/* "  learning refused: 2 conflict, 1 full", only when some were. */
static void refused_text(const struct vg_iface *it)
{
	unsigned int i, n = 0;

	for (i = 0; i < sizeof(learn_refusals) / sizeof(learn_refusals[0]); i++) {
		uint64_t c = it->stats.pkts[learn_refusals[i].reason];

		if (!c)
			continue;
		printf("%s %" PRIu64 " %s", n++ ? "," : "  learning refused:", c,
		       learn_refusals[i].word);
	}
	if (n)
		putchar('\n');
}

static void learning_json(struct vg_json *j, const struct vg_iface *it)
{
	char a[INET6_ADDRSTRLEN];
	uint64_t now = mono_now(), left;
	unsigned int i;

	vg_json_name(j, "learning");
	vg_json_object_start(j);
	vg_json_kv_bool(j, "link_local", it->pol.flags & VG_F_LEARN_LL);
	vg_json_kv_uint(j, "capacity", VG_LEARN_LL_CAP);
	vg_json_kv_bool(j, "dhcp", it->pol.flags & VG_F_LEARN_DHCP);
	vg_json_kv_uint(j, "dhcp4_capacity", VG_LEARN_DHCP4_CAP);
	vg_json_kv_uint(j, "dhcp6_capacity", VG_LEARN_DHCP6_CAP);
	vg_json_kv_bool(j, "first", it->pol.flags & VG_F_LEARN_FIRST);
	if (it->has_window) {
		vg_json_name(j, "window");
		vg_json_object_start(j);
		vg_json_kv_bool(j, "open", it->window_end_ns > now);
		vg_json_kv_uint(j, "ends_in_s", it->window_end_ns > now ?
				(it->window_end_ns - now + 999999999ULL) / 1000000000ULL : 0);
		vg_json_object_end(j);
	}
	if (learns(it))
		refused_json(j, it);
	vg_json_object_end(j);
	vg_json_name(j, "learned");
	vg_json_array_start(j);
	for (i = 0; i < it->n_learned; i++) {
		const struct vg_learned *l = &it->learned[i];

		learned_addr(l, a, sizeof(a));
		vg_json_object_start(j);
		vg_json_kv_string(j, "address", a);
		vg_json_kv_string(j, "family", l->v4 ? "ipv4" : "ipv6");
		vg_json_kv_string(j, "origin", origin_name(l->origin));
		if (l->origin == VG_ORIGIN_DHCP || l->origin == VG_ORIGIN_FIRST) {
			vg_json_kv_string(j, "expiry", lease_expiry(l, now, &left));
			vg_json_kv_uint(j, "expires_in_s", left);
		} else {
			vg_json_kv_uint(j, "since_s", learned_age(l, now));
		}
		vg_json_kv_uint(j, "slot", l->slot);
		vg_json_object_end(j);
	}
	vg_json_array_end(j);
}

/* The rest of "ADDR (": when a lease or first-use address ends (a
 * first-use address later if the guest uses it). */
static void lease_text(const struct vg_learned *l, uint64_t now)
{
	uint64_t left;
	const char *e = lease_expiry(l, now, &left);

	if (!strcmp(e, "lease"))
		printf("expires in %" PRIu64 "s%s)", left,
		       l->origin == VG_ORIGIN_FIRST ? " unless used" : "");
	else if (!strcmp(e, "never"))
		printf("never expires)");
	else
		printf("expired)");
}

/* Three lines: the link-locals learned by DAD, the leases learned by
 * DHCP, the addresses trusted on first use. */
static void learning_text(const struct vg_iface *it)
{
	char a[INET6_ADDRSTRLEN];
	uint64_t now = mono_now();
	unsigned int i, n = 0;

	printf("  learning: link-local %s", it->pol.flags & VG_F_LEARN_LL ? "on" : "off");
	for (i = 0; i < it->n_learned; i++) {
		const struct vg_learned *l = &it->learned[i];

		if (l->origin == VG_ORIGIN_DHCP || l->origin == VG_ORIGIN_FIRST)
			continue;
		learned_addr(l, a, sizeof(a));
		printf("%s %s (%s, %" PRIu64 "s ago)", n++ ? "" : ", learned:", a,
		       origin_name(l->origin), learned_age(l, now));
	}
	printf("\n  dhcp learning: %s", it->pol.flags & VG_F_LEARN_DHCP ? "on" : "off");
	for (i = 0, n = 0; i < it->n_learned; i++) {
		const struct vg_learned *l = &it->learned[i];

		if (l->origin != VG_ORIGIN_DHCP)
			continue;
		learned_addr(l, a, sizeof(a));
		printf("%s %s (", n++ ? "" : ", leased:", a);
		lease_text(l, now);
	}
	printf("\n  first-use learning: %s", it->pol.flags & VG_F_LEARN_FIRST ? "on" : "off");
	if (it->has_window && it->window_end_ns > now)
		printf(", learning window until %" PRIu64 "s from now",
		       (uint64_t)((it->window_end_ns - now + 999999999ULL) / 1000000000ULL));
	else if (it->has_window)
		printf(", learning window ended");
	for (i = 0, n = 0; i < it->n_learned; i++) {
		const struct vg_learned *l = &it->learned[i];

		if (l->origin != VG_ORIGIN_FIRST)
			continue;
		learned_addr(l, a, sizeof(a));
		printf("%s %s (", n++ ? "" : ", learned:", a);
		lease_text(l, now);
	}
	putchar('\n');
	if (learns(it))
		refused_text(it);
}

static void show_json(struct vg_json *j, const struct vg_iface *it, const struct vg_ident *id,
		      uint32_t pinned_id, uint32_t pinned_out_id)
{
	char buf[64], nbuf[IF_NAMESIZE];
	unsigned int i, f;

	vg_json_object_start(j);
	vg_json_kv_string(j, "ifname", vg_list_name(it, nbuf));
	vg_json_kv_uint(j, "ifindex", it->ifindex);
	vg_json_kv_bool(j, "present", it->present);
	if (it->cur_name[0] && !it->present)
		vg_json_kv_string(j, "current_name", it->cur_name);
	vg_json_kv_string(j, "mode", vg_mode_name(it->pol.mode));
	vg_json_kv_string(j, "set_by", set_by(it));
	vg_list_ident_json(j, it, id);
	vg_json_name(j, "macs");
	vg_json_array_start(j);
	for (i = 0; i < it->pol.n_macs && i < VG_MAX_MACS; i++) {
		vg_fmt_mac(it->pol.macs[i], buf, sizeof(buf));
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
	json_v6(j, "ipv6", it, false);
	json_v6(j, "ipv6_link_local", it, true);
	vg_json_name(j, "flags");
	vg_json_array_start(j);
	for (f = 1; f <= VG_F_V6_TABLE; f <<= 1)
		if ((it->pol.flags & f) && vg_flag_name(f))
			vg_json_string(j, vg_flag_name(f));
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
	learning_json(j, it);
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
	/* The egress program, which feeds address learning. */
	vg_json_kv_bool(j, "egress_on_device", it->egress_present);
	if (it->egress_present) {
		vg_json_kv_uint(j, "egress_prog_id", it->egress_prog_id);
		vg_json_kv_bool(j, "current_egress_prog", it->egress_prog_id == pinned_out_id);
	}
	vg_json_object_end(j);
	vg_json_object_end(j);
}

static void show_text(const struct vg_iface *it, const struct vg_ident *id, uint32_t pinned_id,
		      uint32_t pinned_out_id)
{
	char buf[64], nbuf[IF_NAMESIZE];
	unsigned int i, f;
	bool any;

	/* The kernel allows control bytes in interface names. */
	char name[4 * IF_NAMESIZE];

	printf("%s: ifindex %u, %s", vg_escape_text(name, sizeof(name), vg_list_name(it, nbuf)),
	       it->ifindex, vg_list_mode(it));
	if (!it->present)
		printf(", device %s%s%s", vg_list_device_state(it), it->cur_name[0] ? " as " : "",
		       vg_escape_text(name, sizeof(name), it->cur_name));
	printf("\n  attach: %s", vg_attach_method(it->pol.attach));
	if (it->pol.attach & VG_ATTACH_OWN_CLSACT)
		printf(" (own clsact)");
	if (it->filter_present)
		printf(", on device, prog %u%s\n", it->filter_prog_id,
		       it->filter_prog_id == pinned_id ? "" : " (not the pinned program)");
	else
		printf(", NOT on device\n");
	if (it->egress_present)
		printf("  egress: on device, prog %u%s\n", it->egress_prog_id,
		       it->egress_prog_id == pinned_out_id ? "" : " (not the pinned program)");
	else
		printf("  egress: NOT on device (learned addresses are not revoked)\n");
	vg_list_ident_text(it, id);
	printf("  mac:");
	for (i = 0; i < it->pol.n_macs && i < VG_MAX_MACS; i++) {
		vg_fmt_mac(it->pol.macs[i], buf, sizeof(buf));
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
	for (f = 1; f <= VG_F_V6_TABLE; f <<= 1)
		if ((it->pol.flags & f) && vg_flag_name(f)) {
			printf(" %s", vg_flag_name(f));
			any = true;
		}
	printf("%s\n", any ? "" : " none");
	learning_text(it);
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


/* The first of the addresses given (not the derived link-locals), and
 * how many more. */
static void first_addr(const struct vg_iface *it, char *buf, size_t len)
{
	unsigned int i, n = 0;
	char a[64] = "";

	for (i = 0; i < it->n_v4; i++, n++)
		if (!n)
			fmt_v4(&it->v4[i], a, sizeof(a));
	for (i = 0; i < it->n_v6; i++) {
		if (it->v6_derived[i])
			continue;
		if (!n++)
			fmt_v6(&it->v6[i], a, sizeof(a));
	}
	if (n > 1)
		snprintf(buf, len, "%s +%u", a, n - 1);
	else
		snprintf(buf, len, "%s", n ? a : "-");
}

static void filter_cell(const struct vg_iface *it, uint32_t pinned_id, char *buf, size_t len)
{
	if (!it->present)
		snprintf(buf, len, "device %s", vg_list_device_state(it));
	else if (!it->filter_present)
		snprintf(buf, len, "NOT ON DEVICE");
	else if (it->filter_prog_id != pinned_id)
		snprintf(buf, len, "%s, prog %u (not the pinned one)",
			 vg_attach_method(it->pol.attach), it->filter_prog_id);
	else
		snprintf(buf, len, "%s", vg_attach_method(it->pol.attach));
}

static const char *const show_heads[] = {
	"IFACE", "DOM", "VM", "MODE", "SOURCE", "MAC", "ADDRESSES", "FILTER", NULL,
};

/* One line per interface. */
static void show_table(const struct listing *l)
{
	char nbuf[IF_NAMESIZE];
	struct vg_table t;
	size_t i;

	vg_table_init(&t, show_heads);
	for (i = 0; i < l->n; i++) {
		const struct vg_iface *it = &l->v[i];
		const char *src = vg_list_source(it);
		char (*r)[VG_TABLE_CELL] = vg_table_row(&t);

		if (!r)
			break;
		vg_escape_text(r[0], VG_TABLE_CELL, vg_list_name(it, nbuf));
		vg_list_dom_vm(&l->id[i], r[1], VG_TABLE_CELL, r[2], VG_TABLE_CELL);
		snprintf(r[3], VG_TABLE_CELL, "%s", vg_list_mode(it));
		snprintf(r[4], VG_TABLE_CELL, "%s", src ? src : "sources");
		if (it->pol.n_macs)
			vg_fmt_mac(it->pol.macs[0], r[5], VG_TABLE_CELL);
		else
			snprintf(r[5], VG_TABLE_CELL, "-");
		if (it->pol.n_macs > 1)
			snprintf(r[5] + strlen(r[5]), VG_TABLE_CELL - strlen(r[5]), " +%u",
				 it->pol.n_macs - 1);
		first_addr(it, r[6], VG_TABLE_CELL);
		filter_cell(it, l->prog_id, r[7], VG_TABLE_CELL);
	}
	vg_table_print(&t);
}

static void list_json(struct vg_json *j, const struct listing *l)
{
	size_t i;

	vg_json_object_start(j);
	vg_list_json_head(j, l);
	vg_json_kv_uint_or_null(j, "prog_id", l->prog_id, l->prog_id);
	vg_json_name(j, "interfaces");
	vg_json_array_start(j);
	for (i = 0; i < l->n; i++)
		show_json(j, &l->v[i], &l->id[i], l->prog_id, l->prog_out_id);
	vg_json_array_end(j);
	vg_list_unmanaged_json(j, l);
	vg_json_object_end(j);
}

/*
 * One IFACE that has no entries is not an error if the device exists
 * (it is simply not attached); one that neither exists nor has entries
 * is (vg_list_read).
 */
int vg_cmd_show(struct vg_out *out, void *opts)
{
	struct listing l = { .a = opts };
	size_t i;

	if (vg_list_read_once(out, &l))
		return EXIT_FAILURE;
	if (out->json)
		list_json(vg_out_json_at(out, &l.real), &l);
	else if (!l.n && !l.nfound)
		printf("%s\n", l.a->ifname ? "not attached" : "no interfaces attached");
	else if (l.a->verbose || l.a->ifname)
		for (i = 0; i < l.n; i++)
			show_text(&l.v[i], &l.id[i], l.prog_id, l.prog_out_id);
	else if (l.n)
		show_table(&l);
	if (!out->json)
		vg_list_unmanaged_text(&l);
	vg_list_free(&l);
	return EXIT_SUCCESS;
}
