/*
 * oci: the store-independent image verifier.  Given a blob source and the
 * root descriptors of a store (an OCI index.json, a containerd image list,
 * ...), it walks index -> manifest -> config and layers and checks, each
 * failure its own finding:
 *   - every descriptor: media type known, digest of the spec's form, size an
 *     integer; every blob's size and digest against every descriptor naming it;
 *   - config digest = image ID; rootfs.diff_ids against the digests of the
 *     decompressed layers (count and order); chainIDs computed and reported.
 * A blob named by several images is read once per run; distinct blobs are
 * verified by `jobs` threads in parallel, each with fixed buffers.
 *
 * With a signature policy, each image's signatures are checked (sig.h):
 * the candidates are every root descriptor and every artifact manifest
 * reached, and sig.c decides which sign which image.  With only_image,
 * only roots carrying that name are walked (the others still serve as
 * signature candidates); no such root is an image.missing finding.
 *
 * Use: oci_new(), oci_add_root() per root descriptor (with its names),
 * oci_run() once, then oci_referenced() for the store's unreferenced-blob
 * scan, oci_free().
 */
#ifndef EDGEAUDIT_OCI_H
#define EDGEAUDIT_OCI_H

#include <cJSON.h>

#include "blobcheck.h"
#include "blobsrc.h"
#include "report.h"
#include "sig.h"

struct oci_opts {
	int jobs;
	struct blobcheck_limits lim;
	const struct sig_policy *pol; /* check signatures of each image (NULL: no) */
	const char *only_image;       /* verify only images with this name (NULL: all) */
	int all_roots;                /* with a policy: walk and judge every root even
	                               * under only_image (a layout or archive is
	                               * imported whole: every entry gets its names) */
};

typedef struct oci_ctx oci_ctx_t;

oci_ctx_t *oci_new(report_t *r, struct blobsrc *src, const struct oci_opts *o);
/* A root descriptor (JSON object, borrowed for the duration of oci_run) with
 * the names it is known by (may be NULL/0). `where` names it for findings
 * ("index.json manifests[2]"). */
void oci_add_root(oci_ctx_t *c, cJSON *desc, const char *const *names, int nnames,
                  const char *where);
/* Walk and verify; returns the number of images found. */
int oci_run(oci_ctx_t *c);
/* Was this digest named by any descriptor reached? */
int oci_referenced(oci_ctx_t *c, const digest_t *d);
/* After oci_run: the layer whose chainID is `chain` in some image, if its
 * blob was read whole and its content matched the config's diffID (so the
 * blob can serve as the reference for an extracted copy).  Returns 1 and
 * fills blob, comp and diffid; 0 if no trusted layer has that chainID. */
int oci_trusted_layer(oci_ctx_t *c, const digest_t *chain, digest_t *blob, comp_t *comp,
                      digest_t *diffid);
/* After oci_run: the image (not artifact) whose config digest is `config`
 * and whose layer blobs are `layers`, in order.  Returns 1 and fills the
 * view (borrowed until oci_free), 0 if none. */
struct oci_image_view {
	digest_t manifest;
	const char *const *names;
	int nnames;
};
int oci_image_by_content(oci_ctx_t *c, const digest_t *config, const digest_t *layers, int nlayers,
                         struct oci_image_view *out);
void oci_free(oci_ctx_t *c);
/* An image config's rootfs.diff_ids, each a sha256 digest, as every reader
 * reads them: the number read into *out (caller frees *out, allocated for
 * all entries), -1 without a rootfs.diff_ids array, -2 when it has more than
 * max entries (max 0: no limit).  *bad: the index of the first entry that is
 * no sha256 digest (reading stops there; the ones before are in *out), -1
 * when every one is.  The caller says which finding that is, in its words. */
int oci_config_diff_ids(const cJSON *conf, int max, digest_t **out, int *bad);

/* Media types */
typedef enum {
	MT_UNKNOWN = 0,
	MT_INDEX,    /* OCI index, Docker manifest list */
	MT_MANIFEST, /* OCI manifest, Docker schema 2 manifest */
	MT_CONFIG,   /* OCI image config, Docker container image config */
	MT_LAYER,    /* a layer tar, maybe compressed */
	MT_OTHER,    /* known non-image types (artifacts, empty config, signatures) */
} media_kind_t;

media_kind_t media_kind(const char *mt, comp_t *comp);

/* Limits on JSON documents read from a store. */
#define OCI_MAX_INDEX_BYTES    (4u << 20)
#define OCI_MAX_MANIFEST_BYTES (4u << 20)
#define OCI_MAX_CONFIG_BYTES   (8u << 20)
#define OCI_MAX_DEPTH          8
/* Bounds on what one store may make us hold (memory: about 5 KiB per
 * image, 1.3 KiB per blob; hostile stores must stay under 64 MiB). */
#define OCI_MAX_BLOBS          16384
#define OCI_MAX_WALK           4096 /* indexes and manifests walked from the roots */

#endif
