/*
 * isal_glue.c: the few symbols ISA-L's inflate needs from the parts of
 * ISA-L this project does not build (deflate, the full multibinary
 * dispatchers of every checksum).  Built by third_party/deps-recipe.sh into
 * libisal_inflate.a next to igzip_inflate.c and the decoder's assembly.
 *
 *  - crc32_gzip_refl: the gzip CRC, chosen once per process from the CPU's
 *    features (x86_64: PCLMULQDQ + SSE4.1 -> ISA-L's by8 folding; aarch64:
 *    CRC32 + PMULL -> 3crc_fold, PMULL -> pmull), ISA-L's table code else.
 *  - decode_huffman_code_block_stateless on aarch64 (x86_64 uses ISA-L's
 *    own igzip_inflate_multibinary.asm): the assembly decoder needs the
 *    CRC32 extension, as in ISA-L's dispatcher; the C decoder else.
 *  - isal_adler32_bam1: only the zlib wrapper uses it (never asked for
 *    here); computed with zlib's adler32 so it is right if ever called.
 *  - isal_gzip_header_init, isal_zlib_header_init (igzip.c's, the deflate
 *    side): isal_inflate names them for the wrappers this project does not
 *    ask ISA-L to read (edgeaudit reads the gzip wrapper itself).
 */
#include <stdint.h>
#include <zlib.h>

#include "igzip_lib.h"

#define ADLER_MOD 65521

uint32_t crc32_gzip_refl_base(uint32_t seed, uint8_t *buf, uint64_t len);
int decode_huffman_code_block_stateless_base(struct inflate_state *s, uint8_t *start_out);

typedef uint32_t (*crc_fn)(uint32_t, const unsigned char *, uint64_t);
static crc_fn crc_impl;

#if defined(__x86_64__)
#include <cpuid.h>

uint32_t crc32_gzip_refl_by8(uint32_t init, const unsigned char *buf, uint64_t len);

static crc_fn pick_crc(void)
{
	unsigned a, b, c, d;
	if (__get_cpuid(1, &a, &b, &c, &d) && (c & bit_PCLMUL) && (c & bit_SSE4_1))
		return crc32_gzip_refl_by8;
	return (crc_fn)crc32_gzip_refl_base;
}

#elif defined(__aarch64__)
#include <sys/auxv.h>
#ifndef HWCAP_CRC32
#define HWCAP_CRC32 (1 << 7)
#endif
#ifndef HWCAP_PMULL
#define HWCAP_PMULL (1 << 4)
#endif

uint32_t crc32_gzip_refl_3crc_fold(uint32_t init, const unsigned char *buf, uint64_t len);
uint32_t crc32_gzip_refl_pmull(uint32_t init, const unsigned char *buf, uint64_t len);
int decode_huffman_code_block_stateless_aarch64(struct inflate_state *s, uint8_t *start_out);

typedef int (*decode_fn)(struct inflate_state *, uint8_t *);
static decode_fn decode_impl;

static crc_fn pick_crc(void)
{
	unsigned long hw = getauxval(AT_HWCAP);
	if ((hw & (HWCAP_CRC32 | HWCAP_PMULL)) == (HWCAP_CRC32 | HWCAP_PMULL))
		return crc32_gzip_refl_3crc_fold;
	if (hw & HWCAP_PMULL) return crc32_gzip_refl_pmull;
	return (crc_fn)crc32_gzip_refl_base;
}

__attribute__((constructor)) static void pick_decode(void)
{
	decode_impl = (getauxval(AT_HWCAP) & HWCAP_CRC32)
	                      ? decode_huffman_code_block_stateless_aarch64
	                      : decode_huffman_code_block_stateless_base;
}

int decode_huffman_code_block_stateless(struct inflate_state *s, uint8_t *start_out)
{
	return decode_impl(s, start_out);
}

#else
#error "isal_glue.c: ISA-L's inflate is built for x86_64 and aarch64 only"
#endif

/* Chosen before main (and so before any thread): no race on the pointer. */
__attribute__((constructor)) static void pick_crc_once(void) { crc_impl = pick_crc(); }

uint32_t crc32_gzip_refl(uint32_t init, const unsigned char *buf, uint64_t len)
{
	return crc_impl(init, buf, len);
}

uint32_t isal_adler32_bam1(uint32_t adler, const unsigned char *start, uint64_t length)
{
	/* ISA-L keeps the checksum as B | (A - 1). */
	uint32_t a = adler & 0xffff;
	a = a == ADLER_MOD - 1 ? 0 : a + 1;
	uint32_t sum = (adler & 0xffff0000) | a;
	while (length > 0) {
		uInt n = length > (1u << 30) ? (1u << 30) : (uInt)length;
		sum = (uint32_t)adler32(sum, start, n);
		start += n;
		length -= n;
	}
	a = sum & 0xffff;
	a = a == 0 ? ADLER_MOD - 1 : a - 1;
	return (sum & 0xffff0000) | a;
}

void isal_gzip_header_init(struct isal_gzip_header *h)
{
	*h = (struct isal_gzip_header){.os = 0xff};
}

void isal_zlib_header_init(struct isal_zlib_header *h) { *h = (struct isal_zlib_header){0}; }
