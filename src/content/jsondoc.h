/*
 * jsondoc: parse one JSON document of a store (index, manifest, config,
 * manifest.json) so that it has exactly one meaning.
 *
 * Why: the engines that run the images (and runc, an OCI bundle's
 * config.json) read these documents with Go's
 * encoding/json, which keeps the LAST of duplicate member names, matches
 * struct fields case-insensitively (and folds U+212A KELVIN SIGN to 'k' and
 * U+017F LONG S to 's'), and refuses data after the value.  cJSON keeps the
 * FIRST duplicate, matches exactly and ignores what follows.  A manifest
 * with two "layers" members (or "layers" and "Layers") would be verified by
 * edgeaudit with one list and run by the engine with the other.  Such a
 * document is refused -- the caller's json.malformed -- never verified.
 *
 * Contract: NULL unless buf[0..len) is exactly one JSON value (whitespace
 * around it allowed), holds no NUL byte, nests no deeper than cJSON allows,
 * holds at most JSONDOC_MAX_VALUES values (a JSON bomb within the byte
 * limit would still cost 80 bytes per value), and no object in it has two
 * members with the same name, or two members whose names fold (as Go folds
 * struct field names) to one of the field names edgeaudit reads
 * (mediaType, digest, layers, ...).  Map-like objects
 * (annotations, labels) may still hold names that differ only in case: Go
 * keeps map keys exact.
 */
#ifndef EDGEAUDIT_JSONDOC_H
#define EDGEAUDIT_JSONDOC_H

#include <cJSON.h>
#include <stddef.h>

#include "util.h"

#define JSONDOC_MAX_VALUES 32768 /* about 2.6 MiB parsed; an index of 4096 tags */

cJSON *jsondoc_parse(const char *buf, size_t len);
/* The same with another bound on values (store-wide record files). */
cJSON *jsondoc_parse_n(const char *buf, size_t len, size_t max_values);

/* The one duplicate-name check of edgeaudit's strict JSON readers
 * (jsondoc_parse_n above; sig_json.c's sjson_parse, signed documents):
 * 0 when no object at or below v has two members with the same name;
 * else -1 with EA_E_FORMAT in err (may be NULL) naming the first such
 * name in byte order.  With JSONDOC_FOLD (store documents, as Go reads
 * them) also -1 for two members whose names fold to one of the fields
 * edgeaudit reads (not inside annotations or labels: Go maps); without it
 * (signed documents) names are exact.  max_depth > 0: also -1 for values
 * nested deeper than that (the document's value is depth 0); 0: no limit
 * but cJSON's own.  Objects are checked before what they hold, members in
 * document order. */
#define JSONDOC_FOLD 1
int jsondoc_check(const cJSON *v, int flags, int max_depth, ea_error_t *err);

#endif
