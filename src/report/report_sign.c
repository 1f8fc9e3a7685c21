/* report_sign: see report_sign.h. */
#include "report_sign.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

/* The headers must see the configuration the library was built with
 * (struct layouts, enabled paths), not mbedTLS's default one. */
#ifndef MBEDTLS_CONFIG_FILE
#define MBEDTLS_CONFIG_FILE "edgeaudit_mbedtls_config.h"
#endif
#include <mbedtls/base64.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>

#include "fsx.h"

/* Blinding randomness for ECDSA (the nonce itself is RFC 6979's).  It must
 * never block: early at boot the kernel's pool may not be ready, and
 * getrandom() would wait for it.  /dev/urandom never waits, and blinding
 * needs unpredictability only against side channels, not for correctness. */
static int rng(void *ctx, unsigned char *out, size_t n)
{
	(void)ctx;
	while (n) {
		ssize_t g = getrandom(out, n, GRND_NONBLOCK);
		if (g > 0) {
			out += g;
			n -= (size_t)g;
			continue;
		}
		if (g < 0 && errno == EINTR) continue;
		break; /* EAGAIN (pool not ready) or ENOSYS (old kernel) */
	}
	if (!n) return 0;
	cleanup_close int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) return MBEDTLS_ERR_ECP_RANDOM_FAILED;
	return fsx_read_full(fd, out, n, NULL) == (ssize_t)n ? 0 : MBEDTLS_ERR_ECP_RANDOM_FAILED;
}

static void pk_freep(mbedtls_pk_context *pk) { mbedtls_pk_free(pk); }
#define cleanup_pk __attribute__((cleanup(pk_freep)))

static int is_p256(const mbedtls_pk_context *pk)
{
	return mbedtls_pk_get_type(pk) == MBEDTLS_PK_ECKEY &&
	       mbedtls_ecp_keypair_get_group_id(mbedtls_pk_ec(*pk)) == MBEDTLS_ECP_DP_SECP256R1;
}

int report_sign_digest(const char *key_pem, const unsigned char hash[32], char **sig_b64,
                       ea_error_t *err)
{
	cleanup_pk mbedtls_pk_context pk;
	mbedtls_pk_init(&pk);
	int rc = mbedtls_pk_parse_key(&pk, (const unsigned char *)key_pem, strlen(key_pem) + 1,
	                              NULL, 0, rng, NULL);
	if (rc == MBEDTLS_ERR_PK_PASSWORD_REQUIRED || rc == MBEDTLS_ERR_PK_FEATURE_UNAVAILABLE)
		return ea_fail(err, EA_E_UNSUPPORTED,
		               "the signing key is encrypted or of a kind not supported (-0x%04x); "
		               "use an unencrypted EC P-256 key",
		               (unsigned)-rc);
	if (rc != 0)
		return ea_fail(err, EA_E_FORMAT, "not a PEM private key (mbedTLS -0x%04x)",
		               (unsigned)-rc);
	if (!is_p256(&pk))
		return ea_fail(err, EA_E_UNSUPPORTED, "the signing key is not an EC P-256 key");
	unsigned char sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
	size_t sig_len = 0;
	rc = mbedtls_pk_sign(&pk, MBEDTLS_MD_SHA256, hash, 32, sig, sizeof sig, &sig_len, rng,
	                     NULL);
	if (rc != 0)
		return ea_fail(err, EA_E_IO, "signing failed (mbedTLS -0x%04x)", (unsigned)-rc);
	size_t olen = 0;
	mbedtls_base64_encode(NULL, 0, &olen, sig, sig_len); /* asks the size */
	char *out = xmalloc(olen + 2);
	if (mbedtls_base64_encode((unsigned char *)out, olen + 1, &olen, sig, sig_len) != 0) {
		free(out);
		return ea_fail(err, EA_E_IO, "base64 encoding failed");
	}
	out[olen++] = '\n';
	out[olen] = '\0';
	*sig_b64 = out;
	return 0;
}

int report_sign(const char *key_pem, const void *data, size_t len, char **sig_b64, ea_error_t *err)
{
	unsigned char hash[32];
	if (mbedtls_sha256(data, len, hash, 0) != 0) return ea_fail(err, EA_E_IO, "SHA-256 failed");
	return report_sign_digest(key_pem, hash, sig_b64, err);
}

/* The signature file's bytes -> DER: base64 (whitespace ignored) or, as
 * `openssl dgst -sign` writes it, raw DER. */
static int sig_decode(const unsigned char *sig, size_t n, unsigned char *der, size_t max,
                      size_t *der_len)
{
	/* Base64 of a DER SEQUENCE starts with 'M'; raw DER starts with 0x30
	 * and its length says where it ends (short or 0x81 long form). */
	if (n >= 2 && sig[0] == 0x30) {
		size_t body = sig[1] < 0x80              ? sig[1]
		              : sig[1] == 0x81 && n >= 3 ? sig[2]
		                                         : (size_t)-1;
		size_t hdr = sig[1] < 0x80 ? 2 : 3;
		if (body != (size_t)-1 && body + hdr == n && n <= max) {
			memcpy(der, sig, n);
			*der_len = n;
			return 0;
		}
		return -1;
	}
	unsigned char clean[REPORT_SIG_MAX];
	size_t c = 0;
	for (size_t i = 0; i < n; i++) {
		if (sig[i] == ' ' || sig[i] == '\n' || sig[i] == '\r' || sig[i] == '\t') continue;
		if (c >= sizeof clean) return -1;
		clean[c++] = sig[i];
	}
	if (c == 0) return -1;
	return mbedtls_base64_decode(der, max, der_len, clean, c) == 0 && *der_len > 0 ? 0 : -1;
}

