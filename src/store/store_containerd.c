/*
 * store_containerd: containerd's image store (`containerd:ROOT`), also the
 * store of Docker 29's containerd-backed engine (/var/lib/docker/containerd/daemon).
 *
 *  - Image names and targets come from io.containerd.metadata.v1.bolt/meta.db
 *    (bbolt): v1/<namespace>/images/<name>/target/{digest, mediatype, size}.
 *    Each target is a root descriptor for the verifier (oci.c), named
 *    "<namespace>/<name>", over the content store
 *    io.containerd.content.v1.content/blobs/<alg>/<hex>, which is laid out
 *    like an OCI layout's blobs/ (manifest bytes stay there for signatures).
 *  - meta.db is checked whole (every page reachable once, in order) before it
 *    is trusted; a damaged page is a bbolt.corrupt finding, and the records
 *    outside the damage are still verified.  containerd may commit while we
 *    read (we take no lock: read-only): when the meta page moved meanwhile,
 *    what was read may mix two transactions, so it is read again.
 *  - Snapshots (the layers extracted on disk) are listed from meta.db and the
 *    snapshotter's own metadata.db.  containerd keeps no tar-split, but the
 *    content store keeps the layer blob: a committed snapshot whose chainID
 *    names a verified layer is compared file by file with that blob's tar
 *    (tarsplit_compare_layer); one no verified blob matches is
 *    snapshot.unverified (incomplete), never ok; an active snapshot (a
 *    container's writable layer) is snapshot.writable (info).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bbolt.h"
#include "drift.h"
#include "fsx.h"
#include "oci.h"
#include "store_readers.h"
#include "tarsplit.h"

#define CONTENT_DIR       "io.containerd.content.v1.content"
#define META_DB           "io.containerd.metadata.v1.bolt/meta.db"
#define MAX_RECORDS       100000
#define MAX_KEY           512
#define META_READ_TRIES   6
#define META_SNAPSHOT_MAX (16u << 20) /* pages in use copied at once */

struct image_rec {
	char *ns, *name; /* sanitized */
	char *digest, *mediatype;
	int64_t size;
	int have_size;
	int unreadable; /* its pages are damaged: reported as bbolt.corrupt */
	int grouped;    /* already added as a root with others of its target */
};

struct snap_rec {
	char *ns, *snapshotter, *key; /* key: the chainID for committed layers */
	char *backend;                /* the snapshotter's name for it */
	char *parent;                 /* the key of its parent snapshot */
	char *path;                   /* below ROOT, when the snapshotter says */
	int kind;                     /* 0 unknown, 1 view, 2 active, 3 committed */
	check_t check; /* CHECK_VERIFIED, _DIFFERS, _NOT_VERIFIED, _WRITABLE; NONE: not yet */
};

/* v1/<ns>/containers/<id>: the image it runs and its writable snapshot. */
struct ctr_rec {
	char *ns, *id, *image, *snapkey, *snapshotter;
};

struct ctrd {
	report_t *r;
	const char *root_path;
	char label[256];
	char *meta_path;
	struct image_rec *imgs;
	size_t nimgs, cap_imgs;
	struct snap_rec *snaps;
	size_t nsnaps, cap_snaps;
	struct ctr_rec *ctrs;
	size_t nctrs, cap_ctrs;
	int only_image;                 /* `verify`: no container drift */
	const char *const *drift_allow; /* the user's drift allow list, or NULL */
	size_t nnamespaces;
	int limited; /* more records than MAX_RECORDS */
	int stopped; /* budget or signal */
	/* Damage inside one record or bucket is noted and the walk goes on with
	 * its siblings: what can be read is still verified. */
	ea_error_t walk_err;
	unsigned walk_errors;
};

static void note_error(struct ctrd *c, ea_error_t *err)
{
	if (!c->walk_errors++) c->walk_err = *err;
	memset(err, 0, sizeof *err);
}

/* Keys are attacker bytes: bounded and printable for names and subjects. */
static char *key_str(const unsigned char *k, size_t n)
{
	if (n > MAX_KEY) n = MAX_KEY;
	char *s = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++) s[i] = k[i] >= 0x20 && k[i] < 0x7f ? (char)k[i] : '?';
	s[n] = '\0';
	return s;
}

/* A value used as a string: an embedded NUL must not cut it to something
 * valid ("sha256:<hex>\0junk" is no digest to containerd either). */
static char *val_str(char *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!v[i]) v[i] = '?';
	return v;
}

/* The one extension of finding_id_for_open_error (report.h), kept here
 * rather than in it: meta.db's own failures (bbolt.c) are bbolt.corrupt,
 * including EA_E_TOOBIG, which is json.too_large for every other reader,
 * and EA_E_UNSUPPORTED is store.unsupported; file access maps as every
 * store maps it, absent being store.unreadable. */
