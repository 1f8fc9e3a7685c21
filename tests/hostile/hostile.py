#!/usr/bin/env python3
"""hostile.py: the byte-level edits tests/hostile/gen.sh makes to stores that
real tools (umoci, skopeo, dockerd, containerd) wrote.  Every path it writes
is given by gen.sh, which checked it is inside its own output folder; the
blob paths made here are <layout>/blobs/sha256/<hex we computed>.

  hostile.py info LAYOUT TAG                 JSON {manifest, config, layers[]} of the image tagged TAG
  hostile.py manifest LAYOUT TAG 'PY'        PY sets `out` (bytes) from `raw` (bytes) / `m` (dict):
                                             the new manifest blob; index.json entry re-pointed
  hostile.py config LAYOUT TAG 'PY'          the same for the config (manifest and index updated)
  hostile.py index LAYOUT 'PY'               PY sets `out` from `raw` / `idx`: the new index.json
  hostile.py layer LAYOUT TAG I FILE [MT]    FILE becomes layer I (digest, size, media type)
  hostile.py oci-tar LAYOUT OUT.tar 'PY'     the layout as an oci-archive (ustar, regular members),
                                             then PY may append raw blocks: `add(hdr(...), data)`
  hostile.py tar-edit IN.tar OUT.tar 'PY'    rewrite members: PY sees `members` [(TarInfo, data)]
  hostile.py bbolt DB CMD ARGS               page surgery on a bbolt file (see bb_* below)
  hostile.py nest-index LAYOUT TAG DEPTH FAN  TAG's entry becomes DEPTH index blobs, each naming
                                             the one below FAN times (the last names the image)
  hostile.py deep N                          JSON nested N deep on stdout
"""
import hashlib
import io
import json
import os
import struct
import sys
import tarfile


def blob_path(lay, dg):
    alg, hexd = dg.split(':', 1)
    assert alg in ('sha256', 'sha512') and all(c in '0123456789abcdef' for c in hexd), dg
    return os.path.join(lay, 'blobs', alg, hexd)


def put_blob(lay, data):
    dg = 'sha256:' + hashlib.sha256(data).hexdigest()
    with open(blob_path(lay, dg), 'wb') as f:
        f.write(data)
    return dg, len(data)


def find(lay, tag):
    idx = json.load(open(os.path.join(lay, 'index.json')))
    for i, d in enumerate(idx['manifests']):
        if (d.get('annotations') or {}).get('org.opencontainers.image.ref.name') == tag:
            return idx, i
    sys.exit('no tag ' + tag)


def save_index(lay, idx):
    with open(os.path.join(lay, 'index.json'), 'w') as f:
        json.dump(idx, f)


def run(code, env):
    exec(code, env)
    out = env.get('out')
    if isinstance(out, str):
        out = out.encode()
    assert isinstance(out, bytes), 'PY must set out'
    return out


# ---------------------------------------------------------------- tar
def num(v, n):
    """A tar numeric field: octal when it fits, else base-256 (negative allowed)."""
    if 0 <= v < 8 ** (n - 1):
        return ('%0*o' % (n - 1, v)).encode() + b'\0'
    b = bytearray((v % (1 << (8 * n))).to_bytes(n, 'big'))
    b[0] |= 0x80
    return bytes(b)


def hdr(name, size=0, typ=b'0', link=b'', mode=0o644, raw_size=None, uid=0, mtime=1700000000):
    h = bytearray(512)
    name = name.encode() if isinstance(name, str) else name
    h[0:len(name[:100])] = name[:100]
    h[100:108] = num(mode, 8)
    h[108:116] = num(uid, 8)
    h[116:124] = num(0, 8)
    h[124:136] = raw_size if raw_size is not None else num(size, 12)
    h[136:148] = num(mtime, 12)
    h[156:157] = typ
    link = link.encode() if isinstance(link, str) else link
    h[157:157 + len(link[:100])] = link[:100]
    h[257:263] = b'ustar\0'
    h[263:265] = b'00'
    h[148:156] = b' ' * 8
    s = sum(h)
    h[148:156] = ('%06o' % s).encode() + b'\0 '
    return bytes(h)


def pad(data):
    return data + bytes((512 - len(data) % 512) % 512)


