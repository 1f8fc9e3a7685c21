/* seccomp_eval: see seccomp_eval.h. */
#include "seccomp_eval.h"

#include <stdio.h>
#include <string.h>

_Static_assert(SE_MAX_SYSCALLS >= 64, "room for the syscall table");

void sc_eval_filters(const struct sc_prog *progs, size_t n, unsigned arch_mask,
                     struct sc_result *out)
{
	memset(out, 0, sizeof *out);
	out->arch_mask = arch_mask;
	for (int a = 0; a < SC_ARCH_COUNT; a++) {
		if (!(arch_mask & (1u << a))) continue;
		for (unsigned i = 0; i < sc_syscalls_count && i < SE_MAX_SYSCALLS; i++) {
			const struct sc_syscall *s = &sc_syscalls[i];
			if (s->nr[a] < 0) {
				out->absent[a][i] = 1;
				continue;
			}
			struct sc_data d = {.nr = s->nr[a], .arch = sc_arch_audit((enum sc_arch)a)};
			sc_syscall_args(s, d.args);
			int dep = 0;
			out->ret[a][i] = sc_run_stack(progs, n, &d, &dep);
			out->argdep[a][i] = (unsigned char)dep;
		}
	}
}

int sc_eval_profile(const cJSON *prof, const struct sc_profile_ctx *ctx, unsigned arch_mask,
                    struct sc_result *out, ea_error_t *err)
{
	memset(out, 0, sizeof *out);
	if (sc_profile_check(prof, err) < 0) return -1;
	out->arch_mask = arch_mask;
	for (int a = 0; a < SC_ARCH_COUNT; a++) {
		if (!(arch_mask & (1u << a))) continue;
		for (unsigned i = 0; i < sc_syscalls_count && i < SE_MAX_SYSCALLS; i++) {
			struct sc_eval e;
			if (sc_profile_eval(prof, ctx, (enum sc_arch)a, &sc_syscalls[i], &e, err) <
			    0)
				return -1;
			out->absent[a][i] = (unsigned char)e.absent;
			out->ret[a][i] = e.ret;
			out->argdep[a][i] = (unsigned char)e.conditional;
		}
	}
	return 0;
}

cJSON *sc_result_json(const struct sc_result *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *deps = NULL;
	for (int a = 0; a < SC_ARCH_COUNT; a++) {
		if (!(r->arch_mask & (1u << a))) continue;
		cJSON *arch = cJSON_AddObjectToObject(o, sc_arch_name((enum sc_arch)a));
		cJSON *dl = NULL;
		for (unsigned i = 0; i < sc_syscalls_count && i < SE_MAX_SYSCALLS; i++) {
			if (r->absent[a][i]) continue;
			char act[32];
			sc_action_str(r->ret[a][i], act, sizeof act);
			cJSON *g = cJSON_GetObjectItemCaseSensitive(arch, act);
			if (!g) g = cJSON_AddArrayToObject(arch, act);
			cJSON_AddItemToArray(g, cJSON_CreateString(sc_syscalls[i].name));
			if (r->argdep[a][i]) {
				if (!deps) deps = cJSON_CreateObject();
				if (!dl)
					dl = cJSON_AddArrayToObject(deps,
					                            sc_arch_name((enum sc_arch)a));
				cJSON_AddItemToArray(dl, cJSON_CreateString(sc_syscalls[i].name));
			}
		}
	}
	if (deps) cJSON_AddItemToObject(o, "args_checked", deps);
	return o;
}

int sc_result_permits(const struct sc_result *r, enum sc_class cls, char *buf, size_t n)
{
	/* Grouped by what happens and where: "mount, setns (allow); bpf (log
	 * on x86_64)": short enough for a finding's message. */
	struct group {
		char label[64];
		char names[512];
	} g[8];
	int ng = 0, count = 0;
	for (unsigned i = 0; i < sc_syscalls_count && i < SE_MAX_SYSCALLS; i++) {
		if (sc_syscalls[i].cls != cls) continue;
		unsigned on = 0, evaluated = 0;
		uint32_t first = 0;
		int mixed = 0;
		for (int a = 0; a < SC_ARCH_COUNT; a++) {
			if (!(r->arch_mask & (1u << a)) || r->absent[a][i]) continue;
			evaluated |= 1u << a;
			if (!sc_action_permits(r->ret[a][i])) continue;
			if (on &&
			    (r->ret[a][i] & SC_RET_ACTION_FULL) != (first & SC_RET_ACTION_FULL))
				mixed = 1;
			if (!on) first = r->ret[a][i];
			on |= 1u << a;
		}
		if (!on) continue;
		count++;
		char label[64];
		size_t ll;
		sc_action_str(first, label, sizeof label);
		if (mixed) snprintf(label, sizeof label, "various");
		ll = strlen(label);
		if (on != evaluated) {
			ll += (size_t)snprintf(label + ll, sizeof label - ll, " on");
			for (int a = 0; a < SC_ARCH_COUNT && ll < sizeof label; a++)
				if (on & (1u << a))
					ll += (size_t)snprintf(label + ll, sizeof label - ll, " %s",
					                       sc_arch_name((enum sc_arch)a));
		}
		int k;
		for (k = 0; k < ng; k++)
			if (!strcmp(g[k].label, label)) break;
		if (k == ng) {
			if (ng == 8)
				k = 7; /* cannot happen with four architectures and eight actions;
				          stay bounded */
			else {
				snprintf(g[k].label, sizeof g[k].label, "%s", label);
				g[k].names[0] = '\0';
				ng++;
			}
		}
		size_t nl = strlen(g[k].names);
		snprintf(g[k].names + nl, sizeof g[k].names - nl, "%s%s", nl ? ", " : "",
		         sc_syscalls[i].name);
	}
	size_t len = 0;
	if (n) buf[0] = '\0';
	for (int k = 0; k < ng && len + 1 < n; k++) {
		int w = snprintf(buf + len, n - len, "%s%s (%s)", k ? "; " : "", g[k].names,
		                 g[k].label);
		if (w < 0 || (size_t)w >= n - len) {
			/* Out of room: say so rather than end mid-word. */
			if (n >= 4) memcpy(buf + n - 4, "...", 4);
			break;
		}
		len += (size_t)w;
	}
	return count;
}
