/* Unit tests of the seccomp profile evaluation (seccomp_profile.h) against
 * the real profiles in ../shared/testdata/seccomp and small inline ones. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "seccomp_bpf.h"
#include "seccomp_eval.h"
#include "seccomp_profile.h"
#include "unit.h"

/* docker's default capability set */
#define DOCKER_CAPS 0xa80425fbull

static cJSON *load(const char *name)
{
	const char *td = unit_shared_testdata();
	if (!td) return NULL;
	char path[4096];
	snprintf(path, sizeof path, "%s/seccomp/%s", td, name);
	FILE *f = fopen(path, "rb");
	if (!f) return NULL;
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return cJSON_ParseWithLength(buf, n);
}

static const char *act(const cJSON *prof, const struct sc_profile_ctx *ctx, enum sc_arch a,
                       const char *name, int *cond)
{
	static char buf[32];
	struct sc_eval e;
	ea_error_t err = {0};
	const struct sc_syscall *s = sc_syscall_lookup(name);
	if (!s || sc_profile_eval(prof, ctx, a, s, &e, &err) < 0) return "error";
	if (cond) *cond = e.conditional;
	if (e.absent) return "absent";
	sc_action_str(e.ret, buf, sizeof buf);
	return buf;
}

UNIT_TEST(proc_profile_moby_default)
{
	cJSON *p = load("moby-default.json");
	if (!p) UNIT_SKIP("../shared/testdata/seccomp/moby-default.json is absent");
	struct sc_profile_ctx ctx = {SC_ARCH_X86_64, DOCKER_CAPS, 6, 1};
	CHECK(sc_profile_check(p, NULL) == 0);
	CHECK_EQ_INT(sc_profile_arches(p, &ctx), (1u << SC_ARCH_X86_64) | (1u << SC_ARCH_I386));
	CHECK_EQ_STR(act(p, &ctx, SC_ARCH_X86_64, "mount", NULL), "errno:1");
	CHECK_EQ_STR(act(p, &ctx, SC_ARCH_X86_64, "unshare", NULL), "errno:1");
	CHECK_EQ_STR(act(p, &ctx, SC_ARCH_X86_64, "keyctl", NULL), "errno:1");
	CHECK_EQ_STR(act(p, &ctx, SC_ARCH_X86_64, "ptrace", NULL), "allow"); /* minKernel 4.8 */
	CHECK_EQ_STR(act(p, &ctx, SC_ARCH_X86_64, "clone3", NULL), "errno:38");
	int cond = 0;
	/* clone: allowed unless namespace flags (our vector has them) */
	CHECK_EQ_STR(act(p, &ctx, SC_ARCH_X86_64, "clone", &cond), "errno:1");
	CHECK_EQ_INT(cond, 1);
	CHECK_EQ_STR(act(p, &ctx, SC_ARCH_I386, "mount", NULL), "errno:1");
	CHECK_EQ_STR(act(p, &ctx, SC_ARCH_I386, "kexec_file_load", NULL), "absent");
	/* not in the filter's architectures: libseccomp's bad-arch kill */
	CHECK_EQ_STR(act(p, &ctx, SC_ARCH_AARCH64, "mount", NULL), "kill_thread");
	/* an old kernel: ptrace is not allowed */
	struct sc_profile_ctx old = {SC_ARCH_X86_64, DOCKER_CAPS, 4, 4};
	CHECK_EQ_STR(act(p, &old, SC_ARCH_X86_64, "ptrace", NULL), "errno:1");
	/* with CAP_SYS_ADMIN (privileged-like): mount, unshare, clone with
	 * namespaces, bpf are allowed */
	struct sc_profile_ctx adm = {SC_ARCH_X86_64, DOCKER_CAPS | CAP_BIT(EA_CAP_SYS_ADMIN), 6, 1};
	CHECK_EQ_STR(act(p, &adm, SC_ARCH_X86_64, "mount", NULL), "allow");
	CHECK_EQ_STR(act(p, &adm, SC_ARCH_X86_64, "unshare", NULL), "allow");
	CHECK_EQ_STR(act(p, &adm, SC_ARCH_X86_64, "clone", NULL), "allow");
	CHECK_EQ_STR(act(p, &adm, SC_ARCH_X86_64, "bpf", NULL), "allow");
	CHECK_EQ_STR(act(p, &adm, SC_ARCH_X86_64, "init_module", NULL), "errno:1");
	struct sc_profile_ctx mod = {SC_ARCH_X86_64, DOCKER_CAPS | CAP_BIT(EA_CAP_SYS_MODULE), 6,
	                             1};
	CHECK_EQ_STR(act(p, &mod, SC_ARCH_X86_64, "init_module", NULL), "allow");
	/* the engine on aarch64 keeps aarch64 + arm */
	struct sc_profile_ctx arm = {SC_ARCH_AARCH64, DOCKER_CAPS, 6, 1};
	CHECK_EQ_INT(sc_profile_arches(p, &arm), (1u << SC_ARCH_AARCH64) | (1u << SC_ARCH_ARM));
	CHECK_EQ_STR(act(p, &arm, SC_ARCH_ARM, "mount", NULL), "errno:1");
	CHECK_EQ_STR(act(p, &arm, SC_ARCH_AARCH64, "ptrace", NULL), "allow");

	struct sc_result r;
	CHECK(sc_eval_profile(p, &ctx, (1u << SC_ARCH_X86_64) | (1u << SC_ARCH_I386), &r, NULL) ==
	      0);
	char msg[600];
	CHECK_EQ_INT(sc_result_permits(&r, SC_CLASS_DANGEROUS, msg, sizeof msg), 0);
	CHECK(sc_result_permits(&r, SC_CLASS_RISKY, msg, sizeof msg) >= 3);
	CHECK_EQ_STR(msg, "ptrace, process_vm_readv, process_vm_writev (allow)");
	cJSON_Delete(p);
}

