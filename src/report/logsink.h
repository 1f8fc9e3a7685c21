/*
 * logsink: the boot log's view of an audit (--log kmsg|syslog|journald).
 *
 * Contract: logsink_report writes one summary line (verdict, exit code,
 * counts, where the report went) and one line per high or critical finding
 * (naming its subject) to the kernel log (/dev/kmsg), to syslog (/dev/log,
 * a datagram socket) or to the systemd journal (journal.h: one native
 * entry per line, the line as MESSAGE, with PRIORITY, SYSLOG_IDENTIFIER and
 * the EDGEAUDIT_* fields: VERDICT and EXIT_CODE on every entry, REPORT on
 * the summary's, FINDING_ID, SEVERITY and SUBJECT (its exact bytes, at most
 * LOGSINK_SUBJECT_MAX) on a finding's).  At most LOGSINK_MAX_LINES lines in
 * all, within the kernel's default rate limit for /dev/kmsg (10 lines per
 * 5 s); the rest are counted in a last line.  Every open and send is
 * non-blocking: a missing or full log loses lines (reported as an error
 * value), it never holds the audit up.  Lines are ASCII, at most
 * LOGSINK_LINE_MAX bytes.
 */
#ifndef EDGEAUDIT_LOGSINK_H
#define EDGEAUDIT_LOGSINK_H

#include "report.h"
#include "util.h"

#define LOGSINK_MAX_LINES   10
#define LOGSINK_LINE_MAX    240
#define LOGSINK_SUBJECT_MAX 4096

/* The sinks (--log, ea_opts.log). */
enum { EA_LOG_NONE = 0, EA_LOG_KMSG = 1, EA_LOG_SYSLOG = 2, EA_LOG_JOURNALD = 3 };

/* The sinks' names ("none", "kmsg", "syslog", "journald"), indexed by
 * EA_LOG_*, NULL-terminated (the config key "log"'s choices). */
extern const char *const logsink_names[];

/* The EA_LOG_* named name, or -1. */
int logsink_parse(const char *name);

/* sink: an EA_LOG_* above.  report_path may be NULL (stdout). */
int logsink_report(int sink, report_t *r, severity_t fail_on, const char *report_path,
                   ea_error_t *err);

/* One line: its text (no priority prefix), its syslog level, and the
 * finding it names (NULL for the summary and for the count of the rest). */
struct logsink_line {
	char text[LOGSINK_LINE_MAX];
	int level;
	const cJSON *finding;
};

/* The lines logsink_report would write, the summary first; exposed for
 * the tests.  Returns the count (at most max). */
int logsink_lines(report_t *r, severity_t fail_on, const char *report_path,
                  struct logsink_line lines[], int max);

#endif
