# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# The reference model of README.md "What is checked" (tests/model/model.c)
# and the differential fuzzer that runs it and the real program on the
# same frames (tests/model/difffuzz.c; docs/FUZZING.md).  Root only, like
# test-bpf: the program is loaded and run with BPF_PROG_TEST_RUN.
#
#   make fuzz        the documented run: FUZZ_FRAMES frames (10 million)
#                    over FUZZ_JOBS processes (2), each in a network
#                    namespace of its own with seed FUZZ_SEED + its
#                    number; FUZZ_SECONDS=S stops after S seconds instead.
#                    Every case in tests/model/regress/ first; a new
#                    disagreement is saved there.  Fails on any.
#   make test-model  suite `model` of `make test`: the model's unit tests,
#                    every regression case, a slice of FUZZ_SLICE_FRAMES
#                    frames (a million: 15 to 30 s, the learning state
#                    checked after each) with a fixed seed; its
#                    disagreements are saved under $(OUTPUT)/model-regress
#                    (not in the source tree).

FUZZ_SEED ?= 1
FUZZ_FRAMES ?= 10000000
FUZZ_JOBS ?= 2
FUZZ_SECONDS ?=
FUZZ_SLICE_SEED ?= 7
FUZZ_SLICE_FRAMES ?= 1000000

MODEL_SRC := tests/model
DIFFFUZZ := $(OUTPUT)/difffuzz
TEST_MODEL := $(OUTPUT)/tests/test_model
MODEL_HDRS := $(MODEL_SRC)/model.h include/vifguard.h
DIFFFUZZ_SRCS := $(MODEL_SRC)/difffuzz.c $(MODEL_SRC)/model.c $(MODEL_SRC)/gen.c \
	$(MODEL_SRC)/case.c

TEST_SUITES += model

# The skeleton embeds the object: a rebuilt program means a rebuilt fuzzer.
$(DIFFFUZZ): $(DIFFFUZZ_SRCS) $(MODEL_HDRS) $(MODEL_SRC)/gen.h $(MODEL_SRC)/case.h \
		$(BPF_SKEL) | $(BUILD_DEPS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -DREGRESS_DIR='"$(CURDIR)/$(MODEL_SRC)/regress"' $(LDFLAGS) \
		-o $@ $(DIFFFUZZ_SRCS) -lbpf -lelf -lz

$(TEST_MODEL): $(MODEL_SRC)/test_model.c $(MODEL_SRC)/model.c $(MODEL_HDRS) $(FRAME_LIB) \
		| $(BUILD_DEPS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -I$(CURDIR)/$(MODEL_SRC) $(FRAME_CFLAGS) $(LDFLAGS) -o $@ \
		$(filter %.c,$^) -lcmocka

.PHONY: difffuzz fuzz test-model
difffuzz: $(DIFFFUZZ)

fuzz: $(DIFFFUZZ)
	$(Q)$(DIFFFUZZ) --seed $(FUZZ_SEED) --jobs $(FUZZ_JOBS) \
		$(if $(FUZZ_SECONDS),--seconds $(FUZZ_SECONDS),--count $(FUZZ_FRAMES))

# Both parts run even when the first fails; TAP on stdout.
test-model: $(DIFFFUZZ) $(TEST_MODEL)
	$(Q)rc=0; CMOCKA_MESSAGE_OUTPUT=TAP $(TEST_MODEL) || rc=1; \
	$(DIFFFUZZ) --tap --seed $(FUZZ_SLICE_SEED) --count $(FUZZ_SLICE_FRAMES) \
		--save $(OUTPUT)/model-regress || rc=1; \
	exit $$rc
