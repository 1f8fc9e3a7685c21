/* layerdb: package databases out of layer tar streams (see layerdb.h). */
#include "layerdb.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsx.h"
#include "tar.h"
#include "util.h"

#define PAX_MAX (64u << 10) /* PAX or GNU long-name data kept */

void layer_pkgs_free(struct layer_pkgs *lp)
{
	if (!lp) return;
	for (size_t i = 0; i < lp->n; i++) {
		free(lp->e[i].path);
		free(lp->e[i].link);
		free(lp->e[i].problem);
		inventory_free(lp->e[i].inv);
	}
	free(lp->e);
	free(lp->problem);
	free(lp);
}

static struct layer_entry *entry_add(struct layer_pkgs *lp, const char *path, le_type_t type)
{
	if (lp->n >= LAYERDB_MAX_ENTRIES) {
		if (!lp->problem)
			lp->problem =
			        xasprintf("more than %d package-database entries in one layer",
			                  LAYERDB_MAX_ENTRIES);
		return NULL;
	}
	if (lp->n == lp->cap) {
		lp->cap = lp->cap ? lp->cap * 2 : 8;
		lp->e = xrealloc(lp->e, lp->cap * sizeof *lp->e);
	}
	struct layer_entry *e = &lp->e[lp->n++];
	memset(e, 0, sizeof *e);
	e->path = xstrdup(path);
	e->type = type;
	return e;
}

/* ------------------------------------------------------------ the tap */

enum tstate { T_HEADER, T_DATA, T_LONGNAME, T_PAX, T_END };

struct layerdb_tap {
	struct layer_pkgs *lp;
	enum tstate st;
	unsigned char hdr[512];
	size_t hlen;
	uint64_t remain, pad; /* of the current member's data */
	uint64_t offset;      /* in the tar */
	char *meta;           /* PAX or long-name data being read */
	size_t mlen;
	char *longname, *paxpath, *paxlink; /* for the next header */
	struct pkgdb_reader *rd;            /* the database being read; NULL: skip data */
	struct layer_entry *cur;
	uint64_t cur_bytes;
};

struct layerdb_tap *layerdb_tap_new(void)
{
	struct layerdb_tap *t = xcalloc(1, sizeof *t);
	t->lp = xcalloc(1, sizeof *t->lp);
	return t;
}

static void tap_fail(struct layerdb_tap *t, const char *why)
{
	if (!t->lp->problem)
		t->lp->problem = xasprintf("the layer tar cannot be followed at byte %llu: %s",
		                           (unsigned long long)t->offset, why);
	t->st = T_END;
}

/* The clean root-relative name ("./var/lib" and "/var/lib" are "var/lib"). */
static void clean_name(const char *in, char *out, size_t n)
{
	char tmp[TAR_MAX_NAME + 2];
	tar_clean_path(in, tmp, sizeof tmp);
	const char *s = tmp;
	while (*s == '/') s++;
	snprintf(out, n, "%s", strcmp(s, ".") ? s : "");
}

/* A PAX record set: the path and linkpath it gives. */
static void pax_parse(struct layerdb_tap *t)
{
	const char *s = t->meta, *end = t->meta + t->mlen;
	while (s < end) {
		char *sp;
		unsigned long len = strtoul(s, &sp, 10);
		if (sp == s || *sp != ' ' || len == 0 || len > (size_t)(end - s)) break;
		const char *kv = sp + 1, *rec_end = s + len; /* rec_end[-1] == '\n' */
		const char *eq = memchr(kv, '=', rec_end - kv);
		if (eq && rec_end > eq + 1) {
			size_t kl = eq - kv, vl = rec_end - 1 - (eq + 1);
			char **dst = kl == 4 && !memcmp(kv, "path", 4)       ? &t->paxpath
			             : kl == 8 && !memcmp(kv, "linkpath", 8) ? &t->paxlink
			                                                     : NULL;
			if (dst && vl < TAR_MAX_NAME) {
				free(*dst);
				*dst = xmalloc(vl + 1);
				memcpy(*dst, eq + 1, vl);
				(*dst)[vl] = 0;
			}
		}
		s = rec_end;
	}
}

static void meta_begin(struct layerdb_tap *t, enum tstate st, uint64_t size)
{
	if (size > PAX_MAX) return tap_fail(t, "an extended header over 64 KiB");
	free(t->meta);
	t->meta = xmalloc(size + 1);
	t->mlen = 0;
	t->st = st;
}

static void meta_end(struct layerdb_tap *t)
{
	t->meta[t->mlen] = 0;
	if (t->st == T_LONGNAME) {
		free(t->longname);
		t->longname = xstrdup(t->meta);
	} else {
		pax_parse(t);
	}
	free(t->meta);
	t->meta = NULL;
}

