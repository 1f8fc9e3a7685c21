/*
 * sbom: inventories as software bills of materials anyone can read:
 * CycloneDX 1.6 JSON and SPDX 2.3 JSON, every package with its package URL.
 *
 * Contract:
 *  - One document for the whole run: each image (and the host, with
 *    --root) is a component (CycloneDX "container" / "operating-system";
 *    SPDX a package with primaryPackagePurpose CONTAINER / OPERATING-SYSTEM)
 *    that contains its packages, so an SBOM of ten images is one file.
 *  - Package URLs follow the purl specification: pkg:deb/<distro id>/NAME@
 *    VERSION?arch=A&distro=<id>-<version_id>, pkg:apk/alpine/NAME@VERSION?
 *    arch=A&distro=<version_id>, pkg:opkg/NAME@VERSION?arch=A; name and
 *    version percent-encoded except the unreserved characters and ':'
 *    (purl_encode); qualifiers sorted by key.
 *  - An inventory that is not whole says so in the document (a property
 *    edgeaudit:inventory_status / a comment): never a silently shorter list.
 */
#ifndef EDGEAUDIT_SBOM_H
#define EDGEAUDIT_SBOM_H

#include <stddef.h>
#include <time.h>

#include "inventory.h"

typedef enum { SBOM_CYCLONEDX = 1, SBOM_SPDX } sbom_format_t;
const char *sbom_format_to_string(sbom_format_t f);

/* What an inventory belongs to (strings borrowed). */
struct sbom_subject {
	const char *name;     /* an image's first name, or the host's root */
	const char *digest;   /* the manifest digest ("sha256:..."), NULL: none */
	const char *image_id; /* the config digest, NULL: none */
	int host;             /* 1: the host root, not an image */
	const struct inventory *inv;
};

/* s percent-encoded as purl-spec says for a name or version into a new string. */
char *purl_encode(const char *s);
/* The package URL of p in inv's distribution (new string). */
char *sbom_purl(const struct inventory *inv, const struct pkg *p);
/* The document (new string, JSON).  serial: 16 random bytes for the
 * serial number / namespace. */
char *sbom_render(sbom_format_t f, const struct sbom_subject *s, size_t n, const char *version,
                  time_t now, const unsigned char serial[16]);

#endif
