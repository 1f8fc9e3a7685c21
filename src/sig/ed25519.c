/* ed25519: Ed25519 verification through libsodium's ref10 code (see
 * ed25519.h); the SubjectPublicKeyInfo form of RFC 8410. */
#include "ed25519.h"

#include <sodium/crypto_sign_ed25519.h>
#include <string.h>

/* SEQUENCE { SEQUENCE { OID 1.3.101.112 } BIT STRING (0 unused bits) 32 bytes } */
static const uint8_t spki_prefix[12] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                        0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

int ed25519_verify(const uint8_t pk[32], const uint8_t *msg, size_t n, const uint8_t sig[64])
{
	if (!pk || !sig || (!msg && n)) return -1;
	static const uint8_t empty[1];
	return crypto_sign_ed25519_verify_detached(sig, msg ? msg : empty, n, pk) == 0 ? 0 : -1;
}

int ed25519_spki_raw(const uint8_t *der, size_t len, uint8_t pk[32])
{
	if (!der || len != ED25519_SPKI_LEN || memcmp(der, spki_prefix, sizeof spki_prefix) != 0)
		return -1;
	memcpy(pk, der + sizeof spki_prefix, 32);
	return 0;
}

/* third_party/sodium_glue.c: libsodium's verification tail over h = SHA-512(R || A || M). */
int edgeaudit_ed25519_check(unsigned char h[64], const unsigned char pk[32],
                            const unsigned char sig[64]);

void ed25519_stream_init(struct ed25519_stream *s, const uint8_t pk[32], const uint8_t sig[64])
{
	memcpy(s->pk, pk, 32);
	memcpy(s->sig, sig, 64);
	crypto_hash_sha512_init(&s->hs);
	crypto_hash_sha512_update(&s->hs, sig, 32); /* R */
	crypto_hash_sha512_update(&s->hs, pk, 32);  /* A */
}

void ed25519_stream_update(struct ed25519_stream *s, const void *p, size_t n)
{
	if (n) crypto_hash_sha512_update(&s->hs, p, n);
}

int ed25519_stream_final(struct ed25519_stream *s)
{
	unsigned char h[64];
	crypto_hash_sha512_final(&s->hs, h);
	return edgeaudit_ed25519_check(h, s->pk, s->sig) == 0 ? 0 : -1;
}

void ed25519_spki_der(const uint8_t pk[32], uint8_t out[ED25519_SPKI_LEN])
{
	memcpy(out, spki_prefix, sizeof spki_prefix);
	memcpy(out + sizeof spki_prefix, pk, 32);
}
