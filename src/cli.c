/* cli: see cli.h. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/serial.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsx.h"
#include "layerdb.h"
#include "logsink.h"
#include "model.h"
#include "metrics.h"
#include "progress.h"
#include "report_sign.h"
#include "vuln_audit.h"

static int parse_int(const char *s, int min, int max, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) return -1;
	*out = (int)v;
	return 0;
}

/* The long options, each with the command groups that take it. */
enum {
	O_FORMAT = 256,
	O_OUT,
	O_FAIL_ON,
	O_NO_PROC,
	O_NO_STORES,
	O_JOBS,
	O_PID,
	O_DEEP,
	O_IMAGE,
	O_KEY,
	O_TRUSTED_ROOT,
	O_POLICY,
	O_STORE,
	O_CONFIG,
	O_NO_CONFIG,
	O_BUDGET,
	O_LOG,
	O_PROGRESS,
	O_NO_PROGRESS,
	O_SIGN_KEY,
	O_METRICS,
	O_BASELINE,
	O_BASELINE_KEY,
	O_DRIFT_ALLOW,
	O_BUNDLE,
	O_SIGNATURE,
	O_CERTIFICATE,
	O_CERT_IDENTITY,
	O_CERT_IDENTITY_RE,
	O_CERT_ISSUER,
	O_CERT_ISSUER_RE,
	O_ROOT,
	O_VULNDB,
	O_VULNDB_KEY
};
static const struct {
	struct option opt;
	unsigned group;
} all_options[] = {
        {{"store", required_argument, 0, O_STORE}, OPT_STORE},
        {{"format", required_argument, 0, O_FORMAT}, OPT_OUTPUT},
        {{"out", required_argument, 0, O_OUT}, OPT_OUTPUT},
        {{"fail-on", required_argument, 0, O_FAIL_ON}, OPT_OUTPUT},
        {{"metrics", required_argument, 0, O_METRICS}, OPT_OUTPUT},
        {{"no-proc", no_argument, 0, O_NO_PROC}, OPT_PARTS},
        {{"no-stores", no_argument, 0, O_NO_STORES}, OPT_PARTS},
        {{"jobs", required_argument, 0, O_JOBS}, OPT_JOBS},
        {{"pid", required_argument, 0, O_PID}, OPT_PROC},
        {{"deep", no_argument, 0, O_DEEP}, OPT_PROC},
        {{"image", required_argument, 0, O_IMAGE}, OPT_VERIFY},
        {{"key", required_argument, 0, O_KEY}, OPT_TRUST},
        {{"trusted-root", required_argument, 0, O_TRUSTED_ROOT}, OPT_TRUST},
        {{"policy", required_argument, 0, O_POLICY}, OPT_TRUST},
        {{"config", required_argument, 0, O_CONFIG}, OPT_FIELD},
        {{"no-config", no_argument, 0, O_NO_CONFIG}, OPT_FIELD},
        {{"budget-ms", required_argument, 0, O_BUDGET}, OPT_FIELD},
        {{"log", required_argument, 0, O_LOG}, OPT_FIELD},
        {{"progress", no_argument, 0, O_PROGRESS}, OPT_FIELD},
        {{"no-progress", no_argument, 0, O_NO_PROGRESS}, OPT_FIELD},
        {{"sign-key", required_argument, 0, O_SIGN_KEY}, OPT_FIELD},
        {{"baseline", required_argument, 0, O_BASELINE}, OPT_HOST},
        {{"baseline-key", required_argument, 0, O_BASELINE_KEY}, OPT_HOST},
        {{"drift-allow", required_argument, 0, O_DRIFT_ALLOW}, OPT_DRIFT},
        {{"bundle", required_argument, 0, O_BUNDLE}, OPT_BLOB},
        {{"signature", required_argument, 0, O_SIGNATURE}, OPT_BLOB},
        {{"certificate", required_argument, 0, O_CERTIFICATE}, OPT_BLOB},
        {{"certificate-identity", required_argument, 0, O_CERT_IDENTITY}, OPT_BLOB},
        {{"certificate-identity-regexp", required_argument, 0, O_CERT_IDENTITY_RE}, OPT_BLOB},
        {{"certificate-oidc-issuer", required_argument, 0, O_CERT_ISSUER}, OPT_BLOB},
        {{"certificate-oidc-issuer-regexp", required_argument, 0, O_CERT_ISSUER_RE}, OPT_BLOB},
        {{"root", required_argument, 0, O_ROOT}, OPT_ROOT},
        {{"format", required_argument, 0, O_FORMAT}, OPT_SBOM},
        {{"out", required_argument, 0, O_OUT}, OPT_SBOM},
        {{"vulndb", required_argument, 0, O_VULNDB}, OPT_VULN},
        {{"vulndb-key", required_argument, 0, O_VULNDB_KEY}, OPT_VULN},
};

