/*
 * cli: the command line shared by every command (toybox style: each command
 * is one cmd_*.c file with its help text and a run function).
 *
 * Contract:
 *  - cli_parse fills ea_opts from argv for one command, accepting only the
 *    options that command declares, and records in o->set which settings
 *    the command line gave; a usage error is EA_E_USAGE with a one-line
 *    message (main turns it into exit 2).
 *  - Precedence: options, then the config file (config.h fills only what
 *    o->set does not have), then the defaults cli_parse put there.
 *  - The run: main arms the budget, the stop signals and progress before a
 *    command runs; commands ask cli_part_begin() before each part of the
 *    audit, so a spent budget or a signal stops new parts from starting and
 *    names them in the report; cli_emit renders the report as asked
 *    (--format, --out), signs it (--sign-key), writes its metrics
 *    (--metrics, metrics.h), logs it (--log) and returns the exit code.
 *    The report is written whole even after a stop.
 */
#ifndef EDGEAUDIT_CLI_H
#define EDGEAUDIT_CLI_H

#include <stdint.h>

#include "logsink.h"
#include "report.h"
#include "sig.h"
#include "store.h"
#include "util.h"

#define CLI_MAX_STORES          64
#define CLI_MAX_DRIFT_ALLOW     64 /* --drift-allow entries */
#define CLI_VULNDB_MAX_AGE_DAYS 30 /* vulndb_max_age_days: older is vulndb.stale */
#ifndef EA_DEFAULT_CONFIG
#define EA_DEFAULT_CONFIG "/etc/edgeaudit/config.json"
#endif

/* The help lines of the options every report command shares. */
#define CLI_HELP_FIELD                                                                   \
	"  --config FILE        settings from FILE (default " EA_DEFAULT_CONFIG ",\n"    \
	"                       if present); options given here win over it\n"           \
	"  --no-config          ignore the configuration file\n"                         \
	"  --budget-ms N        start no new work after N ms (0: no budget); what is\n"  \
	"                       left is reported as not checked (verdict incomplete)\n"  \
	"  --log SINK           also log the verdict and each high finding to SINK:\n"   \
	"                       kmsg (kernel log), syslog, journald (structured\n"       \
	"                       journal entries) or none (the default)\n"                \
	"  --progress           one status line per second on stderr (default: when\n"   \
	"                       stderr is a terminal); --no-progress: never\n"           \
	"  --sign-key KEY.pem   sign the report with this EC P-256 key (needs --out):\n" \
	"                       writes FILE.sig; check it with edgeaudit report verify\n"
/* The help lines of --metrics (every report command, after --out). */
#define CLI_HELP_VULNDB                                                                  \
	"  --vulndb FILE        the signed vulnerability database (edgeaudit vulndb\n"   \
	"                       build): its signature, build date and age are checked\n" \
	"  --vulndb-key PUB.pem the EC public key FILE.sig must verify with first\n"
#define CLI_HELP_DRIFT                                                                       \
	"  --drift-allow [WHO:]/GLOB  changes of containers' writable layers not to judge\n" \
	"                       (repeatable): a path glob, optionally for containers or\n"   \
	"                       images whose name matches WHO (glob)\n"
#define CLI_HELP_METRICS                                                                 \
	"  --metrics FILE.prom  also write Prometheus metrics to FILE.prom atomically\n" \
	"                       (for node_exporter's textfile collector: *.prom only)\n"
#define CLI_HELP_EXIT                                                                   \
	"\n"                                                                            \
	"Exit: 0 pass, 1 a finding at or above --fail-on, 2 usage or configuration\n"   \
	"error (or the report could not be written or signed, or the metrics\n"         \
	"written), 3 incomplete (something could not be checked: not built,\n"          \
	"unreadable, budget, signal).\n"                                                \
	"SIGINT, SIGTERM, SIGHUP: stop starting new work and write the report whole,\n" \
	"marked interrupted (exit 3 unless a finding fails it); a second one ends\n"    \
	"edgeaudit at once.\n"
#define CLI_MAX_BUDGET_MS 86400000 /* a day: anything longer is a typo */

enum { FORMAT_JSON = 0, FORMAT_TEXT = 1, FORMAT_CYCLONEDX = 2, FORMAT_SPDX = 3 };

/* Options a command accepts (bit mask). */
enum {
	OPT_STORE = 1 << 0,
	OPT_OUTPUT = 1 << 1, /* --format --out --fail-on --metrics */
	OPT_PARTS = 1 << 2,  /* --no-proc --no-stores */
	OPT_JOBS = 1 << 3,
	OPT_PROC = 1 << 4,   /* --pid --deep */
	OPT_VERIFY = 1 << 5, /* --image */
	OPT_TRUST = 1 << 6,  /* --key --trusted-root --policy */
	OPT_FIELD = 1 << 7,  /* --config --no-config --budget-ms --log --progress --no-progress
	                        --sign-key */
	OPT_HOST = 1 << 8,   /* --baseline --baseline-key */
	OPT_DRIFT = 1 << 9,  /* --drift-allow */
	OPT_BLOB =
	        1 << 10, /* FILE --bundle --signature --certificate --certificate-identity[-regexp]
	                    --certificate-oidc-issuer[-regexp] */
	OPT_ROOT = 1 << 11, /* --root: the host's packages */
	OPT_SBOM = 1 << 12, /* sbom's --format cyclonedx|spdx and --out / -o */
	OPT_VULN = 1 << 13, /* --vulndb --vulndb-key */
};

/* Settings given on the command line (ea_opts.set): the config file does
 * not override them. */
