/* seccomp_bpf: see seccomp_bpf.h. */
#include "seccomp_bpf.h"

#include <stdio.h>
#include <string.h>

/* Classic BPF opcodes (include/uapi/linux/bpf_common.h, filter.h). */
#define CLS(c)    ((c)&0x07)
#define LD        0x00
#define LDX       0x01
#define ST        0x02
#define STX       0x03
#define ALU       0x04
#define JMP       0x05
#define RET       0x06
#define MISC      0x07
#define W         0x00
#define IMM       0x00
#define ABS       0x20
#define MEM       0x60
#define LEN       0x80
#define ADD       0x00
#define SUB       0x10
#define MUL       0x20
#define DIV       0x30
#define OR        0x40
#define AND       0x50
#define LSH       0x60
#define RSH       0x70
#define NEG       0x80
#define XOR       0xa0
#define JA        0x00
#define JEQ       0x10
#define JGT       0x20
#define JGE       0x30
#define JSET      0x40
#define K         0x00
#define X         0x08
#define RA        0x10 /* BPF_A for RET */
#define TAX       0x00
#define TXA       0x80
#define MEMWORDS  16
#define DATA_SIZE 64 /* sizeof(struct seccomp_data) */

_Static_assert(sizeof(struct sc_insn) == 8, "struct sock_filter layout");
_Static_assert(sizeof(struct sc_data) == DATA_SIZE, "struct seccomp_data layout");

static int is_cond_jump(uint16_t c)
{
	switch (c) {
	case JMP | JEQ | K:
	case JMP | JEQ | X:
	case JMP | JGT | K:
	case JMP | JGT | X:
	case JMP | JGE | K:
	case JMP | JGE | X:
	case JMP | JSET | K:
	case JMP | JSET | X: return 1;
	}
	return 0;
}

/* The instructions seccomp_check_filter lets through. */
static int seccomp_allowed(uint16_t c)
{
	switch (c) {
	case LD | W | ABS:
	case LD | W | LEN:
	case LDX | W | LEN:
	case RET | K:
	case RET | RA:
	case ALU | ADD | K:
	case ALU | ADD | X:
	case ALU | SUB | K:
	case ALU | SUB | X:
	case ALU | MUL | K:
	case ALU | MUL | X:
	case ALU | DIV | K:
	case ALU | DIV | X:
	case ALU | AND | K:
	case ALU | AND | X:
	case ALU | OR | K:
	case ALU | OR | X:
	case ALU | XOR | K:
	case ALU | XOR | X:
	case ALU | LSH | K:
	case ALU | LSH | X:
	case ALU | RSH | K:
	case ALU | RSH | X:
	case ALU | NEG:
	case LD | IMM:
	case LDX | IMM:
	case MISC | TAX:
	case MISC | TXA:
	case LD | MEM:
	case LDX | MEM:
	case ST:
	case STX:
	case JMP | JA: return 1;
	}
	return is_cond_jump(c);
}

int sc_bpf_check(const struct sc_insn *p, size_t n, ea_error_t *err)
{
	if (n == 0 || n > SC_BPF_MAXINSNS)
		return ea_fail(err, EA_E_FORMAT, "a filter of %zu instructions (1..%d)", n,
		               SC_BPF_MAXINSNS);
	for (size_t pc = 0; pc < n; pc++) {
		const struct sc_insn *i = &p[pc];
		if (!seccomp_allowed(i->code))
			return ea_fail(err, EA_E_UNSUPPORTED,
			               "instruction %zu: opcode 0x%04x is not allowed in seccomp",
			               pc, i->code);
		switch (i->code) {
		case ALU | DIV | K:
			if (i->k == 0)
				return ea_fail(err, EA_E_FORMAT, "instruction %zu: division by 0",
				               pc);
			break;
		case ALU | LSH | K:
		case ALU | RSH | K:
			if (i->k >= 32)
				return ea_fail(err, EA_E_FORMAT, "instruction %zu: shift by %u", pc,
				               i->k);
			break;
		case LD | MEM:
		case LDX | MEM:
		case ST:
		case STX:
			if (i->k >= MEMWORDS)
				return ea_fail(err, EA_E_FORMAT, "instruction %zu: scratch word %u",
				               pc, i->k);
			break;
		case LD | W | ABS:
			if (i->k >= DATA_SIZE || (i->k & 3))
				return ea_fail(err, EA_E_FORMAT,
				               "instruction %zu: load at offset %u", pc, i->k);
			break;
		case JMP | JA:
			if (i->k >= n - pc - 1)
				return ea_fail(err, EA_E_FORMAT,
				               "instruction %zu: jump out of the program", pc);
			break;
		default:
			if (is_cond_jump(i->code) && (pc + i->jt + 1 >= n || pc + i->jf + 1 >= n))
				return ea_fail(err, EA_E_FORMAT,
				               "instruction %zu: jump out of the program", pc);
		}
	}
	uint16_t last = p[n - 1].code;
	if (last != (RET | K) && last != (RET | RA))
		return ea_fail(err, EA_E_FORMAT, "the last instruction is not a return");
	/* check_load_and_stores: a scratch word is read only after a store on
	 * every path to the read. */
	uint16_t masks[SC_BPF_MAXINSNS];
	for (size_t pc = 0; pc < n; pc++) masks[pc] = 0xffff;
	uint16_t valid = 0;
	for (size_t pc = 0; pc < n; pc++) {
		const struct sc_insn *i = &p[pc];
		valid &= masks[pc];
		switch (i->code) {
		case ST:
		case STX: valid |= (uint16_t)(1u << i->k); break;
		case LD | MEM:
		case LDX | MEM:
			if (!(valid & (1u << i->k)))
				return ea_fail(
				        err, EA_E_FORMAT,
				        "instruction %zu: scratch word %u read before it is stored",
				        pc, i->k);
			break;
		case JMP | JA:
			masks[pc + 1 + i->k] &= valid;
			valid = 0xffff;
			break;
		default:
			if (is_cond_jump(i->code)) {
				masks[pc + 1 + i->jt] &= valid;
				masks[pc + 1 + i->jf] &= valid;
				valid = 0xffff;
			}
		}
	}
	return 0;
}

