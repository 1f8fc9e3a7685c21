/*
 * store_readers: one reader per store type (store_*.c), called by
 * store_audit() with the store's report object `sj` to add counts to.
 * Each reader adds its images and findings; nothing it cannot read is
 * passed over in silence.
 */
#ifndef EDGEAUDIT_STORE_READERS_H
#define EDGEAUDIT_STORE_READERS_H

#include <cJSON.h>

#include "model.h"
#include "oci.h"
#include "report.h"
#include "store.h"
#include "tar.h"
#include "tarsplit.h"

struct layer_pkgs; /* layerdb.h */

void store_read_oci_dir(report_t *r, const struct store_spec *spec, const struct audit_limits *lim,
                        cJSON *sj);
void store_read_oci_archive(report_t *r, const struct store_spec *spec,
                            const struct audit_limits *lim, cJSON *sj);
void store_read_docker_archive(report_t *r, const struct store_spec *spec,
                               const struct audit_limits *lim, cJSON *sj);
void store_read_containerd(report_t *r, const struct store_spec *spec,
                           const struct audit_limits *lim, cJSON *sj);
void store_read_dir(report_t *r, const struct store_spec *spec, const struct audit_limits *lim,
                    cJSON *sj);
/* A folder written by skopeo's dir: transport (version file + manifest.json). */
int store_is_skopeo_dir(int dirfd);
void store_read_docker(report_t *r, const struct store_spec *spec, const struct audit_limits *lim,
                       cJSON *sj);
void store_read_containers_storage(report_t *r, const struct store_spec *spec,
                                   const struct audit_limits *lim, cJSON *sj);

/* An extracted layer compared with its tar-split record (Docker's and
 * containers/storage's stores): tarsplit_verify hands each difference to
 * store_layer_compare_finding (ctx: this struct), which reports it under
 * the layer's folder `path`.  A file that differs fails the layer; one
 * that cannot be read (store.unreadable) leaves it incomplete. */
struct layer_compare {
	report_t *r;
	const char *path;
	int failed, incomplete;
};
void store_layer_compare_finding(void *ctx, const char *id, const char *path, const char *msg);

/* An engine's extracted layer (Docker's and containers/storage's stores):
 * open the folder folder_rel and the tar-split record tarsplit_rel below
 * root, reassemble the layer from them (tarsplit_verify, with opts) and
 * hash it against diff.  Every finding names the store by `label`; the
 * folder is reported as `path` (rootpath/folder_rel), the record as
 * rootpath/tarsplit_rel.  `verdict` comes in as what the caller's metadata
 * checks decided and goes out updated; `state` is the layer's on_disk_check
 * when this check decides it, else CHECK_NONE; `files` the files compared;
 * `cmp` the files that differed (failed) or could not be read
 * (incomplete).  The outcome says which step ended the check: */
enum store_layer_outcome {
	STORE_LAYER_NO_FOLDER, /* not openable: found, verdict set to fail (incomplete on EA_E_IO),
	                          state missing */
	STORE_LAYER_NO_TARSPLIT, /* not openable: found, `err` says why; the verdict is the caller's
	                          */
	STORE_LAYER_INTERRUPTED, /* stopped: unchecked, state interrupted; the verdict is the
	                            caller's */
	STORE_LAYER_TARSPLIT_ERROR, /* a bad record: found, verdict at least incomplete (fail if a
	                               file differed), state tarsplit_error */
	STORE_LAYER_MISMATCH, /* reassembled to another diffID: found, verdict fail, state mismatch
	                       */
	STORE_LAYER_REASSEMBLED, /* to diff: state and verdict are the caller's (store_layer_settle)
	                          */
};
struct store_layer_check {
	/* in */
	report_t *r;
	int root;
	const char *rootpath, *label, *path, *folder_rel, *tarsplit_rel;
	const digest_t *diff;
	struct tarsplit_opts opts;
	/* in and out */
	verdict_t verdict;
	/* out */
	check_t state;
	unsigned long files;
	uint64_t tar_size; /* the reassembled tar's size (STORE_LAYER_REASSEMBLED) */
	struct layer_compare cmp;
	ea_error_t err;
};
enum store_layer_outcome store_check_layer_folder(struct store_layer_check *k);

/* An extracted layer as a reader checks it (a Docker layerdb entry, a
 * containers/storage layer record): what the report says of it. */
struct store_layer {
	int done;                /* its folder was reassembled (matching or not) */
	struct layer_pkgs *pkgs; /* its package databases (layerdb.h): reassembled, matching
	                          * its diffID; NULL: none (freed with layer_pkgs_free) */
	verdict_t verdict;
	check_t state; /* its on_disk_check */
	unsigned long files;
	char path[512]; /* the folder, in full */
};
/* Where a store is, for the checks its readers share. */
struct store_at {
	report_t *r;
	int root;
	const char *rootpath, *label;
};
/* store_check_layer_folder for layer l: k set up from the arguments (the
 * folder folder_rel, its record tarsplit_rel, its diffID, l's verdict so
 * far), then l's verdict, file count and state taken from it.  Returns the
 * outcome; k stays for the reader's own rules. */
enum store_layer_outcome store_layer_folder_check(const struct store_at *at, struct store_layer *l,
                                                  const char *folder_rel, const char *tarsplit_rel,
                                                  const digest_t *diff, struct tarsplit_opts opts,
                                                  struct store_layer_check *k);
