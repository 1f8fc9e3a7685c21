/* vulndb_build: OSV records into the compiled database (see vulndb.h). */
#include "vulndb.h"

#include <stdio.h>
#include <string.h>

#include "osvsrc.h"
#include "vercmp.h"
#include "vuln_match.h"

#define STR_LIMIT (1u << 30) /* string offsets live in 30 bits of an event */

struct badv {
	uint32_t id, links, modified;
	int dead; /* an older copy of an id seen again */
};

struct baff {
	uint32_t eco, name, adv, ranges, versions, sev;
	uint32_t canon; /* the advisory of the newest copy of its id (resolve_copies) */
};

struct vulndb_builder {
	const char *const *ecos;
	size_t necos;
	struct vulndb_header h;
	char *str;
	size_t strlen, strcap;
	uint32_t *hash; /* open addressing: string offset + 1, 0 empty */
	size_t hcap, hn;
	uint32_t *pool;
	size_t npool, poolcap;
	struct badv *adv;
	size_t nadv, advcap;
	struct baff *aff;
	size_t naff, affcap;
	uint32_t *adv_by_id; /* hash of advisory ids: adv index + 1 */
	size_t aicap, ain;
};

static uint32_t fnv(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap) return;
	size_t c = *cap ? *cap : 1024;
	while (c < need) c *= 2;
	*p = xrealloc(*p, c * elem);
	*cap = c;
}

static void rehash(struct vulndb_builder *b)
{
	size_t cap = b->hcap ? b->hcap * 2 : 1u << 16;
	uint32_t *h = xcalloc(cap, sizeof(*h));
	for (size_t i = 0; i < b->hcap; i++) {
		if (!b->hash[i]) continue;
		size_t k = fnv(b->str + b->hash[i] - 1) & (cap - 1);
		while (h[k]) k = (k + 1) & (cap - 1);
		h[k] = b->hash[i];
	}
	free(b->hash);
	b->hash = h;
	b->hcap = cap;
}

/* The offset of s in the string table (added once); -1 over the limit. */
static int64_t intern(struct vulndb_builder *b, const char *s)
{
	if (!*s) return 0;
	if ((b->hn + 1) * 2 > b->hcap) rehash(b);
	size_t k = fnv(s) & (b->hcap - 1);
	for (; b->hash[k]; k = (k + 1) & (b->hcap - 1))
		if (!strcmp(b->str + b->hash[k] - 1, s)) return b->hash[k] - 1;
	size_t n = strlen(s) + 1;
	if (b->strlen + n >= STR_LIMIT) return -1;
	grow((void **)&b->str, &b->strcap, b->strlen + n, 1);
	memcpy(b->str + b->strlen, s, n);
	b->hash[k] = (uint32_t)b->strlen + 1;
	b->hn++;
	b->strlen += n;
	return (int64_t)(b->hash[k] - 1);
}

static uint32_t pool_add(struct vulndb_builder *b, uint32_t v)
{
	grow((void **)&b->pool, &b->poolcap, b->npool + 1, sizeof(uint32_t));
	b->pool[b->npool] = v;
	return (uint32_t)b->npool++;
}

struct vulndb_builder *vulndb_builder_new(const char *const *ecosystems, size_t n, int64_t built)
{
	struct vulndb_builder *b = xcalloc(1, sizeof(*b));
	b->ecos = ecosystems;
	b->necos = n;
	b->h.built = (uint64_t)built;
	b->h.format = VULNDB_FORMAT;
	b->str = xmalloc(1);
	b->str[0] = '\0';
	b->strlen = b->strcap = 1;
	rehash(b);
	pool_add(b, 0); /* the empty list */
	return b;
}

void vulndb_builder_free(struct vulndb_builder *b)
{
	if (!b) return;
	free(b->str);
	free(b->hash);
	free(b->pool);
	free(b->adv);
	free(b->aff);
	free(b->adv_by_id);
	free(b);
}

static int in_scope(const struct vulndb_builder *b, const char *eco)
{
	if (!b->necos) return 1;
	for (size_t i = 0; i < b->necos; i++) {
		size_t n = strlen(b->ecos[i]);
		if (!strncmp(eco, b->ecos[i], n) && (eco[n] == '\0' || eco[n] == ':')) return 1;
	}
	return 0;
}

/* ------------------------------------------------------------- records */

