/* model: see model.h. */
#include "model.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"
#include "report.h"
#include "util.h"

struct model {
	pthread_mutex_t mu;
	struct image *images, **images_tail;
	int nimages;
	struct process_rec *procs, **procs_tail;
	int nprocs;
	struct container_rec **conts;
	size_t nconts, conts_cap;
	struct blob_rec *blobs, **blobs_tail;
	int settled;
	pthread_mutex_t acc_mu; /* the accepted list's own: added under mu's holder */
	struct accepted_vuln *accepted, **accepted_tail;
	struct inventory *host_inv; /* --root's */
	char *host_root;
};

/* report.c's: the model of a report. */
struct model *report_model(report_t *r);

static const char *const verdict_names[] = {"pass", "incomplete", "fail"};
static const char *const check_names[CHECK_COUNT] = {
        [CHECK_NONE] = "",
        [CHECK_OK] = "ok",
        [CHECK_MISMATCH] = "mismatch",
        [CHECK_UNCHECKED] = "unchecked",
        [CHECK_NOT_CHECKED] = "not_checked",
        [CHECK_MISSING] = "missing",
        [CHECK_INVALID] = "invalid",
        [CHECK_BAD_FILE] = "bad_file",
        [CHECK_UNREADABLE] = "unreadable",
        [CHECK_INTERRUPTED] = "interrupted",
        [CHECK_DIGEST_MISMATCH] = "digest_mismatch",
        [CHECK_SIZE_MISMATCH] = "size_mismatch",
        [CHECK_BAD_METADATA] = "bad_metadata",
        [CHECK_FILES_DIFFER] = "files_differ",
        [CHECK_TARSPLIT_ERROR] = "tarsplit_error",
        [CHECK_VERIFIED] = "verified",
        [CHECK_NOT_VERIFIED] = "not_verified",
        [CHECK_NOT_REQUIRED] = "not_required",
        [CHECK_DIFFERS] = "differs",
        [CHECK_WRITABLE] = "writable",
};
const char *const model_ns_names[NS_COUNT] = {"pid", "net",  "mnt",    "ipc",
                                              "uts", "user", "cgroup", "time"};

const char *verdict_to_string(verdict_t v)
{
	return (unsigned)v <= VERDICT_FAIL ? verdict_names[v] : "fail";
}

void verdict_raise(verdict_t *v, verdict_t to)
{
	if (to > *v) *v = to;
}

const char *check_to_string(check_t c)
{
	return (unsigned)c < CHECK_COUNT ? check_names[c] : "unchecked";
}

struct model *model_new(void)
{
	struct model *m = xcalloc(1, sizeof *m);
	pthread_mutex_init(&m->mu, NULL);
	pthread_mutex_init(&m->acc_mu, NULL);
	m->accepted_tail = &m->accepted;
	m->images_tail = &m->images;
	m->procs_tail = &m->procs;
	return m;
}

/* ------------------------------------------------------------ images */

void model_set_str(char **field, const char *s)
{
	free(*field);
	*field = s ? xstrdup(s) : NULL;
}

struct image *model_image_new(const char *store)
{
	struct image *img = xcalloc(1, sizeof *img);
	img->store = xstrdup(store ? store : "");
	img->index = -1;
	return img;
}

void image_add_name(struct image *img, const char *name)
{
	img->names = xrealloc(img->names, (size_t)(img->nnames + 1) * sizeof *img->names);
	img->names[img->nnames++] = xstrdup(name);
}

struct layer *image_add_layer(struct image *img)
{
	img->has_layers = 1;
	if (img->nlayers == img->layers_cap) {
		img->layers_cap = img->layers_cap ? 2 * img->layers_cap : 8;
		img->layers = xrealloc(img->layers, (size_t)img->layers_cap * sizeof *img->layers);
	}
	struct layer *l = &img->layers[img->nlayers++];
	memset(l, 0, sizeof *l);
	l->blob.size = -1;
	l->uncompressed_size = -1;
	l->files = -1;
	return l;
}

