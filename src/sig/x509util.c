/* x509util: see x509util.h. */
#include "x509util.h"

#include <mbedtls/asn1.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/rsa.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "digest.h"

/* mbedTLS is built without MBEDTLS_ERROR_C (its message table is large):
 * the code is enough to look the error up. */
static void mbedtls_strerror(int rc, char *buf, size_t n)
{
	snprintf(buf, n, "mbedTLS error -0x%04x", (unsigned)-rc);
}

/* ---------------------------------------------------------------- time */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int64_t x509_time_ms(const mbedtls_x509_time *t)
{
	int64_t days = days_from_civil(t->year, (unsigned)t->mon, (unsigned)t->day);
	return ((days * 24 + t->hour) * 60 + t->min) * 60000 + (int64_t)t->sec * 1000;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int rfc3339_parse_ms(const char *s, int64_t *out, ea_error_t *err)
{
	int Y, M, D, h, m, sec;
	size_t n = strlen(s);
	if (n < 20 || n > 40 || digits(s, 4, &Y) || s[4] != '-' || digits(s + 5, 2, &M) ||
	    s[7] != '-' || digits(s + 8, 2, &D) || (s[10] != 'T' && s[10] != 't') ||
	    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &m) || s[16] != ':' ||
	    digits(s + 17, 2, &sec))
		return ea_fail(err, EA_E_FORMAT, "not an RFC 3339 time: \"%.40s\"", s);
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (M < 1 || M > 12 || D < 1 || D > mdays[M - 1] || h > 23 || m > 59 || sec > 60)
		return ea_fail(err, EA_E_FORMAT, "RFC 3339 time out of range: \"%.40s\"", s);
	if (M == 2 && D == 29 && !((Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0))
		return ea_fail(err, EA_E_FORMAT, "RFC 3339 time out of range: \"%.40s\"", s);
	if (sec == 60) sec = 59; /* a leap second: the instant just before is close enough */
	const char *p = s + 19;
	int ms = 0;
	if (*p == '.') {
		p++;
		int nd = 0;
		while (*p >= '0' && *p <= '9') {
			if (nd < 3) ms = ms * 10 + (*p - '0');
			nd++;
			p++;
		}
		if (nd == 0 || nd > 9)
			return ea_fail(err, EA_E_FORMAT, "bad fraction in RFC 3339 time \"%.40s\"",
			               s);
		for (; nd < 3; nd++) ms *= 10;
	}
	int64_t off = 0;
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		off = 0;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		int oh, om;
		if (digits(p + 1, 2, &oh) || digits(p + 4, 2, &om) || oh > 23 || om > 59)
			return ea_fail(err, EA_E_FORMAT, "bad offset in RFC 3339 time \"%.40s\"",
			               s);
		off = (oh * 60 + om) * 60000LL * (*p == '+' ? 1 : -1);
	} else {
		return ea_fail(err, EA_E_FORMAT, "bad zone in RFC 3339 time \"%.40s\"", s);
	}
	int64_t days = days_from_civil(Y, (unsigned)M, (unsigned)D);
	*out = ((days * 24 + h) * 60 + m) * 60000 + (int64_t)sec * 1000 + ms - off;
	return 0;
}

void rfc3339_format(int64_t ms, char *buf, size_t n)
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	struct tm tm;
	if (!gmtime_r(&t, &tm)) {
		snprintf(buf, n, "?");
		return;
	}
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---------------------------------------------------------------- certificates */

int x509_parse_der(mbedtls_x509_crt *chain, const unsigned char *der, size_t len, ea_error_t *err)
{
	int rc = mbedtls_x509_crt_parse_der(chain, der, len);
	if (rc != 0) {
		char e[100];
		mbedtls_strerror(rc, e, sizeof e);
		return ea_fail(err,
		               rc == MBEDTLS_ERR_X509_UNKNOWN_SIG_ALG ||
		                               rc == (MBEDTLS_ERR_X509_UNKNOWN_SIG_ALG +
		                                      MBEDTLS_ERR_OID_NOT_FOUND)
		                       ? EA_E_UNSUPPORTED
		                       : EA_E_FORMAT,
		               "certificate does not parse: %s", e);
	}
	return 0;
}

