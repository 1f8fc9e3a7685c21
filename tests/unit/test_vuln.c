/* Unit tests of the vulnerability database and matcher.  Each decision's
 * expected answer is derived by hand from the record (the derivation is in
 * the comment above it); real records come from ../shared/testdata (osv/
 * records and osv-large/sample, byte-exact copies of osv.dev's), edge cases
 * the real data lacks (last_affected, limit, withdrawn) are written inline
 * in the same shape. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsx.h"
#include "inventory.h"
#include "summary.h"
#include "unit.h"
#include "report.h"
#include "vuln_audit.h"
#include "vuln_match.h"
#include "vulndb.h"

struct cap {
	char line[32][512];
	int n;
	char diag[4][256];
	int ndiag;
};

static void on_diag(void *ctx, const char *name, const char *why)
{
	struct cap *c = ctx;
	if (c->ndiag < 4) snprintf(c->diag[c->ndiag++], 256, "%s: %s", name, why);
}

static int on_hit(void *ctx, const struct vuln_hit *h)
{
	struct cap *c = ctx;
	if (c->n == 32) return -1;
	char *l = c->line[c->n++];
	int o = snprintf(l, 512, "%s %s %s fixed=%s %s", h->pkg->name, h->pkg->version, h->id,
	                 h->fixed ? h->fixed : "-", vsev_to_string(h->sev.level));
	for (size_t i = 0; i < h->naliases && o < 400; i++)
		o += snprintf(l + o, 512 - (size_t)o, "%s%s", i ? "," : " aliases=", h->aliases[i]);
	return 0;
}

/* A database of the named shared files (relative to ../shared/testdata)
 * and inline records; NULL when ../shared is absent. */
static struct vulndb *build(const char *const *files, const char *const *recs, char **mem,
                            struct cap *c)
{
	const char *root = unit_shared_testdata();
	if (files && files[0] && !root) return NULL;
	struct vulndb_builder *b = vulndb_builder_new(NULL, 0, 1700000000);
	for (size_t i = 0; files && files[i]; i++) {
		char path[4096];
		ea_error_t err = {0};
		snprintf(path, sizeof path, "%s/%s", root, files[i]);
		if (vulndb_builder_add(b, path, on_diag, c, &err) < 0) {
			fprintf(stderr, "#   %s\n", err.msg);
			vulndb_builder_free(b);
			return NULL;
		}
	}
	for (size_t i = 0; recs && recs[i]; i++)
		vulndb_builder_add_record(b, "inline", recs[i], strlen(recs[i]), on_diag, c);
	size_t len;
	struct vulndb_header h;
	struct vulndb *db = NULL;
	ea_error_t err = {0};
	if (vulndb_builder_finish(b, mem, &len, &h, &err) == 0)
		vulndb_open_mem(*mem, len, &db, &err);
	vulndb_builder_free(b);
	return db;
}

/* Match packages {name, version, source, source_version} (NULL ends) of eco. */
static int match(struct vulndb *db, const char *eco, const char *const (*pk)[4], struct cap *c)
{
	struct inventory *inv = inventory_new();
	pkg_set(&inv->distro.ecosystem, eco);
	for (size_t i = 0; pk[i][0]; i++) {
		struct pkg *p = inventory_add(inv, PKG_DPKG, pk[i][0], pk[i][1]);
		pkg_set(&p->source, pk[i][2]);
		pkg_set(&p->source_version, pk[i][3]);
	}
	inventory_finish(inv);
	ea_error_t err = {0};
	c->n = 0;
	int rc = vuln_match(db, inv, on_hit, c, &err);
	inventory_free(inv);
	return rc;
}

static int has(const struct cap *c, const char *line)
{
	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->line[i], line)) return 1;
	fprintf(stderr, "#   missing: %s\n", line);
	for (int i = 0; i < c->n; i++) fprintf(stderr, "#   got:     %s\n", c->line[i]);
	return 0;
}

#define SHARED_OR_SKIP(db)                                                          \
	do {                                                                        \
		if (!(db)) UNIT_SKIP("../shared/testdata is absent (OSV records)"); \
	} while (0)

/* DSA-3029-1 (osv.dev's own test record): Debian:7 nginx, introduced "0",
 * fixed "1.2.1-2.2+wheezy3", aliases [CVE-2014-3616], no severity. */
UNIT_TEST(vuln_dsa_source_package_and_epoch)
{
	static const char *const files[] = {"osv/records/osv.dev-DSA-3029-1.json", NULL};
	struct cap c = {0};
	cleanup_free char *mem = NULL;
	struct vulndb *db = build(files, NULL, &mem, &c);
	SHARED_OR_SKIP(db);
	static const char *const pk[][4] = {
	        /* revision "2.2+wheezy2" < "2.2+wheezy3" (2 < 3 in the last digit run) */
	        {"nginx", "1.2.1-2.2+wheezy2", NULL, NULL},
	        /* binary of source nginx, same version: affected through its source */
	        {"nginx-common", "1.2.1-2.2+wheezy1", "nginx", NULL},
	        /* no Source: the advisory names the source nginx, not this binary */
	        {"nginx-full", "1.2.1-1", NULL, NULL},
	        /* equal to fixed: fixed <= v, not affected */
	        {"nginx-light", "1.2.1-2.2+wheezy3", "nginx", NULL},
	        /* epoch 1 > 0: newer than every epoch-0 version, not affected */
	        {"nginx-extras", "1:1.0-1", "nginx", NULL},
	        {NULL, NULL, NULL, NULL},
	};
	CHECK_EQ_INT(match(db, "Debian:7", pk, &c), 0);
	CHECK_EQ_INT(c.n, 2);
	CHECK(has(&c, "nginx 1.2.1-2.2+wheezy2 DSA-3029-1 fixed=1.2.1-2.2+wheezy3 unknown "
	              "aliases=CVE-2014-3616"));
	CHECK(has(&c, "nginx-common 1.2.1-2.2+wheezy1 DSA-3029-1 fixed=1.2.1-2.2+wheezy3 unknown "
	              "aliases=CVE-2014-3616"));
	/* the record is for Debian:7 only */
	CHECK_EQ_INT(match(db, "Debian:8", pk, &c), 0);
	CHECK_EQ_INT(c.n, 0);
	vulndb_close(db);
}

