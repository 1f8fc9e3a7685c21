/*
 * kernel_facts: what the running kernel offers against container escapes,
 * read from /proc/sys, /proc/self/status and securityfs: seccomp support
 * and its actions (/proc/sys/kernel/seccomp/actions_avail), the last
 * capability, and the hardening switches kptr_restrict, dmesg_restrict,
 * perf_event_paranoid, unprivileged_bpf_disabled, yama ptrace_scope,
 * kexec_load_disabled, modules_disabled, user namespaces (max_user_namespaces
 * and Debian's unprivileged_userns_clone) and lockdown.
 *
 * Contract: reads only, each file bounded to 4 KiB; a file that is absent
 * (the kernel lacks the feature or securityfs is not mounted) is recorded as
 * null, never guessed.  kernel_weak_settings lists the switches in their
 * weak setting; the rule for each is in kernel_facts.c.
 */
#ifndef EDGEAUDIT_KERNEL_FACTS_H
#define EDGEAUDIT_KERNEL_FACTS_H

#include <cJSON.h>

#define KF_UNKNOWN (-999)

struct kernel_facts {
	int seccomp;        /* 1: CONFIG_SECCOMP (status shows Seccomp:), 0: not, KF_UNKNOWN */
	int seccomp_filter; /* 1: CONFIG_SECCOMP_FILTER (actions_avail exists) */
	char actions_avail[256];
	int cap_last_cap; /* -1 unknown */
	long kptr_restrict, dmesg_restrict, perf_event_paranoid, unprivileged_bpf_disabled,
	        ptrace_scope, kexec_load_disabled, modules_disabled, max_user_namespaces,
	        unprivileged_userns_clone; /* KF_UNKNOWN when absent */
	char lockdown[32];                 /* "none", "integrity", "confidentiality"; "" unknown */
	char release[128];                 /* uname -r */
	char machine[32];                  /* uname -m */
	int major, minor;                  /* from release; 0 unknown */
};

/* root: "" for the real /proc and /sys, or a folder holding proc/ and sys/
 * copies (tests). */
void kernel_facts_read(struct kernel_facts *kf, const char *root);
cJSON *kernel_facts_json(const struct kernel_facts *kf);
/* One "name=value (why)" string per weak setting into out[], at most max;
 * returns the count. */
int kernel_weak_settings(const struct kernel_facts *kf, char out[][96], int max);

#endif
