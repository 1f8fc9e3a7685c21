/* sig_bundle: sigstore bundles v0.1-v0.3 (protobuf-specs Bundle in its JSON
 * mapping) over an artifact known by its digest.
 *
 * Order of checks (each refusal its own id):
 *   shape and version -> signature over the content (messageSignature over
 *   its messageDigest or, without one, the artifact's own hash; or DSSE
 *   PAE) by an accepted key or by the leaf certificate -> the content names
 *   the artifact -> timestamps (RFC 3161, each on its own: one that fails is
 *   skipped and listed) -> Rekor entries (log, SET, inclusion proof +
 *   checkpoint, body matches the bundle) -> thresholds (the rule's counts
 *   of verified entries and timestamps) -> certificate: Fulcio chain, SCT
 *   and identity at every trusted time. */
#include <stdio.h>
#include <string.h>

#include "b64.h"
#include "digest.h"
#include "sig_int.h"
#include "x509util.h"

#define BUNDLE_MAX_TLOG 8
#define BUNDLE_MAX_TS   8

struct bundle {
	cJSON *j;
	int version; /* 1, 2, 3 */
	/* key material */
	const char *hint;
	int has_key;
	mbedtls_x509_crt chain; /* leaf first */
	int ncerts;
	/* content */
	int dsse;
	unsigned char *sig;
	size_t siglen;
	unsigned char *mdigest;
	size_t mdlen;
	mbedtls_md_type_t md; /* messageSignature; NONE without a messageDigest */
	const unsigned char *ahash;
	size_t ahlen; /* the hash the messageSignature is over (hashedrekord's) */
	unsigned char *payload;
	size_t plen;
	const char *ptype; /* DSSE */
	unsigned char *pae;
	size_t paelen;
	/* transparency log */
	struct tlog_entry tl[BUNDLE_MAX_TLOG];
	unsigned char *tl_body[BUNDLE_MAX_TLOG], *tl_set[BUNDLE_MAX_TLOG];
	const char *tl_kind[BUNDLE_MAX_TLOG], *tl_ver[BUNDLE_MAX_TLOG];
	int ntl;
	unsigned char *ts[BUNDLE_MAX_TS];
	size_t tslen[BUNDLE_MAX_TS];
	int nts;
};

static void bundle_free(struct bundle *b)
{
	cJSON_Delete(b->j);
	mbedtls_x509_crt_free(&b->chain);
	free(b->sig);
	free(b->mdigest);
	free(b->payload);
	free(b->pae);
	for (int i = 0; i < b->ntl; i++) {
		free(b->tl_body[i]);
		free(b->tl_set[i]);
		free(b->tl[i].hashes);
	}
	for (int i = 0; i < b->nts; i++) free(b->ts[i]);
}
#define cleanup_bundle __attribute__((cleanup(bundle_free)))

static int media_version(const char *mt)
{
	if (!mt) return 0;
	if (!strcmp(mt, "application/vnd.dev.sigstore.bundle+json;version=0.1")) return 1;
	if (!strcmp(mt, "application/vnd.dev.sigstore.bundle+json;version=0.2")) return 2;
	if (!strcmp(mt, "application/vnd.dev.sigstore.bundle+json;version=0.3")) return 3;
	if (!strcmp(mt, "application/vnd.dev.sigstore.bundle.v0.3+json")) return 3;
	return 0;
}

static int parse_proof(struct tlog_entry *t, const cJSON *pr, struct sig_result *r)
{
	ea_error_t err;
	const cJSON *hs = cJSON_GetObjectItemCaseSensitive(pr, "hashes");
	const cJSON *cp = cJSON_GetObjectItemCaseSensitive(pr, "checkpoint");
	cleanup_free unsigned char *root = NULL;
	size_t rl;
	if (sjson_i64(pr, "logIndex", &t->proof_index) < 0 ||
	    sjson_i64(pr, "treeSize", &t->tree_size) < 0 ||
	    sjson_b64(pr, "rootHash", B64_PROTO, 64, &root, &rl, &err) < 0 || rl != 32 ||
	    !cJSON_IsArray(hs) || cJSON_GetArraySize(hs) > 64) {
		sig_refuse(r, "signature.malformed", "inclusion proof is malformed");
		return -1;
	}
	memcpy(t->root_hash, root, 32);
	t->hashes = xcalloc((size_t)cJSON_GetArraySize(hs) + 1, 32);
	for (const cJSON *h = hs->child; h; h = h->next) {
		cleanup_free unsigned char *hv = NULL;
		size_t hl;
		if (!cJSON_IsString(h) ||
		    b64_decode(h->valuestring, strlen(h->valuestring), B64_PROTO, 64, &hv, &hl,
		               &err) < 0 ||
		    hl != 32) {
			sig_refuse(r, "signature.malformed", "inclusion proof hash is malformed");
			return -1;
		}
		memcpy(t->hashes[t->nhashes++], hv, 32);
	}
	t->checkpoint = cp ? sjson_str(cp, "envelope") : NULL;
	t->has_proof = 1;
	return 0;
}

