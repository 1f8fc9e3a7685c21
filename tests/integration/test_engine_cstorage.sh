#!/usr/bin/env bash
# Engine store (issue 4): containers/storage (podman, CRI-O, skopeo) written by
# the real tools, vfs and overlay: images.json big data against their digests,
# layers.json against the config's diff_ids and the layer ids containers/image
# derives, every extracted layer reassembled from its tar-split and compared
# file by file; an on-disk tamper matrix; the run never changes the store.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

if [ "$(id -u)" != 0 ]; then skip "containers-storage store" "needs root (whiteouts, owners, overlay)"; exit 0; fi
for tool in umoci skopeo; do
	command -v $tool >/dev/null || { skip "containers-storage store" "$tool is not installed (build.sh test installs it)"; exit 0; }
done

# skopeo's overlay driver bind-mounts ROOT/overlay on itself and leaves it:
# unmount whatever is mounted below $T (and only there) before removing it.
umount_T() {
	local m
	for m in $(awk -v t="$T/" 'index($2, t) == 1 { print $2 }' /proc/self/mounts | sort -r); do
		case "$m" in "$T"/?*) umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null ;; esac
	done
}
trap 'umount_T; rm -rf "$T"' EXIT

has_finding() { json_get "$OUT" "any(f['id']=='$1' and f['subject']=='$2' for f in r['findings'])" | grep -q True; }
findings_of() { json_get "$OUT" "' '.join(f['id']+'='+f['subject'] for f in r['findings'])"; }
expect_fail() { # NAME STORE ID SUBJECT
	run_ea images --store "containers-storage:$2"
	if [ $RC -eq 1 ] && has_finding "$3" "$4"; then ok "cstorage tamper: $1 -> $3"
	else not_ok "cstorage tamper: $1 -> $3" "rc=$RC want $3 $4" "got: $(findings_of | head -c 1500)"; fi
}

# in_T VALUE: every path a tamper touches must be inside this test's folder;
# stop the whole test rather than touch anything else.
in_T() {
	case "$1" in "$T"/?*) printf '%s' "$1" ;; *) echo "fatal: refusing to tamper with '$1' (not under $T)" >&2; kill $$; exit 1 ;; esac
}
# jedit FILE PYTHON: edit a store JSON file (j is its content) in place.
jedit() {
	local f; f=$(in_T "$1") || exit 1
	$PY -c "import json,sys; f=sys.argv[1]; j=json.load(open(f)); exec(sys.argv[2]); json.dump(j, open(f, 'w'))" "$f" "$2"
}

# An image with a whiteout (bin/false deleted in the top layer): 4 layers.
whiteout_layout "$T/wh"

# Stores written by skopeo (no daemon) and by podman load, each driver.
declare -A ROOT
for drv in vfs overlay; do
	R="$T/sk-$drv"
	if skopeo copy -q "oci:$T/wh:bb" "containers-storage:[$drv@$R+$T/sk-$drv-run]localhost/bb:1" >"$T/sk-$drv.log" 2>&1; then
		ROOT[skopeo-$drv]=$R
	else
		skip "skopeo $drv store" "skopeo copy into containers-storage ($drv) failed: $(tail -n 2 "$T/sk-$drv.log" | tr '\n' ' ')"
	fi
	umount_T
done
# overlay with a mount program (fuse-overlayfs): whiteouts stay ".wh." files
if command -v fuse-overlayfs >/dev/null; then
	R="$T/sk-fuse"
	if skopeo copy -q "oci:$T/wh:bb" "containers-storage:[overlay@$R+$T/sk-fuse-run:overlay.mount_program=$(command -v fuse-overlayfs)]localhost/bb:1" >"$T/sk-fuse.log" 2>&1; then
		ROOT[skopeo-fuse]=$R
	else
		skip "skopeo overlay store with fuse-overlayfs" "skopeo copy failed: $(tail -n 2 "$T/sk-fuse.log" | tr '\n' ' ')"
	fi
	umount_T
else
	skip "overlay store with fuse-overlayfs" "fuse-overlayfs is not installed (build.sh test installs it)"
