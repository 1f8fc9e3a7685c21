/* cmd_audit: `edgeaudit audit`, everything the box can be checked for. */
#include <time.h>

#include "cli.h"
#include "proc.h"

static int run(struct ea_opts *o)
{
	int64_t t0 = ea_now_ms();
	time_t started = time(NULL);
	report_t *r = report_new();
	if (!o->no_stores) {
		cli_audit_stores(r, o);
		report_unchecked(r, "signatures", "signature verification is not built in this version");
	}
	if (!o->no_proc) proc_audit(r, o->pid, o->deep);
	int code = cli_emit(r, o, started, t0);
	report_free(r);
	return code;
}

const struct ea_command cmd_audit = {
	.name = "audit",
	.summary = "audit everything: image stores, signatures per policy, /proc",
	.options = OPT_STORE | OPT_OUTPUT | OPT_PARTS | OPT_JOBS,
	.run = run,
	.help =
	"usage: edgeaudit audit [--store [TYPE:]PATH]... [--no-stores] [--no-proc]\n"
	"                       [--format json|text] [--out FILE] [--fail-on SEVERITY]\n"
	"                       [--jobs N]\n"
	"\n"
	"Audit this box offline and read-only: verify every image store (digests of\n"
	"indexes, manifests, configs, layers, diffIDs and chainIDs), signatures per\n"
	"policy, and the attack surface of every process in /proc.\n"
	"\n"
	"  --store [TYPE:]PATH  a store to audit (repeatable); TYPE is oci, oci-archive,\n"
	"                       docker-archive, docker, containerd or containers-storage;\n"
	"                       a bare PATH is detected. Default: the usual roots.\n"
	"  --no-stores          leave the image stores (and signatures) out\n"
	"  --no-proc            leave /proc out\n"
	"  --format json|text   one-line JSON report (default) or an 80-column summary\n"
	"  --out FILE           write the report to FILE atomically instead of stdout\n"
	"  --fail-on SEVERITY   lowest severity that fails the audit (default high)\n"
	"  --jobs N             blobs verified in parallel (default: online CPUs)\n"
	"\n"
	"Exit: 0 pass, 1 a finding at or above --fail-on, 2 usage or configuration\n"
	"error, 3 incomplete (something could not be checked).\n",
};
