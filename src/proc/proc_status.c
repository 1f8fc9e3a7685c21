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

/* One "Key:\tvalue" line into st: 1 when its value is malformed. */
static int status_field(struct proc_status *st, const char *key, char *val,
                        struct status_seen *seen)
{
	static const char *const capkeys[PS_CAP_COUNT] = {"CapInh", "CapPrm", "CapEff", "CapBnd",
	                                                  "CapAmb"};
	if (!strcmp(key, "Name")) {
		/* The kernel escapes '\n' and '\\' in comm; keep it as shown. */
		snprintf(st->name, sizeof st->name, "%s", val);
		seen->name = 1;
		return 0;
	}
	if (!strcmp(key, "State")) {
		st->state = val[0] ? val[0] : '?';
		return 0;
	}
	if (!strcmp(key, "Pid")) return parse_int_field(val, &st->pid);
	if (!strcmp(key, "PPid")) return parse_int_field(val, &st->ppid);
	if (!strcmp(key, "Tgid")) return parse_int_field(val, &st->tgid);
	if (!strcmp(key, "TracerPid")) return parse_int_field(val, &st->tracer_pid);
	if (!strcmp(key, "Uid")) return parse_ids(val, st->uid);
	if (!strcmp(key, "Gid")) return parse_ids(val, st->gid);
	if (!strcmp(key, "Kthread")) return parse_int_field(val, &seen->kthread);
	if (!strcmp(key, "NSpid")) return parse_nspid(val, st);
	if (!strcmp(key, "NoNewPrivs"))
		return parse_int_field(val, &st->no_new_privs) || st->no_new_privs < 0 ||
		       st->no_new_privs > 1;
	if (!strcmp(key, "Seccomp"))
		return parse_int_field(val, &st->seccomp) || st->seccomp < 0 || st->seccomp > 2;
	if (!strcmp(key, "Seccomp_filters"))
		return parse_int_field(val, &st->seccomp_filters) || st->seccomp_filters < 0;
	if (!strcmp(key, "VmSize")) {
		seen->vm = 1;
		return 0;
	}
	if (!strcmp(key, "Threads")) return parse_int_field(val, &st->threads);
	for (int i = 0; i < PS_CAP_COUNT; i++) {
		if (strcmp(key, capkeys[i]) != 0) continue;
		if (cap_parse_hex(val, &st->caps[i], NULL) < 0) return 1;
		st->caps_seen |= 1u << i;
	}
	return 0;
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
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *next = nl ? nl + 1 : end;
		char line[4096];
		if (n >= sizeof line) {
			p = next;
			continue;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		p = next;
		char *colon = strchr(line, ':');
		if (!colon) continue;
		*colon = '\0';
		char *val = colon + 1;
		while (*val == ' ' || *val == '\t') val++;
		if (status_field(st, line, val, &seen))
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
