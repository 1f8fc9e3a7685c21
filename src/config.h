/*
 * config: the box's configuration file (/etc/edgeaudit/config.json, or
 * --config FILE), so that a boot script or a technician runs a bare
 * `edgeaudit audit` and gets the box's stores, trust roots and output.
 *
 * Format: one JSON object.  Every key is the long option of the same name
 * with '-' written '_' and takes the option's value ("format": "text",
 * "budget_ms": 20000); a repeatable option takes a list ("store": [...]);
 * a flag takes true or false ("no_proc": true, "progress": false).
 * "$schema" and "comment" are allowed and ignored; any other key is an
 * error (a typo must not silently change an audit).  The JSON Schema is
 * board/config.schema.json.
 *
 * Contract:
 *  - config_parse collects every problem, one line each,
 *    "FILE:LINE:COLUMN: message" (1-based; a JSON syntax error at the
 *    position cJSON stopped, a bad value at its key), into *diag, and
 *    returns the number of errors (0: valid).  With CONFIG_CHECK_FILES it
 *    also warns ("FILE:L:C: warning: ...") about named files that are not
 *    there; warnings never make a config invalid.
 *  - config_apply fills only the settings the command line did not give
 *    (o->set) and the command accepts: options, then config, then
 *    defaults.
 *  - Reading never blocks (non-blocking open; a FIFO is refused) and is
 *    bounded (CONFIG_MAX_BYTES).
 */
#ifndef EDGEAUDIT_CONFIG_H
#define EDGEAUDIT_CONFIG_H

#include <cJSON.h>

#include "cli.h"

#define CONFIG_MAX_BYTES (64u << 10)

enum { CONFIG_CHECK_FILES = 1 };

struct ea_config {
	char *path;
	cJSON *doc;       /* owns the strings v points to */
	unsigned has;     /* SET_* bits the file gives */
	struct ea_opts v; /* their values */
};

/* Parse text (name: for messages).  Returns the error count; *diag (caller
 * frees, may be "") lists errors and warnings.  On 0, *c is filled. */
int config_parse(const char *name, const char *text, size_t len, unsigned flags,
                 struct ea_config *c, char **diag);

/* Read and parse a file.  Returns 0 (loaded), 1 (must_exist is 0 and the
 * file does not exist: no config), or -1 (unreadable or invalid: *diag
 * holds the lines, err the first). */
int config_load(const char *path, int must_exist, unsigned flags, struct ea_config *c, char **diag,
                ea_error_t *err);

void config_apply(const struct ea_config *c, struct ea_opts *o, unsigned accepted_options);
void config_free(struct ea_config *c);

/* 1-based line and column of byte offset off in text. */
void config_linecol(const char *text, size_t len, size_t off, int *line, int *col);

#endif
