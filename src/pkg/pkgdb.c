/* pkgdb: streaming package-database and release-file readers (see pkgdb.h). */
#include "pkgdb.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *dbfile_to_string(dbfile_t k)
{
	switch (k) {
	case DB_NONE: return "none";
	case DB_DPKG: return "dpkg";
	case DB_APK: return "apk";
	case DB_OPKG: return "opkg";
	case DB_OS_RELEASE: return "os-release";
	case DB_ALPINE_RELEASE: return "alpine-release";
	case DB_DEBIAN_VERSION: return "debian_version";
	case DB_RPM: return "rpm";
	}
	return "unknown";
}

static const struct {
	const char *path;
	dbfile_t kind;
} db_paths[] = {
        {"var/lib/dpkg/status", DB_DPKG},
        {"lib/apk/db/installed", DB_APK},
        {"var/lib/opkg/status", DB_OPKG},
        {"usr/lib/opkg/status", DB_OPKG},
        {"etc/os-release", DB_OS_RELEASE},
        {"usr/lib/os-release", DB_OS_RELEASE},
        {"etc/alpine-release", DB_ALPINE_RELEASE},
        {"etc/debian_version", DB_DEBIAN_VERSION},
        {"var/lib/rpm/Packages", DB_RPM},
        {"var/lib/rpm/Packages.db", DB_RPM},
        {"var/lib/rpm/rpmdb.sqlite", DB_RPM},
        {"usr/lib/sysimage/rpm/Packages", DB_RPM},
        {"usr/lib/sysimage/rpm/Packages.db", DB_RPM},
        {"usr/lib/sysimage/rpm/rpmdb.sqlite", DB_RPM},
};
#define STATUS_D "var/lib/dpkg/status.d/"

static int ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && !strcmp(s + n - m, suf);
}

dbfile_t pkgdb_classify(const char *path)
{
	for (size_t i = 0; i < sizeof db_paths / sizeof *db_paths; i++)
		if (!strcmp(path, db_paths[i].path)) return db_paths[i].kind;
	/* distroless: one stanza file per package, beside its .md5sums */
	if (!strncmp(path, STATUS_D, strlen(STATUS_D))) {
		const char *base = path + strlen(STATUS_D);
		if (*base && !strchr(base, '/') && base[0] != '.' && !ends_with(base, ".md5sums"))
			return DB_DPKG;
	}
	return DB_NONE;
}

const char *pkgdb_path(size_t i)
{
	return i < sizeof db_paths / sizeof *db_paths ? db_paths[i].path : NULL;
}

/* Is a a component-wise prefix of b (or equal)? */
static int path_prefix(const char *a, const char *b)
{
	size_t n = strlen(a);
	return !strncmp(a, b, n) && (b[n] == '/' || b[n] == 0);
}

int pkgdb_on_path(const char *path)
{
	if (!*path) return 1;
	for (size_t i = 0; i < sizeof db_paths / sizeof *db_paths; i++)
		if (path_prefix(path, db_paths[i].path)) return 1;
	return path_prefix(path, "var/lib/dpkg/status.d") || pkgdb_classify(path) != DB_NONE;
}

/* ------------------------------------------------------------ reading */

