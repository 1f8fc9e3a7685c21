/* sha256_block: see sha256_block.h.  Written from FIPS 180-4 (section 4.1.2,
 * 4.2.2, 6.2.2) and Intel's description of the SHA extensions. */
#include "sha256_block.h"

#include <mbedtls/platform_util.h>

/* FIPS 180-4 4.2.2: first 32 bits of the fractional parts of the cube roots
 * of the first 64 primes. */
static const uint32_t sha256_k[64] __attribute__((aligned(16))) = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
};

/* ------------------------------------------------------------ portable C */

static inline uint32_t rotr32(uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }

/* FIPS 180-4 4.1.2 */
static inline uint32_t ch(uint32_t x, uint32_t y, uint32_t z) { return (x & y) ^ (~x & z); }
static inline uint32_t maj(uint32_t x, uint32_t y, uint32_t z)
{
	return (x & y) ^ (x & z) ^ (y & z);
}
static inline uint32_t big_sigma0(uint32_t x)
{
	return rotr32(x, 2) ^ rotr32(x, 13) ^ rotr32(x, 22);
}
static inline uint32_t big_sigma1(uint32_t x)
{
	return rotr32(x, 6) ^ rotr32(x, 11) ^ rotr32(x, 25);
}
static inline uint32_t small_sigma0(uint32_t x) { return rotr32(x, 7) ^ rotr32(x, 18) ^ (x >> 3); }
static inline uint32_t small_sigma1(uint32_t x)
{
	return rotr32(x, 17) ^ rotr32(x, 19) ^ (x >> 10);
}

void sha256_block_c(uint32_t state[8], const unsigned char block[64])
{
	uint32_t w[64];
	for (int t = 0; t < 16; t++)
		w[t] = (uint32_t)block[4 * t] << 24 | (uint32_t)block[4 * t + 1] << 16 |
		       (uint32_t)block[4 * t + 2] << 8 | (uint32_t)block[4 * t + 3];
	for (int t = 16; t < 64; t++)
		w[t] = small_sigma1(w[t - 2]) + w[t - 7] + small_sigma0(w[t - 15]) + w[t - 16];

	uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
	uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
	for (int t = 0; t < 64; t++) {
		uint32_t t1 = h + big_sigma1(e) + ch(e, f, g) + sha256_k[t] + w[t];
		uint32_t t2 = big_sigma0(a) + maj(a, b, c);
		h = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	state[0] += a;
	state[1] += b;
	state[2] += c;
	state[3] += d;
	state[4] += e;
	state[5] += f;
	state[6] += g;
	state[7] += h;
	/* mbedTLS hashes keys with this too (HMAC-DRBG): leave no schedule. */
	mbedtls_platform_zeroize(w, sizeof w);
}

#if defined(__x86_64__)

#include <cpuid.h>
#include <immintrin.h>
#include <mbedtls/sha256.h>

/* ------------------------------------------------------------ SHA-NI
 *
 * SHA256RNDS2 does two rounds on a state split across two registers:
 * {A,B,E,F} and {C,D,G,H}, highest dword first (so A is dword 3 and F dword
 * 0 of "abef").  Its third operand holds W[t]+K[t] and W[t+1]+K[t+1] in
 * dwords 0 and 1.  After two rounds the old {A,B,E,F} is the new
 * {C,D,G,H}, so the two variables swap roles on every call.
 *
 * SHA256MSG1(x, y) gives x[i] + sigma0(W[i+1]) for the four words of x
 * followed by the first of y; SHA256MSG2(x, y) adds sigma1 of the two words
 * before each result (taken from y for the first two, from its own results
 * for the last two), completing W[t..t+3] = sigma1(W[t-2]) + W[t-7] +
 * sigma0(W[t-15]) + W[t-16] once W[t-7..t-4] has been added in between.
 */

#define SHANI_TARGET __attribute__((target("sha,sse4.1,ssse3")))

/* Four rounds starting at round 4*g, message words in m. */
#define SHANI_ROUNDS4(m, g)                                                                      \
	do {                                                                                     \
		__m128i wk_ =                                                                    \
		        _mm_add_epi32((m), _mm_load_si128((const __m128i *)&sha256_k[4 * (g)])); \
		cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk_); /* cdgh now holds A,B,E,F */      \
		wk_ = _mm_shuffle_epi32(wk_, 0x0e);            /* words 2,3 down to 0,1 */       \
		abef = _mm_sha256rnds2_epu32(abef, cdgh, wk_);                                   \
	} while (0)

