/* sig_blob: `verify-blob`'s side of the signature verifier: a file hashed
 * as a stream, its sigstore bundle (or a detached signature and
 * certificate, put in a bundle of their own so that one verifier judges
 * both) against the policy, and the result into the report's blobs.
 *
 * A detached signature is cosign sign-blob's: base64 (or raw DER) ECDSA or
 * RSA over the file; with no log entry and no timestamp, a certificate has
 * no trusted signing time offline and is refused (signature.threshold_unmet
 * or signature.no_timestamp), as cosign refuses it without Rekor. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/sha256.h>

#include "b64.h"
#include "ed25519.h"
#include "fsx.h"
#include "model.h"
#include "pubkey.h"
#include "sig_int.h"
#include "x509util.h"

#define BLOB_CHUNK (64u << 10)

struct blob_hashers {
	mbedtls_md_context_t c[3];
};
static void blob_hashers_free(struct blob_hashers *h)
{
	for (int i = 0; i < 3; i++) mbedtls_md_free(&h->c[i]);
}

static int blob_hashers_init(struct blob_hashers *h)
{
	static const mbedtls_md_type_t mds[3] = {MBEDTLS_MD_SHA256, MBEDTLS_MD_SHA384,
	                                         MBEDTLS_MD_SHA512};
	for (int i = 0; i < 3; i++) mbedtls_md_init(&h->c[i]);
	for (int i = 0; i < 3; i++)
		if (mbedtls_md_setup(&h->c[i], mbedtls_md_info_from_type(mds[i]), 0) != 0 ||
		    mbedtls_md_starts(&h->c[i]) != 0)
			return -1;
	return 0;
}

/* Read fd to its end through the three hashers, one chunk at a time. */
static int blob_hash_fd(int fd, struct blob_hashers *h, int64_t *size, ea_error_t *err)
{
	cleanup_free unsigned char *buf = xmalloc(BLOB_CHUNK);
	*size = 0;
	for (;;) {
		ssize_t n = fsx_read_full(fd, buf, BLOB_CHUNK, err);
		if (n < 0) return -1;
		if (n == 0) return 0;
		for (int i = 0; i < 3; i++) mbedtls_md_update(&h->c[i], buf, (size_t)n);
		*size += n;
		if ((size_t)n < BLOB_CHUNK) return 0;
	}
}

int sig_blob_hash(const char *path, struct sig_blob *b, ea_error_t *err)
{
	int fd = config_open(path, err);
	if (fd < 0) return -1;
	struct blob_hashers h;
	int rc = blob_hashers_init(&h);
	if (rc == 0) rc = blob_hash_fd(fd, &h, &b->size, err);
	else ea_fail(err, EA_E_UNSUPPORTED, "SHA-2 not built in");
	close(fd);
	if (rc == 0) {
		b->sha256.alg = DIGEST_SHA256;
		rc = mbedtls_md_finish(&h.c[0], b->sha256.bytes) |
		     mbedtls_md_finish(&h.c[1], b->sha384) | mbedtls_md_finish(&h.c[2], b->sha512);
		snprintf(b->sha256.str, sizeof b->sha256.str, "sha256:");
		ea_hex(b->sha256.bytes, 32, b->sha256.str + 7);
	}
	blob_hashers_free(&h);
	return rc == 0 ? 0 : -1;
}

/* Pure Ed25519 over the file's bytes (sig_subject.ed25519_over): a second
 * streamed pass, which must also give the SHA-256 of the first (a file
 * changed in between verifies nothing). */
static int blob_ed25519_over(const struct sig_subject *s, const struct pubkey *key,
                             const unsigned char *sig, size_t siglen)
{
	const struct sig_blob *b = s->ctx;
	ea_error_t err;
	if (siglen != 64) return -1;
	int fd = config_open(b->path, &err);
	if (fd < 0) return -1;
	struct ed25519_stream es;
	ed25519_stream_init(&es, key->ed25519, sig);
	mbedtls_sha256_context sc;
	mbedtls_sha256_init(&sc);
	mbedtls_sha256_starts(&sc, 0);
	cleanup_free unsigned char *buf = xmalloc(BLOB_CHUNK);
	ssize_t n;
	while ((n = fsx_read_full(fd, buf, BLOB_CHUNK, &err)) > 0) {
		ed25519_stream_update(&es, buf, (size_t)n);
		mbedtls_sha256_update(&sc, buf, (size_t)n);
	}
	close(fd);
	unsigned char h[32];
	mbedtls_sha256_finish(&sc, h);
	mbedtls_sha256_free(&sc);
	int ok = ed25519_stream_final(&es) == 0;
	return n == 0 && ok && memcmp(h, b->sha256.bytes, 32) == 0 ? 0 : -1;
}

