/* cmd_proc: `edgeaudit proc`, the runtime attack surface from /proc. */
#include <time.h>

#include "cli.h"
#include "proc.h"

static int run(struct ea_opts *o)
{
	int64_t t0 = ea_now_ms();
	time_t started = time(NULL);
	report_t *r = report_new();
	proc_audit(r, o->pid, o->deep);
	int code = cli_emit(r, o, started, t0);
	report_free(r);
	return code;
}

const struct ea_command cmd_proc = {
        .name = "proc",
        .summary = "check seccomp, capabilities and namespaces of processes in /proc",
        .options = OPT_OUTPUT | OPT_PROC,
        .run = run,
        .help = "usage: edgeaudit proc [--pid N] [--deep] [--format json|text] [--out FILE]\n"
                "                      [--metrics F.prom] [--fail-on SEVERITY]\n"
                "\n"
                "Check the attack surface of every process (or one): seccomp mode and\n"
                "filters, no_new_privs, capabilities, namespaces, container membership.\n"
                "\n"
                "  --pid N              only this process\n"
                "  --deep               read and evaluate each seccomp filter (root, ptrace)\n"
                "  --format json|text   one-line JSON report (default) or an 80-column summary\n"
                "  --out FILE           write the report to FILE atomically instead of "
                "stdout\n" CLI_HELP_METRICS
                "  --fail-on SEVERITY   lowest severity that fails (default high)\n",
};
