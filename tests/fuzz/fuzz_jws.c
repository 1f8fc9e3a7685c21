/* Notary Project JWS envelopes (jws.c, policy_notation.c, sig_tsa.c): the
 * protected header, payload, x5c chain, signing scheme and time, expiry,
 * RFC 3161 countersignatures, against notation's own e2e trust policy
 * (trust store "ca:e2e" = e2e.crt, "tsa:e2e" = GlobalSign's TSA root), made
 * once in a private temp folder.  Option bit 0 takes the subject from the
 * envelope's own targetArtifact so the fuzzer gets past that comparison.
 * Without the trust store's certificate there is no policy to fuzz against:
 * run.sh skips the harness when the shared test data lacks it.
 *   FUZZ_NEEDS_SHARED notation/notation-e2e/config/localkeys/e2e.crt */
#include "b64.h"
#include "common.h"
#include "fsx.h"
#include "sig_int.h"

static struct sig_policy *pol;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	pol = sig_policy_new();
	const char *t = fz_tmpdir();
	static const char *const dirs[] = {"x509", "x509/ca", "x509/ca/e2e", "x509/tsa", "x509/tsa/e2e"};
	char p[512];
	for (unsigned i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", t, dirs[i]);
		if (mkdir(p, 0755) < 0) fz_die("mkdir %s: %s", p, strerror(errno));
	}
	fz_copy_fixture("notation/notation-e2e/config/localkeys/e2e.crt", "x509/ca/e2e/e2e.crt");
	fz_copy_fixture("notation/notation-e2e/config/timestamp/globalsignTSARoot.cer", "x509/tsa/e2e/globalsign.cer");
	static const char tp[] =
		"{\"version\":\"1.0\",\"trustPolicies\":[{\"name\":\"e2e\",\"registryScopes\":[\"*\"],"
		"\"signatureVerification\":{\"level\":\"strict\"},\"trustStores\":[\"ca:e2e\",\"tsa:e2e\"],"
		"\"trustedIdentities\":[\"*\"]}]}";
	ea_error_t err;
	int fd = fsx_open_root(t, &err);
	if (fd < 0 || notation_policy_parse(tp, sizeof tp - 1, fd, &pol->notation, &err) < 0)
		fz_die("notation's e2e trust policy over %s: %s", t, err.msg);
	close(fd);
	return 0;
}

/* targetArtifact of the envelope's payload (base64url JSON). */
static void own_subject(const char *env, size_t len, struct sig_subject *s)
{
	ea_error_t err;
	cJSON *j = sjson_parse(env, len, &err);
	const char *p64 = sjson_str(j, "payload");
	unsigned char *p = NULL;
	size_t pl;
	if (p64 && b64_decode(p64, strlen(p64), B64_URL, 1 << 20, &p, &pl, &err) == 0) {
		cJSON *pj = sjson_parse((char *)p, pl, &err);
		const cJSON *ta = cJSON_GetObjectItemCaseSensitive(pj, "targetArtifact");
		const char *d = sjson_str(ta, "digest");
		int64_t sz;
		if (d) (void)digest_parse(d, &s->digest, &err);
		if (sjson_i64(ta, "size", &sz) == 0) s->size = sz;
		cJSON_Delete(pj);
	}
	free(p);
	cJSON_Delete(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t opt = fz_take_byte(&data, &size);
	char *env = malloc(size + 1); /* NUL-terminated, as blobsrc_read_verified gives it */
	memcpy(env, data, size);
	env[size] = '\0';
	struct sig_subject s = {.size = 20, .media_type = "application/vnd.oci.image.manifest.v1+json"};
	digest_buffer(DIGEST_SHA256, "not signed by anyone", 20, &s.digest);
	if (opt & 1) own_subject(env, size, &s);
	const char *names[1] = {"localhost:5000/e2e"};
	s.names = names;
	s.nnames = 1;
	struct sig_accept a = {.pol = pol, .rule = NULL};
	struct sig_result r = {0};
	notation_verify_jws(&a, &s, env, size, &r);
	if (!r.refusal && !r.skipped && !(opt & 1)) abort(); /* nothing signs this made-up manifest */
	free(env);
	return 0;
}
