/* Unit tests of the streaming helpers: inflate (gzip, zstd) and tar fields. */
#include <stdlib.h>

#include "inflate.h"
#include "tar.h"
#include "unit.h"

/* printf 'hello world ' x1000 | zstd -19 (made with the zstd tool) */
static const unsigned char zst_hello[] = {0x28, 0xb5, 0x2f, 0xfd, 0x64, 0xe0, 0x2d, 0xa5, 0x00,
                                          0x00, 0x60, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x20, 0x77,
                                          0x6f, 0x72, 0x6c, 0x64, 0x20, 0x01, 0x00, 0xd1, 0xee,
                                          0x7c, 0x49, 0x02, 0xb5, 0xcc, 0x98, 0xa2};
/* printf abc | gzip; printf def | gzip  (two members, made with gzip) */
static const unsigned char gz_two[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
                                       0x4b, 0x4c, 0x4a, 0x06, 0x00, 0xc2, 0x41, 0x24, 0x35, 0x03,
                                       0x00, 0x00, 0x00, 0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00,
                                       0x00, 0x00, 0x03, 0x4b, 0x49, 0x4d, 0x03, 0x00, 0x61, 0xe1,
                                       0xc4, 0x0c, 0x03, 0x00, 0x00, 0x00};

struct collect {
	char buf[16384];
	size_t n;
};

static int collect_sink(void *ctx, const void *d, size_t n, ea_error_t *err)
{
	struct collect *c = ctx;
	if (c->n + n > sizeof c->buf) return ea_fail(err, EA_E_TOOBIG, "sink full");
	memcpy(c->buf + c->n, d, n);
	c->n += n;
	return 0;
}

/* Feed in chunks of `step` bytes. */
static int run(comp_t comp, const unsigned char *in, size_t n, size_t step, struct collect *c,
               inflater_t *z, ea_error_t *err)
{
	c->n = 0;
	if (inflater_init(z, comp, 1 << 20, 0, err) < 0) return -1;
	for (size_t off = 0; off < n; off += step) {
		size_t k = n - off < step ? n - off : step;
		if (inflater_feed(z, in + off, k, collect_sink, c, err) < 0) return -1;
	}
	return inflater_finish(z, err);
}

UNIT_TEST(inflate_zstd_frame_any_chunking)
{
	static inflater_t z;
	static struct collect c;
	ea_error_t err;
	for (size_t step = 1; step <= sizeof zst_hello; step++) {
		int rc = run(COMP_ZSTD, zst_hello, sizeof zst_hello, step, &c, &z, &err);
		if (rc < 0) fprintf(stderr, "#   step %zu: %s\n", step, err.msg);
		CHECK(rc == 0);
		CHECK(c.n == 12000);
		CHECK(!memcmp(c.buf, "hello world hello", 17));
		inflater_free(&z);
	}
}

UNIT_TEST(inflate_gzip_members_are_one_stream)
{
	static inflater_t z;
	static struct collect c;
	ea_error_t err;
	for (size_t step = 1; step <= sizeof gz_two; step++) {
		CHECK(run(COMP_GZIP, gz_two, sizeof gz_two, step, &c, &z, &err) == 0);
		CHECK(c.n == 6 && !memcmp(c.buf, "abcdef", 6));
		inflater_free(&z);
	}
}

UNIT_TEST(inflate_gzip_trailing_and_truncated)
{
	static inflater_t z;
	static struct collect c;
	ea_error_t err;
	unsigned char t[sizeof gz_two + 4];
	memcpy(t, gz_two, sizeof gz_two);
	memcpy(t + sizeof gz_two, "JUNK", 4);
	CHECK(run(COMP_GZIP, t, sizeof t, 7, &c, &z, &err) < 0);
	CHECK(z.trailing == 1 && err.code == EA_E_FORMAT);
	inflater_free(&z);
	CHECK(run(COMP_GZIP, gz_two, sizeof gz_two - 3, 5, &c, &z, &err) < 0);
	CHECK(err.code == EA_E_TRUNCATED || err.code == EA_E_FORMAT);
	inflater_free(&z);
	CHECK(run(COMP_ZSTD, zst_hello, sizeof zst_hello - 2, 5, &c, &z, &err) < 0);
	inflater_free(&z);
	unsigned char zt[sizeof zst_hello + 3];
	memcpy(zt, zst_hello, sizeof zst_hello);
	memcpy(zt + sizeof zst_hello, "XYZ", 3);
	CHECK(run(COMP_ZSTD, zt, sizeof zt, 4, &c, &z, &err) < 0);
	CHECK(z.trailing == 1);
	inflater_free(&z);
}

static int null_sink(void *ctx, const void *d, size_t n, ea_error_t *err)
{
	(void)ctx;
	(void)d;
	(void)n;
	(void)err;
	return 0;
}

UNIT_TEST(inflate_stops_at_size_limit)
{
	static inflater_t z;
	ea_error_t err;
	CHECK(inflater_init(&z, COMP_ZSTD, 1000, 0, &err) == 0);
	CHECK(inflater_feed(&z, zst_hello, sizeof zst_hello, null_sink, NULL, &err) < 0);
	CHECK(z.bomb == 1 && err.code == EA_E_TOOBIG);
	inflater_free(&z);
}

UNIT_TEST(comp_sniff_magic)
{
	CHECK(comp_sniff(gz_two, 2) == COMP_GZIP);
	CHECK(comp_sniff(zst_hello, 4) == COMP_ZSTD);
	CHECK(comp_sniff((const unsigned char *)"ustar", 5) == COMP_NONE);
}

