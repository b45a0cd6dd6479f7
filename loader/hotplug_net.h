/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The network duties of xenopsd's setup-vif-rules that vifguard keeps:
 * the port's membership of its Linux bridge or Open vSwitch bridge, with
 * the PVS proxy script where xenopsd asks for it.  Bringing a new port
 * up is vg_net_link_up() (netlink.h).  Nothing here ever takes a link
 * down.
 */
#ifndef VG_HOTPLUG_NET_H
#define VG_HOTPLUG_NET_H

#include <stdbool.h>
#include <stddef.h>

enum vg_netmode {
	VG_NET_BRIDGE,
	VG_NET_OPENVSWITCH,
};

/* VIFGUARD_NETWORK_BACKEND=bridge|openvswitch if set, else what xenopsd
 * checks: the openvswitch module loaded means Open vSwitch. */
enum vg_netmode vg_net_mode(void);

/*
 * Runs argv (looked up in PATH) and waits for it; its standard output,
 * up to outlen - 1 bytes and without the trailing newline, goes to out
 * when out is not NULL.  Returns the exit status (0..255), or -errno when
 * it cannot be run; -ECHILD when it died of a signal.
 */
int vg_run(char *const argv[], char *out, size_t outlen);

struct vg_vif;
struct vg_xs;

/* What the port functions need from their caller: xenstore (XAPI's keys
 * under its private and hotplug paths), and where their errors go. */
struct vg_port {
	struct vg_xs *xs;
	void (*say)(void *arg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
	void *arg;	/* say's first argument */
};

/*
 * dev onto / off its Linux bridge: leaving the bridge it is on first,
 * and with the bridge's forward delay set to 0 as xenopsd does.  No dev,
 * or dev on no bridge, is already off.  0 or -errno, each failure said.
 */
int vg_port_bridge_add(const struct vg_port *p, const char *dev, const char *bridge);
int vg_port_bridge_del(const struct vg_port *p, const char *dev);

/*
 * dev onto / off an Open vSwitch bridge through ovs-vsctl, with
 * xenopsd's external-ids (refused, not quoted, when a value is not a
 * UUID or a MAC), the ofport key under hotplug and the PVS proxy script
 * of priv.  A port already on bridge only gets its external-ids again
 * (adding it anew would recreate it in the datapath).  0 or -errno.
 */
int vg_port_ovs_add(const struct vg_port *p, const char *dev, const char *bridge,
		    const struct vg_vif *vif, const char *priv, const char *hotplug);
int vg_port_ovs_del(const struct vg_port *p, const char *dev, const char *priv,
		    const char *hotplug);

#endif /* VG_HOTPLUG_NET_H */