void image_set_chain_ids(struct image *img, const digest_t *diff_ids, int n)
{
	free(img->chain_ids);
	img->has_chain_ids = 1;
	img->nchain_ids = n > 0 ? n : 0;
	img->chain_ids = xcalloc((size_t)img->nchain_ids + 1, sizeof *img->chain_ids);
	for (int i = 0; i < n; i++) {
		if (i == 0) img->chain_ids[0] = diff_ids[0];
		else digest_chain(&img->chain_ids[i - 1], &diff_ids[i], &img->chain_ids[i]);
	}
}

struct image_signature *image_add_signature(struct image *img)
{
	img->has_signatures = 1;
	img->sigs = xrealloc(img->sigs, (size_t)(img->nsigs + 1) * sizeof *img->sigs);
	struct image_signature *s = &img->sigs[img->nsigs++];
	memset(s, 0, sizeof *s);
	return s;
}

struct blob_rec *model_blob_new(report_t *r, const char *path)
{
	struct model *m = report_model(r);
	struct blob_rec *b = xcalloc(1, sizeof *b);
	model_set_str(&b->path, path);
	b->size = -1;
	pthread_mutex_lock(&m->mu);
	if (!m->blobs_tail) m->blobs_tail = &m->blobs;
	*m->blobs_tail = b;
	m->blobs_tail = &b->next;
	pthread_mutex_unlock(&m->mu);
	return b;
}

static void signatures_free(struct image_signature *sigs, int n)
{
	for (int i = 0; i < n; i++) {
		struct image_signature *s = &sigs[i];
		free(s->kind), free(s->manifest), free(s->signer), free(s->refusal);
		free(s->message), free(s->tlog), free(s->logged), free(s->signed_at);
		free(s->timestamps_skipped);
	}
	free(sigs);
}

struct image_signature *blob_add_signature(struct blob_rec *b)
{
	b->sigs = xrealloc(b->sigs, (size_t)(b->nsigs + 1) * sizeof *b->sigs);
	struct image_signature *s = &b->sigs[b->nsigs++];
	memset(s, 0, sizeof *s);
	return s;
}

struct snapshot_ref *image_add_snapshot(struct image *img)
{
	img->snaps = xrealloc(img->snaps, (size_t)(img->nsnaps + 1) * sizeof *img->snaps);
	struct snapshot_ref *s = &img->snaps[img->nsnaps++];
	memset(s, 0, sizeof *s);
	return s;
}

void image_raise(struct image *img, verdict_t v) { verdict_raise(&img->verdict, v); }

int model_image_commit(report_t *r, struct image *img)
{
	struct model *m = report_model(r);
	pthread_mutex_lock(&m->mu);
	img->index = m->nimages++;
	img->next = NULL;
	*m->images_tail = img;
	m->images_tail = &img->next;
	pthread_mutex_unlock(&m->mu);
	return img->index;
}

static void layer_free(struct layer *l)
{
	free(l->blob.media_type);
	free(l->layer_id);
	free(l->compressed_digest);
	free(l->path);
}

void model_image_free(struct image *img)
{
	if (!img) return;
	free(img->store);
	for (int i = 0; i < img->nnames; i++) free(img->names[i]);
	free(img->names);
	free(img->platform);
	free(img->media_type);
	free(img->artifact_type);
	for (int i = 0; i < img->nlayers; i++) layer_free(&img->layers[i]);
	free(img->layers);
	free(img->chain_ids);
	signatures_free(img->sigs, img->nsigs);
	for (int i = 0; i < img->nsnaps; i++) {
		struct snapshot_ref *s = &img->snaps[i];
		free(s->chain_id), free(s->snapshotter), free(s->path);
	}
	free(img->snaps);
	inventory_free(img->inventory);
	free(img);
}

void model_each_image(report_t *r, void (*fn)(struct image *img, void *arg), void *arg)
{
	struct model *m = report_model(r);
	pthread_mutex_lock(&m->mu);
	for (struct image *img = m->images; img; img = img->next) fn(img, arg);
	pthread_mutex_unlock(&m->mu);
}

int model_image_count(report_t *r) { return report_model(r)->nimages; }

static int nonempty(const char *s) { return s && s[0]; }

/* An image with this ID (images only: an artifact's config is no image ID)
 * or name. */
