/* cmd_vulndb: `edgeaudit vulndb build | info | check`: the vulnerability
 * database's workflow (src/vuln/): compile OSV records on the vendor's
 * machine, sign, ship; read it back; match a package list against it. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "fsx.h"
#include "inventory.h"
#include "osv.h"
#include "report_sign.h"
#include "vuln_match.h"
#include "vulndb.h"

#define MAX_INPUTS 64
#define DIAG_SHOWN 20

struct vargs {
	const char *osv[MAX_INPUTS], *eco[MAX_INPUTS], *out, *sign_key, *key, *file, *packages;
	size_t nosv, neco;
};

static int add_arg(const char **v, size_t *n, const char *s, ea_error_t *err)
{
	if (*n == MAX_INPUTS)
		return ea_fail(err, EA_E_USAGE, "at most %d of one option", MAX_INPUTS);
	v[(*n)++] = s;
	return 0;
}

static int parse(int argc, char **argv, struct vargs *a, ea_error_t *err)
{
	static const struct option lo[] = {
	        {"osv", required_argument, 0, 'i'},
	        {"ecosystem", required_argument, 0, 'e'},
	        {"out", required_argument, 0, 'o'},
	        {"sign-key", required_argument, 0, 's'},
	        {"key", required_argument, 0, 'k'},
	        {"vulndb", required_argument, 0, 'd'},
	        {"vulndb-key", required_argument, 0, 'k'},
	        {"packages", required_argument, 0, 'p'},
	        {0, 0, 0, 0},
	};
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		int rc = 0;
		switch (c) {
		case 'i': rc = add_arg(a->osv, &a->nosv, optarg, err); break;
		case 'e': rc = add_arg(a->eco, &a->neco, optarg, err); break;
		case 'o': a->out = optarg; break;
		case 's': a->sign_key = optarg; break;
		case 'k': a->key = optarg; break;
		case 'd': a->file = optarg; break;
		case 'p': a->packages = optarg; break;
		default:
			return ea_fail(err, EA_E_USAGE, "unknown option or missing value: '%s'",
			               argv[optind - 1]);
		}
		if (rc < 0) return -1;
	}
	if (optind < argc && !a->file) a->file = argv[optind++];
	if (optind < argc)
		return ea_fail(err, EA_E_USAGE, "unexpected argument '%s'", argv[optind]);
	return 0;
}

/* The build date: SOURCE_DATE_EPOCH (reproducible builds) or now. */
static int64_t build_time(void)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	char *end;
	errno = 0;
	long long v = e ? strtoll(e, &end, 10) : -1;
	if (e && !errno && end != e && !*end && v >= 0) return v;
	return (int64_t)time(NULL);
}

static void fmt_time(uint64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "%" PRIu64, t);
}

struct diag {
	uint64_t n;
};

static void on_diag(void *ctx, const char *name, const char *why)
{
	struct diag *d = ctx;
	if (++d->n <= DIAG_SHOWN)
		fprintf(stderr, "edgeaudit: vulndb build: left out %s: %s\n", name, why);
}

static void print_built(const char *out, const struct vulndb_header *h, size_t len,
                        const char *signed_by)
{
	fprintf(stderr,
	        "edgeaudit: vulndb %s: %u advisories, %u packages, %u affected entries, %zu "
	        "bytes (%zu per advisory); %u records read, %u withdrawn, %u malformed, %u out "
	        "of scope, %u duplicate ids; %s%s\n",
	        out, h->nadv, h->npkgs, h->naff, len, h->nadv ? len / h->nadv : 0, h->records,
	        h->withdrawn, h->malformed, h->out_of_scope, h->duplicates,
	        signed_by ? "signed: " : "NOT signed (the box refuses it without FILE.sig)",
	        signed_by ? signed_by : "");
}

