/*
 * pubkey: one public-key type for every algorithm the signature verifiers
 * accept from a user or a trusted root (cosign keys, policy keys, Rekor log
 * keys): ECDSA and RSA through mbedTLS, Ed25519 through ed25519.h.
 *
 * Contract:
 *  - pubkey_parse() reads a PEM "PUBLIC KEY" block or a DER
 *    SubjectPublicKeyInfo; the key knows its algorithm (k->alg).  Ed448 and
 *    anything else is EA_E_UNSUPPORTED, malformed input EA_E_FORMAT.  A key
 *    must be pubkey_init()ed before and pubkey_free()d after (also after a
 *    failed parse).
 *  - pubkey_verify_msg() verifies sig over the message: ECDSA (DER) and RSA
 *    PKCS#1 v1.5 hash it with md first; Ed25519 signs the message itself
 *    (md is ignored, no prehash, as cosign and the C2SP signed notes do).
 *    0 only when the signature verified, else -1 with *err filled.
 *  - pubkey_spki_der() gives the DER SubjectPublicKeyInfo (into buf).
 * After parsing a key is read-only: safe to verify with from several threads.
 */
#ifndef EDGEAUDIT_PUBKEY_H
#define EDGEAUDIT_PUBKEY_H

#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <stdint.h>

#include "util.h"

typedef enum { PUBKEY_NONE = 0, PUBKEY_ECDSA, PUBKEY_RSA, PUBKEY_ED25519 } pubkey_alg_t;
const char *pubkey_alg_to_string(pubkey_alg_t a);

struct pubkey {
	pubkey_alg_t alg;
	mbedtls_pk_context pk; /* ECDSA, RSA */
	uint8_t ed25519[32];   /* Ed25519 */
};

void pubkey_init(struct pubkey *k);
void pubkey_free(struct pubkey *k);
int pubkey_parse(struct pubkey *k, const unsigned char *data, size_t len, ea_error_t *err);
int pubkey_spki_der(const struct pubkey *k, unsigned char *buf, size_t n,
                    const unsigned char **der);
int pubkey_verify_msg(const struct pubkey *k, mbedtls_md_type_t md, const void *msg, size_t len,
                      const unsigned char *sig, size_t siglen, ea_error_t *err);

#endif
