/* store_common: the plumbing the store readers (store_*.c) share, declared
 * in store_readers.h: findings for unreadable folders and entries, layer
 * comparisons, image names, and the signature check for stores that keep
 * no signatures.  Kept out of the dispatcher (store.c), which calls the
 * readers: the readers call down into this file, never back up. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fsx.h"
#include "jsondoc.h"
#include "layerdb.h"
#include "model.h"
#include "sig.h"
#include "store_readers.h"

void store_layer_compare_finding(void *ctx, const char *id, const char *path, const char *msg)
{
	struct layer_compare *lc = ctx;
	cleanup_free char *subj = xasprintf("%s/%s", lc->path, path);
	report_finding(lc->r, id, subj, "%s", msg);
	if (!strcmp(id, "store.unreadable")) lc->incomplete = 1;
	else lc->failed = 1;
}

enum store_layer_outcome store_check_layer_folder(struct store_layer_check *k)
{
	k->state = CHECK_NONE;
	k->cmp = (struct layer_compare){k->r, k->path, 0, 0};
	k->err = (ea_error_t){0};
	cleanup_close int lfd = fsx_open_dir_at(k->root, k->folder_rel, &k->err);
	if (lfd < 0) {
		report_finding(k->r, finding_id_for_open_error(k->err.code, "layer.missing"),
		               k->path, "%s: layer folder of %s: %s", k->label, k->diff->str,
		               k->err.msg);
		k->verdict = k->err.code == EA_E_IO ? VERDICT_INCOMPLETE : VERDICT_FAIL;
		k->state = CHECK_MISSING;
		return STORE_LAYER_NO_FOLDER;
	}
	cleanup_free char *subj = xasprintf("%s/%s", k->rootpath, k->tarsplit_rel);
	cleanup_close int tsfd = fsx_open_file_at(k->root, k->tarsplit_rel, NULL, &k->err);
	if (tsfd < 0) {
		report_finding(k->r, finding_id_for_open_error(k->err.code, "tarsplit.malformed"),
		               subj, "%s: cannot verify the layer on disk: %s", k->label,
		               k->err.msg);
		return STORE_LAYER_NO_TARSPLIT;
	}
	struct tarsplit_result res = {0};
	int rc = tarsplit_verify(tsfd, lfd, &k->opts, store_layer_compare_finding, &k->cmp, &res,
	                         &k->err);
	k->files = res.files;
	if (rc < 0) {
		if (k->err.code == EA_E_INTERRUPTED) { /* unchecked, never ok */
			report_unchecked_kind(k->r, "audit.interrupted", k->path, k->err.msg);
			k->state = CHECK_INTERRUPTED;
			return STORE_LAYER_INTERRUPTED;
		}
		report_finding(k->r, "tarsplit.malformed", subj, "%s: %s", k->label, k->err.msg);
		verdict_raise(&k->verdict, VERDICT_INCOMPLETE);
		if (k->cmp.failed) k->verdict = VERDICT_FAIL;
		k->state = CHECK_TARSPLIT_ERROR;
		return STORE_LAYER_TARSPLIT_ERROR;
	}
	k->tar_size = res.tar_size;
	if (!digest_equal(&res.diffid, k->diff)) {
		report_finding(k->r, "layer.diffid_mismatch", k->path,
		               "%s: the layer on disk reassembles to %s, its diffID is %s",
		               k->label, res.diffid.str, k->diff->str);
		k->verdict = VERDICT_FAIL;
		k->state = CHECK_MISMATCH;
		return STORE_LAYER_MISMATCH;
	}
	return STORE_LAYER_REASSEMBLED;
}

