/*
 * digest: OCI content digests and streaming hashers (BearSSL-style
 * init/update/final; no allocation).
 *
 * Contract: digest_parse accepts exactly the forms the OCI image spec
 * requires for the registered algorithms it can check: "sha256:" + 64 and
 * "sha512:" + 128 lowercase hex characters.  Anything else is EA_E_FORMAT
 * (a malformed digest, e.g. "../" tricks) or EA_E_UNSUPPORTED (a well-formed
 * digest of an algorithm we cannot compute, e.g. blake3): never "ok".
 */
#ifndef EDGEAUDIT_DIGEST_H
#define EDGEAUDIT_DIGEST_H

#include <mbedtls/sha256.h>
#include <mbedtls/sha512.h>
#include <stdint.h>

#include "util.h"

typedef enum { DIGEST_SHA256 = 0, DIGEST_SHA512 = 1 } digest_alg_t;

#define DIGEST_MAX_BYTES 64
#define DIGEST_MAX_STR   (7 + 128 + 1)

typedef struct {
	digest_alg_t alg;
	unsigned char bytes[DIGEST_MAX_BYTES];
	char str[DIGEST_MAX_STR]; /* "sha256:<hex>" */
} digest_t;

int digest_parse(const char *s, digest_t *out, ea_error_t *err);
size_t digest_len(digest_alg_t alg);
const char *digest_alg_name(digest_alg_t alg);
/* The encoded (hex) part of the digest string. */
const char *digest_hex(const digest_t *d);
int digest_equal(const digest_t *a, const digest_t *b);

typedef struct {
	digest_alg_t alg;
	uint64_t count;
	union {
		mbedtls_sha256_context sha256;
		mbedtls_sha512_context sha512;
	} u;
} hasher_t;

void hasher_init(hasher_t *h, digest_alg_t alg);
void hasher_update(hasher_t *h, const void *data, size_t n);
void hasher_final(hasher_t *h, digest_t *out);

/* One-shot digest of a buffer. */
void digest_buffer(digest_alg_t alg, const void *data, size_t n, digest_t *out);

/* Digest of fd's content from its current offset to EOF, streaming with a
 * fixed buffer; *size receives the byte count. */
int digest_fd(int fd, digest_alg_t alg, digest_t *out, uint64_t *size, ea_error_t *err);
/* The same with the caller's buffer (a walk hashing many small files
 * allocates it once). */
int digest_fd_buf(int fd, digest_alg_t alg, void *buf, size_t bufsz, digest_t *out, uint64_t *size,
                  ea_error_t *err);

/* ChainID(prev, diffid) = sha256(prev.str + " " + diffid.str). */
void digest_chain(const digest_t *prev, const digest_t *diffid, digest_t *out);

#endif