/* The EC public key in pub_pem into pk; fpr (optional): its fingerprint. */
static int load_public(mbedtls_pk_context *pk, const char *pub_pem, char fpr[72], ea_error_t *err)
{
	int rc = mbedtls_pk_parse_public_key(pk, (const unsigned char *)pub_pem,
	                                     strlen(pub_pem) + 1);
	if (rc != 0)
		return ea_fail(err, EA_E_USAGE, "not a PEM public key (mbedTLS -0x%04x)",
		               (unsigned)-rc);
	if (mbedtls_pk_get_type(pk) != MBEDTLS_PK_ECKEY)
		return ea_fail(err, EA_E_USAGE, "the key is not an EC public key");
	if (fpr) {
		unsigned char der[256], h[32];
		int n = mbedtls_pk_write_pubkey_der(pk, der, sizeof der);
		if (n <= 0 || mbedtls_sha256(der + sizeof der - (size_t)n, (size_t)n, h, 0) != 0) {
			snprintf(fpr, 72, "unknown");
		} else {
			memcpy(fpr, "sha256:", 7);
			ea_hex(h, sizeof h, fpr + 7);
		}
	}
	return 0;
}

int report_key_fingerprint(const char *pub_pem, char fpr[72], ea_error_t *err)
{
	cleanup_pk mbedtls_pk_context pk;
	mbedtls_pk_init(&pk);
	return load_public(&pk, pub_pem, fpr, err);
}

int report_verify_digest(const char *pub_pem, const unsigned char hash[32], const void *sig,
                         size_t sig_len, char fpr[72], ea_error_t *err)
{
	cleanup_pk mbedtls_pk_context pk;
	mbedtls_pk_init(&pk);
	if (load_public(&pk, pub_pem, fpr, err) < 0) return -1;
	if (sig_len > REPORT_SIG_MAX)
		return ea_fail(err, EA_E_FORMAT, "the signature file is too large to be one");
	unsigned char der[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
	size_t der_len = 0;
	if (sig_decode(sig, sig_len, der, sizeof der, &der_len) < 0)
		return ea_fail(err, EA_E_FORMAT,
		               "the signature file holds no base64 or DER signature");
	if (mbedtls_pk_verify(&pk, MBEDTLS_MD_SHA256, hash, 32, der, der_len) != 0)
		return ea_fail(err, EA_E_MISMATCH,
		               "the signature does not match this file and key");
	return 0;
}

int report_verify(const char *pub_pem, const void *data, size_t len, const void *sig,
                  size_t sig_len, char fpr[72], ea_error_t *err)
{
	unsigned char hash[32];
	if (mbedtls_sha256(data, len, hash, 0) != 0) return ea_fail(err, EA_E_IO, "SHA-256 failed");
	return report_verify_digest(pub_pem, hash, sig, sig_len, fpr, err);
}

/* The private key file's PEM (caller zeroizes and frees). */
static int read_key(const char *key_path, char **pem, size_t *pem_len, ea_error_t *err)
{
	return fsx_read_user_file(key_path, REPORT_KEY_MAX, pem, pem_len, err);
}

/* Sign hash with the key in key_path; on error err says which key. */
static int sign_with_file(const char *key_path, const unsigned char hash[32], char **sig,
                          ea_error_t *err)
{
	cleanup_free char *pem = NULL;
	size_t pem_len = 0;
	if (read_key(key_path, &pem, &pem_len, err) < 0) return -1;
	int rc = report_sign_digest(pem, hash, sig, err);
	/* The private key does not stay in freed memory. */
	mbedtls_platform_zeroize(pem, pem_len);
	if (rc < 0) {
		char m[sizeof err->msg];
		snprintf(m, sizeof m, "%s", err->msg);
		return ea_fail(err, err->code, "--sign-key %s: %s", key_path, m);
	}
	return 0;
}

int report_sign_key_check(const char *key_path, ea_error_t *err)
{
	static const unsigned char zero[32];
	cleanup_free char *sig = NULL;
	return sign_with_file(key_path, zero, &sig, err);
}

int report_sign_file_digest(const char *path, const unsigned char hash[32], const char *key_path,
                            ea_error_t *err)
{
	cleanup_free char *sig = NULL;
	if (sign_with_file(key_path, hash, &sig, err) < 0) return -1;
	cleanup_free char *sig_path = xasprintf("%s%s", path, REPORT_SIG_SUFFIX);
	return fsx_write_atomic(sig_path, sig, strlen(sig), err);
}

int report_sign_file(const char *report_path, const void *data, size_t len, const char *key_path,
                     ea_error_t *err)
{
	unsigned char hash[32];
	if (mbedtls_sha256(data, len, hash, 0) != 0) return ea_fail(err, EA_E_IO, "SHA-256 failed");
	return report_sign_file_digest(report_path, hash, key_path, err);
}
