#!/usr/bin/env node
// Blob signatures for `edgeaudit verify-blob`, made offline by real producers:
//  - openssl: P-256/P-384/P-521 keys, a Fulcio-like CA (root -> intermediate
//    -> code-signing leaves with SAN + OIDC issuer), a timestamp authority
//    (`openssl ts -reply`), detached signatures (`openssl dgst -sign`);
//  - @sigstore/sign (MessageSignatureBundleBuilder, DSSEBundleBuilder) with
//    two local witnesses: the openssl TSA (RFC 3161 timestamps, also over
//    other data on request) and a one-entry Rekor (hashedrekord body, SET,
//    inclusion proof of a tree of one, signed-note checkpoint), as the
//    public-good services would answer;
//  - @sigstore/bundle for a bundle over a file hashed as a stream.
// Writes <out>/cases.tsv: name  expected-rc  expected-finding-id|-  args...
// (args relative to <out>).  Usage: node blob_fixtures.js OUT_DIR
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const cp = require('child_process');
const { MessageSignatureBundleBuilder, DSSEBundleBuilder } = require('@sigstore/sign');
const { bundleToJSON, toMessageSignatureBundle } = require('@sigstore/bundle');

const OUT = path.resolve(process.argv[2] || 'blob-fixtures');
const PKI = path.join(OUT, 'pki');
fs.mkdirSync(PKI, { recursive: true });
const sha = (alg, b) => crypto.createHash(alg).update(b).digest();
const b64 = (b) => Buffer.from(b).toString('base64');
const write = (p, d) => { fs.mkdirSync(path.dirname(p), { recursive: true }); fs.writeFileSync(p, d); return p; };
const ossl = (args, input) => cp.execFileSync('openssl', args, { input, stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
const NOW = Date.now(), MIN = 60e3, DAY = 86400e3;
const odate = (ms) => new Date(ms).toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z');

function key(name, curve) {
	const k = path.join(PKI, name + '.key');
	ossl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:' + curve, '-out', k]);
	ossl(['pkey', '-in', k, '-pubout', '-out', path.join(PKI, name + '.pub')]);
	const pubPem = fs.readFileSync(path.join(PKI, name + '.pub'), 'utf8');
	const spki = crypto.createPublicKey(pubPem).export({ type: 'spki', format: 'der' });
	return { name, keyPath: k, pub: path.join(PKI, name + '.pub'), pubPem, spki,
		key: crypto.createPrivateKey(fs.readFileSync(k)), hint: b64(sha('sha256', spki)),
		md: { 'prime256v1': 'sha256', 'secp384r1': 'sha384', 'secp521r1': 'sha512' }[curve] };
}

// ---------------------------------------------------------------- CAs (openssl ca)
const CNF = `[ca]
default_ca = CA_default
[CA_default]
dir = ${PKI}/ca
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
subjectAltName = critical, URI:https://ci.example/org/fw/.github/workflows/release.yml@refs/heads/main
1.3.6.1.4.1.57264.1.8 = ASN1:UTF8String:https://issuer.example
authorityKeyIdentifier = keyid
[tsa_leaf]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
authorityKeyIdentifier = keyid
[tsa]
default_tsa = tsa1
[tsa1]
serial = ${PKI}/ca/tsaserial
crypto_device = builtin
signer_digest = sha256
default_policy = 1.3.6.1.4.1.57264.2
digests = sha256, sha384, sha512
accuracy = secs:1
ess_cert_id_alg = sha256
ordering = no
tsa_name = no
ess_cert_id_chain = no
`;
fs.mkdirSync(path.join(PKI, 'ca/new'), { recursive: true });
write(path.join(PKI, 'ca/index.txt'), '');
write(path.join(PKI, 'ca/serial'), crypto.randomBytes(8).toString('hex') + '\n');
write(path.join(PKI, 'ca/tsaserial'), '01\n');
const cnf = write(path.join(PKI, 'ca.cnf'), CNF);
function issue(name, k, subj, ext, start, end, issuer) {
	const out = path.join(PKI, name + '.crt'), csr = out + '.csr';
	ossl(['req', '-new', '-key', k.keyPath, '-subj', subj, '-out', csr, '-config', cnf]);
	const args = ['ca', '-batch', '-config', cnf, '-extensions', ext, '-startdate', odate(start), '-enddate', odate(end), '-in', csr, '-out', out, '-notext'];
	if (issuer) args.push('-cert', issuer.crt, '-keyfile', issuer.key.keyPath);
	else args.push('-selfsign', '-keyfile', k.keyPath);
	ossl(args);
	const pem = fs.readFileSync(out, 'utf8');
	return { crt: out, pem, der: new crypto.X509Certificate(pem).raw, key: k };
}

// ---------------------------------------------------------------- witnesses
// RFC 3161 timestamps from `openssl ts -reply`: over the signature, or over
// other bytes (a timestamp of another signature).
class OpensslTSA {
	constructor(tsa, chain, stamps) { this.tsa = tsa; this.chain = chain; this.stamps = stamps; }
	async testify(content) {
		const sig = content.$case === 'dsseEnvelope' ? content.dsseEnvelope.signatures[0].sig : content.messageSignature.signature;
		return { rfc3161Timestamps: this.stamps.map((s) => ({ signedTimestamp: this.stamp(s === 'other' ? crypto.randomBytes(64) : sig) })) };
	}
	stamp(data) {
		const q = ossl(['ts', '-query', '-sha256', '-cert', '-no_nonce'], data);
		const qf = write(path.join(PKI, 'q.tsq'), q);
		return ossl(['ts', '-reply', '-config', cnf, '-queryfile', qf, '-signer', this.tsa.crt, '-inkey', this.tsa.key.keyPath, '-chain', this.chain]);
	}
}
// One Rekor v1 entry, the second of a tree of two (protobuf JSON leaves out
// a zero logIndex and an empty hash list): hashedrekord body naming
// `verifierPem` (the bundle's certificate or key, or another encoding of
// it), SET over RFC 8785 JSON, inclusion proof and a signed checkpoint.
class LocalRekor {
	constructor(log, verifierPem) { this.log = log; this.verifierPem = verifierPem; }
	async testify(content, publicKey) {
		const ms = content.messageSignature;
		const alg = ms.messageDigest.algorithm === 1 ? 'sha256' : null; // SHA2_256
		const body = Buffer.from(JSON.stringify({ apiVersion: '0.0.1', kind: 'hashedrekord', spec: {
			data: { hash: { algorithm: this.hashAlg || alg, value: (this.hash || ms.messageDigest.digest).toString('hex') } },
			signature: { content: b64(ms.signature), publicKey: { content: b64(this.verifierPem || publicKey) } } } }));
		const logID = sha('sha256', this.log.spki);
		const t = Math.floor(NOW / 1000) - 60;
		const canon = `{"body":"${b64(body)}","integratedTime":${t},"logID":"${logID.toString('hex')}","logIndex":1}`;
		const set = crypto.sign('sha256', Buffer.from(canon), this.log.key);
		const first = sha('sha256', crypto.randomBytes(32));
		const leafHash = sha('sha256', Buffer.concat([Buffer.from([0]), body]));
		const root = sha('sha256', Buffer.concat([Buffer.from([1]), first, leafHash]));
		const note = `rekor.test - 1\n2\n${b64(root)}\n`;
		const nsig = crypto.sign('sha256', Buffer.from(note), this.log.key);
		const envelope = `${note}\n\u2014 rekor.test ${b64(Buffer.concat([logID.subarray(0, 4), nsig]))}\n`;
		return { tlogEntries: [{ logIndex: '1', logId: { keyId: logID }, kindVersion: { kind: 'hashedrekord', version: '0.0.1' },
			integratedTime: String(t), inclusionPromise: { signedEntryTimestamp: set },
			inclusionProof: { logIndex: '1', rootHash: root, treeSize: '2', hashes: [first], checkpoint: { envelope } }, canonicalizedBody: body }] };
	}
}

// ---------------------------------------------------------------- bundles
// signer: a key ({publicKey, hint}) or a leaf certificate; md: the hash the
// key signs with (P-384: sha384, as sigstore-go and cosign pair them).
function signer(k, cert) {
	return { sign: async (d) => ({ signature: crypto.sign(k.md, d, k.key),
		key: cert ? { $case: 'x509Certificate', certificate: cert.pem } : { $case: 'publicKey', publicKey: k.pubPem, hint: k.hint } }) };
}
async function msgBundle(k, data, opts = {}) {
	const b = await new MessageSignatureBundleBuilder({ signer: signer(k, opts.cert), witnesses: opts.witnesses || [] }).create({ data });
	const j = bundleToJSON(b);
	if (opts.noDigest) delete j.messageSignature.messageDigest;
	return JSON.stringify(j);
}
async function dsseBundle(k, digestHex, opts = {}) {
	const st = Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'fw.bin', digest: { [opts.alg || 'sha256']: digestHex } }],
		predicateType: 'https://slsa.dev/provenance/v1', predicate: {} }));
	const b = await new DSSEBundleBuilder({ signer: signer(k, opts.cert), witnesses: opts.witnesses || [] }).create({ data: st, type: 'application/vnd.in-toto+json' });
	return JSON.stringify(bundleToJSON(b));
}

