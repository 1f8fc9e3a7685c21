/*
 * model: the audit's typed result.  The store readers and the /proc scan
 * fill it through this API; report.c renders it once, at the end: the
 * report is output, never storage, and nothing reads JSON back.  One
 * writer per JSON object: images, layers, signatures, snapshots, processes
 * and containers are all rendered by model.c.
 *
 * Contract:
 *  - An image is built by one thread: model_image_new() (owned by the
 *    caller, not yet in the report), filled by the setters below, then
 *    handed over with model_image_commit() (thread-safe; images keep their
 *    commit order, which is the report's).  Strings are copied.  After the
 *    commit only the report's owner thread may touch it, through
 *    model_each_image() (e.g. containerd's snapshots, added when every
 *    image of its store is in; the images of other stores may be committed
 *    by other threads meanwhile).
 *  - Verdicts: an image starts at VERDICT_PASS and only gets worse
 *    (image_raise).  The model keeps the rule "an image that is not pass
 *    comes with a finding that makes the run not pass": at the end,
 *    model_settle() adds audit.unexplained for an image whose verdict no
 *    finding explains (fail closed), so no reader can break it silently.
 *  - check_t: every check state the report spells ("ok", "mismatch", ...),
 *    one enum and one check_to_string().
 *  - Cross-references are by field: model_image_index() finds the image a
 *    container runs by ID or name, containerd finds its images by store.
 *  - Processes and containers are filled by proc.c in the order they are
 *    reported; a container is rendered in full at its first process and by
 *    reference (details_in_pid) at the others.  Capability sets and seccomp
 *    evaluations are leaf objects rendered by their one writer in src/proc
 *    (caps_to_json, sc_result_json) and held here as such.
 */
#ifndef EDGEAUDIT_MODEL_H
#define EDGEAUDIT_MODEL_H

#include <cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "digest.h"

typedef struct report report_t;
struct inventory; /* inventory.h: what is installed in an image or on the host */

typedef enum { VERDICT_PASS = 0, VERDICT_INCOMPLETE, VERDICT_FAIL } verdict_t;
const char *verdict_to_string(verdict_t v);
/* The worse of the two into *v. */
void verdict_raise(verdict_t *v, verdict_t to);

typedef enum {
	CHECK_NONE = 0, /* not rendered */
	CHECK_OK,
	CHECK_MISMATCH,
	CHECK_UNCHECKED,
	CHECK_NOT_CHECKED,
	CHECK_MISSING,
	CHECK_INVALID,
	CHECK_BAD_FILE,
	CHECK_UNREADABLE,
	CHECK_INTERRUPTED,
	CHECK_DIGEST_MISMATCH,
	CHECK_SIZE_MISMATCH,
	CHECK_BAD_METADATA,
	CHECK_FILES_DIFFER,
	CHECK_TARSPLIT_ERROR,
	CHECK_VERIFIED,
	CHECK_NOT_VERIFIED,
	CHECK_NOT_REQUIRED,
	CHECK_DIFFERS,
	CHECK_WRITABLE,
	CHECK_COUNT
} check_t;
const char *check_to_string(check_t c);

/* A layer blob named by a descriptor (OCI layouts and archives, containerd)
 * or a member of a docker-archive. */
struct blob_check {
	digest_t digest;  /* .str[0] == 0: none ("digest" not rendered) */
	char *media_type; /* NULL: none */
	int64_t size;     /* the descriptor's, or the member's; -1: none */
	check_t state;    /* "blob" */
	int shared_by;    /* images naming it; rendered when > 1 */
	int shared;       /* docker-archive: read for an earlier image ("shared": true) */
};

/* One layer of an image, as far as its store could tell. */
struct layer {
	struct blob_check blob;
	digest_t diff_id;          /* .str[0] == 0: none */
	int64_t uncompressed_size; /* -1: none */
	check_t diff_id_check;
	digest_t chain_id; /* engine stores; .str[0] == 0: none */
	char *layer_id;    /* containers/storage */
	char *compressed_digest;
	char *path;            /* the extracted folder, or the archive member */
	check_t on_disk_check; /* the extracted layer against its diffID */
	int64_t files;         /* files compared; -1: none */
};

