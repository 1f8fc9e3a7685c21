/* cmd_verify_blob: `edgeaudit verify-blob FILE`, a file and its detached
 * sigstore signature, with cosign verify-blob's flags, offline. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "b64.h"
#include "cli.h"
#include "fsx.h"
#include "model.h"

/* The flags' combinations cosign accepts (offline: the trusted root is a
 * file, never TUF). */
static int check_args(const struct ea_opts *o)
{
	const char *why = NULL;
	int has_id = o->cert_identity || o->cert_identity_re || o->cert_issuer || o->cert_issuer_re;
	if (!o->blob) why = "needs the FILE to verify";
	else if (!!o->bundle == !!o->signature) why = "needs exactly one of --bundle, --signature";
	else if (o->certificate && !o->signature) why = "--certificate goes with --signature";
	else if (o->policy && (o->key || has_id || o->trusted_root))
		why = "--policy names its own keys, identities and trusted root: give it alone";
	else if (!o->policy && !o->key && !has_id)
		why = "needs --key, --certificate-identity[-regexp] with "
		      "--certificate-oidc-issuer[-regexp] and --trusted-root, or --policy";
	if (!why) return 0;
	fprintf(stderr, "edgeaudit verify-blob: %s (see --help)\n", why);
	return -1;
}

/* The policy from the flags; -1 usage (exit 2), 1 an unsupported key (the
 * report says so: exit 3), 0 loaded. */
static int load_policy(struct ea_opts *o, ea_error_t *err)
{
	if (o->policy) return sig_policy_load(o->policy, NULL, NULL, &o->pol, err) < 0 ? -1 : 0;
	struct sig_blob_trust t = {
	        .key_path = o->key,
	        .trusted_root_path = o->trusted_root,
	        .subject = o->cert_identity,
	        .subject_re = o->cert_identity_re,
	        .issuer = o->cert_issuer,
	        .issuer_re = o->cert_issuer_re,
	};
	if (sig_policy_for_blob(&t, &o->pol, err) == 0) return 0;
	return err->code == EA_E_UNSUPPORTED ? 1 : -1;
}

/* --signature: base64 (cosign sign-blob's output) or raw DER. */
static int read_signature(const char *path, unsigned char **sig, size_t *len, ea_error_t *err)
{
	cleanup_free char *data = NULL;
	size_t n;
	if (fsx_read_user_file(path, 64 * 1024, &data, &n, err) < 0) return -1;
	while (n && (data[n - 1] == '\n' || data[n - 1] == '\r' || data[n - 1] == ' ')) n--;
	if (b64_decode(data, n, B64_STD, 16 * 1024, sig, len, err) == 0 && *len) return 0;
	if (n < 8 || (unsigned char)data[0] != 0x30)
		return ea_fail(err, EA_E_FORMAT, "%s: neither base64 nor a DER signature", path);
	*sig = xmalloc(n);
	memcpy(*sig, data, n);
	*len = n;
	return 0;
}

/* Read the signature inputs into b (their buffers owned by the caller). */
static int read_inputs(const struct ea_opts *o, struct sig_blob *b, char **bundle,
                       unsigned char **sig, char **cert, ea_error_t *err)
{
	if (o->bundle) {
		if (fsx_read_user_file(o->bundle, 4u << 20, bundle, &b->bundle_len, err) < 0)
			return -1;
		b->bundle = *bundle;
		return 0;
	}
	if (read_signature(o->signature, sig, &b->siglen, err) < 0) return -1;
	b->sig = *sig;
	if (o->certificate &&
	    fsx_read_user_file(o->certificate, 64 * 1024, cert, &b->certlen, err) < 0)
		return -1;
	b->cert = (const unsigned char *)*cert;
	return 0;
}

