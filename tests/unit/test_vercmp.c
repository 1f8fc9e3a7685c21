/* Unit tests of the version order against dpkg's and apk-tools' own vectors
 * and osv-scalibr's 28,421 pairs checked against real dpkg and apk
 * (../shared/testdata/versions): zero disagreements. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "vercmp.h"

static FILE *open_vec(const char *rel)
{
	const char *root = unit_shared_testdata();
	if (!root) return NULL;
	char path[4096];
	snprintf(path, sizeof path, "%s/versions/%s", root, rel);
	return fopen(path, "r");
}

static int sign(int r) { return r < 0 ? -1 : r > 0; }

/* "A OP B" lines (OP one of < = >), '#' comments: returns disagreements,
 * *n the pairs read; each is checked both ways (antisymmetry). */
static int run_pairs(FILE *f, int (*cmp)(const char *, const char *), int *n)
{
	char line[512], a[256], op[8], b[256];
	int bad = 0;
	*n = 0;
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#' || sscanf(line, "%255s %7s %255s", a, op, b) != 3) continue;
		int want = op[0] == '<' ? -1 : op[0] == '>' ? 1 : 0;
		(*n)++;
		if (sign(cmp(a, b)) != want || sign(cmp(b, a)) != -want) {
			fprintf(stderr, "#   disagree: %s %s %s (got %d)\n", a, op, b, cmp(a, b));
			bad++;
		}
	}
	fclose(f);
	return bad;
}

UNIT_TEST(vercmp_dpkg_own_vectors)
{
	FILE *f = open_vec("dpkg-version-cmp.txt");
	if (!f) UNIT_SKIP("../shared/testdata/versions/dpkg-version-cmp.txt is absent");
	char a[256], b[256];
	int want, n = 0, bad = 0;
	while (fscanf(f, "%255s %255s %d", a, b, &want) == 3) {
		n++;
		if (sign(vercmp_dpkg(a, b)) != want) {
			fprintf(stderr, "#   disagree: %s %s %d\n", a, b, want);
			bad++;
		}
	}
	fclose(f);
	CHECK_EQ_INT(n, 43);
	CHECK_EQ_INT(bad, 0);
}

UNIT_TEST(vercmp_dpkg_scalibr_pairs)
{
	int n = 0, n2 = 0;
	FILE *f = open_vec("osv-scalibr-pairs/debian-versions-generated.txt");
	if (!f) UNIT_SKIP("../shared/testdata/versions/osv-scalibr-pairs is absent");
	CHECK_EQ_INT(run_pairs(f, vercmp_dpkg, &n), 0);
	CHECK_EQ_INT(n, 14442);
	f = open_vec("osv-scalibr-pairs/debian-versions.txt");
	CHECK(f);
	CHECK_EQ_INT(run_pairs(f, vercmp_dpkg, &n2), 0);
	CHECK_EQ_INT(n2, 30);
}

UNIT_TEST(vercmp_apk_scalibr_pairs)
{
	int n = 0;
	FILE *f = open_vec("osv-scalibr-pairs/alpine-versions-generated.txt");
	if (!f) UNIT_SKIP("../shared/testdata/versions/osv-scalibr-pairs is absent");
	CHECK_EQ_INT(run_pairs(f, vercmp_apk, &n), 0);
	CHECK_EQ_INT(n, 13979);
}

/* One line of apk-tools' test/unit/version.data: "A OP B" (OP true),
 * "A !OP B" (OP false), "V" (valid), "!V" (invalid).  1 agrees. */
static int apk_line(const char *a, const char *op, const char *b)
{
	int neg = op[0] == '!';
	const char *o = op + neg;
	int fuzzy = strchr(o, '~') != NULL;
	int r = sign(vercmp_apk_fuzzy(a, b, fuzzy));
	int ok = (strchr(o, '<') && r < 0) || (strchr(o, '>') && r > 0) ||
	         ((strchr(o, '=') || fuzzy) && r == 0);
	return ok != neg;
}

UNIT_TEST(vercmp_apk_own_vectors)
{
	FILE *f = open_vec("apk-version.data");
	if (!f) UNIT_SKIP("../shared/testdata/versions/apk-version.data is absent");
	char line[512], a[256], op[8], b[256];
	int n = 0, bad = 0;
	while (fgets(line, sizeof line, f)) {
		char *h = strchr(line, '#');
		if (h) *h = '\0';
		int k = sscanf(line, "%255s %7s %255s", a, op, b);
		if (k <= 0) continue;
		n++;
		int ok = k == 3        ? apk_line(a, op, b)
		         : a[0] == '!' ? !vercmp_apk_valid(a + 1)
		                       : vercmp_apk_valid(a);
		if (!ok) {
			fprintf(stderr, "#   disagree: %s", line);
			bad++;
		}
	}
	fclose(f);
	CHECK(n > 700);
	CHECK_EQ_INT(bad, 0);
}

/* osv-scalibr's hand-written Alpine pairs: its own expectations, not real
 * apk's (the file notes where apk versions differ).  Every pair of two valid
 * versions agrees; the pairs that disagree (11 of 778) all hold a version
 * apk-tools itself calls invalid ("1-r", "0..1..0", "a"), where apk stops
 * comparing at the invalid token and scalibr sorts the strings. */
UNIT_TEST(vercmp_apk_scalibr_hand_pairs)
{
	FILE *f = open_vec("osv-scalibr-pairs/alpine-versions.txt");
	if (!f) UNIT_SKIP("../shared/testdata/versions/osv-scalibr-pairs is absent");
	char line[512], a[256], op[8], b[256];
	int n = 0, bad_valid = 0, bad_invalid = 0;
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#' || sscanf(line, "%255s %7s %255s", a, op, b) != 3) continue;
		int want = op[0] == '<' ? -1 : op[0] == '>' ? 1 : 0;
		n++;
		if (sign(vercmp_apk(a, b)) == want) continue;
		if (vercmp_apk_valid(a) && vercmp_apk_valid(b)) {
			fprintf(stderr, "#   disagree (both valid): %s", line);
			bad_valid++;
		} else {
			bad_invalid++;
		}
	}
	fclose(f);
	CHECK_EQ_INT(n, 778);
	CHECK_EQ_INT(bad_valid, 0);
	CHECK_EQ_INT(bad_invalid, 11);
}
