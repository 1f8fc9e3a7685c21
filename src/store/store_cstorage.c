/*
 * store_cstorage: the containers/storage store of podman, CRI-O, buildah
 * and skopeo (containers-storage:ROOT, /var/lib/containers/storage), as
 * containers/storage writes it under ROOT for each driver D:
 *   D-images/images.json       image records: id, digest, names, layer (top
 *                              layer id), big-data-names/-digests/-sizes
 *   D-images/<id>/<file>       big-data items (config, manifests,
 *                              signatures), named by their key, or "=" +
 *                              base64(key) when the key has characters
 *                              outside [0-9a-z.]
 *   D-layers/layers.json       layer records: id, parent, diff-digest,
 *                              compressed-diff-digest, diff-size, flags
 *   D-layers/<id>.tar-split.gz the layer's tar-split record
 *   overlay/<id>/diff, vfs/dir/<id>   the extracted layers
 *   D-containers/containers.json      containers: the image and layer they use
 *
 * Per image: every big-data file against its recorded digest and size; the
 * config item (key "sha256:<image id>") must hash to the image ID; manifests
 * (keys "manifest*") to their digests, and the image's `digest` must be one
 * of them; each manifest's config and layer count must agree with the
 * config.  Then the layer chain, from the image's top `layer` down by
 * `parent`, must match the config's rootfs.diff_ids in count and order
 * through each record's diff-digest, each layer id must be the one
 * containers/image derives (base: the diffID's hex; above it:
 * sha256("<parent id>+<diffID hex>")), and each layer folder is reassembled
 * from its tar-split record and hashed against the diffID (tarsplit.c),
 * file by file.  A layer shared by several images is verified once.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mbedtls/base64.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drift.h"
#include "fsx.h"
#include "jsondoc.h"
#include "layerdb.h"
#include "sig.h"
#include "store_readers.h"
#include "tarsplit.h"

/* images.json and layers.json grow with the store (about 2 KB an image,
 * 700 bytes a layer): 32 MiB is tens of thousands of records. */
#define CS_MAX_STORE_JSON (32u << 20)
#define CS_MAX_RECORDS    100000
#define CS_MAX_DRIVERS    8
#define CS_MAX_BIGDATA    256 /* big-data items per image */
#define CS_MAX_MANIFESTS  32  /* distinct manifests per image (an index and its instances) */

struct cslayer {
	char *id;
	const char *parent; /* borrowed from the parsed layers.json */
	digest_t diff;
	int has_diff;
	const char *compressed;
	double diff_size; /* -1: not recorded */
	const char *toc;  /* toc-digest: a partial (zstd:chunked) pull */
	int incomplete;   /* flags.incomplete: containers/storage never finished it */
	/* verification, once per run */
	int visited;
	digest_t checked_diff;
	struct store_layer s;
};

struct csctx {
	report_t *r;
	const struct sig_policy *pol; /* signatures a policy requires */
	int root;
	const char *rootpath;
	char label[300];
	char driver[64];
	struct cslayer *layers; /* sorted by id */
	size_t nlayers_rec;
	cJSON *layers_json;
	int layers_bad, images_bad; /* layers.json / images.json exist but could not be read */
	unsigned nimages, nlayers;
	int driver_unchecked; /* a driver whose layer folders are not verified: said once */
	int aufs_whiteouts;   /* overlay with a mount program (fuse-overlayfs): whiteouts are ".wh."
	                         files */
	int only_image;       /* `verify`: no container drift */
	const char *const *drift_allow; /* the user's drift allow list, or NULL */
	cJSON *sj;                      /* the store's report entry */
};

/* One image's audit: its findings decide its verdict. */
struct csimage {
	struct csctx *c;
	const char *id;
	char idstr[80];    /* "sha256:<id>" */
	struct image *img; /* its report entry (the model's) */
};

/* An id used as one path component: containers/storage ids are 64 hex
 * characters, but a tampered record may say anything. */
static int safe_component(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n < 200 && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

/* A finding about image `im`: its kind decides whether the image failed or
 * could not be checked. */
static void img_finding(struct csimage *im, const char *id, const char *subject, const char *fmt,
                        ...) __attribute__((format(printf, 4, 5)));
static void img_finding(struct csimage *im, const char *id, const char *subject, const char *fmt,
                        ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	report_finding(im->c->r, id, subject, "%s: %s", im->c->label, msg);
	const struct finding_kind *k = finding_kind_lookup(id);
	image_raise(im->img, k && k->incomplete ? VERDICT_INCOMPLETE : VERDICT_FAIL);
}

/* ------------------------------------------------------------ big data */

/* containers/storage's makeBigDataBaseName: the key itself when it is made
 * only of [0-9a-z.], else "=" + standard base64 of the key.  A key that
 * maps to no safe file name (empty, ".", "..", a base64 form holding '/')
 * cannot have been written by containers/storage: -1. */
static int bigdata_file_name(const char *key, char *out, size_t n)
{
	size_t kl = strlen(key);
	int plain = 1;
	for (size_t i = 0; i < kl; i++) {
		char ch = key[i];
		if (!(ch == '.' || (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z'))) plain = 0;
	}
	if (plain) {
		if (!kl || kl >= n || kl > 255 || !strcmp(key, ".") || !strcmp(key, ".."))
			return -1;
		memcpy(out, key, kl + 1);
		return 0;
	}
	size_t olen = 0;
	if (n < 2 || mbedtls_base64_encode((unsigned char *)out + 1, n - 1, &olen,
	                                   (const unsigned char *)key, kl) != 0)
		return -1;
	out[0] = '=';
	out[olen + 1] = '\0';
	if (olen + 1 > 255 || strchr(out, '/')) return -1;
	return 0;
}

/* Where the big-data item `key` of image `id` is, below the root: 0, or -1
 * (EA_E_BADNAME) when the key maps to no safe file name. */
static int big_data_rel(struct csctx *c, const char *id, const char *key, char *rel, size_t reln,
                        ea_error_t *err)
{
	char name[400];
	if (bigdata_file_name(key, name, sizeof name) < 0)
		return ea_fail(err, EA_E_BADNAME, "big-data key '%.80s' maps to no safe file name",
		               key);
	if ((size_t)snprintf(rel, reln, "%s-images/%s/%s", c->driver, id, name) >= reln)
		return ea_fail(err, EA_E_BADNAME, "big-data path too long");
	return 0;
}

/* Read the big-data item `key` of image `id` (at most max bytes) and hash
 * it.  The reading half of what a blob source over an image's big data
 * needs (signatures read manifests and signature items the same way). */
static int cs_read_big_data(struct csctx *c, const char *id, const char *key, digest_alg_t alg,
                            size_t max, char **data, size_t *len, digest_t *got, char *rel,
                            size_t reln, ea_error_t *err)
{
	if (big_data_rel(c, id, key, rel, reln, err) < 0) return -1;
	if (fsx_read_file_at(c->root, rel, max, data, len, err) < 0) return -1;
	digest_buffer(alg, *data, *len, got);
	return 0;
}

/* Hash a big-data item without holding it (signatures and other items may
 * be large). */
static int cs_hash_big_data(struct csctx *c, const char *id, const char *key, digest_alg_t alg,
                            digest_t *got, uint64_t *size, char *rel, size_t reln, ea_error_t *err)
{
	if (big_data_rel(c, id, key, rel, reln, err) < 0) return -1;
	cleanup_close int fd = fsx_open_file_at(c->root, rel, NULL, err);
	if (fd < 0) return -1;
	return digest_fd(fd, alg, got, size, err);
}

/* ------------------------------------------------------------ layers */

static int layer_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cslayer *)a)->id, ((const struct cslayer *)b)->id);
}

