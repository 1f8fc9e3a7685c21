/*
 * sig: image signatures and the trust policy, verified offline.
 *
 * What it checks (store-independent; the store reader finds candidates):
 *  - cosign "simple signing" (the `sha256-<hex>.sig` tag, `cosign save`'s
 *    `kind` annotations): each simplesigning layer's ECDSA/RSA signature over
 *    the payload bytes, the payload's docker-manifest-digest against the
 *    verified manifest, its docker-reference against the image's names when
 *    the policy asks; keyless: Fulcio certificate chain to the trusted root
 *    at the Rekor integrated time, SCT, identity (SAN + OIDC issuer), and
 *    the Rekor signed entry timestamp (RFC 8785 canonical JSON).
 *  - sigstore bundles v0.1-v0.3 (OCI 1.1 referrers): messageSignature and
 *    dsseEnvelope (PAE, in-toto subject), with a key or a Fulcio
 *    certificate; Rekor v1 entries (SET, inclusion proof, checkpoint, body).
 *  - Notary Project JWS envelopes: x5c chain to the notation trust store,
 *    notary.x509 scheme, alg against the key, signing time and expiry, and
 *    the trust policy levels strict / permissive / audit / skip.
 *  - Not verified, always reported as a finding, never "ok": COSE
 *    envelopes (signature.unsupported_envelope), Ed25519 / Rekor v2
 *    (signature.unsupported_algorithm), RFC 3161 timestamps
 *    (signature.unsupported_timestamp).
 *
 * Contract:
 *  - Fails closed: sig_verify_image returns 1 only when at least one
 *    signature ran every check to its end and the policy accepts its signer.
 *  - Every refusal is its own finding id (findings.c "signatures" block).
 *  - Read-only: signature manifests and blobs are read through the blobsrc
 *    with blobsrc_read_verified (digest-checked, bounded).
 *  - Thread-safe: a loaded policy is read-only (its RSA keys are prepared
 *    at load, see pk_prepare_shared); sig_verify_image may run for several
 *    images at once.  It calls report_finding (which locks the
 *    report): do NOT hold report_lock() while calling it, and pass a
 *    model image (t->image) that only this thread touches (not yet
 *    committed to the report: model.h).
 *
 * How to call it (the lead's wiring, `verify` and `audit`):
 *
 *    struct sig_policy *pol = NULL;
 *    ea_error_t err;
 *    if (sig_policy_load(opt_policy, opt_key, opt_trusted_root, &pol, &err) < 0)
 *        -> usage/config error (exit 2), message err.msg
 *    for each verified image manifest M in a store:
 *        struct sig_candidate c[...];  // every manifest/index that may sign M:
 *            //  - the index entry tagged "sha256-<hex of M>.sig" (cosign),
 *            //  - "sha256-<hex of M>" (a referrers-tag index: give the index),
 *            //  - manifests whose subject.digest == M (OCI 1.1 referrers),
 *            //  - index.json entries with annotation kind=dev.cosignproject.cosign/sigs
 *            //    (cosign save) -- give them all, sig.c checks which are M's;
 *        struct sig_target t = {store label, names, nnames, M digest, manifest bytes, len,
 * image}; int rc = sig_verify_image(report, pol, src, c, n, &t);
 *        // rc 1: verified per policy; 0: the policy does not require a signature;
 *        // -1: required and not verified (findings were added);
 *        // -2: the same under an audit-mode rule: reported (signature.audit),
 *        //     not enforced, so the image does not fail for it.
 *    `verify` exits 0 only when rc == 1 (and nothing else failed).
 *    sig_policy_free(pol);
 *
 * Images not named by any policy rule: their signatures are still checked
 * when trust material exists and listed in the image's signatures, without
 * findings, and the result is 0.
 */
#ifndef EDGEAUDIT_SIG_H
#define EDGEAUDIT_SIG_H

#include <cJSON.h>
#include <stddef.h>

#include "blobsrc.h"
#include "digest.h"
#include "report.h"
#include "util.h"

struct image; /* model.h */

struct sig_policy; /* parsed policy + trust material; NULL means "nothing required" */

