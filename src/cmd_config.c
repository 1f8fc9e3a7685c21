/* cmd_config: `edgeaudit config check`, the configuration file's validity. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

static int check_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"config", required_argument, 0, 'c'},
	        {0, 0, 0, 0},
	};
	const char *path = NULL;
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'c') {
			path = optarg;
			continue;
		}
		fprintf(stderr, "edgeaudit: config check: unknown option or missing value: '%s'\n",
		        argv[optind - 1]);
		return 2;
	}
	if (optind < argc) {
		/* `config check FILE` is what people type: take it. */
		if (path || optind != argc - 1) {
			fprintf(stderr,
			        "edgeaudit: usage: edgeaudit config check [--config FILE]\n");
			return 2;
		}
		path = argv[optind];
	}
	int must = path != NULL;
	if (!path) path = EA_DEFAULT_CONFIG;
	struct ea_config cfg;
	cleanup_free char *diag = NULL;
	ea_error_t err = {0};
	int rc = config_load(path, must, CONFIG_CHECK_FILES, &cfg, &diag, &err);
	if (rc == 1) {
		printf("%s: not present: the defaults apply\n", path);
		return 0;
	}
	/* Errors and warnings go to stdout: this command's output is them. */
	if (diag) fputs(diag, stdout);
	if (rc < 0) {
		printf("%s: invalid\n", path);
		config_free(&cfg);
		return 2;
	}
	int n = 0;
	for (unsigned b = cfg.has; b; b &= b - 1) n++;
	printf("%s: ok (%d setting%s)\n", path, n, n == 1 ? "" : "s");
	config_free(&cfg);
	return 0;
}

static int config_main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "check")) return check_main(argc - 1, argv + 1);
	fprintf(stderr, "edgeaudit: config: %s (see edgeaudit config --help)\n",
	        argc < 2 ? "needs a subcommand: check" : "unknown subcommand");
	return 2;
}

const struct ea_command cmd_config = {
        .name = "config",
        .summary = "check the configuration file: config check [--config FILE]",
        .main = config_main,
        .help = "usage: edgeaudit config check [--config FILE]\n"
                "\n"
                "Check a configuration file (default " EA_DEFAULT_CONFIG "): JSON syntax,\n"
                "known keys, value types and ranges.  Each problem is one line,\n"
                "FILE:LINE:COLUMN: message; files the config names that are not there are\n"
                "warnings.  The keys are the long options, '-' written '_' (\"fail_on\"),\n"
                "lists for repeatable ones (\"store\": [\"oci:/data/images\"]), true/false\n"
                "for flags; options on the command line win over the file.  The JSON\n"
                "Schema is board/config.schema.json; see edgeaudit(1), CONFIGURATION.\n"
                "\n"
                "Exit: 0 valid (or no file at the default path), 2 invalid or unreadable.\n",
};