/* A whiteout or opaque marker on the way to a database: kept. */
static int whiteout(struct layerdb_tap *t, const char *name)
{
	const char *slash = strrchr(name, '/');
	const char *base = slash ? slash + 1 : name;
	if (strncmp(base, ".wh.", 4)) return 0;
	char target[TAR_MAX_NAME + 2];
	int dlen = slash ? (int)(slash - name) : 0;
	le_type_t type = LE_WHITEOUT;
	if (!strcmp(base, ".wh..wh..opq")) {
		snprintf(target, sizeof target, "%.*s", dlen, name);
		type = LE_OPAQUE;
	} else {
		snprintf(target, sizeof target, "%.*s%s%s", dlen, name, dlen ? "/" : "", base + 4);
	}
	if (pkgdb_on_path(target)) entry_add(t->lp, target, type);
	return 1;
}

/* The member whose header was just read: what to keep of it. */
static void member(struct layerdb_tap *t, char type, const char *name, const char *link)
{
	if (whiteout(t, name)) return;
	dbfile_t db = pkgdb_classify(name);
	if (db == DB_NONE) {
		/* a file where a folder on the way was: hides what was below */
		if (type != '5' && *name && pkgdb_on_path(name)) entry_add(t->lp, name, LE_OTHER);
		return;
	}
	if (type == '2') {
		struct layer_entry *e = entry_add(t->lp, name, LE_SYMLINK);
		if (e) e->link = xstrdup(link), e->db = db;
		return;
	}
	if (type != '0' && type != '\0' && type != '7') {
		struct layer_entry *e = entry_add(t->lp, name, LE_OTHER);
		if (e) {
			e->db = db;
			e->problem =
			        xasprintf("not a regular file (tar type '%c')", type ? type : '0');
			e->problem_id = "pkg.db_malformed";
		}
		return;
	}
	struct layer_entry *e = entry_add(t->lp, name, LE_FILE);
	if (!e) return;
	e->db = db;
	e->inv = inventory_new();
	if (!e->inv) abort();
	if (db == DB_RPM) return; /* presence only */
	t->rd = xmalloc(sizeof *t->rd);
	pkgdb_begin(t->rd, db, e->inv);
	t->cur = e;
	t->cur_bytes = 0;
}

static void reader_end(struct layerdb_tap *t, int whole)
{
	if (!t->rd) return;
	struct layer_entry *e = t->cur;
	if (pkgdb_end(t->rd) < 0 && !e->problem) {
		e->problem = xstrdup(t->rd->why);
		e->problem_id = "pkg.db_malformed";
	}
	if (!whole && !e->problem) {
		e->problem = xstrdup("the layer ended inside this file");
		e->problem_id = "pkg.db_malformed";
	}
	free(t->rd);
	t->rd = NULL;
	t->cur = NULL;
}

static int all_zero(const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i]) return 0;
	return 1;
}

static void header(struct layerdb_tap *t)
{
	const unsigned char *h = t->hdr;
	if (all_zero(h, 512)) {
		t->st = T_END; /* Go's reader stops at the end-of-archive marker */
		return;
	}
	if (!tar_checksum_ok(h)) return tap_fail(t, "a header with a bad checksum");
	uint64_t size;
	if (tar_parse_number(h + 124, 12, &size) < 0) return tap_fail(t, "a bad size field");
	char type = (char)h[156];
	if (strchr("123456", type)) size = 0; /* no data, whatever the field says */
	t->remain = size;
	t->pad = (512 - size % 512) % 512;
	if (type == 'L' || type == 'x')
		return meta_begin(t, type == 'L' ? T_LONGNAME : T_PAX, size);
	t->st = T_DATA;
	if (type == 'g' || type == 'K') return; /* global header, long link: skipped */
	char raw[TAR_HEADER_NAME_MAX], name[TAR_MAX_NAME + 2], link[101];
	tar_header_name(h, raw);
	const char *nm = t->longname ? t->longname : t->paxpath ? t->paxpath : raw;
	clean_name(nm, name, sizeof name);
	snprintf(link, sizeof link, "%.100s", (const char *)h + 157);
	member(t, type, name, t->paxlink ? t->paxlink : link);
	free(t->longname);
	free(t->paxpath);
	free(t->paxlink);
	t->longname = t->paxpath = t->paxlink = NULL;
}

/* Database bytes to its reader, up to the limits (then a problem, and no
 * further: the same wherever the chunks are cut). */
