/*
 * store_dir: skopeo's (containers/image's) `dir:` transport, one image as a
 * folder: manifest.json, blobs named by their sha256 hex, a `version` file
 * ("Directory Transport Version: 1.x") and optional signature-N files.
 *
 * The folder keeps no digest of manifest.json (it is the root of trust of a
 * copy): it is hashed and handed to the verifier (oci.c) as the root
 * descriptor, which then checks config and layers by digest as for a layout.
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
#include "store_readers.h"

#define DIR_MAX_MANIFEST (4u << 20)

struct dir_priv {
	int root_fd;
	digest_t manifest;
};

static int dir_open(struct blobsrc *s, const digest_t *d, struct blob_region *out, ea_error_t *err)
{
	struct dir_priv *p = s->priv;
	char rel[DIGEST_MAX_STR];
	if (digest_equal(d, &p->manifest)) snprintf(rel, sizeof rel, "manifest.json");
	else if (d->alg == DIGEST_SHA256) snprintf(rel, sizeof rel, "%s", digest_hex(d));
	else
		return ea_fail(err, EA_E_NOENT,
		               "a dir: copy names blobs by their sha256 only, not %s", d->str);
	return blob_region_open_file(p->root_fd, rel, out, err);
}

static void dir_close(struct blobsrc *s)
{
	struct dir_priv *p = s->priv;
	if (p) {
		close(p->root_fd);
		free(p);
	}
	s->priv = NULL;
}

static const struct blobsrc_ops dir_ops = {dir_open, dir_close};

int store_is_skopeo_dir(int dirfd)
{
	char buf[64];
	cleanup_free char *data = NULL;
	size_t len = 0;
	if (fsx_read_file_at(dirfd, "version", sizeof buf, &data, &len, NULL) < 0) return 0;
	return !strncmp(data, "Directory Transport Version:", 28) &&
	       faccessat(dirfd, "manifest.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

void store_read_dir(report_t *r, const struct store_spec *spec, const struct audit_limits *lim,
                    cJSON *sj)
{
	char label[256];
	snprintf(label, sizeof label, "dir:%s", spec->path);
	ea_error_t err = {0};
	cleanup_close int root = fsx_open_root(spec->path, &err);
	if (root < 0) {
		report_finding(r, "store.not_found", spec->path, "%s", err.msg);
		return;
	}
	cleanup_free char *man = NULL;
	size_t mlen = 0;
	if (fsx_read_file_at(root, "manifest.json", DIR_MAX_MANIFEST, &man, &mlen, &err) < 0) {
		cleanup_free char *subj = xasprintf("%s/manifest.json", spec->path);
		report_finding(r, finding_id_for_open_error(err.code, "json.malformed"), subj,
		               "%s: manifest.json: %s", label, err.msg);
		return;
	}
	struct dir_priv *p = xcalloc(1, sizeof *p);
	p->root_fd = fcntl(root, F_DUPFD_CLOEXEC, 0);
	digest_buffer(DIGEST_SHA256, man, mlen, &p->manifest);
	struct blobsrc src = {.ops = &dir_ops, .priv = p};
	snprintf(src.label, sizeof src.label, "%s", label);

	/* The root descriptor: the manifest's own mediaType (schema 2 manifests
	 * from Docker registries may omit it in older copies). */
	cJSON *mj =
	        jsondoc_parse(man, mlen); /* bounded: the verifier reports what is wrong with it */
	const char *mt = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(mj, "mediaType"));
	cJSON *desc = cJSON_CreateObject();
	cJSON_AddStringToObject(desc, "mediaType",
	                        mt ? mt : "application/vnd.oci.image.manifest.v1+json");
	cJSON_AddStringToObject(desc, "digest", p->manifest.str);
	cJSON_AddNumberToObject(desc, "size", (double)mlen);
	cJSON_Delete(mj);

	struct oci_opts o = oci_opts_for(lim);
	oci_ctx_t *c = oci_new(r, &src, &o);
	oci_add_root(c, desc, NULL, 0, "manifest.json");
	int n = oci_run(c);
	cJSON_AddNumberToObject(sj, "images", n);

	/* Files no descriptor names (signature-N and version are the transport's own). */
	int dfd = fcntl(root, F_DUPFD_CLOEXEC, 0);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *e;
	unsigned long total = 0;
	if (!d) store_folder_unlistable(r, spec->path, errno);
	while (d && (e = readdir(d)) && total < STORE_MAX_BLOB_ENTRIES) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "manifest.json") ||
		    !strcmp(e->d_name, "version") || !strncmp(e->d_name, "signature-", 10))
			continue;
		total++;
		struct stat st;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			cleanup_free char *subj = xasprintf("%s/%.200s", spec->path, e->d_name);
			store_entry_unreadable(r, subj, errno);
			continue;
		}
		char dstr[80];
		snprintf(dstr, sizeof dstr, "sha256:%.70s", e->d_name);
		digest_t dg;
		int valid = digest_parse(dstr, &dg, NULL) == 0;
		if (valid && oci_referenced(c, &dg)) continue;
		cleanup_free char *path = xasprintf("%s/%.200s", spec->path, e->d_name);
		if (S_ISLNK(st.st_mode))
			report_finding(r, "store.symlink", path,
			               "%s: an entry that is a symbolic link", label);
		else if (!S_ISREG(st.st_mode))
			report_finding(r, "store.special_file", path, "%s: an entry that is a %s",
			               label, fsx_type_name(st.st_mode));
		else
			report_finding(r, "blob.unreferenced", valid ? dg.str : path,
			               "%s: %s is referenced by no descriptor", label, path);
	}
	if (total >= STORE_MAX_BLOB_ENTRIES)
		store_scan_stopped(r, spec->path, STORE_MAX_BLOB_ENTRIES);
	if (d) closedir(d);
	else if (dfd >= 0) close(dfd);
	oci_free(c);
	cJSON_Delete(desc);
	blobsrc_close(&src);
}
