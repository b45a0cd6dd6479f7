// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * dump: every pinned map decoded, entry by entry, as the program reads
 * it (bpftool shows the same maps as numbers).  Text is one line per
 * entry of NAME=VALUE fields, a list joined with commas; JSON has the
 * same names, lists as arrays.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sanitize.h"
#include "state.h"
#include "vifguard_user.h"

const char vg_help_dump[] =
"Usage: vifguard dump [MAP]\n"
"\n"
"Prints every entry of vifguard's pinned maps (or of MAP: policy,\n"
"policy_spill, v4_addrs, v6_addrs, passes, drops, totals, events, ev_config,\n"
"ev_limit, layout, learned6, learn_slots, protected6, learned4, lease_slots,\n"
"learn_cfg, parked) as the program reads it, decoded: modes, flags, reasons by name,\n"
"addresses and MACs as such.  Free array entries and zero counters are left\n"
"out; counters are summed over CPUs; ev_config shows the events' limit in\n"
"force, the defaults until one is set.  For show's view of an interface, see\n"
"show and stats.\n";

struct dump_args {
	const char *map;
};

static int dump_check(void *o, char *err, size_t errlen)
{
	struct dump_args *a = o;
	int m;

	for (m = 0; a->map && m < VG_MAP_N; m++)
		if (!strcmp(a->map, vg_map_names[m]))
			return 0;
	if (!a->map)
		return 0;
	snprintf(err, errlen, "dump: '%s': no such map (policy, policy_spill, v4_addrs, "
		 "v6_addrs, passes, drops, totals, events, ev_config, ev_limit, layout, learned6, "
		 "learn_slots, protected6, learned4, lease_slots, learn_cfg, parked)", a->map);
	return -EINVAL;
}

static const struct vg_pos dump_pos[] = {
	{ "MAP", offsetof(struct dump_args, map), VG_POS_OPTIONAL },
	{ NULL, 0, 0 },
};

const struct vg_args vg_args_dump = {
	.size = sizeof(struct dump_args), .pos = dump_pos, .check = dump_check,
};

/* ---- one entry's fields, as text or JSON -------------------------------- */

struct dump_out {
	struct vg_json *j;	/* NULL: text */
	bool first;		/* no field of the entry written yet */
	unsigned int n;		/* entries of the map so far */
};

static void ent_begin(struct dump_out *d)
{
	d->first = true;
	d->n++;
	if (d->j)
		vg_json_object_start(d->j);
	else
		fputs(" ", stdout);
}

static void ent_end(struct dump_out *d)
{
	if (d->j)
		vg_json_object_end(d->j);
	else
		putchar('\n');
}

static void field_name(struct dump_out *d, const char *name)
{
	if (!d->j)
		printf(" %s=", name);
	d->first = false;
}

static void f_uint(struct dump_out *d, const char *name, uint64_t v)
{
	field_name(d, name);
	if (d->j)
		vg_json_kv_uint(d->j, name, v);
	else
		printf("%llu", (unsigned long long)v);
}

static void f_str(struct dump_out *d, const char *name, const char *s)
{
	char esc[4 * VG_IFNAMSIZ + 1];

	field_name(d, name);
	if (d->j)
		vg_json_kv_string(d->j, name, s);
	else	/* a device name may hold control characters */
		fputs(*s ? vg_escape_text(esc, sizeof(esc), s) : "-", stdout);
}

/* A list of n strings of stride bytes each, from items. */
static void f_list(struct dump_out *d, const char *name, const char *items, size_t stride,
		   unsigned int n)
{
	unsigned int i;

	field_name(d, name);
	if (d->j) {
		vg_json_name(d->j, name);
		vg_json_array_start(d->j);
	}
	for (i = 0; i < n; i++) {
		if (d->j)
			vg_json_string(d->j, items + i * stride);
		else
			printf("%s%s", i ? "," : "", items + i * stride);
	}
	if (d->j)
		vg_json_array_end(d->j);
	else if (!n)
		putchar('-');
}

/* ---- decoding ------------------------------------------------------------ */

#define ITEM 48		/* one formatted list item: an IPv6 address at most */

/* The names of the bits set in v (and "0xN" for each bit without one). */
static unsigned int bit_names(unsigned int v, const char *(*name)(unsigned int bit),
			      char (*out)[ITEM])
{
	unsigned int k = 0, bit;

	for (bit = 1; bit && bit <= v; bit <<= 1) {
		if (!(v & bit))
			continue;
		if (name(bit))
			snprintf(out[k++], ITEM, "%s", name(bit));
		else
			snprintf(out[k++], ITEM, "0x%x", bit);
	}
	return k;
}

