/* tar: see tar.h.  The reading follows Go's archive/tar (reader.go,
 * format.go, strconv.go): each rule below names the Go behaviour it keeps. */
#include "tar.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------ fields */

/* Go's parseString: the bytes up to the first NUL. */
static size_t field_len(const unsigned char *f, size_t n)
{
	const unsigned char *z = memchr(f, 0, n);
	return z ? (size_t)(z - f) : n;
}

/* Go's parseOctal: trim spaces and NULs at both ends, cut at a NUL, then
 * octal digits only; nothing left is 0. */
static int go_octal(const unsigned char *f, size_t n, int64_t *out)
{
	size_t a = 0, b = n;
	while (a < b && (f[a] == ' ' || f[a] == '\0')) a++;
	while (b > a && (f[b - 1] == ' ' || f[b - 1] == '\0')) b--;
	b = a + field_len(f + a, b - a);
	uint64_t v = 0;
	for (size_t i = a; i < b; i++) {
		if (f[i] < '0' || f[i] > '7' || v >> 61) return -1;
		v = v * 8 + (uint64_t)(f[i] - '0');
	}
	*out = (int64_t)v;
	return 0;
}

/* Go's parseNumeric: base-256 two's complement when the top bit is set. */
static int go_numeric(const unsigned char *f, size_t n, int64_t *out)
{
	if (n == 0 || !(f[0] & 0x80)) return go_octal(f, n, out);
	unsigned char inv = (f[0] & 0x40) ? 0xff : 0;
	uint64_t x = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = f[i] ^ inv;
		if (i == 0) c &= 0x7f;
		if (x >> 56) return -1;
		x = x << 8 | c;
	}
	if (x >> 63) return -1;
	*out = inv ? ~(int64_t)x : (int64_t)x;
	return 0;
}

int tar_parse_number(const unsigned char *f, size_t n, uint64_t *out)
{
	int64_t v;
	if (go_numeric(f, n, &v) < 0 || v < 0) return -1;
	*out = (uint64_t)v;
	return 0;
}

/* Go's getFormat accepts the unsigned and the signed sum. */
int tar_checksum_ok(const unsigned char h[512])
{
	int64_t want;
	if (go_octal(h + 148, 8, &want) < 0) return 0;
	int64_t u = 0, s = 0;
	for (int i = 0; i < 512; i++) {
		unsigned char c = (i >= 148 && i < 156) ? ' ' : h[i];
		u += c;
		s += (signed char)c;
	}
	return want == u || want == s;
}

enum tar_format { F_V7, F_USTAR, F_GNU, F_STAR };

static enum tar_format header_format(const unsigned char h[512])
{
	if (!memcmp(h + 257, "ustar\0", 6)) return !memcmp(h + 508, "tar\0", 4) ? F_STAR : F_USTAR;
	if (!memcmp(h + 257, "ustar ", 6) && !memcmp(h + 263, " \0", 2)) return F_GNU;
	return F_V7;
}

static int is_ascii(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] >= 0x80) return 0;
	return 1;
}

/* The prefix Go joins to the name (length in *pl, 0 for none). */
static const unsigned char *go_prefix(const unsigned char h[512], size_t *pl)
{
	*pl = 0;
	int64_t t;
	switch (header_format(h)) {
	case F_USTAR: *pl = field_len(h + 345, 155); break;
	case F_STAR: *pl = field_len(h + 345, 131); break;
	case F_GNU:
		/* Go reads atime/ctime there; only when they do not parse does it
		 * fall back to a prefix (files of pre-1.8 Go writers). */
		if ((h[345] && go_numeric(h + 345, 12, &t) < 0) ||
		    (h[357] && go_numeric(h + 357, 12, &t) < 0)) {
			size_t l = field_len(h + 345, 155);
			if (is_ascii(h + 345, l)) *pl = l;
		}
		break;
	case F_V7: break;
	}
	return h + 345;
}

static void join_name(const unsigned char *pre, size_t pl, const unsigned char *nm, size_t nl,
                      char out[TAR_HEADER_NAME_MAX])
{
	size_t o = 0;
	if (pl) {
		memcpy(out, pre, pl);
		out[pl] = '/';
		o = pl + 1;
	}
	memcpy(out + o, nm, nl);
	out[o + nl] = '\0';
}

