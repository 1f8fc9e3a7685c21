/* cmd_explain: `edgeaudit explain ID`, the catalog entry of a finding id
 * (its meaning, severity, what the console calls it and what to do), for a
 * technician who read an id on the console; `edgeaudit explain` lists the
 * ids.  Output: ASCII lines of at most 80 columns. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "summary.h"

static void explain_one(const struct finding_kind *k)
{
	ea_buf_t b;
	ea_buf_init(&b, 1 << 16);
	const char *noun = NULL, *phrase = finding_phrase(k->id, &noun);
	text_line(&b, 2, "%s (%s%s)", k->id, severity_name(k->severity),
	          k->incomplete ? "; means something could not be checked: exit 3" : "");
	text_line(&b, 4, "  meaning: %s", k->summary);
	if (phrase)
		text_line(&b, 4, "  on the console: %s%s%s", noun ? noun : "", noun ? " " : "",
		          phrase);
	text_line(&b, 4, "  what to do: %s", finding_hint(k->id));
	fwrite(b.data ? b.data : "", 1, b.len, stdout);
	ea_buf_free(&b);
}

/* Ids sharing the longest prefix with id: "did you mean" candidates. */
static void suggest(const char *id)
{
	size_t best = 0;
	for (unsigned i = 0; i < finding_kinds_count; i++) {
		size_t n = 0;
		while (id[n] && id[n] == finding_kinds[i].id[n]) n++;
		if (n > best) best = n;
	}
	if (best < 3) return;
	fprintf(stderr, "edgeaudit: ids starting like it:");
	for (unsigned i = 0; i < finding_kinds_count; i++)
		if (!strncmp(id, finding_kinds[i].id, best))
			fprintf(stderr, " %s", finding_kinds[i].id);
	fprintf(stderr, "\n");
}

static int explain_main(int argc, char **argv)
{
	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		fprintf(stderr, "edgeaudit: usage: edgeaudit explain [FINDING-ID]\n");
		return 2;
	}
	if (argc == 1) {
		for (unsigned i = 0; i < finding_kinds_count; i++)
			printf("%-32s %s\n", finding_kinds[i].id,
			       severity_name(finding_kinds[i].severity));
		return 0;
	}
	const struct finding_kind *k = finding_kind_lookup(argv[1]);
	if (!k) {
		fprintf(stderr,
		        "edgeaudit: no finding id '%.100s' (edgeaudit explain lists them)\n",
		        argv[1]);
		suggest(argv[1]);
		return 2;
	}
	explain_one(k);
	return 0;
}

const struct ea_command cmd_explain = {
        .name = "explain",
        .summary = "what a finding id means and what to do: explain [ID]",
        .main = explain_main,
        .help = "usage: edgeaudit explain [FINDING-ID]\n"
                "\n"
                "Print a finding id's catalog entry: its meaning, severity, what the\n"
                "console summary calls it and what to do about it.  Without an id, list\n"
                "every id with its severity.  Exit 0, or 2 for an unknown id.\n",
};
