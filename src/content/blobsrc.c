/* blobsrc: see blobsrc.h. */
#include "blobsrc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fsx.h"

void blob_region_close(struct blob_region *r)
{
	if (r->owns_fd && r->fd >= 0) close(r->fd);
	r->fd = -1;
	r->owns_fd = 0;
}

int blob_region_pread(const struct blob_region *r, void *buf, size_t len, uint64_t off,
                      ea_error_t *err)
{
	if (off > r->size || len > r->size - off)
		return ea_fail(err, EA_E_TRUNCATED, "read past the end of %s", r->where);
	size_t got = 0;
	while (got < len) {
		ssize_t n =
		        pread(r->fd, (char *)buf + got, len - got, r->offset + (off_t)(off + got));
		if (n < 0) {
			if (errno == EINTR) continue;
			return ea_fail_errno(err, errno, "cannot read %s", r->where);
		}
		if (n == 0) return ea_fail(err, EA_E_TRUNCATED, "%s ends early", r->where);
		got += (size_t)n;
	}
	return 0;
}

int blobsrc_read_verified(struct blobsrc *s, const digest_t *d, size_t max, char **data,
                          size_t *len, ea_error_t *err)
{
	struct blob_region reg = {.fd = -1};
	if (blobsrc_open(s, d, &reg, err) < 0) return -1;
	if (reg.size > max) {
		blob_region_close(&reg);
		return ea_fail(err, EA_E_TOOBIG, "%s is %llu bytes, over the %zu-byte limit",
		               reg.where, (unsigned long long)reg.size, max);
	}
	char *buf = xmalloc(reg.size + 1);
	if (blob_region_pread(&reg, buf, reg.size, 0, err) < 0) {
		free(buf);
		blob_region_close(&reg);
		return -1;
	}
	buf[reg.size] = '\0';
	digest_t got;
	digest_buffer(d->alg, buf, reg.size, &got);
	if (!digest_equal(&got, d)) {
		ea_fail(err, EA_E_MISMATCH, "%s hashes to %s", reg.where, got.str);
		free(buf);
		blob_region_close(&reg);
		return -1;
	}
	*data = buf;
	*len = reg.size;
	blob_region_close(&reg);
	return 0;
}

/* ---- OCI layout folder ---- */

struct oci_dir_priv {
	int root_fd;
};

int blob_region_open_file(int dirfd, const char *rel, struct blob_region *out, ea_error_t *err)
{
	struct stat st;
	int fd = fsx_open_file_at(dirfd, rel, &st, err);
	if (fd < 0) return -1;
	out->fd = fd;
	out->owns_fd = 1;
	out->offset = 0;
	out->size = (uint64_t)st.st_size;
	snprintf(out->where, sizeof out->where, "%s", rel);
	return 0;
}

static int oci_dir_open(struct blobsrc *s, const digest_t *d, struct blob_region *out,
                        ea_error_t *err)
{
	struct oci_dir_priv *p = s->priv;
	char rel[DIGEST_MAX_STR + 16];
	snprintf(rel, sizeof rel, "blobs/%s/%s", digest_alg_name(d->alg), digest_hex(d));
	return blob_region_open_file(p->root_fd, rel, out, err);
}

static void oci_dir_close(struct blobsrc *s)
{
	struct oci_dir_priv *p = s->priv;
	if (p) {
		close(p->root_fd);
		free(p);
	}
	s->priv = NULL;
}

static const struct blobsrc_ops oci_dir_ops = {oci_dir_open, oci_dir_close};

int blobsrc_oci_dir(struct blobsrc *s, int root_fd, const char *label, ea_error_t *err)
{
	int fd = fcntl(root_fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0) return ea_fail_errno(err, errno, "dup");
	struct oci_dir_priv *p = xcalloc(1, sizeof *p);
	p->root_fd = fd;
	s->ops = &oci_dir_ops;
	s->priv = p;
	snprintf(s->label, sizeof s->label, "%s", label);
	return 0;
}
