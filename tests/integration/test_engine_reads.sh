#!/usr/bin/env bash
# Issue 12: verify what the engine will run.  Every archive and layout here
# starts as what umoci and skopeo wrote; tests/tools/engine_reads.py then
# adds what an attacker would: members the engines read otherwise, names
# only one consumer binds, unsigned artifacts, layers whose bytes are not
# their media type, an Engine 25+ manifest.json that names another image.
# Each must fail with its own finding; the untouched stores must pass.
# (tests/integration/test_differential.sh runs the real consumers.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"
for tool in umoci skopeo openssl; do
	command -v $tool >/dev/null || { skip "engine reads" "$tool is not installed (build.sh test installs it)"; exit 0; }
done
ER() { $PY "$TOP/tests/tools/engine_reads.py" "$@"; }
base_layout
openssl ecparam -name prime256v1 -genkey -noout -out "$T/k.pem" 2>/dev/null
openssl ec -in "$T/k.pem" -pubout -out "$T/k.pub" 2>/dev/null
findings_of() { json_get "$OUT" "' '.join(sorted(set(f['id']+'='+f.get('subject','') for f in r['findings'])))[:1500]"; }
has_id() { json_get "$OUT" "any(f['id']=='$1' for f in r['findings'])" | grep -q True; }
# expect NAME RC ID: the last run exited RC with a finding ID (ID "-": none at all of severity high+)
expect() {
	if [ "$RC" -eq "$2" ] && { [ "$3" = - ] || has_id "$3"; }; then ok "$1"; else not_ok "$1" "rc=$RC want $2 $3" "$(findings_of)"; fi
}

# A signed layout: the base image tagged "bb", a cosign signature by k.pem.
cp -a "$T/base" "$T/signed"
ER sign "$T/signed" "$T/k.pem" bb
run_ea verify --no-config --store "oci:$T/signed" --image bb --key "$T/k.pub"
expect "control: the signed layout passes verify --key" 0 -
ER tar "$T/signed" "$T/signed.tar"
run_ea verify --no-config --store "oci-archive:$T/signed.tar" --image bb --key "$T/k.pub"
expect "control: the signed layout as an oci-archive passes verify --key" 0 -

# ---- class 1 and 2: tar members read as Go reads them, duplicates
echo '{"schemaVersion":2,"manifests":[]}' >"$T/empty-index.json"
ER tar "$T/signed" "$T/dup-last.tar" "dup:index.json=$T/empty-index.json"
run_ea verify --no-config --store "oci-archive:$T/dup-last.tar" --image bb --key "$T/k.pub"
expect "a second index.json after the first (containerd reads the last): archive.ambiguous" 1 archive.ambiguous
ER tar "$T/signed" "$T/dup-first.tar" "pre:index.json=$T/empty-index.json"
run_ea verify --no-config --store "oci-archive:$T/dup-first.tar" --image bb --key "$T/k.pub"
expect "an index.json before the real one (containers/image reads the first): archive.ambiguous" 1 archive.ambiguous
ER tar "$T/signed" "$T/dup-clean.tar" "dup:x/../index.json=$T/empty-index.json"
run_ea verify --no-config --store "oci-archive:$T/dup-clean.tar" --image bb --key "$T/k.pub"
expect "'x/../index.json' beside index.json (equal after path.Clean): archive.ambiguous" 1 archive.ambiguous
ER tar "$T/signed" "$T/dup-dot.tar" "dup:index.json/.=$T/empty-index.json"
run_ea images --no-config --store "oci-archive:$T/dup-dot.tar"
expect "'index.json/.' beside index.json: archive.ambiguous under images too" 1 archive.ambiguous
ER tar "$T/signed" "$T/longpax.tar" "longpax:evil.json=index.json=$T/empty-index.json"
run_ea images --no-config --store "oci-archive:$T/longpax.tar"
expect "a GNU long name and a different PAX path on one member: archive.ambiguous" 1 archive.ambiguous
[ "$(json_get "$OUT" "[f['subject'] for f in r['findings'] if f['id']=='archive.ambiguous'][0]")" = "oci-archive:$T/longpax.tar:evil.json" ] &&
	ok "the long name is the member's name (Go lets it win over the PAX path)" || not_ok "long name wins" "$(findings_of)"