static void verify_one(report_t *r, struct ea_opts *o, int unsupported, const char *why)
{
	ea_error_t err = {0};
	struct sig_blob b = {.path = o->blob, .size = -1};
	const char *slash = strrchr(o->blob, '/');
	b.name = slash ? slash + 1 : o->blob;
	cleanup_free char *bundle = NULL, *cert = NULL;
	cleanup_free unsigned char *sig = NULL;
	if (unsupported) {
		report_finding(r, "signature.unsupported_algorithm", o->key, "%s", why);
	} else if (sig_blob_hash(o->blob, &b, &err) < 0) {
		report_finding(r, finding_id_for_open_error(err.code, "blob.missing"), o->blob,
		               "%s", err.msg);
	} else if (read_inputs(o, &b, &bundle, &sig, &cert, &err) < 0) {
		report_finding(r, "signature.malformed", o->bundle ? o->bundle : o->signature, "%s",
		               err.msg);
	} else {
		sig_verify_blob(r, o->pol, &b);
	}
}

static int run(struct ea_opts *o)
{
	if (check_args(o) < 0) return 2;
	ea_error_t err = {0};
	int lp = load_policy(o, &err);
	if (lp < 0) {
		fprintf(stderr, "edgeaudit verify-blob: %s\n", err.msg);
		return 2;
	}
	time_t started = time(NULL);
	report_t *r = report_new();
	if (cli_part_begin(r, "blob")) {
		verify_one(r, o, lp == 1, err.msg);
		report_checked(r, "blobs");
	}
	int code = cli_emit(r, o, started, o->t0_ms);
	report_free(r);
	sig_policy_free(o->pol);
	return code;
}

const struct ea_command cmd_verify_blob = {
        .name = "verify-blob",
        .summary = "verify a file's sigstore signature (cosign verify-blob) offline",
        .options = OPT_OUTPUT | OPT_TRUST | OPT_FIELD | OPT_BLOB,
        .run = run,
        .help = "usage: edgeaudit verify-blob FILE (--bundle B | --signature SIG\n"
                "                        [--certificate CERT])\n"
                "                        (--key PUB | --trusted-root TR\n"
                "                         (--certificate-identity ID |\n"
                "                          --certificate-identity-regexp RE)\n"
                "                         (--certificate-oidc-issuer ISS |\n"
                "                          --certificate-oidc-issuer-regexp RE)\n"
                "                         | --policy F)\n"
                "                        [--format json|text] [--out FILE] [--fail-on SEV]\n"
                "\n"
                "Verify a file (firmware, configuration bundle, database) against its\n"
                "detached sigstore signature, with no network; the file is hashed as a\n"
                "stream (any size).  The flags mean what cosign verify-blob's mean.\n"
                "\n"
                "  --bundle B           a sigstore bundle v0.1-v0.3 (message signature, or a\n"
                "                       DSSE in-toto statement whose subject is the file)\n"
                "  --signature SIG      a detached signature (base64, cosign sign-blob's)\n"
                "  --certificate CERT   the signature's certificate (PEM or DER)\n"
                "  --key PUB            the signer's public key (PEM)\n"
                "  --trusted-root TR    a sigstore trusted_root.json or ClientTrustConfig\n"
                "  --certificate-identity ID   the certificate's SAN, exactly\n"
                "  --certificate-identity-regexp RE   ... matched by a regular expression\n"
                "  --certificate-oidc-issuer ISS   the certificate's OIDC issuer, exactly\n"
                "  --certificate-oidc-issuer-regexp RE   ... matched by a regular expression\n"
                "  --policy F           an edgeaudit policy (its first rule naming the file\n"
                "                       name applies: its signers and thresholds)\n"
                "  --format json|text   one-line JSON report (default) or an 80-column summary\n"
                "  --out FILE           write the report to FILE atomically instead of "
                "stdout\n" CLI_HELP_METRICS
                "  --fail-on SEVERITY   lowest severity that fails (default high)\n" CLI_HELP_FIELD
                "\nExit: 0 verified, 1 refused, 2 usage error, 3 cannot be checked.\n",
};
