/* fsx: see fsx.h. */
#include "fsx.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FSX_MAX_DEPTH 64

const char *fsx_type_name(mode_t m)
{
	if (S_ISREG(m)) return "regular file";
	if (S_ISDIR(m)) return "folder";
	if (S_ISLNK(m)) return "symbolic link";
	if (S_ISFIFO(m)) return "fifo";
	if (S_ISSOCK(m)) return "socket";
	if (S_ISCHR(m)) return "character device";
	if (S_ISBLK(m)) return "block device";
	return "unknown file type";
}

int fsx_open_root(const char *path, ea_error_t *err)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) return ea_fail_errno(err, errno, "cannot open folder %s", path);
	return fd;
}

int fsx_check_relpath(const char *rel, ea_error_t *err)
{
	size_t n = strlen(rel);
	if (n == 0 || n >= FSX_MAX_PATH)
		return ea_fail(err, EA_E_BADNAME, "empty or over-long path");
	if (rel[0] == '/') return ea_fail(err, EA_E_BADNAME, "absolute path '%.80s'", rel);
	const char *p = rel;
	if (p[0] == '.' && p[1] == '/') p += 2;
	int depth = 0;
	while (*p) {
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == 0 || (len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.'))
			return ea_fail(err, EA_E_BADNAME,
			               "path '%.80s' has an empty, '.' or '..' component", rel);
		if (++depth > FSX_MAX_DEPTH)
			return ea_fail(err, EA_E_BADNAME, "path '%.80s' is nested too deep", rel);
		p += len;
		if (*p == '/') p++;
	}
	return 0;
}

/* Walk all but the last component of rel; return an fd of the parent folder
 * and point *last at the last component. */
static int walk_parent(int dirfd, const char *rel, char *copy, const char **last, ea_error_t *err)
{
	if (fsx_check_relpath(rel, err) < 0) return -1;
	strcpy(copy, rel);
	char *p = copy;
	if (p[0] == '.' && p[1] == '/') p += 2;
	int cur = dup(dirfd);
	if (cur < 0) return ea_fail_errno(err, errno, "dup");
	for (;;) {
		char *slash = strchr(p, '/');
		if (!slash) break;
		*slash = '\0';
		int next = openat(cur, p,
		                  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
		int e = errno;
		if (next < 0) {
			struct stat st;
			if (fstatat(cur, p, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
				close(cur);
				return ea_fail(err, EA_E_SYMLINK,
				               "'%.80s' on the path of '%.80s' is a symbolic link",
				               p, rel);
			}
			close(cur);
			if (e == ENOTDIR)
				return ea_fail(err, EA_E_NOTREG,
				               "'%.80s' on the path of '%.80s' is not a folder", p,
				               rel);
			return ea_fail_errno(err, e, "cannot open '%.80s' on the path of '%.80s'",
			                     p, rel);
		}
		close(cur);
		cur = next;
		p = slash + 1;
	}
	*last = p;
	return cur;
}

int fsx_lstat_at(int dirfd, const char *rel, struct stat *st, ea_error_t *err)
{
	char copy[FSX_MAX_PATH];
	const char *last;
	int pfd = walk_parent(dirfd, rel, copy, &last, err);
	if (pfd < 0) return -1;
	int r = fstatat(pfd, last, st, AT_SYMLINK_NOFOLLOW);
	int e = errno;
	close(pfd);
	if (r < 0) return ea_fail_errno(err, e, "cannot stat '%.120s'", rel);
	return 0;
}

int fsx_open_dir_at(int dirfd, const char *rel, ea_error_t *err)
{
	char copy[FSX_MAX_PATH];
	const char *last;
	int pfd = walk_parent(dirfd, rel, copy, &last, err);
	if (pfd < 0) return -1;
	int fd = openat(pfd, last, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	int e = errno;
	if (fd < 0) {
		struct stat st;
		int islnk =
		        fstatat(pfd, last, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
		close(pfd);
		if (islnk) return ea_fail(err, EA_E_SYMLINK, "'%.120s' is a symbolic link", rel);
		if (e == ENOTDIR) return ea_fail(err, EA_E_NOTREG, "'%.120s' is not a folder", rel);
		return ea_fail_errno(err, e, "cannot open folder '%.120s'", rel);
	}
	close(pfd);
	return fd;
}

/* The file `last` in the folder pfd (rel: its path, for messages). */
static int open_file_in(int pfd, const char *last, const char *rel, struct stat *stp,
                        ea_error_t *err)
{
	struct stat st;
	/* Look before opening: opening a device can have side effects. */
	if (fstatat(pfd, last, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return ea_fail_errno(err, errno, "cannot open '%.120s'", rel);
	if (S_ISLNK(st.st_mode))
		return ea_fail(err, EA_E_SYMLINK, "'%.120s' is a symbolic link", rel);
	if (!S_ISREG(st.st_mode))
		return ea_fail(err, EA_E_NOTREG, "'%.120s' is a %s, not a regular file", rel,
		               fsx_type_name(st.st_mode));
	int fd = openat(pfd, last, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) return ea_fail_errno(err, errno, "cannot open '%.120s'", rel);
	/* It may have been swapped between the look and the open. */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ea_fail(err, EA_E_NOTREG, "'%.120s' changed type while being opened", rel);
	}
	/* Blocking reads again: of the flags F_SETFL sets, the open asked only
	 * for O_NONBLOCK, so 0 clears it (one call, no F_GETFL). */
	fcntl(fd, F_SETFL, 0);
	if (stp) *stp = st;
	return fd;
}

int fsx_open_file_at(int dirfd, const char *rel, struct stat *stp, ea_error_t *err)
{
	char copy[FSX_MAX_PATH];
	const char *last;
	int pfd = walk_parent(dirfd, rel, copy, &last, err);
	if (pfd < 0) return -1;
	int fd = open_file_in(pfd, last, rel, stp, err);
	close(pfd);
	return fd;
}

void fsx_dircache_init(struct fsx_dircache *c)
{
	c->fd = -1;
	c->path[0] = '\0';
}

void fsx_dircache_free(struct fsx_dircache *c)
{
	if (c->fd >= 0) close(c->fd);
	fsx_dircache_init(c);
}

/* The folder holding rel (opened as fsx_open_dir_at opens it, or the one
 * kept from the last call) and rel's last component; -1 when the fast
 * path does not apply or failed (the caller then makes the plain call). */
static int cached_parent(struct fsx_dircache *c, int dirfd, const char *rel, const char **last)
{
	if (fsx_check_relpath(rel, NULL) < 0) return -1;
	const char *p = rel;
	if (p[0] == '.' && p[1] == '/') p += 2;
	const char *slash = strrchr(p, '/');
	if (!slash) {
		*last = p;
		return *p ? dirfd : -1;
	}
	size_t n = (size_t)(slash - p);
	if (!slash[1] || n >= sizeof c->path) return -1;
	if (c->fd < 0 || strncmp(c->path, p, n) != 0 || c->path[n] != '\0') {
		fsx_dircache_free(c);
		memcpy(c->path, p, n);
		c->path[n] = '\0';
		c->fd = fsx_open_dir_at(dirfd, c->path, NULL);
		if (c->fd < 0) return -1;
	}
	*last = slash + 1;
	return c->fd;
}

int fsx_open_file_cached(struct fsx_dircache *c, int dirfd, const char *rel, struct stat *st,
                         ea_error_t *err)
{
	const char *last;
	int pfd = cached_parent(c, dirfd, rel, &last);
	if (pfd >= 0) {
		int fd = open_file_in(pfd, last, rel, st, NULL);
		if (fd >= 0) return fd;
	}
	return fsx_open_file_at(dirfd, rel, st, err); /* and its words for the failure */
}

int fsx_lstat_cached(struct fsx_dircache *c, int dirfd, const char *rel, struct stat *st,
                     ea_error_t *err)
{
	const char *last;
	int pfd = cached_parent(c, dirfd, rel, &last);
	if (pfd >= 0 && fstatat(pfd, last, st, AT_SYMLINK_NOFOLLOW) == 0) return 0;
	return fsx_lstat_at(dirfd, rel, st, err);
}

ssize_t fsx_read_full(int fd, void *buf, size_t n, ea_error_t *err)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);
		if (r < 0) {
			if (errno == EINTR) continue;
			return ea_fail_errno(err, errno, "read failed");
		}
		if (r == 0) break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int fsx_read_fd(int fd, size_t max, char **data, size_t *len, ea_error_t *err)
{
	ea_buf_t b;
	ea_buf_init(&b, max);
	char chunk[16384];
	for (;;) {
		ssize_t r = read(fd, chunk, sizeof chunk);
		if (r < 0) {
			if (errno == EINTR) continue;
			ea_buf_free(&b);
			return ea_fail_errno(err, errno, "read failed");
		}
		if (r == 0) break;
		if (ea_buf_append(&b, chunk, (size_t)r, err) < 0) {
			ea_buf_free(&b);
			return -1;
		}
	}
	if (!b.data) { b.data = xstrdup(""); }
	*data = b.data;
	*len = b.len;
	return 0;
}

int fsx_read_file_at(int dirfd, const char *rel, size_t max, char **data, size_t *len,
                     ea_error_t *err)
{
	struct stat st;
	cleanup_close int fd = fsx_open_file_at(dirfd, rel, &st, err);
	if (fd < 0) return -1;
	if ((uint64_t)st.st_size > max)
		return ea_fail(err, EA_E_TOOBIG, "'%.120s' is %lld bytes, over the %zu-byte limit",
		               rel, (long long)st.st_size, max);
	if (fsx_read_fd(fd, max, data, len, err) < 0) {
		size_t n = strlen(err->msg);
		snprintf(err->msg + n, sizeof err->msg - n, " ('%.80s')", rel);
		return -1;
	}
	return 0;
}

void fsx_atomic_abort(struct fsx_atomic *a)
{
	if (a->fd >= 0) close(a->fd);
	if (a->tmp) unlink(a->tmp);
	free(a->tmp);
	free(a->dir);
	*a = (struct fsx_atomic){.fd = -1};
}

int fsx_atomic_open(const char *path, struct fsx_atomic *a, ea_error_t *err)
{
	*a = (struct fsx_atomic){.fd = -1, .path = path};
	cleanup_free char *dcopy = xstrdup(path);
	cleanup_free char *bcopy = xstrdup(path);
	a->dir = xstrdup(dirname(dcopy));
	a->tmp = xasprintf("%s/.%s.tmp.XXXXXX", a->dir, basename(bcopy));
	a->fd = mkostemp(a->tmp, O_CLOEXEC);
	if (a->fd < 0) {
		int e = errno;
		free(a->tmp);
		a->tmp = NULL; /* nothing was made: nothing to remove */
		fsx_atomic_abort(a);
		return ea_fail_errno(err, e, "cannot create a temporary file beside %s", path);
	}
	return 0;
}

int fsx_atomic_write(struct fsx_atomic *a, const void *data, size_t len, ea_error_t *err)
{
	const char *p = data;
	size_t left = len;
	while (left > 0) {
		ssize_t w = write(a->fd, p, left);
		if (w < 0) {
			if (errno == EINTR) continue;
			return ea_fail_errno(err, errno, "cannot write %s", a->tmp);
		}
		p += w;
		left -= (size_t)w;
	}
	return 0;
}

int fsx_atomic_commit(struct fsx_atomic *a, ea_error_t *err)
{
	if (fchmod(a->fd, 0644) < 0 || fsync(a->fd) < 0) {
		ea_fail_errno(err, errno, "cannot sync %s", a->tmp);
		fsx_atomic_abort(a);
		return -1;
	}
	if (rename(a->tmp, a->path) < 0) {
		ea_fail_errno(err, errno, "cannot rename %s to %s", a->tmp, a->path);
		fsx_atomic_abort(a);
		return -1;
	}
	free(a->tmp);
	a->tmp = NULL; /* renamed: no longer ours to remove */
	cleanup_close int dfd = open(a->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = dfd < 0 || fsync(dfd) < 0
	                 ? ea_fail_errno(err, errno, "cannot sync folder %s", a->dir)
	                 : 0;
	fsx_atomic_abort(a);
	return rc;
}

int fsx_write_atomic(const char *path, const void *data, size_t len, ea_error_t *err)
{
	struct fsx_atomic a;
	if (fsx_atomic_open(path, &a, err) < 0) return -1;
	if (fsx_atomic_write(&a, data, len, err) < 0) {
		fsx_atomic_abort(&a);
		return -1;
	}
	return fsx_atomic_commit(&a, err);
}

int fsx_read_user_file(const char *path, size_t max, char **data, size_t *len, ea_error_t *err)
{
	/* Non-blocking open: a FIFO put where a key or config belongs must not
	 * hold a boot up; it is refused below, before any read. */
	cleanup_close int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) return ea_fail_errno(err, errno, "%s", path);
	struct stat st;
	if (fstat(fd, &st) < 0) return ea_fail_errno(err, errno, "%s", path);
	if (!S_ISREG(st.st_mode))
		return ea_fail(err, EA_E_NOTREG, "%s: not a regular file (a %s)", path,
		               fsx_type_name(st.st_mode));
	if ((uint64_t)st.st_size > max)
		return ea_fail(err, EA_E_TOOBIG, "%s: larger than %zu bytes", path, max);
	if (fsx_read_fd(fd, max, data, len, err) < 0) {
		char m[sizeof err->msg];
		snprintf(m, sizeof m, "%s", err->msg);
		return ea_fail(err, err->code, "%s: %s", path, m);
	}
	return 0;
}
