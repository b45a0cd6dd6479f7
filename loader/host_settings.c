// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The config file's host line (vifguard.conf, `host ...`) in force: the
 * protected addresses, the DHCP grace and the first-use time.  hotplug
 * and sync put the line they read in force; attach puts the file's in
 * force too, so that a host whose interfaces only attach makes has its
 * routers protected from first use as a Xen host has.
 */
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>

#include "cli_out.h"
#include "host_settings.h"

const char *vg_config_path(const char *opt)
{
	const char *env = getenv("VIFGUARD_CONFIG");

	if (opt)
		return opt;
	return env && *env ? env : VG_CONFIG_DEFAULT;
}

int vg_host_settings(struct vg_state *st, const struct vg_config *cfg, char *errbuf,
		     size_t errlen)
{
	unsigned int grace = vg_config_dhcp_grace(cfg), first = vg_config_first_lease(cfg);
	struct vg_learn_cfg now;
	char err[VG_ERRLEN];
	int ret = 0;

	if (!cfg || cfg->error)
		return 0;
	if (st->map_fd[VG_MAP_PROTECTED6] >= 0 &&
	    (ret = vg_protect_set(st, VG_PROTECT_CONFIG, cfg->protect, cfg->n_protect, true,
				  err, sizeof(err))))
		snprintf(errbuf, errlen, "%s: host protect=: %s", cfg->path, err);
	/* The grace and first-use lease in force follow the file, their
	 * defaults without the words; leases learned before keep the end
	 * they were given. */
	if (st->map_fd[VG_MAP_LEARN_CFG] < 0 || vg_state_learn_cfg(st, &now))
		return ret;
	if (now.dhcp_grace_s != grace && vg_state_set_dhcp_grace(st, grace, err, sizeof(err)))
		vg_out_log(LOG_WARNING, true, "%s: host dhcp-grace=: %s", cfg->path, err);
	if (now.first_lease_s != first &&
	    vg_state_set_first_lease(st, first, err, sizeof(err)))
		vg_out_log(LOG_WARNING, true, "%s: host first-lease=: %s", cfg->path, err);
	return ret;
}
