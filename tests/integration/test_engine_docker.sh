#!/usr/bin/env bash
# Engine store (issue 4): the Docker store written by a real dockerd (vfs and
# overlay2), its extracted layers reassembled from tar-split and compared file
# by file; an on-disk tamper matrix; the run never changes the store.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

if [ "$(id -u)" != 0 ]; then skip "docker engine store" "needs root to run dockerd"; exit 0; fi
for tool in dockerd umoci skopeo; do
	command -v $tool >/dev/null || { skip "docker engine store" "$tool is not installed (build.sh test installs it)"; exit 0; }
done
trap 'stop_dockerd; rm -rf "$T"' EXIT

has_finding() { json_get "$OUT" "any(f['id']=='$1' and f['subject']=='$2' for f in r['findings'])" | grep -q True; }
findings_of() { json_get "$OUT" "' '.join(f['id']+'='+f['subject'] for f in r['findings'])"; }
expect_fail() { # NAME STORE ID SUBJECT
	run_ea images --store "docker:$2"
	if [ $RC -eq 1 ] && has_finding "$3" "$4"; then ok "docker tamper: $1 -> $3"
	else not_ok "docker tamper: $1 -> $3" "rc=$RC want $3 $4" "got: $(findings_of | head -c 1500)"; fi
}

# An image with a whiteout (bin/false deleted in the top layer).
whiteout_layout "$T/wh"
skopeo copy -q "oci:$T/wh:bb" "docker-archive:$T/in.tar:localhost/bb:1" >/dev/null 2>&1

declare -A ROOT
for drv in vfs overlay2; do
	if start_dockerd "d$drv" "$drv"; then
		$D load -i "$T/in.tar" >/dev/null
		stop_dockerd
		ROOT[$drv]=$DROOT
	else
		skip "docker $drv store" "dockerd --storage-driver=$drv did not start: $(tail -n 2 "$T/d$drv-dockerd.log" | tr '\n' ' ')"
	fi
done
[ -n "${ROOT[overlay2]:-}${ROOT[vfs]:-}" ] || exit 0