# ---- class 6: verify runs the unsafe-name scan images runs
echo evil >"$T/evil.txt"
ER tar "$T/signed" "$T/dotdot.tar" "dup:../../etc/evil=$T/evil.txt"
run_ea verify --no-config --store "oci-archive:$T/dotdot.tar" --image bb --key "$T/k.pub"
expect "verify finds an archive member named '../../etc/evil' (store.bad_path)" 1 store.bad_path

# ---- class 4 and 5: names from every source, nothing named escapes the policy
fresh_signed() { rm -rf "$T/$1"; cp -a "$T/signed" "$T/$1"; }
fresh_signed cname
ER add-entry "$T/cname" "
cfg = jdump({'architecture':'amd64','os':'linux','config':{'Cmd':['/bin/sh','-c','echo unsigned']},'rootfs':{'type':'layers','diff_ids':json.load(open(blob_path(lay, m['config']['digest'])))['rootfs']['diff_ids']}})
d, n = put(cfg); m['config']['digest'], m['config']['size'] = d, n
e['digest'], e['size'] = put(jdump(m)); e['annotations'] = {'io.containerd.image.name': 'docker.io/library/bb:1'}"
run_ea verify --no-config --store "oci:$T/cname" --image bb --key "$T/k.pub"
expect "an unsigned image named only by io.containerd.image.name (ctr import binds it): signature.missing" 1 signature.missing
json_get "$OUT" "[i['names'] for i in r['images'] if i['verdict']=='fail']" | grep -q "docker.io/library/bb:1" &&
	ok "the containerd name is the failing image's name in the report" || not_ok "containerd name reported" "$(json_get "$OUT" "[(i['names'],i['verdict']) for i in r['images']]")"
for mt in 'application/vnd.x.config.v1+json' 'application/vnd.x.config.v1+json; charset=utf-8' 'application/octet-stream+json' ''; do
	fresh_signed art
	ER add-entry "$T/art" "
c = b'{}'
d, n = put(c); m['config'] = {'mediaType': '$mt', 'digest': d, 'size': n}
if not '$mt': del m['config']['mediaType']
e['digest'], e['size'] = put(jdump(m)); e['annotations'] = {'org.opencontainers.image.ref.name': 'tool'}"
	run_ea verify --no-config --store "oci:$T/art" --image bb --key "$T/k.pub"
	expect "an unsigned manifest with config media type '${mt:-(none)}' named 'tool' is judged by the policy" 1 signature.missing
done
fresh_signed arttype
ER add-entry "$T/arttype" "
d, n = put(b'{}'); m['config'] = {'mediaType': 'application/vnd.oci.empty.v1+json', 'digest': d, 'size': n}
m['artifactType'] = 'application/vnd.example.tool'
e['digest'], e['size'] = put(jdump(m)); e['annotations'] = {'org.opencontainers.image.ref.name': 'tool'}"
run_ea verify --no-config --store "oci:$T/arttype" --image bb --key "$T/k.pub"
expect "an unsigned OCI artifact (artifactType) with a name: signature.missing" 1 signature.missing
fresh_signed twonames
ER add-entry "$T/twonames" "
d, n = put(jdump({'architecture':'amd64','os':'linux','rootfs':{'type':'layers','diff_ids':[]}})); m['config']['digest'], m['config']['size'] = d, n
m['layers'] = []
e['digest'], e['size'] = put(jdump(m)); e['annotations'] = {'org.opencontainers.image.ref.name': 'bb'}"
run_ea images --no-config --store "oci:$T/twonames"
expect "one name (ref.name 'bb') bound to two manifests: image.name_conflict" 1 image.name_conflict

# ---- class 8: compression is what the bytes say
fresh() { rm -rf "$T/$1"; cp -a "$T/base" "$T/$1"; }
fresh comp
L0=$(ocimut "$T/comp" info | $PY -c "import json,sys; print(json.load(sys.stdin)['layers'][0])")
$PY - "$T/comp" <<'PYEOF'
import json, sys, hashlib, os
lay = sys.argv[1]
idx = json.load(open(lay + '/index.json')); md = idx['manifests'][0]
bp = lambda d: os.path.join(lay, 'blobs', 'sha256', d[7:])
m = json.load(open(bp(md['digest'])))
l = m['layers'][0]
raw = open(bp(l['digest']), 'rb').read()          # gzip bytes, as umoci wrote them
l['mediaType'] = 'application/vnd.oci.image.layer.v1.tar'  # ... called a plain tar
c = json.load(open(bp(m['config']['digest'])))
c['rootfs']['diff_ids'][0] = 'sha256:' + hashlib.sha256(raw).hexdigest()  # diffID of the bytes as they are
def put(b):
    d = 'sha256:' + hashlib.sha256(b).hexdigest(); open(bp(d), 'wb').write(b); return d, len(b)
