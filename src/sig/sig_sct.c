/* sig_sct: Signed Certificate Timestamps embedded in a Fulcio leaf
 * (RFC 6962 sec. 3.2-3.3), verified with the CT log keys of the trusted
 * root.  The log signed the precertificate: the leaf's TBSCertificate
 * without the SCT list extension, with the issuer's key hash. */
#include <mbedtls/asn1.h>
#include <stdio.h>
#include <string.h>

#include "digest.h"
#include "sig_int.h"
#include "x509util.h"

/* 1.3.6.1.4.1.11129.2.4.2 */
static const char oid_sct[] = "\x2b\x06\x01\x04\x01\xd6\x79\x02\x04\x02";

static uint64_t be(const unsigned char *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++) v = v << 8 | p[i];
	return v;
}

int sct_verify(const struct trusted_root *tr, const mbedtls_x509_crt *leaf,
               const mbedtls_x509_crt *issuer, struct sig_result *r)
{
	const unsigned char *v;
	size_t vl;
	if (!x509_find_ext(leaf, oid_sct, sizeof oid_sct - 1, &v, &vl, NULL)) {
		sig_refuse(r, "signature.bad_sct", "certificate carries no SCT");
		return -1;
	}
	unsigned char *p = (unsigned char *)v;
	size_t len;
	if (mbedtls_asn1_get_tag(&p, v + vl, &len, MBEDTLS_ASN1_OCTET_STRING) != 0 ||
	    p + len != v + vl || len < 2 || be(p, 2) != len - 2) {
		sig_refuse(r, "signature.bad_sct", "SCT list is malformed");
		return -1;
	}
	const unsigned char *q = p + 2, *end = p + len;
	unsigned char *tbs = NULL;
	size_t tbslen = 0;
	ea_error_t err;
	if (x509_tbs_without_ext(leaf, oid_sct, sizeof oid_sct - 1, &tbs, &tbslen, &err) < 0 ||
	    tbslen >= (1u << 24)) {
		free(tbs);
		sig_refuse(r, "signature.bad_sct", "cannot rebuild the precertificate: %s",
		           err.msg);
		return -1;
	}
	digest_t ikh;
	digest_buffer(DIGEST_SHA256, issuer->pk_raw.p, issuer->pk_raw.len, &ikh);
	int verified = 0, known = 0;
	while (q + 2 <= end && !verified) {
		size_t sl = (size_t)be(q, 2);
		q += 2;
		if (sl > (size_t)(end - q) || sl < 1 + 32 + 8 + 2) break;
		const unsigned char *s = q, *se = q + sl;
		q = se;
		if (s[0] != 0) continue; /* v1 only */
		const unsigned char *log_id = s + 1;
		uint64_t ts = be(s + 33, 8);
		size_t el = (size_t)be(s + 41, 2);
		const unsigned char *ext = s + 43;
		if (el > (size_t)(se - ext) || (size_t)(se - ext) - el < 4) continue;
		const unsigned char *sp = ext + el;
		int halg = sp[0], salg = sp[1];
		size_t sigl = (size_t)be(sp + 2, 2);
		if (sigl != (size_t)(se - sp - 4)) continue;
		const struct tr_key *log = troot_find_log(tr->ctlogs, tr->nctlogs, log_id, 32);
		if (!log || !log->has_key) continue;
		known++;
		if ((int64_t)ts < log->start || (int64_t)ts > log->end) continue;
		if (halg != 4 /* sha256 */ || (salg != 3 /* ecdsa */ && salg != 1 /* rsa */))
			continue;
		/* digitally-signed struct of RFC 6962 sec. 3.2, precert_entry */
		size_t n = 1 + 1 + 8 + 2 + 32 + 3 + tbslen + 2 + el;
		unsigned char *m = xmalloc(n), *w = m;
		*w++ = 0;             /* version v1 */
		*w++ = 0;             /* certificate_timestamp */
		memcpy(w, s + 33, 8); /* timestamp */
		w += 8;
		*w++ = 0;
		*w++ = 1; /* precert_entry */
		memcpy(w, ikh.bytes, 32);
		w += 32;
		*w++ = (unsigned char)(tbslen >> 16);
		*w++ = (unsigned char)(tbslen >> 8);
		*w++ = (unsigned char)tbslen;
		memcpy(w, tbs, tbslen);
		w += tbslen;
		*w++ = (unsigned char)(el >> 8);
		*w++ = (unsigned char)el;
		memcpy(w, ext, el);
		if (pubkey_verify_msg(&log->key, MBEDTLS_MD_SHA256, m, n, sp + 4, sigl, &err) == 0)
			verified = 1;
		free(m);
	}
	free(tbs);
	if (!verified) {
		sig_refuse(r, "signature.bad_sct",
		           known ? "no SCT verifies with the trusted root's CT log keys"
		                 : "no SCT from a CT log of the trusted root");
		return -1;
	}
	return 0;
}