static void f_bits(struct dump_out *d, const char *name, unsigned int v,
		   const char *(*bit_name)(unsigned int bit))
{
	char items[16][ITEM];

	f_list(d, name, items[0], ITEM, bit_names(v & 0xffff, bit_name, items));
}

/* The policy's flags by name, the operator's mark included. */
static const char *flag_name(unsigned int bit)
{
	return bit == VG_F_OPERATOR ? "operator" : vg_flag_name(bit);
}

static void policy_fields(struct dump_out *d, const struct vg_policy *p)
{
	char items[VG_MAX_MACS + VG_MAX_ETHERTYPES][ITEM], name[VG_IFNAMSIZ + 1];
	unsigned int i, k;
	const uint8_t *m;

	memcpy(name, p->ifname, VG_IFNAMSIZ);
	name[VG_IFNAMSIZ] = '\0';
	f_str(d, "ifname", name);
	f_str(d, "mode", vg_mode_name(p->mode));
	f_uint(d, "gen", p->gen);
	f_uint(d, "slot", p->slot);
	f_bits(d, "attach", p->attach, vg_attach_name);
	f_bits(d, "flags", p->flags, flag_name);
	for (i = 0; i < p->n_macs && i < VG_MAX_MACS; i++) {
		m = p->macs[i];
		snprintf(items[i], ITEM, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
			 m[4], m[5]);
	}
	f_list(d, "macs", items[0], ITEM, i);
	/* Unused inline addresses are zero. */
	for (i = k = 0; i < VG_INLINE_V4; i++)
		if (p->v4[i])
			inet_ntop(AF_INET, &p->v4[i], items[k++], ITEM);
	f_list(d, "ipv4", items[0], ITEM, k);
	for (i = k = 0; i < VG_INLINE_V6; i++)
		if (p->v6[i][0] | p->v6[i][1] | p->v6[i][2] | p->v6[i][3])
			inet_ntop(AF_INET6, p->v6[i], items[k++], ITEM);
	f_list(d, "ipv6", items[0], ITEM, k);
	for (i = k = 0; i < VG_MAX_ETHERTYPES; i++)
		if (p->ethertypes[i])
			snprintf(items[k++], ITEM, "0x%04x", ntohs(p->ethertypes[i]));
	f_list(d, "ethertypes", items[0], ITEM, k);
}

