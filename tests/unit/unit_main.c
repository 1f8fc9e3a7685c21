/* unit_main: runs the registered unit tests, TAP output (see unit.h). */
#include <stdlib.h>
#include <sys/stat.h>

#include "unit.h"

static struct unit_test *head, **tail = &head;
static int cur_failed, cur_skipped;
static char skip_reason[256];

void unit_register(struct unit_test *t)
{
	*tail = t;
	tail = &t->next;
}

void unit_fail(const char *file, int line, const char *expr)
{
	fprintf(stderr, "#   %s:%d: CHECK(%s) failed\n", file, line, expr);
	cur_failed = 1;
}

void unit_skip(const char *reason)
{
	snprintf(skip_reason, sizeof skip_reason, "%s", reason);
	cur_skipped = 1;
}

int unit_failed(void) { return cur_failed; }

const char *unit_tests_dir(void)
{
	const char *d = getenv("EDGEAUDIT_TESTS");
	return d && *d ? d : "tests";
}

const char *unit_shared_testdata(void)
{
	static char path[4096];
	const char *d = getenv("EDGEAUDIT_SHARED_TESTDATA");
	if (!d || !*d) d = "../shared/testdata";
	struct stat st;
	if (stat(d, &st) != 0 || !S_ISDIR(st.st_mode)) return NULL;
	snprintf(path, sizeof path, "%s", d);
	return path;
}

int main(int argc, char **argv)
{
	int n = 0, failed = 0;
	for (struct unit_test *t = head; t; t = t->next)
		if (argc < 2 || strstr(t->name, argv[1])) n++;
	printf("1..%d\n", n);
	int i = 0;
	for (struct unit_test *t = head; t; t = t->next) {
		if (argc >= 2 && !strstr(t->name, argv[1])) continue;
		cur_failed = cur_skipped = 0;
		fflush(stdout);
		t->fn();
		i++;
		if (cur_failed) {
			failed++;
			printf("not ok %d - %s\n", i, t->name);
		} else if (cur_skipped) {
			printf("ok %d - %s # SKIP %s\n", i, t->name, skip_reason);
		} else {
			printf("ok %d - %s\n", i, t->name);
		}
	}
	fflush(stdout);
	return failed ? 1 : 0;
}
