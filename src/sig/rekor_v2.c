/* rekor_v2: Rekor v2 (rekor-tiles) entries in v0.3 bundles.
 *
 * A Rekor v2 entry has no signed entry timestamp and no integrated time: it
 * is proved by its inclusion proof up to a checkpoint the log signed (a C2SP
 * signed note; the log key may be Ed25519 or ECDSA), and the signing time
 * comes from RFC 3161 timestamps only.  Its canonicalized body is one of
 *   hashedrekord 0.0.2: spec.hashedRekordV002 {data {algorithm, digest},
 *                       signature {content, verifier}}
 *   dsse 0.0.2:         spec.dsseV002 {payloadHash {algorithm, digest},
 *                       signatures [{content, verifier}]}
 * where a verifier is {keyDetails, x509Certificate {rawBytes} | publicKey
 * {rawBytes}} (DER, base64).  A DSSE envelope may also be logged as a
 * hashedrekord whose digest is the hash of its PAE. */
#include <stdio.h>
#include <string.h>

#include "b64.h"
#include "digest.h"
#include "sig_int.h"

int rekor_v2_kind(const char *kind, const char *version)
{
	return kind && version && !strcmp(version, "0.0.2") &&
	       (!strcmp(kind, "hashedrekord") || !strcmp(kind, "dsse"));
}

int rekor_v2_verify_entry(const struct trusted_root *tr, const struct tlog_entry *e,
                          const int64_t *times, int ntimes, struct sig_result *r)
{
	if (!tr) {
		sig_refuse(r, "signature.untrusted_log",
		           "no trusted root to check the transparency log entry against");
		return -1;
	}
	const struct tr_key *log = troot_find_log(tr->tlogs, tr->ntlogs, e->log_id, 32);
	if (!log) {
		sig_refuse(r, "signature.untrusted_log", "Rekor v2 log is not in the trusted root");
		return -1;
	}
	if (!log->has_key) {
		snprintf(r->tlog, sizeof r->tlog, "unsupported");
		sig_refuse(r, "signature.unsupported_algorithm",
		           "transparency log %s has a key type we cannot verify with", log->url);
		return -1;
	}
	/* The log key must have been valid at every trusted signing time. */
	for (int i = 0; i < ntimes; i++)
		if (times[i] < log->start || times[i] > log->end) {
			sig_refuse(r, "signature.untrusted_log",
			           "the log key of %s was not valid at the signing time", log->url);
			return -1;
		}
	if (e->set || e->integrated_time) {
		sig_refuse(r, "signature.malformed",
		           "Rekor v2 entry with an inclusion promise or integrated time");
		return -1;
	}
	if (!e->has_proof) {
		sig_refuse(r, "signature.bad_inclusion_proof", "Rekor v2 entry without a proof");
		return -1;
	}
	if (tlog_verify_proof(log, e, r) < 0) return -1;
	snprintf(r->tlog, sizeof r->tlog, "verified");
	return 0;
}

/* ---------------------------------------------------------------- body */

static int b64_is(const char *b64, const unsigned char *want, size_t wl)
{
	cleanup_free unsigned char *v = NULL;
	size_t vl;
	ea_error_t err;
	if (!b64 || !want ||
	    b64_decode(b64, strlen(b64), B64_PROTO, SIG_MAX_ENVELOPE, &v, &vl, &err) < 0)
		return 0;
	return vl == wl && memcmp(v, want, wl) == 0;
}

/* verifier {x509Certificate {rawBytes}} or {publicKey {rawBytes}}: DER. */
static int verifier_is(const cJSON *v, const struct tlog_expect *x)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(v, "x509Certificate");
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(v, "publicKey");
	if (!!c == !!k) return 0;
	if (c) return x->cert_der && b64_is(sjson_str(c, "rawBytes"), x->cert_der, x->cert_len);
	return x->key_der && b64_is(sjson_str(k, "rawBytes"), x->key_der, x->key_len);
}

static int sig_is(const cJSON *s, const struct tlog_expect *x)
{
	return cJSON_IsObject(s) && b64_is(sjson_str(s, "content"), x->sig, x->siglen) &&
	       verifier_is(cJSON_GetObjectItemCaseSensitive(s, "verifier"), x);
}

/* HashOutput {algorithm, digest} equal to the hash of data (or to want). */
static int hash_is(const cJSON *h, const unsigned char *data, size_t dl, const unsigned char *want,
                   size_t wl)
{
	const char *alg = h ? sjson_str(h, "algorithm") : NULL;
	mbedtls_md_type_t md = !alg                       ? MBEDTLS_MD_NONE
	                       : !strcmp(alg, "SHA2_256") ? MBEDTLS_MD_SHA256
	                       : !strcmp(alg, "SHA2_384") ? MBEDTLS_MD_SHA384
	                       : !strcmp(alg, "SHA2_512") ? MBEDTLS_MD_SHA512
	                                                  : MBEDTLS_MD_NONE;
	const mbedtls_md_info_t *mi = mbedtls_md_info_from_type(md);
	if (!mi) return 0;
	unsigned char buf[MBEDTLS_MD_MAX_SIZE];
	if (!want) {
		if (!data || mbedtls_md(mi, data, dl, buf) != 0) return 0;
		want = buf;
		wl = mbedtls_md_get_size(mi);
	}
	return wl == mbedtls_md_get_size(mi) && b64_is(sjson_str(h, "digest"), want, wl);
}

static const char *hashedrekord_differs(const cJSON *spec, const struct tlog_expect *x)
{
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(spec, "hashedRekordV002");
	const cJSON *data = h ? cJSON_GetObjectItemCaseSensitive(h, "data") : NULL;
	/* A message signature names the artifact digest; a DSSE envelope its PAE. */
	int ok = x->digest ? hash_is(data, NULL, 0, x->digest, x->dlen)
	                   : hash_is(data, x->pae, x->paelen, NULL, 0);
	if (!ok) return x->digest ? "artifact digest" : "envelope (PAE) digest";
	if (!sig_is(cJSON_GetObjectItemCaseSensitive(h, "signature"), x))
		return "signature or its verifier";
	return NULL;
}

static const char *dsse_differs(const cJSON *spec, const struct tlog_expect *x)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(spec, "dsseV002");
	const cJSON *sigs = d ? cJSON_GetObjectItemCaseSensitive(d, "signatures") : NULL;
	if (!x->payload || !hash_is(d ? cJSON_GetObjectItemCaseSensitive(d, "payloadHash") : NULL,
	                            x->payload, x->plen, NULL, 0))
		return "payload hash";
	if (!cJSON_IsArray(sigs) || cJSON_GetArraySize(sigs) != 1) return "signature count";
	if (!sig_is(sigs->child, x)) return "signature or its verifier";
	return NULL;
}

int rekor_v2_body_matches(const cJSON *body, const struct tlog_expect *x, struct sig_result *r)
{
	const char *kind = sjson_str(body, "kind");
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(body, "spec");
	const char *what = !cJSON_IsObject(spec)           ? "entry shape"
	                   : !strcmp(kind, "hashedrekord") ? hashedrekord_differs(spec, x)
	                                                   : dsse_differs(spec, x);
	if (what) {
		sig_refuse(r, "signature.tlog_mismatch",
		           "Rekor v2 entry does not match the signature: %s differs", what);
		return -1;
	}
	return 0;
}
