/* progress: see progress.h. */
#include "progress.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define PROGRESS_COLS      80
#define PROGRESS_PERIOD_MS 1000

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t th;
	int running, stop;
	int64_t t0;
	char part[160];
	report_t *r;
} P = {.mu = PTHREAD_MUTEX_INITIALIZER};

void progress_format(char *out, size_t n, int64_t elapsed_ms, const char *part, long findings)
{
	char tmp[256];
	int len;
	if (findings >= 0)
		len = snprintf(tmp, sizeof tmp, "edgeaudit: %lld s: %s (%ld findings so far)",
		               (long long)(elapsed_ms / 1000), part && *part ? part : "working",
		               findings);
	else
		len = snprintf(tmp, sizeof tmp, "edgeaudit: %lld s: %s",
		               (long long)(elapsed_ms / 1000), part && *part ? part : "working");
	if (len < 0) len = 0;
	if ((size_t)len >= sizeof tmp) len = sizeof tmp - 1;
	/* 80 columns, printable ASCII only: a path from a store could hold
	 * anything, including escape sequences. */
	size_t max = n - 1 < PROGRESS_COLS ? n - 1 : PROGRESS_COLS, o = 0;
	for (int i = 0; i < len && o < max; i++) {
		unsigned char c = (unsigned char)tmp[i];
		out[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if ((size_t)len > max && max >= 3) memcpy(out + max - 3, "...", 3);
	out[o] = '\0';
}

static void write_line(const char *s)
{
	char buf[PROGRESS_COLS + 2];
	size_t n = strlen(s);
	memcpy(buf, s, n);
	buf[n++] = '\n';
	size_t off = 0;
	while (off < n) {
		ssize_t w = write(STDERR_FILENO, buf + off, n - off);
		if (w < 0 && errno == EINTR) continue;
		if (w <= 0) return; /* stderr gone: progress is a courtesy, not the report */
		off += (size_t)w;
	}
}

static void *loop(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&P.mu);
	int64_t next = ea_now_ms() + PROGRESS_PERIOD_MS;
	while (!__atomic_load_n(&P.stop, __ATOMIC_SEQ_CST)) {
		struct timespec ts = {.tv_sec = next / 1000,
		                      .tv_nsec = (long)(next % 1000) * 1000000L};
		pthread_cond_timedwait(&P.cv, &P.mu, &ts);
		if (__atomic_load_n(&P.stop, __ATOMIC_SEQ_CST)) break;
		int64_t now = ea_now_ms();
		if (now < next) continue; /* woken early: the period is a promise */
		long findings = -1;
		if (P.r) {
			findings = 0;
			report_lock(P.r);
			for (int s = 0; s < SEV_COUNT; s++)
				findings += report_count(P.r, (severity_t)s);
			report_unlock(P.r);
		}
		char line[PROGRESS_COLS + 1];
		progress_format(line, sizeof line, now - P.t0, P.part, findings);
		/* Written under the lock so progress_stop knows no line is half out. */
		write_line(line);
		next = ea_now_ms() + PROGRESS_PERIOD_MS;
	}
	pthread_mutex_unlock(&P.mu);
	return NULL;
}

void progress_start(int64_t t0_ms)
{
	if (P.running) return;
	pthread_condattr_t ca;
	if (pthread_condattr_init(&ca) != 0) return;
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* ea_now_ms's clock */
	int rc = pthread_cond_init(&P.cv, &ca);
	pthread_condattr_destroy(&ca);
	if (rc != 0) return;
	P.t0 = t0_ms;
	P.stop = 0;
	/* The stop signals belong to the main thread's flow: the helper blocks
	 * them all (the mask is inherited at creation). */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&P.th, NULL, loop, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		/* No thread, no progress: the audit itself does not need it. */
		pthread_cond_destroy(&P.cv);
		return;
	}
	P.running = 1;
}

void progress_part(const char *fmt, ...)
{
	if (!P.running) return;
	pthread_mutex_lock(&P.mu);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(P.part, sizeof P.part, fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&P.mu);
}

void progress_attach(report_t *r)
{
	if (!P.running) return;
	pthread_mutex_lock(&P.mu);
	P.r = r;
	pthread_mutex_unlock(&P.mu);
}

void progress_stop(void)
{
	if (!P.running) return;
	P.running = 0;
	/* A stderr that does not drain (a stopped terminal, a full pipe) holds
	 * the helper in write(): wait a moment, then leave it there; the process
	 * exits after the report and takes the thread with it. */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 2;
	if (pthread_mutex_timedlock(&P.mu, &ts) != 0) {
		__atomic_store_n(&P.stop, 1, __ATOMIC_SEQ_CST); /* no line after this one */
		pthread_detach(P.th);
		return;
	}
	__atomic_store_n(&P.stop, 1, __ATOMIC_SEQ_CST);
	P.r = NULL;
	pthread_cond_signal(&P.cv);
	pthread_mutex_unlock(&P.mu);
	pthread_join(P.th, NULL);
	pthread_cond_destroy(&P.cv);
}