/* CVE-2024-1013: Debian:10 unixodbc, introduced "0" only (no fix), urgency
 * "unimportant" (low, the ecosystem's severity: no CVSS in the record). */
UNIT_TEST(vuln_introduced_only_and_source_version)
{
	static const char *const files[] = {"osv/records/osv-scanner-CVE-2024-1013.debian.json",
	                                    NULL};
	struct cap c = {0};
	cleanup_free char *mem = NULL;
	struct vulndb *db = build(files, NULL, &mem, &c);
	SHARED_OR_SKIP(db);
	static const char *const pk[][4] = {
	        {"unixodbc", "2.3.6-0.1", NULL, NULL},
	        /* a binNMU: the source version 2.3.6-0.1 is what is compared */
	        {"libodbc1", "2.3.6-0.1+b1", "unixodbc", "2.3.6-0.1"},
	        {NULL, NULL, NULL, NULL},
	};
	CHECK_EQ_INT(match(db, "Debian:10", pk, &c), 0);
	CHECK_EQ_INT(c.n, 2);
	CHECK(has(&c, "unixodbc 2.3.6-0.1 CVE-2024-1013 fixed=- low"));
	CHECK(has(&c, "libodbc1 2.3.6-0.1+b1 CVE-2024-1013 fixed=- low"));
	CHECK_EQ_INT(match(db, "Debian:11", pk, &c), 0);
	CHECK_EQ_INT(c.n, 0);
	vulndb_close(db);
}

/* CVE-2012-2812 (libexif, Alpine v3.8-v3.12, fixed 0.6.21-r0; osv.dev wrote
 * "versions": null in it, read as absent, as Go reads it) and
 * CVE-2022-27449 (mariadb: v3.12 fixed 10.4.25-r0, v3.16 fixed 10.6.8-r0). */
UNIT_TEST(vuln_alpine_origin_and_revisions)
{
	static const char *const files[] = {"osv/records/osv.dev-CVE-2012-2812.alpine.json",
	                                    "osv/records/osv.dev-CVE-2022-27449.alpine.json", NULL};
	struct cap c = {0};
	cleanup_free char *mem = NULL;
	struct vulndb *db = build(files, NULL, &mem, &c);
	SHARED_OR_SKIP(db);
	static const char *const pk[][4] = {
	        {"libexif", "0.6.20-r1", NULL, NULL},              /* 20 < 21: affected */
	        {"libexif-dev", "0.6.21-r0", "libexif", NULL},     /* = fixed: not */
	        {"libexif-doc", "0.6.21-r1", "libexif", NULL},     /* -r1 > -r0: not */
	        {"mariadb-client", "10.4.24-r0", "mariadb", NULL}, /* 24 < 25 (v3.12) */
	        {"mariadb", "10.4.25-r0", NULL, NULL},             /* = fixed: not */
	        {NULL, NULL, NULL, NULL},
	};
	CHECK_EQ_INT(match(db, "Alpine:v3.12", pk, &c), 0);
	CHECK_EQ_INT(c.n, 2);
	CHECK(has(&c, "libexif 0.6.20-r1 CVE-2012-2812 fixed=0.6.21-r0 unknown"));
	CHECK(has(&c, "mariadb-client 10.4.24-r0 CVE-2022-27449 fixed=10.4.25-r0 unknown"));
	/* v3.16: libexif has no entry; mariadb's fix there is 10.6.8-r0, so
	 * 10.4.25-r0 (< 10.6.8-r0) is affected and so is 10.4.24-r0 */
	CHECK_EQ_INT(match(db, "Alpine:v3.16", pk, &c), 0);
	CHECK_EQ_INT(c.n, 2);
	CHECK(has(&c, "mariadb 10.4.25-r0 CVE-2022-27449 fixed=10.6.8-r0 unknown"));
	vulndb_close(db);
}

/* CVE-2021-3449 (osv.dev Alpine export): openssl, Alpine:v3.13 fixed
 * 1.1.1k-r0; CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H = 5.9 (ISS 0.56,
 * impact 6.42 x 0.56 = 3.5952, exploitability 8.22 x .85 x .44 x .85 x .85 =
 * 2.2212, sum 5.8164, rounded up 5.9): medium.  Plus an inline -rN case. */
