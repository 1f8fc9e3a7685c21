/*
 * store_docker: the Docker / Moby / balena-engine store (docker:ROOT), as
 * dockerd writes it under ROOT/image/<driver>/:
 *   repositories.json          names -> image IDs
 *   imagedb/content/sha256/ID  the config; its sha256 is ID
 *   layerdb/sha256/CHAINID/    diff, parent, cache-id, size, tar-split.json.gz
 * and the extracted layers (overlay2/<cache-id>/diff, vfs/dir/<cache-id>).
 *
 * Every config is re-hashed against its ID, its diff_ids chained to chainIDs
 * and each chainID's layerdb entry checked for consistency; then each layer
 * on disk is reassembled from its tar-split record and hashed against the
 * diffID, file by file (tarsplit.c), going further than Docker's own check.
 * A layer shared by several images is verified once.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsx.h"
#include "jsondoc.h"
#include "layerdb.h"
#include "sig.h"
#include "store_readers.h"
#include "tarsplit.h"

#define DOCKER_MAX_CONFIG (8u << 20)
#define DOCKER_MAX_REPOS  (16u << 20)

struct dlayer {
	digest_t chain;
	struct store_layer s;
	struct dlayer *next;
};

#define DOCKER_MAX_IMAGES 100000UL /* imagedb entries read at most per driver */

struct dctx {
	report_t *r;
	int root;
	const char *rootpath;
	char label[300];
	char driver[64];
	char imgdir[128]; /* "image/<driver>" */
	struct dlayer *layers;
	struct store_img_layers *imgs; /* for the drift of containers */
	unsigned nimages, nlayers;
	const struct sig_policy *pol;
	const char *only_image; /* `verify`: only the image with this name */
	int only_found;
};

/* A small text file of the layerdb, trimmed. */
static int read_small(struct dctx *c, const char *rel, char *out, size_t n, ea_error_t *err)
{
	cleanup_free char *data = NULL;
	size_t len = 0;
	if (fsx_read_file_at(c->root, rel, n - 1, &data, &len, err) < 0) return -1;
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == ' ')) len--;
	memcpy(out, data, len);
	out[len] = '\0';
	return 0;
}

/* The layer of chainID `chain` as already met, else NULL. */
static struct dlayer *known_layer(struct dctx *c, const digest_t *chain)
{
	for (struct dlayer *l = c->layers; l; l = l->next)
		if (digest_equal(&l->chain, chain)) return l;
	return NULL;
}

/* layerdb consistency: the entry's diff and parent against the config's. */
static void check_layerdb(struct dctx *c, struct dlayer *l, const char *base, const digest_t *diff,
                          const digest_t *parent, ea_error_t *err)
{
	const digest_t *chain = &l->chain;
	char rel[400], val[256];
	snprintf(rel, sizeof rel, "%s/diff", base);
	if (read_small(c, rel, val, sizeof val, err) < 0 || strcmp(val, diff->str) != 0) {
		report_finding(c->r, "layer.metadata_mismatch", chain->str,
		               "%s: layerdb %s/diff says '%.80s', the config says %s", c->label,
		               digest_hex(chain), err->code ? err->msg : val, diff->str);
		l->s.verdict = VERDICT_FAIL;
	}
	snprintf(rel, sizeof rel, "%s/parent", base);
	err->code = EA_OK;
	int hp = read_small(c, rel, val, sizeof val, err) == 0;
	if ((parent && (!hp || strcmp(val, parent->str) != 0)) || (!parent && hp)) {
		report_finding(c->r, "layer.metadata_mismatch", chain->str,
		               "%s: layerdb %s/parent is '%.80s', expected %s", c->label,
		               digest_hex(chain), hp ? val : "(none)",
		               parent ? parent->str : "none");
		l->s.verdict = VERDICT_FAIL;
	}
}

/* The entry's cache-id into cache: 0, or -1 (said; l failed) when it is
 * missing or unsafe as a path component. */
static int layer_cache_id(struct dctx *c, struct dlayer *l, const char *base, char *cache, size_t n,
                          ea_error_t *err)
{
	char rel[400];
	snprintf(rel, sizeof rel, "%s/cache-id", base);
	err->code = EA_OK;
	if (read_small(c, rel, cache, n, err) < 0 || !cache[0] || strchr(cache, '/') ||
	    !strcmp(cache, "..") || !strcmp(cache, ".")) {
		report_finding(c->r,
		               err->code ? finding_id_for_open_error(err->code, "layer.missing")
		                         : "layer.metadata_mismatch",
		               l->chain.str, "%s: layerdb %s/cache-id is missing or unsafe",
		               c->label, digest_hex(&l->chain));
		l->s.verdict = VERDICT_FAIL;
		l->s.state = CHECK_BAD_METADATA;
		return -1;
	}
	return 0;
}

