// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Guard rails (guard.h): source ranges no guest owns, devices no guest
 * sends through.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "guard.h"

/* ---- addresses -------------------------------------------------------------- */

/* Whether the first min(alen, blen) bits of a and b agree: then one of
 * the two prefixes holds the other. */
static int overlap(const uint8_t *a, unsigned int alen, const uint8_t *b, unsigned int blen)
{
	unsigned int n = alen < blen ? alen : blen, i;

	for (i = 0; i < n / 8; i++)
		if (a[i] != b[i])
			return 0;
	if (n % 8) {
		uint8_t m = (uint8_t)(0xff00 >> (n % 8));

		if ((a[i] ^ b[i]) & m)
			return 0;
	}
	return 1;
}

struct special {
	uint8_t addr[16];
	unsigned int len;
	const char *why;
};

/* Sources no guest has (RFC 6890's "Source: False", and loopback), and
 * what a prefix that is in one or holds one is told. */
static const struct special special4[] = {
	{ { 0 }, 8, "0.0.0.0/8 (\"this network\", RFC 1122), never a guest's source "
		    "(DHCP's 0.0.0.0 has its own exception)" },
	{ { 127 }, 8, "loopback (127.0.0.0/8), which never leaves a host" },
	{ { 224 }, 4, "multicast (224.0.0.0/4), never a source" },
	{ { 255, 255, 255, 255 }, 32, "the broadcast address 255.255.255.255, never a source" },
};

static const struct special special6[] = {
	{ { 0 }, 128, "the unspecified address :: (DAD and MLD reports have their own rules)" },
	{ { [15] = 1 }, 128, "the loopback address ::1, which never leaves a host" },
	{ { 0xff }, 8, "multicast (ff00::/8), never a source" },
};

/* Writes why a..len is no guest's source range into why: 1, or 0 when
 * it may be one. */
static int refused(const uint8_t *a, unsigned int len, const struct special *sp, size_t n,
		   unsigned int min_len, char *why, size_t whylen)
{
	size_t i;

	if (len == 0) {
		snprintf(why, whylen, "all addresses: the guest could use any source");
		return 1;
	}
	if (len < min_len) {
		snprintf(why, whylen, "shorter than /%u: a range of many networks, not one "
			 "guest's", min_len);
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (!overlap(a, len, sp[i].addr, sp[i].len))
			continue;
		snprintf(why, whylen, "%s %s", len >= sp[i].len ? "in" : "holds", sp[i].why);
		return 1;
	}
	return 0;
}

int vg_guard_v4(const struct vg_prefix4 *p, char *why, size_t whylen)
{
	return refused((const uint8_t *)&p->addr, p->len, special4,
		       sizeof(special4) / sizeof(special4[0]), VG_GUARD_MIN_V4_LEN, why, whylen);
}

int vg_guard_v6(const struct vg_prefix6 *p, char *why, size_t whylen)
{
	return refused(p->addr.s6_addr, p->len, special6,
		       sizeof(special6) / sizeof(special6[0]), VG_GUARD_MIN_V6_LEN, why, whylen);
}

/* -EPERM with "--ipv4 ADDR[/LEN]: why; ..." in err, the address as the
 * operator writes it (no /LEN for a host). */
static int refuse(char *err, size_t errlen, int af, const void *addr, unsigned int len,
		  const char *why)
{
	char buf[INET6_ADDRSTRLEN], plen[8] = "";

	inet_ntop(af, addr, buf, sizeof(buf));
	if (len != (af == AF_INET ? 32u : 128u))
		snprintf(plen, sizeof(plen), "/%u", len);
	snprintf(err, errlen, "--ipv%c %s%s: %s; refused (--force allows it)",
		 af == AF_INET ? '4' : '6', buf, plen, why);
	return -EPERM;
}

int vg_guard_spec(const struct vg_spec *spec, char *err, size_t errlen)
{
	char why[160];
	unsigned int i;

	for (i = 0; i < spec->n_v4; i++)
		if (vg_guard_v4(&spec->v4[i], why, sizeof(why)))
			return refuse(err, errlen, AF_INET, &spec->v4[i].addr, spec->v4[i].len, why);
	for (i = 0; i < spec->n_v6; i++)
		if (vg_guard_v6(&spec->v6[i], why, sizeof(why)))
			return refuse(err, errlen, AF_INET6, &spec->v6[i].addr, spec->v6[i].len,
				      why);
	return 0;
}

/* ---- devices ----------------------------------------------------------------- */

struct dev {
	short flags;			/* IFF_* */
	long type;			/* ARPHRD_*, from sysfs; -1 when unknown */
	char driver[32];		/* ethtool's; "" when it has none */
	char bus[32];
	char parent_bus[64];		/* the subsystem of its parent device, or "" */
	char master[IF_NAMESIZE];	/* "" when none */
	char master_driver[32];
};

/* src (at most srclen bytes, terminated or not) into out, cut to fit. */
static void copy(char *out, size_t len, const char *src, size_t srclen)
{
	size_t n = strnlen(src, srclen);

	if (n >= len)
		n = len - 1;
	memcpy(out, src, n);
	out[n] = '\0';
}

