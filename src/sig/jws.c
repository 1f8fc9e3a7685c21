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

#define NOTARY_CTY   "application/vnd.cncf.notary.payload.v1+json"
#define H_SCHEME     "io.cncf.notary.signingScheme"
#define H_TIME       "io.cncf.notary.signingTime"
#define H_ATIME      "io.cncf.notary.authenticSigningTime"
#define H_EXPIRY     "io.cncf.notary.expiry"
#define H_PLUGIN     "io.cncf.notary.verificationPlugin"
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
	static const unsigned char ocsp[] = {0x06, 0x08, 0x2b, 0x06, 0x01,
	                                     0x05, 0x05, 0x07, 0x30, 0x01};
	if (x509_find_ext(c, aia, 8, &v, &vl, NULL) && memmem(v, vl, ocsp, sizeof ocsp)) return 1;
	return 0;
}

/* The envelope under verification: what integrity establishes and the
 * later validations read.  Released by the cleanup_jws attribute. */
struct jws {
	cJSON *env, *ph;        /* the envelope, its protected header */
	const cJSON *hdr;       /* the unprotected header */
	const char *p64, *pl64; /* as in the envelope: the signing input */
	unsigned char *phraw, *plraw, *sig;
	size_t phl, pll, sigl;
	const char *alg, *expiry;
	int sa; /* scheme notary.x509.signingAuthority */
	int64_t t_exp, t_auth;
	mbedtls_x509_crt chain; /* x5c: the leaf first */
};

static void jws_freep(struct jws *w)
{
	cJSON_Delete(w->env);
	cJSON_Delete(w->ph);
	free(w->phraw);
	free(w->plraw);
	free(w->sig);
	mbedtls_x509_crt_free(&w->chain);
}
#define cleanup_jws __attribute__((cleanup(jws_freep)))

/* Copy the certificates of the statement's trust stores of one type into
 * out; how many parsed. */
static int store_certs(const struct nt_statement *st, const char *type, mbedtls_x509_crt *out)
{
	ea_error_t err;
	int n = 0;
	for (int i = 0; i < st->nstores; i++)
		if (!strcmp(st->stores[i]->type, type))
			for (const mbedtls_x509_crt *c = &st->stores[i]->certs; c && c->raw.len;
			     c = c->next)
				if (x509_parse_der(out, c->raw.p, c->raw.len, &err) == 0) n++;
	return n;
}

/* ---- the statement: exact scope, else the global one ---- */
static int select_statement(const struct sig_accept *a, const struct sig_subject *s,
                            const struct nt_statement **st, struct sig_result *r)
{
	const struct notation_cfg *nc = a->pol ? a->pol->notation : NULL;
	char repos[8][512];
	const char *rp[8];
	int nr = 0;
	for (int i = 0; i < s->nnames && nr < 8; i++) {
		image_repo(s->names[i], repos[nr], sizeof repos[nr]);
		rp[nr] = repos[nr];
		nr++;
	}
	*st = notation_select(nc, rp, nr);
	if (!nc) {
		sig_refuse(r, "signature.no_trust_policy", "no notation trust policy configured");
		return -1;
	}
	if (!*st) {
		sig_refuse(r, "signature.no_trust_policy",
		           "no notation trust policy statement applies to %.200s",
		           nr ? rp[0] : "this unnamed image");
		return -1;
	}
	if ((*st)->skip) {
		r->skipped = 1;
		sig_refuse(r, "signature.missing",
		           "notation trust policy statement \"%.100s\" skips verification",
		           (*st)->name);
		return -1;
	}
	return 0;
}

