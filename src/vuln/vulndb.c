/* vulndb: the compiled database read with pread lookups (see vulndb.h). */
#include "vulndb.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "digest.h"
#include "fsx.h"
#include "report_sign.h"

/* A direct-mapped cache of the file's pages: one package's entries and
 * strings sit close together, so most lookups cost no system call (256 KiB,
 * whatever the file's size). */
#define DB_PAGE  4096u
#define DB_PAGES 64u

struct vulndb {
	int fd;
	const unsigned char *mem; /* vulndb_open_mem: the bytes; else NULL */
	uint64_t size;
	unsigned char sha256[32];
	int hashed;
	struct vulndb_header h;
	unsigned char (*page)[DB_PAGE]; /* DB_PAGES pages */
	uint64_t tag[DB_PAGES];         /* page number + 1 held in each slot, 0: none */
};

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* n bytes at off, inside the file; EA_E_FORMAT past its end. */
/* Page pg of the file, through the cache. */
static const unsigned char *db_page(struct vulndb *db, uint64_t pg, ea_error_t *err)
{
	size_t slot = (size_t)(pg % DB_PAGES);
	if (db->tag[slot] == pg + 1) return db->page[slot];
	uint64_t off = pg * DB_PAGE;
	size_t n = db->size - off < DB_PAGE ? (size_t)(db->size - off) : DB_PAGE, got = 0;
	db->tag[slot] = 0;
	while (got < n) {
		ssize_t r = pread(db->fd, db->page[slot] + got, n - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR) continue;
		if (r <= 0) {
			ea_fail_errno(err, r < 0 ? errno : EIO, "vulnerability database");
			return NULL;
		}
		got += (size_t)r;
	}
	db->tag[slot] = pg + 1;
	return db->page[slot];
}

/* n bytes at off, inside the file; EA_E_FORMAT past its end. */
static int db_read(struct vulndb *db, uint64_t off, void *buf, size_t n, ea_error_t *err)
{
	if (off > db->size || n > db->size - off)
		return ea_fail(err, EA_E_FORMAT,
		               "vulnerability database: a reference past its end");
	if (db->mem) {
		memcpy(buf, db->mem + off, n);
		return 0;
	}
	for (size_t done = 0; done < n;) {
		uint64_t at = off + done;
		const unsigned char *p = db_page(db, at / DB_PAGE, err);
		if (!p) return -1;
		size_t in = DB_PAGE - (size_t)(at % DB_PAGE), k = n - done < in ? n - done : in;
		memcpy((char *)buf + done, p + at % DB_PAGE, k);
		done += k;
	}
	return 0;
}

static int bad(ea_error_t *err, const char *why)
{
	return ea_fail(err, EA_E_FORMAT, "vulnerability database: %s", why);
}

/* The header, and its sections laid out exactly as the format says. */
static int read_header(struct vulndb *db, ea_error_t *err)
{
	unsigned char p[VULNDB_HEADER];
	struct vulndb_header *h = &db->h;
	if (db->size < VULNDB_HEADER || db_read(db, 0, p, sizeof p, err) < 0 ||
	    memcmp(p, VULNDB_MAGIC, 8))
		return bad(err, "not an edgeaudit vulnerability database");
	h->format = le32(p + 8);
	if (h->format != VULNDB_FORMAT || le32(p + 12) != VULNDB_HEADER)
		return bad(err, "a format this version does not read");
	h->built = le32(p + 16) | (uint64_t)le32(p + 20) << 32;
	h->newest = le32(p + 24) | (uint64_t)le32(p + 28) << 32;
	uint32_t *f[] = {&h->npkgs,     &h->naff,         &h->nadv,      &h->npool,
	                 &h->strsize,   &h->off_pkgs,     &h->off_aff,   &h->off_adv,
	                 &h->off_pool,  &h->off_str,      &h->records,   &h->withdrawn,
	                 &h->malformed, &h->out_of_scope, &h->duplicates};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) *f[i] = le32(p + 32 + 4 * i);
	uint64_t at = VULNDB_HEADER;
	int ok = h->off_pkgs == at;
	ok = ok && h->off_aff == (at += 16ull * h->npkgs);
	ok = ok && h->off_adv == (at += 16ull * h->naff);
	ok = ok && h->off_pool == (at += 16ull * h->nadv);
	ok = ok && h->off_str == (at += 4ull * h->npool);
	ok = ok && h->strsize >= 1 && db->size == at + h->strsize && h->npool >= 1;
	unsigned char last = 1;
	if (!ok || db_read(db, db->size - 1, &last, 1, err) < 0 || last != 0)
		return bad(err, "its sections do not fit its size");
	return 0;
}