/* Advisory index by id offset: the slot of id in adv_by_id. */
static size_t id_slot(struct vulndb_builder *b, uint32_t id)
{
	if ((b->ain + 1) * 2 > b->aicap) {
		size_t cap = b->aicap ? b->aicap * 2 : 1u << 14;
		uint32_t *t = xcalloc(cap, sizeof(*t));
		for (size_t i = 0; i < b->aicap; i++) {
			if (!b->adv_by_id[i]) continue;
			size_t k = (b->adv[b->adv_by_id[i] - 1].id * 2654435761u) & (cap - 1);
			while (t[k]) k = (k + 1) & (cap - 1);
			t[k] = b->adv_by_id[i];
		}
		free(b->adv_by_id);
		b->adv_by_id = t;
		b->aicap = cap;
	}
	size_t k = (id * 2654435761u) & (b->aicap - 1);
	while (b->adv_by_id[k] && b->adv[b->adv_by_id[k] - 1].id != id)
		k = (k + 1) & (b->aicap - 1);
	return k;
}

/* A list of strings into the pool: its index (0: empty). */
static int64_t pool_strs(struct vulndb_builder *b, const char *const *s, size_t n)
{
	if (!n) return 0;
	uint32_t at = pool_add(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		int64_t o = intern(b, s[i]);
		if (o < 0) return -1;
		pool_add(b, (uint32_t)o);
	}
	return at;
}

static int64_t pool_ranges(struct vulndb_builder *b, const struct osv_affected *a)
{
	if (!a->nranges) return 0;
	uint32_t at = pool_add(b, (uint32_t)a->nranges);
	for (size_t i = 0; i < a->nranges; i++) {
		pool_add(b, (uint32_t)a->ranges[i].nev);
		for (size_t k = 0; k < a->ranges[i].nev; k++) {
			int64_t o = intern(b, a->ranges[i].ev[k].version);
			if (o < 0) return -1;
			pool_add(b, ((uint32_t)a->ranges[i].ev[k].kind & 3u) << 30 | (uint32_t)o);
		}
	}
	return at;
}

/* The record's CVSS wins over the entry's; then the entry's, then the record's other. */
static uint32_t pick_sev(const struct severity *rec, const struct severity *aff)
{
	const struct severity *s = rec;
	if (rec->src != SEVSRC_CVSS_V3 && rec->src != SEVSRC_CVSS_V4 && aff->src != SEVSRC_NONE)
		s = aff;
	uint32_t score = s->score10 < 0 ? 255u : (uint32_t)s->score10;
	return (uint32_t)s->level | score << 8 | (uint32_t)s->src << 16;
}

static int aff_ok(const struct vulndb_builder *b, const struct osv_affected *a, ea_error_t *err)
{
	if (!in_scope(b, a->ecosystem) || ver_scheme_of(a->ecosystem) == VER_NONE) return 0;
	if (a->nversions > VULNDB_MAX_VERSIONS || a->nranges > VULNDB_MAX_EVENTS)
		return ea_fail(err, EA_E_TOOBIG, "%s %s: too many versions or ranges", a->ecosystem,
		               a->name);
	for (size_t i = 0; i < a->nranges; i++)
		if (a->ranges[i].nev > VULNDB_MAX_EVENTS)
			return ea_fail(err, EA_E_TOOBIG, "%s %s: too many events", a->ecosystem,
			               a->name);
	return 1;
}

/* The explicit versions the entry's ranges do not already cover (osv.dev
 * enumerates every affected version of Debian's and Alpine's ranges: most
 * lists add nothing).  Exact: the box evaluates the same ranges with the
 * same order, and an explicit version is also matched by that order's
 * equality, so a version in a range is matched either way. */
static size_t uncovered(const struct osv_affected *a, const char **keep)
{
	ver_scheme_t s = ver_scheme_of(a->ecosystem);
	struct vulndb_aff ranges = {.ranges = a->ranges, .nranges = a->nranges};
	size_t n = 0;
	for (size_t i = 0; i < a->nversions; i++) {
		const char *fixed;
		if (!vuln_affected(s, a->versions[i], &ranges, &fixed)) keep[n++] = a->versions[i];
	}
	return n;
}

