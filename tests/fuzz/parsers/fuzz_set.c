// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * set's steps (loader/policy_edit.c): the input split on NUL bytes is the
 * words after IFACE, read a word at a time as vg_args_parse hands them to
 * set, then applied to a valid policy as vg_state_edit applies them.
 *
 * Contract: each word is taken or refused with a one-line message; a
 * step applied is 0 or -EINVAL, -EEXIST, -ENOENT, -E2BIG with a message;
 * the result never exceeds the limits and, unless a locked policy lost
 * its last MAC (which vg_state_edit refuses), passes vg_spec_validate;
 * and every line of the result's text, read back as "add KIND VALUE" on
 * an empty policy, gives back the same element (what --dry-run prints
 * can be pasted back as steps).
 */
#include <errno.h>

#include "fuzz.h"
#include "policy_edit.h"

#define MAX_WORDS 128

static void base(struct vg_spec *s)
{
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0x05, 0 };
	struct vg_prefix4 p4 = { .len = 32 };
	char err[VG_ERRLEN];

	vg_spec_init(s, "vif5.0");
	p4.addr.s_addr = htonl(0x0a000005);
	FUZZ_CHECK(vg_spec_add_mac(s, mac, err, sizeof(err)) == 0, "base: %s", err);
	FUZZ_CHECK(vg_spec_add_v4(s, &p4, err, sizeof(err)) == 0, "base: %s", err);
}

/* Each line of spec's text, as the words of one add step on an empty
 * policy, gives back that element: the same text line. */
static void round_trip(const struct vg_spec *spec)
{
	struct vg_spec_text *t = malloc(sizeof(*t)), *t2 = malloc(sizeof(*t2));
	char err[VG_ERRLEN], line[VG_SPEC_LINELEN], *kind, *value;
	unsigned int i;

	FUZZ_CHECK(t && t2, "out of memory");
	vg_spec_to_text(spec, t);
	FUZZ_CHECK(t->n <= VG_SPEC_LINES, "%u text lines", t->n);
	for (i = 2; i < t->n; i++) {	/* past mode and owner */
		struct vg_edits ed = { 0 };
		struct vg_spec empty;

		memcpy(line, t->line[i], sizeof(line));
		kind = line;
		value = strchr(line, ' ');
		FUZZ_CHECK(value, "text line without a value: '%s'", t->line[i]);
		*value++ = '\0';
		FUZZ_CHECK(!vg_edits_word(&ed, "add", err, sizeof(err)) &&
				   !vg_edits_word(&ed, kind, err, sizeof(err)) &&
				   !vg_edits_word(&ed, value, err, sizeof(err)) &&
				   !vg_edits_done(&ed, err, sizeof(err)),
			   "'add %s' does not read back: %s", t->line[i], err);
		memset(&empty, 0, sizeof(empty));
		empty.mode = VG_MODE_DISABLED;
		FUZZ_CHECK(vg_spec_edit(&empty, &ed.e[0], err, sizeof(err)) == 0,
			   "'add %s' on an empty policy: %s", t->line[i], err);
		vg_spec_to_text(&empty, t2);
		/* Learning by DHCP brings the DHCP client's flag with it. */
		if (!strcmp(t->line[i], "flag learn-dhcp"))
			FUZZ_CHECK(t2->n == 4 && !strcmp(t2->line[2], "flag dhcp-client") &&
					   !strcmp(t2->line[3], t->line[i]),
				   "'add %s' reads back as %u lines", t->line[i], t2->n);
		else
			FUZZ_CHECK(t2->n == 3 && !strcmp(t2->line[2], t->line[i]),
				   "'add %s' reads back as '%s'", t->line[i],
				   t2->n > 2 ? t2->line[2] : "");
	}
	free(t);
	free(t2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *words[MAX_WORDS], err[VG_ERRLEN], verr[VG_ERRLEN];
	struct vg_edits *ed = calloc(1, sizeof(*ed));
	size_t n, i;
	struct vg_spec spec;
	int ret = 0;

	FUZZ_CHECK(ed, "out of memory");
	n = fuzz_split(data, size, &buf, words, MAX_WORDS);
	for (i = 0; i < n && !ret; i++) {
		fuzz_err_fill(err, sizeof(err));
		ret = vg_edits_word(ed, words[i], err, sizeof(err));
		FUZZ_CHECK(ret == 0 || ret == -EINVAL, "vg_edits_word returned %d", ret);
		if (ret)
			/* The message quotes the words, which may hold a newline. */
			fuzz_check_err("vg_edits_word", err, sizeof(err), false);
	}
	if (!ret) {
		fuzz_err_fill(err, sizeof(err));
		ret = vg_edits_done(ed, err, sizeof(err));
		if (ret)
			fuzz_check_err("vg_edits_done", err, sizeof(err), false);
	}
	FUZZ_CHECK(ed->n <= VG_MAX_EDITS, "%u steps", ed->n);
	base(&spec);
	for (i = 0; !ret && i < ed->n; i++) {
		fuzz_err_fill(err, sizeof(err));
		ret = vg_spec_edit(&spec, &ed->e[i], err, sizeof(err));
		FUZZ_CHECK(ret == 0 || ret == -EINVAL || ret == -EEXIST || ret == -ENOENT ||
				   ret == -E2BIG, "vg_spec_edit returned %d", ret);
		if (ret)
			fuzz_check_err("vg_spec_edit", err, sizeof(err), false);
	}
	if (!ret && !(spec.mode == VG_MODE_LOCKED && spec.n_macs == 0))
		FUZZ_CHECK(vg_spec_validate(&spec, verr, sizeof(verr)) == 0,
			   "the steps made a policy vg_spec_validate refuses: %s", verr);
	FUZZ_CHECK(spec.n_macs <= VG_MAX_MACS && spec.n_v4 <= VG_MAX_ADDRS &&
			   spec.n_v6 <= VG_MAX_ADDRS && spec.n_ethertypes <= VG_MAX_ETHERTYPES,
		   "past the limits");
	round_trip(&spec);
	free(buf);
	free(ed);
	return 0;
}
