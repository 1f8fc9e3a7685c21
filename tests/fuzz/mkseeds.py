#!/usr/bin/env python3
"""Seed-corpus helpers for tests/fuzz/seeds.sh (no third-party modules).

  mkseeds.py oci LAYOUT OUT [OPT...]   an OCI layout -> fuzz_oci's document form
  mkseeds.py jws LAYOUT... OUTDIR      JWS envelopes (application/jose+json blobs)
  mkseeds.py certs FILE... OUTDIR      DER certificates out of sigstore bundles
  mkseeds.py bbolt OUTDIR              small bbolt files in containerd's schema

fuzz_oci's form (see fuzz_oci.c): documents separated by "\\n--8<--\\n",
doc 0 index.json, then the blobs; inside a document "@dN" is the sha256
digest of doc N and "@sN" its size.  Blobs are numbered parents first
(topological order), so every reference points to a later document.
"""
import hashlib
import json
import os
import struct
import sys

SEP = b"\n--8<--\n"
MAX_BLOB = 96 * 1024  # bigger blobs stay out (named by their literal digest)


def blob_path(lay, d):
    alg, hx = d.split(":", 1)
    return os.path.join(lay, "blobs", alg, hx)


def descriptors(doc):
    """Descriptor dicts of an index / manifest, in document order."""
    out = []
    if isinstance(doc, dict):
        for key in ("manifests", "layers"):
            for d in doc.get(key) or []:
                if isinstance(d, dict) and isinstance(d.get("digest"), str):
                    out.append(d)
        for key in ("config", "subject"):
            d = doc.get(key)
            if isinstance(d, dict) and isinstance(d.get("digest"), str):
                out.append(d)
    return out


def oci(lay, out, opts):
    index = json.load(open(os.path.join(lay, "index.json")))
    docs, order, seen = {}, [], set()

    def visit(d):  # DFS, post-order: children first
        dg = d["digest"]
        if dg in seen:
            return
        seen.add(dg)
        p = blob_path(lay, dg)
        if not os.path.isfile(p) or os.path.getsize(p) > MAX_BLOB:
            return
        raw = open(p, "rb").read()
        docs[dg] = raw
        try:
            j = json.loads(raw)
        except Exception:
            j = None
        for c in descriptors(j):
            visit(c)
        order.append(dg)

    for d in descriptors(index):
        visit(d)
    order.reverse()  # parents before children
    if len(order) > 15:
        order = order[:15]
    num = {dg: i + 1 for i, dg in enumerate(order)}

    def rewrite(raw, self_n):
        try:
            j = json.loads(raw)
        except Exception:
            return raw
        if not isinstance(j, dict):
            return raw
        sizes = {}
        for d in descriptors(j):
            n = num.get(d["digest"])
            if n and n > self_n:
                d["digest"] = "@d%x" % n
                if isinstance(d.get("size"), int):
                    d["size"] = "@@SIZE%x@@" % n
                    sizes[n] = True
        s = json.dumps(j, separators=(",", ":")).encode()
        for n in sizes:
            s = s.replace(b'"@@SIZE%x@@"' % n, b"@s%x" % n)
        return s

    parts = [rewrite(open(os.path.join(lay, "index.json"), "rb").read(), 0)]
    for i, dg in enumerate(order):
        parts.append(rewrite(docs[dg], i + 1))
    body = SEP.join(parts)
    for o in opts or ["0"]:
        with open("%s.%s" % (out, o), "wb") as f:
            f.write(bytes([int(o)]) + body)


def jws(args):
    outdir = args[-1]
    n = 0
    for lay in args[:-1]:
        for root, _, files in os.walk(lay):
            for fn in files:
                p = os.path.join(root, fn)
                try:
                    raw = open(p, "rb").read()
                    j = json.loads(raw)
                except Exception:
                    continue
                if isinstance(j, dict) and "protected" in j and "signature" in j:
                    n += 1
                    for o in (0, 1):
                        open(os.path.join(outdir, "jws-%d.%d" % (n, o)), "wb").write(bytes([o]) + raw)


