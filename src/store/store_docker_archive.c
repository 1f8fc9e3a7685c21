/*
 * store_docker_archive: `docker save` archives (docker-archive:).
 *
 * Two forms are read as the engines write them:
 *  - legacy (Docker before 25, skopeo): manifest.json = [{Config, RepoTags,
 *    Layers}], the config at "<id>.json" (its sha256 is the image ID, the
 *    name says which), layers as uncompressed tars ("<v1id>/layer.tar" or
 *    "<diffid>.tar") whose sha256 must equal the config's diff_ids in order;
 *  - Engine 25+: an OCI layout inside the tar (verified by oci.c) plus a
 *    manifest.json whose Config and Layers point into blobs/sha256/: each
 *    must name a blob the layout's images reference.
 * Nothing is unpacked: members are hashed in place.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "blobcheck.h"
#include "jsondoc.h"
#include "layerdb.h"
#include "sig.h"
#include "store_readers.h"

#define MANIFEST_JSON_MAX (8u << 20)

/* Layers shared by several images are verified once (by member name):
 * a hash table, so a manifest.json naming 32,000 layers is not quadratic. */
struct layer_cache {
	char *name;
	struct blob_result res;
	struct layer_pkgs *pkgs; /* its package databases (read whole); NULL: none */
	int reported;
	struct layer_cache *next; /* in its bucket */
};

struct layer_cache_tab {
	struct layer_cache **slot;
	size_t cap, n; /* cap: a power of two */
};

static size_t lc_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	while (*s) h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return (size_t)h;
}

static struct layer_cache *lc_find(const struct layer_cache_tab *t, const char *name)
{
	if (!t->cap) return NULL;
	for (struct layer_cache *lc = t->slot[lc_hash(name) & (t->cap - 1)]; lc; lc = lc->next)
		if (!strcmp(lc->name, name)) return lc;
	return NULL;
}

static struct layer_cache *lc_add(struct layer_cache_tab *t, const char *name)
{
	if (t->n >= t->cap / 2) { /* grow: rehash the chains */
		size_t nc = t->cap ? t->cap * 2 : 64;
		struct layer_cache **ns = xcalloc(nc, sizeof *ns);
		for (size_t i = 0; i < t->cap; i++)
			for (struct layer_cache *lc = t->slot[i], *nx; lc; lc = nx) {
				nx = lc->next;
				size_t j = lc_hash(lc->name) & (nc - 1);
				lc->next = ns[j];
				ns[j] = lc;
			}
		free(t->slot);
		t->slot = ns;
		t->cap = nc;
	}
	struct layer_cache *lc = xcalloc(1, sizeof *lc);
	lc->name = xstrdup(name);
	size_t j = lc_hash(name) & (t->cap - 1);
	lc->next = t->slot[j];
	t->slot[j] = lc;
	t->n++;
	return lc;
}

static void lc_free(struct layer_cache_tab *t)
{
	for (size_t i = 0; i < t->cap; i++)
		for (struct layer_cache *lc = t->slot[i], *nx; lc; lc = nx) {
			nx = lc->next;
			free(lc->name);
			layer_pkgs_free(lc->pkgs);
			free(lc);
		}
	free(t->slot);
	t->slot = NULL;
	t->cap = t->n = 0;
}

/* The digest a member's name promises ("<hex>.json", "blobs/sha256/<hex>",
 * "<hex>.tar"), if any. */
static int digest_from_name(const char *name, digest_t *d)
{
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	char hex[65];
	size_t n = strcspn(base, ".");
	if (n != 64) return -1;
	memcpy(hex, base, 64);
	hex[64] = '\0';
	char s[80];
	snprintf(s, sizeof s, "sha256:%s", hex);
	return digest_parse(s, d, NULL);
}