int cli_drift_allow_ok(const char *s)
{
	return s && (s[0] == '/' || (s[0] && s[0] != ':' && strstr(s, ":/")));
}

/* One option (getopt_long's c, with optarg) into o. */
/* The options whose value is parsed (stores, choices, numbers): 0 when
 * applied, -1 (err) when the value is wrong, 1 when c is another option. */
static int apply_valued_option(int c, struct ea_opts *o, ea_error_t *err)
{
	switch (c) {
	case O_STORE:
		if (o->nstores >= CLI_MAX_STORES)
			return ea_fail(err, EA_E_USAGE, "at most %d --store options",
			               CLI_MAX_STORES);
		if (store_spec_parse(optarg, &o->stores[o->nstores], err) < 0) return -1;
		o->nstores++;
		o->set |= SET_STORES;
		break;
	case O_FORMAT:
		if (!strcmp(optarg, "json")) o->format = FORMAT_JSON;
		else if (!strcmp(optarg, "text")) o->format = FORMAT_TEXT;
		else if (!strcmp(optarg, "cyclonedx")) o->format = FORMAT_CYCLONEDX;
		else if (!strcmp(optarg, "spdx")) o->format = FORMAT_SPDX;
		else
			return ea_fail(err, EA_E_USAGE, "--format must be json or text, not '%s'",
			               optarg);
		o->set |= SET_FORMAT;
		break;
	case O_FAIL_ON: {
		int s = severity_parse(optarg);
		if (s < 0)
			return ea_fail(
			        err, EA_E_USAGE,
			        "--fail-on must be one of critical, high, medium, low, info");
		o->fail_on = (severity_t)s;
		o->set |= SET_FAIL_ON;
		break;
	}
	case O_JOBS:
		if (parse_int(optarg, 1, 64, &o->jobs) < 0)
			return ea_fail(err, EA_E_USAGE, "--jobs must be a number from 1 to 64");
		o->set |= SET_JOBS;
		break;
	case O_PID:
		if (parse_int(optarg, 1, 1 << 22, &o->pid) < 0)
			return ea_fail(err, EA_E_USAGE, "--pid must be a process id");
		break;
	case O_BUDGET:
		if (parse_int(optarg, 0, CLI_MAX_BUDGET_MS, &o->budget_ms) < 0)
			return ea_fail(
			        err, EA_E_USAGE,
			        "--budget-ms must be a number of milliseconds from 0 (none) to %d",
			        CLI_MAX_BUDGET_MS);
		o->set |= SET_BUDGET;
		break;
	case O_LOG: {
		int sink = logsink_parse(optarg);
		if (sink < 0)
			return ea_fail(err, EA_E_USAGE,
			               "--log must be kmsg, syslog, journald or none, not '%s'",
			               optarg);
		o->log = sink;
		o->set |= SET_LOG;
		break;
	}
	case O_DRIFT_ALLOW:
		if (o->ndrift_allow >= CLI_MAX_DRIFT_ALLOW)
			return ea_fail(err, EA_E_USAGE, "at most %d --drift-allow options",
			               CLI_MAX_DRIFT_ALLOW);
		if (!cli_drift_allow_ok(optarg))
			return ea_fail(err, EA_E_USAGE,
			               "--drift-allow %s: must be /GLOB or WHO:/GLOB (a path glob, "
			               "optionally after a container or image name glob)",
			               optarg);
		o->drift_allow[o->ndrift_allow++] = optarg;
		o->drift_allow[o->ndrift_allow] = NULL;
		o->set |= SET_DRIFT_ALLOW;
		break;
	case O_METRICS:
		if (!metrics_path_ok(optarg))
			return ea_fail(
			        err, EA_E_USAGE,
			        "--metrics %s: the file name must end in .prom (node_exporter's "
			        "textfile collector reads only *.prom files)",
			        optarg);
		o->metrics = optarg;
		o->set |= SET_METRICS;
		break;
	default: return 1;
	}
	return 0;
}