static int parse_tlog(struct bundle *b, const cJSON *e, int i, struct sig_result *r)
{
	ea_error_t err;
	struct tlog_entry *t = &b->tl[i];
	const cJSON *lid = cJSON_GetObjectItemCaseSensitive(e, "logId");
	const cJSON *kv = cJSON_GetObjectItemCaseSensitive(e, "kindVersion");
	cleanup_free unsigned char *id = NULL;
	size_t idl;
	/* integratedTime: Rekor v2 entries have none (protobuf JSON omits a zero). */
	if (!cJSON_GetObjectItemCaseSensitive(e, "integratedTime")) t->integrated_time = 0;
	else if (sjson_i64(e, "integratedTime", &t->integrated_time) < 0) t->integrated_time = -1;
	if (sjson_i64(e, "logIndex", &t->log_index) < 0 || t->integrated_time < 0 || !lid ||
	    sjson_b64(lid, "keyId", B64_PROTO, 64, &id, &idl, &err) < 0 || idl != 32 || !kv ||
	    !(b->tl_kind[i] = sjson_str(kv, "kind")) ||
	    !(b->tl_ver[i] = sjson_str(kv, "version"))) {
		sig_refuse(r, "signature.malformed",
		           "transparency log entry %d lacks logIndex, integratedTime, logId or "
		           "kindVersion",
		           i);
		return -1;
	}
	memcpy(t->log_id, id, 32);
	if (t->log_index < 0) {
		sig_refuse(r, "signature.malformed",
		           "transparency log entry with a negative log index");
		return -1;
	}
	size_t bl;
	if (sjson_b64(e, "canonicalizedBody", B64_PROTO, SIG_MAX_ENVELOPE, &b->tl_body[i], &bl,
	              &err) < 0) {
		sig_refuse(r, "signature.malformed", "transparency log entry body: %s", err.msg);
		return -1;
	}
	t->body = b->tl_body[i];
	t->blen = bl;
	const cJSON *ip = cJSON_GetObjectItemCaseSensitive(e, "inclusionPromise");
	if (ip) {
		if (sjson_b64(ip, "signedEntryTimestamp", B64_PROTO, 1024, &b->tl_set[i],
		              &t->setlen, &err) < 0) {
			sig_refuse(r, "signature.malformed", "signed entry timestamp: %s", err.msg);
			return -1;
		}
		t->set = b->tl_set[i];
	}
	const cJSON *pr = cJSON_GetObjectItemCaseSensitive(e, "inclusionProof");
	return pr ? parse_proof(t, pr, r) : 0;
}

/* protobuf's JSON mapping: a null member is an absent one. */
static void strip_nulls(cJSON *o, int depth)
{
	if (depth > 64) return;
	for (cJSON *c = o ? o->child : NULL, *next; c; c = next) {
		next = c->next;
		if (cJSON_IsNull(c) && cJSON_IsObject(o))
			cJSON_Delete(cJSON_DetachItemViaPointer(o, c));
		else strip_nulls(c, depth + 1);
	}
}

/* ---- parse 1: a JSON object of a known bundle version, with verification
 * material and exactly one content ---- */
static int parse_shape(struct bundle *b, const char *data, size_t len, const cJSON **vm,
                       const cJSON **ms, const cJSON **de, struct sig_result *r)
{
	ea_error_t err;
	b->j = sjson_parse(data, len, &err);
	strip_nulls(b->j, 0);
	if (!b->j || !cJSON_IsObject(b->j)) {
		sig_refuse(r, "signature.malformed", "bundle is not valid JSON: %s",
		           b->j ? "not an object" : err.msg);
		return -1;
	}
	b->version = media_version(sjson_str(b->j, "mediaType"));
	if (!b->version) {
		sig_refuse(r, "signature.unsupported_envelope",
		           "unknown bundle mediaType \"%.80s\"",
		           sjson_str(b->j, "mediaType") ? sjson_str(b->j, "mediaType") : "");
		return -1;
	}
	*vm = cJSON_GetObjectItemCaseSensitive(b->j, "verificationMaterial");
	*ms = cJSON_GetObjectItemCaseSensitive(b->j, "messageSignature");
	*de = cJSON_GetObjectItemCaseSensitive(b->j, "dsseEnvelope");
	if (!cJSON_IsObject(*vm) || !!*ms == !!*de) {
		sig_refuse(r, "signature.malformed",
		           "bundle needs verificationMaterial and exactly one of messageSignature, "
		           "dsseEnvelope");
		return -1;
	}
	return 0;
}

