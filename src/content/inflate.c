/* inflate: see inflate.h. */
#include "inflate.h"

#include <string.h>
#include <zstd.h>

#include "inflate_isal.h"

const char *comp_name(comp_t c)
{
	return c == COMP_GZIP ? "gzip" : c == COMP_ZSTD ? "zstd" : "none";
}

const char *inflate_engine_to_string(inflate_engine_t e)
{
	return e == INFLATE_ISAL ? "isa-l" : "zlib";
}

int inflate_engine_available(inflate_engine_t e)
{
	return e == INFLATE_ZLIB || (e == INFLATE_ISAL && isal_gz_available());
}

inflate_engine_t inflate_engine_default(void)
{
	return isal_gz_available() ? INFLATE_ISAL : INFLATE_ZLIB;
}

comp_t comp_sniff(const unsigned char *p, size_t n)
{
	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b) return COMP_GZIP;
	if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
		return COMP_ZSTD;
	return COMP_NONE;
}

int inflater_init(inflater_t *z, comp_t c, uint64_t max_out, unsigned max_ratio, ea_error_t *err)
{
	return inflater_init_engine(z, c, inflate_engine_default(), max_out, max_ratio, err);
}

int inflater_init_engine(inflater_t *z, comp_t c, inflate_engine_t e, uint64_t max_out,
                         unsigned max_ratio, ea_error_t *err)
{
	memset(z, 0, offsetof(inflater_t, out));
	z->comp = c;
	z->engine = e;
	z->max_out = max_out;
	z->max_ratio = max_ratio;
	if (c == COMP_GZIP && e == INFLATE_ISAL) {
		if (isal_gz_start(z, err) < 0) {
			z->comp = COMP_NONE;
			return -1;
		}
	} else if (c == COMP_GZIP) {
		/* 16 + MAX_WBITS: gzip wrapper only (no zlib or raw deflate). */
		if (inflateInit2(&z->zs, 16 + MAX_WBITS) != Z_OK)
			return ea_fail(err, EA_E_NOMEM, "zlib inflateInit2 failed");
	} else if (c == COMP_ZSTD) {
		ZSTD_DCtx *d = ZSTD_createDCtx();
		if (!d) return ea_fail(err, EA_E_NOMEM, "ZSTD_createDCtx failed");
		if (ZSTD_isError(ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax,
		                                        INFLATE_ZSTD_WINDOW_LOG_MAX))) {
			ZSTD_freeDCtx(d);
			return ea_fail(err, EA_E_UNSUPPORTED, "zstd: cannot limit the window size");
		}
		z->zstd = d;
	}
	return 0;
}

int inflater_emit(inflater_t *z, size_t n, inflate_sink_fn sink, void *ctx, ea_error_t *err)
{
	if (!n) return 0;
	z->out_total += n;
	if (z->out_total > z->max_out) {
		z->bomb = 1;
		return ea_fail(err, EA_E_TOOBIG, "inflates past the %llu-byte limit",
		               (unsigned long long)z->max_out);
	}
	if (z->max_ratio && z->out_total > INFLATE_RATIO_FLOOR &&
	    z->out_total / (z->in_total ? z->in_total : 1) > z->max_ratio) {
		z->bomb = 1;
		return ea_fail(err, EA_E_TOOBIG, "inflates more than %u:1 (%llu bytes from %llu)",
		               z->max_ratio, (unsigned long long)z->out_total,
		               (unsigned long long)z->in_total);
	}
	return sink(ctx, z->out, n, err);
}

int inflater_gzip_next_member(inflater_t *z, const unsigned char *in, size_t n, ea_error_t *err)
{
	/* Another gzip member follows, or trailing garbage. */
	if (in[0] != 0x1f || (n >= 2 && in[1] != 0x8b)) {
		z->trailing = 1;
		return ea_fail(err, EA_E_FORMAT, "data after the end of the gzip stream");
	}
	return 0;
}

