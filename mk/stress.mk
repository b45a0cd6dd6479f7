# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# The control plane under load and under faults, longer than `make test`
# runs the same two files (docs/STRESS.md).  Root only.
#
#   make stress   tests/integration/test_stress.sh for STRESS_SECONDS
#                 (600) of parallel attach, update, detach, hotplug,
#                 release, gc and sync under forged traffic, then
#                 tests/integration/test_faults.sh with FAULTS_STRIDE=1:
#                 the CLI killed at every system call of every command,
#                 and every errno injected at every bpf() and netlink
#                 call.  Fails on any violation.

STRESS_SECONDS ?= 600

.PHONY: stress
stress: $(DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory all
	$(Q)STRESS_SECONDS=$(STRESS_SECONDS) FAULTS_STRIDE=1 OUTPUT=$(OUTPUT) \
		tests/integration/run.sh tests/integration/test_stress.sh \
		tests/integration/test_faults.sh
