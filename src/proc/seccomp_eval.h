/*
 * seccomp_eval: the dangerous syscall set run through a process's filters
 * (deep mode) or a container's profile, per architecture, and how the
 * answer is shown.
 *
 * Report form (one object per source):
 *   {"x86_64": {"allow": ["ptrace", ...], "errno:1": ["mount", ...], ...},
 *    "i386": {...}, "args_checked": {"x86_64": ["clone"]}}
 * Every dangerous syscall that exists on an architecture appears under
 * exactly one action; "args_checked" names those whose answer depended on
 * the arguments (the evaluation used the vector of seccomp_syscalls.h).
 *
 * Contract: pure (no I/O); filters must have passed sc_bpf_check.
 */
#ifndef EDGEAUDIT_SECCOMP_EVAL_H
#define EDGEAUDIT_SECCOMP_EVAL_H

#include <cJSON.h>
#include <stdint.h>

#include "seccomp_bpf.h"
#include "seccomp_profile.h"
#include "seccomp_syscalls.h"

#define SE_MAX_SYSCALLS 96

struct sc_result {
	unsigned arch_mask; /* evaluated architectures */
	uint32_t ret[SC_ARCH_COUNT][SE_MAX_SYSCALLS];
	unsigned char absent[SC_ARCH_COUNT][SE_MAX_SYSCALLS];
	unsigned char argdep[SC_ARCH_COUNT][SE_MAX_SYSCALLS];
};

/* Run the stack (progs[0] first installed) for every syscall on each
 * architecture of arch_mask. */
void sc_eval_filters(const struct sc_prog *progs, size_t n, unsigned arch_mask,
                     struct sc_result *out);
/* Evaluate a profile on the architectures it covers among arch_mask. */
int sc_eval_profile(const cJSON *prof, const struct sc_profile_ctx *ctx, unsigned arch_mask,
                    struct sc_result *out, ea_error_t *err);
cJSON *sc_result_json(const struct sc_result *r);
/* "mount, setns (allow); bpf (log on x86_64)": the syscalls of class cls
 * that some architecture permits (sc_action_permits), grouped by action and
 * by the architectures where they are permitted; "" when none.  Returns
 * how many. */
int sc_result_permits(const struct sc_result *r, enum sc_class cls, char *buf, size_t n);

#endif
