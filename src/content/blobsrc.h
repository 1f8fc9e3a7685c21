/*
 * blobsrc: where a store keeps its content-addressed blobs, behind one
 * interface, so that one verifier (oci.c) and the signature checks (sig*.c)
 * serve every store: an OCI layout folder, a tar archive's members, the
 * containerd content store, containers/storage big-data files.
 *
 * Contract:
 *  - blobsrc_open() finds the blob named by digest d and returns a bounded
 *    region (fd, offset, size) to read with pread.  It does NOT verify the
 *    content: callers hash what they read (blobsrc_read_verified does).
 *  - Not found is EA_E_NOENT; a link, FIFO or device where the blob should
 *    be is EA_E_SYMLINK / EA_E_NOTREG; never followed, never blocked on.
 *  - Sources are read-only and safe to use from several threads (pread).
 */
#ifndef EDGEAUDIT_BLOBSRC_H
#define EDGEAUDIT_BLOBSRC_H

#include <stdint.h>
#include <sys/types.h>

#include "digest.h"
#include "util.h"

struct blob_region {
	int fd; /* owned by the region when owns_fd */
	int owns_fd;
	off_t offset;    /* where the blob starts in fd */
	uint64_t size;   /* its length */
	char where[160]; /* a path for findings: "blobs/sha256/<hex>" or "img.tar:blobs/..." */
};

struct blobsrc;
struct blobsrc_ops {
	int (*open)(struct blobsrc *s, const digest_t *d, struct blob_region *out, ea_error_t *err);
	void (*close)(struct blobsrc *s);
};

struct blobsrc {
	const struct blobsrc_ops *ops;
	void *priv;
	char label[256]; /* "oci:/path" for the report */
};

static inline int blobsrc_open(struct blobsrc *s, const digest_t *d, struct blob_region *out,
                               ea_error_t *err)
{
	return s->ops->open(s, d, out, err);
}
void blob_region_close(struct blob_region *r);

/* Read a whole blob (at most max bytes) and check it against d: returns
 * EA_E_MISMATCH if the content does not hash to d, EA_E_TOOBIG past max.
 * The result is NUL-terminated; caller frees. */
int blobsrc_read_verified(struct blobsrc *s, const digest_t *d, size_t max, char **data,
                          size_t *len, ea_error_t *err);

/* The region of a whole regular file rel below dirfd, opened as the
 * contract above says (no link followed, no FIFO blocked on); rel is also
 * its `where`.  For the readers of folder stores. */
int blob_region_open_file(int dirfd, const char *rel, struct blob_region *out, ea_error_t *err);

/* Read len bytes at off of a region (pread, EINTR-safe); short read = EA_E_TRUNCATED. */
int blob_region_pread(const struct blob_region *r, void *buf, size_t len, uint64_t off,
                      ea_error_t *err);

static inline void blobsrc_close(struct blobsrc *s)
{
	if (s->ops && s->ops->close) s->ops->close(s);
}

/* OCI image layout folder: blobs at blobs/<alg>/<hex> below root_fd (dup'ed). */
int blobsrc_oci_dir(struct blobsrc *s, int root_fd, const char *label, ea_error_t *err);

#endif
