/*
 * osvsrc: the OSV records of one input of `vulndb build`: a JSON file, a
 * folder of them (searched 4 levels deep, names in byte order, links and
 * special files never followed), or a ZIP archive as osv.dev publishes
 * (<Ecosystem>/all.zip, stored or deflated entries).
 *
 * Contract: the input is hostile: the ZIP reader reads the central
 * directory (EOCD and ZIP64's), checks every offset and size against the
 * file, inflates an entry with zlib's raw inflate into at most
 * OSV_RECORD_MAX bytes and checks its size and CRC-32.  An entry or file
 * that cannot be read is handed to fn with its error (the caller names it,
 * the rest goes on); an archive whose directory cannot be read is an
 * error.  Memory: one record at a time.
 */
#ifndef EDGEAUDIT_OSVSRC_H
#define EDGEAUDIT_OSVSRC_H

#include <stddef.h>

#include "util.h"

#define OSVSRC_MAX_ENTRIES (4u << 20)

/* One record's bytes (buf, len), or rerr set when it could not be read.
 * name: "PATH" or "ARCHIVE!ENTRY".  A negative return stops the walk. */
typedef int (*osvsrc_fn)(void *ctx, const char *name, const char *buf, size_t len,
                         const ea_error_t *rerr);

int osvsrc_each(const char *path, osvsrc_fn fn, void *ctx, ea_error_t *err);

#endif
