/*
 * sha256_block: the SHA-256 compression function (one 64-byte block).
 *
 * On x86_64 mbedTLS is built with MBEDTLS_SHA256_PROCESS_ALT and this module
 * provides mbedtls_internal_sha256_process(): the SHA-NI implementation when
 * the CPU reports SHA, SSE4.1 and SSSE3 (CPUID, checked once per process),
 * the plain C one otherwise.  The build stays baseline x86-64; only the
 * SHA-NI function itself is compiled for those extensions.  There is no
 * environment or configuration override.  On other architectures mbedTLS
 * keeps its own block function and only the test hooks below exist.
 *
 * Contract (all three are test hooks; production code hashes through
 * digest.h):
 *  - state is the eight working words H0..H7 in host order, block is 64
 *    message bytes (any alignment); both update state exactly as FIPS 180-4
 *    section 6.2.2 does for one block.  No padding, no length handling.
 *  - sha256_block_have_shani() is 1 when mbedtls_internal_sha256_process()
 *    uses SHA-NI, else 0 (always 0 off x86_64).
 *  - sha256_block_shani() may only be called when sha256_block_have_shani()
 *    is 1 (it would fault on a CPU without the extensions); off x86_64 it is
 *    the C function.
 */
#ifndef EDGEAUDIT_SHA256_BLOCK_H
#define EDGEAUDIT_SHA256_BLOCK_H

#include <stdint.h>

int sha256_block_have_shani(void);
void sha256_block_c(uint32_t state[8], const unsigned char block[64]);
void sha256_block_shani(uint32_t state[8], const unsigned char block[64]);

#endif
