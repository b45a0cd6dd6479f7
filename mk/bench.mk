# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# `make bench` (root): vifguard next to no filter, an empty tc program,
# XAPI's ebtables rules and nftables (tools/bench/run.sh, docs/BENCHMARKS.md).
# Its extra packages (tools/bench/packages) are installed by this target
# only; `make test` does not need them.  `make bench-compare [BASE=rev]`
# (root) measures the pass paths of another tree next to this one's
# (tools/bench/compare.sh).

VGBENCH := $(OUTPUT)/vgbench
BENCH_BPF_OBJ := $(OUTPUT)/bench.bpf.o
BENCH_DEPS_STAMP := $(OUTPUT)/.bench-deps-ok

ALL_TARGETS += $(VGBENCH) $(BENCH_BPF_OBJ)

$(BENCH_BPF_OBJ): tools/bench/bench.bpf.c | $(BUILD_DEPS)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(OUTPUT)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# With the loader's RLIMIT_MEMLOCK computation (and libbpf linked as the
# loader links it).
$(VGBENCH): tools/bench/vgbench.c $(FRAME_LIB) loader/memlock.c loader/memlock.h \
		include/vifguard.h include/vifguard_user.h | $(BUILD_DEPS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(OUTPUT)
	$(Q)$(CC) $(CFLAGS) $(FRAME_CFLAGS) $(LDFLAGS) -o $@ $(filter %.c,$^) -l:libbpf.a -lelf -lz

$(BENCH_DEPS_STAMP): tools/bench/packages tools/bench/install-packages.sh | $(DEPS_STAMP)
	$(Q)tools/bench/install-packages.sh tools/bench/packages
	$(Q)touch $@

.PHONY: bench bench-quick bench-compare
bench: $(DEPS_STAMP) $(BENCH_DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory all
	$(Q)OUTPUT=$(OUTPUT) tools/bench/run.sh

# A short run of every section: checks the harness, figures not for quoting.
bench-quick: $(DEPS_STAMP) $(BENCH_DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory all
	$(Q)OUTPUT=$(OUTPUT) BENCH_QUICK=1 tools/bench/run.sh

# The tree bench-compare measures against unless BASE= names another: the
# program before the hardening of 2026-11-30 (1ece389), whose pass paths
# must stay within 1 ns.
BENCH_BASE := ba6b9e8

# Spelled out, not $(BPF_OBJ): mk/bpf.mk is read after this file.
bench-compare: $(VGBENCH) $(OUTPUT)/vifguard.bpf.o | $(DEPS_STAMP)
	$(Q)OUTPUT=$(OUTPUT) BASE=$(or $(BASE),$(BENCH_BASE)) MAKE="$(MAKE)" \
		tools/bench/compare.sh
