/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Guard rails of the operator's commands: a policy an operator types
 * that is almost certainly a mistake (a source range no guest can own)
 * and a device no guest sends through (loopback, a bridge, an uplink,
 * a physical NIC).  `attach --force` skips them.  What is refused
 * whatever the force (a multicast MAC, host bits set, ...) stays in
 * policy.c.
 *
 * The Xen sources (XAPI keys, xl's ip=, the config file) are not held
 * to these: hotplug applies what they say as written, and check-config
 * reports the same findings as warnings.
 */
#ifndef VG_GUARD_H
#define VG_GUARD_H

#include <stddef.h>

#include "policy.h"

/* Prefixes shorter than these span many networks: no guest owns one. */
#define VG_GUARD_MIN_V4_LEN	8
#define VG_GUARD_MIN_V6_LEN	16

/* Whether p is no guest's source range: 1 with why in why (one
 * phrase, no argument named), or 0 when it may be one. */
int vg_guard_v4(const struct vg_prefix4 *p, char *why, size_t whylen);
int vg_guard_v6(const struct vg_prefix6 *p, char *why, size_t whylen);

/*
 * The first address of spec the two above refuse: -EPERM with
 * "--ipv4 ADDR/LEN: why" in err, or 0.
 */
int vg_guard_spec(const struct vg_spec *spec, char *err, size_t errlen);

/*
 * Whether ifname is a device guests send through: a xen-netback vif, a
 * tun/tap device or a veth (by driver and sysfs, not by name).  0, or
 * -EPERM with what it is and why that is refused in err ("a bridge:
 * ..."); another -errno when it cannot be told (the device vanished),
 * with err saying so.
 */
int vg_guard_iface(const char *ifname, char *err, size_t errlen);

#endif /* VG_GUARD_H */
