/* sig_tsa: RFC 3161 timestamp tokens (a CMS SignedData over a TSTInfo,
 * RFC 5652 / RFC 3161), parsed with mbedTLS's ASN.1 reader, bounded.
 *
 * Checks: the token is SignedData with one signer over an id-ct-TSTInfo;
 * the TSTInfo's messageImprint is the hash of the signature it stamps; the
 * signed attributes carry contentType = id-ct-TSTInfo and messageDigest =
 * the hash of the TSTInfo; the signer's signature over the DER of the signed
 * attributes verifies; the signer's certificate is a time-stamping leaf
 * that chains, at genTime, to a timestamp authority of the trusted root
 * (sigstore: within that authority's validFor window) or to the given roots
 * (notation's tsa trust store).
 * Not checked: the ESS signing-certificate attribute (the signer is found
 * by its SignerIdentifier) and the TSTInfo accuracy (genTime is used as is). */
#include <mbedtls/asn1.h>
#include <mbedtls/oid.h>
#include <stdio.h>
#include <string.h>

#include "sig_int.h"
#include "x509util.h"

#define OID_SIGNED_DATA "\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02"
#define OID_TSTINFO     "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x01\x04"
#define OID_ATTR_CT     "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x03"
#define OID_ATTR_MD     "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x04"

struct tsa_token {
	const unsigned char *tst;
	size_t tstlen; /* TSTInfo DER (the eContent) */
	const unsigned char *certs;
	size_t certslen; /* [0] certificates content */
	const unsigned char *sid;
	size_t sidlen; /* SignerIdentifier TLV */
	int sid_ski;
	mbedtls_md_type_t digest_alg;
	const unsigned char *attrs;
	size_t attrslen; /* signedAttrs TLV ([0]) */
	const unsigned char *sigalg;
	size_t sigalglen; /* AlgorithmIdentifier content */
	const unsigned char *sig;
	size_t siglen;
	/* TSTInfo */
	mbedtls_md_type_t imprint_alg;
	const unsigned char *imprint;
	size_t imprintlen;
	int64_t gen_time;
};

#define GET(p, end, len, tag) (mbedtls_asn1_get_tag(p, end, len, tag) == 0)
#define SEQ                   (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)
#define SET                   (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SET)
#define CTX(n)                (MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | (n))

static int oid_eq(const unsigned char *p, size_t len, const char *oid)
{
	return len == strlen(oid) && memcmp(p, oid, len) == 0;
}

/* AlgorithmIdentifier of a digest -> md type (NONE when unknown). */
static mbedtls_md_type_t md_alg(unsigned char **p, const unsigned char *end)
{
	mbedtls_asn1_buf oid, params;
	if (mbedtls_asn1_get_alg(p, end, &oid, &params) != 0) return MBEDTLS_MD_NONE;
	mbedtls_md_type_t md;
	if (mbedtls_oid_get_md_alg(&oid, &md) != 0) return MBEDTLS_MD_NONE;
	return md;
}

static int gen_time(const unsigned char *p, size_t len, int64_t *out)
{
	/* GeneralizedTime "YYYYMMDDHHMMSS[.f+]Z" (RFC 3161 sec. 2.4.2: UTC, no
	 * trailing zeros in the fraction). */
	char buf[40];
	if (len < 15 || len >= sizeof buf || p[len - 1] != 'Z') return -1;
	memcpy(buf, p, len);
	buf[len] = '\0';
	char iso[48];
	snprintf(iso, sizeof iso, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2s%s", buf, buf + 4, buf + 6, buf + 8,
	         buf + 10, buf + 12, buf + 14);
	ea_error_t err;
	return rfc3339_parse_ms(iso, out, &err);
}