static int add_affected(struct vulndb_builder *b, const struct osv_record *r,
                        const struct osv_affected *a, uint32_t adv, ea_error_t *err)
{
	cleanup_free const char **keep = xmalloc((a->nversions + 1) * sizeof(*keep));
	size_t nkeep = uncovered(a, keep);
	int64_t eco = intern(b, a->ecosystem), name = intern(b, a->name);
	int64_t ranges = pool_ranges(b, a), vers = pool_strs(b, keep, nkeep);
	if (eco < 0 || name < 0 || ranges < 0 || vers < 0)
		return ea_fail(err, EA_E_TOOBIG, "the string table is full");
	grow((void **)&b->aff, &b->affcap, b->naff + 1, sizeof(*b->aff));
	b->aff[b->naff++] = (struct baff){(uint32_t)eco,
	                                  (uint32_t)name,
	                                  adv,
	                                  (uint32_t)ranges,
	                                  (uint32_t)vers,
	                                  pick_sev(&r->sev, &a->sev),
	                                  adv};
	return 0;
}

static int add_adv(struct vulndb_builder *b, const struct osv_record *r, uint32_t *idx,
                   ea_error_t *err)
{
	int64_t id = intern(b, r->id), t = 0;
	if (id < 0) return ea_fail(err, EA_E_TOOBIG, "the string table is full");
	osv_time(r->modified, &t);
	uint32_t mod = t < 0 ? 0 : t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
	size_t k = id_slot(b, (uint32_t)id);
	int older = 0; /* a copy older than the one the id names: kept, resolved at the end */
	if (b->adv_by_id[k]) {
		struct badv *old = &b->adv[b->adv_by_id[k] - 1];
		b->h.duplicates++;
		older = mod <= old->modified;
		if (!older) old->dead = 1;
	} else {
		b->ain++;
	}
	uint32_t links = 0;
	if (r->naliases + r->nrelated) {
		links = pool_add(b, (uint32_t)r->naliases);
		pool_add(b, (uint32_t)r->nrelated);
		for (size_t i = 0; i < r->naliases + r->nrelated; i++) {
			int64_t o = intern(b, i < r->naliases ? r->aliases[i]
			                                      : r->related[i - r->naliases]);
			if (o < 0) return ea_fail(err, EA_E_TOOBIG, "the string table is full");
			pool_add(b, (uint32_t)o);
		}
	}
	grow((void **)&b->adv, &b->advcap, b->nadv + 1, sizeof(*b->adv));
	b->adv[b->nadv] = (struct badv){(uint32_t)id, links, mod, older};
	if (!older) b->adv_by_id[k] = (uint32_t)b->nadv + 1;
	*idx = (uint32_t)b->nadv++;
	if ((uint64_t)t > b->h.newest) b->h.newest = (uint64_t)t;
	return 0;
}

/* 0 added, 1 left out (counted), -1 malformed (err). */
static int add_parsed(struct vulndb_builder *b, const struct osv_record *r, ea_error_t *err)
{
	if (r->withdrawn) {
		b->h.withdrawn++;
		return 1;
	}
	size_t keep = 0;
	for (size_t i = 0; i < r->naff; i++) {
		int ok = aff_ok(b, &r->aff[i], err);
		if (ok < 0) return -1;
		keep += (size_t)ok;
	}
	if (!keep) {
		b->h.out_of_scope++;
		return 1;
	}
	uint32_t adv = 0;
	int rc = add_adv(b, r, &adv, err);
	if (rc) return rc;
	for (size_t i = 0; i < r->naff; i++)
		if (aff_ok(b, &r->aff[i], err) > 0 && add_affected(b, r, &r->aff[i], adv, err) < 0)
			return -1;
	return 0;
}

void vulndb_builder_add_record(struct vulndb_builder *b, const char *name, const char *buf,
                               size_t len, vulndb_diag_fn diag, void *ctx)
{
	struct osv_record r;
	ea_error_t err = {0};
	b->h.records++;
	int rc = osv_parse(buf, len, &r, &err);
	if (rc == 0) rc = add_parsed(b, &r, &err);
	if (rc < 0) {
		b->h.malformed++;
		if (diag) diag(ctx, r.id ? r.id : name, err.msg);
	}
	osv_record_free(&r);
}

struct add_ctx {
	struct vulndb_builder *b;
	vulndb_diag_fn diag;
	void *ctx;
};