UNIT_TEST(vuln_alpine_letters_revisions_suffixes)
{
	static const char *const files[] = {"osv-large/sample/Alpine/CVE-2021-3449.json", NULL};
	static const char *const recs[] = {
	        "{\"id\":\"TEST-APK-R1\",\"modified\":\"2024-01-01T00:00:00Z\",\"affected\":[{"
	        "\"package\":{\"ecosystem\":\"Alpine:v3.13\",\"name\":\"demo\"},\"ranges\":[{"
	        "\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"2.4.2-r1\"}"
	        "]}]}]}",
	        NULL};
	struct cap c = {0};
	cleanup_free char *mem = NULL;
	struct vulndb *db = build(files, recs, &mem, &c);
	SHARED_OR_SKIP(db);
	static const char *const pk[][4] = {
	        {"libcrypto1.1", "1.1.1j-r0", "openssl", NULL}, /* letter j < k: affected */
	        {"libssl1.1", "1.1.1k-r0", "openssl", NULL},    /* = fixed: not */
	        {"demo", "2.4.2-r0", NULL, NULL},               /* r0 < r1: affected */
	        {"demo-a", "2.4.2-r1", "demo", NULL},           /* = fixed: not */
	        {"demo-b", "2.4.2-r10", "demo", NULL},          /* 10 > 1 as numbers: not */
	        /* _rc is a pre-release: 2.4.2_rc1 < 2.4.2 whatever the revision */
	        {"demo-c", "2.4.2_rc1-r5", "demo", NULL},
	        {NULL, NULL, NULL, NULL},
	};
	CHECK_EQ_INT(match(db, "Alpine:v3.13", pk, &c), 0);
	CHECK_EQ_INT(c.n, 3);
	CHECK(has(&c, "libcrypto1.1 1.1.1j-r0 CVE-2021-3449 fixed=1.1.1k-r0 medium "
	              "aliases=BIT-node-2021-3449,BIT-node-min-2021-3449,GHSA-83mx-573x-5rw9,"
	              "RUSTSEC-2021-0055"));
	CHECK(has(&c, "demo 2.4.2-r0 TEST-APK-R1 fixed=2.4.2-r1 unknown"));
	CHECK(has(&c, "demo-c 2.4.2_rc1-r5 TEST-APK-R1 fixed=2.4.2-r1 unknown"));
	vulndb_close(db);
}

/* ELA-999-1 (Debian ELTS): open-vm-tools, Debian:9 fixed
 * "2:10.1.5-5055683-4+deb9u6" (epoch 2), Debian:8 fixed without epoch.
 * ELA-669-1 beside it is malformed (ranges is an object): named, left out,
 * the rest built. */
UNIT_TEST(vuln_epochs_and_a_malformed_record)
{
	static const char *const files[] = {"osv-large/sample/Debian-ELTS/ELA-669-1.json",
	                                    "osv-large/sample/Debian-ELTS/ELA-999-1.json", NULL};
	struct cap c = {0};
	cleanup_free char *mem = NULL;
	struct vulndb *db = build(files, NULL, &mem, &c);
	SHARED_OR_SKIP(db);
	CHECK_EQ_INT(vulndb_header(db)->malformed, 1);
	CHECK_EQ_INT(vulndb_header(db)->nadv, 1);
	CHECK_EQ_INT(c.ndiag, 1);
	CHECK_EQ_STR(c.diag[0], "ELA-669-1: affected[0].ranges is not a list");
	static const char *const pk9[][4] = {
	        /* epoch 2 = 2, upstream "10.1.5-5055683" (split at the last '-'),
	         * revision 4+deb9u5 < 4+deb9u6: affected */
	        {"open-vm-tools", "2:10.1.5-5055683-4+deb9u5", NULL, NULL},
	        /* epoch 0 < 2: older whatever follows: affected */
	        {"open-vm-tools-desktop", "10.1.5-5055683-4+deb9u7", "open-vm-tools", NULL},
	        /* equal: not */
	        {"open-vm-tools-dev", "2:10.1.5-5055683-4+deb9u6", "open-vm-tools", NULL},
	        {NULL, NULL, NULL, NULL},
	};
	CHECK_EQ_INT(match(db, "Debian:9", pk9, &c), 0);
	CHECK_EQ_INT(c.n, 2);
	CHECK(has(&c, "open-vm-tools 2:10.1.5-5055683-4+deb9u5 ELA-999-1 "
	              "fixed=2:10.1.5-5055683-4+deb9u6 unknown"));
	CHECK(has(&c, "open-vm-tools-desktop 10.1.5-5055683-4+deb9u7 ELA-999-1 "
	              "fixed=2:10.1.5-5055683-4+deb9u6 unknown"));
	static const char *const pk8[][4] = {
	        {"open-vm-tools", "10.1.5-5055683-4+deb9u6", NULL, NULL}, /* = fixed: not */
	        /* "deb8u1" < "deb9u6": digits 8 < 9: affected */
	        {"open-vm-tools-dev", "10.1.5-5055683-4+deb8u1", "open-vm-tools", NULL},
	        {NULL, NULL, NULL, NULL},
	};
	CHECK_EQ_INT(match(db, "Debian:8", pk8, &c), 0);
	CHECK_EQ_INT(c.n, 1);
	CHECK(has(&c, "open-vm-tools-dev 10.1.5-5055683-4+deb8u1 ELA-999-1 "
	              "fixed=10.1.5-5055683-4+deb9u6 unknown"));
	vulndb_close(db);
}

