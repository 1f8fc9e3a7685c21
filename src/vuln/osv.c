/* osv: one OSV record into a typed record (see osv.h). */
#include "osv.h"

#include <cJSON.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "jsondoc.h"

#define OSV_MAX_VALUES (1u << 20)

const char *osv_ev_to_string(osv_ev_t e)
{
	switch (e) {
	case OSV_EV_INTRODUCED: return "introduced";
	case OSV_EV_FIXED: return "fixed";
	case OSV_EV_LAST_AFFECTED: return "last_affected";
	case OSV_EV_LIMIT: return "limit";
	}
	return "unknown";
}

void osv_record_free(struct osv_record *r)
{
	for (size_t i = 0; i < r->naff; i++) {
		for (size_t k = 0; k < r->aff[i].nranges; k++) free(r->aff[i].ranges[k].ev);
		free(r->aff[i].ranges);
		free(r->aff[i].versions);
	}
	free(r->aff);
	free(r->aliases);
	free(r->related);
	cJSON_Delete(r->doc);
	memset(r, 0, sizeof(*r));
}

/* A string member: NULL absent; *bad set when present but no bounded string. */
static const char *str_member(const cJSON *o, const char *key, int *bad)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!v) return NULL;
	if (!cJSON_IsString(v) || !v->valuestring[0] || strlen(v->valuestring) > OSV_STR_MAX) {
		*bad = 1;
		return NULL;
	}
	return v->valuestring;
}

/* Append the strings of list member key to *out (absent: nothing). */
static int str_list(const cJSON *o, const char *key, const char ***out, size_t *n, const char *what,
                    ea_error_t *err)
{
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(o, key), *e;
	if (!l || cJSON_IsNull(l))
		return 0; /* null: absent, as Go decodes it (osv.dev writes it) */
	if (!cJSON_IsArray(l)) return ea_fail(err, EA_E_FORMAT, "%s%s is not a list", what, key);
	size_t add = (size_t)cJSON_GetArraySize(l);
	*out = xrealloc(*out, (*n + add + 1) * sizeof(**out));
	cJSON_ArrayForEach (e, l) {
		if (!cJSON_IsString(e) || !e->valuestring[0] ||
		    strlen(e->valuestring) > OSV_STR_MAX)
			return ea_fail(err, EA_E_FORMAT, "%s%s holds a value that is no string",
			               what, key);
		(*out)[(*n)++] = e->valuestring;
	}
	return 0;
}

static int parse_event(const cJSON *e, struct osv_event *ev, const char *what, ea_error_t *err)
{
	static const osv_ev_t kinds[] = {OSV_EV_INTRODUCED, OSV_EV_FIXED, OSV_EV_LAST_AFFECTED,
	                                 OSV_EV_LIMIT};
	if (!cJSON_IsObject(e) || cJSON_GetArraySize(e) != 1)
		return ea_fail(err, EA_E_FORMAT, "%s: an event is not an object of one member",
		               what);
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		int bad = 0;
		const char *v = str_member(e, osv_ev_to_string(kinds[k]), &bad);
		if (bad) break;
		if (!v) continue;
		ev->kind = kinds[k];
		ev->version = v;
		return 0;
	}
	return ea_fail(err, EA_E_FORMAT,
	               "%s: an event is not introduced, fixed, last_affected or "
	               "limit with a version",
	               what);
}