static int add_one(void *vctx, const char *name, const char *buf, size_t len,
                   const ea_error_t *rerr)
{
	struct add_ctx *c = vctx;
	if (rerr) {
		c->b->h.records++;
		c->b->h.malformed++;
		if (c->diag) c->diag(c->ctx, name, rerr->msg);
		return 0;
	}
	vulndb_builder_add_record(c->b, name, buf, len, c->diag, c->ctx);
	return 0;
}

int vulndb_builder_add(struct vulndb_builder *b, const char *path, vulndb_diag_fn diag, void *ctx,
                       ea_error_t *err)
{
	struct add_ctx c = {b, diag, ctx};
	return osvsrc_each(path, add_one, &c, err);
}

/* -------------------------------------------------------------- output */

static int cmp_adv(const void *x, const void *y, void *ctx)
{
	const struct vulndb_builder *b = ctx;
	return strcmp(b->str + b->adv[*(const uint32_t *)x].id,
	              b->str + b->adv[*(const uint32_t *)y].id);
}

/* Affected entries by (ecosystem, name, advisory id); adv already renumbered
 * in id order, so the index orders as the id. */
static int cmp_aff(const void *x, const void *y, void *ctx)
{
	const struct vulndb_builder *b = ctx;
	const struct baff *p = x, *q = y;
	int c = strcmp(b->str + p->eco, b->str + q->eco);
	if (!c) c = strcmp(b->str + p->name, b->str + q->name);
	if (!c) c = p->adv < q->adv ? -1 : p->adv > q->adv;
	return c;
}

static void put32(ea_buf_t *o, uint32_t v)
{
	unsigned char p[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
	                      (unsigned char)(v >> 24)};
	ea_buf_append(o, p, 4, NULL);
}

static void put_header(ea_buf_t *o, const struct vulndb_header *h)
{
	ea_buf_append(o, VULNDB_MAGIC, 8, NULL);
	put32(o, h->format);
	put32(o, VULNDB_HEADER);
	put32(o, (uint32_t)h->built);
	put32(o, (uint32_t)(h->built >> 32));
	put32(o, (uint32_t)h->newest);
	put32(o, (uint32_t)(h->newest >> 32));
	const uint32_t v[] = {h->npkgs,     h->naff,         h->nadv,      h->npool,
	                      h->strsize,   h->off_pkgs,     h->off_aff,   h->off_adv,
	                      h->off_pool,  h->off_str,      h->records,   h->withdrawn,
	                      h->malformed, h->out_of_scope, h->duplicates};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) put32(o, v[i]);
	while (o->len < VULNDB_HEADER) put32(o, 0);
}

/* Copies of one id (osv.dev's Debian and Alpine exports both hold the
 * records naming both, each a projection of its own date): per (id,
 * ecosystem, package) the entries of the newest copy that names that
 * package are kept, all under the newest copy (its ids and links). */
static int cmp_copy(const void *x, const void *y, void *ctx)
{
	const struct vulndb_builder *b = ctx;
	const struct baff *p = x, *q = y;
	if (p->canon != q->canon) return p->canon < q->canon ? -1 : 1;
	if (p->eco != q->eco) return p->eco < q->eco ? -1 : 1;
	if (p->name != q->name) return p->name < q->name ? -1 : 1;
	uint32_t mp = b->adv[p->adv].modified, mq = b->adv[q->adv].modified;
	if (mp != mq) return mp > mq ? -1 : 1; /* newest first */
	return p->adv > q->adv ? -1 : p->adv < q->adv;
}

static void resolve_copies(struct vulndb_builder *b)
{
	if (!b->h.duplicates || !b->naff) return;
	for (size_t i = 0; i < b->naff; i++)
		b->aff[i].canon = b->adv_by_id[id_slot(b, b->adv[b->aff[i].adv].id)] - 1;
	qsort_r(b->aff, b->naff, sizeof(*b->aff), cmp_copy, b);
	size_t n = 0;
	for (size_t i = 0, run = 0; i < b->naff; i++) {
		const struct baff *a = &b->aff[i];
		if (!i || a->canon != b->aff[run].canon || a->eco != b->aff[run].eco ||
		    a->name != b->aff[run].name)
			run = i;
		if (a->adv != b->aff[run].adv) continue; /* an older copy's entry */
		b->aff[n] = *a;
		b->aff[n++].adv = a->canon;
	}
	b->naff = n;
}