/* One legacy manifest.json entry being verified. */
struct legacy {
	report_t *r;
	const struct tar_index *ix;
	const char *label;
	const struct audit_limits *lim;
	struct layer_cache_tab *cache;
	char where[300];
	struct image *img; /* its report entry (the model's) */
	int have_id;
	digest_t want_id;
	char *cfgsubj;
	digest_t *diff_ids;
	int ndiff;
	struct layer_pkgs **lp; /* each layer's package databases, in order (borrowed) */
	const char **lnames;    /* each layer's member name (borrowed) */
	int nlp;
};

/* The subject of an image-level finding: its ID, or the config's member. */
static const char *legacy_subject(const struct legacy *L)
{
	return L->have_id ? L->want_id.str : L->cfgsubj;
}

/* rootfs.diff_ids of the config, each a sha256 digest. */
static void legacy_diff_ids(struct legacy *L, const char *cfg, size_t cfglen)
{
	cJSON *conf = jsondoc_parse(cfg, cfglen); /* one meaning, as the engine reads it */
	int bad;
	int n = oci_config_diff_ids(conf, 0, &L->diff_ids, &bad);
	cJSON_Delete(conf);
	if (n < 0)
		report_finding(L->r, "json.malformed", legacy_subject(L),
		               "%s: config has no rootfs.diff_ids", L->where);
	else if (bad >= 0)
		report_finding(L->r, "json.malformed", legacy_subject(L),
		               "%s: diff_ids[%d] is not a sha256 digest", L->where, bad);
	L->ndiff = n > 0 ? n : 0;
	if (n < 0 || bad >= 0) image_raise(L->img, VERDICT_FAIL);
}

/* The config member: its name promises the image ID, its bytes must hash to
 * it.  Returns -1 when the image cannot be read further. */
static int legacy_config(struct legacy *L, const char *cfgname)
{
	L->have_id = digest_from_name(cfgname, &L->want_id) == 0;
	L->cfgsubj = xasprintf("%s:%.200s", L->label, cfgname);
	const struct tar_member *cm = tar_find(L->ix, cfgname);
	if (cm && cm->unsafe_name) {
		report_finding(L->r, "store.bad_path", L->cfgsubj,
		               "config member has an unsafe name");
		image_raise(L->img, VERDICT_FAIL);
		return -1;
	}
	cleanup_free char *cfg = NULL;
	size_t cfglen = 0;
	ea_error_t err = {0};
	if (store_tar_read_member(L->ix, cfgname, OCI_MAX_CONFIG_BYTES, &cfg, &cfglen, &err) < 0) {
		report_finding(L->r, finding_id_for_open_error(err.code, "blob.missing"),
		               legacy_subject(L), "%s: config: %s", L->where, err.msg);
		image_raise(L->img, err.code == EA_E_TOOBIG || err.code == EA_E_IO
		                            ? VERDICT_INCOMPLETE
		                            : VERDICT_FAIL);
		return -1;
	}
	digest_t got;
	digest_buffer(DIGEST_SHA256, cfg, cfglen, &got);
	L->img->config = got; /* "image_id" */
	if (!L->have_id) {
		/* A config whose name promises no digest cannot be tied to an image ID. */
		report_finding(L->r, "image.config_mismatch", L->cfgsubj,
		               "%s: config member name '%.100s' carries no image ID", L->where,
		               cfgname);
		image_raise(L->img, VERDICT_FAIL);
	} else if (!digest_equal(&got, &L->want_id)) {
		report_finding(L->r, "image.config_mismatch", L->want_id.str,
		               "%s: config %s hashes to %s", L->where, cfgname, got.str);
		image_raise(L->img, VERDICT_FAIL);
	}
	legacy_diff_ids(L, cfg, cfglen);
	return 0;
}

