/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
#ifndef VG_HOST_SETTINGS_H
#define VG_HOST_SETTINGS_H

#include <stddef.h>

#include "config.h"
#include "state.h"

/* The config file: opt when given, else $VIFGUARD_CONFIG, else
 * VG_CONFIG_DEFAULT. */
const char *vg_config_path(const char *opt);

/* The config file's host settings put in force: its protect= list (the
 * previous one's addresses that it no longer names go), dhcp-grace= and
 * first-lease= (their defaults without the words); nothing when the file
 * could not be read.  A protect= list that cannot be written is an
 * error, returned with its text in err (addresses left unprotected could
 * be learned by a guest); a dhcp-grace= or first-lease= failure goes to
 * syslog and stderr. */
int vg_host_settings(struct vg_state *st, const struct vg_config *cfg, char *err, size_t errlen);

#endif
