/*
 * pkgdb: streaming readers of the package databases and release files of
 * one root, as their own tools write them, into an inventory (inventory.h).
 *
 * Contract:
 *  - A database is read line by line as bytes arrive (a layer's tar stream,
 *    a host file): memory holds one line (at most PKGDB_MAX_LINE bytes kept;
 *    a longer line is skipped unless it carries a field read here, which
 *    makes the file malformed), never the file.
 *  - dpkg status and status.d (RFC 822-like stanzas): Package, Version,
 *    Architecture, Status, Source ("name" or "name (version)"); only
 *    "install ok installed" (and the held "hold ok installed") is kept;
 *    opkg: want install or hold, state installed, any flags ("install user
 *    installed").  A stanza with fields but no Package, or
 *    an installed one without Version, or a line that is neither "Field:
 *    value" nor a continuation, is malformed (dpkg refuses those files too).
 *  - apk installed: "X:value" lines (P, V, A, o), blank line between
 *    packages; a line not of that form, or a package without P or V, is
 *    malformed (apk-tools refuses the database).  opkg status: dpkg's form.
 *  - os-release: KEY=value with shell quoting (ID, VERSION_ID, VERSION,
 *    VERSION_CODENAME, PRETTY_NAME); alpine-release and debian_version: one
 *    line.  They fill a `struct distro`; pkgdb_ecosystem() maps it to OSV.
 *  - Malformed input never stops the reading: what could be read is kept,
 *    `malformed` is set and `why` says where ("line 12: ...").  The caller
 *    names the file in a finding; the inventory becomes INV_MALFORMED.
 */
#ifndef EDGEAUDIT_PKGDB_H
#define EDGEAUDIT_PKGDB_H

#include <stddef.h>
#include <stdint.h>

#include "inventory.h"

#define PKGDB_MAX_LINE  4096
#define PKGDB_MAX_FIELD 1024

typedef enum {
	DB_NONE = 0,
	DB_DPKG,           /* var/lib/dpkg/status, var/lib/dpkg/status.d/X */
	DB_APK,            /* lib/apk/db/installed */
	DB_OPKG,           /* var/lib/opkg/status, usr/lib/opkg/status */
	DB_OS_RELEASE,     /* etc/os-release, usr/lib/os-release */
	DB_ALPINE_RELEASE, /* etc/alpine-release */
	DB_DEBIAN_VERSION, /* etc/debian_version */
	DB_RPM,            /* an rpm database: presence only */
} dbfile_t;
const char *dbfile_to_string(dbfile_t k);

/* Which database a path of a root is ("var/lib/dpkg/status", no leading
 * "/" or "./"); DB_NONE for any other path. */
dbfile_t pkgdb_classify(const char *path);
/* The i-th fixed database path (status.d's files aside), NULL past the end. */
const char *pkgdb_path(size_t i);
/* Is path a folder on the way to a database path (or one of them)?  Such
 * paths matter for whiteouts and opaque folders. */
int pkgdb_on_path(const char *path);

enum { F_PACKAGE, F_VERSION, F_ARCH, F_STATUS, F_SOURCE, F_ORIGIN, F_NFIELDS };

struct pkgdb_reader {
	dbfile_t kind;
	struct inventory *inv; /* packages and distro go here (borrowed) */
	char line[PKGDB_MAX_LINE];
	size_t llen;
	int overlong; /* the current line is past PKGDB_MAX_LINE */
	uint64_t lineno, stanza_line;
	int in_stanza;      /* a field was seen since the last blank line */
	char *f[F_NFIELDS]; /* the current stanza's fields */
	int malformed;      /* see why */
	char why[200];      /* the first problem, with its line */
	size_t added;       /* packages added */
};

void pkgdb_begin(struct pkgdb_reader *p, dbfile_t kind, struct inventory *inv);
void pkgdb_feed(struct pkgdb_reader *p, const void *data, size_t n);
/* The end of the file: the last stanza.  Returns 0, or -1 when malformed. */
int pkgdb_end(struct pkgdb_reader *p);

/* The OSV ecosystem of a distribution ("Debian:12", "Alpine:v3.20",
 * "Ubuntu:22.04:LTS"), newly allocated, or NULL when unknown. */
char *pkgdb_ecosystem(const struct distro *d);

#endif