/* ---- integrity 1: the envelope's shape, its parts decoded ---- */
static int read_envelope(const char *env, size_t elen, struct jws *w, struct sig_result *r)
{
	ea_error_t err;
	w->env = sjson_parse(env, elen, &err);
	if (!w->env || !cJSON_IsObject(w->env)) {
		sig_refuse(r, "signature.malformed", "JWS envelope is not valid JSON: %s",
		           w->env ? "not an object" : err.msg);
		return -1;
	}
	for (const cJSON *m = w->env->child; m; m = m->next)
		if (strcmp(m->string, "payload") && strcmp(m->string, "protected") &&
		    strcmp(m->string, "header") && strcmp(m->string, "signature")) {
			sig_refuse(r, "signature.malformed",
			           "JWS envelope has unknown member \"%.64s\"", m->string);
			return -1;
		}
	const char *s64 = sjson_str(w->env, "signature");
	w->p64 = sjson_str(w->env, "protected");
	w->pl64 = sjson_str(w->env, "payload");
	w->hdr = cJSON_GetObjectItemCaseSensitive(w->env, "header");
	if (!w->p64 || !w->pl64 || !s64 || !cJSON_IsObject(w->hdr)) {
		sig_refuse(r, "signature.malformed",
		           "JWS envelope lacks protected, payload, header or signature");
		return -1;
	}
	if (b64_decode(w->p64, strlen(w->p64), B64_URL, 64 * 1024, &w->phraw, &w->phl, &err) < 0 ||
	    b64_decode(w->pl64, strlen(w->pl64), B64_URL, SIG_MAX_PAYLOAD, &w->plraw, &w->pll,
	               &err) < 0 ||
	    b64_decode(s64, strlen(s64), B64_URL, 1024, &w->sig, &w->sigl, &err) < 0) {
		sig_refuse(r, "signature.malformed", "JWS base64url: %s", err.msg);
		return -1;
	}
	w->ph = sjson_parse((const char *)w->phraw, w->phl, &err);
	if (!w->ph || !cJSON_IsObject(w->ph)) {
		sig_refuse(r, "signature.malformed", "JWS protected header is not a JSON object");
		return -1;
	}
	return 0;
}

/* crit: only names we understand, each present; the required ones listed. */
static int check_crit(const cJSON *ph, const cJSON *crit, struct sig_result *r)
{
	int crit_scheme = 0, crit_expiry = 0, crit_atime = 0;
	for (const cJSON *c = crit->child; c; c = c->next) {
		const char *v = cJSON_IsString(c) ? c->valuestring : "";
		if (!strcmp(v, H_SCHEME)) crit_scheme = 1;
		else if (!strcmp(v, H_EXPIRY)) crit_expiry = 1;
		else if (!strcmp(v, H_ATIME)) crit_atime = 1;
		else if (!strcmp(v, H_PLUGIN) || !strcmp(v, H_PLUGIN_MIN)) {
			sig_refuse(r, "signature.unsupported_envelope",
			           "signature requires verification plugin: not supported offline");
			return -1;
		} else {
			sig_refuse(r, "signature.malformed",
			           "crit names \"%.64s\", which this verifier does not understand",
			           v);
			return -1;
		}
		if (!cJSON_GetObjectItemCaseSensitive(ph, v)) {
			sig_refuse(r, "signature.malformed",
			           "crit names %.64s, absent from the header", v);
			return -1;
		}
	}
	if (!crit_scheme || (cJSON_GetObjectItemCaseSensitive(ph, H_EXPIRY) && !crit_expiry) ||
	    (cJSON_GetObjectItemCaseSensitive(ph, H_ATIME) && !crit_atime)) {
		sig_refuse(r, "signature.malformed", "crit does not list every critical header");
		return -1;
	}
	return 0;
}

/* The signing time (notary.x509), authentic signing time (signingAuthority)
 * and expiry, each well-formed when it must or may be there. */
static int read_times(struct jws *w, struct sig_result *r)
{
	ea_error_t err;
	const char *stime = sjson_str(w->ph, H_TIME), *atime = sjson_str(w->ph, H_ATIME);
	int64_t t_sign = 0;
	w->expiry = sjson_str(w->ph, H_EXPIRY);
	if ((!w->sa && (!stime || rfc3339_parse_ms(stime, &t_sign, &err) < 0)) ||
	    (w->sa && (!atime || rfc3339_parse_ms(atime, &w->t_auth, &err) < 0)) ||
	    (w->expiry && rfc3339_parse_ms(w->expiry, &w->t_exp, &err) < 0) ||
	    (cJSON_GetObjectItemCaseSensitive(w->ph, H_EXPIRY) && !w->expiry)) {
		sig_refuse(
		        r, "signature.malformed",
		        "signing time, authentic signing time or expiry is missing or malformed");
		return -1;
	}
	return 0;
}

/* ---- integrity 2: the protected header (cty, signing scheme, crit, times) ---- */
static int read_header(struct jws *w, struct sig_result *r)
{
	const char *cty = sjson_str(w->ph, "cty"), *scheme = sjson_str(w->ph, H_SCHEME);
	const cJSON *crit = cJSON_GetObjectItemCaseSensitive(w->ph, "crit");
	w->alg = sjson_str(w->ph, "alg");
	if (!w->alg || !cty || !scheme || !cJSON_IsArray(crit)) {
		sig_refuse(r, "signature.malformed", "protected header lacks alg, cty, crit or %s",
		           H_SCHEME);
		return -1;
	}
	if (strcmp(cty, NOTARY_CTY) != 0) {
		sig_refuse(r, "signature.unsupported_envelope",
		           "payload content type \"%.80s\" is not supported", cty);
		return -1;
	}
	w->sa = !strcmp(scheme, "notary.x509.signingAuthority");
	if (!w->sa && strcmp(scheme, "notary.x509") != 0) {
		sig_refuse(r, "signature.unsupported_envelope",
		           "signing scheme \"%.64s\" is not supported", scheme);
		return -1;
	}
	if (check_crit(w->ph, crit, r) < 0) return -1;
	return read_times(w, r);
}

