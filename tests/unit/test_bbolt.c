/*
 * test_bbolt: the bbolt reader on databases built here byte by byte from
 * the format rules (bbolt.h), each corruption its own case, and on a real
 * meta.db written by containerd 1.6 (tests/unit/data/containerd-meta.db.gz:
 * `ctr images import` of a 3-layer umoci image into namespaces default and
 * other, then 150 more tags in default, so the images bucket has a branch
 * page; the file is cut at its high-water mark and gzip'ed).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bbolt.h"
#include "inflate.h"
#include "unit.h"

#define PS     4096
#define NPAGES 8

/* ------------------------------------------------------------ builder */

static void w16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}
static void w32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static void w64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t fnv(const unsigned char *p, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

static void put_meta(unsigned char *db, uint32_t ps, unsigned idx, uint64_t root, uint64_t hwm,
                     uint64_t txid)
{
	unsigned char *p = db + (size_t)idx * ps, *m = p + 16;
	memset(p, 0, 80);
	w64(p, idx);
	w16(p + 8, 0x04);
	w32(m, 0xED0CDAED);
	w32(m + 4, 2);
	w32(m + 8, ps);
	w64(m + 16, root);
	w64(m + 32, 2); /* freelist: never read */
	w64(m + 40, hwm);
	w64(m + 48, txid);
	w64(m + 56, fnv(m, 56));
}

static void reseal_meta(unsigned char *db, uint32_t ps, unsigned idx)
{
	unsigned char *m = db + (size_t)idx * ps + 16;
	w64(m + 56, fnv(m, 56));
}

struct item {
	uint32_t flags;
	const char *k;
	const void *v;
	size_t vn;
	uint64_t child; /* branch */
};

/* A leaf (or branch) page at p; returns its length. */
static size_t put_page(unsigned char *p, uint64_t id, uint16_t flags, const struct item *it,
                       unsigned n, uint32_t ovf)
{
	w64(p, id);
	w16(p + 8, flags);
	w16(p + 10, (uint16_t)n);
	w32(p + 12, ovf);
	size_t data = 16 + (size_t)n * 16;
	for (unsigned i = 0; i < n; i++) {
		unsigned char *e = p + 16 + i * 16;
		size_t kn = strlen(it[i].k), eo = 16 + (size_t)i * 16;
		if (flags == 0x02) {
			w32(e, it[i].flags);
			w32(e + 4, (uint32_t)(data - eo));
			w32(e + 8, (uint32_t)kn);
			w32(e + 12, (uint32_t)it[i].vn);
		} else {
			w32(e, (uint32_t)(data - eo));
			w32(e + 4, (uint32_t)kn);
			w64(e + 8, it[i].child);
		}
		memcpy(p + data, it[i].k, kn);
		data += kn;
		if (flags == 0x02 && it[i].vn) {
			memcpy(p + data, it[i].v, it[i].vn);
			data += it[i].vn;
		}
	}
	return data;
}

/* A bucket header {root, sequence} followed, when root is 0, by its page. */
static size_t put_bucket(unsigned char *v, uint64_t root, const struct item *it, unsigned n)
{
	memset(v, 0, 16);
	w64(v, root);
	return root ? 16 : 16 + put_page(v + 16, 0, 0x02, it, n, 0);
}

static unsigned char big[5000];

/* The standard database:
 *   page 2 (root leaf): a="1", b=inline bucket {x="y", z="w"}, c=bucket@3
 *   page 3 (branch):    "k1"->4, "k5"->5
 *   page 4 (leaf):      k1="v1", k2=inline bucket {deep="yes"}
 *   page 5 (leaf):      k5="v5", k6=bucket@6
 *   page 6+7 (leaf, one overflow page): big=5000 bytes */
static unsigned char *std_db(size_t *len)
{
	unsigned char *db = calloc(NPAGES, PS);
	for (size_t i = 0; i < sizeof big; i++) big[i] = (unsigned char)(i * 7);
	put_meta(db, PS, 0, 2, NPAGES, 4);
	put_meta(db, PS, 1, 2, NPAGES, 3);
	unsigned char bv[256], cv[16], k2v[128], k6v[16];
	struct item bi[] = {{0, "x", "y", 1, 0}, {0, "z", "w", 1, 0}};
	size_t bn = put_bucket(bv, 0, bi, 2);
	put_bucket(cv, 3, NULL, 0);
	struct item root[] = {{0, "a", "1", 1, 0}, {1, "b", bv, bn, 0}, {1, "c", cv, 16, 0}};
	put_page(db + 2 * PS, 2, 0x02, root, 3, 0);
	struct item br[] = {{0, "k1", NULL, 0, 4}, {0, "k5", NULL, 0, 5}};
	put_page(db + 3 * PS, 3, 0x01, br, 2, 0);
	struct item di[] = {{0, "deep", "yes", 3, 0}};
	size_t k2n = put_bucket(k2v, 0, di, 1);
	struct item l4[] = {{0, "k1", "v1", 2, 0}, {1, "k2", k2v, k2n, 0}};
	put_page(db + 4 * PS, 4, 0x02, l4, 2, 0);
	put_bucket(k6v, 6, NULL, 0);
	struct item l5[] = {{0, "k5", "v5", 2, 0}, {1, "k6", k6v, 16, 0}};
	put_page(db + 5 * PS, 5, 0x02, l5, 2, 0);
	struct item l6[] = {{0, "big", big, sizeof big, 0}};
	put_page(db + 6 * PS, 6, 0x02, l6, 1, 1);
	*len = (size_t)NPAGES * PS;
	return db;
}

/* Offsets into the standard database, for corruptions. */
#define PAGE(n)    ((size_t)(n)*PS)
#define ELEM(n, i) (PAGE(n) + 16 + (size_t)(i)*16)

/* Open + full check; returns the error code (EA_OK when both succeed). */
static ea_errc_t check_db(const unsigned char *db, size_t len, char *msg, size_t msglen)
{
	bbolt_t *b = NULL;
	ea_error_t err = {0};
	ea_errc_t rc = EA_OK;
	if (bbolt_open_mem(&b, db, len, "test.db", &err) < 0 || bbolt_check(b, NULL, &err) < 0)
		rc = err.code;
	if (msg) snprintf(msg, msglen, "%s", err.msg);
	bbolt_close(b);
	return rc;
}

struct keys {
	char buf[512];
	int n;
};

static int keys_cb(void *ctx, const struct bbolt_kv *kv, ea_error_t *err)
{
	(void)err;
	struct keys *k = ctx;
	size_t l = strlen(k->buf);
	snprintf(k->buf + l, sizeof k->buf - l, "%s%.*s%s", k->n++ ? "," : "", (int)kv->klen,
	         (const char *)kv->key, kv->is_bucket ? "/" : "");
	return 0;
}

/* ------------------------------------------------------------ well-formed */

UNIT_TEST(bbolt_std_read)
{
	size_t len;
	cleanup_free unsigned char *db = std_db(&len);
	cleanup_bbolt bbolt_t *b = NULL;
	ea_error_t err = {0};
	CHECK(bbolt_open_mem(&b, db, len, "test.db", &err) == 0);
	CHECK_EQ_INT(bbolt_info(b)->page_size, PS);
	CHECK_EQ_INT(bbolt_info(b)->txid, 4);
	CHECK_EQ_INT(bbolt_info(b)->meta_used, 0);
	CHECK_EQ_INT(bbolt_info(b)->other_valid, 1);
	bbolt_bucket_t root;
	CHECK(bbolt_root(b, &root, &err) == 0);
	struct keys k = {"", 0};
	CHECK(bbolt_foreach(&root, keys_cb, &k, &err) == 0);
	CHECK_EQ_STR(k.buf, "a,b/,c/");
	cleanup_free char *v = NULL;
	size_t vlen = 0;
	CHECK_EQ_INT(bbolt_get(&root, "a", &v, &vlen, &err), 1);
	CHECK_EQ_STR(v, "1");
	char *none = NULL;
	CHECK_EQ_INT(bbolt_get(&root, "b", &none, NULL, &err), 0); /* a bucket, not a value */
	CHECK_EQ_INT(bbolt_get(&root, "zz", &none, NULL, &err), 0);
	CHECK_EQ_INT(bbolt_get(&root, "0", &none, NULL, &err), 0);
	cleanup_bucket bbolt_bucket_t bb = {0}, cb = {0}, k6 = {0}, k2 = {0};
	CHECK_EQ_INT(bbolt_get_bucket(&root, "b", &bb, &err), 1);
	CHECK_EQ_INT(bb.root, 0); /* inline */
	cleanup_free char *y = NULL;
	CHECK_EQ_INT(bbolt_get(&bb, "z", &y, NULL, &err), 1);
	CHECK_EQ_STR(y, "w");
	CHECK_EQ_INT(bbolt_get_bucket(&root, "a", &k2, &err), 0); /* a value, not a bucket */
	CHECK_EQ_INT(bbolt_get_bucket(&root, "c", &cb, &err), 1);
	struct keys kc = {"", 0};
	CHECK(bbolt_foreach(&cb, keys_cb, &kc, &err) == 0);
	CHECK_EQ_STR(kc.buf, "k1,k2/,k5,k6/"); /* across the branch page, in order */
	cleanup_free char *v5 = NULL;
	CHECK_EQ_INT(bbolt_get(&cb, "k5", &v5, NULL, &err), 1);
	CHECK_EQ_STR(v5, "v5");
	CHECK_EQ_INT(bbolt_get_bucket(&cb, "k2", &k2, &err), 1);
	cleanup_free char *deep = NULL;
	CHECK_EQ_INT(bbolt_get(&k2, "deep", &deep, NULL, &err), 1);
	CHECK_EQ_STR(deep, "yes");
	CHECK_EQ_INT(bbolt_get_bucket(&cb, "k6", &k6, &err), 1);
	cleanup_free char *bv = NULL;
	size_t bl = 0;
	CHECK_EQ_INT(bbolt_get(&k6, "big", &bv, &bl, &err), 1); /* spans an overflow page */
	CHECK_EQ_INT(bl, sizeof big);
	CHECK(memcmp(bv, big, sizeof big) == 0);
}

UNIT_TEST(bbolt_std_check_stats)
{
	size_t len;
	cleanup_free unsigned char *db = std_db(&len);
	cleanup_bbolt bbolt_t *b = NULL;
	ea_error_t err = {0};
	CHECK(bbolt_open_mem(&b, db, len, "test.db", &err) == 0);
	struct bbolt_stats st;
	CHECK(bbolt_check(b, &st, &err) == 0);
	CHECK_EQ_INT(st.pages, 6);   /* 2..7, the overflow page included */
	CHECK_EQ_INT(st.buckets, 4); /* b, c, k2, k6 */
	CHECK_EQ_INT(st.inline_buckets, 2);
	CHECK_EQ_INT(st.keys, 11);
	CHECK_EQ_INT(st.max_depth, 2);
	CHECK(bbolt_check(b, &st, &err) == 0); /* a second check starts afresh */
}

UNIT_TEST(bbolt_meta_higher_txid_wins)
{
	size_t len;
	cleanup_free unsigned char *db = std_db(&len);
	put_meta(db, PS, 1, 2, NPAGES, 9);
	cleanup_bbolt bbolt_t *b = NULL;
	ea_error_t err = {0};
	CHECK(bbolt_open_mem(&b, db, len, "t", &err) == 0);
	CHECK_EQ_INT(bbolt_info(b)->meta_used, 1);
	CHECK_EQ_INT(bbolt_info(b)->txid, 9);
}

UNIT_TEST(bbolt_meta_bad_checksum_falls_back)
{
	size_t len;
	cleanup_free unsigned char *db = std_db(&len);
	put_meta(db, PS, 1, 2, NPAGES, 9);
	db[PAGE(1) + 16 + 48] ^= 0x40; /* txid changed, checksum not */
	cleanup_bbolt bbolt_t *b = NULL;
	ea_error_t err = {0};
	CHECK(bbolt_open_mem(&b, db, len, "t", &err) == 0);
	CHECK_EQ_INT(bbolt_info(b)->meta_used, 0);
	CHECK_EQ_INT(bbolt_info(b)->other_valid, 0);
	CHECK(strstr(bbolt_info(b)->other_err, "checksum") != NULL);
}

UNIT_TEST(bbolt_meta_page0_damaged_page1_found)
{
	/* A 16 KiB-page database whose page 0 is zeroed: page 1 is found by
	 * trying the usual page sizes. */
	const uint32_t ps = 16384;
	cleanup_free unsigned char *db = calloc(4, ps);
	put_meta(db, ps, 1, 2, 4, 7);
	struct item it[] = {{0, "k", "v", 1, 0}};
	put_page(db + 2 * ps, 2, 0x02, it, 1, 0);
	cleanup_bbolt bbolt_t *b = NULL;
	ea_error_t err = {0};
	CHECK(bbolt_open_mem(&b, db, 4 * ps, "t", &err) == 0);
	CHECK_EQ_INT(bbolt_info(b)->page_size, ps);
	CHECK_EQ_INT(bbolt_info(b)->meta_used, 1);
	CHECK(bbolt_check(b, NULL, &err) == 0);
}

UNIT_TEST(bbolt_meta_both_bad)
{
	size_t len;
	cleanup_free unsigned char *db = std_db(&len);
	db[16] ^= 1;
	db[PAGE(1) + 16 + 4] = 3; /* version 3 */
	char msg[256];
	CHECK_EQ_INT(check_db(db, len, msg, sizeof msg), EA_E_FORMAT);
	CHECK(strstr(msg, "no valid meta page") && strstr(msg, "magic") && strstr(msg, "version"));
	/* Byte-swapped magic in both: a big-endian file, said so. */
	cleanup_free unsigned char *be = std_db(&len);
	for (int i = 0; i < 2; i++) {
		unsigned char *m = be + PAGE(i) + 16;
		m[0] = 0xED, m[1] = 0x0C, m[2] = 0xDA, m[3] = 0xED;
	}
	CHECK_EQ_INT(check_db(be, len, NULL, 0), EA_E_UNSUPPORTED);
	/* Too short for a meta page at all. */
	CHECK_EQ_INT(check_db(db, 40, NULL, 0), EA_E_FORMAT);
	CHECK_EQ_INT(check_db(db, 0, NULL, 0), EA_E_FORMAT);
}

UNIT_TEST(bbolt_meta_root_out_of_range)
{
	size_t len;
	cleanup_free unsigned char *db = std_db(&len);
	put_meta(db, PS, 0, 8, NPAGES, 4); /* root == high-water mark */
	put_meta(db, PS, 1, 1, NPAGES, 3); /* root on a meta page */
	char msg[256];
	CHECK_EQ_INT(check_db(db, len, msg, sizeof msg), EA_E_FORMAT);
	CHECK(strstr(msg, "root bucket page 8") != NULL);
	put_meta(db, PS, 0, 2, 2, 4); /* fewer pages in use than a database has */
	CHECK_EQ_INT(check_db(db, len, NULL, 0), EA_E_FORMAT);
	put_meta(db, PS, 0, 2, NPAGES, 4);
	w32(db + 16 + 8, 3000); /* page size not a power of two */
	reseal_meta(db, PS, 0);
	CHECK_EQ_INT(check_db(db, len, NULL, 0), EA_E_FORMAT);
}

/* ------------------------------------------------------------ corruptions */

/* Each case mutates the standard database and expects bbolt_check to fail
 * with `code` and a message containing `want`. */
struct corrupt_case {
	const char *name;
	void (*mutate)(unsigned char *db, size_t *len);
	ea_errc_t code;
	const char *want;
};

/* Where element i's key starts (leaf: pos at +4; branch: pos at +0). */
static unsigned char *key_at(unsigned char *db, unsigned page, unsigned i)
{
	unsigned char *e = db + ELEM(page, i);
	int leaf = db[PAGE(page) + 8] == 0x02;
	uint32_t pos =
	        leaf ? (uint32_t)e[4] | (uint32_t)e[5] << 8 : (uint32_t)e[0] | (uint32_t)e[1] << 8;
	return e + pos;
}
/* The inline page of root element i (a bucket): after its key and the 16-byte header. */
static unsigned char *inline_page(unsigned char *db, unsigned i)
{
	unsigned char *e = db + ELEM(2, i);
	return key_at(db, 2, i) + e[8] + 16;
}

static void m_count(unsigned char *db, size_t *len)
{
	(void)len;
	w16(db + PAGE(4) + 10, 300);
}
static void m_count_ovf(unsigned char *db, size_t *len)
{
	(void)len;
	w16(db + PAGE(6) + 10, 600);
}
static void m_pos(unsigned char *db, size_t *len)
{
	(void)len;
	w32(db + ELEM(4, 1) + 4, 0xfffffff0u);
}
static void m_vsize(unsigned char *db, size_t *len)
{
	(void)len;
	w32(db + ELEM(4, 0) + 12, 0xffffffffu);
}
static void m_bksize(unsigned char *db, size_t *len)
{
	(void)len;
	w32(db + ELEM(3, 1) + 4, 5000);
}
static void m_order(unsigned char *db, size_t *len)
{
	(void)len;
	key_at(db, 4, 0)[1] = '3';
}
static void m_range(unsigned char *db, size_t *len)
{
	(void)len;
	key_at(db, 5, 0)[1] = '4';
}
static void m_id(unsigned char *db, size_t *len)
{
	(void)len;
	w64(db + PAGE(5), 9);
}
static void m_child_hwm(unsigned char *db, size_t *len)
{
	(void)len;
	w64(db + ELEM(3, 1) + 8, 100);
}
static void m_child_meta(unsigned char *db, size_t *len)
{
	(void)len;
	w64(db + ELEM(3, 0) + 8, 1);
}
static void m_truncated(unsigned char *db, size_t *len)
{
	(void)db;
	*len = 5 * PS;
}
static void m_truncated_mid(unsigned char *db, size_t *len)
{
	(void)db;
	*len = 6 * PS + 100;
}
static void m_ovf(unsigned char *db, size_t *len)
{
	(void)len;
	w32(db + PAGE(6) + 12, 5);
}
static void m_self_cycle(unsigned char *db, size_t *len)
{
	(void)len;
	w16(db + PAGE(3) + 10, 1);
	w64(db + ELEM(3, 0) + 8, 3);
}
static void m_same_child(unsigned char *db, size_t *len)
{
	(void)len;
	w64(db + ELEM(3, 1) + 8, 4);
}
static void m_shared_bucket_root(unsigned char *db, size_t *len)
{
	(void)len;
	w64(key_at(db, 5, 1) + 2, 4);
}
static void m_bucket_cycle(unsigned char *db, size_t *len)
{
	(void)len;
	w64(key_at(db, 5, 1) + 2, 3);
}
static void m_leaf_flags(unsigned char *db, size_t *len)
{
	(void)len;
	w32(db + ELEM(2, 0), 4);
}
static void m_inline_not_leaf(unsigned char *db, size_t *len)
{
	(void)len;
	w16(inline_page(db, 1) + 8, 0x01);
}
static void m_inline_count(unsigned char *db, size_t *len)
{
	(void)len;
	w16(inline_page(db, 1) + 10, 50);
}
static void m_inline_short(unsigned char *db, size_t *len)
{
	(void)len;
	w32(db + ELEM(2, 1) + 12, 20);
}
static void m_bucket_short(unsigned char *db, size_t *len)
{
	(void)len;
	w32(db + ELEM(2, 2) + 12, 8);
}
static void m_empty_key(unsigned char *db, size_t *len)
{
	(void)len;
	w32(db + ELEM(2, 0) + 8, 0);
}
static void m_page_type(unsigned char *db, size_t *len)
{
	(void)len;
	w16(db + PAGE(4) + 8, 0x10);
}
static void m_branch_empty(unsigned char *db, size_t *len)
{
	(void)len;
	w16(db + PAGE(3) + 10, 0);
}
static void m_zero_page(unsigned char *db, size_t *len)
{
	(void)len;
	memset(db + PAGE(5), 0, PS);
}

static const struct corrupt_case cases[] = {
        {"element count past the page", m_count, EA_E_FORMAT, "do not fit"},
        {"element count past an overflowed page", m_count_ovf, EA_E_FORMAT, "do not fit"},
        {"leaf key position past the page", m_pos, EA_E_FORMAT, "runs past the page"},
        {"leaf value size past the page", m_vsize, EA_E_FORMAT, "runs past the page"},
        {"branch key size past the page", m_bksize, EA_E_FORMAT, "runs past the page"},
        {"keys out of order", m_order, EA_E_FORMAT, "out of order"},
        {"key outside the parent's range", m_range, EA_E_FORMAT, "outside the range"},
        {"page header names another page", m_id, EA_E_FORMAT, "says it is page 9"},
        {"child past the high-water mark", m_child_hwm, EA_E_FORMAT, "outside the pages in use"},
        {"child on a meta page", m_child_meta, EA_E_FORMAT, "outside the pages in use"},
        {"file truncated before a page", m_truncated, EA_E_FORMAT, "past the end of the file"},
        {"file truncated inside an overflow run", m_truncated_mid, EA_E_FORMAT,
         "past the end of the file"},
        {"overflow past the pages in use", m_ovf, EA_E_FORMAT, "overflow pages run past"},
        {"branch page pointing to itself", m_self_cycle, EA_E_FORMAT, "reached twice"},
        {"two branch elements, one child", m_same_child, EA_E_FORMAT, "reached twice"},
        {"a page shared by two buckets", m_shared_bucket_root, EA_E_FORMAT, "reached twice"},
        {"a bucket rooted at its parent's page", m_bucket_cycle, EA_E_FORMAT, "reached twice"},
        {"unknown leaf element flags", m_leaf_flags, EA_E_FORMAT, "unknown flags"},
        {"inline bucket page not a leaf", m_inline_not_leaf, EA_E_FORMAT, "not a leaf"},
        {"inline bucket element count", m_inline_count, EA_E_FORMAT, "do not fit"},
        {"inline bucket too short", m_inline_short, EA_E_FORMAT, "too short"},
        {"bucket header too short", m_bucket_short, EA_E_FORMAT, "header is 8 bytes"},
        {"empty key", m_empty_key, EA_E_FORMAT, "empty key"},
        {"freelist page where a leaf belongs", m_page_type, EA_E_FORMAT, "type flags 0x10"},
        {"branch page without elements", m_branch_empty, EA_E_FORMAT, "no elements"},
        {"page zeroed", m_zero_page, EA_E_FORMAT, "says it is page 0"},
};

UNIT_TEST(bbolt_corruptions_each_detected)
{
	int failed = 0;
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len;
		unsigned char *db = std_db(&len);
		cases[i].mutate(db, &len);
		char msg[256];
		ea_errc_t rc = check_db(db, len, msg, sizeof msg);
		if (rc != cases[i].code || !strstr(msg, cases[i].want)) {
			fprintf(stderr, "#   %s: code %s, message '%s' (want '%s')\n",
			        cases[i].name, ea_errc_name(rc), msg, cases[i].want);
			failed = 1;
		}
		free(db);
	}
	CHECK(!failed);
}

