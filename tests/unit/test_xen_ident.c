// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The Xen identity of guest interfaces (loader/ident.c) from the keys
 * xenopsd and libxl write: which device a name belongs to (vifD.N,
 * tapD.N, -emu, vifname=), its VM's UUID and name and its VIF UUID; keys
 * a guest may write are not believed, and --vm matches name or UUID.
 */
#include "unit.h"
#include "ident.h"
#include "xs_table.h"

#define VM3 "5f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
#define VM5 "7e8f9a0b-1c2d-4e3f-8a5b-6c7d8e9f0a1b"
#define VIFUUID "0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3"
#define BE "/local/domain/0/backend/vif"

/* Domain 3: a XAPI VM with its VM name and VIF UUID; domain 5: an xl
 * guest whose second NIC is renamed web5; domain 7: no VM path, and a
 * name the guest owns. */
static const struct vg_xs_entry host[] = {
	{ "/local/domain/3/vm", "/vm/" VM3, "n0 r3" },
	{ "/local/domain/3/name", "web", "n0 r3" },
	{ "/vm/" VM3 "/uuid", VM3, NULL },
	{ "/vm/" VM3 "/name", "Web server", NULL },
	{ BE "/3/0/frontend-id", "3", "n0 r3" },
	{ "/xapi/" VM3 "/private/vif/0/vif-uuid", "0A1B2C3D-4E5F-4A6B-8C7D-8E9FA0B1C2D3", NULL },
	{ "/local/domain/5/vm", "/vm/" VM5, "n0 r5" },
	{ "/local/domain/5/name", "guest5", "n0 r5" },
	{ BE "/5/0/frontend-id", "5", "n0 r5" },
	{ BE "/5/1/frontend-id", "5", "n0 r5" },
	{ BE "/5/1/vifname", "web5", "n0 r5" },
	{ BE "/7/0/frontend-id", "7", "n0 r7" },
	{ "/local/domain/7/name", "Web server", "b7" },
};

static void lookup(const char *const *names, size_t n, struct vg_ident *out)
{
	struct vg_xs xs;

	assert_int_equal(vg_xs_open_table(&xs, host, N(host)), 0);
	vg_ident_lookup(&xs, names, n, out);
	vg_xs_close(&xs);
}

static void xapi_and_xl(void **state)
{
	const char *names[] = { "vif3.0", "tap3.0", "vif5.0", "web5", "web5-emu", "vif5.1" };
	struct vg_ident id[N(names)];

	(void)state;
	lookup(names, N(names), id);
	assert_true(id[0].xen);
	assert_int_equal(id[0].domid, 3);
	assert_int_equal(id[0].devid, 0);
	assert_string_equal(id[0].vm_uuid, VM3);
	assert_string_equal(id[0].vm_name, "Web server");	/* /vm/UUID/name first */
	assert_string_equal(id[0].vif_uuid, VIFUUID);		/* lower case */
	assert_true(id[1].xen);
	assert_string_equal(id[1].vif_uuid, VIFUUID);
	assert_int_equal(id[2].domid, 5);
	assert_int_equal(id[2].devid, 0);
	assert_string_equal(id[2].vm_uuid, VM5);
	assert_string_equal(id[2].vm_name, "guest5");		/* no /vm name: the domain's */
	assert_string_equal(id[2].vif_uuid, "");		/* xl has none */
	assert_int_equal(id[3].devid, 1);
	assert_true(id[4].xen);
	assert_int_equal(id[4].devid, 1);
	/* Renamed by vifname=: its default name is not it. */
	assert_false(id[5].xen);
}

static void untrusted_and_unknown(void **state)
{
	const char *names[] = { "vif7.0", "vif9.0", "eth0", "", NULL };
	struct vg_ident id[N(names)];

	(void)state;
	lookup(names, N(names), id);
	/* Domain 7's name is the guest's own: not believed. */
	assert_true(id[0].xen);
	assert_int_equal(id[0].domid, 7);
	assert_string_equal(id[0].vm_name, "");
	assert_string_equal(id[0].vm_uuid, "");
	assert_false(vg_ident_is_vm(&id[0], "Web server"));
	assert_false(id[1].xen);
	assert_false(id[2].xen);
	assert_false(id[3].xen);
	assert_false(id[4].xen);
	assert_false(vg_ident_is_vm(&id[2], ""));
}

static void vm_filter(void **state)
{
	const char *names[] = { "vif3.0", "vif5.0" };
	struct vg_ident id[N(names)];

	(void)state;
	lookup(names, N(names), id);
	assert_true(vg_ident_is_vm(&id[0], "Web server"));
	assert_true(vg_ident_is_vm(&id[0], VM3));
	assert_true(vg_ident_is_vm(&id[0], "5F1C2A3B-4D5E-4F60-8A7B-9C0D1E2F3A4B"));
	assert_false(vg_ident_is_vm(&id[0], "web server"));	/* names as given */
	assert_false(vg_ident_is_vm(&id[0], "guest5"));
	assert_true(vg_ident_is_vm(&id[1], "guest5"));
	assert_false(vg_ident_is_vm(&id[1], VM3));
}

struct seen {
	char names[16][IF_NAMESIZE];
	unsigned int n, bad;
};

static int collect(void *arg, unsigned int domid, unsigned int devid, const char *ifname)
{
	struct seen *s = arg;

	(void)domid, (void)devid;
	if (s->n < 16)
		snprintf(s->names[s->n++], IF_NAMESIZE, "%s", ifname);
	return 0;
}

static void count_bad(void *arg, const char *path, const char *value)
{
	(void)path, (void)value;
	((struct seen *)arg)->bad++;
}

static void walk(void **state)
{
	const struct vg_xs_entry tab[] = {
		{ BE "/2/0/frontend-id", "2", NULL },
		{ BE "/2/0/vifname", "bad name", NULL },
		{ BE "/02/0/frontend-id", "2", NULL },	/* not a domid */
	};
	struct seen s = { .n = 0 };
	struct vg_xs xs;

	(void)state;
	assert_int_equal(vg_xs_open_table(&xs, tab, N(tab)), 0);
	assert_int_equal(vg_vif_walk(&xs, collect, count_bad, &s), 1);
	vg_xs_close(&xs);
	assert_int_equal(s.bad, 1);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.names[0], "vif2.0");
	assert_string_equal(s.names[1], "vif2.0-emu");
	assert_string_equal(s.names[2], "tap2.0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(xapi_and_xl),
		cmocka_unit_test(untrusted_and_unknown),
		cmocka_unit_test(vm_filter),
		cmocka_unit_test(walk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
