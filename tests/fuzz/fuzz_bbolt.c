/* bbolt (bbolt.h): containerd's meta.db and snapshotter metadata.db, from
 * memory.  Walks the whole tree (bbolt_check), then every bucket with
 * foreach / child / get as store_containerd.c does, under a small step
 * budget so pages pointing in cycles must end in an error quickly.  Sizes
 * pick the variant: odd ones go through the fd reader; with bit 1 set the
 * meta checksums are rewritten first. */
#include "bbolt.h"
#include "common.h"

static int visit(void *ctx, const struct bbolt_kv *kv, ea_error_t *err);

struct walk { const bbolt_bucket_t *b; int depth; unsigned long keys; };

static void walk_bucket(const bbolt_bucket_t *b, int depth, unsigned long *keys)
{
	struct walk w = {b, depth, 0};
	ea_error_t err = {0};
	(void)bbolt_foreach(b, visit, &w, &err);
	*keys += w.keys;
	char *v = NULL;
	size_t vl = 0;
	if (bbolt_get(b, "v1", &v, &vl, &err) == 1) {
		if (v[vl] != '\0') abort(); /* documented NUL termination */
		free(v);
	}
	bbolt_bucket_t sub = {0};
	if (bbolt_get_bucket(b, "content", &sub, &err) == 1) bbolt_bucket_release(&sub);
}

static int visit(void *ctx, const struct bbolt_kv *kv, ea_error_t *err)
{
	struct walk *w = ctx;
	if (++w->keys > 20000) return 1;
	/* touch every byte the reader hands out (ASan checks the extents) */
	volatile unsigned char x = 0;
	for (size_t i = 0; i < kv->klen; i++) x ^= kv->key[i];
	for (size_t i = 0; i < kv->vlen; i++) x ^= kv->val[i];
	uint64_t u;
	int64_t s;
	(void)bbolt_uvarint(kv->val, kv->vlen, &u);
	(void)bbolt_varint(kv->val, kv->vlen, &s);
	if (kv->is_bucket && w->depth < 8) {
		bbolt_bucket_t child = {0};
		if (bbolt_child(w->b, kv, &child, err) == 0) {
			unsigned long k = 0;
			walk_bucket(&child, w->depth + 1, &k);
			w->keys += k;
			bbolt_bucket_release(&child);
		}
	}
	return 0;
}

/* Rewrite both meta pages' FNV-1a checksums (a forger would), so the fuzzer
 * gets past them; done for sizes with bit 1 set, leaving the page layout. */
static void fix_meta(uint8_t *p, size_t n)
{
	if (n < 16 + 64) return;
	uint32_t ps = (uint32_t)p[24] | (uint32_t)p[25] << 8 | (uint32_t)p[26] << 16 | (uint32_t)p[27] << 24;
	if (ps < 512 || ps > 65536 || (ps & (ps - 1))) ps = 4096;
	for (size_t i = 0; i < 2; i++) {
		size_t off = i * ps + 16;
		if (off + 64 > n) break;
		uint64_t h = 1469598103934665603ULL;
		for (size_t k = 0; k < 56; k++) h = (h ^ p[off + k]) * 1099511628211ULL;
		for (int k = 0; k < 8; k++) p[off + 56 + k] = (uint8_t)(h >> (8 * k));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bbolt_t *db = NULL;
	uint8_t *copy = NULL;
	if (size & 2) {
		copy = malloc(size);
		memcpy(copy, data, size);
		fix_meta(copy, size);
		data = copy;
	}
	ea_error_t err = {0};
	/* odd sizes go through the fd reader (pread, as the store reader uses
	 * it), even ones through the memory reader: the page layout stays put */
	int rc = (size & 1) ? bbolt_open_fd(&db, fz_memfd(data, size), "meta.db", &err)
			    : bbolt_open_mem(&db, data, size, "meta.db", &err);
	if (rc < 0) {
		free(copy);
		return 0;
	}
	bbolt_set_max_steps(db, 20000);
	struct bbolt_stats st;
	(void)bbolt_check(db, &st, &err);
	bbolt_bucket_t root = {0};
	if (bbolt_root(db, &root, &err) == 0) {
		unsigned long keys = 0;
		walk_bucket(&root, 0, &keys);
		if (getenv("FUZZ_DEBUG")) fprintf(stderr, "%lu keys; check: %s\n", keys, err.msg);
		bbolt_bucket_release(&root);
	}
	(void)bbolt_changed(db, &err);
	bbolt_close(db);
	free(copy); /* the database borrowed it until now */
	return 0;
}
