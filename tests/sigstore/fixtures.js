#!/usr/bin/env node
// Generates edgeaudit's signature test fixtures offline, with real producers:
//  - openssl: keys, a Fulcio-like CA (root, intermediate, code-signing leaves
//    with SAN + OIDC-issuer extension, expired / not-yet-valid ones), a
//    Notary Project CA (RSA and ECDSA leaves), another CA nobody trusts;
//  - node's crypto (OpenSSL underneath): ECDSA / RSA-PSS signatures;
//  - @sigstore/sign (MessageSignatureBundleBuilder, DSSEBundleBuilder, no
//    witnesses: offline) for sigstore bundles v0.3.
// Signatures are placed into OCI image layouts the way cosign and notation
// place them (the `sha256-<hex>.sig` tag, `cosign save` kind annotations, OCI
// 1.1 referrers by subject).  Writes <out>/cases.tsv:
//   name  layout  ref  image-name  policy  expected-rc  expected-finding-ids
// Usage: node tests/sigstore/fixtures.js OUT_DIR
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const cp = require('child_process');
const zlib = require('zlib');
const { MessageSignatureBundleBuilder, DSSEBundleBuilder } = require('@sigstore/sign');
const { bundleToJSON } = require('@sigstore/bundle');

const OUT = path.resolve(process.argv[2] || 'sig-fixtures');
fs.mkdirSync(OUT, { recursive: true });
const PKI = path.join(OUT, 'pki');
fs.mkdirSync(PKI, { recursive: true });

const sha256 = (b) => crypto.createHash('sha256').update(b).digest();
const hex = (b) => b.toString('hex');
const b64 = (b) => Buffer.from(b).toString('base64');
const write = (p, d) => { fs.mkdirSync(path.dirname(p), { recursive: true }); fs.writeFileSync(p, d); };
const ossl = (args) => cp.execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });

// ---------------------------------------------------------------- time
const NOW = Date.now();
const HOUR = 3600e3, DAY = 24 * HOUR;
const odate = (ms) => new Date(ms).toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z'); // YYYYMMDDHHMMSSZ
const SIGNED_AT = Math.floor((NOW - DAY) / 1000); // the "integrated time" of our Rekor

// ---------------------------------------------------------------- keys
function ecKey(name, curve = 'prime256v1') {
	const k = path.join(PKI, name + '.key');
	ossl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:' + curve, '-out', k]);
	ossl(['pkey', '-in', k, '-pubout', '-out', path.join(PKI, name + '.pub')]);
	return load(name);
}
function rsaKey(name, bits) {
	const k = path.join(PKI, name + '.key');
	ossl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:' + bits, '-out', k]);
	ossl(['pkey', '-in', k, '-pubout', '-out', path.join(PKI, name + '.pub')]);
	return load(name);
}
// Ed25519 (issue 14): the key and the signature made by openssl, as cosign
// signs with an Ed25519 key: over the payload bytes themselves (no prehash).
function edKey(name) {
	const k = path.join(PKI, name + '.key');
	ossl(['genpkey', '-algorithm', 'ed25519', '-out', k]);
	ossl(['pkey', '-in', k, '-pubout', '-out', path.join(PKI, name + '.pub')]);
	return load(name);
}
function edSign(k, data) {
	const m = path.join(PKI, k.name + '.msg');
	fs.writeFileSync(m, data);
	return ossl(['pkeyutl', '-sign', '-rawin', '-inkey', k.keyPath, '-in', m]);
}
function load(name) {
	const key = crypto.createPrivateKey(fs.readFileSync(path.join(PKI, name + '.key')));
	const pubPem = fs.readFileSync(path.join(PKI, name + '.pub'), 'utf8');
	const spki = crypto.createPublicKey(pubPem).export({ type: 'spki', format: 'der' });
	return { name, key, pubPem, spki, keyPath: path.join(PKI, name + '.key'), hint: b64(sha256(spki)) };
}

// ---------------------------------------------------------------- CAs (openssl ca, for exact dates)
function caDir(name) {
	const d = path.join(PKI, 'ca-' + name);
	fs.mkdirSync(path.join(d, 'new'), { recursive: true });
	write(path.join(d, 'index.txt'), '');
	write(path.join(d, 'serial'), crypto.randomBytes(8).toString('hex') + '\n');
	write(path.join(d, 'ca.cnf'), `[ca]
default_ca = CA_default
[CA_default]
dir = ${d}
database = $dir/index.txt
new_certs_dir = $dir/new
serial = $dir/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
[policy_any]
commonName = optional
organizationName = optional
countryName = optional
stateOrProvinceName = optional
localityName = optional
[req]
distinguished_name = dn
[dn]
[v3_root]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[v3_inter]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[fulcio_leaf]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
subjectAltName = critical, @san
1.3.6.1.4.1.57264.1.8 = ASN1:UTF8String:https://issuer.example
authorityKeyIdentifier = keyid
[san]
URI.1 = \${ENV::LEAF_SAN}
[notary_leaf]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
authorityKeyIdentifier = keyid
[tls_leaf]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
authorityKeyIdentifier = keyid
`);
	return d;
}
// Issue a certificate for key (subject subj) with extension section ext,
// valid [start, end] (ms), signed by issuer (null: self-signed root).
function issue(d, out, key, subj, ext, start, end, issuer, san) {
	process.env.LEAF_SAN = san || 'https://unused.example'; // read by ca.cnf [san]
	const csr = out + '.csr';
	ossl(['req', '-new', '-key', key.keyPath, '-subj', subj, '-out', csr, '-config', path.join(d, 'ca.cnf')]);
	const args = ['ca', '-batch', '-config', path.join(d, 'ca.cnf'), '-extensions', ext, '-startdate', odate(start),
		'-enddate', odate(end), '-in', csr, '-out', out, '-notext'];
	if (issuer) args.push('-cert', issuer.crt, '-keyfile', issuer.key.keyPath);
	else args.push('-selfsign', '-keyfile', key.keyPath);
	ossl(args);
	fs.unlinkSync(csr);
	const pem = fs.readFileSync(out, 'utf8');
	const der = crypto.X509Certificate ? new crypto.X509Certificate(pem).raw : null;
	return { crt: out, pem, der, key };
}

