/* host_check: see host_check.h. */
#include "host_check.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "baseline.h"
#include "digest.h"
#include "fsx.h"
#include "report_sign.h"
#include "treewalk.h"

/* One comparison's state. */
struct hc {
	report_t *r;
	const char *baseline;
	char *root;     /* escaped, no trailing "/" ("" for "/") */
	char *subj;     /* ROOT + escaped path */
	uint64_t total; /* the baseline's entries */
	uint64_t seen;  /* of them, compared so far */
};

/* The subject of a finding about path: ROOT and the path, escaped. */
static const char *subject(struct hc *h, const char *path)
{
	size_t n = strlen(h->root);
	memcpy(h->subj, h->root, n);
	bl_escape(path, strlen(path), h->subj + n);
	return h->subj;
}

static void invalid(struct hc *h, const char *fmt, const char *detail)
{
	char msg[400];
	snprintf(msg, sizeof msg, fmt, detail);
	report_finding(h->r, "host.baseline_invalid", h->baseline,
	               "baseline refused, nothing compared: %s", msg);
}

/* ------------------------------------------------------------ what a path is */

/* path is dir or below it. */
static int under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return !strncmp(path, dir, n) && (path[n] == '/' || !path[n]);
}

/* A folder of libraries: /lib*, /usr/lib*, /usr/local/lib* (lib64, libx32,
 * lib/x86_64-linux-gnu, ...). */
static int in_lib_dir(const char *p)
{
	static const char *const pre[] = {"/lib", "/usr/lib", "/usr/local/lib"};
	for (unsigned i = 0; i < sizeof pre / sizeof pre[0]; i++) {
		size_t n = strlen(pre[i]);
		if (!strncmp(p, pre[i], n) && strchr(p + n, '/')) return 1;
	}
	return 0;
}

