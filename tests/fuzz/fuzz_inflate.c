/* inflater_* (inflate.h): gzip and zstd layer streams, fed in chunks of
 * fuzzer-chosen sizes as blobcheck and tarsplit feed them.
 * Properties: output handed on never passes max_out; a stream called
 * complete really ended; every byte counted was handed on. */
#include "common.h"
#include "inflate.h"

struct sink { uint64_t got; uint64_t max; };

static int sink(void *ctx, const void *p, size_t n, ea_error_t *err)
{
	struct sink *s = ctx;
	(void)p;
	(void)err;
	s->got += n;
	if (s->got > s->max) abort(); /* past the limit handed to init */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t opt = fz_take_byte(&data, &size);
	uint8_t chunk = fz_take_byte(&data, &size);
	comp_t c = (opt & 3) == 0 ? comp_sniff(data, size) : (opt & 3) == 1 ? COMP_GZIP : (opt & 3) == 2 ? COMP_ZSTD : COMP_NONE;
	/* small limits so bombs are found in milliseconds, a ratio limit sometimes */
	uint64_t max_out = (opt & 4) ? 4096 : 8u << 20;
	unsigned ratio = (opt & 8) ? 100 : 0;
	size_t step = chunk ? chunk : 1 + size;
	static inflater_t z; /* 64 KiB of output buffer: not on the stack */
	ea_error_t err = {0};
	struct sink s = {0, c == COMP_NONE ? UINT64_MAX : max_out}; /* plain tar is not limited here */
	if (inflater_init(&z, c, max_out, ratio, &err) < 0) return 0;
	int rc = 0;
	for (size_t off = 0; off < size && rc == 0; off += step) {
		size_t n = size - off < step ? size - off : step;
		rc = inflater_feed(&z, data + off, n, sink, &s, &err);
	}
	if (rc == 0) rc = inflater_finish(&z, &err);
	if (rc == 0 && c != COMP_NONE && !z.ended) abort(); /* finished without an end */
	if (rc == 0 && z.out_total != s.got) abort(); /* everything counted was handed on */
	inflater_free(&z);
	return 0;
}