/* The certificates: a chain (cc) or one certificate (ce), leaf first; no
 * root among them, or the bundle would pick its own anchor. */
static int parse_certificates(struct bundle *b, const cJSON *cc, const cJSON *ce,
                              struct sig_result *r)
{
	ea_error_t err;
	const cJSON *list = ce;
	if (cc) {
		list = cJSON_GetObjectItemCaseSensitive(cc, "certificates");
		if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) < 1 ||
		    cJSON_GetArraySize(list) > SIG_MAX_CHAIN) {
			sig_refuse(r, "signature.malformed",
			           "x509CertificateChain holds no certificate");
			return -1;
		}
		list = list->child;
	}
	for (const cJSON *c = list; c; c = cc ? c->next : NULL) {
		cleanup_free unsigned char *der = NULL;
		size_t dl;
		if (sjson_b64(c, "rawBytes", B64_PROTO, SIG_MAX_CERT, &der, &dl, &err) < 0 ||
		    x509_parse_der(&b->chain, der, dl, &err) < 0) {
			sig_refuse(r,
			           err.code == EA_E_UNSUPPORTED ? "signature.unsupported_algorithm"
			                                        : "signature.malformed",
			           "bundle certificate: %s", err.msg);
			return -1;
		}
		b->ncerts++;
	}
	for (const mbedtls_x509_crt *c = &b->chain; c && c->raw.len; c = c->next)
		if (x509_is_self_signed(c)) {
			sig_refuse(r, "signature.untrusted_chain",
			           "bundle carries a self-signed (root) certificate");
			return -1;
		}
	return 0;
}

/* ---- parse 2: key material, exactly one ---- */
static int parse_key_material(struct bundle *b, const cJSON *vm, struct sig_result *r)
{
	const cJSON *pk = cJSON_GetObjectItemCaseSensitive(vm, "publicKey");
	const cJSON *cc = cJSON_GetObjectItemCaseSensitive(vm, "x509CertificateChain");
	const cJSON *ce = cJSON_GetObjectItemCaseSensitive(vm, "certificate");
	if (!!pk + !!cc + !!ce != 1) {
		sig_refuse(
		        r, "signature.malformed",
		        "bundle needs exactly one of publicKey, x509CertificateChain, certificate");
		return -1;
	}
	if (!pk) return parse_certificates(b, cc, ce, r);
	b->has_key = 1;
	b->hint = sjson_str(pk, "hint");
	return 0;
}

/* messageDigest: optional (the bundle spec), else the digest it names. */
static int parse_message_digest(struct bundle *b, const cJSON *md, struct sig_result *r)
{
	ea_error_t err = {0};
	const char *alg = sjson_str(md, "algorithm");
	if (!alg || sjson_b64(md, "digest", B64_PROTO, 64, &b->mdigest, &b->mdlen, &err) < 0) {
		sig_refuse(r, "signature.malformed", "messageSignature.messageDigest is malformed");
		return -1;
	}
	if (!strcmp(alg, "SHA2_256") && b->mdlen == 32) b->md = MBEDTLS_MD_SHA256;
	else if (!strcmp(alg, "SHA2_384") && b->mdlen == 48) b->md = MBEDTLS_MD_SHA384;
	else if (!strcmp(alg, "SHA2_512") && b->mdlen == 64) b->md = MBEDTLS_MD_SHA512;
	else {
		sig_refuse(r, "signature.unsupported_algorithm",
		           "message digest %.32s is not supported", alg);
		return -1;
	}
	b->ahash = b->mdigest;
	b->ahlen = b->mdlen;
	return 0;
}

/* ---- parse 3a: content, a signature over a message digest ---- */
static int parse_message_signature(struct bundle *b, const cJSON *ms, struct sig_result *r)
{
	ea_error_t err = {0}; /* an empty signature decodes without a message */
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(ms, "messageDigest");
	b->md = MBEDTLS_MD_NONE;
	if (md && parse_message_digest(b, md, r) < 0) return -1;
	if (sjson_b64(ms, "signature", B64_PROTO, 4096, &b->sig, &b->siglen, &err) < 0 ||
	    b->siglen == 0) {
		sig_refuse(r, "signature.malformed", "messageSignature.signature: %s", err.msg);
		return -1;
	}
	return 0;
}

/* PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body */
static void build_pae(struct bundle *b, size_t tl)
{
	char head[64], mid[32];
	int hl = snprintf(head, sizeof head, "DSSEv1 %zu ", tl);
	int ml = snprintf(mid, sizeof mid, " %zu ", b->plen);
	b->paelen = (size_t)hl + tl + (size_t)ml + b->plen;
	b->pae = xmalloc(b->paelen);
	memcpy(b->pae, head, (size_t)hl);
	memcpy(b->pae + hl, b->ptype, tl);
	memcpy(b->pae + hl + tl, mid, (size_t)ml);
	memcpy(b->pae + hl + tl + ml, b->payload, b->plen);
}

