/* blobcheck: see blobcheck.h. */
#include "blobcheck.h"

#include <stdio.h>
#include <string.h>

#define CHUNK (256 * 1024)

static int hash_sink(void *ctx, const void *data, size_t n, ea_error_t *err)
{
	/* Polled per 64 KiB the decompressor hands out: one chunk in may be
	 * hundreds of MiB out (a run of zeros), which must not outlast the stop. */
	if (ea_stop_requested()) return ea_fail(err, EA_E_INTERRUPTED, "stopped (budget or signal)");
	hasher_update(ctx, data, n);
	return 0;
}

static void stopped(struct blob_result *res, uint64_t off, uint64_t size)
{
	res->status = BLOB_UNREADABLE;
	res->interrupted = 1;
	res->diff_checked = 0;
	snprintf(res->msg, sizeof res->msg, "stopped (budget or signal) after %llu of %llu bytes",
		 (unsigned long long)off, (unsigned long long)size);
}

void blobcheck_region(const struct blob_region *reg, const digest_t *want, int64_t want_size, int diff,
		      comp_t comp, const struct blobcheck_limits *lim, struct blob_result *res)
{
	/* One buffer per call, not thread-local: musl carves TLS out of each
	 * thread's small stack. */
	cleanup_free unsigned char *buf = xmalloc(CHUNK);
	memset(res, 0, sizeof *res);
	res->diff_wanted = diff;
	res->comp = comp;
	if (want_size >= 0 && (uint64_t)want_size != reg->size) {
		/* Not read: the size alone fails it, and the file may be huge
		 * (a sparse 8 GiB blob behind a 1 KiB descriptor). */
		res->size_mismatch = 1;
		res->status = BLOB_SIZE_MISMATCH;
		res->size = reg->size;
		snprintf(res->msg, sizeof res->msg, "%llu bytes on disk, descriptor says %lld: content not read",
			 (unsigned long long)reg->size, (long long)want_size);
		return;
	}
	if (ea_stop_requested()) {
		stopped(res, 0, reg->size);
		return;
	}

	hasher_t blob_h, diff_h;
	hasher_init(&blob_h, want ? want->alg : DIGEST_SHA256);
	hasher_init(&diff_h, DIGEST_SHA256); /* diffIDs are sha256 */
	inflater_t *z = NULL;
	ea_error_t err = {0};
	if (diff) {
		z = xmalloc(sizeof *z);
		if (inflater_init(z, comp, lim ? lim->max_layer_bytes : BLOBCHECK_MAX_LAYER_BYTES,
				  lim ? lim->max_ratio : BLOBCHECK_MAX_RATIO, &err) < 0) {
			res->decomp_error = 1;
			snprintf(res->decomp_msg, sizeof res->decomp_msg, "%s", err.msg);
			free(z);
			z = NULL;
		}
	}
	int decomp_live = z != NULL;
	/* An uncompressed layer with a sha256 digest: the diffID is the blob
	 * digest, so hash once (halves the work of the common docker-archive). */
	int same_hash = diff && comp == COMP_NONE && (!want || want->alg == DIGEST_SHA256) && z;
	uint64_t off = 0;
	while (off < reg->size) {
		/* One poll per 256 KiB: a vDSO clock read (~20 ns) against ~100 us
		 * of hashing; the stop lands within one chunk. */
		if (ea_stop_requested()) {
			res->interrupted = 1;
			break;
		}
		size_t n = reg->size - off > CHUNK ? CHUNK : (size_t)(reg->size - off);
		if (blob_region_pread(reg, buf, n, off, &err) < 0) {
			res->status = BLOB_UNREADABLE;
			snprintf(res->msg, sizeof res->msg, "%s", err.msg);
			break;
		}
		if (off == 0) memcpy(res->head, buf, res->headlen = n < sizeof res->head ? (unsigned)n : sizeof res->head);
		hasher_update(&blob_h, buf, n);
		if (same_hash) {
			z->in_total += n;
			z->out_total += n;
		} else if (decomp_live && inflater_feed(z, buf, n, hash_sink, &diff_h, &err) < 0) {
			if (err.code == EA_E_INTERRUPTED) {
				res->interrupted = 1;
				off += n;
				break;
			}
			decomp_live = 0;
			res->decomp_error = 1;
			res->trailing = z->trailing;
			res->bomb = z->bomb;
			snprintf(res->decomp_msg, sizeof res->decomp_msg, "%s", err.msg);
		}
		off += n;
	}
	res->size = off;
	hasher_final(&blob_h, &res->got);
	if (res->interrupted) stopped(res, off, reg->size);
	if (res->status == BLOB_UNREADABLE) {
		hasher_final(&diff_h, &res->diffid);
		if (z) { inflater_free(z); free(z); }
		return;
	}
	if (want && !digest_equal(&res->got, want)) res->digest_mismatch = 1;
	if (decomp_live) {
		if (inflater_finish(z, &err) < 0) {
			res->decomp_error = 1;
			snprintf(res->decomp_msg, sizeof res->decomp_msg, "%s", err.msg);
		} else {
			res->diff_checked = 1;
		}
	}
	hasher_final(&diff_h, &res->diffid);
	if (same_hash) res->diffid = res->got;
	if (z) {
		res->usize = z->out_total;
		inflater_free(z);
		free(z);
	}
	res->status = res->digest_mismatch ? BLOB_DIGEST_MISMATCH : res->size_mismatch ? BLOB_SIZE_MISMATCH : BLOB_OK;
}

void blobcheck_run(struct blobsrc *src, const digest_t *d, int64_t want_size, int diff, comp_t comp,
		   const struct blobcheck_limits *lim, struct blob_result *res)
{
	struct blob_region reg = {.fd = -1};
	ea_error_t err = {0};
	if (blobsrc_open(src, d, &reg, &err) < 0) {
		memset(res, 0, sizeof *res);
		res->diff_wanted = diff;
		res->comp = comp;
		res->open_code = err.code;
		res->status = err.code == EA_E_NOENT ? BLOB_MISSING
			      : (err.code == EA_E_SYMLINK || err.code == EA_E_NOTREG || err.code == EA_E_BADNAME) ? BLOB_BAD_FILE
			      : BLOB_UNREADABLE;
		snprintf(res->msg, sizeof res->msg, "%s", err.msg);
		return;
	}
	blobcheck_region(&reg, d, want_size, diff, comp, lim, res);
	blob_region_close(&reg);
}
