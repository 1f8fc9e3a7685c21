/* cosign simple signing against containers/image's fixtures (signatures made
 * by the real cosign, keys and Fulcio/Rekor material as they published them):
 * ../shared/testdata/cosign/containers-image-signature/fixtures.  Each
 * dir-img-cosign-* folder holds manifest.json and signature-N files in
 * containers/image's on-disk form ("\0sigstore-json\n" + JSON {mimeType,
 * payload, annotations}); the image digest is sha256(manifest.json). */
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "test_sig_helpers.h"
#include "unit.h"
#include "x509util.h"

#define FIX "cosign/containers-image-signature/fixtures"

/* Verify every signature-N of a fixture folder; returns the number read and
 * fills up to 4 results. */
static int verify_dir(const char *root, const char *dir, struct sig_accept *a,
                      struct sig_result *res, int check_ref, const char *name)
{
	size_t ml;
	char *man = tsig_read(tsig_path("%s/" FIX "/%s/manifest.json", root, dir), &ml);
	if (!man) return -1;
	struct sig_subject s = {.size = (int64_t)ml};
	digest_buffer(DIGEST_SHA256, man, ml, &s.digest);
	free(man);
	const char *names[1] = {name};
	s.names = names;
	s.nnames = name ? 1 : 0;
	struct pol_rule rule = {0};
	int keys[4], ids[4];
	rule.keys = keys;
	rule.ids = ids;
	for (int i = 0; i < a->pol->nkeys && i < 4; i++) keys[rule.nkeys++] = i;
	for (int i = 0; i < a->pol->nidentities && i < 4; i++) ids[rule.nids++] = i;
	rule.require = 1;
	rule.check_reference = check_ref;
	a->rule = &rule;
	int n = 0;
	for (int i = 1; i <= 4; i++) {
		size_t sl;
		char *sig = tsig_read(tsig_path("%s/" FIX "/%s/signature-%d", root, dir, i), &sl);
		if (!sig) break;
		static const char pre[] = "\0sigstore-json\n";
		ea_error_t err;
		cJSON *j = sl > sizeof pre - 1 && !memcmp(sig, pre, sizeof pre - 1)
		                   ? sjson_parse(sig + sizeof pre - 1, sl - (sizeof pre - 1), &err)
		                   : NULL;
		unsigned char *payload = NULL;
		size_t pl = 0;
		memset(&res[n], 0, sizeof res[n]);
		if (!j || sjson_b64(j, "payload", B64_STD, 1 << 20, &payload, &pl, &err) < 0) {
			res[n].refusal = "signature.malformed";
		} else {
			const char *mt = sjson_str(j, "mimeType");
			if (!mt ||
			    strcmp(mt, "application/vnd.dev.cosign.simplesigning.v1+json") != 0)
				res[n].refusal = "not-simplesigning"; /* sig.c skips such layers */
			else
				cosign_verify_layer(
				        a, &s, payload, pl,
				        cJSON_GetObjectItemCaseSensitive(j, "annotations"),
				        &res[n]);
		}
		if (res[n].refusal)
			fprintf(stderr, "#   %s/signature-%d: %s %s\n", dir, i, res[n].refusal,
			        res[n].msg);
		free(payload);
		cJSON_Delete(j);
		free(sig);
		n++;
	}
	a->rule = NULL;
	return n;
}

static struct sig_policy *key_policy(const char *root, const char *keyfile)
{
	struct sig_policy *p = sig_policy_new();
	size_t kl;
	char *k = tsig_read(tsig_path("%s/" FIX "/%s", root, keyfile), &kl);
	ea_error_t err;
	if (!k || policy_add_key_pem(p, keyfile, (unsigned char *)k, kl, &err) < 0) {
		free(k);
		sig_policy_free(p);
		return NULL;
	}
	free(k);
	return p;
}

