/* canonjson: see canonjson.h. */
#include "canonjson.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decode one UTF-8 sequence at s (n bytes left); returns its length and the
 * code point in *cp, or 0 when malformed (overlong, surrogate, > U+10FFFF). */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (n == 0) return 0;
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t len;
	uint32_t v, min;
	if ((c & 0xe0) == 0xc0) {
		len = 2;
		v = c & 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3;
		v = c & 0x0f;
		min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4;
		v = c & 0x07;
		min = 0x10000;
	} else return 0;
	if (n < len) return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
	*cp = v;
	return len;
}

/* Compare two UTF-8 strings by UTF-16 code units (RFC 8785 sec. 3.2.3).
 * Both were validated by the caller. */
static int utf16_cmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
	size_t np = strlen(a), nq = strlen(b);
	uint16_t pu[2], qu[2];
	int pn = 0, pi = 0, qn = 0, qi = 0;
	for (;;) {
		if (pi == pn) {
			uint32_t cp;
			size_t l = np ? utf8_next(p, np, &cp) : 0;
			if (!l) pn = 0;
			else {
				p += l;
				np -= l;
				if (cp >= 0x10000) {
					cp -= 0x10000;
					pu[0] = (uint16_t)(0xd800 + (cp >> 10));
					pu[1] = (uint16_t)(0xdc00 + (cp & 0x3ff));
					pn = 2;
				} else {
					pu[0] = (uint16_t)cp;
					pn = 1;
				}
			}
			pi = 0;
		}
		if (qi == qn) {
			uint32_t cp;
			size_t l = nq ? utf8_next(q, nq, &cp) : 0;
			if (!l) qn = 0;
			else {
				q += l;
				nq -= l;
				if (cp >= 0x10000) {
					cp -= 0x10000;
					qu[0] = (uint16_t)(0xd800 + (cp >> 10));
					qu[1] = (uint16_t)(0xdc00 + (cp & 0x3ff));
					qn = 2;
				} else {
					qu[0] = (uint16_t)cp;
					qn = 1;
				}
			}
			qi = 0;
		}
		if (pn == 0 || qn == 0) return (pn != 0) - (qn != 0);
		if (pu[pi] != qu[qi]) return pu[pi] < qu[qi] ? -1 : 1;
		pi++;
		qi++;
	}
}

static int put(ea_buf_t *out, const char *s, size_t n, ea_error_t *err)
{
	return ea_buf_append(out, s, n, err);
}

static int write_string(const char *s, ea_buf_t *out, ea_error_t *err)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	if (put(out, "\"", 1, err) < 0) return -1;
	while (n) {
		uint32_t cp;
		size_t l = utf8_next(p, n, &cp);
		if (!l) return ea_fail(err, EA_E_FORMAT, "string is not valid UTF-8");
		char esc[8];
		const char *w = (const char *)p;
		size_t wn = l;
		switch (cp) {
		case '"':
			w = "\\\"";
			wn = 2;
			break;
		case '\\':
			w = "\\\\";
			wn = 2;
			break;
		case '\b':
			w = "\\b";
			wn = 2;
			break;
		case '\f':
			w = "\\f";
			wn = 2;
			break;
		case '\n':
			w = "\\n";
			wn = 2;
			break;
		case '\r':
			w = "\\r";
			wn = 2;
			break;
		case '\t':
			w = "\\t";
			wn = 2;
			break;
		default:
			if (cp < 0x20) {
				snprintf(esc, sizeof esc, "\\u%04x", (unsigned)cp);
				w = esc;
				wn = 6;
			}
		}
		if (put(out, w, wn, err) < 0) return -1;
		p += l;
		n -= l;
	}
	return put(out, "\"", 1, err);
}

int canonjson_number(double d, char *buf, size_t n, ea_error_t *err)
{
	if (n < 32) return ea_fail(err, EA_E_USAGE, "number buffer too small");
	if (!isfinite(d)) return ea_fail(err, EA_E_FORMAT, "NaN or Infinity has no JSON form");
	if (d == 0) { /* also -0 */
		snprintf(buf, n, "0");
		return 0;
	}
	/* Shortest digits that round-trip (ECMAScript picks the shortest). */
	char tmp[40];
	int prec;
	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
		if (strtod(tmp, NULL) == d) break;
	}
	/* tmp = [-]D[.DDD]e[+-]XX */
	char digits[24];
	int k = 0, neg = 0;
	const char *q = tmp;
	if (*q == '-') {
		neg = 1;
		q++;
	}
	for (; *q && *q != 'e'; q++)
		if (*q >= '0' && *q <= '9') digits[k++] = *q;
	digits[k] = '\0';
	int e = atoi(q + 1);
	/* Trim trailing zeros of the digit string (shortest form). */
	while (k > 1 && digits[k - 1] == '0') digits[--k] = '\0';
	int nn = e + 1; /* position of the decimal point, ECMAScript's n */
	char *o = buf;
	size_t left = n;
