// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * vifguard setup-vif-rules, run by xenopsd's drop-in for a VIF of a XAPI
 * host: filter (decide, apply, then the port onto its bridge and up) or
 * clear (off the bridge, then the filter goes).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>

#include "cli.h"
#include "hotplug.h"
#include "hotplug_int.h"
#include "hotplug_net.h"
#include "netlink.h"
#include "sanitize.h"

/* ---- setup-vif-rules -------------------------------------------------------- */

/* What xenopsd's scripts call the type of a device: its first three
 * letters, "vif" or "tap". */
static void xapi_paths(const char *dev, const struct vg_vif *vif, char *priv, size_t plen,
		       char *hotplug, size_t hlen)
{
	snprintf(priv, plen, "/xapi/%s/private/vif/%u", vif->vm_uuid, vif->devid);
	snprintf(hotplug, hlen, "/xapi/%s/hotplug/%u/vif/%u", vif->vm_uuid,
		 vif->domid, vif->devid);
	(void)dev;
}

static char *xs_get(struct hp_ctx *c, const char *dir, const char *key)
{
	char path[VG_XS_PATHLEN + 32];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	return vg_xs_read(&c->xs, path);
}

/* clear: off the network first, then the filter goes; a port that could
 * not leave its bridge keeps its filter. */
static int setup_clear(struct hp_ctx *c, const struct vg_port *port, struct vg_vif *vif,
		       const char *dev, const char *priv, const char *hotplug)
{
	struct vg_xen_id id;
	bool known = !vg_ifname_emulated(dev) && hp_xen_id(c, vif, &id);
	unsigned int unparked = 0;
	char err[VG_ERRLEN];
	int ret;

	if (vg_net_mode() == VG_NET_OPENVSWITCH)
		ret = vg_port_ovs_del(port, dev, priv, hotplug);
	else
		ret = vg_port_bridge_del(port, dev);
	if (ret) {
		vg_out_errlog(c->out, vg_errcode_of(ret),
			      "%s: clear: still on its bridge; the filter stays", dev);
	} else if ((ret = vg_state_detach_root(vg_cli_ctx(), dev, known ? &id : NULL,
					       &unparked, err, sizeof(err)))) {
		vg_out_errlog(c->out, vg_errcode_of(ret), "%s: %s", dev, err);
		ret = -EIO;
	}
	vg_warn_unparked(dev, unparked);
	if (!ret) {
		note("%s: clear: filter removed, off the bridge", dev);
		hp_print_done(c->out, dev, "clear", "cleared");
	}
	return ret;
}

/*
 * The port onto its bridge (off it when the VIF is disabled: no traffic
 * either way, as with xenopsd's script), then up.
 */
static int setup_port(struct hp_ctx *c, const struct vg_port *port, const struct vg_vif *vif,
		      const char *dev, bool on_bridge, const char *priv, const char *hotplug)
{
	enum vg_netmode mode = vg_net_mode();
	char *bridge = NULL;
	int ret;

	if (!on_bridge) {
		ret = mode == VG_NET_OPENVSWITCH ? vg_port_ovs_del(port, dev, priv, hotplug) :
						   vg_port_bridge_del(port, dev);
		goto up;
	}
	bridge = xs_get(c, priv, "bridge");
	if (!bridge || !*bridge) {
		vg_out_errlog(c->out, VG_E_XENSTORE,
			      "%s: %s/bridge: missing, cannot put the VIF on its network",
			      dev, priv);
		free(bridge);
		return -ENOENT;
	}
	/* It becomes a /sys path, an ifr_name or an ovs-vsctl argument:
	 * refused before any of them, the VIF stays off the network. */
	if (vg_ifname_check(bridge)) {
		vg_out_errlog(c->out, VG_E_XENSTORE,
			      "%s: %s/bridge: '%s': not a valid bridge name, cannot put "
			      "the VIF on its network", dev, priv, bridge);
		free(bridge);
		return -EINVAL;
	}
	if (mode == VG_NET_OPENVSWITCH)
		ret = vg_port_ovs_add(port, dev, bridge, vif, priv, hotplug);
	else
		ret = vg_port_bridge_add(port, dev, bridge);
	free(bridge);
up:
	if (ret)
		return ret;
	/* xenopsd's vif script leaves a new port down for this script to
	 * bring up; an existing port is up already and stays so. */
	ret = vg_net_link_up(dev);
	if (ret)
		vg_out_errlog(c->out, VG_E_KERNEL,
			      "%s: cannot bring the link up: %s", dev, strerror(-ret));
	return ret;
}

int vg_cmd_setup_vif_rules(struct vg_out *out, void *opts)
{
	struct vg_setup_args *a = opts;
	char priv[VG_XS_PATHLEN], hotplug[VG_XS_PATHLEN];
	char aerr[VG_ERRLEN + IF_NAMESIZE + 4];
	struct hp_ctx c = { .out = out };
	struct vg_port port = { .xs = &c.xs, .say = hp_port_say, .arg = out };
	struct vg_resolution res;
	struct hp_owner own;
	bool on_bridge;
	int ret, cret;

	c.cfgpath = vg_config_path(a->config);
	if (hp_ctx_open(&c, a->dev))
		return EXIT_FAILURE;
	xapi_paths(a->dev, &a->vif, priv, sizeof(priv), hotplug, sizeof(hotplug));
	if (!a->filter) {
		ret = setup_clear(&c, &port, &a->vif, a->dev, priv, hotplug);
		hp_ctx_close(&c);
		return ret ? EXIT_FAILURE : EXIT_SUCCESS;
	}
	/* The filter first: the port joins the bridge only once its frames
	 * are checked, and leaves it with the filter already dropping.  A
	 * policy set by vifguard attach stays; the bridge is XAPI's
	 * business still. */
	cret = hp_resolve(&c, &a->vif, a->dev, &res);
	ret = hp_apply(a->dev, &res, &own, aerr, sizeof(aerr));
	if (ret) {
		vg_out_errlog(out, vg_errcode_of(ret), "%s", aerr);
		goto out;
	}
	if (own.kept)
		cret = 0;
	on_bridge = !(res.decision == VG_DECISION_FILTER && res.spec.mode == VG_MODE_DISABLED);
	ret = setup_port(&c, &port, &a->vif, a->dev, on_bridge, priv, hotplug);
	if (ret)
		goto out;
	hp_print_applied(out, a->dev, &res, &own);
	ret = cret;
	if (cret) {
		fflush(stdout);
		vg_out_errlog(out, hp_resolve_code(&res), "%s: %s", a->dev,
			      hp_resolve_error(&c, &res));
	}
out:
	hp_ctx_close(&c);
	return ret ? EXIT_FAILURE : EXIT_SUCCESS;
}
