/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Names and text from places root does not own (xenstore, kernel interface
 * names) are checked or escaped here, in one place, before they reach a
 * path, an ioctl, an ovs-vsctl argument, syslog, a terminal or JSON; and
 * the one test of the files root does own (the config file, the state
 * root and the directories above them).
 */
#ifndef VG_SANITIZE_H
#define VG_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

/*
 * Whether only root can change what st describes: owned by uid 0 and not
 * writable by group or others.  A directory may be world-writable with
 * the sticky bit (/tmp, a bpffs mounted without mode=): there only an
 * entry's owner can rename or remove it, so root's entries stay root's.
 */
bool vg_root_only(const struct stat *st);

/*
 * A Linux interface name we are willing to put into /sys/class/net/NAME,
 * an ifr_name or an ovs-vsctl argv: 1..15 bytes of printable ASCII, no
 * '/', ':', whitespace or quotes, not "." or "..".  Stricter than the
 * kernel's dev_valid_name() on purpose.  Returns 0 or -EINVAL.
 */
int vg_ifname_check(const char *name);

/*
 * A value for an ovs-vsctl external-ids column (a UUID or a MAC): only
 * [0-9A-Za-z.:_-], 1..64 bytes.  Refused rather than quoted: ovs-vsctl's
 * own syntax gives '"', '\\', ',', '=', '{', '}' and whitespace a meaning,
 * and no value we write legitimately needs any of them.  Returns 0 or
 * -EINVAL.
 */
int vg_ovs_value_check(const char *s);

/*
 * Copies s to out (always terminated, truncated to outlen) with every
 * byte that is not printable ASCII written as \xNN and '\\' as "\\\\", so
 * that a value can neither forge a syslog or terminal line nor send
 * terminal escapes.  Returns out, for use as a printf argument.
 */
char *vg_escape_text(char *out, size_t outlen, const char *s);

#endif /* VG_SANITIZE_H */