def oci_tar(lay, out, code):
    """The layout as a tar; PY may name members to leave out (`skip`) and
    append raw hostile members after the real ones (`add(hdr(...), data)`)."""
    extra, skip = [], set()

    def add(h, payload=b''):
        extra.append(h + pad(payload))

    run(code + '\nout = b""', {'add': add, 'hdr': hdr, 'num': num, 'pad': pad, 'skip': skip})
    buf = io.BytesIO()
    t = tarfile.open(fileobj=buf, mode='w', format=tarfile.USTAR_FORMAT)
    for root, dirs, files in sorted(os.walk(lay)):
        dirs.sort()
        for fn in sorted(files):
            p = os.path.join(root, fn)
            rel = os.path.relpath(p, lay)
            if rel in skip or os.path.islink(p) or not os.path.isfile(p):
                continue
            ti = tarfile.TarInfo(rel)
            ti.size = os.path.getsize(p)
            ti.mtime = 1700000000
            with open(p, 'rb') as f:
                t.addfile(ti, f)
    data = buf.getvalue()[:t.offset]  # no end blocks yet: hostile members follow
    with open(out, 'wb') as f:
        f.write(data + b''.join(extra) + bytes(1024))


def tar_edit(src, out, code):
    t = tarfile.open(src)
    members = [(m, t.extractfile(m).read() if m.isfile() else None) for m in t.getmembers()]
    env = {'members': members, 'tarfile': tarfile, 'json': json, 'hashlib': hashlib}
    run(code + '\nout = b""', env)
    buf = io.BytesIO()
    o = tarfile.open(fileobj=buf, mode='w', format=tarfile.GNU_FORMAT)
    for m, d in env['members']:
        if d is not None:
            m.size = len(d)
        o.addfile(m, io.BytesIO(d) if d is not None else None)
    o.close()
    open(out, 'wb').write(buf.getvalue())


# ---------------------------------------------------------------- bbolt
def bb_open(path):
    f = bytearray(open(path, 'rb').read())
    ps = struct.unpack_from('<I', f, 16 + 8)[0]
    metas = [struct.unpack_from('<IIIIQQQQQQ', f, i * ps + 16) for i in (0, 1)]
    m = max(metas, key=lambda x: x[8])
    return f, ps, m


def bb_elems(f, ps, pg):
    _, flags, count, _ = struct.unpack_from('<QHHI', f, pg * ps)
    return flags, count


def bb_bucket_root(f, ps, root, names):
    """The page of the bucket at names (non-inline buckets only), and its parent's page."""
    page, parent = root, None
    for n in names:
        hit = None
        stack = [page]
        while stack and hit is None:
            pg = stack.pop()
            flags, count = bb_elems(f, ps, pg)
            for i in range(count):
                e = pg * ps + 16 + 16 * i
                if flags & 1:
                    pos, ks, child = struct.unpack_from('<IIQ', f, e)
                    stack.append(child)
                else:
                    fl, pos, ks, vs = struct.unpack_from('<IIII', f, e)
                    if bytes(f[e + pos:e + pos + ks]) == n.encode() and fl & 1:
                        hit = (struct.unpack_from('<Q', f, e + pos + ks)[0], pg, e + pos + ks)
        if hit is None or hit[0] == 0:
            sys.exit('bucket %s not found or inline' % n)
        parent, page = page, hit[0]
    return page, parent


