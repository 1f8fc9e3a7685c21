/* Unit tests: the package-database readers (pkgdb.h), the OSV ecosystems,
 * package URLs (sbom.h) and the layer fold (layerdb.h): each rule pinned
 * here by hand; tests/integration/test_pkg.sh holds them against dpkg-query,
 * the apk databases and layers umoci and GNU tar wrote. */
#include <stdlib.h>
#include <string.h>

#include "layerdb.h"
#include "pkgdb.h"
#include "sbom.h"
#include "unit.h"

static struct inventory *read_str(dbfile_t k, const char *s, size_t chunk, int *rc)
{
	struct inventory *inv = inventory_new();
	struct pkgdb_reader *p = malloc(sizeof *p);
	pkgdb_begin(p, k, inv);
	size_t n = strlen(s);
	for (size_t off = 0; off < n; off += chunk)
		pkgdb_feed(p, s + off, n - off < chunk ? n - off : chunk);
	*rc = pkgdb_end(p);
	free(p);
	inventory_finish(inv);
	return inv;
}

UNIT_TEST(pkg_dpkg_installed_source_and_states)
{
	const char *st = "Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\n"
	                 "Source: openssl (3.0.11-1~deb12u2)\nVersion: 3.0.11-1~deb12u2+b1\n"
	                 "Description: x\n long text: with a colon\n\n"
	                 "Package: gone\nStatus: deinstall ok config-files\nVersion: 1\n\n"
	                 "Package: half\nStatus: install ok half-installed\nVersion: 2\n\n"
	                 "Package: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13.dfsg-1\n"
	                 "Source: zlib\n";
	for (size_t chunk = 1; chunk < 40; chunk += 13) {
		int rc;
		struct inventory *inv = read_str(DB_DPKG, st, chunk, &rc);
		CHECK_EQ_INT(rc, 0);
		CHECK_EQ_INT(inv->npkgs, 2);
		CHECK_EQ_STR(inv->pkgs[0].name, "libssl3");
		CHECK_EQ_STR(inv->pkgs[0].source, "openssl");
		CHECK_EQ_STR(inv->pkgs[0].source_version, "3.0.11-1~deb12u2");
		CHECK_EQ_STR(inv->pkgs[0].arch, "amd64");
		CHECK_EQ_STR(inv->pkgs[1].version, "1:1.2.13.dfsg-1");
		CHECK_EQ_STR(inv->pkgs[1].source, "zlib");
		CHECK(inv->pkgs[1].source_version == NULL); /* the same as version */
		inventory_free(inv);
	}
}

UNIT_TEST(pkg_held_and_opkg_states)
{
	const char *st = "Package: held\nStatus: hold ok installed\nVersion: 1\n\n"
	                 "Package: broken\nStatus: install reinstreq installed\nVersion: 1\n\n"
	                 "Package: user\nStatus: install user installed\nVersion: 2\n"
	                 "Architecture: mipsel_24kc\n\n"
	                 "Package: gone\nStatus: deinstall hold not-installed\nVersion: 3\n";
	int rc;
	struct inventory *inv = read_str(DB_DPKG, st, 4096, &rc);
	CHECK_EQ_INT(rc, 0);
	CHECK_EQ_INT(inv->npkgs, 1); /* dpkg: the held one; flags other than ok are not installed */
	CHECK_EQ_STR(inv->pkgs[0].name, "held");
	inventory_free(inv);
	inv = read_str(DB_OPKG, st, 4096, &rc);
	CHECK_EQ_INT(inv->npkgs, 3); /* opkg: any flags ("user" is OpenWrt's) */
	CHECK_EQ_STR(inv->pkgs[2].name, "user");
	CHECK_EQ_STR(inv->pkgs[2].arch, "mipsel_24kc");
	CHECK_EQ_INT(inv->pkgs[2].kind, PKG_OPKG);
	inventory_free(inv);
}

