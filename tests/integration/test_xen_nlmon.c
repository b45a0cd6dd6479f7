// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_xen_nlmon IFNAME: prints, in the order the kernel sends them, the
 * link and tc events of one network device, one line each:
 *
 *	link up|down carrier|no-carrier master=IFINDEX
 *	link gone
 *	brport add|del		(bridge port information)
 *	filter add|del KIND
 *	qdisc add|del KIND
 *
 * Link and tc notifications arrive on one netlink socket, so their order
 * is the order of the changes: "filter add bpf" before the first "link
 * up" proves a port was filtered before it came up, and no "link down"
 * line during a policy change proves the link never went down.  Prints
 * "ready" once subscribed; runs until killed.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

/* <linux/if.h> has it, but clashes with <net/if.h>. */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

static const char *kind_of(struct nlmsghdr *nh, int hdrlen)
{
	struct rtattr *rta = (struct rtattr *)((char *)NLMSG_DATA(nh) + NLMSG_ALIGN(hdrlen));
	int len = (int)nh->nlmsg_len - NLMSG_LENGTH(hdrlen);

	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type == TCA_KIND)
			return RTA_DATA(rta);
	return "?";
}

int main(int argc, char **argv)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	unsigned int ifindex;
	char buf[65536];
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: %s IFNAME\n", argv[0]);
		return 2;
	}
	ifindex = if_nametoindex(argv[1]);
	if (!ifindex) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	sa.nl_groups = RTMGRP_LINK | RTMGRP_TC;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("bind");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("ready\n");

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nh;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				printf("overrun\n");
				continue;
			}
			perror("recv");
			return 1;
		}
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (unsigned int)n);
		     nh = NLMSG_NEXT(nh, n)) {
			switch (nh->nlmsg_type) {
			case RTM_NEWLINK:
			case RTM_DELLINK: {
				struct ifinfomsg *ifi = NLMSG_DATA(nh);
				struct rtattr *rta = IFLA_RTA(ifi);
				int len = IFLA_PAYLOAD(nh);
				unsigned int master = 0;

				if ((unsigned int)ifi->ifi_index != ifindex)
					break;
				/* AF_BRIDGE: the device joined or left a
				 * bridge, its own state is in an AF_UNSPEC
				 * message of its own. */
				if (ifi->ifi_family == AF_BRIDGE) {
					printf("brport %s\n", nh->nlmsg_type == RTM_NEWLINK ?
					       "add" : "del");
					break;
				}
				if (nh->nlmsg_type == RTM_DELLINK) {
					printf("link gone\n");
					break;
				}
				for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
					if (rta->rta_type == IFLA_MASTER)
						master = *(unsigned int *)RTA_DATA(rta);
				printf("link %s %s master=%u\n",
				       ifi->ifi_flags & IFF_UP ? "up" : "down",
				       ifi->ifi_flags & IFF_LOWER_UP ? "carrier" : "no-carrier",
				       master);
				break;
			}
			case RTM_NEWTFILTER:
			case RTM_DELTFILTER:
			case RTM_NEWQDISC:
			case RTM_DELQDISC: {
				struct tcmsg *tc = NLMSG_DATA(nh);
				bool filter = nh->nlmsg_type == RTM_NEWTFILTER ||
					      nh->nlmsg_type == RTM_DELTFILTER;
				bool add = nh->nlmsg_type == RTM_NEWTFILTER ||
					   nh->nlmsg_type == RTM_NEWQDISC;

				if ((unsigned int)tc->tcm_ifindex != ifindex)
					break;
				printf("%s %s %s\n", filter ? "filter" : "qdisc",
				       add ? "add" : "del", kind_of(nh, sizeof(*tc)));
				break;
			}
			default:
				break;
			}
		}
	}
}