static struct cslayer *find_layer(struct csctx *c, const char *id)
{
	if (!c->layers || !id) return NULL;
	struct cslayer key = {.id = (char *)id};
	return bsearch(&key, c->layers, c->nlayers_rec, sizeof key, layer_cmp);
}

static void free_layers(struct csctx *c)
{
	for (size_t i = 0; i < c->nlayers_rec; i++) {
		free(c->layers[i].id);
		layer_pkgs_free(c->layers[i].s.pkgs);
	}
	free(c->layers);
	c->layers = NULL;
	c->nlayers_rec = 0;
	cJSON_Delete(c->layers_json);
	c->layers_json = NULL;
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Read and parse a store JSON file that must be an array (images.json,
 * layers.json, containers.json).  A missing file is an empty store part
 * (NULL, no finding). */
static cJSON *load_array(struct csctx *c, const char *rel, int *bad)
{
	/* bounded in values (a JSON bomb within 32 MiB would cost 1 GiB) */
	enum store_json st;
	cJSON *j = store_read_json(c->r, c->root, c->rootpath, c->label, rel, CS_MAX_STORE_JSON,
	                           131072, &st);
	*bad = st == STORE_JSON_UNREADABLE;
	if (st == STORE_JSON_ABSENT || st == STORE_JSON_UNREADABLE) return NULL;
	if (!cJSON_IsArray(j)) {
		cleanup_free char *subj = xasprintf("%s/%s", c->rootpath, rel);
		report_finding(c->r, "json.malformed", subj, "%s: not a JSON array of records",
		               c->label);
		cJSON_Delete(j);
		*bad = 1;
		return NULL;
	}
	if (cJSON_GetArraySize(j) > CS_MAX_RECORDS) {
		cleanup_free char *subj = xasprintf("%s/%s", c->rootpath, rel);
		report_finding(c->r, "json.too_large", subj, "%s: more than %d records", c->label,
		               CS_MAX_RECORDS);
		cJSON_Delete(j);
		*bad = 1;
		return NULL;
	}
	return j;
}

static void load_layers(struct csctx *c)
{
	char rel[200];
	snprintf(rel, sizeof rel, "%s-layers/layers.json", c->driver);
	c->layers_json = load_array(c, rel, &c->layers_bad);
	if (!c->layers_json) return;
	cleanup_free char *subj = xasprintf("%s/%s", c->rootpath, rel);
	c->layers = xcalloc((size_t)cJSON_GetArraySize(c->layers_json) + 1, sizeof *c->layers);
	cJSON *e;
	int i = -1;
	cJSON_ArrayForEach (e, c->layers_json) {
		i++;
		const char *id = jstr(e, "id");
		if (!id || !safe_component(id)) {
			report_finding(c->r, id ? "store.bad_path" : "json.malformed", subj,
			               "%s: layer record %d has %s id", c->label, i,
			               id ? "an unsafe" : "no");
			continue;
		}
		struct cslayer *l = &c->layers[c->nlayers_rec++];
		l->id = xstrdup(id);
		l->parent = jstr(e, "parent");
		if (l->parent && !*l->parent) l->parent = NULL;
		const char *dd = jstr(e, "diff-digest");
		l->has_diff = dd && *dd && digest_parse(dd, &l->diff, NULL) == 0;
		l->compressed = jstr(e, "compressed-diff-digest");
		l->toc = jstr(e, "toc-digest");
		const cJSON *ds = cJSON_GetObjectItemCaseSensitive(e, "diff-size");
		l->diff_size = cJSON_IsNumber(ds) ? ds->valuedouble : -1;
		const cJSON *fl = cJSON_GetObjectItemCaseSensitive(e, "flags");
		l->incomplete = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(fl, "incomplete"));
		l->s.state = CHECK_UNCHECKED;
	}
	qsort(c->layers, c->nlayers_rec, sizeof *c->layers, layer_cmp);
	/* two records with one id: which one containers/storage uses depends on
	 * its load order, so neither can be trusted */
	for (size_t k = 1; k < c->nlayers_rec; k++)
		if (!strcmp(c->layers[k - 1].id, c->layers[k].id))
			report_finding(c->r, "json.malformed", subj,
			               "%s: two layer records with id %.80s", c->label,
			               c->layers[k].id);
}

/* The layer id containers/image gives a layer with this parent and diffID
 * (storage_dest.go layerID): the diffID's hex for a base layer, else
 * sha256("<parent id>+<diffID hex>"); a layer pulled by TOC (zstd:chunked)
 * uses "@TOC=<toc hex>" in place of the diffID and is always hashed. */
static void expected_layer_id(const char *parent, const digest_t *diff, const char *toc,
                              char out[65])
{
	digest_t d;
	if (toc) {
		cleanup_free char *in = xasprintf("%s+@TOC=%s", parent ? parent : "", toc);
		digest_buffer(DIGEST_SHA256, in, strlen(in), &d);
		snprintf(out, 65, "%s", digest_hex(&d));
	} else if (!parent) {
		snprintf(out, 65, "%s", digest_hex(diff));
	} else {
		cleanup_free char *in = xasprintf("%s+%s", parent, digest_hex(diff));
		digest_buffer(DIGEST_SHA256, in, strlen(in), &d);
		snprintf(out, 65, "%s", digest_hex(&d));
	}
}

