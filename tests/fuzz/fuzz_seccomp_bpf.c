/* The seccomp cBPF interpreter (seccomp_bpf.h): programs read back from the
 * kernel (PTRACE_SECCOMP_GET_FILTER) are checked with the kernel's rules,
 * then run.  The input: a struct sc_data (64 bytes), then instructions; a
 * split point (first byte) makes two stacked filters.
 * Properties: a program sc_bpf_check accepts runs to an end (no read out of
 * the program or scratch memory: ASan) whatever the data; a stack's answer
 * is one of its filters' answers (or plain ALLOW). */
#include "common.h"
#include "seccomp_bpf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t split = fz_take_byte(&data, &size);
	struct sc_data d;
	if (size < sizeof d) return 0;
	memcpy(&d, data, sizeof d);
	data += sizeof d;
	size -= sizeof d;
	size_t n = size / sizeof(struct sc_insn);
	if (n == 0 || n > 2 * SC_BPF_MAXINSNS) return 0;
	struct sc_insn *p = malloc(n * sizeof *p); /* exact size: ASan sees any read past it */
	memcpy(p, data, n * sizeof *p);
	size_t na = split % (n + 1), nb = n - na;
	ea_error_t err = {0};
	int oka = na && sc_bpf_check(p, na, &err) == 0;
	int okb = nb && sc_bpf_check(p + na, nb, &err) == 0;
	int dep = 0;
	uint32_t ra = 0, rb = 0;
	if (oka) ra = sc_bpf_run(p, na, &d, &dep);
	if (okb) rb = sc_bpf_run(p + na, nb, &d, &dep);
	if (oka && okb) {
		struct sc_prog progs[2] = {{p, na}, {p + na, nb}};
		uint32_t rs = sc_run_stack(progs, 2, &d, &dep);
		/* the kernel starts from ALLOW and replaces only on a lower action */
		if (rs != ra && rs != rb && rs != SC_RET_ALLOW) abort();
	}
	char buf[64];
	sc_action_str(ra, buf, sizeof buf);
	(void)sc_action_permits(rb);
	free(p);
	return 0;
}
