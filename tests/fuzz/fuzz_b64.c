/* b64_decode (b64.h): base64 of signatures, certificates and payloads.
 * Properties: the output stays within `max`; a standard-alphabet string the
 * strict decoder accepts is exactly what b64_encode_std writes for those
 * bytes (one spelling per byte string, so what was signed is what we read). */
#include "b64.h"
#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t opt = fz_take_byte(&data, &size);
	b64_variant_t v = (b64_variant_t)(opt % 3);
	size_t max = (opt & 0x80) ? 16 : 1u << 20;
	unsigned char *out = NULL;
	size_t n = 0;
	ea_error_t err = {0};
	int rc = b64_decode((const char *)data, size, v, max, &out, &n, &err);
	if (rc == 0) {
		if (n > max || out[n] != '\0') abort();
		if (v == B64_STD && !memchr(data, '\n', size) && !memchr(data, '\r', size)) {
			char *e = b64_encode_std(out, n);
			if (strlen(e) != size || memcmp(e, data, size) != 0) abort();
			free(e);
		}
	} else if (out) {
		abort(); /* a failure hands nothing out */
	}
	free(out);
	return 0;
}
