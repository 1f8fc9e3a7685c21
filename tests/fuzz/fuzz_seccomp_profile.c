/* seccomp profiles (seccomp_profile.h): an OCI bundle's linux.seccomp or a
 * Docker / containers-common profile file, evaluated for every syscall of
 * the table on every architecture, as the /proc audit does. */
#include "common.h"
#include "seccomp_profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t opt = fz_take_byte(&data, &size);
	cJSON *prof = cJSON_ParseWithLength((const char *)data, size);
	if (!prof) return 0;
	ea_error_t err = {0};
	if (sc_profile_check(prof, &err) == 0) {
		struct sc_profile_ctx ctx = {.native = (enum sc_arch)(opt % SC_ARCH_COUNT),
					     .caps = (opt & 0x10) ? ~0ULL : 0,
					     .kernel_major = (opt & 0x20) ? 4 : 6, .kernel_minor = 1};
		(void)sc_profile_arches(prof, &ctx);
		for (int a = 0; a < SC_ARCH_COUNT; a++)
			for (unsigned i = 0; i < sc_syscalls_count; i++) {
				struct sc_eval e;
				(void)sc_profile_eval(prof, &ctx, (enum sc_arch)a, &sc_syscalls[i], &e, &err);
			}
	}
	cJSON_Delete(prof);
	return 0;
}
