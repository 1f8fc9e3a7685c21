/* bbolt: see bbolt.h. */
#include "bbolt.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE_HDR       16
#define ELEM_SIZE      16 /* branch and leaf elements are both 16 bytes */
#define META_BYTES     64
#define META_SUM_BYTES 56 /* the checksum covers the meta up to itself */

#define F_BRANCH    0x01
#define F_LEAF      0x02
#define F_META      0x04
#define LEAF_BUCKET 0x01

struct bbolt {
	int fd; /* -1 for a memory buffer */
	const unsigned char *mem;
	uint64_t size;
	char label[64];
	struct bbolt_info info;
	uint64_t npages; /* min(high-water mark, whole pages in the file) */
	uint64_t steps, max_steps;
	size_t live;            /* bytes of page buffers held */
	unsigned char *visited; /* bbolt_check: one bit per page */
	struct bbolt_stats *st;
};

/* ------------------------------------------------------------ bytes */

static uint16_t le16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static uint64_t fnv1a64(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int key_cmp(const unsigned char *a, size_t an, const unsigned char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);
	if (c) return c;
	return an < bn ? -1 : an > bn;
}

int bbolt_uvarint(const void *p, size_t n, uint64_t *out)
{
	const unsigned char *b = p;
	uint64_t x = 0;
	for (size_t i = 0; i < n && i < 10; i++) {
		if (i == 9 && b[i] > 1) return -1; /* overflows 64 bits */
		x |= (uint64_t)(b[i] & 0x7f) << (7 * i);
		if (!(b[i] & 0x80)) {
			*out = x;
			return (int)i + 1;
		}
	}
	return -1;
}

int bbolt_varint(const void *p, size_t n, int64_t *out)
{
	uint64_t u;
	int k = bbolt_uvarint(p, n, &u);
	if (k < 0) return -1;
	/* zig-zag: the low bit is the sign */
	*out = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
	return k;
}

/* ------------------------------------------------------------ reading */

static int rd(bbolt_t *db, void *buf, size_t n, uint64_t off, ea_error_t *err)
{
	if (off > db->size || n > db->size - off)
		return ea_fail(err, EA_E_FORMAT,
		               "%s: %zu bytes at offset %llu lie past the end of the file (%llu "
		               "bytes): truncated?",
		               db->label, n, (unsigned long long)off, (unsigned long long)db->size);
	if (db->mem) {
		memcpy(buf, db->mem + off, n);
		return 0;
	}
	size_t got = 0;
	while (got < n) {
		ssize_t k = pread(db->fd, (char *)buf + got, n - got, (off_t)(off + got));
		if (k < 0) {
			if (errno == EINTR) continue;
			return ea_fail_errno(err, errno, "%s: cannot read offset %llu", db->label,
			                     (unsigned long long)(off + got));
		}
		if (k == 0)
			return ea_fail(err, EA_E_FORMAT,
			               "%s: the file ends at offset %llu, before its size: "
			               "truncated while read?",
			               db->label, (unsigned long long)(off + got));
		got += (size_t)k;
	}
	return 0;
}

/* ------------------------------------------------------------ meta pages */

struct meta {
	uint32_t magic, version, page_size, flags;
	uint64_t root, seq, freelist, pgid, txid, checksum;
};

static int page_size_ok(uint32_t ps) { return ps >= 512 && ps <= 65536 && (ps & (ps - 1)) == 0; }

/* Read and validate the meta page `id` at `off`.  0 valid; -1 with the
 * reason in why; big_endian set when the magic is byte-swapped. */
static int meta_read(bbolt_t *db, uint64_t off, uint64_t id, struct meta *m, char *why,
                     size_t whylen, int *big_endian)
{
	unsigned char b[PAGE_HDR + META_BYTES];
	ea_error_t e = {0};
	if (rd(db, b, sizeof b, off, &e) < 0) {
		snprintf(why, whylen, "unreadable (%s)",
		         e.code == EA_E_FORMAT ? "past the end of the file" : "I/O error");
		return -1;
	}
	const unsigned char *p = b + PAGE_HDR;
	m->magic = le32(p);
	m->version = le32(p + 4);
	m->page_size = le32(p + 8);
	m->flags = le32(p + 12);
	m->root = le64(p + 16);
	m->seq = le64(p + 24);
	m->freelist = le64(p + 32);
	m->pgid = le64(p + 40);
	m->txid = le64(p + 48);
	m->checksum = le64(p + 56);
	if (m->magic != BBOLT_MAGIC) {
		if (m->magic == 0xEDDA0CEDu) *big_endian = 1;
		snprintf(why, whylen, "bad magic 0x%08x", m->magic);
		return -1;
	}
	if (m->version != BBOLT_VERSION) {
		snprintf(why, whylen, "format version %u, not %d", m->version, BBOLT_VERSION);
		return -1;
	}
	if (m->checksum != fnv1a64(p, META_SUM_BYTES)) {
		snprintf(why, whylen, "checksum mismatch");
		return -1;
	}
	/* Checked by the checksum's writer, not by the checksum: the header. */
	if (le64(b) != id || !(le16(b + 8) & F_META)) {
		snprintf(why, whylen, "page header is not meta page %llu", (unsigned long long)id);
		return -1;
	}
	if (!page_size_ok(m->page_size)) {
		snprintf(why, whylen, "page size %u", m->page_size);
		return -1;
	}
	return 0;
}

