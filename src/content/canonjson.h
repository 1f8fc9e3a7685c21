/*
 * canonjson: RFC 8785 JSON Canonicalization Scheme (JCS) of a cJSON tree.
 *
 * Why: a Rekor signed entry timestamp (SET) is an ECDSA signature over the
 * canonical JSON of {body, integratedTime, logID, logIndex}; we rebuild that
 * document and must produce the very bytes the log signed.
 *
 * Contract:
 *  - Object members sorted by their names' UTF-16 code units; no whitespace;
 *    strings with only the escapes RFC 8785 sec. 3.2.2.2 allows (\" \\ \b \f
 *    \n \r \t, other controls as \u00xx), everything else as raw UTF-8;
 *    numbers in ECMAScript Number.prototype.toString form (-0 as 0).
 *  - Invalid UTF-8, NaN/Infinity, duplicate member names and nesting deeper
 *    than CANONJSON_MAX_DEPTH are EA_E_FORMAT; output past `out->max` is
 *    EA_E_TOOBIG (the buffer's cap).
 */
#ifndef EDGEAUDIT_CANONJSON_H
#define EDGEAUDIT_CANONJSON_H

#include <cJSON.h>

#include "util.h"

#define CANONJSON_MAX_DEPTH 64

/* Append the canonical form of v to out. */
int canonjson_write(const cJSON *v, ea_buf_t *out, ea_error_t *err);

/* ECMAScript number formatting of d into buf (at least 32 bytes). */
int canonjson_number(double d, char *buf, size_t n, ea_error_t *err);

#endif
