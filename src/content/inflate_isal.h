/*
 * inflate_isal: gzip through ISA-L's raw inflate (x86_64, aarch64), for
 * inflate.c only.  The gzip wrapper (header, CRC-32, length) is read here
 * byte by byte exactly as zlib reads it, with zlib's messages, so the two
 * engines give the same answers; ISA-L decodes the deflate body (patched to
 * refuse the incomplete codes zlib refuses: third_party/isal-zlib-answers.patch).
 *
 * Contract: as inflate.h's gzip; memory is one fixed ISA-L state (~80 KiB)
 * per stream, allocated at start and released at end.  Without
 * EDGEAUDIT_ISAL (armv7) the start fails with EA_E_UNSUPPORTED.
 */
#ifndef EDGEAUDIT_INFLATE_ISAL_H
#define EDGEAUDIT_INFLATE_ISAL_H

#include "inflate.h"

int isal_gz_available(void);
int isal_gz_start(inflater_t *z, ea_error_t *err);
int isal_gz_feed(inflater_t *z, const unsigned char *in, size_t n, inflate_sink_fn sink, void *ctx,
                 ea_error_t *err);
void isal_gz_end(inflater_t *z);

/* Shared with inflate.c (defined there). */
/* Count n bytes of z->out against the limits, then hand them to the sink. */
int inflater_emit(inflater_t *z, size_t n, inflate_sink_fn sink, void *ctx, ea_error_t *err);
/* After a complete member: another member must start here (its magic), or
 * it is trailing data (EA_E_FORMAT, z->trailing set). */
int inflater_gzip_next_member(inflater_t *z, const unsigned char *in, size_t n, ea_error_t *err);

#endif
