/* test_drift: drift_scan on small trees made here (no engine, no root):
 * A/C/D against the lower layers top-down, whiteouts in the lower layers,
 * one finding per path, the allowed folders, links never followed. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drift.h"
#include "fsx.h"
#include "unit.h"

static char droot[64];

static void put(const char *rel, const char *text, mode_t mode)
{
	char p[256], cmd[400];
	snprintf(p, sizeof p, "%s/%s", droot, rel);
	snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", p);
	if (system(cmd) != 0) return;
	FILE *f = fopen(p, "w");
	if (!f) return;
	fputs(text, f);
	fclose(f);
	chmod(p, mode);
}

static const char *finding_id(report_t *r, const char *subject)
{
	const cJSON *f;
	cJSON_ArrayForEach (f, report_findings(r)) {
		const cJSON *s = cJSON_GetObjectItem(f, "subject");
		if (cJSON_IsString(s) && !strcmp(s->valuestring, subject))
			return cJSON_GetObjectItem(f, "id")->valuestring;
	}
	return "none";
}

static int has_change(const cJSON *o, const char *kind, const char *path)
{
	const cJSON *c;
	cJSON_ArrayForEach (c, cJSON_GetObjectItem(o, "changes"))
		if (!strcmp(cJSON_GetObjectItem(c, "kind")->valuestring, kind) &&
		    !strcmp(cJSON_GetObjectItem(c, "path")->valuestring, path))
			return 1;
	return 0;
}

UNIT_TEST(drift_judges_a_writable_layer)
{
	snprintf(droot, sizeof droot, "/tmp/ea-drift.XXXXXX");
	CHECK(mkdtemp(droot) != NULL);
	put("base/etc/passwd", "root:x:0:0::/:/bin/sh\n", 0644);
	put("base/bin/sh", "\177ELF....", 0755);
	put("base/opt/a", "a", 0644);
	put("base/opt/gone", "g", 0644);
	put("top/opt/.wh.gone", "", 0644); /* the image deleted it itself */
	put("up/etc/passwd", "evil::0:0::/:/bin/sh\n", 0644);
	put("up/bin/sh", "#!/bin/sh\n", 0755);
	put("up/bin/notes", "n", 0644);
	put("up/opt/.wh.a", "", 0644);
	put("up/opt/gone", "\177ELF", 0644); /* an ELF without exec bit, new to the image */
	put("up/tmp/x", "\177ELF", 0755);
	put("up/home/u/.ssh/authorized_keys", "ssh-ed25519 AAAA", 0600);
	char p[256];
	snprintf(p, sizeof p, "%s/up/opt/link", droot);
	CHECK(symlink("/etc/shadow", p) == 0);
	ea_error_t err = {0};
	int root = fsx_open_root(droot, &err);
	CHECK(root >= 0);
	report_t *r = report_new();
	const char *lower[] = {"top", "base"};
	struct drift_target t = {r,     root, droot, "docker", "c1", "name",
	                         "img", "up", lower, 2,        NULL, NULL};
	cJSON *o = drift_scan(&t);
	CHECK_EQ_STR(finding_id(r, "docker:c1:/etc/passwd"), "drift.sensitive_file");
	CHECK_EQ_STR(finding_id(r, "docker:c1:/bin/sh"), "drift.executable_replaced");
	CHECK_EQ_STR(finding_id(r, "docker:c1:/bin/notes"), "drift.binary_dir");
	CHECK_EQ_STR(finding_id(r, "docker:c1:/opt/a"), "drift.deleted");
	CHECK_EQ_STR(finding_id(r, "docker:c1:/opt/gone"), "drift.executable_added");
	CHECK_EQ_STR(finding_id(r, "docker:c1:/tmp/x"), "none");
	CHECK_EQ_STR(finding_id(r, "docker:c1:/home/u/.ssh/authorized_keys"),
	             "drift.sensitive_file");
	CHECK_EQ_STR(finding_id(r, "docker:c1:/opt/link"), "none");
	CHECK(has_change(o, "C", "/etc/passwd") && has_change(o, "D", "/opt/a"));
	CHECK(has_change(o, "A", "/opt/gone") && has_change(o, "A", "/opt/link"));
	CHECK(has_change(o, "A", "/home") && has_change(o, "C", "/opt"));
	CHECK(cJSON_IsTrue(cJSON_GetObjectItem(o, "complete")));
	CHECK_EQ_INT((int)cJSON_GetObjectItem(o, "findings")->valuedouble, 6);
	cJSON_Delete(o);
	report_free(r);
	/* the user's allow list: the same layer, /opt and the name-scoped
	 * /home allowed; still listed, no finding */
	r = report_new();
	const char *allow[] = {"/opt", "na*:/home/*/.ssh", "other:/etc", NULL};
	t.r = r;
	t.allow = allow;
	o = drift_scan(&t);
	CHECK_EQ_STR(finding_id(r, "docker:c1:/opt/gone"), "none");
	CHECK_EQ_STR(finding_id(r, "docker:c1:/opt/a"), "none");
	CHECK_EQ_STR(finding_id(r, "docker:c1:/home/u/.ssh/authorized_keys"), "none");
	CHECK_EQ_STR(finding_id(r, "docker:c1:/etc/passwd"), "drift.sensitive_file");
	CHECK(has_change(o, "A", "/opt/gone") && has_change(o, "D", "/opt/a"));
	cJSON_Delete(o);
	report_free(r);
	CHECK(drift_allow_matches("registry:5000/app:*:/data/x*", "c", "registry:5000/app:1",
	                          "/data/xy/z"));
	CHECK(!drift_allow_matches("registry:5000/app:*:/data/x*", "c", "other:1", "/data/xy"));
	CHECK(!drift_allow_matches("/da", "c", "i", "/data"));
	CHECK(!drift_allow_matches("nonsense", "c", "i", "/data"));
	close(root);
	snprintf(p, sizeof p, "rm -rf '%s'", droot);
	CHECK(system(p) == 0);
}