/* Verify a layer member once (shared layers are read once per archive). */
static void legacy_check_member(struct legacy *L, const char *ln, struct layer_cache *lc)
{
	struct blob_region reg;
	ea_error_t err = {0};
	const struct tar_member *lm = tar_find(L->ix, ln);
	if (lm && lm->unsafe_name) {
		lc->res.status = BLOB_BAD_FILE;
		lc->res.open_code = EA_E_BADNAME;
		snprintf(lc->res.msg, sizeof lc->res.msg, "layer member has an unsafe name");
	} else if (tar_member_region(L->ix, ln, &reg, &err) < 0) {
		lc->res.status = err.code == EA_E_NOENT ? BLOB_MISSING
		                 : err.code == EA_E_IO  ? BLOB_UNREADABLE
		                                        : BLOB_BAD_FILE;
		lc->res.open_code = err.code;
		snprintf(lc->res.msg, sizeof lc->res.msg, "%s", err.msg);
	} else {
		/* docker save writes uncompressed layers; sniff in case a
		 * producer compressed them (the diffID is of the tar). */
		unsigned char head[4] = {0};
		size_t hn = reg.size < 4 ? (size_t)reg.size : 4;
		comp_t comp = COMP_NONE;
		if (hn && blob_region_pread(&reg, head, hn, 0, NULL) == 0)
			comp = comp_sniff(head, hn);
		const struct audit_limits *lim = L->lim;
		struct blobcheck_limits bl = {
		        lim->max_layer_bytes ? lim->max_layer_bytes : BLOBCHECK_MAX_LAYER_BYTES,
		        lim->max_ratio ? lim->max_ratio : BLOBCHECK_MAX_RATIO};
		/* its package databases, kept as the tar goes by for the diffID */
		struct layerdb_tap *t = layerdb_tap_new();
		struct blob_tap tap = {layerdb_tap_feed, t};
		blobcheck_region_tap(&reg, NULL, -1, 1, comp, &bl, &tap, &lc->res);
		int whole = lc->res.diff_checked && !lc->res.interrupted;
		lc->pkgs = layerdb_tap_finish(t, whole);
		if (!whole) layer_pkgs_free(lc->pkgs), lc->pkgs = NULL;
	}
}

/* The findings of a layer member's check, said once per member. */
static void legacy_member_findings(struct legacy *L, struct layer_cache *lc, const char *lsubj,
                                   int i)
{
	if (lc->reported) return;
	lc->reported = 1;
	const struct blob_result *res = &lc->res;
	switch (res->status) {
	case BLOB_MISSING:
		report_finding(L->r, "blob.missing", lsubj, "%s: layer %d: %s", L->where, i,
		               res->msg);
		break;
	case BLOB_BAD_FILE:
		report_finding(L->r,
		               res->open_code == EA_E_SYMLINK   ? "store.symlink"
		               : res->open_code == EA_E_BADNAME ? "store.bad_path"
		                                                : "store.special_file",
		               lsubj, "%s: layer %d: %s", L->where, i, res->msg);
		break;
	case BLOB_UNREADABLE:
		if (res->interrupted)
			report_unchecked_kind(L->r, "audit.interrupted", lsubj, res->msg);
		else
			report_finding(L->r, "store.unreadable", lsubj, "%s: layer %d: %s",
			               L->where, i, res->msg);
		break;
	default:
		if (res->decomp_error)
			report_finding(L->r,
			               res->bomb       ? "layer.bomb"
			               : res->trailing ? "layer.trailing_data"
			                               : "layer.decompress_error",
			               lsubj, "%s: layer %d: %s", L->where, i, res->decomp_msg);
	}
}

/* Layer i: its member verified (once) and its diffID against the config's,
 * into its entry lr (valid until the image's next layer). */
