/* seccomp_profile: see seccomp_profile.h. */
#include "seccomp_profile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "seccomp_bpf.h"

#define EPERM_ 1

int sc_scmp_action(const char *name, long errno_ret, uint32_t *ret)
{
	/* SCMP_ACT_ERRNO(x) in libseccomp keeps the low 16 bits (runc and crun pass it on) */
	uint32_t data = errno_ret < 0 ? EPERM_ : (uint32_t)errno_ret & 0xffffu;
	if (!strcmp(name, "SCMP_ACT_KILL") || !strcmp(name, "SCMP_ACT_KILL_THREAD"))
		*ret = SC_RET_KILL_THREAD;
	else if (!strcmp(name, "SCMP_ACT_KILL_PROCESS")) *ret = SC_RET_KILL_PROCESS;
	else if (!strcmp(name, "SCMP_ACT_TRAP")) *ret = SC_RET_TRAP;
	else if (!strcmp(name, "SCMP_ACT_ERRNO")) *ret = SC_RET_ERRNO | data;
	else if (!strcmp(name, "SCMP_ACT_TRACE")) *ret = SC_RET_TRACE | data;
	else if (!strcmp(name, "SCMP_ACT_ALLOW")) *ret = SC_RET_ALLOW;
	else if (!strcmp(name, "SCMP_ACT_LOG")) *ret = SC_RET_LOG;
	else if (!strcmp(name, "SCMP_ACT_NOTIFY")) *ret = SC_RET_USER_NOTIF;
	else return -1;
	return 0;
}

static long num_or(const cJSON *o, const char *key, long dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	/* bounded before the conversion: (long) of 2e91 is undefined behaviour;
	 * no index or errno is anywhere near 2^32 */
	return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 4294967296.0
	               ? (long)v->valuedouble
	               : dflt;
}

/* Moby names the daemon's architecture as Go does. */
static const char *goarch(enum sc_arch a)
{
	switch (a) {
	case SC_ARCH_X86_64: return "amd64";
	case SC_ARCH_I386: return "386";
	case SC_ARCH_AARCH64: return "arm64";
	case SC_ARCH_ARM: return "arm";
	default: return "";
	}
}

static int str_in(const cJSON *arr, const char *s)
{
	const cJSON *it;
	cJSON_ArrayForEach (it, arr)
		if (cJSON_IsString(it) && !strcmp(it->valuestring, s)) return 1;
	return 0;
}

static int has_items(const cJSON *arr) { return cJSON_IsArray(arr) && arr->child; }

/* "4.8" -> 4, 8; -1 if malformed. */
static int parse_kver(const char *s, int *maj, int *min)
{
	char *e;
	errno = 0;
	long a = strtol(s, &e, 10);
	if (errno || e == s || *e != '.') return -1;
	const char *m = e + 1;
	long b = strtol(m, &e, 10);
	if (errno || e == m) return -1;
	*maj = (int)a;
	*min = (int)b;
	return 0;
}

static int kernel_at_least(const struct sc_profile_ctx *ctx, const char *minv)
{
	int maj, min;
	if (ctx->kernel_major == 0 && ctx->kernel_minor == 0) return 1;
	if (parse_kver(minv, &maj, &min) < 0)
		return 1; /* moby refuses such a profile; be permissive */
	return ctx->kernel_major > maj || (ctx->kernel_major == maj && ctx->kernel_minor >= min);
}

static int has_cap(const struct sc_profile_ctx *ctx, const char *name)
{
	int b = cap_from_name(name);
	return b >= 0 && (ctx->caps & CAP_BIT(b));
}

/* Does the rule apply on this engine, for these capabilities (moby's
 * includes/excludes)? */
