/*
 * proc: the runtime attack surface read from /proc (seccomp, no_new_privs,
 * capabilities, namespaces, container membership).
 *
 * Contract: proc_audit adds processes and findings to the report; it only
 * reads /proc (and, with deep, attaches with ptrace to read seccomp filters,
 * always detaching).  pid 0 means every process.
 */
#ifndef EDGEAUDIT_PROC_H
#define EDGEAUDIT_PROC_H

#include "report.h"

void proc_audit(report_t *r, int pid, int deep);

#endif
