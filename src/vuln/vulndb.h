/*
 * vulndb: edgeaudit's compiled vulnerability database: OSV records in, one
 * compact sorted file out (`edgeaudit vulndb build`), read on the box with
 * pread lookups in a few KiB of memory whatever its size.
 *
 * File format 1 (little-endian; every offset from the file's start):
 *
 *   header (128 bytes)
 *     0 "EAVULNDB"  8 u32 format (1)  12 u32 header size (128)
 *    16 u64 built (Unix s)  24 u64 newest record's `modified` (Unix s)
 *    32 u32 npkgs  36 u32 naff  40 u32 nadv  44 u32 npool  48 u32 strsize
 *    52 u32 off_pkgs  56 off_aff  60 off_adv  64 off_pool  68 off_str
 *    72 u32 records read  76 withdrawn  80 malformed  84 out of scope
 *    88 u32 records whose id was seen before  92..127 zero
 *   packages   npkgs x {u32 ecosystem, u32 name, u32 first aff, u32 count}
 *              sorted by (ecosystem, name) in byte order, unique
 *   affected   naff x {u32 advisory, u32 ranges, u32 versions, u32 severity}
 *              grouped by package; severity = level | score10 << 8 | src << 16
 *   advisories nadv x {u32 id, u32 links, u32 modified (Unix s), u32 0}
 *   pool       npool u32 lists, index 0 the empty list:
 *              ranges   [n, then per range: nev, nev x (kind << 30 | string)]
 *                       kind 1 introduced, 2 fixed, 3 last_affected, 0 limit
 *              versions [n, n x string]
 *              links    [naliases, nrelated, then the strings]
 *   strings    NUL-terminated, deduplicated; offset 0 is ""
 *
 * The sections follow each other exactly and the file ends with the
 * strings: anything else is refused.  Withdrawn records are left out at
 * build time (counted); a record that cannot be read is left out and named
 * (counted as malformed); an id seen in several records (osv.dev's Debian
 * and Alpine exports each hold a copy of the records naming both) keeps,
 * per (ecosystem, package), the entries of the newest copy naming that
 * package, under the newest copy's ids.
 *
 * Trust: FILE.sig beside it is the project's one detached signature
 * (report_sign.h: base64 DER ECDSA P-256 over SHA-256 of the file's bytes).
 * vulndb_open verifies it before reading anything else, and every offset
 * and count is checked anyway (a signed file is still read as hostile).
 * vulndb_unchanged hashes the file again: a file swapped during the scan is
 * refused too.
 *
 * Memory: the build holds the compact tables (tens of MiB for osv.dev's
 * Debian + Alpine exports; it runs on the vendor's machine); the reader
 * holds the header and one record's lists at a time.
 */
#ifndef EDGEAUDIT_VULNDB_H
#define EDGEAUDIT_VULNDB_H

#include <stddef.h>
#include <stdint.h>

#include "cvss.h"
#include "osv.h"
#include "util.h"

#define VULNDB_MAGIC        "EAVULNDB"
#define VULNDB_FORMAT       1u
#define VULNDB_HEADER       128u
#define VULNDB_MAX_EVENTS   4096u      /* events of a range, ranges of an entry */
#define VULNDB_MAX_VERSIONS 65536u     /* explicit versions of an entry */
#define VULNDB_ENTRY_MAX    (2u << 20) /* bytes of one entry's strings read back */

struct vulndb_header {
	uint32_t format;
	uint64_t built, newest;
	uint32_t npkgs, naff, nadv, npool, strsize;
	uint32_t off_pkgs, off_aff, off_adv, off_pool, off_str;
	uint32_t records, withdrawn, malformed, out_of_scope, duplicates;
};

/* ---------------------------------------------------------------- build */

struct vulndb_builder;
/* ecosystems: keep only these ("Debian" keeps every "Debian:N"; "Debian:12"
 * only that one); n 0: all.  built: the time written as the build date. */
struct vulndb_builder *vulndb_builder_new(const char *const *ecosystems, size_t n, int64_t built);
/* A record that could not be read or is malformed: name and why. */
typedef void (*vulndb_diag_fn)(void *ctx, const char *name, const char *why);
/* Add every record of one input (osvsrc.h).  -1 only when the input itself
 * cannot be read (err); bad records go to diag and are counted. */
int vulndb_builder_add(struct vulndb_builder *b, const char *path, vulndb_diag_fn diag, void *ctx,
                       ea_error_t *err);
/* Add one record's bytes (tests, fuzzing); a malformed one goes to diag. */
void vulndb_builder_add_record(struct vulndb_builder *b, const char *name, const char *buf,
                               size_t len, vulndb_diag_fn diag, void *ctx);
/* The file's bytes (caller frees) and its header. */
int vulndb_builder_finish(struct vulndb_builder *b, char **out, size_t *len,
                          struct vulndb_header *h, ea_error_t *err);
void vulndb_builder_free(struct vulndb_builder *b);

/* ----------------------------------------------------------------- read */

struct vulndb;
/* Open path; pub_pem (EC public key PEM) NULL means "do not check the
 * signature" (vulndb info on the build machine; never the audit).
 * Errors: EA_E_MISMATCH bad signature, EA_E_NOENT no FILE.sig,
 * EA_E_FORMAT a malformed file.  fpr (72 bytes, optional): the key's. */
int vulndb_open(const char *path, const char *pub_pem, struct vulndb **db, char fpr[72],
                ea_error_t *err);
/* The same over a file already in memory, unsigned (tests, fuzzing). */
int vulndb_open_mem(const void *data, size_t len, struct vulndb **db, ea_error_t *err);
const struct vulndb_header *vulndb_header(const struct vulndb *db);
/* 0 when the file still hashes to what was verified at open (EA_E_MISMATCH if not). */
int vulndb_unchanged(struct vulndb *db, ea_error_t *err);
void vulndb_close(struct vulndb *db);

/* One affected entry of a package, read back. */
struct vulndb_aff {
	uint32_t adv;
	struct severity sev;
	struct osv_range *ranges;
	size_t nranges;
	const char **versions; /* explicit versions */
	size_t nversions;
	char *mem; /* what the above point into (vulndb_aff_clear) */
};
void vulndb_aff_clear(struct vulndb_aff *a);

/* The affected entries of (ecosystem, name): *first and *count (0 none). */
int vulndb_find(struct vulndb *db, const char *ecosystem, const char *name, uint32_t *first,
                uint32_t *count, ea_error_t *err);
int vulndb_read_aff(struct vulndb *db, uint32_t i, struct vulndb_aff *a, ea_error_t *err);
/* Advisory i: its id and links (aliases first, then related), as strings
 * in *mem (caller frees *mem; ids[] points into it). */
struct vulndb_adv {
	const char *id;
	const char **links;
	size_t naliases, nlinks;
	char *mem;
};
int vulndb_read_adv(struct vulndb *db, uint32_t i, struct vulndb_adv *a, ea_error_t *err);
void vulndb_adv_clear(struct vulndb_adv *a);

#endif
