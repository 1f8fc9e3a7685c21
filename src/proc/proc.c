/* proc: see proc.h.
 *
 * Two passes.  Pass 1 reads every process once through a folder fd of
 * /proc/<pid> opened first (so a recycled pid can never mix two processes:
 * reads through the old folder fail with ESRCH/ENOENT) and keeps a small
 * record; with --deep it also reads the filters while that fd is open.
 * Pass 2 needs the whole table (a container process is recognised by its
 * ancestors), groups processes into containers, reads each container's
 * bundle once, and fills the model (a container record per container, a
 * process record per process) and the findings.
 */
#include "proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caps.h"
#include "kernel_facts.h"
#include "model.h"
#include "proc_cgroup.h"
#include "proc_container.h"
#include "proc_ptrace.h"
#include "proc_status.h"
#include "seccomp_eval.h"
#include "util.h"

#define PROC_MAX_PROCS      32768 /* past this the rest is reported unchecked */
#define PROC_MAX_CONTAINERS 4096
#define STATUS_MAX          (64u << 10)
#define CGROUP_MAX          (64u << 10)
#define SMALL_MAX           4096u
#define CMDLINE_MAX         (64u << 10)
#define MOUNTINFO_MAX       (4u << 20)
#define DEEP_TIMEOUT_MS     1000
#define ANCESTOR_DEPTH      16

struct prec {
	struct proc_status st;
	uint64_t ns[NS_COUNT];
	unsigned ns_known; /* bit per NS_* read */
	struct cgroup_match cg;
	int cg_matched;
	char *lsm;               /* label, NULL if none */
	char *uid_map, *gid_map; /* only for a user namespace of its own */
	int ns_unreadable;
	int full; /* 1: reported (all, or the --pid one); 0: kept for the ancestor walk */
	struct sc_result *deep; /* evaluation of its filters, NULL if none */
	size_t deep_insns[8];
	size_t deep_nfilters;
	char *deep_problem;   /* why its filters could not be read */
	char *threads_differ; /* tids whose seccomp state differs from the main thread's */
	int cont;             /* index in the container table, -1 */
};

struct cont {
	struct container c;
	struct shim_info shim;
	int have_shim;
	int first_pid, nprocs;
	struct container_rec *rec; /* the model's, filled once loaded */
	struct sc_result *profile;
	char profile_problem[200];
	/* finding accumulators */
	int n_noseccomp, n_nonnp, first_noseccomp, first_nonnp;
	uint64_t caps; /* union of effective/permitted/ambient, and bounding when no_new_privs is
	                  off */
	int caps_pid;
	int host_ns[NS_COUNT]; /* first pid sharing the host's namespace, 0 none */
	char *deep_msg[2][4];  /* distinct filter findings per class */
	int deep_pid[2][4];
};

struct scan {
	report_t *r;
	int deep, want_pid, self;
	struct kernel_facts kf;
	enum sc_arch host_arches[2];
	int nhost_arches;
	unsigned host_mask;
	uint64_t ref_ns[NS_COUNT];
	unsigned ref_known;
	int lsm_on;
	int deep_off;      /* deep turned off for this run (reported once) */
	int deep_timeouts; /* processes that did not stop in time */
	struct prec *p;
	size_t np, cap;
	struct cont *c;
	size_t nc;
	struct dockerd_info *dk;
	int ndk;
	struct {
		uint64_t mnt;
		char *bundle;
	} rootcache[64];
	int nrootcache;
	char *host_mountinfo;
	size_t host_mountinfo_len;
	/* deep cache: one evaluation per distinct filter stack */
	struct dcache {
		uint64_t h;
		size_t total;
		struct sc_result *res;
	} * dc;
	size_t ndc;
	unsigned unreadable;
	char unreadable_pids[160];
	char unreadable_why[160];
};

/* ---- small reads below a /proc folder fd ---- */

/* Read a /proc file fully (procfs files have no size): at most max bytes. */
static int read_at(int dirfd, const char *rel, size_t max, char **data, size_t *len,
                   ea_error_t *err)
{
	cleanup_close int fd =
	        openat(dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) return ea_fail_errno(err, errno, "%s", rel);
	ea_buf_t b;
	ea_buf_init(&b, max);
	char tmp[4096];
	for (;;) {
		ssize_t n = read(fd, tmp, sizeof tmp);
		if (n < 0 && errno == EINTR) continue;
		if (n < 0) {
			int e = errno;
			ea_buf_free(&b);
			return ea_fail_errno(err, e, "%s", rel);
		}
		if (n == 0) break;
		if (ea_buf_append(&b, tmp, (size_t)n, err) < 0) {
			ea_buf_free(&b);
			return -1;
		}
	}
	if (!b.data) b.data = xstrdup("");
	*data = b.data;
	*len = b.len;
	return 0;
}

/* A single-record procfs file (status, cgroup: the kernel prints each with
 * single_open, the whole record before the first byte is handed out): one
 * read shorter than buf is the whole file, so the read that would return
 * 0 is not made.  A full buf is read again by read_at (the text is then in
 * *heap, the caller's to free).  Returns the NUL-terminated text or NULL. */
static const char *read_single_at(int dirfd, const char *rel, char *buf, size_t cap, size_t max,
                                  char **heap, size_t *len, ea_error_t *err)
{
	*heap = NULL;
	cleanup_close int fd =
	        openat(dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) return ea_fail_errno(err, errno, "%s", rel), NULL;
	ssize_t n;
	do n = read(fd, buf, cap - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0) return ea_fail_errno(err, errno, "%s", rel), NULL;
	if ((size_t)n < cap - 1) {
		buf[n] = '\0';
		*len = (size_t)n;
		return buf;
	}
	return read_at(dirfd, rel, max, heap, len, err) < 0 ? NULL : *heap;
}

