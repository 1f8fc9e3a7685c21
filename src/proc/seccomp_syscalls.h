/*
 * seccomp_syscalls: the audit architectures and the dangerous syscall set.
 *
 * The set is the default profile's never-allowed and capability-gated
 * syscalls (moby/profiles seccomp/default.json), split in two classes:
 *  - dangerous: a way out of a container or into the kernel (mount and the
 *    new mount API, setns, unshare/clone with namespace flags, clone3 whose
 *    flags a filter cannot see, kexec, module loading, bpf,
 *    open_by_handle_at, the kernel keyring, port I/O, reboot);
 *  - risky: attack surface or host state, not an escape by itself (ptrace,
 *    which moby allows on kernels >= 4.8 since the filter bypass through it
 *    was closed, process_vm_*, perf, userfaultfd, io_uring, clock setting,
 *    swap, quota, acct and obsolete syscalls).
 * Each syscall has one argument vector the evaluation uses: zeros, or for
 * clone and unshare the namespace flags the default profile masks
 * (CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET = 0x7e020000),
 * so "allowed" means "allowed to make namespaces", not "allowed to fork".
 *
 * The numbers are generated (seccomp_nr.c, tests/helpers/gen_syscalls.sh).
 * Contract: pure tables and lookups.
 */
#ifndef EDGEAUDIT_SECCOMP_SYSCALLS_H
#define EDGEAUDIT_SECCOMP_SYSCALLS_H

#include <stdint.h>

enum sc_arch { SC_ARCH_X86_64 = 0, SC_ARCH_I386, SC_ARCH_AARCH64, SC_ARCH_ARM, SC_ARCH_COUNT };
enum sc_class { SC_CLASS_DANGEROUS = 0, SC_CLASS_RISKY };
enum sc_args { SC_ARGS_ZERO = 0, SC_ARGS_NS };

#define SC_NS_FLAGS 0x7e020000u

struct sc_syscall {
	const char *name;
	enum sc_class cls;
	enum sc_args args;
	int nr[SC_ARCH_COUNT]; /* -1: the syscall does not exist there */
};
extern const struct sc_syscall sc_syscalls[];
extern const unsigned sc_syscalls_count;

const struct sc_syscall *sc_syscall_lookup(const char *name);
/* The argument vector the evaluation uses for s. */
void sc_syscall_args(const struct sc_syscall *s, uint64_t args[6]);

/* AUDIT_ARCH_* value (include/uapi/linux/audit.h). */
uint32_t sc_arch_audit(enum sc_arch a);
/* "x86_64", "i386", "aarch64", "arm". */
const char *sc_arch_name(enum sc_arch a);
/* From an AUDIT_ARCH_* value; -1 if not one of the four. */
int sc_arch_from_audit(uint32_t audit);
/* From "SCMP_ARCH_X86_64" etc.; -1 if not one of the four. */
int sc_arch_from_scmp(const char *s);
/* The architectures a process on this machine (uname -m) can make syscalls
 * in: the native one and its compat one (x86_64: x86_64 and i386 through
 * int 0x80; aarch64: aarch64 and arm when the CPU runs AArch32).  Returns
 * how many were put in out[0..1]; 0 for a machine outside the four. */
int sc_host_arches(const char *machine, enum sc_arch out[2]);

#endif
