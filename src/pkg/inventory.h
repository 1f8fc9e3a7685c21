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
 *    installed" and the held "hold ok installed"; half-installed and
 *    config-files states are dropped).
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
	INV_UNREAD,      /* a layer could not be read: what is installed is unknown */
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
	char *version;    /* os-release VERSION ("22.04.4 LTS (Jammy Jellyfish)"), NULL: none */
	char *ecosystem;  /* OSV ecosystem, NULL: unknown */
};

/* Why an inventory is not whole: each becomes a finding of the image or
 * host it belongs to (id from the catalog, the file it concerns). */
struct inv_problem {
	char *id;   /* "pkg.db_malformed", "pkg.db_too_large", "vuln.inventory_unsupported" */
	char *file; /* the database path in the root, with its layer when known */
	char *msg;
};

struct inventory {
	inv_status_t status;
	struct distro distro;
	struct pkg *pkgs;
	size_t npkgs, cap;
	char *database; /* the package database read ("var/lib/dpkg/status"), NULL: none */
	struct inv_problem *problems;
	size_t nproblems;
};

struct inventory *inventory_new(void);
void inventory_free(struct inventory *inv);
/* A new package at the end (strings copied; arch/source may be set later
 * with pkg_set); valid until the next add.  NULL on out of memory. */
struct pkg *inventory_add(struct inventory *inv, pkg_kind_t kind, const char *name,
                          const char *version);
/* *field = a copy of s (NULL allowed), freeing what it held: 0 or -1. */
int pkg_set(char **field, const char *s);
/* A problem of this inventory (strings copied): 0 or -1. */
int inventory_problem(struct inventory *inv, const char *id, const char *file, const char *msg);
/* Sort by (name, version, arch) and drop exact duplicates. */
void inventory_finish(struct inventory *inv);

#endif
