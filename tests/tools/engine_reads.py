#!/usr/bin/env python3
"""engine_reads: turn an OCI layout made by a real producer (umoci, skopeo)
into the archives and layouts issue 12 is about: ones the engines could read
otherwise than a naive verifier.  Raw tar headers are written here because
Python's tarfile will not write the conflicting ones.

  engine_reads.py tar LAYOUT OUT [EXTRA...]      the layout as a tar; EXTRA:
      dup:NAME=FILE        append a member NAME with FILE's bytes (after the layout)
      pre:NAME=FILE        put a member NAME with FILE's bytes first
      longpax:LONG=PAX=FILE  one member with GNU long name LONG and PAX path PAX
  engine_reads.py sign LAYOUT KEY.pem TAG        cosign simple-signing of the
      manifest index.json names TAG (openssl signs; `sha256-<hex>.sig` entry)
  engine_reads.py add-entry LAYOUT 'PY'          PY edits dict e (a copy of
      manifests[0]) and may set blob-backed fields with put(bytes) -> (dg, n);
      the entry is appended to index.json
  engine_reads.py docker25 LAYOUT OUT 'PY'       an Engine 25+ docker save:
      the layout plus manifest.json; PY edits list mj before it is written
"""
import hashlib, io, json, os, subprocess, sys, tarfile, base64

def blob_path(lay, dg):
    a, h = dg.split(':', 1)
    return os.path.join(lay, 'blobs', a, h)

def put(lay, data):
    dg = 'sha256:' + hashlib.sha256(data).hexdigest()
    with open(blob_path(lay, dg), 'wb') as f:
        f.write(data)
    return dg, len(data)

def jdump(o):
    return json.dumps(o, separators=(',', ':')).encode()

def header(name, typ, size, magic=b'ustar\x0000', link=b''):
    h = bytearray(512)
    h[0:len(name)] = name[:100]
    h[100:108] = b'0000644\x00'
    h[108:116] = b'0000000\x00'
    h[116:124] = b'0000000\x00'
    h[124:136] = b'%011o\x00' % size
    h[136:148] = b'00000000000\x00'
    h[156:157] = typ
    h[157:157 + len(link)] = link
    h[257:257 + len(magic)] = magic
    h[148:156] = b' ' * 8
    h[148:156] = b'%06o\x00 ' % sum(h)
    return bytes(h)

def member(name, data, typ=b'0'):
    pad = (512 - len(data) % 512) % 512
    return header(name, typ, len(data)) + data + b'\0' * pad

def pax(records):
    body = b''
    for k, v in records:
        rec = b' ' + k + b'=' + v + b'\n'
        n = len(rec) + 1
        while len(str(n)) + len(rec) != n:
            n = len(str(n)) + len(rec)
        body += str(n).encode() + rec
    return member(b'PaxHeaders/x', body, b'x')

def layout_members(lay):
    out = []
    for root, dirs, files in sorted(os.walk(lay)):
        dirs.sort()
        for f in sorted(files):
            p = os.path.join(root, f)
            rel = os.path.relpath(p, lay).encode()
            out.append(member(rel, open(p, 'rb').read()))
    return out

def cmd_tar(lay, out, extras):
    pre, post = [], []
    for x in extras:
        kind, rest = x.split(':', 1)
        if kind in ('dup', 'pre'):
            name, f = rest.split('=', 1)
            (post if kind == 'dup' else pre).append(member(name.encode(), open(f, 'rb').read()))
        elif kind == 'longpax':
            long, paxp, f = rest.split('=', 2)
            data = open(f, 'rb').read()
            lname = long.encode() + b'\0'
            post.append(pax([(b'path', paxp.encode())]) + header(b'././@LongLink', b'L', len(lname), b'ustar  \x00') +
                        lname + b'\0' * ((512 - len(lname) % 512) % 512) + member(b'short', data))
    with open(out, 'wb') as f:
        for m in pre + layout_members(lay) + post:
            f.write(m)
        f.write(b'\0' * 1024)

def index(lay):
    return json.load(open(os.path.join(lay, 'index.json')))

def save_index(lay, idx):
    with open(os.path.join(lay, 'index.json'), 'wb') as f:
        f.write(jdump(idx))

def cmd_sign(lay, key, tag):
    idx = index(lay)
    md = next(m for m in idx['manifests'] if m.get('annotations', {}).get('org.opencontainers.image.ref.name') == tag)
    payload = jdump({'critical': {'identity': {'docker-reference': tag}, 'image': {'docker-manifest-digest': md['digest']},
                                  'type': 'cosign container image signature'}, 'optional': None})
    sig = subprocess.run(['openssl', 'dgst', '-sha256', '-sign', key], input=payload, capture_output=True, check=True).stdout
    pd, pn = put(lay, payload)
    cfg = jdump({'architecture': '', 'config': {}, 'created': '0001-01-01T00:00:00Z', 'os': '',
                 'rootfs': {'type': 'layers', 'diff_ids': [pd]}})
    cd, cn = put(lay, cfg)
    man = jdump({'schemaVersion': 2, 'mediaType': 'application/vnd.oci.image.manifest.v1+json',
                 'config': {'mediaType': 'application/vnd.oci.image.config.v1+json', 'digest': cd, 'size': cn},
                 'layers': [{'mediaType': 'application/vnd.dev.cosign.simplesigning.v1+json', 'digest': pd, 'size': pn,
                             'annotations': {'dev.cosignproject.cosign/signature': base64.b64encode(sig).decode()}}]})
    md2, mn = put(lay, man)
    idx['manifests'].append({'mediaType': 'application/vnd.oci.image.manifest.v1+json', 'digest': md2, 'size': mn,
                             'annotations': {'org.opencontainers.image.ref.name': 'sha256-' + md['digest'][7:] + '.sig'}})
    save_index(lay, idx)

def cmd_add_entry(lay, code):
    idx = index(lay)
    e = json.loads(json.dumps(idx['manifests'][0]))
    m = json.load(open(blob_path(lay, e['digest'])))
    env = {'e': e, 'm': m, 'put': lambda b: put(lay, b), 'jdump': jdump, 'lay': lay, 'blob_path': blob_path, 'json': json}
    exec(code, env)
    idx['manifests'].append(env['e'])
    save_index(lay, idx)

def cmd_docker25(lay, out, code):
    idx = index(lay)
    mj = []
    for e in idx['manifests']:
        m = json.load(open(blob_path(lay, e['digest'])))
        tags = [e['annotations']['io.containerd.image.name']] if 'io.containerd.image.name' in e.get('annotations', {}) else []
        mj.append({'Config': 'blobs/sha256/' + m['config']['digest'][7:], 'RepoTags': tags,
                   'Layers': ['blobs/sha256/' + l['digest'][7:] for l in m['layers']]})
    env = {'mj': mj}
    exec(code, env)
    with open(os.path.join(lay, 'manifest.json'), 'wb') as f:
        f.write(jdump(env['mj']))
    cmd_tar(lay, out, [])

if __name__ == '__main__':
    a = sys.argv
    if a[1] == 'tar': cmd_tar(a[2], a[3], a[4:])
    elif a[1] == 'sign': cmd_sign(a[2], a[3], a[4])
    elif a[1] == 'add-entry': cmd_add_entry(a[2], a[3])
    elif a[1] == 'docker25': cmd_docker25(a[2], a[3], a[4])
    else: sys.exit(__doc__)
