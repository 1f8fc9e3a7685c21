/*
 * ed25519: Ed25519 signature verification (RFC 8032, "pure" Ed25519: the
 * message itself is signed, no prehash), over the libsodium subset pinned in
 * third_party/lock (crypto_sign_ed25519_verify_detached; built by
 * third_party/deps-recipe.sh).  mbedTLS 3.6 has no EdDSA.
 *
 * Contract:
 *  - ed25519_verify() returns 0 only when sig is a valid signature of the n
 *    bytes at msg by pk; -1 otherwise.  libsodium refuses non-canonical
 *    encodings of S, small-order and non-canonical public keys and R.
 *  - ed25519_spki_raw() takes a DER SubjectPublicKeyInfo and gives the raw
 *    32-byte key when it is exactly an Ed25519 key (OID 1.3.101.112, no
 *    parameters, RFC 8410 sec. 4); -1 for anything else.
 *  - ed25519_spki_der() writes the 44-byte DER SubjectPublicKeyInfo of pk.
 *  - ed25519_stream_*: the same verification over a message that streams by
 *    (a file of any size, bounded memory): init with the key and signature,
 *    update with the message in pieces of any size, final answers as
 *    ed25519_verify() would over the whole message (0 valid, -1 not).  Pure
 *    Ed25519 hashes SHA-512(R || A || M) once, so one pass suffices.
 * No allocation, no global state: safe from several threads.
 */
#ifndef EDGEAUDIT_ED25519_H
#define EDGEAUDIT_ED25519_H

#include <sodium/crypto_hash_sha512.h>
#include <stddef.h>
#include <stdint.h>

#define ED25519_SPKI_LEN 44

int ed25519_verify(const uint8_t pk[32], const uint8_t *msg, size_t n, const uint8_t sig[64]);
int ed25519_spki_raw(const uint8_t *der, size_t len, uint8_t pk[32]);
void ed25519_spki_der(const uint8_t pk[32], uint8_t out[ED25519_SPKI_LEN]);

struct ed25519_stream {
	crypto_hash_sha512_state hs;
	uint8_t pk[32], sig[64];
};
void ed25519_stream_init(struct ed25519_stream *s, const uint8_t pk[32], const uint8_t sig[64]);
void ed25519_stream_update(struct ed25519_stream *s, const void *p, size_t n);
int ed25519_stream_final(struct ed25519_stream *s);

#endif