UNIT_TEST(tar_number_fields)
{
	uint64_t v;
	CHECK(tar_parse_number((const unsigned char *)"0000644\0", 8, &v) == 0 && v == 0644);
	CHECK(tar_parse_number((const unsigned char *)"   17 \0", 7, &v) == 0 && v == 017);
	CHECK(tar_parse_number((const unsigned char *)"0009\0", 5, &v) < 0); /* not octal */
	CHECK(tar_parse_number((const unsigned char *)"\0\0\0\0", 4, &v) == 0 &&
	      v == 0); /* empty: 0, as Go */
	CHECK(tar_parse_number((const unsigned char *)"\0 12 \0", 6, &v) == 0 &&
	      v == 012);                                                    /* trimmed both ends */
	CHECK(tar_parse_number((const unsigned char *)"1 2\0", 4, &v) < 0); /* a space inside */
	const unsigned char b256[12] = {0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x00};
	CHECK(tar_parse_number(b256, 12, &v) == 0 && v == 4096);
	const unsigned char neg[12] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	                               0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	CHECK(tar_parse_number(neg, 12, &v) < 0); /* negative base-256 */
	const unsigned char huge[12] = {0x80, 0xff, 0xff, 0xff, 0xff, 0xff,
	                                0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	CHECK(tar_parse_number(huge, 12, &v) < 0); /* over 64 bits */
}

UNIT_TEST(tar_header_checksum)
{
	unsigned char h[512];
	memset(h, 0, sizeof h);
	memcpy(h, "file.txt", 8);
	memcpy(h + 124, "00000000004", 11);
	h[156] = '0';
	memcpy(h + 257, "ustar", 5);
	memset(h + 148, ' ', 8);
	unsigned long sum = 0;
	for (int i = 0; i < 512; i++) sum += h[i];
	snprintf((char *)h + 148, 8, "%06lo", sum);
	CHECK(tar_checksum_ok(h));
	h[0] = 'F';
	CHECK(!tar_checksum_ok(h));
}

/* ustar's prefix joins the name only under the ustar magic; fields that
 * fill their whole width (no NUL) are taken whole, never read past. */
UNIT_TEST(tar_header_name_fields)
{
	unsigned char h[512];
	char name[TAR_HEADER_NAME_MAX];
	memset(h, 0, sizeof h);
	memcpy(h, "etc/passwd", 10);
	tar_header_name(h, name);
	CHECK_EQ_STR(name, "etc/passwd");
	memcpy(h + 345, "usr/share", 9); /* a prefix without the magic: ignored (v7 tar) */
	tar_header_name(h, name);
	CHECK_EQ_STR(name, "etc/passwd");
	memcpy(h + 257, "ustar", 5);
	tar_header_name(h, name);
	CHECK_EQ_STR(name, "usr/share/etc/passwd");
	memset(h, 'n', 100);
	memset(h + 345, 'p', 155);
	tar_header_name(h, name);
	CHECK_EQ_INT((int)strlen(name), 155 + 1 + 100);
	CHECK(name[155] == '/' && name[0] == 'p' && name[156] == 'n');
}

/* ---- blobcheck: a size mismatch is not read; a stop is "interrupted", never ok */

#include <sys/mman.h>
#include <unistd.h>

#include "blobcheck.h"

static int region_of(const void *data, size_t n, struct blob_region *reg)
{
	int fd = memfd_create("blob", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, n) != (ssize_t)n) return -1;
	memset(reg, 0, sizeof *reg);
	reg->fd = fd;
	reg->owns_fd = 1;
	reg->size = n;
	return 0;
}

UNIT_TEST(blobcheck_size_mismatch_is_not_read)
{
	static unsigned char data[4096];
	struct blob_region reg;
	CHECK(region_of(data, sizeof data, &reg) == 0);
	digest_t d;
	digest_buffer(DIGEST_SHA256, data, sizeof data, &d);
	struct blob_result res;
	blobcheck_region(&reg, &d, 100, 1, COMP_NONE, NULL, &res);
	CHECK_EQ_INT(res.status, BLOB_SIZE_MISMATCH);
	CHECK(res.size_mismatch && !res.digest_mismatch && !res.diff_checked && !res.interrupted);
	CHECK(res.got.str[0] == '\0'); /* nothing hashed */
	CHECK(strstr(res.msg, "not read") != NULL);
	blobcheck_region(&reg, &d, sizeof data, 1, COMP_NONE, NULL, &res);
	CHECK_EQ_INT(res.status, BLOB_OK);
	CHECK(res.diff_checked);
	blob_region_close(&reg);
}

UNIT_TEST(blobcheck_stopped_is_interrupted_not_ok)
{
	static unsigned char data[1 << 20];
	struct blob_region reg;
	CHECK(region_of(data, sizeof data, &reg) == 0);
	digest_t d;
	digest_buffer(DIGEST_SHA256, data, sizeof data, &d);
	struct blob_result res;
	ea_stop_request();
	blobcheck_region(&reg, &d, sizeof data, 1, COMP_NONE, NULL, &res);
	ea_stop_reset();
	CHECK_EQ_INT(res.status, BLOB_UNREADABLE);
	CHECK(res.interrupted && !res.diff_checked && !res.digest_mismatch);
	CHECK(strstr(res.msg, "stopped (budget or signal) after 0 of 1048576 bytes") != NULL);
	/* a deadline already past: the same */
	ea_budget_set_deadline(1);
	blobcheck_region(&reg, &d, -1, 0, COMP_NONE, NULL, &res);
	ea_stop_reset();
	CHECK(res.interrupted && res.status == BLOB_UNREADABLE);
	blobcheck_region(&reg, &d, -1, 0, COMP_NONE, NULL, &res);
	CHECK_EQ_INT(res.status, BLOB_OK);
	blob_region_close(&reg);
}
