/* treewalk: see treewalk.h. */
#include "treewalk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "digest.h"
#include "fsx.h"

#define TW_DIR_MAX_BYTES (64u << 20) /* names of one folder */
#define TW_HASH_BUF      (64u << 10)

/* A folder on the way down: its fd and its names, sorted. */
struct frame {
	int fd; /* -1: closed (deeper than TW_KEEP_FDS), reopened through ".." */
	dev_t dev, start_dev;
	ino_t ino;
	size_t plen; /* its path's length in w->path ("/": 0) */
	char *names;
	size_t names_len, names_cap;
	uint32_t *off;
	size_t n, cap, next;
};

struct treewalk {
	const struct bl_spec *spec;
	unsigned flags;
	int rootfd, start;
	struct frame *st;
	int depth, cap;
	char *path; /* BL_PATH_MAX + 1 */
	struct bl_entry e;
	unsigned char *buf;
};

int tw_open(const struct bl_spec *spec, unsigned flags, struct treewalk **wp, ea_error_t *err)
{
	int fd = fsx_open_root(spec->root, err);
	if (fd < 0) return -1;
	struct treewalk *w = xcalloc(1, sizeof *w);
	w->spec = spec;
	w->flags = flags;
	w->rootfd = fd;
	w->path = xmalloc(BL_PATH_MAX + 1);
	w->buf = xmalloc(TW_HASH_BUF);
	*wp = w;
	return 0;
}

void tw_free(struct treewalk *w)
{
	if (!w) return;
	for (int i = 0; i < w->cap; i++) {
		if (i < w->depth && w->st[i].fd >= 0) close(w->st[i].fd);
		free(w->st[i].names);
		free(w->st[i].off);
	}
	free(w->st);
	close(w->rootfd);
	free(w->path);
	free(w->buf);
	free(w);
}

/* ------------------------------------------------------------ one entry */

static void entry_reset(struct bl_entry *e, const char *path, size_t len)
{
	memset(e, 0, offsetof(struct bl_entry, target));
	e->path = path;
	e->path_len = len;
	e->target[0] = '\0';
	e->target_len = e->caps_len = 0;
	e->caps_state = BL_CAPS_NONE;
	e->elf = e->unlisted = 0;
	e->problem[0] = '\0';
}

static char type_char(mode_t m)
{
	return S_ISREG(m)    ? 'f'
	       : S_ISDIR(m)  ? 'd'
	       : S_ISLNK(m)  ? 'l'
	       : S_ISFIFO(m) ? 'p'
	       : S_ISSOCK(m) ? 's'
	       : S_ISCHR(m)  ? 'c'
	                     : 'b';
}

static void problem(struct bl_entry *e, const char *what, int errnum)
{
	snprintf(e->problem, sizeof e->problem, "%s: %s", what, strerror(errnum));
}

/* security.capability of the open file fd. */
static void read_caps(int fd, struct bl_entry *e)
{
	ssize_t n = fgetxattr(fd, "security.capability", e->caps, sizeof e->caps);
	if (n > 0) {
		e->caps_state = BL_CAPS_SET;
		e->caps_len = (size_t)n;
	} else if (n == 0 || errno == ENODATA || errno == ENOTSUP) {
		e->caps_state = BL_CAPS_NONE;
	} else {
		e->caps_state = BL_CAPS_UNKNOWN;
	}
}

/* Open a regular file found by fstatat without following or blocking, and
 * without touching its access time where the kernel lets us. */
static int open_regular(int dirfd, const char *name)
{
	int fl = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	int fd = openat(dirfd, name, fl | O_NOATIME);
	if (fd < 0 && errno == EPERM) fd = openat(dirfd, name, fl);
	return fd;
}

/* A regular file: hashed, its capabilities, whether it is ELF.  0, or 1
 * when it vanished (skip it). */
static int visit_regular(struct treewalk *w, int dirfd, const char *name, const struct stat *ls)
{
	struct bl_entry *e = &w->e;
	e->caps_state = BL_CAPS_UNKNOWN;
	cleanup_close int fd = open_regular(dirfd, name);
	if (fd < 0) {
		if (errno == ENOENT) return 1;
		problem(e, "cannot open", errno);
		return 0;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_ino != ls->st_ino ||
	    st.st_dev != ls->st_dev) {
		snprintf(e->problem, sizeof e->problem, "replaced while being opened");
		return 0;
	}
	e->size = (uint64_t)st.st_size;
	read_caps(fd, e);
	unsigned char magic[4];
	e->elf = st.st_size >= 4 && pread(fd, magic, 4, 0) == 4 && !memcmp(magic, "\177ELF", 4);
	digest_t d;
	uint64_t n = 0;
	ea_error_t err = {0};
	if (digest_fd_buf(fd, DIGEST_SHA256, w->buf, TW_HASH_BUF, &d, &n, &err) < 0) {
		snprintf(e->problem, sizeof e->problem, "%.150s", err.msg);
		return 0;
	}
	if (n != e->size) {
		snprintf(e->problem, sizeof e->problem, "changed while being read");
		return 0;
	}
	memcpy(e->sha256, d.bytes, 32);
	e->hashed = 1;
	return 0;
}

