# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# The tc program (bpf/vifguard.bpf.c -> build/vifguard.bpf.o ->
# build/vifguard.skel.h), the Linux 4.19 compatibility checker
# (`make check-compat`) and the BPF_PROG_TEST_RUN suite (`make test-bpf`:
# single frames in test-bpf, the sequences of address learning in
# test-learn, of DHCP snooping in test-dhcp and of trust on first use in
# test-first).

BPF_OBJ := $(OUTPUT)/vifguard.bpf.o
BPF_SKEL := $(OUTPUT)/vifguard.skel.h
CHECK_COMPAT := $(OUTPUT)/check-compat
TEST_BPF := $(OUTPUT)/test-bpf
TEST_LEARN := $(OUTPUT)/test-learn
TEST_DHCP := $(OUTPUT)/test-dhcp
TEST_FIRST := $(OUTPUT)/test-first
BPF_BAD_SRCS := $(sort $(wildcard tests/bpf/bad/*.bpf.c))
BPF_BAD_OBJS := $(patsubst tests/bpf/bad/%.bpf.c,$(OUTPUT)/bad/%.bpf.o,$(BPF_BAD_SRCS))
BPF_HDRS := include/vifguard.h $(wildcard bpf/*.h)
# What test-learn, test-dhcp and test-first share.
LEARN_HARNESS := tests/bpf/learn_harness.c tests/bpf/learn_harness.h

ALL_TARGETS += $(BPF_OBJ) $(BPF_SKEL) $(CHECK_COMPAT)
TEST_SUITES += bpf

$(BPF_OBJ): bpf/vifguard.bpf.c $(BPF_HDRS) | $(BUILD_DEPS)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(OUTPUT)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BPF_SKEL): $(BPF_OBJ) | $(BUILD_DEPS)
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name vifguard > $@.tmp
	$(Q)mv $@.tmp $@

$(CHECK_COMPAT): tools/check-compat.c | $(BUILD_DEPS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(OUTPUT)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< -lbpf -lelf -lz

# Deliberately bad objects: check-compat must reject each one.  Each file
# names its own extra flags on a line "cflags: ..." (e.g. -mcpu=v3).
$(OUTPUT)/bad/%.bpf.o: tests/bpf/bad/%.bpf.c $(BPF_HDRS) | $(BUILD_DEPS)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(OUTPUT)/bad
	$(Q)$(CLANG) $(BPF_CFLAGS) $$(sed -n 's/^.*cflags: *//p' $<) -c $< -o $@

$(TEST_BPF): tests/bpf/test_bpf.c $(FRAME_LIB) $(BPF_SKEL) include/vifguard.h \
		include/vifguard_user.h | $(BUILD_DEPS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(FRAME_CFLAGS) $(LDFLAGS) -o $@ $(filter %.c,$^) -lbpf -lelf -lz

$(TEST_LEARN): tests/bpf/test_learn.c $(LEARN_HARNESS) $(FRAME_LIB) $(BPF_SKEL) include/vifguard.h \
		include/vifguard_user.h | $(BUILD_DEPS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(FRAME_CFLAGS) $(LDFLAGS) -o $@ $(filter %.c,$^) -lbpf -lelf -lz

$(TEST_DHCP): tests/bpf/test_dhcp.c $(LEARN_HARNESS) $(FRAME_LIB) $(BPF_SKEL) include/vifguard.h \
		include/vifguard_user.h | $(BUILD_DEPS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(FRAME_CFLAGS) $(LDFLAGS) -o $@ $(filter %.c,$^) -lbpf -lelf -lz

$(TEST_FIRST): tests/bpf/test_first.c $(LEARN_HARNESS) $(FRAME_LIB) $(BPF_SKEL) include/vifguard.h \
		include/vifguard_user.h | $(BUILD_DEPS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(FRAME_CFLAGS) $(LDFLAGS) -o $@ $(filter %.c,$^) -lbpf -lelf -lz

.PHONY: bpf check-compat test-bpf
bpf: $(BPF_OBJ) $(BPF_SKEL)

# Static 4.19 rules, then a load on the running kernel (root).
check-compat: $(CHECK_COMPAT) $(BPF_OBJ)
	$(Q)$(CHECK_COMPAT) $(BPF_OBJ)

# Root only: loads the program and runs frames through BPF_PROG_TEST_RUN.
test-bpf: $(CHECK_COMPAT) $(BPF_OBJ) $(TEST_BPF) $(TEST_LEARN) $(TEST_DHCP) $(TEST_FIRST) \
		$(BPF_BAD_OBJS)
	$(Q)OUTPUT=$(OUTPUT) tests/bpf/run.sh
