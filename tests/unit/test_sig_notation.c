/* Notary Project signatures made by the real notation CLI (its e2e OCI
 * layouts in ../shared/testdata/notation/notation-e2e), verified through the
 * public entry point sig_verify_image() over blobsrc_oci_dir(), with
 * notation's own trust policies from the same test suite. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "b64.h"
#include "fsx.h"
#include "x509util.h"

#include "test_sig_helpers.h"
#include "unit.h"

#define E2E "notation/notation-e2e"

/* Our policy: every image needs a notation signature (enforce). */
static struct sig_policy *notation_policy(const char *root, const char *trustpolicy,
                                          const char *store)
{
	struct sig_policy *p = sig_policy_new();
	if (tsig_load_notation(p,
	                       tsig_path("%s/" E2E "/config/trustpolicies/%s", root, trustpolicy),
	                       store) < 0) {
		sig_policy_free(p);
		return NULL;
	}
	p->rules = xcalloc(1, sizeof *p->rules);
	p->nrules = 1;
	p->rules[0].names = xcalloc(1, sizeof(char *));
	p->rules[0].names[0] = xstrdup("*");
	p->rules[0].nnames = 1;
	p->rules[0].require = 1;
	p->rules[0].notation = 1;
	return p;
}

static const char *e2e_store(const char *root)
{
	const char *files[1] = {tsig_path("%s/" E2E "/config/localkeys/e2e.crt", root)};
	return tsig_truststore("ca", "e2e", files, 1);
}

/* Run a layout; returns rc and the first signature's refusal (or "ok"). */
static int run(const char *root, const char *layout, struct sig_policy *p, char *refusal, size_t n,
               report_t **rep_out)
{
	report_t *rep = report_new();
	cJSON *img = NULL;
	int rc = tsig_run_layout(tsig_path("%s/" E2E "/registry/oci_layout/%s", root, layout), "v1",
	                         "localhost:5000/e2e:v1", p, rep, &img);
	const cJSON *sigs = img ? cJSON_GetObjectItemCaseSensitive(img, "signatures") : NULL;
	snprintf(refusal, n, "none");
	for (const cJSON *s = sigs ? sigs->child : NULL; s; s = s->next) {
		const char *rf = sjson_str(s, "refusal");
		if (!strcmp(refusal, "none") || !rf) snprintf(refusal, n, "%s", rf ? rf : "ok");
		fprintf(stderr, "#   %s: %s %s %s\n", layout, rf ? rf : "verified",
		        sjson_str(s, "message") ? sjson_str(s, "message") : "",
		        sjson_str(s, "logged") ? sjson_str(s, "logged") : "");
	}
	cJSON_Delete(img);
	if (rep_out) *rep_out = rep;
	else report_free(rep);
	return rc;
}

