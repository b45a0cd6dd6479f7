// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The port's network for the XAPI entry point: which backend (Linux
 * bridge or Open vSwitch), joining and leaving it (netlink.c for the
 * Linux bridge, ovs-vsctl for Open vSwitch, with xenopsd's external-ids
 * and ofport key), and the PVS proxy script xenopsd names.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <syslog.h>
#include <net/if.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "hotplug_net.h"
#include "netlink.h"
#include "sanitize.h"
#include "source.h"

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

/* ---- the port on its network ------------------------------------------- */

static char *xs_get(const struct vg_port *p, const char *dir, const char *key)
{
	char path[VG_XS_PATHLEN + 32];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	return vg_xs_read(p->xs, path);
}

/*
 * The PVS proxy script is run as root, from a path xenstore names: only
 * from a key no domain but dom0 can write, and only an absolute path to a
 * regular file that only root can change.
 */
static bool pvs_script_trusted(const struct vg_port *p, const char *priv, const char *dev,
			       const char *script)
{
	char path[VG_XS_PATHLEN + 32], esc[4 * VG_XS_PATHLEN];
	unsigned int writer;
	struct stat st;

	snprintf(path, sizeof(path), "%s/setup-pvs-proxy-rules", priv);
	vg_escape_text(esc, sizeof(esc), script);
	if (vg_xs_writable_by_domu(p->xs, path, &writer) != 0) {
		p->say(p->arg, "%s: %s: a domain other than dom0 can write it (or its permissions "
		    "cannot be read): '%s' not run", dev, path, esc);
		return false;
	}
	if (script[0] != '/' || stat(script, &st) || !S_ISREG(st.st_mode) ||
	    !vg_root_only(&st)) {
		p->say(p->arg, "%s: %s: '%s': not an absolute path to a file only root can "
		    "change; not run", dev, path, esc);
		return false;
	}
	return true;
}

/* PVS proxy rules, only where xenopsd asked for them (the pvs-interface key). */
static void pvs_proxy(const struct vg_port *p, const char *action, const char *dev,
		      const char *priv, const char *hotplug)
{
	char *iface = xs_get(p, priv, "pvs-interface"), *script;
	char ty[4];

	if (!iface)
		return;
	free(iface);
	script = xs_get(p, priv, "setup-pvs-proxy-rules");
	if (script && *script && pvs_script_trusted(p, priv, dev, script)) {
		char *argv[] = { script, (char *)action, ty, (char *)dev, (char *)priv,
				 (char *)hotplug, NULL };

		snprintf(ty, sizeof(ty), "%.3s", dev);
		if (vg_run(argv, NULL, 0) != 0)
			p->say(p->arg, "%s: %s %s failed", dev, script, action);
	}
	free(script);
}

int vg_port_ovs_del(const struct vg_port *p, const char *dev, const char *priv,
		    const char *hotplug)
{
	char *argv[] = { "ovs-vsctl", "--timeout=30", "--", "--if-exists", "del-port",
			 (char *)dev, NULL };
	char path[VG_XS_PATHLEN + 32];
	int ret;

	pvs_proxy(p, "remove", dev, priv, hotplug);
	snprintf(path, sizeof(path), "%s/%.3s-ofport", hotplug, dev);
	vg_xs_rm(p->xs, path);
	ret = vg_run(argv, NULL, 0);
	if (ret) {
		p->say(p->arg, "%s: ovs-vsctl del-port failed (%d)", dev, ret);
		return -EIO;
	}
	return 0;
}

/* 1 (and says so) if v, read from xenstore at where/key, is set but not
 * fit for ovs-vsctl's syntax, else 0. */
static int ovs_value_bad(const struct vg_port *p, const char *dev, const char *where,
			 const char *key, const char *v, const char *what)
{
	if (!v || !*v || !vg_ovs_value_check(v))
		return 0;
	p->say(p->arg, "%s: %s%s: '%s': not %s, refusing it as an external-id",
	    dev, where, key, v, what);
	return 1;
}

/*
 * The port's external-ids, as xenopsd sets them, into ids: how many, or
 * -EINVAL (said) when a value does not fit ovs-vsctl's syntax.
 */
