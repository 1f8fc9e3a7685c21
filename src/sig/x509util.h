/*
 * x509util: the certificate and public-key checks the signature verifiers
 * share, over mbedTLS (no PSA, no file system).
 *
 * Contract:
 *  - Times are Unix milliseconds (int64).  Validity windows are closed:
 *    notBefore <= t <= notAfter.
 *  - x509_verify_chain_at() builds the chain from the leaf through the given
 *    intermediates to one of `roots` with mbedTLS (signatures, CA bits,
 *    keyCertSign, path lengths, the default profile: SHA-2 and >= 2048-bit
 *    RSA), but judges validity periods at the time `at` instead of now:
 *    that is how a short-lived Fulcio leaf or an expired notation leaf is
 *    judged at signing time.  The refusal is one of the signature.* ids.
 *  - sigverify_*: a signature check returns 0 only when the library said the
 *    signature is valid; any other outcome is a negative value with *err
 *    filled (EA_E_MISMATCH: a well-formed signature that does not verify;
 *    EA_E_FORMAT: malformed; EA_E_UNSUPPORTED: key or algorithm we do not do).
 */
#ifndef EDGEAUDIT_X509UTIL_H
#define EDGEAUDIT_X509UTIL_H

#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>
#include <stdint.h>

#include "util.h"

/* ---- time ---- */
int64_t x509_time_ms(const mbedtls_x509_time *t);
/* RFC 3339 "YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm)" to Unix ms. */
int rfc3339_parse_ms(const char *s, int64_t *out, ea_error_t *err);
/* Unix ms to "YYYY-MM-DDTHH:MM:SSZ". */
void rfc3339_format(int64_t ms, char *buf, size_t n);

/* ---- certificates ---- */
/* Parse every certificate of a PEM bundle (or one DER certificate) and
 * append to chain; a block that does not parse fails the whole call. */
int x509_parse_any(mbedtls_x509_crt *chain, const unsigned char *data, size_t len, int *count,
                   ea_error_t *err);
int x509_parse_der(mbedtls_x509_crt *chain, const unsigned char *der, size_t len, ea_error_t *err);
int x509_is_self_signed(const mbedtls_x509_crt *c);
int x509_count(const mbedtls_x509_crt *c);

struct x509_verdict {
	const char *refusal; /* NULL when the chain is good at `at` */
	char msg[200];
	const mbedtls_x509_crt *anchor; /* the trusted root the chain ends in */
};
/* leaf->next... are the untrusted intermediates.  Returns 0 (good) or -1
 * with v->refusal set; never 0 without a verified chain.  at_ms < 0: the
 * validity periods are not judged (the caller judges them itself). */
int x509_verify_chain_at(mbedtls_x509_crt *leaf, mbedtls_x509_crt *roots, int64_t at_ms,
                         struct x509_verdict *v);
/* Validity of one certificate at t: 0 ok, else the refusal id. */
const char *x509_validity_at(const mbedtls_x509_crt *c, int64_t at_ms);

/* The first URI SAN, else the first email SAN (Fulcio writes exactly one). */
int x509_san_identity(const mbedtls_x509_crt *c, char *out, size_t n);
/* Find a v3 extension by its DER OID (without tag/length). Returns 1 found, 0 not. */
int x509_find_ext(const mbedtls_x509_crt *c, const char *oid, size_t oidlen,
                  const unsigned char **val, size_t *vlen, int *critical);
/* Fulcio's OIDC issuer (1.3.6.1.4.1.57264.1.8, else the deprecated .1.1). */
int x509_fulcio_issuer(const mbedtls_x509_crt *c, char *out, size_t n);
/* Subject DN as "C=US, ST=WA, O=..., CN=..." (mbedTLS's rendering). */
void x509_subject_str(const mbedtls_x509_crt *c, char *out, size_t n);
/* SHA-256 of the certificate DER, lowercase hex. */
void x509_sha256_hex(const mbedtls_x509_crt *c, char out[65]);
/* A copy of the TBSCertificate without the extension `oid` (for SCTs: RFC
 * 6962 sec. 3.2 signs the precertificate's TBS without the SCT list). */
int x509_tbs_without_ext(const mbedtls_x509_crt *c, const char *oid, size_t oidlen,
                         unsigned char **out, size_t *outlen, ea_error_t *err);

/* ---- public keys and signatures ---- */
/* The DER SubjectPublicKeyInfo of a PEM "PUBLIC KEY" block, or a copy of
 * data when it is not PEM (*der malloc'd, the caller frees). */
int spki_der_of(const unsigned char *data, size_t len, unsigned char **der, size_t *dl,
                ea_error_t *err);
/* Parse a PEM or DER SubjectPublicKeyInfo into an mbedTLS key.  Ed25519/Ed448
 * keys are EA_E_UNSUPPORTED here (mbedTLS 3.6 has no EdDSA): pubkey.h loads
 * every key type we verify with, Ed25519 included. */
int pk_parse_public(mbedtls_pk_context *pk, const unsigned char *data, size_t len, ea_error_t *err);
/* DER SubjectPublicKeyInfo of pk into buf (returns length, or -1). */
int pk_spki_der(const mbedtls_pk_context *pk, unsigned char *buf, size_t n,
                const unsigned char **der);
/* Make pk safe to verify with from several threads at once: mbedTLS (built
 * without MBEDTLS_THREADING_C) caches R^2 mod N inside an RSA context on its
 * first public operation; do that once, now.  EC keys need nothing (the
 * NIST curves' comb tables are static). */
void pk_prepare_shared(mbedtls_pk_context *pk);
/* Is this SPKI DER an EdDSA key? */
int spki_is_eddsa(const unsigned char *der, size_t len);
/* The hash the curve is normally paired with (P-256: SHA-256, ...). */
mbedtls_md_type_t pk_default_md(const mbedtls_pk_context *pk);

typedef enum { SIG_DER, SIG_RAW_RS } sig_encoding_t;
/* Verify sig over a precomputed hash: ECDSA (DER or raw r||s), RSA PKCS#1
 * v1.5, or RSA-PSS when pss (salt length = hash length, MGF1 same hash). */
int sigverify_hash(mbedtls_pk_context *pk, mbedtls_md_type_t md, const unsigned char *hash,
                   size_t hlen, const unsigned char *sig, size_t siglen, sig_encoding_t enc,
                   int pss, ea_error_t *err);
/* Same over a message (hashed with md here). */
int sigverify_msg(mbedtls_pk_context *pk, mbedtls_md_type_t md, const void *msg, size_t len,
                  const unsigned char *sig, size_t siglen, sig_encoding_t enc, int pss,
                  ea_error_t *err);

#endif
