/* oci: see oci.h. */
#include "oci.h"

#include "hashpipe.h"
#include "inventory.h"
#include "jsondoc.h"
#include "layerdb.h"
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------ media types */

media_kind_t media_kind(const char *mt, comp_t *comp)
{
	static const struct {
		const char *mt;
		media_kind_t kind;
		comp_t comp;
	} table[] = {
	        {"application/vnd.oci.image.index.v1+json", MT_INDEX, COMP_NONE},
	        {"application/vnd.docker.distribution.manifest.list.v2+json", MT_INDEX, COMP_NONE},
	        {"application/vnd.oci.image.manifest.v1+json", MT_MANIFEST, COMP_NONE},
	        {"application/vnd.docker.distribution.manifest.v2+json", MT_MANIFEST, COMP_NONE},
	        {"application/vnd.oci.image.config.v1+json", MT_CONFIG, COMP_NONE},
	        {"application/vnd.docker.container.image.v1+json", MT_CONFIG, COMP_NONE},
	        {"application/vnd.oci.image.layer.v1.tar", MT_LAYER, COMP_NONE},
	        {"application/vnd.oci.image.layer.v1.tar+gzip", MT_LAYER, COMP_GZIP},
	        {"application/vnd.oci.image.layer.v1.tar+zstd", MT_LAYER, COMP_ZSTD},
	        {"application/vnd.oci.image.layer.nondistributable.v1.tar", MT_LAYER, COMP_NONE},
	        {"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", MT_LAYER,
	         COMP_GZIP},
	        {"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", MT_LAYER,
	         COMP_ZSTD},
	        {"application/vnd.docker.image.rootfs.diff.tar", MT_LAYER, COMP_NONE},
	        {"application/vnd.docker.image.rootfs.diff.tar.gzip", MT_LAYER, COMP_GZIP},
	        {"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", MT_LAYER, COMP_GZIP},
	        {"application/vnd.oci.empty.v1+json", MT_OTHER, COMP_NONE},
	        {"application/vnd.dev.cosign.simplesigning.v1+json", MT_OTHER, COMP_NONE},
	        {"application/vnd.dev.sigstore.bundle.v0.3+json", MT_OTHER, COMP_NONE},
	        {"application/vnd.dev.sigstore.bundle+json;version=0.3", MT_OTHER, COMP_NONE},
	        {"application/vnd.cncf.notary.signature", MT_OTHER, COMP_NONE},
	        {"application/jose+json", MT_OTHER, COMP_NONE},
	        {"application/cose", MT_OTHER, COMP_NONE},
	        {"application/vnd.in-toto+json", MT_OTHER, COMP_NONE},
	        {"application/vnd.dsse.envelope.v1+json", MT_OTHER, COMP_NONE},
	};
	if (comp) *comp = COMP_NONE;
	if (!mt) return MT_UNKNOWN;
	for (unsigned i = 0; i < sizeof table / sizeof table[0]; i++)
		if (!strcmp(mt, table[i].mt)) {
			if (comp) *comp = table[i].comp;
			return table[i].kind;
		}
	return MT_UNKNOWN;
}

/* ------------------------------------------------------------ blob table */

enum { ROLE_LAYER = 1, ROLE_JSON = 2, ROLE_OTHER = 4 };

struct blob {
	digest_t d;
	int64_t size; /* first declared size */
	int size_conflict;
	comp_t comp;
	int want_diff;     /* decompress and compute the diffID */
	int comp_conflict; /* named as a layer with two compressions */
	int magic_checked; /* the first bytes were read (phase 2) */
	char magic[16];    /* what they are: "gzip", "zstd", "bzip2", "xz" or "" */
	int reported_comp; /* its layer.compression_mismatch was emitted */
	unsigned roles;
	unsigned nimages; /* images naming it as a layer */
	int verified;     /* phase 2 ran (or JSON read verified it) */
	int reported;     /* its findings were emitted */
	struct blob_result res;
	struct layer_pkgs *pkgs; /* its package databases (a layer read whole); NULL: none */
	struct blob *next;
};

struct layer_ref {
	struct blob *b;
	char *media_type; /* owned: the manifest's JSON is freed after the walk */
	int64_t size;
};

struct walk_image {
	char **names;
	int nnames;
	char *platform;
	digest_t manifest;
	char *manifest_mt;
	char *artifact_type;
	int is_artifact;
	int sig_object; /* a signature or attestation the verifier consumes */
	char *raw;      /* manifest bytes, kept for signatures */
	size_t rawlen;
	int have_config;
	digest_t config;
	int64_t config_size;
	struct layer_ref *layers;
	int nlayers;
	digest_t *diff_ids;
	int ndiff;
	int diff_ids_bad;       /* malformed diff_ids in config */
	int failed, incomplete; /* from the walk (manifest/config level) */
	struct walk_image *next;
};

#define NBUCKETS 4096

struct oci_ctx {
	report_t *r;
	struct blobsrc *src;
	struct oci_opts o;
	struct blob *buckets[NBUCKETS];
	unsigned nblobs;
	int too_many;
	unsigned walked; /* descriptors walked from the roots (OCI_MAX_WALK) */
	struct walk_image *images, **images_tail;
	struct walk_image *
	        *by_config; /* images (not artifacts) sorted by config digest, built on first use */
	size_t nby_config;
	int nimages;
	/* roots */
	struct root {
		cJSON *desc;
		char **names;
		int nnames;
		char *where;
	} * roots;
	int nroots, roots_cap;
	/* signature candidates (strings borrowed from roots and images) */
	struct sig_candidate *cands;
	int ncands, cands_cap;
	/* phase 2 work list */
	struct blob **work;
	unsigned nwork;
	unsigned next_work; /* atomic */
};

static unsigned bucket_of(const digest_t *d)
{
	return ((unsigned)d->bytes[0] << 8 | d->bytes[1]) % NBUCKETS;
}

static struct blob *blob_find(oci_ctx_t *c, const digest_t *d)
{
	for (struct blob *b = c->buckets[bucket_of(d)]; b; b = b->next)
		if (digest_equal(&b->d, d)) return b;
	return NULL;
}

static struct blob *blob_get(oci_ctx_t *c, const digest_t *d, int64_t size, unsigned role)
{
	struct blob *b = blob_find(c, d);
	if (b) {
		if (size >= 0 && b->size >= 0 && size != b->size) b->size_conflict = 1;
		b->roles |= role;
		return b;
	}
	if (c->nblobs >= OCI_MAX_BLOBS) {
		if (!c->too_many)
			report_finding(c->r, "audit.findings_truncated", c->src->label,
			               "more than %d blobs in one store: the rest are not verified",
			               OCI_MAX_BLOBS);
		c->too_many = 1;
		return NULL;
	}
	b = xcalloc(1, sizeof *b);
	b->d = *d;
	b->size = size;
	b->roles = role;
	b->next = c->buckets[bucket_of(d)];
	c->buckets[bucket_of(d)] = b;
	c->nblobs++;
	return b;
}

