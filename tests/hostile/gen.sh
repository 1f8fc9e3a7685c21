#!/usr/bin/env bash
# tests/hostile/gen.sh OUTDIR: build the hostile-store corpus.
#
# Each store starts from real producers' output (umoci and skopeo layouts and
# archives, a store written by dockerd, a root written by containerd) and is
# then damaged the way an attacker with write access to the disk could.  Most
# hold two images: "bad", which carries the damage, and "good", which must
# still be verified (the rest of the store is still audited).
# OUTDIR/cases.tsv lists them, one per line, tab-separated:
#   NAME  STORE-SPEC  FINDING-ID  SUBJECT (or *)  INTACT-CHECK  RUNNER
# INTACT-CHECK: good (an image named good verified, verdict pass), listed
# (some image still listed), blobscan (the layout's blob scan ran), none.
# RUNNER: plain, or nodac (run as root without CAP_DAC_OVERRIDE and
# CAP_DAC_READ_SEARCH, so that chmod 000 really makes a file unreadable).
#
# Safety: OUTDIR must be an empty edgeaudit-* folder under $TMPDIR (or /tmp).
# Every path this script creates, changes or removes goes through safe(),
# which stops the script unless the path is inside OUTDIR both as written and
# with its folder's links resolved.  Daemons get their own roots in OUTDIR.
set -u
here=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$here/../.." && pwd)
PY=/usr/bin/python3
H="$PY $here/hostile.py"
. "$here/../helpers/containerd.sh"

