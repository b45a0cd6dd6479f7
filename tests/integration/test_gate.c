// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * LD_PRELOAD library for the integration tests: holds the CLI at its
 * first if_nameindex() (the scan of the devices that carry vifguard's
 * program, state_place.c) until the test says go, so that a test can run
 * another command at exactly that point.  With $VG_GATE set to a
 * directory: creates DIR/waiting, then waits until DIR/go exists (at most
 * a minute, then goes on).  Without it, nothing changes.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>

struct if_nameindex *if_nameindex(void)
{
	static struct if_nameindex *(*real)(void);
	static int passed;
	const char *dir = getenv("VG_GATE");
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	char path[PATH_MAX];
	int fd, i;

	if (dir && !passed) {
		passed = 1;
		snprintf(path, sizeof(path), "%s/waiting", dir);
		fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd >= 0)
			close(fd);
		snprintf(path, sizeof(path), "%s/go", dir);
		for (i = 0; i < 6000 && access(path, F_OK); i++)
			nanosleep(&tick, NULL);
	}
	if (!real)
		real = (struct if_nameindex *(*)(void))dlsym(RTLD_NEXT, "if_nameindex");
	return real();
}