async function main() {
	const p256 = key('p256', 'prime256v1'), p384 = key('p384', 'secp384r1'), p521 = key('p521', 'secp521r1');
	const other384 = key('other384', 'secp384r1'), other = key('other', 'prime256v1');
	const rekor = key('rekor', 'prime256v1');
	const root = issue('fulcio-root', key('fulcio-root', 'secp384r1'), '/O=edgeaudit-test/CN=fulcio-root', 'v3_root', NOW - 365 * DAY, NOW + 365 * DAY, null);
	const inter = issue('fulcio-inter', key('fulcio-inter', 'secp384r1'), '/O=edgeaudit-test/CN=fulcio-inter', 'v3_inter', NOW - 365 * DAY, NOW + 365 * DAY, root);
	const leaf = issue('leaf', key('leaf', 'prime256v1'), '/O=edgeaudit-test', 'fulcio_leaf', NOW - 5 * MIN, NOW + 10 * MIN, inter);
	const leaf384 = issue('leaf384', key('leaf384', 'secp384r1'), '/O=edgeaudit-test', 'fulcio_leaf', NOW - 5 * MIN, NOW + 10 * MIN, inter);
	const tsaRoot = issue('tsa-root', key('tsa-root', 'prime256v1'), '/O=edgeaudit-test/CN=tsa-root', 'v3_root', NOW - 365 * DAY, NOW + 365 * DAY, null);
	const tsa = issue('tsa', key('tsa', 'prime256v1'), '/O=edgeaudit-test/CN=tsa', 'tsa_leaf', NOW - 30 * DAY, NOW + 365 * DAY, tsaRoot);
	// a self-signed certificate for the P-256 key: the same key in another encoding
	const keyCert = path.join(PKI, 'p256-self.crt');
	ossl(['req', '-new', '-x509', '-key', p256.keyPath, '-subj', '/CN=p256', '-days', '30', '-out', keyCert]);
	const otherCert = path.join(PKI, 'other-self.crt');
	ossl(['req', '-new', '-x509', '-key', other.keyPath, '-subj', '/CN=other', '-days', '30', '-out', otherCert]);

	// trusted root: no validFor on the log and the TSA (no bound)
	const tr = { mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
		tlogs: [{ baseUrl: 'https://rekor.test', hashAlgorithm: 'SHA2_256', publicKey: { rawBytes: b64(rekor.spki), keyDetails: 'PKIX_ECDSA_P256_SHA_256' }, logId: { keyId: b64(sha('sha256', rekor.spki)) } }],
		certificateAuthorities: [{ subject: { organization: 'edgeaudit-test', commonName: 'fulcio' }, uri: 'https://fulcio.test',
			certChain: { certificates: [{ rawBytes: b64(inter.der) }, { rawBytes: b64(root.der) }] }, validFor: { start: new Date(NOW - 365 * DAY).toISOString() } }],
		timestampAuthorities: [{ subject: { organization: 'edgeaudit-test', commonName: 'tsa' }, uri: 'https://tsa.test',
			certChain: { certificates: [{ rawBytes: b64(tsa.der) }, { rawBytes: b64(tsaRoot.der) }] } }] };
	write(path.join(OUT, 'trusted_root.json'), JSON.stringify(tr, null, 1));
	write(path.join(OUT, 'client_trust_config.json'), JSON.stringify({ mediaType: 'application/vnd.dev.sigstore.clienttrustconfig.v0.1+json', trustedRoot: tr,
		signingConfig: { mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json' } }, null, 1));
	const bad = JSON.parse(JSON.stringify(tr)); bad.tlogs[0].publicKey.validFor = {};
	write(path.join(OUT, 'trusted_root_validfor_no_start.json'), JSON.stringify(bad));
	const chainPem = write(path.join(PKI, 'tsa-chain.pem'), tsaRoot.pem);
	const TSA = (...stamps) => new OpensslTSA(tsa, chainPem, stamps);

	const pol = (name, rule) => write(path.join(OUT, 'policies', name + '.json'), JSON.stringify({ schema: 'edgeaudit/signature-policy/v1', trustedRoot: '../trusted_root.json',
		identities: [{ name: 'ci', subject: 'https://ci.example/org/fw/.github/workflows/release.yml@refs/heads/main', issuer: 'https://issuer.example' }],
		keys: [{ name: 'p256', path: '../pki/p256.pub' }],
		images: [Object.assign({ names: ['*'], signedBy: ['identity:ci', 'key:p256'] }, rule)] }, null, 1));
	pol('default', {}); pol('tsa-only', { tlogThreshold: 0, timestampThreshold: 1 }); pol('two-timestamps', { tlogThreshold: 0, timestampThreshold: 2 });

	const fw = write(path.join(OUT, 'fw.bin'), crypto.randomBytes(300 * 1024 + 7));
	const fwData = fs.readFileSync(fw);
	const alt = write(path.join(OUT, 'other.bin'), Buffer.from('not the firmware\n'));
	const cases = [];
	const ID = ['--trusted-root', 'trusted_root.json', '--certificate-identity', 'https://ci.example/org/fw/.github/workflows/release.yml@refs/heads/main', '--certificate-oidc-issuer', 'https://issuer.example'];
	const add = (name, rc, fid, args) => cases.push([name, rc, fid || '-', ...args]);
	const B = async (name, p) => { write(path.join(OUT, 'b', name + '.json'), await p); return 'b/' + name + '.json'; };

	// --- timestamps counted (keyless, TSA only: the policy allows it)
	let b = await B('ts-good-and-other', msgBundle(leaf.key, fwData, { cert: leaf, witnesses: [TSA('good', 'other')] }));
	add('two timestamps, one over other data: the good one counts', 0, '', ['fw.bin', '--bundle', b, '--policy', 'policies/tsa-only.json']);
	add('two timestamps, one over other data: two required', 1, 'signature.threshold_unmet', ['fw.bin', '--bundle', b, '--policy', 'policies/two-timestamps.json']);
	b = await B('ts-other-first', msgBundle(leaf.key, fwData, { cert: leaf, witnesses: [TSA('other', 'good')] }));
	add('the timestamp over other data first, then the good one', 0, '', ['fw.bin', '--bundle', b, '--policy', 'policies/tsa-only.json']);
	b = await B('ts-other-alone', msgBundle(leaf.key, fwData, { cert: leaf, witnesses: [TSA('other')] }));
	add('a timestamp over other data alone still fails', 1, 'signature.tlog_mismatch', ['fw.bin', '--bundle', b, '--policy', 'policies/tsa-only.json']);
	b = await B('ts-good-alone', msgBundle(leaf.key, fwData, { cert: leaf, witnesses: [TSA('good')] }));
	add('TSA-only bundle: refused by default (1 log entry, as cosign)', 1, 'signature.threshold_unmet', [...ID, 'fw.bin', '--bundle', b]);
	add('TSA-only bundle: accepted where the policy says so', 0, '', ['fw.bin', '--bundle', b, '--policy', 'policies/tsa-only.json']);
	b = await B('key-ts-other-alone', msgBundle(p256, fwData, { witnesses: [TSA('other')] }));
	add('key-signed, a timestamp over other data alone fails', 1, 'signature.tlog_mismatch', ['fw.bin', '--bundle', b, '--key', 'pki/p256.pub', '--trusted-root', 'trusted_root.json']);
	// --- log entry + timestamps (keyless, default thresholds)
	b = await B('tlog-and-other-ts', msgBundle(leaf.key, fwData, { cert: leaf, witnesses: [new LocalRekor(rekor), TSA('other')] }));
	add('keyless: log entry and a timestamp over other data (skipped)', 0, '', [...ID, 'fw.bin', '--bundle', b]);
	add('keyless: the same through a ClientTrustConfig', 0, '', [...ID.map((x) => x === 'trusted_root.json' ? 'client_trust_config.json' : x), 'fw.bin', '--bundle', b]);
	add('keyless: a trusted root whose log validFor has no start is refused', 2, '', [...ID.map((x) => x === 'trusted_root.json' ? 'trusted_root_validfor_no_start.json' : x), 'fw.bin', '--bundle', b]);
	add('keyless: identity regexp', 0, '', ['--trusted-root', 'trusted_root.json', '--certificate-identity-regexp', '^https://ci\\.example/org/', '--certificate-oidc-issuer-regexp', 'issuer\\.example$', 'fw.bin', '--bundle', b]);
	add('keyless: identity regexp for someone else', 1, 'signature.identity_mismatch', ['--trusted-root', 'trusted_root.json', '--certificate-identity-regexp', '^https://ci\\.example/other/', '--certificate-oidc-issuer', 'https://issuer.example', 'fw.bin', '--bundle', b]);
	add('keyless: another file', 1, 'signature.digest_mismatch', [...ID, 'other.bin', '--bundle', b]);
	// --- hashedrekord matched by key, not encoding
	const pemOf = (f) => fs.readFileSync(f, 'utf8');
	b = await B('key-tlog-cert', msgBundle(p256, fwData, { witnesses: [new LocalRekor(rekor, pemOf(keyCert))] }));
	add('key-signed, log entry carries a certificate of the same key', 0, '', ['fw.bin', '--bundle', b, '--key', 'pki/p256.pub', '--trusted-root', 'trusted_root.json']);
	b = await B('key-tlog-other-cert', msgBundle(p256, fwData, { witnesses: [new LocalRekor(rekor, pemOf(otherCert))] }));
	add('key-signed, log entry carries a certificate of another key', 1, 'signature.tlog_mismatch', ['fw.bin', '--bundle', b, '--key', 'pki/p256.pub', '--trusted-root', 'trusted_root.json']);
	// --- no messageDigest
	b = await B('nodigest-key', msgBundle(p256, fwData, { noDigest: true }));
	add('no messageDigest, key', 0, '', ['fw.bin', '--bundle', b, '--key', 'pki/p256.pub']);
	add('no messageDigest, key, another file', 1, 'signature.payload_tampered', ['other.bin', '--bundle', b, '--key', 'pki/p256.pub']);
	b = await B('nodigest-keyless', msgBundle(leaf.key, fwData, { cert: leaf, noDigest: true, witnesses: [new LocalRekor(rekor)] }));
	add('no messageDigest, keyless', 0, '', [...ID, 'fw.bin', '--bundle', b]);
	add('no messageDigest, keyless, another file', 1, 'signature.payload_tampered', [...ID, 'other.bin', '--bundle', b]);
	// --- P-384 / P-521 (SHA-384 / SHA-512 signatures, sha256 messageDigest as @sigstore/sign writes it)
	b = await B('p384-key', msgBundle(p384, fwData));
	add('P-384 key (SHA-384)', 0, '', ['fw.bin', '--bundle', b, '--key', 'pki/p384.pub']);
	add('P-384: another P-384 key', 1, 'signature.wrong_key', ['fw.bin', '--bundle', b, '--key', 'pki/other384.pub']);
	b = await B('p521-key', msgBundle(p521, fwData));
	add('P-521 key (SHA-512)', 0, '', ['fw.bin', '--bundle', b, '--key', 'pki/p521.pub']);
	add('P-521 key, another file', 1, 'signature.payload_tampered', ['other.bin', '--bundle', b, '--key', 'pki/p521.pub']);
	// (the entry names the SHA-384 the certificate's key signed, as a client uploads it)
	const r384c = new LocalRekor(rekor); r384c.hashAlg = 'sha384'; r384c.hash = sha('sha384', fwData);
	b = await B('p384-keyless', msgBundle(leaf384.key, fwData, { cert: leaf384, witnesses: [r384c] }));
	add('P-384 certificate', 0, '', [...ID, 'fw.bin', '--bundle', b]);
	// hashedrekord with a sha384 hash (the entry names the SHA-384 the key signed)
	const r384 = new LocalRekor(rekor); r384.hashAlg = 'sha384'; r384.hash = sha('sha384', fwData);
	b = await B('p384-key-tlog-sha384', msgBundle(p384, fwData, { witnesses: [r384], noDigest: true }));
	add('P-384 key, hashedrekord sha384 entry', 0, '', ['fw.bin', '--bundle', b, '--key', 'pki/p384.pub', '--trusted-root', 'trusted_root.json']);
	const r384bad = new LocalRekor(rekor); r384bad.hashAlg = 'sha384'; r384bad.hash = sha('sha384', Buffer.from('x'));
	b = await B('p384-key-tlog-sha384-other', msgBundle(p384, fwData, { witnesses: [r384bad], noDigest: true }));
	add('P-384 key, hashedrekord sha384 of another file', 1, 'signature.tlog_mismatch', ['fw.bin', '--bundle', b, '--key', 'pki/p384.pub', '--trusted-root', 'trusted_root.json']);
	// --- DSSE in-toto over the file
	b = await B('dsse', dsseBundle(p256, sha('sha256', fwData).toString('hex')));
	add('DSSE statement naming the file', 0, '', ['fw.bin', '--bundle', b, '--key', 'pki/p256.pub']);
	add('DSSE statement naming another file', 1, 'signature.digest_mismatch', ['other.bin', '--bundle', b, '--key', 'pki/p256.pub']);
	b = await B('dsse-sha512', dsseBundle(p384, sha('sha512', fwData).toString('hex'), { alg: 'sha512' }));
	add('DSSE statement naming the file by its SHA-512 (P-384 key)', 0, '', ['fw.bin', '--bundle', b, '--key', 'pki/p384.pub']);
	add('DSSE statement naming another file by SHA-512', 1, 'signature.digest_mismatch', ['other.bin', '--bundle', b, '--key', 'pki/p384.pub']);
	// --- detached signatures (openssl dgst, as cosign sign-blob writes them: base64 DER)
	for (const [k, md] of [[p256, 'sha256'], [p384, 'sha384'], [p521, 'sha512']]) {
		const sig = ossl(['dgst', '-' + md, '-sign', k.keyPath, fw]);
		write(path.join(OUT, 'sig', k.name + '.sig'), b64(sig) + '\n');
		add(`detached signature, ${k.name}`, 0, '', ['fw.bin', '--signature', `sig/${k.name}.sig`, '--key', `pki/${k.name}.pub`]);
	}
	add('detached signature, another file', 1, 'signature.invalid', ['other.bin', '--signature', 'sig/p256.sig', '--key', 'pki/p256.pub']);
	const lsig = ossl(['dgst', '-sha256', '-sign', leaf.key.keyPath, fw]);
	write(path.join(OUT, 'sig', 'leaf.sig'), b64(lsig));
	add('detached signature + certificate: no trusted time offline', 1, 'signature.threshold_unmet', [...ID, 'fw.bin', '--signature', 'sig/leaf.sig', '--certificate', 'pki/leaf.crt']);
	// --- files of several sizes (key bundles)
	for (const n of [0, 1, 65535, 65536, 65537, 1048577]) {
		const f = write(path.join(OUT, 'sizes', `f${n}.bin`), crypto.randomBytes(n));
		b = await B(`size-${n}`, msgBundle(p256, fs.readFileSync(f)));
		add(`${n}-byte file`, 0, '', [`sizes/f${n}.bin`, '--bundle', b, '--key', 'pki/p256.pub']);
	}
	write(path.join(OUT, 'cases.tsv'), cases.map((c) => c.join('\t')).join('\n') + '\n');
	process.stderr.write(`blob fixtures: ${cases.length} cases in ${OUT}\n`);
}

// A bundle for a large file, hashed as a stream here and signed by openssl:
// node blob_fixtures.js --large FILE KEY.key OUT.json
async function large(file, keyPath, out) {
	const h = crypto.createHash('sha256');
	await new Promise((ok, ko) => fs.createReadStream(file).on('data', (d) => h.update(d)).on('end', ok).on('error', ko));
	const sig = ossl(['dgst', '-sha256', '-sign', keyPath, file]);
	fs.writeFileSync(out, JSON.stringify(bundleToJSON(toMessageSignatureBundle({ digest: h.digest(), signature: sig, keyHint: '' }))));
}
if (process.argv[2] === '--large') large(process.argv[3], process.argv[4], process.argv[5]).catch((e) => { console.error(e); process.exit(1); });
else main().catch((e) => { console.error(e); process.exit(1); });
