/*
 * seccomp_profile: what a seccomp profile (JSON) would let a process do,
 * without compiling it: per architecture, the action the generated filter
 * returns for each dangerous syscall (seccomp_syscalls.h) with its
 * argument vector.
 *
 * Reads both forms:
 *  - the OCI runtime spec's linux.seccomp in a bundle's config.json
 *    (defaultAction, defaultErrnoRet, architectures, syscalls[] with
 *    names, action, errnoRet, args[] {index, value, valueTwo, op});
 *  - the profile files of Docker/Moby and containers/common (archMap,
 *    syscalls[].includes/excludes {caps, arches, minKernel}, and the old
 *    form's "name" and "architectures"), resolved as the engine resolves them
 *    before it writes the OCI spec: includes.arches/excludes.arches name the
 *    daemon's own Go architecture (amd64, 386, arm64, arm), all includes
 *    must hold, any exclude removes the rule.
 *
 * Resolution of one syscall: the rules that name it and apply; an
 * unconditional rule decides; else the first rule whose argument
 * conditions all hold for the vector (SCMP_CMP_NE/LT/LE/EQ/GE/GT on 64-bit
 * unsigned values, MASKED_EQ: (arg & value) == valueTwo); else
 * defaultAction.  ERRNO without errnoRet is EPERM (runc, crun).  An
 * architecture the profile does not list gets no branch in the filter:
 * libseccomp's bad-architecture action, kill_thread.
 *
 * Contract: pure; results are kernel return values (seccomp_bpf.h), so a
 * profile's answer and a filter's answer compare directly.
 */
#ifndef EDGEAUDIT_SECCOMP_PROFILE_H
#define EDGEAUDIT_SECCOMP_PROFILE_H

#include <cJSON.h>
#include <stdint.h>

#include "seccomp_syscalls.h"
#include "util.h"

struct sc_profile_ctx {
	enum sc_arch native;            /* the engine's (host's) architecture */
	uint64_t caps;                  /* the container's capabilities (bounding set) */
	int kernel_major, kernel_minor; /* for minKernel; 0.0: every minKernel holds */
};

struct sc_eval {
	uint32_t ret;    /* kernel return value */
	int conditional; /* the syscall has argument-dependent rules */
	int absent;      /* the syscall does not exist on this architecture */
};

/* Validate the profile's shape (defaultAction known, syscalls an array of
 * objects with names and a known action). */
int sc_profile_check(const cJSON *prof, ea_error_t *err);
/* Architectures the profile's filter covers: bit (1 << sc_arch). */
unsigned sc_profile_arches(const cJSON *prof, const struct sc_profile_ctx *ctx);
int sc_profile_eval(const cJSON *prof, const struct sc_profile_ctx *ctx, enum sc_arch arch,
                    const struct sc_syscall *sc, struct sc_eval *out, ea_error_t *err);
/* Kernel return value of an SCMP_ACT_* name with its errno (-1: none given). */
int sc_scmp_action(const char *name, long errno_ret, uint32_t *ret);

#endif