int vulndb_open_mem(const void *data, size_t len, struct vulndb **out, ea_error_t *err)
{
	struct vulndb *db = xcalloc(1, sizeof(*db));
	db->fd = -1;
	db->mem = data;
	db->size = len;
	if (read_header(db, err) < 0) {
		free(db);
		return -1;
	}
	*out = db;
	return 0;
}

static int check_sig(const char *path, const char *pub_pem, const unsigned char hash[32],
                     char fpr[72], ea_error_t *err)
{
	cleanup_free char *sig_path = xasprintf("%s%s", path, REPORT_SIG_SUFFIX);
	cleanup_free char *sig = NULL;
	size_t sig_len = 0;
	ea_error_t e = {0};
	if (fsx_read_user_file(sig_path, REPORT_SIG_MAX, &sig, &sig_len, &e) < 0)
		return ea_fail(err, EA_E_NOENT, "no signature (%.200s)", e.msg);
	if (report_verify_digest(pub_pem, hash, sig, sig_len, fpr, &e) < 0)
		return ea_fail(err, e.code == EA_E_USAGE ? EA_E_USAGE : EA_E_MISMATCH,
		               "BAD SIGNATURE: %.200s", e.msg);
	return 0;
}

int vulndb_open(const char *path, const char *pub_pem, struct vulndb **out, char fpr[72],
                ea_error_t *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	if (fd < 0) return ea_fail_errno(err, errno, "%s", path);
	if (fstat(fd, &st) < 0) return ea_fail_errno(err, errno, "%s", path);
	if (!S_ISREG(st.st_mode)) return ea_fail(err, EA_E_NOTREG, "%s: not a regular file", path);
	struct vulndb *db = xcalloc(1, sizeof(*db));
	db->fd = steal_fd(&fd);
	db->size = (uint64_t)st.st_size;
	db->page = xmalloc(DB_PAGES * sizeof(*db->page));
	digest_t d;
	uint64_t size = 0;
	int rc = digest_fd(db->fd, DIGEST_SHA256, &d, &size, err);
	if (rc == 0) {
		memcpy(db->sha256, d.bytes, 32);
		db->hashed = 1;
		db->size = size;
		if (pub_pem) rc = check_sig(path, pub_pem, db->sha256, fpr, err);
	}
	if (rc == 0) rc = read_header(db, err);
	if (rc < 0) {
		vulndb_close(db);
		return -1;
	}
	*out = db;
	return 0;
}

int vulndb_unchanged(struct vulndb *db, ea_error_t *err)
{
	if (!db->hashed) return 0;
	digest_t d;
	uint64_t size = 0;
	if (lseek(db->fd, 0, SEEK_SET) != 0 || digest_fd(db->fd, DIGEST_SHA256, &d, &size, err) < 0)
		return -1;
	if (size != db->size || memcmp(d.bytes, db->sha256, 32))
		return ea_fail(err, EA_E_MISMATCH,
		               "the vulnerability database changed while it was read");
	return 0;
}

const struct vulndb_header *vulndb_header(const struct vulndb *db) { return &db->h; }

void vulndb_close(struct vulndb *db)
{
	if (!db) return;
	if (db->fd >= 0) close(db->fd);
	free(db->page);
	free(db);
}

/* ------------------------------------------------------------- lookups */

/* String at off (NUL-terminated within OSV_STR_MAX + 1 bytes) into buf. */
static int db_str(struct vulndb *db, uint32_t off, char buf[OSV_STR_MAX + 1], ea_error_t *err)
{
	if (off >= db->h.strsize) return bad(err, "a string past the string table");
	size_t n = db->h.strsize - off;
	if (n > OSV_STR_MAX + 1) n = OSV_STR_MAX + 1;
	if (db_read(db, (uint64_t)db->h.off_str + off, buf, n, err) < 0) return -1;
	if (!memchr(buf, '\0', n)) return bad(err, "an overlong string");
	return 0;
}

static int read_rec(struct vulndb *db, uint32_t off, uint32_t i, uint32_t v[4], ea_error_t *err)
{
	unsigned char p[16];
	if (db_read(db, off + 16ull * i, p, 16, err) < 0) return -1;
	for (int k = 0; k < 4; k++) v[k] = le32(p + 4 * k);
	return 0;
}

