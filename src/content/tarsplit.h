/*
 * tarsplit: verify a layer extracted on disk against its tar-split record
 * (vbatts/tar-split, as Docker/Moby and containers/storage keep it), going
 * further than the engines' own check.
 *
 * The tar-split file (gzip of JSON lines) holds the layer tar's raw header
 * bytes (type 2 "segment" entries) and, per member, its name, size and the
 * CRC-64/ISO of its content (type 1 "file" entries).  Reassembling segments
 * with file contents read from the layer folder reproduces the layer tar
 * exactly; its sha256 must be the layer's diffID.
 *
 * Contract:
 *  - One streaming pass with fixed buffers: the reassembled tar is hashed,
 *    never stored.  Files are opened below the layer folder without
 *    following links (a name with ".." or an absolute name is refused).
 *  - Findings are handed to `fn` with the member's path: a file whose
 *    content differs from its CRC (layer.file_modified), missing
 *    (layer.file_missing), whose type, mode, owner or size differ from its
 *    tar header (layer.file_attr_mismatch), and, when `check_added`, files on
 *    disk the layer does not list (layer.file_added).  overlay: whiteouts are
 *    0/0 character devices and opaque folders carry trusted.overlay.opaque.
 *  - A corrupt, truncated or oversized tar-split ends with -1 and
 *    EA_E_FORMAT / EA_E_TRUNCATED / EA_E_TOOBIG: nothing is called ok.
 */
#ifndef EDGEAUDIT_TARSPLIT_H
#define EDGEAUDIT_TARSPLIT_H

#include <stdint.h>

#include "blobsrc.h"
#include "digest.h"
#include "inflate.h"
#include "util.h"

struct tarsplit_opts {
	int overlay;        /* the layer folder is an overlay(2) "diff" folder */
	int check_added;    /* report files on disk the layer does not list */
	int whiteout_files; /* whiteouts are kept as ".wh." files (aufs form, fuse-overlayfs);
	                     * with neither this nor overlay the folder is a full tree (vfs),
	                     * where what a whiteout deletes must be absent */
	/* A tap on the reassembled tar, byte for byte as it is hashed (the
	 * package inventory reads its databases there); NULL: none. */
	int (*tap)(void *ctx, const void *data, size_t n);
	void *tap_ctx;
};

struct tarsplit_result {
	digest_t diffid; /* sha256 of the reassembled tar */
	uint64_t tar_size;
	unsigned long entries, files;
	unsigned long problems; /* findings handed to fn */
};

typedef void (*tarsplit_finding_fn)(void *ctx, const char *id, const char *path, const char *msg);

#define TARSPLIT_MAX_LINE     (4u << 20)
#define TARSPLIT_MAX_FINDINGS 200

int tarsplit_verify(int tarsplit_fd, int layer_dirfd, const struct tarsplit_opts *o,
                    tarsplit_finding_fn fn, void *ctx, struct tarsplit_result *res,
                    ea_error_t *err);

/* The same file-by-file checks driven by the layer's own tar (a blob
 * region, decompressed as `comp`) instead of a tar-split record: for stores
 * that keep the layer blob but no tar-split (containerd snapshots).  Each
 * regular file's content is compared byte for byte with the file on disk
 * (layer.file_modified); res->diffid is the sha256 of the decompressed tar. */
int tarsplit_compare_layer(const struct blob_region *reg, comp_t comp, int layer_dirfd,
                           const struct tarsplit_opts *o, tarsplit_finding_fn fn, void *ctx,
                           struct tarsplit_result *res, ea_error_t *err);

/* CRC-64 with the ISO polynomial, as Go's hash/crc64 (ISO table). */
uint64_t crc64_iso_update(uint64_t crc, const void *data, size_t n); /* crc starts at 0 */

#endif
