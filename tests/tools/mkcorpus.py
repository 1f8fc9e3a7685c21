#!/usr/bin/env python3
"""mkcorpus: archives on which tar readers and image consumers may disagree,
for tests/integration/test_differential.sh.

  mkcorpus.py OUTDIR [--key KEY.pem] [--seed N]

Builds a small valid base with real tools (umoci makes an OCI layout holding
a good image `1` and an evil one `evil`; skopeo copies them to an oci-archive
and docker-archives), signs the good image with cosign simple signing when a
key is given (openssl makes the ECDSA signature), then writes every archive of
the corpus with a tar writer of its own that sets each header byte on purpose.
Writes OUTDIR/corpus.tsv: file, class, transports (oci-archive,
docker-archive, comma separated: how edgeaudit and the consumers are asked to
read it), image name to verify, one-line description.  The mutations are
deterministic (fixed seed); the base is made with fixed timestamps.
"""
import base64, gzip, hashlib, io, json, os, random, shutil, subprocess, sys, tarfile

NAME = 'localhost/app:1'
MT_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
MT_INDEX = 'application/vnd.oci.image.index.v1+json'
MT_CONFIG = 'application/vnd.oci.image.config.v1+json'
MT_GZ = 'application/vnd.oci.image.layer.v1.tar+gzip'
MT_TAR = 'application/vnd.oci.image.layer.v1.tar'
MT_ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd'
REF = 'org.opencontainers.image.ref.name'
CTRD_NAME = 'io.containerd.image.name'