static int image_matches(const struct image *img, const char *id, const char *name)
{
	if (nonempty(id) && !img->artifact && img->config.str[0] && !strcmp(img->config.str, id))
		return 1;
	for (int i = 0; nonempty(name) && i < img->nnames; i++)
		if (!strcmp(img->names[i], name)) return 1;
	return 0;
}

int model_image_index(report_t *r, const char *id, const char *name)
{
	struct model *m = report_model(r);
	int idx = -1;
	pthread_mutex_lock(&m->mu);
	for (const struct image *img = m->images; img && idx < 0; img = img->next)
		if (image_matches(img, id, name)) idx = img->index;
	pthread_mutex_unlock(&m->mu);
	return idx;
}

/* ------------------------------------------------------------ processes */

struct container_rec *model_container_new(report_t *r)
{
	struct model *m = report_model(r);
	struct container_rec *c = xcalloc(1, sizeof *c);
	pthread_mutex_lock(&m->mu);
	if (m->nconts == m->conts_cap) {
		m->conts_cap = m->conts_cap ? 2 * m->conts_cap : 16;
		m->conts = xrealloc(m->conts, m->conts_cap * sizeof *m->conts);
	}
	m->conts[m->nconts++] = c;
	pthread_mutex_unlock(&m->mu);
	return c;
}

struct process_rec *model_process_new(void)
{
	struct process_rec *p = xcalloc(1, sizeof *p);
	p->seccomp = p->seccomp_filters = p->no_new_privs = -1;
	return p;
}

void model_process_commit(report_t *r, struct process_rec *p)
{
	struct model *m = report_model(r);
	pthread_mutex_lock(&m->mu);
	p->next = NULL;
	*m->procs_tail = p;
	m->procs_tail = &p->next;
	m->nprocs++;
	pthread_mutex_unlock(&m->mu);
}

int model_process_count(report_t *r) { return report_model(r)->nprocs; }

void model_each_container(report_t *r, void (*fn)(struct container_rec *c, void *arg), void *arg)
{
	struct model *m = report_model(r);
	pthread_mutex_lock(&m->mu);
	for (size_t i = 0; i < m->nconts; i++) fn(m->conts[i], arg);
	pthread_mutex_unlock(&m->mu);
}

static void container_free(struct container_rec *c)
{
	free(c->runtime), free(c->id), free(c->name), free(c->pod), free(c->bundle);
	free(c->state), free(c->image_id), free(c->image_name);
	free(c->profile_problem), free(c->problem);
	cJSON_Delete(c->profile);
	free(c);
}

static void process_free(struct process_rec *p)
{
	free(p->name), free(p->uid_map), free(p->gid_map), free(p->lsm);
	free(p->deep_problem), free(p->threads_differ);
	cJSON_Delete(p->caps);
	cJSON_Delete(p->deep_eval);
	free(p);
}

static void accepted_free(struct accepted_vuln *a)
{
	for (struct accepted_vuln *n; a; a = n) {
		n = a->next;
		free(a->subject), free(a->package), free(a->installed), free(a->advisory);
		free(a->severity), free(a->why), free(a->reason), free(a->expires);
		free(a);
	}
}

void model_accepted_vuln(report_t *r, const struct accepted_vuln *a)
{
	struct model *m = report_model(r);
	struct accepted_vuln *c = xcalloc(1, sizeof *c);
	model_set_str(&c->subject, a->subject);
	model_set_str(&c->package, a->package);
	model_set_str(&c->installed, a->installed);
	model_set_str(&c->advisory, a->advisory);
	model_set_str(&c->severity, a->severity);
	model_set_str(&c->why, a->why);
	model_set_str(&c->reason, a->reason);
	model_set_str(&c->expires, a->expires);
	pthread_mutex_lock(&m->acc_mu);
	*m->accepted_tail = c;
	m->accepted_tail = &c->next;
	pthread_mutex_unlock(&m->acc_mu);
}

