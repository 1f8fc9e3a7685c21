/* Rekor v2 and Ed25519 (ed25519.h, pubkey.h, checkpoint.h, rekor_v2.c):
 * Ed25519 keys and signatures made by openssl (`openssl genpkey -algorithm
 * ed25519`, `openssl pkeyutl -sign -rawin`), started here in a private temp
 * folder; inclusion proofs and checkpoints from the sigstore conformance
 * suite's Rekor v2 bundles.  Each check has a must-pass and a must-fail. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "b64.h"
#include "checkpoint.h"
#include "ed25519.h"
#include "pubkey.h"
#include "test_sig_helpers.h"
#include "unit.h"

static char tmp[64];

/* A temp folder with two openssl Ed25519 key pairs, a.pem/a.pub, b.pem/b.pub. */
static int make_keys(void)
{
	if (system("openssl version >/dev/null 2>&1") != 0) return -1;
	snprintf(tmp, sizeof tmp, "/tmp/ea-rekor2-XXXXXX");
	if (!mkdtemp(tmp)) return -1;
	char cmd[512];
	for (const char *k = "ab"; *k; k++) {
		snprintf(cmd, sizeof cmd,
		         "openssl genpkey -algorithm ed25519 -out %s/%c.pem 2>/dev/null && "
		         "openssl pkey -in %s/%c.pem -pubout -out %s/%c.pub 2>/dev/null",
		         tmp, *k, tmp, *k, tmp, *k);
		if (system(cmd) != 0) return -1;
	}
	return 0;
}

static void drop_keys(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
	if (system(cmd) != 0) fprintf(stderr, "# could not remove %s\n", tmp);
}

/* openssl's Ed25519 signature (64 bytes) of the file msg with key k. */
static int openssl_sign(char k, const char *msg, unsigned char sig[64])
{
	char cmd[512];
	snprintf(cmd, sizeof cmd,
	         "openssl pkeyutl -sign -rawin -inkey %s/%c.pem -in %s/%s -out %s/%s.sig", tmp, k,
	         tmp, msg, tmp, msg);
	if (system(cmd) != 0) return -1;
	size_t l;
	char *s = tsig_read(tsig_path("%s/%s.sig", tmp, msg), &l);
	int ok = s && l == 64;
	if (ok) memcpy(sig, s, 64);
	free(s);
	return ok ? 0 : -1;
}

static void write_file(const char *name, const void *data, size_t n)
{
	FILE *f = fopen(tsig_path("%s/%s", tmp, name), "wb");
	if (f) {
		fwrite(data, 1, n, f);
		fclose(f);
	}
}

static int load_pub(char k, struct pubkey *pk)
{
	size_t l;
	char *pem = tsig_read(tsig_path("%s/%c.pub", tmp, k), &l);
	ea_error_t err;
	pubkey_init(pk);
	int rc = pem ? pubkey_parse(pk, (unsigned char *)pem, l, &err) : -1;
	free(pem);
	return rc;
}

UNIT_TEST(ed25519_openssl_keys_and_signatures)
{
	if (make_keys() < 0) UNIT_SKIP("openssl with Ed25519 is not available");
	struct pubkey a, b;
	CHECK(load_pub('a', &a) == 0 && a.alg == PUBKEY_ED25519);
	CHECK(load_pub('b', &b) == 0 && b.alg == PUBKEY_ED25519);
	static const char msg[] = "firmware-2.4.1.bin\n";
	write_file("m", msg, sizeof msg - 1);
	unsigned char sig[64];
	CHECK(openssl_sign('a', "m", sig) == 0);
	ea_error_t err;
	/* must pass: a's signature with a's key; must fail: b's key, a flipped bit */
	CHECK(pubkey_verify_msg(&a, MBEDTLS_MD_NONE, msg, sizeof msg - 1, sig, 64, &err) == 0);
	CHECK(pubkey_verify_msg(&b, MBEDTLS_MD_NONE, msg, sizeof msg - 1, sig, 64, &err) < 0);
	sig[10] ^= 1;
	CHECK(ed25519_verify(a.ed25519, (const uint8_t *)msg, sizeof msg - 1, sig) < 0);
	/* the DER form round-trips: openssl's SubjectPublicKeyInfo */
	unsigned char buf[64];
	const unsigned char *der;
	CHECK(pubkey_spki_der(&a, buf, sizeof buf, &der) == ED25519_SPKI_LEN);
	uint8_t raw[32];
	CHECK(ed25519_spki_raw(der, ED25519_SPKI_LEN, raw) == 0 && !memcmp(raw, a.ed25519, 32));
	CHECK(ed25519_spki_raw(der, ED25519_SPKI_LEN - 1, raw) < 0);
	pubkey_free(&a);
	pubkey_free(&b);
	drop_keys();
}

