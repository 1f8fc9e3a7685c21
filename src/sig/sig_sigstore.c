/* sig_sigstore: the pieces of sigstore verification that cosign's legacy
 * signatures and sigstore bundles share: Rekor v1 entries (SET over RFC
 * 8785 JSON, RFC 6962 inclusion proof, signed-note checkpoint, entry body
 * against the bundle), Fulcio certificates (chain to the trusted root's CA
 * at the signing time, CA validity window, code-signing usage, SCT) and the
 * policy's identities and keys. */
#include <fnmatch.h>
#include <mbedtls/oid.h>
#include <stdio.h>
#include <string.h>

#include "b64.h"
#include "canonjson.h"
#include "checkpoint.h"
#include "digest.h"
#include "sig_int.h"
#include "x509util.h"

/* ---------------------------------------------------------------- Merkle */

static void node_hash(const unsigned char l[32], const unsigned char r[32], unsigned char out[32])
{
	unsigned char buf[65];
	buf[0] = 0x01;
	memcpy(buf + 1, l, 32);
	memcpy(buf + 33, r, 32);
	digest_t d;
	digest_buffer(DIGEST_SHA256, buf, sizeof buf, &d);
	memcpy(out, d.bytes, 32);
}

/* RFC 9162 sec. 2.1.3.2, step by step. */
int merkle_verify_inclusion(int64_t index, int64_t size, const unsigned char leaf_hash[32],
                            unsigned char (*hashes)[32], int nhashes, const unsigned char root[32])
{
	if (index < 0 || size <= 0 || index >= size) return -1;
	uint64_t fn = (uint64_t)index, sn = (uint64_t)size - 1;
	unsigned char r[32];
	memcpy(r, leaf_hash, 32);
	for (int i = 0; i < nhashes; i++) {
		if (sn == 0) return -1;
		if ((fn & 1) || fn == sn) {
			node_hash(hashes[i], r, r);
			if (!(fn & 1))
				while (!(fn & 1) && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			node_hash(r, hashes[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && memcmp(r, root, 32) == 0 ? 0 : -1;
}

/* ---------------------------------------------------------------- checkpoint */

/* The log's signature on the checkpoint, which commits to the proof's root. */
static int checkpoint_check(const struct tr_key *log, const char *note, int64_t tree_size,
                            const unsigned char root[32], struct sig_result *r)
{
	struct checkpoint cp;
	ea_error_t err;
	if (checkpoint_parse(note, strlen(note), &cp, &err) < 0) {
		sig_refuse(r, "signature.bad_inclusion_proof", "checkpoint: %.200s", err.msg);
		return -1;
	}
	if (cp.size != tree_size || memcmp(cp.root, root, 32) != 0) {
		sig_refuse(r, "signature.bad_inclusion_proof",
		           "checkpoint (size %lld) does not commit to the proof's root (size %lld)",
		           (long long)cp.size, (long long)tree_size);
		return -1;
	}
	if (checkpoint_verify(&cp, note, &log->key, log->id, log->url, &err) < 0) {
		sig_refuse(r, "signature.bad_inclusion_proof", "%.200s", err.msg);
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- Rekor entries */

int tlog_verify_proof(const struct tr_key *log, const struct tlog_entry *e, struct sig_result *r)
{
	hasher_t h;
	hasher_init(&h, DIGEST_SHA256);
	unsigned char zero = 0;
	hasher_update(&h, &zero, 1);
	hasher_update(&h, e->body, e->blen);
	digest_t lh;
	hasher_final(&h, &lh);
	if (e->nhashes > 64 || merkle_verify_inclusion(e->proof_index, e->tree_size, lh.bytes,
	                                               e->hashes, e->nhashes, e->root_hash) < 0) {
		sig_refuse(r, "signature.bad_inclusion_proof",
		           "inclusion proof does not lead to the root hash");
		return -1;
	}
	if (!e->checkpoint) {
		sig_refuse(r, "signature.bad_inclusion_proof",
		           "inclusion proof without a checkpoint");
		return -1;
	}
	return checkpoint_check(log, e->checkpoint, e->tree_size, e->root_hash, r);
}

int tlog_verify_entry(const struct trusted_root *tr, const struct tlog_entry *e,
                      struct sig_result *r)
{
	char hexid[65];
	ea_hex(e->log_id, 32, hexid);
	if (!tr) {
		sig_refuse(r, "signature.untrusted_log",
		           "no trusted root to check the transparency log entry against");
		return -1;
	}
	const struct tr_key *log = troot_find_log(tr->tlogs, tr->ntlogs, e->log_id, 32);
	if (!log) {
		sig_refuse(r, "signature.untrusted_log",
		           "transparency log %.16s... is not in the trusted root", hexid);
		return -1;
	}
	if (!log->has_key) {
		snprintf(r->tlog, sizeof r->tlog, "unsupported");
		sig_refuse(r, "signature.unsupported_algorithm",
		           "transparency log %s has a key type we cannot verify with", log->url);
		return -1;
	}
	if (e->integrated_time == 0 && !e->set) { /* Rekor v2 kinds go to rekor_v2.c */
		sig_refuse(r, "signature.malformed",
		           "Rekor v1 entry without an integrated time or a promise");
		return -1;
	}
	if (e->log_index < 0 || e->integrated_time <= 0) {
		sig_refuse(r, "signature.malformed",
		           "transparency log entry with a negative index or no integrated time");
		return -1;
	}
	int64_t t = e->integrated_time * 1000;
	if (t < log->start || t > log->end) {
		sig_refuse(r, "signature.untrusted_log",
		           "the log key of %s was not valid at the integrated time", log->url);
		return -1;
	}
	if (!e->set && !e->has_proof) {
		sig_refuse(
		        r, "signature.bad_set",
		        "transparency log entry with neither a signed entry timestamp nor a proof");
		return -1;
	}
	ea_error_t err;
	if (e->set) {
		/* SET: ECDSA over canonical JSON {body, integratedTime, logID, logIndex}. */
		cJSON *o = cJSON_CreateObject();
		char *b64 = b64_encode_std(e->body, e->blen);
		cJSON_AddStringToObject(o, "body", b64);
		free(b64);
		cJSON_AddNumberToObject(o, "integratedTime", (double)e->integrated_time);
		cJSON_AddStringToObject(o, "logID", hexid);
		cJSON_AddNumberToObject(o, "logIndex", (double)e->log_index);
		ea_buf_t buf;
		ea_buf_init(&buf, 1u << 24);
		int rc = canonjson_write(o, &buf, &err);
		cJSON_Delete(o);
		if (rc == 0)
			rc = pubkey_verify_msg(&log->key, MBEDTLS_MD_SHA256, buf.data, buf.len,
			                       e->set, e->setlen, &err);
		ea_buf_free(&buf);
		if (rc < 0) {
			sig_refuse(r, "signature.bad_set",
			           "signed entry timestamp does not verify with the key of %s",
			           log->url);
			return -1;
		}
	}
	if (e->has_proof && tlog_verify_proof(log, e, r) < 0) return -1;
	snprintf(r->tlog, sizeof r->tlog, "verified");
	/* The integrated time is trusted only when the log signed it (SET). */
	if (e->set) r->signed_at_ms = t;
	return 0;
}

/* ---------------------------------------------------------------- entry body */

/* The public key of a PEM (or DER) certificate or SubjectPublicKeyInfo, as
 * DER SubjectPublicKeyInfo into buf; *is_cert says which it was. */
static int verifier_spki(const unsigned char *pem, size_t pl, unsigned char *buf, size_t n,
                         const unsigned char **der, int *is_cert)
{
	ea_error_t err;
	cleanup_crt mbedtls_x509_crt c;
	mbedtls_x509_crt_init(&c);
	cleanup_pk mbedtls_pk_context pk;
	mbedtls_pk_init(&pk);
	*is_cert = 0;
	if (x509_parse_any(&c, pem, pl, NULL, &err) == 0) {
		*is_cert = 1;
		return x509_count(&c) == 1 ? pk_spki_der(&c.pk, buf, n, der) : -1;
	}
	if (pk_parse_public(&pk, pem, pl, &err) < 0) return -1;
	return pk_spki_der(&pk, buf, n, der);
}

/* The entry's verifier (a PEM certificate or key) is the bundle's: the same
 * certificate for a certificate-signed bundle; for a key-signed one, a key
 * or a certificate whose public key is that key (matched by key, not by
 * encoding, as sigstore-go). */
static int pem_verifier_matches(const unsigned char *pem, size_t pl, const struct tlog_expect *x)
{
	if (x->cert_der) {
		ea_error_t err;
		cleanup_crt mbedtls_x509_crt c;
		mbedtls_x509_crt_init(&c);
		return x509_parse_any(&c, pem, pl, NULL, &err) == 0 && c.raw.len == x->cert_len &&
		       memcmp(c.raw.p, x->cert_der, x->cert_len) == 0 && x509_count(&c) == 1;
	}
	if (!x->key_der) return 0;
	unsigned char buf[4096];
	const unsigned char *d;
	int is_cert;
	int l = verifier_spki(pem, pl, buf, sizeof buf, &d, &is_cert);
	return l > 0 && (size_t)l == x->key_len && memcmp(d, x->key_der, x->key_len) == 0;
}

/* verifier/publicKey field: base64 of a PEM certificate or key. */
static int verifier_matches(const char *b64, const struct tlog_expect *x)
{
	unsigned char *pem = NULL;
	size_t pl;
	ea_error_t err;
	if (!b64 || b64_decode(b64, strlen(b64), B64_STD, SIG_MAX_CERT, &pem, &pl, &err) < 0)
		return 0;
	int ok = pem_verifier_matches(pem, pl, x);
	free(pem);
	return ok;
}

static int b64_equals(const char *b64, const unsigned char *want, size_t wl, int twice)
{
	unsigned char *a = NULL, *b = NULL;
	size_t al, bl;
	ea_error_t err;
	if (!b64 || b64_decode(b64, strlen(b64), B64_STD, SIG_MAX_ENVELOPE, &a, &al, &err) < 0)
		return 0;
	if (twice) {
		int rc = b64_decode((char *)a, al, B64_STD, SIG_MAX_ENVELOPE, &b, &bl, &err);
		free(a);
		if (rc < 0) return 0;
		a = b;
		al = bl;
	}
	int ok = al == wl && memcmp(a, want, wl) == 0;
	free(a);
	return ok;
}

/* {"algorithm": "sha256|sha384|sha512", "value": hex} names want (wl bytes:
 * 32, 48 or 64, the algorithm by its length). */
static int hash_obj_equals_n(const cJSON *h, const unsigned char *want, size_t wl)
{
	const char *alg = sjson_str(h, "algorithm"), *val = sjson_str(h, "value");
	const char *wa = wl == 32 ? "sha256" : wl == 48 ? "sha384" : wl == 64 ? "sha512" : NULL;
	if (!wa || !alg || strcmp(alg, wa) != 0 || !val || strlen(val) != 2 * wl) return 0;
	char hex[129];
	ea_hex(want, wl, hex);
	return strcmp(hex, val) == 0;
}

static int hash_obj_equals(const cJSON *h, const unsigned char *want32)
{
	return hash_obj_equals_n(h, want32, 32);
}

int tlog_body_matches(const unsigned char *body, size_t blen, const struct tlog_expect *x,
                      struct sig_result *r)
{
	ea_error_t err;
	cJSON *j = sjson_parse((const char *)body, blen, &err);
	if (!j) {
		sig_refuse(r, "signature.malformed", "transparency log entry body: %s", err.msg);
		return -1;
	}
	const char *kind = sjson_str(j, "kind"), *ver = sjson_str(j, "apiVersion");
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(j, "spec");
	int ok = 0;
	const char *what = "entry";
	if (rekor_v2_kind(kind, ver)) {
		int rc = rekor_v2_body_matches(j, x, r);
		cJSON_Delete(j);
		return rc;
	} else if (!kind || !ver || !cJSON_IsObject(spec)) {
		what = "entry shape";
	} else if (!strcmp(kind, "hashedrekord") && !strcmp(ver, "0.0.1")) {
		const cJSON *sg = cJSON_GetObjectItemCaseSensitive(spec, "signature");
		const cJSON *pk = sg ? cJSON_GetObjectItemCaseSensitive(sg, "publicKey") : NULL;
		const cJSON *data = cJSON_GetObjectItemCaseSensitive(spec, "data");
		const cJSON *hash = data ? cJSON_GetObjectItemCaseSensitive(data, "hash") : NULL;
		if (!x->digest) what = "hashed artifact (no digest to compare)";
		else if (!hash || !hash_obj_equals_n(hash, x->digest, x->dlen))
			what = "artifact hash";
		else if (!sg || !b64_equals(sjson_str(sg, "content"), x->sig, x->siglen, 0))
			what = "signature";
		else if (!pk || !verifier_matches(sjson_str(pk, "content"), x))
			what = "certificate or key";
		else ok = 1;
	} else if (!strcmp(kind, "dsse") && !strcmp(ver, "0.0.1")) {
		digest_t ph;
		digest_buffer(DIGEST_SHA256, x->payload ? x->payload : (const unsigned char *)"",
		              x->plen, &ph);
		const cJSON *sigs = cJSON_GetObjectItemCaseSensitive(spec, "signatures");
		if (!x->payload) what = "payload";
		else if (!hash_obj_equals(cJSON_GetObjectItemCaseSensitive(spec, "payloadHash"),
		                          ph.bytes))
			what = "payload hash";
		else if (!cJSON_IsArray(sigs) || cJSON_GetArraySize(sigs) != 1)
			what = "signature count";
		else if (!b64_equals(sjson_str(sigs->child, "signature"), x->sig, x->siglen, 0))
			what = "signature";
		else if (!verifier_matches(sjson_str(sigs->child, "verifier"), x))
			what = "certificate or key";
		else ok = 1;
	} else if (!strcmp(kind, "intoto") && !strcmp(ver, "0.0.2")) {
		const cJSON *content = cJSON_GetObjectItemCaseSensitive(spec, "content");
		const cJSON *env =
		        content ? cJSON_GetObjectItemCaseSensitive(content, "envelope") : NULL;
		const cJSON *sigs =
		        env ? cJSON_GetObjectItemCaseSensitive(env, "signatures") : NULL;
		digest_t ph;
		digest_buffer(DIGEST_SHA256, x->payload ? x->payload : (const unsigned char *)"",
		              x->plen, &ph);
		const char *pt = env ? sjson_str(env, "payloadType") : NULL;
		if (!x->payload || !env) what = "envelope";
		else if (!content ||
		         !hash_obj_equals(cJSON_GetObjectItemCaseSensitive(content, "payloadHash"),
		                          ph.bytes))
			what = "payload hash";
		else if (!pt || !x->payload_type || strcmp(pt, x->payload_type))
			what = "payload type";
		/* Rekor may store the envelope without its payload (payloadHash binds it). */
		else if (cJSON_GetObjectItemCaseSensitive(env, "payload") &&
		         !b64_equals(sjson_str(env, "payload"), x->payload, x->plen, 1))
			what = "payload";
		else if (!cJSON_IsArray(sigs) || cJSON_GetArraySize(sigs) != 1)
			what = "signature count";
		else if (!b64_equals(sjson_str(sigs->child, "sig"), x->sig, x->siglen, 1))
			what = "signature";
		else if (!verifier_matches(sjson_str(sigs->child, "publicKey"), x))
			what = "certificate or key";
		else ok = 1;
	} else {
		cJSON_Delete(j);
		sig_refuse(r, "signature.unsupported_envelope",
		           "transparency log entry kind %.32s %.16s is not supported", kind, ver);
		return -1;
	}
	cJSON_Delete(j);
	if (!ok) {
		sig_refuse(r, "signature.tlog_mismatch",
		           "transparency log entry does not match the signature: %s differs", what);
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- Fulcio */

static int chain_append(mbedtls_x509_crt *chain, const mbedtls_x509_crt *from, int skip_self_signed)
{
	ea_error_t err;
	for (const mbedtls_x509_crt *c = from; c && c->raw.len; c = c->next) {
		if (skip_self_signed && x509_is_self_signed(c)) continue;
		if (x509_parse_der(chain, c->raw.p, c->raw.len, &err) < 0) return -1;
	}
	return 0;
}

int fulcio_verify_cert(const struct trusted_root *tr, mbedtls_x509_crt *leaf, int64_t t,
                       struct sig_result *r)
{
	if (!tr || tr->ncas == 0) {
		sig_refuse(r, "signature.untrusted_chain",
		           "no certificate authority in the trusted root");
		return -1;
	}
	if (t <= 0) {
		sig_refuse(r, "signature.no_timestamp",
		           "no verified signing time (Rekor SET) to judge the certificate at");
		return -1;
	}
	if (mbedtls_x509_crt_check_key_usage(leaf, MBEDTLS_X509_KU_DIGITAL_SIGNATURE) != 0 ||
	    mbedtls_x509_crt_check_extended_key_usage(leaf, MBEDTLS_OID_CODE_SIGNING,
	                                              MBEDTLS_OID_SIZE(MBEDTLS_OID_CODE_SIGNING)) !=
	            0) {
		sig_refuse(r, "signature.untrusted_chain", "certificate is not for code signing");
		return -1;
	}
	struct sig_result last = {.refusal = "signature.untrusted_chain"};
	snprintf(last.msg, sizeof last.msg,
	         "no certificate authority of the trusted root was valid at the signing time");
	for (int i = 0; i < tr->ncas; i++) {
		const struct tr_ca *ca = &tr->cas[i];
		if (t < ca->start || t > ca->end) continue;
		mbedtls_x509_crt chain;
		mbedtls_x509_crt_init(&chain);
		struct x509_verdict v;
		int rc = chain_append(&chain, leaf, 0);
		if (rc == 0) rc = chain_append(&chain, &ca->certs, 1);
		if (rc == 0)
			rc = x509_verify_chain_at(&chain, (mbedtls_x509_crt *)&ca->root, t, &v);
		else {
			v.refusal = "signature.malformed";
			snprintf(v.msg, sizeof v.msg, "certificate chain does not parse");
		}
		if (rc == 0) {
			/* The leaf's issuer, for the SCT's issuer key hash. */
			const mbedtls_x509_crt *issuer = NULL;
			for (const mbedtls_x509_crt *c = chain.next; c && c->raw.len && !issuer;
			     c = c->next)
				if (c->subject_raw.len == leaf->issuer_raw.len &&
				    !memcmp(c->subject_raw.p, leaf->issuer_raw.p,
				            c->subject_raw.len))
					issuer = c;
			if (!issuer && ca->root.subject_raw.len == leaf->issuer_raw.len &&
			    !memcmp(ca->root.subject_raw.p, leaf->issuer_raw.p,
			            leaf->issuer_raw.len))
				issuer = &ca->root;
			if (tr->nctlogs > 0) {
				if (!issuer) {
					sig_refuse(r, "signature.bad_sct",
					           "cannot find the issuer to check the SCT");
					rc = -1;
				} else {
					rc = sct_verify(tr, leaf, issuer, r);
				}
			}
			mbedtls_x509_crt_free(&chain);
			return rc;
		}
		mbedtls_x509_crt_free(&chain);
		last.refusal = v.refusal;
		snprintf(last.msg, sizeof last.msg, "%s", v.msg);
	}
	sig_refuse(r, last.refusal, "%s", last.msg);
	return -1;
}

/* ---------------------------------------------------------------- policy */

int accepted_has_keys(const struct sig_accept *a)
{
	return a->rule ? a->rule->nkeys > 0 : a->pol && a->pol->nkeys > 0;
}

int accepted_has_identities(const struct sig_accept *a)
{
	return a->rule ? a->rule->nids > 0 : a->pol && a->pol->nidentities > 0;
}

int accepted_key_verify(const struct sig_accept *a, mbedtls_md_type_t md, const unsigned char *hash,
                        size_t hlen, const unsigned char *sig, size_t siglen)
{
	if (!a->pol) return -1;
	int n = a->rule ? a->rule->nkeys : a->pol->nkeys;
	for (int i = 0; i < n; i++) {
		int k = a->rule ? a->rule->keys[i] : i;
		ea_error_t err;
		if (a->pol->keys[k].key.alg == PUBKEY_ED25519) continue; /* signs no hash */
		if (sigverify_hash(&a->pol->keys[k].key.pk, md, hash, hlen, sig, siglen, SIG_DER, 0,
		                   &err) == 0)
			return k;
	}
	return -1;
}

int accepted_key_verify_msg(const struct sig_accept *a, const unsigned char *msg, size_t len,
                            const unsigned char *sig, size_t siglen)
{
	if (!a->pol) return -1;
	int n = a->rule ? a->rule->nkeys : a->pol->nkeys;
	for (int i = 0; i < n; i++) {
		int k = a->rule ? a->rule->keys[i] : i;
		const struct pubkey *key = &a->pol->keys[k].key;
		mbedtls_md_type_t md =
		        key->alg == PUBKEY_ED25519 ? MBEDTLS_MD_NONE : pk_default_md(&key->pk);
		ea_error_t err;
		if (pubkey_verify_msg(key, md, msg, len, sig, siglen, &err) == 0) return k;
	}
	return -1;
}

int accepted_key_verify_over(const struct sig_accept *a, const struct sig_subject *s,
                             const unsigned char *sig, size_t siglen)
{
	if (!a->pol || !s->ed25519_over) return -1;
	int n = a->rule ? a->rule->nkeys : a->pol->nkeys;
	for (int i = 0; i < n; i++) {
		int k = a->rule ? a->rule->keys[i] : i;
		const struct pubkey *key = &a->pol->keys[k].key;
		if (key->alg == PUBKEY_ED25519 && s->ed25519_over(s, key, sig, siglen) == 0)
			return k;
	}
	return -1;
}

size_t subject_hash(const struct sig_subject *s, mbedtls_md_type_t md, const unsigned char **h)
{
	if (md == MBEDTLS_MD_SHA256 && s->digest.alg == DIGEST_SHA256) {
		*h = s->digest.bytes;
		return 32;
	}
	if (md == MBEDTLS_MD_SHA384 && s->has_sha384) {
		*h = s->sha384;
		return 48;
	}
	if (md == MBEDTLS_MD_SHA512 && (s->has_sha512 || s->digest.alg == DIGEST_SHA512)) {
		*h = s->has_sha512 ? s->sha512 : s->digest.bytes;
		return 64;
	}
	return 0;
}

/* A regular expression, unanchored as Go's regexp.MatchString. */
static int identity_re_match(const regex_t *re, const char *v)
{
	return regexec(re, v, 0, NULL, 0) == 0;
}

static int str_match(const char *exact, const char *pattern, const char *v)
{
	if (exact) return strcmp(exact, v) == 0;
	if (pattern) return fnmatch(pattern, v, 0) == 0;
	return 0;
}

int identity_accept(const struct sig_accept *a, const mbedtls_x509_crt *leaf, struct sig_result *r)
{
	char san[512], iss[512];
	if (x509_san_identity(leaf, san, sizeof san) < 0) {
		sig_refuse(r, "signature.identity_mismatch",
		           "certificate has no URI or email identity");
		return -1;
	}
	if (x509_fulcio_issuer(leaf, iss, sizeof iss) < 0) {
		sig_refuse(r, "signature.identity_mismatch",
		           "certificate has no OIDC issuer extension (%.100s)", san);
		return -1;
	}
	snprintf(r->signer, sizeof r->signer, "%.180s (%.70s)", san, iss);
	int n = !a->pol ? 0 : a->rule ? a->rule->nids : a->pol->nidentities;
	for (int i = 0; i < n; i++) {
		const struct pol_identity *id = &a->pol->identities[a->rule ? a->rule->ids[i] : i];
		int sm = id->subject_re ? identity_re_match(id->subject_re, san)
		                        : str_match(id->subject, id->subject_pattern, san);
		int im = id->issuer_re ? identity_re_match(id->issuer_re, iss)
		                       : str_match(id->issuer, id->issuer_pattern, iss);
		if (sm && im) {
			snprintf(r->signer, sizeof r->signer, "identity:%.40s %.140s (%.60s)",
			         id->name, san, iss);
			return 0;
		}
	}
	sig_refuse(r, "signature.identity_mismatch",
	           "signed by %.150s (issuer %.100s): not an identity the policy accepts", san,
	           iss);
	return -1;
}
