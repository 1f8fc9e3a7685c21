/* summary: see summary.h. */
#include "summary.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

/* ------------------------------------------------------------ wrapping */

static void put_ascii(ea_buf_t *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f ? s[i] : '?';
		ea_buf_append(b, &c, 1, NULL);
	}
}

/* Where to end a line of at most `width` columns taken from s (len bytes
 * left): after the last space that fits, else after the last '/', else at
 * the width. */
static size_t break_at(const char *s, size_t len, size_t width)
{
	if (len <= width) return len;
	for (size_t i = width; i > 0; i--)
		if (s[i] == ' ') return i;
	for (size_t i = width; i > 1; i--)
		if (s[i - 1] == '/') return i;
	return width;
}

unsigned text_wrap(ea_buf_t *b, unsigned indent, const char *text)
{
	unsigned lines = 0;
	const char *p = text;
	size_t left = strlen(text);
	do {
		size_t pad = lines ? indent : 0;
		size_t n = break_at(p, left, TEXT_COLS - pad);
		if (b) {
			for (size_t i = 0; i < pad; i++) ea_buf_append(b, " ", 1, NULL);
			size_t end = n;
			while (end > 0 && p[end - 1] == ' ') end--;
			put_ascii(b, p, end);
			ea_buf_append(b, "\n", 1, NULL);
		}
		lines++;
		p += n;
		left -= n;
		while (left > 0 && *p == ' ') p++, left--;
	} while (left > 0);
	return lines;
}

unsigned text_line(ea_buf_t *b, unsigned indent, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	return text_wrap(b, indent, tmp);
}

/* ------------------------------------------------------------ findings */

static const char *fstr(const cJSON *f, const char *k)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, k));
}

static int fsev(const cJSON *f)
{
	const char *s = fstr(f, "severity");
	return s ? severity_parse(s) : -1;
}

int summary_listed(const cJSON *f, severity_t fail_on)
{
	const char *id = fstr(f, "id");
	if (!id || !strcmp(id, "audit.not_implemented") || !strcmp(id, "audit.interrupted"))
		return 0; /* shown as "not checked" */
	int s = fsev(f);
	const struct finding_kind *k = finding_kind_lookup(id);
	return s >= (int)fail_on || s >= SEV_HIGH || (k && k->incomplete);
}

/* ------------------------------------------------------------ who is it about */

/* A digest or ID of an image, by its 64 hex characters. */
struct key {
	const char *hex;
	int img, layer; /* a layer's index, or KEY_CONFIG, KEY_MANIFEST */
};
enum { KEY_CONFIG = -2, KEY_MANIFEST = -3 };

/* A layer's extracted folder. */
struct lpath {
	const char *path;
	size_t len;
	int img, layer;
};

enum group_kind { G_IMAGE, G_CONTAINER, G_STORE, G_HOST };

struct group {
	enum group_kind kind;
	int idx; /* image, container or store index */
	int worst, incomplete, first;
	int *f;       /* finding indices */
	char **where; /* per finding: "layer 2 of 3", "file usr/bin/sh" or NULL */
	int n, cap;
};

struct sum {
	report_t *r;
	severity_t fail_on;
	struct image **imgs;
	int nimgs;
	struct container_rec **conts;
	int nconts;
	struct key *keys;
	size_t nkeys, capkeys;
	struct lpath *paths;
	size_t npaths, cappaths;
	const cJSON *stores;
	struct group *groups;
	int ngroups;
	int *group_of; /* per group slot: images, containers, stores, host */
};

static int is_hex64(const char *s)
{
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
	return 1;
}

static void add_key(struct sum *s, const char *str, int img, int layer)
{
	if (!str) return;
	const char *colon = strchr(str, ':');
	const char *hex = colon ? colon + 1 : str;
	if (strlen(hex) != 64 || !is_hex64(hex)) return;
	if (s->nkeys == s->capkeys) {
		s->capkeys = s->capkeys ? 2 * s->capkeys : 64;
		s->keys = xrealloc(s->keys, s->capkeys * sizeof *s->keys);
	}
	s->keys[s->nkeys++] = (struct key){hex, img, layer};
}

static void add_path(struct sum *s, const char *path, int img, int layer)
{
	if (!path || !path[0]) return;
	if (s->npaths == s->cappaths) {
		s->cappaths = s->cappaths ? 2 * s->cappaths : 64;
		s->paths = xrealloc(s->paths, s->cappaths * sizeof *s->paths);
	}
	s->paths[s->npaths++] = (struct lpath){path, strlen(path), img, layer};
}

