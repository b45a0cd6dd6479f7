# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# The bash completion (etc/vifguard.bash-completion): it reads the
# commands and options from the installed binary's help, so it follows
# the command table; tests/unit/test_completion.c checks it against the
# table.  Installed where bash-completion looks for it by command name.

BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions

INSTALL_TARGETS += install-completion
UNINSTALL_TARGETS += uninstall-completion

$(OUTPUT)/tests/test_completion: CFLAGS += \
	-DVG_COMPLETION='"$(CURDIR)/etc/vifguard.bash-completion"'
$(OUTPUT)/tests/test_completion: etc/vifguard.bash-completion $(VIFGUARD)

.PHONY: install-completion uninstall-completion
install-completion:
	$(call msg,INSTALL,$(DESTDIR)$(BASHCOMPDIR)/vifguard)
	$(Q)install -d $(DESTDIR)$(BASHCOMPDIR)
	$(Q)install -m 0644 etc/vifguard.bash-completion $(DESTDIR)$(BASHCOMPDIR)/vifguard

uninstall-completion:
	$(call msg,REMOVE,$(DESTDIR)$(BASHCOMPDIR)/vifguard)
	$(Q)rm -f $(DESTDIR)$(BASHCOMPDIR)/vifguard
