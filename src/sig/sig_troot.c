/* sig_troot: the sigstore trusted_root.json (protobuf-specs TrustedRoot in
 * its JSON mapping): transparency-log and CT-log keys with their validity,
 * Fulcio and TSA certificate chains with theirs, read bare or from the
 * trustedRoot of a ClientTrustConfig.  Strict: a field the verification
 * depends on that is missing or malformed rejects the whole root (a
 * validFor without its start is not "valid since forever"); a key or
 * authority with no validFor at all has no bound (sigstore-go's reading). */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "b64.h"
#include "sig_int.h"
#include "x509util.h"

/* No validFor at all: no bound (as sigstore-go reads it).  A validFor
 * without its start is malformed, never "since forever". */
static int range_unbounded(int64_t *start, int64_t *end)
{
	*start = INT64_MIN;
	*end = INT64_MAX;
	return 0;
}

static int parse_range(const cJSON *o, int64_t *start, int64_t *end, const char *what,
                       ea_error_t *err)
{
	const cJSON *vf = cJSON_GetObjectItemCaseSensitive(o, "validFor");
	if (!vf || cJSON_IsNull(vf)) return range_unbounded(start, end);
	if (!cJSON_IsObject(vf)) return ea_fail(err, EA_E_FORMAT, "%s: validFor malformed", what);
	const char *s = sjson_str(vf, "start"), *e = sjson_str(vf, "end");
	if (!s) return ea_fail(err, EA_E_FORMAT, "%s: validFor.start missing", what);
	if (rfc3339_parse_ms(s, start, err) < 0) return -1;
	*end = INT64_MAX;
	/* protobuf JSON: null is the same as an absent field */
	if (cJSON_GetObjectItemCaseSensitive(vf, "end") &&
	    !cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(vf, "end"))) {
		if (!e || rfc3339_parse_ms(e, end, err) < 0)
			return ea_fail(err, EA_E_FORMAT, "%s: validFor.end malformed", what);
		if (*end < *start)
			return ea_fail(err, EA_E_FORMAT, "%s: validFor ends before it starts",
			               what);
	}
	return 0;
}

/* A log's key: ECDSA, RSA or Ed25519 (Rekor v2).  An EdDSA key we cannot
 * use (Ed448) is kept, so an entry from its log says "unsupported", not
 * "unknown log". */
static int troot_log_key(struct tr_key *k, const unsigned char *der, size_t derl, const char *kd,
                         ea_error_t *err)
{
	k->eddsa = spki_is_eddsa(der, derl) || (kd && strstr(kd, "ED25519"));
	if (pubkey_parse(&k->key, der, derl, err) == 0) {
		k->has_key = 1;
		return 0;
	}
	return k->eddsa ? 0 : -1;
}

static int parse_logs(const cJSON *arr, struct tr_key **out, int *n, const char *what,
                      ea_error_t *err)
{
	*out = NULL;
	*n = 0;
	if (!arr) return 0;
	if (!cJSON_IsArray(arr)) return ea_fail(err, EA_E_FORMAT, "%s is not an array", what);
	int cnt = cJSON_GetArraySize(arr);
	if (cnt > 64) return ea_fail(err, EA_E_TOOBIG, "%d %s", cnt, what);
	struct tr_key *k = xcalloc(cnt ? (size_t)cnt : 1, sizeof *k);
	*out = k;
	for (int i = 0; i < cnt; i++) pubkey_init(&k[i].key);
	*n = cnt;
	int i = 0;
	for (const cJSON *l = arr->child; l; l = l->next, i++) {
		const cJSON *pk = cJSON_GetObjectItemCaseSensitive(l, "publicKey");
		const cJSON *lid = cJSON_GetObjectItemCaseSensitive(l, "logId");
		if (!cJSON_IsObject(pk) || !cJSON_IsObject(lid))
			return ea_fail(err, EA_E_FORMAT, "%s[%d]: publicKey or logId missing", what,
			               i);
		const char *url = sjson_str(l, "baseUrl");
		snprintf(k[i].url, sizeof k[i].url, "%s", url ? url : "");
		const char *ha = sjson_str(l, "hashAlgorithm");
		if (ha && strcmp(ha, "SHA2_256") != 0)
			return ea_fail(err, EA_E_UNSUPPORTED, "%s[%d]: hash %s", what, i, ha);
		unsigned char *id = NULL, *der = NULL;
		size_t idl, derl;
		if (sjson_b64(lid, "keyId", B64_PROTO, 64, &id, &idl, err) < 0) return -1;
		if (idl != 32) {
			free(id);
			return ea_fail(err, EA_E_FORMAT, "%s[%d]: logId is %zu bytes, want 32",
			               what, i, idl);
		}
		memcpy(k[i].id, id, 32);
		free(id);
		if (parse_range(pk, &k[i].start, &k[i].end, what, err) < 0) return -1;
		if (sjson_b64(pk, "rawBytes", B64_PROTO, 16384, &der, &derl, err) < 0) return -1;
		const char *kd = sjson_str(pk, "keyDetails");
		int rc = troot_log_key(&k[i], der, derl, kd, err);
		free(der);
		if (rc < 0) return -1;
	}
	return 0;
}

