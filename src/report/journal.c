/* journal: see journal.h. */
#include "journal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

void journal_entry_init(struct journal_entry *e)
{
	e->len = 0;
	e->bad = 0;
}

static int key_ok(const char *key, size_t n)
{
	if (n == 0 || n > JOURNAL_KEY_MAX || key[0] == '_') return 0;
	for (size_t i = 0; i < n; i++)
		if (!(key[i] >= 'A' && key[i] <= 'Z') && !(key[i] >= '0' && key[i] <= '9') &&
		    key[i] != '_')
			return 0;
	return 1;
}

static int left_out(struct journal_entry *e, ea_errc_t why)
{
	if (!e->bad) e->bad = (int)why;
	return -1;
}

static void put(struct journal_entry *e, const void *p, size_t n)
{
	memcpy(e->buf + e->len, p, n);
	e->len += n;
}

int journal_field(struct journal_entry *e, const char *key, const char *val, size_t len)
{
	size_t klen = strlen(key);
	if (!key_ok(key, klen)) return left_out(e, EA_E_USAGE);
	int binary = memchr(val, '\n', len) != NULL;
	/* KEY=value\n, or KEY\n + 8 length bytes + value + \n. */
	size_t need = klen + 1 + (binary ? 8 : 0) + len + 1;
	if (len > JOURNAL_ENTRY_MAX || need > sizeof e->buf - e->len)
		return left_out(e, EA_E_TOOBIG);
	put(e, key, klen);
	if (binary) {
		unsigned char le[8];
		for (int i = 0; i < 8; i++) le[i] = (unsigned char)((uint64_t)len >> (8 * i));
		put(e, "\n", 1);
		put(e, le, sizeof le);
	} else {
		put(e, "=", 1);
	}
	put(e, val, len);
	put(e, "\n", 1);
	return 0;
}

int journal_fieldf(struct journal_entry *e, const char *key, const char *fmt, ...)
{
	char v[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(v, sizeof v, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof v) return left_out(e, EA_E_TOOBIG);
	return journal_field(e, key, v, (size_t)n);
}

int journal_connect(const char *path, ea_error_t *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof sa.sun_path)
		return ea_fail(err, EA_E_BADNAME, "%s: path too long for a socket", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	cleanup_close int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) return ea_fail_errno(err, errno, "socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		return ea_fail_errno(err, errno, "%s", path);
	return steal_fd(&fd);
}

int journal_send(int fd, const struct journal_entry *e, ea_error_t *err)
{
	if (e->bad)
		return ea_fail(err, (ea_errc_t)e->bad, "an entry with a field left out (%s)",
		               ea_errc_name((ea_errc_t)e->bad));
	ssize_t w;
	do w = send(fd, e->buf, e->len, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	if (w < 0) return ea_fail_errno(err, errno, "send");
	if ((size_t)w != e->len) return ea_fail(err, EA_E_IO, "send: %zd of %zu bytes", w, e->len);
	return 0;
}
