#!/usr/bin/env bash
# Differential test (issue 12, "verify what the engine will run"): edgeaudit
# may say PASS on an archive only if the real consumers read it the way the
# report says.  The consumers: Go's archive/tar (tests/tools/tarlist, the
# reader of containerd, moby and containers/image), skopeo (containers/image:
# oci-archive and docker-archive) and `ctr images import` into a private
# containerd.  The corpus (tests/tools/mkcorpus.py, ~300 archives from a base
# made by umoci and skopeo, the good image signed with a throwaway key) holds
# tar header ambiguities, duplicate and aliased members, odd docker-archive
# manifests, name annotations, media types and compression mismatches.
#
# For each archive, `edgeaudit images` (every transport the corpus row names)
# and, for oci-archives, `edgeaudit verify --image NAME --key`.  When one of
# them exits 0:
#  - Go's reader must report no error and no two members sharing a
#    path.Clean name;
#  - each name skopeo loads (oci-archive:X:NAME, docker-archive:X:NAME, and
#    the archive's default image) must be a passed image of the report under
#    that name, with the manifest digest skopeo took (docker-archive: the
#    config digest, skopeo synthesises the manifest);
#  - each name `ctr images import --base-name localhost/app` binds must be a
#    passed image of the report under that name, with that target digest (or,
#    for a manifest containerd synthesised from manifest.json, its config).
# A verify report speaks for its one image name only.  Any violation is a
# disagreement.  One TAP line per class (0 disagreements), one per class that
# the corpus holds archives of it, a summary line, D == 0, and the invariant
# that a report with an image not passed is not passed.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/helpers/containerd.sh"

CLASSES="baseline gnu_pax gnu_prefix v7_prefix clean_alias duplicate docker_manifest ctr_name config_mediatype layer_compression zero_block signed_checksum combo random"

for tool in go skopeo containerd ctr umoci openssl zstd timeout; do
	if ! command -v $tool >/dev/null; then
		skip "differential: consumers agree with edgeaudit" "$tool is not installed (golang-go skopeo containerd umoci openssl zstd)"
		exit 0
	fi
done
if [ ! -x "$EA" ]; then
	skip "differential: consumers agree with edgeaudit" "$EA is not built"
	exit 0
fi

CT=$T/ctrd
CPID=
trap 'stop_ctrd; [ -n "${KEEP_T:-}" ] || rm -rf "$T"' EXIT

# ---------------------------------------------------------------- the oracle
TL=$T/tarlist
if ! (cd "$TOP/tests/tools/tarlist" && GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off GOCACHE=$T/gocache GOPATH=$T/gopath \
	go build -o "$TL" .) >"$T/go.log" 2>&1; then
	not_ok "differential: the Go oracle builds" "$(tail -n 20 "$T/go.log")"
	exit 0
fi
ok "differential: the Go oracle (archive/tar) builds"

# ---------------------------------------------------------------- the corpus
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/key.pem" 2>/dev/null &&
	openssl pkey -in "$T/key.pem" -pubout -out "$T/pub.pem" 2>/dev/null ||
	{ not_ok "differential: signing key"; exit 0; }
CORPUS=$T/corpus
if ! $PY "$TOP/tests/tools/mkcorpus.py" "$CORPUS" --key "$T/key.pem" >"$T/mk.log" 2>&1; then
	not_ok "differential: corpus generated" "$(tail -n 20 "$T/mk.log")"
	exit 0
fi
ok "differential: $(tail -n 1 "$T/mk.log")"

# ---------------------------------------------------------------- containerd
C() { timeout 60 ctr -a "$CT/containerd.sock" "$@"; }
if ! start_ctrd; then
	skip "differential: consumers agree with edgeaudit" "containerd did not start: $(tail -n 3 "$CT/log" | tr '\n' ' ' | cut -c1-300)"
	exit 0
fi

