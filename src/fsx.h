/*
 * fsx: file access for attacker-written stores.
 *
 * Contract:
 *  - Paths inside a store are relative to a store root fd and walked one
 *    component at a time with openat(O_NOFOLLOW): a symbolic link anywhere on
 *    the path is refused (EA_E_SYMLINK), never followed; "..", "." (except a
 *    leading "./"), empty and absolute components are refused (EA_E_BADNAME).
 *  - Files are opened O_NONBLOCK so a FIFO never blocks the open; anything
 *    that is not a regular file is refused (EA_E_NOTREG) before one byte is
 *    read.  The returned fd is a blocking, close-on-exec regular file.
 *  - Reads are bounded by the caller's limit (EA_E_TOOBIG past it).
 *  - Nothing here ever writes, except fsx_write_atomic and fsx_atomic_*
 *    (the report, its signature, the host baseline the user asks for).
 */
#ifndef EDGEAUDIT_FSX_H
#define EDGEAUDIT_FSX_H

#include <sys/stat.h>
#include <sys/types.h>

#include "util.h"

#define FSX_MAX_PATH 4096 /* the longest relative path walked */

/* Open a folder given by the user (following links in the user's own path
 * is allowed: it is the user's choice, not the store's). */
int fsx_open_root(const char *path, ea_error_t *err);

/* Check that `rel` is a clean relative path (see contract). */
int fsx_check_relpath(const char *rel, ea_error_t *err);

/* Open the folder `rel` below dirfd without following links. */
int fsx_open_dir_at(int dirfd, const char *rel, ea_error_t *err);

/* Open the regular file `rel` below dirfd; *st (optional) receives its stat. */
int fsx_open_file_at(int dirfd, const char *rel, struct stat *st, ea_error_t *err);

/* lstat `rel` below dirfd without following links (parents must not be links). */
int fsx_lstat_at(int dirfd, const char *rel, struct stat *st, ea_error_t *err);

/* The same two for many files of one folder looked up one after another
 * (a tar-split record lists a folder's files together): the parent folder,
 * opened as fsx_open_dir_at opens it, is kept open while the next path has
 * the same parent.  Same checks and results; a failure is redone by the
 * plain call, so its error is the plain call's.  The cache owns its fd. */
struct fsx_dircache {
	int fd;
	char path[FSX_MAX_PATH];
};
void fsx_dircache_init(struct fsx_dircache *c);
void fsx_dircache_free(struct fsx_dircache *c);
int fsx_open_file_cached(struct fsx_dircache *c, int dirfd, const char *rel, struct stat *st,
                         ea_error_t *err);
int fsx_lstat_cached(struct fsx_dircache *c, int dirfd, const char *rel, struct stat *st,
                     ea_error_t *err);

/* Read the whole regular file `rel` (at most `max` bytes; NUL-terminated). */
int fsx_read_file_at(int dirfd, const char *rel, size_t max, char **data, size_t *len,
                     ea_error_t *err);

/* Read all of fd (at most max bytes; NUL-terminated). */
int fsx_read_fd(int fd, size_t max, char **data, size_t *len, ea_error_t *err);

/* Read a small file the user named (config, key, report): non-blocking
 * open, regular files only, at most max bytes, NUL-terminated. */
int fsx_read_user_file(const char *path, size_t max, char **data, size_t *len, ea_error_t *err);

/* read() until n bytes, EOF or error; returns bytes read or -1. Retries EINTR. */
ssize_t fsx_read_full(int fd, void *buf, size_t n, ea_error_t *err);

/* Write data to `path` atomically: temp file in the same folder, fsync,
 * rename over path, fsync of the folder.  A crash at any point leaves the
 * old file whole or the new one complete. */
int fsx_write_atomic(const char *path, const void *data, size_t len, ea_error_t *err);

/* The same for a file written as a stream (the host baseline): open makes
 * the temp file beside path, write appends, commit syncs and renames it
 * over path and syncs the folder; abort (also after a failed write)
 * removes the temp file.  commit and abort release a. */
struct fsx_atomic {
	int fd;
	const char *path;
	char *tmp, *dir;
};
int fsx_atomic_open(const char *path, struct fsx_atomic *a, ea_error_t *err);
int fsx_atomic_write(struct fsx_atomic *a, const void *data, size_t len, ea_error_t *err);
int fsx_atomic_commit(struct fsx_atomic *a, ea_error_t *err);
void fsx_atomic_abort(struct fsx_atomic *a);

/* Human name of a file type ("fifo", "socket", ...). */
const char *fsx_type_name(mode_t m);

#endif
