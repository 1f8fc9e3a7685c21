/*
 * seccomp_probe: lets the kernel answer what a seccomp filter does with
 * each dangerous syscall, so tests can compare it with edgeaudit's own
 * interpreter.  Test helper only (built by tests/integration/test_proc_*.sh
 * with the host's gcc, static, so it also runs inside busybox containers).
 *
 *   seccomp_probe run                      probe under the filters this
 *       process already has (a container's): each syscall runs in a child
 *       that first adds a marker filter returning SECCOMP_RET_TRACE for
 *       exactly that syscall.  With no tracer, TRACE fails with ENOSYS
 *       without running the call; TRACE ranks below ALLOW and LOG but above
 *       ERRNO, TRAP and KILL, so: the existing filters permit the call ->
 *       "errno:38" (the marker); they deny it -> their own errno or a SIGSYS
 *       death ("sigsys").  Nothing dangerous ever runs.
 *   seccomp_probe run --filters A.bpf ...  same, in a child that installs a
 *       marker ERRNO(200) FIRST and then the given programs: a permitted
 *       call gives "errno:200"; an ERRNO of the programs wins over the
 *       older marker (equal actions: the newest filter wins).
 *   seccomp_probe hold A.bpf ... -- CMD    install the programs in order,
 *       then exec CMD (for edgeaudit --deep to read).
 *   seccomp_probe gen NAME                 write a known program
 *       (known_filters.h) to stdout as raw struct sock_filter.
 *
 * Output of run: one line "ARCH NAME OBSERVATION" per syscall that exists
 * on ARCH (x86_64, and i386 through int 0x80 when the kernel has IA-32
 * emulation).  Arguments: those edgeaudit evaluates (seccomp_syscalls.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "known_filters.h"
#include "seccomp_syscalls.h"

#define MARKER_ERRNO 200

static int install(const struct sock_filter *p, unsigned short n)
{
	struct sock_fprog prog = {n, (struct sock_filter *)p};
	return (int)syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

static int marker(uint32_t arch, int nr, uint32_t action)
{
	struct sock_filter m[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arch, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, action),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	return install(m, sizeof m / sizeof m[0]);
}

#if defined(__x86_64__)
/* A 32-bit syscall from a 64-bit process: the kernel (and seccomp) see
 * AUDIT_ARCH_I386.  Built with -mno-red-zone: the push below rsp is safe. */
static long int80(long nr, long a, long b, long c, long d, long e)
{
	long ret;
	__asm__ volatile("push %%rbp\n\txor %%ebp, %%ebp\n\tint $0x80\n\tpop %%rbp"
			 : "=a"(ret)
			 : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e)
			 : "memory", "cc", "r8", "r9", "r10", "r11");
	return (int)ret;
}
#endif

struct loaded {
	struct sock_filter *p;
	unsigned short n;
};

static int load_file(const char *path, struct loaded *l)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return -1;
	static unsigned char buf[4096 * 8];
	ssize_t n = read(fd, buf, sizeof buf);
	close(fd);
	if (n <= 0 || n % 8) return -1;
	l->p = malloc((size_t)n);
	memcpy(l->p, buf, (size_t)n);
	l->n = (unsigned short)(n / 8);
	return 0;
}