cJSON *model_render_accepted_vulns(report_t *r)
{
	struct model *m = report_model(r);
	if (!m->accepted) return NULL;
	cJSON *arr = cJSON_CreateArray();
	for (const struct accepted_vuln *a = m->accepted; a; a = a->next) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "subject", a->subject);
		cJSON_AddStringToObject(o, "package", a->package);
		cJSON_AddStringToObject(o, "installed", a->installed);
		cJSON_AddStringToObject(o, "advisory", a->advisory);
		cJSON_AddStringToObject(o, "advisory_severity", a->severity);
		cJSON_AddStringToObject(o, "why", a->why);
		if (a->reason) cJSON_AddStringToObject(o, "reason", a->reason);
		if (a->expires) cJSON_AddStringToObject(o, "expires", a->expires);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

void model_free(struct model *m)
{
	if (!m) return;
	accepted_free(m->accepted);
	pthread_mutex_destroy(&m->acc_mu);
	for (struct image *img = m->images, *n; img; img = n) {
		n = img->next;
		model_image_free(img);
	}
	for (struct process_rec *p = m->procs, *n; p; p = n) {
		n = p->next;
		process_free(p);
	}
	for (size_t i = 0; i < m->nconts; i++) container_free(m->conts[i]);
	free(m->conts);
	for (struct blob_rec *b = m->blobs, *n; b; b = n) {
		n = b->next;
		free(b->path);
		signatures_free(b->sigs, b->nsigs);
		free(b);
	}
	inventory_free(m->host_inv);
	free(m->host_root);
	pthread_mutex_destroy(&m->mu);
	free(m);
}

/* ------------------------------------------------------------ inventories */

/* Each problem of an inventory as a finding on subject; the worst verdict
 * they make. */
static verdict_t inventory_findings(report_t *r, const char *subject, const char *where,
                                    const struct inventory *inv)
{
	verdict_t v = VERDICT_PASS;
	for (size_t i = 0; i < inv->nproblems; i++) {
		const struct inv_problem *p = &inv->problems[i];
		report_finding(r, p->id, subject, "%s: %s: %s", where, p->file, p->msg);
		const struct finding_kind *k = finding_kind_lookup(p->id);
		verdict_raise(&v, k && k->incomplete ? VERDICT_INCOMPLETE : VERDICT_FAIL);
	}
	return v;
}

static const char *image_subject(const struct image *img)
{
	return img->manifest_digest.str[0] ? img->manifest_digest.str
	       : img->config.str[0]        ? img->config.str
	                                   : img->store;
}

void image_set_inventory(report_t *r, struct image *img, struct inventory *inv)
{
	inventory_free(img->inventory);
	img->inventory = inv;
	if (inv) image_raise(img, inventory_findings(r, image_subject(img), img->store, inv));
}

void model_set_host_inventory(report_t *r, const char *root, struct inventory *inv)
{
	struct model *m = report_model(r);
	inventory_findings(r, root, "host", inv);
	pthread_mutex_lock(&m->mu);
	inventory_free(m->host_inv);
	free(m->host_root);
	m->host_inv = inv;
	m->host_root = xstrdup(root);
	pthread_mutex_unlock(&m->mu);
}

void model_each_inventory(report_t *r,
                          void (*fn)(const char *subject, const struct inventory *inv,
                                     struct image *img, void *arg),
                          void *arg)
{
	struct model *m = report_model(r);
	pthread_mutex_lock(&m->mu);
	for (struct image *img = m->images; img; img = img->next)
		if (img->inventory) fn(image_subject(img), img->inventory, img, arg);
	if (m->host_inv) fn(m->host_root, m->host_inv, NULL, arg);
	pthread_mutex_unlock(&m->mu);
}

/* ------------------------------------------------------------ the end */

void model_settle(report_t *r)
{
	struct model *m = report_model(r);
	pthread_mutex_lock(&m->mu);
	int first = !m->settled;
	m->settled = 1;
	pthread_mutex_unlock(&m->mu);
	if (!first) return;
	for (const struct image *img = m->images; img; img = img->next) {
		if (img->verdict == VERDICT_PASS) continue;
		if (strcmp(report_verdict_so_far(r, SEV_HIGH), "pass")) return;
		report_finding(r, "audit.unexplained", image_subject(img),
		               "%s: image is %s, but no finding says why (an internal error: the "
		               "image is not trusted)",
		               img->store, verdict_to_string(img->verdict));
	}
}