UNIT_TEST(sig_notation_e2e_strict)
{
	const char *root = unit_shared_testdata();
	if (!root) UNIT_SKIP("../shared/testdata is absent");
	const char *store = e2e_store(root);
	CHECK(store);
	struct sig_policy *p = notation_policy(root, "trustpolicy.json", store);
	CHECK(p);
	char rf[64];
	report_t *rep;
	CHECK_EQ_INT(run(root, "e2e-valid-signature", p, rf, sizeof rf, &rep), 1);
	CHECK_EQ_STR(rf, "ok");
	CHECK_EQ_INT(tsig_count_findings(rep, "signature.missing"), 0);
	report_free(rep);
	/* two signatures, one by the trusted e2e key */
	CHECK_EQ_INT(run(root, "e2e-valid-multiple-signatures", p, rf, sizeof rf, NULL), 1);
	CHECK_EQ_STR(rf, "ok");
	/* signed, but past io.cncf.notary.expiry */
	CHECK_EQ_INT(run(root, "e2e-expired-signature", p, rf, sizeof rf, &rep), -1);
	CHECK_EQ_STR(rf, "signature.expired");
	CHECK_EQ_INT(tsig_count_findings(rep, "signature.expired"), 1);
	CHECK_EQ_INT(tsig_count_findings(rep, "signature.missing"), 1);
	report_free(rep);
	/* signed by a certificate that has expired (no timestamp): authentic timestamp fails */
	CHECK_EQ_INT(run(root, "e2e-with-expired-cert", p, rf, sizeof rf, NULL), -1);
	CHECK_EQ_STR(rf, "signature.untrusted_chain"); /* expired_e2e.crt is not in the e2e store */
	/* the signature layer is a plain file ("invalid signature"), not an envelope */
	CHECK_EQ_INT(run(root, "e2e-invalid-signature", p, rf, sizeof rf, NULL), -1);
	CHECK_EQ_STR(rf, "signature.unsupported_envelope");
	sig_policy_free(p);
	/* a trusted identity (C=USB) the signer does not have */
	p = notation_policy(root, "invalid_trusted_identity_trustpolicy.json", store);
	CHECK(p);
	CHECK_EQ_INT(run(root, "e2e-valid-signature", p, rf, sizeof rf, NULL), -1);
	CHECK_EQ_STR(rf, "signature.identity_mismatch");
	sig_policy_free(p);
	/* the valid trusted identity */
	p = notation_policy(root, "valid_trusted_identity_trustpolicy.json", store);
	CHECK(p);
	CHECK_EQ_INT(run(root, "e2e-valid-signature", p, rf, sizeof rf, NULL), 1);
	/* a scope that is not this image's: no statement applies */
	sig_policy_free(p);
	p = notation_policy(root, "invalid_registry_scope_trustpolicy.json", store);
	CHECK(p);
	CHECK_EQ_INT(run(root, "e2e-valid-signature", p, rf, sizeof rf, NULL), -1);
	CHECK_EQ_STR(rf, "signature.no_trust_policy");
	sig_policy_free(p);
	p = notation_policy(root, "trustpolicy.json", store);
	/* no policy at all: nothing required (0), the signature still listed */
	{
		report_t *r0 = report_new();
		cJSON *img = NULL;
		int rc0 = tsig_run_layout(
		        tsig_path("%s/" E2E "/registry/oci_layout/e2e-valid-signature", root), "v1",
		        "localhost:5000/e2e:v1", NULL, r0, &img);
		const cJSON *sigs =
		        img ? cJSON_GetObjectItemCaseSensitive(img, "signatures") : NULL;
		int n = cJSON_GetArraySize(sigs);
		const cJSON *v = sigs && sigs->child
		                         ? cJSON_GetObjectItemCaseSensitive(sigs->child, "verified")
		                         : NULL;
		int listed_unverified = n == 1 && cJSON_IsFalse(v);
		cJSON_Delete(img);
		int nf = tsig_count_findings(r0, "signature.missing") +
		         tsig_count_findings(r0, "signature.wrong_key");
		report_free(r0);
		CHECK_EQ_INT(rc0, 0);
		CHECK(listed_unverified);
		CHECK_EQ_INT(nf, 0);
	}
	/* unsigned artifact */
	CHECK_EQ_INT(run(root, "e2e", p, rf, sizeof rf, &rep), -1);
	CHECK_EQ_STR(rf, "none");
	CHECK_EQ_INT(tsig_count_findings(rep, "signature.missing"), 1);
	report_free(rep);
	sig_policy_free(p);
}