/* Load the policy and trust material.  Any argument may be NULL:
 *  - policy_path: our JSON policy (README "Signature policy"; schema
 *    tests/policy.schema.json); it may not be combined with the other two
 *    (it names its own keys and trusted root): EA_E_USAGE.
 *  - key_path alone: every image must be signed by this key (enforce).
 *  - key_path + trusted_root_path: the same, and Rekor entries in bundles
 *    are checked against the trusted root's log keys.
 *  - trusted_root_path alone: EA_E_USAGE (a trusted root names no signer:
 *    use a policy with identities).
 *  - all NULL: *out is an empty policy (nothing required, nothing trusted).
 * Files are read bounded (4 MiB), non-blocking, regular files only. */
int sig_policy_load(const char *policy_path, const char *key_path, const char *trusted_root_path,
                    struct sig_policy **out, ea_error_t *err);
void sig_policy_free(struct sig_policy *p);

/* A manifest (or index) in the store that may be a signature of the target:
 * a cosign legacy tag "sha256-<hex>.sig", an OCI 1.1 referrer (subject ==
 * target), a referrers-tag index, a `cosign save` "sigs" entry. */
struct sig_candidate {
	digest_t digest;
	const char *media_type;    /* the descriptor's mediaType (may be NULL) */
	const char *artifact_type; /* the descriptor's artifactType (may be NULL) */
	const char *tag;           /* org.opencontainers.image.ref.name (may be NULL) */
};

struct sig_target {
	const char *store_label;  /* "oci:/path" */
	const char *const *names; /* the image's names ("localhost/app:1") */
	int nnames;
	digest_t manifest_digest; /* the verified manifest */
	const char *manifest;     /* its bytes (digest-verified by the caller); may be NULL
	                           * (Docker's classic store keeps none): then notation's
	                           * targetArtifact size and media type are not compared */
	size_t manifest_len;
	struct image *image; /* the model's (model.h): gets its signatures; may be NULL */
};

/* ---- verify-blob: one file and its detached signature ---- */

/* What the command line names as the signer (cosign verify-blob's flags):
 * a key (with an optional trusted root for the log entries it may carry),
 * or a trusted root and an identity: one of subject / subject_re and one of
 * issuer / issuer_re (regexes: POSIX extended, unanchored, as Go matches). */
struct sig_blob_trust {
	const char *key_path, *trusted_root_path;
	const char *subject, *subject_re, *issuer, *issuer_re;
};
/* A policy from those flags.  EA_E_USAGE for a wrong combination or a file
 * that does not load; EA_E_UNSUPPORTED when the key's algorithm is one
 * edgeaudit does not verify (the caller reports it: cannot be checked). */
int sig_policy_for_blob(const struct sig_blob_trust *t, struct sig_policy **out, ea_error_t *err);

struct sig_blob {
	const char *path; /* as named (the report's) */
	const char *name; /* for the policy's rule (fnmatch over names): the file name */
	digest_t sha256;
	unsigned char sha384[48], sha512[64];
	int64_t size;
	const char *bundle; /* a sigstore bundle v0.1-v0.3, or NULL and: */
	size_t bundle_len;
	const unsigned char *sig; /* a detached signature (DER, as cosign sign-blob's) */
	size_t siglen;
	const unsigned char *cert; /* its certificate (PEM or DER), may be NULL: a key */
	size_t certlen;
};
/* Hash the file at path as a stream (bounded memory, any size): its
 * SHA-256, SHA-384 and SHA-512 and size into b.  A regular file only (a
 * FIFO does not block: refused). */
int sig_blob_hash(const char *path, struct sig_blob *b, ea_error_t *err);
/* Verify b's signature per the policy (the first rule naming b->name, else
 * every signer the policy declares); adds the report's blob record and a
 * finding per refusal.  1 verified, -1 refused. */
int sig_verify_blob(report_t *r, const struct sig_policy *pol, const struct sig_blob *b);

/* Verify t's signatures among cands per policy; add findings (signature.*)
 * and the signatures found to t->image (model.h).  Returns 1 verified per
 * policy, 0 not required, -1 required and not verified. */
int sig_verify_image(report_t *r, const struct sig_policy *pol, struct blobsrc *src,
                     const struct sig_candidate *cands, int ncands, const struct sig_target *t);

#endif
