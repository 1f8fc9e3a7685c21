/* kernel_facts: see kernel_facts.h. */
#include "kernel_facts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "util.h"

/* Read a small file under root into buf (NUL-terminated, trailing newline
 * cut); -1 if it cannot be read. */
static int read_small(const char *root, const char *path, char *buf, size_t n)
{
	char full[512];
	snprintf(full, sizeof full, "%s%s", root, path);
	cleanup_close int fd = open(full, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) return -1;
	size_t len = 0;
	while (len + 1 < n) {
		ssize_t r = read(fd, buf + len, n - 1 - len);
		if (r < 0 && errno == EINTR) continue;
		if (r < 0) return -1;
		if (r == 0) break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' ')) buf[--len] = '\0';
	return 0;
}

static long read_long(const char *root, const char *path)
{
	char buf[64];
	if (read_small(root, path, buf, sizeof buf) < 0) return KF_UNKNOWN;
	char *e;
	errno = 0;
	long v = strtol(buf, &e, 10);
	if (errno || e == buf) return KF_UNKNOWN;
	return v;
}

void kernel_facts_read(struct kernel_facts *kf, const char *root)
{
	memset(kf, 0, sizeof *kf);
	char buf[4096];
	kf->seccomp = KF_UNKNOWN;
	if (read_small(root, "/proc/self/status", buf, sizeof buf) == 0)
		kf->seccomp = strstr(buf, "\nSeccomp:") != NULL;
	kf->seccomp_filter = read_small(root, "/proc/sys/kernel/seccomp/actions_avail",
	                                kf->actions_avail, sizeof kf->actions_avail) == 0;
	if (!kf->seccomp_filter) kf->actions_avail[0] = '\0';
	long l = read_long(root, "/proc/sys/kernel/cap_last_cap");
	kf->cap_last_cap = l == KF_UNKNOWN || l < 0 || l > 63 ? -1 : (int)l;
	kf->kptr_restrict = read_long(root, "/proc/sys/kernel/kptr_restrict");
	kf->dmesg_restrict = read_long(root, "/proc/sys/kernel/dmesg_restrict");
	kf->perf_event_paranoid = read_long(root, "/proc/sys/kernel/perf_event_paranoid");
	kf->unprivileged_bpf_disabled =
	        read_long(root, "/proc/sys/kernel/unprivileged_bpf_disabled");
	kf->ptrace_scope = read_long(root, "/proc/sys/kernel/yama/ptrace_scope");
	kf->kexec_load_disabled = read_long(root, "/proc/sys/kernel/kexec_load_disabled");
	kf->modules_disabled = read_long(root, "/proc/sys/kernel/modules_disabled");
	kf->max_user_namespaces = read_long(root, "/proc/sys/user/max_user_namespaces");
	kf->unprivileged_userns_clone =
	        read_long(root, "/proc/sys/kernel/unprivileged_userns_clone");
	/* "none [integrity] confidentiality": the bracketed word is in force. */
	if (read_small(root, "/sys/kernel/security/lockdown", buf, 256) == 0) {
		char *o = strchr(buf, '['), *c = o ? strchr(o, ']') : NULL;
		if (o && c && (size_t)(c - o - 1) < sizeof kf->lockdown) {
			memcpy(kf->lockdown, o + 1, (size_t)(c - o - 1));
			kf->lockdown[c - o - 1] = '\0';
		}
	}
	struct utsname u;
	if (!root[0] && uname(&u) == 0) {
		if (snprintf(kf->release, sizeof kf->release, "%s", u.release) >=
		    (int)sizeof kf->release)
			kf->release[0] = '\0';
		if (snprintf(kf->machine, sizeof kf->machine, "%s", u.machine) >=
		    (int)sizeof kf->machine)
			kf->machine[0] = '\0';
	} else {
		read_small(root, "/proc/sys/kernel/osrelease", kf->release, sizeof kf->release);
		read_small(root, "/proc/sys/kernel/arch", kf->machine, sizeof kf->machine);
	}
	if (sscanf(kf->release, "%d.%d", &kf->major, &kf->minor) != 2) kf->major = kf->minor = 0;
}

static void add_long(cJSON *o, const char *k, long v)
{
	if (v == KF_UNKNOWN) cJSON_AddNullToObject(o, k);
	else cJSON_AddNumberToObject(o, k, (double)v);
}

cJSON *kernel_facts_json(const struct kernel_facts *kf)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "release", kf->release);
	cJSON_AddStringToObject(o, "machine", kf->machine);
	if (kf->seccomp == KF_UNKNOWN) cJSON_AddNullToObject(o, "seccomp");
	else cJSON_AddBoolToObject(o, "seccomp", kf->seccomp);
	cJSON_AddBoolToObject(o, "seccomp_filter", kf->seccomp_filter);
	cJSON *acts = cJSON_AddArrayToObject(o, "seccomp_actions_avail");
	char tmp[sizeof kf->actions_avail];
	snprintf(tmp, sizeof tmp, "%s", kf->actions_avail);
	for (char *save = NULL, *t = strtok_r(tmp, " \t", &save); t;
	     t = strtok_r(NULL, " \t", &save))
		cJSON_AddItemToArray(acts, cJSON_CreateString(t));
	add_long(o, "cap_last_cap", kf->cap_last_cap < 0 ? KF_UNKNOWN : kf->cap_last_cap);
	cJSON *s = cJSON_AddObjectToObject(o, "sysctl");
	add_long(s, "kptr_restrict", kf->kptr_restrict);
	add_long(s, "dmesg_restrict", kf->dmesg_restrict);
	add_long(s, "perf_event_paranoid", kf->perf_event_paranoid);
	add_long(s, "unprivileged_bpf_disabled", kf->unprivileged_bpf_disabled);
	add_long(s, "yama_ptrace_scope", kf->ptrace_scope);
	add_long(s, "kexec_load_disabled", kf->kexec_load_disabled);
	add_long(s, "modules_disabled", kf->modules_disabled);
	add_long(s, "max_user_namespaces", kf->max_user_namespaces);
	add_long(s, "unprivileged_userns_clone", kf->unprivileged_userns_clone);
	if (kf->lockdown[0]) cJSON_AddStringToObject(o, "lockdown", kf->lockdown);
	else cJSON_AddNullToObject(o, "lockdown");
	return o;
}

int kernel_weak_settings(const struct kernel_facts *kf, char out[][96], int max)
{
	int n = 0;
#define WEAK(cond, ...)                                                     \
	do {                                                                \
		if ((cond) && n < max) snprintf(out[n++], 96, __VA_ARGS__); \
	} while (0)
	/* Kernel addresses and the log help an exploit aim; unprivileged BPF
	 * and perf are the kernel surface most container escapes went through. */
	WEAK(kf->kptr_restrict == 0, "kptr_restrict=0 (kernel pointers shown to everyone)");
	WEAK(kf->dmesg_restrict == 0, "dmesg_restrict=0 (kernel log readable by everyone)");
	WEAK(kf->perf_event_paranoid != KF_UNKNOWN && kf->perf_event_paranoid < 2,
	     "perf_event_paranoid=%ld (unprivileged kernel profiling)", kf->perf_event_paranoid);
	WEAK(kf->unprivileged_bpf_disabled == 0, "unprivileged_bpf_disabled=0 (unprivileged eBPF)");
	WEAK(kf->ptrace_scope == 0,
	     "yama ptrace_scope=0 (any process may trace its user's others)");
#undef WEAK
	return n;
}
