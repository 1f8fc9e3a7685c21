/* The two gzip engines of inflate.h side by side: ISA-L (where built in) and
 * zlib, the reference, must give the same answers on every input: the same
 * result and error code, the same `ended`, `trailing` and `bomb`, the same
 * output (its length and sha256) and, for the gzip wrapper (header, CRC,
 * length, trailing data, truncation), the same message.
 *
 * Inputs: every file under the folders in $EDGEAUDIT_INFLATE_DIFF (':'
 * separated; tests/integration/test_inflate_diff.sh makes gzip streams with
 * gzip, busybox, pigz-like tools and real layers; test_hostile.sh passes its
 * hostile corpus), each fed whole, in odd chunks and (small ones) a byte at a
 * time, with and without tight bomb limits; and for the gzip files among
 * them mutations: cut at many points, bytes flipped, data appended, a second
 * member appended.  Without the variable, the in-tree fuzz corpora and unit
 * data are used. */
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "inflate.h"
#include "unit.h"

struct outcome {
	int rc;
	ea_errc_t code;
	int ended, trailing, bomb;
	uint64_t out_total;
	digest_t sha;
	char msg[256];
};

static int hash_sink(void *ctx, const void *d, size_t n, ea_error_t *err)
{
	(void)err;
	hasher_update(ctx, d, n);
	return 0;
}

static void run_engine(inflate_engine_t e, const unsigned char *p, size_t n, size_t step,
                       uint64_t max_out, unsigned ratio, struct outcome *o)
{
	static inflater_t z; /* 64 KiB of output buffer: not on the stack */
	hasher_t h;
	ea_error_t err = {0};
	memset(o, 0, sizeof *o);
	hasher_init(&h, DIGEST_SHA256);
	o->rc = inflater_init_engine(&z, COMP_GZIP, e, max_out, ratio, &err);
	for (size_t off = 0; o->rc == 0 && off < n; off += step)
		o->rc = inflater_feed(&z, p + off, n - off < step ? n - off : step, hash_sink, &h,
		                      &err);
	if (o->rc == 0) o->rc = inflater_finish(&z, &err);
	hasher_final(&h, &o->sha);
	o->code = o->rc ? err.code : EA_OK;
	snprintf(o->msg, sizeof o->msg, "%s", o->rc ? err.msg : "");
	o->ended = z.ended, o->trailing = z.trailing, o->bomb = z.bomb;
	o->out_total = z.out_total;
	inflater_free(&z);
}

/* zlib's words for a corrupt deflate body are its own; every other message
 * (the wrapper, trailing data, truncation, limits) must be the same. */
static int body_message(const char *m)
{
	static const char *const wrapper[] = {
	        "incorrect header check", "unknown compression method", "unknown header flags set",
	        "header crc mismatch",    "incorrect data check",       "incorrect length check"};
	if (strncmp(m, "gzip: ", 6) != 0) return 0;
	for (size_t i = 0; i < sizeof wrapper / sizeof *wrapper; i++)
		if (!strcmp(m + 6, wrapper[i])) return 0;
	return 1;
}

static unsigned long cases, diffs;
static uint64_t zlib_out; /* the output of the last zlib run */

/* Both engines on one input; 0 when they agree. */
static int diff_one(const char *what, const unsigned char *p, size_t n, size_t step,
                    uint64_t max_out, unsigned ratio)
{
	struct outcome a, b;
	cases++;
	run_engine(INFLATE_ZLIB, p, n, step, max_out, ratio, &a);
	run_engine(INFLATE_ISAL, p, n, step, max_out, ratio, &b);
	zlib_out = a.out_total;
	int same = a.rc == b.rc && a.code == b.code && a.ended == b.ended &&
	           a.trailing == b.trailing && a.bomb == b.bomb &&
	           (a.rc != 0 || (a.out_total == b.out_total && digest_equal(&a.sha, &b.sha))) &&
	           (!strcmp(a.msg, b.msg) || (body_message(a.msg) && body_message(b.msg)));
	if (same) return 0;
	if (++diffs <= 20)
		fprintf(stderr,
		        "#   %s (%zu bytes, step %zu, max_out %llu, ratio %u):\n"
		        "#     zlib:  rc %d %s ended %d trailing %d bomb %d out %llu '%s'\n"
		        "#     isa-l: rc %d %s ended %d trailing %d bomb %d out %llu '%s'\n",
		        what, n, step, (unsigned long long)max_out, ratio, a.rc,
		        ea_errc_name(a.code), a.ended, a.trailing, a.bomb,
		        (unsigned long long)a.out_total, a.msg, b.rc, ea_errc_name(b.code), b.ended,
		        b.trailing, b.bomb, (unsigned long long)b.out_total, b.msg);
	return 1;
}

