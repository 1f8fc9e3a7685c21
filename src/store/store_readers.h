/*
 * store_readers: one reader per store type (store_*.c), called by
 * store_audit() with the store's report object `sj` to add counts to.
 * Each reader adds its images and findings; nothing it cannot read is
 * passed over in silence.
 */
#ifndef EDGEAUDIT_STORE_READERS_H
#define EDGEAUDIT_STORE_READERS_H

#include <cJSON.h>

#include "oci.h"
#include "report.h"
#include "store.h"
#include "tar.h"

void store_read_oci_dir(report_t *r, const struct store_spec *spec, const struct audit_limits *lim, cJSON *sj);
void store_read_oci_archive(report_t *r, const struct store_spec *spec, const struct audit_limits *lim, cJSON *sj);
void store_read_docker_archive(report_t *r, const struct store_spec *spec, const struct audit_limits *lim, cJSON *sj);
void store_read_containerd(report_t *r, const struct store_spec *spec, const struct audit_limits *lim, cJSON *sj);
void store_read_dir(report_t *r, const struct store_spec *spec, const struct audit_limits *lim, cJSON *sj);
/* A folder written by skopeo's dir: transport (version file + manifest.json). */
int store_is_skopeo_dir(int dirfd);
void store_read_docker(report_t *r, const struct store_spec *spec, const struct audit_limits *lim, cJSON *sj);
void store_read_containers_storage(report_t *r, const struct store_spec *spec, const struct audit_limits *lim, cJSON *sj);

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

/* Does a JSON array of names hold `want`? (`verify` picks one image.) */
int store_names_have(cJSON *names, const char *want);
/* For stores that keep no manifest or signatures (Docker's store, docker save,
 * containers/storage): an image a signature policy requires to be signed
 * cannot be verified there, and sig.c says so (signature.missing), never ok.
 * Adds "signature_check" to img; returns 1 when the image fails on it. */
int store_sig_unavailable(report_t *r, const struct sig_policy *pol, const char *label, cJSON *img, const digest_t *id);

/* The verifier's options for a store audit. */
static inline struct oci_opts oci_opts_for(const struct audit_limits *lim)
{
	struct oci_opts o = {.jobs = lim->jobs, .lim = {lim->max_layer_bytes, lim->max_ratio},
			     .pol = lim->pol, .only_image = lim->only_image};
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

cJSON *store_oci_index_roots(report_t *r, oci_ctx_t *c, const char *label, const char *bytes, size_t len);

/* blobs/<alg>/<name> below root: blobs nothing references (blob.unreferenced,
 * info; `unref_why` says by what) and entries that are no regular file.
 * Subjects are path_prefix + "/blobs/...". c may be NULL (nothing known
 * referenced). Shared by the layout and containerd readers (store_oci.c). */
void store_scan_blob_dirs(report_t *r, oci_ctx_t *c, int root, const char *label, const char *path_prefix,
			  const char *unref_why, cJSON *sj);

/* Shared by the archive readers (store_oci.c). */
/* Report an indexed archive's ambiguities (archive.ambiguous each). */
void store_report_ambiguities(report_t *r, const struct tar_index *ix, const char *label);
/* store.bad_path for each member with an absolute or '..' name. */
void store_scan_unsafe_members(report_t *r, const struct tar_index *ix, const char *label);
int store_open_archive(report_t *r, const char *path, const char *label, struct tar_index *ix);
int store_tar_read_member(const struct tar_index *ix, const char *name, size_t max, char **data, size_t *len,
			  ea_error_t *err);
oci_ctx_t *store_verify_tar_layout(report_t *r, const struct tar_index *ix, const char *label,
				   const struct audit_limits *lim, struct blobsrc *src, cJSON *sj, cJSON **idx_out);

#endif