# ---------------------------------------------------------------- helpers
# plan.py CONS REPORT...: the (transport, name) pairs to load with skopeo.
cat >"$T/plan.py" <<'PYEOF'
import json, sys
cons = json.load(open(sys.argv[1]))
pairs = set()
for spec in sys.argv[2:]:
    kind, tr, rc, path = spec.split('|', 3)
    if rc != '0':
        continue
    r = json.load(open(path))
    pairs.add((tr, ''))
    for im in r.get('images', []):
        for n in im.get('names') or []:
            pairs.add((tr, n))
    docs = cons.get('documents_last' if tr == 'oci-archive' else 'documents_first') or {}
    try:
        if tr == 'oci-archive':
            for m in json.loads(docs.get('index.json', '{}')).get('manifests') or []:
                n = (m.get('annotations') or {}).get('org.opencontainers.image.ref.name')
                if isinstance(n, str) and n:
                    pairs.add((tr, n))
        else:
            for e in json.loads(docs.get('manifest.json', '[]')):
                for n in e.get('RepoTags') or []:
                    if isinstance(n, str):
                        pairs.add((tr, n))
    except Exception:
        pass
for tr, n in sorted(pairs):
    print(tr + '\t' + n)
PYEOF

# judge.py FILE CLASS LIST CONS BINDINGS REPORT...: print one line per
# disagreement; REPORT is kind|transport|rc|path (kind images|verify=NAME).
cat >"$T/judge.py" <<'PYEOF'
import hashlib, json, sys
f, cls, listf, consf, bindf = sys.argv[1:6]
specs = sys.argv[6:]
bad = []
def say(s):
    bad.append('DISAGREE %s [%s]: %s' % (f, cls, s))

members, err = [], None
for line in open(listf):
    line = line.strip()
    if not line:
        continue
    d = json.loads(line)
    if 'error' in d:
        err = d['error']
    else:
        members.append(d)
seen, dups = set(), set()
for m in members:
    if m['clean'] in seen:
        dups.add(m['clean'])
    seen.add(m['clean'])

def load_json(p):
    try:
        return json.load(open(p))
    except Exception:
        return None

# bindings: consumer \t transport \t name \t manifest-file
binds = []
for line in open(bindf):
    c, tr, name, mf = line.rstrip('\n').split('\t')
    m = load_json(mf)
    dg = 'sha256:' + hashlib.sha256(open(mf, 'rb').read()).hexdigest()
    cfg = (m or {}).get('config', {}).get('digest') if isinstance(m, dict) and isinstance(m.get('config'), dict) else None
    binds.append((c, tr, name, dg, cfg))

def forms(n, ctr=False):
    """the spellings of one image name: as written and, for containerd, a
    bare tag under localhost/app (what `ctr images import --base-name
    localhost/app` makes of it).  The corpus names every image under
    localhost/, which docker's name normalisation leaves as it is."""
    out = {n}
    if ctr and '/' not in n and ':' not in n and '@' not in n:
        out.add('localhost/app:' + n)
    return out

for spec in specs:
    kind, tr, rc, path = spec.split('|', 3)
    if rc != '0':
        continue
    what = '%s (%s) PASS' % (kind, tr)
    if err:
        say('%s, but Go archive/tar fails: %s' % (what, err))
    if dups:
        say('%s, but members share a clean name: %s' % (what, ', '.join(sorted(dups))[:300]))
    r = load_json(path)
    if r is None:
        say('%s, but its report is unreadable' % what)
        continue
    scope = kind[7:] if kind.startswith('verify=') else None
    passed = [im for im in r.get('images', []) if im.get('verdict') == 'pass']
    for c, btr, name, dg, cfg in binds:
        if c == 'skopeo' and btr != tr:
            continue
        isctr = c.startswith('ctr')
        if scope is not None and not (name and forms(name, isctr) & forms(scope, isctr)):
            continue
        cands = passed
        if name:
            cands = [im for im in passed if any(forms(name, isctr) & forms(n, isctr) for n in im.get('names') or [])]
        if not cands:
            say('%s, but %s binds %r to %s (config %s): no passed image of that name in the report' % (what, c, name or '(default)', dg, cfg))
            continue
        okd = any(im.get('manifest_digest') == dg or (cfg and im.get('image_id') == cfg and
                                                        (tr == 'docker-archive' or c == 'ctr-synth')) for im in cands)
        if not okd:
            say('%s, but %s binds %r to %s (config %s); the report passed %s' % (
                what, c, name or '(default)', dg, cfg,
                ', '.join('%s/%s' % (im.get('manifest_digest'), im.get('image_id')) for im in cands)))
