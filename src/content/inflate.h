/*
 * inflate: streaming decompression of layer blobs (gzip via ISA-L's inflate
 * where the build has it, x86_64 and aarch64, zlib elsewhere; zstd via
 * libzstd's decompressor), BearSSL style: init / feed / finish, fixed
 * buffers, output handed to a sink as it is produced.
 *
 * Contract:
 *  - Memory is fixed per stream: zlib's 32 KiB window, zstd's window capped
 *    at INFLATE_ZSTD_WINDOW_LOG_MAX (a frame asking for more is refused).
 *  - Output past `max_out` bytes, or past `max_ratio` times the input once
 *    the output exceeds INFLATE_RATIO_FLOOR, stops the stream with
 *    EA_E_TOOBIG (a decompression bomb); `bomb` is set.
 *  - gzip: concatenated members are one stream (as Go's reader and so the
 *    engines read them); anything else after the end is EA_E_FORMAT with
 *    `trailing` set.  zstd: skippable frames are allowed, other trailing
 *    bytes are an error.  A stream cut short is EA_E_TRUNCATED at finish.
 *  - Both gzip engines give the same answers on every input: the same
 *    output, the same error codes, `trailing` and `bomb` flags, and zlib's
 *    own messages for the gzip wrapper (header, CRC, length); a corrupt
 *    deflate body is EA_E_FORMAT from both, in each engine's words
 *    (tests/unit/test_inflate_diff.c runs them side by side).
 */
#ifndef EDGEAUDIT_INFLATE_H
#define EDGEAUDIT_INFLATE_H

#include <stdint.h>
#include <zlib.h>

#include "util.h"

typedef enum { COMP_NONE = 0, COMP_GZIP, COMP_ZSTD } comp_t;
/* The gzip decoder: ISA-L (built in on x86_64 and aarch64) or zlib. */
typedef enum { INFLATE_ZLIB = 0, INFLATE_ISAL } inflate_engine_t;

struct isal_gz; /* ISA-L's state and the gzip wrapper (inflate_isal.c) */

#define INFLATE_ZSTD_WINDOW_LOG_MAX 27 /* 128 MiB: zstd's own default limit */
#define INFLATE_RATIO_FLOOR         (64ULL << 20)

typedef int (*inflate_sink_fn)(void *ctx, const void *data, size_t n, ea_error_t *err);

typedef struct {
	comp_t comp;
	uint64_t in_total, out_total;
	uint64_t max_out;
	unsigned max_ratio;
	int ended;               /* a complete stream (all members/frames) was seen */
	int trailing;            /* data after the end of the stream */
	int bomb;                /* a limit was hit */
	inflate_engine_t engine; /* for gzip */
	z_stream zs;
	struct isal_gz *isal;
	void *zstd; /* ZSTD_DCtx */
	unsigned char out[64 * 1024];
} inflater_t;

const char *comp_name(comp_t c);
/* Guess from the first bytes (gzip 1f 8b, zstd 28 b5 2f fd); COMP_NONE otherwise. */
comp_t comp_sniff(const unsigned char *p, size_t n);
const char *inflate_engine_to_string(inflate_engine_t e);
/* Is the engine built in?  zlib always is. */
int inflate_engine_available(inflate_engine_t e);
/* The gzip engine inflater_init uses: ISA-L where built in. */
inflate_engine_t inflate_engine_default(void);

int inflater_init(inflater_t *z, comp_t c, uint64_t max_out, unsigned max_ratio, ea_error_t *err);
/* The same with the gzip engine named (the differential tests, the fuzz
 * harness); an engine not built in is EA_E_UNSUPPORTED. */
int inflater_init_engine(inflater_t *z, comp_t c, inflate_engine_t e, uint64_t max_out,
                         unsigned max_ratio, ea_error_t *err);
int inflater_feed(inflater_t *z, const void *in, size_t n, inflate_sink_fn sink, void *ctx,
                  ea_error_t *err);
int inflater_finish(inflater_t *z, ea_error_t *err);
void inflater_free(inflater_t *z);

#endif