UNIT_TEST(proc_profile_old_format_and_containers_common)
{
	cJSON *p = load("moby-default-old-format.json");
	if (!p) UNIT_SKIP("../shared/testdata/seccomp is absent");
	struct sc_profile_ctx ctx = {SC_ARCH_X86_64, DOCKER_CAPS, 6, 1};
	CHECK(sc_profile_check(p, NULL) == 0);
	CHECK_EQ_STR(act(p, &ctx, SC_ARCH_X86_64, "mount", NULL), "errno:1");
	CHECK(sc_profile_arches(p, &ctx) & (1u << SC_ARCH_I386));
	cJSON_Delete(p);

	p = load("containers-common-seccomp.json");
	CHECK(p != NULL);
	CHECK(sc_profile_check(p, NULL) == 0);
	/* defaultErrnoRet 38: what no rule names fails with ENOSYS */
	CHECK_EQ_STR(act(p, &ctx, SC_ARCH_X86_64, "add_key", NULL), "errno:38");
	CHECK_EQ_STR(act(p, &ctx, SC_ARCH_X86_64, "io_uring_setup", NULL), "errno:38");
	/* podman's profile leaves mount, unshare and keyctl to the capability
	 * checks: the filter itself allows them */
	CHECK_EQ_STR(act(p, &ctx, SC_ARCH_X86_64, "mount", NULL), "allow");
	CHECK_EQ_STR(act(p, &ctx, SC_ARCH_X86_64, "unshare", NULL), "allow");
	CHECK_EQ_STR(act(p, &ctx, SC_ARCH_X86_64, "kexec_load", NULL), "errno:1");
	/* open_by_handle_at: an explicit ERRNO(1) rule without the capability,
	 * ALLOW with it */
	CHECK_EQ_STR(act(p, &ctx, SC_ARCH_X86_64, "open_by_handle_at", NULL), "errno:1");
	struct sc_profile_ctx drs = {SC_ARCH_X86_64, DOCKER_CAPS | CAP_BIT(EA_CAP_DAC_READ_SEARCH),
	                             6, 1};
	CHECK_EQ_STR(act(p, &drs, SC_ARCH_X86_64, "open_by_handle_at", NULL), "allow");
	cJSON_Delete(p);

	p = load("moby-example.json");
	CHECK(p != NULL);
	/* no architectures: the native one only */
	CHECK_EQ_INT(sc_profile_arches(p, &ctx), 1u << SC_ARCH_X86_64);
	CHECK_EQ_STR(act(p, &ctx, SC_ARCH_X86_64, "syslog", NULL),
	             "errno:4095"); /* 12345, as the kernel clamps it */
	int cond = 0;
	/* clone: ALLOW only when MASKED_EQ(flags & 0x7e020000 == 0) */
	CHECK_EQ_STR(act(p, &ctx, SC_ARCH_X86_64, "clone", &cond), "errno:1");
	CHECK_EQ_INT(cond, 1);
	cJSON_Delete(p);

	p = load("moby-conditional_include.json");
	CHECK(p != NULL);
	/* ptrace ALLOW excluded when the container has CAP_SYS_ADMIN */
	CHECK_EQ_STR(act(p, &ctx, SC_ARCH_X86_64, "ptrace", NULL), "allow");
	struct sc_profile_ctx adm = {SC_ARCH_X86_64, CAP_BIT(EA_CAP_SYS_ADMIN), 6, 1};
	CHECK_EQ_STR(act(p, &adm, SC_ARCH_X86_64, "ptrace", NULL), "errno:1");
	CHECK_EQ_STR(act(p, &ctx, SC_ARCH_X86_64, "syslog", NULL), "errno:1");
	struct sc_profile_ctx slog = {SC_ARCH_X86_64, CAP_BIT(EA_CAP_SYSLOG), 6, 1};
	CHECK_EQ_STR(act(p, &slog, SC_ARCH_X86_64, "syslog", NULL), "allow");
	cJSON_Delete(p);
}