/* ------------------------------------------------------------ rendering */

static void add_str(cJSON *o, const char *k, const char *v)
{
	if (v) cJSON_AddStringToObject(o, k, v);
}

static void add_digest(cJSON *o, const char *k, const digest_t *d)
{
	if (d->str[0]) cJSON_AddStringToObject(o, k, d->str);
}

static void add_check(cJSON *o, const char *k, check_t c)
{
	if (c != CHECK_NONE) cJSON_AddStringToObject(o, k, check_to_string(c));
}

static void add_num(cJSON *o, const char *k, int64_t v)
{
	if (v >= 0) cJSON_AddNumberToObject(o, k, (double)v);
}

static cJSON *render_layer(const struct layer *l)
{
	cJSON *o = cJSON_CreateObject();
	const struct blob_check *b = &l->blob;
	add_digest(o, "digest", &b->digest);
	add_str(o, "media_type", b->media_type);
	add_num(o, "size", b->size);
	add_check(o, "blob", b->state);
	if (b->shared_by > 1) cJSON_AddNumberToObject(o, "shared_by", b->shared_by);
	if (b->shared) cJSON_AddBoolToObject(o, "shared", 1);
	add_digest(o, "diff_id", &l->diff_id);
	add_num(o, "uncompressed_size", l->uncompressed_size);
	add_check(o, "diff_id_check", l->diff_id_check);
	add_digest(o, "chain_id", &l->chain_id);
	add_str(o, "layer_id", l->layer_id);
	add_str(o, "compressed_digest", l->compressed_digest);
	add_str(o, "path", l->path);
	add_check(o, "on_disk_check", l->on_disk_check);
	add_num(o, "files", l->files);
	return o;
}

static cJSON *render_signature(const struct image_signature *s)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "kind", s->kind ? s->kind : "unknown");
	cJSON_AddStringToObject(o, "manifest", s->manifest ? s->manifest : "");
	cJSON_AddBoolToObject(o, "verified", s->verified);
	add_str(o, "signer", s->signer);
	add_str(o, "refusal", s->refusal);
	add_str(o, "message", s->message);
	add_str(o, "tlog", s->tlog);
	add_str(o, "signed_at", s->signed_at);
	add_str(o, "logged", s->logged);
	add_str(o, "timestamps_skipped", s->timestamps_skipped);
	return o;
}

static cJSON *render_snapshot(const struct snapshot_ref *s)
{
	cJSON *o = cJSON_CreateObject();
	add_str(o, "chain_id", s->chain_id);
	add_str(o, "snapshotter", s->snapshotter);
	add_str(o, "path", s->path);
	add_check(o, "check", s->check);
	return o;
}

static void render_image_parts(cJSON *o, const struct image *img)
{
	if (img->has_layers) {
		cJSON *a = cJSON_AddArrayToObject(o, "layers");
		for (int i = 0; i < img->nlayers; i++)
			cJSON_AddItemToArray(a, render_layer(&img->layers[i]));
	}
	if (img->has_chain_ids) {
		cJSON *a = cJSON_AddArrayToObject(o, "chain_ids");
		for (int i = 0; i < img->nchain_ids; i++)
			cJSON_AddItemToArray(a, cJSON_CreateString(img->chain_ids[i].str));
	}
	if (img->has_signatures) {
		cJSON *a = cJSON_AddArrayToObject(o, "signatures");
		for (int i = 0; i < img->nsigs; i++)
			cJSON_AddItemToArray(a, render_signature(&img->sigs[i]));
	}
	add_check(o, "signature_check", img->signature_check);
	if (img->nsnaps) {
		cJSON *a = cJSON_AddArrayToObject(o, "snapshots");
		for (int i = 0; i < img->nsnaps; i++)
			cJSON_AddItemToArray(a, render_snapshot(&img->snaps[i]));
	}
}

/* "inventory": what the SBOM lists in full, summed up (the package list
 * itself is `edgeaudit sbom`'s). */
static cJSON *render_inventory(const struct inventory *inv)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", inv_status_to_string(inv->status));
	add_str(o, "database", inv->database);
	add_str(o, "distro", inv->distro.id);
	add_str(o, "distro_version", inv->distro.version_id);
	add_str(o, "ecosystem", inv->distro.ecosystem);
	add_num(o, "packages", (int64_t)inv->npkgs);
	return o;
}

