/*
 * sig_int: the signature verifier's internals, shared by sig*.c, policy.c
 * and jws.c and used directly by the unit tests.  Not for the rest of
 * edgeaudit: the public contract is sig.h.
 *
 * Every check below answers with a struct sig_result whose `refusal` is
 * NULL only when the check ran to its end and every step passed: the
 * functions start from a refusal ("signature.malformed") and clear it as
 * the last statement of the success path, so an early return can never be
 * read as "ok".
 */
#ifndef EDGEAUDIT_SIG_INT_H
#define EDGEAUDIT_SIG_INT_H

#include <cJSON.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>
#include <regex.h>
#include <stdint.h>

#include "digest.h"
#include "pubkey.h"
#include "sig.h"
#include "util.h"

/* ---------------------------------------------------------------- cleanup */
/* Cleanup attributes for the library objects the verifiers hold, in the
 * style of util.h's cleanup_free / cleanup_close: released when the
 * variable leaves scope, so every early return is a clean refusal.  A
 * cleanup_crt or cleanup_pk variable must be initialised (mbedtls_*_init)
 * right after its declaration, before anything can return. */
static inline void sig_cjson_freep(cJSON **j) { cJSON_Delete(*j); }
static inline void sig_crt_freep(mbedtls_x509_crt *c) { mbedtls_x509_crt_free(c); }
static inline void sig_pk_freep(mbedtls_pk_context *pk) { mbedtls_pk_free(pk); }
#define cleanup_cjson __attribute__((cleanup(sig_cjson_freep)))
#define cleanup_crt   __attribute__((cleanup(sig_crt_freep)))
#define cleanup_pk    __attribute__((cleanup(sig_pk_freep)))

/* ---------------------------------------------------------------- limits */
#define SIG_MAX_MANIFEST (4u << 20)   /* a signature manifest or referrers index */
#define SIG_MAX_PAYLOAD  (256u << 10) /* a simple-signing payload */
#define SIG_MAX_ENVELOPE (4u << 20)   /* a bundle or JWS envelope */
#define SIG_MAX_CONFIG   (4u << 20)   /* policy, trusted root, trust policy */
#define SIG_MAX_CERT     (64u << 10)  /* one certificate (PEM or DER) */
#define SIG_MAX_SIGS     64           /* signatures considered per image */
#define SIG_MAX_LAYERS   64           /* signature layers per manifest */
#define SIG_MAX_CHAIN    10           /* certificates in an envelope's chain */

/* ---------------------------------------------------------------- strict JSON */
/* Parse exactly len bytes of JSON (nothing after it), refusing duplicate
 * member names at any depth: a signed document must have one meaning. */
cJSON *sjson_parse(const char *data, size_t len, ea_error_t *err);
/* A string member, NULL when absent or not a string. */
const char *sjson_str(const cJSON *o, const char *key);
/* An integer member given as a JSON number or as a decimal string (protobuf
 * JSON writes int64 as strings); must be integral and |x| < 2^53. */
int sjson_i64(const cJSON *o, const char *key, int64_t *out);
/* Decode a base64 string member (variant as b64.h); -1 when absent/bad. */
int sjson_b64(const cJSON *o, const char *key, int variant, size_t max, unsigned char **out,
              size_t *len, ea_error_t *err);

/* ---------------------------------------------------------------- trusted root */
struct tr_key {
	unsigned char id[32]; /* logId.keyId (Rekor v1: sha256 of the DER key; v2: C2SP key ID) */
	int has_key;          /* 1: key is usable (ECDSA, RSA or Ed25519) */
	int eddsa;            /* an EdDSA key (Rekor v2 logs sign checkpoints with Ed25519) */
	struct pubkey key;
	int64_t start, end; /* validFor (ms); end = INT64_MAX when open */
	char url[128];
};
struct tr_ca {
	mbedtls_x509_crt certs; /* as listed: issuing CA first, root last */
	mbedtls_x509_crt root;  /* the self-signed root alone (the anchor) */
	int64_t start, end;
	char uri[128];
};
struct trusted_root {
	struct tr_key *tlogs, *ctlogs;
	int ntlogs, nctlogs;
	struct tr_ca *cas, *tsas;
	int ncas, ntsas;
};
int troot_parse(const char *json, size_t len, struct trusted_root **out, ea_error_t *err);
void troot_free(struct trusted_root *t);
const struct tr_key *troot_find_log(const struct tr_key *logs, int n, const unsigned char *id,
                                    size_t idlen);

