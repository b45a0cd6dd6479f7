# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# vifguard.  `make` builds, `make install` and `make uninstall` put it in
# place and take it away, `make test` installs what the tests need,
# builds and runs every test, `make demo` shows it working, `make deps`
# installs the Debian packages of all of them.
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

# libnl-3's headers live in a directory of their own (libnl-3-dev).
NL_CFLAGS := $(or $(shell pkg-config --cflags libnl-route-3.0 2>/dev/null),-I/usr/include/libnl3)

CFLAGS ?= -O2 -g
CFLAGS += -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE \
	-I$(CURDIR)/include -I$(CURDIR)/loader -I$(OUTPUT) $(NL_CFLAGS)
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
UNINSTALL_TARGETS :=
CLEAN_FILES :=

# Goals that install every package the build, the tests and the demo
# need first (scripts/install-deps.sh, as root), so that they work on a
# fresh machine: the tests, the demo, the long runs, the static binary
# and its package.  Any other build (a plain `make`, `make install`) only
# checks for the packages it needs and names the missing ones.
DEPS_GOALS := deps test test-% demo stress fuzz fuzz-parsers check-compat \
	bench bench-% static rpm
DEPS_STAMP := $(OUTPUT)/.deps-ok
# Every build rule waits for this (order-only).
BUILD_DEPS := $(if $(filter $(DEPS_GOALS),$(MAKECMDGOALS)),$(DEPS_STAMP),build-deps)

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.PHONY: all deps build-deps test demo install uninstall clean

include $(sort $(wildcard mk/*.mk))

all: $(ALL_TARGETS)

# Installs missing Debian packages once per build directory (again when
# the list changes).
$(DEPS_STAMP): scripts/install-deps.sh
	$(Q)mkdir -p $(OUTPUT)
	$(Q)scripts/install-deps.sh
	$(Q)touch $@

# Fails at once, naming the missing packages and `make deps`.
build-deps:
	$(Q)scripts/install-deps.sh --check-build

deps: $(DEPS_STAMP)

test: $(DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory all
	$(Q)OUTPUT=$(OUTPUT) MAKE="$(MAKE)" tests/run-tests.sh $(TEST_SUITES)

install: $(INSTALL_TARGETS)

# Removes what install put in place (same PREFIX and DESTDIR), and the
# directories only vifguard uses once empty; an operator's config stays.
uninstall: $(UNINSTALL_TARGETS)

clean:
	$(call msg,CLEAN,$(OUTPUT))
	$(Q)rm -rf $(OUTPUT) $(CLEAN_FILES)