/* CVE-2019-18276 (osv.dev Debian export): bash, Debian:12 fixed
 * "5.1~rc1-2"; CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H: ISS 1 - .44^3 =
 * .914816, impact 5.8731, exploitability 8.22 x .55 x .77 x .62 x .85 =
 * 1.8346, sum 7.7077, rounded up 7.8: high (the record's CVSS wins over the
 * entry's urgency "unimportant"). */
UNIT_TEST(vuln_tilde_versions)
{
	static const char *const files[] = {"osv-large/sample/Debian/CVE-2019-18276.json", NULL};
	struct cap c = {0};
	cleanup_free char *mem = NULL;
	struct vulndb *db = build(files, NULL, &mem, &c);
	SHARED_OR_SKIP(db);
	static const char *const pk[][4] = {
	        {"bash", "5.0-4", NULL, NULL},              /* 5.0 < 5.1~rc1: 0 < 1 */
	        {"bash-doc", "5.1~rc1-1", "bash", NULL},    /* same upstream, 1 < 2 */
	        {"bash-static", "5.1~rc1-2", "bash", NULL}, /* = fixed: not */
	        {"bash-builtins", "5.1-2", "bash", NULL},   /* "5.1" > "5.1~rc1": '~' sorts first */
	        {NULL, NULL, NULL, NULL},
	};
	CHECK_EQ_INT(match(db, "Debian:12", pk, &c), 0);
	CHECK_EQ_INT(c.n, 2);
	CHECK(has(&c, "bash 5.0-4 CVE-2019-18276 fixed=5.1~rc1-2 high"));
	CHECK(has(&c, "bash-doc 5.1~rc1-1 CVE-2019-18276 fixed=5.1~rc1-2 high"));
	vulndb_close(db);
}

#define REC(id, extra, eco, name, body)                                                     \
	"{\"id\":\"" id "\",\"modified\":\"2024-01-01T00:00:00Z\"" extra ",\"affected\":[{" \
	"\"package\":{\"ecosystem\":\"" eco "\",\"name\":\"" name "\"}," body "}]}"
#define EVENTS(...) "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[" __VA_ARGS__ "]}]"

/* Inline records of the shapes the real exports lack, on Debian:12. */
UNIT_TEST(vuln_last_affected_limit_segments_withdrawn_versions)
{
	static const char *const recs[] = {
	        REC("TEST-LA-1", "", "Debian:12", "demo-la",
	            EVENTS("{\"introduced\":\"1.0-1\"},{\"last_affected\":\"1.2-3\"}")),
	        REC("TEST-LIMIT-1", "", "Debian:12", "demo-limit",
	            EVENTS("{\"introduced\":\"0\"},{\"limit\":\"2.0-1\"}")),
	        /* events out of order: the schema's evaluation sorts them */
	        REC("TEST-SEG-1", "", "Debian:12", "demo-seg",
	            EVENTS("{\"fixed\":\"2.2-1\"},{\"introduced\":\"2.0-1\"},{\"introduced\":\"0\"}"
	                   ","
	                   "{\"fixed\":\"1.5-1\"}")),
	        REC("TEST-WD-1", ",\"withdrawn\":\"2024-02-01T00:00:00Z\"", "Debian:12", "demo-wd",
	            EVENTS("{\"introduced\":\"0\"}")),
	        REC("TEST-VER-1", "", "Debian:12", "demo-ver", "\"versions\":[\"3.0-1\"]"),
	        /* no release: applies to every Debian */
	        REC("TEST-ANY-1", "", "Debian", "demo-any",
	            EVENTS("{\"introduced\":\"0\"},{\"fixed\":\"1.0-2\"}")),
	        NULL};
	struct cap c = {0};
	cleanup_free char *mem = NULL;
	struct vulndb *db = build(NULL, recs, &mem, &c);
	CHECK(db);
	CHECK_EQ_INT(vulndb_header(db)->withdrawn, 1);
	CHECK_EQ_INT(vulndb_header(db)->nadv, 5);
	static const char *const pk[][4] = {
	        {"demo-la", "0.9-1", NULL, NULL},              /* below introduced 1.0-1: not */
	        {"demo-la-a", "1.0-1", "demo-la", NULL},       /* introduced <= v, v <= last: yes */
	        {"demo-la-b", "1.2-3", "demo-la", NULL},       /* = last_affected: yes */
	        {"demo-la-c", "1.2-4", "demo-la", NULL},       /* > last_affected: not */
	        {"demo-limit", "1.5-1", NULL, NULL},           /* below the limit: yes */
	        {"demo-limit-a", "2.0-1", "demo-limit", NULL}, /* at the limit: not */
	        /* sorted: 0, 1.5-1 (fixed), 2.0-1 (introduced), 2.2-1 (fixed) */
	        {"demo-seg", "1.0-1", NULL, NULL},         /* yes, fix 1.5-1 */
	        {"demo-seg-a", "1.7-1", "demo-seg", NULL}, /* fixed 1.5-1 <= v < 2.0-1: not */
	        {"demo-seg-b", "2.1-1", "demo-seg", NULL}, /* yes, fix 2.2-1 */
	        {"demo-wd", "0.1-1", NULL, NULL},          /* withdrawn: never */
	        {"demo-ver", "3.0-1", NULL, NULL},         /* listed: yes */
	        {"demo-ver-a", "3.0-2", "demo-ver", NULL}, /* not listed, no range: not */
	        {"demo-any", "1.0-1", NULL, NULL},         /* "Debian" entry: yes */
	        {NULL, NULL, NULL, NULL},
	};
	CHECK_EQ_INT(match(db, "Debian:12", pk, &c), 0);
	CHECK_EQ_INT(c.n, 7);
	CHECK(has(&c, "demo-la-a 1.0-1 TEST-LA-1 fixed=- unknown"));
	CHECK(has(&c, "demo-la-b 1.2-3 TEST-LA-1 fixed=- unknown"));
	CHECK(has(&c, "demo-limit 1.5-1 TEST-LIMIT-1 fixed=- unknown"));
	CHECK(has(&c, "demo-seg 1.0-1 TEST-SEG-1 fixed=1.5-1 unknown"));
	CHECK(has(&c, "demo-seg-b 2.1-1 TEST-SEG-1 fixed=2.2-1 unknown"));
	CHECK(has(&c, "demo-ver 3.0-1 TEST-VER-1 fixed=- unknown"));
	CHECK(has(&c, "demo-any 1.0-1 TEST-ANY-1 fixed=1.0-2 unknown"));
	vulndb_close(db);
}