/* A walker that opens every bucket it meets, as a careless user would:
 * bucket nesting is bounded even without bbolt_check. */
struct deep {
	const bbolt_bucket_t *b;
	int calls;
};
static int deep_cb(void *ctx, const struct bbolt_kv *kv, ea_error_t *err)
{
	struct deep *d = ctx;
	d->calls++;
	if (!kv->is_bucket) return 0;
	bbolt_bucket_t child;
	if (bbolt_child(d->b, kv, &child, err) < 0) return -1;
	struct deep dd = {&child, 0};
	int rc = bbolt_foreach(&child, deep_cb, &dd, err);
	d->calls += dd.calls;
	bbolt_bucket_release(&child);
	return rc;
}

/* Without bbolt_check's page set, a plain walk still ends: the depth limit
 * stops a self-pointing branch, key ranges stop a page reached twice. */
UNIT_TEST(bbolt_cycles_without_check)
{
	static const struct {
		void (*mutate)(unsigned char *, size_t *);
		const char *want;
	} w[] = {
	        {m_self_cycle, "nested deeper than 32"},
	        {m_same_child, "outside the range"},
	};
	for (unsigned i = 0; i < 2; i++) {
		size_t len;
		cleanup_free unsigned char *db = std_db(&len);
		w[i].mutate(db, &len);
		cleanup_bbolt bbolt_t *b = NULL;
		ea_error_t err = {0};
		CHECK(bbolt_open_mem(&b, db, len, "t", &err) == 0);
		bbolt_bucket_t root;
		bbolt_root(b, &root, &err);
		struct deep d = {&root, 0};
		CHECK(bbolt_foreach(&root, deep_cb, &d, &err) < 0);
		CHECK_EQ_INT(err.code, EA_E_FORMAT);
		if (!strstr(err.msg, w[i].want)) fprintf(stderr, "#   '%s'\n", err.msg);
		CHECK(strstr(err.msg, w[i].want) != NULL);
		CHECK(bbolt_steps(b) <= 40);
	}
}

