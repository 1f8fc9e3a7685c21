/* cvss: CVSS v3.x and v4.0 base scores (see cvss.h). */
#include "cvss.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

const char *vsev_to_string(vsev_t s)
{
	switch (s) {
	case VSEV_UNKNOWN: return "unknown";
	case VSEV_NONE: return "none";
	case VSEV_LOW: return "low";
	case VSEV_MEDIUM: return "medium";
	case VSEV_HIGH: return "high";
	case VSEV_CRITICAL: return "critical";
	}
	return "unknown";
}

vsev_t vsev_from_string(const char *s)
{
	for (vsev_t v = VSEV_NONE; v <= VSEV_CRITICAL; v++)
		if (s && !strcmp(s, vsev_to_string(v))) return v;
	return VSEV_UNKNOWN;
}

const char *sevsrc_to_string(sevsrc_t s)
{
	switch (s) {
	case SEVSRC_NONE: return "none";
	case SEVSRC_CVSS_V3: return "cvss_v3";
	case SEVSRC_CVSS_V4: return "cvss_v4";
	case SEVSRC_ECOSYSTEM: return "ecosystem";
	}
	return "none";
}

vsev_t cvss_level(int score10)
{
	if (score10 <= 0) return VSEV_NONE;
	if (score10 < 40) return VSEV_LOW;
	if (score10 < 70) return VSEV_MEDIUM;
	if (score10 < 90) return VSEV_HIGH;
	return VSEV_CRITICAL;
}

/* ------------------------------------------------------------ vectors */

/* A metric's value letter in a vector ("AV" -> 'N'); 0 absent; -1 twice or
 * malformed ("/AV:" with no single letter). */
static int metric(const char *vec, const char *name)
{
	size_t n = strlen(name);
	int found = 0;
	for (const char *p = strchr(vec, '/'); p; p = strchr(p + 1, '/')) {
		if (strncmp(p + 1, name, n) || p[1 + n] != ':') continue;
		char v = p[2 + n];
		if (found || !v || v == '/' || (p[3 + n] && p[3 + n] != '/')) return -1;
		found = v;
	}
	return found;
}

/* Every "/KEY:V" component well-formed (letters and digits, one colon). */
static int vector_shape_ok(const char *vec)
{
	const char *p = strchr(vec, '/');
	if (!p || !p[1]) return 0;
	while (p) {
		const char *e = strchr(p + 1, '/'), *c = strchr(p + 1, ':');
		size_t len = e ? (size_t)(e - p - 1) : strlen(p + 1);
		if (!c || (e && c > e) || c == p + 1 || (size_t)(c - p - 1) + 1 >= len) return 0;
		p = e;
	}
	return 1;
}

/* The weight of metric m's value in "LETTER=weight" pairs; -1 not listed. */
static double weight(int v, const char *letters, const double *w)
{
	const char *p = v > 0 ? strchr(letters, v) : NULL;
	return p ? w[p - letters] : -1;
}

/* CVSS 3.1 Roundup (specification 7.4, integer arithmetic against
 * floating-point error). */
static int roundup31(double x)
{
	int64_t i = (int64_t)llround(x * 100000.0);
	if (i % 10000 == 0) return (int)(i / 10000);
	return (int)(i / 10000) + 1;
}

static int roundup30(double x) { return (int)ceil(x * 10.0 - 1e-9); }

struct v3 {
	double av, ac, pr, ui, c, i, a;
	int changed;
};

static int v3_read(const char *vec, struct v3 *m)
{
	static const double av[] = {0.85, 0.62, 0.55, 0.2}, ac[] = {0.77, 0.44};
	static const double pru[] = {0.85, 0.62, 0.27}, prc[] = {0.85, 0.68, 0.5};
	static const double ui[] = {0.85, 0.62}, cia[] = {0.56, 0.22, 0};
	int s = metric(vec, "S");
	if (s != 'U' && s != 'C') return -1;
	m->changed = s == 'C';
	m->av = weight(metric(vec, "AV"), "NALP", av);
	m->ac = weight(metric(vec, "AC"), "LH", ac);
	m->pr = weight(metric(vec, "PR"), "NLH", m->changed ? prc : pru);
	m->ui = weight(metric(vec, "UI"), "NR", ui);
	m->c = weight(metric(vec, "C"), "HLN", cia);
	m->i = weight(metric(vec, "I"), "HLN", cia);
	m->a = weight(metric(vec, "A"), "HLN", cia);
	if (m->av < 0 || m->ac < 0 || m->pr < 0 || m->ui < 0 || m->c < 0 || m->i < 0 || m->a < 0)
		return -1;
	return 0;
}

int cvss3_score(const char *vector, int *score10, ea_error_t *err)
{
	int v31 = !strncmp(vector, "CVSS:3.1/", 9);
	struct v3 m;
	if ((!v31 && strncmp(vector, "CVSS:3.0/", 9)) || !vector_shape_ok(vector) ||
	    v3_read(vector, &m) < 0)
		return ea_fail(err, EA_E_FORMAT, "not a CVSS v3 base vector: \"%.120s\"", vector);
	double iss = 1 - (1 - m.c) * (1 - m.i) * (1 - m.a);
	double impact = m.changed ? 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15) : 6.42 * iss;
	double expl = 8.22 * m.av * m.ac * m.pr * m.ui;
	if (impact <= 0) {
		*score10 = 0;
		return 0;
	}
	double base = m.changed ? 1.08 * (impact + expl) : impact + expl;
	if (base > 10) base = 10;
	*score10 = v31 ? roundup31(base) : roundup30(base);
	return 0;
}

int cvss4_score(const char *vector, int *score10, ea_error_t *err)
{
	(void)score10;
	if (strncmp(vector, "CVSS:4.0/", 9) || !vector_shape_ok(vector))
		return ea_fail(err, EA_E_FORMAT, "not a CVSS v4.0 vector: \"%.120s\"", vector);
	return ea_fail(err, EA_E_UNSUPPORTED, "CVSS v4.0 scores are not computed yet");
}
