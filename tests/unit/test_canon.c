/* Unit tests: RFC 8785 canonical JSON and strict base64 (src/content/canonjson.c,
 * src/content/b64.c).  Vectors from RFC 8785 (appendix B number table, sec. 3.2.3
 * sorting example) and RFC 4648 sec. 10, not from our own writer. */
#include <stdlib.h>

#include "b64.h"
#include "canonjson.h"
#include "unit.h"

static const char *canon(const char *json, char *out, size_t n)
{
	cJSON *j = cJSON_Parse(json);
	if (!j) return NULL;
	ea_buf_t b;
	ea_buf_init(&b, 1 << 20);
	ea_error_t err;
	int rc = canonjson_write(j, &b, &err);
	cJSON_Delete(j);
	if (rc < 0) {
		ea_buf_free(&b);
		return NULL;
	}
	snprintf(out, n, "%.*s", (int)b.len, b.data);
	ea_buf_free(&b);
	return out;
}

UNIT_TEST(canon_rfc8785_numbers)
{
	/* RFC 8785 appendix B: IEEE 754 value -> ECMAScript serialization. */
	static const struct {
		double d;
		const char *want;
	} v[] = {
	        {0.0, "0"},
	        {-0.0, "0"},
	        {5e-324, "5e-324"},
	        {-5e-324, "-5e-324"},
	        {1.7976931348623157e308, "1.7976931348623157e+308"},
	        {-1.7976931348623157e308, "-1.7976931348623157e+308"},
	        {9007199254740992.0, "9007199254740992"},
	        {-9007199254740992.0, "-9007199254740992"},
	        {295147905179352830000.0, "295147905179352830000"},
	        {9.999999999999997e22, "9.999999999999997e+22"},
	        {1e23, "1e+23"},
	        {1.0000000000000001e23, "1.0000000000000001e+23"},
	        {999999999999999700000.0, "999999999999999700000"},
	        {999999999999999900000.0, "999999999999999900000"},
	        {1e21, "1e+21"},
	        {9.999999999999997e-7, "9.999999999999997e-7"},
	        {0.000001, "0.000001"},
	        {3.333333333333333e-7, "3.333333333333333e-7"},
	        {0.3333333333333333, "0.3333333333333333"},
	        {1e-7, "1e-7"},
	        {1e-6, "0.000001"},
	        {33.333333333333336, "33.333333333333336"},
	        {100, "100"},
	        {4.5, "4.5"},
	        {2e-3, "0.002"},
	        {0.000123, "0.000123"},
	        {-1e-7, "-1e-7"},
	        {1e+30, "1e+30"},
	};
	for (unsigned i = 0; i < sizeof v / sizeof v[0]; i++) {
		char buf[40];
		ea_error_t err;
		CHECK(canonjson_number(v[i].d, buf, sizeof buf, &err) == 0);
		CHECK_EQ_STR(buf, v[i].want);
	}
}

UNIT_TEST(canon_rfc8785_sorting_and_strings)
{
	char out[1024];
	/* RFC 8785 sec. 3.2.3: sorted by UTF-16 code units (the U+1F600 key,
	 * a surrogate pair, sorts before U+FB33 although its UTF-8 is larger). */
	const char *in = "{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage "
	                 "Return\",\"\\ufb33\":\"Hebrew Letter Dalet With Dagesh\","
	                 "\"1\":\"One\",\"\\ud83d\\ude00\":\"Emoji: Grinning "
	                 "Face\",\"\\u0080\":\"Control\",\"\\u00f6\":\"Latin Small Letter O With "
	                 "Diaeresis\"}";
	const char *want = "{\"\\r\":\"Carriage "
	                   "Return\",\"1\":\"One\",\"\xc2\x80\":\"Control\",\"\xc3\xb6\":\"Latin "
	                   "Small Letter O With Diaeresis\","
	                   "\"\xe2\x82\xac\":\"Euro Sign\",\"\xf0\x9f\x98\x80\":\"Emoji: Grinning "
	                   "Face\",\"\xef\xac\xb3\":\"Hebrew Letter Dalet With Dagesh\"}";
	CHECK(canon(in, out, sizeof out));
	CHECK_EQ_STR(out, want);
	/* RFC 8785 sec. 3.2.2.2 string escapes */
	CHECK(canon("[\"\\u0001\\u001f\\b\\f\\n\\r\\t\\\"\\\\/\\u007f\"]", out, sizeof out));
	CHECK_EQ_STR(out, "[\"\\u0001\\u001f\\b\\f\\n\\r\\t\\\"\\\\/\x7f\"]");
	/* literals, nesting, whitespace removed */
	CHECK(canon(" { \"b\" : [ true , false , null ] , \"a\" : { \"z\":1, \"y\":2.50 } } ", out,
	            sizeof out));
	CHECK_EQ_STR(out, "{\"a\":{\"y\":2.5,\"z\":1},\"b\":[true,false,null]}");
	/* The Rekor SET document shape. */
	CHECK(canon("{\"logIndex\":79571823,\"logID\":\"c0d2\",\"integratedTime\":1710869186,"
	            "\"body\":\"eyJ=\"}",
	            out, sizeof out));
	CHECK_EQ_STR(out, "{\"body\":\"eyJ=\",\"integratedTime\":1710869186,\"logID\":\"c0d2\","
	                  "\"logIndex\":79571823}");
}

