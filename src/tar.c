/* tar: see tar.h. */
#include "tar.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void tar_header_name(const unsigned char h[512], char out[TAR_HEADER_NAME_MAX])
{
	size_t nl = strnlen((const char *)h, 100);
	if (!memcmp(h + 257, "ustar", 5) && h[345]) {
		size_t pl = strnlen((const char *)h + 345, 155);
		memcpy(out, h + 345, pl);
		out[pl] = '/';
		memcpy(out + pl + 1, h, nl);
		out[pl + 1 + nl] = '\0';
	} else {
		memcpy(out, h, nl);
		out[nl] = '\0';
	}
}

int tar_parse_number(const unsigned char *f, size_t n, uint64_t *out)
{
	if (n == 0) return -1;
	if (f[0] & 0x80) {
		/* base-256 (GNU): big-endian two's complement; negative is invalid here */
		if (f[0] & 0x40) return -1;
		uint64_t v = f[0] & 0x3f;
		for (size_t i = 1; i < n; i++) {
			if (v >> 56) return -1;
			v = v << 8 | f[i];
		}
		*out = v;
		return 0;
	}
	uint64_t v = 0;
	size_t i = 0;
	while (i < n && f[i] == ' ') i++;
	int digits = 0;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++, digits++) {
		if (v >> 60) return -1;
		v = v * 8 + (uint64_t)(f[i] - '0');
	}
	for (; i < n; i++)
		if (f[i] != ' ' && f[i] != '\0') return -1;
	if (!digits) return -1;
	*out = v;
	return 0;
}

int tar_checksum_ok(const unsigned char h[512])
{
	uint64_t want;
	if (tar_parse_number(h + 148, 8, &want) < 0) return 0;
	unsigned long sum = 0;
	for (int i = 0; i < 512; i++) sum += (i >= 148 && i < 156) ? ' ' : h[i];
	return sum == want;
}

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i]) return 0;
	return 1;
}

static char *clean_name(const char *raw, size_t n, int *unsafe)
{
	char *s = xmalloc(n + 1);
	memcpy(s, raw, n);
	s[n] = '\0';
	char *p = s;
	while (p[0] == '.' && p[1] == '/') p += 2;
	*unsafe = p[0] == '/';
	/* ".." as any component */
	for (const char *q = p; *q;) {
		const char *e = strchr(q, '/');
		size_t len = e ? (size_t)(e - q) : strlen(q);
		if (len == 2 && q[0] == '.' && q[1] == '.') *unsafe = 1;
		if (!e) break;
		q = e + 1;
	}
	size_t l = strlen(p);
	while (l > 1 && p[l - 1] == '/') p[--l] = '\0';
	char *o = xstrdup(p);
	free(s);
	return o;
}

/* Parse pax records "LEN key=value\n" for path and size. */
static int parse_pax(const char *buf, size_t n, char **path, char **linkpath, uint64_t *size, int *has_size)
{
	size_t off = 0;
	while (off < n) {
		size_t len = 0, i = off;
		while (i < n && buf[i] >= '0' && buf[i] <= '9' && len < TAR_MAX_PAX) len = len * 10 + (size_t)(buf[i++] - '0');
		if (i >= n || buf[i] != ' ' || len == 0 || len > n - off) return -1;
		const char *rec = buf + i + 1, *end = buf + off + len;
		if (end[-1] != '\n') return -1;
		const char *eq = memchr(rec, '=', (size_t)(end - rec));
		if (!eq) return -1;
		size_t klen = (size_t)(eq - rec), vlen = (size_t)(end - 1 - (eq + 1));
		if (klen == 4 && !memcmp(rec, "path", 4) && vlen < TAR_MAX_NAME) {
			free(*path);
			*path = xmalloc(vlen + 1);
			memcpy(*path, eq + 1, vlen);
			(*path)[vlen] = '\0';
		} else if (klen == 8 && !memcmp(rec, "linkpath", 8) && vlen < TAR_MAX_NAME) {
			free(*linkpath);
			*linkpath = xmalloc(vlen + 1);
			memcpy(*linkpath, eq + 1, vlen);
			(*linkpath)[vlen] = '\0';
		} else if (klen == 4 && !memcmp(rec, "size", 4)) {
			uint64_t v = 0;
			for (size_t k = 0; k < vlen; k++) {
				char ch = eq[1 + k];
				if (ch < '0' || ch > '9' || v > (UINT64_MAX - 9) / 10) return -1;
				v = v * 10 + (uint64_t)(ch - '0');
			}
			*size = v;
			*has_size = 1;
		}
		off += len;
	}
	return 0;
}

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

