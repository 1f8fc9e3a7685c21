/* Unit tests: the host baseline's format (baseline.c): path order, the
 * spec's starts, entry lines and their one spelling. */
#include <string.h>

#include "baseline.h"
#include "unit.h"

UNIT_TEST(baseline_path_order_is_depth_first)
{
	/* "/" sorts before every byte: a folder's entries come before a
	 * sibling whose name goes on with a smaller byte ('-' < '/'). */
	CHECK(bl_path_cmp("/", "/a") < 0);
	CHECK(bl_path_cmp("/a", "/a/b") < 0);
	CHECK(bl_path_cmp("/a/b", "/a-c") < 0);
	CHECK(bl_path_cmp("/a/z", "/a.x") < 0);
	CHECK(bl_path_cmp("/a\x01", "/a/b") > 0);
	CHECK(bl_path_cmp("/a\xff", "/a~") > 0); /* bytes, unsigned */
	CHECK_EQ_INT(bl_path_cmp("/a/b", "/a/b"), 0);
	CHECK(bl_path_below("/a/b", "/a") && !bl_path_below("/a-b", "/a") &&
	      !bl_path_below("/a", "/a"));
	CHECK(bl_path_below("/a", "/") && !bl_path_below("/", "/"));
}

UNIT_TEST(baseline_spec_starts_normalised)
{
	struct bl_spec s = {0};
	ea_error_t err = {0};
	CHECK_EQ_INT(bl_spec_add_path(&s, "usr//lib/", &err), 0);
	CHECK_EQ_INT(bl_spec_add_path(&s, "/usr", &err), 0);
	CHECK_EQ_INT(bl_spec_add_path(&s, "/etc", &err), 0);
	CHECK_EQ_INT(bl_spec_add_path(&s, "/usr-x", &err), 0);
	CHECK_EQ_INT(bl_spec_add_path(&s, "/usr/../etc", &err), -1);
	CHECK_EQ_INT(err.code, EA_E_BADNAME);
	bl_spec_finish(&s);
	CHECK_EQ_INT(s.npaths, 3); /* /usr/lib is below /usr */
	CHECK_EQ_STR(s.paths[0], "/etc");
	CHECK_EQ_STR(s.paths[1], "/usr");
	CHECK_EQ_STR(s.paths[2], "/usr-x");
	CHECK_EQ_INT(bl_spec_add_exclude(&s, "/var/log/*", &err), 0);
	CHECK(bl_spec_excluded(&s, "/var/log/a/b") && !bl_spec_excluded(&s, "/var/logs"));
	bl_spec_free(&s);
	struct bl_spec none = {0};
	bl_spec_finish(&none);
	CHECK(none.npaths == 1 && !strcmp(none.paths[0], "/"));
	bl_spec_free(&none);
}

UNIT_TEST(baseline_entry_round_trip)
{
	static char line[BL_LINE_MAX + 1], path[BL_PATH_MAX + 1];
	static struct bl_entry e, back;
	ea_error_t err = {0};
	const char name[] = "/etc/a b\\c\n\xff";
	e.path = name;
	e.path_len = sizeof name - 1;
	e.type = 'l';
	e.mode = 0777;
	memcpy(e.target, "../x y", 6);
	e.target_len = 6;
	size_t n = bl_format_entry(&e, line);
	CHECK_EQ_STR(line, "/etc/a\\x20b\\x5cc\\x0a\\xff l 0777 0 0 - ../x\\x20y -\n");
	line[n - 1] = '\0';
	CHECK_EQ_INT(bl_parse_entry(line, &back, path, &err), 0);
	CHECK(back.path_len == e.path_len && !memcmp(back.path, name, e.path_len));
	CHECK(back.target_len == 6 && !memcmp(back.target, "../x y", 6));
	char dev[] = "/dev/null c 0666 0 0 1,3 - -";
	CHECK_EQ_INT(bl_parse_entry(dev, &back, path, &err), 0);
	CHECK(back.type == 'c' && back.dev_major == 1 && back.dev_minor == 3);
}

UNIT_TEST(baseline_lines_have_one_spelling)
{
	static char path[BL_PATH_MAX + 1];
	static struct bl_entry e;
	static const char *const bad[] = {
	        "/a\\x41 f 0644 0 0 1 - -",       /* an escape of a plain byte */
	        "/a\\x00 f 0644 0 0 1 - -",       /* NUL */
	        "/a\\x2fb f 0644 0 0 1 - -",      /* '/' in disguise */
	        "/a/../b d 0755 0 0 - - -",       /* ".." */
	        "/a/ d 0755 0 0 - - -",           /* trailing "/" */
	        "a d 0755 0 0 - - -",             /* relative */
	        "/a f 755 0 0 1 - -",             /* three mode digits */
	        "/a f 0644 0 0 01 - -",           /* a leading zero */
	        "/a f 0644 4294967296 0 1 - -",   /* uid past 32 bits */
	        "/a f 0644 0 0 1 abc -",          /* not a SHA-256 */
	        "/a d 0755 0 0 1 - -",            /* a size for a folder */
	        "/a f 0644 0 0 1 - 0",            /* odd hex capabilities */
	        "/a f 0644 0 0 1 -",              /* 7 fields */
	        "/a f 0644 0 0 1 - - x",          /* 9 fields */
	        "/a  f 0644 0 0 1 - -",           /* an empty field */
	        "/a l 0777 0 0 - \\x41 -",        /* a target's escape of a plain byte */
	        "/a c 0644 0 0 1,99999999999 - -" /* a device number past 32 bits */
	};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char line[128];
		ea_error_t err = {0};
		snprintf(line, sizeof line, "%s", bad[i]);
		int rc = bl_parse_entry(line, &e, path, &err);
		if (rc == 0) fprintf(stderr, "#   took: %s\n", bad[i]);
		CHECK_EQ_INT(rc, -1);
	}
}
