/* rfc3339_parse_ms (x509util.h): signing times and validity windows from
 * trusted roots, notation payloads and policies.  Property: an accepted time
 * (1970..9999) formats back to a string that parses to the same second. */
#include "common.h"
#include "x509util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 256) return 0;
	char s[257];
	memcpy(s, data, size);
	s[size] = '\0';
	int64_t ms;
	ea_error_t err = {0};
	if (rfc3339_parse_ms(s, &ms, &err) == 0) {
		char buf[64];
		rfc3339_format(ms, buf, sizeof buf);
		int64_t again;
		/* years 1970..9999 format as four digits: those must round-trip */
		if (ms >= 0 && ms < 253402300800000LL && (rfc3339_parse_ms(buf, &again, &err) != 0 || again != ms / 1000 * 1000))
			abort();
	}
	return 0;
}
