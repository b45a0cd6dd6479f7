// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * LD_PRELOAD library for the integration tests: the bpf(2) system call
 * refuses the batch map commands as a kernel without them does (Linux
 * < 5.6, the 4.19 of XCP-ng and XenServer dom0s), so the loader takes its
 * key-by-key paths.  Exactly as there: a kernel that does not know a bpf
 * command returns EINVAL and writes nothing back, so every field of the
 * attribute, the batch count included, keeps the caller's value.
 *
 * libbpf (shared or linked into the binary) enters the kernel through
 * libc's syscall(), which this library takes the place of.  Each refusal
 * appends a line to $VG_NOBATCH_LOG.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

static void log_refusal(long cmd)
{
	static const char line[] = "bpf: batch command refused with EINVAL\n";
	const char *log = getenv("VG_NOBATCH_LOG");
	int fd;

	(void)cmd;
	if (!log)
		return;
	fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (write(fd, line, sizeof(line) - 1) < 0) {
		/* the test then sees no refusal logged */
	}
	close(fd);
}

long syscall(long nr, ...)
{
	static long (*real)(long, ...);
	long a[6];
	va_list ap;
	int i;

	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (nr == __NR_bpf &&
	    (a[0] == BPF_MAP_LOOKUP_BATCH || a[0] == BPF_MAP_LOOKUP_AND_DELETE_BATCH ||
	     a[0] == BPF_MAP_UPDATE_BATCH || a[0] == BPF_MAP_DELETE_BATCH)) {
		log_refusal(a[0]);
		errno = EINVAL;
		return -1;
	}
	if (!real)
		real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	return real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
