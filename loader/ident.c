// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The Xen identity of guest interfaces (ident.h): the walk over the
 * backend directories, and the VM and VIF keys of one guest device.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <net/if.h>

#include "ident.h"
#include "sanitize.h"
#include "source.h"

static const char backend_dir[] = "/local/domain/0/backend/vif";

/* A xenstore directory name that is a domid or devid. */
static int dir_uint(const char *s, unsigned int *out)
{
	char probe[48];
	unsigned int other;

	/* The same rules as in device names: no sign, no leading zero. */
	snprintf(probe, sizeof(probe), "vif%s.0", s);
	return vg_ifname_parse(probe, out, &other);
}

/* The names of one guest device, to fn; non-zero stops. */
static int device_names(struct vg_xs *xs, unsigned int domid, unsigned int devid,
			vg_vif_name_fn fn, vg_vif_bad_fn bad, void *arg)
{
	char path[VG_XS_PATHLEN], name[IF_NAMESIZE], emu[IF_NAMESIZE + 8], tapn[32];
	char *vn;

	snprintf(path, sizeof(path), "%s/%u/%u/vifname", backend_dir, domid, devid);
	vn = vg_xs_read(xs, path);
	if (vn && *vn && !vg_ifname_check(vn)) {
		snprintf(name, sizeof(name), "%s", vn);
	} else {
		if (vn && *vn && bad)
			bad(arg, path, vn);
		snprintf(name, sizeof(name), "vif%u.%u", domid, devid);
	}
	free(vn);
	snprintf(emu, sizeof(emu), "%s-emu", name);
	snprintf(tapn, sizeof(tapn), "tap%u.%u", domid, devid);
	return fn(arg, domid, devid, name) ||
	       (strlen(emu) < IF_NAMESIZE && fn(arg, domid, devid, emu)) ||
	       fn(arg, domid, devid, tapn);
}

unsigned int vg_vif_walk(struct vg_xs *xs, vg_vif_name_fn fn, vg_vif_bad_fn bad, void *arg)
{
	unsigned int nd = 0, i, j, seen = 0;
	bool stop = false;
	char **doms;

	doms = vg_xs_list(xs, backend_dir, &nd);
	for (i = 0; doms && i < nd && !stop; i++) {
		unsigned int domid, devid, ndev = 0;
		char path[VG_XS_PATHLEN], **devs;

		if (dir_uint(doms[i], &domid))
			continue;
		snprintf(path, sizeof(path), "%s/%u", backend_dir, domid);
		devs = vg_xs_list(xs, path, &ndev);
		for (j = 0; devs && j < ndev && !stop; j++) {
			if (dir_uint(devs[j], &devid))
				continue;
			seen++;
			stop = device_names(xs, domid, devid, fn, bad, arg);
		}
		free(devs);
	}
	free(doms);
	return seen;
}

/* A trusted key's value into buf (cut to its size); "" otherwise. */
static void read_into(struct vg_xs *xs, const char *dir, const char *key, char *buf,
		      size_t len)
{
	char err[VG_ERRLEN + VG_XS_TRUSTED_PATHLEN], *v = NULL;

	buf[0] = '\0';
	if (vg_xs_read_trusted(xs, dir, key, &v, err, sizeof(err)) || !v)
		return;
	snprintf(buf, len, "%s", v);
	free(v);
}

/* The VM and VIF keys of the guest device id->domid/devid. */
static void read_ident(struct vg_xs *xs, struct vg_ident *id)
{
	struct vg_vif vif = { .domid = id->domid, .devid = id->devid };
	char dir[VG_XS_PATHLEN], err[VG_ERRLEN + VG_XS_PATHLEN], uuid[64];

	if (vg_vm_uuid_of_domid(xs, &vif, err, sizeof(err)) == 0) {
		memcpy(id->vm_uuid, vif.vm_uuid, sizeof(id->vm_uuid));
		snprintf(dir, sizeof(dir), "/vm/%s", id->vm_uuid);
		read_into(xs, dir, "name", id->vm_name, sizeof(id->vm_name));
		snprintf(dir, sizeof(dir), "/xapi/%s/private/vif/%u", id->vm_uuid, id->devid);
		read_into(xs, dir, "vif-uuid", uuid, sizeof(uuid));
		if (vg_uuid_valid(uuid)) {
			size_t i;

			for (i = 0; i <= VG_UUID_STRLEN; i++)
				id->vif_uuid[i] = (char)tolower((unsigned char)uuid[i]);
		}
	}
	if (!id->vm_name[0]) {
		snprintf(dir, sizeof(dir), "/local/domain/%u", id->domid);
		read_into(xs, dir, "name", id->vm_name, sizeof(id->vm_name));
	}
}

struct lookup {
	const char *const *names;
	size_t n;
	struct vg_ident *out;
};

static int match(void *arg, unsigned int domid, unsigned int devid, const char *ifname)
{
	struct lookup *l = arg;
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (!l->names[i] || strcmp(l->names[i], ifname) || l->out[i].xen)
			continue;
		l->out[i].xen = true;
		l->out[i].domid = domid;
		l->out[i].devid = devid;
	}
	return 0;
}

void vg_ident_lookup(struct vg_xs *xs, const char *const *names, size_t n,
		     struct vg_ident *out)
{
	struct lookup l = { names, n, out };
	size_t i, k;

	memset(out, 0, n * sizeof(*out));
	vg_vif_walk(xs, match, NULL, &l);
	for (i = 0; i < n; i++) {
		if (!out[i].xen)
			continue;
		/* One device's names (vifD.N, tapD.N) share its keys. */
		for (k = 0; k < i; k++)
			if (out[k].xen && out[k].domid == out[i].domid &&
			    out[k].devid == out[i].devid)
				break;
		if (k < i)
			out[i] = out[k];
		else
			read_ident(xs, &out[i]);
	}
}

bool vg_ident_is_vm(const struct vg_ident *id, const char *vm)
{
	if (!id->xen || !*vm)
		return false;
	/* A name is its VM owner's to choose, a UUID's look included: a
	 * UUID selects by UUID only. */
	if (vg_uuid_valid(vm))
		return id->vm_uuid[0] && !strcasecmp(id->vm_uuid, vm);
	return id->vm_name[0] && !strcmp(id->vm_name, vm);
}