// ---------------------------------------------------------------- OCI layouts
function tarOneFile(name, content) {
	const h = Buffer.alloc(512);
	h.write(name, 0);
	h.write('0000644\0', 100); h.write('0000000\0', 108); h.write('0000000\0', 116);
	h.write(content.length.toString(8).padStart(11, '0') + '\0', 124);
	h.write('00000000000\0', 136);
	h.write('        ', 148); h.write('0', 156); h.write('ustar\0', 257); h.write('00', 263);
	let sum = 0; for (const c of h) sum += c;
	h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
	const body = Buffer.alloc(Math.ceil(content.length / 512) * 512); Buffer.from(content).copy(body);
	return Buffer.concat([h, body, Buffer.alloc(1024)]);
}
class Layout {
	constructor(dir) { this.dir = dir; this.entries = []; write(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}'); }
	blob(data) {
		const b = Buffer.isBuffer(data) ? data : Buffer.from(typeof data === 'string' ? data : JSON.stringify(data));
		const d = hex(sha256(b));
		write(path.join(this.dir, 'blobs', 'sha256', d), b);
		return { digest: 'sha256:' + d, size: b.length, bytes: b };
	}
	add(mediaType, blob, annotations, artifactType) {
		const e = { mediaType, digest: blob.digest, size: blob.size };
		if (artifactType) e.artifactType = artifactType;
		if (annotations) e.annotations = annotations;
		this.entries.push(e);
	}
	save() { write(path.join(this.dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: this.entries })); }
	image(tag, text) {
		const tar = tarOneFile('hello.txt', text || 'hello from edgeaudit\n');
		const layer = this.blob(zlib.gzipSync(tar));
		const cfg = this.blob({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: ['sha256:' + hex(sha256(tar))] }, config: {} });
		const m = this.blob({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
			config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: cfg.digest, size: cfg.size },
			layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer.digest, size: layer.size }] });
		this.add('application/vnd.oci.image.manifest.v1+json', m, { 'org.opencontainers.image.ref.name': tag });
		return m;
	}
}
const MT_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const desc = (b, mt) => ({ mediaType: mt || MT_MANIFEST, digest: b.digest, size: b.size });

// cosign simple signing: the payload and a signature manifest
function payloadFor(digest, ref) {
	return Buffer.from(JSON.stringify({ critical: { identity: { 'docker-reference': ref }, image: { 'docker-manifest-digest': digest },
		type: 'cosign container image signature' }, optional: null }));
}
function cosignManifest(L, layers) {
	const ls = layers.map((x) => { const b = L.blob(x.payload); return { mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', digest: b.digest, size: b.size, annotations: x.annotations }; });
	const cfg = L.blob({ architecture: '', config: {}, created: '0001-01-01T00:00:00Z', history: [{ created: '0001-01-01T00:00:00Z' }], os: '',
		rootfs: { type: 'layers', diff_ids: ls.map((l) => l.digest) } });
	return L.blob({ schemaVersion: 2, mediaType: MT_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: cfg.digest, size: cfg.size }, layers: ls });
}
const sigTag = (m) => 'sha256-' + m.digest.slice(7) + '.sig';
const ecdsa = (key, data) => crypto.sign('sha256', data, key.key); // DER

// Rekor (ours): hashedrekord body + SET over RFC 8785 canonical JSON
function rekorBundle(rekor, sig, certPem, payload, opts = {}) {
	const body = Buffer.from(JSON.stringify({ apiVersion: '0.0.1', kind: 'hashedrekord', spec: {
		data: { hash: { algorithm: opts.md || 'sha256', value: crypto.createHash(opts.md || 'sha256').update(opts.bodyPayload || payload).digest('hex') } },
		signature: { content: b64(opts.bodySig || sig), publicKey: { content: b64(certPem) } } } }));
	const logID = hex(sha256((opts.logKey || rekor).spki));
	const p = { body: b64(body), integratedTime: opts.time || SIGNED_AT, logID, logIndex: 4242 };
	// canonical JSON: these four members, sorted, integers, ASCII strings
	const canon = `{"body":"${p.body}","integratedTime":${p.integratedTime},"logID":"${p.logID}","logIndex":${p.logIndex}}`;
	const set = crypto.sign('sha256', Buffer.from(canon), (opts.setKey || rekor).key);
	return JSON.stringify({ SignedEntryTimestamp: b64(set), Payload: p });
}

// sigstore bundles via @sigstore/sign with a local key
async function bundle(kind, key, data, hint) {
	// Ed25519 signs the bytes themselves (node: no digest name)
	const alg = key.key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
	const signer = { sign: async (d) => ({ signature: crypto.sign(alg, d, key.key), key: { $case: 'publicKey', publicKey: key.pubPem, hint: hint || key.hint } }) };
	const b = kind === 'dsse'
		? await new DSSEBundleBuilder({ signer, witnesses: [] }).create({ data, type: 'application/vnd.in-toto+json' })
		: await new MessageSignatureBundleBuilder({ signer, witnesses: [] }).create({ data });
	return JSON.stringify(bundleToJSON(b));
}
function referrer(L, subject, artifactType, layerType, content) {
	const empty = L.blob('{}');
	const layer = L.blob(content);
	return L.blob({ schemaVersion: 2, mediaType: MT_MANIFEST, artifactType,
		config: { mediaType: artifactType === 'application/vnd.cncf.notary.signature' ? artifactType : 'application/vnd.oci.empty.v1+json', digest: empty.digest, size: empty.size },
		layers: [{ mediaType: layerType, digest: layer.digest, size: layer.size }], subject: desc(subject) });
}
function statement(digest) {
	return Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'localhost/app', digest: { sha256: digest.slice(7) } }],
		predicateType: 'https://sigstore.dev/cosign/sign/v1', predicate: {} }));
}

