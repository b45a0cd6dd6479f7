# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# `make static`: build/static/vifguard, the CLI with libbpf, libnl-3,
# libnl-route-3, libelf, zlib, libxenstore and glibc linked in, for dom0s
# whose libraries are not Debian's (XCP-ng, XenServer: `make rpm`,
# mk/rpm.mk).  It needs no shared library and no dynamic loader;
# libxenstore is bound at link time (loader/xs.c, -DVG_XS_STATIC) instead
# of dlopen()ed.  Every other object is the dynamic build's.  The linker
# warns that libnl-3.a's getaddrinfo, getprotobyname and getprotobynumber
# would need glibc's shared NSS modules: only libnl's printing and
# address parsing call them, and the loader uses neither.
#
#   make test-static   (root; suite `static` of `make test`) the binary
#                      alone in an empty chroot:
#                      version, help, attach, show, stats, detach on a
#                      veth (tests/static/test_static.sh, TAP).
#   STATIC=1           `make install`, `make test-integration`,
#                      `make test-xen-integration` and `make test-xen`
#                      use it (VIFGUARD_BIN, mk/loader.mk).

TEST_SUITES += static

STATIC_DIR := $(OUTPUT)/static
STATIC_XS_OBJ := $(STATIC_DIR)/loader/xs.o
STATIC_OBJS := $(filter-out $(OUTPUT)/loader/xs.o,$(LOADER_OBJS)) $(STATIC_XS_OBJ)
# libxenstore.a needs libxentoolcore.a; libelf.a needs libz.a;
# libnl-route-3.a needs libnl-3.a.
STATIC_LIBS := -lbpf -lnl-route-3 -lnl-3 -lelf -lz -lxenstore -lxentoolcore

$(STATIC_XS_OBJ): loader/xs.c $(LOADER_HDRS) | $(BUILD_DEPS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -DVG_XS_STATIC -c $< -o $@

$(VIFGUARD_STATIC): $(STATIC_OBJS) | $(BUILD_DEPS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -static $(LDFLAGS) -o $@ $^ $(STATIC_LIBS)

.PHONY: static test-static
static: $(VIFGUARD_STATIC)

# Spelled out, not $(VGPKT): mk/tools.mk is read after this file.
test-static: $(VIFGUARD_STATIC) $(OUTPUT)/vgpkt | $(DEPS_STAMP)
	$(Q)OUTPUT=$(OUTPUT) VIFGUARD=$(VIFGUARD_STATIC) VGPKT=$(OUTPUT)/vgpkt \
		VIFGUARD_VERSION=$(VIFGUARD_VERSION) tests/static/test_static.sh
