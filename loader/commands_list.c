// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * What show and stats share (cli_list.h): their command lines, one read
 * of the state with the Xen identity of each interface, the --vm filter,
 * the fields and the table both print.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "cli_list.h"
#include "json.h"
#include "sanitize.h"

/* ---- command lines -------------------------------------------------------------- */

static const struct vg_pos list_pos[] = {
	{ "IFACE", offsetof(struct vg_list_args, ifname), VG_POS_IFACE | VG_POS_OPTIONAL },
	{ NULL, 0, 0 },
};

#define LIST_OPTS							\
	{ "vm", 0, "VM", VG_OPT_STRING, offsetof(struct vg_list_args, vm), NULL,	\
	  "only the interfaces of this VM (its name or UUID, from xenstore)" },	\
	{ "verbose", 'v', NULL, VG_OPT_FLAG, offsetof(struct vg_list_args, verbose), NULL, \
	  "every detail, several lines per interface (as with IFACE)" }

static const struct vg_opt show_opts[] = {
	LIST_OPTS,
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

/* --watch takes no value of its own: a number right after it is SEC. */
static int opt_watch(void *o, const char *arg, char *err, size_t errlen)
{
	struct vg_list_args *a = o;

	(void)arg;
	if (a->watch) {
		snprintf(err, errlen, "given twice");
		return -EINVAL;
	}
	a->watch = true;
	a->watch_next = true;
	return 0;
}

/* The SEC of --watch [SEC]: 0.1 to 3600 seconds. */
static int list_word(void *o, char *word, char *err, size_t errlen)
{
	struct vg_list_args *a = o;
	bool next = a->watch_next;
	char *end;
	double v;

	a->watch_next = false;
	if (!next || !((*word >= '0' && *word <= '9') || *word == '.'))
		return 0;
	errno = 0;
	v = strtod(word, &end);
	if (errno || *end || !isfinite(v) || v < 0.1 || v > 3600) {
		snprintf(err, errlen, "--watch %s: expected seconds, 0.1 to 3600", word);
		return -EINVAL;
	}
	a->interval = v;
	return 1;
}

static const struct vg_opt stats_opts[] = {
	LIST_OPTS,
	{ "watch", 'w', NULL, VG_OPT_FN, 0, opt_watch,
	  "[SEC]: again every SEC seconds (default 1) until interrupted,\n"
	  "with what passed and was dropped in each interval and its rates" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

const struct vg_args vg_args_show = {
	.size = sizeof(struct vg_list_args), .opts = show_opts, .pos = list_pos,
};

const struct vg_args vg_args_stats = {
	.size = sizeof(struct vg_list_args), .opts = stats_opts, .pos = list_pos,
	.word = list_word,
};

/* ---- reading -------------------------------------------------------------------- */

void vg_stop_signals_catch(struct vg_stop_signals *s, void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &s->old_int);
	sigaction(SIGTERM, &sa, &s->old_term);
}

void vg_stop_signals_restore(const struct vg_stop_signals *s)
{
	sigaction(SIGINT, &s->old_int, NULL);
	sigaction(SIGTERM, &s->old_term, NULL);
}

void vg_list_xs_open(struct vg_list_xs *x)
{
	char err[VG_ERRLEN];

	/* No xenstore (a plain Linux host) is no error: no identities. */
	x->open = vg_xs_open(&x->xs, err, sizeof(err)) == 0;
}

void vg_list_xs_close(struct vg_list_xs *x)
{
	if (x->open)
		vg_xs_close(&x->xs);
	x->open = false;
}

static void identify(struct vg_list_xs *x, struct listing *l)
{
	const char **names;
	size_t i;

	if (!x->open || !l->n)
		return;
	names = calloc(l->n, sizeof(*names));
	if (!names)
		return;
	for (i = 0; i < l->n; i++)
		names[i] = l->v[i].cur_name[0] ? l->v[i].cur_name : l->v[i].pol.ifname;
	vg_ident_lookup(&x->xs, names, l->n, l->id);
	free(names);
}

/* Keeps the interfaces of --vm; -1 (said on out) when there is none. */
static int select_vm(struct vg_out *out, struct vg_list_xs *x, struct listing *l)
{
	const char *vm = l->a->vm;
	size_t i, k = 0;

	if (!x->open) {
		vg_out_err(out, VG_E_XENSTORE,
			   "--vm %s: no xenstore on this host (is xenstored running?): "
			   "VM names and UUIDs are not known", vm);
		return -1;
	}
	for (i = 0; i < l->n; i++) {
		if (!vg_ident_is_vm(&l->id[i], vm))
			continue;
		l->v[k] = l->v[i];
		l->id[k++] = l->id[i];
	}
	l->n = k;
	if (!k && !l->a->watch) {
		vg_out_err(out, VG_E_NOT_FOUND,
			   "--vm %s: no interface with a policy belongs to a VM of that "
			   "name or UUID", vm);
		return -1;
	}
	return 0;
}

/* Keeps the devices show and stats name besides the policies: orphans
 * and other roots' programs, IFACE's only when one is given, none for
 * --vm (they have no identity to match). */
static int unmanaged_scan(struct vg_state *st, struct listing *l, char *err, size_t errlen)
{
	size_t i, n = 0;
	int ret;

	ret = vg_state_scan(st, &l->found, &l->nfound, err, errlen);
	for (i = 0; !ret && i < l->nfound; i++) {
		const struct vg_found *f = &l->found[i];

		if ((f->ours && f->has_policy) || l->a->vm ||
		    (l->a->ifname && strcmp(f->ifname, l->a->ifname)))
			continue;
		l->found[n++] = *f;
	}
	l->nfound = n;
	return ret;
}

int vg_list_read(struct vg_out *out, struct vg_list_xs *x, struct listing *l)
{
	const char *ifname = l->a->ifname;
	char err[VG_ERRLEN + 64];
	struct vg_state st;
	int ret;

	ret = vg_state_open(&st, vg_cli_ctx(), VG_STATE_READ, err, sizeof(err));
	if (ret) {
		vg_out_err(out, vg_errcode_of(ret), "%s", err);
		return -1;
	}
	ret = vg_state_list(&st, ifname, &l->v, &l->n, err, sizeof(err));
	if (!ret)
		ret = unmanaged_scan(&st, l, err, sizeof(err));
	if (ret) {
		vg_state_close(&st);
		vg_out_err(out, vg_errcode_of(ret), "%s", err);
		vg_list_free(l);
		return -1;
	}
	clock_gettime(CLOCK_REALTIME, &l->real);
	clock_gettime(CLOCK_MONOTONIC, &l->mono);
	vg_state_totals(&st, &l->tot, &l->drops_full);
	memset(&l->orph, 0, sizeof(l->orph));
	l->orph.pkts[VG_NO_POLICY] = l->tot.pkts[VG_NO_POLICY];
	l->prog_id = st.prog_id;
	l->prog_out_id = st.prog_out_id;
	snprintf(l->root, sizeof(l->root), "%s", st.root);
	vg_state_close(&st);
	l->id = calloc(l->n ? l->n : 1, sizeof(*l->id));
	if (!l->id) {
		vg_out_err(out, VG_E_INTERNAL, "%s", strerror(ENOMEM));
		vg_list_free(l);
		return -1;
	}
	if (ifname && !l->n && !if_nametoindex(ifname)) {
		vg_out_err(out, VG_E_NOT_FOUND,
			   "%s: no such interface, and no entries under that name", ifname);
		vg_list_free(l);
		return -1;
	}
	identify(x, l);
	if (l->a->vm && select_vm(out, x, l)) {
		vg_list_free(l);
		return -1;
	}
	return 0;
}

int vg_list_read_once(struct vg_out *out, struct listing *l)
{
	struct vg_list_xs x;
	int ret;

	vg_list_xs_open(&x);
	ret = vg_list_read(out, &x, l);
	vg_list_xs_close(&x);
	return ret;
}

void vg_list_free(struct listing *l)
{
	free(l->v);
	free(l->id);
	free(l->found);
	l->v = NULL;
	l->id = NULL;
	l->found = NULL;
	l->n = 0;
	l->nfound = 0;
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

void vg_list_unmanaged_json(struct vg_json *j, const struct listing *l)
{
	unmanaged_json(j, l, true);
	unmanaged_json(j, l, false);
}

void vg_list_unmanaged_text(const struct listing *l)
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

/* ---- fields ----------------------------------------------------------------------- */

/* The recorded name (NUL-terminated copy). */
const char *vg_list_name(const struct vg_iface *it, char buf[IF_NAMESIZE])
{
	memcpy(buf, it->pol.ifname, VG_IFNAMSIZ);
	buf[VG_IFNAMSIZ - 1] = '\0';
	return buf;
}

const char *vg_list_source(const struct vg_iface *it)
{
	if (it->pol.flags & VG_F_OPERATOR)
		return "attach";
	switch ((it->pol.flags & VG_F_SRC_MASK) >> VG_F_SRC_SHIFT) {
	case VG_F_SRC_XAPI:
		return "xapi";
	case VG_F_SRC_XL:
		return "xl";
	case VG_F_SRC_CONFIG:
		return "config";
	default:
		return NULL;
	}
}

bool vg_list_host_audit(const struct vg_iface *it)
{
	return it->pol.mode == VG_MODE_AUDIT && !(it->pol.flags & VG_F_OPERATOR) &&
	       (it->pol.flags & VG_F_AUDIT_HOST);
}

const char *vg_list_mode(const struct vg_iface *it)
{
	return vg_list_host_audit(it) ? "audit (host)" : vg_mode_name(it->pol.mode);
}

const char *vg_list_device_state(const struct vg_iface *it)
{
	if (!it->cur_name[0])
		return "gone";
	return it->present ? "present" : "renamed or reused";
}

unsigned long long vg_list_drops(const struct vg_stats *s)
{
	unsigned long long d = 0;
	int r;

	for (r = 0; r < VG_REASON_MAX; r++)
		if (r != VG_PASS)
			d += s->pkts[r];
	return d;
}

int vg_list_top_reason(const struct vg_stats *s)
{
	int r, top = VG_PASS;

	for (r = 0; r < VG_REASON_MAX; r++)
		if (r != VG_PASS && s->pkts[r] && (top == VG_PASS || s->pkts[r] > s->pkts[top]))
			top = r;
	return top;
}

void vg_fmt_mac(const uint8_t *m, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

void vg_list_dom_vm(const struct vg_ident *id, char *dom, size_t dlen, char *vm, size_t vlen)
{
	snprintf(dom, dlen, "-");
	snprintf(vm, vlen, "-");
	if (!id->xen)
		return;
	snprintf(dom, dlen, "%u", id->domid);
	if (id->vm_name[0])
		vg_escape_text(vm, vlen, id->vm_name);
	else if (id->vm_uuid[0])
		snprintf(vm, vlen, "%s", id->vm_uuid);
}

void vg_list_ident_text(const struct vg_iface *it, const struct vg_ident *id)
{
	const char *src = vg_list_source(it);
	char name[4 * VG_VM_NAMELEN];

	if (it->pol.flags & VG_F_OPERATOR)
		printf("  set by: vifguard attach (the Xen entry points keep it until vifguard release)\n");
	else
		printf("  set by: its sources%s%s (hotplug, setup-vif-rules or sync)\n",
		       src ? ": " : "", src ? src : "");
	if (vg_list_host_audit(it))
		printf("  audit: by the host switch of the config file (host mode=audit); "
		       "its sources say locked\n");
	if (!id->xen)
		return;
	printf("  xen: domain %u, device %u", id->domid, id->devid);
	vg_escape_text(name, sizeof(name), id->vm_name);
	if (id->vm_name[0] && id->vm_uuid[0])
		printf(", VM %s (%s)", name, id->vm_uuid);
	else if (id->vm_name[0] || id->vm_uuid[0])
		printf(", VM %s", id->vm_name[0] ? name : id->vm_uuid);
	if (id->vif_uuid[0])
		printf(", VIF %s", id->vif_uuid);
	putchar('\n');
}

void vg_list_json_head(struct vg_json *j, const struct listing *l)
{
	vg_json_kv_uint(j, "monotonic_ns",
			(uint64_t)l->mono.tv_sec * 1000000000ULL + (uint64_t)l->mono.tv_nsec);
}

void vg_list_ident_json(struct vg_json *j, const struct vg_iface *it,
			const struct vg_ident *id)
{
	vg_json_kv_uint_or_null(j, "domid", id->xen, id->domid);
	vg_json_kv_uint_or_null(j, "devid", id->xen, id->devid);
	vg_json_kv_string_or_null(j, "vm_name", id->vm_name);
	vg_json_kv_string_or_null(j, "vm_uuid", id->vm_uuid);
	vg_json_kv_string_or_null(j, "vif_uuid", id->vif_uuid);
	vg_json_kv_string_or_null(j, "source", vg_list_source(it));
	vg_json_kv_bool(j, "host_audit", vg_list_host_audit(it));
}

/* ---- an aligned table ------------------------------------------------------------- */

void vg_table_init(struct vg_table *t, const char *const *heads)
{
	char (*row)[VG_TABLE_CELL];
	unsigned int c;

	memset(t, 0, sizeof(*t));
	while (t->ncol < VG_TABLE_COLS && heads[t->ncol])
		t->ncol++;
	row = vg_table_row(t);
	for (c = 0; row && c < t->ncol; c++)
		snprintf(row[c], VG_TABLE_CELL, "%s", heads[c]);
}

char (*vg_table_row(struct vg_table *t))[VG_TABLE_CELL]
{
	if (t->nrow == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		void *c = realloc(t->cells, cap * sizeof(*t->cells));

		if (!c)
			return NULL;
		t->cells = c;
		t->cap = cap;
	}
	memset(t->cells[t->nrow], 0, sizeof(*t->cells));
	return t->cells[t->nrow++];
}

void vg_table_print(struct vg_table *t)
{
	size_t w[VG_TABLE_COLS] = { 0 }, r;
	unsigned int c;

	for (r = 0; r < t->nrow; r++)
		for (c = 0; c < t->ncol; c++)
			if (strlen(t->cells[r][c]) > w[c])
				w[c] = strlen(t->cells[r][c]);
	for (r = 0; r < t->nrow; r++) {
		for (c = 0; c + 1 < t->ncol; c++)
			printf("%-*s  ", (int)w[c], t->cells[r][c]);
		printf("%s\n", t->cells[r][c]);
	}
	free(t->cells);
	memset(t, 0, sizeof(*t));
}
