/* cmd_verify: `edgeaudit verify`, one image's signatures. */
#include <stdio.h>
#include <time.h>

#include "cli.h"

static int run(struct ea_opts *o)
{
	if (o->nstores != 1 || !o->image) {
		fprintf(stderr, "edgeaudit verify: needs exactly one --store and an --image (see "
		                "--help)\n");
		return 2;
	}
	if (cli_load_policy(o) < 0) return 2;
	if (!o->pol) {
		fprintf(stderr, "edgeaudit verify: needs --key or --policy (on the command line or "
		                "in the config)\n");
		return 2;
	}
	/* Only the named image is walked (its blobs verified by digest); every
	 * other manifest of the store may still be one of its signatures. */
	o->only_image = o->image;
	time_t started = time(NULL);
	report_t *r = report_new();
	char *part = xasprintf("signatures of %s", o->image);
	if (cli_part_begin(r, part)) {
		cli_audit_stores(r, o);
		report_checked(r, "signatures");
	}
	free(part);
	int code = cli_emit(r, o, started, o->t0_ms);
	report_free(r);
	sig_policy_free(o->pol);
	return code;
}

const struct ea_command cmd_verify = {
        .name = "verify",
        .summary = "verify one image's signatures (cosign, Notary Project) offline",
        .options = OPT_STORE | OPT_OUTPUT | OPT_VERIFY | OPT_TRUST | OPT_FIELD,
        .run = run,
        .help = "usage: edgeaudit verify --store [TYPE:]PATH --image NAME\n"
                "                        [--key PUB.pem | --trusted-root FILE | --policy FILE]\n"
                "                        [--format json|text] [--out FILE] [--fail-on SEVERITY]\n"
                "                        [--metrics F.prom] [--config F | --no-config]\n"
                "                        [--budget-ms N] [--log kmsg|syslog|journald]\n"
                "                        [--[no-]progress] [--sign-key KEY]\n"
                "\n"
                "Verify the signatures of one image against keys and trust roots shipped\n"
                "on the box, with no network.\n"
                "\n"
                "  --store [TYPE:]PATH  the store holding the image (the config's stores are\n"
                "                       not used here)\n"
                "  --image NAME         the image (its ref name or tag in that store)\n"
                "  --key FILE           a PEM public key (cosign.pub style)\n"
                "  --trusted-root FILE  a sigstore trusted_root.json\n"
                "  --policy FILE        an edgeaudit policy file\n"
                "  --format json|text   one-line JSON report (default) or an 80-column summary\n"
                "  --out FILE           write the report to FILE atomically instead of "
                "stdout\n" CLI_HELP_METRICS
                "  --fail-on SEVERITY   lowest severity that fails (default high)\n" CLI_HELP_FIELD
                        CLI_HELP_EXIT,
};
