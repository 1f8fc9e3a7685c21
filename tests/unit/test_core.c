/* Unit tests of the foundation: digests, safe file access, report, specs. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "fsx.h"
#include "report.h"
#include "store.h"
#include "unit.h"

UNIT_TEST(digest_parse_accepts_spec_forms)
{
	digest_t d;
	ea_error_t err;
	CHECK(digest_parse(
	              "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", &d,
	              &err) == 0);
	CHECK(d.alg == DIGEST_SHA256 && d.bytes[0] == 0xe3 && d.bytes[31] == 0x55);
	CHECK_EQ_STR(digest_hex(&d),
	             "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	char s512[8 + 128] = "sha512:";
	memset(s512 + 7, 'a', 128);
	s512[135] = '\0';
	CHECK(digest_parse(s512, &d, &err) == 0 && d.alg == DIGEST_SHA512);
}

UNIT_TEST(digest_parse_refuses_malformed)
{
	digest_t d;
	ea_error_t err;
	static const char *const bad[] = {
	        "",
	        "sha256",
	        ":abc",
	        "sha256:",
	        "sha256:../../etc/passwd",
	        /* uppercase */
	        "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
	        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",   /* 63 */
	        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555", /* 65 */
	        "SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85/",
	        "blake3:../x",
	};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err.code = EA_OK;
		CHECK(digest_parse(bad[i], &d, &err) < 0);
		CHECK(err.code == EA_E_FORMAT);
	}
	CHECK(digest_parse(
	              "blake3:af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262", &d,
	              &err) < 0);
	CHECK(err.code == EA_E_UNSUPPORTED);
}

UNIT_TEST(digest_chain_matches_spec_formula)
{
	/* ChainID(L0,L1) = sha256("sha256:<L0> sha256:<L1>"), computed independently
	 * with: printf 'sha256:aaa..a sha256:bbb..b' | sha256sum */
	digest_t a, b, c;
	char sa[72] = "sha256:", sb[72] = "sha256:";
	memset(sa + 7, 'a', 64);
	sa[71] = '\0';
	memset(sb + 7, 'b', 64);
	sb[71] = '\0';
	CHECK(digest_parse(sa, &a, NULL) == 0 && digest_parse(sb, &b, NULL) == 0);
	digest_chain(&a, &b, &c);
	char joined[160];
	snprintf(joined, sizeof joined, "%s %s", sa, sb);
	digest_t want;
	digest_buffer(DIGEST_SHA256, joined, strlen(joined), &want);
	CHECK(digest_equal(&c, &want));
	CHECK_EQ_STR(c.str,
	             "sha256:ccd722928bd92476ba1745586fed6e45a102504185ad88cd89e01ff116fd146c");
}

static char tmpdir[64];

static int mk_tree(void)
{
	strcpy(tmpdir, "/tmp/ea-unit.XXXXXX");
	if (!mkdtemp(tmpdir)) return -1;
	char p[256];
	snprintf(p, sizeof p, "%s/dir", tmpdir);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/dir/file", tmpdir);
	int fd = open(p, O_CREAT | O_WRONLY, 0644);
	if (fd < 0) return -1;
	if (write(fd, "hello", 5) != 5) return -1;
	close(fd);
	snprintf(p, sizeof p, "%s/dir/fifo", tmpdir);
	mkfifo(p, 0644);
	snprintf(p, sizeof p, "%s/dir/link", tmpdir);
	symlink("/etc/passwd", p);
	snprintf(p, sizeof p, "%s/linkdir", tmpdir);
	symlink("dir", p);
	return 0;
}

static void rm_tree(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0) fprintf(stderr, "# could not remove %s\n", tmpdir);
}

