#!/usr/bin/env bash
# `docker save` from a real dockerd (issue 3): the archive it writes passes,
# and tampering with it is found.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

if ! command -v dockerd >/dev/null || ! command -v umoci >/dev/null || ! command -v skopeo >/dev/null; then
	skip "docker save archives" "dockerd, umoci or skopeo is not installed (build.sh test installs them)"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then skip "docker save archives" "dockerd needs root"; exit 0; fi
trap 'stop_dockerd; rm -rf "$T"' EXIT

base_layout
skopeo copy -q "oci:$T/base:bb" "docker-archive:$T/in.tar:localhost/bb:1" >/dev/null 2>&1
if ! start_dockerd ds vfs; then
	skip "docker save archives" "dockerd did not start here: $(tail -n 3 "$T/ds-dockerd.log" | tr '\n' ' ')"
	exit 0
fi
$D load -i "$T/in.tar" >/dev/null
$D tag localhost/bb:1 localhost/bb:2
$D save -o "$T/saved.tar" localhost/bb:1 localhost/bb:2
stop_dockerd

run_ea images --store "docker-archive:$T/saved.tar"
n=$(json_get "$OUT" "sorted(n for i in r['images'] for n in i['names'])")
st=$(json_get "$OUT" "[[l['diff_id_check'] for l in i['layers']] for i in r['images']]")
if [ $RC -eq 0 ] && [ "$n" = "['localhost/bb:1', 'localhost/bb:2']" ] && [ "$st" = "[['ok', 'ok', 'ok']]" ]; then
	ok "docker save (dockerd $(dockerd --version | awk '{print $3}' | tr -d ,)): pass, both tags, 3 diffIDs ok"
else
	not_ok "docker save archive passes" "rc=$RC names=$n diffids=$st" "$(json_get "$OUT" "[f['id']+' '+f['subject'] for f in r['findings']]")"
fi
form=$(json_get "$OUT" "r['stores'][0].get('form')")
echo "# docker save form: $form"
run_ea images --store "$T/saved.tar"
[ "$(json_get "$OUT" "r['stores'][0]['type']")" = docker-archive ] && ok "docker save output is detected as docker-archive" || not_ok "detect docker save"

# Tamper: change one byte of a layer.tar inside the archive.
cp "$T/saved.tar" "$T/bad.tar"
LT=$(tar -tf "$T/bad.tar" | grep 'layer.tar$\|blobs/sha256/' | while read -r m; do
	s=$(tar -tvf "$T/bad.tar" "$m" | awk '{print $3}' | head -n1); [ "${s:-0}" -gt 100000 ] && { echo "$m"; break; }; done)
off=$($PY -c "
import tarfile,sys
t=tarfile.open(sys.argv[1]); m=t.getmember(sys.argv[2]); print(m.offset_data+4096)" "$T/bad.tar" "$LT")
$PY -c "import sys; f=open(sys.argv[1],'r+b'); f.seek(int(sys.argv[2])); b=f.read(1); f.seek(int(sys.argv[2])); f.write(bytes([b[0]^1]))" "$T/bad.tar" "$off"
run_ea images --store "docker-archive:$T/bad.tar"
if [ $RC -eq 1 ] && json_get "$OUT" "any(f['id'] in ('image.diffid_mismatch','blob.digest_mismatch') and '$LT'.split('/')[-2 if '$LT'.endswith('layer.tar') else -1] in f['subject'] for f in r['findings'])" | grep -q True; then
	ok "a byte changed in a saved layer is found (exit 1)"
else
	not_ok "tampered docker save" "rc=$RC $LT" "$(json_get "$OUT" "[f['id']+' '+f['subject'] for f in r['findings']]")"
fi