/* A second image placing another diffID on a layer already checked. */
static void recheck_layer_diff(struct csctx *c, struct cslayer *l, const digest_t *diff)
{
	if (!digest_equal(&l->checked_diff, diff)) {
		report_finding(c->r, "layer.metadata_mismatch", l->id,
		               "%s: layer %.80s is %s for one image and %s for another", c->label,
		               l->id, l->checked_diff.str, diff->str);
		l->s.verdict = VERDICT_FAIL;
	}
}

/* layers.json consistency: the record's diff-digest, the id containers/image
 * derives (by diffID, or by TOC for a partial pull) and the incomplete flag. */
static void check_layer_record(struct csctx *c, struct cslayer *l, const digest_t *diff)
{
	if (!l->has_diff || !digest_equal(&l->diff, diff)) {
		report_finding(
		        c->r, "layer.metadata_mismatch", l->id,
		        "%s: layers.json gives layer %.80s diff-digest %s, the config says %s",
		        c->label, l->id, l->has_diff ? l->diff.str : "(none)", diff->str);
		l->s.verdict = VERDICT_FAIL;
	}
	char want[65];
	expected_layer_id(l->parent, diff, NULL, want);
	int id_ok = !strcmp(want, l->id);
	if (!id_ok && l->toc) {
		expected_layer_id(
		        l->parent, diff,
		        l->toc[0] && strchr(l->toc, ':') ? strchr(l->toc, ':') + 1 : l->toc, want);
		id_ok = !strcmp(want, l->id);
	}
	if (!id_ok) {
		report_finding(c->r, "layer.metadata_mismatch", l->id,
		               "%s: layer id %.80s is not the one derived from its parent %.80s "
		               "and diffID %s (%s)",
		               c->label, l->id, l->parent ? l->parent : "(none)", diff->str, want);
		l->s.verdict = VERDICT_FAIL;
	}
	if (l->incomplete) {
		report_finding(c->r, "layer.metadata_mismatch", l->id,
		               "%s: layer %.80s is flagged incomplete (containers/storage never "
		               "finished writing it)",
		               c->label, l->id);
		l->s.verdict = VERDICT_FAIL;
	}
}

/* The layer's folder under the root (rel, and l->s.path in full): 0, or -1
 * for a driver whose folders are not verified (said once; l incomplete). */
static int layer_folder(struct csctx *c, struct cslayer *l, char *rel, size_t n)
{
	if (!strcmp(c->driver, "overlay")) snprintf(rel, n, "overlay/%s/diff", l->id);
	else if (!strcmp(c->driver, "vfs")) snprintf(rel, n, "vfs/dir/%s", l->id);
	else {
		if (!c->driver_unchecked) {
			cleanup_free char *part =
			        xasprintf("layers of %s (driver %s)", c->label, c->driver);
			report_unchecked(c->r, part,
			                 "this storage driver's layer folders are not verified by "
			                 "this version");
			c->driver_unchecked = 1;
		}
		verdict_raise(&l->s.verdict, VERDICT_INCOMPLETE);
		return -1;
	}
	snprintf(l->s.path, sizeof l->s.path, "%s/%s", c->rootpath, rel);
	return 0;
}

/* 1 if l is a composefs layer (files kept by digest, not as a tree): said
 * not checked, l incomplete. */
static int composefs_layer(struct csctx *c, struct cslayer *l)
{
	char cf[300];
	snprintf(cf, sizeof cf, "overlay/%s/composefs-data", l->id);
	struct stat st;
	if (fsx_lstat_at(c->root, cf, &st, NULL) != 0) return 0;
	cleanup_free char *part = xasprintf("layer %s of %s (composefs)", l->s.path, c->label);
	report_unchecked(c->r, part, "composefs layers are not verified by this version");
	verdict_raise(&l->s.verdict, VERDICT_INCOMPLETE);
	l->s.state = CHECK_NOT_CHECKED;
	return 1;
}

/* A reassembled layer: its size against the record's diff-size, its state,
 * then the verdict settled with the folder's comparison. */
static void settle_reassembled(struct csctx *c, struct cslayer *l, struct store_layer_check *k)
{
	/* out of uint64_t's range is a mismatch, never a conversion (undefined) */
	if (l->diff_size >= 0 &&
	    (l->diff_size >= 18446744073709551616.0 || (uint64_t)l->diff_size != k->tar_size)) {
		report_finding(
		        c->r, "layer.metadata_mismatch", l->id,
		        "%s: layers.json gives layer %.80s diff-size %.0f, the layer is %llu bytes",
		        c->label, l->id, l->diff_size, (unsigned long long)k->tar_size);
		l->s.verdict = VERDICT_FAIL;
	}
	l->s.state = k->cmp.failed                  ? CHECK_FILES_DIFFER
	             : l->s.verdict == VERDICT_FAIL ? CHECK_BAD_METADATA
	                                            : CHECK_OK;
	k->verdict = l->s.verdict;
	store_layer_settle(k);
	l->s.verdict = k->verdict;
}

/* Reassemble the layer folder rel from its tar-split record, hash it against
 * diff and compare it file by file. */
static void check_layer_tree(struct csctx *c, struct cslayer *l, const digest_t *diff,
                             const char *rel, int overlay)
{
	char tsrel[400];
	snprintf(tsrel, sizeof tsrel, "%s-layers/%s.tar-split.gz", c->driver, l->id);
	/* With a mount program containers/storage extracts whiteouts in the
	 * tar's own form (".wh.X" files, drivers/overlay getWhiteoutFormat), so
	 * the folder is compared like a plain tree, added files still judged. */
	struct store_at at = {c->r, c->root, c->rootpath, c->label};
	struct tarsplit_opts opts = {.overlay = overlay && !c->aufs_whiteouts,
	                             .check_added = overlay,
	                             .whiteout_files = overlay && c->aufs_whiteouts};
	struct store_layer_check k;
	enum store_layer_outcome o =
	        store_layer_folder_check(&at, &l->s, rel, tsrel, diff, opts, &k);
	switch (o) {
	case STORE_LAYER_NO_TARSPLIT: /* a link or special file where the record belongs fails the
	                                 layer */
		if (l->s.verdict == VERDICT_PASS)
			l->s.verdict = k.err.code == EA_E_SYMLINK || k.err.code == EA_E_NOTREG
			                       ? VERDICT_FAIL
			                       : VERDICT_INCOMPLETE;
		return;
	case STORE_LAYER_INTERRUPTED: verdict_raise(&l->s.verdict, VERDICT_INCOMPLETE); return;
	case STORE_LAYER_REASSEMBLED:
		settle_reassembled(c, l, &k);
		/* fall through */
	case STORE_LAYER_MISMATCH: l->s.done = 1; return;
	default: return;
	}
}