UNIT_TEST(bbolt_corruptions_also_stop_lookups)
{
	/* The lookups validate what they read, with or without bbolt_check. */
	size_t len;
	cleanup_free unsigned char *db = std_db(&len);
	m_order(db, &len);
	cleanup_bbolt bbolt_t *b = NULL;
	ea_error_t err = {0};
	CHECK(bbolt_open_mem(&b, db, len, "t", &err) == 0);
	bbolt_bucket_t root;
	bbolt_root(b, &root, &err);
	cleanup_bucket bbolt_bucket_t cb = {0};
	CHECK_EQ_INT(bbolt_get_bucket(&root, "c", &cb, &err), 1);
	char *v = NULL;
	CHECK_EQ_INT(bbolt_get(&cb, "k5", &v, NULL, &err), -1);
	CHECK_EQ_INT(err.code, EA_E_FORMAT);
	CHECK(v == NULL);
}

UNIT_TEST(bbolt_step_budget)
{
	size_t len;
	cleanup_free unsigned char *db = std_db(&len);
	cleanup_bbolt bbolt_t *b = NULL;
	ea_error_t err = {0};
	CHECK(bbolt_open_mem(&b, db, len, "t", &err) == 0);
	bbolt_set_max_steps(b, 3);
	CHECK(bbolt_check(b, NULL, &err) < 0);
	CHECK_EQ_INT(err.code, EA_E_TOOBIG);
	CHECK(strstr(err.msg, "page reads") != NULL);
}

