/* Unit tests: the native journal protocol client (journal.c), byte for
 * byte against systemd's "Native Journal Protocol" document. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "journal.h"
#include "unit.h"

static int bytes_eq(const struct journal_entry *e, const void *want, size_t n)
{
	return e->len == n && memcmp(e->buf, want, n) == 0;
}

UNIT_TEST(journal_field_text_form)
{
	struct journal_entry e;
	journal_entry_init(&e);
	CHECK_EQ_INT(journal_field(&e, "FOO", "BAR", 3), 0);
	CHECK_EQ_INT(journal_fieldf(&e, "PRIORITY", "%d", 3), 0);
	CHECK_EQ_INT(journal_field(&e, "EMPTY", "", 0), 0);
	static const char want[] = "FOO=BAR\nPRIORITY=3\nEMPTY=\n";
	CHECK(bytes_eq(&e, want, sizeof want - 1));
	CHECK_EQ_INT(e.bad, 0);
}

UNIT_TEST(journal_field_binary_form_for_a_newline)
{
	struct journal_entry e;
	journal_entry_init(&e);
	/* KEY \n, the length as 8 bytes little-endian, the value, \n. */
	CHECK_EQ_INT(journal_field(&e, "FOO", "B\nR", 3), 0);
	static const char want[] = "FOO\n\003\0\0\0\0\0\0\0B\nR\n";
	CHECK(bytes_eq(&e, want, sizeof want - 1));
	/* 300 = 0x012c: low byte first.  Bytes after a newline are kept as they
	 * are (a '=' too). */
	char v[300];
	memset(v, 'x', sizeof v);
	v[0] = '\n';
	v[1] = '=';
	journal_entry_init(&e);
	CHECK_EQ_INT(journal_field(&e, "K_2", v, sizeof v), 0);
	CHECK_EQ_INT(e.len, 4 + 8 + 300 + 1);
	CHECK(memcmp(e.buf, "K_2\n\x2c\x01\0\0\0\0\0\0", 12) == 0);
	CHECK(memcmp(e.buf + 12, v, sizeof v) == 0);
	CHECK_EQ_INT(e.buf[e.len - 1], '\n');
}

UNIT_TEST(journal_field_refuses_bad_keys_whole)
{
	char k[JOURNAL_KEY_MAX + 2];
	memset(k, 'K', JOURNAL_KEY_MAX + 1);
	k[JOURNAL_KEY_MAX + 1] = '\0'; /* 65 characters */
	const char *const bad[] = {"", "_PID", "lower", "A=B", "A\nB", "A-B", "\xc3\x84", k};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct journal_entry e;
		journal_entry_init(&e);
		CHECK_EQ_INT(journal_field(&e, "OK", "1", 1), 0);
		CHECK_EQ_INT(journal_field(&e, bad[i], "v", 1), -1);
		CHECK_EQ_INT(e.len, 5); /* "OK=1\n" only */
		CHECK_EQ_INT(e.bad, EA_E_USAGE);
	}
	/* 64 characters is the limit, not over it. */
	struct journal_entry e;
	journal_entry_init(&e);
	k[JOURNAL_KEY_MAX] = '\0';
	CHECK_EQ_INT(journal_field(&e, k, "v", 1), 0);
}

UNIT_TEST(journal_entry_over_the_limit_is_refused_not_cut)
{
	struct journal_entry e;
	journal_entry_init(&e);
	static char big[JOURNAL_ENTRY_MAX];
	memset(big, 'a', sizeof big);
	CHECK_EQ_INT(journal_field(&e, "MESSAGE", "m", 1), 0);
	/* "MESSAGE=m\n" is 10 bytes; "BIG=" + value + "\n" fills the rest
	 * with a value of 8177 bytes, and not one byte more. */
	size_t room = JOURNAL_ENTRY_MAX - 10 - 5;
	CHECK_EQ_INT(journal_field(&e, "BIG", big, room + 1), -1);
	CHECK_EQ_INT(e.len, 10);
	CHECK_EQ_INT(e.bad, EA_E_TOOBIG);
	struct journal_entry full;
	journal_entry_init(&full);
	journal_field(&full, "MESSAGE", "m", 1);
	CHECK_EQ_INT(journal_field(&full, "BIG", big, room), 0);
	CHECK_EQ_INT(full.len, JOURNAL_ENTRY_MAX);
	/* The entry is not sent: no partial entry reaches the journal. */
	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) == 0);
	ea_error_t err = {0};
	CHECK_EQ_INT(journal_send(sv[0], &e, &err), -1);
	CHECK_EQ_INT(err.code, EA_E_TOOBIG);
	char buf[16];
	CHECK(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT) < 0 && errno == EAGAIN);
	close(sv[0]);
	close(sv[1]);
}

/* A journal stand-in: a datagram socket bound in a fresh folder. */
static int bind_journal(char *dir, char *path, size_t cap)
{
	if (!mkdtemp(dir)) return -1;
	snprintf(path, cap, "%s/socket", dir);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0) return fd;
	if (fd >= 0) close(fd);
	return -1;
}

UNIT_TEST(journal_send_one_datagram_never_blocking)
{
	char dir[] = "/tmp/ea-journal.XXXXXX", path[64];
	int srv = bind_journal(dir, path, sizeof path);
	CHECK(srv >= 0);
	ea_error_t err = {0};
	int fd = journal_connect(path, &err);
	CHECK(fd >= 0);
	struct journal_entry e;
	journal_entry_init(&e);
	journal_field(&e, "MESSAGE", "two\nlines", 9);
	journal_field(&e, "PRIORITY", "4", 1);
	CHECK_EQ_INT(journal_send(fd, &e, &err), 0);
	unsigned char got[JOURNAL_ENTRY_MAX];
	ssize_t n = recv(srv, got, sizeof got, 0);
	CHECK(n == (ssize_t)e.len && memcmp(got, e.buf, e.len) == 0);
	/* Nobody reading: the queue fills and a send fails at once (EAGAIN). */
	int i, rc = 0;
	for (i = 0; i < 10000 && rc == 0; i++) rc = journal_send(fd, &e, &err);
	CHECK_EQ_INT(rc, -1);
	CHECK(strstr(err.msg, "send: ") != NULL);
	close(fd);
	close(srv);
	unlink(path);
	rmdir(dir);
	/* No journal: an error value naming the socket. */
	CHECK_EQ_INT(journal_connect(path, &err), -1);
	CHECK(strstr(err.msg, path) && strstr(err.msg, "No such file"));
}