/* ------------------------------------------------------------ folders */

static int name_cmp(const void *a, const void *b, void *ctx)
{
	const char *names = ctx;
	return strcmp(names + *(const uint32_t *)a, names + *(const uint32_t *)b);
}

/* Append one name to f (bounded). */
static int add_name(struct frame *f, const char *name)
{
	size_t n = strlen(name) + 1;
	if (f->names_len + n > TW_DIR_MAX_BYTES) return -1;
	if (f->names_len + n > f->names_cap) {
		f->names_cap = f->names_cap ? 2 * f->names_cap : 256;
		while (f->names_cap < f->names_len + n) f->names_cap *= 2;
		f->names = xrealloc(f->names, f->names_cap);
	}
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 16;
		f->off = xrealloc(f->off, f->cap * sizeof *f->off);
	}
	f->off[f->n++] = (uint32_t)f->names_len;
	memcpy(f->names + f->names_len, name, n);
	f->names_len += n;
	return 0;
}

/* The names of folder fd into f, sorted; -1 (errno, or E2BIG) if not. */
static int list_folder(int fd, struct frame *f)
{
	f->names_len = f->n = f->next = 0;
	int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	DIR *d = dup_fd < 0 ? NULL : fdopendir(dup_fd);
	if (!d) {
		int e = errno;
		if (dup_fd >= 0) close(dup_fd);
		errno = e;
		return -1;
	}
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d))) {
		const char *nm = de->d_name;
		if (nm[0] == '.' && (!nm[1] || (nm[1] == '.' && !nm[2]))) continue;
		if (add_name(f, nm) < 0) {
			closedir(d);
			errno = E2BIG;
			return -1;
		}
	}
	int e = errno;
	closedir(d);
	if (e) return errno = e, -1;
	qsort_r(f->off, f->n, sizeof *f->off, name_cmp, f->names);
	return 0;
}

/* Push folder fd (the entry just filled in) as the walk's next level. */
static void push(struct treewalk *w, int fd, const struct stat *st, dev_t start_dev)
{
	if (w->depth == w->cap) {
		int old = w->cap;
		w->cap = w->cap ? 2 * w->cap : 16;
		w->st = xrealloc(w->st, (size_t)w->cap * sizeof *w->st);
		memset(w->st + old, 0, (size_t)(w->cap - old) * sizeof *w->st);
	}
	/* Deep: the parent's fd closes; it is reopened through "..". */
	if (w->depth >= TW_KEEP_FDS && w->st[w->depth - 1].fd >= 0) {
		close(w->st[w->depth - 1].fd);
		w->st[w->depth - 1].fd = -1;
	}
	struct frame *f = &w->st[w->depth++];
	f->fd = fd;
	f->dev = st->st_dev;
	f->ino = st->st_ino;
	f->start_dev = start_dev;
	f->plen = w->e.path_len == 1 ? 0 : w->e.path_len;
}

/* A folder: its capabilities; entered (pushed, its names listed) when on
 * the start's filesystem, not too deep and its path not too long. */
static int visit_folder(struct treewalk *w, int dirfd, const char *name, const struct stat *ls,
                        int is_start)
{
	struct bl_entry *e = &w->e;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd < 0) {
		if (errno == ENOENT) return 1;
		e->unlisted = 1;
		problem(e, "cannot open the folder", errno);
		return 0;
	}
	if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_ino != ls->st_ino ||
	    st.st_dev != ls->st_dev) {
		close(fd);
		e->unlisted = 1;
		snprintf(e->problem, sizeof e->problem, "replaced while being opened");
		return 0;
	}
	read_caps(fd, e);
	dev_t start_dev = is_start ? st.st_dev : w->st[w->depth - 1].start_dev;
	const char *why = w->depth >= TW_MAX_DEPTH                   ? "nested too deep"
	                  : e->path_len + 2 + NAME_MAX > BL_PATH_MAX ? "its path is too long"
	                                                             : NULL;
	if (st.st_dev != start_dev || why) { /* another filesystem: recorded, by rule not entered */
		close(fd);
		e->unlisted = why != NULL;
		if (why) snprintf(e->problem, sizeof e->problem, "not walked: %s", why);
		return 0;
	}
	push(w, fd, &st, start_dev);
	struct frame *f = &w->st[w->depth - 1];
	if (list_folder(fd, f) < 0) {
		e->unlisted = 1;
		problem(e, "cannot list the folder", errno);
		f->n = 0; /* popped at the next step */
	}
	return 0;
}