void tar_header_name(const unsigned char h[512], char out[TAR_HEADER_NAME_MAX])
{
	size_t pl;
	const unsigned char *pre = go_prefix(h, &pl);
	join_name(pre, pl, h, field_len(h, 100), out);
}

/* The name a reader would see that takes bytes 345..500 as ustar's prefix
 * whatever the magic says (older readers, and this tool before issue 12). */
static void naive_name(const unsigned char h[512], char out[TAR_HEADER_NAME_MAX])
{
	join_name(h + 345, h[345] ? field_len(h + 345, 155) : 0, h, field_len(h, 100), out);
}

/* The numeric fields Go parses in readHeader: one it cannot parse is
 * ErrHeader, and Go reads no further. */
static int go_fields_ok(const unsigned char h[512])
{
	static const struct {
		unsigned off, len;
	} v7[] = {{124, 12}, {100, 8}, {108, 8}, {116, 8}, {136, 12}};
	int64_t t;
	for (unsigned i = 0; i < 5; i++)
		if (go_numeric(h + v7[i].off, v7[i].len, &t) < 0) return 0;
	enum tar_format f = header_format(h);
	if (f == F_V7) return 1;
	if (go_numeric(h + 329, 8, &t) < 0 || go_numeric(h + 337, 8, &t) < 0) return 0;
	if (f == F_STAR && (go_numeric(h + 476, 12, &t) < 0 || go_numeric(h + 488, 12, &t) < 0))
		return 0;
	return 1;
}

/* ------------------------------------------------------------ names */

char *tar_clean_path(const char *in, char *out, size_t n)
{
	/* Go's path.Clean (Lexical processing, as in Plan 9's cleanname). */
	size_t len = strlen(in), w = 0, r = 0, dotdot = 0;
	int rooted = len && in[0] == '/';
	if (n < len + 2) {
		snprintf(out, n, "%s", "");
		return out;
	}
	if (!len) {
		snprintf(out, n, ".");
		return out;
	}
	if (rooted) {
		out[w++] = '/';
		r = dotdot = 1;
	}
	while (r < len) {
		if (in[r] == '/') {
			r++;
		} else if (in[r] == '.' && (r + 1 == len || in[r + 1] == '/')) {
			r++;
		} else if (in[r] == '.' && in[r + 1] == '.' && (r + 2 == len || in[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && out[w] != '/') w--;
			} else if (!rooted) {
				if (w > 0) out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0)) out[w++] = '/';
			for (; r < len && in[r] != '/'; r++) out[w++] = in[r];
		}
	}
	if (w == 0) out[w++] = '.';
	out[w] = '\0';
	return out;
}

static int raw_unsafe(const char *p)
{
	if (p[0] == '/') return 1;
	for (const char *q = p; *q;) {
		const char *e = strchr(q, '/');
		size_t len = e ? (size_t)(e - q) : strlen(q);
		if (len == 2 && q[0] == '.' && q[1] == '.') return 1;
		if (!e) break;
		q = e + 1;
	}
	return 0;
}

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void ambiguity(struct tar_index *ix, uint64_t off, const char *name, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static void ambiguity(struct tar_index *ix, uint64_t off, const char *name, const char *fmt, ...)
{
	if (ix->namb++ >= TAR_MAX_AMBIGUITIES) return;
	struct tar_ambiguity *a = &ix->amb[ix->namb - 1];
	a->offset = off;
	snprintf(a->name, sizeof a->name, "%s", name);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->msg, sizeof a->msg, fmt, ap);
	va_end(ap);
}

static int32_t *ht_slot(const struct tar_index *ix, const char *clean)
{
	size_t mask = ix->ht_cap - 1, i = (size_t)name_hash(clean) & mask;
	for (;; i = (i + 1) & mask) {
		int32_t v = ix->ht[i];
		if (!v || !strcmp(ix->m[v - 1].name, clean)) return &ix->ht[i];
	}
}

static void ht_grow(struct tar_index *ix)
{
	size_t old = ix->ht_cap;
	int32_t *o = ix->ht;
	ix->ht_cap = old ? old * 2 : 256;
	ix->ht = xcalloc(ix->ht_cap, sizeof *ix->ht);
	for (size_t i = 0; i < old; i++)
		if (o[i]) *ht_slot(ix, ix->m[o[i] - 1].name) = o[i];
	free(o);
}