for b in bad:
    print(b)
PYEOF

# ---------------------------------------------------------------- the run
W=$T/w; mkdir -p "$W"
export TMPDIR=$T  # skopeo unpacks oci-archives there
# one I FILE CLASS TRANSPORTS IMAGE DESC: audit one archive, ask the consumers
# when edgeaudit passed it, judge; leaves $W/I/{res,reports,out}.
one() {
	local i=$1 f=$2 cls=$3 trs=$4 img=$5 desc=$6
	local A=$CORPUS/$f V=$W/$1 t rep rc anypass=0 k name ref D dg c n
	local -a specs=()
	mkdir -p "$V"; : >"$V/reports"; : >"$V/bind.tsv"
	"$TL" "$A" >"$V/list.jsonl" 2>/dev/null
	"$TL" -consumers "$A" >"$V/cons.json" 2>/dev/null || echo '{}' >"$V/cons.json"
	for t in ${trs//,/ }; do
		rep=$V/images.$t.json
		timeout 60 "$EA" images --no-config --jobs 1 --store "$t:$A" --out "$rep" >/dev/null 2>&1; rc=$?
		specs+=("images|$t|$rc|$rep"); [ -s "$rep" ] && echo "$rep" >>"$V/reports"
		[ $rc -eq 0 ] && anypass=1
		if [ "$t" = oci-archive ]; then
			rep=$V/verify.$t.json
			timeout 60 "$EA" verify --no-config --store "$t:$A" --image "$img" --key "$T/pub.pem" --out "$rep" >/dev/null 2>&1; rc=$?
			specs+=("verify=$img|$t|$rc|$rep"); [ -s "$rep" ] && echo "$rep" >>"$V/reports"
			[ $rc -eq 0 ] && anypass=1
		fi
	done
	if [ $anypass -eq 1 ]; then
		# skopeo: each name a report or the archive names, and the default image
		k=0
		while IFS=$'\t' read -r t name; do
			k=$((k + 1)); D=$V/sk.$k; rm -rf "$D"
			ref="$t:$A"; [ -n "$name" ] && ref="$ref:$name"
			if timeout 60 skopeo --insecure-policy copy -q "$ref" "dir:$D" >/dev/null 2>&1 && [ -f "$D/manifest.json" ]; then
				cp "$D/manifest.json" "$V/sk.$k.manifest"
				printf 'skopeo\t%s\t%s\t%s\n' "$t" "$name" "$V/sk.$k.manifest" >>"$V/bind.tsv"
			fi
			rm -rf "$D"
		done < <($PY "$T/plan.py" "$V/cons.json" "${specs[@]}")
		# containerd: what import binds, whatever its exit (unpack may fail after binding)
		C -n "d$i" images import --base-name localhost/app --snapshotter native "$A" >"$V/ctr.log" 2>&1
		C -n "d$i" images ls 2>/dev/null | tail -n +2 | awk '{print $1 "\t" $3}' >"$V/ctr.ls"
		k=0
		while IFS=$'\t' read -r name dg; do
			k=$((k + 1))
			C -n "d$i" content get "$dg" >"$V/ctr.$k.manifest" 2>/dev/null || continue
			# a target that is not in the archive was synthesised from manifest.json
			c=ctr; grep -q "\"${dg#sha256:}\"" "$V/cons.json" || c=ctr-synth
			printf '%s\t%s\t%s\t%s\n' "$c" "-" "$name" "$V/ctr.$k.manifest" >>"$V/bind.tsv"
		done <"$V/ctr.ls"
	fi
	$PY "$T/judge.py" "$f" "$cls" "$V/list.jsonl" "$V/cons.json" "$V/bind.tsv" "${specs[@]}" >"$V/judge.out" 2>&1
	n=$(grep -c '^DISAGREE' "$V/judge.out")
	# a judge that printed something else (a traceback) counts as one
	if [ "$n" -eq 0 ] && grep -q . "$V/judge.out"; then n=1; fi
	printf '%s\t%s\t%s\t%s\n' "$f" "$cls" "$n" "$(echo "${specs[@]}" | sed "s|$V/||g")" >"$V/res"
	if [ "$n" -gt 0 ]; then
		echo "# $f [$cls] $desc"
		sed 's/^/#   /' "$V/judge.out" | head -n 8
	fi >"$V/out"
}
JOBS=$(nproc 2>/dev/null || echo 2); [ "$JOBS" -gt 4 ] && JOBS=4
i=0
while IFS=$'\t' read -r f cls trs img desc; do
	case "$f" in '#'*|'') continue ;; esac
	i=$((i + 1))
	one "$i" "$f" "$cls" "$trs" "$img" "$desc" &
	# containerd is a job of this shell too: count the others
	while [ "$(jobs -rp | grep -cvx "$CPID")" -ge "$JOBS" ]; do wait -n; done
