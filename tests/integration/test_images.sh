#!/usr/bin/env bash
# Image integrity (issue 3): OCI layouts and docker save archives made by real
# producers, verified end to end; a tamper matrix where each case must give
# its finding id with the exact subject, verdict fail and exit 1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

for tool in umoci skopeo zstd; do
	if ! command -v $tool >/dev/null; then
		skip "image integrity tests" "$tool is not installed (build.sh test installs it)"
		exit 0
	fi
done

# has_finding ID SUBJECT: the last report ($OUT) holds that finding.
has_finding() {
	json_get "$OUT" "any(f['id']=='$1' and f['subject']=='$2' for f in r['findings'])" | grep -q True
}
findings_of() { json_get "$OUT" "' '.join(f['id']+'='+f['subject'] for f in r['findings'])"; }
max_sev() { json_get "$OUT" "max([['info','low','medium','high','critical'].index(f['severity']) for f in r['findings']] or [0])"; }

# expect_fail NAME STORE ID SUBJECT
expect_fail() {
	local name=$1 store=$2 id=$3 subj=$4
	run_ea images --store "$store"
	if [ $RC -eq 1 ] && [ "$(json_get "$OUT" 'r["verdict"]')" = fail ] && has_finding "$id" "$subj"; then
		ok "tamper: $name -> $id"
	else
		not_ok "tamper: $name -> $id" "rc=$RC want finding $id subject $subj" "got: $(findings_of | head -c 1500)"
	fi
}

# expect_pass NAME STORE: no finding above info, verdict pass, exit 0.
expect_pass() {
	run_ea images --store "$2"
	if [ $RC -eq 0 ] && [ "$(json_get "$OUT" 'r["verdict"]')" = pass ] && [ "$(max_sev)" -eq 0 ]; then
		ok "$1"
	else
		not_ok "$1" "rc=$RC" "$(findings_of | head -c 1500)"
	fi
}

base_layout

# ---------------------------------------------------------------- pristine stores
fresh "$T/p1"
expect_pass "umoci layout (3 layers): pass, nothing above info" "oci:$T/p1"
printf '%s\n' "$OUT" >"$T/p1.json"
check "the umoci report validates against the schema" validate_report "$T/p1.json"
mf=$(info_get "$T/p1" "['manifest']"); cf=$(info_get "$T/p1" "['config']")
got=$(json_get "$OUT" "(r['images'][0]['manifest_digest'], r['images'][0]['image_id'], len(r['images'][0]['layers']), [l['diff_id_check'] for l in r['images'][0]['layers']], len(r['images'][0]['chain_ids']), r['images'][0]['names'])")
want="('$mf', '$cf', 3, ['ok', 'ok', 'ok'], 3, ['bb'])"
[ "$got" = "$want" ] && ok "report lists manifest digest, image ID = config digest, 3 diffIDs ok, 3 chainIDs, the tag" || not_ok "image entry" "got  $got" "want $want"
# chainIDs recomputed independently from the config's diff_ids.
chains=$($PY - "$T/p1" <<'PYEOF'
import hashlib, json, os, sys
lay = sys.argv[1]
idx = json.load(open(os.path.join(lay, 'index.json')))
bp = lambda d: os.path.join(lay, 'blobs', *d.split(':'))
m = json.load(open(bp(idx['manifests'][0]['digest'])))
c = json.load(open(bp(m['config']['digest'])))
ids = c['rootfs']['diff_ids']; out = [ids[0]]
for d in ids[1:]:
    out.append('sha256:' + hashlib.sha256((out[-1] + ' ' + d).encode()).hexdigest())
print(out)
PYEOF
)
[ "$chains" = "$(json_get "$OUT" "r['images'][0]['chain_ids']")" ] && ok "chainIDs match an independent computation" || not_ok "chainIDs" "$chains"