/* CVE-2021-36159 (osv.dev's Alpine export; CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/
 * C:H/I:N/A:H: ISS 1 - .44 x .44 = .8064, impact 5.1771, exploitability
 * 3.8870, sum 9.0641, rounded up 9.1: critical) and ALPINE-CVE-2021-36159
 * (from Alpine's secdb, upstream [CVE-2021-36159], no severity), both
 * apk-tools on v3.13 fixed 2.12.6-r0: one finding, the CVE, with the
 * ALPINE- id as an alias and the higher severity. */
UNIT_TEST(vuln_aliases_merge_into_one_finding)
{
	static const char *const files[] = {
	        "osv-large/sample/Alpine/CVE-2021-36159.json",
	        "osv-large/sample/Alpine-secdb-derived/ALPINE-CVE-2021-36159.json", NULL};
	struct cap c = {0};
	cleanup_free char *mem = NULL;
	struct vulndb *db = build(files, NULL, &mem, &c);
	SHARED_OR_SKIP(db);
	static const char *const pk[][4] = {
	        {"apk-tools", "2.12.5-r0", NULL, NULL},
	        {"apk-tools-static", "2.12.6-r0", "apk-tools", NULL}, /* = fixed: not */
	        {NULL, NULL, NULL, NULL},
	};
	CHECK_EQ_INT(match(db, "Alpine:v3.13", pk, &c), 0);
	CHECK_EQ_INT(c.n, 1);
	CHECK(has(&c, "apk-tools 2.12.5-r0 CVE-2021-36159 fixed=2.12.6-r0 critical "
	              "aliases=ALPINE-CVE-2021-36159"));
	vulndb_close(db);
}

/* osv.dev's all.zip as vuls-data-update stores it (byte-exact): DSA-135
 * (Debian:3.0 libapache-mod-ssl fixed 2.8.9-2) and CVE-2024-10524
 * (Alpine:v3.21 wget fixed 1.25.0-r0; Debian:11 wget introduced-only; no
 * severity anywhere in it: unknown, the policy's default applies). */
UNIT_TEST(vuln_all_zip)
{
	static const char *const files[] = {
	        "osv-large/exact-samples/vuls-data-update-allzip/debian-all.zip",
	        "osv-large/exact-samples/vuls-data-update-allzip/alpine-all.zip", NULL};
	struct cap c = {0};
	cleanup_free char *mem = NULL;
	struct vulndb *db = build(files, NULL, &mem, &c);
	SHARED_OR_SKIP(db);
	CHECK_EQ_INT(vulndb_header(db)->records, 5);
	CHECK_EQ_INT(vulndb_header(db)->nadv, 5);
	static const char *const deb[][4] = {{"libapache-mod-ssl", "2.8.9-1", NULL, NULL},
	                                     {NULL, NULL, NULL, NULL}};
	CHECK_EQ_INT(match(db, "Debian:3.0", deb, &c), 0);
	CHECK_EQ_INT(c.n, 1);
	CHECK(has(&c, "libapache-mod-ssl 2.8.9-1 DSA-135 fixed=2.8.9-2 unknown"));
	static const char *const apk[][4] = {{"wget", "1.24.5-r0", NULL, NULL},
	                                     {NULL, NULL, NULL, NULL}};
	CHECK_EQ_INT(match(db, "Alpine:v3.21", apk, &c), 0);
	CHECK_EQ_INT(c.n, 1);
	CHECK(has(&c, "wget 1.24.5-r0 CVE-2024-10524 fixed=1.25.0-r0 unknown"));
	vulndb_close(db);
}

/* UBUNTU-CVE-2025-38094: Ubuntu:Pro:14.04:LTS linux, introduced "0", the
 * Ubuntu priority "medium" as its severity (no CVSS). */
UNIT_TEST(vuln_ubuntu_ecosystem_severity)
{
	static const char *const files[] = {"osv/records/osv.dev-UBUNTU-CVE-2025-38094.json", NULL};
	struct cap c = {0};
	cleanup_free char *mem = NULL;
	struct vulndb *db = build(files, NULL, &mem, &c);
	SHARED_OR_SKIP(db);
	static const char *const pk[][4] = {
	        {"linux-image-3.13.0-170-generic", "3.13.0-170.220", "linux", NULL},
	        {NULL, NULL, NULL, NULL}};
	CHECK_EQ_INT(match(db, "Ubuntu:Pro:14.04:LTS", pk, &c), 0);
	CHECK_EQ_INT(c.n, 1);
	CHECK(has(&c, "linux-image-3.13.0-170-generic 3.13.0-170.220 UBUNTU-CVE-2025-38094 "
	              "fixed=- medium"));
	vulndb_close(db);
}

