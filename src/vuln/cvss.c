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

/* ------------------------------------------------------------ CVSS v4.0 */

/* The specification's MacroVector scores in tenths (FIRST, CVSS v4.0,
 * section 8.2's lookup table, as its reference calculator ships it),
 * indexed by EQ1 (0-2), EQ2 (0-1), EQ3 (0-2), EQ4 (0-2), EQ5 (0-2), EQ6
 * (0-1); -1: no such MacroVector. */
static const signed char v4_lookup[324] = {
        100, 99, 98, 95, 95, 92, 100, 96, 93, 87, 91, 81, 93, 90, 89, 80, 81, 68, 98, 95, 95, 92,
        90,  84, 93, 92, 89, 81, 81,  65, 88, 80, 78, 70, 69, 48, -1, 92, -1, 82, -1, 72, -1, 79,
        -1,  69, -1, 50, -1, 69, -1,  55, -1, 27, 99, 97, 95, 92, 92, 85, 95, 91, 90, 83, 84, 71,
        92,  81, 82, 71, 72, 53, 95,  93, 92, 85, 85, 73, 92, 82, 80, 72, 70, 59, 84, 70, 71, 52,
        50,  30, -1, 86, -1, 75, -1,  52, -1, 71, -1, 52, -1, 29, -1, 63, -1, 29, -1, 17, 98, 95,
        94,  87, 91, 81, 94, 89, 86,  74, 77, 64, 87, 75, 74, 63, 63, 49, 94, 89, 88, 77, 76, 67,
        86,  76, 74, 58, 59, 50, 72,  57, 57, 52, 52, 25, -1, 83, -1, 70, -1, 54, -1, 65, -1, 58,
        -1,  26, -1, 53, -1, 21, -1,  13, 95, 90, 88, 76, 76, 70, 90, 77, 75, 62, 61, 53, 77, 66,
        68,  59, 52, 30, 89, 78, 76,  67, 62, 58, 74, 59, 57, 57, 47, 23, 61, 52, 57, 29, 24, 16,
        -1,  71, -1, 59, -1, 30, -1,  58, -1, 26, -1, 15, -1, 23, -1, 13, -1, 6,  93, 87, 86, 72,
        75,  58, 86, 74, 74, 61, 56,  34, 70, 54, 52, 40, 40, 22, 85, 75, 74, 55, 62, 51, 72, 57,
        55,  41, 46, 19, 53, 36, 34,  19, 19, 8,  -1, 64, -1, 51, -1, 20, -1, 47, -1, 21, -1, 11,
        -1,  24, -1, 9,  -1, 4,  88,  75, 73, 53, 60, 50, 73, 55, 59, 40, 41, 20, 54, 43, 45, 22,
        20,  11, 75, 55, 58, 45, 40,  21, 61, 51, 48, 18, 20, 9,  46, 18, 17, 7,  8,  2,  -1, 53,
        -1,  24, -1, 14, -1, 24, -1,  12, -1, 5,  -1, 10, -1, 3,  -1, 1,
};

static int v4_score_of(const int eq[6])
{
	if (eq[0] > 2 || eq[1] > 1 || eq[2] > 2 || eq[3] > 2 || eq[4] > 2 || eq[5] > 1) return -1;
	return v4_lookup[((((eq[0] * 2 + eq[1]) * 3 + eq[2]) * 3 + eq[3]) * 3 + eq[4]) * 2 + eq[5]];
}

/* Base metrics in the order the distances use; severity levels in tenths
 * (the specification's: a higher level is less severe). */
enum { AV, PR, UI, AC, AT, VC, VI, VA, SC, SI, SA, NV4 };
static const char *const v4_names[NV4] = {"AV", "PR", "UI", "AC", "AT", "VC",
                                          "VI", "VA", "SC", "SI", "SA"};
static const char *const v4_values[NV4] = {"NALP", "NLH", "NPA", "LH",  "NP", "HLN",
                                           "HLN",  "HLN", "HLN", "HLN", "HLN"};

/* Level of value v of metric i: its index, +1 for SC/SI/SA (S, safety, is 0). */
static int v4_level(int i, char v)
{
	if (i >= SC && v == 'S') return 0;
	int k = (int)(strchr(v4_values[i], v) - v4_values[i]);
	return i >= SC ? k + 1 : k;
}

