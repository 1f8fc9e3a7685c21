/*
 * treewalk: the tree a baseline covers (baseline.h's spec), walked one entry
 * at a time in the baseline's path order, so that `baseline create` writes
 * it as a stream and `audit --baseline` merges it with the file.
 *
 * Contract:
 *  - Order: each start of the spec in turn, then depth first, each folder's
 *    names sorted in byte order: bl_path_cmp order.
 *  - Nothing is followed, nothing blocks: every open is openat() one
 *    component at a time with O_NOFOLLOW and O_NONBLOCK; a link is read with
 *    readlinkat(); FIFOs, sockets and devices are only stat'ed, never
 *    opened; a regular file is opened, checked to be the inode stat'ed and
 *    hashed (SHA-256); its security.capability is read from that same open
 *    file (fgetxattr: the inode that was hashed, no path, no link).
 *  - One filesystem: a folder on another device than its start is recorded
 *    but not entered (name it as a start of its own to walk it).
 *  - Excluded paths (fnmatch over the entry path) are neither returned nor
 *    entered.
 *  - Memory: the names of each folder on the way down (depth x widest
 *    folder), never the number of files; open fds: the folders of the first
 *    TW_KEEP_FDS levels, below that only the current one (a parent is
 *    reopened through ".." and checked by device and inode).
 *  - What cannot be read of one entry (permissions, vanished, too deep, a
 *    path too long) is in e->problem, and walking goes on; -1 only when the
 *    walk cannot go on (a folder moved under it), or, with TW_STRICT, a
 *    start that cannot be reached (baseline create: a usage error).
 */
#ifndef EDGEAUDIT_TREEWALK_H
#define EDGEAUDIT_TREEWALK_H

#include "baseline.h"

#define TW_KEEP_FDS  128
#define TW_MAX_DEPTH 4096

enum { TW_STRICT = 1 };

struct treewalk;

/* Open spec->root (a user path: links in it are the user's) and get ready. */
int tw_open(const struct bl_spec *spec, unsigned flags, struct treewalk **w, ea_error_t *err);
/* The next entry: 1 (*e valid until the next call), 0 the end, -1 err. */
int tw_next(struct treewalk *w, struct bl_entry **e, ea_error_t *err);
void tw_free(struct treewalk *w);

#endif
