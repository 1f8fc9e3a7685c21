/*
 * main: edgeaudit's entry point.  One binary, several commands (toybox
 * style); the only place that turns errors into messages and exit codes.
 * For a report command it settles the options (command line, then the
 * config file, then defaults), arms the budget, the stop signals and
 * progress, and runs it.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"

static const struct ea_command *const commands[] = {
        &cmd_audit,   &cmd_images,   &cmd_proc,        &cmd_verify, &cmd_report, &cmd_config,
        &cmd_explain, &cmd_baseline, &cmd_verify_blob, &cmd_sbom,   &cmd_vulndb};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
	fprintf(f, "usage: edgeaudit COMMAND [options]   (edgeaudit COMMAND --help)\n"
	           "\n"
	           "Offline, read-only audit of a box's container image stores and runtime.\n"
	           "\n");
	for (unsigned i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f,
	        "\n  --version  print the version\n  --help     this text\n"
	        "\nExit: 0 pass, 1 findings at or above --fail-on, 2 usage error, 3 incomplete.\n"
	        "Configuration: " EA_DEFAULT_CONFIG " (see edgeaudit(1)).\n");
}

/* Print a config's diagnostics, one "edgeaudit: FILE:L:C: ..." line each. */
static void print_diag(const char *diag)
{
	const char *p = diag;
	while (p && *p) {
		size_t n = strcspn(p, "\n");
		fprintf(stderr, "edgeaudit: %.*s\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
}

static int run_report_command(const struct ea_command *c, int argc, char **argv)
{
	struct ea_opts o;
	ea_error_t err = {0};
	if (cli_parse(c, argc, argv, &o, &err) < 0) {
		fprintf(stderr, "edgeaudit: %s\n", err.msg);
		return 2;
	}
	struct ea_config cfg = {0};
	if (!o.no_config) {
		/* The default file is optional; one named with --config is not. */
		cleanup_free char *diag = NULL;
		const char *path = o.config ? o.config : EA_DEFAULT_CONFIG;
		int rc = config_load(path, o.config != NULL, 0, &cfg, &diag, &err);
		if (rc < 0) {
			print_diag(diag);
			fprintf(stderr,
			        "edgeaudit: configuration error (check it with: edgeaudit config "
			        "check --config %s)\n",
			        path);
			config_free(&cfg);
			return 2;
		}
		/* verify audits the one store its command line names. */
		if (rc == 0)
			config_apply(&cfg, &o,
			             c == &cmd_verify        ? c->options & ~(unsigned)OPT_STORE
			             : c == &cmd_verify_blob ? c->options & ~(unsigned)OPT_TRUST
			                                     : c->options);
	}
	if (cli_check_merged(&o, &err) < 0) {
		fprintf(stderr, "edgeaudit: %s\n", err.msg);
		config_free(&cfg);
		return 2;
	}
	cli_arm(&o);
	int code = c->run(&o);
	config_free(&cfg);
	return code;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("edgeaudit %s\n", EDGEAUDIT_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		if (argc > 2)
			for (unsigned i = 0; i < NCOMMANDS; i++)
				if (!strcmp(argv[2], commands[i]->name)) {
					fputs(commands[i]->help, stdout);
					return 0;
				}
		usage(stdout);
		return 0;
	}
	for (unsigned i = 0; i < NCOMMANDS; i++) {
		const struct ea_command *c = commands[i];
		if (strcmp(argv[1], c->name) != 0) continue;
		for (int a = 2; a < argc; a++) {
			if (!strcmp(argv[a], "--")) break;
			if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) {
				fputs(c->help, stdout);
				return 0;
			}
		}
		if (c->main) return c->main(argc - 1, argv + 1);
		return run_report_command(c, argc - 1, argv + 1);
	}
	fprintf(stderr, "edgeaudit: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
