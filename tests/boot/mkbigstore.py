#!/usr/bin/env python3
"""mkbigstore.py DIR LAYERS MIB: an OCI image layout with one image of LAYERS
uncompressed tar layers of MIB MiB each, for the budget and signal tests.

Each layer is a valid tar (one member of zeros) written sparse, so the store
costs almost no disk while edgeaudit still reads and hashes every byte.  The
digests are computed here, independently of edgeaudit."""
import hashlib, json, os, sys, tarfile

ZEROS = bytes(1 << 20)

def put_blob(root, data):
    dg = hashlib.sha256(data).hexdigest()
    with open(os.path.join(root, "blobs", "sha256", dg), "wb") as f:
        f.write(data)
    return "sha256:" + dg, len(data)

def put_sparse_layer(root, hdr, size):
    """A tar of hdr + size zero bytes + the end blocks; the zeros are a hole
    in the file, hashed here from memory (reading holes back is slower)."""
    total = len(hdr) + size + 1024
    h = hashlib.sha256(hdr)
    left = size + 1024
    while left:
        n = min(left, len(ZEROS))
        h.update(ZEROS[:n] if n < len(ZEROS) else ZEROS)
        left -= n
    dg = h.hexdigest()
    with open(os.path.join(root, "blobs", "sha256", dg), "wb") as f:
        f.write(hdr)
        f.truncate(total)
    return "sha256:" + dg, total

def main():
    root, n, mib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(root, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    layers, diffs = [], []
    for i in range(n):
        ti = tarfile.TarInfo("data/part%04d.bin" % i)
        ti.size = mib << 20
        dg, size = put_sparse_layer(root, ti.tobuf(format=tarfile.USTAR_FORMAT), ti.size)
        layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": dg, "size": size})
        diffs.append(dg)
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "rootfs": {"type": "layers", "diff_ids": diffs}}).encode()
    cdg, csize = put_blob(root, config)
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                      "digest": cdg, "size": csize},
                           "layers": layers}).encode()
    mdg, msize = put_blob(root, manifest)
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
             "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": mdg,
                            "size": msize, "annotations": {"org.opencontainers.image.ref.name": "big"}}]}
    with open(os.path.join(root, "index.json"), "w") as f:
        json.dump(index, f)

main()
