/*
 * baseline: the host baseline's file (`edgeaudit baseline create`, read by
 * `audit --baseline`): what a tree held, one line per entry, in path order,
 * so that it is written and compared as a stream.
 *
 * Format (ASCII text, every line ends with "\n"):
 *
 *   edgeaudit-baseline 1
 *   root ROOT            the folder the entry paths are below
 *   path PATH            a start of the walk (repeated; "/": the whole root)
 *   exclude GLOB         fnmatch(3) over entry paths, not entered (repeated)
 *   created TIME         UTC, informative
 *   entries
 *   PATH TYPE MODE UID GID SIZE CONTENT CAPS       (one line per entry)
 *   end COUNT
 *
 * PATH is "/" and the path below ROOT ("/usr/bin/ls"); TYPE one of f (regular
 * file), d, l, p (FIFO), s, c, b; MODE the permission bits in 4 octal
 * digits (setuid, setgid and sticky included); SIZE a regular file's bytes,
 * a device's "MAJOR,MINOR", else "-"; CONTENT a regular file's SHA-256 (64
 * hex digits, "?" when it could not be read), a link's target, else "-";
 * CAPS the security.capability attribute in hex ("-" none, "?" unreadable).
 * ROOT, PATH, GLOB and link targets escape every byte up to 0x20, from 0x7f,
 * and "\" as \xHH, so a line splits at its spaces.
 *
 * Order ("path order", bl_path_cmp): component by component in byte order,
 * so "/" sorts before every other byte: the order a depth-first walk that
 * sorts each folder's names gives, which is what lets `audit` compare the
 * tree and the file in one merge pass.  Each path appears once.
 *
 * Contract: the reader trusts nothing (the signature is checked first, by
 * the caller, and this is read anyway as if hostile): lines are bounded, a
 * malformed line, a path out of order, a missing "end", a count that
 * disagrees or bytes after it are EA_E_FORMAT naming the line.  Reading and
 * writing are streamed: memory is one line and the previous path, whatever
 * the number of entries.
 */
#ifndef EDGEAUDIT_BASELINE_H
#define EDGEAUDIT_BASELINE_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define BL_MAGIC       "edgeaudit-baseline 1"
#define BL_PATH_MAX    (16u << 10) /* bytes of a path below the root */
#define BL_TARGET_MAX  4096        /* a link target (PATH_MAX) */
#define BL_CAPS_MAX    64          /* security.capability (v3: 24 bytes) */
#define BL_MAX_STARTS  64
#define BL_MAX_EXCLUDE 64
#define BL_LINE_MAX    (4 * (BL_PATH_MAX + BL_TARGET_MAX) + 512)

/* What a baseline covers: written in its header, walked again by audit. */
struct bl_spec {
	char *root;
	char *paths[BL_MAX_STARTS]; /* normalised "/a/b", path order, none nested */
	int npaths;
	char *excludes[BL_MAX_EXCLUDE];
	int nexcludes;
	char *created;
};

enum { BL_CAPS_NONE = 0, BL_CAPS_SET = 1, BL_CAPS_UNKNOWN = -1 };

struct bl_entry {
	const char *path; /* "/usr/bin/ls", NUL-terminated; the producer's buffer */
	size_t path_len;
	char type; /* f d l p s c b */
	unsigned mode, uid, gid;
	uint64_t size; /* f */
	unsigned dev_major, dev_minor;
	int hashed; /* f: 1 when sha256 is the content's */
	unsigned char sha256[32];
	char target[BL_TARGET_MAX + 1]; /* l */
	size_t target_len;
	int caps_state; /* BL_CAPS_* */
	unsigned char caps[BL_CAPS_MAX];
	size_t caps_len;
	/* The walk's notes about the tree (treewalk.h); never written. */
	int elf;           /* f: the content starts with \x7fELF */
	int unlisted;      /* d: its entries were not walked (problem says why) */
	char problem[160]; /* non-empty: what could not be read of it */
};

/* Path order (see above): <0, 0, >0 like strcmp. */
int bl_path_cmp(const char *a, const char *b);
/* 1 if path is below folder (a descendant, not folder itself). */
int bl_path_below(const char *path, const char *folder);

/* Spec building (baseline create): add a start ("usr/bin/", "/usr//bin"
 * -> "/usr/bin"; EA_E_BADNAME for "." and ".." components), an exclude,
 * then finish: sorted, nested starts dropped, "/" when none was given. */
int bl_spec_add_path(struct bl_spec *s, const char *path, ea_error_t *err);
int bl_spec_add_exclude(struct bl_spec *s, const char *glob, ea_error_t *err);
void bl_spec_finish(struct bl_spec *s);
/* 1 if path matches one of the spec's excludes. */
int bl_spec_excluded(const struct bl_spec *s, const char *path);
void bl_spec_free(struct bl_spec *s);

/* The format's escaping of n bytes into out (4n + 1 bytes): also how the
 * report names a host file, so that odd names stay one ASCII word. */
size_t bl_escape(const char *in, size_t n, char *out);

/* Escape or read back one entry line (line: at least BL_LINE_MAX bytes). */
size_t bl_format_entry(const struct bl_entry *e, char *line);
/* Parse line (NUL-terminated, without "\n") into e, its path into path
 * (BL_PATH_MAX + 1 bytes).  EA_E_FORMAT on anything malformed. */
int bl_parse_entry(char *line, struct bl_entry *e, char *path, ea_error_t *err);

/* Writing: a temp file beside `out`, renamed over it by commit (fsx.h's
 * atomic write, streamed); sha256 receives the digest of the bytes written
 * (what the signature signs). */
struct bl_writer;
int bl_writer_open(const char *out, const struct bl_spec *s, struct bl_writer **w, ea_error_t *err);
int bl_writer_add(struct bl_writer *w, const struct bl_entry *e, ea_error_t *err);
/* Ends the file ("end COUNT"), commits it and frees w (also on error). */
int bl_writer_commit(struct bl_writer *w, unsigned char sha256[32], uint64_t *entries,
                     uint64_t *bytes, ea_error_t *err);
void bl_writer_abort(struct bl_writer *w);

/* Reading from fd (a regular file, read from its current offset): the
 * header into *s (caller frees with bl_spec_free), then one entry per
 * bl_reader_next: 1 an entry (valid until the next call), 0 the end (after
 * "end COUNT" checked and EOF), -1 err.  bl_reader_digest: SHA-256 of every
 * byte read so far (after 0: of the whole file). */
struct bl_reader;
int bl_reader_open(int fd, struct bl_spec *s, struct bl_reader **rd, ea_error_t *err);
int bl_reader_next(struct bl_reader *rd, const struct bl_entry **e, ea_error_t *err);
void bl_reader_digest(struct bl_reader *rd, unsigned char sha256[32]);
uint64_t bl_reader_count(const struct bl_reader *rd);
void bl_reader_free(struct bl_reader *rd);

#endif