done <"$CORPUS/corpus.tsv"
while [ "$(jobs -rp | grep -cvx "$CPID")" -gt 0 ]; do wait -n; done
stop_ctrd
RES=$T/results.tsv; : >"$RES"
ALLREPORTS=$T/reports.txt; : >"$ALLREPORTS"
for j in $(seq "$i"); do
	cat "$W/$j/out" 2>/dev/null
	cat "$W/$j/res" >>"$RES" 2>/dev/null || printf 'row-%s\t?\t1\tno result\n' "$j" >>"$RES"
	cat "$W/$j/reports" >>"$ALLREPORTS" 2>/dev/null
done

# ---------------------------------------------------------------- verdicts
N=$(wc -l <"$RES")
D=0
for cls in $CLASSES; do
	have=$(grep -c "	$cls	" "$CORPUS/corpus.tsv")
	[ "$have" -gt 0 ] && ok "differential: corpus holds $have archives of class $cls" ||
		not_ok "differential: corpus holds archives of class $cls"
	d=$(awk -F'\t' -v c="$cls" '$2 == c && $3 > 0' "$RES" | wc -l)
	p=$(awk -F'\t' -v c="$cls" '$2 == c && $4 ~ /[|]0[|]/' "$RES" | wc -l)
	D=$((D + d))
	if [ "$d" -eq 0 ]; then
		ok "differential: class $cls: 0 disagreements ($have archives, $p passed by edgeaudit)"
	else
		not_ok "differential: class $cls: $d disagreements ($have archives, $p passed by edgeaudit)" \
			"$(awk -F'\t' -v c="$cls" '$2 == c && $3 > 0 {print $1}' "$RES" | head -n 10 | tr '\n' ' ')"
	fi
done
echo "# corpus $N archives, $D disagreements"
[ "$D" -eq 0 ] && ok "differential: 0 disagreements over $N archives" ||
	not_ok "differential: 0 disagreements over $N archives" "$D archives where edgeaudit said PASS and a consumer read otherwise"

# invariant: an image not passed makes the report not passed
inv() {
	$PY - "$ALLREPORTS" <<'PYEOF'
import json, sys
paths = [l.strip() for l in open(sys.argv[1]) if l.strip()]
bad = 0
for p in paths:
    r = json.load(open(p))
    if r.get('verdict') == 'pass' and any(im.get('verdict') != 'pass' for im in r.get('images', [])):
        print(p, 'verdict pass with images', [(im.get('names'), im.get('verdict')) for im in r['images']][:5]); bad += 1
    if r.get('verdict') == 'pass' and any(f.get('severity') in ('high', 'critical') for f in r.get('findings', [])):
        print(p, 'verdict pass with a high finding'); bad += 1
print(len(paths), 'reports read')
sys.exit(1 if bad or not paths else 0)
PYEOF
}
check "differential: no report passes with an image not passed ($(wc -l <"$ALLREPORTS") reports)" inv
