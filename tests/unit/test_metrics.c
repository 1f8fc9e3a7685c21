/* The Prometheus metrics (src/report/metrics.[ch]): label values escaped
 * as the exposition format says and always valid UTF-8, the .prom rule,
 * a fixed order, one series per store and image (the worst verdict of the
 * images sharing it), and the cap on image series. */
#include <stdlib.h>

#include "metrics.h"
#include "model.h"
#include "report.h"
#include "unit.h"

static int escapes_to(const char *in, const char *want)
{
	char *got = metrics_escape_label(in);
	int same = !strcmp(got, want);
	if (!same) fprintf(stderr, "#   escape: got '%s', want '%s'\n", got, want);
	free(got);
	return same;
}

UNIT_TEST(metrics_label_values_escaped_as_the_format_says)
{
	CHECK(escapes_to("plain:1.0", "plain:1.0"));
	CHECK(escapes_to("a\"b\\c\nd", "a\\\"b\\\\c\\nd"));
	CHECK(escapes_to("\\\\\"\"", "\\\\\\\\\\\"\\\""));
	CHECK(escapes_to("", ""));
	CHECK(escapes_to(NULL, ""));
	/* Valid UTF-8 stays; anything else, and other control bytes, is '?'. */
	CHECK(escapes_to("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3",
	                 "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3"));
	CHECK(escapes_to("a\xff"
	                 "b",
	                 "a?b"));
	CHECK(escapes_to("\xc3", "?"));                /* cut short */
	CHECK(escapes_to("\xc0\xaf", "??"));           /* overlong '/' */
	CHECK(escapes_to("\xed\xa0\x80", "???"));      /* a surrogate */
	CHECK(escapes_to("\xf4\x90\x80\x80", "????")); /* past U+10FFFF */
	CHECK(escapes_to("t\tr\r\x7f", "t?r??"));
}

UNIT_TEST(metrics_file_name_must_end_in_prom)
{
	CHECK(metrics_path_ok("edgeaudit.prom"));
	CHECK(metrics_path_ok("/var/lib/node_exporter/textfile_collector/edgeaudit.prom"));
	CHECK(metrics_path_ok("./x.prom"));
	CHECK(!metrics_path_ok(".prom"));
	CHECK(!metrics_path_ok("/var/lib/.prom"));
	CHECK(!metrics_path_ok("edgeaudit.txt"));
	CHECK(!metrics_path_ok("edgeaudit.prom.tmp"));
	CHECK(!metrics_path_ok("edgeaudit.PROM"));
	CHECK(!metrics_path_ok("dir.prom/"));
	CHECK(!metrics_path_ok(""));
}

static void add_image(report_t *r, const char *store, const char *name, const char *mdata,
                      verdict_t v)
{
	struct image *img = model_image_new(store);
	if (name) image_add_name(img, name);
	digest_buffer(DIGEST_SHA256, mdata, strlen(mdata), &img->manifest_digest);
	image_raise(img, v);
	model_image_commit(r, img);
}

static char *render(report_t *r, int code)
{
	struct metrics_run run = {.fail_on = SEV_HIGH,
	                          .exit_code = code,
	                          .duration_ms = 1234,
	                          .finished_unix = 1700000000.5};
	char *out = NULL;
	size_t len = 0;
	ea_error_t err = {0};
	if (metrics_render(r, &run, &out, &len, &err) < 0) return NULL;
	if (strlen(out) != len || len == 0 || out[len - 1] != '\n') {
		free(out);
		return NULL;
	}
	return out;
}

/* Where line (a whole line) is in s, or NULL. */
static const char *line_at(const char *s, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = s; (p = strstr(p, line)); p++)
		if ((p == s || p[-1] == '\n') && p[n] == '\n') return p;
	return NULL;
}