/* Enter member k (its name set) into the table; a second member of a name
 * is an ambiguity (containers/image reads the first, containerd's importer
 * and any extraction the last). */
static void ht_insert(struct tar_index *ix, size_t k, uint64_t hoff)
{
	if ((ix->n + 1) * 2 > ix->ht_cap) ht_grow(ix);
	struct tar_member *m = &ix->m[k];
	m->next_same = -1;
	int32_t *s = ht_slot(ix, m->name);
	if (!*s) {
		*s = (int32_t)k + 1;
		return;
	}
	struct tar_member *first = &ix->m[*s - 1], *last = first;
	while (last->next_same >= 0) last = &ix->m[last->next_same];
	last->next_same = (int32_t)k;
	if (first->kind == TAR_DIR && m->kind == TAR_DIR)
		return; /* folders merge alike everywhere */
	ambiguity(ix, hoff, m->name,
	          "two members named '%.120s' after path.Clean: containers/image reads the first, "
	          "containerd and "
	          "extraction the last",
	          m->name);
}

/* ------------------------------------------------------------ reading */

static int pread_full(int fd, void *buf, size_t n, uint64_t off)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));
		if (r < 0) {
			if (errno == EINTR) continue;
			return -1;
		}
		if (r == 0) return (int)got == 0 ? 0 : -2;
		got += (size_t)r;
	}
	return 1;
}

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i]) return 0;
	return 1;
}

/* What the extended headers before a member said. */
struct ext {
	char *long_name, *long_link; /* GNU L, K (cut at a NUL, as Go) */
	char *pax_path, *pax_link;   /* PAX path, linkpath (non-empty only) */
	int64_t pax_size;
	int has_pax_size, sparse;
};

static void ext_clear(struct ext *e)
{
	free(e->long_name);
	free(e->long_link);
	free(e->pax_path);
	free(e->pax_link);
	memset(e, 0, sizeof *e);
}

static char *dup_n(const char *s, size_t n)
{
	char *o = xmalloc(n + 1);
	memcpy(o, s, n);
	o[n] = '\0';
	return o;
}

/* Go's strconv.ParseInt(s, 10, 64): an optional sign, decimal digits. */
static int go_parse_int(const char *s, size_t n, int64_t *out)
{
	size_t i = 0;
	int neg = 0;
	if (i < n && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
	if (i == n) return -1;
	uint64_t v = 0;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - 9) / 10) return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > (uint64_t)INT64_MAX + (uint64_t)neg) return -1;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

/* One PAX record at buf (Go's parsePAXRecord, validPAXRecord); returns its
 * length or -1. */
static long pax_record(const char *buf, size_t n, const char **k, size_t *kl, const char **v,
                       size_t *vl)
{
	const char *sp = memchr(buf, ' ', n);
	int64_t len;
	if (!sp || go_parse_int(buf, (size_t)(sp - buf), &len) < 0 || len < 5 || (uint64_t)len > n)
		return -1;
	if (len <= (sp - buf) + 1) return -1;
	const char *rec = sp + 1, *end = buf + len - 1; /* end: the newline */
	if (*end != '\n') return -1;
	const char *eq = memchr(rec, '=', (size_t)(end - rec));
	if (!eq || eq == rec) return -1;
	*k = rec;
	*kl = (size_t)(eq - rec);
	*v = eq + 1;
	*vl = (size_t)(end - (eq + 1));
	int named = (*kl == 4 && !memcmp(*k, "path", 4)) ||
	            (*kl == 8 && !memcmp(*k, "linkpath", 8)) ||
	            (*kl == 5 && (!memcmp(*k, "uname", 5) || !memcmp(*k, "gname", 5)));
	if (named ? memchr(*v, 0, *vl) != NULL : memchr(*k, 0, *kl) != NULL) return -1;
	return (long)len;
}

/* Go's parsePAXTime: decimal seconds (ParseInt), then an optional "."
 * and digits only. */
static int pax_time_ok(const char *v, size_t n)
{
	const char *dot = memchr(v, '.', n);
	size_t sl = dot ? (size_t)(dot - v) : n;
	int64_t t;
	if (go_parse_int(v, sl, &t) < 0) return -1;
	for (size_t i = sl + 1; dot && i < n; i++)
		if (v[i] < '0' || v[i] > '9') return -1;
	return 0;
}