// Notary Project JWS (flattened JSON), signed with node's crypto
const b64u = (b) => Buffer.from(b).toString('base64url');
function jws(leafKey, chainDer, target, opts = {}) {
	const alg = opts.alg || (leafKey.key.asymmetricKeyType === 'rsa' ? 'PS384' : 'ES256');
	const hdr = { alg, crit: ['io.cncf.notary.signingScheme'], cty: 'application/vnd.cncf.notary.payload.v1+json',
		'io.cncf.notary.signingScheme': 'notary.x509', 'io.cncf.notary.signingTime': new Date(NOW - HOUR).toISOString().replace(/\.\d+Z/, 'Z') };
	if (opts.authenticTime) { // notary.x509.signingAuthority: the authority vouches for the time
		hdr['io.cncf.notary.signingScheme'] = 'notary.x509.signingAuthority';
		delete hdr['io.cncf.notary.signingTime'];
		hdr['io.cncf.notary.authenticSigningTime'] = opts.authenticTime;
		hdr.crit.push('io.cncf.notary.authenticSigningTime');
	}
	if (opts.expiry) { hdr['io.cncf.notary.expiry'] = opts.expiry; hdr.crit.push('io.cncf.notary.expiry'); }
	const prot = b64u(JSON.stringify(hdr));
	const pay = b64u(JSON.stringify({ targetArtifact: { digest: target.digest, mediaType: MT_MANIFEST, size: target.size } }));
	const input = Buffer.from(prot + '.' + pay);
	const md = { '256': 'sha256', '384': 'sha384', '512': 'sha512' }[alg.slice(2)];
	const sig = leafKey.key.asymmetricKeyType === 'rsa'
		? crypto.sign(md, input, { key: leafKey.key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST })
		: crypto.sign(md, input, { key: leafKey.key, dsaEncoding: 'ieee-p1363' });
	const env = { payload: opts.payloadOverride ? b64u(opts.payloadOverride) : pay, protected: prot,
		header: { x5c: chainDer.map((d) => b64(d)), 'io.cncf.notary.signingAgent': 'edgeaudit-fixtures/1' }, signature: b64u(sig) };
	return JSON.stringify(env);
}

// ---------------------------------------------------------------- policies
function policy(name, body) {
	const p = path.join(OUT, 'policies', name + '.json');
	write(p, JSON.stringify(Object.assign({ schema: 'edgeaudit/signature-policy/v1' }, body), null, 2));
	return p;
}