static const char *open_error_id(const ea_error_t *err)
{
	switch (err->code) {
	case EA_E_FORMAT:
	case EA_E_TOOBIG:
	case EA_E_TRUNCATED: return "bbolt.corrupt";
	case EA_E_UNSUPPORTED: return "store.unsupported";
	default: return finding_id_for_open_error(err->code, "store.unreadable");
	}
}

static void records_free(struct ctrd *c)
{
	for (size_t i = 0; i < c->nimgs; i++) {
		free(c->imgs[i].ns);
		free(c->imgs[i].name);
		free(c->imgs[i].digest);
		free(c->imgs[i].mediatype);
	}
	for (size_t i = 0; i < c->nsnaps; i++) {
		free(c->snaps[i].ns);
		free(c->snaps[i].snapshotter);
		free(c->snaps[i].key);
		free(c->snaps[i].backend);
		free(c->snaps[i].path);
		free(c->snaps[i].parent);
	}
	for (size_t i = 0; i < c->nctrs; i++) {
		free(c->ctrs[i].ns);
		free(c->ctrs[i].id);
		free(c->ctrs[i].image);
		free(c->ctrs[i].snapkey);
		free(c->ctrs[i].snapshotter);
	}
	free(c->ctrs);
	c->ctrs = NULL;
	c->nctrs = c->cap_ctrs = 0;
	free(c->imgs);
	free(c->snaps);
	c->imgs = NULL;
	c->snaps = NULL;
	c->nimgs = c->cap_imgs = c->nsnaps = c->cap_snaps = c->nnamespaces = 0;
	c->limited = 0;
	c->walk_errors = 0;
}

/* ------------------------------------------------------------ meta.db walk */

struct ns_walk {
	struct ctrd *c;
	const bbolt_bucket_t *parent;
	const char *ns;
	const char *snapshotter;
};

/* An image record's target descriptor: digest, media type and size into
 * rec.  0, or -1 (err) when meta.db could not be read. */
static int read_target(struct image_rec *rec, bbolt_bucket_t *tb, ea_error_t *err)
{
	char *v = NULL;
	size_t vlen = 0;
	int g = bbolt_get(tb, "digest", &v, &vlen, err);
	if (g < 0) return -1;
	if (g) rec->digest = val_str(v, vlen);
	g = bbolt_get(tb, "mediatype", &v, &vlen, err);
	if (g < 0) return -1;
	if (g) rec->mediatype = val_str(v, vlen);
	g = bbolt_get(tb, "size", &v, &vlen, err);
	if (g < 0) return -1;
	if (g) {
		int64_t sz;
		rec->have_size = bbolt_varint(v, vlen, &sz) == (int)vlen && vlen > 0;
		rec->size = rec->have_size ? sz : 0;
		free(v);
	}
	return 0;
}

/* v1/<ns>/images/<name>: one record. */
static int image_cb(void *ctx, const struct bbolt_kv *kv, ea_error_t *err)
{
	struct ns_walk *w = ctx;
	struct ctrd *c = w->c;
	if (!kv->is_bucket) return 0;
	if (ea_stop_requested()) {
		c->stopped = 1;
		return 1;
	}
	if (c->nimgs >= MAX_RECORDS) {
		c->limited = 1;
		return 1;
	}
	cleanup_bucket bbolt_bucket_t ib = {0}, tb = {0};
	if (c->nimgs == c->cap_imgs) {
		c->cap_imgs = c->cap_imgs ? c->cap_imgs * 2 : 16;
		c->imgs = xrealloc(c->imgs, c->cap_imgs * sizeof *c->imgs);
	}
	struct image_rec *rec = &c->imgs[c->nimgs++];
	memset(rec, 0, sizeof *rec);
	rec->ns = xstrdup(w->ns);
	rec->name = key_str(kv->key, kv->klen);
	int t = bbolt_child(w->parent, kv, &ib, err);
	if (t == 0) t = bbolt_get_bucket(&ib, "target", &tb, err);
	/* no target: reported as containerd.bad_record */
	if (t <= 0 || read_target(rec, &tb, err) < 0) {
		if (err->code != EA_OK) {
			rec->unreadable = 1;
			note_error(c, err);
		}
	}
	return 0;
}

