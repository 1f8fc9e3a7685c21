/* report: see report.h. */
#include "report.h"

#include <ctype.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "fsx.h"
#include "model.h"
#include "summary.h"
#include "util.h"

struct report {
	pthread_mutex_t mu;
	cJSON *stores, *findings, *unchecked, *checked;
	cJSON *interrupted; /* NULL unless the run was stopped early */
	cJSON *kernel;      /* kernel facts (proc.c); rendered when not empty */
	unsigned counts[SEV_COUNT];
	unsigned stored, dropped;
	int incomplete;
	struct model *model; /* images, processes, containers: model.h */
};

struct model *report_model(report_t *r);
struct model *report_model(report_t *r) { return r->model; }

static const char *const sev_names[SEV_COUNT] = {"info", "low", "medium", "high", "critical"};

const char *severity_name(severity_t s)
{
	return (unsigned)s < SEV_COUNT ? sev_names[s] : "unknown";
}

int severity_parse(const char *s)
{
	for (int i = 0; i < SEV_COUNT; i++)
		if (strcmp(s, sev_names[i]) == 0) return i;
	return -1;
}

report_t *report_new(void)
{
	report_t *r = xcalloc(1, sizeof *r);
	pthread_mutex_init(&r->mu, NULL);
	r->stores = cJSON_CreateArray();
	r->findings = cJSON_CreateArray();
	r->unchecked = cJSON_CreateArray();
	r->checked = cJSON_CreateArray();
	r->kernel = cJSON_CreateObject();
	r->model = model_new();
	if (!r->stores || !r->findings || !r->unchecked || !r->checked || !r->kernel) {
		fprintf(stderr, "edgeaudit: out of memory\n");
		_exit(3);
	}
	return r;
}

void report_free(report_t *r)
{
	if (!r) return;
	cJSON_Delete(r->stores);
	cJSON_Delete(r->findings);
	cJSON_Delete(r->unchecked);
	cJSON_Delete(r->checked);
	cJSON_Delete(r->interrupted);
	cJSON_Delete(r->kernel);
	model_free(r->model);
	pthread_mutex_destroy(&r->mu);
	free(r);
}

void report_lock(report_t *r) { pthread_mutex_lock(&r->mu); }
void report_unlock(report_t *r) { pthread_mutex_unlock(&r->mu); }
cJSON *report_stores(report_t *r) { return r->stores; }
cJSON *report_kernel(report_t *r) { return r->kernel; }
cJSON *report_findings(report_t *r) { return r->findings; }

static cJSON *add_finding(report_t *r, const char *id, int sev, const char *subject,
                          const char *fmt, va_list ap)
{
	const struct finding_kind *k = finding_kind_lookup(id);
	if (!k) {
		/* A programming error: fail loudly in tests, never silently. */
		fprintf(stderr, "edgeaudit: internal error: unknown finding id '%s'\n", id);
		abort();
	}
	severity_t s = sev >= 0 && sev < SEV_COUNT ? (severity_t)sev : k->severity;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);

	cJSON *f = NULL;
	pthread_mutex_lock(&r->mu);
	r->counts[s]++;
	if (k->incomplete) r->incomplete = 1;
	if (r->stored < REPORT_MAX_FINDINGS) {
		f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "id", id);
		cJSON_AddStringToObject(f, "severity", severity_name(s));
		cJSON_AddStringToObject(f, "subject", subject ? subject : "");
		cJSON_AddStringToObject(f, "message", msg);
		cJSON_AddItemToArray(r->findings, f);
		r->stored++;
	} else {
		r->dropped++;
		r->incomplete = 1;
	}
	pthread_mutex_unlock(&r->mu);
	return f;
}

cJSON *report_finding(report_t *r, const char *id, const char *subject, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cJSON *f = add_finding(r, id, -1, subject, fmt, ap);
	va_end(ap);
	return f;
}