/* Find the current meta: both pages, the valid one with the higher txid. */
static int load_meta(bbolt_t *db, struct meta *cur, struct bbolt_info *info, ea_error_t *err)
{
	struct meta m0, m1;
	char w0[96] = "", w1[96] = "";
	int be = 0;
	int v0 = meta_read(db, 0, 0, &m0, w0, sizeof w0, &be) == 0;
	int v1 = 0;
	if (v0) {
		v1 = meta_read(db, m0.page_size, 1, &m1, w1, sizeof w1, &be) == 0;
		if (v1 && m1.page_size != m0.page_size) {
			snprintf(w1, sizeof w1, "page size %u differs from page 0's %u",
			         m1.page_size, m0.page_size);
			v1 = 0;
		}
	} else {
		/* Page 0 is damaged: page 1 sits one page in, at a size we must
		 * guess; the writer's OS page size is the usual one. */
		static const uint32_t guess[] = {4096, 16384, 65536, 8192, 32768, 2048, 1024, 512};
		for (unsigned i = 0; i < sizeof guess / sizeof guess[0] && !v1; i++) {
			char w[96];
			if (meta_read(db, guess[i], 1, &m1, w, sizeof w, &be) == 0 &&
			    m1.page_size == guess[i])
				v1 = 1;
			else if (i == 0) snprintf(w1, sizeof w1, "%s", w);
		}
	}
	if (!v0 && !v1) {
		if (be)
			return ea_fail(err, EA_E_UNSUPPORTED,
			               "%s: a big-endian bbolt file (not written on this "
			               "architecture family)",
			               db->label);
		return ea_fail(err, EA_E_FORMAT, "%s: no valid meta page (page 0: %s; page 1: %s)",
		               db->label, w0, w1);
	}
	int use1 = v1 && (!v0 || m1.txid > m0.txid);
	*cur = use1 ? m1 : m0;
	memset(info, 0, sizeof *info);
	info->meta_used = use1;
	info->other_valid = v0 && v1;
	if (!info->other_valid)
		snprintf(info->other_err, sizeof info->other_err, "%s", use1 ? w0 : w1);
	info->page_size = cur->page_size;
	info->txid = cur->txid;
	info->hwm = cur->pgid;
	info->root = cur->root;
	info->file_size = db->size;
	return 0;
}

static int finish_open(bbolt_t *db, ea_error_t *err)
{
	struct meta m;
	if (load_meta(db, &m, &db->info, err) < 0) return -1;
	uint64_t file_pages = db->size / m.page_size;
	db->npages = m.pgid < file_pages ? m.pgid : file_pages;
	if (m.pgid < 3)
		return ea_fail(err, EA_E_FORMAT,
		               "%s: meta says %llu pages are in use: fewer than a database has",
		               db->label, (unsigned long long)m.pgid);
	if (m.root < 2 || m.root >= m.pgid)
		return ea_fail(err, EA_E_FORMAT,
		               "%s: root bucket page %llu is outside pages 2..%llu", db->label,
		               (unsigned long long)m.root, (unsigned long long)m.pgid - 1);
	return 0;
}

static bbolt_t *db_new(const char *label)
{
	bbolt_t *db = xcalloc(1, sizeof *db);
	db->fd = -1;
	db->max_steps = BBOLT_DEFAULT_MAX_STEPS;
	snprintf(db->label, sizeof db->label, "%s", label ? label : "bbolt");
	return db;
}

