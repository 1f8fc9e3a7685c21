/* Unit tests of our seccomp cBPF interpreter, the stacking rule and the
 * syscall table (see seccomp_bpf.h).  The kernel's own answers for the same
 * programs are checked by tests/integration/test_proc_deep.sh. */
#include <string.h>

#include "../helpers/known_filters.h"
#include "seccomp_bpf.h"
#include "seccomp_eval.h"
#include "seccomp_syscalls.h"
#include "unit.h"

#if defined(__x86_64__) || defined(__i386__) || defined(__aarch64__) || defined(__arm__)
#include <asm/unistd.h>
#endif

_Static_assert(sizeof(struct kf_insn) == sizeof(struct sc_insn), "same layout");

static uint32_t run1(const struct kf_insn *p, size_t n, uint32_t arch, int nr, uint64_t a0,
                     int *dep)
{
	struct sc_data d = {.nr = nr, .arch = arch};
	d.args[0] = a0;
	return sc_bpf_run((const struct sc_insn *)p, n, &d, dep);
}

UNIT_TEST(proc_bpf_known_filters_pass_the_kernel_checks)
{
	for (size_t i = 0; i < sizeof kf_all / sizeof kf_all[0]; i++) {
		ea_error_t e = {0};
		if (sc_bpf_check((const struct sc_insn *)kf_all[i].p, kf_all[i].n, &e) < 0) {
			fprintf(stderr, "#   %s: %s\n", kf_all[i].name, e.msg);
			CHECK(0);
		}
	}
}

UNIT_TEST(proc_bpf_deny_filter_answers)
{
	const struct kf_insn *p = kf_deny;
	size_t n = sizeof kf_deny / sizeof kf_deny[0];
	int dep = 0;
	CHECK(run1(p, n, KF_ARCH_X86_64, 165, 0, &dep) == KF_ERRNO(13));
	CHECK_EQ_INT(dep, 0);
	CHECK(run1(p, n, KF_ARCH_X86_64, 101, 0, NULL) == KF_KILL_THREAD);
	CHECK(run1(p, n, KF_ARCH_X86_64, 321, 0, NULL) == KF_TRAP);
	CHECK(run1(p, n, KF_ARCH_X86_64, 272, 0x7e020000, &dep) == KF_ERRNO(1));
	CHECK_EQ_INT(dep, 1);
	CHECK(run1(p, n, KF_ARCH_X86_64, 272, 0x20000000, NULL) == KF_ALLOW); /* NEWPID alone */
	CHECK(run1(p, n, KF_ARCH_X86_64, 246, 0, NULL) == KF_KILL_PROCESS);
	CHECK(run1(p, n, KF_ARCH_X86_64, 308, 0, NULL) == KF_LOG);
	CHECK(run1(p, n, KF_ARCH_I386, 21, 0, NULL) == KF_ERRNO(14));
	CHECK(run1(p, n, KF_ARCH_I386, 26, 0, NULL) == KF_ALLOW);
	CHECK(run1(p, n, 0xc00000b7u, 40, 0, NULL) == KF_KILL_PROCESS); /* aarch64: not handled */
	char a[32];
	sc_action_str(run1(p, n, KF_ARCH_X86_64, 250, 0, NULL), a, sizeof a);
	CHECK_EQ_STR(a, "errno:4095"); /* ERRNO(5000) as the kernel clamps it */
}

UNIT_TEST(proc_bpf_alu_filter_answers)
{
	const struct kf_insn *p = kf_alu;
	size_t n = sizeof kf_alu / sizeof kf_alu[0];
	CHECK(run1(p, n, KF_ARCH_X86_64, 321, 0, NULL) == KF_ERRNO(321 & 0xff));
	CHECK(run1(p, n, KF_ARCH_X86_64, 320, 0, NULL) == KF_ERRNO(320 & 0xff));
	CHECK(run1(p, n, KF_ARCH_X86_64, 317, 0, NULL) == KF_ALLOW);
	CHECK(run1(p, n, KF_ARCH_X86_64, 165, 0, NULL) == KF_ALLOW);
	CHECK(run1(p, n, KF_ARCH_X86_64, 435, 0, NULL) == KF_ERRNO(435 & 0xff));
	CHECK(run1(p, n, KF_ARCH_I386, 21, 0, NULL) == KF_ERRNO(21));
	CHECK(run1(p, n, KF_ARCH_I386, 357, 0, NULL) == KF_ERRNO(357 & 0x3f));
}

