#!/usr/bin/env bash
# Benchmarks for image verification (issue 3).  Prints ratios against
# reference tools on the same files, peak RSS and binary sizes.  Not a test:
# no thresholds; run by hand (`bash tests/bench/bench_images.sh [SIZE_MIB]`).
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
OUTDIR=$TOP/${EDGEAUDIT_OUT:-out}
EA=$OUTDIR/x86_64/edgeaudit
MIB=${1:-1024}
T=$(mktemp -d "${TMPDIR:-/tmp}/edgeaudit-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"
ratio() { $PY -c "print(f'{$1/$2:.2f}x')"; }

# mk_layout DIR: an OCI layout whose one image has the layers given as
# "FILE:MEDIATYPE" arguments (the config's diff_ids computed from them).
mk_layout() {
	local dir=$1; shift
	$PY - "$dir" "$@" <<'PYEOF'
import gzip, hashlib, json, os, sys, zlib
d = sys.argv[1]; os.makedirs(d + '/blobs/sha256', exist_ok=True)
def put(data=None, path=None):
    h = hashlib.sha256()
    if path:
        with open(path, 'rb') as f:
            for c in iter(lambda: f.read(1 << 20), b''): h.update(c)
        dg = h.hexdigest(); os.link(path, f'{d}/blobs/sha256/{dg}'); return dg, os.path.getsize(path)
    dg = hashlib.sha256(data).hexdigest(); open(f'{d}/blobs/sha256/{dg}', 'wb').write(data); return dg, len(data)
layers, diff = [], []
for spec in sys.argv[2:]:
    path, mt, diffid = spec.split(':')
    dg, n = put(path=path)
    layers.append({'mediaType': mt, 'digest': 'sha256:' + dg, 'size': n}); diff.append('sha256:' + diffid)
cfg = json.dumps({'architecture': 'amd64', 'os': 'linux', 'rootfs': {'type': 'layers', 'diff_ids': diff}}).encode()
cd, cn = put(cfg)
man = json.dumps({'schemaVersion': 2, 'mediaType': 'application/vnd.oci.image.manifest.v1+json',
  'config': {'mediaType': 'application/vnd.oci.image.config.v1+json', 'digest': 'sha256:' + cd, 'size': cn},
  'layers': layers}).encode()
md, mn = put(man)
json.dump({'schemaVersion': 2, 'manifests': [{'mediaType': 'application/vnd.oci.image.manifest.v1+json',
  'digest': 'sha256:' + md, 'size': mn}]}, open(d + '/index.json', 'w'))
open(d + '/oci-layout', 'w').write('{"imageLayoutVersion":"1.0.0"}')
PYEOF
}
sha() { sha256sum "$1" | cut -d' ' -f1; }

echo "# edgeaudit image benchmarks ($(nproc) CPUs, $(grep -o -m1 'sha_ni' /proc/cpuinfo || echo 'no sha_ni'))"

# 1. Plain blob hashing: an uncompressed layer of MIB MiB.
# Layers are real tars (a layer that is not one is a finding of its own:
# its package databases cannot be followed).
mkdir -p "$T/d"
head -c $((MIB << 20)) /dev/urandom >"$T/d/data"
tar -cf "$T/big.tar" -C "$T/d" data && rm -f "$T/d/data"
mk_layout "$T/plain" "$T/big.tar:application/vnd.oci.image.layer.v1.tar:$(sha "$T/big.tar")"
cat "$T/big.tar" >/dev/null
a=$(t_ms "$EA" images --store "oci:$T/plain"); b=$(t_ms openssl dgst -sha256 "$T/big.tar")
echo "sha256 of a ${MIB} MiB blob: edgeaudit ${a} ms, openssl dgst -sha256 ${b} ms: edgeaudit at $(ratio "$b" "$a") of openssl's speed"
rss=$( { /usr/bin/time -f '%M' "$EA" images --store "oci:$T/plain" >/dev/null; } 2>&1 | tail -n1)
echo "peak RSS verifying the ${MIB} MiB layer: ${rss} KiB"
rm -rf "$T/plain"

# 2. gzip layer: diffID (inflate + sha256) plus the blob digest.
GMIB=$((MIB / 4))
head -c $((GMIB << 20)) /dev/urandom | base64 >"$T/d/text"
tar -cf "$T/text.tar" -C "$T/d" text && rm -f "$T/d/text"
gzip -6 -c "$T/text.tar" >"$T/text.tar.gz"
mk_layout "$T/gz" "$T/text.tar.gz:application/vnd.oci.image.layer.v1.tar+gzip:$(sha "$T/text.tar")"
a=$(t_ms "$EA" images --store "oci:$T/gz"); b=$(t_ms sh -c "gzip -dc '$T/text.tar.gz' | openssl dgst -sha256")
echo "gzip layer ($(( $(stat -c %s "$T/text.tar") >> 20 )) MiB inflated): edgeaudit ${a} ms (blob digest + diffID), gzip -dc | openssl dgst ${b} ms: $(ratio "$b" "$a")"
rss=$( { /usr/bin/time -f '%M' "$EA" images --store "oci:$T/gz" >/dev/null; } 2>&1 | tail -n1)
echo "peak RSS verifying the gzip layer: ${rss} KiB"
rm -rf "$T/gz" "$T/text.tar" "$T/text.tar.gz"

# 3. --jobs 2 against --jobs 1 on a store with many blobs.
specs=()
for i in $(seq 1 24); do
	head -c $((MIB / 64 + 1))M /dev/urandom | base64 >"$T/d/l$i"
	tar -cf "$T/l$i.tar" -C "$T/d" "l$i" && rm -f "$T/d/l$i"
	gzip -1 -c "$T/l$i.tar" >"$T/l$i.tar.gz"
	specs+=("$T/l$i.tar.gz:application/vnd.oci.image.layer.v1.tar+gzip:$(sha "$T/l$i.tar")")
	rm "$T/l$i.tar"
done
mk_layout "$T/many" "${specs[@]}"
a=$(t_ms "$EA" images --jobs 1 --store "oci:$T/many"); b=$(t_ms "$EA" images --jobs 2 --store "oci:$T/many")
echo "24 gzip layers: --jobs 1 ${a} ms, --jobs 2 ${b} ms: speed-up $(ratio "$a" "$b")"

# 4. Stripped binary sizes.
for t in x86_64 aarch64 armv7; do
	[ -f "$OUTDIR/$t/edgeaudit" ] && echo "binary $t: $(stat -c %s "$OUTDIR/$t/edgeaudit") bytes (stripped, static)"
done
