/*
 * hashpipe: the hashing of one blob's two streams (its bytes and, for a
 * layer, its decompressed content) on a second thread, fed through a ring
 * of fixed buffers, so that reading and decompressing on the caller's
 * thread and hashing on the helper run on two cores at once.
 *
 * Contract:
 *  - Memory is fixed: HASHPIPE_SLOTS buffers of HASHPIPE_SLOT bytes (2 MiB)
 *    and one thread, whatever the blob's size.
 *  - Each stream is hashed in the order it was put: the digests are the
 *    ones hashing inline would give.
 *  - hashpipe_put only waits while the ring is full (the helper hashes a
 *    slot in well under a millisecond): callers keep polling their stop as
 *    before, and hashpipe_end drains and joins.
 *  - Threads are lent by a process-wide budget (--jobs): a helper is taken
 *    only while fewer threads than the budget are busy, so N blobs on N
 *    workers never get helpers; one big blob left on an idle pool does.
 */
#ifndef EDGEAUDIT_HASHPIPE_H
#define EDGEAUDIT_HASHPIPE_H

#include <stddef.h>

#include "digest.h"

#define HASHPIPE_SLOTS 8
#define HASHPIPE_SLOT  (256 * 1024)

typedef enum { HASHPIPE_BLOB = 0, HASHPIPE_CONTENT = 1 } hashpipe_stream_t;

struct hashpipe;

/* The budget: jobs threads in all (0: no helpers).  Workers say when they
 * start and stop taking work. */
void hashpipe_budget_set(int jobs);
void hashpipe_worker_enter(void);
void hashpipe_worker_leave(void);

/* A helper hashing into blob_h and content_h (the caller's, untouched by it
 * until hashpipe_end returns), or NULL when the budget lends no thread or
 * the thread cannot start (the caller then hashes inline). */
struct hashpipe *hashpipe_start(hasher_t *blob_h, hasher_t *content_h);
void hashpipe_put(struct hashpipe *p, hashpipe_stream_t s, const void *data, size_t n);
/* Everything put is hashed when it returns; the thread goes back to the budget. */
void hashpipe_end(struct hashpipe *p);

#endif