/* verify-blob's options: 0 applied, 1 another option. */
static int apply_blob_option(int c, struct ea_opts *o)
{
	const char **slot = c == O_BUNDLE             ? &o->bundle
	                    : c == O_SIGNATURE        ? &o->signature
	                    : c == O_CERTIFICATE      ? &o->certificate
	                    : c == O_CERT_IDENTITY    ? &o->cert_identity
	                    : c == O_CERT_IDENTITY_RE ? &o->cert_identity_re
	                    : c == O_CERT_ISSUER      ? &o->cert_issuer
	                    : c == O_CERT_ISSUER_RE   ? &o->cert_issuer_re
	                                              : NULL;
	if (!slot) return 1;
	*slot = optarg;
	return 0;
}

static int apply_option(const struct ea_command *cmd, int c, char **argv, struct ea_opts *o,
                        ea_error_t *err)
{
	int rc = apply_valued_option(c, o, err);
	if (rc <= 0) return rc;
	if (apply_blob_option(c, o) == 0) return 0;
	switch (c) {
	case 'o':
	case O_OUT:
		o->out = optarg;
		o->set |= SET_OUT;
		break;
	case O_NO_PROC:
		o->no_proc = 1;
		o->set |= SET_NO_PROC;
		break;
	case O_NO_STORES:
		o->no_stores = 1;
		o->set |= SET_NO_STORES;
		break;
	case O_DEEP: o->deep = 1; break;
	case O_IMAGE: o->image = optarg; break;
	case O_KEY:
		o->key = optarg;
		o->set |= SET_KEY;
		break;
	case O_TRUSTED_ROOT:
		o->trusted_root = optarg;
		o->set |= SET_TRUSTED_ROOT;
		break;
	case O_POLICY:
		o->policy = optarg;
		o->set |= SET_POLICY;
		break;
	case O_CONFIG: o->config = optarg; break;
	case O_NO_CONFIG: o->no_config = 1; break;
	case O_PROGRESS:
		o->progress = 1;
		o->set |= SET_PROGRESS;
		break;
	case O_NO_PROGRESS:
		o->progress = 0;
		o->set |= SET_PROGRESS;
		break;
	case O_SIGN_KEY:
		o->sign_key = optarg;
		o->set |= SET_SIGN_KEY;
		break;
	case O_BASELINE:
		o->baseline = optarg;
		o->set |= SET_BASELINE;
		break;
	case O_BASELINE_KEY:
		o->baseline_key = optarg;
		o->set |= SET_BASELINE_KEY;
		break;
	case O_ROOT: o->root = optarg; break;
	case O_VULNDB:
		o->vulndb = optarg;
		o->set |= SET_VULNDB;
		break;
	case O_VULNDB_KEY:
		o->vulndb_key = optarg;
		o->set |= SET_VULNDB_KEY;
		break;
	default:
		if (optopt && optopt < 256)
			return ea_fail(err, EA_E_USAGE, "%s: unknown option '-%c'", cmd->name,
			               optopt);
		return ea_fail(
		        err, EA_E_USAGE,
		        "%s: unknown option or missing value: '%s' (see edgeaudit %s --help)",
		        cmd->name, argv[optind - 1], cmd->name);
	}
	return 0;
}

/* sbom writes CycloneDX (default) or SPDX; the reports JSON or text. */
static int check_format(const struct ea_command *cmd, struct ea_opts *o, ea_error_t *err)
{
	int sbom = o->format == FORMAT_CYCLONEDX || o->format == FORMAT_SPDX;
	if (cmd->options & OPT_SBOM) {
		if (!(o->set & SET_FORMAT)) o->format = FORMAT_CYCLONEDX;
		else if (!sbom)
			return ea_fail(err, EA_E_USAGE, "--format must be cyclonedx or spdx");
	} else if (sbom) {
		return ea_fail(err, EA_E_USAGE, "--format must be json or text, not '%s'",
		               o->format == FORMAT_SPDX ? "spdx" : "cyclonedx");
	}
	return 0;
}