/* One input in several chunkings, with the default limits and tight ones. */
static int diff_chunkings(const char *what, const unsigned char *p, size_t n)
{
	int bad = diff_one(what, p, n, 4093, 16ULL << 30, 100);
	uint64_t out = zlib_out;
	bad |= diff_one(what, p, n, 256 * 1024, 16ULL << 30, 100);
	if (n <= 4096) bad |= diff_one(what, p, n, 1, 16ULL << 30, 100);
	bad |= diff_one(what, p, n, 65536, 100000, 0);
	bad |= diff_one(what, p, n, 7, 1u << 20, 2);
	zlib_out = out;
	return bad;
}

static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13, *s ^= *s >> 17, *s ^= *s << 5;
	return *s;
}

/* Cuts, flips, appended data, a second member: gzip inputs of at most 1 MiB
 * that do not inflate past 64 MiB (a bomb's mutations would take minutes and
 * test nothing new: its chunkings above run the limits). */
static int diff_mutations(const char *what, const unsigned char *p, size_t n)
{
	if (n < 2 || p[0] != 0x1f || p[1] != 0x8b || n > (1u << 20)) return 0;
	unsigned char *m = malloc(2 * n + 64);
	uint32_t seed = 0x9e3779b9u ^ (uint32_t)n;
	int bad = 0;
	size_t cuts[] = {1, 2, 3, 9, 10, 11, n / 2, n - 9, n - 8, n - 5, n - 4, n - 1};
	for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++)
		if (cuts[i] < n) bad |= diff_one(what, p, cuts[i], 4093, 16ULL << 30, 100);
	for (int i = 0; i < 48; i++) {
		memcpy(m, p, n);
		/* The header and trailer are hit as often as the body. */
		size_t at = i % 3 == 0   ? rnd(&seed) % (n < 16 ? n : 16)
		            : i % 3 == 1 ? n - 1 - rnd(&seed) % (n < 8 ? n : 8)
		                         : rnd(&seed) % n;
		m[at] ^= (unsigned char)(1u << (rnd(&seed) % 8));
		bad |= diff_one(what, m, n, 4093, 16ULL << 30, 100);
	}
	memcpy(m, p, n);
	memcpy(m + n, "\0\0\0\0garbage", 11);
	for (size_t k = 1; k <= 11; k += 5) bad |= diff_one(what, m, n + k, 4093, 16ULL << 30, 100);
	m[n] = 0x1f, m[n + 1] = 0x8b; /* a second member that is not one */
	bad |= diff_one(what, m, n + 2, 4093, 16ULL << 30, 100);
	bad |= diff_one(what, m, n + 3, 4093, 16ULL << 30, 100);
	memcpy(m + n, p, n); /* two members */
	bad |= diff_chunkings(what, m, 2 * n);
	free(m);
	return bad;
}

static int diff_file(const char *path, const struct stat *st)
{
	if (!S_ISREG(st->st_mode) || st->st_size == 0) return 0;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) return 0;
	size_t n = (size_t)st->st_size;
	unsigned char *p = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED) return 0;
	int bad = diff_chunkings(path, p, n);
	if (zlib_out <= (64u << 20)) bad |= diff_mutations(path, p, n);
	munmap(p, n);
	return bad;
}

static unsigned long files;
static int walk_bad;

static int walk_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)f;
	if (type == FTW_F) {
		files++;
		walk_bad |= diff_file(path, st);
	}
	return 0;
}

static void walk(const char *dir) { nftw(dir, walk_one, 16, FTW_PHYS); }

UNIT_TEST(inflate_diff_isal_zlib)
{
	if (!inflate_engine_available(INFLATE_ISAL)) {
		UNIT_SKIP("ISA-L's inflate is not in this build (armv7: zlib only)");
	}
	cases = diffs = files = 0;
	walk_bad = 0;
	const char *dirs = getenv("EDGEAUDIT_INFLATE_DIFF");
	if (dirs && *dirs) {
		char *copy = strdup(dirs), *save = NULL;
		for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save))
			walk(d);
		free(copy);
	} else {
		char d[4096];
		snprintf(d, sizeof d, "%s/fuzz/regress", unit_tests_dir());
		walk(d);
		snprintf(d, sizeof d, "%s/unit/data", unit_tests_dir());
		walk(d);
	}
	fprintf(stderr, "#   %lu files, %lu cases, %lu differences\n", files, cases, diffs);
	CHECK(files > 0);
	CHECK(!walk_bad);
}
