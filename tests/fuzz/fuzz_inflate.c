/* inflater_* (inflate.h): gzip and zstd layer streams, fed in chunks of
 * fuzzer-chosen sizes as blobcheck and tarsplit feed them.
 * Properties: output handed on never passes max_out; a stream called
 * complete really ended; every byte counted was handed on.  Where ISA-L's
 * inflate is built in, every gzip input runs through both engines, zlib
 * and ISA-L, which must agree: the same result, error code, end, trailing
 * data and bomb flags, and the same output (its length and a hash). */
#include "common.h"
#include "inflate.h"

struct sink {
	uint64_t got;
	uint64_t max;
	uint64_t hash; /* FNV-1a of the output */
};

static int sink(void *ctx, const void *p, size_t n, ea_error_t *err)
{
	struct sink *s = ctx;
	const unsigned char *b = p;
	(void)err;
	s->got += n;
	if (s->got > s->max) abort(); /* past the limit handed to init */
	for (size_t i = 0; i < n; i++) s->hash = (s->hash ^ b[i]) * 0x100000001b3ULL;
	return 0;
}

struct result {
	int rc, ended, trailing, bomb;
	ea_errc_t code;
	struct sink s;
};

static void run(comp_t c, inflate_engine_t e, const uint8_t *data, size_t size, size_t step,
                uint64_t max_out, unsigned ratio, struct result *r)
{
	static inflater_t z; /* 64 KiB of output buffer: not on the stack */
	ea_error_t err = {0};
	memset(r, 0, sizeof *r);
	r->s = (struct sink){0, c == COMP_NONE ? UINT64_MAX : max_out, 0xcbf29ce484222325ULL};
	r->rc = inflater_init_engine(&z, c, e, max_out, ratio, &err);
	if (r->rc < 0) abort(); /* init fails only without memory or an engine not built in */
	for (size_t off = 0; off < size && r->rc == 0; off += step) {
		size_t n = size - off < step ? size - off : step;
		r->rc = inflater_feed(&z, data + off, n, sink, &r->s, &err);
	}
	if (r->rc == 0) r->rc = inflater_finish(&z, &err);
	if (r->rc == 0 && c != COMP_NONE && !z.ended) abort(); /* finished without an end */
	if (r->rc == 0 && z.out_total != r->s.got) abort(); /* everything counted was handed on */
	r->code = r->rc ? err.code : EA_OK;
	r->ended = z.ended, r->trailing = z.trailing, r->bomb = z.bomb;
	inflater_free(&z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t opt = fz_take_byte(&data, &size);
	uint8_t chunk = fz_take_byte(&data, &size);
	comp_t c = (opt & 3) == 0   ? comp_sniff(data, size)
	           : (opt & 3) == 1 ? COMP_GZIP
	           : (opt & 3) == 2 ? COMP_ZSTD
	                            : COMP_NONE;
	/* small limits so bombs are found in milliseconds, a ratio limit sometimes */
	uint64_t max_out = (opt & 4) ? 4096 : 8u << 20;
	unsigned ratio = (opt & 8) ? 100 : 0;
	size_t step = chunk ? chunk : 1 + size;
	struct result a, b;
	run(c, INFLATE_ZLIB, data, size, step, max_out, ratio, &a);
	if (c != COMP_GZIP || !inflate_engine_available(INFLATE_ISAL)) return 0;
	run(c, INFLATE_ISAL, data, size, step, max_out, ratio, &b);
	if (a.rc != b.rc || a.code != b.code || a.ended != b.ended || a.trailing != b.trailing ||
	    a.bomb != b.bomb)
		abort(); /* the engines disagree */
	if (a.rc == 0 && (a.s.got != b.s.got || a.s.hash != b.s.hash)) abort(); /* other output */
	return 0;
}