static int key_is(const char *k, size_t kl, const char *want)
{
	return kl == strlen(want) && !memcmp(k, want, kl);
}

/* Go's parsePAX then mergePAX for the keys that decide what is read: the
 * last record of a key wins; an empty value keeps the header's field. */
static int parse_pax(const char *buf, size_t n, struct ext *e)
{
	size_t off = 0;
	while (off < n) {
		const char *k, *v;
		size_t kl, vl;
		long len = pax_record(buf + off, n - off, &k, &kl, &v, &vl);
		if (len < 0) return -1;
		off += (size_t)len;
		if (kl > 11 && !memcmp(k, "GNU.sparse.", 11)) e->sparse = 1;
		if (!vl) continue;
		if ((key_is(k, kl, "path") || key_is(k, kl, "linkpath")) && vl >= TAR_MAX_NAME)
			return -1;
		if (key_is(k, kl, "path")) {
			free(e->pax_path);
			e->pax_path = dup_n(v, vl);
		} else if (key_is(k, kl, "linkpath")) {
			free(e->pax_link);
			e->pax_link = dup_n(v, vl);
		} else if (key_is(k, kl, "size")) {
			if (go_parse_int(v, vl, &e->pax_size) < 0) return -1;
			e->has_pax_size = 1;
		} else if (key_is(k, kl, "uid") || key_is(k, kl, "gid")) {
			int64_t t;
			if (go_parse_int(v, vl, &t) < 0) return -1;
		} else if (key_is(k, kl, "atime") || key_is(k, kl, "mtime") ||
		           key_is(k, kl, "ctime")) {
			if (pax_time_ok(v, vl) < 0) return -1;
		}
	}
	return 0;
}

struct walk {
	struct tar_index *ix;
	uint64_t off;
	struct ext e;
	int zero_then; /* a zero block was just read */
};