/* Defaults before options: JSON, fail on high, one job per CPU (at most 64). */
static void opts_defaults(struct ea_opts *o)
{
	memset(o, 0, sizeof *o);
	o->t0_ms = ea_now_ms();
	o->format = FORMAT_JSON;
	o->fail_on = SEV_HIGH;
	o->progress = -1;
	o->vulndb_max_age_days = CLI_VULNDB_MAX_AGE_DAYS;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	o->jobs = ncpu > 0 ? (int)(ncpu > 64 ? 64 : ncpu) : 1;
}

/* verify-blob's one FILE, wherever it stands among the options: taken out
 * of argv (into out, returned count) before getopt sees the rest. */
static int take_blob_arg(const struct option *lo, int argc, char **argv, char **out,
                         struct ea_opts *o)
{
	int n = 0, dashdash = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (i > 0 && !o->blob && (dashdash || a[0] != '-' || !a[1])) {
			o->blob = a;
			continue;
		}
		out[n++] = argv[i];
		if (i == 0 || dashdash) continue;
		if (!strcmp(a, "--")) dashdash = 1;
		else if (!strncmp(a, "--", 2) && !strchr(a, '='))
			for (const struct option *x = lo; x->name; x++)
				if (!strcmp(a + 2, x->name) && x->has_arg == required_argument &&
				    i + 1 < argc)
					out[n++] = argv[++i];
	}
	out[n] = NULL;
	return n;
}

int cli_parse(const struct ea_command *cmd, int argc, char **argv, struct ea_opts *o,
              ea_error_t *err)
{
	enum { NOPTS = sizeof all_options / sizeof all_options[0] };
	struct option longopts[NOPTS + 1];
	int n = 0;
	for (unsigned i = 0; i < NOPTS; i++)
		if (cmd->options & all_options[i].group) longopts[n++] = all_options[i].opt;
	memset(&longopts[n], 0, sizeof longopts[n]);
	opts_defaults(o);
	optind = 1;
	opterr = 0;
	int c;
	cleanup_free char **av = NULL;
	if (cmd->options & OPT_BLOB) {
		av = xcalloc((size_t)argc + 1, sizeof *av);
		argc = take_blob_arg(longopts, argc, argv, av, o);
		argv = av;
	}
	const char *shortopts = cmd->options & OPT_SBOM ? "o:" : "";
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1)
		if (apply_option(cmd, c, argv, o, err) < 0) return -1;
	if (check_format(cmd, o, err) < 0) return -1;
	if (optind < argc)
		return ea_fail(err, EA_E_USAGE, "%s: unexpected argument '%s'", cmd->name,
		               argv[optind]);
	if (o->config && o->no_config)
		return ea_fail(err, EA_E_USAGE, "--config and --no-config contradict each other");
	return 0;
}

int cli_check_merged(const struct ea_opts *o, ea_error_t *err)
{
	if (o->no_proc && o->no_stores && !o->baseline && !o->root && !o->vulndb)
		return ea_fail(
		        err, EA_E_USAGE,
		        "--no-proc and --no-stores (options or config) leave nothing to audit");
	if (o->baseline && !o->baseline_key)
		return ea_fail(err, EA_E_USAGE,
		               "--baseline needs --baseline-key: a baseline is compared only once "
		               "its signature is checked");
	if (o->vulndb && !o->vulndb_key)
		return ea_fail(err, EA_E_USAGE,
		               "--vulndb needs --vulndb-key: the database is read only once its "
		               "signature is checked");
	if (o->sign_key && !o->out)
		return ea_fail(
		        err, EA_E_USAGE,
		        "--sign-key needs --out: the signature is written beside the report file");
	return 0;
}

/* ---- the stop: budget and signals */

static volatile sig_atomic_t stop_signal; /* the first stop signal, 0 if none */
static volatile sig_atomic_t stop_after;  /* ms from the start to it */
static int64_t arm_t0;
static int arm_budget_ms;

static void on_stop_signal(int sig)
{
	if (stop_signal) {
		/* A second signal: the user insists.  End at once, by the signal
		 * itself (the report file keeps its old content: writes are atomic). */
		struct sigaction dfl = {.sa_handler = SIG_DFL};
		sigaction(sig, &dfl, NULL);
		raise(sig);
		return;
	}
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts); /* async-signal-safe */
	int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	stop_after = (sig_atomic_t)(now - arm_t0);
	stop_signal = sig;
	ea_stop_request();
}

