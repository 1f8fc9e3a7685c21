/* cmd_images: `edgeaudit images`, the image stores only. */
#include <time.h>

#include "cli.h"
#include "util.h"

static int run(struct ea_opts *o)
{
	time_t started = time(NULL);
	cleanup_free char *vulndb_pub = NULL;
	if (o->vulndb && cli_load_key("--vulndb-key", o->vulndb_key, &vulndb_pub) < 0) return 2;
	report_t *r = report_new();
	cli_audit_stores(r, o);
	cli_vuln_part(r, o, vulndb_pub);
	int code = cli_emit(r, o, started, o->t0_ms);
	report_free(r);
	return code;
}

const struct ea_command cmd_images = {
        .name = "images",
        .summary = "verify the image stores only (digests end to end)",
        .options = OPT_STORE | OPT_OUTPUT | OPT_JOBS | OPT_FIELD | OPT_DRIFT | OPT_VULN,
        .run = run,
        .help = "usage: edgeaudit images [--store [TYPE:]PATH]... [--format json|text]\n"
                "                        [--out FILE] [--metrics F.prom] [--fail-on SEVERITY]\n"
                "                        [--jobs N] [--config F | --no-config] [--budget-ms N]\n"
                "                        [--log kmsg|syslog|journald] [--[no-]progress]\n"
                "                        [--sign-key KEY] [--drift-allow [WHO:]/GLOB]...\n"
                "                        [--vulndb FILE --vulndb-key PUB.pem]\n"
                "\n"
                "Verify image stores offline: every index, manifest, config and layer blob\n"
                "against its digest and size, diffIDs of the uncompressed layers, chainIDs.\n"
                "Signatures and /proc are left out (see `edgeaudit audit`).\n"
                "\n"
                "  --store [TYPE:]PATH  a store (repeatable); TYPE is oci, oci-archive,\n"
                "                       docker-archive, docker, containerd, containers-storage\n"
                "                       or dir (a skopeo dir: copy); a bare PATH is detected.\n"
                "                       Default: the usual roots.\n"
                "  --format json|text   one-line JSON report (default) or an 80-column summary\n"
                "  --out FILE           write the report to FILE atomically instead of "
                "stdout\n" CLI_HELP_METRICS
                "  --fail-on SEVERITY   lowest severity that fails (default high)\n"
                "  --jobs N             blobs verified in parallel (default: online "
                "CPUs)\n" CLI_HELP_DRIFT CLI_HELP_VULNDB CLI_HELP_FIELD CLI_HELP_EXIT,
};