UNIT_TEST(sig_notation_e2e_levels)
{
	const char *root = unit_shared_testdata();
	if (!root) UNIT_SKIP("../shared/testdata is absent");
	/* A store that trusts the expired leaf too, to reach the time checks. */
	const char *files[2] = {tsig_path("%s/" E2E "/config/localkeys/e2e.crt", root),
	                        tsig_path("%s/" E2E "/config/localkeys/expired_e2e.crt", root)};
	const char *store = tsig_truststore("ca", "e2e", files, 2);
	CHECK(store);
	char rf[64];
	report_t *rep;
	/* strict: the expired certificate fails the authentic timestamp check */
	struct sig_policy *p = notation_policy(root, "trustpolicy.json", store);
	CHECK(p);
	CHECK_EQ_INT(run(root, "e2e-with-expired-cert", p, rf, sizeof rf, NULL), -1);
	CHECK_EQ_STR(rf, "signature.cert_expired");
	sig_policy_free(p);
	/* permissive: expiry and authentic timestamp are only logged */
	p = notation_policy(root, "permissive_trustpolicy.json", store);
	CHECK(p);
	CHECK_EQ_INT(run(root, "e2e-with-expired-cert", p, rf, sizeof rf, &rep), 1);
	CHECK_EQ_INT(tsig_count_findings(rep, "signature.notation_logged"), 1);
	report_free(rep);
	CHECK_EQ_INT(run(root, "e2e-expired-signature", p, rf, sizeof rf, NULL), 1);
	/* ...but integrity is always enforced */
	CHECK_EQ_INT(run(root, "e2e-invalid-signature", p, rf, sizeof rf, NULL), -1);
	sig_policy_free(p);
	/* audit: authenticity only logged: a signer outside the store passes, logged */
	p = notation_policy(root, "audit_trustpolicy.json", e2e_store(root));
	CHECK(p);
	CHECK_EQ_INT(run(root, "e2e-with-expired-cert", p, rf, sizeof rf, &rep), 1);
	CHECK_EQ_INT(tsig_count_findings(rep, "signature.notation_logged"), 1);
	report_free(rep);
	CHECK_EQ_INT(run(root, "e2e-valid-signature", p, rf, sizeof rf, NULL), 1);
	CHECK_EQ_INT(run(root, "e2e-invalid-signature", p, rf, sizeof rf, NULL), -1);
	sig_policy_free(p);
	/* permissive enforces authenticity: the same signer is refused */
	p = notation_policy(root, "permissive_trustpolicy.json", e2e_store(root));
	CHECK(p);
	CHECK_EQ_INT(run(root, "e2e-with-expired-cert", p, rf, sizeof rf, NULL), -1);
	CHECK_EQ_STR(rf, "signature.untrusted_chain");
	sig_policy_free(p);
	/* skip: nothing is verified, so nothing can satisfy a requirement */
	p = notation_policy(root, "skip_trustpolicy.json", store);
	CHECK(p);
	CHECK_EQ_INT(run(root, "e2e-valid-signature", p, rf, sizeof rf, &rep), -1);
	CHECK_EQ_STR(rf, "signature.missing");
	CHECK_EQ_INT(tsig_count_findings(rep, "signature.missing"), 1);
	report_free(rep);
	sig_policy_free(p);
	/* override: strict with expiry logged */
	p = notation_policy(root, "override_strict_trustpolicy.json", store);
	if (p) {
		int rc = run(root, "e2e-expired-signature", p, rf, sizeof rf, NULL);
		fprintf(stderr, "#   override_strict: rc %d %s\n", rc, rf);
		sig_policy_free(p);
	}
}