int bbolt_open_fd(bbolt_t **out, int fd, const char *label, ea_error_t *err)
{
	*out = NULL;
	struct stat st;
	if (fstat(fd, &st) < 0) return ea_fail_errno(err, errno, "%s: fstat", label);
	if (!S_ISREG(st.st_mode))
		return ea_fail(err, EA_E_NOTREG, "%s is not a regular file", label);
	bbolt_t *db = db_new(label);
	db->fd = fd;
	db->size = (uint64_t)st.st_size;
	if (finish_open(db, err) < 0) {
		free(db);
		return -1;
	}
	*out = db;
	return 0;
}

int bbolt_open_mem(bbolt_t **out, const void *buf, size_t len, const char *label, ea_error_t *err)
{
	*out = NULL;
	bbolt_t *db = db_new(label);
	db->mem = buf;
	db->size = len;
	if (finish_open(db, err) < 0) {
		free(db);
		return -1;
	}
	*out = db;
	return 0;
}

void bbolt_close(bbolt_t *db)
{
	if (!db) return;
	free(db->visited);
	free(db);
}

void bbolt_closep(bbolt_t **db)
{
	bbolt_close(*db);
	*db = NULL;
}

const struct bbolt_info *bbolt_info(const bbolt_t *db) { return &db->info; }

uint64_t bbolt_steps(const bbolt_t *db) { return db->steps; }

void bbolt_set_max_steps(bbolt_t *db, uint64_t max) { db->max_steps = max; }

int bbolt_changed(bbolt_t *db, ea_error_t *err)
{
	if (db->mem) return 0;
	struct stat st;
	if (fstat(db->fd, &st) < 0) return ea_fail_errno(err, errno, "%s: fstat", db->label);
	uint64_t old_size = db->size;
	db->size = (uint64_t)st.st_size;
	struct meta m;
	struct bbolt_info info;
	ea_error_t e = {0};
	int rc = load_meta(db, &m, &info, &e);
	db->size = old_size;  /* keep reading the state we opened */
	if (rc < 0) return 1; /* unreadable now: it changed under us */
	return m.txid != db->info.txid || m.root != db->info.root ||
	       (uint64_t)st.st_size != old_size;
}

/* ------------------------------------------------------------ pages */

struct page {
	unsigned char *p; /* owned unless inline */
	size_t len;
	uint64_t id; /* 0 for an inline page */
	uint16_t flags, count;
	int owned;
};

static void page_free(bbolt_t *db, struct page *pg)
{
	if (pg->owned && pg->p) {
		free(pg->p);
		db->live -= pg->len;
	}
	pg->p = NULL;
	pg->owned = 0;
}

/* The elements must fit the page; the page must be a branch or a leaf. */
static int page_shape(bbolt_t *db, struct page *pg, ea_error_t *err)
{
	if (pg->flags != F_BRANCH && pg->flags != F_LEAF)
		return ea_fail(
		        err, EA_E_FORMAT,
		        "%s: page %llu has type flags 0x%x where a branch or leaf page belongs",
		        db->label, (unsigned long long)pg->id, pg->flags);
	if ((uint64_t)PAGE_HDR + (uint64_t)pg->count * ELEM_SIZE > pg->len)
		return ea_fail(err, EA_E_FORMAT,
		               "%s: page %llu: %u elements do not fit its %zu bytes", db->label,
		               (unsigned long long)pg->id, pg->count, pg->len);
	if (pg->flags == F_BRANCH && pg->count == 0)
		return ea_fail(err, EA_E_FORMAT, "%s: page %llu is a branch page with no elements",
		               db->label, (unsigned long long)pg->id);
	return 0;
}

