#!/usr/bin/env bash
# Benchmark (issue 4): reassembling and verifying an extracted layer from its
# tar-split record, edgeaudit against `tar-split asm | sha256sum` on the same
# files, plus peak RSS.  Not a test: no thresholds.
#   bash tests/bench/bench_tarsplit.sh [SIZE_MIB]
# (64 is the small-file case: the 2,004 files are most of it; 512 the large.)
# EA_BASE=/path/to/an/older/edgeaudit: that binary is timed too, in the same run.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
EA=$TOP/${EDGEAUDIT_OUT:-out}/x86_64/edgeaudit
MIB=${1:-512}
T=$(mktemp -d "${TMPDIR:-/tmp}/edgeaudit-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"

# A layer folder: many small files and a few large ones, MIB MiB in all.
L=$T/layer
mkdir -p "$L/usr/lib" "$L/etc" "$L/opt"
for i in $(seq 1 2000); do head -c $((RANDOM % 8192 + 1)) /dev/urandom >"$L/usr/lib/f$i"; done
big=$(( (MIB << 20) - $(du -sb "$L" | cut -f1) ))
for i in 1 2 3 4; do head -c $((big / 4)) /dev/urandom >"$L/opt/big$i"; done
tar --numeric-owner -cf "$T/layer.tar" -C "$L" .
tar-split disasm --output "$T/ts.json.gz" - <"$T/layer.tar" >/dev/null 2>&1
DIFF=$(sha256sum "$T/layer.tar" | cut -d' ' -f1)
rm "$T/layer.tar"

# The Docker store layout around it (one image, one vfs layer).
R=$T/docker
CACHE=$(printf 'bench' | sha256sum | cut -d' ' -f1)
mkdir -p "$R/image/vfs/imagedb/content/sha256" "$R/image/vfs/layerdb/sha256/$DIFF" "$R/vfs/dir"
mv "$L" "$R/vfs/dir/$CACHE"
cfg='{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:'$DIFF'"]}}'
ID=$(printf '%s' "$cfg" | sha256sum | cut -d' ' -f1)
printf '%s' "$cfg" >"$R/image/vfs/imagedb/content/sha256/$ID"
printf 'sha256:%s' "$DIFF" >"$R/image/vfs/layerdb/sha256/$DIFF/diff"
printf '%s' "$CACHE" >"$R/image/vfs/layerdb/sha256/$DIFF/cache-id"
cp "$T/ts.json.gz" "$R/image/vfs/layerdb/sha256/$DIFF/tar-split.json.gz"
echo '{"Repositories":{}}' >"$R/image/vfs/repositories.json"

"$EA" images --store "docker:$R" | $PY -c "import json,sys; r=json.load(sys.stdin); assert r['verdict']=='pass', r['findings'][:3]"
cat $(find "$R/vfs" -type f) >/dev/null   # page cache warm for both
a=$(t_ms "$EA" images --store "docker:$R")
b=$(t_ms sh -c "tar-split asm --input '$T/ts.json.gz' --path '$R/vfs/dir/$CACHE' --output - | sha256sum")
rss=$( { /usr/bin/time -f '%M' "$EA" images --store "docker:$R" >/dev/null; } 2>&1 | tail -n1)
rss_ref=$( { /usr/bin/time -f '%M' sh -c "tar-split asm --input '$T/ts.json.gz' --path '$R/vfs/dir/$CACHE' --output - | sha256sum >/dev/null"; } 2>&1 | tail -n1)
echo "layer of ${MIB} MiB, 2004 files: edgeaudit ${a} ms (sha256 + CRC-64 per file + header checks), tar-split asm | sha256sum ${b} ms: $($PY -c "print(f'{$b/$a:.2f}x')") faster"
echo "peak RSS: edgeaudit ${rss} KiB, tar-split asm ${rss_ref} KiB"
if [ -n "${EA_BASE:-}" ]; then
	c=$(t_ms "$EA_BASE" images --store "docker:$R")
	echo "EA_BASE: ${c} ms: $($PY -c "print(f'{$b/$c:.2f}x')") tar-split's speed"
fi