#define EMIT(...)                                                            \
	do {                                                                 \
		int _w = snprintf(o, left, __VA_ARGS__);                     \
		if (_w < 0 || (size_t)_w >= left)                            \
			return ea_fail(err, EA_E_TOOBIG, "number too long"); \
		o += _w;                                                     \
		left -= (size_t)_w;                                          \
	} while (0)
	if (neg) EMIT("-");
	if (k <= nn && nn <= 21) {
		EMIT("%s", digits);
		for (int i = 0; i < nn - k; i++) EMIT("0");
	} else if (0 < nn && nn <= 21) {
		EMIT("%.*s.%s", nn, digits, digits + nn);
	} else if (-6 < nn && nn <= 0) {
		EMIT("0.");
		for (int i = 0; i < -nn; i++) EMIT("0");
		EMIT("%s", digits);
	} else {
		if (k == 1) EMIT("%c", digits[0]);
		else EMIT("%c.%s", digits[0], digits + 1);
		EMIT("e%c%d", nn - 1 >= 0 ? '+' : '-', abs(nn - 1));
	}
#undef EMIT
	return 0;
}

static int cmp_members(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	return utf16_cmp(x->string, y->string);
}

static int write_value(const cJSON *v, ea_buf_t *out, int depth, ea_error_t *err)
{
	if (depth > CANONJSON_MAX_DEPTH)
		return ea_fail(err, EA_E_FORMAT, "JSON nested deeper than %d", CANONJSON_MAX_DEPTH);
	if (cJSON_IsNull(v)) return put(out, "null", 4, err);
	if (cJSON_IsTrue(v)) return put(out, "true", 4, err);
	if (cJSON_IsFalse(v)) return put(out, "false", 5, err);
	if (cJSON_IsString(v)) return write_string(v->valuestring, out, err);
	if (cJSON_IsNumber(v)) {
		char nb[40];
		if (canonjson_number(v->valuedouble, nb, sizeof nb, err) < 0) return -1;
		return put(out, nb, strlen(nb), err);
	}
	if (cJSON_IsArray(v)) {
		if (put(out, "[", 1, err) < 0) return -1;
		int first = 1;
		for (const cJSON *c = v->child; c; c = c->next) {
			if (!first && put(out, ",", 1, err) < 0) return -1;
			first = 0;
			if (write_value(c, out, depth + 1, err) < 0) return -1;
		}
		return put(out, "]", 1, err);
	}
	if (cJSON_IsObject(v)) {
		size_t cnt = 0;
		for (const cJSON *c = v->child; c; c = c->next) {
			uint32_t cp;
			const unsigned char *s = (const unsigned char *)c->string;
			if (!s) return ea_fail(err, EA_E_FORMAT, "object member without a name");
			for (size_t n = strlen(c->string), l; n; s += l, n -= l)
				if (!(l = utf8_next(s, n, &cp)))
					return ea_fail(err, EA_E_FORMAT,
					               "member name is not valid UTF-8");
			cnt++;
		}
		const cJSON **m = xcalloc(cnt ? cnt : 1, sizeof *m);
		size_t i = 0;
		for (const cJSON *c = v->child; c; c = c->next) m[i++] = c;
		qsort(m, cnt, sizeof *m, cmp_members);
		int rc = put(out, "{", 1, err);
		for (i = 0; rc == 0 && i < cnt; i++) {
			if (i && utf16_cmp(m[i - 1]->string, m[i]->string) == 0) {
				rc = ea_fail(err, EA_E_FORMAT, "duplicate member name \"%.64s\"",
				             m[i]->string);
				break;
			}
			if (i) rc = put(out, ",", 1, err);
			if (rc == 0) rc = write_string(m[i]->string, out, err);
			if (rc == 0) rc = put(out, ":", 1, err);
			if (rc == 0) rc = write_value(m[i], out, depth + 1, err);
		}
		free(m);
		if (rc < 0) return -1;
		return put(out, "}", 1, err);
	}
	return ea_fail(err, EA_E_FORMAT, "unsupported JSON value");
}

int canonjson_write(const cJSON *v, ea_buf_t *out, ea_error_t *err)
{
	return write_value(v, out, 0, err);
}
