/* sig_json: strict JSON reading and small helpers for the signature checks
 * (see sig_int.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "jsondoc.h"
#include "sig_int.h"

#define SJSON_MAX_DEPTH 64

cJSON *sjson_parse(const char *data, size_t len, ea_error_t *err)
{
	if (len > SIG_MAX_ENVELOPE) {
		ea_fail(err, EA_E_TOOBIG, "JSON of %zu bytes, over the %u-byte limit", len,
		        SIG_MAX_ENVELOPE);
		return NULL;
	}
	if (memchr(data, '\0', len)) {
		ea_fail(err, EA_E_FORMAT, "NUL byte inside JSON");
		return NULL;
	}
	const char *end = NULL;
	cJSON *j = cJSON_ParseWithLengthOpts(data, len, &end, 0);
	if (!j) {
		ea_fail(err, EA_E_FORMAT, "not valid JSON (near offset %td)",
		        end ? end - data : (ptrdiff_t)0);
		return NULL;
	}
	/* Only whitespace may follow the value. */
	for (const char *p = end; p < data + len; p++)
		if (*p != ' ' && *p != '\n' && *p != '\r' && *p != '\t') {
			cJSON_Delete(j);
			ea_fail(err, EA_E_FORMAT, "data after the JSON value");
			return NULL;
		}
	/* duplicate names anywhere (exact: signed documents are not read with
	 * Go's field folding), or nesting past the limit: a document whose
	 * meaning depends on which duplicate a parser keeps is refused */
	if (jsondoc_check(j, 0, SJSON_MAX_DEPTH, err) < 0) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

const char *sjson_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int sjson_i64(const cJSON *o, const char *key, int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;
		if (!isfinite(d) || d != floor(d) || fabs(d) >= 9007199254740992.0) return -1;
		*out = (int64_t)d;
		return 0;
	}
	if (cJSON_IsString(v)) {
		const char *s = v->valuestring;
		int neg = 0;
		if (*s == '-') {
			neg = 1;
			s++;
		}
		if (!*s || strlen(s) > 16) return -1;
		int64_t x = 0;
		for (; *s; s++) {
			if (*s < '0' || *s > '9') return -1;
			x = x * 10 + (*s - '0');
		}
		*out = neg ? -x : x;
		return 0;
	}
	return -1;
}

int sjson_b64(const cJSON *o, const char *key, int variant, size_t max, unsigned char **out,
              size_t *len, ea_error_t *err)
{
	const char *s = sjson_str(o, key);
	if (!s) return ea_fail(err, EA_E_FORMAT, "\"%s\" missing or not a string", key);
	if (b64_decode(s, strlen(s), (b64_variant_t)variant, max, out, len, err) < 0) return -1;
	return 0;
}

void sig_refuse(struct sig_result *r, const char *id, const char *fmt, ...)
{
	r->refusal = id;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof r->msg, fmt, ap);
	va_end(ap);
}

void image_repo(const char *name, char *out, size_t n)
{
	snprintf(out, n, "%s", name);
	char *at = strchr(out, '@');
	if (at) *at = '\0';
	char *slash = strrchr(out, '/');
	char *colon = strrchr(out, ':');
	if (colon && (!slash || colon > slash)) *colon = '\0';
}
