/*
 * known_filters: hand-assembled seccomp programs with known answers, shared
 * by the probe (tests/helpers/seccomp_probe.c, which lets the kernel run
 * them) and the unit tests (tests/unit/test_seccomp_bpf.c, which check our
 * interpreter's answers).  Numbers are x86_64's and i386's.
 *
 *  KF_DENY     arch switch; x86_64: mount ERRNO(13), ptrace KILL_THREAD,
 *              bpf TRAP, unshare ERRNO(1) when CLONE_NEWUSER is in the
 *              flags (else ALLOW), keyctl ERRNO(5000: the kernel clamps it
 *              to 4095), setns LOG, kexec_load KILL_PROCESS, everything
 *              else ALLOW; i386: mount ERRNO(14), the rest ALLOW; other
 *              architectures KILL_PROCESS.
 *  KF_ALU      x86_64 syscalls numbered 300 and up (but seccomp, 317) get
 *              ERRNO(nr & 0xff) computed with ALU, scratch memory, TAX/TXA,
 *              LEN and RET A; below 300 ALLOW; i386: ERRNO(nr & 0x3f).
 *  KF_STACK_A  mount ERRNO(10), else ALLOW (5 instructions)
 *  KF_STACK_B  mount ERRNO(20), umount2 TRAP, else ALLOW (7 instructions);
 *              installed after A, mount gives 20: between equal actions the
 *              newest filter wins.
 */
#ifndef EDGEAUDIT_KNOWN_FILTERS_H
#define EDGEAUDIT_KNOWN_FILTERS_H

#include <stddef.h>
#include <stdint.h>

struct kf_insn { uint16_t code; uint8_t jt, jf; uint32_t k; };

#define KF_LD_W_ABS 0x20
#define KF_LD_W_LEN 0x80
#define KF_LD_IMM 0x00
#define KF_LD_MEM 0x60
#define KF_ST 0x02
#define KF_STX 0x03
#define KF_JEQ_K 0x15
#define KF_JGE_K 0x35
#define KF_JGT_K 0x25
#define KF_JSET_K 0x45
#define KF_JA 0x05
#define KF_RET_K 0x06
#define KF_RET_A 0x16
#define KF_ALU_ADD_K 0x04
#define KF_ALU_SUB_X 0x1c
#define KF_ALU_MUL_K 0x24
#define KF_ALU_DIV_K 0x34
#define KF_ALU_AND_K 0x54
#define KF_ALU_OR_K 0x44
#define KF_ALU_LSH_K 0x64
#define KF_ALU_RSH_K 0x74
#define KF_ALU_NEG 0x84
#define KF_ALU_XOR_X 0xac
#define KF_TAX 0x07
#define KF_TXA 0x87

#define KF_ARCH_X86_64 0xc000003eu
#define KF_ARCH_I386 0x40000003u
#define KF_ALLOW 0x7fff0000u
#define KF_LOG 0x7ffc0000u
#define KF_ERRNO(n) (0x00050000u | (n))
#define KF_TRAP 0x00030000u
#define KF_KILL_THREAD 0x00000000u
#define KF_KILL_PROCESS 0x80000000u

#define KF_S(c, jt, jf, k) {(c), (jt), (jf), (k)}

static const struct kf_insn kf_deny[] = {
	/* 0 */ KF_S(KF_LD_W_ABS, 0, 0, 4),
	/* 1 */ KF_S(KF_JEQ_K, 3, 0, KF_ARCH_X86_64),
	/* 2 */ KF_S(KF_JEQ_K, 21, 0, KF_ARCH_I386),
	/* 3 */ KF_S(KF_RET_K, 0, 0, KF_KILL_PROCESS),
	/* 4 unused */ KF_S(KF_RET_K, 0, 0, KF_KILL_PROCESS),
	/* 5 */ KF_S(KF_LD_W_ABS, 0, 0, 0),
	/* 6 */ KF_S(KF_JEQ_K, 0, 1, 165), /* mount */
	/* 7 */ KF_S(KF_RET_K, 0, 0, KF_ERRNO(13)),
	/* 8 */ KF_S(KF_JEQ_K, 0, 1, 101), /* ptrace */
	/* 9 */ KF_S(KF_RET_K, 0, 0, KF_KILL_THREAD),
	/* 10 */ KF_S(KF_JEQ_K, 0, 1, 321), /* bpf */
	/* 11 */ KF_S(KF_RET_K, 0, 0, KF_TRAP),
	/* 12 */ KF_S(KF_JEQ_K, 0, 4, 272), /* unshare */
	/* 13 */ KF_S(KF_LD_W_ABS, 0, 0, 16), /* args[0], low word (little-endian) */
	/* 14 */ KF_S(KF_JSET_K, 0, 1, 0x10000000), /* CLONE_NEWUSER */
	/* 15 */ KF_S(KF_RET_K, 0, 0, KF_ERRNO(1)),
	/* 16 */ KF_S(KF_RET_K, 0, 0, KF_ALLOW),
	/* 17 */ KF_S(KF_JEQ_K, 0, 1, 250), /* keyctl */
	/* 18 */ KF_S(KF_RET_K, 0, 0, KF_ERRNO(5000)),
	/* 19 */ KF_S(KF_JEQ_K, 0, 1, 308), /* setns */
	/* 20 */ KF_S(KF_RET_K, 0, 0, KF_LOG),
	/* 21 */ KF_S(KF_JEQ_K, 0, 1, 246), /* kexec_load */
	/* 22 */ KF_S(KF_RET_K, 0, 0, KF_KILL_PROCESS),
	/* 23 */ KF_S(KF_RET_K, 0, 0, KF_ALLOW),
	/* 24 i386 */ KF_S(KF_LD_W_ABS, 0, 0, 0),
	/* 25 */ KF_S(KF_JEQ_K, 0, 1, 21), /* mount on i386 */
	/* 26 */ KF_S(KF_RET_K, 0, 0, KF_ERRNO(14)),
	/* 27 */ KF_S(KF_RET_K, 0, 0, KF_ALLOW),
};