static int stop_at(struct walk *w, ea_errc_t code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static int stop_at(struct walk *w, ea_errc_t code, const char *fmt, ...)
{
	char msg[240];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	w->ix->truncated = 1;
	ea_fail(&w->ix->err, code, "%s: %s at offset %llu", w->ix->label, msg,
	        (unsigned long long)w->off);
	return -1;
}

/* An extended header's content (x, g, L, K), bounded as Go bounds it. */
static int read_special(struct walk *w, uint64_t data, uint64_t size, char **out)
{
	if (size > TAR_MAX_PAX)
		return stop_at(w, EA_E_TOOBIG, "extended header of %llu bytes",
		               (unsigned long long)size);
	char *buf = xmalloc(size + 1);
	if (size && pread_full(w->ix->fd, buf, size, data) != 1) {
		free(buf);
		return stop_at(w, EA_E_TRUNCATED, "truncated extended header");
	}
	buf[size] = '\0';
	*out = buf;
	return 0;
}

static tar_kind_t kind_of(char type, const char *name)
{
	switch (type) {
	case '0': return TAR_FILE;
	case '\0':
		return name[0] && name[strlen(name) - 1] == '/' ? TAR_DIR
		                                                : TAR_FILE; /* Go's TypeRegA rule */
	case '5': return TAR_DIR;
	case '1': return TAR_LINK;
	case '2': return TAR_SYMLINK;
	default: return TAR_SPECIAL; /* '7' included: containerd's importer skips it */
	}
}

static int header_only(char type)
{
	return type == '1' || type == '2' || type == '3' || type == '4' || type == '5' ||
	       type == '6';
}

/* The member's name as Go ends with it: the GNU long name, else the PAX
 * path, else the header's own (into hname, TAR_HEADER_NAME_MAX bytes). */
static const char *final_name(const struct walk *w, const unsigned char h[512], char *hname)
{
	tar_header_name(h, hname);
	if (w->e.long_name && w->e.long_name[0]) return w->e.long_name; /* Go: it wins */
	return w->e.pax_path ? w->e.pax_path : hname;
}

/* Does the member carry no data?  Links, devices, folders and FIFOs, and
 * (Go: TypeRegA promoted to TypeDir before its data is sized) a type-0-NUL
 * member whose final name ends in '/'. */
static int member_has_no_data(const struct walk *w, const unsigned char h[512])
{
	char type = (char)h[156];
	if (header_only(type)) return 1;
	if (type != '\0') return 0;
	char hname[TAR_HEADER_NAME_MAX];
	const char *name = final_name(w, h, hname);
	return name[0] && name[strlen(name) - 1] == '/';
}

/* A member header (not an extended one): record it. */
static int add_member(struct walk *w, const unsigned char h[512], uint64_t data, uint64_t size)
{
	struct tar_index *ix = w->ix;
	char type = (char)h[156];
	char hname[TAR_HEADER_NAME_MAX], alt[TAR_HEADER_NAME_MAX];
	const char *use = final_name(w, h, hname);
	if (w->e.long_name && w->e.long_name[0] && w->e.pax_path &&
	    strcmp(w->e.long_name, w->e.pax_path))
		ambiguity(ix, w->off, w->e.long_name,
		          "member has a GNU long name '%.80s' and a PAX path '%.80s'",
		          w->e.long_name, w->e.pax_path);
	if (use == hname) {
		naive_name(h, alt);
		if (strcmp(alt, hname))
			ambiguity(ix, w->off, hname,
			          "header name reads '%.80s' as Go reads it, '%.80s' with its "
			          "prefix bytes",
			          hname, alt);
	}
	if (ix->n >= TAR_MAX_MEMBERS)
		return stop_at(w, EA_E_TOOBIG, "more than %d members", TAR_MAX_MEMBERS);
	if (ix->n == ix->cap) {
		ix->cap = ix->cap ? ix->cap * 2 : 64;
		ix->m = xrealloc(ix->m, ix->cap * sizeof *ix->m);
	}
	struct tar_member *m = &ix->m[ix->n];
	memset(m, 0, sizeof *m);
	size_t ul = strlen(use);
	char *clean = xmalloc(ul + 2);
	m->name = tar_clean_path(use, clean, ul + 2);
	m->unsafe_name = raw_unsafe(use) || !strcmp(clean, "..");
	m->kind = kind_of(type, use);
	m->offset = data;
	m->size = m->kind == TAR_FILE ? size : 0;
	if (m->kind == TAR_LINK || m->kind == TAR_SYMLINK) {
		const char *lt =
		        w->e.long_link && w->e.long_link[0] ? w->e.long_link : w->e.pax_link;
		if (w->e.long_link && w->e.long_link[0] && w->e.pax_link &&
		    strcmp(w->e.long_link, w->e.pax_link))
			ambiguity(ix, w->off, m->name,
			          "link has a GNU long link name and a different PAX linkpath");
		m->link = lt ? xstrdup(lt) : dup_n((const char *)h + 157, field_len(h + 157, 100));
	}
	ht_insert(ix, ix->n, w->off);
	ix->n++;
	return 0;
}

/* Read the header at w->off; returns 1 to go on, 0 at the end, -1 stopped. */
static int next_header(struct walk *w)
{
	struct tar_index *ix = w->ix;
	unsigned char h[512];
	int rr = pread_full(ix->fd, h, 512, w->off);
	if (rr == 0) return 0; /* EOF on a block boundary: Go's io.EOF */
	if (rr < 0) return stop_at(w, EA_E_TRUNCATED, "truncated tar header");
	if (all_zero(h, 512)) {
		if (w->zero_then) return 0; /* two zero blocks: the end */
		w->zero_then = 1;
		w->off += 512;
		return 1;
	}
	if (w->zero_then) {
		/* Go's Reader stops with ErrHeader here; other readers go on. */
		ambiguity(ix, w->off, "(end of archive)",
		          "a header after a single zero block: Go's archive/tar stops, "
		          "other readers read on");
		return stop_at(w, EA_E_FORMAT, "header after a single zero block");
	}
	if (!tar_checksum_ok(h)) return stop_at(w, EA_E_FORMAT, "bad tar header checksum");
	if (!go_fields_ok(h))
		return stop_at(w, EA_E_FORMAT, "a numeric header field Go's archive/tar refuses");
	int64_t ssize;
	go_numeric(h + 124, 12, &ssize);
	char type = (char)h[156];
	/* Go sizes the data twice: by the raw header first (a negative size is
	 * refused unless the raw type carries no data), then after the PAX
	 * records and the type-NUL-with-'/' promotion to a folder */
	if (ssize < 0 && !header_only(type)) return stop_at(w, EA_E_FORMAT, "negative member size");
	if (w->e.has_pax_size && type != 'x' && type != 'g' && type != 'L' && type != 'K')
		ssize = w->e.pax_size;
	if (member_has_no_data(w, h)) ssize = 0;
	if (ssize < 0) return stop_at(w, EA_E_FORMAT, "negative member size");
	uint64_t size = (uint64_t)ssize, data = w->off + 512;
	if (size > ix->file_size || data > ix->file_size - size)
		return stop_at(w, EA_E_TRUNCATED,
		               "member claims %llu bytes past the end of the file",
		               (unsigned long long)size);
	uint64_t next = data + (size + 511) / 512 * 512;
	if (type == 'S' || (w->e.sparse && type != 'x' && type != 'L' && type != 'K')) {
		ambiguity(ix, w->off, "(sparse member)",
		          "a GNU sparse member: edgeaudit does not read sparse maps");
		return stop_at(w, EA_E_UNSUPPORTED, "GNU sparse member");
	}
	char *buf = NULL;
	if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
		if (read_special(w, data, size, &buf) < 0) return -1;
	}
	if (type == 'x') {
		/* Go: each PAX header replaces the one before it */
		free(w->e.pax_path);
		free(w->e.pax_link);
		w->e.pax_path = w->e.pax_link = NULL;
		w->e.has_pax_size = w->e.sparse = 0;
		int bad = parse_pax(buf, size, &w->e) < 0;
		free(buf);
		if (bad) return stop_at(w, EA_E_FORMAT, "malformed pax header");
		w->off = next;
		return 1;
	}
	if (type == 'L' || type == 'K') {
		char **dst = type == 'L' ? &w->e.long_name : &w->e.long_link;
		size_t l = strnlen(buf, size);
		free(*dst);
		*dst = l < TAR_MAX_NAME ? dup_n(buf, l) : NULL;
		free(buf);
		if (!*dst) return stop_at(w, EA_E_TOOBIG, "GNU long name of %zu bytes", l);
		w->off = next;
		return 1;
	}
	if (type == 'g') {
		/* Go returns a global header as an entry of its own (and applies
		 * none of it): a consumer looking for a name can meet it. */
		ext_clear(&w->e); /* Go: a pending PAX header or long name is dropped */
		int bad = parse_pax(buf, size, &w->e) < 0; /* its own path names the entry */
		free(buf);
		if (bad) return stop_at(w, EA_E_FORMAT, "malformed global pax header");
		int rc = add_member(w, h, data, 0);
		ext_clear(&w->e);
		if (rc < 0) return -1;
		w->off = next;
		return 1;
	}
	if (add_member(w, h, data, size) < 0) return -1;
	ext_clear(&w->e);
	w->off = next;
	return 1;
}