/* The last component of the link /sys/class/net/IFNAME/WHAT, or "". */
static void sysfs_link(const char *ifname, const char *what, char *out, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	out[0] = '\0';
	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, what);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	copy(out, len, base, strlen(base));
}

/* The link type of ifname (/sys/class/net/IFNAME/type), or -1. */
static long link_type(const char *ifname)
{
	char path[PATH_MAX], buf[16], *end;
	long type = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/type", ifname);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f)) {
		errno = 0;
		type = strtol(buf, &end, 10);
		if (errno || end == buf || (*end && *end != '\n') || type < 0)
			type = -1;
	}
	fclose(f);
	return type;
}

/* ethtool's driver and bus: 0, or -errno (-EOPNOTSUPP: none, as lo). */
static int drvinfo(int fd, const char *ifname, char *driver, size_t dlen, char *bus, size_t blen)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr;

	driver[0] = bus[0] = '\0';
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&info;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		return -errno;
	copy(driver, dlen, info.driver, sizeof(info.driver));
	copy(bus, blen, info.bus_info, sizeof(info.bus_info));
	return 0;
}

static int dev_read(const char *ifname, struct dev *d, char *err, size_t errlen)
{
	struct ifreq ifr;
	char bus[32];
	int fd, ret;

	memset(d, 0, sizeof(*d));
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr))
		goto fail;
	d->flags = ifr.ifr_flags;
	ret = drvinfo(fd, ifname, d->driver, sizeof(d->driver), d->bus, sizeof(d->bus));
	if (ret && ret != -EOPNOTSUPP) {
		errno = -ret;
		goto fail;
	}
	d->type = link_type(ifname);
	sysfs_link(ifname, "device/subsystem", d->parent_bus, sizeof(d->parent_bus));
	sysfs_link(ifname, "master", d->master, sizeof(d->master));
	if (d->master[0])
		drvinfo(fd, d->master, d->master_driver, sizeof(d->master_driver), bus,
			sizeof(bus));
	close(fd);
	return 0;
fail:
	ret = -errno;
	if (fd >= 0)
		close(fd);
	snprintf(err, errlen, "cannot tell what kind of device it is: %s", strerror(-ret));
	return ret;
}

static int is(const char *s, const char *a, const char *b)
{
	return !strcmp(s, a) || (b && !strcmp(s, b));
}

int vg_guard_iface(const char *ifname, char *err, size_t errlen)
{
	const char *hint = "; refused (--force attaches anyway)";
	struct dev d;
	int ret;

	ret = dev_read(ifname, &d, err, errlen);
	if (ret)
		return ret;
	if (d.flags & IFF_LOOPBACK)
		snprintf(err, errlen, "the loopback device: every frame on it has a "
			 "loopback source, so the filter would drop the host's own traffic%s", hint);
	/* The program reads Ethernet frames: on an L3 device (a tun in
	 * tun mode) it would take an IP header for one. */
	else if (d.type >= 0 && d.type != ARPHRD_ETHER)
		snprintf(err, errlen, "not an Ethernet device (link type %ld%s): the filter "
			 "reads Ethernet frames, and guests send them%s", d.type,
			 is(d.driver, "tun", NULL) ? ", a tun device in tun mode" : "", hint);
	else if (is(d.driver, "bridge", NULL))
		snprintf(err, errlen, "a bridge: it carries every guest's frames; attach to "
			 "each guest's interface (a port of the bridge) instead%s", hint);
	else if (is(d.driver, "openvswitch", NULL))
		snprintf(err, errlen, "an Open vSwitch internal device, not a guest's "
			 "interface; attach to each guest's port instead%s", hint);
	else if (is(d.driver, "bonding", "team"))
		snprintf(err, errlen, "a %s device: the host's uplink, not a guest's interface%s",
			 d.driver[0] == 'b' ? "bond" : "team", hint);
	else if ((d.flags & IFF_SLAVE) || is(d.master_driver, "bonding", "team"))
		snprintf(err, errlen, "a port of %s %s: part of the host's uplink, not a "
			 "guest's interface%s", d.master_driver[0] == 't' ? "team" : "bond",
			 d.master[0] ? d.master : "(unknown)", hint);
	/* xen-netback's: its parent is on the xen-backend bus, whose
	 * driver "vif" ethtool reports (when sysfs cannot say, that only). */
	else if (is(d.driver, "veth", "tun") || is(d.parent_bus, "xen-backend", NULL) ||
		 (is(d.driver, "vif", NULL) && !d.parent_bus[0]))
		return 0;
	else if (d.parent_bus[0])
		snprintf(err, errlen, "a physical NIC (driver %s, %s %s): the host's own "
			 "network, not a guest's interface%s", d.driver[0] ? d.driver : "unknown",
			 d.parent_bus, d.bus[0] ? d.bus : "device", hint);
	else
		snprintf(err, errlen, "a %s device, not one guests send through (a xen-netback "
			 "vif, a tun/tap device or a veth)%s", d.driver[0] ? d.driver : "driverless",
			 hint);
	return -EPERM;
}
