// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <netlink/errno.h>
#include <netlink/handlers.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/route/link.h>

#include "netlink.h"
#include "sanitize.h"

/* The socket's error callback: libnl keeps only its own code for the
 * kernel's answer, which merges several errnos into one. */
static int answer_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct vg_nl *nl = arg;

	(void)who;
	nl->kerr = e->error < 0 ? e->error : -e->error;
	return NL_STOP;
}

int vg_nl_open(struct vg_nl *nl)
{
	int ret;

	nl->kerr = 0;
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return -ENOMEM;
	vg_nl_begin(nl);
	ret = nl_socket_modify_err_cb(nl->sk, NL_CB_CUSTOM, answer_error, nl);
	if (!ret)
		ret = nl_connect(nl->sk, NETLINK_ROUTE);
	if (ret) {
		ret = vg_nl_errno(nl, ret);
		nl_socket_free(nl->sk);
		nl->sk = NULL;
	}
	return ret;
}

void vg_nl_close(struct vg_nl *nl)
{
	nl_socket_free(nl->sk);
	nl->sk = NULL;
}

/* The errno that libnl's nl_syserr2nlerr() turns into code, where one
 * errno does; libnl's own codes otherwise. */
static int nlerr_errno(int code)
{
	switch (code) {
	case NLE_INTR:		return EINTR;
	case NLE_BAD_SOCK:	return EBADF;
	case NLE_AGAIN:		return EAGAIN;
	case NLE_NOMEM:		return ENOMEM;
	case NLE_EXIST:		return EEXIST;
	case NLE_INVAL:		return EINVAL;
	case NLE_RANGE:		return ERANGE;
	case NLE_MSGSIZE:	return EMSGSIZE;
	case NLE_OPNOTSUPP:	return EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:	return EAFNOSUPPORT;
	case NLE_OBJ_NOTFOUND:	return ENOENT;
	case NLE_NOADDR:	return EADDRNOTAVAIL;
	case NLE_BUSY:		return EBUSY;
	case NLE_PROTO_MISMATCH: return EPROTONOSUPPORT;
	case NLE_NOACCESS:	return EACCES;
	case NLE_PERM:		return EPERM;
	case NLE_NODEV:		return ENODEV;
	case NLE_MSG_OVERFLOW:	return EOVERFLOW;
	default:		return EPROTO;	/* an answer libnl could not use */
	}
}

int vg_nl_errno(struct vg_nl *nl, int nlerr)
{
	int sys = errno, kerr = nl->kerr;

	nl->kerr = 0;
	if (kerr)
		return kerr;
	/* A failed sendmsg() or recvmsg() leaves its errno; anything else
	 * in errno belongs to another code. */
	if (sys > 0 && nl_syserr2nlerr(sys) == -nlerr)
		return -sys;
	return -nlerr_errno(-nlerr);
}

static int link_get(struct vg_nl *nl, int ifindex, const char *name, struct rtnl_link **link)
{
	int ret;

	vg_nl_begin(nl);
	ret = rtnl_link_get_kernel(nl->sk, ifindex, name, link);
	if (ret < 0)
		return vg_nl_errno(nl, ret);
	/* An answer with no link in it: none to be had. */
	return *link ? 0 : -ENODEV;
}

/* A socket and the link named ifname (bad_name if the name is not one):
 * 0, or -errno with nothing left open. */
static int link_open(struct vg_nl *nl, const char *ifname, int bad_name,
		     struct rtnl_link **link)
{
	int ret;

	*link = NULL;
	if (vg_ifname_check(ifname))
		return bad_name;
	ret = vg_nl_open(nl);
	if (ret)
		return ret;
	ret = link_get(nl, 0, ifname, link);
	if (ret)
		vg_nl_close(nl);
	return ret;
}

/* Undoes link_open(), with other, a link got since (or NULL). */
static void link_close(struct vg_nl *nl, struct rtnl_link *link, struct rtnl_link *other)
{
	rtnl_link_put(other);
	rtnl_link_put(link);
	vg_nl_close(nl);
}

static bool is_bridge(struct rtnl_link *link)
{
	const char *kind = rtnl_link_get_type(link);

	return kind && !strcmp(kind, "bridge");
}

int vg_net_link_up(const char *ifname)
{
	struct rtnl_link *link, *change = NULL;
	struct vg_nl nl;
	int ret;

	ret = link_open(&nl, ifname, -EINVAL, &link);
	if (ret || (rtnl_link_get_flags(link) & IFF_UP))
		goto out;
	change = rtnl_link_alloc();
	if (!change) {
		ret = -ENOMEM;
		goto out;
	}
	/* Only IFF_UP changes (ifi_change), whatever else the flags say. */
	rtnl_link_set_flags(change, IFF_UP);
	vg_nl_begin(&nl);
	ret = rtnl_link_change(nl.sk, link, change, 0);
	if (ret < 0)
		ret = vg_nl_errno(&nl, ret);
out:
	if (link)
		link_close(&nl, link, change);
	return ret;
}

int vg_net_bridge_of(const char *ifname, char *bridge, size_t len)
{
	struct rtnl_link *link, *master = NULL;
	const char *kind;
	struct vg_nl nl;
	int ret;

	ret = link_open(&nl, ifname, -EINVAL, &link);
	if (ret)
		return ret;
	bridge[0] = '\0';
	/* The port's own view (IFLA_INFO_SLAVE_KIND): under an Open
	 * vSwitch datapath or a bond it has a master but no bridge. */
	kind = rtnl_link_get_slave_type(link);
	if (kind && !strcmp(kind, "bridge") && rtnl_link_get_master(link) > 0) {
		ret = link_get(&nl, rtnl_link_get_master(link), NULL, &master);
		if (!ret)
			snprintf(bridge, len, "%s", rtnl_link_get_name(master));
		else if (ret == -ENODEV)
			ret = 0;	/* the bridge went, and the port left it with it */
	}
	link_close(&nl, link, master);
	return ret;
}

/*
 * Joins (join) or leaves the Linux bridge named bridge.  The checks and
 * errors are those of the bridge ioctls (SIOCBRADDIF, SIOCBRDELIF): no
 * port, -ENODEV; a bridge that is not one, -EOPNOTSUPP; leaving a bridge
 * the port is not on, -EINVAL.
 */
static int bridge_set(const char *bridge, const char *ifname, bool join)
{
	struct rtnl_link *port, *br = NULL;
	struct vg_nl nl;
	int ret;

	ret = link_open(&nl, ifname, -ENODEV, &port);
	if (ret)
		return ret;
	ret = vg_ifname_check(bridge) ? -EINVAL : link_get(&nl, 0, bridge, &br);
	if (!ret && !is_bridge(br))
		ret = -EOPNOTSUPP;
	else if (!ret && !join && rtnl_link_get_master(port) != rtnl_link_get_ifindex(br))
		ret = -EINVAL;
	if (!ret) {
		/* libnl reads the link back: a master that did not change
		 * is -NLE_OPNOTSUPP. */
		vg_nl_begin(&nl);
		ret = rtnl_link_enslave_ifindex(nl.sk, join ? rtnl_link_get_ifindex(br) : 0,
						rtnl_link_get_ifindex(port));
		if (ret < 0)
			ret = vg_nl_errno(&nl, ret);
	}
	link_close(&nl, port, br);
	return ret;
}

int vg_net_bridge_add(const char *bridge, const char *ifname)
{
	return bridge_set(bridge, ifname, true);
}

int vg_net_bridge_del(const char *bridge, const char *ifname)
{
	return bridge_set(bridge, ifname, false);
}
