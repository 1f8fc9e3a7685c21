/* sig_cosign: cosign "simple signing" (cosign specs/SIGNATURE_SPEC.md): a
 * layer whose blob is the payload and whose annotations carry the
 * signature (base64 DER over SHA-256 of the payload bytes, or over the hash
 * a P-384/P-521 key pairs with), and for keyless signatures the Fulcio
 * certificate, its chain and the Rekor bundle (whose hashedrekord names the
 * hash the signature is over).
 *
 * Order: signature by an accepted key (or, keyless, by the certificate)
 * -> the payload's manifest digest and reference -> the Rekor entry (SET,
 * body) -> certificate chain, SCT and identity at the integrated time. */
#include <stdio.h>
#include <string.h>

#include "b64.h"
#include "digest.h"
#include "sig_int.h"
#include "x509util.h"

#define ANN_SIG    "dev.cosignproject.cosign/signature"
#define ANN_CERT   "dev.sigstore.cosign/certificate"
#define ANN_CHAIN  "dev.sigstore.cosign/chain"
#define ANN_BUNDLE "dev.sigstore.cosign/bundle"
#define ANN_TSA    "dev.sigstore.cosign/rfc3161timestamp"

/* The payload's docker-reference is one of the image's names. */
static int reference_matches(const struct sig_subject *s, const char *ref)
{
	for (int i = 0; ref && i < s->nnames; i++) {
		char repo[512];
		image_repo(s->names[i], repo, sizeof repo);
		if (!strcmp(repo, ref) || !strcmp(s->names[i], ref)) return 1;
	}
	return 0;
}

/* The payload's claims, read only after its signature verified. */
static int check_payload(const struct sig_accept *a, const struct sig_subject *s,
                         const unsigned char *payload, size_t plen, struct sig_result *r)
{
	ea_error_t err;
	cleanup_cjson cJSON *j = sjson_parse((const char *)payload, plen, &err);
	const cJSON *crit = j ? cJSON_GetObjectItemCaseSensitive(j, "critical") : NULL;
	const cJSON *img = crit ? cJSON_GetObjectItemCaseSensitive(crit, "image") : NULL;
	const cJSON *idn = crit ? cJSON_GetObjectItemCaseSensitive(crit, "identity") : NULL;
	const char *type = crit ? sjson_str(crit, "type") : NULL;
	const char *dg = img ? sjson_str(img, "docker-manifest-digest") : NULL;
	const char *ref = idn ? sjson_str(idn, "docker-reference") : NULL;
	digest_t d;
	if (!cJSON_IsObject(crit) || !type || !dg) {
		sig_refuse(r, "signature.malformed",
		           "payload is not a cosign simple-signing document%s%s", j ? "" : ": ",
		           j ? "" : err.msg);
		return -1;
	}
	if (strcmp(type, "cosign container image signature") != 0) {
		sig_refuse(r, "signature.malformed",
		           "payload type \"%.64s\" is not a cosign container image signature",
		           type);
		return -1;
	}
	if (digest_parse(dg, &d, &err) < 0) {
		sig_refuse(r,
		           err.code == EA_E_UNSUPPORTED ? "signature.unsupported_algorithm"
		                                        : "signature.malformed",
		           "payload docker-manifest-digest: %s", err.msg);
		return -1;
	}
	if (!digest_equal(&d, &s->digest)) {
		sig_refuse(r, "signature.digest_mismatch", "payload signs manifest %.80s, not %s",
		           d.str, s->digest.str);
		return -1;
	}
	if (a->rule && a->rule->check_reference && !reference_matches(s, ref)) {
		sig_refuse(r, "signature.reference_mismatch",
		           "payload docker-reference \"%.100s\" is none of the image's names",
		           ref ? ref : "(none)");
		return -1;
	}
	return 0;
}

/* The Rekor bundle annotation: {"SignedEntryTimestamp", "Payload": {body,
 * integratedTime, logIndex, logID}}. */
