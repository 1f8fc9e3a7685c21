#!/usr/bin/env bash
# Issue 15: ISA-L's inflate gives the same answers as zlib on every input.
# Builds gzip streams with real producers (gzip at several levels, busybox
# gzip, Python's zlib with each deflate strategy and stored blocks, headers
# with FEXTRA/FNAME/FCOMMENT/FHCRC, umoci's layers, the shared OCI layouts)
# and runs the unit test inflate_diff_isal_zlib over them: both engines on
# each file in several chunkings and limits, plus cuts, flipped bytes,
# trailing data and second members (tests/unit/test_inflate_diff.c).  The
# x86_64 build runs the whole corpus; the aarch64 build (ISA-L's aarch64
# assembly) runs the small part under qemu.  The hostile corpus is compared
# in test_hostile.sh, which builds it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

small="$T/small" big="$T/big" bombs="$T/bombs"
mkdir -p "$small" "$big" "$bombs"
# Text, a binary, random bytes, an empty file: gzip -1 / -6 / -9, busybox.
head -c 200000 /usr/share/common-licenses/GPL-3 >"$T/text" 2>/dev/null || man -P cat ls >"$T/text" 2>/dev/null || printf 'text\n%.0s' $(seq 1 5000) >"$T/text"
head -c 300000 /bin/busybox >"$T/bin"
head -c 100000 /dev/urandom >"$T/random"
: >"$T/empty"
for f in text bin random empty; do
	for l in 1 6 9; do gzip -c -$l "$T/$f" >"$small/$f.$l.gz"; done
	gzip -c -n "$T/$f" >"$small/$f.n.gz"
	busybox gzip -c "$T/$f" >"$small/$f.busybox.gz"
done
# Python's zlib (the system library): each strategy, stored blocks, and the
# optional header fields zlib writes on request (gzip and busybox write none
# of FEXTRA, FCOMMENT, FHCRC).
python3 - "$small" "$T/text" "$T/bin" <<'EOF'
import struct, sys, zlib
out, text, binf = sys.argv[1], open(sys.argv[2], 'rb').read(), open(sys.argv[3], 'rb').read()
for name, data in (('text', text), ('bin', binf)):
    for sname, s in (('huffman', zlib.Z_HUFFMAN_ONLY), ('rle', zlib.Z_RLE), ('fixed', zlib.Z_FIXED),
                     ('filtered', zlib.Z_FILTERED)):
        c = zlib.compressobj(6, zlib.DEFLATED, 31, 8, s)
        open('%s/%s.%s.gz' % (out, name, sname), 'wb').write(c.compress(data) + c.flush())
    c = zlib.compressobj(0, zlib.DEFLATED, 31)
    open('%s/%s.stored.gz' % (out, name), 'wb').write(c.compress(data) + c.flush())
    # Many small blocks: a full flush every 1000 bytes.
    c = zlib.compressobj(6, zlib.DEFLATED, 31)
    b = b''.join(c.compress(data[i:i + 1000]) + c.flush(zlib.Z_FULL_FLUSH) for i in range(0, len(data), 1000))
    open('%s/%s.flushed.gz' % (out, name), 'wb').write(b + c.flush())
# A header with every optional field (RFC 1952), the body from raw deflate.
body = zlib.compressobj(6, zlib.DEFLATED, -15)
raw = body.compress(text[:50000]) + body.flush()
extra = b'AB' + struct.pack('<H', 4) + b'data'
hdr = b'\x1f\x8b\x08' + bytes([0x04 | 0x08 | 0x10 | 0x02]) + struct.pack('<I', 1700000000) + b'\x00\x03'
hdr += struct.pack('<H', len(extra)) + extra + b'name.txt\x00' + b'a comment\x00'
hdr += struct.pack('<H', zlib.crc32(hdr) & 0xffff)
trailer = struct.pack('<II', zlib.crc32(text[:50000]), 50000)
open('%s/allfields.gz' % out, 'wb').write(hdr + raw + trailer)
EOF
# Real layers: umoci's (gzip), and the shared OCI layouts when present.
base_layout
cp "$T"/base/blobs/sha256/* "$big/" 2>/dev/null
sd=${EDGEAUDIT_SHARED_TESTDATA:-$TOP/../shared/testdata}
# A tar of real files at each level (the decoder's long matches and windows).
tar -C /usr/share -cf "$T/share.tar" doc 2>/dev/null
head -c $((24 << 20)) "$T/share.tar" >"$T/share24.tar"
for l in 1 6 9; do gzip -c -$l "$T/share24.tar" >"$big/share24.$l.gz"; done
# Bombs: zeros, past the ratio limit (over 64 MiB out at 1000:1) and the size limits.
head -c $((96 << 20)) /dev/zero | gzip -9 >"$bombs/zeros96m.gz"
dirs="$small:$big:$bombs"
[ -d "$sd/oci-layouts" ] && dirs="$dirs:$sd/oci-layouts"

run_diff() { # NAME RUNNER... : the unit test over $EDGEAUDIT_INFLATE_DIFF
	local name=$1 out rc; shift
	out=$("$@" inflate_diff_isal_zlib 2>&1); rc=$?
	if [ $rc -eq 0 ] && grep -q '^ok 1 - inflate_diff_isal_zlib$' <<<"$out" && grep -q ' 0 differences' <<<"$out"; then
		ok "$name: $(grep -o '[0-9]* files, [0-9]* cases' <<<"$out"), no difference"
	else
		not_ok "$name" "$(tail -n 40 <<<"$out")"
	fi
}
EDGEAUDIT_INFLATE_DIFF=$dirs run_diff "x86_64: ISA-L and zlib give the same answers" "$OUTDIR/x86_64/unit_tests"
[ -d "$sd/oci-layouts" ] || skip "shared OCI layouts in the differential" "$sd/oci-layouts absent"
if ! command -v qemu-aarch64-static >/dev/null; then
	skip "aarch64: ISA-L and zlib give the same answers" "qemu-aarch64-static not installed"
elif [ ! -x "$OUTDIR/aarch64/unit_tests" ]; then
	skip "aarch64: ISA-L and zlib give the same answers" "no $OUTDIR/aarch64/unit_tests (./build.sh --target all)"
else
	EDGEAUDIT_INFLATE_DIFF=$small run_diff "aarch64 (qemu): ISA-L and zlib give the same answers" qemu-aarch64-static "$OUTDIR/aarch64/unit_tests"
fi
# armv7 has no ISA-L: the test says so rather than pass silently.
if command -v qemu-arm-static >/dev/null && [ -x "$OUTDIR/armv7/unit_tests" ]; then
	out=$(qemu-arm-static "$OUTDIR/armv7/unit_tests" inflate_diff_isal_zlib 2>&1)
	grep -q '# SKIP' <<<"$out" && ok "armv7: zlib only, the differential test skips (ISA-L not built)" || not_ok "armv7 skips the differential" "$out"
fi