int tar_index_open(struct tar_index *ix, int fd, const char *label, ea_error_t *err)
{
	memset(ix, 0, sizeof *ix);
	ix->fd = fd;
	snprintf(ix->label, sizeof ix->label, "%s", label);
	struct stat st;
	if (fstat(fd, &st) < 0) return ea_fail_errno(err, errno, "cannot stat %s", label);
	if (!S_ISREG(st.st_mode)) return ea_fail(err, EA_E_NOTREG, "%s is not a regular file", label);
	ix->file_size = (uint64_t)st.st_size;

	uint64_t off = 0;
	char *long_name = NULL, *pax_path = NULL, *long_link = NULL, *pax_link = NULL;
	uint64_t pax_size = 0;
	int has_pax_size = 0, zero_blocks = 0;
	unsigned char h[512];
	for (;;) {
		int rr = pread_full(fd, h, 512, off);
		if (rr == 0) break; /* EOF without end blocks: accepted (tar(1) does) */
		if (rr < 0) {
			ix->truncated = 1;
			ea_fail(&ix->err, EA_E_TRUNCATED, "%s: truncated tar header at offset %llu", label, (unsigned long long)off);
			break;
		}
		if (all_zero(h, 512)) {
			if (++zero_blocks == 2) break;
			off += 512;
			continue;
		}
		zero_blocks = 0;
		if (!tar_checksum_ok(h)) {
			ix->truncated = 1;
			ea_fail(&ix->err, EA_E_FORMAT, "%s: bad tar header checksum at offset %llu", label, (unsigned long long)off);
			break;
		}
		uint64_t size;
		if (tar_parse_number(h + 124, 12, &size) < 0) {
			ix->truncated = 1;
			ea_fail(&ix->err, EA_E_FORMAT, "%s: invalid size field at offset %llu", label, (unsigned long long)off);
			break;
		}
		if (has_pax_size) size = pax_size;
		uint64_t data = off + 512;
		char type = (char)h[156];
		if (size > ix->file_size || data > ix->file_size - size) {
			ix->truncated = 1;
			ea_fail(&ix->err, EA_E_TRUNCATED, "%s: member at offset %llu claims %llu bytes past the end of the file",
				label, (unsigned long long)off, (unsigned long long)size);
			break;
		}
		uint64_t next = data + (size + 511) / 512 * 512;
		if (type == 'L' || type == 'K' || type == 'x') {
			/* GNU long name / pax extended header for the next member. */
			if (size > TAR_MAX_PAX) {
				ix->truncated = 1;
				ea_fail(&ix->err, EA_E_TOOBIG, "%s: extended header of %llu bytes", label, (unsigned long long)size);
				break;
			}
			char *buf = xmalloc(size + 1);
			if (pread_full(fd, buf, size, data) != 1 && size) {
				free(buf);
				ix->truncated = 1;
				ea_fail(&ix->err, EA_E_TRUNCATED, "%s: truncated extended header", label);
				break;
			}
			buf[size] = '\0';
			if (type == 'L' || type == 'K') {
				char **dst = type == 'L' ? &long_name : &long_link;
				free(*dst);
				*dst = xstrdup(buf);
				if (strlen(*dst) >= TAR_MAX_NAME) (*dst)[TAR_MAX_NAME - 1] = '\0';
			} else if (parse_pax(buf, size, &pax_path, &pax_link, &pax_size, &has_pax_size) < 0) {
				free(buf);
				ix->truncated = 1;
				ea_fail(&ix->err, EA_E_FORMAT, "%s: malformed pax header at offset %llu", label, (unsigned long long)off);
				break;
			}
			free(buf);
			off = next;
			continue;
		}
		if (type == 'g') { /* global pax: nothing we use */
			off = next;
			continue;
		}
		if (ix->n >= TAR_MAX_MEMBERS) {
			ix->truncated = 1;
			ea_fail(&ix->err, EA_E_TOOBIG, "%s: more than %d members", label, TAR_MAX_MEMBERS);
			break;
		}
		char name[TAR_HEADER_NAME_MAX];
		tar_header_name(h, name);
		const char *use = pax_path ? pax_path : long_name ? long_name : name;
		if (ix->n == ix->cap) {
			ix->cap = ix->cap ? ix->cap * 2 : 64;
			ix->m = xrealloc(ix->m, ix->cap * sizeof *ix->m);
		}
		struct tar_member *m = &ix->m[ix->n++];
		m->name = clean_name(use, strlen(use), &m->unsafe_name);
		m->offset = data;
		m->size = size;
		switch (type) {
		case '0': case '\0': case '7': m->kind = TAR_FILE; break;
		case '5': m->kind = TAR_DIR; break;
		case '1': m->kind = TAR_LINK; break;
		case '2': m->kind = TAR_SYMLINK; break;
		default: m->kind = TAR_SPECIAL; break;
		}
		m->link = NULL;
		if (m->kind == TAR_LINK || m->kind == TAR_SYMLINK) {
			const char *lt = pax_link ? pax_link : long_link;
			if (lt) {
				m->link = xstrdup(lt);
			} else {
				size_t ll = strnlen((const char *)h + 157, 100);
				m->link = xmalloc(ll + 1);
				memcpy(m->link, h + 157, ll);
				m->link[ll] = '\0';
			}
		}
		if (m->kind != TAR_FILE) m->size = 0;
		free(long_name);
		long_name = NULL;
		free(long_link);
		long_link = NULL;
		free(pax_link);
		pax_link = NULL;
		free(pax_path);
		pax_path = NULL;
		has_pax_size = 0;
		off = next;
	}
	free(long_name);
	free(pax_path);
	free(long_link);
	free(pax_link);
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
	ix->m = NULL;
	ix->n = ix->cap = 0;
}