/* ------------------------------------------------------------ helpers */

static char *sanitize(const char *s)
{
	/* For subjects taken from hostile JSON: bounded, printable. */
	size_t n = strnlen(s, 200);
	char *o = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++)
		o[i] = (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f ? s[i] : '?';
	o[n] = '\0';
	return o;
}

/* Parse a descriptor; on error emit the finding and return -1. */
struct desc {
	const char *mt;
	digest_t d;
	int64_t size;
	media_kind_t kind;
	comp_t comp;
};

static int parse_desc(oci_ctx_t *c, cJSON *j, const char *where, struct desc *out)
{
	if (!cJSON_IsObject(j)) {
		report_finding(c->r, "json.malformed", where,
		               "%s: a descriptor that is not a JSON object", where);
		return -1;
	}
	cJSON *mt = cJSON_GetObjectItemCaseSensitive(j, "mediaType");
	cJSON *dg = cJSON_GetObjectItemCaseSensitive(j, "digest");
	cJSON *sz = cJSON_GetObjectItemCaseSensitive(j, "size");
	out->mt = cJSON_IsString(mt) ? mt->valuestring : NULL;
	if (!cJSON_IsString(dg)) {
		report_finding(c->r, "descriptor.bad_digest", where,
		               "%s: descriptor has no digest string", where);
		return -1;
	}
	ea_error_t err = {0};
	if (digest_parse(dg->valuestring, &out->d, &err) < 0) {
		cleanup_free char *s = sanitize(dg->valuestring);
		report_finding(c->r,
		               err.code == EA_E_UNSUPPORTED ? "descriptor.unsupported_digest"
		                                            : "descriptor.bad_digest",
		               s, "%s: %s", where, err.msg);
		return -1;
	}
	/* size: an integer in [0, 2^53) (JSON numbers are doubles in cJSON). */
	if (!cJSON_IsNumber(sz) || sz->valuedouble < 0 || sz->valuedouble > 9007199254740991.0 ||
	    floor(sz->valuedouble) != sz->valuedouble) {
		report_finding(c->r, "descriptor.bad_size", out->d.str,
		               "%s: descriptor size is missing, negative or not an integer", where);
		out->size = -1;
	} else {
		out->size = (int64_t)sz->valuedouble;
	}
	out->kind = media_kind(out->mt, &out->comp);
	return 0;
}

/* The finding id of a layer that did not decompress. */
static const char *decomp_id(const struct blob_result *res)
{
	return res->bomb       ? "layer.bomb"
	       : res->trailing ? "layer.trailing_data"
	                       : "layer.decompress_error";
}

/* The findings of a blob whose bytes could not be read (missing, a bad
 * file, unreadable or stopped). */
static void blob_unread_findings(oci_ctx_t *c, const struct blob *b)
{
	const struct blob_result *res = &b->res;
	if (res->status == BLOB_MISSING) {
		report_finding(c->r, "blob.missing", b->d.str, "%s: %s", c->src->label, res->msg);
	} else if (res->status == BLOB_BAD_FILE) {
		report_finding(c->r,
		               res->open_code == EA_E_SYMLINK   ? "store.symlink"
		               : res->open_code == EA_E_BADNAME ? "store.bad_path"
		                                                : "store.special_file",
		               b->d.str, "%s: %s", c->src->label, res->msg);
	} else if (res->interrupted) { /* unchecked, never ok */
		cleanup_free char *why = xasprintf("%s: %s", c->src->label, res->msg);
		report_unchecked_kind(c->r, "audit.interrupted", b->d.str, why);
		if (res->diff_wanted && res->decomp_error) /* found before the stop */
			report_finding(c->r, decomp_id(res), b->d.str, "%s: %s layer: %s",
			               c->src->label, comp_name(res->comp), res->decomp_msg);
	} else {
		report_finding(c->r, "store.unreadable", b->d.str, "%s: %s", c->src->label,
		               res->msg);
	}
}

/* The findings of a blob whose bytes were read: digest, size, inflate. */
static void blob_read_findings(oci_ctx_t *c, const struct blob *b)
{
	const struct blob_result *res = &b->res;
	if (res->digest_mismatch)
		report_finding(c->r, "blob.digest_mismatch", b->d.str, "%s: content hashes to %s",
		               c->src->label, res->got.str);
	if (res->size_mismatch)
		report_finding(c->r, "blob.size_mismatch", b->d.str,
		               "%s: %llu bytes, descriptor says %lld%s", c->src->label,
		               (unsigned long long)res->size, (long long)b->size,
		               res->status == BLOB_SIZE_MISMATCH && !res->got.str[0]
		                       ? ": content not read"
		                       : "");
	if (res->diff_wanted && res->decomp_error)
		report_finding(c->r, decomp_id(res), b->d.str, "%s: %s layer: %s", c->src->label,
		               comp_name(res->comp), res->decomp_msg);
}

/* A blob check's verdict: 0 ok, 1 failed (integrity), 2 incomplete. */
static int blob_verdict(const struct blob_result *res)
{
	int rc = 0;
	if (res->status == BLOB_MISSING || res->status == BLOB_BAD_FILE || res->digest_mismatch ||
	    res->size_mismatch)
		rc = 1;
	else if (res->status == BLOB_UNREADABLE) rc = 2;
	if (res->diff_wanted && res->decomp_error) rc = res->bomb ? (rc ? rc : 2) : 1;
	return rc;
}

/* The findings of a blob check, said once per blob, and its verdict:
 * 0 ok, 1 failed (integrity), 2 incomplete. */
static int blob_findings(oci_ctx_t *c, struct blob *b)
{
	if (!b->reported) {
		b->reported = 1;
		int unread = b->res.status == BLOB_MISSING || b->res.status == BLOB_BAD_FILE ||
		             b->res.status == BLOB_UNREADABLE;
		if (unread) blob_unread_findings(c, b);
		else blob_read_findings(c, b);
	}
	return blob_verdict(&b->res);
}

/* A descriptor other than the blob's first, declaring another size: held
 * to its own size (blob_findings holds the blob to the first).  Returns 1
 * (and says so) when it differs from the bytes. */