static void bad(struct pkgdb_reader *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bad(struct pkgdb_reader *p, const char *fmt, ...)
{
	if (p->malformed++) return;
	va_list ap;
	va_start(ap, fmt);
	int n = snprintf(p->why, sizeof p->why, "line %llu: ", (unsigned long long)p->lineno);
	if (n > 0 && (size_t)n < sizeof p->why) vsnprintf(p->why + n, sizeof p->why - n, fmt, ap);
	va_end(ap);
}

void pkgdb_begin(struct pkgdb_reader *p, dbfile_t kind, struct inventory *inv)
{
	memset(p, 0, sizeof *p);
	p->kind = kind;
	p->inv = inv;
}

static void stanza_clear(struct pkgdb_reader *p)
{
	for (int i = 0; i < F_NFIELDS; i++) {
		free(p->f[i]);
		p->f[i] = NULL;
	}
	p->in_stanza = 0;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t') s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) s[--n] = 0;
	return s;
}

/* Source: "name" or "name (version)". */
static void set_source(struct pkg *k, const char *src)
{
	char buf[PKGDB_MAX_FIELD + 1];
	snprintf(buf, sizeof buf, "%s", src);
	char *open = strchr(buf, '(');
	if (open) {
		char *close = strchr(open, ')');
		if (close) *close = 0;
		*open = 0;
		char *v = trim(open + 1);
		if (*v) pkg_set(&k->source_version, v);
	}
	char *name = trim(buf);
	if (*name) pkg_set(&k->source, name);
}

/* "want flags status".  dpkg: "install ok installed" and the held
 * "hold ok installed" (dpkg-query's "ii" and "hi"; a reinstreq flag, a
 * half-installed or config-files state are not installed).  opkg: want
 * install or hold and state installed, whatever its flags (OpenWrt writes
 * "install user installed" for what the user asked for). */
static int installed(const char *status, int opkg)
{
	char buf[PKGDB_MAX_FIELD + 1];
	snprintf(buf, sizeof buf, "%s", status ? status : "");
	const char *w[4] = {0};
	int n = 0;
	for (char *s = buf, *t; n < 4 && (t = strtok_r(s, " \t", &s));) w[n++] = t;
	return n == 3 && (!strcmp(w[0], "install") || !strcmp(w[0], "hold")) &&
	       (opkg || !strcmp(w[1], "ok")) && !strcmp(w[2], "installed");
}

static void add_pkg(struct pkgdb_reader *p, pkg_kind_t kind, const char *source)
{
	struct pkg *k = inventory_add(p->inv, kind, p->f[F_PACKAGE], p->f[F_VERSION]);
	if (!k) {
		bad(p, "out of memory");
		return;
	}
	p->added++;
	if (p->f[F_ARCH] && *p->f[F_ARCH]) pkg_set(&k->arch, p->f[F_ARCH]);
	if (source && *source) set_source(k, source);
}

/* The end of a dpkg or opkg stanza. */
static void deb_stanza_end(struct pkgdb_reader *p)
{
	if (!p->in_stanza) return;
	uint64_t at = p->lineno;
	p->lineno = p->stanza_line;
	if (!p->f[F_PACKAGE] || !*p->f[F_PACKAGE]) {
		bad(p, "a stanza without a Package name");
	} else if (installed(p->f[F_STATUS], p->kind == DB_OPKG)) {
		if (!p->f[F_VERSION] || !*p->f[F_VERSION])
			bad(p, "installed package %.64s has no Version", p->f[F_PACKAGE]);
		else add_pkg(p, p->kind == DB_OPKG ? PKG_OPKG : PKG_DPKG, p->f[F_SOURCE]);
	}
	p->lineno = at;
	stanza_clear(p);
}

static void apk_stanza_end(struct pkgdb_reader *p)
{
	if (!p->in_stanza) return;
	uint64_t at = p->lineno;
	p->lineno = p->stanza_line;
	if (!p->f[F_PACKAGE] || !*p->f[F_PACKAGE] || !p->f[F_VERSION] || !*p->f[F_VERSION])
		bad(p, "a package without %s", p->f[F_PACKAGE] && *p->f[F_PACKAGE] ? "V:" : "P:");
	else add_pkg(p, PKG_APK, p->f[F_ORIGIN]);
	p->lineno = at;
	stanza_clear(p);
}

static void set_field(struct pkgdb_reader *p, int f, const char *v)
{
	if (p->f[f]) {
		bad(p, "a field given twice in one stanza");
		return;
	}
	p->f[f] = xstrdup(v);
}

static int deb_field(const char *name)
{
	static const char *const names[] = {[F_PACKAGE] = "Package",
	                                    [F_VERSION] = "Version",
	                                    [F_ARCH] = "Architecture",
	                                    [F_STATUS] = "Status",
	                                    [F_SOURCE] = "Source"};
	for (int i = 0; i <= F_SOURCE; i++)
		if (!strcasecmp(name, names[i])) return i;
	return -1;
}

static void deb_line(struct pkgdb_reader *p, char *l)
{
	if (!*l || !strcmp(l, "\r")) return deb_stanza_end(p);
	if (*l == ' ' || *l == '\t') {
		if (!p->in_stanza) bad(p, "a continuation line outside a stanza");
		return; /* continuation of a field not read here */
	}
	char *colon = strchr(l, ':');
	if (!colon || colon == l) return bad(p, "not a \"Field: value\" line");
	*colon = 0;
	if (!p->in_stanza) p->stanza_line = p->lineno;
	p->in_stanza = 1;
	int f = deb_field(l);
	if (f < 0) return;
	if (p->overlong || strlen(colon + 1) > PKGDB_MAX_FIELD)
		return bad(p, "field %s longer than %d bytes", l, PKGDB_MAX_FIELD);
	set_field(p, f, trim(colon + 1));
}

static void apk_line(struct pkgdb_reader *p, char *l)
{
	if (!*l) return apk_stanza_end(p);
	if (strlen(l) < 2 || l[1] != ':') return bad(p, "not an \"X:value\" line");
	if (!p->in_stanza) p->stanza_line = p->lineno;
	p->in_stanza = 1;
	int f = l[0] == 'P'   ? F_PACKAGE
	        : l[0] == 'V' ? F_VERSION
	        : l[0] == 'A' ? F_ARCH
	        : l[0] == 'o' ? F_ORIGIN
	                      : -1;
	if (f < 0) return;
	if (p->overlong || strlen(l + 2) > PKGDB_MAX_FIELD)
		return bad(p, "field %c: longer than %d bytes", l[0], PKGDB_MAX_FIELD);
	set_field(p, f, l + 2);
}

/* A shell-quoted os-release value into out (unquoted, escapes resolved). */
static int unquote(const char *v, char *out, size_t n)
{
	size_t o = 0;
	char q = 0;
	for (; *v; v++) {
		if (!q && (*v == '"' || *v == '\'')) {
			q = *v;
			continue;
		}
		if (q && *v == q) {
			q = 0;
			continue;
		}
		if (*v == '\\' && q != '\'' && v[1]) v++;
		else if (!q && (*v == ' ' || *v == '\t')) return -1; /* unquoted blank */
		if (o + 1 < n) out[o++] = *v;
	}
	out[o] = 0;
	return q ? -1 : 0;
}

static void osr_line(struct pkgdb_reader *p, char *l)
{
	char *s = trim(l);
	if (!*s || *s == '#') return;
	char *eq = strchr(s, '=');
	if (!eq || eq == s) return bad(p, "not a KEY=value line");
	*eq = 0;
	char val[PKGDB_MAX_FIELD + 1];
	if (p->overlong || unquote(eq + 1, val, sizeof val) < 0)
		return bad(p, "%s: a value with unbalanced quotes or too long", s);
	struct distro *d = &p->inv->distro;
	char **dst = !strcmp(s, "ID")                 ? &d->id
	             : !strcmp(s, "VERSION_ID")       ? &d->version_id
	             : !strcmp(s, "VERSION_CODENAME") ? &d->codename
	             : !strcmp(s, "PRETTY_NAME")      ? &d->pretty
	             : !strcmp(s, "VERSION")          ? &d->version
	                                              : NULL;
	if (dst && *val) pkg_set(dst, val);
}

/* alpine-release, debian_version: the first line is the version. */
static void release_line(struct pkgdb_reader *p, char *l)
{
	char *s = trim(l);
	if (p->lineno != 1 || !*s) return;
	struct distro *d = &p->inv->distro;
	if (p->kind == DB_ALPINE_RELEASE) {
		pkg_set(&d->id, "alpine");
		pkg_set(&d->version_id, s);
	} else if (!d->version_id && s[0] >= '0' && s[0] <= '9') {
		/* "12.7": the major is what os-release's VERSION_ID says */
		s[strspn(s, "0123456789")] = 0;
		pkg_set(&d->version_id, s);
	}
}

static void line_done(struct pkgdb_reader *p)
{
	p->line[p->llen] = 0;
	p->lineno++;
	switch (p->kind) {
	case DB_DPKG:
	case DB_OPKG: deb_line(p, p->line); break;
	case DB_APK: apk_line(p, p->line); break;
	case DB_OS_RELEASE: osr_line(p, p->line); break;
	case DB_ALPINE_RELEASE:
	case DB_DEBIAN_VERSION: release_line(p, p->line); break;
	default: break;
	}
	p->llen = 0;
	p->overlong = 0;
}

void pkgdb_feed(struct pkgdb_reader *p, const void *data, size_t n)
{
	const char *s = data;
	while (n) {
		const char *nl = memchr(s, '\n', n);
		size_t take = nl ? (size_t)(nl - s) : n;
		size_t room = sizeof p->line - 1 - p->llen;
		size_t copy = take < room ? take : room;
		memcpy(p->line + p->llen, s, copy);
		p->llen += copy;
		if (take > copy) p->overlong = 1;
		if (memchr(s, 0, take)) {
			p->lineno++;
			bad(p, "a NUL byte");
			p->lineno--;
		}
		if (!nl) return;
		line_done(p);
		s += take + 1;
		n -= take + 1;
	}
}

int pkgdb_end(struct pkgdb_reader *p)
{
	if (p->llen || p->overlong) line_done(p);
	if (p->kind == DB_APK) apk_stanza_end(p);
	else if (p->kind == DB_DPKG || p->kind == DB_OPKG) deb_stanza_end(p);
	stanza_clear(p);
	return p->malformed ? -1 : 0;
}

/* ------------------------------------------------------------ ecosystems */

char *pkgdb_ecosystem(const struct distro *d)
{
	if (!d->id || !d->version_id) return NULL;
	const char *v = d->version_id;
	if (!strcmp(d->id, "debian")) {
		size_t n = strspn(v, "0123456789");
		return n ? xasprintf("Debian:%.*s", (int)n, v) : NULL;
	}
	if (!strcmp(d->id, "alpine")) {
		/* "3.20.3" -> "v3.20" (major.minor) */
		const char *dot = strchr(v, '.');
		size_t n = dot ? (size_t)(dot - v) + 1 + strspn(dot + 1, "0123456789") : 0;
		return dot && n > (size_t)(dot - v) + 1 ? xasprintf("Alpine:v%.*s", (int)n, v)
		                                        : NULL;
	}
	if (!strcmp(d->id, "ubuntu")) {
		int lts = (d->version && strstr(d->version, "LTS")) ||
		          (d->pretty && strstr(d->pretty, "LTS"));
		return xasprintf("Ubuntu:%s%s", v, lts ? ":LTS" : "");
	}
	return NULL;
}