UNIT_TEST(sig_notation_e2e_timestamped)
{
	const char *root = unit_shared_testdata();
	if (!root) UNIT_SKIP("../shared/testdata is absent");
	/* notation's e2e suite signed this with a throw-away self-signed leaf
	 * (testcert7, valid one day in January 2025) and trusted that leaf: take
	 * it from the envelope's x5c, as its test did. */
	size_t el;
	char *env = tsig_read(
	        tsig_path("%s/" E2E
	                  "/registry/oci_layout/e2e-with-timestamped-signature/blobs/sha256/"
	                  "603ff134e97a79cd7a15560b76137c2c4a10451daab11327a7c6f86dac250fee",
	                  root),
	        &el);
	CHECK(env);
	ea_error_t err;
	cJSON *ej = sjson_parse(env, el, &err);
	free(env);
	const cJSON *hdr = ej ? cJSON_GetObjectItemCaseSensitive(ej, "header") : NULL;
	const cJSON *x5c = hdr ? cJSON_GetObjectItemCaseSensitive(hdr, "x5c") : NULL;
	unsigned char *der = NULL;
	size_t dl = 0;
	CHECK(x5c && cJSON_IsString(x5c->child) &&
	      b64_decode(x5c->child->valuestring, strlen(x5c->child->valuestring), B64_STD, 1 << 16,
	                 &der, &dl, &err) == 0);
	cJSON_Delete(ej);
	char leaf[256];
	snprintf(leaf, sizeof leaf, "%s/testcert7.crt",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	FILE *f = fopen(leaf, "wb");
	CHECK(f && fwrite(der, 1, dl, f) == dl);
	fclose(f);
	free(der);
	const char *ca[1] = {leaf};
	const char *store = tsig_truststore("ca", "e2e-ts", ca, 1);
	unlink(leaf);
	const char *tsa[2] = {
	        tsig_path("%s/" E2E "/config/timestamp/DigiCertTSARootSHA384.cer", root),
	        tsig_path("%s/" E2E "/config/timestamp/globalsignTSARoot.cer", root)};
	CHECK(store && tsig_truststore("tsa", "e2e", tsa, 2));
	/* timestamp_trustpolicy.json with the store renamed to ours */
	size_t tl;
	char *tp = tsig_read(
	        tsig_path("%s/" E2E "/config/trustpolicies/timestamp_trustpolicy.json", root), &tl);
	CHECK(tp);
	char *at = strstr(tp, "\"ca:e2e\"");
	CHECK(at);
	char *tp2 = xasprintf("%.*s\"ca:e2e-ts\"%s", (int)(at - tp), tp, at + 8);
	free(tp);
	char tpp[256];
	snprintf(tpp, sizeof tpp, "%s/ts-policy.json", store);
	f = fopen(tpp, "w");
	CHECK(f && fputs(tp2, f) >= 0);
	fclose(f);
	free(tp2);
	struct sig_policy *p = sig_policy_new();
	CHECK(tsig_load_notation(p, tpp, store) == 0);
	p->rules = xcalloc(1, sizeof *p->rules);
	p->nrules = 1;
	p->rules[0].names = xcalloc(1, sizeof(char *));
	p->rules[0].names[0] = xstrdup("*");
	p->rules[0].nnames = 1;
	p->rules[0].require = 1;
	p->rules[0].notation = 1;
	/* The signature's own expiry is 2025-01-21T12:39:46Z: judge it as of the
	 * morning notation's suite made it (the timestamp is then what makes the
	 * strict level's authentic-timestamp check pass). */
	int64_t when;
	CHECK(rfc3339_parse_ms("2025-01-21T10:00:00Z", &when, &err) == 0);
	sig_policy_set_now(p, when);
	char rf[64];
	/* Its TSA is Microsoft's, whose root is not in the test data: the
	 * timestamp cannot chain to the tsa store, so strict refuses it. */
	int rc = run(root, "e2e-with-timestamped-signature", p, rf, sizeof rf, NULL);
	CHECK_EQ_STR(rf, "signature.untrusted_chain");
	CHECK_EQ_INT(rc, -1);
	rc = run(root, "e2e-with-invalid-timestamped-signature", p, rf, sizeof rf, NULL);
	CHECK_EQ_INT(rc, -1);
	sig_policy_free(p);
}

/* notation-go's timestamped JWS envelopes (GlobalSign TSA), verified with
 * notation_verify_jws over their target descriptor. */
static const char *jws_case(const char *root, struct sig_policy *p, const char *file)
{
	static char rf[64];
	size_t l;
	char *env =
	        tsig_read(tsig_path("%s/notation/notation-go/verifier/testdata/timestamp/sigEnv/%s",
	                            root, file),
	                  &l);
	if (!env) return "absent";
	struct sig_subject s = {
	        .size = 528, .media_type = "application/vnd.docker.distribution.manifest.v2+json"};
	ea_error_t err;
	digest_parse("sha256:c0669ef34cdc14332c0f1ab0c2c01acb91d96014b172f1a76f3a39e63d1f0bda",
	             &s.digest, &err);
	struct sig_accept a = {.pol = p};
	struct sig_result r = {0};
	notation_verify_jws(&a, &s, env, l, &r);
	free(env);
	fprintf(stderr, "#   %s: %s %s %s\n", file, r.refusal ? r.refusal : "verified", r.msg,
	        r.logged);
	snprintf(rf, sizeof rf, "%s", r.refusal ? r.refusal : "ok");
	return rf;
}

UNIT_TEST(sig_notation_rfc3161_timestamps)
{
	const char *root = unit_shared_testdata();
	if (!root) UNIT_SKIP("../shared/testdata is absent");
	char tsa_root[512];
	snprintf(tsa_root, sizeof tsa_root, "%s/" E2E "/config/timestamp/globalsignTSARoot.cer",
	         root);
	const char *tsa[1] = {tsa_root};
	/* the leaves are self-signed: alpine (valid to 2033) and testTSA */
	static const char *const sigs[] = {"jwsWithTimestamp.sig", "jwsExpiredWithTimestamp.sig",
	                                   "timestampBeforeNotBefore.sig"};
	char leafdir[256];
	snprintf(leafdir, sizeof leafdir, "%s/edgeaudit-leaves.XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	CHECK(mkdtemp(leafdir));
	const char *leaves[3];
	char lp[3][300];
	for (int i = 0; i < 3; i++) {
		size_t l;
		char *env = tsig_read(
		        tsig_path("%s/notation/notation-go/verifier/testdata/timestamp/sigEnv/%s",
		                  root, sigs[i]),
		        &l);
		ea_error_t err;
		cJSON *j = env ? sjson_parse(env, l, &err) : NULL;
		free(env);
		const cJSON *h = j ? cJSON_GetObjectItemCaseSensitive(j, "header") : NULL;
		const cJSON *x = h ? cJSON_GetObjectItemCaseSensitive(h, "x5c") : NULL;
		unsigned char *der = NULL;
		size_t dl = 0;
		CHECK(x && b64_decode(x->child->valuestring, strlen(x->child->valuestring), B64_STD,
		                      1 << 16, &der, &dl, &err) == 0);
		cJSON_Delete(j);
		snprintf(lp[i], sizeof lp[i], "%s/leaf%d.crt", leafdir, i);
		FILE *f = fopen(lp[i], "wb");
		CHECK(f && fwrite(der, 1, dl, f) == dl);
		fclose(f);
		free(der);
		leaves[i] = lp[i];
	}
	const char *store = tsig_truststore("ca", "ts-leaves", leaves, 3);
	CHECK(store && tsig_truststore("tsa", "globalsign", tsa, 1));
	for (int i = 0; i < 3; i++) unlink(lp[i]);
	rmdir(leafdir);
	char *tp = xasprintf("{\"version\":\"1.0\",\"trustPolicies\":[{\"name\":\"ts\","
	                     "\"registryScopes\":[\"*\"],"
	                     "\"signatureVerification\":{\"level\":\"strict\",\"override\":{"
	                     "\"revocation\":\"skip\"}},"
	                     "\"trustStores\":[\"ca:ts-leaves\",\"tsa:globalsign\"],"
	                     "\"trustedIdentities\":[\"*\"]}]}");
	struct sig_policy *p = sig_policy_new();
	ea_error_t err;
	int fd = fsx_open_root(store, &err);
	CHECK(notation_policy_parse(tp, strlen(tp), fd, &p->notation, &err) == 0);
	close(fd);
	free(tp);
	CHECK_EQ_STR(jws_case(root, p, "jwsWithTimestamp.sig"), "ok");
	/* the leaf expired in June 2024, after the timestamp: still good */
	CHECK_EQ_STR(jws_case(root, p, "jwsExpiredWithTimestamp.sig"), "ok");
	/* stamped before the leaf's notBefore */
	CHECK_EQ_STR(jws_case(root, p, "timestampBeforeNotBefore.sig"),
	             "signature.cert_not_yet_valid");
	/* without the tsa store the stamped ones fail: nothing to chain to */
	notation_cfg_free(p->notation);
	tp = xasprintf("{\"version\":\"1.0\",\"trustPolicies\":[{\"name\":\"ts\","
	               "\"registryScopes\":[\"*\"],"
	               "\"signatureVerification\":{\"level\":\"strict\"},\"trustStores\":[\"ca:ts-"
	               "leaves\"],\"trustedIdentities\":[\"*\"]}]}");
	fd = fsx_open_root(store, &err);
	CHECK(notation_policy_parse(tp, strlen(tp), fd, &p->notation, &err) == 0);
	close(fd);
	free(tp);
	CHECK_EQ_STR(jws_case(root, p, "jwsWithTimestamp.sig"), "signature.untrusted_chain");
	sig_policy_free(p);
}

UNIT_TEST(sig_notation_trust_policies_parse)
{
	const char *root = unit_shared_testdata();
	if (!root) UNIT_SKIP("../shared/testdata is absent");
	const char *files[1] = {tsig_path("%s/" E2E "/config/localkeys/e2e.crt", root)};
	const char *store = tsig_truststore("ca", "e2e", files, 1);
	const char *tsa[1] = {tsig_path("%s/" E2E "/config/timestamp/globalsignTSARoot.cer", root)};
	CHECK(store && tsig_truststore("tsa", "e2e", tsa, 1));
	/* notation's e2e suite: these documents must be refused, the rest accepted */
	static const char *const invalid[] = {
	        "malformed_trusted_identity_trustpolicy.json",
	        "overlapped_trusted_identity_trustpolicy.json",
	        "multi_statements_with_the_same_registry_scope_trustpolicy.json",
	        "wildcard_plus_other_trusted_identity_trustpolicy.json",
	        "missing_state_trusted_identity_trustpolicy.json",
	        "unset_trust_store_trustpolicy.json",
	        "multi_statements_with_the_same_name_trustpolicy.json",
	        "missing_country_trusted_identity_trustpolicy.json",
	        "missing_organization_trusted_identity_trustpolicy.json",
	        "empty_trusted_identity_trustpolicy.json",
	        "empty_registry_scope_trustpolicy.json",
	        "malformed_registry_scope_trustpolicy.json",
	        "malformed_trust_store_trustpolicy.json",
	        "invalid_trust_store_trustpolicy.json",
	        "wildcard_plus_other_registry_scope_trustpolicy.json",
	        "overlapped_registry_scope_trustpolicy.json",
	        "invalid_format_trustpolicy.json",
	        "multi_statements_with_multi_wildcard_registry_scope_trustpolicy.json",
	        "unset_trusted_identity_trustpolicy.json",
	};
	static const char *const valid[] = {
	        "trustpolicy.json",
	        "audit_trustpolicy.json",
	        "permissive_trustpolicy.json",
	        "skip_trustpolicy.json",
	        "override_strict_trustpolicy.json",
	        "override_permissive_trustpolicy.json",
	        "override_audit_trustpolicy.json",
	        "valid_trusted_identity_trustpolicy.json",
	        "multiple_trusted_identity_trustpolicy.json",
	        "registry_scope_trustpolicy.json",
	        "multiple_registry_scope_trustpolicy.json",
	        "any_registry_scope_trust_policy.json",
	        "invalid_registry_scope_trustpolicy.json",
	        "timestamp_trustpolicy.json",
	        /* well-formed; notation fails them at verification (identity, no match) */
	        "invalid_trusted_identity_trustpolicy.json",
	        "overlapped_trust_store_trustpolicy.json",
	        /* quickstart_trustpolicy.json is well-formed too but names a store
	         * (wabbit-networks.io) we do not have: refused at load here */
	        "multi_statements_with_wildcard_registry_scope_trustpolicy.json",
	};
	int bad = 0;
	for (unsigned i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
		struct sig_policy *p = sig_policy_new();
		size_t l;
		char *d = tsig_read(
		        tsig_path("%s/" E2E "/config/trustpolicies/%s", root, invalid[i]), &l);
		if (d) {
			ea_error_t err;
			int fd = fsx_open_root(store, &err);
			if (notation_policy_parse(d, l, fd, &p->notation, &err) == 0) {
				fprintf(stderr, "#   accepted an invalid trust policy: %s\n",
				        invalid[i]);
				bad++;
			}
			close(fd);
		}
		free(d);
		sig_policy_free(p);
	}
	for (unsigned i = 0; i < sizeof valid / sizeof valid[0]; i++) {
		struct sig_policy *p = sig_policy_new();
		if (tsig_load_notation(
		            p, tsig_path("%s/" E2E "/config/trustpolicies/%s", root, valid[i]),
		            store) < 0) {
			fprintf(stderr, "#   refused a valid trust policy: %s\n", valid[i]);
			bad++;
		}
		sig_policy_free(p);
	}
	CHECK_EQ_INT(bad, 0);
}
