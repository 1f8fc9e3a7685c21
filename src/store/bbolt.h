/*
 * bbolt: a small read-only reader of bbolt (etcd-io/bbolt) database files,
 * the format of containerd's meta.db and of its snapshotters' metadata.db.
 *
 * Format facts used (little-endian on every target we build for):
 *  - a file is an array of pages of `page_size` bytes; page N starts at
 *    N * page_size.  A page starts with a 16-byte header {id u64, flags u16,
 *    count u16, overflow u32}; a page with overflow k spans k+1 pages.
 *  - pages 0 and 1 are meta pages: at offset 16, {magic 0xED0CDAED u32,
 *    version 2 u32, page_size u32, flags u32, root bucket {root pgid u64,
 *    sequence u64}, freelist u64, pgid (high-water mark) u64, txid u64,
 *    checksum u64}; checksum = FNV-1a 64 of the 56 bytes before it.  The
 *    valid meta with the higher txid is the current one.
 *  - branch pages (flags 0x01) hold `count` elements {pos u32, ksize u32,
 *    pgid u64}, leaf pages (0x02) {flags u32, pos u32, ksize u32, vsize u32};
 *    an element's key starts `pos` bytes after the element itself, a leaf's
 *    value right after its key.  Keys are sorted; a branch element's subtree
 *    holds keys in [its key, the next element's key).
 *  - a leaf element with flag 0x01 is a nested bucket: its value is {root
 *    pgid u64, sequence u64}, and when root is 0 the bucket is inline: a leaf
 *    page follows those 16 bytes inside the value.
 *
 * Contract:
 *  - Never writes, never mmaps the file: pages are read with pread into
 *    buffers whose total size is bounded (BBOLT_MAX_LIVE_BYTES).
 *  - Everything read is bounds-checked: page ids against the high-water mark
 *    and the file size, element counts and key/value extents against the page,
 *    overflow runs against a size limit, keys in order and within the range
 *    their parent gives them.  Branch pages nest at most BBOLT_MAX_DEPTH deep
 *    and buckets BBOLT_MAX_NEST deep; every page read counts against a step
 *    budget, so pages that point in a cycle end in an error, never a hang.
 *  - A malformed file is EA_E_FORMAT (the caller's "corrupt" finding), a
 *    limit EA_E_TOOBIG, a big-endian file EA_E_UNSUPPORTED, a read error
 *    EA_E_IO.  Messages name the page.
 *  - Not thread-safe: one bbolt_t per thread.
 */
#ifndef EDGEAUDIT_BBOLT_H
#define EDGEAUDIT_BBOLT_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define BBOLT_MAGIC             0xED0CDAEDu
#define BBOLT_VERSION           2
#define BBOLT_MAX_DEPTH         32          /* branch levels in one bucket's tree */
#define BBOLT_MAX_NEST          64          /* buckets inside buckets */
#define BBOLT_MAX_RUN_BYTES     (16u << 20) /* one page and its overflow */
#define BBOLT_MAX_LIVE_BYTES    (64u << 20)
#define BBOLT_DEFAULT_MAX_STEPS 4000000ULL /* page reads per open database */

typedef struct bbolt bbolt_t;

struct bbolt_info {
	uint32_t page_size;
	uint64_t txid;
	uint64_t hwm;  /* pages in use (meta pgid) */
	uint64_t root; /* root bucket's page */
	uint64_t file_size;
	int meta_used;      /* 0 or 1 */
	int other_valid;    /* the other meta page was valid too */
	char other_err[96]; /* why it was not, when it was not */
};

/* Open the database in fd (borrowed: the caller closes it after
 * bbolt_close) or in a memory buffer (borrowed).  `label` names the file
 * in messages ("meta.db").  Reads and checks the meta pages only. */
int bbolt_open_fd(bbolt_t **out, int fd, const char *label, ea_error_t *err);
int bbolt_open_mem(bbolt_t **out, const void *buf, size_t len, const char *label, ea_error_t *err);
void bbolt_close(bbolt_t *db);
void bbolt_closep(bbolt_t **db);
#define cleanup_bbolt __attribute__((cleanup(bbolt_closep)))

const struct bbolt_info *bbolt_info(const bbolt_t *db);
/* Page reads so far, and the budget (tests lower it). */
uint64_t bbolt_steps(const bbolt_t *db);
void bbolt_set_max_steps(bbolt_t *db, uint64_t max);
/* Re-read the meta pages: 1 if the current transaction differs from the one
 * opened (a writer committed meanwhile: what was read may mix two states),
 * 0 if not, -1 on error. */
int bbolt_changed(bbolt_t *db, ea_error_t *err);

/* A bucket: the root bucket, or one nested in another. */
typedef struct {
	bbolt_t *db;
	uint64_t root;      /* first page; 0: inline */
	unsigned char *inl; /* inline bucket: owned copy of its leaf page */
	size_t inl_len;
	unsigned nest; /* 0 for the root bucket */
} bbolt_bucket_t;

void bbolt_bucket_release(bbolt_bucket_t *b);
#define cleanup_bucket __attribute__((cleanup(bbolt_bucket_release)))

/* One key of a bucket; pointers valid during the visit callback only. */
struct bbolt_kv {
	const unsigned char *key;
	size_t klen;
	const unsigned char *val; /* a bucket's raw header for buckets */
	size_t vlen;
	int is_bucket;
};

int bbolt_root(bbolt_t *db, bbolt_bucket_t *out, ea_error_t *err);
/* The bucket a kv (from bbolt_foreach on parent) describes. */
int bbolt_child(const bbolt_bucket_t *parent, const struct bbolt_kv *kv, bbolt_bucket_t *out,
                ea_error_t *err);

/* Visit every key of b in order.  The callback returns 0 to go on, 1 to
 * stop (bbolt_foreach then returns 0), -1 to stop with *err filled. */
typedef int (*bbolt_visit_fn)(void *ctx, const struct bbolt_kv *kv, ea_error_t *err);
int bbolt_foreach(const bbolt_bucket_t *b, bbolt_visit_fn fn, void *ctx, ea_error_t *err);

/* Look a key up.  Returns 1 and a NUL-terminated copy of the value (caller
 * frees) when the key holds a value, 0 when it is absent or names a bucket,
 * -1 on error. */
int bbolt_get(const bbolt_bucket_t *b, const char *key, char **val, size_t *vlen, ea_error_t *err);
/* Open the nested bucket `name`: 1 found, 0 absent or a plain value, -1 error. */
int bbolt_get_bucket(const bbolt_bucket_t *b, const char *name, bbolt_bucket_t *out,
                     ea_error_t *err);

struct bbolt_stats {
	uint64_t pages, buckets, inline_buckets, keys, max_depth;
};
/* Walk every bucket and page reachable from the root, checking each page
 * once and that no page is reachable twice. */
int bbolt_check(bbolt_t *db, struct bbolt_stats *st, ea_error_t *err);

/* Go's encoding/binary varints, as bbolt users store numbers (containerd's
 * sizes are Varint, ids Uvarint).  Return bytes used, or -1 if malformed. */
int bbolt_uvarint(const void *p, size_t n, uint64_t *out);
int bbolt_varint(const void *p, size_t n, int64_t *out);

#endif