/* ---- parse 3b: content, a DSSE envelope with one signature ---- */
static int parse_dsse(struct bundle *b, const cJSON *de, struct sig_result *r)
{
	ea_error_t err;
	b->dsse = 1;
	const cJSON *sigs = cJSON_GetObjectItemCaseSensitive(de, "signatures");
	b->ptype = sjson_str(de, "payloadType");
	if (!b->ptype || sjson_b64(de, "payload", B64_PROTO, SIG_MAX_ENVELOPE, &b->payload,
	                           &b->plen, &err) < 0) {
		sig_refuse(r, "signature.malformed",
		           "dsseEnvelope payload or payloadType is malformed");
		return -1;
	}
	/* One signature: the bundle has one verification material. */
	if (!cJSON_IsArray(sigs) || cJSON_GetArraySize(sigs) != 1 ||
	    sjson_b64(sigs->child, "sig", B64_PROTO, 4096, &b->sig, &b->siglen, &err) < 0 ||
	    b->siglen == 0) {
		sig_refuse(r, "signature.malformed", "dsseEnvelope needs exactly one signature");
		return -1;
	}
	size_t tl = strlen(b->ptype);
	if (tl > 1024) {
		sig_refuse(r, "signature.malformed", "payloadType over 1 KiB");
		return -1;
	}
	build_pae(b, tl);
	return 0;
}

/* ---- parse 4: transparency log entries ---- */
static int parse_tlog_entries(struct bundle *b, const cJSON *vm, struct sig_result *r)
{
	const cJSON *tls = cJSON_GetObjectItemCaseSensitive(vm, "tlogEntries");
	if (tls && (!cJSON_IsArray(tls) || cJSON_GetArraySize(tls) > BUNDLE_MAX_TLOG)) {
		sig_refuse(r, "signature.malformed", "tlogEntries must be an array of at most %d",
		           BUNDLE_MAX_TLOG);
		return -1;
	}
	for (const cJSON *e = tls ? tls->child : NULL; e; e = e->next) {
		int i = b->ntl++;
		if (parse_tlog(b, e, i, r) < 0) return -1;
	}
	return 0;
}

/* ---- parse 5: RFC 3161 timestamps ---- */
static int parse_timestamps(struct bundle *b, const cJSON *vm, struct sig_result *r)
{
	ea_error_t err;
	const cJSON *tvd = cJSON_GetObjectItemCaseSensitive(vm, "timestampVerificationData");
	const cJSON *rts = tvd ? cJSON_GetObjectItemCaseSensitive(tvd, "rfc3161Timestamps") : NULL;
	if (rts && (!cJSON_IsArray(rts) || cJSON_GetArraySize(rts) > BUNDLE_MAX_TS)) {
		sig_refuse(r, "signature.malformed",
		           "rfc3161Timestamps must be an array of at most %d", BUNDLE_MAX_TS);
		return -1;
	}
	for (const cJSON *t = rts ? rts->child : NULL; t; t = t->next) {
		int i = b->nts++;
		if (sjson_b64(t, "signedTimestamp", B64_PROTO, 64 * 1024, &b->ts[i], &b->tslen[i],
		              &err) < 0) {
			sig_refuse(r, "signature.malformed", "RFC 3161 timestamp: %s", err.msg);
			return -1;
		}
	}
	return 0;
}

/* The bundle's parts, each well-formed, in the order a reader meets them. */
static int bundle_parse(struct bundle *b, const char *data, size_t len, struct sig_result *r)
{
	const cJSON *vm, *ms, *de;
	if (parse_shape(b, data, len, &vm, &ms, &de, r) < 0) return -1;
	if (parse_key_material(b, vm, r) < 0) return -1;
	if (ms && parse_message_signature(b, ms, r) < 0) return -1;
	if (de && parse_dsse(b, de, r) < 0) return -1; /* exactly one of ms, de */
	if (parse_tlog_entries(b, vm, r) < 0) return -1;
	if (parse_timestamps(b, vm, r) < 0) return -1;
	return 0;
}

/* A subject's {"sha256": hex, "sha512": hex, ...} names the artifact: one
 * of the SHA-2 digests it gives that we know is the artifact's. */