int x509_parse_any(mbedtls_x509_crt *chain, const unsigned char *data, size_t len, int *count,
                   ea_error_t *err)
{
	int before = x509_count(chain);
	static const char begin[] = "-----BEGIN CERTIFICATE-----";
	static const char end[] = "-----END CERTIFICATE-----";
	const unsigned char *p = data, *lim = data + len;
	int found = 0;
	if (len && data[0] == 0x30) { /* DER */
		if (x509_parse_der(chain, data, len, err) < 0) return -1;
		found = 1;
	} else {
		while (p < lim) {
			const unsigned char *b =
			        memmem(p, (size_t)(lim - p), begin, sizeof begin - 1);
			if (!b) break;
			const unsigned char *e = memmem(b, (size_t)(lim - b), end, sizeof end - 1);
			if (!e)
				return ea_fail(err, EA_E_FORMAT,
				               "PEM certificate block without its END line");
			e += sizeof end - 1;
			mbedtls_pem_context pem;
			mbedtls_pem_init(&pem);
			size_t used = 0;
			/* mbedtls_pem_read_buffer wants a NUL-terminated block. */
			size_t bl = (size_t)(e - b);
			char *blk = xmalloc(bl + 2);
			memcpy(blk, b, bl);
			blk[bl] = '\n';
			blk[bl + 1] = '\0';
			int rc = mbedtls_pem_read_buffer(
			        &pem, begin, end, (const unsigned char *)blk, NULL, 0, &used);
			free(blk);
			if (rc != 0) {
				mbedtls_pem_free(&pem);
				return ea_fail(err, EA_E_FORMAT,
				               "PEM certificate block is not valid base64");
			}
			size_t dl;
			const unsigned char *der = mbedtls_pem_get_buffer(&pem, &dl);
			rc = x509_parse_der(chain, der, dl, err);
			mbedtls_pem_free(&pem);
			if (rc < 0) return -1;
			found++;
			p = e;
		}
	}
	if (!found) return ea_fail(err, EA_E_FORMAT, "no certificate found");
	if (count) *count = x509_count(chain) - before;
	return 0;
}

int x509_count(const mbedtls_x509_crt *c)
{
	int n = 0;
	for (; c && c->raw.len; c = c->next) n++;
	return n;
}

int x509_is_self_signed(const mbedtls_x509_crt *c)
{
	return c->issuer_raw.len == c->subject_raw.len &&
	       memcmp(c->issuer_raw.p, c->subject_raw.p, c->subject_raw.len) == 0;
}

const char *x509_validity_at(const mbedtls_x509_crt *c, int64_t at)
{
	if (at < x509_time_ms(&c->valid_from)) return "signature.cert_not_yet_valid";
	/* notAfter is a whole second; the certificate is valid through it. */
	if (at > x509_time_ms(&c->valid_to) + 999) return "signature.cert_expired";
	return NULL;
}

struct vctx {
	int64_t at;
	const char *time_refusal;
	char who[120];
	const mbedtls_x509_crt *top;
};

static int vrfy_cb(void *p, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
	(void)depth;
	struct vctx *v = p;
	/* mbedTLS judges validity against the clock; we judge it at `at`. */
	*flags &= ~(uint32_t)(MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE);
	const char *r =
	        v->at < 0 ? NULL : x509_validity_at(crt, v->at); /* at < 0: time not judged here */
	if (r && !v->time_refusal) {
		v->time_refusal = r;
		x509_subject_str(crt, v->who, sizeof v->who);
	}
	/* Called from the top of the chain down to the leaf: the first is the anchor. */
	if (!v->top) v->top = crt;
	return 0;
}

