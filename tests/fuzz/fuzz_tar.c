/* tar_index_open / tar_member_region / blobsrc_tar (tar.h): oci-archive and
 * docker-archive files, read in place over a memfd.  With option bit 0 the
 * harness first rewrites the header checksums along the member chain, so
 * the fuzzer spends its time past the checksum gate (as a forger would).
 *
 * With EA_TAR_DUMP=PREFIX set, the Nth input run (from 0) also writes the
 * archive it read to PREFIX.N.tar and its reading to PREFIX.N.ours (a JSON line per member, then
 * one with truncated/ambiguities): tests/fuzz/tar_go_diff.sh compares that
 * with Go's archive/tar (tests/tools/tarlist) on the corpus the fuzzer
 * kept. */
#include <stdio.h>

#include "common.h"
#include "tar.h"

static const char *kind_name(tar_kind_t k)
{
	return k == TAR_FILE ? "file" : k == TAR_DIR ? "dir" : k == TAR_LINK ? "link" : k == TAR_SYMLINK ? "symlink" : "special";
}

static void dump_reading(const char *prefix, int fd, const struct tar_index *ix, int indexed)
{
	static unsigned seq;
	unsigned k = seq++;
	char path[4096];
	struct stat st;
	if (fstat(fd, &st) < 0) abort();
	unsigned char *all = malloc((size_t)st.st_size + 1);
	if (!all || pread(fd, all, (size_t)st.st_size, 0) != st.st_size) abort();
	snprintf(path, sizeof path, "%s.%u.tar", prefix, k);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(all, 1, (size_t)st.st_size, f) != (size_t)st.st_size) abort();
	fclose(f);
	snprintf(path, sizeof path, "%s.%u.ours", prefix, k);
	f = fopen(path, "w");
	if (!f) abort();
	for (size_t i = 0; indexed && i < ix->n; i++) {
		const struct tar_member *m = &ix->m[i];
		fprintf(f, "{\"clean_hex\": \"");
		for (const char *p = m->name; *p; p++) fprintf(f, "%02x", (unsigned char)*p);
		fprintf(f, "\", \"kind\": \"%s\", \"size\": %llu", kind_name(m->kind), (unsigned long long)m->size);
		if (m->kind == TAR_FILE) {
			digest_t d;
			digest_buffer(DIGEST_SHA256, all + m->offset, m->size, &d);
			fprintf(f, ", \"sha256\": \"%s\"", digest_hex(&d));
		}
		fprintf(f, "}\n");
	}
	fprintf(f, "{\"end\": 1, \"indexed\": %d, \"truncated\": %d, \"ambiguities\": %zu}\n", indexed,
		indexed ? ix->truncated : 1, ix->namb);
	fclose(f);
	free(all);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t opt = fz_take_byte(&data, &size);
	int fd = fz_tar_memfd(data, size, opt & 1);
	struct tar_index ix;
	ea_error_t err = {0};
	const char *dump = getenv("EA_TAR_DUMP");
	if (tar_index_open(&ix, fd, "fuzz.tar", &err) < 0) {
		if (dump) dump_reading(dump, fd, &ix, 0);
		tar_index_free(&ix);
		return 0;
	}
	if (dump) dump_reading(dump, fd, &ix, 1);
	/* every member the way the archive readers address them */
	for (size_t i = 0; i < ix.n && i < 256; i++) {
		const struct tar_member *m = &ix.m[i];
		if (m->offset > ix.file_size || m->size > ix.file_size - m->offset) abort(); /* index must stay in the file */
		struct blob_region r = {.fd = -1};
		if (tar_member_region(&ix, m->name, &r, &err) == 0) {
			if ((uint64_t)r.offset + r.size > ix.file_size) abort();
			unsigned char b[64];
			size_t n = r.size < sizeof b ? r.size : sizeof b;
			if (blob_region_pread(&r, b, n, r.size - n, &err) < 0) abort(); /* in bounds, so readable */
			blob_region_close(&r);
		}
	}
	(void)tar_find(&ix, "manifest.json");
	/* a blob source over the archive, as oci-archive uses it */
	struct blobsrc src;
	blobsrc_tar(&src, &ix, (opt & 2) ? "" : "x/", "fuzz.tar");
	digest_t d;
	digest_buffer(DIGEST_SHA256, "", 0, &d);
	struct blob_region r = {.fd = -1};
	if (blobsrc_open(&src, &d, &r, &err) == 0) blob_region_close(&r);
	blobsrc_close(&src);
	tar_index_free(&ix);
	return 0;
}