static int dump_ent(const struct vg_dump_ent *e, void *arg)
{
	struct dump_out *d = arg;
	char a[ITEM], pfx[ITEM + 12];

	ent_begin(d);
	switch (e->map) {
	case VG_MAP_POLICY:
		f_uint(d, "index", e->key);
		f_uint(d, "ifindex", e->entry->ifindex);
		/* A retired entry: out of force, freed after a grace period. */
		f_str(d, "state", e->entry->live ? "live" : "retired");
		f_uint(d, "seq", e->entry->seq);
		policy_fields(d, &e->entry->pol);
		break;
	case VG_MAP_SPILL:
		f_uint(d, "ifindex", e->key);
		policy_fields(d, e->pol);
		break;
	case VG_MAP_V4_ADDRS:
	case VG_MAP_V6_ADDRS:
		f_uint(d, "ifindex", e->addr->ifindex);
		f_uint(d, "gen", e->addr->gen);
		inet_ntop(e->map == VG_MAP_V4_ADDRS ? AF_INET : AF_INET6, e->addr->addr, a,
			  sizeof(a));
		snprintf(pfx, sizeof(pfx), "%s/%u", a, e->addr->len);
		f_str(d, "prefix", pfx);
		break;
	case VG_MAP_PASSES:
		f_uint(d, "slot", e->key);
		f_uint(d, "packets", e->count);
		break;
	case VG_MAP_DROPS:
		f_uint(d, "ifindex", e->drop->ifindex);
		f_str(d, "reason", vg_reason_name(e->drop->reason));
		f_uint(d, "packets", e->count);
		break;
	case VG_MAP_TOTALS:
		f_str(d, "reason", vg_reason_name(e->key % VG_TOTALS_CARRIED));
		f_uint(d, "packets", e->count);
		if (e->key >= VG_TOTALS_CARRIED)
			f_str(d, "counted_by", "older layout");
		break;
	case VG_MAP_META:
		f_uint(d, "layout", e->meta->layout);
		snprintf(a, sizeof(a), "%016llx", (unsigned long long)e->meta->object);
		f_str(d, "object", a);
		f_str(d, "version", e->meta->version);
		break;
	case VG_MAP_EV_CONFIG:
		f_uint(d, "cost_ns", e->cfg->cost_ns);
		f_uint(d, "burst", e->cfg->burst);
		f_str(d, "source", e->count ? "default" : "set");
		break;
	case VG_MAP_EV_LIMIT:
		f_uint(d, "ifindex", e->drop->ifindex);
		f_str(d, "reason", vg_reason_name(e->drop->reason));
		f_uint(d, "credit_ns", e->bucket->credit_ns);
		f_uint(d, "suppressed", e->count);
		break;
	case VG_MAP_LEARNED6:
	case VG_MAP_LEARNED4:
		if (e->map == VG_MAP_LEARNED4)
			inet_ntop(AF_INET, e->addr4, a, sizeof(a));
		else
			inet_ntop(AF_INET6, e->addr6, a, sizeof(a));
		f_str(d, "address", a);
		f_uint(d, "ifindex", e->owner->ifindex);
		f_str(d, "origin", e->owner->origin == VG_ORIGIN_DAD ? "dad" :
		      e->owner->origin == VG_ORIGIN_DHCP ? "dhcp" :
		      e->owner->origin == VG_ORIGIN_FIRST ? "first" :
		      e->owner->origin == VG_ORIGIN_CONFIG ? "config" : "none");
		f_uint(d, "slot", e->owner->slot);
		/* One field, two meanings (include/vifguard.h). */
		if (e->owner->origin == VG_ORIGIN_DHCP || e->owner->origin == VG_ORIGIN_FIRST)
			f_uint(d, "expires_ns", e->owner->expires_ns);
		else
			f_uint(d, "since_ns", e->owner->since_ns);
		break;
	case VG_MAP_LEARN_SLOTS:
	case VG_MAP_LEASE_SLOTS:
		f_uint(d, "ifindex", e->slot_key->ifindex);
		f_uint(d, "slot", e->slot_key->slot);
		/* lease_slots: the first VG_LEARN_DHCP4_CAP hold IPv4 leases. */
		if (e->map == VG_MAP_LEASE_SLOTS && e->slot_key->slot < VG_LEARN_DHCP4_CAP)
			inet_ntop(AF_INET, &e->slot->a.addr[3], a, sizeof(a));
		else
			inet_ntop(AF_INET6, &e->slot->a, a, sizeof(a));
		f_str(d, "address", a);
		f_uint(d, e->map == VG_MAP_LEASE_SLOTS ? "expires_ns" : "since_ns",
		       e->slot->since_ns);
		break;
	case VG_MAP_LEARN_CFG:
		f_uint(d, "dhcp_grace_s", e->learn_cfg->dhcp_grace_s);
		f_uint(d, "first_lease_s", e->learn_cfg->first_lease_s);
		break;
	case VG_MAP_PARKED: {
		const struct vg_park_key *k = e->park_key;
		char vm[40], mac[18];

		snprintf(vm, sizeof(vm), "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
			 "%02x%02x%02x%02x%02x%02x", k->vm[0], k->vm[1], k->vm[2], k->vm[3],
			 k->vm[4], k->vm[5], k->vm[6], k->vm[7], k->vm[8], k->vm[9], k->vm[10],
			 k->vm[11], k->vm[12], k->vm[13], k->vm[14], k->vm[15]);
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", k->mac[0],
			 k->mac[1], k->mac[2], k->mac[3], k->mac[4], k->mac[5]);
		f_str(d, "vm", vm);
		f_uint(d, "devid", k->devid);
		f_str(d, "mac", mac);
		if (k->a.addr[0] == 0 && k->a.addr[1] == 0 && k->a.addr[2] == htonl(0xffff))
			inet_ntop(AF_INET, &k->a.addr[3], a, sizeof(a));
		else
			inet_ntop(AF_INET6, &k->a, a, sizeof(a));
		f_str(d, "address", a);
		f_str(d, "origin", e->park->origin == VG_ORIGIN_DHCP ? "dhcp" :
		      e->park->origin == VG_ORIGIN_FIRST ? "first" : "none");
		f_uint(d, "expires_ns", e->park->expires_ns);
		break;
	}
	case VG_MAP_PROTECTED6:
		inet_ntop(AF_INET6, e->addr6, a, sizeof(a));
		f_str(d, "address", a);
		f_str(d, "why", e->protect->why == VG_PROTECT_CONFIG ? "config" :
		      e->protect->why == VG_PROTECT_BRIDGE ? "bridge" :
		      e->protect->why == VG_PROTECT_RA ? "router-advert" : "none");
		f_uint(d, "ifindex", e->protect->ifindex);
		f_uint(d, "since_ns", e->protect->since_ns);
		break;
	default:
		break;
	}
	ent_end(d);
	return 0;
}

