#!/usr/bin/env bash
# Crash-safety of the report (issue 8): `audit --out FILE` killed with
# SIGKILL at random points, many times (CRASH_RUNS, default 200), on a store
# with thousands of findings (a report of about 2 MB, so the write takes
# time).  Before each run FILE holds a complete older report; after the
# kill FILE must be byte for byte that older report, or a complete new one
# (valid JSON, the same findings as an undisturbed run), never a mix or a
# truncated file.  Temp files a kill leaves beside FILE are counted: they
# show kills landed while the report was being written.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

command -v umoci >/dev/null || { skip "report crash-safety" "umoci is not installed (build.sh test installs it)"; exit 0; }
trap 'rm -rf "$T"' EXIT
runs=${CRASH_RUNS:-200}

# A store with many findings: 4,000 index entries naming missing manifests.
base_layout
cp -a "$T/base" "$T/big"
$PY - "$T/big" <<'PYEOF'
import hashlib, json, os, sys
lay = sys.argv[1]
idx = json.load(open(os.path.join(lay, 'index.json')))
idx['manifests'] += [{'mediaType': 'application/vnd.oci.image.manifest.v1+json',
                      'digest': 'sha256:' + hashlib.sha256(b'%d' % k).hexdigest(), 'size': 100} for k in range(4000)]
json.dump(idx, open(os.path.join(lay, 'index.json'), 'w'))
PYEOF
mkdir -p "$T/r"
R=$T/r/report.json
# The older report (another store: small and different) and the reference new one.
"$EA" audit --no-proc --store "oci:$T/base" --out "$T/old.json" >/dev/null 2>&1
"$EA" audit --no-proc --store "oci:$T/big" --out "$T/new.json" >/dev/null 2>&1
norm() { $PY -c "import json,sys; r=json.load(open(sys.argv[1])); r.pop('started',None); r.pop('duration_ms',None); print(json.dumps(r,sort_keys=True))" "$1"; }
norm "$T/new.json" >"$T/new.norm" 2>/dev/null
if [ ! -s "$T/new.norm" ] || cmp -s "$T/old.json" "$T/new.json"; then
	not_ok "report crash-safety: reference reports" "$(ls -l "$T"/*.json)"
	exit 0
fi
size=$(stat -c %s "$T/new.json")
# How long a run takes: kills are spread over the whole run, most near its end (the write).
t0=$(date +%s%N); "$EA" audit --no-proc --store "oci:$T/big" --out "$T/r/t.json" >/dev/null 2>&1; t1=$(date +%s%N)
rm -f "$T/r/t.json"
run_us=$(( (t1 - t0) / 1000 ))

old=0 new=0 bad=0 tmpleft=0 badmsg=""
for i in $(seq 1 "$runs"); do
	cp "$T/old.json" "$T/r/.seed" && mv "$T/r/.seed" "$R" # a complete older report, put atomically
	# delay: uniform over [0, 1.3 x run) for a third of the runs, else over [0.5, 1.3 x run)
	if [ $((i % 3)) -eq 0 ]; then lo=0; else lo=$((run_us / 2)); fi
	d=$(( lo + (RANDOM * 32768 + RANDOM) % (run_us * 13 / 10 - lo + 1) ))
	"$EA" audit --no-proc --store "oci:$T/big" --out "$R" >/dev/null 2>&1 &
	pid=$!
	sleep "$(printf '%d.%06d' $((d / 1000000)) $((d % 1000000)))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if cmp -s "$R" "$T/old.json"; then
		old=$((old + 1))
	elif [ "$(norm "$R" 2>/dev/null)" = "$(cat "$T/new.norm")" ]; then
		new=$((new + 1))
	else
		bad=$((bad + 1))
		[ -n "$badmsg" ] || badmsg="run $i (killed after $d us): $(stat -c %s "$R") bytes, starts $(head -c 80 "$R" | tr -d '\n')"
	fi
	for f in "$T"/r/.report.json.tmp.*; do
		[ -e "$f" ] || continue
		tmpleft=$((tmpleft + 1))
		rm -f "$f" # (safe: only this test's folder)
	done
done
desc="report crash-safety: $runs runs killed with SIGKILL at random points (run $((run_us / 1000)) ms, report $((size / 1024)) KiB): $old kept the older report whole, $new had the complete new one, $bad mixed or truncated"
if [ $bad -eq 0 ] && [ $old -gt 0 ] && [ $new -gt 0 ]; then
	ok "$desc; $tmpleft kills landed while the temp file was being written"
elif [ $bad -eq 0 ]; then
	not_ok "$desc" "the kills did not cover both outcomes (old $old, new $new): timing off on this machine?"
else
	not_ok "$desc" "$badmsg"
fi
