/* The host baseline's reader (baseline.h): a baseline file over a memfd,
 * read as audit --baseline reads it (header, then every entry to the end).
 * Properties: every path handed out is strictly after the one before it in
 * path order; every entry written back (bl_format_entry) is one line that
 * reads back to the same entry (one spelling per entry: the reader takes
 * only the canonical form); the reader's digest of a file read to its end
 * is the file's SHA-256. */
#include "baseline.h"
#include "common.h"
#include "digest.h"

static char line[BL_LINE_MAX + 1], path2[BL_PATH_MAX + 1], prev[BL_PATH_MAX + 1];
static struct bl_entry e2;

static void same_entry(const struct bl_entry *e)
{
	size_t n = bl_format_entry(e, line);
	if (n == 0 || line[n - 1] != '\n' || memchr(line, '\n', n - 1)) abort();
	line[n - 1] = '\0';
	ea_error_t err = {0};
	if (bl_parse_entry(line, &e2, path2, &err) < 0) abort();
	if (e2.path_len != e->path_len || memcmp(e2.path, e->path, e->path_len) ||
	    e2.type != e->type || e2.mode != e->mode || e2.uid != e->uid || e2.gid != e->gid ||
	    e2.size != e->size || e2.hashed != e->hashed || e2.caps_state != e->caps_state ||
	    e2.target_len != e->target_len || memcmp(e2.target, e->target, e->target_len))
		abort();
	if (e->hashed && memcmp(e2.sha256, e->sha256, 32)) abort();
	if (e->caps_state == BL_CAPS_SET &&
	    (e2.caps_len != e->caps_len || memcmp(e2.caps, e->caps, e->caps_len)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = fz_memfd(data, size);
	struct bl_spec spec;
	struct bl_reader *rd;
	ea_error_t err = {0};
	if (bl_reader_open(fd, &spec, &rd, &err) < 0) return 0;
	const struct bl_entry *e;
	int rc;
	prev[0] = '\0';
	while ((rc = bl_reader_next(rd, &e, &err)) > 0) {
		if (e->path[0] != '/' || strlen(e->path) != e->path_len) abort();
		if (prev[0] && bl_path_cmp(prev, e->path) >= 0) abort();
		memcpy(prev, e->path, e->path_len + 1);
		same_entry(e);
	}
	if (rc == 0) {
		unsigned char h[32];
		digest_t d;
		bl_reader_digest(rd, h);
		digest_buffer(DIGEST_SHA256, data, size, &d);
		if (memcmp(h, d.bytes, 32)) abort();
	}
	bl_reader_free(rd);
	bl_spec_free(&spec);
	return 0;
}
