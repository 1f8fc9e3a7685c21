/*
 * tar: a read-only index of a tar archive's members, for stores that come
 * as one file (oci-archive, docker-archive).  Members are read in place
 * with pread: nothing is unpacked.
 *
 * Contract: the archive is hostile, and the engines that load it read it
 * with Go's archive/tar (containerd, moby, containers/image).  So headers
 * are read exactly as Go reads them: format detection by magic (ustar/pax,
 * GNU, STAR, else V7), the ustar prefix only where Go takes it, PAX records
 * then a GNU long name over the header's name (the long name wins), sizes
 * of header-only types (links, devices, folders, FIFOs) taken as zero, both
 * the unsigned and the signed checksum, every numeric field Go parses
 * checked the way Go checks it.  Where Go would stop with an error, the
 * index stops (truncated, err says why): no consumer reads past it either.
 * Names are looked up after Go's path.Clean, through a hash table.
 *
 * Where the consumers could read the archive in two ways, the index says
 * so (ix->amb, ix->namb): two members whose names are equal after
 * path.Clean, a GNU long name and a PAX path that differ, a header whose
 * name reads differently when its prefix bytes are taken as ustar's, one
 * zero block followed by more headers, a GNU sparse member.  The callers
 * report each as archive.ambiguous: an ambiguity is a finding, never a
 * silently chosen reading.  Limits bound the member count, name lengths
 * and extended headers; the index polls ea_stop_requested().
 */
#ifndef EDGEAUDIT_TAR_H
#define EDGEAUDIT_TAR_H

#include <stdint.h>
#include <sys/types.h>

#include "blobsrc.h"
#include "util.h"

#define TAR_MAX_MEMBERS     200000
#define TAR_MAX_NAME        4096
#define TAR_MAX_PAX         (1u << 20) /* Go's maxSpecialFileSize */
#define TAR_MAX_AMBIGUITIES 64         /* recorded; namb counts them all */

typedef enum { TAR_FILE, TAR_DIR, TAR_LINK, TAR_SYMLINK, TAR_SPECIAL } tar_kind_t;

struct tar_member {
	char *name; /* Go's path.Clean of the name the engines read */
	tar_kind_t kind;
	uint64_t offset; /* of the content */
	uint64_t size;
	int unsafe_name;   /* absolute, or ".." in the name as written */
	char *link;        /* target of a symlink or hard link */
	int32_t next_same; /* next member with the same clean name, or -1 */
};

struct tar_ambiguity {
	uint64_t offset; /* of the header */
	char name[200];  /* the member it concerns (clean, cut) */
	char msg[240];
};

struct tar_index {
	int fd;
	uint64_t file_size;
	struct tar_member *m;
	size_t n, cap;
	int32_t *ht; /* open addressing: member index + 1 of the first of a name */
	size_t ht_cap;
	struct tar_ambiguity amb[TAR_MAX_AMBIGUITIES];
	size_t namb;   /* ambiguities found (more than recorded when over the cap) */
	int truncated; /* the index stopped at an error (see err) */
	ea_error_t err;
	char label[160]; /* the archive path, for "where" strings */
};

/* Index the archive at fd (not owned). Returns 0, or -1 when nothing could
 * be indexed; a later error sets ix->truncated and ix->err. */
int tar_index_open(struct tar_index *ix, int fd, const char *label, ea_error_t *err);
void tar_index_free(struct tar_index *ix);
/* The first member whose clean name equals path.Clean(name) (as
 * containers/image's docker-archive reader takes it), or NULL. */
const struct tar_member *tar_find(const struct tar_index *ix, const char *name);
/* A readable region for a member.  A symbolic link is followed once, inside
 * the archive only, as containers/image does (docker save links shared
 * layer.tar files to one copy): a link that leaves the archive, leads to
 * another link or dangles is EA_E_SYMLINK, and so is a hard link (no
 * consumer reads it as the file); special files are EA_E_NOTREG; absent is
 * EA_E_NOENT. */
int tar_member_region(const struct tar_index *ix, const char *name, struct blob_region *out,
                      ea_error_t *err);

/* Go's path.Clean into out (n >= strlen(in) + 2); returns out. */
char *tar_clean_path(const char *in, char *out, size_t n);

/* One 512-byte header's fields, as Go's archive/tar parses them (exposed
 * for unit tests and tarsplit). */
int tar_parse_number(const unsigned char *f, size_t n, uint64_t *out);
int tar_checksum_ok(const unsigned char h[512]);
/* The name a header holds as Go reads it: the name field, joined after
 * the prefix where Go takes one (ustar/pax: 155 bytes; STAR: 131; GNU: only
 * when its atime/ctime bytes do not parse, Go's pre-1.8 fallback; V7:
 * none).  PAX and GNU long names override it: that is the caller's. */
#define TAR_HEADER_NAME_MAX (155 + 1 + 100 + 1)
void tar_header_name(const unsigned char h[512], char out[TAR_HEADER_NAME_MAX]);

/* A blob source over an indexed archive holding an OCI layout at `prefix`
 * ("" or "some/dir/"). The index must outlive the source. */
void blobsrc_tar(struct blobsrc *s, const struct tar_index *ix, const char *prefix,
                 const char *label);

#endif