static int feed_gzip(inflater_t *z, const unsigned char *in, size_t n, inflate_sink_fn sink,
                     void *ctx, ea_error_t *err)
{
	while (n > 0) {
		if (z->ended) {
			if (inflater_gzip_next_member(z, in, n, err) < 0) return -1;
			if (inflateReset(&z->zs) != Z_OK)
				return ea_fail(err, EA_E_FORMAT, "gzip: cannot reset");
			z->ended = 0;
		}
		z->zs.next_in = (Bytef *)in;
		z->zs.avail_in = n > (1u << 30) ? (1u << 30) : (uInt)n;
		size_t given = z->zs.avail_in;
		int ret;
		do {
			z->zs.next_out = z->out;
			z->zs.avail_out = sizeof z->out;
			ret = inflate(&z->zs, Z_NO_FLUSH);
			if (ret == Z_NEED_DICT || ret == Z_DATA_ERROR || ret == Z_MEM_ERROR ||
			    ret == Z_STREAM_ERROR)
				return ea_fail(err, EA_E_FORMAT, "gzip: %s",
				               z->zs.msg ? z->zs.msg : "corrupt stream");
			if (inflater_emit(z, sizeof z->out - z->zs.avail_out, sink, ctx, err) < 0)
				return -1;
		} while (ret != Z_STREAM_END && (z->zs.avail_in > 0 || z->zs.avail_out == 0));
		size_t used = given - z->zs.avail_in;
		in += used;
		n -= used;
		if (ret == Z_STREAM_END) z->ended = 1;
		else if (used == 0 && n > 0) return ea_fail(err, EA_E_FORMAT, "gzip: no progress");
	}
	return 0;
}

static int feed_zstd(inflater_t *z, const unsigned char *in, size_t n, inflate_sink_fn sink,
                     void *ctx, ea_error_t *err)
{
	ZSTD_inBuffer ib = {in, n, 0};
	while (ib.pos < ib.size) {
		ZSTD_outBuffer ob = {z->out, sizeof z->out, 0};
		size_t ret = ZSTD_decompressStream(z->zstd, &ob, &ib);
		if (ZSTD_isError(ret)) {
			ZSTD_ErrorCode c = ZSTD_getErrorCode(ret);
			if (c == ZSTD_error_prefix_unknown && z->ended) {
				z->trailing = 1;
				return ea_fail(err, EA_E_FORMAT,
				               "data after the end of the zstd stream");
			}
			if (c == ZSTD_error_frameParameter_windowTooLarge) {
				z->bomb = 1;
				return ea_fail(err, EA_E_TOOBIG,
				               "zstd frame asks for a window over 2^%d bytes",
				               INFLATE_ZSTD_WINDOW_LOG_MAX);
			}
			return ea_fail(err, EA_E_FORMAT, "zstd: %s", ZSTD_getErrorName(ret));
		}
		z->ended = ret == 0; /* a frame is complete and flushed */
		if (inflater_emit(z, ob.pos, sink, ctx, err) < 0) return -1;
	}
	/* Flush what the decoder still holds for the input seen so far. */
	for (;;) {
		ZSTD_outBuffer ob = {z->out, sizeof z->out, 0};
		size_t ret = ZSTD_decompressStream(z->zstd, &ob, &ib);
		if (ZSTD_isError(ret))
			return ea_fail(err, EA_E_FORMAT, "zstd: %s", ZSTD_getErrorName(ret));
		/* Nothing more to flush: after a finished frame the decoder asks for
		 * the next header (ret != 0), which must not undo `ended`. */
		if (ob.pos == 0) break;
		z->ended = ret == 0;
		if (inflater_emit(z, ob.pos, sink, ctx, err) < 0) return -1;
		if (ob.pos < ob.size) break;
	}
	return 0;
}

int inflater_feed(inflater_t *z, const void *in, size_t n, inflate_sink_fn sink, void *ctx,
                  ea_error_t *err)
{
	z->in_total += n;
	switch (z->comp) {
	case COMP_GZIP:
		return z->isal ? isal_gz_feed(z, in, n, sink, ctx, err)
		               : feed_gzip(z, in, n, sink, ctx, err);
	case COMP_ZSTD: return feed_zstd(z, in, n, sink, ctx, err);
	default: z->out_total += n; return sink(ctx, in, n, err);
	}
}

int inflater_finish(inflater_t *z, ea_error_t *err)
{
	if (z->comp == COMP_NONE) return 0;
	if (z->in_total == 0)
		return ea_fail(err, EA_E_TRUNCATED, "%s stream is empty", comp_name(z->comp));
	if (!z->ended)
		return ea_fail(err, EA_E_TRUNCATED, "%s stream is truncated", comp_name(z->comp));
	return 0;
}

void inflater_free(inflater_t *z)
{
	if (z->comp == COMP_GZIP && z->isal) isal_gz_end(z);
	else if (z->comp == COMP_GZIP) inflateEnd(&z->zs);
	if (z->zstd) ZSTD_freeDCtx(z->zstd);
	z->zstd = NULL;
	z->comp = COMP_NONE;
}
