# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# `make rpm`: build/rpm/vifguard-VERSION-1.x86_64.rpm for XCP-ng and
# XenServer dom0s (README, "XCP-ng and XenServer"): the static binary
# (mk/static.mk), XAPI's setup-vif-rules drop-in, the man page, the
# example config and vifguard.service (packaging/rpm/).  rpmbuild and
# rpmlint (packaging/rpm/packages) are installed by this target only;
# `make test` does not need them.  rpmlint's findings are printed, not
# fatal.

RPM_SRC := packaging/rpm
RPM_DIR := $(OUTPUT)/rpm
RPM_STAGE := $(RPM_DIR)/stage
RPM_SPEC := $(RPM_DIR)/vifguard.spec
RPM_FILE := $(RPM_DIR)/RPMS/x86_64/vifguard-$(VIFGUARD_VERSION)-1.x86_64.rpm
RPM_DEPS_STAMP := $(OUTPUT)/.rpm-deps-ok

$(RPM_DEPS_STAMP): $(RPM_SRC)/packages tools/bench/install-packages.sh | $(DEPS_STAMP)
	$(Q)tools/bench/install-packages.sh $(RPM_SRC)/packages rpm
	$(Q)touch $@

$(RPM_SPEC): $(RPM_SRC)/vifguard.spec.in | $(BUILD_DEPS)
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)sed 's|@VERSION@|$(VIFGUARD_VERSION)|g' $< >$@.tmp && mv -f $@.tmp $@

# The payload is what `make install STATIC=1 PREFIX=/usr` puts in place;
# the spec takes the files an XAPI host needs from there.
$(RPM_FILE): $(RPM_SPEC) $(RPM_SRC)/vifguard.service $(RPM_SRC)/rpmlintrc.toml $(VIFGUARD_STATIC) \
		hotplug/setup-vif-rules docs/vifguard.8 etc/vifguard.conf.example \
		| $(RPM_DEPS_STAMP)
	$(call msg,RPM,$@)
	$(Q)rm -rf $(RPM_STAGE)
	$(Q)$(MAKE) --no-print-directory -s install STATIC=1 PREFIX=/usr \
		DESTDIR=$(RPM_STAGE) >/dev/null
	$(Q)rpmbuild --quiet -bb --nodeps --target x86_64 \
		--define '_topdir $(RPM_DIR)' --define 'vg_stage $(RPM_STAGE)' \
		--define 'vg_unit $(CURDIR)/$(RPM_SRC)/vifguard.service' \
		--define '_buildhost vifguard' $(RPM_SPEC)

.PHONY: rpm
rpm: $(RPM_FILE)
	$(Q)if command -v rpmlint >/dev/null; then \
		rpmlint -c $(RPM_SRC)/rpmlintrc.toml $(RPM_FILE) || echo "rpm: rpmlint reported the above"; fi
	$(Q)rpm -qlp $(RPM_FILE)
