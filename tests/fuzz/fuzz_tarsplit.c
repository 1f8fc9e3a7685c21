/* tarsplit_verify (tarsplit.h): a Docker / containers-storage layer's
 * tar-split record against an extracted layer folder.  The folder is made
 * once (seeds.sh builds a matching tar-split with the real tar-split tool);
 * the input is the record's JSON lines, gzipped here (option bit 0: the
 * input is already the gzip file) so the fuzzer mutates the JSON. */
#include <zlib.h>

#include "common.h"
#include "tarsplit.h"

static int layer_fd = -1;

/* The layer seeds.sh mirrors (mk_layer_tar): keep the two in step. */
static void make_layer(void)
{
	const char *t = fz_tmpdir();
	char p[512];
	snprintf(p, sizeof p, "%s/layer", t);
	if (mkdir(p, 0755) < 0) fz_die("mkdir %s: %s", p, strerror(errno));
	snprintf(p, sizeof p, "%s/layer/etc", t);
	if (mkdir(p, 0755) < 0) fz_die("mkdir %s: %s", p, strerror(errno));
	snprintf(p, sizeof p, "%s/layer/empty", t);
	if (mkdir(p, 0755) < 0) fz_die("mkdir %s: %s", p, strerror(errno));
	fz_put("layer/etc/hostname", "edge\n", 5);
	fz_put("layer/hello.txt", "hello, world\n", 13);
	snprintf(p, sizeof p, "%s/layer/link", t);
	if (symlink("hello.txt", p) < 0) fz_die("symlink %s: %s", p, strerror(errno));
	snprintf(p, sizeof p, "%s/layer", t);
	layer_fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (layer_fd < 0) fz_die("open %s: %s", p, strerror(errno));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	umask(022);
	make_layer();
	return 0;
}

static void finding(void *ctx, const char *id, const char *path, const char *msg)
{
	unsigned long *n = ctx;
	(*n)++;
	if (!id || !path || !msg || (strncmp(id, "layer.", 6) != 0 && strncmp(id, "store.", 6) != 0)) abort();
	if (getenv("FUZZ_DEBUG")) fprintf(stderr, "finding %s %s: %s\n", id, path, msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t opt = fz_take_byte(&data, &size);
	const uint8_t *in = data;
	size_t inlen = size;
	unsigned char *gz = NULL;
	if (!(opt & 1)) {
		z_stream zs = {0};
		if (deflateInit2(&zs, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) abort();
		uLong cap = deflateBound(&zs, size) + 64;
		gz = malloc(cap);
		zs.next_in = (Bytef *)data;
		zs.avail_in = (uInt)size;
		zs.next_out = gz;
		zs.avail_out = (uInt)cap;
		if (deflate(&zs, Z_FINISH) != Z_STREAM_END) abort();
		inlen = zs.total_out;
		deflateEnd(&zs);
		in = gz;
	}
	int fd = fz_memfd(in, inlen);
	free(gz);
	struct tarsplit_opts o = {.overlay = !!(opt & 2), .check_added = !!(opt & 4)};
	struct tarsplit_result res;
	ea_error_t err = {0};
	unsigned long n = 0;
	int rc = tarsplit_verify(fd, layer_fd, &o, finding, &n, &res, &err);
	if (getenv("FUZZ_DEBUG"))
		fprintf(stderr, "rc %d (%s) diffid %s size %llu entries %lu files %lu\n", rc, rc ? err.msg : "", res.diffid.str,
			(unsigned long long)res.tar_size, res.entries, res.files);
	/* every problem handed over is counted; at most TARSPLIT_MAX_FINDINGS are */
	if (n > res.problems || n > TARSPLIT_MAX_FINDINGS) abort();
	return 0;
}