static int subject_digest_named(const cJSON *d, const struct sig_subject *s)
{
	static const struct {
		const char *name;
		mbedtls_md_type_t md;
	} algs[] = {{"sha256", MBEDTLS_MD_SHA256},
	            {"sha384", MBEDTLS_MD_SHA384},
	            {"sha512", MBEDTLS_MD_SHA512}};
	for (unsigned i = 0; d && i < sizeof algs / sizeof algs[0]; i++) {
		const char *v = sjson_str(d, algs[i].name);
		const unsigned char *h;
		size_t hl = v ? subject_hash(s, algs[i].md, &h) : 0;
		char hex[129];
		if (!hl) continue;
		ea_hex(h, hl, hex);
		if (!strcmp(v, hex)) return 1;
	}
	return 0;
}

/* The in-toto statement names the artifact among its subjects. */
static int statement_names(const struct bundle *b, const struct sig_subject *s,
                           struct sig_result *r)
{
	if (strcmp(b->ptype, "application/vnd.in-toto+json") != 0) {
		sig_refuse(r, "signature.unsupported_envelope",
		           "DSSE payload type \"%.64s\" is not an in-toto statement", b->ptype);
		return -1;
	}
	ea_error_t err;
	cleanup_cjson cJSON *st = sjson_parse((const char *)b->payload, b->plen, &err);
	const char *type = st ? sjson_str(st, "_type") : NULL;
	const cJSON *subj = st ? cJSON_GetObjectItemCaseSensitive(st, "subject") : NULL;
	if (!type ||
	    (strcmp(type, "https://in-toto.io/Statement/v0.1") &&
	     strcmp(type, "https://in-toto.io/Statement/v1")) ||
	    !cJSON_IsArray(subj)) {
		sig_refuse(r, "signature.malformed", "DSSE payload is not an in-toto statement");
		return -1;
	}
	int found = 0;
	for (const cJSON *x = subj->child; x && !found; x = x->next)
		found = subject_digest_named(cJSON_GetObjectItemCaseSensitive(x, "digest"), s);
	if (!found) {
		sig_refuse(r, "signature.digest_mismatch", "the in-toto statement does not name %s",
		           s->digest.str);
		return -1;
	}
	return 0;
}

/* The accepted key's SubjectPublicKeyInfo, for the log entries' bodies. */
struct bundle_key {
	unsigned char buf[4096];
	const unsigned char *der; /* into buf; NULL for a certificate-signed bundle */
	size_t len;
};

/* Trusted signing times: verified timestamps, then integrated times. */
struct bundle_times {
	int64_t t[BUNDLE_MAX_TLOG + BUNDLE_MAX_TS];
	int n;
	int ts_ok, ts_failed;      /* RFC 3161 timestamps verified / skipped */
	int tl_ok;                 /* transparency-log entries verified */
	struct sig_result ts_last; /* why the last skipped timestamp failed */
};

/* The hashes a messageSignature may be over, in the order tried: the
 * artifact's own hash with each SHA-2 size (sigstore-go hashes the artifact
 * with the key's hash, P-384: SHA-384), then the messageDigest as given. */
struct msg_hash {
	mbedtls_md_type_t md;
	const unsigned char *h;
	size_t len;
};
static int message_hashes(const struct bundle *b, const struct sig_subject *s,
                          struct msg_hash out[4])
{
	static const mbedtls_md_type_t mds[] = {MBEDTLS_MD_SHA256, MBEDTLS_MD_SHA384,
	                                        MBEDTLS_MD_SHA512};
	int n = 0;
	for (unsigned i = 0; i < sizeof mds / sizeof mds[0]; i++) {
		out[n].md = mds[i];
		out[n].len = subject_hash(s, mds[i], &out[n].h);
		if (out[n].len) n++;
	}
	if (b->mdigest) out[n++] = (struct msg_hash){b->md, b->mdigest, b->mdlen};
	return n;
}

/* A key-signed bundle: the accepted key that verifies, -1 when none; the
 * hash it verified over is the one a hashedrekord entry must name. */
static int key_verifies(const struct sig_accept *a, struct bundle *b, const struct sig_subject *s)
{
	if (b->dsse) return accepted_key_verify_msg(a, b->pae, b->paelen, b->sig, b->siglen);
	struct msg_hash mh[4];
	int n = message_hashes(b, s, mh);
	for (int i = 0; i < n; i++) {
		int k = accepted_key_verify(a, mh[i].md, mh[i].h, mh[i].len, b->sig, b->siglen);
		if (k >= 0) {
			b->ahash = mh[i].h;
			b->ahlen = mh[i].len;
			return k;
		}
	}
	/* pure Ed25519 over the artifact's bytes, where they are at hand; a
	 * hashedrekord entry names their SHA-256 */
	int k = accepted_key_verify_over(a, s, b->sig, b->siglen);
	if (k >= 0 && subject_hash(s, MBEDTLS_MD_SHA256, &b->ahash) == 32) {
		b->ahlen = 32;
		return k;
	}
	return -1;
}

/* A certificate-signed bundle: DSSE's PAE with the hash its curve pairs
 * with, else a message hash as key_verifies tries them. */