UNIT_TEST(proc_bpf_stack_newest_wins_between_equals)
{
	struct sc_prog progs[2] = {
	        {(const struct sc_insn *)kf_stack_a, sizeof kf_stack_a / sizeof kf_stack_a[0]},
	        {(const struct sc_insn *)kf_stack_b, sizeof kf_stack_b / sizeof kf_stack_b[0]},
	};
	struct sc_data d = {.nr = 165, .arch = KF_ARCH_X86_64};
	CHECK(sc_run_stack(progs, 2, &d, NULL) == KF_ERRNO(20)); /* b installed last */
	CHECK(sc_run_stack(progs, 1, &d, NULL) == KF_ERRNO(10));
	d.nr = 166;
	CHECK(sc_run_stack(progs, 2, &d, NULL) == KF_TRAP); /* lower action wins */
	d.nr = 39;
	CHECK(sc_run_stack(progs, 2, &d, NULL) == KF_ALLOW);
	/* KILL_PROCESS (0x80000000) is the lowest of all as a signed number */
	static const struct kf_insn killp[] = {KF_S(KF_RET_K, 0, 0, KF_KILL_PROCESS)};
	static const struct kf_insn errn[] = {KF_S(KF_RET_K, 0, 0, KF_ERRNO(3))};
	struct sc_prog p2[2] = {{(const struct sc_insn *)errn, 1},
	                        {(const struct sc_insn *)killp, 1}};
	CHECK(sc_run_stack(p2, 2, &d, NULL) == KF_KILL_PROCESS);
	/* an unknown action value ranks by its number and kills the process */
	static const struct kf_insn odd[] = {KF_S(KF_RET_K, 0, 0, 0x00040000u)};
	struct sc_prog p3[2] = {{(const struct sc_insn *)errn, 1},
	                        {(const struct sc_insn *)odd, 1}};
	uint32_t r = sc_run_stack(p3, 2, &d, NULL);
	CHECK(r == 0x00040000u);
	char a[32];
	sc_action_str(r, a, sizeof a);
	CHECK_EQ_STR(a, "kill_process");
	CHECK(!sc_action_permits(r));
	CHECK(sc_action_permits(KF_LOG));
	CHECK(sc_action_permits(0x7fc00000u)); /* user_notif: a supervisor decides */
}

static int check_one(const struct kf_insn *p, size_t n)
{
	return sc_bpf_check((const struct sc_insn *)p, n, NULL);
}

