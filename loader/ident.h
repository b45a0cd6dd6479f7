/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What names a Xen guest interface to an operator: its domain and
 * device ids, its VM's UUID and name, its VIF UUID; and the walk over
 * the backend directories that lists the names each guest device may
 * have on this host.
 *
 * Only keys that dom0 alone may write are believed (vg_xs_read_trusted):
 * a guest must not be able to pass itself off as another VM in `show`,
 * nor slip into or out of a `--vm` filter.  What cannot be read or is
 * not trusted stays unknown ("").  Nothing here prints.
 */
#ifndef VG_IDENT_H
#define VG_IDENT_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "xs.h"

#define VG_VM_NAMELEN	128	/* longer names are cut */

struct vg_ident {
	bool xen;		/* a backend directory in xenstore names it */
	unsigned int domid, devid;
	char vm_uuid[VG_UUID_STRLEN + 1];	/* lower case; "" unknown */
	char vm_name[VG_VM_NAMELEN];		/* "" unknown */
	char vif_uuid[VG_UUID_STRLEN + 1];	/* lower case; "" unknown */
};

/*
 * Called for each name a guest device may have: vifD.N or its vifname=,
 * that name with -emu, and tapD.N.  Non-zero stops the walk.
 */
typedef int (*vg_vif_name_fn)(void *arg, unsigned int domid, unsigned int devid,
			      const char *ifname);
/* A vifname= value (at path) that is not a valid interface name: vifD.N
 * is used instead. */
typedef void (*vg_vif_bad_fn)(void *arg, const char *path, const char *value);

/*
 * Calls fn for every name of every guest device under
 * /local/domain/0/backend/vif; bad (may be NULL) for each vifname= that
 * is replaced.  Returns the number of devices.
 */
unsigned int vg_vif_walk(struct vg_xs *xs, vg_vif_name_fn fn, vg_vif_bad_fn bad, void *arg);

/*
 * The identities of the interfaces names[0..n-1] (names[i] may be "" or
 * NULL: unknown) into out[0..n-1], from one walk and the VM and VIF keys
 * of each guest device found.  An interface no backend names has
 * out[i].xen false and every field blank.
 */
void vg_ident_lookup(struct vg_xs *xs, const char *const *names, size_t n,
		     struct vg_ident *out);

/* Whether id belongs to the VM named by vm: its UUID (any case) or its
 * name, as given. */
bool vg_ident_is_vm(const struct vg_ident *id, const char *vm);

#endif /* VG_IDENT_H */
