/* b64: see b64.h. */
#include "b64.h"

#include <stdlib.h>
#include <string.h>

/* Value of c in the alphabet(s) allowed by `url` (0: standard, 1: URL-safe),
 * -1 when c is not in it. */
static int b64_val(unsigned char c, int url)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (!url && c == '+') return 62;
	if (!url && c == '/') return 63;
	if (url && c == '-') return 62;
	if (url && c == '_') return 63;
	return -1;
}

int b64_decode(const char *in, size_t inlen, b64_variant_t v, size_t max, unsigned char **out,
               size_t *outlen, ea_error_t *err)
{
	*out = NULL;
	*outlen = 0;
	if (v != B64_URL && (memchr(in, '\n', inlen) || memchr(in, '\r', inlen))) {
		/* Go's decoders (cosign, sigstore-go, protojson) skip CR and LF, and
		 * real producers wrap lines (`base64 file`): do the same, nothing more. */
		char *flat = xmalloc(inlen + 1);
		size_t n = 0;
		for (size_t i = 0; i < inlen; i++)
			if (in[i] != '\n' && in[i] != '\r') flat[n++] = in[i];
		int rc = b64_decode(flat, n, v, max, out, outlen, err);
		free(flat);
		return rc;
	}
	int url = v == B64_URL;
	if (v == B64_PROTO) {
		/* Either alphabet, never both: a mixed string has no single meaning. */
		int has_std = memchr(in, '+', inlen) || memchr(in, '/', inlen);
		int has_url = memchr(in, '-', inlen) || memchr(in, '_', inlen);
		if (has_std && has_url)
			return ea_fail(err, EA_E_FORMAT,
			               "base64 mixes the standard and URL alphabets");
		url = has_url;
	}
	/* Padding. */
	size_t body = inlen, pad = 0;
	while (body > 0 && in[body - 1] == '=' && pad < 3) {
		body--;
		pad++;
	}
	if (v == B64_URL && pad) return ea_fail(err, EA_E_FORMAT, "base64url with padding");
	if (v == B64_STD && inlen % 4 != 0)
		return ea_fail(err, EA_E_FORMAT, "base64 length %zu is not a multiple of 4", inlen);
	if (pad && inlen % 4 != 0)
		return ea_fail(err, EA_E_FORMAT, "base64 padding at a wrong place");
	if (pad > 2 || body % 4 == 1)
		return ea_fail(err, EA_E_FORMAT, "base64 of an impossible length");
	if (pad && (body + pad) % 4 != 0)
		return ea_fail(err, EA_E_FORMAT, "base64 padding does not complete a quantum");
	size_t n = body / 4 * 3 + (body % 4 == 2 ? 1 : body % 4 == 3 ? 2 : 0);
	if (n > max)
		return ea_fail(err, EA_E_TOOBIG,
		               "base64 decodes to %zu bytes, over the %zu-byte limit", n, max);
	unsigned char *o = xmalloc(n + 1);
	size_t j = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < body; i++) {
		int d = b64_val((unsigned char)in[i], url);
		if (d < 0) {
			free(o);
			return ea_fail(err, EA_E_FORMAT, "invalid base64 character at offset %zu",
			               i);
		}
		acc = (acc << 6) | (uint32_t)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			o[j++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* Leftover bits must be zero (canonical encoding). */
	if (acc != 0) {
		free(o);
		return ea_fail(err, EA_E_FORMAT, "base64 with non-zero trailing bits");
	}
	o[j] = '\0';
	*out = o;
	*outlen = j;
	return 0;
}

char *b64_encode_std(const unsigned char *in, size_t n)
{
	static const char tab[] =
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *o = xmalloc((n + 2) / 3 * 4 + 1), *p = o;
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t x = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		*p++ = tab[x >> 18];
		*p++ = tab[(x >> 12) & 63];
		*p++ = tab[(x >> 6) & 63];
		*p++ = tab[x & 63];
	}
	if (n - i == 1) {
		uint32_t x = (uint32_t)in[i] << 16;
		*p++ = tab[x >> 18];
		*p++ = tab[(x >> 12) & 63];
		*p++ = '=';
		*p++ = '=';
	} else if (n - i == 2) {
		uint32_t x = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		*p++ = tab[x >> 18];
		*p++ = tab[(x >> 12) & 63];
		*p++ = tab[(x >> 6) & 63];
		*p++ = '=';
	}
	*p = '\0';
	return o;
}
