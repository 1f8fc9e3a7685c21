/* cmd_baseline: `edgeaudit baseline create`, the host baseline that
 * `audit --baseline` compares the box's files with (src/host/). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "baseline.h"
#include "cli.h"
#include "report_sign.h"
#include "treewalk.h"

#define NOTES_SHOWN 20 /* lines about unreadable entries; the rest are counted */

static void on_signal(int sig)
{
	(void)sig;
	ea_stop_request(); /* the walk stops, the temp file is removed */
}

struct create_args {
	const char *root, *out, *sign_key;
	int paths_given;
	struct bl_spec spec;
};

/* Root "/" (the same folder as the box's): /proc, /sys and /dev are left
 * out, unless named with --path. */
static void default_excludes(struct create_args *a)
{
	struct stat r, s;
	if (stat(a->root, &r) || stat("/", &s) || r.st_dev != s.st_dev || r.st_ino != s.st_ino)
		return;
	static const char *const skip[] = {"/proc", "/sys", "/dev"};
	for (unsigned i = 0; i < sizeof skip / sizeof skip[0]; i++) {
		int named = 0;
		for (int k = 0; k < a->spec.npaths; k++)
			named |= !strcmp(a->spec.paths[k], skip[i]);
		if (!named && a->spec.nexcludes < BL_MAX_EXCLUDE)
			a->spec.excludes[a->spec.nexcludes++] = xstrdup(skip[i]);
	}
}

static int parse_args(int argc, char **argv, struct create_args *a, ea_error_t *err)
{
	static const struct option longopts[] = {
	        {"root", required_argument, 0, 'r'},     {"path", required_argument, 0, 'p'},
	        {"exclude", required_argument, 0, 'x'},  {"out", required_argument, 0, 'o'},
	        {"sign-key", required_argument, 0, 'k'}, {0, 0, 0, 0},
	};
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		int rc = 0;
		switch (c) {
		case 'r': a->root = optarg; break;
		case 'p': rc = bl_spec_add_path(&a->spec, optarg, err); break;
		case 'x': rc = bl_spec_add_exclude(&a->spec, optarg, err); break;
		case 'o': a->out = optarg; break;
		case 'k': a->sign_key = optarg; break;
		default:
			return ea_fail(err, EA_E_USAGE, "unknown option or missing value: '%s'",
			               argv[optind - 1]);
		}
		if (rc < 0) return -1;
	}
	if (optind < argc)
		return ea_fail(err, EA_E_USAGE, "unexpected argument '%s'", argv[optind]);
	if (!a->root || !a->out)
		return ea_fail(err, EA_E_USAGE,
		               "needs --root DIR and --out FILE (see edgeaudit baseline --help)");
	/* Absolute, so that audit finds it from any folder. */
	char *abs = realpath(a->root, NULL);
	if (!abs) return ea_fail_errno(err, errno, "--root %s", a->root);
	a->spec.root = abs;
	default_excludes(a);
	bl_spec_finish(&a->spec);
	return 0;
}

/* Walk and write every entry; the number not fully read into *notes. */
static int record(struct treewalk *w, struct bl_writer *bw, uint64_t *notes, ea_error_t *err)
{
	struct bl_entry *e;
	int rc;
	while ((rc = tw_next(w, &e, err)) > 0) {
		if (ea_stop_requested())
			return ea_fail(err, EA_E_INTERRUPTED,
			               "stopped by a signal: no baseline written");
		if (e->problem[0] && ++*notes <= NOTES_SHOWN)
			fprintf(stderr, "edgeaudit: warning: %s: %s%s\n", e->path, e->problem,
			        e->type ? "" : " (not recorded)");
		if (e->type && bl_writer_add(bw, e, err) < 0) return -1;
	}
	return rc;
}