/* "net:[4026531840]" -> 4026531840. */
static int ns_inode(int dirfd, const char *name, uint64_t *ino, int *err_no)
{
	char rel[32], buf[64];
	snprintf(rel, sizeof rel, "ns/%s", name);
	ssize_t n = readlinkat(dirfd, rel, buf, sizeof buf - 1);
	if (n < 0) {
		*err_no = errno;
		return -1;
	}
	buf[n] = '\0';
	char *o = strchr(buf, '[');
	if (!o) {
		*err_no = EINVAL;
		return -1;
	}
	*ino = strtoull(o + 1, NULL, 10);
	return 0;
}

/* A process that vanished: ENOENT/ESRCH on anything below its folder. */
static int gone(const ea_error_t *e)
{
	return e->code == EA_E_NOENT || strstr(e->msg, "No such process") != NULL;
}

static void note_unreadable(struct scan *s, int pid, const char *why)
{
	if (s->unreadable++ == 0) snprintf(s->unreadable_why, sizeof s->unreadable_why, "%s", why);
	size_t l = strlen(s->unreadable_pids);
	if (s->unreadable <= 10 && l + 12 < sizeof s->unreadable_pids)
		snprintf(s->unreadable_pids + l, sizeof s->unreadable_pids - l, "%s%d",
		         l ? " " : "", pid);
}

