/* cmd_audit: `edgeaudit audit`, everything the box can be checked for. */
#include <stdio.h>
#include <time.h>

#include "cli.h"
#include "fsx.h"
#include "host_check.h"
#include "proc.h"
#include "report_sign.h"

static int run(struct ea_opts *o)
{
	time_t started = time(NULL);
	cleanup_free char *baseline_pub = NULL;
	cleanup_free char *vulndb_pub = NULL;
	if (o->baseline && cli_load_key("--baseline-key", o->baseline_key, &baseline_pub) < 0)
		return 2;
	if (o->vulndb && cli_load_key("--vulndb-key", o->vulndb_key, &vulndb_pub) < 0) return 2;
	if (!o->no_stores && cli_load_policy(o) < 0) return 2;
	report_t *r = report_new();
	/* Parts in order; each asks cli_part_begin first, so a spent budget or
	 * a signal leaves the rest named in the report instead of started. */
	if (!o->no_stores) {
		cli_audit_stores(r, o);
		/* Without a policy or key no image is required to be signed: say so
		 * in "checked" rather than pretend signatures were verified. */
		report_checked(r, o->pol ? "signatures" : "signatures (no policy: none required)");
	}
	if (!o->no_proc && cli_part_begin(r, "proc")) proc_audit(r, o->pid, o->deep);
	if (o->baseline && cli_part_begin(r, "host files"))
		host_audit(r, o->baseline, baseline_pub);
	if (o->root && cli_host_inventory(r, o->root) < 0) {
		report_free(r);
		sig_policy_free(o->pol);
		return 2;
	}
	cli_vuln_part(r, o, vulndb_pub);
	int code = cli_emit(r, o, started, o->t0_ms);
	report_free(r);
	sig_policy_free(o->pol);
	return code;
}

const struct ea_command cmd_audit = {
        .name = "audit",
        .summary = "audit everything: image stores, signatures, /proc, host files",
        .options = OPT_STORE | OPT_OUTPUT | OPT_PARTS | OPT_JOBS | OPT_TRUST | OPT_FIELD |
                   OPT_HOST | OPT_DRIFT | OPT_ROOT | OPT_VULN,
        .run = run,
        .help = "usage: edgeaudit audit [--store [TYPE:]PATH]... [--no-stores] [--no-proc]\n"
                "                       [--format json|text] [--out FILE] [--fail-on SEVERITY]\n"
                "                       [--jobs N] [--key F] [--trusted-root F] [--policy F]\n"
                "                       [--metrics F.prom] [--config F | --no-config]\n"
                "                       [--budget-ms N] [--log kmsg|syslog|journald]\n"
                "                       [--[no-]progress] [--sign-key KEY]\n"
                "                       [--baseline FILE --baseline-key PUB.pem]\n"
                "                       [--drift-allow [WHO:]/GLOB]... [--root DIR]\n"
                "                       [--vulndb FILE --vulndb-key PUB.pem]\n"
                "\n"
                "Audit this box offline and read-only: verify every image store (digests of\n"
                "indexes, manifests, configs, layers, diffIDs and chainIDs), signatures per\n"
                "policy, the attack surface of every process in /proc and, with a baseline,\n"
                "the box's own files.\n"
                "\n"
                "  --store [TYPE:]PATH  a store to audit (repeatable); TYPE is oci, oci-archive,\n"
                "                       docker-archive, docker, containerd, containers-storage\n"
                "                       or dir (a skopeo dir: copy); a bare PATH is detected.\n"
                "                       Default: the usual roots.\n"
                "  --no-stores          leave the image stores (and signatures) out\n"
                "  --no-proc            leave /proc out\n"
                "  --format json|text   one-line JSON report (default) or an 80-column summary\n"
                "  --out FILE           write the report to FILE atomically instead of "
                "stdout\n" CLI_HELP_METRICS
                "  --fail-on SEVERITY   lowest severity that fails the audit (default high)\n"
                "  --jobs N             blobs verified in parallel (default: online CPUs)\n"
                "  --key FILE           a PEM public key images must be signed with\n"
                "  --trusted-root FILE  a sigstore trusted_root.json\n"
                "  --policy FILE        an edgeaudit signature policy file\n" CLI_HELP_DRIFT
                "  --baseline FILE      compare the box's files with this signed host baseline\n"
                "                       (edgeaudit baseline create): content, type, mode,\n"
                "                       owner, link target, capabilities; files added, missing\n"
                "  --baseline-key PUB.pem  the EC public key FILE.sig must verify with "
                "first\n"
                "  --root DIR           also inventory the packages installed in DIR (the\n"
                "                       host: --root /): report's host_inventory\n"
                "  --vulndb FILE        the signed vulnerability database (edgeaudit vulndb\n"
                "                       build): its signature, build date and age are checked\n"
                "  --vulndb-key PUB.pem the EC public key FILE.sig must verify with "
                "first\n" CLI_HELP_FIELD CLI_HELP_EXIT,
};
