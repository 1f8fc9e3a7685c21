/* digest_parse (digest.h): descriptor digests straight from hostile JSON.
 * Property: what parses round-trips to the very same string, and what does
 * not parse is never half-filled into "ok". */
#include "common.h"
#include "digest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096) return 0;
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	digest_t d;
	ea_error_t err = {0};
	if (digest_parse(s, &d, &err) == 0) {
		/* accepted: exactly the canonical form, nothing before or after */
		if (strcmp(d.str, s) != 0 || strlen(digest_hex(&d)) != 2 * digest_len(d.alg)) abort();
		digest_t again;
		if (digest_parse(d.str, &again, NULL) != 0 || !digest_equal(&d, &again)) abort();
	} else if (err.code != EA_E_FORMAT && err.code != EA_E_UNSUPPORTED) {
		abort();
	}
	free(s);
	return 0;
}
