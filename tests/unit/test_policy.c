/* Unit tests of the policy loader (src/sig/policy.c, src/sig/sig_troot.c): what it
 * accepts, what it refuses (each refusal a configuration error, never a
 * weaker policy), and the CLI combinations of sig_policy_load. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_sig_helpers.h"
#include "unit.h"

static char tmpdir[256];

static const char *tmp_file(const char *name, const char *content)
{
	if (!tmpdir[0]) {
		snprintf(tmpdir, sizeof tmpdir, "%s/edgeaudit-pol.XXXXXX",
		         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (!mkdtemp(tmpdir)) return NULL;
	}
	const char *p = tsig_path("%s/%s", tmpdir, name);
	FILE *f = fopen(p, "w");
	if (!f) return NULL;
	fputs(content, f);
	fclose(f);
	return p;
}

static void cleanup_tmp(void)
{
	static const char *const names[] = {"k.pub", "ed.pub", "p.json", "tr.json", NULL};
	for (int i = 0; tmpdir[0] && names[i]; i++) unlink(tsig_path("%s/%s", tmpdir, names[i]));
	if (tmpdir[0]) rmdir(tmpdir);
	tmpdir[0] = '\0';
}

/* cosign.pub of containers/image's fixtures (ECDSA P-256) */
static const char *cosign_pub(void)
{
	const char *root = unit_shared_testdata();
	if (!root) return NULL;
	size_t l;
	static char buf[2048];
	char *d = tsig_read(
	        tsig_path("%s/cosign/containers-image-signature/fixtures/cosign.pub", root), &l);
	if (!d || l >= sizeof buf) {
		free(d);
		return NULL;
	}
	memcpy(buf, d, l);
	buf[l] = '\0';
	free(d);
	return buf;
}

static int load(const char *json, ea_error_t *err, struct sig_policy **out)
{
	const char *p = tmp_file("p.json", json);
	return sig_policy_load(p, NULL, NULL, out, err);
}

UNIT_TEST(policy_accepts_documented_forms)
{
	const char *pub = cosign_pub();
	if (!pub) UNIT_SKIP("../shared/testdata is absent");
	tmp_file("k.pub", pub);
	struct sig_policy *p = NULL;
	ea_error_t err;
	int rc = load(
	        "{\"schema\":\"edgeaudit/signature-policy/"
	        "v1\",\"mode\":\"enforce\",\"keys\":[{\"name\":\"release\",\"path\":\"k.pub\"}],"
	        "\"images\":[{\"names\":[\"localhost/prod/"
	        "*\"],\"signedBy\":[\"key:release\"],\"checkReference\":true},"
	        "{\"names\":[\"localhost/lab/"
	        "*\"],\"mode\":\"audit\",\"signedBy\":[\"key:release\"]},"
	        "{\"names\":[\"*\"],\"require\":false}]}",
	        &err, &p);
	if (rc < 0) fprintf(stderr, "#   %s\n", err.msg);
	CHECK(rc == 0 && p);
	CHECK_EQ_INT(p->nkeys, 1);
	CHECK_EQ_INT(p->nrules, 3);
	const char *n1[] = {"localhost/prod/app:1"}, *n2[] = {"localhost/lab/x:2"},
	           *n3[] = {"docker.io/library/busybox:1"};
	const struct pol_rule *r = policy_rule_for(p, n1, 1);
	CHECK(r == &p->rules[0] && r->require && r->check_reference && r->mode == POL_ENFORCE &&
	      r->nkeys == 1);
	r = policy_rule_for(p, n2, 1);
	CHECK(r == &p->rules[1] && r->mode == POL_AUDIT);
	r = policy_rule_for(p, n3, 1);
	CHECK(r == &p->rules[2] && !r->require);
	CHECK(policy_rule_for(p, NULL, 0) == &p->rules[2]); /* "*" covers unnamed images */
	sig_policy_free(p);
	cleanup_tmp();
}