int x509_verify_chain_at(mbedtls_x509_crt *leaf, mbedtls_x509_crt *roots, int64_t at,
                         struct x509_verdict *v)
{
	memset(v, 0, sizeof *v);
	if (!roots || !roots->raw.len) {
		v->refusal = "signature.untrusted_chain";
		snprintf(v->msg, sizeof v->msg, "no trusted root certificate configured");
		return -1;
	}
	struct vctx c = {.at = at};
	uint32_t flags = 0;
	int rc = mbedtls_x509_crt_verify_with_profile(
	        leaf, roots, NULL, &mbedtls_x509_crt_profile_default, NULL, &flags, vrfy_cb, &c);
	if (flags != 0 || (rc != 0 && rc != MBEDTLS_ERR_X509_CERT_VERIFY_FAILED)) {
		char info[160];
		if (flags) mbedtls_x509_crt_verify_info(info, sizeof info, "", flags);
		else mbedtls_strerror(rc, info, sizeof info);
		info[strcspn(info, "\n")] = '\0';
		v->refusal = "signature.untrusted_chain";
		snprintf(v->msg, sizeof v->msg,
		         "certificate chain does not verify to a trusted root: %.140s", info);
		return -1;
	}
	if (c.time_refusal) {
		char ts[32];
		rfc3339_format(at, ts, sizeof ts);
		v->refusal = c.time_refusal;
		snprintf(v->msg, sizeof v->msg, "certificate \"%.100s\" is %s at %s", c.who,
		         !strcmp(c.time_refusal, "signature.cert_expired") ? "expired"
		                                                           : "not yet valid",
		         ts);
		return -1;
	}
	if (rc != 0) { /* never "ok" without the library saying so */
		v->refusal = "signature.untrusted_chain";
		snprintf(v->msg, sizeof v->msg, "certificate chain verification failed");
		return -1;
	}
	v->anchor = c.top;
	return 0;
}

int x509_san_identity(const mbedtls_x509_crt *c, char *out, size_t n)
{
	out[0] = '\0';
	char email[256] = "";
	for (const mbedtls_x509_sequence *s = &c->subject_alt_names; s && s->buf.p; s = s->next) {
		mbedtls_x509_subject_alternative_name san;
		memset(&san, 0, sizeof san);
		if (mbedtls_x509_parse_subject_alt_name(&s->buf, &san) != 0) continue;
		if (san.type == MBEDTLS_X509_SAN_UNIFORM_RESOURCE_IDENTIFIER && !out[0]) {
			size_t l = san.san.unstructured_name.len;
			if (l >= n || memchr(san.san.unstructured_name.p, 0, l)) {
				mbedtls_x509_free_subject_alt_name(&san);
				continue;
			}
			memcpy(out, san.san.unstructured_name.p, l);
			out[l] = '\0';
		} else if (san.type == MBEDTLS_X509_SAN_RFC822_NAME && !email[0]) {
			size_t l = san.san.unstructured_name.len;
			if (l < sizeof email && !memchr(san.san.unstructured_name.p, 0, l)) {
				memcpy(email, san.san.unstructured_name.p, l);
				email[l] = '\0';
			}
		}
		mbedtls_x509_free_subject_alt_name(&san);
	}
	if (!out[0] && email[0]) snprintf(out, n, "%s", email);
	return out[0] ? 0 : -1;
}

int x509_find_ext(const mbedtls_x509_crt *c, const char *oid, size_t oidlen,
                  const unsigned char **val, size_t *vlen, int *critical)
{
	if (!c->v3_ext.p || !c->v3_ext.len) return 0;
	unsigned char *p = c->v3_ext.p, *end = c->v3_ext.p + c->v3_ext.len;
	size_t len;
	if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) !=
	    0)
		return 0;
	end = p + len;
	while (p < end) {
		if (mbedtls_asn1_get_tag(&p, end, &len,
		                         MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0)
			return 0;
		unsigned char *e = p + len;
		size_t ol;
		if (mbedtls_asn1_get_tag(&p, e, &ol, MBEDTLS_ASN1_OID) != 0) return 0;
		const unsigned char *o = p;
		p += ol;
		int crit = 0;
		int br = mbedtls_asn1_get_bool(&p, e, &crit); /* DEFAULT FALSE: may be absent */
		if (br != 0 && br != MBEDTLS_ERR_ASN1_UNEXPECTED_TAG) return 0;
		size_t vl;
		if (mbedtls_asn1_get_tag(&p, e, &vl, MBEDTLS_ASN1_OCTET_STRING) != 0) return 0;
		if (ol == oidlen && memcmp(o, oid, oidlen) == 0) {
			*val = p;
			*vlen = vl;
			if (critical) *critical = crit;
			return 1;
		}
		p = e;
	}
	return 0;
}