static int ovs_ids(const struct vg_port *p, const char *dev, const struct vg_vif *vif,
		   const char *priv, char ids[4][VG_XS_PATHLEN])
{
	char path[VG_XS_PATHLEN + 32];
	char *vmu, *vifu, *netu, *mac;
	int k = -EINVAL;

	/* A migration target uses the VM's final UUID, as xenopsd does. */
	snprintf(path, sizeof(path), "/vm/%s/final-uuid", vif->vm_uuid);
	vmu = vg_xs_read(p->xs, path);
	vifu = xs_get(p, priv, "vif-uuid");
	netu = xs_get(p, priv, "network-uuid");
	mac = xs_get(p, priv, "mac");
	/* The values go into ovs-vsctl's own syntax: refused, not quoted,
	 * when they hold anything a UUID or a MAC does not. */
	if (!(ovs_value_bad(p, dev, path, "", vmu, "a UUID") |
	      ovs_value_bad(p, dev, priv, "/vif-uuid", vifu, "a UUID") |
	      ovs_value_bad(p, dev, priv, "/network-uuid", netu, "a UUID") |
	      ovs_value_bad(p, dev, priv, "/mac", mac, "a MAC"))) {
		k = 0;
		snprintf(ids[k++], VG_XS_PATHLEN, "external-ids:\"xs-vm-uuid\"=\"%s\"",
			 vmu && *vmu ? vmu : vif->vm_uuid);
		if (vifu)
			snprintf(ids[k++], VG_XS_PATHLEN,
				 "external-ids:\"xs-vif-uuid\"=\"%s\"", vifu);
		if (netu)
			snprintf(ids[k++], VG_XS_PATHLEN,
				 "external-ids:\"xs-network-uuid\"=\"%s\"", netu);
		if (mac)
			snprintf(ids[k++], VG_XS_PATHLEN,
				 "external-ids:\"attached-mac\"=\"%s\"", mac);
	}
	free(vmu);
	free(vifu);
	free(netu);
	free(mac);
	return k;
}

int vg_port_ovs_add(const struct vg_port *p, const char *dev, const char *bridge,
		    const struct vg_vif *vif, const char *priv, const char *hotplug)
{
	char cur[64] = "", port[32] = "", path[VG_XS_PATHLEN + 32];
	char ids[4][VG_XS_PATHLEN];
	char *argv[32];
	int n = 0, k, ret;
	char *q1[] = { "ovs-vsctl", "iface-to-br", (char *)dev, NULL };
	char *q2[] = { "ovs-vsctl", "get", "interface", (char *)dev, "ofport", NULL };

	k = ovs_ids(p, dev, vif, priv, ids);
	if (k < 0)
		return k;
	argv[n++] = "ovs-vsctl";
	argv[n++] = "--timeout=30";
	/* Re-adding a port that is already there would recreate it in the
	 * datapath: only refresh its external-ids then. */
	if (vg_run(q1, cur, sizeof(cur)) != 0 || strcmp(cur, bridge)) {
		argv[n++] = "--";
		argv[n++] = "--if-exists";
		argv[n++] = "del-port";
		argv[n++] = (char *)dev;
		argv[n++] = "--";
		argv[n++] = "add-port";
		argv[n++] = (char *)bridge;
		argv[n++] = (char *)dev;
	}
	argv[n++] = "--";
	argv[n++] = "set";
	argv[n++] = "interface";
	argv[n++] = (char *)dev;
	for (int i = 0; i < k; i++)
		argv[n++] = ids[i];
	argv[n] = NULL;
	ret = vg_run(argv, NULL, 0);
	if (ret) {
		p->say(p->arg, "%s: ovs-vsctl add-port %s failed (%d)", dev, bridge, ret);
		return -EIO;
	}
	if (vg_run(q2, port, sizeof(port)) == 0 && *port) {
		snprintf(path, sizeof(path), "%s/%.3s-ofport", hotplug, dev);
		if (vg_xs_write(p->xs, path, port))
			p->say(p->arg, "%s: cannot write %s", dev, path);
	}
	pvs_proxy(p, "add", dev, priv, hotplug);
	return 0;
}

int vg_port_bridge_del(const struct vg_port *p, const char *dev)
{
	char cur[IF_NAMESIZE + 1] = "";
	int ret = vg_net_bridge_of(dev, cur, sizeof(cur));

	if (ret == -ENODEV || (!ret && !cur[0]))
		return 0;
	if (!ret)
		ret = vg_net_bridge_del(cur, dev);
	if (ret)
		p->say(p->arg, "%s: cannot leave bridge %s: %s", dev, cur, strerror(-ret));
	return ret;
}

int vg_port_bridge_add(const struct vg_port *p, const char *dev, const char *bridge)
{
	char cur[IF_NAMESIZE + 1] = "", fd_path[64];
	FILE *f;
	int ret;

	ret = vg_net_bridge_of(dev, cur, sizeof(cur));
	if (ret) {
		p->say(p->arg, "%s: %s", dev, strerror(-ret));
		return ret;
	}
	if (!strcmp(cur, bridge))
		return 0;
	if (cur[0] && (ret = vg_net_bridge_del(cur, dev))) {
		p->say(p->arg, "%s: cannot leave bridge %s: %s", dev, cur, strerror(-ret));
		return ret;
	}
	if (vg_ifname_check(bridge))
		return -EINVAL;	/* the caller named the key already */
	/* As xenopsd does (brctl setfd BRIDGE 0): ports forward at once. */
	snprintf(fd_path, sizeof(fd_path), "/sys/class/net/%s/bridge/forward_delay", bridge);
	f = fopen(fd_path, "we");
	if (f) {
		fputs("0\n", f);
		fclose(f);
	}
	ret = vg_net_bridge_add(bridge, dev);
	if (ret)
		p->say(p->arg, "%s: cannot join bridge %s: %s", dev, bridge, strerror(-ret));
	return ret;
}