/* The layer's folder under the root (rel, and l->s.path in full): 0, or -1
 * for a driver whose folders are not verified (said; l incomplete). */
static int layer_folder(struct dctx *c, struct dlayer *l, const char *cache, char *rel, size_t n)
{
	if (!strcmp(c->driver, "overlay2") || !strcmp(c->driver, "overlay"))
		snprintf(rel, n, "%s/%s/diff", c->driver, cache);
	else if (!strcmp(c->driver, "vfs")) snprintf(rel, n, "vfs/dir/%s", cache);
	else {
		cleanup_free char *part =
		        xasprintf("layers of %s (driver %s)", c->label, c->driver);
		report_unchecked(
		        c->r, part,
		        "this storage driver's layer folders are not verified by this version");
		l->s.verdict = VERDICT_INCOMPLETE;
		return -1;
	}
	snprintf(l->s.path, sizeof l->s.path, "%s/%s", c->rootpath, rel);
	return 0;
}

/* Reassemble the layer folder rel from the entry's tar-split record, hash
 * it against diff and compare it file by file. */
static void check_layer_tree(struct dctx *c, struct dlayer *l, const char *base, const char *rel,
                             const digest_t *diff)
{
	int overlay = !strcmp(c->driver, "overlay2") || !strcmp(c->driver, "overlay");
	char tsrel[400];
	snprintf(tsrel, sizeof tsrel, "%s/tar-split.json.gz", base);
	struct store_at at = {c->r, c->root, c->rootpath, c->label};
	struct store_layer_check k;
	enum store_layer_outcome o = store_layer_folder_check(
	        &at, &l->s, rel, tsrel, diff,
	        (struct tarsplit_opts){.overlay = overlay, .check_added = overlay}, &k);
	switch (o) {
	case STORE_LAYER_NO_TARSPLIT:
	case STORE_LAYER_INTERRUPTED:
		l->s.verdict = VERDICT_INCOMPLETE; /* whatever the layerdb checks said */
		return;
	case STORE_LAYER_REASSEMBLED:
		if (l->s.verdict == VERDICT_PASS)
			l->s.state = k.cmp.failed ? CHECK_FILES_DIFFER : CHECK_OK;
		store_layer_settle(&k);
		l->s.verdict = k.verdict;
		/* fall through */
	case STORE_LAYER_MISMATCH: l->s.done = 1; return;
	default: return;
	}
}

/* Verify the extracted layer of chainID `chain` (diffID `diff`) once. */
static struct dlayer *verify_layer(struct dctx *c, const digest_t *chain, const digest_t *diff,
                                   const digest_t *parent)
{
	struct dlayer *l = known_layer(c, chain);
	if (l) return l;
	l = xcalloc(1, sizeof *l);
	l->chain = *chain;
	l->next = c->layers;
	c->layers = l;
	c->nlayers++;
	l->s.state = CHECK_UNCHECKED;
	if (ea_stop_requested()) {
		l->s.verdict = VERDICT_INCOMPLETE;
		return l;
	}
	char base[300];
	ea_error_t err = {0};
	snprintf(base, sizeof base, "%s/layerdb/sha256/%s", c->imgdir, digest_hex(chain));
	struct stat st;
	if (fsx_lstat_at(c->root, base, &st, &err) < 0 || !S_ISDIR(st.st_mode)) {
		cleanup_free char *subj = xasprintf("%s/%s", c->rootpath, base);
		report_finding(c->r,
		               !err.code ? "layer.missing"
		                         : finding_id_for_open_error(err.code, "layer.missing"),
		               chain->str, "%s: no layerdb entry for chainID %s (%s)", c->label,
		               chain->str, subj);
		l->s.verdict = VERDICT_FAIL;
		l->s.state = CHECK_MISSING;
		return l;
	}
	check_layerdb(c, l, base, diff, parent, &err);
	char cache[256], rel[400];
	if (layer_cache_id(c, l, base, cache, sizeof cache, &err) < 0) return l;
	if (layer_folder(c, l, cache, rel, sizeof rel) < 0) return l;
	check_layer_tree(c, l, base, rel, diff);
	return l;
}

/* One image's audit: its findings decide its verdict. */
struct dimage {
	struct dctx *c;
	const char *hex;
	char idstr[80];    /* "sha256:<hex>" */
	digest_t want;     /* the image ID */
	struct image *img; /* its report entry (the model's) */
	struct store_img_layers *il;
};