enum store_layer_outcome store_layer_folder_check(const struct store_at *at, struct store_layer *l,
                                                  const char *folder_rel, const char *tarsplit_rel,
                                                  const digest_t *diff, struct tarsplit_opts opts,
                                                  struct store_layer_check *k)
{
	*k = (struct store_layer_check){.r = at->r,
	                                .root = at->root,
	                                .rootpath = at->rootpath,
	                                .label = at->label,
	                                .path = l->path,
	                                .folder_rel = folder_rel,
	                                .tarsplit_rel = tarsplit_rel,
	                                .diff = diff,
	                                .opts = opts,
	                                .verdict = l->verdict};
	/* the package databases, kept as the reassembled tar goes by */
	struct layerdb_tap *t = layerdb_tap_new();
	k->opts.tap = layerdb_tap_feed;
	k->opts.tap_ctx = t;
	enum store_layer_outcome o = store_check_layer_folder(k);
	k->opts.tap = NULL;
	struct layer_pkgs *lp = layerdb_tap_finish(t, o == STORE_LAYER_REASSEMBLED);
	if (o == STORE_LAYER_REASSEMBLED && !l->pkgs) l->pkgs = lp;
	else layer_pkgs_free(lp);
	l->verdict = k->verdict;
	l->files = k->files;
	if (k->state != CHECK_NONE) l->state = k->state;
	return o;
}

void store_scan_stopped(report_t *r, const char *subject, unsigned long limit)
{
	char why[128];
	snprintf(why, sizeof why, "more than %lu entries: the rest were not read", limit);
	report_unchecked_kind(r, "store.unreadable", subject, why);
}

void store_folder_unlistable(report_t *r, const char *subject, int errnum)
{
	report_finding(r, "store.unreadable", subject, "cannot list the folder: %s",
	               strerror(errnum));
}

void store_entry_unreadable(report_t *r, const char *subject, int errnum)
{
	if (errnum != ENOENT)
		report_finding(r, "store.unreadable", subject, "cannot stat the entry: %s",
		               strerror(errnum));
}

int store_names_have(cJSON *names, const char *want)
{
	cJSON *n;
	cJSON_ArrayForEach (n, names)
		if (cJSON_IsString(n) && !strcmp(n->valuestring, want)) return 1;
	return 0;
}

int store_sig_unavailable(report_t *r, const struct sig_policy *pol, struct image *img,
                          const digest_t *id)
{
	if (!pol) return 0;
	struct sig_target t = {
	        img->store, (const char *const *)img->names, img->nnames, *id, NULL, 0, img};
	int rc = sig_verify_image(r, pol, NULL, NULL, 0, &t);
	img->signature_check = rc > 0    ? CHECK_VERIFIED
	                       : rc == 0 ? CHECK_NOT_REQUIRED
	                                 : CHECK_NOT_VERIFIED;
	return rc == -1;
}

cJSON *store_read_json(report_t *r, int root, const char *rootpath, const char *label,
                       const char *rel, size_t max, size_t max_values, enum store_json *st)
{
	cleanup_free char *data = NULL;
	size_t len = 0;
	ea_error_t err = {0};
	if (fsx_read_file_at(root, rel, max, &data, &len, &err) < 0) {
		*st = STORE_JSON_ABSENT;
		if (err.code == EA_E_NOENT) return NULL;
		cleanup_free char *subj = xasprintf("%s/%s", rootpath, rel);
		report_finding(r, finding_id_for_open_error(err.code, "store.unreadable"), subj,
		               "%s: %s", label, err.msg);
		*st = STORE_JSON_UNREADABLE;
		return NULL;
	}
	cJSON *j = jsondoc_parse_n(data, len, max_values); /* bounded in values, one meaning */
	*st = j ? STORE_JSON_OK : STORE_JSON_MALFORMED;
	return j;
}

struct store_img_layers *store_img_layers_add(struct store_img_layers **list, const char *id,
                                              const char *name)
{
	struct store_img_layers *il = xcalloc(1, sizeof *il);
	il->id = xstrdup(id);
	il->name = name ? xstrdup(name) : NULL;
	il->next = *list;
	*list = il;
	return il;
}

void store_img_layers_push(struct store_img_layers *il, const char *rel)
{
	il->rel = xrealloc(il->rel, (size_t)(il->n + 1) * sizeof *il->rel);
	il->rel[il->n++] = xstrdup(rel);
}

const struct store_img_layers *store_img_layers_find(const struct store_img_layers *list,
                                                     const char *id)
{
	for (; list; list = list->next)
		if (id && !strcmp(list->id, id)) return list;
	return NULL;
}

void store_img_layers_free(struct store_img_layers **list)
{
	while (*list) {
		struct store_img_layers *n = (*list)->next;
		for (int i = 0; i < (*list)->n; i++) free((*list)->rel[i]);
		free((*list)->rel);
		free((*list)->id);
		free((*list)->name);
		free(*list);
		*list = n;
	}
}