/* Check layer l's record against the diffID the image's config gives it,
 * then reassemble its folder from tar-split and hash it; once per layer. */
static void verify_layer(struct csctx *c, struct cslayer *l, const digest_t *diff)
{
	if (l->visited) {
		recheck_layer_diff(c, l, diff);
		return;
	}
	l->visited = 1;
	l->checked_diff = *diff;
	c->nlayers++;
	if (ea_stop_requested()) {
		l->s.verdict = VERDICT_INCOMPLETE;
		return;
	}
	check_layer_record(c, l, diff);
	char rel[400];
	if (layer_folder(c, l, rel, sizeof rel) < 0) return;
	int overlay = !strcmp(c->driver, "overlay");
	if (overlay && composefs_layer(c, l)) return;
	check_layer_tree(c, l, diff, rel, overlay);
}

/* ------------------------------------------------------------ images */

/* What the big-data check hands on: the verified config, the digests of the
 * verified manifests and, for the image's own manifest, its bytes (what the
 * signature checks will need). */
struct bigdata_out {
	char *config;
	size_t config_len;
	const char *config_key;
	digest_t manifests[CS_MAX_MANIFESTS];
	int nmanifests;
	char *manifest; /* bytes of the manifest whose digest is the image's `digest` */
	size_t manifest_len;
	cJSON *manifest_docs[CS_MAX_MANIFESTS]; /* parsed image manifests (with a config) */
	digest_t manifest_doc_digest[CS_MAX_MANIFESTS];
	int ndocs;
};

static int key_is_manifest(const char *key)
{
	return !strncmp(key, "manifest", 8); /* containers/storage bigDataNameIsManifest */
}

/* One big-data item as it is checked. */
struct bigdata_item {
	const char *key;
	int is_config, is_manifest;
	digest_t recorded, implied; /* its recorded digest, the digest its key names */
	int has_rec, has_impl;
	digest_alg_t alg;
	digest_t got; /* what it hashes to */
	uint64_t size;
	char rel[600];
};

/* What the item must hash to: its recorded digest, and the digest its key
 * names ("sha256:<id>" for the config, "manifest-<digest>"), and with which
 * algorithm; -1 (said) when the recorded digest does not parse. */
static int item_expected(struct csimage *im, const cJSON *digests, struct bigdata_item *it)
{
	struct csctx *c = im->c;
	const char *rs = jstr(digests, it->key);
	if (rs) {
		if (digest_parse(rs, &it->recorded, NULL) < 0) {
			cleanup_free char *subj =
			        xasprintf("%s/%s-images/images.json", c->rootpath, c->driver);
			img_finding(im, "descriptor.bad_digest", subj,
			            "image %.80s: big-data-digests[%.80s] is '%.100s'", im->id,
			            it->key, rs);
			return -1;
		}
		it->has_rec = 1;
	}
	if (digest_parse(it->key, &it->implied, NULL) == 0) it->has_impl = 1;
	else if (!strncmp(it->key, "manifest-", 9) &&
	         digest_parse(it->key + 9, &it->implied, NULL) == 0)
		it->has_impl = 1;
	/* hashed with the algorithm the key names (the image ID is sha256),
	 * else the recorded digest's */
	it->alg = it->has_impl ? it->implied.alg : it->has_rec ? it->recorded.alg : DIGEST_SHA256;
	if (it->has_rec && it->recorded.alg != it->alg)
		it->has_rec = 0; /* cannot compare across algorithms */
	return 0;
}

/* Read (config, manifests) or only hash (the rest) the item; *subj is its
 * path for findings.  -1 (said) when it cannot be read. */
static int item_read(struct csimage *im, struct bigdata_item *it, char **data, size_t *len,
                     char **subj)
{
	struct csctx *c = im->c;
	ea_error_t err = {0};
	int rc;
	if (it->is_config || it->is_manifest)
		rc = cs_read_big_data(c, im->id, it->key, it->alg,
		                      it->is_config ? OCI_MAX_CONFIG_BYTES : OCI_MAX_MANIFEST_BYTES,
		                      data, len, &it->got, it->rel, sizeof it->rel, &err);
	else
		rc = cs_hash_big_data(c, im->id, it->key, it->alg, &it->got, &it->size, it->rel,
		                      sizeof it->rel, &err);
	*subj = xasprintf("%s/%s", c->rootpath, it->rel);
	if (rc < 0) {
		if (err.code == EA_E_BADNAME) {
			cleanup_free char *js =
			        xasprintf("%s/%s-images/images.json", c->rootpath, c->driver);
			img_finding(im, "store.bad_path", js, "image %.80s: %s", im->id, err.msg);
		} else {
			img_finding(im, finding_id_for_open_error(err.code, "blob.missing"), *subj,
			            "big-data item '%.80s' of image %.80s: %s", it->key, im->id,
			            err.msg);
		}
		return -1;
	}
	if (it->is_config || it->is_manifest) it->size = *len;
	return 0;
}

/* The item against the digests it must hash to and its recorded size: -1
 * (said) when it has none to check or does not match. */
static int item_verify(struct csimage *im, const cJSON *sizes, const struct bigdata_item *it,
                       const char *subj)
{
	struct csctx *c = im->c;
	if (!it->has_rec && !it->has_impl) {
		cleanup_free char *js =
		        xasprintf("%s/%s-images/images.json", c->rootpath, c->driver);
		img_finding(im, "json.malformed", js,
		            "image %.80s: big-data item '%.80s' has no recorded digest", im->id,
		            it->key);
		return -1;
	}
	if (it->is_config && !digest_equal(&it->got, &it->implied)) {
		img_finding(im, "image.config_mismatch", im->idstr, "the config (%s) hashes to %s",
		            it->rel, it->got.str);
		return -1;
	}
	int rec_bad = it->has_rec && !digest_equal(&it->got, &it->recorded);
	if (rec_bad || (it->has_impl && !digest_equal(&it->got, &it->implied))) {
		img_finding(im, "blob.digest_mismatch", subj,
		            "big-data item '%.80s' hashes to %s, recorded as %s", it->key,
		            it->got.str, rec_bad ? it->recorded.str : it->implied.str);
		return -1;
	}
	const cJSON *sz = cJSON_GetObjectItemCaseSensitive(sizes, it->key);
	/* (uint64_t) of 1e30 is undefined behaviour: out of range is a mismatch */
	if (cJSON_IsNumber(sz) &&
	    (sz->valuedouble < 0 || sz->valuedouble >= 18446744073709551616.0 ||
	     (uint64_t)sz->valuedouble != it->size)) {
		img_finding(im, "blob.size_mismatch", subj,
		            "big-data item '%.80s' is %llu bytes, recorded as %.0f", it->key,
		            (unsigned long long)it->size, sz->valuedouble);
		return -1;
	}
	return 0;
}