/* The image's config, read and hashed against its ID: 0, or -1 (said)
 * when the entry's name is no image ID or the config is unreadable or does
 * not match. */
static int read_config(struct dimage *im, char **cfg, size_t *len)
{
	struct dctx *c = im->c;
	char rel[300];
	snprintf(rel, sizeof rel, "%s/imagedb/content/sha256/%s", c->imgdir, im->hex);
	if (!ea_is_hex64(im->hex, strlen(im->hex))) {
		cleanup_free char *subj = xasprintf("%s/%s", c->rootpath, rel);
		report_finding(c->r, "store.bad_path", subj,
		               "%s: an imagedb entry whose name is not a sha256 image ID",
		               c->label);
		image_raise(im->img, VERDICT_FAIL);
		return -1;
	}
	digest_parse(im->idstr, &im->want, NULL); /* 64 lowercase hex: parses */
	im->img->config = im->want;               /* "image_id" */
	ea_error_t err = {0};
	if (fsx_read_file_at(c->root, rel, DOCKER_MAX_CONFIG, cfg, len, &err) < 0) {
		/* over DOCKER_MAX_CONFIG: json.too_large; gone since the listing: layer.missing (as
		 * ever) */
		report_finding(c->r, finding_id_for_open_error(err.code, "layer.missing"),
		               im->idstr, "%s: config: %s", c->label, err.msg);
		image_raise(im->img, err.code == EA_E_IO || err.code == EA_E_TOOBIG
		                             ? VERDICT_INCOMPLETE
		                             : VERDICT_FAIL);
		return -1;
	}
	digest_t got;
	digest_buffer(DIGEST_SHA256, *cfg, *len, &got);
	if (!digest_equal(&im->want, &got)) {
		report_finding(c->r, "image.config_mismatch", im->idstr,
		               "%s: imagedb content hashes to %s", c->label, got.str);
		image_raise(im->img, VERDICT_FAIL);
		return -1; /* its diff_ids cannot be trusted */
	}
	return 0;
}

/* rootfs.diff_ids of the verified config, up to the first that is no sha256
 * digest (said): their number, or -1 (said) without diff_ids. */
static int parse_diff_ids(struct dimage *im, const char *cfg, size_t len, digest_t **out)
{
	struct dctx *c = im->c;
	cJSON *conf = jsondoc_parse(cfg, len); /* one meaning, as dockerd reads it */
	int bad;
	int nd = oci_config_diff_ids(conf, 0, out, &bad);
	cJSON_Delete(conf);
	if (nd < 0)
		report_finding(c->r, "json.malformed", im->idstr,
		               "%s: config has no rootfs.diff_ids", c->label);
	else if (bad >= 0)
		report_finding(c->r, "json.malformed", im->idstr,
		               "%s: diff_ids[%d] is not a sha256 digest", c->label, bad);
	if (nd < 0 || bad >= 0) image_raise(im->img, VERDICT_FAIL);
	return nd < 0 ? -1 : nd;
}

/* The diff_ids chained to chainIDs, each layer verified and in the report
 * ("layers" and "chain_ids", both present even when empty). */
static void check_layers(struct dimage *im, const digest_t *diffs, int nd)
{
	struct image *img = im->img;
	img->has_layers = 1;
	image_set_chain_ids(img, diffs, nd);
	cleanup_free struct layer_pkgs **lp = xcalloc((size_t)nd + 1, sizeof *lp);
	for (int i = 0; i < nd; i++) {
		const digest_t *chain = &img->chain_ids[i];
		struct dlayer *l =
		        verify_layer(im->c, chain, &diffs[i], i ? &img->chain_ids[i - 1] : NULL);
		struct layer *lr = image_add_layer(img);
		lr->diff_id = diffs[i];
		lr->chain_id = *chain;
		if (l->s.path[0]) model_set_str(&lr->path, l->s.path);
		if (l->s.path[0]) /* the folder below the root, for drift */
			store_img_layers_push(im->il, l->s.path + strlen(im->c->rootpath) + 1);
		lr->on_disk_check = l->s.state;
		lr->files = (int64_t)l->s.files;
		image_raise(img, l->s.verdict);
		if (!l->s.done) image_raise(img, VERDICT_INCOMPLETE);
		lp[i] = l->s.pkgs;
	}
	if (nd > 0) image_set_inventory(im->c->r, img, layerdb_fold(lp, NULL, nd));
}