def certs(args):
    import base64
    outdir = args[-1]
    n = 0

    def walk(v):
        nonlocal n
        if isinstance(v, dict):
            for k, x in v.items():
                if k == "rawBytes" and isinstance(x, str):
                    try:
                        der = base64.b64decode(x)
                    except Exception:
                        continue
                    if der[:1] == b"\x30" and len(der) > 300:
                        n += 1
                        open(os.path.join(outdir, "der-%d" % n), "wb").write(b"\x00" + der)
                else:
                    walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    for p in args[:-1]:
        try:
            walk(json.load(open(p)))
        except Exception:
            pass


# ---------------------------------------------------------------- bbolt
def fnv1a64(b):
    h = 0xCBF29CE484222325
    for c in b:
        h = ((h ^ c) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def leaf(items, pgid=0):
    """A leaf page (header + elements + data) for [(key, value, is_bucket)]."""
    items = sorted(items, key=lambda x: x[0])
    hdr = struct.pack("<QHHI", pgid, 0x02, len(items), 0)
    elems, data = b"", b""
    base = 16 * len(items)
    for i, (k, v, b) in enumerate(items):
        pos = base - 16 * i + len(data)
        elems += struct.pack("<IIII", 1 if b else 0, pos, len(k), len(v))
        data += k + v
    return hdr + elems + data


def inline_bucket(items):
    return struct.pack("<QQ", 0, 0) + leaf(items)


def bbolt_file(ps, root_page, extra_pages, npages):
    """Meta pages 0/1, freelist page 2, root leaf at page 3, then extra pages."""
    pages = [bytearray(ps) for _ in range(npages)]
    for i in (0, 1):
        m = struct.pack("<IIII", 0xED0CDAED, 2, ps, 0) + struct.pack("<QQQQQ", 3, 0, 2, npages, 10 + i)
        m += struct.pack("<Q", fnv1a64(m))
        pages[i][:16] = struct.pack("<QHHI", i, 0x04, 0, 0)
        pages[i][16:16 + len(m)] = m
    pages[2][:16] = struct.pack("<QHHI", 2, 0x10, 0, 0)
    for pg, raw in [(3, root_page)] + extra_pages:
        raw = bytearray(raw)
        raw[:8] = struct.pack("<Q", pg)
        need = (len(raw) + ps - 1) // ps
        if need > 1:
            raw[12:16] = struct.pack("<I", need - 1)
        blob = bytes(raw) + bytes(need * ps - len(raw))
        for k in range(need):
            pages[pg + k][:] = blob[k * ps:(k + 1) * ps]
    return b"".join(bytes(p) for p in pages)


def uvarint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def bbolt(outdir):
    dg = b"sha256:" + hashlib.sha256(b"manifest").hexdigest().encode()
    target = inline_bucket([(b"digest", dg, False), (b"mediatype", b"application/vnd.oci.image.manifest.v1+json", False),
                            (b"size", uvarint(1234 * 2), False)])
    image = inline_bucket([(b"target", target, True), (b"createdat", b"\x01\x0f" + bytes(13), False)])
    images = inline_bucket([(b"localhost/app:1", image, True)])
    ns = inline_bucket([(b"images", images, True)])
    v1 = inline_bucket([(b"default", ns, True)])
    for ps in (512, 4096):
        root = leaf([(b"v1", v1, True), (b"version", uvarint(3), False)])
        open(os.path.join(outdir, "inline-%d.db" % ps), "wb").write(bbolt_file(ps, root, [], 4 + (len(root) // ps) + 1))
    # A bucket on its own page, and a branch page over two leaves.
    ps = 1024
    l1 = leaf([(b"a%03d" % i, b"v" * 20, False) for i in range(8)])
    l2 = leaf([(b"b%03d" % i, b"w" * 20, False) for i in range(8)])
    br = struct.pack("<QHHI", 0, 0x01, 2, 0)
    keys = [b"a000", b"b000"]
    pos0 = 2 * 16
    br += struct.pack("<IIQ", pos0, 4, 5) + struct.pack("<IIQ", pos0 - 16 + 4, 4, 6) + keys[0] + keys[1]
    root = leaf([(b"big", struct.pack("<QQ", 4, 0), True), (b"v1", v1, True)])
    open(os.path.join(outdir, "branch-1024.db"), "wb").write(bbolt_file(ps, root, [(4, br), (5, l1), (6, l2)], 8))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "oci":
        oci(args[0], args[1], args[2:])
    elif cmd == "jws":
        jws(args)
    elif cmd == "certs":
        certs(args)
    elif cmd == "bbolt":
        bbolt(args[0])
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
