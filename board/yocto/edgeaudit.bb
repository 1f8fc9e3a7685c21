# Yocto/OpenEmbedded recipe for edgeaudit: the static binary that the
# project's own build.sh makes from pinned sources (musl, mbedTLS, cJSON,
# zlib, zstd), with its boot integration.  The binary is not rebuilt with
# the Yocto toolchain: it is the same reproducible file for every distro.
#
# Use: copy this board/ folder's recipe into a layer (recipes-security/
# edgeaudit/), set EDGEAUDIT_TREE in local.conf to a checkout where
# `./build.sh --target all` has run, and add "edgeaudit" to IMAGE_INSTALL.
SUMMARY = "Offline, read-only audit of container image stores and runtime"
DESCRIPTION = "edgeaudit verifies the image stores of an edge box end to end, \
signatures against keys shipped in firmware and the /proc attack surface, \
and writes one report (optionally signed) with exit codes a boot script can \
act on. A oneshot service runs it before the container engines."
SECTION = "security"
LICENSE = "ISC"
LIC_FILES_CHKSUM = "file://LICENSE;md5=e22da6f47317b1c05f4bfde29827ce50"

PV = "0.1.0"

EDGEAUDIT_TREE ??= "${TOPDIR}/../edgeaudit"
EDGEAUDIT_ARCH = "unsupported"
EDGEAUDIT_ARCH:x86-64 = "x86_64"
EDGEAUDIT_ARCH:aarch64 = "aarch64"
EDGEAUDIT_ARCH:arm = "armv7"
COMPATIBLE_HOST = "(x86_64|aarch64|arm).*-linux.*"

# Relative file:// names are looked up in the tree and unpacked under the
# same relative path.
FILESEXTRAPATHS:prepend := "${EDGEAUDIT_TREE}:"
SRC_URI = " \
    file://LICENSE \
    file://out/${EDGEAUDIT_ARCH}/edgeaudit \
    file://board/systemd/edgeaudit.service \
    file://board/init.d/S45edgeaudit \
    file://board/man/edgeaudit.1 \
    file://board/config.example.json \
"
# Where the fetcher unpacks: UNPACKDIR from Yocto 5.1 on, WORKDIR before.
S = "${@d.getVar('UNPACKDIR') or d.getVar('WORKDIR')}"

inherit systemd update-rc.d

SYSTEMD_SERVICE:${PN} = "edgeaudit.service"
INITSCRIPT_NAME = "edgeaudit"
INITSCRIPT_PARAMS = "start 45 S ."

do_configure[noexec] = "1"
do_compile[noexec] = "1"

do_install() {
    install -d ${D}${bindir} ${D}${mandir}/man1 ${D}${sysconfdir}/edgeaudit
    install -m 0755 ${S}/out/${EDGEAUDIT_ARCH}/edgeaudit ${D}${bindir}/edgeaudit
    install -m 0644 ${S}/board/man/edgeaudit.1 ${D}${mandir}/man1/edgeaudit.1
    install -m 0644 ${S}/board/config.example.json ${D}${sysconfdir}/edgeaudit/config.example.json
    if ${@bb.utils.contains('DISTRO_FEATURES', 'systemd', 'true', 'false', d)}; then
        install -d ${D}${systemd_system_unitdir}
        install -m 0644 ${S}/board/systemd/edgeaudit.service ${D}${systemd_system_unitdir}/edgeaudit.service
    fi
    if ${@bb.utils.contains('DISTRO_FEATURES', 'sysvinit', 'true', 'false', d)}; then
        install -d ${D}${sysconfdir}/init.d
        install -m 0755 ${S}/board/init.d/S45edgeaudit ${D}${sysconfdir}/init.d/edgeaudit
    fi
}

FILES:${PN} += "${systemd_system_unitdir}/edgeaudit.service"
# Stripped and static by build.sh, on purpose.
INSANE_SKIP:${PN} += "already-stripped ldflags"