skopeo copy -q "oci:$T/p1:bb" "oci-archive:$T/bb-oci.tar:localhost/bb:1" >/dev/null 2>&1
skopeo copy -q "oci:$T/p1:bb" "docker-archive:$T/bb-docker.tar:localhost/bb:1" >/dev/null 2>&1
expect_pass "skopeo oci-archive: pass" "oci-archive:$T/bb-oci.tar"
expect_pass "skopeo docker-archive: pass" "docker-archive:$T/bb-docker.tar"
n=$(json_get "$OUT" "[l['diff_id_check'] for l in r['images'][0]['layers']]")
[ "$n" = "['ok', 'ok', 'ok']" ] && ok "docker-archive: three diffIDs checked from uncompressed layers" || not_ok "docker-archive diffids" "$n"
run_ea images --store "$T/bb-docker.tar"
[ "$(json_get "$OUT" "r['stores'][0]['type']")" = docker-archive ] && ok "a bare archive path is detected as docker-archive" || not_ok "detect docker-archive"
run_ea images --store "$T/bb-oci.tar"
[ "$(json_get "$OUT" "r['stores'][0]['type']")" = oci-archive ] && ok "a bare archive path is detected as oci-archive" || not_ok "detect oci-archive"
run_ea images --store "$T/p1"
[ "$(json_get "$OUT" "r['stores'][0]['type']")" = oci ] && ok "a bare folder is detected as an OCI layout" || not_ok "detect oci"

# skopeo's dir: transport (one image per folder, blobs named by hex).
skopeo copy -q "oci:$T/p1:bb" "dir:$T/bb-dir" >/dev/null 2>&1
expect_pass "skopeo dir: copy: pass" "dir:$T/bb-dir"
run_ea images --store "$T/bb-dir"
[ "$(json_get "$OUT" "r['stores'][0]['type']")" = dir ] && ok "a skopeo dir: copy is detected as dir" || not_ok "detect dir"
cp -a "$T/bb-dir" "$T/bb-dir2"; L=$(info_get "$T/p1" "['layers'][1]")
$PY -c "import sys; f=open(sys.argv[1],'r+b'); f.seek(50); b=f.read(1); f.seek(50); f.write(bytes([b[0]^1]))" "$T/bb-dir2/${L#sha256:}"
expect_fail "byte flipped in a skopeo dir: layer" "dir:$T/bb-dir2" blob.digest_mismatch "$L"

# Two tags sharing layers: each shared blob verified (opened) once per run.
fresh "$T/shared"
umoci config --image "$T/shared:bb" --tag bb2 --config.cmd /bin/true >/dev/null
run_ea images --store "oci:$T/shared"
sh=$(json_get "$OUT" "[l.get('shared_by',1) for l in r['images'][0]['layers']]")
[ $RC -eq 0 ] && [ "$sh" = "[2, 2, 2]" ] && ok "layers shared by two images are reported as shared_by 2" || not_ok "shared_by" "rc=$RC $sh"
if command -v strace >/dev/null; then
	l0=$(info_get "$T/shared" "['layers'][0]" | cut -d: -f2)
	strace -f -qq -e trace=openat -o "$T/st.log" "$EA" images --store "oci:$T/shared" >/dev/null 2>&1
	opens=$(grep -c "\"$l0\"" "$T/st.log")
	[ "$opens" -eq 1 ] && ok "a layer shared by two images is opened once per run" || not_ok "shared layer read once" "opened $opens times"
else
	skip "shared layer read once" "strace not installed"
fi

# Multi-platform index (manifests by umoci, the index written as the spec says).
rm -rf "$T/multi"; mk_umoci_layout "$T/multi" amd amd64; mk_umoci_layout "$T/multi" arm arm64
$PY - "$T/multi" <<'PYEOF'
import hashlib, json, os, sys
lay = sys.argv[1]
idx = json.load(open(os.path.join(lay, 'index.json')))
ms = []
for d, arch in zip(idx['manifests'], ['amd64', 'arm64']):
    d = dict(d); d.pop('annotations', None); d['platform'] = {'os': 'linux', 'architecture': arch}; ms.append(d)