static cJSON *render_image(const struct image *img)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "store", img->store);
	cJSON_AddStringToObject(o, "kind", img->artifact ? "artifact" : "image");
	cJSON *names = cJSON_AddArrayToObject(o, "names");
	for (int i = 0; i < img->nnames; i++)
		cJSON_AddItemToArray(names, cJSON_CreateString(img->names[i]));
	add_str(o, "platform", img->platform);
	add_digest(o, "manifest_digest", &img->manifest_digest);
	add_str(o, "media_type", img->media_type);
	add_str(o, "artifact_type", img->artifact_type);
	add_digest(o, img->artifact ? "config_digest" : "image_id", &img->config);
	render_image_parts(o, img);
	if (img->inventory) cJSON_AddItemToObject(o, "inventory", render_inventory(img->inventory));
	cJSON_AddStringToObject(o, "verdict", verdict_to_string(img->verdict));
	return o;
}

cJSON *model_render_images(report_t *r)
{
	cJSON *a = cJSON_CreateArray();
	for (const struct image *img = report_model(r)->images; img; img = img->next)
		cJSON_AddItemToArray(a, render_image(img));
	return a;
}

static cJSON *render_blob(const struct blob_rec *b)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "path", b->path ? b->path : "");
	add_digest(o, "digest", &b->digest);
	add_num(o, "size", b->size);
	add_check(o, "signature_check", b->signature_check);
	cJSON *a = cJSON_AddArrayToObject(o, "signatures");
	for (int i = 0; i < b->nsigs; i++) cJSON_AddItemToArray(a, render_signature(&b->sigs[i]));
	cJSON_AddStringToObject(o, "verdict", verdict_to_string(b->verdict));
	return o;
}

const struct blob_rec *model_blobs(report_t *r) { return report_model(r)->blobs; }

cJSON *model_render_blobs(report_t *r)
{
	const struct blob_rec *b = report_model(r)->blobs;
	if (!b) return NULL;
	cJSON *a = cJSON_CreateArray();
	for (; b; b = b->next) cJSON_AddItemToArray(a, render_blob(b));
	return a;
}

cJSON *model_render_host_inventory(report_t *r)
{
	struct model *m = report_model(r);
	if (!m->host_inv) return NULL;
	cJSON *o = render_inventory(m->host_inv);
	cJSON_AddStringToObject(o, "root", m->host_root);
	return o;
}

/* "uid": [[inside, outside, count], ...] from an id_map's text. */
static void add_map(cJSON *o, const char *key, const char *map)
{
	if (!map) return;
	cJSON *a = cJSON_AddArrayToObject(o, key);
	const char *p = map;
	while (*p) {
		unsigned long long in, out, cnt;
		int used = 0;
		if (sscanf(p, " %llu %llu %llu%n", &in, &out, &cnt, &used) != 3) break;
		cJSON *t = cJSON_CreateArray();
		cJSON_AddItemToArray(t, cJSON_CreateNumber((double)in));
		cJSON_AddItemToArray(t, cJSON_CreateNumber((double)out));
		cJSON_AddItemToArray(t, cJSON_CreateNumber((double)cnt));
		cJSON_AddItemToArray(a, t);
		p += used;
		while (*p == '\n' || *p == ' ') p++;
	}
}