static void feed_limited(struct layerdb_tap *t, const unsigned char *p, size_t n)
{
	struct layer_entry *e = t->cur;
	if (e->problem) return;
	uint64_t room = LAYERDB_MAX_FILE - t->cur_bytes;
	size_t take = n < room ? n : (size_t)room;
	pkgdb_feed(t->rd, p, take);
	t->cur_bytes += take;
	if (take < n) {
		e->problem = xasprintf("over %llu MiB: read no further", LAYERDB_MAX_FILE >> 20);
		e->problem_id = "pkg.db_too_large";
	} else if (e->inv->npkgs > LAYERDB_MAX_PKGS) {
		e->problem = xasprintf("more than %d packages: read no further", LAYERDB_MAX_PKGS);
		e->problem_id = "pkg.db_too_large";
	}
}

/* Member data (size bytes then padding): to the reader or the meta buffer. */
static size_t data(struct layerdb_tap *t, const unsigned char *p, size_t n)
{
	size_t take = t->remain < n ? (size_t)t->remain : n;
	if (t->st == T_LONGNAME || t->st == T_PAX) {
		memcpy(t->meta + t->mlen, p, take);
		t->mlen += take;
	} else if (t->rd) {
		feed_limited(t, p, take);
	}
	t->remain -= take;
	size_t used = take;
	if (!t->remain) {
		if (t->st == T_DATA) reader_end(t, 1);
		size_t skip = t->pad < n - used ? (size_t)t->pad : n - used;
		t->pad -= skip;
		used += skip;
		if (!t->pad) {
			if (t->st != T_DATA) meta_end(t);
			t->st = T_HEADER;
		}
	}
	return used;
}

int layerdb_tap_feed(void *tap, const void *buf, size_t n)
{
	struct layerdb_tap *t = tap;
	const unsigned char *p = buf;
	while (n && t->st != T_END) {
		size_t used;
		if (t->st == T_HEADER) {
			used = 512 - t->hlen < n ? 512 - t->hlen : n;
			memcpy(t->hdr + t->hlen, p, used);
			t->hlen += used;
			if (t->hlen == 512) {
				t->hlen = 0;
				header(t);
			}
		} else {
			used = data(t, p, n);
		}
		t->offset += used;
		p += used;
		n -= used;
	}
	return 0;
}

struct layer_pkgs *layerdb_tap_finish(struct layerdb_tap *t, int complete)
{
	/* A stream that ends inside a database file leaves that file short
	 * (its problem); one that ends elsewhere (umoci writes no padding after
	 * its last member) hides nothing the engines would extract. */
	if (t->rd) reader_end(t, 0);
	(void)complete;
	struct layer_pkgs *lp = t->lp;
	free(t->meta);
	free(t->longname);
	free(t->paxpath);
	free(t->paxlink);
	free(t);
	return lp;
}

/* ------------------------------------------------------------ the fold */

/* The root as the layers so far make it: the entries that show. */
struct view {
	const struct layer_entry **e;
	const char **label; /* the layer of each */
	size_t n, cap;
};

static int under(const char *dir, const char *path) /* strictly below dir */
{
	size_t n = strlen(dir);
	if (!n) return *path != 0;
	return !strncmp(dir, path, n) && path[n] == '/';
}

/* Drop the entries at path (self) and/or below it. */
static void view_drop(struct view *v, const char *path, int self, int below)
{
	size_t w = 0;
	for (size_t i = 0; i < v->n; i++) {
		const char *p = v->e[i]->path;
		if ((self && !strcmp(p, path)) || (below && under(path, p))) continue;
		v->e[w] = v->e[i];
		v->label[w++] = v->label[i];
	}
	v->n = w;
}

static void view_apply(struct view *v, const struct layer_pkgs *lp, const char *label)
{
	/* a layer's whiteouts and opaque folders hide the layers below it only */
	for (size_t i = 0; i < lp->n; i++) {
		const struct layer_entry *e = &lp->e[i];
		if (e->type == LE_WHITEOUT) view_drop(v, e->path, 1, 1);
		else if (e->type == LE_OPAQUE) view_drop(v, e->path, 0, 1);
	}
	for (size_t i = 0; i < lp->n; i++) {
		const struct layer_entry *e = &lp->e[i];
		if (e->type == LE_WHITEOUT || e->type == LE_OPAQUE) continue;
		view_drop(v, e->path, 1, 1);
		if (e->type == LE_OTHER && e->db == DB_NONE) continue; /* a file on the way */
		if (v->n == v->cap) {
			v->cap = v->cap ? v->cap * 2 : 16;
			v->e = xrealloc(v->e, v->cap * sizeof *v->e);
			v->label = xrealloc(v->label, v->cap * sizeof *v->label);
		}
		v->e[v->n] = e;
		v->label[v->n++] = label;
	}
}

