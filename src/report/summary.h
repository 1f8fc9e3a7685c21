/*
 * summary: the console summary (report_render_text's body) for a field
 * technician at an 80-column serial console: which image, what is wrong,
 * what now.
 *
 * Contract:
 *  - Output is ASCII, lines of at most TEXT_COLS columns, wrapped at spaces
 *    (a word longer than a line breaks after a '/', else at the width):
 *    never cut with "...".  Control and non-ASCII bytes become '?'.
 *  - summary_groups groups the listed findings by what the technician
 *    manages: an image (found by the digests, chain IDs, layer IDs and
 *    layer folders of the typed model), a container (its runtime:id), a
 *    store (its path), else the host.  Worst group first, one verdict line
 *    each ("FAIL image localhost/app:1 (oci:/data/images)"), then one line
 *    per finding in short words with its id ("CRIT layer 2 of 3 altered
 *    (digest differs) [blob.digest_mismatch]"), then what to do
 *    ("-> re-pull the image ...").  At most `rows` lines: what does not fit
 *    is counted in a last line ("and 14 more findings: see the JSON
 *    report"); passing images are one line.
 *  - Reads the report under its lock (the caller's) and the model.
 */
#ifndef EDGEAUDIT_SUMMARY_H
#define EDGEAUDIT_SUMMARY_H

#include <cJSON.h>

#include "report.h"
#include "util.h"

#define TEXT_COLS 80

/* text as wrapped lines into b (b NULL: only counted), continuation lines
 * indented by `indent` spaces.  Returns the number of lines. */
unsigned text_wrap(ea_buf_t *b, unsigned indent, const char *text);
/* The same from a format. */
unsigned text_line(ea_buf_t *b, unsigned indent, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Is finding f listed on the console? (at or above fail_on or high, or an
 * incomplete kind; not the parts shown as "not checked") */
int summary_listed(const cJSON *f, severity_t fail_on);

/* The grouped findings of r into b, at most `rows` lines. */
void summary_groups(ea_buf_t *b, report_t *r, const cJSON *findings, severity_t fail_on,
                    unsigned rows);

#endif