/* ---- integrity 3: x5c, leaf first, then the chain up to its root
 * (standard base64 DER); alg = the leaf key's algorithm ---- */
static int read_chain(struct jws *w, struct sig_result *r)
{
	const cJSON *x5c = cJSON_GetObjectItemCaseSensitive(w->hdr, "x5c");
	if (!cJSON_IsArray(x5c) || cJSON_GetArraySize(x5c) < 1 ||
	    cJSON_GetArraySize(x5c) > SIG_MAX_CHAIN) {
		sig_refuse(r, "signature.malformed", "x5c must hold 1 to %d certificates",
		           SIG_MAX_CHAIN);
		return -1;
	}
	for (const cJSON *c = x5c->child; c; c = c->next) {
		cleanup_free unsigned char *der = NULL;
		size_t dl;
		ea_error_t err = {0};
		if (!cJSON_IsString(c) ||
		    b64_decode(c->valuestring, strlen(c->valuestring), B64_STD, SIG_MAX_CERT, &der,
		               &dl, &err) < 0 ||
		    x509_parse_der(&w->chain, der, dl, &err) < 0) {
			sig_refuse(r,
			           err.code == EA_E_UNSUPPORTED ? "signature.unsupported_algorithm"
			                                        : "signature.malformed",
			           "x5c certificate: %s", err.msg);
			return -1;
		}
	}
	const char *want = alg_for_key(&w->chain.pk);
	if (!want) {
		sig_refuse(r, "signature.unsupported_algorithm",
		           "signing key (%zu-bit) is not an allowed Notary Project key",
		           mbedtls_pk_get_bitlen(&w->chain.pk));
		return -1;
	}
	if (strcmp(want, w->alg) != 0) {
		sig_refuse(r, "signature.unsupported_algorithm",
		           "alg %.16s does not match the signing key (%s)", w->alg, want);
		return -1;
	}
	return 0;
}

/* ---- integrity 4: the signature over BASE64URL(protected) "." BASE64URL(payload),
 * the two strings as they are in the envelope ---- */
static int verify_signature(struct jws *w, struct sig_result *r)
{
	const char *alg = w->alg;
	mbedtls_md_type_t md = alg[2] == '2'   ? MBEDTLS_MD_SHA256
	                       : alg[2] == '3' ? MBEDTLS_MD_SHA384
	                                       : MBEDTLS_MD_SHA512;
	size_t n = strlen(w->p64) + 1 + strlen(w->pl64);
	cleanup_free char *in = xmalloc(n + 1);
	snprintf(in, n + 1, "%s.%s", w->p64, w->pl64);
	int pss = alg[0] == 'P';
	ea_error_t err;
	if (sigverify_msg(&w->chain.pk, md, in, n, w->sig, w->sigl, pss ? SIG_DER : SIG_RAW_RS, pss,
	                  &err) < 0) {
		sig_refuse(r,
		           err.code == EA_E_MISMATCH ? "signature.payload_tampered"
		                                     : "signature.malformed",
		           "JWS signature does not verify with the x5c leaf: %.200s", err.msg);
		return -1;
	}
	return 0;
}

/* ---- integrity 5: the payload's targetArtifact is the verified manifest ---- */
static int check_target(const struct sig_subject *s, const struct jws *w, struct sig_result *r)
{
	ea_error_t err;
	cleanup_cjson cJSON *pl = sjson_parse((const char *)w->plraw, w->pll, &err);
	const cJSON *ta = pl ? cJSON_GetObjectItemCaseSensitive(pl, "targetArtifact") : NULL;
	const char *tdg = ta ? sjson_str(ta, "digest") : NULL,
	           *tmt = ta ? sjson_str(ta, "mediaType") : NULL;
	int64_t tsize;
	digest_t td;
	if (!tdg || !tmt || sjson_i64(ta, "size", &tsize) < 0 || digest_parse(tdg, &td, &err) < 0) {
		sig_refuse(r, "signature.malformed",
		           "payload targetArtifact lacks a digest, mediaType or size");
		return -1;
	}
	if (!digest_equal(&td, &s->digest) || (s->size >= 0 && tsize != s->size) ||
	    (s->media_type && strcmp(tmt, s->media_type) != 0)) {
		sig_refuse(r, "signature.digest_mismatch",
		           "signature is for %.80s (%lld bytes, %.60s), not %s", td.str,
		           (long long)tsize, tmt, s->digest.str);
		return -1;
	}
	return 0;
}

