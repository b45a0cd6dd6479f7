/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Steps that change one part of a policy and keep the rest (`vifguard
 * set`), and a policy as lines of text, one per element, to print it and
 * to compare two of them (--dry-run's diff).
 *
 * The steps' grammar, one step after another:
 *   mode locked|audit|disabled
 *   add KIND VALUE
 *   remove KIND VALUE
 * where KIND VALUE is one line of the policy's text:
 *   mac MAC | ipv4 ADDR[/LEN] | ipv6 ADDR[/LEN] | ethertype 0xNNNN |
 *   flag dhcp-client|dhcp-server|router-advert|link-local
 */
#ifndef VG_POLICY_EDIT_H
#define VG_POLICY_EDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

enum vg_edit_op {
	VG_EDIT_NONE = 0,	/* no step yet */
	VG_EDIT_MODE,
	VG_EDIT_ADD,
	VG_EDIT_REMOVE,
};

enum vg_edit_kind {
	VG_EDIT_MAC = 1,
	VG_EDIT_IPV4,
	VG_EDIT_IPV6,
	VG_EDIT_ETHERTYPE,
	VG_EDIT_FLAG,
};

struct vg_edit {
	enum vg_edit_op op;
	enum vg_edit_kind kind;	/* ADD, REMOVE */
	union {
		enum vg_mode mode;	/* MODE */
		uint8_t mac[6];
		struct vg_prefix4 v4;
		struct vg_prefix6 v6;
		uint16_t ethertype;	/* host order */
		unsigned int flag;	/* one VG_F_* an operator may set */
	} v;
};

#define VG_MAX_EDITS 32

/* The steps of one command line, read a word at a time. */
struct vg_edits {
	unsigned int n;
	struct vg_edit e[VG_MAX_EDITS];
	unsigned int words;	/* of the step under way: 0 none yet */
	char step[48];		/* its words so far, for messages */
};

/*
 * Takes the next word of a step.  Returns 0, or -EINVAL with the whole
 * message in err ("'add ipv5': unknown KIND ...").
 */
int vg_edits_word(struct vg_edits *ed, const char *word, char *err, size_t errlen);

/* After the last word: 0, or -EINVAL when no step was given or the last
 * one is cut short. */
int vg_edits_done(const struct vg_edits *ed, char *err, size_t errlen);

/*
 * Applies one step to spec.  Adding what is there or removing what is
 * not is an error, as is a value the adders of policy.c refuse; the
 * message names the step ("add ipv4 10.0.0.5/32: already in the policy").
 * The whole result is checked by vg_spec_validate(), not here.
 */
int vg_spec_edit(struct vg_spec *spec, const struct vg_edit *e, char *err, size_t errlen);

/* ---- a policy as text ------------------------------------------------- */

/* mode, owner, macs, addresses, ethertypes, flags */
#define VG_SPEC_LINES	(2 + VG_MAX_MACS + 2 * VG_MAX_ADDRS + VG_MAX_ETHERTYPES + 8)
#define VG_SPEC_LINELEN	64

struct vg_spec_text {
	unsigned int n;
	char line[VG_SPEC_LINES][VG_SPEC_LINELEN];	/* "KIND VALUE" */
};

/*
 * spec as lines: "mode locked", "owner attach" (VG_F_OPERATOR) or
 * "owner sources", then "mac M", "ipv4 A/L", "ipv6 A/L",
 * "ethertype 0xNNNN" and "flag NAME" in the spec's order.
 */
void vg_spec_to_text(const struct vg_spec *spec, struct vg_spec_text *t);

/* The lines of a that b does not have (the removed ones, for a = before,
 * b = after), in a's order, as indexes into a->line; returns how many. */
unsigned int vg_spec_text_minus(const struct vg_spec_text *a, const struct vg_spec_text *b,
				unsigned int idx[VG_SPEC_LINES]);

#endif /* VG_POLICY_EDIT_H */
