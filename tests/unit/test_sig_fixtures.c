/* The fail-closed matrix: OCI layouts signed by real producers (openssl,
 * node's crypto, @sigstore/sign) by tests/sigstore/fixtures.js, each with a
 * policy file in our format and the outcome it must have.  Runs when
 * EDGEAUDIT_SIG_FIXTURES names the generated folder (tests/integration/
 * test_sig.sh does that); every case prints one "#   case" line. */
#include <stdlib.h>
#include <string.h>

#include "test_sig_helpers.h"
#include "unit.h"

/* The signature.* and blob.* finding ids of a report, sorted, comma-joined. */
static void finding_ids(report_t *rep, char *out, size_t n)
{
	char *s = report_render_json(rep, SEV_HIGH, 0, 0);
	cJSON *j = s ? cJSON_Parse(s) : NULL;
	free(s);
	const char *ids[64];
	int k = 0;
	const cJSON *f = j ? cJSON_GetObjectItemCaseSensitive(j, "findings") : NULL;
	for (const cJSON *x = f ? f->child : NULL; x && k < 64; x = x->next) {
		const char *id = sjson_str(x, "id");
		if (id && (!strncmp(id, "signature.", 10) || !strncmp(id, "blob.", 5)))
			ids[k++] = id;
	}
	for (int a = 0; a < k; a++) /* insertion sort, then unique */
		for (int b = a + 1; b < k; b++)
			if (strcmp(ids[b], ids[a]) < 0) {
				const char *t = ids[a];
				ids[a] = ids[b];
				ids[b] = t;
			}
	out[0] = '\0';
	for (int a = 0; a < k; a++) {
		if (a && !strcmp(ids[a], ids[a - 1])) continue;
		size_t l = strlen(out);
		snprintf(out + l, n - l, "%s%s", l ? "," : "", ids[a]);
	}
	if (!out[0]) snprintf(out, n, "-");
	cJSON_Delete(j);
}

static void sort_list(char *s)
{
	char *parts[32];
	int k = 0;
	for (char *t = strtok(s, ","); t && k < 32; t = strtok(NULL, ",")) parts[k++] = t;
	for (int a = 0; a < k; a++)
		for (int b = a + 1; b < k; b++)
			if (strcmp(parts[b], parts[a]) < 0) {
				char *t = parts[a];
				parts[a] = parts[b];
				parts[b] = t;
			}
	char buf[512] = "";
	for (int a = 0; a < k; a++) {
		size_t l = strlen(buf);
		snprintf(buf + l, sizeof buf - l, "%s%s", l ? "," : "", parts[a]);
	}
	strcpy(s, buf);
}

UNIT_TEST(sig_fixture_matrix)
{
	const char *fx = getenv("EDGEAUDIT_SIG_FIXTURES");
	if (!fx || !*fx)
		UNIT_SKIP("EDGEAUDIT_SIG_FIXTURES not set (tests/integration/test_sig.sh generates "
		          "them)");
	size_t l;
	char *tsv = tsig_read(tsig_path("%s/cases.tsv", fx), &l);
	if (!tsv) UNIT_SKIP("no cases.tsv");
	int n = 0, bad = 0;
	for (char *line = tsv, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next) *next++ = '\0';
		char name[128], layout[128], ref[128], image[256], pol[256], want[512];
		int rc_want;
		if (sscanf(line, "%127[^\t]\t%127[^\t]\t%127[^\t]\t%255[^\t]\t%255[^\t]\t%d\t%511s",
		           name, layout, ref, image, pol, &rc_want, want) != 7)
			continue;
		n++;
		struct sig_policy *p = NULL;
		ea_error_t err;
		char dir[1024], pp[1024], got[512];
		snprintf(dir, sizeof dir, "%s/%s", fx, layout);
		snprintf(pp, sizeof pp, "%s/%s", fx, pol);
		int rc = -9;
		if (sig_policy_load(pp, NULL, NULL, &p, &err) < 0) {
			snprintf(got, sizeof got, "policy: %s", err.msg);
		} else {
			report_t *rep = report_new();
			cJSON *img = NULL;
			rc = tsig_run_layout(dir, ref, image, p, rep, &img);
			finding_ids(rep, got, sizeof got);
			cJSON_Delete(img);
			report_free(rep);
			sig_policy_free(p);
		}
		if (strcmp(want, "-")) sort_list(want);
		int ok = rc == rc_want && !strcmp(got, want);
		if (!ok) bad++;
		fprintf(stderr, "#   case %s: %s (rc %d, findings %s)%s%s\n", name,
		        ok ? "ok" : "FAIL", rc, got, ok ? "" : " want ", ok ? "" : want);
	}
	free(tsv);
	fprintf(stderr, "#   fixture matrix: %d cases, %d wrong\n", n, bad);
	CHECK(n >= 15);
	CHECK_EQ_INT(bad, 0);
}