SHANI_TARGET void sha256_block_shani(uint32_t state[8], const unsigned char block[64])
{
	/* Byte-swap each 32-bit lane: message words are big-endian. */
	const __m128i bswap = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);

	/* state[0..3] = dwords {A,B,C,D} (A lowest), state[4..7] = {E,F,G,H}. */
	__m128i abcd = _mm_loadu_si128((const __m128i *)&state[0]);
	__m128i efgh = _mm_loadu_si128((const __m128i *)&state[4]);
	__m128i badc = _mm_shuffle_epi32(abcd, 0xb1);     /* dwords B,A,D,C */
	__m128i hgfe = _mm_shuffle_epi32(efgh, 0x1b);     /* dwords H,G,F,E */
	__m128i abef = _mm_alignr_epi8(badc, hgfe, 8);    /* dwords F,E,B,A */
	__m128i cdgh = _mm_blend_epi16(hgfe, badc, 0xf0); /* dwords H,G,D,C */
	const __m128i abef0 = abef, cdgh0 = cdgh;

	/* m0..m3: the four most recent groups of four schedule words, oldest first. */
	__m128i m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(block + 0)), bswap);
	__m128i m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(block + 16)), bswap);
	__m128i m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(block + 32)), bswap);
	__m128i m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(block + 48)), bswap);
	SHANI_ROUNDS4(m0, 0);
	SHANI_ROUNDS4(m1, 1);
	SHANI_ROUNDS4(m2, 2);
	SHANI_ROUNDS4(m3, 3);

	for (int g = 4; g < 16; g++) {
		/* W[4g..4g+3] from m0 = W[4g-16..], m1 = W[4g-12..], m2 = W[4g-8..],
		 * m3 = W[4g-4..]; alignr picks W[4g-7..4g-4] out of m2:m3. */
		__m128i next = _mm_sha256msg1_epu32(m0, m1);
		next = _mm_add_epi32(next, _mm_alignr_epi8(m3, m2, 4));
		next = _mm_sha256msg2_epu32(next, m3);
		m0 = m1;
		m1 = m2;
		m2 = m3;
		m3 = next;
		SHANI_ROUNDS4(next, g);
	}

	abef = _mm_add_epi32(abef, abef0);
	cdgh = _mm_add_epi32(cdgh, cdgh0);

	/* Back to {A,B,C,D} / {E,F,G,H}. */
	__m128i feba = _mm_shuffle_epi32(abef, 0x1b); /* dwords A,B,E,F */
	__m128i dchg = _mm_shuffle_epi32(cdgh, 0xb1); /* dwords G,H,C,D */
	abcd = _mm_blend_epi16(feba, dchg, 0xf0);     /* A,B,C,D */
	efgh = _mm_alignr_epi8(dchg, feba, 8);        /* E,F,G,H */
	_mm_storeu_si128((__m128i *)&state[0], abcd);
	_mm_storeu_si128((__m128i *)&state[4], efgh);
}

#undef SHANI_ROUNDS4

/* ------------------------------------------------------------ dispatch */

/* 0: not yet probed, 1: plain C, 2: SHA-NI.  Racing first callers all store
 * the same value. */
static int sha256_impl;

static int probe_shani(void)
{
	unsigned a, b, c, d;
	if (__get_cpuid_max(0, 0) < 7) return 0;
	__cpuid(1, a, b, c, d);
	int sse41 = (c >> 19) & 1, ssse3 = (c >> 9) & 1;
	__cpuid_count(7, 0, a, b, c, d);
	int sha = (b >> 29) & 1;
	return sha && sse41 && ssse3;
}

int sha256_block_have_shani(void)
{
	int impl = __atomic_load_n(&sha256_impl, __ATOMIC_RELAXED);
	if (impl == 0) {
		impl = probe_shani() ? 2 : 1;
		__atomic_store_n(&sha256_impl, impl, __ATOMIC_RELAXED);
	}
	return impl == 2;
}

int mbedtls_internal_sha256_process(mbedtls_sha256_context *ctx, const unsigned char data[64])
{
	if (sha256_block_have_shani()) sha256_block_shani(ctx->MBEDTLS_PRIVATE(state), data);
	else sha256_block_c(ctx->MBEDTLS_PRIVATE(state), data);
	return 0;
}

#else /* !__x86_64__: mbedTLS has its own block function; test hooks only. */

int sha256_block_have_shani(void) { return 0; }

void sha256_block_shani(uint32_t state[8], const unsigned char block[64])
{
	sha256_block_c(state, block);
}

#endif
