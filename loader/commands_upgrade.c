// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * upgrade [--check]: this build takes the pinned state over (the
 * procedure is state_upgrade.c's), every guest filtered throughout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const char vg_help_upgrade[] =
"Usage: vifguard upgrade [--check]\n"
"\n"
"Puts this vifguard's program in place of the one pinned by an earlier\n"
"version, on every interface at once and without taking any filter off:\n"
"each frame meets the old program or the new, both reading the same\n"
"policies.  A state of an older map layout is migrated, its counters\n"
"carried over.  Policies, addresses and counters stay.  Run it after\n"
"installing a new version (the Debian and RPM packages do); attach, hotplug\n"
"and sync migrate an older layout by themselves, but leave a program of\n"
"the same layout in place until upgrade.  Nothing pinned: nothing to do.\n"
"A state pinned by a newer vifguard is refused.\n"
"\n"
"With --check, nothing changes: exit 0 when the state is this build's\n"
"(or there is none), 3 when an upgrade is due, 1 on an error.\n";

/* upgrade --check: distinct from a failure (1) and a usage error (2). */
#define VG_EXIT_UPGRADE_DUE	3

struct upgrade_args {
	bool check;
};

static const struct vg_opt upgrade_opts[] = {
	{ "check", 0, NULL, VG_OPT_FLAG, offsetof(struct upgrade_args, check), NULL,
	  "say whether an upgrade is due (exit 3), change nothing" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

const struct vg_args vg_args_upgrade = {
	.size = sizeof(struct upgrade_args), .opts = upgrade_opts,
};

/* What the state was before, as text: "map layout 1, program id 42 of
 * vifguard 0.9" */
static void before_text(const struct vg_takeover *t, char *out, size_t len)
{
	if (!t->old_prog_id)
		snprintf(out, len, "map layout %u, no program", t->from_layout);
	else
		snprintf(out, len, "map layout %u, program id %u of %s%s", t->from_layout,
			 t->old_prog_id, t->old_version[0] ? "vifguard " : "an unknown version",
			 t->old_version);
}

static void print_json(struct vg_out *out, const char *state, const struct vg_state *st,
		       const struct vg_takeover *t)
{
	struct vg_json *j = vg_out_json(out);
	char obj[24];

	vg_json_object_start(j);
	vg_json_kv_string(j, "state", state);
	vg_json_kv_uint(j, "map_layout", st->layout);
	vg_json_kv_uint_or_null(j, "prog_id", st->prog_fd >= 0, st->prog_id);
	vg_json_kv_uint_or_null(j, "prog_out_id", st->prog_out_fd >= 0, st->prog_out_id);
	snprintf(obj, sizeof(obj), "%016llx", (unsigned long long)st->meta.object);
	vg_json_kv_string_or_null(j, "program_version", st->meta.version[0] ?
				  st->meta.version : NULL);
	vg_json_kv_string_or_null(j, "program_object", st->meta.object ? obj : NULL);
	if (t && t->done) {
		vg_json_kv_uint(j, "from_map_layout", t->from_layout);
		vg_json_kv_uint_or_null(j, "from_prog_id", t->old_prog_id, t->old_prog_id);
		vg_json_kv_uint_or_null(j, "from_prog_out_id", t->old_prog_out_id,
					t->old_prog_out_id);
		vg_json_kv_string_or_null(j, "from_program_version",
					  t->old_version[0] ? t->old_version : NULL);
		vg_json_kv_uint(j, "devices_moved", t->moved);
		vg_json_kv_uint(j, "maps_converted", t->converted);
		vg_json_kv_uint(j, "maps_created", t->created);
	}
	vg_json_object_end(j);
}

static void none_text(void)
{
	printf("nothing pinned at %s: nothing to upgrade\n", vg_root());
}

static void current_text(const struct vg_state *st)
{
	printf("current: %s holds map layout %u, program id %u of this build\n", vg_root(),
	       st->layout, st->prog_id);
}

/* --check: READ open, nothing written. */
static int check(struct vg_out *out)
{
	char err[VG_ERRLEN + 64];
	struct vg_state st;
	bool none, due;
	int ret;

	ret = vg_state_open(&st, vg_cli_ctx(), VG_STATE_READ, err, sizeof(err));
	if (ret) {
		vg_out_err(out, vg_errcode_of(ret), "%s", err);
		return EXIT_FAILURE;
	}
	none = st.layout == 0;
	due = !none && vg_state_upgrade_due(&st);
	if (out->json)
		print_json(out, none ? "none" : due ? "due" : "current", &st, NULL);
	else if (none)
		none_text();
	else if (due)
		printf("upgrade due: %s holds map layout %u, program id %u of %s%s; this is "
		       "vifguard %s, map layout %u\n", vg_root(), st.layout, st.prog_id,
		       st.meta.version[0] ? "vifguard " : "an unknown version",
		       st.meta.version, vg_version, VG_MAP_LAYOUT);
	else
		current_text(&st);
	vg_state_close(&st);
	return due ? VG_EXIT_UPGRADE_DUE : EXIT_SUCCESS;
}

int vg_cmd_upgrade(struct vg_out *out, void *opts)
{
	const struct upgrade_args *a = opts;
	char err[VG_ERRLEN + 64], before[160];
	struct vg_state st;
	int ret;

	if (a->check)
		return check(out);
	/* A root with nothing pinned is not made here. */
	ret = vg_state_open(&st, vg_cli_ctx(), VG_STATE_READ, err, sizeof(err));
	if (!ret && st.layout == 0) {
		if (out->json)
			print_json(out, "none", &st, NULL);
		else
			none_text();
		vg_state_close(&st);
		return EXIT_SUCCESS;
	}
	if (!ret) {
		vg_state_close(&st);
		ret = vg_state_open(&st, vg_cli_ctx(), VG_STATE_UPGRADE, err, sizeof(err));
	}
	if (ret) {
		vg_out_err(out, vg_errcode_of(ret), "%s", err);
		return EXIT_FAILURE;
	}
	if (out->json) {
		print_json(out, st.took.done ? "upgraded" : "current", &st, &st.took);
	} else if (st.took.done) {
		before_text(&st.took, before, sizeof(before));
		printf("upgraded %s: %s -> map layout %u, program id %u of vifguard %s; "
		       "%u device(s) moved in place, %u map(s) converted, %u created; "
		       "policies and counters kept\n", vg_root(), before, st.layout,
		       st.prog_id, st.meta.version, st.took.moved, st.took.converted,
		       st.took.created);
	} else {
		current_text(&st);
	}
	vg_state_close(&st);
	return EXIT_SUCCESS;
}
