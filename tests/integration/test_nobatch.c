// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * LD_PRELOAD library for the integration tests: libbpf's batch lookup
 * fails with EINVAL, as on a kernel without batch map operations (Linux
 * < 5.6, the 4.19 of XCP-ng and XenServer dom0s), so the loader takes its
 * key-by-key paths.  Exactly as there: a kernel that does not know a bpf
 * command returns EINVAL and writes nothing back, so libbpf hands the
 * caller's own count back unchanged, and keys and values untouched.
 * Each refusal appends a line to $VG_NOBATCH_LOG.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/types.h>

struct bpf_map_batch_opts;

int bpf_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys, void *values,
			 __u32 *count, const struct bpf_map_batch_opts *opts)
{
	static const char line[] = "bpf_map_lookup_batch: EINVAL\n";
	const char *log = getenv("VG_NOBATCH_LOG");

	(void)fd, (void)in_batch, (void)out_batch, (void)keys, (void)values, (void)opts;
	(void)count;
	if (log) {
		int lfd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

		if (lfd >= 0) {
			if (write(lfd, line, sizeof(line) - 1) < 0) {
				/* the test then sees no refusal logged */
			}
			close(lfd);
		}
	}
	errno = EINVAL;
	return -EINVAL;
}