sub = json.dumps({'schemaVersion': 2, 'mediaType': 'application/vnd.oci.image.index.v1+json', 'manifests': ms}).encode()
dg = hashlib.sha256(sub).hexdigest()
open(os.path.join(lay, 'blobs', 'sha256', dg), 'wb').write(sub)
idx['manifests'] = [{'mediaType': 'application/vnd.oci.image.index.v1+json', 'digest': 'sha256:' + dg, 'size': len(sub),
                     'annotations': {'org.opencontainers.image.ref.name': 'multi'}}]
json.dump(idx, open(os.path.join(lay, 'index.json'), 'w'))
PYEOF
run_ea images --store "oci:$T/multi"
pl=$(json_get "$OUT" "sorted((i['platform'], i['names'][0], i['verdict']) for i in r['images'])")
[ $RC -eq 0 ] && [ "$pl" = "[('linux/amd64', 'multi', 'pass'), ('linux/arm64', 'multi', 'pass')]" ] &&
	ok "multi-platform index: both platform images verified, named by the index's tag" || not_ok "multi-platform" "rc=$RC $pl"

# A zstd layer made with the zstd tool.
fresh "$T/zst"
l2=$(info_get "$T/zst" "['layers'][2]")
gzip -dc "$T/zst/blobs/sha256/${l2#sha256:}" | zstd -q -19 -c >"$T/layer.zst"
ocimut "$T/zst" layer-replace 2 "$T/layer.zst" application/vnd.oci.image.layer.v1.tar+zstd
expect_pass "a zstd layer (zstd -19) is decompressed and its diffID verified" "oci:$T/zst"
mt=$(json_get "$OUT" "r['images'][0]['layers'][2]['media_type'] + ' ' + r['images'][0]['layers'][2]['diff_id_check']")
[ "$mt" = "application/vnd.oci.image.layer.v1.tar+zstd ok" ] && ok "the zstd layer's diff_id_check is ok" || not_ok "zstd diff" "$mt"

# --jobs 1 and --jobs 2 agree.
run_ea images --store "oci:$T/shared" --jobs 1; a=$(json_get "$OUT" "[i['layers'] for i in r['images']]")
run_ea images --store "oci:$T/shared" --jobs 2; b=$(json_get "$OUT" "[i['layers'] for i in r['images']]")
[ "$a" = "$b" ] && ok "--jobs 1 and --jobs 2 give the same results" || not_ok "--jobs agree" "${a:0:600}" "${b:0:600}"

# ---------------------------------------------------------------- third-party layouts
S=$SHARED/oci-layouts
if [ -d "$S" ]; then
	expect_pass "go-containerregistry test_gc_index: pass" "oci:$S/go-containerregistry/test_gc_index"
	expect_pass "go-containerregistry test_index_one_image: pass" "oci:$S/go-containerregistry/test_index_one_image"
	expect_pass "notation-go alpine:3.17.2 layout: pass (3.3 MB gzip layer diffID)" "oci:$S/notation-go-alpine"
	expect_pass "go-containerregistry test_index_media_type (an artifact): pass" "oci:$S/go-containerregistry/test_index_media_type"
	run_ea images --store "oci:$S/go-containerregistry/test_index"
	[ $RC -eq 3 ] && has_finding mediatype.unknown sha256:32589985702551b6c56033bb3334432a0a513bf9d6aceda0f67c42b003850720 &&
		ok "test_index: the unusual descriptor media type is mediatype.unknown, verdict incomplete (never ok)" || not_ok "test_index" "rc=$RC $(findings_of)"
	expect_fail "test_gc_image_unknown_mediatype: missing blob" "oci:$S/go-containerregistry/test_gc_image_unknown_mediatype" \
		blob.missing sha256:32589985702551b6c56033bb3334432a0a513bf9d6aceda0f67c42b003850720
	run_ea images --store "oci:$S/containers-image/delete_image_only_one_image"
	[ $RC -eq 1 ] && [ "$(json_get "$OUT" "sorted(set(f['id'] for f in r['findings']))")" = "['blob.size_mismatch', 'layer.compression_mismatch', 'layer.decompress_error']" ] &&
		ok "containers-image delete_image_only_one_image: config size mismatch and placeholder layer (not the gzip its media type says) found" || not_ok "containers-image" "rc=$RC $(findings_of)"
	G=$S/go-containerregistry-tarball
	for f in test_image_1 test_image_2 test_bundle test_load_manifest mutate-source_image mutate-whiteout_image mutate-overwritten_file test_link hello-world-v25; do
		expect_pass "docker save tarball $f.tar: pass" "docker-archive:$G/$f.tar"
	done
	expect_pass "containers/image almost-empty docker-archive: pass" "docker-archive:$S/containers-image-docker-archive-almostempty.tar"
	run_ea images --store "docker-archive:$G/null_manifest.tar"
	[ $RC -eq 1 ] && has_finding json.malformed "docker-archive:$G/null_manifest.tar" && ok "null manifest.json is json.malformed" || not_ok "null_manifest" "rc=$RC $(findings_of)"
