/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The network duties of xenopsd's setup-vif-rules that vifguard keeps:
 * the port's membership of its Linux bridge or Open vSwitch bridge, and
 * bringing a new port up.  Nothing here ever takes a link down.
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

/* Sets IFF_UP when it is not set.  0 or -errno. */
int vg_net_link_up(const char *ifname);

/* The Linux bridge ifname is a port of, "" if none.  0 or -errno. */
int vg_net_bridge_of(const char *ifname, char *bridge, size_t len);

/* Adds ifname to / removes it from a Linux bridge.  0 or -errno. */
int vg_net_bridge_add(const char *bridge, const char *ifname);
int vg_net_bridge_del(const char *bridge, const char *ifname);

/*
 * Runs argv (looked up in PATH) and waits for it; its standard output,
 * up to outlen - 1 bytes and without the trailing newline, goes to out
 * when out is not NULL.  Returns the exit status (0..255), or -errno when
 * it cannot be run; -ECHILD when it died of a signal.
 */
int vg_run(char *const argv[], char *out, size_t outlen);

#endif /* VG_HOTPLUG_NET_H */