static int parse_tstinfo(struct tsa_token *t)
{
	unsigned char *p = (unsigned char *)t->tst, *end = p + t->tstlen;
	size_t len;
	int ver;
	if (!GET(&p, end, &len, SEQ) || p + len != end) return -1;
	if (mbedtls_asn1_get_int(&p, end, &ver) != 0 || ver != 1) return -1;
	if (!GET(&p, end, &len, MBEDTLS_ASN1_OID)) return -1; /* policy */
	p += len;
	if (!GET(&p, end, &len, SEQ)) return -1; /* messageImprint */
	unsigned char *mi_end = p + len;
	t->imprint_alg = md_alg(&p, mi_end);
	if (!GET(&p, mi_end, &len, MBEDTLS_ASN1_OCTET_STRING) || p + len != mi_end) return -1;
	t->imprint = p;
	t->imprintlen = len;
	p = mi_end;
	if (!GET(&p, end, &len, MBEDTLS_ASN1_INTEGER)) return -1; /* serialNumber */
	p += len;
	if (!GET(&p, end, &len, MBEDTLS_ASN1_GENERALIZED_TIME)) return -1;
	if (gen_time(p, len, &t->gen_time) < 0) return -1;
	return 0;
}

static int parse_token(const unsigned char *tok, size_t tlen, struct tsa_token *t)
{
	memset(t, 0, sizeof *t);
	unsigned char *p = (unsigned char *)tok, *end = p + tlen;
	size_t len;
	if (!GET(&p, end, &len, SEQ) || p + len != end) return -1;
	if (p < end && *p == SEQ) {
		/* A whole TimeStampResp (sigstore stores that): status, then the token. */
		unsigned char *st = p;
		if (!GET(&p, end, &len, SEQ)) return -1;
		unsigned char *se = p + len;
		int status;
		if (mbedtls_asn1_get_int(&p, se, &status) != 0 || (status != 0 && status != 1))
			return -1;
		(void)st;
		p = se;
		if (!GET(&p, end, &len, SEQ) || p + len != end) return -1;
	}
	/* ContentInfo */
	if (!GET(&p, end, &len, MBEDTLS_ASN1_OID) || !oid_eq(p, len, OID_SIGNED_DATA)) return -1;
	p += len;
	if (!GET(&p, end, &len, CTX(0)) || p + len != end) return -1;
	/* SignedData */
	if (!GET(&p, end, &len, SEQ) || p + len != end) return -1;
	int ver;
	if (mbedtls_asn1_get_int(&p, end, &ver) != 0) return -1;
	if (!GET(&p, end, &len, SET)) return -1; /* digestAlgorithms */
	p += len;
	/* encapContentInfo */
	if (!GET(&p, end, &len, SEQ)) return -1;
	unsigned char *eci_end = p + len;
	if (!GET(&p, eci_end, &len, MBEDTLS_ASN1_OID) || !oid_eq(p, len, OID_TSTINFO)) return -1;
	p += len;
	if (!GET(&p, eci_end, &len, CTX(0))) return -1;
	if (!GET(&p, eci_end, &len, MBEDTLS_ASN1_OCTET_STRING) || p + len != eci_end) return -1;
	t->tst = p;
	t->tstlen = len;
	p = eci_end;
	/* certificates [0] IMPLICIT, crls [1] IMPLICIT: optional */
	if (p < end && *p == CTX(0)) {
		p++;
		if (mbedtls_asn1_get_len(&p, end, &len) != 0) return -1;
		t->certs = p;
		t->certslen = len;
		p += len;
	}
	if (p < end && *p == CTX(1)) {
		p++;
		if (mbedtls_asn1_get_len(&p, end, &len) != 0) return -1;
		p += len;
	}
	/* signerInfos: exactly one */
	if (!GET(&p, end, &len, SET) || p + len != end) return -1;
	if (!GET(&p, end, &len, SEQ) || p + len != end) return -1;
	if (mbedtls_asn1_get_int(&p, end, &ver) != 0) return -1;
	t->sid = p;
	if (*p == SEQ) {
		if (!GET(&p, end, &len, SEQ)) return -1;
	} else if (*p == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 0)) {
		p++;
		if (mbedtls_asn1_get_len(&p, end, &len) != 0) return -1;
		t->sid_ski = 1;
	} else {
		return -1;
	}
	p += len;
	t->sidlen = (size_t)(p - t->sid);
	t->digest_alg = md_alg(&p, end);
	if (p >= end || *p != CTX(0)) return -1; /* signedAttrs are required for TSTInfo */
	t->attrs = p;
	p++;
	if (mbedtls_asn1_get_len(&p, end, &len) != 0) return -1;
	p += len;
	t->attrslen = (size_t)(p - t->attrs);
	if (!GET(&p, end, &len, SEQ)) return -1; /* signatureAlgorithm */
	t->sigalg = p;
	t->sigalglen = len;
	p += len;
	if (!GET(&p, end, &len, MBEDTLS_ASN1_OCTET_STRING)) return -1;
	t->sig = p;
	t->siglen = len;
	p += len;
	if (p < end && *p == CTX(1)) { /* unsignedAttrs */
		p++;
		if (mbedtls_asn1_get_len(&p, end, &len) != 0) return -1;
		p += len;
	}
	if (p != end) return -1;
	return parse_tstinfo(t);
}