UNIT_TEST(policy_refuses_weaker_or_unknown)
{
	const char *pub = cosign_pub();
	if (!pub) UNIT_SKIP("../shared/testdata is absent");
	tmp_file("k.pub", pub);
	static const char *const bad[] = {
	        "", "[]", "{\"images\":[{\"names\":[\"*\"],\"require\":false}]}", /* no schema
	                                                                           */
	        "{\"schema\":\"edgeaudit/signature-policy/"
	        "v2\",\"images\":[{\"names\":[\"*\"],\"require\":false}]}",
	        "{\"schema\":\"edgeaudit/signature-policy/v1\"}", /* no rules */
	        "{\"schema\":\"edgeaudit/signature-policy/v1\",\"images\":[]}",
	        "{\"schema\":\"edgeaudit/signature-policy/"
	        "v1\",\"images\":[{\"names\":[\"*\"]}]}", /* required, no signer */
	        "{\"schema\":\"edgeaudit/signature-policy/"
	        "v1\",\"images\":[{\"names\":[\"*\"],\"signedBy\":[\"key:nope\"]}]"
	        "}",
	        "{\"schema\":\"edgeaudit/signature-policy/"
	        "v1\",\"images\":[{\"names\":[\"*\"],\"signedBy\":[\"notation\"]}]"
	        "}",
	        "{\"schema\":\"edgeaudit/signature-policy/"
	        "v1\",\"keys\":[{\"name\":\"a\",\"path\":\"k.pub\"}],\"images\":[{"
	        "\"names\":[\"*\"],\"signedBy\":[\"key:a\"],\"extra\":1}]}",
	        "{\"schema\":\"edgeaudit/signature-policy/"
	        "v1\",\"keys\":[{\"name\":\"a\",\"path\":\"k.pub\"},{\"name\":"
	        "\"a\",\"path\":\"k.pub\"}],\"images\":[{\"names\":[\"*\"],"
	        "\"signedBy\":[\"key:a\"]}]}",
	        "{\"schema\":\"edgeaudit/signature-policy/"
	        "v1\",\"keys\":[{\"name\":\"a "
	        "b\",\"path\":\"k.pub\"}],\"images\":[{\"names\":[\"*\"],"
	        "\"signedBy\":[\"key:a b\"]}]}",
	        "{\"schema\":\"edgeaudit/signature-policy/"
	        "v1\",\"keys\":[{\"name\":\"a\",\"path\":\"missing.pub\"}],"
	        "\"images\":[{\"names\":[\"*\"],\"signedBy\":[\"key:a\"]}]}",
	        "{\"schema\":\"edgeaudit/signature-policy/"
	        "v1\",\"mode\":\"lenient\",\"images\":[{\"names\":[\"*\"],"
	        "\"require\":false}]}",
	        /* an identity needs both halves, and a trusted root */
	        "{\"schema\":\"edgeaudit/signature-policy/"
	        "v1\",\"identities\":[{\"name\":\"i\",\"subject\":\"x\"}],"
	        "\"images\":[{\"names\":[\"*\"],\"require\":false}]}",
	        "{\"schema\":\"edgeaudit/signature-policy/"
	        "v1\",\"identities\":[{\"name\":\"i\",\"subject\":\"x\",\"issuer\":"
	        "\"y\"}],\"images\":[{\"names\":[\"*\"],\"signedBy\":[\"identity:"
	        "i\"]}]}",
	        "{\"schema\":\"edgeaudit/signature-policy/"
	        "v1\",\"images\":[{\"names\":[\"*\"],\"require\":\"yes\"}]}",
	        "{\"schema\":\"edgeaudit/signature-policy/"
	        "v1\",\"images\":[{\"names\":[\"*\"],\"require\":false}],"
	        "\"images\":[]}", /* duplicate */
	};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct sig_policy *p = NULL;
		ea_error_t err = {0};
		if (load(bad[i], &err, &p) == 0) {
			fprintf(stderr, "#   accepted: %s\n", bad[i]);
			sig_policy_free(p);
			CHECK(0);
		}
		CHECK(p == NULL);
		CHECK_EQ_INT(err.code, EA_E_USAGE);
	}
	cleanup_tmp();
}

