/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Policy sources of a Xen guest interface and their precedence.
 *
 *   1. XAPI: /xapi/<vm-uuid>/private/vif/<devid>/locking-mode "locked" or
 *      "disabled" (with mac, ipv4-allowed, ipv6-allowed), written by
 *      xenopsd from VIF.locking_mode and VIF.ipv4_allowed/ipv6_allowed.
 *   2. xl / libxl: a non-empty "ip" key in the backend directory
 *      /local/domain/0/backend/vif/<domid>/<devid> (with its "mac").
 *   3. The config file, by VIF UUID, then by MAC.
 *   4. Otherwise the interface is left unfiltered: XAPI "unlocked" (the
 *      default of a network) or no source at all; unless the config file
 *      says "host unlisted=learn": then it is locked by learning (its MAC,
 *      the DHCP client, what it learns by DHCP and DAD), decided by the
 *      config file's host line (source config, origin FILE:LINE, with
 *      res->unlisted), and fails closed without a valid MAC.  XAPI
 *      "disabled" is a decision of step 1 and stays one.
 *
 * Then the config file's host audit switch ("host mode=audit") turns a
 * locked decision of any source into audit (vg_resolve_host_mode), the
 * learning one of step 4 included; it never touches a disabled,
 * failed-closed or unfiltered one.  Its "host learn=" applies to the
 * policies of steps 1 to 3: step 4's always learns both ways, without
 * which it would let no address through.
 *
 * XAPI "unlocked" comes last rather than first because XAPI writes it for
 * every VIF whose network has no default lock: it means "XAPI restricts
 * nothing", not "never restrict", and a config file entry for such a VIF
 * (the original XCP use case) must still apply.
 *
 * Policy is never read from /local/domain/<domid>/, which the guest can
 * write; the only key read there is the VM path (/local/domain/<domid>/vm)
 * that links a domid to its VM UUID, and only when the guest cannot write
 * it.
 *
 * A source that asks for a filter but cannot be turned into a valid
 * policy (bad address, missing MAC, unknown mode, unreadable key) fails
 * closed: the interface gets mode disabled and the reason names the
 * xenstore path or file:line.
 */
#ifndef VG_SOURCE_H
#define VG_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "policy.h"
#include "xs.h"

#define VG_XS_PATHLEN 256

enum vg_source {
	VG_SOURCE_NONE,
	VG_SOURCE_XAPI,
	VG_SOURCE_XL,
	VG_SOURCE_CONFIG,
};

enum vg_decision {
	VG_DECISION_UNFILTERED,	/* no filter: nothing says otherwise */
	VG_DECISION_FILTER,	/* spec holds the policy */
};

/* A guest network device as the toolstack knows it. */
struct vg_vif {
	unsigned int domid;
	unsigned int devid;
	char vm_uuid[VG_UUID_STRLEN + 1];	/* "" until known */
};

struct vg_resolution {
	enum vg_decision decision;
	enum vg_source source;
	/* The xenstore directory or file:line the decision comes from;
	 * "" when no source has an entry. */
	char origin[VG_XS_PATHLEN + 16];
	/* Set when a source asked for a filter that could not be built:
	 * spec is then mode disabled and reason says why. */
	bool failed_closed;
	char reason[VG_ERRLEN + VG_XS_PATHLEN];
	/* With failed_closed: -errno when xenstore could not be read or a
	 * key is not trusted (the host is at fault: the command exits 1),
	 * 0 when a source's value is wrong. */
	int host_error;
	/* What identifies the VIF, when known. */
	char vif_uuid[VG_UUID_STRLEN + 1];
	bool has_mac;
	uint8_t mac[6];
	struct vg_spec spec;
	/* The config file's host audit switch made a locked policy audit:
	 * spec.mode is VG_MODE_AUDIT, source and origin stay the source's,
	 * audit_origin is the switch's file:line. */
	bool host_audit;
	char audit_origin[sizeof(((struct vg_config *)0)->path) + 16];
	/* Step 4, "host unlisted=learn", made the policy: origin is the
	 * host line's FILE:LINE, unlisted_xapi the XAPI directory that said
	 * "unlocked" ("" when no source had anything). */
	bool unlisted;
	char unlisted_xapi[VG_XS_PATHLEN];
	/* The config file the host line came from (hotplug: loaded for
	 * every decision), for its host protect= list; NULL if none. */
	const struct vg_config *host_cfg;
	/* The Xen guest interface decided, when its VM is known (its
	 * leases are parked and restored under VM UUID, device id, MAC). */
	bool xen;
	unsigned int devid;
	char vm_uuid[VG_UUID_STRLEN + 1];
};

