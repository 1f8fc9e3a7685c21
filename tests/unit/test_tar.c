/* Unit tests: the tar index reads headers as Go's archive/tar does and
 * names every ambiguity (issue 12, class 1 and 2).  Archives are built
 * here byte by byte so each rule is pinned; the differential suite
 * (tests/integration/test_differential.sh) checks the same rules against Go
 * itself on archives the real tools wrote. */

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tar.h"
#include "unit.h"

struct arc {
	unsigned char b[64 * 512];
	size_t n;
};

static void put_sum(unsigned char *h)
{
	memset(h + 148, ' ', 8);
	unsigned long sum = 0;
	for (int i = 0; i < 512; i++) sum += h[i];
	snprintf((char *)h + 148, 8, "%06lo", sum);
}

/* A header: magic "ustar\0" + "00" (ustar), "ustar  \0" (gnu) or "" (v7). */
static unsigned char *hdr(struct arc *a, const char *name, char type, size_t size,
                          const char *magic)
{
	unsigned char *h = a->b + a->n;
	memset(h, 0, 512);
	memcpy(h, name, strnlen(name, 100));
	memcpy(h + 100, "0000644", 7);
	memcpy(h + 108, "0000000", 7);
	memcpy(h + 116, "0000000", 7);
	snprintf((char *)h + 124, 12, "%011o", (unsigned)size);
	memcpy(h + 136, "00000000000", 11);
	h[156] = (unsigned char)type;
	if (!strcmp(magic, "ustar"))
		memcpy(h + 257,
		       "ustar\0"
		       "00",
		       8);
	if (!strcmp(magic, "gnu")) memcpy(h + 257, "ustar  \0", 8);
	a->n += 512;
	return h;
}

static void data(struct arc *a, const char *s, size_t n)
{
	memset(a->b + a->n, 0, (n + 511) / 512 * 512);
	memcpy(a->b + a->n, s, n);
	a->n += (n + 511) / 512 * 512;
}

static void file(struct arc *a, const char *name, const char *content, const char *magic)
{
	put_sum(hdr(a, name, '0', strlen(content), magic));
	data(a, content, strlen(content));
}

static void pax(struct arc *a, const char *records)
{
	put_sum(hdr(a, "PaxHeaders/x", 'x', strlen(records), "ustar"));
	data(a, records, strlen(records));
}

static int open_arc(struct arc *a, struct tar_index *ix)
{
	memset(a->b + a->n, 0, 1024);
	int fd = memfd_create("tar", 0);
	if (fd < 0 || write(fd, a->b, a->n + 1024) != (ssize_t)(a->n + 1024)) return -1;
	ea_error_t err = {0};
	return tar_index_open(ix, fd, "t.tar", &err);
}

static void close_arc(struct tar_index *ix)
{
	close(ix->fd);
	tar_index_free(ix);
}

static int has_amb(const struct tar_index *ix, const char *word)
{
	for (size_t i = 0; i < ix->namb && i < TAR_MAX_AMBIGUITIES; i++)
		if (strstr(ix->amb[i].msg, word)) return 1;
	return 0;
}

UNIT_TEST(tar_clean_path_as_go)
{
	static const char *cases[][2] = {
	        {"", "."},
	        {"a", "a"},
	        {"./a", "a"},
	        {"a/", "a"},
	        {"a//b", "a/b"},
	        {"index.json/.", "index.json"},
	        {"x/../index.json", "index.json"},
	        {"../a", "../a"},
	        {"/../a", "/a"},
	        {"a/../..", ".."},
	        {"/", "/"},
	        {"./", "."},
	        {"a/b/../../../c", "../c"},
	        {"blobs//sha256/./x", "blobs/sha256/x"},
	};
	char out[64];
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CHECK_EQ_STR(tar_clean_path(cases[i][0], out, sizeof out), cases[i][1]);
}