UNIT_TEST(bbolt_bucket_cycle_bounded_without_check)
{
	size_t len;
	cleanup_free unsigned char *db = std_db(&len);
	m_bucket_cycle(db, &len); /* c/k6 is rooted at c's page: c/k6/k6/k6/... */
	cleanup_bbolt bbolt_t *b = NULL;
	ea_error_t err = {0};
	CHECK(bbolt_open_mem(&b, db, len, "t", &err) == 0);
	bbolt_bucket_t root;
	bbolt_root(b, &root, &err);
	struct deep d = {&root, 0};
	CHECK(bbolt_foreach(&root, deep_cb, &d, &err) < 0);
	CHECK_EQ_INT(err.code, EA_E_FORMAT);
	CHECK(strstr(err.msg, "nested deeper than 64") != NULL);
	CHECK(d.calls < 1000);
}

UNIT_TEST(bbolt_run_limit)
{
	/* 64 KiB pages, a leaf with 299 overflow pages: 19.6 MB, over the limit. */
	const uint32_t ps = 65536;
	const unsigned n = 304;
	cleanup_free unsigned char *db = calloc(n, ps);
	CHECK(db != NULL);
	put_meta(db, ps, 0, 2, n, 2);
	put_meta(db, ps, 1, 2, n, 1);
	struct item it[] = {{0, "k", "v", 1, 0}};
	put_page(db + 2 * (size_t)ps, 2, 0x02, it, 1, 299);
	bbolt_t *b = NULL;
	ea_error_t err = {0};
	CHECK(bbolt_open_mem(&b, db, (size_t)n * ps, "t", &err) == 0);
	int rc = bbolt_check(b, NULL, &err);
	bbolt_close(b);
	CHECK(rc < 0);
	CHECK_EQ_INT(err.code, EA_E_TOOBIG);
	CHECK(strstr(err.msg, "over the") != NULL);
}