UNIT_TEST(fsx_refuses_links_fifos_and_dotdot)
{
	CHECK(mk_tree() == 0);
	int root = fsx_open_root(tmpdir, NULL);
	CHECK(root >= 0);
	ea_error_t err;
	char *data = NULL;
	size_t len = 0;
	CHECK(fsx_read_file_at(root, "dir/file", 100, &data, &len, &err) == 0);
	CHECK(len == 5 && !memcmp(data, "hello", 5));
	free(data);
	CHECK(fsx_read_file_at(root, "dir/file", 4, &data, &len, &err) < 0 &&
	      err.code == EA_E_TOOBIG);
	/* A FIFO is refused without blocking. */
	CHECK(fsx_open_file_at(root, "dir/fifo", NULL, &err) < 0 && err.code == EA_E_NOTREG);
	CHECK(fsx_open_file_at(root, "dir/link", NULL, &err) < 0 && err.code == EA_E_SYMLINK);
	/* A link on the path, not only at the end. */
	CHECK(fsx_open_file_at(root, "linkdir/file", NULL, &err) < 0 && err.code == EA_E_SYMLINK);
	CHECK(fsx_open_file_at(root, "dir/../dir/file", NULL, &err) < 0 &&
	      err.code == EA_E_BADNAME);
	CHECK(fsx_open_file_at(root, "/etc/passwd", NULL, &err) < 0 && err.code == EA_E_BADNAME);
	CHECK(fsx_open_file_at(root, "dir//file", NULL, &err) < 0 && err.code == EA_E_BADNAME);
	CHECK(fsx_open_file_at(root, "dir/none", NULL, &err) < 0 && err.code == EA_E_NOENT);
	CHECK(fsx_open_file_at(root, "./dir/file", NULL, &err) >= 0);
	close(root);
	rm_tree();
}

UNIT_TEST(fsx_write_atomic_replaces_whole)
{
	CHECK(mk_tree() == 0);
	char p[256];
	snprintf(p, sizeof p, "%s/report.json", tmpdir);
	ea_error_t err;
	CHECK(fsx_write_atomic(p, "old\n", 4, &err) == 0);
	CHECK(fsx_write_atomic(p, "new report\n", 11, &err) == 0);
	int root = fsx_open_root(tmpdir, NULL);
	char *data = NULL;
	size_t len;
	CHECK(fsx_read_file_at(root, "report.json", 100, &data, &len, &err) == 0);
	CHECK(len == 11 && !memcmp(data, "new report\n", 11));
	free(data);
	close(root);
	rm_tree();
}

UNIT_TEST(report_verdict_and_exit_codes)
{
	report_t *r = report_new();
	CHECK_EQ_STR(report_verdict(r, SEV_HIGH), "pass");
	CHECK(report_exit_code(r, SEV_HIGH) == 0);
	report_finding(r, "blob.unreferenced", "sha256:x", "info only");
	CHECK_EQ_STR(report_verdict(r, SEV_HIGH), "pass");
	CHECK_EQ_STR(report_verdict(r, SEV_INFO), "fail");
	report_finding(r, "store.unreadable", "/x", "cannot read");
	CHECK_EQ_STR(report_verdict(r, SEV_CRITICAL), "incomplete");
	CHECK(report_exit_code(r, SEV_CRITICAL) == 3);
	CHECK_EQ_STR(report_verdict(r, SEV_HIGH), "fail");
	CHECK(report_exit_code(r, SEV_HIGH) == 1);
	CHECK(report_count(r, SEV_HIGH) == 1 && report_count(r, SEV_INFO) == 1);
	report_free(r);
}