/* Streamed verification of a file openssl signed: pieces of 1, 4093 and all
 * bytes agree with the one-shot verification; another key, one changed byte
 * and a cut last byte fail. */
UNIT_TEST(ed25519_streamed_verification)
{
	if (make_keys() < 0) UNIT_SKIP("openssl with Ed25519 is not available");
	char cmd[256];
	snprintf(cmd, sizeof cmd, "openssl rand -out %s/big 300000", tmp);
	CHECK(system(cmd) == 0);
	size_t n;
	unsigned char *m = (unsigned char *)tsig_read(tsig_path("%s/big", tmp), &n);
	CHECK(m && n == 300000);
	unsigned char sig[64];
	CHECK(openssl_sign('a', "big", sig) == 0);
	struct pubkey a, b;
	CHECK(load_pub('a', &a) == 0 && load_pub('b', &b) == 0);
	CHECK(ed25519_verify(a.ed25519, m, n, sig) == 0);
	static const size_t step[] = {1, 4093, 300000};
	for (unsigned i = 0; i < 3; i++) {
		struct ed25519_stream st;
		ed25519_stream_init(&st, a.ed25519, sig);
		for (size_t o = 0; o < n; o += step[i])
			ed25519_stream_update(&st, m + o, n - o < step[i] ? n - o : step[i]);
		CHECK(ed25519_stream_final(&st) == 0); /* must pass */
	}
	struct ed25519_stream st;
	ed25519_stream_init(&st, b.ed25519, sig); /* must fail: another key */
	ed25519_stream_update(&st, m, n);
	CHECK(ed25519_stream_final(&st) < 0);
	m[n - 1] ^= 0x80; /* must fail: one byte changed */
	ed25519_stream_init(&st, a.ed25519, sig);
	ed25519_stream_update(&st, m, n);
	CHECK(ed25519_stream_final(&st) < 0 && ed25519_verify(a.ed25519, m, n, sig) < 0);
	m[n - 1] ^= 0x80; /* must fail: the last byte missing */
	ed25519_stream_init(&st, a.ed25519, sig);
	ed25519_stream_update(&st, m, n - 1);
	CHECK(ed25519_stream_final(&st) < 0);
	free(m);
	pubkey_free(&a);
	pubkey_free(&b);
	drop_keys();
}

/* A checkpoint for origin, signed by key k under the key ID of key `as`. */
static int make_checkpoint(char k, const struct pubkey *as, const char *origin, char *note,
                           size_t n)
{
	char text[256];
	int tl = snprintf(text, sizeof text,
	                  "%s\n42\nrs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI=\n", origin);
	write_file("cp", text, (size_t)tl);
	unsigned char raw[68];
	uint8_t id[32];
	checkpoint_ed25519_keyid(origin, as->ed25519, id);
	memcpy(raw, id, 4);
	if (openssl_sign(k, "cp", raw + 4) < 0) return -1;
	char *b = b64_encode_std(raw, sizeof raw);
	snprintf(note, n, "%s\n\xe2\x80\x94 %s %s\n", text, origin, b);
	free(b);
	return 0;
}

UNIT_TEST(checkpoint_ed25519_signed_notes)
{
	if (make_keys() < 0) UNIT_SKIP("openssl with Ed25519 is not available");
	struct pubkey a, b;
	CHECK(load_pub('a', &a) == 0 && load_pub('b', &b) == 0);
	uint8_t log_id[32];
	checkpoint_ed25519_keyid("log.example", a.ed25519, log_id);
	char note[1024];
	struct checkpoint cp;
	ea_error_t err;
	/* must pass: signed by the log's key */
	CHECK(make_checkpoint('a', &a, "log.example", note, sizeof note) == 0);
	CHECK(checkpoint_parse(note, strlen(note), &cp, &err) == 0 && cp.size == 42 &&
	      cp.nsigs == 1 && !strcmp(cp.origin, "log.example"));
	CHECK(checkpoint_verify(&cp, note, &a, log_id, "", &err) == 0);
	/* must fail: the same note checked against another key */
	CHECK(checkpoint_verify(&cp, note, &b, log_id, "", &err) < 0);
	/* must fail: signed by another key under the log's key ID */
	CHECK(make_checkpoint('b', &a, "log.example", note, sizeof note) == 0);
	CHECK(checkpoint_parse(note, strlen(note), &cp, &err) == 0);
	CHECK(checkpoint_verify(&cp, note, &a, log_id, "", &err) < 0);
	/* must fail: the log's key, for another origin (not the trusted root's log) */
	CHECK(make_checkpoint('a', &a, "other.example", note, sizeof note) == 0);
	CHECK(checkpoint_parse(note, strlen(note), &cp, &err) == 0);
	CHECK(checkpoint_verify(&cp, note, &a, log_id, "https://log.example", &err) < 0);
	/* must pass: that origin when it is the host of the log's URL */
	CHECK(checkpoint_verify(&cp, note, &a, log_id, "https://other.example/", &err) == 0);
	pubkey_free(&a);
	pubkey_free(&b);
	drop_keys();
}