/* v1/<ns>/snapshots/<snapshotter>/<key>. */
static int snap_cb(void *ctx, const struct bbolt_kv *kv, ea_error_t *err)
{
	struct ns_walk *w = ctx;
	struct ctrd *c = w->c;
	if (!kv->is_bucket) return 0;
	if (c->nsnaps >= MAX_RECORDS) {
		c->limited = 1;
		return 1;
	}
	cleanup_bucket bbolt_bucket_t sb = {0};
	if (bbolt_child(w->parent, kv, &sb, err) < 0) {
		note_error(c, err);
		return 0;
	}
	if (c->nsnaps == c->cap_snaps) {
		c->cap_snaps = c->cap_snaps ? c->cap_snaps * 2 : 16;
		c->snaps = xrealloc(c->snaps, c->cap_snaps * sizeof *c->snaps);
	}
	struct snap_rec *s = &c->snaps[c->nsnaps++];
	memset(s, 0, sizeof *s);
	s->ns = xstrdup(w->ns);
	s->snapshotter = xstrdup(w->snapshotter);
	s->key = key_str(kv->key, kv->klen);
	char *v = NULL;
	size_t vlen = 0;
	int g = bbolt_get(&sb, "name", &v, &vlen, err);
	if (g < 0) note_error(c, err);
	if (g > 0) {
		s->backend = key_str((unsigned char *)v, vlen);
		free(v);
	}
	g = bbolt_get(&sb, "parent", &v, &vlen, err);
	if (g < 0) note_error(c, err);
	if (g > 0) {
		s->parent = key_str((unsigned char *)v, vlen);
		free(v);
	}
	return 0;
}

/* A string value of bucket b (bounded, printable), or NULL. */
static char *get_str(struct ctrd *c, bbolt_bucket_t *b, const char *key, ea_error_t *err)
{
	char *v = NULL, *out = NULL;
	size_t vlen = 0;
	int g = bbolt_get(b, key, &v, &vlen, err);
	if (g < 0) note_error(c, err);
	if (g > 0) out = key_str((unsigned char *)v, vlen);
	free(v);
	return out;
}

/* v1/<ns>/containers/<id>. */
static int container_cb(void *ctx, const struct bbolt_kv *kv, ea_error_t *err)
{
	struct ns_walk *w = ctx;
	struct ctrd *c = w->c;
	if (!kv->is_bucket) return 0;
	if (c->nctrs >= MAX_RECORDS) {
		c->limited = 1;
		return 1;
	}
	cleanup_bucket bbolt_bucket_t cb = {0};
	if (bbolt_child(w->parent, kv, &cb, err) < 0) {
		note_error(c, err);
		return 0;
	}
	if (c->nctrs == c->cap_ctrs) {
		c->cap_ctrs = c->cap_ctrs ? c->cap_ctrs * 2 : 16;
		c->ctrs = xrealloc(c->ctrs, c->cap_ctrs * sizeof *c->ctrs);
	}
	struct ctr_rec *k = &c->ctrs[c->nctrs++];
	k->ns = xstrdup(w->ns);
	k->id = key_str(kv->key, kv->klen);
	k->image = get_str(c, &cb, "image", err);
	k->snapkey = get_str(c, &cb, "snapshotKey", err);
	k->snapshotter = get_str(c, &cb, "snapshotter", err);
	return 0;
}

static int snapshotter_cb(void *ctx, const struct bbolt_kv *kv, ea_error_t *err)
{
	struct ns_walk *w = ctx;
	if (!kv->is_bucket) return 0;
	cleanup_bucket bbolt_bucket_t b = {0};
	cleanup_free char *name = key_str(kv->key, kv->klen);
	struct ns_walk sw = {w->c, &b, w->ns, name};
	if (bbolt_child(w->parent, kv, &b, err) < 0 || bbolt_foreach(&b, snap_cb, &sw, err) < 0)
		note_error(w->c, err);
	return 0;
}

/* v1/<ns>: its images and snapshots. */
static int ns_cb(void *ctx, const struct bbolt_kv *kv, ea_error_t *err)
{
	struct ns_walk *w = ctx;
	struct ctrd *c = w->c;
	if (!kv->is_bucket) return 0; /* "version" */
	if (ea_stop_requested()) {
		c->stopped = 1;
		return 1;
	}
	c->nnamespaces++;
	cleanup_bucket bbolt_bucket_t nb = {0}, ib = {0}, sb = {0};
	cleanup_free char *ns = key_str(kv->key, kv->klen);
	if (bbolt_child(w->parent, kv, &nb, err) < 0) {
		note_error(c, err);
		return 0;
	}
	int g = bbolt_get_bucket(&nb, "images", &ib, err);
	struct ns_walk iw = {c, &ib, ns, NULL};
	if (g > 0) g = bbolt_foreach(&ib, image_cb, &iw, err);
	if (g < 0) note_error(c, err);
	g = bbolt_get_bucket(&nb, "snapshots", &sb, err);
	struct ns_walk sw = {c, &sb, ns, NULL};
	if (g > 0) g = bbolt_foreach(&sb, snapshotter_cb, &sw, err);
	if (g < 0) note_error(c, err);
	cleanup_bucket bbolt_bucket_t cb = {0};
	g = bbolt_get_bucket(&nb, "containers", &cb, err);
	struct ns_walk cw = {c, &cb, ns, NULL};
	if (g > 0) g = bbolt_foreach(&cb, container_cb, &cw, err);
	if (g < 0) note_error(c, err);
	return c->stopped || c->limited ? 1 : 0;
}