static const char *signal_name(int sig)
{
	return sig == SIGINT    ? "SIGINT"
	       : sig == SIGTERM ? "SIGTERM"
	       : sig == SIGHUP  ? "SIGHUP"
	                        : "a signal";
}

void cli_arm(const struct ea_opts *o)
{
	arm_t0 = o->t0_ms;
	arm_budget_ms = o->budget_ms;
	if (o->budget_ms > 0) ea_budget_set_deadline(o->t0_ms + o->budget_ms);
	/* No SA_RESTART: a blocking call returns EINTR and every read loop
	 * retries it after looking at the stop.  SIGHUP: the serial console
	 * went away; stop and write the report like SIGTERM.  A signal ignored
	 * on entry (nohup, a background job) stays ignored. */
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa = {.sa_handler = on_stop_signal};
	/* The handler runs with all three blocked: "the first one" is one. */
	sigemptyset(&sa.sa_mask);
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaddset(&sa.sa_mask, sigs[i]);
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		struct sigaction old;
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN) continue;
		if (sigaction(sigs[i], &sa, NULL) < 0)
			fprintf(stderr,
			        "edgeaudit: warning: cannot catch %s (%s): it would end the run "
			        "without a report\n",
			        signal_name(sigs[i]), strerror(errno));
	}
	int progress = o->progress;
	if (progress < 0) progress = isatty(STDERR_FILENO);
	if (progress) progress_start(o->t0_ms);
}

int cli_part_begin(report_t *r, const char *part)
{
	if (ea_stop_requested()) {
		char why[96];
		if (stop_signal)
			snprintf(why, sizeof why, "%s came before it started",
			         signal_name(stop_signal));
		else
			snprintf(why, sizeof why, "the budget of %d ms was spent before it started",
			         arm_budget_ms);
		report_unchecked_kind(r, "audit.interrupted", part, why);
		return 0;
	}
	progress_attach(r);
	progress_part("%s", part);
	return 1;
}

/* The work is over: was it stopped while it ran? */
static void mark_interrupted(report_t *r, const struct ea_opts *o)
{
	/* A deadline passing from now on stopped nothing: only a stop someone
	 * saw (a poll past the deadline, a signal) counts. */
	ea_budget_set_deadline(0);
	if (!ea_stop_requested()) return;
	if (stop_signal) {
		report_set_interrupted(r, "signal", signal_name(stop_signal), stop_after);
	} else {
		char d[64];
		snprintf(d, sizeof d, "budget of %d ms spent", o->budget_ms);
		report_set_interrupted(r, "budget", d, o->budget_ms);
	}
}

static int write_stdout(const char *s, size_t len)
{
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(STDOUT_FILENO, s + off, len - off);
		if (w < 0) {
			if (errno == EINTR) continue;
			fprintf(stderr, "edgeaudit: cannot write the report to stdout: %s\n",
			        strerror(errno));
			return -1;
		}
		off += (size_t)w;
	}
	return 0;
}

/* A serial line (or the kernel's console, which is one on a box): the
 * technician's terminal program may show escape codes as garbage, and a
 * boot log keeps them forever.  TIOCGSERIAL answers only on serial ttys. */
static int is_serial_console(int fd)
{
	struct serial_struct ss;
	if (ioctl(fd, TIOCGSERIAL, &ss) == 0) return 1;
	/* A line set to a serial rate: a pseudo-terminal bridged to a serial
	 * port (ser2net, a console server, qemu's serial on a pty).  38400 is
	 * every pseudo-terminal's default, so it says nothing. */
	struct termios tio;
	if (tcgetattr(fd, &tio) == 0) {
		speed_t sp = cfgetospeed(&tio);
		if (sp != B0 && sp != B38400 && sp <= B115200) return 1;
	}
	char name[64];
	if (ttyname_r(fd, name, sizeof name) != 0) return 0;
	return !strcmp(name, "/dev/console") || !strncmp(name, "/dev/ttyS", 9) ||
	       !strncmp(name, "/dev/ttyAMA", 11) || !strncmp(name, "/dev/ttyUSB", 11) ||
	       !strncmp(name, "/dev/hvc", 8);
}

