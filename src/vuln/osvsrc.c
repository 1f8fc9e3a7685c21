/* osvsrc: OSV records from files, folders and all.zip (see osvsrc.h). */
#include "osvsrc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "fsx.h"
#include "osv.h"

static uint16_t le16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t le64(const unsigned char *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

static int pread_full(int fd, void *buf, size_t n, uint64_t off, ea_error_t *err)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR) continue;
		if (r < 0)
			return ea_fail_errno(err, errno, "read at %llu", (unsigned long long)off);
		if (r == 0)
			return ea_fail(err, EA_E_TRUNCATED, "ends before offset %llu",
			               (unsigned long long)(off + n));
		got += (size_t)r;
	}
	return 0;
}

/* ------------------------------------------------------------------ ZIP */

struct zdir {
	uint64_t off, size, n; /* central directory */
};

/* The end of central directory record (and ZIP64's when its fields say so). */
static int zip_eocd(int fd, uint64_t fsize, struct zdir *d, ea_error_t *err)
{
	unsigned char tail[65557];
	size_t n = fsize < sizeof tail ? (size_t)fsize : sizeof tail;
	if (n < 22 || pread_full(fd, tail, n, fsize - n, err) < 0)
		return ea_fail(err, EA_E_FORMAT, "not a ZIP archive (too short)");
	size_t i = n - 22 + 1;
	while (i-- > 0)
		if (le32(tail + i) == 0x06054b50 && i + 22 + le16(tail + i + 20) == n) break;
	if (i == (size_t)-1) return ea_fail(err, EA_E_FORMAT, "no ZIP end of central directory");
	const unsigned char *e = tail + i;
	d->n = le16(e + 10);
	d->size = le32(e + 12);
	d->off = le32(e + 16);
	if (d->n != 0xffff && d->size != 0xffffffff && d->off != 0xffffffff) return 0;
	uint64_t eocd = fsize - n + i;
	unsigned char loc[20], z[56];
	if (eocd < 20 || pread_full(fd, loc, 20, eocd - 20, err) < 0 || le32(loc) != 0x07064b50 ||
	    pread_full(fd, z, 56, le64(loc + 8), err) < 0 || le32(z) != 0x06064b50)
		return ea_fail(err, EA_E_FORMAT, "a ZIP64 archive without its ZIP64 directory end");
	d->n = le64(z + 32);
	d->size = le64(z + 40);
	d->off = le64(z + 48);
	return 0;
}

struct zent {
	uint16_t method;
	uint32_t crc;
	uint64_t csize, usize, lho;
	char name[512];
};

/* The data offset of an entry, from its local header. */
static int zip_data_off(int fd, uint64_t fsize, const struct zent *z, uint64_t *off,
                        ea_error_t *err)
{
	unsigned char h[30];
	if (z->lho > fsize || pread_full(fd, h, 30, z->lho, err) < 0 || le32(h) != 0x04034b50)
		return ea_fail(err, EA_E_FORMAT, "no local header");
	*off = z->lho + 30 + le16(h + 26) + le16(h + 28);
	if (*off > fsize || z->csize > fsize - *off)
		return ea_fail(err, EA_E_FORMAT, "entry data past the end of the archive");
	return 0;
}

static int zip_inflate(const unsigned char *in, size_t n, char *out, size_t usize, ea_error_t *err)
{
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) return ea_fail(err, EA_E_NOMEM, "zlib init");
	zs.next_in = (unsigned char *)in;
	zs.avail_in = (uInt)n;
	zs.next_out = (unsigned char *)out;
	zs.avail_out = (uInt)usize;
	int rc = inflate(&zs, Z_FINISH);
	size_t made = usize - zs.avail_out;
	inflateEnd(&zs);
	if (rc != Z_STREAM_END || made != usize)
		return ea_fail(err, EA_E_FORMAT,
		               "deflate data corrupt or not of the declared size");
	return 0;
}