static int walk_meta(struct ctrd *c, bbolt_t *db, ea_error_t *err)
{
	bbolt_bucket_t root;
	cleanup_bucket bbolt_bucket_t v1 = {0};
	bbolt_root(db, &root, err);
	int g = bbolt_get_bucket(&root, "v1", &v1, err);
	if (g <= 0) return g; /* a fresh containerd has no v1 yet */
	struct ns_walk w = {c, &v1, NULL, NULL};
	return bbolt_foreach(&v1, ns_cb, &w, err);
}

/* Open, check and walk meta.db, again when containerd committed meanwhile.
 * Returns 0 when the names were read whole. */
/* Copy the pages in use of a meta.db small enough to hold (the window in
 * which containerd may commit shrinks from the whole walk to one copy).
 * Returns the buffer (caller frees) or NULL to read with pread instead. */
static unsigned char *snapshot_pages(int fd, bbolt_t *db, size_t *len)
{
	const struct bbolt_info *bi = bbolt_info(db);
	uint64_t want = bi->hwm * (uint64_t)bi->page_size;
	if (bi->hwm > META_SNAPSHOT_MAX / bi->page_size) return NULL;
	if (want > bi->file_size) want = bi->file_size; /* truncated: the reader says so */
	unsigned char *buf = xmalloc((size_t)want + 1);
	ssize_t n = 0;
	for (size_t got = 0; got < want; got += (size_t)n) {
		n = pread(fd, buf + got, (size_t)want - got, (off_t)got);
		if (n < 0 && errno == EINTR) n = 0;
		else if (n <= 0) {
			free(buf);
			return NULL;
		}
	}
	*len = (size_t)want;
	return buf;
}

static int read_meta_db(struct ctrd *c, int root, cJSON *sj)
{
	ea_error_t err = {0};
	struct stat st;
	cleanup_close int fd = fsx_open_file_at(root, META_DB, &st, &err);
	if (fd < 0) {
		if (err.code == EA_E_NOENT)
			report_finding(c->r, "store.unreadable", c->meta_path,
			               "%s: no %s: image names unknown", c->label, META_DB);
		else
			report_finding(c->r, open_error_id(&err), c->meta_path, "%s: %s", c->label,
			               err.msg);
		return -1;
	}
	for (int attempt = 1; attempt <= META_READ_TRIES; attempt++) {
		if (attempt > 1)
			usleep(5000u
			       << (attempt - 2)); /* 5, 10, 20 ... ms: wait for a quiet moment */
		records_free(c);
		cleanup_bbolt bbolt_t *live = NULL, *mem = NULL;
		cleanup_free unsigned char *copy = NULL;
		ea_error_t e1 = {0}, e2 = {0};
		if (bbolt_open_fd(&live, fd, "meta.db", &e1) < 0) {
			report_finding(c->r, open_error_id(&e1), c->meta_path, "%s: %s", c->label,
			               e1.msg);
			return -1;
		}
		size_t clen = 0;
		copy = snapshot_pages(fd, live, &clen);
		if (copy) {
			/* Unchanged txid across the copy: no commit landed, and the
			 * pages the current meta reaches are never written in place. */
			if (bbolt_changed(live, NULL) == 1) continue;
			if (bbolt_open_mem(&mem, copy, clen, "meta.db", &e1) < 0) {
				report_finding(c->r, open_error_id(&e1), c->meta_path, "%s: %s",
				               c->label, e1.msg);
				return -1;
			}
		}
		bbolt_t *db = mem ? mem : live;
		struct bbolt_stats bs;
		int bad_check = bbolt_check(db, &bs, &e1) < 0;
		int bad_walk = walk_meta(c, db, &e2) < 0;
		if (!bad_walk && c->walk_errors) {
			bad_walk = 1;
			e2 = c->walk_err;
		}
		/* Read in place: a commit meanwhile may have reused pages we read. */
		if (!mem && bbolt_changed(live, NULL) == 1) continue;
		const struct bbolt_info *bi = bbolt_info(db);
		cJSON *mj = cJSON_AddObjectToObject(sj, "meta_db");
		cJSON_AddNumberToObject(mj, "txid", (double)bi->txid);
		cJSON_AddNumberToObject(mj, "page_size", bi->page_size);
		cJSON_AddNumberToObject(mj, "meta_page", bi->meta_used);
		cJSON_AddNumberToObject(mj, "pages_in_use", (double)bi->hwm);
		cJSON_AddNumberToObject(mj, "page_reads", (double)bbolt_steps(db));
		cJSON_AddStringToObject(mj, "read", mem ? "copy" : "in_place");
		cJSON_AddNumberToObject(mj, "reads", attempt);
		if (!bad_check) {
			cJSON_AddNumberToObject(mj, "buckets", (double)bs.buckets);
			cJSON_AddNumberToObject(mj, "keys", (double)bs.keys);
		}
		if (!bi->other_valid) cJSON_AddStringToObject(mj, "other_meta_page", bi->other_err);
		if (bad_check)
			report_finding(c->r, open_error_id(&e1), c->meta_path, "%s: %s", c->label,
			               e1.msg);
		if (bad_walk && (!bad_check || strcmp(e1.msg, e2.msg) != 0))
			report_finding(c->r, open_error_id(&e2), c->meta_path, "%s: %s%s", c->label,
			               e2.msg,
			               c->walk_errors > 1 ? " (and more damage further on)" : "");
		return bad_check || bad_walk ? -1 : 0;
	}
	/* What was read mixes transactions: trust none of it. */
	records_free(c);
	report_finding(c->r, "bbolt.changing", c->meta_path,
	               "%s: meta.db changed during each of %d reads (containerd was committing): "
	               "image names not read",
	               c->label, META_READ_TRIES);
	return -1;
}

