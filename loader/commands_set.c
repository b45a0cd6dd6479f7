// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * set: steps that change one part of an interface's policy and keep the
 * rest (policy_edit.h has the grammar, state_edit.c the read-modify-write
 * under the lock); and what set and attach --dry-run print: the policy
 * that results and its difference from the one in force.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>

#include "cli.h"
#include "guard.h"
#include "json.h"
#include "sanitize.h"

const char vg_help_set[] =
"Usage: vifguard set IFACE [--dry-run] [--force] STEP...\n"
"\n"
"Changes one part of IFACE's policy in force and keeps the rest, in place\n"
"(the filter stays on, the data path switches from the old policy to the\n"
"new one at once).  The steps apply in order, all or none:\n"
"  mode locked|audit|disabled e.g. quarantine and back, keeping everything\n"
"  add KIND VALUE             one more element\n"
"  remove KIND VALUE          one element less\n"
"KIND VALUE, as `vifguard set --dry-run` prints the policy:\n"
"  mac MAC\n"
"  ipv4 ADDR[/LEN]\n"
"  ipv6 ADDR[/LEN]\n"
"  ethertype 0xNNNN\n"
"  flag dhcp-client|dhcp-server|router-advert|link-local|learn-link-local|\n"
"       learn-dhcp|learn-first (adding learn-dhcp adds dhcp-client, which\n"
"       it needs)\n"
"Adding what the policy holds, or removing what it does not, is an error;\n"
"so is a result a locked policy cannot be (no MAC left).  An interface\n"
"without a policy is an error: `vifguard attach` gives it one.\n"
"\n"
"The policy is read, changed and applied under vifguard's lock: a\n"
"concurrent attach, hotplug event or set runs wholly before or after.\n"
"The result is the operator's, as after `vifguard attach`: hotplug,\n"
"setup-vif-rules and sync keep it until `vifguard release IFACE`.\n"
"Prints the changes (- removed, + added).\n"
"\n"
"Example: vifguard set vif5.0 remove ipv4 10.0.0.5 add ipv4 10.0.0.6\n";

struct set_args {
	const char *ifname;
	bool dry_run;
	bool force;		/* no guard rails on what is added (guard.h) */
	bool iface_seen;	/* the first word, IFACE, went by */
	struct vg_edits ed;
};

static int set_word(void *o, char *word, char *err, size_t errlen)
{
	struct set_args *a = o;
	char why[VG_ERRLEN];

	if (!a->iface_seen) {
		a->iface_seen = true;
		return 0;	/* IFACE */
	}
	if (vg_edits_word(&a->ed, word, why, sizeof(why))) {
		snprintf(err, errlen, "set: %s", why);
		return -EINVAL;
	}
	return 1;
}

static int set_check(void *o, char *err, size_t errlen)
{
	struct set_args *a = o;
	char why[VG_ERRLEN];

	unsigned int i;

	if (vg_edits_done(&a->ed, why, sizeof(why))) {
		snprintf(err, errlen, "set: %s", why);
		return -EINVAL;
	}
	/* The guard rails hold an address set adds as they hold attach's. */
	for (i = 0; i < a->ed.n && !a->force; i++) {
		const struct vg_edit *e = &a->ed.e[i];
		struct vg_spec one = { .n_v4 = 0 };

		if (e->op != VG_EDIT_ADD || (e->kind != VG_EDIT_IPV4 && e->kind != VG_EDIT_IPV6))
			continue;
		if (e->kind == VG_EDIT_IPV4)
			one.v4[one.n_v4++] = e->v.v4;
		else
			one.v6[one.n_v6++] = e->v.v6;
		if (vg_guard_spec(&one, why, sizeof(why))) {
			/* "--ipv4 A: why" names attach's option: set's step instead. */
			snprintf(err, errlen, "set: add %s", why + 2);
			return -EINVAL;
		}
	}
	return 0;
}