UNIT_TEST(canon_refuses_duplicates_and_bad_utf8)
{
	char out[256];
	CHECK(canon("{\"a\":1,\"a\":2}", out, sizeof out) == NULL);
	cJSON *s = cJSON_CreateString("\xff\xfe");
	ea_buf_t b;
	ea_buf_init(&b, 1024);
	ea_error_t err;
	CHECK(canonjson_write(s, &b, &err) < 0 && err.code == EA_E_FORMAT);
	cJSON_Delete(s);
	s = cJSON_CreateString("\xed\xa0\x80"); /* a lone surrogate in UTF-8 */
	CHECK(canonjson_write(s, &b, &err) < 0);
	cJSON_Delete(s);
	cJSON *n = cJSON_CreateNumber(0.0 / 0.0);
	CHECK(canonjson_write(n, &b, &err) < 0);
	cJSON_Delete(n);
	ea_buf_free(&b);
	/* the cap is honoured */
	ea_buf_init(&b, 4);
	cJSON *a = cJSON_Parse("[1,2,3,4,5]");
	CHECK(canonjson_write(a, &b, &err) < 0 && err.code == EA_E_TOOBIG);
	cJSON_Delete(a);
	ea_buf_free(&b);
}

static int dec(const char *s, b64_variant_t v, char *out, size_t n)
{
	unsigned char *o;
	size_t l;
	ea_error_t err;
	if (b64_decode(s, strlen(s), v, 1024, &o, &l, &err) < 0) return -1;
	snprintf(out, n, "%.*s", (int)l, o);
	free(o);
	return (int)l;
}

UNIT_TEST(b64_rfc4648_vectors)
{
	/* RFC 4648 sec. 10 */
	static const char *const v[][2] = {{"", ""},
	                                   {"Zg==", "f"},
	                                   {"Zm8=", "fo"},
	                                   {"Zm9v", "foo"},
	                                   {"Zm9vYg==", "foob"},
	                                   {"Zm9vYmE=", "fooba"},
	                                   {"Zm9vYmFy", "foobar"}};
	char out[64];
	for (unsigned i = 0; i < sizeof v / sizeof v[0]; i++) {
		CHECK(dec(v[i][0], B64_STD, out, sizeof out) >= 0);
		CHECK_EQ_STR(out, v[i][1]);
		CHECK(dec(v[i][0], B64_PROTO, out, sizeof out) >= 0);
		CHECK_EQ_STR(out, v[i][1]);
		char *e = b64_encode_std((const unsigned char *)v[i][1], strlen(v[i][1]));
		CHECK_EQ_STR(e, v[i][0]);
		free(e);
	}
	/* URL alphabet, no padding (JWS) */
	CHECK(dec("Zm9vYg", B64_URL, out, sizeof out) == 4);
	CHECK(dec("-_8", B64_URL, out, sizeof out) == 2);
	CHECK(dec("-_8", B64_PROTO, out, sizeof out) == 2);
	/* line breaks as `base64 FILE` writes them (Go skips CR/LF too) */
	CHECK(dec("Zm9v\nYmFy\r\n", B64_STD, out, sizeof out) == 6);
	CHECK(dec("Zm9v\nYg", B64_URL, out, sizeof out) < 0);
}

UNIT_TEST(b64_refuses_noncanonical)
{
	char out[64];
	static const char *const bad_std[] = {"Zg=",   "Zg",     "Z===", "Zh==", "Zm9=v",
	                                      "Zm 9v", "Zm9v\t", "Zm-v", "====", "Zm9vY"};
	for (unsigned i = 0; i < sizeof bad_std / sizeof bad_std[0]; i++)
		CHECK(dec(bad_std[i], B64_STD, out, sizeof out) < 0);
	static const char *const bad_url[] = {"Zg==", "Zm+v", "Z", "Zh"};
	for (unsigned i = 0; i < sizeof bad_url / sizeof bad_url[0]; i++)
		CHECK(dec(bad_url[i], B64_URL, out, sizeof out) < 0);
	CHECK(dec("a+b-", B64_PROTO, out, sizeof out) < 0); /* mixed alphabets */
	/* the size cap */
	unsigned char *o;
	size_t l;
	ea_error_t err;
	CHECK(b64_decode("Zm9vYmFy", 8, B64_STD, 5, &o, &l, &err) < 0 && err.code == EA_E_TOOBIG);
}
