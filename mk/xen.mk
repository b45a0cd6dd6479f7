# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Xen integration: the unit tests of the xenstore, XAPI, xl and config
# file sources, the hotplug hook and vif scripts, the xenopsd drop-in, the
# man page and example config (install-xen), and the suites xen-unit and
# xen-integration.  The C sources themselves (loader/xs.c, config.c,
# source.c, hotplug*.c) are part of build/vifguard.

XEN_SCRIPTDIR ?= /etc/xen/scripts
XEN_CONFDIR ?= /etc/vifguard
SBINDIR ?= $(PREFIX)/sbin
LIBEXECDIR ?= $(PREFIX)/libexec
MANDIR ?= $(PREFIX)/share/man
# Xen's stock scripts the vif-vifguard-* scripts can hand over to.
XEN_WRAPPED := bridge openvswitch route nat

XEN_UNIT_SRCS := loader/config.c loader/config_open.c loader/guard.c loader/source.c loader/xs.c tests/lib/xs_table.c \
	loader/policy.c loader/sanitize.c loader/ident.c
XEN_UNIT_TESTS := $(OUTPUT)/tests/test_xen_config $(OUTPUT)/tests/test_xen_sources \
	$(OUTPUT)/tests/test_xen_ident
XEN_SHIM := $(OUTPUT)/test_xen_shim.so
XEN_NLMON := $(OUTPUT)/test_xen_nlmon
XEN_INTEGRATION := tests/integration/test_hotplug.sh tests/integration/test_xapi.sh \
	tests/integration/test_xen_sync.sh tests/integration/test_xen_sync_batch.sh \
	tests/integration/test_xen_install.sh \
	tests/integration/test_xen_ident.sh tests/integration/test_xen_audit_host.sh \
	tests/integration/test_xen_learn.sh tests/integration/test_xen_unlisted.sh \
	tests/integration/test_xen_park.sh tests/integration/test_learn_attacks.sh \
	tests/integration/test_first_attacks.sh \
	tests/integration/test_realsw_first.sh

# Two tiny test helpers; the integration runner of every suite may need them.
ALL_TARGETS += $(XEN_SHIM) $(XEN_NLMON)
INSTALL_TARGETS += install-xen
UNINSTALL_TARGETS += uninstall-xen
TEST_SUITES += xen-unit xen-integration

$(OUTPUT)/tests/test_xen_%: tests/unit/test_xen_%.c $(XEN_UNIT_SRCS) \
		$(wildcard loader/*.h) include/vifguard.h tests/lib/xs_table.h tests/lib/unit.h \
		| $(BUILD_DEPS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -I$(CURDIR)/tests/lib -DVG_EXAMPLE_CONF='"$(CURDIR)/etc/vifguard.conf.example"' \
		$(LDFLAGS) -o $@ $(filter %.c,$^) -lcmocka

$(XEN_SHIM): tests/integration/test_xen_shim.c | $(BUILD_DEPS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -shared -fPIC $(LDFLAGS) -o $@ $< -ldl

$(XEN_NLMON): tests/integration/test_xen_nlmon.c | $(BUILD_DEPS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

# The hook and scripts name the binary by its installed path.
define xen_install_script
	$(Q)sed 's|@SBINDIR@|$(SBINDIR)|g' $(1) >$(2).tmp && \
		chmod $(3) $(2).tmp && mv -f $(2).tmp $(2)
endef

.PHONY: install-xen uninstall-xen test-xen-unit test-xen-integration
install-xen:
	$(call msg,INSTALL,Xen hook and scripts and xenopsd drop-in)
	$(Q)install -d $(DESTDIR)$(XEN_SCRIPTDIR)/vif-post.d \
		$(DESTDIR)$(LIBEXECDIR)/vifguard $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(XEN_CONFDIR)
	$(call xen_install_script,hotplug/vifguard.hook,$(DESTDIR)$(XEN_SCRIPTDIR)/vif-post.d/vifguard.hook,0755)
	$(call xen_install_script,hotplug/vif-vifguard,$(DESTDIR)$(XEN_SCRIPTDIR)/vif-vifguard,0755)
	$(Q)for s in $(XEN_WRAPPED); do \
		ln -sfn vif-vifguard $(DESTDIR)$(XEN_SCRIPTDIR)/vif-vifguard-$$s || exit 1; \
	done
	$(call xen_install_script,hotplug/setup-vif-rules,$(DESTDIR)$(LIBEXECDIR)/vifguard/setup-vif-rules,0755)
	$(Q)install -m 0644 docs/vifguard.8 $(DESTDIR)$(MANDIR)/man8/vifguard.8
	$(Q)install -m 0644 etc/vifguard.conf.example $(DESTDIR)$(XEN_CONFDIR)/vifguard.conf.example

# What install-xen installs; the directories of vifguard's own go once
# empty (an operator's vifguard.conf keeps its directory), Xen's stay.
uninstall-xen:
	$(call msg,REMOVE,Xen hook and scripts and xenopsd drop-in)
	$(Q)rm -f $(DESTDIR)$(XEN_SCRIPTDIR)/vif-post.d/vifguard.hook \
		$(DESTDIR)$(XEN_SCRIPTDIR)/vif-vifguard \
		$(addprefix $(DESTDIR)$(XEN_SCRIPTDIR)/vif-vifguard-,$(XEN_WRAPPED)) \
		$(DESTDIR)$(LIBEXECDIR)/vifguard/setup-vif-rules \
		$(DESTDIR)$(MANDIR)/man8/vifguard.8 \
		$(DESTDIR)$(XEN_CONFDIR)/vifguard.conf.example
	$(Q)for d in $(DESTDIR)$(LIBEXECDIR)/vifguard $(DESTDIR)$(XEN_CONFDIR); do \
		[ ! -d $$d ] || rmdir --ignore-fail-on-non-empty $$d || exit 1; \
	done

test-xen-unit: $(XEN_UNIT_TESTS)
	$(Q)rc=0; for t in $(XEN_UNIT_TESTS); do $$t || rc=1; done; exit $$rc

# Root only: a real oxenstored in a private mount namespace, Xen's real
# vif scripts, network namespaces, a private bpffs; STATIC=1 as for
# test-integration.
test-xen-integration: $(DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory all $(VIFGUARD_BIN)
	$(Q)OUTPUT=$(OUTPUT) VIFGUARD=$(VIFGUARD_BIN) tests/integration/run.sh $(XEN_INTEGRATION)