static int cert_verifies(struct bundle *b, const struct sig_subject *s, ea_error_t *err)
{
	mbedtls_pk_context *pk = &b->chain.pk;
	if (b->dsse)
		return sigverify_msg(pk, pk_default_md(pk), b->pae, b->paelen, b->sig, b->siglen,
		                     SIG_DER, 0, err);
	struct msg_hash mh[4];
	int n = message_hashes(b, s, mh);
	ea_fail(err, EA_E_MISMATCH, "no hash of the artifact to verify over");
	for (int i = 0; i < n; i++)
		if (sigverify_hash(pk, mh[i].md, mh[i].h, mh[i].len, b->sig, b->siglen, SIG_DER, 0,
		                   err) == 0) {
			b->ahash = mh[i].h;
			b->ahlen = mh[i].len;
			return 0;
		}
	return -1;
}

/* No accepted key verifies: which refusal.  The (unauthenticated) hint
 * only names it. */
static void refuse_key(const struct sig_accept *a, const struct bundle *b,
                       const struct sig_subject *s, struct sig_result *r)
{
	int named = -1;
	char hb[64];
	for (int i = 0; a->pol && i < a->pol->nkeys && b->hint; i++) {
		cleanup_free char *e = b64_encode_std(a->pol->keys[i].spki_sha256, 32);
		snprintf(hb, sizeof hb, "%s", e);
		if (!strcmp(hb, b->hint) || !strcmp(a->pol->keys[i].name, b->hint)) named = i;
	}
	if (!accepted_has_keys(a))
		sig_refuse(r, "signature.wrong_key",
		           "bundle is signed with a key and the policy accepts no key here");
	else if (named >= 0 && !b->dsse && a->pol->keys[named].key.alg == PUBKEY_ED25519 &&
	         !s->ed25519_over)
		/* pure Ed25519 signs the artifact's bytes; the bundle gives its digest */
		sig_refuse(r, "signature.unsupported_algorithm",
		           "Ed25519 key %s signs the artifact itself, which is not at hand here",
		           a->pol->keys[named].name);
	else if (named >= 0)
		sig_refuse(r, "signature.payload_tampered",
		           "bundle signature does not verify with key %s it names",
		           a->pol->keys[named].name);
	else if (b->hint)
		sig_refuse(r, "signature.wrong_key",
		           "bundle is signed by key \"%.64s\", not one the policy accepts",
		           b->hint);
	else
		sig_refuse(r, "signature.invalid",
		           "bundle signature does not verify with any accepted key");
}

/* ---- 1. the signature, over what the bundle says it signed: by an
 * accepted key, or by the leaf certificate ---- */
static int verify_signature(const struct sig_accept *a, const struct sig_subject *s,
                            struct bundle *b, struct bundle_key *key, struct sig_result *r)
{
	ea_error_t err;
	if (b->has_key) {
		int k = key_verifies(a, b, s);
		if (k < 0) {
			refuse_key(a, b, s, r);
			return -1;
		}
		snprintf(r->signer, sizeof r->signer, "key:%s", a->pol->keys[k].name);
		int l = pubkey_spki_der(&a->pol->keys[k].key, key->buf, sizeof key->buf, &key->der);
		key->len = l > 0 ? (size_t)l : 0;
		return 0;
	}
	if (mbedtls_pk_get_type(&b->chain.pk) != MBEDTLS_PK_ECKEY &&
	    mbedtls_pk_get_type(&b->chain.pk) != MBEDTLS_PK_RSA) {
		sig_refuse(r, "signature.unsupported_algorithm",
		           "certificate key type is not ECDSA or RSA");
		return -1;
	}
	if (cert_verifies(b, s, &err) < 0) {
		sig_refuse(r, "signature.payload_tampered",
		           "bundle signature does not verify with its certificate: %.200s",
		           err.msg);
		return -1;
	}
	return 0;
}

/* ---- 2. the signed content names the artifact ---- */
static int content_names(const struct bundle *b, const struct sig_subject *s, struct sig_result *r)
{
	if (b->dsse) return statement_names(b, s, r);
	if (!b->mdigest) return 0; /* the signature is over the artifact's own hash */
	const unsigned char *h;
	size_t al = subject_hash(s, b->md, &h);
	if (al != b->mdlen || memcmp(b->mdigest, h, al) != 0) {
		sig_refuse(r, "signature.digest_mismatch", "bundle signs another digest than %s",
		           s->digest.str);
		return -1;
	}
	return 0;
}

/* A timestamp that does not verify is skipped and named in r->ts_skipped. */
static void timestamp_skipped(struct sig_result *r, int i, const struct sig_result *why)
{
	size_t n = strlen(r->ts_skipped);
	if (n + 8 >= sizeof r->ts_skipped) return;
	snprintf(r->ts_skipped + n, sizeof r->ts_skipped - n, "%s#%d %s: %.100s", n ? "; " : "", i,
	         why->refusal, why->msg);
}

