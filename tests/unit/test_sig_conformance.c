/* The sigstore client conformance suite's bundle-verify cases
 * (../shared/testdata/cosign/sigstore-conformance, 70 cases: 21 must
 * verify, 49 must fail) through bundle_verify().
 *
 * Every case is listed below with the outcome we assert: NULL = verified,
 * else the exact refusal id.  A `_fail` case must fail for its own reason
 * (the refusal says which check caught it), never merely because something
 * was unsupported; every pass case verifies, the 26 Rekor v2 (rekor2-*)
 * cases included: none may be "unsupported". */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "digest.h"
#include "test_sig_helpers.h"
#include "unit.h"

#define DEF_IDENTITY                                                                              \
	"https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/" \
	"workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
#define DEF_ISSUER "https://token.actions.githubusercontent.com"

struct expect {
	const char *name;
	const char *refusal; /* NULL: must verify */
};

static const struct expect cases[] = {
#include "test_sig_conformance.inc"
};

static const char *expected_for(const char *name, int *known)
{
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (!strcmp(cases[i].name, name)) {
			*known = 1;
			return cases[i].refusal;
		}
	*known = 0;
	return NULL;
}

static char *trim(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ')) s[--n] = '\0';
	return s;
}

/* Run one case; returns the refusal (NULL = verified) in *got. */
static int run_case(const char *root, const char *name, const char **got, char *msg, size_t msgn)
{
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/cosign/sigstore-conformance/bundle-verify/%s", root, name);
	size_t blen, alen;
	char *bundle = tsig_read(tsig_path("%s/bundle.sigstore.json", dir), &blen);
	char *art = tsig_read(tsig_path("%s/artifact", dir), &alen);
	if (!art)
		art = tsig_read(
		        tsig_path("%s/cosign/sigstore-conformance/bundle-verify/a.txt", root),
		        &alen);
	if (!bundle || !art) {
		free(bundle);
		free(art);
		return -1;
	}
	struct sig_policy *p = sig_policy_new();
	const char *trp = tsig_path("%s/trusted_root.json", dir);
	struct stat st;
	if (stat(trp, &st) != 0) trp = tsig_path("%s/cosign/root-signing/trusted_root.json", root);
	int tr_ok = tsig_load_troot(p, trp) == 0;
	size_t kl;
	char *key = tsig_read(tsig_path("%s/key.pub", dir), &kl);
	ea_error_t err;
	if (key) {
		if (policy_add_key_pem(p, "key", (unsigned char *)key, kl, &err) < 0)
			fprintf(stderr, "#   key: %s\n", err.msg);
		free(key);
	} else {
		size_t l;
		char *idn = tsig_read(tsig_path("%s/identity", dir), &l);
		char *iss = tsig_read(tsig_path("%s/issuer", dir), &l);
		tsig_add_identity(p, "conformance", idn ? trim(idn) : DEF_IDENTITY,
		                  iss ? trim(iss) : DEF_ISSUER);
		free(idn);
		free(iss);
	}
	struct sig_subject s = {.size = -1};
	digest_buffer(DIGEST_SHA256, art, alen, &s.digest);
	struct sig_accept a = {.pol = p, .rule = NULL};
	struct sig_result r = {0};
	if (!tr_ok) {
		/* A trusted root we refuse to load: the case cannot verify. */
		r.refusal = "signature.untrusted_log";
		snprintf(r.msg, sizeof r.msg, "trusted root refused");
	} else {
		bundle_verify(&a, &s, bundle, blen, &r);
	}
	*got = r.refusal;
	snprintf(msg, msgn, "%s", r.msg);
	sig_policy_free(p);
	free(bundle);
	free(art);
	return 0;
}

UNIT_TEST(sig_conformance_bundle_verify)
{
	const char *root = unit_shared_testdata();
	if (!root) UNIT_SKIP("../shared/testdata is absent");
	char base[1024];
	snprintf(base, sizeof base, "%s/cosign/sigstore-conformance/bundle-verify", root);
	DIR *d = opendir(base);
	if (!d) UNIT_SKIP("conformance cases absent");
	struct dirent *e;
	int n = 0, bad = 0, pass_ok = 0, fail_ok = 0, unsupported = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.') continue;
		char name[256];
		snprintf(name, sizeof name, "%s", e->d_name);
		struct stat st;
		if (stat(tsig_path("%s/%s/bundle.sigstore.json", base, name), &st) != 0) continue;
		const char *got = NULL;
		char msg[400];
		if (run_case(root, name, &got, msg, sizeof msg) < 0) continue;
		n++;
		int known;
		const char *want = expected_for(name, &known);
		int must_fail = strlen(name) > 5 && !strcmp(name + strlen(name) - 5, "_fail");
		int ok = known &&
		         ((want == NULL && got == NULL) || (want && got && !strcmp(want, got)));
		/* Fail-closed whatever the table says: a _fail case never verifies. */
		if (must_fail && got == NULL) ok = 0;
		if (!ok) {
			bad++;
			fprintf(stderr, "#   %-55s want %-32s got %s (%s)\n", name,
			        known ? (want ? want : "ok") : "(not in table)", got ? got : "ok",
			        msg);
		} else if (getenv("EDGEAUDIT_TEST_VERBOSE")) {
			fprintf(stderr, "#   %-55s %s %s\n", name, got ? got : "ok", msg);
		}
		if (ok && must_fail) fail_ok++;
		if (ok && !must_fail && !got) pass_ok++;
		if (ok && !must_fail && got) unsupported++;
	}
	closedir(d);
	fprintf(stderr,
	        "#   conformance: %d cases; %d verified, %d refused as they must, %d pass cases "
	        "unsupported, %d wrong\n",
	        n, pass_ok, fail_ok, unsupported, bad);
	CHECK(n == 70);
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(unsupported, 0);
}