static int page_load(bbolt_t *db, uint64_t id, struct page *pg, ea_error_t *err)
{
	memset(pg, 0, sizeof *pg);
	if (id < 2 || id >= db->info.hwm)
		return ea_fail(err, EA_E_FORMAT,
		               "%s: a reference to page %llu, outside the pages in use (2..%llu)",
		               db->label, (unsigned long long)id,
		               (unsigned long long)db->info.hwm - 1);
	if (id >= db->npages)
		return ea_fail(
		        err, EA_E_FORMAT,
		        "%s: page %llu lies past the end of the file (%llu bytes): truncated?",
		        db->label, (unsigned long long)id, (unsigned long long)db->size);
	if (++db->steps > db->max_steps)
		return ea_fail(err, EA_E_TOOBIG,
		               "%s: more than %llu page reads: pages pointing in a cycle?",
		               db->label, (unsigned long long)db->max_steps);
	uint32_t ps = db->info.page_size;
	unsigned char h[PAGE_HDR];
	if (rd(db, h, sizeof h, id * ps, err) < 0) return -1;
	uint32_t ovf = le32(h + 12);
	if (le64(h) != id)
		return ea_fail(err, EA_E_FORMAT, "%s: page %llu says it is page %llu", db->label,
		               (unsigned long long)id, (unsigned long long)le64(h));
	if (ovf >= db->npages - id)
		return ea_fail(err, EA_E_FORMAT, "%s: page %llu: %u overflow pages run past the %s",
		               db->label, (unsigned long long)id, ovf,
		               db->npages < db->info.hwm ? "end of the file" : "pages in use");
	uint64_t run = ((uint64_t)ovf + 1) * ps;
	if (run > BBOLT_MAX_RUN_BYTES)
		return ea_fail(err, EA_E_TOOBIG,
		               "%s: page %llu spans %llu bytes, over the %u-byte limit", db->label,
		               (unsigned long long)id, (unsigned long long)run,
		               BBOLT_MAX_RUN_BYTES);
	if (db->live + run > BBOLT_MAX_LIVE_BYTES)
		return ea_fail(err, EA_E_TOOBIG, "%s: more than %u bytes of pages held at once",
		               db->label, BBOLT_MAX_LIVE_BYTES);
	if (db->visited) {
		for (uint64_t k = id; k <= id + ovf; k++) {
			if (db->visited[k / 8] & (1u << (k % 8)))
				return ea_fail(err, EA_E_FORMAT,
				               "%s: page %llu is reached twice (pages pointing in "
				               "a cycle or shared)",
				               db->label, (unsigned long long)k);
			db->visited[k / 8] |= (unsigned char)(1u << (k % 8));
		}
		if (db->st) db->st->pages += ovf + 1;
	}
	pg->p = xmalloc(run);
	pg->len = run;
	pg->owned = 1;
	db->live += run;
	if (rd(db, pg->p, run, id * ps, err) < 0) {
		page_free(db, pg);
		return -1;
	}
	pg->id = id;
	pg->flags = le16(pg->p + 8);
	pg->count = le16(pg->p + 10);
	if (page_shape(db, pg, err) < 0) {
		page_free(db, pg);
		return -1;
	}
	return 0;
}

struct elem {
	const unsigned char *key;
	size_t klen;
	const unsigned char *val;
	size_t vlen;
	uint32_t flags;
	uint64_t child;
};

static int elem_at(bbolt_t *db, const struct page *pg, unsigned i, struct elem *e, ea_error_t *err)
{
	uint64_t eo = PAGE_HDR + (uint64_t)i * ELEM_SIZE;
	const unsigned char *ep = pg->p + eo;
	uint64_t start, end;
	memset(e, 0, sizeof *e);
	if (pg->flags == F_BRANCH) {
		start = eo + le32(ep);
		e->klen = le32(ep + 4);
		e->child = le64(ep + 8);
		end = start + e->klen;
	} else {
		e->flags = le32(ep);
		start = eo + le32(ep + 4);
		e->klen = le32(ep + 8);
		e->vlen = le32(ep + 12);
		end = start + e->klen + e->vlen;
	}
	/* pos, ksize and vsize are 32-bit: their sum cannot wrap a uint64. */
	if (end > pg->len)
		return ea_fail(err, EA_E_FORMAT,
		               "%s: page %llu element %u: key or value runs past the page",
		               db->label, (unsigned long long)pg->id, i);
	if (e->klen == 0)
		return ea_fail(err, EA_E_FORMAT, "%s: page %llu element %u has an empty key",
		               db->label, (unsigned long long)pg->id, i);
	if (pg->flags == F_LEAF && (e->flags & ~(uint32_t)LEAF_BUCKET))
		return ea_fail(err, EA_E_FORMAT, "%s: page %llu element %u has unknown flags 0x%x",
		               db->label, (unsigned long long)pg->id, i, e->flags);
	e->key = pg->p + start;
	e->val = e->key + e->klen;
	if (pg->flags == F_LEAF && (e->flags & LEAF_BUCKET) && e->vlen < 16)
		return ea_fail(err, EA_E_FORMAT,
		               "%s: page %llu element %u: a bucket whose header is %zu bytes",
		               db->label, (unsigned long long)pg->id, i, e->vlen);
	return 0;
}

/* ------------------------------------------------------------ buckets */

void bbolt_bucket_release(bbolt_bucket_t *b)
{
	free(b->inl);
	b->inl = NULL;
	b->inl_len = 0;
}

