// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * vg_resolve over an in-memory xenstore (vg_xs_open_table) and a config
 * file: every xenstore value the sources read, through the precedence
 * and fail-closed rules of source.h, for vif5.0 (domid 5, devid 0).
 *
 * Input: two bytes, a little-endian mask saying which of the fields below
 * exist, then the fields' values separated by NUL bytes, in this order
 * (a field whose bit is clear still takes its place in the list):
 *
 *   0 /local/domain/5/vm		  the VM path ("/vm/<uuid>")
 *   1 its permissions			  xenstore-chmod notation ("n0", "b5")
 *   2 /xapi/<uuid>/private/vif/0/mac	  <uuid> from field 0 when it
 *   3 .../vif-uuid			  parses, else one no VM path names
 *   4 .../locking-mode
 *   5 .../ipv4-allowed
 *   6 .../ipv6-allowed
 *   7 /local/domain/0/backend/vif/5/0/mac
 *   8 .../ip
 *   9 the config file's text		  ignored when it does not parse
 *
 * Contract, from source.h: a decision to filter carries a policy that
 * vg_spec_validate() accepts, whatever the keys say; failing closed is
 * mode disabled with a reason; a VM path that is there is either trusted
 * or fails closed; a locking-mode other than "unlocked" in the VM's XAPI
 * directory, or a non-blank ip key, never ends unfiltered.
 */
#include <ctype.h>
#include <errno.h>

#include "config.h"
#include "fuzz.h"
#include "source.h"
#include "xs_table.h"

enum {
	F_VM, F_VM_PERMS, F_XMAC, F_VIF_UUID, F_MODE, F_V4, F_V6, F_BMAC, F_IP, F_CONFIG,
	F_N
};

#define XAPI_FMT	"/xapi/%s/private/vif/0/%s"
#define BACKEND		"/local/domain/0/backend/vif/5/0"

static bool blank(const char *s)
{
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const xapi_keys[] = {
		[F_XMAC] = "mac", [F_VIF_UUID] = "vif-uuid", [F_MODE] = "locking-mode",
		[F_V4] = "ipv4-allowed", [F_V6] = "ipv6-allowed",
	};
	char xapi_paths[F_V6 + 1][VG_XS_PATHLEN];
	char uuid[VG_UUID_STRLEN + 1] = "00000000-0000-0000-0000-000000000000";
	char *buf, *f[F_N], cerr[VG_ERRLEN + 64], verr[VG_ERRLEN];
	struct vg_xs_entry tab[F_N];
	struct vg_config cfg, *cfgp = NULL;
	struct vg_vif vif = { .domid = 5, .devid = 0 };
	struct vg_resolution res;
	struct vg_xs xs;
	unsigned int mask, i;
	size_t n, nt = 0;
	int ret;

	if (size < 2)
		return 0;
	mask = data[0] | (unsigned int)data[1] << 8;
	memset(f, 0, sizeof(f));
	n = fuzz_split(data + 2, size - 2, &buf, f, F_N);
	for (i = 0; i < F_N; i++)
		if (i >= n || !(mask & (1U << i)))
			f[i] = NULL;

	if (f[F_VM]) {
		vg_vm_path_uuid(f[F_VM], uuid);
		tab[nt++] = (struct vg_xs_entry){ "/local/domain/5/vm", f[F_VM], f[F_VM_PERMS] };
	}
	for (i = F_XMAC; i <= F_V6; i++) {
		if (!f[i])
			continue;
		snprintf(xapi_paths[i], sizeof(xapi_paths[i]), XAPI_FMT, uuid, xapi_keys[i]);
		tab[nt++] = (struct vg_xs_entry){ xapi_paths[i], f[i], NULL };
	}
	if (f[F_BMAC])
		tab[nt++] = (struct vg_xs_entry){ BACKEND "/mac", f[F_BMAC], NULL };
	if (f[F_IP])
		tab[nt++] = (struct vg_xs_entry){ BACKEND "/ip", f[F_IP], NULL };
	if (f[F_CONFIG] && vg_config_parse("fuzz.conf", f[F_CONFIG], &cfg, cerr, sizeof(cerr)) == 0)
		cfgp = &cfg;

	FUZZ_CHECK(vg_xs_open_table(&xs, tab, nt) == 0, "vg_xs_open_table failed");
	memset(&res, FUZZ_ERR_FILL, sizeof(res));
	ret = vg_resolve(&xs, cfgp, &vif, "vif5.0", &res);
	FUZZ_CHECK(ret == 0, "vg_resolve returned %d", ret);

	FUZZ_CHECK(!strcmp(res.spec.ifname, "vif5.0"), "ifname lost");
	FUZZ_CHECK(memchr(res.origin, '\0', sizeof(res.origin)) &&
			   memchr(res.reason, '\0', sizeof(res.reason)),
		   "origin or reason not NUL-terminated");
	FUZZ_CHECK(res.decision == VG_DECISION_FILTER || res.decision == VG_DECISION_UNFILTERED,
		   "decision %d", res.decision);
	if (res.failed_closed) {
		FUZZ_CHECK(res.decision == VG_DECISION_FILTER && res.spec.mode == VG_MODE_DISABLED,
			   "failed closed but decision %d mode %d", res.decision, res.spec.mode);
		FUZZ_CHECK(res.reason[0], "failed closed without a reason");
	} else {
		FUZZ_CHECK(!res.reason[0], "a reason without failing closed: %s", res.reason);
	}
	if (res.decision == VG_DECISION_FILTER) {
		FUZZ_CHECK(res.origin[0], "a filter from nowhere (source %s)",
			   vg_source_name(res.source));
		FUZZ_CHECK(vg_spec_validate(&res.spec, verr, sizeof(verr)) == 0,
			   "decided a policy vg_spec_validate refuses (%s %s): %s",
			   vg_source_name(res.source), res.origin, verr);
		FUZZ_CHECK(res.source != VG_SOURCE_CONFIG || cfgp, "config decision without one");
	} else {
		FUZZ_CHECK(!f[F_IP] || blank(f[F_IP]), "unfiltered with ip '%s'", f[F_IP]);
		FUZZ_CHECK(!vif.vm_uuid[0] || !f[F_MODE] || !strcmp(f[F_MODE], "unlocked"),
			   "unfiltered with locking-mode '%s'", f[F_MODE]);
	}
	if (f[F_VM])
		FUZZ_CHECK(vif.vm_uuid[0] || res.failed_closed,
			   "VM path '%s' neither trusted nor failed closed", f[F_VM]);

	vg_xs_close(&xs);
	if (cfgp)
		vg_config_free(cfgp);
	free(buf);
	return 0;
}
