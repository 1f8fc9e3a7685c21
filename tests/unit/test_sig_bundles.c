/* sigstore bundles published by sigstore-go and cosign (npm provenance,
 * npm publish attestation, cosign's OCI attestation, sigstore-go's test
 * bundles) through bundle_verify(), with the trusted roots they came with.
 * The artifact is named by the bundle itself (its in-toto subject or its
 * message digest): what is checked is everything else -- signature, chain,
 * SCT, Rekor entry, timestamps. */
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "test_sig_helpers.h"
#include "unit.h"

#define CO "cosign"

/* The subject the bundle names: its statement's first subject digest, or
 * its messageDigest. */
static int bundle_subject(const char *b, size_t bl, digest_t *d)
{
	ea_error_t err;
	cJSON *j = sjson_parse(b, bl, &err);
	int rc = -1;
	const cJSON *de = j ? cJSON_GetObjectItemCaseSensitive(j, "dsseEnvelope") : NULL;
	const cJSON *ms = j ? cJSON_GetObjectItemCaseSensitive(j, "messageSignature") : NULL;
	if (de) {
		unsigned char *p = NULL;
		size_t pl;
		if (sjson_b64(de, "payload", B64_PROTO, 1 << 22, &p, &pl, &err) == 0) {
			cJSON *st = sjson_parse((char *)p, pl, &err);
			const cJSON *s =
			        st ? cJSON_GetObjectItemCaseSensitive(st, "subject") : NULL;
			const cJSON *dg =
			        s && s->child ? cJSON_GetObjectItemCaseSensitive(s->child, "digest")
			                      : NULL;
			const char *v;
			char buf[DIGEST_MAX_STR];
			if (dg && (v = sjson_str(dg, "sha256")))
				snprintf(buf, sizeof buf, "sha256:%s", v);
			else if (dg && (v = sjson_str(dg, "sha512")))
				snprintf(buf, sizeof buf, "sha512:%s", v);
			else buf[0] = '\0';
			rc = buf[0] ? digest_parse(buf, d, &err) : -1;
			cJSON_Delete(st);
		}
		free(p);
	} else if (ms) {
		const cJSON *md = cJSON_GetObjectItemCaseSensitive(ms, "messageDigest");
		unsigned char *v = NULL;
		size_t vl;
		if (md && sjson_b64(md, "digest", B64_PROTO, 64, &v, &vl, &err) == 0 && vl == 32) {
			char hex[65], buf[80];
			ea_hex(v, 32, hex);
			snprintf(buf, sizeof buf, "sha256:%s", hex);
			rc = digest_parse(buf, d, &err);
		}
		free(v);
	}
	cJSON_Delete(j);
	return rc;
}

/* Verify; returns the refusal (NULL = verified) into buf. */
static const char *verify(const char *root, const char *bundle, const char *troot, const char *key,
                          char *buf, size_t n)
{
	size_t bl;
	char *b = tsig_read(tsig_path("%s/" CO "/%s", root, bundle), &bl);
	if (!b) return "absent";
	struct sig_policy *p = sig_policy_new();
	if (troot && tsig_load_troot(p, tsig_path("%s/" CO "/%s", root, troot)) < 0) {
		free(b);
		sig_policy_free(p);
		return "troot";
	}
	if (key) {
		size_t kl;
		char *k = tsig_read(tsig_path("%s/" CO "/%s", root, key), &kl);
		ea_error_t err;
		if (k) policy_add_key_pem(p, "key", (unsigned char *)k, kl, &err);
		free(k);
	} else {
		/* any Fulcio identity: these tests are about the rest of the chain */
		tsig_add_identity(p, "any", "x", "y");
		free(p->identities[0].subject);
		free(p->identities[0].issuer);
		p->identities[0].subject = p->identities[0].issuer = NULL;
		p->identities[0].subject_pattern = xstrdup("*");
		p->identities[0].issuer_pattern = xstrdup("*");
	}
	struct sig_subject s = {.size = -1};
	struct sig_accept a = {.pol = p};
	struct sig_result r = {0};
	if (bundle_subject(b, bl, &s.digest) < 0) {
		r.refusal = "no-subject";
	} else {
		bundle_verify(&a, &s, b, bl, &r);
	}
	fprintf(stderr, "#   %s: %s %s %s\n", bundle, r.refusal ? r.refusal : "verified", r.msg,
	        r.signer);
	snprintf(buf, n, "%s", r.refusal ? r.refusal : "ok");
	free(b);
	sig_policy_free(p);
	return buf;
}

