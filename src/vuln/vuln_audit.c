/* vuln_audit: the database, the policy and the findings of a run (see vuln_audit.h). */
#include "vuln_audit.h"

#include <cJSON.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fsx.h"
#include "jsondoc.h"
#include "model.h"

#define DAY 86400

const char *vdec_to_string(vdec_t d)
{
	switch (d) {
	case VDEC_FINDING: return "finding";
	case VDEC_BELOW_THRESHOLD: return "below_threshold";
	case VDEC_ACCEPTED: return "accepted";
	}
	return "finding";
}

void vuln_policy_defaults(struct vuln_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->min_severity = VSEV_NONE;
	p->default_severity = VSEV_MEDIUM;
}

void vuln_policy_free(struct vuln_policy *p)
{
	for (size_t i = 0; i < p->naccept; i++) {
		free(p->accept[i].id);
		free(p->accept[i].reason);
	}
	free(p->accept);
	vuln_policy_defaults(p);
}

static int only(const cJSON *o, const char *const *names, const char *what, ea_error_t *err)
{
	const cJSON *m;
	cJSON_ArrayForEach (m, o) {
		size_t i = 0;
		while (names[i] && strcmp(names[i], m->string)) i++;
		if (!names[i])
			return ea_fail(err, EA_E_USAGE, "%s: unknown member \"%.64s\"", what,
			               m->string);
	}
	return 0;
}

static int sev_member(const cJSON *o, const char *key, vsev_t *out, ea_error_t *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!v) return 0;
	vsev_t s = cJSON_IsString(v) ? vsev_from_string(v->valuestring) : VSEV_UNKNOWN;
	if (s == VSEV_UNKNOWN)
		return ea_fail(err, EA_E_USAGE,
		               "vulnerabilities: %s must be none, low, medium, high "
		               "or critical",
		               key);
	*out = s;
	return 0;
}

/* "YYYY-MM-DD": the end of that day, UTC. */
static int parse_day(const char *s, int64_t *end)
{
	char t[32];
	int64_t v;
	if (strlen(s) != 10 || snprintf(t, sizeof t, "%sT23:59:59Z", s) >= (int)sizeof t ||
	    osv_time(t, &v) < 0)
		return -1;
	*end = v;
	return 0;
}

static int parse_accept(const cJSON *e, struct vuln_accept *a, ea_error_t *err)
{
	static const char *const names[] = {"id", "reason", "expires", NULL};
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
	const cJSON *re = cJSON_GetObjectItemCaseSensitive(e, "reason");
	const cJSON *ex = cJSON_GetObjectItemCaseSensitive(e, "expires");
	if (!cJSON_IsObject(e) || only(e, names, "vulnerabilities.accept[]", err) < 0)
		return ea_fail(err, EA_E_USAGE, "%s", err->msg[0] ? err->msg : "accept[] entry");
	if (!cJSON_IsString(id) || !id->valuestring[0] || !cJSON_IsString(re) ||
	    !re->valuestring[0] || !cJSON_IsString(ex) ||
	    parse_day(ex->valuestring, &a->expires) < 0)
		return ea_fail(err, EA_E_USAGE,
		               "vulnerabilities.accept[]: each entry needs an id, a "
		               "reason and an expiry date (YYYY-MM-DD)");
	a->id = xstrdup(id->valuestring);
	a->reason = xstrdup(re->valuestring);
	return 0;
}

int vuln_policy_parse(const void *member, struct vuln_policy *p, ea_error_t *err)
{
	static const char *const names[] = {"minSeverity", "defaultSeverity", "accept", "$comment",
	                                    NULL};
	const cJSON *o = member, *acc, *e;
	vuln_policy_defaults(p);
	if (!o) return 0;
	if (!cJSON_IsObject(o)) return ea_fail(err, EA_E_USAGE, "vulnerabilities is not an object");
	if (only(o, names, "vulnerabilities", err) < 0 ||
	    sev_member(o, "minSeverity", &p->min_severity, err) < 0 ||
	    sev_member(o, "defaultSeverity", &p->default_severity, err) < 0)
		return -1;
	acc = cJSON_GetObjectItemCaseSensitive(o, "accept");
	if (!acc) return 0;
	if (!cJSON_IsArray(acc) || cJSON_GetArraySize(acc) > VULN_POLICY_MAX_ACCEPT)
		return ea_fail(err, EA_E_USAGE,
		               "vulnerabilities.accept must be a list of at most %d",
		               VULN_POLICY_MAX_ACCEPT);
	p->accept = xcalloc((size_t)cJSON_GetArraySize(acc) + 1, sizeof(*p->accept));
	cJSON_ArrayForEach (e, acc) {
		if (parse_accept(e, &p->accept[p->naccept], err) < 0) {
			vuln_policy_free(p);
			return -1;
		}
		p->naccept++;
	}
	return 0;
}