UNIT_TEST(checkpoint_grammar)
{
	struct checkpoint cp;
	ea_error_t err;
	static const char good[] = "o\n1\nrs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI=\n\n"
	                           "\xe2\x80\x94 o AAAAAAA=\n";
	CHECK(checkpoint_parse(good, sizeof good - 1, &cp, &err) == 0 && cp.nsigs == 1);
	static const char *const bad[] = {
	        "o\n1\nrs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI=\n\n", /* no signature */
	        "o\n01\nrs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI=\n\n\xe2\x80\x94 o AAAAAAA=\n",
	        "o\n-1\nrs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI=\n\n\xe2\x80\x94 o AAAAAAA=\n",
	        "o\n1\nAAAA\n\n\xe2\x80\x94 o AAAAAAA=\n", /* short root */
	        "o\n1\nrs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI=\n\n- o AAAAAAA=\n", /* dash */
	        "o\n1\nrs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI=\n\n\xe2\x80\x94 o AAAA\n",
	        "o\n1\nrs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI=\n\n\xe2\x80\x94 o AAAAAAA=",
	        "o\t\n1\nrs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI=\n\n\xe2\x80\x94 o AAAAAAA=\n",
	        "\n1\nrs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI=\n\n\xe2\x80\x94 o AAAAAAA=\n",
	};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = checkpoint_parse(bad[i], strlen(bad[i]), &cp, &err);
		if (rc == 0) fprintf(stderr, "#   accepted bad checkpoint %u\n", i);
		CHECK(rc < 0);
	}
}

/* The Rekor v2 entry of a conformance bundle, its proof decoded into e. */
struct v2case {
	struct sig_policy *p;
	char *bundle;
	unsigned char *body;
	unsigned char hashes[64][32];
	struct tlog_entry e;
	cJSON *j;
};

static void v2case_free(struct v2case *c)
{
	sig_policy_free(c->p);
	free(c->bundle);
	free(c->body);
	cJSON_Delete(c->j);
}

static int v2case_load(struct v2case *c, const char *root, const char *name)
{
	memset(c, 0, sizeof *c);
	const char *dir = tsig_path("%s/cosign/sigstore-conformance/bundle-verify/%s", root, name);
	size_t bl;
	c->bundle = tsig_read(tsig_path("%s/bundle.sigstore.json", dir), &bl);
	c->p = sig_policy_new();
	if (!c->bundle || tsig_load_troot(c->p, tsig_path("%s/trusted_root.json", dir)) < 0)
		return -1;
	ea_error_t err;
	c->j = sjson_parse(c->bundle, bl, &err);
	const cJSON *vm = cJSON_GetObjectItemCaseSensitive(c->j, "verificationMaterial");
	const cJSON *tl =
	        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(vm, "tlogEntries"), 0);
	const cJSON *pr = cJSON_GetObjectItemCaseSensitive(tl, "inclusionProof");
	const cJSON *lid = cJSON_GetObjectItemCaseSensitive(tl, "logId");
	unsigned char *id = NULL, *rh = NULL;
	size_t idl, rl;
	struct tlog_entry *e = &c->e;
	if (!pr ||
	    sjson_b64(tl, "canonicalizedBody", B64_PROTO, 1 << 20, &c->body, &e->blen, &err) < 0 ||
	    sjson_b64(lid, "keyId", B64_PROTO, 64, &id, &idl, &err) < 0 || idl != 32 ||
	    sjson_b64(pr, "rootHash", B64_PROTO, 64, &rh, &rl, &err) < 0 || rl != 32 ||
	    sjson_i64(pr, "logIndex", &e->proof_index) < 0 ||
	    sjson_i64(pr, "treeSize", &e->tree_size) < 0) {
		free(id);
		free(rh);
		return -1;
	}
	memcpy(e->log_id, id, 32);
	memcpy(e->root_hash, rh, 32);
	free(id);
	free(rh);
	e->body = c->body;
	e->has_proof = 1;
	e->hashes = c->hashes;
	for (const cJSON *h = cJSON_GetObjectItemCaseSensitive(pr, "hashes")->child;
	     h && e->nhashes < 64; h = h->next) {
		unsigned char *v = NULL;
		size_t vl;
		if (b64_decode(h->valuestring, strlen(h->valuestring), B64_PROTO, 64, &v, &vl,
		               &err) == 0 &&
		    vl == 32)
			memcpy(c->hashes[e->nhashes++], v, 32);
		free(v);
	}
	e->checkpoint = sjson_str(cJSON_GetObjectItemCaseSensitive(pr, "checkpoint"), "envelope");
	return 0;
}