/* Live advisories renumbered in id order: map[old] = new (UINT32_MAX dead). */
static uint32_t *renumber(struct vulndb_builder *b, uint32_t **order, size_t *n)
{
	uint32_t *map = xmalloc((b->nadv + 1) * sizeof(*map));
	*order = xmalloc((b->nadv + 1) * sizeof(**order));
	*n = 0;
	for (size_t i = 0; i < b->nadv; i++) {
		map[i] = UINT32_MAX;
		if (!b->adv[i].dead) (*order)[(*n)++] = (uint32_t)i;
	}
	qsort_r(*order, *n, sizeof(**order), cmp_adv, b);
	for (size_t i = 0; i < *n; i++) map[(*order)[i]] = (uint32_t)i;
	return map;
}

/* Drop the dead advisories' entries, renumber, sort; count the packages. */
static size_t sort_aff(struct vulndb_builder *b, const uint32_t *map)
{
	size_t n = 0, pkgs = 0;
	for (size_t i = 0; i < b->naff; i++) {
		if (map[b->aff[i].adv] == UINT32_MAX) continue;
		b->aff[n] = b->aff[i];
		b->aff[n++].adv = map[b->aff[i].adv];
	}
	b->naff = n;
	if (n) qsort_r(b->aff, n, sizeof(*b->aff), cmp_aff, b);
	for (size_t i = 0; i < n; i++)
		pkgs += !i || b->aff[i].eco != b->aff[i - 1].eco ||
		        b->aff[i].name != b->aff[i - 1].name;
	return pkgs;
}

static void put_tables(struct vulndb_builder *b, ea_buf_t *o, const uint32_t *order, size_t nadv)
{
	for (size_t i = 0, first = 0; i < b->naff; i++) {
		int last = i + 1 == b->naff || b->aff[i + 1].eco != b->aff[i].eco ||
		           b->aff[i + 1].name != b->aff[i].name;
		if (!last) continue;
		put32(o, b->aff[i].eco);
		put32(o, b->aff[i].name);
		put32(o, (uint32_t)first);
		put32(o, (uint32_t)(i + 1 - first));
		first = i + 1;
	}
	for (size_t i = 0; i < b->naff; i++) {
		put32(o, b->aff[i].adv);
		put32(o, b->aff[i].ranges);
		put32(o, b->aff[i].versions);
		put32(o, b->aff[i].sev);
	}
	for (size_t i = 0; i < nadv; i++) {
		const struct badv *a = &b->adv[order[i]];
		put32(o, a->id);
		put32(o, a->links);
		put32(o, a->modified);
		put32(o, 0);
	}
	for (size_t i = 0; i < b->npool; i++) put32(o, b->pool[i]);
	ea_buf_append(o, b->str, b->strlen, NULL);
}

int vulndb_builder_finish(struct vulndb_builder *b, char **out, size_t *len,
                          struct vulndb_header *h, ea_error_t *err)
{
	cleanup_free uint32_t *order = NULL;
	size_t nadv;
	resolve_copies(b);
	cleanup_free uint32_t *map = renumber(b, &order, &nadv);
	size_t npkgs = sort_aff(b, map);
	uint64_t total = VULNDB_HEADER + 16 * ((uint64_t)npkgs + b->naff + nadv) +
	                 4 * (uint64_t)b->npool + b->strlen;
	if (total > UINT32_MAX) return ea_fail(err, EA_E_TOOBIG, "the database would pass 4 GiB");
	b->h.npkgs = (uint32_t)npkgs;
	b->h.naff = (uint32_t)b->naff;
	b->h.nadv = (uint32_t)nadv;
	b->h.npool = (uint32_t)b->npool;
	b->h.strsize = (uint32_t)b->strlen;
	b->h.off_pkgs = VULNDB_HEADER;
	b->h.off_aff = b->h.off_pkgs + 16 * b->h.npkgs;
	b->h.off_adv = b->h.off_aff + 16 * b->h.naff;
	b->h.off_pool = b->h.off_adv + 16 * b->h.nadv;
	b->h.off_str = b->h.off_pool + 4 * b->h.npool;
	ea_buf_t o;
	ea_buf_init(&o, (size_t)total);
	put_header(&o, &b->h);
	put_tables(b, &o, order, nadv);
	if (o.len != total) {
		ea_buf_free(&o);
		return ea_fail(err, EA_E_NOMEM, "the database could not be laid out");
	}
	*out = o.data;
	*len = o.len;
	*h = b->h;
	return 0;
}