int vuln_policy_load(const char *path, struct vuln_policy *p, ea_error_t *err)
{
	cleanup_free char *text = NULL;
	size_t len;
	vuln_policy_defaults(p);
	if (fsx_read_user_file(path, 1u << 20, &text, &len, err) < 0) return -1;
	cJSON *j = jsondoc_parse(text, len);
	if (!j) return ea_fail(err, EA_E_USAGE, "%s: not one JSON object", path);
	int rc = vuln_policy_parse(cJSON_GetObjectItemCaseSensitive(j, "vulnerabilities"), p, err);
	cJSON_Delete(j);
	return rc;
}

static int names_id(const struct vuln_hit *h, const char *id)
{
	if (!strcmp(h->id, id)) return 1;
	for (size_t i = 0; i < h->naliases; i++)
		if (!strcmp(h->aliases[i], id)) return 1;
	return 0;
}

vdec_t vuln_policy_decide(const struct vuln_policy *p, const struct vuln_hit *h, int64_t now,
                          vsev_t *sev, const struct vuln_accept **acc)
{
	*sev = h->sev.level == VSEV_UNKNOWN ? p->default_severity : h->sev.level;
	*acc = NULL;
	for (size_t i = 0; i < p->naccept; i++) {
		if (!names_id(h, p->accept[i].id)) continue;
		*acc = &p->accept[i];
		if (now <= p->accept[i].expires) return VDEC_ACCEPTED;
	}
	if (*sev < p->min_severity) return VDEC_BELOW_THRESHOLD;
	return VDEC_FINDING;
}

/* ------------------------------------------------------------- the run */

static severity_t report_sev(vsev_t s)
{
	switch (s) {
	case VSEV_CRITICAL: return SEV_CRITICAL;
	case VSEV_HIGH: return SEV_HIGH;
	case VSEV_MEDIUM: return SEV_MEDIUM;
	case VSEV_LOW: return SEV_LOW;
	case VSEV_NONE:
	case VSEV_UNKNOWN: break;
	}
	return SEV_INFO;
}

static void fmt_day(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "%lld", (long long)t);
}

struct vulndb *vuln_audit_open(report_t *r, const char *path, const char *pub_pem, int max_age_days,
                               int64_t now)
{
	struct vulndb *db = NULL;
	ea_error_t err = {0};
	char fpr[72] = "", built[32];
	if (vulndb_open(path, pub_pem, &db, fpr, &err) < 0) {
		report_finding(r, err.code == EA_E_FORMAT ? "vulndb.malformed" : "vulndb.untrusted",
		               path, "refused, nothing matched: %s", err.msg);
		return NULL;
	}
	const struct vulndb_header *h = vulndb_header(db);
	fmt_day((int64_t)h->built, built);
	cJSON *f = report_finding(r, "vulndb.loaded", path,
	                          "built %s: %u advisories for %u packages, key %s", built, h->nadv,
	                          h->npkgs, fpr);
	if (f) {
		cJSON_AddStringToObject(f, "built", built);
		cJSON_AddNumberToObject(f, "advisories", h->nadv);
	}
	int64_t age = now - (int64_t)h->built;
	if (age > (int64_t)max_age_days * DAY)
		report_finding(
		        r, "vulndb.stale", path,
		        "built %s, %lld days ago (more than %d): newer advisories are not in it",
		        built, (long long)(age / DAY), max_age_days);
	return db;
}

void vuln_audit_close(report_t *r, struct vulndb *db)
{
	ea_error_t err = {0};
	if (db && vulndb_unchanged(db, &err) < 0)
		report_finding(r, "vulndb.untrusted", "vulndb",
		               "%s: findings made from it are not "
		               "trusted",
		               err.msg);
	vulndb_close(db);
}

