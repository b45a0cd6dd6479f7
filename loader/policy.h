/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A guest interface's policy as user space sees it, before it is written
 * to the maps.  Every policy source (command line, config file, xenstore)
 * produces a struct vg_spec; one function writes it to the maps.
 */
#ifndef VG_POLICY_H
#define VG_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <net/if.h>

#include "vifguard.h"
#include "vifguard_user.h"

struct vg_prefix4 {
	struct in_addr addr;	/* host bits are zero */
	uint8_t len;		/* 0..32; 32 = one host */
};

struct vg_prefix6 {
	struct in6_addr addr;	/* host bits are zero */
	uint8_t len;		/* 0..128; 128 = one host */
};

struct vg_spec {
	char ifname[IF_NAMESIZE];
	enum vg_mode mode;
	unsigned int flags;	/* VG_EDIT_FLAGS, VG_F_OPERATOR, the source */
	unsigned int n_macs;
	uint8_t macs[VG_MAX_MACS][6];
	unsigned int n_v4;
	struct vg_prefix4 v4[VG_MAX_ADDRS];
	unsigned int n_v6;
	struct vg_prefix6 v6[VG_MAX_ADDRS];
	unsigned int n_ethertypes;
	uint16_t ethertypes[VG_MAX_ETHERTYPES];	/* host order */
};

/* A number's macro as a string literal, for messages. */
#define VG_STR_(x)	#x
#define VG_STR(x)	VG_STR_(x)

/* Error text for the user: one line, no trailing newline. */
#define VG_ERRLEN 512

/* The flags an operator sets and clears (attach, set, the config file). */
#define VG_EDIT_FLAGS (VG_F_DHCP_CLIENT | VG_F_DHCP_SERVER | VG_F_RA | VG_F_LINK_LOCAL | \
		       VG_F_LEARN_LL | VG_F_LEARN_DHCP | VG_F_LEARN_FIRST)
/* The ways of learning, as --learn and learn= name them. */
#define VG_LEARN_FLAGS (VG_F_LEARN_LL | VG_F_LEARN_DHCP | VG_F_LEARN_FIRST)

/* Learned state across save/restore and migration (vifguard(8),
 * MIGRATION): the learning window a Xen VIF that learns by DHCP gets on
 * attach when nothing of it was parked (0: none).  How long a first-use
 * address stays: VG_FIRST_LEASE_DEFAULT (include/vifguard.h). */
#define VG_RESUME_WINDOW_DEFAULT	30
#define VG_RESUME_WINDOW_MAX		3600	/* an hour */

/* Defaults: mode locked, DHCP client and EUI-64 link-local allowed,
 * link-local addresses learned from the guest's DAD. */
void vg_spec_init(struct vg_spec *spec, const char *ifname);

/*
 * Parsers.  Each returns 0, or -EINVAL and a message in err (which does
 * not name the source: the caller prefixes "file:line: " or the argument).
 */
int vg_parse_mac(const char *s, uint8_t mac[6], char *err, size_t errlen);
int vg_parse_prefix4(const char *s, struct vg_prefix4 *p, char *err, size_t errlen);
int vg_parse_prefix6(const char *s, struct vg_prefix6 *p, char *err, size_t errlen);
int vg_parse_ethertype(const char *s, uint16_t *type, char *err, size_t errlen);
int vg_parse_mode(const char *s, enum vg_mode *mode, char *err, size_t errlen);
/* One of the flags an operator sets (dhcp-client, dhcp-server,
 * router-advert, link-local, learn-link-local, learn-dhcp, learn-first):
 * its VG_F_*
 * bit. */
int vg_parse_flag(const char *s, unsigned int *flag, char *err, size_t errlen);
/* What an interface learns, "WORD[,WORD]..." (attach --learn, the config
 * file's learn=): "link-local" (VG_F_LEARN_LL), "dhcp" (VG_F_LEARN_DHCP),
 * "first" (VG_F_LEARN_FIRST, trust on first use)
 * or "none" (0), into *flags: VG_LEARN_FLAGS bits only.  A policy with
 * VG_F_LEARN_DHCP also needs VG_F_DHCP_CLIENT (vg_spec_validate): the
 * callers add it. */
int vg_parse_learn(const char *s, unsigned int *flags, char *err, size_t errlen);

/* "locked", "disabled", "invalid". */
const char *vg_mode_name(unsigned int mode);
/* Whether mode runs every check: locked, and audit (which lets the
 * frames that fail one pass). */
bool vg_mode_checks(unsigned int mode);
/* The name of one VG_F_* bit as show prints it ("dhcp-client", ...,
 * "ipv6-table"); NULL for one without a name (VG_F_OPERATOR). */
const char *vg_flag_name(unsigned int flag);

/* Adders: check limits, duplicates and validity (e.g. a multicast MAC).
 * Return 0, or -EINVAL / -E2BIG with a message. */
int vg_spec_add_mac(struct vg_spec *spec, const uint8_t mac[6], char *err, size_t errlen);
int vg_spec_add_v4(struct vg_spec *spec, const struct vg_prefix4 *p, char *err, size_t errlen);
int vg_spec_add_v6(struct vg_spec *spec, const struct vg_prefix6 *p, char *err, size_t errlen);
int vg_spec_add_ethertype(struct vg_spec *spec, uint16_t type, char *err, size_t errlen);
/* The name of one VG_ATTACH_* bit, as show and dump give it; NULL for
 * a bit without one. */
const char *vg_attach_name(unsigned int bit);

/* Parses "ADDR[/LEN]" of one family and adds it (the parser's or the
 * adder's message). */
int vg_spec_add_prefix(struct vg_spec *spec, bool v6, const char *s, char *err, size_t errlen);

/* Whole-policy check before it is applied (a locked policy needs a MAC). */
int vg_spec_validate(const struct vg_spec *spec, char *err, size_t errlen);


#endif /* VG_POLICY_H */