else
	skip "third-party OCI layouts" "$S is absent"
fi

# ---------------------------------------------------------------- tamper matrix
flip() { # FILE OFFSET: flip one byte in place
	$PY -c "import sys; f=open(sys.argv[1],'r+b'); f.seek(int(sys.argv[2])); b=f.read(1); f.seek(int(sys.argv[2])); f.write(bytes([b[0]^1]))" "$1" "$2"
}
bp() { echo "$1/blobs/sha256/${2#sha256:}"; }

fresh "$T/t1"; L=$(info_get "$T/t1" "['layers'][0]"); flip "$(bp "$T/t1" "$L")" 1000
expect_fail "byte flipped in a layer" "oci:$T/t1" blob.digest_mismatch "$L"

fresh "$T/t2"; C=$(info_get "$T/t2" "['config']"); flip "$(bp "$T/t2" "$C")" 10
expect_fail "byte flipped in the config" "oci:$T/t2" blob.digest_mismatch "$C"

fresh "$T/t3"; M=$(info_get "$T/t3" "['manifest']"); flip "$(bp "$T/t3" "$M")" 5
expect_fail "byte flipped in the manifest" "oci:$T/t3" blob.digest_mismatch "$M"

fresh "$T/t4"; L=$(info_get "$T/t4" "['layers'][1]"); truncate -s 20 "$(bp "$T/t4" "$L")"
expect_fail "layer blob truncated (size)" "oci:$T/t4" blob.size_mismatch "$L"
# A blob whose size differs from its descriptor is not read (an 8 GiB file
# behind a small descriptor must not be hashed): the size alone fails it.
! has_finding blob.digest_mismatch "$L" && json_get "$OUT" "[f['message'] for f in r['findings'] if f['id']=='blob.size_mismatch'][0]" | grep -q "content not read" &&
	ok "tamper: layer blob truncated: the size fails it, its content is not read" || not_ok "truncated: not read" "$(findings_of | head -c 1500)"

fresh "$T/t5"; L=$(info_get "$T/t5" "['layers'][2]"); rm "$(bp "$T/t5" "$L")"
expect_fail "layer blob removed" "oci:$T/t5" blob.missing "$L"

fresh "$T/t6"; C=$(info_get "$T/t6" "['config']"); rm "$(bp "$T/t6" "$C")"
expect_fail "config blob removed" "oci:$T/t6" blob.missing "$C"

fresh "$T/t7"; L0=$(info_get "$T/t7" "['layers'][0]"); L1=$(info_get "$T/t7" "['layers'][1]")
cp "$(bp "$T/t7" "$L1")" "$(bp "$T/t7" "$L0")"
expect_fail "layer blob swapped with another (another size)" "oci:$T/t7" blob.size_mismatch "$L0"