/* The signed attributes: contentType and messageDigest. */
static int check_attrs(const struct tsa_token *t)
{
	unsigned char *p = (unsigned char *)t->attrs + 1,
	              *end = (unsigned char *)t->attrs + t->attrslen;
	size_t len;
	if (mbedtls_asn1_get_len(&p, end, &len) != 0 || p + len != end) return -1;
	int ct = 0, md = 0;
	const mbedtls_md_info_t *mi = mbedtls_md_info_from_type(t->digest_alg);
	unsigned char h[MBEDTLS_MD_MAX_SIZE];
	if (!mi || mbedtls_md(mi, t->tst, t->tstlen, h) != 0) return -1;
	while (p < end) {
		if (!GET(&p, end, &len, SEQ)) return -1;
		unsigned char *ae = p + len;
		size_t ol;
		if (!GET(&p, ae, &ol, MBEDTLS_ASN1_OID)) return -1;
		unsigned char *oid = p;
		p += ol;
		if (!GET(&p, ae, &len, SET) || p + len != ae) return -1;
		if (oid_eq(oid, ol, OID_ATTR_CT)) {
			if (ct++ || !GET(&p, ae, &len, MBEDTLS_ASN1_OID) ||
			    !oid_eq(p, len, OID_TSTINFO) || p + len != ae)
				return -1;
		} else if (oid_eq(oid, ol, OID_ATTR_MD)) {
			if (md++ || !GET(&p, ae, &len, MBEDTLS_ASN1_OCTET_STRING) ||
			    p + len != ae || len != mbedtls_md_get_size(mi) ||
			    memcmp(p, h, len) != 0)
				return -1;
		}
		p = ae;
	}
	return ct == 1 && md == 1 ? 0 : -1;
}

/* Does certificate c match the SignerIdentifier? */
static int sid_matches(const struct tsa_token *t, const mbedtls_x509_crt *c)
{
	unsigned char *p = (unsigned char *)t->sid, *end = p + t->sidlen;
	size_t len;
	if (t->sid_ski) {
		p++;
		if (mbedtls_asn1_get_len(&p, end, &len) != 0) return 0;
		return c->subject_key_id.len == len && !memcmp(c->subject_key_id.p, p, len);
	}
	if (!GET(&p, end, &len, SEQ)) return 0;
	unsigned char *name = p;
	if (!GET(&p, end, &len, SEQ)) return 0;
	p += len;
	size_t namelen = (size_t)(p - name);
	if (!GET(&p, end, &len, MBEDTLS_ASN1_INTEGER)) return 0;
	return c->issuer_raw.len == namelen && !memcmp(c->issuer_raw.p, name, namelen) &&
	       c->serial.len == len && !memcmp(c->serial.p, p, len);
}

/* Verify the CMS signature of t with cert c. */
static int check_signature(const struct tsa_token *t, mbedtls_x509_crt *c)
{
	/* The signature is over the DER of the attributes with a SET tag. */
	unsigned char *der = xmalloc(t->attrslen);
	memcpy(der, t->attrs, t->attrslen);
	der[0] = SET;
	mbedtls_asn1_buf oid;
	/* sigalg points at the AlgorithmIdentifier content: read its OID. */
	unsigned char *q = (unsigned char *)t->sigalg, *qe = q + t->sigalglen;
	size_t ol;
	int rc = -1;
	if (GET(&q, qe, &ol, MBEDTLS_ASN1_OID)) {
		oid.p = q;
		oid.len = ol;
		oid.tag = MBEDTLS_ASN1_OID;
		mbedtls_md_type_t md = t->digest_alg, smd;
		mbedtls_pk_type_t pk;
		/* rsaEncryption / ecPublicKey name no hash: the digestAlgorithm does. */
		static const char rsa_enc[] = MBEDTLS_OID_PKCS1_RSA,
		                  ec_pub[] = MBEDTLS_OID_EC_ALG_UNRESTRICTED;
		int ok_alg = 0;
		if (oid_eq(q, ol, rsa_enc) || oid_eq(q, ol, ec_pub)) ok_alg = 1;
		else if (mbedtls_oid_get_sig_alg(&oid, &smd, &pk) == 0 && smd == md &&
		         pk != MBEDTLS_PK_RSASSA_PSS)
			ok_alg = 1;
		const mbedtls_md_info_t *mi = mbedtls_md_info_from_type(md);
		ea_error_t err;
		if (ok_alg && mi)
			rc = sigverify_msg(&c->pk, md, der, t->attrslen, t->sig, t->siglen, SIG_DER,
			                   0, &err);
	}
	free(der);
	return rc;
}