UNIT_TEST(report_text_fits_80_ascii_columns)
{
	report_t *r = report_new();
	char longmsg[400];
	memset(longmsg, 'x', sizeof longmsg - 1);
	longmsg[sizeof longmsg - 1] = '\0';
	report_finding(r, "blob.digest_mismatch",
	               "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	               "non-ascii \xc3\xa9 and a long tail %s", longmsg);
	report_finding(r, "store.symlink",
	               "/var/lib/very/long/path/that/goes/on/and/on/and/on/blobs/sha256/x",
	               "link\x1b[31m with an escape");
	char *t = report_render_text(r, SEV_HIGH, 0);
	CHECK(!strncmp(strchr(t, '\n') + 1, "VERDICT: FAIL (exit 1)\n", 23));
	int col = 0, lines = 0;
	for (const char *p = t; *p; p++) {
		CHECK((unsigned char)*p < 0x7f && (*p == '\n' || (unsigned char)*p >= 0x20));
		if (*p == '\n') {
			col = 0;
			lines++;
		} else CHECK(++col <= 80);
	}
	CHECK(strstr(t, "CRIT blob altered (digest differs): sha256:e3b0c44298fc "
	                "[blob.digest_mismatch]") != NULL);
	CHECK(lines >= 5);
	free(t);
	report_free(r);
}

UNIT_TEST(report_json_has_contract_fields)
{
	report_t *r = report_new();
	report_unchecked(r, "signatures", "not built");
	char *s = report_render_json(r, SEV_HIGH, 0, 5);
	CHECK(strchr(s, '\n') == NULL);
	cJSON *o = cJSON_Parse(s);
	CHECK(o != NULL);
	static const char *const keys[] = {"schema",      "tool",      "host",    "started",
	                                   "duration_ms", "verdict",   "summary", "stores",
	                                   "images",      "processes", "findings"};
	for (unsigned i = 0; i < sizeof keys / sizeof keys[0]; i++)
		CHECK(cJSON_GetObjectItem(o, keys[i]) != NULL);
	CHECK_EQ_STR(cJSON_GetStringValue(cJSON_GetObjectItem(o, "verdict")), "incomplete");
	CHECK_EQ_STR(cJSON_GetStringValue(cJSON_GetObjectItem(o, "started")),
	             "1970-01-01T00:00:00Z");
	cJSON_Delete(o);
	free(s);
	report_free(r);
}

UNIT_TEST(report_bounds_findings)
{
	report_t *r = report_new();
	for (int i = 0; i < REPORT_MAX_FINDINGS + 10; i++)
		report_finding(r, "blob.unreferenced", "x", "n %d", i);
	CHECK(report_count(r, SEV_INFO) == REPORT_MAX_FINDINGS + 10);
	CHECK_EQ_STR(report_verdict(r, SEV_HIGH), "incomplete");
	report_free(r);
}

UNIT_TEST(store_spec_parse_forms)
{
	struct store_spec s;
	ea_error_t err;
	CHECK(store_spec_parse("oci:/a/b", &s, &err) == 0 && s.type == STORE_OCI &&
	      !strcmp(s.path, "/a/b"));
	CHECK(store_spec_parse("containers-storage:/var/lib/containers/storage", &s, &err) == 0 &&
	      s.type == STORE_CONTAINERS_STORAGE);
	CHECK(store_spec_parse("oci-archive:x.tar", &s, &err) == 0 && s.type == STORE_OCI_ARCHIVE);
	CHECK(store_spec_parse("/plain/path", &s, &err) == 0 && s.type == STORE_AUTO);
	CHECK(store_spec_parse("./a:b", &s, &err) == 0 && s.type == STORE_AUTO &&
	      !strcmp(s.path, "./a:b"));
	CHECK(store_spec_parse("ocii:/x", &s, &err) < 0 && err.code == EA_E_USAGE);
	CHECK(store_spec_parse("oci:", &s, &err) < 0);
}

/* Every error of fsx.h's file access maps to a finding of the catalog; the
 * caller names what "absent" means. */
UNIT_TEST(finding_id_for_open_errors)
{
	CHECK_EQ_STR(finding_id_for_open_error(EA_E_NOENT, "layer.missing"), "layer.missing");
	CHECK_EQ_STR(finding_id_for_open_error(EA_E_SYMLINK, "layer.missing"), "store.symlink");
	CHECK_EQ_STR(finding_id_for_open_error(EA_E_NOTREG, "layer.missing"), "store.special_file");
	CHECK_EQ_STR(finding_id_for_open_error(EA_E_BADNAME, "layer.missing"), "store.bad_path");
	CHECK_EQ_STR(finding_id_for_open_error(EA_E_TOOBIG, "layer.missing"), "json.too_large");
	CHECK_EQ_STR(finding_id_for_open_error(EA_E_IO, "layer.missing"), "store.unreadable");
	for (int code = EA_E_IO; code <= EA_E_INTERRUPTED; code++) {
		const char *id = finding_id_for_open_error(code, "blob.missing");
		CHECK(finding_kind_lookup(id) != NULL);
	}
}

/* One hex-ID test for cgroup paths and store IDs: exactly 64 lowercase hex. */
UNIT_TEST(ea_is_hex64_exact)
{
	const char *h = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	CHECK(ea_is_hex64(h, 64));
	CHECK(!ea_is_hex64(h, 63));
	CHECK(!ea_is_hex64("0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", 64));
	CHECK(!ea_is_hex64("0123456789abcdeg0123456789abcdef0123456789abcdef0123456789abcdef", 64));
	CHECK(!ea_is_hex64("", 0));
}
