# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# tools/vgpkt (frame crafter and counter used by the integration tests, the
# demo and the Xen lab's guests), the integration test suite and `make demo`.

VGPKT := $(OUTPUT)/vgpkt
NOBATCH_SHIM := $(OUTPUT)/test_nobatch.so
GATE_SHIM := $(OUTPUT)/test_gate.so
ALL_TARGETS += $(VGPKT) $(NOBATCH_SHIM) $(GATE_SHIM)
TEST_SUITES += integration

$(VGPKT): tools/vgpkt.c $(FRAME_LIB) include/vifguard_user.h | $(BUILD_DEPS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(OUTPUT)
	$(Q)$(CC) $(CFLAGS) $(FRAME_CFLAGS) $(LDFLAGS) -o $@ $(filter %.c,$^)

# LD_PRELOAD'ed by an integration test: a kernel without batch lookups.
$(NOBATCH_SHIM): tests/integration/test_nobatch.c | $(BUILD_DEPS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -shared -fPIC $(LDFLAGS) -o $@ $<

# LD_PRELOAD'ed by an integration test: the CLI held at its device scan.
$(GATE_SHIM): tests/integration/test_gate.c | $(BUILD_DEPS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -shared -fPIC $(LDFLAGS) -o $@ $<

# For a busybox guest initramfs: no shared libraries to carry along.
$(OUTPUT)/vgpkt-static: tools/vgpkt.c $(FRAME_LIB) include/vifguard_user.h | $(BUILD_DEPS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(OUTPUT)
	$(Q)$(CC) $(CFLAGS) $(FRAME_CFLAGS) -static $(LDFLAGS) -o $@ $(filter %.c,$^)

.PHONY: vgpkt vgpkt-static test-integration
vgpkt: $(VGPKT)
vgpkt-static: $(OUTPUT)/vgpkt-static

# Root only: network namespaces, a private bpffs, the real CLI
# ($(VIFGUARD_BIN): STATIC=1 runs the static binary).  The Xen entry
# points' files (XEN_INTEGRATION, mk/xen.mk) are their own suite.
test-integration: $(DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory all $(VIFGUARD_BIN)
	$(Q)OUTPUT=$(OUTPUT) VIFGUARD=$(VIFGUARD_BIN) tests/integration/run.sh \
		$(filter-out $(XEN_INTEGRATION),$(sort $(wildcard tests/integration/test_*.sh)))

demo: $(DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory all
	$(Q)OUTPUT=$(OUTPUT) tools/demo.sh
