/*
 * layerdb: the package databases of a root, kept while a layer's tar
 * stream goes by (no second pass over a blob), and the layers of an image
 * applied in order into its inventory.
 *
 * Contract:
 *  - layerdb_tap_* reads the uncompressed layer tar as a stream (any chunk
 *    sizes) with Go's archive/tar header rules (tar.h's header helpers: the
 *    ustar prefix, GNU long names, PAX paths) and keeps only what matters
 *    for the inventory: the database and release files (pkgdb_classify),
 *    parsed as they stream (pkgdb.h; nothing is buffered whole), symbolic
 *    links at those paths, and whiteouts (".wh.NAME") and opaque folders
 *    (".wh..wh..opq") on their way.  A tar stream it cannot follow, or a
 *    database over LAYERDB_MAX_FILE bytes, is recorded as a problem of the
 *    layer (never a shorter list in silence).
 *  - A layer's result (struct layer_pkgs) depends on its content only: the
 *    callers keep one per layer blob or diffID and fold it into every image
 *    that has the layer (layerdb_fold, base layer first): whiteouts and
 *    opaque folders of a layer hide the lower layers' files, a file replaces
 *    the one below.
 *  - layerdb_read_root reads the same files from a folder (the host, an
 *    extracted root) without following links out of it.
 */
#ifndef EDGEAUDIT_LAYERDB_H
#define EDGEAUDIT_LAYERDB_H

#include <stddef.h>
#include <stdint.h>

#include "inventory.h"
#include "pkgdb.h"

#define LAYERDB_MAX_FILE    (64ull << 20) /* bytes of one database file */
#define LAYERDB_MAX_ENTRIES 20000         /* kept entries of one layer */
#define LAYERDB_MAX_PKGS    100000        /* packages of one file */

typedef enum { LE_FILE = 1, LE_SYMLINK, LE_WHITEOUT, LE_OPAQUE, LE_OTHER } le_type_t;

struct layer_entry {
	char *path; /* in the root, clean, no leading "/" */
	le_type_t type;
	dbfile_t db;
	char *link;             /* LE_SYMLINK: its target */
	struct inventory *inv;  /* LE_FILE: what it holds (packages or distro) */
	char *problem;          /* LE_FILE / LE_OTHER: why it is not whole; NULL: none */
	const char *problem_id; /* "pkg.db_malformed" or "pkg.db_too_large" */
};

struct layer_pkgs {
	struct layer_entry *e;
	size_t n, cap;
	char *problem; /* the layer's tar stream could not be followed: NULL, or why */
};

void layer_pkgs_free(struct layer_pkgs *lp);

/* The streaming tap of one layer. */
struct layerdb_tap;
struct layerdb_tap *layerdb_tap_new(void);
/* Bytes of the uncompressed layer tar, in order.  Always 0 (a tar the tap
 * cannot follow is recorded, and the rest ignored). */
int layerdb_tap_feed(void *tap, const void *data, size_t n);
/* The end of the stream: the layer's result (the caller owns it), the tap
 * freed.  complete: the whole layer went by; callers drop the result of a
 * layer read in part (its image's inventory is then INV_UNREAD).  A stream
 * that ends inside a database file leaves that file's problem either way;
 * one that ends elsewhere (no padding after the last member, as umoci
 * writes) hides nothing an engine would extract. */
struct layer_pkgs *layerdb_tap_finish(struct layerdb_tap *t, int complete);

/* The inventory of the root made by layers[0..n) applied in order; a NULL
 * layer is one that could not be read (the inventory is INV_UNREAD).
 * labels[i] names layer i in problems (e.g. its digest; may be NULL). */
struct inventory *layerdb_fold(struct layer_pkgs *const *layers, const char *const *labels, int n);

/* The inventory of a folder (the host root): the same files, read through
 * fsx (no link followed out of it); NULL only on out of memory. */
struct inventory *layerdb_read_root(int rootfd);

#endif