/* One entry's content (NUL-terminated) into *out. */
static int zip_read(int fd, uint64_t fsize, const struct zent *z, char **out, ea_error_t *err)
{
	uint64_t off = 0;
	if (zip_data_off(fd, fsize, z, &off, err) < 0) return -1;
	if (z->usize > OSV_RECORD_MAX || z->csize > OSV_RECORD_MAX + (OSV_RECORD_MAX >> 4))
		return ea_fail(err, EA_E_TOOBIG, "entry over %u bytes", OSV_RECORD_MAX);
	if (z->method != 0 && z->method != 8)
		return ea_fail(err, EA_E_UNSUPPORTED, "compression method %u", z->method);
	if (z->method == 0 && z->csize != z->usize)
		return ea_fail(err, EA_E_FORMAT, "a stored entry whose sizes differ");
	cleanup_free unsigned char *in = xmalloc(z->csize + 1);
	if (pread_full(fd, in, z->csize, off, err) < 0) return -1;
	cleanup_free char *buf = xmalloc(z->usize + 1);
	if (z->method == 0) memcpy(buf, in, z->usize);
	else if (zip_inflate(in, z->csize, buf, z->usize, err) < 0) return -1;
	buf[z->usize] = '\0';
	if (crc32(0, (unsigned char *)buf, (uInt)z->usize) != z->crc)
		return ea_fail(err, EA_E_MISMATCH, "CRC-32 differs");
	*out = steal_pointer(&buf);
	return 0;
}

/* Parse the central directory entry at *pos into z; advances *pos. */
static int zip_cd_entry(int fd, const struct zdir *d, uint64_t *pos, struct zent *z,
                        ea_error_t *err)
{
	unsigned char h[46];
	if (*pos + 46 > d->off + d->size || pread_full(fd, h, 46, *pos, err) < 0 ||
	    le32(h) != 0x02014b50)
		return ea_fail(err, EA_E_FORMAT, "ZIP central directory entry malformed");
	uint16_t nl = le16(h + 28), xl = le16(h + 30), cl = le16(h + 32);
	z->method = le16(h + 10);
	z->crc = le32(h + 16);
	z->csize = le32(h + 20);
	z->usize = le32(h + 24);
	z->lho = le32(h + 42);
	if (nl >= sizeof z->name || *pos + 46 + nl + xl + cl > d->off + d->size)
		return ea_fail(err, EA_E_FORMAT, "ZIP central directory entry name malformed");
	if (pread_full(fd, z->name, nl, *pos + 46, err) < 0) return -1;
	z->name[nl] = '\0';
	if (memchr(z->name, '\0', nl))
		return ea_fail(err, EA_E_FORMAT, "ZIP entry name with a NUL byte");
	*pos += 46 + nl + xl + cl;
	return 0;
}

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

static int zip_each(int fd, uint64_t fsize, const char *path, osvsrc_fn fn, void *ctx,
                    ea_error_t *err)
{
	struct zdir d;
	if (zip_eocd(fd, fsize, &d, err) < 0) return -1;
	if (d.off > fsize || d.size > fsize - d.off || d.n > OSVSRC_MAX_ENTRIES)
		return ea_fail(err, EA_E_FORMAT, "ZIP central directory out of the file");
	uint64_t pos = d.off;
	for (uint64_t i = 0; i < d.n; i++) {
		struct zent z;
		if (zip_cd_entry(fd, &d, &pos, &z, err) < 0) return -1;
		if (!ends_with(z.name, ".json")) continue;
		char name[4096 + 600];
		snprintf(name, sizeof name, "%.4000s!%s", path, z.name);
		cleanup_free char *buf = NULL;
		ea_error_t rerr = {0};
		int rc = z.usize == 0xffffffff || z.csize == 0xffffffff || z.lho == 0xffffffff
		                 ? ea_fail(&rerr, EA_E_UNSUPPORTED, "a ZIP64 entry")
		                 : zip_read(fd, fsize, &z, &buf, &rerr);
		if (fn(ctx, name, buf, rc < 0 ? 0 : z.usize, rc < 0 ? &rerr : NULL) < 0)
			return ea_fail(err, EA_E_INTERRUPTED, "stopped");
	}
	return 0;
}

/* ---------------------------------------------------------- files, folders */

