/* baseline: see baseline.h. */
#include "baseline.h"

#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "digest.h"
#include "fsx.h"

/* ------------------------------------------------------------ path order */

/* A byte's rank: "/" below every byte a name can hold, the end below "/". */
static int rank(const char *p) { return !*p ? -1 : *p == '/' ? 0 : 1 + (unsigned char)*p; }

int bl_path_cmp(const char *a, const char *b)
{
	while (*a && *a == *b) a++, b++;
	return rank(a) - rank(b);
}

int bl_path_below(const char *path, const char *folder)
{
	size_t n = strlen(folder);
	if (n == 1 && folder[0] == '/') return path[0] == '/' && path[1] != '\0';
	return !strncmp(path, folder, n) && path[n] == '/';
}

/* ------------------------------------------------------------ the spec */

/* "/a/b" from "a//b/" or "/a/b"; "." and ".." refused. */
static int normalise(const char *in, char *out, size_t max, ea_error_t *err)
{
	size_t o = 0;
	const char *p = in;
	while (*p) {
		while (*p == '/') p++;
		size_t n = strcspn(p, "/");
		if (!n) break;
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return ea_fail(err, EA_E_BADNAME, "'%.80s': no '.' or '..' in a path", in);
		if (o + 1 + n + 1 > max)
			return ea_fail(err, EA_E_BADNAME, "'%.80s' is too long", in);
		out[o++] = '/';
		memcpy(out + o, p, n);
		o += n;
		p += n;
	}
	if (!o) out[o++] = '/';
	out[o] = '\0';
	return 0;
}

int bl_spec_add_path(struct bl_spec *s, const char *path, ea_error_t *err)
{
	if (s->npaths >= BL_MAX_STARTS)
		return ea_fail(err, EA_E_USAGE, "at most %d --path options", BL_MAX_STARTS);
	char norm[BL_PATH_MAX + 1];
	if (normalise(path, norm, sizeof norm, err) < 0) return -1;
	s->paths[s->npaths++] = xstrdup(norm);
	return 0;
}

int bl_spec_add_exclude(struct bl_spec *s, const char *glob, ea_error_t *err)
{
	if (s->nexcludes >= BL_MAX_EXCLUDE)
		return ea_fail(err, EA_E_USAGE, "at most %d --exclude options", BL_MAX_EXCLUDE);
	if (!*glob || strlen(glob) > BL_PATH_MAX)
		return ea_fail(err, EA_E_USAGE, "--exclude: an empty or over-long pattern");
	s->excludes[s->nexcludes++] = xstrdup(glob);
	return 0;
}

static int cmp_paths(const void *a, const void *b)
{
	return bl_path_cmp(*(char *const *)a, *(char *const *)b);
}

void bl_spec_finish(struct bl_spec *s)
{
	if (!s->npaths) s->paths[s->npaths++] = xstrdup("/");
	qsort(s->paths, (size_t)s->npaths, sizeof s->paths[0], cmp_paths);
	int k = 0;
	for (int i = 0; i < s->npaths; i++) {
		/* A start equal to or below the one kept before it: walked already. */
		if (k && (!strcmp(s->paths[i], s->paths[k - 1]) ||
		          bl_path_below(s->paths[i], s->paths[k - 1]))) {
			free(s->paths[i]);
			continue;
		}
		s->paths[k++] = s->paths[i];
	}
	s->npaths = k;
}

int bl_spec_excluded(const struct bl_spec *s, const char *path)
{
	for (int i = 0; i < s->nexcludes; i++)
		if (fnmatch(s->excludes[i], path, 0) == 0) return 1;
	return 0;
}

void bl_spec_free(struct bl_spec *s)
{
	free(s->root);
	for (int i = 0; i < s->npaths; i++) free(s->paths[i]);
	for (int i = 0; i < s->nexcludes; i++) free(s->excludes[i]);
	free(s->created);
	memset(s, 0, sizeof *s);
}

/* ------------------------------------------------------------ escaping */

static int plain(unsigned char c) { return c > 0x20 && c < 0x7f && c != '\\'; }

size_t bl_escape(const char *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		if (plain(c)) {
			out[o++] = (char)c;
			continue;
		}
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = hex[c >> 4];
		out[o++] = hex[c & 15];
	}
	out[o] = '\0';
	return o;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode the canonical escaping (an escape only where bl_escape() makes one;
 * no NUL) into out (at most max bytes); the length, or -1. */