UNIT_TEST(metrics_render_values_in_a_fixed_order)
{
	report_t *r = report_new();
	/* committed out of order; two platforms of one name, one failing */
	add_image(r, "oci:/z", "zeta:1", "z", VERDICT_PASS);
	add_image(r, "oci:/a", "multi:1", "m-amd64", VERDICT_PASS);
	add_image(r, "oci:/a", NULL, "anon", VERDICT_PASS);
	add_image(r, "oci:/a", "multi:1", "m-arm64", VERDICT_FAIL);
	add_image(r, "oci:/a", "we\"ird\\name", "w", VERDICT_PASS);
	report_finding(r, "store.not_found", "/gone", "gone");
	report_finding(r, "blob.digest_mismatch", "sha256:1", "x");
	report_finding(r, "blob.digest_mismatch", "sha256:2", "y");
	char *m = render(r, 1);
	CHECK(m);
	char anon[256];
	digest_t d;
	digest_buffer(DIGEST_SHA256, "anon", 4, &d);
	snprintf(anon, sizeof anon,
	         "edgeaudit_image_verdict{store=\"oci:/a\",image=\"%s\",verdict=\"pass\"} 1",
	         d.str);
	const char *want[] = {
	        "# TYPE edgeaudit_info gauge",
	        "edgeaudit_verdict{verdict=\"pass\"} 0",
	        "edgeaudit_verdict{verdict=\"fail\"} 1",
	        "edgeaudit_verdict{verdict=\"incomplete\"} 0",
	        "edgeaudit_exit_code 1",
	        "edgeaudit_findings{severity=\"critical\"} 2",
	        "edgeaudit_findings{severity=\"high\"} 0",
	        "edgeaudit_findings{severity=\"medium\"} 1",
	        "edgeaudit_findings{severity=\"info\"} 0",
	        "edgeaudit_findings_by_id{id=\"blob.digest_mismatch\"} 2",
	        "edgeaudit_findings_by_id{id=\"store.not_found\"} 1",
	        "edgeaudit_images_checked 5",
	        "# TYPE edgeaudit_image_verdict gauge",
	        "edgeaudit_image_verdict{store=\"oci:/a\",image=\"multi:1\",verdict=\"fail\"} 1",
	        anon, /* "sha256:..." */
	        "edgeaudit_image_verdict{store=\"oci:/"
	        "a\",image=\"we\\\"ird\\\\name\",verdict=\"pass\"} 1",
	        "edgeaudit_image_verdict{store=\"oci:/z\",image=\"zeta:1\",verdict=\"pass\"} 1",
	        "edgeaudit_image_series_dropped 0",
	        "edgeaudit_duration_seconds 1.234",
	        "edgeaudit_last_run_timestamp_seconds 1700000000.500",
	};
	const char *prev = m;
	for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++) {
		const char *at = line_at(m, want[i]);
		if (!at || at < prev) fprintf(stderr, "#   missing or out of order: %s\n", want[i]);
		CHECK(at && at >= prev);
		prev = at;
	}
	CHECK(!strstr(m, "multi:1\",verdict=\"pass\"")); /* one series for the two platforms */
	char *again = render(r, 1);
	CHECK(again && !strcmp(m, again));
	free(again);
	free(m);
	report_free(r);
}

UNIT_TEST(metrics_image_series_capped_worst_kept)
{
	report_t *r = report_new();
	char name[32];
	for (int i = 0; i < METRICS_MAX_IMAGE_SERIES + 100; i++) {
		snprintf(name, sizeof name, "img-%04d", i);
		add_image(r, "oci:/big", name, name, i % 200 == 199 ? VERDICT_FAIL : VERDICT_PASS);
	}
	report_finding(r, "blob.digest_mismatch", "sha256:1", "x");
	char *m = render(r, 1);
	CHECK(m);
	int series = 0;
	for (const char *p = m; (p = strstr(p, "\nedgeaudit_image_verdict{")); p++) series++;
	CHECK_EQ_INT(series, METRICS_MAX_IMAGE_SERIES);
	CHECK(line_at(m, "edgeaudit_image_series_dropped 100"));
	CHECK(line_at(m, "edgeaudit_images_checked 600"));
	CHECK(line_at(m, "# edgeaudit: 100 of 600 image series left out (the limit is 500): see "
	                 "edgeaudit_image_series_dropped"));
	/* the failing ones are kept, past the first 500 names too */
	CHECK(strstr(m, "image=\"img-0599\",verdict=\"fail\""));
	CHECK(strstr(m, "image=\"img-0399\",verdict=\"fail\""));
	CHECK(!strstr(m, "image=\"img-0598\""));
	free(m);
	report_free(r);
}

UNIT_TEST(metrics_render_a_run_without_images)
{
	report_t *r = report_new();
	char *m = render(r, 0);
	CHECK(m);
	CHECK(line_at(m, "edgeaudit_verdict{verdict=\"pass\"} 1"));
	CHECK(line_at(m, "edgeaudit_images_checked 0"));
	CHECK(line_at(m, "# TYPE edgeaudit_image_verdict gauge"));
	CHECK(!strstr(m, "\nedgeaudit_image_verdict{"));
	CHECK(!strstr(m, "\nedgeaudit_findings_by_id{"));
	CHECK(line_at(m, "edgeaudit_image_series_dropped 0"));
	free(m);
	report_free(r);
}
