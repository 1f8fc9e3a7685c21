/* Helpers shared by the signature unit tests (see test_sig_helpers.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_sig_helpers.h"

char *tsig_read(const char *path, size_t *len)
{
	char *d = NULL;
	ea_error_t err;
	if (config_read(path, 64u << 20, &d, len, &err) < 0) return NULL;
	return d;
}

const char *tsig_path(const char *fmt, ...)
{
	static char buf[8][1024];
	static int i;
	char *b = buf[i++ % 8];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b, sizeof buf[0], fmt, ap);
	va_end(ap);
	return b;
}

int tsig_load_troot(struct sig_policy *p, const char *path)
{
	size_t len;
	char *d = tsig_read(path, &len);
	if (!d) return -1;
	ea_error_t err;
	int rc = troot_parse(d, len, &p->troot, &err);
	if (rc < 0) fprintf(stderr, "#   trusted root %s: %s\n", path, err.msg);
	free(d);
	return rc;
}

void tsig_add_identity(struct sig_policy *p, const char *name, const char *subject,
                       const char *issuer)
{
	p->identities =
	        xrealloc(p->identities, (size_t)(p->nidentities + 1) * sizeof *p->identities);
	struct pol_identity *id = &p->identities[p->nidentities++];
	memset(id, 0, sizeof *id);
	snprintf(id->name, sizeof id->name, "%s", name);
	id->subject = xstrdup(subject);
	id->issuer = xstrdup(issuer);
}

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blobsrc.h"
#include "fsx.h"
#include "model.h"

int tsig_run_layout(const char *dir, const char *ref, const char *name, const struct sig_policy *p,
                    report_t *rep, cJSON **img)
{
	*img = NULL;
	ea_error_t err;
	int fd = fsx_open_root(dir, &err);
	if (fd < 0) return -2;
	struct blobsrc src;
	if (blobsrc_oci_dir(&src, fd, dir, &err) < 0) {
		close(fd);
		return -2;
	}
	close(fd);
	size_t il;
	char *idx = tsig_read(tsig_path("%s/index.json", dir), &il);
	cJSON *j = idx ? cJSON_ParseWithLength(idx, il) : NULL;
	free(idx);
	const cJSON *ms = j ? cJSON_GetObjectItemCaseSensitive(j, "manifests") : NULL;
	struct sig_candidate c[64];
	int n = 0, found = 0;
	digest_t target;
	for (const cJSON *m = ms ? ms->child : NULL; m && n < 64; m = m->next) {
		const cJSON *an = cJSON_GetObjectItemCaseSensitive(m, "annotations");
		const char *tag = an ? sjson_str(an, "org.opencontainers.image.ref.name") : NULL;
		digest_t d;
		if (!sjson_str(m, "digest") || digest_parse(sjson_str(m, "digest"), &d, &err) < 0)
			continue;
		if (tag && !strcmp(tag, ref)) {
			target = d;
			found = 1;
			continue;
		}
		c[n].digest = d;
		c[n].media_type = sjson_str(m, "mediaType");
		c[n].artifact_type = sjson_str(m, "artifactType");
		c[n].tag = tag;
		n++;
	}
	int rc = -2;
	if (found) {
		char *man = NULL;
		size_t ml;
		if (blobsrc_read_verified(&src, &target, 4u << 20, &man, &ml, &err) == 0) {
			const char *names[1] = {name};
			struct sig_target t = {.store_label = dir,
			                       .names = names,
			                       .nnames = name ? 1 : 0,
			                       .manifest_digest = target,
			                       .manifest = man,
			                       .manifest_len = ml};
			t.image = model_image_new(dir);
			rc = sig_verify_image(rep, p, &src, c, n, &t);
			/* the image JSON as the report renders it */
			int at = model_image_commit(rep, t.image);
			cJSON *all = model_render_images(rep);
			*img = cJSON_DetachItemFromArray(all, at);
			cJSON_Delete(all);
			free(man);
		}
	}
	cJSON_Delete(j);
	if (src.ops->close) src.ops->close(&src);
	return rc;
}

int tsig_count_findings(report_t *rep, const char *id)
{
	char *s = report_render_json(rep, SEV_HIGH, 0, 0);
	cJSON *j = s ? cJSON_Parse(s) : NULL;
	free(s);
	int n = 0;
	const cJSON *f = j ? cJSON_GetObjectItemCaseSensitive(j, "findings") : NULL;
	for (const cJSON *x = f ? f->child : NULL; x; x = x->next) {
		const char *fid = sjson_str(x, "id");
		if (fid && !strcmp(fid, id)) n++;
	}
	cJSON_Delete(j);
	return n;
}

static int copy_file(const char *from, const char *to)
{
	size_t l;
	char *d = tsig_read(from, &l);
	if (!d) return -1;
	int fd = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int ok = fd >= 0 && write(fd, d, l) == (ssize_t)l;
	if (fd >= 0) close(fd);
	free(d);
	return ok ? 0 : -1;
}

static char made[32][256];
static int nmade;

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_made(void)
{
	for (int i = 0; i < nmade; i++) nftw(made[i], rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *tsig_truststore(const char *type, const char *name, const char *const *files, int n)
{
	static char base[256];
	/* A "ca" store starts a fresh trust store folder; "tsa"/"signingAuthority"
	 * stores join the latest one. */
	if (!base[0] || !strcmp(type, "ca")) {
		snprintf(base, sizeof base, "%s/edgeaudit-ts.XXXXXX",
		         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (!mkdtemp(base)) return NULL;
		if (nmade == 0) atexit(rm_made);
		if (nmade < 32) snprintf(made[nmade++], sizeof made[0], "%s", base);
		mkdir(tsig_path("%s/x509", base), 0755);
	}
	mkdir(tsig_path("%s/x509/%s", base, type), 0755);
	mkdir(tsig_path("%s/x509/%s/%s", base, type, name), 0755);
	for (int i = 0; i < n; i++) {
		const char *bn = strrchr(files[i], '/') ? strrchr(files[i], '/') + 1 : files[i];
		char to[1024];
		snprintf(to, sizeof to, "%s/x509/%s/%s/%s", base, type, name, bn);
		if (copy_file(files[i], to) < 0) return NULL;
	}
	return base;
}

int tsig_load_notation(struct sig_policy *p, const char *policy_path, const char *store)
{
	size_t l;
	char *d = tsig_read(policy_path, &l);
	if (!d) return -1;
	ea_error_t err;
	int fd = fsx_open_root(store, &err);
	int rc = fd < 0 ? -1 : notation_policy_parse(d, l, fd, &p->notation, &err);
	if (rc < 0) fprintf(stderr, "#   notation policy %s: %s\n", policy_path, err.msg);
	if (fd >= 0) close(fd);
	free(d);
	return rc;
}
