// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Prints every frame `vgbench prog` measures, one case a line:
 *
 *	name<TAB>device kind<TAB>reason<TAB>frame in hex
 *
 * compare.sh builds this once against each tree's vgbench.c (-DVGBENCH_C=
 * "path") and compares the two outputs: a figure of base and one of head
 * are only comparable when the same frame, sent on the same kind of
 * interface, went through both programs.  vgbench.c is included, not
 * linked, because its case builder is static, and so that a tree from
 * before this file existed can be checked too.
 */
#ifndef VGBENCH_C
#error "build with -DVGBENCH_C='\"path/to/vgbench.c\"'"
#endif

#define main vgbench_main
#include VGBENCH_C
#undef main

/* The reason names of this tree, over the reasons of that tree's
 * vifguard.h (included first, so this one's is skipped). */
#include "../../include/vifguard_user.h"

int main(void)
{
	struct tcase tc[64];
	int n = build_cases(tc);

	for (int i = 0; i < n; i++) {
		printf("%s\t%d\t%s\t", tc[i].name, (int)tc[i].dev, vg_reason_name(tc[i].reason));
		for (uint32_t j = 0; j < tc[i].f.len; j++)
			printf("%02x", tc[i].f.b[j]);
		printf("\n");
	}
	return EXIT_SUCCESS;
}
