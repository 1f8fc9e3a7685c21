/*
 * progress: a liveness line for the serial console during long work.
 *
 * Contract: after progress_start(), a helper thread prints at most one
 * plain line per second on stderr, "edgeaudit: 12 s: store 2/5 oci:/data",
 * ASCII, at most 80 columns, newline-terminated, never an escape code or a
 * carriage return (a serial console or a log file shows it as it is).  The
 * first line comes after one second, so a quick run prints none.
 * progress_stop() ends it before the report is written; it never waits
 * more than a moment on a stderr that does not drain.  Nothing here changes
 * what is audited.
 */
#ifndef EDGEAUDIT_PROGRESS_H
#define EDGEAUDIT_PROGRESS_H

#include <stdint.h>

#include "report.h"

/* t0_ms: the run's monotonic start (for the elapsed seconds). */
void progress_start(int64_t t0_ms);
/* What is being done now (copied; printf style). */
void progress_part(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Show the report's finding count in the line (NULL to detach). */
void progress_attach(report_t *r);
void progress_stop(void);

/* Format one progress line (no newline) into out; exposed for the tests. */
void progress_format(char *out, size_t n, int64_t elapsed_ms, const char *part, long findings);

#endif
