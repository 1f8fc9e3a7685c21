// node validate.js cyclonedx|spdx FILE: the SBOM edgeaudit wrote, checked by
// others' code.  CycloneDX: the published 1.6 JSON schema (strict: no
// property it does not define) with ajv and its formats.  SPDX 2.3: the
// document fields the specification requires (no npm or Debian package ships
// its JSON schema), SPDXID syntax, every relationship naming elements of
// the document.  Both: every package URL parsed by packageurl-js, its name
// and version the component's.  Prints "name version purl" per package and
// exits 1 with the errors on stderr.
'use strict';
const fs = require('fs');
const path = require('path');
const [fmt, file] = process.argv.slice(2);
const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
const errors = [];
const { PackageURL } = require('packageurl-js');
const out = [];

function purlCheck(name, version, purl) {
	let p;
	try { p = PackageURL.fromString(purl); } catch (e) { errors.push(`${purl}: ${e.message}`); return; }
	if (p.name !== name || p.version !== version)
		errors.push(`${purl}: parses to ${p.name}@${p.version}, the package is ${name}@${version}`);
	out.push(`${name} ${version} ${purl}`);
}

if (fmt === 'cyclonedx') {
	const Ajv = require('ajv');
	const addFormats = require('ajv-formats');
	const dir = path.join(path.dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')), 'res/schema');
	// formats ajv-formats lacks are taken as any string (the rest are checked)
	const ajv = new Ajv({ strict: false, allErrors: true, formats: { 'iri-reference': true, 'idn-email': true } });
	addFormats(ajv);
	for (const f of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json']) {
		const s = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
		delete s.$id; // referenced by its file name from the bom schema's $id
		ajv.addSchema(s, 'http://cyclonedx.org/schema/' + f);
	}
	const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(dir, 'bom-1.6.SNAPSHOT.schema.json'), 'utf8')));
	if (!validate(doc)) errors.push(...validate.errors.map((e) => `schema: ${e.instancePath} ${e.message}`));
	for (const c of doc.components || [])
		for (const k of c.components || []) purlCheck(k.name, k.version, k.purl);
} else if (fmt === 'spdx') {
	for (const k of ['spdxVersion', 'dataLicense', 'SPDXID', 'name', 'documentNamespace', 'creationInfo'])
		if (!(k in doc)) errors.push(`document: no ${k}`);
	if (doc.spdxVersion !== 'SPDX-2.3') errors.push(`spdxVersion ${doc.spdxVersion}`);
	if (doc.dataLicense !== 'CC0-1.0') errors.push(`dataLicense ${doc.dataLicense}`);
	if (!/^[a-z][a-z0-9+.-]*:[^\s#]+$/.test(doc.documentNamespace || '')) errors.push('documentNamespace is no URI');
	if (!(doc.creationInfo && doc.creationInfo.created && /Z$/.test(doc.creationInfo.created) &&
	      (doc.creationInfo.creators || []).every((c) => /^(Tool|Person|Organization): /.test(c))))
		errors.push('creationInfo');
	const ids = new Set(['SPDXRef-DOCUMENT']);
	for (const p of doc.packages || []) {
		if (!/^SPDXRef-[A-Za-z0-9.-]+$/.test(p.SPDXID)) errors.push(`SPDXID ${p.SPDXID}`);
		if (ids.has(p.SPDXID)) errors.push(`SPDXID ${p.SPDXID} twice`);
		ids.add(p.SPDXID);
		if (!p.name || !p.downloadLocation) errors.push(`${p.SPDXID}: name or downloadLocation missing`);
		for (const r of p.externalRefs || []) {
			if (r.referenceCategory !== 'PACKAGE-MANAGER' || r.referenceType !== 'purl') errors.push(`${p.SPDXID}: externalRef`);
			else purlCheck(p.name, p.versionInfo, r.referenceLocator);
		}
	}
	for (const r of doc.relationships || [])
		if (!ids.has(r.spdxElementId) || !ids.has(r.relatedSpdxElement)) errors.push(`relationship ${JSON.stringify(r)}`);
} else {
	errors.push(`unknown format ${fmt}`);
}
process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
if (errors.length) { process.stderr.write(errors.slice(0, 20).join('\n') + '\n'); process.exit(1); }
