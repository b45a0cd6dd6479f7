// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Steps that change one part of a policy, and a policy as lines of text
 * (policy_edit.h).  A step's KIND VALUE is written exactly as the line
 * the policy's text shows for that element, so what `set --dry-run`
 * prints can be pasted back as a step.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "policy_edit.h"

static const char *const kind_names[] = {
	[VG_EDIT_MAC] = "mac",
	[VG_EDIT_IPV4] = "ipv4",
	[VG_EDIT_IPV6] = "ipv6",
	[VG_EDIT_ETHERTYPE] = "ethertype",
	[VG_EDIT_FLAG] = "flag",
};

#define N_KINDS (sizeof(kind_names) / sizeof(kind_names[0]))

/* "KIND VALUE" of one element; the value is an edit's, of that kind. */
static void fmt_line(const struct vg_edit *e, char *buf, size_t len)
{
	const char *kind = kind_names[e->kind];
	char a[INET6_ADDRSTRLEN];
	const uint8_t *m = e->v.mac;
	const char *name;

	switch (e->kind) {
	case VG_EDIT_MAC:
		snprintf(buf, len, "%s %02x:%02x:%02x:%02x:%02x:%02x", kind, m[0], m[1], m[2],
			 m[3], m[4], m[5]);
		return;
	case VG_EDIT_IPV4:
		inet_ntop(AF_INET, &e->v.v4.addr, a, sizeof(a));
		snprintf(buf, len, "%s %s/%u", kind, a, e->v.v4.len);
		return;
	case VG_EDIT_IPV6:
		inet_ntop(AF_INET6, &e->v.v6.addr, a, sizeof(a));
		snprintf(buf, len, "%s %s/%u", kind, a, e->v.v6.len);
		return;
	case VG_EDIT_ETHERTYPE:
		snprintf(buf, len, "%s 0x%04x", kind, e->v.ethertype);
		return;
	case VG_EDIT_FLAG:
		name = vg_flag_name(e->v.flag);
		snprintf(buf, len, "%s %s", kind, name ? name : "?");
		return;
	}
	snprintf(buf, len, "?");
}

/* ---- reading the steps ------------------------------------------------ */

/*
 * A value of e's kind: read from w into e->v (if w), then added to spec
 * (if spec).  The one place that knows each kind's parser and adder.
 */
static int value(struct vg_spec *spec, struct vg_edit *e, const char *w, char *err,
		 size_t errlen)
{
	int ret = 0;

	switch (e->kind) {
	case VG_EDIT_MAC:
		ret = w ? vg_parse_mac(w, e->v.mac, err, errlen) : 0;
		return ret || !spec ? ret : vg_spec_add_mac(spec, e->v.mac, err, errlen);
	case VG_EDIT_IPV4:
		ret = w ? vg_parse_prefix4(w, &e->v.v4, err, errlen) : 0;
		return ret || !spec ? ret : vg_spec_add_v4(spec, &e->v.v4, err, errlen);
	case VG_EDIT_IPV6:
		ret = w ? vg_parse_prefix6(w, &e->v.v6, err, errlen) : 0;
		return ret || !spec ? ret : vg_spec_add_v6(spec, &e->v.v6, err, errlen);
	case VG_EDIT_ETHERTYPE:
		ret = w ? vg_parse_ethertype(w, &e->v.ethertype, err, errlen) : 0;
		return ret || !spec ? ret : vg_spec_add_ethertype(spec, e->v.ethertype, err, errlen);
	case VG_EDIT_FLAG:
		ret = w ? vg_parse_flag(w, &e->v.flag, err, errlen) : 0;
		if (!ret && spec)
			spec->flags |= e->v.flag;
		/* Learning by DHCP needs the guest's DHCP requests. */
		if (!ret && spec && e->v.flag == VG_F_LEARN_DHCP)
			spec->flags |= VG_F_DHCP_CLIENT;
		return ret;
	}
	return -EINVAL;
}

static int parse_kind(struct vg_edit *e, const char *w, char *err, size_t errlen)
{
	size_t k;

	for (k = 1; k < N_KINDS; k++)
		if (!strcmp(w, kind_names[k])) {
			e->kind = (enum vg_edit_kind)k;
			return 0;
		}
	snprintf(err, errlen, "unknown KIND (expected mac, ipv4, ipv6, ethertype or flag)");
	return -EINVAL;
}