/* Hand on a verified manifest: its digest (once), its parsed document when
 * it is an image manifest, its bytes when it is the image's own. */
static void keep_manifest(struct csimage *im, const cJSON *rec, struct bigdata_out *o,
                          const struct bigdata_item *it, char **data, size_t len, const char *subj)
{
	if (o->nmanifests >= CS_MAX_MANIFESTS) {
		img_finding(im, "json.too_large", im->idstr, "more than %d manifests",
		            CS_MAX_MANIFESTS);
		return;
	}
	for (int i = 0; i < o->nmanifests; i++)
		if (digest_equal(&o->manifests[i], &it->got)) return;
	o->manifests[o->nmanifests++] = it->got;
	cJSON *doc = jsondoc_parse(*data, len); /* one meaning, as the engine reads it */
	if (!cJSON_IsObject(doc)) {
		img_finding(im, "json.malformed", subj, "manifest '%.80s' is not a JSON object",
		            it->key);
		cJSON_Delete(doc);
	} else if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "config"))) {
		o->manifest_docs[o->ndocs] = doc;
		o->manifest_doc_digest[o->ndocs++] = it->got;
	} else {
		cJSON_Delete(doc); /* an index: names the image's manifest, no config of its own */
	}
	const char *idg = jstr(rec, "digest");
	if (!o->manifest && idg && !strcmp(idg, it->got.str)) {
		o->manifest = steal_pointer(data);
		o->manifest_len = len;
	}
}

/* Check one big-data item and hand on what verifies. */
static void check_big_data_item(struct csimage *im, const cJSON *rec, const char *key,
                                const char *config_key, struct bigdata_out *o)
{
	struct bigdata_item it = {.key = key,
	                          .is_config = !strcmp(key, config_key),
	                          .is_manifest = key_is_manifest(key)};
	if (item_expected(im, cJSON_GetObjectItemCaseSensitive(rec, "big-data-digests"), &it) < 0)
		return;
	cleanup_free char *data = NULL;
	size_t len = 0;
	cleanup_free char *subj = NULL;
	if (item_read(im, &it, &data, &len, &subj) < 0) return;
	if (item_verify(im, cJSON_GetObjectItemCaseSensitive(rec, "big-data-sizes"), &it, subj) < 0)
		return;
	if (it.is_config && !o->config) {
		o->config = steal_pointer(&data);
		o->config_len = len;
		o->config_key = key;
	} else if (it.is_manifest) {
		keep_manifest(im, rec, o, &it, &data, len, subj);
	}
}

/* Verify every big-data item of the image against its recorded digest and
 * size and the digest its key names. */
static void check_big_data(struct csimage *im, const cJSON *rec, struct bigdata_out *o)
{
	const cJSON *names = cJSON_GetObjectItemCaseSensitive(rec, "big-data-names");
	char config_key[80];
	snprintf(config_key, sizeof config_key, "sha256:%s", im->id);
	const cJSON *k;
	int n = 0;
	cJSON_ArrayForEach (k, names) {
		if (!cJSON_IsString(k)) continue;
		if (++n > CS_MAX_BIGDATA) {
			img_finding(im, "json.too_large", im->idstr, "more than %d big-data items",
			            CS_MAX_BIGDATA);
			break;
		}
		check_big_data_item(im, rec, k->valuestring, config_key, o);
	}
}

static int manifest_known(const struct bigdata_out *o, const char *s)
{
	digest_t d;
	if (digest_parse(s, &d, NULL) < 0) return 0;
	for (int i = 0; i < o->nmanifests; i++)
		if (digest_equal(&o->manifests[i], &d)) return 1;
	return 0;
}

/* The image's `digest` (and `digests`) must name verified manifests; each
 * image manifest must name this config and carry as many layers as it has
 * diff_ids. */
static void check_manifests(struct csimage *im, const cJSON *rec, const struct bigdata_out *o,
                            int ndiff, const char *cfgdigest)
{
	const char *dg = jstr(rec, "digest");
	if (!o->nmanifests) {
		img_finding(im, "image.no_manifest", im->idstr,
		            "image %.80s has no verified manifest", im->id);
	} else if (!dg || !manifest_known(o, dg)) {
		img_finding(im, "image.no_manifest", dg ? dg : im->idstr,
		            "the image's digest %.80s is none of its verified manifests",
		            dg ? dg : "(none)");
	}
	const cJSON *e;
	cJSON_ArrayForEach (e, cJSON_GetObjectItemCaseSensitive(rec, "digests")) {
		if (cJSON_IsString(e) && !manifest_known(o, e->valuestring) &&
		    (!dg || strcmp(dg, e->valuestring)))
			img_finding(im, "image.no_manifest", e->valuestring,
			            "the image lists digest %.80s, none of its verified manifests",
			            e->valuestring);
	}
	for (int i = 0; i < o->ndocs; i++) {
		const cJSON *m = o->manifest_docs[i];
		const char *cd = jstr(cJSON_GetObjectItemCaseSensitive(m, "config"), "digest");
		if (cfgdigest && (!cd || strcmp(cd, cfgdigest) != 0))
			img_finding(im, "image.config_mismatch", im->idstr,
			            "manifest %s names config %.80s, the image's is %s",
			            o->manifest_doc_digest[i].str, cd ? cd : "(none)", cfgdigest);
		const cJSON *ls = cJSON_GetObjectItemCaseSensitive(m, "layers");
		if (cJSON_IsArray(ls) && ndiff >= 0 && cJSON_GetArraySize(ls) != ndiff)
			img_finding(im, "image.diffid_count", o->manifest_doc_digest[i].str,
			            "manifest lists %d layers, the config %d diff_ids",
			            cJSON_GetArraySize(ls), ndiff);
	}
}

/* Does a layer of the chain below `top` carry a toc-digest? */
static int chain_has_toc(struct csctx *c, const char *top)
{
	int steps = 0;
	for (struct cslayer *l = top ? find_layer(c, top) : NULL; l && steps < 4096;
	     l = find_layer(c, l->parent), steps++)
		if (l->toc) return 1;
	return 0;
}

