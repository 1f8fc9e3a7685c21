/* proc_ptrace: see proc_ptrace.h. */
#include "proc_ptrace.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#ifndef PTRACE_SEIZE
#define PTRACE_SEIZE 0x4206
#endif
#ifndef PTRACE_INTERRUPT
#define PTRACE_INTERRUPT 0x4207
#endif
#ifndef PTRACE_SECCOMP_GET_FILTER
#define PTRACE_SECCOMP_GET_FILTER 0x420c
#endif
#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif
#ifndef __WALL
#define __WALL 0x40000000
#endif

/* musl and glibc disagree on ptrace's prototype; go through long values. */
static long pt(long req, int pid, unsigned long addr, void *data)
{
	return ptrace(req, pid, (void *)addr, data);
}

#define MAX_PENDING 64
static int pending[MAX_PENDING];
static int npending;

void sc_filter_set_free(struct sc_filter_set *s)
{
	for (size_t i = 0; i < s->count; i++) free(s->insns[i]);
	memset(s, 0, sizeof *s);
}

static void sleep_us(long us)
{
	struct timespec ts = {us / 1000000, (us % 1000000) * 1000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {}
}

/* Wait for pid's stop.  Returns 1 stopped (*sig: signal to re-inject),
 * 0 deadline, -1 gone. */
static int wait_stop(int pid, int timeout_ms, int *sig)
{
	int64_t deadline = ea_now_ms() + timeout_ms;
	long nap = 10; /* us: a running tracee stops within microseconds, a sleeping one at once */
	for (;;) {
		int st;
		pid_t r = waitpid(pid, &st, __WALL | WNOHANG);
		if (r == pid) {
			if (WIFEXITED(st) || WIFSIGNALED(st)) return -1;
			if (WIFSTOPPED(st)) {
				/* PTRACE_EVENT_STOP: our interrupt or a group-stop that
				 * was there already: nothing to re-inject.  Anything else
				 * is a signal-delivery-stop: the signal goes back. */
				*sig = (st >> 16) == PTRACE_EVENT_STOP ? 0 : WSTOPSIG(st);
				return 1;
			}
			continue;
		}
		if (r < 0 && errno != EINTR) return -1;
		if (ea_now_ms() >= deadline) return 0;
		sleep_us(nap);
		if (nap < 16000) nap *= 2;
	}
}

static int read_all(int pid, struct sc_filter_set *out, ea_error_t *err)
{
	for (unsigned long idx = 0;; idx++) {
		errno = 0;
		long n = pt(PTRACE_SECCOMP_GET_FILTER, pid, idx, NULL);
		if (n < 0) {
			int e = errno;
			if (e == ENOENT) return 0;             /* past the last filter */
			if (e == EINVAL && idx == 0) return 0; /* not in filter mode */
			if (e == ESRCH) return ea_fail(err, EA_E_NOENT, "process %d is gone", pid);
			if (e == EIO || e == EINVAL)
				return ea_fail(err, EA_E_UNSUPPORTED,
				               "the kernel cannot export seccomp filters "
				               "(CONFIG_CHECKPOINT_RESTORE?)");
			if (e == EACCES || e == EPERM)
				return ea_fail(err, EA_E_IO,
				               "reading seccomp filters needs CAP_SYS_ADMIN");
			if (e == EMEDIUMTYPE)
				return ea_fail(err, EA_E_UNSUPPORTED,
				               "filter %lu is not classic BPF", idx);
			return ea_fail_errno(err, e, "PTRACE_SECCOMP_GET_FILTER %lu", idx);
		}
		if (n == 0 || n > SC_BPF_MAXINSNS)
			return ea_fail(err, EA_E_FORMAT, "filter %lu has %ld instructions", idx, n);
		if (out->count >= PT_MAX_FILTERS)
			return ea_fail(err, EA_E_TOOBIG, "more than %d seccomp filters",
			               PT_MAX_FILTERS);
		struct sc_insn *buf = xcalloc((size_t)n, sizeof *buf);
		long m = pt(PTRACE_SECCOMP_GET_FILTER, pid, idx, buf);
		if (m != n) {
			int e = errno;
			free(buf);
			if (m < 0 && e == ESRCH)
				return ea_fail(err, EA_E_NOENT, "process %d is gone", pid);
			return ea_fail(err, EA_E_IO,
			               "filter %lu changed size while read (%ld, %ld)", idx, n, m);
		}
		out->insns[out->count] = buf;
		out->n[out->count] = (size_t)n;
		out->count++;
	}
}

/* The signal mask saved in *old, put back (cleanup_sigmask). */
static void restore_sigmask(sigset_t *old) { sigprocmask(SIG_SETMASK, old, NULL); }
#define cleanup_sigmask __attribute__((cleanup(restore_sigmask)))

int proc_read_filters(int pid, int procdirfd, int timeout_ms, struct sc_filter_set *out,
                      ea_error_t *err)
{
	memset(out, 0, sizeof *out);
	sigset_t block;
	cleanup_sigmask sigset_t old; /* restored on every return */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGQUIT);
	sigprocmask(SIG_BLOCK, &block, &old);

	if (pt(PTRACE_SEIZE, pid, 0, 0) < 0) {
		int e = errno;
		if (e == ESRCH) ea_fail(err, EA_E_NOENT, "process %d is gone", pid);
		else if (e == EPERM || e == EACCES)
			ea_fail(err, EA_E_IO, "ptrace refused (not root, Yama, or already traced)");
		else ea_fail_errno(err, e, "PTRACE_SEIZE %d", pid);
		return -1;
	}
	if (pt(PTRACE_INTERRUPT, pid, 0, 0) < 0) {
		int e = errno;
		/* Not stopped: detach is only possible once stopped; ESRCH here
		 * means it died. */
		ea_fail_errno(err, e, "PTRACE_INTERRUPT %d", pid);
		if (e == ESRCH) err->code = EA_E_NOENT;
		else if (npending < MAX_PENDING) pending[npending++] = pid;
		return -1;
	}
	int sig = 0;
	int w = wait_stop(pid, timeout_ms, &sig);
	if (w < 0) {
		ea_fail(err, EA_E_NOENT, "process %d is gone", pid);
		return -1;
	}
	if (w == 0) {
		ea_fail(err, EA_E_INTERRUPTED,
		        "process %d did not stop within %d ms (left to detach later)", pid,
		        timeout_ms);
		if (npending < MAX_PENDING) pending[npending++] = pid;
		return -1;
	}
	int rc = -1;
	struct stat st;
	if (procdirfd >= 0 && fstatat(procdirfd, "stat", &st, 0) < 0) {
		ea_fail(err, EA_E_NOENT, "process %d is gone (its pid was reused)", pid);
	} else {
		rc = read_all(pid, out, err);
		if (rc < 0) sc_filter_set_free(out);
	}
	/* Always detach; ESRCH here means it died while stopped. */
	pt(PTRACE_DETACH, pid, 0, (void *)(long)sig);
	return rc;
}

int proc_ptrace_release_pending(int timeout_ms)
{
	int64_t deadline = ea_now_ms() + timeout_ms;
	int left = 0;
	for (int i = 0; i < npending; i++) {
		int64_t now = ea_now_ms();
		int sig = 0;
		int w = wait_stop(pending[i], now < deadline ? (int)(deadline - now) : 0, &sig);
		if (w == 1) pt(PTRACE_DETACH, pending[i], 0, (void *)(long)sig);
		else if (w == 0) pending[left++] = pending[i];
	}
	npending = left;
	return left;
}
