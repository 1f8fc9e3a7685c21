/*
 * tar: a read-only index of a tar archive's members (ustar, GNU long names,
 * pax path/size records), for stores that come as one file (oci-archive,
 * docker-archive).  Members are read in place with pread: nothing is
 * unpacked.
 *
 * Contract: the archive is hostile.  Header checksums are checked; sizes
 * (octal or base-256) must fit in the file; pax records are bounded; a
 * truncated or invalid header ends the index with an error (the members
 * before it stay usable).  Names are kept as written (after a leading "./")
 * and flagged unsafe when absolute or holding "..".  Limits bound the
 * member count and name lengths.
 */
#ifndef EDGEAUDIT_TAR_H
#define EDGEAUDIT_TAR_H

#include <stdint.h>
#include <sys/types.h>

#include "blobsrc.h"
#include "util.h"

#define TAR_MAX_MEMBERS 200000
#define TAR_MAX_NAME 4096
#define TAR_MAX_PAX (1u << 20)

typedef enum { TAR_FILE, TAR_DIR, TAR_LINK, TAR_SYMLINK, TAR_SPECIAL } tar_kind_t;

struct tar_member {
	char *name;
	tar_kind_t kind;
	uint64_t offset; /* of the content */
	uint64_t size;
	int unsafe_name; /* absolute or ".." */
	char *link;      /* target of a symlink or hard link */
};

struct tar_index {
	int fd;
	uint64_t file_size;
	struct tar_member *m;
	size_t n, cap;
	int truncated;     /* the index stopped at an error (see err) */
	ea_error_t err;
	char label[160];   /* the archive path, for "where" strings */
};

/* Index the archive at fd (not owned). Returns 0, or -1 when nothing could
 * be indexed; a later error sets ix->truncated and ix->err. */
int tar_index_open(struct tar_index *ix, int fd, const char *label, ea_error_t *err);
void tar_index_free(struct tar_index *ix);
/* Last member with this name (after a leading "./"), or NULL. */
const struct tar_member *tar_find(const struct tar_index *ix, const char *name);
/* A readable region for a member.  Links are resolved inside the archive
 * only (docker save links shared layer.tar files to one copy): a link that
 * leaves the archive (absolute, or ".." above its root), loops or dangles is
 * EA_E_SYMLINK; special files are EA_E_NOTREG; absent is EA_E_NOENT. */
int tar_member_region(const struct tar_index *ix, const char *name, struct blob_region *out, ea_error_t *err);

/* Parse one 512-byte header field helpers (exposed for unit tests). */
int tar_parse_number(const unsigned char *f, size_t n, uint64_t *out);
int tar_checksum_ok(const unsigned char h[512]);
/* The name a header holds: ustar's prefix "/" name when the magic says
 * ustar and the prefix is set, else the name field (NUL-terminated, at
 * most TAR_HEADER_NAME_MAX - 1 bytes).  PAX and GNU long names override it:
 * that is the caller's. */
#define TAR_HEADER_NAME_MAX (155 + 1 + 100 + 1)
void tar_header_name(const unsigned char h[512], char out[TAR_HEADER_NAME_MAX]);

/* A blob source over an indexed archive holding an OCI layout at `prefix`
 * ("" or "some/dir/"). The index must outlive the source. */
void blobsrc_tar(struct blobsrc *s, const struct tar_index *ix, const char *prefix, const char *label);

#endif