int tar_index_open(struct tar_index *ix, int fd, const char *label, ea_error_t *err)
{
	memset(ix, 0, sizeof *ix);
	ix->fd = fd;
	snprintf(ix->label, sizeof ix->label, "%s", label);
	struct stat st;
	if (fstat(fd, &st) < 0) return ea_fail_errno(err, errno, "cannot stat %s", label);
	if (!S_ISREG(st.st_mode))
		return ea_fail(err, EA_E_NOTREG, "%s is not a regular file", label);
	ix->file_size = (uint64_t)st.st_size;
	struct walk w = {.ix = ix};
	for (unsigned long k = 0;; k++) {
		if ((k & 255) == 255 && ea_stop_requested()) {
			stop_at(&w, EA_E_INTERRUPTED, "stopped (budget or signal) while indexing");
			break;
		}
		if (next_header(&w) <= 0) break;
	}
	ext_clear(&w.e);
	if (ix->n == 0 && ix->truncated) {
		if (err) *err = ix->err;
		return -1;
	}
	return 0;
}

void tar_index_free(struct tar_index *ix)
{
	for (size_t i = 0; i < ix->n; i++) {
		free(ix->m[i].name);
		free(ix->m[i].link);
	}
	free(ix->m);
	free(ix->ht);
	ix->m = NULL;
	ix->ht = NULL;
	ix->n = ix->cap = ix->ht_cap = 0;
}

