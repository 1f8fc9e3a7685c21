#!/usr/bin/env python3
"""Fixtures for the deadline tests and bench (issue 12), made fast:

  mkdeadline.py oci LAYOUT random|sparse SIZE [gzip]
      an OCI layout, one image "big" of one layer: a tar holding one file of
      SIZE bytes, random, or zeros written as a sparse file (a 1 GiB layer
      costs no disk and about a second to hash here); gzip: the layer
      compressed (random content only).  Prints the layer digest.
  mkdeadline.py legacy ARCHIVE N
      a legacy `docker save` archive whose manifest.json lists N layer
      members that are not in the archive (the config names N diff_ids).
"""
import gzip, hashlib, io, json, os, sys, tarfile


def tar_header(name, size):
    h = bytearray(512)
    def put(off, v): h[off:off + len(v)] = v
    put(0, name.encode()); put(100, b"0000644\0"); put(108, b"0000000\0"); put(116, b"0000000\0")
    put(124, b"%011o\0" % size); put(136, b"%011o\0" % 0); put(156, b"0"); put(257, b"ustar\0"); put(263, b"00")
    h[148:156] = b" " * 8
    put(148, b"%06o\0 " % sum(h))
    return bytes(h)


def oci(lay, mode, size, comp=None):
    bdir = os.path.join(lay, "blobs", "sha256")
    os.makedirs(bdir, exist_ok=True)

    def put(data):
        d = hashlib.sha256(data).hexdigest()
        with open(os.path.join(bdir, d), "wb") as f:
            f.write(data)
        return "sha256:" + d, len(data)

    hdr = tar_header("big.bin", size)
    total = 512 + (size + 511) // 512 * 512 + 1024
    tmp = os.path.join(lay, "layer.tmp")
    h = hashlib.sha256(hdr)
    if comp == "gzip":
        assert mode == "random"
        body = os.urandom(size)
        tar = hdr + body + bytes(total - 512 - size)
        h = hashlib.sha256(tar)
        blob = gzip.compress(tar, compresslevel=1, mtime=0)
        ld, lsize = put(blob)
        mt = "application/vnd.oci.image.layer.v1.tar+gzip"
    else:
        with open(tmp, "wb") as f:
            f.write(hdr)
            if mode == "random":
                left = size
                while left:
                    b = os.urandom(min(left, 1 << 20))
                    f.write(b); h.update(b); left -= len(b)
            else:
                z = bytes(1 << 20); left = size
                while left:
                    k = min(left, 1 << 20); h.update(z[:k]); left -= k
            f.truncate(total)  # the rest: zeros, sparse
        h.update(bytes(total - 512 - size))
        ld, lsize = "sha256:" + h.hexdigest(), total
        os.rename(tmp, os.path.join(bdir, ld[7:]))
        mt = "application/vnd.oci.image.layer.v1.tar"
    diff = "sha256:" + h.hexdigest()
    cd, cs = put(json.dumps({"architecture": "amd64", "os": "linux",
                             "rootfs": {"type": "layers", "diff_ids": [diff]}}).encode())
    md, ms = put(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                             "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
                             "layers": [{"mediaType": mt, "digest": ld, "size": lsize}]}).encode())
    with open(os.path.join(lay, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                   "digest": md, "size": ms, "annotations": {"org.opencontainers.image.ref.name": "big"}}]}, f)
    with open(os.path.join(lay, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    print(ld)


def legacy(out, n):
    layers = ["%064x/layer.tar" % (k + 1) for k in range(n)]
    cfg = json.dumps({"architecture": "amd64", "os": "linux",
                      "rootfs": {"type": "layers", "diff_ids": ["sha256:%064x" % (k + 1) for k in range(n)]}}).encode()
    cid = hashlib.sha256(cfg).hexdigest()
    man = json.dumps([{"Config": cid + ".json", "RepoTags": ["many:1"], "Layers": layers}]).encode()
    with tarfile.open(out, "w", format=tarfile.GNU_FORMAT) as t:
        for name, data in ((cid + ".json", cfg), ("manifest.json", man)):
            ti = tarfile.TarInfo(name); ti.size = len(data); ti.mtime = 0
            t.addfile(ti, io.BytesIO(data))


if __name__ == "__main__":
    if sys.argv[1] == "oci":
        oci(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5] if len(sys.argv) > 5 else None)
    elif sys.argv[1] == "legacy":
        legacy(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__)