/* ---- deep ---- */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static void deep_read(struct scan *s, struct prec *pr, int dirfd)
{
	if (s->deep_off || pr->st.seccomp != 2 || pr->st.pid == s->self) return;
	if (pr->st.tracer_pid > 0) {
		pr->deep_problem = xasprintf("already traced by pid %d: its filters cannot be read",
		                             pr->st.tracer_pid);
		return;
	}
	struct sc_filter_set fs;
	ea_error_t e = {0};
	/* A process in uninterruptible sleep does not stop; after a few of
	 * those the wait is cut short, so a box full of them still ends soon. */
	int timeout = s->deep_timeouts >= 3 ? DEEP_TIMEOUT_MS / 10 : DEEP_TIMEOUT_MS;
	if (proc_read_filters(pr->st.pid, dirfd, timeout, &fs, &e) < 0) {
		if (e.code == EA_E_INTERRUPTED) s->deep_timeouts++;
		if (e.code == EA_E_NOENT) {
			pr->full = -1; /* exited during the scan: drop it */
			return;
		}
		if (e.code == EA_E_UNSUPPORTED) {
			s->deep_off = 1;
			report_finding(s->r, "proc.deep_unavailable", "kernel", "--deep: %s",
			               e.msg);
			return;
		}
		pr->deep_problem = xasprintf("%s", e.msg);
		return;
	}
	struct sc_prog progs[PT_MAX_FILTERS];
	uint64_t h = 0xcbf29ce484222325ull;
	size_t total = 0;
	for (size_t i = 0; i < fs.count; i++) {
		ea_error_t ce = {0};
		if (sc_bpf_check(fs.insns[i], fs.n[i], &ce) < 0) {
			pr->deep_problem = xasprintf("filter %zu: %s", i, ce.msg);
			sc_filter_set_free(&fs);
			return;
		}
		progs[i].insns = fs.insns[i];
		progs[i].n = fs.n[i];
		h = fnv(h, &fs.n[i], sizeof fs.n[i]);
		h = fnv(h, fs.insns[i], fs.n[i] * sizeof *fs.insns[i]);
		total += fs.n[i];
		if (i < sizeof pr->deep_insns / sizeof pr->deep_insns[0])
			pr->deep_insns[i] = fs.n[i];
	}
	pr->deep_nfilters = fs.count;
	if (fs.count == 0) {
		sc_filter_set_free(&fs);
		pr->deep_problem = xasprintf("the kernel returned no filter although Seccomp is 2");
		return;
	}
	struct sc_result *res = NULL;
	for (size_t i = 0; i < s->ndc; i++)
		if (s->dc[i].h == h && s->dc[i].total == total) res = s->dc[i].res;
	if (!res) {
		res = xmalloc(sizeof *res);
		sc_eval_filters(progs, fs.count, s->host_mask, res);
		s->dc = xrealloc(s->dc, (s->ndc + 1) * sizeof *s->dc);
		s->dc[s->ndc++] = (struct dcache){h, total, res};
	}
	pr->deep = res; /* owned by the cache */
	sc_filter_set_free(&fs);

	/* Threads may differ (a thread that installed its own filter without
	 * TSYNC): the evaluation above is the main thread's. */
	if (pr->st.threads > 1) {
		cleanup_close int tfd = openat(dirfd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		int tfd2 = tfd >= 0 ? dup(tfd) : -1;
		DIR *d = tfd2 >= 0 ? fdopendir(tfd2) : NULL;
		if (!d && tfd2 >= 0) close(tfd2);
		struct dirent *de;
		char list[128] = "";
		int shown = 0;
		while (d && (de = readdir(d)) && shown < 8) {
			if (de->d_name[0] < '1' || de->d_name[0] > '9' ||
			    atoi(de->d_name) == pr->st.pid)
				continue;
			char rel[300];
			snprintf(rel, sizeof rel, "%s/status", de->d_name);
			cleanup_free char *txt = NULL;
			size_t len;
			struct proc_status ts;
			if (read_at(tfd, rel, STATUS_MAX, &txt, &len, NULL) < 0 ||
			    proc_status_parse(txt, len, &ts, NULL) < 0)
				continue;
			if (ts.seccomp != pr->st.seccomp ||
			    ts.seccomp_filters != pr->st.seccomp_filters) {
				size_t l = strlen(list);
				if (l + strlen(de->d_name) + 2 > sizeof list) break;
				if (l) list[l++] = ' ';
				pc_copy(list + l, sizeof list - l, de->d_name);
				shown++;
			}
		}
		if (d) closedir(d);
		if (list[0]) pr->threads_differ = xstrdup(list);
	}
}

/* ---- pass 1 ---- */

static void prec_free(struct prec *pr)
{
	free(pr->lsm);
	free(pr->uid_map);
	free(pr->gid_map);
	free(pr->deep_problem);
	free(pr->threads_differ);
}

/* A process's namespaces.  Returns -1 when it turned out to be gone (or
 * going: nothing is said of it), 0 when it is kept. */
static int read_namespaces(struct scan *s, struct prec *pr, int dfd, int pid)
{
	int missing = 0;
	for (int i = 0; i < NS_COUNT; i++) {
		int en = 0;
		if (ns_inode(dfd, model_ns_names[i], &pr->ns[i], &en) == 0) {
			pr->ns_known |= 1u << i;
		} else if (en == ESRCH || (en == ENOENT && i == NS_PID)) {
			return -1; /* gone (every kernel has ns/pid) */
		} else if (en == ENOENT && (s->ref_known & (1u << i))) {
			missing = 1; /* the kernel has it: did the process just exit? */
		} else if (en == EACCES || en == EPERM) {
			/* Kept with what status and cgroup say: its namespaces stay
			 * unknown, never guessed, and the scan is incomplete. */
			pr->ns_unreadable = 1;
		}
	}
	if (pr->ns_unreadable) {
		/* An exiting process (its memory already released) refuses the
		 * ptrace access check too: read its state again, and say nothing
		 * of one that is going away. */
		cleanup_free char *again = NULL;
		size_t alen = 0;
		struct proc_status st2;
		if (read_at(dfd, "status", STATUS_MAX, &again, &alen, NULL) < 0 || alen == 0 ||
		    proc_status_parse(again, alen, &st2, NULL) < 0 || st2.state == 'Z' ||
		    st2.state == 'X' ||
		    !strstr(again, "\nVmSize:")) /* no memory left: it is exiting */
			return -1;
		note_unreadable(s, pid, "its namespaces cannot be read (ptrace access mode)");
	}
	/* Half-read namespaces of a process that exited meanwhile would read
	 * as "its own"; its folder tells whether it still exists. */
	if (missing && faccessat(dfd, "stat", F_OK, 0) < 0) return -1;
	return 0;
}

/* ID maps of a process in another user namespace, and its LSM label. */
static void read_labels(struct scan *s, struct prec *pr, int dfd)
{
	if ((pr->ns_known & s->ref_known & (1u << NS_USER)) &&
	    pr->ns[NS_USER] != s->ref_ns[NS_USER]) {
		size_t l;
		if (read_at(dfd, "uid_map", SMALL_MAX, &pr->uid_map, &l, NULL) < 0)
			pr->uid_map = NULL;
		if (read_at(dfd, "gid_map", SMALL_MAX, &pr->gid_map, &l, NULL) < 0)
			pr->gid_map = NULL;
	}
	if (s->lsm_on) {
		char *lab = NULL;
		size_t l;
		if (read_at(dfd, "attr/current", SMALL_MAX, &lab, &l, NULL) == 0) {
			while (l && (lab[l - 1] == '\n' || lab[l - 1] == '\0')) lab[--l] = '\0';
			if (l) pr->lsm = lab;
			else free(lab);
		}
	}
}

/* The full read of a process in scope: cgroup, namespaces, labels, and
 * its seccomp filters under --deep.  Returns -1 to drop it. */
static int read_full(struct scan *s, struct prec *pr, int dfd, int pid)
{
	ea_error_t e = {0};
	char buf[4096];
	cleanup_free char *heap = NULL;
	size_t cglen = 0;
	const char *cg =
	        read_single_at(dfd, "cgroup", buf, sizeof buf, CGROUP_MAX, &heap, &cglen, &e);
	if (!cg) {
		if (!gone(&e)) note_unreadable(s, pid, e.msg);
		return -1;
	}
	pr->cg_matched = proc_cgroup_match(cg, cglen, &pr->cg);
	if (read_namespaces(s, pr, dfd, pid) < 0) return -1;
	read_labels(s, pr, dfd);
	if (s->deep) deep_read(s, pr, dfd);
	if (pr->full < 0) {
		prec_free(pr);
		return -1;
	}
	return 0;
}

/* Daemons whose command line tells where their containers' data is. */
static void note_daemon(struct scan *s, const struct prec *pr, int dfd)
{
	struct dockerd_info di;
	if (strcmp(pr->st.name, "dockerd") != 0 && strncmp(pr->st.name, "balena", 6) != 0) return;
	cleanup_free char *cmd = NULL;
	size_t clen;
	if (read_at(dfd, "cmdline", CMDLINE_MAX, &cmd, &clen, NULL) == 0 &&
	    dockerd_parse(pr->st.name, cmd, clen, &di)) {
		s->dk = xrealloc(s->dk, (size_t)(s->ndk + 1) * sizeof *s->dk);
		s->dk[s->ndk++] = di;
	}
}

/* One process: its folder opened below /proc's fd (name: its pid). */
static void read_process(struct scan *s, int procfd, const char *name, int pid)
{
	cleanup_close int dfd =
	        openat(procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0) {
		if (errno != ENOENT && errno != ESRCH) note_unreadable(s, pid, strerror(errno));
		return;
	}
	ea_error_t e = {0};
	char buf[8192];
	cleanup_free char *heap = NULL;
	size_t slen = 0;
	const char *status =
	        read_single_at(dfd, "status", buf, sizeof buf, STATUS_MAX, &heap, &slen, &e);
	if (!status) {
		if (!gone(&e)) note_unreadable(s, pid, e.msg);
		return;
	}
	struct prec pr;
	memset(&pr, 0, sizeof pr);
	pr.cont = -1;
	if (proc_status_parse(status, slen, &pr.st, &e) < 0) {
		if (slen) note_unreadable(s, pid, e.msg);
		return; /* an empty status: it exited while read */
	}
	if (pr.st.state == 'Z' || pr.st.state == 'X')
		return; /* exited, not reaped: no attack surface left */
	pr.full = s->want_pid ? pid == s->want_pid : !pr.st.kthread;
	if (pr.full && read_full(s, &pr, dfd, pid) < 0) return;
	note_daemon(s, &pr, dfd);
	if (s->np == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->p = xrealloc(s->p, s->cap * sizeof *s->p);
	}
	s->p[s->np++] = pr;
}

static int cmp_prec(const void *a, const void *b)
{
	int x = ((const struct prec *)a)->st.pid, y = ((const struct prec *)b)->st.pid;
	return (x > y) - (x < y);
}

static struct prec *find(struct scan *s, int pid)
{
	size_t lo = 0, hi = s->np;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->p[mid].st.pid == pid) return &s->p[mid];
		if (s->p[mid].st.pid < pid) lo = mid + 1;
		else hi = mid;
	}
	return NULL;
}