UNIT_TEST(vuln_unknown_ecosystem_is_said)
{
	static const char *const recs[] = {NULL};
	struct cap c = {0};
	cleanup_free char *mem = NULL;
	struct vulndb *db = build(NULL, recs, &mem, &c);
	CHECK(db);
	struct inventory *inv = inventory_new();
	ea_error_t err = {0};
	CHECK_EQ_INT(vuln_match(db, inv, on_hit, &c, &err), -1);
	CHECK(err.code == EA_E_UNSUPPORTED);
	inventory_free(inv);
	vulndb_close(db);
}

/* A hostile database: every truncation and every header byte changed is
 * refused or read safely (bounded, no crash: the sanitizer build runs it). */
UNIT_TEST(vuln_db_hostile_bytes)
{
	static const char *const recs[] = {
	        REC("TEST-H-1", ",\"aliases\":[\"CVE-1\"]", "Debian:12", "h",
	            EVENTS("{\"introduced\":\"0\"},{\"fixed\":\"1.0-1\"}") ",\"versions\":[\"9\"]"),
	        NULL};
	struct cap c = {0};
	cleanup_free char *mem = NULL;
	struct vulndb *db = build(NULL, recs, &mem, &c);
	CHECK(db);
	vulndb_close(db);
	size_t len = 128 + 16 * 3 + 64;
	static const char *const pk[][4] = {{"h", "0.5-1", NULL, NULL}, {NULL, NULL, NULL, NULL}};
	for (size_t cut = 0; cut < len; cut += 7) {
		ea_error_t err = {0};
		CHECK(vulndb_open_mem(mem, cut, &db, &err) < 0 && err.code == EA_E_FORMAT);
	}
	for (size_t i = 0; i < 200; i++) {
		unsigned char save = (unsigned char)mem[i];
		mem[i] = (char)(save ^ 0x5a);
		ea_error_t err = {0};
		if (vulndb_open_mem(mem, len, &db, &err) == 0) {
			match(db, "Debian:12", pk, &c);
			vulndb_close(db);
		}
		mem[i] = (char)save;
	}
}