/* rootfs.diff_ids of a verified config; -1 (with a finding) if unusable. */
static int parse_diff_ids(struct csimage *im, const char *cfg, size_t len, digest_t **out)
{
	cJSON *conf = jsondoc_parse(cfg, len); /* one meaning, as the engine reads it */
	int bad;
	digest_t *d = NULL;
	int n = oci_config_diff_ids(conf, 10000, &d, &bad);
	cJSON_Delete(conf);
	if (n == -1) img_finding(im, "json.malformed", im->idstr, "config has no rootfs.diff_ids");
	else if (n == -2)
		img_finding(im, "json.too_large", im->idstr, "config has over 10000 diff_ids");
	else if (bad >= 0)
		img_finding(im, "json.malformed", im->idstr, "diff_ids[%d] is not a sha256 digest",
		            bad);
	if (n < 0 || bad >= 0) {
		free(d);
		return -1;
	}
	*out = d;
	return n;
}

/* The image's report entry (not yet committed): its store and names. */
static struct image *image_entry(struct csctx *c, const cJSON *rec)
{
	struct image *img = model_image_new(c->label);
	const cJSON *e;
	cJSON_ArrayForEach (e, cJSON_GetObjectItemCaseSensitive(rec, "names"))
		if (cJSON_IsString(e)) image_add_name(img, e->valuestring);
	return img;
}

/* The record's id, usable as one path component: 0 (im->id, im->idstr and,
 * for a sha256 hex id, the entry's image ID set), else -1 (said). */
static int take_image_id(struct csimage *im, const cJSON *rec, int index)
{
	struct csctx *c = im->c;
	const char *id = jstr(rec, "id");
	if (!id || !safe_component(id)) {
		cleanup_free char *subj =
		        xasprintf("%s/%s-images/images.json", c->rootpath, c->driver);
		img_finding(im, id ? "store.bad_path" : "json.malformed", subj,
		            "image record %d has %s id", index, id ? "an unsafe" : "no");
		return -1;
	}
	im->id = id;
	snprintf(im->idstr, sizeof im->idstr, ea_is_hex64(id, strlen(id)) ? "sha256:%s" : "%.70s",
	         id);
	if (ea_is_hex64(id, strlen(id))) digest_parse(im->idstr, &im->img->config, NULL);
	return 0;
}

/* No config item named after the image ID verified: either a finding was
 * made about it already, or it is not there at all. */
static void config_missing(struct csimage *im, const cJSON *rec)
{
	struct csctx *c = im->c;
	char config_key[80];
	snprintf(config_key, sizeof config_key, "sha256:%s", im->id);
	int listed = 0;
	const cJSON *e;
	cJSON_ArrayForEach (e, cJSON_GetObjectItemCaseSensitive(rec, "big-data-names"))
		listed |= cJSON_IsString(e) && !strcmp(e->valuestring, config_key);
	if (!listed && chain_has_toc(c, jstr(rec, "layer"))) {
		/* containers/image names an image with a layer pulled by its
		 * TOC (a zstd:chunked partial pull) after the TOCs, not after
		 * its config: not a tampered ID, but not checked here either */
		cleanup_free char *part =
		        xasprintf("image %s of %s (a partial pull: layers identified by TOC)",
		                  im->idstr, c->label);
		report_unchecked(
		        c->r, part,
		        "images pulled by TOC (zstd:chunked) are not verified by this version");
		image_raise(im->img, VERDICT_INCOMPLETE);
	} else if (!listed) {
		img_finding(im, "image.config_mismatch", im->idstr,
		            "no config item named after the image ID");
	}
}

/* The layer chain from top down by parent into chain[] (at most cap): its
 * length; *broken is 1 when a layer is missing (said), 2 past cap. */
static int walk_chain(struct csimage *im, const char *top, struct cslayer **chain, int cap,
                      int *broken)
{
	int m = 0;
	for (const char *lid = (top && *top) ? top : NULL; lid;) {
		struct cslayer *l = find_layer(im->c, lid);
		if (!l) {
			img_finding(im, "layer.missing", lid,
			            "layer %.80s of image %.80s is not in layers.json", lid,
			            im->id);
			*broken = 1;
			break;
		}
		if (m >= cap) {
			*broken = 2;
			break;
		}
		chain[m++] = l;
		lid = l->parent;
	}
	return m;
}

/* Verify layer l against its diffID and record it in its entry lr. */
static void chain_layer(struct csimage *im, struct cslayer *l, const digest_t *diff,
                        struct layer *lr)
{
	model_set_str(&lr->layer_id, l->id);
	if (l->compressed) model_set_str(&lr->compressed_digest, l->compressed);
	verify_layer(im->c, l, diff);
	if (l->s.path[0]) model_set_str(&lr->path, l->s.path);
	lr->on_disk_check = l->s.state;
	lr->files = (int64_t)l->s.files;
	image_raise(im->img, l->s.verdict);
	if (!l->s.done) image_raise(im->img, VERDICT_INCOMPLETE);
}

/* The diff_ids bottom-up, each with its chain ID and the layer of chain[]
 * (m layers, top-down) it lines up with, verified ("layers" and
 * "chain_ids", both present even when empty). */
static void check_layers(struct csimage *im, struct cslayer **chain, int m, int broken,
                         const digest_t *diffs, int nd)
{
	im->img->has_layers = 1;
	image_set_chain_ids(im->img, diffs, nd);
	cleanup_free struct layer_pkgs **lp = xcalloc((size_t)nd + 1, sizeof *lp);
	int aligned = 1;
	for (int i = 0; i < nd; i++) {
		struct layer *lr = image_add_layer(im->img);
		lr->diff_id = diffs[i];
		lr->chain_id = im->img->chain_ids[i];
		/* chain[] runs top-down; diff_ids bottom-up: align at the base */
		struct cslayer *l = (!broken && aligned && i < m) ? chain[m - 1 - i] : NULL;
		/* a chain of the wrong length: its layers are checked from the base
		 * up as long as they still line up with the diff_ids, so that one
		 * skipped or extra layer is one finding, not one per layer above it */
		if (l && m != nd && (!l->has_diff || !digest_equal(&l->diff, &diffs[i]))) {
			aligned = 0;
			l = NULL;
		}
		if (l) {
			chain_layer(im, l, &diffs[i], lr);
			lp[i] = l->s.done ? l->s.pkgs : NULL;
		} else {
			lr->on_disk_check = broken == 1 ? CHECK_MISSING : CHECK_NOT_CHECKED;
			/* a finding about the chain was made above */
			image_raise(im->img, VERDICT_FAIL);
		}
	}
	if (nd > 0) image_set_inventory(im->c->r, im->img, layerdb_fold(lp, NULL, nd));
}