UNIT_TEST(proc_bpf_checker_refuses_what_the_kernel_refuses)
{
	CHECK(check_one(NULL, 0) < 0);
	static const struct kf_insn noret[] = {KF_S(KF_LD_W_ABS, 0, 0, 0)};
	CHECK(check_one(noret, 1) < 0);
	static const struct kf_insn unaligned[] = {KF_S(KF_LD_W_ABS, 0, 0, 2),
	                                           KF_S(KF_RET_K, 0, 0, 0)};
	CHECK(check_one(unaligned, 2) < 0);
	static const struct kf_insn past[] = {KF_S(KF_LD_W_ABS, 0, 0, 64), KF_S(KF_RET_K, 0, 0, 0)};
	CHECK(check_one(past, 2) < 0);
	static const struct kf_insn jump_out[] = {KF_S(KF_JEQ_K, 5, 0, 1), KF_S(KF_RET_K, 0, 0, 0)};
	CHECK(check_one(jump_out, 2) < 0);
	static const struct kf_insn ja_out[] = {KF_S(KF_JA, 0, 0, 1), KF_S(KF_RET_K, 0, 0, 0)};
	CHECK(check_one(ja_out, 2) < 0);
	static const struct kf_insn div0[] = {KF_S(KF_ALU_DIV_K, 0, 0, 0), KF_S(KF_RET_K, 0, 0, 0)};
	CHECK(check_one(div0, 2) < 0);
	static const struct kf_insn shift[] = {KF_S(KF_ALU_LSH_K, 0, 0, 32),
	                                       KF_S(KF_RET_K, 0, 0, 0)};
	CHECK(check_one(shift, 2) < 0);
	static const struct kf_insn mem_unset[] = {KF_S(KF_LD_MEM, 0, 0, 0),
	                                           KF_S(KF_RET_K, 0, 0, 0)};
	CHECK(check_one(mem_unset, 2) < 0);
	/* stored on one path only */
	static const struct kf_insn mem_one_path[] = {KF_S(KF_JEQ_K, 0, 1, 0), KF_S(KF_ST, 0, 0, 1),
	                                              KF_S(KF_LD_MEM, 0, 0, 1),
	                                              KF_S(KF_RET_K, 0, 0, 0)};
	CHECK(check_one(mem_one_path, 4) < 0);
	static const struct kf_insn mem_ok[] = {KF_S(KF_ST, 0, 0, 1), KF_S(KF_JEQ_K, 0, 0, 0),
	                                        KF_S(KF_LD_MEM, 0, 0, 1), KF_S(KF_RET_K, 0, 0, 0)};
	CHECK(check_one(mem_ok, 4) == 0);
	static const struct kf_insn mem_big[] = {KF_S(KF_ST, 0, 0, 16), KF_S(KF_RET_K, 0, 0, 0)};
	CHECK(check_one(mem_big, 2) < 0);
	/* classic BPF that seccomp refuses: MOD, byte loads, indirect loads */
	static const struct kf_insn mod[] = {KF_S(0x94, 0, 0, 3), KF_S(KF_RET_K, 0, 0, 0)};
	CHECK(check_one(mod, 2) < 0);
	static const struct kf_insn ldb[] = {KF_S(0x30, 0, 0, 0), KF_S(KF_RET_K, 0, 0, 0)};
	CHECK(check_one(ldb, 2) < 0);
	static const struct kf_insn ind[] = {KF_S(0x40, 0, 0, 0), KF_S(KF_RET_K, 0, 0, 0)};
	CHECK(check_one(ind, 2) < 0);
	static struct kf_insn toolong[4097];
	for (int i = 0; i < 4097; i++) toolong[i] = (struct kf_insn)KF_S(KF_RET_K, 0, 0, 0);
	CHECK(check_one(toolong, 4097) < 0);
	CHECK(check_one(toolong, 4096) == 0);
}

UNIT_TEST(proc_bpf_runtime_edge_cases)
{
	/* DIV by X == 0 ends the program with 0 (kill_thread), as the kernel's
	 * cBPF conversion does */
	static const struct kf_insn divx[] = {KF_S(KF_LD_IMM, 0, 0, 7),
	                                      KF_S(0x3c /* DIV X */, 0, 0, 0),
	                                      KF_S(KF_RET_K, 0, 0, KF_ALLOW)};
	CHECK(check_one(divx, 3) == 0);
	CHECK(run1(divx, 3, KF_ARCH_X86_64, 1, 0, NULL) == 0);
	/* shifts by X use the low 5 bits */
	static const struct kf_insn shx[] = {
	        KF_S(KF_LD_IMM, 0, 0, 1), KF_S(0x01 /* LDX IMM */, 0, 0, 33),
	        KF_S(0x6c /* LSH X */, 0, 0, 0), KF_S(KF_ALU_OR_K, 0, 0, KF_ERRNO(0)),
	        KF_S(KF_RET_A, 0, 0, 0)};
	CHECK(check_one(shx, 5) == 0);
	CHECK(run1(shx, 5, KF_ARCH_X86_64, 1, 0, NULL) == KF_ERRNO(2));
	/* the high word of an argument is at offset 20 (little-endian) */
	static const struct kf_insn hi[] = {
	        KF_S(KF_LD_W_ABS, 0, 0, 20), KF_S(KF_ALU_AND_K, 0, 0, 0xff),
	        KF_S(KF_ALU_OR_K, 0, 0, KF_ERRNO(0)), KF_S(KF_RET_A, 0, 0, 0)};
	CHECK(run1(hi, 4, KF_ARCH_X86_64, 1, 0x0000002a00000001ull, NULL) == KF_ERRNO(0x2a));
	/* instruction pointer loads count as argument-dependent */
	static const struct kf_insn ip[] = {KF_S(KF_LD_W_ABS, 0, 0, 8),
	                                    KF_S(KF_RET_K, 0, 0, KF_ALLOW)};
	int dep = 0;
	run1(ip, 2, KF_ARCH_X86_64, 1, 0, &dep);
	CHECK_EQ_INT(dep, 1);
}