static int build(struct vargs *a, ea_error_t *err)
{
	if (!a->nosv || !a->out) return ea_fail(err, EA_E_USAGE, "needs --osv PATH and --out FILE");
	if (a->sign_key && report_sign_key_check(a->sign_key, err) < 0) return -1;
	struct vulndb_builder *b = vulndb_builder_new(a->eco, a->neco, build_time());
	struct diag d = {0};
	for (size_t i = 0; i < a->nosv; i++) {
		if (vulndb_builder_add(b, a->osv[i], on_diag, &d, err) < 0) {
			vulndb_builder_free(b);
			return -1;
		}
	}
	cleanup_free char *data = NULL;
	size_t len = 0;
	struct vulndb_header h;
	int rc = vulndb_builder_finish(b, &data, &len, &h, err);
	vulndb_builder_free(b);
	if (rc < 0 || fsx_write_atomic(a->out, data, len, err) < 0) return -1;
	cleanup_free char *sig = a->sign_key ? xasprintf("%s%s", a->out, REPORT_SIG_SUFFIX) : NULL;
	if (a->sign_key && report_sign_file(a->out, data, len, a->sign_key, err) < 0) return -1;
	if (d.n > DIAG_SHOWN)
		fprintf(stderr, "edgeaudit: vulndb build: and %" PRIu64 " more left out\n",
		        d.n - DIAG_SHOWN);
	print_built(a->out, &h, len, sig);
	return d.n ? 3 : 0;
}

static int info(struct vargs *a, ea_error_t *err)
{
	if (!a->file) return ea_fail(err, EA_E_USAGE, "needs FILE");
	struct vulndb *db;
	char fpr[72] = "", built[32], newest[32];
	cleanup_free char *pub = NULL;
	size_t n;
	if (a->key && fsx_read_user_file(a->key, REPORT_KEY_MAX, &pub, &n, err) < 0) return -1;
	if (vulndb_open(a->file, pub, &db, fpr, err) < 0) return -1;
	const struct vulndb_header *h = vulndb_header(db);
	fmt_time(h->built, built);
	fmt_time(h->newest, newest);
	printf("file: %s\nformat: %u\nbuilt: %s\nnewest record: %s\nadvisories: %u\n"
	       "packages: %u\naffected entries: %u\nstrings: %u bytes\nrecords read: %u\n"
	       "withdrawn: %u\nmalformed: %u\nout of scope: %u\nduplicate ids: %u\n"
	       "signature: %s%s\n",
	       a->file, h->format, built, newest, h->nadv, h->npkgs, h->naff, h->strsize,
	       h->records, h->withdrawn, h->malformed, h->out_of_scope, h->duplicates,
	       pub ? "good, key " : "NOT CHECKED (no --key)", pub ? fpr : "");
	vulndb_close(db);
	return 0;
}

/* A package list: "NAME VERSION [SOURCE [SOURCE_VERSION]]" per line, '#'
 * comments (what `dpkg-query -W -f '${Package} ${Version} ${source:Package}
 * ${source:Version}\n'` prints). */
static int load_packages(const char *path, const char *eco, struct inventory **out, ea_error_t *err)
{
	cleanup_free char *buf = NULL;
	size_t len;
	if (fsx_read_user_file(path, 8u << 20, &buf, &len, err) < 0) return -1;
	struct inventory *inv = inventory_new();
	inv->status = INV_OK;
	pkg_set(&inv->distro.ecosystem, eco);
	pkg_kind_t kind = ver_scheme_of(eco) == VER_APK ? PKG_APK : PKG_DPKG;
	char *save = NULL;
	for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char name[256], ver[256], src[256] = "", sver[256] = "";
		if (l[0] == '#' || sscanf(l, "%255s %255s %255s %255s", name, ver, src, sver) < 2)
			continue;
		struct pkg *p = inventory_add(inv, kind, name, ver);
		if (!p) break;
		if (src[0] && strcmp(src, name)) pkg_set(&p->source, src);
		if (sver[0] && strcmp(sver, ver)) pkg_set(&p->source_version, sver);
	}
	inventory_finish(inv);
	*out = inv;
	return 0;
}

static int print_hit(void *ctx, const struct vuln_hit *h)
{
	uint64_t *n = ctx;
	(*n)++;
	printf("%s %s %s fixed=%s severity=%s", h->pkg->name, h->pkg->version, h->id,
	       h->fixed ? h->fixed : "-", vsev_to_string(h->sev.level));
	if (h->sev.score10 >= 0) printf("(%d.%d)", h->sev.score10 / 10, h->sev.score10 % 10);
	if (h->pkg->source || h->pkg->source_version) printf(" source=%s@%s", h->name, h->version);
	for (size_t i = 0; i < h->naliases; i++)
		printf("%s%s", i ? "," : " aliases=", h->aliases[i]);
	printf("\n");
	return 0;
}