/* (ecosystem, name) against package entry i: <0, 0, >0. */
static int pkg_cmp(struct vulndb *db, uint32_t i, const char *eco, const char *name, uint32_t v[4],
                   int *c, ea_error_t *err)
{
	char s[OSV_STR_MAX + 1];
	if (read_rec(db, db->h.off_pkgs, i, v, err) < 0 || db_str(db, v[0], s, err) < 0) return -1;
	*c = strcmp(eco, s);
	if (*c) return 0;
	if (db_str(db, v[1], s, err) < 0) return -1;
	*c = strcmp(name, s);
	return 0;
}

int vulndb_find(struct vulndb *db, const char *ecosystem, const char *name, uint32_t *first,
                uint32_t *count, ea_error_t *err)
{
	uint32_t lo = 0, hi = db->h.npkgs, v[4];
	*first = *count = 0;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c;
		if (pkg_cmp(db, mid, ecosystem, name, v, &c, err) < 0) return -1;
		if (c == 0) {
			if (v[2] > db->h.naff || v[3] > db->h.naff - v[2])
				return bad(err, "a package's entries past the table");
			*first = v[2];
			*count = v[3];
			return 0;
		}
		if (c < 0) hi = mid;
		else lo = mid + 1;
	}
	return 0;
}

/* n u32 of the pool from index i. */
static int pool_read(struct vulndb *db, uint32_t i, uint32_t n, uint32_t *out, ea_error_t *err)
{
	if (i > db->h.npool || n > db->h.npool - i) return bad(err, "a list past the pool");
	cleanup_free unsigned char *p = xmalloc(4 * (size_t)n + 1);
	if (db_read(db, db->h.off_pool + 4ull * i, p, 4 * (size_t)n, err) < 0) return -1;
	for (uint32_t k = 0; k < n; k++) out[k] = le32(p + 4 * k);
	return 0;
}

/* A growing arena of strings for one entry (mem): offsets, fixed up after. */
struct arena {
	ea_buf_t b;
};

static int arena_str(struct vulndb *db, struct arena *a, uint32_t off, size_t *at, ea_error_t *err)
{
	char s[OSV_STR_MAX + 1];
	if (db_str(db, off, s, err) < 0) return -1;
	*at = a->b.len;
	return ea_buf_append(&a->b, s, strlen(s) + 1, err);
}

void vulndb_aff_clear(struct vulndb_aff *a)
{
	for (size_t i = 0; i < a->nranges; i++) free(a->ranges[i].ev);
	free(a->ranges);
	free(a->versions);
	free(a->mem);
	memset(a, 0, sizeof(*a));
}

/* One range at pool index *pi: events with string offsets in the arena
 * (stored in .version as offsets until fixed up). */
static int read_range(struct vulndb *db, uint32_t *pi, struct osv_range *r, struct arena *ar,
                      ea_error_t *err)
{
	uint32_t nev;
	if (pool_read(db, (*pi)++, 1, &nev, err) < 0) return -1;
	if (!nev || nev > VULNDB_MAX_EVENTS) return bad(err, "a range of no or too many events");
	uint32_t ev[VULNDB_MAX_EVENTS];
	if (pool_read(db, *pi, nev, ev, err) < 0) return -1;
	*pi += nev;
	r->ev = xcalloc(nev, sizeof(*r->ev));
	for (uint32_t k = 0; k < nev; k++) {
		size_t at;
		uint32_t kind = ev[k] >> 30;
		r->ev[k].kind = kind == 0 ? OSV_EV_LIMIT : (osv_ev_t)kind;
		if (arena_str(db, ar, ev[k] & 0x3fffffffu, &at, err) < 0) return -1;
		r->ev[k].version = (const char *)(uintptr_t)at;
		r->nev++;
	}
	return 0;
}

static int read_versions(struct vulndb *db, uint32_t pi, struct vulndb_aff *a, struct arena *ar,
                         ea_error_t *err)
{
	uint32_t n;
	if (pool_read(db, pi, 1, &n, err) < 0) return -1;
	if (n > VULNDB_MAX_VERSIONS) return bad(err, "too many versions");
	if (!n) return 0;
	cleanup_free uint32_t *offs = xmalloc(4 * (size_t)n);
	if (pool_read(db, pi + 1, n, offs, err) < 0) return -1;
	a->versions = xcalloc(n, sizeof(*a->versions));
	for (uint32_t k = 0; k < n; k++) {
		size_t at;
		if (arena_str(db, ar, offs[k], &at, err) < 0) return -1;
		a->versions[a->nversions++] = (const char *)(uintptr_t)at;
	}
	return 0;
}