static int check_rekor(const struct trusted_root *tr, const char *bjson,
                       const struct tlog_expect *x, struct sig_result *r)
{
	ea_error_t err;
	cleanup_cjson cJSON *j = sjson_parse(bjson, strlen(bjson), &err);
	const cJSON *pl = j ? cJSON_GetObjectItemCaseSensitive(j, "Payload") : NULL;
	const char *logid = pl ? sjson_str(pl, "logID") : NULL;
	struct tlog_entry e;
	memset(&e, 0, sizeof e);
	cleanup_free unsigned char *set = NULL;
	cleanup_free unsigned char *body = NULL;
	if (!pl || !logid || strlen(logid) != 64 ||
	    sjson_i64(pl, "integratedTime", &e.integrated_time) < 0 ||
	    sjson_i64(pl, "logIndex", &e.log_index) < 0 ||
	    sjson_b64(j, "SignedEntryTimestamp", B64_STD, 1024, &set, &e.setlen, &err) < 0 ||
	    sjson_b64(pl, "body", B64_STD, SIG_MAX_ENVELOPE, &body, &e.blen, &err) < 0) {
		sig_refuse(r, "signature.malformed", "Rekor bundle annotation is malformed");
		return -1;
	}
	for (int i = 0; i < 32; i++) {
		unsigned v;
		if (sscanf(logid + 2 * i, "%2x", &v) != 1) {
			sig_refuse(r, "signature.malformed", "Rekor bundle logID is not hex");
			return -1;
		}
		e.log_id[i] = (unsigned char)v;
	}
	char hex[65];
	ea_hex(e.log_id, 32, hex);
	if (strcmp(hex, logid) != 0) { /* uppercase or other spellings change the signed JSON */
		sig_refuse(r, "signature.malformed", "Rekor bundle logID is not lowercase hex");
		return -1;
	}
	e.set = set;
	e.body = body;
	if (tlog_verify_entry(tr, &e, r) < 0) return -1;
	return tlog_body_matches(body, e.blen, x, r) < 0 ? -1 : 0;
}

static int try_keys(const struct sig_accept *a, const unsigned char *payload, size_t plen,
                    const unsigned char *sig, size_t siglen, mbedtls_md_type_t *md)
{
	/* Each key with the hash its curve pairs with (a P-384/P-521 KMS key may
	 * sign with its own hash; Ed25519 signs the payload itself, no prehash,
	 * as cosign does); then SHA-256, what cosign signs with, for any key:
	 * both are collision-resistant, neither is weaker.  *md is the hash the
	 * log's hashedrekord names (SHA-256 for Ed25519). */
	int k = accepted_key_verify_msg(a, payload, plen, sig, siglen);
	if (k >= 0) {
		const struct pubkey *key = &a->pol->keys[k].key;
		*md = key->alg == PUBKEY_ED25519 ? MBEDTLS_MD_SHA256 : pk_default_md(&key->pk);
		return k;
	}
	unsigned char h[32];
	mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), payload, plen, h);
	*md = MBEDTLS_MD_SHA256;
	return accepted_key_verify(a, MBEDTLS_MD_SHA256, h, 32, sig, siglen);
}

/* One signature layer: its annotations and what the steps learn. */
struct cosign_layer {
	const char *sig_b64, *cert_pem, *chain_pem, *rekor,
	        *tsa; /* annotations, NULL when absent */
	unsigned char *sig;
	size_t siglen;
	mbedtls_x509_crt leaf; /* keyless: the certificate, then its chain */
	int k;                 /* the accepted key that verified, -1 none */
	int keyless;           /* verified by the certificate instead */
	mbedtls_md_type_t md;  /* the hash the signature verified over */
};

/* The certificate's signature: SHA-256 (what cosign signs with), else the
 * hash its curve pairs with (a P-384 leaf: SHA-384). */
static int leaf_verifies(struct cosign_layer *l, const unsigned char *payload, size_t plen,
                         ea_error_t *err)
{
	const mbedtls_md_type_t mds[2] = {MBEDTLS_MD_SHA256, pk_default_md(&l->leaf.pk)};
	for (int i = 0; i < 2; i++)
		if (sigverify_msg(&l->leaf.pk, mds[i], payload, plen, l->sig, l->siglen, SIG_DER, 0,
		                  err) == 0) {
			l->md = mds[i];
			return 0;
		}
	return -1;
}

static void layer_freep(struct cosign_layer *l)
{
	free(l->sig);
	mbedtls_x509_crt_free(&l->leaf);
}
#define cleanup_layer __attribute__((cleanup(layer_freep)))

