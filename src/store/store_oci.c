/*
 * store_oci: OCI image layouts, as a folder (oci:) and as a tar (oci-archive:).
 * Reads oci-layout and index.json, hands the root descriptors to the verifier
 * (oci.c), then lists blobs/ for blobs nothing references and for files that
 * are not regular files.
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
#include "oci.h"
#include "store_readers.h"
#include "tar.h"

#define REF_NAME        "org.opencontainers.image.ref.name"
#define CONTAINERD_NAME "io.containerd.image.name"

/* Check oci-layout's content (bytes may be NULL: missing). */
static void check_layout_file(report_t *r, const char *label, const char *bytes, size_t len,
                              const char *why)
{
	if (!bytes) {
		report_finding(r, "layout.bad_version", label, "%s: no oci-layout file (%s)", label,
		               why);
		return;
	}
	cJSON *j = cJSON_ParseWithLength(bytes, len);
	const char *v =
	        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "imageLayoutVersion"));
	if (!v || strcmp(v, "1.0.0") != 0)
		report_finding(r, "layout.bad_version", label,
		               "%s: oci-layout is not {\"imageLayoutVersion\":\"1.0.0\"}", label);
	cJSON_Delete(j);
}

/* See store_readers.h. */
cJSON *store_oci_index_roots(report_t *r, oci_ctx_t *c, const char *label, const char *bytes,
                             size_t len)
{
	cJSON *idx = jsondoc_parse(bytes, len); /* one meaning, as the engine reads it */
	cJSON *ms = cJSON_GetObjectItemCaseSensitive(idx, "manifests");
	if (!cJSON_IsObject(idx) || !cJSON_IsArray(ms)) {
		report_finding(r, "json.malformed", label,
		               "%s: index.json is not an image index with a manifests array",
		               label);
		cJSON_Delete(idx);
		return NULL;
	}
	int i = 0;
	cJSON *m;
	cJSON_ArrayForEach (m, ms) {
		char where[64];
		snprintf(where, sizeof where, "index.json manifests[%d]", i++);
		/* Every name a consumer binds this entry to: containerd's import
		 * takes io.containerd.image.name first, skopeo and podman the
		 * ref.name; each is walked and judged under the policy. */
		cJSON *ann = cJSON_GetObjectItemCaseSensitive(m, "annotations");
		const char *names[2];
		int n = 0;
		const char *cn = cJSON_GetStringValue(
		        cJSON_GetObjectItemCaseSensitive(ann, CONTAINERD_NAME));
		const char *rn =
		        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ann, REF_NAME));
		if (rn && *rn) names[n++] = rn;
		if (cn && *cn && (!rn || strcmp(cn, rn))) names[n++] = cn;
		oci_add_root(c, m, names, n, where);
	}
	return idx;
}

