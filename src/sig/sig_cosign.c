/* sig_cosign: cosign "simple signing" (cosign specs/SIGNATURE_SPEC.md): a
 * layer whose blob is the payload and whose annotations carry the
 * signature (base64 DER over SHA-256 of the payload bytes), and for keyless
 * signatures the Fulcio certificate, its chain and the Rekor bundle.
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

#define ANN_SIG "dev.cosignproject.cosign/signature"
#define ANN_CERT "dev.sigstore.cosign/certificate"
#define ANN_CHAIN "dev.sigstore.cosign/chain"
#define ANN_BUNDLE "dev.sigstore.cosign/bundle"
#define ANN_TSA "dev.sigstore.cosign/rfc3161timestamp"

/* The payload's claims, read only after its signature verified. */
static int check_payload(const struct sig_accept *a, const struct sig_subject *s, const unsigned char *payload,
			 size_t plen, struct sig_result *r)
{
	ea_error_t err;
	cJSON *j = sjson_parse((const char *)payload, plen, &err);
	const cJSON *crit = j ? cJSON_GetObjectItemCaseSensitive(j, "critical") : NULL;
	const cJSON *img = crit ? cJSON_GetObjectItemCaseSensitive(crit, "image") : NULL;
	const cJSON *idn = crit ? cJSON_GetObjectItemCaseSensitive(crit, "identity") : NULL;
	const char *type = crit ? sjson_str(crit, "type") : NULL;
	const char *dg = img ? sjson_str(img, "docker-manifest-digest") : NULL;
	const char *ref = idn ? sjson_str(idn, "docker-reference") : NULL;
	int rc = -1;
	digest_t d;
	if (!cJSON_IsObject(crit) || !type || !dg) {
		sig_refuse(r, "signature.malformed", "payload is not a cosign simple-signing document%s%s", j ? "" : ": ",
			   j ? "" : err.msg);
	} else if (strcmp(type, "cosign container image signature") != 0) {
		sig_refuse(r, "signature.malformed", "payload type \"%.64s\" is not a cosign container image signature", type);
	} else if (digest_parse(dg, &d, &err) < 0) {
		sig_refuse(r, err.code == EA_E_UNSUPPORTED ? "signature.unsupported_algorithm" : "signature.malformed",
			   "payload docker-manifest-digest: %s", err.msg);
	} else if (!digest_equal(&d, &s->digest)) {
		sig_refuse(r, "signature.digest_mismatch", "payload signs manifest %.80s, not %s", d.str, s->digest.str);
	} else {
		rc = 0;
		if (a->rule && a->rule->check_reference) {
			int match = 0;
			for (int i = 0; ref && i < s->nnames; i++) {
				char repo[512];
				image_repo(s->names[i], repo, sizeof repo);
				if (!strcmp(repo, ref) || !strcmp(s->names[i], ref)) match = 1;
			}
			if (!match) {
				sig_refuse(r, "signature.reference_mismatch", "payload docker-reference \"%.100s\" is none of the image's names",
					   ref ? ref : "(none)");
				rc = -1;
			}
		}
	}
	cJSON_Delete(j);
	return rc;
}

/* The Rekor bundle annotation: {"SignedEntryTimestamp", "Payload": {body,
 * integratedTime, logIndex, logID}}. */