die() { echo "gen.sh: $*" >&2; kill -TERM $$ 2>/dev/null; exit 2; }
[ $# -eq 1 ] || die "usage: gen.sh OUTDIR"
[ -n "$1" ] && [ -d "$1" ] || die "OUTDIR '$1' is not a folder"
OUT=$(cd "$1" && pwd -P) || die "cannot enter '$1'"
tmproot=$(cd "${TMPDIR:-/tmp}" && pwd -P)
case "$OUT" in "$tmproot"/edgeaudit-*/*|"$tmproot"/edgeaudit-*) ;; *) die "refusing: $OUT is not an edgeaudit-* folder under $tmproot" ;; esac
[ -z "$(ls -A "$OUT")" ] || die "refusing: $OUT is not empty"

# safe PATH: PATH, normalised, when it lies inside $OUT; else stop everything.
safe() {
	local p=${1:-} lex par
	[ -n "$p" ] || die "an empty path (a variable not set?)"
	lex=$(realpath -ms -- "$p") || die "cannot normalise '$p'"
	case "$lex" in "$OUT"/?*) ;; *) die "refusing to touch '$p': not under $OUT" ;; esac
	par=$(realpath -m -- "$(dirname "$lex")") || die "cannot resolve the folder of '$p'"
	case "$par/" in "$OUT"/*) ;; *) die "refusing to touch '$p': its folder resolves to $par, outside $OUT" ;; esac
	printf '%s' "$lex"
}
# The only ways this script changes files (each checks its targets first).
s_rm() { local p; p=$(safe "$1") || exit 2; rm -rf -- "$p"; }
s_mkdir() { local p; p=$(safe "$1") || exit 2; mkdir -p -- "$p"; }
s_cp() { local d; d=$(safe "$2") || exit 2; cp -a -- "$1" "$d"; }
s_ln() { local d; d=$(safe "$2") || exit 2; ln -s -- "$1" "$d"; } # TARGET LINK: the target is only text
s_write() { local d; d=$(safe "$1") || exit 2; cat >"$d"; }     # stdin -> file
s_fifo() { local d; d=$(safe "$1") || exit 2; mkfifo -- "$d"; }
s_node() { local d; d=$(safe "$1") || exit 2; mknod -- "$d" "$2" "$3" "$4"; }
# (bound by its relative name: socket paths are limited to 108 bytes)
s_sock() { local d; d=$(safe "$1") || exit 2; (cd "$(dirname "$d")" && $PY -c "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" "$(basename "$d")"); }
s_sparse() { local d; d=$(safe "$1") || exit 2; printf '%s' "$3" >"$d"; truncate -s "$2" -- "$d"; } # PATH SIZE PREFIX
s_chmod() { local d; d=$(safe "$2") || exit 2; chmod "$1" -- "$d"; }
# hp CMD PATH ARGS...: hostile.py on a path inside $OUT
hp() { local c=$1 p; p=$(safe "$2") || exit 2; shift 2; $H "$c" "$p" "$@"; }

n_cases=0
case_add() { # NAME SPEC ID SUBJECT CHECK [RUNNER]
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "${6:-plain}" >>"$OUT/cases.tsv"
	n_cases=$((n_cases + 1))
}
say() { echo "# gen: $*" >&2; }

W=$OUT/work; s_mkdir "$W"
S=$OUT/stores; s_mkdir "$S"
: >"$OUT/cases.tsv"

for tool in umoci skopeo gzip zstd; do command -v $tool >/dev/null || die "$tool is not installed"; done

# ---------------------------------------------------------------- the base layout (umoci)
# Two small images with nothing shared: "good" and "bad".
B=$W/base
umoci init --layout "$(safe "$B")" >/dev/null || die "umoci init failed"
for tag in good bad; do
	umoci new --image "$B:$tag" >/dev/null
	umoci config --image "$B:$tag" --os linux --architecture amd64 --config.cmd "/bin/$tag" >/dev/null
	printf 'the %s image\n' "$tag" | s_write "$W/$tag.txt"
	head -c 20000 /dev/urandom | s_write "$W/$tag.bin"
	umoci insert --image "$B:$tag" "$W/$tag.txt" "/$tag.txt" >/dev/null
	umoci insert --image "$B:$tag" "$W/$tag.bin" "/opt/$tag.bin" >/dev/null
done
umoci gc --layout "$B" >/dev/null
info() { $H info "$1" bad | $PY -c "import json,sys; i=json.load(sys.stdin); print(i$2)"; } # LAYOUT EXPR
fresh() { s_rm "$S/$1"; s_cp "$B" "$S/$1"; printf '%s' "$S/$1"; }
bp() { printf '%s/blobs/sha256/%s' "$1" "${2#sha256:}"; }

# ---------------------------------------------------------------- OCI layouts
say "OCI layouts"
L=$(fresh o-symlink-loop); d=$(info "$L" "['layers'][0]")
s_rm "$(bp "$L" "$d")"; s_ln "loop-b" "$(bp "$L" "$d")"; s_ln "${d#sha256:}" "$L/blobs/sha256/loop-b"
case_add o-symlink-loop "oci:$L" store.symlink "$d" good

L=$(fresh o-symlink-out); d=$(info "$L" "['config']")
s_rm "$(bp "$L" "$d")"; s_ln "../../../../../../../../etc/shadow" "$(bp "$L" "$d")"
case_add o-symlink-out-config "oci:$L" store.symlink "$d" good

L=$(fresh o-layout-symlink); s_rm "$L/oci-layout"; s_ln /etc/os-release "$L/oci-layout"
case_add o-oci-layout-symlink "oci:$L" store.symlink "oci:$L" good

L=$(fresh o-blobs-dir-symlink); s_mkdir "$L/blobs/sha512"; s_rm "$L/blobs/sha512"; s_ln /etc "$L/blobs/sha512"
case_add o-blobs-subdir-symlink "oci:$L" store.symlink "oci:$L/blobs/sha512" good

L=$(fresh o-dotdot-index)
hp index "$L" "idx['manifests'][[(d.get('annotations') or {}).get('org.opencontainers.image.ref.name') for d in idx['manifests']].index('bad')]['digest'] = 'sha256:../../../../etc/passwd'; out = json.dumps(idx)"
case_add o-dotdot-digest-index "oci:$L" descriptor.bad_digest "sha256:../../../../etc/passwd" good

L=$(fresh o-absolute-index)
hp index "$L" "idx['manifests'][[(d.get('annotations') or {}).get('org.opencontainers.image.ref.name') for d in idx['manifests']].index('bad')]['digest'] = 'sha256:/etc/passwd'; out = json.dumps(idx)"
case_add o-absolute-digest-index "oci:$L" descriptor.bad_digest "sha256:/etc/passwd" good

L=$(fresh o-dotdot-manifest)
hp manifest "$L" bad "m['layers'][0]['digest'] = 'sha256:../../../../../proc/self/environ'; out = json.dumps(m)"
case_add o-dotdot-digest-manifest "oci:$L" descriptor.bad_digest "sha256:../../../../../proc/self/environ" good

L=$(fresh o-fifo); d=$(info "$L" "['layers'][1]"); s_rm "$(bp "$L" "$d")"; s_fifo "$(bp "$L" "$d")"
case_add o-fifo-layer "oci:$L" store.special_file "$d" good

L=$(fresh o-socket); d=$(info "$L" "['manifest']"); s_rm "$(bp "$L" "$d")"; s_sock "$(bp "$L" "$d")"
case_add o-socket-manifest "oci:$L" store.special_file "$d" good

L=$(fresh o-chardev); d=$(info "$L" "['layers'][0]"); s_rm "$(bp "$L" "$d")"; s_node "$(bp "$L" "$d")" c 1 5 # /dev/zero
case_add o-chardev-layer "oci:$L" store.special_file "$d" good

L=$(fresh o-blockdev); d=$(info "$L" "['config']"); s_rm "$(bp "$L" "$d")"; s_node "$(bp "$L" "$d")" b 7 0 # loop0
case_add o-blockdev-config "oci:$L" store.special_file "$d" good

L=$(fresh o-folder-blob); d=$(info "$L" "['layers'][1]"); s_rm "$(bp "$L" "$d")"; s_mkdir "$(bp "$L" "$d")"
printf x | s_write "$(bp "$L" "$d")/inside"
case_add o-folder-for-blob "oci:$L" store.special_file "$d" good

# Unreadable for real: mode 000, and the run drops the root's DAC override.
L=$(fresh o-unreadable); d=$(info "$L" "['layers'][1]"); s_chmod 000 "$(bp "$L" "$d")"
case_add o-unreadable-layer "oci:$L" store.unreadable "$d" good nodac
L=$(fresh o-unreadable-manifest); d=$(info "$L" "['manifest']"); s_chmod 000 "$(bp "$L" "$d")"
case_add o-unreadable-manifest "oci:$L" store.unreadable "$d" good nodac
# A blob folder that can be listed but not searched (mode 0444): its entries
# cannot be stat-ed, so the unreferenced-blob scan says so, never skips them.
L=$(fresh o-unsearchable-blob-dir); s_mkdir "$L/blobs/sha384"; printf x | s_write "$L/blobs/sha384/stray"
s_chmod 0444 "$L/blobs/sha384"
case_add o-unsearchable-blob-folder "oci:$L" store.unreadable "oci:$L/blobs/sha384/stray" good nodac

# 1 GiB JSON (sparse): a manifest whose descriptor lies about its size, a
# config that declares it, and index.json itself.
L=$(fresh o-1g-manifest); hx=$(printf 'big manifest' | sha256sum | cut -c1-64)
s_sparse "$L/blobs/sha256/$hx" 1G '{"schemaVersion":2,"pad":"'
hp index "$L" "i=[(d.get('annotations') or {}).get('org.opencontainers.image.ref.name') for d in idx['manifests']].index('bad'); idx['manifests'][i]['digest']='sha256:$hx'; idx['manifests'][i]['size']=400; out=json.dumps(idx)"
case_add o-1gib-manifest-size-lies "oci:$L" json.too_large "sha256:$hx" good
L=$(fresh o-1g-config); hx=$(printf 'big config' | sha256sum | cut -c1-64)
s_sparse "$L/blobs/sha256/$hx" 1G '{"architecture":"amd64","pad":"'
hp manifest "$L" bad "m['config']['digest']='sha256:$hx'; m['config']['size']=1<<30; out=json.dumps(m)"
case_add o-1gib-config "oci:$L" json.too_large "sha256:$hx" good
L=$(fresh o-1g-index); s_rm "$L/index.json"; s_sparse "$L/index.json" 1G '{"schemaVersion":2,"manifests":['
case_add o-1gib-index "oci:$L" json.too_large "$L/index.json" none

# JSON nested 100,000 deep (valid JSON, digests consistent).
L=$(fresh o-deep-config); hp config "$L" bad "out = b'{\"rootfs\":' + b'[' * 100000 + b']' * 100000 + b'}'"
case_add o-deep-config "oci:$L" json.malformed "*" good
L=$(fresh o-deep-manifest); hp manifest "$L" bad "out = raw.rstrip()[:-1] + b',\"annotations\":{\"x\":' + b'[' * 100000 + b']' * 100000 + b'}}'"
case_add o-deep-manifest "oci:$L" json.malformed "*" good
L=$(fresh o-deep-index); hp index "$L" "out = raw.rstrip()[:-1] + b',\"x\":' + b'{\"a\":' * 100000 + b'1' + b'}' * 100000 + b'}'"
case_add o-deep-index "oci:$L" json.malformed "oci:$L" blobscan

# Numbers out of range.
L=$(fresh o-size-inf); d=$(info "$L" "['layers'][0]")
hp manifest "$L" bad "out = raw.replace(b'\"size\":' + str(m['layers'][0]['size']).encode(), b'\"size\":1e400', 1)"
case_add o-size-1e400 "oci:$L" descriptor.bad_size "$d" good
L=$(fresh o-size-neg); d=$(info "$L" "['manifest']")
hp index "$L" "i=[(d.get('annotations') or {}).get('org.opencontainers.image.ref.name') for d in idx['manifests']].index('bad'); idx['manifests'][i]['size']=-1; out=json.dumps(idx)"
case_add o-size-negative "oci:$L" descriptor.bad_size "$d" good
L=$(fresh o-size-2p64); d=$(info "$L" "['config']")
hp manifest "$L" bad "out = raw.replace(b'\"size\":' + str(m['config']['size']).encode(), b'\"size\":18446744073709551617', 1)"
case_add o-size-2pow64 "oci:$L" descriptor.bad_size "$d" good
L=$(fresh o-size-frac); d=$(info "$L" "['layers'][1]")
hp manifest "$L" bad "out = raw.replace(b'\"size\":' + str(m['layers'][1]['size']).encode(), b'\"size\":0.5', 1)"
case_add o-size-fraction "oci:$L" descriptor.bad_size "$d" good

# Duplicate keys: the first "layers" is the real one, the second an evil
# one (a Go reader -- containerd, Docker -- keeps the last).
L=$(fresh o-dup-layers)
hp manifest "$L" bad "out = raw.rstrip()[:-1] + b',\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:' + b'0'*64 + b'\",\"size\":1}]}'"
case_add o-duplicate-key-manifest "oci:$L" json.malformed "*" good
L=$(fresh o-dup-config)
hp config "$L" bad "out = raw.rstrip()[:-1] + b',\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}'"
case_add o-duplicate-key-config "oci:$L" json.malformed "*" good
# ...and the same spelled as Go folds struct field names: "Layers", and
# "\u017fize" (LONG S) for "size".
L=$(fresh o-casefold-layers)
hp manifest "$L" bad "out = raw.rstrip()[:-1] + b',\"Layers\":[]}'"
case_add o-casefold-key-manifest "oci:$L" json.malformed "*" good
L=$(fresh o-longs-size)
hp manifest "$L" bad "out = raw.replace(b'\"size\":', b'\"\xc5\xbfize\":1,\"size\":', 1)"
case_add o-long-s-key-descriptor "oci:$L" json.malformed "*" good
# Data after the document: Go refuses it, so must we.
L=$(fresh o-trailing-manifest)
hp manifest "$L" bad "out = raw.rstrip() + b' {\"layers\":[]}'"
case_add o-trailing-data-manifest "oci:$L" json.malformed "*" good

# Decompression bombs (digests consistent: the blobs are what they claim).
say "bombs"
head -c 256M /dev/zero | gzip -9 | s_write "$W/bomb.gz"
head -c 256M /dev/zero | zstd -q -19 | s_write "$W/bomb.zst"
# A zstd frame asking for a 1 GiB window (Window_Descriptor exponent 20).
printf '\x28\xb5\x2f\xfd\x00\xa0\x01\x00\x00' | s_write "$W/window.zst"
L=$(fresh o-gzip-bomb); hp layer "$L" bad 1 "$W/bomb.gz"
case_add o-gzip-bomb "oci:$L" layer.bomb "$($H info "$L" bad | $PY -c 'import json,sys; print(json.load(sys.stdin)["layers"][1])')" good
L=$(fresh o-zstd-bomb); hp layer "$L" bad 1 "$W/bomb.zst" application/vnd.oci.image.layer.v1.tar+zstd
case_add o-zstd-bomb "oci:$L" layer.bomb "$($H info "$L" bad | $PY -c 'import json,sys; print(json.load(sys.stdin)["layers"][1])')" good
L=$(fresh o-zstd-window); hp layer "$L" bad 0 "$W/window.zst" application/vnd.oci.image.layer.v1.tar+zstd
case_add o-zstd-1gib-window "oci:$L" layer.bomb "$($H info "$L" bad | $PY -c 'import json,sys; print(json.load(sys.stdin)["layers"][0])')" good

# Indexes nested past the depth limit (each a real blob naming the next).
L=$(fresh o-nested-index); $H nest-index "$(safe "$L")" bad 12 1
case_add o-index-nested-12-deep "oci:$L" json.malformed "*" good

# Amplification: what a few bytes on disk may make the verifier hold.
# 4,000 descriptors naming blobs that are not there (4,000 findings);
L=$(fresh o-4000-missing)
hp index "$L" "import hashlib; idx['manifests'] += [{'mediaType':'application/vnd.oci.image.manifest.v1+json','digest':'sha256:'+hashlib.sha256(b'%d' % k).hexdigest(),'size':100} for k in range(4000)]; out=json.dumps(idx,separators=(',',':'))"
case_add o-4000-missing-manifests "oci:$L" blob.missing "*" good
# one manifest with 4,000 layers that are not there;
L=$(fresh o-4000-layers)
hp manifest "$L" bad "import hashlib; m['layers'] += [{'mediaType':'application/vnd.oci.image.layer.v1.tar+gzip','digest':'sha256:'+hashlib.sha256(b'%d' % k).hexdigest(),'size':1} for k in range(4000)]; out=json.dumps(m,separators=(',',':'))"
case_add o-4000-missing-layers "oci:$L" blob.missing "*" good
# a JSON bomb within the 4 MiB limit: 2 million values in index.json;
L=$(fresh o-json-bomb-index)
hp index "$L" "out = b'{\"schemaVersion\":2,\"manifests\":[' + b','.join([b'0'] * 2000000) + b']}'"
case_add o-json-bomb-index "oci:$L" json.malformed "oci:$L" blobscan
# "billion laughs": an index naming one index 100 times, that one the next
# 100 times, ...: a million images from four small blobs.
L=$(fresh o-billion-laughs); $H nest-index "$(safe "$L")" bad 3 100
case_add o-billion-laughs-index "oci:$L" audit.findings_truncated "oci:$L" good

# ---------------------------------------------------------------- oci-archive (tar) and docker-archive
say "archives"
A=$S/archives; s_mkdir "$A"
bad_layer=$(info "$B" "['layers'][1]"); bad_l=blobs/sha256/${bad_layer#sha256:}
hp oci-tar "$B" "$(safe "$A/clean.tar")" "pass"
tarcase() { # NAME ID SUBJECT PY
	hp oci-tar "$B" "$(safe "$A/$1.tar")" "$4"
	case_add "$1" "oci-archive:$A/$1.tar" "$2" "$3" good
}
tarcase a-huge-size archive.malformed "$A/a-huge-size.tar" "add(hdr('zz-huge', raw_size=num(1 << 62, 12)))"
tarcase a-negative-size archive.malformed "$A/a-negative-size.tar" "add(hdr('zz-negative', raw_size=num(-1, 12)))"
tarcase a-size-past-end archive.malformed "$A/a-size-past-end.tar" "add(hdr('zz-past-end', size=10 * 1024 * 1024), b'short')"
tarcase a-dotdot-name store.bad_path "oci-archive:$A/a-dotdot-name.tar:../../../../etc/evil" "add(hdr('../../../../etc/evil', size=5), b'evil\n')"
tarcase a-absolute-name store.bad_path "oci-archive:$A/a-absolute-name.tar:/etc/evil" "add(hdr('/etc/evil', size=5), b'evil\n')"
tarcase a-blob-symlink-out store.symlink "$bad_layer" "skip.add('$bad_l'); add(hdr('$bad_l', typ=b'2', link='/etc/passwd'))"
tarcase a-blob-symlink-loop store.symlink "$bad_layer" "skip.add('$bad_l'); add(hdr('$bad_l', typ=b'2', link='loop')); add(hdr('blobs/sha256/loop', typ=b'2', link='${bad_layer#sha256:}'))"
tarcase a-blob-hardlink-dotdot store.symlink "$bad_layer" "skip.add('$bad_l'); add(hdr('$bad_l', typ=b'1', link='../../../etc/passwd'))"
tarcase a-blob-fifo store.special_file "$bad_layer" "skip.add('$bad_l'); add(hdr('$bad_l', typ=b'6'))"
tarcase a-blob-chardev store.special_file "$bad_layer" "skip.add('$bad_l'); add(hdr('$bad_l', typ=b'3'))"
tarcase a-pax-huge-record archive.malformed "$A/a-pax-huge-record.tar" "add(hdr('PaxHeaders/x', size=40, typ=b'x'), b'99999999999999999999 path=x\n'.ljust(40, b'a'))"
tarcase a-longname-2mib archive.malformed "$A/a-longname-2mib.tar" "add(hdr('././@LongLink', size=2 << 20, typ=b'L'), b'n' * (2 << 20)); add(hdr('x', size=0))"
# A header whose checksum is wrong, in the middle of the members.
hp oci-tar "$B" "$(safe "$A/a-bad-checksum.tar")" "h = bytearray(hdr('zz-bad', size=4)); h[150] ^= 1; add(bytes(h), b'abcd'); add(hdr('zz-after', size=4), b'abcd')"
case_add a-bad-checksum "oci-archive:$A/a-bad-checksum.tar" archive.malformed "$A/a-bad-checksum.tar" good

# docker-archive made by skopeo, then its manifest.json entries damaged.
skopeo copy -q "oci:$B:good" "docker-archive:$(safe "$A/docker.tar"):localhost/good:1" >/dev/null 2>&1 || die "skopeo docker-archive failed"
hp tar-edit "$A/docker.tar" "$(safe "$A/d-no-config.tar")" "
for i, (m, d) in enumerate(members):
    if m.name == 'manifest.json':
        j = json.loads(d); j.append({'RepoTags': ['localhost/bad:1'], 'Layers': ['x.tar']}); members[i] = (m, json.dumps(j).encode())"
case_add d-archive-entry-without-config "docker-archive:$A/d-no-config.tar" json.malformed "docker-archive:$A/d-no-config.tar manifest.json[1]" listed
hp tar-edit "$A/docker.tar" "$(safe "$A/d-layer-dotdot.tar")" "
for i, (m, d) in enumerate(members):
    if m.name == 'manifest.json':
        j = json.loads(d); e = dict(j[0]); e['RepoTags'] = ['localhost/bad:1']; e['Layers'] = ['../../../../etc/passwd'] + e['Layers'][1:]; j.append(e); members[i] = (m, json.dumps(j).encode())"
case_add d-archive-layer-dotdot "docker-archive:$A/d-layer-dotdot.tar" blob.missing "docker-archive:$A/d-layer-dotdot.tar:../../../../etc/passwd" listed
hp tar-edit "$A/docker.tar" "$(safe "$A/d-deep.tar")" "
for i, (m, d) in enumerate(members):
    if m.name == 'manifest.json':
        members[i] = (m, d.rstrip()[:-1] + b',' + b'[' * 100000 + b']' * 100000 + b']')"
case_add d-archive-manifest-deep "docker-archive:$A/d-deep.tar" json.malformed "*" none

# skopeo's dir: copy of one image
skopeo copy -q "oci:$B:bad" "dir:$(safe "$W/dir")" >/dev/null 2>&1 || die "skopeo dir: failed"
dfresh_dir() { s_rm "$S/$1"; s_cp "$W/dir" "$S/$1"; printf '%s' "$S/$1"; }
L=$(dfresh_dir s-dir-json-bomb); s_rm "$L/manifest.json"
$PY -c "import sys; open(sys.argv[1],'wb').write(b'{\"schemaVersion\":2,\"layers\":[' + b','.join([b'0'] * 1900000) + b']}')" "$(safe "$L/manifest.json")"
case_add s-dir-manifest-json-bomb "dir:$L" json.malformed "*" none
L=$(dfresh_dir s-dir-manifest-symlink); s_rm "$L/manifest.json"; s_ln /etc/passwd "$L/manifest.json"
case_add s-dir-manifest-symlink "dir:$L" store.symlink "$L/manifest.json" none
L=$(dfresh_dir s-dir-layer-fifo); d=$(info "$B" "['layers'][1]"); s_rm "$L/${d#sha256:}"; s_fifo "$L/${d#sha256:}"
case_add s-dir-layer-fifo "dir:$L" store.special_file "$d" none

echo "$n_cases" >"$OUT/count.oci"
say "$n_cases cases so far"

# ---------------------------------------------------------------- Docker engine store (dockerd)
if [ "$(id -u)" = 0 ] && command -v dockerd >/dev/null; then
	say "Docker store"
	T=$W/docker; s_mkdir "$T"
	# shellcheck source=../integration/fixtures.sh
	. "$TOP/tests/integration/fixtures.sh"
	for tag in good bad; do skopeo copy -q "oci:$B:$tag" "docker-archive:$(safe "$T/$tag.tar"):localhost/$tag:1" >/dev/null 2>&1; done
	if start_dockerd dk vfs; then
		$D load -i "$T/good.tar" >/dev/null 2>&1; $D load -i "$T/bad.tar" >/dev/null 2>&1
		stop_dockerd
		DR=$DROOT
		facts() { # ROOT EXPR: facts of localhost/bad:1
			$PY - "$1" "$2" <<-'PYEOF'
			import hashlib, json, os, sys
			root, expr = sys.argv[1:]
			img = os.path.join(root, 'image', 'vfs')
			repos = json.load(open(os.path.join(img, 'repositories.json')))['Repositories']
			iid = repos['localhost/bad']['localhost/bad:1']
			cfg = json.load(open(os.path.join(img, 'imagedb/content/sha256', iid.split(':')[1])))
			diffs = cfg['rootfs']['diff_ids']; chains = [diffs[0]]
			for d in diffs[1:]:
			    chains.append('sha256:' + hashlib.sha256((chains[-1] + ' ' + d).encode()).hexdigest())
			ld = lambda c: os.path.join(img, 'layerdb/sha256', c.split(':')[1])
			caches = [open(os.path.join(ld(c), 'cache-id')).read().strip() for c in chains]
			dirs = [os.path.join(root, 'vfs/dir', k) for k in caches]
			print(eval(expr))
			PYEOF
		}
		dfresh() { s_rm "$S/$1"; s_cp "$DR" "$S/$1"; printf '%s' "$S/$1"; }
		tsedit() { # ROOT INDEX PY: rewrite layer INDEX's tar-split (JSON lines `lines`)
			local ts; ts=$(safe "$(facts "$1" "ld(chains[$2])")/tar-split.json.gz") || exit 2
			$PY - "$ts" "$3" <<-'PYEOF'
			import gzip, json, sys
			p, code = sys.argv[1:]
			lines = [json.loads(l) for l in gzip.open(p).read().splitlines() if l.strip()]
			exec(code)
			gzip.open(p, 'wb').write(b''.join(json.dumps(l).encode() + b'\n' for l in lines))
			PYEOF
		}
		R=$(dfresh k-tarsplit-dotdot)
		tsedit "$R" 1 "next(l for l in lines if l['type'] == 1 and l.get('size'))['name'] = '../../../../../../etc/passwd'"
		case_add k-tarsplit-dotdot "docker:$R" store.bad_path "*" good-docker
		R=$(dfresh k-tarsplit-absolute)
		tsedit "$R" 1 "next(l for l in lines if l['type'] == 1 and l.get('size'))['name'] = '/etc/shadow'"
		case_add k-tarsplit-absolute "docker:$R" layer.file_missing "*" good-docker
		R=$(dfresh k-tarsplit-huge)
		tsedit "$R" 1 "x = next(l for l in lines if l['type'] == 1 and l.get('size')); x['name'] = 'opt/nothere'; x['size'] = 10 ** 15"
		case_add k-tarsplit-petabyte-missing-file "docker:$R" tarsplit.malformed "*" good-docker
		R=$(dfresh k-tarsplit-bomb); ts=$(safe "$(facts "$R" "ld(chains[1])")/tar-split.json.gz")
		# 4 GiB of empty lines: one gzip member of 1 MiB, 4096 times over
		head -c 1M /dev/zero | tr '\0' '\n' | gzip -9 | s_write "$W/nl.gz"
		$PY -c "import sys; d=open(sys.argv[1],'rb').read(); open(sys.argv[2],'wb').write(d*4096)" "$W/nl.gz" "$ts"
		case_add k-tarsplit-gzip-bomb "docker:$R" tarsplit.malformed "*" good-docker
		# (layer 0 lists bad.txt: vfs folders above it hold copies)
		R=$(dfresh k-layer-symlink-loop); ld=$(safe "$(facts "$R" "dirs[0]")")
		s_rm "$ld/bad.txt"; s_ln bad.txt "$ld/bad.txt"
		case_add k-layer-file-symlink-loop "docker:$R" layer.file_attr_mismatch "$ld/bad.txt" good-docker
		R=$(dfresh k-layer-socket); ld=$(safe "$(facts "$R" "dirs[0]")")
		s_rm "$ld/bad.txt"; s_sock "$ld/bad.txt"
		case_add k-layer-file-socket "docker:$R" layer.file_attr_mismatch "$ld/bad.txt" good-docker
		R=$(dfresh k-repos-deep); f=$(safe "$R/image/vfs/repositories.json")
		$H deep 100000 | s_write "$f"
		case_add k-repositories-deep "docker:$R" json.malformed "*" none
		R=$(dfresh k-repos-1g); f=$(safe "$R/image/vfs/repositories.json"); s_rm "$f"; s_sparse "$f" 1G '{"Repositories":{'
		case_add k-repositories-1gib "docker:$R" json.too_large "*" none
		R=$(dfresh k-cacheid-absolute); f=$(safe "$(facts "$R" "ld(chains[1])")/cache-id")
		printf '/etc' | s_write "$f"
		case_add k-cache-id-absolute "docker:$R" layer.metadata_mismatch "*" good-docker
		R=$(dfresh k-diff-overlong); f=$(safe "$(facts "$R" "ld(chains[1])")/diff")
		{ printf 'sha256:'; head -c 100000 /dev/zero | tr '\0' f; } | s_write "$f"
		case_add k-layerdb-diff-overlong "docker:$R" layer.metadata_mismatch "*" good-docker
	else
		say "dockerd did not start: Docker store cases left out"
	fi
fi

# ---------------------------------------------------------------- containerd (bbolt meta.db)
if command -v containerd >/dev/null && command -v ctr >/dev/null; then
	say "containerd store"
	CT=$W/ctrd; s_mkdir "$CT"
	CPID=
	ctrd_config "$CT" "$CT/c.sock" >"$(safe "$CT/config.toml")"
	containerd --config "$CT/config.toml" >"$(safe "$CT/log")" 2>&1 &
	CPID=$!
	up=0
	for _ in $(seq 100); do ctr -a "$CT/c.sock" version >/dev/null 2>&1 && { up=1; break; }; kill -0 "$CPID" 2>/dev/null || break; sleep 0.1; done
	if [ $up = 1 ]; then
		C() { ctr -a "$CT/c.sock" "$@"; }
		for tag in good bad; do skopeo copy -q "oci:$B:$tag" "oci-archive:$(safe "$CT/$tag.tar"):localhost/$tag:1" >/dev/null 2>&1; done
		C images import --no-unpack --index-name localhost/good:1 "$CT/good.tar" >/dev/null 2>&1
		C images import --no-unpack --index-name localhost/bad:1 "$CT/bad.tar" >/dev/null 2>&1
		# enough names that the images bucket spans pages under a branch page
		for i in $(seq -w 1 150); do C images tag localhost/bad:1 "localhost/bad:t$i" >/dev/null 2>&1; done
	fi
	kill "$CPID" 2>/dev/null; for _ in $(seq 50); do kill -0 "$CPID" 2>/dev/null || break; sleep 0.1; done; kill -9 "$CPID" 2>/dev/null; wait "$CPID" 2>/dev/null
	if [ $up = 1 ] && [ -f "$CT/root/io.containerd.metadata.v1.bolt/meta.db" ]; then
		META=io.containerd.metadata.v1.bolt/meta.db
		cfresh() { s_rm "$S/$1"; s_cp "$CT/root" "$S/$1"; printf '%s' "$S/$1"; }
		R=$(cfresh c-ancestor-cycle); hp bbolt "$R/$META" ancestor-cycle v1 default images
		case_add c-bbolt-branch-to-ancestor "containerd:$R" bbolt.corrupt "$R/$META" none
		R=$(cfresh c-bucket-cycle); hp bbolt "$R/$META" bucket-cycle v1 default
		case_add c-bbolt-bucket-rooted-at-its-holder "containerd:$R" bbolt.corrupt "$R/$META" none
		R=$(cfresh c-overflow); hp bbolt "$R/$META" overflow
		case_add c-bbolt-huge-overflow "containerd:$R" bbolt.corrupt "$R/$META" none
		R=$(cfresh c-count); hp bbolt "$R/$META" count
		case_add c-bbolt-65535-elements "containerd:$R" bbolt.corrupt "$R/$META" none
	else
		say "containerd did not come up: containerd cases left out ($(tail -n 2 "$CT/log" 2>/dev/null | tr '\n' ' '))"
	fi
fi

say "$n_cases hostile stores in $OUT/cases.tsv"
