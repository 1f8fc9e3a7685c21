/* The image verifier (oci.c, blobcheck.c, and sig.c with a policy): an OCI
 * layout held in memory.  The input is documents separated by a line
 * "--8<--":
 *   doc 0      index.json (its manifests[] become the roots, through store_oci.c)
 *   doc 1..15  blobs: manifests, configs, indexes, layers, signatures
 * Inside a document, "@dN" stands for "sha256:<hex of doc N>", "@DN" for the
 * sha512 form and "@sN" for doc N's size (N one hex digit), replaced from the
 * last document to the first (a document can name only later ones), so the
 * fuzzer can build a consistent store without forging hashes.  A blob is
 * found by the digest of its final bytes.  seeds.sh turns real umoci/skopeo
 * layouts into this form.
 * Option byte: bit 0 a signature policy (containers/image's cosign.pub must
 * sign every image), bit 1 verify only the image named "app", bit 2 a small
 * decompression limit (bomb path), bit 3 two jobs (the threaded path). */
#include "common.h"
#include "oci.h"
#include "model.h"
#include "report.h"
#include "sig_int.h"
#include "store_readers.h"

#define MAXDOCS 16
static const char SEP[] = "\n--8<--\n";

struct memsrc {
	int fd;
	int n;
	digest_t d256[MAXDOCS], d512[MAXDOCS];
	uint64_t off[MAXDOCS], len[MAXDOCS];
};

static int mem_open(struct blobsrc *s, const digest_t *d, struct blob_region *out, ea_error_t *err)
{
	struct memsrc *m = s->priv;
	for (int i = 1; i < m->n; i++)
		if (digest_equal(d, &m->d256[i]) || digest_equal(d, &m->d512[i])) {
			out->fd = m->fd;
			out->owns_fd = 0;
			out->offset = (off_t)m->off[i];
			out->size = m->len[i];
			snprintf(out->where, sizeof out->where, "blobs/%s", d->str);
			return 0;
		}
	return ea_fail(err, EA_E_NOENT, "no blob %s", d->str);
}

static const struct blobsrc_ops mem_ops = {mem_open, NULL};
static struct sig_policy *pol;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	pol = sig_policy_new();
	size_t kl;
	const char *kp = fz_fixture("cosign/containers-image-signature/fixtures/cosign.pub");
	char *k = kp ? fz_read(kp, &kl) : NULL;
	ea_error_t err;
	int have = k && policy_add_key_pem(pol, "cosign", (unsigned char *)k, kl, &err) == 0;
	free(k);
	pol->rules = xcalloc(1, sizeof *pol->rules);
	pol->nrules = 1;
	pol->rules[0].names = xcalloc(1, sizeof(char *));
	pol->rules[0].names[0] = xstrdup("*");
	pol->rules[0].nnames = 1;
	pol->rules[0].require = 1;
	pol->rules[0].keys = xcalloc(1, sizeof(int));
	pol->rules[0].nkeys = have;
	pol->rules[0].ids = xcalloc(1, sizeof(int));
	return 0;
}

static int hexdig(uint8_t c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Replace @dN / @DN / @sN for N > self (self 0: any N >= 1). */
static void substitute(const uint8_t *in, size_t n, int self, uint8_t **fin, size_t *flen, int ndocs, ea_buf_t *out)
{
	ea_error_t err;
	for (size_t i = 0; i < n; i++) {
		int k = -1;
		if (in[i] == '@' && i + 2 < n && (in[i + 1] == 'd' || in[i + 1] == 'D' || in[i + 1] == 's')) k = hexdig(in[i + 2]);
		if (k > self && k < ndocs) {
			char buf[DIGEST_MAX_STR + 8];
			if (in[i + 1] == 's') {
				snprintf(buf, sizeof buf, "%zu", flen[k]);
			} else {
				digest_t d;
				digest_buffer(in[i + 1] == 'd' ? DIGEST_SHA256 : DIGEST_SHA512, fin[k], flen[k], &d);
				snprintf(buf, sizeof buf, "%s", d.str);
			}
			(void)ea_buf_append(out, buf, strlen(buf), &err);
			i += 2;
		} else {
			(void)ea_buf_append(out, &in[i], 1, &err);
		}
	}
}

static void check_verdict(struct image *img, void *arg)
{
	(void)arg;
	if (img->verdict != VERDICT_PASS && img->verdict != VERDICT_FAIL && img->verdict != VERDICT_INCOMPLETE) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t opt = fz_take_byte(&data, &size);
	const uint8_t *start[MAXDOCS];
	size_t len[MAXDOCS];
	int n = 0;
	const uint8_t *p = data, *end = data + size;
	while (n < MAXDOCS) {
		const uint8_t *s = memmem(p, (size_t)(end - p), SEP, sizeof SEP - 1);
		start[n] = p;
		len[n] = s ? (size_t)(s - p) : (size_t)(end - p);
		n++;
		if (!s) break;
		p = s + sizeof SEP - 1;
	}
	uint8_t *fin[MAXDOCS] = {0};
	size_t flen[MAXDOCS] = {0};
	for (int k = n - 1; k >= 0; k--) {
		ea_buf_t b;
		ea_buf_init(&b, 8u << 20);
		substitute(start[k], len[k], k, fin, flen, n, &b);
		fin[k] = b.data ? (uint8_t *)b.data : (uint8_t *)calloc(1, 1);
		flen[k] = b.len;
	}
	struct memsrc ms = {.n = n};
	ea_buf_t all;
	ea_buf_init(&all, 128u << 20);
	ea_error_t err = {0};
	for (int k = 1; k < n; k++) {
		ms.off[k] = all.len;
		ms.len[k] = flen[k];
		(void)ea_buf_append(&all, fin[k], flen[k], &err);
		digest_buffer(DIGEST_SHA256, fin[k], flen[k], &ms.d256[k]);
		digest_buffer(DIGEST_SHA512, fin[k], flen[k], &ms.d512[k]);
	}
	ms.fd = fz_memfd((const uint8_t *)(all.data ? all.data : ""), all.len);
	struct blobsrc src = {.ops = &mem_ops, .priv = &ms};
	snprintf(src.label, sizeof src.label, "oci:/fuzz");

	report_t *r = report_new();
	struct oci_opts o = {.jobs = (opt & 8) ? 2 : 1,
			     .lim = {(opt & 4) ? 65536 : 16u << 20, 100},
			     .pol = (opt & 1) ? pol : NULL,
			     .only_image = (opt & 2) ? "app" : NULL};
	oci_ctx_t *c = oci_new(r, &src, &o);
	/* index.json read by the layout reader's own code */
	cJSON *idx = store_oci_index_roots(r, c, src.label, (const char *)fin[0], flen[0]);
	if (idx) {
		(void)oci_run(c);
		for (int k = 1; k < n; k++) (void)oci_referenced(c, &ms.d256[k]);
	}
	cJSON_Delete(idx);
	oci_free(c);
	/* every image the walk put into the model has one of the three verdicts */
	model_each_image(r, check_verdict, NULL);
	/* both renderings of whatever the hostile store put in the findings */
	fz_check_report_json(r);
	free(report_render_text(r, SEV_HIGH, 0));
	report_free(r);
	ea_buf_free(&all);
	for (int k = 0; k < n; k++) free(fin[k]);
	return 0;
}
