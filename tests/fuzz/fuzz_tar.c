/* tar_index_open / tar_member_region / blobsrc_tar (tar.h): oci-archive and
 * docker-archive files, read in place over a memfd.  With option bit 0 the
 * harness first rewrites the header checksums along the member chain, so
 * the fuzzer spends its time past the checksum gate (as a forger would). */
#include "common.h"
#include "tar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t opt = fz_take_byte(&data, &size);
	int fd = fz_tar_memfd(data, size, opt & 1);
	struct tar_index ix;
	ea_error_t err = {0};
	if (tar_index_open(&ix, fd, "fuzz.tar", &err) < 0) {
		tar_index_free(&ix);
		return 0;
	}
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
