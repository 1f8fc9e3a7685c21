/* sigstore bundles v0.1-v0.3 (sig_bundle.c, sig_sigstore.c, sig_tsa.c):
 * messageSignature and DSSE envelopes, certificate chains, Rekor entries
 * (SET, inclusion proof, checkpoint, body), RFC 3161 timestamps.  The
 * policy (made once) trusts sigstore-go's public-good trusted root, any
 * Fulcio identity, and npm's publish key.  Option bit 0 takes the subject
 * from the bundle itself (its in-toto subject or message digest), as the
 * unit tests do, so the fuzzer reaches the signature and log checks.  Option
 * bit 1 verifies against the conformance suite's Rekor v2 trusted root
 * instead (sigstage: an Ed25519 log, a timestamp authority), so Rekor v2
 * entries reach their proofs, checkpoints and bodies (rekor_v2.c). */
#include "b64.h"
#include "common.h"
#include "sig_int.h"

static struct sig_policy *pol, *pol_v2;

static struct sig_policy *any_identity(const char *troot)
{
	struct sig_policy *p = sig_policy_new();
	size_t n;
	ea_error_t err;
	const char *tp = fz_fixture(troot);
	char *d = tp ? fz_read(tp, &n) : NULL;
	if (d && troot_parse(d, n, &p->troot, &err) < 0) p->troot = NULL;
	free(d);
	p->identities = xcalloc(1, sizeof *p->identities);
	p->nidentities = 1;
	snprintf(p->identities[0].name, sizeof p->identities[0].name, "any");
	p->identities[0].subject_pattern = xstrdup("*");
	p->identities[0].issuer_pattern = xstrdup("*");
	return p;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	pol = any_identity("cosign/sigstore-go/examples/trusted-root-public-good.json");
	size_t n;
	ea_error_t err;
	const char *kp = fz_fixture("cosign/sigstore-go/examples/publish_key.pub");
	char *d = kp ? fz_read(kp, &n) : NULL;
	if (d) (void)policy_add_key_pem(pol, "npm", (unsigned char *)d, n, &err);
	free(d);
	pol_v2 = any_identity(
	        "cosign/sigstore-conformance/bundle-verify/rekor2-happy-path/trusted_root.json");
	return 0;
}

/* The subject the bundle names (unit test test_sig_bundles.c does the same). */
static void own_subject(const char *b, size_t bl, digest_t *d)
{
	ea_error_t err;
	cJSON *j = sjson_parse(b, bl, &err);
	const cJSON *de = cJSON_GetObjectItemCaseSensitive(j, "dsseEnvelope");
	const cJSON *ms = cJSON_GetObjectItemCaseSensitive(j, "messageSignature");
	if (de) {
		unsigned char *p = NULL;
		size_t pl;
		if (sjson_b64(de, "payload", B64_PROTO, 1 << 22, &p, &pl, &err) == 0) {
			cJSON *st = sjson_parse((char *)p, pl, &err);
			const cJSON *s = cJSON_GetObjectItemCaseSensitive(st, "subject");
			const cJSON *dg = s && s->child ? cJSON_GetObjectItemCaseSensitive(s->child, "digest") : NULL;
			const char *v = dg ? sjson_str(dg, "sha256") : NULL;
			char buf[DIGEST_MAX_STR + 8];
			if (v) {
				snprintf(buf, sizeof buf, "sha256:%.64s", v);
				(void)digest_parse(buf, d, &err);
			}
			cJSON_Delete(st);
		}
		free(p);
	} else if (ms) {
		const cJSON *md = cJSON_GetObjectItemCaseSensitive(ms, "messageDigest");
		unsigned char *v = NULL;
		size_t vl;
		if (md && sjson_b64(md, "digest", B64_PROTO, 64, &v, &vl, &err) == 0 && vl == 32) {
			d->alg = DIGEST_SHA256;
			memcpy(d->bytes, v, 32);
			strcpy(d->str, "sha256:");
			ea_hex(v, 32, d->str + 7);
		}
		free(v);
	}
	cJSON_Delete(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t opt = fz_take_byte(&data, &size);
	/* blobsrc_read_verified hands the verifier NUL-terminated bytes: so do we */
	char *b = malloc(size + 1);
	memcpy(b, data, size);
	b[size] = '\0';
	struct sig_subject s = {.size = -1};
	digest_buffer(DIGEST_SHA256, "not signed by anyone", 20, &s.digest);
	if (opt & 1) own_subject(b, size, &s.digest);
	const char *names[1] = {"registry.example/app:1"};
	s.names = names;
	s.nnames = 1;
	struct sig_accept a = {.pol = (opt & 2) ? pol_v2 : pol, .rule = NULL};
	struct sig_result r = {0};
	bundle_verify(&a, &s, b, size, &r);
	free(b);
	if (!r.refusal && !(opt & 1)) abort(); /* nothing signs this made-up digest */
	return 0;
}