uint32_t sc_bpf_run(const struct sc_insn *p, size_t n, const struct sc_data *d, int *read_args)
{
	uint32_t A = 0, Xr = 0, M[MEMWORDS] = {0};
	unsigned char data[DATA_SIZE];
	memcpy(data, d, sizeof data); /* native layout, as the kernel loads it */
	for (size_t pc = 0; pc < n; pc++) {
		const struct sc_insn *i = &p[pc];
		uint32_t src = (i->code & X) ? Xr : i->k;
		switch (i->code) {
		case LD | W | ABS:
			if (i->k >= DATA_SIZE - 3)
				return SC_RET_KILL_THREAD; /* unchecked program */
			memcpy(&A, data + i->k, 4);
			if (i->k >= 8 && read_args) *read_args = 1;
			break;
		case LD | W | LEN: A = DATA_SIZE; break;
		case LDX | W | LEN: Xr = DATA_SIZE; break;
		case LD | IMM: A = i->k; break;
		case LDX | IMM: Xr = i->k; break;
		case LD | MEM: A = M[i->k & 15]; break;
		case LDX | MEM: Xr = M[i->k & 15]; break;
		case ST: M[i->k & 15] = A; break;
		case STX: M[i->k & 15] = Xr; break;
		case MISC | TAX: Xr = A; break;
		case MISC | TXA: A = Xr; break;
		case ALU | ADD | K:
		case ALU | ADD | X: A += src; break;
		case ALU | SUB | K:
		case ALU | SUB | X: A -= src; break;
		case ALU | MUL | K:
		case ALU | MUL | X: A *= src; break;
		case ALU | DIV | K:
		case ALU | DIV | X:
			if (src == 0) return 0; /* the kernel's "return 0" on division by X == 0 */
			A /= src;
			break;
		case ALU | AND | K:
		case ALU | AND | X: A &= src; break;
		case ALU | OR | K:
		case ALU | OR | X: A |= src; break;
		case ALU | XOR | K:
		case ALU | XOR | X: A ^= src; break;
		case ALU | LSH | K:
		case ALU | LSH | X: A <<= (src & 31); break;
		case ALU | RSH | K:
		case ALU | RSH | X: A >>= (src & 31); break;
		case ALU | NEG: A = (uint32_t)0 - A; break;
		case JMP | JA: pc += i->k; break;
		case JMP | JEQ | K:
		case JMP | JEQ | X: pc += (A == src) ? i->jt : i->jf; break;
		case JMP | JGT | K:
		case JMP | JGT | X: pc += (A > src) ? i->jt : i->jf; break;
		case JMP | JGE | K:
		case JMP | JGE | X: pc += (A >= src) ? i->jt : i->jf; break;
		case JMP | JSET | K:
		case JMP | JSET | X: pc += (A & src) ? i->jt : i->jf; break;
		case RET | K: return i->k;
		case RET | RA: return A;
		default: return SC_RET_KILL_THREAD; /* unchecked program */
		}
	}
	return SC_RET_KILL_THREAD; /* fell off the end: only an unchecked program can */
}

static int32_t action_only(uint32_t ret) { return (int32_t)(ret & SC_RET_ACTION_FULL); }

uint32_t sc_run_stack(const struct sc_prog *progs, size_t nprogs, const struct sc_data *d,
                      int *read_args)
{
	uint32_t ret = SC_RET_ALLOW;
	for (size_t i = nprogs; i-- > 0;) {
		uint32_t cur = sc_bpf_run(progs[i].insns, progs[i].n, d, read_args);
		if (action_only(cur) < action_only(ret)) ret = cur;
	}
	return ret;
}

void sc_action_str(uint32_t ret, char *buf, size_t n)
{
	uint32_t data = ret & SC_RET_DATA;
	switch (ret & SC_RET_ACTION_FULL) {
	case SC_RET_ALLOW: snprintf(buf, n, "allow"); break;
	case SC_RET_LOG: snprintf(buf, n, "log"); break;
	case SC_RET_ERRNO: snprintf(buf, n, "errno:%u", data > 4095 ? 4095 : data); break;
	case SC_RET_TRAP: snprintf(buf, n, "trap"); break;
	case SC_RET_TRACE: snprintf(buf, n, "trace"); break;
	case SC_RET_USER_NOTIF: snprintf(buf, n, "user_notif"); break;
	case SC_RET_KILL_THREAD: snprintf(buf, n, "kill_thread"); break;
	default: snprintf(buf, n, "kill_process"); break;
	}
}

int sc_action_permits(uint32_t ret)
{
	switch (ret & SC_RET_ACTION_FULL) {
	case SC_RET_ALLOW:
	case SC_RET_LOG:
	case SC_RET_TRACE:
	case SC_RET_USER_NOTIF: return 1;
	}
	return 0;
}