UNIT_TEST(pkg_dpkg_malformed_is_said)
{
	int rc;
	struct inventory *inv = read_str(DB_DPKG,
	                                 "Package: a\nStatus: install ok installed\n"
	                                 "Version: 1\n\nthis is no field\n",
	                                 4096, &rc);
	CHECK_EQ_INT(rc, -1);
	CHECK_EQ_INT(inv->npkgs, 1); /* what could be read is kept */
	inventory_free(inv);
	inv = read_str(DB_DPKG, "Package: a\nStatus: install ok installed\n\n", 4096, &rc);
	CHECK_EQ_INT(rc, -1); /* installed without a Version */
	inventory_free(inv);
}

UNIT_TEST(pkg_apk_origin_and_malformed)
{
	int rc;
	struct inventory *inv = read_str(DB_APK,
	                                 "C:Q1x=\nP:libcrypto3\nV:3.1.4-r5\nA:x86_64\n"
	                                 "o:openssl\nF:lib\n\nP:musl\nV:1.2.5-r0\n",
	                                 7, &rc);
	CHECK_EQ_INT(rc, 0);
	CHECK_EQ_INT(inv->npkgs, 2);
	CHECK_EQ_STR(inv->pkgs[0].source, "openssl");
	CHECK_EQ_STR(inv->pkgs[1].name, "musl");
	inventory_free(inv);
	inv = read_str(DB_APK, "P:a\n\nP:b\nV:1\n", 4096, &rc);
	CHECK_EQ_INT(rc, -1);
	CHECK_EQ_INT(inv->npkgs, 1);
	inventory_free(inv);
}

static char *eco(const char *osr)
{
	int rc;
	struct inventory *inv = read_str(DB_OS_RELEASE, osr, 4096, &rc);
	char *e = rc == 0 ? pkgdb_ecosystem(&inv->distro) : NULL;
	inventory_free(inv);
	return e;
}