/* The highest-severity vectors of each EQ's MacroVector (the
 * specification's maxComposed), over the metrics each EQ covers. */
static const char *const eq1_max[3][3] = {{"AV:N/PR:N/UI:N"},
                                          {"AV:A/PR:N/UI:N", "AV:N/PR:L/UI:N", "AV:N/PR:N/UI:P"},
                                          {"AV:P/PR:N/UI:N", "AV:A/PR:L/UI:P"}};
static const char *const eq2_max[2][2] = {{"AC:L/AT:N"}, {"AC:H/AT:N", "AC:L/AT:P"}};
/* EQ3 x EQ6: VC VI VA and CR IR AR (the base score takes CR IR AR as H) */
static const char *const eq36_max[3][2][5] = {
        {{"VC:H/VI:H/VA:H/CR:H/IR:H/AR:H"},
         {"VC:H/VI:H/VA:L/CR:M/IR:M/AR:H", "VC:H/VI:H/VA:H/CR:M/IR:M/AR:M"}},
        {{"VC:L/VI:H/VA:H/CR:H/IR:H/AR:H", "VC:H/VI:L/VA:H/CR:H/IR:H/AR:H"},
         {"VC:L/VI:H/VA:L/CR:H/IR:M/AR:H", "VC:L/VI:H/VA:H/CR:H/IR:M/AR:M",
          "VC:H/VI:L/VA:H/CR:M/IR:H/AR:M", "VC:H/VI:L/VA:L/CR:M/IR:H/AR:H",
          "VC:L/VI:L/VA:H/CR:H/IR:H/AR:M"}},
        {{NULL}, {"VC:L/VI:L/VA:L/CR:H/IR:H/AR:H"}}};
static const char *const eq4_max[3] = {"SC:H/SI:S/SA:S", "SC:H/SI:H/SA:H", "SC:L/SI:L/SA:L"};
/* maximal severity distances (+1) of each EQ's MacroVectors, in tenths */
static const int eq1_depth[3] = {1, 4, 5}, eq2_depth[2] = {1, 2}, eq4_depth[3] = {6, 5, 4};
static const int eq36_depth[3][2] = {{7, 6}, {8, 8}, {0, 10}};

/* Distances (in tenths) of the vector's levels from a max vector's parts:
 * d[] per metric, plus the CR/IR/AR part (base: H, level 0) in *cia. */
static void v4_parts(const char *part, int d[NV4], int *cia, const int lv[NV4])
{
	static const char *const env[] = {"CR", "IR", "AR"};
	for (const char *p = part; p && *p; p = strchr(p, '/') ? strchr(p, '/') + 1 : NULL) {
		for (int i = 0; i < NV4; i++)
			if (!strncmp(p, v4_names[i], 2) && p[2] == ':')
				d[i] = lv[i] - v4_level(i, p[3]);
		for (int k = 0; k < 3; k++)
			if (!strncmp(p, env[k], 2) && p[2] == ':')
				*cia += 0 - (p[3] == 'H' ? 0 : p[3] == 'M' ? 1 : 2);
	}
}
static int v4_read(const char *vec, int lv[NV4])
{
	for (int i = 0; i < NV4; i++) {
		int v = metric(vec, v4_names[i]);
		if (v <= 0 || !strchr(v4_values[i], v)) return -1;
		lv[i] = v4_level(i, (char)v);
	}
	return 0;
}

/* The MacroVector (EQ1..EQ6) of a base vector: E as A, CR IR AR as H, no
 * modified metrics (the specification's defaults for what is not given). */
static void v4_macro(const int l[NV4], int eq[6])
{
	int avn = l[AV] == 0, prn = l[PR] == 0, uin = l[UI] == 0, anyh = !l[VC] || !l[VI] || !l[VA];
	eq[0] = avn && prn && uin ? 0 : (avn || prn || uin) && l[AV] != 3 ? 1 : 2;
	eq[1] = l[AC] == 0 && l[AT] == 0 ? 0 : 1;
	eq[2] = !l[VC] && !l[VI] ? 0 : anyh ? 1 : 2;
	eq[3] = l[SC] == 1 || l[SI] == 1 || l[SA] == 1 ? 1 : 2;
	eq[4] = 0;
	eq[5] = anyh ? 0 : 1;
}