UNIT_TEST(sig_bundles_published)
{
	const char *root = unit_shared_testdata();
	if (!root) UNIT_SKIP("../shared/testdata is absent");
	char b[64];
	/* npm provenance (v0.1: Fulcio chain, SCT, Rekor v1 intoto entry whose
	 * stored envelope has no payload, SET and no proof) */
	CHECK_EQ_STR(verify(root,
	                    "sigstore-go/testing-data/bundles/"
	                    "sigstore.js@2.0.0-provenance.sigstore.json",
	                    "sigstore-go/examples/trusted-root-public-good.json", NULL, b,
	                    sizeof b),
	             "ok");
	/* older v0.1 bundles that carry the root in their chain: the conformance
	 * suite (bundle-with-root-cert_fail) says a client must refuse that */
	CHECK_EQ_STR(verify(root, "sigstore-go/examples/bundle-provenance.json",
	                    "sigstore-go/examples/trusted-root-public-good.json", NULL, b,
	                    sizeof b),
	             "signature.untrusted_chain");
	CHECK_EQ_STR(verify(root, "sigstore-go/testing-data/bundles/dsse.sigstore.json",
	                    "sigstore-go/examples/trusted-root-public-good.json", NULL, b,
	                    sizeof b),
	             "signature.untrusted_chain");
	/* a Fulcio username (otherName SAN): not an identity we match */
	CHECK_EQ_STR(verify(root, "sigstore-go/testing-data/bundles/othername.sigstore.json",
	                    "sigstore-go/testing-data/trusted-roots/scaffolding.json", NULL, b,
	                    sizeof b),
	             "signature.identity_mismatch");
	/* npm's publish attestation: signed by npm's key */
	CHECK_EQ_STR(verify(root, "sigstore-go/examples/bundle-publish.json",
	                    "sigstore-go/examples/trusted-root-public-good.json",
	                    "sigstore-go/examples/publish_key.pub", b, sizeof b),
	             "ok");
	CHECK_EQ_STR(verify(root, "sigstore-go/examples/bundle-publish.json", NULL,
	                    "sigstore-go/examples/publish_key.pub", b, sizeof b),
	             "ok");
	/* ...and not by another key (its hint names npm's key, not ours) */
	CHECK_EQ_STR(verify(root, "sigstore-go/examples/bundle-publish.json", NULL,
	                    "cosign/release-cosign.pub", b, sizeof b),
	             "signature.wrong_key");
	/* a provenance bundle judged against another instance's root */
	CHECK_EQ_STR(verify(root,
	                    "sigstore-go/testing-data/bundles/"
	                    "sigstore.js@2.0.0-provenance.sigstore.json",
	                    "sigstore-go/testing-data/trusted-roots/scaffolding.json", NULL, b,
	                    sizeof b),
	             "signature.untrusted_log");
	/* cosign's OCI attestation (DSSE, Rekor dsse entry) */
	CHECK_EQ_STR(verify(root, "cosign/oci-attestation.sigstore.json",
	                    "cosign/trusted_root_pgi.json", NULL, b, sizeof b),
	             "ok");
	/* a public-key bundle with an RFC 3161 timestamp and no log entry */
	CHECK_EQ_STR(
	        verify(root, "sigstore-go/testing-data/bundles/public-key-validity.sigstore.json",
	               "sigstore-go/testing-data/trusted-roots/public-key-validity.json",
	               "sigstore-go/testing-data/public-keys/public-key-validity.pem", b, sizeof b),
	        "ok");
	/* two DSSE signatures in a bundle (and a root in its chain): refused */
	CHECK_EQ_STR(verify(root, "sigstore-go/testing-data/bundles/dsse-2sigs.sigstore.json",
	                    "sigstore-go/examples/trusted-root-public-good.json", NULL, b,
	                    sizeof b),
	             "signature.untrusted_chain");
}