UNIT_TEST(pkg_os_release_to_osv_ecosystem)
{
	static const struct {
		const char *osr, *want;
	} cases[] = {
	        {"ID=debian\nVERSION_ID=\"12\"\n", "Debian:12"},
	        {"ID=alpine\nVERSION_ID=3.20.3\n", "Alpine:v3.20"},
	        {"NAME=\"Ubuntu\"\nVERSION=\"22.04.4 LTS (Jammy Jellyfish)\"\nID=ubuntu\n"
	         "VERSION_ID=\"22.04\"\n",
	         "Ubuntu:22.04:LTS"},
	        {"ID=ubuntu\nVERSION_ID='23.10'\nVERSION=\"23.10 (Mantic Minotaur)\"\n",
	         "Ubuntu:23.10"},
	        {"ID=debian\nPRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\n", NULL},
	        {"ID=fedora\nVERSION_ID=40\n", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *e = eco(cases[i].osr);
		if (cases[i].want) CHECK_EQ_STR(e, cases[i].want);
		else CHECK(e == NULL);
		free(e);
	}
}

UNIT_TEST(pkg_purl_encoding)
{
	struct inventory *inv = inventory_new();
	pkg_set(&inv->distro.id, "debian");
	pkg_set(&inv->distro.version_id, "12");
	struct pkg *p = inventory_add(inv, PKG_DPKG, "libstdc++6", "1:12.2.0-14+b1");
	pkg_set(&p->arch, "amd64");
	char *u = sbom_purl(inv, p);
	CHECK_EQ_STR(u,
	             "pkg:deb/debian/libstdc%2B%2B6@1:12.2.0-14%2Bb1?arch=amd64&distro=debian-12");
	free(u);
	char *e = purl_encode("a b~c/d@e");
	CHECK_EQ_STR(e, "a%20b~c%2Fd%40e");
	free(e);
	inventory_free(inv);
}

/* ---- the fold, over layers made of tar headers written here */

static size_t put(unsigned char *b, const char *name, char type, const char *content)
{
	unsigned char *h = b;
	memset(h, 0, 512);
	memcpy(h, name, strlen(name));
	memcpy(h + 100, "0000644", 7);
	memcpy(h + 108, "0000000", 7);
	memcpy(h + 116, "0000000", 7);
	size_t n = content ? strlen(content) : 0;
	if (type == '2') { /* a symbolic link: its target in the header */
		memcpy(h + 157, content, n);
		n = 0;
	}
	snprintf((char *)h + 124, 12, "%011o", (unsigned)n);
	memcpy(h + 136, "00000000000", 11);
	h[156] = (unsigned char)type;
	memcpy(h + 257,
	       "ustar\0"
	       "00",
	       8);
	memset(h + 148, ' ', 8);
	unsigned long sum = 0;
	for (int i = 0; i < 512; i++) sum += h[i];
	snprintf((char *)h + 148, 8, "%06lo", sum);
	size_t pad = (n + 511) / 512 * 512;
	memset(b + 512, 0, pad);
	if (n) memcpy(b + 512, content, n);
	return 512 + pad;
}

static struct layer_pkgs *layer(const char *const *names, const char *types,
                                const char *const *contents, int n)
{
	static unsigned char b[32 * 1024];
	size_t off = 0;
	for (int i = 0; i < n; i++) off += put(b + off, names[i], types[i], contents[i]);
	memset(b + off, 0, 1024);
	struct layerdb_tap *t = layerdb_tap_new();
	for (size_t i = 0; i < off + 1024; i += 100)
		layerdb_tap_feed(t, b + i, off + 1024 - i < 100 ? off + 1024 - i : 100);
	return layerdb_tap_finish(t, 1);
}

#define STATUS(p) "Package: " p "\nStatus: install ok installed\nVersion: 1\n"

UNIT_TEST(pkg_fold_whiteouts_and_opaque)
{
	const char *n0[] = {"./var/lib/dpkg/", "./var/lib/dpkg/status", "etc/os-release",
	                    "usr/lib/os-release"};
	const char *c0[] = {NULL, STATUS("base"), "../usr/lib/os-release",
	                    "ID=debian\nVERSION_ID=12\n"};
	struct layer_pkgs *l0 = layer(n0, "5020", c0, 4);
	/* layer 1: status deleted and written again in the same layer (the
	 * whiteout hides the lower one only) */
	const char *n1[] = {"var/lib/dpkg/.wh.status", "var/lib/dpkg/status"};
	const char *c1[] = {"", STATUS("upper")};
	struct layer_pkgs *l1 = layer(n1, "00", c1, 2);
	/* layer 2: an opaque var/lib/dpkg with one status.d file */
	const char *n2[] = {"var/lib/dpkg/.wh..wh..opq", "var/lib/dpkg/status.d/d",
	                    "var/lib/dpkg/status.d/d.md5sums"};
	const char *c2[] = {"", STATUS("distroless"), "x"};
	struct layer_pkgs *l2 = layer(n2, "000", c2, 3);
	struct layer_pkgs *ls[] = {l0, l1, l2, NULL};
	struct inventory *inv = layerdb_fold(ls, NULL, 1);
	CHECK_EQ_INT(inv->npkgs, 1);
	CHECK_EQ_STR(inv->pkgs[0].name, "base");
	CHECK_EQ_STR(inv->distro.ecosystem, "Debian:12"); /* through the link */
	inventory_free(inv);
	inv = layerdb_fold(ls, NULL, 2);
	CHECK_EQ_STR(inv->pkgs[0].name, "upper");
	inventory_free(inv);
	inv = layerdb_fold(ls, NULL, 3);
	CHECK_EQ_INT(inv->npkgs, 1);
	CHECK_EQ_STR(inv->pkgs[0].name, "distroless");
	CHECK_EQ_STR(inv->database, "var/lib/dpkg/status.d");
	inventory_free(inv);
	/* a package database that is a symbolic link: said, never followed */
	const char *n3[] = {"lib/apk/db/installed"};
	const char *c3[] = {"/etc/passwd"};
	struct layer_pkgs *l3 = layer(n3, "2", c3, 1);
	inv = layerdb_fold(&l3, NULL, 1);
	CHECK_EQ_INT(inv->status, INV_MALFORMED);
	CHECK_EQ_INT(inv->nproblems, 1);
	CHECK_EQ_STR(inv->problems[0].id, "pkg.db_malformed");
	inventory_free(inv);
	layer_pkgs_free(l3);
	inv = layerdb_fold(ls, NULL, 4); /* a layer that could not be read */
	CHECK_EQ_INT(inv->status, INV_UNREAD);
	inventory_free(inv);
	layer_pkgs_free(l0);
	layer_pkgs_free(l1);
	layer_pkgs_free(l2);
}