static void legacy_layer(struct legacy *L, struct layer *lr, const char *ln, int i)
{
	model_set_str(&lr->path, ln);
	cleanup_free char *lsubj = xasprintf("%s:%.200s", L->label, ln);
	struct layer_cache *lc = lc_find(L->cache, ln);
	if (!lc) {
		lc = lc_add(L->cache, ln);
		legacy_check_member(L, ln, lc);
	} else {
		lr->blob.shared = 1;
	}
	legacy_member_findings(L, lc, lsubj, i);
	L->lp[i] = lc->pkgs;
	L->lnames[i] = ln;
	const struct blob_result *res = &lc->res;
	check_t state = CHECK_UNCHECKED;
	if (res->status == BLOB_MISSING || res->status == BLOB_BAD_FILE)
		image_raise(L->img, VERDICT_FAIL);
	else if (res->status == BLOB_UNREADABLE) image_raise(L->img, VERDICT_INCOMPLETE);
	else if (res->decomp_error)
		image_raise(L->img, res->bomb ? VERDICT_INCOMPLETE : VERDICT_FAIL);
	else if (res->diff_checked) {
		lr->diff_id = res->diffid;
		lr->blob.size = (int64_t)res->usize; /* "size": the member's, uncompressed */
		if (L->diff_ids && i < L->ndiff) {
			if (digest_equal(&res->diffid, &L->diff_ids[i])) {
				state = CHECK_OK;
			} else {
				state = CHECK_MISMATCH;
				report_finding(L->r, "image.diffid_mismatch", lsubj,
				               "%s: layer %d hashes to %s, config says %s",
				               L->where, i, res->diffid.str, L->diff_ids[i].str);
				image_raise(L->img, VERDICT_FAIL);
			}
		}
	}
	if (state == CHECK_UNCHECKED && L->diff_ids && i < L->ndiff)
		image_raise(L->img, VERDICT_INCOMPLETE); /* no-op on a failed image */
	lr->diff_id_check = state;
}

/* Every entry of Layers, in order, until a stop. */
static void legacy_layers(struct legacy *L, cJSON *layers)
{
	int nl = cJSON_GetArraySize(layers);
	if (L->diff_ids && L->img->verdict != VERDICT_FAIL && L->ndiff != nl) {
		report_finding(L->r, "image.diffid_count", legacy_subject(L),
		               "%s: %d layers, config has %d diff_ids", L->where, nl, L->ndiff);
		image_raise(L->img, VERDICT_FAIL);
	}
	L->img->has_layers = 1; /* "layers", even empty */
	L->lp = xcalloc((size_t)nl + 1, sizeof *L->lp);
	L->lnames = xcalloc((size_t)nl + 1, sizeof *L->lnames);
	L->nlp = nl;
	int i = 0;
	cJSON *e;
	cJSON_ArrayForEach (e, layers) {
		if (ea_stop_requested()) { /* the rest of a long Layers list: unchecked, not walked
			                    */
			cleanup_free char *part =
			        xasprintf("layers %d to %d of %s", i, nl - 1, L->where);
			report_unchecked_kind(
			        L->r, "audit.interrupted", part,
			        "stopped before they were verified (budget or signal)");
			image_raise(L->img, VERDICT_INCOMPLETE);
			break;
		}
		struct layer *lr = image_add_layer(L->img); /* {} when not a string */
		if (!cJSON_IsString(e)) {
			report_finding(L->r, "json.malformed", L->where,
			               "Layers[%d] is not a string", i);
			image_raise(L->img, VERDICT_FAIL);
		} else {
			legacy_layer(L, lr, e->valuestring, i);
		}
		i++;
	}
}

/* One legacy image: names, config (= image ID), layers, chainIDs, and the
 * signature policy (a docker-archive carries no signatures). */