static void collect_image(struct image *img, void *arg)
{
	struct sum *s = arg;
	s->imgs = xrealloc(s->imgs, (size_t)(s->nimgs + 1) * sizeof *s->imgs);
	int i = s->nimgs++;
	s->imgs[i] = img;
	add_key(s, img->manifest_digest.str, i, KEY_MANIFEST);
	add_key(s, img->config.str, i, KEY_CONFIG);
	for (int j = 0; j < img->nlayers; j++) {
		const struct layer *l = &img->layers[j];
		add_key(s, l->blob.digest.str, i, j);
		add_key(s, l->diff_id.str, i, j);
		add_key(s, l->chain_id.str, i, j);
		add_key(s, l->layer_id, i, j);
		add_path(s, l->path, i, j);
	}
	for (int j = 0; j < img->nchain_ids && j < img->nlayers; j++)
		add_key(s, img->chain_ids[j].str, i, j);
}

static void collect_container(struct container_rec *c, void *arg)
{
	struct sum *s = arg;
	s->conts = xrealloc(s->conts, (size_t)(s->nconts + 1) * sizeof *s->conts);
	s->conts[s->nconts++] = c;
}

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int c = strncmp(x->hex, y->hex, 64);
	return c ? c : x->img - y->img;
}

static int path_cmp(const void *a, const void *b)
{
	return strcmp(((const struct lpath *)a)->path, ((const struct lpath *)b)->path);
}

/* Does text name store label as a whole ("oci:/a" in "oci:/a: ...", not in
 * "oci:/ab: ...")? */
static int names_store(const char *text, const char *label)
{
	size_t n = strlen(label);
	for (const char *at = text ? strstr(text, label) : NULL; n && at;
	     at = strstr(at + 1, label))
		if (at[n] == ':' || at[n] == ' ' || !at[n]) return 1;
	return 0;
}

/* The first key of an image among the 64-hex runs of text; of the images
 * with that key (a layer two images share, two copies of one image), the
 * one whose store `hint` (the finding's message) names. */
static const struct key *find_key(const struct sum *s, const char *text, const char *hint)
{
	for (const char *p = text; p && *p; p++) {
		if (!is_hex64(p) || (p > text && is_hex64(p - 1))) continue;
		size_t lo = 0, hi = s->nkeys;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (strncmp(s->keys[mid].hex, p, 64) < 0) lo = mid + 1;
			else hi = mid;
		}
		if (lo < s->nkeys && !strncmp(s->keys[lo].hex, p, 64)) {
			for (size_t k = lo; k < s->nkeys && !strncmp(s->keys[k].hex, p, 64); k++)
				if (names_store(hint, s->imgs[s->keys[k].img]->store))
					return &s->keys[k];
			return &s->keys[lo];
		}
		p += 63;
	}
	return NULL;
}

/* The layer folder subject lies in (the longest path that is a prefix). */
static const struct lpath *find_path(const struct sum *s, const char *subject)
{
	size_t lo = 0, hi = s->npaths;
	while (lo < hi) { /* the first path above subject */
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(s->paths[mid].path, subject) <= 0) lo = mid + 1;
		else hi = mid;
	}
	/* a prefix sorts before subject; a few sibling names may sort between */
	for (size_t k = lo, seen = 0; k-- > 0 && seen < 16; seen++) {
		const struct lpath *lp = &s->paths[k];
		if (!strncmp(subject, lp->path, lp->len) &&
		    (subject[lp->len] == '/' || !subject[lp->len]))
			return lp;
	}
	return NULL;
}

/* The store a subject names: its index in the report's stores, or -1. */
static int find_store(const struct sum *s, const char *subject)
{
	int i = 0, best = -1;
	size_t bestlen = 0;
	const cJSON *st;
	cJSON_ArrayForEach (st, s->stores) {
		const char *path = fstr(st, "path");
		size_t n = path ? strlen(path) : 0;
		const char *at = n ? strstr(subject, path) : NULL;
		if (at && n > bestlen && (at[n] == '/' || at[n] == ':' || !at[n])) {
			best = i;
			bestlen = n;
		}
		i++;
	}
	return best;
}

static int find_container(const struct sum *s, const char *subject)
{
	for (int i = 0; i < s->nconts; i++) {
		const struct container_rec *c = s->conts[i];
		size_t n = c->runtime ? strlen(c->runtime) : 0;
		if (n && c->id && !strncmp(subject, c->runtime, n) && subject[n] == ':' &&
		    !strcmp(subject + n + 1, c->id))
			return i;
	}
	return -1;
}

/* ------------------------------------------------------------ groups */