/* ---------------------------------------------------------------- policy */
enum { POL_ENFORCE = 0, POL_AUDIT = 1 };

struct pol_key {
	char name[64];
	struct pubkey key; /* ECDSA, RSA or Ed25519 */
	unsigned char spki_sha256[32];
};
struct pol_identity {
	char name[64];
	char *subject, *subject_pattern, *issuer, *issuer_pattern;
	/* cosign's --certificate-identity-regexp / --certificate-oidc-issuer-regexp:
	 * POSIX extended, unanchored (as Go's MatchString); NULL: none */
	regex_t *subject_re, *issuer_re;
};
struct pol_rule {
	char **names; /* fnmatch(3) globs over image names; "*" = all */
	int nnames;
	int require; /* 1: a signature must verify */
	int mode;    /* POL_ENFORCE / POL_AUDIT */
	int check_reference;
	int *keys, nkeys; /* indexes into sig_policy.keys */
	int *ids, nids;   /* indexes into sig_policy.identities */
	int notation;     /* Notary Project signatures accepted per trustpolicy */
	/* keyless sigstore signatures: verified transparency-log entries and
	 * RFC 3161 timestamps needed (cosign's defaults: 1 and 0) */
	int tlog_threshold, ts_threshold;
};

/* notation's own trust policy and trust store. */
enum { NV_ENFORCE = 0, NV_LOG = 1, NV_SKIP = 2 };
struct nt_store {
	char type[24];
	char name[128];
	mbedtls_x509_crt certs;
	int ncerts;
};
struct nt_statement {
	char name[128];
	char **scopes;
	int nscopes;
	int global;
	char level[16];
	int skip;
	/* enforcement of each validation: NV_ENFORCE or NV_LOG (revocation may be NV_SKIP) */
	int authenticity, authentic_timestamp, expiry, revocation;
	int ts_after_expiry; /* verifyTimestamp "afterCertExpiry" */
	struct nt_store **stores;
	int nstores; /* borrowed from notation_cfg */
	char **identities;
	int nidentities;
	int any_identity;
};
struct notation_cfg {
	struct nt_statement *st;
	int nst;
	struct nt_store *stores;
	int nstores;
};
int notation_policy_parse(const char *json, size_t len, int store_root_fd,
                          struct notation_cfg **out, ea_error_t *err);
void notation_cfg_free(struct notation_cfg *c);
/* The statement for a repository ("localhost/app"), NULL when none applies. */
const struct nt_statement *notation_select(const struct notation_cfg *c, const char *const *repos,
                                           int nrepos);
/* Does the subject DN of c match the trusted identity "x509.subject: ..."? */
int notation_identity_match(const char *identity, const mbedtls_x509_crt *c);

struct sig_policy {
	struct pol_key *keys;
	int nkeys;
	struct pol_identity *identities;
	int nidentities;
	struct pol_rule *rules;
	int nrules;
	struct trusted_root *troot;
	struct notation_cfg *notation;
	int64_t now_ms; /* the verification clock: fixed when the policy is loaded */
};

/* Parse a policy document; base_dir resolves its relative paths. */
int policy_parse(const char *json, size_t len, const char *base_dir, struct sig_policy *p,
                 ea_error_t *err);
/* The first rule matching any of the names (NULL: none). */
const struct pol_rule *policy_rule_for(const struct sig_policy *p, const char *const *names,
                                       int nnames);
/* Read a configuration file the user named (bounded, non-blocking, regular). */
int config_read(const char *path, size_t max, char **data, size_t *len, ea_error_t *err);
/* The user's own file opened for reading: a regular file only (a FIFO does
 * not block the open; a device is refused), blocking reads after; -1 with
 * *err filled. */
int config_open(const char *path, ea_error_t *err);
/* A verifier's result into the model's signature record s (where: the
 * manifest, "bundle" or "signature" it came from); one writer for images
 * and blobs. */
