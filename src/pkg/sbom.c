/* sbom: CycloneDX 1.6 and SPDX 2.3 JSON of inventories (see sbom.h). */
#include "sbom.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *sbom_format_to_string(sbom_format_t f)
{
	switch (f) {
	case SBOM_CYCLONEDX: return "cyclonedx";
	case SBOM_SPDX: return "spdx";
	}
	return "unknown";
}

char *purl_encode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = xmalloc(strlen(s) * 3 + 1), *o = out;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr(".-_~:", *p)) {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = 0;
	return out;
}

char *sbom_purl(const struct inventory *inv, const struct pkg *p)
{
	const struct distro *d = &inv->distro;
	cleanup_free char *name = purl_encode(p->name);
	cleanup_free char *ver = purl_encode(p->version);
	cleanup_free char *distro = NULL;
	const char *ns = NULL;
	if (p->kind == PKG_DPKG) {
		ns = d->id ? d->id : "debian";
		if (d->id && d->version_id) distro = xasprintf("%s-%s", d->id, d->version_id);
	} else if (p->kind == PKG_APK) {
		ns = "alpine";
		if (d->version_id) distro = xstrdup(d->version_id);
	}
	cleanup_free char *nse = ns ? purl_encode(ns) : NULL;
	/* qualifiers sorted by key: arch, distro */
	cleanup_free char *qa = p->arch ? purl_encode(p->arch) : NULL;
	cleanup_free char *qd = distro ? purl_encode(distro) : NULL;
	return xasprintf("pkg:%s/%s%s%s@%s%s%s%s%s", pkg_kind_to_string(p->kind), nse ? nse : "",
	                 nse ? "/" : "", name, ver, qa ? "?arch=" : "", qa ? qa : "",
	                 qd ? (qa ? "&distro=" : "?distro=") : "", qd ? qd : "");
}

/* ------------------------------------------------------------ CycloneDX */

static void uuid(const unsigned char r[16], char out[37])
{
	unsigned char b[16];
	memcpy(b, r, 16);
	b[6] = (b[6] & 0x0f) | 0x40; /* version 4 (random) */
	b[8] = (b[8] & 0x3f) | 0x80;
	char h[33];
	ea_hex(b, 16, h);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
}

static void prop(cJSON *props, const char *name, const char *value)
{
	if (!value) return;
	cJSON *p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "name", name);
	cJSON_AddStringToObject(p, "value", value);
	cJSON_AddItemToArray(props, p);
}

static cJSON *cdx_package(const struct inventory *inv, const struct pkg *p, size_t si, size_t k)
{
	cJSON *c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "type", "library");
	cleanup_free char *ref = xasprintf("s%zu-p%zu", si, k);
	cJSON_AddStringToObject(c, "bom-ref", ref);
	cJSON_AddStringToObject(c, "name", p->name);
	cJSON_AddStringToObject(c, "version", p->version);
	cleanup_free char *purl = sbom_purl(inv, p);
	cJSON_AddStringToObject(c, "purl", purl);
	cJSON *props = cJSON_AddArrayToObject(c, "properties");
	prop(props, "edgeaudit:package_manager",
	     p->kind == PKG_DPKG ? "dpkg" : pkg_kind_to_string(p->kind));
	prop(props, "edgeaudit:source", p->source);
	prop(props, "edgeaudit:source_version", p->source_version);
	return c;
}

static cJSON *cdx_subject(const struct sbom_subject *s, size_t si)
{
	const struct inventory *inv = s->inv;
	cJSON *c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "type", s->host ? "operating-system" : "container");
	cleanup_free char *ref = xasprintf("s%zu", si);
	cJSON_AddStringToObject(c, "bom-ref", ref);
	cJSON_AddStringToObject(c, "name", s->name ? s->name : "(unnamed)");
	if (s->digest) cJSON_AddStringToObject(c, "version", s->digest);
	cJSON *props = cJSON_AddArrayToObject(c, "properties");
	prop(props, "edgeaudit:inventory_status", inv_status_to_string(inv->status));
	prop(props, "edgeaudit:image_id", s->image_id);
	prop(props, "edgeaudit:package_database", inv->database);
	prop(props, "edgeaudit:distro", inv->distro.pretty);
	prop(props, "edgeaudit:distro_id", inv->distro.id);
	prop(props, "edgeaudit:distro_version_id", inv->distro.version_id);
	prop(props, "edgeaudit:osv_ecosystem", inv->distro.ecosystem);
	cJSON *sub = cJSON_AddArrayToObject(c, "components");
	for (size_t k = 0; k < inv->npkgs; k++)
		cJSON_AddItemToArray(sub, cdx_package(inv, &inv->pkgs[k], si, k));
	return c;
}

static cJSON *cyclonedx(const struct sbom_subject *s, size_t n, const char *version, const char *ts,
                        const char *id)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "$schema", "http://cyclonedx.org/schema/bom-1.6.schema.json");
	cJSON_AddStringToObject(o, "bomFormat", "CycloneDX");
	cJSON_AddStringToObject(o, "specVersion", "1.6");
	cleanup_free char *serial = xasprintf("urn:uuid:%s", id);
	cJSON_AddStringToObject(o, "serialNumber", serial);
	cJSON_AddNumberToObject(o, "version", 1);
	cJSON *meta = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(meta, "timestamp", ts);
	cJSON *tools = cJSON_AddArrayToObject(cJSON_AddObjectToObject(meta, "tools"), "components");
	cJSON *t = cJSON_CreateObject();
	cJSON_AddStringToObject(t, "type", "application");
	cJSON_AddStringToObject(t, "name", "edgeaudit");
	cJSON_AddStringToObject(t, "version", version);
	cJSON_AddItemToArray(tools, t);
	cJSON *comps = cJSON_AddArrayToObject(o, "components");
	for (size_t i = 0; i < n; i++) cJSON_AddItemToArray(comps, cdx_subject(&s[i], i));
	return o;
}