static int check_rekor(const struct trusted_root *tr, const char *bjson, const struct tlog_expect *x,
		       struct sig_result *r)
{
	ea_error_t err;
	cJSON *j = sjson_parse(bjson, strlen(bjson), &err);
	const cJSON *pl = j ? cJSON_GetObjectItemCaseSensitive(j, "Payload") : NULL;
	const char *logid = pl ? sjson_str(pl, "logID") : NULL;
	struct tlog_entry e;
	memset(&e, 0, sizeof e);
	unsigned char *set = NULL, *body = NULL;
	int rc = -1;
	if (!pl || !logid || strlen(logid) != 64 || sjson_i64(pl, "integratedTime", &e.integrated_time) < 0 ||
	    sjson_i64(pl, "logIndex", &e.log_index) < 0 ||
	    sjson_b64(j, "SignedEntryTimestamp", B64_STD, 1024, &set, &e.setlen, &err) < 0 ||
	    sjson_b64(pl, "body", B64_STD, SIG_MAX_ENVELOPE, &body, &e.blen, &err) < 0) {
		sig_refuse(r, "signature.malformed", "Rekor bundle annotation is malformed");
		goto out;
	}
	for (int i = 0; i < 32; i++) {
		unsigned v;
		if (sscanf(logid + 2 * i, "%2x", &v) != 1) {
			sig_refuse(r, "signature.malformed", "Rekor bundle logID is not hex");
			goto out;
		}
		e.log_id[i] = (unsigned char)v;
	}
	char hex[65];
	ea_hex(e.log_id, 32, hex);
	if (strcmp(hex, logid) != 0) { /* uppercase or other spellings change the signed JSON */
		sig_refuse(r, "signature.malformed", "Rekor bundle logID is not lowercase hex");
		goto out;
	}
	e.set = set;
	e.body = body;
	if (tlog_verify_entry(tr, &e, r) < 0) goto out;
	if (tlog_body_matches(body, e.blen, x, r) < 0) goto out;
	rc = 0;
out:
	free(set);
	free(body);
	cJSON_Delete(j);
	return rc;
}

static int try_keys(const struct sig_accept *a, const unsigned char *payload, size_t plen, const unsigned char *sig,
		    size_t siglen)
{
	/* SHA-256 is what cosign signs with; a P-384/P-521 key may pair with its
	 * own hash (KMS keys): both are collision-resistant, neither is weaker. */
	unsigned char h[64];
	mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), payload, plen, h);
	int k = accepted_key_verify(a, MBEDTLS_MD_SHA256, h, 32, sig, siglen);
	if (k >= 0) return k;
	static const mbedtls_md_type_t others[] = {MBEDTLS_MD_SHA384, MBEDTLS_MD_SHA512};
	for (int i = 0; i < 2; i++) {
		const mbedtls_md_info_t *mi = mbedtls_md_info_from_type(others[i]);
		mbedtls_md(mi, payload, plen, h);
		k = accepted_key_verify(a, others[i], h, mbedtls_md_get_size(mi), sig, siglen);
		if (k >= 0 && pk_default_md(&a->pol->keys[k].pk) == others[i]) return k;
	}
	return -1;
}