/* ---- 0. the annotations: a signature, perhaps a certificate (and chain) ---- */
static int read_annotations(const cJSON *ann, struct cosign_layer *l, struct sig_result *r)
{
	ea_error_t err = {0};
	l->sig_b64 = ann ? sjson_str(ann, ANN_SIG) : NULL;
	l->cert_pem = ann ? sjson_str(ann, ANN_CERT) : NULL;
	l->chain_pem = ann ? sjson_str(ann, ANN_CHAIN) : NULL;
	l->rekor = ann ? sjson_str(ann, ANN_BUNDLE) : NULL;
	l->tsa = ann ? sjson_str(ann, ANN_TSA) : NULL;
	if (!l->sig_b64) {
		sig_refuse(r, "signature.malformed", "layer has no %s annotation", ANN_SIG);
		return -1;
	}
	if (b64_decode(l->sig_b64, strlen(l->sig_b64), B64_STD, 4096, &l->sig, &l->siglen, &err) <
	            0 ||
	    l->siglen == 0) {
		sig_refuse(r, "signature.malformed", "signature annotation: %s",
		           l->siglen ? err.msg : "empty");
		return -1;
	}
	if (!l->cert_pem) return 0;
	int cnt = 0;
	if (x509_parse_any(&l->leaf, (const unsigned char *)l->cert_pem, strlen(l->cert_pem), &cnt,
	                   &err) < 0 ||
	    cnt != 1 ||
	    (l->chain_pem && x509_parse_any(&l->leaf, (const unsigned char *)l->chain_pem,
	                                    strlen(l->chain_pem), NULL, &err) < 0) ||
	    x509_count(&l->leaf) > SIG_MAX_CHAIN) {
		sig_refuse(r,
		           err.code == EA_E_UNSUPPORTED ? "signature.unsupported_algorithm"
		                                        : "signature.malformed",
		           "certificate annotation: %s",
		           cnt > 1 ? "more than one certificate" : err.msg);
		return -1;
	}
	return 0;
}

/* ---- 1. the signature, by an accepted key or (keyless) by the certificate ---- */
static int verify_signature(const struct sig_accept *a, const unsigned char *payload, size_t plen,
                            struct cosign_layer *l, struct sig_result *r)
{
	ea_error_t err;
	l->k = try_keys(a, payload, plen, l->sig, l->siglen, &l->md);
	if (l->k >= 0) {
		snprintf(r->signer, sizeof r->signer, "key:%s", a->pol->keys[l->k].name);
		return 0;
	}
	if (!l->cert_pem) {
		sig_refuse(r, accepted_has_keys(a) ? "signature.invalid" : "signature.wrong_key",
		           accepted_has_keys(a)
		                   ? "signature does not verify with any accepted key (another "
		                     "signer, or payload or signature altered)"
		                   : "key-signed, and the policy accepts no key here");
		return -1;
	}
	if (leaf_verifies(l, payload, plen, &err) < 0) {
		sig_refuse(r, "signature.payload_tampered",
		           "signature does not verify with the layer's certificate: %.200s",
		           err.msg);
		return -1;
	}
	if (!accepted_has_identities(a)) {
		char who[200];
		x509_subject_str(&l->leaf, who, sizeof who);
		if (x509_san_identity(&l->leaf, who, sizeof who) < 0)
			x509_subject_str(&l->leaf, who, sizeof who);
		sig_refuse(r, "signature.wrong_key",
		           "signed by certificate %.150s; the policy accepts %s here", who,
		           accepted_has_keys(a) ? "only keys" : "no signer");
		return -1;
	}
	l->keyless = 1;
	return 0;
}

/* ---- 3. an RFC 3161 timestamp: not needed by a key; for a certificate
 * it is a second time source ---- */
