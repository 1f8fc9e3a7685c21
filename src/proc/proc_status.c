/* proc_status: see proc_status.h. */
#include "proc_status.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"

static int parse_long(const char *s, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s) return -1;
	while (*end == ' ' || *end == '\t') end++;
	if (*end) return -1;
	*out = v;
	return 0;
}

/* Up to 4 whitespace-separated integers (Uid:, Gid:). */
static int parse_ids(const char *s, long out[4])
{
	for (int i = 0; i < 4; i++) {
		while (*s == ' ' || *s == '\t') s++;
		char *end;
		errno = 0;
		long v = strtol(s, &end, 10);
		if (errno || end == s) return -1;
		out[i] = v;
		s = end;
	}
	return 0;
}

static int parse_int_field(const char *v, int *out)
{
	long l;
	if (parse_long(v, &l) < 0 || l < -1 || l > 0x7fffffff) return -1;
	*out = (int)l;
	return 0;
}

/* NSpid: the pid in each namespace, outermost first: the innermost and the
 * depth.  1 when malformed. */
static int parse_nspid(char *val, struct proc_status *st)
{
	int depth = 0;
	char *s = val, *e;
	for (;;) {
		while (*s == ' ' || *s == '\t') s++;
		if (!*s) break;
		errno = 0;
		long v = strtol(s, &e, 10);
		if (errno || e == s) return 1;
		st->nspid_inner = v;
		depth++;
		s = e;
	}
	st->nspid_depth = depth;
	return 0;
}

/* What status_field learns beyond st. */
struct status_seen {
	int name, vm, kthread; /* kthread: the Kthread field, -1 when absent */
};

/* The keys read; every other line is skipped without a copy. */
typedef enum {
	SK_NONE = 0,
	SK_NAME,
	SK_STATE,
	SK_PID,
	SK_PPID,
	SK_TGID,
	SK_TRACER,
	SK_UID,
	SK_GID,
	SK_KTHREAD,
	SK_NSPID,
	SK_NNP,
	SK_SECCOMP,
	SK_SECCOMP_FILTERS,
	SK_VMSIZE,
	SK_THREADS,
	SK_CAP, /* + PS_CAP_* */
} status_key_t;

/* A key by its exact bytes.  The table is sorted by length and `from`
 * gives each length's first entry, so a line costs one or a few compares
 * (a status file has ~55 lines, ~20 of them read). */
static int status_key(const char *key, size_t klen)
{
	static const struct {
		const char *k;
		unsigned char len;
		unsigned char id;
	} keys[] = {
	        {"Pid", 3, SK_PID},
	        {"Uid", 3, SK_UID},
	        {"Gid", 3, SK_GID},
	        {"Name", 4, SK_NAME},
	        {"PPid", 4, SK_PPID},
	        {"Tgid", 4, SK_TGID},
	        {"State", 5, SK_STATE},
	        {"NSpid", 5, SK_NSPID},
	        {"VmSize", 6, SK_VMSIZE},
	        {"CapInh", 6, SK_CAP + PS_CAP_INH},
	        {"CapPrm", 6, SK_CAP + PS_CAP_PRM},
	        {"CapEff", 6, SK_CAP + PS_CAP_EFF},
	        {"CapBnd", 6, SK_CAP + PS_CAP_BND},
	        {"CapAmb", 6, SK_CAP + PS_CAP_AMB},
	        {"Kthread", 7, SK_KTHREAD},
	        {"Seccomp", 7, SK_SECCOMP},
	        {"Threads", 7, SK_THREADS},
	        {"TracerPid", 9, SK_TRACER},
	        {"NoNewPrivs", 10, SK_NNP},
	        {"Seccomp_filters", 15, SK_SECCOMP_FILTERS},
	};
	/* from[len]: the first entry of that length or longer */
	static const unsigned char from[17] = {0,  0,  0,  0,  3,  6,  8,  14, 17,
	                                       17, 18, 19, 19, 19, 19, 19, 20};
	if (klen < 3 || klen > 15) return SK_NONE;
	for (unsigned i = from[klen]; i < from[klen + 1]; i++)
		if (keys[i].len == klen && !memcmp(keys[i].k, key, klen)) return keys[i].id;
	return SK_NONE;
}

