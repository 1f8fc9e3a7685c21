/* cosign simple signing (sig_cosign.c): one signature layer as
 * containers/image stores it ("\0sigstore-json\n" + {mimeType, payload,
 * annotations}), i.e. the payload and the layer annotations sig.c hands to
 * cosign_verify_layer: base64 signature, Fulcio certificate and chain, Rekor
 * bundle (SET over canonical JSON), the payload's critical section.
 * The policy is made once from containers/image's fixtures: its cosign.pub
 * key, and a trusted root of its Fulcio CA and Rekor key.  Option bit 0 makes
 * the subject the digest the payload itself names, so the fuzzer gets past
 * the digest comparison to the signature and log checks. */
#include "b64.h"
#include "common.h"
#include "sig_int.h"
#include "x509util.h"

#define FIX "cosign/containers-image-signature/fixtures/"

static struct sig_policy *pol;
static struct pol_rule rule;
static int keys[1], ids[1];

static void add_troot(void)
{
	size_t fl, rl;
	const char *fp = fz_fixture(FIX "fulcio_v1.crt.pem"), *rp = fz_fixture(FIX "rekor.pub");
	char *f = fp ? fz_read(fp, &fl) : NULL, *k = rp ? fz_read(rp, &rl) : NULL;
	mbedtls_x509_crt c;
	mbedtls_x509_crt_init(&c);
	mbedtls_pk_context pk;
	mbedtls_pk_init(&pk);
	ea_error_t err;
	unsigned char kb[1024];
	const unsigned char *kd;
	if (f && k && x509_parse_any(&c, (unsigned char *)f, fl, NULL, &err) == 0 &&
	    pk_parse_public(&pk, (unsigned char *)k, rl, &err) == 0) {
		int kl = pk_spki_der(&pk, kb, sizeof kb, &kd);
		digest_t id;
		digest_buffer(DIGEST_SHA256, kd, (size_t)kl, &id);
		char *cb = b64_encode_std(c.raw.p, c.raw.len), *kb64 = b64_encode_std(kd, (size_t)kl),
		     *ib = b64_encode_std(id.bytes, 32);
		char *json = xasprintf(
			"{\"mediaType\":\"application/vnd.dev.sigstore.trustedroot+json;version=0.1\","
			"\"tlogs\":[{\"baseUrl\":\"https://rekor.example\",\"hashAlgorithm\":\"SHA2_256\",\"publicKey\":{\"rawBytes\":\"%s\","
			"\"keyDetails\":\"PKIX_ECDSA_P256_SHA_256\",\"validFor\":{\"start\":\"2020-01-01T00:00:00Z\"}},\"logId\":{\"keyId\":\"%s\"}}],"
			"\"certificateAuthorities\":[{\"uri\":\"https://fulcio.example\",\"certChain\":{\"certificates\":[{\"rawBytes\":\"%s\"}]},"
			"\"validFor\":{\"start\":\"2020-01-01T00:00:00Z\"}}]}",
			kb64, ib, cb);
		if (troot_parse(json, strlen(json), &pol->troot, &err) < 0) pol->troot = NULL;
		free(json);
		free(cb);
		free(kb64);
		free(ib);
	}
	mbedtls_x509_crt_free(&c);
	mbedtls_pk_free(&pk);
	free(f);
	free(k);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	pol = sig_policy_new();
	size_t kl;
	const char *kp = fz_fixture(FIX "cosign.pub");
	char *k = kp ? fz_read(kp, &kl) : NULL;
	ea_error_t err;
	if (k && policy_add_key_pem(pol, "cosign.pub", (unsigned char *)k, kl, &err) == 0) keys[rule.nkeys++] = 0;
	free(k);
	add_troot();
	pol->identities = xcalloc(1, sizeof *pol->identities);
	pol->nidentities = 1;
	snprintf(pol->identities[0].name, sizeof pol->identities[0].name, "mitr");
	pol->identities[0].subject = xstrdup("mitr@redhat.com");
	pol->identities[0].issuer = xstrdup("https://github.com/login/oauth");
	ids[rule.nids++] = 0;
	rule.keys = keys;
	rule.ids = ids;
	rule.require = 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t opt = fz_take_byte(&data, &size);
	static const char pre[] = "\0sigstore-json\n";
	if (size >= sizeof pre - 1 && !memcmp(data, pre, sizeof pre - 1)) {
		data += sizeof pre - 1;
		size -= sizeof pre - 1;
	}
	ea_error_t err = {0};
	cJSON *j = sjson_parse((const char *)data, size, &err);
	if (!j) return 0;
	unsigned char *payload = NULL;
	size_t pl = 0;
	if (sjson_b64(j, "payload", B64_STD, SIG_MAX_PAYLOAD, &payload, &pl, &err) == 0) {
		static const char manifest[] = "{\"schemaVersion\":2}";
		struct sig_subject s = {.size = (int64_t)sizeof manifest - 1};
		digest_buffer(DIGEST_SHA256, manifest, sizeof manifest - 1, &s.digest);
		if (opt & 1) { /* the digest the payload names, when it names one */
			cJSON *p = sjson_parse((const char *)payload, pl, &err);
			const cJSON *crit = cJSON_GetObjectItemCaseSensitive(p, "critical");
			const cJSON *img = cJSON_GetObjectItemCaseSensitive(crit, "image");
			const char *d = sjson_str(img, "docker-manifest-digest");
			if (d) (void)digest_parse(d, &s.digest, &err);
			cJSON_Delete(p);
		}
		const char *names[1] = {"192.168.64.2:5000/cosign-signed-single-sample:latest"};
		s.names = names;
		s.nnames = 1;
		rule.check_reference = !!(opt & 2);
		struct sig_accept a = {.pol = pol, .rule = (opt & 4) ? NULL : &rule};
		struct sig_result r = {0};
		cosign_verify_layer(&a, &s, payload, pl, cJSON_GetObjectItemCaseSensitive(j, "annotations"), &r);
		if (!r.refusal && !(opt & 1)) abort(); /* nothing signs this made-up manifest */
	}
	free(payload);
	cJSON_Delete(j);
	return 0;
}