int bbolt_root(bbolt_t *db, bbolt_bucket_t *out, ea_error_t *err)
{
	(void)err;
	memset(out, 0, sizeof *out);
	out->db = db;
	out->root = db->info.root;
	return 0;
}

int bbolt_child(const bbolt_bucket_t *parent, const struct bbolt_kv *kv, bbolt_bucket_t *out,
                ea_error_t *err)
{
	bbolt_t *db = parent->db;
	memset(out, 0, sizeof *out);
	out->db = db;
	if (!kv->is_bucket || kv->vlen < 16)
		return ea_fail(err, EA_E_FORMAT, "%s: a key opened as a bucket holds a plain value",
		               db->label);
	if (parent->nest + 1 > BBOLT_MAX_NEST)
		return ea_fail(err, EA_E_FORMAT, "%s: buckets nested deeper than %d", db->label,
		               BBOLT_MAX_NEST);
	out->nest = parent->nest + 1;
	out->root = le64(kv->val);
	if (out->root == 0) {
		size_t n = kv->vlen - 16;
		if (n < PAGE_HDR)
			return ea_fail(err, EA_E_FORMAT,
			               "%s: an inline bucket of %zu bytes, too short for its page",
			               db->label, n);
		out->inl = xmalloc(n);
		memcpy(out->inl, kv->val + 16, n);
		out->inl_len = n;
		if (db->st) db->st->inline_buckets++;
	}
	if (db->st) db->st->buckets++;
	return 0;
}

struct walk {
	bbolt_t *db;
	bbolt_visit_fn fn;
	void *ctx;
	int stop;
};

struct krange {
	const unsigned char *lo, *hi; /* [lo, hi); NULL: unbounded */
	size_t lolen, hilen;
};

static int walk_page(struct walk *w, const struct page *pg, const struct krange *r, unsigned depth,
                     ea_error_t *err)
{
	bbolt_t *db = w->db;
	const unsigned char *prev = NULL;
	size_t prevlen = 0;
	for (unsigned i = 0; i < pg->count && !w->stop; i++) {
		struct elem e;
		if (elem_at(db, pg, i, &e, err) < 0) return -1;
		/* The order bbolt keeps: strictly increasing within a page, and
		 * inside the range the parent's branch element gives the page. */
		if (prev && key_cmp(prev, prevlen, e.key, e.klen) >= 0)
			return ea_fail(err, EA_E_FORMAT,
			               "%s: page %llu element %u: keys out of order", db->label,
			               (unsigned long long)pg->id, i);
		if ((r->lo && key_cmp(e.key, e.klen, r->lo, r->lolen) < 0) ||
		    (r->hi && key_cmp(e.key, e.klen, r->hi, r->hilen) >= 0))
			return ea_fail(err, EA_E_FORMAT,
			               "%s: page %llu element %u: key outside the range its parent "
			               "page gives",
			               db->label, (unsigned long long)pg->id, i);
		prev = e.key;
		prevlen = e.klen;
		if (pg->flags == F_LEAF) {
			struct bbolt_kv kv = {e.key, e.klen, e.val, e.vlen,
			                      (e.flags & LEAF_BUCKET) != 0};
			if (db->st) db->st->keys++;
			int rc = w->fn(w->ctx, &kv, err);
			if (rc < 0) return -1;
			if (rc > 0) w->stop = 1;
			continue;
		}
		if (depth + 1 >= BBOLT_MAX_DEPTH)
			return ea_fail(err, EA_E_FORMAT,
			               "%s: page %llu: branch pages nested deeper than %d (pages "
			               "pointing in a cycle?)",
			               db->label, (unsigned long long)pg->id, BBOLT_MAX_DEPTH);
		struct krange cr = {e.key, r->hi, e.klen, r->hilen};
		if (i + 1 < pg->count) {
			struct elem nx;
			if (elem_at(db, pg, i + 1, &nx, err) < 0) return -1;
			cr.hi = nx.key;
			cr.hilen = nx.klen;
		}
		struct page child;
		if (page_load(db, e.child, &child, err) < 0) return -1;
		int rc = walk_page(w, &child, &cr, depth + 1, err);
		page_free(db, &child);
		if (rc < 0) return -1;
	}
	return 0;
}