fresh "$T/t8"; L0=$(info_get "$T/t8" "['layers'][0]")
ocimut "$T/t8" manifest-edit "m['layers'][0], m['layers'][1] = m['layers'][1], m['layers'][0]"
expect_fail "layers reordered in the manifest" "oci:$T/t8" image.diffid_mismatch "$(info_get "$T/t8" "['layers'][0]")"

fresh "$T/t9"; L2=$(info_get "$T/t9" "['layers'][2]")
ocimut "$T/t9" config-edit "c['rootfs']['diff_ids'][2] = 'sha256:' + 'ab'*32"
expect_fail "diff_id edited in the config" "oci:$T/t9" image.diffid_mismatch "$L2"

fresh "$T/t10"; ocimut "$T/t10" config-edit "c['rootfs']['diff_ids'].pop()"
expect_fail "a diff_id removed from the config" "oci:$T/t10" image.diffid_count "$(info_get "$T/t10" "['manifest']")"

fresh "$T/t11"; L1=$(info_get "$T/t11" "['layers'][1]"); ocimut "$T/t11" manifest-edit "m['layers'][1]['size'] += 1"
expect_fail "wrong layer size in the manifest" "oci:$T/t11" blob.size_mismatch "$L1"

fresh "$T/t12"; M=$(info_get "$T/t12" "['manifest']"); ocimut "$T/t12" index-edit "idx['manifests'][0]['size'] -= 1"
expect_fail "wrong manifest size in index.json" "oci:$T/t12" blob.size_mismatch "$M"

fresh "$T/t13"; L=$(info_get "$T/t13" "['layers'][0]"); rm "$(bp "$T/t13" "$L")"; ln -s /etc/passwd "$(bp "$T/t13" "$L")"
expect_fail "layer blob is a symlink out of the store" "oci:$T/t13" store.symlink "$L"

fresh "$T/t14"; L=$(info_get "$T/t14" "['layers'][0]"); rm "$(bp "$T/t14" "$L")"; mkfifo "$(bp "$T/t14" "$L")"
OUT=$(timeout 30 "$EA" images --store "oci:$T/t14" 2>/dev/null); RC=$?
if [ $RC -eq 124 ]; then not_ok "tamper: layer blob is a FIFO -> store.special_file" "hung on the FIFO"
elif [ $RC -eq 1 ] && has_finding store.special_file "$L"; then ok "tamper: layer blob is a FIFO -> store.special_file (no hang)"
else not_ok "tamper: layer blob is a FIFO" "rc=$RC $(findings_of)"; fi

fresh "$T/t15"; ocimut "$T/t15" index-edit "idx['manifests'][0]['digest'] = 'sha256:../../../../etc/passwd'"
expect_fail "a digest with ../ in index.json" "oci:$T/t15" descriptor.bad_digest "sha256:../../../../etc/passwd"

fresh "$T/t16"; M=$(info_get "$T/t16" "['manifest']"); U=$(echo "$M" | tr a-f A-F | sed 's/^SHA256/sha256/')
ocimut "$T/t16" index-edit "idx['manifests'][0]['digest'] = '$U'"
expect_fail "an uppercase-hex digest" "oci:$T/t16" descriptor.bad_digest "$U"

fresh "$T/t17"; ocimut "$T/t17" index-edit "idx['manifests'][0]['digest'] = 'sha256:' + '0'*64"
expect_fail "index.json names a manifest that is not there" "oci:$T/t17" blob.missing "sha256:$(printf '0%.0s' $(seq 64))"