UNIT_TEST(proc_profile_oci_spec_form)
{
	/* what docker writes into a bundle's config.json, cut down */
	const char *js = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_"
	                 "64\",\"SCMP_ARCH_X86\","
	                 "\"SCMP_ARCH_X32\"],\"syscalls\":[{\"names\":[\"ptrace\",\"read\"],"
	                 "\"action\":\"SCMP_ACT_ALLOW\"},"
	                 "{\"names\":[\"unshare\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{"
	                 "\"index\":0,\"value\":2114060288,"
	                 "\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"}]},"
	                 "{\"names\":[\"setns\"],\"action\":\"SCMP_ACT_NOTIFY\"},"
	                 "{\"names\":[\"bpf\"],\"action\":\"SCMP_ACT_LOG\"},"
	                 "{\"names\":[\"keyctl\"],\"action\":\"SCMP_ACT_KILL_PROCESS\"},"
	                 "{\"names\":[\"reboot\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38}]}";
	cJSON *p = cJSON_Parse(js);
	CHECK(p != NULL);
	struct sc_profile_ctx ctx = {SC_ARCH_X86_64, 0, 0, 0};
	CHECK_EQ_STR(act(p, &ctx, SC_ARCH_X86_64, "ptrace", NULL), "allow");
	CHECK_EQ_STR(act(p, &ctx, SC_ARCH_X86_64, "mount", NULL),
	             "errno:1"); /* no defaultErrnoRet: EPERM */
	CHECK_EQ_STR(act(p, &ctx, SC_ARCH_X86_64, "unshare", NULL), "errno:1");
	CHECK_EQ_STR(act(p, &ctx, SC_ARCH_X86_64, "setns", NULL), "user_notif");
	CHECK_EQ_STR(act(p, &ctx, SC_ARCH_X86_64, "bpf", NULL), "log");
	CHECK_EQ_STR(act(p, &ctx, SC_ARCH_X86_64, "keyctl", NULL), "kill_process");
	CHECK_EQ_STR(act(p, &ctx, SC_ARCH_X86_64, "reboot", NULL), "errno:38");
	CHECK_EQ_STR(act(p, &ctx, SC_ARCH_ARM, "reboot", NULL), "kill_thread");
	struct sc_result r;
	CHECK(sc_eval_profile(p, &ctx, (1u << SC_ARCH_X86_64) | (1u << SC_ARCH_I386), &r, NULL) ==
	      0);
	char msg[600];
	CHECK_EQ_INT(sc_result_permits(&r, SC_CLASS_DANGEROUS, msg, sizeof msg), 2);
	CHECK_EQ_STR(msg, "setns (user_notif); bpf (log)");
	cJSON_Delete(p);
}