int x509_fulcio_issuer(const mbedtls_x509_crt *c, char *out, size_t n)
{
	/* 1.3.6.1.4.1.57264.1.8: a DER UTF8String inside the OCTET STRING. */
	static const char oid_v2[] = "\x2b\x06\x01\x04\x01\x83\xbf\x30\x01\x08";
	/* 1.3.6.1.4.1.57264.1.1 (deprecated): the raw string is the value. */
	static const char oid_v1[] = "\x2b\x06\x01\x04\x01\x83\xbf\x30\x01\x01";
	const unsigned char *v;
	size_t vl;
	out[0] = '\0';
	if (x509_find_ext(c, oid_v2, sizeof oid_v2 - 1, &v, &vl, NULL)) {
		unsigned char *p = (unsigned char *)v;
		size_t l;
		if (mbedtls_asn1_get_tag(&p, v + vl, &l, MBEDTLS_ASN1_UTF8_STRING) != 0 ||
		    p + l != v + vl || l >= n || memchr(p, 0, l))
			return -1;
		memcpy(out, p, l);
		out[l] = '\0';
		return 0;
	}
	if (x509_find_ext(c, oid_v1, sizeof oid_v1 - 1, &v, &vl, NULL)) {
		if (vl >= n || memchr(v, 0, vl)) return -1;
		memcpy(out, v, vl);
		out[vl] = '\0';
		return 0;
	}
	return -1;
}

void x509_subject_str(const mbedtls_x509_crt *c, char *out, size_t n)
{
	if (mbedtls_x509_dn_gets(out, n, &c->subject) < 0) snprintf(out, n, "?");
}

void x509_sha256_hex(const mbedtls_x509_crt *c, char out[65])
{
	digest_t d;
	digest_buffer(DIGEST_SHA256, c->raw.p, c->raw.len, &d);
	memcpy(out, digest_hex(&d), 65);
}

/* DER tag + length header into h; returns its size. */
static size_t der_hdr(unsigned char *h, unsigned char tag, size_t len)
{
	size_t i = 0;
	h[i++] = tag;
	if (len < 0x80) h[i++] = (unsigned char)len;
	else if (len < 0x100) {
		h[i++] = 0x81;
		h[i++] = (unsigned char)len;
	} else if (len < 0x10000) {
		h[i++] = 0x82;
		h[i++] = (unsigned char)(len >> 8);
		h[i++] = (unsigned char)len;
	} else {
		h[i++] = 0x83;
		h[i++] = (unsigned char)(len >> 16);
		h[i++] = (unsigned char)(len >> 8);
		h[i++] = (unsigned char)len;
	}
	return i;
}