static int desc_size_check(oci_ctx_t *c, const struct blob *b, int64_t declared, const char *where)
{
	if (!b || !b->verified || declared < 0 || declared == b->size) return 0;
	if (b->res.status == BLOB_MISSING || b->res.status == BLOB_BAD_FILE ||
	    b->res.status == BLOB_UNREADABLE)
		return 0;
	if ((uint64_t)declared == b->res.size) return 0;
	report_finding(c->r, "blob.size_mismatch", b->d.str,
	               "%s: %s: %llu bytes, this descriptor says %lld (descriptors disagree)",
	               c->src->label, where, (unsigned long long)b->res.size, (long long)declared);
	return 1;
}

/* Read a JSON blob (index, manifest, config) verified against its digest.
 * Emits findings; returns the parsed document or NULL.  *raw receives the
 * exact bytes when asked (manifests: signatures sign them). */
static cJSON *read_json_blob(oci_ctx_t *c, const struct desc *ds, size_t max, const char *what,
                             char **raw, size_t *rawlen, int *failed)
{
	struct blob *b = blob_get(c, &ds->d, ds->size, ROLE_JSON);
	if (!b) return NULL;
	if (ds->size > (int64_t)max) {
		report_finding(c->r, "json.too_large", ds->d.str,
		               "%s %s declares %lld bytes, over the %zu-byte limit", what,
		               c->src->label, (long long)ds->size, max);
		*failed = 2;
		return NULL;
	}
	struct blob_region reg = {.fd = -1};
	ea_error_t err = {0};
	if (blobsrc_open(c->src, &ds->d, &reg, &err) < 0) {
		b->res.status = err.code == EA_E_NOENT ? BLOB_MISSING
		                : (err.code == EA_E_SYMLINK || err.code == EA_E_NOTREG ||
		                   err.code == EA_E_BADNAME)
		                        ? BLOB_BAD_FILE
		                        : BLOB_UNREADABLE;
		b->res.open_code = err.code;
		snprintf(b->res.msg, sizeof b->res.msg, "%s", err.msg);
		b->verified = 1;
		*failed = blob_findings(c, b);
		return NULL;
	}
	if (reg.size > max) {
		report_finding(c->r, "json.too_large", ds->d.str,
		               "%s %s is %llu bytes, over the %zu-byte limit", what, reg.where,
		               (unsigned long long)reg.size, max);
		blob_region_close(&reg);
		*failed = 2;
		if (b->size >= 0 && reg.size != (uint64_t)b->size) {
			/* Larger than its descriptor says (which is within the
			 * limit): a size mismatch too, found without reading it. */
			memset(&b->res, 0, sizeof b->res);
			b->res.status = BLOB_SIZE_MISMATCH;
			b->res.size_mismatch = 1;
			b->res.size = reg.size;
			b->verified = 1;
			*failed = blob_findings(c, b);
		}
		return NULL;
	}
	char *buf = xmalloc(reg.size + 1);
	if (blob_region_pread(&reg, buf, reg.size, 0, &err) < 0) {
		b->res.status = BLOB_UNREADABLE;
		snprintf(b->res.msg, sizeof b->res.msg, "%s", err.msg);
		b->verified = 1;
		free(buf);
		blob_region_close(&reg);
		*failed = blob_findings(c, b);
		return NULL;
	}
	buf[reg.size] = '\0';
	if (!b->verified) {
		memset(&b->res, 0, sizeof b->res);
		b->res.size = reg.size;
		digest_buffer(ds->d.alg, buf, reg.size, &b->res.got);
		b->res.digest_mismatch = !digest_equal(&b->res.got, &ds->d);
		b->res.size_mismatch = b->size >= 0 && (uint64_t)b->size != reg.size;
		b->res.status = b->res.digest_mismatch ? BLOB_DIGEST_MISMATCH
		                : b->res.size_mismatch ? BLOB_SIZE_MISMATCH
		                                       : BLOB_OK;
		b->verified = 1;
	}
	blob_region_close(&reg);
	int bf = blob_findings(c, b);
	if (desc_size_check(c, b, ds->size, what)) bf = 1;
	if (bf == 1 && b->res.digest_mismatch) {
		/* Content that does not match its digest is not trusted further. */
		free(buf);
		*failed = 1;
		return NULL;
	}
	if (bf) *failed = bf;
	cJSON *doc = jsondoc_parse(buf, reg.size); /* one meaning, as the engine reads it */
	if (!doc || !cJSON_IsObject(doc)) {
		report_finding(c->r, "json.malformed", ds->d.str,
		               "%s %s is not one JSON object (syntax, data after it, or member "
		               "names twice)",
		               what, c->src->label);
		cJSON_Delete(doc);
		free(buf);
		*failed = *failed ? *failed : 2;
		return NULL;
	}
	if (raw) {
		*raw = buf;
		*rawlen = reg.size;
	} else {
		free(buf);
	}
	return doc;
}

/* ------------------------------------------------------------ the walk */

static void walk(oci_ctx_t *c, cJSON *descj, char **names, int nnames, const char *platform,
                 const char *where, int depth);

static char *platform_string(cJSON *desc)
{
	cJSON *p = cJSON_GetObjectItemCaseSensitive(desc, "platform");
	if (!cJSON_IsObject(p)) return NULL;
	const char *os = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "os"));
	const char *arch =
	        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "architecture"));
	const char *var = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "variant"));
	if (!os || !arch) return NULL;
	cleanup_free char *s =
	        var ? xasprintf("%s/%s/%s", os, arch, var) : xasprintf("%s/%s", os, arch);
	return sanitize(s);
}

static void walk_index(oci_ctx_t *c, const struct desc *ds, char **names, int nnames, int depth)
{
	int failed = 0;
	cJSON *doc = read_json_blob(c, ds, OCI_MAX_INDEX_BYTES, "index", NULL, NULL, &failed);
	if (!doc) return;
	cJSON *ms = cJSON_GetObjectItemCaseSensitive(doc, "manifests");
	if (!cJSON_IsArray(ms)) {
		report_finding(c->r, "json.malformed", ds->d.str, "index %s has no manifests array",
		               c->src->label);
		cJSON_Delete(doc);
		return;
	}
	int i = 0;
	cJSON *m;
	cJSON_ArrayForEach (m, ms) {
		char where[128];
		snprintf(where, sizeof where, "index %.19s manifests[%d]", ds->d.str, i++);
		cleanup_free char *plat = platform_string(m);
		walk(c, m, names, nnames, plat, where, depth + 1);
	}
	cJSON_Delete(doc);
}

