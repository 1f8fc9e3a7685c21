/* PEM/DER certificates and public keys (x509util.h), and what the verifiers
 * read out of a hostile certificate: SAN identity, Fulcio extensions, the
 * SCT list (sct_verify), the TBS rewrite for SCTs, chain building against a
 * fixed root, Fulcio checks against the production trusted root.
 * Option bit 0: the input is a public key (PEM or DER SubjectPublicKeyInfo)
 * followed by a signature to verify with it. */
#include "common.h"
#include "sig_int.h"
#include "x509util.h"

static struct trusted_root *troot;
static mbedtls_x509_crt roots;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	mbedtls_x509_crt_init(&roots);
	size_t n;
	char *d = fz_fixture("cosign/root-signing/trusted_root.json") ? fz_read(fz_fixture("cosign/root-signing/trusted_root.json"), &n) : NULL;
	ea_error_t err;
	if (d && troot_parse(d, n, &troot, &err) < 0) troot = NULL;
	free(d);
	const char *rp = fz_fixture("notation/notation-e2e/config/localkeys/e2e.crt");
	d = rp ? fz_read(rp, &n) : NULL;
	if (d) (void)x509_parse_any(&roots, (unsigned char *)d, n, NULL, &err);
	free(d);
	return 0;
}

static void key_case(const uint8_t *data, size_t size)
{
	/* key, then "\n--sig--\n", then the signature bytes */
	static const char sep[] = "\n--sig--\n";
	const uint8_t *s = memmem(data, size, sep, sizeof sep - 1);
	size_t klen = s ? (size_t)(s - data) : size;
	mbedtls_pk_context pk;
	mbedtls_pk_init(&pk);
	ea_error_t err = {0};
	if (pk_parse_public(&pk, data, klen, &err) == 0) {
		unsigned char buf[4096];
		const unsigned char *der = NULL;
		(void)pk_spki_der(&pk, buf, sizeof buf, &der);
		pk_prepare_shared(&pk);
		(void)pk_default_md(&pk);
		if (s) {
			const unsigned char *sig = s + sizeof sep - 1;
			size_t slen = size - klen - (sizeof sep - 1);
			(void)sigverify_msg(&pk, MBEDTLS_MD_SHA256, "payload", 7, sig, slen, SIG_DER, 0, &err);
			(void)sigverify_msg(&pk, MBEDTLS_MD_SHA256, "payload", 7, sig, slen, SIG_RAW_RS, 0, &err);
			(void)sigverify_msg(&pk, MBEDTLS_MD_SHA256, "payload", 7, sig, slen, SIG_DER, 1, &err);
		}
	}
	(void)spki_is_eddsa(data, klen);
	mbedtls_pk_free(&pk);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t opt = fz_take_byte(&data, &size);
	if (opt & 1) {
		key_case(data, size);
		return 0;
	}
	mbedtls_x509_crt chain;
	mbedtls_x509_crt_init(&chain);
	int count = 0;
	ea_error_t err = {0};
	if (x509_parse_any(&chain, data, size, &count, &err) == 0) {
		if (count < 1 || x509_count(&chain) != count) abort();
		char buf[512], hex[65];
		for (mbedtls_x509_crt *c = &chain; c && c->raw.p; c = c->next) {
			(void)x509_is_self_signed(c);
			(void)x509_validity_at(c, 1700000000000LL);
			(void)x509_san_identity(c, buf, sizeof buf);
			(void)x509_fulcio_issuer(c, buf, sizeof buf);
			x509_subject_str(c, buf, sizeof buf);
			(void)notation_identity_match("x509.subject: C=US, O=Notary, CN=e2e", c);
			x509_sha256_hex(c, hex);
			const unsigned char *v;
			size_t vl;
			int crit;
			/* the embedded SCT list, 1.3.6.1.4.1.11129.2.4.2 */
			static const char sct_oid[] = "\x2b\x06\x01\x04\x01\xd6\x79\x02\x04\x02";
			(void)x509_find_ext(c, sct_oid, sizeof sct_oid - 1, &v, &vl, &crit);
			unsigned char *tbs = NULL;
			size_t tl = 0;
			if (x509_tbs_without_ext(c, sct_oid, sizeof sct_oid - 1, &tbs, &tl, &err) == 0) free(tbs);
		}
		struct x509_verdict vd;
		(void)x509_verify_chain_at(&chain, &roots, 1700000000000LL, &vd);
		if (troot) {
			struct sig_result r = {0};
			(void)sct_verify(troot, &chain, chain.next ? chain.next : &chain, &r);
			memset(&r, 0, sizeof r);
			(void)fulcio_verify_cert(troot, &chain, 1700000000000LL, &r);
		}
	}
	mbedtls_x509_crt_free(&chain);
	return 0;
}