static int parse_cas(const cJSON *arr, struct tr_ca **out, int *n, const char *what,
                     ea_error_t *err)
{
	*out = NULL;
	*n = 0;
	if (!arr) return 0;
	if (!cJSON_IsArray(arr)) return ea_fail(err, EA_E_FORMAT, "%s is not an array", what);
	int cnt = cJSON_GetArraySize(arr);
	if (cnt > 64) return ea_fail(err, EA_E_TOOBIG, "%d %s", cnt, what);
	struct tr_ca *c = xcalloc(cnt ? (size_t)cnt : 1, sizeof *c);
	*out = c;
	for (int i = 0; i < cnt; i++) {
		mbedtls_x509_crt_init(&c[i].certs);
		mbedtls_x509_crt_init(&c[i].root);
	}
	*n = cnt;
	int i = 0;
	for (const cJSON *a = arr->child; a; a = a->next, i++) {
		const char *uri = sjson_str(a, "uri");
		snprintf(c[i].uri, sizeof c[i].uri, "%s", uri ? uri : "");
		if (parse_range(a, &c[i].start, &c[i].end, what, err) < 0) return -1;
		const cJSON *chain = cJSON_GetObjectItemCaseSensitive(a, "certChain");
		const cJSON *certs =
		        chain ? cJSON_GetObjectItemCaseSensitive(chain, "certificates") : NULL;
		if (!cJSON_IsArray(certs) || cJSON_GetArraySize(certs) < 1 ||
		    cJSON_GetArraySize(certs) > SIG_MAX_CHAIN)
			return ea_fail(err, EA_E_FORMAT,
			               "%s[%d]: certChain.certificates missing or too long", what,
			               i);
		const cJSON *last = NULL;
		for (const cJSON *ce = certs->child; ce; ce = ce->next) {
			unsigned char *der;
			size_t dl;
			if (sjson_b64(ce, "rawBytes", B64_PROTO, SIG_MAX_CERT, &der, &dl, err) < 0)
				return -1;
			int rc = x509_parse_der(&c[i].certs, der, dl, err);
			free(der);
			if (rc < 0) return -1;
			last = ce;
		}
		/* The anchor is the last certificate of the chain. */
		unsigned char *der;
		size_t dl;
		if (sjson_b64(last, "rawBytes", B64_PROTO, SIG_MAX_CERT, &der, &dl, err) < 0)
			return -1;
		int rc = x509_parse_der(&c[i].root, der, dl, err);
		free(der);
		if (rc < 0) return -1;
		pk_prepare_shared(
		        &c[i].root.pk); /* the anchor's key is shared by every verification */
	}
	return 0;
}

#define MT_CLIENT_TRUST_CONFIG "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json"

