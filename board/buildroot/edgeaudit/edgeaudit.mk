################################################################################
#
# edgeaudit
#
# The binary is built by edgeaudit's own build.sh (pinned sources, musl,
# static), not with Buildroot's toolchain: the same file on every system.
#
################################################################################

EDGEAUDIT_VERSION = 0.1.0
EDGEAUDIT_SITE = $(call qstrip,$(BR2_PACKAGE_EDGEAUDIT_TREE))
EDGEAUDIT_SITE_METHOD = local
EDGEAUDIT_LICENSE = ISC
EDGEAUDIT_LICENSE_FILES = LICENSE

ifeq ($(BR2_x86_64),y)
EDGEAUDIT_ARCH = x86_64
else ifeq ($(BR2_aarch64),y)
EDGEAUDIT_ARCH = aarch64
else
EDGEAUDIT_ARCH = armv7
endif

define EDGEAUDIT_INSTALL_TARGET_CMDS
	$(INSTALL) -D -m 0755 $(@D)/out/$(EDGEAUDIT_ARCH)/edgeaudit $(TARGET_DIR)/usr/bin/edgeaudit
	$(INSTALL) -D -m 0644 $(@D)/board/man/edgeaudit.1 $(TARGET_DIR)/usr/share/man/man1/edgeaudit.1
	$(INSTALL) -D -m 0644 $(@D)/board/config.example.json $(TARGET_DIR)/etc/edgeaudit/config.example.json
endef

define EDGEAUDIT_INSTALL_INIT_SYSV
	$(INSTALL) -D -m 0755 $(@D)/board/init.d/S45edgeaudit $(TARGET_DIR)/etc/init.d/S45edgeaudit
endef

define EDGEAUDIT_INSTALL_INIT_SYSTEMD
	$(INSTALL) -D -m 0644 $(@D)/board/systemd/edgeaudit.service $(TARGET_DIR)/usr/lib/systemd/system/edgeaudit.service
endef

define EDGEAUDIT_INSTALL_INIT_OPENRC
	$(INSTALL) -D -m 0755 $(@D)/board/openrc/edgeaudit $(TARGET_DIR)/etc/init.d/edgeaudit
endef

$(eval $(generic-package))
