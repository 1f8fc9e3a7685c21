/*
 * Helpers shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.c).
 *
 * Every harness is one file: LLVMFuzzerTestOneInput() hands the input to one
 * parser the way edgeaudit does, with whatever fixed context the parser needs
 * (keys, trusted roots, a layer folder) set up once in LLVMFuzzerInitialize.
 * Harnesses never write outside the private temp folder fz_tmpdir() makes
 * (removed at exit), and hand file-based parsers a memfd, not a path.
 */
#ifndef EDGEAUDIT_FUZZ_COMMON_H
#define EDGEAUDIT_FUZZ_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* ../shared/testdata (run.sh exports EDGEAUDIT_SHARED_TESTDATA); NULL when absent. */
static inline const char *fz_shared(void)
{
	const char *s = getenv("EDGEAUDIT_SHARED_TESTDATA");
	struct stat st;
	return s && stat(s, &st) == 0 && S_ISDIR(st.st_mode) ? s : NULL;
}

/* Read a whole fixture file (NULL when absent). */
static inline char *fz_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) return NULL;
	char *buf = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (!buf) abort();
		}
		size_t k = fread(buf + n, 1, cap - n - 1, f);
		n += k;
		if (k == 0) break;
	}
	fclose(f);
	buf[n] = '\0';
	if (len) *len = n;
	return buf;
}

/* Shared fixture path into a static rotating buffer (NULL without testdata). */
static inline const char *fz_fixture(const char *rel)
{
	static char bufs[8][1024];
	static int k;
	const char *s = fz_shared();
	if (!s) return NULL;
	char *b = bufs[k++ & 7];
	snprintf(b, sizeof bufs[0], "%s/%s", s, rel);
	return b;
}

/* A memfd holding exactly data[0..size), reused between runs (one per
 * process; the offset is rewound). */
static inline int fz_memfd(const uint8_t *data, size_t size)
{
	static int fd = -1;
	if (fd < 0) fd = memfd_create("fuzz-input", MFD_CLOEXEC);
	if (fd < 0) abort();
	if (ftruncate(fd, 0) < 0) abort();
	size_t off = 0;
	while (off < size) {
		ssize_t w = pwrite(fd, data + off, size - off, (off_t)off);
		if (w <= 0) abort();
		off += (size_t)w;
	}
	if (lseek(fd, 0, SEEK_SET) < 0) abort();
	return fd;
}

static inline int fz_rm_cb(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st; (void)flag; (void)f;
	return remove(p);
}

static char fz_tmp[256];
static inline void fz_tmp_cleanup(void)
{
	/* Only the folder this process made (mkdtemp under $TMPDIR or /tmp). */
	if (fz_tmp[0] && strstr(fz_tmp, "/edgeaudit-fuzz.")) nftw(fz_tmp, fz_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* The harness itself cannot go on (its setup, not the code under test):
 * say why on stderr, then abort.  In LLVMFuzzerInitialize that is before
 * libFuzzer's first line, and the runner classes the run "nostart" with this
 * line in its kept log (tests/fuzz/classify.sh): never a silent abort. */
__attribute__((noreturn, format(printf, 1, 2))) static inline void fz_die(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: harness setup failed: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fz_tmp_cleanup(); /* abort() runs no atexit handler */
	abort();
}

/* A private temp folder for this process, removed at exit. */
static inline const char *fz_tmpdir(void)
{
	if (!fz_tmp[0]) {
		const char *t = getenv("TMPDIR");
		snprintf(fz_tmp, sizeof fz_tmp, "%s/edgeaudit-fuzz.XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(fz_tmp)) fz_die("mkdtemp %s: %s", fz_tmp, strerror(errno));
		atexit(fz_tmp_cleanup);
	}
	return fz_tmp;
}

/* Write a file below fz_tmpdir() (rel has no ".."; the harness chooses it). */
static inline void fz_put(const char *rel, const void *data, size_t n)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", fz_tmpdir(), rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, data, n) != (ssize_t)n) fz_die("writing %s: %s", p, strerror(errno));
	close(fd);
}

/* Copy the fixture at rel (see fz_fixture) to `to` below fz_tmpdir(), when
 * the fixture is there. */
static inline void fz_copy_fixture(const char *rel, const char *to)
{
	size_t n;
	const char *p = fz_fixture(rel);
	char *d = p ? fz_read(p, &n) : NULL;
	if (d) fz_put(to, d, n);
	free(d);
}

/* Whatever a hostile input put into the findings, the report must still
 * render as valid JSON (FUZZ_DEBUG=1 prints it, to check a seed by hand). */
static inline void fz_check_report_json(report_t *r)
{
	char *j = report_render_json(r, SEV_HIGH, 0, 0);
	if (getenv("FUZZ_DEBUG")) fprintf(stderr, "%s\n", j);
	cJSON *back = cJSON_Parse(j);
	if (!back) abort();
	cJSON_Delete(back);
	free(j);
}

/* Rewrite the header checksums along a tar's member chain (as a forger
 * would), so that the fuzzer's time goes past the checksum gate. */
static inline void fz_fix_tar_checksums(uint8_t *p, size_t n)
{
	uint64_t off = 0;
	for (int k = 0; k < 4096 && off + 512 <= n; k++) {
		uint8_t *h = p + off;
		int zero = 1;
		for (int i = 0; i < 512 && zero; i++) zero = h[i] == 0;
		if (zero) {
			off += 512;
			continue;
		}
		unsigned long sum = 0;
		for (int i = 0; i < 512; i++) sum += (i >= 148 && i < 156) ? ' ' : h[i];
		char f[16];
		snprintf(f, sizeof f, "%06lo", sum & 0777777);
		memcpy(h + 148, f, 6);
		h[154] = '\0';
		h[155] = ' ';
		/* the size field, octal only (enough to find the next header) */
		uint64_t size = 0;
		for (int i = 124; i < 136 && h[i] >= '0' && h[i] <= '7'; i++) size = size * 8 + (uint64_t)(h[i] - '0');
		if (size > n) break;
		off += 512 + (size + 511) / 512 * 512;
	}
}

/* The input as a tar in fz_memfd; fix: its header checksums rewritten first
 * (fz_fix_tar_checksums). */
static inline int fz_tar_memfd(const uint8_t *data, size_t size, int fix)
{
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf) abort();
	memcpy(buf, data, size);
	if (fix) fz_fix_tar_checksums(buf, size);
	int fd = fz_memfd(buf, size);
	free(buf);
	return fd;
}

/* Take a byte of options off the front of the input (0 when empty). */
static inline uint8_t fz_take_byte(const uint8_t **data, size_t *size)
{
	if (*size == 0) return 0;
	uint8_t b = **data;
	(*data)++;
	(*size)--;
	return b;
}

#endif
