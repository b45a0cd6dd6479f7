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
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <stdlib.h>
#include <netinet/in.h>

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

/*
 * Each exchange below has a socket of its own: libnl does not report a
 * failure to read the acknowledgement that follows a link it got, and
 * leaves it on the socket, where the next exchange would take it for its
 * own answer.
 */

/* One exchange: change applied to *link, or without change, *link got
 * (by name, or by ifindex when name is NULL).  0 or -errno. */
static int exchange(struct rtnl_link **link, int ifindex, const char *name,
		    struct rtnl_link *change)
{
	struct vg_nl nl;
	int ret;

	ret = vg_nl_open(&nl);
	if (ret)
		return ret;
	vg_nl_begin(&nl);
	if (change)
		ret = rtnl_link_change(nl.sk, *link, change, 0);
	else
		ret = rtnl_link_get_kernel(nl.sk, ifindex, name, link);
	if (ret < 0)
		ret = vg_nl_errno(&nl, ret);
	else
		ret = *link ? 0 : -ENODEV;	/* an answer with no link in it */
	vg_nl_close(&nl);
	return ret;
}

/* The link named name, or of ifindex when name is NULL: -ENODEV when
 * there is none. */
static int link_get(int ifindex, const char *name, struct rtnl_link **link)
{
	*link = NULL;
	return exchange(link, ifindex, name, NULL);
}

/* Applies change to link: its attributes, the flags in its mask. */
static int link_change(struct rtnl_link *link, struct rtnl_link *change)
{
	return exchange(&link, 0, NULL, change);
}

/* The link named ifname (bad_name if the name is not one).  0 or -errno. */
static int link_named(const char *ifname, int bad_name, struct rtnl_link **link)
{
	*link = NULL;
	return vg_ifname_check(ifname) ? bad_name : link_get(0, ifname, link);
}

static bool is_bridge(struct rtnl_link *link)
{
	const char *kind = rtnl_link_get_type(link);

	return kind && !strcmp(kind, "bridge");
}

int vg_net_link_up(const char *ifname)
{
	struct rtnl_link *link, *change = NULL;
	int ret;

	ret = link_named(ifname, -EINVAL, &link);
	if (ret || (rtnl_link_get_flags(link) & IFF_UP))
		goto out;
	change = rtnl_link_alloc();
	if (!change) {
		ret = -ENOMEM;
		goto out;
	}
	/* Only IFF_UP changes (ifi_change), whatever else the flags say. */
	rtnl_link_set_flags(change, IFF_UP);
	ret = link_change(link, change);
out:
	rtnl_link_put(change);
	rtnl_link_put(link);
	return ret;
}

int vg_net_bridge_of(const char *ifname, char *bridge, size_t len)
{
	struct rtnl_link *link, *master = NULL;
	const char *kind;
	int ret;

	ret = link_named(ifname, -EINVAL, &link);
	if (ret)
		return ret;
	bridge[0] = '\0';
	/* The port's own view (IFLA_INFO_SLAVE_KIND): under an Open
	 * vSwitch datapath or a bond it has a master but no bridge. */
	kind = rtnl_link_get_slave_type(link);
	if (kind && !strcmp(kind, "bridge") && rtnl_link_get_master(link) > 0) {
		ret = link_get(rtnl_link_get_master(link), NULL, &master);
		if (!ret)
			snprintf(bridge, len, "%s", rtnl_link_get_name(master));
		else if (ret == -ENODEV)
			ret = 0;	/* the bridge went, and the port left it with it */
	}
	rtnl_link_put(master);
	rtnl_link_put(link);
	return ret;
}

/* Sets port's master to master (0: none), and reads it back: the kernel
 * does not say when it leaves the master as it was. */