static int want_color(const struct ea_opts *o)
{
	if (o->out || !isatty(STDOUT_FILENO)) return 0;
	const char *term = getenv("TERM"), *no_color = getenv("NO_COLOR");
	if (!term || !*term || !strcmp(term, "dumb") || (no_color && *no_color)) return 0;
	if (!strncmp(term, "vt", 2)) return 0; /* vt100, vt102, vt220: no colours */
	return !is_serial_console(STDOUT_FILENO);
}

/* --metrics: the run's metrics, written like the report; returns the exit
 * code (2 when they cannot be written, as for the report). */
static int emit_metrics(report_t *r, const struct ea_opts *o, int code, int64_t dur)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	struct metrics_run run = {
	        .fail_on = o->fail_on,
	        .exit_code = code,
	        .duration_ms = dur,
	        .finished_unix = (double)now.tv_sec + (double)(now.tv_nsec / 1000000) / 1000.0,
	};
	cleanup_free char *m = NULL;
	size_t len = 0;
	ea_error_t err = {0};
	if (metrics_render(r, &run, &m, &len, &err) < 0 ||
	    fsx_write_atomic(o->metrics, m, len, &err) < 0) {
		fprintf(stderr, "edgeaudit: cannot write the metrics: %s\n", err.msg);
		return 2;
	}
	return code;
}

int cli_emit(report_t *r, const struct ea_opts *o, int64_t started_unix, int64_t t0_ms)
{
	progress_stop();
	mark_interrupted(r, o);
	int64_t dur = ea_now_ms() - t0_ms;
	cleanup_free char *s = o->format == FORMAT_TEXT
	                               ? report_render_text(r, o->fail_on, want_color(o))
	                               : report_render_json(r, o->fail_on, started_unix, dur);
	size_t len = strlen(s);
	if (o->format == FORMAT_JSON) {
		/* one line, newline-terminated */
		s = xrealloc(s, len + 2);
		s[len++] = '\n';
		s[len] = '\0';
	}
	int code = report_exit_code(r, o->fail_on), written = 0;
	ea_error_t err = {0};
	if (o->out) {
		if (fsx_write_atomic(o->out, s, len, &err) < 0) {
			fprintf(stderr, "edgeaudit: cannot write the report: %s\n", err.msg);
			code = 2;
		} else {
			written = 1;
		}
	} else if (write_stdout(s, len) < 0) {
		code = 2;
	}
	if (written && o->sign_key && report_sign_file(o->out, s, len, o->sign_key, &err) < 0) {
		/* The report stands; its signature does not: a stale REPORT.sig
		 * beside it no longer verifies, which is the truth. */
		fprintf(stderr, "edgeaudit: cannot sign the report: %s\n", err.msg);
		code = 2;
	}
	/* After the report and its signature: the exit code it gives is final. */
	if (o->metrics) code = emit_metrics(r, o, code, dur);
	if (o->log != EA_LOG_NONE &&
	    logsink_report(o->log, r, o->fail_on, written ? o->out : NULL, &err) < 0)
		fprintf(stderr, "edgeaudit: warning: %s\n",
		        err.msg); /* the boot log is extra; the verdict stands */
	return code;
}

int cli_load_key(const char *opt, const char *path, char **pem)
{
	ea_error_t err = {0};
	size_t len;
	char fpr[72];
	if (fsx_read_user_file(path, REPORT_KEY_MAX, pem, &len, &err) < 0 ||
	    report_key_fingerprint(*pem, fpr, &err) < 0) {
		fprintf(stderr, "edgeaudit: %s %s: %s\n", opt, path, err.msg);
		return -1;
	}
	return 0;
}

/* --vulndb's part: the database's signature, date and age, then each
 * image's and the host's inventory (model_each_inventory) matched. */
struct vuln_run {
	report_t *r;
	struct vulndb *db;
	struct vuln_policy pol;
	int64_t now;
	unsigned roots, unread;
};

/* One root's packages against the database; a root whose packages are not
 * known is said so, never "no known vulnerabilities". */
static void vuln_one_root(const char *subject, const struct inventory *inv, struct image *img,
                          void *arg)
{
	struct vuln_run *v = arg;
	const char *who = img ? subject : "host";
	if (inv->status == INV_NONE || inv->status == INV_UNSUPPORTED) {
		v->unread++;
		report_finding(v->r, "vuln.not_inventoried", who,
		               "%s: no package database edgeaudit reads: its known vulnerabilities "
		               "are not known",
		               img ? subject : "host");
		return;
	}
	struct vuln_counts n;
	if (vuln_audit_root(v->r, v->db, who, inv, &v->pol, v->now, &n) == 0) v->roots++;
}

