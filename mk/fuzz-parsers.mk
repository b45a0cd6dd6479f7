# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# libFuzzer harnesses for every parser of untrusted text in the loader
# (tests/fuzz/parsers/fuzz_*.c, docs/FUZZING.md): the config file,
# xenstore values and names, attach's command line, set's steps.
#
#   make fuzz-parsers       the long run: each harness FUZZ_PARSERS_SECONDS
#                           (100 s: 8 harnesses, about 14 minutes), then
#                           executions, crashes and sanitizer reports per
#                           harness; fails on any crash or report.
#                           FUZZ_PARSERS_JOBS=2 runs two processes each.
#   make test-fuzz-parsers  suite `fuzz-parsers` of `make test`: each
#                           harness for a fixed seed and run count over its
#                           seed corpus, then every saved input in
#                           tests/fuzz/parsers/regress/ (TAP).
#
# The loader sources are built again here, instrumented and with ASan and
# UBSan, into $(OUTPUT)/fuzz-parsers; the harnesses never link the state
# library (state*.c), tc.c or libbpf (stubs.c stands in for the state
# library), so none can reach the kernel.

FUZZ_PARSERS_SECONDS ?= 100
FUZZ_PARSERS_JOBS ?= 1
# Runs of each harness in the test slice, after its seed corpus; empty:
# the per-harness counts of tests/fuzz/parsers/slice-runs (a few
# seconds each).
FUZZ_PARSERS_SLICE_RUNS ?=
FUZZ_PARSERS_CC ?= $(CLANG)

FUZZ_PARSERS_SRC := tests/fuzz/parsers
FUZZ_PARSERS_DIR := $(OUTPUT)/fuzz-parsers
FUZZ_PARSERS_NAMES := $(patsubst $(FUZZ_PARSERS_SRC)/fuzz_%.c,%,\
	$(sort $(wildcard $(FUZZ_PARSERS_SRC)/fuzz_*.c)))
FUZZ_PARSERS_BINS := $(addprefix $(FUZZ_PARSERS_DIR)/fuzz-,$(FUZZ_PARSERS_NAMES))
# Every loader file a harness reaches; none of them loads BPF.  The
# table xenstore of the tests (tests/lib) stands in for a host's.
FUZZ_PARSERS_LOADER := policy policy_edit config config_open guard source xs json cli_args cli_out commands \
	sanitize
FUZZ_PARSERS_OBJS := $(patsubst %,$(FUZZ_PARSERS_DIR)/obj/%.o,$(FUZZ_PARSERS_LOADER)) \
	$(FUZZ_PARSERS_DIR)/obj/xs_table.o $(FUZZ_PARSERS_DIR)/obj/stubs.o
FUZZ_PARSERS_STAMP := $(FUZZ_PARSERS_DIR)/.toolchain-ok
# Not LOADER_HDRS: mk/loader.mk is read after this file.
FUZZ_PARSERS_HDRS := $(wildcard loader/*.h) include/vifguard.h tests/lib/xs_table.h

# UBSan aborts on its first report (no recover), so undefined behaviour
# is a crash libFuzzer saves, not a line lost in a log.
FUZZ_PARSERS_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_PARSERS_CFLAGS := -O1 -g -fno-omit-frame-pointer -std=gnu11 -D_GNU_SOURCE \
	-Wall -Wextra -I$(CURDIR)/include -I$(CURDIR)/loader -I$(CURDIR)/tests/lib \
	$(FUZZ_PARSERS_SAN)

# libclang-rt-14-dev comes with `make deps` (fuzz-parsers and the test
# goals install it first, Makefile DEPS_GOALS).  A harness-shaped program
# must link, or every rule below would fail with a less useful message.
$(FUZZ_PARSERS_STAMP): scripts/install-deps.sh | $(BUILD_DEPS)
	$(Q)mkdir -p $(@D)
	$(Q)printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)' \
		'{ (void)d; (void)n; return 0; }' >$(@D)/probe.c
	$(Q)$(FUZZ_PARSERS_CC) -fsanitize=fuzzer $(FUZZ_PARSERS_SAN) $(@D)/probe.c \
		-o $(@D)/probe || { echo "fuzz-parsers: $(FUZZ_PARSERS_CC) cannot link" \
		"a libFuzzer program (libclang-rt-14-dev: make deps)" >&2; exit 1; }
	$(Q)rm -f $(@D)/probe $(@D)/probe.c
	$(Q)touch $@

# fuzzer-no-link: coverage for libFuzzer in the code under test; the
# runtime itself is linked once, with the harness.
$(FUZZ_PARSERS_DIR)/obj/%.o: loader/%.c $(FUZZ_PARSERS_HDRS) | $(FUZZ_PARSERS_STAMP)
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_PARSERS_CC) $(FUZZ_PARSERS_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_PARSERS_DIR)/obj/%.o: tests/lib/%.c $(FUZZ_PARSERS_HDRS) | $(FUZZ_PARSERS_STAMP)
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_PARSERS_CC) $(FUZZ_PARSERS_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_PARSERS_DIR)/obj/stubs.o: $(FUZZ_PARSERS_SRC)/stubs.c $(FUZZ_PARSERS_HDRS) \
		| $(FUZZ_PARSERS_STAMP)
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_PARSERS_CC) $(FUZZ_PARSERS_CFLAGS) -Werror -c $< -o $@

$(FUZZ_PARSERS_DIR)/fuzz-%: $(FUZZ_PARSERS_SRC)/fuzz_%.c $(FUZZ_PARSERS_SRC)/fuzz.h \
		$(FUZZ_PARSERS_OBJS) | $(FUZZ_PARSERS_STAMP)
	$(call msg,FUZZ-LD,$@)
	$(Q)$(FUZZ_PARSERS_CC) $(FUZZ_PARSERS_CFLAGS) -Werror -fsanitize=fuzzer -o $@ \
		$< $(FUZZ_PARSERS_OBJS) -ldl

# Made by a pattern rule, yet worth keeping between builds.
.SECONDARY: $(FUZZ_PARSERS_OBJS)

TEST_SUITES += fuzz-parsers

FUZZ_PARSERS_RUN = FUZZ_DIR=$(FUZZ_PARSERS_DIR) FUZZ_SRC=$(CURDIR)/$(FUZZ_PARSERS_SRC) \
	FUZZ_SECONDS=$(FUZZ_PARSERS_SECONDS) FUZZ_JOBS=$(FUZZ_PARSERS_JOBS) \
	FUZZ_SLICE_RUNS=$(FUZZ_PARSERS_SLICE_RUNS) \
	$(FUZZ_PARSERS_SRC)/run.sh

.PHONY: fuzz-parsers-build fuzz-parsers test-fuzz-parsers
fuzz-parsers-build: $(FUZZ_PARSERS_BINS)

fuzz-parsers: $(FUZZ_PARSERS_BINS)
	$(Q)$(FUZZ_PARSERS_RUN) long $(FUZZ_PARSERS_NAMES)

test-fuzz-parsers: $(FUZZ_PARSERS_BINS)
	$(Q)$(FUZZ_PARSERS_RUN) slice $(FUZZ_PARSERS_NAMES)