/* ---- integrity (always enforced); names the signer ---- */
static int integrity(const struct sig_subject *s, const char *env, size_t elen, struct jws *w,
                     struct sig_result *r)
{
	if (read_envelope(env, elen, w, r) < 0 || read_header(w, r) < 0 || read_chain(w, r) < 0 ||
	    verify_signature(w, r) < 0 || check_target(s, w, r) < 0)
		return -1;
	x509_subject_str(&w->chain, r->signer, sizeof r->signer);
	return 0;
}

/* Is the chain's last certificate one of the roots? */
static int root_in_store(const mbedtls_x509_crt *chain, const mbedtls_x509_crt *roots)
{
	const mbedtls_x509_crt *last = chain;
	while (last->next && last->next->raw.len) last = last->next;
	if (!x509_is_self_signed(last)) return 0;
	for (const mbedtls_x509_crt *c = roots; c && c->raw.len; c = c->next)
		if (c->raw.len == last->raw.len && !memcmp(c->raw.p, last->raw.p, c->raw.len))
			return 1;
	return 0;
}

static int code_signing_leaf(const mbedtls_x509_crt *leaf)
{
	return mbedtls_x509_crt_check_key_usage(leaf, MBEDTLS_X509_KU_DIGITAL_SIGNATURE) == 0 &&
	       mbedtls_x509_crt_has_ext_type(leaf, MBEDTLS_X509_EXT_KEY_USAGE) &&
	       mbedtls_x509_crt_check_extended_key_usage(
	               leaf, MBEDTLS_OID_CODE_SIGNING,
	               MBEDTLS_OID_SIZE(MBEDTLS_OID_CODE_SIGNING)) == 0 &&
	       mbedtls_x509_crt_get_ca_istrue(leaf) != 1;
}

static int trusted_identity(const struct nt_statement *st, const mbedtls_x509_crt *leaf)
{
	for (int i = 0; i < st->nidentities; i++)
		if (notation_identity_match(st->identities[i], leaf)) return 1;
	return 0;
}

/* ---- authenticity: a complete x5c chain ending in a root of the statement's
 * trust store, a code-signing leaf, a trusted identity ---- */
static int authenticity(const struct nt_statement *st, struct jws *w, struct sig_result *r)
{
	const char *want_type = w->sa ? "signingAuthority" : "ca";
	int lvl = st->authenticity;
	cleanup_crt mbedtls_x509_crt roots;
	mbedtls_x509_crt_init(&roots);
	struct x509_verdict v;
	if (store_certs(st, want_type, &roots) == 0)
		return nv_fail(lvl, r, "signature.untrusted_chain",
		               "trust policy \"%.64s\" has no %s trust store", st->name, want_type);
	if (!root_in_store(&w->chain, &roots))
		return nv_fail(lvl, r, "signature.untrusted_chain",
		               "the x5c chain does not end in a root of the trust store");
	if (x509_verify_chain_at(&w->chain, &roots, -1, &v) < 0)
		return nv_fail(lvl, r, v.refusal, "%s", v.msg);
	if (!code_signing_leaf(&w->chain))
		return nv_fail(lvl, r, "signature.untrusted_chain",
		               "signing certificate is not a code-signing leaf");
	if (!st->any_identity && !trusted_identity(st, &w->chain))
		return nv_fail(lvl, r, "signature.identity_mismatch",
		               "%.180s is not a trusted identity", r->signer);
	return 0;
}

/* ---- expiry: io.cncf.notary.expiry against the clock ---- */
static int expiry(int64_t now_ms, const struct nt_statement *st, const struct jws *w,
                  struct sig_result *r)
{
	if (w->expiry && now_ms >= w->t_exp)
		return nv_fail(st->expiry, r, "signature.expired", "the signature expired at %.40s",
		               w->expiry);
	return 0;
}

