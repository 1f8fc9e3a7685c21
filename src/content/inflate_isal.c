/* inflate_isal: see inflate_isal.h. */
#include "inflate_isal.h"

#ifdef EDGEAUDIT_ISAL

#include <igzip_lib.h>
#include <string.h>

/* ISA-L's CRC-32 of gzip (zlib's crc32), chosen for the CPU by its glue. */
uint32_t crc32_gzip_refl(uint32_t init, const unsigned char *buf, uint64_t len);

/* Where a member is: the wrapper's fields in zlib's order, then the body. */
typedef enum {
	GZ_ID,      /* 1f 8b */
	GZ_FLAGS,   /* method, flags */
	GZ_FIXED,   /* mtime, xfl, os */
	GZ_XLEN,    /* FEXTRA's length */
	GZ_EXTRA,   /* FEXTRA's bytes */
	GZ_NAME,    /* FNAME, to its NUL */
	GZ_COMMENT, /* FCOMMENT, to its NUL */
	GZ_HCRC,    /* FHCRC */
	GZ_BODY,    /* deflate blocks, ISA-L's */
	GZ_TRAILER, /* CRC-32, ISIZE */
} gz_phase_t;

#define GZ_FHCRC    0x02
#define GZ_FEXTRA   0x04
#define GZ_FNAME    0x08
#define GZ_FCOMMENT 0x10

struct isal_gz {
	struct inflate_state st;
	gz_phase_t phase;
	unsigned flags;
	uint32_t need;      /* bytes a fixed-size field or FEXTRA still wants */
	uint32_t hcrc;      /* CRC-32 of the header so far */
	uint32_t crc, size; /* CRC-32 and length (mod 2^32) of the member's output */
	unsigned char field[8];
	unsigned have;
};

int isal_gz_available(void) { return 1; }

static void member_start(struct isal_gz *g)
{
	g->phase = GZ_ID;
	g->flags = 0;
	g->need = 2;
	g->have = 0;
	g->hcrc = 0;
	g->crc = 0;
	g->size = 0;
}

int isal_gz_start(inflater_t *z, ea_error_t *err)
{
	(void)err;
	z->isal = xmalloc(sizeof *z->isal);
	member_start(z->isal);
	return 0;
}

void isal_gz_end(inflater_t *z)
{
	free(z->isal);
	z->isal = NULL;
}

static void body_start(struct isal_gz *g)
{
	isal_inflate_init(&g->st);
	g->st.crc_flag = ISAL_DEFLATE; /* the wrapper is ours */
	g->phase = GZ_BODY;
}

/* A fixed-size field is complete: check it, go on (zlib's order and words). */
static int field_done(struct isal_gz *g, ea_error_t *err)
{
	const unsigned char *f = g->field;
	switch (g->phase) {
	case GZ_ID:
		if (f[0] != 0x1f || f[1] != 0x8b)
			return ea_fail(err, EA_E_FORMAT, "gzip: incorrect header check");
		g->phase = GZ_FLAGS, g->need = 2;
		return 0;
	case GZ_FLAGS:
		if (f[0] != 8) return ea_fail(err, EA_E_FORMAT, "gzip: unknown compression method");
		if (f[1] & 0xe0) return ea_fail(err, EA_E_FORMAT, "gzip: unknown header flags set");
		g->flags = f[1];
		g->phase = GZ_FIXED, g->need = 6;
		return 0;
	case GZ_FIXED:
		g->phase = GZ_XLEN, g->need = 2;
		if (!(g->flags & GZ_FEXTRA)) g->phase = GZ_NAME, g->need = 0;
		return 0;
	case GZ_XLEN: g->phase = GZ_EXTRA, g->need = f[0] | (uint32_t)f[1] << 8; return 0;
	case GZ_HCRC:
		if ((g->hcrc & 0xffff) != (f[0] | (uint32_t)f[1] << 8))
			return ea_fail(err, EA_E_FORMAT, "gzip: header crc mismatch");
		body_start(g);
		return 0;
	default: return ea_fail(err, EA_E_FORMAT, "gzip: internal state");
	}
}

/* Past FEXTRA: the optional fields whose flag is unset are skipped. */
static void after_extra(struct isal_gz *g)
{
	if (g->phase == GZ_EXTRA) g->phase = GZ_NAME;
	if (g->phase == GZ_NAME && !(g->flags & GZ_FNAME)) g->phase = GZ_COMMENT;
	if (g->phase == GZ_COMMENT && !(g->flags & GZ_FCOMMENT)) g->phase = GZ_HCRC;
	if (g->phase == GZ_HCRC) {
		g->need = 2;
		if (!(g->flags & GZ_FHCRC)) body_start(g);
	}
}

/* One byte of the header. */
static int header_byte(struct isal_gz *g, unsigned char c, ea_error_t *err)
{
	if (g->phase != GZ_HCRC) g->hcrc = (uint32_t)crc32(g->hcrc, &c, 1);
	if (g->phase == GZ_EXTRA) {
		if (g->need > 0) g->need--;
	} else if (g->phase == GZ_NAME || g->phase == GZ_COMMENT) {
		if (c != 0) return 0;
		g->phase = g->phase == GZ_NAME ? GZ_COMMENT : GZ_HCRC;
		after_extra(g);
		return 0;
	} else {
		g->field[g->have++] = c;
		if (g->have < g->need) return 0;
		g->have = 0;
		if (field_done(g, err) < 0) return -1;
	}
	if (g->phase == GZ_EXTRA || g->phase == GZ_NAME) {
		if (g->phase == GZ_EXTRA && g->need > 0) return 0;
		after_extra(g);
	}
	return 0;
}

