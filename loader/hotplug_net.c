// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Bridge membership and link state for the XAPI entry point.  The bridge
 * ioctls are the ones brctl uses; they exist on every kernel a dom0 runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "hotplug_net.h"
#include "sanitize.h"

extern char **environ;

enum vg_netmode vg_net_mode(void)
{
	const char *env = getenv("VIFGUARD_NETWORK_BACKEND");
	struct stat st;

	char word[32] = "";
	FILE *f;

	if (env && *env)
		return strcmp(env, "openvswitch") ? VG_NET_BRIDGE : VG_NET_OPENVSWITCH;
	/* XAPI hosts name their backend in network.conf ("bridge" or
	 * "openvswitch"); a loaded openvswitch module alone does not mean
	 * the bridges are OVS bridges. */
	f = fopen("/etc/xensource/network.conf", "re");
	if (f) {
		if (fscanf(f, "%31s", word) != 1)
			word[0] = '\0';
		fclose(f);
		if (!strcmp(word, "bridge"))
			return VG_NET_BRIDGE;
		if (!strcmp(word, "openvswitch") || !strcmp(word, "vswitch"))
			return VG_NET_OPENVSWITCH;
	}
	return stat("/sys/module/openvswitch", &st) ? VG_NET_BRIDGE : VG_NET_OPENVSWITCH;
}

static int ifreq_ioctl(unsigned long req, struct ifreq *ifr)
{
	int fd, ret = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, req, ifr) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int vg_net_link_up(const char *ifname)
{
	struct ifreq ifr;
	int ret;

	memset(&ifr, 0, sizeof(ifr));
	if (vg_ifname_check(ifname))
		return -EINVAL;
	strcpy(ifr.ifr_name, ifname);
	ret = ifreq_ioctl(SIOCGIFFLAGS, &ifr);
	if (ret || (ifr.ifr_flags & IFF_UP))
		return ret;
	ifr.ifr_flags |= IFF_UP;
	return ifreq_ioctl(SIOCSIFFLAGS, &ifr);
}

int vg_net_bridge_of(const char *ifname, char *bridge, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	ssize_t n;

	/* Names become /sys paths here: checked, whoever the caller is. */
	if (vg_ifname_check(ifname))
		return -EINVAL;
	snprintf(path, sizeof(path), "/sys/class/net/%s/brport/bridge", ifname);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		if (errno != ENOENT)
			return -errno;
		snprintf(path, sizeof(path), "/sys/class/net/%s", ifname);
		if (access(path, F_OK))
			return -ENODEV;
		bridge[0] = '\0';
		return 0;
	}
	link[n] = '\0';
	base = strrchr(link, '/');
	snprintf(bridge, len, "%s", base ? base + 1 : link);
	return 0;
}

static int bridge_ioctl(unsigned long req, const char *bridge, const char *ifname)
{
	struct ifreq ifr;
	unsigned int idx;

	idx = if_nametoindex(ifname);
	if (!idx)
		return -errno;
	if (vg_ifname_check(bridge))
		return -EINVAL;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, bridge);
	ifr.ifr_ifindex = (int)idx;
	return ifreq_ioctl(req, &ifr);
}

int vg_net_bridge_add(const char *bridge, const char *ifname)
{
	return bridge_ioctl(SIOCBRADDIF, bridge, ifname);
}

int vg_net_bridge_del(const char *bridge, const char *ifname)
{
	return bridge_ioctl(SIOCBRDELIF, bridge, ifname);
}

int vg_run(char *const argv[], char *out, size_t outlen)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2] = { -1, -1 };
	size_t got = 0;
	int ret, status;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	ret = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (ret) {
		close(pipefd[0]);
		return -ret;
	}
	for (;;) {
		char buf[512];
		ssize_t n = read(pipefd[0], buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out && got + 1 < outlen) {
			size_t take = (size_t)n;

			if (take > outlen - 1 - got)
				take = outlen - 1 - got;
			memcpy(out + got, buf, take);
			got += take;
		}
	}
	close(pipefd[0]);
	if (out && outlen) {
		out[got] = '\0';
		while (got && (out[got - 1] == '\n' || out[got - 1] == '\r'))
			out[--got] = '\0';
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status))
		return -ECHILD;
	return WEXITSTATUS(status);
}