/* The group of this kind and index (slots: images, containers, stores, host). */
static struct group *group_for(struct sum *s, enum group_kind kind, int idx)
{
	int nst = cJSON_GetArraySize(s->stores);
	int slot = kind == G_IMAGE       ? idx
	           : kind == G_CONTAINER ? s->nimgs + idx
	           : kind == G_STORE     ? s->nimgs + s->nconts + idx
	                                 : s->nimgs + s->nconts + nst;
	if (s->group_of[slot] < 0) {
		s->group_of[slot] = s->ngroups;
		s->groups[s->ngroups++] = (struct group){kind, idx, -1, 0, -1, NULL, NULL, 0, 0};
	}
	return &s->groups[s->group_of[slot]];
}

static void group_add(struct group *g, int fi, int sev, int incomplete, char *where)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 8;
		g->f = xrealloc(g->f, (size_t)g->cap * sizeof *g->f);
		g->where = xrealloc(g->where, (size_t)g->cap * sizeof *g->where);
	}
	g->f[g->n] = fi;
	g->where[g->n++] = where;
	if (sev > g->worst) g->worst = sev;
	g->incomplete |= incomplete;
	if (g->first < 0) g->first = fi;
}

/* "layer 2 of 3" or "file usr/bin/sh" for a key or folder of image img. */
static char *where_in_image(const struct sum *s, int img, int layer, const char *file)
{
	if (layer == KEY_CONFIG) return xstrdup("config");
	if (layer == KEY_MANIFEST) return xstrdup("manifest");
	if (layer < 0) return NULL;
	if (file && *file) return xasprintf("file %s", file);
	return xasprintf("layer %d of %d", layer + 1, s->imgs[img]->nlayers);
}

/* Finding f (index fi) into its group. */
static void attribute(struct sum *s, const cJSON *f, int fi)
{
	const char *subject = fstr(f, "subject") ? fstr(f, "subject") : "";
	const char *id = fstr(f, "id") ? fstr(f, "id") : "";
	const struct finding_kind *k = finding_kind_lookup(id);
	int sev = fsev(f), inc = k && k->incomplete;
	const struct lpath *lp = s->npaths ? find_path(s, subject) : NULL;
	const char *msg = fstr(f, "message");
	const struct key *key = lp ? NULL : find_key(s, subject, msg);
	if (!lp && !key && fstr(f, "image")) key = find_key(s, fstr(f, "image"), fstr(f, "store"));
	if (lp) {
		const char *file = subject + lp->len;
		while (*file == '/') file++;
		group_add(group_for(s, G_IMAGE, lp->img), fi, sev, inc,
		          where_in_image(s, lp->img, lp->layer, file));
		return;
	}
	if (key) {
		group_add(group_for(s, G_IMAGE, key->img), fi, sev, inc,
		          where_in_image(s, key->img, key->layer, NULL));
		return;
	}
	int c = find_container(s, subject);
	if (c >= 0) {
		group_add(group_for(s, G_CONTAINER, c), fi, sev, inc, NULL);
		return;
	}
	int st = find_store(s, subject);
	group_add(group_for(s, st >= 0 ? G_STORE : G_HOST, st), fi, sev, inc, NULL);
}

/* ------------------------------------------------------------ rendering */

static const char *const sev_tag[SEV_COUNT] = {"INFO", "LOW ", "MED ", "HIGH", "CRIT"};

/* 2 fail, 1 incomplete, 0 only notes: an image's is its verdict. */
static int group_rank(const struct sum *s, const struct group *g)
{
	if (g->kind == G_IMAGE) return (int)s->imgs[g->idx]->verdict;
	return g->worst >= (int)s->fail_on ? 2 : g->incomplete ? 1 : 0;
}

static int group_cmp(const void *a, const void *b, void *ctx)
{
	const struct sum *sort_ctx = ctx;
	const struct group *x = a, *y = b;
	int rx = group_rank(sort_ctx, x), ry = group_rank(sort_ctx, y);
	if (rx != ry) return ry - rx;
	if (x->worst != y->worst) return y->worst - x->worst;
	return x->first - y->first;
}

/* Digests to their algorithm and 12 hex characters. */
static void short_digest(const char *d, char *out, size_t n)
{
	const char *colon = strchr(d, ':');
	if (colon && strlen(colon + 1) >= 64)
		snprintf(out, n, "%.*s:%.12s", (int)(colon - d), d, colon + 1);
	else snprintf(out, n, "%s", d);
}