# A gzip bomb: 1 GiB of zeros in a ~1 MB gzip layer (digests consistent).
fresh "$T/t18"; head -c 1G /dev/zero | gzip -9 -c >"$T/bomb.gz"
ocimut "$T/t18" layer-replace 2 "$T/bomb.gz"; B=$(info_get "$T/t18" "['layers'][2]")
/usr/bin/time -f '%M' -o "$T/rss" "$EA" images --store "oci:$T/t18" >"$T/bomb.json" 2>/dev/null; RC=$?; OUT=$(cat "$T/bomb.json")
if [ $RC -eq 1 ] && has_finding layer.bomb "$B"; then ok "tamper: gzip bomb -> layer.bomb (stopped, peak RSS $(cat "$T/rss") KiB)"; else not_ok "gzip bomb" "rc=$RC $(findings_of)"; fi

# Trailing garbage after the gzip stream (digests made consistent).
fresh "$T/t19"; L=$(info_get "$T/t19" "['layers'][1]"); { cat "$(bp "$T/t19" "$L")"; echo "garbage after the stream"; } >"$T/trail.gz"
ocimut "$T/t19" layer-replace 1 "$T/trail.gz"
expect_fail "trailing garbage after a gzip layer" "oci:$T/t19" layer.trailing_data "$(info_get "$T/t19" "['layers'][1]")"

# A corrupt gzip trailer (CRC flipped; digests consistent).
fresh "$T/t20"; L=$(info_get "$T/t20" "['layers'][1]"); cp "$(bp "$T/t20" "$L")" "$T/crc.gz"
flip "$T/crc.gz" $(( $(stat -c %s "$T/crc.gz") - 6 ))
ocimut "$T/t20" layer-replace 1 "$T/crc.gz"
expect_fail "corrupt gzip CRC trailer" "oci:$T/t20" layer.decompress_error "$(info_get "$T/t20" "['layers'][1]")"

# A truncated gzip stream (digests consistent).
fresh "$T/t21"; L=$(info_get "$T/t21" "['layers'][2]"); head -c 5000 "$(bp "$T/t21" "$L")" >"$T/short.gz"
ocimut "$T/t21" layer-replace 2 "$T/short.gz"
expect_fail "truncated gzip stream" "oci:$T/t21" layer.decompress_error "$(info_get "$T/t21" "['layers'][2]")"

fresh "$T/t22"; rm "$T/t22/index.json"; ln -s ../base/index.json "$T/t22/index.json"
expect_fail "index.json is a symlink" "oci:$T/t22" store.symlink "$T/t22/index.json"

# Archives: a byte flipped inside the tar, in place.
cp "$T/bb-oci.tar" "$T/t23.tar"
L=$(tar -tf "$T/t23.tar" | grep '^blobs/sha256/.' | while read -r n; do
	s=$(tar -tvf "$T/t23.tar" "$n" | awk '{print $3}'); [ "$s" -gt 100000 ] && { echo "$n"; break; }; done)
