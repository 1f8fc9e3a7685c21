/*
 * proc: the runtime attack surface read from /proc (seccomp, no_new_privs,
 * capabilities, namespaces, container membership, what each seccomp filter
 * or profile allows) and the kernel's hardening facts.
 *
 * Contract: proc_audit adds one record per process (and one per container
 * its processes run in) to the report's model (model.h), the kernel facts
 * to report_kernel(), findings (proc.*, see findings.c),
 * and "proc" to the checked parts when the scan ran to its end.  It only
 * reads /proc, /sys and the runtimes' state and bundle files; with deep it
 * attaches with ptrace to read seccomp filters, always detaching
 * (proc_ptrace.h).  pid 0 means every process; a pid that does not exist
 * is proc.unreadable.  Bounded: every file read has a limit, at most
 * PROC_MAX_PROCS processes are kept (the rest is reported unchecked), a
 * process that exits during the scan is skipped silently, and the scan
 * stops between processes when ea_stop_requested() (budget or signal).
 * Single-threaded.
 */
#ifndef EDGEAUDIT_PROC_H
#define EDGEAUDIT_PROC_H

#include "report.h"

void proc_audit(report_t *r, int pid, int deep);

#endif
