// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * What commands.c needs from the state library (state*.c) and cli.c,
 * for the attach harness.  The real ones load BPF, open pins and talk netlink; these abort(), so
 * a harness that ever reached one would crash instead of touching the
 * kernel.  The prototypes come from cli.h and state.h: a changed signature
 * there breaks this build rather than the run.  A new state function called
 * from commands.c needs its stub here too (the link says which).
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "host_settings.h"
#include "ident.h"

static void __attribute__((noreturn)) reached(const char *fn)
{
	fprintf(stderr, "fuzz stub: %s reached: a parser harness must never get here\n", fn);
	abort();
}

const struct vg_ctx *vg_cli_ctx(void)
{
	reached(__func__);
}

int vg_state_open(struct vg_state *st, const struct vg_ctx *ctx, unsigned int flags,
		  char *err, size_t errlen)
{
	(void)st, (void)ctx, (void)flags, (void)err, (void)errlen;
	reached(__func__);
}

void vg_state_close(struct vg_state *st)
{
	(void)st;
	reached(__func__);
}

int vg_state_apply(struct vg_state *st, const struct vg_spec *spec,
		   const struct vg_apply_opts *opts, char *err, size_t errlen)
{
	(void)st, (void)spec, (void)opts, (void)err, (void)errlen;
	reached(__func__);
}

int vg_state_detach(struct vg_state *st, const char *ifname, struct vg_detach_result *res,
		    char *err, size_t errlen)
{
	(void)st, (void)ifname, (void)res, (void)err, (void)errlen;
	reached(__func__);
}

int vg_state_gc(struct vg_state *st, struct vg_gc_result *res, char *err, size_t errlen)
{
	(void)st, (void)res, (void)err, (void)errlen;
	reached(__func__);
}

int vg_state_list(struct vg_state *st, const char *ifname, struct vg_iface **out, size_t *n,
		  char *err, size_t errlen)
{
	(void)st, (void)ifname, (void)out, (void)n, (void)err, (void)errlen;
	reached(__func__);
}

int vg_state_policy(struct vg_state *st, uint32_t ifindex, struct vg_policy *pol)
{
	(void)st, (void)ifindex, (void)pol;
	reached(__func__);
}

int vg_state_policy_live(struct vg_state *st, uint32_t ifindex, struct vg_policy *pol)
{
	(void)st, (void)ifindex, (void)pol;
	reached(__func__);
}

int vg_xen_id_vm(struct vg_xen_id *id, const char *uuid)
{
	(void)id, (void)uuid;
	reached(__func__);
}

void vg_ident_lookup(struct vg_xs *xs, const char *const *names, size_t n,
		     struct vg_ident *out)
{
	(void)xs, (void)names, (void)n, (void)out;
	reached(__func__);
}

int vg_state_totals(struct vg_state *st, struct vg_stats *out, bool *full)
{
	(void)st, (void)out, (void)full;
	reached(__func__);
}

int vg_attach_dry_run(struct vg_out *out, const struct vg_attach_args *a, uint32_t ifindex)
{
	(void)out, (void)a, (void)ifindex;
	reached(__func__);
}

const char *vg_config_path(const char *opt)
{
	(void)opt;
	reached(__func__);
}

int vg_host_settings(struct vg_state *st, const struct vg_config *cfg, char *err, size_t errlen)
{
	(void)st, (void)cfg, (void)err, (void)errlen;
	reached(__func__);
}