# Facts about a store: image ID, chainIDs, cache-ids, layer folders.
facts() { # ROOT DRIVER EXPR
	$PY - "$1" "$2" "$3" <<'PYEOF'
import hashlib, json, os, sys
root, drv, expr = sys.argv[1:]
img = os.path.join(root, 'image', drv)
repos = json.load(open(os.path.join(img, 'repositories.json')))['Repositories']
iid = list(list(repos.values())[0].values())[0]
cfg = json.load(open(os.path.join(img, 'imagedb/content/sha256', iid.split(':')[1])))
diffs = cfg['rootfs']['diff_ids']; chains = [diffs[0]]
for d in diffs[1:]:
    chains.append('sha256:' + hashlib.sha256((chains[-1] + ' ' + d).encode()).hexdigest())
ld = lambda c: os.path.join(img, 'layerdb/sha256', c.split(':')[1])
caches = [open(os.path.join(ld(c), 'cache-id')).read().strip() for c in chains]
dirs = [os.path.join(root, 'overlay2', k, 'diff') if drv == 'overlay2' else os.path.join(root, 'vfs/dir', k) for k in caches]
print(eval(expr))
PYEOF
}
# store digest: every file's path, size, mode, owner, mtime and content hash
fingerprint() {
	(cd "$1" && find . -printf '%p %y %s %m %U %G %T@\n' | sort; find . -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum
}

for drv in vfs overlay2; do
	R=${ROOT[$drv]:-}
	[ -n "$R" ] || continue
	before=$(fingerprint "$R")
	run_ea images --store "docker:$R"
	st=$(json_get "$OUT" "[l['on_disk_check'] for i in r['images'] for l in i['layers']]")
	nm=$(json_get "$OUT" "r['images'][0]['names']")
	if [ $RC -eq 0 ] && [ "$st" = "['ok', 'ok', 'ok', 'ok']" ] && [ "$nm" = "['localhost/bb:1']" ]; then
		ok "docker $drv store from dockerd: pass, 4 layers reassembled from disk match their diffIDs"
	else
		not_ok "docker $drv pristine" "rc=$RC $st $nm" "$(findings_of | head -c 1500)"
	fi
	printf '%s\n' "$OUT" >"$T/$drv.json"
	check "docker $drv report validates against the schema" validate_report "$T/$drv.json"
	run_ea images --store "$R"
	[ "$(json_get "$OUT" "r['stores'][0]['type']")" = docker ] && ok "a bare Docker data root is detected as docker ($drv)" || not_ok "detect docker"
	[ "$(fingerprint "$R")" = "$before" ] && ok "docker $drv: the audit changed nothing in the store (contents, modes, owners, mtimes)" || not_ok "store unchanged ($drv)"
done

# A signature policy over a store that keeps no signatures: never ok.
if [ -n "${ROOT[vfs]:-}" ] && command -v openssl >/dev/null; then
	openssl ecparam -name prime256v1 -genkey -noout -out "$T/k.pem" 2>/dev/null
	openssl ec -in "$T/k.pem" -pubout -out "$T/k.pub" 2>/dev/null
	run_ea audit --no-proc --key "$T/k.pub" --store "docker:${ROOT[vfs]}"
	sc=$(json_get "$OUT" "[i.get('signature_check') for i in r['images']]")
	[ $RC -eq 1 ] && [ "$sc" = "['not_verified']" ] && has_finding signature.missing "$(json_get "$OUT" "[f['subject'] for f in r['findings'] if f['id']=='signature.missing'][0]")" &&
		ok "docker store with --key: the image cannot show a signature, signature.missing (exit 1)" || not_ok "docker store signatures" "rc=$RC $sc $(findings_of | head -c 600)"
fi

n=0
fresh_store() { # DRIVER: S becomes a pristine copy of that store
	n=$((n + 1)); S="$T/c$n"; cp -a "${ROOT[$1]}" "$S"
}
# in_T VALUE: every path a tamper touches must be inside this test's folder;
# stop the whole test rather than touch anything else.
in_T() {
	case "$1" in "$T"/?*) printf '%s' "$1" ;; *) echo "fatal: refusing to tamper with '$1' (not under $T)" >&2; kill $$; exit 1 ;; esac
}
ldir() { in_T "$(facts "$S" "$1" "dirs[$2]")"; } # DRIVER INDEX

