/*
 * proc_status: the fields of /proc/<pid>/status the audit needs (proc(5)).
 *
 * Contract: proc_status_parse is pure: it reads the text of one status file
 * (any length; lines over 4 KiB or fields it does not know are skipped) and
 * fills what it finds.  A field the kernel does not show (NoNewPrivs before
 * 4.10, Seccomp_filters before 5.9) stays -1, never a guessed 0.  It fails
 * (EA_E_FORMAT) only when Name or Pid is missing or a known field is
 * malformed: a status file that says less than that is not one.
 */
#ifndef EDGEAUDIT_PROC_STATUS_H
#define EDGEAUDIT_PROC_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

enum { PS_CAP_INH, PS_CAP_PRM, PS_CAP_EFF, PS_CAP_BND, PS_CAP_AMB, PS_CAP_COUNT };

struct proc_status {
	char name[64];       /* comm, as the kernel escapes it */
	char state;          /* 'R', 'S', 'Z', ... ('?' when absent) */
	int pid, ppid, tgid; /* -1 when absent */
	long uid[4], gid[4]; /* real, effective, saved, fs; -1 when absent */
	int tracer_pid;
	int kthread;         /* 1: a kernel thread (Kthread: 1, or no Vm* lines) */
	int nspid_depth;     /* number of NSpid entries: 1 = the reader's pid namespace */
	long nspid_inner;    /* pid in the innermost namespace (-1 unknown) */
	int no_new_privs;    /* 0/1, -1 unknown */
	int seccomp;         /* 0 disabled, 1 strict, 2 filter; -1 unknown (no CONFIG_SECCOMP) */
	int seccomp_filters; /* -1 unknown */
	int threads;         /* -1 unknown */
	uint64_t caps[PS_CAP_COUNT];
	unsigned caps_seen; /* bit per PS_CAP_* found */
};

int proc_status_parse(const char *text, size_t len, struct proc_status *st, ea_error_t *err);

#endif
