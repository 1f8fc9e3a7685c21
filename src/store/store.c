/* store: see store.h. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsx.h"
#include "store_readers.h"

static const char *const type_names[STORE_TYPE_COUNT] = {
        [STORE_AUTO] = "auto",
        [STORE_OCI] = "oci",
        [STORE_OCI_ARCHIVE] = "oci-archive",
        [STORE_DOCKER_ARCHIVE] = "docker-archive",
        [STORE_DOCKER] = "docker",
        [STORE_CONTAINERD] = "containerd",
        [STORE_CONTAINERS_STORAGE] = "containers-storage",
        [STORE_DIR] = "dir",
};

const char *store_type_name(store_type_t t)
{
	return (unsigned)t < STORE_TYPE_COUNT ? type_names[t] : "unknown";
}

int store_spec_parse(const char *arg, struct store_spec *out, ea_error_t *err)
{
	out->discovered = 0;
	const char *colon = strchr(arg, ':');
	if (colon) {
		for (int t = 1; t < STORE_TYPE_COUNT; t++) {
			size_t n = strlen(type_names[t]);
			if ((size_t)(colon - arg) == n && !strncmp(arg, type_names[t], n)) {
				if (!colon[1])
					return ea_fail(err, EA_E_USAGE,
					               "--store %s: no path after the type", arg);
				out->type = (store_type_t)t;
				out->path = colon + 1;
				return 0;
			}
		}
		/* "word:" that looks like a type but is none: a typo, say so. */
		int looks_like_type = colon > arg;
		for (const char *p = arg; p < colon; p++)
			if (!((*p >= 'a' && *p <= 'z') || *p == '-')) looks_like_type = 0;
		if (looks_like_type)
			return ea_fail(
			        err, EA_E_USAGE,
			        "--store %s: unknown store type '%.*s' (oci, oci-archive, "
			        "docker-archive, docker, containerd, containers-storage, dir)",
			        arg, (int)(colon - arg), arg);
	}
	if (!*arg) return ea_fail(err, EA_E_USAGE, "--store needs a path");
	out->type = STORE_AUTO;
	out->path = arg;
	return 0;
}

static int exists_at(int dfd, const char *rel, int want_dir)
{
	struct stat st;
	if (fstatat(dfd, rel, &st, AT_SYMLINK_NOFOLLOW) != 0) return 0;
	return want_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode);
}

/* Does a tar file hold a member named `name` in its first entries?  Used
 * only to tell an oci-archive from a docker-archive: verification re-reads
 * everything with the real tar reader. */
static store_type_t detect_archive(const char *path)
{
	cleanup_close int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) return STORE_AUTO;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) return STORE_AUTO;
	int has_manifest = 0, has_layout = 0, is_tar = 0;
	unsigned char h[512];
	off_t off = 0;
	for (int i = 0; i < 4096; i++) {
		if (pread(fd, h, sizeof h, off) != (ssize_t)sizeof h) break;
		if (memcmp(h + 257, "ustar", 5) != 0) break;
		is_tar = 1;
		char name[101];
		memcpy(name, h, 100);
		name[100] = '\0';
		const char *n = name;
		if (n[0] == '.' && n[1] == '/') n += 2;
		if (!strcmp(n, "manifest.json")) has_manifest = 1;
		if (!strcmp(n, "oci-layout")) has_layout = 1;
		char sz[13];
		memcpy(sz, h + 124, 12);
		sz[12] = '\0';
		unsigned long long size = strtoull(sz, NULL, 8);
		off += 512 + (off_t)((size + 511) / 512 * 512);
	}
	if (!is_tar) return STORE_AUTO;
	if (has_manifest) return STORE_DOCKER_ARCHIVE; /* docker save, legacy or Engine 25+ */
	if (has_layout) return STORE_OCI_ARCHIVE;
	return STORE_AUTO;
}