void cli_vuln_part(report_t *r, const struct ea_opts *o, const char *pub)
{
	if (!o->vulndb || !cli_part_begin(r, "vulnerabilities")) return;
	struct vuln_run v = {.r = r, .now = time(NULL)};
	ea_error_t err = {0};
	vuln_policy_defaults(&v.pol);
	if (o->policy && vuln_policy_load(o->policy, &v.pol, &err) < 0) /* checked at start */
		report_finding(r, "audit.not_implemented", o->policy, "policy: %s", err.msg);
	v.db = vuln_audit_open(r, o->vulndb, pub, o->vulndb_max_age_days, v.now);
	if (v.db) model_each_inventory(r, vuln_one_root, &v);
	vuln_audit_close(r, v.db);
	vuln_policy_free(&v.pol);
}

int cli_load_policy(struct ea_opts *o)
{
	o->pol = NULL;
	if (!o->policy && !o->key && !o->trusted_root) return 0;
	ea_error_t err = {0};
	if (sig_policy_load(o->policy, o->key, o->trusted_root, &o->pol, &err) < 0) {
		fprintf(stderr, "edgeaudit: signature policy: %s\n", err.msg);
		return -1;
	}
	/* its "vulnerabilities" member: checked now, a typo is no silent default */
	struct vuln_policy vp;
	if (o->policy && vuln_policy_load(o->policy, &vp, &err) < 0) {
		fprintf(stderr, "edgeaudit: policy: %s\n", err.msg);
		sig_policy_free(o->pol);
		o->pol = NULL;
		return -1;
	}
	if (o->policy) vuln_policy_free(&vp);
	return 0;
}

int cli_host_inventory(report_t *r, const char *root)
{
	ea_error_t err = {0};
	cleanup_close int fd = fsx_open_root(root, &err);
	if (fd < 0) {
		fprintf(stderr, "edgeaudit: --root %s: %s\n", root, err.msg);
		return -1;
	}
	if (!cli_part_begin(r, "host packages")) return 0;
	struct inventory *inv = layerdb_read_root(fd);
	if (!inv) {
		fprintf(stderr, "edgeaudit: out of memory\n");
		return -1;
	}
	model_set_host_inventory(r, root, inv);
	report_checked(r, "host packages");
	return 0;
}

void cli_audit_stores(report_t *r, const struct ea_opts *o)
{
	struct audit_limits lim = {.jobs = o->jobs,
	                           .pol = o->pol,
	                           .only_image = o->only_image,
	                           .drift_allow = o->ndrift_allow ? o->drift_allow : NULL};
	int skipped = 0;
	if (o->nstores > 0) {
		for (int i = 0; i < o->nstores; i++) {
			char part[320];
			snprintf(part, sizeof part, "store %s%s%s",
			         o->stores[i].type ? store_type_name(o->stores[i].type) : "",
			         o->stores[i].type ? ":" : "", o->stores[i].path);
			if (!cli_part_begin(r, part)) {
				skipped = 1;
				continue;
			}
			progress_part("store %d/%d %s", i + 1, o->nstores, part + 6);
			store_audit(r, &o->stores[i], &lim);
		}
	} else if (!cli_part_begin(r, "stores (discovery)")) {
		skipped = 1;
	} else {
		struct store_spec found[16];
		int n = store_discover("", found, 16);
		if (n == 0)
			report_finding(r, "store.none_found", "/var/lib",
			               "no image store found at the usual roots (docker, "
			               "balena-engine, containerd, containers/storage)");
		for (int i = 0; i < n; i++) {
			char part[320];
			snprintf(part, sizeof part, "store %s:%s", store_type_name(found[i].type),
			         found[i].path);
			if (cli_part_begin(r, part)) {
				progress_part("store %d/%d %s", i + 1, n, part + 6);
				store_audit(r, &found[i], &lim);
			} else {
				skipped = 1;
			}
			free((char *)found[i].path);
		}
	}
	/* "stores" is claimed checked only when every store was started. */
	if (!skipped) report_checked(r, "stores");
}
