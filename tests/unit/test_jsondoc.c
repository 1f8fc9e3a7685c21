/* Unit tests of jsondoc (jsondoc.h): a store document is read with exactly
 * one meaning, the one Go's encoding/json gives it, or refused. */
#include <stdlib.h>
#include <string.h>

#include "jsondoc.h"
#include "unit.h"

static int parses(const char *s)
{
	cJSON *j = jsondoc_parse(s, strlen(s));
	cJSON_Delete(j);
	return j != NULL;
}

UNIT_TEST(jsondoc_accepts_real_documents)
{
	CHECK(parses(
	        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	        "\"config\":{\"mediaType\":\"application/"
	        "vnd.oci.image.config.v1+json\",\"digest\":\"sha256:aa\","
	        "\"size\":2},\"layers\":[],\"annotations\":{\"org.opencontainers.image.ref.name\":"
	        "\"1\"}}\n"));
	/* whitespace around the value is allowed */
	CHECK(parses("  \r\n\t[]  \n"));
	/* labels and annotations are Go maps: keys that differ only in case are two keys */
	CHECK(parses("{\"config\":{\"Labels\":{\"Path\":\"a\",\"path\":\"b\"}},\"annotations\":{"
	             "\"Size\":\"1\",\"size\":\"2\"}}"));
	/* names we do not read may differ only in case (Go keeps the last, we ignore both) */
	CHECK(parses("{\"Comment\":\"a\",\"comment\":\"b\"}"));
}

UNIT_TEST(jsondoc_refuses_two_meanings)
{
	/* exact duplicates: cJSON would take the first, Go the last */
	CHECK(!parses("{\"layers\":[],\"layers\":[{}]}"));
	CHECK(!parses("{\"a\":{\"x\":1,\"y\":2,\"x\":3}}"));
	/* names Go folds onto one struct field */
	CHECK(!parses("{\"layers\":[],\"Layers\":[]}"));
	CHECK(!parses("{\"size\":1,\"\xc5\xbfize\":2}")); /* U+017F LONG S */
	CHECK(!parses("{\"mediaType\":\"a\",\"MediaType\":\"b\"}"));
	CHECK(!parses("{\"rootfs\":{\"diff_ids\":[],\"DIFF_IDS\":[]}}"));
	/* an OCI bundle's config.json and its seccomp profile, as runc reads them */
	CHECK(!parses("{\"linux\":{\"seccomp\":{},\"Seccomp\":{}}}"));
	CHECK(!parses("{\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\","
	              "\"DefaultAction\":\"SCMP_ACT_ALLOW\"}}}"));
	CHECK(!parses("{\"syscalls\":[{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ERRNO\","
	              "\"Action\":\"SCMP_ACT_ALLOW\"}]}"));
	CHECK(!parses("{\"root\":{\"path\":\"rootfs\",\"Path\":\"/\"}}"));
	/* the last entry of the field list still has its own bit */
	CHECK(!parses("{\"minKernel\":\"4.8\",\"MINKERNEL\":\"5.0\"}"));
	/* and the first */
	CHECK(!parses("{\"mediatype\":\"a\",\"MEDIATYPE\":\"b\"}"));
}

UNIT_TEST(jsondoc_refuses_what_go_refuses)
{
	CHECK(!parses("{} {}")); /* data after the value */
	CHECK(!parses("{}x"));
	CHECK(!parses(""));
	CHECK(!parses("{\"a\":")); /* truncated */
	const char nul[] = "{\"a\":1}\0";
	CHECK(jsondoc_parse(nul, sizeof nul - 1) == NULL); /* a NUL byte */
	CHECK(jsondoc_parse(NULL, 0) == NULL);
}

UNIT_TEST(jsondoc_bounds_depth_and_values)
{
	/* nested deeper than cJSON's limit: refused, no stack overflow */
	size_t d = 100000;
	char *deep = malloc(2 * d + 1);
	CHECK(deep != NULL);
	memset(deep, '[', d);
	memset(deep + d, ']', d);
	deep[2 * d] = '\0';
	cJSON *j = jsondoc_parse(deep, 2 * d);
	free(deep);
	CHECK(j == NULL);
	/* a JSON bomb within the byte limit: more values than the bound */
	size_t n = JSONDOC_MAX_VALUES + 1;
	char *bomb = malloc(2 * n + 2);
	CHECK(bomb != NULL);
	bomb[0] = '[';
	for (size_t i = 0; i < n; i++) {
		bomb[1 + 2 * i] = '0';
		bomb[2 + 2 * i] = ',';
	}
	bomb[2 * n] = ']';
	bomb[2 * n + 1] = '\0';
	j = jsondoc_parse(bomb, 2 * n + 1);
	CHECK(j == NULL);
	/* the same list under a bound it fits */
	j = jsondoc_parse_n(bomb, 2 * n + 1, n + 1);
	free(bomb);
	CHECK(j != NULL);
	CHECK_EQ_INT(cJSON_GetArraySize(j), (int)n);
	cJSON_Delete(j);
	/* commas inside strings are not values */
	CHECK(parses("[\",,,,\\\",,,,\"]"));
}

/* The one duplicate-name check, as sig_json's sjson_parse uses it: exact
 * names (no Go folding), a depth limit, and the error naming the name. */
static int check(const char *s, int flags, int max_depth, ea_error_t *err)
{
	cJSON *j = cJSON_Parse(s);
	if (!j) return -2;
	int rc = jsondoc_check(j, flags, max_depth, err);
	cJSON_Delete(j);
	return rc;
}

UNIT_TEST(jsondoc_check_exact_or_folded)
{
	ea_error_t err = {0};
	CHECK(check("{\"layers\":[],\"Layers\":[]}", 0, 64, &err) == 0);
	CHECK(check("{\"layers\":[],\"Layers\":[]}", JSONDOC_FOLD, 0, &err) == -1);
	CHECK(check("{\"b\":1,\"a\":{\"y\":1,\"x\":2,\"y\":3}}", 0, 64, &err) == -1);
	CHECK_EQ_STR(err.msg, "duplicate JSON member \"y\"");
	CHECK(err.code == EA_E_FORMAT);
	CHECK(check("{\"annotations\":{\"Size\":\"1\",\"size\":\"2\"}}", JSONDOC_FOLD, 0, NULL) ==
	      0);
	/* depth: the document's value is 0, so 65 nested arrays reach 64 */
	char deep[200];
	memset(deep, '[', 65);
	memset(deep + 65, ']', 65);
	deep[130] = '\0';
	CHECK(check(deep, 0, 64, &err) == 0);
	memset(deep, '[', 66);
	memset(deep + 66, ']', 66);
	deep[132] = '\0';
	CHECK(check(deep, 0, 64, &err) == -1);
	CHECK_EQ_STR(err.msg, "JSON nested deeper than 64");
	CHECK(check(deep, JSONDOC_FOLD, 0, &err) == 0);
}