int bbolt_foreach(const bbolt_bucket_t *b, bbolt_visit_fn fn, void *ctx, ea_error_t *err)
{
	bbolt_t *db = b->db;
	struct walk w = {db, fn, ctx, 0};
	struct krange all = {0};
	struct page pg;
	if (b->root == 0) {
		if (!b->inl || b->inl_len < PAGE_HDR)
			return ea_fail(err, EA_E_FORMAT, "%s: an inline bucket without its page",
			               db->label);
		memset(&pg, 0, sizeof pg);
		pg.p = b->inl;
		pg.len = b->inl_len;
		pg.flags = le16(pg.p + 8);
		pg.count = le16(pg.p + 10);
		if (pg.flags != F_LEAF)
			return ea_fail(err, EA_E_FORMAT,
			               "%s: an inline bucket whose page is not a leaf (flags 0x%x)",
			               db->label, pg.flags);
		if (page_shape(db, &pg, err) < 0) return -1;
		return walk_page(&w, &pg, &all, 0, err);
	}
	if (page_load(db, b->root, &pg, err) < 0) return -1;
	int rc = walk_page(&w, &pg, &all, 0, err);
	page_free(db, &pg);
	return rc;
}

/* Lookups scan in key order and stop at the first key past the one wanted:
 * the buckets looked up by key (v1, a namespace, an image record) hold a
 * handful of keys; big buckets are iterated, never searched. */
struct find {
	const char *key;
	size_t klen;
	int want_bucket;
	const bbolt_bucket_t *parent;
	int found;
	char *val;
	size_t vlen;
	bbolt_bucket_t *out;
};

static int find_cb(void *ctx, const struct bbolt_kv *kv, ea_error_t *err)
{
	struct find *f = ctx;
	int c = key_cmp(kv->key, kv->klen, (const unsigned char *)f->key, f->klen);
	if (c < 0) return 0;
	if (c > 0) return 1;
	if (f->want_bucket) {
		if (!kv->is_bucket) return 1;
		if (bbolt_child(f->parent, kv, f->out, err) < 0) return -1;
		f->found = 1;
		return 1;
	}
	if (kv->is_bucket) return 1;
	f->val = xmalloc(kv->vlen + 1);
	memcpy(f->val, kv->val, kv->vlen);
	f->val[kv->vlen] = '\0';
	f->vlen = kv->vlen;
	f->found = 1;
	return 1;
}

int bbolt_get(const bbolt_bucket_t *b, const char *key, char **val, size_t *vlen, ea_error_t *err)
{
	struct find f = {.key = key, .klen = strlen(key), .parent = b};
	*val = NULL;
	if (bbolt_foreach(b, find_cb, &f, err) < 0) {
		free(f.val);
		return -1;
	}
	if (!f.found) return 0;
	*val = f.val;
	if (vlen) *vlen = f.vlen;
	return 1;
}

int bbolt_get_bucket(const bbolt_bucket_t *b, const char *name, bbolt_bucket_t *out,
                     ea_error_t *err)
{
	struct find f = {
	        .key = name, .klen = strlen(name), .want_bucket = 1, .parent = b, .out = out};
	memset(out, 0, sizeof *out);
	out->db = b->db;
	if (bbolt_foreach(b, find_cb, &f, err) < 0) {
		bbolt_bucket_release(out);
		return -1;
	}
	return f.found;
}

/* ------------------------------------------------------------ check */

struct check {
	const bbolt_bucket_t *b;
};

static int check_cb(void *ctx, const struct bbolt_kv *kv, ea_error_t *err)
{
	struct check *c = ctx;
	if (!kv->is_bucket) return 0;
	bbolt_bucket_t child;
	if (bbolt_child(c->b, kv, &child, err) < 0) return -1;
	bbolt_t *db = c->b->db;
	if (db->st && child.nest > db->st->max_depth) db->st->max_depth = child.nest;
	struct check cc = {&child};
	int rc = bbolt_foreach(&child, check_cb, &cc, err);
	bbolt_bucket_release(&child);
	return rc < 0 ? -1 : 0;
}

int bbolt_check(bbolt_t *db, struct bbolt_stats *st, ea_error_t *err)
{
	struct bbolt_stats local = {0};
	db->st = st ? st : &local;
	memset(db->st, 0, sizeof *db->st);
	db->visited = xcalloc((size_t)(db->npages / 8 + 1), 1);
	bbolt_bucket_t root;
	bbolt_root(db, &root, err);
	struct check c = {&root};
	int rc = bbolt_foreach(&root, check_cb, &c, err);
	free(db->visited);
	db->visited = NULL;
	db->st = NULL;
	return rc;
}