/* ------------------------------------------------------------ SPDX */

static cJSON *spdx_pkg(const char *id, const char *name, const char *version)
{
	cJSON *p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "SPDXID", id);
	cJSON_AddStringToObject(p, "name", name);
	if (version) cJSON_AddStringToObject(p, "versionInfo", version);
	cJSON_AddStringToObject(p, "downloadLocation", "NOASSERTION");
	cJSON_AddFalseToObject(p, "filesAnalyzed");
	return p;
}

static void relationship(cJSON *rels, const char *a, const char *type, const char *b)
{
	cJSON *r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "spdxElementId", a);
	cJSON_AddStringToObject(r, "relationshipType", type);
	cJSON_AddStringToObject(r, "relatedSpdxElement", b);
	cJSON_AddItemToArray(rels, r);
}

static void spdx_package(cJSON *pkgs, cJSON *rels, const char *sid, const struct inventory *inv,
                         size_t si, size_t k)
{
	const struct pkg *p = &inv->pkgs[k];
	cleanup_free char *id = xasprintf("SPDXRef-Package-%zu-%zu", si, k);
	cJSON *o = spdx_pkg(id, p->name, p->version);
	if (p->source) {
		cleanup_free char *si_ =
		        xasprintf("built package from: %s %s", p->source,
		                  p->source_version ? p->source_version : p->version);
		cJSON_AddStringToObject(o, "sourceInfo", si_);
	}
	cJSON *refs = cJSON_AddArrayToObject(o, "externalRefs");
	cJSON *r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "referenceCategory", "PACKAGE-MANAGER");
	cJSON_AddStringToObject(r, "referenceType", "purl");
	cleanup_free char *purl = sbom_purl(inv, p);
	cJSON_AddStringToObject(r, "referenceLocator", purl);
	cJSON_AddItemToArray(refs, r);
	cJSON_AddItemToArray(pkgs, o);
	relationship(rels, sid, "CONTAINS", id);
}

static void spdx_subject(cJSON *pkgs, cJSON *rels, const struct sbom_subject *s, size_t si)
{
	const struct inventory *inv = s->inv;
	cleanup_free char *sid = xasprintf("SPDXRef-%s-%zu", s->host ? "Host" : "Image", si);
	cJSON *o = spdx_pkg(sid, s->name ? s->name : "(unnamed)", s->digest);
	cJSON_AddStringToObject(o, "primaryPackagePurpose",
	                        s->host ? "OPERATING-SYSTEM" : "CONTAINER");
	cleanup_free char *comment =
	        xasprintf("edgeaudit inventory: status %s; database %s; distribution %s; OSV "
	                  "ecosystem %s%s%s",
	                  inv_status_to_string(inv->status), inv->database ? inv->database : "none",
	                  inv->distro.pretty ? inv->distro.pretty : "unknown",
	                  inv->distro.ecosystem ? inv->distro.ecosystem : "unknown",
	                  s->image_id ? "; image ID " : "", s->image_id ? s->image_id : "");
	cJSON_AddStringToObject(o, "comment", comment);
	cJSON_AddItemToArray(pkgs, o);
	relationship(rels, "SPDXRef-DOCUMENT", "DESCRIBES", sid);
	for (size_t k = 0; k < inv->npkgs; k++) spdx_package(pkgs, rels, sid, inv, si, k);
}

static cJSON *spdx(const struct sbom_subject *s, size_t n, const char *version, const char *ts,
                   const char *id)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "spdxVersion", "SPDX-2.3");
	cJSON_AddStringToObject(o, "dataLicense", "CC0-1.0");
	cJSON_AddStringToObject(o, "SPDXID", "SPDXRef-DOCUMENT");
	cJSON_AddStringToObject(o, "name", "edgeaudit-sbom");
	cleanup_free char *ns = xasprintf("urn:uuid:%s", id);
	cJSON_AddStringToObject(o, "documentNamespace", ns);
	cJSON *ci = cJSON_AddObjectToObject(o, "creationInfo");
	cJSON_AddStringToObject(ci, "created", ts);
	cleanup_free char *tool = xasprintf("Tool: edgeaudit-%s", version);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(ci, "creators"), cJSON_CreateString(tool));
	cJSON *pkgs = cJSON_AddArrayToObject(o, "packages");
	cJSON *rels = cJSON_AddArrayToObject(o, "relationships");
	for (size_t i = 0; i < n; i++) spdx_subject(pkgs, rels, &s[i], i);
	return o;
}

char *sbom_render(sbom_format_t f, const struct sbom_subject *s, size_t n, const char *version,
                  time_t now, const unsigned char serial[16])
{
	char ts[32], id[37];
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	uuid(serial, id);
	cJSON *o = f == SBOM_SPDX ? spdx(s, n, version, ts, id) : cyclonedx(s, n, version, ts, id);
	char *out = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!out) abort();
	return out;
}