cJSON *report_finding_sev(report_t *r, const char *id, severity_t sev, const char *subject,
                          const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cJSON *f = add_finding(r, id, (int)sev, subject, fmt, ap);
	va_end(ap);
	return f;
}

void report_unchecked(report_t *r, const char *part, const char *why)
{
	report_unchecked_kind(r, "audit.not_implemented", part, why);
}

void report_unchecked_kind(report_t *r, const char *id, const char *part, const char *why)
{
	pthread_mutex_lock(&r->mu);
	cJSON *u = cJSON_CreateObject();
	cJSON_AddStringToObject(u, "part", part);
	cJSON_AddStringToObject(u, "reason", why);
	cJSON_AddItemToArray(r->unchecked, u);
	pthread_mutex_unlock(&r->mu);
	report_finding(r, id, part, "%s: not checked: %s", part, why);
}

void report_set_interrupted(report_t *r, const char *reason, const char *detail, int64_t after_ms)
{
	pthread_mutex_lock(&r->mu);
	if (!r->interrupted) { /* the first stop is the one that counts */
		r->interrupted = cJSON_CreateObject();
		cJSON_AddStringToObject(r->interrupted, "reason", reason);
		cJSON_AddStringToObject(r->interrupted, "detail", detail);
		cJSON_AddNumberToObject(r->interrupted, "after_ms", (double)after_ms);
	}
	pthread_mutex_unlock(&r->mu);
}

int report_interrupted(report_t *r)
{
	pthread_mutex_lock(&r->mu);
	int v = r->interrupted != NULL;
	pthread_mutex_unlock(&r->mu);
	return v;
}

void report_checked(report_t *r, const char *part)
{
	pthread_mutex_lock(&r->mu);
	cJSON_AddItemToArray(r->checked, cJSON_CreateString(part));
	pthread_mutex_unlock(&r->mu);
}

unsigned report_count(report_t *r, severity_t s)
{
	return (unsigned)s < SEV_COUNT ? r->counts[s] : 0;
}

/* The verdict before the model's own finding (model_settle). */
static const char *verdict_of_findings(report_t *r, severity_t fail_on)
{
	/* A tampered store is more actionable than an incomplete check: fail wins. */
	for (int s = fail_on; s < SEV_COUNT; s++)
		if (r->counts[s]) return "fail";
	if (r->incomplete || r->dropped || r->interrupted) return "incomplete";
	return "pass";
}

const char *report_verdict(report_t *r, severity_t fail_on)
{
	model_settle(r);
	return verdict_of_findings(r, fail_on);
}

const char *report_verdict_so_far(report_t *r, severity_t fail_on)
{
	return verdict_of_findings(r, fail_on);
}

int report_exit_code(report_t *r, severity_t fail_on)
{
	const char *v = report_verdict(r, fail_on);
	return !strcmp(v, "fail") ? 1 : !strcmp(v, "incomplete") ? 3 : 0;
}

static void read_small(const char *path, char *out, size_t n)
{
	out[0] = '\0';
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) return;
	ssize_t r = read(fd, out, n - 1);
	close(fd);
	if (r <= 0) {
		out[0] = '\0';
		return;
	}
	out[r] = '\0';
	out[strcspn(out, "\n")] = '\0';
}

cJSON *report_host_json(void)
{
	cJSON *h = cJSON_CreateObject();
	struct utsname u;
	if (uname(&u) == 0) {
		cJSON_AddStringToObject(h, "hostname", u.nodename);
		cJSON_AddStringToObject(h, "kernel", u.release);
		cJSON_AddStringToObject(h, "arch", u.machine);
	}
	char boot[64];
	read_small("/proc/sys/kernel/random/boot_id", boot, sizeof boot);
	if (boot[0]) cJSON_AddStringToObject(h, "boot_id", boot);
	else cJSON_AddNullToObject(h, "boot_id");
	return h;
}

static void add_ref(cJSON *obj, const char *name, cJSON *item)
{
	cJSON_AddItemToObject(obj, name, cJSON_CreateArrayReference(item->child));
}