off=$($PY -c "
import tarfile,sys
t=tarfile.open(sys.argv[1]); m=t.getmember(sys.argv[2]); print(m.offset_data+5000)" "$T/t23.tar" "$L")
flip "$T/t23.tar" "$off"
expect_fail "byte flipped inside an oci-archive layer" "oci-archive:$T/t23.tar" blob.digest_mismatch "sha256:${L##*/}"

cp "$T/bb-docker.tar" "$T/t24.tar"
LT=$(tar -tf "$T/t24.tar" | grep '\.tar$' | head -n1)
off=$($PY -c "
import tarfile,sys
t=tarfile.open(sys.argv[1]); m=t.getmember(sys.argv[2]); print(m.offset_data+700)" "$T/t24.tar" "$LT")
flip "$T/t24.tar" "$off"
expect_fail "byte flipped in a docker-archive layer" "docker-archive:$T/t24.tar" image.diffid_mismatch "docker-archive:$T/t24.tar:$LT"

cp "$T/bb-docker.tar" "$T/t25.tar"
CF=$(tar -xOf "$T/t25.tar" manifest.json | $PY -c "import json,sys; print(json.load(sys.stdin)[0]['Config'])")
off=$($PY -c "
import tarfile,sys
t=tarfile.open(sys.argv[1]); m=t.getmember(sys.argv[2]); print(m.offset_data+3)" "$T/t25.tar" "$CF")
flip "$T/t25.tar" "$off"
expect_fail "byte flipped in a docker-archive config" "docker-archive:$T/t25.tar" image.config_mismatch "sha256:$(basename "$CF" .json | sed 's/^.*\///')"

# A blob nobody references is info, not a failure.
fresh "$T/unref"; echo "stray" >"$T/unref/blobs/sha256/$(printf stray | sha256sum | cut -d' ' -f1)"
run_ea images --store "oci:$T/unref"
[ $RC -eq 0 ] && json_get "$OUT" "any(f['id']=='blob.unreferenced' for f in r['findings'])" | grep -q True &&
	ok "an unreferenced blob is an info finding and the verdict stays pass" || not_ok "unreferenced" "rc=$RC $(findings_of)"

# An unknown layer media type is never ok.
fresh "$T/mt"; ocimut "$T/mt" manifest-edit "m['layers'][0]['mediaType'] = 'application/x-strange'"
run_ea images --store "oci:$T/mt"
[ $RC -eq 3 ] && json_get "$OUT" "any(f['id']=='mediatype.unknown' for f in r['findings'])" | grep -q True &&
	ok "an unknown layer media type is mediatype.unknown, verdict incomplete" || not_ok "unknown media type" "rc=$RC $(findings_of)"

# ---------------------------------------------------------------- aarch64 under qemu
AA=$OUTDIR/aarch64/edgeaudit
if command -v qemu-aarch64-static >/dev/null && [ -x "$AA" ]; then
	OUT=$(qemu-aarch64-static "$AA" images --store "oci:$T/p1" 2>/dev/null); RC=$?
	[ $RC -eq 0 ] && [ "$(json_get "$OUT" "[l['diff_id_check'] for l in r['images'][0]['layers']]")" = "['ok', 'ok', 'ok']" ] &&
		ok "aarch64 build under qemu: pristine umoci layout passes" || not_ok "aarch64 pristine" "rc=$RC"
	OUT=$(qemu-aarch64-static "$AA" images --store "oci:$T/t1" 2>/dev/null); RC=$?
	L=$(info_get "$T/t1" "['layers'][0]")
	[ $RC -eq 1 ] && has_finding blob.digest_mismatch "$L" && ok "aarch64 build under qemu: flipped layer byte found" || not_ok "aarch64 tamper" "rc=$RC"
	OUT=$(qemu-aarch64-static "$AA" images --store "oci:$T/zst" 2>/dev/null); RC=$?
	[ $RC -eq 0 ] && ok "aarch64 build under qemu: zstd layer verified" || not_ok "aarch64 zstd" "rc=$RC"
else
	skip "aarch64 under qemu" "qemu-aarch64-static or $AA missing"
fi

# ---------------------------------------------------------------- sanitizers
SAN=$OUTDIR/san/edgeaudit
if [ -x "$SAN" ]; then
	bad=""
	for s in "$T"/p1 "$T"/multi "$T"/zst "$T"/t[0-9]* "$T"/bb-oci.tar "$T"/bb-docker.tar; do
		[ -e "$s" ] || continue
		ASAN_OPTIONS=detect_leaks=1 timeout 120 "$SAN" images --store "$s" >/dev/null 2>"$T/san.err"
		rc=$?
		if [ $rc -gt 3 ] || grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' "$T/san.err"; then
			bad="$bad $(basename "$s")(rc=$rc: $(grep -m1 -E 'ERROR|runtime error' "$T/san.err" | head -c 200))"
		fi
	done
	[ -z "$bad" ] && ok "ASan+UBSan build over every pristine and tampered store: no error, no leak" || not_ok "sanitizers over the stores" "$bad"
else
	skip "sanitizers over the stores" "$SAN not built (./build.sh test builds it)"
fi
