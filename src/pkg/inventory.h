/*
 * inventory: what is installed in one root (an image's layers applied in
 * order, an engine's on-disk layers, or the host), as typed records.
 *
 * Contract:
 *  - An inventory is built by its readers (dpkg status and status.d, apk
 *    installed, opkg status, os-release) and read by everyone else (the
 *    model, the SBOM writers, the vulnerability matcher) only through this
 *    header.  Strings are owned by the inventory; inventory_free frees all.
 *  - Packages are sorted by (name, version) and unique after
 *    inventory_finish(); only installed packages are kept (dpkg: "install ok
 *    installed"; half-installed and config-files states are dropped).
 *  - `source` / `source_version` are what advisories name: dpkg's Source:
 *    field (name, and the version in parentheses when given), apk's origin
 *    (`o:`), opkg's Source:; NULL means the same as name / version.
 *  - `ecosystem` is the OSV ecosystem of the root's distribution
 *    ("Debian:12", "Alpine:v3.20", "Ubuntu:22.04:LTS"), or NULL when the
 *    distribution is unknown; `status` says whether the root could be
 *    inventoried at all (no package database is INV_NONE: said, never
 *    silently "no vulnerabilities").
 */
#ifndef EDGEAUDIT_INVENTORY_H
#define EDGEAUDIT_INVENTORY_H

#include <stddef.h>

typedef enum { PKG_DPKG = 1, PKG_APK, PKG_OPKG } pkg_kind_t;
const char *pkg_kind_to_string(pkg_kind_t k); /* "deb", "apk", "opkg" (purl types) */

typedef enum {
	INV_OK = 0,      /* a package database was read */
	INV_NONE,        /* no package database in this root */
	INV_UNSUPPORTED, /* only a database edgeaudit does not read (rpm) */
	INV_MALFORMED,   /* a database could not be read in full (a finding names it) */
} inv_status_t;
const char *inv_status_to_string(inv_status_t s);

struct pkg {
	pkg_kind_t kind;
	char *name;
	char *version;
	char *arch;           /* NULL: unknown */
	char *source;         /* NULL: same as name */
	char *source_version; /* NULL: same as version */
};

struct distro {
	char *id;         /* os-release ID ("debian", "alpine"), NULL: unknown */
	char *version_id; /* os-release VERSION_ID ("12", "3.20.3") */
	char *codename;   /* VERSION_CODENAME, NULL: none */
	char *pretty;     /* PRETTY_NAME */
	char *ecosystem;  /* OSV ecosystem, NULL: unknown */
};

struct inventory {
	inv_status_t status;
	struct distro distro;
	struct pkg *pkgs;
	size_t npkgs, cap;
};

struct inventory *inventory_new(void);
void inventory_free(struct inventory *inv);
/* A new package at the end (strings copied; arch/source may be set later
 * with pkg_set); valid until the next add.  NULL on out of memory. */
struct pkg *inventory_add(struct inventory *inv, pkg_kind_t kind, const char *name,
                          const char *version);
/* *field = a copy of s (NULL allowed), freeing what it held: 0 or -1. */
int pkg_set(char **field, const char *s);
/* Sort by (name, version, arch) and drop exact duplicates. */
void inventory_finish(struct inventory *inv);

#endif