struct image_signature;
struct sig_result;
void sig_result_record(const struct sig_result *r, const char *where, struct image_signature *s);
/* Free a compiled pol_identity regex (NULL allowed). */
void policy_regex_free(regex_t *re);
/* Tests: set the verification clock. */
void sig_policy_set_now(struct sig_policy *p, int64_t now_ms);
/* Tests: a policy that requires signatures from the given keys/identities. */
struct sig_policy *sig_policy_new(void);
int policy_add_key_pem(struct sig_policy *p, const char *name, const unsigned char *pem, size_t len,
                       ea_error_t *err);

/* ---------------------------------------------------------------- results */
struct sig_result {
	const char *refusal; /* NULL: verified; else a "signature.*" finding id */
	char msg[320];
	char kind[24];        /* "cosign", "sigstore-bundle", "notation" */
	char signer[256];     /* who: "key:release", "https://...(issuer)", "CN=..." */
	char tlog[16];        /* "verified", "none", "not_checked", "unsupported" */
	int64_t signed_at_ms; /* a trusted signing time, 0 when none */
	int skipped;          /* notation level skip: nothing was verified */
	char logged[320];     /* notation: failures the level only logs */
	char ts_skipped[320]; /* RFC 3161 timestamps that did not verify (skipped) */
};
void sig_refuse(struct sig_result *r, const char *id, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* What a check may accept: the rule's signers, resolved. */
struct sig_accept {
	const struct sig_policy *pol;
	const struct pol_rule *rule; /* NULL: verify against everything the policy knows */
};

/* The artifact a signature must name. */
struct sig_subject {
	digest_t digest; /* the manifest digest (or blob digest) */
	/* the same content's SHA-384 / SHA-512 (for P-384 / P-521 signatures
	 * over the artifact itself); has_* 0 when unknown */
	unsigned char sha384[48], sha512[64];
	int has_sha384, has_sha512;
	int64_t size;             /* its size in bytes, -1 when unknown */
	const char *media_type;   /* its media type, NULL when unknown */
	const char *const *names; /* image names, for docker-reference / notation scopes */
	int nnames;
	/* Pure Ed25519 signs the artifact's bytes, not a hash: where they are at
	 * hand (a blob), 0 when sig verifies with key over them, else -1; NULL
	 * where they are not (an image: only its digest is known). */
	int (*ed25519_over)(const struct sig_subject *s, const struct pubkey *key,
	                    const unsigned char *sig, size_t siglen);
	const void *ctx; /* ed25519_over's */
};

/* cosign simple signing: one signature layer (payload + its annotations). */
void cosign_verify_layer(const struct sig_accept *a, const struct sig_subject *s,
                         const unsigned char *payload, size_t plen, const cJSON *annotations,
                         struct sig_result *r);
/* sigstore bundle v0.1-v0.3 over an artifact known by its sha256 digest. */
void bundle_verify(const struct sig_accept *a, const struct sig_subject *s, const char *bundle,
                   size_t blen, struct sig_result *r);
/* Notary Project JWS envelope for the artifact s. */
void notation_verify_jws(const struct sig_accept *a, const struct sig_subject *s, const char *env,
                         size_t elen, struct sig_result *r);

/* ---- shared sigstore pieces (sig_sigstore.c) ---- */
/* Verify one Rekor v1 entry: log known and valid at integratedTime, SET,
 * inclusion proof + checkpoint when present.  body/blen: the canonicalized
 * body.  *time_ms: the integrated time when the SET verified (else 0). */
struct tlog_entry {
	int64_t log_index, integrated_time;
	unsigned char log_id[32];
	const unsigned char *body;
	size_t blen;
	const unsigned char *set;
	size_t setlen; /* NULL: no promise */
	/* inclusion proof */
	int has_proof;
	int64_t proof_index, tree_size;
	unsigned char root_hash[32];
	unsigned char (*hashes)[32];
	int nhashes;
	const char *checkpoint;
};
int tlog_verify_entry(const struct trusted_root *tr, const struct tlog_entry *e,
                      struct sig_result *r);
/* The entry's inclusion proof (RFC 6962 audit path from the body's leaf
 * hash) up to its checkpoint, signed by the log (checkpoint.h). */
int tlog_verify_proof(const struct tr_key *log, const struct tlog_entry *e, struct sig_result *r);

/* Fulcio leaf (+ intermediates in leaf->next) at time t: CA window, chain,
 * validity, SCT (when the root lists CT logs), code-signing usage. */
int fulcio_verify_cert(const struct trusted_root *tr, mbedtls_x509_crt *leaf, int64_t t_ms,
                       struct sig_result *r);
/* Match a Fulcio leaf against the rule's identities; fills r->signer. */
int identity_accept(const struct sig_accept *a, const mbedtls_x509_crt *leaf, struct sig_result *r);
/* Does any accepted key verify sig over msg (or hash)?  Returns the key's
 * index, -1 when none. */
int accepted_key_verify(const struct sig_accept *a, mbedtls_md_type_t md, const unsigned char *hash,
                        size_t hlen, const unsigned char *sig, size_t siglen);
/* The same over a message, each key with the hash its curve pairs with
 * (pk_default_md: P-256 SHA-256, P-384 SHA-384, P-521 SHA-512, RSA SHA-256);
 * Ed25519 keys sign the message itself. */
int accepted_key_verify_msg(const struct sig_accept *a, const unsigned char *msg, size_t len,
                            const unsigned char *sig, size_t siglen);
/* The subject's own hash for md (sha256 from its digest, sha384/512 when
 * known): its length, 0 when the subject has no such hash. */
size_t subject_hash(const struct sig_subject *s, mbedtls_md_type_t md, const unsigned char **h);
/* The accepted Ed25519 key whose signature sig is over the subject's own
 * bytes (s->ed25519_over), -1 when none or the bytes are not at hand. */
int accepted_key_verify_over(const struct sig_accept *a, const struct sig_subject *s,
                             const unsigned char *sig, size_t siglen);
int accepted_has_keys(const struct sig_accept *a);
int accepted_has_identities(const struct sig_accept *a);
/* RFC 6962 Merkle inclusion proof. */
int merkle_verify_inclusion(int64_t index, int64_t size, const unsigned char leaf_hash[32],
                            unsigned char (*hashes)[32], int nhashes, const unsigned char root[32]);
/* Hashedrekord / dsse / intoto entry body against what the bundle holds. */
struct tlog_expect {
	const unsigned char *sig;
	size_t siglen; /* the signature bytes */
	const unsigned char *cert_der;
	size_t cert_len; /* the leaf, or NULL */
	const unsigned char *key_der;
	size_t key_len; /* the key SPKI, or NULL */
	const unsigned char *digest;
	size_t dlen; /* hashedrekord: the signed hash (sha256, sha384 or sha512 by length) */
	const unsigned char *payload;
	size_t plen; /* dsse/intoto: the envelope payload */
	const char *payload_type;
	const unsigned char *pae;
	size_t paelen; /* DSSE: the PAE (a Rekor v2 hashedrekord may log its hash) */
};
int tlog_body_matches(const unsigned char *body, size_t blen, const struct tlog_expect *x,
                      struct sig_result *r);

/* ---- Rekor v2 (rekor_v2.c) ---- */
/* Is kind/version a Rekor v2 entry type (hashedrekord or dsse 0.0.2)? */
int rekor_v2_kind(const char *kind, const char *version);
/* A Rekor v2 entry: log known and its key valid at every trusted time
 * (times: the verified RFC 3161 times), no promise, inclusion proof up to a
 * checkpoint signed by the log.  No signing time comes from it. */
int rekor_v2_verify_entry(const struct trusted_root *tr, const struct tlog_entry *e,
                          const int64_t *times, int ntimes, struct sig_result *r);
/* The parsed body of a Rekor v2 entry against what the bundle holds. */
int rekor_v2_body_matches(const cJSON *body, const struct tlog_expect *x, struct sig_result *r);
/* SCT list of a Fulcio leaf against the trusted root's CT logs. */
int sct_verify(const struct trusted_root *tr, const mbedtls_x509_crt *leaf,
               const mbedtls_x509_crt *issuer, struct sig_result *r);

/* RFC 3161 timestamp token over `signed` (the signature bytes), chained to
 * a timestamp authority of the trusted root (sigstore) or to `roots`
 * (notation): 0 and *t_ms on success, else a refusal in r. */
int tsa_verify(const struct trusted_root *tr, mbedtls_x509_crt *roots, const unsigned char *token,
               size_t tlen, const unsigned char *signed_data, size_t slen, int64_t *t_ms,
               struct sig_result *r);

/* Image name helpers: "reg/ns/app:tag@sha256:.." -> "reg/ns/app". */
void image_repo(const char *name, char *out, size_t n);

#endif
