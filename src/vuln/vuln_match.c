/* vuln_match: inventories against the compiled database (see vuln_match.h). */
#include "vuln_match.h"

#include <string.h>

/* ------------------------------------------------------------ one entry */

static int is_zero_intro(const struct osv_event *e)
{
	return e->kind == OSV_EV_INTRODUCED && !strcmp(e->version, "0");
}

/* Event order: introduced "0" first, then by version (stable). */
static int ev_before(ver_scheme_t s, const struct osv_event *a, const struct osv_event *b)
{
	if (is_zero_intro(b)) return 0;
	if (is_zero_intro(a)) return 1;
	return vercmp(s, a->version, b->version) < 0;
}

static void sort_events(ver_scheme_t s, struct osv_event *ev, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct osv_event x = ev[i];
		size_t k = i;
		while (k > 0 && ev_before(s, &x, &ev[k - 1])) {
			ev[k] = ev[k - 1];
			k--;
		}
		ev[k] = x;
	}
}

static int in_range(ver_scheme_t s, const char *v, struct osv_range *r, const char **fixed)
{
	sort_events(s, r->ev, r->nev);
	int affected = 0, limited = 0, below_limit = 0;
	for (size_t i = 0; i < r->nev; i++) {
		const struct osv_event *e = &r->ev[i];
		int c = is_zero_intro(e) ? 1 : vercmp(s, v, e->version);
		switch (e->kind) {
		case OSV_EV_INTRODUCED:
			if (c >= 0) affected = 1;
			break;
		case OSV_EV_FIXED:
			if (c >= 0) affected = 0;
			break;
		case OSV_EV_LAST_AFFECTED:
			if (c > 0) affected = 0;
			break;
		case OSV_EV_LIMIT:
			limited = 1;
			below_limit |= c < 0;
			break;
		}
	}
	if (!affected || (limited && !below_limit)) return 0;
	*fixed = NULL;
	for (size_t i = 0; i < r->nev && !*fixed; i++) /* sorted: the first above v */
		if (r->ev[i].kind == OSV_EV_FIXED && vercmp(s, r->ev[i].version, v) > 0)
			*fixed = r->ev[i].version;
	return 1;
}

int vuln_affected(ver_scheme_t s, const char *version, const struct vulndb_aff *a,
                  const char **fixed)
{
	*fixed = NULL;
	for (size_t i = 0; i < a->nranges; i++)
		if (in_range(s, version, &a->ranges[i], fixed)) return 1;
	for (size_t i = 0; i < a->nversions; i++)
		if (!vercmp(s, version, a->versions[i])) return 1;
	return 0;
}

/* ---------------------------------------------------------- one package */

struct hit {
	uint32_t adv;
	char *fixed; /* owned */
	struct severity sev;
	struct vulndb_adv a; /* id and links */
	int absorbed;
	const char **aliases;
	size_t naliases;
};

struct hits {
	struct hit *v;
	size_t n, cap;
};

static void hits_clear(struct hits *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free(h->v[i].fixed);
		free(h->v[i].aliases);
		vulndb_adv_clear(&h->v[i].a);
	}
	h->n = 0;
}

static int sev_cmp(const struct severity *a, const struct severity *b)
{
	if (a->level != b->level) return a->level < b->level ? -1 : 1;
	return a->score10 < b->score10 ? -1 : a->score10 > b->score10;
}

/* Add (or join) the hit of advisory adv. */
static void hit_add(struct hits *h, ver_scheme_t s, uint32_t adv, const char *fixed,
                    const struct severity *sev)
{
	for (size_t i = 0; i < h->n; i++) {
		struct hit *o = &h->v[i];
		if (o->adv != adv) continue;
		if (fixed && (!o->fixed || vercmp(s, fixed, o->fixed) > 0)) {
			free(o->fixed);
			o->fixed = xstrdup(fixed);
		}
		if (sev_cmp(sev, &o->sev) > 0) o->sev = *sev;
		return;
	}
	if (h->n == h->cap)
		h->v = xrealloc(h->v, (h->cap = h->cap ? h->cap * 2 : 16) * sizeof(*h->v));
	struct hit *n = &h->v[h->n++];
	memset(n, 0, sizeof(*n));
	n->adv = adv;
	n->fixed = fixed ? xstrdup(fixed) : NULL;
	n->sev = *sev;
}

/* The hits of (ecosystem, name, version) into h. */
static int lookup(struct vulndb *db, ver_scheme_t s, const char *eco, const char *name,
                  const char *version, struct hits *h, ea_error_t *err)
{
	uint32_t first, count;
	if (vulndb_find(db, eco, name, &first, &count, err) < 0) return -1;
	for (uint32_t i = first; i < first + count; i++) {
		struct vulndb_aff a;
		const char *fixed;
		if (vulndb_read_aff(db, i, &a, err) < 0) return -1;
		if (vuln_affected(s, version, &a, &fixed)) hit_add(h, s, a.adv, fixed, &a.sev);
		vulndb_aff_clear(&a);
	}
	return 0;
}

static int is_cve(const char *id) { return !strncmp(id, "CVE-", 4); }

static int hit_order(const void *p, const void *q)
{
	const struct hit *a = p, *b = q;
	if (is_cve(a->a.id) != is_cve(b->a.id)) return is_cve(a->a.id) ? -1 : 1;
	return strcmp(a->a.id, b->a.id);
}

static void add_alias(struct hit *x, const char *id)
{
	for (size_t i = 0; i < x->naliases; i++)
		if (!strcmp(x->aliases[i], id)) return;
	x->aliases = xrealloc(x->aliases, (x->naliases + 1) * sizeof(*x->aliases));
	x->aliases[x->naliases++] = id;
}

