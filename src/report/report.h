/*
 * report: the audit's one result, its verdict, and its two renderings.
 *
 * Contract:
 *  - Every problem becomes a finding {id, severity, subject, message, ...}.
 *    `id` must be one of the catalog in findings.c (stable, documented in the
 *    README); the severity comes from the catalog (report_finding_sev: a
 *    kind whose README row names another severity for some subjects).
 *    Kinds marked `incomplete` mean "something could not be checked".
 *  - Verdict: "fail" if a finding is at or above the fail-on severity, else
 *    "incomplete" if any incomplete kind was reported, else "pass".  Exit
 *    codes 1, 3, 0 respectively (2 is the command line's).
 *  - JSON rendering is one compact line following tests/report.schema.json;
 *    text rendering fits 80 columns, ASCII only.
 *  - Thread-safe: findings may be added from worker threads.
 *  - Bounded: past REPORT_MAX_FINDINGS the rest are counted, not stored.
 */
#ifndef EDGEAUDIT_REPORT_H
#define EDGEAUDIT_REPORT_H

#include <cJSON.h>
#include <stdint.h>

typedef enum { SEV_INFO = 0, SEV_LOW, SEV_MEDIUM, SEV_HIGH, SEV_CRITICAL, SEV_COUNT } severity_t;

const char *severity_name(severity_t s);
/* Parse "info".."critical"; -1 if unknown. */
int severity_parse(const char *s);

struct finding_kind {
	const char *id;
	severity_t severity;
	int incomplete; /* 1: the kind means a check could not be completed */
	const char *summary;
};
extern const struct finding_kind finding_kinds[];
extern const unsigned finding_kinds_count;
const struct finding_kind *finding_kind_lookup(const char *id);
/* The console's short phrase for a finding id (finding_text.c), NULL when
 * none.  *noun (may be NULL): non-NULL when the phrase says what happened
 * to a thing ("missing", "altered (digest differs)"): the thing to name
 * when the caller knows no better ("blob", "layer", "a file"). */
const char *finding_phrase(const char *id, const char **noun);
/* What to do about a finding of this id's class: one sentence. */
const char *finding_hint(const char *id);
/* The finding id for a file of a store that could not be opened or read
 * (fsx.h's errors): a link is store.symlink, a FIFO/socket/device/folder
 * store.special_file, a bad name store.bad_path, over a size limit
 * json.too_large, anything else store.unreadable; absent (EA_E_NOENT) is
 * `missing_id`, as only the caller knows what was missing.  The one
 * mapping every reader uses (no per-store wrappers); store_containerd.c's
 * open_error_id adds meta.db's own errors (bbolt.corrupt) on top of it. */
const char *finding_id_for_open_error(int code, const char *missing_id);

#define REPORT_MAX_FINDINGS 20000

typedef struct report report_t;

report_t *report_new(void);
void report_free(report_t *r);

/* Add a finding; returns its JSON object (to add fields) or NULL when the
 * finding limit was reached.  The returned object belongs to the report and
 * must only be modified by the calling thread right after this call. */
cJSON *report_finding(report_t *r, const char *id, const char *subject, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* The same with another severity than the catalog's default, for kinds
 * whose weight depends on what the subject is (host.file_modified is
 * critical for an executable or a library, high for other files). */
cJSON *report_finding_sev(report_t *r, const char *id, severity_t sev, const char *subject,
                          const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* A part of the audit that was not checked at all (not built yet, left out
 * by a budget, ...): recorded in "unchecked" and as an incomplete finding. */
void report_unchecked(report_t *r, const char *part, const char *why);
/* The same with the finding id to record (an incomplete kind): e.g.
 * "audit.interrupted" for a part the budget or a signal left unchecked. */
void report_unchecked_kind(report_t *r, const char *id, const char *part, const char *why);

/* The run was stopped early (reason "budget" or "signal"; detail e.g.
 * "SIGTERM"; after_ms since the start).  Rendered as "interrupted" in the
 * JSON (null when not) and as a line under the verdict; an interrupted
 * report's verdict is never "pass". */
void report_set_interrupted(report_t *r, const char *reason, const char *detail, int64_t after_ms);
int report_interrupted(report_t *r);

/* Images, layers, signatures, processes and containers are the typed
 * model's (model.h), rendered once by report_render_json.  The store list
 * and the kernel facts are plain records: added under report_lock(), never
 * read back. */
cJSON *report_stores(report_t *r);
/* Kernel facts (proc.c fills it; "kernel" in the JSON when not empty). */
cJSON *report_kernel(report_t *r);
cJSON *report_findings(report_t *r); /* read-only, after the work is done */
void report_lock(report_t *r);
void report_unlock(report_t *r);

/* Note a part that was checked ("stores", "images", "proc") for the summary. */
void report_checked(report_t *r, const char *part);

/* The run's verdict, after the model's last word (model_settle). */
const char *report_verdict(report_t *r, severity_t fail_on);
/* The same from the findings made so far (model.c's, before it settles). */
const char *report_verdict_so_far(report_t *r, severity_t fail_on);
int report_exit_code(report_t *r, severity_t fail_on);
unsigned report_count(report_t *r, severity_t s);

/* Render (caller frees). started_unix: wall clock start; duration_ms. */
char *report_render_json(report_t *r, severity_t fail_on, int64_t started_unix,
                         int64_t duration_ms);
char *report_render_text(report_t *r, severity_t fail_on, int color);

/* Host facts (hostname, kernel, arch, boot_id), read once from uname and
 * /proc/sys/kernel/random/boot_id. */
cJSON *report_host_json(void);

#endif
