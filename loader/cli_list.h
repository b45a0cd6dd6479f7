/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What show and stats share (commands_list.c): their command lines, one
 * read of the state with each interface's Xen identity, the --vm filter,
 * the fields both print, an aligned table, and the head of their JSON
 * documents.  Internal to commands_show.c and commands_stats.c.
 */
#ifndef VG_CLI_LIST_H
#define VG_CLI_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <time.h>

#include "cli.h"
#include "ident.h"
#include "xs.h"

/* show [IFACE] [--vm VM] [-v]; stats adds --watch [SEC]. */
struct vg_list_args {
	const char *ifname;
	const char *vm;
	bool verbose;
	bool watch;
	bool watch_next;	/* --watch was the last word: SEC may follow */
	double interval;	/* seconds; 0 until given */
};

/* What one read of the state gives show and stats. */
struct listing {
	const struct vg_list_args *a;
	struct vg_iface *v;
	struct vg_ident *id;	/* one per v[i] */
	size_t n;
	struct vg_stats orph, tot;
	bool drops_full;
	uint32_t prog_id;
	uint32_t prog_out_id;	/* the pinned egress program; 0 none */
	char root[PATH_MAX];
	struct timespec real, mono;	/* when it was read */
	/* Devices with vifguard's program and no policy here: orphans (this
	 * root's program) and other roots' (vg_state_scan); IFACE's only
	 * when one is given, none under --vm. */
	struct vg_found *found;
	size_t nfound;
};

/* Xenstore for a run of show or stats: open when the host has one. */
struct vg_list_xs {
	struct vg_xs xs;
	bool open;
};

/* For the commands that run until stopped (stats --watch, monitor):
 * SIGINT and SIGTERM call handler, without SA_RESTART so that a wait
 * ends; the actions before are kept here to be put back. */
struct vg_stop_signals {
	struct sigaction old_int, old_term;
};
void vg_stop_signals_catch(struct vg_stop_signals *s, void (*handler)(int));
void vg_stop_signals_restore(const struct vg_stop_signals *s);

void vg_list_xs_open(struct vg_list_xs *x);
void vg_list_xs_close(struct vg_list_xs *x);

/*
 * Reads the state under a shared lock, the identities of the interfaces
 * (when x is open) and keeps those --vm selects.  0, or -1 with the
 * error said on out.  l->a is set by the caller; the rest
 * is filled, to release with vg_list_free().
 */
int vg_list_read(struct vg_out *out, struct vg_list_xs *x, struct listing *l);
/* The same with xenstore open for this read only. */
int vg_list_read_once(struct vg_out *out, struct listing *l);
void vg_list_free(struct listing *l);

/* ---- fields ------------------------------------------------------------------ */

const char *vg_list_name(const struct vg_iface *it, char buf[IF_NAMESIZE]);
/* Who set the policy: "attach", "xapi", "xl", "config", or NULL when
 * the sources did before they were recorded. */
const char *vg_list_source(const struct vg_iface *it);
/* Whether the config file's host audit switch made it audit (a policy
 * of its sources, in audit mode, VG_F_AUDIT_HOST). */
bool vg_list_host_audit(const struct vg_iface *it);
/* The mode as the tables print it: "audit (host)" for the host switch's. */
const char *vg_list_mode(const struct vg_iface *it);
const char *vg_list_device_state(const struct vg_iface *it);
unsigned long long vg_list_drops(const struct vg_stats *s);
/* The reason with the most drops, VG_PASS when none. */
int vg_list_top_reason(const struct vg_stats *s);
void vg_fmt_mac(const uint8_t *m, char *buf, size_t len);
/* The DOM and VM cells of the table ("-" when unknown); VM is the
 * name, else the UUID; escaped for the terminal. */
void vg_list_dom_vm(const struct vg_ident *id, char *dom, size_t dlen, char *vm, size_t vlen);

/* The devices of l->found, after the interfaces: JSON's
 * "orphan_interfaces" and "foreign_interfaces", a line each in text. */
void vg_list_unmanaged_json(struct vg_json *j, const struct listing *l);
void vg_list_unmanaged_text(const struct listing *l);

/* The identity lines of the multi-line view. */
void vg_list_ident_text(const struct vg_iface *it, const struct vg_ident *id);

/* "monotonic_ns" of a document (its time and root are the envelope's,
 * cli_out.h); then the identity members of one interface (null when
 * unknown). */
void vg_list_json_head(struct vg_json *j, const struct listing *l);
void vg_list_ident_json(struct vg_json *j, const struct vg_iface *it,
			const struct vg_ident *id);

/* ---- an aligned table ---------------------------------------------------------- */

#define VG_TABLE_COLS	10
#define VG_TABLE_CELL	80

struct vg_table {
	unsigned int ncol;
	size_t nrow, cap;
	char (*cells)[VG_TABLE_COLS][VG_TABLE_CELL];	/* row 0: the heads */
};

void vg_table_init(struct vg_table *t, const char *const *heads);
/* The next row's cells, NULL when out of memory (the row is lost). */
char (*vg_table_row(struct vg_table *t))[VG_TABLE_CELL];
/* Prints the columns padded to their widest cell, and frees t. */
void vg_table_print(struct vg_table *t);

#endif /* VG_CLI_LIST_H */