/* The image's config, its layers, then what the signature policy says. */
static void audit_image_data(struct dimage *im)
{
	cleanup_free char *cfg = NULL;
	size_t len = 0;
	if (read_config(im, &cfg, &len) < 0) return;
	cleanup_free digest_t *diffs = NULL;
	int nd = parse_diff_ids(im, cfg, len, &diffs);
	if (nd < 0) return;
	check_layers(im, diffs, nd);
	if (store_sig_unavailable(im->c->r, im->c->pol, im->img, &im->want))
		image_raise(im->img, VERDICT_FAIL);
}

static void audit_image(struct dctx *c, const char *hex, cJSON *names_by_id)
{
	struct dimage im = {.c = c, .hex = hex};
	snprintf(im.idstr, sizeof im.idstr, "sha256:%.64s", hex);
	cJSON *names = cJSON_GetObjectItemCaseSensitive(names_by_id, im.idstr);
	if (c->only_image && !store_names_have(names, c->only_image)) return;
	c->only_found = 1;
	im.img = model_image_new(c->label);
	const cJSON *n;
	cJSON_ArrayForEach (n, names) /* load_names made them all strings */
		if (cJSON_IsString(n)) image_add_name(im.img, n->valuestring);
	n = cJSON_GetArrayItem(names, 0);
	im.il = store_img_layers_add(&c->imgs, im.idstr, cJSON_IsString(n) ? n->valuestring : NULL);
	audit_image_data(&im);
	model_image_commit(c->r, im.img);
	c->nimages++;
}

/* repositories.json -> {"sha256:<id>": ["name:tag", ...]}; names whose image
 * is not in imagedb become image.missing findings afterwards. */
static cJSON *load_names(struct dctx *c)
{
	cJSON *by_id = cJSON_CreateObject();
	char rel[200];
	snprintf(rel, sizeof rel, "%s/repositories.json", c->imgdir);
	enum store_json st;
	cJSON *j = store_read_json(c->r, c->root, c->rootpath, c->label, rel, DOCKER_MAX_REPOS,
	                           JSONDOC_MAX_VALUES, &st);
	if (st == STORE_JSON_ABSENT || st == STORE_JSON_UNREADABLE) return by_id;
	cJSON *repos = cJSON_GetObjectItemCaseSensitive(j, "Repositories");
	if (!cJSON_IsObject(repos)) {
		cleanup_free char *subj = xasprintf("%s/%s", c->rootpath, rel);
		report_finding(c->r, "json.malformed", subj,
		               "%s: repositories.json has no Repositories object", c->label);
		cJSON_Delete(j);
		return by_id;
	}
	cJSON *repo, *ref;
	cJSON_ArrayForEach (repo, repos) {
		cJSON_ArrayForEach (ref, repo) {
			if (!cJSON_IsString(ref) || !ref->string) continue;
			cJSON *arr = cJSON_GetObjectItemCaseSensitive(by_id, ref->valuestring);
			if (!arr) arr = cJSON_AddArrayToObject(by_id, ref->valuestring);
			cJSON_AddItemToArray(arr, cJSON_CreateString(ref->string));
		}
	}
	cJSON_Delete(j);
	return by_id;
}

static void audit_driver(struct dctx *c)
{
	cJSON *names = load_names(c);
	char rel[200];
	snprintf(rel, sizeof rel, "%s/imagedb/content/sha256", c->imgdir);
	ea_error_t err = {0};
	int dfd = fsx_open_dir_at(c->root, rel, &err);
	if (dfd >= 0) {
		DIR *d = fdopendir(dfd);
		cleanup_free char *dbdir = xasprintf("%s/%s", c->rootpath, rel);
		if (!d) store_folder_unlistable(c->r, dbdir, errno);
		struct dirent *e;
		unsigned long n = 0;
		while (d && (e = readdir(d)) && n < DOCKER_MAX_IMAGES) {
			if (e->d_name[0] == '.') continue;
			n++;
			if (ea_stop_requested()) {
				cleanup_free char *part = xasprintf("images of %s", c->label);
				report_unchecked(c->r, part,
				                 "stopped before every image was verified (budget "
				                 "or signal)");
				break;
			}
			struct stat st;
			if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    !S_ISREG(st.st_mode)) {
				cleanup_free char *subj =
				        xasprintf("%s/%s/%s", c->rootpath, rel, e->d_name);
				report_finding(c->r,
				               S_ISLNK(st.st_mode) ? "store.symlink"
				                                   : "store.special_file",
				               subj, "%s: imagedb entry is a %s", c->label,
				               fsx_type_name(st.st_mode));
				continue;
			}
			audit_image(c, e->d_name, names);
		}
		if (n >= DOCKER_MAX_IMAGES) store_scan_stopped(c->r, dbdir, DOCKER_MAX_IMAGES);
		if (d) closedir(d);
		else close(dfd);
	} else if (err.code != EA_E_NOENT) {
		cleanup_free char *subj = xasprintf("%s/%s", c->rootpath, rel);
		report_finding(c->r, finding_id_for_open_error(err.code, "store.unreadable"), subj,
		               "%s: %s", c->label, err.msg);
	}
	/* names that point at no image */
	cJSON *ids;
	cJSON_ArrayForEach (ids, names) {
		char hex[300];
		snprintf(hex, sizeof hex, "%s/imagedb/content/sha256/%.64s", c->imgdir,
		         ids->string + (strncmp(ids->string, "sha256:", 7) ? 0 : 7));
		struct stat st;
		if (fsx_lstat_at(c->root, hex, &st, NULL) < 0) {
			cJSON *nm = cJSON_GetArrayItem(ids, 0);
			report_finding(c->r, "image.missing", ids->string,
			               "%s: %s names image %s, which is not in imagedb", c->label,
			               nm ? nm->valuestring : "a name", ids->string);
		}
	}
	cJSON_Delete(names);
}

