/*
 * main: edgeaudit's entry point.  One binary, several commands (toybox
 * style); the only place that turns errors into messages and exit codes.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct ea_command *const commands[] = {&cmd_audit, &cmd_images, &cmd_proc, &cmd_verify};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
	fprintf(f, "usage: edgeaudit COMMAND [options]   (edgeaudit COMMAND --help)\n"
		   "\n"
		   "Offline, read-only audit of a box's container image stores and runtime.\n"
		   "\n");
	for (unsigned i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f, "\n  --version  print the version\n  --help     this text\n"
		   "\nExit: 0 pass, 1 findings at or above --fail-on, 2 usage error, 3 incomplete.\n");
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
		struct ea_opts o;
		ea_error_t err = {0};
		if (cli_parse(c, argc - 1, argv + 1, &o, &err) < 0) {
			fprintf(stderr, "edgeaudit: %s\n", err.msg);
			return 2;
		}
		return c->run(&o);
	}
	fprintf(stderr, "edgeaudit: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