struct root_ctx {
	report_t *r;
	const char *subject;
	const struct vuln_policy *pol;
	int64_t now;
	struct vuln_counts *n;
};

static cJSON *hit_json(cJSON *f, const struct vuln_hit *h, vsev_t sev)
{
	cJSON_AddStringToObject(f, "package", h->pkg->name);
	cJSON_AddStringToObject(f, "installed", h->pkg->version);
	if (h->pkg->source || h->pkg->source_version) {
		cJSON_AddStringToObject(f, "source", h->name);
		cJSON_AddStringToObject(f, "source_version", h->version);
	}
	if (h->fixed) cJSON_AddStringToObject(f, "fixed", h->fixed);
	cJSON_AddStringToObject(f, "advisory", h->id);
	cJSON *a = cJSON_AddArrayToObject(f, "aliases");
	for (size_t i = 0; a && i < h->naliases; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(h->aliases[i]));
	cJSON_AddStringToObject(f, "advisory_severity", vsev_to_string(sev));
	if (h->sev.score10 >= 0) cJSON_AddNumberToObject(f, "cvss", h->sev.score10 / 10.0);
	return f;
}

/* Listed in the report's vulnerabilities_accepted, not a finding. */
static void accepted_record(const struct root_ctx *c, const struct vuln_hit *h, vdec_t d,
                            vsev_t sev, const struct vuln_accept *acc)
{
	char exp[32] = "";
	if (acc) fmt_day(acc->expires, exp);
	exp[10] = 0; /* the policy's day: YYYY-MM-DD */
	struct accepted_vuln a = {
	        .subject = (char *)c->subject,
	        .package = h->pkg->name,
	        .installed = h->pkg->version,
	        .advisory = (char *)h->id,
	        .severity = (char *)vsev_to_string(sev),
	        .why = (char *)vdec_to_string(d),
	        .reason = d == VDEC_ACCEPTED && acc ? acc->reason : NULL,
	        .expires = d == VDEC_ACCEPTED && acc ? exp : NULL,
	};
	model_accepted_vuln(c->r, &a);
}

static int on_root_hit(void *vctx, const struct vuln_hit *h)
{
	struct root_ctx *c = vctx;
	vsev_t sev;
	const struct vuln_accept *acc;
	vdec_t d = vuln_policy_decide(c->pol, h, c->now, &sev, &acc);
	if (d == VDEC_ACCEPTED) c->n->accepted++;
	if (d == VDEC_BELOW_THRESHOLD) c->n->below_threshold++;
	if (d != VDEC_FINDING) {
		accepted_record(c, h, d, sev, acc);
		return 0;
	}
	c->n->findings++;
	char exp[32] = "";
	if (acc) fmt_day(acc->expires, exp);
	cJSON *f = report_finding_sev(c->r, "vuln.package", report_sev(sev), c->subject,
	                              "%s %s: %s (fixed in %s)%s%s", h->pkg->name, h->pkg->version,
	                              h->id, h->fixed ? h->fixed : "no fixed version yet",
	                              acc ? "; its acceptance expired " : "", exp);
	if (f) hit_json(f, h, sev);
	return 0;
}

int vuln_audit_root(report_t *r, struct vulndb *db, const char *subject,
                    const struct inventory *inv, const struct vuln_policy *pol, int64_t now,
                    struct vuln_counts *n)
{
	struct root_ctx c = {r, subject, pol, now, n};
	ea_error_t err = {0};
	memset(n, 0, sizeof(*n));
	if (vuln_match(db, inv, on_root_hit, &c, &err) == 0) {
		char part[320];
		snprintf(part, sizeof part,
		         "vulnerabilities of %.200s: %u known, %u accepted by the policy (%u below "
		         "minSeverity)",
		         subject, n->findings + n->accepted + n->below_threshold,
		         n->accepted + n->below_threshold, n->below_threshold);
		report_checked(r, part);
		return 0;
	}
	if (err.code == EA_E_INTERRUPTED) /* the run's interrupted member says why */
		report_unchecked_kind(
		        r, "audit.interrupted", subject,
		        "known vulnerabilities: stopped before all packages were matched");
	else if (err.code == EA_E_UNSUPPORTED)
		report_finding(r, "audit.not_implemented", subject, "known vulnerabilities: %s",
		               err.msg);
	else report_finding(r, "vulndb.malformed", subject, "matching stopped: %s", err.msg);
	return -1;
}