static int parse_range(const cJSON *rg, struct osv_affected *a, const char *what, ea_error_t *err)
{
	int bad = 0;
	const char *type = str_member(rg, "type", &bad);
	const cJSON *evs = cJSON_GetObjectItemCaseSensitive(rg, "events"), *e;
	if (!cJSON_IsObject(rg) || bad || !type)
		return ea_fail(err, EA_E_FORMAT, "%s: a range without a type", what);
	if (!cJSON_IsArray(evs) || cJSON_GetArraySize(evs) < 1)
		return ea_fail(err, EA_E_FORMAT, "%s: a range whose events are not a list", what);
	if (strcmp(type, "ECOSYSTEM")) return 0; /* SEMVER, GIT: not distribution versions */
	struct osv_range *r = &a->ranges[a->nranges];
	r->ev = xcalloc((size_t)cJSON_GetArraySize(evs), sizeof(*r->ev));
	a->nranges++;
	int intro = 0;
	cJSON_ArrayForEach (e, evs) {
		if (parse_event(e, &r->ev[r->nev], what, err) < 0) return -1;
		intro |= r->ev[r->nev++].kind == OSV_EV_INTRODUCED;
	}
	if (!intro) return ea_fail(err, EA_E_FORMAT, "%s: a range with no introduced event", what);
	return 0;
}

/* Severity from a severity[] list: CVSS v4.0 first, then v3.x; an entry of
 * type "Ubuntu" (its priority words) as the ecosystem's.  A malformed vector
 * is an error (never a guess). */
static int parse_severity(const cJSON *l, struct severity *s, const char *what, ea_error_t *err)
{
	const cJSON *e;
	if (!l || cJSON_IsNull(l)) return 0;
	if (!cJSON_IsArray(l)) return ea_fail(err, EA_E_FORMAT, "%sseverity is not a list", what);
	cJSON_ArrayForEach (e, l) {
		int bad = 0, score = -1;
		const char *type = str_member(e, "type", &bad), *vec = str_member(e, "score", &bad);
		if (bad || !type || !vec)
			return ea_fail(err, EA_E_FORMAT,
			               "%sseverity: an entry without type and score", what);
		ea_error_t cerr = {0};
		if (!strcmp(type, "CVSS_V4") && s->src != SEVSRC_CVSS_V4) {
			if (cvss4_score(vec, &score, &cerr) < 0)
				return ea_fail(err, cerr.code, "%s%s", what, cerr.msg);
			*s = (struct severity){cvss_level(score), score, SEVSRC_CVSS_V4};
		} else if (!strcmp(type, "CVSS_V3") && s->src != SEVSRC_CVSS_V4) {
			if (cvss3_score(vec, &score, &cerr) < 0)
				return ea_fail(err, cerr.code, "%s%s", what, cerr.msg);
			*s = (struct severity){cvss_level(score), score, SEVSRC_CVSS_V3};
		} else if (!strcmp(type, "Ubuntu") && s->src == SEVSRC_NONE) {
			vsev_t v = !strcmp(vec, "negligible") ? VSEV_LOW : vsev_from_string(vec);
			if (v != VSEV_UNKNOWN) *s = (struct severity){v, -1, SEVSRC_ECOSYSTEM};
		}
	}
	return 0;
}

/* Debian's urgency (ecosystem_specific.urgency): unimportant counts as low,
 * "not yet assigned" and "end-of-life" as none given. */
static void debian_urgency(const cJSON *a, struct severity *s)
{
	const cJSON *es = cJSON_GetObjectItemCaseSensitive(a, "ecosystem_specific");
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(es, "urgency");
	if (s->src != SEVSRC_NONE || !cJSON_IsString(u)) return;
	const char *w = u->valuestring;
	vsev_t v = !strcmp(w, "unimportant") ? VSEV_LOW : vsev_from_string(w);
	if (v == VSEV_UNKNOWN || v == VSEV_NONE || v == VSEV_CRITICAL) return;
	*s = (struct severity){v, -1, SEVSRC_ECOSYSTEM};
}