static void legacy_image(report_t *r, const struct tar_index *ix, const char *label, cJSON *entry,
                         int idx, const struct audit_limits *lim, struct layer_cache_tab *cache)
{
	struct legacy L = {.r = r, .ix = ix, .label = label, .lim = lim, .cache = cache};
	cJSON *cfgj = cJSON_GetObjectItemCaseSensitive(entry, "Config");
	cJSON *tags = cJSON_GetObjectItemCaseSensitive(entry, "RepoTags");
	cJSON *layers = cJSON_GetObjectItemCaseSensitive(entry, "Layers");
	snprintf(L.where, sizeof L.where, "%s manifest.json[%d]", label, idx);
	L.img = model_image_new(label);
	cJSON *t;
	if (cJSON_IsArray(tags))
		cJSON_ArrayForEach (t, tags)
			if (cJSON_IsString(t)) image_add_name(L.img, t->valuestring);
	if (!cJSON_IsString(cfgj) || !cJSON_IsArray(layers)) {
		report_finding(r, "json.malformed", L.where,
		               "entry has no Config string or Layers array");
		image_raise(L.img, VERDICT_FAIL);
	} else if (legacy_config(&L, cfgj->valuestring) == 0) {
		legacy_layers(&L, layers);
		/* "chain_ids" only for a config with diff_ids */
		if (L.diff_ids && L.ndiff > 0) image_set_chain_ids(L.img, L.diff_ids, L.ndiff);
		if (L.have_id && store_sig_unavailable(r, lim->pol, L.img, &L.want_id))
			image_raise(L.img, VERDICT_FAIL);
		if (L.nlp > 0) image_set_inventory(r, L.img, layerdb_fold(L.lp, L.lnames, L.nlp));
	}
	free(L.lp);
	free(L.lnames);
	free(L.diff_ids);
	free(L.cfgsubj);
	model_image_commit(r, L.img);
}

/* A docker reference as the engines store it: a domain ("docker.io" when
 * the first component has no '.' or ':' and is not localhost), "library/"
 * for a bare docker.io name, ":latest" when neither tag nor digest. */
static void normalize_ref(const char *in, char *out, size_t n)
{
	const char *slash = strchr(in, '/');
	int has_domain = slash && (memchr(in, '.', (size_t)(slash - in)) ||
	                           memchr(in, ':', (size_t)(slash - in)) ||
	                           ((size_t)(slash - in) == 9 && !strncmp(in, "localhost", 9)));
	const char *last = strrchr(in, '/');
	last = last ? last + 1 : in;
	int has_tag = strchr(last, ':') || strchr(in, '@');
	snprintf(out, n, "%s%s%s%s", has_domain ? "" : "docker.io/",
	         !has_domain && !slash ? "library/" : "", in, has_tag ? "" : ":latest");
}

/* The digest of a path that is exactly "blobs/sha256/<64 hex>". */
static int blob_path_digest(const char *path, digest_t *d)
{
	if (strncmp(path, "blobs/sha256/", 13) != 0 || strlen(path) != 13 + 64) return -1;
	char s[80];
	snprintf(s, sizeof s, "sha256:%s", path + 13);
	return digest_parse(s, d, NULL);
}