static const struct kf_insn kf_alu[] = {
	/* 0 */ KF_S(KF_LD_W_ABS, 0, 0, 4),
	/* 1 */ KF_S(KF_JEQ_K, 5, 0, KF_ARCH_X86_64),
	/* i386: ERRNO(nr & 0x3f) */
	/* 2 */ KF_S(KF_LD_W_ABS, 0, 0, 0),
	/* 3 */ KF_S(KF_ALU_AND_K, 0, 0, 0x3f),
	/* 4 */ KF_S(KF_ALU_OR_K, 0, 0, 0x00050000),
	/* 5 */ KF_S(KF_RET_A, 0, 0, 0),
	/* 6 unused */ KF_S(KF_RET_K, 0, 0, KF_KILL_PROCESS),
	/* 7 x86_64 */ KF_S(KF_LD_W_ABS, 0, 0, 0),
	/* 8 */ KF_S(KF_ST, 0, 0, 3),               /* M[3] = nr */
	/* 9 */ KF_S(KF_ALU_MUL_K, 0, 0, 6),        /* A = 6nr */
	/* 10 */ KF_S(KF_ALU_DIV_K, 0, 0, 3),       /* A = 2nr */
	/* 11 */ KF_S(KF_ALU_RSH_K, 0, 0, 1),       /* A = nr */
	/* 12 */ KF_S(KF_TAX, 0, 0, 0),             /* X = nr */
	/* 13 */ KF_S(KF_LD_MEM, 0, 0, 3),          /* A = nr */
	/* 14 */ KF_S(KF_ALU_XOR_X, 0, 0, 0),       /* A = 0 */
	/* 15 */ KF_S(KF_JEQ_K, 1, 0, 0),
	/* 16 */ KF_S(KF_RET_K, 0, 0, KF_KILL_PROCESS), /* the ALU went wrong */
	/* 17 */ KF_S(KF_LD_W_LEN, 0, 0, 0),        /* A = 64 */
	/* 18 */ KF_S(KF_JEQ_K, 1, 0, 64),
	/* 19 */ KF_S(KF_RET_K, 0, 0, KF_KILL_PROCESS),
	/* 20 */ KF_S(KF_TXA, 0, 0, 0),             /* A = nr */
	/* 21 */ KF_S(KF_JEQ_K, 7, 0, 317),         /* seccomp: allow */
	/* 22 */ KF_S(KF_JGE_K, 0, 6, 300),
	/* 23 */ KF_S(KF_ALU_NEG, 0, 0, 0),         /* -nr */
	/* 24 */ KF_S(KF_ALU_NEG, 0, 0, 0),         /* nr */
	/* 25 */ KF_S(KF_ALU_LSH_K, 0, 0, 24),      /* keep the low byte ... */
	/* 26 */ KF_S(KF_ALU_RSH_K, 0, 0, 24),      /* ... */
	/* 27 */ KF_S(KF_ALU_ADD_K, 0, 0, 0x00050000),
	/* 28 */ KF_S(KF_RET_A, 0, 0, 0),
	/* 29 */ KF_S(KF_RET_K, 0, 0, KF_ALLOW),
};

static const struct kf_insn kf_stack_a[] = {
	KF_S(KF_LD_W_ABS, 0, 0, 0),
	KF_S(KF_JEQ_K, 0, 1, 165),
	KF_S(KF_RET_K, 0, 0, KF_ERRNO(10)),
	KF_S(KF_JA, 0, 0, 0),
	KF_S(KF_RET_K, 0, 0, KF_ALLOW),
};

static const struct kf_insn kf_stack_b[] = {
	KF_S(KF_LD_W_ABS, 0, 0, 4),
	KF_S(KF_LD_W_ABS, 0, 0, 0),
	KF_S(KF_JEQ_K, 0, 1, 165),
	KF_S(KF_RET_K, 0, 0, KF_ERRNO(20)),
	KF_S(KF_JEQ_K, 0, 1, 166), /* umount2 */
	KF_S(KF_RET_K, 0, 0, KF_TRAP),
	KF_S(KF_RET_K, 0, 0, KF_ALLOW),
};

struct kf_named { const char *name; const struct kf_insn *p; size_t n; };
static const struct kf_named kf_all[] = {
	{"deny", kf_deny, sizeof kf_deny / sizeof kf_deny[0]},
	{"alu", kf_alu, sizeof kf_alu / sizeof kf_alu[0]},
	{"stack_a", kf_stack_a, sizeof kf_stack_a / sizeof kf_stack_a[0]},
	{"stack_b", kf_stack_b, sizeof kf_stack_b / sizeof kf_stack_b[0]},
};

#endif