int x509_tbs_without_ext(const mbedtls_x509_crt *c, const char *oid, size_t oidlen,
                         unsigned char **out, size_t *outlen, ea_error_t *err)
{
	unsigned char *p = c->tbs.p, *end = c->tbs.p + c->tbs.len;
	size_t len;
	if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) !=
	            0 ||
	    p + len != end)
		return ea_fail(err, EA_E_FORMAT, "TBSCertificate does not parse");
	unsigned char *body = p, *a3 = NULL, *a3end = NULL;
	while (p < end) {
		unsigned char *start = p;
		unsigned char tag = *p;
		p++;
		if (mbedtls_asn1_get_len(&p, end, &len) != 0)
			return ea_fail(err, EA_E_FORMAT, "TBSCertificate does not parse");
		p += len;
		if (tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 3)) {
			a3 = start;
			a3end = p;
		}
	}
	if (!a3 || a3end != end)
		return ea_fail(err, EA_E_FORMAT, "TBSCertificate has no extensions at its end");
	/* Inside [3]: SEQUENCE OF Extension. */
	unsigned char *q = a3 + 1;
	if (mbedtls_asn1_get_len(&q, end, &len) != 0 ||
	    mbedtls_asn1_get_tag(&q, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) !=
	            0 ||
	    q + len != end)
		return ea_fail(err, EA_E_FORMAT, "extensions do not parse");
	unsigned char *exts = q, *drop = NULL, *drop_end = NULL;
	while (q < end) {
		unsigned char *start = q;
		if (mbedtls_asn1_get_tag(&q, end, &len,
		                         MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0)
			return ea_fail(err, EA_E_FORMAT, "extension does not parse");
		unsigned char *e = q + len, *r = q;
		size_t ol;
		if (mbedtls_asn1_get_tag(&r, e, &ol, MBEDTLS_ASN1_OID) != 0)
			return ea_fail(err, EA_E_FORMAT, "extension does not parse");
		if (ol == oidlen && memcmp(r, oid, oidlen) == 0) {
			if (drop) return ea_fail(err, EA_E_FORMAT, "extension appears twice");
			drop = start;
			drop_end = e;
		}
		q = e;
	}
	if (!drop) return ea_fail(err, EA_E_FORMAT, "extension not present");
	size_t keep_ext = (size_t)(drop - exts) + (size_t)(end - drop_end);
	size_t pre = (size_t)(a3 - body);
	unsigned char h1[6], h2[6], h3[6];
	size_t l2 = 0, l3 = 0, inner = 0;
	if (keep_ext) {
		l3 = der_hdr(h3, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE, keep_ext);
		l2 = der_hdr(h2, MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 3,
		             l3 + keep_ext);
		inner = l2 + l3 + keep_ext;
	}
	size_t l1 = der_hdr(h1, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE, pre + inner);
	size_t total = l1 + pre + inner;
	unsigned char *o = xmalloc(total), *w = o;
	memcpy(w, h1, l1);
	w += l1;
	memcpy(w, body, pre);
	w += pre;
	if (keep_ext) {
		memcpy(w, h2, l2);
		w += l2;
		memcpy(w, h3, l3);
		w += l3;
		memcpy(w, exts, (size_t)(drop - exts));
		w += drop - exts;
		memcpy(w, drop_end, (size_t)(end - drop_end));
		w += end - drop_end;
	}
	*out = o;
	*outlen = total;
	return 0;
}

/* ---------------------------------------------------------------- keys */

int spki_is_eddsa(const unsigned char *der, size_t len)
{
	static const unsigned char ed25519[] = {0x06, 0x03, 0x2b, 0x65, 0x70};
	static const unsigned char ed448[] = {0x06, 0x03, 0x2b, 0x65, 0x71};
	/* The algorithm OID sits in the first 16 bytes of a SubjectPublicKeyInfo. */
	size_t l = len < 16 ? len : 16;
	return memmem(der, l, ed25519, sizeof ed25519) || memmem(der, l, ed448, sizeof ed448);
}

