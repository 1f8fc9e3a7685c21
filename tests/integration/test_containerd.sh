#!/usr/bin/env bash
# containerd stores (issue 4): a real containerd (own root, state and socket
# under $T, CRI and other plugins disabled) imports an image made by umoci
# and skopeo; it is stopped by PID, then edgeaudit audits its root.  Pristine
# stores, a tamper matrix (content blobs, meta.db pages, files replaced), the
# store left unchanged by the runs, Docker 29's discovery path, and the
# aarch64 build under qemu.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"
. "$TOP/tests/helpers/containerd.sh"

for tool in containerd ctr umoci skopeo timeout; do
	if ! command -v $tool >/dev/null; then
		skip "containerd store tests" "$tool is not installed (build.sh test installs it)"
		exit 0
	fi
done

CT=$T/ctrd
CPID=
trap 'stop_ctrd; rm -rf "$T"' EXIT

C() { ctr -a "$CT/containerd.sock" "$@"; }

if ! start_ctrd; then
	skip "containerd store tests" "containerd did not start here: $(tail -n 3 "$CT/log" | tr '\n' ' ' | cut -c1-300)"
	exit 0
fi

# ---------------------------------------------------------------- fixtures
mk_umoci_layout "$T/lay" bb
skopeo copy -q "oci:$T/lay:bb" "oci-archive:$T/img-oci.tar:localhost/bb:1" >/dev/null 2>&1
# Namespace default: imported without unpacking, then 150 more tags, so the
# images bucket grows past one page (a branch page for the cycle cases).
C images import --no-unpack --index-name localhost/bb:oci "$T/img-oci.tar" >/dev/null 2>&1
for i in $(seq -w 1 150); do C images tag localhost/bb:1 "localhost/bb:t$i" >/dev/null 2>&1; done
n_default=$(C images ls -q | wc -l)
stop_ctrd
cp -a "$CT/root" "$T/nounpack"          # a box that pulled but never ran: no snapshots
# Namespace run: the same image unpacked into overlayfs snapshots.
start_ctrd || { not_ok "containerd restarts"; exit 0; }
C -n run images import --index-name localhost/bb:oci "$T/img-oci.tar" >/dev/null 2>&1
n_snap=$(C -n run snapshots ls 2>/dev/null | tail -n +2 | wc -l)
stop_ctrd
[ "$n_default" -eq 152 ] && [ "$n_snap" -eq 3 ] && ok "containerd made 152 image records and 3 overlayfs snapshots" ||
	not_ok "containerd fixtures" "images $n_default snapshots $n_snap" "$(tail -n 5 "$CT/log")"
ROOT=$CT/root
MF=$($PY -c "import json,sys; i=json.load(open(sys.argv[1]+'/index.json')); print(i['manifests'][0]['digest'])" "$T/lay")
blob() { echo "$1/io.containerd.content.v1.content/blobs/sha256/${2#sha256:}"; }
mfield() { $PY -c "import json,sys; m=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$(blob "$ROOT" "$MF")" "$1"; }
CFG=$(mfield "m['config']['digest']"); L0=$(mfield "m['layers'][0]['digest']"); L2=$(mfield "m['layers'][2]['digest']")

has_finding() { json_get "$OUT" "any(f['id']=='$1' and f['subject']=='$2' for f in r['findings'])" | grep -q True; }
findings_of() { json_get "$OUT" "' '.join(f['id']+'='+f['subject'] for f in r['findings'])"; }
max_sev() { json_get "$OUT" "max([['info','low','medium','high','critical'].index(f['severity']) for f in r['findings']] or [0])"; }
run_t() { OUT=$(timeout 60 "$EA" "$@" 2>"$T/stderr"); RC=$?; ERR=$(cat "$T/stderr"); [ -z "${EA_DIFF_BASE:-}" ] || report_diff_base "$@"; }

# bb.py DB CMD ...: find and edit things in a bbolt file by the format rules
# (an independent reading of the format, for the tamper cases).
cat >"$T/bb.py" <<'PYEOF'
import struct, sys
path, cmd, args = sys.argv[1], sys.argv[2], sys.argv[3:]
f = bytearray(open(path, 'rb').read())
def meta(i, ps):
    return struct.unpack_from('<IIIIQQQQQQ', f, i * ps + 16)
