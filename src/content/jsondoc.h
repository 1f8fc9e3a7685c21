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

#define JSONDOC_MAX_VALUES 32768 /* about 2.6 MiB parsed; an index of 4096 tags */

cJSON *jsondoc_parse(const char *buf, size_t len);
/* The same with another bound on values (store-wide record files). */
cJSON *jsondoc_parse_n(const char *buf, size_t len, size_t max_values);

#endif