static int parse_op(struct vg_edit *e, const char *w, char *err, size_t errlen)
{
	if (!strcmp(w, "mode"))
		e->op = VG_EDIT_MODE;
	else if (!strcmp(w, "add"))
		e->op = VG_EDIT_ADD;
	else if (!strcmp(w, "remove"))
		e->op = VG_EDIT_REMOVE;
	else {
		snprintf(err, errlen, "expected a step: mode MODE, add KIND VALUE or "
			 "remove KIND VALUE");
		return -EINVAL;
	}
	return 0;
}

int vg_edits_word(struct vg_edits *ed, const char *w, char *err, size_t errlen)
{
	struct vg_edit *e = &ed->e[ed->n < VG_MAX_EDITS ? ed->n : 0];
	char why[VG_ERRLEN];
	size_t used = strlen(ed->step);
	bool last;
	int ret;

	if (ed->n >= VG_MAX_EDITS) {
		snprintf(err, errlen, "more than %d steps", VG_MAX_EDITS);
		return -EINVAL;
	}
	if (ed->words == 0) {
		memset(e, 0, sizeof(*e));
		used = 0;
	}
	snprintf(ed->step + used, sizeof(ed->step) - used, "%s%s", used ? " " : "", w);
	why[0] = '\0';
	if (ed->words == 0)
		ret = parse_op(e, w, why, sizeof(why));
	else if (ed->words == 1 && e->op == VG_EDIT_MODE)
		ret = vg_parse_mode(w, &e->v.mode, why, sizeof(why));
	else if (ed->words == 1)
		ret = parse_kind(e, w, why, sizeof(why));
	else
		ret = value(NULL, e, w, why, sizeof(why));
	if (ret) {
		snprintf(err, errlen, "'%s': %s", ed->step, why);
		return -EINVAL;
	}
	ed->words++;
	last = e->op == VG_EDIT_MODE ? ed->words == 2 : ed->words == 3;
	if (last) {
		ed->n++;
		ed->words = 0;
	}
	return 0;
}

int vg_edits_done(const struct vg_edits *ed, char *err, size_t errlen)
{
	if (ed->words) {
		snprintf(err, errlen, "'%s': incomplete step (expected mode MODE, "
			 "add KIND VALUE or remove KIND VALUE)", ed->step);
		return -EINVAL;
	}
	if (!ed->n) {
		snprintf(err, errlen, "nothing to change: give a step (mode MODE, "
			 "add KIND VALUE or remove KIND VALUE)");
		return -EINVAL;
	}
	return 0;
}

/* ---- applying a step -------------------------------------------------- */

/* The array of spec that holds elements of a kind (not FLAG). */
struct elems {
	void *arr;
	unsigned int *n;
	size_t size;
	unsigned int max;
};

static bool elems_of(struct vg_spec *spec, enum vg_edit_kind kind, struct elems *a)
{
	switch (kind) {
	case VG_EDIT_MAC:
		*a = (struct elems){ spec->macs, &spec->n_macs, sizeof(spec->macs[0]), VG_MAX_MACS };
		return true;
	case VG_EDIT_IPV4:
		*a = (struct elems){ spec->v4, &spec->n_v4, sizeof(spec->v4[0]), VG_MAX_ADDRS };
		return true;
	case VG_EDIT_IPV6:
		*a = (struct elems){ spec->v6, &spec->n_v6, sizeof(spec->v6[0]), VG_MAX_ADDRS };
		return true;
	case VG_EDIT_ETHERTYPE:
		*a = (struct elems){ spec->ethertypes, &spec->n_ethertypes,
				     sizeof(spec->ethertypes[0]), VG_MAX_ETHERTYPES };
		return true;
	case VG_EDIT_FLAG:
		break;
	}
	return false;
}

/* Element i of spec, of e's kind, into e->v (a flag: the i-th set); false
 * past the last.  spec is only read. */
