/*
 * cli: the command line shared by every command (toybox style: each command
 * is one cmd_*.c file with its help text and a run function).
 *
 * Contract: cli_parse fills ea_opts from argv for one command, accepting only
 * the options that command declares; a usage error is EA_E_USAGE with a
 * one-line message (main turns it into exit 2).  cli_emit renders the
 * report as asked (--format, --out) and returns the exit code.
 */
#ifndef EDGEAUDIT_CLI_H
#define EDGEAUDIT_CLI_H

#include <stdint.h>

#include "report.h"
#include "store.h"
#include "util.h"

#define CLI_MAX_STORES 64

enum { FORMAT_JSON = 0, FORMAT_TEXT = 1 };

/* Options a command accepts (bit mask). */
enum {
	OPT_STORE = 1 << 0,
	OPT_OUTPUT = 1 << 1, /* --format --out --fail-on */
	OPT_PARTS = 1 << 2,  /* --no-proc --no-stores */
	OPT_JOBS = 1 << 3,
	OPT_PROC = 1 << 4,   /* --pid --deep */
	OPT_VERIFY = 1 << 5, /* --image --key --trusted-root --policy */
};

struct ea_opts {
	struct store_spec stores[CLI_MAX_STORES];
	int nstores;
	int format;
	const char *out;
	severity_t fail_on;
	int jobs;
	int no_proc, no_stores;
	int pid, deep;
	const char *image, *key, *trusted_root, *policy;
};

struct ea_command {
	const char *name;
	const char *summary;
	const char *help;
	unsigned options;
	int (*run)(struct ea_opts *o);
};

extern const struct ea_command cmd_audit, cmd_images, cmd_proc, cmd_verify;

int cli_parse(const struct ea_command *cmd, int argc, char **argv, struct ea_opts *o, ea_error_t *err);

/* Render and write the report; returns the exit code (2 if the report
 * cannot be written: the caller asked for a file it does not get). */
int cli_emit(report_t *r, const struct ea_opts *o, int64_t started_unix, int64_t t0_ms);

/* Audit the stores of o (or discovered ones) into r. */
void cli_audit_stores(report_t *r, const struct ea_opts *o);

#endif