static int check(struct vargs *a, ea_error_t *err)
{
	if (!a->file || !a->key || !a->packages || a->neco != 1)
		return ea_fail(err, EA_E_USAGE,
		               "needs --vulndb FILE --vulndb-key PUB.pem "
		               "--ecosystem E --packages LIST");
	cleanup_free char *pub = NULL;
	size_t n;
	if (fsx_read_user_file(a->key, REPORT_KEY_MAX, &pub, &n, err) < 0) return -1;
	struct vulndb *db;
	if (vulndb_open(a->file, pub, &db, NULL, err) < 0) return -1;
	struct inventory *inv = NULL;
	uint64_t hits = 0;
	int rc = load_packages(a->packages, a->eco[0], &inv, err);
	if (rc == 0) rc = vuln_match(db, inv, print_hit, &hits, err);
	if (rc == 0) rc = vulndb_unchanged(db, err);
	fprintf(stderr,
	        "edgeaudit: vulndb check: %zu packages, %" PRIu64 " known vulnerabilities\n",
	        inv ? inv->npkgs : 0, hits);
	inventory_free(inv);
	vulndb_close(db);
	return rc < 0 ? -1 : hits ? 1 : 0;
}

static int vulndb_main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct vargs *, ea_error_t *);
	} subs[] = {{"build", build}, {"info", info}, {"check", check}};
	ea_error_t err = {0};
	for (size_t i = 0; argc >= 2 && i < sizeof subs / sizeof subs[0]; i++) {
		if (strcmp(argv[1], subs[i].name)) continue;
		struct vargs a = {0};
		int rc = parse(argc - 1, argv + 1, &a, &err);
		if (rc == 0) rc = subs[i].fn(&a, &err);
		if (rc < 0) fprintf(stderr, "edgeaudit: vulndb %s: %s\n", subs[i].name, err.msg);
		return rc < 0 ? (err.code == EA_E_USAGE      ? 2
		                 : err.code == EA_E_MISMATCH ? 3
		                                             : 2)
		              : rc;
	}
	fprintf(stderr, "edgeaudit: vulndb: %s (see edgeaudit vulndb --help)\n",
	        argc < 2 ? "needs a subcommand: build, info or check" : "unknown subcommand");
	return 2;
}

const struct ea_command cmd_vulndb = {
        .name = "vulndb",
        .summary = "the vulnerability database: vulndb build | info | check",
        .main = vulndb_main,
        .help = "usage: edgeaudit vulndb build --osv PATH... --out FILE [--ecosystem E]...\n"
                "                              [--sign-key KEY.pem]\n"
                "       edgeaudit vulndb info FILE [--key PUB.pem]\n"
                "       edgeaudit vulndb check --vulndb FILE --vulndb-key PUB.pem\n"
                "                              --ecosystem E --packages LIST\n"
                "\n"
                "build: compile OSV records (JSON files, folders of them, or osv.dev's\n"
                "<Ecosystem>/all.zip) into one compact sorted file for the box; withdrawn\n"
                "records are left out, malformed ones named on stderr and left out.\n"
                "  --osv PATH           an input (repeatable)\n"
                "  --ecosystem E        keep only E (\"Debian\" keeps Debian:N; repeatable)\n"
                "  --out FILE           written atomically\n"
                "  --sign-key KEY.pem   EC P-256 key: writes FILE.sig (the box needs it)\n"
                "  SOURCE_DATE_EPOCH    (environment) the build date written, else now\n"
                "info: the file's header: build date, counts; with --key its signature.\n"
                "check: match LIST (\"NAME VERSION [SOURCE [SOURCE_VERSION]]\" lines, as\n"
                "dpkg-query -W prints them) of ecosystem E (\"Debian:12\", \"Alpine:v3.20\")\n"
                "against the signed database; one line per known vulnerability.\n"
                "\n"
                "Exit: 0 done (check: none found), 1 check found some, 2 usage error or\n"
                "not written or refused, 3 build: written but records were left out, or a\n"
                "bad signature.\n",
};
