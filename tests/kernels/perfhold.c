// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * perfhold KIB SECONDS: maps a perf ring buffer of KIB KiB and holds it
 * for SECONDS.  Before Linux 5.11 the kernel adds such a buffer to the
 * user's locked memory, the same count BPF maps are charged to, where no
 * BPF object ID shows it: what `make test-kernels` uses to make the
 * loader's computed RLIMIT_MEMLOCK fall short, as `perf record` or a
 * tracing tool running as root does on a dom0.  Prints "holding" once
 * the buffer is mapped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/mman.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	struct perf_event_attr attr;
	long page = sysconf(_SC_PAGESIZE), pages;
	void *buf;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: perfhold KIB SECONDS\n");
		return 2;
	}
	/* A power of two of data pages, plus the header page. */
	for (pages = 1; pages * page < atol(argv[1]) * 1024; pages <<= 1)
		;
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_DUMMY;
	attr.disabled = 1;
	fd = syscall(__NR_perf_event_open, &attr, 0, -1, -1, 0);
	if (fd < 0) {
		perror("perf_event_open");
		return 1;
	}
	buf = mmap(NULL, (pages + 1) * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (buf == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	printf("holding %ld KiB\n", pages * page / 1024);
	fflush(stdout);
	sleep(atoi(argv[2]));
	return 0;
}
