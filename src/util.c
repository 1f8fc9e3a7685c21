/* util: see util.h. */
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int vfail(ea_error_t *err, ea_errc_t code, const char *suffix, const char *fmt, va_list ap)
{
	if (err) {
		err->code = code;
		int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		if (suffix && n >= 0 && (size_t)n < sizeof err->msg)
			snprintf(err->msg + n, sizeof err->msg - (size_t)n, ": %s", suffix);
	}
	return -1;
}

int ea_fail(ea_error_t *err, ea_errc_t code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(err, code, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

int ea_fail_errno(ea_error_t *err, int e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(err, ea_errc_from_errno(e), strerror(e), fmt, ap);
	va_end(ap);
	return -1;
}

ea_errc_t ea_errc_from_errno(int e)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR: return EA_E_NOENT;
	case ELOOP:
	case EMLINK: return EA_E_SYMLINK;
	case ENXIO:
	case ENODEV:
	case EISDIR: return EA_E_NOTREG;
	case ENAMETOOLONG: return EA_E_BADNAME;
	case ENOMEM: return EA_E_NOMEM;
	case EFBIG:
	case EOVERFLOW: return EA_E_TOOBIG;
	case EINTR: return EA_E_INTERRUPTED;
	default: return EA_E_IO;
	}
}

const char *ea_errc_name(ea_errc_t c)
{
	static const char *const names[] = {
	        [EA_OK] = "ok",
	        [EA_E_IO] = "io",
	        [EA_E_NOENT] = "not_found",
	        [EA_E_SYMLINK] = "symlink",
	        [EA_E_NOTREG] = "not_regular",
	        [EA_E_BADNAME] = "bad_name",
	        [EA_E_TOOBIG] = "too_big",
	        [EA_E_TRUNCATED] = "truncated",
	        [EA_E_FORMAT] = "format",
	        [EA_E_UNSUPPORTED] = "unsupported",
	        [EA_E_MISMATCH] = "mismatch",
	        [EA_E_NOMEM] = "no_memory",
	        [EA_E_USAGE] = "usage",
	        [EA_E_INTERRUPTED] = "interrupted",
	};
	return (unsigned)c < sizeof names / sizeof names[0] && names[c] ? names[c] : "unknown";
}

static void oom(size_t n)
{
	fprintf(stderr, "edgeaudit: out of memory (%zu bytes): audit incomplete\n", n);
	_exit(3);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) oom(n);
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (!p) oom(n * m);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = xmalloc(n);
	memcpy(p, s, n);
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) oom(0);
	char *p = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void ea_freep(void *p) { free(*(void **)p); }

void ea_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

void ea_buf_init(ea_buf_t *b, size_t max)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->max = max;
}

int ea_buf_append(ea_buf_t *b, const void *p, size_t n, ea_error_t *err)
{
	if (n > b->max - b->len)
		return ea_fail(err, EA_E_TOOBIG, "over the %zu-byte limit", b->max);
	if (b->len + n + 1 > b->cap) {
		size_t c = b->cap ? b->cap : 4096;
		while (c < b->len + n + 1) c *= 2;
		if (c > b->max + 1) c = b->max + 1;
		b->data = xrealloc(b->data, c);
		b->cap = c;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

void ea_buf_free(ea_buf_t *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void ea_hex(const unsigned char *in, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[in[i] >> 4];
		out[2 * i + 1] = d[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int ea_is_hex64(const char *s, size_t n)
{
	if (n != 64) return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
	return 1;
}

int64_t ea_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static volatile sig_atomic_t stop_flag;
static int64_t budget_deadline;

void ea_budget_set_deadline(int64_t deadline_ms)
{
	__atomic_store_n(&budget_deadline, deadline_ms, __ATOMIC_RELAXED);
}

void ea_stop_request(void) { stop_flag = 1; }

int ea_stop_requested(void)
{
	if (stop_flag) return 1;
	int64_t d = __atomic_load_n(&budget_deadline, __ATOMIC_RELAXED);
	if (d && ea_now_ms() >= d) {
		stop_flag = 1;
		return 1;
	}
	return 0;
}

void ea_stop_reset(void)
{
	ea_budget_set_deadline(0);
	stop_flag = 0;
}
