/* metrics: see metrics.h. */
#include "metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "model.h"

/* ---- the output: appends that fail once, checked at the end */

struct mout {
	ea_buf_t b;
	ea_error_t err;
	int failed;
};

static void put_raw(struct mout *o, const char *s, size_t n)
{
	if (!o->failed && ea_buf_append(&o->b, s, n, &o->err) < 0) o->failed = 1;
}

static void put(struct mout *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct mout *o, const char *fmt, ...)
{
	char tmp[512]; /* constant text and numbers only: labels go through put_label */
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	put_raw(o, tmp, n < 0 ? 0 : (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static void put_label(struct mout *o, const char *name, const char *value)
{
	cleanup_free char *e = metrics_escape_label(value);
	put(o, "%s=\"", name);
	put_raw(o, e, strlen(e));
	put_raw(o, "\"", 1);
}

static void family(struct mout *o, const char *name, const char *help)
{
	put(o, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* ---- label values */

/* The length of the valid UTF-8 sequence at s (1-4; Go's rules: no
 * overlong forms, no surrogates, nothing past U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80) return 1;
	size_t n = s[0] >= 0xc2 && s[0] <= 0xdf   ? 2
	           : s[0] >= 0xe0 && s[0] <= 0xef ? 3
	           : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4
	                                          : 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80) return 0; /* also stops at the NUL */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return n;
}

char *metrics_escape_label(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	char *out = xmalloc(2 * strlen((const char *)p) + 1), *w = out;
	while (*p) {
		size_t n = utf8_len(p);
		if (n > 1) {
			memcpy(w, p, n);
			w += n;
			p += n;
			continue;
		}
		unsigned char c = *p++;
		if (c == '\\' || c == '"') *w++ = '\\';
		if (c == '\n') {
			*w++ = '\\';
			c = 'n';
		} else if (n == 0 || c < 0x20 || c == 0x7f) {
			c = '?';
		}
		*w++ = (char)c;
	}
	*w = '\0';
	return out;
}

int metrics_path_ok(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strlen(base);
	return n > 5 && !strcmp(base + n - 5, ".prom");
}

/* ---- the run */

static void put_run(struct mout *o, report_t *r, const struct metrics_run *run)
{
	const char *verdict = report_verdict(r, run->fail_on);
	family(o, "edgeaudit_info",
	       "Always 1: the edgeaudit version and the --fail-on severity the verdict was "
	       "judged at.");
	put(o, "edgeaudit_info{version=\"%s\",fail_on=\"%s\"} 1\n", EDGEAUDIT_VERSION,
	    severity_name(run->fail_on));
	family(o, "edgeaudit_verdict",
	       "The run's verdict: 1 for the one it had (pass, fail or incomplete), 0 for the "
	       "other two.");
	static const char *const verdicts[] = {"pass", "fail", "incomplete"};
	for (unsigned i = 0; i < 3; i++)
		put(o, "edgeaudit_verdict{verdict=\"%s\"} %d\n", verdicts[i],
		    !strcmp(verdict, verdicts[i]));
	family(o, "edgeaudit_exit_code",
	       "The run's exit code: 0 pass, 1 fail, 2 the report could not be written or "
	       "signed, 3 incomplete.");
	put(o, "edgeaudit_exit_code %d\n", run->exit_code);
	family(o, "edgeaudit_findings",
	       "Findings of the run by severity, including those over the report's listing "
	       "limit.");
	for (int s = SEV_CRITICAL; s >= SEV_INFO; s--)
		put(o, "edgeaudit_findings{severity=\"%s\"} %u\n", severity_name((severity_t)s),
		    report_count(r, (severity_t)s));
}

static int cmp_kind(const void *a, const void *b)
{
	return strcmp(finding_kinds[*(const unsigned *)a].id,
	              finding_kinds[*(const unsigned *)b].id);
}

static void put_findings_by_id(struct mout *o, report_t *r)
{
	cleanup_free unsigned *count = xcalloc(finding_kinds_count, sizeof *count);
	cleanup_free unsigned *order = xcalloc(finding_kinds_count, sizeof *order);
	report_lock(r);
	cJSON *f;
	cJSON_ArrayForEach (f, report_findings(r)) {
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "id"));
		const struct finding_kind *k = id ? finding_kind_lookup(id) : NULL;
		if (k) count[k - finding_kinds]++;
	}
	report_unlock(r);
	unsigned n = 0;
	for (unsigned i = 0; i < finding_kinds_count; i++)
		if (count[i]) order[n++] = i;
	qsort(order, n, sizeof *order, cmp_kind);
	family(o, "edgeaudit_findings_by_id",
	       "Findings of the run by finding id (see the README's table), those listed in "
	       "the report; an id that did not occur has no series.");
	for (unsigned i = 0; i < n; i++)
		put(o, "edgeaudit_findings_by_id{id=\"%s\"} %u\n", finding_kinds[order[i]].id,
		    count[order[i]]);
}

/* ---- the images */

struct series {
	const char *store, *image;
	verdict_t verdict;
};

struct series_list {
	struct series *v;
	size_t n, cap;
};

static const char *image_label(const struct image *img)
{
	if (img->nnames > 0 && img->names[0] && img->names[0][0]) return img->names[0];
	if (img->manifest_digest.str[0]) return img->manifest_digest.str;
	if (img->config.str[0]) return img->config.str;
	return "(none)";
}

static void collect_image(struct image *img, void *arg)
{
	struct series_list *l = arg;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] =
	        (struct series){img->store ? img->store : "", image_label(img), img->verdict};
}

static int cmp_key(const void *a, const void *b)
{
	const struct series *x = a, *y = b;
	int c = strcmp(x->store, y->store);
	return c ? c : strcmp(x->image, y->image);
}

/* The worst first, then by key: the ones kept under the limit. */
static int cmp_worst(const void *a, const void *b)
{
	const struct series *x = a, *y = b;
	if (x->verdict != y->verdict) return x->verdict > y->verdict ? -1 : 1;
	return cmp_key(a, b);
}

/* Sorted by key, equal keys merged into the worst verdict. */
static void merge_equal(struct series_list *l)
{
	if (l->n == 0) return; /* l->v is NULL: no qsort */
	qsort(l->v, l->n, sizeof *l->v, cmp_key);
	size_t w = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (w > 0 && !cmp_key(&l->v[w - 1], &l->v[i])) {
			verdict_raise(&l->v[w - 1].verdict, l->v[i].verdict);
			continue;
		}
		l->v[w++] = l->v[i];
	}
	l->n = w;
}

