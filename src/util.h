/*
 * util: errors as values, cleanup attributes, bounded allocation helpers.
 *
 * Contract: a function that can fail takes `ea_error_t *err` last, returns a
 * negative value on failure and fills *err (code + one-line message); it
 * never prints and never exits.  Only the command layer (cmd_*.c, main.c)
 * turns an error into a finding, a message or an exit code.
 */
#ifndef EDGEAUDIT_UTIL_H
#define EDGEAUDIT_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

typedef enum {
	EA_OK = 0,
	EA_E_IO,          /* read/write/stat failed (errno in message) */
	EA_E_NOENT,       /* does not exist */
	EA_E_SYMLINK,     /* a symbolic link where a file or folder was expected */
	EA_E_NOTREG,      /* FIFO, socket, device or folder where a file was expected */
	EA_E_BADNAME,     /* absolute, "..", empty or over-long path component */
	EA_E_TOOBIG,      /* over a configured size or ratio limit */
	EA_E_TRUNCATED,   /* ended before the expected size */
	EA_E_FORMAT,      /* malformed input (JSON, tar, gzip, digest string, ...) */
	EA_E_UNSUPPORTED, /* well-formed but not supported (algorithm, media type) */
	EA_E_MISMATCH,    /* a digest or size differs from what was declared */
	EA_E_NOMEM,
	EA_E_USAGE,       /* bad command line or configuration */
	EA_E_INTERRUPTED, /* budget spent or signal received */
} ea_errc_t;

typedef struct {
	ea_errc_t code;
	char msg[256];
} ea_error_t;

/* Fill *err (if non-NULL) and return -1. */
int ea_fail(ea_error_t *err, ea_errc_t code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Like ea_fail, appending ": strerror(errno_value)". */
int ea_fail_errno(ea_error_t *err, int errno_value, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Map an errno to the closest error code. */
ea_errc_t ea_errc_from_errno(int e);
/* Short stable name of an error code ("io", "symlink", ...). */
const char *ea_errc_name(ea_errc_t code);

/* Allocation: on exhaustion print one line and exit 3 (incomplete): the
 * audit cannot continue honestly.  Every size fed to them is bounded by the
 * caller's input limits. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Cleanup attributes (crun style): released when the variable leaves scope. */
void ea_freep(void *p);
void ea_closep(int *fd);
#define cleanup_free  __attribute__((cleanup(ea_freep)))
#define cleanup_close __attribute__((cleanup(ea_closep)))
/* Hand ownership out of a cleanup variable. */
#define steal_pointer(pp)                     \
	({                                    \
		__typeof__(*(pp)) _p = *(pp); \
		*(pp) = NULL;                 \
		_p;                           \
	})
#define steal_fd(fdp)            \
	({                       \
		int _f = *(fdp); \
		*(fdp) = -1;     \
		_f;              \
	})

/* Growable byte buffer with a hard cap (never grows past `max`). */
typedef struct {
	char *data;
	size_t len, cap, max;
} ea_buf_t;
void ea_buf_init(ea_buf_t *b, size_t max);
int ea_buf_append(ea_buf_t *b, const void *p, size_t n, ea_error_t *err);
void ea_buf_free(ea_buf_t *b);

/* Hex encoding of n bytes into out (2n+1 bytes). */
void ea_hex(const unsigned char *in, size_t n, char *out);
/* 1 if s[0..n) is exactly 64 lowercase hex digits (a sha256 in hex: an
 * image, layer or container ID); upper case, any other length: 0. */
int ea_is_hex64(const char *s, size_t n);

/* Monotonic milliseconds. */
int64_t ea_now_ms(void);

/* The audit's budget (boot use): long-running work polls ea_stop_requested()
 * between units of work (a blob, a layer, a process) and, when it is set,
 * stops starting new work and reports what was left unchecked.  Set by
 * --budget-ms (a monotonic deadline) or by SIGINT/SIGTERM. Thread-safe. */
void ea_budget_set_deadline(int64_t deadline_ms); /* 0: none */
void ea_stop_request(void);                       /* async-signal-safe */
int ea_stop_requested(void);
void ea_stop_reset(void); /* unit tests only */

#endif
