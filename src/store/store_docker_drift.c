/*
 * store_docker_drift: the containers of a Docker / Moby / balena-engine
 * store and their drift (drift.h).  dockerd keeps, under its root:
 *   containers/<id>/config.v2.json      ID, Name ("/name"), Image (the image
 *                                       ID), Config.Image (as run), Driver
 *   image/<driver>/layerdb/mounts/<id>/ mount-id (the writable layer's
 *                                       folder), init-id (its init layer)
 * and with the overlay2 driver the layers' folders are overlay2/<id>/diff:
 * the writable layer is judged against its init layer and the image's
 * layer folders (the ones store_docker.c verified), top-down.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "drift.h"
#include "fsx.h"
#include "jsondoc.h"
#include "store_readers.h"

#define DOCKER_MAX_CONTAINER_CONFIG (8u << 20)
#define DOCKER_MAX_CONTAINERS       100000UL

/* A one-line file of the layerdb (a mount-id) as a safe name: 0, or -1. */
static int read_id(const struct store_at *at, const char *rel, char *out, size_t n)
{
	cleanup_free char *data = NULL;
	size_t len = 0;
	ea_error_t err = {0};
	if (fsx_read_file_at(at->root, rel, n - 1, &data, &len, &err) < 0) return -1;
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == ' ')) len--;
	memcpy(out, data, len);
	out[len] = '\0';
	return out[0] && !strchr(out, '/') && strcmp(out, "..") && strcmp(out, ".") ? 0 : -1;
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

struct dcontainer {
	const struct store_at *at;
	const char *driver, *id;
	const char *name, *image_id, *image_ref;
	const char *const *allow; /* the user's drift allow list, or NULL */
};

static void container_problem(struct dcontainer *k, const char *why)
{
	cleanup_free char *subj = xasprintf("docker:%s:/", k->id);
	report_finding(k->at->r, "drift.incomplete", subj, "%s: container %s (image %s): %s",
	               k->at->label, k->name, k->image_ref, why);
}

/* The container's writable layer judged against its init layer and its
 * image's layers: the container's report entry, or NULL (said). */
static cJSON *container_drift(struct dcontainer *k, const struct store_img_layers *imgs)
{
	const struct store_at *at = k->at;
	char rel[400], mount[256], init[256];
	snprintf(rel, sizeof rel, "image/%s/layerdb/mounts/%s/mount-id", k->driver, k->id);
	if (read_id(at, rel, mount, sizeof mount) < 0) {
		container_problem(k, "no readable, safe layerdb mount-id: its writable layer is "
		                     "not known");
		return NULL;
	}
	const struct store_img_layers *il = store_img_layers_find(imgs, k->image_id);
	if (!il) {
		container_problem(k, "its image is not in the store: its changes are not judged");
		return NULL;
	}
	cleanup_free const char **lower = xcalloc((size_t)il->n + 1, sizeof *lower);
	char initrel[300];
	int n = 0;
	snprintf(rel, sizeof rel, "image/%s/layerdb/mounts/%s/init-id", k->driver, k->id);
	if (read_id(at, rel, init, sizeof init) == 0) {
		snprintf(initrel, sizeof initrel, "%s/%s/diff", k->driver, init);
		lower[n++] = initrel;
	}
	for (int i = il->n - 1; i >= 0; i--) lower[n++] = il->rel[i];
	char upper[300];
	snprintf(upper, sizeof upper, "%s/%s/diff", k->driver, mount);
	struct drift_target t = {.r = at->r,
	                         .root = at->root,
	                         .rootpath = at->rootpath,
	                         .runtime = "docker",
	                         .id = k->id,
	                         .name = k->name,
	                         .image = il->name ? il->name : k->image_ref,
	                         .upper_rel = upper,
	                         .lower_rel = lower,
	                         .nlower = n,
	                         .allow = k->allow};
	return drift_scan(&t);
}

/* containers/<id>/config.v2.json of this driver: its drift into arr. */
static void docker_container(const struct store_at *at, const char *driver, const char *id,
                             const struct store_img_layers *imgs, const char *const *allow,
                             cJSON *arr)
{
	char rel[300];
	snprintf(rel, sizeof rel, "containers/%s/config.v2.json", id);
	cleanup_free char *data = NULL;
	size_t len = 0;
	ea_error_t err = {0};
	if (fsx_read_file_at(at->root, rel, DOCKER_MAX_CONTAINER_CONFIG, &data, &len, &err) < 0) {
		cleanup_free char *subj = xasprintf("%s/%s", at->rootpath, rel);
		report_finding(at->r, finding_id_for_open_error(err.code, "store.unreadable"), subj,
		               "%s: container config: %s", at->label, err.msg);
		return;
	}
	cJSON *cfg = jsondoc_parse(data, len);
	const char *drv = jstr(cfg, "Driver");
	if (cfg && drv && strcmp(drv, driver)) { /* another driver's container */
		cJSON_Delete(cfg);
		return;
	}
	const char *name = jstr(cfg, "Name");
	struct dcontainer k = {
	        .at = at,
	        .driver = driver,
	        .id = id,
	        .name = name ? name + (name[0] == '/') : id,
	        .image_id = jstr(cfg, "Image"),
	        .image_ref = jstr(cJSON_GetObjectItemCaseSensitive(cfg, "Config"), "Image"),
	        .allow = allow};
	if (!k.image_ref) k.image_ref = k.image_id ? k.image_id : "unknown";
	if (!cfg || !k.image_id) {
		cleanup_free char *subj = xasprintf("%s/%s", at->rootpath, rel);
		report_finding(at->r, "json.malformed", subj,
		               "%s: a container config without an Image", at->label);
	} else {
		cJSON *o = container_drift(&k, imgs);
		if (o) cJSON_AddItemToArray(arr, o);
	}
	cJSON_Delete(cfg);
}

void store_docker_drift(const struct store_at *at, const char *driver,
                        const struct store_img_layers *imgs, const char *const *allow, cJSON *sj)
{
	ea_error_t err = {0};
	int dfd = fsx_open_dir_at(at->root, "containers", &err);
	if (dfd < 0) return; /* no containers */
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	int overlay = !strcmp(driver, "overlay2") || !strcmp(driver, "overlay");
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(sj, "containers");
	if (!arr && overlay) arr = cJSON_AddArrayToObject(sj, "containers");
	struct dirent *e;
	unsigned long n = 0;
	while ((e = readdir(d))) {
		if (!ea_is_hex64(e->d_name, strlen(e->d_name))) continue;
		if (++n > DOCKER_MAX_CONTAINERS) {
			cleanup_free char *subj = xasprintf("%s/containers", at->rootpath);
			store_scan_stopped(at->r, subj, DOCKER_MAX_CONTAINERS);
			break;
		}
		if (!overlay) { /* said in the store's entry, not a finding */
			cleanup_free char *why = xasprintf(
			        "driver %s: only overlay layer folders are compared", driver);
			cJSON_DeleteItemFromObjectCaseSensitive(sj, "containers_not_checked");
			cJSON_AddStringToObject(sj, "containers_not_checked", why);
			break;
		}
		docker_container(at, driver, e->d_name, imgs, allow, arr);
	}
	closedir(d);
}
