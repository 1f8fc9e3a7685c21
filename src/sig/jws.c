/* jws: Notary Project signatures in the JWS JSON flattened serialization
 * (notaryproject/specifications signature-envelope-jws.md,
 * signature-specification.md, trust-store-trust-policy.md).
 *
 * Validations in the specification's order, each enforced or only logged
 * as the trust policy statement's level says:
 *   integrity (always enforced): envelope shape, protected header (cty,
 *     crit, signing scheme), alg = the leaf key's algorithm, the signature
 *     over BASE64URL(protected) "." BASE64URL(payload), the payload's
 *     targetArtifact = the verified manifest;
 *   authenticity: a complete x5c chain ending in a root that is in the
 *     statement's trust store, a code-signing leaf, a trusted identity;
 *   expiry: io.cncf.notary.expiry against the clock;
 *   authentic timestamp: the chain valid now (no timestamp) or at the
 *     authentic signing time (signingAuthority scheme); an RFC 3161
 *     countersignature is verified by tsa_verify;
 *   revocation: a certificate naming a CRL or OCSP location cannot be
 *     checked offline: revocation status unknown. */
#include <mbedtls/oid.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "b64.h"
#include "digest.h"
#include "sig_int.h"
#include "x509util.h"

#define NOTARY_CTY "application/vnd.cncf.notary.payload.v1+json"
#define H_SCHEME "io.cncf.notary.signingScheme"
#define H_TIME "io.cncf.notary.signingTime"
#define H_ATIME "io.cncf.notary.authenticSigningTime"
#define H_EXPIRY "io.cncf.notary.expiry"
#define H_PLUGIN "io.cncf.notary.verificationPlugin"
#define H_PLUGIN_MIN "io.cncf.notary.verificationPluginMinVersion"

