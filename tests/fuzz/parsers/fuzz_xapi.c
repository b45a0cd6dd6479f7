// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * vg_xapi_parse: the keys xenopsd writes under
 * /xapi/<vm-uuid>/private/vif/<devid>/.
 *
 * Input: the values of locking-mode, mac, ipv4-allowed and ipv6-allowed,
 * separated by NUL bytes.  A key the input does not reach is absent
 * (NULL), as when xenstore has no such node; locking-mode is always
 * there, since vg_resolve only calls the parser when it is.
 *
 * Contract: "unlocked" is the only way to no filter; a filter that
 * parses is one vg_spec_validate() accepts, with the key's MAC first; a
 * failure names the key it comes from.
 */
#include <errno.h>

#include "fuzz.h"
#include "source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *f[4] = { NULL, NULL, NULL, NULL };
	size_t n = fuzz_split(data, size, &buf, f, 4);
	const char *mode = f[0], *mac = n > 1 ? f[1] : NULL;
	const char *v4 = n > 2 ? f[2] : NULL, *v6 = n > 3 ? f[3] : NULL;
	char err[VG_ERRLEN], verr[VG_ERRLEN];
	struct vg_spec spec;
	uint8_t m[6];
	bool filter = true;
	int ret;

	vg_spec_init(&spec, "vif1.0");
	fuzz_err_fill(err, sizeof(err));
	ret = vg_xapi_parse(mode, mac, v4, v6, &filter, &spec, err, sizeof(err));
	FUZZ_CHECK(ret == 0 || ret == -EINVAL, "vg_xapi_parse returned %d", ret);
	if (ret) {
		/* Messages quote the xenstore value as it is, which may hold a
		 * newline: no one-line check here. */
		fuzz_check_err("vg_xapi_parse", err, sizeof(err), false);
		FUZZ_CHECK(!strncmp(err, "locking-mode: ", 14) || !strncmp(err, "mac: ", 5) ||
				   !strncmp(err, "ipv4-allowed: ", 14) ||
				   !strncmp(err, "ipv6-allowed: ", 14),
			   "vg_xapi_parse: error names no key: %s", err);
		FUZZ_CHECK(strcmp(mode, "unlocked") && strcmp(mode, "disabled"),
			   "vg_xapi_parse: mode '%s' failed: %s", mode, err);
		free(buf);
		return 0;
	}
	FUZZ_CHECK(filter == !!strcmp(mode, "unlocked"), "vg_xapi_parse: mode '%s', filter %d",
		   mode, filter);
	if (!filter) {
		free(buf);
		return 0;
	}
	FUZZ_CHECK(!strcmp(mode, "locked") || !strcmp(mode, "disabled"),
		   "vg_xapi_parse: mode '%s' accepted", mode);
	if (!strcmp(mode, "disabled")) {
		FUZZ_CHECK(spec.mode == VG_MODE_DISABLED, "disabled read as mode %d", spec.mode);
	} else {
		FUZZ_CHECK(spec.mode == VG_MODE_LOCKED, "locked read as mode %d", spec.mode);
		FUZZ_CHECK(spec.n_macs == 1 && mac &&
				   vg_parse_mac(mac, m, verr, sizeof(verr)) == 0 &&
				   !memcmp(spec.macs[0], m, 6),
			   "vg_xapi_parse: locked without the key's MAC");
	}
	FUZZ_CHECK(vg_spec_validate(&spec, verr, sizeof(verr)) == 0,
		   "vg_xapi_parse accepted a policy vg_spec_validate refuses: %s", verr);
	free(buf);
	return 0;
}