m['config']['digest'], m['config']['size'] = put(json.dumps(c).encode())
md['digest'], md['size'] = put(json.dumps(m).encode())
json.dump(idx, open(lay + '/index.json', 'w'))
PYEOF
run_ea images --no-config --store "oci:$T/comp"
expect "gzip bytes under a plain-tar media type (containerd would gunzip them): layer.compression_mismatch" 1 layer.compression_mismatch

# ---- class 7: a blob shared by two descriptors is held to each one's size
fresh shared
ER add-entry "$T/shared" "
m['layers'][0]['size'] += 1
e['digest'], e['size'] = put(jdump(m)); e['annotations'] = {'org.opencontainers.image.ref.name': 'other'}"
run_ea images --no-config --store "oci:$T/shared"
expect "a shared layer whose second descriptor states another size: blob.size_mismatch" 1 blob.size_mismatch
[ "$(json_get "$OUT" "sorted(i['verdict'] for i in r['images'])")" = "['fail', 'pass']" ] &&
	ok "the image whose descriptor is right passes, the other fails" || not_ok "per-descriptor verdicts" "$(json_get "$OUT" "[(i['names'],i['verdict']) for i in r['images']]")"

# ---- class 3: Engine 25+ docker save: manifest.json tied to the verified layout
fresh d25
ER add-entry "$T/d25" "e['annotations'] = {'io.containerd.image.name': 'docker.io/library/bb:1', 'org.opencontainers.image.ref.name': '1'}"
$PY -c "
import json,sys; p='$T/d25/index.json'; i=json.load(open(p)); i['manifests']=i['manifests'][1:]; json.dump(i,open(p,'w'))"
ER docker25 "$T/d25" "$T/d25.tar" "mj[0]['RepoTags'] = ['bb:1']"
run_ea images --no-config --store "docker-archive:$T/d25.tar"
expect "control: an Engine 25+ archive whose manifest.json names the layout's image passes" 0 -
ER docker25 "$T/d25" "$T/d25-tag.tar" "mj[0]['RepoTags'] = ['evil:1']"
run_ea images --no-config --store "docker-archive:$T/d25-tag.tar"
expect "RepoTags naming a tag index.json does not give the image: archive.manifest_mismatch" 1 archive.manifest_mismatch
ER docker25 "$T/d25" "$T/d25-path.tar" "mj[0]['Layers'][0] = './' + mj[0]['Layers'][0]"
run_ea images --no-config --store "docker-archive:$T/d25-path.tar"
expect "a Layers path not exactly blobs/sha256/<hex>: archive.manifest_mismatch" 1 archive.manifest_mismatch
ER docker25 "$T/d25" "$T/d25-order.tar" "mj[0]['Layers'] = mj[0]['Layers'][::-1]"
run_ea images --no-config --store "docker-archive:$T/d25-order.tar"
expect "Layers in another order than the verified manifest's: archive.manifest_mismatch" 1 archive.manifest_mismatch
ER docker25 "$T/d25" "$T/d25-two.tar" "mj.append(dict(mj[0], Config='blobs/sha256/' + mj[0]['Layers'][0][13:]))"
run_ea images --no-config --store "docker-archive:$T/d25-two.tar"
expect "a second entry giving the same tag to another config: image.name_conflict" 1 image.name_conflict

# ---- class 7's invariant, as lib.sh asserts it on every report: it can fail
OUT='{"verdict":"pass","images":[{"names":["x"],"verdict":"fail"}],"findings":[]}' RC=0
inv=$(report_invariant images)
OUT='{"verdict":"fail","images":[{"names":["x"],"verdict":"fail"}],"findings":[]}' RC=1
inv2=$(report_invariant images)
[[ $inv == "not ok - report invariant (issue 12): image x is fail but the report passes"* ]] && [ -z "$inv2" ] &&
	ok "the report invariant catches a failing image in a passing report, and is silent when it holds" || not_ok "invariant self-test" "$inv" "$inv2"
