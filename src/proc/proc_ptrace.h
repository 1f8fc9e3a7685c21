/*
 * proc_ptrace: read a process's seccomp filters (deep mode).
 *
 * How: PTRACE_SEIZE (no signal sent, no options: the tracee is never killed
 * with us), PTRACE_INTERRUPT, wait for the stop with a deadline, then
 * PTRACE_SECCOMP_GET_FILTER for index 0, 1, ... until ENOENT (a first call
 * without a buffer gives the instruction count, a second one the program),
 * then PTRACE_DETACH, re-injecting a signal the stop caught.  Needs
 * CAP_SYS_ADMIN, a kernel with CONFIG_CHECKPOINT_RESTORE, and a Yama scope
 * that lets root attach.
 *
 * Index order, measured on this project's machines and in the kernel's
 * get_nth_filter(): index 0 is the FIRST installed filter (ptrace(2) says
 * otherwise); tests/integration/test_proc_deep.sh checks it with two
 * stacked filters of known sizes.
 *
 * Safety: signals that end edgeaudit (INT, TERM, HUP, QUIT) are blocked
 * while a process is attached and delivered after the detach, so a
 * technician's Ctrl-C never leaves a process stopped.  Every path after a
 * successful seize detaches.  A tracee that has not stopped by the
 * deadline (uninterruptible sleep) cannot be detached yet: it stays seized
 * (running, not stopped) and proc_ptrace_release_pending() detaches it
 * later; if edgeaudit exits first the kernel detaches it (exit_ptrace).
 * The process is verified to be the same one (its /proc folder, opened
 * before, still answers) while it is stopped, so a recycled pid is never
 * read as the old process.
 *
 * Bounds: at most PT_MAX_FILTERS filters of at most 4096 instructions.
 */
#ifndef EDGEAUDIT_PROC_PTRACE_H
#define EDGEAUDIT_PROC_PTRACE_H

#include <stddef.h>

#include "seccomp_bpf.h"
#include "util.h"

#define PT_MAX_FILTERS 64

struct sc_filter_set {
	size_t count;
	struct sc_insn *insns[PT_MAX_FILTERS];
	size_t n[PT_MAX_FILTERS];
};

void sc_filter_set_free(struct sc_filter_set *s);

/* Errors: EA_E_NOENT the process is gone (skip it silently);
 * EA_E_UNSUPPORTED the kernel cannot do it (no CONFIG_CHECKPOINT_RESTORE,
 * or no seccomp filter support); EA_E_IO refused (not root, Yama, already
 * traced); EA_E_INTERRUPTED no stop before the deadline; EA_E_TOOBIG more
 * than PT_MAX_FILTERS filters. */
int proc_read_filters(int pid, int procdirfd, int timeout_ms, struct sc_filter_set *out,
                      ea_error_t *err);

/* Wait up to timeout_ms for tracees left seized by a deadline and detach
 * them; returns how many are still seized. */
int proc_ptrace_release_pending(int timeout_ms);

#endif
