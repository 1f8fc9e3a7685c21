/* logsink: see logsink.h. */
#include "logsink.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "journal.h"

static void put_line(char *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put_line(char *out, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out, LOGSINK_LINE_MAX, fmt, ap);
	va_end(ap);
	if (n >= LOGSINK_LINE_MAX)
		memcpy(out + LOGSINK_LINE_MAX - 4, "...", 4); /* say it was cut */
	/* A subject comes from a store: no control bytes into the boot log. */
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) *p = '?';
}

const char *const logsink_names[] = {[EA_LOG_NONE] = "none",
                                     [EA_LOG_KMSG] = "kmsg",
                                     [EA_LOG_SYSLOG] = "syslog",
                                     [EA_LOG_JOURNALD] = "journald",
                                     [EA_LOG_JOURNALD + 1] = NULL};

int logsink_parse(const char *name)
{
	for (int i = 0; logsink_names[i]; i++)
		if (!strcmp(name, logsink_names[i])) return i;
	return -1;
}

static const char *finding_str(const cJSON *f, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItem(f, key));
}

/* The summary: "verdict FAIL (exit 1): 1 critical, ...". */
static void summary_line(struct logsink_line *l, report_t *r, severity_t fail_on,
                         const char *report_path)
{
	const char *verdict = report_verdict(r, fail_on);
	int code = report_exit_code(r, fail_on);
	char up[16];
	size_t i;
	for (i = 0; verdict[i] && i < sizeof up - 1; i++)
		up[i] = (char)toupper((unsigned char)verdict[i]);
	up[i] = '\0';
	put_line(l->text,
	         "verdict %s (exit %d): %u critical, %u high, %u medium, %u low, %u info%s%s%s", up,
	         code, report_count(r, SEV_CRITICAL), report_count(r, SEV_HIGH),
	         report_count(r, SEV_MEDIUM), report_count(r, SEV_LOW), report_count(r, SEV_INFO),
	         report_interrupted(r) ? "; interrupted" : "", report_path ? "; report " : "",
	         report_path ? report_path : "");
	l->level = code == 0 ? LOG_NOTICE : code == 1 ? LOG_ERR : LOG_WARNING;
	l->finding = NULL;
}

int logsink_lines(report_t *r, severity_t fail_on, const char *report_path,
                  struct logsink_line lines[], int max)
{
	if (max < 2) return 0;
	int n = 0;
	summary_line(&lines[n++], r, fail_on, report_path);
	unsigned more = 0;
	cJSON *f;
	for (int s = SEV_CRITICAL; s >= SEV_HIGH; s--) {
		cJSON_ArrayForEach (f, report_findings(r)) {
			const char *sev = finding_str(f, "severity");
			if (!sev || severity_parse(sev) != s) continue;
			if (n >= max - 1) { /* one line kept for the count of the rest */
				more++;
				continue;
			}
			put_line(lines[n].text, "%s %s %s: %s", s == SEV_CRITICAL ? "CRIT" : "HIGH",
			         finding_str(f, "id") ?: "?", finding_str(f, "subject") ?: "",
			         finding_str(f, "message") ?: "");
			lines[n].level = s == SEV_CRITICAL ? LOG_ERR : LOG_WARNING;
			lines[n++].finding = f;
		}
	}
	if (more) {
		put_line(lines[n].text, "%u more high or critical findings are in the report",
		         more);
		lines[n].level = LOG_WARNING;
		lines[n++].finding = NULL;
	}
	return n;
}

static int send_kmsg(const struct logsink_line lines[], int n, ea_error_t *err)
{
	/* O_NONBLOCK: a FIFO or a stuck device never holds the audit up. */
	cleanup_close int fd = open("/dev/kmsg", O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) return ea_fail_errno(err, errno, "--log kmsg: /dev/kmsg");
	int lost = 0, lost_errno = 0;
	for (int i = 0; i < n; i++) {
		char rec[LOGSINK_LINE_MAX + 32];
		/* One write is one kernel log record: "<facility|level>text". */
		int len = snprintf(rec, sizeof rec, "<%d>edgeaudit: %s\n",
		                   LOG_USER | lines[i].level, lines[i].text);
		ssize_t w;
		do w = write(fd, rec, (size_t)len);
		while (w < 0 && errno == EINTR);
		if (w != len) {
			lost++;
			lost_errno = w < 0 ? errno : EIO;
		}
	}
	if (lost)
		return ea_fail_errno(err, lost_errno, "--log kmsg: %d of %d lines not written",
		                     lost, n);
	return 0;
}