UNIT_TEST(rekor2_inclusion_proof_and_checkpoint)
{
	const char *root = unit_shared_testdata();
	if (!root) UNIT_SKIP("../shared/testdata is absent");
	struct v2case c;
	if (v2case_load(&c, root, "rekor2-happy-path") < 0) {
		v2case_free(&c);
		UNIT_SKIP("conformance case rekor2-happy-path absent");
	}
	const struct trusted_root *tr = c.p->troot;
	const struct tr_key *log = troot_find_log(tr->tlogs, tr->ntlogs, c.e.log_id, 32);
	CHECK(log && log->key.alg == PUBKEY_ED25519 && c.e.nhashes > 1);
	struct sig_result r = {0};
	/* must pass: the proof as the log gave it, to the checkpoint the log signed */
	CHECK(tlog_verify_proof(log, &c.e, &r) == 0);
	int64_t t = 1749730000000; /* 2025-06-12, in the log key's validity */
	CHECK(rekor_v2_verify_entry(tr, &c.e, &t, 1, &r) == 0 && !strcmp(r.tlog, "verified"));
	/* must fail: one hash of the audit path changed */
	c.hashes[1][0] ^= 1;
	CHECK(tlog_verify_proof(log, &c.e, &r) < 0 &&
	      !strcmp(r.refusal, "signature.bad_inclusion_proof"));
	c.hashes[1][0] ^= 1;
	/* must fail: the proof for another index, a path one hash short */
	c.e.proof_index ^= 1;
	CHECK(tlog_verify_proof(log, &c.e, &r) < 0);
	c.e.proof_index ^= 1;
	c.e.nhashes--;
	CHECK(tlog_verify_proof(log, &c.e, &r) < 0);
	c.e.nhashes++;
	/* must fail: a signing time before the log key's validity */
	t = 1000;
	CHECK(rekor_v2_verify_entry(tr, &c.e, &t, 1, &r) < 0 &&
	      !strcmp(r.refusal, "signature.untrusted_log"));
	v2case_free(&c);
}

/* cosign's simple-signing payload for a digest, signed with an Ed25519 key:
 * cosign signs the payload bytes themselves (no prehash). */
UNIT_TEST(cosign_ed25519_key_signature)
{
	if (make_keys() < 0) UNIT_SKIP("openssl with Ed25519 is not available");
	struct sig_subject s = {.size = -1};
	digest_buffer(DIGEST_SHA256, "manifest", 8, &s.digest);
	char payload[512];
	int pl = snprintf(payload, sizeof payload,
	                  "{\"critical\":{\"identity\":{\"docker-reference\":\"localhost/app\"},"
	                  "\"image\":{\"docker-manifest-digest\":\"%s\"},"
	                  "\"type\":\"cosign container image signature\"},\"optional\":null}",
	                  s.digest.str);
	write_file("payload", payload, (size_t)pl);
	unsigned char sig[64];
	CHECK(openssl_sign('a', "payload", sig) == 0);
	char *b = b64_encode_std(sig, 64);
	cJSON *ann = cJSON_CreateObject();
	cJSON_AddStringToObject(ann, "dev.cosignproject.cosign/signature", b);
	free(b);
	ea_error_t err;
	for (const char *k = "ab"; *k; k++) {
		struct sig_policy *p = sig_policy_new();
		size_t l;
		char *pem = tsig_read(tsig_path("%s/%c.pub", tmp, *k), &l);
		CHECK(pem && policy_add_key_pem(p, "release", (unsigned char *)pem, l, &err) == 0);
		free(pem);
		struct sig_accept a = {.pol = p, .rule = NULL};
		struct sig_result r = {0};
		cosign_verify_layer(&a, &s, (unsigned char *)payload, (size_t)pl, ann, &r);
		if (*k == 'a') /* must pass: the signing key */
			CHECK(r.refusal == NULL && !strcmp(r.signer, "key:release"));
		else /* must fail: another Ed25519 key */ CHECK(r.refusal != NULL);
		sig_policy_free(p);
	}
	cJSON_Delete(ann);
	drop_keys();
}