def run(*cmd, cwd=None, data=None):
    r = subprocess.run(cmd, cwd=cwd, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        sys.exit('mkcorpus: %s failed: %s' % (' '.join(cmd), r.stderr.decode(errors='replace')[:2000]))
    return r.stdout


def sha(b):
    return hashlib.sha256(b).hexdigest()


def jdump(o):
    return json.dumps(o, separators=(',', ':')).encode()


# ------------------------------------------------------------------ tar writer
def octal(n, width):
    return ('%0*o' % (width - 1, n)).encode() + b'\0'


MAGIC = {'ustar': (b'ustar\0', b'00'), 'gnu': (b'ustar ', b' \0'), 'v7': (b'\0' * 6, b'\0\0')}


def header(name, size, typeflag=b'0', fmt='ustar', prefix=b'', linkname=b'', mode=0o644,
           chk='unsigned', magic=None, size_field=None, edit=None):
    """One 512-byte header.  name/prefix/linkname: bytes or str.  fmt picks
    magic+version (or magic=(m, v) gives them); chk: unsigned | signed | bad |
    keep (the field as edit left it).  edit(h) may change any byte first."""
    enc = lambda s: s.encode('utf-8', 'surrogateescape') if isinstance(s, str) else s
    name, prefix, linkname = enc(name), enc(prefix), enc(linkname)
    h = bytearray(512)
    h[0:len(name[:100])] = name[:100]
    h[100:108] = octal(mode, 8)
    h[108:116] = octal(0, 8)
    h[116:124] = octal(0, 8)
    h[124:136] = size_field if size_field is not None else octal(size, 12)
    h[136:148] = octal(0o14000000000, 12)  # 2020-ish, fixed
    h[156:157] = typeflag
    h[157:157 + len(linkname[:100])] = linkname[:100]
    m, v = magic or MAGIC[fmt]
    h[257:263] = m
    h[263:265] = v
    if fmt != 'v7' and magic is None:
        h[265:269] = b'root'
        h[297:301] = b'root'
    if prefix:
        h[345:345 + len(prefix[:155])] = prefix[:155]
    if edit:
        edit(h)
    if chk != 'keep':
        h[148:156] = b' ' * 8
        if chk == 'signed':
            s = sum(b - 256 if b >= 128 else b for b in h)
        else:
            s = sum(h)
        if chk == 'bad':
            s += 1
        h[148:156] = ('%06o' % s).encode() + b'\0 '
    return bytes(h)


def pad(b):
    return b + b'\0' * (-len(b) % 512)


def pax_record(k, v):
    v = v.encode() if isinstance(v, str) else v
    body = b' ' + k.encode() + b'=' + v + b'\n'
    n = len(body) + 1
    while len(str(n).encode()) + len(body) != n:
        n = len(str(n).encode()) + len(body)
    return str(n).encode() + body


def member(name, data=b'', **kw):
    """A member spec; kw: typeflag, fmt, prefix, linkname, chk, magic, pax
    (dict), gnu_long (name), order ('pax-first'|'gnu-first'), edit, size_field."""
    d = {'name': name, 'data': data}
    d.update(kw)
    return d


def emit(m):
    out = b''
    recs = []
    if m.get('pax'):
        body = b''.join(pax_record(k, v) for k, v in m['pax'].items())
        recs.append(('pax', header('PaxHeaders.0/' + (m['name'] if isinstance(m['name'], str) else 'x')[:80],
                                    len(body), b'x', 'ustar') + pad(body)))
    if m.get('gnu_long') is not None:
        ln = m['gnu_long']
        ln = ln.encode() if isinstance(ln, str) else ln
        recs.append(('gnu', header('././@LongLink', len(ln) + 1, b'L', 'gnu') + pad(ln + b'\0')))
    if m.get('order') == 'gnu-first':
        recs.reverse()
    for _, r in recs:
        out += r
    data = m['data']
    tf = m.get('typeflag', b'0')
    size = len(data) if tf in (b'0', b'\0', b'7') else 0
    out += header(m['name'], size, tf, m.get('fmt', 'ustar'), m.get('prefix', b''), m.get('linkname', b''),
                  0o755 if tf == b'5' else 0o644, m.get('chk', 'unsigned'), m.get('magic'),
                  m.get('size_field'), m.get('edit'))
    if size:
        out += pad(data)
    return out


def archive(members, tail=b'\0' * 1024):
    return b''.join(m if isinstance(m, bytes) else emit(m) for m in members) + tail


# ------------------------------------------------------------------ the base
def read_tar(path):
    """members of a tar made by a real tool, in order, as specs for emit()"""
    out = []
    with tarfile.open(path) as t:
        for ti in t.getmembers():
            if ti.isdir():
                out.append(member(ti.name.rstrip('/') + '/', typeflag=b'5'))
            elif ti.issym():
                out.append(member(ti.name, typeflag=b'2', linkname=ti.linkname))
            else:
                out.append(member(ti.name, t.extractfile(ti).read()))
    return out


def build_base(work, key):
    os.makedirs(work, exist_ok=True)
    lay = os.path.join(work, 'lay')
    if os.path.exists(lay):
        shutil.rmtree(lay)
    run('umoci', 'init', '--layout', lay)
    for tag, text in (('1', 'good image\n'), ('evil', 'EVIL image\n')):
        bundle = os.path.join(work, 'bundle-' + tag)
        if os.path.exists(bundle):
            shutil.rmtree(bundle)
        run('umoci', 'new', '--image', lay + ':' + tag)
        run('umoci', 'unpack', '--image', lay + ':' + tag, bundle)
        os.makedirs(bundle + '/rootfs/etc', exist_ok=True)
        with open(bundle + '/rootfs/etc/hello.txt', 'w') as f:
            f.write(text)
        for root, dirs, files in os.walk(bundle + '/rootfs'):
            for n in dirs + files:
                os.utime(os.path.join(root, n), (1577836800, 1577836800), follow_symlinks=False)
        os.utime(bundle + '/rootfs', (1577836800, 1577836800))
        run('umoci', 'repack', '--no-history', '--image', lay + ':' + tag, bundle)
        run('umoci', 'config', '--no-history', '--image', lay + ':' + tag, '--created', '2020-01-01T00:00:00Z',
            '--config.cmd', '/bin/sh')
    run('umoci', 'gc', '--layout', lay)
    b = {}
    for tag in ('1', 'evil'):
        for tr, f in (('oci-archive', 'oci-%s.tar' % tag), ('docker-archive', 'docker-%s.tar' % tag)):
            p = os.path.join(work, f)
            if os.path.exists(p):
                os.unlink(p)
            run('skopeo', 'copy', '-q', 'oci:%s:%s' % (lay, tag), '%s:%s:%s' % (tr, p, NAME))
            b[(tr, tag)] = read_tar(p)
    return b


class Base:
    def __init__(self, work, key):
        t = build_base(work, key)
        self.oci_good = t[('oci-archive', '1')]
        self.oci_evil = t[('oci-archive', 'evil')]
        self.dk_good = t[('docker-archive', '1')]
        self.dk_evil = t[('docker-archive', 'evil')]
        get = lambda ms, n: next(m['data'] for m in ms if m['name'] == n)
        self.blobs = {}
        for ms in (self.oci_good, self.oci_evil):
            for m in ms:
                if m['name'].startswith('blobs/sha256/') and m.get('typeflag', b'0') == b'0':
                    self.blobs[m['name'][13:]] = m['data']
        gi = json.loads(get(self.oci_good, 'index.json'))
        ei = json.loads(get(self.oci_evil, 'index.json'))
        self.good_desc = gi['manifests'][0]
        self.evil_desc = ei['manifests'][0]
        self.good_m = json.loads(self.blobs[self.good_desc['digest'][7:]])
        self.evil_m = json.loads(self.blobs[self.evil_desc['digest'][7:]])
        self.layout = get(self.oci_good, 'oci-layout')
        self.sig_entries = []
        self._nosig_blobs = list(self.blobs)  # in a fixed order: good, evil
        if key:
            self.sign(key, self.good_desc['digest'])
        self._sig_entries, self._all_blobs = self.sig_entries, list(self.blobs)
        self.set_signed(True)
        self.dk_good_manifest = get(self.dk_good, 'manifest.json')
        self.dk_evil_manifest = get(self.dk_evil, 'manifest.json')

    def set_signed(self, on):
        """archives with the good image's signature (the default, when a key
        was given) or without it, for `edgeaudit images`"""
        self.signed = on and bool(self._sig_entries)
        self.sig_entries = self._sig_entries if self.signed else []
        self.base_blobs = self._all_blobs if self.signed else self._nosig_blobs
        self.good_index = jdump({'schemaVersion': 2, 'manifests': [self.good_desc] + self.sig_entries})
        self.evil_index = jdump({'schemaVersion': 2, 'manifests': [self.evil_desc] + self.sig_entries})

    def put(self, data):
        data = data if isinstance(data, bytes) else jdump(data)
        self.blobs[sha(data)] = data
        return {'digest': 'sha256:' + sha(data), 'size': len(data)}

    def sign(self, key, digest):
        payload = jdump({'critical': {'identity': {'docker-reference': NAME.rsplit(':', 1)[0]},
                                      'image': {'docker-manifest-digest': digest},
                                      'type': 'cosign container image signature'}, 'optional': None})
        sig = base64.b64encode(run('openssl', 'dgst', '-sha256', '-sign', key, data=payload)).decode()
        pl = self.put(payload)
        cfg = self.put({'architecture': '', 'config': {}, 'created': '0001-01-01T00:00:00Z',
                        'history': [{'created': '0001-01-01T00:00:00Z'}], 'os': '',
                        'rootfs': {'type': 'layers', 'diff_ids': [pl['digest']]}})
        sm = self.put({'schemaVersion': 2, 'mediaType': MT_MANIFEST,
                       'config': dict(mediaType=MT_CONFIG, **cfg),
                       'layers': [dict(mediaType='application/vnd.dev.cosign.simplesigning.v1+json',
                                       annotations={'dev.cosignproject.cosign/signature': sig}, **pl)]})
        self.sig_entries = [dict(mediaType=MT_MANIFEST, annotations={REF: 'sha256-%s.sig' % digest[7:]}, **sm)]

    # an image from the evil one's layer and config, with edits
    def variant(self, edit_manifest=None, layer=None, layer_mt=None, config=None):
        m = json.loads(jdump(self.evil_m))
        if config is not None:
            m['config'].update(self.put(config))
        if layer is not None:
            m['layers'][0].update(self.put(layer))
        if layer_mt:
            m['layers'][0]['mediaType'] = layer_mt
        if edit_manifest:
            edit_manifest(m)
        d = self.put(m)
        return dict(mediaType=MT_MANIFEST, **d)

    def blob_members(self, index):
        """the base blobs, in their fixed order, then those of variants the
        index names (and the blobs their manifests name)"""
        hexes = list(self.base_blobs)
        text = [index]
        while text:
            t = text.pop().decode('latin-1')
            for h in self.blobs:
                if h not in hexes and h in t:
                    hexes.append(h)
                    text.append(self.blobs[h])
        return [member('blobs/sha256/' + h, self.blobs[h]) for h in hexes]

    def oci(self, index=None, extra=()):
        """an oci-archive: oci-layout, index.json and the blobs"""
        index = self.good_index if index is None else index
        ms = [member('blobs/', typeflag=b'5'), member('blobs/sha256/', typeflag=b'5')]
        ms += self.blob_members(index + b''.join(m['data'] for m in extra))
        ms.append(member('oci-layout', self.layout))
        ms.append(member('index.json', index))
        return ms + list(extra)


# ------------------------------------------------------------------ the corpus
class Corpus:
    def __init__(self, out):
        self.out, self.rows, self.n = out, [], 0
        self.suffix, self.docker_only = '', True

    def add(self, cls, desc, data, transports='oci-archive', image=NAME):
        if transports == 'docker-archive' and not self.docker_only:
            return  # the same in both passes
        desc += self.suffix
        self.n += 1
        f = '%03d-%s.tar' % (self.n, cls)
        with open(os.path.join(self.out, f), 'wb') as fh:
            fh.write(data)
        self.rows.append((f, cls, transports, image, desc.replace('\t', ' ').replace('\n', ' ')))

    def save(self):
        with open(os.path.join(self.out, 'corpus.tsv'), 'w') as fh:
            fh.write('# file\tclass\ttransports\timage\tdescription\n')
            for r in self.rows:
                fh.write('\t'.join(r) + '\n')


def replace(ms, name, new):
    """ms with the member named name replaced by new (a list of members)"""
    out = []
    for m in ms:
        out += new if m['name'] == name else [m]
    return out


def gen(B, C, seed):
    C.add('baseline', 'oci-archive as skopeo wrote it', archive(B.oci_good), 'oci-archive')
    C.add('baseline', 'docker-archive as skopeo wrote it', archive(B.dk_good), 'docker-archive')
    # every class signed (for `verify --key`), then unsigned (for `images`)
    for signed in (True, False):
        B.set_signed(signed)
        if signed != B.signed:
            continue  # no key: one pass
        C.suffix = '' if signed else ' [unsigned]'
        classes(B, C)
        C.suffix, C.docker_only = '', False
    B.set_signed(True)
    C.docker_only = True
    random_class(B, C, seed)


def classes(B, C):
    EV, GI = B.evil_index, B.good_index
    gh = B.good_desc['digest'][7:]
    C.add('baseline', 'our writer: the good image plus evil blobs, unreferenced', archive(B.oci()))
    C.add('baseline', 'our writer: evil index (the evil image named %s)' % NAME, archive(B.oci(EV)))

    # (a) a GNU long name and a PAX path that differ: Go takes the GNU name
    for order in ('pax-first', 'gnu-first'):
        for gnu, pax, raw, data, what in (
                ('index.json', 'ignored.json', 'ignored.json', EV, 'evil index under L=index.json, pax path elsewhere'),
                ('ignored.json', 'index.json', 'index.json', EV, 'evil index under pax path=index.json, L elsewhere'),
                ('index.json', 'index.json.bak', 'index.json.bak', EV, 'L=index.json, pax and raw name .bak'),
                ('index.json', 'zz', 'index.json', EV, 'L and raw name index.json, pax path zz'),
                ('oci-layout', 'x', 'x', b'{"imageLayoutVersion":"9.9.9"}', 'bad oci-layout under L'),
                ('blobs/sha256/' + gh, 'blobs/sha256/junk', 'junk', b'{}', 'the good manifest replaced under L')):
            for dup_first in (True, False):
                ev = member(raw, data, pax={'path': pax}, gnu_long=gnu, order=order)
                ms = B.oci()
                ms = [ev] + ms if dup_first else ms + [ev]
                C.add('gnu_pax', '%s (%s, %s)' % (what, order, 'before' if dup_first else 'after'), archive(ms))
        # the only index.json only under a GNU name, the pax path benign
        ms = replace(B.oci(), 'index.json', [member('other.json', EV, pax={'path': 'other.json'}, gnu_long='index.json', order=order),
                                             member('x.json', GI, pax={'path': 'index.json'}, gnu_long='x.json', order=order)])
        C.add('gnu_pax', 'evil index as L=index.json, good one as pax path=index.json (%s)' % order, archive(ms))

    # (b) GNU magic with bytes at the ustar prefix offset 345
    for prefix, what in ((b'0', 'octal digit: Go parses it as atime, no prefix'),
                         (b'00000000000', 'atime field all octal'),
                         (b'12345670123\x0000000000000', 'atime and ctime octal'),
                         (b'zz', 'not octal: Go falls back to a prefix (Format unknown)'),
                         (b'blobs', 'not octal prefix blobs'),
                         (b'\x00zz', 'NUL first: no atime, no prefix')):
        for target, data in (('index.json', EV), ('oci-layout', b'{"imageLayoutVersion":"2.0.0"}'),
                             ('manifest.json', B.dk_evil_manifest)):
            for pos in ('after', 'only'):
                ev = member(target, data, fmt='gnu', prefix=prefix)
                if pos == 'after':
                    ms = B.oci() + [ev]
                else:
                    ms = replace(B.oci(), target, [ev]) if target != 'manifest.json' else B.oci() + [ev]
                C.add('gnu_prefix', 'GNU header %s with prefix %r (%s), %s' % (target, prefix, what, pos), archive(ms))
    # and the reverse: the name a prefix-reader sees is index.json, Go sees another
    for pre, nm in ((b'0', 'index.json'), (b'zz', '../index.json'), (b'0', '../index.json')):
        ms = B.oci() + [member(nm, EV, fmt='gnu', prefix=pre)]
        C.add('gnu_prefix', 'GNU header name %r prefix %r after the good index' % (nm, pre), archive(ms))

    # (c) non-standard magic (Go: V7, no prefix) with prefix bytes set
    for magic, what in (((b'ustar\0', b'  '), 'ustar magic, version two spaces'),
                        ((b'ustar\0', b'01'), 'ustar magic, version 01'),
                        ((b'ustaR\0', b'00'), 'ustaR'),
                        ((b'\0' * 6, b'\0\0'), 'V7 (all zero)'),
                        ((b'ustar ', b'00'), 'GNU magic with ustar version'),
                        ((b'ustar\0', b' \0'), 'ustar magic with GNU version')):
        for name, prefix, data in (('index.json', b'zz', EV), ('json', b'index', EV), ('index.json', b'x/..', EV)):
            ev = member(name, data, magic=magic, prefix=prefix)
            C.add('v7_prefix', '%s: name %r prefix %r after the good index' % (what, name, prefix),
                  archive(B.oci() + [ev]))
        ms = replace(B.oci(), 'index.json', [member('index.json', EV, magic=magic, prefix=b'zz')])
        C.add('v7_prefix', '%s: the only index.json (evil) has prefix zz' % what, archive(ms))

    # (d) names equal after path.Clean
    for alias in ('index.json/.', 'x/../index.json', './index.json', 'index.json/', './/index.json', 'a/b/../../index.json'):
        for evil_first in (False, True):
            ev = member(alias, EV)
            ms = B.oci()
            ms = [ev] + ms if evil_first else ms + [ev]
            C.add('clean_alias', 'evil index as %r %s the good one' % (alias, 'before' if evil_first else 'after'), archive(ms))
    for alias in ('./oci-layout', 'oci-layout/.'):
        C.add('clean_alias', 'bad layout as %r after the good one' % alias,
              archive(B.oci() + [member(alias, b'{"imageLayoutVersion":"0.1"}')]))
    for alias in ('blobs//sha256/' + gh, './blobs/sha256/' + gh, 'blobs/sha256/./' + gh, 'blobs/x/../sha256/' + gh):
        C.add('clean_alias', 'junk as %r after the good manifest' % alias, archive(B.oci() + [member(alias, b'{"junk":1}')]))
        C.add('clean_alias', 'good manifest only as %r' % alias,
              archive(replace(B.oci(), 'blobs/sha256/' + gh, [member(alias, B.blobs[gh])])))
    C.add('clean_alias', './a and a: index.json only as ./index.json', archive(replace(B.oci(), 'index.json', [member('./index.json', GI)])))

    # (e) duplicate members of one name
    for name, good, bad in (('index.json', GI, EV), ('oci-layout', B.layout, b'{"imageLayoutVersion":"7.0.0"}'),
                            ('blobs/sha256/' + gh, B.blobs[gh], b'{"schemaVersion":2}')):
        for order, pair in (('benign first, evil last', (good, bad)), ('evil first, benign last', (bad, good))):
            ms = replace(B.oci(), name, [member(name, pair[0]), member(name, pair[1])])
            C.add('duplicate', '%s twice: %s' % (name, order), archive(ms))
    for order, pair in (('benign first, evil last', (B.dk_good_manifest, B.dk_evil_manifest)),
                        ('evil first, benign last', (B.dk_evil_manifest, B.dk_good_manifest))):
        base = B.dk_good + [m for m in B.dk_evil if m['name'] not in ('manifest.json', 'repositories')]
        ms = replace(base, 'manifest.json', [member('manifest.json', pair[0]), member('manifest.json', pair[1])])
        C.add('duplicate', 'docker-archive manifest.json twice: %s' % order, archive(ms), 'docker-archive')
    C.add('duplicate', 'index.json three times: good, evil, good', archive(replace(B.oci(), 'index.json', [
        member('index.json', GI), member('index.json', EV), member('index.json', GI)])))
    C.add('duplicate', 'a directory and a file both named index.json', archive(replace(B.oci(), 'index.json', [
        member('index.json', GI), member('index.json/', typeflag=b'5')])))
    C.add('duplicate', 'index.json as a symlink to an evil file after the good one', archive(B.oci() + [
        member('evil.json', EV), member('index.json', typeflag=b'2', linkname='evil.json')]))
    C.add('duplicate', 'index.json as a hard link to an evil file after the good one', archive(B.oci() + [
        member('evil.json', EV), member('index.json', typeflag=b'1', linkname='evil.json')]))

    # (f) docker-archive manifest.json: odd paths, another image than index.json, RepoTags
    gm, em = json.loads(B.dk_good_manifest), json.loads(B.dk_evil_manifest)
    dk_all = B.dk_good + [m for m in B.dk_evil if m['name'] not in ('manifest.json', 'repositories')]
    for what, edit in (('Config ./<id>.json', lambda m: m[0].update(Config='./' + m[0]['Config'])),
                       ('Config x/../<id>.json', lambda m: m[0].update(Config='x/../' + m[0]['Config'])),
                       ('Layers ./<diffid>.tar', lambda m: m[0].update(Layers=['./' + l for l in m[0]['Layers']])),
                       ('Config of the evil image', lambda m: m[0].update(Config=em[0]['Config'])),
                       ('Layers of the evil image', lambda m: m[0].update(Layers=em[0]['Layers'])),
                       ('RepoTags other', lambda m: m[0].update(RepoTags=['localhost/other:1'])),
                       ('two entries, evil second with the same tag', lambda m: m.append(em[0])),
                       ('two entries, evil first with the same tag', lambda m: m.insert(0, em[0])),
                       ('Config absolute /<id>.json', lambda m: m[0].update(Config='/' + m[0]['Config']))):
        m = json.loads(jdump(gm))
        edit(m)
        C.add('docker_manifest', 'legacy docker-archive, manifest.json %s' % what,
              archive(replace(dk_all, 'manifest.json', [member('manifest.json', jdump(m))])), 'docker-archive')
    # Engine 25+ form: an OCI layout plus manifest.json
    gl, el = B.good_m, B.evil_m

    def d25(mfst, index=None):
        return archive(B.oci(index) + [member('manifest.json', jdump(mfst))])
    good25 = [{'Config': 'blobs/sha256/' + gl['config']['digest'][7:], 'RepoTags': [NAME],
               'Layers': ['blobs/sha256/' + l['digest'][7:] for l in gl['layers']]}]
    evil25 = [{'Config': 'blobs/sha256/' + el['config']['digest'][7:], 'RepoTags': [NAME],
               'Layers': ['blobs/sha256/' + l['digest'][7:] for l in el['layers']]}]
    C.add('docker_manifest', 'Engine 25 form, consistent', d25(good25), 'oci-archive,docker-archive')
    C.add('docker_manifest', 'Engine 25 form, manifest.json names the evil image', d25(evil25), 'oci-archive,docker-archive')
    C.add('docker_manifest', 'Engine 25 form, index names evil, manifest.json good', d25(good25, EV), 'oci-archive,docker-archive')
    for what, edit in (('Config ./blobs/...', lambda m: m[0].update(Config='./' + m[0]['Config'])),
                       ('Config blobs//sha256/...', lambda m: m[0].update(Config=m[0]['Config'].replace('blobs/', 'blobs//'))),
                       ('Layers blobs/sha256/../sha256/...', lambda m: m[0].update(Layers=[l.replace('sha256/', 'sha256/../sha256/') for l in m[0]['Layers']])),
                       ('Config not under blobs', lambda m: m[0].update(Config='config.json')),
                       ('RepoTags localhost/app:2', lambda m: m[0].update(RepoTags=['localhost/app:2'])),
                       ('RepoTags empty', lambda m: m[0].update(RepoTags=[])),
                       ('second entry evil, same tag', lambda m: m.append(evil25[0]))):
        m = json.loads(jdump(good25))
        edit(m)
        extra = [member('config.json', B.blobs[el['config']['digest'][7:]])] if 'not under' in what else []
        C.add('docker_manifest', 'Engine 25 form, manifest.json %s' % what,
              archive(B.oci() + extra + [member('manifest.json', jdump(m))]), 'oci-archive,docker-archive')

    # (g) index entries named by io.containerd.image.name
    def idx(*entries):
        return jdump({'schemaVersion': 2, 'manifests': list(entries) + B.sig_entries})
    gd, ed = B.good_desc, dict(B.evil_desc)
    ed.pop('annotations', None)
    for what, index in (
            ('evil entry named only by io.containerd.image.name=' + NAME, idx(gd, dict(ed, annotations={CTRD_NAME: NAME}))),
            ('evil entry first, named only by io.containerd.image.name', idx(dict(ed, annotations={CTRD_NAME: NAME}), gd)),
            ('evil entry io.containerd.image.name=localhost/app:2 only', idx(gd, dict(ed, annotations={CTRD_NAME: 'localhost/app:2'}))),
            ('one entry: containerd name ' + NAME + ', ref.name localhost/app:2 (evil)',
             idx(gd, dict(ed, annotations={CTRD_NAME: NAME, REF: 'localhost/app:2'}))),
            ('one entry: containerd name localhost/app:2, ref.name ' + NAME + ' (evil)',
             idx(gd, dict(ed, annotations={CTRD_NAME: 'localhost/app:2', REF: NAME}))),
            ('good entry gets containerd name of another image', idx(dict(gd, annotations={REF: NAME, CTRD_NAME: 'localhost/app:2'}),
                                                                     dict(ed, annotations={REF: 'localhost/app:2'}))),
            ('evil entry ref.name short tag 1', idx(gd, dict(ed, annotations={REF: '1'}))),
            ('evil entry with no names at all', idx(gd, ed)),
            ('evil entry ref.name localhost:5000/app:1 (another registry)', idx(gd, dict(ed, annotations={REF: 'localhost:5000/app:1'}))),
            ('both entries named ' + NAME, idx(gd, dict(ed, annotations={REF: NAME})))):
        C.add('ctr_name', what, archive(B.oci(index)))

    # (h) config media types and artifactType, unsigned
    for mt in ('application/vnd.x.config.v1+json', MT_CONFIG + '; charset=utf-8', 'application/octet-stream+json', '',
               'application/vnd.oci.empty.v1+json', 'application/vnd.docker.container.image.v1+json', MT_CONFIG.upper()):
        v = B.variant(edit_manifest=lambda m, mt=mt: m['config'].update(mediaType=mt))
        C.add('config_mediatype', 'evil image named localhost/app:2 with config mediaType %r' % mt,
              archive(B.oci(idx(gd, dict(v, annotations={REF: 'localhost/app:2'})))))
        C.add('config_mediatype', 'evil image also named %s, after the good one, config mediaType %r' % (NAME, mt),
              archive(B.oci(idx(gd, dict(v, annotations={REF: NAME})))))
        C.add('config_mediatype', 'only image (unsigned) with config mediaType %r' % mt,
              archive(B.oci(idx(dict(v, annotations={REF: NAME})))))
    for at in ('application/vnd.x.artifact', 'application/vnd.oci.image.config.v1+json'):
        v = B.variant(edit_manifest=lambda m, at=at: m.update(artifactType=at))
        C.add('config_mediatype', 'unsigned image with artifactType %r' % at, archive(B.oci(idx(dict(v, annotations={REF: NAME})))))
        C.add('config_mediatype', 'index entry artifactType %r on the good image' % at,
              archive(B.oci(idx(dict(gd, artifactType=at)))))
    v = B.variant(edit_manifest=lambda m: m.pop('mediaType', None))
    C.add('config_mediatype', 'unsigned image whose manifest has no mediaType', archive(B.oci(idx(dict(v, annotations={REF: NAME})))))

    # (i) layer compression against its media type
    el0 = B.blobs[B.evil_m['layers'][0]['digest'][7:]]
    raw = gzip.decompress(el0)
    zst = run('zstd', '-q', '-c', '--no-check', data=raw)
    for what, blob, mt in (('gzip bytes, media type plain tar', el0, MT_TAR),
                           ('plain tar bytes, media type gzip', raw, MT_GZ),
                           ('zstd bytes, media type gzip', zst, MT_GZ),
                           ('gzip bytes, media type zstd', el0, MT_ZSTD),
                           ('zstd bytes, media type plain tar', zst, MT_TAR),
                           ('zstd bytes, media type zstd (consistent)', zst, MT_ZSTD),
                           ('plain tar, media type tar (consistent)', raw, MT_TAR),
                           ('gzip twice, media type gzip', gzip.compress(el0, mtime=0), MT_GZ),
                           ('docker gzip media type on an OCI manifest', el0, 'application/vnd.docker.image.rootfs.diff.tar.gzip')):
        v = B.variant(layer=blob, layer_mt=mt)
        C.add('layer_compression', 'unsigned image %s: %s' % (NAME, what), archive(B.oci(idx(dict(v, annotations={REF: NAME})))))

    # (j) one zero block followed by more headers
    Z = b'\0' * 512
    C.add('zero_block', 'one zero block, then an evil index.json', archive(B.oci() + [Z, member('index.json', EV)]))
    C.add('zero_block', 'one zero block, then the good index (only one)',
          archive(replace(B.oci(), 'index.json', []) + [Z, member('index.json', GI)]))
    C.add('zero_block', 'evil index, one zero block, then the good index',
          archive(replace(B.oci(), 'index.json', [member('index.json', EV)]) + [Z, member('index.json', GI)]))
    C.add('zero_block', 'two zero blocks, then an evil index.json (Go stops at the end)',
          archive(B.oci() + [Z, Z, member('index.json', EV)]))
    C.add('zero_block', 'good index after the end marker, evil one before it',
          archive(replace(B.oci(), 'index.json', [member('index.json', EV)]) + [Z, Z, member('index.json', GI)]))
    C.add('zero_block', 'zero block between blobs', archive(B.oci()[:3] + [Z] + B.oci()[3:]))
    C.add('zero_block', 'a zero block as the first block', archive([Z] + B.oci()))
    C.add('zero_block', 'three zero blocks then junk', archive(B.oci() + [Z, Z, Z, b'junk' + b'\0' * 508]))
    C.add('zero_block', 'one zero block, then evil manifest.json (docker-archive)',
          archive(B.dk_good + [Z, member('manifest.json', B.dk_evil_manifest)] +
                  [m for m in B.dk_evil if m['name'] not in ('manifest.json', 'repositories')]), 'docker-archive')

    # (k) signed checksums (Go accepts the signed sum too)
    def hi(h):  # bytes >= 0x80 outside the name
        h[265:269] = b'\xff\xfe\x80\x81'
    for what, ms in (('evil index.json after the good one, signed sum', B.oci() + [member('index.json', EV, chk='signed', edit=hi)]),
                     ('the only index.json (good), signed sum', replace(B.oci(), 'index.json', [member('index.json', GI, chk='signed', edit=hi)])),
                     ('the only index.json (evil), signed sum', replace(B.oci(), 'index.json', [member('index.json', EV, chk='signed', edit=hi)])),
                     ('evil index.json after the good one, unsigned sum with high bytes', B.oci() + [member('index.json', EV, edit=hi)]),
                     ('evil index.json after, bad sum', B.oci() + [member('index.json', EV, chk='bad')]),
                     ('evil index.json name with a high byte, signed sum', B.oci() + [member('index.json\x80', EV, chk='signed')]),
                     ('good blob header with signed sum', replace(B.oci(), 'blobs/sha256/' + gh,
                                                                  [member('blobs/sha256/' + gh, B.blobs[gh], chk='signed', edit=hi)])),
                     ('evil oci-layout after, signed sum', B.oci() + [member('oci-layout', b'{"imageLayoutVersion":"3"}', chk='signed', edit=hi)]),
                     ('evil GNU-prefix index.json, signed sum', B.oci() + [member('index.json', EV, fmt='gnu', prefix=b'0', chk='signed', edit=hi)]),
                     ('dir entry with signed sum', replace(B.oci(), 'blobs/', [member('blobs/', typeflag=b'5', chk='signed', edit=hi)]))):
        C.add('signed_checksum', what, archive(ms))

    # combinations
    C.add('combo', 'GNU prefix evil index + duplicate good index after',
          archive(B.oci() + [member('index.json', EV, fmt='gnu', prefix=b'0'), member('index.json', GI)]))
    C.add('combo', 'pax/L evil index + clean alias good index',
          archive(replace(B.oci(), 'index.json', [member('./index.json', GI), member('z', EV, pax={'path': 'zz'}, gnu_long='index.json')])))
    C.add('combo', 'evil containerd-named entry in a duplicate index.json',
          archive(B.oci() + [member('index.json', idx(gd, dict(ed, annotations={CTRD_NAME: NAME})))]))
    C.add('combo', 'V7 magic evil index with signed sum after a zero block',
          archive(B.oci() + [Z, member('index.json', EV, fmt='v7', chk='signed', edit=hi)]))
    C.add('combo', 'mislabelled layer in an index given twice',
          archive(B.oci() + [member('index.json', idx(dict(B.variant(layer=zst, layer_mt=MT_GZ), annotations={REF: NAME})))]))
    C.add('combo', 'docker manifest.json via GNU prefix after the legacy one',
          archive(dk_all + [member('manifest.json', B.dk_evil_manifest, fmt='gnu', prefix=b'0')]), 'docker-archive')
    C.add('combo', 'docker manifest.json as ./manifest.json after the legacy one',
          archive(dk_all + [member('./manifest.json', B.dk_evil_manifest)]), 'docker-archive')
    C.add('combo', 'docker manifest.json under L after the legacy one',
          archive(dk_all + [member('x', B.dk_evil_manifest, pax={'path': 'x'}, gnu_long='manifest.json')]), 'docker-archive')


def random_class(B, C, seed):
    """seeded random header mutations of the oci-archive (signed and not)
    and of the docker-archive"""
    rnd = random.Random(seed)
    gh = B.good_desc['digest'][7:]
    dk_all = B.dk_good + [m for m in B.dk_evil if m['name'] not in ('manifest.json', 'repositories')]
    fields = {'name': (0, 100), 'prefix': (345, 500), 'magic': (257, 265), 'typeflag': (156, 157),
              'size': (124, 136), 'checksum': (148, 156)}
    for i in range(110):
        dk = i % 5 == 4
        B.set_signed(i % 2 == 0)
        EV = B.evil_index
        ms = list(dk_all if dk else B.oci(EV if i % 3 == 0 else None, extra=[member('index.json', EV)] if i % 7 == 0 else []))
        k = rnd.randrange(len(ms))
        fld = rnd.choice(sorted(fields))
        a, b = fields[fld]
        fix = rnd.random() < 0.8  # recompute the checksum afterwards
        choices = {
            'name': [b'index.json', b'./index.json', b'index.json/.', b'manifest.json', b'oci-layout', b'../x', b'/index.json',
                     b'blobs/sha256/' + gh.encode(), b'a\0index.json', b'index.json\0junk'],
            'prefix': [b'0', b'zz', b'blobs/sha256', b'.', b'..', b'/', b'x/..', b'0000000'],
            'magic': [b'ustar\x0000', b'ustar  \x00', b'\0' * 8, b'ustar\x00  ', b'USTAR\x0000', b'ustar \x0000'],
            'typeflag': [b'0', b'\0', b'7', b'5', b'2', b'1', b'x', b'g', b'L', b'K', b'S', b'V', b'A', b'D'],
            'size': [b'00000000000\0', b'77777777777\0', b'\x80' + b'\0' * 10 + b'\x10', b'000000001000', b'0000000002 \0',
                     b' 0000000017\0', b'-1\0' + b'\0' * 9, b'00000000001\0'],
            'checksum': [b'000000\0 ', b'\0' * 8, b'       0', b'0000000\0'],
        }
        val = rnd.choice(choices[fld])
        if fld != 'checksum' and rnd.random() < 0.3:
            val = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, b - a + 1)))
        m = dict(ms[k])

        def edit(h, a=a, b=b, val=val, prev=m.get('edit')):
            if prev:
                prev(h)
            h[a:b] = (val + b'\0' * (b - a))[:b - a]
        m['edit'] = edit
        if fld == 'checksum' or not fix:
            m['chk'] = 'keep'
            if fld != 'checksum':
                m['chk'] = 'bad'
        if fld == 'name':
            m['name'] = val.decode('latin-1').split('\0')[0] if fld == 'name' else m['name']
        ms[k] = m
        C.add('random', 'seed %d #%d: member %d (%s) field %s := %r%s' % (
            seed, i, k, ms[k]['name'][:40] if isinstance(ms[k]['name'], str) else '?', fld, val[:24],
            '' if fix else ', checksum left stale') + ('' if dk or B.signed else ' [unsigned]'),
            archive(ms), 'docker-archive' if dk else 'oci-archive')
    B.set_signed(True)


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    out, key, seed = args[0], None, 12
    if '--key' in args:
        key = args[args.index('--key') + 1]
    if '--seed' in args:
        seed = int(args[args.index('--seed') + 1])
    os.makedirs(out, exist_ok=True)
    B = Base(os.path.join(out, '.base'), key)
    C = Corpus(out)
    gen(B, C, seed)
    C.save()
    print('mkcorpus: %d archives in %s' % (C.n, out))


main()