/* One byte of the trailer: the CRC is checked as soon as it is complete
 * (zlib does not wait for the length), then the length. */
static int trailer_byte(inflater_t *z, struct isal_gz *g, unsigned char c, ea_error_t *err)
{
	const unsigned char *f = g->field;
	g->field[g->have++] = c;
	if (g->have == 4 &&
	    (f[0] | (uint32_t)f[1] << 8 | (uint32_t)f[2] << 16 | (uint32_t)f[3] << 24) != g->crc)
		return ea_fail(err, EA_E_FORMAT, "gzip: incorrect data check");
	if (g->have < 8) return 0;
	if ((f[4] | (uint32_t)f[5] << 8 | (uint32_t)f[6] << 16 | (uint32_t)f[7] << 24) != g->size)
		return ea_fail(err, EA_E_FORMAT, "gzip: incorrect length check");
	z->ended = 1;
	member_start(g);
	return 0;
}

/* The member's last block is done: the whole bytes ISA-L read ahead into its
 * bit buffer belong to the trailer. */
static int body_finished(inflater_t *z, struct isal_gz *g, ea_error_t *err)
{
	struct inflate_state *s = &g->st;
	if (s->tmp_in_size != 0 || s->read_in_length < 0)
		return ea_fail(err, EA_E_FORMAT, "gzip: inflate left input it did not account for");
	unsigned skip = (unsigned)s->read_in_length % 8, bytes = (unsigned)s->read_in_length / 8;
	uint64_t bits = bytes ? s->read_in >> skip : 0;
	g->phase = GZ_TRAILER;
	g->have = 0;
	for (unsigned i = 0; i < bytes; i++)
		if (trailer_byte(z, g, (unsigned char)(bits >> (8 * i)), err) < 0) return -1;
	return 0;
}

static int body_error(int ret, ea_error_t *err)
{
	return ea_fail(err, EA_E_FORMAT, "gzip: %s",
	               ret == ISAL_INVALID_LOOKBACK ? "invalid distance too far back"
	               : ret == ISAL_INVALID_SYMBOL ? "invalid literal/length or distance code"
	                                            : "invalid deflate block");
}

/* Deflate blocks from *in until the input is used up or the member's last
 * block ends. */
static int body(inflater_t *z, const unsigned char **in, size_t *n, inflate_sink_fn sink, void *ctx,
                ea_error_t *err)
{
	struct isal_gz *g = z->isal;
	struct inflate_state *s = &g->st;
	s->next_in = (uint8_t *)*in;
	s->avail_in = *n > (1u << 30) ? (1u << 30) : (uint32_t)*n;
	uint32_t given = s->avail_in;
	for (;;) {
		uint32_t before = s->avail_in;
		s->next_out = z->out;
		s->avail_out = sizeof z->out;
		int ret = isal_inflate(s);
		if (ret < 0) return body_error(ret, err);
		size_t got = sizeof z->out - s->avail_out;
		g->crc = crc32_gzip_refl(g->crc, z->out, got);
		g->size += (uint32_t)got;
		if (inflater_emit(z, got, sink, ctx, err) < 0) return -1;
		/* Done, or room left for output: it wants input (or has none). */
		if (s->block_state == ISAL_BLOCK_FINISH || s->avail_in == 0) {
			if (s->block_state == ISAL_BLOCK_FINISH || s->avail_out > 0) break;
		} else if (s->avail_out > 0 && got == 0 && s->avail_in == before) {
			return ea_fail(err, EA_E_FORMAT, "gzip: no progress");
		}
	}
	size_t used = given - s->avail_in;
	*in += used;
	*n -= used;
	if (s->block_state == ISAL_BLOCK_FINISH) return body_finished(z, g, err);
	if (used == 0 && *n > 0) return ea_fail(err, EA_E_FORMAT, "gzip: no progress");
	return 0;
}

int isal_gz_feed(inflater_t *z, const unsigned char *in, size_t n, inflate_sink_fn sink, void *ctx,
                 ea_error_t *err)
{
	struct isal_gz *g = z->isal;
	while (n > 0) {
		if (z->ended) {
			if (inflater_gzip_next_member(z, in, n, err) < 0) return -1;
			z->ended = 0;
		}
		if (g->phase == GZ_BODY) {
			if (body(z, &in, &n, sink, ctx, err) < 0) return -1;
			continue;
		}
		int rc = g->phase == GZ_TRAILER ? trailer_byte(z, g, *in, err)
		                                : header_byte(g, *in, err);
		if (rc < 0) return -1;
		in++;
		n--;
	}
	return 0;
}

#else /* no ISA-L in this build (armv7): zlib only */

int isal_gz_available(void) { return 0; }

int isal_gz_start(inflater_t *z, ea_error_t *err)
{
	(void)z;
	return ea_fail(err, EA_E_UNSUPPORTED, "ISA-L's inflate is not in this build");
}

int isal_gz_feed(inflater_t *z, const unsigned char *in, size_t n, inflate_sink_fn sink, void *ctx,
                 ea_error_t *err)
{
	(void)z, (void)in, (void)n, (void)sink, (void)ctx;
	return ea_fail(err, EA_E_UNSUPPORTED, "ISA-L's inflate is not in this build");
}

void isal_gz_end(inflater_t *z) { (void)z; }

#endif
