/*
 * vuln_match: which advisories of the compiled database an inventory's
 * packages are affected by, exactly as the OSV schema evaluates them.
 *
 * Contract:
 *  - The key is (ecosystem, name): the root's OSV ecosystem ("Debian:12")
 *    and also its base ("Debian", records that name no release), and the
 *    package's source (dpkg's Source:, apk's origin) or else its name; the
 *    version compared is the source version or else the package's.
 *  - An affected entry matches when the version is in its explicit
 *    `versions` or in one of its ECOSYSTEM ranges: events sorted by version
 *    (introduced "0" first), walked in order: introduced <= v makes it
 *    affected, fixed <= v or last_affected < v unaffected; a range with
 *    `limit` events only covers versions below one of them.  Withdrawn
 *    records were left out when the database was built.
 *  - The fixed version reported is the smallest `fixed` above v in the
 *    matching range (NULL: none known).
 *  - Aliases merge: the advisories of one package are taken in order (CVE
 *    ids first, then by id); one that names (aliases, related, upstream) an
 *    earlier reported one, or is named by it, is merged into it: its id
 *    joins that finding's aliases, the finding keeps the greatest fixed
 *    version and the highest severity.  One callback per remaining
 *    (package, advisory), per binary package (several binaries of one
 *    source each get theirs).
 *  - Memory: one package's hits at a time; reads are pread lookups.
 */
#ifndef EDGEAUDIT_VULN_MATCH_H
#define EDGEAUDIT_VULN_MATCH_H

#include <stddef.h>

#include "cvss.h"
#include "inventory.h"
#include "vercmp.h"
#include "vulndb.h"

struct vuln_hit {
	const struct pkg *pkg;      /* the installed package */
	const char *name, *version; /* what was matched: source name and version */
	const char *ecosystem;      /* the root's */
	const char *id;             /* the advisory */
	const char *const *aliases; /* merged ids and the record's aliases */
	size_t naliases;
	const char *fixed; /* NULL: no fixed version known */
	struct severity sev;
};

/* A negative return stops the match (its err code passed up as EA_E_INTERRUPTED). */
typedef int (*vuln_hit_fn)(void *ctx, const struct vuln_hit *h);

/* Every hit of inv against db.  EA_E_UNSUPPORTED: the root has no
 * ecosystem edgeaudit can order versions of (the caller says so: never
 * "no vulnerabilities"); EA_E_FORMAT: the database is malformed. */
int vuln_match(struct vulndb *db, const struct inventory *inv, vuln_hit_fn fn, void *ctx,
               ea_error_t *err);

/* The decision for one version and one affected entry: 1 affected (*fixed
 * the fix or NULL), 0 not. */
int vuln_affected(ver_scheme_t s, const char *version, const struct vulndb_aff *a,
                  const char **fixed);

#endif