/* ---- 1. the token: parses, its algorithms are known, it stamps these
 * signature bytes, its signed attributes are right ---- */
static int read_token(const unsigned char *token, size_t tlen, const unsigned char *signed_data,
                      size_t slen, struct tsa_token *t, struct sig_result *r)
{
	if (tlen > 64 * 1024 || parse_token(token, tlen, t) < 0) {
		sig_refuse(r, "signature.malformed", "RFC 3161 timestamp token does not parse");
		return -1;
	}
	const mbedtls_md_info_t *mi = mbedtls_md_info_from_type(t->imprint_alg);
	unsigned char h[MBEDTLS_MD_MAX_SIZE];
	if (!mi || !mbedtls_md_info_from_type(t->digest_alg)) {
		sig_refuse(r, "signature.unsupported_algorithm",
		           "timestamp uses a digest algorithm edgeaudit does not have");
		return -1;
	}
	mbedtls_md(mi, signed_data, slen, h);
	if (t->imprintlen != mbedtls_md_get_size(mi) || memcmp(h, t->imprint, t->imprintlen) != 0) {
		sig_refuse(r, "signature.tlog_mismatch",
		           "the timestamp stamps another signature (messageImprint differs)");
		return -1;
	}
	if (check_attrs(t) < 0) {
		sig_refuse(
		        r, "signature.malformed",
		        "timestamp signed attributes lack contentType or a matching messageDigest");
		return -1;
	}
	return 0;
}

/* ---- 2. embedded certificates (may be absent: then the authority's own
 * chain) ---- */
static int embedded_certs(const struct tsa_token *t, mbedtls_x509_crt *emb, struct sig_result *r)
{
	ea_error_t err;
	if (!t->certs) return 0;
	unsigned char *p = (unsigned char *)t->certs, *end = p + t->certslen;
	int n = 0;
	while (p < end) {
		unsigned char *start = p;
		size_t len;
		if (!GET(&p, end, &len, SEQ) || ++n > SIG_MAX_CHAIN ||
		    x509_parse_der(emb, start, (size_t)(p + len - start), &err) < 0) {
			sig_refuse(r, "signature.malformed", "timestamp certificates do not parse");
			return -1;
		}
		p += len;
	}
	return 0;
}

/* The signer: an embedded certificate, else the authority's leaf. */
static const mbedtls_x509_crt *find_signer(const struct tsa_token *t, const mbedtls_x509_crt *emb,
                                           const struct tr_ca *ca)
{
	for (const mbedtls_x509_crt *c = emb; c && c->raw.len; c = c->next)
		if (sid_matches(t, c)) return c;
	for (const mbedtls_x509_crt *c = ca ? &ca->certs : NULL; c && c->raw.len; c = c->next)
		if (sid_matches(t, c)) return c;
	return NULL;
}

/* The signer, then the untrusted intermediates: the token's and the
 * authority's, roots left out. */
static int build_chain(const mbedtls_x509_crt *signer, const mbedtls_x509_crt *emb,
                       const struct tr_ca *ca, mbedtls_x509_crt *chain)
{
	ea_error_t err;
	int rc = x509_parse_der(chain, signer->raw.p, signer->raw.len, &err);
	for (const mbedtls_x509_crt *c = emb; rc == 0 && c && c->raw.len; c = c->next)
		if (c != signer && !x509_is_self_signed(c))
			rc = x509_parse_der(chain, c->raw.p, c->raw.len, &err);
	for (const mbedtls_x509_crt *c = ca ? &ca->certs : NULL; rc == 0 && c && c->raw.len;
	     c = c->next)
		if (!x509_is_self_signed(c) && c->raw.len &&
		    !(c->raw.len == signer->raw.len &&
		      !memcmp(c->raw.p, signer->raw.p, c->raw.len)))
			rc = x509_parse_der(chain, c->raw.p, c->raw.len, &err);
	return rc;
}

