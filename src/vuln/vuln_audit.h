/*
 * vuln_audit: the vulnerability database and matcher in a report run: the
 * database opened for the run (signature first), the policy's say on what
 * is accepted, and one vuln.package finding per (root, package, advisory).
 *
 * Policy (the "vulnerabilities" member of the policy file, schema in
 * tests/policy.schema.json):
 *   {"minSeverity": "medium",        below it: accepted, not a finding
 *    "defaultSeverity": "medium",    an advisory with no severity
 *    "accept": [{"id": "CVE-...", "reason": "...", "expires": "YYYY-MM-DD"}]}
 * An accepted id matches the advisory's id or any of its aliases, until
 * the end of its expiry day (UTC); after it, the finding is back and says
 * the acceptance expired.  Defaults: minSeverity none (everything is a
 * finding), defaultSeverity medium, nothing accepted.
 *
 * Contract: vuln_audit_open reports vulndb.untrusted (no or bad signature,
 * unreadable: NULL returned, nothing matched), vulndb.malformed, vulndb.stale
 * (built more than max_age_days before now) and vulndb.loaded (info: the
 * build date and counts); vuln_audit_close checks the file did not change
 * (vulndb.untrusted if it did).
 */
#ifndef EDGEAUDIT_VULN_AUDIT_H
#define EDGEAUDIT_VULN_AUDIT_H

#include <stdint.h>

#include "inventory.h"
#include "report.h"
#include "vuln_match.h"
#include "vulndb.h"

#define VULN_POLICY_MAX_ACCEPT 1024

struct vuln_accept {
	char *id, *reason;
	int64_t expires; /* Unix seconds: the end of the expiry day */
};

struct vuln_policy {
	vsev_t min_severity;     /* below: accepted */
	vsev_t default_severity; /* no severity in the advisory */
	struct vuln_accept *accept;
	size_t naccept;
};

typedef enum {
	VDEC_FINDING = 0,
	VDEC_BELOW_THRESHOLD, /* severity under minSeverity */
	VDEC_ACCEPTED,        /* an accept entry, not expired */
} vdec_t;
const char *vdec_to_string(vdec_t d);

void vuln_policy_defaults(struct vuln_policy *p);
/* The "vulnerabilities" member of a policy file (v: that member, NULL:
 * defaults).  EA_E_USAGE naming what is wrong. */
int vuln_policy_parse(const void *cjson_member, struct vuln_policy *p, ea_error_t *err);
/* The same from a policy file on disk (its other members are sig.h's). */
int vuln_policy_load(const char *path, struct vuln_policy *p, ea_error_t *err);
void vuln_policy_free(struct vuln_policy *p);

/* The decision on one hit at time now; *sev: the severity it is reported
 * with (the default for unknown); *acc: the accept entry that applied or
 * expired (NULL none). */
vdec_t vuln_policy_decide(const struct vuln_policy *p, const struct vuln_hit *h, int64_t now,
                          vsev_t *sev, const struct vuln_accept **acc);

struct vulndb *vuln_audit_open(report_t *r, const char *path, const char *pub_pem, int max_age_days,
                               int64_t now);
void vuln_audit_close(report_t *r, struct vulndb *db);

struct vuln_counts {
	unsigned findings, below_threshold, accepted;
};
/* vuln.package findings of one root (subject: the image's ID or digest, so
 * the summary groups them under it, or "host"), and a "checked" entry
 * counting them and those the policy accepted: 0, or -1
 * when the root could not be matched (reported: vulndb.malformed, or
 * audit.not_implemented for an ecosystem edgeaudit cannot order). */
int vuln_audit_root(report_t *r, struct vulndb *db, const char *subject,
                    const struct inventory *inv, const struct vuln_policy *pol, int64_t now,
                    struct vuln_counts *n);

#endif