UNIT_TEST(tar_duplicate_after_clean_is_ambiguous)
{
	struct arc a = {0};
	struct tar_index ix;
	file(&a, "index.json", "first", "ustar");
	file(&a, "x/../index.json", "second", "ustar");
	CHECK(open_arc(&a, &ix) == 0);
	CHECK_EQ_INT((int)ix.n, 2);
	CHECK(ix.namb == 1 && has_amb(&ix, "after path.Clean"));
	const struct tar_member *m = tar_find(&ix, "./index.json");
	CHECK(m && m == &ix.m[0]); /* the first, as containers/image; the finding fails the store */
	close_arc(&ix);
}

UNIT_TEST(tar_gnu_long_name_wins_over_pax_path)
{
	struct arc a = {0};
	struct tar_index ix;
	pax(&a, "19 path=index.json\n");
	put_sum(hdr(&a, "././@LongLink", 'L', 9, "gnu"));
	data(&a, "evil.json", 9);
	file(&a, "short", "x", "ustar");
	CHECK(open_arc(&a, &ix) == 0);
	CHECK_EQ_INT((int)ix.n, 1);
	CHECK_EQ_STR(ix.m[0].name, "evil.json");
	CHECK(has_amb(&ix, "GNU long name"));
	close_arc(&ix);
}

UNIT_TEST(tar_prefix_only_where_go_reads_one)
{
	struct arc a = {0};
	struct tar_index ix;
	/* GNU format: bytes 345.. are atime/ctime; valid octal there is no prefix */
	unsigned char *h = hdr(&a, "index.json", '0', 1, "gnu");
	memcpy(h + 345, "00000000000", 11);
	put_sum(h);
	data(&a, "g", 1);
	/* non-standard magic: V7, no prefix */
	h = hdr(&a, "b.json", '0', 1, "");
	memcpy(h + 257,
	       "ustaX\0"
	       "00",
	       8);
	memcpy(h + 345, "dir", 3);
	put_sum(h);
	data(&a, "v", 1);
	/* ustar: the prefix joins */
	h = hdr(&a, "c.json", '0', 1, "ustar");
	memcpy(h + 345, "pre", 3);
	put_sum(h);
	data(&a, "u", 1);
	CHECK(open_arc(&a, &ix) == 0);
	CHECK_EQ_INT((int)ix.n, 3);
	CHECK_EQ_STR(ix.m[0].name, "index.json");
	CHECK_EQ_STR(ix.m[1].name, "b.json");
	CHECK_EQ_STR(ix.m[2].name, "pre/c.json");
	CHECK_EQ_INT((int)ix.namb, 2); /* the GNU and the V7 header read otherwise with a prefix */
	close_arc(&ix);
}

UNIT_TEST(tar_header_only_types_have_no_data)
{
	struct arc a = {0};
	struct tar_index ix;
	/* A symlink claiming 512 bytes: Go reads none, so the next header is
	 * right after it (a reader that skipped 512 would see "hidden"). */
	unsigned char *h = hdr(&a, "link", '2', 512, "ustar");
	memcpy(h + 157, "target", 6);
	put_sum(h);
	file(&a, "seen", "1", "ustar");
	CHECK(open_arc(&a, &ix) == 0);
	CHECK_EQ_INT((int)ix.n, 2);
	CHECK_EQ_STR(ix.m[1].name, "seen");
	close_arc(&ix);
}

/* Found by the fuzzer against Go (tests/fuzz/tar_go_diff.py): Go promotes
 * a type-NUL member whose name ends in '/' to a folder before sizing its
 * data, so it has none; but it refuses a negative raw size first. */
