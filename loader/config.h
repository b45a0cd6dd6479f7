/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The config file (/etc/vifguard/vifguard.conf): per-VIF policies for
 * hosts where neither XAPI nor xl describes one, the same file on every
 * host of a pool.  Syntax in docs/vifguard.8 and
 * etc/vifguard.conf.example; in short, one entry per line:
 *
 *	KEY WORD...
 *
 * KEY is a VIF UUID or the guest's MAC address.  A WORD is an address
 * (IPv4 or IPv6, host or CIDR) or an option (mode=, mac=, ipv4=, ipv6=,
 * ethertype=, no-dhcp, allow-dhcp-server, allow-ra, no-link-local).
 * Lines naming the same KEY add up, so the original "<vif-uuid> <ip>"
 * files are read as they are.
 *
 * KEY "host" is reserved: "host mode=audit" is the host-wide audit
 * switch (every policy a source makes locked is applied as audit, on
 * every VIF of the host whatever its source; disabled stays disabled),
 * "host mode=locked" says it is off.  "host learn=WORD[,WORD]" sets how
 * every policy a source makes learns addresses: link-local (the default),
 * dhcp (leases, for a policy that lets the DHCP client through), both, or
 * none.  "host dhcp-grace=SECONDS" is how long a lease stays allowed past
 * its end (VG_DHCP_GRACE_DEFAULT).  "host unlisted=learn" locks the VIFs
 * no source describes (source.h, step 4) by learning: their MAC, the DHCP
 * client, the addresses their leases and DAD probes give them;
 * "unlisted=open", the default, leaves them unfiltered.
 * "host protect=ADDR[,ADDR]..." names
 * IPv6 addresses no interface may learn (a router's link-local address).
 * Nothing else goes on that line; its words may be spread over several
 * host lines.
 */
#ifndef VG_CONFIG_H
#define VG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>

#include "policy.h"

#define VG_CONFIG_DEFAULT	"/etc/vifguard/vifguard.conf"
#define VG_UUID_STRLEN		36
#define VG_CONFIG_MAX_PROTECT	64	/* addresses of host protect= */

/* host unlisted=: what becomes of a VIF that no source describes. */
enum vg_unlisted {
	VG_UNLISTED_OPEN = 0,	/* unfiltered (the default) */
	VG_UNLISTED_LEARN,	/* locked to its MAC and what it learns */
};

struct vg_config_entry {
	bool by_mac;
	char uuid[VG_UUID_STRLEN + 1];	/* lower case; KEY when !by_mac */
	uint8_t mac[6];			/* KEY when by_mac */
	unsigned int line;		/* first line naming KEY */
	/* Addresses, options and mode.  spec.macs holds the extra MACs
	 * of mac= (and the KEY when by_mac); spec.ifname is empty. */
	struct vg_spec spec;
};

struct vg_config {
	char path[256];
	struct vg_config_entry *entries;
	size_t n;
	/* The host line: VG_MODE_AUDIT (the switch on) or VG_MODE_LOCKED,
	 * and its line; VG_MODE_INVALID and 0 without one. */
	enum vg_mode host_mode;
	unsigned int host_line;
	/* host learn=: the VG_F_LEARN_* flags of the policies the sources
	 * make, and its line; 0 without one (learning stays as they say). */
	unsigned int host_learn;
	unsigned int host_learn_line;
	/* host dhcp-grace=: seconds, and its line; 0 and 0 without one
	 * (vg_config_dhcp_grace gives the default then). */
	unsigned int host_grace;
	unsigned int host_grace_line;
	/* host resume-window= and first-lease=: seconds, and their lines; 0
	 * and 0 without one (vg_config_resume_window(),
	 * vg_config_first_lease() give the defaults then). */
	unsigned int host_window;
	unsigned int host_window_line;
	unsigned int host_first;
	unsigned int host_first_line;
	/* host unlisted=, and its line; VG_UNLISTED_OPEN and 0 without one. */
	enum vg_unlisted host_unlisted;
	unsigned int host_unlisted_line;
	/* host protect=: addresses no interface may learn. */
	struct in6_addr protect[VG_CONFIG_MAX_PROTECT];
	size_t n_protect;
	/* 0, or the -errno of a vg_config_load that failed (no entries
	 * then), with its message: vg_resolve fails closed on it when a VIF
	 * needs the file, and only then. */
	int error;
	char errmsg[VG_ERRLEN + 256];
};

/*
 * Parses text (name is used in messages).  Returns 0, or -EINVAL with
 * "name:line: what is wrong" in err and cfg left empty.
 */
int vg_config_parse(const char *name, const char *text, struct vg_config *cfg,
		    char *err, size_t errlen);

/*
 * Reads and parses path.  A missing file (ENOENT on the file or on its
 * directory) is an empty config: hosts that take every policy from
 * xenstore need none.  Anything else is -errno with a message naming
 * path, also kept in cfg->error / cfg->errmsg:
 *  - the file is a symbolic link (dangling or not), or not a regular file;
 *  - the file, or a directory on its (resolved) path up to /, is not
 *    owned by root or is writable by group or others (a root-owned
 *    directory with the sticky bit, such as /tmp, is accepted: others
 *    cannot rename or replace root's entries in it);
 *  - it cannot be read (EACCES, ENOTDIR, ELOOP, ...) or has an error.
 */
int vg_config_load(const char *path, struct vg_config *cfg, char *err, size_t errlen);

/* One finding of vg_config_check. */
struct vg_config_finding {
	const char *file;
	unsigned int line;	/* 0: the file as a whole */
	/* A warning: applied as written by hotplug, but attach's guard
	 * rails (guard.h) refuse it without --force.  Else an error: the
	 * file is refused whole and the VIFs it decides fail closed. */
	bool warning;
	const char *word;	/* the word at fault, or NULL */
	const char *cause;	/* what is wrong with it */
	const char *msg;	/* all of it: "file:line: 'word': cause" */
};

typedef void (*vg_config_report_fn)(void *arg, const struct vg_config_finding *f);

struct vg_config_summary {
	size_t entries, by_mac;		/* keys; the rest are VIF UUIDs */
	enum vg_mode host_mode;		/* the host line's, as in struct vg_config */
	unsigned int host_line;
	unsigned int host_learn, host_learn_line;
	unsigned int host_grace, host_grace_line;	/* the default without a line */
	unsigned int host_window, host_window_line;	/* the default without a line */
	unsigned int host_first, host_first_line;	/* the default without a line */
	enum vg_unlisted host_unlisted;
	unsigned int host_unlisted_line;
	size_t n_protect;
	unsigned int errors, warnings;
	bool missing;			/* no such file (hotplug: an empty config) */
};

/*
 * Opens path for reading, never through a symbolic link, only a regular
 * file that only root can change (the checks of vg_config_load below).
 * Returns a FILE, or NULL with errno set and err filled ("PATH: why";
 * errno ENOENT with err untouched: no config).  config_open.c.
 */
FILE *vg_config_open(const char *path, char *err, size_t errlen);

/*
 * Checks path as vg_config_load reads it, but goes on after an error to
 * report every finding to fn, in order: each bad word of each line (the
 * rest of a line whose KEY is bad is skipped), the trust checks of the
 * file (a file not root's alone is parsed all the same), and as warnings
 * the addresses attach's guard rails refuse.  A missing file is an
 * error here.  Returns the number of errors; no xenstore, no bpffs.
 */
int vg_config_check(const char *path, vg_config_report_fn fn, void *arg,
		    struct vg_config_summary *sum);

/* The entry for a VIF: by VIF UUID first (NULL or "" when unknown), then
 * by MAC (NULL when unknown).  NULL when none matches. */
const struct vg_config_entry *vg_config_find(const struct vg_config *cfg,
					     const char *vif_uuid,
					     const uint8_t *mac);

void vg_config_free(struct vg_config *cfg);

/* The learning flags of the host line applied to flags, a policy a
 * source made: flags unchanged without host learn=.  learn=dhcp leaves
 * a policy without VG_F_DHCP_CLIENT (no-dhcp) learning no lease. */
unsigned int vg_config_host_learn(const struct vg_config *cfg, unsigned int flags);

/* host dhcp-grace=, in seconds: VG_DHCP_GRACE_DEFAULT without the word,
 * without cfg or when cfg could not be loaded. */
unsigned int vg_config_dhcp_grace(const struct vg_config *cfg);

/* host resume-window= and first-lease=, in seconds: their defaults
 * without the word, without cfg or when cfg could not be loaded. */
unsigned int vg_config_resume_window(const struct vg_config *cfg);
unsigned int vg_config_first_lease(const struct vg_config *cfg);

/* Whether s is a UUID (8-4-4-4-12 hex digits, either case). */
bool vg_uuid_valid(const char *s);

#endif /* VG_CONFIG_H */