/* ---- 3a. trusted times: RFC 3161 timestamps, each verified on its own
 * (as sigstore-go counts them): one that does not verify is skipped ---- */
static void timestamps(const struct trusted_root *tr, const struct bundle *b,
                       struct bundle_times *tm, struct sig_result *r)
{
	for (int i = 0; i < b->nts; i++) {
		int64_t t;
		/* A key needs no time; without a trusted root a timestamp could not
		 * be checked and is not used for anything: skipped, said so. */
		if (b->has_key && !tr) {
			snprintf(r->tlog, sizeof r->tlog, "not_checked");
			break;
		}
		struct sig_result one = {0};
		if (tsa_verify(tr, NULL, b->ts[i], b->tslen[i], b->sig, b->siglen, &t, &one) < 0) {
			tm->ts_failed++;
			tm->ts_last = one;
			timestamp_skipped(r, i, &one);
			continue;
		}
		tm->ts_ok++;
		tm->t[tm->n++] = t;
	}
}

/* ---- 3c. enough trusted material: timestamps that all failed with no
 * other trusted time refuse for their own reason; a certificate needs the
 * rule's thresholds (verified log entries, verified timestamps) ---- */
static int thresholds(const struct sig_accept *a, const struct bundle *b,
                      const struct bundle_times *tm, struct sig_result *r)
{
	/* (a certificate needs a time: log entries that give none do not count) */
	if (tm->ts_failed && tm->ts_ok == 0 && (tm->tl_ok == 0 || (!b->has_key && tm->n == 0))) {
		sig_refuse(r, tm->ts_last.refusal, "%s", tm->ts_last.msg);
		return -1;
	}
	if (b->has_key) return 0;
	int need_tl = a->rule ? a->rule->tlog_threshold : 1;
	int need_ts = a->rule ? a->rule->ts_threshold : 0;
	if (tm->tl_ok < need_tl || tm->ts_ok < need_ts) {
		sig_refuse(r, "signature.threshold_unmet",
		           "%d verified transparency-log entr%s and %d verified timestamp%s: the "
		           "policy needs %d and %d",
		           tm->tl_ok, tm->tl_ok == 1 ? "y" : "ies", tm->ts_ok,
		           tm->ts_ok == 1 ? "" : "s", need_tl, need_ts);
		return -1;
	}
	return 0;
}

/* What a log entry's body must hold: this bundle's signature, key or
 * certificate, and its digest (message signature) or envelope (DSSE). */
static struct tlog_expect tlog_expected(const struct bundle *b, const struct bundle_key *key)
{
	return (struct tlog_expect){
	        .sig = b->sig,
	        .siglen = b->siglen,
	        .cert_der = b->has_key ? NULL : b->chain.raw.p,
	        .cert_len = b->has_key ? 0 : b->chain.raw.len,
	        .key_der = key->der,
	        .key_len = key->len,
	        .digest = b->dsse ? NULL : b->ahash,
	        .dlen = b->dsse ? 0 : b->ahlen,
	        .payload = b->payload,
	        .plen = b->plen,
	        .payload_type = b->ptype,
	        .pae = b->pae,
	        .paelen = b->paelen,
	};
}

/* A Rekor v2 entry (rekor_v2.c): v0.3 bundles only; its log key judged at
 * the timestamps' times; no time of its own. */
static int tlog_entry_v2(const struct trusted_root *tr, const struct bundle *b, int i,
                         const struct bundle_key *key, const struct bundle_times *tm,
                         struct sig_result *r)
{
	ea_error_t err;
	if (b->version < 3) {
		sig_refuse(r, "signature.malformed", "Rekor v2 entry in a bundle older than v0.3");
		return -1;
	}
	if (rekor_v2_verify_entry(tr, &b->tl[i], tm->t, tm->n, r) < 0) return -1;
	cleanup_cjson cJSON *bj = sjson_parse((const char *)b->tl[i].body, b->tl[i].blen, &err);
	const char *bk = bj ? sjson_str(bj, "kind") : NULL,
	           *bv = bj ? sjson_str(bj, "apiVersion") : NULL;
	if (!(bk && bv && !strcmp(bk, b->tl_kind[i]) && !strcmp(bv, b->tl_ver[i]))) {
		sig_refuse(r, "signature.tlog_mismatch", "entry kindVersion differs from its body");
		return -1;
	}
	struct tlog_expect x = tlog_expected(b, key);
	return rekor_v2_body_matches(bj, &x, r);
}

/* One Rekor entry: the form its bundle version relies on, the entry
 * itself, and a body that is this bundle's signature. */
