/* The compiled vulnerability database's reader (vulndb.h) and the matcher
 * (vuln_match.h): the input is a database file over a memfd (already past its
 * signature: the reader trusts nothing anyway), read through the page cache.  Every affected entry and advisory is
 * read back, and an inventory of a few packages in a dpkg and an apk
 * ecosystem is matched.  Properties: no crash, no unbounded memory; every
 * hit names a package of the inventory and an advisory id. */
#include "common.h"
#include "inventory.h"
#include "vuln_match.h"
#include "vulndb.h"

static int on_hit(void *ctx, const struct vuln_hit *h)
{
	(void)ctx;
	if (!h->pkg || !h->id || !h->name || !h->version) abort();
	return 0;
}

static void match(struct vulndb *db, const char *eco, pkg_kind_t kind)
{
	static const char *const pk[][2] = {{"a", "1.0-1"}, {"openssl", "1.1.1k-r0"},
	                                    {"bash", "5.1~rc1-2"}, {"h", "0.5-1"}, {"z", "0"}};
	struct inventory *inv = inventory_new();
	pkg_set(&inv->distro.ecosystem, eco);
	for (size_t i = 0; i < sizeof pk / sizeof pk[0]; i++)
		inventory_add(inv, kind, pk[i][0], pk[i][1]);
	inventory_finish(inv);
	ea_error_t err = {0};
	vuln_match(db, inv, on_hit, NULL, &err);
	inventory_free(inv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vulndb *db;
	ea_error_t err = {0};
	char path[64];
	/* through a file, as the box reads it: hashed, then pread via the page cache */
	snprintf(path, sizeof path, "/proc/self/fd/%d", fz_memfd(data, size));
	if (vulndb_open(path, NULL, &db, NULL, &err) < 0) return 0;
	const struct vulndb_header *h = vulndb_header(db);
	for (uint32_t i = 0; i < h->naff && i < 256; i++) {
		struct vulndb_aff a;
		if (vulndb_read_aff(db, i, &a, &err) == 0) vulndb_aff_clear(&a);
	}
	for (uint32_t i = 0; i < h->nadv && i < 256; i++) {
		struct vulndb_adv a;
		if (vulndb_read_adv(db, i, &a, &err) == 0) vulndb_adv_clear(&a);
	}
	match(db, "Debian:12", PKG_DPKG);
	match(db, "Alpine:v3.13", PKG_APK);
	if (vulndb_unchanged(db, &err) < 0) abort(); /* nothing wrote to it */
	vulndb_close(db);
	return 0;
}