char *report_render_json(report_t *r, severity_t fail_on, int64_t started_unix, int64_t duration_ms)
{
	pthread_mutex_lock(&r->mu);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "schema", "edgeaudit/report/v1");
	cJSON *tool = cJSON_AddObjectToObject(o, "tool");
	cJSON_AddStringToObject(tool, "name", "edgeaudit");
	cJSON_AddStringToObject(tool, "version", EDGEAUDIT_VERSION);
	cJSON_AddItemToObject(o, "host", report_host_json());
	char ts[32];
	time_t t = (time_t)started_unix;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	cJSON_AddStringToObject(o, "started", ts);
	cJSON_AddNumberToObject(o, "duration_ms", (double)duration_ms);
	pthread_mutex_unlock(&r->mu);
	const char *verdict = report_verdict(r, fail_on);
	pthread_mutex_lock(&r->mu);
	cJSON_AddStringToObject(o, "verdict", verdict);
	cJSON_AddStringToObject(o, "fail_on", severity_name(fail_on));
	if (r->interrupted) cJSON_AddItemReferenceToObject(o, "interrupted", r->interrupted);
	else cJSON_AddNullToObject(o, "interrupted");
	cJSON *sum = cJSON_AddObjectToObject(o, "summary");
	for (int s = SEV_CRITICAL; s >= 0; s--)
		cJSON_AddNumberToObject(sum, sev_names[s], r->counts[s]);
	cJSON_AddNumberToObject(sum, "unlisted", r->dropped);
	add_ref(o, "checked", r->checked);
	add_ref(o, "unchecked", r->unchecked);
	add_ref(o, "stores", r->stores);
	cJSON_AddItemToObject(o, "images", model_render_images(r));
	cJSON *blobs = model_render_blobs(r);
	if (blobs) cJSON_AddItemToObject(o, "blobs", blobs);
	cJSON_AddItemToObject(o, "processes", model_render_processes(r));
	cJSON *hinv = model_render_host_inventory(r);
	if (hinv) cJSON_AddItemToObject(o, "host_inventory", hinv);
	cJSON *acc = model_render_accepted_vulns(r);
	if (acc) cJSON_AddItemToObject(o, "vulnerabilities_accepted", acc);
	if (r->kernel->child) cJSON_AddItemReferenceToObject(o, "kernel", r->kernel);
	add_ref(o, "findings", r->findings);
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	pthread_mutex_unlock(&r->mu);
	if (!s) {
		fprintf(stderr, "edgeaudit: out of memory rendering the report\n");
		_exit(3);
	}
	return s;
}

/* ---- text: 80 columns, ASCII only (summary.c groups the findings) ---- */

/* The whole summary fits one 80x24 serial console screen (no pager there):
 * the verdict stays on screen when the report ends. */
#define TEXT_ROWS                22 /* 24 less the command line and the next prompt */
#define TEXT_MAX_UNCHECKED_LINES 4

static unsigned lines_in(const ea_buf_t *b)
{
	unsigned n = 0;
	for (size_t i = 0; i < b->len; i++) n += b->data[i] == '\n';
	return n;
}