UNIT_TEST(sig_cosign_key_fixtures)
{
	const char *root = unit_shared_testdata();
	if (!root) UNIT_SKIP("../shared/testdata is absent");
	struct sig_policy *p = key_policy(root, "cosign.pub");
	struct sig_policy *p2 = key_policy(root, "cosign2.pub");
	CHECK(p && p2);
	struct sig_accept a = {.pol = p};
	struct sig_result r[4];
	/* valid: verifies with cosign.pub, not with cosign2.pub */
	CHECK(verify_dir(root, "dir-img-cosign-valid", &a, r, 0, NULL) == 1);
	CHECK(r[0].refusal == NULL);
	CHECK_EQ_STR(r[0].signer, "key:cosign.pub");
	CHECK(verify_dir(root, "dir-img-cosign-valid-with-tag", &a, r, 0, NULL) == 1 &&
	      r[0].refusal == NULL);
	CHECK(verify_dir(root, "dir-img-cosign-valid-2", &a, r, 0, NULL) == 2 &&
	      r[0].refusal == NULL && r[1].refusal == NULL);
	/* docker-reference checked when the rule asks */
	CHECK(verify_dir(root, "dir-img-cosign-valid", &a, r, 1,
	                 "192.168.64.2:5000/cosign-signed-single-sample:latest") == 1);
	CHECK(r[0].refusal == NULL);
	CHECK(verify_dir(root, "dir-img-cosign-valid", &a, r, 1,
	                 "192.168.64.2:5000/other:latest") == 1);
	CHECK_EQ_STR(r[0].refusal, "signature.reference_mismatch");
	/* the image changed after signing: the signed digest is another one */
	CHECK(verify_dir(root, "dir-img-cosign-modified-manifest", &a, r, 0, NULL) == 1);
	CHECK_EQ_STR(r[0].refusal, "signature.digest_mismatch");
	CHECK(verify_dir(root, "dir-img-cosign-manifest-digest-error", &a, r, 0, NULL) == 1);
	CHECK_EQ_STR(r[0].refusal, "signature.digest_mismatch");
	/* mixed: one signature by cosign.pub, one by another key */
	CHECK(verify_dir(root, "dir-img-cosign-mixed", &a, r, 0, NULL) == 2);
	CHECK((r[0].refusal == NULL) != (r[1].refusal == NULL));
	CHECK_EQ_STR(r[0].refusal ? r[0].refusal : r[1].refusal, "signature.invalid");
	/* a non-signature attachment is not a simple-signing layer */
	CHECK(verify_dir(root, "dir-img-cosign-other-attachment", &a, r, 0, NULL) == 1);
	CHECK_EQ_STR(r[0].refusal, "not-simplesigning");
	/* the wrong key */
	a.pol = p2;
	CHECK(verify_dir(root, "dir-img-cosign-valid", &a, r, 0, NULL) == 1);
	CHECK_EQ_STR(r[0].refusal, "signature.invalid");
	/* key + Rekor bundle: verifies with cosign2.pub; with the Rekor key as
	 * trusted root the SET and the entry body are checked too. */
	CHECK(verify_dir(root, "dir-img-cosign-key-rekor-valid", &a, r, 0, NULL) == 1 &&
	      r[0].refusal == NULL);
	CHECK_EQ_STR(r[0].tlog, "not_checked");
	sig_policy_free(p);
	sig_policy_free(p2);
}

/* A trusted root (protobuf JSON) from a Fulcio certificate and a Rekor key
 * as containers/image ships them: test glue, the signatures are cosign's. */
static struct sig_policy *fulcio_policy(const char *root, const char *fulcio_pem,
                                        const char *rekor_pub, const char *key)
{
	size_t fl, rl;
	char *f = tsig_read(tsig_path("%s/" FIX "/%s", root, fulcio_pem), &fl);
	char *k = tsig_read(tsig_path("%s/" FIX "/%s", root, rekor_pub), &rl);
	if (!f || !k) {
		free(f);
		free(k);
		return NULL;
	}
	mbedtls_x509_crt c;
	mbedtls_x509_crt_init(&c);
	mbedtls_pk_context pk;
	mbedtls_pk_init(&pk);
	ea_error_t err;
	struct sig_policy *p = sig_policy_new();
	unsigned char kb[1024];
	const unsigned char *kd;
	if (x509_parse_any(&c, (unsigned char *)f, fl, NULL, &err) == 0 &&
	    pk_parse_public(&pk, (unsigned char *)k, rl, &err) == 0) {
		int kl = pk_spki_der(&pk, kb, sizeof kb, &kd);
		digest_t id;
		digest_buffer(DIGEST_SHA256, kd, (size_t)kl, &id);
		char *cb = b64_encode_std(c.raw.p, c.raw.len),
		     *kb64 = b64_encode_std(kd, (size_t)kl), *ib = b64_encode_std(id.bytes, 32);
		char *json = xasprintf(
		        "{\"mediaType\":\"application/"
		        "vnd.dev.sigstore.trustedroot+json;version=0.1\","
		        "\"tlogs\":[{\"baseUrl\":\"https://"
		        "rekor.example\",\"hashAlgorithm\":\"SHA2_256\",\"publicKey\":{"
		        "\"rawBytes\":\"%s\","
		        "\"keyDetails\":\"PKIX_ECDSA_P256_SHA_256\",\"validFor\":{\"start\":\"2020-"
		        "01-01T00:00:00Z\"}},\"logId\":{\"keyId\":\"%s\"}}],"
		        "\"certificateAuthorities\":[{\"uri\":\"https://"
		        "fulcio.example\",\"certChain\":{\"certificates\":[{\"rawBytes\":\"%s\"}]},"
		        "\"validFor\":{\"start\":\"2020-01-01T00:00:00Z\"}}]}",
		        kb64, ib, cb);
		if (troot_parse(json, strlen(json), &p->troot, &err) < 0)
			fprintf(stderr, "#   %s\n", err.msg);
		free(json);
		free(cb);
		free(kb64);
		free(ib);
	}
	if (key) {
		size_t l;
		char *kk = tsig_read(tsig_path("%s/" FIX "/%s", root, key), &l);
		if (kk) policy_add_key_pem(p, key, (unsigned char *)kk, l, &err);
		free(kk);
	}
	mbedtls_x509_crt_free(&c);
	mbedtls_pk_free(&pk);
	free(f);
	free(k);
	return p;
}

