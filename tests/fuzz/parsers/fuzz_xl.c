// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * vg_xl_parse: the mac and ip keys of a libxl backend directory
 * (/local/domain/0/backend/vif/<domid>/<devid>).
 *
 * Input: mac, a NUL byte, then ip (space-separated IPv4 and IPv6 hosts or
 * prefixes).  An empty mac stands for an absent key (NULL); without a
 * NUL byte ip is empty.
 *
 * Contract: a policy that parses is locked, has exactly the key's MAC,
 * one address per word of ip, and passes vg_spec_validate(); a failure
 * names its key.
 */
#include <ctype.h>
#include <errno.h>

#include "fuzz.h"
#include "source.h"

/* Words as vg_xl_parse documents them: runs of non-blanks. */
static unsigned int words(const char *s)
{
	unsigned int n = 0;

	while (*s) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		n++;
		while (*s && !isspace((unsigned char)*s))
			s++;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *f[2] = { NULL, NULL };
	size_t n = fuzz_split(data, size, &buf, f, 2);
	const char *mac = *f[0] ? f[0] : NULL, *ip = n > 1 ? f[1] : "";
	char err[VG_ERRLEN], verr[VG_ERRLEN];
	struct vg_spec spec;
	uint8_t m[6];
	int ret;

	vg_spec_init(&spec, "vif1.0");
	fuzz_err_fill(err, sizeof(err));
	ret = vg_xl_parse(mac, ip, &spec, err, sizeof(err));
	FUZZ_CHECK(ret == 0 || ret == -EINVAL, "vg_xl_parse returned %d", ret);
	if (ret) {
		fuzz_check_err("vg_xl_parse", err, sizeof(err), false);
		FUZZ_CHECK(!strncmp(err, "mac: ", 5) || !strncmp(err, "ip: ", 4),
			   "vg_xl_parse: error names no key: %s", err);
		free(buf);
		return 0;
	}
	FUZZ_CHECK(spec.mode == VG_MODE_LOCKED, "vg_xl_parse: mode %d", spec.mode);
	FUZZ_CHECK(spec.n_macs == 1 && mac && vg_parse_mac(mac, m, verr, sizeof(verr)) == 0 &&
			   !memcmp(spec.macs[0], m, 6),
		   "vg_xl_parse: policy without the key's MAC");
	FUZZ_CHECK(spec.n_v4 + spec.n_v6 == words(ip),
		   "vg_xl_parse: %u IPv4 + %u IPv6 addresses from %u words", spec.n_v4,
		   spec.n_v6, words(ip));
	FUZZ_CHECK(vg_spec_validate(&spec, verr, sizeof(verr)) == 0,
		   "vg_xl_parse accepted a policy vg_spec_validate refuses: %s", verr);
	free(buf);
	return 0;
}