/* ------------------------------------------------------------ snapshots */

/* A snapshotter name usable in a path (io.containerd.snapshotter.v1.<name>). */
static int snapshotter_name_ok(const char *s)
{
	if (!*s || strlen(s) > 64) return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		      *p == '_' || *p == '.'))
			return 0;
	return strcmp(s, ".") && strcmp(s, "..");
}

struct sn_walk {
	struct ctrd *c;
	const char *snapshotter;
	const bbolt_bucket_t *parent;
};

/* The snapshotter's metadata.db: v1/snapshots/<backend name>/{id, kind}. */
static int backend_cb(void *ctx, const struct bbolt_kv *kv, ea_error_t *err)
{
	struct sn_walk *w = ctx;
	struct ctrd *c = w->c;
	if (!kv->is_bucket) return 0;
	cleanup_free char *name = key_str(kv->key, kv->klen);
	struct snap_rec *s = NULL;
	for (size_t i = 0; i < c->nsnaps && !s; i++)
		if (c->snaps[i].backend && !strcmp(c->snaps[i].snapshotter, w->snapshotter) &&
		    !strcmp(c->snaps[i].backend, name))
			s = &c->snaps[i];
	if (!s) return 0;
	cleanup_bucket bbolt_bucket_t b = {0};
	if (bbolt_child(w->parent, kv, &b, err) < 0) return -1;
	char *v = NULL;
	size_t vlen = 0;
	uint64_t id;
	int g = bbolt_get(&b, "id", &v, &vlen, err);
	if (g < 0) return -1;
	if (g && bbolt_uvarint(v, vlen, &id) == (int)vlen) {
		/* overlayfs keeps the tree in <id>/fs; native and others in <id>. */
		s->path = xasprintf("io.containerd.snapshotter.v1.%s/snapshots/%llu%s",
		                    w->snapshotter, (unsigned long long)id,
		                    !strcmp(w->snapshotter, "overlayfs") ? "/fs" : "");
	}
	free(v);
	g = bbolt_get(&b, "kind", &v, &vlen, err);
	if (g < 0) return -1;
	if (g && vlen == 1 && (unsigned char)v[0] <= 3) s->kind = (unsigned char)v[0];
	free(v);
	return 0;
}

static void read_snapshotter_db(struct ctrd *c, int root, const char *snapshotter)
{
	if (!snapshotter_name_ok(snapshotter)) return;
	cleanup_free char *rel =
	        xasprintf("io.containerd.snapshotter.v1.%s/metadata.db", snapshotter);
	cleanup_free char *subj = xasprintf("%s/%s", c->root_path, rel);
	ea_error_t err = {0};
	struct stat st;
	cleanup_close int fd = fsx_open_file_at(root, rel, &st, &err);
	if (fd < 0) {
		if (err.code != EA_E_NOENT)
			report_finding(c->r, open_error_id(&err), subj, "%s: %s", c->label,
			               err.msg);
		return;
	}
	cleanup_bbolt bbolt_t *db = NULL;
	if (bbolt_open_fd(&db, fd, "metadata.db", &err) < 0 || bbolt_check(db, NULL, &err) < 0) {
		report_finding(c->r, open_error_id(&err), subj, "%s: %s", c->label, err.msg);
		return;
	}
	bbolt_bucket_t rb;
	cleanup_bucket bbolt_bucket_t v1 = {0}, sb = {0};
	bbolt_root(db, &rb, &err);
	int g = bbolt_get_bucket(&rb, "v1", &v1, &err);
	if (g > 0) g = bbolt_get_bucket(&v1, "snapshots", &sb, &err);
	struct sn_walk w = {c, snapshotter, &sb};
	if (g > 0) g = bbolt_foreach(&sb, backend_cb, &w, &err);
	if (g < 0) report_finding(c->r, open_error_id(&err), subj, "%s: %s", c->label, err.msg);
}

static const char *kind_name(int k)
{
	static const char *const n[] = {"unknown", "view", "active", "committed"};
	return k >= 0 && k <= 3 ? n[k] : "unknown";
}