/* One signature found for an image (sig.c), verified or not. */
struct image_signature {
	char *kind;     /* "cosign", "sigstore-bundle", "notation", "unknown" */
	char *manifest; /* where it was found */
	int verified;
	char *signer, *refusal, *message, *tlog, *logged; /* NULL: none */
	char *signed_at;                                  /* RFC 3339; NULL: none */
	char *timestamps_skipped; /* RFC 3161 timestamps that did not verify; NULL: none */
};

/* A file verified on its own (`verify-blob`): what it is and its
 * signatures.  Added to the model at once (one thread: the command's). */
struct blob_rec {
	char *path;
	digest_t digest; /* sha256 of its content, hashed as a stream */
	int64_t size;
	check_t signature_check; /* CHECK_VERIFIED or CHECK_NOT_VERIFIED */
	struct image_signature *sigs;
	int nsigs;
	verdict_t verdict;
	struct blob_rec *next;
};

/* A known vulnerability the policy accepts (its id, with a reason and an
 * expiry day) or that is below its minSeverity: listed, not a finding. */
struct accepted_vuln {
	char *subject, *package, *installed, *advisory, *severity;
	char *why;     /* "accepted" or "below_threshold" */
	char *reason;  /* the policy's, NULL when below the threshold */
	char *expires; /* YYYY-MM-DD, NULL when below the threshold */
	struct accepted_vuln *next;
};

/* An extracted snapshot of an image's layer (containerd). */
struct snapshot_ref {
	char *chain_id, *snapshotter, *path; /* path NULL: none */
	check_t check;
};

struct image {
	char *store;
	int artifact; /* "kind": "artifact", else "image" */
	char **names;
	int nnames;
	char *platform;
	digest_t manifest_digest; /* .str[0] == 0: none */
	char *media_type, *artifact_type;
	digest_t config; /* "image_id" (an image) or "config_digest" (an artifact) */
	int has_layers;  /* "layers" rendered (possibly empty) */
	struct layer *layers;
	int nlayers, layers_cap;
	int has_chain_ids; /* "chain_ids" rendered (possibly empty) */
	digest_t *chain_ids;
	int nchain_ids;
	check_t signature_check; /* CHECK_NONE, _VERIFIED, _NOT_REQUIRED, _NOT_VERIFIED */
	int has_signatures;      /* "signatures" rendered (possibly empty) */
	struct image_signature *sigs;
	int nsigs;
	struct snapshot_ref *snaps;
	int nsnaps;
	struct inventory *inventory; /* its packages (owned); NULL: not inventoried */
	verdict_t verdict;
	/* the model's */
	int index;
	struct image *next;
};

struct image *model_image_new(const char *store);
void image_add_name(struct image *img, const char *name);
/* *field = a copy of s (NULL allowed), freeing what it held. */
void model_set_str(char **field, const char *s);
/* A new layer at the end (every field "none"); valid until the next add. */
struct layer *image_add_layer(struct image *img);
/* "chain_ids" from n diffIDs in order (n == 0: an empty array). */
void image_set_chain_ids(struct image *img, const digest_t *diff_ids, int n);
struct image_signature *image_add_signature(struct image *img);
struct snapshot_ref *image_add_snapshot(struct image *img);
void image_raise(struct image *img, verdict_t v);
/* The image's inventory (owned by the image from now on; NULL allowed):
 * each of its problems becomes a finding on the image (subject: its
 * manifest digest or ID), and the image's verdict follows them. */
void image_set_inventory(report_t *r, struct image *img, struct inventory *inv);
/* The host's inventory (--root; owned by the model from now on), its
 * problems findings on the root path; rendered as "host_inventory". */
void model_set_host_inventory(report_t *r, const char *root, struct inventory *inv);
/* For the vulnerability matcher and the SBOM, after the stores and the
 * host were read: fn(subject, inv, img, arg) for each committed image with
 * an inventory, in report order (img non-NULL), then the host's (img NULL,
 * subject the root path), under the model's lock. */
void model_each_inventory(report_t *r,
                          void (*fn)(const char *subject, const struct inventory *inv,
                                     struct image *img, void *arg),
                          void *arg);