/* After STORE_LAYER_REASSEMBLED (and the caller's own checks): a file that
 * differed fails the layer, one that could not be read leaves an
 * otherwise passing layer incomplete. */
static inline void store_layer_settle(struct store_layer_check *k)
{
	if (k->cmp.failed) k->verdict = VERDICT_FAIL;
	else if (k->cmp.incomplete) verdict_raise(&k->verdict, VERDICT_INCOMPLETE);
}

/* The layer folders of each image of a store (relative to the store root,
 * base first), kept by the Docker and containers/storage readers for the
 * drift of their containers (drift.h). */
struct store_img_layers {
	char *id;   /* "sha256:<hex>" (Docker) or the record's id */
	char *name; /* its first name, or NULL */
	char **rel;
	int n;
	struct store_img_layers *next;
};
/* A new entry at the head of *list (strings copied; rel added after). */
struct store_img_layers *store_img_layers_add(struct store_img_layers **list, const char *id,
                                              const char *name);
void store_img_layers_push(struct store_img_layers *il, const char *rel);
const struct store_img_layers *store_img_layers_find(const struct store_img_layers *list,
                                                     const char *id);
void store_img_layers_free(struct store_img_layers **list);
/* The drift of the containers of a Docker store with an overlay driver
 * (store_docker_drift.c): one "containers" entry each into sj; allow: the
 * user's drift allow list (drift.h), or NULL. */
void store_docker_drift(const struct store_at *at, const char *driver,
                        const struct store_img_layers *imgs, const char *const *allow, cJSON *sj);

/* A store's own JSON file rel below root (at most max bytes and max_values
 * values), parsed with one meaning (jsondoc.h).  *st says how it went:
 * absent (NULL, no finding: an empty part of the store), unreadable (NULL,
 * the finding made, finding_id_for_open_error), malformed (NULL, not JSON:
 * the caller says what the file should have been) or ok. */
enum store_json { STORE_JSON_OK, STORE_JSON_ABSENT, STORE_JSON_UNREADABLE, STORE_JSON_MALFORMED };
cJSON *store_read_json(report_t *r, int root, const char *rootpath, const char *label,
                       const char *rel, size_t max, size_t max_values, enum store_json *st);
/* Does a JSON array of names hold `want`? (`verify` picks one image.) */
int store_names_have(cJSON *names, const char *want);
/* For stores that keep no manifest or signatures (Docker's store, docker save,
 * containers/storage): an image a signature policy requires to be signed
 * cannot be verified there, and sig.c says so (signature.missing), never ok.
 * Sets img's signature_check; returns 1 when the image fails on it. */
int store_sig_unavailable(report_t *r, const struct sig_policy *pol, struct image *img,
                          const digest_t *id);

/* The verifier's options for a store audit. */
static inline struct oci_opts oci_opts_for(const struct audit_limits *lim)
{
	struct oci_opts o = {.jobs = lim->jobs,
	                     .lim = {lim->max_layer_bytes, lim->max_ratio},
	                     .pol = lim->pol,
	                     .only_image = lim->only_image};
	return o;
}

/* Parse an OCI layout's index.json (with one meaning, jsondoc.h) and add
 * its manifests as roots of c, named by their ref.name annotation.  Returns
 * the parsed index (keep it alive during oci_run) or NULL after a
 * json.malformed finding.  Shared by the layout and archive readers and
 * the fuzz_oci harness. */
/* Blob folder entries read at most (a folder of millions is hostile):
 * past it the rest is reported unread (store_scan_stopped, with the limit
 * that stopped the scan), never skipped in silence. */
#define STORE_MAX_BLOB_ENTRIES 2000000UL
void store_scan_stopped(report_t *r, const char *subject, unsigned long limit);
/* A folder of a store opened but not listable (fdopendir failed). */
void store_folder_unlistable(report_t *r, const char *subject, int errnum);
/* An entry that vanished (ENOENT) between readdir and stat is skipped;
 * any other stat failure is store.unreadable. */
void store_entry_unreadable(report_t *r, const char *subject, int errnum);

cJSON *store_oci_index_roots(report_t *r, oci_ctx_t *c, const char *label, const char *bytes,
                             size_t len);

/* blobs/<alg>/<name> below root: blobs nothing references (blob.unreferenced,
 * info; `unref_why` says by what) and entries that are no regular file.
 * Subjects are path_prefix + "/blobs/...". c may be NULL (nothing known
 * referenced). Shared by the layout and containerd readers (store_oci.c). */
void store_scan_blob_dirs(report_t *r, oci_ctx_t *c, int root, const char *label,
                          const char *path_prefix, const char *unref_why, cJSON *sj);

/* Shared by the archive readers (store_oci.c). */
/* Report an indexed archive's ambiguities (archive.ambiguous each). */
void store_report_ambiguities(report_t *r, const struct tar_index *ix, const char *label);
/* store.bad_path for each member with an absolute or '..' name. */
void store_scan_unsafe_members(report_t *r, const struct tar_index *ix, const char *label);
int store_open_archive(report_t *r, const char *path, const char *label, struct tar_index *ix);
int store_tar_read_member(const struct tar_index *ix, const char *name, size_t max, char **data,
                          size_t *len, ea_error_t *err);
oci_ctx_t *store_verify_tar_layout(report_t *r, const struct tar_index *ix, const char *label,
                                   const struct audit_limits *lim, struct blobsrc *src, cJSON *sj,
                                   cJSON **idx_out);

#endif