enum {
	SET_STORES = 1 << 0,
	SET_FORMAT = 1 << 1,
	SET_OUT = 1 << 2,
	SET_FAIL_ON = 1 << 3,
	SET_JOBS = 1 << 4,
	SET_NO_PROC = 1 << 5,
	SET_NO_STORES = 1 << 6,
	SET_BUDGET = 1 << 7,
	SET_LOG = 1 << 8,
	SET_PROGRESS = 1 << 9,
	SET_SIGN_KEY = 1 << 10,
	SET_KEY = 1 << 11,
	SET_TRUSTED_ROOT = 1 << 12,
	SET_POLICY = 1 << 13,
	SET_METRICS = 1 << 14,
	SET_BASELINE = 1 << 15,
	SET_BASELINE_KEY = 1 << 16,
	SET_DRIFT_ALLOW = 1 << 17,
	SET_VULNDB = 1 << 18,
	SET_VULNDB_KEY = 1 << 19,
	SET_VULNDB_MAX_AGE = 1 << 20,
};

struct ea_opts {
	struct store_spec stores[CLI_MAX_STORES];
	int nstores;
	int format;
	const char *out;
	const char *metrics; /* --metrics FILE.prom: Prometheus metrics, written atomically */
	severity_t fail_on;
	int jobs;
	int no_proc, no_stores;
	int pid, deep;
	const char *image, *key, *trusted_root, *policy;
	/* field and boot use */
	const char *config; /* --config FILE (NULL: the default path, if it exists) */
	int no_config;
	int budget_ms; /* 0: no budget */
	int log;       /* LOG_* */
	int progress;  /* -1: on when stderr is a terminal */
	const char *sign_key;
	/* the host baseline (audit) */
	const char *baseline, *baseline_key;
	/* --root: the folder whose installed packages are the host's */
	const char *root;
	/* container drift: "[WHO:]GLOB" entries allowed to change (drift.h); NULL-terminated */
	const char *drift_allow[CLI_MAX_DRIFT_ALLOW + 1];
	/* known vulnerabilities: the signed database (src/vuln/vulndb.h), its key
	 * and the age in days past which it is stale (vulndb.stale) */
	const char *vulndb, *vulndb_key;
	int vulndb_max_age_days;
	int ndrift_allow;
	unsigned set;  /* SET_*: given on the command line */
	int64_t t0_ms; /* monotonic start of the run (the budget counts from here) */
	/* signatures: loaded by cli_load_policy from --policy / --key / --trusted-root */
	struct sig_policy *pol;
	const char *only_image; /* `verify`: only this image is walked */
	/* verify-blob (cosign verify-blob's flags) */
	const char *blob, *bundle, *signature, *certificate;
	const char *cert_identity, *cert_identity_re, *cert_issuer, *cert_issuer_re;
};

struct ea_command {
	const char *name;
	const char *summary;
	const char *help;
	unsigned options;
	/* A report command: parsed by cli_parse, run with the options. */
	int (*run)(struct ea_opts *o);
	/* A command with its own arguments (config check, report verify):
	 * gets argv from the command's name on; returns the exit code. */
	int (*main)(int argc, char **argv);
};

/* Is s a drift allow-list entry, "/GLOB" or "WHO:/GLOB"? (drift.h) */
int cli_drift_allow_ok(const char *s);

extern const struct ea_command cmd_audit, cmd_images, cmd_proc, cmd_verify, cmd_report, cmd_config,
        cmd_explain, cmd_baseline, cmd_verify_blob, cmd_sbom, cmd_vulndb;

int cli_parse(const struct ea_command *cmd, int argc, char **argv, struct ea_opts *o,
              ea_error_t *err);

/* Checks that need the merged settings (options + config): --sign-key
 * needs --out, --baseline needs --baseline-key, and so on. */
int cli_check_merged(const struct ea_opts *o, ea_error_t *err);

/* Arm the budget, the stop signals (SIGINT, SIGTERM, SIGHUP: the first
 * stops new work, a second ends the process at once) and progress. */
void cli_arm(const struct ea_opts *o);

/* Before a part of the audit: returns 1 if it may start; 0 when the budget
 * is spent or a signal came, after recording the part as not checked
 * (audit.interrupted).  `part` names it as in the report ("proc",
 * "store oci:/data").  Also what --progress shows. */
int cli_part_begin(report_t *r, const char *part);

/* Load the signature policy and trust material named by the options into
 * o->pol (NULL when none is named).  On error prints one line and returns
 * -1 (exit 2: a configuration error). */
int cli_load_policy(struct ea_opts *o);

/* Render and write the report (and the metrics); returns the exit code (2
 * if the report cannot be written or signed, or the metrics cannot be
 * written: the caller asked for a file it does not get).  Marks the report
 * interrupted if a stop came during the work. */
int cli_emit(report_t *r, const struct ea_opts *o, int64_t started_unix, int64_t t0_ms);

/* A public key named by an option (opt: its name), read and checked before
 * any work: on error prints one line and returns -1 (exit 2). */
int cli_load_key(const char *opt, const char *path, char **pem);

/* The vulnerability database's part (--vulndb): signature, build date, age
 * (src/vuln/vuln_audit.h); pub: cli_load_key's of --vulndb-key. */
void cli_vuln_part(report_t *r, const struct ea_opts *o, const char *pub);

/* Audit the stores of o (or discovered ones) into r. */
void cli_audit_stores(report_t *r, const struct ea_opts *o);
/* --root's installed packages as the host's inventory (model.h), read with
 * the image readers (layerdb.h).  -1 when the folder cannot be opened (the
 * caller's usage error), else 0. */
int cli_host_inventory(report_t *r, const char *root);

#endif
