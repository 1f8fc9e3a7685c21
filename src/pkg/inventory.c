/* inventory: typed records of what is installed (see inventory.h). */
#include "inventory.h"

#include <stdlib.h>
#include <string.h>

const char *pkg_kind_to_string(pkg_kind_t k)
{
	switch (k) {
	case PKG_DPKG: return "deb";
	case PKG_APK: return "apk";
	case PKG_OPKG: return "opkg";
	}
	return "unknown";
}

const char *inv_status_to_string(inv_status_t s)
{
	switch (s) {
	case INV_OK: return "ok";
	case INV_NONE: return "none";
	case INV_UNSUPPORTED: return "unsupported";
	case INV_MALFORMED: return "malformed";
	case INV_UNREAD: return "unread";
	}
	return "unknown";
}

struct inventory *inventory_new(void)
{
	struct inventory *inv = calloc(1, sizeof(*inv));
	if (inv) inv->status = INV_NONE;
	return inv;
}

static void pkg_clear(struct pkg *p)
{
	free(p->name);
	free(p->version);
	free(p->arch);
	free(p->source);
	free(p->source_version);
}

void inventory_free(struct inventory *inv)
{
	if (!inv) return;
	for (size_t i = 0; i < inv->npkgs; i++) pkg_clear(&inv->pkgs[i]);
	free(inv->pkgs);
	free(inv->distro.id);
	free(inv->distro.version_id);
	free(inv->distro.codename);
	free(inv->distro.pretty);
	free(inv->distro.version);
	free(inv->distro.ecosystem);
	free(inv->database);
	for (size_t i = 0; i < inv->nproblems; i++) {
		free(inv->problems[i].id);
		free(inv->problems[i].file);
		free(inv->problems[i].msg);
	}
	free(inv->problems);
	free(inv);
}

int pkg_set(char **field, const char *s)
{
	char *c = NULL;
	if (s && !(c = strdup(s))) return -1;
	free(*field);
	*field = c;
	return 0;
}

struct pkg *inventory_add(struct inventory *inv, pkg_kind_t kind, const char *name,
                          const char *version)
{
	if (inv->npkgs == inv->cap) {
		size_t cap = inv->cap ? inv->cap * 2 : 64;
		struct pkg *n = realloc(inv->pkgs, cap * sizeof(*n));
		if (!n) return NULL;
		inv->pkgs = n;
		inv->cap = cap;
	}
	struct pkg *p = &inv->pkgs[inv->npkgs];
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	if (pkg_set(&p->name, name) || pkg_set(&p->version, version)) {
		pkg_clear(p);
		return NULL;
	}
	inv->npkgs++;
	return p;
}

int inventory_problem(struct inventory *inv, const char *id, const char *file, const char *msg)
{
	struct inv_problem *n = realloc(inv->problems, (inv->nproblems + 1) * sizeof(*n));
	if (!n) return -1;
	inv->problems = n;
	struct inv_problem *p = &n[inv->nproblems];
	memset(p, 0, sizeof(*p));
	if (pkg_set(&p->id, id) || pkg_set(&p->file, file) || pkg_set(&p->msg, msg)) {
		free(p->id);
		free(p->file);
		free(p->msg);
		return -1;
	}
	inv->nproblems++;
	return 0;
}

static int strcmp0(const char *a, const char *b) { return strcmp(a ? a : "", b ? b : ""); }

static int pkg_cmp(const void *a, const void *b)
{
	const struct pkg *x = a, *y = b;
	int c = strcmp0(x->name, y->name);
	if (!c) c = strcmp0(x->version, y->version);
	if (!c) c = strcmp0(x->arch, y->arch);
	return c;
}

void inventory_finish(struct inventory *inv)
{
	if (inv->npkgs < 2) return;
	qsort(inv->pkgs, inv->npkgs, sizeof(*inv->pkgs), pkg_cmp);
	size_t w = 1;
	for (size_t i = 1; i < inv->npkgs; i++) {
		if (!pkg_cmp(&inv->pkgs[w - 1], &inv->pkgs[i])) pkg_clear(&inv->pkgs[i]);
		else inv->pkgs[w++] = inv->pkgs[i];
	}
	inv->npkgs = w;
}
