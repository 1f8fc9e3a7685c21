/*
 * drift: a container's writable layer walked and judged against its
 * image's layer folders (see drift.h for the contract).  The image's side
 * is looked up one folder level at a time: for each folder of the writable
 * layer the walk holds the same folder of every lower layer still visible
 * (not hidden by a whiteout, a non-folder or an opaque folder above it),
 * so every lookup is one fstatat of one name, never a path a link could
 * redirect.
 */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "digest.h"
#include "drift.h"
#include "fsx.h"
#include "util.h"

/* The same folder in each lower layer, top-down; -1: absent or hidden. */
struct level {
	int fd[DRIFT_MAX_LOWER];
	int n;
};

struct dwalk {
	const struct drift_target *t;
	unsigned long entries, nchanges, nfindings;
	int listed;
	int stopped;
	cJSON *changes;
	char path[4096]; /* the entry's path in the container, "/a/b" */
};

const char *const drift_podman_paths[] = {
        "/dev", "/etc/hostname", "/etc/hosts",         "/etc/resolv.conf", "/etc/mtab", "/proc",
        "/run", "/run/notify",   "/run/.containerenv", "/run/secrets",     "/sys",      NULL};

static int engine_path(const struct drift_target *t, const char *path)
{
	for (const char *const *p = t->engine_paths; p && *p; p++)
		if (!strcmp(*p, path)) return 1;
	return 0;
}

static void level_close(struct level *lv)
{
	for (int i = 0; i < lv->n; i++)
		if (lv->fd[i] >= 0) close(lv->fd[i]);
}

static int is_whiteout(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0);
}

