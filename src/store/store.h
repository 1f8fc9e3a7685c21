/*
 * store: which image stores to audit, and the dispatch to each reader.
 *
 * Contract: a store spec is "TYPE:PATH" (TYPE one of store_type_name()) or a
 * bare PATH, detected by what is inside (never by its name alone).  With no
 * spec, discovery looks at the usual roots of the engines.  Each reader adds
 * its store, images and findings to the report; a store it cannot read is a
 * finding, never silence.
 */
#ifndef EDGEAUDIT_STORE_H
#define EDGEAUDIT_STORE_H

#include <cJSON.h>

#include "report.h"
#include "util.h"

typedef enum {
	STORE_AUTO = 0,
	STORE_OCI,
	STORE_OCI_ARCHIVE,
	STORE_DOCKER_ARCHIVE,
	STORE_DOCKER,
	STORE_CONTAINERD,
	STORE_CONTAINERS_STORAGE,
	STORE_DIR, /* skopeo's dir: transport (one image, a copy) */
	STORE_TYPE_COUNT
} store_type_t;

struct store_spec {
	store_type_t type;
	const char *path;
	int discovered; /* found by discovery rather than named by the user */
};

const char *store_type_name(store_type_t t);
/* Parse "TYPE:PATH" or "PATH" (a path may itself hold ':' when its prefix is
 * not a known type). */
int store_spec_parse(const char *arg, struct store_spec *out, ea_error_t *err);
/* Look inside path and say what store it is (STORE_AUTO if none). */
store_type_t store_detect(const char *path);

/* Find stores at the usual roots (root_prefix prepended, "" for the host).
 * Returns the number found (at most max). Paths are allocated. */
int store_discover(const char *root_prefix, struct store_spec *out, int max);

struct audit_limits {
	int jobs;                           /* blobs verified in parallel */
	unsigned long long max_layer_bytes; /* decompressed layer limit (0: default) */
	unsigned max_ratio;                 /* decompression ratio limit (0: default) */
	const struct sig_policy *pol;       /* signatures to check (NULL: none) */
	const char *only_image;             /* `verify`: only the image with this name */
	const char *const *drift_allow;     /* container drift allow list (drift.h), or NULL */
};

/* Audit one store into the report. */
void store_audit(report_t *r, const struct store_spec *spec, const struct audit_limits *lim);

#endif