static const struct layer_entry *view_get(const struct view *v, const char *path, size_t *at)
{
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->e[i]->path, path)) {
			if (at) *at = i;
			return v->e[i];
		}
	return NULL;
}

static void problem(struct inventory *inv, const char *id, const char *label, const char *path,
                    const char *msg)
{
	cleanup_free char *file = label ? xasprintf("%s (layer %s)", path, label) : xstrdup(path);
	if (inventory_problem(inv, id, file, msg) < 0) abort();
}

/* Packages of the databases that show, into inv. */
static void fold_packages(struct inventory *inv, const struct view *v, int *dbs, const char **rpm)
{
	for (size_t i = 0; i < v->n; i++) {
		const struct layer_entry *e = v->e[i];
		if (e->db == DB_RPM) {
			*rpm = e->path;
			continue;
		}
		if (e->db != DB_DPKG && e->db != DB_APK && e->db != DB_OPKG) continue;
		(*dbs)++;
		if (e->type == LE_SYMLINK) { /* never followed: the engines' view could differ */
			cleanup_free char *m = xasprintf("a symbolic link to %.200s: not followed",
			                                 e->link ? e->link : "");
			problem(inv, "pkg.db_malformed", v->label[i], e->path, m);
			inv->status = INV_MALFORMED;
			continue;
		}
		if (!inv->database)
			inv->database = !strncmp(e->path, "var/lib/dpkg/status.d/", 22)
			                        ? xstrdup("var/lib/dpkg/status.d")
			                        : xstrdup(e->path);
		if (e->problem) {
			problem(inv, e->problem_id, v->label[i], e->path, e->problem);
			inv->status = INV_MALFORMED;
		}
		if (!e->inv) continue;
		for (size_t k = 0; k < e->inv->npkgs; k++) {
			const struct pkg *s = &e->inv->pkgs[k];
			struct pkg *d = inventory_add(inv, s->kind, s->name, s->version);
			if (!d || pkg_set(&d->arch, s->arch) || pkg_set(&d->source, s->source) ||
			    pkg_set(&d->source_version, s->source_version))
				abort();
		}
	}
}

/* etc/os-release, or what its link names, or usr/lib/os-release. */
static const struct layer_entry *os_release(const struct view *v, size_t *at)
{
	const struct layer_entry *e = view_get(v, "etc/os-release", at);
	if (e && e->type == LE_SYMLINK) {
		const char *l = e->link;
		while (!strncmp(l, "../", 3)) l += 3;
		while (*l == '/') l++;
		char p[TAR_MAX_NAME + 2];
		snprintf(p, sizeof p, "%s", l);
		if (!strchr(l, '/')) snprintf(p, sizeof p, "etc/%s", l); /* a name beside it */
		e = view_get(v, p, at);
	}
	if (!e || e->type != LE_FILE) e = view_get(v, "usr/lib/os-release", at);
	return e && e->type == LE_FILE ? e : NULL;
}

static void copy_distro(struct distro *d, const struct distro *s)
{
	if (s->id) pkg_set(&d->id, s->id);
	if (s->version_id) pkg_set(&d->version_id, s->version_id);
	if (s->codename) pkg_set(&d->codename, s->codename);
	if (s->pretty) pkg_set(&d->pretty, s->pretty);
	if (s->version) pkg_set(&d->version, s->version);
}

static void fold_distro(struct inventory *inv, const struct view *v)
{
	size_t at = 0;
	const struct layer_entry *e = os_release(v, &at);
	if (e && e->inv) copy_distro(&inv->distro, &e->inv->distro);
	if (e && e->problem) problem(inv, e->problem_id, v->label[at], e->path, e->problem);
	const struct layer_entry *ar = view_get(v, "etc/alpine-release", NULL);
	if (ar && ar->type == LE_FILE && ar->inv && ar->inv->distro.version_id &&
	    (!inv->distro.id || !strcmp(inv->distro.id, "alpine")))
		copy_distro(&inv->distro, &ar->inv->distro);
	const struct layer_entry *dv = view_get(v, "etc/debian_version", NULL);
	if (dv && dv->type == LE_FILE && dv->inv && dv->inv->distro.version_id &&
	    !inv->distro.version_id && (!inv->distro.id || !strcmp(inv->distro.id, "debian"))) {
		pkg_set(&inv->distro.id, "debian");
		pkg_set(&inv->distro.version_id, dv->inv->distro.version_id);
	}
	inv->distro.ecosystem = pkgdb_ecosystem(&inv->distro);
}