UNIT_TEST(tar_nul_type_folder_has_no_data)
{
	struct arc a = {0};
	struct tar_index ix;
	put_sum(hdr(&a, "blobs/", '\0', 420, ""));
	file(&a, "seen", "1", "");
	CHECK(open_arc(&a, &ix) == 0);
	CHECK_EQ_INT((int)ix.n, 2);
	CHECK_EQ_STR(ix.m[0].name, "blobs");
	CHECK(ix.m[0].kind == TAR_DIR);
	CHECK_EQ_STR(ix.m[1].name, "seen");
	close_arc(&ix);
	/* the same name as a PAX path: the final name decides */
	struct arc b = {0};
	pax(&b, "18 path=data/dir/\n");
	put_sum(hdr(&b, "plainname", '\0', 420, "ustar"));
	file(&b, "seen", "1", "ustar");
	CHECK(open_arc(&b, &ix) == 0);
	CHECK_EQ_INT((int)ix.n, 2);
	CHECK_EQ_STR(ix.m[1].name, "seen");
	close_arc(&ix);
	/* a negative (base-256) size: refused, though the name ends in '/' */
	struct arc c = {0};
	file(&c, "first", "1", "");
	unsigned char *h = hdr(&c, "blobs/", '\0', 0, "");
	memset(h + 124, 0xff, 12);
	put_sum(h);
	file(&c, "hidden", "1", "");
	CHECK(open_arc(&c, &ix) == 0);
	CHECK_EQ_INT((int)ix.n, 1);
	CHECK(ix.truncated);
	close_arc(&ix);
}

UNIT_TEST(tar_zero_block_then_header_stops)
{
	struct arc a = {0};
	struct tar_index ix;
	file(&a, "a", "1", "ustar");
	memset(a.b + a.n, 0, 512);
	a.n += 512;
	file(&a, "index.json", "hidden", "ustar");
	CHECK(open_arc(&a, &ix) == 0);
	CHECK_EQ_INT((int)ix.n, 1);
	CHECK(ix.truncated && has_amb(&ix, "single zero block"));
	close_arc(&ix);
}

UNIT_TEST(tar_signed_checksum_and_bad_fields)
{
	struct arc a = {0};
	struct tar_index ix;
	unsigned char *h = hdr(&a, "caf\xc3\xa9", '0', 1, "ustar");
	memset(h + 148, ' ', 8);
	long sum = 0;
	for (int i = 0; i < 512; i++) sum += (signed char)h[i];
	snprintf((char *)h + 148, 8, "%06lo", sum);
	data(&a, "s", 1);
	h = hdr(&a, "badmode", '0', 1, "ustar");
	memcpy(h + 100, "09", 2); /* Go: ErrHeader */
	put_sum(h);
	data(&a, "b", 1);
	CHECK(open_arc(&a, &ix) == 0);
	CHECK_EQ_INT((int)ix.n, 1); /* the signed sum is accepted; the bad mode stops the index */
	CHECK(ix.truncated);
	close_arc(&ix);
}

UNIT_TEST(tar_one_symlink_hop_no_hard_links)
{
	struct arc a = {0};
	struct tar_index ix;
	file(&a, "d/layer.tar", "L", "ustar");
	unsigned char *h = hdr(&a, "e/layer.tar", '2', 0, "ustar");
	memcpy(h + 157, "../d/layer.tar", 14);
	put_sum(h);
	h = hdr(&a, "f/layer.tar", '2', 0, "ustar");
	memcpy(h + 157, "../e/layer.tar", 14);
	put_sum(h);
	h = hdr(&a, "g/layer.tar", '1', 0, "ustar");
	memcpy(h + 157, "d/layer.tar", 11);
	put_sum(h);
	CHECK(open_arc(&a, &ix) == 0);
	struct blob_region reg;
	ea_error_t err = {0};
	CHECK(tar_member_region(&ix, "e/layer.tar", &reg, &err) == 0 && reg.size == 1);
	CHECK(tar_member_region(&ix, "f/layer.tar", &reg, &err) < 0 && err.code == EA_E_SYMLINK);
	CHECK(tar_member_region(&ix, "g/layer.tar", &reg, &err) < 0 && err.code == EA_E_SYMLINK);
	close_arc(&ix);
}
