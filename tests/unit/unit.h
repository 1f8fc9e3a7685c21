/*
 * unit: a tiny TAP-producing unit-test harness.
 *
 * A test file defines tests with UNIT_TEST(name) { ... } and asserts with
 * CHECK(cond) / CHECK_EQ_STR(a, b) / CHECK_EQ_INT(a, b).  A failed CHECK
 * records the file, line and expression and ends that test.  unit_main.c
 * runs every registered test (or those whose name contains argv[1]) and
 * prints one TAP line per test ("ok N - name" / "not ok N - name").
 * Tests that need a file from ../shared/testdata call UNIT_SKIP(reason).
 */
#ifndef EDGEAUDIT_UNIT_H
#define EDGEAUDIT_UNIT_H

#include <stdio.h>
#include <string.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
	struct unit_test *next;
};

void unit_register(struct unit_test *t);
void unit_fail(const char *file, int line, const char *expr);
void unit_skip(const char *reason);
int unit_failed(void);
/* Folder of the source tree's tests/ (for fixtures); from $EDGEAUDIT_TESTS or "tests". */
const char *unit_tests_dir(void);
/* ../shared/testdata, or NULL when absent. */
const char *unit_shared_testdata(void);

#define UNIT_TEST(name)                                                     \
	static void unit_fn_##name(void);                                   \
	static struct unit_test unit_t_##name = {#name, unit_fn_##name, 0}; \
	__attribute__((constructor)) static void unit_reg_##name(void)      \
	{                                                                   \
		unit_register(&unit_t_##name);                              \
	}                                                                   \
	static void unit_fn_##name(void)

#define CHECK(cond)                                           \
	do {                                                  \
		if (!(cond)) {                                \
			unit_fail(__FILE__, __LINE__, #cond); \
			return;                               \
		}                                             \
	} while (0)

#define CHECK_EQ_STR(a, b)                                                               \
	do {                                                                             \
		const char *_a = (a), *_b = (b);                                         \
		if (!_a || !_b || strcmp(_a, _b) != 0) {                                 \
			fprintf(stderr, "#   got '%s', want '%s'\n", _a ? _a : "(null)", \
			        _b ? _b : "(null)");                                     \
			unit_fail(__FILE__, __LINE__, #a " == " #b);                     \
			return;                                                          \
		}                                                                        \
	} while (0)

#define CHECK_EQ_INT(a, b)                                                    \
	do {                                                                  \
		long long _a = (long long)(a), _b = (long long)(b);           \
		if (_a != _b) {                                               \
			fprintf(stderr, "#   got %lld, want %lld\n", _a, _b); \
			unit_fail(__FILE__, __LINE__, #a " == " #b);          \
			return;                                               \
		}                                                             \
	} while (0)

#define UNIT_SKIP(reason)          \
	do {                       \
		unit_skip(reason); \
		return;            \
	} while (0)

#endif