static int file_each(int fd, const char *path, osvsrc_fn fn, void *ctx, ea_error_t *err)
{
	struct stat st;
	if (fstat(fd, &st) < 0) return ea_fail_errno(err, errno, "%s", path);
	unsigned char magic[4] = {0};
	if (st.st_size >= 4 && pread_full(fd, magic, 4, 0, err) < 0) return -1;
	if (!memcmp(magic, "PK", 2)) return zip_each(fd, (uint64_t)st.st_size, path, fn, ctx, err);
	cleanup_free char *buf = NULL;
	size_t len = 0;
	ea_error_t rerr = {0};
	int rc = fsx_read_fd(fd, OSV_RECORD_MAX, &buf, &len, &rerr);
	if (fn(ctx, path, buf, len, rc < 0 ? &rerr : NULL) < 0)
		return ea_fail(err, EA_E_INTERRUPTED, "stopped");
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++) free(v[i]);
	free(v);
}

/* The names in folder fd, sorted (at most OSVSRC_MAX_ENTRIES). */
static int dir_names(int fd, char ***out, size_t *n, ea_error_t *err)
{
	int dfd = dup(fd);
	DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
	if (!d) {
		if (dfd >= 0) close(dfd);
		return ea_fail_errno(err, errno, "cannot list the folder");
	}
	struct dirent *e;
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	while ((e = readdir(d)) && *n < OSVSRC_MAX_ENTRIES) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
		if (*n == cap) *out = xrealloc(*out, (cap = cap ? cap * 2 : 256) * sizeof(char *));
		(*out)[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (*n) qsort(*out, *n, sizeof(char *), cmp_names);
	return 0;
}

static int dir_each(int fd, const char *path, int depth, osvsrc_fn fn, void *ctx, ea_error_t *err);

static int dir_entry(int fd, const char *path, const char *name, int depth, osvsrc_fn fn, void *ctx,
                     ea_error_t *err)
{
	cleanup_free char *sub = xasprintf("%s/%s", path, name);
	struct stat st;
	ea_error_t rerr = {0};
	if (fsx_lstat_at(fd, name, &st, &rerr) < 0) return fn(ctx, sub, NULL, 0, &rerr);
	if (S_ISDIR(st.st_mode) && depth < 4) {
		cleanup_close int dfd = fsx_open_dir_at(fd, name, &rerr);
		if (dfd < 0) return fn(ctx, sub, NULL, 0, &rerr);
		return dir_each(dfd, sub, depth + 1, fn, ctx, err);
	}
	if (!ends_with(name, ".json") && !ends_with(name, ".zip")) return 0;
	if (!S_ISREG(st.st_mode)) {
		ea_fail(&rerr, EA_E_NOTREG, "not a regular file (%s)", fsx_type_name(st.st_mode));
		return fn(ctx, sub, NULL, 0, &rerr);
	}
	cleanup_close int ffd = fsx_open_file_at(fd, name, NULL, &rerr);
	if (ffd < 0) return fn(ctx, sub, NULL, 0, &rerr);
	return file_each(ffd, sub, fn, ctx, err);
}

static int dir_each(int fd, const char *path, int depth, osvsrc_fn fn, void *ctx, ea_error_t *err)
{
	char **names = NULL;
	size_t n = 0;
	if (dir_names(fd, &names, &n, err) < 0) return -1;
	int rc = 0;
	for (size_t i = 0; i < n && rc >= 0; i++)
		rc = dir_entry(fd, path, names[i], depth, fn, ctx, err);
	free_names(names, n);
	if (rc < 0 && err->code == EA_OK) ea_fail(err, EA_E_INTERRUPTED, "stopped");
	return rc;
}

int osvsrc_each(const char *path, osvsrc_fn fn, void *ctx, ea_error_t *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) return ea_fail_errno(err, errno, "%s", path);
	struct stat st;
	if (fstat(fd, &st) < 0) return ea_fail_errno(err, errno, "%s", path);
	if (S_ISDIR(st.st_mode)) return dir_each(fd, path, 0, fn, ctx, err);
	if (!S_ISREG(st.st_mode))
		return ea_fail(err, EA_E_NOTREG, "%s: not a file or folder", path);
	return file_each(fd, path, fn, ctx, err);
}
