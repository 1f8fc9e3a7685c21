/* cli: see cli.h. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fsx.h"

static int parse_int(const char *s, int min, int max, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) return -1;
	*out = (int)v;
	return 0;
}

int cli_parse(const struct ea_command *cmd, int argc, char **argv, struct ea_opts *o, ea_error_t *err)
{
	enum { O_FORMAT = 256, O_OUT, O_FAIL_ON, O_NO_PROC, O_NO_STORES, O_JOBS, O_PID, O_DEEP,
	       O_IMAGE, O_KEY, O_TRUSTED_ROOT, O_POLICY, O_STORE };
	static const struct { struct option opt; unsigned group; } all[] = {
		{{"store", required_argument, 0, O_STORE}, OPT_STORE},
		{{"format", required_argument, 0, O_FORMAT}, OPT_OUTPUT},
		{{"out", required_argument, 0, O_OUT}, OPT_OUTPUT},
		{{"fail-on", required_argument, 0, O_FAIL_ON}, OPT_OUTPUT},
		{{"no-proc", no_argument, 0, O_NO_PROC}, OPT_PARTS},
		{{"no-stores", no_argument, 0, O_NO_STORES}, OPT_PARTS},
		{{"jobs", required_argument, 0, O_JOBS}, OPT_JOBS},
		{{"pid", required_argument, 0, O_PID}, OPT_PROC},
		{{"deep", no_argument, 0, O_DEEP}, OPT_PROC},
		{{"image", required_argument, 0, O_IMAGE}, OPT_VERIFY},
		{{"key", required_argument, 0, O_KEY}, OPT_VERIFY},
		{{"trusted-root", required_argument, 0, O_TRUSTED_ROOT}, OPT_VERIFY},
		{{"policy", required_argument, 0, O_POLICY}, OPT_VERIFY},
	};
	struct option longopts[sizeof all / sizeof all[0] + 1];
	int n = 0;
	for (unsigned i = 0; i < sizeof all / sizeof all[0]; i++)
		if (cmd->options & all[i].group) longopts[n++] = all[i].opt;
	memset(&longopts[n], 0, sizeof longopts[n]);

	memset(o, 0, sizeof *o);
	o->format = FORMAT_JSON;
	o->fail_on = SEV_HIGH;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	o->jobs = ncpu > 0 ? (int)(ncpu > 64 ? 64 : ncpu) : 1;

	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case O_STORE:
			if (o->nstores >= CLI_MAX_STORES)
				return ea_fail(err, EA_E_USAGE, "at most %d --store options", CLI_MAX_STORES);
			if (store_spec_parse(optarg, &o->stores[o->nstores], err) < 0) return -1;
			o->nstores++;
			break;
		case O_FORMAT:
			if (!strcmp(optarg, "json")) o->format = FORMAT_JSON;
			else if (!strcmp(optarg, "text")) o->format = FORMAT_TEXT;
			else return ea_fail(err, EA_E_USAGE, "--format must be json or text, not '%s'", optarg);
			break;
		case O_OUT: o->out = optarg; break;
		case O_FAIL_ON: {
			int s = severity_parse(optarg);
			if (s < 0)
				return ea_fail(err, EA_E_USAGE, "--fail-on must be one of critical, high, medium, low, info");
			o->fail_on = (severity_t)s;
			break;
		}
		case O_NO_PROC: o->no_proc = 1; break;
		case O_NO_STORES: o->no_stores = 1; break;
		case O_JOBS:
			if (parse_int(optarg, 1, 64, &o->jobs) < 0)
				return ea_fail(err, EA_E_USAGE, "--jobs must be a number from 1 to 64");
			break;
		case O_PID:
			if (parse_int(optarg, 1, 1 << 22, &o->pid) < 0)
				return ea_fail(err, EA_E_USAGE, "--pid must be a process id");
			break;
		case O_DEEP: o->deep = 1; break;
		case O_IMAGE: o->image = optarg; break;
		case O_KEY: o->key = optarg; break;
		case O_TRUSTED_ROOT: o->trusted_root = optarg; break;
		case O_POLICY: o->policy = optarg; break;
		default:
			if (optopt && optopt < 256)
				return ea_fail(err, EA_E_USAGE, "%s: unknown option '-%c'", cmd->name, optopt);
			return ea_fail(err, EA_E_USAGE, "%s: unknown option or missing value: '%s' (see edgeaudit %s --help)",
				       cmd->name, argv[optind - 1], cmd->name);
		}
	}
	if (optind < argc)
		return ea_fail(err, EA_E_USAGE, "%s: unexpected argument '%s'", cmd->name, argv[optind]);
	if (o->no_proc && o->no_stores)
		return ea_fail(err, EA_E_USAGE, "--no-proc and --no-stores together leave nothing to audit");
	return 0;
}

static int want_color(const struct ea_opts *o)
{
	if (o->out || !isatty(STDOUT_FILENO)) return 0;
	const char *term = getenv("TERM");
	return term && *term && strcmp(term, "dumb") != 0;
}

int cli_emit(report_t *r, const struct ea_opts *o, int64_t started_unix, int64_t t0_ms)
{
	int64_t dur = ea_now_ms() - t0_ms;
	cleanup_free char *s = o->format == FORMAT_TEXT ? report_render_text(r, o->fail_on, want_color(o))
							 : report_render_json(r, o->fail_on, started_unix, dur);
	size_t len = strlen(s);
	if (o->format == FORMAT_JSON) {
		/* one line, newline-terminated */
		s = xrealloc(s, len + 2);
		s[len++] = '\n';
		s[len] = '\0';
	}
	if (o->out) {
		ea_error_t err = {0};
		if (fsx_write_atomic(o->out, s, len, &err) < 0) {
			fprintf(stderr, "edgeaudit: cannot write the report: %s\n", err.msg);
			return 2;
		}
	} else {
		size_t off = 0;
		while (off < len) {
			ssize_t w = write(STDOUT_FILENO, s + off, len - off);
			if (w < 0) {
				if (errno == EINTR) continue;
				fprintf(stderr, "edgeaudit: cannot write the report to stdout: %s\n", strerror(errno));
				return 2;
			}
			off += (size_t)w;
		}
	}
	return report_exit_code(r, o->fail_on);
}

void cli_audit_stores(report_t *r, const struct ea_opts *o)
{
	struct audit_limits lim = {.jobs = o->jobs};
	if (o->nstores > 0) {
		for (int i = 0; i < o->nstores; i++) store_audit(r, &o->stores[i], &lim);
	} else {
		struct store_spec found[16];
		int n = store_discover("", found, 16);
		if (n == 0)
			report_finding(r, "store.none_found", "/var/lib",
				       "no image store found at the usual roots (docker, balena-engine, containerd, containers/storage)");
		for (int i = 0; i < n; i++) {
			store_audit(r, &found[i], &lim);
			free((char *)found[i].path);
		}
	}
	report_checked(r, "stores");
}