/* ---- pass 2: containers ---- */

static int read_file_pid(int pid, const char *rel, size_t max, char **data, size_t *len)
{
	char path[32];
	snprintf(path, sizeof path, "/proc/%d", pid);
	cleanup_close int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) return -1;
	return read_at(dfd, rel, max, data, len, NULL);
}

/* The nearest ancestor that is a runtime monitor. */
static int find_shim(struct scan *s, const struct prec *pr, struct shim_info *si)
{
	int pid = pr->st.ppid;
	for (int depth = 0; depth < ANCESTOR_DEPTH && pid > 1; depth++) {
		struct prec *a = find(s, pid);
		if (!a) return 0;
		const char *comm = a->st.name;
		if (!strncmp(comm, "containerd-shim", 15) || !strcmp(comm, "conmon") ||
		    !strncmp(comm, "balena", 6)) {
			cleanup_free char *cmd = NULL;
			size_t clen;
			if (read_file_pid(pid, "cmdline", CMDLINE_MAX, &cmd, &clen) < 0) return 0;
			if (shim_parse(comm, cmd, clen, si) == SHIM_NONE) {
				pid = a->st.ppid; /* a daemon of the same family, not a monitor */
				continue;
			}
			if (si->kind != SHIM_CONMON) {
				/* containerd's shims run in the bundle (v2) or the v1 workdir. */
				char link[32];
				snprintf(link, sizeof link, "/proc/%d/cwd", pid);
				char cwd[PC_PATH];
				ssize_t n = readlink(link, cwd, sizeof cwd - 1);
				if (n > 0) {
					cwd[n] = '\0';
					snprintf(si->bundle, sizeof si->bundle, "%s", cwd);
				}
			}
			return 1;
		}
		pid = a->st.ppid;
	}
	return 0;
}

/* runc or crun run by hand: the bundle is the parent of the root mount's
 * host path when its config.json leads back to it. */
static int bundle_from_root(struct scan *s, const struct prec *pr, char *bundle, size_t n)
{
	if (!s->host_mountinfo) {
		if (read_file_pid(1, "mountinfo", MOUNTINFO_MAX, &s->host_mountinfo,
		                  &s->host_mountinfo_len) < 0) {
			s->host_mountinfo = xstrdup("");
			s->host_mountinfo_len = 0;
		}
	}
	cleanup_free char *mi = NULL;
	size_t milen;
	if (read_file_pid(pr->st.pid, "mountinfo", MOUNTINFO_MAX, &mi, &milen) < 0) return 0;
	char root[PC_PATH], host[PC_PATH];
	unsigned maj, min;
	if (mountinfo_root(mi, milen, root, sizeof root, &maj, &min) < 0 || !strcmp(root, "/"))
		return 0;
	if (mountinfo_host_path(s->host_mountinfo, s->host_mountinfo_len, maj, min, root, host,
	                        sizeof host) < 0)
		return 0;
	char *slash = strrchr(host, '/');
	if (!slash || slash == host) return 0;
	char dir[PC_PATH + 16];
	snprintf(dir, sizeof dir, "%.*s/config.json", (int)(slash - host), host);
	cJSON *cfg = pc_read_json(dir, NULL);
	if (!cfg) return 0;
	const char *rp = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(cfg, "root"), "path"));
	int ok = rp && (!strcmp(rp, slash + 1) || !strcmp(rp, host));
	cJSON_Delete(cfg);
	if (!ok) return 0;
	snprintf(bundle, n, "%.*s", (int)(slash - host), host);
	return 1;
}

/* bundle_from_root once per mount namespace: processes of one container
 * share it, and services with a private mount namespace are many. */
static int bundle_cached(struct scan *s, const struct prec *pr, char *bundle, size_t n)
{
	for (int i = 0; i < s->nrootcache; i++)
		if (s->rootcache[i].mnt == pr->ns[NS_MNT]) {
			snprintf(bundle, n, "%s", s->rootcache[i].bundle);
			return bundle[0] != '\0';
		}
	int ok = bundle_from_root(s, pr, bundle, n);
	if (!ok) bundle[0] = '\0';
	if (s->nrootcache < 64) {
		s->rootcache[s->nrootcache].mnt = pr->ns[NS_MNT];
		s->rootcache[s->nrootcache++].bundle = xstrdup(bundle);
	}
	return ok;
}

