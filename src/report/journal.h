/*
 * journal: a client of systemd-journald's native protocol, without
 * libsystemd (--log journald).
 *
 * Contract: an entry is built in a fixed buffer, one field at a time, by
 * journal_field.  A value without a newline is written "KEY=value\n"; a
 * value with one in the protocol's binary form: "KEY\n", the value's length
 * as an unaligned 64-bit little-endian integer, the value's bytes, "\n".
 * Values are bytes (any but NUL survive as they are).  A key must be 1 to 64
 * of A-Z, 0-9 and '_', not starting with '_' (journald's trusted fields).
 * A field that does not fit or has a bad key is left out whole and the
 * entry remembers it; journal_send then refuses the entry (an error value),
 * never sends a partial one.  journal_send sends an entry as one datagram
 * on a socket from journal_connect, never blocking (MSG_DONTWAIT): a
 * missing, refusing or full journal is an error value, never a wait.
 * Entries are at most JOURNAL_ENTRY_MAX bytes, far under a datagram's
 * limit, so the protocol's memfd form is not needed.
 */
#ifndef EDGEAUDIT_JOURNAL_H
#define EDGEAUDIT_JOURNAL_H

#include <stddef.h>

#include "util.h"

#define JOURNAL_SOCKET    "/run/systemd/journal/socket"
#define JOURNAL_ENTRY_MAX 8192
#define JOURNAL_KEY_MAX   64

struct journal_entry {
	size_t len;
	int bad; /* 0, or the ea_errc_t of the first field left out */
	unsigned char buf[JOURNAL_ENTRY_MAX];
};

/* Empty e for a new entry. */
void journal_entry_init(struct journal_entry *e);

/* Append KEY and the len bytes of val (see the contract).  0, or -1 when
 * the field was left out (e->bad says why). */
int journal_field(struct journal_entry *e, const char *key, const char *val, size_t len);

/* journal_field with a printf-formatted value (at most 1024 bytes). */
int journal_fieldf(struct journal_entry *e, const char *key, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* A non-blocking datagram socket connected to path (JOURNAL_SOCKET but in
 * the unit tests).  The fd, or -1 with err set (errno in the message). */
int journal_connect(const char *path, ea_error_t *err);

/* Send e as one datagram.  0, or -1 with err (a field left out, or the
 * send's errno: EAGAIN when the journal is not reading). */
int journal_send(int fd, const struct journal_entry *e, ea_error_t *err);

#endif