UNIT_TEST(vuln_cvss3_scores)
{
	static const struct {
		const char *v;
		int score;
	} ok[] = {
	        /* derived in the tests above */
	        {"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 78},
	        {"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H", 59},
	        {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:H", 91},
	        /* scope changed: 1.08 x (6.05 + 3.887) capped at 10 */
	        {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 100},
	        /* 3.0, changed scope, PR:N UI:R: ISS .3916, impact 7.52 x .3626 -
	         * 3.25 x .3716^15 = 2.7268, exploitability 2.8352, 1.08 x 5.562 =
	         * 6.007, rounded up 6.1 */
	        {"CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 61},
	        /* no impact: 0 */
	        {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0},
	        /* temporal metrics are ignored */
	        {"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H/E:U/RL:O", 59},
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		int s = -1;
		ea_error_t err = {0};
		CHECK_EQ_INT(cvss3_score(ok[i].v, &s, &err), 0);
		CHECK_EQ_INT(s, ok[i].score);
	}
	static const char *const bad[] = {
	        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",          /* no A */
	        "CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", /* AV twice */
	        "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",      /* no such value */
	        "CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P",
	        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:HH",
	        "CVSS:3.1/",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int s = -1;
		ea_error_t err = {0};
		CHECK(cvss3_score(bad[i], &s, &err) < 0 && err.code == EA_E_FORMAT);
	}
	CHECK(cvss_level(0) == VSEV_NONE && cvss_level(39) == VSEV_LOW);
	CHECK(cvss_level(40) == VSEV_MEDIUM && cvss_level(69) == VSEV_MEDIUM);
	CHECK(cvss_level(70) == VSEV_HIGH && cvss_level(90) == VSEV_CRITICAL);
}

/* CVSS v4.0 base scores: the specification's MacroVector lookup and
 * interpolation.  Expected values are those FIRST's calculator gives (as
 * published with other implementations' tests: polycvss's 6.9, cvss-rs's
 * 5.3 for CVE-2024-7657's vector, the all-high 10.0 and FIRST's 9.3). */
UNIT_TEST(vuln_cvss4_scores)
{
	static const struct {
		const char *v;
		int score;
	} ok[] = {
	        {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 93},
	        {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", 100},
	        {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N", 69},
	        {"CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:N/VI:L/VA:N/SC:N/SI:N/SA:N", 53},
	        /* E:X is "not defined": the base score */
	        {"CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N/E:X", 53},
	        /* no impact at all: 0 */
	        {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", 0},
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		int s = -1;
		ea_error_t err = {0};
		CHECK_EQ_INT(cvss4_score(ok[i].v, &s, &err), 0);
		CHECK_EQ_INT(s, ok[i].score);
	}
	static const char *const bad[] = {
	        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N",      /* no SA */
	        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N", /* S: modified
	                                                                              only */
	        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int s = -1;
		ea_error_t err = {0};
		CHECK(cvss4_score(bad[i], &s, &err) < 0 && err.code == EA_E_FORMAT);
	}
}

/* One id in two records (osv.dev's Debian and Alpine exports each hold a
 * copy of a CVE naming both, each of its own date): per package the newest
 * copy naming it decides.  Copy A (January) names Debian:12 x (fixed
 * 1.0-2) and Alpine y (fixed 1.0-r1); copy B (June) names only Alpine y
 * (fixed 1.0-r2).  So x 1.0-1 is affected, fix 1.0-2 (only A names x);
 * y 1.0-r1 is affected, fix 1.0-r2 (B is newer).  Read in both orders. */
UNIT_TEST(vuln_copies_of_one_id)
{
#define COPY_A                                                                                     \
	"{\"id\":\"TEST-DUP-1\",\"modified\":\"2024-01-01T00:00:00Z\",\"affected\":["              \
	"{\"package\":{\"ecosystem\":\"Debian:12\",\"name\":\"x\"}," EVENTS(                       \
	        "{\"introduced\":\"0\"},{\"fixed\":\"1.0-2\"}") "},"                               \
	                                                        "{\"package\":{\"ecosystem\":"     \
	                                                        "\"Alpine:v3.20\",\"name\":\"y\"}" \
	                                                        "," EVENTS("{\"introduced\":"      \
	                                                                   "\"0\"},{\"fixed\":"    \
	                                                                   "\"1.0-r1\"}") "}]}"
#define COPY_B                                                                        \
	"{\"id\":\"TEST-DUP-1\",\"modified\":\"2024-06-01T00:00:00Z\",\"affected\":[" \
	"{\"package\":{\"ecosystem\":\"Alpine:v3.20\",\"name\":\"y\"}," EVENTS(       \
	        "{\"introduced\":\"0\"},{\"fixed\":\"1.0-r2\"}") "}]}"
	static const char *const orders[2][3] = {{COPY_A, COPY_B, NULL}, {COPY_B, COPY_A, NULL}};
	for (int o = 0; o < 2; o++) {
		struct cap c = {0};
		cleanup_free char *mem = NULL;
		struct vulndb *db = build(NULL, orders[o], &mem, &c);
		CHECK(db);
		CHECK_EQ_INT(vulndb_header(db)->duplicates, 1);
		CHECK_EQ_INT(vulndb_header(db)->nadv, 1);
		static const char *const deb[][4] = {{"x", "1.0-1", NULL, NULL},
		                                     {NULL, NULL, NULL, NULL}};
		CHECK_EQ_INT(match(db, "Debian:12", deb, &c), 0);
		CHECK_EQ_INT(c.n, 1);
		CHECK(has(&c, "x 1.0-1 TEST-DUP-1 fixed=1.0-2 unknown"));
		static const char *const apk[][4] = {{"y", "1.0-r1", NULL, NULL},
		                                     {NULL, NULL, NULL, NULL}};
		CHECK_EQ_INT(match(db, "Alpine:v3.20", apk, &c), 0);
		CHECK_EQ_INT(c.n, 1);
		CHECK(has(&c, "y 1.0-r1 TEST-DUP-1 fixed=1.0-r2 unknown"));
		vulndb_close(db);
	}
}

/* The policy's say (vuln_audit.h): minSeverity, defaultSeverity, accepted
 * ids with an expiry day, matched on the id or an alias. */
UNIT_TEST(vuln_policy_threshold_default_and_accepted)
{
	cJSON *j = cJSON_Parse("{\"minSeverity\":\"medium\",\"defaultSeverity\":\"high\","
	                       "\"accept\":[{\"id\":\"CVE-2014-3616\",\"reason\":\"not reachable\","
	                       "\"expires\":\"2030-01-31\"}]}");
	struct vuln_policy p;
	ea_error_t err = {0};
	CHECK(j && vuln_policy_parse(j, &p, &err) == 0);
	cJSON_Delete(j);
	struct pkg pk = {.name = "nginx", .version = "1"};
	const char *aliases[] = {"CVE-2014-3616"};
	struct vuln_hit h = {.pkg = &pk, .id = "DSA-3029-1", .aliases = aliases, .naliases = 1};
	vsev_t sev;
	const struct vuln_accept *acc;
	int64_t jan31 = 1896134399; /* 2030-01-31T23:59:59Z */
	/* accepted through an alias until the end of its day, then a finding */
	h.sev.level = VSEV_CRITICAL;
	CHECK(vuln_policy_decide(&p, &h, jan31, &sev, &acc) == VDEC_ACCEPTED && acc);
	CHECK(vuln_policy_decide(&p, &h, jan31 + 1, &sev, &acc) == VDEC_FINDING && acc);
	CHECK(sev == VSEV_CRITICAL);
	/* another id: low is below medium, unknown takes the default (high) */
	h.naliases = 0;
	h.sev.level = VSEV_LOW;
	CHECK(vuln_policy_decide(&p, &h, 0, &sev, &acc) == VDEC_BELOW_THRESHOLD && !acc);
	h.sev.level = VSEV_UNKNOWN;
	CHECK(vuln_policy_decide(&p, &h, 0, &sev, &acc) == VDEC_FINDING && sev == VSEV_HIGH);
	vuln_policy_free(&p);
	static const char *const bad[] = {
	        "{\"minSeverity\":\"severe\"}",
	        "{\"accept\":[{\"id\":\"CVE-1\",\"reason\":\"r\"}]}", /* no expiry */
	        "{\"accept\":[{\"id\":\"CVE-1\",\"reason\":\"r\",\"expires\":\"2030-13-01\"}]}",
	        "{\"accept\":[{\"id\":\"CVE-1\",\"expires\":\"2030-01-01\"}]}", /* no reason */
	        "{\"acept\":[]}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		j = cJSON_Parse(bad[i]);
		err.code = EA_OK;
		CHECK(vuln_policy_parse(j, &p, &err) < 0 && err.code == EA_E_USAGE);
		cJSON_Delete(j);
	}
}

static int count_id(report_t *r, const char *id)
{
	int n = 0;
	const cJSON *f;
	cJSON_ArrayForEach (f, report_findings(r)) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(f, "id");
		n += cJSON_IsString(v) && !strcmp(v->valuestring, id);
	}
	return n;
}

/* vuln_audit_root: one vuln.package finding per (package, advisory) not
 * accepted, with the advisory's severity (DSA-3029-1 has none: the policy's
 * default); an unknown distribution is said, never "no vulnerabilities". */
UNIT_TEST(vuln_audit_root_findings)
{
	static const char *const files[] = {"osv/records/osv.dev-DSA-3029-1.json",
	                                    "osv/records/osv-scanner-CVE-2024-1013.debian.json",
	                                    NULL};
	struct cap c = {0};
	cleanup_free char *mem = NULL;
	struct vulndb *db = build(files, NULL, &mem, &c);
	SHARED_OR_SKIP(db);
	struct inventory *inv = inventory_new();
	pkg_set(&inv->distro.ecosystem, "Debian:7");
	inventory_add(inv, PKG_DPKG, "nginx", "1.2.1-2.2+wheezy2");
	inventory_finish(inv);
	struct vuln_policy p;
	vuln_policy_defaults(&p);
	report_t *r = report_new();
	struct vuln_counts n;
	CHECK_EQ_INT(vuln_audit_root(r, db, "host", inv, &p, 0, &n), 0);
	CHECK_EQ_INT(n.findings, 1);
	CHECK_EQ_INT(count_id(r, "vuln.package"), 1);
	const cJSON *f = cJSON_GetArrayItem(report_findings(r), 0);
	CHECK_EQ_STR(cJSON_GetObjectItemCaseSensitive(f, "severity")->valuestring, "medium");
	CHECK_EQ_STR(cJSON_GetObjectItemCaseSensitive(f, "fixed")->valuestring,
	             "1.2.1-2.2+wheezy3");
	CHECK_EQ_STR(cJSON_GetObjectItemCaseSensitive(f, "advisory")->valuestring, "DSA-3029-1");
	cleanup_free char *json = report_render_json(r, SEV_HIGH, 0, 0);
	CHECK(json && strstr(json, "\"vulnerabilities of host: 1 known, 0 accepted by the policy "
	                           "(0 below minSeverity)\""));
	pkg_set(&inv->distro.ecosystem, NULL);
	CHECK_EQ_INT(vuln_audit_root(r, db, "host", inv, &p, 0, &n), -1);
	CHECK_EQ_INT(count_id(r, "audit.not_implemented"), 1);
	report_free(r);
	inventory_free(inv);
	vulndb_close(db);
}

static void vuln_finding(report_t *r, severity_t sev, const char *pkg, const char *inst,
                         const char *fixed)
{
	cJSON *f = report_finding_sev(r, "vuln.package", sev, "host", "%s %s", pkg, inst);
	cJSON_AddStringToObject(f, "package", pkg);
	cJSON_AddStringToObject(f, "installed", inst);
	if (fixed) cJSON_AddStringToObject(f, "fixed", fixed);
}

/* The console groups a root's known vulnerabilities into one line (all of
 * them, medium ones too), worst first, instead of one line each. */
UNIT_TEST(vuln_summary_one_line_per_group)
{
	report_t *r = report_new();
	vuln_finding(r, SEV_MEDIUM, "bash", "5.0-4", "5.1~rc1-2");
	vuln_finding(r, SEV_CRITICAL, "openssl", "3.0.11-1", "3.0.13-1");
	vuln_finding(r, SEV_HIGH, "zlib1g", "1:1.2.13.dfsg-1", NULL);
	vuln_finding(r, SEV_LOW, "apt", "2.6.1", NULL);
	vuln_finding(r, SEV_CRITICAL, "libssl3", "3.0.11-1", "3.0.13-1");
	ea_buf_t out;
	ea_buf_init(&out, 1 << 16);
	report_lock(r);
	summary_groups(&out, r, report_findings(r), SEV_HIGH, 22);
	report_unlock(r);
	const char *s = out.data ? out.data : "";
	fprintf(stderr, "%s", s);
	/* wrapped at 80 columns, as the console prints it */
	CHECK(strstr(s,
	             "  CRIT 5 known vulnerabilities, 2 critical, 1 high: openssl 3.0.11-1 < "
	             "3.0.13-1,\n       libssl3 3.0.11-1 < 3.0.13-1, zlib1g 1:1.2.13.dfsg-1, ... "
	             "[vuln.package]\n"));
	CHECK(!strstr(s, "bash 5.0-4")); /* one line, not five */
	CHECK(strstr(s, "[vuln.package]"));
	ea_buf_free(&out);
	report_free(r);
}