/* blobs/<alg>/<name> entries of a layout folder. */
void store_scan_blob_dirs(report_t *r, oci_ctx_t *c, int root, const char *label,
                          const char *path_prefix, const char *unref_why, cJSON *sj)
{
	ea_error_t err = {0};
	int bfd = fsx_open_dir_at(root, "blobs", &err);
	if (bfd < 0) {
		if (err.code != EA_E_NOENT) {
			cleanup_free char *subj = xasprintf("%s/blobs", path_prefix);
			report_finding(r, finding_id_for_open_error(err.code, "store.unreadable"),
			               subj, "%s", err.msg);
		}
		return;
	}
	DIR *top = fdopendir(bfd);
	if (!top) {
		close(bfd);
		cleanup_free char *subj = xasprintf("%s/blobs", path_prefix);
		store_folder_unlistable(r, subj, errno);
		return;
	}
	unsigned long total = 0, unref = 0;
	struct dirent *ae;
	while ((ae = readdir(top)) && total < STORE_MAX_BLOB_ENTRIES) {
		if (!strcmp(ae->d_name, ".") || !strcmp(ae->d_name, "..")) continue;
		char rel[300];
		snprintf(rel, sizeof rel, "blobs/%.200s", ae->d_name);
		int afd = fsx_open_dir_at(root, rel, &err);
		if (afd < 0) {
			cleanup_free char *subj = xasprintf("%s/%s", path_prefix, rel);
			report_finding(r, finding_id_for_open_error(err.code, "store.unreadable"),
			               subj, "%s", err.msg);
			continue;
		}
		DIR *ad = fdopendir(afd);
		if (!ad) {
			close(afd);
			cleanup_free char *subj = xasprintf("%s/%s", path_prefix, rel);
			store_folder_unlistable(r, subj, errno);
			continue;
		}
		struct dirent *be;
		while ((be = readdir(ad)) && total < STORE_MAX_BLOB_ENTRIES) {
			if (!strcmp(be->d_name, ".") || !strcmp(be->d_name, "..")) continue;
			total++;
			struct stat st;
			if (fstatat(dirfd(ad), be->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
				cleanup_free char *subj =
				        xasprintf("%s/%s/%.200s", path_prefix, rel, be->d_name);
				store_entry_unreadable(r, subj, errno);
				continue;
			}
			char dstr[DIGEST_MAX_STR + 300];
			snprintf(dstr, sizeof dstr, "%.200s:%.200s", ae->d_name, be->d_name);
			digest_t d;
			int valid = digest_parse(dstr, &d, NULL) == 0;
			if (valid && c && oci_referenced(c, &d))
				continue; /* its findings came from the verifier */
			cleanup_free char *path =
			        xasprintf("%s/%s/%.200s", path_prefix, rel, be->d_name);
			if (S_ISLNK(st.st_mode)) {
				report_finding(r, "store.symlink", path,
				               "unreferenced blob entry is a symbolic link (not "
				               "followed)");
			} else if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
				report_finding(r, "store.special_file", path,
				               "unreferenced blob entry is a %s",
				               fsx_type_name(st.st_mode));
			} else {
				unref++;
				report_finding(r, "blob.unreferenced", valid ? d.str : path,
				               "%s: %s (%lld bytes) is %s", label, path,
				               (long long)st.st_size, unref_why);
			}
		}
		closedir(ad);
	}
	closedir(top);
	if (total >= STORE_MAX_BLOB_ENTRIES) {
		cleanup_free char *subj = xasprintf("%s/blobs", path_prefix);
		store_scan_stopped(r, subj, STORE_MAX_BLOB_ENTRIES);
	}
	cJSON_AddNumberToObject(sj, "blob_files", (double)total);
	cJSON_AddNumberToObject(sj, "unreferenced_blobs", (double)unref);
}

void store_read_oci_dir(report_t *r, const struct store_spec *spec, const struct audit_limits *lim,
                        cJSON *sj)
{
	char label[256];
	snprintf(label, sizeof label, "oci:%s", spec->path);
	ea_error_t err = {0};
	cleanup_close int root = fsx_open_root(spec->path, &err);
	if (root < 0) {
		report_finding(r, "store.not_found", spec->path, "%s", err.msg);
		return;
	}
	cleanup_free char *layout = NULL, *index = NULL;
	size_t llen = 0, ilen = 0;
	if (fsx_read_file_at(root, "oci-layout", 4096, &layout, &llen, &err) < 0) {
		if (err.code != EA_E_NOENT)
			report_finding(r, finding_id_for_open_error(err.code, "store.unreadable"),
			               label, "%s", err.msg);
		check_layout_file(r, label, NULL, 0, err.msg);
	} else {
		check_layout_file(r, label, layout, llen, "");
	}
	if (fsx_read_file_at(root, "index.json", OCI_MAX_INDEX_BYTES, &index, &ilen, &err) < 0) {
		cleanup_free char *subj = xasprintf("%s/index.json", spec->path);
		if (err.code == EA_E_NOENT)
			report_finding(r, "json.malformed", subj, "%s: no index.json", label);
		else
			report_finding(r, finding_id_for_open_error(err.code, "store.unreadable"),
			               subj, "%s", err.msg);
		return;
	}
	struct blobsrc src;
	if (blobsrc_oci_dir(&src, root, label, &err) < 0) {
		report_finding(r, "store.unreadable", label, "%s", err.msg);
		return;
	}
	struct oci_opts o = oci_opts_for(lim);
	o.all_roots = 1; /* imported whole: every entry is judged under the policy */
	oci_ctx_t *c = oci_new(r, &src, &o);
	cJSON *idx = store_oci_index_roots(r, c, label, index, ilen);
	int n = idx ? oci_run(c) : 0;
	cJSON_AddNumberToObject(sj, "images", n);
	if (!lim->only_image)
		store_scan_blob_dirs(r, c, root, label, label, "referenced by no index or manifest",
		                     sj); /* `verify` looks at one image only */
	cJSON_Delete(idx);
	oci_free(c);
	blobsrc_close(&src);
}