store_type_t store_detect(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) return STORE_AUTO;
	if (S_ISREG(st.st_mode)) return detect_archive(path);
	if (!S_ISDIR(st.st_mode)) return STORE_AUTO;
	cleanup_close int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) return STORE_AUTO;
	if (exists_at(dfd, "oci-layout", 0) ||
	    (exists_at(dfd, "index.json", 0) && exists_at(dfd, "blobs", 1)))
		return STORE_OCI;
	if (exists_at(dfd, "io.containerd.content.v1.content", 1)) return STORE_CONTAINERD;
	if (store_is_skopeo_dir(dfd)) return STORE_DIR;
	if (exists_at(dfd, "image", 1) &&
	    (exists_at(dfd, "overlay2", 1) || exists_at(dfd, "vfs", 1) ||
	     exists_at(dfd, "containers", 1)))
		return STORE_DOCKER;
	static const char *const cs[] = {"overlay-images", "vfs-images", "btrfs-images",
	                                 "zfs-images"};
	for (unsigned i = 0; i < sizeof cs / sizeof cs[0]; i++)
		if (exists_at(dfd, cs[i], 1)) return STORE_CONTAINERS_STORAGE;
	return STORE_AUTO;
}

int store_discover(const char *root_prefix, struct store_spec *out, int max)
{
	static const struct {
		const char *path;
		store_type_t type;
	} roots[] = {
	        {"/var/lib/docker", STORE_DOCKER},
	        {"/var/lib/balena-engine", STORE_DOCKER},
	        {"/var/lib/docker/containerd/daemon", STORE_CONTAINERD},
	        {"/var/lib/containerd", STORE_CONTAINERD},
	        {"/var/lib/containers/storage", STORE_CONTAINERS_STORAGE},
	};
	int n = 0;
	for (unsigned i = 0; i < sizeof roots / sizeof roots[0] && n < max; i++) {
		char *p = xasprintf("%s%s", root_prefix, roots[i].path);
		struct stat st;
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			out[n].type = roots[i].type;
			out[n].path = p;
			out[n].discovered = 1;
			n++;
		} else {
			free(p);
		}
	}
	return n;
}

/* Readers that exist; the others are reported as not built yet. */
typedef void (*store_reader_fn)(report_t *, const struct store_spec *, const struct audit_limits *,
                                cJSON *);

static store_reader_fn reader_for(store_type_t t)
{
	switch (t) {
	case STORE_OCI: return store_read_oci_dir;
	case STORE_OCI_ARCHIVE: return store_read_oci_archive;
	case STORE_DOCKER_ARCHIVE: return store_read_docker_archive;
	case STORE_CONTAINERD: return store_read_containerd;
	case STORE_DOCKER: return store_read_docker;
	case STORE_DIR: return store_read_dir;
	case STORE_CONTAINERS_STORAGE: return store_read_containers_storage;
	default: return NULL;
	}
}

void store_audit(report_t *r, const struct store_spec *spec, const struct audit_limits *lim)
{
	struct store_spec s = *spec;
	struct stat st;
	if (stat(s.path, &st) != 0) {
		report_finding(r, "store.not_found", s.path,
		               "store %s does not exist or cannot be opened", s.path);
		return;
	}
	if (s.type == STORE_AUTO) {
		s.type = store_detect(s.path);
		if (s.type == STORE_AUTO) {
			report_finding(r, "store.unknown_type", s.path,
			               "%s is not an image store edgeaudit recognises; name its "
			               "type as TYPE:PATH",
			               s.path);
			return;
		}
	}
	cJSON *js = cJSON_CreateObject();
	cJSON_AddStringToObject(js, "type", store_type_name(s.type));
	cJSON_AddStringToObject(js, "path", s.path);
	cJSON_AddBoolToObject(js, "discovered", s.discovered);
	store_reader_fn fn = reader_for(s.type);
	cJSON_AddStringToObject(js, "status", fn ? "checked" : "not_checked");
	report_lock(r);
	cJSON_AddItemToArray(report_stores(r), js);
	report_unlock(r);
	if (!fn) {
		char *part = xasprintf("store %s:%s", store_type_name(s.type), s.path);
		report_unchecked(r, part, "this store type is not verified by this version yet");
		free(part);
		return;
	}
	fn(r, &s, lim, js);
}