/* A detached signature (and its certificate) as a v0.3 bundle with a
 * messageSignature and no messageDigest: the signature is over the file. */
static char *detached_bundle(const struct sig_blob *b, struct sig_result *r)
{
	ea_error_t err;
	cleanup_cjson cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "mediaType", "application/vnd.dev.sigstore.bundle.v0.3+json");
	cJSON *vm = cJSON_AddObjectToObject(j, "verificationMaterial");
	if (b->cert) {
		cleanup_crt mbedtls_x509_crt c;
		mbedtls_x509_crt_init(&c);
		if (x509_parse_any(&c, b->cert, b->certlen, NULL, &err) < 0) {
			sig_refuse(r, "signature.malformed", "--certificate: %.200s", err.msg);
			return NULL;
		}
		cleanup_free char *der = b64_encode_std(c.raw.p, c.raw.len);
		cJSON_AddStringToObject(cJSON_AddObjectToObject(vm, "certificate"), "rawBytes",
		                        der);
	} else {
		cJSON_AddObjectToObject(vm, "publicKey");
	}
	cleanup_free char *sig = b64_encode_std(b->sig, b->siglen);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(j, "messageSignature"), "signature", sig);
	return cJSON_PrintUnformatted(j);
}

/* The rule for the file: the first naming it; NULL (every signer the
 * policy declares) when none does or the one that does names no signer. */
static const struct pol_rule *blob_rule(const struct sig_policy *pol, const struct sig_blob *b)
{
	const char *names[1] = {b->name};
	const struct pol_rule *rule = policy_rule_for(pol, names, 1);
	return rule && rule->nkeys + rule->nids > 0 ? rule : NULL;
}

static void blob_record(report_t *rep, const struct sig_blob *b, const struct sig_result *r)
{
	struct blob_rec *rec = model_blob_new(rep, b->path);
	rec->digest = b->sha256;
	rec->size = b->size;
	rec->signature_check = r->refusal ? CHECK_NOT_VERIFIED : CHECK_VERIFIED;
	const struct finding_kind *k = r->refusal ? finding_kind_lookup(r->refusal) : NULL;
	rec->verdict = !r->refusal          ? VERDICT_PASS
	               : k && k->incomplete ? VERDICT_INCOMPLETE
	                                    : VERDICT_FAIL;
	sig_result_record(r, b->bundle ? "bundle" : "signature", blob_add_signature(rec));
}

int sig_verify_blob(report_t *rep, const struct sig_policy *pol, const struct sig_blob *b)
{
	struct sig_result r = {0};
	sig_refuse(&r, "signature.malformed", "blob signature not checked");
	struct sig_accept a = {.pol = pol, .rule = blob_rule(pol, b)};
	struct sig_subject s = {.digest = b->sha256,
	                        .size = b->size,
	                        .has_sha384 = 1,
	                        .has_sha512 = 1,
	                        .ed25519_over = blob_ed25519_over,
	                        .ctx = b};
	memcpy(s.sha384, b->sha384, sizeof s.sha384);
	memcpy(s.sha512, b->sha512, sizeof s.sha512);
	cleanup_free char *own = b->bundle ? NULL : detached_bundle(b, &r);
	if (b->bundle) bundle_verify(&a, &s, b->bundle, b->bundle_len, &r);
	else if (own) bundle_verify(&a, &s, own, strlen(own), &r);
	if (!b->bundle)
		snprintf(r.kind, sizeof r.kind, "%s", b->cert ? "cosign-blob" : "cosign-blob-key");
	blob_record(rep, b, &r);
	if (!r.refusal) return 1;
	cJSON *f = report_finding(rep, r.refusal, b->path, "%s", r.msg);
	if (f) cJSON_AddStringToObject(f, "blob", b->sha256.str);
	return -1;
}
