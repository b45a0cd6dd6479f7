# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# vifguard.  `make` builds, `make test` installs what the tests need,
# builds and runs every test, `make demo` shows it working.
# Each part's rules live in mk/*.mk; this file holds what they share.

OUTPUT := $(abspath build)
PREFIX ?= /usr/local
DESTDIR ?=

CC ?= gcc
CLANG ?= clang
LLVM_STRIP ?= llvm-strip
BPFTOOL ?= bpftool
ARCH := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
MULTIARCH_INC := /usr/include/$(shell $(CC) -dumpmachine 2>/dev/null)

# -mcpu=v2: no JMP32 instructions, which Linux 4.19 lacks.
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v2 -Wall -Werror \
	-D__TARGET_ARCH_$(ARCH) -I$(CURDIR)/include -I$(CURDIR)/bpf \
	-I$(OUTPUT) -I$(MULTIARCH_INC)

CFLAGS ?= -O2 -g
CFLAGS += -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE \
	-I$(CURDIR)/include -I$(CURDIR)/loader -I$(OUTPUT)
LDFLAGS ?=

# The frame builders the BPF tests, vgbench and vgpkt share (tools/lib/):
# compiled into each, found with -I$(CURDIR)/tools/lib.
FRAME_LIB := tools/lib/frame.c tools/lib/frame.h
FRAME_CFLAGS := -I$(CURDIR)/tools/lib

ifeq ($(V),1)
Q :=
msg =
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# Fragments add to these.
ALL_TARGETS :=
TEST_SUITES :=
INSTALL_TARGETS :=
CLEAN_FILES :=

DEPS_STAMP := $(OUTPUT)/.deps-ok

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.PHONY: all deps test demo install clean

include $(sort $(wildcard mk/*.mk))

all: $(ALL_TARGETS)

# Installs missing Debian packages once per build directory; every build
# rule depends on it (order-only), so `make test` on a fresh machine
# brings what it needs.
$(DEPS_STAMP): scripts/install-deps.sh
	$(Q)mkdir -p $(OUTPUT)
	$(Q)scripts/install-deps.sh
	$(Q)touch $@

deps: $(DEPS_STAMP)

test: $(DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory all
	$(Q)OUTPUT=$(OUTPUT) MAKE="$(MAKE)" tests/run-tests.sh $(TEST_SUITES)

install: $(INSTALL_TARGETS)

clean:
	$(call msg,CLEAN,$(OUTPUT))
	$(Q)rm -rf $(OUTPUT) $(CLEAN_FILES)