static const struct vg_opt set_opts[] = {
	{ "dry-run", 'n', NULL, VG_OPT_FLAG, offsetof(struct set_args, dry_run), NULL,
	  "print the resulting policy and the changes; change nothing" },
	{ "force", 0, NULL, VG_OPT_FLAG, offsetof(struct set_args, force), NULL,
	  "add addresses the guard rails refuse (vifguard help attach)" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

static const struct vg_pos set_pos[] = {
	{ "IFACE", offsetof(struct set_args, ifname), VG_POS_IFACE },
	{ NULL, 0, 0 },
};

const struct vg_args vg_args_set = {
	.size = sizeof(struct set_args), .opts = set_opts, .pos = set_pos, .word = set_word,
	.check = set_check,
};

/* ---- the change, as text or JSON ------------------------------------------ */

/* One change to print: a set, an attach or update's dry run. */
struct change {
	const char *ifname;
	uint32_t ifindex;
	bool update;		/* a policy was in force */
	bool dry_run;
	const struct vg_spec *before;	/* NULL: none */
	const struct vg_spec *after;
	uint32_t method;	/* in force after a change */
	uint32_t prog_id;
};

/* The diff: the lines of after that before lacks, and the reverse. */
struct diff {
	struct vg_spec_text before, after;
	unsigned int n_added, n_removed;
	unsigned int added[VG_SPEC_LINES], removed[VG_SPEC_LINES];
};

static void diff_make(const struct change *c, struct diff *d)
{
	d->before.n = 0;
	if (c->before)
		vg_spec_to_text(c->before, &d->before);
	vg_spec_to_text(c->after, &d->after);
	d->n_added = vg_spec_text_minus(&d->after, &d->before, d->added);
	d->n_removed = vg_spec_text_minus(&d->before, &d->after, d->removed);
}

/* The values of the lines "KIND VALUE" of one kind, as a JSON array. */
static void json_values(struct vg_json *j, const char *name, const struct vg_spec_text *t,
			const char *kind)
{
	size_t klen = strlen(kind);
	unsigned int i;

	vg_json_name(j, name);
	vg_json_array_start(j);
	for (i = 0; i < t->n; i++)
		if (!strncmp(t->line[i], kind, klen) && t->line[i][klen] == ' ')
			vg_json_string(j, t->line[i] + klen + 1);
	vg_json_array_end(j);
}

static void json_lines(struct vg_json *j, const char *name, const struct vg_spec_text *t,
		       const unsigned int *idx, unsigned int n)
{
	unsigned int i;

	vg_json_name(j, name);
	vg_json_array_start(j);
	for (i = 0; i < n; i++)
		vg_json_string(j, t->line[idx[i]]);
	vg_json_array_end(j);
}

static void change_json(struct vg_json *j, const struct change *c, const struct diff *d)
{
	const struct vg_spec *s = c->after;

	vg_json_object_start(j);
	vg_json_kv_string(j, "ifname", c->ifname);
	vg_json_kv_uint(j, "ifindex", c->ifindex);
	vg_json_kv_string(j, "action", c->update ? "update" : "attach");
	vg_json_kv_bool(j, "dry_run", c->dry_run);
	if (!c->dry_run) {
		vg_json_kv_string(j, "method", vg_attach_method(c->method));
		vg_json_kv_uint(j, "prog_id", c->prog_id);
	}
	vg_json_name(j, "policy");
	vg_json_object_start(j);
	vg_json_kv_string(j, "mode", vg_mode_name(s->mode));
	vg_json_kv_string(j, "set_by", s->flags & VG_F_OPERATOR ? "attach" : "sources");
	json_values(j, "macs", &d->after, "mac");
	json_values(j, "ipv4", &d->after, "ipv4");
	json_values(j, "ipv6", &d->after, "ipv6");
	json_values(j, "ethertypes", &d->after, "ethertype");
	json_values(j, "flags", &d->after, "flag");
	vg_json_object_end(j);
	json_lines(j, "removed", &d->before, d->removed, d->n_removed);
	json_lines(j, "added", &d->after, d->added, d->n_added);
	vg_json_object_end(j);
}

static void change_text(const struct change *c, const struct diff *d)
{
	char name[4 * IF_NAMESIZE];
	unsigned int i;

	vg_escape_text(name, sizeof(name), c->ifname);
	if (c->dry_run) {
		printf("%s: dry run, nothing changed; the policy would be:\n", name);
		for (i = 0; i < d->after.n; i++)
			printf("  %s\n", d->after.line[i]);
		printf("changes against %s:\n",
		       c->update ? "the policy in force" : "no policy (a new attach)");
	} else {
		printf("%s: policy updated (%s, %s, prog %u)\n", name, vg_mode_name(c->after->mode),
		       vg_attach_method(c->method), c->prog_id);
	}
	for (i = 0; i < d->n_removed; i++)
		printf("  - %s\n", d->before.line[d->removed[i]]);
	for (i = 0; i < d->n_added; i++)
		printf("  + %s\n", d->after.line[d->added[i]]);
	if (!d->n_removed && !d->n_added)
		printf("  (no change)\n");
}

static int change_print(struct vg_out *out, const struct change *c)
{
	struct diff *d = malloc(sizeof(*d));

	if (!d) {
		vg_out_err(out, VG_E_INTERNAL, "%s: %s", c->ifname, strerror(ENOMEM));
		return EXIT_FAILURE;
	}
	diff_make(c, d);
	if (out->json)
		change_json(vg_out_json(out), c, d);
	else
		change_text(c, d);
	free(d);
	return EXIT_SUCCESS;
}

/* ---- set and attach --dry-run ---------------------------------------------- */

int vg_cmd_set(struct vg_out *out, void *opts)
{
	const struct set_args *a = opts;
	struct vg_edit_req req = {
		.ifname = a->ifname, .edits = a->ed.e, .n = a->ed.n,
		/* An operator's edit makes the policy the operator's. */
		.set_flags = VG_F_OPERATOR, .dry_run = a->dry_run,
	};
	struct change c = { .ifname = a->ifname, .update = true, .dry_run = a->dry_run };
	struct vg_spec *specs = calloc(2, sizeof(*specs));
	char err[VG_ERRLEN + 64];
	struct vg_policy pol;
	struct vg_state st;
	int ret = EXIT_FAILURE, err_ret;

	if (!specs) {
		vg_out_err(out, VG_E_INTERNAL, "%s: %s", a->ifname, strerror(ENOMEM));
		return EXIT_FAILURE;
	}
	err_ret = vg_state_open(&st, vg_cli_ctx(), a->dry_run ? VG_STATE_READ : VG_STATE_WRITE,
				err, sizeof(err));
	if (err_ret) {
		vg_out_err(out, vg_errcode_of(err_ret), "%s: %s", a->ifname, err);
		free(specs);
		return EXIT_FAILURE;
	}
	err_ret = vg_state_edit(&st, &req, &specs[0], &specs[1], err, sizeof(err));
	if (err_ret) {
		vg_out_err(out, vg_errcode_of(err_ret), "%s: cannot set: %s", a->ifname, err);
	} else {
		c.ifindex = if_nametoindex(a->ifname);
		if (!a->dry_run && vg_state_policy(&st, c.ifindex, &pol) == 0)
			c.method = pol.attach;
		c.prog_id = st.prog_id;
		c.before = &specs[0];
		c.after = &specs[1];
		ret = change_print(out, &c);
	}
	vg_state_close(&st);
	free(specs);
	return ret;
}

int vg_attach_dry_run(struct vg_out *out, const struct vg_attach_args *a, uint32_t ifindex)
{
	struct change c = { .ifname = a->spec.ifname, .ifindex = ifindex, .dry_run = true,
			    .after = &a->spec };
	struct vg_spec *before = malloc(sizeof(*before));
	char err[VG_ERRLEN + 64];
	struct vg_state st;
	int ret;

	if (!before) {
		vg_out_err(out, VG_E_INTERNAL, "%s: %s", a->spec.ifname, strerror(ENOMEM));
		return EXIT_FAILURE;
	}
	ret = vg_state_open(&st, vg_cli_ctx(), VG_STATE_READ, err, sizeof(err));
	if (!ret) {
		ret = vg_state_spec(&st, a->spec.ifname, before, NULL, err, sizeof(err));
		vg_state_close(&st);
	}
	/* Under another name, the policy in force is still what attach
	 * would replace. */
	if (ret && ret != -ENOENT && ret != -ESTALE) {
		vg_out_err(out, vg_errcode_of(ret), "%s: %s", a->spec.ifname, err);
		free(before);
		return EXIT_FAILURE;
	}
	c.update = ret != -ENOENT;
	c.before = c.update ? before : NULL;
	ret = change_print(out, &c);
	free(before);
	return ret;
}
