# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# The CLI (build/vifguard: loader/*.c with the skeleton embedded, so the
# binary carries its BPF object) and its unit tests (suite `unit`).

VIFGUARD := $(OUTPUT)/vifguard
# The same CLI with no shared library at all (`make static`, mk/static.mk).
# STATIC=1 makes `make install`, the integration suites and the Xen lab
# use it instead of $(VIFGUARD).
VIFGUARD_STATIC := $(OUTPUT)/static/vifguard
VIFGUARD_BIN := $(if $(filter 1,$(STATIC)),$(VIFGUARD_STATIC),$(VIFGUARD))
VIFGUARD_VERSION ?= 0.1.0
SBINDIR ?= $(PREFIX)/sbin
# The JSON schema of every command's -j output (vifguard(8), JSON OUTPUT).
SCHEMADIR ?= $(PREFIX)/share/vifguard

LOADER_SRCS := $(sort $(wildcard loader/*.c))
LOADER_OBJS := $(patsubst loader/%.c,$(OUTPUT)/loader/%.o,$(LOADER_SRCS))
# Everything but main(): what the unit tests link against.
LOADER_LIB_OBJS := $(filter-out $(OUTPUT)/loader/main.o,$(LOADER_OBJS))
LOADER_HDRS := $(wildcard loader/*.h) include/vifguard.h
# libbpf linked statically: the loader needs libbpf_set_memlock_rlim()
# (loader/memlock.c), which Debian 12's shared libbpf 1.1 does not export.
# libnl-3 and libnl-route-3 from their archives: every hotplug event
# starts a process, and their shared objects (relocations, a constructor
# per module) would add about 0.3 ms to each; linked in, the few objects
# the loader uses add about 0.1 ms, and dom0 needs no libnl package.
LOADER_LIBS := -l:libbpf.a -Wl,-Bstatic -lnl-route-3 -lnl-3 -Wl,-Bdynamic -lelf -lz -ldl

UNIT_TESTS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,\
	$(filter-out tests/unit/test_xen_%,$(wildcard tests/unit/test_*.c)))

ALL_TARGETS += $(VIFGUARD)
TEST_SUITES += unit
INSTALL_TARGETS += install-bin
UNINSTALL_TARGETS += uninstall-bin
CLEAN_FILES +=

$(OUTPUT)/loader/%.o: loader/%.c $(LOADER_HDRS) | $(BUILD_DEPS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# The only user of the skeleton.
$(OUTPUT)/loader/state_upgrade.o: $(OUTPUT)/vifguard.skel.h

$(OUTPUT)/loader/cli_out.o: CFLAGS += -DVIFGUARD_VERSION='"$(VIFGUARD_VERSION)"'

$(VIFGUARD): $(LOADER_OBJS) | $(BUILD_DEPS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LOADER_LIBS)

$(UNIT_TESTS): $(OUTPUT)/tests/%: tests/unit/%.c $(LOADER_LIB_OBJS) $(LOADER_HDRS) \
		tests/lib/unit.h tests/lib/unit_root.h | $(BUILD_DEPS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -I$(CURDIR)/tests/lib -DVG_BIN='"$(VIFGUARD)"' $(LDFLAGS) -o $@ \
		$(filter %.c %.o,$^) -lcmocka $(LOADER_LIBS)

.PHONY: vifguard test-unit install-bin uninstall-bin
vifguard: $(VIFGUARD)

# Every test binary runs even when an earlier one fails; TAP on stdout.
test-unit: $(UNIT_TESTS)
	$(Q)rc=0; for t in $(UNIT_TESTS); do \
		CMOCKA_MESSAGE_OUTPUT=TAP $$t || rc=1; \
	done; exit $$rc

install-bin: $(VIFGUARD_BIN)
	$(call msg,INSTALL,$(DESTDIR)$(SBINDIR)/vifguard)
	$(Q)install -d $(DESTDIR)$(SBINDIR)
	$(Q)install -m 0755 $(VIFGUARD_BIN) $(DESTDIR)$(SBINDIR)/vifguard
	$(Q)install -d $(DESTDIR)$(SCHEMADIR)
	$(Q)install -m 0644 docs/vifguard.schema.json $(DESTDIR)$(SCHEMADIR)/vifguard.schema.json

uninstall-bin:
	$(call msg,REMOVE,$(DESTDIR)$(SBINDIR)/vifguard)
	$(Q)rm -f $(DESTDIR)$(SBINDIR)/vifguard $(DESTDIR)$(SCHEMADIR)/vifguard.schema.json
	$(Q)[ ! -d $(DESTDIR)$(SCHEMADIR) ] || rmdir --ignore-fail-on-non-empty $(DESTDIR)$(SCHEMADIR)