struct inventory *layerdb_fold(struct layer_pkgs *const *layers, const char *const *labels, int n)
{
	struct inventory *inv = inventory_new();
	if (!inv) return NULL;
	struct view v = {0};
	int unread = 0;
	for (int i = 0; i < n; i++) {
		const char *label = labels ? labels[i] : NULL;
		if (!layers[i]) {
			unread = 1;
			continue;
		}
		if (layers[i]->problem)
			problem(inv, "pkg.db_malformed", label, "(layer tar)", layers[i]->problem);
		view_apply(&v, layers[i], label);
	}
	int dbs = 0;
	const char *rpm = NULL;
	inv->status = INV_OK;
	fold_packages(inv, &v, &dbs, &rpm);
	fold_distro(inv, &v);
	if (rpm)
		problem(inv, "vuln.inventory_unsupported", NULL, rpm,
		        "an RPM database: its packages are not inventoried");
	if (inv->nproblems && inv->status == INV_OK && dbs) inv->status = INV_MALFORMED;
	if (!dbs) inv->status = rpm ? INV_UNSUPPORTED : INV_NONE;
	for (int i = 0; i < n; i++)
		if (layers[i] && layers[i]->problem) inv->status = INV_MALFORMED;
	if (unread) inv->status = INV_UNREAD;
	free(v.e);
	free(v.label);
	inventory_finish(inv);
	return inv;
}

/* ------------------------------------------------------------ a folder */

/* One file of the root into a new entry of lp. */
static void root_file(struct layer_pkgs *lp, int rootfd, const char *path)
{
	struct stat st;
	ea_error_t err = {0};
	if (fsx_lstat_at(rootfd, path, &st, &err) < 0) {
		if (err.code == EA_E_NOENT || err.code == EA_E_SYMLINK) return; /* absent */
		struct layer_entry *e = entry_add(lp, path, LE_OTHER);
		if (e) {
			e->db = pkgdb_classify(path);
			e->problem = xstrdup(err.msg);
			e->problem_id = "pkg.db_malformed";
		}
		return;
	}
	if (S_ISLNK(st.st_mode)) {
		char dir[TAR_MAX_NAME], target[TAR_MAX_NAME];
		const char *slash = strrchr(path, '/');
		snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1,
		         slash ? path : ".");
		cleanup_close int dfd = fsx_open_dir_at(rootfd, dir, &err);
		ssize_t n = dfd < 0 ? -1
		                    : readlinkat(dfd, slash ? slash + 1 : path, target,
		                                 sizeof target - 1);
		struct layer_entry *e = n < 0 ? NULL : entry_add(lp, path, LE_SYMLINK);
		if (e) target[n] = 0, e->link = xstrdup(target), e->db = pkgdb_classify(path);
		return;
	}
	if (!S_ISREG(st.st_mode)) return;
	struct layerdb_tap t = {.lp = lp};
	member(&t, '0', path, "");
	if (!t.rd) return;
	cleanup_close int fd = fsx_open_file_at(rootfd, path, NULL, &err);
	cleanup_free unsigned char *buf = xmalloc(64 * 1024);
	ssize_t n = 0;
	t.remain = UINT64_MAX;
	while (fd >= 0 && (n = fsx_read_full(fd, buf, 64 * 1024, &err)) > 0)
		data(&t, buf, (size_t)n);
	if (fd < 0 || n < 0) {
		t.cur->problem = xstrdup(err.msg);
		t.cur->problem_id = "pkg.db_malformed";
	}
	reader_end(&t, 1);
}

struct inventory *layerdb_read_root(int rootfd)
{
	struct layer_pkgs lp = {0};
	for (size_t i = 0; pkgdb_path(i); i++) root_file(&lp, rootfd, pkgdb_path(i));
	ea_error_t err = {0};
	int dfd = fsx_open_dir_at(rootfd, "var/lib/dpkg/status.d", &err);
	DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
	if (!d && dfd >= 0) close(dfd);
	for (struct dirent *de; d && (de = readdir(d));) {
		cleanup_free char *p = xasprintf("var/lib/dpkg/status.d/%s", de->d_name);
		if (pkgdb_classify(p) == DB_DPKG) root_file(&lp, rootfd, p);
	}
	if (d) closedir(d);
	struct layer_pkgs *one = &lp;
	struct inventory *inv = layerdb_fold(&one, NULL, 1);
	for (size_t i = 0; i < lp.n; i++) {
		free(lp.e[i].path);
		free(lp.e[i].link);
		free(lp.e[i].problem);
		inventory_free(lp.e[i].inv);
	}
	free(lp.e);
	free(lp.problem);
	return inv;
}