static void mismatch(report_t *r, const char *label, const char *where, const char *what,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void mismatch(report_t *r, const char *label, const char *where, const char *what,
                     const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cleanup_free char *subj = xasprintf("%s:%.200s", label, what);
	report_finding(r, "archive.manifest_mismatch", subj, "%s: %s: %s", label, where, msg);
}

/* Engine 25+: `docker load` and skopeo read exactly the members manifest.json
 * names and tag the image with its RepoTags.  Each entry must name, by
 * canonical paths, the config and layers of one image the layout verified,
 * and each tag must be a name that image was verified (and judged by the
 * policy) under. */
static void check_entry(report_t *r, oci_ctx_t *c, const char *label, cJSON *e, const char *where)
{
	cJSON *cfg = cJSON_GetObjectItemCaseSensitive(e, "Config");
	cJSON *layers = cJSON_GetObjectItemCaseSensitive(e, "Layers");
	cJSON *tags = cJSON_GetObjectItemCaseSensitive(e, "RepoTags");
	if (!cJSON_IsString(cfg) || !cJSON_IsArray(layers)) {
		report_finding(r, "json.malformed", label,
		               "%s: %s has no Config string or Layers array", label, where);
		return;
	}
	digest_t cd;
	if (blob_path_digest(cfg->valuestring, &cd) < 0) {
		mismatch(r, label, where, cfg->valuestring,
		         "Config '%.200s' is not blobs/sha256/<hex> of the layout",
		         cfg->valuestring);
		return;
	}
	int nl = cJSON_GetArraySize(layers), k = 0;
	cleanup_free digest_t *ld = xcalloc((size_t)nl + 1, sizeof *ld);
	cJSON *l;
	cJSON_ArrayForEach (l, layers) {
		if (!cJSON_IsString(l) || blob_path_digest(l->valuestring, &ld[k]) < 0) {
			const char *p = cJSON_IsString(l) ? l->valuestring : "(not a string)";
			mismatch(r, label, where, p,
			         "Layers[%d] '%.200s' is not blobs/sha256/<hex> of the layout", k,
			         p);
			return;
		}
		k++;
	}
	struct oci_image_view v;
	if (!oci_image_by_content(c, &cd, ld, nl, &v)) {
		mismatch(r, label, where, cfg->valuestring,
		         "no image of the OCI layout has this config and these %d layers: docker "
		         "load would load an image "
		         "nothing verified",
		         nl);
		return;
	}
	cJSON *t;
	cJSON_ArrayForEach (t, tags) {
		if (!cJSON_IsString(t)) continue;
		char want[512], have[512];
		normalize_ref(t->valuestring, want, sizeof want);
		int bound = 0;
		for (int i = 0; i < v.nnames && !bound; i++) {
			normalize_ref(v.names[i], have, sizeof have);
			bound = !strcmp(want, have);
		}
		if (!bound)
			mismatch(r, label, where, t->valuestring,
			         "RepoTags '%.200s' is not a name index.json gives manifest %s: "
			         "docker load would tag an image "
			         "under a name nothing verified it under",
			         t->valuestring, v.manifest.str);
	}
}

static void check_entries_against_layout(report_t *r, oci_ctx_t *c, const char *label, cJSON *mj)
{
	int idx = 0;
	cJSON *e;
	cJSON_ArrayForEach (e, mj) {
		if (ea_stop_requested()) {
			cleanup_free char *part = xasprintf("%s manifest.json[%d...]", label, idx);
			report_unchecked_kind(r, "audit.interrupted", part,
			                      "stopped before every entry was tied to the layout "
			                      "(budget or signal)");
			break;
		}
		char where[64];
		snprintf(where, sizeof where, "manifest.json[%d]", idx++);
		check_entry(r, c, label, e, where);
	}
}

struct tag_use {
	const char *tag, *config;
	int entry;
};

static int tag_cmp(const void *a, const void *b)
{
	const struct tag_use *x = a, *y = b;
	int r = strcmp(x->tag, y->tag);
	return r ? r : x->entry - y->entry;
}

/* One tag given to two images by manifest.json (docker load keeps the
 * last, skopeo the first): sorted, so 32,000 entries stay cheap. */
static void repotag_conflicts(report_t *r, const char *label, cJSON *mj)
{
	size_t n = 0, k = 0;
	cJSON *e, *t;
	cJSON_ArrayForEach (e, mj)
		n += (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(e, "RepoTags"));
	if (n < 2) return;
	cleanup_free struct tag_use *v = xcalloc(n, sizeof *v);
	int i = 0;
	cJSON_ArrayForEach (e, mj) {
		const char *cfg =
		        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "Config"));
		cJSON_ArrayForEach (t, cJSON_GetObjectItemCaseSensitive(e, "RepoTags"))
			if (cJSON_IsString(t) && k < n)
				v[k++] = (struct tag_use){t->valuestring, cfg ? cfg : "", i};
		i++;
	}
	qsort(v, k, sizeof *v, tag_cmp);
	for (size_t j = 1; j < k; j++) {
		if (strcmp(v[j].tag, v[j - 1].tag) || !strcmp(v[j].config, v[j - 1].config))
			continue;
		if (j >= 2 && !strcmp(v[j].tag, v[j - 2].tag)) continue; /* once per tag */
		report_finding(r, "image.name_conflict", v[j].tag,
		               "%s: manifest.json gives '%.200s' to entries %d and %d, two "
		               "different images",
		               label, v[j].tag, v[j - 1].entry, v[j].entry);
	}
}

