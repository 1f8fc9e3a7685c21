/* test_sha256: SHA-256 (public API and the block functions of
 * sha256_block.c) and SHA-512 against NIST vectors and each other. */
#include <stdint.h>
#include <stdlib.h>

#include "digest.h"
#include "sha256_block.h"
#include "unit.h"
#include "util.h"

typedef void (*block_fn)(uint32_t state[8], const unsigned char block[64]);

/* Full SHA-256 (FIPS 180-4 5.1.1 padding, 5.3.3 initial value) over one
 * block function; out is "sha256:<hex>" like digest_t.str. */
static void sha256_with(block_fn fn, const unsigned char *p, size_t n, char out[DIGEST_MAX_STR])
{
	uint32_t st[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	                  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	uint64_t bits = (uint64_t)n * 8;
	for (; n >= 64; p += 64, n -= 64) fn(st, p);
	unsigned char tail[128] = {0};
	memcpy(tail, p, n);
	tail[n] = 0x80;
	size_t tl = n + 1 + 8 <= 64 ? 64 : 128;
	for (int i = 0; i < 8; i++) tail[tl - 1 - i] = (unsigned char)(bits >> (8 * i));
	for (size_t o = 0; o < tl; o += 64) fn(st, tail + o);
	unsigned char md[32];
	for (int i = 0; i < 8; i++) {
		md[4 * i] = (unsigned char)(st[i] >> 24);
		md[4 * i + 1] = (unsigned char)(st[i] >> 16);
		md[4 * i + 2] = (unsigned char)(st[i] >> 8);
		md[4 * i + 3] = (unsigned char)st[i];
	}
	memcpy(out, "sha256:", 7);
	ea_hex(md, 32, out + 7);
}

static const char abc256[] =
        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
static const char empty256[] =
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
static const char msg448[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
static const char msg448_256[] =
        "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";

UNIT_TEST(sha256_nist_vectors)
{
	digest_t d;
	digest_buffer(DIGEST_SHA256, "abc", 3, &d);
	CHECK_EQ_STR(d.str, abc256);
	digest_buffer(DIGEST_SHA256, "", 0, &d);
	CHECK_EQ_STR(d.str, empty256);
	digest_buffer(DIGEST_SHA256, msg448, strlen(msg448), &d);
	CHECK_EQ_STR(d.str, msg448_256);
}

UNIT_TEST(sha256_nist_million_a)
{
	enum { TOTAL = 1000000 };
	static unsigned char a[8192];
	memset(a, 'a', sizeof a);
	/* Uneven chunks straddling the 64-byte block boundary every which way. */
	static const size_t chunks[] = {1,  63, 64, 65,   127, 3,    4096,
	                                55, 56, 57, 8192, 7,   1000, 129};
	hasher_t h;
	hasher_init(&h, DIGEST_SHA256);
	size_t done = 0;
	for (size_t i = 0; done < TOTAL; i++) {
		size_t c = chunks[i % (sizeof chunks / sizeof chunks[0])];
		if (c > TOTAL - done) c = TOTAL - done;
		hasher_update(&h, a, c);
		done += c;
	}
	CHECK_EQ_INT(h.count, TOTAL);
	digest_t d;
	hasher_final(&h, &d);
	CHECK_EQ_STR(d.str,
	             "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* The portable block function alone, whichever one mbedTLS uses. */
UNIT_TEST(sha256_block_c_nist_vectors)
{
	char s[DIGEST_MAX_STR];
	sha256_with(sha256_block_c, (const unsigned char *)"abc", 3, s);
	CHECK_EQ_STR(s, abc256);
	sha256_with(sha256_block_c, (const unsigned char *)"", 0, s);
	CHECK_EQ_STR(s, empty256);
	sha256_with(sha256_block_c, (const unsigned char *)msg448, strlen(msg448), s);
	CHECK_EQ_STR(s, msg448_256);
}

/* ------------------------------------------------------------ randomized */

enum { RAND_CASES = 3000, MAX_LEN = 9000, SWEEP = 131 };

static uint64_t xorshift64(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static unsigned char *random_buffer(size_t n, uint64_t seed)
{
	unsigned char *b = malloc(n);
	if (!b) return NULL;
	for (size_t i = 0; i < n; i++) b[i] = (unsigned char)(xorshift64(&seed) >> 32);
	return b;
}

/* Case i: every length 0..SWEEP-1 first (all padding edge cases), then
 * RAND_CASES pseudo-random lengths 0..MAX_LEN at pseudo-random offsets 0..15
 * (so block pointers are unaligned too). */
static void case_at(uint64_t *rng, int i, size_t *off, size_t *len)
{
	uint64_t r = xorshift64(rng);
	*off = (size_t)(r & 15);
	*len = i < SWEEP ? (size_t)i : (size_t)((r >> 16) % (MAX_LEN + 1));
}

UNIT_TEST(sha256_block_c_matches_mbedtls)
{
	unsigned char *buf = random_buffer(MAX_LEN + 16, 0x5eed5eed12345678ULL);
	CHECK(buf);
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	char c[DIGEST_MAX_STR];
	digest_t d;
	int i;
	size_t off = 0, len = 0;
	for (i = 0; i < SWEEP + RAND_CASES; i++) {
		case_at(&rng, i, &off, &len);
		sha256_with(sha256_block_c, buf + off, len, c);
		digest_buffer(DIGEST_SHA256, buf + off, len, &d);
		if (strcmp(c, d.str) != 0) break;
	}
	free(buf);
	if (i < SWEEP + RAND_CASES)
		fprintf(stderr, "#   case %d: length %zu at offset %zu\n", i, len, off);
	CHECK_EQ_STR(c, d.str);
}

UNIT_TEST(sha256_block_shani_matches_c)
{
	if (!sha256_block_have_shani())
		UNIT_SKIP("no SHA-NI here (CPU without SHA/SSE4.1/SSSE3, or not x86_64)");
	unsigned char *buf = random_buffer(MAX_LEN + 16, 0x0123456789abcdefULL);
	CHECK(buf);
	uint64_t rng = 0x2545f4914f6cdd1dULL;
	char c[DIGEST_MAX_STR], s[DIGEST_MAX_STR];
	digest_t d;
	int i;
	size_t off = 0, len = 0;
	for (i = 0; i < SWEEP + RAND_CASES; i++) {
		case_at(&rng, i, &off, &len);
		sha256_with(sha256_block_c, buf + off, len, c);
		sha256_with(sha256_block_shani, buf + off, len, s);
		digest_buffer(DIGEST_SHA256, buf + off, len, &d);
		if (strcmp(s, c) != 0 || strcmp(s, d.str) != 0) break;
	}
	free(buf);
	if (i < SWEEP + RAND_CASES)
		fprintf(stderr, "#   case %d: length %zu at offset %zu\n", i, len, off);
	CHECK_EQ_STR(s, c);
	CHECK_EQ_STR(s, d.str);
}

UNIT_TEST(sha512_nist_abc)
{
	digest_t d;
	digest_buffer(DIGEST_SHA512, "abc", 3, &d);
	CHECK_EQ_STR(d.str,
	             "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	             "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}