static cJSON *render_container(report_t *r, struct container_rec *c)
{
	int full = !c->rendered;
	c->rendered = 1;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "runtime", c->runtime ? c->runtime : "");
	cJSON_AddStringToObject(o, "id", c->id ? c->id : "");
	if (nonempty(c->name)) cJSON_AddStringToObject(o, "name", c->name);
	if (!full) {
		cJSON_AddNumberToObject(o, "details_in_pid", c->first_pid);
		return o;
	}
	if (nonempty(c->pod)) cJSON_AddStringToObject(o, "pod", c->pod);
	if (nonempty(c->bundle)) cJSON_AddStringToObject(o, "bundle", c->bundle);
	if (nonempty(c->state)) cJSON_AddStringToObject(o, "state", c->state);
	if (nonempty(c->image_id) || nonempty(c->image_name)) {
		cJSON *img = cJSON_AddObjectToObject(o, "image");
		if (nonempty(c->image_id)) cJSON_AddStringToObject(img, "id", c->image_id);
		if (nonempty(c->image_name)) cJSON_AddStringToObject(img, "name", c->image_name);
		int ri = model_image_index(r, c->image_id, c->image_name);
		if (ri >= 0) cJSON_AddNumberToObject(img, "report_image", ri);
	}
	if (c->profile) cJSON_AddItemReferenceToObject(o, "profile", c->profile);
	else if (c->profile_null) cJSON_AddNullToObject(o, "profile");
	if (nonempty(c->profile_problem))
		cJSON_AddStringToObject(o, "profile_problem", c->profile_problem);
	if (nonempty(c->problem)) cJSON_AddStringToObject(o, "problem", c->problem);
	return o;
}

static void render_process_ids(cJSON *o, const struct process_rec *p)
{
	static const char *const modes[] = {"disabled", "strict", "filter"};
	cJSON_AddNumberToObject(o, "pid", p->pid);
	cJSON_AddNumberToObject(o, "ppid", p->ppid);
	cJSON_AddStringToObject(o, "name", p->name ? p->name : "");
	if (p->has_uid) cJSON_AddNumberToObject(o, "uid", (double)p->uid);
	if (p->has_ns_pid) cJSON_AddNumberToObject(o, "ns_pid", (double)p->ns_pid);
	if (p->seccomp >= 0 && p->seccomp <= 2)
		cJSON_AddStringToObject(o, "seccomp", modes[p->seccomp]);
	else cJSON_AddNullToObject(o, "seccomp");
	if (p->seccomp_filters >= 0)
		cJSON_AddNumberToObject(o, "seccomp_filters", p->seccomp_filters);
	if (p->no_new_privs >= 0) cJSON_AddBoolToObject(o, "no_new_privs", p->no_new_privs);
	else cJSON_AddNullToObject(o, "no_new_privs");
}

static cJSON *render_process(report_t *r, const struct process_rec *p)
{
	cJSON *o = cJSON_CreateObject();
	render_process_ids(o, p);
	if (p->caps) cJSON_AddItemReferenceToObject(o, "caps", p->caps);
	else cJSON_AddObjectToObject(o, "caps");
	if (p->ns_unreadable) cJSON_AddBoolToObject(o, "ns_unreadable", 1);
	cJSON *hn = cJSON_AddArrayToObject(o, "host_ns");
	for (int i = 0; i < NS_COUNT; i++)
		if (p->host_ns & (1u << i))
			cJSON_AddItemToArray(hn, cJSON_CreateString(model_ns_names[i]));
	if (p->uid_map || p->gid_map) {
		cJSON *m = cJSON_AddObjectToObject(o, "userns_map");
		add_map(m, "uid", p->uid_map);
		add_map(m, "gid", p->gid_map);
	}
	add_str(o, "lsm", p->lsm);
	if (p->container) cJSON_AddItemToObject(o, "container", render_container(r, p->container));
	if (p->has_deep) {
		cJSON *d = cJSON_AddObjectToObject(o, "deep");
		cJSON *f = cJSON_AddArrayToObject(d, "filter_insns");
		for (size_t i = 0; i < p->deep_nfilters && i < 8; i++)
			cJSON_AddItemToArray(f, cJSON_CreateNumber((double)p->deep_insns[i]));
		if (p->deep_eval) cJSON_AddItemReferenceToObject(d, "eval", p->deep_eval);
	}
	add_str(o, "deep_problem", p->deep_problem);
	add_str(o, "threads_differ", p->threads_differ);
	return o;
}

cJSON *model_render_processes(report_t *r)
{
	struct model *m = report_model(r);
	for (size_t i = 0; i < m->nconts; i++) m->conts[i]->rendered = 0;
	cJSON *a = cJSON_CreateArray();
	for (const struct process_rec *p = m->procs; p; p = p->next)
		cJSON_AddItemToArray(a, render_process(r, p));
	return a;
}