/* A failed validation: a refusal when enforced, a note when logged. */
static int nv_fail(int level, struct sig_result *r, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int nv_fail(int level, struct sig_result *r, const char *id, const char *fmt, ...)
{
	char m[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	if (level == NV_ENFORCE) {
		sig_refuse(r, id, "%s", m);
		return -1;
	}
	size_t n = strlen(r->logged);
	snprintf(r->logged + n, sizeof r->logged - n, "%s%s: %s", n ? "; " : "", id, m);
	return 0;
}

/* The alg the leaf key demands (signature-specification.md algorithm table). */
static const char *alg_for_key(const mbedtls_pk_context *pk)
{
	size_t bits = mbedtls_pk_get_bitlen(pk);
	if (mbedtls_pk_get_type(pk) == MBEDTLS_PK_RSA) {
		if (bits == 2048) return "PS256";
		if (bits == 3072) return "PS384";
		if (bits == 4096) return "PS512";
	} else if (mbedtls_pk_get_type(pk) == MBEDTLS_PK_ECKEY) {
		if (bits == 256) return "ES256";
		if (bits == 384) return "ES384";
		if (bits == 521) return "ES512";
	}
	return NULL;
}

static int has_revocation_info(const mbedtls_x509_crt *c)
{
	static const char cdp[] = "\x55\x1d\x1f";                     /* 2.5.29.31 */
	static const char aia[] = "\x2b\x06\x01\x05\x05\x07\x01\x01"; /* 1.3.6.1.5.5.7.1.1 */
	const unsigned char *v;
	size_t vl;
	if (x509_find_ext(c, cdp, 3, &v, &vl, NULL)) return 1;
	/* AIA matters only when it names an OCSP responder (1.3.6.1.5.5.7.48.1). */
	static const unsigned char ocsp[] = {0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01};
	if (x509_find_ext(c, aia, 8, &v, &vl, NULL) && memmem(v, vl, ocsp, sizeof ocsp)) return 1;
	return 0;
}

void notation_verify_jws(const struct sig_accept *a, const struct sig_subject *s, const char *env, size_t elen,
			 struct sig_result *r)
{
	snprintf(r->kind, sizeof r->kind, "notation");
	snprintf(r->tlog, sizeof r->tlog, "none");
	sig_refuse(r, "signature.malformed", "signature not checked");
	ea_error_t err;
	cJSON *j = NULL, *ph = NULL, *pl = NULL;
	unsigned char *phraw = NULL, *plraw = NULL, *sig = NULL;
	size_t phl, pll, sigl;
	mbedtls_x509_crt chain, roots;
	mbedtls_x509_crt_init(&chain);
	mbedtls_x509_crt_init(&roots);
	const struct notation_cfg *nc = a->pol ? a->pol->notation : NULL;

	/* The statement for this image: exact scope, else the global one. */
	char repos[8][512];
	const char *rp[8];
	int nr = 0;
	for (int i = 0; i < s->nnames && nr < 8; i++) {
		image_repo(s->names[i], repos[nr], sizeof repos[nr]);
		rp[nr] = repos[nr];
		nr++;
	}
	const struct nt_statement *st = notation_select(nc, rp, nr);
	if (!nc) {
		sig_refuse(r, "signature.no_trust_policy", "no notation trust policy configured");
		goto out;
	}
	if (!st) {
		sig_refuse(r, "signature.no_trust_policy", "no notation trust policy statement applies to %.200s",
			   nr ? rp[0] : "this unnamed image");
		goto out;
	}
	if (st->skip) {
		r->skipped = 1;
		sig_refuse(r, "signature.missing", "notation trust policy statement \"%.100s\" skips verification", st->name);
		goto out;
	}

	/* ---- integrity ---- */
	j = sjson_parse(env, elen, &err);
	if (!j || !cJSON_IsObject(j)) {
		sig_refuse(r, "signature.malformed", "JWS envelope is not valid JSON: %s", j ? "not an object" : err.msg);
		goto out;
	}
	for (const cJSON *m = j->child; m; m = m->next)
		if (strcmp(m->string, "payload") && strcmp(m->string, "protected") && strcmp(m->string, "header") &&
		    strcmp(m->string, "signature")) {
			sig_refuse(r, "signature.malformed", "JWS envelope has unknown member \"%.64s\"", m->string);
			goto out;
		}
	const char *p64 = sjson_str(j, "protected"), *pl64 = sjson_str(j, "payload"), *s64 = sjson_str(j, "signature");
	const cJSON *hdr = cJSON_GetObjectItemCaseSensitive(j, "header");
	const cJSON *x5c = hdr ? cJSON_GetObjectItemCaseSensitive(hdr, "x5c") : NULL;
	if (!p64 || !pl64 || !s64 || !cJSON_IsObject(hdr)) {
		sig_refuse(r, "signature.malformed", "JWS envelope lacks protected, payload, header or signature");
		goto out;
	}
	if (b64_decode(p64, strlen(p64), B64_URL, 64 * 1024, &phraw, &phl, &err) < 0 ||
	    b64_decode(pl64, strlen(pl64), B64_URL, SIG_MAX_PAYLOAD, &plraw, &pll, &err) < 0 ||
	    b64_decode(s64, strlen(s64), B64_URL, 1024, &sig, &sigl, &err) < 0) {
		sig_refuse(r, "signature.malformed", "JWS base64url: %s", err.msg);
		goto out;
	}
	ph = sjson_parse((const char *)phraw, phl, &err);
	if (!ph || !cJSON_IsObject(ph)) {
		sig_refuse(r, "signature.malformed", "JWS protected header is not a JSON object");
		goto out;
	}
	const char *alg = sjson_str(ph, "alg"), *cty = sjson_str(ph, "cty"), *scheme = sjson_str(ph, H_SCHEME);
	const cJSON *crit = cJSON_GetObjectItemCaseSensitive(ph, "crit");
	if (!alg || !cty || !scheme || !cJSON_IsArray(crit)) {
		sig_refuse(r, "signature.malformed", "protected header lacks alg, cty, crit or %s", H_SCHEME);
		goto out;
	}
	if (strcmp(cty, NOTARY_CTY) != 0) {
		sig_refuse(r, "signature.unsupported_envelope", "payload content type \"%.80s\" is not supported", cty);
		goto out;
	}
	int sa = !strcmp(scheme, "notary.x509.signingAuthority");
	if (!sa && strcmp(scheme, "notary.x509") != 0) {
		sig_refuse(r, "signature.unsupported_envelope", "signing scheme \"%.64s\" is not supported", scheme);
		goto out;
	}
	/* crit: only names we understand, each present; the required ones listed. */
	int crit_scheme = 0, crit_expiry = 0, crit_atime = 0;
	for (const cJSON *c = crit->child; c; c = c->next) {
		const char *v = cJSON_IsString(c) ? c->valuestring : "";
		if (!strcmp(v, H_SCHEME)) crit_scheme = 1;
		else if (!strcmp(v, H_EXPIRY)) crit_expiry = 1;
		else if (!strcmp(v, H_ATIME)) crit_atime = 1;
		else if (!strcmp(v, H_PLUGIN) || !strcmp(v, H_PLUGIN_MIN)) {
			sig_refuse(r, "signature.unsupported_envelope", "signature requires verification plugin: not supported offline");
			goto out;
		} else {
			sig_refuse(r, "signature.malformed", "crit names \"%.64s\", which this verifier does not understand", v);
			goto out;
		}
		if (!cJSON_GetObjectItemCaseSensitive(ph, v)) {
			sig_refuse(r, "signature.malformed", "crit names %.64s, absent from the header", v);
			goto out;
		}
	}
	const char *expiry = sjson_str(ph, H_EXPIRY), *stime = sjson_str(ph, H_TIME), *atime = sjson_str(ph, H_ATIME);
	if (!crit_scheme || (cJSON_GetObjectItemCaseSensitive(ph, H_EXPIRY) && !crit_expiry) ||
	    (cJSON_GetObjectItemCaseSensitive(ph, H_ATIME) && !crit_atime)) {
		sig_refuse(r, "signature.malformed", "crit does not list every critical header");
		goto out;
	}
	int64_t t_sign = 0, t_exp = 0, t_auth = 0;
	if ((!sa && (!stime || rfc3339_parse_ms(stime, &t_sign, &err) < 0)) ||
	    (sa && (!atime || rfc3339_parse_ms(atime, &t_auth, &err) < 0)) ||
	    (expiry && rfc3339_parse_ms(expiry, &t_exp, &err) < 0) ||
	    (cJSON_GetObjectItemCaseSensitive(ph, H_EXPIRY) && !expiry)) {
		sig_refuse(r, "signature.malformed", "signing time, authentic signing time or expiry is missing or malformed");
		goto out;
	}
	/* x5c: leaf first, then the chain up to its root (standard base64 DER) */
	if (!cJSON_IsArray(x5c) || cJSON_GetArraySize(x5c) < 1 || cJSON_GetArraySize(x5c) > SIG_MAX_CHAIN) {
		sig_refuse(r, "signature.malformed", "x5c must hold 1 to %d certificates", SIG_MAX_CHAIN);
		goto out;
	}
	for (const cJSON *c = x5c->child; c; c = c->next) {
		unsigned char *der = NULL;
		size_t dl;
		if (!cJSON_IsString(c) || b64_decode(c->valuestring, strlen(c->valuestring), B64_STD, SIG_MAX_CERT, &der, &dl, &err) < 0 ||
		    x509_parse_der(&chain, der, dl, &err) < 0) {
			free(der);
			sig_refuse(r, err.code == EA_E_UNSUPPORTED ? "signature.unsupported_algorithm" : "signature.malformed",
				   "x5c certificate: %s", err.msg);
			goto out;
		}
		free(der);
	}
	const char *want = alg_for_key(&chain.pk);
	if (!want) {
		sig_refuse(r, "signature.unsupported_algorithm", "signing key (%zu-bit) is not an allowed Notary Project key",
			   mbedtls_pk_get_bitlen(&chain.pk));
		goto out;
	}
	if (strcmp(want, alg) != 0) {
		sig_refuse(r, "signature.unsupported_algorithm", "alg %.16s does not match the signing key (%s)", alg, want);
		goto out;
	}
	mbedtls_md_type_t md = alg[2] == '2' ? MBEDTLS_MD_SHA256 : alg[2] == '3' ? MBEDTLS_MD_SHA384 : MBEDTLS_MD_SHA512;
	{
		/* Signing input: the two base64url strings as they are in the envelope. */
		size_t n = strlen(p64) + 1 + strlen(pl64);
		char *in = xmalloc(n + 1);
		snprintf(in, n + 1, "%s.%s", p64, pl64);
		int pss = alg[0] == 'P';
		int rc = sigverify_msg(&chain.pk, md, in, n, sig, sigl, pss ? SIG_DER : SIG_RAW_RS, pss, &err);
		free(in);
		if (rc < 0) {
			sig_refuse(r, err.code == EA_E_MISMATCH ? "signature.payload_tampered" : "signature.malformed",
				   "JWS signature does not verify with the x5c leaf: %.200s", err.msg);
			goto out;
		}
	}
	pl = sjson_parse((const char *)plraw, pll, &err);
	const cJSON *ta = pl ? cJSON_GetObjectItemCaseSensitive(pl, "targetArtifact") : NULL;
	const char *tdg = ta ? sjson_str(ta, "digest") : NULL, *tmt = ta ? sjson_str(ta, "mediaType") : NULL;
	int64_t tsize;
	digest_t td;
	if (!tdg || !tmt || sjson_i64(ta, "size", &tsize) < 0 || digest_parse(tdg, &td, &err) < 0) {
		sig_refuse(r, "signature.malformed", "payload targetArtifact lacks a digest, mediaType or size");
		goto out;
	}
	if (!digest_equal(&td, &s->digest) || (s->size >= 0 && tsize != s->size) ||
	    (s->media_type && strcmp(tmt, s->media_type) != 0)) {
		sig_refuse(r, "signature.digest_mismatch", "signature is for %.80s (%lld bytes, %.60s), not %s", td.str,
			   (long long)tsize, tmt, s->digest.str);
		goto out;
	}
	x509_subject_str(&chain, r->signer, sizeof r->signer);

	/* ---- authenticity ---- */
	const char *want_type = sa ? "signingAuthority" : "ca";
	int nroots = 0;
	ea_error_t perr;
	for (int i = 0; i < st->nstores; i++)
		if (!strcmp(st->stores[i]->type, want_type))
			for (const mbedtls_x509_crt *c = &st->stores[i]->certs; c && c->raw.len; c = c->next)
				if (x509_parse_der(&roots, c->raw.p, c->raw.len, &perr) == 0) nroots++;
	{
		const mbedtls_x509_crt *last = &chain;
		while (last->next && last->next->raw.len) last = last->next;
		int in_store = 0;
		for (const mbedtls_x509_crt *c = &roots; nroots && c && c->raw.len; c = c->next)
			if (c->raw.len == last->raw.len && !memcmp(c->raw.p, last->raw.p, c->raw.len)) in_store = 1;
		struct x509_verdict v;
		int ku_ok = mbedtls_x509_crt_check_key_usage(&chain, MBEDTLS_X509_KU_DIGITAL_SIGNATURE) == 0 &&
			    mbedtls_x509_crt_has_ext_type(&chain, MBEDTLS_X509_EXT_KEY_USAGE) &&
			    mbedtls_x509_crt_check_extended_key_usage(&chain, MBEDTLS_OID_CODE_SIGNING,
								      MBEDTLS_OID_SIZE(MBEDTLS_OID_CODE_SIGNING)) == 0 &&
			    mbedtls_x509_crt_get_ca_istrue(&chain) != 1;
		if (nroots == 0) {
			if (nv_fail(st->authenticity, r, "signature.untrusted_chain", "trust policy \"%.64s\" has no %s trust store",
				    st->name, want_type) < 0)
				goto out;
		} else if (!x509_is_self_signed(last) || !in_store) {
			if (nv_fail(st->authenticity, r, "signature.untrusted_chain",
				    "the x5c chain does not end in a root of the trust store") < 0)
				goto out;
		} else if (x509_verify_chain_at(&chain, &roots, -1, &v) < 0) {
			if (nv_fail(st->authenticity, r, v.refusal, "%s", v.msg) < 0) goto out;
		} else if (!ku_ok) {
			if (nv_fail(st->authenticity, r, "signature.untrusted_chain", "signing certificate is not a code-signing leaf") < 0)
				goto out;
		} else if (!st->any_identity) {
			int match = 0;
			for (int i = 0; i < st->nidentities; i++)
				if (notation_identity_match(st->identities[i], &chain)) match = 1;
			if (!match && nv_fail(st->authenticity, r, "signature.identity_mismatch", "%.180s is not a trusted identity",
					      r->signer) < 0)
				goto out;
		}
	}

	/* ---- expiry ---- */
	if (expiry && a->pol->now_ms >= t_exp) {
		if (nv_fail(st->expiry, r, "signature.expired", "the signature expired at %.40s", expiry) < 0) goto out;
	}

	/* ---- authentic timestamp ---- */
	{
		int64_t lo = a->pol->now_ms, hi = a->pol->now_ms;
		const cJSON *tsig = cJSON_GetObjectItemCaseSensitive(hdr, "io.cncf.notary.timestampSignature");
		int ts_ok = 1;
		if (sa) {
			lo = hi = t_auth;
		} else if (tsig && st->ts_after_expiry && !x509_validity_at(&chain, hi)) {
			/* verifyTimestamp afterCertExpiry: the chain is judged now below */
		} else if (tsig) {
			unsigned char *tok = NULL;
			size_t tl;
			int64_t t = 0;
			mbedtls_x509_crt tsa_roots;
			mbedtls_x509_crt_init(&tsa_roots);
			for (int i = 0; i < st->nstores; i++)
				if (!strcmp(st->stores[i]->type, "tsa"))
					for (const mbedtls_x509_crt *c = &st->stores[i]->certs; c && c->raw.len; c = c->next)
						x509_parse_der(&tsa_roots, c->raw.p, c->raw.len, &perr);
			struct sig_result tr = *r;
			if (!cJSON_IsString(tsig) ||
			    b64_decode(tsig->valuestring, strlen(tsig->valuestring), B64_STD, 64 * 1024, &tok, &tl, &err) < 0) {
				sig_refuse(&tr, "signature.malformed", "timestamp signature is not base64");
				ts_ok = 0;
			} else if (tsa_verify(NULL, &tsa_roots, tok, tl, sig, sigl, &t, &tr) < 0) {
				ts_ok = 0;
			} else {
				lo = hi = t;
			}
			free(tok);
			mbedtls_x509_crt_free(&tsa_roots);
			if (!ts_ok && nv_fail(st->authentic_timestamp, r, tr.refusal, "%s", tr.msg) < 0) goto out;
		}
		if (ts_ok) {
			for (const mbedtls_x509_crt *c = &chain; c && c->raw.len; c = c->next) {
				const char *why = x509_validity_at(c, lo);
				if (!why) why = x509_validity_at(c, hi);
				if (why) {
					char who[160], ts[32];
					x509_subject_str(c, who, sizeof who);
					rfc3339_format(lo, ts, sizeof ts);
					if (nv_fail(st->authentic_timestamp, r, why, "certificate \"%.100s\" is not valid at %s", who, ts) < 0)
						goto out;
					break;
				}
			}
		}
	}

	/* ---- revocation ---- */
	if (st->revocation != NV_SKIP) {
		for (const mbedtls_x509_crt *c = &chain; c && c->raw.len; c = c->next)
			if (has_revocation_info(c)) {
				char who[160];
				x509_subject_str(c, who, sizeof who);
				if (nv_fail(st->revocation, r, "signature.revocation_unknown",
					    "certificate \"%.100s\" names a CRL or OCSP responder: revocation cannot be checked offline", who) < 0)
					goto out;
				break;
			}
	}
	r->signed_at_ms = sa ? t_auth : 0; /* notary.x509's signingTime is untrusted: not reported as verified */
	r->refusal = NULL; /* every enforced validation passed */
	r->msg[0] = '\0';
out:
	cJSON_Delete(j);
	cJSON_Delete(ph);
	cJSON_Delete(pl);
	free(phraw);
	free(plraw);
	free(sig);
	mbedtls_x509_crt_free(&chain);
	mbedtls_x509_crt_free(&roots);
}