UNIT_TEST(bbolt_varints)
{
	uint64_t u;
	int64_t s;
	CHECK_EQ_INT(bbolt_uvarint("\x00", 1, &u), 1);
	CHECK_EQ_INT(u, 0);
	CHECK_EQ_INT(bbolt_uvarint("\x80\x01", 2, &u), 2);
	CHECK_EQ_INT(u, 128);
	CHECK_EQ_INT(bbolt_uvarint("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10, &u), 10);
	CHECK(u == UINT64_MAX);
	CHECK_EQ_INT(bbolt_uvarint("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 10, &u),
	             -1);                                   /* > 64 bits */
	CHECK_EQ_INT(bbolt_uvarint("\x80\x80", 2, &u), -1); /* cut short */
	CHECK_EQ_INT(bbolt_uvarint("", 0, &u), -1);
	CHECK_EQ_INT(bbolt_varint("\x01", 1, &s), 1);
	CHECK_EQ_INT(s, -1);
	CHECK_EQ_INT(bbolt_varint("\x02", 1, &s), 1);
	CHECK_EQ_INT(s, 1);
	CHECK_EQ_INT(bbolt_varint("\xa8\x0a", 2, &s),
	             2); /* containerd's size of a 660-byte manifest */
	CHECK_EQ_INT(s, 660);
	CHECK_EQ_INT(bbolt_varint("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10, &s), 10);
	CHECK(s == INT64_MIN);
}

/* ------------------------------------------------------------ a real meta.db */

static int sink(void *ctx, const void *data, size_t n, ea_error_t *err)
{
	return ea_buf_append(ctx, data, n, err);
}

static int load_real(ea_buf_t *out)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/unit/data/containerd-meta.db.gz", unit_tests_dir());
	char *gz = NULL;
	size_t gzlen = 0;
	FILE *f = fopen(path, "rb");
	if (!f) return -1;
	gz = malloc(1 << 20);
	gzlen = fread(gz, 1, 1 << 20, f);
	fclose(f);
	ea_buf_init(out, 8u << 20);
	inflater_t *z = malloc(sizeof *z);
	ea_error_t err = {0};
	int rc = inflater_init(z, COMP_GZIP, 8u << 20, 1000, &err);
	if (rc == 0) rc = inflater_feed(z, gz, gzlen, sink, out, &err);
	if (rc == 0) rc = inflater_finish(z, &err);
	inflater_free(z);
	free(z);
	free(gz);
	return rc;
}

struct real_walk {
	const bbolt_bucket_t *b;
	int images, with_target, t150;
	char digest[80], mediatype[64];
	int64_t size;
};

static int real_image_cb(void *ctx, const struct bbolt_kv *kv, ea_error_t *err)
{
	struct real_walk *w = ctx;
	if (!kv->is_bucket) return 0;
	w->images++;
	bbolt_bucket_t ib;
	cleanup_bucket bbolt_bucket_t tb = {0};
	if (bbolt_child(w->b, kv, &ib, err) < 0) return -1;
	int g = bbolt_get_bucket(&ib, "target", &tb, err);
	bbolt_bucket_release(&ib);
	if (g < 0) return -1;
	if (!g) return 0;
	w->with_target++;
	if (kv->klen == 17 && !memcmp(kv->key, "localhost/bb:t150", 17)) {
		w->t150 = 1;
		cleanup_free char *d = NULL, *m = NULL, *s = NULL;
		size_t sl = 0;
		if (bbolt_get(&tb, "digest", &d, NULL, err) != 1 ||
		    bbolt_get(&tb, "mediatype", &m, NULL, err) != 1 ||
		    bbolt_get(&tb, "size", &s, &sl, err) != 1)
			return -1;
		snprintf(w->digest, sizeof w->digest, "%s", d);
		snprintf(w->mediatype, sizeof w->mediatype, "%s", m);
		if (bbolt_varint(s, sl, &w->size) != (int)sl) return -1;
	}
	return 0;
}

/* v1/default/images of the real database: 152 records, their target. */
static int real_images(bbolt_t *b, struct real_walk *w, uint64_t *images_root, ea_error_t *err)
{
	bbolt_bucket_t root;
	cleanup_bucket bbolt_bucket_t v1 = {0}, ns = {0}, im = {0};
	bbolt_root(b, &root, err);
	if (bbolt_get_bucket(&root, "v1", &v1, err) != 1 ||
	    bbolt_get_bucket(&v1, "default", &ns, err) != 1 ||
	    bbolt_get_bucket(&ns, "images", &im, err) != 1)
		return -1;
	if (images_root) *images_root = im.root;
	w->b = &im;
	return bbolt_foreach(&im, real_image_cb, w, err);
}

UNIT_TEST(bbolt_real_containerd_meta_db)
{
	ea_buf_t buf;
	if (load_real(&buf) < 0) UNIT_SKIP("tests/unit/data/containerd-meta.db.gz not readable");
	bbolt_t *b = NULL;
	ea_error_t err = {0};
	int ok = bbolt_open_mem(&b, buf.data, buf.len, "meta.db", &err) == 0;
	struct bbolt_stats st = {0};
	int checked = ok && bbolt_check(b, &st, &err) == 0;
	struct real_walk w = {0};
	uint64_t iroot = 0;
	int walked = checked && real_images(b, &w, &iroot, &err) == 0;
	struct keys ns = {"", 0};
	bbolt_bucket_t root;
	cleanup_bucket bbolt_bucket_t v1 = {0};
	if (walked) {
		bbolt_root(b, &root, &err);
		bbolt_get_bucket(&root, "v1", &v1, &err);
		bbolt_foreach(&v1, keys_cb, &ns, &err);
	}
	const struct bbolt_info info = ok ? *bbolt_info(b) : (struct bbolt_info){0};
	bbolt_close(b);
	ea_buf_free(&buf);
	if (!walked) fprintf(stderr, "#   %s\n", err.msg);
	CHECK(walked);
	CHECK_EQ_INT(info.page_size, 4096);
	CHECK_EQ_INT(info.txid, 531);
	CHECK_EQ_INT(info.meta_used, 1);
	CHECK_EQ_INT(info.hwm, 190);
	CHECK_EQ_STR(ns.buf, "default/,other/,version");
	CHECK_EQ_INT(w.images, 152);
	CHECK_EQ_INT(w.with_target, 152);
	CHECK(w.t150);
	CHECK_EQ_STR(w.digest,
	             "sha256:6a17358b283d3d561141419d366f576a1de4623e8cc2184662e41eb391a9b26a");
	CHECK_EQ_STR(w.mediatype, "application/vnd.oci.image.manifest.v1+json");
	CHECK_EQ_INT(w.size, 660);
	CHECK(iroot >= 2); /* the images bucket has its own pages (a branch) */
	CHECK(st.pages > 150 && st.pages < 190);
	CHECK_EQ_INT(st.buckets, 500);
	CHECK_EQ_INT(st.keys, 1486);
}

/* The images bucket's root in the real file is a branch page: point its
 * elements back at itself, zero it; every time an error, never a hang. */
UNIT_TEST(bbolt_real_branch_cycles)
{
	ea_buf_t buf;
	if (load_real(&buf) < 0) UNIT_SKIP("tests/unit/data/containerd-meta.db.gz not readable");
	unsigned char *db = (unsigned char *)buf.data;
	bbolt_t *b = NULL;
	ea_error_t err = {0};
	struct real_walk w = {0};
	uint64_t ir = 0;
	CHECK(bbolt_open_mem(&b, db, buf.len, "meta.db", &err) == 0);
	int rc = real_images(b, &w, &ir, &err);
	bbolt_close(b);
	if (rc < 0 || ir < 2 || db[ir * 4096 + 8] != 0x01) {
		ea_buf_free(&buf);
		CHECK(!"the images bucket root is a branch page");
	}
	unsigned count = db[ir * 4096 + 10];
	unsigned char *save = malloc(4096);
	memcpy(save, db + ir * 4096, 4096);
	int bad = 0;
	for (unsigned i = 0; i <= count; i++) {
		memcpy(db + ir * 4096, save, 4096);
		if (i < count)
			w64(db + ir * 4096 + 16 + i * 16 + 8,
			    ir); /* element i -> the page itself */
		else memset(db + ir * 4096, 0, 16);
		for (int mode = 0; mode < 2; mode++) {
			b = NULL;
			memset(&err, 0, sizeof err);
			struct real_walk w2 = {0};
			int r = bbolt_open_mem(&b, db, buf.len, "meta.db", &err);
			if (r == 0)
				r = mode ? bbolt_check(b, NULL, &err)
				         : real_images(b, &w2, NULL, &err);
			if (r == 0 || err.code != EA_E_FORMAT || bbolt_steps(b) > 1000) {
				fprintf(stderr,
				        "#   element %u mode %d: rc %d code %s steps %llu '%s'\n",
				        i, mode, r, ea_errc_name(err.code),
				        (unsigned long long)bbolt_steps(b), err.msg);
				bad = 1;
			}
			bbolt_close(b);
		}
	}
	free(save);
	ea_buf_free(&buf);
	CHECK(!bad);
}

/* Random damage to the real file: any outcome but a crash, a hang or an
 * unbounded read is fine (ASan/UBSan run this too). */
UNIT_TEST(bbolt_real_random_damage)
{
	ea_buf_t buf;
	if (load_real(&buf) < 0) UNIT_SKIP("tests/unit/data/containerd-meta.db.gz not readable");
	unsigned char *orig = malloc(buf.len), *db = (unsigned char *)buf.data;
	memcpy(orig, db, buf.len);
	uint64_t x = 0x9E3779B97F4A7C15ULL;
	int detected = 0, runs = 300, bad = 0;
	for (int it = 0; it < runs; it++) {
		memcpy(db, orig, buf.len);
		int flips = 1 + (int)(x % 4);
		for (int k = 0; k < flips; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			/* Mostly page headers and element arrays, where damage bites. */
			size_t page = 2 + (x >> 8) % 188, off = (x >> 32) % ((x & 1) ? 4096 : 256);
			db[page * 4096 + off] ^= (unsigned char)(1u << ((x >> 20) % 8));
		}
		bbolt_t *b = NULL;
		ea_error_t err = {0};
		struct real_walk w = {0};
		int r = bbolt_open_mem(&b, db, buf.len, "meta.db", &err);
		if (r == 0) r = bbolt_check(b, NULL, &err);
		if (r < 0) detected++;
		if (b) {
			int r2 = real_images(b, &w, NULL,
			                     &err); /* also without the check's verdict */
			(void)r2;
			if (bbolt_steps(b) > 2000) bad = 1;
		}
		bbolt_close(b);
	}
	printf("# %d of %d random damages detected by the check (the rest hit unused bytes or "
	       "values)\n",
	       detected, runs);
	free(orig);
	ea_buf_free(&buf);
	CHECK(!bad);
	CHECK(detected > runs / 4);
}