/* The RFC 3161 countersignature's time (*t), else a refusal in tr. */
static int countersigned_time(const struct nt_statement *st, const struct jws *w, const cJSON *tsig,
                              int64_t *t, struct sig_result *tr)
{
	cleanup_free unsigned char *tok = NULL;
	size_t tl;
	ea_error_t err;
	cleanup_crt mbedtls_x509_crt tsa_roots;
	mbedtls_x509_crt_init(&tsa_roots);
	store_certs(st, "tsa", &tsa_roots);
	if (!cJSON_IsString(tsig) || b64_decode(tsig->valuestring, strlen(tsig->valuestring),
	                                        B64_STD, 64 * 1024, &tok, &tl, &err) < 0) {
		sig_refuse(tr, "signature.malformed", "timestamp signature is not base64");
		return -1;
	}
	return tsa_verify(NULL, &tsa_roots, tok, tl, w->sig, w->sigl, t, tr) < 0 ? -1 : 0;
}

/* Every certificate of the chain valid at lo and at hi. */
static int chain_valid_at(const struct nt_statement *st, const struct jws *w, int64_t lo,
                          int64_t hi, struct sig_result *r)
{
	for (const mbedtls_x509_crt *c = &w->chain; c && c->raw.len; c = c->next) {
		const char *why = x509_validity_at(c, lo);
		if (!why) why = x509_validity_at(c, hi);
		if (why) {
			char who[160], ts[32];
			x509_subject_str(c, who, sizeof who);
			rfc3339_format(lo, ts, sizeof ts);
			return nv_fail(st->authentic_timestamp, r, why,
			               "certificate \"%.100s\" is not valid at %s", who, ts);
		}
	}
	return 0;
}

/* ---- authentic timestamp: the chain valid now (no timestamp) or at the
 * authentic signing time (signingAuthority) or the countersignature's ---- */
static int authentic_timestamp(int64_t now_ms, const struct nt_statement *st, const struct jws *w,
                               struct sig_result *r)
{
	int64_t lo = now_ms, hi = now_ms;
	const cJSON *tsig =
	        cJSON_GetObjectItemCaseSensitive(w->hdr, "io.cncf.notary.timestampSignature");
	if (w->sa) {
		lo = hi = w->t_auth;
	} else if (tsig && st->ts_after_expiry && !x509_validity_at(&w->chain, hi)) {
		/* verifyTimestamp afterCertExpiry: the chain is judged now below */
	} else if (tsig) {
		struct sig_result tr = *r;
		int64_t t = 0;
		/* A countersignature that does not verify: the chain is not judged. */
		if (countersigned_time(st, w, tsig, &t, &tr) < 0)
			return nv_fail(st->authentic_timestamp, r, tr.refusal, "%s", tr.msg);
		lo = hi = t;
	}
	return chain_valid_at(st, w, lo, hi, r);
}

/* ---- revocation: a certificate naming a CRL or OCSP location cannot be
 * checked offline ---- */
static int revocation(const struct nt_statement *st, const struct jws *w, struct sig_result *r)
{
	if (st->revocation == NV_SKIP) return 0;
	for (const mbedtls_x509_crt *c = &w->chain; c && c->raw.len; c = c->next)
		if (has_revocation_info(c)) {
			char who[160];
			x509_subject_str(c, who, sizeof who);
			return nv_fail(st->revocation, r, "signature.revocation_unknown",
			               "certificate \"%.100s\" names a CRL or OCSP responder: "
			               "revocation cannot be checked offline",
			               who);
		}
	return 0;
}

/* The verifier: the validations in the specification's order.  Each step
 * refuses (-1) or passes (0, perhaps logging a failure its level only
 * logs); only the end of the list clears the refusal set first. */
void notation_verify_jws(const struct sig_accept *a, const struct sig_subject *s, const char *env,
                         size_t elen, struct sig_result *r)
{
	snprintf(r->kind, sizeof r->kind, "notation");
	snprintf(r->tlog, sizeof r->tlog, "none");
	sig_refuse(r, "signature.malformed", "signature not checked");
	const struct nt_statement *st;
	cleanup_jws struct jws w = {0};
	mbedtls_x509_crt_init(&w.chain);

	if (select_statement(a, s, &st, r) < 0) return;
	if (integrity(s, env, elen, &w, r) < 0) return;
	if (authenticity(st, &w, r) < 0) return;
	if (expiry(a->pol->now_ms, st, &w, r) < 0) return;
	if (authentic_timestamp(a->pol->now_ms, st, &w, r) < 0) return;
	if (revocation(st, &w, r) < 0) return;

	r->signed_at_ms =
	        w.sa ? w.t_auth
	             : 0;  /* notary.x509's signingTime is untrusted: not reported as verified */
	r->refusal = NULL; /* every enforced validation passed */
	r->msg[0] = '\0';
}