/* One "Key:\tvalue" line into st: 1 when its value is malformed. */
static int status_field(struct proc_status *st, int key, char *val, struct status_seen *seen)
{
	switch (key) {
	case SK_NAME:
		/* The kernel escapes '\n' and '\\' in comm; keep it as shown. */
		snprintf(st->name, sizeof st->name, "%s", val);
		seen->name = 1;
		return 0;
	case SK_STATE: st->state = val[0] ? val[0] : '?'; return 0;
	case SK_PID: return parse_int_field(val, &st->pid);
	case SK_PPID: return parse_int_field(val, &st->ppid);
	case SK_TGID: return parse_int_field(val, &st->tgid);
	case SK_TRACER: return parse_int_field(val, &st->tracer_pid);
	case SK_UID: return parse_ids(val, st->uid);
	case SK_GID: return parse_ids(val, st->gid);
	case SK_KTHREAD: return parse_int_field(val, &seen->kthread);
	case SK_NSPID: return parse_nspid(val, st);
	case SK_NNP:
		return parse_int_field(val, &st->no_new_privs) || st->no_new_privs < 0 ||
		       st->no_new_privs > 1;
	case SK_SECCOMP:
		return parse_int_field(val, &st->seccomp) || st->seccomp < 0 || st->seccomp > 2;
	case SK_SECCOMP_FILTERS:
		return parse_int_field(val, &st->seccomp_filters) || st->seccomp_filters < 0;
	case SK_VMSIZE: seen->vm = 1; return 0;
	case SK_THREADS: return parse_int_field(val, &st->threads);
	default:
		if (cap_parse_hex(val, &st->caps[key - SK_CAP], NULL) < 0) return 1;
		st->caps_seen |= 1u << (key - SK_CAP);
		return 0;
	}
}

int proc_status_parse(const char *text, size_t len, struct proc_status *st, ea_error_t *err)
{
	memset(st, 0, sizeof *st);
	st->state = '?';
	st->pid = st->ppid = st->tgid = st->tracer_pid = -1;
	st->no_new_privs = st->seccomp = st->seccomp_filters = st->threads = -1;
	st->nspid_inner = -1;
	for (int i = 0; i < 4; i++) st->uid[i] = st->gid[i] = -1;
	struct status_seen seen = {0, 0, -1};

	const char *p = text, *end = text + len;
	while (p < end) {
		/* One pass over the line: its end and its first ':' (a NUL
		 * before it hides it, as in the C string it was once copied to). */
		const char *q = p, *colon = NULL;
		int nul = 0;
		for (; q < end && *q != '\n' && *q != ':'; q++) nul |= *q == '\0';
		if (q < end && *q == ':') {
			if (!nul) colon = q;
			const char *nl = memchr(q, '\n', (size_t)(end - q));
			q = nl ? nl : end;
		}
		size_t n = (size_t)(q - p);
		const char *next = q < end ? q + 1 : end;
		char line[4096];
		/* A key that is not read, or an over-long line: skipped. */
		int key = colon ? status_key(p, (size_t)(colon - p)) : SK_NONE;
		if (key == SK_NONE || n >= sizeof line) {
			p = next;
			continue;
		}
		size_t klen = (size_t)(colon - p);
		memcpy(line, p, n);
		line[n] = '\0';
		line[klen] = '\0'; /* the key, for the message */
		p = next;
		char *val = line + klen + 1;
		while (*val == ' ' || *val == '\t') val++;
		if (status_field(st, key, val, &seen))
			return ea_fail(err, EA_E_FORMAT,
			               "status field %s has a malformed value '%.40s'", line, val);
	}
	if (!seen.name || st->pid < 0)
		return ea_fail(err, EA_E_FORMAT, "status has no %s line",
		               seen.name ? "Pid" : "Name");
	/* Kthread: appeared in 6.x; before it, a kernel thread is the one with
	 * no user memory, which status shows as no Vm* lines (a zombie has none
	 * either, but its State says Z).  Not "PPid 2": inside a pid namespace
	 * pid 2 is an ordinary process. */
	if (seen.kthread >= 0) st->kthread = seen.kthread == 1;
	else st->kthread = !seen.vm && st->state != 'Z';
	return 0;
}
