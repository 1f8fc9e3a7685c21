/*
 * osv: one OSV record (https://ossf.github.io/osv-schema/, schema 1.x), read
 * into a typed record of what matching needs.
 *
 * Contract:
 *  - osv_parse reads one JSON document (strict: one value, no duplicate
 *    member names, bounded values); anything of the wrong shape where the
 *    schema says otherwise (ranges not a list, an event that is not one of
 *    introduced / fixed / last_affected / limit with a string, a package
 *    without ecosystem or name) is EA_E_FORMAT naming the member: the
 *    whole record is refused, never half-read.
 *  - Only what matching needs is kept: id, modified, withdrawn, aliases,
 *    related and upstream ids, the severity (computed here: CVSS v3.x/v4.0
 *    vectors, else the ecosystem's own severity), and per affected package
 *    its ECOSYSTEM ranges and its explicit versions.  Affected entries with
 *    no ecosystem package (GIT-only) are skipped; SEMVER and GIT ranges of a
 *    package are skipped (distribution packages use ECOSYSTEM).
 *  - Strings point into the parsed document: valid until osv_record_free.
 */
#ifndef EDGEAUDIT_OSV_H
#define EDGEAUDIT_OSV_H

#include <stddef.h>
#include <stdint.h>

#include "cvss.h"
#include "util.h"

#define OSV_RECORD_MAX (16u << 20) /* bytes of one record */
#define OSV_STR_MAX    255         /* an id, ecosystem, name or version */

typedef enum {
	OSV_EV_INTRODUCED = 1,
	OSV_EV_FIXED,
	OSV_EV_LAST_AFFECTED,
	OSV_EV_LIMIT,
} osv_ev_t;
const char *osv_ev_to_string(osv_ev_t e);

struct osv_event {
	osv_ev_t kind;
	const char *version;
};

struct osv_range { /* type ECOSYSTEM */
	struct osv_event *ev;
	size_t nev;
};

struct osv_affected {
	const char *ecosystem, *name;
	struct osv_range *ranges;
	size_t nranges;
	const char **versions;
	size_t nversions;
	struct severity sev; /* affected[].severity or ecosystem_specific, else none */
};

struct osv_record {
	void *doc; /* the cJSON tree the strings point into */
	const char *id, *modified;
	int withdrawn;
	const char **aliases, **related; /* related: related[] and upstream[] */
	size_t naliases, nrelated;
	struct severity sev; /* the record's severity[] */
	struct osv_affected *aff;
	size_t naff;
};

/* Parse buf[0..len).  *r is zeroed first; osv_record_free it in every case. */
int osv_parse(const char *buf, size_t len, struct osv_record *r, ea_error_t *err);
void osv_record_free(struct osv_record *r);

/* RFC 3339 time to Unix seconds ("2025-01-15T01:40:04.519517Z"): 0 or -1. */
int osv_time(const char *s, int64_t *out);

#endif