/* A committed snapshot is the extracted copy of a layer whose blob the
 * content store keeps: compare it file by file with that blob's tar
 * (tarsplit_compare_layer).  Returns 1 when it was compared. */
static int verify_snapshot(struct ctrd *c, int root, oci_ctx_t *oc, struct blobsrc *src,
                           struct snap_rec *s)
{
	digest_t chain, blob, diffid;
	comp_t comp;
	if (!oc || s->kind != 3 || !s->path || digest_parse(s->key, &chain, NULL) < 0 ||
	    !oci_trusted_layer(oc, &chain, &blob, &comp, &diffid))
		return 0;
	ea_error_t err = {0};
	cleanup_free char *base =
	        xasprintf("%s/%s", c->root_path, s->path); /* the snapshot folder */
	struct layer_compare k = {.r = c->r, .path = base};
	int dfd = fsx_open_dir_at(root, s->path, &err);
	if (dfd < 0) {
		report_finding(c->r, err.code == EA_E_NOENT ? "layer.missing" : open_error_id(&err),
		               base, "%s: snapshot folder of layer %s: %s", c->label, diffid.str,
		               err.msg);
		s->check = CHECK_DIFFERS;
		return 1;
	}
	struct blob_region reg = {.fd = -1};
	int rc = -1;
	struct tarsplit_result res;
	if (blobsrc_open(src, &blob, &reg, &err) == 0) {
		struct tarsplit_opts to = {.overlay = !strcmp(s->snapshotter, "overlayfs"),
		                           .check_added = !strcmp(s->snapshotter, "overlayfs")};
		rc = tarsplit_compare_layer(&reg, comp, dfd, &to, store_layer_compare_finding, &k,
		                            &res, &err);
		blob_region_close(&reg);
	}
	close(dfd);
	if (rc < 0) {
		if (err.code != EA_E_INTERRUPTED)
			report_finding(c->r, "snapshot.unverified", base,
			               "%s: snapshot of layer %s could not be compared: %s",
			               c->label, diffid.str, err.msg);
		else
			report_unchecked_kind(c->r, "audit.interrupted", base,
			                      err.msg); /* unchecked, never ok */
		s->check = CHECK_NOT_VERIFIED;
	} else if (!digest_equal(&res.diffid, &diffid)) {
		report_finding(c->r, "layer.diffid_mismatch", base,
		               "%s: the layer blob %s decompressed to %s, not %s", c->label,
		               blob.str, res.diffid.str, diffid.str);
		s->check = CHECK_DIFFERS;
	} else {
		s->check = k.failed       ? CHECK_DIFFERS
		           : k.incomplete ? CHECK_NOT_VERIFIED
		                          : CHECK_VERIFIED;
	}
	return 1;
}

/* The snapshot of this namespace and snapshotter with this key, or NULL. */
static struct snap_rec *find_snap(struct ctrd *c, const struct snap_rec *like, const char *key)
{
	for (size_t i = 0; key && i < c->nsnaps; i++)
		if (!strcmp(c->snaps[i].ns, like->ns) &&
		    !strcmp(c->snaps[i].snapshotter, like->snapshotter) &&
		    !strcmp(c->snaps[i].key, key))
			return &c->snaps[i];
	return NULL;
}

/* The drift of active overlayfs snapshot s (a container's writable layer)
 * over its parents, top-down, into sj's "containers". */
static void snapshot_drift(struct ctrd *c, int root, const struct snap_rec *s, cJSON *sj)
{
	const struct ctr_rec *k = NULL;
	for (size_t i = 0; i < c->nctrs && !k; i++)
		if (c->ctrs[i].snapkey && !strcmp(c->ctrs[i].ns, s->ns) &&
		    !strcmp(c->ctrs[i].snapkey, s->key))
			k = &c->ctrs[i];
	const char *lower[DRIFT_MAX_LOWER];
	int nl = 0;
	for (const struct snap_rec *p = find_snap(c, s, s->parent); p && nl < DRIFT_MAX_LOWER;
	     p = find_snap(c, p, p->parent))
		if (p->path) lower[nl++] = p->path;
	cleanup_free char *id = xasprintf("%s/%s", s->ns, k ? k->id : s->key);
	cleanup_free char *upper = xasprintf("%s", s->path);
	struct drift_target t = {.r = c->r,
	                         .root = root,
	                         .rootpath = c->root_path,
	                         .runtime = "containerd",
	                         .id = id,
	                         .name = k ? k->id : s->key,
	                         .image = k && k->image ? k->image : "unknown",
	                         .upper_rel = upper,
	                         .lower_rel = lower,
	                         .nlower = nl,
	                         .allow = c->drift_allow};
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(sj, "containers");
	if (!arr) arr = cJSON_AddArrayToObject(sj, "containers");
	cJSON_AddItemToArray(arr, drift_scan(&t));
}