void cosign_verify_layer(const struct sig_accept *a, const struct sig_subject *s, const unsigned char *payload,
			 size_t plen, const cJSON *ann, struct sig_result *r)
{
	snprintf(r->kind, sizeof r->kind, "cosign");
	snprintf(r->tlog, sizeof r->tlog, "none");
	sig_refuse(r, "signature.malformed", "signature not checked");
	const struct trusted_root *tr = a->pol ? a->pol->troot : NULL;
	const char *sig_b64 = ann ? sjson_str(ann, ANN_SIG) : NULL;
	const char *cert_pem = ann ? sjson_str(ann, ANN_CERT) : NULL;
	const char *chain_pem = ann ? sjson_str(ann, ANN_CHAIN) : NULL;
	const char *rekor = ann ? sjson_str(ann, ANN_BUNDLE) : NULL;
	const char *tsa = ann ? sjson_str(ann, ANN_TSA) : NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	ea_error_t err;
	mbedtls_x509_crt leaf;
	mbedtls_x509_crt_init(&leaf);
	digest_t pd;
	digest_buffer(DIGEST_SHA256, payload, plen, &pd);
	if (!sig_b64) {
		sig_refuse(r, "signature.malformed", "layer has no %s annotation", ANN_SIG);
		goto out;
	}
	if (b64_decode(sig_b64, strlen(sig_b64), B64_STD, 4096, &sig, &siglen, &err) < 0 || siglen == 0) {
		sig_refuse(r, "signature.malformed", "signature annotation: %s", siglen ? err.msg : "empty");
		goto out;
	}
	if (cert_pem) {
		int cnt = 0;
		if (x509_parse_any(&leaf, (const unsigned char *)cert_pem, strlen(cert_pem), &cnt, &err) < 0 || cnt != 1 ||
		    (chain_pem && x509_parse_any(&leaf, (const unsigned char *)chain_pem, strlen(chain_pem), NULL, &err) < 0) ||
		    x509_count(&leaf) > SIG_MAX_CHAIN) {
			sig_refuse(r, err.code == EA_E_UNSUPPORTED ? "signature.unsupported_algorithm" : "signature.malformed",
				   "certificate annotation: %s", cnt > 1 ? "more than one certificate" : err.msg);
			goto out;
		}
	}

	int k = try_keys(a, payload, plen, sig, siglen);
	int keyless = 0;
	if (k >= 0) {
		snprintf(r->signer, sizeof r->signer, "key:%s", a->pol->keys[k].name);
	} else if (cert_pem) {
		if (sigverify_msg(&leaf.pk, MBEDTLS_MD_SHA256, payload, plen, sig, siglen, SIG_DER, 0, &err) < 0) {
			sig_refuse(r, "signature.payload_tampered", "signature does not verify with the layer's certificate: %.200s", err.msg);
			goto out;
		}
		if (!accepted_has_identities(a)) {
			char who[200];
			x509_subject_str(&leaf, who, sizeof who);
			if (x509_san_identity(&leaf, who, sizeof who) < 0) x509_subject_str(&leaf, who, sizeof who);
			sig_refuse(r, "signature.wrong_key", "signed by certificate %.150s; the policy accepts %s here", who,
				   accepted_has_keys(a) ? "only keys" : "no signer");
			goto out;
		}
		keyless = 1;
	} else {
		sig_refuse(r, accepted_has_keys(a) ? "signature.invalid" : "signature.wrong_key",
			   accepted_has_keys(a) ? "signature does not verify with any accepted key (another signer, or payload or signature altered)"
						: "key-signed, and the policy accepts no key here");
		goto out;
	}
	if (check_payload(a, s, payload, plen, r) < 0) goto out;
	if (tsa) {
		/* Not needed by a key; for a certificate it would be a second time source. */
		int64_t t;
		unsigned char *tok = NULL;
		size_t tl;
		if (b64_decode(tsa, strlen(tsa), B64_STD, 64 * 1024, &tok, &tl, &err) < 0) {
			sig_refuse(r, "signature.malformed", "RFC 3161 timestamp annotation: %s", err.msg);
			goto out;
		}
		/* cosign's annotation is JSON {"SignedRFC3161Timestamp": b64}: pass its decoded token. */
		cJSON *tj = sjson_parse((const char *)tok, tl, &err);
		unsigned char *tt = NULL;
		size_t ttl = 0;
		int rc = tj ? sjson_b64(tj, "SignedRFC3161Timestamp", B64_STD, 64 * 1024, &tt, &ttl, &err) : -1;
		cJSON_Delete(tj);
		free(tok);
		if (rc < 0) {
			sig_refuse(r, "signature.malformed", "RFC 3161 timestamp annotation is malformed");
			goto out;
		}
		rc = tsa_verify(tr, NULL, tt, ttl, sig, siglen, &t, r);
		free(tt);
		if (rc < 0) goto out;
		if (keyless && fulcio_verify_cert(tr, &leaf, t, r) < 0) goto out;
	}
	if (rekor && (keyless || tr)) {
		unsigned char kbuf[4096];
		const unsigned char *kd = NULL;
		int kl = k >= 0 ? pk_spki_der(&a->pol->keys[k].pk, kbuf, sizeof kbuf, &kd) : 0;
		struct tlog_expect x = {
			.sig = sig, .siglen = siglen,
			.cert_der = keyless ? leaf.raw.p : NULL, .cert_len = keyless ? leaf.raw.len : 0,
			.key_der = kd, .key_len = kl > 0 ? (size_t)kl : 0,
			.digest = pd.bytes, .dlen = 32,
		};
		r->signed_at_ms = 0;
		if (check_rekor(tr, rekor, &x, r) < 0) goto out;
	} else if (rekor) {
		snprintf(r->tlog, sizeof r->tlog, "not_checked");
	}
	if (keyless) {
		if (!rekor || r->signed_at_ms == 0) {
			sig_refuse(r, "signature.no_timestamp", "keyless signature without a verified Rekor entry");
			goto out;
		}
		if (fulcio_verify_cert(tr, &leaf, r->signed_at_ms, r) < 0) goto out;
		if (identity_accept(a, &leaf, r) < 0) goto out;
	}
	r->refusal = NULL; /* every check above passed */
	r->msg[0] = '\0';
out:
	free(sig);
	mbedtls_x509_crt_free(&leaf);
}
