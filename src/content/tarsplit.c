/* tarsplit: see tarsplit.h. */
#include "tarsplit.h"

#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mbedtls/base64.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fsx.h"
#include "blobsrc.h"
#include "inflate.h"
#include "jsondoc.h"
#include "tar.h"

/* ------------------------------------------------------------ CRC-64/ISO */

static uint64_t crc_tab[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
	const uint64_t poly = 0xD800000000000000ULL; /* reflected ISO polynomial */
	for (int i = 0; i < 256; i++) {
		uint64_t c = (uint64_t)i;
		for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ poly : c >> 1;
		crc_tab[0][i] = c;
	}
	for (int i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			crc_tab[t][i] =
			        crc_tab[0][crc_tab[t - 1][i] & 0xff] ^ (crc_tab[t - 1][i] >> 8);
}

uint64_t crc64_iso_update(uint64_t crc, const void *data, size_t n)
{
	pthread_once(&crc_once, crc_init);
	const unsigned char *p = data;
	crc = ~crc;
	while (n >= 8) { /* slicing by 8 */
		uint64_t v;
		memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		v = __builtin_bswap64(v);
#endif
		v ^= crc;
		crc = crc_tab[7][v & 0xff] ^ crc_tab[6][(v >> 8) & 0xff] ^
		      crc_tab[5][(v >> 16) & 0xff] ^ crc_tab[4][(v >> 24) & 0xff] ^
		      crc_tab[3][(v >> 32) & 0xff] ^ crc_tab[2][(v >> 40) & 0xff] ^
		      crc_tab[1][(v >> 48) & 0xff] ^ crc_tab[0][v >> 56];
		p += 8;
		n -= 8;
	}
	while (n--) crc = crc_tab[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* ------------------------------------------------------------ name set */

struct nameset {
	char **slot;
	size_t cap, n;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	while (*s) h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static void nameset_add(struct nameset *s, const char *name)
{
	if (s->n * 2 >= s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 1024;
		char **ns = xcalloc(nc, sizeof *ns);
		for (size_t i = 0; i < s->cap; i++)
			if (s->slot[i]) {
				size_t j = hash_str(s->slot[i]) & (nc - 1);
				while (ns[j]) j = (j + 1) & (nc - 1);
				ns[j] = s->slot[i];
			}
		free(s->slot);
		s->slot = ns;
		s->cap = nc;
	}
	size_t j = hash_str(name) & (s->cap - 1);
	while (s->slot[j]) {
		if (!strcmp(s->slot[j], name)) return;
		j = (j + 1) & (s->cap - 1);
	}
	s->slot[j] = xstrdup(name);
	s->n++;
}

static int nameset_has(const struct nameset *s, const char *name)
{
	if (!s->cap) return 0;
	size_t j = hash_str(name) & (s->cap - 1);
	while (s->slot[j]) {
		if (!strcmp(s->slot[j], name)) return 1;
		j = (j + 1) & (s->cap - 1);
	}
	return 0;
}

static void nameset_free(struct nameset *s)
{
	for (size_t i = 0; i < s->cap; i++) free(s->slot[i]);
	free(s->slot);
	s->slot = NULL;
	s->cap = s->n = 0;
}

/* ------------------------------------------------------------ state */

enum { ST_HDR, ST_EXT, ST_SKIP };

struct entry {
	char name[TAR_MAX_NAME];
	char link[TAR_MAX_NAME];
	char type;
	uint64_t size, uid, gid;
	uint32_t mode;
	int valid;
};

struct ts {
	int dirfd;
	struct fsx_dircache dc; /* the folder of the last file looked up */
	struct tarsplit_opts o;
	tarsplit_finding_fn fn;
	void *ctx;
	struct tarsplit_result *res;
	hasher_t h;
	/* tar stream tracker */
	int state;
	unsigned char hdr[512];
	size_t hdr_have;
	uint64_t skip;
	char ext_type;
	uint64_t ext_left, ext_pad;
	ea_buf_t ext;
	char *pax_path, *pax_link, *long_name, *long_link;
	int pax_has_uid, pax_has_gid, pax_has_size;
	uint64_t pax_uid, pax_gid, pax_size;
	struct entry cur;
	/* JSON lines */
	ea_buf_t line;
	int failed;
	ea_error_t err;
	uint64_t padded; /* zeros hashed in place of content missing on disk */
	struct nameset names;
	unsigned char *io;
	/* compare mode: the layer tar itself drives the checks */
	int compare;
	uint64_t content_left; /* content bytes of the current member still to come */
	int cmp_fd;            /* its file on disk, or -1 */
	int cmp_differs;
	unsigned char *cmp_buf;
};

#define IO_SIZE                               (256 * 1024)
/* Zeros hashed in all for file content missing on disk (see file_entry). */
#define MAX_PAD                               (256ULL << 20)
/* A layer tar compared with a snapshot: the same bomb limit as blobcheck. */
#define BLOBCHECK_MAX_LAYER_BYTES_FOR_COMPARE (16ULL << 30)

static void finding(struct ts *t, const char *id, const char *path, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static void finding(struct ts *t, const char *id, const char *path, const char *fmt, ...)
{
	t->res->problems++;
	if (t->res->problems > TARSPLIT_MAX_FINDINGS) return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (t->res->problems == TARSPLIT_MAX_FINDINGS)
		snprintf(msg, sizeof msg,
		         "more than %d problems in this layer: the rest are counted only",
		         TARSPLIT_MAX_FINDINGS);
	t->fn(t->ctx, id, path, msg);
}

/* Name as the layer folder sees it: no leading "./" or "/", no trailing "/". */
static void norm_name(const char *in, char *out, size_t n)
{
	while (in[0] == '.' && in[1] == '/') in += 2;
	while (in[0] == '/') in++;
	snprintf(out, n, "%s", in);
	size_t l = strlen(out);
	while (l > 0 && out[l - 1] == '/') out[--l] = '\0';
	if (!strcmp(out, ".")) out[0] = '\0'; /* the layer's root folder */
}

static void parse_pax_records(struct ts *t, const char *buf, size_t n)
{
	size_t off = 0;
	while (off < n) {
		size_t len = 0, i = off;
		while (i < n && buf[i] >= '0' && buf[i] <= '9' && len < TAR_MAX_PAX)
			len = len * 10 + (size_t)(buf[i++] - '0');
		if (i >= n || buf[i] != ' ' || len == 0 || len > n - off) return;
		const char *rec = buf + i + 1, *end = buf + off + len;
		const char *eq = memchr(rec, '=', (size_t)(end - rec));
		if (!eq || end[-1] != '\n') return;
		size_t klen = (size_t)(eq - rec), vlen = (size_t)(end - 1 - (eq + 1));
		char val[TAR_MAX_NAME];
		if (vlen < sizeof val) {
			memcpy(val, eq + 1, vlen);
			val[vlen] = '\0';
			if (klen == 4 && !memcmp(rec, "path", 4)) {
				free(t->pax_path);
				t->pax_path = xstrdup(val);
			} else if (klen == 8 && !memcmp(rec, "linkpath", 8)) {
				free(t->pax_link);
				t->pax_link = xstrdup(val);
			} else if (klen == 3 && !memcmp(rec, "uid", 3)) {
				t->pax_uid = strtoull(val, NULL, 10);
				t->pax_has_uid = 1;
			} else if (klen == 3 && !memcmp(rec, "gid", 3)) {
				t->pax_gid = strtoull(val, NULL, 10);
				t->pax_has_gid = 1;
			} else if (klen == 4 && !memcmp(rec, "size", 4)) {
				t->pax_size = strtoull(val, NULL, 10);
				t->pax_has_size = 1;
			}
		}
		off += len;
	}
}

static void compare_header(struct ts *t);

static void header_done(struct ts *t)
{
	unsigned char *h = t->hdr;
	int zero = 1;
	for (int i = 0; i < 512 && zero; i++) zero = h[i] == 0;
	if (zero) return; /* end-of-archive blocks */
	uint64_t size = 0, v;
	char type = (char)h[156];
	if (!tar_checksum_ok(h) || tar_parse_number(h + 124, 12, &size) < 0) {
		t->cur.valid = 0;
		return; /* the sha256 of the stream decides; the entry is not checked further */
	}
	if (type == 'x' || type == 'L' || type == 'K' || type == 'g') {
		t->ext_type = type;
		t->ext_left = size;
		t->ext_pad = (512 - size % 512) % 512;
		t->ext.len = 0;
		t->state = ST_EXT;
		return;
	}
	struct entry *e = &t->cur;
	memset(e, 0, offsetof(struct entry, type));
	char raw[TAR_HEADER_NAME_MAX];
	tar_header_name(h, raw);
	norm_name(t->pax_path    ? t->pax_path
	          : t->long_name ? t->long_name
	                         : raw,
	          e->name, sizeof e->name);
	size_t ll = strnlen((const char *)h + 157, 100);
	char lraw[101];
	memcpy(lraw, h + 157, ll);
	lraw[ll] = '\0';
	snprintf(e->link, sizeof e->link, "%s",
	         t->pax_link    ? t->pax_link
	         : t->long_link ? t->long_link
	                        : lraw);
	e->type = type ? type : '0';
	e->size = t->pax_has_size ? t->pax_size : size;
	e->mode = tar_parse_number(h + 100, 8, &v) == 0 ? (uint32_t)(v & 07777) : 0;
	e->uid = t->pax_has_uid ? t->pax_uid : (tar_parse_number(h + 108, 8, &v) == 0 ? v : 0);
	e->gid = t->pax_has_gid ? t->pax_gid : (tar_parse_number(h + 116, 8, &v) == 0 ? v : 0);
	e->valid = 1;
	free(t->pax_path);
	free(t->pax_link);
	free(t->long_name);
	free(t->long_link);
	t->pax_path = t->pax_link = t->long_name = t->long_link = NULL;
	t->pax_has_uid = t->pax_has_gid = t->pax_has_size = 0;
	uint64_t content = (e->type == '0' || e->type == '7') ? e->size : 0;
	t->skip = content + (512 - content % 512) % 512;
	t->content_left = content;
	t->state = t->skip ? ST_SKIP : ST_HDR;
	if (t->compare) compare_header(t);
}

static void ext_done(struct ts *t)
{
	const char *b = t->ext.data ? t->ext.data : "";
	if (t->ext_type == 'x') parse_pax_records(t, b, t->ext.len);
	else if (t->ext_type == 'L') {
		free(t->long_name);
		t->long_name = xstrdup(b);
	} else if (t->ext_type == 'K') {
		free(t->long_link);
		t->long_link = xstrdup(b);
	}
}

/* Feed reassembled tar bytes: hash them and track the headers. */
static void compare_content(struct ts *t, const unsigned char *p, size_t n);

static void stream(struct ts *t, const unsigned char *p, size_t n)
{
	hasher_update(&t->h, p, n);
	if (t->o.tap) t->o.tap(t->o.tap_ctx, p, n);
	t->res->tar_size += n;
	while (n > 0) {
		switch (t->state) {
		case ST_HDR: {
			size_t k = 512 - t->hdr_have < n ? 512 - t->hdr_have : n;
			memcpy(t->hdr + t->hdr_have, p, k);
			t->hdr_have += k;
			p += k;
			n -= k;
			if (t->hdr_have == 512) {
				t->hdr_have = 0;
				header_done(t);
			}
			break;
		}
		case ST_EXT: {
			if (t->ext_left > 0) {
				size_t k = t->ext_left < n ? (size_t)t->ext_left : n;
				ea_buf_append(&t->ext, p, k,
				              NULL); /* bounded: past TAR_MAX_PAX it is cut */
				t->ext_left -= k;
				p += k;
				n -= k;
			} else {
				size_t k = t->ext_pad < n ? (size_t)t->ext_pad : n;
				t->ext_pad -= k;
				p += k;
				n -= k;
			}
			if (t->ext_left == 0 && t->ext_pad == 0) {
				ext_done(t);
				t->state = ST_HDR;
			}
			break;
		}
		default: {
			size_t k = t->skip < n ? (size_t)t->skip : n;
			if (t->compare && t->content_left) {
				size_t kc = t->content_left < k ? (size_t)t->content_left : k;
				compare_content(t, p, kc);
			}
			t->skip -= k;
			p += k;
			n -= k;
			if (!t->skip) t->state = ST_HDR;
		}
		}
	}
}

/* ------------------------------------------------------------ per entry */

static const char *type_word(char type)
{
	switch (type) {
	case '0':
	case '7': return "regular file";
	case '1': return "hard link";
	case '2': return "symbolic link";
	case '3': return "character device";
	case '4': return "block device";
	case '5': return "folder";
	case '6': return "fifo";
	default: return "entry";
	}
}

static int type_matches(char type, mode_t m)
{
	switch (type) {
	case '0':
	case '7':
	case '1': return S_ISREG(m);
	case '2': return S_ISLNK(m);
	case '3': return S_ISCHR(m);
	case '4': return S_ISBLK(m);
	case '5': return S_ISDIR(m);
	case '6': return S_ISFIFO(m);
	default: return 1;
	}
}

/* Whiteouts: ".wh.X" removes X below; ".wh..wh..opq" makes its folder opaque. */
static int check_whiteout(struct ts *t, const char *name)
{
	const char *base = strrchr(name, '/');
	size_t dl = base ? (size_t)(base - name) : 0;
	base = base ? base + 1 : name;
	if (strncmp(base, ".wh.", 4) != 0) return 0;
	char target[TAR_MAX_NAME];
	if (!strcmp(base, ".wh..wh..opq")) {
		snprintf(target, sizeof target, "%.*s", (int)dl, name);
		if (t->o.overlay) {
			char val[8];
			ssize_t n = -1;
			int fd = dl ? fsx_open_dir_at(t->dirfd, target, NULL)
			            : fcntl(t->dirfd, F_DUPFD_CLOEXEC, 0);
			if (fd >= 0) {
				n = fgetxattr(fd, "trusted.overlay.opaque", val, sizeof val);
				if (n < 0)
					n = fgetxattr(fd, "user.overlay.opaque", val, sizeof val);
				close(fd);
			}
			if (n != 1 || val[0] != 'y')
				finding(t, "layer.file_attr_mismatch", name,
				        "opaque folder '%s' lacks its overlay opaque mark",
				        dl ? target : "/");
		}
		return 1;
	}
	snprintf(target, sizeof target, "%.*s%s%s", (int)dl, name, dl ? "/" : "", base + 4);
	if (t->o.whiteout_files) {
		/* aufs form (fuse-overlayfs): the whiteout is kept as the .wh. file itself */
		struct stat st;
		if (fsx_lstat_cached(&t->dc, t->dirfd, name, &st, NULL) < 0)
			finding(t, "layer.file_missing", name,
			        "whiteout file for '%s' is not on disk", target);
		return 1;
	}
	if (!t->o.overlay) {
		/* A full tree (vfs): what the layer deletes must be gone. */
		struct stat st;
		if (fsx_lstat_at(t->dirfd, target, &st, NULL) == 0)
			finding(t, "layer.file_added", target,
			        "the layer deletes '%s', but a %s is on disk", target,
			        fsx_type_name(st.st_mode));
		return 1;
	}
	if (t->o.overlay) {
		struct stat st;
		if (fsx_lstat_at(t->dirfd, target, &st, NULL) < 0)
			finding(t, "layer.file_missing", target,
			        "whiteout for '%s' is not on disk (overlay keeps it as a 0/0 "
			        "character device)",
			        target);
		else if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(0, 0))
			finding(t, "layer.file_attr_mismatch", target,
			        "whiteout for '%s' is a %s, not a 0/0 character device", target,
			        fsx_type_name(st.st_mode));
		if (t->o.check_added) nameset_add(&t->names, target);
	}
	return 1;
}

static void check_attrs(struct ts *t, const struct entry *e, const struct stat *st)
{
	if (!type_matches(e->type, st->st_mode)) {
		finding(t, "layer.file_attr_mismatch", e->name,
		        "is a %s on disk, the layer has a %s", fsx_type_name(st->st_mode),
		        type_word(e->type));
		return;
	}
	if (!S_ISLNK(st->st_mode) && (uint32_t)(st->st_mode & 07777) != e->mode)
		finding(t, "layer.file_attr_mismatch", e->name,
		        "mode %04o on disk, %04o in the layer", (unsigned)(st->st_mode & 07777),
		        (unsigned)e->mode);
	if ((uint64_t)st->st_uid != e->uid || (uint64_t)st->st_gid != e->gid)
		finding(t, "layer.file_attr_mismatch", e->name,
		        "owner %u:%u on disk, %llu:%llu in the layer", (unsigned)st->st_uid,
		        (unsigned)st->st_gid, (unsigned long long)e->uid,
		        (unsigned long long)e->gid);
	if ((e->type == '0' || e->type == '7') && (uint64_t)st->st_size != e->size)
		finding(t, "layer.file_attr_mismatch", e->name,
		        "%lld bytes on disk, %llu in the layer", (long long)st->st_size,
		        (unsigned long long)e->size);
	if (e->type == '2') {
		char target[TAR_MAX_NAME];
		int pfd = -1;
		const char *slash = strrchr(e->name, '/');
		char parent[TAR_MAX_NAME];
		if (slash) {
			snprintf(parent, sizeof parent, "%.*s", (int)(slash - e->name), e->name);
			pfd = fsx_open_dir_at(t->dirfd, parent, NULL);
		}
		ssize_t n = readlinkat(slash ? pfd : t->dirfd, slash ? slash + 1 : e->name, target,
		                       sizeof target - 1);
		if (pfd >= 0) close(pfd);
		if (n >= 0) {
			target[n] = '\0';
			if (strcmp(target, e->link) != 0)
				finding(t, "layer.file_attr_mismatch", e->name,
				        "links to '%.200s' on disk, '%.200s' in the layer", target,
				        e->link);
		}
	}
}

/* Remember a listed name (and its parents: engines create missing parent
 * folders when they extract a layer) for the added-files walk. */
static void add_name(struct ts *t, const char *name)
{
	if (!t->o.check_added || !name[0]) return;
	char parent[TAR_MAX_NAME];
	snprintf(parent, sizeof parent, "%s", name);
	for (char *sl = strchr(parent, '/'); sl; sl = strchr(sl + 1, '/')) {
		*sl = '\0';
		nameset_add(&t->names, parent);
		*sl = '/';
	}
	nameset_add(&t->names, name);
}

/* Polled per IO_SIZE chunk inside one entry (a member of many GiB): the
 * stop becomes the pass's error, EA_E_INTERRUPTED. */
static int stop_polled(struct ts *t)
{
	if (!ea_stop_requested()) return 0;
	t->failed = 1;
	ea_fail(&t->err, EA_E_INTERRUPTED, "stopped (budget or signal)");
	return 1;
}

/* size zero bytes into the stream where a member's content cannot come from
 * the folder (`why`), so the diffID check still runs: bounded, as a hostile
 * record may claim a petabyte; past MAX_PAD in all the pass stops. */
static void pad_zeros(struct ts *t, const char *name, uint64_t size, const char *why)
{
	if (size > MAX_PAD - t->padded) {
		t->failed = 1;
		ea_fail(&t->err, EA_E_TOOBIG, "%.200s: %llu bytes %s: not reassembled further",
		        name, (unsigned long long)size, why);
		return;
	}
	t->padded += size;
	memset(t->io, 0, IO_SIZE);
	while (size > 0) {
		if (stop_polled(t)) return;
		size_t k = size < IO_SIZE ? (size_t)size : IO_SIZE;
		stream(t, t->io, k);
		size -= k;
	}
}

/* A type-1 line: the member's content comes from the layer folder. */
static void file_entry(struct ts *t, const char *name_in, uint64_t size, const unsigned char *crc,
                       size_t crclen)
{
	char name[TAR_MAX_NAME];
	norm_name(name_in, name, sizeof name);
	t->res->entries++;
	int have_entry = t->cur.valid && !strcmp(t->cur.name, name);
	if (name[0] && fsx_check_relpath(name, NULL) < 0) {
		finding(t, "store.bad_path", name,
		        "tar-split names a path outside the layer folder");
		/* keep the stream length right so the diffID check still runs
		 * (bounded as below: the size is the record's word) */
		pad_zeros(t, name, size, "outside the layer folder");
		return;
	}
	add_name(t, name);
	if (!name[0]) return; /* the layer's root folder */
	if (check_whiteout(t, name)) return;
	if (size == 0) {
		struct stat st;
		if (fsx_lstat_cached(&t->dc, t->dirfd, name, &st, NULL) < 0) {
			if (have_entry && t->cur.type == '1')
				return; /* hard link target may be elsewhere */
			finding(t, "layer.file_missing", name, "listed in the layer, not on disk");
			return;
		}
		if (have_entry) check_attrs(t, &t->cur, &st);
		return;
	}
	t->res->files++;
	struct stat st;
	ea_error_t err = {0};
	int fd = fsx_open_file_cached(&t->dc, t->dirfd, name, &st, &err);
	uint64_t left = size, c = 0;
	if (fd < 0) {
		if (err.code == EA_E_NOENT)
			finding(t, "layer.file_missing", name, "listed in the layer, not on disk");
		else if (err.code == EA_E_SYMLINK || err.code == EA_E_NOTREG)
			finding(t, "layer.file_attr_mismatch", name, "%s", err.msg);
		else finding(t, "store.unreadable", name, "%s", err.msg);
	} else {
		if (have_entry) check_attrs(t, &t->cur, &st);
		while (left > 0) {
			if (stop_polled(t)) { /* a file of many GiB: stop within a chunk */
				close(fd);
				return;
			}
			size_t want = left < IO_SIZE ? (size_t)left : IO_SIZE;
			ssize_t r = read(fd, t->io, want);
			if (r < 0 && errno == EINTR) continue;
			if (r <= 0)
				break; /* shorter than the layer says: reported by check_attrs */
			c = crc64_iso_update(c, t->io, (size_t)r);
			stream(t, t->io, (size_t)r);
			left -= (uint64_t)r;
		}
		close(fd);
	}
	/* Keep the reassembled stream the length the layer says -- within
	 * reason: a hostile record may claim a petabyte that is not on disk,
	 * and hashing that many zeros is a hang.  Past MAX_PAD in all, stop. */
	if (left > 0) {
		pad_zeros(t, name, left, "the layer lists are not on disk");
		return;
	}
	if (crclen == 8) {
		uint64_t want = 0;
		for (int i = 0; i < 8; i++) want = want << 8 | crc[i];
		if (want != c)
			finding(t, "layer.file_modified", name,
			        "content differs from the layer (CRC-64 %016llx, layer says "
			        "%016llx)",
			        (unsigned long long)c, (unsigned long long)want);
	}
}

static int b64(const char *s, unsigned char **out, size_t *olen)
{
	size_t n = strlen(s), need = 0;
	mbedtls_base64_decode(NULL, 0, &need, (const unsigned char *)s, n);
	unsigned char *b = xmalloc(need + 1);
	if (mbedtls_base64_decode(b, need + 1, olen, (const unsigned char *)s, n) != 0) {
		free(b);
		return -1;
	}
	*out = b;
	return 0;
}

static int do_line(struct ts *t, const char *line, size_t len)
{
	if (len == 0) return 0;
	cJSON *j = jsondoc_parse(line, len); /* a 4 MiB line of [0,0,...] is no entry */
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return ea_fail(&t->err, EA_E_FORMAT, "a tar-split line is not a JSON object");
	}
	cJSON *type = cJSON_GetObjectItemCaseSensitive(j, "type");
	cJSON *payload = cJSON_GetObjectItemCaseSensitive(j, "payload");
	int rc = 0;
	if (cJSON_IsNumber(type) && type->valueint == 2) {
		unsigned char *seg = NULL;
		size_t n = 0;
		if (!cJSON_IsString(payload) || b64(payload->valuestring, &seg, &n) < 0)
			rc = ea_fail(&t->err, EA_E_FORMAT,
			             "a tar-split segment has no valid base64 payload");
		else stream(t, seg, n);
		free(seg);
	} else if (cJSON_IsNumber(type) && type->valueint == 1) {
		cJSON *name = cJSON_GetObjectItemCaseSensitive(j, "name");
		cJSON *name_raw = cJSON_GetObjectItemCaseSensitive(j, "name_raw");
		cJSON *size = cJSON_GetObjectItemCaseSensitive(j, "size");
		char *nm = NULL;
		if (cJSON_IsString(name)) {
			nm = xstrdup(name->valuestring);
		} else if (cJSON_IsString(name_raw)) {
			unsigned char *raw = NULL;
			size_t n = 0;
			if (b64(name_raw->valuestring, &raw, &n) == 0) {
				raw[n] = '\0';
				nm = (char *)raw;
			}
		}
		double sz = cJSON_IsNumber(size) ? size->valuedouble : 0;
		if (!nm || sz < 0 || sz > 1e15) {
			rc = ea_fail(&t->err, EA_E_FORMAT,
			             "a tar-split file entry has no name or an invalid size");
		} else {
			unsigned char *crc = NULL;
			size_t crclen = 0;
			if (cJSON_IsString(payload)) b64(payload->valuestring, &crc, &crclen);
			file_entry(t, nm, (uint64_t)sz, crc, crclen);
			free(crc);
			if (t->failed) rc = -1;
		}
		free(nm);
	} else {
		rc = ea_fail(&t->err, EA_E_FORMAT, "a tar-split line of unknown type");
	}
	cJSON_Delete(j);
	return rc;
}

static int line_sink(void *ctx, const void *data, size_t n, ea_error_t *err)
{
	struct ts *t = ctx;
	const char *p = data;
	while (n > 0) {
		if (ea_stop_requested())
			return ea_fail(err, EA_E_INTERRUPTED, "stopped (budget or signal)");
		const char *nl = memchr(p, '\n', n);
		size_t k = nl ? (size_t)(nl - p) : n;
		if (ea_buf_append(&t->line, p, k, NULL) < 0)
			return ea_fail(err, EA_E_TOOBIG, "a tar-split line is over %u bytes",
			               TARSPLIT_MAX_LINE);
		if (nl) {
			if (do_line(t, t->line.data ? t->line.data : "", t->line.len) < 0) {
				*err = t->err;
				return -1;
			}
			t->line.len = 0;
			k++;
		}
		p += k;
		n -= k;
	}
	return 0;
}

/* ------------------------------------------------------------ added files */

static void walk_added(struct ts *t, int dfd, char *path, size_t plen, int depth,
                       unsigned long *count)
{
	if (depth > 128 || *count > 2000000) return;
	int fd = fcntl(dfd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0) return;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
		if (((*count)++ & 255) == 0 && ea_stop_requested()) {
			t->failed = 1; /* the walk is unfinished: not "nothing added" */
			break;
		}
		size_t nl = strlen(e->d_name);
		if (plen + 1 + nl + 1 >= TAR_MAX_NAME) continue;
		size_t np = plen;
		if (plen) path[np++] = '/';
		memcpy(path + np, e->d_name, nl + 1);
		if (!nameset_has(&t->names, path)) {
			struct stat st;
			fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW);
			finding(t, "layer.file_added", path,
			        "a %s on disk that the layer does not list",
			        fsx_type_name(st.st_mode));
		} else if (e->d_type == DT_DIR || e->d_type == DT_UNKNOWN) {
			int sub = openat(dirfd(d), e->d_name,
			                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC |
			                         O_NONBLOCK);
			if (sub >= 0) {
				walk_added(t, sub, path, np + nl, depth + 1, count);
				close(sub);
			}
		}
		path[plen] = '\0';
	}
	closedir(d);
}

/* ------------------------------------------------------------ API */

/* State shared by both entry points. */
static struct ts *ts_new(int layer_dirfd, const struct tarsplit_opts *o, tarsplit_finding_fn fn,
                         void *ctx, struct tarsplit_result *res)
{
	struct ts *t = xcalloc(1, sizeof *t);
	memset(res, 0, sizeof *res);
	t->dirfd = layer_dirfd;
	fsx_dircache_init(&t->dc);
	t->o = *o;
	t->fn = fn;
	t->ctx = ctx;
	t->res = res;
	t->cmp_fd = -1;
	t->io = xmalloc(IO_SIZE);
	hasher_init(&t->h, DIGEST_SHA256);
	ea_buf_init(&t->ext, TAR_MAX_PAX);
	ea_buf_init(&t->line, TARSPLIT_MAX_LINE);
	return t;
}

/* Finish: the digest of what was streamed, the added-files walk when the
 * pass succeeded, and the state freed. */
static int ts_finish(struct ts *t, int ok, ea_error_t *err)
{
	int rc = ok ? 0 : -1;
	hasher_final(&t->h, &t->res->diffid);
	if (ok && t->o.check_added) {
		char path[TAR_MAX_NAME] = "";
		unsigned long count = 0;
		walk_added(t, t->dirfd, path, 0, 0, &count);
		if (t->failed)
			rc = ea_fail(err, EA_E_INTERRUPTED,
			             "stopped (budget or signal) while looking for added files");
	}
	fsx_dircache_free(&t->dc);
	nameset_free(&t->names);
	ea_buf_free(&t->ext);
	ea_buf_free(&t->line);
	free(t->pax_path);
	free(t->pax_link);
	free(t->long_name);
	free(t->long_link);
	free(t->io);
	free(t->cmp_buf);
	free(t);
	return rc;
}

int tarsplit_verify(int tsfd, int layer_dirfd, const struct tarsplit_opts *o,
                    tarsplit_finding_fn fn, void *ctx, struct tarsplit_result *res, ea_error_t *err)
{
	struct ts *t = ts_new(layer_dirfd, o, fn, ctx, res);
	inflater_t *z = xmalloc(sizeof *z);
	/* A gzip bomb of empty lines is no tar-split: the ratio limit blobcheck
	 * uses (100:1 past 64 MiB) ends it in milliseconds, not minutes. */
	int rc = inflater_init(z, COMP_GZIP, 1ULL << 34, 100, err);
	if (rc == 0) {
		unsigned char *in = xmalloc(64 * 1024);
		for (;;) {
			ssize_t n = read(tsfd, in, 64 * 1024);
			if (n < 0 && errno == EINTR) continue;
			if (n < 0) {
				rc = ea_fail_errno(err, errno, "cannot read the tar-split file");
				break;
			}
			if (n == 0) break;
			if (inflater_feed(z, in, (size_t)n, line_sink, t, err) < 0) {
				rc = -1;
				break;
			}
		}
		free(in);
		if (rc == 0 && inflater_finish(z, err) < 0) rc = -1;
		if (rc == 0 && t->line.len > 0 && do_line(t, t->line.data, t->line.len) < 0) {
			*err = t->err;
			rc = -1;
		}
		inflater_free(z);
	}
	free(z);
	return ts_finish(t, rc == 0, err);
}

/* ------------------------------------------------------------ compare mode */

static void compare_close(struct ts *t)
{
	if (t->cmp_fd >= 0) close(t->cmp_fd);
	t->cmp_fd = -1;
	if (t->cmp_differs)
		finding(t, "layer.file_modified", t->cur.name,
		        "content differs from the layer's tar");
	t->cmp_differs = 0;
}

/* A header of the layer tar: check its entry on disk like file_entry does,
 * and open a regular file so its content can be compared as it streams. */
static void compare_header(struct ts *t)
{
	const struct entry *e = &t->cur;
	if (t->cmp_fd >= 0) compare_close(t);
	if (!e->valid) return;
	t->res->entries++;
	const char *name = e->name;
	if (name[0] && fsx_check_relpath(name, NULL) < 0) {
		finding(t, "store.bad_path", name, "the layer names a path outside its folder");
		return;
	}
	add_name(t, name);
	if (!name[0] || check_whiteout(t, name)) return;
	struct stat st;
	ea_error_t err = {0};
	if ((e->type == '0' || e->type == '7') && e->size > 0) {
		t->res->files++;
		int fd = fsx_open_file_cached(&t->dc, t->dirfd, name, &st, &err);
		if (fd < 0) {
			if (err.code == EA_E_NOENT)
				finding(t, "layer.file_missing", name,
				        "listed in the layer, not on disk");
			else if (err.code == EA_E_SYMLINK || err.code == EA_E_NOTREG)
				finding(t, "layer.file_attr_mismatch", name, "%s", err.msg);
			else finding(t, "store.unreadable", name, "%s", err.msg);
			return;
		}
		check_attrs(t, e, &st);
		t->cmp_fd = fd;
		return;
	}
	if (fsx_lstat_cached(&t->dc, t->dirfd, name, &st, NULL) < 0) {
		if (e->type != '1')
			finding(t, "layer.file_missing", name, "listed in the layer, not on disk");
		return;
	}
	check_attrs(t, e, &st);
}

static void compare_content(struct ts *t, const unsigned char *p, size_t n)
{
	t->content_left -= n;
	while (n > 0 && t->cmp_fd >= 0 && !t->cmp_differs) {
		size_t k = n < IO_SIZE ? n : IO_SIZE;
		ssize_t r = fsx_read_full(t->cmp_fd, t->cmp_buf, k, NULL);
		if (r != (ssize_t)k || memcmp(t->cmp_buf, p, k) != 0) t->cmp_differs = 1;
		p += k;
		n -= k;
	}
	if (t->content_left == 0 && t->cmp_fd >= 0) compare_close(t);
}

static int compare_sink(void *ctx, const void *data, size_t n, ea_error_t *err)
{
	struct ts *t = ctx;
	if (ea_stop_requested())
		return ea_fail(err, EA_E_INTERRUPTED, "stopped (budget or signal)");
	stream(t, data, n);
	return 0;
}

int tarsplit_compare_layer(const struct blob_region *reg, comp_t comp, int layer_dirfd,
                           const struct tarsplit_opts *o, tarsplit_finding_fn fn, void *ctx,
                           struct tarsplit_result *res, ea_error_t *err)
{
	struct ts *t = ts_new(layer_dirfd, o, fn, ctx, res);
	t->compare = 1;
	t->cmp_buf = xmalloc(IO_SIZE);
	inflater_t *z = xmalloc(sizeof *z);
	int rc = inflater_init(z, comp, BLOBCHECK_MAX_LAYER_BYTES_FOR_COMPARE, 0, err);
	if (rc == 0) {
		for (uint64_t off = 0; off < reg->size;) {
			size_t k = reg->size - off < IO_SIZE ? (size_t)(reg->size - off) : IO_SIZE;
			if (blob_region_pread(reg, t->io, k, off, err) < 0 ||
			    inflater_feed(z, t->io, k, compare_sink, t, err) < 0) {
				rc = -1;
				break;
			}
			off += k;
		}
		if (rc == 0 && inflater_finish(z, err) < 0) rc = -1;
		inflater_free(z);
	}
	free(z);
	if (t->cmp_fd >= 0) compare_close(t);
	return ts_finish(t, rc == 0, err);
}