static void add_layer(oci_ctx_t *c, struct walk_image *img, cJSON *lj, int idx)
{
	char where[96];
	snprintf(where, sizeof where, "manifest %.19s layers[%d]", img->manifest.str, idx);
	struct desc ds;
	struct layer_ref *L = &img->layers[img->nlayers];
	if (parse_desc(c, lj, where, &ds) < 0) {
		img->failed = 1;
		L->b = NULL;
		L->media_type = NULL;
		img->nlayers++;
		return;
	}
	if (ds.size < 0) img->failed = 1;
	int is_layer = ds.kind == MT_LAYER;
	if (!img->is_artifact && !is_layer) {
		cleanup_free char *mt = sanitize(ds.mt ? ds.mt : "(none)");
		report_finding(
		        c->r, "mediatype.unknown", ds.d.str,
		        "%s: layer media type '%s' is not one edgeaudit can verify as a layer",
		        where, mt);
		img->incomplete = 1;
	}
	struct blob *b = blob_get(c, &ds.d, ds.size,
	                          is_layer && !img->is_artifact ? ROLE_LAYER : ROLE_OTHER);
	if (b && is_layer && !img->is_artifact) {
		if (!b->want_diff) b->comp = ds.comp;
		else if (b->comp != ds.comp) b->comp_conflict = 1;
		b->want_diff = 1;
		b->nimages++;
	}
	L->b = b;
	L->media_type = ds.mt ? xstrdup(ds.mt) : NULL;
	L->size = ds.size;
	img->nlayers++;
}

/* Media types of the signatures and attestations sig.c consumes: the only
 * manifests exempt from the signature policy. */
static int sig_media(const char *mt)
{
	static const char *const types[] = {
	        "application/vnd.dev.cosign.simplesigning.v1+json",
	        "application/vnd.dev.sigstore.bundle.v0.3+json",
	        "application/vnd.dev.sigstore.bundle+json;version=0.3",
	        "application/vnd.cncf.notary.signature",
	        "application/vnd.dsse.envelope.v1+json",
	        "application/vnd.in-toto+json",
	};
	for (unsigned i = 0; mt && i < sizeof types / sizeof types[0]; i++)
		if (!strcmp(mt, types[i])) return 1;
	return 0;
}

/* A signature manifest: its artifactType or config says so, or every
 * layer is a signature (cosign's simple-signing images). */
static int is_sig_object(cJSON *doc)
{
	cJSON *cfg = cJSON_GetObjectItemCaseSensitive(doc, "config");
	if (sig_media(
	            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "artifactType"))) ||
	    sig_media(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cfg, "mediaType"))))
		return 1;
	cJSON *layers = cJSON_GetObjectItemCaseSensitive(doc, "layers"), *l;
	if (!cJSON_IsArray(layers) || !cJSON_GetArraySize(layers)) return 0;
	cJSON_ArrayForEach (l, layers)
		if (!sig_media(
		            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(l, "mediaType"))))
			return 0;
	return 1;
}

/* An image config: its rootfs.diff_ids, each a sha256 digest. */
static void read_diff_ids(oci_ctx_t *c, struct walk_image *img, const struct desc *cd)
{
	int cf = 0;
	cJSON *conf = read_json_blob(c, cd, OCI_MAX_CONFIG_BYTES, "config", NULL, NULL, &cf);
	if (cf == 1) img->failed = 1;
	if (cf == 2) img->incomplete = 1;
	if (!conf) return;
	int bad = -1;
	int n = oci_config_diff_ids(conf, 0, &img->diff_ids, &bad);
	cJSON_Delete(conf);
	if (n < 0) {
		report_finding(c->r, "json.malformed", cd->d.str,
		               "config in %s has no rootfs.diff_ids array", c->src->label);
	} else if (bad >= 0) {
		report_finding(c->r, "json.malformed", cd->d.str,
		               "config in %s: diff_ids[%d] is not a sha256 digest", c->src->label,
		               bad);
	}
	img->ndiff = n > 0 ? n : 0;
	if (n < 0 || bad >= 0) {
		img->failed = 1;
		img->diff_ids_bad = 1;
	}
}

/* The manifest's config descriptor: an image config (diff_ids read), an
 * artifact's config (verified by digest), or an unknown media type. */
static void walk_config(oci_ctx_t *c, struct walk_image *img, const struct desc *ds, cJSON *cfg)
{
	struct desc cd;
	char where[96];
	snprintf(where, sizeof where, "manifest %.19s config", ds->d.str);
	if (!cfg) {
		report_finding(c->r, "json.malformed", ds->d.str,
		               "manifest in %s has no config descriptor", c->src->label);
		img->failed = 1;
		return;
	}
	if (parse_desc(c, cfg, where, &cd) < 0) {
		img->failed = 1;
		return;
	}
	img->have_config = 1;
	img->config = cd.d;
	img->config_size = cd.size;
	if (cd.size < 0) img->failed = 1;
	if (cd.kind == MT_CONFIG) {
		read_diff_ids(c, img, &cd);
	} else if (cd.kind == MT_OTHER || img->artifact_type || (cd.mt && strstr(cd.mt, "+json"))) {
		/* An artifact (signature, attestation, SBOM...): its blobs are
		 * verified by digest; there is no rootfs to check. */
		img->is_artifact = 1;
		blob_get(c, &cd.d, cd.size, ROLE_OTHER);
	} else {
		cleanup_free char *mt = sanitize(cd.mt ? cd.mt : "(none)");
		report_finding(c->r, "mediatype.unknown", cd.d.str,
		               "%s: config media type '%s' is unknown", where, mt);
		img->incomplete = 1;
		blob_get(c, &cd.d, cd.size, ROLE_OTHER);
	}
}