UNIT_TEST(proc_bpf_eval_result_json)
{
	struct sc_prog p = {(const struct sc_insn *)kf_deny, sizeof kf_deny / sizeof kf_deny[0]};
	struct sc_result r;
	sc_eval_filters(&p, 1, (1u << SC_ARCH_X86_64) | (1u << SC_ARCH_I386), &r);
	cJSON *j = sc_result_json(&r);
	cJSON *x = cJSON_GetObjectItem(j, "x86_64");
	CHECK(x != NULL);
	CHECK_EQ_STR(cJSON_GetArrayItem(cJSON_GetObjectItem(x, "errno:13"), 0)->valuestring,
	             "mount");
	CHECK_EQ_STR(cJSON_GetArrayItem(cJSON_GetObjectItem(x, "log"), 0)->valuestring, "setns");
	CHECK_EQ_STR(
	        cJSON_GetArrayItem(
	                cJSON_GetObjectItem(cJSON_GetObjectItem(j, "args_checked"), "x86_64"), 0)
	                ->valuestring,
	        "unshare");
	/* i386 has umount, x86_64 not */
	cJSON *al = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "i386"), "allow");
	int has_umount = 0;
	cJSON *it;
	cJSON_ArrayForEach (it, al) has_umount |= !strcmp(it->valuestring, "umount");
	CHECK(has_umount);
	cJSON_Delete(j);
	char msg[600];
	int n = sc_result_permits(&r, SC_CLASS_DANGEROUS, msg, sizeof msg);
	CHECK(n > 5);
	/* grouped: what x86_64 and i386 both allow, then per architecture */
	/* allowed wherever they exist (umount exists on i386 only) */
	CHECK(strncmp(msg, "umount, umount2, pivot_root,", 28) == 0);
	CHECK(strstr(msg, "setns (various)") != NULL); /* log on x86_64, allow on i386 */
	CHECK(strstr(msg, "unshare, kexec_load, bpf, keyctl (allow on i386)") != NULL);
	CHECK(strstr(msg, "mount, ") != msg && !strstr(msg, " mount,") && !strstr(msg, " mount ("));
	/* a small buffer is cut with "...", never overflowed */
	char small[40];
	sc_result_permits(&r, SC_CLASS_DANGEROUS, small, sizeof small);
	CHECK(strlen(small) < sizeof small);
}

UNIT_TEST(proc_seccomp_nr_native)
{
	/* The generated table against this target's own kernel headers. */
	int arch = -1;
#if defined(__x86_64__)
	arch = SC_ARCH_X86_64;
#elif defined(__aarch64__)
	arch = SC_ARCH_AARCH64;
#elif defined(__arm__)
	arch = SC_ARCH_ARM;
#elif defined(__i386__)
	arch = SC_ARCH_I386;
#endif
	if (arch < 0) UNIT_SKIP("no audit architecture for this target");
	const struct sc_syscall *s;
#define NR(name)                      \
	s = sc_syscall_lookup(#name); \
	CHECK(s != NULL);             \
	CHECK_EQ_INT(s->nr[arch], __NR_##name)
	NR(mount);
	NR(umount2);
	NR(pivot_root);
	NR(setns);
	NR(unshare);
	NR(clone);
	NR(kexec_load);
	NR(init_module);
	NR(finit_module);
	NR(delete_module);
	NR(bpf);
	NR(open_by_handle_at);
	NR(keyctl);
	NR(add_key);
	NR(request_key);
	NR(reboot);
	NR(ptrace);
	NR(process_vm_readv);
	NR(perf_event_open);
	NR(userfaultfd);
	NR(swapon);
	NR(acct);
	NR(quotactl);
	NR(move_pages);
	NR(settimeofday);
#undef NR
	CHECK_EQ_INT(sc_arch_from_scmp("SCMP_ARCH_X86"), SC_ARCH_I386);
	CHECK_EQ_INT(sc_arch_from_scmp("SCMP_ARCH_X32"), -1);
	CHECK_EQ_INT(sc_arch_from_audit(0xc00000b7u), SC_ARCH_AARCH64);
	enum sc_arch h[2];
	CHECK_EQ_INT(sc_host_arches("x86_64", h), 2);
	CHECK_EQ_INT(h[1], SC_ARCH_I386);
	CHECK_EQ_INT(sc_host_arches("armv7l", h), 1);
	CHECK_EQ_INT(h[0], SC_ARCH_ARM);
	CHECK_EQ_INT(sc_host_arches("riscv64", h), 0);
}