/* One candidate anchor: a trusted root's authority (ca), or the given roots
 * (ca NULL).  1 when the token's signer chains to it at genTime; else 0 and
 * why in *last. */
static int try_anchor(const struct tsa_token *t, const mbedtls_x509_crt *emb,
                      const struct tr_ca *ca, mbedtls_x509_crt *roots, struct sig_result *last)
{
	if (ca && (t->gen_time < ca->start || t->gen_time > ca->end)) {
		snprintf(last->msg, sizeof last->msg,
		         "timestamp time is outside the validity of the trusted root's timestamp "
		         "authority");
		return 0;
	}
	const mbedtls_x509_crt *signer = find_signer(t, emb, ca);
	if (!signer) {
		snprintf(last->msg, sizeof last->msg,
		         "the timestamp's signer certificate is not in the token or the trusted "
		         "root");
		return 0;
	}
	cleanup_crt mbedtls_x509_crt chain;
	mbedtls_x509_crt_init(&chain);
	struct x509_verdict v;
	if (build_chain(signer, emb, ca, &chain) < 0) {
		last->refusal = "signature.malformed";
		snprintf(last->msg, sizeof last->msg, "timestamp chain does not parse");
	} else if (check_signature(t, &chain) < 0) {
		last->refusal = "signature.payload_tampered";
		snprintf(last->msg, sizeof last->msg,
		         "timestamp signature does not verify with its signer certificate");
	} else if (mbedtls_x509_crt_check_extended_key_usage(
	                   &chain, MBEDTLS_OID_TIME_STAMPING,
	                   MBEDTLS_OID_SIZE(MBEDTLS_OID_TIME_STAMPING)) != 0 ||
	           !mbedtls_x509_crt_has_ext_type(&chain, MBEDTLS_X509_EXT_EXTENDED_KEY_USAGE)) {
		last->refusal = "signature.untrusted_chain";
		snprintf(last->msg, sizeof last->msg,
		         "timestamp signer is not a time-stamping certificate");
	} else if (x509_verify_chain_at(&chain, ca ? (mbedtls_x509_crt *)&ca->root : roots,
	                                t->gen_time, &v) < 0) {
		last->refusal = v.refusal;
		snprintf(last->msg, sizeof last->msg, "timestamp: %s", v.msg);
	} else {
		return 1;
	}
	return 0;
}

/* ---- 3. a trusted signer: the given roots first, then the trusted root's
 * authorities valid at genTime; the last reason refuses when none ---- */
static int trusted_signer(const struct trusted_root *tr, mbedtls_x509_crt *roots,
                          const struct tsa_token *t, const mbedtls_x509_crt *emb,
                          struct sig_result *r)
{
	struct sig_result last = {.refusal = "signature.untrusted_chain"};
	snprintf(last.msg, sizeof last.msg,
	         "timestamp is not signed by a trusted timestamp authority");
	if (roots && try_anchor(t, emb, NULL, roots, &last)) return 0;
	for (int i = 0; tr && i < tr->ntsas; i++)
		if (try_anchor(t, emb, &tr->tsas[i], roots, &last)) return 0;
	sig_refuse(r, last.refusal, "%s", last.msg);
	return -1;
}

int tsa_verify(const struct trusted_root *tr, mbedtls_x509_crt *roots, const unsigned char *token,
               size_t tlen, const unsigned char *signed_data, size_t slen, int64_t *t_ms,
               struct sig_result *r)
{
	*t_ms = 0;
	struct tsa_token t;
	cleanup_crt mbedtls_x509_crt emb;
	mbedtls_x509_crt_init(&emb);
	if (read_token(token, tlen, signed_data, slen, &t, r) < 0) return -1;
	if (embedded_certs(&t, &emb, r) < 0) return -1;
	if (trusted_signer(tr, roots, &t, &emb, r) < 0) return -1;
	*t_ms = t.gen_time;
	return 0;
}