static void walk_manifest(oci_ctx_t *c, const struct desc *ds, char **names, int nnames,
                          const char *platform)
{
	int failed = 0;
	char *raw = NULL;
	size_t rawlen = 0;
	cJSON *doc =
	        read_json_blob(c, ds, OCI_MAX_MANIFEST_BYTES, "manifest", &raw, &rawlen, &failed);
	struct walk_image *img = xcalloc(1, sizeof *img);
	img->manifest = ds->d;
	img->manifest_mt = xstrdup(ds->mt ? ds->mt : "");
	img->names = xcalloc((size_t)nnames + 1, sizeof *img->names);
	for (int i = 0; i < nnames; i++) img->names[i] = xstrdup(names[i]);
	img->nnames = nnames;
	img->platform = platform ? xstrdup(platform) : NULL;
	*c->images_tail = img;
	c->images_tail = &img->next;
	c->nimages++;
	if (!doc) {
		img->failed = failed == 2 ? 0 : 1;
		img->incomplete = failed == 2;
		if (!failed) img->failed = 1;
		free(raw);
		return;
	}
	if (failed == 1) img->failed = 1;
	if (failed == 2) img->incomplete = 1;
	if (c->o.pol) {
		img->raw = raw; /* signatures sign these exact bytes */
		img->rawlen = rawlen;
	} else {
		free(raw);
	}

	cJSON *at = cJSON_GetObjectItemCaseSensitive(doc, "artifactType");
	if (cJSON_IsString(at)) img->artifact_type = sanitize(at->valuestring);
	img->sig_object = is_sig_object(doc);
	if (img->sig_object) img->is_artifact = 1; /* its blobs are verified by digest; no rootfs */
	walk_config(c, img, ds, cJSON_GetObjectItemCaseSensitive(doc, "config"));
	cJSON *layers = cJSON_GetObjectItemCaseSensitive(doc, "layers");
	if (cJSON_IsArray(layers)) {
		int n = cJSON_GetArraySize(layers);
		img->layers = xcalloc((size_t)n + 1, sizeof *img->layers);
		int i = 0;
		cJSON *l;
		cJSON_ArrayForEach (l, layers) add_layer(c, img, l, i++);
	} else if (!img->is_artifact) {
		report_finding(c->r, "json.malformed", ds->d.str,
		               "manifest in %s has no layers array", c->src->label);
		img->failed = 1;
	}
	cJSON_Delete(doc);
}

static void walk(oci_ctx_t *c, cJSON *descj, char **names, int nnames, const char *platform,
                 const char *where, int depth)
{
	if (ea_stop_requested()) return;
	/* Content addressing cannot make a cycle, but an index may name the same
	 * index a thousand times, that one the next...: a few small blobs would
	 * unfold into a billion images.  Past the budget, stop and say so. */
	if (++c->walked > OCI_MAX_WALK) {
		if (c->walked == OCI_MAX_WALK + 1)
			report_finding(c->r, "audit.findings_truncated", c->src->label,
			               "%s: more than %d descriptors reached from the roots: the "
			               "rest are not verified",
			               c->src->label, OCI_MAX_WALK);
		return;
	}
	struct desc ds;
	if (parse_desc(c, descj, where, &ds) < 0) return;
	if (depth > OCI_MAX_DEPTH) {
		report_finding(c->r, "json.malformed", ds.d.str,
		               "%s: indexes nested deeper than %d", where, OCI_MAX_DEPTH);
		return;
	}
	switch (ds.kind) {
	case MT_INDEX: walk_index(c, &ds, names, nnames, depth); break;
	case MT_MANIFEST: walk_manifest(c, &ds, names, nnames, platform); break;
	default: {
		/* Not an index or manifest where one belongs: verify the blob and say
		 * its type is not one we can follow. */
		cleanup_free char *mt = sanitize(ds.mt ? ds.mt : "(none)");
		report_finding(c->r, "mediatype.unknown", ds.d.str,
		               "%s: media type '%s' is not an index or manifest", where, mt);
		blob_get(c, &ds.d, ds.size, ROLE_OTHER);
	}
	}
}

/* ------------------------------------------------------------ phase 2 */

/* What the first bytes of a layer blob say it is: containerd and moby
 * decompress by these magic numbers, whatever the media type says. */
static void sniff_magic(struct blob *b)
{
	const unsigned char *h = b->res.head;
	size_t n = b->res.headlen;
	if (!b->verified || !n) return;
	const char *m = comp_sniff(h, n) == COMP_GZIP      ? "gzip"
	                : comp_sniff(h, n) == COMP_ZSTD    ? "zstd"
	                : (n >= 3 && !memcmp(h, "BZh", 3)) ? "bzip2"
	                : (n >= 6 && !memcmp(h,
	                                     "\xfd"
	                                     "7zXZ\0",
	                                     6))
	                        ? "xz"
	                        : "";
	snprintf(b->magic, sizeof b->magic, "%s", m);
	b->magic_checked = 1;
}

/* Does a layer's magic agree with the compression its media type names? */
static int magic_agrees(const struct blob *b)
{
	if (!b->magic_checked) return 1; /* unreadable: the blob's own finding says so */
	switch (b->comp) {
	case COMP_GZIP: return !strcmp(b->magic, "gzip");
	case COMP_ZSTD: return !strcmp(b->magic, "zstd");
	default: return b->magic[0] == '\0'; /* a plain tar: no compressor's magic */
	}
}

static void *worker(void *arg)
{
	oci_ctx_t *c = arg;
	hashpipe_worker_enter();
	for (;;) {
		unsigned i = __atomic_fetch_add(&c->next_work, 1, __ATOMIC_RELAXED);
		if (i >= c->nwork) break;
		if (ea_stop_requested()) continue; /* left unverified: reported as such */
		struct blob *b = c->work[i];
		/* a layer's package databases, kept as its tar goes by for the diffID */
		struct layerdb_tap *t = b->want_diff ? layerdb_tap_new() : NULL;
		struct blob_tap tap = {layerdb_tap_feed, t};
		blobcheck_run_tap(c->src, &b->d, b->size, b->want_diff, b->comp, &c->o.lim,
		                  t ? &tap : NULL, &b->res);
		if (t) {
			int whole = b->res.diff_checked && !b->res.interrupted;
			b->pkgs = layerdb_tap_finish(t, whole);
			if (!whole) layer_pkgs_free(b->pkgs), b->pkgs = NULL;
		}
		__atomic_store_n(&b->verified, 1, __ATOMIC_RELEASE);
	}
	hashpipe_worker_leave(); /* its core is free for a big blob's helper */
	return NULL;
}

static void verify_blobs(oci_ctx_t *c)
{
	c->work = xcalloc(c->nblobs + 1, sizeof *c->work);
	for (unsigned k = 0; k < NBUCKETS; k++)
		for (struct blob *b = c->buckets[k]; b; b = b->next)
			if (!b->verified) c->work[c->nwork++] = b;
	int jobs = c->o.jobs < 1 ? 1 : c->o.jobs;
	hashpipe_budget_set(jobs); /* workers and hashing helpers share --jobs */
	if ((unsigned)jobs > c->nwork) jobs = (int)c->nwork;
	if (jobs <= 1) {
		worker(c);
		return;
	}
	pthread_t th[64];
	int started = 0;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	for (int i = 0; i < jobs - 1 && i < 63; i++)
		if (pthread_create(&th[started], &attr, worker, c) == 0) started++;
	pthread_attr_destroy(&attr);
	worker(c);
	for (int i = 0; i < started; i++) pthread_join(th[i], NULL);
}