static void report_snapshots(struct ctrd *c, int root, cJSON *sj, oci_ctx_t *oc,
                             struct blobsrc *src)
{
	/* Each snapshotter's metadata.db once. */
	for (size_t i = 0; i < c->nsnaps; i++) {
		int seen = 0;
		for (size_t k = 0; k < i && !seen; k++)
			seen = !strcmp(c->snaps[k].snapshotter, c->snaps[i].snapshotter);
		if (!seen) read_snapshotter_db(c, root, c->snaps[i].snapshotter);
	}
	for (size_t i = 0; i < c->nsnaps; i++) {
		struct snap_rec *s = &c->snaps[i];
		cleanup_free char *subj = s->path ? xasprintf("%s/%s", c->root_path, s->path)
		                                  : xasprintf("%s:%s/snapshots/%s/%s", c->label,
		                                              s->ns, s->snapshotter, s->key);
		if (ea_stop_requested()) {
			s->check = CHECK_NOT_VERIFIED;
			continue;
		}
		if (verify_snapshot(c, root, oc, src, s)) continue;
		if (s->kind == 2) {
			/* A container's writable layer: it changes by design. */
			s->check = CHECK_WRITABLE;
			report_finding(c->r, "snapshot.writable", subj,
			               "%s: active snapshot %s (namespace %s) is a container's "
			               "writable layer",
			               c->label, s->key, s->ns);
			if (s->path && !strcmp(s->snapshotter, "overlayfs") && !c->only_image)
				snapshot_drift(c, root, s, sj);
			continue;
		}
		s->check = CHECK_NOT_VERIFIED;
		struct stat st;
		int present = s->path && fstatat(root, s->path, &st, AT_SYMLINK_NOFOLLOW) == 0;
		report_finding(c->r, "snapshot.unverified", subj,
		               "%s: %s snapshot %s (namespace %s, snapshotter %s)%s is an "
		               "extracted layer that no verified layer "
		               "blob of the content store matches, so its files are not verified",
		               c->label, kind_name(s->kind), s->key, s->ns, s->snapshotter,
		               present ? "" : " (folder absent)");
	}
	cJSON_AddNumberToObject(sj, "snapshots", (double)c->nsnaps);
}

/* Is an image named in namespace ns ("ns/name...")? */
static int named_in(const struct image *img, const char *ns)
{
	size_t nl = strlen(ns);
	for (int i = 0; i < img->nnames; i++)
		if (!strncmp(img->names[i], ns, nl) && img->names[i][nl] == '/') return 1;
	return 0;
}

/* Attach the snapshots to the images oci.c made for this store: an image
 * whose layers are extracted is not verified as it runs.  Only snapshots of
 * a namespace the image is named in count. */
static void annotate_image(struct image *img, void *arg)
{
	struct ctrd *c = arg;
	if (strcmp(img->store, c->label)) return;
	for (int k = 0; k < img->nchain_ids; k++) {
		const char *cid = img->chain_ids[k].str;
		for (size_t i = 0; i < c->nsnaps; i++) {
			struct snap_rec *s = &c->snaps[i];
			if (strcmp(s->key, cid) || !named_in(img, s->ns)) continue;
			struct snapshot_ref *sr = image_add_snapshot(img);
			model_set_str(&sr->chain_id, cid);
			model_set_str(&sr->snapshotter, s->snapshotter);
			model_set_str(&sr->path, s->path);
			sr->check = s->check ? s->check : CHECK_NOT_VERIFIED;
			if (sr->check == CHECK_DIFFERS) image_raise(img, VERDICT_FAIL);
			else if (sr->check == CHECK_NOT_VERIFIED)
				image_raise(img, VERDICT_INCOMPLETE);
		}
	}
}

static void annotate_images(struct ctrd *c) { model_each_image(c->r, annotate_image, c); }

/* ------------------------------------------------------------ blobs */

/* blobs/<alg>/<name> of the content store: what no image reaches, and
 * entries that are no regular file. */
static void scan_blobs(struct ctrd *c, oci_ctx_t *oc, int content, cJSON *sj)
{
	cleanup_free char *prefix = xasprintf("%s/%s", c->root_path, CONTENT_DIR);
	store_scan_blob_dirs(c->r, oc, content, c->label, prefix,
	                     "the target of no image in meta.db", sj);
}

/* ------------------------------------------------------------ the reader */

/* One root descriptor per distinct target, named by every record naming it
 * ("<namespace>/<name>"), so a manifest tagged twice is verified once. */