static bool element(const struct vg_spec *spec, struct vg_edit *e, unsigned int i)
{
	struct elems a;
	unsigned int f, k = 0;

	if (elems_of((struct vg_spec *)spec, e->kind, &a)) {
		if (i >= *a.n || i >= a.max)
			return false;
		memcpy(&e->v, (const char *)a.arr + i * a.size, a.size);
		return true;
	}
	for (f = 1; f <= VG_EDIT_FLAGS; f <<= 1)
		if ((f & VG_EDIT_FLAGS) && (spec->flags & f) && k++ == i) {
			e->v.flag = f;
			return true;
		}
	return false;
}

/* Where the edit's element is in spec: its index, or -1.  Two elements
 * are the same when their lines are (the text is canonical). */
static int find(const struct vg_spec *spec, const struct vg_edit *e)
{
	char want[VG_SPEC_LINELEN], have[VG_SPEC_LINELEN];
	struct vg_edit x = { .kind = e->kind };
	unsigned int i;

	fmt_line(e, want, sizeof(want));
	for (i = 0; element(spec, &x, i); i++) {
		fmt_line(&x, have, sizeof(have));
		if (!strcmp(want, have))
			return (int)i;
	}
	return -1;
}

/* Element i of spec's array of e's kind taken out, order kept; a flag
 * cleared. */
static void remove_at(struct vg_spec *spec, const struct vg_edit *e, unsigned int i)
{
	struct elems a;
	char *p;

	if (!elems_of(spec, e->kind, &a)) {
		spec->flags &= ~e->v.flag;
		return;
	}
	p = a.arr;
	memmove(p + i * a.size, p + (i + 1) * a.size, (*a.n - i - 1) * a.size);
	(*a.n)--;
	memset(p + *a.n * a.size, 0, a.size);
}

int vg_spec_edit(struct vg_spec *spec, const struct vg_edit *e, char *err, size_t errlen)
{
	char line[VG_SPEC_LINELEN], why[VG_ERRLEN];
	struct vg_edit copy = *e;	/* value() reads nothing into it */
	int i, ret;

	if (e->op == VG_EDIT_MODE) {
		spec->mode = e->v.mode;
		return 0;
	}
	fmt_line(e, line, sizeof(line));
	i = find(spec, e);
	if (e->op == VG_EDIT_REMOVE) {
		if (i < 0) {
			snprintf(err, errlen, "remove %s: not in the policy", line);
			return -ENOENT;
		}
		remove_at(spec, e, (unsigned int)i);
		return 0;
	}
	if (i >= 0) {
		snprintf(err, errlen, "add %s: already in the policy", line);
		return -EEXIST;
	}
	why[0] = '\0';
	ret = value(spec, &copy, NULL, why, sizeof(why));
	if (ret)
		snprintf(err, errlen, "add %s: %s", line, why);
	return ret;
}

/* ---- a policy as text --------------------------------------------------- */

static void text_add(struct vg_spec_text *t, const struct vg_edit *e)
{
	if (t->n < VG_SPEC_LINES)
		fmt_line(e, t->line[t->n++], VG_SPEC_LINELEN);
}

void vg_spec_to_text(const struct vg_spec *spec, struct vg_spec_text *t)
{
	struct vg_edit e = { .op = VG_EDIT_ADD };
	unsigned int k, i;

	t->n = 0;
	snprintf(t->line[t->n++], VG_SPEC_LINELEN, "mode %s", vg_mode_name(spec->mode));
	snprintf(t->line[t->n++], VG_SPEC_LINELEN, "owner %s",
		 spec->flags & VG_F_OPERATOR ? "attach" : "sources");
	for (k = 1; k < N_KINDS; k++) {
		e.kind = (enum vg_edit_kind)k;
		for (i = 0; element(spec, &e, i); i++)
			text_add(t, &e);
	}
}

unsigned int vg_spec_text_minus(const struct vg_spec_text *a, const struct vg_spec_text *b,
				unsigned int idx[VG_SPEC_LINES])
{
	unsigned int i, j, n = 0;

	for (i = 0; i < a->n; i++) {
		for (j = 0; j < b->n; j++)
			if (!strcmp(a->line[i], b->line[j]))
				break;
		if (j == b->n)
			idx[n++] = i;
	}
	return n;
}
