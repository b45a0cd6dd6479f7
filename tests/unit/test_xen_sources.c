// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Policy sources fed with the exact keys xenopsd and libxl write (see
 * xenopsd's xenops_server_xen.ml / device.ml and libxl's nic code), and
 * with malformed ones: parsers, identity lookup, precedence, fail closed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "unit.h"
#include "source.h"
#include "xs_table.h"

#define VM "5f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
#define VIFUUID "0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3"
#define MAC "6e:2b:5d:4b:89:d1"
#define PRIV "/xapi/" VM "/private/vif/0"
#define BE3 "/local/domain/0/backend/vif/3/0"
#define BE5 "/local/domain/0/backend/vif/5/1"

/* What xenopsd writes for domain 3 (VM above), VIF device 0, apart from
 * the locking keys that each test adds. */
#define XAPI_DOMAIN_3							\
	{ "/local/domain/3/vm", "/vm/" VM, "n0 r3" },			\
	{ "/local/domain/3/name", "web", "n0 r3" },			\
	{ "/local/domain/3/device/vif/0/mac", MAC, "b3" },		\
	{ "/local/domain/3/xenserver/device/vif/0/static-ip-setting/address", \
	  "10.0.0.99", "b3" },						\
	{ "/local/domain/3/xenserver/device/vif/0/static-ip-setting/enabled", \
	  "1", "b3" },							\
	{ BE3 "/frontend", "/local/domain/3/device/vif/0", "n0 r3" },	\
	{ BE3 "/frontend-id", "3", "n0 r3" },				\
	{ BE3 "/online", "1", "n0 r3" },				\
	{ BE3 "/state", "4", "n0 r3" },				\
	{ BE3 "/script", "/etc/xensource/scripts/vif", "n0 r3" },	\
	{ BE3 "/mac", MAC, "n0 r3" },					\
	{ BE3 "/handle", "0", "n0 r3" },				\
	{ PRIV "/backend-kind", "vif", NULL },				\
	{ PRIV "/backend-id", "0", NULL },				\
	{ PRIV "/vif-uuid", VIFUUID, NULL },				\
	{ PRIV "/network-uuid", "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d", NULL }, \
	{ PRIV "/setup-vif-rules", "/usr/libexec/xenopsd/setup-vif-rules", NULL }, \
	{ PRIV "/xenopsd-backend", "classic", NULL },			\
	{ PRIV "/mac", MAC, NULL },					\
	{ PRIV "/trunks", "", NULL },					\
	{ PRIV "/MTU", "1500", NULL },					\
	{ PRIV "/bridge", "xenbr0", NULL },				\
	{ PRIV "/bridge-MAC", "fe:ff:ff:ff:ff:ff", NULL }

/* What libxl writes for domain 5 with vif = ['mac=00:16:3e:11:22:33,
 * bridge=xenbr0,ip=...'] as its second NIC (devid 1). */
#define XL_DOMAIN_5(ipval)						\
	{ "/local/domain/5/vm", "/vm/7e8f9a0b-1c2d-4e3f-8a5b-6c7d8e9f0a1b", "n0 r5" }, \
	{ "/local/domain/5/device/vif/1/mac", "00:16:3e:11:22:33", "b5" }, \
	{ BE5 "/frontend", "/local/domain/5/device/vif/1", "n0 r5" },	\
	{ BE5 "/frontend-id", "5", "n0 r5" },				\
	{ BE5 "/online", "1", "n0 r5" },				\
	{ BE5 "/state", "1", "n0 r5" },				\
	{ BE5 "/script", "/etc/xen/scripts/vif-bridge", "n0 r5" },	\
	{ BE5 "/mac", "00:16:3e:11:22:33", "n0 r5" },			\
	{ BE5 "/handle", "1", "n0 r5" },				\
	{ BE5 "/type", "vif", "n0 r5" },				\
	{ BE5 "/bridge", "xenbr0", "n0 r5" },				\
	{ BE5 "/ip", ipval, "n0 r5" }


static void resolve_table(const struct vg_xs_entry *tab, size_t n,
			  const struct vg_config *cfg, unsigned int domid,
			  unsigned int devid, const char *vm_uuid, const char *ifname,
			  struct vg_resolution *res)
{
	struct vg_vif vif = { .domid = domid, .devid = devid };
	struct vg_xs xs;

	if (vm_uuid)
		snprintf(vif.vm_uuid, sizeof(vif.vm_uuid), "%s", vm_uuid);
	assert_int_equal(vg_xs_open_table(&xs, tab, n), 0);
	assert_int_equal(vg_resolve(&xs, cfg, &vif, ifname, res), 0);
	vg_xs_close(&xs);
}

static void assert_filter(const struct vg_resolution *r, enum vg_source src,
			  enum vg_mode mode, const char *origin)
{
	if (r->decision != VG_DECISION_FILTER || r->failed_closed)
		fail_msg("expected a %s filter from %s, got decision %d failed_closed %d (%s)",
			 vg_source_name(src), origin, r->decision, r->failed_closed,
			 r->reason);
	assert_string_equal(vg_source_name(r->source), vg_source_name(src));
	assert_int_equal(r->spec.mode, mode);
	assert_string_equal(r->origin, origin);
}

static void assert_failed_closed(const struct vg_resolution *r, enum vg_source src,
				 const char *reason)
{
	if (r->decision != VG_DECISION_FILTER || !r->failed_closed)
		fail_msg("expected fail closed (%s), got decision %d failed_closed %d",
			 reason, r->decision, r->failed_closed);
	assert_string_equal(vg_source_name(r->source), vg_source_name(src));
	assert_int_equal(r->spec.mode, VG_MODE_DISABLED);
	assert_contains(r->reason, reason);
}

/* --- names --------------------------------------------------------- */