UNIT_TEST(proc_profile_malformed)
{
	static const char *bad[] = {
	        "[]",
	        "{}",
	        "{\"defaultAction\":\"SCMP_ACT_BOGUS\"}",
	        "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":{}}",
	        "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mount\"]}]}",
	        "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mount\"],"
	        "\"action\":\"SCMP_ACT_ALLOW\","
	        "\"args\":[{\"index\":9,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
	        "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mount\"],"
	        "\"action\":\"SCMP_ACT_ALLOW\","
	        "\"args\":[{\"index\":0,\"value\":-1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
	        "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mount\"],"
	        "\"action\":\"SCMP_ACT_ALLOW\","
	        "\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_LIKE\"}]}]}",
	};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cJSON *p = cJSON_Parse(bad[i]);
		ea_error_t e = {0};
		CHECK(sc_profile_check(p, &e) < 0);
		CHECK_EQ_INT(e.code, EA_E_FORMAT);
		struct sc_result r;
		struct sc_profile_ctx ctx = {SC_ARCH_X86_64, 0, 0, 0};
		CHECK(sc_eval_profile(p, &ctx, 1, &r, NULL) < 0);
		cJSON_Delete(p);
	}
	/* an empty-but-valid profile allows what its default allows */
	cJSON *p = cJSON_Parse("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":null}");
	struct sc_profile_ctx ctx = {SC_ARCH_X86_64, 0, 0, 0};
	CHECK_EQ_STR(act(p, &ctx, SC_ARCH_X86_64, "mount", NULL), "allow");
	cJSON_Delete(p);
}

/* errno values out of any range (found by fuzz_seccomp_profile: the
 * conversion of 2e91 to long was undefined behaviour) fall back to EPERM,
 * as an unset errnoRet does; in range they keep their low 16 bits, as
 * libseccomp's SCMP_ACT_ERRNO(x) does (SECCOMP_RET_DATA is 16 bits). */
UNIT_TEST(proc_profile_errno_out_of_range)
{
	cJSON *p = cJSON_Parse(
	        "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":2e91,"
	        "\"syscalls\":[{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":"
	        "1e300},"
	        "{\"names\":[\"umount2\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38},"
	        "{\"names\":[\"setns\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":70000}]}");
	CHECK(p != NULL);
	struct sc_profile_ctx ctx = {SC_ARCH_X86_64, 0, 0, 0};
	static const struct {
		const char *name;
		uint32_t ret;
	} want[] = {{"mount", SC_RET_ERRNO | 1},
	            {"reboot", SC_RET_ERRNO | 1},
	            {"umount2", SC_RET_ERRNO | 38},
	            {"setns", SC_RET_ERRNO | (70000 & 0xffff)}};
	for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++) {
		struct sc_eval e;
		ea_error_t err = {0};
		CHECK(sc_profile_eval(p, &ctx, SC_ARCH_X86_64, sc_syscall_lookup(want[i].name), &e,
		                      &err) == 0);
		CHECK_EQ_INT(e.ret, want[i].ret);
	}
	cJSON_Delete(p);
}
