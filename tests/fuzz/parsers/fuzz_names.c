// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The names that identify a guest interface: interface names as hotplug
 * and sync find them (vg_ifname_parse), XENBUS_PATH as Xen hands it to a
 * hotplug script (vg_backend_path_parse), the VM path read from a
 * domain's xenstore home (vg_vm_path_uuid) and UUIDs (vg_uuid_valid).
 *
 * Each name maps to a domid and devid, so a name that parses must be the
 * one canonical spelling of its numbers: a second spelling of the same
 * interface (a leading zero, a sign) would let two names stand for one
 * VIF.  So every success is printed back and compared with the input.
 */
#include <ctype.h>
#include <errno.h>

#include "config.h"
#include "fuzz.h"
#include "source.h"

/* DOMID_FIRST_RESERVED - 1: domain ids from 0x7ff0 up are not guests. */
#define DOMID_MAX 0x7fef

/* 8-4-4-4-12 hex digits, either case (config.h). */
static bool ref_uuid(const char *s)
{
	size_t i;

	if (strlen(s) != VG_UUID_STRLEN)
		return false;
	for (i = 0; i < VG_UUID_STRLEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

static void check_uuid(const char *s)
{
	FUZZ_CHECK(vg_uuid_valid(s) == ref_uuid(s), "vg_uuid_valid('%s') = %d", s,
		   vg_uuid_valid(s));
}

static void check_ifname(const char *s)
{
	unsigned int domid = ~0U, devid = ~0U;
	char buf[64];
	int ret = vg_ifname_parse(s, &domid, &devid);

	FUZZ_CHECK(ret == 0 || ret == -EINVAL, "vg_ifname_parse returned %d", ret);
	if (ret)
		return;
	FUZZ_CHECK(domid <= DOMID_MAX && devid <= 0xffff,
		   "vg_ifname_parse('%s'): domid %u devid %u out of range", s, domid, devid);
	snprintf(buf, sizeof(buf), "%.3s%u.%u%s", s, domid, devid,
		 strstr(s, "-emu") ? "-emu" : "");
	FUZZ_CHECK(!strcmp(buf, s), "vg_ifname_parse('%s'): not canonical, reads as %s", s,
		   buf);
	FUZZ_CHECK(!strncmp(s, "vif", 3) || (!strncmp(s, "tap", 3) && !strstr(s, "-emu")),
		   "vg_ifname_parse('%s'): prefix", s);
}

static void check_backend(const char *s, size_t abslen)
{
	static const char dom0[] = "/local/domain/0/";
	unsigned int domid = ~0U, devid = ~0U, d2 = ~0U, n2 = ~0U;
	char want[VG_XS_PATHLEN], *abs = malloc(abslen ? abslen : 1);
	int ret, ret2;

	if (!abs)
		abort();
	ret = vg_backend_path_parse(s, abs, abslen, &domid, &devid);
	FUZZ_CHECK(ret == 0 || ret == -EINVAL, "vg_backend_path_parse returned %d", ret);
	ret2 = vg_backend_path_parse(s, NULL, 0, &d2, &n2);
	FUZZ_CHECK(ret2 == ret, "vg_backend_path_parse('%s'): %d with abs, %d without", s,
		   ret, ret2);
	if (ret) {
		free(abs);
		return;
	}
	FUZZ_CHECK(domid == d2 && devid == n2, "vg_backend_path_parse('%s'): unstable", s);
	FUZZ_CHECK(domid <= DOMID_MAX && devid <= 0xffff,
		   "vg_backend_path_parse('%s'): domid %u devid %u out of range", s, domid,
		   devid);
	snprintf(want, sizeof(want), "%sbackend/vif/%u/%u", dom0, domid, devid);
	/* Relative paths are dom0's home; either spelling must be canonical. */
	FUZZ_CHECK(!strcmp(s, want) || !strcmp(s, want + sizeof(dom0) - 1),
		   "vg_backend_path_parse('%s'): not canonical, reads as %s", s, want);
	if (abslen) {
		FUZZ_CHECK(memchr(abs, '\0', abslen) != NULL,
			   "vg_backend_path_parse: abs not NUL-terminated in %zu bytes", abslen);
		FUZZ_CHECK(!strncmp(abs, want, abslen - 1), "vg_backend_path_parse('%s'): abs %s",
			   s, abs);
	}
	free(abs);
}

static void check_vm_path(const char *s)
{
	char uuid[VG_UUID_STRLEN + 1];
	size_t i;
	int ret;

	memset(uuid, FUZZ_ERR_FILL, sizeof(uuid));
	ret = vg_vm_path_uuid(s, uuid);
	FUZZ_CHECK(ret == 0 || ret == -EINVAL, "vg_vm_path_uuid returned %d", ret);
	FUZZ_CHECK((ret == 0) == (!strncmp(s, "/vm/", 4) && ref_uuid(s + 4)),
		   "vg_vm_path_uuid('%s') = %d", s, ret);
	if (ret)
		return;
	FUZZ_CHECK(uuid[VG_UUID_STRLEN] == '\0' && ref_uuid(uuid) && !strcasecmp(uuid, s + 4),
		   "vg_vm_path_uuid('%s'): uuid %.36s", s, uuid);
	/* Lower case: the XAPI directory /xapi/<uuid> is spelled so. */
	for (i = 0; i < VG_UUID_STRLEN; i++)
		FUZZ_CHECK(!isupper((unsigned char)uuid[i]), "vg_vm_path_uuid('%s'): %s", s,
			   uuid);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	size_t abslen = VG_XS_PATHLEN;

	/* The first byte, when it is a control character, picks a short abs
	 * buffer: the path must be cut, never overflow it. */
	if (size && data[0] < 0x20) {
		abslen = data[0];
		data++;
		size--;
	}
	s = fuzz_strdup(data, size);
	check_uuid(s);
	check_ifname(s);
	check_backend(s, abslen);
	check_vm_path(s);
	free(s);
	return 0;
}