static int send_syslog(const struct logsink_line lines[], int n, ea_error_t *err)
{
	/* Our own client rather than syslog(3): musl's sends blocking, and a
	 * syslog daemon that is not reading must not stop a boot. */
	cleanup_close int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) return ea_fail_errno(err, errno, "--log syslog: socket");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", "/dev/log");
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		return ea_fail_errno(err, errno, "--log syslog: /dev/log");
	char ts[32] = "";
	time_t now = time(NULL);
	struct tm tm;
	if (localtime_r(&now, &tm)) strftime(ts, sizeof ts, "%b %e %H:%M:%S", &tm);
	int lost = 0, lost_errno = 0;
	for (int i = 0; i < n; i++) {
		char rec[LOGSINK_LINE_MAX + 64];
		int len = snprintf(rec, sizeof rec, "<%d>%s edgeaudit[%d]: %s",
		                   LOG_USER | lines[i].level, ts, (int)getpid(), lines[i].text);
		ssize_t w;
		do w = send(fd, rec, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL);
		while (w < 0 && errno == EINTR);
		if (w != len) {
			lost++;
			lost_errno = w < 0 ? errno : EIO;
		}
	}
	if (lost)
		return ea_fail_errno(err, lost_errno, "--log syslog: %d of %d lines not sent", lost,
		                     n);
	return 0;
}

/* A field of at most max bytes of the string v (NULL: none). */
static void field(struct journal_entry *e, const char *key, const char *v, size_t max)
{
	if (!v) return;
	size_t n = 0; /* strnlen, which gcc misjudges on short literals inlined here */
	while (n < max && v[n]) n++;
	journal_field(e, key, v, n);
}

/* One journal entry per line: the line, its level, the verdict and exit
 * code; the finding's id, severity and exact subject, or the report's
 * path on the summary. */
static void journal_entry_of(struct journal_entry *e, const struct logsink_line *l, int summary,
                             const char *verdict, int code, const char *report_path)
{
	journal_entry_init(e);
	field(e, "MESSAGE", l->text, LOGSINK_LINE_MAX);
	journal_fieldf(e, "PRIORITY", "%d", l->level);
	field(e, "SYSLOG_IDENTIFIER", "edgeaudit", 16);
	field(e, "EDGEAUDIT_VERDICT", verdict, 16);
	journal_fieldf(e, "EDGEAUDIT_EXIT_CODE", "%d", code);
	if (summary) field(e, "EDGEAUDIT_REPORT", report_path, PATH_MAX);
	if (!l->finding) return;
	field(e, "EDGEAUDIT_FINDING_ID", finding_str(l->finding, "id"), 64);
	field(e, "EDGEAUDIT_SEVERITY", finding_str(l->finding, "severity"), 16);
	field(e, "EDGEAUDIT_SUBJECT", finding_str(l->finding, "subject"), LOGSINK_SUBJECT_MAX);
}

/* Lost entries are counted; the first one's reason stands for all. */
static int send_journald(const struct logsink_line lines[], int n, report_t *r, severity_t fail_on,
                         const char *report_path, ea_error_t *err)
{
	ea_error_t why = {0};
	cleanup_close int fd = journal_connect(JOURNAL_SOCKET, &why);
	if (fd < 0) return ea_fail(err, why.code, "--log journald: %s", why.msg);
	const char *verdict = report_verdict(r, fail_on);
	int code = report_exit_code(r, fail_on), lost = 0;
	for (int i = 0; i < n; i++) {
		struct journal_entry e;
		journal_entry_of(&e, &lines[i], i == 0, verdict, code, report_path);
		ea_error_t se = {0};
		if (journal_send(fd, &e, &se) < 0 && !lost++) why = se;
	}
	if (lost)
		return ea_fail(err, why.code, "--log journald: %d of %d entries not sent (%s)",
		               lost, n, why.msg);
	return 0;
}

int logsink_report(int sink, report_t *r, severity_t fail_on, const char *report_path,
                   ea_error_t *err)
{
	struct logsink_line lines[LOGSINK_MAX_LINES];
	int n = logsink_lines(r, fail_on, report_path, lines, LOGSINK_MAX_LINES);
	if (sink == EA_LOG_KMSG) return send_kmsg(lines, n, err);
	if (sink == EA_LOG_SYSLOG) return send_syslog(lines, n, err);
	if (sink == EA_LOG_JOURNALD) return send_journald(lines, n, r, fail_on, report_path, err);
	return 0;
}