void store_read_docker(report_t *r, const struct store_spec *spec, const struct audit_limits *lim,
                       cJSON *sj)
{
	struct dctx c = {
	        .r = r, .rootpath = spec->path, .pol = lim->pol, .only_image = lim->only_image};
	snprintf(c.label, sizeof c.label, "docker:%s", spec->path);
	ea_error_t err = {0};
	c.root = fsx_open_root(spec->path, &err);
	if (c.root < 0) {
		report_finding(r, "store.not_found", spec->path, "%s", err.msg);
		return;
	}
	int idir = fsx_open_dir_at(c.root, "image", &err);
	if (idir < 0) {
		report_finding(r, finding_id_for_open_error(err.code, "store.unknown_type"),
		               spec->path, "%s has no image/ folder: not a Docker data root",
		               spec->path);
		close(c.root);
		return;
	}
	DIR *d = fdopendir(idir);
	if (!d) {
		cleanup_free char *subj = xasprintf("%s/image", spec->path);
		store_folder_unlistable(r, subj, errno);
	}
	struct dirent *e;
	cJSON *drivers = cJSON_AddArrayToObject(sj, "drivers");
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.') continue;
		/* image/<driver>: a link or special file here would hide a driver's
		 * images from the audit; say so, never skip it in silence */
		cleanup_free char *subj = xasprintf("%s/image/%.200s", spec->path, e->d_name);
		struct stat st;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			store_entry_unreadable(r, subj, errno);
			continue;
		}
		if (S_ISLNK(st.st_mode)) {
			report_finding(r, "store.symlink", subj,
			               "%s: a driver folder that is a symbolic link (not followed)",
			               c.label);
			continue;
		}
		if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
			report_finding(r, "store.special_file", subj, "%s: an entry that is a %s",
			               c.label, fsx_type_name(st.st_mode));
			continue;
		}
		if (!S_ISDIR(st.st_mode)) continue; /* a stray file: no driver */
		if (strlen(e->d_name) >= sizeof c.driver) {
			report_finding(r, "store.bad_path", subj,
			               "%s: a driver folder name over %zu bytes", c.label,
			               sizeof c.driver - 1);
			continue;
		}
		snprintf(c.driver, sizeof c.driver, "%.63s", e->d_name); /* checked above */
		snprintf(c.imgdir, sizeof c.imgdir, "image/%.63s", c.driver);
		cJSON_AddItemToArray(drivers, cJSON_CreateString(e->d_name));
		audit_driver(&c);
		if (!c.only_image) {
			struct store_at at = {r, c.root, c.rootpath, c.label};
			store_docker_drift(&at, c.driver, c.imgs, lim->drift_allow, sj);
		}
		store_img_layers_free(&c.imgs);
		while (c.layers) { /* layers are per driver */
			struct dlayer *n = c.layers->next;
			layer_pkgs_free(c.layers->s.pkgs);
			free(c.layers);
			c.layers = n;
		}
	}
	if (d) closedir(d);
	else close(idir);
	cJSON_AddNumberToObject(sj, "images", c.nimages);
	cJSON_AddNumberToObject(sj, "layers", c.nlayers);
	if (c.only_image && !c.only_found)
		report_finding(r, "image.missing", c.only_image, "%s: no image named '%s'", c.label,
		               c.only_image);
	close(c.root);
}
