#!/usr/bin/env bash
# Benchmark (issue 15): one big layer made of this machine's /usr, verified
# by `edgeaudit images` (blob digest + diffID) against the decompressors
# alone and against openssl + gzip, side by side in one run; plus peak RSS.
# Not a test: no thresholds; run by hand:
#   bash tests/bench/bench_usr_layer.sh [SIZE_MIB]      (default 2400)
# The tar (the files of /usr up to SIZE_MIB MiB), its gzip -6 and zstd -3
# are made in a temporary folder and deleted at the end (about 3.2 GB for
# 2400 MiB); BENCH_USR_DIR=DIR reuses (and keeps) usr.tar, usr.tar.gz and
# usr.tar.zst from an earlier run.  EA_BASE=/path/to/an/older/edgeaudit is
# timed too (before/after in one run).  Wall-clock medians of 3 runs.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
EA=$TOP/${EDGEAUDIT_OUT:-out}/x86_64/edgeaudit
MIB=${1:-2400}
T=$(mktemp -d "${TMPDIR:-/tmp}/edgeaudit-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"
ratio() { $PY -c "print(f'{$1/$2:.2f}x')"; }
# mk_layout (bench_images.sh's): an OCI layout of one image with the given layers.
eval "$(sed -n '/^mk_layout() {/,/^}/p' "$(dirname "$0")/bench_images.sh")"
for t in openssl gzip zstd igzip; do
	command -v $t >/dev/null || { echo "needs $t (igzip: Debian package isal)" >&2; exit 2; }
done
[ -x "$EA" ] || { echo "build first: $EA is missing" >&2; exit 2; }

D=${BENCH_USR_DIR:-$T}
if [ ! -s "$D/usr.tar.zst" ]; then
	# A whole tar (a cut one is rightly a finding): the files of /usr, in
	# find's order, up to SIZE_MIB MiB of content.
	(cd / && find usr -xdev -type f -readable -printf '%s %p\n' 2>/dev/null |
		awk -v max=$((MIB << 20)) '{ t += $1; if (t > max) exit; sub(/^[0-9]+ /, ""); print }') >"$D/files" || true
	tar --numeric-owner --no-recursion -cf "$D/usr.tar" -C / -T "$D/files" 2>/dev/null || true
	gzip -6 -c "$D/usr.tar" >"$D/usr.tar.gz"
	zstd -q -3 -T0 -c "$D/usr.tar" >"$D/usr.tar.zst"
fi
size=$(( $(stat -c %s "$D/usr.tar") >> 20 ))
DIFF=$(sha256sum "$D/usr.tar" | cut -d' ' -f1)
mk_layout "$T/gz" "$D/usr.tar.gz:application/vnd.oci.image.layer.v1.tar+gzip:$DIFF"
mk_layout "$T/zst" "$D/usr.tar.zst:application/vnd.oci.image.layer.v1.tar+zstd:$DIFF"
cat "$D/usr.tar.gz" "$D/usr.tar.zst" >/dev/null # page cache warm for all
echo "# a tar of /usr, ${size} MiB: gzip -6 $(( $(stat -c %s "$D/usr.tar.gz") >> 20 )) MiB, zstd -3 $(( $(stat -c %s "$D/usr.tar.zst") >> 20 )) MiB; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$EA" images --store "oci:$T/gz" | $PY -c "import json,sys; r=json.load(sys.stdin); assert r['verdict']=='pass', r['findings'][:3]"
"$EA" images --store "oci:$T/zst" | $PY -c "import json,sys; r=json.load(sys.stdin); assert r['verdict']=='pass', r['findings'][:3]"

ea=$(t_ms "$EA" images --store "oci:$T/gz")
ig=$(t_ms sh -c "igzip -dc '$D/usr.tar.gz' >/dev/null")
ref=$(t_ms sh -c "openssl dgst -sha256 '$D/usr.tar.gz' >/dev/null; gzip -dc '$D/usr.tar.gz' | openssl dgst -sha256")
echo "gzip layer: edgeaudit ${ea} ms (blob digest + diffID), igzip -dc alone ${ig} ms: $(ratio "$ea" "$ig") of igzip's time (target <= 1.25x)"
echo "gzip layer: openssl dgst F; gzip -dc F | openssl dgst ${ref} ms: edgeaudit $(ratio "$ref" "$ea") faster (target >= 3x)"
if [ -n "${EA_BASE:-}" ]; then
	eb=$(t_ms "$EA_BASE" images --store "oci:$T/gz")
	echo "gzip layer: EA_BASE ${eb} ms: $(ratio "$eb" "$ig") of igzip's time, $(ratio "$ref" "$eb") faster than openssl + gzip"
fi
ea1=$(t_ms "$EA" images --jobs 1 --store "oci:$T/gz")
echo "gzip layer, --jobs 1 (no helper thread): ${ea1} ms: $(ratio "$ea1" "$ig") of igzip's time"

zs=$(t_ms "$EA" images --store "oci:$T/zst")
zd=$(t_ms sh -c "zstd -q -dc '$D/usr.tar.zst' >/dev/null")
echo "zstd layer: edgeaudit ${zs} ms, zstd -dc alone ${zd} ms: $(ratio "$zs" "$zd") of zstd's time (target <= 1.25x)"
[ -n "${EA_BASE:-}" ] && eb=$(t_ms "$EA_BASE" images --store "oci:$T/zst") && echo "zstd layer: EA_BASE ${eb} ms: $(ratio "$eb" "$zd") of zstd's time"

for s in gz zst; do
	rss=$( { /usr/bin/time -f '%M' "$EA" images --store "oci:$T/$s" >/dev/null; } 2>&1 | tail -n1)
	echo "peak RSS verifying the $s layer: ${rss} KiB (limit 16384)"
done