/* An Engine 25+ archive whose index.json lists no manifests (some producers
 * write "manifests": null) is read through manifest.json, as docker load does. */
static int index_has_manifests(const struct tar_index *ix)
{
	cleanup_free char *b = NULL;
	size_t n = 0;
	if (store_tar_read_member(ix, "index.json", OCI_MAX_INDEX_BYTES, &b, &n, NULL) < 0)
		return 1;
	cJSON *j = jsondoc_parse(b, n);
	int has = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "manifests")) > 0;
	cJSON_Delete(j);
	return has || !j; /* unparsable: let the layout reader report it */
}

void store_read_docker_archive(report_t *r, const struct store_spec *spec,
                               const struct audit_limits *lim, cJSON *sj)
{
	char label[256];
	snprintf(label, sizeof label, "docker-archive:%s", spec->path);
	struct tar_index ix;
	if (store_open_archive(r, spec->path, label, &ix) < 0) return;
	ea_error_t err = {0};
	cleanup_free char *mbytes = NULL;
	size_t mlen = 0;
	cJSON *mj = NULL;
	if (store_tar_read_member(&ix, "manifest.json", MANIFEST_JSON_MAX, &mbytes, &mlen, &err) <
	    0) {
		report_finding(r, err.code == EA_E_TOOBIG ? "json.too_large" : "json.malformed",
		               label, "%s: manifest.json: %s", label, err.msg);
	} else {
		mj = jsondoc_parse(mbytes, mlen);
		if (!cJSON_IsArray(mj)) {
			report_finding(r, "json.malformed", label,
			               "%s: manifest.json is not a JSON array", label);
			cJSON_Delete(mj);
			mj = NULL;
		}
	}
	if (tar_find(&ix, "index.json") && tar_find(&ix, "oci-layout") &&
	    index_has_manifests(&ix)) {
		/* Engine 25+ form. */
		cJSON_AddStringToObject(sj, "form", "oci");
		struct blobsrc src;
		cJSON *idx = NULL;
		oci_ctx_t *c = store_verify_tar_layout(r, &ix, label, lim, &src, sj, &idx);
		if (c) {
			if (mj) check_entries_against_layout(r, c, label, mj);
			if (mj) repotag_conflicts(r, label, mj);
			oci_free(c);
			blobsrc_close(&src);
		}
		cJSON_Delete(idx);
	} else if (mj) {
		cJSON_AddStringToObject(sj, "form", "legacy");
		repotag_conflicts(r, label, mj);
		struct layer_cache_tab cache = {0};
		int i = 0, found = 0;
		cJSON *e;
		cJSON_ArrayForEach (e, mj) {
			if (lim->only_image &&
			    !store_names_have(cJSON_GetObjectItemCaseSensitive(e, "RepoTags"),
			                      lim->only_image)) {
				i++;
				continue;
			}
			found = 1;
			if (ea_stop_requested()) {
				report_unchecked_kind(r, "audit.interrupted", label,
				                      "stopped before every image was verified "
				                      "(budget or signal)");
				break;
			}
			legacy_image(r, &ix, label, e, i++, lim, &cache);
		}
		cJSON_AddNumberToObject(sj, "images", i);
		if (lim->only_image && !found)
			report_finding(r, "image.missing", lim->only_image,
			               "%s: no image named '%s'", label, lim->only_image);
		store_scan_unsafe_members(r, &ix, label);
		lc_free(&cache);
	}
	cJSON_Delete(mj);
	close(ix.fd);
	tar_index_free(&ix);
}