/* Merge m into x (x reported, m absorbed). */
static void absorb(ver_scheme_t s, struct hit *x, struct hit *m)
{
	add_alias(x, m->a.id);
	if (m->fixed && (!x->fixed || vercmp(s, m->fixed, x->fixed) > 0)) {
		free(x->fixed);
		x->fixed = xstrdup(m->fixed);
	}
	if (sev_cmp(&m->sev, &x->sev) > 0) x->sev = m->sev;
	m->absorbed = 1;
}

/* Ids of the hits in byte order, to find which hit an id names. */
struct idx {
	const char *id;
	size_t i;
};

static int idx_cmp(const void *p, const void *q)
{
	return strcmp(((const struct idx *)p)->id, ((const struct idx *)q)->id);
}

struct edge {
	size_t x, m; /* x < m in report order: m may merge into x */
};

static int edge_cmp(const void *p, const void *q)
{
	const struct edge *a = p, *b = q;
	if (a->m != b->m) return a->m < b->m ? -1 : 1;
	return a->x < b->x ? -1 : a->x > b->x;
}

/* Every pair of hits one of which names the other: n log n, not n^2 (the
 * linux source has thousands of advisories). */
static struct edge *edges(const struct hits *h, size_t *n)
{
	cleanup_free struct idx *ix = xmalloc((h->n + 1) * sizeof(*ix));
	for (size_t i = 0; i < h->n; i++) ix[i] = (struct idx){h->v[i].a.id, i};
	qsort(ix, h->n, sizeof(*ix), idx_cmp);
	struct edge *e = NULL;
	size_t cap = 0;
	*n = 0;
	for (size_t i = 0; i < h->n; i++) {
		for (size_t k = 0; k < h->v[i].a.nlinks; k++) {
			struct idx key = {h->v[i].a.links[k], 0};
			const struct idx *f = bsearch(&key, ix, h->n, sizeof(*ix), idx_cmp);
			if (!f || f->i == i) continue;
			if (*n == cap) e = xrealloc(e, (cap = cap ? cap * 2 : 16) * sizeof(*e));
			e[(*n)++] = i < f->i ? (struct edge){i, f->i} : (struct edge){f->i, i};
		}
	}
	if (*n) qsort(e, *n, sizeof(*e), edge_cmp);
	return e;
}

static int merge(struct vulndb *db, ver_scheme_t s, struct hits *h, ea_error_t *err)
{
	for (size_t i = 0; i < h->n; i++)
		if (vulndb_read_adv(db, h->v[i].adv, &h->v[i].a, err) < 0) return -1;
	qsort(h->v, h->n, sizeof(*h->v), hit_order);
	size_t ne;
	cleanup_free struct edge *e = edges(h, &ne);
	/* by m: whether x was itself merged is settled before x is an m's target */
	for (size_t k = 0; k < ne; k++)
		if (!h->v[e[k].x].absorbed) absorb(s, &h->v[e[k].x], &h->v[e[k].m]);
	for (size_t i = 0; i < h->n; i++) {
		struct hit *x = &h->v[i];
		if (x->absorbed) continue;
		for (size_t k = 0; k < x->a.naliases; k++) add_alias(x, x->a.links[k]);
	}
	return 0;
}

/* -------------------------------------------------------------- the root */

static int report(const struct pkg *p, const char *eco, const char *name, const char *ver,
                  struct hits *h, vuln_hit_fn fn, void *ctx, ea_error_t *err)
{
	for (size_t i = 0; i < h->n; i++) {
		const struct hit *x = &h->v[i];
		if (x->absorbed) continue;
		struct vuln_hit out = {p,          name,        ver,      eco,   x->a.id,
		                       x->aliases, x->naliases, x->fixed, x->sev};
		if (fn(ctx, &out) < 0) return ea_fail(err, EA_E_INTERRUPTED, "stopped");
	}
	return 0;
}

static int match_pkg(struct vulndb *db, ver_scheme_t s, const char *eco, const char *base,
                     const struct pkg *p, struct hits *h, vuln_hit_fn fn, void *ctx,
                     ea_error_t *err)
{
	const char *name = p->source ? p->source : p->name;
	const char *ver = p->source_version ? p->source_version : p->version;
	hits_clear(h);
	if (lookup(db, s, eco, name, ver, h, err) < 0) return -1;
	if (base && lookup(db, s, base, name, ver, h, err) < 0) return -1;
	if (!h->n) return 0;
	if (merge(db, s, h, err) < 0) return -1;
	return report(p, eco, name, ver, h, fn, ctx, err);
}

int vuln_match(struct vulndb *db, const struct inventory *inv, vuln_hit_fn fn, void *ctx,
               ea_error_t *err)
{
	const char *eco = inv->distro.ecosystem;
	ver_scheme_t s = ver_scheme_of(eco);
	if (s == VER_NONE)
		return ea_fail(err, EA_E_UNSUPPORTED,
		               "no known package ecosystem (%s): versions "
		               "cannot be compared",
		               eco ? eco : "distribution unknown");
	char base[64] = "";
	const char *colon = strchr(eco, ':');
	if (colon && (size_t)(colon - eco) < sizeof base) memcpy(base, eco, (size_t)(colon - eco));
	struct hits h = {0};
	int rc = 0;
	for (size_t i = 0; i < inv->npkgs && rc == 0; i++) {
		/* polled per package (the linux source alone has thousands of
		 * advisories): --budget-ms and signals stop matching too */
		if (ea_stop_requested())
			rc = ea_fail(err, EA_E_INTERRUPTED, "stopped (budget or signal)");
		else
			rc = match_pkg(db, s, eco, base[0] ? base : NULL, &inv->pkgs[i], &h, fn,
			               ctx, err);
	}
	hits_clear(&h);
	free(h.v);
	return rc;
}