/* Is the open folder fd an opaque overlay folder? */
static int is_opaque(int fd)
{
	char v[4];
	ssize_t n = fgetxattr(fd, "trusted.overlay.opaque", v, sizeof v);
	if (n == 1 && v[0] == 'y') return 1;
	struct stat st;
	return fstatat(fd, ".wh..wh..opq", &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Has a lower layer (the image) the entry `name` of this folder?  1 (and
 * *st), or 0 when none has it or the topmost that speaks of it deleted it. */
static int lower_lookup(const struct level *lv, const char *name, struct stat *st)
{
	char wh[300];
	if (snprintf(wh, sizeof wh, ".wh.%s", name) >= (int)sizeof wh) return 0;
	for (int i = 0; i < lv->n; i++) {
		if (lv->fd[i] < 0) continue;
		struct stat w;
		if (fstatat(lv->fd[i], wh, &w, AT_SYMLINK_NOFOLLOW) == 0) return 0;
		if (fstatat(lv->fd[i], name, st, AT_SYMLINK_NOFOLLOW) == 0) return !is_whiteout(st);
	}
	return 0;
}

/* The lower layers' folder `name` below lv into c; opaque: none visible. */
static void level_child(const struct level *lv, const char *name, int opaque, struct level *c)
{
	char wh[300];
	int hidden = opaque || snprintf(wh, sizeof wh, ".wh.%s", name) >= (int)sizeof wh;
	c->n = lv->n;
	for (int i = 0; i < lv->n; i++) {
		c->fd[i] = -1;
		if (hidden || lv->fd[i] < 0) continue;
		struct stat st;
		if (fstatat(lv->fd[i], wh, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			hidden = 1;
			continue;
		}
		if (fstatat(lv->fd[i], name, &st, AT_SYMLINK_NOFOLLOW) < 0) continue;
		hidden = 1; /* what this layer has hides the layers below */
		if (!S_ISDIR(st.st_mode)) continue;
		c->fd[i] = openat(lv->fd[i], name,
		                  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		hidden = c->fd[i] < 0 || is_opaque(c->fd[i]);
	}
}

static int has_prefix_dir(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return !strncmp(path, dir, n) && (path[n] == '/' || !path[n]);
}

/* Does path, or a folder above it, match the glob (fnmatch, '/' matched
 * only by '/')? */
static int glob_covers(const char *glob, const char *path)
{
	char buf[4096];
	size_t n = strlen(path);
	if (n >= sizeof buf) return 0;
	memcpy(buf, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0') continue;
		char c = buf[i];
		buf[i] = '\0';
		int m = fnmatch(glob, buf, FNM_PATHNAME) == 0;
		buf[i] = c;
		if (m) return 1;
	}
	return 0;
}

int drift_allow_matches(const char *entry, const char *name, const char *image, const char *path)
{
	/* WHO ends at the last ":/" (image names have colons of their own) */
	const char *colon = NULL;
	for (const char *q = entry[0] != '/' ? strstr(entry, ":/") : NULL; q;
	     q = strstr(q + 1, ":/"))
		colon = q;
	if (!colon) return entry[0] == '/' && glob_covers(entry, path);
	char who[256];
	size_t wn = (size_t)(colon - entry);
	if (wn >= sizeof who) return 0;
	memcpy(who, entry, wn);
	who[wn] = '\0';
	int named = (name && fnmatch(who, name, 0) == 0) || (image && fnmatch(who, image, 0) == 0);
	return named && glob_covers(colon + 1, path);
}

/* Paths the container writes by design, and the user's allow list. */
static int allowed_path(const struct drift_target *t, const char *p)
{
	static const char *const ok[] = {"/tmp", "/var/tmp", "/run", "/var/log", "/var/cache"};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (has_prefix_dir(p, ok[i])) return 1;
	for (const char *const *a = t->allow; a && *a; a++)
		if (drift_allow_matches(*a, t->name, t->image, p)) return 1;
	return 0;
}

static int sensitive_path(const char *p)
{
	static const char *const exact[] = {"/etc/passwd", "/etc/shadow", "/etc/group",
	                                    "/etc/gshadow", "/etc/ld.so.preload"};
	static const char *const prefix[] = {"/etc/sudoers", "/etc/ld.so.conf", "/etc/cron",
	                                     "/var/spool/cron"};
	for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
		if (!strcmp(p, exact[i])) return 1;
	for (size_t i = 0; i < sizeof prefix / sizeof prefix[0]; i++)
		if (!strncmp(p, prefix[i], strlen(prefix[i]))) return 1;
	const char *k = strstr(p, "/.ssh/authorized_keys");
	return k && (!k[21] || !strcmp(k + 21, "2"));
}

/* A file below a folder of programs or libraries. */
static int binary_dir_path(const char *p)
{
	static const char *const dirs[] = {"/bin",      "/sbin",          "/usr/bin",
	                                   "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"};
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		if (has_prefix_dir(p, dirs[i]) && p[strlen(dirs[i])] == '/') return 1;
	const char *rest = !strncmp(p, "/lib", 4)       ? p + 4
	                   : !strncmp(p, "/usr/lib", 8) ? p + 8
	                                                : NULL;
	return rest && strchr(rest, '/') && strchr(rest, '/')[1];
}

/* What the walk learnt of a regular file it opened. */
struct file_facts {
	int elf, script, caps, hashed;
	digest_t sha;
};

/* Open the regular file `name` of folder dfd (no link, no blocking; the
 * same inode that was listed), read its magic and capability xattr and
 * hash it.  0, or -1 when it cannot be read (errno). */
static int file_facts(int dfd, const char *name, const struct stat *st, struct file_facts *f)
{
	cleanup_close int fd =
	        openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	struct stat now;
	if (fd < 0) return -1;
	if (fstat(fd, &now) < 0 || now.st_ino != st->st_ino || !S_ISREG(now.st_mode)) {
		errno = ESTALE;
		return -1;
	}
	unsigned char m[4] = {0};
	ssize_t n = pread(fd, m, sizeof m, 0);
	f->elf = n == 4 && !memcmp(m, "\177ELF", 4);
	f->script = n >= 2 && m[0] == '#' && m[1] == '!';
	f->caps = fgetxattr(fd, "security.capability", NULL, 0) > 0;
	ea_error_t err = {0};
	uint64_t size;
	f->hashed = digest_fd(fd, DIGEST_SHA256, &f->sha, &size, &err) == 0;
	return 0;
}

/* The one finding a changed path gets (most severe first), or NULL. */
static const char *judge(const struct drift_target *t, const char *path, const struct stat *st,
                         int in_image, int deleted, const struct file_facts *f)
{
	if (allowed_path(t, path)) return NULL;
	int reg = !deleted && S_ISREG(st->st_mode);
	int exec = reg && ((st->st_mode & 0111) || f->elf);
	if (exec && in_image) return "drift.executable_replaced";
	int priv = !deleted && (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode) ||
	                        (reg && ((st->st_mode & (S_ISUID | S_ISGID)) || f->caps)));
	if (priv) return "drift.privileged_file";
	if (exec) return "drift.executable_added";
	if (sensitive_path(path)) return "drift.sensitive_file";
	if (binary_dir_path(path) && !S_ISDIR(st->st_mode)) return "drift.binary_dir";
	if (deleted && in_image) return "drift.deleted";
	return NULL;
}

static const char *what_of(const struct stat *st, int in_image, int deleted,
                           const struct file_facts *f)
{
	if (deleted) return "deleted";
	if (S_ISREG(st->st_mode) && f->elf)
		return in_image ? "replaced by an ELF program" : "ELF program added";
	if (S_ISREG(st->st_mode) && f->script && (st->st_mode & 0111))
		return in_image ? "replaced by a script" : "script added";
	if (S_ISREG(st->st_mode)) return in_image ? "changed" : "added";
	return in_image ? "replaced by a special file or link" : "special file or link added";
}

static void say(struct dwalk *w, const char *id, const struct stat *st, int in_image, int deleted,
                const struct file_facts *f)
{
	const struct drift_target *t = w->t;
	cleanup_free char *subj = xasprintf("%s:%s:%s", t->runtime, t->id, w->path);
	char extra[200] = "";
	if (!deleted && S_ISREG(st->st_mode) && f->hashed)
		snprintf(extra, sizeof extra, ", mode %04o, sha256 %s",
		         (unsigned)st->st_mode & 07777, digest_hex(&f->sha));
	else if (!deleted)
		snprintf(extra, sizeof extra, ", a %s, mode %04o", fsx_type_name(st->st_mode),
		         (unsigned)st->st_mode & 07777);
	if (f->caps) strncat(extra, ", file capabilities", sizeof extra - strlen(extra) - 1);
	report_finding(t->r, id, subj, "container %s (image %s): %s %s%s", t->name, t->image,
	               w->path, what_of(st, in_image, deleted, f), extra);
	w->nfindings++;
}

static void add_change(struct dwalk *w, char kind)
{
	w->nchanges++;
	if (w->listed >= DRIFT_MAX_LISTED) return;
	w->listed++;
	char k[2] = {kind, 0};
	cJSON *c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "kind", k);
	cJSON_AddStringToObject(c, "path", w->path);
	cJSON_AddItemToArray(w->changes, c);
}

static void stop(struct dwalk *w, const char *why)
{
	if (w->stopped) return;
	w->stopped = 1;
	const struct drift_target *t = w->t;
	cleanup_free char *subj =
	        xasprintf("%s:%s:%s", t->runtime, t->id, w->path[0] ? w->path : "/");
	report_finding(t->r, "drift.incomplete", subj,
	               "container %s (image %s): its writable layer was not read past %s: %s",
	               t->name, t->image, w->path[0] ? w->path : "/", why);
}

/* A folder of the image whose mode and owner are unchanged: listed only
 * when something below it changed (as docker's and containers/storage's
 * naive diff do: mtime and size are no measure of a folder's change). */
static int same_dir(const struct stat *a, const struct stat *b)
{
	return S_ISDIR(b->st_mode) && a->st_mode == b->st_mode && a->st_uid == b->st_uid &&
	       a->st_gid == b->st_gid;
}

static void walk_dir(struct dwalk *w, int ufd, const struct level *lv, int depth);

/* A folder of the writable layer: listed unless the image's own, opaque
 * ones deleting what the image had there, then walked. */
static void visit_dir(struct dwalk *w, int ufd, const char *name, const struct stat *st,
                      const struct level *lv, int depth)
{
	struct stat ls;
	int in_image = lower_lookup(lv, name, &ls);
	int listed = (!in_image || !same_dir(st, &ls)) && !engine_path(w->t, w->path);
	if (listed) add_change(w, in_image ? 'C' : 'A');
	cleanup_close int cfd =
	        openat(ufd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (cfd < 0) {
		stop(w, strerror(errno));
		return;
	}
	int opaque = is_opaque(cfd);
	if (opaque && in_image && !listed && !engine_path(w->t, w->path)) {
		add_change(w, 'C'); /* its hidden files are not listed one by one */
		listed = 1;
	}
	if (opaque && in_image && S_ISDIR(ls.st_mode) && !allowed_path(w->t, w->path)) {
		cleanup_free char *subj = xasprintf("%s:%s:%s", w->t->runtime, w->t->id, w->path);
		report_finding(w->t->r, "drift.deleted", subj,
		               "container %s (image %s): %s made opaque: the image's files in it "
		               "are deleted",
		               w->t->name, w->t->image, w->path);
		w->nfindings++;
	}
	if (depth + 1 >= DRIFT_MAX_DEPTH) {
		stop(w, "folders nested too deep");
		return;
	}
	cleanup_free struct level *child = xcalloc(1, sizeof *child); /* off the stack */
	level_child(lv, name, opaque, child);
	unsigned long before = w->nchanges;
	walk_dir(w, cfd, child, depth + 1);
	level_close(child);
	if (!listed && w->nchanges > before) add_change(w, 'C');
}

/* Any other entry: a whiteout (D), or a file, link or special file (A/C). */
static void visit_other(struct dwalk *w, int ufd, const char *name, const struct stat *st,
                        const struct level *lv, int deleted)
{
	struct stat ls;
	struct file_facts f = {0};
	int in_image = lower_lookup(lv, name, &ls);
	if (engine_path(w->t, w->path)) return;
	if (!deleted || in_image) add_change(w, deleted ? 'D' : in_image ? 'C' : 'A');
	if (!deleted && S_ISREG(st->st_mode) && !allowed_path(w->t, w->path) &&
	    file_facts(ufd, name, st, &f) < 0) {
		cleanup_free char *subj = xasprintf("%s:%s:%s", w->t->runtime, w->t->id, w->path);
		report_finding(w->t->r, "store.unreadable", subj, "container %s: %s: %s",
		               w->t->name, w->path, strerror(errno));
		return;
	}
	const char *id = judge(w->t, w->path, st, in_image, deleted, &f);
	if (id) say(w, id, st, in_image, deleted, &f);
}

/* One entry of folder ufd, its path appended to w->path meanwhile. */
static void visit(struct dwalk *w, int ufd, const char *name, const struct level *lv, int depth)
{
	if (++w->entries > DRIFT_MAX_ENTRIES) return stop(w, "too many entries");
	if (ea_stop_requested()) return stop(w, "budget or signal");
	if (!strcmp(name, ".wh..wh..opq")) return; /* the folder's opacity (visit_dir) */
	int wh = !strncmp(name, ".wh.", 4);
	const char *real = wh ? name + 4 : name;
	size_t plen = strlen(w->path);
	if (plen + 1 + strlen(real) >= sizeof w->path) return stop(w, "a path too long");
	snprintf(w->path + plen, sizeof w->path - plen, "/%s", real);
	struct stat st;
	if (fstatat(ufd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT) stop(w, strerror(errno));
	} else if (wh || is_whiteout(&st)) {
		visit_other(w, ufd, real, &st, lv, 1);
	} else if (S_ISDIR(st.st_mode)) {
		visit_dir(w, ufd, name, &st, lv, depth);
	} else {
		visit_other(w, ufd, name, &st, lv, 0);
	}
	w->path[plen] = 0;
}

static void walk_dir(struct dwalk *w, int ufd, const struct level *lv, int depth)
{
	int dfd = dup(ufd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		if (dfd >= 0) close(dfd);
		return stop(w, strerror(errno));
	}
	struct dirent *e;
	while (!w->stopped && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
		visit(w, ufd, e->d_name, lv, depth);
	}
	closedir(d);
}

/* The lower layers' root folders; one that cannot be opened stops the
 * walk (said): the image's side would be wrong. */
static void open_lowers(struct dwalk *w, struct level *lv)
{
	const struct drift_target *t = w->t;
	lv->n = t->nlower < DRIFT_MAX_LOWER ? t->nlower : DRIFT_MAX_LOWER;
	for (int i = 0; i < lv->n; i++) {
		ea_error_t err = {0};
		lv->fd[i] = fsx_open_dir_at(t->root, t->lower_rel[i], &err);
		if (lv->fd[i] < 0) stop(w, err.msg);
	}
	if (t->nlower > DRIFT_MAX_LOWER) stop(w, "more image layers than the limit");
}

cJSON *drift_scan(const struct drift_target *t)
{
	struct dwalk w = {.t = t, .changes = cJSON_CreateArray()};
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "runtime", t->runtime);
	cJSON_AddStringToObject(o, "id", t->id);
	cJSON_AddStringToObject(o, "name", t->name);
	cJSON_AddStringToObject(o, "image", t->image);
	cleanup_free char *layer = xasprintf("%s/%s", t->rootpath, t->upper_rel);
	cJSON_AddStringToObject(o, "writable_layer", layer);
	struct level lv = {.n = 0};
	open_lowers(&w, &lv);
	ea_error_t err = {0};
	cleanup_close int ufd = w.stopped ? -1 : fsx_open_dir_at(t->root, t->upper_rel, &err);
	if (ufd < 0 && !w.stopped) stop(&w, err.msg);
	if (ufd >= 0) walk_dir(&w, ufd, &lv, 0);
	level_close(&lv);
	cJSON_AddNumberToObject(o, "entries", (double)w.entries);
	cJSON_AddNumberToObject(o, "findings", (double)w.nfindings);
	cJSON_AddBoolToObject(o, "complete", !w.stopped);
	cJSON_AddNumberToObject(o, "changes_total", (double)w.nchanges);
	cJSON_AddItemToObject(o, "changes", w.changes);
	return o;
}