static int rule_applies(const cJSON *rule, const struct sc_profile_ctx *ctx)
{
	const char *ga = goarch(ctx->native);
	const cJSON *inc = cJSON_GetObjectItemCaseSensitive(rule, "includes");
	const cJSON *exc = cJSON_GetObjectItemCaseSensitive(rule, "excludes");
	if (cJSON_IsObject(inc)) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(inc, "arches");
		if (has_items(a) && !str_in(a, ga)) return 0;
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(inc, "caps"), *it;
		if (has_items(c))
			cJSON_ArrayForEach (it, c)
				if (!cJSON_IsString(it) || !has_cap(ctx, it->valuestring)) return 0;
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(inc, "minKernel");
		if (cJSON_IsString(k) && !kernel_at_least(ctx, k->valuestring)) return 0;
	}
	if (cJSON_IsObject(exc)) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(exc, "arches");
		if (has_items(a) && str_in(a, ga)) return 0;
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(exc, "caps"), *it;
		if (has_items(c))
			cJSON_ArrayForEach (it, c)
				if (cJSON_IsString(it) && has_cap(ctx, it->valuestring)) return 0;
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(exc, "minKernel");
		if (cJSON_IsString(k) && kernel_at_least(ctx, k->valuestring)) return 0;
	}
	return 1;
}

static int rule_names(const cJSON *rule, const char *name)
{
	const cJSON *names = cJSON_GetObjectItemCaseSensitive(rule, "names");
	if (cJSON_IsArray(names)) return str_in(names, name);
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(rule, "name");
	return cJSON_IsString(n) && !strcmp(n->valuestring, name);
}

static int get_u64(const cJSON *o, const char *key, uint64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!v) {
		*out = 0;
		return 0;
	}
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble >= 18446744073709551616.0)
		return -1; /* 2^64 */
	*out = v->valuedouble >= 9223372036854775808.0
	               ? (uint64_t)(v->valuedouble - 9223372036854775808.0) + (1ull << 63)
	               : (uint64_t)v->valuedouble;
	return 0;
}

/* 1: every condition holds for args; 0: one does not; -1: malformed. */
static int args_match(const cJSON *conds, const uint64_t args[6])
{
	const cJSON *c;
	cJSON_ArrayForEach (c, conds) {
		long idx = num_or(c, "index", -1);
		const cJSON *op = cJSON_GetObjectItemCaseSensitive(c, "op");
		uint64_t v, v2;
		if (idx < 0 || idx > 5 || !cJSON_IsString(op) || get_u64(c, "value", &v) < 0 ||
		    get_u64(c, "valueTwo", &v2) < 0)
			return -1;
		uint64_t a = args[idx];
		const char *o = op->valuestring;
		int ok;
		if (!strcmp(o, "SCMP_CMP_NE")) ok = a != v;
		else if (!strcmp(o, "SCMP_CMP_LT")) ok = a < v;
		else if (!strcmp(o, "SCMP_CMP_LE")) ok = a <= v;
		else if (!strcmp(o, "SCMP_CMP_EQ")) ok = a == v;
		else if (!strcmp(o, "SCMP_CMP_GE")) ok = a >= v;
		else if (!strcmp(o, "SCMP_CMP_GT")) ok = a > v;
		else if (!strcmp(o, "SCMP_CMP_MASKED_EQ")) ok = (a & v) == v2;
		else return -1;
		if (!ok) return 0;
	}
	return 1;
}

int sc_profile_check(const cJSON *prof, ea_error_t *err)
{
	uint32_t r;
	const cJSON *da = cJSON_GetObjectItemCaseSensitive(prof, "defaultAction");
	if (!cJSON_IsObject(prof) || !cJSON_IsString(da))
		return ea_fail(err, EA_E_FORMAT, "seccomp profile without a defaultAction");
	if (sc_scmp_action(da->valuestring, -1, &r) < 0)
		return ea_fail(err, EA_E_FORMAT, "seccomp profile: unknown defaultAction '%.40s'",
		               da->valuestring);
	const cJSON *sys = cJSON_GetObjectItemCaseSensitive(prof, "syscalls"), *rule;
	if (sys && !cJSON_IsNull(sys) && !cJSON_IsArray(sys))
		return ea_fail(err, EA_E_FORMAT, "seccomp profile: syscalls is not an array");
	int i = 0;
	cJSON_ArrayForEach (rule, sys) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(rule, "action");
		if (!cJSON_IsObject(rule) || !cJSON_IsString(a) ||
		    sc_scmp_action(a->valuestring, -1, &r) < 0)
			return ea_fail(err, EA_E_FORMAT,
			               "seccomp profile: rule %d has no known action", i);
		const cJSON *args = cJSON_GetObjectItemCaseSensitive(rule, "args");
		if (args && !cJSON_IsNull(args) && !cJSON_IsArray(args))
			return ea_fail(err, EA_E_FORMAT,
			               "seccomp profile: rule %d: args is not an array", i);
		uint64_t zero[6] = {0};
		if (cJSON_IsArray(args) && args_match(args, zero) < 0)
			return ea_fail(
			        err, EA_E_FORMAT,
			        "seccomp profile: rule %d has a malformed argument condition", i);
		i++;
	}
	return 0;
}

