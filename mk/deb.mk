# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# `make deb`: build/deb/vifguard_VERSION-1_ARCH.deb for Debian 12
# (bookworm) dom0s and Linux hosts (README, "Running it from the Debian
# package"): the dynamic build, the Xen hotplug scripts, XAPI's
# setup-vif-rules drop-in, the man page, the example config and
# vifguard-sync.service.  The packaging is packaging/deb/debian/, copied
# next to a copy of this tree in build/deb/vifguard-VERSION/ and built
# there with debhelper (dpkg-buildpackage), so the tree itself is never
# the package's build directory; lintian then runs on the package and any
# warning or error fails the target.  debhelper, lintian, debootstrap and
# piuparts (packaging/deb/packages) are installed by this target and
# test-deb only.  test-deb prints the package builds on stderr, TAP on
# stdout.
#
#   make test-deb   (root; not part of `make test`: it builds the package
#                   twice and fetches packages from the Debian mirror apt
#                   uses) install, upgrade, remove and purge in a clean
#                   bookworm chroot (tests/deb/test_deb.sh, TAP).

DEB_SRC := packaging/deb
DEB_DIR := $(OUTPUT)/deb
DEB_REVISION := 1
DEB_ARCH := $(shell dpkg --print-architecture 2>/dev/null || echo amd64)
DEB_FILE = $(DEB_DIR)/vifguard_$(VIFGUARD_VERSION)-$(DEB_REVISION)_$(DEB_ARCH).deb
DEB_TREE = $(DEB_DIR)/vifguard-$(VIFGUARD_VERSION)
DEB_DEPS_STAMP := $(OUTPUT)/.deb-deps-ok
# The changelog's date: the commit's, so that a tree builds the same
# package twice.
DEB_DATE := $(shell git -C $(CURDIR) log -1 --format=%aD 2>/dev/null || date -R)
# The version `make test-deb` upgrades to.
DEB_NEXT_VERSION = $(VIFGUARD_VERSION)+1

$(DEB_DEPS_STAMP): $(DEB_SRC)/packages tools/bench/install-packages.sh | $(DEPS_STAMP)
	$(Q)tools/bench/install-packages.sh $(DEB_SRC)/packages deb
	$(Q)touch $@

.PHONY: deb test-deb
# Always rebuilt: the package is built from a fresh copy of the tree.
deb: | $(DEB_DEPS_STAMP)
	$(call msg,DEB,$(DEB_FILE))
	$(Q)rm -rf $(DEB_TREE) $(DEB_DIR)/vifguard_$(VIFGUARD_VERSION)-$(DEB_REVISION)_*
	$(Q)mkdir -p $(DEB_TREE)
	$(Q)tar -C $(CURDIR) --exclude=./.git --exclude=./.cache \
		--exclude=./$(notdir $(OUTPUT)) -cf - . | tar -C $(DEB_TREE) -xf -
	$(Q)cp -r $(DEB_SRC)/debian $(DEB_TREE)/debian
	$(Q)printf '%s\n' "vifguard ($(VIFGUARD_VERSION)-$(DEB_REVISION)) bookworm; urgency=medium" "" \
		"  * vifguard $(VIFGUARD_VERSION)." "" \
		" -- $$(sed -n 's/^Maintainer: //p' $(DEB_SRC)/debian/control)  $(DEB_DATE)" \
		>$(DEB_TREE)/debian/changelog
	$(Q)cd $(DEB_TREE) && dpkg-buildpackage -b -uc -us >$(DEB_DIR)/build.log 2>&1 || \
		{ tail -n 30 $(DEB_DIR)/build.log; echo "deb: dpkg-buildpackage failed ($(DEB_DIR)/build.log)"; exit 1; }
	$(Q)lintian --allow-root --fail-on error,warning \
		$(DEB_DIR)/vifguard_$(VIFGUARD_VERSION)-$(DEB_REVISION)_$(DEB_ARCH).changes
	$(Q)rm -rf $(DEB_TREE)
	$(Q)dpkg-deb -c $(DEB_FILE)

test-deb: $(VGPKT) | $(DEB_DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory -s deb >&2
	$(Q)$(MAKE) --no-print-directory -s deb VIFGUARD_VERSION=$(DEB_NEXT_VERSION) >&2
	$(Q)OUTPUT=$(OUTPUT) CACHE=$(CURDIR)/.cache/deb tests/deb/test_deb.sh \
		$(DEB_FILE) $(DEB_DIR)/vifguard_$(DEB_NEXT_VERSION)-$(DEB_REVISION)_$(DEB_ARCH).deb