/* A folder of programs or libraries. */
static int in_binlib_dir(const char *p)
{
	static const char *const dirs[] = {"/bin",       "/sbin",          "/usr/bin",
	                                   "/usr/sbin",  "/usr/local/bin", "/usr/local/sbin",
	                                   "/usr/games", "/usr/libexec",   "/boot"};
	for (unsigned i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		if (under(p, dirs[i]) && strcmp(p, dirs[i])) return 1;
	return in_lib_dir(p);
}

/* A shared library by name: "*.so" or "*.so.*". */
static int so_name(const char *p)
{
	const char *base = strrchr(p, '/');
	base = base ? base + 1 : p;
	for (const char *s = strstr(base, ".so"); s; s = strstr(s + 1, ".so"))
		if (s[3] == '\0' || s[3] == '.') return 1;
	return 0;
}

/* Code: a regular file with an x bit (then or now) or ELF now, a library
 * by name or folder; a link or anything else by where it is (a program or
 * library folder, a library's name). */
static int is_code(const struct bl_entry *b, const struct bl_entry *t)
{
	const char *p = b ? b->path : t->path;
	if (so_name(p)) return 1;
	int reg_b = b && b->type == 'f', reg_t = t && t->type == 'f';
	if (!reg_b && !reg_t) return in_binlib_dir(p);
	return (reg_b && (b->mode & 0111)) || (reg_t && ((t->mode & 0111) || t->elf)) ||
	       in_lib_dir(p);
}

static const char *type_name(char t)
{
	switch (t) {
	case 'f': return "regular file";
	case 'd': return "folder";
	case 'l': return "symbolic link";
	case 'p': return "fifo";
	case 's': return "socket";
	case 'c': return "character device";
	case 'b': return "block device";
	default: return "unknown";
	}
}

/* ------------------------------------------------------------ findings */

static void unreadable(struct hc *h, const struct bl_entry *t, const char *why)
{
	report_finding(h->r, "host.unreadable", subject(h, t->path), "not compared: %s", why);
}

static void missing(struct hc *h, const struct bl_entry *b)
{
	report_finding(h->r, "host.file_missing", subject(h, b->path), "%s %04o %u:%u missing",
	               type_name(b->type), b->mode, b->uid, b->gid);
}

static void added(struct hc *h, const struct bl_entry *t)
{
	if (!t->type) {
		unreadable(h, t, t->problem);
		return;
	}
	int priv = (t->type == 'f' && (t->mode & 06000)) || t->caps_state == BL_CAPS_SET;
	severity_t sev = priv || in_binlib_dir(t->path) ? SEV_HIGH : SEV_MEDIUM;
	char size[32] = "";
	if (t->type == 'f') snprintf(size, sizeof size, ", %" PRIu64 " bytes", t->size);
	report_finding_sev(h->r, "host.file_added", sev, subject(h, t->path),
	                   "%s %04o %u:%u%s%s%s not in the baseline", type_name(t->type), t->mode,
	                   t->uid, t->gid, size, t->mode & 06000 ? ", setuid/setgid" : "",
	                   t->caps_state == BL_CAPS_SET ? ", with file capabilities" : "");
	if (t->unlisted && t->problem[0]) unreadable(h, t, t->problem);
}

/* Append "; " and a formatted part to buf. */
static void part(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void part(char *buf, size_t n, const char *fmt, ...)
{
	size_t l = strlen(buf);
	if (l && l + 2 < n) strcpy(buf + l, "; "), l += 2;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + l, n - l, fmt, ap);
	va_end(ap);
}

static void caps_text(const struct bl_entry *e, char *out)
{
	if (e->caps_state == BL_CAPS_SET) ea_hex(e->caps, e->caps_len, out);
	else strcpy(out, e->caps_state == BL_CAPS_UNKNOWN ? "unreadable" : "none");
}

/* Capabilities that differ (an unreadable side is not a difference: it is
 * reported as unreadable). Returns 1 when capabilities were gained. */
static int caps_changed(const struct bl_entry *b, const struct bl_entry *t, char *msg, size_t n)
{
	if (b->caps_state == BL_CAPS_UNKNOWN || t->caps_state == BL_CAPS_UNKNOWN) return 0;
	if (b->caps_state == t->caps_state &&
	    (b->caps_state != BL_CAPS_SET ||
	     (b->caps_len == t->caps_len && !memcmp(b->caps, t->caps, b->caps_len))))
		return 0;
	char x[2 * BL_CAPS_MAX + 1], y[2 * BL_CAPS_MAX + 1];
	caps_text(b, x);
	caps_text(t, y);
	part(msg, n, "capabilities %s -> %s", x, y);
	return t->caps_state == BL_CAPS_SET;
}

/* Mode, owner, capabilities, link target, device: the ones that differ
 * into msg.  Returns 1 when the change gains privileges. */
static int attrs_changed(const struct bl_entry *b, const struct bl_entry *t, char *msg, size_t n)
{
	int gain = 0;
	if (b->mode != t->mode) {
		unsigned added = t->mode & ~b->mode & 06000;
		part(msg, n, "mode %04o -> %04o%s", b->mode, t->mode,
		     added & 04000 ? " (setuid added)"
		     : added       ? " (setgid added)"
		                   : "");
		gain |= added != 0;
	}
	if (b->uid != t->uid || b->gid != t->gid)
		part(msg, n, "owner %u:%u -> %u:%u", b->uid, b->gid, t->uid, t->gid);
	gain |= caps_changed(b, t, msg, n);
	if (b->type == 'l' &&
	    (b->target_len != t->target_len || memcmp(b->target, t->target, b->target_len))) {
		char x[4 * 80 + 1], y[4 * 80 + 1];
		bl_escape(b->target, b->target_len < 80 ? b->target_len : 80, x);
		bl_escape(t->target, t->target_len < 80 ? t->target_len : 80, y);
		part(msg, n, "link target %s -> %s", x, y);
	}
	if ((b->type == 'c' || b->type == 'b') &&
	    (b->dev_major != t->dev_major || b->dev_minor != t->dev_minor))
		part(msg, n, "device %u,%u -> %u,%u", b->dev_major, b->dev_minor, t->dev_major,
		     t->dev_minor);
	return gain;
}

/* A regular file's content. */
static void content(struct hc *h, const struct bl_entry *b, const struct bl_entry *t)
{
	if (t->problem[0]) {
		unreadable(h, t, t->problem);
		return;
	}
	if (!b->hashed) {
		unreadable(h, t,
		           "the baseline holds no content for it (unreadable when it was made)");
		return;
	}
	if (b->size == t->size && !memcmp(b->sha256, t->sha256, 32)) return;
	char x[65], y[65];
	ea_hex(b->sha256, 32, x);
	ea_hex(t->sha256, 32, y);
	report_finding_sev(h->r, "host.file_modified", is_code(b, t) ? SEV_CRITICAL : SEV_HIGH,
	                   subject(h, t->path),
	                   "content differs: sha256 %.16s... -> %.16s..., size %" PRIu64
	                   " -> %" PRIu64,
	                   x, y, b->size, t->size);
}

/* One path both hold. */
static void compare(struct hc *h, const struct bl_entry *b, const struct bl_entry *t)
{
	char msg[480] = "";
	if (!t->type) {
		unreadable(h, t, t->problem);
		return;
	}
	if (b->type != t->type) {
		part(msg, sizeof msg, "type %s -> %s", type_name(b->type), type_name(t->type));
		int code = is_code(b, NULL) || is_code(NULL, t);
		report_finding_sev(h->r, "host.attr_changed", code ? SEV_CRITICAL : SEV_HIGH,
		                   subject(h, t->path), "%s", msg);
		return;
	}
	int gain = attrs_changed(b, t, msg, sizeof msg);
	int retarget = b->type == 'l' && strstr(msg, "link target");
	if (msg[0])
		report_finding_sev(h->r, "host.attr_changed",
		                   gain || (retarget && is_code(b, NULL)) ? SEV_CRITICAL : SEV_HIGH,
		                   subject(h, t->path), "%s", msg);
	if ((b->caps_state == BL_CAPS_UNKNOWN || t->caps_state == BL_CAPS_UNKNOWN) &&
	    b->caps_state != t->caps_state && !t->problem[0])
		unreadable(h, t, "its capabilities could not be read");
	if (b->type == 'f') content(h, b, t);
	else if (t->unlisted && t->problem[0]) unreadable(h, t, t->problem);
}

/* ------------------------------------------------------------ the merge */

/* Baseline entries below folder (whose entries were not walked): left
 * uncompared, counted. */
static int skip_below(struct hc *h, struct bl_reader *rd, const struct bl_entry **b,
                      const char *folder, uint64_t *skipped, ea_error_t *err)
{
	int rb;
	while ((rb = bl_reader_next(rd, b, err)) > 0 && bl_path_below((*b)->path, folder)) {
		(*skipped)++;
		h->seen++;
	}
	return rb;
}

/* One step of the merge where both sides hold the path. */
static int both(struct hc *h, struct bl_reader *rd, const struct bl_entry **b, struct treewalk *w,
                struct bl_entry **t, int *rt, ea_error_t *err)
{
	compare(h, *b, *t);
	h->seen++;
	int rb;
	if ((*t)->type == 'd' && (*t)->unlisted) {
		cleanup_free char *folder = xstrdup((*t)->path);
		uint64_t skipped = 0;
		rb = skip_below(h, rd, b, folder, &skipped, err);
		if (skipped)
			report_finding(h->r, "host.unreadable", subject(h, folder),
			               "%" PRIu64 " entries of the baseline below it not compared",
			               skipped);
	} else {
		rb = bl_reader_next(rd, b, err);
	}
	ea_error_t werr = {0};
	*rt = tw_next(w, t, &werr);
	if (*rt < 0)
		report_finding(h->r, "host.unreadable", h->root[0] ? h->root : "/",
		               "the walk stopped: %s", werr.msg);
	return rb;
}

/* Walk the tree and read the baseline side by side.  0 done, 1 stopped
 * (budget, signal), 2 the walk could not go on (said), -1 the baseline
 * changed (err). */
static int merge(struct hc *h, struct bl_reader *rd, struct treewalk *w, ea_error_t *err)
{
	const struct bl_entry *b = NULL;
	struct bl_entry *t = NULL;
	ea_error_t werr = {0};
	int rb = bl_reader_next(rd, &b, err), rt = rb < 0 ? 0 : tw_next(w, &t, &werr);
	if (rt < 0)
		report_finding(h->r, "host.unreadable", h->root[0] ? h->root : "/",
		               "the walk stopped: %s", werr.msg);
	while (rb > 0 || rt > 0) {
		if (ea_stop_requested()) return 1;
		int c = rb <= 0 ? 1 : rt <= 0 ? -1 : bl_path_cmp(b->path, t->path);
		if (c < 0) {
			missing(h, b);
			h->seen++;
			rb = bl_reader_next(rd, &b, err);
		} else if (c > 0) {
			added(h, t);
			rt = tw_next(w, &t, &werr);
			if (rt < 0)
				report_finding(h->r, "host.unreadable", h->root[0] ? h->root : "/",
				               "the walk stopped: %s", werr.msg);
		} else {
			rb = both(h, rd, &b, w, &t, &rt, err);
		}
		if (rt < 0) return 2; /* said; the rest of the tree is not compared */
	}
	return rb < 0 ? -1 : 0;
}

/* ------------------------------------------------------------ the passes */

/* Pass 1: hash the file, check its signature.  0 good, -1 said. */
static int check_signature(struct hc *h, int fd, const char *pub_pem, unsigned char hash[32])
{
	digest_t d;
	ea_error_t err = {0};
	if (digest_fd(fd, DIGEST_SHA256, &d, NULL, &err) < 0) {
		if (err.code == EA_E_INTERRUPTED) return -1; /* the caller says it */
		invalid(h, "cannot read it: %s", err.msg);
		return -1;
	}
	memcpy(hash, d.bytes, 32);
	cleanup_free char *sig_path = xasprintf("%s%s", h->baseline, REPORT_SIG_SUFFIX);
	cleanup_free char *sig = NULL;
	size_t sig_len = 0;
	if (fsx_read_user_file(sig_path, REPORT_SIG_MAX, &sig, &sig_len, &err) < 0) {
		invalid(h, "no signature: %s", err.msg);
		return -1;
	}
	char fpr[72] = "";
	if (report_verify_digest(pub_pem, hash, sig, sig_len, fpr, &err) < 0) {
		char m[384];
		snprintf(m, sizeof m, "%.180s (%.100s, key %.71s)", err.msg, sig_path, fpr);
		invalid(h, "BAD SIGNATURE: %s", m);
		return -1;
	}
	return 0;
}

/* Read the file from the start; the header into spec. */
static int reopen(struct hc *h, int fd, struct bl_spec *spec, struct bl_reader **rd)
{
	ea_error_t err = {0};
	if (lseek(fd, 0, SEEK_SET) != 0) {
		invalid(h, "cannot read it again: %s", strerror(errno));
		return -1;
	}
	if (bl_reader_open(fd, spec, rd, &err) < 0) {
		invalid(h, "%s", err.msg);
		return -1;
	}
	return 0;
}

/* The bytes this pass read are the ones the signature covers. */
static int same_bytes(struct hc *h, struct bl_reader *rd, const unsigned char hash[32])
{
	unsigned char now[32];
	bl_reader_digest(rd, now);
	if (!memcmp(now, hash, 32)) return 0;
	invalid(h, "%s", "it changed while it was read");
	return -1;
}

/* Pass 2: every line, before anything is compared. */
static int check_format(struct hc *h, int fd, const unsigned char hash[32])
{
	struct bl_spec spec;
	struct bl_reader *rd;
	if (reopen(h, fd, &spec, &rd) < 0) return -1;
	ea_error_t err = {0};
	const struct bl_entry *e;
	int rc;
	while ((rc = bl_reader_next(rd, &e, &err)) > 0)
		if ((bl_reader_count(rd) & 4095) == 0 && ea_stop_requested()) break;
	if (rc < 0) invalid(h, "%s", err.msg);
	else if (rc > 0) rc = -1; /* stopped: the caller says it */
	else rc = same_bytes(h, rd, hash);
	h->total = bl_reader_count(rd);
	bl_reader_free(rd);
	bl_spec_free(&spec);
	return rc;
}

/* Pass 3: the tree against the file. */
static void compare_tree(struct hc *h, int fd, const unsigned char hash[32])
{
	struct bl_spec spec;
	struct bl_reader *rd;
	if (reopen(h, fd, &spec, &rd) < 0) return;
	char root[4 * BL_PATH_MAX + 1];
	size_t n = strlen(spec.root);
	while (n > 1 && spec.root[n - 1] == '/') n--;
	bl_escape(spec.root, n == 1 && spec.root[0] == '/' ? 0 : n, root);
	h->root = root;
	h->subj = xmalloc(sizeof root + 4 * BL_PATH_MAX + 1);
	struct treewalk *w = NULL;
	ea_error_t err = {0};
	if (tw_open(&spec, 0, &w, &err) < 0) {
		report_finding(h->r, "host.unreadable", root[0] ? root : "/",
		               "the baseline's root cannot be opened, nothing compared: %s",
		               err.msg);
	} else {
		int rc = merge(h, rd, w, &err);
		if (rc == 1) {
			char why[128];
			snprintf(why, sizeof why,
			         "stopped (budget or signal) after %" PRIu64 " of %" PRIu64
			         " entries",
			         h->seen, h->total);
			report_unchecked_kind(h->r, "audit.interrupted", "host files", why);
		} else if (rc < 0) {
			invalid(h, "it changed while it was read: %s", err.msg);
		} else if (rc == 0 && same_bytes(h, rd, hash) == 0) {
			report_checked(h->r, "host files");
		}
	}
	tw_free(w);
	free(h->subj);
	bl_reader_free(rd);
	bl_spec_free(&spec);
}

void host_audit(report_t *r, const char *baseline_path, const char *pub_pem)
{
	struct hc h = {.r = r, .baseline = baseline_path, .root = ""};
	cleanup_close int fd = open(baseline_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		invalid(&h, "cannot open it: %s", strerror(errno));
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		invalid(&h, "it is a %s, not a regular file", fsx_type_name(st.st_mode));
		return;
	}
	unsigned char hash[32];
	if (check_signature(&h, fd, pub_pem, hash) < 0 || check_format(&h, fd, hash) < 0) {
		if (ea_stop_requested())
			report_unchecked_kind(
			        r, "audit.interrupted", "host files",
			        "stopped (budget or signal) while the baseline was read");
		return;
	}
	compare_tree(&h, fd, hash);
}