if [ -n "${ROOT[overlay2]:-}" ]; then
	d=overlay2
	extracted_layer_tampers docker $d $d

	fresh_store $d; L=$(ldir $d 1) || exit 1; rm "$L/etc/extra.txt"; ln -s /etc/shadow "$L/etc/extra.txt"
	expect_fail "a file replaced by a symlink" "$S" layer.file_attr_mismatch "$L/etc/extra.txt"

	fresh_store $d; L=$(ldir $d 3) || exit 1; rm "$L/bin/false"
	expect_fail "an overlay whiteout removed" "$S" layer.file_missing "$L/bin/false"

	fresh_store $d; I=$(facts "$S" $d "iid"); f="$S/image/$d/imagedb/content/sha256/${I#sha256:}"
	sed -i 's/"os":"linux"/"os":"linuX"/' "$f"
	expect_fail "imagedb content edited" "$S" image.config_mismatch "$I"

	fresh_store $d; C=$(facts "$S" $d "chains[1]"); echo -n "sha256:$(printf '%064d' 7)" >"$S/image/$d/layerdb/sha256/${C#sha256:}/diff"
	expect_fail "layerdb diff edited" "$S" layer.metadata_mismatch "$C"

	fresh_store $d; C=$(facts "$S" $d "chains[2]"); echo -n "sha256:$(printf '%064d' 9)" >"$S/image/$d/layerdb/sha256/${C#sha256:}/parent"
	expect_fail "layerdb parent edited" "$S" layer.metadata_mismatch "$C"

	fresh_store $d; C=$(facts "$S" $d "chains[1]"); echo -n "0000000000000000000000000000000000000000000000000000000000000000" >"$S/image/$d/layerdb/sha256/${C#sha256:}/cache-id"
	expect_fail "cache-id edited to a folder that is not there" "$S" layer.missing "$S/overlay2/0000000000000000000000000000000000000000000000000000000000000000/diff"

	fresh_store $d; C=$(facts "$S" $d "chains[1]"); echo -n "../../../../etc" >"$S/image/$d/layerdb/sha256/${C#sha256:}/cache-id"
	expect_fail "cache-id with ../" "$S" layer.metadata_mismatch "$C"

	fresh_store $d; C=$(facts "$S" $d "chains[0]"); ts="$S/image/$d/layerdb/sha256/${C#sha256:}/tar-split.json.gz"
	head -c 200 "$ts" >"$T/ts"; cat "$T/ts" >"$ts"
	expect_fail "tar-split truncated" "$S" tarsplit.malformed "$ts"

	fresh_store $d; C=$(facts "$S" $d "chains[0]"); ts="$S/image/$d/layerdb/sha256/${C#sha256:}/tar-split.json.gz"
	echo '{"type":2,"payload":"!!not base64!!"}' | gzip >"$ts"
	expect_fail "tar-split corrupt" "$S" tarsplit.malformed "$ts"

	fresh_store $d; C=$(facts "$S" $d "chains[2]"); rm -r "$S/image/$d/layerdb/sha256/${C#sha256:}"
	expect_fail "a layerdb entry removed" "$S" layer.missing "$C"

	fresh_store $d; f="$S/image/$d/repositories.json"
	$PY -c "import json,sys; j=json.load(open(sys.argv[1])); j['Repositories']['localhost/ghost']={'localhost/ghost:1':'sha256:'+'ab'*32}; json.dump(j,open(sys.argv[1],'w'))" "$f"
	expect_fail "a name pointing to a missing image" "$S" image.missing "sha256:$(printf 'ab%.0s' $(seq 32))"

	fresh_store $d; L=$(ldir $d 1) || exit 1; mv "$L" "$L.real"; ln -s /etc "$L"
	expect_fail "a layer folder replaced by a symlink" "$S" store.symlink "$L"

	# the driver's whole image folder moved away and linked back: its images
	# must not vanish from the audit in silence
	fresh_store $d; mv "$S/image/$d" "$T/moved-$d"; ln -s "$T/moved-$d" "$S/image/$d"
	expect_fail "image/$d replaced by a symlink" "$S" store.symlink "$S/image/$d"

	fresh_store $d; L=$(ldir $d 1) || exit 1; rm "$L/etc/extra.txt"; mkfifo "$L/etc/extra.txt"
	OUT=$(timeout 30 "$EA" images --store "docker:$S" 2>/dev/null); RC=$?
	[ $RC -eq 1 ] && has_finding layer.file_attr_mismatch "$L/etc/extra.txt" && ok "docker tamper: a layer file replaced by a FIFO -> layer.file_attr_mismatch (no hang)" || not_ok "fifo in layer" "rc=$RC $(findings_of)"
fi

if [ -n "${ROOT[vfs]:-}" ]; then
	d=vfs
	fresh_store $d; L=$(ldir $d 1) || exit 1; printf 'E' | dd of="$L/etc/extra.txt" bs=1 seek=0 conv=notrunc status=none
	expect_fail "vfs: a byte changed in a layer file" "$S" layer.file_modified "$L/etc/extra.txt"
	fresh_store $d; L=$(ldir $d 0) || exit 1; chmod 0777 "$L/bin"
	expect_fail "vfs: a folder chmod-ed" "$S" layer.file_attr_mismatch "$L/bin"
	fresh_store $d; L=$(ldir $d 3) || exit 1; echo back >"$L/bin/false"
	expect_fail "vfs: a file the top layer deletes put back" "$S" layer.file_added "$L/bin/false"
fi

# The aarch64 build on the overlay2 store under qemu.
AA=$OUTDIR/aarch64/edgeaudit
if [ -n "${ROOT[overlay2]:-}" ] && command -v qemu-aarch64-static >/dev/null && [ -x "$AA" ]; then
	OUT=$(qemu-aarch64-static "$AA" images --store "docker:${ROOT[overlay2]}" 2>/dev/null); RC=$?
	[ $RC -eq 0 ] && ok "aarch64 build under qemu: the overlay2 store passes" || not_ok "aarch64 docker store" "rc=$RC $(findings_of | head -c 500)"
fi