static const char *basename_of(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static int find_or_add_container(struct scan *s, const char *runtime, const char *id)
{
	for (size_t i = 0; i < s->nc; i++)
		if (!strcmp(s->c[i].c.runtime, runtime) && !strcmp(s->c[i].c.id, id)) return (int)i;
	if (s->nc >= PROC_MAX_CONTAINERS) return -1;
	s->c = xrealloc(s->c, (s->nc + 1) * sizeof *s->c);
	struct cont *c = &s->c[s->nc];
	memset(c, 0, sizeof *c);
	snprintf(c->c.runtime, sizeof c->c.runtime, "%s", runtime);
	snprintf(c->c.id, sizeof c->c.id, "%s", id);
	return (int)s->nc++;
}

static void identify(struct scan *s, struct prec *pr)
{
	int own_mnt = (pr->ns_known & s->ref_known & (1u << NS_MNT)) &&
	              pr->ns[NS_MNT] != s->ref_ns[NS_MNT];
	if (!pr->cg_matched && !own_mnt) return; /* a host process */
	struct shim_info si;
	int have_shim = find_shim(s, pr, &si);
	char runtime[32] = "", id[256] = "", bundle[PC_PATH] = "", name[256] = "";
	if (pr->cg_matched) {
		snprintf(runtime, sizeof runtime, "%s", cg_runtime_name(pr->cg.runtime));
		snprintf(id, sizeof id, "%s", pr->cg.id);
	}
	if (have_shim) {
		if (si.kind == SHIM_CONMON) {
			if (!runtime[0]) snprintf(runtime, sizeof runtime, "podman");
			if (!id[0]) snprintf(id, sizeof id, "%s", si.id);
			snprintf(bundle, sizeof bundle, "%s", si.bundle);
			snprintf(name, sizeof name, "%s", si.name);
		} else {
			if (!runtime[0] || (si.kind == SHIM_BALENA && !strcmp(runtime, "docker")))
				snprintf(runtime, sizeof runtime, "%s",
				         si.kind == SHIM_BALENA   ? "balena"
				         : !strcmp(si.ns, "moby") ? "docker"
				                                  : "containerd");
			if (!id[0]) {
				/* ctr's cgroup is /<namespace>/<id>; else the shim's own id. */
				const char *leaf = basename_of(pr->cg.path);
				size_t nl = strlen(si.ns);
				const char *p = pr->cg.path;
				if (p[0] == '/' && !strncmp(p + 1, si.ns, nl) && p[1 + nl] == '/' &&
				    leaf[0])
					snprintf(id, sizeof id, "%s", leaf);
				else snprintf(id, sizeof id, "%s", si.id);
			}
			/* The shim's folder is its own task's bundle; a shim shared by a
			 * pod keeps the others beside it. */
			if (si.bundle[0]) {
				if (!strcmp(basename_of(si.bundle), id))
					snprintf(bundle, sizeof bundle, "%s", si.bundle);
				else
					snprintf(bundle, sizeof bundle, "%.*s/%s",
					         (int)(basename_of(si.bundle) - si.bundle - 1),
					         si.bundle, id);
			}
		}
	}
	if (!have_shim && !bundle[0] && own_mnt && bundle_cached(s, pr, bundle, sizeof bundle)) {
		if (!runtime[0]) snprintf(runtime, sizeof runtime, "oci");
		if (!id[0]) {
			const char *leaf = basename_of(pr->cg.path);
			snprintf(id, sizeof id, "%s", leaf[0] ? leaf : basename_of(bundle));
		}
	}
	if (!runtime[0] || !id[0]) return; /* a sandbox (bwrap, unshare), not a container we know */
	int ci = find_or_add_container(s, runtime, id);
	if (ci < 0) return;
	struct cont *c = &s->c[ci];
	if (!c->nprocs) {
		c->first_pid = pr->st.pid;
		snprintf(c->c.bundle, sizeof c->c.bundle, "%s", bundle);
		snprintf(c->c.name, sizeof c->c.name, "%s", name);
		if (pr->cg.pod[0]) snprintf(c->c.pod, sizeof c->c.pod, "%s", pr->cg.pod);
		if (have_shim) {
			c->shim = si;
			c->have_shim = 1;
		}
	} else if (!c->c.bundle[0] && bundle[0]) {
		snprintf(c->c.bundle, sizeof c->c.bundle, "%s", bundle);
	}
	c->nprocs++;
	pr->cont = ci;
}

static void load_container(struct scan *s, struct cont *c)
{
	container_load(&c->c, c->have_shim ? &c->shim : NULL, s->dk, s->ndk);
	const cJSON *linux_ =
	        c->c.config ? cJSON_GetObjectItemCaseSensitive(c->c.config, "linux") : NULL;
	const cJSON *prof = linux_ ? cJSON_GetObjectItemCaseSensitive(linux_, "seccomp") : NULL;
	if (!prof || cJSON_IsNull(prof)) return;
	struct prec *first = find(s, c->first_pid);
	struct sc_profile_ctx ctx = {
	        .native = s->nhost_arches ? s->host_arches[0] : SC_ARCH_X86_64,
	        .caps = first ? first->st.caps[PS_CAP_BND] : 0,
	        .kernel_major = s->kf.major,
	        .kernel_minor = s->kf.minor,
	};
	c->profile = xmalloc(sizeof *c->profile);
	ea_error_t e = {0};
	if (sc_eval_profile(prof, &ctx, s->host_mask, c->profile, &e) < 0) {
		free(c->profile);
		c->profile = NULL;
		pc_copy(c->profile_problem, sizeof c->profile_problem, e.msg);
	}
}

/* ---- pass 2: the model ---- */

/* A container's record for its processes to point at, once loaded. */
static void container_record(struct scan *s, struct cont *c)
{
	struct container_rec *rec = model_container_new(s->r);
	model_set_str(&rec->runtime, c->c.runtime);
	model_set_str(&rec->id, c->c.id);
	model_set_str(&rec->name, c->c.name);
	model_set_str(&rec->pod, c->c.pod);
	model_set_str(&rec->bundle, c->c.bundle);
	model_set_str(&rec->state, c->c.state);
	model_set_str(&rec->image_id, c->c.image_id);
	model_set_str(&rec->image_name, c->c.image_name);
	if (c->profile) rec->profile = sc_result_json(c->profile);
	else rec->profile_null = c->c.config != NULL;
	model_set_str(&rec->profile_problem, c->profile_problem);
	model_set_str(&rec->problem, c->c.problem);
	rec->first_pid = c->first_pid;
	c->rec = rec;
}

/* {"inh": [...], ...}: the capability sets its status showed. */
static cJSON *caps_object(const struct scan *s, const struct proc_status *st)
{
	static const char *const capkeys[PS_CAP_COUNT] = {"inh", "prm", "eff", "bnd", "amb"};
	cJSON *caps = cJSON_CreateObject();
	for (int i = 0; i < PS_CAP_COUNT; i++)
		if (st->caps_seen & (1u << i))
			cJSON_AddItemToObject(caps, capkeys[i],
			                      caps_to_json(st->caps[i], s->kf.cap_last_cap));
	return caps;
}

/* The namespaces it shares with the host: bit per NS_*, known in both. */
static unsigned host_ns_mask(const struct scan *s, const struct prec *pr)
{
	unsigned m = 0;
	for (int i = 0; i < NS_COUNT; i++)
		if ((pr->ns_known & s->ref_known & (1u << i)) && pr->ns[i] == s->ref_ns[i])
			m |= 1u << i;
	return m;
}

/* A reported process into the model. */
static void process_record(struct scan *s, const struct prec *pr)
{
	const struct proc_status *st = &pr->st;
	struct process_rec *p = model_process_new();
	p->pid = st->pid;
	p->ppid = st->ppid;
	model_set_str(&p->name, st->name);
	p->has_uid = st->uid[0] >= 0;
	p->uid = st->uid[1];
	p->has_ns_pid = st->nspid_depth > 1;
	p->ns_pid = st->nspid_inner;
	p->seccomp = st->seccomp;
	p->seccomp_filters = st->seccomp_filters;
	p->no_new_privs = st->no_new_privs;
	p->caps = caps_object(s, st);
	p->ns_unreadable = pr->ns_unreadable;
	p->host_ns = host_ns_mask(s, pr);
	model_set_str(&p->uid_map, pr->uid_map);
	model_set_str(&p->gid_map, pr->gid_map);
	model_set_str(&p->lsm, pr->lsm);
	p->container = pr->cont >= 0 ? s->c[pr->cont].rec : NULL;
	if (pr->deep) {
		p->has_deep = 1;
		memcpy(p->deep_insns, pr->deep_insns, sizeof p->deep_insns);
		p->deep_nfilters = pr->deep_nfilters;
		p->deep_eval = sc_result_json(pr->deep);
	}
	model_set_str(&p->deep_problem, pr->deep_problem);
	model_set_str(&p->threads_differ, pr->threads_differ);
	model_process_commit(s->r, p);
}

static void accumulate(struct scan *s, struct prec *pr)
{
	if (pr->cont < 0) return;
	struct cont *c = &s->c[pr->cont];
	const struct proc_status *st = &pr->st;
	if (st->seccomp == 0 && !c->n_noseccomp++) c->first_noseccomp = st->pid;
	if (st->no_new_privs == 0 && !c->n_nonnp++) c->first_nonnp = st->pid;
	uint64_t caps = st->caps[PS_CAP_EFF] | st->caps[PS_CAP_PRM] | st->caps[PS_CAP_AMB];
	/* Without no_new_privs an exec of a setuid or file-capability program
	 * regains the whole bounding set. */
	if (st->no_new_privs != 1) caps |= st->caps[PS_CAP_BND];
	if ((caps & ~c->caps) && !c->caps_pid) c->caps_pid = st->pid;
	c->caps |= caps;
	for (int i = 0; i < NS_COUNT; i++)
		if ((pr->ns_known & s->ref_known & (1u << i)) && pr->ns[i] == s->ref_ns[i] &&
		    !c->host_ns[i])
			c->host_ns[i] = st->pid;
	if (pr->deep) {
		for (int cls = 0; cls < 2; cls++) {
			char msg[400];
			if (!sc_result_permits(pr->deep, (enum sc_class)cls, msg, sizeof msg))
				continue;
			int k;
			for (k = 0; k < 4 && c->deep_msg[cls][k]; k++)
				if (!strcmp(c->deep_msg[cls][k], msg)) break;
			if (k < 4 && !c->deep_msg[cls][k]) {
				c->deep_msg[cls][k] = xstrdup(msg);
				c->deep_pid[cls][k] = st->pid;
			}
		}
	}
}

static void container_findings(struct scan *s, struct cont *c)
{
	char subj[300];
	snprintf(subj, sizeof subj, "%s:%s", c->c.runtime, c->c.id);
	const char *nm = c->c.name[0] ? c->c.name : "";
	char who[300];
	snprintf(who, sizeof who, "%s%s%s%d process%s", nm, nm[0] ? ", " : "", "", c->nprocs,
	         c->nprocs == 1 ? "" : "es");
	if (c->n_noseccomp)
		report_finding(s->r, "proc.no_seccomp", subj,
		               "no seccomp filter: %d of %s (pid %d)", c->n_noseccomp, who,
		               c->first_noseccomp);
	if (c->n_nonnp)
		report_finding(s->r, "proc.no_new_privs_off", subj,
		               "no_new_privs is off: %d of %s (pid %d)", c->n_nonnp, who,
		               c->first_nonnp);
	if (c->caps & CAP_BIT(EA_CAP_SYS_ADMIN))
		report_finding(s->r, "proc.cap_sys_admin", subj,
		               "CAP_SYS_ADMIN in the container (%s, pid %d)", who, c->caps_pid);
	if (c->caps & CAP_BIT(EA_CAP_SYS_MODULE))
		report_finding(s->r, "proc.cap_sys_module", subj,
		               "CAP_SYS_MODULE in the container (%s, pid %d)", who, c->caps_pid);
	uint64_t risky = CAP_BIT(EA_CAP_DAC_READ_SEARCH) | CAP_BIT(EA_CAP_NET_ADMIN) |
	                 CAP_BIT(EA_CAP_SYS_RAWIO) | CAP_BIT(EA_CAP_SYS_PTRACE) |
	                 CAP_BIT(EA_CAP_SYS_BOOT) | CAP_BIT(EA_CAP_SYS_TIME) |
	                 CAP_BIT(EA_CAP_MAC_OVERRIDE) | CAP_BIT(EA_CAP_MAC_ADMIN) |
	                 CAP_BIT(EA_CAP_SYSLOG) | CAP_BIT(EA_CAP_PERFMON) | CAP_BIT(EA_CAP_BPF);
	if (c->caps & risky) {
		char names[400];
		caps_to_str(c->caps & risky, names, sizeof names);
		report_finding(s->r, "proc.cap_dangerous", subj, "%s in the container (%s)", names,
		               who);
	}
	if (c->host_ns[NS_PID])
		report_finding(s->r, "proc.host_pid_ns", subj,
		               "shares the host's pid namespace (pid %d)", c->host_ns[NS_PID]);
	if (c->host_ns[NS_NET])
		report_finding(s->r, "proc.host_net_ns", subj,
		               "shares the host's network namespace (pid %d)", c->host_ns[NS_NET]);
	if (c->host_ns[NS_IPC])
		report_finding(s->r, "proc.host_ipc_ns", subj,
		               "shares the host's IPC namespace (pid %d)", c->host_ns[NS_IPC]);
	static const char *const fid[2] = {"proc.filter_allows_dangerous",
	                                   "proc.filter_allows_risky"};
	static const char *const pid_[2] = {"proc.profile_allows_dangerous",
	                                    "proc.profile_allows_risky"};
	for (int cls = 0; cls < 2; cls++) {
		for (int k = 0; k < 4 && c->deep_msg[cls][k]; k++)
			report_finding(s->r, fid[cls], subj, "pid %d's seccomp filter permits %s",
			               c->deep_pid[cls][k], c->deep_msg[cls][k]);
		char msg[400];
		if (c->profile &&
		    sc_result_permits(c->profile, (enum sc_class)cls, msg, sizeof msg))
			report_finding(s->r, pid_[cls], subj,
			               "the bundle's seccomp profile permits %s", msg);
	}
	if (c->c.problem[0] || c->profile_problem[0])
		report_finding(s->r, "proc.bundle_unreadable", subj, "%s",
		               c->profile_problem[0] ? c->profile_problem : c->c.problem);
}

/* ---- the scan ---- */

static void scan_free(struct scan *s)
{
	for (size_t i = 0; i < s->np; i++) prec_free(&s->p[i]);
	free(s->p);
	for (size_t i = 0; i < s->nc; i++) {
		container_clear(&s->c[i].c);
		free(s->c[i].profile);
		for (int a = 0; a < 2; a++)
			for (int k = 0; k < 4; k++) free(s->c[i].deep_msg[a][k]);
	}
	free(s->c);
	for (size_t i = 0; i < s->ndc; i++) free(s->dc[i].res);
	free(s->dc);
	free(s->dk);
	free(s->host_mountinfo);
	for (int i = 0; i < s->nrootcache; i++) free(s->rootcache[i].bundle);
}

static void kernel_part(struct scan *s)
{
	kernel_facts_read(&s->kf, "");
	cJSON *k = kernel_facts_json(&s->kf);
	report_lock(s->r);
	cJSON *dst = report_kernel(s->r);
	cJSON *it = k->child;
	while (it) {
		cJSON *next = it->next;
		cJSON_AddItemToObject(dst, it->string, cJSON_DetachItemViaPointer(k, it));
		it = next;
	}
	report_unlock(s->r);
	cJSON_Delete(k);
	if (s->kf.seccomp == 0 || (s->kf.seccomp == 1 && !s->kf.seccomp_filter))
		report_finding(s->r, "proc.seccomp_unsupported", "kernel",
		               "the kernel has no seccomp filter support: no container can be "
		               "confined by a profile");
	char weak[8][96];
	int nw = kernel_weak_settings(&s->kf, weak, 8);
	for (int i = 0; i < nw; i++)
		report_finding(s->r, "proc.kernel_hardening", "kernel", "%s", weak[i]);
}

/* The host's namespaces are PID 1's.  Where PID 1 hides them (a sandbox's
 * init, an LSM), edgeaudit's own stand in: it is started from the host's
 * shell or boot script; the report says which was used. */
static void host_namespaces(struct scan *s)
{
	const char *ref = "pid 1";
	for (int pass = 0; pass < 2 && !(s->ref_known & (1u << NS_PID)); pass++) {
		cleanup_close int fd =
		        open(pass ? "/proc/self" : "/proc/1", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		s->ref_known = 0;
		for (int i = 0; fd >= 0 && i < NS_COUNT; i++) {
			int en;
			if (ns_inode(fd, model_ns_names[i], &s->ref_ns[i], &en) == 0)
				s->ref_known |= 1u << i;
		}
		if (pass) ref = "edgeaudit (pid 1's namespaces cannot be read)";
	}
	report_lock(s->r);
	cJSON_AddStringToObject(report_kernel(s->r), "host_ns_reference", ref);
	report_unlock(s->r);
}

/* --deep needs root, an attachable kernel and filters we can evaluate. */
static void deep_possible(struct scan *s)
{
	if (geteuid() != 0) {
		report_finding(s->r, "proc.deep_unavailable", "edgeaudit",
		               "--deep needs root (CAP_SYS_ADMIN and ptrace)");
		s->deep_off = 1;
	} else if (s->kf.ptrace_scope == 3) {
		report_finding(s->r, "proc.deep_unavailable", "kernel",
		               "--deep: Yama ptrace_scope is 3: no process can be attached");
		s->deep_off = 1;
	} else if (!s->nhost_arches) {
		report_finding(s->r, "proc.deep_unavailable", "kernel",
		               "--deep: filters of a %s machine cannot be evaluated (x86_64, i386, "
		               "aarch64, arm)",
		               s->kf.machine);
		s->deep_off = 1;
	}
}

/* Pass 1: every process of /proc read, until a stop or the cap.  Returns
 * -1 when /proc cannot be listed, else sets *stopped or *over. */
static int read_processes(struct scan *s, int *stopped, int *over)
{
	DIR *d = opendir("/proc");
	if (!d) {
		report_unchecked_kind(s->r, "proc.unreadable", "proc", "/proc cannot be read");
		return -1;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9') continue;
		char *end;
		long v = strtol(de->d_name, &end, 10);
		if (*end || v <= 0 || v > 0x7fffffff) continue;
		if (ea_stop_requested()) {
			*stopped = 1;
			break;
		}
		if (s->np >= PROC_MAX_PROCS) {
			*over = 1;
			break;
		}
		read_process(s, dirfd(d), de->d_name, (int)v);
	}
	closedir(d);
	return 0;
}

/* Pass 2: identify containers, then each process into the model, and the
 * findings. */
static void report_processes_found(struct scan *s)
{
	for (size_t i = 0; i < s->np; i++)
		if (s->p[i].full == 1) identify(s, &s->p[i]);
	for (size_t i = 0; i < s->nc; i++) {
		load_container(s, &s->c[i]);
		container_record(s, &s->c[i]);
	}
	for (size_t i = 0; i < s->np; i++) {
		struct prec *pr = &s->p[i];
		if (pr->full != 1) continue;
		process_record(s, pr);
		accumulate(s, pr);
		if (pr->deep_problem && pr->st.seccomp == 2) {
			char subj[32];
			snprintf(subj, sizeof subj, "pid %d", pr->st.pid);
			report_finding(s->r, "proc.filter_unreadable", subj, "%s (%s)",
			               pr->deep_problem, pr->st.name);
		}
	}
	for (size_t i = 0; i < s->nc; i++) container_findings(s, &s->c[i]);
}

/* What could not be read, and whether the scan ran to its end. */
static void scan_completeness(struct scan *s, int stopped, int over)
{
	report_t *r = s->r;
	if (s->unreadable)
		report_finding(r, "proc.unreadable", "/proc",
		               "%u process%s could not be read (pids %s%s): %s", s->unreadable,
		               s->unreadable == 1 ? "" : "es", s->unreadable_pids,
		               s->unreadable > 10 ? " ..." : "", s->unreadable_why);
	char why[96];
	if (stopped) {
		snprintf(why, sizeof why, "stopped after %zu processes (budget or signal)", s->np);
		report_unchecked_kind(r, "audit.interrupted", "proc", why);
	} else if (over) {
		snprintf(why, sizeof why, "more than %d processes: the rest were not read",
		         PROC_MAX_PROCS);
		report_unchecked_kind(r, "proc.unreadable", "proc", why);
	} else {
		report_checked(r, "proc");
	}
}

void proc_audit(report_t *r, int pid, int deep)
{
	struct scan s;
	memset(&s, 0, sizeof s);
	s.r = r;
	s.deep = deep;
	s.want_pid = pid;
	s.self = (int)getpid();
	kernel_part(&s);
	s.nhost_arches = sc_host_arches(s.kf.machine, s.host_arches);
	for (int i = 0; i < s.nhost_arches; i++) s.host_mask |= 1u << s.host_arches[i];
	host_namespaces(&s);
	{
		char lab[64];
		cleanup_close int fd = open("/proc/self/attr/current", O_RDONLY | O_CLOEXEC);
		s.lsm_on = fd >= 0 && read(fd, lab, sizeof lab) > 0;
	}
	if (deep) deep_possible(&s);
	int stopped = 0, over = 0;
	if (read_processes(&s, &stopped, &over) < 0) return;
	if (deep) proc_ptrace_release_pending(2000);
	if (s.np > 1)
		qsort(s.p, s.np, sizeof *s.p,
		      cmp_prec); /* no process read: s.p is NULL (qsort's argument is nonnull) */
	if (pid && !find(&s, pid)) {
		char subj[32];
		snprintf(subj, sizeof subj, "pid %d", pid);
		report_finding(r, "proc.unreadable", subj,
		               "no such process (or a zombie): nothing was checked");
	}
	report_processes_found(&s);
	scan_completeness(&s, stopped, over);
	scan_free(&s);
}