ps = meta(0, 4096)[2]
m = max((meta(0, ps), meta(1, ps)), key=lambda x: x[8])
def elems(base):  # (key, is_bucket, value_offset, vlen) of the page at base
    _, flags, count, _ = struct.unpack_from('<QHHI', f, base)
    for i in range(count):
        e = base + 16 + 16 * i
        if flags == 1:
            pos, ks, child = struct.unpack_from('<IIQ', f, e)
            yield from elems(child * ps)
        else:
            fl, pos, ks, vs = struct.unpack_from('<IIII', f, e)
            yield bytes(f[e + pos:e + pos + ks]), fl & 1, e + pos + ks, vs
def bucket(root, inline_at):
    return elems(inline_at + 16 if root == 0 else root * ps)
def find(names):  # -> (key, is_bucket, value offset, vlen)
    it, hit = elems(m[4] * ps), None
    for n in names:
        hit = next((x for x in it if x[0] == n.encode()), None)
        if hit is None: sys.exit('not found: ' + n)
        if hit[1]: it = bucket(struct.unpack_from('<Q', f, hit[2])[0], hit[2])
    return hit
if cmd == 'root':          # PATH...: the page a bucket is rooted at
    print(struct.unpack_from('<Q', f, find(args)[2])[0])
elif cmd == 'set':         # PATH... VALUE: overwrite a value (same length)
    _, _, off, vl = find(args[:-1]); v = args[-1].encode(); assert len(v) == vl
    f[off:off + vl] = v
elif cmd == 'cycle':       # PGID: the branch page's first child is itself
    pg = int(args[0]); assert struct.unpack_from('<H', f, pg * ps + 8)[0] == 1, 'not a branch page'
    struct.pack_into('<Q', f, pg * ps + 16 + 8, pg)
elif cmd == 'zero-header': # PGID
    pg = int(args[0]); f[pg * ps:pg * ps + 16] = bytes(16)
elif cmd == 'bad-metas':   # both checksums wrong
    for i in (0, 1): f[i * ps + 16 + 56] ^= 0xff
open(path, 'wb').write(f)
PYEOF
bb() { $PY "$T/bb.py" "$@"; }
META=io.containerd.metadata.v1.bolt/meta.db

# ---------------------------------------------------------------- pristine
run_t images --store "containerd:$T/nounpack"
printf '%s\n' "$OUT" >"$T/nounpack.json"
if [ $RC -eq 0 ] && [ "$(json_get "$OUT" 'r["verdict"]')" = pass ] && [ "$(max_sev)" -eq 0 ]; then
	ok "pristine containerd store (152 names, not unpacked): pass, nothing above info"
else
	not_ok "pristine containerd store: pass" "rc=$RC" "$(findings_of | head -c 1500)" "${ERR:0:500}"
fi
check "the containerd report validates against the schema" validate_report "$T/nounpack.json"
got=$(json_get "$OUT" "sorted((len(i['names']), i['manifest_digest'], i['image_id'], [l['diff_id_check'] for l in i['layers']], i['verdict']) for i in r['images'])")
want="[(1, '$MF', '$CFG', ['ok', 'ok', 'ok'], 'pass'), (151, '$MF', '$CFG', ['ok', 'ok', 'ok'], 'pass')]"
[ "$got" = "$want" ] && ok "images: the index's manifest, and bb:1 with its 150 tags as one entry of 151 names, 3 diffIDs ok" ||
	not_ok "image entries" "got  $got" "want $want"
nm=$(json_get "$OUT" "sorted(n for i in r['images'] for n in i['names'] if n in ('default/localhost/bb:1','default/localhost/bb:oci','default/localhost/bb:t150'))")
[ "$nm" = "['default/localhost/bb:1', 'default/localhost/bb:oci', 'default/localhost/bb:t150']" ] &&
	ok "names are namespace-qualified (default/localhost/bb:1, ...:oci, ...:t150)" || not_ok "qualified names" "$nm"
st=$(json_get "$OUT" "(r['stores'][0]['type'], r['stores'][0]['image_records'], r['stores'][0]['namespaces'], r['stores'][0]['unreferenced_blobs'], r['stores'][0]['meta_db']['page_size'])")
[ "$st" = "('containerd', 152, 1, 0, 4096)" ] && ok "store entry: 152 records in 1 namespace, no unreferenced blob, meta.db page size 4096" ||
	not_ok "store entry" "$st"