fi
if command -v podman >/dev/null; then
	skopeo copy -q "oci:$T/wh:bb" "docker-archive:$T/in.tar:localhost/bb:1" >/dev/null 2>&1
	for drv in vfs overlay; do
		R="$T/pd-$drv"
		P="podman --root $R --runroot $T/pd-$drv-run --tmpdir $T/pd-$drv-tmp --storage-driver $drv --cgroup-manager cgroupfs --events-backend file"
		# a created (not started) container: containers.json names the image
		if $P load -i "$T/in.tar" >"$T/pd-$drv.log" 2>&1 && $P create --name c1 --network none localhost/bb:1 sleep 1 >>"$T/pd-$drv.log" 2>&1; then
			ROOT[podman-$drv]=$R
		else
			skip "podman $drv store" "podman load ($drv) failed: $(tail -n 2 "$T/pd-$drv.log" | tr '\n' ' ')"
		fi
		umount_T
	done
else
	skip "podman stores" "podman is not installed (build.sh test installs it)"
fi
[ ${#ROOT[@]} -gt 0 ] || exit 0

# Facts about a store (python over its own JSON): image id, layer chain
# bottom-up, layer folders, big-data file paths.
facts() { # ROOT DRIVER EXPR
	$PY - "$1" "$2" "$3" <<'PYEOF'
import base64, json, sys
root, drv, expr = sys.argv[1:]
im = json.load(open(f'{root}/{drv}-images/images.json'))[0]
iid = im['id']
lay = {l['id']: l for l in json.load(open(f'{root}/{drv}-layers/layers.json'))}
chain, lid = [], im['layer']
while lid:
    chain.append(lid); lid = lay[lid].get('parent')
chain.reverse()
dirs = [f'{root}/overlay/{i}/diff' if drv == 'overlay' else f'{root}/vfs/dir/{i}' for i in chain]
def bd(key):
    plain = key and all(c in '.0123456789abcdefghijklmnopqrstuvwxyz' for c in key)
    return f'{root}/{drv}-images/{iid}/' + (key if plain else '=' + base64.b64encode(key.encode()).decode())
mkey = 'manifest-' + im['digest']
print(eval(expr))
PYEOF
}
# store digest: every file's path, type, size, mode, owner, mtime and content hash
fingerprint() {
	(cd "$1" && find . -printf '%p %y %s %m %U %G %T@\n' | sort; find . -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum
}

for k in skopeo-vfs skopeo-overlay skopeo-fuse podman-vfs podman-overlay; do
	R=${ROOT[$k]:-}
	[ -n "$R" ] || continue
	before=$(fingerprint "$R")
	run_ea images --store "containers-storage:$R"
	st=$(json_get "$OUT" "[l['on_disk_check'] for i in r['images'] for l in i['layers']]")
	nm=$(json_get "$OUT" "r['images'][0]['names']")
	above_info=$(json_get "$OUT" "sum(r['summary'][s] for s in ('critical','high','medium','low'))")
	if [ $RC -eq 0 ] && [ "$st" = "['ok', 'ok', 'ok', 'ok']" ] && [ "$nm" = "['localhost/bb:1']" ] && [ "$above_info" = 0 ]; then
		ok "$k store: pass, no finding above info, 4 layers reassembled from disk match their diffIDs"
	else
		not_ok "$k pristine" "rc=$RC $st $nm" "$(findings_of | head -c 1500)"
	fi
	printf '%s\n' "$OUT" >"$T/$k.json"
	check "$k report validates against the schema" validate_report "$T/$k.json"
	run_ea images --store "$R"
	[ "$(json_get "$OUT" "r['stores'][0]['type']")" = containers-storage ] && ok "a bare containers/storage root is detected ($k)" || not_ok "detect $k"
	[ "$(fingerprint "$R")" = "$before" ] && ok "$k: the audit changed nothing in the store (contents, modes, owners, mtimes)" || not_ok "store unchanged ($k)"
done
# the layer ids containers/image derives, as the store has them
if [ -n "${ROOT[podman-overlay]:-}" ]; then
	R=${ROOT[podman-overlay]}
	ids=$($PY - "$R" <<'PYEOF'
import hashlib, json, sys
root = sys.argv[1]
im = json.load(open(f'{root}/overlay-images/images.json'))[0]
cfg = json.load(open(f'{root}/overlay-images/{im["id"]}/=' + __import__('base64').b64encode(('sha256:' + im['id']).encode()).decode()))
want, prev = [], None
for d in cfg['rootfs']['diff_ids']:
    h = d.split(':')[1]
    prev = h if prev is None else hashlib.sha256(f'{prev}+{h}'.encode()).hexdigest()
    want.append(prev)
lay = {l['id']: l for l in json.load(open(f'{root}/overlay-layers/layers.json'))}
got, lid = [], im['layer']
while lid:
    got.append(lid); lid = lay[lid].get('parent')
print('same' if want == got[::-1] else f'differ {want} {got}')
PYEOF
)
	[ "$ids" = same ] && ok "podman's layer ids are sha256(\"<parent id>+<diffID hex>\"), the base layer's its diffID hex" || not_ok "layer id formula" "$ids"
	json_get "$(cat "$T/podman-overlay.json")" "[l['layer_id'] for l in r['images'][0]['layers']]" >"$T/ids.txt"
	[ "$(facts "$R" overlay "chain")" = "$(cat "$T/ids.txt")" ] && ok "the report lists each layer's containers/storage id" || not_ok "layer ids in the report"
fi

n=0
fresh_store() { # KEY: S becomes a pristine copy of that store
	n=$((n + 1)); S="$T/c$n"; cp -a "${ROOT[$1]}" "$S"
}
ldir() { in_T "$(facts "$S" "$1" "dirs[$2]")"; } # DRIVER INDEX

K=podman-overlay; [ -n "${ROOT[$K]:-}" ] || K=skopeo-overlay
if [ -n "${ROOT[$K]:-}" ]; then
	d=overlay
	extracted_layer_tampers cstorage $K $d

	fresh_store $K; L=$(ldir $d 3) || exit 1; rm "$L/bin/false"
	expect_fail "an overlay whiteout removed" "$S" layer.file_missing "$L/bin/false"

	fresh_store $K; L=$(ldir $d 3) || exit 1; f=$(in_T "$S/overlay/.has-mount-program") || exit 1; printf true >"$f"
	expect_fail "the mount-program flag flipped (a whiteout read as a plain file)" "$S" layer.file_added "$L/bin/false"

	fresh_store $K; L=$(ldir $d 1) || exit 1; rm "$L/etc/extra.txt"; mkfifo "$L/etc/extra.txt"
	OUT=$(timeout 30 "$EA" images --store "containers-storage:$S" 2>/dev/null); RC=$?
	[ $RC -eq 1 ] && has_finding layer.file_attr_mismatch "$L/etc/extra.txt" && ok "cstorage tamper: a layer file replaced by a FIFO -> layer.file_attr_mismatch (no hang)" || not_ok "fifo in layer" "rc=$RC $(findings_of)"

	fresh_store $K; L=$(ldir $d 1) || exit 1; mv "$L" "$L.real"; ln -s /etc "$L"
	expect_fail "a layer folder replaced by a symlink" "$S" store.symlink "$L"

	fresh_store $K; ID=$(facts "$S" $d "chain[1]")
	jedit "$S/overlay-layers/layers.json" "[l.__setitem__('diff-digest', 'sha256:' + '7' * 64) for l in j if l['id'] == '$ID']"
	expect_fail "layers.json diff-digest edited" "$S" layer.metadata_mismatch "$ID"

	fresh_store $K; ID=$(facts "$S" $d "chain[1]")
	jedit "$S/overlay-layers/layers.json" "[l.__setitem__('diff-size', 12345) for l in j if l['id'] == '$ID']"
	expect_fail "layers.json diff-size edited" "$S" layer.metadata_mismatch "$ID"

	fresh_store $K; ID=$(facts "$S" $d "chain[1]")
	jedit "$S/overlay-layers/layers.json" "[l.__setitem__('diff-size', 1e30) for l in j if l['id'] == '$ID']"
	expect_fail "layers.json diff-size of 1e30 (out of any integer's range)" "$S" layer.metadata_mismatch "$ID"

	fresh_store $K; ID=$(facts "$S" $d "chain[2]"); P0=$(facts "$S" $d "chain[0]"); I=$(facts "$S" $d "iid")
	jedit "$S/overlay-layers/layers.json" "[l.__setitem__('parent', '$P0') for l in j if l['id'] == '$ID']"
	expect_fail "layers.json parent edited to skip a layer" "$S" image.diffid_count "sha256:$I"

	fresh_store $K; ID=$(facts "$S" $d "chain[2]")
	jedit "$S/overlay-layers/layers.json" "j[:] = [l for l in j if l['id'] != '$ID']"
	expect_fail "a layer record removed from layers.json" "$S" layer.missing "$ID"

	# a layer whose id is not derived from its parent and diffID: renamed
	# everywhere (record, child's parent, folder, tar-split) so all else holds
	fresh_store $K; ID=$(facts "$S" $d "chain[1]"); NEW=$(printf '%064d' 5)
	jedit "$S/overlay-layers/layers.json" "[l.__setitem__('id', '$NEW') for l in j if l['id'] == '$ID']; [l.__setitem__('parent', '$NEW') for l in j if l.get('parent') == '$ID']"
	mv "$(in_T "$S/overlay/$ID")" "$(in_T "$S/overlay/$NEW")"
	mv "$(in_T "$S/overlay-layers/$ID.tar-split.gz")" "$(in_T "$S/overlay-layers/$NEW.tar-split.gz")"
	expect_fail "a layer id not derived from its parent and diffID" "$S" layer.metadata_mismatch "$NEW"

	fresh_store $K; ID=$(facts "$S" $d "chain[0]"); ts=$(in_T "$S/overlay-layers/$ID.tar-split.gz") || exit 1
	head -c 200 "$ts" >"$T/ts"; cat "$T/ts" >"$ts"
	expect_fail "tar-split truncated" "$S" tarsplit.malformed "$ts"

	fresh_store $K; ID=$(facts "$S" $d "chain[3]"); ts=$(in_T "$S/overlay-layers/$ID.tar-split.gz") || exit 1; rm "$ts"
	expect_fail "tar-split removed" "$S" tarsplit.malformed "$ts"

	fresh_store $K; I=$(facts "$S" $d "iid"); f=$(in_T "$(facts "$S" $d "bd('sha256:'+iid)")") || exit 1
	sed -i 's/"os":"linux"/"os":"linuX"/' "$f"
	expect_fail "the config big-data file edited" "$S" image.config_mismatch "sha256:$I"

	fresh_store $K; f=$(in_T "$(facts "$S" $d "bd(mkey)")") || exit 1
	printf ' ' >>"$f"
	expect_fail "a manifest big-data file edited" "$S" blob.digest_mismatch "$f"

	fresh_store $K; f=$(in_T "$(facts "$S" $d "bd('manifest')")") || exit 1
	jedit "$S/overlay-images/images.json" "j[0]['big-data-digests']['manifest'] = 'sha256:' + 'a' * 64"
	expect_fail "images.json big-data-digests edited" "$S" blob.digest_mismatch "$f"

	fresh_store $K; f=$(in_T "$(facts "$S" $d "bd('manifest')")") || exit 1
	jedit "$S/overlay-images/images.json" "j[0]['big-data-sizes']['manifest'] += 1"
	expect_fail "images.json big-data-sizes edited" "$S" blob.size_mismatch "$f"

	# 1e30 does not fit any integer: a mismatch, never a conversion out of range
	fresh_store $K; f=$(in_T "$(facts "$S" $d "bd('manifest')")") || exit 1
	jedit "$S/overlay-images/images.json" "j[0]['big-data-sizes']['manifest'] = 1e30"
	expect_fail "images.json big-data size of 1e30" "$S" blob.size_mismatch "$f"

	fresh_store $K; f=$(in_T "$(facts "$S" $d "bd(mkey)")") || exit 1; rm "$f"
	expect_fail "a manifest big-data file removed" "$S" blob.missing "$f"

	fresh_store $K; D="sha256:$(printf '%064d' 3)"
	jedit "$S/overlay-images/images.json" "j[0]['digest'] = '$D'"
	expect_fail "the image digest names no manifest" "$S" image.no_manifest "$D"

	fresh_store $K; NEW=$(printf '%064d' 8)
	jedit "$S/overlay-images/images.json" "j[0]['layer'] = '$NEW'"
	expect_fail "an image naming a missing top layer" "$S" layer.missing "$NEW"

	fresh_store $K; NEW=$(printf 'ab%.0s' $(seq 32))
	jedit "$S/overlay-images/images.json" "j.append(dict(id='$NEW', names=['localhost/ghost:1'], layer='$(printf '%064d' 9)'))"
	expect_fail "a name pointing to a missing layer" "$S" layer.missing "$(printf '%064d' 9)"

	if [ -f "$S/overlay-containers/containers.json" ]; then
		fresh_store $K; NEW=$(printf 'cd%.0s' $(seq 32))
		jedit "$S/overlay-containers/containers.json" "j[0]['image'] = '$NEW'"
		expect_fail "a container naming a missing image" "$S" image.missing "sha256:$NEW"
	fi

	# a partial (zstd:chunked) pull names its image after the layers' TOCs,
	# not its config: unchecked (incomplete), not a false image.config_mismatch
	fresh_store $K; ID=$(facts "$S" $d "chain[3]")
	jedit "$S/overlay-layers/layers.json" "[l.__setitem__('toc-digest', 'sha256:' + '1' * 64) for l in j if l['id'] == '$ID']"
	jedit "$S/overlay-images/images.json" "j[0]['big-data-names'] = [k for k in j[0]['big-data-names'] if k != 'sha256:' + j[0]['id']]"
	run_ea images --store "containers-storage:$S"
	[ $RC -eq 3 ] && ! has_finding image.config_mismatch "sha256:$(facts "$S" $d iid)" && ok "an image pulled by TOC is reported unchecked (incomplete), not as a tampered ID" || not_ok "toc image" "rc=$RC $(findings_of)"

	fresh_store $K; I=$(in_T "$S/overlay-images") || exit 1; mv "$I" "$I.real"; ln -s "$I.real" "$I"
	expect_fail "the images folder replaced by a symlink" "$S" store.symlink "$S/overlay-images/images.json"

	fresh_store $K; f=$(in_T "$S/overlay-images/images.json") || exit 1; head -c 300 "$f" >"$T/j"; cat "$T/j" >"$f"
	expect_fail "images.json truncated" "$S" json.malformed "$f"
fi

if [ -n "${ROOT[skopeo-fuse]:-}" ]; then
	K=skopeo-fuse d=overlay
	fresh_store $K; L=$(ldir $d 3) || exit 1; [ -f "$L/bin/.wh.false" ] && ok "fuse-overlayfs store: the whiteout is a .wh. file" || not_ok "fuse whiteout form"
	touch "$L/bin/false"
	expect_fail "fuse-overlayfs: a file recreated under its whiteout" "$S" layer.file_added "$L/bin/false"
fi

K=podman-vfs; [ -n "${ROOT[$K]:-}" ] || K=skopeo-vfs
if [ -n "${ROOT[$K]:-}" ]; then
	d=vfs
	fresh_store $K; L=$(ldir $d 1) || exit 1; printf 'E' | dd of="$L/etc/extra.txt" bs=1 seek=0 conv=notrunc status=none
	expect_fail "vfs: a byte changed in a layer file" "$S" layer.file_modified "$L/etc/extra.txt"
	fresh_store $K; L=$(ldir $d 0) || exit 1; chmod 0777 "$L/bin"
	expect_fail "vfs: a folder chmod-ed" "$S" layer.file_attr_mismatch "$L/bin"
	fresh_store $K; L=$(ldir $d 2) || exit 1; mv "$L" "$L.real"; ln -s "$L.real" "$L"
	expect_fail "vfs: a layer folder replaced by a symlink" "$S" store.symlink "$L"
fi

# The aarch64 build on one store under qemu.
AA=$OUTDIR/aarch64/edgeaudit
K=podman-overlay; [ -n "${ROOT[$K]:-}" ] || K=skopeo-overlay
if [ -n "${ROOT[$K]:-}" ] && command -v qemu-aarch64-static >/dev/null && [ -x "$AA" ]; then
	OUT=$(qemu-aarch64-static "$AA" images --store "containers-storage:${ROOT[$K]}" 2>/dev/null); RC=$?
	[ $RC -eq 0 ] && ok "aarch64 build under qemu: the $K store passes" || not_ok "aarch64 cstorage store" "rc=$RC $(findings_of | head -c 500)"
fi