const struct tar_member *tar_find(const struct tar_index *ix, const char *name)
{
	if (!ix->ht_cap) return NULL;
	size_t l = strlen(name);
	cleanup_free char *clean = xmalloc(l + 2);
	tar_clean_path(name, clean, l + 2);
	int32_t v = *ht_slot(ix, clean);
	return v ? &ix->m[v - 1] : NULL;
}

/* containers/image's one hop: path.Join(path.Dir(name), linkname), looked
 * up by path.Clean.  A target above the archive's root or absolute is
 * refused (no consumer could read it from the archive). */
static int link_target(const char *from, const char *link, char *out, size_t n)
{
	if (!link || !*link || link[0] == '/') return -1;
	const char *slash = strrchr(from, '/');
	int dl = slash ? (int)(slash - from) : 0;
	char buf[2 * TAR_MAX_NAME + 2];
	snprintf(buf, sizeof buf, "%.*s%s%s", dl, from, dl ? "/" : "", link);
	if (n < strlen(buf) + 2) return -1;
	tar_clean_path(buf, out, n);
	return (!strcmp(out, "..") || !strncmp(out, "../", 3) || !strcmp(out, ".")) ? -1 : 0;
}

int tar_member_region(const struct tar_index *ix, const char *name, struct blob_region *out,
                      ea_error_t *err)
{
	const struct tar_member *m = tar_find(ix, name);
	if (!m) return ea_fail(err, EA_E_NOENT, "%.120s: no member %.120s", ix->label, name);
	if (m->kind == TAR_SYMLINK) {
		char target[2 * TAR_MAX_NAME + 2];
		if (link_target(m->name, m->link, target, sizeof target) < 0)
			return ea_fail(err, EA_E_SYMLINK,
			               "%.120s: member %.120s is a link that leaves the archive",
			               ix->label, name);
		const struct tar_member *t = tar_find(ix, target);
		if (!t)
			return ea_fail(err, EA_E_SYMLINK,
			               "%.120s: member %.120s links to %.120s, which is not in the "
			               "archive",
			               ix->label, name, target);
		if (t->kind == TAR_SYMLINK || t->kind == TAR_LINK)
			return ea_fail(err, EA_E_SYMLINK,
			               "%.120s: member %.120s links to another link "
			               "(containers/image follows one)",
			               ix->label, name);
		m = t;
	}
	if (m->kind == TAR_LINK)
		return ea_fail(err, EA_E_SYMLINK,
		               "%.120s: member %.120s is a hard link (the engines do not read it "
		               "as the file)",
		               ix->label, name);
	if (m->kind != TAR_FILE)
		return ea_fail(err, EA_E_NOTREG, "%.120s: member %.120s is not a regular file",
		               ix->label, name);
	out->fd = ix->fd;
	out->owns_fd = 0;
	out->offset = (off_t)m->offset;
	out->size = m->size;
	snprintf(out->where, sizeof out->where, "%.60s:%.90s", ix->label, name);
	return 0;
}

struct tar_src_priv {
	const struct tar_index *ix;
	char prefix[128];
};

static int tar_src_open(struct blobsrc *s, const digest_t *d, struct blob_region *out,
                        ea_error_t *err)
{
	struct tar_src_priv *p = s->priv;
	char name[DIGEST_MAX_STR + 160];
	snprintf(name, sizeof name, "%sblobs/%s/%s", p->prefix, digest_alg_name(d->alg),
	         digest_hex(d));
	return tar_member_region(p->ix, name, out, err);
}

static void tar_src_close(struct blobsrc *s)
{
	free(s->priv);
	s->priv = NULL;
}

static const struct blobsrc_ops tar_src_ops = {tar_src_open, tar_src_close};

void blobsrc_tar(struct blobsrc *s, const struct tar_index *ix, const char *prefix,
                 const char *label)
{
	struct tar_src_priv *p = xcalloc(1, sizeof *p);
	p->ix = ix;
	snprintf(p->prefix, sizeof p->prefix, "%s", prefix);
	s->ops = &tar_src_ops;
	s->priv = p;
	snprintf(s->label, sizeof s->label, "%s", label);
}
