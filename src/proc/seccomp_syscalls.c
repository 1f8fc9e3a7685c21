/* seccomp_syscalls: see seccomp_syscalls.h. */
#include "seccomp_syscalls.h"

#include <string.h>

/* include/uapi/linux/audit.h: EM_* | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE */
static const uint32_t audit_arch[SC_ARCH_COUNT] = {
        [SC_ARCH_X86_64] = 0xc000003eu,  /* EM_X86_64 62 */
        [SC_ARCH_I386] = 0x40000003u,    /* EM_386 3 */
        [SC_ARCH_AARCH64] = 0xc00000b7u, /* EM_AARCH64 183 */
        [SC_ARCH_ARM] = 0x40000028u,     /* EM_ARM 40 */
};
static const char *const arch_names[SC_ARCH_COUNT] = {"x86_64", "i386", "aarch64", "arm"};
static const char *const scmp_names[SC_ARCH_COUNT] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86",
                                                      "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"};

const struct sc_syscall *sc_syscall_lookup(const char *name)
{
	for (unsigned i = 0; i < sc_syscalls_count; i++)
		if (!strcmp(sc_syscalls[i].name, name)) return &sc_syscalls[i];
	return NULL;
}

void sc_syscall_args(const struct sc_syscall *s, uint64_t args[6])
{
	memset(args, 0, 6 * sizeof args[0]);
	if (s->args == SC_ARGS_NS) args[0] = SC_NS_FLAGS;
}

uint32_t sc_arch_audit(enum sc_arch a) { return (unsigned)a < SC_ARCH_COUNT ? audit_arch[a] : 0; }

const char *sc_arch_name(enum sc_arch a)
{
	return (unsigned)a < SC_ARCH_COUNT ? arch_names[a] : "unknown";
}

int sc_arch_from_audit(uint32_t audit)
{
	for (int i = 0; i < SC_ARCH_COUNT; i++)
		if (audit_arch[i] == audit) return i;
	return -1;
}

int sc_arch_from_scmp(const char *s)
{
	for (int i = 0; i < SC_ARCH_COUNT; i++)
		if (!strcmp(scmp_names[i], s)) return i;
	return -1;
}

int sc_host_arches(const char *m, enum sc_arch out[2])
{
	if (!strcmp(m, "x86_64")) {
		out[0] = SC_ARCH_X86_64;
		out[1] = SC_ARCH_I386;
		return 2;
	}
	if (!strcmp(m, "aarch64") || !strcmp(m, "arm64")) {
		out[0] = SC_ARCH_AARCH64;
		out[1] = SC_ARCH_ARM;
		return 2;
	}
	if (!strncmp(m, "arm", 3)) { /* armv7l, armv6l, armv8l (AArch32 on a 64-bit CPU) */
		out[0] = SC_ARCH_ARM;
		return 1;
	}
	if (m[0] == 'i' && m[1] && !strcmp(m + 2, "86")) {
		out[0] = SC_ARCH_I386;
		return 1;
	}
	return 0;
}
