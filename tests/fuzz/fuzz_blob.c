/* verify-blob's inputs (sig_blob.c, then sig_bundle.c and the rest) and
 * the ClientTrustConfig form of a trusted root (sig_troot.c).  Option byte:
 *   bit 0-1: 0  a bundle over the file "edgeaudit fuzz blob" (hashed
 *               through sig_blob_hash, a memfd read as a stream);
 *            1  a detached signature (bytes as given) with no certificate;
 *            2  a detached signature, then "\n--8<--\n", then its
 *               certificate (PEM or DER);
 *            3  a trusted root or ClientTrustConfig document (troot_parse);
 *   bit 2:   the policy accepts the key, else any Fulcio identity matched by
 *            a regex (the one cosign's --certificate-identity-regexp makes).
 * The policy (made once) trusts the production trusted root and
 * containers/image's cosign key.  Soundness: nothing signs the made-up
 * file; the report stays valid JSON. */
#include <regex.h>

#include "common.h"
#include "report.h"
#include "sig_int.h"

static struct sig_policy *pol_key, *pol_id;
static struct sig_blob blob;

static struct sig_policy *policy(int with_key)
{
	struct sig_policy *p = sig_policy_new();
	size_t n;
	ea_error_t err;
	const char *tp = fz_fixture("cosign/root-signing/trusted_root.json");
	char *d = tp ? fz_read(tp, &n) : NULL;
	if (d && troot_parse(d, n, &p->troot, &err) < 0) fz_die("trusted root: %s", err.msg);
	free(d);
	if (with_key) {
		const char *kp = fz_fixture("cosign/containers-image-signature/fixtures/cosign.pub");
		d = kp ? fz_read(kp, &n) : NULL;
		if (d && policy_add_key_pem(p, "key", (unsigned char *)d, n, &err) < 0)
			fz_die("key: %s", err.msg);
		free(d);
		return p;
	}
	p->identities = xcalloc(1, sizeof *p->identities);
	p->nidentities = 1;
	snprintf(p->identities[0].name, sizeof p->identities[0].name, "any");
	p->identities[0].subject_re = xcalloc(1, sizeof(regex_t));
	p->identities[0].issuer_re = xcalloc(1, sizeof(regex_t));
	if (regcomp(p->identities[0].subject_re, "^https://", REG_EXTENDED | REG_NOSUB) ||
	    regcomp(p->identities[0].issuer_re, ".", REG_EXTENDED | REG_NOSUB))
		fz_die("regcomp");
	return p;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	pol_key = policy(1);
	pol_id = policy(0);
	static const char file[] = "edgeaudit fuzz blob";
	int fd = fz_memfd((const uint8_t *)file, sizeof file - 1);
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	ea_error_t err;
	blob.path = "fuzz.bin";
	blob.name = "fuzz.bin";
	if (sig_blob_hash(path, &blob, &err) < 0 || blob.size != (int64_t)sizeof file - 1)
		fz_die("sig_blob_hash: %s", err.msg);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t opt = fz_take_byte(&data, &size);
	char *b = malloc(size + 1);
	memcpy(b, data, size);
	b[size] = '\0';
	if ((opt & 3) == 3) {
		struct trusted_root *t = NULL;
		ea_error_t err;
		if (troot_parse(b, size, &t, &err) == 0 && !t) abort();
		troot_free(t);
		free(b);
		return 0;
	}
	struct sig_blob x = blob;
	if ((opt & 3) == 0) {
		x.bundle = b;
		x.bundle_len = size;
	} else {
		char *cut = (opt & 3) == 2 ? strstr(b, "\n--8<--\n") : NULL;
		x.sig = (const unsigned char *)b;
		x.siglen = cut ? (size_t)(cut - b) : size;
		if (cut) {
			x.cert = (const unsigned char *)cut + 8;
			x.certlen = size - x.siglen - 8;
		}
	}
	report_t *r = report_new();
	int rc = sig_verify_blob(r, (opt & 4) ? pol_key : pol_id, &x);
	if (rc == 1) abort(); /* nothing signs this made-up file */
	fz_check_report_json(r);
	report_free(r);
	free(b);
	return 0;
}
