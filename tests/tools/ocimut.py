#!/usr/bin/env python3
"""ocimut: inspect and tamper with an OCI image layout made by a real producer
(umoci, skopeo), for edgeaudit's tamper tests.  Rewrites keep every reference
consistent up to index.json unless the edit itself breaks one.

  ocimut.py LAYOUT info                       -> JSON {manifest, config, layers[], index_entry}
  ocimut.py LAYOUT manifest-edit 'PY'         # PY edits dict m; manifest re-hashed, index updated
  ocimut.py LAYOUT config-edit 'PY'           # PY edits dict c; config, manifest, index updated
  ocimut.py LAYOUT index-edit 'PY'            # PY edits dict idx (index.json) in place
  ocimut.py LAYOUT layer-replace I FILE [MT]  # FILE becomes layer I (digest, size, mediaType)
Operates on the image of index.json manifests[0].
"""
import hashlib, json, os, sys

def blob_path(lay, dg):
    alg, hexd = dg.split(':', 1)
    return os.path.join(lay, 'blobs', alg, hexd)

def put_blob(lay, data):
    dg = 'sha256:' + hashlib.sha256(data).hexdigest()
    p = blob_path(lay, dg)
    with open(p, 'wb') as f:
        f.write(data)
    return dg, len(data)

def load(lay):
    idx = json.load(open(os.path.join(lay, 'index.json')))
    md = idx['manifests'][0]
    m = json.load(open(blob_path(lay, md['digest'])))
    return idx, md, m

def save_manifest(lay, idx, md, m):
    dg, n = put_blob(lay, json.dumps(m, separators=(',', ':')).encode())
    md['digest'], md['size'] = dg, n
    json.dump(idx, open(os.path.join(lay, 'index.json'), 'w'))

def main():
    lay, cmd = sys.argv[1], sys.argv[2]
    idx, md, m = load(lay)
    if cmd == 'info':
        print(json.dumps({'manifest': md['digest'], 'config': m['config']['digest'],
                          'layers': [l['digest'] for l in m['layers']],
                          'layer_media_types': [l['mediaType'] for l in m['layers']]}))
    elif cmd == 'manifest-edit':
        exec(sys.argv[3], {'m': m, 'json': json})
        save_manifest(lay, idx, md, m)
    elif cmd == 'config-edit':
        c = json.load(open(blob_path(lay, m['config']['digest'])))
        exec(sys.argv[3], {'c': c, 'json': json})
        dg, n = put_blob(lay, json.dumps(c, separators=(',', ':')).encode())
        m['config']['digest'], m['config']['size'] = dg, n
        save_manifest(lay, idx, md, m)
    elif cmd == 'index-edit':
        exec(sys.argv[3], {'idx': idx, 'json': json})
        json.dump(idx, open(os.path.join(lay, 'index.json'), 'w'))
    elif cmd == 'layer-replace':
        i, f = int(sys.argv[3]), sys.argv[4]
        dg, n = put_blob(lay, open(f, 'rb').read())
        m['layers'][i]['digest'], m['layers'][i]['size'] = dg, n
        if len(sys.argv) > 5:
            m['layers'][i]['mediaType'] = sys.argv[5]
        save_manifest(lay, idx, md, m)
    else:
        sys.exit('unknown command ' + cmd)

main()