/* ---- oci-archive ---- */

/* Members with an absolute or '..' name: `images` and `verify` alike. */
void store_scan_unsafe_members(report_t *r, const struct tar_index *ix, const char *label)
{
	for (size_t i = 0; i < ix->n; i++)
		if (ix->m[i].unsafe_name) {
			cleanup_free char *subj = xasprintf("%s:%.200s", label, ix->m[i].name);
			report_finding(r, "store.bad_path", subj,
			               "archive member with an absolute or '..' name");
		}
}

static void scan_tar_blobs(report_t *r, oci_ctx_t *c, const struct tar_index *ix, const char *label,
                           cJSON *sj)
{
	unsigned long total = 0, unref = 0;
	for (size_t i = 0; i < ix->n; i++) {
		const struct tar_member *m = &ix->m[i];
		if (m->unsafe_name) continue; /* store_scan_unsafe_members */
		if (strncmp(m->name, "blobs/", 6) != 0 || m->kind == TAR_DIR) continue;
		const char *rest = m->name + 6, *slash = strchr(rest, '/');
		if (!slash || strchr(slash + 1, '/')) continue;
		total++;
		char dstr[DIGEST_MAX_STR + 300];
		snprintf(dstr, sizeof dstr, "%.*s:%.200s",
		         (int)(slash - rest > 100 ? 100 : slash - rest), rest, slash + 1);
		digest_t d;
		int valid = digest_parse(dstr, &d, NULL) == 0;
		if (valid && oci_referenced(c, &d)) continue;
		cleanup_free char *path = xasprintf("%s:%.200s", label, m->name);
		if (m->kind == TAR_SYMLINK || m->kind == TAR_LINK)
			report_finding(r, "store.symlink", path,
			               "unreferenced blob member is a link");
		else if (m->kind == TAR_SPECIAL)
			report_finding(r, "store.special_file", path,
			               "unreferenced blob member is a special file");
		else {
			unref++;
			report_finding(r, "blob.unreferenced", valid ? d.str : path,
			               "%s is referenced by no index or manifest", path);
		}
	}
	cJSON_AddNumberToObject(sj, "blob_files", (double)total);
	cJSON_AddNumberToObject(sj, "unreferenced_blobs", (double)unref);
}

/* Read a small member fully (bounded). */
int store_tar_read_member(const struct tar_index *ix, const char *name, size_t max, char **data,
                          size_t *len, ea_error_t *err)
{
	struct blob_region reg;
	if (tar_member_region(ix, name, &reg, err) < 0) return -1;
	if (reg.size > max)
		return ea_fail(err, EA_E_TOOBIG, "%s is %llu bytes, over the %zu-byte limit",
		               reg.where, (unsigned long long)reg.size, max);
	char *buf = xmalloc(reg.size + 1);
	if (blob_region_pread(&reg, buf, reg.size, 0, err) < 0) {
		free(buf);
		return -1;
	}
	buf[reg.size] = '\0';
	*data = buf;
	*len = reg.size;
	return 0;
}

