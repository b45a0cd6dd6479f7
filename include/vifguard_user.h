/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What user space programs (the loader, the tests, the tools) share about
 * the data path and which vifguard.h, compiled for BPF too, cannot hold:
 * the name of each drop reason and the link-local address the program
 * derives from a MAC.
 */
#ifndef VIFGUARD_USER_H
#define VIFGUARD_USER_H

#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

#include "vifguard.h"

/* The name of reason r as `vifguard stats` prints it, "?" if out of range. */
static inline const char *vg_reason_name(unsigned int r)
{
	static const char *const names[VG_REASON_MAX] = {
#define VG_REASON_NAME(name, str) [VG_##name] = str,
		VG_REASONS(VG_REASON_NAME)
#undef VG_REASON_NAME
	};

	return r < VG_REASON_MAX ? names[r] : "?";
}

/*
 * The key of reason r in JSON documents: its name with '_' for '-'
 * (snake_case keys, like every other key), "?" if out of range.
 */
static inline const char *vg_reason_key(unsigned int r)
{
	static char keys[VG_REASON_MAX][32];
	const char *name = vg_reason_name(r);
	size_t i;

	if (r >= VG_REASON_MAX)
		return "?";
	if (!keys[r][0])
		for (i = 0; name[i] && i < sizeof(keys[r]) - 1; i++)
			keys[r][i] = name[i] == '-' ? '_' : name[i];
	return keys[r];
}

/*
 * fe80::/64 with the modified EUI-64 interface identifier of mac (RFC 4291
 * appendix A): ff:fe in the middle, universal/local bit flipped.  The
 * program computes the same address (v6_eui64_link_local() in
 * bpf/vifguard.bpf.c).
 */
static inline void vg_eui64_link_local(const uint8_t mac[6], struct in6_addr *out)
{
	memset(out, 0, sizeof(*out));
	out->s6_addr[0] = 0xfe;
	out->s6_addr[1] = 0x80;
	out->s6_addr[8] = mac[0] ^ 0x02;
	out->s6_addr[9] = mac[1];
	out->s6_addr[10] = mac[2];
	out->s6_addr[11] = 0xff;
	out->s6_addr[12] = 0xfe;
	out->s6_addr[13] = mac[3];
	out->s6_addr[14] = mac[4];
	out->s6_addr[15] = mac[5];
}

#endif /* VIFGUARD_USER_H */
