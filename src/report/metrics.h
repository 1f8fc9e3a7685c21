/*
 * metrics: the run as Prometheus metrics, in the text exposition format
 * (version 0.0.4) that node_exporter's textfile collector reads
 * (--metrics FILE.prom; cli.c writes it with fsx_write_atomic).
 *
 * Contract:
 *  - Rendered once, after the work, from the report and its typed model
 *    (the verdict after model_settle, report_count per severity, the
 *    listed findings' ids, the images); no JSON is read back.
 *  - Every family has "# HELP" and "# TYPE" lines; all are gauges (each
 *    file is one run), named edgeaudit_*.  No sample has a timestamp
 *    (node_exporter refuses them).
 *  - Deterministic order: families in a fixed order, severities from
 *    critical down, finding ids sorted, image series by store then image.
 *    Two runs over the same box differ only in the duration and timestamp.
 *  - Label values are escaped as the format says (backslash, double quote,
 *    newline) and are valid UTF-8: a byte that is not becomes '?', and so
 *    does any other control byte (stores are hostile; a value stays one
 *    line).
 *  - Image series: one per store and image label (the first name, else the
 *    manifest digest, else the image ID).  Images sharing one (the platforms
 *    of a multi-platform index, a name bound twice) are one series with the
 *    worst of their verdicts: node_exporter refuses a whole file that holds
 *    a series twice.  At most METRICS_MAX_IMAGE_SERIES; over it, failing and
 *    incomplete images are kept first, and the rest are counted in
 *    edgeaudit_image_series_dropped and said in a comment line.
 *  - Bounded: at most METRICS_MAX_BYTES, else an error (EA_E_TOOBIG).
 */
#ifndef EDGEAUDIT_METRICS_H
#define EDGEAUDIT_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "report.h"
#include "util.h"

#define METRICS_MAX_IMAGE_SERIES 500
#define METRICS_MAX_BYTES        (8u << 20)

/* What the report does not hold: how the run ends. */
struct metrics_run {
	severity_t fail_on;
	int exit_code;        /* the process's (2 when the report could not be written) */
	int64_t duration_ms;  /* as in the report's duration_ms */
	double finished_unix; /* wall clock when the report was made (seconds) */
};

/* The metrics of the run into *out (caller frees; NUL-terminated, *len
 * bytes, ending in a newline). */
int metrics_render(report_t *r, const struct metrics_run *run, char **out, size_t *len,
                   ea_error_t *err);

/* A label value as the format writes it between its double quotes (see
 * the contract); caller frees. */
char *metrics_escape_label(const char *s);

/* 1 when path names a file node_exporter's textfile collector reads: a
 * name ending in ".prom", with something before it; else 0. */
int metrics_path_ok(const char *path);

#endif