static int tlog_entry(const struct trusted_root *tr, const struct bundle *b, int i,
                      const struct bundle_key *key, struct bundle_times *tm, struct sig_result *r)
{
	const struct tlog_entry *t = &b->tl[i];
	ea_error_t err;
	/* v0.1 bundles rely on the promise (SET), later ones on the proof. */
	if (b->version == 1 && !t->set) {
		sig_refuse(r, "signature.bad_set",
		           "v0.1 bundle entry without a signed entry timestamp");
		return -1;
	}
	if (b->version >= 2 && !t->has_proof) {
		sig_refuse(r, "signature.bad_inclusion_proof",
		           "bundle entry without an inclusion proof");
		return -1;
	}
	r->signed_at_ms = 0;
	if (tlog_verify_entry(tr, t, r) < 0) return -1;
	if (r->signed_at_ms) tm->t[tm->n++] = r->signed_at_ms;
	cleanup_cjson cJSON *bj = sjson_parse((const char *)t->body, t->blen, &err);
	const char *bk = bj ? sjson_str(bj, "kind") : NULL,
	           *bv = bj ? sjson_str(bj, "apiVersion") : NULL;
	if (!(bk && bv && !strcmp(bk, b->tl_kind[i]) && !strcmp(bv, b->tl_ver[i]))) {
		sig_refuse(r, "signature.tlog_mismatch", "entry kindVersion differs from its body");
		return -1;
	}
	struct tlog_expect x = tlog_expected(b, key);
	return tlog_body_matches(t->body, t->blen, &x, r) < 0 ? -1 : 0;
}

/* ---- 3b. trusted times: Rekor entries ---- */
static int tlog_entries(const struct trusted_root *tr, const struct bundle *b,
                        const struct bundle_key *key, struct bundle_times *tm, struct sig_result *r)
{
	int need_tlog = !b->has_key ||
	                tr; /* a key alone needs no log; with a trusted root, entries are checked */
	if (b->ntl == 0) {
		snprintf(r->tlog, sizeof r->tlog, "none");
		return 0;
	}
	if (!need_tlog) {
		snprintf(r->tlog, sizeof r->tlog, "not_checked");
		return 0;
	}
	for (int i = 0; i < b->ntl; i++) {
		if (rekor_v2_kind(b->tl_kind[i], b->tl_ver[i])
		            ? tlog_entry_v2(tr, b, i, key, tm, r) < 0
		            : tlog_entry(tr, b, i, key, tm, r) < 0)
			return -1;
		tm->tl_ok++;
	}
	return 0;
}

/* ---- 4. the certificate at every trusted time, and who it names ---- */
static int certificate(const struct sig_accept *a, const struct trusted_root *tr, struct bundle *b,
                       const struct bundle_times *tm, struct sig_result *r)
{
	if (b->has_key) return 0;
	if (!accepted_has_identities(a)) {
		sig_refuse(r, "signature.identity_mismatch",
		           "certificate-signed bundle, and the policy accepts no identity here");
		return -1;
	}
	if (tm->n == 0) {
		sig_refuse(r, "signature.no_timestamp",
		           "no verified signing time (SET or timestamp) for the certificate");
		return -1;
	}
	for (int i = 0; i < tm->n; i++)
		if (fulcio_verify_cert(tr, &b->chain, tm->t[i], r) < 0) return -1;
	return identity_accept(a, &b->chain, r) < 0 ? -1 : 0;
}

void bundle_verify(const struct sig_accept *a, const struct sig_subject *s, const char *data,
                   size_t len, struct sig_result *r)
{
	cleanup_bundle struct bundle b = {0};
	mbedtls_x509_crt_init(&b.chain);
	snprintf(r->kind, sizeof r->kind, "sigstore-bundle");
	snprintf(r->tlog, sizeof r->tlog, "none");
	sig_refuse(r, "signature.malformed", "bundle not checked");
	const struct trusted_root *tr = a->pol ? a->pol->troot : NULL;
	struct bundle_key key = {.der = NULL, .len = 0};
	struct bundle_times tm = {.n = 0, .ts_ok = 0};

	if (bundle_parse(&b, data, len, r) < 0) return;
	if (verify_signature(a, s, &b, &key, r) < 0) return;
	if (content_names(&b, s, r) < 0) return;
	timestamps(tr, &b, &tm, r);
	if (tlog_entries(tr, &b, &key, &tm, r) < 0) return;
	if (thresholds(a, &b, &tm, r) < 0) return;
	if (certificate(a, tr, &b, &tm, r) < 0) return;

	r->signed_at_ms = tm.n ? tm.t[0] : 0; /* the first trusted time (a certificate has one) */
	r->refusal = NULL;                    /* every check above passed */
	r->msg[0] = '\0';
}