/* The layer chain, top to bottom by parent (walked even without a usable
 * config, nd < 0: a missing layer is a finding of its own), then bottom-up
 * against the nd diff_ids. */
static void check_chain(struct csimage *im, const cJSON *rec, const digest_t *diffs, int nd)
{
	if (im->c->layers_bad) { /* layers.json was reported unreadable: nothing to walk */
		image_raise(im->img, VERDICT_INCOMPLETE);
		return;
	}
	const char *top = jstr(rec, "layer");
	int cap = nd >= 0 ? nd + 1
	                  : 4096; /* past it: longer than the config says, or a parent loop */
	cleanup_free struct cslayer **chain = xcalloc((size_t)cap + 1, sizeof *chain);
	int broken = 0;
	int m = walk_chain(im, top, chain, cap, &broken);
	if (nd < 0) return;
	if (broken != 1 && m != nd) {
		img_finding(im, "image.diffid_count", im->idstr,
		            "the config has %d diff_ids, the layer chain from %.80s %s %d layers",
		            nd, top ? top : "(none)", broken == 2 ? "more than" : "has", m);
	}
	check_layers(im, chain, m, broken, diffs, nd);
}

/* Free what the big-data check handed on, and bd itself. */
static void free_bigdata(struct bigdata_out *bd)
{
	free(bd->config);
	free(bd->manifest);
	for (int i = 0; i < bd->ndocs; i++) cJSON_Delete(bd->manifest_docs[i]);
	free(bd);
}

/* An image with a usable id: its big data, its manifests, its layers. */
static void audit_image_data(struct csimage *im, const cJSON *rec)
{
	struct bigdata_out *bd = xcalloc(1, sizeof *bd); /* ~14 KB: off the (thread) stack */
	cleanup_free digest_t *diffs = NULL;
	int nd = -1;
	check_big_data(im, rec, bd);
	if (!bd->config) config_missing(im, rec);
	else nd = parse_diff_ids(im, bd->config, bd->config_len, &diffs);
	const char *dg = jstr(rec, "digest");
	/* the manifest kept is the one that hashes to dg: dg parses */
	if (dg && bd->manifest) digest_parse(dg, &im->img->manifest_digest, NULL);
	check_manifests(im, rec, bd, nd, bd->config ? bd->config_key : NULL);
	check_chain(im, rec, diffs, nd);
	free_bigdata(bd);
}

/* The image's verdict, after what the signature policy says, and its entry
 * into the report. */
static void finish_image(struct csimage *im)
{
	struct csctx *c = im->c;
	/* containers/storage keeps signatures only as containers/image's own
	 * big-data items, which edgeaudit does not read. */
	digest_t image_id;
	if (c->pol && digest_parse(im->idstr, &image_id, NULL) == 0 &&
	    store_sig_unavailable(c->r, c->pol, im->img, &image_id))
		image_raise(im->img, VERDICT_FAIL);
	model_image_commit(c->r, im->img);
	c->nimages++;
}

static void audit_image(struct csctx *c, const cJSON *rec, int index)
{
	struct csimage im = {.c = c, .img = image_entry(c, rec)};
	if (take_image_id(&im, rec, index) == 0) audit_image_data(&im, rec);
	finish_image(&im);
}

/* Containers name the image they run and their own (read-write) layer:
 * both must exist.  The read-write layer itself changes while the container
 * runs and is not verified. */
static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The first name of image record `id` in images, or NULL. */
static const char *image_name(const cJSON *images, const char *id)
{
	const cJSON *a;
	cJSON_ArrayForEach (a, images) {
		const char *i = jstr(a, "id");
		if (i && id && !strcmp(i, id)) {
			const cJSON *n =
			        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(a, "names"), 0);
			return cJSON_IsString(n) ? n->valuestring : NULL;
		}
	}
	return NULL;
}

/* The drift of container record ct (overlay driver): its layer's folder
 * over its parents' (the image's layers, top-down). */
static void container_drift(struct csctx *c, const cJSON *ct, const cJSON *images)
{
	const char *cid = jstr(ct, "id"), *lay = jstr(ct, "layer"), *img = jstr(ct, "image");
	struct cslayer *top = lay ? find_layer(c, lay) : NULL;
	if (!cid || !top || !safe_component(lay)) return; /* layer.missing said, or no id */
	const cJSON *n = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(ct, "names"), 0);
	const char *name = cJSON_IsString(n) ? n->valuestring : cid;
	const char *iname = image_name(images, img);
	char *lower[DRIFT_MAX_LOWER];
	int nl = 0;
	for (struct cslayer *l = top->parent ? find_layer(c, top->parent) : NULL;
	     l && nl < DRIFT_MAX_LOWER && safe_component(l->id);
	     l = l->parent ? find_layer(c, l->parent) : NULL)
		lower[nl++] = xasprintf("overlay/%s/diff", l->id);
	cleanup_free char *upper = xasprintf("overlay/%s/diff", lay);
	struct drift_target t = {.r = c->r,
	                         .root = c->root,
	                         .rootpath = c->rootpath,
	                         .runtime = "containers-storage",
	                         .id = cid,
	                         .name = name,
	                         .image = iname ? iname
	                                  : img ? img
	                                        : "unknown",
	                         .upper_rel = upper,
	                         .lower_rel = (const char *const *)lower,
	                         .nlower = nl,
	                         .engine_paths = drift_podman_paths,
	                         .allow = c->drift_allow};
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(c->sj, "containers");
	if (!arr) arr = cJSON_AddArrayToObject(c->sj, "containers");
	cJSON_AddItemToArray(arr, drift_scan(&t));
	for (int i = 0; i < nl; i++) free(lower[i]);
}