static int read_aff(struct vulndb *db, uint32_t i, struct vulndb_aff *a, struct arena *ar,
                    ea_error_t *err)
{
	uint32_t v[4], n;
	if (i >= db->h.naff) return bad(err, "an entry past the table");
	if (read_rec(db, db->h.off_aff, i, v, err) < 0) return -1;
	if (v[0] >= db->h.nadv) return bad(err, "an entry naming no advisory");
	a->adv = v[0];
	int score = (int)(v[3] >> 8 & 0xff);
	a->sev = (struct severity){(vsev_t)(v[3] & 0xff), score == 255 ? -1 : score,
	                           (sevsrc_t)(v[3] >> 16 & 0xff)};
	if (a->sev.level > VSEV_CRITICAL || a->sev.src > SEVSRC_ECOSYSTEM ||
	    (score > 100 && score != 255))
		return bad(err, "a severity out of range");
	uint32_t pi = v[1];
	if (pool_read(db, pi++, 1, &n, err) < 0) return -1;
	if (n > VULNDB_MAX_EVENTS) return bad(err, "too many ranges");
	a->ranges = xcalloc(n + 1, sizeof(*a->ranges));
	for (uint32_t k = 0; k < n; k++) {
		a->nranges++; /* counted first: a range read halfway is freed too */
		if (read_range(db, &pi, &a->ranges[k], ar, err) < 0) return -1;
	}
	return read_versions(db, v[2], a, ar, err);
}

int vulndb_read_aff(struct vulndb *db, uint32_t i, struct vulndb_aff *a, ea_error_t *err)
{
	struct arena ar;
	memset(a, 0, sizeof(*a));
	ea_buf_init(&ar.b, VULNDB_ENTRY_MAX);
	int rc = read_aff(db, i, a, &ar, err);
	a->mem = ar.b.data ? xrealloc(ar.b.data, ar.b.len + 1) : NULL;
	for (size_t r = 0; r < a->nranges; r++)
		for (size_t k = 0; k < a->ranges[r].nev; k++)
			a->ranges[r].ev[k].version = a->mem + (uintptr_t)a->ranges[r].ev[k].version;
	for (size_t k = 0; k < a->nversions; k++)
		a->versions[k] = a->mem + (uintptr_t)a->versions[k];
	if (rc < 0) vulndb_aff_clear(a);
	return rc;
}

void vulndb_adv_clear(struct vulndb_adv *a)
{
	free(a->links);
	free(a->mem);
	memset(a, 0, sizeof(*a));
}

static int read_links(struct vulndb *db, uint32_t pi, struct vulndb_adv *a, struct arena *ar,
                      ea_error_t *err)
{
	uint32_t h[2];
	if (!pi) return 0;
	if (pool_read(db, pi, 2, h, err) < 0) return -1;
	if (h[0] > VULNDB_MAX_VERSIONS || h[1] > VULNDB_MAX_VERSIONS)
		return bad(err, "too many ids");
	size_t n = (size_t)h[0] + h[1];
	cleanup_free uint32_t *offs = xmalloc(4 * n + 4);
	if (pool_read(db, pi + 2, (uint32_t)n, offs, err) < 0) return -1;
	a->links = xcalloc(n + 1, sizeof(*a->links));
	a->naliases = h[0];
	for (size_t k = 0; k < n; k++) {
		size_t at;
		if (arena_str(db, ar, offs[k], &at, err) < 0) return -1;
		a->links[a->nlinks++] = (const char *)(uintptr_t)at;
	}
	return 0;
}

int vulndb_read_adv(struct vulndb *db, uint32_t i, struct vulndb_adv *a, ea_error_t *err)
{
	uint32_t v[4];
	struct arena ar;
	size_t id = 0;
	memset(a, 0, sizeof(*a));
	a->id = "";
	if (i >= db->h.nadv) return bad(err, "an advisory past the table");
	if (read_rec(db, db->h.off_adv, i, v, err) < 0) return -1;
	ea_buf_init(&ar.b, VULNDB_ENTRY_MAX);
	int rc = arena_str(db, &ar, v[0], &id, err);
	if (rc == 0) rc = read_links(db, v[1], a, &ar, err);
	/* exact size: a package can have thousands of hits held at once (linux) */
	a->mem = ar.b.data ? xrealloc(ar.b.data, ar.b.len + 1) : NULL;
	if (a->mem) a->id = a->mem + id;
	for (size_t k = 0; k < a->nlinks; k++) a->links[k] = a->mem + (uintptr_t)a->links[k];
	if (rc < 0) vulndb_adv_clear(a);
	return rc;
}
