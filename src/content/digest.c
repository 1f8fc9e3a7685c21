/* digest: see digest.h. */
#include "digest.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

size_t digest_len(digest_alg_t alg) { return alg == DIGEST_SHA512 ? 64 : 32; }

const char *digest_alg_name(digest_alg_t alg) { return alg == DIGEST_SHA512 ? "sha512" : "sha256"; }

const char *digest_hex(const digest_t *d) { return d->str + strlen(digest_alg_name(d->alg)) + 1; }

static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	return -1; /* uppercase is not allowed by the spec */
}

int digest_parse(const char *s, digest_t *out, ea_error_t *err)
{
	if (!s) return ea_fail(err, EA_E_FORMAT, "no digest");
	const char *colon = strchr(s, ':');
	if (!colon || colon == s)
		return ea_fail(err, EA_E_FORMAT, "digest '%.80s' has no algorithm", s);
	size_t alen = (size_t)(colon - s);
	/* algorithm grammar: [a-z0-9]+ ([+._-] [a-z0-9]+)* */
	for (size_t i = 0; i < alen; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '.' ||
		      c == '_' || c == '-'))
			return ea_fail(err, EA_E_FORMAT, "digest '%.80s' has a malformed algorithm",
			               s);
	}
	digest_alg_t alg;
	if (alen == 6 && !memcmp(s, "sha256", 6)) alg = DIGEST_SHA256;
	else if (alen == 6 && !memcmp(s, "sha512", 6)) alg = DIGEST_SHA512;
	else {
		/* encoded grammar: [a-zA-Z0-9=_-]+ */
		const char *e = colon + 1;
		if (!*e) return ea_fail(err, EA_E_FORMAT, "digest '%.80s' has no encoded part", s);
		for (; *e; e++)
			if (!((*e >= 'a' && *e <= 'z') || (*e >= 'A' && *e <= 'Z') ||
			      (*e >= '0' && *e <= '9') || *e == '=' || *e == '_' || *e == '-'))
				return ea_fail(err, EA_E_FORMAT,
				               "digest '%.80s' has a malformed encoded part", s);
		return ea_fail(err, EA_E_UNSUPPORTED, "digest algorithm '%.*s' is not supported",
		               (int)(alen > 32 ? 32 : alen), s);
	}
	size_t n = digest_len(alg);
	const char *hex = colon + 1;
	if (strlen(hex) != 2 * n)
		return ea_fail(err, EA_E_FORMAT, "digest '%.80s' is not %s with %zu hex characters",
		               s, digest_alg_name(alg), 2 * n);
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return ea_fail(err, EA_E_FORMAT, "digest '%.80s' is not lowercase hex", s);
		out->bytes[i] = (unsigned char)(hi << 4 | lo);
	}
	out->alg = alg;
	memcpy(out->str, s, alen + 1 + 2 * n);
	out->str[alen + 1 + 2 * n] = '\0';
	return 0;
}

int digest_equal(const digest_t *a, const digest_t *b)
{
	return a->alg == b->alg && memcmp(a->bytes, b->bytes, digest_len(a->alg)) == 0;
}

void hasher_init(hasher_t *h, digest_alg_t alg)
{
	h->alg = alg;
	h->count = 0;
	if (alg == DIGEST_SHA512) {
		mbedtls_sha512_init(&h->u.sha512);
		mbedtls_sha512_starts(&h->u.sha512, 0);
	} else {
		mbedtls_sha256_init(&h->u.sha256);
		mbedtls_sha256_starts(&h->u.sha256, 0);
	}
}

void hasher_update(hasher_t *h, const void *data, size_t n)
{
	h->count += n;
	if (h->alg == DIGEST_SHA512) mbedtls_sha512_update(&h->u.sha512, data, n);
	else mbedtls_sha256_update(&h->u.sha256, data, n);
}

void hasher_final(hasher_t *h, digest_t *out)
{
	out->alg = h->alg;
	if (h->alg == DIGEST_SHA512) {
		mbedtls_sha512_finish(&h->u.sha512, out->bytes);
		mbedtls_sha512_free(&h->u.sha512);
	} else {
		mbedtls_sha256_finish(&h->u.sha256, out->bytes);
		mbedtls_sha256_free(&h->u.sha256);
	}
	size_t pl = strlen(digest_alg_name(h->alg));
	memcpy(out->str, digest_alg_name(h->alg), pl);
	out->str[pl] = ':';
	ea_hex(out->bytes, digest_len(h->alg), out->str + pl + 1);
}

void digest_buffer(digest_alg_t alg, const void *data, size_t n, digest_t *out)
{
	hasher_t h;
	hasher_init(&h, alg);
	hasher_update(&h, data, n);
	hasher_final(&h, out);
}

int digest_fd_buf(int fd, digest_alg_t alg, void *buf, size_t bufsz, digest_t *out, uint64_t *size,
                  ea_error_t *err)
{
	hasher_t h;
	hasher_init(&h, alg);
	for (;;) {
		if (ea_stop_requested()) { /* an unbounded file: the stop lands within one buffer */
			hasher_final(&h, out);
			return ea_fail(err, EA_E_INTERRUPTED,
			               "stopped (budget or signal) after %llu bytes",
			               (unsigned long long)h.count);
		}
		ssize_t r = read(fd, buf, bufsz);
		if (r < 0) {
			if (errno == EINTR) continue;
			hasher_final(&h, out);
			return ea_fail_errno(err, errno, "read failed");
		}
		if (r == 0) break;
		hasher_update(&h, buf, (size_t)r);
	}
	if (size) *size = h.count;
	hasher_final(&h, out);
	return 0;
}

int digest_fd(int fd, digest_alg_t alg, digest_t *out, uint64_t *size, ea_error_t *err)
{
	enum { BUFSZ = 128 * 1024 };
	cleanup_free unsigned char *buf = xmalloc(BUFSZ);
	return digest_fd_buf(fd, alg, buf, BUFSZ, out, size, err);
}

void digest_chain(const digest_t *prev, const digest_t *diffid, digest_t *out)
{
	hasher_t h;
	hasher_init(&h, DIGEST_SHA256);
	hasher_update(&h, prev->str, strlen(prev->str));
	hasher_update(&h, " ", 1);
	hasher_update(&h, diffid->str, strlen(diffid->str));
	hasher_final(&h, out);
}