/* Fill w->e for name in dirfd (the path is in w->path): 1 to skip it
 * (excluded, vanished), 0 when e is ready (type 0: it could not be
 * stat'ed, see e->problem). */
static int visit(struct treewalk *w, int dirfd, const char *name, size_t len, int is_start)
{
	w->path[len] = '\0';
	entry_reset(&w->e, w->path, len);
	if (bl_spec_excluded(w->spec, w->path)) return 1;
	struct stat ls;
	if (fstatat(dirfd, name, &ls, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT) return 1;
		problem(&w->e, "cannot stat", errno);
		return 0;
	}
	struct bl_entry *e = &w->e;
	e->type = type_char(ls.st_mode);
	e->mode = ls.st_mode & 07777;
	e->uid = ls.st_uid;
	e->gid = ls.st_gid;
	switch (e->type) {
	case 'f': return visit_regular(w, dirfd, name, &ls);
	case 'd': return visit_folder(w, dirfd, name, &ls, is_start);
	case 'l': {
		ssize_t n = readlinkat(dirfd, name, e->target, BL_TARGET_MAX + 1);
		if (n <= 0 || n > BL_TARGET_MAX) return 1; /* vanished, or no link of Linux's */
		e->target[n] = '\0';
		e->target_len = (size_t)n;
		return 0;
	}
	case 'c':
	case 'b':
		e->dev_major = major(ls.st_rdev);
		e->dev_minor = minor(ls.st_rdev);
		return 0;
	default: return 0; /* FIFO, socket: stat'ed only */
	}
}

/* ------------------------------------------------------------ the walk */

/* Leave the folder on top; its parent's fd back if it was closed. */
static int pop(struct treewalk *w, ea_error_t *err)
{
	struct frame *f = &w->st[--w->depth];
	cleanup_close int fd = steal_fd(&f->fd);
	if (!w->depth || w->st[w->depth - 1].fd >= 0) return 0;
	struct frame *p = &w->st[w->depth - 1];
	int pfd = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (pfd < 0 || fstat(pfd, &st) < 0 || st.st_dev != p->dev || st.st_ino != p->ino) {
		if (pfd >= 0) close(pfd);
		w->path[p->plen ? p->plen : 1] = '\0';
		return ea_fail(err, EA_E_IO, "the folder %.200s moved during the walk", w->path);
	}
	p->fd = pfd;
	return 0;
}

/* The folders on the way to a start (not recorded): an fd of its parent,
 * or -1 when one is missing or no folder (a link is not followed). */
static int open_parent(struct treewalk *w, const char *path, const char **last)
{
	int fd = fcntl(w->rootfd, F_DUPFD_CLOEXEC, 0);
	const char *p = path + 1, *slash;
	while (fd >= 0 && (slash = strchr(p, '/'))) {
		char comp[NAME_MAX + 1];
		size_t n = (size_t)(slash - p);
		if (n > NAME_MAX) n = NAME_MAX;
		memcpy(comp, p, n);
		comp[n] = '\0';
		int next = openat(fd, comp,
		                  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		close(fd);
		fd = next;
		p = slash + 1;
	}
	*last = p;
	return fd;
}

/* The next start: 1 its entry is ready, 0 it is excluded or not there. */
static int next_start(struct treewalk *w, ea_error_t *err)
{
	const char *path = w->spec->paths[w->start++];
	size_t len = strlen(path);
	memcpy(w->path, path, len + 1);
	if (len == 1) return visit(w, w->rootfd, ".", 1, 1) == 0;
	const char *last;
	cleanup_close int pfd = open_parent(w, path, &last);
	int rc = pfd < 0 ? 1 : visit(w, pfd, last, len, 1);
	w->path[len] = '\0';
	if (rc && (w->flags & TW_STRICT) && !bl_spec_excluded(w->spec, path))
		return ea_fail(err, EA_E_USAGE,
		               "--path %.200s: not found below %.200s (or a link on its way)", path,
		               w->spec->root);
	return rc == 0;
}

int tw_next(struct treewalk *w, struct bl_entry **e, ea_error_t *err)
{
	for (;;) {
		if (!w->depth) {
			if (w->start >= w->spec->npaths) return 0;
			int rc = next_start(w, err);
			if (rc < 0) return -1;
			if (rc) break;
			continue;
		}
		struct frame *f = &w->st[w->depth - 1];
		if (f->next == f->n) {
			if (pop(w, err) < 0) return -1;
			continue;
		}
		const char *name = f->names + f->off[f->next++];
		size_t n = strlen(name);
		w->path[f->plen] = '/';
		memcpy(w->path + f->plen + 1, name, n);
		if (visit(w, f->fd, name, f->plen + 1 + n, 0) == 0) break;
	}
	*e = &w->e;
	return 1;
}
