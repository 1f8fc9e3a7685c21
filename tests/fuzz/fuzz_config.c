/* The configuration file (config.h): /etc/edgeaudit/config.json, parsed
 * with line:column diagnostics, then applied over command-line options.
 * Properties: the diagnostics are one string; an error count of 0 means a
 * usable configuration that config_apply takes. */
#include "common.h"
#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t opt = fz_take_byte(&data, &size);
	if (size > CONFIG_MAX_BYTES) return 0;
	char *text = malloc(size + 1); /* config_load reads it NUL-terminated */
	memcpy(text, data, size);
	text[size] = '\0';
	struct ea_config c;
	memset(&c, 0, sizeof c);
	char *diag = NULL;
	int n = config_parse("config.json", text, size, (opt & 1) ? CONFIG_CHECK_FILES : 0, &c, &diag);
	if (n < 0) abort();
	if (n == 0) {
		struct ea_opts o;
		memset(&o, 0, sizeof o);
		config_apply(&c, &o, ~0u);
	}
	int line, col;
	config_linecol(text, size, size / 2, &line, &col);
	if (line < 1 || col < 1) abort();
	free(diag);
	config_free(&c);
	free(text);
	return 0;
}
