/* The console summary (src/report/summary.c, finding_text.c): every
 * finding id has a phrase and a hint; lines wrap at spaces within 80
 * columns, never cut; findings are grouped under the image they are about
 * (by digest, layer folder, store), the worst group first, in the rows
 * given, the rest counted. */
#include <stdlib.h>

#include "model.h"
#include "report.h"
#include "summary.h"
#include "unit.h"

UNIT_TEST(summary_every_id_has_a_phrase_and_a_hint)
{
	for (unsigned i = 0; i < finding_kinds_count; i++) {
		const char *id = finding_kinds[i].id, *noun = NULL;
		const char *p = finding_phrase(id, &noun);
		if (!p) fprintf(stderr, "# no phrase: %s\n", id);
		CHECK(p != NULL);
		CHECK(strlen(p) + (noun ? strlen(noun) + 1 : 0) <= 44);
		CHECK(finding_hint(id) && finding_hint(id)[0]);
	}
	CHECK_EQ_STR(finding_hint("layer.file_added"), finding_hint("layer.file_modified"));
	CHECK(strcmp(finding_hint("store.unreadable"), finding_hint("blob.missing")));
}

/* Each line of s: at most 80 columns, printable ASCII. */
static int lines_fit(const char *s)
{
	size_t col = 0;
	for (const char *p = s; *p; p++) {
		if (*p == '\n') {
			col = 0;
			continue;
		}
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e || ++col > TEXT_COLS)
			return 0;
	}
	return 1;
}

UNIT_TEST(summary_wraps_at_spaces_never_cuts)
{
	ea_buf_t b;
	ea_buf_init(&b, 1 << 16);
	const char *words =
	        "  HIGH a store file of /var/lib/docker/image/overlay2/repositories.json "
	        "could not be read because the disk returned an input/output error "
	        "[store.unreadable]";
	unsigned n = text_wrap(&b, 7, words);
	CHECK_EQ_INT(n, text_wrap(NULL, 7, words));
	CHECK(n == 3);
	CHECK(lines_fit(b.data));
	CHECK(!strstr(b.data, "..."));
	/* joined back at the breaks, every word is whole */
	char joined[512] = "";
	for (char *l = strtok(b.data, "\n"); l; l = strtok(NULL, "\n")) {
		while (*l == ' ' && joined[0]) l++;
		if (joined[0]) strcat(joined, " ");
		strcat(joined, l);
	}
	CHECK_EQ_STR(joined, words);
	ea_buf_free(&b);
	/* a path longer than a line breaks after a '/' */
	ea_buf_init(&b, 1 << 16);
	char path[200] = "file ";
	for (int i = 0; i < 12; i++) strcat(path, "/abcdefghijkl");
	text_wrap(&b, 4, path);
	CHECK(lines_fit(b.data));
	CHECK(strstr(b.data, "/\n    abcdefghijkl") != NULL);
	ea_buf_free(&b);
}

static struct image *image_with_layers(const char *store, const char *name, const char *seed)
{
	struct image *img = model_image_new(store);
	image_add_name(img, name);
	digest_buffer(DIGEST_SHA256, seed, strlen(seed), &img->manifest_digest);
	for (int i = 0; i < 3; i++) {
		char s[64];
		snprintf(s, sizeof s, "%s-layer%d", seed, i);
		struct layer *l = image_add_layer(img);
		digest_buffer(DIGEST_SHA256, s, strlen(s), &l->blob.digest);
	}
	return img;
}

UNIT_TEST(summary_groups_findings_by_image_worst_first)
{
	report_t *r = report_new();
	struct image *a = image_with_layers("oci:/data/a", "localhost/app:1", "a");
	struct image *b = image_with_layers("oci:/data/b", "localhost/db:2", "b");
	struct image *c = image_with_layers("oci:/data/c", "localhost/ok:3", "c");
	image_raise(a, VERDICT_INCOMPLETE);
	image_raise(b, VERDICT_FAIL);
	char bl[160];
	snprintf(bl, sizeof bl, "%s", b->layers[1].blob.digest.str);
	report_finding(r, "store.unreadable", a->layers[2].blob.digest.str, "oci:/data/a: EIO");
	report_finding(r, "blob.digest_mismatch", bl, "oci:/data/b: content hashes to x");
	model_image_commit(r, a);
	model_image_commit(r, b);
	model_image_commit(r, c);
	ea_buf_t out;
	ea_buf_init(&out, 1 << 16);
	report_lock(r);
	summary_groups(&out, r, report_findings(r), SEV_HIGH, 22);
	report_unlock(r);
	const char *s = out.data ? out.data : "";
	fprintf(stderr, "%s", s);
	const char *fb = strstr(s, "FAIL image localhost/db:2 (oci:/data/b)");
	const char *fa = strstr(s, "INCOMPLETE image localhost/app:1 (oci:/data/a)");
	CHECK(fb && fa && fb < fa); /* the failing image first */
	CHECK(strstr(s, "  CRIT layer 2 of 3 altered (digest differs) [blob.digest_mismatch]"));
	CHECK(strstr(s, "  HIGH store file unreadable"));
	CHECK(strstr(s, "  -> the store's disk may be failing"));
	CHECK(strstr(s, "PASS 1 other image\n"));
	CHECK(lines_fit(s));
	ea_buf_free(&out);
	/* two rows: no room for a group, everything counted */
	ea_buf_init(&out, 1 << 16);
	report_lock(r);
	summary_groups(&out, r, report_findings(r), SEV_HIGH, 2);
	report_unlock(r);
	CHECK(out.data && strstr(out.data, "and 2 more findings: see the JSON report"));
	ea_buf_free(&out);
	report_free(r);
}