int spki_der_of(const unsigned char *data, size_t len, unsigned char **der, size_t *dl,
                ea_error_t *err)
{
	static const char begin[] = "-----BEGIN PUBLIC KEY-----",
	                  end[] = "-----END PUBLIC KEY-----";
	*der = NULL;
	if (len > 64 * 1024) return ea_fail(err, EA_E_TOOBIG, "public key over 64 KiB");
	if (!memmem(data, len, "-----BEGIN", 10)) {
		*der = xmalloc(len ? len : 1);
		memcpy(*der, data, len);
		*dl = len;
		return 0;
	}
	const unsigned char *b = memmem(data, len, begin, sizeof begin - 1);
	if (!b) return ea_fail(err, EA_E_FORMAT, "PEM block is not a PUBLIC KEY");
	cleanup_free char *blk = xmalloc(len + 1);
	memcpy(blk, data, len);
	blk[len] = '\0';
	size_t used, pl;
	mbedtls_pem_context pem;
	mbedtls_pem_init(&pem);
	int rc = mbedtls_pem_read_buffer(&pem, begin, end, (const unsigned char *)blk + (b - data),
	                                 NULL, 0, &used);
	if (rc != 0) {
		mbedtls_pem_free(&pem);
		return ea_fail(err, EA_E_FORMAT, "PUBLIC KEY block is not valid PEM");
	}
	const unsigned char *p = mbedtls_pem_get_buffer(&pem, &pl);
	*der = xmalloc(pl ? pl : 1);
	memcpy(*der, p, pl);
	*dl = pl;
	mbedtls_pem_free(&pem);
	return 0;
}

int pk_parse_public(mbedtls_pk_context *pk, const unsigned char *data, size_t len, ea_error_t *err)
{
	cleanup_free unsigned char *der = NULL;
	size_t dl;
	if (spki_der_of(data, len, &der, &dl, err) < 0) return -1;
	if (spki_is_eddsa(der, dl))
		return ea_fail(err, EA_E_UNSUPPORTED,
		               "EdDSA public key: not an mbedTLS key (see pubkey.h)");
	int rc = mbedtls_pk_parse_public_key(pk, der, dl);
	if (rc != 0) {
		char e[100];
		mbedtls_strerror(rc, e, sizeof e);
		return ea_fail(err, EA_E_FORMAT, "public key does not parse: %s", e);
	}
	mbedtls_pk_type_t t = mbedtls_pk_get_type(pk);
	if (t != MBEDTLS_PK_ECKEY && t != MBEDTLS_PK_RSA) {
		mbedtls_pk_free(pk);
		mbedtls_pk_init(pk);
		return ea_fail(err, EA_E_UNSUPPORTED, "public key type %d is not ECDSA or RSA",
		               (int)t);
	}
	return 0;
}

void pk_prepare_shared(mbedtls_pk_context *pk)
{
	if (mbedtls_pk_get_type(pk) != MBEDTLS_PK_RSA) return;
	mbedtls_rsa_context *rsa = mbedtls_pk_rsa(*pk);
	size_t n = mbedtls_rsa_get_len(rsa);
	if (n == 0 || n > 1024) return;
	unsigned char in[1024] = {0}, out[1024];
	in[n - 1] = 1; /* 1 < N: a valid input whose result we do not need */
	(void)mbedtls_rsa_public(rsa, in, out);
}

int pk_spki_der(const mbedtls_pk_context *pk, unsigned char *buf, size_t n,
                const unsigned char **der)
{
	int l = mbedtls_pk_write_pubkey_der(pk, buf, n);
	if (l <= 0) return -1;
	*der = buf + n - (size_t)l; /* written at the end of buf */
	return l;
}

mbedtls_md_type_t pk_default_md(const mbedtls_pk_context *pk)
{
	if (mbedtls_pk_get_type(pk) == MBEDTLS_PK_ECKEY) {
		size_t bits = mbedtls_pk_get_bitlen(pk);
		if (bits > 384) return MBEDTLS_MD_SHA512;
		if (bits > 256) return MBEDTLS_MD_SHA384;
	}
	return MBEDTLS_MD_SHA256;
}

/* Append DER INTEGER of the unsigned big-endian x[0..n) to o. */
static size_t der_uint(unsigned char *o, const unsigned char *x, size_t n)
{
	while (n > 1 && x[0] == 0) {
		x++;
		n--;
	}
	int pad = x[0] & 0x80;
	size_t h = der_hdr(o, MBEDTLS_ASN1_INTEGER, n + (pad ? 1 : 0));
	if (pad) o[h++] = 0;
	memcpy(o + h, x, n);
	return h + n;
}