static void check_containers(struct csctx *c, const char **ids, size_t nids, const cJSON *images)
{
	char rel[200];
	snprintf(rel, sizeof rel, "%s-containers/containers.json", c->driver);
	int bad;
	cJSON *cs = load_array(c, rel, &bad);
	const cJSON *ct;
	cJSON_ArrayForEach (ct, cs) {
		const char *img = jstr(ct, "image"), *lay = jstr(ct, "layer"),
		           *cid = jstr(ct, "id");
		if (img && *img && !c->images_bad &&
		    !(ids && bsearch(&img, ids, nids, sizeof *ids, str_cmp))) {
			cleanup_free char *subj = ea_is_hex64(img, strlen(img))
			                                  ? xasprintf("sha256:%s", img)
			                                  : xasprintf("%.80s", img);
			report_finding(
			        c->r, "image.missing", subj,
			        "%s: container %.80s uses image %.80s, which is not in images.json",
			        c->label, cid ? cid : "?", img);
		}
		if (lay && *lay && !c->layers_bad && !find_layer(c, lay))
			report_finding(
			        c->r, "layer.missing", lay,
			        "%s: container %.80s uses layer %.80s, which is not in layers.json",
			        c->label, cid ? cid : "?", lay);
		if (c->only_image || c->layers_bad) continue;
		if (!strcmp(c->driver, "overlay")) container_drift(c, ct, images);
		else if (!cJSON_GetObjectItemCaseSensitive(c->sj, "containers_not_checked"))
			cJSON_AddStringToObject(c->sj, "containers_not_checked",
			                        "only overlay layer folders are compared");
	}
	cJSON_Delete(cs);
}

/* overlay/.has-mount-program: "true" when the driver runs with a mount
 * program (fuse-overlayfs).  Flipping it cannot hide anything: each form of
 * whiteout read as the other is a finding. */
static int overlay_mount_program(struct csctx *c)
{
	cleanup_free char *data = NULL;
	size_t len = 0;
	ea_error_t err = {0};
	if (fsx_read_file_at(c->root, "overlay/.has-mount-program", 64, &data, &len, &err) < 0) {
		if (err.code != EA_E_NOENT) {
			cleanup_free char *subj =
			        xasprintf("%s/overlay/.has-mount-program", c->rootpath);
			report_finding(c->r,
			               finding_id_for_open_error(err.code, "store.unreadable"),
			               subj, "%s: %s", c->label, err.msg);
		}
		return 0;
	}
	return len >= 4 && !strncmp(data, "true", 4);
}

static void audit_driver(struct csctx *c)
{
	c->aufs_whiteouts = !strcmp(c->driver, "overlay") && overlay_mount_program(c);
	load_layers(c);
	char rel[200];
	snprintf(rel, sizeof rel, "%s-images/images.json", c->driver);
	cJSON *images = load_array(c, rel, &c->images_bad);
	/* image ids, sorted: duplicates (containers/storage keeps one of them,
	 * which one depends on its load order) and the containers' images */
	const char **ids = xcalloc((size_t)cJSON_GetArraySize(images) + 1, sizeof *ids);
	size_t nids = 0;
	const cJSON *a;
	cJSON_ArrayForEach (a, images) {
		const char *id = jstr(a, "id");
		if (id) ids[nids++] = id;
	}
	qsort(ids, nids, sizeof *ids, str_cmp);
	for (size_t k = 1; k < nids; k++)
		if (!strcmp(ids[k - 1], ids[k])) {
			cleanup_free char *subj = xasprintf("%s/%s", c->rootpath, rel);
			report_finding(c->r, "json.malformed", subj,
			               "%s: two image records with id %.80s", c->label, ids[k]);
		}
	int i = 0;
	cJSON_ArrayForEach (a, images) {
		if (ea_stop_requested()) {
			cleanup_free char *part = xasprintf("images of %s", c->label);
			report_unchecked(
			        c->r, part,
			        "stopped before every image was verified (budget or signal)");
			break;
		}
		audit_image(c, a, i++);
	}
	check_containers(c, ids, nids, images);
	free(ids);
	cJSON_Delete(images);
	free_layers(c);
}

/* Drivers are the prefixes of ROOT's "<driver>-images" and "<driver>-layers"
 * folders. */
static int list_drivers(int root, char drivers[][64], int max)
{
	int fd = fcntl(root, F_DUPFD_CLOEXEC, 0);
	if (fd < 0) return 0;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return 0;
	}
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < max) {
		size_t l = strlen(e->d_name);
		size_t cut = 0;
		if (l > 7 && !strcmp(e->d_name + l - 7, "-images")) cut = l - 7;
		else if (l > 7 && !strcmp(e->d_name + l - 7, "-layers")) cut = l - 7;
		if (!cut || cut >= 64) continue;
		struct stat st;
		/* a link in place of the folder is listed too: reading it is then
		 * a store.symlink finding, never a driver passed over in silence */
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !(S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode)))
			continue;
		char name[64];
		memcpy(name, e->d_name, cut);
		name[cut] = '\0';
		int dup = 0;
		for (int i = 0; i < n; i++) dup |= !strcmp(drivers[i], name);
		if (!dup) snprintf(drivers[n++], 64, "%s", name);
	}
	closedir(d);
	return n;
}

static int cmp_driver(const void *a, const void *b) { return strcmp(a, b); }

void store_read_containers_storage(report_t *r, const struct store_spec *spec,
                                   const struct audit_limits *lim, cJSON *sj)
{
	struct csctx c = {.r = r,
	                  .rootpath = spec->path,
	                  .pol = lim->pol,
	                  .only_image = lim->only_image != NULL,
	                  .drift_allow = lim->drift_allow,
	                  .sj = sj};
	snprintf(c.label, sizeof c.label, "containers-storage:%s", spec->path);
	ea_error_t err = {0};
	c.root = fsx_open_root(spec->path, &err);
	if (c.root < 0) {
		report_finding(r, "store.not_found", spec->path, "%s", err.msg);
		return;
	}
	char drivers[CS_MAX_DRIVERS][64];
	int nd = list_drivers(c.root, drivers, CS_MAX_DRIVERS);
	qsort(drivers, (size_t)nd, sizeof drivers[0], cmp_driver);
	if (!nd)
		report_finding(r, "store.unknown_type", spec->path,
		               "%s has no <driver>-images or <driver>-layers folder: not a "
		               "containers/storage root",
		               spec->path);
	cJSON *dj = cJSON_AddArrayToObject(sj, "drivers");
	for (int i = 0; i < nd; i++) {
		memcpy(c.driver, drivers[i], sizeof c.driver);
		c.driver_unchecked = 0;
		cJSON_AddItemToArray(dj, cJSON_CreateString(drivers[i]));
		audit_driver(&c);
	}
	cJSON_AddNumberToObject(sj, "images", c.nimages);
	cJSON_AddNumberToObject(sj, "layers", c.nlayers);
	close(c.root);
}
