# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# `make bench` (root): vifguard next to no filter, an empty tc program,
# XAPI's ebtables rules and nftables (tools/bench/run.sh, docs/BENCHMARKS.md).
# Its extra packages (tools/bench/packages) are installed by this target
# only; `make test` does not need them.

VGBENCH := $(OUTPUT)/vgbench
BENCH_BPF_OBJ := $(OUTPUT)/bench.bpf.o
BENCH_DEPS_STAMP := $(OUTPUT)/.bench-deps-ok

ALL_TARGETS += $(VGBENCH) $(BENCH_BPF_OBJ)

$(BENCH_BPF_OBJ): tools/bench/bench.bpf.c | $(DEPS_STAMP)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(OUTPUT)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(VGBENCH): tools/bench/vgbench.c include/vifguard.h | $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(OUTPUT)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< -lbpf -lelf -lz

$(BENCH_DEPS_STAMP): tools/bench/packages tools/bench/install-packages.sh | $(DEPS_STAMP)
	$(Q)tools/bench/install-packages.sh tools/bench/packages
	$(Q)touch $@

.PHONY: bench bench-quick
bench: $(DEPS_STAMP) $(BENCH_DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory all
	$(Q)OUTPUT=$(OUTPUT) tools/bench/run.sh

# A short run of every section: checks the harness, figures not for quoting.
bench-quick: $(DEPS_STAMP) $(BENCH_DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory all
	$(Q)OUTPUT=$(OUTPUT) BENCH_QUICK=1 tools/bench/run.sh