static unsigned group_header(ea_buf_t *b, const struct sum *s, const struct group *g)
{
	static const char *const rank_word[] = {"NOTE", "INCOMPLETE", "FAIL"};
	const char *v = rank_word[group_rank(s, g)];
	if (g->kind == G_IMAGE) {
		const struct image *img = s->imgs[g->idx];
		char dg[96];
		short_digest(img->manifest_digest.str[0] ? img->manifest_digest.str
		                                         : img->config.str,
		             dg, sizeof dg);
		const char *name = img->nnames ? img->names[0] : dg;
		char more[32] = "";
		if (img->nnames > 1) snprintf(more, sizeof more, " +%d names", img->nnames - 1);
		return text_line(b, 4, "%s %s %s%s (%s)", v, img->artifact ? "artifact" : "image",
		                 name, more, img->store);
	}
	if (g->kind == G_CONTAINER) {
		const struct container_rec *c = s->conts[g->idx];
		int named = c->name && c->name[0];
		return text_line(b, 4, "%s container %.60s (%s %.12s%s%s)", v,
		                 named ? c->name : c->id, c->runtime ? c->runtime : "?",
		                 c->id ? c->id : "",
		                 c->image_name && c->image_name[0] ? ", image " : "",
		                 c->image_name && c->image_name[0] ? c->image_name : "");
	}
	if (g->kind == G_STORE) {
		const cJSON *st = cJSON_GetArrayItem(s->stores, g->idx);
		return text_line(b, 4, "%s store %s (%s)", v,
		                 fstr(st, "path") ? fstr(st, "path") : "?",
		                 fstr(st, "type") ? fstr(st, "type") : "?");
	}
	return text_line(b, 4, "%s host", v);
}

/* One finding's line(s): severity, what happened where, its id. */
static unsigned finding_line(ea_buf_t *b, const struct group *g, const cJSON *f, const char *where)
{
	const char *id = fstr(f, "id") ? fstr(f, "id") : "?";
	int sev = fsev(f);
	const char *noun = NULL, *phrase = finding_phrase(id, &noun);
	char what[256], subj[96] = "";
	if (!phrase) phrase = fstr(f, "message") ? fstr(f, "message") : id;
	if (noun) snprintf(what, sizeof what, "%s %s", where ? where : noun, phrase);
	else snprintf(what, sizeof what, "%s", phrase);
	if (g->kind == G_STORE || g->kind == G_HOST || (g->kind == G_IMAGE && noun && !where)) {
		char sd[80];
		short_digest(fstr(f, "subject") ? fstr(f, "subject") : "", sd, sizeof sd);
		snprintf(subj, sizeof subj, ": %s", sd);
	}
	return text_line(b, 7, "  %s %s%s [%s]",
	                 sev >= 0 && sev < SEV_COUNT ? sev_tag[sev] : "?   ", what, subj, id);
}

static int is_vuln(const cJSON *f)
{
	const char *id = fstr(f, "id");
	return id && !strcmp(id, "vuln.package");
}

/* A group's known vulnerabilities (vuln.package, every one, whatever its
 * severity) as one line: how many, how bad, the worst few ("23 known
 * vulnerabilities, 2 critical: openssl 3.0.11-1 < 3.0.13-1, ..."). */
static unsigned vuln_line(ea_buf_t *b, const struct group *g, const cJSON *const *items)
{
	int n = 0, crit = 0, high = 0, worst = -1, shown = 0;
	char list[160] = "";
	size_t at = 0;
	for (int k = 0; k < g->n; k++) {
		const cJSON *f = items[g->f[k]];
		if (!is_vuln(f)) continue;
		int sev = fsev(f);
		n++;
		crit += sev == SEV_CRITICAL;
		high += sev == SEV_HIGH;
		if (worst < 0) worst = sev; /* worst first */
		const char *fixed = fstr(f, "fixed");
		if (shown == 3 || at >= sizeof list - 1) continue;
		at += (size_t)snprintf(list + at, sizeof list - at, "%s%s %s%s%s",
		                       shown++ ? ", " : "",
		                       fstr(f, "package") ? fstr(f, "package") : "?",
		                       fstr(f, "installed") ? fstr(f, "installed") : "?",
		                       fixed ? " < " : "", fixed ? fixed : "");
	}
	if (!n) return 0;
	char counts[64] = "";
	if (crit || high) snprintf(counts, sizeof counts, ", %d critical, %d high", crit, high);
	return text_line(b, 7, "  %s %d known vulnerabilit%s%s: %s%s [vuln.package]",
	                 worst >= 0 && worst < SEV_COUNT ? sev_tag[worst] : "?   ", n,
	                 n == 1 ? "y" : "ies", counts, list, n > shown ? ", ..." : "");
}