def bbolt(path, cmd, args):
    f, ps, m = bb_open(path)
    root = m[4]
    if cmd == 'ancestor-cycle':
        # A branch page of bucket ARGS whose last child is the bucket's parent page.
        page, parent = bb_bucket_root(f, ps, root, args)
        flags, count = bb_elems(f, ps, page)
        assert flags & 1, 'bucket root is not a branch page'
        struct.pack_into('<Q', f, page * ps + 16 + 16 * (count - 1) + 8, parent)
    elif cmd == 'bucket-cycle':
        # The nested bucket ARGS[-1] is rooted at the page that holds it.
        page, parent = bb_bucket_root(f, ps, root, args[:-1])
        sub, holder = bb_bucket_root(f, ps, root, args)
        # rewrite the bucket header's root pgid inside holder's leaf element
        flags, count = bb_elems(f, ps, holder)
        for i in range(count):
            e = holder * ps + 16 + 16 * i
            fl, pos, ks, vs = struct.unpack_from('<IIII', f, e)
            if bytes(f[e + pos:e + pos + ks]) == args[-1].encode():
                struct.pack_into('<Q', f, e + pos + ks, holder)
    elif cmd == 'overflow':
        # The root bucket page claims a huge overflow run.
        struct.pack_into('<I', f, root * ps + 12, 0x7fffffff)
    elif cmd == 'count':
        # The root bucket page claims 65535 elements (past its end).
        struct.pack_into('<H', f, root * ps + 10, 0xffff)
    elif cmd == 'hwm':
        # Both metas claim 2^40 pages in use (checksums kept valid).
        for i in (0, 1):
            off = i * ps + 16
            struct.pack_into('<Q', f, off + 40, 1 << 40)
            h = 0xCBF29CE484222325
            for c in f[off:off + 56]:
                h = ((h ^ c) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
            struct.pack_into('<Q', f, off + 56, h)
    else:
        sys.exit('unknown bbolt command ' + cmd)
    open(path, 'wb').write(f)


def main():
    cmd, a = sys.argv[1], sys.argv[2:]
    if cmd == 'info':
        idx, i = find(a[0], a[1])
        md = idx['manifests'][i]
        m = json.load(open(blob_path(a[0], md['digest'])))
        print(json.dumps({'manifest': md['digest'], 'config': m['config']['digest'],
                          'layers': [l['digest'] for l in m['layers']]}))
    elif cmd == 'manifest':
        lay, tag, code = a
        idx, i = find(lay, tag)
        md = idx['manifests'][i]
        raw = open(blob_path(lay, md['digest']), 'rb').read()
        out = run(code, {'raw': raw, 'm': json.loads(raw), 'json': json})
        md['digest'], md['size'] = put_blob(lay, out)
        save_index(lay, idx)
    elif cmd == 'config':
        lay, tag, code = a
        idx, i = find(lay, tag)
        md = idx['manifests'][i]
        m = json.load(open(blob_path(lay, md['digest'])))
        raw = open(blob_path(lay, m['config']['digest']), 'rb').read()
        out = run(code, {'raw': raw, 'c': json.loads(raw), 'json': json})
        m['config']['digest'], m['config']['size'] = put_blob(lay, out)
        md['digest'], md['size'] = put_blob(lay, json.dumps(m, separators=(',', ':')).encode())
        save_index(lay, idx)
    elif cmd == 'index':
        lay, code = a
        raw = open(os.path.join(lay, 'index.json'), 'rb').read()
        out = run(code, {'raw': raw, 'idx': json.loads(raw), 'json': json})
        open(os.path.join(lay, 'index.json'), 'wb').write(out)
    elif cmd == 'layer':
        lay, tag, i, fn = a[:4]
        idx, k = find(lay, tag)
        md = idx['manifests'][k]
        m = json.load(open(blob_path(lay, md['digest'])))
        l = m['layers'][int(i)]
        l['digest'], l['size'] = put_blob(lay, open(fn, 'rb').read())
        if len(a) > 4:
            l['mediaType'] = a[4]
        md['digest'], md['size'] = put_blob(lay, json.dumps(m, separators=(',', ':')).encode())
        save_index(lay, idx)
    elif cmd == 'oci-tar':
        oci_tar(*a)
    elif cmd == 'tar-edit':
        tar_edit(*a)
    elif cmd == 'bbolt':
        bbolt(a[0], a[1], a[2:])
    elif cmd == 'nest-index':
        lay, tag, depth, fan = a[0], a[1], int(a[2]), int(a[3])
        idx, i = find(lay, tag)
        d = dict(idx['manifests'][i])
        ann = d.pop('annotations', None)
        for _ in range(depth):
            raw = json.dumps({'schemaVersion': 2, 'mediaType': 'application/vnd.oci.image.index.v1+json',
                              'manifests': [d] * fan}).encode()
            dg, size = put_blob(lay, raw)
            d = {'mediaType': 'application/vnd.oci.image.index.v1+json', 'digest': dg, 'size': size}
        d['annotations'] = ann
        idx['manifests'][i] = d
        save_index(lay, idx)
    elif cmd == 'deep':
        n = int(a[0])
        sys.stdout.write('[' * n + ']' * n)
    else:
        sys.exit('unknown command ' + cmd)


if __name__ == '__main__':
    main()
