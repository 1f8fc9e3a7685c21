/* jsondoc: see jsondoc.h. */
#include "jsondoc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Struct fields edgeaudit reads from store documents, folded. */
static const char *const read_fields[] = {
        "mediatype",
        "digest",
        "size",
        "manifests",
        "layers",
        "config",
        "rootfs",
        "diff_ids",
        "platform",
        "os",
        "architecture",
        "variant",
        "subject",
        "artifacttype",
        "schemaversion",
        "repotags",
        "annotations",
        "repositories",
        "type",
        "name",
        "name_raw",
        "payload",
        "names",
        "id",
        "layer",
        "parent",
        /* an OCI bundle's config.json and seccomp profiles, as runc reads them */
        "linux",
        "seccomp",
        "root",
        "path",
        "image",
        "defaultaction",
        "defaulterrnoret",
        "architectures",
        "subarchitectures",
        "archmap",
        "arches",
        "syscalls",
        "action",
        "errnoret",
        "args",
        "index",
        "value",
        "valuetwo",
        "op",
        "includes",
        "excludes",
        "caps",
        "minkernel",
        NULL,
};

/* Go's fold of a struct field name: ASCII case, KELVIN SIGN, LONG S. */
static void fold(const char *s, char *out, size_t n)
{
	size_t o = 0;
	const unsigned char *p = (const unsigned char *)s;
	while (*p && o + 1 < n) {
		if (p[0] == 0xe2 && p[1] == 0x84 && p[2] == 0xaa) { /* U+212A */
			out[o++] = 'k';
			p += 3;
		} else if (p[0] == 0xc5 && p[1] == 0xbf) { /* U+017F */
			out[o++] = 's';
			p += 2;
		} else {
			out[o++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
			p++;
		}
	}
	out[o] = '\0';
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* jsondoc_check's walk: foldcheck says v may be a Go struct (not the value
 * of a map-typed member); depth is v's, the document's value being 0. */
static int one_meaning(const cJSON *v, int flags, int foldcheck, int depth, int max_depth,
                       ea_error_t *err)
{
	if (max_depth > 0 && depth > max_depth)
		return ea_fail(err, EA_E_FORMAT, "JSON nested deeper than %d", max_depth);
	if (cJSON_IsObject(v)) {
		size_t n = 0;
		for (const cJSON *a = v->child; a; a = a->next) n++;
		if (n > 1) {
			/* exact duplicates: sorted names, so n log n for big objects */
			const char **names = xcalloc(n, sizeof *names);
			size_t i = 0;
			for (const cJSON *a = v->child; a; a = a->next)
				names[i++] = a->string ? a->string : "";
			qsort(names, n, sizeof *names, cmp_name);
			for (i = 1; i < n; i++)
				if (!strcmp(names[i - 1], names[i])) {
					ea_fail(err, EA_E_FORMAT, "duplicate JSON member \"%.64s\"",
					        names[i]);
					free(names);
					return -1;
				}
			free(names);
			/* names that fold to a field we read: at most one each */
			uint64_t seen = 0; /* one bit per read_fields entry (at most 64) */
			for (const cJSON *a = v->child; a && foldcheck; a = a->next) {
				char f[32];
				if (!a->string || strlen(a->string) >= sizeof f) continue;
				fold(a->string, f, sizeof f);
				for (int k = 0; k < 64 && read_fields[k]; k++)
					if (!strcmp(read_fields[k], f)) {
						if (seen & (1ULL << k))
							return ea_fail(
							        err, EA_E_FORMAT,
							        "two JSON members read as \"%s\"",
							        read_fields[k]);
						seen |= 1ULL << k;
					}
			}
		}
		for (const cJSON *a = v->child; a; a = a->next) {
			/* annotations and labels are Go maps: their keys are exact */
			char f[16] = "";
			if ((flags & JSONDOC_FOLD) && a->string && strlen(a->string) < sizeof f)
				fold(a->string, f, sizeof f);
			int fc = (flags & JSONDOC_FOLD) && strcmp(f, "annotations") &&
			         strcmp(f, "labels");
			if (one_meaning(a, flags, fc, depth + 1, max_depth, err) < 0) return -1;
		}
	} else if (cJSON_IsArray(v)) {
		for (const cJSON *a = v->child; a; a = a->next)
			if (one_meaning(a, flags, foldcheck, depth + 1, max_depth, err) < 0)
				return -1;
	}
	return 0;
}

int jsondoc_check(const cJSON *v, int flags, int max_depth, ea_error_t *err)
{
	return one_meaning(v, flags, (flags & JSONDOC_FOLD) != 0, 0, max_depth, err);
}

/* An upper bound on the values a document holds: one, plus one per ',',
 * '[' and '{' outside strings.  A parsed value costs cJSON about 80 bytes,
 * so "[0,0,0,...]" within a 4 MiB limit would be 2 million of them. */
static size_t values_bound(const char *p, size_t n)
{
	size_t v = 1;
	int in_str = 0;
	for (size_t i = 0; i < n; i++) {
		char ch = p[i];
		if (in_str) {
			if (ch == '\\') i++;
			else if (ch == '"') in_str = 0;
		} else if (ch == '"') {
			in_str = 1;
		} else if (ch == ',' || ch == '[' || ch == '{') {
			v++;
		}
	}
	return v;
}

cJSON *jsondoc_parse(const char *buf, size_t len)
{
	return jsondoc_parse_n(buf, len, JSONDOC_MAX_VALUES);
}

cJSON *jsondoc_parse_n(const char *buf, size_t len, size_t max_values)
{
	if (!buf || memchr(buf, '\0', len)) return NULL;
	if (values_bound(buf, len) > max_values) return NULL;
	const char *end = NULL;
	cJSON *j = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
	if (!j) return NULL;
	/* nothing but whitespace after the value (Go refuses the rest) */
	for (const char *p = end; p && p < buf + len; p++)
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
			cJSON_Delete(j);
			return NULL;
		}
	/* recursion depth is bounded by cJSON's nesting limit (1000) */
	if (jsondoc_check(j, JSONDOC_FOLD, 0, NULL) < 0) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}
