/*
 * report_sign: detached signatures of reports, so that a report carried off
 * the box by a technician can be trusted.
 *
 * Format (the same as `cosign sign-blob --output-signature` and
 * `openssl dgst -sha256 -sign KEY | base64 -w0`): REPORT.sig holds the
 * base64 of the DER-encoded ECDSA signature (SEQUENCE{r, s}) over the
 * SHA-256 of the exact bytes of the report file, and one newline.  The key
 * is the device's EC P-256 private key (PEM, SEC1 "EC PRIVATE KEY" or
 * PKCS#8 "PRIVATE KEY", unencrypted).  Signing is deterministic (RFC 6979):
 * it needs no entropy at boot; the blinding randomness comes from
 * getrandom(GRND_NONBLOCK), or /dev/urandom, so it never waits either.
 *
 * The same signature, made by the same functions, signs the host baseline
 * (src/host/baseline.h): BASELINE.sig beside it.
 *
 * Verification accepts the base64 form (whitespace ignored) or raw DER,
 * with an EC public key in PEM (SubjectPublicKeyInfo, "PUBLIC KEY").
 */
#ifndef EDGEAUDIT_REPORT_SIGN_H
#define EDGEAUDIT_REPORT_SIGN_H

#include <stddef.h>

#include "util.h"

#define REPORT_SIG_SUFFIX ".sig"
#define REPORT_KEY_MAX    (16u << 10)
#define REPORT_SIG_MAX    (4u << 10)

/* Sign data with the private key in key_pem (NUL-terminated PEM text).
 * *sig_b64: the signature file's content ("BASE64\n"), caller frees.
 * Errors: EA_E_FORMAT (not a key), EA_E_UNSUPPORTED (not EC P-256). */
int report_sign(const char *key_pem, const void *data, size_t len, char **sig_b64, ea_error_t *err);

/* The same over a SHA-256 computed by the caller (a file signed as it is
 * streamed out, never held whole in memory: the host baseline). */
int report_sign_digest(const char *key_pem, const unsigned char hash[32], char **sig_b64,
                       ea_error_t *err);

/* Verify sig (the signature file's bytes) over data with the public key in
 * pub_pem.  Returns 0 when good; -1 with EA_E_MISMATCH (the signature does
 * not match: a changed report or another key), EA_E_FORMAT (the signature
 * file is no signature) or EA_E_USAGE (the key is no EC public key).
 * fpr (optional, 72 bytes): "sha256:<hex>" of the key's DER encoding. */
int report_verify(const char *pub_pem, const void *data, size_t len, const void *sig,
                  size_t sig_len, char fpr[72], ea_error_t *err);

/* The same over a SHA-256 computed by the caller (a file read as a stream). */
int report_verify_digest(const char *pub_pem, const unsigned char hash[32], const void *sig,
                         size_t sig_len, char fpr[72], ea_error_t *err);

/* Check that pub_pem is an EC public key (EA_E_USAGE if not) and give its
 * fingerprint, before a long run that needs it at the end. */
int report_key_fingerprint(const char *pub_pem, char fpr[72], ea_error_t *err);

/* Sign the report file just written: reads the key file, writes
 * report_path + ".sig" atomically. */
int report_sign_file(const char *report_path, const void *data, size_t len, const char *key_path,
                     ea_error_t *err);
/* The same for a file whose SHA-256 the caller computed while writing it. */
int report_sign_file_digest(const char *path, const unsigned char hash[32], const char *key_path,
                            ea_error_t *err);
/* Check the private key file before a long run: readable, an unencrypted
 * EC P-256 key (the errors report_sign_file would give at the end). */
int report_sign_key_check(const char *key_path, ea_error_t *err);

#endif