const struct tar_member *tar_find(const struct tar_index *ix, const char *name)
{
	while (name[0] == '.' && name[1] == '/') name += 2;
	for (size_t i = ix->n; i-- > 0;)
		if (!strcmp(ix->m[i].name, name)) return &ix->m[i];
	return NULL;
}

/* Resolve a link target against the directory of `from` (symlinks) or the
 * archive root (hard links), refusing to leave the archive. */
static int resolve_link(const struct tar_member *m, char *out, size_t n)
{
	const char *t = m->link;
	if (!t || !*t || t[0] == '/') return -1;
	char buf[2 * TAR_MAX_NAME];
	if (m->kind == TAR_SYMLINK) {
		const char *slash = strrchr(m->name, '/');
		int dl = slash ? (int)(slash - m->name) : 0;
		snprintf(buf, sizeof buf, "%.*s%s%s", dl, m->name, dl ? "/" : "", t);
	} else {
		snprintf(buf, sizeof buf, "%s", t);
	}
	/* normalise: drop "." and empty components, apply "..", never above root */
	char *parts[512];
	int np = 0;
	char *save = NULL; /* strtok_r: blob sources are opened from --jobs threads */
	for (char *tok = strtok_r(buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (!strcmp(tok, ".")) continue;
		if (!strcmp(tok, "..")) {
			if (np == 0) return -1;
			np--;
			continue;
		}
		if (np == 512) return -1;
		parts[np++] = tok;
	}
	size_t off = 0;
	out[0] = '\0';
	for (int i = 0; i < np; i++) {
		int w = snprintf(out + off, n - off, "%s%s", i ? "/" : "", parts[i]);
		if (w < 0 || (size_t)w >= n - off) return -1;
		off += (size_t)w;
	}
	return np ? 0 : -1;
}

int tar_member_region(const struct tar_index *ix, const char *name, struct blob_region *out, ea_error_t *err)
{
	const struct tar_member *m = tar_find(ix, name);
	if (!m) return ea_fail(err, EA_E_NOENT, "%.120s: no member %.120s", ix->label, name);
	for (int hops = 0; m->kind == TAR_SYMLINK || m->kind == TAR_LINK; hops++) {
		char target[TAR_MAX_NAME];
		if (hops >= 8 || resolve_link(m, target, sizeof target) < 0)
			return ea_fail(err, EA_E_SYMLINK, "%.120s: member %.120s is a link that leaves the archive or loops",
				       ix->label, name);
		const struct tar_member *t = tar_find(ix, target);
		if (!t)
			return ea_fail(err, EA_E_SYMLINK, "%.120s: member %.120s links to %.120s, which is not in the archive",
				       ix->label, name, target);
		m = t;
	}
	if (m->kind != TAR_FILE)
		return ea_fail(err, EA_E_NOTREG, "%.120s: member %.120s is not a regular file", ix->label, name);
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

static int tar_src_open(struct blobsrc *s, const digest_t *d, struct blob_region *out, ea_error_t *err)
{
	struct tar_src_priv *p = s->priv;
	char name[DIGEST_MAX_STR + 160];
	snprintf(name, sizeof name, "%sblobs/%s/%s", p->prefix, digest_alg_name(d->alg), digest_hex(d));
	return tar_member_region(p->ix, name, out, err);
}

static void tar_src_close(struct blobsrc *s)
{
	free(s->priv);
	s->priv = NULL;
}

static const struct blobsrc_ops tar_src_ops = {tar_src_open, tar_src_close};

void blobsrc_tar(struct blobsrc *s, const struct tar_index *ix, const char *prefix, const char *label)
{
	struct tar_src_priv *p = xcalloc(1, sizeof *p);
	p->ix = ix;
	snprintf(p->prefix, sizeof p->prefix, "%s", prefix);
	s->ops = &tar_src_ops;
	s->priv = p;
	snprintf(s->label, sizeof s->label, "%s", label);
}