char *report_render_text(report_t *r, severity_t fail_on, int color)
{
	ea_buf_t b;
	ea_buf_init(&b, 1 << 20);
	const char *verdict = report_verdict(r, fail_on);
	pthread_mutex_lock(&r->mu);
	cJSON *h = report_host_json();
	text_line(&b, 4, "edgeaudit %s on %s (Linux %s, %s)", EDGEAUDIT_VERSION,
	          cJSON_GetStringValue(cJSON_GetObjectItem(h, "hostname")) ?: "?",
	          cJSON_GetStringValue(cJSON_GetObjectItem(h, "kernel")) ?: "?",
	          cJSON_GetStringValue(cJSON_GetObjectItem(h, "arch")) ?: "?");
	cJSON_Delete(h);
	int code = !strcmp(verdict, "fail") ? 1 : !strcmp(verdict, "incomplete") ? 3 : 0;
	char up[16];
	size_t i;
	for (i = 0; verdict[i] && i < sizeof up - 1; i++)
		up[i] = (char)toupper((unsigned char)verdict[i]);
	up[i] = '\0';
	if (color) {
		const char *c = code == 0 ? "\033[32m" : code == 1 ? "\033[31m" : "\033[33m";
		char tmp[96];
		snprintf(tmp, sizeof tmp, "VERDICT: %s%s\033[0m (exit %d)\n", c, up, code);
		ea_buf_append(&b, tmp, strlen(tmp), NULL);
	} else {
		text_line(&b, 4, "VERDICT: %s (exit %d)", up, code);
	}
	if (r->interrupted) {
		const char *why =
		        cJSON_GetStringValue(cJSON_GetObjectItem(r->interrupted, "reason")) ?: "";
		const char *detail =
		        cJSON_GetStringValue(cJSON_GetObjectItem(r->interrupted, "detail")) ?: "?";
		if (!strcmp(why, "budget"))
			text_line(&b, 4, "INTERRUPTED: %s; work left is listed as not checked",
			          detail);
		else
			text_line(&b, 4,
			          "INTERRUPTED: %s at %.0f ms; work left is listed as not checked",
			          detail,
			          cJSON_GetNumberValue(
			                  cJSON_GetObjectItem(r->interrupted, "after_ms")));
	}
	text_line(&b, 4, "findings: %u critical, %u high, %u medium, %u low, %u info",
	          r->counts[SEV_CRITICAL], r->counts[SEV_HIGH], r->counts[SEV_MEDIUM],
	          r->counts[SEV_LOW], r->counts[SEV_INFO]);
	char parts[256] = "";
	cJSON *it;
	cJSON_ArrayForEach (it, r->checked) {
		if (parts[0]) strncat(parts, ", ", sizeof parts - strlen(parts) - 1);
		strncat(parts, it->valuestring, sizeof parts - strlen(parts) - 1);
	}
	text_line(&b, 4, "checked: %s; %d stores, %d images, %d processes",
	          parts[0] ? parts : "nothing", cJSON_GetArraySize(r->stores), model_image_count(r),
	          model_process_count(r));
	for (const struct blob_rec *bl = model_blobs(r); bl; bl = bl->next) {
		const struct image_signature *s = bl->nsigs ? &bl->sigs[0] : NULL;
		text_line(&b, 4, "blob %.60s: %s%.60s", bl->path ? bl->path : "?",
		          s && s->verified ? "signature verified, " : "signature NOT verified",
		          s && s->verified && s->signer ? s->signer : "");
	}
	int nun = cJSON_GetArraySize(r->unchecked), un = 0;
	cJSON_ArrayForEach (it, r->unchecked) {
		if (nun > TEXT_MAX_UNCHECKED_LINES && un == TEXT_MAX_UNCHECKED_LINES - 1) {
			text_line(&b, 4, "not checked: %d more parts (listed in the JSON report)",
			          nun - un);
			break;
		}
		text_line(&b, 4, "not checked: %s: %s",
		          cJSON_GetStringValue(cJSON_GetObjectItem(it, "part")),
		          cJSON_GetStringValue(cJSON_GetObjectItem(it, "reason")));
		un++;
	}
	/* Grouped by image, container, store and host, worst first, as many as
	 * fit the screen (a row kept for the "unlisted" line). */
	unsigned used = lines_in(&b) + (r->dropped ? 1 : 0);
	summary_groups(&b, r, r->findings, fail_on, used < TEXT_ROWS ? TEXT_ROWS - used : 0);
	if (r->dropped)
		text_line(&b, 4, "... %u findings over the report's limit were counted only",
		          r->dropped);
	pthread_mutex_unlock(&r->mu);
	if (!b.data) b.data = xstrdup("");
	return b.data;
}