static cJSON *add_roots(struct ctrd *c, oci_ctx_t *oc)
{
	cJSON *descs = cJSON_CreateArray();
	for (size_t i = 0; i < c->nimgs; i++) {
		struct image_rec *a = &c->imgs[i];
		if (a->grouped) continue;
		cleanup_free char *qual = xasprintf("%s/%s", a->ns, a->name);
		if (a->unreadable) continue; /* its damage is the bbolt.corrupt finding */
		if (!a->digest && !a->mediatype && !a->have_size) {
			report_finding(c->r, "containerd.bad_record", qual,
			               "%s: image record v1/%s/images/%s in meta.db has no target "
			               "(digest, mediatype, size)",
			               c->label, a->ns, a->name);
			continue;
		}
		cJSON *d = cJSON_CreateObject();
		if (a->mediatype) cJSON_AddStringToObject(d, "mediaType", a->mediatype);
		if (a->digest) cJSON_AddStringToObject(d, "digest", a->digest);
		if (a->have_size) cJSON_AddNumberToObject(d, "size", (double)a->size);
		cJSON_AddItemToArray(descs, d);
		size_t cap = 4, n = 0;
		char **names = xcalloc(cap, sizeof *names);
		for (size_t k = i; k < c->nimgs; k++) {
			struct image_rec *b = &c->imgs[k];
			if (b->grouped || !b->digest || !a->digest ||
			    strcmp(a->digest, b->digest) || (!a->mediatype) != (!b->mediatype) ||
			    (a->mediatype && strcmp(a->mediatype, b->mediatype)) ||
			    a->have_size != b->have_size || a->size != b->size)
				continue;
			if (n == cap) names = xrealloc(names, (cap *= 2) * sizeof *names);
			names[n++] = xasprintf("%s/%s", b->ns, b->name);
			b->grouped = 1;
		}
		if (!n) names[n++] = xstrdup(qual); /* no digest: the verifier reports it */
		a->grouped = 1;
		cleanup_free char *where =
		        xasprintf("meta.db v1/%s/images/%s target", a->ns, a->name);
		oci_add_root(oc, d, (const char *const *)names, (int)n, where);
		for (size_t k = 0; k < n; k++) free(names[k]);
		free(names);
	}
	return descs;
}

void store_read_containerd(report_t *r, const struct store_spec *spec,
                           const struct audit_limits *lim, cJSON *sj)
{
	struct ctrd c = {.r = r,
	                 .root_path = spec->path,
	                 .only_image = lim->only_image != NULL,
	                 .drift_allow = lim->drift_allow};
	snprintf(c.label, sizeof c.label, "containerd:%s", spec->path);
	c.meta_path = xasprintf("%s/%s", spec->path, META_DB);
	ea_error_t err = {0};
	cleanup_close int root = fsx_open_root(spec->path, &err);
	if (root < 0) {
		report_finding(r, "store.not_found", spec->path, "%s", err.msg);
		free(c.meta_path);
		return;
	}
	int names_ok = read_meta_db(&c, root, sj) == 0;
	cJSON_AddNumberToObject(sj, "namespaces", (double)c.nnamespaces);
	cJSON_AddNumberToObject(sj, "image_records", (double)c.nimgs);
	if (c.limited)
		report_finding(r, "bbolt.corrupt", c.meta_path,
		               "%s: more than %d image or snapshot records: the rest are not read",
		               c.label, MAX_RECORDS);
	if (c.stopped) {
		cleanup_free char *part = xasprintf("image names of %s", c.label);
		report_unchecked(r, part,
		                 "stopped before meta.db was read whole (budget or signal)");
	}

	cleanup_close int content = fsx_open_dir_at(root, CONTENT_DIR, &err);
	if (content < 0) {
		cleanup_free char *subj = xasprintf("%s/%s", spec->path, CONTENT_DIR);
		if (err.code != EA_E_NOENT)
			report_finding(r, open_error_id(&err), subj, "%s: %s", c.label, err.msg);
		else if (c.nimgs)
			report_finding(r, "store.unreadable", subj,
			               "%s: no content store: %zu image records not verified",
			               c.label, c.nimgs);
		cJSON_AddNumberToObject(sj, "images", 0);
		report_snapshots(&c, root, sj, NULL, NULL);
		records_free(&c);
		free(c.meta_path);
		return;
	}
	struct blobsrc src;
	if (blobsrc_oci_dir(&src, content, c.label, &err) < 0) {
		report_finding(r, "store.unreadable", spec->path, "%s", err.msg);
		records_free(&c);
		free(c.meta_path);
		return;
	}
	struct oci_opts o = oci_opts_for(lim);
	oci_ctx_t *oc = oci_new(r, &src, &o);
	cJSON *descs = add_roots(&c, oc);
	int n = oci_run(oc);
	cJSON_AddNumberToObject(sj, "images", n);
	/* With names missing, every blob would look unreferenced: say nothing
	 * rather than noise; the meta.db finding already fails the store. */
	if (names_ok) scan_blobs(&c, oc, content, sj);
	report_snapshots(&c, root, sj, oc, &src);
	annotate_images(&c);
	cJSON_Delete(descs);
	oci_free(oc);
	blobsrc_close(&src);
	records_free(&c);
	free(c.meta_path);
}