/* At most max series, the worst kept, in key order; returns those left out. */
static size_t keep_worst(struct series_list *l, size_t max)
{
	if (l->n <= max) return 0;
	qsort(l->v, l->n, sizeof *l->v, cmp_worst);
	size_t dropped = l->n - max;
	l->n = max;
	qsort(l->v, l->n, sizeof *l->v, cmp_key);
	return dropped;
}

static void put_images(struct mout *o, report_t *r)
{
	struct series_list l = {0};
	model_each_image(r, collect_image, &l);
	merge_equal(&l);
	size_t all = l.n, dropped = keep_worst(&l, METRICS_MAX_IMAGE_SERIES);
	family(o, "edgeaudit_images_checked", "Images the run read from the stores.");
	put(o, "edgeaudit_images_checked %d\n", model_image_count(r));
	if (dropped)
		put(o,
		    "# edgeaudit: %zu of %zu image series left out (the limit is %d): see "
		    "edgeaudit_image_series_dropped\n",
		    dropped, all, METRICS_MAX_IMAGE_SERIES);
	family(o, "edgeaudit_image_verdict",
	       "1 per store and image (its first name, else its digest) with the image's "
	       "verdict; images sharing a name there (platforms) show the worst.");
	for (size_t i = 0; i < l.n; i++) {
		put_raw(o, "edgeaudit_image_verdict{", 24);
		put_label(o, "store", l.v[i].store);
		put_raw(o, ",", 1);
		put_label(o, "image", l.v[i].image);
		put(o, ",verdict=\"%s\"} 1\n", verdict_to_string(l.v[i].verdict));
	}
	char help[160];
	snprintf(help, sizeof help,
	         "Image series left out of edgeaudit_image_verdict over its limit of %d (failing "
	         "and incomplete images are kept first).",
	         METRICS_MAX_IMAGE_SERIES);
	family(o, "edgeaudit_image_series_dropped", help);
	put(o, "edgeaudit_image_series_dropped %zu\n", dropped);
	free(l.v);
}

static void put_times(struct mout *o, const struct metrics_run *run)
{
	family(o, "edgeaudit_duration_seconds",
	       "How long the run took, from its start to the report.");
	put(o, "edgeaudit_duration_seconds %.3f\n", (double)run->duration_ms / 1000.0);
	family(o, "edgeaudit_last_run_timestamp_seconds",
	       "Unix time the report was made: the report's age is time() - "
	       "edgeaudit_last_run_timestamp_seconds.");
	put(o, "edgeaudit_last_run_timestamp_seconds %.3f\n", run->finished_unix);
}

int metrics_render(report_t *r, const struct metrics_run *run, char **out, size_t *len,
                   ea_error_t *err)
{
	struct mout o = {0};
	ea_buf_init(&o.b, METRICS_MAX_BYTES);
	put_run(&o, r, run);
	put_findings_by_id(&o, r);
	put_images(&o, r);
	put_times(&o, run);
	if (o.failed) {
		ea_buf_free(&o.b);
		return ea_fail(err, o.err.code, "the metrics: %s", o.err.msg);
	}
	*out = o.b.data;
	*len = o.b.len;
	return 0;
}
