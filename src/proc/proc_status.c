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

int proc_status_parse(const char *text, size_t len, struct proc_status *st, ea_error_t *err)
{
	static const char *const capkeys[PS_CAP_COUNT] = {"CapInh", "CapPrm", "CapEff", "CapBnd",
	                                                  "CapAmb"};
	memset(st, 0, sizeof *st);
	st->state = '?';
	st->pid = st->ppid = st->tgid = st->tracer_pid = -1;
	st->no_new_privs = st->seccomp = st->seccomp_filters = st->threads = -1;
	st->nspid_inner = -1;
	for (int i = 0; i < 4; i++) st->uid[i] = st->gid[i] = -1;
	int have_name = 0, have_vm = 0, kthread_field = -1;

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
		const char *key = line;
		char *val = colon + 1;
		while (*val == ' ' || *val == '\t') val++;
		int bad = 0;
		if (!strcmp(key, "Name")) {
			/* The kernel escapes '\n' and '\\' in comm; keep it as shown. */
			snprintf(st->name, sizeof st->name, "%s", val);
			have_name = 1;
		} else if (!strcmp(key, "State")) {
			st->state = val[0] ? val[0] : '?';
		} else if (!strcmp(key, "Pid")) {
			bad = parse_int_field(val, &st->pid);
		} else if (!strcmp(key, "PPid")) {
			bad = parse_int_field(val, &st->ppid);
		} else if (!strcmp(key, "Tgid")) {
			bad = parse_int_field(val, &st->tgid);
		} else if (!strcmp(key, "TracerPid")) {
			bad = parse_int_field(val, &st->tracer_pid);
		} else if (!strcmp(key, "Uid")) {
			bad = parse_ids(val, st->uid);
		} else if (!strcmp(key, "Gid")) {
			bad = parse_ids(val, st->gid);
		} else if (!strcmp(key, "Kthread")) {
			bad = parse_int_field(val, &kthread_field);
		} else if (!strcmp(key, "NSpid")) {
			int depth = 0;
			char *s = val, *e;
			for (;;) {
				while (*s == ' ' || *s == '\t') s++;
				if (!*s) break;
				errno = 0;
				long v = strtol(s, &e, 10);
				if (errno || e == s) {
					bad = 1;
					break;
				}
				st->nspid_inner = v;
				depth++;
				s = e;
			}
			st->nspid_depth = depth;
		} else if (!strcmp(key, "NoNewPrivs")) {
			bad = parse_int_field(val, &st->no_new_privs) || st->no_new_privs < 0 ||
			      st->no_new_privs > 1;
		} else if (!strcmp(key, "Seccomp")) {
			bad = parse_int_field(val, &st->seccomp) || st->seccomp < 0 ||
			      st->seccomp > 2;
		} else if (!strcmp(key, "Seccomp_filters")) {
			bad = parse_int_field(val, &st->seccomp_filters) || st->seccomp_filters < 0;
		} else if (!strcmp(key, "VmSize")) {
			have_vm = 1;
		} else if (!strcmp(key, "Threads")) {
			bad = parse_int_field(val, &st->threads);
		} else {
			for (int i = 0; i < PS_CAP_COUNT; i++) {
				if (strcmp(key, capkeys[i]) != 0) continue;
				if (cap_parse_hex(val, &st->caps[i], NULL) < 0) bad = 1;
				else st->caps_seen |= 1u << i;
			}
		}
		if (bad)
			return ea_fail(err, EA_E_FORMAT,
			               "status field %s has a malformed value '%.40s'", key, val);
	}
	if (!have_name || st->pid < 0)
		return ea_fail(err, EA_E_FORMAT, "status has no %s line",
		               have_name ? "Pid" : "Name");
	/* Kthread: appeared in 6.x; before it, a kernel thread is the one with
	 * no user memory, which status shows as no Vm* lines (a zombie has none
	 * either, but its State says Z).  Not "PPid 2": inside a pid namespace
	 * pid 2 is an ordinary process. */
	if (kthread_field >= 0) st->kthread = kthread_field == 1;
	else st->kthread = !have_vm && st->state != 'Z';
	return 0;
}
