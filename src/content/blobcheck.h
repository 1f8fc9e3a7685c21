/*
 * blobcheck: verify one blob in a single streaming pass: its size, its
 * digest, and (for layers) the digest and size of its decompressed content
 * (the diffID).  Fixed buffers: memory does not grow with the blob.
 *
 * Contract: the result says exactly what was checked.  A blob that could not
 * be read or decompressed has `diff_checked` 0 and an error; nothing here
 * calls anything "ok" it did not hash.
 */
#ifndef EDGEAUDIT_BLOBCHECK_H
#define EDGEAUDIT_BLOBCHECK_H

#include <stdint.h>

#include "blobsrc.h"
#include "digest.h"
#include "inflate.h"

/* Default limits for decompression (a bomb is a finding, not a hang). */
#define BLOBCHECK_MAX_LAYER_BYTES (16ULL << 30)
#define BLOBCHECK_MAX_RATIO       100

typedef enum {
	BLOB_OK = 0,
	BLOB_MISSING,       /* not in the store */
	BLOB_BAD_FILE,      /* link, FIFO, device, unsafe name */
	BLOB_UNREADABLE,    /* I/O error, or stopped (interrupted) */
	BLOB_SIZE_MISMATCH, /* size on disk differs from the descriptor: not read, not hashed */
	BLOB_DIGEST_MISMATCH,
} blob_status_t;

struct blob_result {
	blob_status_t status;
	ea_errc_t open_code;
	char msg[256];
	uint64_t size; /* bytes actually read (a size mismatch: the size on disk) */
	digest_t got;  /* their digest */
	int size_mismatch, digest_mismatch;
	/* The budget ran out or a signal came while it was read: status
	 * BLOB_UNREADABLE, nothing checked; callers report it as unchecked
	 * (audit.interrupted), never as ok. */
	int interrupted;
	/* decompression / diffID */
	int diff_wanted, diff_checked;
	comp_t comp;
	digest_t diffid;
	uint64_t usize;
	int decomp_error, trailing, bomb;
	char decomp_msg[256];
	unsigned char head[8]; /* the blob's first bytes (headlen of them): its magic */
	unsigned headlen;
};

struct blobcheck_limits {
	uint64_t max_layer_bytes;
	unsigned max_ratio;
};

/* want_size < 0: no declared size; a blob of another size is not read at
 * all (BLOB_SIZE_MISMATCH: an 8 GiB file behind a small descriptor is no
 * reason to hash 8 GiB).  diff: also compute the diffID of the content
 * decompressed as comp (COMP_NONE: the blob is the layer tar).  The read
 * polls ea_stop_requested() every chunk (256 KiB in, 64 KiB out of the
 * decompressor): a deadline or a signal stops it within milliseconds. */
void blobcheck_run(struct blobsrc *src, const digest_t *d, int64_t want_size, int diff, comp_t comp,
                   const struct blobcheck_limits *lim, struct blob_result *res);

/* The same over an already opened region (archives address members by path). */
void blobcheck_region(const struct blob_region *reg, const digest_t *want, int64_t want_size,
                      int diff, comp_t comp, const struct blobcheck_limits *lim,
                      struct blob_result *res);

/* A tap on a layer's uncompressed content: fn sees the layer tar's bytes in
 * order as they are hashed for the diffID (one pass over the blob; the
 * package inventory reads its databases there).  Only with diff. */
struct blob_tap {
	int (*fn)(void *ctx, const void *data, size_t n);
	void *ctx;
};
void blobcheck_run_tap(struct blobsrc *src, const digest_t *d, int64_t want_size, int diff,
                       comp_t comp, const struct blobcheck_limits *lim, const struct blob_tap *tap,
                       struct blob_result *res);
void blobcheck_region_tap(const struct blob_region *reg, const digest_t *want, int64_t want_size,
                          int diff, comp_t comp, const struct blobcheck_limits *lim,
                          const struct blob_tap *tap, struct blob_result *res);

#endif
