/* cmd_report: `edgeaudit report verify`, a signed report's signature. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "fsx.h"
#include "report_sign.h"

#define REPORT_FILE_MAX (256u << 20) /* a 20,000-finding JSON report is a few MB */

static int verify_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"key", required_argument, 0, 'k'},
	        {"signature", required_argument, 0, 's'},
	        {0, 0, 0, 0},
	};
	const char *key = NULL, *sigpath = NULL;
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'k': key = optarg; break;
		case 's': sigpath = optarg; break;
		default:
			fprintf(stderr,
			        "edgeaudit: report verify: unknown option or missing value: '%s'\n",
			        argv[optind - 1]);
			return 2;
		}
	}
	if (optind != argc - 1 || !key) {
		fprintf(stderr, "edgeaudit: usage: edgeaudit report verify REPORT --key PUB.pem "
		                "[--signature SIG]\n");
		return 2;
	}
	const char *report = argv[optind];
	cleanup_free char *defsig = xasprintf("%s%s", report, REPORT_SIG_SUFFIX);
	if (!sigpath) sigpath = defsig;

	ea_error_t err = {0};
	cleanup_free char *pub = NULL, *data = NULL, *sig = NULL;
	size_t pub_len, data_len, sig_len;
	if (fsx_read_user_file(key, REPORT_KEY_MAX, &pub, &pub_len, &err) < 0) {
		fprintf(stderr, "edgeaudit: --key: %s\n", err.msg);
		return 2;
	}
	if (fsx_read_user_file(report, REPORT_FILE_MAX, &data, &data_len, &err) < 0) {
		fprintf(stderr, "edgeaudit: report: %s\n", err.msg);
		return 2;
	}
	/* No signature is not a good signature: exit 1, like a bad one. */
	if (fsx_read_user_file(sigpath, REPORT_SIG_MAX, &sig, &sig_len, &err) < 0) {
		printf("%s: NOT VERIFIED: no signature: %s\n", report, err.msg);
		return 1;
	}
	char fpr[72] = "";
	if (report_verify(pub, data, data_len, sig, sig_len, fpr, &err) < 0) {
		if (err.code == EA_E_USAGE) {
			fprintf(stderr, "edgeaudit: --key %s: %s\n", key, err.msg);
			return 2;
		}
		printf("%s: BAD SIGNATURE: %s (key %s)\n", report, err.msg, fpr);
		return 1;
	}
	printf("%s: good signature by key %s\n", report, fpr);
	return 0;
}

static int report_main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "verify")) return verify_main(argc - 1, argv + 1);
	fprintf(stderr, "edgeaudit: report: %s (see edgeaudit report --help)\n",
	        argc < 2 ? "needs a subcommand: verify" : "unknown subcommand");
	return 2;
}

const struct ea_command cmd_report = {
        .name = "report",
        .summary = "check a signed report: report verify REPORT --key PUB.pem",
        .main = report_main,
        .help = "usage: edgeaudit report verify REPORT --key PUB.pem [--signature SIG]\n"
                "\n"
                "Check the detached signature a box wrote beside its report (audit --out\n"
                "REPORT --sign-key KEY.pem), so that a report carried off the box can be\n"
                "trusted.  REPORT.sig holds the base64 of a DER ECDSA signature over the\n"
                "SHA-256 of the report's exact bytes (raw DER is accepted too): the format\n"
                "of cosign sign-blob, and of openssl dgst -sha256 -sign.\n"
                "\n"
                "  --key PUB.pem        the box's EC public key (PEM)\n"
                "  --signature SIG      the signature file (default REPORT.sig)\n"
                "\n"
                "Exit: 0 good signature, 1 bad or missing signature (the report was changed,\n"
                "or signed by another key), 2 usage error or unreadable key or report.\n",
};