/* Into the report (img belongs to it from now on): its index. */
int model_image_commit(report_t *r, struct image *img);
/* Free an image never committed. */
void model_image_free(struct image *img);
/* fn(img, arg) for each committed image, in order, under the model's lock
 * (fn may change the image, not commit another). */
void model_each_image(report_t *r, void (*fn)(struct image *img, void *arg), void *arg);
/* The index of the first committed image with this ID ("sha256:...") or,
 * failing that, with this name; -1 when none.  id/name may be NULL. */
int model_image_index(report_t *r, const char *id, const char *name);

/* ------------------------------------------------------------ processes */

enum { NS_PID, NS_NET, NS_MNT, NS_IPC, NS_UTS, NS_USER, NS_CGROUP, NS_TIME, NS_COUNT };
extern const char *const model_ns_names[NS_COUNT];

struct container_rec {
	char *runtime, *id, *name, *pod, *bundle, *state; /* "" or NULL: none */
	char *image_id, *image_name;
	cJSON *profile;   /* sc_result_json of the profile; NULL: none */
	int profile_null; /* no profile but a config: "profile": null */
	char *profile_problem, *problem;
	int first_pid; /* "details_in_pid" of its other processes */
	int rendered;  /* the renderer's: rendered in full once */
};

struct process_rec {
	int pid, ppid;
	char *name;
	int has_uid;
	int64_t uid;
	int has_ns_pid;
	int64_t ns_pid;
	int seccomp;         /* -1: unknown (null); 0 disabled, 1 strict, 2 filter */
	int seccomp_filters; /* -1: none */
	int no_new_privs;    /* -1: unknown (null) */
	cJSON *caps;         /* {"inh": [...], ...}, caps_to_json's; NULL: {} */
	int ns_unreadable;
	unsigned host_ns;        /* bit per NS_* */
	char *uid_map, *gid_map; /* /proc/PID/[ug]id_map text; NULL: none */
	char *lsm;
	struct container_rec *container; /* NULL: none (owned by the model) */
	int has_deep;
	size_t deep_insns[8];
	size_t deep_nfilters;
	cJSON *deep_eval; /* sc_result_json's */
	char *deep_problem, *threads_differ;
	struct process_rec *next;
};

/* A container record owned by the model (strings copied by the caller with
 * model_set_str), for processes to point at. */
struct container_rec *model_container_new(report_t *r);
/* A process record to fill, then model_process_commit (proc.c, one thread). */
struct process_rec *model_process_new(void);
void model_process_commit(report_t *r, struct process_rec *p);
int model_process_count(report_t *r);
/* fn(c, arg) for each container record, in the order they were made. */
void model_each_container(report_t *r, void (*fn)(struct container_rec *c, void *arg), void *arg);
int model_image_count(report_t *r);

/* ------------------------------------------------------------ rendering */

/* The model's part of the end: audit.unexplained for an image whose
 * verdict no finding explains.  Called once, by the renderer. */
void model_settle(report_t *r);
cJSON *model_render_images(report_t *r);
/* A new blob record, in the report at once (rendered in order). */
struct blob_rec *model_blob_new(report_t *r, const char *path);
struct image_signature *blob_add_signature(struct blob_rec *b);
/* The blob records in order (read-only, after the work), NULL: none. */
const struct blob_rec *model_blobs(report_t *r);
/* "blobs": NULL when the run verified none (the key is then left out). */
cJSON *model_render_blobs(report_t *r);
/* Into the report's "vulnerabilities_accepted" (strings copied; safe from
 * any thread, also inside model_each_inventory's fn). */
void model_accepted_vuln(report_t *r, const struct accepted_vuln *a);
/* "vulnerabilities_accepted": NULL when none (the key is then left out). */
cJSON *model_render_accepted_vulns(report_t *r);
/* The host's "host_inventory" object, NULL when the host was not inventoried. */
cJSON *model_render_host_inventory(report_t *r);
cJSON *model_render_processes(report_t *r);
/* The model's storage (report.c owns one). */
struct model;
struct model *model_new(void);
void model_free(struct model *m);

#endif