/* ---- the command --------------------------------------------------------- */

/* What each map is, for the text's heading. */
static const struct {
	enum vg_map_id id;
	const char *kind;
} map_kinds[] = {
	{ VG_MAP_POLICY, "array, key ifindex modulo its size; free entries left out" },
	{ VG_MAP_SPILL, "hash, key ifindex: policies whose array entry another holds" },
	{ VG_MAP_V4_ADDRS, "LPM trie: IPv4 addresses beyond the policy's own" },
	{ VG_MAP_V6_ADDRS, "LPM trie: IPv6 addresses beyond the policy's own" },
	{ VG_MAP_PASSES, "per-CPU array, key the policy's slot: frames passed; zeros left out" },
	{ VG_MAP_DROPS, "per-CPU hash, key ifindex and reason: frames dropped" },
	{ VG_MAP_TOTALS, "per-CPU array: every drop on the host by reason, and what an "
			 "older layout had counted; zeros left out" },
	{ VG_MAP_EVENTS, "perf event array: the drop events, read by monitor; not dumped" },
	{ VG_MAP_EV_CONFIG, "array: the events' rate limit in force" },
	{ VG_MAP_EV_LIMIT, "hash, key ifindex and reason: the events' token buckets" },
	{ VG_MAP_META, "array: the maps' layout and the build the program came from" },
	{ VG_MAP_LEARNED6, "hash, key an IPv6 address: the interface that learned it "
			   "(dad) or configures it (config)" },
	{ VG_MAP_LEARN_SLOTS, "hash, key ifindex and slot: the addresses each interface "
			      "learned" },
	{ VG_MAP_PROTECTED6, "hash, key an IPv6 address: addresses no interface may learn" },
	{ VG_MAP_LEARNED4, "hash, key an IPv4 address: the interface that leased it (dhcp) "
			   "or configures it (config)" },
	{ VG_MAP_LEASE_SLOTS, "hash, key ifindex and slot: the addresses each interface "
			      "leased (IPv4 in the first slots)" },
	{ VG_MAP_LEARN_CFG, "array: the host's learning settings" },
	{ VG_MAP_PARKED, "hash, key VM, device id, MAC and address: the leases of Xen "
			 "interfaces that went, held for their return" },
};

static const char *map_kind(int m)
{
	size_t i;

	for (i = 0; i < sizeof(map_kinds) / sizeof(map_kinds[0]); i++)
		if (map_kinds[i].id == (enum vg_map_id)m)
			return map_kinds[i].kind;
	return "";
}

static int dump_map(struct vg_out *out, struct vg_state *st, int m)
{
	struct dump_out d = { .j = out->json ? &out->w : NULL };
	char err[VG_ERRLEN + 64];
	int ret;

	if (d.j) {
		vg_json_name(d.j, vg_map_names[m]);
		vg_json_array_start(d.j);
	} else {
		printf("%s (%s)%s\n", vg_map_names[m], map_kind(m),
		       st->map_fd[m] < 0 ? ": not pinned" : ":");
	}
	ret = vg_state_dump(st, m, dump_ent, &d, err, sizeof(err));
	if (d.j)
		vg_json_array_end(d.j);
	else if (!d.n && st->map_fd[m] >= 0)
		printf("  (empty)\n");
	if (ret < 0)
		vg_out_err(out, vg_errcode_of(ret), "%s", err);
	return ret;
}

int vg_cmd_dump(struct vg_out *out, void *opts)
{
	const struct dump_args *a = opts;
	char err[VG_ERRLEN + 64];
	struct vg_state st;
	int m, failed = 0, ret;

	ret = vg_state_open(&st, vg_cli_ctx(), VG_STATE_READ, err, sizeof(err));
	if (ret) {
		vg_out_err(out, vg_errcode_of(ret), "%s", err);
		return EXIT_FAILURE;
	}
	if (out->json) {
		/* "root" is the envelope's. */
		vg_json_object_start(vg_out_json(out));
		vg_json_name(&out->w, "maps");
		vg_json_object_start(&out->w);
	}
	for (m = 0; m < VG_MAP_N; m++)
		if (!a->map || !strcmp(a->map, vg_map_names[m]))
			failed |= dump_map(out, &st, m) < 0;
	if (out->json) {
		vg_json_object_end(&out->w);
		vg_json_object_end(&out->w);
	}
	vg_state_close(&st);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