UNIT_TEST(sig_cosign_keyless_fixtures)
{
	const char *root = unit_shared_testdata();
	if (!root) UNIT_SKIP("../shared/testdata is absent");
	struct sig_result r[4];
	/* Fulcio + Rekor, the identity from the certificate (email SAN, v1 issuer extension) */
	struct sig_policy *p = fulcio_policy(root, "fulcio_v1.crt.pem", "rekor.pub", NULL);
	CHECK(p && p->troot);
	tsig_add_identity(p, "mitr", "mitr@redhat.com", "https://github.com/login/oauth");
	struct sig_accept a = {.pol = p};
	CHECK(verify_dir(root, "dir-img-cosign-fulcio-rekor-valid", &a, r, 0, NULL) == 1);
	CHECK(r[0].refusal == NULL);
	CHECK_EQ_STR(r[0].tlog, "verified");
	CHECK(strstr(r[0].signer, "mitr@redhat.com") != NULL);
	CHECK(r[0].signed_at_ms > 0);
	/* another identity: refused */
	free(p->identities[0].subject);
	p->identities[0].subject = xstrdup("someone@example.com");
	CHECK(verify_dir(root, "dir-img-cosign-fulcio-rekor-valid", &a, r, 0, NULL) == 1);
	CHECK_EQ_STR(r[0].refusal, "signature.identity_mismatch");
	sig_policy_free(p);
	/* the wrong Rekor key: the SET does not verify */
	p = fulcio_policy(root, "fulcio_v1.crt.pem", "cosign.pub", NULL);
	tsig_add_identity(p, "mitr", "mitr@redhat.com", "https://github.com/login/oauth");
	a.pol = p;
	CHECK(verify_dir(root, "dir-img-cosign-fulcio-rekor-valid", &a, r, 0, NULL) == 1);
	CHECK_EQ_STR(r[0].refusal, "signature.untrusted_log");
	sig_policy_free(p);
	/* the wrong CA: the chain does not verify */
	p = fulcio_policy(root, "pki_root_crts.pem", "rekor.pub", NULL);
	tsig_add_identity(p, "mitr", "mitr@redhat.com", "https://github.com/login/oauth");
	a.pol = p;
	CHECK(verify_dir(root, "dir-img-cosign-fulcio-rekor-valid", &a, r, 0, NULL) == 1);
	CHECK_EQ_STR(r[0].refusal, "signature.untrusted_chain");
	sig_policy_free(p);
	/* key + Rekor: with the Rekor key in the trusted root the SET is verified */
	p = fulcio_policy(root, "fulcio_v1.crt.pem", "rekor.pub", "cosign2.pub");
	a.pol = p;
	CHECK(verify_dir(root, "dir-img-cosign-key-rekor-valid", &a, r, 0, NULL) == 1);
	CHECK(r[0].refusal == NULL);
	CHECK_EQ_STR(r[0].tlog, "verified");
	sig_policy_free(p);
	/* PKI certificate without any Rekor entry or timestamp: no trusted time */
	p = fulcio_policy(root, "pki_root_crts.pem", "rekor.pub", NULL);
	tsig_add_identity(p, "any", "x", "y");
	free(p->identities[0].subject);
	p->identities[0].subject = NULL;
	p->identities[0].subject_pattern = xstrdup("*");
	a.pol = p;
	CHECK(verify_dir(root, "dir-img-cosign-pki-valid", &a, r, 0, NULL) == 1);
	CHECK_EQ_STR(r[0].refusal, "signature.no_timestamp");
	sig_policy_free(p);
}