/* ------------------------------------------------------------ phase 3 */

static check_t blob_state(const struct blob *b)
{
	if (!b) return CHECK_INVALID;
	if (!b->verified) return CHECK_UNCHECKED;
	switch (b->res.status) {
	case BLOB_MISSING: return CHECK_MISSING;
	case BLOB_BAD_FILE: return CHECK_BAD_FILE;
	case BLOB_UNREADABLE: return b->res.interrupted ? CHECK_INTERRUPTED : CHECK_UNREADABLE;
	case BLOB_DIGEST_MISMATCH: return CHECK_DIGEST_MISMATCH;
	case BLOB_SIZE_MISMATCH: return CHECK_SIZE_MISMATCH;
	default: return b->size_conflict ? CHECK_SIZE_MISMATCH : CHECK_OK;
	}
}

/* Checks of one image's layer descriptor against the blob it names: its
 * own size (a blob shared by two descriptors is held to each), and the
 * compression its media type names against the bytes and the other
 * descriptors.  Returns 1 when the image fails. */
static int layer_descriptor_findings(oci_ctx_t *c, struct walk_image *img, int i,
                                     const struct layer_ref *L)
{
	struct blob *b = L->b;
	int failed = 0;
	char where[96];
	snprintf(where, sizeof where, "layer %d of %.71s", i, img->manifest.str);
	if (desc_size_check(c, b, L->size, where)) failed = 1;
	if (img->is_artifact || !b->want_diff) return failed;
	sniff_magic(b);
	if (b->comp_conflict) {
		if (!b->reported_comp)
			report_finding(c->r, "layer.compression_mismatch", b->d.str,
			               "%s: one blob named as a layer with two compressions",
			               c->src->label);
		b->reported_comp = 1;
		failed = 1;
	} else if (!magic_agrees(b)) {
		if (!b->reported_comp)
			report_finding(c->r, "layer.compression_mismatch", b->d.str,
			               "%s: layer %d of %s: media type says %s, the bytes are %s",
			               c->src->label, i, img->manifest.str, comp_name(b->comp),
			               b->magic[0] ? b->magic : "no compressed stream");
		b->reported_comp = 1;
		failed = 1;
	}
	return failed;
}

/* Layer i of an image in the report: its blob's state and findings, its
 * descriptor's own checks, and its diffID against the config's. */
/* Layer i's blob and diffID into its model record ml. */
static void finish_layer(oci_ctx_t *c, struct walk_image *img, int i, int check_diff,
                         struct layer *ml, struct image *out)
{
	struct layer_ref *L = &img->layers[i];
	ml->blob.state = blob_state(L->b);
	if (!L->b) {
		image_raise(out, VERDICT_FAIL);
		return;
	}
	struct blob *b = L->b;
	ml->blob.digest = b->d;
	if (L->media_type) {
		cleanup_free char *s = sanitize(L->media_type);
		model_set_str(&ml->blob.media_type, s);
	}
	ml->blob.size = L->size;
	if (!b->verified) {
		image_raise(out, VERDICT_INCOMPLETE);
		return;
	}
	int bf = blob_findings(c, b);
	if (bf) image_raise(out, bf == 1 ? VERDICT_FAIL : VERDICT_INCOMPLETE);
	ml->blob.shared_by = b->nimages;
	if (layer_descriptor_findings(c, img, i, L)) image_raise(out, VERDICT_FAIL);
	if (img->is_artifact) return;
	if (b->res.diff_checked) {
		ml->diff_id = b->res.diffid;
		ml->uncompressed_size = (int64_t)b->res.usize;
	}
	ml->diff_id_check = CHECK_UNCHECKED;
	if (check_diff && i < img->ndiff && b->res.diff_checked) {
		if (digest_equal(&b->res.diffid, &img->diff_ids[i])) {
			ml->diff_id_check = CHECK_OK;
		} else {
			ml->diff_id_check = CHECK_MISMATCH;
			report_finding(c->r, "image.diffid_mismatch", b->d.str,
			               "%s: layer %d of %s decompresses to %s, config %s says %s",
			               c->src->label, i, img->manifest.str, b->res.diffid.str,
			               img->config.str, img->diff_ids[i].str);
			image_raise(out, VERDICT_FAIL);
		}
	} else if (check_diff && i < img->ndiff) {
		image_raise(out, VERDICT_INCOMPLETE);
	}
}

/* The model's image for a walked one: what the walk found about it. */
static struct image *image_record(oci_ctx_t *c, const struct walk_image *img)
{
	struct image *out = model_image_new(c->src->label);
	out->artifact = img->is_artifact;
	for (int i = 0; i < img->nnames; i++) {
		cleanup_free char *s = sanitize(img->names[i]);
		image_add_name(out, s);
	}
	model_set_str(&out->platform, img->platform);
	out->manifest_digest = img->manifest;
	if (img->manifest_mt[0]) {
		cleanup_free char *s = sanitize(img->manifest_mt);
		model_set_str(&out->media_type, s);
	}
	model_set_str(&out->artifact_type, img->artifact_type);
	if (img->have_config) out->config = img->config;
	if (img->failed) image_raise(out, VERDICT_FAIL);
	if (img->incomplete) image_raise(out, VERDICT_INCOMPLETE);
	return out;
}

/* The config and other non-layer blobs of the image. */
static void finish_config(oci_ctx_t *c, const struct walk_image *img, struct image *out)
{
	if (!img->have_config) return;
	struct blob *cb = blob_find(c, &img->config);
	if (!cb) return;
	if (!cb->verified) {
		image_raise(out, VERDICT_INCOMPLETE);
		return;
	}
	int bf = blob_findings(c, cb);
	if (bf == 1 || desc_size_check(c, cb, img->config_size, "config"))
		image_raise(out, VERDICT_FAIL);
	if (bf == 2) image_raise(out, VERDICT_INCOMPLETE);
}

/* What the signature policy says of every manifest an engine could run or
 * bind to a name. */
static void finish_signatures(oci_ctx_t *c, const struct walk_image *img, struct image *out)
{
	if (!c->o.pol || img->sig_object) return;
	struct sig_target t = {c->src->label,
	                       (const char *const *)img->names,
	                       img->nnames,
	                       img->manifest,
	                       img->raw,
	                       img->rawlen,
	                       out};
	int rc = sig_verify_image(c->r, c->o.pol, c->src, c->cands, c->ncands, &t);
	out->signature_check = rc > 0    ? CHECK_VERIFIED
	                       : rc == 0 ? CHECK_NOT_REQUIRED
	                                 : CHECK_NOT_VERIFIED;
	if (rc == -1) image_raise(out, VERDICT_FAIL);
}