UNIT_TEST(policy_load_cli_combinations)
{
	const char *pub = cosign_pub();
	const char *root = unit_shared_testdata();
	if (!pub || !root) UNIT_SKIP("../shared/testdata is absent");
	char key[512], tr[512];
	snprintf(key, sizeof key, "%s", tmp_file("k.pub", pub));
	snprintf(tr, sizeof tr, "%s/cosign/root-signing/trusted_root.json", root);
	struct sig_policy *p = NULL;
	ea_error_t err;
	/* nothing: an empty policy, nothing required */
	CHECK(sig_policy_load(NULL, NULL, NULL, &p, &err) == 0 && p && p->nrules == 0);
	CHECK(policy_rule_for(p, NULL, 0) == NULL);
	sig_policy_free(p);
	/* --key: every image, this key, enforce */
	CHECK(sig_policy_load(NULL, key, NULL, &p, &err) == 0 && p->nkeys == 1 && p->nrules == 1);
	CHECK(p->rules[0].require && p->rules[0].nkeys == 1 && p->rules[0].mode == POL_ENFORCE &&
	      !p->troot);
	sig_policy_free(p);
	/* --key + --trusted-root */
	CHECK(sig_policy_load(NULL, key, tr, &p, &err) == 0 && p->troot && p->troot->ntlogs == 2 &&
	      p->troot->ncas == 2);
	/* the Rekor v2 log: an Ed25519 key, usable */
	CHECK(p->troot->tlogs[1].eddsa == 1 && p->troot->tlogs[1].has_key == 1 &&
	      p->troot->tlogs[1].key.alg == PUBKEY_ED25519);
	sig_policy_free(p);
	/* refused combinations */
	p = (struct sig_policy *)1;
	CHECK(sig_policy_load(NULL, NULL, tr, &p, &err) < 0 && err.code == EA_E_USAGE && p == NULL);
	CHECK(sig_policy_load(tmp_file("p.json", "{}"), key, NULL, &p, &err) < 0 &&
	      err.code == EA_E_USAGE);
	/* an Ed25519 key (the Rekor v2 log key): a key like any other */
	const char *ed = tmp_file(
	        "ed.pub", "-----BEGIN PUBLIC "
	                  "KEY-----\nMCowBQYDK2VwAyEAt8rlp1knGwjfbcXAYPYAkn0XiLz1x8O4t0YkEhie244="
	                  "\n-----END PUBLIC KEY-----\n");
	CHECK(sig_policy_load(NULL, ed, NULL, &p, &err) == 0 && p->nkeys == 1 &&
	      p->keys[0].key.alg == PUBKEY_ED25519);
	sig_policy_free(p);
	/* an Ed448 key (openssl genpkey -algorithm ed448): unsupported, said so */
	const char *ed448 = tmp_file(
	        "ed448.pub", "-----BEGIN PUBLIC KEY-----\n"
	                     "MEMwBQYDK2VxAzoAxtG5iTmlfrlqbRgGxEDJZf9W378abetbIOaGRBqcu2y2ggEh\n"
	                     "ccxlBNk2e8rOpGM+Zh3IvCu3hrkA\n-----END PUBLIC KEY-----\n");
	CHECK(sig_policy_load(NULL, ed448, NULL, &p, &err) < 0 && err.code == EA_E_USAGE &&
	      strstr(err.msg, "EdDSA"));
	/* not a key at all; a FIFO-safe, bounded read of a missing file */
	CHECK(sig_policy_load(NULL, tr, NULL, &p, &err) < 0);
	CHECK(sig_policy_load(NULL, "/nonexistent/k.pub", NULL, &p, &err) < 0 &&
	      err.code == EA_E_USAGE);
	CHECK(sig_policy_load(NULL, "/dev/null", NULL, &p, &err) < 0);
	sig_policy_free(NULL);
	cleanup_tmp();
}

UNIT_TEST(policy_trusted_root_strict)
{
	const char *root = unit_shared_testdata();
	if (!root) UNIT_SKIP("../shared/testdata is absent");
	struct trusted_root *t = NULL;
	ea_error_t err;
	static const char *const bad[] = {
	        "{}",
	        "{\"mediaType\":\"application/json\"}",
	        "{\"mediaType\":\"application/"
	        "vnd.dev.sigstore.trustedroot+json;version=0.1\",\"tlogs\":[{\"publicKey\":{"
	        "\"rawBytes\":\"MFkw\"},\"logId\":{\"keyId\":\"AAAA\"}}]}",
	        "{\"mediaType\":\"application/"
	        "vnd.dev.sigstore.trustedroot+json;version=0.1\",\"tlogs\":{}}",
	        "{\"mediaType\":\"application/"
	        "vnd.dev.sigstore.trustedroot+json;version=0.1\",\"certificateAuthorities\":[{"
	        "\"validFor\":{\"start\":\"2020-01-01T00:00:00Z\"},\"certChain\":{\"certificates\":"
	        "[]}}]}",
	};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK(troot_parse(bad[i], strlen(bad[i]), &t, &err) < 0);
		CHECK(t == NULL);
	}
	/* the production roots parse */
	static const char *const good[] = {
	        "cosign/root-signing/trusted_root.json",
	        "cosign/sigstore-go/examples/trusted-root-public-good.json",
	        "cosign/cosign/trusted_root_pgi.json"};
	for (unsigned i = 0; i < sizeof good / sizeof good[0]; i++) {
		size_t l;
		char *d = tsig_read(tsig_path("%s/%s", root, good[i]), &l);
		CHECK(d);
		int rc = troot_parse(d, l, &t, &err);
		if (rc < 0) fprintf(stderr, "#   %s: %s\n", good[i], err.msg);
		free(d);
		CHECK(rc == 0 && t && t->ncas >= 1 && t->ntlogs >= 1);
		troot_free(t);
		t = NULL;
	}
}

/* A copy of the production root with its first tlog's validFor replaced by
 * `vf` (NULL: removed), wrapped in a ClientTrustConfig when ctc. */