static int raw_to_der(const mbedtls_pk_context *pk, const unsigned char *sig, size_t siglen,
                      unsigned char *out, size_t *outlen, ea_error_t *err)
{
	size_t nb = (mbedtls_pk_get_bitlen(pk) + 7) / 8;
	if (nb == 0 || nb > 66 || siglen != 2 * nb)
		return ea_fail(err, EA_E_FORMAT, "raw ECDSA signature is %zu bytes, want %zu",
		               siglen, 2 * nb);
	unsigned char body[2 * (4 + 67)];
	size_t bl = der_uint(body, sig, nb);
	bl += der_uint(body + bl, sig + nb, nb);
	size_t h = der_hdr(out, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE, bl);
	memcpy(out + h, body, bl);
	*outlen = h + bl;
	return 0;
}

int sigverify_hash(mbedtls_pk_context *pk, mbedtls_md_type_t md, const unsigned char *hash,
                   size_t hlen, const unsigned char *sig, size_t siglen, sig_encoding_t enc,
                   int pss, ea_error_t *err)
{
	mbedtls_pk_type_t t = mbedtls_pk_get_type(pk);
	if (mbedtls_md_get_size(mbedtls_md_info_from_type(md)) != hlen)
		return ea_fail(err, EA_E_USAGE, "hash length %zu does not fit the digest algorithm",
		               hlen);
	if (siglen == 0 || siglen > 1024)
		return ea_fail(err, EA_E_FORMAT, "signature of %zu bytes", siglen);
	int rc;
	if (t == MBEDTLS_PK_ECKEY || t == MBEDTLS_PK_ECDSA) {
		if (pss)
			return ea_fail(err, EA_E_UNSUPPORTED,
			               "RSA-PSS signature with an ECDSA key");
		unsigned char der[160];
		size_t dl = siglen;
		const unsigned char *s = sig;
		if (enc == SIG_RAW_RS) {
			if (raw_to_der(pk, sig, siglen, der, &dl, err) < 0) return -1;
			s = der;
		}
		rc = mbedtls_pk_verify(pk, md, hash, hlen, s, dl);
	} else if (t == MBEDTLS_PK_RSA) {
		if (enc != SIG_DER)
			return ea_fail(err, EA_E_FORMAT, "raw r||s signature with an RSA key");
		if (pss) {
			mbedtls_pk_rsassa_pss_options o = {.mgf1_hash_id = md,
			                                   .expected_salt_len = (int)hlen};
			rc = mbedtls_pk_verify_ext(MBEDTLS_PK_RSASSA_PSS, &o, pk, md, hash, hlen,
			                           sig, siglen);
		} else {
			rc = mbedtls_pk_verify(pk, md, hash, hlen, sig, siglen);
		}
	} else {
		return ea_fail(err, EA_E_UNSUPPORTED, "key type %d cannot verify here", (int)t);
	}
	if (rc != 0) {
		char e[100];
		mbedtls_strerror(rc, e, sizeof e);
		return ea_fail(err, EA_E_MISMATCH, "signature does not verify: %s", e);
	}
	return 0;
}

int sigverify_msg(mbedtls_pk_context *pk, mbedtls_md_type_t md, const void *msg, size_t len,
                  const unsigned char *sig, size_t siglen, sig_encoding_t enc, int pss,
                  ea_error_t *err)
{
	const mbedtls_md_info_t *mi = mbedtls_md_info_from_type(md);
	if (!mi) return ea_fail(err, EA_E_UNSUPPORTED, "digest algorithm not built in");
	unsigned char h[MBEDTLS_MD_MAX_SIZE];
	if (mbedtls_md(mi, msg, len, h) != 0)
		return ea_fail(err, EA_E_UNSUPPORTED, "digest failed");
	return sigverify_hash(pk, md, h, mbedtls_md_get_size(mi), sig, siglen, enc, pss, err);
}