/* One probe in a child: returns the observation. */
static void probe_one(enum sc_arch a, const struct sc_syscall *s, struct loaded *f, int nf, char *out, size_t on)
{
	int pfd[2];
	if (pipe(pfd) < 0) {
		snprintf(out, on, "error:pipe");
		return;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(out, on, "error:fork");
		return;
	}
	if (pid == 0) {
		close(pfd[0]);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) _exit(120);
		if (nf) {
			if (marker(sc_arch_audit(a), s->nr[a], SECCOMP_RET_ERRNO | MARKER_ERRNO) < 0) _exit(121);
			for (int i = 0; i < nf; i++)
				if (install(f[i].p, f[i].n) < 0) _exit(122);
		} else if (marker(sc_arch_audit(a), s->nr[a], SECCOMP_RET_TRACE) < 0) {
			_exit(121);
		}
		uint64_t args[6];
		sc_syscall_args(s, args);
		long r;
		int e;
		if (a == SC_ARCH_X86_64) {
			r = syscall(s->nr[a], args[0], args[1], args[2], args[3], args[4], args[5]);
			e = r < 0 ? errno : 0;
		} else {
#if defined(__x86_64__)
			r = int80(s->nr[a], (long)args[0], (long)args[1], (long)args[2], (long)args[3], (long)args[4]);
			e = r < 0 && r > -4096 ? (int)-r : 0;
#else
			r = -1;
			e = -1;
#endif
		}
		int v = r >= 0 ? -1 : e; /* -1: it ran (never expected) */
		if (write(pfd[1], &v, sizeof v) != sizeof v) _exit(123);
		_exit(0);
	}
	close(pfd[1]);
	int st, v = -2;
	ssize_t n = read(pfd[0], &v, sizeof v);
	close(pfd[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS) snprintf(out, on, "sigsys");
	else if (WIFSIGNALED(st)) snprintf(out, on, "signal:%d", WTERMSIG(st));
	else if (n != sizeof v) snprintf(out, on, "error:exit%d", WEXITSTATUS(st));
	else if (v == -1) snprintf(out, on, "ran");
	else snprintf(out, on, "errno:%d", v);
}

static int has_int80(void)
{
#if defined(__x86_64__)
	pid_t pid = fork();
	if (pid == 0) _exit(int80(20 /* getpid */, 0, 0, 0, 0, 0) > 0 ? 0 : 1);
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
#else
	return 0;
#endif
}

static int run(int argc, char **argv)
{
	struct loaded f[16];
	int nf = 0;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--filters")) continue;
		if (nf == 16 || load_file(argv[i], &f[nf]) < 0) {
			fprintf(stderr, "seccomp_probe: cannot load %s\n", argv[i]);
			return 2;
		}
		nf++;
	}
	enum sc_arch arches[2] = {SC_ARCH_X86_64, SC_ARCH_I386};
	int narch = has_int80() ? 2 : 1;
#if !defined(__x86_64__)
	fprintf(stderr, "seccomp_probe: only x86_64 hosts are probed\n");
	return 2;
#endif
	printf("# seccomp_probe %s i386=%s\n", nf ? "errno-marker" : "trace-marker", narch == 2 ? "yes" : "no");
	for (int ai = 0; ai < narch; ai++) {
		for (unsigned i = 0; i < sc_syscalls_count; i++) {
			const struct sc_syscall *s = &sc_syscalls[i];
			if (s->nr[arches[ai]] < 0) continue;
			char obs[32];
			probe_one(arches[ai], s, f, nf, obs, sizeof obs);
			printf("%s %s %s\n", sc_arch_name(arches[ai]), s->name, obs);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "run")) return run(argc - 2, argv + 2);
	if (argc >= 3 && !strcmp(argv[1], "gen")) {
		for (size_t i = 0; i < sizeof kf_all / sizeof kf_all[0]; i++) {
			if (strcmp(kf_all[i].name, argv[2]) != 0) continue;
			fwrite(kf_all[i].p, sizeof *kf_all[i].p, kf_all[i].n, stdout);
			return 0;
		}
		fprintf(stderr, "seccomp_probe: no filter named %s\n", argv[2]);
		return 2;
	}
	if (argc >= 3 && !strcmp(argv[1], "hold")) {
		int i = 2;
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return 3;
		for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
			struct loaded l;
			if (load_file(argv[i], &l) < 0 || install(l.p, l.n) < 0) {
				fprintf(stderr, "seccomp_probe: cannot install %s: %s\n", argv[i], strerror(errno));
				return 3;
			}
		}
		if (i + 1 >= argc) return 2;
		execvp(argv[i + 1], argv + i + 1);
		fprintf(stderr, "seccomp_probe: exec %s: %s\n", argv[i + 1], strerror(errno));
		return 127;
	}
	fprintf(stderr, "usage: seccomp_probe run [--filters F...] | hold F... -- CMD | gen NAME\n");
	return 2;
}