run_t images --store "$T/nounpack"
[ "$(json_get "$OUT" "r['stores'][0]['type']")" = containerd ] && ok "a bare containerd root is detected as containerd" || not_ok "detect containerd"

# Unpacked: each overlayfs snapshot is compared file by file with the layer
# blob it was extracted from (the content store keeps it).
run_t images --store "containerd:$ROOT"
run_imgs=$(json_get "$OUT" "sorted((i['verdict'], [s['check'] for s in i.get('snapshots', [])]) for i in r['images'] if any(n.startswith('run/') for n in i['names']))")
if [ $RC -eq 0 ] && [ "$(json_get "$OUT" 'r["verdict"]')" = pass ] && [ "$(json_get "$OUT" "len(r['images']) > 0 and all(v == 'pass' and c == ['verified'] * 3 for v, c in $run_imgs)")" = True ]; then
	ok "unpacked store: pass, its 3 overlayfs snapshots match their layer blobs file by file"
else
	not_ok "unpacked store: snapshots verified" "rc=$RC run=$run_imgs" "$(findings_of | head -c 1500)"
fi
# Tampering with an extracted layer (safe paths only: under $T).
snapdir() { # N -> a copy of the unpacked root and the folder of snapshot N in it
	rm -rf "$T/unp"; cp -a "$ROOT" "$T/unp"
	SD="$T/unp/io.containerd.snapshotter.v1.overlayfs/snapshots/$1/fs"
	case "$SD" in "$T"/unp/*) [ -d "$SD" ] || { echo "no snapshot folder $SD" >&2; exit 1; } ;; *) exit 1 ;; esac
}
snap_fail() { # NAME ID SUBJECT
	run_t images --store "containerd:$T/unp"
	if [ $RC -eq 1 ] && has_finding "$2" "$3"; then ok "snapshot tamper: $1 -> $2"
	else not_ok "snapshot tamper: $1 -> $2" "rc=$RC want $2 $3" "$(findings_of | head -c 1500)"; fi
}
snapdir 1; f="$SD/bin/busybox"; printf 'X' | dd of="$f" bs=1 seek=4000 conv=notrunc status=none
snap_fail "a byte changed in an extracted file" layer.file_modified "$f"
snapdir 1; echo evil >"$SD/bin/evil"
snap_fail "a file added to an extracted layer" layer.file_added "$SD/bin/evil"
snapdir 1; chmod 4755 "$SD/bin/busybox"
snap_fail "an extracted file chmod-ed" layer.file_attr_mismatch "$SD/bin/busybox"
rm -rf "$T/unp"

# ---------------------------------------------------------------- tampers
fresh_c() { rm -rf "$1"; cp -a "$T/nounpack" "$1"; }
expect_fail() { # NAME STORE ID SUBJECT
	run_t images --store "containerd:$2"
	if [ $RC -eq 1 ] && [ "$(json_get "$OUT" 'r["verdict"]')" = fail ] && has_finding "$3" "$4"; then
		ok "tamper: $1 -> $3"
	else
		not_ok "tamper: $1 -> $3" "rc=$RC want $3 subject $4" "got: $(findings_of | head -c 1200)" "${ERR:0:300}"
	fi
}
flip() { $PY -c "import sys; f=open(sys.argv[1],'r+b'); f.seek(int(sys.argv[2])); b=f.read(1); f.seek(int(sys.argv[2])); f.write(bytes([b[0]^1]))" "$1" "$2"; }

fresh_c "$T/c1"; flip "$(blob "$T/c1" "$L0")" 5000
expect_fail "byte flipped in a layer blob" "$T/c1" blob.digest_mismatch "$L0"
fresh_c "$T/c2"; flip "$(blob "$T/c2" "$MF")" 20
expect_fail "byte flipped in the manifest blob" "$T/c2" blob.digest_mismatch "$MF"
fresh_c "$T/c3"; rm "$(blob "$T/c3" "$L2")"
expect_fail "layer blob removed" "$T/c3" blob.missing "$L2"
fresh_c "$T/c4"; rm "$(blob "$T/c4" "$CFG")"
expect_fail "config blob removed" "$T/c4" blob.missing "$CFG"
fresh_c "$T/c5"; ln -sf /etc/hostname "$(blob "$T/c5" "$L2")"
expect_fail "layer blob replaced by a symlink" "$T/c5" store.symlink "$L2"

# A name pointing to another digest (one hex digit changed in meta.db).
fresh_c "$T/c6"
bad=${MF:0:70}$([ "${MF:70:1}" = 0 ] && echo 1 || echo 0)${MF:71}
bb "$T/c6/$META" set v1 default images localhost/bb:t150 target digest "$bad"
expect_fail "a name pointing to a missing image (target digest edited in meta.db)" "$T/c6" blob.missing "$bad"
fresh_c "$T/c7"; bb "$T/c7/$META" set v1 default images localhost/bb:t150 target digest "sha256:../../../../etc/passwd${MF:29}"
expect_fail "target digest edited to a path in meta.db" "$T/c7" descriptor.bad_digest "sha256:../../../../etc/passwd${MF:29}"

# meta.db damaged: each a bbolt.corrupt finding on meta.db, in bounded time.
MP() { echo "$1/$META"; }
fresh_c "$T/m1"; truncate -s 12288 "$(MP "$T/m1")"
expect_fail "meta.db truncated to 3 pages" "$T/m1" bbolt.corrupt "$(MP "$T/m1")"
fresh_c "$T/m2"; truncate -s 100 "$(MP "$T/m2")"
expect_fail "meta.db truncated inside its meta page" "$T/m2" bbolt.corrupt "$(MP "$T/m2")"
fresh_c "$T/m3"; bb "$(MP "$T/m3")" bad-metas
expect_fail "both meta pages' checksums wrong" "$T/m3" bbolt.corrupt "$(MP "$T/m3")"
fresh_c "$T/m4"; pg=$(bb "$(MP "$T/m4")" root v1 default images); bb "$(MP "$T/m4")" zero-header "$pg"
expect_fail "the images bucket's page header zeroed (page $pg)" "$T/m4" bbolt.corrupt "$(MP "$T/m4")"
fresh_c "$T/m5"; pg=$(bb "$(MP "$T/m5")" root v1 default images); bb "$(MP "$T/m5")" cycle "$pg"
start=$(date +%s%N)
expect_fail "a branch page pointing to itself (page $pg, a cycle; under timeout)" "$T/m5" bbolt.corrupt "$(MP "$T/m5")"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ $ms -lt 5000 ] && ok "the cycle ends in ${ms} ms" || not_ok "cycle time" "${ms} ms"
json_get "$OUT" "[f['message'] for f in r['findings'] if f['id']=='bbolt.corrupt']" | grep -q "reached twice" &&
	ok "the cycle's finding says the page is reached twice" || not_ok "cycle message" "$(findings_of)"

fresh_c "$T/m6"; rm "$(MP "$T/m6")"; mkfifo "$(MP "$T/m6")"
expect_fail "meta.db replaced by a FIFO (not opened for reading: no block)" "$T/m6" store.special_file "$(MP "$T/m6")"
fresh_c "$T/m7"; mv "$(MP "$T/m7")" "$T/m7-meta.db"; ln -s "$T/m7-meta.db" "$(MP "$T/m7")"
expect_fail "meta.db replaced by a symlink to a valid copy" "$T/m7" store.symlink "$(MP "$T/m7")"
fresh_c "$T/m8"; rm "$(MP "$T/m8")"
expect_fail "meta.db removed" "$T/m8" store.unreadable "$(MP "$T/m8")"

# ---------------------------------------------------------------- read-only
snapshot_tree() { (cd "$1" && find . -printf '%p %y %m %s %T@\n' | sort && find . -type f -exec sha256sum {} + | sort); }
before=$(snapshot_tree "$ROOT")
run_t images --store "containerd:$ROOT"; run_t audit --no-proc --store "$ROOT"; run_t images --store "containerd:$T/m5"
after=$(snapshot_tree "$ROOT")
[ "$before" = "$after" ] && ok "the store is unchanged by the runs (every path's type, mode, size, mtime and sha256)" ||
	not_ok "store unchanged" "$(diff <(echo "$before") <(echo "$after") | head -n 10)"

# ---------------------------------------------------------------- a live, busy containerd
# Audited while containerd commits in a loop: meta.db is copied and the copy
# trusted only when no commit landed meanwhile; otherwise it is read again,
# and after 6 tries reported as bbolt.changing.  Never a false bbolt.corrupt.
if start_ctrd; then
	( for i in $(seq 1 400); do C -n busy images tag localhost/bb:1 "localhost/bb:busy$i" >/dev/null 2>&1 || C -n busy images import --no-unpack "$T/img-oci.tar" >/dev/null 2>&1; done ) &
	BUSY=$!
	res=""
	for _ in $(seq 12); do
		# a store written meanwhile: two runs need not agree (no EA_DIFF_BASE)
		EA_DIFF_BASE='' run_t images --store "containerd:$ROOT"
		res+="$(json_get "$OUT" "'corrupt' if any(f['id']=='bbolt.corrupt' for f in r['findings']) else 'changing' if any(f['id']=='bbolt.changing' for f in r['findings']) else 'read' if r['stores'][0]['image_records'] >= 152 else 'short'") "
	done
	kill "$BUSY" 2>/dev/null; wait "$BUSY" 2>/dev/null
	stop_ctrd
	case "$res" in
	*corrupt* | *short*) not_ok "a busy containerd: no false bbolt.corrupt, no short read" "$res" ;;
	*read*) ok "a busy containerd (commits in a loop): every run read meta.db whole or said bbolt.changing, none corrupt ($(echo "$res" | tr ' ' '\n' | grep . | sort | uniq -c | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'))" ;;
	*) not_ok "a busy containerd: at least one run reads meta.db" "$res" ;;
	esac
else
	not_ok "containerd restarts for the busy case"
fi

# ---------------------------------------------------------------- discovery
# Docker 29's containerd-backed store, found by discovery at its usual root
# (a private mount namespace shows the copy there; nothing of the host's).
if unshare -m true 2>/dev/null; then
	out=$(timeout 60 unshare -m sh -c "mount -t tmpfs none /var/lib && mkdir -p /var/lib/docker/containerd/daemon &&
		mount --bind '$T/nounpack' /var/lib/docker/containerd/daemon && '$EA' images" 2>&1)
	OUT=$out
	d=$(json_get "$OUT" "[(s['type'], s['status'], s['discovered']) for s in r['stores'] if s['path']=='/var/lib/docker/containerd/daemon'] + [len([i for i in r['images'] if i['store']=='containerd:/var/lib/docker/containerd/daemon'])]" 2>&1)
	[ "$d" = "[('containerd', 'checked', True), 2]" ] && ok "discovery finds Docker 29's /var/lib/docker/containerd/daemon and verifies it" ||
		not_ok "discovery of /var/lib/docker/containerd/daemon" "$d" "${out:0:500}"
else
	skip "discovery of /var/lib/docker/containerd/daemon" "unshare -m is not allowed here"
fi

# ---------------------------------------------------------------- aarch64
A64=$OUTDIR/aarch64/edgeaudit
if command -v qemu-aarch64-static >/dev/null && [ -x "$A64" ]; then
	run_t images --store "containerd:$ROOT"; x86=$(json_get "$OUT" "(r['verdict'], sorted((i['names'][0], i['verdict'], [l['diff_id_check'] for l in i['layers']], len(i.get('snapshots', []))) for i in r['images']), sorted(f['id']+f['subject'] for f in r['findings']))")
	OUT=$(timeout 120 qemu-aarch64-static "$A64" images --store "containerd:$ROOT" 2>/dev/null); RC=$?
	arm=$(json_get "$OUT" "(r['verdict'], sorted((i['names'][0], i['verdict'], [l['diff_id_check'] for l in i['layers']], len(i.get('snapshots', []))) for i in r['images']), sorted(f['id']+f['subject'] for f in r['findings']))")
	[ $RC -eq 0 ] && [ "$x86" = "$arm" ] && ok "the aarch64 build (qemu) reads the same store to the same images, verdicts and findings" ||
		not_ok "aarch64 under qemu" "rc=$RC" "x86 ${x86:0:400}" "arm ${arm:0:400}"
else
	skip "aarch64 build on the containerd store" "qemu-aarch64-static or $A64 missing"
fi
