/*
 * seccomp_bpf: our own interpreter of seccomp's classic BPF, and the
 * kernel's rule for stacked filters.
 *
 * Semantics follow the kernel, not the BPF man page:
 *  - sc_bpf_check accepts exactly what the kernel accepts for a seccomp
 *    filter: bpf_check_classic (1..4096 instructions, jumps in bounds, the
 *    last instruction a RET, DIV by constant 0 and constant shifts >= 32
 *    refused, scratch memory read only where stored on every path) and then
 *    seccomp_check_filter's instruction list (32-bit aligned loads inside
 *    struct seccomp_data, LEN loads, no MOD, no byte/half-word or indirect
 *    loads, no ancillary data).
 *  - sc_bpf_run on a checked program: A, X and 16 scratch words, unsigned
 *    32-bit arithmetic; DIV by X == 0 ends the program returning 0
 *    (SECCOMP_RET_KILL_THREAD), as the kernel's cBPF-to-eBPF conversion
 *    does; shifts by X use the low 5 bits.  Time is bounded: jumps only go
 *    forward, so a run is at most n steps.
 *  - sc_run_stack: every filter of a process runs (index 0 is the first
 *    installed: PTRACE_SECCOMP_GET_FILTER's order, see proc_ptrace.h); the
 *    result is the one whose action (ret & 0xffff0000, as a signed number)
 *    is lowest; between equal actions the most recently installed filter
 *    wins, because the kernel walks from the newest and replaces only on
 *    "strictly lower" (kernel/seccomp.c seccomp_run_filters).
 *  - ERRNO data above 4095 is clamped to 4095 (MAX_ERRNO); an action value
 *    the kernel does not know kills the process.
 *
 * Contract: pure, no allocation; struct layouts equal the kernel's
 * struct sock_filter and struct seccomp_data on every target.
 */
#ifndef EDGEAUDIT_SECCOMP_BPF_H
#define EDGEAUDIT_SECCOMP_BPF_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct sc_insn {
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};

struct sc_data {
	int32_t nr;
	uint32_t arch;
	uint64_t instruction_pointer;
	uint64_t args[6];
};

struct sc_prog {
	const struct sc_insn *insns;
	size_t n;
};

#define SC_BPF_MAXINSNS 4096

/* include/uapi/linux/seccomp.h */
#define SC_RET_KILL_PROCESS 0x80000000u
#define SC_RET_KILL_THREAD  0x00000000u
#define SC_RET_TRAP         0x00030000u
#define SC_RET_ERRNO        0x00050000u
#define SC_RET_USER_NOTIF   0x7fc00000u
#define SC_RET_TRACE        0x7ff00000u
#define SC_RET_LOG          0x7ffc0000u
#define SC_RET_ALLOW        0x7fff0000u
#define SC_RET_ACTION_FULL  0xffff0000u
#define SC_RET_DATA         0x0000ffffu

int sc_bpf_check(const struct sc_insn *p, size_t n, ea_error_t *err);

/* *read_args (optional) is set to 1 when the run loaded the instruction
 * pointer or an argument: the answer depends on more than nr and arch. */
uint32_t sc_bpf_run(const struct sc_insn *p, size_t n, const struct sc_data *d, int *read_args);

/* All filters of one thread, progs[0] first installed. */
uint32_t sc_run_stack(const struct sc_prog *progs, size_t nprogs, const struct sc_data *d,
                      int *read_args);

/* What the kernel does with ret: "allow", "log", "errno:N" (N clamped),
 * "trap", "trace", "user_notif", "kill_thread", "kill_process". */
void sc_action_str(uint32_t ret, char *buf, size_t n);
/* 1 when ret lets the syscall run (allow, log) or hands the decision to a
 * supervisor that may let it run (trace, user_notif). */
int sc_action_permits(uint32_t ret);

#endif