static long unescape(const char *in, char *out, size_t max)
{
	size_t o = 0;
	for (const char *p = in; *p; p++) {
		int c = (unsigned char)*p;
		if (c == '\\') {
			int h = p[1] == 'x' ? hexval(p[2]) : -1, l = h >= 0 ? hexval(p[3]) : -1;
			if (l < 0) return -1;
			c = h << 4 | l;
			if (!c || plain((unsigned char)c)) return -1;
			p += 3;
		} else if (!plain((unsigned char)c)) {
			return -1;
		}
		if (o >= max) return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return (long)o;
}

/* ------------------------------------------------------------ entry lines */

size_t bl_format_entry(const struct bl_entry *e, char *line)
{
	size_t n = bl_escape(e->path, e->path_len, line);
	n += (size_t)sprintf(line + n, " %c %04o %u %u ", e->type, e->mode & 07777, e->uid, e->gid);
	if (e->type == 'f') n += (size_t)sprintf(line + n, "%" PRIu64 " ", e->size);
	else if (e->type == 'c' || e->type == 'b')
		n += (size_t)sprintf(line + n, "%u,%u ", e->dev_major, e->dev_minor);
	else line[n++] = '-', line[n++] = ' ';
	if (e->type == 'f' && e->hashed) ea_hex(e->sha256, 32, line + n), n += 64;
	else if (e->type == 'f') line[n++] = '?';
	else if (e->type == 'l') n += bl_escape(e->target, e->target_len, line + n);
	else line[n++] = '-';
	line[n++] = ' ';
	if (e->caps_state == BL_CAPS_SET)
		ea_hex(e->caps, e->caps_len, line + n), n += 2 * e->caps_len;
	else line[n++] = e->caps_state == BL_CAPS_UNKNOWN ? '?' : '-';
	line[n++] = '\n';
	line[n] = '\0';
	return n;
}

/* A decimal number of at most max, digits only. */
static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	if (!*s || strlen(s) > 20 || (s[0] == '0' && s[1])) return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9') return -1;
		unsigned d = (unsigned)(*s - '0');
		if (v > (max - d) / 10) return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int parse_hex(const char *s, unsigned char *out, size_t max, size_t *len)
{
	size_t n = strlen(s);
	if (!n || n % 2 || n / 2 > max) return -1;
	for (size_t i = 0; i < n; i += 2) {
		int h = hexval(s[i]), l = hexval(s[i + 1]);
		if (h < 0 || l < 0) return -1;
		out[i / 2] = (unsigned char)(h << 4 | l);
	}
	*len = n / 2;
	return 0;
}

/* A path as the format writes it: "/" or "/a/b", no empty, "." or ".."
 * component, no trailing "/". */
static int path_ok(const char *p, size_t n)
{
	if (!n || p[0] != '/') return 0;
	if (n == 1) return 1;
	if (p[n - 1] == '/') return 0;
	for (const char *c = p + 1; c < p + n;) {
		size_t k = strcspn(c, "/");
		if (!k || (k == 1 && c[0] == '.') || (k == 2 && c[0] == '.' && c[1] == '.'))
			return 0;
		c += k + 1;
	}
	return 1;
}

/* The SIZE field (by type). */
static int parse_size(const char *f, struct bl_entry *e)
{
	uint64_t a, b;
	if (e->type == 'f') return parse_u64(f, INT64_MAX, &e->size);
	if (e->type == 'c' || e->type == 'b') {
		char tmp[48];
		size_t k = strcspn(f, ",");
		if (!f[k] || k >= sizeof tmp || strlen(f) >= sizeof tmp) return -1;
		memcpy(tmp, f, k);
		tmp[k] = '\0';
		if (parse_u64(tmp, UINT32_MAX, &a) < 0 || parse_u64(f + k + 1, UINT32_MAX, &b) < 0)
			return -1;
		e->dev_major = (unsigned)a;
		e->dev_minor = (unsigned)b;
		return 0;
	}
	return strcmp(f, "-") ? -1 : 0;
}

/* The CONTENT field (by type). */
static int parse_content(const char *f, struct bl_entry *e)
{
	size_t n;
	if (e->type == 'f') {
		if (!strcmp(f, "?")) return 0;
		if (strlen(f) != 64 || parse_hex(f, e->sha256, 32, &n) < 0) return -1;
		e->hashed = 1;
		return 0;
	}
	if (e->type == 'l') {
		long t = unescape(f, e->target, BL_TARGET_MAX);
		if (t <= 0) return -1;
		e->target_len = (size_t)t;
		return 0;
	}
	return strcmp(f, "-") ? -1 : 0;
}

static int parse_caps(const char *f, struct bl_entry *e)
{
	if (!strcmp(f, "-")) return e->caps_state = BL_CAPS_NONE, 0;
	if (!strcmp(f, "?")) return e->caps_state = BL_CAPS_UNKNOWN, 0;
	e->caps_state = BL_CAPS_SET;
	return parse_hex(f, e->caps, BL_CAPS_MAX, &e->caps_len);
}

/* The fields after the path: type, mode, owner. */
static int parse_attrs(char **f, struct bl_entry *e)
{
	uint64_t v;
	if (strlen(f[1]) != 1 || !strchr("fdlpscb", f[1][0])) return -1;
	e->type = f[1][0];
	if (strlen(f[2]) != 4 || strspn(f[2], "01234567") != 4) return -1;
	e->mode = (unsigned)strtoul(f[2], NULL, 8);
	if (parse_u64(f[3], UINT32_MAX, &v) < 0) return -1;
	e->uid = (unsigned)v;
	if (parse_u64(f[4], UINT32_MAX, &v) < 0) return -1;
	e->gid = (unsigned)v;
	return 0;
}

int bl_parse_entry(char *line, struct bl_entry *e, char *path, ea_error_t *err)
{
	char *f[9];
	int n = 0;
	for (char *p = line; n < 9;) {
		f[n++] = p;
		p = strchr(p, ' ');
		if (!p) break;
		*p++ = '\0';
	}
	memset(e, 0, offsetof(struct bl_entry, target));
	e->target[0] = '\0';
	e->target_len = 0;
	e->caps_len = 0;
	e->problem[0] = '\0';
	e->elf = e->unlisted = 0;
	if (n != 8) return ea_fail(err, EA_E_FORMAT, "%d fields, not 8", n);
	long pl = unescape(f[0], path, BL_PATH_MAX);
	if (pl < 0 || !path_ok(path, (size_t)pl))
		return ea_fail(err, EA_E_FORMAT, "a malformed path");
	e->path = path;
	e->path_len = (size_t)pl;
	if (parse_attrs(f, e) < 0) return ea_fail(err, EA_E_FORMAT, "a malformed type or mode");
	if (parse_size(f[5], e) < 0) return ea_fail(err, EA_E_FORMAT, "a malformed size");
	if (parse_content(f[6], e) < 0) return ea_fail(err, EA_E_FORMAT, "malformed content");
	if (parse_caps(f[7], e) < 0) return ea_fail(err, EA_E_FORMAT, "malformed capabilities");
	return 0;
}

/* ------------------------------------------------------------ writing */

struct bl_writer {
	struct fsx_atomic a;
	hasher_t h;
	uint64_t entries, bytes;
	size_t n;
	char buf[64 << 10];
	char line[BL_LINE_MAX + 1];
};

static int w_flush(struct bl_writer *w, ea_error_t *err)
{
	if (fsx_atomic_write(&w->a, w->buf, w->n, err) < 0) return -1;
	w->n = 0;
	return 0;
}

static int w_put(struct bl_writer *w, const char *s, size_t n, ea_error_t *err)
{
	hasher_update(&w->h, s, n);
	w->bytes += n;
	if (w->n + n > sizeof w->buf && w_flush(w, err) < 0) return -1;
	if (n > sizeof w->buf) return fsx_atomic_write(&w->a, s, n, err);
	memcpy(w->buf + w->n, s, n);
	w->n += n;
	return 0;
}

/* "KEY VALUE\n", the value escaped. */
static int w_header(struct bl_writer *w, const char *key, const char *value, ea_error_t *err)
{
	size_t k = (size_t)sprintf(w->line, "%s ", key);
	k += bl_escape(value, strlen(value), w->line + k);
	w->line[k++] = '\n';
	return w_put(w, w->line, k, err);
}

int bl_writer_open(const char *out, const struct bl_spec *s, struct bl_writer **wp, ea_error_t *err)
{
	struct bl_writer *w = xcalloc(1, sizeof *w);
	if (fsx_atomic_open(out, &w->a, err) < 0) {
		free(w);
		return -1;
	}
	hasher_init(&w->h, DIGEST_SHA256);
	char created[32];
	time_t now = time(NULL);
	struct tm tm;
	strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	int rc = w_put(w, BL_MAGIC "\n", strlen(BL_MAGIC) + 1, err);
	if (!rc) rc = w_header(w, "root", s->root, err);
	for (int i = 0; !rc && i < s->npaths; i++) rc = w_header(w, "path", s->paths[i], err);
	for (int i = 0; !rc && i < s->nexcludes; i++)
		rc = w_header(w, "exclude", s->excludes[i], err);
	if (!rc) rc = w_header(w, "created", created, err);
	if (!rc) rc = w_put(w, "entries\n", 8, err);
	if (rc < 0) {
		bl_writer_abort(w);
		return -1;
	}
	*wp = w;
	return 0;
}

int bl_writer_add(struct bl_writer *w, const struct bl_entry *e, ea_error_t *err)
{
	size_t n = bl_format_entry(e, w->line);
	w->entries++;
	return w_put(w, w->line, n, err);
}

int bl_writer_commit(struct bl_writer *w, unsigned char sha256[32], uint64_t *entries,
                     uint64_t *bytes, ea_error_t *err)
{
	size_t n = (size_t)sprintf(w->line, "end %" PRIu64 "\n", w->entries);
	if (w_put(w, w->line, n, err) < 0 || w_flush(w, err) < 0) {
		bl_writer_abort(w);
		return -1;
	}
	digest_t d;
	hasher_final(&w->h, &d);
	memcpy(sha256, d.bytes, 32);
	*entries = w->entries;
	*bytes = w->bytes;
	int rc = fsx_atomic_commit(&w->a, err);
	free(w);
	return rc;
}

void bl_writer_abort(struct bl_writer *w)
{
	if (!w) return;
	fsx_atomic_abort(&w->a);
	free(w);
}

/* ------------------------------------------------------------ reading */

struct bl_reader {
	int fd, ended, eof;
	hasher_t h;
	uint64_t lineno, count;
	size_t pos, len;
	struct bl_entry e;
	char *line, *path, *prev;
	unsigned char buf[64 << 10];
};

/* The next line into rd->line (no "\n"): 1, 0 at EOF, -1 err. */
static int next_line(struct bl_reader *rd, ea_error_t *err)
{
	size_t n = 0;
	for (;;) {
		if (rd->pos == rd->len) {
			ssize_t r = read(rd->fd, rd->buf, sizeof rd->buf);
			if (r < 0 && errno == EINTR) continue;
			if (r < 0) return ea_fail_errno(err, errno, "read failed");
			if (r == 0) {
				rd->eof = 1;
				if (!n) return 0;
				return ea_fail(err, EA_E_FORMAT, "line %" PRIu64 " is cut short",
				               rd->lineno + 1);
			}
			hasher_update(&rd->h, rd->buf, (size_t)r);
			rd->pos = 0;
			rd->len = (size_t)r;
		}
		unsigned char c = rd->buf[rd->pos++];
		if (c == '\n') break;
		if (!c || n >= BL_LINE_MAX)
			return ea_fail(err, EA_E_FORMAT,
			               "line %" PRIu64 " holds a NUL or is too long",
			               rd->lineno + 1);
		rd->line[n++] = (char)c;
	}
	rd->line[n] = '\0';
	rd->lineno++;
	return 1;
}

/* A header line "KEY VALUE" into *value (unescaped, allocated). */
static int header_value(struct bl_reader *rd, const char *key, char **value, ea_error_t *err)
{
	size_t k = strlen(key);
	if (strncmp(rd->line, key, k) || rd->line[k] != ' ')
		return ea_fail(err, EA_E_FORMAT, "line %" PRIu64 ": expected '%s'", rd->lineno,
		               key);
	long n = unescape(rd->line + k + 1, rd->path, BL_PATH_MAX);
	if (n <= 0)
		return ea_fail(err, EA_E_FORMAT, "line %" PRIu64 ": a malformed %s", rd->lineno,
		               key);
	*value = xstrdup(rd->path);
	return 0;
}

/* The header's repeated "path" and "exclude" lines, then "created". */
static int read_lists(struct bl_reader *rd, struct bl_spec *s, ea_error_t *err)
{
	char *v;
	int rc;
	while ((rc = next_line(rd, err)) > 0 && !strncmp(rd->line, "path ", 5)) {
		if (s->npaths >= BL_MAX_STARTS || header_value(rd, "path", &v, err) < 0)
			return ea_fail(err, EA_E_FORMAT, "line %" PRIu64 ": a bad path",
			               rd->lineno);
		s->paths[s->npaths++] = v;
		if (!path_ok(v, strlen(v)) ||
		    (s->npaths > 1 && bl_path_cmp(s->paths[s->npaths - 2], v) >= 0))
			return ea_fail(err, EA_E_FORMAT, "line %" PRIu64 ": a bad path",
			               rd->lineno);
	}
	while (rc > 0 && !strncmp(rd->line, "exclude ", 8)) {
		if (s->nexcludes >= BL_MAX_EXCLUDE || header_value(rd, "exclude", &v, err) < 0)
			return ea_fail(err, EA_E_FORMAT, "line %" PRIu64 ": a bad exclude",
			               rd->lineno);
		s->excludes[s->nexcludes++] = v;
		rc = next_line(rd, err);
	}
	if (rc <= 0 || !s->npaths)
		return rc < 0 ? -1 : ea_fail(err, EA_E_FORMAT, "the header is incomplete");
	return header_value(rd, "created", &s->created, err);
}

static int read_header(struct bl_reader *rd, struct bl_spec *s, ea_error_t *err)
{
	int rc = next_line(rd, err);
	if (rc <= 0 || strcmp(rd->line, BL_MAGIC))
		return rc < 0 ? -1 : ea_fail(err, EA_E_FORMAT, "not an edgeaudit baseline");
	if (next_line(rd, err) <= 0 || header_value(rd, "root", &s->root, err) < 0) return -1;
	if (read_lists(rd, s, err) < 0) return -1;
	rc = next_line(rd, err);
	if (rc <= 0 || strcmp(rd->line, "entries"))
		return rc < 0 ? -1 : ea_fail(err, EA_E_FORMAT, "the header is incomplete");
	return 0;
}

int bl_reader_open(int fd, struct bl_spec *s, struct bl_reader **rdp, ea_error_t *err)
{
	struct bl_reader *rd = xcalloc(1, sizeof *rd);
	rd->fd = fd;
	rd->line = xmalloc(BL_LINE_MAX + 1);
	rd->path = xmalloc(BL_PATH_MAX + 1);
	rd->prev = xmalloc(BL_PATH_MAX + 1);
	rd->prev[0] = '\0';
	hasher_init(&rd->h, DIGEST_SHA256);
	memset(s, 0, sizeof *s);
	if (read_header(rd, s, err) < 0) {
		bl_spec_free(s);
		bl_reader_free(rd);
		return -1;
	}
	*rdp = rd;
	return 0;
}

/* "end COUNT", then nothing. */
static int read_end(struct bl_reader *rd, ea_error_t *err)
{
	uint64_t n;
	if (parse_u64(rd->line + 4, UINT64_MAX, &n) < 0 || n != rd->count)
		return ea_fail(err, EA_E_FORMAT,
		               "line %" PRIu64
		               ": the end says another number of entries than %" PRIu64,
		               rd->lineno, rd->count);
	int rc = next_line(rd, err);
	if (rc != 0 || rd->pos != rd->len)
		return rc < 0 ? -1 : ea_fail(err, EA_E_FORMAT, "data after the end");
	rd->ended = 1;
	return 0;
}

int bl_reader_next(struct bl_reader *rd, const struct bl_entry **e, ea_error_t *err)
{
	if (rd->ended) return 0;
	int rc = next_line(rd, err);
	if (rc < 0) return -1;
	if (rc == 0) return ea_fail(err, EA_E_FORMAT, "truncated: no end line");
	if (!strncmp(rd->line, "end ", 4)) return read_end(rd, err) < 0 ? -1 : 0;
	ea_error_t pe = {0};
	if (bl_parse_entry(rd->line, &rd->e, rd->path, &pe) < 0)
		return ea_fail(err, EA_E_FORMAT, "line %" PRIu64 ": %s", rd->lineno, pe.msg);
	if (rd->count && bl_path_cmp(rd->prev, rd->path) >= 0)
		return ea_fail(err, EA_E_FORMAT, "line %" PRIu64 ": '%.80s' is out of order",
		               rd->lineno, rd->path);
	memcpy(rd->prev, rd->path, rd->e.path_len + 1);
	rd->count++;
	*e = &rd->e;
	return 1;
}

void bl_reader_digest(struct bl_reader *rd, unsigned char sha256[32])
{
	hasher_t h = rd->h; /* a copy: reading may go on */
	digest_t d;
	hasher_final(&h, &d);
	memcpy(sha256, d.bytes, 32);
}

uint64_t bl_reader_count(const struct bl_reader *rd) { return rd->count; }

void bl_reader_free(struct bl_reader *rd)
{
	if (!rd) return;
	free(rd->line);
	free(rd->path);
	free(rd->prev);
	free(rd);
}
