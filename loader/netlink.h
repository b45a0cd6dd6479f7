/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * rtnetlink through libnl-3 (libnl-route-3): a route socket whose errors
 * come back as -errno, and the link queries and changes the loader makes:
 * a link's state, its Linux bridge, joining and leaving one.  Attaching
 * the program stays with libbpf's bpf_tc_* (tc.c).  Nothing here prints.
 */
#ifndef VG_NETLINK_H
#define VG_NETLINK_H

#include <errno.h>
#include <stddef.h>

struct nl_sock;

struct vg_nl {
	struct nl_sock *sk;
	int kerr;		/* the kernel's last error answer (-errno), or 0 */
};

/* A connected NETLINK_ROUTE socket.  0 or -errno. */
int vg_nl_open(struct vg_nl *nl);
void vg_nl_close(struct vg_nl *nl);

/*
 * The -errno of nlerr, the negative libnl error a call on nl just
 * returned: the kernel's own answer when it gave one, else the errno of
 * the system call that failed, else the nearest errno of the libnl code.
 * Call it before anything else can change errno.
 */
int vg_nl_errno(struct vg_nl *nl, int nlerr);

/* Before each libnl call whose error vg_nl_errno() may read: nothing
 * older is taken for its cause. */
static inline void vg_nl_begin(struct vg_nl *nl)
{
	nl->kerr = 0;
	errno = 0;
}

/* Sets IFF_UP when it is not set.  0 or -errno. */
int vg_net_link_up(const char *ifname);

/* The Linux bridge ifname is a port of, "" if none (a port of an Open
 * vSwitch datapath or of a bond is on no Linux bridge).  0 or -errno,
 * -ENODEV when there is no such link. */
int vg_net_bridge_of(const char *ifname, char *bridge, size_t len);

/* Adds ifname to / removes it from the Linux bridge named bridge (a port
 * of another bridge cannot leave this one: -EINVAL).  0 or -errno. */
int vg_net_bridge_add(const char *bridge, const char *ifname);
int vg_net_bridge_del(const char *bridge, const char *ifname);

/*
 * The IPv6 link-local addresses (fe80::/10) of the masters of the links
 * ifindexes[0..n) (a port's Linux bridge; a link without master adds
 * none; one that is gone neither), appended to *out (realloc()ed, *nout
 * counting them; each address once).  One address dump (RTM_GETADDR)
 * for all of them.  0 or -errno.
 */
struct in6_addr;
int vg_net_master_ll6(const unsigned int *ifindexes, size_t n, struct in6_addr **out,
		      size_t *nout);

#endif /* VG_NETLINK_H */