unsigned sc_profile_arches(const cJSON *prof, const struct sc_profile_ctx *ctx)
{
	unsigned mask = 0;
	const cJSON *it;
	const cJSON *archs = cJSON_GetObjectItemCaseSensitive(prof, "architectures");
	const cJSON *map = cJSON_GetObjectItemCaseSensitive(prof, "archMap");
	if (has_items(archs)) {
		cJSON_ArrayForEach (it, archs) {
			int a = cJSON_IsString(it) ? sc_arch_from_scmp(it->valuestring) : -1;
			if (a >= 0) mask |= 1u << a;
		}
		return mask;
	}
	if (has_items(map)) {
		/* The engine keeps the entry of its own architecture. */
		cJSON_ArrayForEach (it, map) {
			const cJSON *a = cJSON_GetObjectItemCaseSensitive(it, "architecture");
			if (!cJSON_IsString(a) ||
			    sc_arch_from_scmp(a->valuestring) != (int)ctx->native)
				continue;
			mask |= 1u << ctx->native;
			const cJSON *sub = cJSON_GetObjectItemCaseSensitive(it, "subArchitectures"),
			            *s;
			cJSON_ArrayForEach (s, sub) {
				int b = cJSON_IsString(s) ? sc_arch_from_scmp(s->valuestring) : -1;
				if (b >= 0) mask |= 1u << b;
			}
		}
		if (mask) return mask;
	}
	/* Neither: libseccomp's filter has the native architecture only. */
	return 1u << ctx->native;
}

int sc_profile_eval(const cJSON *prof, const struct sc_profile_ctx *ctx, enum sc_arch arch,
                    const struct sc_syscall *sc, struct sc_eval *out, ea_error_t *err)
{
	memset(out, 0, sizeof *out);
	if (sc_profile_check(prof, err) < 0) return -1;
	if (sc->nr[arch] < 0) {
		out->absent = 1;
		out->ret = SC_RET_ERRNO | 38; /* ENOSYS: nothing to call */
		return 0;
	}
	if (!(sc_profile_arches(prof, ctx) & (1u << arch))) {
		out->ret = SC_RET_KILL_THREAD;
		return 0;
	}
	uint64_t args[6];
	sc_syscall_args(sc, args);
	const cJSON *sys = cJSON_GetObjectItemCaseSensitive(prof, "syscalls"), *rule;
	const cJSON *uncond = NULL, *cond = NULL;
	cJSON_ArrayForEach (rule, sys) {
		if (!rule_names(rule, sc->name) || !rule_applies(rule, ctx)) continue;
		const cJSON *conds = cJSON_GetObjectItemCaseSensitive(rule, "args");
		if (!has_items(conds)) {
			if (!uncond) uncond = rule;
			continue;
		}
		out->conditional = 1;
		if (!cond && args_match(conds, args) == 1) cond = rule;
	}
	const cJSON *use = uncond ? uncond : cond;
	if (use) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(use, "action");
		sc_scmp_action(a->valuestring, num_or(use, "errnoRet", -1), &out->ret);
	} else {
		const cJSON *da = cJSON_GetObjectItemCaseSensitive(prof, "defaultAction");
		sc_scmp_action(da->valuestring, num_or(prof, "defaultErrnoRet", -1), &out->ret);
	}
	return 0;
}