/* A finding's position in its group's order: worst first. */
static int by_severity(const void *a, const void *b, void *ctx)
{
	const cJSON *const *order_items = ctx;
	int x = *(const int *)a, y = *(const int *)b;
	int sx = fsev(order_items[x]), sy = fsev(order_items[y]);
	return sx != sy ? sy - sx : x - y;
}

/* Group g within the rows left (keep rows for the last lines): the header,
 * the findings that fit, the hint.  Returns the findings left out. */
static unsigned render_group(ea_buf_t *b, const struct sum *s, struct group *g,
                             const cJSON *const *items, unsigned *left, unsigned keep)
{
	unsigned more = 0;
	if (*left < keep + 2) return (unsigned)g->n;
	*left -= group_header(b, s, g);
	int worst_f = -1;
	unsigned vneed = vuln_line(NULL, g, items);
	int vshown = vneed && vneed + keep <= *left;
	if (vshown) *left -= vuln_line(b, g, items);
	for (int k = 0; k < g->n; k++) {
		const cJSON *f = items[g->f[k]];
		if (is_vuln(f)) {
			if (worst_f < 0 && vshown) worst_f = g->f[k];
			more += !vshown; /* counted when not shown */
			continue;
		}
		unsigned need = finding_line(NULL, g, f, g->where[k]);
		if (need + keep > *left) {
			more++;
			continue;
		}
		*left -= finding_line(b, g, f, g->where[k]);
		if (worst_f < 0) worst_f = g->f[k];
	}
	if (worst_f >= 0) {
		char hint[300];
		snprintf(hint, sizeof hint, "  -> %s", finding_hint(fstr(items[worst_f], "id")));
		if (text_wrap(NULL, 5, hint) + keep <= *left) *left -= text_wrap(b, 5, hint);
	}
	return more;
}

static void sum_free(struct sum *s)
{
	for (int i = 0; i < s->ngroups; i++) {
		for (int k = 0; k < s->groups[i].n; k++) free(s->groups[i].where[k]);
		free(s->groups[i].f);
		free(s->groups[i].where);
	}
	free(s->groups);
	free(s->group_of);
	free(s->imgs);
	free(s->conts);
	free(s->keys);
	free(s->paths);
}

/* The listed findings, in report order, into their groups (items[i] the
 * i-th of them); returns how many. */
static int gather(struct sum *s, const cJSON *findings, const cJSON ***items)
{
	int n = 0, cap = cJSON_GetArraySize(findings);
	*items = xcalloc((size_t)cap + 1, sizeof **items);
	const cJSON *f;
	cJSON_ArrayForEach (f, findings)
		if (summary_listed(f, s->fail_on) || is_vuln(f)) (*items)[n++] = f;
	int slots = s->nimgs + s->nconts + cJSON_GetArraySize(s->stores) + 1;
	s->group_of = xcalloc((size_t)slots, sizeof *s->group_of);
	for (int i = 0; i < slots; i++) s->group_of[i] = -1;
	s->groups = xcalloc((size_t)slots, sizeof *s->groups);
	for (int i = 0; i < n; i++) attribute(s, (*items)[i], i);
	return n;
}

void summary_groups(ea_buf_t *b, report_t *r, const cJSON *findings, severity_t fail_on,
                    unsigned rows)
{
	struct sum s = {.r = r, .fail_on = fail_on, .stores = report_stores(r)};
	model_each_image(r, collect_image, &s);
	model_each_container(r, collect_container, &s);
	if (s.nkeys) qsort(s.keys, s.nkeys, sizeof *s.keys, key_cmp); /* NULL when none */
	if (s.npaths) qsort(s.paths, s.npaths, sizeof *s.paths, path_cmp);
	const cJSON **items;
	gather(&s, findings, &items);
	for (int i = 0; i < s.ngroups; i++)
		qsort_r(s.groups[i].f, (size_t)s.groups[i].n, sizeof(int), by_severity, items);
	if (s.ngroups) qsort_r(s.groups, (size_t)s.ngroups, sizeof *s.groups, group_cmp, &s);
	int npass = 0;
	for (int i = 0; i < s.nimgs; i++)
		npass += s.group_of[i] < 0 && s.imgs[i]->verdict == VERDICT_PASS;
	unsigned left = rows, more = 0, keep = 1 + (npass > 0);
	for (int i = 0; i < s.ngroups; i++)
		more += render_group(b, &s, &s.groups[i], items, &left, keep);
	if (npass)
		text_line(b, 4, "PASS %d %simage%s", npass, s.ngroups ? "other " : "",
		          npass == 1 ? "" : "s");
	if (more)
		text_line(b, 4, "and %u more finding%s: see the JSON report", more,
		          more == 1 ? "" : "s");
	free(items);
	sum_free(&s);
}
