// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * LD_PRELOAD shim that lets Debian's oxenstored run on a host without the
 * hypervisor, as a plain unix-socket xenstore for the integration tests
 * (started with --no-fork --no-domain-init).  It fakes only what
 * oxenstored asks of the hypervisor at start-up:
 *  - xc_interface_open(): a dummy handle; nothing else of libxenctrl is
 *    called without domains;
 *  - the event channel: a dummy handle whose fd is the read end of an
 *    idle pipe, so the main loop polls it and never sees an event;
 *  - setrlimit(RLIMIT_NOFILE) is clamped to the current hard limit, which
 *    a container without CAP_SYS_RESOURCE cannot raise.
 * Clients (libxenstore, xenstore-read/write) connect to the real daemon
 * through /run/xenstored/socket and are treated as dom0.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/resource.h>

int setrlimit(__rlimit_resource_t res, const struct rlimit *rl)
{
	static int (*real)(__rlimit_resource_t, const struct rlimit *);
	struct rlimit r = *rl, cur;

	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "setrlimit");
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	if (res == RLIMIT_NOFILE && getrlimit(res, &cur) == 0) {
		if (r.rlim_max > cur.rlim_max)
			r.rlim_max = cur.rlim_max;
		if (r.rlim_cur > r.rlim_max)
			r.rlim_cur = r.rlim_max;
	}
	return real(res, &r);
}

static int handle;
static int idle_pipe[2] = { -1, -1 };

void *xc_interface_open(void *logger, void *dombuild_logger, unsigned int flags);
int xc_interface_close(void *xch);
void *xenevtchn_open(void *logger, unsigned int flags);
void *xenevtchn_fdopen(void *logger, int fd, unsigned int flags);
int xenevtchn_close(void *xce);
int xenevtchn_fd(void *xce);
int xenevtchn_bind_virq(void *xce, unsigned int virq);
int xenevtchn_bind_interdomain(void *xce, uint32_t domid, unsigned int port);
int xenevtchn_unbind(void *xce, unsigned int port);
int xenevtchn_notify(void *xce, unsigned int port);
int xenevtchn_pending(void *xce);
int xenevtchn_unmask(void *xce, unsigned int port);

void *xc_interface_open(void *logger, void *dombuild_logger, unsigned int flags)
{
	(void)logger;
	(void)dombuild_logger;
	(void)flags;
	return &handle;
}

int xc_interface_close(void *xch)
{
	(void)xch;
	return 0;
}

void *xenevtchn_open(void *logger, unsigned int flags)
{
	(void)logger;
	(void)flags;
	if (idle_pipe[0] < 0 && pipe(idle_pipe))
		return NULL;
	return &handle;
}

void *xenevtchn_fdopen(void *logger, int fd, unsigned int flags)
{
	(void)fd;
	return xenevtchn_open(logger, flags);
}

int xenevtchn_close(void *xce)
{
	(void)xce;
	return 0;
}

int xenevtchn_fd(void *xce)
{
	(void)xce;
	return idle_pipe[0];
}

/* VIRQ_DOM_EXC: any port number will do, no event ever arrives. */
int xenevtchn_bind_virq(void *xce, unsigned int virq)
{
	(void)xce;
	(void)virq;
	return 1;
}

/* Only needed for guest domains, which this store never has. */
int xenevtchn_bind_interdomain(void *xce, uint32_t domid, unsigned int port)
{
	(void)xce;
	(void)domid;
	(void)port;
	errno = ENOSYS;
	return -1;
}

int xenevtchn_unbind(void *xce, unsigned int port)
{
	(void)xce;
	(void)port;
	return 0;
}

int xenevtchn_notify(void *xce, unsigned int port)
{
	(void)xce;
	(void)port;
	return 0;
}

int xenevtchn_pending(void *xce)
{
	(void)xce;
	errno = EAGAIN;
	return -1;
}

int xenevtchn_unmask(void *xce, unsigned int port)
{
	(void)xce;
	(void)port;
	return 0;
}
