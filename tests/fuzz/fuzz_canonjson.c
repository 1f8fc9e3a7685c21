/* sjson_parse + canonjson_write (sig_int.h, canonjson.h): the strict JSON
 * reader of signed documents and RFC 8785 canonicalisation (Rekor SETs).
 * Property: canonical output is a fixed point -- parsing it strictly and
 * canonicalising again gives the same bytes. */
#include "b64.h"
#include "canonjson.h"
#include "common.h"
#include "sig_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20)) return 0;
	ea_error_t err = {0};
	cJSON *j = sjson_parse((const char *)data, size, &err);
	if (!j) return 0;
	ea_buf_t a, b;
	ea_buf_init(&a, 1u << 22);
	ea_buf_init(&b, 1u << 22);
	if (canonjson_write(j, &a, &err) == 0) {
		cJSON *k = sjson_parse(a.data ? a.data : "", a.len, &err);
		if (!k) abort(); /* our own output must parse */
		if (canonjson_write(k, &b, &err) != 0) abort();
		if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0) abort();
		cJSON_Delete(k);
	}
	/* the helpers the verifiers use on such documents */
	int64_t v;
	(void)sjson_i64(j, "integratedTime", &v);
	(void)sjson_str(j, "kind");
	unsigned char *bytes = NULL;
	size_t blen = 0;
	if (sjson_b64(j, "payload", B64_PROTO, 1 << 16, &bytes, &blen, &err) == 0) free(bytes);
	/* numbers on their own (ECMAScript formatting) */
	if (size >= sizeof(double)) {
		double d;
		memcpy(&d, data, sizeof d);
		char buf[64];
		(void)canonjson_number(d, buf, sizeof buf, &err);
	}
	ea_buf_free(&a);
	ea_buf_free(&b);
	cJSON_Delete(j);
	return 0;
}