async function main() {
	const release = ecKey('release');
	const rsaCosign = rsaKey('cosign-rsa', 2048);
	const p384 = ecKey('cosign-p384', 'secp384r1');
	const other = ecKey('other');
	const ed = edKey('cosign-ed25519'), edOther = edKey('cosign-ed25519-other');
	const rekor = ecKey('rekor');
	const rekor2 = ecKey('rekor-other');
	// Fulcio-like CA: root (P-384) -> intermediate (P-384) -> leaves (P-256)
	const fd = caDir('fulcio');
	const froot = issue(fd, path.join(PKI, 'fulcio-root.crt'), ecKey('fulcio-root', 'secp384r1'), '/O=edgeaudit-test/CN=fulcio-root', 'v3_root', NOW - 365 * DAY, NOW + 3650 * DAY, null);
	const finter = issue(fd, path.join(PKI, 'fulcio-inter.crt'), ecKey('fulcio-inter', 'secp384r1'), '/O=edgeaudit-test/CN=fulcio-intermediate', 'v3_inter', NOW - 365 * DAY, NOW + 3650 * DAY, froot);
	const SAN = 'https://ci.example/org/app/.github/workflows/release.yml@refs/heads/main';
	const t0 = SIGNED_AT * 1000;
	const leafKey = ecKey('fulcio-leaf');
	const leaf = issue(fd, path.join(PKI, 'leaf.crt'), leafKey, '/O=edgeaudit-test', 'fulcio_leaf', t0 - 5 * 60e3, t0 + 10 * 60e3, finter, SAN);
	const leafExpired = issue(fd, path.join(PKI, 'leaf-expired.crt'), leafKey, '/O=edgeaudit-test', 'fulcio_leaf', t0 - 30 * 60e3, t0 - 20 * 60e3, finter, SAN);
	const leafFuture = issue(fd, path.join(PKI, 'leaf-future.crt'), leafKey, '/O=edgeaudit-test', 'fulcio_leaf', t0 + 20 * 60e3, t0 + 30 * 60e3, finter, SAN);
	const od = caDir('other');
	const oroot = issue(od, path.join(PKI, 'other-root.crt'), ecKey('other-root'), '/O=nobody/CN=other-root', 'v3_root', NOW - 365 * DAY, NOW + 3650 * DAY, null);
	const leafOther = issue(od, path.join(PKI, 'leaf-other-ca.crt'), leafKey, '/O=edgeaudit-test', 'fulcio_leaf', t0 - 5 * 60e3, t0 + 10 * 60e3, oroot, SAN);
	// trusted_root.json: our Rekor key and the Fulcio-like chain (no CT logs: no SCT required)
	const tr = { mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
		tlogs: [{ baseUrl: 'https://rekor.test', hashAlgorithm: 'SHA2_256', publicKey: { rawBytes: b64(rekor.spki), keyDetails: 'PKIX_ECDSA_P256_SHA_256',
			validFor: { start: new Date(NOW - 365 * DAY).toISOString() } }, logId: { keyId: b64(sha256(rekor.spki)) } }],
		certificateAuthorities: [{ subject: { organization: 'edgeaudit-test', commonName: 'fulcio' }, uri: 'https://fulcio.test',
			certChain: { certificates: [{ rawBytes: b64(finter.der) }, { rawBytes: b64(froot.der) }] }, validFor: { start: new Date(NOW - 365 * DAY).toISOString() } }] };
	write(path.join(OUT, 'trusted_root.json'), JSON.stringify(tr, null, 1));
	// Notary Project CA: root (RSA 4096) -> intermediate (RSA 3072) -> leaves (RSA 3072: PS384; P-256: ES256)
	const nd = caDir('notary');
	const nroot = issue(nd, path.join(PKI, 'notary-root.crt'), rsaKey('notary-root', 4096), '/C=US/ST=WA/O=edgeaudit-test/CN=notary-root', 'v3_root', NOW - 365 * DAY, NOW + 3650 * DAY, null);
	const ninter = issue(nd, path.join(PKI, 'notary-inter.crt'), rsaKey('notary-inter', 3072), '/C=US/ST=WA/O=edgeaudit-test/CN=notary-intermediate', 'v3_inter', NOW - 365 * DAY, NOW + 3650 * DAY, nroot);
	const nleafKey = rsaKey('notary-leaf', 3072);
	const nleaf = issue(nd, path.join(PKI, 'notary-leaf.crt'), nleafKey, '/C=US/ST=WA/O=edgeaudit-test/CN=release-signer', 'notary_leaf', NOW - 30 * DAY, NOW + 365 * DAY, ninter);
	const necKey = ecKey('notary-ec');
	const nleafEc = issue(nd, path.join(PKI, 'notary-leaf-ec.crt'), necKey, '/C=US/ST=WA/O=edgeaudit-test/CN=ec-signer', 'notary_leaf', NOW - 30 * DAY, NOW + 365 * DAY, ninter);
	const nleafOld = issue(nd, path.join(PKI, 'notary-leaf-expired.crt'), nleafKey, '/C=US/ST=WA/O=edgeaudit-test/CN=release-signer', 'notary_leaf', NOW - 60 * DAY, NOW - DAY, ninter);
	const nleafTls = issue(nd, path.join(PKI, 'notary-leaf-tls.crt'), nleafKey, '/C=US/ST=WA/O=edgeaudit-test/CN=release-signer', 'tls_leaf', NOW - 30 * DAY, NOW + 365 * DAY, ninter);
	const nleafOtherCa = issue(od, path.join(PKI, 'notary-leaf-other.crt'), nleafKey, '/C=US/ST=WA/O=edgeaudit-test/CN=release-signer', 'notary_leaf', NOW - 30 * DAY, NOW + 365 * DAY, oroot);
	write(path.join(OUT, 'notation/truststore/x509/ca/edgeaudit/root.crt'), nroot.pem);
	write(path.join(OUT, 'notation/truststore/x509/signingAuthority/edgeaudit-sa/root.crt'), nroot.pem);
	write(path.join(OUT, 'notation/trustpolicy-sa.json'), JSON.stringify({ version: '1.0', trustPolicies: [{ name: 'sa', registryScopes: ['*'],
		signatureVerification: { level: 'strict', override: { revocation: 'skip' } }, trustStores: ['signingAuthority:edgeaudit-sa'],
		trustedIdentities: ['*'] }] }, null, 1));
	write(path.join(OUT, 'notation/trustpolicy.json'), JSON.stringify({ version: '1.0', trustPolicies: [{ name: 'edgeaudit', registryScopes: ['*'],
		signatureVerification: { level: 'strict', override: { revocation: 'skip' } }, trustStores: ['ca:edgeaudit'],
		trustedIdentities: ['x509.subject: C=US, ST=WA, O=edgeaudit-test'] }] }, null, 1));

	// policies (paths relative to the policy file)
	const keys = [{ name: 'release', path: '../pki/release.pub' }];
	const idn = [{ name: 'ci', subject: SAN, issuer: 'https://issuer.example' }];
	const P = {
		key: policy('key', { keys, images: [{ names: ['*'], signedBy: ['key:release'] }] }),
		keyref: policy('key-reference', { keys, images: [{ names: ['localhost/app:*'], signedBy: ['key:release'], checkReference: true }] }),
		keyless: policy('keyless', { trustedRoot: '../trusted_root.json', identities: idn, images: [{ names: ['*'], signedBy: ['identity:ci'] }] }),
		keyless_other: policy('keyless-other-identity', { trustedRoot: '../trusted_root.json',
			identities: [{ name: 'someone', subjectPattern: 'https://ci.example/other/*', issuer: 'https://issuer.example' }], images: [{ names: ['*'], signedBy: ['identity:someone'] }] }),
		key_tr: policy('key-trusted-root', { trustedRoot: '../trusted_root.json', keys, images: [{ names: ['*'], signedBy: ['key:release'] }] }),
		notation: policy('notation', { notation: { trustPolicy: '../notation/trustpolicy.json', trustStore: '../notation/truststore' }, images: [{ names: ['*'], signedBy: ['notation'] }] }),
		audit: policy('audit', { mode: 'audit', keys, images: [{ names: ['*'], signedBy: ['key:release'] }] }),
		scoped: policy('scoped', { keys, images: [{ names: ['localhost/prod/*'], signedBy: ['key:release'] }, { names: ['*'], require: false }] }),
		notation_sa: policy('notation-signing-authority', { notation: { trustPolicy: '../notation/trustpolicy-sa.json', trustStore: '../notation/truststore' }, images: [{ names: ['*'], signedBy: ['notation'] }] }),
		rsa: policy('key-rsa', { keys: [{ name: 'rsa', path: '../pki/cosign-rsa.pub' }], images: [{ names: ['*'], signedBy: ['key:rsa'] }] }),
		ed25519: policy('key-ed25519', { keys: [{ name: 'ed', path: '../pki/cosign-ed25519.pub' }], images: [{ names: ['*'], signedBy: ['key:ed'] }] }),
		p384: policy('key-p384', { keys: [{ name: 'p384', path: '../pki/cosign-p384.pub' }], images: [{ names: ['*'], signedBy: ['key:p384'] }] }),
		any: policy('any-signer', { trustedRoot: '../trusted_root.json', keys, identities: idn, notation: { trustPolicy: '../notation/trustpolicy.json', trustStore: '../notation/truststore' },
			images: [{ names: ['*'], signedBy: ['key:release', 'identity:ci', 'notation'] }] }),
	};
	const cases = [];
	// a case over the layout made last (mk)
	const add = (name, policyPath, rc, findings, ref, imageName) => cases.push([name, path.basename(L.dir), ref || '1', imageName || 'localhost/app:1', path.relative(OUT, policyPath), rc, findings.join(',') || '-']);
	const REF = 'localhost/app';
	let L, img, sig;
	const mk = (name) => { L = new Layout(path.join(OUT, name)); img = L.image('1'); return L; };

	// --- cosign simple signing, key ---
	mk('cosign-key-ok'); sig = payloadFor(img.digest, REF);
	L.add(MT_MANIFEST, cosignManifest(L, [{ payload: sig, annotations: { 'dev.cosignproject.cosign/signature': b64(ecdsa(release, sig)) } }]), { 'org.opencontainers.image.ref.name': sigTag(img) }); L.save();
	add('cosign-key-ok', P.key, 1, []);
	add('cosign-key-ok-any-signer', P.any, 1, []);
	mk('cosign-rsa-ok'); sig = payloadFor(img.digest, REF); // RSA PKCS#1 v1.5 over SHA-256, as cosign signs with RSA keys
	L.add(MT_MANIFEST, cosignManifest(L, [{ payload: sig, annotations: { 'dev.cosignproject.cosign/signature': b64(crypto.sign('sha256', sig, rsaCosign.key)) } }]), { 'org.opencontainers.image.ref.name': sigTag(img) }); L.save();
	add('cosign-rsa-ok', P.rsa, 1, []);
	add('cosign-rsa-wrong-policy-key', P.key, -1, ['signature.invalid', 'signature.missing']);
	mk('cosign-p384-ok'); sig = payloadFor(img.digest, REF);
	L.add(MT_MANIFEST, cosignManifest(L, [{ payload: sig, annotations: { 'dev.cosignproject.cosign/signature': b64(crypto.sign('sha256', sig, p384.key)) } }]), { 'org.opencontainers.image.ref.name': sigTag(img) }); L.save();
	add('cosign-p384-ok', P.p384, 1, []);
	mk('cosign-ed25519-ok'); sig = payloadFor(img.digest, REF);
	L.add(MT_MANIFEST, cosignManifest(L, [{ payload: sig, annotations: { 'dev.cosignproject.cosign/signature': b64(edSign(ed, sig)) } }]), { 'org.opencontainers.image.ref.name': sigTag(img) }); L.save();
	add('cosign-ed25519-ok', P.ed25519, 1, []);
	add('cosign-ed25519-wrong-policy-key', P.key, -1, ['signature.invalid', 'signature.missing']);
	mk('cosign-ed25519-other-key'); sig = payloadFor(img.digest, REF);
	L.add(MT_MANIFEST, cosignManifest(L, [{ payload: sig, annotations: { 'dev.cosignproject.cosign/signature': b64(edSign(edOther, sig)) } }]), { 'org.opencontainers.image.ref.name': sigTag(img) }); L.save();
	add('cosign-ed25519-other-key', P.ed25519, -1, ['signature.invalid', 'signature.missing']);
	mk('cosign-key-wrong'); sig = payloadFor(img.digest, REF);
	L.add(MT_MANIFEST, cosignManifest(L, [{ payload: sig, annotations: { 'dev.cosignproject.cosign/signature': b64(ecdsa(other, sig)) } }]), { 'org.opencontainers.image.ref.name': sigTag(img) }); L.save();
	add('cosign-key-wrong', P.key, -1, ['signature.invalid', 'signature.missing']);
	mk('cosign-key-payload-altered'); sig = payloadFor(img.digest, REF); const s1 = ecdsa(release, sig);
	L.add(MT_MANIFEST, cosignManifest(L, [{ payload: Buffer.from(sig.toString().replace('"optional":null', '"optional":{"x":"1"}')), annotations: { 'dev.cosignproject.cosign/signature': b64(s1) } }]), { 'org.opencontainers.image.ref.name': sigTag(img) }); L.save();
	add('cosign-key-payload-altered', P.key, -1, ['signature.invalid', 'signature.missing']);
	mk('cosign-digest-mismatch'); sig = payloadFor('sha256:' + 'ab'.repeat(32), REF);
	L.add(MT_MANIFEST, cosignManifest(L, [{ payload: sig, annotations: { 'dev.cosignproject.cosign/signature': b64(ecdsa(release, sig)) } }]), { 'org.opencontainers.image.ref.name': sigTag(img) }); L.save();
	add('cosign-digest-mismatch', P.key, -1, ['signature.digest_mismatch', 'signature.missing']);
	mk('cosign-reference'); sig = payloadFor(img.digest, 'localhost/other');
	L.add(MT_MANIFEST, cosignManifest(L, [{ payload: sig, annotations: { 'dev.cosignproject.cosign/signature': b64(ecdsa(release, sig)) } }]), { 'org.opencontainers.image.ref.name': sigTag(img) }); L.save();
	add('cosign-reference-mismatch', P.keyref, -1, ['signature.reference_mismatch', 'signature.missing']);
	add('cosign-reference-unchecked', P.key, 1, [], '1');
	mk('cosign-bad-base64'); sig = payloadFor(img.digest, REF);
	L.add(MT_MANIFEST, cosignManifest(L, [{ payload: sig, annotations: { 'dev.cosignproject.cosign/signature': '%%not base64%%' } }]), { 'org.opencontainers.image.ref.name': sigTag(img) }); L.save();
	add('cosign-bad-base64', P.key, -1, ['signature.malformed', 'signature.missing']);
	mk('unsigned'); L.save();
	add('unsigned', P.key, -1, ['signature.missing']);
	add('unsigned-not-required', P.scoped, 0, []);
	add('unsigned-required-by-scope', P.scoped, -1, ['signature.missing'], '1', 'localhost/prod/app:1');
	mk('cosign-blob-corrupted'); sig = payloadFor(img.digest, REF);
	const cm = cosignManifest(L, [{ payload: sig, annotations: { 'dev.cosignproject.cosign/signature': b64(ecdsa(release, sig)) } }]);
	L.add(MT_MANIFEST, cm, { 'org.opencontainers.image.ref.name': sigTag(img) }); L.save();
	fs.writeFileSync(path.join(L.dir, 'blobs/sha256', hex(sha256(sig))), Buffer.from(sig.toString().replace('localhost', 'evilhost')));
	add('cosign-blob-corrupted', P.key, -1, ['blob.digest_mismatch', 'signature.unreadable', 'signature.missing']);
	mk('cosign-save'); sig = payloadFor(img.digest, REF);
	L.entries[0].annotations.kind = 'dev.cosignproject.cosign/image';
	L.add(MT_MANIFEST, cosignManifest(L, [{ payload: sig, annotations: { 'dev.cosignproject.cosign/signature': b64(ecdsa(release, sig)) } }]), { kind: 'dev.cosignproject.cosign/sigs' });
	const img2 = L.image('2', 'another image\n'); const sig2 = payloadFor(img2.digest, REF);
	L.add(MT_MANIFEST, cosignManifest(L, [{ payload: sig2, annotations: { 'dev.cosignproject.cosign/signature': b64(ecdsa(other, sig2)) } }]), { kind: 'dev.cosignproject.cosign/sigs' });
	L.save();
	add('cosign-save', P.key, 1, []);
	cases.push(['cosign-save-other-image', 'cosign-save', '2', 'localhost/app:2', path.relative(OUT, P.key), -1, 'signature.invalid,signature.missing']);
	mk('cosign-two-signatures'); sig = payloadFor(img.digest, REF);
	L.add(MT_MANIFEST, cosignManifest(L, [{ payload: sig, annotations: { 'dev.cosignproject.cosign/signature': b64(ecdsa(other, sig)) } },
		{ payload: Buffer.from(sig.toString() + ' '), annotations: { 'dev.cosignproject.cosign/signature': b64(ecdsa(release, Buffer.from(sig.toString() + ' '))) } }]), { 'org.opencontainers.image.ref.name': sigTag(img) }); L.save();
	add('cosign-two-signatures-one-good', P.key, 1, []);
	cases.push(['audit-mode-wrong-key', 'cosign-key-wrong', '1', 'localhost/app:1', path.relative(OUT, P.audit), -2, 'signature.audit']);

	// --- cosign keyless (certificate + Rekor bundle) ---
	const keyless = (name, cert, opts = {}) => {
		mk(name); const p = payloadFor(img.digest, REF); const s = crypto.sign(opts.md || 'sha256', opts.payloadAltered ? Buffer.from(p.toString() + ' ') : p, (opts.key || leafKey).key);
		const ann = { 'dev.cosignproject.cosign/signature': b64(s), 'dev.sigstore.cosign/certificate': cert.pem,
			'dev.sigstore.cosign/chain': finter.pem + froot.pem };
		if (!opts.noRekor) ann['dev.sigstore.cosign/bundle'] = rekorBundle(rekor, s, cert.pem, p, opts);
		L.add(MT_MANIFEST, cosignManifest(L, [{ payload: p, annotations: ann }]), { 'org.opencontainers.image.ref.name': sigTag(img) }); L.save();
	};
	keyless('keyless-ok', leaf); add('keyless-ok', P.keyless, 1, []);
	add('keyless-identity-mismatch', P.keyless_other, -1, ['signature.identity_mismatch', 'signature.missing']);
	cases.push(['keyless-needs-identity', 'keyless-ok', '1', 'localhost/app:1', path.relative(OUT, P.key), -1, 'signature.wrong_key,signature.missing']);
	// a P-384 leaf signing with SHA-384, its Rekor entry naming the SHA-384 (issue 14)
	const leaf384Key = ecKey('fulcio-leaf-384', 'secp384r1');
	const leaf384 = issue(fd, path.join(PKI, 'leaf384.crt'), leaf384Key, '/O=edgeaudit-test', 'fulcio_leaf', t0 - 5 * 60e3, t0 + 10 * 60e3, finter, SAN);
	keyless('keyless-p384', leaf384, { key: leaf384Key, md: 'sha384' }); add('keyless-p384-sha384', P.keyless, 1, []);
	keyless('keyless-p384-tlog-sha256', leaf384, { key: leaf384Key, md: 'sha384' });
	{ // the same signature, its entry naming the payload's SHA-256: another hash than the one signed
		const m = JSON.parse(fs.readFileSync(path.join(L.dir, 'index.json'))).manifests.find((e) => (e.annotations || {})['org.opencontainers.image.ref.name'] === sigTag(img));
		const man = JSON.parse(fs.readFileSync(path.join(L.dir, 'blobs/sha256', m.digest.slice(7))));
		const ann = man.layers[0].annotations; const pl = fs.readFileSync(path.join(L.dir, 'blobs/sha256', man.layers[0].digest.slice(7)));
		const sg = Buffer.from(ann['dev.cosignproject.cosign/signature'], 'base64');
		L.entries.pop(); ann['dev.sigstore.cosign/bundle'] = rekorBundle(rekor, sg, leaf384.pem, pl);
		L.add(MT_MANIFEST, L.blob(man), { 'org.opencontainers.image.ref.name': sigTag(img) }); L.save();
	}
	add('keyless-p384-tlog-names-sha256', P.keyless, -1, ['signature.tlog_mismatch', 'signature.missing']);
	keyless('keyless-expired', leafExpired); add('keyless-expired', P.keyless, -1, ['signature.cert_expired', 'signature.missing']);
	keyless('keyless-not-yet-valid', leafFuture); add('keyless-not-yet-valid', P.keyless, -1, ['signature.cert_not_yet_valid', 'signature.missing']);
	keyless('keyless-untrusted-ca', leafOther); add('keyless-untrusted-ca', P.keyless, -1, ['signature.untrusted_chain', 'signature.missing']);
	keyless('keyless-bad-set', leaf, { setKey: rekor2 }); add('keyless-bad-set', P.keyless, -1, ['signature.bad_set', 'signature.missing']);
	keyless('keyless-unknown-log', leaf, { setKey: rekor2, logKey: rekor2 }); add('keyless-unknown-log', P.keyless, -1, ['signature.untrusted_log', 'signature.missing']);
	keyless('keyless-no-rekor', leaf, { noRekor: true }); add('keyless-no-rekor', P.keyless, -1, ['signature.no_timestamp', 'signature.missing']);
	keyless('keyless-tlog-mismatch', leaf, { bodyPayload: Buffer.from('another payload') }); add('keyless-tlog-mismatch', P.keyless, -1, ['signature.tlog_mismatch', 'signature.missing']);
	keyless('keyless-payload-tampered', leaf, { payloadAltered: true }); add('keyless-payload-tampered', P.keyless, -1, ['signature.payload_tampered', 'signature.missing']);
	// key-signed with a Rekor entry: checked when the policy has a trusted root
	mk('cosign-key-rekor'); sig = payloadFor(img.digest, REF); const ks = ecdsa(release, sig);
	L.add(MT_MANIFEST, cosignManifest(L, [{ payload: sig, annotations: { 'dev.cosignproject.cosign/signature': b64(ks), 'dev.sigstore.cosign/bundle': rekorBundle(rekor, ks, release.pubPem, sig) } }]), { 'org.opencontainers.image.ref.name': sigTag(img) }); L.save();
	add('cosign-key-rekor', P.key_tr, 1, []);
	mk('cosign-key-rekor-bad-set'); sig = payloadFor(img.digest, REF); const ks2 = ecdsa(release, sig);
	L.add(MT_MANIFEST, cosignManifest(L, [{ payload: sig, annotations: { 'dev.cosignproject.cosign/signature': b64(ks2), 'dev.sigstore.cosign/bundle': rekorBundle(rekor, ks2, release.pubPem, sig, { setKey: rekor2 }) } }]), { 'org.opencontainers.image.ref.name': sigTag(img) }); L.save();
	add('cosign-key-rekor-bad-set', P.key_tr, -1, ['signature.bad_set', 'signature.missing']);
	add('cosign-key-rekor-unchecked', P.key, 1, [], '1');
	cases[cases.length - 1][1] = 'cosign-key-rekor-bad-set';

	// --- sigstore bundles (v0.3, @sigstore/sign) as OCI 1.1 referrers ---
	const BT = 'application/vnd.dev.sigstore.bundle.v0.3+json';
	const man = () => fs.readFileSync(path.join(L.dir, 'blobs/sha256', img.digest.slice(7)));
	mk('bundle-message-ok'); L.add(MT_MANIFEST, referrer(L, img, BT, BT, await bundle('message', release, man())), null, BT); L.save();
	add('bundle-message-ok', P.key, 1, []);
	mk('bundle-dsse-ok'); L.add(MT_MANIFEST, referrer(L, img, BT, BT, await bundle('dsse', release, statement(img.digest))), null, BT); L.save();
	add('bundle-dsse-ok', P.key, 1, []);
	mk('bundle-dsse-other-subject'); L.add(MT_MANIFEST, referrer(L, img, BT, BT, await bundle('dsse', release, statement('sha256:' + 'cd'.repeat(32)))), null, BT); L.save();
	add('bundle-dsse-other-subject', P.key, -1, ['signature.digest_mismatch', 'signature.missing']);
	mk('bundle-dsse-ed25519-ok'); L.add(MT_MANIFEST, referrer(L, img, BT, BT, await bundle('dsse', ed, statement(img.digest))), null, BT); L.save();
	add('bundle-dsse-ed25519-ok', P.ed25519, 1, []);
	mk('bundle-dsse-ed25519-other-key'); L.add(MT_MANIFEST, referrer(L, img, BT, BT, await bundle('dsse', edOther, statement(img.digest))), null, BT); L.save();
	add('bundle-dsse-ed25519-other-key', P.ed25519, -1, ['signature.wrong_key', 'signature.missing']);
	// a message signature by an Ed25519 key signs the artifact's bytes; an image's bundle
	// names the manifest by digest: cannot be checked, never "ok"
	mk('bundle-message-ed25519'); L.add(MT_MANIFEST, referrer(L, img, BT, BT, await bundle('message', ed, man())), null, BT); L.save();
	add('bundle-message-ed25519', P.ed25519, -1, ['signature.unsupported_algorithm', 'signature.missing']);
	mk('bundle-wrong-key'); L.add(MT_MANIFEST, referrer(L, img, BT, BT, await bundle('message', other, man())), null, BT); L.save();
	add('bundle-wrong-key', P.key, -1, ['signature.wrong_key', 'signature.missing']);
	mk('bundle-dsse-tampered');
	const tb = JSON.parse(await bundle('dsse', release, statement(img.digest)));
	tb.dsseEnvelope.payload = b64(Buffer.from(Buffer.from(tb.dsseEnvelope.payload, 'base64').toString().replace('cosign/sign/v1', 'cosign/sign/v2')));
	L.add(MT_MANIFEST, referrer(L, img, BT, BT, JSON.stringify(tb)), null, BT); L.save();
	add('bundle-dsse-tampered', P.key, -1, ['signature.payload_tampered', 'signature.missing']);
	mk('bundle-other-image'); L.add(MT_MANIFEST, referrer(L, img, BT, BT, await bundle('message', release, Buffer.from('not the manifest'))), null, BT); L.save();
	add('bundle-other-image', P.key, -1, ['signature.digest_mismatch', 'signature.missing']);
	mk('bundle-malformed'); L.add(MT_MANIFEST, referrer(L, img, BT, BT, '{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":'), null, BT); L.save();
	add('bundle-malformed', P.key, -1, ['signature.malformed', 'signature.missing']);

	// --- Notary Project JWS as referrers ---
	const NT = 'application/vnd.cncf.notary.signature';
	const notary = (name, key, chain, opts) => { mk(name); L.add(MT_MANIFEST, referrer(L, img, NT, 'application/jose+json', jws(key, chain, img, opts)), null, NT); L.save(); };
	notary('notation-rsa-ok', nleafKey, [nleaf.der, ninter.der, nroot.der]); add('notation-rsa-ok', P.notation, 1, []);
	add('notation-any-signer', P.any, 1, [], '1');
	cases[cases.length - 1][1] = 'notation-rsa-ok';
	notary('notation-ec-ok', necKey, [nleafEc.der, ninter.der, nroot.der]); add('notation-ec-ok', P.notation, 1, []);
	notary('notation-expired-cert', nleafKey, [nleafOld.der, ninter.der, nroot.der]); add('notation-expired-cert', P.notation, -1, ['signature.cert_expired', 'signature.missing']);
	notary('notation-expired-signature', nleafKey, [nleaf.der, ninter.der, nroot.der], { expiry: new Date(NOW - HOUR / 2).toISOString().replace(/\.\d+Z/, 'Z') });
	add('notation-expired-signature', P.notation, -1, ['signature.expired', 'signature.missing']);
	notary('notation-untrusted', nleafKey, [nleafOtherCa.der, oroot.der]); add('notation-untrusted', P.notation, -1, ['signature.untrusted_chain', 'signature.missing']);
	notary('notation-incomplete-chain', nleafKey, [nleaf.der, ninter.der]); add('notation-incomplete-chain', P.notation, -1, ['signature.untrusted_chain', 'signature.missing']);
	notary('notation-not-code-signing', nleafKey, [nleafTls.der, ninter.der, nroot.der]); add('notation-not-code-signing', P.notation, -1, ['signature.untrusted_chain', 'signature.missing']);
	notary('notation-alg-mismatch', necKey, [nleafEc.der, ninter.der, nroot.der], { alg: 'ES384' }); add('notation-alg-mismatch', P.notation, -1, ['signature.unsupported_algorithm', 'signature.missing']);
	notary('notation-tampered', nleafKey, [nleaf.der, ninter.der, nroot.der], { payloadOverride: JSON.stringify({ targetArtifact: { digest: img.digest, mediaType: MT_MANIFEST, size: img.size, annotations: { a: 'b' } } }) });
	add('notation-tampered', P.notation, -1, ['signature.payload_tampered', 'signature.missing']);
	notary('notation-other-image', nleafKey, [nleaf.der, ninter.der, nroot.der]);
	{ // re-sign for another target: a valid signature naming another digest
		const other = { digest: 'sha256:' + 'ef'.repeat(32), size: img.size };
		L.entries.pop(); L.add(MT_MANIFEST, referrer(L, img, NT, 'application/jose+json', jws(nleafKey, [nleaf.der, ninter.der, nroot.der], other)), null, NT); L.save();
	}
	add('notation-other-image', P.notation, -1, ['signature.digest_mismatch', 'signature.missing']);
	const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z/, 'Z');
	notary('notation-sa-ok', nleafKey, [nleaf.der, ninter.der, nroot.der], { authenticTime: iso(NOW - HOUR) });
	add('notation-signing-authority-ok', P.notation_sa, 1, []);
	add('notation-signing-authority-needs-sa-store', P.notation, -1, ['signature.untrusted_chain', 'signature.missing']);
	notary('notation-sa-in-time', nleafKey, [nleafOld.der, ninter.der, nroot.der], { authenticTime: iso(NOW - 30 * DAY) });
	add('notation-signing-authority-expired-leaf-signed-in-time', P.notation_sa, 1, []);
	notary('notation-sa-late', nleafKey, [nleafOld.der, ninter.der, nroot.der], { authenticTime: iso(NOW - HOUR) });
	add('notation-signing-authority-signed-after-expiry', P.notation_sa, -1, ['signature.cert_expired', 'signature.missing']);
	mk('notation-cose'); L.add(MT_MANIFEST, referrer(L, img, NT, 'application/cose', Buffer.from([0xd2, 0x84, 0x40, 0xa0, 0xf6, 0x40])), null, NT); L.save();
	add('notation-cose', P.notation, -1, ['signature.unsupported_envelope', 'signature.missing']);
	cases.push(['notation-not-accepted', 'notation-rsa-ok', '1', 'localhost/app:1', path.relative(OUT, P.key), -1, 'signature.wrong_key,signature.missing']);

	write(path.join(OUT, 'cases.tsv'), cases.map((c) => c.join('\t')).join('\n') + '\n');
	process.stderr.write(`fixtures: ${cases.length} cases in ${OUT}\n`);
}
main().catch((e) => { console.error(e); process.exit(1); });