static double v4_at(const int eq[6], int which, int by)
{
	int e[6];
	memcpy(e, eq, sizeof e);
	e[which] += by;
	int s = v4_score_of(e);
	return s < 0 ? NAN : s / 10.0;
}

/* The next lower MacroVectors' scores (NaN: none), EQ3 and EQ6 together. */
static void v4_lower(const int eq[6], double low[5])
{
	low[0] = v4_at(eq, 0, 1);
	low[1] = v4_at(eq, 1, 1);
	low[3] = v4_at(eq, 3, 1);
	low[4] = v4_at(eq, 4, 1);
	if (eq[2] == 0 && eq[5] == 0) {
		double left = v4_at(eq, 5, 1), right = v4_at(eq, 2, 1);
		low[2] = left > right ? left : right;
	} else if (eq[2] == 1 && eq[5] == 0) {
		low[2] = v4_at(eq, 5, 1);
	} else if (eq[2] == 2 && eq[5] == 1) {
		low[2] = NAN; /* 21 -> 32 does not exist */
	} else {
		low[2] = v4_at(eq, 2, 1);
	}
}

/* Severity distances (tenths) from the first max vector the vector does not
 * exceed, per EQ: cur[0..3] (EQ5 is always 0); the last one if none. */
static void v4_distances(const int lv[NV4], const int eq[6], int cur[4])
{
	const char *const *m1 = eq1_max[eq[0]], *const *m2 = eq2_max[eq[1]];
	const char *const *m3 = eq36_max[eq[2]][eq[5]];
	int d[NV4] = {0}, cia = 0, found = 0;
	for (int a = 0; a < 3 && m1[a] && !found; a++)
		for (int b = 0; b < 2 && m2[b] && !found; b++)
			for (int c = 0; c < 5 && m3[c] && !found; c++) {
				memset(d, 0, sizeof d);
				cia = 0;
				v4_parts(m1[a], d, &cia, lv);
				v4_parts(m2[b], d, &cia, lv);
				v4_parts(m3[c], d, &cia, lv);
				v4_parts(eq4_max[eq[3]], d, &cia, lv);
				found = cia >= 0;
				for (int i = 0; i < NV4; i++) found &= d[i] >= 0;
			}
	cur[0] = d[AV] + d[PR] + d[UI];
	cur[1] = d[AC] + d[AT];
	cur[2] = d[VC] + d[VI] + d[VA] + cia;
	cur[3] = d[SC] + d[SI] + d[SA];
}

int cvss4_score(const char *vector, int *score10, ea_error_t *err)
{
	int lv[NV4], eq[6], cur[4];
	if (strncmp(vector, "CVSS:4.0/", 9) || !vector_shape_ok(vector) || v4_read(vector, lv) < 0)
		return ea_fail(err, EA_E_FORMAT, "not a CVSS v4.0 base vector: \"%.120s\"", vector);
	if (lv[VC] == 2 && lv[VI] == 2 && lv[VA] == 2 && lv[SC] == 3 && lv[SI] == 3 &&
	    lv[SA] == 3) {
		*score10 = 0; /* no impact at all */
		return 0;
	}
	v4_macro(lv, eq);
	double value = v4_score_of(eq) / 10.0, low[5], sum = 0;
	v4_lower(eq, low);
	v4_distances(lv, eq, cur);
	const int depth[4] = {eq1_depth[eq[0]], eq2_depth[eq[1]], eq36_depth[eq[2]][eq[5]],
	                      eq4_depth[eq[3]]};
	int n = 0;
	for (int k = 0; k < 5; k++) {
		if (isnan(low[k])) continue;
		n++;
		if (k < 4) sum += (value - low[k]) * ((double)cur[k] / depth[k]);
	}
	if (n) value -= sum / n;
	if (value < 0) value = 0;
	if (value > 10) value = 10;
	*score10 = (int)floor((value + 1e-6) * 10 + 0.5); /* half up, past a float's ULP */
	return 0;
}