static int create(struct create_args *a, ea_error_t *err)
{
	if (a->sign_key && report_sign_key_check(a->sign_key, err) < 0) return 2;
	struct treewalk *w;
	if (tw_open(&a->spec, TW_STRICT, &w, err) < 0) return 2;
	struct bl_writer *bw;
	if (bl_writer_open(a->out, &a->spec, &bw, err) < 0) {
		tw_free(w);
		return 2;
	}
	uint64_t notes = 0, entries = 0, bytes = 0;
	unsigned char hash[32];
	int rc = record(w, bw, &notes, err);
	tw_free(w);
	if (rc < 0) {
		bl_writer_abort(bw);
		return 2;
	}
	if (bl_writer_commit(bw, hash, &entries, &bytes, err) < 0) return 2;
	if (notes > NOTES_SHOWN)
		fprintf(stderr, "edgeaudit: warning: and %" PRIu64 " more entries not fully read\n",
		        notes - NOTES_SHOWN);
	if (a->sign_key && report_sign_file_digest(a->out, hash, a->sign_key, err) < 0) return 2;
	fprintf(stderr,
	        "edgeaudit: baseline %s: %" PRIu64 " entries, %" PRIu64 " bytes (%" PRIu64
	        " per entry)%s%s%s\n",
	        a->out, entries, bytes, entries ? bytes / entries : 0,
	        a->sign_key ? ", signed: " : ", NOT signed (audit refuses it without ",
	        a->sign_key ? a->out : "FILE.sig)", a->sign_key ? REPORT_SIG_SUFFIX : "");
	return notes ? 3 : 0;
}

static int create_main(int argc, char **argv)
{
	struct create_args a = {0};
	ea_error_t err = {0};
	if (parse_args(argc, argv, &a, &err) < 0) {
		fprintf(stderr, "edgeaudit: baseline create: %s\n", err.msg);
		bl_spec_free(&a.spec);
		return 2;
	}
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	int code = create(&a, &err);
	if (code == 2) fprintf(stderr, "edgeaudit: baseline create: %s\n", err.msg);
	bl_spec_free(&a.spec);
	return code;
}

static int baseline_main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "create")) return create_main(argc - 1, argv + 1);
	fprintf(stderr, "edgeaudit: baseline: %s (see edgeaudit baseline --help)\n",
	        argc < 2 ? "needs a subcommand: create" : "unknown subcommand");
	return 2;
}

const struct ea_command cmd_baseline = {
        .name = "baseline",
        .summary = "record the box's files: baseline create --root DIR --out FILE",
        .main = baseline_main,
        .help = "usage: edgeaudit baseline create --root DIR [--path P]... [--exclude GLOB]...\n"
                "                                 --out FILE [--sign-key KEY.pem]\n"
                "\n"
                "Record a host baseline: every file, folder, link, FIFO and device below DIR\n"
                "(type, mode, owner, size, SHA-256, link target, security.capability), one\n"
                "line each in path order, for edgeaudit audit --baseline FILE to compare the\n"
                "box with.  Links are never followed, FIFOs and devices never opened, and the\n"
                "walk stays on the filesystem of each start (name a mount with --path).\n"
                "\n"
                "  --root DIR           the root the paths are below (/ on the box itself;\n"
                "                       then /proc, /sys and /dev are left out)\n"
                "  --path P             record only P below the root (repeatable; default /)\n"
                "  --exclude GLOB       leave out paths matching GLOB (fnmatch; repeatable),\n"
                "                       e.g. '/var/log/*' or the baseline's own folder\n"
                "  --out FILE           write the baseline to FILE atomically\n"
                "  --sign-key KEY.pem   sign it with this EC P-256 key: writes FILE.sig, the\n"
                "                       format of signed reports (edgeaudit report verify\n"
                "                       FILE --key PUB.pem checks it); audit needs it\n"
                "\n"
                "Exit: 0 written, 2 usage error or not written or not signed, 3 written but\n"
                "some entries could not be read (named on stderr; not compared later).\n",
};