/* A ClientTrustConfig {mediaType, trustedRoot, signingConfig}: its embedded
 * trusted root (the signing config is for signers: not read).  Any other
 * document is returned as it is. */
static const cJSON *unwrap_client_trust_config(const cJSON *j, ea_error_t *err)
{
	const char *mt = cJSON_IsObject(j) ? sjson_str(j, "mediaType") : NULL;
	if (!mt || strncmp(mt, "application/vnd.dev.sigstore.clienttrustconfig", 46) != 0) return j;
	if (strcmp(mt, MT_CLIENT_TRUST_CONFIG) != 0) {
		ea_fail(err, EA_E_FORMAT, "unknown ClientTrustConfig version \"%.80s\"", mt);
		return NULL;
	}
	const cJSON *tr = cJSON_GetObjectItemCaseSensitive(j, "trustedRoot");
	if (!cJSON_IsObject(tr)) {
		ea_fail(err, EA_E_FORMAT, "ClientTrustConfig without its trustedRoot");
		return NULL;
	}
	return tr;
}

int troot_parse(const char *json, size_t len, struct trusted_root **out, ea_error_t *err)
{
	*out = NULL;
	cJSON *doc = sjson_parse(json, len, err);
	if (!doc) return -1;
	const cJSON *j = unwrap_client_trust_config(doc, err);
	if (!j) {
		cJSON_Delete(doc);
		return -1;
	}
	struct trusted_root *t = xcalloc(1, sizeof *t);
	int rc = -1;
	const char *mt = sjson_str(j, "mediaType");
	if (!cJSON_IsObject(j)) {
		ea_fail(err, EA_E_FORMAT, "trusted root is not a JSON object");
	} else if (!mt || (strncmp(mt, "application/vnd.dev.sigstore.trustedroot+json;version=0.",
	                           56) != 0 &&
	                   strncmp(mt, "application/vnd.dev.sigstore.trustedroot.v0.", 44) != 0)) {
		ea_fail(err, EA_E_FORMAT, "not a sigstore trusted root (mediaType \"%.80s\")",
		        mt ? mt : "");
	} else if (parse_logs(cJSON_GetObjectItemCaseSensitive(j, "tlogs"), &t->tlogs, &t->ntlogs,
	                      "tlogs", err) == 0 &&
	           parse_logs(cJSON_GetObjectItemCaseSensitive(j, "ctlogs"), &t->ctlogs,
	                      &t->nctlogs, "ctlogs", err) == 0 &&
	           parse_cas(cJSON_GetObjectItemCaseSensitive(j, "certificateAuthorities"), &t->cas,
	                     &t->ncas, "certificateAuthorities", err) == 0 &&
	           parse_cas(cJSON_GetObjectItemCaseSensitive(j, "timestampAuthorities"), &t->tsas,
	                     &t->ntsas, "timestampAuthorities", err) == 0) {
		rc = 0;
	}
	cJSON_Delete(doc);
	if (rc < 0) {
		troot_free(t);
		return -1;
	}
	*out = t;
	return 0;
}

static void free_keys(struct tr_key *k, int n)
{
	for (int i = 0; i < n; i++) pubkey_free(&k[i].key);
	free(k);
}

static void free_cas(struct tr_ca *c, int n)
{
	for (int i = 0; i < n; i++) {
		mbedtls_x509_crt_free(&c[i].certs);
		mbedtls_x509_crt_free(&c[i].root);
	}
	free(c);
}

void troot_free(struct trusted_root *t)
{
	if (!t) return;
	free_keys(t->tlogs, t->ntlogs);
	free_keys(t->ctlogs, t->nctlogs);
	free_cas(t->cas, t->ncas);
	free_cas(t->tsas, t->ntsas);
	free(t);
}

const struct tr_key *troot_find_log(const struct tr_key *logs, int n, const unsigned char *id,
                                    size_t idlen)
{
	if (idlen != 32) return NULL;
	for (int i = 0; i < n; i++)
		if (memcmp(logs[i].id, id, 32) == 0) return &logs[i];
	return NULL;
}