static int set_master(struct rtnl_link *port, int master)
{
	struct rtnl_link *change, *now = NULL;
	int ret;

	change = rtnl_link_alloc();
	if (!change)
		return -ENOMEM;
	rtnl_link_set_master(change, master);
	ret = link_change(port, change);
	if (!ret)
		ret = link_get(rtnl_link_get_ifindex(port), NULL, &now);
	if (!ret && rtnl_link_get_master(now) != master)
		ret = -EOPNOTSUPP;
	rtnl_link_put(now);
	rtnl_link_put(change);
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
	int ret;

	ret = link_named(ifname, -ENODEV, &port);
	if (!ret)
		ret = link_named(bridge, -EINVAL, &br);
	if (!ret && !is_bridge(br))
		ret = -EOPNOTSUPP;
	else if (!ret && !join && rtnl_link_get_master(port) != rtnl_link_get_ifindex(br))
		ret = -EINVAL;
	if (!ret)
		ret = set_master(port, join ? rtnl_link_get_ifindex(br) : 0);
	rtnl_link_put(br);
	rtnl_link_put(port);
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

/* The master of each link, without repeats, into m (room for n): one
 * question per link for a few, one dump of every link for many. */
static size_t masters_of(const unsigned int *ifindexes, size_t n, int *m)
{
	struct nl_cache *cache = NULL;
	size_t i, j, k = 0;
	struct vg_nl nl;

	if (n > 8 && vg_nl_open(&nl) == 0) {
		if (rtnl_link_alloc_cache(nl.sk, AF_UNSPEC, &cache) < 0)
			cache = NULL;
		vg_nl_close(&nl);
	}
	for (i = 0; i < n; i++) {
		struct rtnl_link *link;
		int master;

		if (cache)
			link = rtnl_link_get(cache, (int)ifindexes[i]);
		else if (link_get((int)ifindexes[i], NULL, &link))
			link = NULL;
		if (!link)
			continue;	/* gone: it has no bridge to protect */
		master = rtnl_link_get_master(link);
		rtnl_link_put(link);
		for (j = 0; j < k && m[j] != master; j++)
			;
		if (master > 0 && j == k)
			m[k++] = master;
	}
	nl_cache_free(cache);
	return k;
}

struct ll6_walk {
	const int *masters;
	size_t n;
	struct in6_addr **out;
	size_t *nout;
	int ret;
};

static void ll6_one(struct nl_object *obj, void *arg)
{
	struct rtnl_addr *a = (struct rtnl_addr *)obj;
	struct ll6_walk *w = arg;
	struct nl_addr *local = rtnl_addr_get_local(a);
	struct in6_addr v, *grown;
	size_t i;

	if (w->ret || rtnl_addr_get_family(a) != AF_INET6 || !local ||
	    nl_addr_get_len(local) != sizeof(v))
		return;
	for (i = 0; i < w->n && w->masters[i] != rtnl_addr_get_ifindex(a); i++)
		;
	if (i == w->n)
		return;
	memcpy(&v, nl_addr_get_binary_addr(local), sizeof(v));
	if (!IN6_IS_ADDR_LINKLOCAL(&v))
		return;
	for (i = 0; i < *w->nout; i++)
		if (!memcmp(&(*w->out)[i], &v, sizeof(v)))
			return;
	grown = realloc(*w->out, (*w->nout + 1) * sizeof(v));
	if (!grown) {
		w->ret = -ENOMEM;
		return;
	}
	*w->out = grown;
	grown[(*w->nout)++] = v;
}

int vg_net_master_ll6(const unsigned int *ifindexes, size_t n, struct in6_addr **out,
		      size_t *nout)
{
	struct ll6_walk w = { .out = out, .nout = nout };
	struct nl_cache *cache = NULL;
	struct vg_nl nl;
	int *m, ret;

	m = calloc(n ? n : 1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	w.masters = m;
	w.n = masters_of(ifindexes, n, m);
	if (!w.n) {
		free(m);
		return 0;
	}
	ret = vg_nl_open(&nl);
	if (!ret) {
		vg_nl_begin(&nl);
		ret = rtnl_addr_alloc_cache(nl.sk, &cache);
		if (ret < 0)
			ret = vg_nl_errno(&nl, ret);
		vg_nl_close(&nl);
	}
	if (!ret) {
		nl_cache_foreach(cache, ll6_one, &w);
		ret = w.ret;
	}
	nl_cache_free(cache);
	free(m);
	return ret;
}
