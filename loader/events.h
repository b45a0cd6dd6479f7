/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A drop event's frame bytes decoded into what an operator reads: MACs,
 * ethertype, addresses, protocol, ports or ICMP type.  Pure: no I/O
 * (unit-tested in tests/unit/test_events.c).  A field the captured bytes
 * do not hold is absent (-1, or "").
 */
#ifndef VG_EVENTS_H
#define VG_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "vifguard.h"

#define VG_ADDR_STRLEN	46	/* INET6_ADDRSTRLEN */

struct vg_event_fields {
	char src_mac[18], dst_mac[18];	/* "" when the frame is shorter */
	int ethertype;			/* after any VLAN tags; -1 unknown */
	int vlan;			/* the outer VLAN id; -1 untagged */
	char src_ip[VG_ADDR_STRLEN], dst_ip[VG_ADDR_STRLEN];	/* ARP: sender, target */
	int protocol;			/* IPv4 protocol, IPv6 last next header */
	int src_port, dst_port;		/* TCP, UDP, SCTP, first fragment */
	int icmp_type, icmp_code;	/* ICMP, ICMPv6 */
	int arp_op;
	char arp_sha[18];		/* ARP sender hardware address */
};

void vg_event_decode(const struct vg_event *ev, const uint8_t *frame, size_t n,
		     struct vg_event_fields *out);

/* A protocol's name ("tcp", "udp", "icmp", "ipv6-icmp", ...), or NULL. */
const char *vg_proto_name(int protocol);

#endif /* VG_EVENTS_H */