/* The image's layers applied in order: what is installed. */
static void finish_inventory(oci_ctx_t *c, const struct walk_image *img, struct image *out)
{
	if (img->is_artifact || img->nlayers <= 0) return;
	struct layer_pkgs **lp = xcalloc((size_t)img->nlayers, sizeof *lp);
	char **labels = xcalloc((size_t)img->nlayers, sizeof *labels);
	for (int i = 0; i < img->nlayers; i++) {
		const struct blob *b = img->layers[i].b;
		lp[i] = b && b->verified ? b->pkgs : NULL;
		labels[i] = b ? xasprintf("%d %.19s", i, b->d.str) : xasprintf("%d", i);
	}
	image_set_inventory(c->r, out, layerdb_fold(lp, (const char *const *)labels, img->nlayers));
	for (int i = 0; i < img->nlayers; i++) free(labels[i]);
	free(labels);
	free(lp);
}

static void finish_image(oci_ctx_t *c, struct walk_image *img)
{
	struct image *out = image_record(c, img);
	finish_config(c, img, out);
	out->has_layers = 1;
	int check_diff = !img->is_artifact && !img->diff_ids_bad && img->diff_ids;
	if (check_diff && img->ndiff != img->nlayers) {
		report_finding(c->r, "image.diffid_count", img->manifest.str,
		               "%s: manifest has %d layers, config %s has %d diff_ids",
		               c->src->label, img->nlayers, img->config.str, img->ndiff);
		image_raise(out, VERDICT_FAIL);
	}
	for (int i = 0; i < img->nlayers; i++)
		finish_layer(c, img, i, check_diff, image_add_layer(out), out);
	if (!img->is_artifact && img->diff_ids && img->ndiff > 0)
		image_set_chain_ids(out, img->diff_ids, img->ndiff);
	finish_signatures(c, img, out);
	finish_inventory(c, img, out);
	model_image_commit(c->r, out);
}

/* ------------------------------------------------------------ API */

int oci_config_diff_ids(const cJSON *conf, int max, digest_t **out, int *bad)
{
	*out = NULL;
	*bad = -1;
	const cJSON *ids = cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(conf, "rootfs"), "diff_ids");
	if (!cJSON_IsArray(ids)) return -1;
	int total = cJSON_GetArraySize(ids);
	if (max > 0 && total > max) return -2;
	digest_t *d = *out = xcalloc((size_t)total + 1, sizeof *d);
	int n = 0;
	const cJSON *e;
	cJSON_ArrayForEach (e, ids) {
		if (!cJSON_IsString(e) || digest_parse(e->valuestring, &d[n], NULL) < 0 ||
		    d[n].alg != DIGEST_SHA256) {
			*bad = n;
			break;
		}
		n++;
	}
	return n;
}

oci_ctx_t *oci_new(report_t *r, struct blobsrc *src, const struct oci_opts *o)
{
	oci_ctx_t *c = xcalloc(1, sizeof *c);
	c->r = r;
	c->src = src;
	c->o = *o;
	if (!c->o.lim.max_layer_bytes) c->o.lim.max_layer_bytes = BLOBCHECK_MAX_LAYER_BYTES;
	if (!c->o.lim.max_ratio) c->o.lim.max_ratio = BLOBCHECK_MAX_RATIO;
	c->images_tail = &c->images;
	return c;
}

void oci_add_root(oci_ctx_t *c, cJSON *desc, const char *const *names, int nnames,
                  const char *where)
{
	if (c->nroots == c->roots_cap) {
		c->roots_cap = c->roots_cap ? c->roots_cap * 2 : 16;
		c->roots = xrealloc(c->roots, (size_t)c->roots_cap * sizeof *c->roots);
	}
	struct root *rt = &c->roots[c->nroots++];
	rt->desc = desc;
	rt->names = xcalloc((size_t)nnames + 1, sizeof *rt->names);
	for (int i = 0; i < nnames; i++) rt->names[i] = xstrdup(names[i]);
	rt->nnames = nnames;
	rt->where = xstrdup(where);
}

static void add_cand(oci_ctx_t *c, const digest_t *d, const char *mt, const char *at,
                     const char *tag)
{
	for (int i = 0; i < c->ncands; i++)
		if (digest_equal(&c->cands[i].digest, d)) {
			if (!c->cands[i].tag) c->cands[i].tag = tag;
			return;
		}
	if (c->ncands == c->cands_cap) {
		c->cands_cap = c->cands_cap ? c->cands_cap * 2 : 16;
		c->cands = xrealloc(c->cands, (size_t)c->cands_cap * sizeof *c->cands);
	}
	struct sig_candidate *k = &c->cands[c->ncands++];
	k->digest = *d;
	k->media_type = mt;
	k->artifact_type = at;
	k->tag = tag;
}

static int root_named(const struct root *rt, const char *name)
{
	for (int i = 0; i < rt->nnames; i++)
		if (!strcmp(rt->names[i], name)) return 1;
	return 0;
}

struct bound_name {
	const char *name;
	const char *digest;
	const char *where;
};

static int bound_cmp(const void *a, const void *b)
{
	const struct bound_name *x = a, *y = b;
	int r = strcmp(x->name, y->name);
	return r ? r : strcmp(x->digest, y->digest);
}

/* One name bound to two different manifests (by any of the sources the
 * store reader gave): the consumers could run either. */
static void name_conflicts(oci_ctx_t *c)
{
	size_t n = 0;
	for (int i = 0; i < c->nroots; i++) n += (size_t)c->roots[i].nnames;
	if (n < 2) return;
	struct bound_name *v = xcalloc(n, sizeof *v);
	size_t k = 0;
	for (int i = 0; i < c->nroots; i++) {
		const char *dg = cJSON_GetStringValue(
		        cJSON_GetObjectItemCaseSensitive(c->roots[i].desc, "digest"));
		for (int j = 0; j < c->roots[i].nnames; j++)
			v[k++] = (struct bound_name){c->roots[i].names[j], dg ? dg : "",
			                             c->roots[i].where};
	}
	qsort(v, n, sizeof *v, bound_cmp);
	for (size_t i = 1; i < n; i++) {
		if (strcmp(v[i].name, v[i - 1].name) || !strcmp(v[i].digest, v[i - 1].digest))
			continue;
		if (i >= 2 && !strcmp(v[i].name, v[i - 2].name)) continue; /* said once per name */
		cleanup_free char *nm = sanitize(v[i].name), *d0 = sanitize(v[i - 1].digest),
		                  *d1 = sanitize(v[i].digest);
		report_finding(c->r, "image.name_conflict", nm,
		               "%s: '%s' names %s (%s) and %s (%s)", c->src->label, nm, d0,
		               v[i - 1].where, d1, v[i].where);
	}
	free(v);
}

