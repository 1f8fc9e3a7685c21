/* pkgdb (pkgdb.h): dpkg status, apk installed, opkg status and os-release
 * as they stream in.  Option byte: bits 0-2 the file kind, the rest a chunk
 * size.  Properties: the reading does not depend on how the bytes are cut
 * (the whole input and chunks give the same packages, distro and verdict);
 * every package kept has a name and a version; no more packages than lines. */
#include "common.h"
#include "pkgdb.h"

static const dbfile_t kinds[] = {DB_DPKG,           DB_APK,        DB_OPKG,
                                 DB_OS_RELEASE,     DB_DPKG,       DB_APK,
                                 DB_ALPINE_RELEASE, DB_DEBIAN_VERSION};

static int read_all(dbfile_t k, const uint8_t *d, size_t n, size_t chunk, struct inventory *inv)
{
	struct pkgdb_reader *p = malloc(sizeof *p);
	pkgdb_begin(p, k, inv);
	for (size_t off = 0; off < n; off += chunk) pkgdb_feed(p, d + off, n - off < chunk ? n - off : chunk);
	int rc = pkgdb_end(p);
	free(p);
	return rc;
}

static int same(const char *a, const char *b) { return (!a && !b) || (a && b && !strcmp(a, b)); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t opt = fz_take_byte(&data, &size);
	dbfile_t k = kinds[opt & 7];
	size_t chunk = (opt >> 3) + 1;
	struct inventory *a = inventory_new(), *b = inventory_new();
	int ra = read_all(k, data, size, size ? size : 1, a);
	int rb = read_all(k, data, size, chunk, b);
	if (ra != rb || a->npkgs != b->npkgs) abort();
	size_t lines = 1;
	for (size_t i = 0; i < size; i++) lines += data[i] == '\n';
	if (a->npkgs > lines) abort();
	for (size_t i = 0; i < a->npkgs; i++) {
		const struct pkg *x = &a->pkgs[i], *y = &b->pkgs[i];
		if (!x->name[0] || !x->version[0]) abort();
		if (!same(x->name, y->name) || !same(x->version, y->version) || !same(x->arch, y->arch) ||
		    !same(x->source, y->source) || !same(x->source_version, y->source_version))
			abort();
	}
	if (!same(a->distro.id, b->distro.id) || !same(a->distro.version_id, b->distro.version_id))
		abort();
	free(pkgdb_ecosystem(&a->distro));
	inventory_free(a);
	inventory_free(b);
	return 0;
}
