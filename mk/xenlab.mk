# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# `make test-xen` (root): the real-Xen lab, tests/xen/run.sh.  Boots Xen
# and a Debian dom0 under QEMU with this build installed, runs the
# scenarios against busybox guests.  Slow (minutes), so it is not one of
# TEST_SUITES; the dom0 image is cached in .cache/xenlab/ (XENLAB_CACHE).
# XENLAB_SCENARIOS="smoke bridge" picks scenarios (tests/xen/scenarios).
# STATIC=1 installs the static binary (mk/static.mk) into dom0.

.PHONY: test-xen
test-xen: $(DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory all $(VIFGUARD_BIN) $(OUTPUT)/vgpkt-static
	$(Q)OUTPUT=$(OUTPUT) MAKE="$(MAKE)" tests/xen/run.sh
