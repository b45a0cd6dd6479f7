# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# `make test-kernels` (root): tests/kernels/run.sh boots kernels under
# QEMU (Debian's 5.10 and 6.1 packages and the host's own by default, or
# KERNELS="bzImage[:modules-dir] ...") with this build in an initramfs and
# runs one scenario on each.  Slow (minutes), so it is not one of
# TEST_SUITES; downloads are cached in .cache/kernels/ (KT_CACHE).

KT_PERFHOLD := $(OUTPUT)/perfhold

# Static, for the initramfs (tests/kernels/perfhold.c says what it is for).
$(KT_PERFHOLD): tests/kernels/perfhold.c | $(BUILD_DEPS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -static $(LDFLAGS) -o $@ $<

.PHONY: test-kernels
test-kernels: $(DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory all $(OUTPUT)/vgpkt-static $(KT_PERFHOLD)
	$(Q)OUTPUT=$(OUTPUT) KERNELS="$(KERNELS)" tests/kernels/run.sh