static int timestamp(const struct trusted_root *tr, struct cosign_layer *l, struct sig_result *r)
{
	if (!l->tsa) return 0;
	int64_t t;
	ea_error_t err;
	cleanup_free unsigned char *tok = NULL;
	cleanup_free unsigned char *tt = NULL;
	size_t tl, ttl = 0;
	if (b64_decode(l->tsa, strlen(l->tsa), B64_STD, 64 * 1024, &tok, &tl, &err) < 0) {
		sig_refuse(r, "signature.malformed", "RFC 3161 timestamp annotation: %s", err.msg);
		return -1;
	}
	/* cosign's annotation is JSON {"SignedRFC3161Timestamp": b64}: pass its decoded token. */
	cleanup_cjson cJSON *tj = sjson_parse((const char *)tok, tl, &err);
	if (!tj ||
	    sjson_b64(tj, "SignedRFC3161Timestamp", B64_STD, 64 * 1024, &tt, &ttl, &err) < 0) {
		sig_refuse(r, "signature.malformed", "RFC 3161 timestamp annotation is malformed");
		return -1;
	}
	if (tsa_verify(tr, NULL, tt, ttl, l->sig, l->siglen, &t, r) < 0) return -1;
	if (l->keyless && fulcio_verify_cert(tr, &l->leaf, t, r) < 0) return -1;
	return 0;
}

/* ---- 4. the Rekor entry: checked when keyless or with a trusted root ---- */
static int transparency_log(const struct sig_accept *a, const struct trusted_root *tr,
                            const unsigned char *payload, size_t plen, const struct cosign_layer *l,
                            struct sig_result *r)
{
	if (!l->rekor) return 0;
	if (!l->keyless && !tr) {
		snprintf(r->tlog, sizeof r->tlog, "not_checked");
		return 0;
	}
	/* the hashedrekord names the hash the signature is over */
	unsigned char pd[MBEDTLS_MD_MAX_SIZE];
	const mbedtls_md_info_t *mi = mbedtls_md_info_from_type(l->md);
	mbedtls_md(mi, payload, plen, pd);
	unsigned char kbuf[4096];
	const unsigned char *kd = NULL;
	int kl = l->k >= 0 ? pubkey_spki_der(&a->pol->keys[l->k].key, kbuf, sizeof kbuf, &kd) : 0;
	struct tlog_expect x = {
	        .sig = l->sig,
	        .siglen = l->siglen,
	        .cert_der = l->keyless ? l->leaf.raw.p : NULL,
	        .cert_len = l->keyless ? l->leaf.raw.len : 0,
	        .key_der = kd,
	        .key_len = kl > 0 ? (size_t)kl : 0,
	        .digest = pd,
	        .dlen = mbedtls_md_get_size(mi),
	};
	r->signed_at_ms = 0;
	return check_rekor(tr, l->rekor, &x, r);
}

/* ---- 5. keyless: the certificate at the integrated time, and who it names ---- */
static int certificate(const struct sig_accept *a, const struct trusted_root *tr,
                       struct cosign_layer *l, struct sig_result *r)
{
	if (!l->keyless) return 0;
	if (!l->rekor || r->signed_at_ms == 0) {
		sig_refuse(r, "signature.no_timestamp",
		           "keyless signature without a verified Rekor entry");
		return -1;
	}
	if (fulcio_verify_cert(tr, &l->leaf, r->signed_at_ms, r) < 0) return -1;
	return identity_accept(a, &l->leaf, r) < 0 ? -1 : 0;
}

void cosign_verify_layer(const struct sig_accept *a, const struct sig_subject *s,
                         const unsigned char *payload, size_t plen, const cJSON *ann,
                         struct sig_result *r)
{
	snprintf(r->kind, sizeof r->kind, "cosign");
	snprintf(r->tlog, sizeof r->tlog, "none");
	sig_refuse(r, "signature.malformed", "signature not checked");
	const struct trusted_root *tr = a->pol ? a->pol->troot : NULL;
	cleanup_layer struct cosign_layer l = {.k = -1, .md = MBEDTLS_MD_SHA256};
	mbedtls_x509_crt_init(&l.leaf);

	if (read_annotations(ann, &l, r) < 0) return;
	if (verify_signature(a, payload, plen, &l, r) < 0) return;
	if (check_payload(a, s, payload, plen, r) < 0)
		return; /* 2. the payload names the manifest */
	if (timestamp(tr, &l, r) < 0) return;
	if (transparency_log(a, tr, payload, plen, &l, r) < 0) return;
	if (certificate(a, tr, &l, r) < 0) return;

	r->refusal = NULL; /* every check above passed */
	r->msg[0] = '\0';
}
