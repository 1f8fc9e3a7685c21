#!/usr/bin/env bash
# Benchmark (issue 16 part 1): what is installed.  Side by side, median of 3
# warm runs, and peak RSS:
#   1. `sbom --root ROOT` against `dpkg-query --admindir=ROOT/var/lib/dpkg -W`
#      on the same Debian root (the readers alone);
#   2. `images` of an umoci layout of that root (the layer verified, its
#      dpkg status kept as the tar streams by) against
#      `gzip -dc LAYER | sha256sum` (the diffID alone, no inventory), so the
#      ratio is what a layer's verification costs with the tap in it.
# Not a test: no thresholds.
#   bash tests/bench/bench_pkg.sh [DEBIAN_ROOT]   (default: test_pkg.sh's cached debootstrap root)
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
EA=$TOP/${EDGEAUDIT_OUT:-out}/x86_64/edgeaudit
CACHE=${EDGEAUDIT_CACHE:-${HOME:-/root}/.cache/edgeaudit}
R=${1:-$CACHE/pkgroot/bookworm-minbase}
T=$(mktemp -d "${TMPDIR:-/tmp}/edgeaudit-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"
[ -f "$R/var/lib/dpkg/status" ] || { echo "no Debian root at $R (run tests/integration/test_pkg.sh once, or give one)" >&2; exit 2; }
for t in umoci dpkg-query; do command -v $t >/dev/null || { echo "$t is not installed" >&2; exit 2; }; done
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1; }
ratio() { $PY -c "print('%.2f' % ($1 / max($2, 1)))"; }

n=$(dpkg-query --admindir="$R/var/lib/dpkg" -W | wc -l)
a=$(t_ms "$EA" sbom --root "$R" -o "$T/s.json"); b=$(t_ms dpkg-query --admindir="$R/var/lib/dpkg" -W)
echo "sbom --root ($n packages): ${a} ms, peak RSS $(rss "$EA" sbom --root "$R" -o "$T/s.json") KiB;" \
	"dpkg-query -W: ${b} ms, $(rss dpkg-query --admindir="$R/var/lib/dpkg" -W) KiB; ratio $(ratio "$a" "$b")"

umoci init --layout "$T/L" >/dev/null && umoci new --image "$T/L:deb" >/dev/null
umoci unpack --image "$T/L:deb" "$T/b" >/dev/null && cp -a "$R/." "$T/b/rootfs/"
umoci repack --image "$T/L:deb" "$T/b" >/dev/null && rm -rf "$T/b"
layer=$($PY -c "import json,sys; m=json.load(open('$T/L/index.json'))['manifests'][0]['digest'].split(':')[1]; print(json.load(open('$T/L/blobs/sha256/'+m))['layers'][0]['digest'].split(':')[1])")
sz=$(stat -c %s "$T/L/blobs/sha256/$layer")
a=$(t_ms "$EA" images --jobs 1 --store "oci:$T/L"); b=$(t_ms sh -c "gzip -dc '$T/L/blobs/sha256/$layer' | sha256sum")
echo "images of the root as one gzip layer ($((sz / 1048576)) MiB): ${a} ms, peak RSS" \
	"$(rss "$EA" images --jobs 1 --store "oci:$T/L") KiB; gzip -dc | sha256sum: ${b} ms; ratio $(ratio "$a" "$b")"