static void ifnames(void **state)
{
	static const struct {
		const char *name;
		int ret;
		unsigned int domid, devid;
	} cases[] = {
		{ "vif3.0", 0, 3, 0 },
		{ "vif12.4", 0, 12, 4 },
		{ "tap3.0", 0, 3, 0 },		/* XAPI's emulated NIC */
		{ "vif3.0-emu", 0, 3, 0 },	/* libxl's emulated NIC */
		{ "vif32751.0", 0, 32751, 0 },
		{ "tap3.0-emu", -22, 0, 0 },
		{ "vif32752.0", -22, 0, 0 },	/* DOMID_FIRST_RESERVED */
		{ "vif03.0", -22, 0, 0 },
		{ "vif3", -22, 0, 0 },
		{ "vif3.", -22, 0, 0 },
		{ "vif.0", -22, 0, 0 },
		{ "vif3.0x", -22, 0, 0 },
		{ "vif-3.0", -22, 0, 0 },
		{ "eth0", -22, 0, 0 },
		{ "", -22, 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		unsigned int domid = 0, devid = 0;
		int ret = vg_ifname_parse(cases[i].name, &domid, &devid);

		if (ret != cases[i].ret)
			fail_msg("%s: expected %d, got %d", cases[i].name, cases[i].ret, ret);
		if (!ret) {
			assert_int_equal(domid, cases[i].domid);
			assert_int_equal(devid, cases[i].devid);
		}
	}
}

static void backend_paths(void **state)
{
	static const struct {
		const char *path;
		int ret;
		unsigned int domid, devid;
	} cases[] = {
		{ "backend/vif/3/0", 0, 3, 0 },	/* as libxl sets XENBUS_PATH */
		{ "/local/domain/0/backend/vif/17/2", 0, 17, 2 },
		{ "/local/domain/1/backend/vif/3/0", -22, 0, 0 },
		{ "backend/vbd/3/51712", -22, 0, 0 },
		{ "backend/vif/3/0/mac", -22, 0, 0 },
		{ "backend/vif/3", -22, 0, 0 },
		{ "backend/vif/x/0", -22, 0, 0 },
		{ "/backend/vif/3/0", -22, 0, 0 },
		{ "", -22, 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		unsigned int domid = 0, devid = 0;
		char abs[128] = "";
		int ret;

		ret = vg_backend_path_parse(cases[i].path, abs, sizeof(abs), &domid, &devid);
		if (ret != cases[i].ret)
			fail_msg("%s: expected %d, got %d", cases[i].path, cases[i].ret, ret);
		if (!ret) {
			char want[128];

			snprintf(want, sizeof(want), "/local/domain/0/backend/vif/%u/%u",
				 cases[i].domid, cases[i].devid);
			assert_string_equal(abs, want);
			assert_int_equal(domid, cases[i].domid);
			assert_int_equal(devid, cases[i].devid);
		}
	}
}

static void vm_paths(void **state)
{
	char uuid[VG_UUID_STRLEN + 1];

	(void)state;
	assert_int_equal(vg_vm_path_uuid("/vm/" VM, uuid), 0);
	assert_string_equal(uuid, VM);
	assert_int_equal(vg_vm_path_uuid("/vm/5F1C2A3B-4D5E-4F60-8A7B-9C0D1E2F3A4B", uuid), 0);
	assert_string_equal(uuid, VM);
	assert_int_equal(vg_vm_path_uuid("/vm/" VM "/name", uuid), -22);
	assert_int_equal(vg_vm_path_uuid("/local/domain/3", uuid), -22);
	assert_int_equal(vg_vm_path_uuid("/vm/", uuid), -22);
}

/* --- parsers --------------------------------------------------------- */

static void xapi_strings(void **state)
{
	struct vg_spec spec;
	char err[512] = "";
	bool filter;

	(void)state;
	/* xenopsd: Locked {ipv4; ipv6} -> lists joined with "," */
	vg_spec_init(&spec, "vif3.0");
	assert_int_equal(vg_xapi_parse("locked", MAC, "10.0.0.5,10.0.0.6",
				       "2001:db8::5", &filter, &spec, err, sizeof(err)), 0);
	assert_true(filter);
	assert_int_equal(spec.mode, VG_MODE_LOCKED);
	assert_int_equal(spec.n_macs, 1);
	assert_v4(&spec, 0, "10.0.0.5", 32);
	assert_v4(&spec, 1, "10.0.0.6", 32);
	assert_v6(&spec, 0, "2001:db8::5", 128);
	assert_true(spec.flags & VG_F_DHCP_CLIENT);
	assert_true(spec.flags & VG_F_LINK_LOCAL);

	/* Locked with empty lists: MAC only (DHCP client still allowed). */
	vg_spec_init(&spec, "vif3.0");
	assert_int_equal(vg_xapi_parse("locked", MAC, "", "", &filter, &spec,
				       err, sizeof(err)), 0);
	assert_true(filter);
	assert_int_equal(spec.n_v4 + spec.n_v6, 0);
	assert_int_equal(spec.n_macs, 1);

	/* CIDR, accepted by XAPI since xen-api PR #4871. */
	vg_spec_init(&spec, "vif3.0");
	assert_int_equal(vg_xapi_parse("locked", MAC, "10.1.0.0/16, 192.168.0.1",
				       "2001:db8:1::/48", &filter, &spec, err,
				       sizeof(err)), 0);
	assert_v4(&spec, 0, "10.1.0.0", 16);
	assert_v4(&spec, 1, "192.168.0.1", 32);
	assert_v6(&spec, 0, "2001:db8:1::", 48);

	vg_spec_init(&spec, "vif3.0");
	assert_int_equal(vg_xapi_parse("unlocked", NULL, NULL, NULL, &filter, &spec,
				       err, sizeof(err)), 0);
	assert_false(filter);

	vg_spec_init(&spec, "vif3.0");
	assert_int_equal(vg_xapi_parse("disabled", NULL, NULL, NULL, &filter, &spec,
				       err, sizeof(err)), 0);
	assert_true(filter);
	assert_int_equal(spec.mode, VG_MODE_DISABLED);
}

static void xapi_malformed(void **state)
{
	static const struct {
		const char *mode, *mac, *v4, *v6, *msg;
	} cases[] = {
		{ "locked", MAC, "10.0.0.300", "", "ipv4-allowed: '10.0.0.300'" },
		{ "locked", MAC, "10.0.0.0/33", "", "ipv4-allowed: '10.0.0.0/33'" },
		{ "locked", MAC, "10.0.0.1,", "", "ipv4-allowed: '10.0.0.1,': empty item" },
		{ "locked", MAC, "10.0.0.1;10.0.0.2", "", "ipv4-allowed: '10.0.0.1;10.0.0.2'" },
		{ "locked", MAC, "2001:db8::1", "", "ipv4-allowed: '2001:db8::1'" },
		{ "locked", MAC, "", "fe80::zz", "ipv6-allowed: 'fe80::zz'" },
		{ "locked", MAC, "", "10.0.0.1", "ipv6-allowed: '10.0.0.1'" },
		{ "locked", NULL, "10.0.0.1", "", "mac: missing" },
		{ "locked", "", "10.0.0.1", "", "mac: missing" },
		{ "locked", "6e:2b:5d:4b:89", "", "", "mac: '6e:2b:5d:4b:89'" },
		{ "locked", "01:00:5e:00:00:01", "", "", "mac: '01:00:5e:00:00:01'" },
		{ "network_default", MAC, "", "", "locking-mode: 'network_default'" },
		{ "Locked", MAC, "", "", "locking-mode: 'Locked'" },
		{ "", MAC, "", "", "locking-mode: ''" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		struct vg_spec spec;
		char err[512] = "";
		bool filter;
		int ret;

		vg_spec_init(&spec, "vif3.0");
		ret = vg_xapi_parse(cases[i].mode, cases[i].mac, cases[i].v4, cases[i].v6,
				    &filter, &spec, err, sizeof(err));
		if (ret != -22)
			fail_msg("case %zu (%s): expected -EINVAL, got %d", i, cases[i].msg, ret);
		assert_contains(err, cases[i].msg);
	}
}

static void xl_strings(void **state)
{
	struct vg_spec spec;
	char err[512] = "";

	(void)state;
	vg_spec_init(&spec, "vif5.1");
	assert_int_equal(vg_xl_parse("00:16:3e:11:22:33",
				     "192.168.1.10 2001:db8::10  10.20.0.0/24",
				     &spec, err, sizeof(err)), 0);
	assert_int_equal(spec.mode, VG_MODE_LOCKED);
	assert_int_equal(spec.n_macs, 1);
	assert_v4(&spec, 0, "192.168.1.10", 32);
	assert_v4(&spec, 1, "10.20.0.0", 24);
	assert_v6(&spec, 0, "2001:db8::10", 128);

	vg_spec_init(&spec, "vif5.1");
	assert_int_equal(vg_xl_parse("00:16:3e:11:22:33", "192.168.1.300", &spec,
				     err, sizeof(err)), -22);
	assert_contains(err, "ip: '192.168.1.300'");
	vg_spec_init(&spec, "vif5.1");
	assert_int_equal(vg_xl_parse("00:16:3e:11:22:33", "192.168.1.1,192.168.1.2",
				     &spec, err, sizeof(err)), -22);
	assert_contains(err, "ip: '192.168.1.1,192.168.1.2'");
	vg_spec_init(&spec, "vif5.1");
	assert_int_equal(vg_xl_parse(NULL, "192.168.1.1", &spec, err, sizeof(err)), -22);
	assert_contains(err, "mac: missing");
}

/* --- identity ------------------------------------------------------ */

static void vm_uuid_lookup(void **state)
{
	const struct vg_xs_entry ok[] = { XAPI_DOMAIN_3 };
	const struct vg_xs_entry guest_owned[] = {
		{ "/local/domain/3/vm", "/vm/" VM, "b3" },
	};
	const struct vg_xs_entry guest_granted[] = {
		{ "/local/domain/3/vm", "/vm/" VM, "n0 w3" },
	};
	/* Domain 7 could point domain 3 at another VM's policy. */
	const struct vg_xs_entry other_granted[] = {
		{ "/local/domain/3/vm", "/vm/" VM, "n0 r3 w7" },
	};
	const struct vg_xs_entry other_owned[] = {
		{ "/local/domain/3/vm", "/vm/" VM, "n7 r3" },
	};
	const struct vg_xs_entry all_write[] = {
		{ "/local/domain/3/vm", "/vm/" VM, "w0 r3" },
	};
	const struct vg_xs_entry dom0_listed[] = {
		{ "/local/domain/3/vm", "/vm/" VM, "n0 r3 b0" },
	};
	const struct vg_xs_entry garbage[] = {
		{ "/local/domain/3/vm", "/vm/not-a-uuid", "n0 r3" },
	};
	struct vg_vif vif = { .domid = 3, .devid = 0 };
	char err[512] = "";
	struct vg_xs xs;

	(void)state;
	assert_int_equal(vg_xs_open_table(&xs, ok, N(ok)), 0);
	assert_int_equal(vg_vm_uuid_of_domid(&xs, &vif, err, sizeof(err)), 0);
	assert_string_equal(vif.vm_uuid, VM);
	vif.domid = 4;
	vif.vm_uuid[0] = '\0';
	assert_int_equal(vg_vm_uuid_of_domid(&xs, &vif, err, sizeof(err)), -2);
	vg_xs_close(&xs);

	vif.domid = 3;
	assert_int_equal(vg_xs_open_table(&xs, guest_owned, 1), 0);
	assert_int_equal(vg_vm_uuid_of_domid(&xs, &vif, err, sizeof(err)), -1);
	assert_contains(err, "/local/domain/3/vm: domain 3 can write this key");
	vg_xs_close(&xs);
	assert_int_equal(vg_xs_open_table(&xs, guest_granted, 1), 0);
	assert_int_equal(vg_vm_uuid_of_domid(&xs, &vif, err, sizeof(err)), -1);
	vg_xs_close(&xs);
	assert_int_equal(vg_xs_open_table(&xs, other_granted, 1), 0);
	assert_int_equal(vg_vm_uuid_of_domid(&xs, &vif, err, sizeof(err)), -1);
	assert_contains(err, "/local/domain/3/vm: domain 7 can write this key: not trusted as domain 3's identity");
	vg_xs_close(&xs);
	assert_int_equal(vg_xs_open_table(&xs, other_owned, 1), 0);
	assert_int_equal(vg_vm_uuid_of_domid(&xs, &vif, err, sizeof(err)), -1);
	assert_contains(err, "domain 7 can write this key");
	vg_xs_close(&xs);
	assert_int_equal(vg_xs_open_table(&xs, all_write, 1), 0);
	assert_int_equal(vg_vm_uuid_of_domid(&xs, &vif, err, sizeof(err)), -1);
	assert_contains(err, "every domain can write this key");
	vg_xs_close(&xs);
	/* dom0 granted what it has anyway: still only dom0 writes. */
	assert_int_equal(vg_xs_open_table(&xs, dom0_listed, 1), 0);
	assert_int_equal(vg_vm_uuid_of_domid(&xs, &vif, err, sizeof(err)), 0);
	vg_xs_close(&xs);
	assert_int_equal(vg_xs_open_table(&xs, garbage, 1), 0);
	assert_int_equal(vg_vm_uuid_of_domid(&xs, &vif, err, sizeof(err)), -22);
	assert_contains(err, "'/vm/not-a-uuid': not a VM path");
	vg_xs_close(&xs);
}

static void table_store(void **state)
{
	const struct vg_xs_entry tab[] = { XAPI_DOMAIN_3 };
	unsigned int n = 0, dom = 0;
	struct vg_xs xs;
	char **l, *v;

	(void)state;
	assert_int_equal(vg_xs_open_table(&xs, tab, N(tab)), 0);
	l = vg_xs_list(&xs, "/local/domain/0/backend/vif", &n);
	assert_non_null(l);
	assert_int_equal(n, 1);
	assert_string_equal(l[0], "3");
	free(l);
	l = vg_xs_list(&xs, "/local/domain/3", &n);
	assert_non_null(l);
	assert_int_equal(n, 4);	/* vm, name, device, xenserver */
	free(l);
	assert_null(vg_xs_list(&xs, "/nope", &n));
	assert_int_equal(vg_xs_writable_by_domu(&xs, PRIV "/locking-mode", &dom), -2);
	assert_int_equal(vg_xs_writable_by_domu(&xs, PRIV "/mac", &dom), 0);
	assert_int_equal(vg_xs_writable_by_domu(&xs, "/local/domain/3/device/vif/0/mac", &dom), 1);
	assert_int_equal(dom, 3);
	assert_int_equal(vg_xs_write(&xs, "/xapi/" VM "/hotplug/3/vif/0/vif-ofport", "7"), 0);
	v = vg_xs_read(&xs, "/xapi/" VM "/hotplug/3/vif/0/vif-ofport");
	assert_string_equal(v, "7");
	free(v);
	assert_int_equal(vg_xs_rm(&xs, "/xapi/" VM "/hotplug/3/vif/0/vif-ofport"), 0);
	assert_true(vg_xs_table_removed(&xs, "/xapi/" VM "/hotplug/3/vif/0/vif-ofport"));
	assert_null(vg_xs_read(&xs, "/xapi/" VM "/hotplug/3/vif/0/vif-ofport"));
	vg_xs_close(&xs);
}

/* --- resolution and precedence -------------------------------------- */

static void xapi_locked(void **state)
{
	const struct vg_xs_entry tab[] = {
		XAPI_DOMAIN_3,
		{ PRIV "/locking-mode", "locked", NULL },
		{ PRIV "/ipv4-allowed", "10.0.0.5", NULL },
		{ PRIV "/ipv6-allowed", "", NULL },
	};
	struct vg_resolution r;

	(void)state;
	resolve_table(tab, N(tab), NULL, 3, 0, NULL, "vif3.0", &r);
	assert_filter(&r, VG_SOURCE_XAPI, VG_MODE_LOCKED, PRIV);
	assert_string_equal(r.spec.ifname, "vif3.0");
	assert_v4(&r.spec, 0, "10.0.0.5", 32);
	assert_int_equal(r.spec.n_v4, 1);
	assert_string_equal(r.vif_uuid, VIFUUID);
	/* The guest's static-ip-setting (10.0.0.99) is never a source. */
	assert_int_equal(r.spec.n_v6, 0);

	/* Same policy for the emulated NIC, with the UUID given as by
	 * setup-vif-rules (no lookup through /local/domain/3). */
	resolve_table(tab + 1, N(tab) - 1, NULL, 3, 0, VM, "tap3.0", &r);
	assert_filter(&r, VG_SOURCE_XAPI, VG_MODE_LOCKED, PRIV);
	assert_v4(&r.spec, 0, "10.0.0.5", 32);
	assert_string_equal(r.spec.ifname, "tap3.0");
}

static void xapi_disabled_and_unlocked(void **state)
{
	const struct vg_xs_entry disabled[] = {
		XAPI_DOMAIN_3,
		{ PRIV "/locking-mode", "disabled", NULL },
	};
	const struct vg_xs_entry unlocked[] = {
		XAPI_DOMAIN_3,
		{ PRIV "/locking-mode", "unlocked", NULL },
	};
	struct vg_resolution r;

	(void)state;
	resolve_table(disabled, N(disabled), NULL, 3, 0, NULL, "vif3.0", &r);
	assert_filter(&r, VG_SOURCE_XAPI, VG_MODE_DISABLED, PRIV);
	resolve_table(unlocked, N(unlocked), NULL, 3, 0, NULL, "vif3.0", &r);
	assert_int_equal(r.decision, VG_DECISION_UNFILTERED);
	assert_string_equal(vg_source_name(r.source), "xapi");
	assert_string_equal(r.origin, PRIV);
}

static void xapi_fail_closed(void **state)
{
	const struct vg_xs_entry bad_v4[] = {
		XAPI_DOMAIN_3,
		{ PRIV "/locking-mode", "locked", NULL },
		{ PRIV "/ipv4-allowed", "10.0.0.5,10.0.0.300", NULL },
		{ PRIV "/ipv6-allowed", "", NULL },
	};
	const struct vg_xs_entry bad_mode[] = {
		XAPI_DOMAIN_3,
		{ PRIV "/locking-mode", "network_default", NULL },
	};
	/* No mac key anywhere. */
	const struct vg_xs_entry no_mac[] = {
		{ "/local/domain/3/vm", "/vm/" VM, "n0 r3" },
		{ BE3 "/frontend-id", "3", "n0 r3" },
		{ PRIV "/locking-mode", "locked", NULL },
		{ PRIV "/ipv4-allowed", "10.0.0.5", NULL },
	};
	/* Only the backend has the MAC (older xenopsd): that is enough. */
	const struct vg_xs_entry backend_mac[] = {
		{ "/local/domain/3/vm", "/vm/" VM, "n0 r3" },
		{ BE3 "/mac", MAC, "n0 r3" },
		{ PRIV "/locking-mode", "locked", NULL },
		{ PRIV "/ipv4-allowed", "10.0.0.5", NULL },
	};
	/* A guest that owns its vm key could point at another VM's policy. */
	const struct vg_xs_entry forged_vm[] = {
		{ "/local/domain/3/vm", "/vm/" VM, "b3" },
		{ BE3 "/mac", MAC, "n0 r3" },
		{ BE3 "/ip", "10.0.0.5", "n0 r3" },
		{ PRIV "/locking-mode", "unlocked", NULL },
	};
	struct vg_resolution r;

	(void)state;
	resolve_table(bad_v4, N(bad_v4), NULL, 3, 0, NULL, "vif3.0", &r);
	assert_failed_closed(&r, VG_SOURCE_XAPI,
			     PRIV "/ipv4-allowed: '10.0.0.300'");
	assert_string_equal(r.origin, PRIV);
	assert_int_equal(r.spec.n_v4, 0);

	resolve_table(bad_mode, N(bad_mode), NULL, 3, 0, NULL, "vif3.0", &r);
	assert_failed_closed(&r, VG_SOURCE_XAPI,
			     PRIV "/locking-mode: 'network_default'");

	resolve_table(no_mac, N(no_mac), NULL, 3, 0, NULL, "vif3.0", &r);
	assert_failed_closed(&r, VG_SOURCE_XAPI, PRIV "/mac: missing");

	resolve_table(backend_mac, N(backend_mac), NULL, 3, 0, NULL, "vif3.0", &r);
	assert_filter(&r, VG_SOURCE_XAPI, VG_MODE_LOCKED, PRIV);
	assert_int_equal(r.spec.n_macs, 1);

	resolve_table(forged_vm, N(forged_vm), NULL, 3, 0, NULL, "vif3.0", &r);
	assert_failed_closed(&r, VG_SOURCE_XAPI,
			     "/local/domain/3/vm: domain 3 can write this key");
}

static void xl_backend(void **state)
{
	const struct vg_xs_entry tab[] = { XL_DOMAIN_5("192.168.1.10 2001:db8::10") };
	const struct vg_xs_entry bad[] = { XL_DOMAIN_5("192.168.1.10 192.168.1.") };
	const struct vg_xs_entry blank[] = { XL_DOMAIN_5("  ") };
	struct vg_resolution r;

	(void)state;
	resolve_table(tab, N(tab), NULL, 5, 1, NULL, "vif5.1", &r);
	assert_filter(&r, VG_SOURCE_XL, VG_MODE_LOCKED, BE5);
	assert_v4(&r.spec, 0, "192.168.1.10", 32);
	assert_v6(&r.spec, 0, "2001:db8::10", 128);
	assert_int_equal(r.spec.macs[0][5], 0x33);

	resolve_table(tab, N(tab), NULL, 5, 1, NULL, "vif5.1-emu", &r);
	assert_filter(&r, VG_SOURCE_XL, VG_MODE_LOCKED, BE5);
	assert_string_equal(r.spec.ifname, "vif5.1-emu");

	resolve_table(bad, N(bad), NULL, 5, 1, NULL, "vif5.1", &r);
	assert_failed_closed(&r, VG_SOURCE_XL, BE5 "/ip: '192.168.1.'");
	/* A wrong value: disabled, but nothing for the command to report. */
	assert_int_equal(r.host_error, 0);

	resolve_table(blank, N(blank), NULL, 5, 1, NULL, "vif5.1", &r);
	assert_int_equal(r.decision, VG_DECISION_UNFILTERED);
	assert_string_equal(vg_source_name(r.source), "none");
}

static void precedence(void **state)
{
	static const char conf[] =
		VIFUUID " 172.16.0.1\n"
		MAC " 172.16.0.2\n"
		"00:16:3e:11:22:33 172.16.0.3 mode=disabled\n";
	const struct vg_xs_entry xapi_and_xl[] = {
		XAPI_DOMAIN_3,
		{ PRIV "/locking-mode", "locked", NULL },
		{ PRIV "/ipv4-allowed", "10.0.0.5", NULL },
		{ PRIV "/ipv6-allowed", "", NULL },
		{ BE3 "/ip", "10.0.0.77", "n0 r3" },
	};
	const struct vg_xs_entry unlocked_xl[] = {
		XAPI_DOMAIN_3,
		{ PRIV "/locking-mode", "unlocked", NULL },
		{ BE3 "/ip", "10.0.0.77", "n0 r3" },
	};
	const struct vg_xs_entry unlocked[] = {
		XAPI_DOMAIN_3,
		{ PRIV "/locking-mode", "unlocked", NULL },
	};
	const struct vg_xs_entry xl[] = { XL_DOMAIN_5("192.168.1.10") };
	const struct vg_xs_entry xl_no_ip[] = { XL_DOMAIN_5("") };
	struct vg_config cfg;
	struct vg_resolution r;
	char err[512] = "";

	(void)state;
	assert_int_equal(vg_config_parse("/etc/vifguard/vifguard.conf", conf, &cfg,
					 err, sizeof(err)), 0);

	/* 1. XAPI locked beats the backend's ip and the config file. */
	resolve_table(xapi_and_xl, N(xapi_and_xl), &cfg, 3, 0, NULL, "vif3.0", &r);
	assert_filter(&r, VG_SOURCE_XAPI, VG_MODE_LOCKED, PRIV);
	assert_v4(&r.spec, 0, "10.0.0.5", 32);

	/* 2. XAPI unlocked: the backend's ip applies. */
	resolve_table(unlocked_xl, N(unlocked_xl), &cfg, 3, 0, NULL, "vif3.0", &r);
	assert_filter(&r, VG_SOURCE_XL, VG_MODE_LOCKED, BE3);
	assert_v4(&r.spec, 0, "10.0.0.77", 32);

	/* 3. XAPI unlocked, no ip: the config file, by VIF UUID before MAC. */
	resolve_table(unlocked, N(unlocked), &cfg, 3, 0, NULL, "vif3.0", &r);
	assert_filter(&r, VG_SOURCE_CONFIG, VG_MODE_LOCKED, "/etc/vifguard/vifguard.conf:1");
	assert_v4(&r.spec, 0, "172.16.0.1", 32);
	assert_int_equal(r.spec.n_macs, 1);	/* the VIF's MAC from xenstore */

	/* xl's ip beats a config entry for the same MAC. */
	resolve_table(xl, N(xl), &cfg, 5, 1, NULL, "vif5.1", &r);
	assert_filter(&r, VG_SOURCE_XL, VG_MODE_LOCKED, BE5);

	/* No ip: the config entry by MAC. */
	resolve_table(xl_no_ip, N(xl_no_ip), &cfg, 5, 1, NULL, "vif5.1", &r);
	assert_filter(&r, VG_SOURCE_CONFIG, VG_MODE_DISABLED, "/etc/vifguard/vifguard.conf:3");

	/* 4. Nothing anywhere: unfiltered. */
	resolve_table(unlocked, N(unlocked), NULL, 3, 0, NULL, "vif3.0", &r);
	assert_int_equal(r.decision, VG_DECISION_UNFILTERED);
	resolve_table(xl_no_ip, N(xl_no_ip), NULL, 5, 1, NULL, "vif5.1", &r);
	assert_int_equal(r.decision, VG_DECISION_UNFILTERED);
	assert_string_equal(r.origin, "");
	vg_config_free(&cfg);
}

static void config_without_mac(void **state)
{
	static const char conf[] = VIFUUID " 172.16.0.1\n";
	static const char conf_mac[] = VIFUUID " 172.16.0.1 mac=00:16:3e:aa:bb:cc\n";
	const struct vg_xs_entry tab[] = {
		{ "/local/domain/3/vm", "/vm/" VM, "n0 r3" },
		{ PRIV "/vif-uuid", VIFUUID, NULL },
		{ PRIV "/locking-mode", "unlocked", NULL },
	};
	struct vg_config cfg;
	struct vg_resolution r;
	char err[512] = "";

	(void)state;
	assert_int_equal(vg_config_parse("t.conf", conf, &cfg, err, sizeof(err)), 0);
	resolve_table(tab, N(tab), &cfg, 3, 0, NULL, "vif3.0", &r);
	assert_failed_closed(&r, VG_SOURCE_CONFIG, "t.conf:1: VIF " VIFUUID ": no MAC known");
	vg_config_free(&cfg);

	assert_int_equal(vg_config_parse("t.conf", conf_mac, &cfg, err, sizeof(err)), 0);
	resolve_table(tab, N(tab), &cfg, 3, 0, NULL, "vif3.0", &r);
	assert_filter(&r, VG_SOURCE_CONFIG, VG_MODE_LOCKED, "t.conf:1");
	assert_int_equal(r.spec.n_macs, 1);
	vg_config_free(&cfg);
}

/* A config file that failed to load (cfg.error) has no say over what
 * XAPI or xl decide, and fails closed every VIF that would need it. */
static void config_broken(void **state)
{
	const struct vg_xs_entry locked[] = {
		XAPI_DOMAIN_3,
		{ PRIV "/locking-mode", "locked", NULL },
		{ PRIV "/ipv4-allowed", "10.0.0.5", NULL },
		{ PRIV "/ipv6-allowed", "", NULL },
	};
	const struct vg_xs_entry disabled[] = {
		XAPI_DOMAIN_3,
		{ PRIV "/locking-mode", "disabled", NULL },
	};
	const struct vg_xs_entry unlocked[] = {
		XAPI_DOMAIN_3,
		{ PRIV "/locking-mode", "unlocked", NULL },
	};
	const struct vg_xs_entry xl[] = { XL_DOMAIN_5("192.168.1.10") };
	const struct vg_xs_entry xl_no_ip[] = { XL_DOMAIN_5("") };
	struct vg_config cfg;
	struct vg_resolution r;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.path, sizeof(cfg.path), "/etc/vifguard/vifguard.conf");
	cfg.error = -EINVAL;
	snprintf(cfg.errmsg, sizeof(cfg.errmsg),
		 "/etc/vifguard/vifguard.conf:7: 'bogus': unknown option");

	resolve_table(locked, N(locked), &cfg, 3, 0, NULL, "vif3.0", &r);
	assert_filter(&r, VG_SOURCE_XAPI, VG_MODE_LOCKED, PRIV);
	assert_false(r.failed_closed);
	assert_v4(&r.spec, 0, "10.0.0.5", 32);
	resolve_table(disabled, N(disabled), &cfg, 3, 0, NULL, "vif3.0", &r);
	assert_filter(&r, VG_SOURCE_XAPI, VG_MODE_DISABLED, PRIV);
	assert_false(r.failed_closed);
	resolve_table(xl, N(xl), &cfg, 5, 1, NULL, "vif5.1", &r);
	assert_filter(&r, VG_SOURCE_XL, VG_MODE_LOCKED, BE5);
	assert_false(r.failed_closed);

	/* Undecided above: the file might hold an entry for the VIF. */
	resolve_table(unlocked, N(unlocked), &cfg, 3, 0, NULL, "vif3.0", &r);
	assert_failed_closed(&r, VG_SOURCE_CONFIG,
			     "/etc/vifguard/vifguard.conf:7: 'bogus': unknown option");
	assert_string_equal(r.origin, "/etc/vifguard/vifguard.conf");
	resolve_table(xl_no_ip, N(xl_no_ip), &cfg, 5, 1, NULL, "vif5.1", &r);
	assert_failed_closed(&r, VG_SOURCE_CONFIG, "/etc/vifguard/vifguard.conf:7:");
}

/* host unlisted=learn: what XAPI unlocked and xl without ip= leave
 * unfiltered is locked to the VIF's MAC and what it learns; every other
 * decision stays as it was. */
static void unlisted_learn(void **state)
{
	static const char conf[] =
		"# unlisted VIFs\n"
		"host unlisted=learn learn=none mode=locked\n"
		"00:16:3e:11:22:34 172.16.0.3\n";
	const unsigned int learning = VG_F_DHCP_CLIENT | VG_F_LINK_LOCAL | VG_F_LEARN_LL |
				      VG_F_LEARN_DHCP;
	const struct vg_xs_entry unlocked[] = {
		XAPI_DOMAIN_3,
		{ PRIV "/locking-mode", "unlocked", NULL },
	};
	const struct vg_xs_entry disabled[] = {
		XAPI_DOMAIN_3,
		{ PRIV "/locking-mode", "disabled", NULL },
	};
	const struct vg_xs_entry locked[] = {
		XAPI_DOMAIN_3,
		{ PRIV "/locking-mode", "locked", NULL },
		{ PRIV "/ipv4-allowed", "", NULL },
		{ PRIV "/ipv6-allowed", "", NULL },
	};
	const struct vg_xs_entry xl[] = { XL_DOMAIN_5("192.168.1.10") };
	const struct vg_xs_entry xl_no_ip[] = { XL_DOMAIN_5("") };
	const struct vg_xs_entry xl_blank_ip[] = { XL_DOMAIN_5("  ") };
	/* A domain the toolstack did not make: no VM path, no MAC key. */
	const struct vg_xs_entry bare[] = {
		{ BE5 "/frontend-id", "5", "n0 r5" },
	};
	const struct vg_xs_entry bad_mac[] = {
		{ BE5 "/frontend-id", "5", "n0 r5" },
		{ BE5 "/mac", "ff:ff:ff:ff:ff:ff", "n0 r5" },
	};
	const struct vg_xs_entry garbled_mac[] = {
		{ BE5 "/frontend-id", "5", "n0 r5" },
		{ BE5 "/mac", "00:16:3e:zz:00:01", "n0 r5" },
	};
	struct vg_config cfg;
	struct vg_resolution r;
	char err[512] = "";

	(void)state;
	assert_int_equal(vg_config_parse("/etc/vifguard/vifguard.conf", conf, &cfg, err,
					 sizeof(err)), 0);
	assert_int_equal(cfg.host_unlisted, VG_UNLISTED_LEARN);
	assert_int_equal(cfg.host_unlisted_line, 2);

	/* XAPI unlocked: locked by learning, the VIF's MAC, no address;
	 * host learn=none does not apply to it. */
	resolve_table(unlocked, N(unlocked), &cfg, 3, 0, NULL, "vif3.0", &r);
	assert_filter(&r, VG_SOURCE_CONFIG, VG_MODE_LOCKED, "/etc/vifguard/vifguard.conf:2");
	assert_true(r.unlisted);
	assert_string_equal(r.unlisted_xapi, PRIV);
	assert_int_equal(r.spec.flags, learning);
	assert_int_equal(r.spec.n_macs, 1);
	assert_memory_equal(r.spec.macs[0], r.mac, 6);
	assert_int_equal(r.spec.macs[0][5], 0xd1);
	assert_int_equal(r.spec.n_v4 + r.spec.n_v6, 0);
	assert_string_equal(r.spec.ifname, "vif3.0");
	assert_int_equal(vg_spec_validate(&r.spec, err, sizeof(err)), 0);
	/* HVM's emulated NIC: the same. */
	resolve_table(unlocked, N(unlocked), &cfg, 3, 0, NULL, "tap3.0", &r);
	assert_filter(&r, VG_SOURCE_CONFIG, VG_MODE_LOCKED, "/etc/vifguard/vifguard.conf:2");
	assert_string_equal(r.spec.ifname, "tap3.0");

	/* xl without ip=, empty or blank: the same, no XAPI named. */
	resolve_table(xl_blank_ip, N(xl_blank_ip), &cfg, 5, 1, NULL, "vif5.1", &r);
	assert_filter(&r, VG_SOURCE_CONFIG, VG_MODE_LOCKED, "/etc/vifguard/vifguard.conf:2");
	assert_true(r.unlisted);
	assert_string_equal(r.unlisted_xapi, "");
	assert_int_equal(r.spec.flags, learning);

	/* What a source decides stays: XAPI disabled and locked, xl's ip, a
	 * config entry (by MAC) with host learn=none applied to it. */
	resolve_table(disabled, N(disabled), &cfg, 3, 0, NULL, "vif3.0", &r);
	assert_filter(&r, VG_SOURCE_XAPI, VG_MODE_DISABLED, PRIV);
	assert_false(r.unlisted);
	resolve_table(locked, N(locked), &cfg, 3, 0, NULL, "vif3.0", &r);
	assert_filter(&r, VG_SOURCE_XAPI, VG_MODE_LOCKED, PRIV);
	assert_false(r.unlisted);
	assert_int_equal(r.spec.flags & VG_LEARN_FLAGS, 0);
	resolve_table(xl, N(xl), &cfg, 5, 1, NULL, "vif5.1", &r);
	assert_filter(&r, VG_SOURCE_XL, VG_MODE_LOCKED, BE5);
	assert_false(r.unlisted);
	vg_config_free(&cfg);

	assert_int_equal(vg_config_parse("t.conf", "host unlisted=learn\n"
					 "00:16:3e:11:22:33 172.16.0.3\n", &cfg, err,
					 sizeof(err)), 0);
	resolve_table(xl_no_ip, N(xl_no_ip), &cfg, 5, 1, NULL, "vif5.1", &r);
	assert_filter(&r, VG_SOURCE_CONFIG, VG_MODE_LOCKED, "t.conf:2");
	assert_false(r.unlisted);
	assert_v4(&r.spec, 0, "172.16.0.3", 32);

	/* Without a valid MAC: fails closed, naming the keys. */
	resolve_table(bare, N(bare), &cfg, 5, 1, NULL, "vif5.1", &r);
	assert_failed_closed(&r, VG_SOURCE_CONFIG, "t.conf:1: host unlisted=learn: no MAC for "
			     "the VIF in " BE5 "/mac");
	resolve_table(bad_mac, N(bad_mac), &cfg, 5, 1, NULL, "vif5.1", &r);
	assert_failed_closed(&r, VG_SOURCE_CONFIG, "t.conf:1: host unlisted=learn: " BE5
			     "/mac: 'ff:ff:ff:ff:ff:ff': a multicast or broadcast MAC");
	resolve_table(garbled_mac, N(garbled_mac), &cfg, 5, 1, NULL, "vif5.1", &r);
	assert_failed_closed(&r, VG_SOURCE_CONFIG, "t.conf:1: host unlisted=learn: " BE5
			     "/mac: '00:16:3e:zz:00:01': not a MAC address");
	vg_config_free(&cfg);

	/* The host audit switch makes it audit, like any locked policy. */
	assert_int_equal(vg_config_parse("t.conf", "host unlisted=learn mode=audit\n", &cfg,
					 err, sizeof(err)), 0);
	resolve_table(unlocked, N(unlocked), &cfg, 3, 0, NULL, "vif3.0", &r);
	assert_filter(&r, VG_SOURCE_CONFIG, VG_MODE_AUDIT, "t.conf:1");
	assert_true(r.host_audit);
	vg_config_free(&cfg);

	/* unlisted=open, or no word: unfiltered, as before. */
	assert_int_equal(vg_config_parse("t.conf", "host unlisted=open\n", &cfg, err,
					 sizeof(err)), 0);
	resolve_table(unlocked, N(unlocked), &cfg, 3, 0, NULL, "vif3.0", &r);
	assert_int_equal(r.decision, VG_DECISION_UNFILTERED);
	assert_false(r.unlisted);
	resolve_table(xl_no_ip, N(xl_no_ip), &cfg, 5, 1, NULL, "vif5.1", &r);
	assert_int_equal(r.decision, VG_DECISION_UNFILTERED);
	vg_config_free(&cfg);
}

/* A policy key that a domain other than dom0 may write could come from
 * a guest: the VIF fails closed, naming the key and the writer. */
static void domu_writable_keys(void **state)
{
	const struct vg_xs_entry xapi_mode[] = {
		XAPI_DOMAIN_3,
		{ PRIV "/locking-mode", "unlocked", "n3" },
	};
	const struct vg_xs_entry xapi_v4[] = {
		XAPI_DOMAIN_3,
		{ PRIV "/locking-mode", "locked", NULL },
		{ PRIV "/ipv4-allowed", "10.0.0.5", "w0" },
	};
	const struct vg_xs_entry xl_ip[] = {
		{ "/local/domain/5/vm", "/vm/7e8f9a0b-1c2d-4e3f-8a5b-6c7d8e9f0a1b", "n0 r5" },
		{ BE5 "/mac", "00:16:3e:11:22:33", "n0 r5" },
		{ BE5 "/ip", "192.168.1.10", "n0 r5 w9" },
	};
	const struct vg_xs_entry xl_mac[] = {
		{ "/local/domain/5/vm", "/vm/7e8f9a0b-1c2d-4e3f-8a5b-6c7d8e9f0a1b", "n0 r5" },
		{ BE5 "/mac", "00:16:3e:11:22:33", "b5" },
		{ BE5 "/ip", "192.168.1.10", "n0 r5" },
	};
	struct vg_resolution r;

	(void)state;
	resolve_table(xapi_mode, N(xapi_mode), NULL, 3, 0, NULL, "vif3.0", &r);
	assert_failed_closed(&r, VG_SOURCE_XAPI,
			     PRIV "/locking-mode: domain 3 can write this key: not trusted");
	resolve_table(xapi_v4, N(xapi_v4), NULL, 3, 0, NULL, "vif3.0", &r);
	assert_failed_closed(&r, VG_SOURCE_XAPI,
			     PRIV "/ipv4-allowed: every domain can write this key: not trusted");
	resolve_table(xl_ip, N(xl_ip), NULL, 5, 1, NULL, "vif5.1", &r);
	assert_failed_closed(&r, VG_SOURCE_XL,
			     BE5 "/ip: domain 9 can write this key: not trusted");
	resolve_table(xl_mac, N(xl_mac), NULL, 5, 1, NULL, "vif5.1", &r);
	assert_failed_closed(&r, VG_SOURCE_XL,
			     BE5 "/mac: domain 5 can write this key: not trusted");
	/* The host is at fault: the command exits 1. */
	assert_int_equal(r.host_error, -EPERM);
}

static void guest_keys_ignored(void **state)
{
	/* Everything a guest could write under its home, nothing else:
	 * no policy may come out of it. */
	const struct vg_xs_entry tab[] = {
		{ "/local/domain/7/vm", "/vm/" VM, "n0 r7" },
		{ "/local/domain/7/device/vif/0/mac", MAC, "b7" },
		{ "/local/domain/7/device/vif/0/ip", "10.0.0.1", "b7" },
		{ "/local/domain/7/xenserver/device/vif/0/static-ip-setting/address",
		  "10.0.0.99", "b7" },
		{ "/local/domain/7/data/locking-mode", "locked", "b7" },
	};
	struct vg_resolution r;

	(void)state;
	resolve_table(tab, N(tab), NULL, 7, 0, NULL, "vif7.0", &r);
	assert_int_equal(r.decision, VG_DECISION_UNFILTERED);
	assert_false(r.has_mac);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ifnames),
		cmocka_unit_test(backend_paths),
		cmocka_unit_test(vm_paths),
		cmocka_unit_test(xapi_strings),
		cmocka_unit_test(xapi_malformed),
		cmocka_unit_test(xl_strings),
		cmocka_unit_test(vm_uuid_lookup),
		cmocka_unit_test(table_store),
		cmocka_unit_test(xapi_locked),
		cmocka_unit_test(xapi_disabled_and_unlocked),
		cmocka_unit_test(xapi_fail_closed),
		cmocka_unit_test(xl_backend),
		cmocka_unit_test(precedence),
		cmocka_unit_test(config_without_mac),
		cmocka_unit_test(config_broken),
		cmocka_unit_test(unlisted_learn),
		cmocka_unit_test(domu_writable_keys),
		cmocka_unit_test(guest_keys_ignored),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("xen-sources", tests, NULL, NULL);
}
