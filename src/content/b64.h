/*
 * b64: strict, bounded base64 decoding (RFC 4648) for signature material.
 *
 * Contract:
 *  - B64_STD: the standard alphabet with '=' padding required (what Go's
 *    base64.StdEncoding writes: cosign annotations, Rekor bodies, x5c).
 *  - B64_URL: the URL-safe alphabet without padding (JWS, RFC 7515 sec. 2).
 *  - B64_PROTO: what protobuf's JSON mapping accepts for `bytes` fields
 *    (sigstore bundles, trusted roots): either alphabet (not mixed), padding
 *    optional but, when present, correct.
 *  - CR and LF are skipped in the standard and protobuf variants (Go's
 *    decoders do, and real producers wrap lines); never in B64_URL.
 *  - Other whitespace, characters outside the alphabet, bad padding and non-zero
 *    trailing bits are EA_E_FORMAT: two spellings of the same bytes are not
 *    accepted, so what was signed is what we decoded.
 *  - The output is at most `max` bytes (EA_E_TOOBIG past it) and is
 *    NUL-terminated (one extra byte), so decoded JSON can be parsed in place.
 */
#ifndef EDGEAUDIT_B64_H
#define EDGEAUDIT_B64_H

#include <stddef.h>

#include "util.h"

typedef enum { B64_STD, B64_URL, B64_PROTO } b64_variant_t;

/* Decode in[0..inlen) into a fresh buffer (*out, caller frees). */
int b64_decode(const char *in, size_t inlen, b64_variant_t v, size_t max, unsigned char **out,
               size_t *outlen, ea_error_t *err);

/* Standard base64 with padding of n bytes (caller frees). */
char *b64_encode_std(const unsigned char *in, size_t n);

#endif