/* Each way the engines could read the archive otherwise: a finding. */
void store_report_ambiguities(report_t *r, const struct tar_index *ix, const char *label)
{
	size_t shown = ix->namb < TAR_MAX_AMBIGUITIES ? ix->namb : TAR_MAX_AMBIGUITIES;
	for (size_t i = 0; i < shown; i++) {
		cleanup_free char *subj = xasprintf("%s:%s", label, ix->amb[i].name);
		report_finding(r, "archive.ambiguous", subj, "header at offset %llu: %s",
		               (unsigned long long)ix->amb[i].offset, ix->amb[i].msg);
	}
	if (ix->namb > shown)
		report_finding(r, "archive.ambiguous", label,
		               "%zu more ambiguities in the archive (not listed)",
		               ix->namb - shown);
}

int store_open_archive(report_t *r, const char *path, const char *label, struct tar_index *ix)
{
	ea_error_t err = {0};
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		report_finding(r, "store.not_found", path, "cannot open %s: %s", path,
		               strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		report_finding(r, "store.special_file", path, "%s is not a regular file", path);
		close(fd);
		return -1;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	if (tar_index_open(ix, fd, label, &err) < 0) {
		if (err.code == EA_E_INTERRUPTED)
			report_unchecked(
			        r, path,
			        "stopped (budget or signal) before the archive was indexed");
		else report_finding(r, "archive.malformed", path, "%s", err.msg);
		store_report_ambiguities(r, ix, label);
		tar_index_free(ix);
		close(fd);
		return -1;
	}
	if (ix->truncated && ix->err.code == EA_E_INTERRUPTED)
		report_unchecked(r, path,
		                 "stopped (budget or signal) before the archive was indexed whole");
	else if (ix->truncated) report_finding(r, "archive.malformed", path, "%s", ix->err.msg);
	store_report_ambiguities(r, ix, label);
	return 0;
}

/* The OCI layout inside an indexed archive: used by oci-archive and by the
 * Engine 25+ docker-archive. Returns the verifier context (caller frees
 * with oci_free, after blobsrc_close(src)) or NULL. */
oci_ctx_t *store_verify_tar_layout(report_t *r, const struct tar_index *ix, const char *label,
                                   const struct audit_limits *lim, struct blobsrc *src, cJSON *sj,
                                   cJSON **idx_out)
{
	ea_error_t err = {0};
	cleanup_free char *layout = NULL, *index = NULL;
	size_t llen = 0, ilen = 0;
	if (store_tar_read_member(ix, "oci-layout", 4096, &layout, &llen, &err) < 0)
		check_layout_file(r, label, NULL, 0, err.msg);
	else check_layout_file(r, label, layout, llen, "");
	if (store_tar_read_member(ix, "index.json", OCI_MAX_INDEX_BYTES, &index, &ilen, &err) < 0) {
		cleanup_free char *subj = xasprintf("%s:index.json", label);
		if (err.code == EA_E_NOENT)
			report_finding(r, "json.malformed", subj, "%s: no index.json", label);
		else
			report_finding(r, finding_id_for_open_error(err.code, "store.unreadable"),
			               subj, "%s", err.msg);
		return NULL;
	}
	blobsrc_tar(src, ix, "", label);
	struct oci_opts o = oci_opts_for(lim);
	o.all_roots = 1; /* imported whole: every entry is judged under the policy */
	oci_ctx_t *c = oci_new(r, src, &o);
	*idx_out = store_oci_index_roots(r, c, label, index, ilen);
	int n = *idx_out ? oci_run(c) : 0;
	cJSON_AddNumberToObject(sj, "images", n);
	store_scan_unsafe_members(r, ix, label);
	if (!lim->only_image) scan_tar_blobs(r, c, ix, label, sj);
	return c;
}

void store_read_oci_archive(report_t *r, const struct store_spec *spec,
                            const struct audit_limits *lim, cJSON *sj)
{
	char label[256];
	snprintf(label, sizeof label, "oci-archive:%s", spec->path);
	struct tar_index ix;
	if (store_open_archive(r, spec->path, label, &ix) < 0) return;
	struct blobsrc src;
	cJSON *idx = NULL;
	oci_ctx_t *c = store_verify_tar_layout(r, &ix, label, lim, &src, sj, &idx);
	if (c) {
		oci_free(c);
		blobsrc_close(&src);
	}
	cJSON_Delete(idx);
	close(ix.fd);
	tar_index_free(&ix);
}