const char *vg_source_name(enum vg_source s);

/*
 * Name parsers.  Each returns 0 or -EINVAL.
 *  vg_ifname_parse: vif<domid>.<devid>, tap<domid>.<devid> (XAPI's
 *    emulated NIC) and vif<domid>.<devid>-emu (libxl's).
 *  vg_backend_path_parse: XENBUS_PATH as Xen hands it to hotplug scripts,
 *    relative ("backend/vif/3/0", dom0's home is the base) or absolute;
 *    abs receives /local/domain/0/backend/vif/<domid>/<devid>.
 *  vg_vm_path_uuid: the VM path of a domain ("/vm/<uuid>").
 */
int vg_ifname_parse(const char *name, unsigned int *domid, unsigned int *devid);
/* Whether name is an HVM guest's emulated NIC (tapD.N, or a name ending
 * in -emu): it shares its PV VIF's identity, and its leases are not
 * parked or restored (the PV VIF's are). */
bool vg_ifname_emulated(const char *name);
int vg_backend_path_parse(const char *path, char *abs, size_t abslen,
			  unsigned int *domid, unsigned int *devid);
int vg_vm_path_uuid(const char *vm_path, char uuid[VG_UUID_STRLEN + 1]);

/*
 * Source parsers, fed with the strings as the toolstack writes them.
 * On success spec is filled (spec->ifname untouched otherwise set by
 * the caller) and 0 returned; a policy that cannot be built is -EINVAL
 * with the offending key named in err ("ipv4-allowed: '300.1.1.1': ...").
 *
 * vg_xapi_parse: mode is the value of locking-mode.  "unlocked" sets
 * *filter to false; "locked" needs a MAC and takes the comma-separated
 * lists (NULL or "" = none); "disabled" drops everything.
 *
 * vg_xl_parse: ip is the backend's space-separated list of IPv4 and IPv6
 * hosts or prefixes; a MAC is required.
 */
int vg_xapi_parse(const char *mode, const char *mac, const char *ipv4_allowed,
		  const char *ipv6_allowed, bool *filter, struct vg_spec *spec,
		  char *err, size_t errlen);
int vg_xl_parse(const char *mac, const char *ip, struct vg_spec *spec,
		char *err, size_t errlen);

/*
 * Looks up the VM UUID of vif->domid from /local/domain/<domid>/vm,
 * refusing it when the guest can write that key.  0, -ENOENT (no VM
 * path: not a toolstack-made domain), or -EPERM / -EINVAL with err.
 */
int vg_vm_uuid_of_domid(struct vg_xs *xs, struct vg_vif *vif, char *err, size_t errlen);

/*
 * Decides the policy of one interface (ifname is copied into the spec).
 * cfg may be NULL (no config file); a cfg whose load failed (cfg->error)
 * fails closed, but only for a VIF that neither XAPI nor xl decides.
 * Callers load the file only when needed: resolve with NULL first, and
 * with the config only when that gives an unfiltered, not failed-closed,
 * result.  Always fills res; returns 0, or a negative errno only for
 * allocation failures.
 */
int vg_resolve(struct vg_xs *xs, const struct vg_config *cfg, struct vg_vif *vif,
	       const char *ifname, struct vg_resolution *res);

/*
 * The host audit switch of cfg ("host mode=audit") on a decision: a
 * locked policy, from any source, becomes audit (res->host_audit).  A
 * disabled one, one that failed closed and an unfiltered VIF stay as
 * they are: the switch never opens what a source closed.  vg_resolve
 * calls it when given cfg; hp_resolve for what XAPI and xl decided
 * without the file.  A cfg that could not be loaded switches nothing.
 * Its host learn= applies to every policy a source decided to filter.
 */
void vg_resolve_host_mode(const struct vg_config *cfg, struct vg_resolution *res);

#endif /* VG_SOURCE_H */
