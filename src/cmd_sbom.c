/* cmd_sbom: `edgeaudit sbom`, the installed packages as CycloneDX or SPDX. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "fsx.h"
#include "model.h"
#include "sbom.h"

struct subjects {
	struct sbom_subject *s;
	size_t n, cap;
};

static void collect(const char *subject, const struct inventory *inv, struct image *img, void *arg)
{
	struct subjects *ss = arg;
	if (ss->n == ss->cap) {
		ss->cap = ss->cap ? ss->cap * 2 : 8;
		ss->s = xrealloc(ss->s, ss->cap * sizeof *ss->s);
	}
	struct sbom_subject *s = &ss->s[ss->n++];
	memset(s, 0, sizeof *s);
	s->inv = inv;
	if (!img) {
		s->host = 1;
		s->name = subject;
		return;
	}
	s->name = img->nnames ? img->names[0] : subject;
	if (img->manifest_digest.str[0]) s->digest = img->manifest_digest.str;
	if (img->config.str[0]) s->image_id = img->config.str;
}

/* Findings on stderr, one line each: what makes the SBOM less than whole. */
static void print_findings(report_t *r)
{
	cJSON *f;
	cJSON_ArrayForEach (f, report_findings(r)) {
		fprintf(stderr, "edgeaudit: %s %s: %s\n",
		        cJSON_GetStringValue(cJSON_GetObjectItem(f, "id")),
		        cJSON_GetStringValue(cJSON_GetObjectItem(f, "subject")),
		        cJSON_GetStringValue(cJSON_GetObjectItem(f, "message")));
	}
}

static int emit(const struct ea_opts *o, const char *doc)
{
	ea_error_t err = {0};
	if (o->out) {
		if (fsx_write_atomic(o->out, doc, strlen(doc), &err) < 0) {
			fprintf(stderr, "edgeaudit: --out %s: %s\n", o->out, err.msg);
			return -1;
		}
		return 0;
	}
	if (fputs(doc, stdout) == EOF || fputc('\n', stdout) == EOF || fflush(stdout) == EOF) {
		fprintf(stderr, "edgeaudit: writing the SBOM to stdout failed\n");
		return -1;
	}
	return 0;
}

static int run(struct ea_opts *o)
{
	report_t *r = report_new();
	if (o->nstores || !o->root) cli_audit_stores(r, o);
	if (o->root && cli_host_inventory(r, o->root) < 0) {
		report_free(r);
		return 2;
	}
	struct subjects ss = {0};
	model_each_inventory(r, collect, &ss);
	unsigned char serial[16];
	if (getrandom(serial, sizeof serial, 0) != (ssize_t)sizeof serial)
		memset(serial, 0, sizeof serial); /* still a well-formed serial */
	cleanup_free char *doc = sbom_render(o->format == FORMAT_SPDX ? SBOM_SPDX : SBOM_CYCLONEDX,
	                                     ss.s, ss.n, EDGEAUDIT_VERSION, time(NULL), serial);
	free(ss.s);
	print_findings(r);
	int code = emit(o, doc) < 0 ? 2 : report_exit_code(r, o->fail_on);
	report_free(r);
	return code;
}

const struct ea_command cmd_sbom = {
        .name = "sbom",
        .summary = "the installed packages of every image (and --root) as an SBOM",
        .options = OPT_STORE | OPT_JOBS | OPT_SBOM | OPT_ROOT,
        .run = run,
        .help = "usage: edgeaudit sbom [--store [TYPE:]PATH]... [--root DIR]\n"
                "                      [--format cyclonedx|spdx] [--out FILE | -o FILE]\n"
                "                      [--jobs N]\n"
                "\n"
                "Verify the image stores as `edgeaudit images` does and write what is\n"
                "installed in each image (dpkg, apk, opkg; the distribution from os-release)\n"
                "as one CycloneDX 1.6 or SPDX 2.3 JSON document, each image a component\n"
                "holding its packages with their package URLs.  Findings that make the\n"
                "list less than whole (a malformed or unsupported database, a layer that\n"
                "could not be read) go to stderr and the exit code.\n"
                "\n"
                "  --store [TYPE:]PATH  a store (repeatable), as for images; default: the\n"
                "                       usual roots (none with only --root)\n"
                "  --root DIR           also the packages installed in DIR (the host: /)\n"
                "  --format F           cyclonedx (default) or spdx\n"
                "  --out FILE, -o FILE  write the document to FILE atomically (temp file,\n"
                "                       fsync, rename) instead of stdout\n"
                "  --jobs N             blobs verified in parallel (default: online CPUs)\n"
                "\n"
                "Exit: 0 every inventory whole, 1 a finding at or above high, 2 usage error or\n"
                "the document could not be written, 3 incomplete.\n",
};