int oci_run(oci_ctx_t *c)
{
	int walked = 0;
	name_conflicts(c);
	for (int i = 0; i < c->nroots; i++) {
		struct root *rt = &c->roots[i];
		if (c->o.pol) {
			digest_t d;
			const char *dg = cJSON_GetStringValue(
			        cJSON_GetObjectItemCaseSensitive(rt->desc, "digest"));
			if (dg && digest_parse(dg, &d, NULL) == 0)
				add_cand(c, &d,
				         cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
				                 rt->desc, "mediaType")),
				         cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
				                 rt->desc, "artifactType")),
				         rt->nnames ? rt->names[0] : NULL);
		}
		int named = !c->o.only_image || root_named(rt, c->o.only_image);
		if (named) walked++;
		if (!named && !(c->o.all_roots && c->o.pol)) continue;
		cleanup_free char *plat = platform_string(rt->desc);
		walk(c, rt->desc, rt->names, rt->nnames, plat, rt->where, 0);
	}
	if (c->o.only_image && !walked)
		report_finding(c->r, "image.missing", c->o.only_image, "%s: no image named '%s'",
		               c->src->label, c->o.only_image);
	if (c->o.pol)
		for (struct walk_image *img = c->images; img; img = img->next)
			if (img->is_artifact)
				add_cand(c, &img->manifest, img->manifest_mt, img->artifact_type,
				         NULL);
	verify_blobs(c);
	int skipped = 0;
	for (unsigned k = 0; k < c->nwork; k++)
		if (!c->work[k]->verified) skipped++;
	for (struct walk_image *img = c->images; img; img = img->next) finish_image(c, img);
	/* Blobs no image claims (e.g. under an unknown media type) still get their findings. */
	for (unsigned k = 0; k < NBUCKETS; k++)
		for (struct blob *b = c->buckets[k]; b; b = b->next)
			if (b->verified && !b->reported) blob_findings(c, b);
	if (skipped) {
		char *part = xasprintf("%d blobs of %s", skipped, c->src->label);
		report_unchecked_kind(c->r, "audit.interrupted", part,
		                      "stopped before they were verified (budget or signal)");
		free(part);
	}
	return c->nimages;
}

int oci_referenced(oci_ctx_t *c, const digest_t *d) { return blob_find(c, d) != NULL; }

int oci_trusted_layer(oci_ctx_t *c, const digest_t *chain, digest_t *blob, comp_t *comp,
                      digest_t *diffid)
{
	for (struct walk_image *img = c->images; img; img = img->next) {
		if (img->is_artifact || !img->diff_ids || img->ndiff != img->nlayers) continue;
		digest_t cur = img->diff_ids[0];
		for (int i = 0; i < img->ndiff; i++) {
			if (i) {
				digest_t next;
				digest_chain(&cur, &img->diff_ids[i], &next);
				cur = next;
			}
			if (!digest_equal(&cur, chain)) continue;
			struct blob *b = img->layers[i].b;
			if (!b || !b->verified || b->res.status != BLOB_OK ||
			    !b->res.diff_checked ||
			    !digest_equal(&b->res.diffid, &img->diff_ids[i]))
				continue;
			*blob = b->d;
			*comp = b->comp;
			*diffid = img->diff_ids[i];
			return 1;
		}
	}
	return 0;
}

static int by_config_cmp(const void *a, const void *b)
{
	return strcmp((*(struct walk_image *const *)a)->config.str,
	              (*(struct walk_image *const *)b)->config.str);
}

/* The images with a config, sorted by its digest: a manifest.json of
 * thousands of entries is looked up in log time, not image by image. */
static void index_by_config(oci_ctx_t *c)
{
	size_t n = 0;
	for (struct walk_image *img = c->images; img; img = img->next)
		n += !img->is_artifact && img->have_config;
	c->by_config = xcalloc(n + 1, sizeof *c->by_config);
	for (struct walk_image *img = c->images; img; img = img->next)
		if (!img->is_artifact && img->have_config) c->by_config[c->nby_config++] = img;
	qsort(c->by_config, c->nby_config, sizeof *c->by_config, by_config_cmp);
}

int oci_image_by_content(oci_ctx_t *c, const digest_t *config, const digest_t *layers, int nlayers,
                         struct oci_image_view *out)
{
	if (!c->by_config) index_by_config(c);
	size_t lo = 0, hi = c->nby_config;
	while (lo < hi) { /* the first image whose config digest is not below `config` */
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(c->by_config[mid]->config.str, config->str) < 0) lo = mid + 1;
		else hi = mid;
	}
	for (size_t k = lo; k < c->nby_config && digest_equal(&c->by_config[k]->config, config);
	     k++) {
		struct walk_image *img = c->by_config[k];
		if (img->nlayers != nlayers) continue;
		int same = 1;
		for (int i = 0; i < nlayers && same; i++)
			same = img->layers[i].b && digest_equal(&img->layers[i].b->d, &layers[i]);
		if (!same) continue;
		out->manifest = img->manifest;
		out->names = (const char *const *)img->names;
		out->nnames = img->nnames;
		return 1;
	}
	return 0;
}

void oci_free(oci_ctx_t *c)
{
	if (!c) return;
	for (unsigned k = 0; k < NBUCKETS; k++) {
		struct blob *b = c->buckets[k];
		while (b) {
			struct blob *n = b->next;
			layer_pkgs_free(b->pkgs);
			free(b);
			b = n;
		}
	}
	struct walk_image *img = c->images;
	while (img) {
		struct walk_image *n = img->next;
		for (int i = 0; i < img->nnames; i++) free(img->names[i]);
		free(img->names);
		free(img->platform);
		free(img->manifest_mt);
		free(img->artifact_type);
		free(img->raw);
		for (int i = 0; i < img->nlayers; i++) free(img->layers[i].media_type);
		free(img->layers);
		free(img->diff_ids);
		free(img);
		img = n;
	}
	for (int i = 0; i < c->nroots; i++) {
		for (int k = 0; k < c->roots[i].nnames; k++) free(c->roots[i].names[k]);
		free(c->roots[i].names);
		free(c->roots[i].where);
	}
	free(c->roots);
	free(c->by_config);
	free(c->cands);
	free(c->work);
	free(c);
}
