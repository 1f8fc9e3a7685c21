/* blobcheck: see blobcheck.h. */
#include "blobcheck.h"

#include <stdio.h>
#include <string.h>

#include "hashpipe.h"

#define CHUNK    (256 * 1024)
/* A helper thread for the hashing is worth its start past this much left. */
#define PIPE_MIN (16ULL << 20)

static void stopped(struct blob_result *res, uint64_t off, uint64_t size)
{
	res->status = BLOB_UNREADABLE;
	res->interrupted = 1;
	res->diff_checked = 0;
	snprintf(res->msg, sizeof res->msg, "stopped (budget or signal) after %llu of %llu bytes",
	         (unsigned long long)off, (unsigned long long)size);
}

/* One blob's check in flight: the hashers and the inflater. */
struct check {
	hasher_t blob_h, diff_h;
	inflater_t *z;              /* NULL: no diffID wanted, or the inflater did not start */
	int decomp_live;            /* the inflater still takes input */
	int same_hash;              /* an uncompressed sha256 layer: the diffID is the digest */
	struct hashpipe *pipe;      /* the hashing on a helper thread (hashpipe.h) */
	const struct blob_tap *tap; /* NULL: none */
};

static int hash_sink(void *ctx, const void *data, size_t n, ea_error_t *err)
{
	struct check *k = ctx;
	/* Polled per 64 KiB the decompressor hands out: one chunk in may be
	 * hundreds of MiB out (a run of zeros), which must not outlast the stop. */
	if (ea_stop_requested())
		return ea_fail(err, EA_E_INTERRUPTED, "stopped (budget or signal)");
	if (k->pipe) hashpipe_put(k->pipe, HASHPIPE_CONTENT, data, n);
	else hasher_update(&k->diff_h, data, n);
	if (k->tap) k->tap->fn(k->tap->ctx, data, n);
	return 0;
}

/* Start the hashers and, for a layer, the inflater. */
static void check_start(struct check *k, const digest_t *want, int diff, comp_t comp,
                        const struct blobcheck_limits *lim, struct blob_result *res)
{
	memset(k, 0, sizeof *k);
	hasher_init(&k->blob_h, want ? want->alg : DIGEST_SHA256);
	hasher_init(&k->diff_h, DIGEST_SHA256); /* diffIDs are sha256 */
	if (diff) {
		ea_error_t err = {0};
		k->z = xmalloc(sizeof *k->z);
		if (inflater_init(k->z, comp,
		                  lim ? lim->max_layer_bytes : BLOBCHECK_MAX_LAYER_BYTES,
		                  lim ? lim->max_ratio : BLOBCHECK_MAX_RATIO, &err) < 0) {
			res->decomp_error = 1;
			snprintf(res->decomp_msg, sizeof res->decomp_msg, "%s", err.msg);
			free(k->z);
			k->z = NULL;
		}
	}
	k->decomp_live = k->z != NULL;
	/* An uncompressed layer with a sha256 digest: the diffID is the blob
	 * digest, so hash once (halves the work of the common docker-archive). */
	k->same_hash = diff && comp == COMP_NONE && (!want || want->alg == DIGEST_SHA256) && k->z;
}

/* One chunk through the hashers and the inflater.  Returns -1 when the
 * stop came inside the inflater (res->interrupted set). */
static int check_chunk(struct check *k, const unsigned char *buf, size_t n, struct blob_result *res)
{
	ea_error_t err = {0};
	if (k->pipe) hashpipe_put(k->pipe, HASHPIPE_BLOB, buf, n);
	else hasher_update(&k->blob_h, buf, n);
	if (k->same_hash) {
		k->z->in_total += n;
		k->z->out_total += n;
		if (k->tap) k->tap->fn(k->tap->ctx, buf, n);
	} else if (k->decomp_live && inflater_feed(k->z, buf, n, hash_sink, k, &err) < 0) {
		if (err.code == EA_E_INTERRUPTED) {
			res->interrupted = 1;
			return -1;
		}
		k->decomp_live = 0;
		res->decomp_error = 1;
		res->trailing = k->z->trailing;
		res->bomb = k->z->bomb;
		snprintf(res->decomp_msg, sizeof res->decomp_msg, "%s", err.msg);
	}
	return 0;
}

/* Read the region through the check, polling the stop once per chunk. */
static uint64_t check_read(struct check *k, const struct blob_region *reg, unsigned char *buf,
                           struct blob_result *res)
{
	ea_error_t err = {0};
	uint64_t off = 0;
	while (off < reg->size) {
		/* One poll per 256 KiB: a vDSO clock read (~20 ns) against ~100 us
		 * of hashing; the stop lands within one chunk. */
		if (ea_stop_requested()) {
			res->interrupted = 1;
			break;
		}
		/* A big layer and a thread to spare (--jobs): the hashing moves
		 * to a helper; decompression stays here. */
		if (!k->pipe && k->decomp_live && !k->same_hash && reg->size - off >= PIPE_MIN)
			k->pipe = hashpipe_start(&k->blob_h, &k->diff_h);
		size_t n = reg->size - off > CHUNK ? CHUNK : (size_t)(reg->size - off);
		if (blob_region_pread(reg, buf, n, off, &err) < 0) {
			res->status = BLOB_UNREADABLE;
			snprintf(res->msg, sizeof res->msg, "%s", err.msg);
			break;
		}
		if (off == 0)
			memcpy(res->head, buf,
			       res->headlen =
			               n < sizeof res->head ? (unsigned)n : sizeof res->head);
		int stop = check_chunk(k, buf, n, res);
		off += n;
		if (stop) break;
	}
	return off;
}