static char *root_variant(const char *root, const char *vf, int ctc, size_t *len)
{
	size_t l;
	char *d = tsig_read(tsig_path("%s/cosign/root-signing/trusted_root.json", root), &l);
	ea_error_t err;
	cJSON *j = d ? sjson_parse(d, l, &err) : NULL;
	free(d);
	if (!j) return NULL;
	cJSON *pk = cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "tlogs"), 0), "publicKey");
	cJSON_DeleteItemFromObjectCaseSensitive(pk, "validFor");
	if (vf) cJSON_AddItemToObject(pk, "validFor", cJSON_Parse(vf));
	if (ctc) {
		cJSON *w = cJSON_CreateObject();
		cJSON_AddStringToObject(
		        w, "mediaType",
		        ctc == 1 ? "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json"
		                 : "application/vnd.dev.sigstore.clienttrustconfig.v0.9+json");
		cJSON_AddItemToObject(w, "trustedRoot", j);
		cJSON_AddItemToObject(w, "signingConfig", cJSON_CreateObject());
		j = w;
	}
	char *s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	*len = strlen(s);
	return s;
}

UNIT_TEST(policy_trusted_root_validity_optional_and_client_trust_config)
{
	const char *root = unit_shared_testdata();
	if (!root) UNIT_SKIP("../shared/testdata is absent");
	struct trusted_root *t = NULL;
	ea_error_t err;
	size_t l;
	/* no validFor: no bound (sigstore-go) */
	char *s = root_variant(root, NULL, 0, &l);
	CHECK(s && troot_parse(s, l, &t, &err) == 0);
	CHECK(t && t->tlogs[0].start == INT64_MIN && t->tlogs[0].end == INT64_MAX);
	troot_free(t);
	t = NULL;
	free(s);
	/* a validFor without its start: refused, not "since forever" */
	s = root_variant(root, "{}", 0, &l);
	CHECK(s && troot_parse(s, l, &t, &err) < 0 && !t);
	free(s);
	s = root_variant(root, "{\"end\":\"2030-01-01T00:00:00Z\"}", 0, &l);
	CHECK(s && troot_parse(s, l, &t, &err) < 0 && !t);
	free(s);
	/* the ClientTrustConfig form: its trustedRoot */
	s = root_variant(root, "{\"start\":\"2021-01-12T11:53:27Z\"}", 1, &l);
	CHECK(s && troot_parse(s, l, &t, &err) == 0);
	CHECK(t && t->ntlogs >= 1 && t->ncas >= 1 && t->tlogs[0].start > 0);
	troot_free(t);
	t = NULL;
	free(s);
	/* ...of a version we do not know, or without its trusted root: refused */
	s = root_variant(root, NULL, 2, &l);
	CHECK(s && troot_parse(s, l, &t, &err) < 0 && !t);
	free(s);
	static const char empty_ctc[] =
	        "{\"mediaType\":\"application/vnd.dev.sigstore.clienttrustconfig.v0.1+json\"}";
	CHECK(troot_parse(empty_ctc, strlen(empty_ctc), &t, &err) < 0 && !t);
}

UNIT_TEST(policy_thresholds)
{
	const char *pub = cosign_pub();
	if (!pub) UNIT_SKIP("../shared/testdata is absent");
	tmp_file("k.pub", pub);
	struct sig_policy *p = NULL;
	ea_error_t err;
	CHECK(load("{\"schema\":\"edgeaudit/signature-policy/"
	           "v1\",\"keys\":[{\"name\":\"k\",\"path\":"
	           "\"k.pub\"}],\"images\":[{\"names\":[\"a\"],\"signedBy\":[\"key:k\"]},{"
	           "\"names\":"
	           "[\"*\"],\"signedBy\":[\"key:k\"],\"tlogThreshold\":0,\"timestampThreshold\":2}]"
	           "}",
	           &err, &p) == 0);
	CHECK(p && p->rules[0].tlog_threshold == 1 && p->rules[0].ts_threshold == 0);
	CHECK(p && p->rules[1].tlog_threshold == 0 && p->rules[1].ts_threshold == 2);
	sig_policy_free(p);
	static const char *const bad[] = {"-1", "9", "1.5", "\"1\"", "true"};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char doc[512];
		snprintf(doc, sizeof doc,
		         "{\"schema\":\"edgeaudit/signature-policy/v1\",\"keys\":[{\"name\":\"k\","
		         "\"path\":\"k.pub\"}],\"images\":[{\"names\":[\"*\"],\"signedBy\":[\"key:"
		         "k\"],"
		         "\"tlogThreshold\":%s}]}",
		         bad[i]);
		p = NULL;
		CHECK(load(doc, &err, &p) < 0 && err.code == EA_E_USAGE && !p);
	}
	/* --key alone: cosign's defaults */
	CHECK(sig_policy_load(NULL, tsig_path("%s/k.pub", tmpdir), NULL, &p, &err) == 0);
	CHECK(p && p->rules[0].tlog_threshold == 1 && p->rules[0].ts_threshold == 0);
	sig_policy_free(p);
	cleanup_tmp();
}
