/* store_common: the plumbing the store readers (store_*.c) share, declared
 * in store_readers.h: findings for unreadable folders and entries, layer
 * comparisons, image names, and the signature check for stores that keep
 * no signatures.  Kept out of the dispatcher (store.c), which calls the
 * readers: the readers call down into this file, never back up. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

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

void store_scan_stopped(report_t *r, const char *subject, unsigned long limit)
{
	char why[128];
	snprintf(why, sizeof why, "more than %lu entries: the rest were not read", limit);
	report_unchecked_kind(r, "store.unreadable", subject, why);
}

void store_folder_unlistable(report_t *r, const char *subject, int errnum)
{
	report_finding(r, "store.unreadable", subject, "cannot list the folder: %s", strerror(errnum));
}

void store_entry_unreadable(report_t *r, const char *subject, int errnum)
{
	if (errnum != ENOENT) report_finding(r, "store.unreadable", subject, "cannot stat the entry: %s", strerror(errnum));
}

int store_names_have(cJSON *names, const char *want)
{
	cJSON *n;
	cJSON_ArrayForEach(n, names) if (cJSON_IsString(n) && !strcmp(n->valuestring, want)) return 1;
	return 0;
}

int store_sig_unavailable(report_t *r, const struct sig_policy *pol, const char *label, cJSON *img, const digest_t *id)
{
	if (!pol) return 0;
	const char *names[64];
	int n = 0;
	cJSON *nm;
	cJSON_ArrayForEach(nm, cJSON_GetObjectItemCaseSensitive(img, "names")) if (n < 64 && cJSON_IsString(nm)) names[n++] = nm->valuestring;
	struct sig_target t = {label, names, n, *id, NULL, 0, img};
	int rc = sig_verify_image(r, pol, NULL, NULL, 0, &t);
	cJSON_AddStringToObject(img, "signature_check", rc > 0 ? "verified" : rc == 0 ? "not_required" : "not_verified");
	return rc == -1;
}