/* The digests, the inflater's end, and the status. */
static void check_finish(struct check *k, const digest_t *want, struct blob_result *res)
{
	ea_error_t err = {0};
	if (res->status != BLOB_UNREADABLE) {
		if (want && !digest_equal(&res->got, want)) res->digest_mismatch = 1;
		if (k->decomp_live) {
			if (inflater_finish(k->z, &err) < 0) {
				res->decomp_error = 1;
				snprintf(res->decomp_msg, sizeof res->decomp_msg, "%s", err.msg);
			} else {
				res->diff_checked = 1;
			}
		}
	}
	hasher_final(&k->diff_h, &res->diffid);
	if (res->status == BLOB_UNREADABLE) {
		if (k->z) {
			inflater_free(k->z);
			free(k->z);
		}
		return;
	}
	if (k->same_hash) res->diffid = res->got;
	if (k->z) {
		res->usize = k->z->out_total;
		inflater_free(k->z);
		free(k->z);
	}
	res->status = res->digest_mismatch ? BLOB_DIGEST_MISMATCH
	              : res->size_mismatch ? BLOB_SIZE_MISMATCH
	                                   : BLOB_OK;
}

void blobcheck_region(const struct blob_region *reg, const digest_t *want, int64_t want_size,
                      int diff, comp_t comp, const struct blobcheck_limits *lim,
                      struct blob_result *res)
{
	blobcheck_region_tap(reg, want, want_size, diff, comp, lim, NULL, res);
}

void blobcheck_region_tap(const struct blob_region *reg, const digest_t *want, int64_t want_size,
                          int diff, comp_t comp, const struct blobcheck_limits *lim,
                          const struct blob_tap *tap, struct blob_result *res)
{
	memset(res, 0, sizeof *res);
	res->diff_wanted = diff;
	res->comp = comp;
	if (want_size >= 0 && (uint64_t)want_size != reg->size) {
		/* Not read: the size alone fails it, and the file may be huge
		 * (a sparse 8 GiB blob behind a 1 KiB descriptor). */
		res->size_mismatch = 1;
		res->status = BLOB_SIZE_MISMATCH;
		res->size = reg->size;
		snprintf(res->msg, sizeof res->msg,
		         "%llu bytes on disk, descriptor says %lld: content not read",
		         (unsigned long long)reg->size, (long long)want_size);
		return;
	}
	if (ea_stop_requested()) {
		stopped(res, 0, reg->size);
		return;
	}
	/* One buffer per call, not thread-local: musl carves TLS out of each
	 * thread's small stack. */
	cleanup_free unsigned char *buf = xmalloc(CHUNK);
	struct check k;
	check_start(&k, want, diff, comp, lim, res);
	k.tap = diff ? tap : NULL;
	uint64_t off = check_read(&k, reg, buf, res);
	hashpipe_end(k.pipe); /* all hashed */
	k.pipe = NULL;
	res->size = off;
	hasher_final(&k.blob_h, &res->got);
	if (res->interrupted) stopped(res, off, reg->size);
	check_finish(&k, want, res);
}

void blobcheck_run(struct blobsrc *src, const digest_t *d, int64_t want_size, int diff, comp_t comp,
                   const struct blobcheck_limits *lim, struct blob_result *res)
{
	blobcheck_run_tap(src, d, want_size, diff, comp, lim, NULL, res);
}

void blobcheck_run_tap(struct blobsrc *src, const digest_t *d, int64_t want_size, int diff,
                       comp_t comp, const struct blobcheck_limits *lim, const struct blob_tap *tap,
                       struct blob_result *res)
{
	struct blob_region reg = {.fd = -1};
	ea_error_t err = {0};
	if (blobsrc_open(src, d, &reg, &err) < 0) {
		memset(res, 0, sizeof *res);
		res->diff_wanted = diff;
		res->comp = comp;
		res->open_code = err.code;
		res->status = err.code == EA_E_NOENT ? BLOB_MISSING
		              : (err.code == EA_E_SYMLINK || err.code == EA_E_NOTREG ||
		                 err.code == EA_E_BADNAME)
		                      ? BLOB_BAD_FILE
		                      : BLOB_UNREADABLE;
		snprintf(res->msg, sizeof res->msg, "%s", err.msg);
		return;
	}
	blobcheck_region_tap(&reg, d, want_size, diff, comp, lim, tap, res);
	blob_region_close(&reg);
}
