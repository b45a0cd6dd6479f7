/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the running kernel offers vifguard, found by trying it: nothing
 * pinned, nothing left behind (`vifguard --version`).
 */
#ifndef VG_PROBE_H
#define VG_PROBE_H

enum vg_feature {
	VG_FEAT_CLS_BPF,	/* a tc program on a clsact hook */
	VG_FEAT_TCX,		/* a tcx link (Linux >= 6.6) */
	VG_FEAT_BATCH,		/* batch map lookups (Linux >= 5.6) */
	VG_FEAT_BTF,		/* BTF objects: maps bpftool prints by field */
	VG_FEAT_N
};

/* Per feature: 1 there, 0 not, -1 unknown (why in the caller's text:
 * not permitted, as without root). */
struct vg_features {
	int has[VG_FEAT_N];
};

extern const char *const vg_feature_names[VG_FEAT_N];

/*
 * Tries each feature.  cls_bpf and tcx are tried on the loopback device
 * of a network namespace of a child process's own, which goes with it
 * (the cls_bpf and clsact modules may load, as for a first attach); the
 * map and the BTF object are closed before returning.
 */
void vg_probe_features(struct vg_features *f);

#endif /* VG_PROBE_H */
