/*
 * edgeaudit's glue for the libsodium subset (see sodium_config.h).
 *
 * libsodium's sodium/utils.c gives the constant-time helpers Ed25519
 * verification uses (sodium_memcmp, sodium_is_zero, sodium_memzero); the same
 * file also holds sodium_malloc and sodium_pad, which refer to the random
 * number generator and to sodium_misuse, neither of which we build.  Those
 * functions are never called by verification; a link without
 * --gc-sections (the fuzz build) still needs the two names.  Both stop the
 * process: reaching them would be a bug, never a silent weak key.
 * Below them, the end of verification for a message hashed as it streams.
 */
#include <stddef.h>
#include <stdlib.h>

void randombytes_buf(void *const buf, const size_t size);
void sodium_misuse(void);

void randombytes_buf(void *const buf, const size_t size)
{
	(void)buf;
	(void)size;
	abort();
}

void sodium_misuse(void) { abort(); }

/*
 * Streaming pure Ed25519 verification (edgeaudit's src/sig/ed25519.c): the
 * caller hashes R || A || M with crypto_hash_sha512_* as the message streams
 * by (a file of any size in bounded memory), then this does what
 * libsodium's _crypto_sign_ed25519_verify_detached (crypto_sign/ed25519/
 * ref10/open.c, the non-ED25519_COMPAT branch) does with that hash: the same
 * refusals of non-canonical S, small-order R and A, a non-canonical A, then
 * R' = [S]B - [h]A and a constant-time compare with R.  0: valid.
 */
#include "crypto_verify_32.h"
#include "private/ed25519_ref10.h"

int edgeaudit_ed25519_check(unsigned char h[64], const unsigned char pk[32],
                            const unsigned char sig[64]);

int edgeaudit_ed25519_check(unsigned char h[64], const unsigned char pk[32],
                            const unsigned char sig[64])
{
	ge25519_p3 A;
	ge25519_p2 R;
	unsigned char rcheck[32];

	if (sc25519_is_canonical(sig + 32) == 0 || ge25519_has_small_order(sig) != 0) return -1;
	if (ge25519_is_canonical(pk) == 0 || ge25519_has_small_order(pk) != 0) return -1;
	if (ge25519_frombytes_negate_vartime(&A, pk) != 0) return -1;
	sc25519_reduce(h);
	ge25519_double_scalarmult_vartime(&R, h, &A, sig + 32);
	ge25519_tobytes(rcheck, &R);
	return crypto_verify_32(rcheck, sig) == 0 ? 0 : -1;
}