static int parse_affected(const cJSON *a, struct osv_record *r, size_t i, ea_error_t *err)
{
	char what[48];
	snprintf(what, sizeof what, "affected[%zu].", i);
	if (!cJSON_IsObject(a)) return ea_fail(err, EA_E_FORMAT, "%s is not an object", what);
	const cJSON *pkg = cJSON_GetObjectItemCaseSensitive(a, "package");
	int bad = 0;
	const char *eco = str_member(pkg, "ecosystem", &bad), *name = str_member(pkg, "name", &bad);
	if (bad || (pkg && !cJSON_IsObject(pkg)) || (!eco) != (!name))
		return ea_fail(err, EA_E_FORMAT, "%spackage has no ecosystem and name", what);
	if (!eco) return 0; /* GIT-only entry: no package to match */
	struct osv_affected *x = &r->aff[r->naff++];
	x->ecosystem = eco;
	x->name = name;
	x->sev.score10 = -1;
	const cJSON *rgs = cJSON_GetObjectItemCaseSensitive(a, "ranges"), *rg;
	if (rgs && !cJSON_IsArray(rgs) && !cJSON_IsNull(rgs))
		return ea_fail(err, EA_E_FORMAT, "%sranges is not a list", what);
	x->ranges = xcalloc((size_t)cJSON_GetArraySize(rgs) + 1, sizeof(*x->ranges));
	cJSON_ArrayForEach (rg, rgs) {
		if (parse_range(rg, x, what, err) < 0) return -1;
	}
	if (str_list(a, "versions", &x->versions, &x->nversions, what, err) < 0) return -1;
	if (parse_severity(cJSON_GetObjectItemCaseSensitive(a, "severity"), &x->sev, what, err) < 0)
		return -1;
	debian_urgency(a, &x->sev);
	return 0;
}

static int parse_top(const cJSON *j, struct osv_record *r, ea_error_t *err)
{
	int bad = 0;
	r->id = str_member(j, "id", &bad);
	r->modified = str_member(j, "modified", &bad);
	const char *wd = str_member(j, "withdrawn", &bad);
	int64_t t;
	if (bad || !r->id || !r->modified || osv_time(r->modified, &t) < 0 ||
	    (wd && osv_time(wd, &t) < 0))
		return ea_fail(err, EA_E_FORMAT, "no id, or no modified time, or a bad time");
	r->withdrawn = wd != NULL;
	if (str_list(j, "aliases", &r->aliases, &r->naliases, "", err) < 0 ||
	    str_list(j, "related", &r->related, &r->nrelated, "", err) < 0 ||
	    str_list(j, "upstream", &r->related, &r->nrelated, "", err) < 0)
		return -1;
	r->sev.score10 = -1;
	return parse_severity(cJSON_GetObjectItemCaseSensitive(j, "severity"), &r->sev, "", err);
}

int osv_parse(const char *buf, size_t len, struct osv_record *r, ea_error_t *err)
{
	memset(r, 0, sizeof(*r));
	if (len > OSV_RECORD_MAX) return ea_fail(err, EA_E_TOOBIG, "a record over 16 MiB");
	cJSON *j = jsondoc_parse_n(buf, len, OSV_MAX_VALUES);
	if (!j) return ea_fail(err, EA_E_FORMAT, "not one JSON value (or a duplicate member)");
	r->doc = j;
	if (!cJSON_IsObject(j)) return ea_fail(err, EA_E_FORMAT, "not a JSON object");
	if (parse_top(j, r, err) < 0) return -1;
	const cJSON *affs = cJSON_GetObjectItemCaseSensitive(j, "affected"), *a;
	if (affs && !cJSON_IsArray(affs) && !cJSON_IsNull(affs))
		return ea_fail(err, EA_E_FORMAT, "affected is not a list");
	r->aff = xcalloc((size_t)cJSON_GetArraySize(affs) + 1, sizeof(*r->aff));
	size_t i = 0;
	cJSON_ArrayForEach (a, affs) {
		if (parse_affected(a, r, i++, err) < 0) return -1;
	}
	return 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int osv_time(const char *s, int64_t *out)
{
	int y, mo, d, h, mi, se, n = 0;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &se, &n) != 6 || n != 19)
		return -1;
	const char *p = s + 19;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (strcmp(p, "Z") || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return -1;
	*out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
	return 0;
}
